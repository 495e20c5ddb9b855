"""A run says how it is doing while it works, on a terminal and in a log file alike."""

import io
import re

import optuna

from tuneplate.cli import main
from tuneplate.engine.search import progress
from tuneplate.engine.search.progress import Progress, clock


def test_piped_run_prints_progress_lines(tmp_path, capsys, monkeypatch):
    # capsys is a pipe, not a terminal: lines must still come (one per trial here,
    # since the interval is set to zero; the default is every PIPE_EVERY_S seconds).
    monkeypatch.setattr(progress, "PIPE_EVERY_S", 0.0)
    out = tmp_path / "run"
    argv = ["run", "credit-risk", "--trials", "4", "--strategy", "random", "--out", str(out)]
    assert main(argv) == 0
    lines = [ln for ln in capsys.readouterr().err.splitlines() if ln.startswith("tuneplate: ")]
    assert len(lines) >= 4, lines
    assert re.fullmatch(
        r"tuneplate: 4 of 4 trials, best ROC AUC 0\.\d{3}, \d+ s elapsed", lines[-1]
    )
    assert all("\r" not in ln for ln in lines)  # a log file gets plain lines


def test_a_log_does_not_get_its_last_line_twice():
    """The last trial's line, then the closing line, the same one: a log showed
    "2 of 2 trials, best ROC AUC 0.782, 11 s elapsed" twice."""
    study = optuna.create_study(direction="maximize")
    stream = io.StringIO()
    report = Progress(stream, "ROC AUC", n_trials=3, timeout=None, terminal=False)
    report.every = 0.0
    study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=3, callbacks=[report])
    report.close(study)
    lines = stream.getvalue().splitlines()
    assert len(lines) == 3 and lines[-1].startswith("tuneplate: 3 of 3 trials")


def test_time_left_is_whole_seconds_never_a_raw_float():
    study = optuna.create_study(direction="maximize")
    study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=3)
    stream = io.StringIO()
    report = Progress(stream, "ROC AUC", n_trials=None, timeout=299.99999598600016)
    line = report.line(study, now=report.started + 0.3)
    assert re.search(r"at most \d+ min \d\d s left", line), line
    assert "299.9" not in line and line.startswith("tuneplate: 3 trials, best ROC AUC ")


def test_best_follows_the_metric_direction():
    study = optuna.create_study(direction="minimize")
    for value in (0.5, 0.2, 0.9):
        study.enqueue_trial({"x": value})
    study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=3)
    report = Progress(io.StringIO(), "log-loss", n_trials=3, timeout=None)
    line = report.line(study, report.started)
    assert "best log-loss 0.200" in line


def test_a_terminal_line_is_rewritten_in_place():
    stream = io.StringIO()
    report = Progress(stream, "ROC AUC", n_trials=2, timeout=None, terminal=True)
    report.every = 0.0
    study = optuna.create_study(direction="maximize")
    study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=2, callbacks=[report])
    report.close(study)
    text = stream.getvalue()
    assert text.count("\r") >= 2 and text.endswith("\n") and text.count("\n") == 1


def test_clock_reads_as_a_duration():
    assert [clock(s) for s in (0.4, 45, 65, 3725)] == ["0 s", "45 s", "1 min 05 s", "1 h 02 min"]
