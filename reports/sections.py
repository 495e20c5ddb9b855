"""Plain data for the report sections, prepared in Python so templates only lay it out.

Anything that decides (what to show, which rows, which thresholds) lives here or in
`verdict.py`; the templates loop and print.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Any

import pandas as pd

from tuneplate.engine.data.checks import Finding
from tuneplate.engine.results import Results, Role, Table, TableKey
from tuneplate.reports.figures import column
from tuneplate.reports.formatters import (
    assumption_kind,
    fmt_cell,
    fmt_count,
    fmt_duration,
    fmt_label,
    fmt_number,
    fmt_param,
    fmt_text,
)
from tuneplate.reports.verdict import chance_score, difference_text, versus_sentence

SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}
BEST_TRIALS = 5
MONITOR_DROP = 0.05  # review when the live score is this share worse than the hold-out
PSI_MAJOR = 0.25  # population stability index: "major shift" rule of thumb
CALIBRATION_DRIFT = 0.05  # observed vs predicted rate in a band, in absolute terms


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


def shown(results: Results) -> Results:
    """The results whose business figures the report shows: `results` itself, or, when the
    tuned model did not clearly beat the simple baseline and the run evaluated it, `results`
    with the baseline's headline, tables and hold-out metrics (the recommended model's).

    Example:
        >>> shown(results).headline.cards[0].value  # the baseline's profit when recommended
        33833.3
    """
    base = results.baseline
    if not base.recommended or base.headline is None:
        return results
    return replace(
        results,
        headline=base.headline,
        tables=list(base.tables),
        holdout_metrics=base.metrics,
        holdout=base.holdout,
        holdout_interval=None,  # the run bootstraps the tuned model's score and the difference
    )


def findings(results: Results) -> list[Finding]:
    """Data-check findings, errors first.

    Example:
        >>> [f.severity for f in findings(results)]
        ['error', 'warning', 'info']
    """
    return sorted(
        results.findings, key=lambda f: SEVERITY_ORDER.get(f.severity, len(SEVERITY_ORDER))
    )


def table_columns(table: Table) -> list[tuple[str, str]]:
    """(label, format) per column; a column without a format gets one from its dtype.

    Example:
        >>> table_columns(Table("t", "T", pd.DataFrame({"n": [1], "x": [0.5]})))
        [('n', 'count'), ('x', 'number')]
    """
    out = []
    for label, dtype in table.frame.dtypes.items():
        kind = table.formats.get(str(label))
        if kind is None:
            kind = {"i": "count", "u": "count", "f": "number"}.get(dtype.kind, "text")
        out.append((str(label), kind))
    return out


def table_rows(table: Table) -> list[tuple]:
    """The rows as tuples of cell values, in column order."""
    return list(table.frame.itertuples(index=False, name=None))


def business_tables(results: Results) -> list[Table]:
    """The tables for the business section: every table without a place of its own.

    Example:
        >>> [t.key for t in business_tables(results)]
        ['cutoffs']
    """
    elsewhere = (*RELIABILITY_TABLES, *APPENDIX_TABLES)
    results = shown(results)
    return [t for t in results.tables if t.key not in elsewhere and not _is_group_table(t.key)]


def decision_curve_caption(results: Results) -> str:
    """One sentence on where the model beats treating everyone and treating no one.

    Reads the "decision_curve" table; empty when there is none.

    Example:
        >>> decision_curve_caption(results)
        'At every threshold probability from 1% to 50%, acting on the model does more good ...'
    """
    table = results.table(TableKey.DECISION_CURVE)
    model_col = None if table is None else column(table, Role.MODEL)
    if table is None or table.frame.empty or model_col is None:
        return ""
    frame = table.frame
    x = pd.to_numeric(frame.iloc[:, 0], errors="coerce")
    model = pd.to_numeric(frame[model_col], errors="coerce")
    rivals = [column(table, r) for r in (Role.TREAT_ALL, Role.TREAT_NONE)]
    others = [pd.to_numeric(frame[c], errors="coerce") for c in rivals if c is not None]
    best_default = pd.concat(others, axis=1).max(axis=1) if others else 0.0
    useful = (model > best_default + 1e-9).to_numpy()
    low, high = fmt_cell(x.min(), "percent"), fmt_cell(x.max(), "percent")
    if useful.all():
        return (
            f"At every threshold probability from {low} to {high}, acting on the model does "
            "more good than treating everyone or no one."
        )
    if not useful.any():
        return (
            f"At no threshold probability from {low} to {high} does acting on the model do "
            "more good than treating everyone or no one: do not use it to decide."
        )
    where = x[useful]
    return (
        f"Acting on the model does more good than treating everyone or no one at "
        f"{useful.sum()} of the {len(useful)} threshold probabilities shown, from "
        f"{fmt_cell(where.min(), 'percent')} to {fmt_cell(where.max(), 'percent')}; elsewhere "
        "a simple policy does as well."
    )


def currency(results: Results) -> str:
    return str(results.assumptions.get("currency", ""))


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
    for name, value in shown(results).holdout_metrics.items():
        info = METRICS.get(name, MetricInfo(fmt_label(name), "number", ""))
        rows.append((info.label, fmt_cell(value, info.kind), info.meaning))
    return rows


def best_params(results: Results) -> list[tuple[str, str]]:
    """The chosen hyperparameters, exact enough to reproduce.

    Example:
        >>> best_params(results)[0]
        ('learning_rate', '0.0507')
    """
    return [(str(k), fmt_param(v)) for k, v in results.best_params.items()]


def best_trials(results: Results, n: int = BEST_TRIALS) -> Table | None:
    """Train vs validation score of the best `n` completed trials: the overfitting check.

    A large train-minus-validation gap means the setting memorised its training folds.

    Example:
        >>> best_trials(results).frame.columns.tolist()
        ['Trial #', 'Validation', 'Train', 'Train − validation', 'Duration']
    """
    trials = results.trials
    if trials is None or not {"number", "state", "value"} <= set(trials.columns):
        return None
    done = trials[trials["state"].astype("string") == "COMPLETE"].copy()
    done["value"] = pd.to_numeric(done["value"], errors="coerce")
    done = done[done["value"].notna()]
    if done.empty:
        return None
    ascending = results.metric.direction != "maximize"
    top = done.sort_values(["value", "number"], ascending=[ascending, True]).head(n)
    train = pd.to_numeric(top.get("train", pd.Series(math.nan, index=top.index)), errors="coerce")
    duration = pd.to_numeric(
        top.get("duration_s", pd.Series(math.nan, index=top.index)), errors="coerce"
    )
    frame = pd.DataFrame(
        {
            "Trial #": top["number"].astype(int).to_numpy(),  # Optuna's, as everywhere
            "Validation": top["value"].to_numpy(dtype=float),
            "Train": train.to_numpy(dtype=float),
            "Train − validation": (train - top["value"]).to_numpy(dtype=float),
            "Duration": duration.to_numpy(dtype=float),
        }
    )
    formats = {"Trial #": "count", "Validation": "number", "Train": "number"}
    formats |= {"Train − validation": "number", "Duration": "duration"}
    return Table(
        "best_trials",
        f"The {len(frame)} best settings: training vs cross-validated score",
        frame,
        note=f"{results.metric.label}; a large train − validation gap is a sign of overfitting.",
        formats=formats,
    )


def families(results: Results) -> Table | None:
    """Trials and best cross-validated score per model family, for `auto` runs.

    Example:
        >>> families(results).frame.columns.tolist()
        ['Model family', 'Trials', 'Completed', 'Best score', 'Chosen']
    """
    trials = results.trials
    if trials is None or "family" not in trials or trials["family"].dropna().empty:
        return None
    maximize = results.metric.direction == "maximize"
    rows = []
    for name, group in trials.groupby("family", sort=False):
        done = group[group["state"].astype("string") == "COMPLETE"]
        values = pd.to_numeric(done["value"], errors="coerce").dropna()
        best = (values.max() if maximize else values.min()) if len(values) else math.nan
        chosen = "yes" if name == results.model_family else ""
        rows.append((str(name), len(group), len(done), float(best), chosen))
    columns = ["Model family", "Trials", "Completed", "Best score", "Chosen"]
    frame = pd.DataFrame(rows, columns=columns)
    return Table(
        "families",
        "Model families tried",
        frame,
        note=f"Best {results.metric.label} (cross-validated) per family; the search gave "
        "more trials to the families scoring best, after a few cheap ones each.",
        formats={"Trials": "count", "Completed": "count", "Best score": "number"},
    )


def monitoring(results: Results, groups: list[Table] | None = None) -> list[str]:
    """Triggers that should send the model back for review once it is in use.

    `groups`: the group tables when the caller has them (a render's `View`).

    Example:
        >>> monitoring(results)[0]
        'ROC AUC on newly labelled cases falls below 0.729 (5% under the hold-out 0.767).'
    """
    out = []
    metric, holdout = results.metric, results.holdout
    groups = group_tables(results) if groups is None else groups
    trigger = monitoring_trigger(results)
    if trigger is not None:
        maximize = metric.direction == "maximize"
        moves, side = ("falls below", "under") if maximize else ("rises above", "over")
        out.append(
            f"{metric.label} on newly labelled cases {moves} {fmt_number(trigger)} "
            f"({MONITOR_DROP:.0%} {side} the hold-out {fmt_number(holdout)})."
        )
    out.append(
        f"The scores of new cases drift from those seen here: population stability index above "
        f"{PSI_MAJOR} (the usual rule of thumb for a major shift)."
    )
    share = results.data.get("positive_share")
    if isinstance(share, int | float) and math.isfinite(share):
        out.append(
            f"The observed rate of '{results.data.get('positive', 'the event')}' moves well away "
            f"from the {fmt_cell(share, 'percent')} in the data used here."
        )
    if results.table(TableKey.CALIBRATION) is not None:
        out.append(
            f"In any score band, the observed rate moves more than {100 * CALIBRATION_DRIFT:.0f} "
            "percentage points away from the predicted one: the probabilities need "
            "recalibrating."
        )
    if any(column(t, Role.ADVERSE_IMPACT) for t in groups):
        out.append(
            "Any group's adverse impact ratio at the operating point falls below 0.8, or a "
            "flagged group's falls further."
        )
    elif groups:
        out.append("Any subgroup's results fall clearly below the others' shown here.")
    out.append("A business assumption above changes, or the way decisions use the score does.")
    return out


def monitoring_trigger(results: Results) -> float | None:
    """The live score that should send the model back: MONITOR_DROP worse than the hold-out."""
    if not math.isfinite(results.holdout):
        return None
    maximize = results.metric.direction == "maximize"
    return results.holdout * (1 - MONITOR_DROP if maximize else 1 + MONITOR_DROP)


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
    return [(label, fmt_cell(d[key], None)) for key, label in labels.items() if key in d]


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
    family = results.model_family
    if chosen_among:
        family = f"{family} (chosen by the search among {', '.join(chosen_among)})"
    facts = [
        ("Model family", family),
        ("Search strategy", _strategy(results)),
        ("Score optimised", f"{results.metric.label} ({better} is better)"),
        ("Settings tried", _trial_counts(results)),
        ("Search time", fmt_duration(results.timings.get("search_s"))),
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
        ("Model family", results.model_family),
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


PERFECT = {"roc_auc": 1.0, "pr_auc": 1.0, "log_loss": 0.0, "brier": 0.0}
OVERFIT_SHARE = 0.5  # training skill exceeding cross-validated skill by half or more
UNDERFIT_SHARE = 0.1  # cross-validated skill under a tenth of the way from chance to perfect


def fit_diagnosis(results: Results) -> str:
    """Over- or underfitting, in words, from the training, cross-validated and chance scores.

    Example:
        >>> fit_diagnosis(results)
        'Training and cross-validated scores are close: no sign of over- or underfitting.'
    """
    name = results.metric.name
    chance = chance_score(name, float(results.data.get("positive_share", math.nan)))
    perfect = PERFECT.get(name, math.nan)
    train, valid = results.train, results.validation
    if not all(math.isfinite(v) for v in (chance, perfect, train, valid)):
        return ""
    span = perfect - chance  # signed: the direction in which the metric improves
    valid_skill, train_skill = (valid - chance) / span, (train - chance) / span
    if valid_skill < UNDERFIT_SHARE:
        return (
            "Cross-validated scores are close to chance: the model may be too simple, or the "
            "features carry little signal about the outcome."
        )
    if train_skill - valid_skill > OVERFIT_SHARE * valid_skill:
        return (
            "The chosen model fits its training rows much better than new rows: likely "
            "overfitting. Stronger regularisation or simpler models may generalise better; "
            "trust the hold-out score."
        )
    return "Training and cross-validated scores are close: no sign of over- or underfitting."


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


def comparison_rows(results: Results) -> list[tuple[str, str, str]]:
    """The tuned model beside the vertical's baseline and, when given, a previous run."""
    base = results.baseline
    recommended = " (recommended)" if base.recommended else ""
    tuned = " (recommended)" if base.decision == "better" else ""
    rows = [(f"This run: {results.model_family}{tuned}", "tuned", fmt_number(results.holdout))]
    if base.get("holdout") is not None:
        rows.append(
            (
                f"Baseline: {base['family']}{recommended}",
                "default settings",
                fmt_number(base["holdout"]),
            )
        )
    prev = results.previous or {}
    if prev.get("holdout") is not None:
        same = prev.get("fingerprint") == results.data.get("fingerprint")
        data = "same data" if same else "different data"
        rows.append(
            (f"Previous run: {prev.get('model_family', '?')}", data, fmt_number(prev["holdout"]))
        )
    return rows


def comparison_sentence(results: Results) -> str:
    """What the tuned model gained over the baseline on the hold-out, honestly worded.

    With the run's paired comparison, the decision summary's own sentence and the same
    difference and interval (`verdict.difference_text`), and how it was worked out.
    """
    if difference_text(results):
        return (
            f"{versus_sentence(results, summary=False)} The difference is paired: both models "
            "scored the same "
            f"{fmt_count(results.data.get('holdout_rows'))} hold-out rows, resampled together "
            "for the interval; the tuned model is recommended only when the whole interval "
            "is in its favour."
        )
    base = (results.baseline or {}).get("holdout")
    if base is None or not math.isfinite(results.holdout):
        return ""
    sign = 1 if results.metric.direction == "maximize" else -1
    gain = sign * (results.holdout - base)
    rows = results.data.get("holdout_rows")
    label = results.metric.label
    if abs(gain) < 0.005:
        return (
            f"The tuned model and the baseline score about the same {label} on the hold-out; "
            f"a difference this small can be chance on {fmt_count(rows)} rows."
        )
    better = "better" if gain > 0 else "worse"
    return (
        f"The tuned model scores {better} than the baseline on the hold-out "
        f"({label} {fmt_number(results.holdout)} against {fmt_number(base)})."
    )


def intended_use(results: Results) -> dict[str, str]:
    """What the model is for and not for: the analyst's words first, then the vertical's.

    The vertical's words come from `results.about`, copied at run time, never from the
    installed verticals: a re-render shows what the run recorded, or nothing.
    """
    return {
        "purpose": results.purpose,
        "intended": results.about.intended_use,
        "out_of_scope": results.about.out_of_scope,
    }


# ------------------------------------------------------------------ decision summary

CARD_KINDS = ("money", "percent", "count", "number", "text")
MAX_CARDS = 3


@dataclass(frozen=True)
class ShownCard:
    """One headline number for the decision summary, formatted, with its assumption."""

    label: str
    value: str
    assumption: str


def headline_cards(results: Results) -> list[ShownCard]:
    """The vertical's headline numbers in business units, each with its assumption.

    Reads `headline.cards` (`Card` records the vertical fills, so `results.json`
    carries them); a card's `format` is a table-cell kind. Cards without a label were
    dropped when the headline was read; at most three are shown.

    Example:
        >>> headline_cards(results)[0]
        ShownCard(label='Profit per 1,000 applicants', value='€47,250', assumption='Margin…')
    """
    out = []
    for card in shown(results).headline.cards:  # the recommended model's
        kind = card.format if card.format in CARD_KINDS else None
        value = fmt_cell(card.value, kind, currency(results))
        out.append(ShownCard(fmt_text(card.label), value, fmt_text(card.assumption)))
    return out[:MAX_CARDS]


def operating_point(results: Results) -> str:
    """The recommended operating point in one sentence, as the vertical words it."""
    text = shown(results).headline.operating_point
    return fmt_text(text) if text else ""


# ---------------------------------------------------------------------- where tables go

# Subgroup tables (fairness, performance by group) have a section of their own; the
# calibration table goes to reliability; long curves behind a chart go to the appendix.
GROUP_TABLES = (TableKey.FAIRNESS, TableKey.SUBGROUPS, TableKey.SEGMENTS)
RELIABILITY_TABLES = (TableKey.CALIBRATION,)
APPENDIX_TABLES = (TableKey.DECISION_CURVE,)


def group_tables(results: Results) -> list[Table]:
    """Tables that break performance or decisions down by group, in that order."""
    return [t for t in results.tables if _is_group_table(t.key)]


def _is_group_table(key: str) -> bool:
    return any(key == k or key.startswith(f"{k}_") for k in GROUP_TABLES)


def appendix_tables(results: Results) -> list[Table]:
    """Full tables shown in the main body as a chart only."""
    return [t for t in results.tables if t.key in APPENDIX_TABLES]  # behind the charts


# ------------------------------------------------------------------------ reliability


def holdout_sentence(results: Results) -> str:
    """Validation vs untouched hold-out, in words (the same words the verdict uses).

    A render reads it from its `View` (worked out once); this is for a lone caller.
    """
    from tuneplate.reports.verdict import _gap_reason, holdout_drop

    return _gap_reason(results, holdout_drop(results))[1]


def calibration_sentence(results: Results) -> str:
    """Calibration slope and intercept in words, when the vertical measured them."""
    slope = results.holdout_metrics.get("calibration_slope")
    if not isinstance(slope, int | float) or not math.isfinite(slope):
        return ""
    if 0.8 <= slope <= 1.2:
        verdict = "within 0.8–1.2, so the predicted risks are neither too extreme nor too timid"
    elif slope < 0.8:
        verdict = "below 0.8: the predicted risks are too extreme (too close to 0% and 100%)"
    else:
        verdict = "above 1.2: the predicted risks are too timid (bunched towards the middle)"
    return f"Calibration slope {fmt_number(slope)}, {verdict}."


# ------------------------------------------------------------------------------ appendix


def tuned_parameters(results: Results) -> list[str]:
    """Names of the hyperparameters the search varied (from the trials table)."""
    trials = results.trials
    if trials is None:
        return []
    names = [str(c)[len("params_") :] for c in trials.columns if str(c).startswith("params_")]
    varied = []
    for name in names:
        values = trials[f"params_{name}"].dropna()
        if values.nunique() > 1:
            varied.append(name)
    return varied


# ----------------------------------------------------------------------------- outline


@dataclass(frozen=True)
class Part:
    """A report section that has something to show: its anchor, title and template."""

    id: str
    title: str
    template: str


def outline(results: Results, context: dict[str, Any]) -> list[Part]:
    """The sections of this report in the fixed reading order; empty ones left out.

    The same list drives the table of contents and the page, so they always match.
    Presence follows what `results` holds, never the vertical's name.

    Example:
        >>> [p.id for p in outline(results, context)]
        ['verdict', 'purpose', 'data-health', 'performance', 'reliability', 'fairness', ...]
    """
    charts = context["charts"]
    use = context["intended_use"]
    present = {
        "verdict": True,
        "purpose": bool(use["purpose"] or use["intended"] or use["out_of_scope"]),
        "data-health": True,
        "performance": bool(
            context["business_tables"]
            or context["metrics"]
            or charts.get("approval")
            or charts.get("decision_curve")
        ),
        "reliability": bool(
            math.isfinite(results.holdout)
            or math.isfinite(results.validation)
            or results.table(TableKey.CALIBRATION) is not None
            or context["stability"]
            or context["best_trials"] is not None
        ),
        "fairness": bool(context["group_tables"]),
        "baseline": len(context["comparison"]) > 1,
        "limits": True,
        "appendix": True,
        "glossary": bool(context["glossary"]),
    }
    return [Part(pid, title, template) for pid, title, template in PARTS if present[pid]]


PARTS = (
    ("verdict", "Decision summary", "sections/verdict.html.jinja2"),
    ("purpose", "What the model is for", "sections/purpose.html.jinja2"),
    ("data-health", "Data health", "sections/data_health.html.jinja2"),
    ("performance", "Performance in business terms", "sections/performance.html.jinja2"),
    ("reliability", "Reliability", "sections/reliability.html.jinja2"),
    ("fairness", "Fairness and subgroups", "sections/fairness.html.jinja2"),
    ("baseline", "Baseline vs challenger", "sections/baseline.html.jinja2"),
    ("limits", "Limitations and monitoring", "sections/limits.html.jinja2"),
    ("appendix", "Appendix for analysts", "sections/appendix.html.jinja2"),
    ("glossary", "Glossary", "sections/glossary.html.jinja2"),
)
