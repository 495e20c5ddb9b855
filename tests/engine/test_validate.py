"""`tuneplate validate` (issue 18): a run's frozen model on new rows, against its hold-out.

One small tuned credit-risk run is shared by the module (five trials, about 5 s) and one
diagnosis run tuned from a semicolon, decimal-comma CSV (so its schema keeps reading
rules). The "new rows" are built from the run's own development hold-out (positions in
the run folder's split.json), so every expected figure is known: unchanged rows must
reproduce the run, and each change (one input shifted, outcomes doubled or shuffled)
must move exactly the figure it should.

Tests passing `out=` also write validation.html and need `tuneplate.reports.validation`.
"""

from __future__ import annotations

import json
import math
import re
import shutil
import warnings
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from cli_checks import digest, without_tuneplate

import tuneplate
from tuneplate.cli import main
from tuneplate.engine.contract.monitoring import TOO_FEW
from tuneplate.engine.contract.profile import SCORES, Bands, Profile
from tuneplate.engine.contract.reader import read_table
from tuneplate.engine.results import Results
from tuneplate.engine.validate import (
    DEVELOPMENT,
    FIX_EXTRACT,
    NOT_JUDGED,
    RECALIBRATE,
    REDEVELOP,
    STILL,
    UNJUDGED,
    VALIDATION_FILE,
    WATCH,
    recommended,
    validate,
)

CREDIT_TARGET = "creditability"


def _holdout(folder: Path, table: pd.DataFrame) -> pd.DataFrame:
    positions = json.loads((folder / "split.json").read_text())["holdout"]
    return table.iloc[positions].reset_index(drop=True)


@pytest.fixture(scope="module")
def credit(tmp_path_factory) -> SimpleNamespace:
    folder = tmp_path_factory.mktemp("credit-run")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        tuned = tuneplate.tune("credit-risk", n_trials=5, model="lightgbm")
    tuned.save(folder)
    vertical = tuneplate.load_vertical("credit-risk")
    return SimpleNamespace(
        folder=folder,
        tuned=tuned,
        # what validate compares with: the model the report recommends and its figures
        results=recommended(Results.load(folder))[0],
        vertical=vertical,
        holdout=_holdout(folder, vertical.example().table),
    )


@pytest.fixture(scope="module")
def diagnosis(tmp_path_factory) -> SimpleNamespace:
    """A run tuned from a semicolon, decimal-comma CSV: its schema keeps those rules."""
    root = tmp_path_factory.mktemp("diagnosis")
    source = root / "training.csv"
    tuneplate.load_vertical("diagnosis").example().table.to_csv(
        source, sep=";", decimal=",", index=False
    )
    folder = root / "run"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        tuned = tuneplate.tune(
            "diagnosis", source, target="diagnosis", n_trials=2, model="logistic"
        )
    tuned.save(folder)
    return SimpleNamespace(folder=folder, tuned=tuned, holdout=_holdout(folder, read_table(source)))


def check(credit, rows: pd.DataFrame, **kwargs):
    """The engine's validation of `rows` with the shared credit run."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return validate(credit.results, credit.vertical, rows, **kwargs)


def own(v):
    """The figure of the run's own metric (for an AUROC run, the AUROC figure itself)."""
    figure = v.score if v.score is not None else v.auroc
    assert figure is not None and figure.name == v.metric.name
    return figure


def drift(v) -> dict[str, float]:
    return {d.column: d.psi for d in v.drift}


def inputs(credit) -> set[str]:
    return {f.name for f in credit.results.model.schema.features}


# --- 1. the development hold-out itself ---------------------------------------------


def test_the_holdout_rows_reproduce_the_runs_score_and_do_not_drift(credit):
    v = tuneplate.validate(credit.folder, credit.holdout)
    assert v.with_outcomes and v.rows == len(credit.holdout) == credit.results.model.profile.rows
    assert own(v).new == pytest.approx(credit.results.holdout, abs=1e-9)
    assert own(v).development == pytest.approx(credit.results.holdout, abs=1e-9)
    auc = credit.results.holdout_metrics["roc_auc"]
    assert v.auroc.new == pytest.approx(auc, abs=1e-9)
    assert v.event_rate == pytest.approx(credit.results.model.profile.events / v.rows)
    # every model input and the scores are compared, and none of them moved
    assert set(drift(v)) == inputs(credit) | {SCORES}
    assert max(drift(v).values()) < 0.01
    assert v.verdict == STILL


def test_the_business_figures_are_redone_at_the_frozen_operating_point(credit):
    v = check(credit, credit.holdout)
    run = credit.results.headline.figures
    assert v.operating_threshold == run["operating_threshold"]
    assert v.headline is not None and v.tables
    shared = {
        k
        for k, x in v.headline.figures.items()
        if k in run and isinstance(x, float) and isinstance(run[k], float)
    }
    assert {"bad_rate_approved", "profit_per_1000"} <= shared
    for name in shared:  # the same rows at the same cut-off: the same money and rates
        assert v.headline.figures[name] == pytest.approx(run[name], rel=1e-6), name


def test_the_business_figures_use_the_runs_assumptions_not_todays_defaults(credit, monkeypatch):
    """A vertical whose default exposure changed after the run (an upgrade, a team's edit)
    redid the frozen run's money with the new default and said nothing."""
    from tuneplate.verticals.credit_risk import metrics as credit_metrics

    monkeypatch.setitem(credit_metrics.ASSUMPTIONS, "exposure", 8000.0)
    v = check(credit, credit.holdout)
    run = credit.results.headline.figures
    assert v.headline.figures["profit_per_1000"] == pytest.approx(run["profit_per_1000"], rel=1e-6)


def _age_groups(tables) -> set[str]:
    fair = next(t for t in tables if t.key == "fairness").frame
    return set(fair.loc[fair["Attribute"] == "age_in_years", "Group"])


def test_a_numeric_protected_column_keeps_the_runs_groups_on_new_rows(credit):
    """validate cut age at the new rows' own quartiles (28–36 at the run, 28–35 on the
    new rows), so the adverse-impact trigger compared groups the run never reported."""
    run = _age_groups(credit.results.tables)
    assert len(run) == 4  # quartile bands of the hold-out
    older = credit.holdout[credit.holdout["age_in_years"] >= 30]
    assert len(older) >= 100  # enough rows for the vertical's tables
    assert _age_groups(check(credit, older).tables) <= run
    assert _age_groups(check(credit, credit.holdout).tables) == run


def test_the_diagnosis_holdout_reproduces_its_score_too(diagnosis):
    v = tuneplate.validate(diagnosis.folder, diagnosis.holdout)
    assert v.metric.name == diagnosis.tuned.metric.name
    assert own(v).new == pytest.approx(diagnosis.tuned.holdout, abs=1e-9)
    assert max(d.psi for d in v.drift) < 0.01


# --- 2. one input shifted -----------------------------------------------------------


def _only_that_input_moved(credit, v, column: str) -> None:
    index = drift(v)
    assert index[column] > 0.25
    others = {c: p for c, p in index.items() if c not in (column, SCORES)}
    assert others and max(others.values()) < 0.10, others
    assert v.verdict == WATCH
    assert any(repr(column) in reason for reason in v.reasons), v.reasons


def test_a_numeric_input_multiplied_by_three_is_named(credit):
    rows = credit.holdout.drop(columns=[CREDIT_TARGET])
    rows["credit_amount"] = rows["credit_amount"] * 3
    v = check(credit, rows)
    assert not v.with_outcomes and v.calibration is None
    _only_that_input_moved(credit, v, "credit_amount")


def test_one_level_replaced_by_another_is_named(credit):
    rows = credit.holdout.drop(columns=[CREDIT_TARGET])
    rows.loc[rows["housing"] == "own", "housing"] = "rent"
    _only_that_input_moved(credit, check(credit, rows), "housing")


def test_levels_never_seen_are_counted_in_one_line(credit):
    base = {d.column: d for d in check(credit, credit.holdout).drift}["purpose"]
    rows = credit.holdout.drop(columns=[CREDIT_TARGET])
    replaced = rows["purpose"] == "car (new)"  # a level the model knows
    assert replaced.mean() > 0.05
    rows.loc[replaced, "purpose"] = "spaceship"
    v = check(credit, rows)
    d = {d.column: d for d in v.drift}["purpose"]
    assert d.unknown_levels == base.unknown_levels + replaced.sum()
    assert d.problem.startswith("purpose: ") and "did not learn" in d.problem
    assert f"{d.unknown_levels} of {len(rows)} rows" in d.problem
    assert v.verdict == WATCH
    assert f"{d.problem}; check the extract." in v.reasons
    others = {c: p for c, p in drift(v).items() if c not in ("purpose", SCORES)}
    assert max(others.values()) < 0.10


def test_unseen_levels_of_a_column_that_pooled_nothing_are_scored_as_missing(credit):
    rows = credit.holdout.drop(columns=[CREDIT_TARGET])
    rows.loc[:29, "housing"] = "castle"
    d = {d.column: d for d in check(credit, rows).drift}["housing"]
    assert d.unknown_levels == 30
    assert "scored as missing" in d.problem


# --- 3. calibration off -------------------------------------------------------------


def test_doubled_event_odds_ask_for_recalibration(credit):
    events = credit.holdout[credit.holdout[CREDIT_TARGET] == "bad"]
    rows = pd.concat([credit.holdout, events], ignore_index=True)  # the same ranking
    base, v = check(credit, credit.holdout), check(credit, rows)
    assert v.event_rate > 1.5 * base.event_rate
    assert v.auroc.new == pytest.approx(base.auroc.new, abs=1e-12)
    low, high = v.calibration.intercept_interval
    assert low > 0 and low <= v.calibration.intercept <= high
    # the odds doubled: about ln 2 more log-odds than on the hold-out itself
    assert v.calibration.intercept - base.calibration.intercept == pytest.approx(
        math.log(2), abs=0.1
    )
    assert v.verdict == RECALIBRATE
    assert v.reasons[0].startswith("Calibration-in-the-large is +")


# --- 4. ranking lost ----------------------------------------------------------------


@pytest.mark.parametrize("how", ["shuffled", "reversed"])
def test_outcomes_that_no_longer_follow_the_scores_ask_for_redevelopment(credit, how):
    rows = credit.holdout.copy()
    y = rows[CREDIT_TARGET].to_numpy()
    if how == "shuffled":
        rows[CREDIT_TARGET] = np.random.default_rng(0).permutation(y)
    else:
        rows[CREDIT_TARGET] = np.where(y == "bad", "good", "bad")
    v = check(credit, rows)
    assert v.auroc.difference_interval[1] < 0
    assert v.verdict == REDEVELOP
    assert "AUROC fell" in v.reasons[0]
    assert max(d.psi for d in v.drift) < 0.01  # the inputs did not move: only the outcomes


# --- 5. the run folder is read only -------------------------------------------------


def test_validate_writes_nothing_into_the_run_folder(credit):
    before = digest(credit.folder)
    tuneplate.validate(credit.folder, credit.holdout)
    assert digest(credit.folder) == before


def test_validate_with_out_writes_only_there(credit, tmp_path):  # needs the HTML report
    before = digest(credit.folder)
    out = tmp_path / "check"
    v = tuneplate.validate(credit.folder, credit.holdout, out=out)
    assert digest(credit.folder) == before
    saved = json.loads((out / VALIDATION_FILE).read_text())
    assert saved["verdict"] == v.verdict
    assert (out / "validation.html").stat().st_size > 0


def test_out_equal_to_the_run_folder_is_refused(credit):
    before = digest(credit.folder)
    spelled_otherwise = f"{credit.folder}/../{credit.folder.name}"
    with pytest.raises(tuneplate.TuneplateError, match="inside the run folder"):
        tuneplate.validate(credit.folder, credit.holdout, out=spelled_otherwise)
    assert digest(credit.folder) == before


def test_an_earlier_validation_is_kept_without_force(credit, tmp_path):
    (tmp_path / VALIDATION_FILE).write_text("earlier\n")
    with pytest.raises(tuneplate.TuneplateError, match="--force"):
        tuneplate.validate(credit.folder, credit.holdout, out=tmp_path)
    assert (tmp_path / VALIDATION_FILE).read_text() == "earlier\n"


def test_validation_json_is_strict_json_even_without_outcomes(credit, tmp_path):
    v = check(credit, credit.holdout.drop(columns=[CREDIT_TARGET]))
    assert math.isnan(v.event_rate)  # NaN figures must still save (as null)
    saved = json.loads(v.save(tmp_path).read_text())
    assert saved["verdict"] == v.verdict and saved["with_outcomes"] is False
    assert saved["event_rate"] is None
    assert {d["column"] for d in saved["drift"]} == inputs(credit) | {SCORES}


# --- 6. reading the new rows --------------------------------------------------------


def _same_scores(a, b) -> None:
    assert a.rows == b.rows
    assert a.mean_score == pytest.approx(b.mean_score, rel=1e-12)
    assert own(a).new == pytest.approx(own(b).new, rel=1e-12)
    assert a.calibration.slope == pytest.approx(b.calibration.slope, rel=1e-9)
    assert drift(a) == pytest.approx(drift(b), abs=1e-12)


def _european(table: pd.DataFrame, decimals: int | None = None) -> pd.DataFrame:
    """Numbers as text with a decimal comma and dot-grouped thousands: 1.234,5."""
    out = table.copy()
    for column in table.select_dtypes("number").columns:
        fmt = f"{{:,.{decimals}f}}" if decimals is not None else "{:,}"
        out[column] = [
            fmt.format(x).replace(",", "_").replace(".", ",").replace("_", ".")
            for x in table[column]
        ]
    return out


def test_a_semicolon_decimal_comma_csv_scores_as_the_dataframe(credit, tmp_path):
    path = tmp_path / "rows.csv"
    _european(credit.holdout, decimals=2).to_csv(path, sep=";", index=False)
    assert "5.951,00" in path.read_text()  # the file really is written the other way
    _same_scores(
        tuneplate.validate(credit.folder, path), tuneplate.validate(credit.folder, credit.holdout)
    )


def test_numbers_given_as_text_score_as_the_numbers(credit):
    rows = credit.holdout.copy()
    for column in rows.select_dtypes("number").columns:
        rows[column] = rows[column].astype(str)
    _same_scores(check(credit, rows), check(credit, credit.holdout))


def test_files_in_another_convention_than_the_training_file_score_the_same(diagnosis, tmp_path):
    rules = diagnosis.tuned.model.schema.rules
    assert (rules["separator"], rules["decimal"]) == (";", ",")  # what the run stored
    base = tuneplate.validate(diagnosis.folder, diagnosis.holdout)
    point = tmp_path / "point.csv"  # comma-separated, decimal point: another convention
    diagnosis.holdout.to_csv(point, index=False)
    grouped = tmp_path / "grouped.csv"  # the training convention, thousands grouped
    _european(diagnosis.holdout, decimals=10).to_csv(grouped, sep=";", index=False)
    assert re.search(r";\d\.\d{3},\d", grouped.read_text())  # e.g. 1.001,0
    for path in (point, grouped):
        _same_scores(tuneplate.validate(diagnosis.folder, path), base)


def test_a_missing_model_column_is_named(credit):
    with pytest.raises(tuneplate.TuneplateError, match="'credit_amount'"):
        tuneplate.validate(credit.folder, credit.holdout.drop(columns=["credit_amount"]))


@pytest.mark.parametrize(
    "values",
    [["yes", "no"], [0, 1], [0, 1, 2]],
    ids=["other-words", "zero-one", "three-values"],
)
def test_a_target_that_is_not_the_runs_outcome_is_refused_in_one_line(credit, values):
    rows = credit.holdout.copy()
    rows[CREDIT_TARGET] = np.resize(values, len(rows))
    with pytest.raises(tuneplate.TuneplateError) as caught:
        tuneplate.validate(credit.folder, rows)
    message = str(caught.value)
    assert "\n" not in message and repr(CREDIT_TARGET) in message and "'bad'" in message


def test_rows_without_an_outcome_are_scored_but_left_out_of_the_outcome_figures(credit):
    rows = credit.holdout.copy()
    rows.loc[:9, CREDIT_TARGET] = None
    v = check(credit, rows)
    assert v.rows == len(rows) and v.rows_without_outcome == 10
    known = credit.holdout.iloc[10:]
    assert v.event_rate == pytest.approx((known[CREDIT_TARGET] == "bad").mean())


def test_a_folder_without_results_is_refused_in_one_line(credit, tmp_path):
    with pytest.raises(tuneplate.TuneplateError, match="results.json") as caught:
        tuneplate.validate(tmp_path, credit.holdout)
    assert "\n" not in str(caught.value)


def test_a_run_saved_before_profiles_still_validates_with_a_note(credit, tmp_path):
    old = tmp_path / "old-run"
    shutil.copytree(credit.folder, old)
    for path in (old / "model.json", old / "baseline" / "model.json"):
        if path.is_file():  # the tuned model's, and the recommended baseline's
            meta = json.loads(path.read_text())
            del meta["profile"]
            path.write_text(json.dumps(meta))
    v = tuneplate.validate(old, credit.holdout)
    assert v.drift == ()
    assert any("no development profile" in note for note in v.notes)
    assert own(v).new == pytest.approx(credit.results.holdout, abs=1e-9)


# --- 8. figures over time -----------------------------------------------------------


def _dated(credit, months: int) -> pd.DataFrame:
    rows = credit.holdout.copy()
    days = np.linspace(0, months * 30.44 - 1, len(rows)).astype(int)
    rows["applied"] = pd.Timestamp("2024-01-01") + pd.to_timedelta(days, unit="D")
    return rows


def test_a_span_under_two_years_is_shown_by_month(credit):
    rows = _dated(credit, 12)
    rows["applied"] = rows["applied"].dt.strftime("%Y-%m-%d")  # dates as text read too
    v = check(credit, rows, time="applied")
    first, *periods = v.periods
    assert first.label == DEVELOPMENT
    assert first.rows == credit.results.model.profile.rows
    assert first.auroc == pytest.approx(credit.results.holdout_metrics["roc_auc"])
    months = pd.to_datetime(rows["applied"]).dt.strftime("%Y-%m")
    assert [p.label for p in periods] == sorted(months.unique())
    assert len(periods) == 12
    bad = rows[CREDIT_TARGET].eq("bad")
    for p in periods:
        assert p.rows == (months == p.label).sum()
        assert p.event_rate == pytest.approx(bad[months == p.label].mean())


@pytest.mark.parametrize(("months", "first", "count"), [(23, "2024-01", 23), (36, "2024Q1", 12)])
def test_by_quarter_above_two_years_by_month_below(credit, months, first, count):
    v = check(credit, _dated(credit, months), time="applied")
    labels = [p.label for p in v.periods]
    assert labels[0] == DEVELOPMENT and labels[1] == first and len(labels) == count + 1
    assert sum(p.rows for p in v.periods[1:]) == len(credit.holdout)


def test_the_periods_holding_values_outside_the_bounds_are_named(credit, tmp_path, capsys):
    """Durations of -5 in one month were counted for the whole batch only: nothing said
    which period held them, so a reviewer could not tell when the extract broke."""
    rows = _dated(credit, 4)
    march = rows.index[rows["applied"].dt.strftime("%Y-%m") == "2024-03"]
    rows.loc[march[:12], "duration_in_month"] = -5
    path = tmp_path / "rows.csv"
    rows.to_csv(path, index=False)
    out = tmp_path / "check"
    args = ["validate", str(credit.folder), "--data", str(path), "--time", "applied"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert main([*args, "--out", str(out)]) == 0
    said = f"'duration_in_month' in 2024-03 (12 of {len(march)} rows)"
    assert said in capsys.readouterr().out  # a note line in the terminal
    saved = json.loads((out / "validation.json").read_text())
    found = {p["label"]: p["out_of_domain"] for p in saved["periods"]}
    assert found == {DEVELOPMENT: {}, "2024-01": {}, "2024-02": {}, "2024-03":
                     {"duration_in_month": 12}, "2024-04": {}}  # fmt: skip
    assert any(said in note for note in saved["notes"])
    page = (out / "validation.html").read_text(encoding="utf-8")
    periods = page[page.index('data-table="periods"') :]
    assert "Outside the development's bounds" in periods
    assert "duration_in_month: 12 (" in periods[: periods.index("</table>")]


def test_a_time_column_without_dates_is_refused_in_one_line(credit):
    rows = credit.holdout.assign(applied="soon")
    with pytest.raises(tuneplate.TuneplateError, match="'applied'") as caught:
        check(credit, rows, time="applied")
    assert "\n" not in str(caught.value)


# --- 7. the profile, saved and read back (its statistics: test_monitoring_statistics.py)


def test_profile_survives_json(credit):
    profile = credit.tuned.model.profile
    assert Profile.from_dict(json.loads(json.dumps(profile.to_dict()))) == profile
    saved = Results.load(credit.folder)
    assert saved.model.profile == profile  # as saved in model.json and read back
    if credit.tuned.baseline_model is not None:  # and the recommended baseline's, too
        assert saved.baseline_model.profile == credit.tuned.baseline_model.profile
    assert set(profile.columns) == inputs(credit)
    levels = Bands.learn(pd.Categorical(["a", "b", None, "a"]))
    small = Profile(4, Bands.learn(np.array([0.1, 0.2, 0.3, 0.4])), {"c": levels}, events=1)
    assert Profile.from_dict(json.loads(json.dumps(small.to_dict()))) == small


# -- the run report's monitoring triggers, read on the new rows ---------------------------


def test_triggers_on_the_holdout_itself_fire_none_but_what_development_already_had(credit):
    v = tuneplate.validate(credit.folder, credit.holdout)
    lights = [t.light for t in v.triggers]
    assert "red" not in lights, v.triggers
    assert lights[-1] == "grey"  # a business assumption: a judgement, never read from data


def test_a_doubled_event_rate_fires_the_rate_and_calibration_triggers(credit):
    rows = credit.holdout
    events = rows[rows[CREDIT_TARGET] == "bad"]
    v = tuneplate.validate(credit.folder, pd.concat([rows, events, events, events]))
    by_rule = {t.rule: t for t in v.triggers}
    rate = next(t for r, t in by_rule.items() if r.startswith("The observed event rate"))
    bands = next(t for r, t in by_rule.items() if r.startswith("In a score band"))
    assert rate.light == "red" and "at development" in rate.reading
    assert bands.light == "red"


def test_a_fired_trigger_is_said_beside_a_verdict_whose_rules_hold(credit, monkeypatch):
    """A fresh user read 'still performs as developed … No rule is crossed' beside a fired
    calibration-band trigger: the verdict keeps its label (the exported validate.py gives
    the same one) and now says which trigger fired."""
    from tuneplate.engine import validate as validating
    from tuneplate.engine.triggers import Trigger

    calm = tuneplate.validate(credit.folder, credit.holdout)
    assert calm.verdict == "still performs as developed"
    assert not [r for r in calm.reasons if "trigger fired" in r]
    red = Trigger("In a score band, the observed rate moves", "largest gap 18.6%", "red")
    monkeypatch.setattr(validating, "triggers", lambda v, results: (red,))
    v = tuneplate.validate(credit.folder, credit.holdout)
    assert v.verdict == calm.verdict
    assert v.reasons[-1].startswith("But the run's monitoring trigger fired: in a score band")
    assert "largest gap 18.6%" in v.reasons[-1]


@pytest.mark.parametrize("how", ["no outcome column", "one outcome only"])
def test_rows_without_outcomes_of_both_kinds_are_not_called_still_performing(
    credit, how, tmp_path, capsys
):
    """The scores of the hold-out itself, without its outcomes: stable, but nothing on
    these rows shows that the model still ranks or that its probabilities match; "still
    performs as developed" claimed both (a fresh user's report)."""
    rows = credit.holdout.drop(columns=[CREDIT_TARGET])
    if how == "one outcome only":
        rows = credit.holdout[credit.holdout[CREDIT_TARGET] == "good"]
    v = tuneplate.validate(credit.folder, rows)
    assert v.verdict == UNJUDGED and v.auroc is None and v.calibration is None
    assert "could not be checked" in v.reasons[0] and "score PSI" in v.reasons[0]
    data = tmp_path / "rows.csv"
    rows.to_csv(data, index=False)
    out = tmp_path / "v"
    assert main(["validate", str(credit.folder), "--data", str(data), "--out", str(out)]) == 0
    assert "verdict: stable; performance not judged" in capsys.readouterr().out
    html = (out / "validation.html").read_text()
    assert "still performs" not in html and "without outcomes, ranking and" in html
    # a moved input still says "watch", outcomes or none
    moved = rows.assign(credit_amount=rows["credit_amount"] * 3)
    assert tuneplate.validate(credit.folder, moved).verdict == WATCH


def test_without_outcomes_the_outcome_triggers_say_they_cannot_tell(credit):
    v = tuneplate.validate(credit.folder, credit.holdout.drop(columns=[CREDIT_TARGET]))
    needs = [t for t in v.triggers if t.reading == "needs outcomes"]
    assert len(needs) >= 3 and all(t.light == "grey" for t in needs)
    psi = next(t for t in v.triggers if t.rule.startswith("Score PSI"))
    assert psi.light == "green"


def test_no_value_of_a_new_row_reaches_validation_html_or_json(credit, tmp_path):
    """Aggregates only: a planted amount, a one-row level, an identifier column and a
    date appear in neither file, with outcomes and over time."""
    rows = credit.holdout.copy()
    rows["credit_amount"] = rows["credit_amount"].astype(float)
    rows.loc[rows.index[3], "credit_amount"] = 987654.321
    rows["purpose"] = rows["purpose"].astype(object)
    rows.loc[rows.index[5], "purpose"] = "ZZ-MARKER-LEVEL"
    rows["customer_id"] = [f"CUST-MARKER-{i:05d}" for i in range(len(rows))]
    rows["applied"] = pd.date_range("2024-01-03", periods=len(rows), freq="D")
    tuneplate.validate(credit.folder, rows, time="applied", out=tmp_path / "check")
    for name in ("validation.json", "validation.html"):
        text = (tmp_path / "check" / name).read_text(encoding="utf-8")
        for marker in ("987654", "987,654", "9.87654e", "ZZ-MARKER", "CUST-MARKER", "2024-01-03"):
            assert marker not in text, f"{name}: {marker}"


# -- what a first user broke: small files, broken extracts, labels, dates -----------------


def test_fewer_than_thirty_rows_are_refused_in_one_line(credit):
    with pytest.raises(tuneplate.TuneplateError, match="at least 30"):
        tuneplate.validate(credit.folder, credit.holdout.head(29))


@pytest.mark.parametrize("n", [40, 80])
def test_small_samples_of_the_holdout_itself_are_never_called_drifting(credit, n):
    """Under 100 rows no PSI is banded (the chi-squared noise does not hold there)."""
    rng = np.random.default_rng(n)
    rows = credit.holdout.drop(columns=[CREDIT_TARGET])
    for _ in range(5):
        sample = rows.iloc[rng.choice(len(rows), n, replace=False)]
        v = tuneplate.validate(credit.folder, sample)
        assert v.verdict == NOT_JUDGED, v.reasons  # nothing judged: not called stable
        assert {d.band for d in v.drift} == {TOO_FEW}


def test_resamples_of_the_holdout_rarely_look_moved_across_twenty_inputs(credit):
    """150 rows drawn from the hold-out: the inputs share the 5% (Bonferroni), so one in
    ten files at most is flagged by chance alone."""
    rng = np.random.default_rng(1)
    rows = credit.holdout.drop(columns=[CREDIT_TARGET])
    flagged = 0
    for _ in range(10):
        sample = rows.iloc[rng.choice(len(rows), 150, replace=True)]
        flagged += tuneplate.validate(credit.folder, sample).verdict != UNJUDGED
    assert flagged <= 1


def test_a_broken_extract_is_said_first_even_when_outcomes_say_recalibrate(credit):
    rows = credit.holdout.copy()
    rows.loc[rows.index[::25], "credit_amount"] = np.nan  # 4% of the column came out empty
    events = rows[rows[CREDIT_TARGET] == "bad"]
    rows = pd.concat([rows, events, events, events])  # and the event rate more than doubled
    v = tuneplate.validate(credit.folder, rows)
    assert v.verdict in (RECALIBRATE, REDEVELOP)
    assert v.reasons[0].startswith("Check the extract")
    assert any(r.startswith("credit_amount:") for r in v.reasons[1:])


@pytest.mark.parametrize("how", ["emptied", "decimal comma"])
def test_an_input_the_model_could_largely_not_read_gets_no_performance_verdict(
    credit, how, tmp_path
):
    """A column exported empty, or written "1065,26" in a point-decimal file, is scored
    as missing on every row: the AUROC falls and "redevelop" led the page, when the
    extract, not the model, needs the fix (a fresh user's report)."""
    rows = credit.holdout.copy()
    if how == "emptied":
        rows["credit_amount"] = np.nan
    else:
        rows["credit_amount"] = [f"{x},25" for x in rows["credit_amount"]]
    data = tmp_path / "rows.csv"
    rows.to_csv(data, index=False)
    v = tuneplate.validate(credit.folder, data)
    assert v.verdict == FIX_EXTRACT
    assert "could not read 100% of 'credit_amount'" in v.reasons[0]
    assert "Fix the extract" in v.reasons[0]
    assert any(r.startswith("credit_amount:") for r in v.reasons[1:])
    assert v.auroc is not None  # the figures are still shown, for what they are


@pytest.mark.parametrize("factor", [1 / 1000, 1000])
def test_a_changed_unit_is_an_extract_fault_said_first_as_scoring_says_it(credit, factor):
    """Amounts in thousands: explain, score.py and predict_proba warned "a change of unit
    or reading?", validate said nothing of it and gave "recalibrate" or "watch" alone;
    then, a batch read 1,000 times too large (a decimal point taken for a thousands
    separator) got the headline "redevelop", blaming the model for the file."""
    rows = credit.holdout.copy()
    rows["credit_amount"] = rows["credit_amount"] * factor
    v = tuneplate.validate(credit.folder, rows)
    line = next(d.problem for d in v.drift if d.column == "credit_amount")
    assert "a change of unit or reading" in line
    assert v.verdict == FIX_EXTRACT
    assert "'credit_amount' lie almost all beyond the development's range" in v.reasons[0]
    assert any(r.startswith("credit_amount:") and "change of unit" in r for r in v.reasons)
    assert v.auroc is not None  # the figures are still shown, for what they are


def test_a_segment_past_the_outer_band_is_drift_not_a_broken_extract(credit):
    """Validating on the large loans alone (values inside the development range, past its
    top band) was called "fix the extract first ... a changed unit": a segment or a moved
    population is the model's concern, said as such; only a jump of ten times or more
    past the edge is taken for the file's unit."""
    rows = credit.holdout.copy()
    top = rows["credit_amount"].quantile(0.9)
    rows["credit_amount"] = np.where(rows["credit_amount"] > top, rows["credit_amount"], top * 1.5)
    v = tuneplate.validate(credit.folder, rows)
    line = next(d.problem for d in v.drift if d.column == "credit_amount")
    assert "a change of unit or reading" in line  # still said, as a question
    assert v.verdict != FIX_EXTRACT
    assert not next(d for d in v.drift if d.column == "credit_amount").off_range


def test_a_unit_change_of_a_negative_input_is_found_both_ways():
    """An overdraft (all negative) times 1,000 or divided by 1,000 was "drifting: watch":
    the factor past the edge was only measured for positive values. A batch that crosses
    0 (ratios of magnitudes mean nothing there) and a segment just past the edge are not
    a unit change."""
    from tuneplate.engine.contract.schema import Schema

    rng = np.random.default_rng(4)
    dev = pd.DataFrame({"overdraft": -rng.lognormal(6, 0.6, 500)})
    schema = Schema.learn(dev, ["overdraft"])[0].fit_levels(dev)[0]
    profile = Profile.learn(schema, schema.encode(dev)[0], rng.random(500))

    def changed(values):
        return profile.unit_changes(schema, schema.encode(pd.DataFrame({"overdraft": values}))[0])

    new = dev["overdraft"].to_numpy()[:100]
    assert changed(new * 1000) == ("overdraft",)
    assert changed(new / 1000) == ("overdraft",)
    top = dev["overdraft"].quantile(0.95)
    assert changed(np.full(100, top * 0.8)) == ()  # just past the edge (nearer 0): drift
    assert changed(np.abs(new)) == ()  # across 0: not measured as a unit


@pytest.mark.parametrize("how", ["upper", "spaced"])
def test_levels_written_in_another_case_are_an_extract_fault(credit, how):
    """The checking-account levels upper-cased by the extract: unknown to the model, so
    scored as missing; "recalibrate" blamed the model (a fresh user's report)."""
    rows = credit.holdout.copy()
    column = "status_of_existing_checking_account"
    change = str.upper if how == "upper" else (lambda v: f" {v.lower()}  ")
    rows[column] = rows[column].map(change)
    v = tuneplate.validate(credit.folder, rows)
    assert v.verdict == FIX_EXTRACT
    assert f"of {column!r}" in v.reasons[0] and "another case" in v.reasons[0]
    drift = next(d for d in v.drift if d.column == column)
    assert drift.other_case == drift.unknown_levels > 0
    assert "learned levels written in another case" in drift.problem


def test_moved_scores_without_a_broken_extract_are_not_called_an_extract_fault():
    """Scores that moved with the population (no unreadable value, missing column or new
    level) lead a "recalibrate" verdict as a move to weigh, not as an extract to check."""
    from tuneplate.engine.contract.intervals import Calibration
    from tuneplate.engine.contract.monitoring import SCORES, Drift, verdict

    off = Calibration(0.8, (0.5, 1.1), 1.0, (0.8, 1.2))  # more events than predicted
    moved = Drift(SCORES, 0.3, "major shift", noise=0.05, rows=800)
    label, reasons = verdict(None, off, (moved,), event_rate=0.45, mean_score=0.30)
    assert label == RECALIBRATE
    assert reasons[0].startswith("The new rows moved away from the development rows")
    assert reasons[1].startswith("The scores moved: PSI 0.30")
    assert not any("extract" in r for r in reasons)
    broken = Drift(
        "income", 0.0, "stable", rows=800, unreadable=40, problem="income: 40 unreadable"
    )
    label, reasons = verdict(None, off, (moved, broken), event_rate=0.45, mean_score=0.30)
    assert label == RECALIBRATE  # 5% unreadable: said first, the verdict stands
    assert reasons[0] == "Check the extract before acting on this verdict:"
    for unreadable, new_missing in ((80, 0), (0, 80), (80, 80)):  # 10%: no verdict on it
        broken = Drift("income", 0.0, "stable", rows=800, unreadable=unreadable,
                       new_missing=new_missing, problem="income: 10% not read")  # fmt: skip
        assert verdict(None, off, (moved, broken))[0] == FIX_EXTRACT


def test_the_event_is_found_case_aside_or_named_with_positive(credit):
    rows = credit.holdout.copy()
    base = tuneplate.validate(credit.folder, rows)
    rows[CREDIT_TARGET] = rows[CREDIT_TARGET].str.upper()  # "BAD"/"GOOD"
    assert tuneplate.validate(credit.folder, rows).auroc.new == base.auroc.new
    rows[CREDIT_TARGET] = (rows[CREDIT_TARGET] == "BAD").astype(int)  # 1/0
    with pytest.raises(tuneplate.TuneplateError, match="--positive"):
        tuneplate.validate(credit.folder, rows)
    named = tuneplate.validate(credit.folder, rows, positive=1)
    assert named.auroc.new == base.auroc.new


def test_outcomes_not_known_yet_are_named_not_blamed_on_the_event(credit):
    """A batch with "pending" and "(blank)" beside the run's two outcomes was told to name
    the event with --positive, which then failed the same way."""
    rows = credit.holdout.copy()
    rows.loc[rows.index[:30], CREDIT_TARGET] = ["pending", "(blank)"] * 15
    for positive in (None, "bad"):
        with pytest.raises(tuneplate.TuneplateError) as e:
            tuneplate.validate(credit.folder, rows, positive=positive)
        said = str(e.value)
        # "(blank)" is a missing outcome now, left out and counted; "pending" is not a word
        assert "2 values besides the run's event 'bad' ('good', 'pending')" in said
        assert "--positive" not in said and "leave out the rows" in said
    kept = rows[~rows[CREDIT_TARGET].isin(["pending", "(blank)"])]
    assert tuneplate.validate(credit.folder, kept).auroc.new > 0.5


def test_unreadable_dates_are_counted_not_a_traceback(credit):
    rows = credit.holdout.copy()
    rows["applied"] = pd.date_range("2024-01-01", periods=len(rows), freq="D").astype(str)
    rows.loc[rows.index[:3], "applied"] = ["", "not a date", None]
    v = tuneplate.validate(credit.folder, rows, time="applied")
    assert any("3 of 200 rows have no readable date" in n for n in v.notes)
    assert sum(p.rows for p in v.periods[1:]) == len(rows) - 3


def test_small_periods_get_no_band_and_never_move(credit):
    rows = credit.holdout.copy()
    rows["applied"] = pd.date_range("2021-01-01", periods=len(rows), freq="5D")  # ~6 a month
    v = tuneplate.validate(credit.folder, rows, time="applied")
    assert all(p.band in (TOO_FEW, "") for p in v.periods[1:])


def test_validating_the_development_rows_says_the_figures_flatter(credit):
    table = credit.vertical.example().table
    development = json.loads((credit.folder / "split.json").read_text())["development"]
    v = tuneplate.validate(credit.folder, table.iloc[development], model="tuned")
    assert v.auroc.new > v.auroc.development
    assert any("flatters the model" in n for n in v.notes)


def test_a_recommended_baseline_is_said_not_silently_swapped(credit):
    from dataclasses import replace

    results = Results.load(credit.folder)
    results.baseline = replace(results.baseline, label="L2 logistic regression", decision="same")
    v = validate(results, credit.vertical, credit.holdout)
    assert any("recommended its simple L2 logistic regression" in n for n in v.notes)


def test_a_comma_file_with_thousands_commas_scores_as_the_rows_for_a_decimal_comma_model(
    diagnosis, tmp_path
):
    """The model was tuned on a 1.234,5 file; an Excel export writes 1,234.5 in quotes.
    Each file's numbers are read as that file writes them: never "1,001.0" as 1.001."""
    rows = diagnosis.holdout.copy()
    written = rows.copy()
    for col in written.columns:
        if pd.api.types.is_float_dtype(written[col]):
            written[col] = [f"{x:,.17g}" for x in written[col]]  # "1,001.2"
    path = tmp_path / "excel.csv"
    written.to_csv(path, index=False)
    assert any("," in str(v) for v in written.iloc[:, :30].to_numpy().ravel())
    model = Results.load(diagnosis.folder).model
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no column may be unreadable
        from_file = model.predict_proba(read_table(path))[:, 1]
    np.testing.assert_allclose(from_file, model.predict_proba(rows)[:, 1], atol=1e-9)
    v = tuneplate.validate(diagnosis.folder, path)
    assert all(d.unreadable == 0 for d in v.drift)
    assert max(d.psi for d in v.drift) < 0.01


def test_the_model_the_report_recommends_is_saved_and_validated(credit):
    """When the tuned model does not beat the simple baseline, the report recommends the
    baseline: the run folder keeps its model (baseline/), and validate checks that one
    against its own hold-out figures unless told model="tuned"."""
    base = credit.tuned.baseline
    saved = (credit.folder / "baseline" / "model.json").is_file()
    assert saved == bool(base.recommended)
    v = tuneplate.validate(credit.folder, credit.holdout)
    tuned = tuneplate.validate(credit.folder, credit.holdout, model="tuned")
    assert tuned.model_family == credit.tuned.model_family
    assert own(tuned).new == pytest.approx(credit.tuned.holdout, abs=1e-9)
    if base.recommended:
        assert v.model_family == base.family
        assert own(v).new == pytest.approx(base.holdout, abs=1e-9)
        assert any("this is the model frozen and checked here" in n for n in v.notes)
    else:
        assert v.model_family == credit.tuned.model_family


def test_the_event_rate_trigger_uses_the_stated_prevalence(diagnosis):
    """A run stating --prevalence 5% on a 34% case-control sample: its monitoring trigger
    "moves well away from the 34.0%" fires on the first day of use at 5%."""
    import dataclasses

    from tuneplate.engine.triggers import expected_rate
    from tuneplate.reports.monitoring import monitoring

    results = Results.load(diagnosis.folder, model=False)
    share = results.data["positive_share"]
    assert expected_rate(results) == (pytest.approx(share), "at development")
    told = {"prevalence": 0.05, "prevalence_source": "stated with --prevalence"}
    stated = dataclasses.replace(results, assumptions={**results.assumptions, **told})
    assert expected_rate(stated) == (0.05, "the stated prevalence")
    lines = " ".join(monitoring(stated))
    assert "from the stated prevalence of 5.0%" in lines and f"{share:.1%}" not in lines


def test_period_numbers_that_run_accepts_are_periods_in_validate_too():
    """`run --time period` takes 202403-like numbers; `validate --time period` refused
    the same column ("holds no date that can be read"), even on the run's own rows."""
    from tuneplate.engine.periods import _order, _period_labels

    months, ok = _period_labels(pd.Series([202012, 202101, 202101, 202102], name="period"))
    assert ok.all() and list(months) == ["2020-12", "2021-01", "2021-01", "2021-02"]
    days, _ = _period_labels(pd.Series([20240131, 20240215]))
    assert list(days) == ["2024-01", "2024-02"]
    index, ok = _period_labels(pd.Series([9.0, 10.0, None, 2.0]))  # a quarter index
    assert list(index) == ["9", "10", "", "2"] and list(ok) == [True, True, False, True]
    assert sorted(set(index[ok]), key=_order) == ["2", "9", "10"]


def test_validate_reads_the_same_triggers_the_run_report_lists(credit, diagnosis):
    """The validation page said "none of the run report's 6 triggers fired" where the run
    report listed 4: it added a calibration and a fairness trigger the run never set."""
    from tuneplate.engine.triggers import triggers
    from tuneplate.reports.monitoring import monitoring

    for run, rows in ((credit.results, credit.holdout), (diagnosis.folder, diagnosis.holdout)):
        results = Results.load(run) if isinstance(run, Path) else run
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            v = validate(results, tuneplate.load_vertical(results.vertical), rows)
        assert len(triggers(v, results)) == len(monitoring(results))


def test_a_banded_protected_column_given_as_words_is_left_out_with_a_note(credit):
    """Ages written "45 years" made one fairness group per text value, and the trigger
    fired on those made-up groups."""
    rows = credit.holdout.assign(age_in_years=credit.holdout["age_in_years"].map("{} years".format))
    v = check(credit, rows)
    assert not _age_groups(v.tables)  # no made-up groups
    assert any("'age_in_years' held numbers" in n for n in v.notes)
    as_text = credit.holdout.assign(age_in_years=credit.holdout["age_in_years"].astype(str))
    assert _age_groups(check(credit, as_text).tables) == _age_groups(credit.results.tables)


def test_the_auroc_interval_says_it_is_built_on_the_logit_scale(credit):
    """A validator reproduced the interval only on the logit scale, while the page called
    it "a normal interval from the AUROC's standard error"."""
    method = tuneplate.validate(credit.folder, credit.holdout).auroc.method
    assert method.startswith("a normal interval on the logit scale")


# -- a column with one value at development that varies in the new rows ------------------


@pytest.fixture(scope="module")
def branch(tmp_path_factory) -> SimpleNamespace:
    """A run whose every row came from one branch (and one product tier): both are left
    out of the model, their one value recorded with it."""
    folder = tmp_path_factory.mktemp("branch-run")
    table = tuneplate.load_vertical("credit-risk").example().table.assign(branch="Berlin", tier=2)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        tuneplate.tune(
            "credit-risk", table, target=CREDIT_TARGET, n_trials=2, model="logistic"
        ).save(folder)
    return SimpleNamespace(folder=folder, holdout=_holdout(folder, table))


def _quiet_validate(folder, rows, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return tuneplate.validate(folder, rows, **kwargs)


def test_rows_of_a_branch_the_model_never_saw_are_not_called_stable(branch, tmp_path):
    """Every development row was branch "Berlin", so the model left the column out; a
    batch a quarter "Munich" read "still performs as developed", without a word."""
    rows = branch.holdout.copy()
    rows.loc[rows.index % 4 == 0, "branch"] = "Munich"
    v = _quiet_validate(branch.folder, rows, out=tmp_path / "check")
    assert v.verdict == WATCH, v.reasons
    (reason,) = [r for r in v.reasons if "branch" in r]
    assert "50 of 200 rows (25.0%) hold another value than 'Berlin', or none" in reason
    assert "retrain with such rows, or score only rows with branch = 'Berlin'" in reason
    (row,) = [d for d in v.drift if d.column == "branch"]
    assert (row.one_value, row.other_values) == ("'Berlin'", 50)
    assert {d.column for d in v.drift if d.one_value} == {"branch", "tier"}
    # without outcomes too: not "stable; performance not judged"
    unjudged = _quiet_validate(branch.folder, rows.drop(columns=[CREDIT_TARGET]))
    assert unjudged.verdict == WATCH
    page = (tmp_path / "check" / "validation.html").read_text(encoding="utf-8")
    assert 'data-table="constants"' in page and "25.0%" in page
    assert "values the model never saw, in a column" in page  # its lead
    assert "Munich" not in page  # the new rows' own values stay out of the page
    # the rows as at development: nothing said, the verdict as before
    same = _quiet_validate(branch.folder, branch.holdout)
    assert not [r for r in same.reasons if "branch" in r or "tier" in r]
    assert same.verdict != WATCH, same.reasons


def test_a_constant_number_that_varies_is_counted_as_the_text_one(branch):
    rows = branch.holdout.assign(tier=np.where(np.arange(len(branch.holdout)) < 30, 3, 2))
    v = _quiet_validate(branch.folder, rows)
    assert v.verdict == WATCH
    assert any("tier: 30 of 200 rows (15.0%) hold another value than 2" in r for r in v.reasons)


def test_a_constant_column_the_rows_lack_is_said_unchecked(branch):
    v = _quiet_validate(branch.folder, branch.holdout.drop(columns=["branch"]))
    (note,) = [n for n in v.notes if "'branch'" in n]
    assert "'branch' ('Berlin')" in note and "cannot be checked" in note
    assert not [r for r in v.reasons if "branch" in r]


def test_a_run_saved_before_constants_were_recorded_validates_and_says_so(branch, tmp_path):
    old = tmp_path / "old-run"
    shutil.copytree(branch.folder, old)
    for path in (old / "model.json", old / "baseline" / "model.json"):
        if path.is_file():  # the tuned model's, and the recommended baseline's
            meta = json.loads(path.read_text())
            del meta["schema"]["constants"]
            path.write_text(json.dumps(meta))
    rows = branch.holdout.assign(branch="Munich")
    v = _quiet_validate(old, rows)
    assert not [d for d in v.drift if d.one_value]
    (note,) = [n for n in v.notes if "predates recording" in n]
    assert "'branch', 'tier'" in note and "cannot be checked" in note
    assert v.verdict == _quiet_validate(branch.folder, branch.holdout).verdict


def test_the_development_table_itself_is_refused_not_validated(credit, tmp_path, capsys):
    """German credit validated on its own file read "still performs as developed" at
    AUROC 0.823 against the hold-out's 0.774: most rows were ones the model learnt from.
    The same table, as a DataFrame with any index or as a CSV through the CLI, is refused
    in one line; its hold-out rows alone are still validated (tests above)."""
    table = credit.vertical.example().table
    for rows in (table, table.set_index(table.index + 1000)):
        with pytest.raises(tuneplate.TuneplateError, match="the table the run .* developed on"):
            tuneplate.validate(credit.folder, rows)
    data = tmp_path / "development.csv"
    table.to_csv(data, index=False)
    assert (
        main(["validate", str(credit.folder), "--data", str(data), "--out", str(tmp_path / "v")])
        == 2
    )
    err = capsys.readouterr().err
    assert "developed on" in err and "rows it never saw" in err and "Traceback" not in err
    assert not (tmp_path / "v").exists()  # nothing written


def test_the_exported_validate_py_refuses_the_development_table_too(diagnosis, tmp_path):
    """The exported validate.py gave "still performs" on the run's own file, where
    `tuneplate validate` refused it: the same fingerprint now refuses it there, for a
    run tuned from a semicolon, decimal-comma CSV (read under the run's rules); its
    hold-out rows in that format are validated."""
    project = tmp_path / "project"
    assert main(["export", str(diagnosis.folder), "--to", str(project)]) == 0
    source, out = diagnosis.folder.parent / "training.csv", tmp_path / "v.json"
    done = without_tuneplate(project, "validate.py", "--data", source, "--out", out)
    lines = done.stderr.strip().splitlines()
    assert done.returncode == 2 and len(lines) == 1, done.stderr
    assert "developed on" in lines[0] and "rows it never saw" in lines[0]
    assert not out.exists()
    held = tmp_path / "holdout.csv"
    diagnosis.holdout.to_csv(held, sep=";", decimal=",", index=False)
    done = without_tuneplate(project, "validate.py", "--data", held, "--out", out)
    assert done.returncode == 0 and "verdict:" in done.stdout, done.stderr
