"""Running an Optuna study: storage, pruning, budgets, resume."""

from __future__ import annotations

from pathlib import Path

import optuna
from optuna.storages import JournalStorage
from optuna.storages.journal import JournalFileBackend
from optuna.trial import TrialState

from tuneplate.engine.errors import TuneplateError

JOURNAL_FILE = "study.journal"

PRUNERS = {
    "none": lambda n_folds: optuna.pruners.NopPruner(),
    "median": lambda n_folds: optuna.pruners.MedianPruner(n_startup_trials=5, n_warmup_steps=1),
    "halving": lambda n_folds: optuna.pruners.SuccessiveHalvingPruner(min_resource=1),
    "hyperband": lambda n_folds: optuna.pruners.HyperbandPruner(
        min_resource=1, max_resource=n_folds
    ),
}


def make_storage(storage: str, run_dir: Path | None):
    """`journal` (a file in the run folder), `memory`, or any Optuna storage URL.

    Example:
        >>> make_storage("journal", Path("tuneplate-runs/credit-risk"))
        <optuna.storages.journal._storage.JournalStorage object at ...>
    """
    if storage == "memory":
        return optuna.storages.InMemoryStorage()
    if storage == "journal":
        if run_dir is None:
            return optuna.storages.InMemoryStorage()
        return JournalStorage(JournalFileBackend(str(Path(run_dir) / JOURNAL_FILE)))
    if "://" not in storage:
        raise TuneplateError(
            f"unknown storage {storage!r}; use 'journal', 'memory' or a URL such as "
            "postgresql+psycopg://user@host/db"
        )
    return storage


def make_pruner(name: str, n_folds: int) -> optuna.pruners.BasePruner:
    try:
        return PRUNERS[name](n_folds)
    except KeyError:
        raise TuneplateError(
            f"unknown pruner {name!r}; choose one of: {', '.join(PRUNERS)}"
        ) from None


def finished(study: optuna.Study) -> int:
    """Trials that ran to a verdict. A trial cut short by Ctrl-C ends as failed and
    does not count, so `--resume` runs it again."""
    states = (TrialState.COMPLETE, TrialState.PRUNED)
    return len(study.get_trials(deepcopy=False, states=states))


def run(study, objective, *, n_trials: int | None, timeout: float | None, progress: bool) -> None:
    """Run until the study holds `n_trials` completed or pruned trials or `timeout` seconds pass.

    Counting finished trials rather than new ones makes `--resume` complete an
    interrupted run instead of starting its budget again.
    """
    remaining = None if n_trials is None else max(0, n_trials - finished(study))
    if remaining == 0:
        return
    study.optimize(
        objective,
        n_trials=remaining,
        timeout=timeout,
        show_progress_bar=progress,
        catch=(Exception,),  # one bad configuration must not end the search
        gc_after_trial=False,
    )
