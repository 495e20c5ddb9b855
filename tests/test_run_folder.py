"""The run folder keeps its promises (default journal storage).

* a run killed with SIGKILL is finished by `--resume`, no completed trial lost;
* a torn last journal record is repaired (original kept), a garbage journal refused;
* one live process per run folder (an flock, released when its process dies);
* `--force` replaces a run only once the new one has finished;
* `--resume` refuses changed settings before the search;
* a password never reaches the screen, config.json or the report;
* a read-only run folder and a missing database driver are one-line errors.

Inputs are built here: a 300-row loan table, journals written by a throwaway Optuna study.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import optuna
import pandas as pd
import pytest
from optuna.storages import JournalStorage
from optuna.storages.journal import JournalFileBackend
from optuna.trial import TrialState
from test_cli_errors import assert_one_line_error, cli  # shared one-line-error helpers

from tuneplate.cli import main
from tuneplate.engine.contract.errors import TuneplateError
from tuneplate.engine.runs import run_folder
from tuneplate.engine.runs.run_folder import LOCK_FILE
from tuneplate.engine.search import study
from tuneplate.engine.search.study import FAIL_REASON, JOURNAL_FILE, make_storage, mask

optuna.logging.set_verbosity(optuna.logging.WARNING)

CLI = (sys.executable, "-m", "tuneplate.cli")
FAST = ("--model", "logistic", "--strategy", "random")
DONE = (TrialState.COMPLETE, TrialState.PRUNED)


# --- helpers ---------------------------------------------------------------------------


def make_table(n: int = 300, seed: int = 0) -> pd.DataFrame:
    """Loans with some signal, ~30% bad; `flag` is a second, unrelated yes/no column."""
    rng = np.random.default_rng(seed)
    income = rng.normal(50, 10, n).round(1)
    debt_ratio = rng.uniform(0, 1, n).round(3)
    purpose = rng.choice(["car", "home", "education", "other"], n)
    logit = -2 + 2 * debt_ratio - 0.03 * (income - 50) + (purpose == "education") * 0.5
    bad = rng.random(n) < 1 / (1 + np.exp(-logit))
    return pd.DataFrame(
        {
            "income": income,
            "debt_ratio": debt_ratio,
            "purpose": purpose,
            "flag": rng.choice(["yes", "no"], n),
            "status": np.where(bad, "bad", "good"),
        }
    )


@pytest.fixture
def loans_csv(tmp_path) -> Path:
    path = tmp_path / "loans.csv"
    make_table().to_csv(path, index=False)
    return path


def snapshot(folder: Path) -> dict[str, bytes | None]:
    """Every entry under `folder` but the (free) lock file, by relative path."""
    return {
        str(p.relative_to(folder)): (p.read_bytes() if p.is_file() else None)
        for p in sorted(folder.rglob("*"))
        if p.name != LOCK_FILE
    }


def journal_trials(folder: Path) -> list[optuna.trial.FrozenTrial]:
    """The trials in `folder`'s journal, read without writing to it."""
    path = folder / JOURNAL_FILE
    if not path.is_file():
        return []
    storage = JournalStorage(JournalFileBackend(str(path)))
    studies = storage.get_all_studies()
    return storage.get_all_trials(studies[0]._study_id) if studies else []


def completed(folder: Path) -> list[optuna.trial.FrozenTrial]:
    try:
        return [t for t in journal_trials(folder) if t.state in DONE]
    except ValueError:  # read while a line is half written
        return []


def wait_for(condition, process: subprocess.Popen, what: str, timeout: float = 90) -> None:
    end = time.monotonic() + timeout
    while not condition():
        if process.poll() is not None:
            pytest.fail(f"the run ended (exit {process.returncode}) before {what}")
        if time.monotonic() > end:
            process.kill()
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.05)


def _ctrl_c_interrupts() -> None:
    # As a terminal starts a command. A suite started in the background of a script
    # inherits SIGINT ignored, and tuneplate keeps an ignored SIGINT as it finds it, so a
    # test's Ctrl-C would then interrupt nothing.
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def start(*argv) -> subprocess.Popen:
    return subprocess.Popen(
        [*CLI, *map(str, argv)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=_ctrl_c_interrupts,
    )


def small_journal(folder: Path, n_complete: int = 3) -> optuna.Study:
    """A journal in `folder` holding `n_complete` finished trials of one study."""
    folder.mkdir(parents=True, exist_ok=True)
    storage = JournalStorage(JournalFileBackend(str(folder / JOURNAL_FILE)))
    s = optuna.create_study(study_name="s", storage=storage)
    s.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=n_complete)
    return s


# --- 1. SIGKILL, then --resume finishes the budget ---------------------------------------


@pytest.mark.slow
def test_sigkill_then_resume_finishes_the_budget(tmp_path):
    out, n = tmp_path / "run", 10
    run = start("run", "credit-risk", *FAST, "--trials", n, "--out", out)
    wait_for(lambda: len(completed(out)) >= 2, run, "two trials completed")
    os.kill(run.pid, signal.SIGKILL)
    run.communicate()
    before = {t.number: t.params for t in completed(out)}
    assert len(before) < n, "the run finished before it was killed; the test proved nothing"

    resumed = subprocess.run(
        [*CLI, "run", "credit-risk", "--out", str(out), "--resume"],
        capture_output=True,
        text=True,
        timeout=180,  # before the fix: waits forever on the dead process's RUNNING trial
    )
    assert resumed.returncode == 0, resumed.stderr
    assert "Traceback" not in resumed.stderr
    trials = journal_trials(out)
    assert sum(t.state in DONE for t in trials) == n
    assert not [t for t in trials if t.state == TrialState.RUNNING]
    after = {t.number: t.params for t in trials if t.state in DONE}
    assert {k: after.get(k) for k in before} == before  # no completed trial lost
    for t in trials:
        if t.state == TrialState.FAIL:
            assert t.user_attrs[FAIL_REASON].startswith("Interrupted")
    results = json.loads((out / "results.json").read_text())
    assert results["trials"]["completed"] + results["trials"]["pruned"] == n


def test_running_trials_of_a_dead_process_are_failed_and_queued_ones_retried(tmp_path, capsys):
    """Two trials left RUNNING (one taken from the queue): both failed with the reason, the
    queued one queued again so the search still tries it."""
    folder = tmp_path / "run"
    s = small_journal(folder, 2)
    s.enqueue_trial({"x": 0.25}, user_attrs={"source": "prior"})
    queued = s.ask()
    queued.suggest_float("x", 0, 1)
    proposed = s.ask()
    proposed.suggest_float("x", 0, 1)

    # Without the folder's lock another process may be running them: left alone.
    storage = make_storage("journal", folder)
    assert sum(t.state == TrialState.RUNNING for t in storage.get_all_trials(0)) == 2

    held = run_folder.lock(folder)
    try:
        storage = make_storage("journal", folder)
    finally:
        held.release()
    trials = storage.get_all_trials(0)
    failed = {t.number: t for t in trials if t.state == TrialState.FAIL}
    assert set(failed) == {queued.number, proposed.number}
    assert all(t.user_attrs[FAIL_REASON].startswith("Interrupted") for t in failed.values())
    waiting = [t for t in trials if t.state == TrialState.WAITING]
    assert len(waiting) == 1
    assert waiting[0].system_attrs["fixed_params"] == {"x": 0.25}
    assert waiting[0].user_attrs == {"source": "prior", "retry_of": queued.number}
    assert [t.state for t in trials[:2]] == [TrialState.COMPLETE] * 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "2 trial(s)" in err[0]


# --- 2. the journal: torn last record, garbage ------------------------------------------


def _cut_mid_record(data: bytes) -> bytes:
    return data[:-25]


def _cut_before_newline(data: bytes) -> bytes:
    return data[:-1]


def _cut_in_a_multibyte_character(data: bytes) -> bytes:
    # a record carrying "é" written raw (UTF-8 c3 a9), cut between its two bytes
    return data + b'{"op_code":8,"worker_id":"w","trial_id":0,"user_attr":{"note":"caf\xc3'


def _cut_in_a_batch(data: bytes) -> bytes:
    # Optuna writes several records in one append: the last complete, the next half
    line = b'{"op_code":8,"worker_id":"w","trial_id":0,"user_attr":{"k":1}}\n'
    return data + line + line[:30]


@pytest.mark.parametrize(
    "tear",
    [_cut_mid_record, _cut_before_newline, _cut_in_a_multibyte_character, _cut_in_a_batch],
    ids=["mid-record", "before-newline", "multibyte", "batch"],
)
def test_a_torn_last_record_is_repaired_with_a_backup(tear, tmp_path, capsys):
    folder = tmp_path / "run"
    small_journal(folder, 3)
    path = folder / JOURNAL_FILE
    torn = tear(path.read_bytes())
    path.write_bytes(torn)
    before = [(t.number, t.params) for t in journal_trials(folder) if t.state in DONE]

    held = run_folder.lock(folder)
    try:
        storage = make_storage("journal", folder)
        s = optuna.load_study(study_name="s", storage=storage)
        s.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=1)  # appends after repair
    finally:
        held.release()

    # one line for the repair (and, when the cut record was a trial's end, one for that trial)
    err = capsys.readouterr().err.strip().splitlines()
    assert "cut short" in err[0] and len(err) <= 2, err
    backups = list(folder.glob(JOURNAL_FILE + ".torn-*"))
    assert len(backups) == 1 and backups[0].name in err[0]
    assert backups[0].read_bytes() == torn  # the original, byte for byte
    assert path.read_bytes().endswith(b"\n")
    again = journal_trials(folder)  # a fresh reader: before the fix, a JSON decode error
    assert [(t.number, t.params) for t in again if t.state in DONE][: len(before)] == before
    assert sum(t.state == TrialState.COMPLETE for t in again) == len(before) + 1


@pytest.mark.slow
def test_a_torn_journal_is_repaired_on_resume(tmp_path, capsys):
    out = tmp_path / "run"
    assert cli(capsys, "run", "credit-risk", *FAST, "--trials", 2, "--out", out)[0] == 0
    path = out / JOURNAL_FILE
    path.write_bytes(path.read_bytes()[:-40])
    code, _, err = cli(capsys, "run", "credit-risk", "--out", out, "--resume", "--trials", 3)
    assert code == 0, err
    assert "cut short" in err and "Traceback" not in err
    assert sum(t.state in DONE for t in journal_trials(out)) == 3
    assert list(out.glob(JOURNAL_FILE + ".torn-*"))


@pytest.mark.parametrize(
    "content",
    [
        b"\x89PNG\r\n\x1a\n\x00\x00\xff\xfe",
        b"hello\nworld\n",
        b'{"a": 1}\n',
        b"name,value\n1,2",
        None,  # a good journal with a bad line in the middle (appended onto a torn one)
    ],
    ids=["binary", "text", "json-not-journal", "csv", "bad-middle-line"],
)
def test_a_garbage_journal_is_refused_in_one_line_and_kept(content, tmp_path, capsys):
    folder = tmp_path / "run"
    small_journal(folder, 2)
    path = folder / JOURNAL_FILE
    if content is None:
        lines = path.read_bytes().split(b"\n")
        content = b"\n".join([*lines[:3], lines[3][:20] + lines[4], *lines[5:]])
    path.write_bytes(content)
    held = run_folder.lock(folder)
    try:
        with pytest.raises(TuneplateError, match="not an Optuna journal") as caught:
            make_storage("journal", folder)
    finally:
        held.release()
    assert "\n" not in str(caught.value) and "--out" in str(caught.value)
    assert path.read_bytes() == content
    assert not list(folder.glob(JOURNAL_FILE + ".torn-*"))


def test_a_garbage_journal_stops_resume_with_exit_2(tmp_path, capsys):
    out = tmp_path / "run"
    assert cli(capsys, "run", "credit-risk", *FAST, "--trials", 2, "--out", out)[0] == 0
    (out / JOURNAL_FILE).write_bytes(b"\x00\x01garbage\xff")
    before = snapshot(out)
    result = cli(capsys, "run", "credit-risk", "--out", out, "--resume")
    assert_one_line_error(result, "study.journal", "not an Optuna journal", "--out")
    assert snapshot(out) == before


@pytest.mark.slow
def test_an_empty_journal_resumes_from_the_beginning_with_a_notice(tmp_path, capsys):
    out = tmp_path / "run"
    assert cli(capsys, "run", "credit-risk", *FAST, "--trials", 2, "--out", out)[0] == 0
    (out / JOURNAL_FILE).write_bytes(b"")
    code, _, err = cli(capsys, "run", "credit-risk", "--out", out, "--resume")
    assert code == 0, err
    assert "empty" in err and "from the beginning" in err
    assert sum(t.state in DONE for t in journal_trials(out)) == 2


# --- 3. one live process per run folder -------------------------------------------------


def test_a_second_lock_is_refused_naming_the_pid_and_freed_on_release(tmp_path):
    first = run_folder.lock(tmp_path)
    with pytest.raises(TuneplateError, match=f"in use by process {os.getpid()}"):
        run_folder.lock(tmp_path)
    with pytest.raises(TuneplateError, match=str(os.getpid())):
        run_folder.refuse_if_in_use(tmp_path)
    first.release()
    assert not (tmp_path / LOCK_FILE).exists()
    run_folder.lock(tmp_path).release()


def test_a_killed_holder_leaves_no_stale_lock(tmp_path):
    """flock, not a pid file: the kernel frees the lock when its process dies."""
    code = (
        "import sys, time; from tuneplate.engine.runs import run_folder; "
        f"run_folder.lock({str(tmp_path)!r}); print('locked', flush=True); time.sleep(60)"
    )
    holder = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "locked"
    with pytest.raises(TuneplateError, match=f"process {holder.pid}"):
        run_folder.lock(tmp_path)
    holder.kill()
    holder.wait()
    assert (tmp_path / LOCK_FILE).exists()  # the file stays, the lock does not
    run_folder.lock(tmp_path).release()


@pytest.mark.slow
def test_a_folder_in_use_is_refused_for_every_writing_command(tmp_path, capsys):
    out = tmp_path / "run"
    assert cli(capsys, "run", "credit-risk", *FAST, "--trials", 2, "--out", out)[0] == 0
    before = snapshot(out)
    busy = start("run", "credit-risk", "--out", out, "--resume", "--trials", 500)
    try:
        wait_for(lambda: len(completed(out)) >= 3, busy, "the resumed run to be searching")
        pid = str(busy.pid)
        for argv in (
            ("run", "credit-risk", "--out", out, "--resume"),
            ("run", "credit-risk", *FAST, "--trials", 2, "--out", out, "--force"),
            ("run", "credit-risk", *FAST, "--trials", 2, "--out", out),
            ("report", out),
        ):
            assert_one_line_error(cli(capsys, *argv), "in use by process", pid)
        assert (out / "report.html").read_bytes() == before["report.html"]
    finally:
        busy.kill()
        busy.communicate()


# --- 4. --force replaces atomically -----------------------------------------------------


def _staging(out: Path) -> list[Path]:
    return list(out.parent.glob(f".{out.name}.tuneplate-new-*"))


def _kill_force_run(out: Path, sig: int) -> subprocess.Popen:
    run = start("run", "credit-risk", *FAST, "--trials", 500, "--out", out, "--force")
    staging = out.parent / f".{out.name}.tuneplate-new-{run.pid}"  # this run's, not a stale one
    wait_for(lambda: completed(staging), run, "the --force run to be searching")
    run.send_signal(sig)
    _, run.err = run.communicate(timeout=60)
    return run


@pytest.mark.slow
def test_force_keeps_the_previous_run_whole_until_the_new_one_finishes(tmp_path, capsys):
    out = tmp_path / "run"
    assert cli(capsys, "run", "credit-risk", *FAST, "--trials", 2, "--out", out)[0] == 0
    (out / "notes.txt").write_bytes(b"my notes\n")
    before = snapshot(out)

    _kill_force_run(out, signal.SIGKILL)
    assert snapshot(out) == before  # report, results, journal, notes: all as they were

    interrupted = _kill_force_run(out, signal.SIGINT)  # Ctrl-C
    assert interrupted.returncode == 130, interrupted.err
    assert snapshot(out) == before
    assert not _staging(out)  # the discarded new run is cleaned up (so is the killed one's)

    code, _, err = cli(
        capsys,
        *("run", "credit-risk", "--model", "lightgbm", "--strategy", "random"),
        *("--trials", 2, "--out", out, "--force"),
    )
    assert code == 0, err
    results = json.loads((out / "results.json").read_text())
    assert results["best"]["model_family"] == "lightgbm"  # the new run
    assert (out / "notes.txt").read_bytes() == b"my notes\n"
    assert sum(t.state in DONE for t in journal_trials(out)) == 2  # a fresh study
    assert not _staging(out) and not (out / LOCK_FILE).exists()
    assert not list(out.parent.glob(f".{out.name}.tuneplate-*"))


def test_ctrl_c_after_a_scorecard_fit_still_stops_the_run_cleanly(tmp_path):
    """optbinning's solver (OR-Tools CP-SAT) set Ctrl-C back to the system default after
    each binning: a credit run killed on the spot, without its message, its lock released
    or a word on --resume (a fresh user's report). The scorecard family bins every fold."""
    out = tmp_path / "run"
    run = start("run", "credit-risk", "--model", "scorecard", "--strategy", "random",
                "--trials", 500, "--out", out)  # fmt: skip
    wait_for(lambda: len(completed(out)) >= 2, run, "two scorecard trials")
    run.send_signal(signal.SIGINT)
    _, err = run.communicate(timeout=60)
    assert run.returncode == 130, err
    assert "interrupted; the finished trials are kept. Continue with: tuneplate run" in err
    assert "--resume" in err and not (out / LOCK_FILE).exists()
    kept = len(completed(out))
    resumed = start("run", "credit-risk", "--model", "scorecard", "--strategy", "random",
                    "--trials", kept + 1, "--out", out, "--resume")  # fmt: skip
    _, err = resumed.communicate(timeout=120)
    assert resumed.returncode == 0, err
    assert (out / "report.html").is_file()


# --- 5. --resume compares settings ------------------------------------------------------


@pytest.fixture(scope="module")
def base_run(tmp_path_factory):
    """A finished 2-trial run on a CSV table (target status)."""
    root = tmp_path_factory.mktemp("resume")
    data = root / "loans.csv"
    make_table().to_csv(data, index=False)
    out = root / "run"
    argv = ["run", "credit-risk", "--data", str(data), "--target", "status", *FAST]
    assert main([*argv, "--trials", "2", "--out", str(out)]) == 0
    return data, out


def _other_data(data: Path) -> Path:
    other = data.parent / "other.csv"
    make_table(seed=1).to_csv(other, index=False)
    return other


@pytest.mark.parametrize(
    ("flags", "needles"),
    [
        (["--model", "lightgbm"], ["--model lightgbm", "run's logistic", "without --model"]),
        (["--model", "xgboost"], ["--model xgboost", "run's logistic"]),
        (["--strategy", "grid"], ["--strategy grid", "run's random", "without --strategy"]),
        (["--metric", "brier"], ["--metric brier", "run's roc_auc", "without --metric"]),
        (["--target", "flag"], ["--target flag", "run's status", "without --target"]),
        (["--data", _other_data], ["--data", "other.csv", "fingerprint", "run's data"]),
        ([], ["loans.csv", "changed since", "fingerprint"]),  # the file changed in place
    ],
    ids=["model", "model-2", "strategy", "metric", "target", "data", "data-changed"],
)
def test_resume_refuses_changed_settings_before_the_search(flags, needles, base_run, capsys):
    data, out = base_run
    flags = [f(data) if callable(f) else f for f in flags]
    before = snapshot(out)
    original = data.read_bytes()
    if not flags:
        make_table(seed=2).to_csv(data, index=False)
    try:
        result = cli(capsys, "run", "credit-risk", "--out", out, "--resume", *flags)
    finally:
        data.write_bytes(original)
    line = assert_one_line_error(result, "--resume:", *needles)
    assert "--out" in line
    assert snapshot(out) == before  # nothing searched, nothing rewritten


def test_resume_refuses_another_vertical(base_run, capsys):
    _, out = base_run
    before = snapshot(out)
    result = cli(capsys, "run", "diagnosis", "--out", out, "--resume")
    assert_one_line_error(result, "credit-risk", "diagnosis")
    assert snapshot(out) == before


def test_resume_accepts_the_same_settings_typed_again(base_run, capsys):
    data, out = base_run
    argv = ["run", "credit-risk", "--out", out, "--resume", "--data", data, "--target", "status"]
    code, _, err = cli(capsys, *argv, *FAST, "--metric", "roc_auc", "--trials", 3)
    assert code == 0, err
    assert sum(t.state in DONE for t in journal_trials(out)) == 3


# --- 6. secrets -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "secret"),
    [
        ("postgresql+psycopg://tune:s3cret@db:5432/studies", "s3cret"),
        ("postgresql://db/studies?user=tune&password=s3cret", "s3cret"),
        ("postgresql://db/studies?password=s3cret&sslmode=require", "s3cret"),
        ("mysql+pymysql://db/x?user=u&PASSWORD=s3cret", "s3cret"),
        ("mssql+pyodbc://db/x?driver=ODBC&pwd=s3cret", "s3cret"),
        ("mysql://db/x?pass=s3cret", "s3cret"),
        ("mysql://db/x?passwd=s3cret", "s3cret"),
        ("redis://:s3cret@cache:6379/0", "s3cret"),
        ("grpc://user:s3cret@host:1234", "s3cret"),
        ("postgresql://tune:p@ss:w0rd@db/x", "w0rd"),  # an '@' and ':' in the password
        ("postgresql://tune:s3cret@db/x?password=0ther", "0ther"),
    ],
)
def test_mask_hides_every_password_form(url, secret):
    shown = mask(url)
    assert secret not in shown and "***" in shown
    assert shown.split("://")[0] == url.split("://")[0]  # still says what it is


@pytest.mark.parametrize("url", ["journal", "memory", "postgresql://tune@db/x?sslmode=require"])
def test_mask_leaves_urls_without_secrets_alone(url):
    assert mask(url) == url


@pytest.mark.slow
@pytest.mark.filterwarnings("ignore:Query string argument")  # sqlite ignores ?password=
def test_a_password_in_the_storage_url_is_never_printed_or_saved(tmp_path, capsys):
    out = tmp_path / "run"
    url = f"sqlite:///{tmp_path / 'studies.db'}?password=hunter2"
    code, stdout, err = cli(
        capsys, "run", "credit-risk", *FAST, "--trials", 2, "--storage", url, "--out", out
    )
    assert code == 0, err
    assert "hunter2" not in stdout + err
    for name in ("config.json", "results.json", "report.html"):
        assert b"hunter2" not in (out / name).read_bytes(), name
    assert "password=***" in (out / "config.json").read_text()


# --- 7. one-line errors: read-only folder, missing database driver ----------------------


@pytest.fixture
def read_only(tmp_path):
    """Make a folder read-only for this process, honestly: chmod for a normal user; as
    root (which chmod does not stop) the immutable attribute, or skip saying why."""
    made = []

    def make(folder: Path) -> None:
        if os.geteuid() != 0:
            folder.chmod(0o555)
            made.append(lambda: folder.chmod(0o755))
            return
        done = subprocess.run(["chattr", "+i", str(folder)], capture_output=True, text=True)
        if done.returncode != 0:
            pytest.skip(f"running as root and chattr +i failed ({done.stderr.strip()})")
        made.append(lambda: subprocess.run(["chattr", "-i", str(folder)], check=True))
        try:
            (folder / "probe").touch()
        except PermissionError:
            return
        pytest.skip("the folder stayed writable for root on this file system")

    yield make
    for undo in made:
        undo()


@pytest.mark.parametrize("command", ["resume", "report"])
def test_a_read_only_run_folder_is_one_line(command, read_only, tmp_path, capsys):
    """Refused before anything is read or run: the folder only has to look like a run."""
    out = tmp_path / "run"
    out.mkdir()
    (out / "config.json").write_text('{"vertical": "credit-risk", "config": {}}\n')
    (out / "results.json").write_text("{}\n")
    small_journal(out, 1)
    before = snapshot(out)
    read_only(out)
    argv = ["run", "credit-risk", "--out", out, "--resume"] if command == "resume" else []
    result = cli(capsys, *(argv or ["report", out]))
    assert_one_line_error(result, "read-only", str(out), "writable")
    assert snapshot(out) == before


@pytest.mark.parametrize(
    ("url", "needles"),
    [
        ("postgresql+psycopg2://tune:pw@127.0.0.1:1/db", ["psycopg2", "pip install"]),
        ("mysql://tune:pw@127.0.0.1:1/db", ["MySQLdb", "mysqlclient"]),
        ("mysql+pymysql://tune:pw@127.0.0.1:1/db", ["pymysql", "PyMySQL"]),
        ("postgresql+nosuchdriver://tune@127.0.0.1:1/db", ["nosuchdriver", "scheme"]),
    ],
    ids=["psycopg2", "mysql", "pymysql", "unknown"],
)
def test_a_missing_database_driver_is_named_at_once(url, needles, monkeypatch, tmp_path, capsys):
    module = needles[0]
    if module != "nosuchdriver":
        try:
            __import__(module)
            pytest.skip(f"{module} is installed here")
        except ImportError:
            pass

    def no_retry(seconds):
        raise AssertionError("retried a missing driver as if it were the network")

    monkeypatch.setattr(study.time, "sleep", no_retry)
    out = tmp_path / "run"
    result = cli(capsys, "run", "credit-risk", *FAST, "--trials", 2, "--storage", url, "--out", out)
    line = assert_one_line_error(result, *needles)
    assert "pw@" not in line and "network" not in line


# --- 8. --resume compares EVERY setting that changes what a trial means ---------------------


def make_customer_table(n: int = 300, seed: int = 0) -> pd.DataFrame:
    """Loans with an application date and a customer id (about 3 rows per customer)."""
    table = make_table(n, seed)
    rng = np.random.default_rng(seed)
    days = pd.to_timedelta(rng.permutation(n), "D")
    return table.assign(
        applied=(pd.Timestamp("2023-01-01") + days).strftime("%Y-%m-%d"),
        customer=np.arange(n) // 3 + 7000,
    )


@pytest.fixture(scope="module")
def rich_run(tmp_path_factory):
    """A finished 2-trial run on a table with spare columns for every role."""
    root = tmp_path_factory.mktemp("resume-all")
    data = root / "customers.csv"
    make_customer_table().to_csv(data, index=False)
    out = root / "run"
    argv = ["run", "credit-risk", "--data", str(data), "--target", "status", *FAST]
    assert main([*argv, "--exclude", "customer", "--trials", "2", "--out", str(out)]) == 0
    return data, out


@pytest.mark.parametrize(
    ("flags", "needles"),
    [
        (["--exclude", "flag"], ["--exclude flag", "run's customer", "without --exclude"]),
        (["--protected", "purpose"], ["--protected purpose", "run's none"]),
        (["--time", "applied"], ["--time applied", "run's none", "without --time"]),
        (["--group", "customer"], ["--group customer", "run's none", "without --group"]),
        (["--subgroups", "purpose"], ["--subgroups purpose", "run's none"]),
        (["--positive", "good"], ["--positive good", "run's bad"]),
        (["--seed", "3"], ["--seed 3", "run's 0", "without --seed"]),
        (["--pruner", "median"], ["--pruner median", "run's none"]),
        (["--study", "other"], ["--study other", "run's credit-risk-logistic"]),
        (["--exclude", "flag", "--seed", "3"], ["--exclude flag", "(so do --seed)"]),
    ],
    ids=[
        "exclude", "protected", "time", "group", "subgroups", "positive", "seed", "pruner",
        "study", "two-at-once",
    ],
)  # fmt: skip
def test_resume_refuses_every_setting_that_changes_a_trial(flags, needles, rich_run, capsys):
    """Before: these were accepted and the report mixed old trials' cross-validated scores
    with a new split or new features ("cross-validated 0.995, hold-out 0.565")."""
    data, out = rich_run
    before = snapshot(out)
    result = cli(capsys, "run", "credit-risk", "--out", out, "--resume", *flags)
    line = assert_one_line_error(result, "--resume:", *needles)
    assert "start a new run with --out" in line and "would not compare" in line
    assert snapshot(out) == before  # refused before the search: nothing rewritten


@pytest.mark.parametrize(
    "flags",
    [
        ["--trials", "3"],
        ["--timeout", "600", "--trials", "3"],
        ["--jobs", "2", "--trials", "3"],
        ["--purpose", "screening loans", "--trials", "3"],
    ],
    ids=["trials", "timeout", "jobs", "purpose"],
)
def test_resume_accepts_what_may_change(flags, rich_run, capsys):
    _, out = rich_run
    code, _, err = cli(capsys, "run", "credit-risk", "--out", out, "--resume", *flags)
    assert code == 0, err
    assert sum(t.state in DONE for t in journal_trials(out)) >= 3


def test_resume_with_other_assumptions_is_allowed_and_said(rich_run, capsys):
    """Business assumptions are read after the search (hold-out money figures), so they may
    change on resume; the change is said in one line, and the new record keeps them."""
    _, out = rich_run
    argv = ["run", "credit-risk", "--out", out, "--resume", "--trials", "3"]
    code, _, err = cli(capsys, *argv, "--assume", "loss_given_default=0.5")
    assert code == 0, err
    assert "other assumptions (loss_given_default" in err and "not the trials" in err
    saved = json.loads((out / "config.json").read_text())
    assert saved["config"]["assumptions"]["loss_given_default"] == 0.5


def test_every_config_field_is_compared_unless_listed_as_free(rich_run):
    """A new Config field is compared by default: only the short documented list is not."""
    from tuneplate.engine.runs.resume import MAY_CHANGE, NOT_COMPARED
    from tuneplate.engine.tune import Config

    _, out = rich_run
    settings = json.loads((out / "config.json").read_text())["settings"]
    not_saved = set(Config.names()) - set(settings)
    assert not_saved == MAY_CHANGE | NOT_COMPARED
    assert MAY_CHANGE == {
        "n_trials", "timeout", "jobs", "purpose", "assumptions", "calibrate", "blend"
    }  # fmt: skip
    assert {"validation", "space"} <= set(settings)


def test_a_record_without_the_full_settings_still_refuses_a_new_role(rich_run, capsys):
    """A run folder written before every setting was saved: typed changes are still caught
    on the raw config, so `--time` added on resume is refused."""
    _, out = rich_run
    path = out / "config.json"
    original = path.read_bytes()
    record = json.loads(original)
    record["settings"] = {k: record["settings"][k] for k in ("model", "strategy", "metric")}
    path.write_text(json.dumps(record))
    try:
        result = cli(capsys, "run", "credit-risk", "--out", out, "--resume", "--time", "applied")
        assert_one_line_error(result, "--resume:", "--time applied", "run's none")
    finally:
        path.write_bytes(original)


# --- 9. a new run that fails leaves nothing in the way --------------------------------------


def _retype(capsys, *argv) -> tuple[int, str, str]:
    """The same command again, as a user would after fixing the cause."""
    return cli(capsys, *argv)


def test_an_unreachable_database_leaves_no_folder(monkeypatch, tmp_path, capsys):
    """Before: --out kept config.json, and re-typing the command said "already exists"."""
    monkeypatch.setattr(study.time, "sleep", lambda s: None)  # no real back-off in a test
    out = tmp_path / "runs" / "credit"
    url = f"sqlite:///{tmp_path / 'no-such-folder' / 'studies.db'}"
    argv = ["run", "credit-risk", *FAST, "--trials", 2, "--storage", url, "--out", out]
    assert_one_line_error(cli(capsys, *argv), "cannot reach the study database")
    assert not out.exists() and not out.parent.exists()  # both were made by the run
    assert_one_line_error(_retype(capsys, *argv), "cannot reach the study database")


def test_a_run_whose_every_trial_fails_can_be_typed_again(monkeypatch, tmp_path, capsys):
    from tuneplate.engine import tune

    def failing(*args, **kwargs):
        def objective(trial):
            raise ValueError("this fit cannot work")

        return objective

    out = tmp_path / "run"
    out.mkdir()  # an empty folder the user made: it stays, empty
    argv = ["run", "credit-risk", *FAST, "--trials", 2, "--out", out]
    with monkeypatch.context() as patch:
        patch.setattr(tune, "make_objective", failing)
        assert_one_line_error(cli(capsys, *argv), "no trial completed", "this fit cannot work")
    assert out.is_dir() and list(out.iterdir()) == []
    code, _, err = _retype(capsys, *argv)
    assert code == 0, err


@pytest.mark.parametrize("error", [TuneplateError("boom; fix it"), OSError(28, "No space")])
def test_an_error_after_the_claim_takes_the_new_run_back(error, monkeypatch, tmp_path, capsys):
    from tuneplate.engine import tune

    def broken(*args, **kwargs):
        raise error

    monkeypatch.setattr(tune, "open_study", broken)
    out = tmp_path / "run"
    code, _, err = cli(capsys, "run", "credit-risk", *FAST, "--trials", 2, "--out", out)
    assert code == 2 and "already exists" not in err
    assert not out.exists()


def test_ctrl_c_before_any_trial_keeps_nothing(monkeypatch, tmp_path, capsys):
    from tuneplate.engine import tune

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(tune, "open_study", interrupted)
    out = tmp_path / "run"
    code, _, err = cli(capsys, "run", "credit-risk", *FAST, "--trials", 2, "--out", out)
    assert code == 130 and "nothing was kept" in err
    assert not out.exists()


def test_an_error_after_completed_trials_keeps_them_and_says_resume(monkeypatch, tmp_path, capsys):
    def no_refit(found):
        raise TuneplateError("the refit failed (simulated)")

    out = tmp_path / "run"
    argv = ["run", "credit-risk", *FAST, "--trials", 2, "--out", out]
    with monkeypatch.context() as patch:
        patch.setattr(study, "chosen", no_refit)
        line = assert_one_line_error(cli(capsys, *argv), "refit failed", "2 completed trial(s)")
    assert f"--out {out} --resume" in line
    assert (out / "config.json").is_file() and len(completed(out)) == 2
    code, _, err = cli(capsys, "run", "credit-risk", "--out", out, "--resume")
    assert code == 0, err


def _staging_dir(out: Path, pid: int, locked: bool) -> Path:
    folder = out.parent / run_folder.STAGING.format(name=out.name, pid=pid)
    folder.mkdir(parents=True)
    (folder / "config.json").write_text("{}")
    if locked:
        (folder / LOCK_FILE).write_text(f"{pid} host run --force\n")  # a lock nobody holds
    return folder


@pytest.mark.parametrize("mode", ["new-run", "force", "resume"])
def test_staging_folders_of_killed_force_runs_are_removed_and_said(mode, tmp_path, capsys):
    """Before: a --force run killed midway left `.NAME.tuneplate-new-PID` beside the folder
    for good (removed only by a later --force run over a finished one)."""
    out = tmp_path / "run"
    argv = ["run", "credit-risk", *FAST, "--trials", 2, "--out", out]
    if mode != "new-run":  # an earlier finished run to replace or continue
        assert cli(capsys, *argv)[0] == 0
    ended = subprocess.Popen([sys.executable, "-c", "pass"])
    ended.wait()
    killed = _staging_dir(out, ended.pid, locked=True)  # its lock is free: its run died
    killed_early = _staging_dir(out, 2**22 + 17, locked=False)  # no lock, no such process
    alive = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    holder = run_folder.lock(_staging_dir(out, 2**22 + 29, locked=False), "run --force")
    try:
        starting = _staging_dir(out, alive.pid, locked=False)  # between mkdir and lock
        extra = {"new-run": [], "force": ["--force"], "resume": ["--resume"]}[mode]
        extra += ["--trials", 3 if mode == "resume" else 2]
        code, _, err = cli(capsys, *argv[:-4], *extra, "--out", out)
        assert code == 0, err
        assert not killed.exists() and not killed_early.exists()
        assert starting.exists() and holder.folder.exists()  # live runs are left alone
        lines = [line for line in err.splitlines() if "leftover" in line]
        assert len(lines) == 1 and "removed 2 leftover folder(s)" in lines[0]
        assert killed.name in lines[0] and killed_early.name in lines[0]
    finally:
        holder.release()
        alive.kill()
        alive.wait()


def _record(settings: dict, **config) -> dict:
    return {"settings": settings, "config": {"storage": "journal", **config}}


@pytest.mark.parametrize(
    ("saved", "now", "typed", "needles"),
    [
        # a ranking run's k (an option the search reads, NDCG@k): compared via the fit
        ({"k": 10}, {"k": 5}, {"k": 5}, ["--k 5 differs from the run's 10", "without --k"]),
        ({"split": None}, {"split": "last-n"}, {"split": "last-n"}, ["--split last-n"]),
        # not typed: a default resolved otherwise (e.g. another tuneplate version)
        ({"pruner": "none"}, {"pruner": "median"}, {}, ["the pruner median", "--pruner none"]),
        (
            {"validation": "random stratified 20% hold-out"},
            {"validation": "out-of-time on 'applied'"},
            {},
            ["the validation split (out-of-time", "run's (random"],
        ),
        ({"space": "aaaa"}, {"space": "bbbb"}, {}, ["the search space", "new run with --out"]),
    ],
    ids=["k", "split", "untyped-default", "validation", "space"],
)
def test_resume_message_names_the_setting_and_the_fix(saved, now, typed, needles):
    from tuneplate.engine.runs.resume import changes, message
    from tuneplate.engine.tune import Config

    found = changes(_record(saved), now, Config())
    line = message(found, typed, {"k": "--k"})
    assert line.startswith("--resume: ") and "\n" not in line
    for needle in needles:
        assert needle in line, line


def test_resume_compares_the_storage_without_its_password():
    from tuneplate.engine.runs.resume import changes
    from tuneplate.engine.tune import Config

    url = "postgresql://tune:new-secret@db/studies"
    masked = "postgresql://tune:***@db/studies"
    saved = _record({"storage": masked}, storage=masked)
    assert changes(saved, {"storage": masked}, Config.flat(storage=url)) == []
    moved = changes(saved, {"storage": "postgresql://tune:***@other/studies"}, Config())
    assert [c.key for c in moved] == ["storage"]
    # an old record without resolved settings: the raw storage is compared masked too
    old = _record({}, storage=masked)
    assert changes(old, {"storage": None}, Config.flat(storage=url)) == []


def test_a_running_trial_that_never_sent_a_heartbeat_cannot_stall_the_budget(tmp_path, monkeypatch):
    """Before: a worker killed between marking a trial RUNNING and its first heartbeat left
    it RUNNING for good; Optuna only fails trials with a stale heartbeat, so a resumed
    run waited on it forever (seen with `--resume` after SIGKILL on PostgreSQL)."""
    import datetime

    from optuna.distributions import FloatDistribution
    from optuna.trial import FrozenTrial

    monkeypatch.setattr(study, "GRACE_S", 1)
    storage = optuna.storages.RDBStorage(
        f"sqlite:///{tmp_path / 'db.sqlite'}", heartbeat_interval=1, grace_period=1
    )
    s = optuna.create_study(storage=storage)
    silent = FrozenTrial(
        number=0,
        state=TrialState.RUNNING,
        value=None,
        datetime_start=datetime.datetime.now() - datetime.timedelta(minutes=5),
        datetime_complete=None,
        params={},
        distributions={},
        user_attrs={},
        system_attrs={},
        intermediate_values={},
        trial_id=0,
    )
    storage.create_new_trial(s._study_id, template_trial=silent)  # no heartbeat, ever
    trial = s.ask({"x": FloatDistribution(0, 1)})
    started = time.monotonic()
    assert study._admit(trial, n_trials=1)  # the silent trial is failed; this one may run
    assert time.monotonic() - started < 30
    assert s.trials[0].state == TrialState.FAIL


def test_a_thread_that_dies_of_a_lost_database_prints_no_traceback(monkeypatch):
    # Optuna's heartbeat thread dies this way when the database drops mid-write; the
    # search loop reports the loss in one line, so the thread's traceback is noise.
    import threading

    import sqlalchemy.exc

    from tuneplate.engine.search.study import _quiet_database_losses_in_threads

    printed = []  # what the hook in place before the run would print
    monkeypatch.setattr(threading, "excepthook", lambda args: printed.append(args.exc_value))

    def lost():
        raise sqlalchemy.exc.OperationalError("record_heartbeat", {}, Exception("closed"))

    def other():
        raise ValueError("a real bug")

    before = threading.excepthook
    with _quiet_database_losses_in_threads():
        for target in (lost, other):
            thread = threading.Thread(target=target)
            thread.start()
            thread.join()
    assert [type(e) for e in printed] == [ValueError]  # other errors still print
    assert threading.excepthook is before  # restored afterwards


def test_the_total_run_time_includes_the_preparation_before_the_search(monkeypatch):
    """A recommender spent six minutes preparing candidates before its search while the
    report's total said one minute: the total starts when the table is in memory."""
    import tuneplate
    from tuneplate.engine.tasks.binary.task import BinaryTask

    planned = BinaryTask.plan

    def slow_plan(self, request, data):
        time.sleep(0.6)  # a preparation the search clock never saw
        return planned(self, request, data)

    monkeypatch.setattr(BinaryTask, "plan", slow_plan)
    r = tuneplate.tune("credit-risk", model="logistic", strategy="random", n_trials=2)
    t = r.timings
    assert t["prepare_s"] >= 0.6
    assert t["total_s"] >= t["prepare_s"] + t["search_s"]
