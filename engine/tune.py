"""The one-way flow: data -> checks -> split -> study -> Results.

`tuneplate.tune` resolves a vertical's name and calls `run_vertical` here; the
engine itself only sees the `Vertical` record.
"""

from __future__ import annotations

import hashlib
import math
import os
import time
from dataclasses import asdict, dataclass, field, replace
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import numpy as np
import optuna
import pandas as pd

from tuneplate.engine.assumptions import check_assumptions
from tuneplate.engine.config_fields import check_config, check_task_fields
from tuneplate.engine.contract.errors import TuneplateError
from tuneplate.engine.contract.schema import Schema
from tuneplate.engine.data.checks import Finding, errors, run_checks
from tuneplate.engine.data.roles import (
    Roles,
    check_columns,
    drop_unknown_target,
    resolve_roles,
    tidy_target,
)
from tuneplate.engine.data.splits import Split, make_split
from tuneplate.engine.families.models import FAMILIES, Family, Fit, Model, get_family
from tuneplate.engine.metrics import METRICS, Objective, get_metric
from tuneplate.engine.results import Metric, Results
from tuneplate.engine.search import gradient as gradients
from tuneplate.engine.search import study as studies
from tuneplate.engine.search.first_trials import first_trials, warm_start_unused, warm_trials
from tuneplate.engine.search.objective import FoldCache, make_objective
from tuneplate.engine.search.space import Choice, Space
from tuneplate.engine.search.strategies import AUTO, make_sampler
from tuneplate.engine.tasks.binary import evaluation
from tuneplate.engine.vertical import Outcome, Vertical

# Failed trials are counted in the results and summarised by the CLI; Optuna would
# otherwise print a traceback for each one.
optuna.logging.set_verbosity(optuna.logging.ERROR)

LARGE_TABLE = 50_000  # rows from which a fit uses its share of the cores (else one thread)
# Big-table defaults: multi-fidelity pruning over folds (the median pruner) unless a
# pruner was chosen, and fewer folds, since each fold already validates on tens of
# thousands of rows and the fold-to-fold spread of the score is small.
PRUNE_ROWS = 100_000  # rows from which the pruner defaults to "median"
FEWER_FOLDS_ROWS = 200_000  # rows from which cross-validation uses BIG_TABLE_FOLDS folds
BIG_TABLE_FOLDS = 3
LINEAR_FAMILY = "logistic"  # the gradient strategies' model when none is asked for


class ChecksFailed(TuneplateError):
    """The data checks found errors; `findings` holds all of them."""

    def __init__(self, findings: list[Finding]):
        self.findings = findings
        lines = [f.line() for f in errors(findings)]
        super().__init__(
            "the data checks found problems that stop the run:\n  " + "\n  ".join(lines)
        )


@dataclass(frozen=True)
class Config:
    """Everything that defines a run; saved as `config.json`, it replays the run.

    Example:
        >>> Config(strategy="random", n_trials=20, seed=1)
    """

    target: str | None = None
    positive: str | None = None
    time: str | None = None
    group: str | None = None
    protected: tuple[str, ...] | None = None
    exclude: tuple[str, ...] = ()
    subgroups: tuple[str, ...] = ()
    model: str | None = None
    metric: str | None = None
    strategy: str | None = None
    n_trials: int | None = None
    timeout: float | None = None
    seed: int = 0
    pruner: str | None = None  # None: "median" from PRUNE_ROWS rows, else "none"
    storage: str = "memory"
    study: str | None = None  # the study's name in the storage (default VERTICAL-FAMILY)
    purpose: str = ""  # the analyst's words on what the model is for, shown in the report
    assumptions: dict[str, Any] = field(default_factory=dict)
    # ranking verticals: the interaction log's columns, positive rule and split
    user: str | None = None
    item: str | None = None
    value: str | None = None
    min_value: float | None = None
    items: str | None = None  # path of an item attributes table (category, price)
    split: str | None = None  # "time" (default) or "last-n"
    expect_fingerprint: str | None = None  # a replay refuses other data …
    allow_new_data: bool = False  # … unless told to, and then says so in the findings
    warm_start: str | None = None  # an earlier run folder: its best trials are tried first
    # Trials run at once in this process; each fit gets cores // jobs threads on big
    # tables. Above 1, trial order depends on timing, so a replay is no longer exact.
    jobs: int = 1


def _positive_number(value, name: str, flag: str, integer: bool) -> None:
    if value is None:
        return
    ok = isinstance(value, int | float) and not isinstance(value, bool) and value > 0
    if integer:
        ok = ok and float(value).is_integer()
    if not ok:
        kind = "a whole number" if integer else "a number of seconds"
        raise TuneplateError(f"{name} must be {kind} above 0, got {value!r}; fix {flag}")


def prepare(vertical: Vertical, data: pd.DataFrame | None, config: Config):
    """Resolve the table and its roles: the embedded example unless data is given.

    Returns (table, roles, attribution, findings): the findings say how the target was
    read (`data.tidy_target`: case and space variants merged, blanks missing).
    """
    attribution = ""
    if data is None:
        example = vertical.example()
        table, roles, attribution = example.table, example.roles, example.attribution
        if config.target and config.target != roles.target:
            roles = Roles(target=config.target)
    else:
        if config.target is None:
            raise TuneplateError(
                "no target column given; name the outcome column with --target COL"
            )
        table, roles = data, Roles(target=config.target)
    check_columns(table)
    roles = replace(
        roles,
        positive=config.positive if config.positive is not None else roles.positive,
        time=config.time or roles.time,
        group=config.group or roles.group,
        protected=roles.protected if config.protected is None else tuple(config.protected),
        exclude=tuple(dict.fromkeys((*roles.exclude, *config.exclude))),
        subgroups=tuple(config.subgroups) or roles.subgroups,
    )
    table, tidied = tidy_target(table, roles.target)
    roles = resolve_roles(table, roles, vertical.positive_words)
    return drop_unknown_target(table, roles), roles, attribution, tidied


def check(vertical: Vertical, data: pd.DataFrame | None, config: Config) -> list[Finding]:
    """Run only the data checks (generic, then the vertical's)."""
    check_config(config)
    check_task_fields(config, vertical)
    if vertical.task == "ranking":
        from tuneplate.engine.tasks.ranking import task as rank_tune

        return rank_tune.check(vertical, data, config)
    table, roles, _, tidied = prepare(vertical, data, config)
    table, roles, _, read = read_features(table, roles)
    return sorted_findings(tidied + read + run_checks(table, roles, vertical.checks))


def read_features(table: pd.DataFrame, roles: Roles):
    """Learn each feature's kind (`engine.schema`) on the whole table and coerce it.

    Returns (typed table, roles, schema without levels, findings). Columns with no
    value after reading are added to `roles.exclude`, with a finding, so neither the
    checks nor the model see them. The checks then judge the columns the model sees:
    numbers written as text are numbers, "n/a" is missing, text dates are dates.
    """
    rules = table.attrs.get("reading_rules") or {}
    if hasattr(rules, "to_dict"):
        rules = rules.to_dict()
    schema, notes = Schema.learn(table, roles.features(table), rules)
    empty = [c for c in roles.features(table) if c not in schema.names]
    if empty:
        roles = replace(roles, exclude=(*roles.exclude, *empty))
    return schema.typed(table), roles, schema, [_finding(n) for n in notes]


def _finding(note) -> Finding:
    return Finding(**{**asdict(note), "columns": tuple(note.columns)})


def sorted_findings(findings: list[Finding]) -> list[Finding]:
    order = {"error": 0, "warning": 1, "info": 2}
    return sorted(findings, key=lambda f: order[f.severity])


@dataclass(frozen=True)
class Plan:
    """A validated run, ready to search: everything that can be refused has been.

    `plan` raises on bad input before anything is written, so a refused command
    leaves the user's run folder exactly as it was.
    """

    vertical: Vertical
    config: Config
    objective: Objective
    assumptions: dict[str, Any]
    strategy: str
    family: Family  # with strategy "auto": the vertical's default; the best trial's is used
    space: Space | Choice  # a Choice (family first, then its settings) for strategy "auto"
    sampler: optuna.samplers.BaseSampler
    pruner: optuna.pruners.BasePruner
    n_trials: int | None
    timeout: float | None
    table: pd.DataFrame
    roles: Roles
    attribution: str
    findings: list[Finding]
    features: list[str]
    split: Split
    schema: Schema  # each feature's kind and levels; the model keeps it
    y: np.ndarray
    fit: Fit
    fingerprint: str
    hypergradient: bool = False  # the objective stores d(log-loss)/d(param) per trial
    pruner_name: str = "none"  # the pruner in use, after the big-table default
    families: dict[str, Family] = field(default_factory=dict)  # strategy "auto": its choices
    # What the study tries before its sampler proposes anything, in order, with where
    # each came from: "warm-start" (an earlier run), "prior" (the vertical), "start".
    first_trials: tuple[tuple[str, dict[str, Any]], ...] = ()

    def resolve(self, params: dict[str, Any]) -> tuple[Family, dict[str, Any]]:
        """A trial's family and full fit parameters (fixed settings included).

        Example:
            >>> p.resolve({"family": "logistic", "logistic.C": 0.5})
            (Family(name='logistic', ...), {'C': 0.5})
        """
        if isinstance(self.space, Choice):
            name, chosen = self.space.split(params)
            return self.families[name], {**self.space.spaces[name].fixed, **chosen}
        return self.family, {**self.space.fixed, **params}


def default_pruner(config: Config, n_rows: int) -> str:
    """The chosen pruner, else "median" for tables of PRUNE_ROWS rows or more."""
    if config.pruner is not None:
        return config.pruner
    return "median" if n_rows >= PRUNE_ROWS else "none"


def threads_per_fit(n_rows: int, jobs: int = 1) -> int:
    """Threads for each model fit: one on small tables (a fit is too short to share),
    else this machine's cores divided among the `jobs` trials running at once.

    Example:
        >>> threads_per_fit(1_000_000, jobs=2)  # on 8 cores
        4
    """
    if n_rows < LARGE_TABLE:
        return 1
    return max(1, (os.cpu_count() or 1) // jobs)


def n_folds_for(vertical: Vertical, n_rows: int) -> int:
    """The vertical's folds, or BIG_TABLE_FOLDS for tables of FEWER_FOLDS_ROWS rows or more."""
    if n_rows >= FEWER_FOLDS_ROWS:
        return min(vertical.n_folds, BIG_TABLE_FOLDS)
    return vertical.n_folds


def plan(vertical: Vertical, data: pd.DataFrame | None = None, config: Config = Config()) -> Plan:
    """Validate the settings and the data, run the checks and make the split.

    Ranking verticals take their own path (`engine.rank_tune`) from here.

    Example:
        >>> p = plan(VERTICAL, config=Config(strategy="random", n_trials=5))
        >>> p.split.description
        'random stratified 20% hold-out; 5-fold stratified cross-validation on the rest'
    """
    check_config(config)  # types and ranges of every field, before any is used
    check_task_fields(config, vertical)
    check_assumptions(vertical, config.assumptions)
    if vertical.task == "ranking":
        from tuneplate.engine.tasks.ranking import (
            task as rank_tune,  # it builds on this module's helpers
        )

        return rank_tune.plan(vertical, data, config)
    strategy = config.strategy or vertical.default_strategy
    auto = strategy == AUTO
    if auto and config.model:
        raise TuneplateError(
            "strategy auto chooses the model family itself; drop --model, or choose "
            "another --strategy to tune one family"
        )
    # The gradient strategies descend on validation log-loss, whose exact derivative
    # the linear model supplies: both are their defaults unless chosen explicitly.
    gradient = "gradient" in strategy.split("+")
    linear = gradient and LINEAR_FAMILY in vertical.spaces
    family = get_family(
        config.model or (LINEAR_FAMILY if linear else vertical.default_family), vertical.spaces
    )
    n_trials, timeout = config.n_trials, config.timeout
    if n_trials is None and timeout is None:
        n_trials, timeout = vertical.default_trials, vertical.default_timeout
    _positive_number(n_trials, "the number of trials", "--trials", integer=True)
    _positive_number(timeout, "the timeout", "--timeout", integer=False)
    _positive_number(config.jobs, "the number of parallel trials", "--jobs", integer=True)
    if config.pruner is not None:  # unknown names fail here, before the data is read
        studies.make_pruner(config.pruner, vertical.n_folds)
    objective = get_metric(config.metric) if config.metric else vertical.objective
    if gradient and not config.metric:
        objective = METRICS["log_loss"]
    hypergradient = gradient and family.hypergradient is not None and objective.name == "log_loss"
    assumptions = {**vertical.assumptions, **config.assumptions}
    if vertical.validate:
        vertical.validate(assumptions)
    make_sampler(strategy, vertical.spaces[family.name], config.seed)  # unknown names fail here
    previous = Results.load(config.warm_start, model=False) if config.warm_start else None

    # data -> checks
    table, roles, attribution, tidied = prepare(vertical, data, config)
    fingerprint = _fingerprint(table)  # of the table as given, before any reading
    table, roles, schema, read = read_features(table, roles)
    findings = sorted_findings(
        tidied
        + read
        + run_checks(table, roles, vertical.checks)
        + _replay_findings(config, fingerprint)
    )
    if errors(findings):
        raise ChecksFailed(findings)
    features = roles.features(table)
    if not features:
        raise TuneplateError("no feature columns are left after --exclude and --protected")

    # -> split
    y = roles.binary_target(table).to_numpy()
    n_folds = n_folds_for(vertical, len(table))
    split = make_split(table, y, roles, n_folds, config.seed)
    if n_folds != vertical.n_folds:
        split = replace(
            split,
            description=f"{split.description} ({n_folds} folds rather than "
            f"{vertical.n_folds}: the table has {FEWER_FOLDS_ROWS:,} rows or more)",
        )
    pruner_name = default_pruner(config, len(table))
    pruner = studies.make_pruner(pruner_name, n_folds)
    if config.pruner is None and pruner_name == "median":
        # Big tables: trials are expensive, so start judging from the third one.
        pruner = optuna.pruners.MedianPruner(n_startup_trials=2, n_warmup_steps=1)
    schema, pooled = schema.fit_levels(table.iloc[split.development])
    findings = [*findings, *(_finding(n) for n in pooled)]
    fold_rows = len(split.development) * (n_folds - 1) // n_folds

    def space_for(name: str) -> Space:
        space = vertical.spaces[name].for_rows(fold_rows)
        if vertical.adapt_space:
            space = vertical.adapt_space(name, space, table.iloc[split.development], roles)
        return space

    families = {}
    if auto:  # every family the vertical offers, cheapest first
        offered = [n for n in vertical.spaces if n in FAMILIES]
        names = sorted(offered, key=lambda n: FAMILIES[n].cost)
        families = {n: FAMILIES[n] for n in names}
        space = Choice({n: space_for(n) for n in names})
    else:
        space = space_for(family.name)
    if strategy == "grid":  # the grid is the budget: every point once, across all workers
        n_trials = min(n_trials or math.inf, len(space.grid_points()))
    if hypergradient:  # an exact inner solver, or the hypergradient is ~1% off
        space = replace(space, fixed={**space.fixed, **family.exact_fit})
    if gradient:
        valid_rows = min(len(valid) for _, valid in split.folds)
        findings = [*findings, *gradients.overfitting_findings(space, valid_rows)]
    warm = warm_trials(previous, space, family.name) if previous else []
    if previous and not warm:
        findings = [*findings, warm_start_unused(config.warm_start)]
    first = first_trials(vertical, space, family.name, strategy, warm)
    return Plan(
        vertical=vertical,
        config=config,
        objective=objective,
        assumptions=assumptions,
        strategy=strategy,
        family=family,
        space=space,
        sampler=make_sampler(strategy, space, config.seed),
        pruner=pruner,
        n_trials=n_trials,
        timeout=timeout,
        table=table,
        roles=roles,
        attribution=attribution,
        findings=findings,
        features=features,
        split=split,
        schema=schema,
        y=y,
        fit=Fit(seed=config.seed, n_threads=threads_per_fit(len(table), config.jobs)),
        fingerprint=fingerprint,
        hypergradient=hypergradient,
        pruner_name=pruner_name,
        families=families,
        first_trials=tuple(first),
    )


def _replay_findings(config: Config, fingerprint: str) -> list[Finding]:
    expected = config.expect_fingerprint
    if expected is None or expected == fingerprint:
        return []
    if not config.allow_new_data:
        raise TuneplateError(
            f"the data differs from the replayed run's (fingerprint {fingerprint}, "
            f"expected {expected}); give the same data, or pass --allow-new-data to run on it"
        )
    return [
        Finding(
            "replay_data_changed",
            "warning",
            f"this replay ran on different data (fingerprint {fingerprint}, the original run "
            f"had {expected})",
            expected="the replayed run's data",
            fix="compare the two reports knowing the data changed",
        )
    ]


def run_vertical(
    vertical: Vertical,
    data: pd.DataFrame | None = None,
    config: Config = Config(),
    *,
    run_dir: str | Path | None = None,
    progress: bool = False,
) -> Results:
    """Tune `vertical` on `data` (or its embedded example) and return `Results`.

    Example:
        >>> run_vertical(VERTICAL, config=Config(strategy="random", n_trials=5)).holdout
        0.77
    """
    return execute(plan(vertical, data, config), run_dir=run_dir, progress=progress)


def study_name(p: Plan) -> str:
    return p.config.study or f"{p.vertical.name}-{AUTO if p.families else p.family.name}"


def open_study(p: Plan, run_dir: str | Path | None = None, record: dict | None = None):
    """Create the study, or join it when it exists (resume, or another worker's).

    A new study stores `record` (what `tuneplate worker` needs to join it), a
    study-wide deadline on shared storage, and its first trials (`Plan.first_trials`):
    an earlier run's best with --warm-start, the vertical's priors, the cheap start;
    for grid search every grid point (workers then pop distinct points, never one
    twice). Each carries user attribute "source" saying which it was.
    """
    study = optuna.create_study(
        storage=studies.make_storage(p.config.storage, run_dir and Path(run_dir)),
        study_name=study_name(p),
        direction=p.objective.direction,
        sampler=p.sampler,
        pruner=p.pruner,
        load_if_exists=True,
    )
    if studies.RECORD in study.user_attrs or study.trials:
        return study
    study.set_user_attr(studies.RECORD, record or {})
    if p.timeout and studies.is_shared(p.config.storage):
        study.set_user_attr(studies.DEADLINE, time.time() + p.timeout)
    for source, params in p.first_trials:
        study.enqueue_trial(params, user_attrs={"source": source})
    return study


def _search(p: Plan, X_dev: pd.DataFrame, y_dev: np.ndarray, study, progress: bool) -> FoldCache:
    """Run the study's trials until its budget is spent; the fold cache is returned for
    the refits after the search.

    A trial still running when the time budget ends is stopped. On shared storage the
    deadline is the study's wall clock, so every worker stops at the same moment.
    """
    timeout = p.timeout
    deadline = study.user_attrs.get(studies.DEADLINE)  # wall clock, shared by workers
    if deadline is not None:
        timeout = deadline - time.time()
    fit = replace(p.fit, deadline=None if timeout is None else time.monotonic() + timeout)
    cache = FoldCache(X_dev, y_dev, p.split.folds, p.fit)
    objective = make_objective(
        p.families or p.family,
        p.space,
        X_dev,
        y_dev,
        p.split.folds,
        p.objective.score,
        fit,
        p.hypergradient,
        cache,
    )
    studies.run(
        study,
        objective,
        n_trials=p.n_trials,
        timeout=p.timeout,
        progress=progress,
        jobs=p.config.jobs,
    )
    return cache


def work(p: Plan, *, progress: bool = False) -> int:
    """Join a shared study as one more worker and run trials until its budget is spent.

    Returns the number of trials this worker finished.
    """
    if not isinstance(p, Plan):
        raise TuneplateError(
            "workers on a shared study support classification verticals only for now; "
            "run the ranking vertical in one process"
        )
    study = open_study(p)
    X = p.schema.encode(p.table)[0]
    dev = p.split.development
    before = studies.finished(study)
    _search(p, X.iloc[dev], p.y[dev], study, progress)
    return studies.finished(study) - before


def execute(
    p: Plan,
    *,
    run_dir: str | Path | None = None,
    progress: bool = False,
    record: dict | None = None,
) -> Results:
    """Search, refit the best configuration and score it on the hold-out.

    With a time budget, the search stops when it is spent, cutting short any trial
    still running; the best trial so far is refitted. The refit and the report's
    figures come after the budget.
    """
    if not isinstance(p, Plan):  # a ranking plan
        from tuneplate.engine.tasks.ranking import task as rank_tune

        return rank_tune.execute(p, run_dir=run_dir, progress=progress, record=record)
    started = time.perf_counter()
    vertical, split = p.vertical, p.split
    table, roles, y, strategy = p.table, p.roles, p.y, p.strategy
    X = p.schema.encode(table)[0]
    X_dev, y_dev = X.iloc[split.development], y[split.development]

    # -> study
    study = open_study(p, run_dir, record)
    search_started = time.perf_counter()
    cache = _search(p, X_dev, y_dev, study, progress)  # its fold data serves the refits below
    search_s = time.perf_counter() - search_started
    best = studies.best_trial(study)

    # -> refit on all development rows, score the untouched hold-out
    family, params = p.resolve(best.params)
    refit = replace(p.fit, n_rounds=best.user_attrs.get("n_rounds"))
    estimator = family.fit(params, X_dev, y_dev, None, None, refit).estimator
    model = Model(family.name, estimator, p.schema, str(roles.positive), params, refit.saved())
    X_hold, y_hold = X.iloc[split.holdout], y[split.holdout]
    p_hold = estimator.predict_proba(X_hold)[:, 1]
    p_dev = estimator.predict_proba(X_dev)[:, 1]
    score = p.objective.score
    valid_y, valid_score = evaluation.out_of_fold(
        family, params, X_dev, y_dev, split.folds, p.fit, cache
    )
    outcome = Outcome(
        y=y_hold,
        score=p_hold,
        rows=table.iloc[split.holdout],
        roles=roles,
        assumptions=p.assumptions,
        valid_y=valid_y,
        valid_score=valid_score,
    )
    evaluated = vertical.evaluate(outcome)
    baseline = evaluation.baseline(p, X_dev, y_dev, X_hold, y_hold)
    # fANOVA needs settings every trial shares; across families only "family" is.
    importance = {} if p.families else evaluation.importance(study)
    # The same model on both sides: fold models trained on fewer (and, on time splits,
    # older) rows spread their scores differently and would fake a shift.
    stability = evaluation.stability(p_dev, p_hold) if roles.time else {}

    return Results(
        vertical=vertical.name,
        vertical_title=vertical.title,
        strategy=strategy,
        metric=Metric(p.objective.name, p.objective.label, p.objective.direction),
        model_family=family.name,
        best_params=params,
        validation=float(best.value),
        holdout=float(score(y_hold, p_hold)),
        train=float(score(y_dev, p_dev)),
        trials=studies.trials_table(study),
        counts=studies.counts(study),
        findings=p.findings,
        data={
            "rows": len(table),
            "columns": table.shape[1],
            "features": len(p.features),
            "target": roles.target,
            "positive": str(roles.positive),
            "positive_share": float(y.mean()),
            "development_rows": len(split.development),
            "holdout_rows": len(split.holdout),
            "folds": len(split.folds),
            "split": split.description,
            "protected": list(roles.protected),
            "excluded": list(roles.exclude),
            "search_converged": next(
                (r for t in study.get_trials(deepcopy=False) if (r := gradients.stop_reason(t))),
                None,
            ),
            "fingerprint": p.fingerprint,
            **({"families": list(p.families)} if p.families else {}),
        },
        holdout_metrics=evaluated.metrics,
        tables=evaluated.tables,
        assumptions=evaluated.assumptions,
        headline=evaluated.headline,
        baseline=baseline,
        importance=importance,
        stability=stability,
        holdout_interval=evaluation.holdout_interval(y_hold, p_hold, score, p.config.seed),
        purpose=p.config.purpose,
        timings={"total_s": time.perf_counter() - started, "search_s": search_s},
        config={
            **vars(p.config),
            "storage": studies.mask(p.config.storage),  # never a password in a report
            "study": study.study_name,
            "pruner": p.pruner_name,
            "strategy": strategy,
            "model": family.name,
            "n_trials": p.n_trials,
            "timeout": p.timeout,
            "target": roles.target,
            "positive": str(roles.positive),
            "protected": list(roles.protected),
        },
        versions=_versions(),
        attribution=p.attribution,
        model=model,
        split_rows={
            "development": split.development.tolist(),
            "holdout": split.holdout.tolist(),
        },
    )


def _fingerprint(table: pd.DataFrame) -> str:
    """A short hash of the table, so a report names exactly the data it was built on."""
    digest = hashlib.sha256(pd.util.hash_pandas_object(table, index=False).to_numpy().tobytes())
    return digest.hexdigest()[:16]


def _versions() -> dict[str, str]:
    out = {}
    for name in ("tuneplate", "optuna", "lightgbm", "xgboost", "scikit-learn", "pandas", "numpy"):
        try:
            out[name] = version(name)
        except PackageNotFoundError:
            out[name] = "not installed"
    return out


__all__ = [
    "open_study",
    "work",
    "ChecksFailed",
    "Config",
    "Plan",
    "check",
    "execute",
    "plan",
    "prepare",
    "read_features",
    "run_vertical",
]
