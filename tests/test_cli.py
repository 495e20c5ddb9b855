"""The CLI's happy paths, end to end on the embedded data with tiny budgets."""

import json
import re

import pytest
from report_outline import ORDER

from tuneplate.cli import main

TIMINGS = ("duration_s", "finished_s")  # wall-clock columns of the trials table

RESULT_KEYS = {"vertical", "strategy", "metric", "best", "trials", "findings"}


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("runs") / "credit"
    code = main(["run", "credit-risk", "--trials", "3", "--strategy", "random", "--out", str(out)])
    assert code == 0
    return out


def test_run_writes_report_results_model_and_config(run_dir, capsys):
    for name in ("report.html", "results.json", "config.json", "model.json", "study.journal"):
        assert (run_dir / name).is_file(), name
    assert (run_dir / "model.lightgbm.txt").is_file()


def test_results_json_has_the_documented_keys(run_dir):
    results = json.loads((run_dir / "results.json").read_text())
    assert RESULT_KEYS <= set(results)
    assert results["vertical"] == "credit-risk"
    assert results["metric"]["name"] == "roc_auc" and results["metric"]["direction"] == "maximize"
    assert {"model_family", "params", "validation", "holdout"} <= set(results["best"])
    assert {"completed", "pruned", "failed"} <= set(results["trials"])
    assert results["trials"]["completed"] == 3
    for finding in results["findings"]:
        assert {"check", "severity", "message", "columns"} <= set(finding)


def test_report_has_every_section_and_no_data_rows(run_dir, german_credit):
    html = (run_dir / "report.html").read_text()
    for section in ORDER:
        assert f'id="{section}"' in html, section
    assert "Hofmann" in html  # data attribution travels with the report
    # Aggregates only: no applicant's credit amount (a near-unique value) appears.
    amounts = german_credit["credit_amount"].astype(str)
    unique_amounts = amounts[~amounts.duplicated(keep=False)]
    leaked = [a for a in unique_amounts if len(a) >= 4 and f">{a}<" in html]
    assert not leaked


def test_report_command_rerenders_from_saved_results(run_dir, capsys):
    before = (run_dir / "report.html").read_text()
    (run_dir / "report.html").unlink()
    assert main(["report", str(run_dir)]) == 0
    assert (run_dir / "report.html").read_text() == before
    assert "report.html" in capsys.readouterr().out


def test_resume_continues_the_same_study(run_dir, tmp_path):
    import shutil

    copy = tmp_path / "resumed"
    shutil.copytree(run_dir, copy)
    assert main(["run", "credit-risk", "--out", str(copy), "--resume", "--trials", "5"]) == 0
    results = json.loads((copy / "results.json").read_text())
    assert results["trials"]["completed"] == 5
    first = json.loads((run_dir / "results.json").read_text())["trials"]["table"][:3]
    assert results["trials"]["table"][:3] == first
    assert results["strategy"] == "random"  # the saved config, not the default


def test_config_replays_the_same_trials(run_dir, tmp_path):
    replay = tmp_path / "replay"
    assert (
        main(["run", "credit-risk", "--config", str(run_dir / "config.json"), "--out", str(replay)])
        == 0
    )
    original = json.loads((run_dir / "results.json").read_text())["trials"]["table"]
    again = json.loads((replay / "results.json").read_text())["trials"]["table"]
    strip = lambda rows: [{k: v for k, v in r.items() if k not in TIMINGS} for r in rows]  # noqa: E731
    assert strip(again) == strip(original)


def test_force_replaces_a_run(run_dir, tmp_path):
    import shutil

    copy = tmp_path / "forced"
    shutil.copytree(run_dir, copy)
    code = main(
        [
            "run",
            "credit-risk",
            "--out",
            str(copy),
            "--force",
            "--trials",
            "2",
            "--model",
            "logistic",
            "--storage",
            "memory",
        ]
    )
    assert code == 0
    results = json.loads((copy / "results.json").read_text())
    assert results["best"]["model_family"] == "logistic" and results["trials"]["completed"] == 2
    assert not (copy / "model.lightgbm.txt").exists()


def test_check_prints_findings(capsys):
    assert main(["check", "credit-risk"]) == 0
    assert "bad rate is 30.0%" in capsys.readouterr().out


def test_verticals_lists_credit_risk(capsys):
    assert main(["verticals"]) == 0
    assert capsys.readouterr().out.startswith("credit-risk")


def test_user_data_with_assumptions(tmp_path, loans):
    path = tmp_path / "loans.csv"
    loans.to_csv(path, index=False)
    out = tmp_path / "run"
    code = main(
        [
            "run",
            "credit-risk",
            "--data",
            str(path),
            "--target",
            "status",
            "--trials",
            "2",
            "--assume",
            "loss_given_default=0.6",
            "--out",
            str(out),
        ]
    )
    assert code == 0
    results = json.loads((out / "results.json").read_text())
    assert results["assumptions"]["loss_given_default"] == 0.6
    assert results["data"]["positive"] == "bad"
    assert "60%" in (out / "report.html").read_text()  # the LGD is printed beside the figures


def test_replay_refuses_changed_data_unless_allowed(tmp_path, loans, capsys):
    path = tmp_path / "loans.csv"
    loans.to_csv(path, index=False)
    first = tmp_path / "first"
    args = ["run", "credit-risk", "--data", str(path), "--target", "status", "--trials", "2"]
    assert main([*args, "--out", str(first)]) == 0
    loans.assign(debt_ratio=loans["debt_ratio"] * 1.1).to_csv(path, index=False)
    capsys.readouterr()
    replay = ["run", "credit-risk", "--config", str(first), "--out", str(tmp_path / "again")]
    assert main(replay) == 2
    assert "--allow-new-data" in capsys.readouterr().err
    assert not (tmp_path / "again").exists()
    assert main([*replay, "--allow-new-data"]) == 0
    findings = json.loads((tmp_path / "again" / "results.json").read_text())["findings"]
    assert "replay_data_changed" in {f["check"] for f in findings}


def test_purpose_baseline_and_previous_run_reach_the_report(run_dir, tmp_path):
    out = tmp_path / "second"
    args = ["run", "credit-risk", "--trials", "2", "--model", "logistic", "--out", str(out)]
    purpose = "Approve unsecured loans under <b>5,000</b> in the branch channel."
    assert main([*args, "--purpose", purpose, "--compare-to", str(run_dir)]) == 0
    html = (out / "report.html").read_text()
    assert 'id="purpose"' in html and "under &lt;b&gt;5,000&lt;/b&gt;" in html
    assert 'id="baseline"' in html and "Previous run: lightgbm" in html and "same data" in html
    results = json.loads((out / "results.json").read_text())
    assert results["baseline"]["family"] == "scorecard"  # the credit champion
    assert (
        results["previous"]["holdout"]
        == json.loads((run_dir / "results.json").read_text())["best"]["holdout"]
    )


def test_compare_to_a_folder_that_is_not_a_run_is_refused_before_running(tmp_path, capsys):
    out = tmp_path / "run"
    assert main(["run", "credit-risk", "--compare-to", str(tmp_path), "--out", str(out)]) == 2
    assert "results.json" in capsys.readouterr().err and not out.exists()


def test_compare_writes_one_report_and_every_number(tmp_path, capsys, monkeypatch):
    from tuneplate.engine.search import progress

    monkeypatch.setattr(progress, "PIPE_EVERY_S", 0.0)  # a line per trial, not per 10 s
    out = tmp_path / "cmp"
    argv = ["compare", "credit-risk", "--strategies", "random,auto", "--budget", "3"]
    assert main([*argv, "--out", str(out)]) == 0
    captured = capsys.readouterr()
    printed = captured.out
    assert "recommended:" in printed and "report:" in printed
    # Progress while each strategy runs, not only after it (#16 item 6), on stderr.
    assert re.search(r"^tuneplate: \d+ trials?, best ROC AUC 0\.\d{3}", captured.err, re.M)
    numbers = json.loads((out / "compare.json").read_text())
    assert [r["strategy"] for r in numbers["runs"]] == ["random", "auto"]
    assert numbers["recommended"] in ("random", "auto")
    for run in numbers["runs"]:
        assert {"holdout", "completed", "curve", "time_to_best_s", "search_s"} <= set(run)
    html = (out / "compare.html").read_text()
    assert 'id="anytime"' in html and numbers["reason"].split(" ")[0] in html


def test_warm_start_run_tries_the_earlier_best_first(run_dir, tmp_path):
    out = tmp_path / "warm"
    argv = ["run", "credit-risk", "--trials", "1", "--strategy", "random", "--out", str(out)]
    assert main([*argv, "--warm-start", str(run_dir)]) == 0
    earlier = json.loads((run_dir / "results.json").read_text())
    table = json.loads((out / "results.json").read_text())["trials"]["table"]
    assert table[0]["source"] == "warm-start"
    best = {f"params_{k}": v for k, v in earlier["best"]["params"].items()}
    for key, value in table[0].items():
        if key.startswith("params_"):
            assert value == pytest.approx(best[key])


def test_run_names_the_most_common_failure(monkeypatch, tmp_path, capsys):
    from dataclasses import replace

    from tuneplate.engine.families import models

    family = models.FAMILIES["lightgbm"]

    def fit(params, *args, **kwargs):
        if params["num_leaves"] > 10:  # a combination this "library" cannot fit
            raise ValueError("num_leaves too large for this build\nsecond line")
        return family.fit(params, *args, **kwargs)

    monkeypatch.setitem(models.FAMILIES, "lightgbm", replace(family, fit=fit))
    argv = ["run", "credit-risk", "--model", "lightgbm", "--strategy", "random", "--trials", "6"]
    assert main([*argv, "--storage", "memory", "--out", str(tmp_path / "run")]) == 0
    out = capsys.readouterr().out
    failed = json.loads((tmp_path / "run" / "results.json").read_text())["trials"]["failed"]
    assert failed >= 1
    assert f"most common failure ({failed} of {failed}): ValueError: num_leaves too large" in out
    assert "second line" not in out


def test_a_search_where_every_trial_fails_ends_with_the_reason(monkeypatch, tmp_path, capsys):
    from dataclasses import replace

    from tuneplate.engine.families import models

    def fit(*args, **kwargs):
        raise MemoryError("out of memory in one fit")

    family = models.FAMILIES["lightgbm"]
    monkeypatch.setitem(models.FAMILIES, "lightgbm", replace(family, fit=fit))
    out = tmp_path / "run"
    argv = ["run", "credit-risk", "--model", "lightgbm", "--trials", "3", "--out", str(out)]
    assert main([*argv, "--storage", "memory"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.splitlines() == [
        "tuneplate: error: no trial completed (3 failed; last failure: MemoryError: out of "
        "memory in one "
        "fit); raise --trials or --timeout, or check the data"
    ]
    assert not (out / "results.json").exists()
