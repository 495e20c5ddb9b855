"""Running an Optuna study: storage, pruning, budgets, resume, many workers.

Distribution is Optuna's own: workers on any machine share one relational
database (PostgreSQL) and each runs trials until the study-wide budget is spent.
"""

from __future__ import annotations

import contextlib
import datetime
import re
import sys
import threading
import time
import warnings
from pathlib import Path

import optuna
import pandas as pd
from optuna.storages import JournalStorage, RDBStorage, RetryHeartbeatStaleTrialCallback
from optuna.storages.journal import JournalFileBackend
from optuna.trial import TrialState

from tuneplate.engine.contract.errors import TuneplateError
from tuneplate.engine.runs import run_folder
from tuneplate.engine.search import gradient as gradients
from tuneplate.engine.search import interrupt
from tuneplate.engine.search.auto import family_of
from tuneplate.engine.search.objective import STOPPED
from tuneplate.engine.search.progress import Progress
from tuneplate.engine.search.selection import Selection, select

JOURNAL_FILE = "study.journal"
RECORD = "tuneplate"  # study user attribute: what a worker needs to join the study
DEADLINE = "tuneplate_deadline"  # study user attribute: the study-wide wall-clock budget
HEARTBEAT_S = 10  # a worker that misses heartbeats for GRACE_S is presumed dead …
GRACE_S = 30  # … and its running trial is failed and retried by another worker
CONNECT_TRIES = 4  # database connection attempts, with doubling waits from 1 s
RECONNECT_TRIES = 6  # a connection lost mid-search: attempts, waiting 1, 2, 4, 8, 16 s

PRUNERS = {
    "none": lambda n_folds: optuna.pruners.NopPruner(),
    "median": lambda n_folds: optuna.pruners.MedianPruner(n_startup_trials=5, n_warmup_steps=1),
    "halving": lambda n_folds: optuna.pruners.SuccessiveHalvingPruner(min_resource=1),
    "hyperband": lambda n_folds: optuna.pruners.HyperbandPruner(
        min_resource=1, max_resource=n_folds
    ),
}


def is_shared(storage: str) -> bool:
    """A database URL: several workers may share the study."""
    return "://" in storage


# Query parameters that carry a secret in database URLs (libpq's `password`, ODBC's `pwd`, …).
SECRET_KEYS = ("password", "passwd", "pass", "pwd", "secret", "token", "api_key", "apikey")
_USERINFO = re.compile(r"(?P<head>[A-Za-z][A-Za-z0-9+.\-]*://[^/?#@:]*):(?P<secret>[^/?#]*)@")
_QUERY_SECRET = re.compile(
    r"(?P<head>[?&;](?:" + "|".join(SECRET_KEYS) + r")=)(?P<secret>[^&;#]*)", re.IGNORECASE
)


def mask(storage: str) -> str:
    """The storage with every password hidden, safe to print and to put in a report.

    Hides `user:password@` in any scheme and secret query parameters (`?password=`,
    `pass=`, `pwd=`, `passwd=`, `token=`, …; RFC 3986 userinfo and query components).

    Example:
        >>> mask("postgresql+psycopg://tune:secret@db:5432/studies")
        'postgresql+psycopg://tune:***@db:5432/studies'
        >>> mask("postgresql://db/studies?user=tune&password=secret")
        'postgresql://db/studies?user=tune&password=***'
    """
    if not is_shared(storage):
        return storage
    hidden = _USERINFO.sub(lambda m: m["head"] + ":***@", storage)
    return _QUERY_SECRET.sub(lambda m: m["head"] + "***", hidden)


def secrets_of(storage: str) -> list[str]:
    """The secret values in a storage URL (to scrub them from error messages)."""
    found = [m["secret"] for m in _USERINFO.finditer(storage)]
    found += [m["secret"] for m in _QUERY_SECRET.finditer(storage)]
    return [s for s in found if s and s != "***"]


def _scrub(text: str, url: str) -> str:
    for secret in secrets_of(url):
        text = text.replace(secret, "***")
    return text


# Database drivers SQLAlchemy imports for a URL's dialect, and the package that provides each.
DRIVER_PACKAGES = {
    "psycopg2": "psycopg2-binary",
    "psycopg": "psycopg[binary]",
    "MySQLdb": "mysqlclient",
    "pymysql": "PyMySQL",
    "mysql": "mysql-connector-python",
    "asyncpg": "asyncpg",
    "pg8000": "pg8000",
    "cx_Oracle": "cx_Oracle",
    "oracledb": "oracledb",
    "pyodbc": "pyodbc",
    "pymssql": "pymssql",
    "mariadb": "mariadb",
}


class StorageUnavailable(TuneplateError):
    """The study storage could not be opened (no driver, no connection): no trial ran."""


def _missing_driver(exc: BaseException, url: str) -> TuneplateError | None:
    """A one-line error when `exc` is a database driver that is not installed, else None."""
    scheme = url.split("://", 1)[0]
    while exc is not None:
        if isinstance(exc, ModuleNotFoundError) and exc.name:
            module = exc.name.split(".")[0]
            package = DRIVER_PACKAGES.get(module, module)
            return StorageUnavailable(
                f"the database driver for {scheme}:// is not installed (no module {module!r}); "
                f"install it with: pip install '{package}'"
            )
        if isinstance(exc, _sqlalchemy_errors().NoSuchModuleError):
            return StorageUnavailable(
                f"SQLAlchemy has no database dialect or driver {scheme!r}; check the URL's "
                "scheme, e.g. postgresql+psycopg:// or mysql+pymysql://"
            )
        exc = exc.__cause__ or exc.__context__
    return None


def _sqlalchemy_errors():
    """`sqlalchemy.exc`, imported when a database is used: Optuna imports SQLAlchemy
    lazily too, and a run on a file need not wait for it."""
    import sqlalchemy.exc

    return sqlalchemy.exc


def _connect(url: str) -> RDBStorage:
    wait = 1.0
    for attempt in range(CONNECT_TRIES):
        try:
            with warnings.catch_warnings():
                # Heartbeats are marked experimental in Optuna 5; they are what makes a
                # killed worker's trial fail and be retried instead of hanging forever.
                warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
                return RDBStorage(
                    url,
                    engine_kwargs={"pool_pre_ping": True},
                    heartbeat_interval=HEARTBEAT_S,
                    grace_period=GRACE_S,
                    heartbeat_stale_trial_callback=RetryHeartbeatStaleTrialCallback(max_retry=2),
                )
        except Exception as exc:  # sqlalchemy raises many kinds for a missing database
            missing = _missing_driver(exc, url)
            if missing is not None:  # no retry will install it
                raise missing from None
            if attempt == CONNECT_TRIES - 1:
                reason = str(exc).strip().splitlines()[0][:200] if str(exc) else type(exc).__name__
                reason = _scrub(reason, url)
                raise StorageUnavailable(
                    f"cannot reach the study database {mask(url)} after {CONNECT_TRIES} tries "
                    f"({reason}); check the URL, the server and the network"
                ) from None
            time.sleep(wait)
            wait *= 2
    raise AssertionError("unreachable")


def make_storage(storage: str, run_dir: Path | None):
    """`journal` (a file in the run folder), `memory`, or a database URL.

    Example:
        >>> make_storage("journal", Path("tuneplate-runs/credit-risk"))
        <optuna.storages.journal._storage.JournalStorage object at ...>
    """
    if storage == "memory" or (storage == "journal" and run_dir is None):
        return optuna.storages.InMemoryStorage()
    if storage == "journal":
        return _journal(Path(run_dir))
    if not is_shared(storage):
        raise TuneplateError(
            f"unknown storage {storage!r}; use 'journal', 'memory' or a URL such as "
            "postgresql+psycopg://user@host/db"
        )
    return _connect(storage)


def _journal(run_dir: Path) -> JournalStorage:
    """The run folder's journal. While this process holds the folder's lock it alone
    writes there, so a torn last record is repaired, a journal lock left by a killed
    process is removed, and trials left RUNNING by a dead process are failed (and, when
    taken from the queue, queued again). See `run_folder`."""
    path = run_dir / JOURNAL_FILE
    owned = run_folder.held(run_dir)
    run_folder.check_journal(path, repair=owned)
    if owned:  # Optuna's own lock for one append; a killed writer leaves it behind
        Path(str(path) + ".lock").unlink(missing_ok=True)
    storage = JournalStorage(JournalFileBackend(str(path)))
    if owned:
        failed = run_folder.fail_orphaned_trials(storage)
        if failed:
            numbers = ", ".join(str(n) for _, n in failed)
            print(
                f"tuneplate: failed {len(failed)} trial(s) left running by a process that "
                f"stopped (trial {numbers}); the budget runs them again",
                file=sys.stderr,
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
    """Trials that ran to a verdict. A trial cut short (Ctrl-C, a killed worker) ends
    as failed and does not count, so the budget still buys that many results."""
    states = (TrialState.COMPLETE, TrialState.PRUNED)
    return len(study.get_trials(deepcopy=False, states=states))


FAIL_REASON = "fail_reason"  # user attribute: why a trial failed, "ErrorType: message"
SKIPPED = "tuneplate_skipped"  # user attribute of a trial refused because the budget was spent
POLL_S = 0.5  # how often a worker held at the budget's edge looks again


class NoTrialCompleted(TuneplateError):
    """The search ended without one completed trial: nothing to refit."""


class BudgetSpent(Exception):
    """Raised at a trial's start when other workers have already spent the budget."""


def _admit(trial: optuna.Trial, n_trials: int) -> bool:
    """Admit a trial only while finished trials plus earlier running ones are under budget.

    Trial numbers are handed out atomically by the storage, so ranking running
    trials by number makes N workers complete exactly `n_trials` between them.
    A worker waits while earlier trials are still running, failing those whose
    worker stopped sending heartbeats, so a killed worker cannot stall the study.
    """
    study = trial.study
    nudged: set[int] = set()
    while True:
        trials = study.get_trials(deepcopy=False)
        done = sum(t.state in (TrialState.COMPLETE, TrialState.PRUNED) for t in trials)
        ahead = [t for t in trials if t.state == TrialState.RUNNING and t.number < trial.number]
        if done >= n_trials:
            return False
        if done + len(ahead) < n_trials:
            return True
        _nudge_silent(study, ahead, nudged)
        with warnings.catch_warnings():  # experimental in Optuna, and we rely on it on purpose
            warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
            optuna.storages.fail_stale_trials(study)
        time.sleep(POLL_S)


def _nudge_silent(study: optuna.Study, running: list, nudged: set[int]) -> None:
    """Record one heartbeat for running trials older than GRACE_S, once each.

    Optuna fails a running trial only when its last heartbeat is stale, and never one
    with no heartbeat at all: a worker killed between marking a trial RUNNING and its
    first heartbeat left that trial RUNNING for good, and a resumed run waited on it
    forever. One heartbeat on its behalf starts the grace clock, so it is failed and
    retried GRACE_S later; a live trial's own heartbeats simply continue.
    """
    storage = study._storage  # Optuna keeps heartbeats on the storage; no public handle
    record = getattr(storage, "record_heartbeat", None)
    if record is None or not storage.get_heartbeat_interval():
        return
    now = datetime.datetime.now()
    for t in running:
        started = t.datetime_start
        if t._trial_id in nudged or started is None:
            continue
        if (now - started).total_seconds() > GRACE_S:
            record(t._trial_id)
            nudged.add(t._trial_id)


def _within_budget(objective, n_trials: int | None):
    """The objective, refused once the study-wide budget is spent, and recording why a
    trial failed (Optuna logs the reason but does not store it)."""

    def guarded(trial: optuna.Trial) -> float:
        interrupt.check()  # a Ctrl-C the last trial's clean-up swallowed stops the search
        if n_trials is not None and not _admit(trial, n_trials):
            trial.set_user_attr(SKIPPED, True)
            trial.study.stop()
            raise BudgetSpent("the study's trial budget was spent by other workers")
        try:
            return objective(trial)
        except optuna.TrialPruned:
            raise
        except Exception as exc:  # the trial fails, the search goes on (catch= in run)
            lines = str(exc).strip().splitlines()
            reason = f"{type(exc).__name__}: {lines[0]}" if lines else type(exc).__name__
            trial.set_user_attr(FAIL_REASON, reason[:300])
            raise

    return guarded


def run(
    study,
    objective,
    *,
    n_trials: int | None,
    timeout: float | None,
    progress: Progress | None = None,
    jobs: int = 1,
) -> None:
    """Run until the study holds `n_trials` completed or pruned trials or time runs out.

    The trial budget is the study's, not this process's: other workers' trials
    count too, so a resumed run completes an interrupted one and N workers share
    one budget. On shared storage the time budget is a study-wide deadline.
    `jobs` trials run at once in threads (the models release the GIL while fitting).
    `progress` prints trials done, best score and time left as the search goes.

    A lost database connection is retried with doubling waits (RECONNECT_TRIES
    times); the trial it interrupted is failed by the heartbeat and retried. After
    that the run stops with a one-line error; completed trials stay in the database.
    """
    with _quiet_database_losses_in_threads(), interrupt.noticed():
        _run(study, objective, n_trials, timeout, progress, jobs)


@contextlib.contextmanager
def _quiet_database_losses_in_threads():
    """While running, a thread that dies of a lost database prints nothing.

    Optuna's heartbeat thread dies with the database's error when the connection drops
    in the middle of a heartbeat write, and Python's default `threading.excepthook`
    prints its traceback; the search loop (`run`) retries and reports the loss in one
    line. Any other error in a thread is printed as before.
    """
    previous = threading.excepthook

    def hook(args) -> None:
        if _lost_database(args.exc_value) is None:
            previous(args)

    threading.excepthook = hook
    try:
        yield
    finally:
        threading.excepthook = previous


def _run(study, objective, n_trials, timeout, progress, jobs) -> None:
    started, wait = time.monotonic(), 1.0
    for attempt in range(RECONNECT_TRIES):
        left = None if timeout is None else max(0.0, timeout - (time.monotonic() - started))
        try:
            _optimize(study, objective, n_trials, left, progress, jobs)
            if progress is not None:
                progress.close(study)
            return
        except Exception as exc:
            cause = _lost_database(exc)
            if cause is None:
                raise
            if attempt == RECONNECT_TRIES - 1:
                reason = str(cause).strip().splitlines()[0][:200] or type(cause).__name__
                raise TuneplateError(
                    f"lost the connection to the study database and could not reconnect after "
                    f"{RECONNECT_TRIES} tries ({reason}); completed trials are kept there: "
                    "when it is back, rerun with --resume or start 'tuneplate worker'"
                ) from None
            time.sleep(wait)
            wait *= 2


def _lost_database(exc: BaseException | None) -> BaseException | None:
    """The database error behind `exc`, or None. Optuna may re-raise one as another
    error (an UnboundLocalError in its own clean-up), so the whole chain is searched;
    the innermost SQLAlchemy error says what happened (Optuna's wrapper guesses)."""
    # What a lost database connection raises: Optuna wraps most SQLAlchemy errors.
    database_errors = (optuna.exceptions.StorageInternalError, _sqlalchemy_errors().SQLAlchemyError)
    found = None
    while exc is not None:
        if isinstance(exc, database_errors):
            found = exc
        exc = exc.__cause__ or exc.__context__
    return found


def _optimize(study, objective, n_trials, timeout, progress, jobs) -> None:
    deadline = study.user_attrs.get(DEADLINE)
    if deadline is not None:
        timeout = max(0.0, deadline - time.time())
        if timeout == 0:
            return
    remaining = None
    if n_trials is not None:
        # This process's share at most; `_admit` keeps the study-wide count exact, so no
        # MaxTrialsCallback (it would re-read every trial after each one).
        remaining = n_trials - finished(study)
        if remaining <= 0:
            return
    study.optimize(
        _within_budget(objective, n_trials),
        n_trials=remaining,
        timeout=timeout,
        n_jobs=jobs,
        callbacks=None if progress is None else [progress],
        catch=(Exception,),  # one bad configuration must not end the search
        gc_after_trial=False,
    )


def chosen(study: optuna.Study) -> tuple[optuna.trial.FrozenTrial, Selection]:
    """The trial to refit and how it was chosen: the best completed one, or the baseline's
    when the best does not beat it by more than one standard error (`selection.select`).

    Raises:
        NoTrialCompleted: no trial completed (the reason of the last failure is named).
    """
    complete = study.get_trials(deepcopy=False, states=(optuna.trial.TrialState.COMPLETE,))
    if not complete:
        failed = study.get_trials(deepcopy=False, states=(optuna.trial.TrialState.FAIL,))
        reason = failed[-1].user_attrs.get(FAIL_REASON, "") if failed else ""
        stopped = sum(t.user_attrs.get(STOPPED, False) for t in study.get_trials(deepcopy=False))
        raise NoTrialCompleted(
            f"no trial completed ({len(failed)} failed"
            + (f", {stopped} stopped when the time budget ended" if stopped else "")
            + (f"; last failure: {reason.splitlines()[0]}" if reason else "")
            + "); raise --trials or --timeout, or check the data"
        )
    return select(study, complete)


def trials_table(study: optuna.Study) -> pd.DataFrame:
    """One row per trial: state, score, train score, timing, where it came from, settings.

    `finished_s` is the seconds from the first trial's start to this trial's end: the
    x axis of a best-so-far-over-time (anytime) curve.
    """
    trials = used_trials(study)
    starts = [t.datetime_start for t in trials if t.datetime_start]
    origin = min(starts) if starts else None
    rows = []
    for t in trials:
        done = t.datetime_complete
        rows.append(
            {
                "number": t.number,
                "state": t.state.name,
                "value": t.value,
                "train": t.user_attrs.get("train"),
                "duration_s": (done - t.datetime_start).total_seconds() if done else None,
                **({"fail_reason": why} if (why := t.user_attrs.get(FAIL_REASON)) else {}),
                "finished_s": (done - origin).total_seconds() if done and origin else None,
                **({"source": source} if (source := t.user_attrs.get("source")) else {}),
                **({"family": family} if (family := family_of(t)) else {}),
                **({"gradient": mode} if (mode := gradients.mode(t)) else {}),
                **{f"params_{k}": v for k, v in t.params.items()},
            }
        )
    return pd.DataFrame(rows)


def used_trials(study: optuna.Study) -> list[optuna.trial.FrozenTrial]:
    """Every trial that ran, except those refused because other workers had spent the budget.

    Enqueued trials the budget did not reach (priors, grid points) stay WAITING and
    are left out too.
    """
    return [
        t
        for t in study.get_trials(deepcopy=False)
        if not t.user_attrs.get(SKIPPED) and t.state != TrialState.WAITING
    ]


def counts(study: optuna.Study) -> dict[str, int]:
    states = [t.state for t in used_trials(study)]
    S = optuna.trial.TrialState
    return {
        "completed": states.count(S.COMPLETE),
        "pruned": states.count(S.PRUNED),
        "failed": states.count(S.FAIL),
    }
