"""Binary classification (credit risk, diagnosis): a table with an outcome column.

The task's parts of the one flow: read the table and its roles, check it, a
stratified (or out-of-time, or grouped) hold-out and K folds, each fold's data
binned once (`FoldCache`), the model families (one, or every one with strategy
`auto`), cross-validated scoring, and after the search the refit, hold-out
figures, out-of-fold scores, the vertical's baseline and stability.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import optuna
import pandas as pd
from optuna.trial import FrozenTrial

from tuneplate.engine.contract.calibration import calibrated_columns
from tuneplate.engine.contract.errors import TuneplateError
from tuneplate.engine.contract.schema import Schema
from tuneplate.engine.currency import amount_signs, settle
from tuneplate.engine.data.checks import ChecksFailed, Finding, errors, run_checks
from tuneplate.engine.data.roles import Roles
from tuneplate.engine.data.splits import Split, make_split
from tuneplate.engine.families.models import FAMILIES, Fit, Model, get_family
from tuneplate.engine.metrics import METRICS, get_metric, group_bands
from tuneplate.engine.monotone import given, wants_auto
from tuneplate.engine.monotone import signs as monotone_signs
from tuneplate.engine.monotone_auto import Proposal, propose
from tuneplate.engine.records import Selection
from tuneplate.engine.search import budget
from tuneplate.engine.search import gradient as gradients
from tuneplate.engine.search.first_trials import first_trials, warm_start_unused, warm_trials
from tuneplate.engine.search.space import Choice, Space
from tuneplate.engine.search.strategies import get_strategy, make_sampler
from tuneplate.engine.tasks.binary import blending, calibration, evaluation, sizing
from tuneplate.engine.tasks.binary.calibration import fit_calibrator, with_central_tendency
from tuneplate.engine.tasks.binary.drivers import drivers
from tuneplate.engine.tasks.binary.folds import CrossValidation, FoldCache
from tuneplate.engine.tasks.binary.table import (
    finding,
    holdout_bounds,
    holdout_outcomes,
    prepare,
    read_features,
)
from tuneplate.engine.tasks.task import (
    Evaluated,
    Paired,
    Plan,
    Request,
    fingerprint,
    fold_workers,
    replay_findings,
    sorted_findings,
    threads_per_fit,
)
from tuneplate.engine.vertical import Outcome, Vertical


@dataclass(frozen=True)
class TableData:
    """The binary task's part of a `Plan`: the typed table, its roles and split."""

    table: pd.DataFrame
    roles: Roles
    features: list[str]
    split: Split
    schema: Schema  # each feature's kind and levels; the model keeps it
    y: np.ndarray
    # --monotone resolved: {column: +1 or -1} (given, then proposed by `auto`), or None
    monotone_columns: dict[str, int] | None = None
    monotone_proposal: Proposal | None = None  # what `auto` proposed, and why not the rest


def fold_score(objective) -> Callable[[np.ndarray, np.ndarray], float]:
    """The objective's score for one fold, vectorised where it has a row form.

    `Objective.rows` equals the scikit-learn score (tests/engine/test_baseline_paired.py) but
    skips its input validation, which cost 5-7% of a trial on small tables.
    """
    if objective.rows is None:
        return objective.score

    def score(y, predicted) -> float:
        value = float(objective.rows(np.asarray(y), np.asarray(predicted)))
        # NaN: not scorable (one class only); the library's own error says why
        return objective.score(y, predicted) if math.isnan(value) else value

    return score


def space_adapted(vertical: Vertical, changes: dict[str, list[str]]) -> list[Finding]:
    """One note listing the ranges `vertical.adapt_space` changed for this table, with
    the vertical's rule (`Vertical.adapt_rule`) as what was expected.

    Example:
        >>> space_adapted(diagnosis, {"lightgbm": ["num_leaves 4 to 128 (before: 4 to 32)"]})
        [Finding('space_adapted', 'info', 'search ranges fitted to this table: LightGBM ...')]
    """
    parts = [
        f"{FAMILIES[name].label if name in FAMILIES else name} ({'; '.join(ranges)})"
        for name, ranges in changes.items()
        if ranges
    ]
    if not parts:
        return []
    return [
        Finding(
            "space_adapted",
            "info",
            "search ranges fitted to this table: " + "; ".join(parts),
            expected=vertical.adapt_rule or f"the {vertical.name} vertical's usual ranges",
        )
    ]


class BinaryTask:
    """Binary classification on a table (see the module docstring)."""

    name = "binary"
    reads_log = False

    def refuse(self, config, strategy: str) -> None:
        if get_strategy(strategy).chooses_family and config.search.model:
            raise TuneplateError(
                "strategy auto chooses the model family itself; drop --model, or choose "
                "another --strategy to tune one family"
            )

    def check(self, vertical: Vertical, data: pd.DataFrame | None, config) -> list:
        raw, roles, _, tidied = prepare(vertical, data, config)
        table, roles, _, read = read_features(raw, roles)
        stated = config.business.assumptions
        merged = {**vertical.assumptions, **stated}
        signs = amount_signs(raw, read)
        words = vertical.amount_words
        said = settle(merged, stated, signs, vertical.name, vertical.money, words)[1]
        return sorted_findings(tidied + read + said + run_checks(table, roles, vertical.checks))

    def plan(self, r: Request, data: pd.DataFrame | None) -> Plan:
        vertical, config, strategy = r.vertical, r.config, r.strategy
        search = config.search
        chosen = get_strategy(strategy)  # what the strategy adjusts in the plan
        # The gradient strategies descend on validation log-loss, whose exact derivative
        # the linear model supplies: both are their defaults unless chosen explicitly.
        default = chosen.default_family
        family = get_family(
            search.model or (default if default in vertical.spaces else vertical.default_family),
            vertical.spaces,
        )
        objective = get_metric(search.metric) if search.metric else vertical.objective
        if chosen.default_metric and not search.metric:
            objective = METRICS[chosen.default_metric]
        gradient = chosen.descends_gradient
        hypergradient = (
            gradient and family.hypergradient is not None and objective.name == "log_loss"
        )
        make_sampler(strategy, vertical.spaces[family.name], search.seed)  # unknown names fail

        # data -> checks
        raw, roles, attribution, tidied = prepare(vertical, data, config)
        printed = fingerprint(raw)  # of the table as given, before any reading
        table, roles, schema, read = read_features(raw, roles)
        # a `currency` assumption left unstated takes the one sign the vertical's amounts
        # carry ("$1,250" read as 1250), and a stated one the signs contradict is said
        assumptions, said = settle(
            r.assumptions,
            config.business.assumptions,
            amount_signs(raw, read),
            vertical.name,
            vertical.money,
            vertical.amount_words,
        )
        findings = sorted_findings(
            tidied
            + read
            + said
            + run_checks(table, roles, vertical.checks)
            + replay_findings(config, printed)
        )
        if errors(findings):
            raise ChecksFailed(findings)
        features = roles.features(table)
        if not features:
            raise TuneplateError("no feature columns are left after --exclude and --protected")

        # -> split
        y = roles.binary_target(table).to_numpy()
        n_folds = sizing.n_folds_for(vertical, len(table))
        split = make_split(table, y, roles, n_folds, search.seed)
        if n_folds != vertical.n_folds:
            split = replace(
                split,
                description=f"{split.description} ({n_folds} folds rather than "
                f"{vertical.n_folds}: the table has {sizing.FEWER_FOLDS_ROWS:,} rows or more)",
            )
        pruner_name, pruner = sizing.pruner(config, len(table), n_folds)
        schema, pooled = schema.fit_levels(table.iloc[split.development])
        held_out = holdout_bounds(schema, table.iloc[split.holdout])
        held_out += holdout_outcomes(y[split.holdout], roles)
        findings = [*findings, *(finding(n) for n in pooled), *held_out]
        # --monotone: the user's columns, and with `auto` the directions proposed from the
        # development rows (never the hold-out: this is after the split), as one direction
        # per model input, refused here (unknown, not an input, categorical) before any fit
        named, proposal = given(search.monotone), None
        if wants_auto(search.monotone):
            X_dev = schema.encode(table.iloc[split.development])[0]
            left_out = {
                **{c: "protected" for c in roles.protected},
                **{c: "excluded" for c in roles.exclude},
                **{c: "the time column" for c in [roles.time] if c},
                **{c: "the group column" for c in [roles.group] if c},
            }
            proposal = propose(X_dev, y[split.development], schema, named, left_out)
        columns = {**named, **(proposal.directions if proposal else {})} or None
        monotone = monotone_signs(columns, schema, roles, table)
        fold_rows = len(split.development) * (n_folds - 1) // n_folds

        adapted: dict[str, list[str]] = {}  # family -> ranges the vertical changed

        def space_for(name: str) -> Space:
            space = vertical.spaces[name].for_rows(fold_rows)
            if vertical.adapt_space:
                fitted = vertical.adapt_space(name, space, table.iloc[split.development], roles)
                adapted[name] = space.changed_ranges(fitted)
                space = fitted
            return budget.for_budget(space, r.timeout)

        families, n_trials = {}, r.n_trials
        if chosen.chooses_family:  # every family the vertical offers, cheapest first
            offered = [n for n in vertical.spaces if n in FAMILIES]
            names = sorted(offered, key=lambda n: FAMILIES[n].cost)
            families = {n: FAMILIES[n] for n in names}
            space = Choice({n: space_for(n) for n in names})
        else:
            space = space_for(family.name)
        searched = space.spaces if isinstance(space, Choice) else {family.name: space}
        findings = [
            *findings,
            *space_adapted(vertical, adapted),
            *budget.rates_left_out(vertical.spaces, searched, r.timeout),
        ]
        if chosen.grid_is_budget:  # every grid point once, across all workers
            n_trials = min(n_trials or math.inf, len(space.grid_points()))
        if hypergradient:  # an exact inner solver, or the hypergradient is ~1% off
            space = replace(space, fixed={**space.fixed, **family.exact_fit})
        if gradient:
            valid_rows = min(len(valid) for _, valid in split.folds)
            findings = [*findings, *gradients.overfitting_findings(space, valid_rows)]
        warm = warm_trials(r.previous, space, family.name) if r.previous else []
        if r.previous and not warm:
            findings = [*findings, warm_start_unused(config.search.warm_start)]
        first = first_trials(vertical, space, family.name, strategy, warm)
        return Plan(
            vertical=vertical,
            config=config,
            task=self,
            objective=objective,
            assumptions=assumptions,
            strategy=strategy,
            family=family,
            space=space,
            sampler=make_sampler(strategy, space, config.search.seed),
            pruner=pruner,
            n_trials=n_trials,
            timeout=r.timeout,
            attribution=attribution,
            findings=findings,
            fit=Fit(
                seed=config.search.seed,
                n_threads=threads_per_fit(len(table), config.search.jobs, sizing.LARGE_TABLE),
                monotone=monotone,
            ),
            fingerprint=printed,
            data=TableData(table, roles, features, split, schema, y, columns, proposal),
            pruner_name=pruner_name,
            hypergradient=hypergradient,
            families=families,
            first_trials=tuple(first),
        )

    def resolve(self, p: Plan, params: dict[str, Any]):
        """A trial's family and full fit parameters (fixed settings included).

        Example:
            >>> p.resolve({"family": "logistic", "logistic.C": 0.5})
            (Family(name='logistic', ...), {'C': 0.5})
        """
        if isinstance(p.space, Choice):
            name, chosen = p.space.split(params)
            return p.families[name], {**p.space.spaces[name].fixed, **chosen}
        return p.family, {**p.space.fixed, **params}

    def scorer(self, p: Plan, deadline: float | None) -> CrossValidation:
        X = p.schema.encode(p.table)[0]
        dev = p.split.development
        X_dev, y_dev = X.iloc[dev], p.y[dev]
        return CrossValidation(
            family=p.families or p.family,
            space=p.space,
            X=X_dev,
            y=y_dev,
            folds=p.split.folds,
            metric=fold_score(p.objective),
            fit=replace(p.fit, deadline=deadline),
            hypergradient=p.hypergradient,
            cache=FoldCache(X_dev, y_dev, p.split.folds, p.fit),
            encoded=X,
            workers=fold_workers(
                len(p.table), len(p.split.folds), p.config.search.jobs, sizing.LARGE_TABLE
            ),
        )

    def choose(
        self, p: Plan, study: optuna.Study, cv: CrossValidation
    ) -> tuple[FrozenTrial, Selection]:
        """Baseline, best trial or their blend, decided on fresh folds (`blending`)."""
        return blending.choose(p, study, cv)

    def evaluate(
        self,
        p: Plan,
        study: optuna.Study,
        cv: CrossValidation,
        best: FrozenTrial,
        selection: Selection,
    ) -> Evaluated:
        """Refit the chosen trial (or blend) on every development row; score the untouched
        hold-out."""
        split, table, roles, y = p.split, p.table, p.roles, p.y
        X_dev, y_dev = cv.X, cv.y
        family, params, rounds, label = blending.refit_settings(p, study, best, selection)
        refit = replace(p.fit, n_rounds=rounds)
        estimator = family.fit(params, X_dev, y_dev, None, None, refit).estimator
        X_hold, y_hold = cv.encoded.iloc[split.holdout], y[split.holdout]
        valid_y, valid_raw = evaluation.out_of_fold(
            family, params, X_dev, y_dev, split.folds, p.fit, cv.cache
        )
        # --calibrate: fitted on the out-of-fold development rows only, never the hold-out;
        # every figure below (and the saved model) uses the calibrated probabilities.
        calibrator = fit_calibrator(p.config.search.calibrate, valid_y, valid_raw)
        # --assume central_tendency=RATE (credit risk): a log-odds shift, composed after
        # that map and saved with it, so the saved model's mean PD on the development rows
        # is the stated rate; monotone, so the hold-out ranking (AUC) is unchanged.
        calibrator = with_central_tendency(calibrator, estimator, X_dev, p.assumptions)

        def proba(X):
            return calibrated_columns(estimator.predict_proba(X), calibrator)[:, 1]

        p_hold = proba(X_hold)
        profile = evaluation.grouped_profile(p, X_hold, p_hold, y_hold)  # what `validate` reads
        model = Model(
            family.name,
            estimator,
            p.schema,
            str(roles.positive),
            params,
            refit.saved(),
            profile,
            calibrator,
        )
        p_dev = proba(X_dev)
        score = p.objective.score
        valid_score = valid_raw if calibrator is None else calibrator.apply(valid_raw)
        outcome = Outcome(
            y=y_hold,
            score=p_hold,
            rows=table.iloc[split.holdout],
            roles=roles,
            assumptions=p.assumptions,
            valid_y=valid_y,
            valid_score=valid_score,
            sample_rate=float(np.mean(y)),
            fitted_rate=float(np.mean(y_dev)),
        )
        evaluated = p.vertical.evaluate(outcome)
        # On the same hold-out rows, paired with the tuned model's scores: the report
        # recommends the baseline unless the tuned model is clearly better.
        base, base_model = evaluation.baseline(
            p,
            X_dev,
            y_dev,
            X_hold,
            y_hold,
            tuned=p_hold,
            tuned_label=label,
            kept=selection.kept,
            cache=cv.cache,
        )
        converged = (r for t in study.get_trials(deepcopy=False) if (r := gradients.stop_reason(t)))
        constrained = evaluation.monotone_cost(
            p, family, params, refit, calibrator, (X_dev, y_dev), (X_hold, y_hold), p_hold
        )
        if p.monotone_proposal is not None:  # `auto`: what it proposed, even when nothing
            constrained = {
                **(constrained or {"constraints": {}}),
                "auto": p.monotone_proposal.to_dict(),
            }
        clusters = evaluation.holdout_groups(p)
        calibrated = calibration.holdout(calibrator, y_hold, p_hold, clusters)
        if base_model is not None:  # the run keeps the baseline: the report shows its figures
            p_base = base_model.estimator.predict_proba(X_hold)
            p_base = calibrated_columns(p_base, base_model.calibrator)[:, 1]
            calibrated["baseline"] = calibration.holdout(
                base_model.calibrator, y_hold, p_base, clusters
            )
        # which inputs drive the model the report recommends, on the same hold-out rows
        explained = drivers(base_model or model, X_hold, groups=clusters)
        # a family's own aggregates for the report (a scorecard's points and IV)
        summarised = evaluation.model_summary(
            p, model, base_model, X_dev, y_dev, kept=selection.kept
        )
        fields = {
            "model_family": family.name,
            "best_params": params,
            "holdout": float(score(y_hold, p_hold)),
            "train": float(score(y_dev, p_dev)),
            "data": {
                "rows": len(table),
                "columns": table.shape[1],
                "features": len(p.features),
                "target": roles.target,
                "positive": str(roles.positive),
                "positive_share": float(y.mean()),
                # the rate the saved model was fitted at (`triggers.fitted_rate`)
                "development_positive_share": float(np.mean(y_dev)),
                "development_rows": len(split.development),
                "holdout_rows": len(split.holdout),
                "holdout_events": int(y[split.holdout].sum()),
                "folds": len(split.folds),
                "split": split.description,
                "protected": list(roles.protected),
                # how explain and score.py --reasons word its decisions, as at the run
                "reason_words": p.vertical.reasons.to_dict(),
                # the business inputs as this run used them (the vertical's defaults then,
                # merged with the run's own): `validate` redoes its figures with them
                "assumption_inputs": dict(p.assumptions),
                # the fairness and subgroup tables' numeric bands, for `validate`
                "group_bands": group_bands(outcome.rows, [*roles.protected, *roles.subgroups]),
                "excluded": list(roles.exclude),
                "search_converged": next(converged, None),
                "fingerprint": p.fingerprint,
                **({"families": list(p.families)} if p.families else {}),
                "calibration": calibrated,
                **({"monotone": constrained} if constrained else {}),
                **({"drivers": explained} if explained else {}),
                **(dict([summarised]) if summarised else {}),
            },
            "holdout_metrics": evaluated.metrics,
            "tables": evaluated.tables,
            "assumptions": evaluated.assumptions,
            "headline": evaluated.headline,
            "baseline": base,
            "baseline_model": base_model,  # saved in baseline/ when it is recommended
            # fANOVA needs settings every trial shares; across families only "family" is.
            "importance": {} if p.families else evaluation.importance(study),
            # The same model on both sides: fold models trained on fewer (and, on time
            # splits, older) rows spread their scores differently and would fake a shift.
            "stability": evaluation.stability(p_dev, p_hold) if roles.time else {},
            "holdout_interval": evaluation.holdout_interval(
                y_hold, p_hold, score, p.config.search.seed, groups=clusters
            ),
            "model": model,
            "split_rows": {
                "development": split.development.tolist(),
                "holdout": split.holdout.tolist(),
            },
        }
        config = {
            "target": roles.target,
            "positive": str(roles.positive),
            "protected": list(roles.protected),
        }
        return Evaluated(fields, config)

    def holdout_scores(self, p: Plan, results) -> Paired:
        hold = p.split.holdout
        scores = results.model.predict_proba(p.table.iloc[hold])[:, 1]
        return Paired(p.y[hold], scores, p.objective)

    def describe(self, p: Plan) -> dict[str, Any]:
        return {
            "rows": len(p.table),
            "split": p.split.description,
            "holdout_rows": len(p.split.holdout),
            "folds": len(p.split.folds),  # trials were cross-validated (`tuning_score`)
            "fingerprint": p.fingerprint,
        }


BINARY = BinaryTask()
