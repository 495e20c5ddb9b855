"""Dates written as text: one day/month order per column, never value by value.

"12/03/2023" is the 12th of March in Europe and the 3rd of December in the United States;
pandas guesses value by value and can mix both in one column. `detect_date_format` decides
once per column, from all its values (a day above 12 settles it; ISO "2023-03-12" needs no
decision), and `parse_datetimes` reads the column with that one order, offsets converted
to UTC. The format decided at fit time is saved in the schema and reused at scoring.

Nothing is taken from the day the code runs: two-digit years get their century from a
fixed window (Excel's, `EXCEL_YEARS`), and text that names no date or no year ("12:30",
"12 March", "now"), which pandas would complete from today or from year 1, is NaT,
for the caller to count. A column of times of day is read as minutes since midnight
(`clock_minutes`), a number, never as a date.

Self-contained on purpose (the standard library, numpy and pandas): `tuneplate export`
copies it verbatim into the exported project's `contract/` beside reader.py and schema.py.

Example:
    >>> detect_date_format(pd.Series(["13/03/2023", "01/04/2023"]))
    DateFormat(format='%d/%m/%Y', ambiguous=False)
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .errors import TuneplateError

# Dates written with numbers only ("12/03/2023", "12.03.23", "12-03-2023 14:30"): which field
# is the day is decided once per column (`detect_date_format`), never value by value.
_NUMERIC_DATE = re.compile(
    r"(?P<a>\d{1,2})(?P<sep>[./-])(?P<b>\d{1,2})(?P=sep)(?P<year>\d{4}|\d{2})(?P<rest>[ T].*)?"
)
_YEAR_FIRST_DATE = re.compile(
    r"(?P<year>\d{4})(?P<sep>[./-])(?P<a>\d{1,2})(?P=sep)(?P<b>\d{1,2})(?P<rest>[ T].*)?"
)
# ISO 8601's basic format, as SAS and SQL extracts write dates: "20220412" (year, month,
# day; no order to decide), with an optional "T" time.
_BASIC_DATE = re.compile(r"(?P<year>\d{4})(?P<a>\d{2})(?P<b>\d{2})(?P<rest>T.*)?")
ISO8601 = "ISO8601"  # the format of a column whose dates needed no day/month decision
# Two-digit years ("25/03/64") take their century from a fixed window of 100 years, never
# from the day the code runs (pandas' text parser, dateutil, reads them within 50 years of
# the current year). Excel's window, since most extracts pass through a spreadsheet:
# 00-29 are 2000-2029 and 30-99 are 1930-1999 (Microsoft, "How Excel works with two-digit
# year numbers"). Saved with each date feature (`Feature.two_digit_years`); a model saved
# before the window carries "" and keeps the reading it was fitted with: POSIX
# strptime's %y for numeric dates (69-99 are 19xx, 00-68 are 20xx, `POSIX_YEARS`) and
# pandas' for text dates ("12-Mar-64").
EXCEL_YEARS = "1930-2029"
POSIX_YEARS = "1969-2068"
# A time of day alone, 24-hour or with AM/PM ("12:30", "08:05:00", "1:05 PM"): pandas reads
# it as that time on the day the code runs, so `parse_datetimes` refuses it (NaT) and
# `clock_minutes` reads it as minutes since midnight.
_TIME_OF_DAY = re.compile(
    r"(?P<h>\d{1,2}):(?P<m>\d{2})(?::(?P<s>\d{2}(?:[.,]\d+)?))?"
    r"(?:\s*(?P<half>[AaPp])\.?[Mm]\.?)?"
)
# Text that pandas completes from the day it runs: a value starting with a time (its
# missing date is today's, "12:30 12 March" too) and the words "now" and "today".
_TIME_FIRST = r"\d{1,2}:\d{2}"
_TODAY_WORDS = ("now", "today")
DAY_FIRST = "day/month/year"
MONTH_FIRST = "month/day/year"


@dataclass(frozen=True)
class DateFormat:
    """How the dates of one column are written, decided from the whole column.

    Args:
        format: a strftime-style pattern of the column's numeric dates ("%d/%m/%Y",
            "%m/%d/%y", "%d.%m.%Y"), "ISO8601" when all dates are ISO 8601 (or year
            first), None when no value looks like a date. Pass it back to
            `parse_datetimes(values, format)` to read later rows the same way.
        ambiguous: True when no value proved the order (no first or second field above
            12): the dates were read day first, the documented default.

    Example:
        >>> detect_date_format(pd.Series(["20/01/2022", "12/03/2023"]))
        DateFormat(format='%d/%m/%Y', ambiguous=False)
    """

    format: str | None
    ambiguous: bool = False

    def describe(self) -> str:
        """e.g. "day/month/year (no day above 12 in the column: day first assumed)"."""
        if self.format is None:
            return "no dates"
        if self.format == ISO8601:
            return "ISO 8601 (year-month-day)"
        order = DAY_FIRST if _day_first(self.format) else MONTH_FIRST
        if self.ambiguous:
            return f"{order} (no day above 12 in the column: day first assumed)"
        return order


def _day_first(format: str | None) -> bool:
    """Numeric dates are read day first unless the format puts the month first."""
    if not format or "%m" not in format or "%d" not in format:
        return True
    return format.index("%d") < format.index("%m")


def _distinct_text(values: pd.Series) -> pd.Series:
    text = values.dropna()
    return pd.Series(pd.unique(text.astype(str).str.strip()), dtype="str")  # Arrow: fast


def detect_date_format(values: pd.Series) -> DateFormat:
    """The day/month order of a column's numeric dates, decided once from all its values.

    A first field above 12 ("20/01/2022") proves day first, a second field above 12
    ("01/20/2022") proves month first; with neither the column is ambiguous and read
    day first (the order of most of the world outside North America; ISO 8601 avoids
    the question). The same rule covers dots and dashes ("12.03.2023", "12-03-23").

    Raises:
        TuneplateError: the column proves both orders (some dates day first, others month
            first): no single reading is right, so none is guessed.

    Example:
        >>> detect_date_format(pd.Series(["03/04/2023", "05/06/2023"])).describe()
        'day/month/year (no day above 12 in the column: day first assumed)'
    """
    text = _distinct_text(values)
    numeric = _numeric_dates(text)
    if numeric.empty:
        year_first = text.str.match(r"\d{4}[./-]\d{1,2}[./-]\d{1,2}").any()
        return DateFormat(ISO8601 if bool(year_first) else None)
    a, b = numeric["a"].astype(int), numeric["b"].astype(int)
    day_proof, month_proof = _proofs(numeric)
    if len(day_proof) and len(month_proof):
        column = f"column {values.name!r}" if values.name is not None else "a date column"
        first = day_proof.iloc[0]
        second = month_proof.iloc[0]
        raise TuneplateError(
            f"{column} mixes day/month/year dates (e.g. "
            f"{first['a']}{first['sep']}{first['b']}{first['sep']}{first['year']}, "
            f"{len(day_proof):,} distinct) and month/day/year dates (e.g. "
            f"{second['a']}{second['sep']}{second['b']}{second['sep']}{second['year']}, "
            f"{len(month_proof):,} distinct); write every date one way, e.g. 2023-03-31"
        )
    sep = numeric["sep"].mode().iloc[0]
    year = "%Y" if (numeric["year"].str.len() == 4).mean() >= 0.5 else "%y"
    if len(month_proof):
        return DateFormat(f"%m{sep}%d{sep}{year}")
    ambiguous = not len(day_proof) and bool((a != b).any())
    return DateFormat(f"%d{sep}%m{sep}{year}", ambiguous=ambiguous)


def _numeric_dates(text: pd.Series) -> pd.DataFrame:
    """The fields (a, sep, b, year, rest) of the values written as numeric dates."""
    numeric = text[text.str.match(r"\d{1,2}[./-]\d{1,2}[./-]")]
    return numeric.str.extract(f"^{_NUMERIC_DATE.pattern}$").dropna(subset=["a"])


def _proofs(numeric: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The numeric dates that prove day first (first field above 12) and month first."""
    a, b = numeric["a"].astype(int), numeric["b"].astype(int)
    return numeric[(a > 12) & (a <= 31) & (b <= 12)], numeric[(b > 12) & (b <= 31) & (a <= 12)]


def check_date_order(values: pd.Series, format: str | None) -> None:
    """Refuse dates written in the other day/month order than the one learnt at fit.

    Read in the learnt order, a batch written the other way round loses the dates whose
    day is above 12 (unreadable, counted) and, silently, swaps day and month in all the
    others. Dates proving the other order more often than the run's are taken as the
    batch's way of writing the column; fewer (a typo among day-first dates) stay
    unreadable, counted by the caller.

    Args:
        values: the column's text as given for scoring (missing-words already None).
        format: the order learnt at fit (`date_format`); ISO 8601 or None: nothing to check.

    Raises:
        TuneplateError: naming the column, how many dates prove the other order, how many
            more would be read swapped, and the fix.

    Example:
        >>> check_date_order(pd.Series(["03/25/2024", "03/04/2024"], name="opened"), "%d/%m/%Y")
        Traceback (most recent call last):
        tuneplate...TuneplateError: column 'opened' is written month/day/year in these rows ...
    """
    if not format or format == ISO8601:
        return
    text = values.dropna().astype(str).str.strip()
    numeric = _numeric_dates(text)
    if numeric.empty:
        return
    day_proof, month_proof = _proofs(numeric)
    against, own = (month_proof, day_proof) if _day_first(format) else (day_proof, month_proof)
    if len(against) <= len(own):
        # the batch proves the run's order at least as often: a stray "01/13/2023" is a
        # typo, left unreadable and counted by the caller, not the batch's way of writing
        return
    a, b = numeric["a"].astype(int), numeric["b"].astype(int)
    swapped = int(((a <= 12) & (b <= 12) & (a != b)).sum())
    here, there = (MONTH_FIRST, DAY_FIRST) if _day_first(format) else (DAY_FIRST, MONTH_FIRST)
    first = against.iloc[0]
    example = f"{first['a']}{first['sep']}{first['b']}{first['sep']}{first['year']}"
    column = f"column {values.name!r}" if values.name is not None else "a date column"
    raise TuneplateError(
        f"{column} is written {here} in these rows ({len(against):,} dates such as "
        f"{example} read only that way), {there} at the run: {swapped:,} more would be read "
        f"with day and month swapped; write its dates {there} as the run did, or as ISO "
        "2024-03-31"
    )


def date_format(values: pd.Series) -> str | None:
    """`detect_date_format(values).format`: the one string to store and pass back.

    Example:
        >>> date_format(pd.Series(["31.03.2024", "01.04.2024"]))
        '%d.%m.%Y'
    """
    return detect_date_format(values).format


def century(year: int, years: str = EXCEL_YEARS) -> int:
    """The four-digit year of a year written with two digits, in the window `years`.

    Args:
        year: the two digits (0-99).
        years: "first-last", 100 years (`EXCEL_YEARS`, `POSIX_YEARS`).

    Example:
        >>> century(64), century(25), century(64, POSIX_YEARS)
        (1964, 2025, 2064)
    """
    first = int(years[:4])
    return first + (year - first) % 100


def _iso_text(text: str, day_first: bool | None, years: str = EXCEL_YEARS) -> str | None:
    """A numeric, year-first or basic ISO date rewritten as ISO 8601 text; None when it is
    none of them. `day_first` None: the column learned no day/month order, so a date that
    needs one ("04/12/2022") is refused (returned as "", which parses as NaT). A two-digit
    year takes its century from `years` ("" in models saved before the window: POSIX)."""
    match = _NUMERIC_DATE.fullmatch(text)
    if match and day_first is None:
        return ""
    if match:
        a, b = int(match["a"]), int(match["b"])
        day, month = (a, b) if day_first else (b, a)
        year = int(match["year"])
        if len(match["year"]) == 2:
            year = century(year, years or POSIX_YEARS)
    else:
        match = _YEAR_FIRST_DATE.fullmatch(text) or _BASIC_DATE.fullmatch(text)
        if not match:
            return None
        year, month, day = int(match["year"]), int(match["a"]), int(match["b"])
    rest = match["rest"] or ""
    return f"{year:04d}-{month:02d}-{day:02d}{rest}"


def parse_datetimes(
    values: pd.Series, format: str | None = None, years: str = EXCEL_YEARS
) -> pd.Series:
    """Dates and times as one UTC column; what does not parse becomes NaT.

    Numeric dates ("12/03/2023", "12.03.23") are read with ONE day/month order for the
    whole column: `format`'s (as returned by `date_format` at fit, so scoring reads as
    training did), else the order `detect_date_format` decides from these values. Each
    value is rewritten as ISO 8601 under that order and parsed with format="ISO8601", so
    pandas never infers an order value by value. ISO 8601 values are read as ISO whatever
    `format` says, and so is ISO's basic "20220412"; with `format` "ISO8601" (a column
    that never needed an order: ISO dates, or real datetimes at fit) a date that needs
    one ("04/12/2022") is NaT, never guessed from the other values; other text ("3 March
    2024") falls back to pandas' per-value parser.
    A year written with two digits ("25/03/64", "12-Mar-64") takes its century from the
    window `years`: Excel's 1930-2029 (`EXCEL_YEARS`), so 64 is 1964 and 25 is 2025.
    Text that names no date or no year is NaT, never completed from the day the code runs
    or from year 1 as pandas would: a time of day ("12:30", "8:05 PM": `clock_minutes`
    reads those), "12 March", "now" (`undated` says which values).
    Timestamps with a UTC offset are converted to UTC even when the offset changes
    within the column (summer and winter time: "2024-03-30T12:00:00+01:00" and
    "2024-04-02T12:00:00+02:00"); naive ones are taken as UTC already. A date invalid in
    the column's order (month 13) is NaT. The caller counts the NaT values (missing or
    unparseable) and says so; nothing is coerced silently here.

    Args:
        values: strings, datetimes (naive or tz-aware) or objects of both. Numbers
            are the caller's to interpret (period numbers, epoch seconds).
        format: the column's date format from `date_format` (None: decide from `values`).
        years: the window of two-digit years (`Feature.two_digit_years`); "" for a model
            saved before the window, read as it was fitted: POSIX's %y for numeric dates
            (`POSIX_YEARS`), pandas' own reading for text dates.

    Returns:
        Series of dtype datetime64[ns, UTC], same index and name.

    Raises:
        TuneplateError: without `format`, a column that proves both day/month orders.

    Example:
        >>> parse_datetimes(pd.Series(["2024-03-30T12:00:00+01:00", "2024-04-02T12:00:00+02:00"]))
        0   2024-03-30 11:00:00+00:00
        1   2024-04-02 10:00:00+00:00
        dtype: datetime64[ns, UTC]
        >>> parse_datetimes(pd.Series(["12/03/2023", "20/01/2022"])).dt.month.tolist()
        [3, 1]
        >>> parse_datetimes(pd.Series(["25/03/64", "12:30", "12 March"])).dt.year.tolist()
        [1964.0, nan, nan]
    """
    return _parse(values, format, years)[0]


def undated(values: pd.Series, format: str | None = None, years: str = EXCEL_YEARS) -> np.ndarray:
    """Which values `parse_datetimes` refused because they name no date or no year: a time
    of day ("12:30"), a day without a year ("12 March"), "now", "today". A bool array.

    Example:
        >>> undated(pd.Series(["12:30", "12 March", "2024-03-12", "soon"])).tolist()
        [True, True, False, False]
    """
    return _parse(values, format, years)[1]


def _parse(values: pd.Series, format: str | None, years: str) -> tuple[pd.Series, np.ndarray]:
    """`parse_datetimes`, and which values it refused as naming no date or no year."""
    refused_rows = np.zeros(len(values), dtype=bool)
    if isinstance(values.dtype, pd.DatetimeTZDtype):
        parsed = values.dt.tz_convert("UTC")
    elif pd.api.types.is_datetime64_dtype(values.dtype):
        parsed = values.dt.tz_localize("UTC")
    else:
        if format is None:
            format = date_format(values)
        # A column learned without a day/month order (ISO dates, or real datetimes) reads
        # "04/12/2022" as unreadable, never by a guess or by the other rows of the batch.
        day_first = None if format == ISO8601 else _day_first(format)
        text = values.where(values.isna(), values.astype(str).str.strip())
        codes, uniques = pd.factorize(text, use_na_sentinel=True)
        iso_values = pd.Series(uniques, dtype=object)
        # Only values that start like a numeric or year-first date are rewritten (one
        # Python call each); ISO 8601 text, the common case, is parsed as it is.
        pattern = r"\d{1,2}[./-]\d{1,2}[./-]|\d{4}[./]\d|\d{8}(?:T|$)"
        numeric = iso_values.astype("str").str.match(pattern)
        for position in np.flatnonzero(numeric.to_numpy(dtype=bool)):
            rewritten = _iso_text(str(uniques[position]), day_first, years)
            if rewritten is not None:
                iso_values.iloc[position] = rewritten
        is_iso = iso_values.astype("str").str.match(r"\d{4}-\d{2}-\d{2}")
        is_iso = is_iso.fillna(False).to_numpy(dtype=bool)
        parts, refused = [], np.zeros(len(uniques), dtype=bool)
        if is_iso.any():
            parts.append(
                pd.to_datetime(iso_values[is_iso], utc=True, format="ISO8601", errors="coerce")
            )
        if (~is_iso).any():
            other = iso_values[~is_iso].astype("str")
            # pandas takes the date of a value that starts with a time from today
            today = other.str.match(_TIME_FIRST) | other.str.lower().isin(_TODAY_WORDS)
            with warnings.catch_warnings():  # "could not infer format": expected here
                warnings.simplefilter("ignore", UserWarning)
                read = pd.to_datetime(
                    other.where(~today, None),
                    utc=True,
                    format="mixed",
                    errors="coerce",
                    dayfirst=day_first,
                ).astype("datetime64[us, UTC]")
            read, no_year = _written_years(other, read, years)
            gone = (today | no_year).to_numpy(dtype=bool)
            refused[np.flatnonzero(~is_iso)[gone]] = True
            parts.append(read.where(~(today | no_year)))
        # one resolution for both parts (microseconds span any year a table holds)
        parts = [part.astype("datetime64[us, UTC]") for part in parts]
        empty = pd.Series([], dtype="datetime64[us, UTC]")
        distinct = pd.concat(parts).sort_index() if parts else empty
        taken = distinct.array.take(codes, allow_fill=True)  # code -1 (missing): NaT
        parsed = pd.Series(taken, index=values.index, name=values.name)
        refused_rows = np.append(refused, False)[codes]
    try:
        return parsed.astype("datetime64[ns, UTC]"), refused_rows
    except (OverflowError, ValueError):  # beyond 1677-2262: keep pandas' own resolution
        return parsed, refused_rows


def short_years(values: pd.Series, parsed: pd.Series) -> np.ndarray:
    """Which of `values`, read as `parsed` (`parse_datetimes`), wrote the year with two
    digits ("25/03/64", "12-Mar-64"): their century came from the window. A bool array.

    Example:
        >>> v = pd.Series(["25/03/64", "25/03/1964", None])
        >>> short_years(v, parse_datetimes(v)).tolist()
        [True, False, False]
    """
    if isinstance(values.dtype, pd.DatetimeTZDtype) or pd.api.types.is_datetime64_dtype(values):
        return np.zeros(len(values), dtype=bool)
    text = values.where(values.isna(), values.astype(str).str.strip())
    codes, uniques = pd.factorize(text, use_na_sentinel=True)
    years = pd.Series(parsed.dt.year.to_numpy(), dtype="float").groupby(codes).first()
    short = np.array(
        [
            not np.isnan(years.get(i, np.nan)) and f"{int(years[i]):04d}" not in str(u)
            for i, u in enumerate(uniques)
        ]
        + [False],
        dtype=bool,
    )
    return short[codes]


def _written_years(text: pd.Series, read: pd.Series, years: str) -> tuple[pd.Series, pd.Series]:
    """The text dates pandas read (`read`), each year as written, and which wrote none.

    pandas completes a date without a year ("12 March", "1pm") with year 1, and reads a
    two-digit year ("12-Mar-64") within 50 years of the day it runs (dateutil's rule). A
    year is written when the text holds it with four digits, or its last two digits as
    a number of one or two digits, which the window `years` gives a century ("" keeps
    pandas' reading, as models saved before the window were fitted)."""
    out, none = read.copy(), pd.Series(False, index=read.index)
    for key, when in read.dropna().items():
        written = text[key]
        if when.year != 1 and f"{when.year:04d}" in written:
            continue
        if when.year == 1 or not re.search(rf"(?<!\d)0?{when.year % 100}(?!\d)", written):
            none[key] = True
        elif years:
            try:
                out[key] = when.replace(year=century(when.year % 100, years))
            except ValueError:  # 29 February in a year that has none
                out[key] = pd.NaT
    return out, none


def clock_minutes(values: pd.Series) -> np.ndarray:
    """Times of day as minutes since midnight (floats); NaN for anything else.

    "12:30" is 750, "08:05:30" 485.5, "1:05 PM" 785 and "12:10 AM" 10 (24-hour, or 12-hour
    with AM/PM); hours past 23 (or 12 with AM/PM), minutes or seconds past 59 are NaN. A
    time of day names no date, so it is a number, the same whatever the day it is read.

    Example:
        >>> clock_minutes(pd.Series(["12:30", "08:05:30", "1:05 PM", "25:00", None])).tolist()
        [750.0, 485.5, 785.0, nan, nan]
    """
    text = values.where(values.isna(), values.astype(str).str.strip())
    codes, uniques = pd.factorize(text, use_na_sentinel=True)
    found = pd.Series(uniques, dtype="str").str.extract(f"^{_TIME_OF_DAY.pattern}$")
    hours = pd.to_numeric(found["h"], errors="coerce")
    minutes = pd.to_numeric(found["m"], errors="coerce")
    seconds = pd.to_numeric(found["s"].str.replace(",", "."), errors="coerce").fillna(0.0)
    half = found["half"].str.upper()
    twelve = half.notna()
    valid = (minutes < 60) & (seconds < 60)
    valid &= (twelve & hours.between(1, 12)) | (~twelve & (hours < 24))
    hours = hours.where(~twelve, hours % 12 + np.where(half == "P", 12, 0))
    total = (hours * 60 + minutes + seconds / 60).where(valid)
    return np.append(total.to_numpy(dtype=float, na_value=np.nan), np.nan)[codes]
