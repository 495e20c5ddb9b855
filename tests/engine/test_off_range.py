"""`Profile.off_range`: new values almost all beyond the development's outer bands."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from tuneplate.engine.contract.profile import Profile
from tuneplate.engine.contract.schema import Schema


def _profiled(n: int = 500, seed: int = 0):
    rng = np.random.default_rng(seed)
    table = pd.DataFrame(
        {
            "ratio": rng.uniform(0, 1, n).round(3),
            "applied": pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 365, n), "D"),
            "flag": rng.integers(0, 2, n),
        }
    )
    schema, _ = Schema.learn(table, list(table.columns))
    schema, _ = schema.fit_levels(table)
    encoded = schema.encode(table)[0]
    return table, schema, Profile.learn(schema, encoded, rng.uniform(0, 1, n))


def _lines(schema, profile, rows):
    return profile.off_range(schema, schema.encode(rows)[0])


def test_a_unit_change_is_said_and_the_usual_spread_is_not():
    table, schema, profile = _profiled()
    new = table.sample(60, random_state=1)
    assert _lines(schema, profile, new) == []
    (line,) = _lines(schema, profile, new.assign(ratio=new["ratio"] * 1000))
    assert line.startswith("ratio: 100% of 60 rows with a value lie above")
    (line,) = _lines(schema, profile, new.assign(ratio=new["ratio"] / 1000 + 0.0))
    assert "lie below" in line


def test_later_dates_flags_and_small_batches_are_not_judged():
    table, schema, profile = _profiled()
    new = table.sample(60, random_state=2)
    later = new.assign(applied=new["applied"] + pd.Timedelta(days=800), flag=1)
    assert _lines(schema, profile, later) == []  # dates move on; a flag has two bands
    assert _lines(schema, profile, new.head(20).assign(ratio=5000.0)) == []  # under 30 rows


# -- a changed unit against the development median, not the outer edge -----------------


def _clinical(n: int = 400, seed: int = 5):
    """Visits as a liver clinic writes them: bilirubin (mg/dL, long-tailed), albumin
    (g/dL), an amount and an overdraft; the profile as a run saves it."""
    from tuneplate.engine.contract.monitoring import drift_rows, verdict

    rng = np.random.default_rng(seed)
    table = pd.DataFrame(
        {
            "bili": rng.lognormal(np.log(1.3), 1.0, n).round(1),
            "albumin": rng.normal(3.5, 0.42, n).round(2),
            "amount": rng.lognormal(7.7, 0.8, n).round(0),
            "overdraft": -rng.lognormal(6, 0.6, n).round(0),
        }
    )
    schema, _ = Schema.learn(table, list(table.columns))
    schema, _ = schema.fit_levels(table)
    scores = rng.uniform(0, 1, n)
    profile = Profile.learn(schema, schema.encode(table)[0], scores)

    def said(rows):
        encoded, counts = schema.encode(rows)
        drift = drift_rows(profile, schema, encoded, scores[: len(rows)], counts)
        return verdict(None, None, drift)[0], profile.unit_changes(schema, encoded)

    return table, said


@pytest.mark.parametrize(
    "column, factor, rows",
    [
        ("bili", 17.1, 334),  # mg/dL to umol/L: was "recalibrate", 17 times but wide
        ("bili", 17.1, 80),
        ("albumin", 10, 80),  # g/dL to g/L: was "drifting: watch"
        ("albumin", 1 / 10, 80),
        ("amount", 1000, 200),  # in units, not thousands
        ("amount", 1 / 1000, 200),
        ("overdraft", 1000, 200),  # all negative, both ways
        ("overdraft", 1 / 1000, 200),
    ],
)
def test_a_clinical_or_money_unit_switch_is_a_broken_extract(column, factor, rows):
    from tuneplate.engine.contract.monitoring import FIX_EXTRACT

    table, said = _clinical()
    new = table.head(rows).copy()
    new[column] = new[column] * factor
    assert said(new) == (FIX_EXTRACT, (column,))


def test_a_segment_of_large_loans_or_the_sickest_patients_stays_drift():
    """Past the top band, but a few times the median: a segment, the model's concern."""
    from tuneplate.engine.contract.monitoring import FIX_EXTRACT

    table, said = _clinical()
    for column in ("amount", "albumin"):
        values = table[column]
        top = values.quantile(0.9)
        segment = table.assign(**{column: np.where(values > top, values, top * 1.5)})
        verdict, units = said(segment)
        assert units == () and verdict != FIX_EXTRACT, column


@pytest.mark.parametrize("column, top", [("bili", 0.98), ("bili", 0.99)])
def test_the_tail_of_a_skewed_column_is_a_segment_not_a_unit_change(column, top):
    """The 42 sickest pbc patients (bilirubin above 8, median 14 against 1.4) were told
    "fix the extract first": in a long-tailed column the top decile alone lies ten times
    past the median. A tail is bunched (its spread a fraction of the development's); a
    unit change keeps the shape."""
    from tuneplate.engine.contract.monitoring import FIX_EXTRACT

    table, said = _clinical(n=10_000)
    values = table[column]
    tail = table[values > values.quantile(top)]  # about 10 times the median
    verdict, units = said(tail)
    assert units == () and verdict != FIX_EXTRACT
    rescaled = table.sample(len(tail), random_state=0).assign(
        **{column: lambda t: t[column] * 17.1}
    )
    assert said(rescaled) == (FIX_EXTRACT, (column,))


def test_the_development_median_is_read_from_the_bands():
    from tuneplate.engine.contract.profile import Bands

    rng = np.random.default_rng(0)
    x = rng.lognormal(0, 1, 5000)
    assert Bands.learn(x).median() == pytest.approx(np.median(x), rel=0.1)
    assert np.isnan(Bands((1.0, 0.0), levels=("a",)).median())


def _coded(n: int = 500, seed: int = 3):
    """A 1-4 code as German credit writes its installment rate (% of disposable income:
    1 under 20% ... 4 over 35%), beside an amount; the profile as a run saves it."""
    rng = np.random.default_rng(seed)
    table = pd.DataFrame(
        {
            "installment_rate": rng.choice([1, 2, 3, 4], n, p=[0.14, 0.23, 0.16, 0.47]),
            "amount": rng.lognormal(7.7, 0.8, n).round(0),
            "liable": rng.choice([1, 2], n, p=[0.85, 0.15]),  # people maintained
        }
    )
    schema, _ = Schema.learn(table, list(table.columns))
    schema, _ = schema.fit_levels(table)
    return table, schema, Profile.learn(schema, schema.encode(table)[0], rng.uniform(0, 1, n))


def test_a_code_given_as_a_fraction_is_a_unit_change_and_a_segment_of_it_is_not():
    """A 1-4 code written as 0.01-0.04 scored every row wrong without a word, strict too:
    codes were left out of the off-range rule so that a segment (every row code 1)
    would not read as a broken file."""
    table, schema, profile = _coded()
    new = table.sample(100, random_state=4)
    as_fraction = new.assign(installment_rate=new["installment_rate"] / 100)
    encoded = schema.encode(as_fraction)[0]
    assert profile.unit_changes(schema, encoded) == ("installment_rate",)
    (line,) = profile.unit_refusals(schema, encoded)
    assert line.startswith("installment_rate: 100% of 100 rows with a value lie below")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a one-value batch's spread is 0/0: no warning
        for segment in ({"installment_rate": 1}, {"installment_rate": 4}, {"liable": 2}):
            assert _lines(schema, profile, new.assign(**segment)) == []  # a segment


@pytest.mark.parametrize("factor", [100, 25])
def test_a_code_given_as_a_percent_past_a_heavy_top_level_is_a_unit_change(factor):
    """Codes 1-4 sent as 100-400 lie past the top code, which held 47% of the
    development rows, so the off-range rule (an outer band of at most a fifth) passed
    them over: every score wrong, strict too, without a word. Past a heavy outer band a
    changed unit is still said; a segment of it (every row code 4) is not."""
    table, schema, profile = _coded()
    new = table.sample(100, random_state=5)
    encoded = schema.encode(new.assign(installment_rate=new["installment_rate"] * factor))[0]
    assert profile.unit_changes(schema, encoded) == ("installment_rate",)
    (line,) = profile.unit_refusals(schema, encoded)
    assert line.startswith("installment_rate: 100% of 100 rows with a value lie above"), line
    assert _lines(schema, profile, new.assign(installment_rate=4)) == []


@pytest.mark.parametrize("value", [0, 0.0, -1])
def test_a_flag_sent_as_zero_is_scored_not_a_crash(value):
    """A 1/2 flag sent as 0 for every row (recoded to 0/1) put the new median at 0, and
    the spread test divided NaN by the flag's zero spread: ZeroDivisionError from
    `predict_proba`, on Caravan's own hold-out too. It scores, and no unit is claimed."""
    table, schema, profile = _coded()
    new = table.sample(100, random_state=4).assign(liable=value)
    encoded = schema.encode(new)[0]
    assert profile.unit_changes(schema, encoded) == ()
    assert profile.unit_refusals(schema, encoded) == []


def test_a_flag_given_times_100_is_a_unit_change():
    """A 1/2 flag sent as 100/200: its development has one band edge and so no spread
    to compare, and the same-shape test let it pass without a word. No segment of a
    flag lies 8 times its median, so the factor alone says it."""
    table, schema, profile = _coded()
    new = table.sample(100, random_state=4)
    for scaled in (new["liable"] * 100, new["liable"] * 0 + 200):
        encoded = schema.encode(new.assign(liable=scaled))[0]
        assert profile.unit_changes(schema, encoded) == ("liable",)
    for segment in (1, 2):
        assert _lines(schema, profile, new.assign(liable=segment)) == []


def _zero_inflated(n: int = 2000, seed: int = 7):
    """Columns where 0 is the commonest value, as real extracts hold them: a count of
    police records (Arrests' `checks`: 35% zeros, 0-6) and a balance (0 for half the
    rows, else long-tailed); the profile as a run saves it."""
    rng = np.random.default_rng(seed)
    table = pd.DataFrame(
        {
            "checks": rng.choice(range(7), n, p=[0.35, 0.16, 0.15, 0.18, 0.12, 0.03, 0.01]),
            "balance": np.where(rng.uniform(size=n) < 0.5, 0.0, rng.lognormal(7, 1, n).round(0)),
        }
    )
    schema, _ = Schema.learn(table, list(table.columns))
    schema, _ = schema.fit_levels(table)
    return table, schema, Profile.learn(schema, schema.encode(table)[0], rng.uniform(0, 1, n))


@pytest.mark.parametrize("column", ["checks", "balance"])
@pytest.mark.parametrize("factor", [1000, 0.001])
def test_a_zero_inflated_column_in_another_unit_is_a_unit_change(column, factor):
    """Arrests' `checks` given x1000 moved every score (PSI 0.34) and `score.py`,
    `explain` and strict said nothing: its zeros, a third of the rows, stay 0 in any
    unit, so no 80% of the rows lay past an outer band. Judged without the zeros, the
    other rows lie past it and their median is 1000 times the development's."""
    table, schema, profile = _zero_inflated()
    new = table.sample(400, random_state=1)
    encoded = schema.encode(new.assign(**{column: new[column] * factor}))[0]
    assert profile.unit_changes(schema, encoded) == (column,)
    (line,) = profile.unit_refusals(schema, encoded)
    assert line.startswith(f"{column}: 100% of "), line
    assert "rows with a value other than 0 lie" in line, line
    assert _lines(schema, profile, new) == []  # the development's own shape: nothing
    # A segment (3-6 checks, the largest balances, no checks at all) is not a unit.
    heavy = table[table["checks"] >= 3].sample(200, random_state=2)
    rich = table[table["balance"] > table["balance"].quantile(0.9)]
    for rows in (heavy, rich, new.assign(checks=0)):
        assert profile.unit_changes(schema, schema.encode(rows)[0]) == ()
    # Without zeros in the batch the one rule stands: no band is dropped.
    positive = table[table[column] > 0].sample(300, random_state=4)
    scaled = positive.assign(**{column: positive[column] * factor})
    assert all("other than 0" not in line for line in _lines(schema, profile, scaled))


def test_one_value_below_zero_does_not_hide_a_unit_change():
    """Mroz's hold-out holds one income of -0.029 (thousands of dollars, `inc`): the
    count line for that row stood for the whole column, and the same rows with every
    income x1000 printed only it, the changed unit unsaid (every score moved)."""
    from tuneplate.engine.contract.counts import said_outside

    table, schema, profile = _zero_inflated()
    new = table.sample(400, random_state=6).copy()
    new["balance"] = new["balance"] * 1000
    new.iloc[0, new.columns.get_loc("balance")] = -29.0
    encoded, counts = schema.encode(new)
    said = said_outside(counts)
    assert any(line.startswith("balance:") for line in profile.off_range(schema, encoded, said))
    # A column counted outside its bounds on most rows is said by its count line alone.
    negated = table.sample(400, random_state=6).assign(balance=lambda t: -t["balance"] - 1)
    encoded, counts = schema.encode(negated)
    assert "balance" in said_outside(counts)


# -- a unit the outer-band rule missed: both signs, one band a count


def _wide(n: int = 1000, seed: int = 11):
    """Columns whose unit change the outer-band rule let pass: a price difference and a
    kurtosis holding both signs (ISLR OJ's PriceDiff, modeldata cells' kurt_inten_ch_*)
    and a count of extractions, half 0 and 44% missing (medicaldata opt); beside them a
    size spanning four orders of magnitude (Stack Overflow's company size, 1-10,000)."""
    rng = np.random.default_rng(seed)
    p = [0.5, 0.27, 0.14, 0.04, 0.02, 0.01, 0.005, 0.005, 0.005, 0.005]
    extractions = rng.choice([0, 1, 2, 3, 4, 5, 6, 8, 10, 20], n, p=p).astype(float)
    extractions[rng.uniform(size=n) < 0.44] = np.nan
    table = pd.DataFrame(
        {
            "price_diff": rng.normal(0.15, 0.27, n).round(2),
            "kurtosis": (rng.gamma(1.5, 1.0, n) - 1.4).round(3),
            "company": np.exp(rng.normal(np.log(150), 2.5, n)).round(0) + 1,
            "extractions": extractions,
        }
    )
    schema, _ = Schema.learn(table, list(table.columns))
    schema, _ = schema.fit_levels(table)
    return table, schema, Profile.learn(schema, schema.encode(table)[0], rng.uniform(0, 1, n))


def _units(schema, profile, rows):
    return profile.unit_changes(schema, schema.encode(rows)[0])


def _segments(table, column):
    """Real segments of one column: one sign, one tail, both tails, the middle."""
    v = table[column]
    low, high = v.quantile(0.1), v.quantile(0.9)
    return {
        "negative": table[v < 0],
        "positive": table[v > 0],
        "top decile": table[v > high],
        "bottom decile": table[v < low],
        "both tails": table[(v < low) | (v > high)],
        "middle": table[(v > v.quantile(0.45)) & (v < v.quantile(0.55))],
    }


@pytest.mark.parametrize("column", ["price_diff", "kurtosis"])
@pytest.mark.parametrize("factor", [1000, 100])
def test_a_column_of_both_signs_in_another_unit_is_a_unit_change(column, factor):
    """OJ's PriceDiff x1000 moved a logistic model's probability by up to 0.96 and
    nothing was said, strict too: 24% of the rows lay below the lowest band and 69%
    above the top, so neither side reached 80%. Judged together, each side scaled by
    the same factor, they are the development's shape times 1,000. A segment holding
    one sign, one tail or both tails is not."""
    table, schema, profile = _wide()
    new = table.sample(400, random_state=1)
    encoded = schema.encode(new.assign(**{column: new[column] * factor}))[0]
    assert profile.unit_changes(schema, encoded) == (column,)
    (line,) = profile.unit_refusals(schema, encoded)
    assert line.startswith(f"{column}: ") and " lie outside " in line, line
    assert f"development's values times {factor:,}" in line, line
    assert _lines(schema, profile, new) == []
    for name, rows in _segments(table, column).items():
        assert _units(schema, profile, rows) == (), name
        for small in (rows.head(40), rows.head(30)):  # a batch of a few rows
            assert _units(schema, profile, small) == (), name


def test_a_mostly_missing_zero_inflated_count_in_another_unit_is_a_unit_change():
    """opt's N.extractions (44% missing, half the rest 0, 1 for most others) sent x1000
    moved scores by up to 1.0 unsaid: its bands are one count each, so the outer edges
    are no deciles and the spread ratio read a rescaled count as a bunched tail."""
    table, schema, profile = _zero_inflated_extractions()
    new = table.sample(400, random_state=3)
    encoded = schema.encode(new.assign(extractions=new["extractions"] * 1000))[0]
    assert profile.unit_changes(schema, encoded) == ("extractions",)
    (line,) = profile.unit_refusals(schema, encoded)
    assert "times 1,000" in line, line
    assert _lines(schema, profile, new) == []
    v = table["extractions"]
    for rows in (table[v >= 2], table[v == 1], table[v > 0], table[v.isna() | (v >= 3)]):
        assert _units(schema, profile, rows) == ()


def _zero_inflated_extractions():
    table, *_ = _wide()
    table = table[["extractions"]]
    schema, _ = Schema.learn(table, ["extractions"])
    schema, _ = schema.fit_levels(table)
    scores = np.random.default_rng(0).uniform(0, 1, len(table))
    return table, schema, Profile.learn(schema, schema.encode(table)[0], scores)


def test_the_tails_are_saved_and_a_file_without_them_judges_as_before():
    """`Bands.tails` (the 1% tails a unit's median must pass) round-trip through the
    profile file; a file saved before them reads with none, and a unit is judged by the
    median and spread alone, as it was."""
    import json

    table, schema, profile = _profiled(n=2000)
    back = Profile.from_dict(json.loads(json.dumps(profile.to_dict())))
    assert back == profile
    ratio = profile.columns["ratio"]
    assert ratio.tails[0] < ratio.edges[0] and ratio.edges[-1] < ratio.tails[1]
    old = profile.to_dict()
    for saved in old["columns"].values():
        saved.pop("tails", None)
    before = Profile.from_dict(old)
    assert before.columns["ratio"].tails is None
    new = table.sample(60, random_state=1)
    bottom = table[table["ratio"] < 0.1].head(60)  # the lowest tenth, 0 to 0.1
    encoded = schema.encode(bottom)[0]
    assert profile.unit_changes(schema, encoded) == ()
    assert before.unit_changes(schema, encoded) == ("ratio",)  # as 0-1 divided by 10
    rescaled = schema.encode(new.assign(ratio=new["ratio"] / 1000))[0]
    assert profile.unit_changes(schema, rescaled) == before.unit_changes(schema, rescaled)
