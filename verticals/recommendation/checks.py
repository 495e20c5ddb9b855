"""Recommendation data checks: duplicate events, ids written two ways, impossible dates,
users too thin to evaluate, a sparse catalogue and one item that dominates the log.

Each check reads the raw interaction table (columns named by `InteractionRoles`) and
returns Findings whose message says what was found, `expected` what a sound log looks
like, and `fix` what to do. None stops a run: the engine
has already read the log (`to_log`) before they run, so every time parses.
"""

from __future__ import annotations

import math

import pandas as pd

from tuneplate.plugin import (
    FUTURE_TOLERANCE,
    Finding,
    InteractionRoles,
    epoch_unit,
    parse_times,
    zoned,
)

# Any exact repeat of (user, item, time[, event]) is a logging artefact (a page
# refresh, a retried request, a file appended twice): no real customer does the same
# thing twice in the same second, and the copies inflate popularity and co-occurrence.
MIN_DUPLICATES = 1
# Dates before 1990 are almost always placeholders (epoch 0 = 1970-01-01, a default
# 1900-01-01), not real interactions: web and shop logs start in the 1990s.
EARLIEST_PLAUSIBLE = pd.Timestamp("1990-01-01")
# A user needs an event for the features, one for the training labels and one to be
# evaluated on: with fewer than 3, they can serve at most one of those roles.
MIN_USER_EVENTS = 3
# When most users are below that, the ranker learns from a minority and the rest
# get what popularity gives them.
THIN_USERS_SHARE = 0.5
# Fewer than 2 events per item on average means most items were seen once: no pair
# of customers shares them, so item-to-item co-occurrence has nothing to count.
MIN_EVENTS_PER_ITEM = 2.0
# Density (events / users x items) below 0.05%: fewer than 1 in 2,000 user-item pairs
# observed, where two customers rarely share an item (MovieLens 100K has 6.3%).
MIN_DENSITY = 0.0005
# One item with more than a fifth of all events makes "most popular" an answer that
# is right for many users at once: the baseline is hard to beat and metrics saturate.
DOMINANT_SHARE = 0.2
HEAD_SHARE = 0.01  # the "head" whose concentration is reported: the top 1% of items


def _share(n: int, total: int) -> str:
    return f"{n:,} ({n / total:.1%})" if total else f"{n:,}"


def check_duplicate_events(table: pd.DataFrame, roles: InteractionRoles) -> list[Finding]:
    """Rows repeating the same user, item and time (and event type, when there is one)."""
    key = [roles.user, roles.item, roles.time]
    if roles.event and roles.event in table.columns:
        key.append(roles.event)
    n = int(table.duplicated(subset=key).sum())
    if n < MIN_DUPLICATES:
        return []
    times = parse_times(table[roles.time], roles.time)
    if (times == times.dt.normalize()).all():
        # dates with no time of day: two rows may be two real events on one day (a re-buy,
        # two order lines), which deduplicating would delete
        expected = (
            f"each interaction logged once; {roles.time} holds dates only, so rows that "
            "repeat it may also be two real events on one day"
        )
        fix = (
            "if they are copies of one event, deduplicate on those columns before tuning "
            f"(they inflate popularity and co-occurrence); if they are real, keep them, or "
            f"give {roles.time} with the time of day"
        )
    else:
        expected = (
            "each interaction logged once; a customer does not view or buy the same item "
            "twice in the same instant"
        )
        fix = (
            "deduplicate on those columns before tuning: such copies usually come from page "
            "refreshes, retried requests or double logging, and inflate popularity and "
            "co-occurrence"
        )
    return [
        Finding(
            "duplicate_events",
            "warning",
            f"{_share(n, len(table))} events repeat another event's {', '.join(key)} exactly",
            expected=expected,
            fix=fix,
            columns=tuple(key),
        )
    ]


def check_event_dates(table: pd.DataFrame, roles: InteractionRoles) -> list[Finding]:
    """Events dated in the future, or before 1990 (placeholder dates).

    A table not sorted by time is fine: the engine sorts the log itself.
    """
    times = parse_times(table[roles.time], roles.time)
    now = pd.Timestamp.now()
    future = times > now + FUTURE_TOLERANCE
    early = times < EARLIEST_PLAUSIBLE
    findings = []
    column = table[roles.time]
    if pd.api.types.is_numeric_dtype(column) and epoch_unit(column) == "ms":
        findings.append(
            Finding(
                "epoch_milliseconds",
                "info",
                f"{roles.time} holds epoch milliseconds: read as milliseconds since "
                f"1970 ({times.min():%Y-%m-%d} to {times.max():%Y-%m-%d}); as seconds they "
                "would lie tens of thousands of years ahead",
                expected="epoch seconds or dates; milliseconds are read as such",
                fix="nothing to do if those dates are right",
                columns=(roles.time,),
            )
        )
    if future.any():
        n = int(future.sum())
        findings.append(
            Finding(
                "future_events",
                "warning",
                f"{_share(n, len(table))} events in {roles.time} are dated after today "
                f"({now:%Y-%m-%d}); the latest is {times.max().isoformat(sep=' ')[:16]}"
                + (" UTC" if zoned(column) else ""),  # converted from the column's zone
                expected="every interaction dated at or before the extract was taken",
                fix=f"check the time zone and the unit of {roles.time} (milliseconds read as "
                "seconds land far in the future) and drop or correct those rows: the last "
                "period is the hold-out, so future-dated rows decide the score",
                columns=(roles.time,),
            )
        )
    if early.any():
        n = int(early.sum())
        findings.append(
            Finding(
                "implausible_dates",
                "warning",
                f"{_share(n, len(table))} events in {roles.time} are dated before "
                f"{EARLIEST_PLAUSIBLE:%Y}; the earliest is {times.min():%Y-%m-%d}",
                expected=f"interaction dates after {EARLIEST_PLAUSIBLE:%Y}; 1970-01-01 or "
                "1900-01-01 usually stand for a missing time",
                fix=f"drop those rows or fill {roles.time} from the source; placeholder dates "
                "put events in the distant past, where they count as every user's oldest "
                "history",
                columns=(roles.time,),
            )
        )
    return findings


def check_events_per_user(table: pd.DataFrame, roles: InteractionRoles) -> list[Finding]:
    """Most users with fewer than 3 events: too few to learn from and be evaluated on."""
    counts = table[roles.user].value_counts()
    thin = int((counts < MIN_USER_EVENTS).sum())
    if not len(counts) or thin / len(counts) <= THIN_USERS_SHARE:
        return []
    return [
        Finding(
            "few_interactions_per_user",
            "warning",
            f"{_share(thin, len(counts))} users in {roles.user} have fewer than "
            f"{MIN_USER_EVENTS} events (median {counts.median():.0f} per user): most users "
            "cannot be evaluated, and ranking will lean on popularity",
            expected=f"most users with at least {MIN_USER_EVENTS} events: one to learn their "
            "taste from, one to train on and one to be judged on",
            fix="use a longer period of the log, or count more event types (views and clicks "
            "as well as purchases); one-off visitors are better served by the popularity list",
            columns=(roles.user,),
        )
    ]


def check_sparsity(table: pd.DataFrame, roles: InteractionRoles) -> list[Finding]:
    """Too few events for the catalogue: fewer than 2 per item, or density below 0.05%."""
    events = len(table)
    users, items = table[roles.user].nunique(), table[roles.item].nunique()
    if not events or not users or not items:
        return []
    per_item = events / items
    density = events / (users * items)
    if per_item >= MIN_EVENTS_PER_ITEM and density >= MIN_DENSITY:
        return []
    return [
        Finding(
            "sparsity",
            "warning",
            f"{events:,} events for {users:,} users ({roles.user}) and {items:,} items "
            f"({roles.item}): {per_item:.1f} events per item and a density of "
            f"{density:.4%}; co-occurrence signals (items bought together) will be thin",
            expected=f"at least {MIN_EVENTS_PER_ITEM:.0f} events per item on average and a "
            f"density of at least {MIN_DENSITY:.2%}",
            fix="use a longer period of the log, count more event types, or group rare items "
            "(e.g. variants of one product under one id); otherwise expect the model to "
            "rank mostly by popularity",
            columns=(roles.user, roles.item),
        )
    ]


def check_dominant_item(table: pd.DataFrame, roles: InteractionRoles) -> list[Finding]:
    """One item holding more than 20% of all events; reports the top 1%'s share too."""
    counts = table[roles.item].value_counts()
    if not len(counts):
        return []
    total = int(counts.sum())
    top_share = counts.iloc[0] / total
    if top_share <= DOMINANT_SHARE:
        return []
    head = max(1, math.ceil(HEAD_SHARE * len(counts)))
    head_share = counts.iloc[:head].sum() / total
    return [
        Finding(
            "dominant_item",
            "warning",
            f"item {counts.index[0]!r} in {roles.item} has {top_share:.1%} of all events; the "
            f"top 1% of items ({head:,} of {len(counts):,}) have {head_share:.1%}",
            expected=f"no single item with more than {DOMINANT_SHARE:.0%} of the events",
            fix="the popularity baseline will be hard to beat and metrics saturate; check the "
            "item is a real product (not a default page, a placeholder id or a bundle), and "
            "consider leaving it out of the items to rank",
            columns=(roles.item,),
        )
    ]


def check_ids_written_two_ways(table: pd.DataFrame, roles: InteractionRoles) -> list[Finding]:
    """Customer or item ids written with and without leading zeros ("000259" and "259"):
    the log counts them as two customers (or items), splitting each one's history.

    Only counted, never merged: "007" and "7" may be two real codes in some systems.
    """
    found = []
    for col, who in ((roles.user, "customer"), (roles.item, "item")):
        ids = pd.Series(table[col].dropna().astype("string").str.strip().unique())
        digits = ids[ids.str.fullmatch(r"\d+").fillna(False)]
        spellings = digits.groupby(digits.str.lstrip("0").replace("", "0")).size()
        n = int((spellings > 1).sum())
        if n:
            found.append(
                Finding(
                    "ids_written_two_ways",
                    "warning",
                    f"{n:,} {who} ids in {col} are written both with and without leading "
                    f"zeros (as in 000259 and 259): each counts as two {who}s",
                    expected=f"each {who} id written one way throughout the log",
                    fix="write the ids one way before tuning (e.g. pad them all to the same "
                    "width); the split halves each one's history, and scores fall",
                    columns=(col,),
                )
            )
    return found


CHECKS = (
    check_duplicate_events,
    check_ids_written_two_ways,
    check_event_dates,
    check_events_per_user,
    check_sparsity,
    check_dominant_item,
)
