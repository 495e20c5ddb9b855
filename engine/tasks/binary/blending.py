"""After the search: keep the baseline, the best trial, or the blend of the two.

The search's folds chose the best trial, so its lead over the baseline there is biased
upward (the winner's curse). Here both are refitted on fresh folds of the development
rows (`FRESH_REPEATS` new K-fold cuts, seeds no trial saw, as the search cut them:
stratified, or by --group id), with their blend (`engine/families/blend.py`) scored on
the same folds, and `search.selection.fresh_rule` keeps whichever beats the baseline by
more than one standard error (the baseline otherwise).

Measured with `benchmarks/selection_rules.py --blend` (README, "On tables it was not tuned
on"): against the one-SE rule on the search's folds, this rule did better on 14 of 69 runs
of 14 real tables, worse on 6, +0.096 summed (AUC, or minus the log-loss); blending
whenever the best is not the baseline did worse on 28.

Not for out-of-time splits, whose folds follow the time order and cannot be drawn again:
those keep the one-SE rule on the search's folds, as does `--no-blend`.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace

import numpy as np
import optuna
from optuna.trial import FrozenTrial

from tuneplate.engine.data.splits import fresh_folds
from tuneplate.engine.families import blend
from tuneplate.engine.families.base import MonotoneViolation
from tuneplate.engine.records import Selection
from tuneplate.engine.search import study as studies
from tuneplate.engine.search.selection import baseline_trial, fresh_rule

FRESH_REPEATS = 2  # fresh K-fold cuts: 2 × 5 = 10 paired folds on most tables
# From this many development rows one cut: each fold's score is then steady enough for
# the paired SE (its noise shrinks as 1/sqrt(rows)), and a second cut would add K fits
# of both models on a big table, after the search's budget.
ONE_CUT_ROWS = 50_000
# The fresh cuts' seeds: this + 97 · repeat + the run's seed (never a search seed).
FRESH_SEED = 10_000


def _complete(study: optuna.Study) -> list[FrozenTrial]:
    return study.get_trials(deepcopy=False, states=(optuna.trial.TrialState.COMPLETE,))


def blend_params(p, best: FrozenTrial, base: FrozenTrial) -> dict:
    """The blend's `params`: each trial's family, full settings and boosting rounds.

    Example:
        >>> blend_params(p, best, base)["members"][1]
        {'family': 'scorecard', 'params': {...}, 'n_rounds': None}
    """
    members = []
    for trial in (best, base):
        family, params = p.resolve(trial.params)
        members.append(
            {"family": family.name, "params": params, "n_rounds": trial.user_attrs.get("n_rounds")}
        )
    return {"members": members, "weights": [0.5, 0.5]}


def fresh_scores(p, cv, params: dict) -> np.ndarray | None:
    """Validation scores of best, baseline and blend on each fresh fold, (folds, 3), both
    members fitted on the same fold rows (boosted ones early-stopping on the fold, as in
    the search); None when the split's folds cannot be drawn again, or when a member
    cannot honour --monotone on a fresh fold (a logistic coefficient of the wrong sign):
    the search's own rule then decides.

    The folds are fitted `cv.workers` at a time, in threads, as the search scores a
    trial's folds: each fold's fits are the same whatever the thread, so the scores are
    too, only sooner on a machine with cores to spare (`benchmarks/fresh_folds.py`).
    """
    fit = replace(p.fit, deadline=None)  # the search's deadline has passed
    folds = []
    for r in range(1 if len(p.split.development) >= ONE_CUT_ROWS else FRESH_REPEATS):
        cut = fresh_folds(p.table, p.y, p.roles, p.split, FRESH_SEED + 97 * r + p.fit.seed)
        if cut is None:
            return None
        folds += cut

    def scored(fold) -> list[float]:
        train, valid = fold
        X_va, y_va = cv.X.iloc[valid], cv.y[valid]
        both = blend.fit(params, cv.X.iloc[train], cv.y[train], X_va, y_va, fit).estimator
        a, b = (estimator.predict_proba(X_va)[:, 1] for _, estimator in both.members)
        mixed = both.predict_proba(X_va)[:, 1]
        return [cv.metric(y_va, q) for q in (a, b, mixed)]

    workers = max(1, cv.workers)
    try:
        if workers == 1:
            rows = [scored(fold) for fold in folds]
        else:  # `map` yields in fold order; on an error it cancels the folds not yet begun
            with ThreadPoolExecutor(workers, "fresh-fold") as pool:
                rows = list(pool.map(scored, folds))
    except MonotoneViolation:  # a member breaks --monotone on these rows: no decision
        return None
    return np.asarray(rows)


def choose(p, study: optuna.Study, cv) -> tuple[FrozenTrial, Selection]:
    """The trial to refit and how it was chosen (`Selection.rule` "blend": the chosen
    trial is the best, refitted with the baseline as `blend_params` says).

    Falls back to `search.study.chosen` (the one-SE rule on the search's folds) when
    the run says `--no-blend`, has no baseline trial or no best trial apart from it, or
    on an out-of-time split.

    Example:
        >>> trial, selection = choose(p, study, cv)
        >>> selection.rule, selection.fresh.blend
        ('blend', 0.0061)
    """
    trial, selection = studies.chosen(study)
    if not p.config.search.blend or selection.difference is None:
        return trial, selection
    complete = _complete(study)
    base = baseline_trial(complete)
    best = next(t for t in complete if t.number == selection.best)
    scores = fresh_scores(p, cv, blend_params(p, best, base))
    decided = None if scores is None else fresh_rule(scores, p.objective.direction == "maximize")
    if decided is None:
        return trial, selection
    rule, fresh = decided
    kept = base if rule == "one-SE" else best
    return kept, replace(selection, chosen=kept.number, rule=rule, fresh=fresh)


def refit_settings(p, study: optuna.Study, trial: FrozenTrial, selection: Selection):
    """(family, params, boosting rounds, the report's label) to refit for `selection`:
    the blend's when the rule kept it (each member keeps its own rounds), else the
    chosen trial's own.

    Example:
        >>> refit_settings(p, study, trial, selection)[3]
        'blend of LightGBM gradient-boosted trees and WoE scorecard (logistic on WoE bins)'
    """
    if selection.rule == "blend":
        params = blend_params(p, trial, baseline_trial(_complete(study)))
        return blend.FAMILY, params, None, blend.label(params)
    family, params = p.resolve(trial.params)
    return family, params, trial.user_attrs.get("n_rounds"), family.label
