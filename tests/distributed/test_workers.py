"""Many workers on one PostgreSQL study: exact budgets, no duplicate grid points, no lost
trials when a worker is killed, and a report rendered from the database."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import optuna
import pytest

from tuneplate.cli import main

BASE = ["credit-risk", "--model", "logistic"]


def _tuneplate(*args):
    return subprocess.Popen(
        [sys.executable, "-m", "tuneplate", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _wait_for_study(url: str, name: str, lead=None, seconds: float = 240) -> None:
    """Wait for the lead run to create its study; generous, as shared machines are slow."""
    deadline = time.time() + seconds
    while time.time() < deadline:
        if name in optuna.get_all_study_names(storage=url):
            return
        if lead is not None and lead.poll() is not None:
            raise AssertionError(f"the lead run exited early: {lead.communicate()[1][-2000:]}")
        time.sleep(0.3)
    raise AssertionError(f"study {name} never appeared")


def _trials(url, name, state=None):
    study = optuna.load_study(study_name=name, storage=url)
    trials = [t for t in study.trials if not t.user_attrs.get("tuneplate_skipped")]
    return [t for t in trials if state is None or t.state == state]


def test_workers_complete_exactly_the_requested_trials(postgres_url, tmp_path):
    name = "exact"
    lead = _tuneplate(
        "run",
        *BASE,
        "--strategy",
        "random",
        "--trials",
        "12",
        "--storage",
        postgres_url,
        "--study",
        name,
        "--out",
        str(tmp_path / "run"),
    )
    _wait_for_study(postgres_url, name, lead)
    join = ["worker", "--storage", postgres_url, "--study", name]
    workers = [_tuneplate(*join), _tuneplate(*join, "--jobs", "2")]  # threads share it too
    for process in (lead, *workers):
        out, err = process.communicate(timeout=300)
        assert process.returncode == 0, err
        assert "Traceback" not in err
    complete = _trials(postgres_url, name, optuna.trial.TrialState.COMPLETE)
    assert len(complete) == 12
    results = json.loads((tmp_path / "run" / "results.json").read_text())
    assert "tune@" in results["config"]["storage"]  # the URL is kept, without any password


def test_a_worker_joins_a_ranking_study_and_the_budget_stays_exact(postgres_url, tmp_path):
    """The record the ranking run stores lets a worker re-plan it: same log, periods
    and candidates, and the study-wide trial budget holds across both processes."""
    from tuneplate.verticals.recommendation import data as shop

    events, _ = shop.generate(seed=3, customers=300, products=120)
    log = tmp_path / "events.csv"
    events.to_csv(log, index=False)
    name, out = "ranking", tmp_path / "run"
    lead = _tuneplate(
        "run",
        "recommendation",
        "--data",
        str(log),
        "--strategy",
        "random",
        "--trials",
        "8",
        "--storage",
        postgres_url,
        "--study",
        name,
        "--out",
        str(out),
    )
    _wait_for_study(postgres_url, name, lead)
    worker = _tuneplate("worker", "--storage", postgres_url, "--study", name, "--jobs", "2")
    for process in (lead, worker):
        _, err = process.communicate(timeout=600)
        assert process.returncode == 0, err
        assert "Traceback" not in err
    assert len(_trials(postgres_url, name, optuna.trial.TrialState.COMPLETE)) == 8
    results = json.loads((out / "results.json").read_text())
    assert results["metric"]["label"].startswith("NDCG@")


def test_grid_points_are_never_evaluated_twice(postgres_url, tmp_path):
    name = "grid"
    lead = _tuneplate(
        "run",
        *BASE,
        "--strategy",
        "grid",
        "--trials",
        "100",
        "--storage",
        postgres_url,
        "--study",
        name,
        "--out",
        str(tmp_path / "run"),
    )
    _wait_for_study(postgres_url, name, lead)
    join = ["worker", "--storage", postgres_url, "--study", name]
    workers = [_tuneplate(*join), _tuneplate(*join, "--jobs", "2")]  # threads share it too
    for process in (lead, *workers):
        _, err = process.communicate(timeout=300)
        assert process.returncode == 0, err
    values = [t.params["C"] for t in _trials(postgres_url, name, optuna.trial.TrialState.COMPLETE)]
    assert sorted(values) == [1e-3, 1e-2, 0.1, 1.0, 10.0, 100.0]


def test_a_killed_worker_loses_no_completed_trial(postgres_url, tmp_path, monkeypatch):
    name = "killed"
    # A slow objective so the kill lands mid-trial: lightgbm on the full budget of rounds.
    lead = _tuneplate(
        "run",
        "credit-risk",
        "--strategy",
        "random",
        "--trials",
        "10",
        "--storage",
        postgres_url,
        "--study",
        name,
        "--out",
        str(tmp_path / "run"),
    )
    _wait_for_study(postgres_url, name, lead)
    victim = _tuneplate("worker", "--storage", postgres_url, "--study", name)
    deadline = time.time() + 120
    while time.time() < deadline:  # wait until the victim is inside a trial
        running = _trials(postgres_url, name, optuna.trial.TrialState.RUNNING)
        if len(running) >= 2:
            break
        time.sleep(0.2)
    completed_before = {
        t.number for t in _trials(postgres_url, name, optuna.trial.TrialState.COMPLETE)
    }
    os.kill(victim.pid, signal.SIGKILL)
    victim.wait()
    _, err = lead.communicate(timeout=600)
    assert lead.returncode == 0, err
    complete = _trials(postgres_url, name, optuna.trial.TrialState.COMPLETE)
    assert completed_before <= {t.number for t in complete}
    assert len(complete) == 10


def _lead(url: str, name: str, out, trials: int = 8):
    """A run whose trials take a few seconds each (LightGBM), so events land mid-search."""
    args = ["credit-risk", "--strategy", "random", "--trials", str(trials), "--storage", url]
    return _tuneplate("run", *args, "--study", name, "--out", str(out))


def _wait_for_completed(url: str, name: str, lead, n: int = 1, seconds: float = 240) -> None:
    _wait_for_study(url, name, lead)
    deadline = time.time() + seconds
    while len(_trials(url, name, optuna.trial.TrialState.COMPLETE)) < n:
        assert time.time() < deadline, f"fewer than {n} trials completed in {seconds} s"
        assert lead.poll() is None, f"the lead run exited early: {lead.communicate()[1][-2000:]}"
        time.sleep(0.2)


def test_a_killed_run_resumes_where_it_stopped(postgres_url, tmp_path):
    name, out = "resumed", tmp_path / "run"
    lead = _lead(postgres_url, name, out, trials=6)
    _wait_for_completed(postgres_url, name, lead, n=2)
    os.kill(lead.pid, signal.SIGKILL)
    lead.wait()
    before = {t.number for t in _trials(postgres_url, name, optuna.trial.TrialState.COMPLETE)}
    assert 2 <= len(before) < 6
    assert main(["run", "credit-risk", "--out", str(out), "--resume"]) == 0
    complete = {t.number for t in _trials(postgres_url, name, optuna.trial.TrialState.COMPLETE)}
    assert before <= complete and len(complete) == 6
    assert (out / "report.html").is_file()


def test_a_database_restart_mid_search_is_retried(postgres_server, tmp_path):
    name, url = "restart", postgres_server.url
    lead = _lead(url, name, tmp_path / "run")
    _wait_for_completed(url, name, lead)
    postgres_server.stop()
    try:
        time.sleep(3)  # the run is now talking to nothing
    finally:
        postgres_server.start()
    _, err = lead.communicate(timeout=600)
    assert lead.returncode == 0, err
    assert len(_trials(url, name, optuna.trial.TrialState.COMPLETE)) == 8


def test_a_database_that_stays_down_ends_the_run_clearly(postgres_server, tmp_path):
    name, url = "down", postgres_server.url
    lead = _lead(url, name, tmp_path / "run", trials=50)
    _wait_for_completed(url, name, lead)
    postgres_server.stop()
    try:
        _, err = lead.communicate(timeout=300)  # retries for about 30 s, then gives up
    finally:
        postgres_server.start()
    assert lead.returncode == 2
    last = err.strip().splitlines()[-1]
    assert "lost the connection to the study database" in last and "--resume" in last
    assert "Traceback" not in err
    assert len(_trials(url, name, optuna.trial.TrialState.COMPLETE)) >= 1  # kept


def test_report_renders_from_the_database(postgres_url, tmp_path):
    name = "report"
    assert (
        main(
            [
                "run",
                *BASE,
                "--trials",
                "3",
                "--storage",
                postgres_url,
                "--study",
                name,
                "--out",
                str(tmp_path / "run"),
            ]
        )
        == 0
    )
    elsewhere = tmp_path / "elsewhere"
    assert main(["report", str(elsewhere), "--storage", postgres_url, "--study", name]) == 0
    html = (elsewhere / "report.html").read_text()
    assert 'id="verdict"' in html
    results = json.loads((elsewhere / "results.json").read_text())
    assert results["trials"]["completed"] == 3


def test_password_is_never_written(postgres_url, tmp_path):
    url = postgres_url.replace("tune@", "tune:s3cret-pw@")  # trust auth ignores it
    out = tmp_path / "run"
    assert (
        main(
            [
                "run",
                *BASE,
                "--trials",
                "2",
                "--storage",
                url,
                "--study",
                "secret",
                "--out",
                str(out),
            ]
        )
        == 0
    )
    for path in out.iterdir():
        if path.suffix in (".json", ".html"):
            assert "s3cret-pw" not in path.read_text(), path.name


def test_unknown_study_is_a_one_line_error(postgres_url, capsys):
    assert main(["worker", "--storage", postgres_url, "--study", "nope"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "no study 'nope'" in err


def test_unreachable_database_fails_clearly(monkeypatch, capsys):
    monkeypatch.setattr("tuneplate.engine.search.study.CONNECT_TRIES", 2)
    url = "postgresql+psycopg://tune:pw@127.0.0.1:1/none"
    assert main(["worker", "--storage", url, "--study", "x"]) == 2
    err = capsys.readouterr().err
    assert "cannot reach the study database" in err and "pw" not in err.replace("psycopg", "")


pytestmark = pytest.mark.slow
