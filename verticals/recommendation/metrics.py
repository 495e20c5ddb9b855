"""Recommendation metrics: NDCG@k optimised; the business translation is hits and
revenue per 1,000 sessions for the ranker and every simple model, with bootstrap
intervals; the verdict and the hits card compare the ranker with the strongest simple
model (popularity lists, co-occurrence, EASE, item-kNN, ALS), and the verdict recommends
that model when the ranker does not clearly beat it.

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

import numpy as np
import pandas as pd

from tuneplate.plugin import (
    METRIC_LABELS,
    PER_SOURCE,
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
    "currency": None,  # of the prices and the order value; None (unknown): unlabelled
}

MIN_SEGMENT = 30  # customers below which a segment is too small to judge (as diagnosis)
TOO_SMALL = "too small to judge"

METHODS = {
    "ranker": "tuned ranker",
    "popularity": "most popular (all time)",
    "recent_popularity": "most popular (recent)",
    "cooccurrence": "bought together (co-occurrence)",
    "ease": "EASE",
    "item_knn": "item-kNN",
    "als": "ALS",
}


# The candidate sources' names in the candidate-recall table (`candidates.SOURCE_RANKS`).
SOURCES = {
    "popularity": "most popular (all time)",
    "recent_popularity": "most popular (recent)",
    "cooccurrence": "bought together (co-occurrence)",
    "ease": "EASE",
    "item_knn": "item-kNN",
    "own": "the customer's own items (repeats)",
}


DECLARED = (
    # at most the candidates each source proposes: past them the simple lists would be
    # filled from the other sources, and their figures would not be theirs
    Assumption(
        "k", "slots on screen", low=1, low_open=False, high=PER_SOURCE, whole=True, flag="--k"
    ),
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
    Assumption(
        "currency",
        "the currency of the prices and the order value, e.g. EUR",
        text=True,
        optional=True,
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
        "to at least one customer, the catalogue being the items with an event before the "
        "hold-out period (items never logged cannot be recommended).",
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
        label = METHODS.get(method, method)
        words = _ratio_words(low, high, label)
        ratios.append(
            {
                "Baseline": label,
                f"Baseline NDCG@{k}": float(mean_base),
                "Ranker ÷ baseline": ratio,
                "95% interval": f"{low:.2f}–{high:.2f}"
                if math.isfinite(low) and math.isfinite(high)
                else "none (too few customers)",
                "Reading": f"the ranker {words}",
                "_low": low,
                "_high": high,
                "_method": method,
            }
        )
    # The verdict is against the strongest simple model by hold-out NDCG@k: beating a
    # weak list proves little, and a simpler model that does as well is the better choice.
    strongest = max(ratios, key=lambda r: r[f"Baseline NDCG@{k}"])
    verdict, winner = _verdict(strongest, k, users)
    sentences.append(verdict)
    if not strongest["_low"] > 1:  # NaN (nothing to compare with) is no win either
        concerns.append(("caution", _concern(strongest, k)))
    others = sorted(ratios, key=lambda r: -r[f"Baseline NDCG@{k}"])[1:]
    if others:
        sentences.append(
            f"Against the other simple models on NDCG@{k} the ranker scores "
            + "; ".join(
                f"{r['Ranker ÷ baseline']:.2f}× {r['Baseline']}, 95% interval {r['95% interval']}"
                for r in others
            )
            + "."
        )
    ratio_frame = pd.DataFrame(ratios)
    ratio_table = Table(
        "baseline_ratios",
        "How much better the ranker orders items than each simple rule",
        ratio_frame.drop(columns=["_low", "_high", "_method"]),
        note="A ratio above 1 means the ranker puts the items customers went on to choose "
        "higher; when the interval includes 1 the difference is not clear.",
        formats={f"Baseline NDCG@{k}": "number", "Ranker ÷ baseline": "number"},
    )

    business = _per_thousand(outcome, a)
    hits = 1000 * ranker["hits"].mean()
    pop_hits = 1000 * per_user["popularity"]["hits"].mean()
    # Hits are set against the same strongest simple model as the verdict, so the first
    # screen never pairs a verdict about one rival with a figure about a weaker one.
    rival_hits = 1000 * per_user[strongest["_method"]]["hits"].mean()
    against = f"{rival_hits:,.0f} with {strongest['Baseline']}, the strongest simple model"
    sentences.insert(
        1,
        f"Shown {k} items, 1,000 customers like these would pick about {hits:,.0f} of them "
        f"in the next period with the tuned ranker, against {against} (an offline estimate).",
    )
    tables = [comparison, ratio_table, business]
    if outcome.beyond:
        tables.append(_beyond_accuracy(outcome))
    if outcome.history_events is not None:
        tables.append(_segments(outcome, strongest["_method"]))
    if outcome.rivals:
        tables.append(_rival_settings(outcome))
    if outcome.source_recall:
        tables.append(_candidate_sources(outcome))
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
        "currency": a.get("currency"),
        "split": a.get("split"),
    }
    cards = [
        Card(
            "Hits per 1,000 sessions",
            hits,
            "count",
            f"Against {against}; a session is one customer shown {k} items; offline estimate.",
        ),
        Card(
            f"NDCG@{k}, ranker ÷ {strongest['Baseline']}",
            float(strongest["Ranker ÷ baseline"]),
            "number",
            f"95% interval {strongest['95% interval']} over {users:,} "
            f"customer{'s' if users != 1 else ''}; "
            f"the strongest of the {len(ratios)} simple models on this hold-out.",
        ),
    ]
    if "Ranker uplift" in business.frame.columns:
        price = "list prices" if outcome.priced else f"an order value of {a.get('order_value')}"
        if not a.get("currency"):  # the items table's prices carry no unit we know
            price += " (in the prices' own unit: --assume currency=EUR names it)"
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
    if winner is None:
        shown = f"the tuned ranker's top {k} items"
    else:
        shown = (
            f"the top {k} items of {winner}, the simpler model the tuned ranker did not "
            f"beat on NDCG@{k}"
        )
    headline = Headline(
        summary=tuple(sentences),
        operating_point=f"show each known customer {shown}, and the popularity list to "
        "customers with no history; confirm in an A/B test.",
        cards=tuple(cards),
        concerns=tuple(concerns),
        figures={
            "hits_per_1000": hits,
            "popularity_hits_per_1000": pop_hits,
            "strongest_hits_per_1000": rival_hits,
            "ratios": {
                r["Baseline"]: {
                    "ratio": r["Ranker ÷ baseline"],
                    "low": r["_low"],
                    "high": r["_high"],
                }
                for r in ratios
            },
            "strongest": {
                "method": strongest["_method"],
                "label": strongest["Baseline"],
                "ndcg": strongest[f"Baseline NDCG@{k}"],
                "ratio": strongest["Ranker ÷ baseline"],
                "low": strongest["_low"],
                "high": strongest["_high"],
            },
            "recommended": "ranker" if winner is None else strongest["_method"],
        },
    )
    return Evaluation(metrics, tables, assumptions, headline)


def _verdict(strongest: Mapping[str, Any], k: int, users: int) -> tuple[str, str | None]:
    """The decision sentence against the strongest simple model, and that model's name
    when it is the one to use (the ranker does not clearly beat it), else None."""
    name, low, high = strongest["Baseline"], strongest["_low"], strongest["_high"]
    figures = (
        f"{strongest['Ranker ÷ baseline']:.2f}× its NDCG@{k} (95% interval {low:.2f}–"
        f"{high:.2f}, {users:,} customers)"
    )
    if not (math.isfinite(low) and math.isfinite(high)):
        # no interval: too few customers to resample (one), or a model that scored
        # nothing at all; say which, and never the latter when both have scores
        ratio = strongest["Ranker ÷ baseline"]
        why = (
            f"{users:,} customer{'s give' if users != 1 else ' gives'} no interval"
            f" ({ratio:.2f}× its NDCG@{k} on them)"
            if math.isfinite(ratio)
            else "one of them scored nothing"
        )
        # not shown to be better: the simpler model is the one to use (as on a tie)
        return (
            f"On NDCG@{k} the tuned ranker cannot be compared with {name}, the strongest "
            f"simple model on this hold-out: {why}; use {name}, which is simpler, until a "
            "hold-out with more customers shows the ranker does better.",
            name,
        )
    if low > 1:
        return f"The tuned ranker beats the strongest simple model, {name}: {figures}.", None
    if high < 1:
        return (
            f"The tuned ranker does worse than the strongest simple model, {name}: {figures}; "
            f"use {name}, which is simpler and better here.",
            name,
        )
    return (
        f"The tuned ranker shows no clear difference from the strongest simple model, {name}: "
        f"{figures}; use {name}, which is simpler and does as well here.",
        name,
    )


def _concern(strongest: Mapping[str, Any], k: int) -> str:
    name = strongest["Baseline"]
    return (
        f"The tuned ranker does not clearly beat {name}, the strongest simple model on "
        f"NDCG@{k} (ratio {strongest['Ranker ÷ baseline']:.2f}, 95% interval "
        f"{strongest['95% interval']})."
    )


def _settings(name: str, params: Mapping[str, Any]) -> str:
    """A rival's chosen settings in the field's words, e.g. "λ = 250"."""
    if name == "ease":
        return f"λ = {params['l2']:g}"
    if name == "item_knn":
        return f"k = {params['neighbours']} neighbours, shrink {params['shrink']:g}"
    if name == "als":
        return (
            f"{params['factors']} factors, regularisation {params['regularization']:g}, "
            f"α = {params['alpha']:g}"
        )
    return ", ".join(f"{key} = {value}" for key, value in params.items())


def _rival_settings(outcome: RankingOutcome) -> Table:
    """How EASE, item-kNN and ALS were tuned: the settings chosen on the validation
    period, their validation NDCG@k, and any rival skipped with the reason."""
    k, rows, skipped = outcome.k, [], []
    for name, record in outcome.rivals.items():
        if record.get("skipped"):
            skipped.append(str(record["skipped"]))
            continue
        rows.append(
            {
                "Model": METHODS.get(name, name),
                "Settings chosen": _settings(name, record["params"]),
                f"Validation NDCG@{k}": float(record["validation_ndcg"]),
                "Settings tried": int(record["settings_tried"]),
            }
        )
    own = (
        "recommended again, as people in this log buy again"
        if outcome.assumptions.get("repeats")
        else "never recommended to them"
    )
    note = (
        f"Each model's settings were chosen by a small grid on the validation period's "
        f"NDCG@{k} (never the hold-out), then it was refitted on every event before the "
        f"hold-out period and scored on the same customers as the ranker. Items a "
        f"customer already has are {own}. EASE: Steck (2019); item-kNN: cosine "
        "similarity, Sarwar et al. (2001); ALS: Hu, Koren & Volinsky (2008), from the "
        "implicit library."
    )
    if skipped:
        note += " " + " ".join(f"{reason}." for reason in skipped)
    columns = ["Model", "Settings chosen", f"Validation NDCG@{k}", "Settings tried"]
    return Table(
        "rival_settings",
        "How the strong simple models were tuned",
        pd.DataFrame(rows, columns=columns),
        note=note,
        formats={f"Validation NDCG@{k}": "number", "Settings tried": "count"},
    )


def _candidate_sources(outcome: RankingOutcome) -> Table:
    """Candidate recall of each source alone and of all together (the ranker's ceiling),
    on the hold-out customers, with the model sources' settings or why one was left out.

    Example:
        >>> _candidate_sources(outcome).frame["Source"].tolist()[-1]
        'all sources together'
    """
    rows = [
        {"Source": SOURCES.get(name, name), "Candidate recall": float(recall)}
        for name, recall in outcome.source_recall.items()
    ]
    rows.append({"Source": "all sources together", "Candidate recall": outcome.candidate_recall})
    skipped = [str(s["skipped"]) for s in outcome.sources.values() if s.get("skipped")]
    note = (
        "Share of the items the hold-out customers then chose that each source proposed "
        "among its own top candidates (the cut the search chose), from events before the "
        "hold-out period only; together they bound what the ranker can find. EASE and "
        "item-kNN are refitted before each period with the settings chosen on the "
        "validation period; ALS stays a rival only (it needs the implicit library to score)."
    )
    if skipped:
        note += " " + " ".join(f"{reason}." for reason in skipped)
    return Table(
        "candidate_sources",
        "Candidate recall per source",
        pd.DataFrame(rows, columns=["Source", "Candidate recall"]),
        note=note,
        formats={"Candidate recall": "percent"},
    )


def _beyond_accuracy(outcome: RankingOutcome) -> Table:
    """One row per method: novelty, intra-list diversity (with categories), popularity
    bias (ARP, long-tail share) and catalogue coverage of its top-k lists."""
    k, rows = outcome.k, []
    diverse = all("diversity" in f for f in outcome.beyond.values())
    for method, f in outcome.beyond.items():
        row = {"Method": METHODS.get(method, method), "Novelty (bits)": f["novelty"]}
        if diverse:
            row["Intra-list diversity"] = f["diversity"]
        row["ARP (customers)"] = f["arp"]
        row["Long-tail share"] = f["long_tail"]
        row["Catalogue coverage"] = float(outcome.coverage.get(method, math.nan))
        rows.append(row)
    note = (
        f"On each method's top {k} lists for the hold-out customers, with item popularity "
        "from the events before the hold-out period only. Novelty is the mean "
        "self-information −log2(share of earlier customers who used the item) of a "
        "recommended item, higher for less obvious items (Zhou et al., 2010; Castells et "
        "al., 2015). "
    )
    note += (
        "Intra-list diversity is the share of pairs of recommended items in different "
        "categories (Ziegler et al., 2005). "
        if diverse
        else "Intra-list diversity needs an item table with a category column and is left out. "
    )
    note += (
        "ARP (average recommendation popularity) is the mean number of earlier customers "
        "of a recommended item; the long-tail share is the share of recommended items "
        "outside the most popular ones that make up 80% of earlier interactions "
        "(Abdollahpouri et al., 2019). Each figure is averaged within a list, then over "
        "customers."
    )
    formats = {
        "Novelty (bits)": "number",
        "Intra-list diversity": "percent",
        "ARP (customers)": "number",
        "Long-tail share": "percent",
        "Catalogue coverage": "percent",
    }
    frame = pd.DataFrame(rows)
    formats = {c: v for c, v in formats.items() if c in frame.columns}
    return Table("beyond_accuracy", "Beyond accuracy", frame, note=note, formats=formats)


def _segments(outcome: RankingOutcome, rival: str) -> Table:
    """The ranker's and the strongest simple model's NDCG@k by customer segment: terciles
    of earlier events (light, middle, heavy history), then new customers (no earlier
    event, served the popularity list) apart. A segment under MIN_SEGMENT customers is
    listed with its count only, as too small to judge."""
    k, seed = outcome.k, outcome.seed
    ranker, other = outcome.per_user["ranker"], outcome.per_user[rival]
    events = outcome.history_events.reindex(ranker.index).fillna(0).to_numpy()
    name = METHODS.get(rival, rival)
    title = name[:1].upper() + name[1:]
    cols = {
        "ranker": f"Ranker NDCG@{k}",
        "ranker_ci": "Ranker 95% interval",
        "rival": f"{title} NDCG@{k}",
        "rival_ci": f"{title} 95% interval",
    }
    rows = []
    # Labelled by the tercile cuts, never by a segment's own smallest or largest count:
    # the heaviest customer's count is one customer's value (aggregates only).
    low, high = (
        (int(c) for c in np.floor(np.quantile(events, [1 / 3, 2 / 3]))) if len(events) else (0, 0)
    )
    middle = f"{low + 1:,}–{high:,}" if high - low > 1 else f"{high:,}" if high > low else ""
    parts = (
        ("light", events <= low, f"up to {low:,}"),
        ("middle", (events > low) & (events <= high), middle),
        ("heavy", events > high, f"{high + 1:,} or more"),
    )
    for label, mask, span in parts:
        n = int(mask.sum())
        words = f"{span} earlier events" if span else "empty: the light and heavy thirds meet"
        row = {"Segment": f"Returning, {label} history ({words})", "Customers": n}
        if n < MIN_SEGMENT:
            rows.append({**row, **dict.fromkeys(cols.values(), None), "Reading": TOO_SMALL})
            continue
        a, b = ranker["ndcg"].to_numpy()[mask], other["ndcg"].to_numpy()[mask]
        (al, ah), (bl, bh) = interval(a, seed), interval(b, seed)
        low, high = ratio_interval(a, b, seed)
        rows.append(
            {
                **row,
                cols["ranker"]: float(a.mean()),
                cols["ranker_ci"]: f"{al:.3f}–{ah:.3f}",
                cols["rival"]: float(b.mean()),
                cols["rival_ci"]: f"{bl:.3f}–{bh:.3f}",
                "Reading": f"the ranker {_ratio_words(low, high, name)}",
            }
        )
    cold = outcome.cold_start
    if cold is not None:
        n = len(cold)
        row = {"Segment": "New (no earlier event): popularity list", "Customers": n}
        row |= dict.fromkeys(cols.values(), None)
        if n < MIN_SEGMENT:
            reading = TOO_SMALL
        else:
            low, high = interval(cold["ndcg"].to_numpy(), seed)
            reading = (
                f"served the all-time popularity list: NDCG@{k} {cold['ndcg'].mean():.3f} "
                f"(95% interval {low:.3f}–{high:.3f})"
            )
        rows.append({**row, "Reading": reading})
    note = (
        "Returning customers had events before the hold-out period and are split into "
        f"thirds by how many; their counts add up to the {len(ranker):,} customers above. "
        f"The strongest simple model on this hold-out is {name}. New customers have their "
        "first event in the hold-out period: with no history the ranker cannot serve them, "
        "so they get the popularity list and are reported apart. Intervals are 95% "
        f"bootstrap intervals over customers; a segment of fewer than {MIN_SEGMENT} "
        f"customers is {TOO_SMALL} and shows no figures."
    )
    return Table(
        "customer_segments",
        "By customer segment",
        pd.DataFrame(rows, columns=["Segment", "Customers", *cols.values(), "Reading"]),
        note=note,
        formats={"Customers": "count", cols["ranker"]: "number", cols["rival"]: "number"},
    )


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
    # every method the report compares, so the revenue card's "rule that earns the most"
    # is chosen among all of them, the strong rivals included
    for method, table in outcome.per_user.items():
        low, high = interval(table["hits"].to_numpy() * 1000, outcome.seed)
        row = {
            "Method": METHODS.get(method, method),
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
