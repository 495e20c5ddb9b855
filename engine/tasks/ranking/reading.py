"""Reading an interaction log for ranking: its roles, item table, split and the
findings about its periods (few hold-out users, cold start)."""

from __future__ import annotations

import re

import pandas as pd

from tuneplate.engine.contract.dates import detect_date_format
from tuneplate.engine.contract.errors import TuneplateError
from tuneplate.engine.data.checks import Finding
from tuneplate.engine.data.roles import read_table
from tuneplate.engine.tasks.ranking import candidates as cands
from tuneplate.engine.tasks.ranking.interactions import InteractionRoles, Log, index_items, resolve
from tuneplate.engine.tasks.ranking.windows import Windows
from tuneplate.engine.vertical import Vertical

MIN_HOLDOUT_USERS = 100  # fewer evaluated users than this and every figure is wide
COLD_START_WARN = 0.3  # share of hold-out users or items unseen before that changes the story


def parse_split(text: str | None) -> tuple[str, int]:
    """`time`, `last-n` (one event per user) or `last-N`, e.g. `last-2`."""
    text = (text or "time").strip().lower()
    if text == "time":
        return "time", 0
    if text == "last-n":
        return "last-n", 1
    if (m := re.fullmatch(r"last-(\d+)", text)) and int(m.group(1)) > 0:
        return "last-n", int(m.group(1))
    raise TuneplateError(
        f"unknown --split {text!r}; use 'time' (train on the past, test on the last period) "
        "or 'last-n' / 'last-2' (each user's last events held out)"
    )


def items_table(path: str | None, example_items, item_role: str) -> pd.DataFrame | None:
    items = read_table(path) if path else example_items
    if items is None:
        return None
    return index_items(items, item_role)


def prepare(vertical: Vertical, data: pd.DataFrame | None, config):
    """The log (the embedded example unless data is given), its roles and item table."""
    example_items, attribution, base = None, "", None
    if data is None:
        example = vertical.example()
        data, base = example.table, example.roles
        attribution, example_items = example.attribution, example.items
    roles = resolve(
        data,
        base,
        user=config.columns.user,
        item=config.columns.item,
        time=config.columns.time,
        value=config.columns.value,
        min_value=config.columns.min_value,
    )
    items = items_table(config.columns.items, example_items, roles.item)
    return data, roles, items, attribution


def items_findings(log: Log, items: pd.DataFrame | None) -> list[Finding]:
    """A warning when the log's items are not all in the items table (`--items`).

    Their category and price are unknown, so the diversity and revenue figures leave
    them out; the usual cause is an id written another way in one file (case, spaces).

    Example:
        >>> items_findings(log, items)[0].message
        '12 of the log's 400 items (3% of its events) are not in the items table'
    """
    if items is None or not len(log.events):
        return []
    ids = log.events["item"].astype("string")
    missing = ~ids.isin(items.index)
    if not missing.any():
        return []
    absent = ids[missing].unique()
    loose = set(_loose(pd.Series(items.index.astype("string"))))
    alike = int(_loose(pd.Series(absent, dtype="string")).isin(loose).sum())
    fix = (
        f"{alike:,} of them match an id of the items table when case, spaces and leading "
        "zeros are ignored: write the ids the same way in both files"
        if alike
        else "add them to the items table, or check that both files use the same item ids"
    )
    return [
        Finding(
            "items_missing",
            "warning",
            f"{len(absent):,} of the log's {ids.nunique():,} items ({missing.mean():.0%} of "
            "its events) are not in the items table; their category and price are unknown, "
            "so the diversity and revenue figures leave them out",
            expected="every item of the log in the items table (--items)",
            fix=fix,
        )
    ]


def _loose(ids: pd.Series) -> pd.Series:
    """Ids as a reader would match them: spaces and case aside, and a number's leading
    zeros ("00041" is 41, as a spreadsheet saves it).

    Example:
        >>> _loose(pd.Series([" P0041", "00041", "0"], dtype="string")).tolist()
        ['p0041', '41', '0']
    """
    text = ids.str.strip().str.casefold()
    digits = text.str.fullmatch(r"\d+").fillna(False)
    return text.mask(digits, text.str.lstrip("0").replace("", "0"))


def time_findings(table: pd.DataFrame, roles: InteractionRoles) -> list[Finding]:
    """A warning when the time column's day/month order was assumed, not proved.

    Dates such as `04/01/2025` with no day above 12 anywhere (a monthly extract dated on
    the 1st) are read day first (`detect_date_format`); written month first, every
    period's dates and every recency feature would be wrong, unsaid.

    Example:
        >>> time_findings(pd.DataFrame({"t": ["04/01/2025", "05/01/2025"]}), roles)[0].check
        'date_order_assumed'
    """
    column = table[roles.time]
    if pd.api.types.is_numeric_dtype(column) or pd.api.types.is_datetime64_any_dtype(column):
        return []
    found = detect_date_format(column.astype("string"))
    if not found.ambiguous:
        return []
    return [
        Finding(
            "date_order_assumed",
            "warning",
            f"{roles.time} was read {found.describe()}; the periods and recency "
            "features follow that reading",
            expected="dates whose order the column proves, or ISO dates (2025-04-01)",
            fix=f"if {roles.time} is written month/day/year, rewrite it as 2025-04-01 "
            "(ISO 8601) and run again",
            columns=(roles.time,),
        )
    ]


def period_findings(windows: Windows, holdout: cands.Candidates, split_kind: str):
    findings = []
    users = holdout.missed.size
    if users < MIN_HOLDOUT_USERS:
        alternative = (
            "or use --split last-n (each user's last events held out)"
            if split_kind == "time"
            else "or use a longer log"
        )
        findings.append(
            Finding(
                "few_holdout_users",
                "warning",
                f"only {users:,} users can be evaluated in the hold-out period",
                expected=f"at least {MIN_HOLDOUT_USERS} users, or every figure is wide",
                fix=f"read the intervals, not the point figures; {alternative}",
            )
        )
    hold = windows.holdout
    known_users = set(hold.history["user"])
    known_items = set(hold.history["item"])
    labels = hold.labels
    cold_users = 1 - labels["user"].isin(known_users).mean() if len(labels) else 0.0
    cold_items = 1 - labels["item"].isin(known_items).mean() if len(labels) else 0.0
    if max(cold_users, cold_items) > COLD_START_WARN:
        findings.append(
            Finding(
                "cold_start",
                "warning",
                f"in the hold-out period {cold_users:.0%} of the events to predict (the "
                f"positives) are by users and {cold_items:.0%} on items never seen before; "
                "those cannot be personalised",
                expected=f"at most {COLD_START_WARN:.0%} cold-start events",
                fix="the figures cover known users only; plan a popularity fallback for new "
                "users and a launch slot for new items",
            )
        )
    return findings
