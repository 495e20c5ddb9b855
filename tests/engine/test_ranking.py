"""Ranking metrics against hand-computed values, query arrays, and temporal periods."""

import math

import numpy as np
import pandas as pd
import pytest

from tuneplate.engine.contract.errors import TuneplateError
from tuneplate.engine.tasks.ranking import metrics as rk
from tuneplate.engine.tasks.ranking.interactions import (
    InteractionRoles,
    parse_times,
    resolve,
    to_log,
)
from tuneplate.engine.tasks.ranking.windows import last_n_windows, time_windows


def queries(users, labels, missed):
    return rk.Queries(np.array(users, dtype=object), np.array(labels), pd.Series(missed))


def dcg(gains):
    return sum(g / math.log2(i + 2) for i, g in enumerate(gains))


def test_ndcg_matches_hand_computation():
    q = queries(["a"] * 4, [0, 1, 0, 1], [0])
    score = np.array([0.9, 0.8, 0.7, 0.1])
    # ranked: 0, 1, 0, 1 -> top 3 gains 0, 1, 0; ideal 1, 1, 0
    expected = dcg([0, 1, 0]) / dcg([1, 1, 0])
    assert rk.ndcg(q, score, k=3)[0] == pytest.approx(expected)


def test_ndcg_averages_over_tied_scores():
    q = queries(["a", "a"], [1, 0], [0])
    # tied: the relevant item is first or second with equal chance
    expected = (1 + 1 / math.log2(3)) / 2
    assert rk.ndcg(q, np.array([0.5, 0.5]), k=2)[0] == pytest.approx(expected)


@pytest.mark.parametrize("tied", [False, True])
def test_ndcg_is_scikit_learns_on_every_user_with_and_without_ties(tied):
    """The vectorised NDCG@k equals `sklearn.metrics.ndcg_score` (ignore_ties=False) per
    user, the reference the search's objective and every report figure were built on."""
    from sklearn.metrics import ndcg_score

    rng = np.random.default_rng(int(tied))
    for _ in range(50):
        users, width, k = rng.integers(1, 30), rng.integers(2, 25), int(rng.integers(1, 12))
        true = (rng.random((users, width)) < 0.25).astype(float)
        pred = rng.integers(0, 4, (users, width)).astype(float) if tied else rng.random(true.shape)
        expected = [ndcg_score(t[None], p[None], k=k) for t, p in zip(true, pred, strict=True)]
        assert rk._ndcg_rows(true, pred, k) == pytest.approx(expected, abs=1e-12)


def test_items_the_generator_missed_lower_the_ideal():
    q = queries(["a", "a"], [1, 0], [2])  # two more relevant items were never proposed
    expected = dcg([1, 0]) / dcg([1, 1])
    assert rk.ndcg(q, np.array([0.9, 0.1]), k=2)[0] == pytest.approx(expected)
    assert rk.mean_ndcg(q, np.array([0.9, 0.1]), k=2) == pytest.approx(expected)


def test_an_item_never_proposed_earns_no_gain_even_in_a_short_list():
    """Missed items were placed after the candidates: with fewer candidates than k they
    landed inside the top k and earned gain a list could never show (k above the
    candidates each source proposes, or a short candidate list)."""
    q = queries(["a", "a"], [1, 0], [1])  # 2 candidates, one more relevant item missed
    expected = dcg([1]) / dcg([1, 1])  # the missed item is in the ideal only
    assert rk.ndcg(q, np.array([0.9, 0.1]), k=10)[0] == pytest.approx(expected)
    assert rk.per_user(q, np.array([0.9, 0.1]), k=10)["recall"].iloc[0] == 0.5


def test_relevant_items_cut_from_the_candidates_count_as_missed_for_each_user():
    """`queries(n)` added the items the cut dropped to users by id against a positional
    index: they matched nothing, vanished from both sides of NDCG and recall, and the
    ranker (cut at its 25 or 50 candidates) scored above the baselines on all 100."""
    from tuneplate.engine.tasks.ranking.candidates import Candidates

    frame = pd.DataFrame(
        {  # users in an order that is not their ids' sort order
            "user": ["zoe", "zoe", "zoe", "al", "al", "al"],
            "item": ["a", "b", "c", "a", "b", "c"],
            "candidate_rank": [1, 2, 80, 1, 60, 90],
            "label": [1, 0, 1, 0, 1, 1],
        }
    )
    missed = pd.Series([0, 1])  # al had one relevant item no source proposed
    c = Candidates(frame, frame["user"].to_numpy(object), missed, [])
    q, keep = c.queries(25)
    assert list(keep) == [0, 1, 3]
    assert list(q.missed) == [1, 3]  # zoe: c cut; al: b and c cut, plus the one missed
    assert c.recall_at(25) == pytest.approx(1 / 5) and c.recall == pytest.approx(4 / 5)
    table = rk.per_user(q, np.array([2.0, 1.0, 1.0]), k=10)
    assert table.loc["zoe", "recall"] == 0.5 and table.loc["al", "recall"] == 0
    assert table.loc["zoe", "ndcg"] == pytest.approx(dcg([1]) / dcg([1, 1]))


def test_set_metrics_per_user():
    # user a: 2 relevant among 5 candidates, 1 missed; user b: 1 relevant, at rank 2
    q = queries(["a"] * 5 + ["b"] * 3, [1, 0, 1, 0, 0, 0, 1, 0], [1, 0])
    score = np.array([5, 4, 3, 2, 1, 3, 2, 1.0])
    table = rk.per_user(q, score, k=3)
    a, b = table.loc["a"], table.loc["b"]
    assert a["precision"] == pytest.approx(2 / 3)
    assert a["recall"] == pytest.approx(2 / 3)  # 3 relevant in all, 2 shown
    assert a["map"] == pytest.approx((1 / 1 + 2 / 3) / 3)  # min(k, relevant) = 3
    assert a["hit_rate"] == 1
    # fewer relevant items than k: recall can reach 1, MAP divides by 1
    assert b["recall"] == pytest.approx(1.0)
    assert b["map"] == pytest.approx(1 / 2)
    assert b["precision"] == pytest.approx(1 / 3)


def test_group_sizes_and_qid_match_the_rows():
    q = queries(["x", "x", "y", "z", "z", "z"], [0] * 6, [0, 0, 0])
    assert q.sizes.tolist() == [2, 1, 3]
    assert q.sizes.sum() == len(q.users)
    assert q.qid.tolist() == [0, 0, 1, 2, 2, 2]
    assert np.all(np.diff(q.qid) >= 0)  # XGBoost needs it sorted


def test_train_score_sample_keeps_whole_queries_within_the_row_cap():
    users = [u for u in "abcdefghij" for _ in range(4)]  # 10 queries of 4 rows
    labels = [1, 0, 0, 0] * 10
    q = queries(users, labels, list(range(10)))
    rows, small = q.sample(max_rows=13, seed=3)
    assert rows.sum() == len(small.users) == 12  # three whole queries, not 13 rows
    assert set(small.sizes) == {4}
    chosen = list(dict.fromkeys(small.users))
    assert small.missed.tolist() == ["abcdefghij".index(u) for u in chosen]  # missed follows
    assert small.label.tolist() == [1, 0, 0, 0] * 3
    again, _ = q.sample(max_rows=13, seed=3)
    assert (again == rows).all()  # seeded: every trial scores the same queries
    everything, same = q.sample(max_rows=40, seed=3)
    assert everything.all() and same is q


def test_ratio_interval_straddles_one_for_equal_lists():
    rng = np.random.default_rng(0)
    a = rng.random(200)
    low, high = rk.ratio_interval(a, a[rng.permutation(200)], seed=1)
    assert low < 1 < high
    low, high = rk.ratio_interval(a + 0.5, a, seed=1)
    assert low > 1


def log_table(n_users=40, per_user=12, seed=0):
    rng = np.random.default_rng(seed)
    rows = []
    start = pd.Timestamp("2024-01-01")
    for u in range(n_users):
        times = start + pd.to_timedelta(np.sort(rng.uniform(0, 300, per_user)), unit="D")
        for t in times:
            rows.append(
                {
                    "user_id": f"u{u}",
                    "item_id": f"i{rng.integers(30)}",
                    "ts": t,
                    "rating": int(rng.integers(1, 6)),
                }
            )
    return pd.DataFrame(rows)


def test_time_split_never_puts_the_future_before_the_past():
    table = log_table()
    log = to_log(table, resolve(table, None, time="ts"))
    windows = time_windows(log)
    periods = windows.all()
    for w in periods:
        assert w.history["time"].max() < w.start
        assert w.labels["time"].min() >= w.start
        assert w.labels["time"].max() < w.end
    for earlier, later in zip(periods, periods[1:], strict=False):
        assert earlier.end <= later.start
    assert windows.holdout.labels["time"].min() > windows.validation.labels["time"].max()


def test_the_periods_of_a_dates_only_log_are_said_in_dates_to_its_last_date():
    """A log of dates with no time of day printed its hold-out "to 2024-10-27 00:00", the
    start of a day the hold-out covers whole; a hold-out of one date "from" and "to" it."""
    table = log_table().assign(ts=lambda t: t["ts"].dt.strftime("%Y-%m-%d"))
    split = time_windows(to_log(table, resolve(table, None, time="ts"))).description
    last = max(table["ts"])
    assert "00:00" not in split and f"to {last};" in split
    assert "UTC" not in split
    # an extract whose last tenth of events (and more) falls on one date
    late = table.sort_values("ts", kind="stable")
    late.loc[late.index[-len(late) // 7 :], "ts"] = "2024-12-01"
    split = time_windows(to_log(late, resolve(late, None, time="ts"))).description
    assert "hold-out on 2024-12-01;" in split


def test_times_converted_from_a_time_zone_are_said_to_be_utc():
    """Times written with an offset are read in UTC, and the periods were printed in UTC
    without saying so: 01:30+02:00 shown as 23:30 of the day before."""
    from tuneplate.engine.tasks.ranking.interactions import zoned

    table = log_table()
    naive = time_windows(to_log(table, resolve(table, None, time="ts"))).description
    paris = table.assign(
        ts=(table["ts"] + pd.Timedelta(hours=2)).dt.strftime("%Y-%m-%dT%H:%M:%S+02:00")
    )
    split = time_windows(to_log(paris, resolve(paris, None, time="ts"))).description
    assert split == naive.replace("temporal:", "temporal (times in UTC):")
    assert zoned(paris["ts"]) and zoned(table["ts"].dt.tz_localize("Europe/Paris"))
    assert not zoned(table["ts"]) and not zoned(pd.Series(["2025-12-01", "2025-11-30"]))


def test_last_n_split_holds_out_each_users_last_events():
    table = log_table()
    log = to_log(table, resolve(table, None, time="ts"))
    windows = last_n_windows(log, n=1)
    hold = windows.holdout.labels
    assert hold["user"].is_unique
    last = log.events.groupby("user")["time"].max()
    assert (hold.set_index("user")["time"] == last.reindex(hold["user"]).to_numpy()).all()
    for w in windows.all():  # each user's features come from before their own labels
        first = w.labels.groupby("user")["time"].min()
        seen = w.history[w.history["user"].isin(first.index)]
        assert (seen["time"].to_numpy() < seen["user"].map(first).to_numpy()).all()


def test_last_n_split_refuses_a_log_too_short_for_its_periods():
    """Users with 6 events each, fewer than the 8 positives --split last-n's periods need,
    gave a traceback (a datetime column compared with an empty map's floats)."""
    table = log_table(n_users=60, per_user=6)
    log = to_log(table, resolve(table, None, time="ts"))
    with pytest.raises(TuneplateError, match=r"needs users with 8 or more positive events"):
        last_n_windows(log, n=1)


def test_positive_rule_keeps_ratings_at_or_above_min_value():
    table = log_table()
    roles = resolve(table, None, time="ts", value="rating", min_value=4)
    log = to_log(table, roles)
    assert log.events.loc[log.events["positive"], "value"].min() >= 4
    assert (~log.events["positive"]).sum() == (table["rating"] < 4).sum()


def test_recbole_headers_are_found_without_flags():
    table = pd.DataFrame(columns=["user_id:token", "item_id:token", "timestamp:float"])
    roles = resolve(table, None)
    assert (roles.user, roles.item, roles.time) == (
        "user_id:token",
        "item_id:token",
        "timestamp:float",
    )


@pytest.mark.parametrize(
    ("given", "match"),
    [
        ({"user": "nope"}, "column 'nope' given to --user"),
        ({"min_value": 4}, "--min-value needs the column"),
    ],
)
def test_bad_roles_name_the_flag(given, match):
    with pytest.raises(TuneplateError, match=match):
        resolve(log_table(), None, time="ts", **given)


def test_missing_columns_are_named():
    with pytest.raises(TuneplateError, match="no item column found"):
        resolve(pd.DataFrame({"user": [1], "time": [1]}), None)


def test_unparseable_times_are_refused_with_an_example():
    with pytest.raises(TuneplateError, match="not times .*'yesterday'"):
        parse_times(pd.Series(["2024-01-01", "yesterday"]), "ts")
    assert parse_times(pd.Series([874965758]), "ts").dt.year.tolist() == [1997]


def test_an_empty_period_is_refused():
    table = log_table(n_users=3, per_user=2)
    roles = InteractionRoles("user_id", "item_id", "ts", value="rating", min_value=6)
    with pytest.raises(TuneplateError, match="period after the split"):
        time_windows(to_log(table, roles))


def test_ids_read_as_floats_because_of_a_blank_match_the_logs_whole_numbers():
    """An item table whose id column had one blank row was read as floats: "1000.0"
    matched none of the log's "1000", and every revenue figure was 0 (a fresh user's
    report); a log's own id column with a blank is read the same way."""
    from tuneplate.engine.tasks.ranking.interactions import index_items

    items = pd.DataFrame({"product_id": [1000, 1001, None], "price": [3.0, 5.0, 1.0]})
    assert list(index_items(items, "product_id").index[:2]) == ["1000", "1001"]
    table = pd.DataFrame(
        {
            "user": [1.0, 2.0, 2.0],
            "item": [1000, 1001, 1000],
            "time": pd.to_datetime(["2024-01-01", "2024-01-02", "2024-01-03"]),
        }
    )
    log = to_log(table, InteractionRoles(user="user", item="item", time="time"))
    assert set(log.events["user"]) == {"1", "2"} and set(log.events["item"]) == {"1000", "1001"}


@pytest.mark.parametrize(
    ("written", "match"),
    [
        (["4", "4/5", "3"], "1 value.* --value column 'rating' are not numbers .*'4/5'"),
        (["4", "5 stars", "five"], "2 value.* are not numbers .*'5 stars'"),
        (["4", "4,5", "3"], "not numbers .*'4,5'"),
        (["4", "inf", "3"], "not numbers .*'inf'"),
    ],
)
def test_ratings_that_are_not_numbers_are_refused_not_read_as_misses(written, match):
    """A fresh user's log wrote 31% of its ratings "4/5": read as 0, they stopped being
    hits, the hold-out lost a third of its customers and the recommendation changed, with
    no finding."""
    table = pd.DataFrame(
        {"user": ["a", "b", "c"], "item": ["x", "y", "x"], "ts": [1e9, 1e9 + 60, 1e9 + 120]}
    ).assign(rating=written)
    roles = resolve(table, None, time="ts", value="rating", min_value=4)
    with pytest.raises(TuneplateError, match=match):
        to_log(table, roles)


def test_events_with_no_rating_are_misses_and_the_hit_rule_says_how_many():
    table = pd.DataFrame(
        {"user": ["a", "b", "c"], "item": ["x", "y", "x"], "ts": [1e9, 1e9 + 60, 1e9 + 120]}
    ).assign(rating=["5", "", None])
    log = to_log(table, resolve(table, None, time="ts", value="rating", min_value=4))
    assert log.events["positive"].tolist() == [True, False, False]
    assert log.hit == "an event with rating of 4 or more (2 events with no rating count as misses)"


def test_prices_that_are_not_numbers_are_refused_in_the_log_and_the_item_table():
    """'13,83 €' read as no price: the report then said no price was given."""
    from tuneplate.engine.tasks.ranking.interactions import index_items

    with pytest.raises(TuneplateError, match="item table's column 'price' .*'13,83 €'"):
        index_items(pd.DataFrame({"sku": ["1", "2"], "price": ["13,83 €", "5"]}), "sku")
    table = pd.DataFrame(
        {"user": ["a", "b"], "item": ["x", "y"], "ts": [1e9, 1e9 + 60], "cost": ["3", "€4"]}
    )
    roles = resolve(table, None, time="ts", price="cost")
    with pytest.raises(TuneplateError, match="price column 'cost' are not numbers"):
        to_log(table, roles)


def test_dates_written_as_yyyymmdd_numbers_are_read_as_dates_not_epoch_seconds():
    """20220412 read as epoch seconds put a whole log within hours of 1970-08-23; and
    202403011230 (with the time) read as epoch milliseconds landed in 1976, two events a
    day apart coming out 10 seconds apart."""
    times = parse_times(pd.Series([19970922, 19980101, 19971231]), "event_date")
    assert times.dt.strftime("%Y-%m-%d").tolist() == ["1997-09-22", "1998-01-01", "1997-12-31"]
    stamped = parse_times(pd.Series([202403011230, 202403021230]), "event_time")
    assert stamped.dt.strftime("%d %H:%M").tolist() == ["01 12:30", "02 12:30"]
    assert (stamped.dt.year == 2024).all()
    seconds = parse_times(pd.Series([20240301123005.0]), "event_time")  # floats, seconds
    assert seconds.dt.strftime("%Y-%m-%d %H:%M:%S").tolist() == ["2024-03-01 12:30:05"]
    epoch_ms = parse_times(pd.Series([874965758000, 1708101989000]), "ts")  # not dates
    assert epoch_ms.dt.year.tolist() == [1997, 2024]
    # the same written as text (a SQL VARCHAR): "202401020052" was read as 1 February
    text = parse_times(pd.Series(["202401020052", "202403151230"]), "event_time")
    assert text.dt.strftime("%Y-%m-%d %H:%M").tolist() == ["2024-01-02 00:52", "2024-03-15 12:30"]
    with pytest.raises(TuneplateError, match="numbers of 12 and 14 digits"):  # 1976 and 2611
        parse_times(pd.Series([202401020052, 20240315123000]), "event_time")


@pytest.mark.parametrize(
    ("column", "match"),
    [
        (pd.Series([35692, 35700]), "before 1973 .*35692"),  # Excel serial days
        (pd.Series([1, 2, 3]), "before 1973"),  # an event counter
        (pd.Series(["22:24:00", "08:05:12"]), "times of day with no date .*'22:24:00'"),
        (pd.Series(["10:05 PM", "1997-09-22"]), "1 value.* times of day with no date"),
    ],
)
def test_time_columns_that_hold_no_dates_are_refused(column, match):
    """A log exported with separate date and time columns: the `time` column (times of day)
    was taken as the time, pandas dated every event today and the "temporal" split cut by
    hour of the day."""
    with pytest.raises(TuneplateError, match=match):
        parse_times(column, "time")


def test_an_item_table_with_several_different_rows_for_one_item_is_refused():
    """A price history (two rows for one item) kept its first row and priced every sale
    at the old price, with no finding; identical repeats are harmless and kept once."""
    from tuneplate.engine.tasks.ranking.interactions import index_items

    history = pd.DataFrame({"sku": ["7", "7", "8"], "price": [3.0, 3.5, 5.0]})
    with pytest.raises(TuneplateError, match="1 item id.* column 'sku' have rows that differ"):
        index_items(history, "sku")
    repeated = pd.DataFrame({"sku": ["7", "7", "8"], "price": [3.0, 3.0, 5.0]})
    assert index_items(repeated, "sku")["price"].tolist() == [3.0, 5.0]
    blanks = pd.DataFrame({"sku": ["7", None, " ", None], "price": [3.0, 1.0, 4.0, 2.0]})
    assert index_items(blanks, "sku").index.tolist() == ["7"]


def test_a_run_column_missing_from_a_new_log_is_not_said_to_be_given():
    """score.py said "column 'rating' given to --value" to a user who gave no --value: the
    column was the run's own."""
    table = pd.DataFrame(columns=["user", "item", "ts"])
    with pytest.raises(TuneplateError, match="the run's value column 'rating' is not in"):
        resolve(table, InteractionRoles("user", "item", "ts", "rating", 4.0))
    with pytest.raises(TuneplateError, match="column 'stars' given to --value"):
        resolve(table, InteractionRoles("user", "item", "ts", "rating", 4.0), value="stars")


def test_the_saved_value_range_is_coarse_and_holds_the_runs_own_values():
    """The range score.py holds a new log to is saved in the model: its ends are grid
    points, not an event's value, and at most 2% of the run's values lie outside it."""
    from tuneplate.engine.tasks.ranking.interactions import value_range

    minutes = pd.Series(np.random.default_rng(0).gamma(2.0, 13.37, 5_000))  # watch time
    low, high = value_range(minutes)
    assert not minutes.isin([low, high]).any()
    assert ((minutes < low) | (minutes > high)).mean() <= 0.02
    assert value_range(pd.Series([1, 2, 3, 4, 5] * 20)) == (1.0, 5.0)  # a rating scale
    assert value_range(pd.Series([np.nan] * 3)) is None


def test_a_scored_log_is_read_in_the_runs_day_month_order():
    """A log whose dates prove no order was read day first whatever the run had read:
    `01/05/2017` became 1 May under a run whose dates were month first. The run's order is
    kept, a log proving the other order is refused in one line, and a run's own log still
    decides its order from its dates."""
    from tuneplate.engine.tasks.ranking.interactions import InteractionRoles, to_log

    roles = InteractionRoles("u", "i", "t")
    short = pd.DataFrame({"u": ["a", "b"], "i": ["x", "y"], "t": ["01/05/2017", "01/12/2017"]})
    read = to_log(short, roles, "%m/%d/%Y")
    assert read.events["time"].dt.month.tolist() == [1, 1]
    assert read.date_format == "%m/%d/%Y"
    assert to_log(short, roles, "%d/%m/%Y").events["time"].dt.month.tolist() == [5, 12]
    other = short.assign(t=["25/01/2017", "26/01/2017"])
    with pytest.raises(TuneplateError, match="written day/month/year in these rows"):
        to_log(other, roles, "%m/%d/%Y")
    us = short.assign(t=["01/25/2017", "01/05/2017"])
    assert to_log(us, roles).date_format == "%m/%d/%Y"
    assert to_log(us, roles).events["time"].dt.day.tolist() == [5, 25]
    # ISO dates and epoch seconds need no order: nothing saved, an ISO log read as ever
    assert to_log(short.assign(t=["2017-01-05", "2017-01-12"]), roles).date_format is None
    assert to_log(short.assign(t=[1483574400, 1484179200]), roles).date_format is None
    assert to_log(short.assign(t=["2017-05-01", "2017-01-12"]), roles, "%m/%d/%Y").events[
        "time"
    ].dt.month.tolist() == [1, 5]


def _orders(orders: int = 400, lines: tuple[int, int] = (1, 4)) -> pd.DataFrame:
    """An order log (gt's pizzaplace as a point-of-sale exports it): the order id is the
    only id, and each order's lines share one time, so no "user" has an earlier event."""
    rng = np.random.default_rng(0)
    rows = []
    for o in range(orders):
        t = pd.Timestamp("2015-01-01") + pd.Timedelta(hours=int(o * 20))
        for item in rng.choice(30, size=int(rng.integers(*lines)), replace=False):
            rows.append((f"2015-{o:06d}", f"pizza{item}", t))
    return pd.DataFrame(rows, columns=["order_id", "name", "date"])


@pytest.mark.parametrize("split", ["time", "last-n"])
def test_a_period_no_user_can_be_evaluated_in_is_refused_before_the_rivals(split):
    """Orders given as --user (each order's lines at one time) ended in a traceback from
    choosing EASE's settings on no validation user ('NoneType' is not subscriptable) after
    two minutes; it is refused when the periods are cut, naming the column. Per user
    (last-n), orders of 8 to 11 lines have enough positives, none earlier than another."""
    table = _orders() if split == "time" else _orders(lines=(8, 12))
    log = to_log(table, resolve(table, None, user="order_id", item="name", time="date"))
    cut = time_windows if split == "time" else last_n_windows
    with pytest.raises(TuneplateError, match="has an event before it") as refused:
        cut(log)
    assert "'order_id'" in str(refused.value) and "order or session id" in str(refused.value)


def test_a_rival_with_no_validation_user_is_skipped_not_a_traceback():
    """EASE's and item-kNN's settings chosen on a validation period whose users have no
    item to predict kept no setting (None) and `sources_of` raised a TypeError."""
    from tuneplate.engine.tasks.ranking import rivals as rv

    table = _orders()
    table["order_id"] = "everyone"  # one user, so every period has one evaluable user
    log = to_log(table, resolve(table, None, user="order_id", item="name", time="date"))
    windows = time_windows(log)
    empty = rv.period(windows.validation, np.array([], dtype=object), False)
    for name in rv.SOURCES:
        chosen = rv.choose(name, empty, 10, 0)
        assert chosen.note and chosen.table is None
    assert rv.sources_of({n: rv.choose(n, empty, 10, 0) for n in rv.SOURCES}).ease_l2 is None
