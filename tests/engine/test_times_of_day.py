"""Times of day are numbers (minutes since midnight), never dates on the day the code
runs; text naming no date or no year is unreadable and counted, never completed.

pandas' mixed parser reads "12:30" as 12:30 on the day it runs, so a column of times
became dates and a model's score of the same row changed with the day of scoring;
"12 March" it reads in year 1 (days since 1970: -719,000), "now" as the moment it runs.
"""

from __future__ import annotations

import json
import warnings

import numpy as np
import pandas as pd
import pytest

from tuneplate.engine.contract.dates import clock_minutes, parse_datetimes, undated
from tuneplate.engine.contract.schema import Schema, SchemaWarning, problems

TODAY_ANCHORED = ["12:30", "08:05:00", "9:05", "12:30 PM", "12:30:00.5", "12:30 March 12"]
NO_YEAR = ["March 12", "12 March", "12 Mar", "Mar-24", "Tue 12 Mar", "1pm", "T09:05", "12/03"]


@pytest.mark.parametrize("written", [*TODAY_ANCHORED, *NO_YEAR, "now", "today"])
def test_text_without_a_date_or_a_year_is_not_completed_from_today_or_year_one(written):
    values = pd.Series([written, "2024-03-12", "soon", None])
    parsed = parse_datetimes(values)
    assert pd.isna(parsed.iloc[0])
    assert parsed.iloc[1] == pd.Timestamp("2024-03-12", tz="UTC")
    assert undated(values).tolist() == [True, False, False, False]  # "soon": not a date


def test_dates_that_name_their_year_still_read_beside_the_refused_forms():
    values = pd.Series(["3 March 2024", "March 2024", "12-Mar-2024 14:30", "2024-03-12T12:30"])
    parsed = parse_datetimes(values)
    assert parsed.dt.strftime("%Y-%m-%d %H:%M").tolist() == [
        "2024-03-03 00:00",
        "2024-03-01 00:00",
        "2024-03-12 14:30",
        "2024-03-12 12:30",
    ]
    assert not undated(values).any()


def test_clock_minutes_reads_24_hour_and_am_pm_times():
    values = pd.Series(
        ["00:00", "12:30", "08:05:30", "23:59", "1:05 PM", "12:10 am", "12:00 p.m.", None]
        + ["24:00", "12:60", "13:00 PM", "0:30 AM", "12.30", "soon", "2024-03-12 12:30"]
    )
    minutes = clock_minutes(values)
    assert minutes[:7].tolist() == [0.0, 750.0, 485.5, 1439.0, 785.0, 10.0, 720.0]
    assert np.isnan(minutes[7:]).all()


def slots(n: int = 300, seed: int = 0) -> pd.Series:
    rng = np.random.default_rng(seed)
    hours, minutes = rng.integers(6, 22, n), rng.integers(0, 60, n)
    return pd.Series([f"{h:02d}:{m:02d}" for h, m in zip(hours, minutes, strict=True)])


def _fitted(table: pd.DataFrame, columns: list[str]):
    schema, notes = Schema.learn(table, columns)
    schema, _ = schema.fit_levels(table)
    return Schema.from_dict(json.loads(json.dumps(schema.to_dict()))), notes


def test_a_column_of_times_of_day_is_minutes_since_midnight_at_fit_and_at_scoring():
    """It was a date column: each time on the day of the run, its value moving by one
    each day the model scored."""
    table = pd.DataFrame({"arrival": slots(), "x": np.arange(300.0)})
    schema, notes = _fitted(table, ["arrival", "x"])
    feature = schema.feature("arrival")
    assert feature.kind == "numeric" and feature.time_of_day
    (note,) = [n for n in notes if n.check == "time_of_day"]
    assert note.severity == "info" and note.columns == ("arrival",)
    assert "arrival: times of day" in note.message and "minutes since midnight" in note.message
    assert not [n for n in notes if n.check == "date_feature"]
    expected = clock_minutes(table["arrival"])
    assert schema.typed(table)["arrival"].tolist() == expected.tolist()
    batch = pd.DataFrame({"arrival": ["12:30", "08:05:00", "7:15 PM", "", "soon"], "x": 1.0})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SchemaWarning)
        encoded, counts = schema.encode(batch)
    assert encoded["arrival"].tolist()[:3] == [750.0, 485.0, 1155.0]
    assert np.isnan(encoded["arrival"].tolist()[3:]).all()
    assert counts["arrival"].unreadable == 1  # "soon"; the blank is missing
    # numbers are minutes since midnight, as the typed table gives them: within a day
    numbers = pd.DataFrame({"arrival": [750.0, np.nan, 1440.0, -5.0], "x": 1.0})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SchemaWarning)
        encoded, counts = schema.encode(numbers)
    assert encoded["arrival"].iloc[0] == 750.0 and encoded["arrival"].iloc[1:].isna().all()
    assert counts["arrival"].unreadable == 2
    typed = schema.typed(table)
    assert schema.encode(typed)[0]["arrival"].tolist() == expected.tolist()


def test_times_with_am_pm_and_a_few_stray_values_are_times_and_the_strays_counted():
    times = slots(200, seed=1).map(lambda t: pd.Timestamp(f"2000-01-01 {t}").strftime("%I:%M %p"))
    times[:6] = ["later", "later", "call back", None, "n/a", "later"]
    schema, notes = Schema.learn(pd.DataFrame({"called": times}), ["called"])
    assert schema.feature("called").time_of_day
    (note,) = [n for n in notes if n.check == "time_of_day"]
    assert (
        note.severity == "warning" and "4 values not times of day read as missing" in note.message
    )


def test_a_date_column_counts_its_times_and_yearless_days_as_unreadable_and_says_so():
    """At fit "12 March" was 12 March of year 1 and "12:30" today at 12:30, both taken
    as dates; now they are missing values, counted in the date finding."""
    written = pd.Series(pd.date_range("2022-01-01", periods=200, freq="D").strftime("%Y-%m-%d"))
    written[:4] = ["12:30", "12 March", "now", "soon"]
    schema, notes = Schema.learn(pd.DataFrame({"opened": written}), ["opened"])
    assert schema.feature("opened").kind == "datetime"
    typed = schema.typed(pd.DataFrame({"opened": written}))["opened"]
    assert typed[:4].isna().all() and typed[4:].notna().all()
    (note,) = [n for n in notes if n.check == "date_feature"]
    assert "4 values not dates read as missing" in note.message
    assert "3 of them a time or a day without a date or year" in note.message


def test_a_date_feature_scores_a_time_or_a_yearless_day_as_unreadable_not_as_today():
    """Fitted on real dates (a model saved before the rule alike): a batch's "12:30" was
    today's date, "12 March" year 1, so the row's score changed with the day of scoring."""
    when = pd.Series(pd.date_range("2022-01-01", periods=300, freq="D"))
    table = pd.DataFrame({"exam": when, "x": np.arange(300.0)})
    schema, _ = _fitted(table, ["exam", "x"])
    saved = schema.to_dict()
    for f in saved["features"]:
        f.pop("two_digit_years")
        f.pop("time_of_day")
    before = Schema.from_dict(json.loads(json.dumps(saved)))
    batch = pd.DataFrame({"exam": ["12:30", "12 March", "now", "2022-04-12"], "x": 1.0})
    for model in (schema, before):
        encoded, counts = model.encode(batch)
        assert np.isnan(encoded["exam"].tolist()[:3]).all()
        assert encoded["exam"].iloc[3] == (pd.Timestamp("2022-04-12") - pd.Timestamp(0)).days
        assert counts["exam"].unreadable == 3
        assert "exam: 3 of 4 rows (75.0%) could not be read" in problems(counts)[0]


def test_clock_times_written_as_numbers_are_not_read_as_minutes():
    """A scoring extract writes 08:30 as 830. Read as minutes since midnight, 830 is
    13:50: every time before 14:40 scored silently wrong, the later ones unreadable.
    A batch whose numbers are all clock-like is unreadable as a whole, in one line."""
    table = pd.DataFrame({"arrival": slots(), "x": np.arange(300.0)})
    schema, _ = _fitted(table, ["arrival", "x"])
    hhmm = pd.to_datetime(slots(200, seed=3), format="%H:%M")
    as_numbers = pd.DataFrame({"arrival": hhmm.dt.hour * 100 + hhmm.dt.minute, "x": 1.0})
    assert as_numbers["arrival"].nunique() >= 20
    encoded, counts = schema.encode(as_numbers)
    assert encoded["arrival"].isna().all()
    (line,) = problems(counts)
    assert line.startswith("arrival: 200 of 200 rows (100.0%) hold numbers written as clock")
    assert "give the times as text (08:30)" in line
    # the minutes the engine types itself still read as minutes, however many
    typed = schema.typed(pd.DataFrame({"arrival": slots(200, seed=3), "x": 1.0}))
    encoded, counts = schema.encode(typed)
    assert encoded["arrival"].notna().all() and problems(counts) == []
    # a few clock numbers cannot be judged: read as minutes (within a day) as before
    few = as_numbers.head(5)
    assert schema.encode(few)[1]["arrival"].clock_numbers is False
