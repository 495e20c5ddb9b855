"""Interaction logs (user, item, time): column roles and reading (windows.py cuts them).

A ranking vertical sees its table as events: who interacted with what, and when.
Everything here is generic to such logs; what a recommendation means in business
terms stays in the vertical.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

# Relative on purpose: `tuneplate export` copies this module verbatim into a ranking
# project, beside the contract, at the same relative path.
from ...contract.dates import ISO8601, check_date_order, detect_date_format, parse_datetimes
from ...contract.edges import nice_step, on_grid
from ...contract.errors import TuneplateError
from ...contract.group_ids import whole_text

# Names tried, in order, when --user / --item / --time are not given. RecBole's atomic
# files write "user_id:token", so anything after a colon is ignored when matching.
USER_NAMES = ("user", "user_id", "userid", "customer", "customer_id", "client_id", "visitor")
ITEM_NAMES = ("item", "item_id", "itemid", "product", "product_id", "sku", "article", "movie_id")
TIME_NAMES = ("time", "timestamp", "ts", "date", "datetime", "event_time", "order_date")
# An event-type column (view, cart, purchase) is only reported on: every event counts as a
# hit unless --value/--min-value say otherwise, and the report says when types mix.
EVENT_NAMES = ("event", "event_type", "action", "behavior", "behaviour", "interaction")


@dataclass(frozen=True)
class InteractionRoles:
    """Which columns of an interaction log are the user, the item and the time.

    Args:
        user, item, time: required columns; time may be dates or epoch seconds.
        value: a rating, quantity or price; with `min_value`, only events with
            `value >= min_value` count as positives (e.g. ratings of 4 or more).
        event: an event-type column (view, click, purchase), kept for reporting.
        price: an item price column used for the revenue estimate.

    Example:
        >>> InteractionRoles(user="customer", item="sku", time="ts", value="rating", min_value=4)
    """

    user: str
    item: str
    time: str
    value: str | None = None
    min_value: float | None = None
    event: str | None = None
    price: str | None = None

    def named(self) -> list[str]:
        return [c for c in (self.user, self.item, self.time, self.value, self.event) if c]


def _key(name: str) -> str:
    return str(name).split(":", 1)[0].strip().lower()


def find_column(
    table: pd.DataFrame,
    given: str | None,
    names: tuple[str, ...],
    flag: str,
    from_run: bool = False,
) -> str:
    """The column for a role: the one given, else the first conventional name present.
    `from_run`: `given` is the run's own column (scoring a new log), not the user's flag."""
    by_key = {_key(c): c for c in table.columns}
    if given is not None:
        if given in table.columns:
            return given
        if _key(given) in by_key:
            return by_key[_key(given)]
        whose = (
            f"the run's {flag[2:]} column {given!r} is not in the table (name this table's "
            f"with {flag} COL)"
            if from_run
            else f"column {given!r} given to {flag} is not in the table"
        )
        raise TuneplateError(f"{whose}; its columns are: {', '.join(map(str, table.columns[:20]))}")
    for name in names:
        if name in by_key:
            return by_key[name]
    raise TuneplateError(
        f"no {flag[2:]} column found (looked for {', '.join(names[:4])}, …); "
        f"name it with {flag} COL"
    )


def resolve(table: pd.DataFrame, roles: InteractionRoles | None, **given) -> InteractionRoles:
    """Roles for `table`: the given columns, else conventional names, checked to exist.

    Example:
        >>> resolve(pd.DataFrame(columns=["user_id:token", "item_id:token", "timestamp:float"]),
        ...         None).user
        'user_id:token'
    """
    base = roles or InteractionRoles("", "", "")
    pick = {k: v for k, v in given.items() if v is not None}

    def column(role: str, names: tuple[str, ...]) -> str | None:
        chosen = pick.get(role, getattr(base, role) or None)
        if chosen is None and not names:
            return None
        return find_column(table, chosen, names, f"--{role}", from_run=role not in pick)

    user, item = column("user", USER_NAMES), column("item", ITEM_NAMES)
    time, value = column("time", TIME_NAMES), column("value", ())
    min_value = pick.get("min_value", base.min_value)
    if min_value is not None and value is None:
        raise TuneplateError("--min-value needs the column it applies to; name it with --value COL")
    event = base.event if base.event in table.columns else None
    taken = {user, item, time, value, pick.get("price", base.price)}
    event = event or next(
        (c for c in table.columns if _key(c) in EVENT_NAMES and c not in taken), None
    )
    price = pick.get("price", base.price)
    return InteractionRoles(user, item, time, value, min_value, event, price)


def numbers(column: pd.Series, name: str, flag: str) -> pd.Series:
    """`column` as floats, empty cells NaN; a value that is not a number is refused.

    A rating written "4/5" or a price "13,83 €" read as missing would silently turn a hit
    into a miss, or drop a price: never coerce, say which column and what was expected.

    Example:
        >>> numbers(pd.Series(["4", "3.5", None]), "rating", "--value").tolist()
        [4.0, 3.5, nan]

    Raises:
        TuneplateError: any non-empty value that is not a plain number.
    """
    parsed = pd.to_numeric(column, errors="coerce")
    text = column.astype("string").str.strip()
    bad = (parsed.isna() & column.notna() & (text != "").fillna(False)) | np.isinf(parsed)
    if bad.any():
        example = str(column[bad].iloc[0])
        raise TuneplateError(
            f"{int(bad.sum()):,} value(s) of {flag} column {name!r} are not numbers (e.g. "
            f"{example!r}); write them as plain numbers (4.5, not '4/5', '4,5' or '4.5 €') "
            "before tuning"
        )
    return parsed.astype(float)


def index_items(items: pd.DataFrame, item_role: str) -> pd.DataFrame:
    """An item table indexed by item id (text, one row per item), for the features.

    The id column is `item_role` when the table has it, else a conventional name. A
    `price` column must hold numbers (`numbers`); an id on several rows that differ (a
    price history) is refused, since any one row would be a silent choice.

    Example:
        >>> index_items(pd.DataFrame({"sku": [1, 1, 2], "price": [3.0, 3.0, 5.0]}), "sku").index
        Index(['1', '2'], dtype='string', name='sku')
    """
    given = item_role if item_role in items.columns else None
    key = find_column(items, given, ITEM_NAMES, "--item")
    if "price" in items.columns:
        items = items.assign(price=numbers(items["price"], "price", "item table's"))
    # rows with no id describe no item (the log refuses events without one): left out
    ids = whole_text(items[key])
    ids = ids.where(ids.astype("string").str.strip() != "", None)  # " " is no id either
    items = items.assign(**{key: ids}).dropna(subset=[key]).drop_duplicates()
    twice = items[key].duplicated()
    if twice.any():  # a price history or two categories: which row is the item? Refuse
        raise TuneplateError(
            f"{int(twice.sum()):,} item id(s) of the item table's column {key!r} have rows "
            f"that differ (e.g. {str(items[key][twice].iloc[0])!r}); give one row "
            "per item (its current price and category)"
        )
    return items.set_index(key)


# Epoch milliseconds from 1973 to 5138: read as seconds they would be years past 5000,
# which no log holds, so a column whose every number lies here is milliseconds.
EPOCH_MS = (1e11, 1e14)


# Events dated later than now plus a day are future-dated; the day allows for time zones
# and for an extract written a few hours "ahead" of the local clock (the recommendation
# check and the exported score.py, which take the last event as "now").
FUTURE_TOLERANCE = pd.Timedelta(days=1)
# Epoch seconds below this are before March 1973: no interaction log is that old, so such
# numbers are something else (Excel serial days, 20240301 read as a number, a counter).
EPOCH_S_FLOOR = 1e8
# Times of day with no date ("22:24", "10:05:33 PM"): pandas would date them all today.
TIME_OF_DAY = r"^\s*\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?\s*(?:[AaPp]\.?[Mm]\.?)?\s*$"


def epoch_unit(column: pd.Series) -> str:
    """ "ms" when every number of `column` is epoch milliseconds (`EPOCH_MS`) and the
    column is not dates in ISO 8601's basic format (`basic_dates`), else "s"."""
    return "ms" if _all_epoch_ms(column) and basic_dates(column) is None else "s"


def _all_epoch_ms(column: pd.Series) -> bool:
    values = pd.to_numeric(column, errors="coerce").dropna()
    return bool(len(values)) and bool(values.between(*EPOCH_MS).all())


# ISO 8601's basic format as numbers, by digit count (SQL and SAS extracts write these):
# 20240301, 202403011230 (which, read as epoch milliseconds, is 1976) and 20240301123000.
BASIC_FORMATS = {8: "%Y%m%d", 12: "%Y%m%d%H%M", 14: "%Y%m%d%H%M%S"}


def basic_dates(column: pd.Series, name: str | None = None) -> pd.Series | None:
    """Dates (and times) in ISO 8601's basic format, written as whole numbers or as text
    of digits (a SQL VARCHAR): one digit count for the column (`BASIC_FORMATS`), years
    1900 to 2100, parsed; None when the column is not that.

    Example:
        >>> basic_dates(pd.Series(["202401020052"])).tolist()
        [Timestamp('2024-01-02 00:52:00')]

    Raises:
        TuneplateError: such dates with more than one digit count (with and without the
            time): no one reading fits them all.
    """
    given = column.dropna()
    if pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column):
        if not len(given) or not (given % 1 == 0).all() or (given <= 0).any():
            return None
        text = given.astype("int64").astype("string")
    else:
        text = given.astype("string").str.strip()
        if not len(text) or not text.str.fullmatch(r"\d{8}|\d{12}|\d{14}").all():
            return None
    if not text.str[:4].astype(int).between(1900, 2100).all():
        return None
    digits = set(text.str.len())
    if not digits <= set(BASIC_FORMATS):
        return None
    if len(digits) > 1:  # 202403011230 beside 20240301123000: refuse, never guess per value
        raise TuneplateError(
            f"time column {name or column.name!r} writes dates as numbers of "
            f"{' and '.join(map(str, sorted(digits)))} digits (YYYYMMDD with and without the "
            "time); write them one way, or as dates like 2024-03-01 12:30"
        )
    parsed = pd.to_datetime(text, format=BASIC_FORMATS[digits.pop()], errors="coerce")
    if parsed.isna().any():
        return None
    return parsed.reindex(column.index)


def parse_times(column: pd.Series, name: str, date_format: str | None = None) -> pd.Series:
    """Times as UTC-naive datetimes; numbers are read as epoch seconds, or as epoch
    milliseconds when every one of them is 13 digits long (`epoch_unit`: a common export
    that, read as seconds, lands tens of thousands of years ahead).

    `date_format` is the day/month order the run read its dates with (`time_format`):
    a scored log is read the same way, never decided again from its own dates, which a
    short log may leave unproved ("01/05/2017" read as 1 May for the run's 5 January),
    and a log that proves the other order is refused (`check_date_order`).

    Example:
        >>> parse_times(pd.Series([874965758]), "timestamp").dt.year.tolist()
        [1997]
        >>> parse_times(pd.Series([1708101989000]), "timestamp").dt.year.tolist()
        [2024]
    """
    basic = None if pd.api.types.is_datetime64_any_dtype(column) else basic_dates(column, name)
    if basic is not None:
        return _no_gaps(basic, column, name)
    if pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column):
        unit = "ms" if _all_epoch_ms(column) else "s"  # not basic dates: tested above
        if unit == "s" and (column.dropna() < EPOCH_S_FLOOR).any():
            example = column[column < EPOCH_S_FLOOR].iloc[0]
            raise TuneplateError(
                f"time column {name!r} holds numbers that, read as epoch seconds, fall "
                f"before 1973 (e.g. {example:g}); write times as dates like 2024-03-01 "
                "(Excel serial days and counters are not times)"
            )
        parsed = pd.to_datetime(column, unit=unit, errors="coerce")
    elif pd.api.types.is_datetime64_any_dtype(column):
        parsed = parse_datetimes(column).dt.tz_localize(None)
    else:
        clock = column.astype("string").str.match(TIME_OF_DAY).fillna(False)
        if clock.any():
            raise TuneplateError(
                f"{int(clock.sum()):,} value(s) of time column {name!r} are times of day "
                f"with no date (e.g. {str(column[clock].iloc[0])!r}); give --time a column "
                "with dates, or join the date and time columns first ('1997-09-22 22:24')"
            )
        ordered = date_format if date_format and date_format != ISO8601 else None
        if ordered:
            check_date_order(column.astype("string").rename(name), ordered)
        # Shared with --time splits: tz-aware times (even with changing offsets) to UTC.
        parsed = parse_datetimes(column, ordered).dt.tz_localize(None)
    return _no_gaps(parsed, column, name)


# A UTC offset, "Z" or a zone name after a time of day ("2024-03-01 12:30+01:00",
# "12:30:05Z"): never the "-01" of a bare date.
ZONE = r"\d:\d{2}(?::\d{2}(?:\.\d+)?)?\s*(?:Z|UTC|GMT|[+-]\d{2}(?::?\d{2})?)$"


def zoned(column: pd.Series) -> bool:
    """True when `column`'s times carry a time zone, which `parse_times` converts to UTC:
    every time then printed is in UTC and says so.

    Example:
        >>> zoned(pd.Series(["2024-03-30T12:00:00+01:00"])), zoned(pd.Series(["2024-03-30"]))
        (True, False)
    """
    if isinstance(column.dtype, pd.DatetimeTZDtype):
        return True
    if pd.api.types.is_numeric_dtype(column) or pd.api.types.is_datetime64_any_dtype(column):
        return False
    text = column.dropna().astype("string").str.strip()
    return bool(text.str.contains(ZONE, case=False).any())


def time_format(column: pd.Series) -> str | None:
    """The day/month order `column`'s numeric dates were read with ("%d/%m/%Y"), saved
    with the run so that scoring reads later logs the same way; None for epoch numbers,
    datetimes and dates that need no order (ISO 8601).

    Example:
        >>> time_format(pd.Series(["01/25/2017", "02/01/2017"]))
        '%m/%d/%Y'
    """
    if pd.api.types.is_numeric_dtype(column) or pd.api.types.is_datetime64_any_dtype(column):
        return None
    found = detect_date_format(column.astype("string")).format
    return found if found != ISO8601 else None


def _no_gaps(parsed: pd.Series, column: pd.Series, name: str) -> pd.Series:
    """`parsed`, after refusing any value of `column` that is missing or did not parse."""
    bad = parsed.isna() & column.notna()
    if column.isna().any() or bad.any():
        n = int(bad.sum() + column.isna().sum())
        example = column[bad].astype(str).head(1).tolist() or ["(empty)"]
        raise TuneplateError(
            f"{n:,} value(s) of time column {name!r} are not times (e.g. {example[0]!r}); "
            "give dates like 2024-03-01 or epoch seconds, or name another column with --time"
        )
    return parsed


@dataclass(frozen=True)
class Log:
    """A cleaned interaction log: one row per event, sorted by time.

    `events` has columns user, item, time (datetime), positive (bool), value
    (float, 1 when no value column) and keeps the original labels in `roles`;
    `hit` says in words which events count as positives (`hit_rule`); `values` is
    the value column as read, empty cells NaN (None without one), for the scale check;
    `utc` whether the times were converted to UTC from a time zone (`zoned`);
    `date_format` the time column's day/month order (`time_format`), None without one.
    """

    events: pd.DataFrame
    roles: InteractionRoles
    hit: str = "any event in the log"
    values: np.ndarray | None = field(default=None, repr=False, compare=False)
    utc: bool = False
    date_format: str | None = None

    @property
    def value_range(self) -> tuple[float, float] | None:
        """The value column's 1st and 99th percentiles (`value_range`); None without one."""
        return None if self.values is None else value_range(pd.Series(self.values))


# A new log with more than this share of its values outside the run's 1st–99th
# percentile range (2% by construction at the run) reads them on another scale or in
# another unit: ratings of 1–5 now 1–10, amounts in cents. Drift moves a few values
# past the edges, not a tenth of them, so this is refused rather than scored.
SCALE_OUTSIDE = 0.10


def value_range(values: pd.Series) -> tuple[float, float] | None:
    """The 1st and 99th percentiles of `values` (empty cells skipped), widened onto a
    coarse grid; None when there are none.

    Quantiles, not the minimum and maximum, and moved outwards to a multiple of a 1, 2 or
    5 × 10^k step (a twentieth of their distance, whole for whole numbers): aggregates,
    never one event's value (as `contract.edges`). Outwards, so the run's own share
    outside stays at most 2%.

    Example:
        >>> value_range(pd.Series([1, 2, 3, 4, 5] * 20))
        (1.0, 5.0)
    """
    given = values.dropna().to_numpy(dtype=float)
    if not len(given):
        return None
    low, high = np.quantile(given, [0.01, 0.99])
    step = nice_step((high - low) / 20) if high > low else 1.0
    if np.all(given == np.round(given)):
        step = max(step, 1.0)
    return on_grid(math.floor(low / step), step), on_grid(math.ceil(high / step), step)


def check_scale(log: Log, run_range: tuple[float, float] | None) -> str | None:
    """Refuse a log whose value column is on another scale than the run's; else a
    warning line when some values lie outside the run's range, or None.

    `run_range` is the run's `value_range` (None for a run before it was saved, or
    without a value column: nothing is checked).

    Raises:
        TuneplateError: more than `SCALE_OUTSIDE` of the values lie outside it.
    """
    name = log.roles.value
    if run_range is None or name is None or log.values is None:
        return None
    low, high = run_range
    given = log.values[~np.isnan(log.values)]
    share = float(((given < low) | (given > high)).mean()) if len(given) else 0.0
    span = f"{low:g}–{high:g}" if low != high else f"{low:g}"
    if share > SCALE_OUTSIDE:
        raise TuneplateError(
            f"{share:.0%} of the values of {name!r} lie outside the run's range {span} (its "
            f"1st to 99th percentile): the log uses another scale or unit than the run; "
            f"write {name!r} as the run did"
        )
    if share > 0.02:  # the run itself had 2% outside its own percentiles
        return (
            f"{share:.0%} of the values of {name!r} lie outside the run's range {span}; "
            "the lists for those events may differ from the run's"
        )
    return None


ALIKE = "views and purchases count alike"  # in `hit_rule` when event types are not told apart


def hit_rule(table: pd.DataFrame, roles: InteractionRoles) -> str:
    """Which events count as positives ("hits"), in words, for the report's assumptions.

    Event types are counted, never named: a type seen once would be one row's value.

    Example:
        >>> hit_rule(log_with_view_cart_purchase, InteractionRoles("u", "i", "t", event="event"))
        "any event, whatever its 'event' (3 types): views and purchases count alike"
    """
    if roles.min_value is not None:
        return f"an event with {roles.value} of {roles.min_value:g} or more"
    if roles.event and roles.event in table.columns:
        kinds = table[roles.event].astype("string").dropna().nunique()
        if kinds > 1:
            return f"any event, whatever its {roles.event!r} ({kinds} types): {ALIKE}"
    return "any event in the log"


def to_log(table: pd.DataFrame, roles: InteractionRoles, date_format: str | None = None) -> Log:
    """The table as a `Log`: typed, sorted, with the positive rule applied. `date_format`:
    the run's day/month order when scoring (`parse_times`), else decided from `table`."""
    date_format = date_format or time_format(table[roles.time])
    frame = pd.DataFrame(
        {
            "user": whole_text(table[roles.user]).to_numpy(),
            "item": whole_text(table[roles.item]).to_numpy(),
            "time": parse_times(table[roles.time], roles.time, date_format).to_numpy(),
        }
    )
    missing = frame["user"].isna() | frame["item"].isna()
    if missing.any():
        raise TuneplateError(
            f"{int(missing.sum()):,} row(s) have no user or item "
            f"(columns {roles.user!r}, {roles.item!r}); drop or fill them before tuning"
        )
    hit = hit_rule(table, roles)
    if roles.value:
        value = numbers(table[roles.value], roles.value, "--value")
        if value.isna().all():
            raise TuneplateError(
                f"value column {roles.value!r} holds no numbers; give a numeric --value column"
            )
        if roles.min_value is not None and value.isna().any():  # said beside the figures
            hit += f" ({int(value.isna().sum()):,} events with no {roles.value} count as misses)"
        frame["value"] = value.fillna(0.0).to_numpy(dtype=float)
    else:
        frame["value"] = 1.0
    if roles.min_value is not None:
        frame["positive"] = (value >= roles.min_value).to_numpy()  # no value: a miss
    else:
        frame["positive"] = True
    if roles.price and roles.price in table.columns:
        frame["price"] = numbers(table[roles.price], roles.price, "price").to_numpy(dtype=float)
    frame = frame.sort_values("time", kind="stable").reset_index(drop=True)
    values = value.to_numpy(dtype=float) if roles.value else None
    return Log(frame, roles, hit, values, zoned(table[roles.time]), date_format)
