"""Two-digit years take their century from one fixed window, Excel's (00-29 are
2000-2029, 30-99 are 1930-1999), saved with the model; models saved before it keep the
POSIX reading they were fitted with.

A birth date written 25/03/64 was read as 2064 (POSIX strptime's %y: 00-68 are 20xx),
and "12-Mar-75" as 2075 by pandas' text parser (dateutil: within 50 years of the day it
runs), silently: ages came out negative, the same rows read differently as years pass.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from tuneplate.engine.contract.dates import (
    EXCEL_YEARS,
    POSIX_YEARS,
    century,
    parse_datetimes,
    short_years,
)
from tuneplate.engine.contract.schema import Schema


def days(*dates: str) -> list[float]:
    """Days since 1970-01-01 UTC, as the model sees a date."""
    stamps = pd.to_datetime(list(dates), format="ISO8601").tz_localize("UTC")
    return list((stamps - pd.Timestamp(0, tz="UTC")) / pd.Timedelta(days=1))


@pytest.mark.parametrize(
    ("written", "read"),
    [
        ("25/03/64", "1964-03-25"),
        ("25.03.64", "1964-03-25"),  # dots, as written in Germany
        ("25-03-64", "1964-03-25"),  # dashes
        ("25/03/30", "1930-03-25"),  # the window's first year
        ("25/03/29", "2029-03-25"),  # … and its last
        ("25/03/00", "2000-03-25"),
        ("25/03/99", "1999-03-25"),
        ("25/03/64 14:30", "1964-03-25 14:30"),  # a datetime with a two-digit year
        ("25.03.68 08:05:00", "1968-03-25 08:05"),
        ("12-Mar-64", "1964-03-12"),  # text month (Oracle's DD-MON-RR, Excel's d-mmm-yy)
        ("12 Mar 75", "1975-03-12"),  # dateutil: 2075 when run in 2026
        ("March 12, 64", "1964-03-12"),
    ],
)
def test_a_two_digit_year_is_read_by_excels_window(written, read):
    parsed = parse_datetimes(pd.Series([written, "20/01/1990"]))
    assert parsed.iloc[0] == pd.Timestamp(read, tz="UTC")


def test_month_first_dates_with_two_digit_years_take_the_same_window():
    parsed = parse_datetimes(pd.Series(["03/25/64", "12/31/29", "01/13/30"]))
    assert parsed.dt.strftime("%Y-%m-%d").tolist() == ["1964-03-25", "2029-12-31", "1930-01-13"]


def test_the_window_is_fixed_and_four_digit_years_are_read_as_written():
    assert [century(y) for y in (0, 29, 30, 64, 99)] == [2000, 2029, 1930, 1964, 1999]
    assert [century(y, POSIX_YEARS) for y in (0, 64, 68, 69, 99)] == [2000, 2064, 2068, 1969, 1999]
    parsed = parse_datetimes(pd.Series(["25/03/2064", "12 Mar 2075", "25/03/1925"]))
    assert parsed.dt.year.tolist() == [2064, 2075, 1925]
    values = pd.Series(["25/03/64", "25/03/1964", None, "12-Mar-64", "20240301", "2024-03-01"])
    assert short_years(values, parse_datetimes(values)).tolist() == [
        True,
        False,
        False,
        True,
        False,
        False,
    ]


def births(n: int = 300, seed: int = 0) -> pd.Series:
    rng = np.random.default_rng(seed)
    return pd.Timestamp("1931-01-01") + pd.to_timedelta(rng.integers(0, 365 * 68, n), "D")


def test_a_birth_date_column_written_dd_mm_yy_is_read_in_the_last_century_and_said():
    """Born 1931-1998, written with two-digit years: 1935 became 2035 for 00-68."""
    born = pd.Series(births())
    rng = np.random.default_rng(1)
    table = pd.DataFrame({"born": born.dt.strftime("%d/%m/%y"), "x": rng.normal(size=300)})
    schema, notes = Schema.learn(table, ["born", "x"])
    feature = schema.feature("born")
    assert feature.date_format == "%d/%m/%y" and feature.two_digit_years == EXCEL_YEARS
    typed = schema.typed(table)["born"]
    assert (typed == born.dt.tz_localize("UTC")).all()  # every birth where it was
    (note,) = [n for n in notes if n.check == "two_digit_years"]
    assert note.severity == "warning" and note.columns == ("born",)
    assert "born: 300 dates written with two-digit years read by Excel's rule" in note.message
    assert "00-29 as 2000-2029 and 30-99 as 1930-1999" in note.message
    assert "(0 in 2000-2029, 300 in 1930-1999)" in note.message
    assert "four digits" in note.fix
    # counts only: no row's date in the finding
    said = note.message + note.expected + note.fix
    assert not [v for v in table["born"].unique() if v in said]


def test_a_column_mixing_a_few_two_digit_years_counts_those_after_its_latest_date():
    """Four-digit dates of 1931-1998 and five written 15/06/15: read 2015 by the window,
    after every date written in full, which the finding counts (a hint of 1915)."""
    born = births(200, seed=2)
    written = pd.Series(born.strftime("%d/%m/%Y"))
    written[:5] = ["15/06/15", "01/02/64", "03/04/64", "20/11/20", "01/01/50"]
    schema, notes = Schema.learn(pd.DataFrame({"born": written}), ["born"])
    assert schema.feature("born").date_format == "%d/%m/%Y"
    read = schema.typed(pd.DataFrame({"born": written}))["born"]
    assert read[:5].dt.year.tolist() == [2015, 1964, 1964, 2020, 1950]
    (note,) = [n for n in notes if n.check == "two_digit_years"]
    assert "5 dates written with two-digit years" in note.message
    assert "(2 in 2000-2029, 3 in 1930-1999)" in note.message
    assert "2 dates fall after the column's latest date written with four digits" in note.message
    four_digit = Schema.learn(pd.DataFrame({"born": written[5:]}), ["born"])[1]
    assert not [n for n in four_digit if n.check == "two_digit_years"]


def test_a_saved_schema_scores_a_batch_with_the_window_it_was_fitted_with():
    born = births(200, seed=3)
    table = pd.DataFrame({"born": born.strftime("%d.%m.%y"), "x": np.arange(200.0)})
    schema, _ = Schema.learn(table, ["born", "x"])
    schema, _ = schema.fit_levels(table)
    saved = Schema.from_dict(json.loads(json.dumps(schema.to_dict())))
    batch = pd.DataFrame({"born": ["25.03.64", "01.01.30", "31.12.29", "12-Mar-64"], "x": 1.0})
    encoded, counts = saved.encode(batch)
    expected = days("1964-03-25", "1930-01-01", "2029-12-31", "1964-03-12")
    assert encoded["born"].tolist() == pytest.approx(expected)
    assert counts["born"].unreadable == 0


def test_a_model_saved_before_the_window_keeps_scoring_as_it_was_fitted():
    """Its schema holds "%d/%m/%y" and no window: its dates were read by POSIX's %y at
    fit (64 as 2064), so a batch is read the same way, alone or beside other rows."""
    born = births(200, seed=4)
    table = pd.DataFrame({"born": born.strftime("%d/%m/%y"), "x": np.arange(200.0)})
    schema, _ = Schema.learn(table, ["born", "x"])
    schema, _ = schema.fit_levels(table)
    saved = schema.to_dict()
    for f in saved["features"]:
        f.pop("two_digit_years")  # as written before the window
    before = Schema.from_dict(json.loads(json.dumps(saved)))
    assert before.feature("born").date_format == "%d/%m/%y"
    batch = pd.DataFrame({"born": ["25/03/64", "25/03/69", "01/01/68 10:00", "31/12/99"], "x": 1.0})
    encoded, counts = before.encode(batch)
    posix = days("2064-03-25", "1969-03-25", "2068-01-01 10:00", "1999-12-31")
    assert encoded["born"].tolist() == pytest.approx(posix)
    assert counts["born"].unreadable == 0
    alone = before.encode(batch.iloc[[0]])[0]["born"].iloc[0]
    assert alone == pytest.approx(posix[0])
    assert before.typed(batch)["born"].dt.year.tolist() == [2064, 1969, 2068, 1999]
    # the same batch through the schema saved with the window: the last century
    encoded, _ = Schema.from_dict(json.loads(json.dumps(schema.to_dict()))).encode(batch)
    assert encoded["born"].tolist() == pytest.approx(
        days("1964-03-25", "1969-03-25", "1968-01-01 10:00", "1999-12-31")
    )
