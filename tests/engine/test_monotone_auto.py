"""`--monotone auto` (`monotone="auto"`): directions proposed from the development rows
(the sign of Spearman's rank correlation with the outcome, where clear), for numeric
model inputs only, carried like given constraints, listed in the report to confirm; and
a baseline that cannot honour the constraints says why instead of vanishing.

German credit (the credit-risk vertical's embedded data), seed 0.
"""

from __future__ import annotations

import json
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from cli_checks import refused
from scipy.stats import spearmanr

import tuneplate
from tuneplate.cli import main
from tuneplate.engine.config import Config
from tuneplate.engine.monotone import parse
from tuneplate.engine.monotone_auto import MAX_P, MIN_RHO
from tuneplate.engine.results import Results
from tuneplate.engine.runs import resume
from tuneplate.engine.tune import plan, run_vertical
from tuneplate.reports.render import render
from tuneplate.reports.sections import comparison_rows, comparison_sentence
from tuneplate.reports.sections import monotone as monotone_section
from tuneplate.verticals import load_vertical

TARGET = "creditability"
CHEAP = {"strategy": "random", "n_trials": 2, "seed": 0}
SWEEP_STEPS = 20


def credit_plan(data=None, **settings):
    config = Config.flat(**{"model": "lightgbm", **CHEAP, **settings})
    return plan(load_vertical("credit-risk"), data, config)


def development_rho(p, column: str) -> tuple[float, float]:
    dev = p.table.iloc[p.split.development]
    x = pd.to_numeric(dev[column]).to_numpy(float)
    return spearmanr(x, p.y[p.split.development])


@pytest.fixture(scope="module")
def auto_plan():
    return credit_plan(monotone="auto")


@pytest.fixture(scope="module")
def auto_run(tmp_path_factory, german_credit):
    """A LightGBM run with `--monotone auto`, written to a run folder by the CLI."""
    folder = tmp_path_factory.mktemp("monotone-auto")
    data, run = folder / "german.csv", folder / "run"
    german_credit.to_csv(data, index=False)
    argv = ["run", "credit-risk", "--data", str(data), "--target", TARGET, "--seed", "0"]
    argv += ["--model", "lightgbm", "--strategy", "random", "--trials", "2"]
    assert main([*argv, "--monotone", "auto", "--out", str(run)]) == 0
    return data, run, argv


def test_auto_proposes_the_sign_of_the_development_rows(auto_plan):
    """Every numeric input whose development-row Spearman rho is clear (p < MAX_P and
    |rho| >= MIN_RHO) gets rho's sign, every other one is left free; the directions
    reach the fit settings in the design's order."""
    p, proposal = auto_plan, auto_plan.monotone_proposal
    numeric = [f.name for f in p.schema.features if f.kind == "numeric"]
    expected = {}
    for column in numeric:
        rho, pvalue = development_rho(p, column)
        assert proposal.statistics[column]["rho"] == pytest.approx(rho)
        if pvalue < MAX_P and abs(rho) >= MIN_RHO:
            expected[column] = 1 if rho > 0 else -1
        else:
            assert proposal.free[column].startswith("no clear direction")
    # a longer loan is riskier on German credit: a direction a reviewer expects
    assert expected.get("duration_in_month") == 1
    assert proposal.directions == expected
    assert p.monotone_columns == expected
    assert p.fit.monotone == tuple(expected.get(f.name, 0) for f in p.schema.features)


def test_categorical_and_protected_columns_are_never_proposed(auto_plan):
    proposal = auto_plan.monotone_proposal
    categorical = [f.name for f in auto_plan.schema.features if f.kind == "categorical"]
    assert "purpose" in categorical
    for column in categorical:
        assert column not in proposal.directions and column not in proposal.statistics
        assert proposal.free[column].startswith("categorical")
    # age is a protected attribute of the vertical: no model input, never tested
    assert "age_in_years" in auto_plan.roles.protected
    assert proposal.free["age_in_years"] == "not a model input (protected)"
    assert "age_in_years" not in proposal.statistics


def test_holdout_rows_never_choose_the_directions(auto_plan, german_credit):
    """Hold-out rows rewritten so that, over the whole table, credit_amount would be a
    clear risk driver and duration_in_month a reverse one: the split, the proposal and
    its statistics are unchanged, since only development rows are read."""
    table = german_credit.copy()
    hold = auto_plan.split.holdout
    bad = (table[TARGET] == "bad").to_numpy()[hold]
    amount, duration = (
        table.columns.get_loc("credit_amount"),
        table.columns.get_loc("duration_in_month"),
    )
    table.iloc[hold, amount] = np.where(bad, 1_000_000, 1)
    table.iloc[hold, duration] = np.where(bad, 1, 1_000)
    # the rewrite would matter if the hold-out were read: over all rows, credit_amount's
    # rho is clear (and so the test can fail)
    whole = spearmanr(table["credit_amount"], table[TARGET] == "bad")
    assert whole[1] < MAX_P and whole[0] > 0.2
    roles = auto_plan.roles  # the embedded example's roles, given for the table
    changed = credit_plan(table, monotone="auto", target=TARGET, protected=roles.protected)
    assert changed.split.holdout.tolist() == hold.tolist()
    assert changed.monotone_proposal == auto_plan.monotone_proposal
    assert "credit_amount" not in changed.monotone_columns


def test_given_directions_beside_auto_win_and_are_recorded(auto_plan):
    p = credit_plan(monotone={"auto": True, "duration_in_month": -1})
    assert p.monotone_columns["duration_in_month"] == -1
    assert p.monotone_proposal.given == {"duration_in_month": -1}
    assert "duration_in_month" not in p.monotone_proposal.directions
    assert parse("auto") == "auto"
    assert parse("auto, duration_in_month=-1") == {"auto": True, "duration_in_month": -1}


@pytest.mark.parametrize("vertical", ["diagnosis", "recommendation"])
def test_other_verticals_refuse_auto_in_one_line(vertical, tmp_path, capsys):
    code = main(["run", vertical, "--monotone", "auto", "--out", str(tmp_path / "r")])
    words = ("--monotone",) + (("opt in", "diagnosis") if vertical == "diagnosis" else ())
    refused((code, "", capsys.readouterr().err), *words)
    with pytest.raises(tuneplate.TuneplateError, match="--monotone"):
        tuneplate.tune(vertical, monotone="auto", n_trials=1)


def test_a_resume_compares_auto_as_the_directions_it_resolved(auto_plan):
    """`auto` is saved as "auto" but compared as what it resolved to: the same seed and
    data resolve to the same directions (a resume goes on); other directions are refused."""
    now = resume.resolved_settings(auto_plan)
    assert now["monotone"] == auto_plan.monotone_columns
    again = resume.resolved_settings(credit_plan(monotone="auto"))
    assert resume.changes({"settings": now}, again, auto_plan.config) == []
    other = resume.resolved_settings(credit_plan(monotone={"credit_amount": 1}))
    assert [c.key for c in resume.changes({"settings": now}, other, auto_plan.config)] == [
        "monotone"
    ]


def test_the_cli_resumes_an_auto_run(auto_run, tmp_path, capsys):
    data, run, argv = auto_run
    config = json.loads((run / "config.json").read_text())
    assert config["config"]["monotone"] == "auto"
    capsys.readouterr()
    # the same --monotone auto: the same development rows, the same directions
    assert main([*argv, "--monotone", "auto", "--resume", "--out", str(run)]) == 0
    capsys.readouterr()
    code = main([*argv, "--monotone", "credit_amount=+1", "--resume", "--out", str(run)])
    refused((code, "", capsys.readouterr().err), "--resume", "--monotone credit_amount=+1")


def test_lightgbm_honours_the_proposed_directions_everywhere(auto_run, german_credit):
    """The proposed directions reach model.json's fit and the model: each proposed
    column swept over 20 values, the other inputs held, moves the probability of the 200
    hold-out rows only in its direction (tolerance 1e-12)."""
    _, run, _ = auto_run
    results = Results.load(run)
    proposed = results.data["monotone"]["auto"]["proposed"]
    constraints = results.data["monotone"]["constraints"]
    assert constraints and {c: v["direction"] for c, v in proposed.items()} == constraints
    saved = json.loads((run / "model.json").read_text())
    names = results.model.schema.names
    assert saved["fit"]["monotone"] == [constraints.get(n, 0) for n in names]
    split = json.loads((run / "split.json").read_text())
    rows = german_credit.iloc[split["holdout"]]
    for column, sign in constraints.items():
        values = np.linspace(german_credit[column].min(), german_credit[column].max(), SWEEP_STEPS)
        grid = rows.loc[rows.index.repeat(SWEEP_STEPS)].copy()
        grid[column] = np.tile(values, len(rows))
        p = results.model.predict_proba(grid)[:, 1].reshape(len(rows), SWEEP_STEPS)
        assert ((sign * np.diff(p, axis=1)) >= -1e-12).all(), column


def test_the_report_lists_the_proposal_to_confirm(auto_run):
    _, run, _ = auto_run
    results = Results.load(run, model=False)
    section = monotone_section(results)
    assert section["lines"][0].startswith("duration_in_month: the probability of the event rises")
    assert "proposed from the data (Spearman's rho +0.2" in section["lines"][0]
    assert "--monotone duration_in_month=+1" in section["auto"]["note"]
    assert "purpose: categorical: only numeric inputs are proposed" in section["auto"]["free"]
    html = (run / "report.html").read_text()
    assert "Proposed from the data: confirm before use." in html
    assert "Left free by <code>--monotone auto</code>" in html


def test_a_baseline_that_breaks_the_constraints_says_why():
    """`auto` with duration_in_month=-1 against the data's sign: the logistic baseline's
    coefficient is positive, so it cannot be fitted under the constraints. The results
    record which column and sign, and the report's baseline section says so in one
    sentence (before, the comparison vanished without a word)."""
    vertical = replace(load_vertical("credit-risk"), baseline_family="logistic")
    config = Config.flat(model="lightgbm", monotone={"auto": True, "duration_in_month": -1})
    results = run_vertical(vertical, None, config.replace(**CHEAP))
    base = results.baseline
    assert base.family == "logistic" and base.holdout is None and not base.recommended
    assert base.violation["column"] == "duration_in_month"
    assert base.violation["direction"] == -1 and base.violation["fitted"] > 0
    assert "'duration_in_month' is positive" in base.unavailable
    assert results.baseline == type(base).from_dict(base.to_dict())  # results.json keeps it
    sentence = comparison_sentence(results)
    assert sentence.startswith("No comparison with the simple L2-regularised logistic")
    assert "cannot honour the run's monotone constraints" in sentence
    assert comparison_rows(results)[1] == ("Baseline: logistic", "default settings", "not compared")
    html = render(results)
    assert "Baseline vs challenger" in html and "cannot honour the run" in html
    # the given direction contradicts the data's clear sign: recorded once, by the rule
    # that proposes directions, and said beside the proposal in the report
    auto = results.data["monotone"]["auto"]
    assert auto["against"] == ["duration_in_month"]
    assert auto["given"] == {"duration_in_month": -1}
    assert (
        monotone_section(results)["auto"]["note"].count(
            "although the data's sign is the opposite for duration_in_month"
        )
        == 1
    )
