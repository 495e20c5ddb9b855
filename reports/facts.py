"""Key-value facts for the report: (label, formatted value) rows about the run.

The business assumptions, the hold-out metrics with their meaning, the chosen settings,
the data, how the search ran, what it takes to repeat the run and the scores' stability.
Each function returns rows the templates print as they are.

Example:
    >>> dict(data_facts(results))["Rows"], dict(reproducibility(results))["Random seed"]
    ('1,000', '0')
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from tuneplate.engine.results import Results
from tuneplate.reports.formatters import (
    assumption_kind,
    fmt_cell,
    fmt_count,
    fmt_duration,
    fmt_label,
    fmt_number,
    fmt_param,
    fmt_text,
    signed,
)
from tuneplate.reports.tables import shown


@dataclass(frozen=True)
class MetricInfo:
    label: str
    kind: str  # a fmt_cell kind
    meaning: str


# One line each, written for the reader of the performance section.
METRICS = {
    "roc_auc": MetricInfo(
        "ROC AUC", "number", "How well the model ranks cases: 0.5 is a coin toss, 1 is perfect."
    ),
    "gini": MetricInfo("Gini", "number", "The same ranking power on a 0-to-1 scale: 2 × AUC − 1."),
    "ks": MetricInfo(
        "KS statistic", "number", "The widest gap between the score spreads of the two outcomes."
    ),
    "brier": MetricInfo(
        "Brier score", "number", "Mean squared error of the predicted probability; lower is better."
    ),
    "log_loss": MetricInfo(
        "Log-loss", "number", "Penalty for confident wrong predictions; lower is better."
    ),
    "bad_rate": MetricInfo("Bad rate", "percent", "Share of hold-out cases that went bad."),
    "mean_pd": MetricInfo(
        "Mean predicted PD", "percent", "Average predicted PD; compare it with the bad rate."
    ),
    "pr_auc": MetricInfo(
        "PR AUC", "number", "Precision averaged over recall; compare it with the event rate."
    ),
    "accuracy": MetricInfo("Accuracy", "percent", "Share of cases the model gets right."),
    "calibration_slope": MetricInfo(
        "Calibration slope",
        "number",
        "1 is ideal; below 1 the predicted risks are too extreme, above 1 too timid.",
    ),
    "calibration_intercept": MetricInfo(
        "Calibration intercept",
        "number",
        "0 is ideal; above 0 the model under-predicts risk overall, below 0 over-predicts.",
    ),
    "sensitivity": MetricInfo(
        "Sensitivity", "percent", "Share of cases the model flags at the operating threshold."
    ),
    "specificity": MetricInfo(
        "Specificity", "percent", "Share of non-cases it clears at the operating threshold."
    ),
    "ppv": MetricInfo(
        "PPV", "percent", "Share of flagged cases that are real, at the stated prevalence."
    ),
    "npv": MetricInfo(
        "NPV",
        "percent",
        "Share of cleared cases that are truly negative, at the stated prevalence.",
    ),
    # ranking: per customer over their top k, then averaged
    "ndcg_at_k": MetricInfo(
        "NDCG@k",
        "number",
        "How high the items customers went on to choose were placed: 1 is ideal.",
    ),
    "precision_at_k": MetricInfo(
        "Precision@k", "percent", "Share of the k items shown that the customer then chose."
    ),
    "recall_at_k": MetricInfo(
        "Recall@k", "percent", "Share of what the customer then chose that was among the k shown."
    ),
    "map_at_k": MetricInfo(
        "MAP@k", "number", "Precision averaged at each position that held a chosen item."
    ),
    "hit_rate_at_k": MetricInfo(
        "Hit rate@k", "percent", "Share of customers shown at least one item they then chose."
    ),
    "coverage": MetricInfo(
        "Catalogue coverage", "percent", "Share of the catalogue shown to at least one customer."
    ),
    "candidate_recall": MetricInfo(
        "Candidate recall",
        "percent",
        "Share of chosen items the candidate stage proposed: the ceiling for the ranker.",
    ),
    "users": MetricInfo("Customers evaluated", "count", "Customers the figures are averaged over."),
}


def currency(results: Results) -> str:
    return str(results.assumptions.get("currency") or "")


def assumption_rows(results: Results) -> list[tuple[str, str]]:
    """The business assumptions as (label, formatted value) pairs.

    Example:
        >>> assumption_rows(results)[0]
        ('Loss given default', '45.0%')
    """
    unit = currency(results)
    rows = []
    for key, value in results.assumptions.items():
        kind = assumption_kind(key, value)
        if kind == "money" and not unit:  # no currency stated: a cost ratio, not an amount
            kind = "text"
        rows.append((fmt_label(key), fmt_cell(value, kind, unit)))
    return rows


def metric_rows(results: Results) -> list[tuple[str, str, str]]:
    """Hold-out metrics as (label, formatted value, meaning); unknown metrics keep their name.

    Example:
        >>> metric_rows(results)[0]
        ('ROC AUC', '0.767', 'How well the model ranks cases: 0.5 is a coin toss, 1 is perfect.')
    """
    rows = []
    intervals = metric_intervals(results)
    for name, value in shown(results).holdout_metrics.items():
        info = METRICS.get(name, MetricInfo(fmt_label(name), "number", ""))
        text = fmt_cell(value, info.kind)
        if (pair := intervals.get(name)) is not None:
            low, high = (fmt_cell(v, info.kind) for v in pair)
            text = f"{text} (95% interval {low} to {high})"
        rows.append((info.label, text, info.meaning))
    return rows


INTERVAL_KEYS = {"calibration_slope": "slope", "calibration_intercept": "intercept"}


def metric_intervals(results: Results) -> dict[str, tuple[float, float]]:
    """The 95% intervals the run saved for the hold-out metrics, by metric name: the
    vertical's decision figures (`headline.figures["intervals"]`, e.g. sensitivity) and
    the calibration fit's (`data["calibration"]`); a metric without one is left out, so
    "NPV 100.0%" never reads as certain when its interval is known.

    Example:
        >>> metric_intervals(results)["sensitivity"]
        (0.852, 1.0)
    """
    out: dict[str, tuple[float, float]] = {}
    saved = shown(results).headline.figures.get("intervals")
    for name, pair in saved.items() if isinstance(saved, dict) else ():
        if _finite_pair(pair):
            out[name] = (float(pair[0]), float(pair[1]))
    c = results.data.get("calibration")
    if isinstance(c, dict) and results.baseline.recommended:
        c = c.get("baseline")  # the figures of the baseline the report shows
    for name, key in INTERVAL_KEYS.items():
        pair = c.get(f"{key}_interval") if isinstance(c, dict) else None
        if _finite_pair(pair):
            out[name] = (float(pair[0]), float(pair[1]))
    return out


def _finite_pair(pair: Any) -> bool:
    return (
        isinstance(pair, list | tuple)
        and len(pair) == 2
        and all(isinstance(v, int | float) and math.isfinite(v) for v in pair)
    )


def best_params(results: Results) -> list[tuple[str, str]]:
    """The chosen hyperparameters, exact enough to reproduce.

    Example:
        >>> best_params(results)[0]
        ('learning_rate', '0.0507')
    """
    params = results.best_params
    if results.model_family == "blend":  # each member's settings, named by its family
        return [
            (f"{m['family']} {k}", fmt_param(v))
            for m in params.get("members", ())
            for k, v in m.get("params", {}).items()
        ]
    return [(str(k), fmt_param(v)) for k, v in params.items()]


def selection_text(results: Results) -> str:
    """How the refitted model was chosen after the search, with its figures; "" when
    the run kept the best trial without a comparison.

    Example:
        >>> selection_text(results)
        'blend of trial #41 and the baseline (trial #0), chosen on 10 fresh folds: …'
    """
    chosen = results.selection
    if chosen is None:
        return ""
    fresh = chosen.fresh
    if fresh is None:
        if chosen.kept and chosen.rule == "one-SE":
            return (
                f"the simple model's default settings (trial #{chosen.chosen}) kept by the "
                f"one-SE rule over the best-scoring trial #{chosen.best}"
            )
        return ""
    gains = (
        f"against the baseline on {fresh.folds} fresh folds the search never used, "
        f"{results.metric.label} best trial {signed(fresh.best, 4)} (SE {fresh.best_se:.4f}), "
        f"blend {signed(fresh.blend, 4)} (SE {fresh.blend_se:.4f})"
    )
    # Both beyond one SE: the kept one led by more (a tie keeps the blend); else the only one.
    both = fresh.best > fresh.best_se and fresh.blend > fresh.blend_se
    which = (
        "the larger gain beyond one standard error"
        if both
        else "the only gain beyond one standard error"
    )
    kept = {
        "blend": f"blend of trial #{chosen.best} and the baseline (mean of their log-odds), "
        f"{which}",
        "best": f"trial #{chosen.best}, {which}",
        "one-SE": f"the simple model's default settings (trial #{chosen.chosen}): neither "
        "gain is beyond one standard error",
    }[chosen.rule]
    return f"{kept}; {gains}"


def data_facts(results: Results) -> list[tuple[str, str]]:
    """What the data section of the results says, for the limitations and the footer.

    Example:
        >>> dict(data_facts(results))["Rows"]
        '1,000'
    """
    d: dict[str, Any] = results.data
    labels = {
        "rows": "Rows",
        "columns": "Columns",
        "features": "Features used by the model",
        "target": "Outcome column",
        "positive": "Outcome counted as the event",
        "development_rows": "Rows used for tuning",
        "holdout_rows": "Hold-out rows",
        "split": "How the rows were split",
        "protected": "Protected attributes (not used as features)",
        "excluded": "Columns left out",
        "fingerprint": "Data fingerprint",
    }
    rows = [(label, fmt_cell(d[key], None)) for key, label in labels.items() if key in d]
    roles = d.get("roles") or {}  # a ranking run: which column played which part
    parts = ("user", "item", "time", "value", "event", "price")
    named = [(r, roles[r]) for r in parts if r in roles]
    if named:
        rows.append(("Columns read as", "; ".join(f"{r}: {c!r}" for r, c in named)))
    return rows


def _trial_counts(results: Results) -> str:
    c = results.counts
    return (
        f"{fmt_count(c.get('completed', 0))} completed, {fmt_count(c.get('pruned', 0))} "
        f"stopped early (pruned), {fmt_count(c.get('failed', 0))} failed"
    )


def tuning_facts(results: Results) -> list[tuple[str, str]]:
    """How the search ran, for the tuning appendix.

    Example:
        >>> dict(tuning_facts(results))["Search strategy"]
        'bayes'
    """
    better = "higher" if results.metric.direction == "maximize" else "lower"
    chosen_among = results.data.get("families")
    family = results.tuned_family
    if chosen_among:
        family = f"{family} (chosen by the search among {', '.join(chosen_among)})"
    family = results.words_for(family)  # a blend: the search's family, and the baseline
    facts = [
        ("Model family", family),
        *([("Model kept", text)] if (text := selection_text(results)) else []),
        ("Search strategy", _strategy(results)),
        ("Score optimised", f"{results.metric.label} ({better} is better)"),
        ("Settings tried", _trial_counts(results)),
        ("Preparation time", fmt_duration(results.timings.get("prepare_s"))),
        ("Search time", fmt_duration(results.timings.get("search_s"))),
        *(
            [("Choosing on fresh folds", fmt_duration(results.timings["choose_s"]))]
            if results.selection and results.selection.fresh and "choose_s" in results.timings
            else []
        ),
        ("Total run time", fmt_duration(results.timings.get("total_s"))),
    ]
    if "gradient" in results.trials:
        modes = set(results.trials["gradient"].dropna())
        facts.append(("Gradient", GRADIENT_MODES.get(frozenset(modes), "none used")))
    if reason := results.data.get("search_converged"):
        facts.append(("Search ended", f"converged: {fmt_text(reason)}"))
    return facts


GRADIENT_MODES = {
    frozenset({"hypergradient"}): "exact hypergradients (implicit differentiation)",
    frozenset({"spsa"}): "SPSA estimates: this model has no exact gradient",
    frozenset({"hypergradient", "spsa"}): "exact hypergradients, SPSA where none was given",
}


def _strategy(results: Results) -> str:
    """The strategy and the sampler that really ran ("bayes: TPE (multivariate)")."""
    sampler = results.config.get("sampler")
    return f"{results.strategy}: {sampler}" if sampler else results.strategy


def reproducibility(results: Results) -> list[tuple[str, str]]:
    """What it takes to repeat the run: seed, search, data and library versions.

    Example:
        >>> dict(reproducibility(results))["Random seed"]
        '0'
    """
    config, data = results.config, results.data
    requested = config.get("n_trials")
    timeout = config.get("timeout")
    jobs = config.get("jobs") or 1
    parallel = [
        (
            "Parallel trials",
            f"{fmt_count(jobs)} at once: which trial got which settings depended on timing, "
            "so the same seed gives a similar search, not the identical one",
        )
    ]
    return [
        ("Template", f"{results.vertical_title} ({results.vertical})"),
        ("Random seed", fmt_text(config.get("seed"))),
        *(parallel if jobs > 1 else []),
        ("Search strategy", _strategy(results)),
        ("Model family", results.model_words),
        (
            "Trials",
            f"{fmt_count(requested) if requested else 'no fixed number'} requested; "
            + _trial_counts(results),
        ),
        ("Time limit", fmt_duration(timeout) if timeout else "none"),
        ("Pruner", fmt_text(config.get("pruner"))),
        (
            "Data",
            f"{fmt_count(data.get('rows'))} rows × {fmt_count(data.get('columns'))} columns, "
            f"fingerprint {fmt_text(data.get('fingerprint'))}",
        ),
        ("Library versions", fmt_text(results.versions)),
    ]


def stability_facts(results: Results) -> list[tuple[str, str]]:
    """PSI of the scores from development to the latest rows, with its traffic light."""
    psi = (results.stability or {}).get("psi")
    if psi is None or not math.isfinite(psi):
        return []
    light = "stable" if psi < 0.1 else "some shift: check" if psi < 0.25 else "major shift"
    return [
        ("Population stability index", f"{fmt_number(psi)} ({light})"),
        ("Compared", "scores of the development rows with the latest (hold-out) rows"),
    ]
