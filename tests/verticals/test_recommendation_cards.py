"""The recommendation headline cards measure against the right reference."""

import numpy as np
import pandas as pd

from tuneplate.engine.vertical import RankingOutcome
from tuneplate.verticals.recommendation.metrics import evaluate


def _users(hits: list[int], revenue: list[float]) -> pd.DataFrame:
    n = len(hits)
    ndcg = np.array(hits, float) / 10
    return pd.DataFrame(
        {
            "ndcg": ndcg,
            "precision": ndcg,
            "recall": ndcg,
            "map": ndcg,
            "hit_rate": (np.array(hits) > 0).astype(float),
            "hits": hits,
            "revenue": revenue,
        },
        index=range(n),
    )


def _outcome(popularity_revenue: float, recent_revenue: float) -> RankingOutcome:
    n = 40
    return RankingOutcome(
        k=10,
        per_user={
            "ranker": _users([3] * n, [90.0] * n),
            "popularity": _users([1] * n, [popularity_revenue] * n),
            "recent_popularity": _users([2] * n, [recent_revenue] * n),
        },
        coverage={"ranker": 0.3, "popularity": 0.01, "recent_popularity": 0.02},
        candidate_recall=0.8,
        catalogue=100,
        assumptions={"k": 10, "purchase_share": 1.0, "order_value": None},
        seed=0,
        priced=True,
    )


def _uplift_card(outcome):
    cards = evaluate(outcome).headline.cards
    (card,) = [c for c in cards if c.label.startswith("Revenue uplift")]
    return card


def test_revenue_uplift_is_against_the_rule_that_earns_most():
    # recent popularity earns 60 per session, all-time popularity 20: the uplift is the
    # ranker's 90 less 60 (per 1,000 sessions), not less 20.
    card = _uplift_card(_outcome(popularity_revenue=20.0, recent_revenue=60.0))
    assert card.value == (90.0 - 60.0) * 1000
    assert "most popular (recent)" in card.label


def test_when_all_time_popularity_earns_most_it_is_the_reference():
    card = _uplift_card(_outcome(popularity_revenue=70.0, recent_revenue=60.0))
    assert card.value == (90.0 - 70.0) * 1000
    assert "most popular (all time)" in card.label


def _rivals_outcome(ease_hits: int) -> RankingOutcome:
    n = 40
    rng = np.random.default_rng(0)
    ranker = _users(list(rng.integers(2, 5, n)), [90.0] * n)
    ease = _users(list(np.clip(rng.integers(2, 5, n) + ease_hits, 0, 10)), [90.0] * n)
    return RankingOutcome(
        k=10,
        per_user={
            "ranker": ranker,
            "popularity": _users([1] * n, [20.0] * n),
            "recent_popularity": _users([1] * n, [20.0] * n),
            "ease": ease,
        },
        coverage={"ranker": 0.3, "popularity": 0.01, "recent_popularity": 0.02, "ease": 0.4},
        candidate_recall=0.8,
        catalogue=100,
        assumptions={"k": 10, "purchase_share": 1.0, "order_value": None},
        seed=0,
        priced=True,
        rivals={
            "ease": {
                "label": "EASE",
                "params": {"l2": 250.0},
                "validation_ndcg": 0.3,
                "settings_tried": 6,
            },
            "als": {"label": "ALS", "skipped": "ALS was skipped: not installed"},
        },
    )


def test_when_a_strong_rival_wins_the_first_screen_recommends_it():
    headline = evaluate(_rivals_outcome(ease_hits=3)).headline
    assert headline.summary[0].startswith(
        "The tuned ranker does worse than the strongest simple model, EASE"
    )
    assert "use EASE" in headline.summary[0]
    assert "top 10 items of EASE" in headline.operating_point
    assert headline.figures["recommended"] == "ease"
    assert headline.figures["strongest"]["high"] < 1
    assert any("EASE" in text for _, text in headline.concerns)


def test_a_ranker_that_beats_the_strongest_rival_is_recommended():
    evaluation = evaluate(_rivals_outcome(ease_hits=-2))
    headline = evaluation.headline
    assert headline.summary[0].startswith("The tuned ranker beats the strongest simple model")
    assert "tuned ranker's top 10" in headline.operating_point
    assert headline.figures["recommended"] == "ranker" and not headline.concerns
    # the rivals' chosen settings and the reason one was skipped are in the report
    (table,) = [t for t in evaluation.tables if t.key == "rival_settings"]
    assert table.frame["Settings chosen"].tolist() == ["λ = 250"]
    assert "ALS was skipped" in table.note


def test_hits_and_revenue_are_set_against_the_strong_rivals_too():
    # EASE is the strongest simple model and earns the most: the hits card and sentence
    # name it (not the weaker all-time popularity list), the per-1,000 table lists every
    # method, and the revenue uplift is over EASE.
    outcome = _rivals_outcome(ease_hits=3)
    outcome.per_user["ease"]["revenue"] = 95.0
    evaluation = evaluate(outcome)
    headline = evaluation.headline
    (hits,) = [c for c in headline.cards if c.label == "Hits per 1,000 sessions"]
    ease_hits = 1000 * outcome.per_user["ease"]["hits"].mean()
    assert hits.assumption.startswith(f"Against {ease_hits:,.0f} with EASE, the strongest")
    assert f"against {ease_hits:,.0f} with EASE" in headline.summary[1]
    assert headline.figures["strongest_hits_per_1000"] == ease_hits
    (table,) = [t for t in evaluation.tables if t.key == "per_1000_sessions"]
    assert table.frame["Method"].tolist() == [
        "tuned ranker",
        "most popular (all time)",
        "most popular (recent)",
        "EASE",
    ]
    card = _uplift_card(outcome)
    assert card.label.endswith("over EASE") and card.value == (90.0 - 95.0) * 1000
