"""Values no development row had: a duration of -5, a -999 for "missing", 45 for a 0.45
rate, a 2 in a 0/1 flag. The schema learns at fit which canonical bounds every
development row kept (`Feature.domain`); scoring counts the values outside them and says
so in one line (warning, `validate`), and still scores them as given.

Before the rule, a tenth of the rows holding an impossible value passed `validate` with
no line: the off-range check (`Profile.off_range`) judges a changed unit, which needs
most of a batch beyond the development's outer band.
"""

from __future__ import annotations

import json
import re
import warnings

import numpy as np
import pandas as pd
import pytest

import tuneplate
from tuneplate.engine.contract.schema import Schema, SchemaWarning, problems
from tuneplate.engine.results import Results
from tuneplate.engine.validate import FIX_EXTRACT, WATCH, recommended, validate


def _schema(table: pd.DataFrame) -> Schema:
    schema, _ = Schema.learn(table, list(table.columns))
    return schema.fit_levels(table)[0]


def _table(n: int = 300, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "duration": rng.integers(4, 72, n),
            "rate": rng.uniform(0, 1, n).round(3),
            "flag": rng.integers(0, 2, n),
            "balance": rng.normal(0, 1000, n).round(0),
            "purpose": rng.choice(["car", "tv", "house"], n),
        }
    )


def test_each_numeric_column_keeps_the_narrowest_bound_its_rows_held():
    schema = _schema(_table())
    domains = {f.name: f.domain for f in schema.features}
    assert domains == {
        "duration": "nonnegative",
        "rate": "unit_interval",
        "flag": "nonnegative",  # 0s and 1s: maybe a count never above 1 yet
        "balance": "",  # negative and positive: no bound to hold
        "purpose": "",
    }
    again = Schema.from_dict(json.loads(json.dumps(schema.to_dict())))
    assert again == schema  # model.json keeps the bounds


@pytest.mark.parametrize(
    "column, value, said",
    [
        ("duration", -5, "lie below 0"),
        ("duration", -999, "a code for missing"),
        ("rate", 45.0, "lie outside 0 to 1"),
        ("flag", -1, "lie below 0"),
    ],
)
def test_a_tenth_of_the_rows_outside_the_bounds_is_counted_and_said(column, value, said):
    table = _table()
    schema = _schema(table)
    new = table.head(100).copy()
    new.loc[:9, column] = value
    encoded, counts = schema.encode(new)
    assert counts[column].out_of_domain == 10
    (line,) = problems(counts)
    assert line.startswith(f"{column}: 10 of 100 rows (10.0%) ") and said in line
    assert "scored as given" in line
    assert (encoded[column].to_numpy()[:10] == value).all()  # never coerced


def test_values_inside_the_bounds_and_columns_without_one_are_not_flagged():
    table = _table()
    schema = _schema(table)
    new = _table(seed=1).head(100)
    new["balance"] = -new["balance"].abs() * 50  # far off, but it had no bound
    counts = schema.encode(new)[1]
    assert all(c.out_of_domain == 0 for c in counts.values())
    assert problems(counts) == []


def test_rounding_slack_and_signed_columns_are_not_flagged_and_a_flag_at_2_is_a_new_code():
    table = _table()
    schema = _schema(table)
    new = table.head(100).copy()
    new["rate"] = 1 - 0.7 - 0.3  # -5.6e-17: arithmetic, not a negative rate
    assert problems(schema.encode(new)[1]) == []
    # 0/1 at development: 2 is within the bounds (a count may reach 2), but no
    # development row held it, which is said as such, not as a value outside the bounds
    new.loc[:20, "flag"] = 2
    (line,) = problems(schema.encode(new)[1])
    assert line.startswith("flag: 21 of 100 rows (21.0%) hold a value no development row held")
    assert "below 0" not in line and "outside 0 to 1" not in line


def test_a_large_batch_says_a_few_hundred_values_outside_the_bounds():
    """401 durations of -1 in 50,000 rows are under 1% but no accident; nor are 9."""
    table = _table()
    schema = _schema(table)
    new = pd.concat([table] * 167, ignore_index=True).head(50_000)
    new.loc[:400, "duration"] = -1
    (line,) = problems(schema.encode(new)[1])
    assert line.startswith("duration: 401 of 50,000 rows (0.8%) lie below 0")
    new.loc[:400, "duration"] = 5
    new.loc[:8, "duration"] = -1  # 9 rows in 50,000: once unsaid, under 1% and 10 rows
    (line,) = problems(schema.encode(new)[1])
    assert line.startswith("duration: 9 of 50,000 rows (under 0.1%) lie below 0"), line
    new.loc[:8, "duration"] = 5
    assert problems(schema.encode(new)[1]) == []


def test_a_model_saved_before_the_rule_scores_as_it_did():
    table = _table()
    old = _schema(table).to_dict()
    for f in old["features"]:
        f.pop("domain")
    schema = Schema.from_dict(old)
    new = table.head(100).assign(duration=-5)
    assert problems(schema.encode(new)[1]) == []


def test_times_of_day_keep_their_own_range_and_get_no_bound():
    table = pd.DataFrame({"arrival": ["08:30", "12:05", "23:59", "00:10"] * 20})
    schema = _schema(table)
    assert schema.features[0].time_of_day and schema.features[0].domain == ""


# -- end to end: a tuned run's model and `validate` ------------------------------------


@pytest.fixture(scope="module")
def credit(tmp_path_factory):
    folder = tmp_path_factory.mktemp("credit-run")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        tuneplate.tune("credit-risk", n_trials=3, model="logistic").save(folder)
    vertical = tuneplate.load_vertical("credit-risk")
    positions = json.loads((folder / "split.json").read_text())["holdout"]
    rows = vertical.example().table.iloc[positions].reset_index(drop=True)
    return recommended(Results.load(folder))[0], vertical, rows


def test_the_model_warns_and_validate_blames_the_extract(credit):
    results, vertical, holdout = credit
    rows = holdout.copy()
    bad = rows.sample(frac=0.1, random_state=0).index
    rows.loc[bad, "duration_in_month"] = -5
    with pytest.warns(SchemaWarning, match=r"duration_in_month: 20 of 200 rows .* below 0"):
        scores = results.model.predict_proba(rows.drop(columns=["creditability"]))
    assert scores.schema_counts["duration_in_month"].out_of_domain == len(bad)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        v = validate(results, vertical, rows)
    (d,) = [d for d in v.drift if d.column == "duration_in_month"]
    assert "lie below 0" in d.problem
    assert v.verdict in (WATCH, FIX_EXTRACT)
    assert any(r.startswith("duration_in_month: 20 of 200 rows") for r in v.reasons), v.reasons
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        clean = validate(results, vertical, holdout)
    assert not any("lie below 0" in r for r in clean.reasons)


def test_a_strict_refusal_says_no_row_was_scored_not_scored_as_given(credit):
    """`strict=True` refused the rows with the warning's own words, "scored as given":
    false, since nothing was scored. The warning keeps them; the refusal names the
    column, says no row was scored, and gives the fix."""
    results, _, holdout = credit
    rows = holdout.drop(columns=["creditability"])
    rows.loc[rows.index[:20], "duration_in_month"] = -5
    rows["credit_amount"] = rows["credit_amount"].astype(object)
    rows.loc[rows.index[:20], "credit_amount"] = "lots"  # unreadable: "scored as missing"
    model = results.model
    for call in (model.predict_proba, model.explain):
        with pytest.raises(tuneplate.TuneplateError) as refused:
            call(rows, strict=True)
        text = str(refused.value)
        assert "scored as" not in text, text
        assert "no row was scored" in text and "duration_in_month: 20 of 200 rows" in text
        assert "check signs and units" in text and "credit_amount: 20 of 200 rows" in text
    with pytest.warns(SchemaWarning) as said:
        model.predict_proba(rows)
    assert any("scored as given" in str(w.message) for w in said)


def test_a_single_impossible_or_unreadable_value_is_said_and_refused_by_strict(credit):
    """One -999 duration, or one unreadable amount, among 200 rows was under the 1% share
    and the 10 rows that made a warning: the row scored wrong with no line, and under
    `strict=True` too. Such a value is said whatever its count, and strict refuses it;
    without strict the row is scored, with the warning and the count on the result."""
    results, _, holdout = credit
    model = results.model
    rows = holdout.drop(columns=["creditability"])
    for column, value, said, how in (
        ("duration_in_month", -999, "duration_in_month: 1 of 200 rows (0.5%) lie below 0",
         "scored as given"),
        ("credit_amount", "lots", "credit_amount: 1 of 200 rows (0.5%) could not be read",
         "scored as missing"),
    ):  # fmt: skip
        one = rows.astype({column: object})
        one.loc[one.index[0], column] = value
        with pytest.raises(tuneplate.TuneplateError, match=re.escape(said)):
            model.predict_proba(one, strict=True)
        with pytest.warns(SchemaWarning, match=re.escape(said)) as caught:
            counts = model.predict_proba(one).schema_counts[column]
        assert any(how in str(w.message) for w in caught)
        assert counts.out_of_domain + counts.unreadable == 1
        with warnings.catch_warnings():
            warnings.simplefilter("error", SchemaWarning)  # the clean rows: nothing said
            model.predict_proba(rows)


@pytest.mark.parametrize("moved", [lambda s: s / 1000, lambda s: s * 10])
def test_strict_refuses_a_changed_unit(credit, moved):
    """Amounts sent in thousands (or tenfold) fit the schema, so `strict=True` scored
    them, every score wrong, with only a warning: strict now refuses a changed unit
    (the batch's median 8 times the development's, with its spread), naming the column
    and the fix; without strict the rows are scored with the warning, as before."""
    results, _, holdout = credit
    rows = holdout.drop(columns=["creditability"])
    rows["credit_amount"] = moved(rows["credit_amount"].astype(float))
    model = results.model
    for call in (model.predict_proba, model.explain):
        with pytest.raises(tuneplate.TuneplateError) as refused:
            call(rows, strict=True)
        text = str(refused.value)
        assert "no row was scored" in text and "credit_amount:" in text, text
        assert "change of unit" in text and "scored as" not in text, text
    with pytest.warns(SchemaWarning, match=r"credit_amount: \d+% of"):
        assert len(model.predict_proba(rows)) == len(rows)


def test_strict_still_scores_a_moved_population(credit):
    """A batch past the top band but bunched together (amounts 12,000 higher: a segment
    of large loans, not a unit) is drift: strict scores it, with the warning."""
    results, _, holdout = credit
    rows = holdout.drop(columns=["creditability"])
    rows["credit_amount"] = rows["credit_amount"].astype(float) + 12_000
    with pytest.warns(SchemaWarning, match=r"credit_amount: \d+% of"):
        assert len(results.model.predict_proba(rows, strict=True)) == len(rows)


@pytest.mark.parametrize("share", [0.4, 1.0])
def test_validate_blames_the_extract_for_codes_not_the_model(credit, share):
    """-999 in 40% (or all) of the durations gave "recalibrate": the model would have
    been recalibrated to fit the codes."""
    results, vertical, holdout = credit
    rows = holdout.copy()
    coded = rows.sample(frac=share, random_state=1).index
    rows.loc[coded, "duration_in_month"] = -999
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        v = validate(results, vertical, rows)
    assert v.verdict == FIX_EXTRACT
    assert "outside the bounds every development row kept" in v.reasons[0]
    (d,) = [d for d in v.drift if d.column == "duration_in_month"]
    assert d.out_of_domain == len(coded)


def test_a_unit_change_is_said_beside_a_few_unreadable_cells(credit):
    """Amounts sent in thousands with 10 cells of text: the unreadable count's line took
    the column's place and the unit change went unsaid."""
    results, _, holdout = credit
    rows = holdout.drop(columns=["creditability"])
    rows["credit_amount"] = (rows["credit_amount"] / 1000).round(2).astype(object)
    rows.loc[rows.index[:10], "credit_amount"] = "abc"
    with pytest.warns(SchemaWarning) as said:
        results.model.predict_proba(rows)
    lines = [str(w.message) for w in said if str(w.message).startswith("credit_amount:")]
    assert any("could not be read" in line for line in lines)
    assert any("unit or reading" in line for line in lines)


def test_a_holdout_with_values_no_development_row_had_is_a_finding():
    """Later periods (the out-of-time hold-out) wrote a quarter of the amounts negative:
    the run reported their hold-out AUROC with no word of it."""
    table = tuneplate.load_vertical("credit-risk").example().table.copy()
    table["month"] = 202001 + np.arange(len(table)) // 100  # 10 periods of 100 rows
    later = table.index[(table["month"] >= 202009) & (table.index % 4 == 0)]
    table.loc[later, "credit_amount"] *= -1
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        results = tuneplate.tune(
            "credit-risk",
            table,
            target="creditability",
            time="month",
            n_trials=2,
            model="logistic",
        )
    (found,) = [f for f in results.findings if f.check == "holdout_bounds"]
    assert found.columns == ("credit_amount",) and found.severity == "warning"
    assert f"credit_amount: {len(later)} of " in found.message and "lie below 0" in found.message
    clean = tuneplate.load_vertical("credit-risk").example().table
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        plain = tuneplate.tune(
            "credit-risk", clean, target="creditability", n_trials=2, model="logistic"
        )
    assert not [f for f in plain.findings if f.check == "holdout_bounds"]


def test_one_holdout_value_no_development_row_had_is_a_finding():
    """One negative amount in the out-of-time hold-out was under the 10 rows that made
    the finding: the hold-out figures included a row scored outside the learned range,
    unsaid. Any such value is said."""
    table = tuneplate.load_vertical("credit-risk").example().table.copy()
    table["month"] = 202001 + np.arange(len(table)) // 100  # 10 periods of 100 rows
    last = table.index[table["month"] == table["month"].max()][0]
    table.loc[last, "credit_amount"] = -table.loc[last, "credit_amount"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        results = tuneplate.tune(
            "credit-risk", table, target="creditability", time="month", n_trials=2,
            model="logistic",
        )  # fmt: skip
    (found,) = [f for f in results.findings if f.check == "holdout_bounds"]
    assert "credit_amount: 1 of " in found.message and "lie below 0" in found.message


def test_true_false_for_a_number_is_unreadable_not_one_and_zero(credit):
    """A duration given as True/False (another column's values in its place) was read as
    1 and 0 months: every score moved, strict scored them. Such values are unreadable,
    as "True" written as text already was."""
    results, _, holdout = credit
    rows = holdout.drop(columns=["creditability"]).head(20)
    rows["duration_in_month"] = np.arange(len(rows)) % 2 == 0
    with pytest.raises(tuneplate.TuneplateError, match="duration_in_month: 20 of 20 rows"):
        results.model.predict_proba(rows, strict=True)
    with pytest.warns(SchemaWarning, match="duration_in_month: 20 of 20 rows.*could not be read"):
        counts = results.model.predict_proba(rows).schema_counts["duration_in_month"]
    assert counts.unreadable == 20


def test_an_unreadable_value_is_said_once_not_again_as_missing(credit):
    """'5 of 60 rows could not be read; 5 of 60 rows are missing, training had none'
    described the same 5 rows twice, which reads as 10 problem rows."""
    results, _, holdout = credit
    rows = holdout.drop(columns=["creditability"]).head(60).astype({"credit_amount": object})
    rows.loc[rows.index[:5], "credit_amount"] = "lots"
    rows.loc[rows.index[5:7], "credit_amount"] = None  # two blanks: said as missing
    (line,) = problems(results.model.schema.encode(rows)[1])
    assert "5 of 60 rows (8.3%) could not be read" in line, line
    assert "2 of 60 rows (3.3%) are missing, training had none" in line, line


def test_each_row_names_an_input_missing_where_no_development_row_was(credit):
    """`suspect_inputs` (explain, score.py --reasons) named unreadable and out-of-bounds
    values only: a blank amount, which the model never saw missing, left the row unmarked
    though the column's warning was printed."""
    results, _, holdout = credit
    schema = results.model.schema
    rows = holdout.drop(columns=["creditability"]).head(3).astype({"credit_amount": object})
    rows.loc[rows.index[1], "credit_amount"] = None
    rows.loc[rows.index[2], "credit_amount"] = "lots"
    assert schema.suspects(rows) == [
        None,
        "credit_amount: missing (no development row was)",
        "credit_amount: unreadable (scored as missing)",
    ]


def test_a_value_just_past_1_is_a_tail_and_a_percent_for_a_fraction_is_not():
    """Breast cancer's worst compactness stays within 0 to 1 on the development rows and
    reaches 1.058 on one hold-out row: said one by one, that tail read as "a percent for
    a fraction?" and strict refused it. Values just past 1 are said by their share (or
    from 10 rows), as before; 45 for 0.45, or any value below 0, one by one."""
    table = _table()
    schema = _schema(table)
    new = pd.concat([table] * 2, ignore_index=True).head(400)
    assert problems(schema.encode(new)[1]) == []
    tail = new.assign(rate=new["rate"].where(new.index != 0, 1.058))
    assert problems(schema.encode(tail)[1]) == []
    assert problems(schema.encode(tail)[1], refused=True) == []  # strict scores it
    many = new.assign(rate=new["rate"].where(new.index >= 12, 1.058))
    (line,) = problems(schema.encode(many)[1])
    assert line.startswith("rate: 12 of 400 rows (3.0%) lie outside 0 to 1"), line
    for far in (45.0, -0.2):
        one = new.assign(rate=new["rate"].where(new.index != 0, far))
        (line,) = problems(schema.encode(one)[1], refused=True)
        assert line.startswith("rate: 1 of 400 rows (0.2%) lie outside 0 to 1"), line
