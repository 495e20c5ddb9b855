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
