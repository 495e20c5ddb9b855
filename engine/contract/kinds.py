"""One feature column: its `Feature` record, its kind learned from its values, and
its values read as that kind.

`_learn_kind` decides numeric, categorical, boolean or datetime from all of a column's
values (not its pandas dtype alone; times of day are numbers, minutes since midnight),
and `_read` reads a column as a `Feature`'s kind,
so training and scoring read a column alike however pandas happened to type it.
`Schema` (schema.py) applies both to every feature of a table.

Separate from schema.py: the rules for one column apart from the whole-table contract
(learn, pool levels, encode, save). Copied verbatim with the rest of
`engine/contract/` into an exported project by `tuneplate export`, so it imports only
the standard library, numpy, pandas and its siblings (relatively).

Example:
    >>> _learn_kind(pd.Series(["1,5", "2,25", "n/a"]), "rate", {"decimal": ","})[:3]
    ('numeric', ('n/a',), {})
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .dates import (
    EXCEL_YEARS,
    ISO8601,
    check_date_order,
    clock_minutes,
    detect_date_format,
    parse_datetimes,
    short_years,
    undated,
)
from .notes import (
    Note,
    _date_note,
    _empty_note,
    _format_notes,
    _inf_note,
    _time_note,
    _token_note,
    _two_digit_note,
)
from .numbers import _numbers, _text, currency_code, number_format, values_currency, written_as

KINDS = ("numeric", "categorical", "boolean", "datetime")

# A level seen in fewer development rows than this is pooled into OTHER before any model
# sees it. Two reasons, both pointing at ~10: (1) a tree cannot estimate a level's effect
# from a handful of rows (LightGBM's own categorical smoothing, `cat_smooth`, defaults to
# 10 pseudo-rows); (2) statistical disclosure control's "threshold rule" withholds cells of
# fewer than 3-10 records (Hundepool et al., Statistical Disclosure Control, Wiley 2012,
# ch. 5); we take the strict end, so no value from a few rows reaches a model file.
MIN_LEVEL_ROWS = 10

# A text column is read as numbers when at least this share of its non-blank values that
# are not missing-words parse as numbers, and the rest are at most MAX_STRAY_TOKENS
# distinct texts ("n/a", "-", "unknown"): typos of "missing", not categories.
PARSE_SHARE = 0.95
MAX_STRAY_TOKENS = 5
NUMBER_MAJORITY = 0.5  # numbers in half the values, beside at most MAX_STRAY_TOKENS words
MEASUREMENT_VALUES = 10  # … and that many distinct numbers: a measurement, not codes
# A number behind a comparison sign ("<0.5", "> 1000", "<=5"): a laboratory result beyond
# the test's detection limit, which the note names (lower-cased text, as compared).
LIMIT = r"\s*(?:[<>]=?|≤|≥)\s*[+-]?(?:\d+(?:[.,]\d*)?|[.,]\d+)\s*"

# Text that means "no value" in extracts (compared stripped and lower-cased); "(blank)"
# is how an Excel pivot table writes an empty cell, "not done" how a laboratory export
# writes a test that was not run.
MISSING_WORDS = frozenset(
    {"", "na", "n/a", "n.a.", "nan", "null", "none", "nil", "-", "--", "---", "?", "??",
     ".", "unknown", "missing", "#n/a", "#na", "#null!", "#value!", "#div/0!", "<na>", "nat",
     "(blank)", "not done", "not measured", "not tested", "not available", "not assessed",
     "n.d."}
)  # fmt: skip
TRUE_WORDS, FALSE_WORDS = frozenset({"true", "1"}), frozenset({"false", "0"})
_EPOCH = pd.Timestamp(0, tz="UTC")
# A text column is dates only when its values parse to years in this range: pandas'
# lenient parser reads codes such as "1 23" as 23 January of year 1, which no table's
# records hold.
DATE_YEARS = (1800, 2200)
# A text column is dates when this share of its distinct values are: the rest are read
# as missing and counted (`_date_note`). Lower than PARSE_SHARE because each stray date
# is a distinct value of its own, and read as text the column would be one pooled level.
DATE_SHARE = 0.8
# Excel's serial day numbers for 1927-2119 (a date cell exported unformatted): "44562"
EXCEL_SERIAL = r"\s*[1-7]\d{4}(?:\.0+)?\s*"
_DATE_SAMPLE = 2000  # distinct texts parsed to decide whether a column holds dates
MINUTES_A_DAY = 24 * 60  # a time of day is read as minutes since midnight, below this
# `clock_numbers`: distinct values of 100 or more a batch needs before its numbers given
# for a time of day are judged written as clock times (830 for 08:30). Minutes since
# midnight end in 60-99 about 40% of the time, so 20 values all under 60 is a chance of
# 0.6**20, about 4 in 100,000.
CLOCK_VALUES = 20


@dataclass(frozen=True)
class Feature:
    """One feature column as the model knows it.

    Args:
        name: the user's column name (shown everywhere a person reads).
        key: the name the model libraries see (the user's name unless they refuse it).
        kind: numeric | categorical | boolean | datetime (datetime enters models as days
            since 1970-01-01 UTC, a float).
        levels: categorical only: levels kept, sorted, then OTHER when rare ones were pooled.
        missing_tokens: text read as missing rather than as unreadable (lower-case).
        had_missing: whether the training rows had missing values in this column.
        other_share: share of the training rows pooled into OTHER (an aggregate).
        decimal: numeric only: "," or "." when this column's text numbers use another
            decimal mark than the table's rules (learnt at fit); "" to follow the rules.
        date_format: datetime from text only: the column's date format learnt at fit
            (`reader.date_format`, e.g. "%d/%m/%Y"), so scoring reads 03/04 as training
            did; "" to decide from the rows (datetime columns, older models).
        two_digit_years: datetime only: the 100 years a two-digit year is read into
            ("1930-2029", Excel's rule, `dates.EXCEL_YEARS`), fixed at fit; "" in models
            saved before the rule, which keep the reading they were fitted with (POSIX
            %y, 1969-2068, for numeric dates; pandas' for text dates).
        currency: numeric only: the ISO 4217 code its amounts were written in at fit
            ("USD" for "$1,169", `numbers.values_currency`); a value written in another
            ("£1,169") is unreadable, counted, never read as this one. "" in models saved
            before the rule and in columns without signs.
        time_of_day: numeric only: the column is times of day ("12:30", "8:05 PM") read
            as minutes since midnight (`dates.clock_minutes`), at fit and at scoring;
            numbers given for it are such minutes (as `Schema.typed` writes them), and
            outside 0-1440 unreadable.
        words_missing: categorical only: a missing-word ("?", "-") that is not a learned
            level reads as missing (`fit_levels` sets it); False in models saved before
            the rule, which keep scoring such words as unknown levels, as they trained.
        domain: numeric only: the bounds every development row kept (`fit_levels`):
            "unit_interval" (0 to 1: a fraction, a rate, a 0/1 flag), "nonnegative" (0 or
            more: an amount, a duration, an age), or "" (none, or a model saved before
            the rule). A scored value outside them (a duration of -5, a -999 written for
            "missing", 45 for a 0.45 rate) is counted (`ColumnCounts.out_of_domain`) and
            scored as given. Canonical bounds, not the development's extremes: a model
            file keeps no single row's value.
        codes: numeric only: the values of a column that took at most CODE_VALUES
            distinct values at development, each in MIN_LEVEL_ROWS rows or more (a 1/2
            flag, a 1-4 code, a 36/60-month term), so no single row's value is kept;
            () for other columns and models saved before the rule. A scored value not
            among them (0/1 sent for a 1/2 flag, a code times 100) is counted
            (`ColumnCounts.off_codes`) and scored as given.
        missing_share: the share of the development rows missing in this column (an
            aggregate), so that a batch far more often missing is said (a column the
            extract left empty, where training had a few blanks); None in models saved
            before it was recorded, which say new missing values only where training
            had none (`had_missing`).
    """

    name: str
    key: str
    kind: str
    levels: tuple[str, ...] = ()
    missing_tokens: tuple[str, ...] = ()
    had_missing: bool = False
    other_share: float = 0.0
    decimal: str = ""
    date_format: str = ""
    words_missing: bool = False
    two_digit_years: str = ""
    time_of_day: bool = False
    currency: str = ""
    domain: str = ""
    missing_share: float | None = None
    codes: tuple[float, ...] = ()


def clock_numbers(values: np.ndarray) -> bool:
    """Whether numbers given for a time of day (float, (n,)) are clock times written as
    numbers (830 for 08:30, 1745 for 17:45) rather than minutes since midnight: whole
    numbers from 0 to 2359, CLOCK_VALUES or more distinct ones of 100 or more, and none
    whose last two digits reach 60, which no clock time has.

    Example:
        >>> clock_numbers(np.array([100.0 * h + m for h in range(7, 19) for m in (0, 30)]))
        True
    """
    x = values[np.isfinite(values)]
    if not len(x) or (x % 1 != 0).any() or (x < 0).any() or (x >= 2400).any():
        return False
    distinct = np.unique(x[x >= 100])
    return len(distinct) >= CLOCK_VALUES and bool((distinct % 100 < 60).all())


def missing_words(f: Feature) -> frozenset[str]:
    """The lower-case text `f` reads as missing: `MISSING_WORDS` and its own tokens."""
    return MISSING_WORDS | set(f.missing_tokens)


def _token_mask(s: pd.Series, f: Feature) -> np.ndarray:
    text = _text(s)
    return (text.notna() & text.str.lower().isin(missing_words(f))).to_numpy()


def _read(
    s: pd.Series, f: Feature, rules: dict | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(values, unreadable mask, missing mask) of one column read as `f.kind`.

    Values are floats for numeric/boolean/datetime (NaN when missing or unreadable) and
    canonical text (None when missing) for categorical. Unreadable values are missing too,
    and so is a missing-word (`MISSING_WORDS`) in a categorical column that is not among
    its learned levels: "?" is missing at scoring as it was at fit (`fit_levels`), never
    a level the model never saw, whatever the column had before.
    Text numbers are read with the column's decimal mark, else the saved `rules`'
    (`number_format`): "3.543" is 3543 for a model tuned on a 1.234,5 file.
    """
    n = len(s)
    if f.kind == "categorical":
        text = _text(s)
        if f.words_missing:  # a missing-word ("?", "-", "n/a") the model did not learn
            lower = text.str.lower()
            learned = {str(level).strip().casefold() for level in f.levels}  # "NONE": none
            word = lower.isin(missing_words(f)) & ~lower.isin(learned)
            text = text.where(~word.fillna(False).to_numpy(dtype=bool), None)
        text = text.to_numpy()
        miss = pd.isna(text)
        return text, np.zeros(n, bool), miss
    if f.kind == "datetime" and pd.api.types.is_datetime64_any_dtype(s):
        days = _days(s)
        return days, np.zeros(n, bool), np.isnan(days)
    if f.kind in ("numeric", "boolean") and (
        pd.api.types.is_numeric_dtype(s) or pd.api.types.is_bool_dtype(s)
    ):
        values = s.to_numpy(dtype=float, na_value=np.nan)
        bad = np.isinf(values)
        if f.kind == "numeric" and pd.api.types.is_bool_dtype(s):
            # True/False for a number (a duration, an amount) is another column's values,
            # not 1 and 0: unreadable, as "True" written as text is
            bad |= ~np.isnan(values)
        if f.kind == "boolean":
            bad |= ~np.isnan(values) & ~np.isin(values, (0.0, 1.0))
        if f.time_of_day and clock_numbers(values):  # 830 for 08:30: not minutes
            bad |= ~np.isnan(values)
        elif f.time_of_day:  # minutes since midnight (as `Schema.typed` gives them): 0-1440
            bad |= ~np.isnan(values) & ((values < 0) | (values >= MINUTES_A_DAY))
        values = np.where(bad, np.nan, values)
        return values, bad, np.isnan(values)
    # text (object, pandas string, category): parse each distinct value once
    text = _text(s)
    lower = text.str.lower()
    token = (text.notna() & lower.isin(missing_words(f))).to_numpy()
    blank = text.isna().to_numpy()
    if f.kind == "numeric" and f.time_of_day:
        parsed = clock_minutes(text)
        bad = ~blank & ~token & np.isnan(parsed)
    elif f.kind == "numeric":
        parsed = _numbers(s, *number_format(rules, f.decimal))
        bad = ~blank & ~token & ~np.isfinite(parsed)
        if f.currency:  # an amount written in another currency is not this column's number
            bad |= _other_currency(s, f.currency)
    elif f.kind == "boolean":
        parsed = np.where(
            lower.isin(TRUE_WORDS), 1.0, np.where(lower.isin(FALSE_WORDS), 0.0, np.nan)
        )
        bad = ~blank & ~token & np.isnan(parsed)
    else:  # datetime from text
        # no saved order (fitted on real datetimes): only order-free text reads, as ISO8601
        dates = text.where(~(token | blank), None).rename(f.name)
        check_date_order(dates, f.date_format)  # the other order would swap day and month
        parsed = _days(parse_datetimes(dates, f.date_format or ISO8601, f.two_digit_years))
        bad = ~blank & ~token & np.isnan(parsed)
    values = np.where(bad | token, np.nan, parsed).astype(float)
    return values, bad, np.isnan(values)


def _other_currency(s: pd.Series, currency: str) -> np.ndarray:
    """Which values carry a sign or code of another currency than the column's at fit
    ("£1,169" where the run read "$1,169"); a value without one is taken as written."""
    codes, uniques = pd.factorize(s, use_na_sentinel=True)
    other = [bool((c := currency_code(written_as(str(u))[1])) and c != currency) for u in uniques]
    return np.array(other + [False], dtype=bool)[codes]


def _days(s: pd.Series) -> np.ndarray:
    """Days since 1970-01-01 UTC (naive times taken as UTC)."""
    s = pd.Series(s)
    naive = getattr(s.dt, "tz", None) is None
    s = s.dt.tz_localize("UTC") if naive else s.dt.tz_convert("UTC")
    # in the column's own resolution: a year-1 date ("1 23" read as 0001-01-23) held in
    # microseconds overflowed when the epoch's nanoseconds were subtracted
    epoch = _EPOCH.as_unit(s.dt.unit)
    return ((s - epoch) / pd.Timedelta(days=1)).to_numpy(dtype=float, na_value=np.nan)


def _learn_kind(
    s: pd.Series, col: str, rules: dict
) -> tuple[str | None, tuple[str, ...], dict, list[Note]]:
    """(kind or None when the column is empty, missing tokens, how it reads, notes).

    How it reads: the `Feature` fields the column needs beyond its kind, {} for most:
    {"decimal": ","} for its own decimal mark, {"time_of_day": True} for times of day.
    Text numbers are read under the table's `rules` (`number_format`); a column that
    reads as numbers only with the other decimal mark ("12,5" in a plain table) keeps
    that mark as its own, with a note. "12.5%" reads as 12.5 (percent units), with a note.
    Times of day ("12:30") are minutes since midnight, with a note: never dates on the
    day the code runs, as pandas reads them.
    """
    if pd.api.types.is_bool_dtype(s):
        return "boolean", (), {}, []
    if pd.api.types.is_datetime64_any_dtype(s):
        if s.notna().any():
            zone = str(s.dt.tz) if isinstance(s.dtype, pd.DatetimeTZDtype) else ""
            return "datetime", (), {}, [_date_note(col, 0, from_text=False, zone=zone)]
        return None, (), {}, [_empty_note(col)]
    if isinstance(s.dtype, pd.CategoricalDtype) and s.notna().any():
        # declared by the user (pandas `category`): levels, even when they are numbers
        # (branch codes 3, 7, 11 are not amounts; reading them so orders 11 above 7)
        return "categorical", (), {}, []
    if pd.api.types.is_numeric_dtype(s):
        values = s.to_numpy(dtype=float, na_value=np.nan)
        inf = int(np.isinf(values).sum())
        if not np.isfinite(values).any():
            return None, (), {}, [_empty_note(col, inf)]
        return "numeric", (), {}, [_inf_note(col, inf)] if inf else []
    text = _text(s)
    lower = text.str.lower()
    blank = text.isna()
    word = ~blank & lower.isin(MISSING_WORDS)
    rest = ~blank & ~word
    if not rest.any():
        return None, (), {}, [_empty_note(col, 0, sorted(set(lower[word])))]
    seen = set(lower[rest].unique())
    if seen <= TRUE_WORDS | FALSE_WORDS and seen & {"true", "false"}:
        return "boolean", tuple(sorted(set(lower[word]))), {}, []
    given = s[rest.to_numpy()]  # raw values: canonical text would turn "1.000" into "1"
    if given.astype(str).str.strip().str.fullmatch(r"[+-]?0\d+").any():
        return "categorical", (), {}, []  # "01067", "000123": codes (postcodes, ids)
    decimal, thousands = number_format(rules)
    numbers = pd.Series(_numbers(given, decimal, thousands), index=given.index)
    own = ""
    if numbers.notna().mean() < PARSE_SHARE:  # the other decimal mark, for this column only
        other = "," if decimal == "." else "."
        again = pd.Series(_numbers(given, *number_format(None, other)), index=given.index)
        if again.notna().mean() >= PARSE_SHARE:
            numbers, own = again, other
            decimal, thousands = number_format(None, other)
    finite = numbers.notna() & np.isfinite(numbers)
    stray = lower[rest][numbers.isna()]
    limit = stray.str.fullmatch(LIMIT).to_numpy(dtype=bool)  # "<0.5": said apart, not counted
    other = set(stray[~limit])  # … among the stray texts that make a column text
    # A measurement (many distinct numbers) in most rows beside a few distinct words
    # ("hemolysed", "see comment": no digits, not a one- or two-letter code such as a
    # grade "B") is a number column whose words are missing, said in a warning; as text,
    # every number would be a level of its own and the order of values lost.
    words = all(len(t) >= 3 and not re.search(r"\d", t) for t in other)
    # … each rare (a frequent word such as "retired" beside years employed is a status,
    # not a missing value; the missing-words are counted apart, in `word`)
    rare = stray[stray.isin(other)].value_counts().max() if other else 0
    share = finite.mean()
    measured = (
        words
        and rare < (1 - PARSE_SHARE) * len(given)
        and numbers[finite].nunique() >= MEASUREMENT_VALUES
    )
    numeric = share >= PARSE_SHARE or (share >= NUMBER_MAJORITY and measured)
    if numeric and len(other) <= MAX_STRAY_TOKENS and finite.any():
        stray_counts = stray.value_counts()
        kept = {t for t, n in stray_counts.items() if n >= MIN_LEVEL_ROWS}
        tokens = tuple(sorted(set(lower[word]) | kept))
        notes = []
        n_missing = int(word.sum() + len(stray))
        if n_missing:
            shown = set(lower[word]) | (kept & other)
            hidden = len(other - kept)
            notes.append(_token_note(col, n_missing, shown, hidden, int(limit.sum())))
        inf = int(np.isinf(numbers).sum())
        if inf:
            notes.append(_inf_note(col, inf))
        written = given[finite.to_numpy()].map(lambda v: str(v).strip())
        notes += _format_notes(col, written, numbers[finite], decimal, thousands, own)
        notes += _answer_notes(col, text[rest], numeric=True)  # mostly 1/0, a few "yes"
        reads = {"decimal": own} if own else {}
        if currency := values_currency(written):  # amounts in another are then unreadable
            reads["currency"] = currency
        return "numeric", tokens, reads, notes
    sample = pd.Series(text[rest].unique()[:_DATE_SAMPLE], name=col)
    if sample.str.contains(r"\d").mean() >= PARSE_SHARE:
        if np.isfinite(clock_minutes(sample)).mean() >= DATE_SHARE:  # times, no date
            unread = int(np.isnan(clock_minutes(text[rest])).sum())
            tokens = tuple(sorted(set(lower[word])))
            return "numeric", tokens, {"time_of_day": True}, [_time_note(col, unread)]
        parsed = parse_datetimes(sample)
        dated = parsed.dt.year.between(*DATE_YEARS).mean()  # NaT: False
        if dated >= DATE_SHARE:
            days = _days(parse_datetimes(text[rest]))
            unread = text[rest][np.isnan(days)]
            serials = int(unread.str.fullmatch(EXCEL_SERIAL).sum())
            partial = int(undated(unread).sum())  # "12:30", "12 March": no date or year
            note = _date_note(col, len(unread), True, serials=serials, undated=partial)
            return "datetime", tuple(sorted(set(lower[word]))), {}, [note]
    notes = _case_notes(col, text[rest]) + _answer_notes(col, text[rest])
    return "categorical", (), {}, notes + _unit_notes(col, text[rest])


# A number and a unit in one cell ("1,8 mg/dl", "72 kg", "5.4 mmol/L"): read as text levels.
NUMBER_WITH_UNIT = r"[+-]?(?:\d+(?:[.,]\d+)?|[.,]\d+)\s*(?P<unit>(?:[^\W\d_]|[%°µ/])[^\d\s]{0,7})"
MAX_UNITS = 3  # more distinct "units" than this is a text column (codes, addresses)
MIN_VALUES_PER_UNIT = 5  # "0_no"/"1_yes", "10x"/"20x": codes, not measurements


def _unit_notes(col: str, text: pd.Series) -> list[Note]:
    """A warning when a text column is numbers with a unit written in the cell: the model
    learns every value as a level of its own, not as a number."""
    values = pd.Series(text.dropna().unique()).astype(str).str.strip()
    found = values.str.fullmatch(NUMBER_WITH_UNIT)
    if len(values) < 2 or found.mean() < PARSE_SHARE:
        return []
    units = values[found].str.extract(f"^{NUMBER_WITH_UNIT}$")["unit"].str.strip()
    kinds = units.str.casefold().nunique()
    if kinds > MAX_UNITS or len(values) < MIN_VALUES_PER_UNIT * kinds:
        return []
    shown = ", ".join(sorted(set(units))[:MAX_UNITS])
    named = re.sub(r"\W+", "_", units.iloc[0]).strip("_") or "unit"
    return [
        Note(
            "unit_in_cells",
            "warning",
            f"{col}: numbers written with a unit in the cell ({shown}): read as text, each "
            "value a level of its own to the model, not a number",
            expected="the number alone in each cell (the unit in the column's name)",
            fix="remove the unit from the cells (write 1,8, not 1,8 mg/dl) and name the "
            f"column with it ('{col}_{named}')",
            columns=(col,),
        )
    ]


# Two-valued answers as extracts spell them (compared stripped and case-folded), by the
# family each spelling belongs to: a column mixing families writes one answer two ways.
ANSWER_FAMILY = {
    "yes": "words", "no": "words", "y": "letters", "n": "letters", "true": "true/false",
    "false": "true/false", "t": "t/f", "f": "t/f", "1": "digits", "0": "digits",
}  # fmt: skip


def _answer_notes(col: str, text: pd.Series, numeric: bool = False) -> list[Note]:
    """A warning when a yes/no column writes one answer two ways ("yes" and "1", "no" and
    "0"): the model learns four levels from what are two answers, each from its own rows
    (or, `numeric`, reads the 1/0 and takes the words for missing values)."""
    folded = set(pd.Series(text.dropna().unique()).astype(str).str.strip().str.casefold())
    families = {ANSWER_FAMILY.get(v) for v in folded}
    if None in families or len(families) < 2:
        return []
    if all(len(v) == 1 for v in folded) and "digits" not in families:
        return []  # letters alone (T/F/N) may be a code of three
    return [
        Note(
            "answers_spelled_two_ways",
            "warning",
            f"{col}: yes/no answers written {len(folded)} ways ({', '.join(sorted(folded))}): "
            + (
                "read as numbers, the words are missing values to the model"
                if numeric
                else "each spelling is a level of its own to the model, learnt from its own rows"
            ),
            expected="each answer written one way (yes/no, or 1/0)",
            fix="write each answer one way in the extract, before tuning and at scoring",
            columns=(col,),
        )
    ]


def _case_notes(col: str, text: pd.Series) -> list[Note]:
    """A warning when some levels differ only in case or surrounding spaces ("Male",
    "male ", "MALE"): the model learns each spelling as a level of its own."""
    levels = pd.Series(text.dropna().unique()).astype(str)
    folded = levels.str.strip().str.casefold().nunique()
    if folded == levels.str.strip().nunique():
        return []
    return [
        Note(
            "case_levels",
            "warning",
            f"{col}: {levels.str.strip().nunique():,} levels are {folded:,} once case is "
            "ignored ('Male' and 'male' are two levels to the model, each learnt from "
            "its own rows)",
            expected="each level written one way",
            fix="write each level one way in the extract; scoring keeps each spelling apart too",
            columns=(col,),
        )
    ]


def _date_format(s: pd.Series, col: str) -> tuple[str, list[Note]]:
    """A text date column's format, decided once at fit (`reader.detect_date_format`).

    Returns ("" for datetime dtypes, notes): a note when the day/month order was assumed,
    and a warning when dates were written with two-digit years (the century's rule, and
    how many dates it placed in each century).
    """
    if pd.api.types.is_datetime64_any_dtype(s):
        return "", []
    text = _text(s).rename(col)
    found = detect_date_format(text)
    notes = _two_digit_notes(text, found.format, col)
    if found.ambiguous:
        notes.append(
            Note(
                "date_order",
                "warning",
                f"{col}: dates read as {found.describe()}",
                expected="dates whose order is clear, e.g. 2023-03-31",
                fix="nothing to do if the day comes first; else write the dates as year-month-day",
                columns=(col,),
            )
        )
    return found.format or "", notes


def _two_digit_notes(text: pd.Series, format: str | None, col: str) -> list[Note]:
    """A warning when some dates write their year with two digits: how many, how many
    the window (`EXCEL_YEARS`) put in 2000-2029 and in 1930-1999, and how many fall after
    the column's latest date written with four digits. Counts only, never a row's date."""
    words = text.notna() & text.str.lower().isin(MISSING_WORDS)
    text = text.where(~words.to_numpy(dtype=bool), None)
    parsed = parse_datetimes(text, format or ISO8601, EXCEL_YEARS)
    short = short_years(text, parsed)
    if not short.any():
        return []
    years = parsed[short].dt.year
    recent = int((years >= 2000).sum())
    full = parsed[~short].dropna()
    after = int((parsed[short] > full.max()).sum()) if len(full) else None
    return [_two_digit_note(col, int(short.sum()), recent, len(years) - recent, after)]
