"""What the report needs beyond the hold-out score, computed once after the search:
out-of-fold predictions, the vertical's baseline, parameter importance, stability."""

from __future__ import annotations

import warnings
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import numpy as np
import optuna
import pandas as pd
from scipy.stats import DegenerateDataWarning, bootstrap

from tuneplate.engine.contract.calibration import calibrated_columns
from tuneplate.engine.contract.group_ids import entity_clusters
from tuneplate.engine.contract.intervals import (
    MIN_ENTITIES,
    clustered_auroc_se,
    delong_auroc_se,
)
from tuneplate.engine.contract.profile import Profile
from tuneplate.engine.families import blend
from tuneplate.engine.families.base import MonotoneViolation
from tuneplate.engine.families.models import Family, Fit, Model, get_family
from tuneplate.engine.metrics import rows_version
from tuneplate.engine.results import Baseline, Headline
from tuneplate.engine.tasks.binary.calibration import (
    CENTRAL_TENDENCY,
    fit_calibrator,
    with_central_tendency,
)
from tuneplate.engine.tasks.binary.folds import FoldCache
from tuneplate.engine.vertical import Outcome

if TYPE_CHECKING:
    from tuneplate.engine.tasks.task import Plan


def out_of_fold(family: Family, params, X, y, folds, fit: Fit, cache: FoldCache | None = None):
    """Development rows scored by the chosen configuration fitted without them.

    Time-ordered folds never validate the earliest rows; those are left out. With
    the search's `cache`, the families that prepare fold data (boosted trees, the
    scorecard; a blend's such members) refit on the data the search built for each fold:
    the same fits as its trials', without binning the rows again.
    """
    scores = np.full(len(y), np.nan)
    for step, (train, valid) in enumerate(folds):
        if cache is not None and family.prepare is not None:
            data = cache.get(family, step)[0]
            model = family.fit(params, None, None, None, None, fit, data=data)
        elif cache is not None and family.name == blend.NAME:
            data = blend.fold_data(params, lambda member, step=step: cache.get(member, step)[0])
            model = family.fit(params, X.iloc[train], y[train], X.iloc[valid], y[valid], fit, data)
        else:
            model = family.fit(params, X.iloc[train], y[train], X.iloc[valid], y[valid], fit)
        scores[valid] = model.estimator.predict_proba(X.iloc[valid])[:, 1]
    seen = ~np.isnan(scores)
    return y[seen], scores[seen]


INTERVAL_RESAMPLES = 1000  # bootstrap resamples of the hold-out …
BIG_HOLDOUT = 20_000  # … and 200 from this many hold-out rows, where the interval is narrow
MIN_GROUPS = MIN_ENTITIES  # a cluster bootstrap needs this many --group ids, else none
MAX_ONE_CLASS_DRAWS = 0.05  # … and at most this share of its resamples with one class


def _draws(n: int, resamples: int | None) -> int:
    """Bootstrap resamples for a hold-out of `n` rows, unless `resamples` says."""
    return resamples or (INTERVAL_RESAMPLES if n < BIG_HOLDOUT else 200)


def _statistic(metric, combine):
    """`combine(metric(y, s) for each scores array)` as scipy's bootstrap wants it: the
    registered metric's many-resamples form when it has one (one call for every
    resample), else one resample at a time. NaN where a resample holds one class only."""
    rows = rows_version(metric)
    if rows is not None:

        def vectorised(y, *scores, axis=-1):
            y = np.moveaxis(y, axis, -1)
            return combine(*(rows(y, np.moveaxis(s, axis, -1)) for s in scores))

        return vectorised, True

    def single(y, *scores):
        try:
            return combine(*(metric(y, s) for s in scores))
        except ValueError:  # a resample holding one class only
            return np.nan

    return single, False


def _interval(samples, metric, combine, seed: int, level: float, resamples=None, groups=None):
    if groups is not None:
        return _group_interval(samples, metric, combine, seed, level, resamples, groups)
    statistic, vectorized = _statistic(metric, combine)
    n = len(samples[0])
    with warnings.catch_warnings():
        # A NaN bound (resamples of one class, on a 40-row batch) is answered by None
        # below; scipy's own warning would print a library line on the CLI's stderr.
        warnings.simplefilter("ignore", DegenerateDataWarning)
        res = bootstrap(
            samples,
            statistic,
            paired=True,
            vectorized=vectorized,
            n_resamples=_draws(n, resamples),
            batch=max(1, 2_000_000 // n),  # about 16 MB of scores per array at a time
            confidence_level=level,
            method="percentile",
            rng=np.random.default_rng(seed),
        )
    low, high = float(res.confidence_interval.low), float(res.confidence_interval.high)
    return (low, high) if np.isfinite(low) and np.isfinite(high) else None


def _group_interval(samples, metric, combine, seed: int, level: float, resamples, groups):
    """The percentile bootstrap resampling whole groups (a cluster bootstrap).

    Rows of one patient or customer are not independent: resampling them one by one
    treats 389 visits of 62 patients as 389 patients and gives an interval that is too
    narrow. Each resample draws as many groups as there are, with replacement, and
    keeps all their rows (Davison & Hinkley, *Bootstrap Methods and their Application*,
    1997, section 3.8; Field & Welsh, "Bootstrapping clustered data", JRSS B 69(3), 2007).
    """
    codes = pd.factorize(np.asarray(groups))[0]
    members = list(pd.Series(np.arange(len(codes))).groupby(codes).indices.values())
    n_groups = len(members)
    if n_groups < MIN_GROUPS:  # a few patients' resamples say nothing about the next ones
        return None
    rng = np.random.default_rng(seed)
    draws = _draws(len(samples[0]), resamples)
    fast = rows_version(metric)  # the metric without scikit-learn's input checks
    values = np.empty(draws)
    for b in range(draws):
        rows = np.concatenate([members[g] for g in rng.integers(0, n_groups, n_groups)])
        y = samples[0][rows]
        try:
            values[b] = combine(*((fast or metric)(y, s[rows]) for s in samples[1:]))
        except ValueError:  # a resample holding one class only (the fast form: NaN)
            values[b] = np.nan
    # Resamples holding one class only (likelier when few groups have the event) are
    # left out while they are rare; beyond that the interval would describe other data.
    if np.isnan(values).mean() > MAX_ONE_CLASS_DRAWS:
        return None
    tail = (1 - level) / 2 * 100
    low, high = np.percentile(values[~np.isnan(values)], [tail, 100 - tail])
    return float(low), float(high)


def holdout_interval(y, score, metric, seed: int, level: float = 0.95, groups=None):
    """A percentile bootstrap interval of the hold-out score, resampling rows, or whole
    groups when `groups` (one id per row: the `--group` column) is given.

    None when it cannot be formed (a hold-out too small, or resamples with one class).

    Example:
        >>> holdout_interval(y_hold, p_hold, roc_auc_score, seed=0)
        (0.71, 0.82)
    """
    if len(y) < 20:
        return None
    samples = (np.asarray(y), np.asarray(score))
    return _interval(samples, metric, lambda s: s, seed, level, groups=groups)


def paired_difference(
    y,
    tuned,
    base,
    metric,
    maximize: bool,
    seed: int,
    level: float = 0.95,
    resamples=None,
    groups=None,
):
    """Tuned − baseline on the same hold-out rows, in the metric's good direction, with a
    paired percentile bootstrap interval (rows, or whole `groups`, resampled once for
    both models).

    Positive means the tuned model is better (for a loss: baseline loss − tuned loss).
    Returns (difference, (low, high) or None); the interval is None when it cannot be
    formed (fewer than 20 rows, or resamples holding one class). Same resample counts
    as `holdout_interval` unless `resamples` says otherwise.

    Example:
        >>> paired_difference(y_hold, p_tuned, p_base, roc_auc_score, True, seed=0)
        (-0.021, (-0.048, 0.006))
    """
    y, tuned, base = np.asarray(y), np.asarray(tuned), np.asarray(base)
    sign = 1.0 if maximize else -1.0

    def combine(t, b):
        return sign * (t - b)

    difference = float(combine(metric(y, tuned), metric(y, base)))
    if len(y) < 20:
        return difference, None
    interval = _interval((y, tuned, base), metric, combine, seed, level, resamples, groups)
    return difference, interval


def grouped_profile(p: Plan, X_hold: pd.DataFrame, scores: np.ndarray, y_hold) -> Profile:
    """The hold-out's profile for `validate`, with the AUROC's standard error as validate
    finds the new rows': DeLong's, or under `--group` Obuchowski's, counting entities
    (`clustered_auroc_se`); under `--group` also the hold-out's effective entities, which
    the PSI's noise counts."""
    groups = holdout_groups(p)
    y = np.asarray(y_hold)
    se = delong_auroc_se(y, scores) if groups is None else clustered_auroc_se(y, scores, groups)
    return Profile.learn(p.schema, X_hold, scores, y_hold, auroc_se=se, groups=groups)


def holdout_groups(p: Plan) -> np.ndarray | None:
    """The hold-out rows' `--group` clusters (in `split.holdout` order), or None without
    groups.

    Every bootstrap interval of a run resamples these whole: rows of one entity move
    together. A row without an id (a time split does not need them) is its own cluster;
    None also when no cluster holds two rows (resampling rows is then the same).
    """
    group = p.roles.group
    if not group or group not in p.table.columns:
        return None
    return entity_clusters(p.table[group].iloc[p.split.holdout], group)


def decide(interval: tuple[float, float] | None) -> str:
    """ "better" (the interval lies above 0), "worse" (below 0), "same" (it spans 0), or
    "unjudged" when there is no interval to decide on (the simpler model is then kept:
    nothing shows the tuned one better).

    Example:
        >>> decide((0.008, 0.055)), decide((-0.048, 0.006)), decide(None)
        ('better', 'same', 'unjudged')
    """
    if interval is None:
        return "unjudged"
    low, high = interval
    return "better" if low > 0 else "worse" if high < 0 else "same"


def baseline(
    p: Plan,
    X_dev,
    y_dev,
    X_hold,
    y_hold,
    tuned=None,
    tuned_label: str = "",
    kept: bool = False,
    cache: FoldCache | None = None,
) -> tuple[Baseline, Model | None]:
    """The vertical's simple baseline at its default settings, on the same rows.

    With `tuned` (the tuned model's hold-out scores, same rows and order), also the paired
    difference tuned − baseline and its interval (`paired_difference`) and the decision
    (`decide`), with the tuned family's `tuned_label` for the report's sentences; `kept`
    (the search kept the baseline's own settings, `selection.select`) makes the decision
    "kept": both are one model, and nothing is recommended over it. When
    the baseline is recommended, the vertical evaluates it as it does
    the tuned model (hold-out scores, and out-of-fold scores for choosing cut-offs),
    and its fitted model is returned beside the record (else None), so the run folder
    can keep the model its report recommends.

    The baseline is fitted under the run's monotone constraints (`Fit.monotone`), so a
    recommended baseline honours them too; a baseline that cannot (any family raising
    `MonotoneViolation`, e.g. a logistic coefficient of the wrong sign) is not compared:
    the record says why (`unavailable`, `violation`) and no model is returned.

    With the search's fold `cache`, a baseline that is not boosted (the scorecard's bins)
    takes its out-of-fold scores from the data built for the search's folds; a boosted one
    boosts its fixed rounds from the rows.
    """
    name = p.vertical.baseline_family
    if name not in p.vertical.spaces:
        return Baseline(), None
    family = get_family(name, p.vertical.spaces)
    cache = None if family.boosted else cache
    space = p.vertical.spaces[name]
    params = {**space.fixed, **space.start}
    fit = replace(p.fit, n_rounds=None)
    estimator = None
    if kept and tuned is not None:  # the refitted model is the baseline: no second fit
        scores = np.asarray(tuned)
    else:
        try:
            if family.boosted:  # early stopping needs rows of its own: use the first fold's
                train, valid = p.split.folds[0]
                rounds = family.fit(
                    params, X_dev.iloc[train], y_dev[train], X_dev.iloc[valid], y_dev[valid], fit
                ).n_rounds
                fit = replace(fit, n_rounds=rounds)
            estimator = family.fit(params, X_dev, y_dev, None, None, fit).estimator
        except MonotoneViolation as broke:  # it cannot honour the constraints: say so
            return not_honoured(name, family.label, params, broke), None
        scores = estimator.predict_proba(X_hold)[:, 1]
    valid, calibrator = None, None
    if estimator is not None and tuned is not None and _adjusted(p):
        # The tuned scores are calibrated (--calibrate, --assume central_tendency): the
        # baseline is compared, and recorded, as it would be saved, through its own map.
        try:
            valid = out_of_fold(family, params, X_dev, y_dev, p.split.folds, fit, cache)
        except MonotoneViolation as broke:  # a fold's fit breaks the constraints: say so
            return not_honoured(name, family.label, params, broke), None
        scores, valid, calibrator = _calibrated(p, estimator, X_dev, scores, valid)
    base = Baseline(name, family.label, params, float(p.objective.score(y_hold, scores)))
    if tuned is None:
        return base, None
    maximize = p.objective.direction == "maximize"
    difference, interval = paired_difference(
        y_hold, tuned, scores, p.objective.score, maximize, p.fit.seed, groups=holdout_groups(p)
    )
    base = replace(
        base,
        difference=difference,
        interval=interval,
        decision="kept" if kept else decide(interval),
        tuned_label=tuned_label,
    )
    if not base.recommended:
        return base, None
    if valid is None:  # no calibration asked for: the out-of-fold scores as they are
        try:
            valid = out_of_fold(family, params, X_dev, y_dev, p.split.folds, fit, cache)
        except MonotoneViolation as broke:  # a fold's fit breaks the constraints: as above
            return not_honoured(name, family.label, params, broke), None
    valid_y, valid_score = valid
    evaluated = p.vertical.evaluate(
        Outcome(
            y=y_hold,
            score=scores,
            rows=p.table.iloc[p.split.holdout],
            roles=p.roles,
            assumptions=p.assumptions,
            valid_y=valid_y,
            valid_score=valid_score,
            sample_rate=float(np.mean(p.y)),
            fitted_rate=float(np.mean(p.y[p.split.development])),
        )
    )
    model = Model(
        name,
        estimator,
        p.schema,
        str(p.roles.positive),
        params,
        fit.saved(),
        grouped_profile(p, X_hold, scores, y_hold),
        calibrator,
    )
    recommended = replace(
        base,
        holdout_interval=holdout_interval(
            y_hold, scores, p.objective.score, p.config.search.seed, groups=holdout_groups(p)
        ),
        headline=Headline.coerce(evaluated.headline),
        tables=tuple(evaluated.tables),
        metrics=dict(evaluated.metrics),
    )
    return recommended, model


def _adjusted(p: Plan) -> bool:
    """True when the run maps the kept model's probabilities (`--calibrate` or a stated
    central tendency), so a baseline must pass through its own map to be compared."""
    method = p.config.search.calibrate
    return method not in (None, "none") or p.assumptions.get(CENTRAL_TENDENCY) is not None


def _calibrated(p: Plan, estimator, X_dev, scores, valid):
    """(hold-out scores, (out-of-fold y, scores), calibrator) through the baseline's own
    map: --calibrate fitted on its out-of-fold rows, then --assume central_tendency on its
    development rows, as `task.evaluate` does for the tuned model."""
    valid_y, valid_score = valid
    calibrator = fit_calibrator(p.config.search.calibrate, valid_y, valid_score)
    calibrator = with_central_tendency(calibrator, estimator, X_dev, p.assumptions)
    if calibrator is not None:
        scores, valid_score = calibrator.apply(scores), calibrator.apply(valid_score)
    return scores, (valid_y, valid_score), calibrator


def not_honoured(name: str, label: str, params, broke: MonotoneViolation) -> Baseline:
    """The baseline record of a baseline whose fit broke the run's monotone constraints:
    no score, and why in one line (the column and the fitted sign when the family says).

    Example:
        >>> not_honoured("logistic", "logistic regression", {"C": 1.0}, broke).unavailable
        "its fitted coefficient of 'duration_in_month' is positive (+0.0312), against …"
    """
    column, direction, fitted = broke.column, broke.direction, broke.fitted
    if column is not None and direction is not None and fitted is not None:
        sign = "positive" if fitted > 0 else "negative"
        why = (
            f"its fitted coefficient of {column!r} is {sign} ({fitted:+.3g}), against the "
            f"monotone direction {direction:+d}"
        )
        violation = {"column": column, "direction": int(direction), "fitted": float(fitted)}
    else:  # a family that gives only its message
        why, violation = str(broke), {}
    return Baseline(name, label, dict(params), unavailable=why, violation=violation)


def importance(study: optuna.Study) -> dict[str, float]:
    """How much each parameter mattered (Optuna's fANOVA), when enough trials vary."""
    complete = study.get_trials(deepcopy=False, states=(optuna.trial.TrialState.COMPLETE,))
    if len(complete) < 5 or not complete[0].params:
        return {}
    try:
        return {k: float(v) for k, v in optuna.importance.get_param_importances(study).items()}
    except (RuntimeError, ValueError):  # e.g. a single distinct value per parameter
        return {}


def stability(development: np.ndarray, recent: np.ndarray, bins: int = 10) -> dict[str, Any]:
    """Population stability index of the scores, from development to the latest rows.

    Bands are deciles of the development scores; 0.1 and 0.25 are the usual amber and
    red lines (a practitioners' convention that depends on sample size and bands).
    """
    edges = np.unique(np.quantile(development, np.linspace(0, 1, bins + 1)))
    edges[0], edges[-1] = -np.inf, np.inf
    expected = np.histogram(development, edges)[0] / len(development)
    actual = np.histogram(recent, edges)[0] / len(recent)
    expected, actual = np.clip(expected, 1e-4, None), np.clip(actual, 1e-4, None)
    psi = float(np.sum((actual - expected) * np.log(actual / expected)))
    return {
        "psi": psi,
        "bands": len(edges) - 1,
        "development_rows": len(development),
        "recent_rows": len(recent),
    }


def model_summary(
    p: Plan, tuned: Model, base_model: Model | None, X_dev, y_dev, kept: bool = False
):
    """(family name, its `Family.summary`) for the report, or None when no family involved
    has one. Of the model the report recommends first: the baseline's when it is kept
    (`base_model`), else the tuned model's (also when the one-SE rule kept the baseline's
    settings); else the vertical's baseline's, refitted at its default settings on the
    development rows as `baseline` fits it (one more fit; its record keeps no estimator).
    The summary says which model it describes ("model": "baseline" or "tuned"; "baseline"
    too when `kept`: the one-SE rule refitted the baseline's own settings).

    Example:
        >>> model_summary(p, model, None, X_dev, y_dev)
        ('scorecard', {'assumptions': {...}, 'iv': {...}, 'points': [...], 'model': 'baseline'})
    """
    names = {f.key: f.name for f in p.schema.features}  # model keys -> the user's names
    recommended = base_model and get_family(base_model.family)
    if recommended and recommended.summary is not None:  # the report recommends it
        return recommended.name, {
            **recommended.summary(base_model.estimator, names, base_model.calibrator),
            "model": "baseline",
        }
    own = get_family(tuned.family)
    if own.summary is not None:
        whose = "baseline" if kept and own.name == p.vertical.baseline_family else "tuned"
        return own.name, {**own.summary(tuned.estimator, names, tuned.calibrator), "model": whose}
    name = p.vertical.baseline_family
    if name not in p.vertical.spaces:
        return None
    family = get_family(name, p.vertical.spaces)
    if family.summary is None or family.boosted:
        return None
    space = p.vertical.spaces[name]
    params = {**space.fixed, **space.start}
    try:
        fitted = family.fit(params, X_dev, y_dev, None, None, replace(p.fit, n_rounds=None))
    except MonotoneViolation:  # no baseline under the constraints: nothing to show
        return None
    return name, {**family.summary(fitted.estimator, names, None), "model": "baseline"}


def monotone_cost(p: Plan, family, params, refit, calibrator, development, holdout, p_hold):
    """What the monotone constraints cost on the hold-out, or None without constraints.

    `constraints` are the resolved directions (`--monotone auto`'s proposals included).

    The same family, settings and boosting rounds refitted on the same development rows
    without the constraints (and passed through the same calibration), both scored on
    the hold-out; `difference` is constrained − free in the metric's good direction
    (negative: the constraints cost score), with its paired bootstrap interval. For
    logistic regression the constraint is only a check, so both fits are one model.

    Example:
        >>> monotone_cost(p, family, params, refit, None, (X_dev, y_dev), (X_hold, y_hold), p)
        {'constraints': {'duration': 1}, 'holdout': 0.78, 'free_holdout': 0.79, ...}
    """
    if not p.fit.monotone:
        return None
    (X_dev, y_dev), (X_hold, y_hold) = development, holdout
    free = family.fit(params, X_dev, y_dev, None, None, replace(refit, monotone=None)).estimator
    p_free = calibrated_columns(free.predict_proba(X_hold), calibrator)[:, 1]
    score = p.objective.score
    maximize = p.objective.direction == "maximize"
    difference, interval = paired_difference(
        y_hold, p_hold, p_free, score, maximize, p.fit.seed, groups=holdout_groups(p)
    )
    return {
        "constraints": {str(k): int(v) for k, v in (p.monotone_columns or {}).items()},
        "holdout": float(score(y_hold, p_hold)),
        "free_holdout": float(score(y_hold, p_free)),
        "difference": difference,
        "interval": list(interval) if interval else None,
    }
