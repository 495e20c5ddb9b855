"""The one flow for every task: settings -> data -> checks -> split -> study -> Results.

`tuneplate.tune` resolves a vertical's name and calls `run_vertical` here; the
engine itself only sees the `Vertical` record. What differs between a binary
classification and a ranking run (reading, split, fold data, families, scoring,
refit and evaluation) is the task's (`engine.tasks`); the runner owns the rest
once: validated settings, the study with its pruner, per-fit deadline, parallel
trials, first trials (warm start, priors) and shared-storage workers.
"""

from __future__ import annotations

import importlib
import sys
import time
from dataclasses import replace
from pathlib import Path

import optuna
import pandas as pd

from tuneplate.engine.assumptions import check_assumptions
from tuneplate.engine.config import Config
from tuneplate.engine.config_fields import check_task_fields
from tuneplate.engine.data.checks import ChecksFailed, Finding
from tuneplate.engine.families.registry import FAMILIES
from tuneplate.engine.results import About, Metric, Results
from tuneplate.engine.search import study as studies
from tuneplate.engine.search.objective import make_objective
from tuneplate.engine.search.progress import Progress
from tuneplate.engine.search.strategies import AUTO, get_strategy, sampler_label
from tuneplate.engine.tasks.binary.sizing import (
    BIG_TABLE_FOLDS,
    FEWER_FOLDS_ROWS,
    LARGE_TABLE,
    PRUNE_ROWS,
    default_pruner,
    n_folds_for,
)
from tuneplate.engine.tasks.binary.table import prepare, read_features
from tuneplate.engine.tasks.registry import task_for
from tuneplate.engine.tasks.task import (
    Plan,
    Request,
    sorted_findings,
    threads_per_fit,
    versions,
)
from tuneplate.engine.vertical import Vertical

# Failed trials are counted in the results and summarised by the CLI; Optuna would
# otherwise print a traceback for each one.
optuna.logging.set_verbosity(optuna.logging.ERROR)


def check(vertical: Vertical, data: pd.DataFrame | None, config: Config) -> list[Finding]:
    """Run only the data checks (generic, then the vertical's)."""
    config.check()
    check_task_fields(config, vertical)
    return task_for(vertical).check(vertical, data, config)


def plan(
    vertical: Vertical, data: pd.DataFrame | None = None, config: Config | None = None
) -> Plan:
    """Validate the settings and the data, run the checks and make the split.

    The settings every task shares are validated here; the task reads its data,
    checks it, splits it and builds its space, sampler and pruner (`Task.plan`).

    Example:
        >>> p = plan(VERTICAL, config=Config.flat(strategy="random", n_trials=5))
        >>> p.split.description
        'random stratified 20% hold-out; 5-fold stratified cross-validation on the rest'
    """
    started = time.perf_counter()
    config = config or Config()
    config.check()  # types and ranges of every field, before any is used
    check_task_fields(config, vertical)
    search, budget = config.search, config.budget
    check_assumptions(vertical, config.business.assumptions)
    task = task_for(vertical)
    strategy = search.strategy or vertical.default_strategy
    if not search.strategy and search.model and get_strategy(strategy).chooses_family:
        # A model named without a strategy is tuned alone: the vertical's default chooses
        # the family itself and would refuse the name.
        strategy = "bayes"
    task.refuse(config, strategy)
    n_trials, timeout = budget.n_trials, budget.timeout
    if n_trials is None and timeout is None:
        n_trials, timeout = vertical.default_trials, vertical.default_timeout
    if search.pruner is not None:  # unknown names fail here, before the data is read
        studies.make_pruner(search.pruner, vertical.n_folds)
    assumptions = {**vertical.assumptions, **config.business.assumptions}
    if vertical.validate:
        vertical.validate(assumptions)
    previous = Results.load(search.warm_start, model=False) if search.warm_start else None
    request = Request(vertical, config, strategy, n_trials, timeout, assumptions, previous)
    p = task.plan(request, data)
    return replace(p, prepare_s=time.perf_counter() - started)


def run_vertical(
    vertical: Vertical,
    data: pd.DataFrame | None = None,
    config: Config | None = None,
    *,
    run_dir: str | Path | None = None,
    progress: bool = False,
) -> Results:
    """Tune `vertical` on `data` (or its embedded example) and return `Results`.

    Example:
        >>> run_vertical(VERTICAL, config=Config.flat(strategy="random", n_trials=5)).holdout
        0.77
    """
    return execute(plan(vertical, data, config), run_dir=run_dir, progress=progress)


def study_name(p: Plan) -> str:
    return p.config.storage.study or f"{p.vertical.name}-{AUTO if p.families else p.family.name}"


def open_study(p: Plan, run_dir: str | Path | None = None, record: dict | None = None):
    """Create the study, or join it when it exists (resume, or another worker's).

    A new study stores `record` (what `tuneplate worker` needs to join it), a
    study-wide deadline on shared storage, and its first trials (`Plan.first_trials`):
    an earlier run's best with --warm-start, the vertical's priors, the cheap start;
    for grid search every grid point (workers then pop distinct points, never one
    twice). Each carries user attribute "source" saying which it was.
    """
    study = optuna.create_study(
        storage=studies.make_storage(p.config.storage.storage, run_dir and Path(run_dir)),
        study_name=study_name(p),
        direction=p.objective.direction,
        sampler=p.sampler,
        pruner=p.pruner,
        load_if_exists=True,
    )
    if studies.RECORD in study.user_attrs or study.trials:
        return study
    study.set_user_attr(studies.RECORD, record or {})
    if p.timeout and studies.is_shared(p.config.storage.storage):
        study.set_user_attr(studies.DEADLINE, time.time() + p.timeout)
    for source, params in p.first_trials:
        study.enqueue_trial(params, user_attrs={"source": source})
    return study


def _import_libraries(p: Plan) -> None:
    """Import the libraries the search's families fit with, and scikit-learn's scores,
    before its clock starts: they are imported at first use (the command line need not
    wait for them), and a trial's time budget must not pay seconds of importing."""
    names = {getattr(p.family, "name", None), *p.families, p.vertical.baseline_family}
    wanted = [lib for name in sorted(names & FAMILIES.keys()) for lib in FAMILIES[name].libraries]
    for module in ("sklearn.metrics", *wanted):
        importlib.import_module(module)


def _search(p: Plan, study, progress: bool):
    """Run the study's trials until its budget is spent; the task's scorer (with its
    fold data, built once) is returned for the refit after the search.

    A trial still running when the time budget ends is stopped. On shared storage the
    deadline is the study's wall clock, so every worker stops at the same moment.
    """
    _import_libraries(p)
    timeout = p.timeout
    deadline = study.user_attrs.get(studies.DEADLINE)  # wall clock, shared by workers
    if deadline is not None:
        timeout = deadline - time.time()
    deadline = None if timeout is None else time.monotonic() + timeout
    scorer = p.task.scorer(p, deadline)
    studies.run(
        study,
        make_objective(scorer, deadline),
        n_trials=p.n_trials,
        timeout=p.timeout,
        progress=Progress(sys.stderr, p.objective.label, n_trials=p.n_trials, timeout=timeout)
        if progress
        else None,
        jobs=p.config.search.jobs,
    )
    return scorer


def work(p: Plan, *, progress: bool = False) -> int:
    """Join a shared study as one more worker and run trials until its budget is spent.

    Returns the number of trials this worker finished.
    """
    study = open_study(p)
    before = studies.finished(study)
    _search(p, study, progress)
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
    started = time.perf_counter()
    study = open_study(p, run_dir, record)
    search_started = time.perf_counter()
    scorer = _search(p, study, progress)  # its fold data serves the refit below
    search_s = time.perf_counter() - search_started
    choosing = time.perf_counter()
    best, selection = p.task.choose(p, study, scorer)
    choose_s = time.perf_counter() - choosing  # the fresh-fold refits, when any
    # Chosen once: on shared storage another worker's trial may still complete after this.
    evaluated = p.task.evaluate(p, study, scorer, best, selection)
    return Results(
        vertical=p.vertical.name,
        vertical_title=p.vertical.title,
        strategy=p.strategy,
        metric=Metric(p.objective.name, p.objective.label, p.objective.direction),
        validation=float(selection.validation(best.value)),
        trials=studies.trials_table(study),
        counts=studies.counts(study),
        findings=p.findings,
        purpose=p.config.business.purpose,
        about=About.from_vertical(p.vertical),  # a re-render never needs the vertical
        # total: from the table in memory to the results, the preparation included
        timings={
            "total_s": p.prepare_s + time.perf_counter() - started,
            "prepare_s": p.prepare_s,
            "search_s": search_s,
            "choose_s": choose_s,
        },
        config={
            **p.config.to_dict(),
            "storage": studies.mask(p.config.storage.storage),  # never a password in a report
            "study": study.study_name,
            "pruner": p.pruner_name,
            "strategy": p.strategy,
            # which sampler really ran: `bayes` is GP with torch installed, else TPE
            "sampler": sampler_label(p.sampler),
            "model": evaluated.fields["model_family"],
            "n_trials": p.n_trials,
            "timeout": p.timeout,
            **evaluated.config,
        },
        versions=versions(),
        attribution=p.attribution,
        selection=selection,
        **evaluated.fields,
    )


__all__ = [
    "BIG_TABLE_FOLDS",
    "FEWER_FOLDS_ROWS",
    "LARGE_TABLE",
    "PRUNE_ROWS",
    "ChecksFailed",
    "Config",
    "Plan",
    "check",
    "default_pruner",
    "execute",
    "n_folds_for",
    "open_study",
    "plan",
    "prepare",
    "read_features",
    "run_vertical",
    "sorted_findings",
    "threads_per_fit",
    "work",
]
