"""Bad flags, config files, assumptions and paths: one line, exit code 2, before any work.

Every case here is refused before the search starts: before a model is fitted and
before the run folder is touched. The standard and the helpers are those of
tests/test_cli_errors.py: exit code 2, ONE line on stderr starting "tuneplate:",
naming the problem and the fix, and never "Traceback".
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from test_cli_errors import (  # the shared one-line-error helpers
    FAST,
    TARGET,
    _neutral_cwd,  # noqa: F401  (autouse: runs never land in the repository)
    assert_one_line_error,
    cli,
    make_table,
    snapshot,
    write_csv,
)

import tuneplate
from tuneplate.engine import tune as tune_module
from tuneplate.engine.config_fields import MAX_SEED
from tuneplate.engine.contract.errors import TuneplateError
from tuneplate.engine.tune import Config, plan
from tuneplate.verticals import load_vertical

ROOT = hasattr(os, "geteuid") and os.geteuid() == 0
LONG = "a" * 300  # above the 255-byte name limit of common file systems


@pytest.fixture
def clean_csv(tmp_path) -> Path:
    return write_csv(tmp_path, "loans.csv", make_table())


@pytest.fixture
def no_search(monkeypatch):
    """Fail the test if the search (or even the data preparation) starts."""

    def refuse(*args, **kwargs):
        pytest.fail("the input was accepted and the run went on to read the data")

    monkeypatch.setattr(tune_module, "prepare", refuse)
    monkeypatch.setattr("tuneplate.cli.execute", refuse)


def _run(clean_csv, out, *args):
    return ["run", "credit-risk", "--data", clean_csv, "--target", TARGET, "--out", out, *args]


# --- 1. --config: the saved record's shape and each field's type -------------------------


RECORDS = {
    "a list": [1, 2],
    "a string": "config",
    "a number": 3,
    "null": None,
    "config null": {"vertical": "credit-risk", "config": None},
    "config a list": {"vertical": "credit-risk", "config": []},
    "no config": {"vertical": "credit-risk"},
}


@pytest.mark.parametrize("record", RECORDS.values(), ids=RECORDS.keys())
def test_config_file_that_is_not_a_run_record(record, clean_csv, tmp_path, capsys, no_search):
    path = tmp_path / "config.json"
    path.write_text(json.dumps(record))
    out = tmp_path / "run"
    result = cli(capsys, *_run(clean_csv, out, *FAST, "--config", path))
    assert_one_line_error(result, "config.json", "not a tuneplate run record", '"config"')
    assert not out.exists()


FIELDS = {
    "n_trials": ("ten", "number of trials"),
    "protected": (5, "protected columns"),
    "exclude": ("income", "excluded columns"),
    "seed": ([1], "seed"),
    "timeout": ("soon", "timeout"),
    "jobs": (0, "parallel trials"),
    "assumptions": ([["exposure", 1]], "assumptions"),
    "allow_new_data": ("yes", "allow_new_data"),
    "target": (7, "target column"),
    "min_value": ("high", "minimum value"),
}


@pytest.mark.parametrize("field", FIELDS)
def test_config_field_of_the_wrong_type(field, clean_csv, tmp_path, capsys, no_search):
    value, words = FIELDS[field]
    path = tmp_path / "config.json"
    path.write_text(json.dumps({"vertical": "credit-risk", "config": {field: value}}))
    out = tmp_path / "run"
    argv = _run(clean_csv, out, "--storage", "memory", "--config", path)
    line = assert_one_line_error(cli(capsys, *argv), "config.json", repr(field), words)
    assert "correct that field" in line
    assert not out.exists()


@pytest.mark.parametrize("key", ["vertical", "data", "fingerprint", "settings"])
def test_record_field_of_the_wrong_type(key, clean_csv, tmp_path, capsys, no_search):
    path = tmp_path / "config.json"
    path.write_text(json.dumps({"vertical": "credit-risk", "config": {}, key: [3]}))
    result = cli(capsys, *_run(clean_csv, tmp_path / "run", "--config", path))
    assert_one_line_error(result, "config.json", repr(key), "must be")


def test_a_saved_config_with_good_fields_is_still_accepted(tmp_path):
    from tuneplate.commands import _read_config

    path = tmp_path / "config.json"
    saved = {"seed": 3, "protected": ["sex"], "n_trials": 5, "timeout": None, "unknown": 1}
    path.write_text(json.dumps({"vertical": "credit-risk", "config": saved}))
    config, _ = _read_config(path)
    assert (config.search.seed, config.columns.protected, config.budget.n_trials) == (
        3,
        ("sex",),
        5,
    )


# --- 2. the seed -------------------------------------------------------------------------


@pytest.mark.parametrize("seed", ["-1", str(MAX_SEED + 1), str(2**64)])
def test_seed_out_of_numpys_range_on_the_command_line(seed, clean_csv, tmp_path, capsys):
    out = tmp_path / "run"
    result = cli(capsys, *_run(clean_csv, out, *FAST, "--seed", seed))
    assert_one_line_error(result, "seed", f"0 to {MAX_SEED}", "--seed")
    assert not out.exists()


@pytest.mark.parametrize("seed", ["1.5", "one", ""])
def test_seed_that_is_not_a_whole_number_on_the_command_line(seed, clean_csv, tmp_path, capsys):
    result = cli(capsys, *_run(clean_csv, tmp_path / "run", *FAST, "--seed", seed))
    assert_one_line_error(result, "--seed", "whole number", "--help")


@pytest.mark.parametrize("seed", [[1], -1, True, 1.5, 2**32, "7"], ids=repr)
def test_seed_of_the_wrong_kind_in_a_config_file(seed, clean_csv, tmp_path, capsys, no_search):
    path = tmp_path / "config.json"
    path.write_text(json.dumps({"vertical": "credit-risk", "config": {"seed": seed}}))
    result = cli(capsys, *_run(clean_csv, tmp_path / "run", *FAST, "--config", path))
    assert_one_line_error(result, "config.json", "'seed'", f"0 to {MAX_SEED}")


@pytest.mark.parametrize("seed", [[1], -1, True, 1.5, 2**32, "7"], ids=repr)
def test_seed_of_the_wrong_kind_in_python(seed, no_search):
    with pytest.raises(TuneplateError, match="seed must be a whole number from 0"):
        tuneplate.tune("credit-risk", n_trials=2, seed=seed)


def test_the_largest_seed_is_accepted():
    vertical = load_vertical("credit-risk")
    ready = plan(vertical, make_table(), Config.flat(target=TARGET, n_trials=2, seed=MAX_SEED))
    assert ready.config.search.seed == MAX_SEED


# --- 3. assumptions: declared once per vertical, checked before the data is read ----------


ASSUME = [
    # vertical, KEY=VALUE, words the line must hold
    ("credit-risk", "loss_given_default=-3", ("loss_given_default", "at most 1", "got -3")),
    ("credit-risk", "loss_given_default=1.5", ("loss_given_default", "at most 1")),
    ("credit-risk", "loss_given_default=abc", ("loss_given_default", "got 'abc'")),
    ("credit-risk", "loss_given_default=nan", ("loss_given_default", "got nan")),
    ("credit-risk", "exposure=-1", ("exposure", "above 0")),
    ("credit-risk", "exposure=inf", ("exposure", "got inf")),
    ("credit-risk", "margin=-0.1", ("margin", "0 or more")),
    ("credit-risk", "approval_rate=2", ("approval_rate", "at most 1")),
    ("credit-risk", "colour=blue", ("unknown assumption 'colour'", "loss_given_default")),
    ("diagnosis", "prevalence=0", ("prevalence", "below 1", "--prevalence")),
    ("diagnosis", "prevalence=1", ("prevalence", "below 1")),
    ("diagnosis", "miss_cost=0", ("miss cost", "above 0", "--miss-cost")),
    ("diagnosis", "miss_cost=-inf", ("miss cost", "got -inf")),
    ("diagnosis", "lgd=0.5", ("unknown assumption 'lgd'", "miss_cost, prevalence")),
    ("recommendation", "k=0", ("k (slots on screen)", "at least 1 and at most 100", "--k")),
    ("recommendation", "k=2.5", ("whole number",)),
    ("recommendation", "purchase_share=2", ("purchase_share", "at most 1")),
    ("recommendation", "order_value=-5", ("order_value", "above 0")),
    ("recommendation", "prevalence=0.1", ("unknown assumption", "k, order_value")),
]


@pytest.mark.parametrize(("vertical", "assume", "needles"), ASSUME, ids=lambda v: str(v))
def test_impossible_assumption_on_the_command_line(
    vertical, assume, needles, tmp_path, capsys, no_search
):
    out = tmp_path / "run"
    result = cli(capsys, "run", vertical, "--out", out, *FAST, "--assume", assume)
    assert_one_line_error(result, *needles)
    assert not out.exists()


@pytest.mark.parametrize(("vertical", "assume", "needles"), ASSUME, ids=lambda v: str(v))
def test_impossible_assumption_in_python(vertical, assume, needles, no_search):
    key, _, text = assume.partition("=")
    try:
        value = float(text)
    except ValueError:
        value = text
    with pytest.raises(TuneplateError) as caught:
        tuneplate.tune(vertical, n_trials=2, assumptions={key: value})
    message = str(caught.value)
    for needle in needles:  # the same words, but the parameter instead of the flag
        assert needle in message if not needle.startswith("--") else needle not in message
    assert "assumptions=" in message and "--" not in message


@pytest.mark.parametrize(
    ("vertical", "flag", "value", "needles"),
    [
        ("diagnosis", "--prevalence", "nan", ("prevalence", "got nan")),
        ("diagnosis", "--miss-cost", "-2", ("miss cost", "--miss-cost")),
        ("recommendation", "--purchase-share", "0", ("purchase_share", "--purchase-share")),
        ("recommendation", "--order-value", "inf", ("order_value", "--order-value")),
    ],
)
def test_impossible_vertical_option(vertical, flag, value, needles, tmp_path, capsys, no_search):
    result = cli(capsys, "run", vertical, "--out", tmp_path / "run", *FAST, flag, value)
    assert_one_line_error(result, *needles)


@pytest.mark.parametrize(
    ("vertical", "assumptions"),
    [
        ("credit-risk", {"loss_given_default": 0.6, "exposure": 12000, "approval_rate": 0.7}),
        ("credit-risk", {"margin": 0, "currency": "GBP"}),
        ("diagnosis", {"prevalence": 0.02, "miss_cost": 0.5}),
        ("recommendation", {"k": 5, "purchase_share": 0.3, "order_value": 40}),
    ],
)
def test_sensible_assumptions_pass_validate(vertical, assumptions):
    v = load_vertical(vertical)
    v.validate({**v.assumptions, **assumptions})  # raises on refusal


def test_a_vertical_without_validate_refuses_unknown_keys():
    from dataclasses import replace

    v = replace(load_vertical("credit-risk"), validate=None, assumptions={"exposure": 1.0})
    with pytest.raises(TuneplateError, match="unknown assumption 'lgd'.*exposure"):
        plan(v, make_table(), Config.flat(target=TARGET, assumptions={"lgd": 0.4}))
    with pytest.raises(TuneplateError, match="finite"):
        plan(v, make_table(), Config.flat(target=TARGET, assumptions={"exposure": float("nan")}))


@pytest.mark.parametrize("bad", ["exposure", "exposure=", "=3"])
def test_assume_without_key_and_value(bad, tmp_path, capsys):
    result = cli(capsys, "run", "credit-risk", "--out", tmp_path / "run", "--assume", bad)
    assert_one_line_error(result, "--assume", "KEY=VALUE")


# --- 4. --out that cannot be created --------------------------------------------------


def _out_cases(tmp_path: Path) -> dict[str, tuple[Path, tuple[str, ...]]]:
    (tmp_path / "notes.txt").write_text("mine\n")
    return {
        "parent is a file": (tmp_path / "notes.txt" / "run", ("notes.txt' is a file", "--out")),
        "grandparent is a file": (tmp_path / "notes.txt" / "a" / "run", ("is a file", "--out")),
        "name too long": (tmp_path / LONG / "run", ("300 bytes", "shorter name", "--out")),
        "out itself too long": (tmp_path / LONG, ("300 bytes", "--out")),
    }


@pytest.mark.parametrize(
    "case", ["parent is a file", "grandparent is a file", "name too long", "out itself too long"]
)
def test_out_that_cannot_be_created(case, clean_csv, tmp_path, capsys, no_search):
    out, needles = _out_cases(tmp_path)[case]
    before = snapshot(tmp_path)
    assert_one_line_error(cli(capsys, *_run(clean_csv, out, *FAST)), *needles)
    assert snapshot(tmp_path) == before


def test_out_under_a_read_only_parent(clean_csv, tmp_path, capsys):
    if ROOT:
        # chmod does not stop root; /proc refuses mkdir even for root (the CLI's last-resort
        # OSError line, raised when the folder is claimed: after plan, before the search).
        out = Path("/proc/tuneplate-test") / "run"
        assert_one_line_error(cli(capsys, *_run(clean_csv, out, *FAST)), "/proc/tuneplate-test")
        assert not out.parent.exists()
        return
    parent = tmp_path / "locked"
    parent.mkdir()
    parent.chmod(0o555)
    try:
        line = assert_one_line_error(cli(capsys, *_run(clean_csv, parent / "run", *FAST)))
    finally:
        parent.chmod(0o755)
    assert "read-only" in line and "--out" in line
    assert list(parent.iterdir()) == []


def test_out_under_a_read_only_pseudo_folder(clean_csv, tmp_path, capsys, no_search):
    # /proc/self is read-only for everyone, root included: refused before the data is read.
    if not Path("/proc/self").is_dir():
        pytest.skip("no /proc on this system")
    result = cli(capsys, *_run(clean_csv, Path("/proc/self/run"), *FAST))
    assert_one_line_error(result, "/proc/self", "read-only", "--out")


def test_compare_out_that_cannot_be_created(clean_csv, tmp_path, capsys):
    (tmp_path / "notes.txt").write_text("mine\n")
    argv = ["compare", "credit-risk", "--data", clean_csv, "--target", TARGET, "--budget", "1"]
    result = cli(capsys, *argv, "--out", tmp_path / "notes.txt" / "cmp")
    assert_one_line_error(result, "is a file", "--out")


# --- 5. report where the HTML cannot be written ---------------------------------------


@pytest.fixture(scope="module")
def finished_run(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("finished")
    data = write_csv(folder, "loans.csv", make_table())
    out = folder / "run"
    argv = ["run", "credit-risk", "--data", data, "--target", TARGET, "--out", out, *FAST]
    assert tuneplate.cli.main([str(a) for a in argv]) == 0
    return out


def test_report_on_a_missing_folder(tmp_path, capsys):
    result = cli(capsys, "report", tmp_path / "gone")
    assert_one_line_error(result, "gone", "no results.json")
    assert not (tmp_path / "gone").exists()


@pytest.mark.slow
def test_report_when_the_html_cannot_be_written(finished_run, capsys):
    report = finished_run / "report.html"
    kept = report.read_bytes()
    report.unlink()
    report.mkdir()  # a folder where the HTML goes: refused even for root
    try:
        line = assert_one_line_error(cli(capsys, "report", finished_run), "report.html")
    finally:
        report.rmdir()
        report.write_bytes(kept)
    assert "Is a directory" in line
    assert (finished_run / "results.json").is_file()


@pytest.mark.slow
def test_report_on_a_read_only_run_folder(finished_run, capsys):
    if ROOT:
        pytest.skip("running as root: chmod does not make a folder read-only for root")
    finished_run.chmod(0o555)
    try:
        line = assert_one_line_error(cli(capsys, "report", finished_run))
    finally:
        finished_run.chmod(0o755)
    assert "read-only" in line


# --- 6. new-vertical ---------------------------------------------------------------------


@pytest.mark.parametrize("name", ["1abc", "churn.risk", "é-risk", "class", "_private", " ", LONG])
def test_new_vertical_with_a_bad_name(name, tmp_path, capsys):
    before = snapshot(tmp_path)
    result = cli(capsys, "new-vertical", name, "--dir", tmp_path)
    line = assert_one_line_error(result)
    assert "name" in line
    assert snapshot(tmp_path) == before


def test_new_vertical_dir_that_is_a_file(tmp_path, capsys):
    (tmp_path / "notes.txt").write_text("mine\n")
    for folder in (tmp_path / "notes.txt", tmp_path / "notes.txt" / "deeper"):
        result = cli(capsys, "new-vertical", "churn", "--dir", folder)
        assert_one_line_error(result, "'" + str(tmp_path / "notes.txt") + "' is a file", "--dir")
    assert (tmp_path / "notes.txt").read_text() == "mine\n"


def test_new_vertical_dir_that_is_read_only(tmp_path, capsys):
    if ROOT:
        folder = Path("/proc/self")  # read-only for root too
    else:
        folder = tmp_path / "locked"
        folder.mkdir()
        folder.chmod(0o555)
    try:
        result = cli(capsys, "new-vertical", "churn", "--dir", folder)
    finally:
        if not ROOT:
            folder.chmod(0o755)
    assert_one_line_error(result, "read-only", "--dir")
    assert not (folder / "churn").exists()


def test_new_vertical_dir_where_mkdir_fails_leaves_nothing(tmp_path, capsys):
    # /proc passes the access test for root but refuses mkdir: the write itself is caught.
    if not Path("/proc").is_dir():
        pytest.skip("no /proc on this system")
    result = cli(capsys, "new-vertical", "churn", "--dir", "/proc")
    assert_one_line_error(result, "/proc/churn")
    assert not Path("/proc/churn").exists()


# --- 7. argparse usage errors are one line too ----------------------------------------


@pytest.mark.parametrize(
    "argv",
    [
        ["run", "credit-risk", "--trials", "abc"],
        ["run", "credit-risk", "--trials", "2.5"],
        ["run", "credit-risk", "--timeout", "nan"],
        ["run", "credit-risk", "--timeout", "soon"],
        ["run", "credit-risk", "--jobs", "two"],
        ["run", "credit-risk", "--min-value", "inf"],
        ["run", "credit-risk", "--no-such-flag"],
        ["run"],
        ["compare", "credit-risk", "--budget", "abc"],
        ["compare", "credit-risk"],
        ["run", "diagnosis", "--prevalence", "two percent"],
        ["no-such-command"],
        [],
    ],
    ids=lambda a: " ".join(a) or "nothing",
)
def test_usage_error_is_one_line(argv, capsys):
    line = assert_one_line_error(cli(capsys, *argv))
    assert "--help" in line


@pytest.mark.parametrize(
    ("args", "needles"),
    [
        (["--trials", "0"], ("number of trials", "--trials")),
        (["--metric", "accuracy"], ("accuracy",)),
        (["--positive", "maybe"], ("maybe",)),
        (["--subgroups", "planet"], ("planet",)),
        (["--protected", "planet"], ("planet",)),
        (["--time", "planet"], ("planet",)),
        (["--compare-to", "."], ("results.json",)),
        (["--warm-start", "nowhere"], ("nowhere",)),
        (["--model", ""], ("model family", "got ''", "--model")),
        (["--strategy", " "], ("strategy", "--strategy")),
    ],
    ids=lambda v: " ".join(v) if isinstance(v, list) else None,
)
def test_bad_run_flag_is_refused_before_the_search(
    args, needles, clean_csv, tmp_path, capsys, monkeypatch
):
    def refuse(*a, **k):
        pytest.fail("the search started")

    monkeypatch.setattr("tuneplate.cli.execute", refuse)
    out = tmp_path / "run"
    assert_one_line_error(cli(capsys, *_run(clean_csv, out, *FAST, *args)), *needles)
    assert not out.exists()


@pytest.mark.parametrize(
    ("args", "flag"),
    [
        (["--split", "last-n"], "--split"),
        (["--user", "applicant"], "--user"),
        (["--min-value", "3"], "--min-value"),
    ],
)
def test_ranking_only_flag_on_a_binary_vertical(args, flag, clean_csv, tmp_path, capsys):
    # Ignoring it would run something other than what was asked for.
    out = tmp_path / "run"
    result = cli(capsys, *_run(clean_csv, out, *FAST, *args))
    assert_one_line_error(result, flag, "ranking verticals", "credit-risk")
    assert not out.exists()
    check = ["check", "credit-risk", "--data", clean_csv, "--target", TARGET, *args]
    assert_one_line_error(cli(capsys, *check), flag, "ranking verticals")


def test_items_table_that_does_not_exist(tmp_path, capsys):
    argv = ["run", "recommendation", "--items", tmp_path / "nowhere.csv", "--out", tmp_path / "r"]
    assert_one_line_error(cli(capsys, *argv, *FAST), "nowhere.csv", "--items")


def test_compare_seeds_beyond_numpys_range(clean_csv, tmp_path, capsys, monkeypatch):
    monkeypatch.setattr("tuneplate.cli.compare", lambda *a, **k: pytest.fail("compare ran"))
    argv = ["compare", "credit-risk", "--data", clean_csv, "--target", TARGET, "--budget", "1"]
    result = cli(capsys, *argv, "--seed", str(MAX_SEED), "--seeds", "2", "--out", tmp_path / "c")
    assert_one_line_error(result, "--seeds 2", str(MAX_SEED + 1), "smaller --seed")


@pytest.mark.slow
@pytest.mark.parametrize("where", ["under a file", "read-only", "too long"])
def test_export_to_a_folder_that_cannot_be_created(where, finished_run, tmp_path, capsys):
    (tmp_path / "notes.txt").write_text("mine\n")
    to = {
        "under a file": tmp_path / "notes.txt" / "project",
        "read-only": Path("/proc/self/project"),
        "too long": tmp_path / LONG,
    }[where]
    result = cli(capsys, "export", finished_run, "--to", to)
    assert_one_line_error(result, "--to")
    assert (tmp_path / "notes.txt").read_text() == "mine\n"


@pytest.mark.parametrize(
    ("kwargs", "needle"),
    [
        ({"assumptions": 5}, "assumptions must be a mapping"),
        ({"protected": "sex"}, "protected columns must be a list"),
        ({"exclude": "income"}, "excluded columns must be a list"),
        ({"n_trials": "5"}, "number of trials"),
        ({"timeout": float("nan")}, "timeout"),
        ({"jobs": 1.5}, "parallel trials"),
    ],
    ids=lambda v: repr(v) if isinstance(v, dict) else None,
)
def test_python_arguments_of_the_wrong_type(kwargs, needle, no_search):
    with pytest.raises(TuneplateError, match=needle):
        tuneplate.tune("credit-risk", **kwargs)


@pytest.mark.parametrize("content", ["[1]", '{"config": {"seed": -2}}'], ids=["list", "bad seed"])
def test_resume_from_a_corrupt_config(content, tmp_path, capsys, no_search):
    out = tmp_path / "run"
    out.mkdir()
    (out / "config.json").write_text(content)
    result = cli(capsys, "run", "credit-risk", "--out", out, "--resume")
    assert_one_line_error(result, "config.json")
    assert (out / "config.json").read_text() == content


@pytest.mark.parametrize("value", ["two", "0", "-1", "1.5"])
def test_a_cores_setting_that_is_not_a_whole_number_is_refused(
    value, clean_csv, tmp_path, capsys, monkeypatch
):
    """TUNEPLATE_CORES=two would otherwise be ignored without a word and the run would use
    every core; it is refused in one line, naming the variable and what it expects."""
    monkeypatch.setenv("TUNEPLATE_CORES", value)
    out = tmp_path / "run"
    line = assert_one_line_error(
        cli(capsys, *_run(clean_csv, out, *FAST)), "TUNEPLATE_CORES", "whole number above 0"
    )
    assert repr(value) in line
    assert not (out / "results.json").exists()
    monkeypatch.setenv("TUNEPLATE_CORES", "1")
    assert cli(capsys, *_run(clean_csv, out, *FAST))[0] == 0  # the same run, a valid setting
