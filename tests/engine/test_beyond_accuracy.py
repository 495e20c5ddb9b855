"""Beyond-accuracy figures of top-k lists, and the recommendation report's segment table."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from tuneplate.engine.tasks.ranking import beyond
from tuneplate.engine.tasks.ranking.task import _cold_start
from tuneplate.engine.tasks.ranking.windows import Window
from tuneplate.engine.vertical import RankingOutcome
from tuneplate.verticals.recommendation.metrics import MIN_SEGMENT, TOO_SMALL, evaluate

# 4 training customers; events: x 5, y 3, z 1, w 1 (10 in all)
HISTORY = pd.DataFrame(
    {
        "user": ["a", "a", "b", "b", "c", "a", "b", "c", "d", "d"],
        "item": ["x", "x", "x", "x", "x", "y", "y", "y", "z", "w"],
    }
)
CATEGORY = pd.Series({"x": "shoes", "y": "shoes", "z": "hats", "w": "bags"})


def test_popularity_counts_customers_and_cuts_the_long_tail_at_80_percent():
    pop = beyond.popularity(HISTORY)
    assert pop.n_customers == 4
    assert pop.customers.to_dict() == {"x": 3, "y": 3, "z": 1, "w": 1}
    # x and y hold 8 of 10 events (80%): the head; z and w are the long tail
    assert sorted(pop.tail) == ["w", "z"]


def test_novelty_arp_long_tail_and_diversity_match_hand_computed_lists():
    pop = beyond.popularity(HISTORY)
    lists = np.array([["x", "z"], ["y", "w"], ["x", None]], dtype=object)
    got = beyond.measure(lists, pop, CATEGORY)
    # self-information: x, y -log2(3/4) = 0.415; z, w -log2(1/4) = 2
    info_xy, info_zw = -math.log2(3 / 4), 2.0
    per_list = [(info_xy + info_zw) / 2, (info_xy + info_zw) / 2, info_xy]
    assert got["novelty"] == pytest.approx(np.mean(per_list))
    assert got["arp"] == pytest.approx(np.mean([2.0, 2.0, 3.0]))  # (3+1)/2, (3+1)/2, 3
    assert got["long_tail"] == pytest.approx(np.mean([0.5, 0.5, 0.0]))
    # both two-item lists mix categories; the one-item list has no pair
    assert got["diversity"] == pytest.approx(1.0)
    assert "diversity" not in beyond.measure(lists, pop)


def test_diversity_is_the_share_of_pairs_in_different_categories():
    lists = np.array([["x", "y", "z"], ["x", "y", None]], dtype=object)
    # 3 pairs, 1 within shoes -> 2/3; the second list's one pair is all shoes -> 0
    assert beyond.diversity(lists, CATEGORY) == pytest.approx(np.mean([2 / 3, 0.0]))


def test_items_without_a_category_are_left_out_of_diversity_whatever_their_missing_marker():
    """An items table read as pandas' string dtype maps an unknown item to pd.NA, whose
    truth value raises; the run crashed after its search on such a table."""
    lists = np.array([["x", "y", "q"], ["x", "q", "r"]], dtype=object)
    for missing in (pd.NA, np.nan, None):
        category = pd.Series({"x": "shoes", "y": "hats", "q": missing}, dtype=object)
        # first list: x, y differ (q unknown) -> 1; second: one known item, no pair
        assert beyond.diversity(lists, category) == pytest.approx(1.0)
    as_string = pd.Series({"x": "shoes", "y": "hats"}).astype("string")
    assert beyond.diversity(lists, as_string) == pytest.approx(1.0)


def test_lists_of_maps_row_positions_to_items_with_none_for_padding():
    got = beyond.lists_of(np.array(["x", "y"]), np.array([[1, 0], [0, -1]]))
    assert got.tolist() == [["y", "x"], ["x", None]]


def test_cold_start_users_are_scored_on_the_popularity_list():
    t = pd.Timestamp("2024-01-01")
    labels = pd.DataFrame({"user": ["new", "new", "a"], "item": ["x", "q", "z"], "time": t})
    window = Window("hold-out", t, t, HISTORY.assign(time=t - pd.Timedelta(days=1)), labels)
    table = _cold_start(window, k=2)
    assert list(table.index) == ["new"]  # "a" had earlier events: the ranker serves them
    # the list is x, y; "new" used x (1st) and q (never listed): 1 hit of 2 relevant
    assert table.loc["new", "hit_rate"] == 1.0
    assert table.loc["new", "recall"] == 0.5


def _users(ndcg: np.ndarray) -> pd.DataFrame:
    n = len(ndcg)
    return pd.DataFrame(
        {
            "ndcg": ndcg,
            "precision": ndcg / 10,
            "recall": ndcg,
            "map": ndcg,
            "hit_rate": ndcg > 0,
            "hits": (ndcg > 0).astype(float),
        },
        index=[f"u{i}" for i in range(n)],
    )


def _segments(n: int, cold: int, events: np.ndarray | None = None) -> pd.DataFrame:
    rng = np.random.default_rng(0)
    ranker, rival = _users(rng.uniform(0.2, 0.8, n)), _users(rng.uniform(0.0, 0.4, n))
    outcome = RankingOutcome(
        k=10,
        per_user={"ranker": ranker, "popularity": rival, "recent_popularity": rival * 0.5},
        coverage={"ranker": 0.3, "popularity": 0.01, "recent_popularity": 0.02},
        candidate_recall=0.8,
        catalogue=100,
        assumptions={"k": 10, "purchase_share": 1.0, "order_value": None},
        seed=0,
        priced=False,
        history_events=pd.Series(
            np.arange(1, n + 1) if events is None else events, index=ranker.index
        ),
        cold_start=_users(rng.uniform(0, 0.2, cold)),
    )
    (table,) = [t for t in evaluate(outcome).tables if t.key == "customer_segments"]
    return table.frame


def test_segment_counts_add_up_to_the_holdout_users_and_new_customers_are_apart():
    frame = _segments(n=120, cold=40)
    returning = frame[frame["Segment"].str.startswith("Returning")]
    assert returning["Customers"].sum() == 120
    assert len(returning) == 3
    assert (returning["Reading"] != TOO_SMALL).all()
    assert returning["Ranker NDCG@10"].notna().all()
    assert "Most popular (all time) NDCG@10" in frame.columns  # the strongest rival
    (new,) = frame[frame["Segment"].str.startswith("New")].itertuples()
    assert new.Customers == 40 and "popularity list" in new.Reading


def test_segments_are_named_by_their_cuts_not_one_customers_count():
    """Aggregates only: "heavy history (81–120 earlier events)" printed the heaviest
    customer's own count (120 here)."""
    frame = _segments(n=120, cold=0)
    labels = frame["Segment"].tolist()
    assert labels[:3] == [
        "Returning, light history (up to 40 earlier events)",
        "Returning, middle history (41–80 earlier events)",
        "Returning, heavy history (81 or more earlier events)",
    ]
    assert not any("120" in label for label in labels)
    same = _segments(n=90, cold=0, events=np.full(90, 4))  # every customer 4 events
    assert same["Segment"].tolist()[:3] == [
        "Returning, light history (up to 4 earlier events)",
        "Returning, middle history (empty: the light and heavy thirds meet)",
        "Returning, heavy history (5 or more earlier events)",
    ]
    assert same["Customers"].tolist()[:3] == [90, 0, 0]


def test_a_segment_below_the_threshold_is_too_small_to_judge():
    frame = _segments(n=3 * MIN_SEGMENT - 3, cold=MIN_SEGMENT - 1)
    assert (frame["Reading"] == TOO_SMALL).all()
    assert frame["Ranker NDCG@10"].isna().all()
