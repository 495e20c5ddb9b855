"""Recommendation metrics: NDCG@k optimised; the business translation is hits and
revenue per 1,000 sessions against the popularity baseline, with bootstrap intervals.

A "session" is one evaluated customer shown k items at the start of the hold-out
period; a "hit" is a shown item the customer went on to interact with (by the
positive rule) in that period. Every comparison is a ratio of means over the same
customers with a 95% paired bootstrap interval; an interval that straddles 1 is
called "no clear difference", never a win.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import pandas as pd

from tuneplate.plugin import (
    METRIC_LABELS,
    Assumption,
    Card,
    Evaluation,
    Headline,
    Objective,
    RankingOutcome,
    Table,
    interval,
    ratio_interval,
    validator,
)

# The search's score is computed by the engine's ranking loop (engine.ranking), not
# from one (y, p) pair, so the objective carries no score function.
OBJECTIVE = Objective("ndcg", "NDCG@k", "maximize", None)

ASSUMPTIONS: dict[str, Any] = {
    "k": 10,  # slots on screen
    "purchase_share": 1.0,  # share of hits that become a purchase
    "order_value": None,  # revenue per purchase when items carry no price
}

METHODS = {
    "ranker": "tuned ranker",
    "popularity": "most popular (all time)",
    "recent_popularity": "most popular (recent)",
    "cooccurrence": "bought together (co-occurrence)",
}


DECLARED = (
    Assumption("k", "slots on screen", low=1, low_open=False, whole=True, flag="--k"),
    Assumption(
        "purchase_share",
        "the share of hits that become a purchase",
        low=0,
        high=1,
        flag="--purchase-share",
    ),
    Assumption(
        "order_value",
        "revenue per purchase when the items carry no price",
        low=0,
        optional=True,
        flag="--order-value",
    ),
)
# Refuses unknown keys and assumptions the figures cannot be computed from.
validate = validator("recommendation", DECLARED)


def _ratio_words(low: float, high: float, name: str) -> str:
    if not (math.isfinite(low) and math.isfinite(high)):
        return f"cannot be compared with {name}"
    if low > 1:
        return f"beats {name}"
    if high < 1:
        return f"does worse than {name}"
    return f"shows no clear difference from {name}"


def evaluate(outcome: RankingOutcome) -> Evaluation:
    """Hold-out metrics, ranker-to-baseline ratios and hits per 1,000 sessions.

    Example:
        >>> evaluate(outcome).metrics["ndcg_at_k"]
        0.21
    """
    k, seed, per_user = outcome.k, outcome.seed, outcome.per_user
    ranker = per_user["ranker"]
    users = len(ranker)
    a = outcome.assumptions

    rows = []
    for method, table in per_user.items():
        row = {"Method": METHODS.get(method, method)}
        for metric, label in METRIC_LABELS.items():
            row[label.format(k=k)] = float(table[metric].mean())
        low, high = interval(table["ndcg"].to_numpy(), seed)
        row[f"NDCG@{k} 95% interval"] = f"{low:.3f}–{high:.3f}"
        row["Catalogue coverage"] = float(outcome.coverage[method])
        rows.append(row)
    metric_cols = [label.format(k=k) for label in METRIC_LABELS.values()]
    comparison = Table(
        "ranking_metrics",
        f"The tuned ranker and the baselines on the same {users:,} customers",
        pd.DataFrame(rows),
        note=f"Top {k} items per customer in the hold-out period; intervals are 95% "
        "bootstrap intervals over customers. Coverage is the share of the catalogue shown "
        "to at least one customer.",
        formats={**dict.fromkeys(metric_cols, "number"), "Catalogue coverage": "percent"},
    )

    ratios, sentences, concerns = [], [], []
    for method, table in per_user.items():
        if method == "ranker":
            continue
        base = table["ndcg"].to_numpy()
        mean_base = base.mean()
        ratio = ranker["ndcg"].mean() / mean_base if mean_base > 0 else math.nan
        low, high = ratio_interval(ranker["ndcg"].to_numpy(), base, seed)
        words = _ratio_words(low, high, METHODS[method])
        ratios.append(
            {
                "Baseline": METHODS[method],
                f"Baseline NDCG@{k}": float(mean_base),
                "Ranker ÷ baseline": ratio,
                "95% interval": f"{low:.2f}–{high:.2f}",
                "Reading": f"the ranker {words}",
                "_low": low,
                "_high": high,
            }
        )
        sentences.append(
            f"On NDCG@{k} the tuned ranker scores {ratio:.2f}× {METHODS[method]} "
            f"(95% interval {low:.2f}–{high:.2f}, {users:,} customers): it {words}."
        )
        if high < 1 or (method == "popularity" and low <= 1):
            concerns.append(
                ("caution", f"The tuned ranker is not clearly better than {METHODS[method]}.")
            )
    ratio_frame = pd.DataFrame(ratios)
    ratio_table = Table(
        "baseline_ratios",
        "How much better the ranker orders items than each simple rule",
        ratio_frame.drop(columns=["_low", "_high"]),
        note="A ratio above 1 means the ranker puts the items customers went on to choose "
        "higher; when the interval includes 1 the difference is not clear.",
        formats={f"Baseline NDCG@{k}": "number", "Ranker ÷ baseline": "number"},
    )

    business = _per_thousand(outcome, a)
    hits = 1000 * ranker["hits"].mean()
    pop_hits = 1000 * per_user["popularity"]["hits"].mean()
    sentences.insert(
        0,
        f"Shown {k} items, 1,000 customers like these would pick about {hits:,.0f} of them "
        f"in the next period with the tuned ranker, against {pop_hits:,.0f} with the "
        "all-time popularity list (an offline estimate).",
    )
    tables = [comparison, ratio_table, business]
    metrics = {
        "ndcg_at_k": float(ranker["ndcg"].mean()),
        "precision_at_k": float(ranker["precision"].mean()),
        "recall_at_k": float(ranker["recall"].mean()),
        "map_at_k": float(ranker["map"].mean()),
        "hit_rate_at_k": float(ranker["hit_rate"].mean()),
        "coverage": float(outcome.coverage["ranker"]),
        "candidate_recall": float(outcome.candidate_recall),
        "users": float(users),
    }
    assumptions = {
        "k": k,
        "session": f"one customer shown {k} items at the start of the hold-out period",
        "hit": f"a shown item the customer interacted with in the period: {outcome.hit}",
        "purchase_share": a.get("purchase_share"),
        "order_value": a.get("order_value"),
        "split": a.get("split"),
    }
    strongest = max(ratios, key=lambda r: r[f"Baseline NDCG@{k}"])
    cards = [
        Card(
            "Hits per 1,000 sessions",
            hits,
            "count",
            f"Against {pop_hits:,.0f} with the all-time popularity list; a "
            f"session is one customer shown {k} items; offline estimate.",
        ),
        Card(
            f"NDCG@{k}, ranker ÷ {strongest['Baseline']}",
            float(strongest["Ranker ÷ baseline"]),
            "number",
            f"95% interval {strongest['95% interval']} over {users:,} customers; "
            "the strongest simple rule on this hold-out.",
        ),
    ]
    if "Ranker uplift" in business.frame.columns:
        price = "list prices" if outcome.priced else f"an order value of {a.get('order_value')}"
        # Against the simple rule that earns the most, so the uplift is never flattered
        # by comparing with a weak list.
        rules = business.frame.iloc[1:]
        best = rules.loc[rules["Revenue per 1,000 sessions"].idxmax()]
        cards.append(
            Card(
                f"Revenue uplift per 1,000 sessions over {best['Method']}",
                float(best["Ranker uplift"]),
                "money",
                f"Against the simple rule that earns the most on this hold-out, at {price}, "
                f"a hit counted as {a.get('purchase_share', 1):.0%} of a purchase"
                f"{_alike(outcome)}; offline estimate to confirm in an A/B test.",
            )
        )
    else:
        cards.append(
            Card(
                "Customers shown something they chose",
                float(ranker["hit_rate"].mean()),
                "percent",
                f"Hit rate@{k}: share of customers with at least one of the {k} "
                "items shown chosen in the next period.",
            )
        )
    headline = Headline(
        summary=tuple(sentences),
        operating_point=f"show each known customer the tuned ranker's top {k} items, "
        "and the popularity list to customers with no history; confirm in an A/B test.",
        cards=tuple(cards),
        concerns=tuple(concerns),
        figures={
            "hits_per_1000": hits,
            "popularity_hits_per_1000": pop_hits,
            "ratios": {
                r["Baseline"]: {
                    "ratio": r["Ranker ÷ baseline"],
                    "low": r["_low"],
                    "high": r["_high"],
                }
                for r in ratios
            },
        },
    )
    return Evaluation(metrics, tables, assumptions, headline)


def _alike(outcome: RankingOutcome) -> str:
    """Said beside every revenue figure when views count as purchases."""
    if not outcome.alike:
        return ""
    return (
        " (every event type counts as a hit here, views as purchases: set --purchase-share "
        "to the share of hits that become purchases, or count only purchases with --value "
        "and --min-value)"
    )


def _per_thousand(outcome: RankingOutcome, a: Mapping[str, Any]) -> Table:
    """Hits (and revenue, when prices or an order value are known) per 1,000 sessions."""
    share = float(a.get("purchase_share") or 1.0)
    order_value = a.get("order_value")
    ranker = outcome.per_user["ranker"]
    rows = []
    for method in ("ranker", "popularity", "recent_popularity"):
        table = outcome.per_user[method]
        low, high = interval(table["hits"].to_numpy() * 1000, outcome.seed)
        row = {
            "Method": METHODS[method],
            "Hits per 1,000 sessions": 1000 * float(table["hits"].mean()),
            "95% interval": f"{low:,.0f}–{high:,.0f}",
        }
        revenue = None
        if outcome.priced:
            revenue = table["revenue"].to_numpy() * share * 1000
        elif order_value:
            revenue = table["hits"].to_numpy() * share * float(order_value) * 1000
        if revenue is not None:
            row["Revenue per 1,000 sessions"] = float(revenue.mean())
            if method != "ranker":
                mine = (
                    (
                        ranker["revenue"].to_numpy()
                        if outcome.priced
                        else ranker["hits"].to_numpy() * float(order_value)
                    )
                    * share
                    * 1000
                )
                row["Ranker uplift"] = float(mine.mean() - revenue.mean())
        rows.append(row)
    note = (
        "Offline estimate, to be confirmed by an A/B test: a hit counts as "
        f"{share:.0%} of a purchase"
    )
    if outcome.priced:
        note += " at the item's list price"
    elif order_value:
        note += f" worth {order_value:,.2f} (order value assumed)"
    else:
        note += "; no price or --order-value was given, so there is no revenue figure"
    note += _alike(outcome) + ". Logged behaviour favours what customers were already shown."
    frame = pd.DataFrame(rows)
    formats = {"Hits per 1,000 sessions": "count"}
    for col in ("Revenue per 1,000 sessions", "Ranker uplift"):
        if col in frame.columns:
            formats[col] = "money"
    return Table("per_1000_sessions", "Per 1,000 sessions", frame, note=note, formats=formats)
