"""The synthetic shop (recommendation/data.py) and the recommendation data checks."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tuneplate.engine.tasks.ranking.interactions import InteractionRoles
from tuneplate.verticals.recommendation import checks, data

ROLES = InteractionRoles(user="user", item="item", time="time", event="event")


@pytest.fixture(scope="module")
def shop():
    return data.load()


def test_load_is_deterministic(shop):
    again = data.load()
    pd.testing.assert_frame_equal(shop.table, again.table)
    pd.testing.assert_frame_equal(shop.items, again.items)


def test_generate_is_seeded():
    """The same seed gives the same shop, another seed another (no timed assertion: speed
    is a benchmark's business on a shared machine)."""
    small, _ = data.generate(seed=1, customers=200, products=100)
    again, _ = data.generate(seed=1, customers=200, products=100)
    assert small.equals(again)
    other, _ = data.generate(seed=2, customers=200, products=100)
    assert not small.equals(other)
    assert small["customer_id"].nunique() <= 200 and small["product_id"].nunique() <= 100


def test_columns_roles_and_attribution(shop):
    assert list(shop.table.columns) == [
        "customer_id",
        "product_id",
        "timestamp",
        "event",
        "quantity",
    ]
    assert list(shop.items.columns) == ["product_id", "category", "price", "launched"]
    assert shop.roles == InteractionRoles(
        user="customer_id", item="product_id", time="timestamp", event="event", price="price"
    )
    assert "synthetic" in shop.attribution.lower() and "seed 7" in shop.attribution
    table = shop.table
    assert pd.api.types.is_datetime64_any_dtype(table["timestamp"])
    assert set(table["event"]) == {"view", "purchase"}
    assert pd.api.types.is_integer_dtype(table["quantity"]) and table["quantity"].min() >= 1
    assert table["customer_id"].str.fullmatch(r"c\d{5}").all()
    assert table["product_id"].str.fullmatch(r"p\d{4}").all()
    assert shop.items["product_id"].is_unique
    assert set(table["product_id"]) <= set(shop.items["product_id"])
    assert (shop.items["price"] > 0).all()


def test_sizes_and_time_range(shop):
    table = shop.table
    assert 60_000 <= len(table) <= 90_000
    assert 1_300 <= table["customer_id"].nunique() <= 1_500
    assert 700 <= table["product_id"].nunique() <= 800
    assert len(shop.items) == 800
    assert 10 <= shop.items["category"].nunique() <= 14
    assert table["timestamp"].min() >= pd.Timestamp("2025-01-01")
    assert table["timestamp"].max() < pd.Timestamp("2026-01-01")
    assert table["timestamp"].max() - table["timestamp"].min() > pd.Timedelta(days=350)
    assert table["timestamp"].is_monotonic_increasing


def test_nothing_happens_before_launch(shop):
    merged = shop.table.merge(shop.items, on="product_id")
    assert (merged["timestamp"] >= merged["launched"]).all()
    launched_in_year = shop.items["launched"] >= pd.Timestamp("2025-01-01")
    assert 0.1 < launched_in_year.mean() < 0.4  # new products arrive during the year


def test_repeat_purchases_exist(shop):
    bought = shop.table[shop.table["event"] == "purchase"]
    again = bought.duplicated(["customer_id", "product_id"])
    assert again.mean() > 0.1
    consumables = {row[0] for row in data.CATEGORIES if row[-1] > 0}
    category = bought["product_id"].map(shop.items.set_index("product_id")["category"])
    # consumables are under half the catalogue but most of the re-purchases
    assert category[again].isin(consumables).mean() > 0.75


def test_popularity_is_long_tailed(shop):
    counts = shop.table["product_id"].value_counts()
    top = counts.iloc[: len(shop.items) // 10].sum() / counts.sum()
    assert top > 0.3
    assert counts.iloc[0] / counts.sum() < checks.DOMINANT_SHARE


def test_activity_is_heavy_tailed(shop):
    per_customer = shop.table["customer_id"].value_counts()
    assert per_customer.max() > 8 * per_customer.median()


def test_category_shares_drift(shop):
    table = shop.table.merge(shop.items, on="product_id")
    quarter = table["timestamp"].dt.quarter
    first = table.loc[quarter == 1, "category"].value_counts(normalize=True)
    last = table.loc[quarter == 4, "category"].value_counts(normalize=True)
    shift = (first - last.reindex(first.index, fill_value=0)).abs().sum() / 2
    assert shift > 0.05  # total-variation distance between the two quarters


def test_clean_shop_has_no_warnings(shop):
    findings = [f for check in checks.CHECKS for f in check(shop.table, shop.roles)]
    assert not [f for f in findings if f.severity in ("error", "warning")], findings


def test_checks_accept_string_and_epoch_times(shop):
    sample = shop.table.head(2_000)
    as_text = sample.assign(timestamp=sample["timestamp"].dt.strftime("%Y-%m-%d %H:%M:%S"))
    seconds = (sample["timestamp"] - pd.Timestamp("1970-01-01")) // pd.Timedelta(seconds=1)
    as_epoch = sample.assign(timestamp=seconds)
    for table in (as_text, as_epoch):
        assert checks.check_event_dates(table, shop.roles) == []


def _log(n_users=30, n_items=20, per_user=6, seed=0) -> pd.DataFrame:
    """A small healthy log: every user with several distinct events."""
    rng = np.random.default_rng(seed)
    users = np.repeat([f"u{i}" for i in range(n_users)], per_user)
    items = rng.choice([f"i{i}" for i in range(n_items)], size=len(users))
    times = pd.Timestamp("2024-01-01") + pd.to_timedelta(
        rng.permutation(len(users)) * 3600, unit="s"
    )
    return pd.DataFrame({"user": users, "item": items, "time": times, "event": "view"})


def _names(findings):
    return [f.check for f in findings]


def test_small_log_is_clean():
    table = _log()
    findings = [f for check in checks.CHECKS for f in check(table, ROLES)]
    assert findings == []


def test_duplicate_events():
    table = _log()
    doubled = pd.concat([table, table.head(9)], ignore_index=True)
    (finding,) = checks.check_duplicate_events(doubled, ROLES)
    assert finding.check == "duplicate_events" and finding.severity == "warning"
    assert "9 (" in finding.message and "user" in finding.message
    assert "deduplicate" in finding.fix
    # the same moment with another event type is not a duplicate
    bought = table.head(9).assign(event="purchase")
    assert checks.check_duplicate_events(pd.concat([table, bought]), ROLES) == []


def test_the_reports_note_on_duplicate_events_fits_the_split():
    """The report said a copy "can sit on both sides of the split": on a time split an
    exact copy has its event's time, so both fall in one period; with --split last-n a
    copy of a user's last event is held out while its twin is a validation label."""
    from types import SimpleNamespace

    from tuneplate.engine.tasks.ranking.interactions import resolve, to_log
    from tuneplate.engine.tasks.ranking.windows import last_n_windows, time_windows
    from tuneplate.reports.health import health_rows

    table = _log(n_users=60, per_user=12)
    last = table.sort_values("time").groupby("user").tail(1)
    doubled = pd.concat([table, last], ignore_index=True)
    log = to_log(doubled, resolve(doubled, None, user="user", item="item", time="time"))
    key = ["user", "item", "time"]
    by_time = pd.concat([w.labels.assign(period=w.name) for w in time_windows(log).all()])
    assert (by_time.groupby(key)["period"].nunique() == 1).all()
    per_user = last_n_windows(log).all()
    held = per_user[-1].labels.merge(per_user[-2].labels, on=key)
    assert len(held) == len(last)  # each copy held out, its twin a validation label

    finding = checks.check_duplicate_events(doubled, ROLES)
    meaning = {
        split: health_rows(SimpleNamespace(findings=finding, config={"split": split}))[0].meaning
        for split in (None, "last-n", "last-2")
    }
    assert "both sides" not in meaning[None] and "both copies fall in one period" in meaning[None]
    assert "--split last-n" in meaning["last-n"] and "both sides" in meaning["last-n"]
    assert meaning["last-2"] == meaning["last-n"]


def test_repeated_rows_of_a_dates_only_log_are_not_called_copies_to_delete():
    """With dates and no time of day, the finding told an analyst to deduplicate rows that
    may be two real purchases on one day (6% of a monthly shop extract): deleting them
    would remove real re-buys. It now says so, and when the times prove a copy."""
    table = _log()
    daily = table.assign(time=pd.to_datetime(table["time"]).dt.strftime("%Y-%m-%d"))
    (finding,) = checks.check_duplicate_events(pd.concat([daily, daily.head(9)]), ROLES)
    assert "dates only" in finding.expected and "if they are real, keep them" in finding.fix
    (timed,) = checks.check_duplicate_events(pd.concat([table, table.head(9)]), ROLES)
    assert "same instant" in timed.expected and "dates only" not in timed.expected


def test_basic_date_times_are_not_called_epoch_milliseconds():
    """202401020052 is 2 January 2024 00:52; the check said "13-digit epoch numbers: read as
    milliseconds since 1970" of it."""
    table = _log().assign(time=lambda t: t["time"].dt.strftime("%Y%m%d%H%M").astype("int64"))
    assert not [f for f in checks.check_event_dates(table, ROLES) if f.check.startswith("epoch")]
    epoch = pd.Timestamp("1970-01-01")
    stamps = _log().assign(time=lambda t: (t["time"] - epoch) // pd.Timedelta(milliseconds=1))
    (note,) = [f for f in checks.check_event_dates(stamps, ROLES) if f.check.startswith("epoch")]
    assert "epoch milliseconds" in note.message and "2024-01-01" in note.message


def test_ids_written_with_and_without_leading_zeros_are_found():
    """A fresh user's export wrote 30% of its rows "259" instead of "000259": customers
    doubled from 943 to 1,886, NDCG fell from 0.255 to 0.094 and the verdict changed,
    with no finding."""
    table = _log().assign(
        user=lambda t: t["user"].str[1:].str.zfill(6), item=lambda t: t["item"].str[1:]
    )
    assert checks.check_ids_written_two_ways(table, ROLES) == []  # padded one way: clean
    mixed = table.copy()
    mixed.loc[::3, "user"] = mixed.loc[::3, "user"].str.lstrip("0").replace("", "0")
    mixed.loc[:5, "item"] = mixed.loc[:5, "item"].str.zfill(3)
    found = checks.check_ids_written_two_ways(mixed, ROLES)
    assert _names(found) == ["ids_written_two_ways"] * 2
    users, items = found
    assert users.severity == "warning" and users.columns == ("user",)
    assert users.message.startswith("30 customer ids in user")  # all 30 appear both ways
    assert items.columns == ("item",) and "two items" in items.message


def test_future_and_implausible_dates():
    table = _log()
    future = pd.Timestamp.now() + pd.Timedelta(days=30)
    table.loc[:2, "time"] = future
    table.loc[3, "time"] = pd.Timestamp("1970-01-01")
    findings = checks.check_event_dates(table, ROLES)
    assert _names(findings) == ["future_events", "implausible_dates"]
    assert all(f.severity == "warning" and f.columns == ("time",) for f in findings)
    assert "3 (" in findings[0].message and "1 (" in findings[1].message


def test_future_times_converted_from_a_time_zone_are_said_to_be_utc():
    """The latest event of a log written with offsets was printed in UTC, unsaid."""
    table = _log()
    future = pd.Timestamp.now() + pd.Timedelta(days=30)
    table.loc[:2, "time"] = future
    zoned = table.assign(time=table["time"].dt.strftime("%Y-%m-%d %H:%M:%S-05:00"))
    latest = (future + pd.Timedelta(hours=5)).isoformat(sep=" ")[:16]
    message = checks.check_event_dates(zoned, ROLES)[0].message
    assert message.endswith(f"the latest is {latest} UTC")
    assert not checks.check_event_dates(table, ROLES)[0].message.endswith("UTC")


def test_unsorted_log_is_not_a_finding():
    table = _log().sort_values("time", ascending=False)
    assert checks.check_event_dates(table, ROLES) == []


def test_few_interactions_per_user():
    table = _log(n_users=40, per_user=1)
    table = pd.concat([table, _log(n_users=5, per_user=10, seed=1)], ignore_index=True)
    (finding,) = checks.check_events_per_user(table, ROLES)
    assert finding.check == "few_interactions_per_user" and finding.severity == "warning"
    assert "popularity" in finding.message and "user" in finding.message


def test_sparsity_by_events_per_item():
    n = 300
    table = pd.DataFrame(
        {
            "user": [f"u{i % 50}" for i in range(n)],
            "item": [f"i{i}" for i in range(n)],  # every item seen once
            "time": pd.date_range("2024-01-01", periods=n, freq="h"),
            "event": "view",
        }
    )
    (finding,) = checks.check_sparsity(table, ROLES)
    assert finding.check == "sparsity" and "1.0 events per item" in finding.message
    assert "co-occurrence" in finding.message


def test_sparsity_by_density():
    # 3 events per item, each by another user: density 1 / 2,500 items = 0.04%
    n_items, per_item = 2_500, 3
    n = n_items * per_item
    table = pd.DataFrame(
        {
            "user": [f"u{i}" for i in range(n)],
            "item": np.repeat([f"i{i}" for i in range(n_items)], per_item),
            "time": pd.date_range("2024-01-01", periods=n, freq="min"),
        }
    )
    roles = InteractionRoles(user="user", item="item", time="time")
    (finding,) = checks.check_sparsity(table, roles)
    assert "3.0 events per item" in finding.message and "0.0400%" in finding.message


def test_dominant_item():
    table = _log()
    table.loc[: len(table) // 3, "item"] = "i0"
    (finding,) = checks.check_dominant_item(table, ROLES)
    assert finding.check == "dominant_item" and finding.severity == "warning"
    assert "'i0'" in finding.message and "top 1% of items" in finding.message


def test_epoch_milliseconds_are_read_as_dates_and_said():
    """13-digit epoch times (a common export) were read as seconds, year 56097, and the
    future-dates check crashed formatting that date: a traceback from check and run."""
    from tuneplate.engine.tasks.ranking.interactions import parse_times

    when = pd.to_datetime(["2024-02-16 16:46:29", "2024-02-17 07:45:47", "2024-03-01 00:00:00"])
    ms = pd.Series((when - pd.Timestamp("1970-01-01")) // pd.Timedelta(milliseconds=1))
    seconds = ms // 1000
    assert (parse_times(ms, "t") == parse_times(seconds, "t")).all()
    assert parse_times(ms, "t").dt.year.tolist() == [2024, 2024, 2024]
    table = pd.DataFrame({"user": ["a", "b", "c"], "item": ["x", "y", "z"], "time": ms})
    found = checks.check_event_dates(table, ROLES)
    assert [f.check for f in found] == ["epoch_milliseconds"]
    assert "2024-02-16 to 2024-03-01" in found[0].message
    # a mix of seconds and milliseconds is not milliseconds: the far future is said
    mixed = table.assign(time=[int(ms[0]), int(seconds[1]), int(seconds[2])])
    found = checks.check_event_dates(mixed, ROLES)
    assert [f.check for f in found] == ["future_events"]
