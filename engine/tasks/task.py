"""The `Task` protocol: what differs between a binary-classification run and a ranking run.

The runner (`engine.tune`) owns the flow: validate the settings -> `Task.plan`
(read, check, split, fold data) -> the study's search with pruner, deadline,
`--jobs`, first trials -> `Task.evaluate` (refit the best, hold-out, baselines)
-> `Results`. A task supplies the steps in between; `engine.tasks.registry`
picks the task of a vertical in one place.

Example:
    >>> task = task_for(load_vertical("recommendation"))  # engine.tasks.registry
    >>> task.name
    'ranking'
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, version
from typing import Any, Protocol

import numpy as np
import optuna
import pandas as pd
from optuna.trial import FrozenTrial

from tuneplate.engine.contract.errors import TuneplateError
from tuneplate.engine.data.checks import Finding
from tuneplate.engine.metrics import Objective
from tuneplate.engine.records import Selection
from tuneplate.engine.search.objective import Scorer
from tuneplate.engine.vertical import Vertical


@dataclass(frozen=True)
class Request:
    """The settings the runner has validated for every task, handed to `Task.plan`."""

    vertical: Vertical
    config: Any  # tune.Config
    strategy: str
    n_trials: int | None
    timeout: float | None
    assumptions: dict[str, Any]
    previous: Any = None  # the --warm-start run's Results, when given


@dataclass(frozen=True)
class Plan:
    """A validated run, ready to search: everything that can be refused has been.

    `plan` raises on bad input before anything is written, so a refused command
    leaves the user's run folder exactly as it was. `data` is the task's own part
    (a table, roles, split and schema for binary runs; a log, its periods and
    candidates for ranking); its attributes read through, so `p.split` or
    `p.windows` work as on the task's record.

    Example:
        >>> p = plan(VERTICAL, config=Config.flat(strategy="random", n_trials=5))
        >>> p.task.name, p.split.description
        ('binary', 'random stratified 20% hold-out; 5-fold stratified cross-validation …')
    """

    vertical: Vertical
    config: Any  # tune.Config
    task: Task
    objective: Objective
    assumptions: dict[str, Any]
    strategy: str
    family: Any  # a Family (binary) or a Ranker; with "auto", the vertical's default
    space: Any  # a Space, or a Choice (family first, then its settings) for "auto"
    sampler: optuna.samplers.BaseSampler
    pruner: optuna.pruners.BasePruner
    n_trials: int | None
    timeout: float | None
    attribution: str
    findings: list[Finding]
    fit: Any  # the task's fit settings (models.Fit, rankers.RankFit)
    fingerprint: str
    data: Any  # the task's own part of the plan
    pruner_name: str = "none"  # the pruner in use, after the task's default
    hypergradient: bool = False  # the objective stores d(log-loss)/d(param) per trial
    families: dict[str, Any] = field(default_factory=dict)  # strategy "auto": its choices
    # What the study tries before its sampler proposes anything, in order, with where
    # each came from: "warm-start" (an earlier run), "prior" (the vertical), "start".
    first_trials: tuple[tuple[str, dict[str, Any]], ...] = ()
    # Seconds from the table in memory to a plan: checks, reading its columns, the split
    # and the task's data (a recommender's candidates and baselines); part of the run's
    # total time. Reading the file itself (`read_table`) comes before and is not counted.
    prepare_s: float = 0.0

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__") or name == "data":  # copy/pickle probes; no recursion
            raise AttributeError(name)
        return getattr(self.data, name)

    def resolve(self, params: dict[str, Any]) -> tuple[Any, dict[str, Any]]:
        """A trial's family and full fit parameters (fixed settings included)."""
        return self.task.resolve(self, params)


class Task(Protocol):
    """What a kind of run supplies to the runner (binary classification, ranking)."""

    name: str
    reads_log: bool  # an interaction log (--user, --item, --split apply), not a table

    def refuse(self, config: Any, strategy: str) -> None:
        """Raise, in one line, on a setting that cannot apply to this task."""

    def check(self, vertical: Vertical, data: pd.DataFrame | None, config: Any) -> list:
        """Only the data checks (`tuneplate check`)."""

    def plan(self, request: Request, data: pd.DataFrame | None) -> Plan:
        """Read and check the data, split it, build the space, sampler and pruner."""

    def resolve(self, p: Plan, params: dict[str, Any]) -> tuple[Any, dict[str, Any]]:
        """A trial's family and full parameters."""

    def scorer(self, p: Plan, deadline: float | None) -> Scorer:
        """Scores a configuration fold by fold; its fold data is built once. `deadline`
        (a `time.monotonic()` instant) is for fits that stop between boosting rounds."""

    def choose(self, p: Plan, study: optuna.Study, scorer: Scorer) -> tuple[FrozenTrial, Selection]:
        """The trial to refit and how it was chosen, once, after the search (at least
        `search.study.chosen`'s one-SE rule; the binary task may blend, `blending`)."""

    def evaluate(
        self, p: Plan, study: optuna.Study, scorer: Scorer, best: FrozenTrial, selection: Selection
    ) -> Evaluated:
        """Refit `best` (the trial `choose` picked once, `selection` saying how), score
        the hold-out and the baselines."""

    def holdout_scores(self, p: Plan, results: Any) -> Paired:
        """Per-unit hold-out figures `compare` resamples (rows, or users)."""

    def describe(self, p: Plan) -> dict[str, Any]:
        """The data as `compare` shows it: rows, split, hold-out size, fingerprint."""


@dataclass(frozen=True)
class Evaluated:
    """A task's part of `Results`: its fields by name, and config keys it adds."""

    fields: dict[str, Any]
    config: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Paired:
    """Hold-out units scored the same way for every strategy: `score(y[rows], s[rows])`."""

    y: np.ndarray
    score: np.ndarray
    objective: Objective


CORES_VARIABLE = "TUNEPLATE_CORES"  # the cores a run may use, when set (a whole number)


def cores() -> int:
    """The cores this process may use: `TUNEPLATE_CORES` when set (anything but a whole
    number above 0 raises `TuneplateError`), else its CPU affinity
    (`taskset`, or a container's `--cpuset-cpus`, narrows it; a CPU quota such as
    `docker --cpus` does not, so set the variable there), else `os.cpu_count()`.

    Example:
        >>> os.environ["TUNEPLATE_CORES"] = "1"; cores()
        1
    """
    given = os.environ.get(CORES_VARIABLE, "").strip()
    if given:
        if not (given.isdigit() and int(given) > 0):
            raise TuneplateError(
                f"{CORES_VARIABLE} is {given!r}; expected a whole number above 0 (the cores "
                f"a run may use), e.g. {CORES_VARIABLE}=2, or unset it to use them all"
            )
        return int(given)
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return os.cpu_count() or 1


def threads_per_fit(n_rows: int, jobs: int = 1, large: int = 50_000) -> int:
    """Threads for each model fit: one under `large` rows (a fit is too short to share),
    else this machine's cores divided among the `jobs` trials running at once.

    Example:
        >>> threads_per_fit(1_000_000, jobs=2)  # on 8 cores
        4
    """
    if n_rows < large:
        return 1
    return max(1, cores() // jobs)


def fold_workers(n_rows: int, n_folds: int, jobs: int = 1, large: int = 50_000) -> int:
    """Folds of one trial scored at once, in threads: this machine's cores divided among
    the `jobs` trials running at once, at most `n_folds`; one from `large` rows, where
    each fit already uses the cores (`threads_per_fit`).

    Example:
        >>> fold_workers(12_000, n_folds=3)  # on 2 cores; 3 on 8 cores
        2
    """
    if n_rows >= large:
        return 1
    return max(1, min(n_folds, cores() // jobs))


def fingerprint(table: pd.DataFrame) -> str:
    """A short hash of the table, so a report names exactly the data it was built on."""
    digest = hashlib.sha256(pd.util.hash_pandas_object(table, index=False).to_numpy().tobytes())
    return digest.hexdigest()[:16]


def replay_findings(config: Any, fingerprint: str) -> list[Finding]:
    """A replay on other data: refused, or (with --allow-new-data) a warning."""
    expected = config.replay.expect_fingerprint
    if expected is None or expected == fingerprint:
        return []
    if not config.replay.allow_new_data:
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


def sorted_findings(findings: list[Finding]) -> list[Finding]:
    order = {"error": 0, "warning": 1, "info": 2}
    return sorted(findings, key=lambda f: order[f.severity])


# XGBoost ships as `xgboost` or as the CPU-only wheel `xgboost-cpu`; both install the
# module `xgboost`, so either distribution is that library at its version.
DISTRIBUTIONS = {"xgboost": ("xgboost", "xgboost-cpu")}


def installed_version(name: str) -> str | None:
    """The installed version of library `name` (a distribution name), or None.

    Example:
        >>> installed_version("xgboost")  # with xgboost-cpu 3.2.0 installed
        '3.2.0'
    """
    for distribution in DISTRIBUTIONS.get(name, (name,)):
        try:
            return version(distribution)
        except PackageNotFoundError:
            continue
    return None


def versions() -> dict[str, str]:
    names = ("tuneplate", "optuna", "lightgbm", "xgboost", "scikit-learn", "pandas", "numpy")
    return {name: installed_version(name) or "not installed" for name in names}
