"""Bad input to the CLI: exit code 2, one line on stderr, no traceback, nothing lost.

The standard every test here enforces:

* bad input ends with exit code 2 and ONE line on stderr that names the problem and
  the fix (a failed data check may list its findings on the lines after the first);
* "Traceback" never appears in stdout or stderr;
* nothing the user already had is lost or overwritten.

Almost every case fails before a model is fitted. The few that must fit use
`--trials 2 --storage memory` on a 300-row table.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tuneplate.cli import main

FAST = ("--trials", "2", "--storage", "memory")
PROGRESS = re.compile(r"tuneplate: \d+ (of \d+ )?trials")  # `search.progress` lines
TARGET = "status"


def make_table(n: int = 300, seed: int = 0) -> pd.DataFrame:
    """Loans with real but imperfect signal: about 30% bad, no leaking column."""
    rng = np.random.default_rng(seed)
    income = rng.normal(50, 10, n).round(1)
    debt_ratio = rng.uniform(0, 1, n).round(3)
    duration_months = rng.integers(6, 60, n)
    purpose = rng.choice(["car", "home", "education", "other"], n)
    logit = -2 + 2 * debt_ratio - 0.03 * (income - 50) + (purpose == "education") * 0.5
    bad = rng.random(n) < 1 / (1 + np.exp(-logit))
    return pd.DataFrame(
        {
            "income": income,
            "debt_ratio": debt_ratio,
            "duration_months": duration_months,
            "purpose": purpose,
            TARGET: np.where(bad, "bad", "good"),
        }
    )


def leaking_table() -> pd.DataFrame:
    """The clean table plus `recoveries`: the target itself, as 0/1."""
    table = make_table()
    return table.assign(recoveries=(table[TARGET] == "bad").astype(int))


def write_csv(folder: Path, name: str, table: pd.DataFrame) -> Path:
    path = folder / name
    table.to_csv(path, index=False)
    return path


@pytest.fixture(autouse=True)
def _neutral_cwd(tmp_path, monkeypatch):
    # A run without --out writes to ./tuneplate-runs; never let one land in the repo.
    monkeypatch.chdir(tmp_path)


@pytest.fixture
def clean_csv(tmp_path) -> Path:
    return write_csv(tmp_path, "loans.csv", make_table())


@pytest.fixture
def leaking_csv(tmp_path) -> Path:
    return write_csv(tmp_path, "leaking.csv", leaking_table())


def cli(capsys, *argv) -> tuple[int, str, str]:
    """Call `main` in-process; any escaping exception is what a user sees as a traceback."""
    try:
        code = main([str(a) for a in argv])
    except SystemExit as exc:  # argparse
        code = exc.code
    except Exception as exc:
        captured = capsys.readouterr()
        pytest.fail(
            f"main{tuple(map(str, argv))} raised {type(exc).__name__}: {exc}; "
            f"the user would see a traceback\nstderr: {captured.err}"
        )
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def assert_one_line_error(result: tuple[int, str, str], *needles: str) -> str:
    code, out, err = result
    assert "Traceback" not in out + err
    assert code == 2, f"exit code {code}, expected 2\nstdout: {out}\nstderr: {err}"
    # the search's heartbeat ("tuneplate: 2 of 2 trials, …") comes on a slow machine
    lines = [x for x in err.strip().splitlines() if not PROGRESS.match(x)]
    assert len(lines) == 1, f"expected exactly one line on stderr, got {len(lines)}:\n{err}"
    line = lines[0]
    assert line.startswith("tuneplate:"), line
    for needle in needles:
        assert needle in line, f"{needle!r} not named in: {line}"
    return line


def snapshot(folder: Path) -> dict[str, bytes | None]:
    """Every file (bytes) and folder (None) under `folder`, by relative path."""
    return {
        str(p.relative_to(folder)): (p.read_bytes() if p.is_file() else None)
        for p in sorted(folder.rglob("*"))
    }


# --- the data file ------------------------------------------------------------------


def _missing(tmp_path: Path) -> Path:
    return tmp_path / "nowhere.csv"


def _folder(tmp_path: Path) -> Path:
    path = tmp_path / "data_folder"
    path.mkdir()
    write_csv(path, "loans.csv", make_table())
    return path


def _png(tmp_path: Path) -> Path:
    path = tmp_path / "photo.png"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 8)
    return path


def _garbage_csv(tmp_path: Path) -> Path:
    path = tmp_path / "garbage.csv"
    path.write_bytes(np.random.default_rng(1).integers(0, 256, 4096, dtype=np.uint8).tobytes())
    return path


def _empty(tmp_path: Path) -> Path:
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    return path


def _header_only(tmp_path: Path) -> Path:
    path = tmp_path / "header_only.csv"
    path.write_text("income,debt_ratio,purpose,status\n")
    return path


def _duplicate_columns(tmp_path: Path) -> Path:
    path = tmp_path / "dupes.csv"
    table = make_table()
    rows = [
        f"{a},{b},{t}"
        for a, b, t in zip(table.income, table.debt_ratio, table[TARGET], strict=True)
    ]
    path.write_text("income,income,status\n" + "\n".join(rows) + "\n")
    return path


def _one_column(tmp_path: Path) -> Path:
    return write_csv(tmp_path, "target_only.csv", make_table()[[TARGET]])


def _truncated_parquet(tmp_path: Path) -> Path:
    path = tmp_path / "broken.parquet"
    make_table().to_parquet(path)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    return path


def _csv_named_parquet(tmp_path: Path) -> Path:
    path = tmp_path / "export.parquet"
    make_table().to_csv(path, index=False)
    return path


DATA_FILE_CASES = {
    "missing file": (_missing, ("nowhere.csv", "does not exist", "--data")),
    "a folder": (_folder, ("data_folder", "is a folder", "--data")),
    "PNG bytes": (_png, ("photo.png", "not a text file", "CSV")),
    "random bytes": (_garbage_csv, ("garbage.csv", "not a text file", "CSV")),
    "0 bytes": (_empty, ("empty.csv", "is empty", "header row")),
    "header, no rows": (_header_only, ("header_only.csv", "no rows")),
    "duplicate columns": (_duplicate_columns, ("duplicate column names: income", "rename")),
    # The separator sniffer must not split one column into letters ("s, a, us").
    "only one column": (_one_column, ("target_only.csv", "1 column", "feature")),
    "truncated parquet": (_truncated_parquet, ("broken.parquet", "could not be read", "Parquet")),
    "CSV named .parquet": (_csv_named_parquet, ("export.parquet", "could not be read")),
}


def _command(name: str, tmp_path: Path) -> list[str]:
    if name == "check":
        return ["check", "credit-risk"]
    return ["run", "credit-risk", "--out", str(tmp_path / "run"), *FAST]


@pytest.mark.parametrize("command", ["check", "run"])
@pytest.mark.parametrize("case", DATA_FILE_CASES, ids=str)
def test_unreadable_data_file(case, command, tmp_path, capsys):
    make, needles = DATA_FILE_CASES[case]
    path = make(tmp_path)
    before = path.read_bytes() if path.is_file() else None
    result = cli(capsys, *_command(command, tmp_path), "--data", path, "--target", TARGET)
    assert_one_line_error(result, *needles)
    if before is not None:
        assert path.read_bytes() == before  # the user's file is only ever read
    assert not (tmp_path / "run").exists()  # refused before a run folder was made


# --- the target -----------------------------------------------------------------------


def _with_target(values) -> pd.DataFrame:
    return make_table().assign(**{TARGET: values})


_rng = np.random.default_rng(2)
TARGET_CASES = {
    "missing target column": (
        make_table(),
        ["--target", "outcome"],
        ("'outcome'", "not found", "the columns are", TARGET),
    ),
    "target in another case": (
        make_table(),
        ["--target", f" {TARGET.upper()}"],
        (f"did you mean {TARGET!r}", "case and spaces included"),
    ),
    "three classes": (
        _with_target(_rng.choice(["good", "bad", "unknown"], 300)),
        ["--target", TARGET],
        (f"{TARGET!r}", "3 distinct", "'unknown'", "exactly two"),
    ),
    "one class": (
        _with_target("good"),
        ["--target", TARGET],
        (f"{TARGET!r}", "1 distinct", "'good'", "exactly two"),
    ),
    "all missing": (
        _with_target(np.nan),
        ["--target", TARGET],
        (f"{TARGET!r}", "all values missing", "--target"),
    ),
    "ambiguous positive class": (
        _with_target(_rng.choice(["x", "y"], 300, p=[0.7, 0.3])),
        ["--target", TARGET],
        ("'x'", "'y'", "--positive"),
    ),
    "--positive not a value": (
        make_table(),
        ["--target", TARGET, "--positive", "defaulted"],
        ("--positive 'defaulted'", "not a value", "'good'", "'bad'"),
    ),
}


@pytest.mark.parametrize("command", ["check", "run"])
@pytest.mark.parametrize("case", TARGET_CASES, ids=str)
def test_bad_target(case, command, tmp_path, capsys):
    table, args, needles = TARGET_CASES[case]
    path = write_csv(tmp_path, "loans.csv", table)
    result = cli(capsys, *_command(command, tmp_path), "--data", path, *args)
    assert_one_line_error(result, *needles)
    assert not (tmp_path / "run" / "results.json").exists()


def test_no_target_given_for_own_data(clean_csv, capsys):
    result = cli(capsys, "check", "credit-risk", "--data", clean_csv)
    assert_one_line_error(result, "no target", "--target")


# --- names and budgets --------------------------------------------------------------


def test_unknown_vertical(clean_csv, capsys):
    result = cli(capsys, "check", "insurance", "--data", clean_csv, "--target", TARGET)
    assert_one_line_error(result, "unknown vertical 'insurance'", "credit-risk")


@pytest.mark.parametrize(
    ("args", "needles"),
    [
        (["--strategy", "genetic"], ("unknown strategy 'genetic'", "bayes", "random")),
        (["--model", "catboost"], ("unknown model family 'catboost'", "lightgbm", "xgboost")),
        (["--pruner", "sometimes"], ("unknown pruner 'sometimes'", "median", "hyperband")),
        (["--trials", "0"], ("number of trials", "got 0", "--trials")),
        (["--trials", "-3"], ("number of trials", "got -3", "--trials")),
        (["--timeout", "0"], ("timeout", "above 0", "--timeout")),
        (["--timeout", "-1"], ("timeout", "above 0", "--timeout")),
        (["--jobs", "0"], ("number of parallel trials", "got 0", "--jobs")),
    ],
    ids=lambda v: " ".join(v) if isinstance(v, list) else None,
)
def test_bad_run_option(args, needles, clean_csv, tmp_path, capsys):
    out = tmp_path / "run"
    argv = ["run", "credit-risk", "--data", clean_csv, "--target", TARGET, "--out", out]
    result = cli(capsys, *argv, "--storage", "memory", *args)
    assert_one_line_error(result, *needles)
    assert not (out / "results.json").exists()


# --- the run folder: nothing the user had is lost ---------------------------------------


def _previous_run(folder: Path) -> None:
    folder.mkdir()
    (folder / "results.json").write_bytes(b'{"mine": "known content", "n": 1}\n')
    (folder / "report.html").write_bytes(b"<html>my earlier report</html>\n")


def _user_files_only(folder: Path) -> None:
    folder.mkdir()
    (folder / "notes.txt").write_bytes(b"my notes\n")


@pytest.mark.parametrize("contents", [_previous_run, _user_files_only], ids=["run", "notes"])
def test_non_empty_out_is_not_overwritten_without_resume_or_force(
    contents, clean_csv, tmp_path, capsys
):
    out = tmp_path / "earlier"
    contents(out)
    before = snapshot(out)
    argv = ["run", "credit-risk", "--data", clean_csv, "--target", TARGET, "--out", out]
    result = cli(capsys, *argv, *FAST)
    assert_one_line_error(result, "already exists", "--out", "--resume", "--force")
    assert snapshot(out) == before


def test_out_that_is_a_file_is_not_overwritten(clean_csv, tmp_path, capsys):
    out = tmp_path / "results.txt"
    out.write_bytes(b"not a folder\n")
    argv = ["run", "credit-risk", "--data", clean_csv, "--target", TARGET, "--out", out]
    result = cli(capsys, *argv, *FAST)
    assert_one_line_error(result, "is a file", "--out")
    assert out.read_bytes() == b"not a folder\n"


def test_force_replaces_the_run_and_keeps_the_users_own_files(clean_csv, tmp_path, capsys):
    out = tmp_path / "earlier"
    _previous_run(out)
    (out / "notes.txt").write_bytes(b"my notes\n")
    (out / "model_card.md").write_bytes(b"# my model card\n")
    (out / "drafts").mkdir()
    (out / "drafts" / "plan.txt").write_bytes(b"plan\n")
    argv = ["run", "credit-risk", "--data", clean_csv, "--target", TARGET, "--out", out]
    code, stdout, err = cli(capsys, *argv, *FAST, "--force")
    assert code == 0, err
    assert "Traceback" not in stdout + err
    assert b"known content" not in (out / "results.json").read_bytes()  # replaced
    assert (out / "notes.txt").read_bytes() == b"my notes\n"
    assert (out / "model_card.md").read_bytes() == b"# my model card\n"
    assert (out / "drafts" / "plan.txt").read_bytes() == b"plan\n"


def _model_notes(out: Path) -> None:
    (out / "model.notes.md").write_bytes(b"why we chose this model\n")


def _model_folder(out: Path) -> None:
    (out / "model.archive").mkdir()
    (out / "model.archive" / "v1.txt").write_bytes(b"an older model\n")


@pytest.mark.parametrize("add", [_model_notes, _model_folder], ids=["file", "folder"])
def test_force_keeps_user_entries_whose_name_starts_with_model(add, clean_csv, tmp_path, capsys):
    """`--force` deletes tuneplate's own model files, not anything matching `model.*`."""
    out = tmp_path / "earlier"
    _previous_run(out)
    add(out)
    kept = {k: v for k, v in snapshot(out).items() if k.startswith("model.")}
    argv = ["run", "credit-risk", "--data", clean_csv, "--target", TARGET, "--out", out]
    code, stdout, err = cli(capsys, *argv, *FAST, "--force")
    assert "Traceback" not in stdout + err
    assert code == 0, err
    assert {k: v for k, v in snapshot(out).items() if k in kept} == kept


def test_force_with_data_that_fails_the_checks_keeps_the_previous_run(
    leaking_csv, tmp_path, capsys
):
    """The earlier run may only be replaced by a run that can actually start."""
    out = tmp_path / "earlier"
    _previous_run(out)
    before = snapshot(out)
    argv = ["run", "credit-risk", "--data", leaking_csv, "--target", TARGET, "--out", out]
    code, _, err = cli(capsys, *argv, *FAST, "--force")
    assert code == 2
    assert "recoveries" in err
    assert snapshot(out) == before


@pytest.mark.parametrize(
    ("data", "args"),
    [
        ("clean", ["--strategy", "genetic"]),
        ("clean", ["--trials", "0"]),
        ("clean", ["--positive", "defaulted"]),
        ("leaking", []),
    ],
    ids=["strategy", "trials", "positive", "failed checks"],
)
def test_refused_run_leaves_out_free_for_the_corrected_command(
    data, args, clean_csv, leaking_csv, tmp_path, capsys
):
    """After "fix --trials" or "drop it with --exclude", re-typing the same command with
    the fix must not be refused with "run folder ... already exists"."""
    out = tmp_path / "run"
    path = leaking_csv if data == "leaking" else clean_csv
    argv = ["run", "credit-risk", "--data", path, "--target", TARGET, "--out", out]
    code, _, _ = cli(capsys, *argv, "--storage", "memory", *args)
    assert code == 2
    left = sorted(p.name for p in out.iterdir()) if out.exists() else []
    assert left == [], f"a refused run left {left} in --out"


@pytest.mark.parametrize("make", [lambda p: None, _user_files_only], ids=["absent", "unrelated"])
def test_resume_without_a_previous_run(make, tmp_path, capsys):
    out = tmp_path / "never-ran"
    make(out)
    before = snapshot(out) if out.exists() else None
    result = cli(capsys, "run", "credit-risk", "--out", out, "--resume", "--trials", "2")
    assert_one_line_error(result, "nothing to resume", "never-ran", "--out")
    assert (snapshot(out) if out.exists() else None) == before


# --- tuneplate report -------------------------------------------------------------------


@pytest.mark.parametrize("make", [lambda p: None, lambda p: p.mkdir()], ids=["absent", "empty"])
def test_report_without_results(make, tmp_path, capsys):
    folder = tmp_path / "not-a-run"
    make(folder)
    result = cli(capsys, "report", folder)
    assert_one_line_error(result, "not-a-run", "no results.json", "tuneplate run")


@pytest.mark.parametrize(
    "content",
    [
        b'{"vertical": "credit-ri',
        b"",
        b"\x89PNG\r\n\x1a\n\x00\x00",
        b"[]",
        b"null",
        b'{"vertical": "credit-risk", "best": {}}',
    ],
    ids=["truncated", "empty", "binary", "list", "null", "missing keys"],
)
def test_report_on_corrupt_results(content, tmp_path, capsys):
    folder = tmp_path / "run"
    folder.mkdir()
    (folder / "results.json").write_bytes(content)
    (folder / "report.html").write_bytes(b"<html>the report I have</html>\n")
    result = cli(capsys, "report", folder)
    assert_one_line_error(result, "results.json", "not a tuneplate results file", "tuneplate run")
    assert (folder / "results.json").read_bytes() == content
    assert (folder / "report.html").read_bytes() == b"<html>the report I have</html>\n"


# --- data checks --------------------------------------------------------------------------


def test_check_names_the_leaking_column(leaking_csv, capsys):
    code, out, err = cli(capsys, "check", "credit-risk", "--data", leaking_csv, "--target", TARGET)
    assert "Traceback" not in out + err
    assert code == 2
    errors = [line for line in out.splitlines() if line.startswith("ERROR:")]
    assert errors, out
    assert any("recoveries" in line for line in errors), out


def test_check_on_clean_data_passes(clean_csv, capsys):
    code, out, err = cli(capsys, "check", "credit-risk", "--data", clean_csv, "--target", TARGET)
    assert "Traceback" not in out + err
    assert code == 0, out + err
    assert "ERROR" not in out
    assert out.strip()  # it says what it found, or that there was nothing


def test_run_stops_on_failed_checks_and_names_the_column(leaking_csv, tmp_path, capsys):
    out = tmp_path / "run"
    argv = ["run", "credit-risk", "--data", leaking_csv, "--target", TARGET, "--out", out]
    code, stdout, err = cli(capsys, *argv, *FAST)
    assert "Traceback" not in stdout + err
    assert code == 2
    first, *rest = err.strip().splitlines()
    assert first.startswith("tuneplate:") and "data checks" in first, first
    assert any("recoveries" in line for line in rest), err
    assert "--exclude" in err
    assert not (out / "results.json").exists()


# --- the real process -------------------------------------------------------------------


def test_console_script_exits_2_with_one_line_and_no_traceback(tmp_path):
    script = Path(sys.executable).with_name("tuneplate")
    command = [str(script)] if script.is_file() else [sys.executable, "-m", "tuneplate"]
    broken = _truncated_parquet(tmp_path)
    proc = subprocess.run(
        [*command, "check", "credit-risk", "--data", str(broken), "--target", TARGET],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert_one_line_error((proc.returncode, proc.stdout, proc.stderr), "broken.parquet")


# --- warm start and compare ------------------------------------------------------------


def test_warm_start_from_a_folder_that_is_not_a_run(clean_csv, tmp_path, capsys):
    out, not_a_run = tmp_path / "run", tmp_path / "empty"
    not_a_run.mkdir()
    argv = ["run", "credit-risk", "--data", clean_csv, "--target", TARGET, "--out", out, *FAST]
    result = cli(capsys, *argv, "--warm-start", not_a_run)
    assert_one_line_error(result, str(not_a_run), "results.json")
    assert not out.exists()


@pytest.mark.parametrize(
    ("args", "needles"),
    [
        (["--strategies", "random,genetic"], ("unknown strategy 'genetic'", "bayes", "auto")),
        (["--strategies", "random,random"], ("twice",)),
        (["--budget", "0"], ("budget", "above 0")),
        (["--budget", "-10"], ("budget", "above 0")),
        (["--seeds", "0"], ("--seeds",)),
    ],
    ids=lambda v: " ".join(v) if isinstance(v, list) else None,
)
def test_bad_compare_option(args, needles, clean_csv, tmp_path, capsys):
    out = tmp_path / "compare"
    argv = ["compare", "credit-risk", "--data", clean_csv, "--target", TARGET, "--out", out]
    given = {a for a in args if a.startswith("--")}
    defaults = [] if "--budget" in given else ["--budget", "5"]
    result = cli(capsys, *argv, *defaults, *args)
    assert_one_line_error(result, *needles)
    assert not out.exists()


def test_compare_does_not_overwrite_a_folder(clean_csv, tmp_path, capsys):
    out = tmp_path / "compare"
    out.mkdir()
    (out / "notes.txt").write_text("mine\n")
    argv = ["compare", "credit-risk", "--data", clean_csv, "--target", TARGET, "--out", out]
    assert_one_line_error(cli(capsys, *argv, "--budget", "5"), "already exists", "--force")
    assert snapshot(out) == {"notes.txt": b"mine\n"}


# Libraries that take seconds to import. The parser needs only the registries' names, so
# `--help`, a mistyped flag and `tuneplate verticals` answer without them (they took
# 9-10 s on a 2-core machine, most of it scikit-learn's SciPy statistics and matplotlib).
SLOW_TO_IMPORT = ("sklearn", "scipy.stats", "matplotlib", "sqlalchemy", "optbinning", "jinja2")
WHAT_LOADED = (
    "import sys\n"
    "from tuneplate.cli import main\n"
    "try:\n"
    "    print('exit', main(sys.argv[2:]))\n"
    "except SystemExit as exc:\n"
    "    print('exit', exc.code)\n"
    "print('loaded', [m for m in sys.argv[1].split(',') if m in sys.modules])\n"
)


@pytest.mark.parametrize(
    "argv, code",
    [
        (["--help"], 0),
        (["run", "--help"], 0),
        (["run", "credit-risk", "--trials", "many"], 2),
        (["verticals"], 0),
    ],
    ids=["help", "run-help", "usage-error", "verticals"],
)
def test_help_usage_errors_and_the_verticals_list_wait_for_no_slow_library(argv, code, tmp_path):
    proc = subprocess.run(
        [sys.executable, "-c", WHAT_LOADED, ",".join(SLOW_TO_IMPORT), *argv],
        cwd=tmp_path,  # the installed package, not the checkout
        capture_output=True,
        text=True,
        timeout=120,
    )
    lines = proc.stdout.strip().splitlines()
    assert lines[-2:] == [f"exit {code}", "loaded []"], proc.stdout[-500:] + proc.stderr[-500:]
