"""Diagnosis metrics and their translation into clinical decisions.

The study minimises log-loss, a proper scoring rule that rewards calibrated risks
as well as ranking (van Calster et al. 2019). On the hold-out the report adds
AUROC, PR AUC, the Brier score, calibration (by risk band, slope and intercept),
and the clinical layer:

* an operating threshold chosen AFTER tuning, on the out-of-fold predictions of the
  development rows, as the one with the lowest expected cost
  `miss_cost × P(missed case) + P(false alarm)` at the deployment prevalence;
* sensitivity and specificity at that threshold on the hold-out, and PPV / NPV
  recomputed at the deployment prevalence by Bayes' rule;
* cases caught, cases missed, false alarms and correctly reassured patients per
  1,000 patients at that prevalence;
* 95% intervals for each of these (`intervals`: exact Clopper–Pearson, or a bootstrap
  over patients when rows repeat them), stated beside the figure (TRIPOD item 16);
* a decision curve: the net benefit of the model against treating everyone or no
  one, over threshold probabilities from 1% to 50% (Vickers & Elkin 2006);
* AUROC, sensitivity and specificity by subgroup, with group sizes.

The deployment prevalence is `--prevalence` when given, else the sample's own.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from tuneplate.plugin import (
    HOLDOUT_SAMPLE,
    METRICS,
    Assumption,
    Card,
    DecisionIntervals,
    Evaluation,
    Headline,
    Outcome,
    ReasonWords,
    Role,
    Table,
    TableKey,
    at_prevalence,
    calibration,
    calibration_bands,
    count_interval,
    decision_intervals,
    net_benefit_interval,
    readable_groups,
    share_interval,
    validator,
)

# scikit-learn and SciPy are imported inside the functions that use them: the command
# line loads every vertical to list its options, and `tuneplate --help` need not wait.

OBJECTIVE = METRICS["log_loss"]

# Reason codes (`tuneplate explain`, the exported `score.py --reasons`): a patient is
# flagged when the risk is at or above the threshold (`rates`), and a clinician reads
# the inputs that raised the risk as the patient's main risk factors.
REASONS = ReasonWords(
    risky="flagged",
    clear="not flagged",
    inclusive=True,
    score="risk",
    raises="raises the risk",
    relief="lowers the risk least; the average risk is above the threshold",
    title="main risk factors",
)

ASSUMPTIONS: dict[str, Any] = {
    "miss_cost": 10.0,  # a missed case is this many times as bad as a false alarm
    "prevalence": None,  # deployment prevalence; None = the sample's own
}

# Threshold probabilities of the decision curve: fine where screening decisions live.
DECISION_THRESHOLDS = (
    *(k / 100 for k in range(1, 11)),
    *(k / 100 for k in range(15, 51, 5)),
)
MIN_GROUP_PATIENTS = 30  # subgroups below these sizes are shown but not judged
MIN_GROUP_EVENTS = 5
MIN_NAMED = 10  # text levels with fewer hold-out patients are pooled as "other"
MAX_LEVELS = 12  # text subgroups beyond this many levels pool the rarest as "other"
TOO_SMALL, ENOUGH = "too small to judge", "enough to judge"
SENSITIVITY_INTERVAL = "Sensitivity: 95% interval"
SPECIFICITY_INTERVAL = "Specificity: 95% interval"
WITHHELD = f"fewer than {MIN_NAMED} patients: counts withheld"
COVERING = "withheld: its counts and figures would give a smaller group's by subtraction"
# Reader-facing column labels, each written once: the tables' `roles` point the report's
# charts at them, so a label can be reworded without losing a chart.
THRESHOLD_P, MODEL, TREAT_ALL, TREAT_NONE = (
    "Threshold probability",
    "Model",
    "Treat all",
    "Treat none",
)
MODEL_INTERVAL = "Model: 95% interval"
PREDICTED, OBSERVED = "Mean predicted risk", "Observed rate"
PER_1000_PATIENTS = "Per 1,000 patients"
INTERVAL = "95% interval"
NO_REWEIGHTING = (
    "No class reweighting or resampling was used: it distorts predicted risks, and the "
    "operating threshold does the balancing instead."
)


# --------------------------------------------------------------------------- assumptions


DECLARED = (
    Assumption(
        "prevalence",
        "the share of patients with the condition where the model is used, e.g. 0.02 for 2%",
        low=0,
        high=1,
        high_open=True,
        optional=True,  # None: the sample's own
        flag="--prevalence",
    ),
    Assumption(
        "miss_cost",
        "the miss cost: how many false alarms one missed case is worth, e.g. 10",
        low=0,
        flag="--miss-cost",
    ),
)
_validate = validator("diagnosis", DECLARED)


def validate(assumptions: Mapping[str, Any]) -> None:
    """Refuse an unknown key, a prevalence outside (0, 1) or a miss cost not above 0.

    Example:
        >>> validate({"prevalence": 1.5, "miss_cost": 10})
        Traceback (most recent call last):
        TuneplateError: prevalence (the share of patients ...) must be a number above 0 ...
    """
    _validate(assumptions)


# ------------------------------------------------------------------ Bayes and expected cost


def ppv(sensitivity: float, specificity: float, prevalence: float) -> float:
    """Positive predictive value at a prevalence: Se·p / (Se·p + (1−Sp)(1−p)).

    Example:
        >>> round(ppv(0.9, 0.95, 0.02), 4)
        0.2687
    """
    flagged = sensitivity * prevalence + (1 - specificity) * (1 - prevalence)
    return sensitivity * prevalence / flagged if flagged > 0 else math.nan


def npv(sensitivity: float, specificity: float, prevalence: float) -> float:
    """Negative predictive value at a prevalence: Sp(1−p) / (Sp(1−p) + (1−Se)p).

    Example:
        >>> round(npv(0.9, 0.95, 0.02), 4)
        0.9979
    """
    cleared = specificity * (1 - prevalence) + (1 - sensitivity) * prevalence
    return specificity * (1 - prevalence) / cleared if cleared > 0 else math.nan


def per_1000(sensitivity: float, specificity: float, prevalence: float) -> dict[str, float]:
    """What happens to 1,000 patients at this prevalence, sensitivity and specificity.

    Example:
        >>> per_1000(0.9, 0.95, 0.02)
        {'caught': 18.0, 'missed': 2.0, 'false_alarms': 49.0, 'reassured': 931.0}
    """
    cases, others = 1000 * prevalence, 1000 * (1 - prevalence)
    return {
        "caught": cases * sensitivity,
        "missed": cases * (1 - sensitivity),
        "false_alarms": others * (1 - specificity),
        "reassured": others * specificity,
    }


def rates(y: np.ndarray, score: np.ndarray, threshold: float) -> tuple[float, float]:
    """Sensitivity and specificity when patients with `score >= threshold` are flagged."""
    y, flagged = np.asarray(y), np.asarray(score) >= threshold
    pos, neg = y == 1, y == 0
    se = flagged[pos].mean() if pos.any() else math.nan
    sp = (~flagged[neg]).mean() if neg.any() else math.nan
    return float(se), float(sp)


def expected_cost(
    sensitivity: float, specificity: float, prevalence: float, miss_cost: float
) -> float:
    """Expected cost per patient, in units of one false alarm.

    Example:
        >>> expected_cost(0.9, 0.95, 0.02, 10)  # 10 × 0.02 × 0.1 + 0.98 × 0.05
        0.069
    """
    return round(
        miss_cost * prevalence * (1 - sensitivity) + (1 - prevalence) * (1 - specificity), 12
    )


def choose_threshold(
    y: np.ndarray, score: np.ndarray, prevalence: float, miss_cost: float
) -> float:
    """The threshold with the lowest expected cost on these (validation) predictions.

    Candidates lie halfway between consecutive distinct scores, plus 0 (flag
    everyone) and just above the highest score (flag no one). Sensitivity and
    specificity do not depend on prevalence, so they are measured here and
    re-weighted at the deployment `prevalence`; ties go to the lower threshold,
    which misses fewer cases.

    Example:
        >>> choose_threshold(np.array([0, 0, 1, 1]), np.array([0.1, 0.4, 0.35, 0.8]), 0.5, 1.0)
        0.225
    """
    y, score = np.asarray(y), np.asarray(score, dtype=float)
    n_pos, n_neg = int((y == 1).sum()), int((y == 0).sum())
    if not n_pos or not n_neg:
        raise ValueError("choosing a threshold needs both outcomes among the validation rows")
    values, inverse = np.unique(score, return_inverse=True)
    # Patients at or below each distinct score: the ones a threshold just above it clears.
    pos_le = np.concatenate([[0], np.cumsum(np.bincount(inverse, weights=y == 1))])
    neg_le = np.concatenate([[0], np.cumsum(np.bincount(inverse, weights=y == 0))])
    thresholds = np.concatenate(
        [[0.0], (values[:-1] + values[1:]) / 2, [np.nextafter(values[-1], np.inf)]]
    )
    sensitivity = 1 - pos_le / n_pos
    specificity = neg_le / n_neg
    cost = miss_cost * prevalence * (1 - sensitivity) + (1 - prevalence) * (1 - specificity)
    best = int(np.argmin(np.round(cost, 12)))
    return float(thresholds[best])


# ------------------------------------------------------------------------ decision curve


def net_benefit(
    y: np.ndarray, score: np.ndarray, threshold: float, prevalence: float | None = None
) -> float:
    """Net benefit of treating patients with risk >= threshold (Vickers & Elkin 2006).

    NB = TP/n − FP/n × pt/(1−pt). With a `prevalence`, TP/n and FP/n are taken at
    that prevalence: Se·p and (1−Sp)(1−p).

    Example:
        >>> net_benefit(np.array([1, 1, 0, 0]), np.array([0.9, 0.4, 0.6, 0.1]), 0.5)
        0.0
    """
    weight = threshold / (1 - threshold)
    se, sp = rates(y, score, threshold)
    p = float(np.mean(y)) if prevalence is None else prevalence
    return float(se * p - (1 - sp) * (1 - p) * weight)


def _nb_words(pair) -> str:
    """A net benefit interval as the table prints it: "0.112 to 0.251" ("" unknown)."""
    if not all(map(math.isfinite, pair)):
        return ""
    return " to ".join(f"{v:.3f}".replace("-", "\u2212") for v in pair)


def treat_all_net_benefit(prevalence: float, threshold: float) -> float:
    """Net benefit of treating everyone: p − (1−p) × pt/(1−pt).

    Example:
        >>> round(treat_all_net_benefit(0.3, 0.1), 4)
        0.2222
    """
    return prevalence - (1 - prevalence) * threshold / (1 - threshold)


def shift_prior(score: np.ndarray, trained_at: float, used_at: float) -> np.ndarray:
    """Risks from a model trained at one prevalence, re-expressed at another.

    Multiplies each risk's odds by the ratio of the two prevalences' odds (the
    standard prior-shift correction; Saerens et al. 2002), with the engine's own
    `at_prevalence`, which explain and an exported score.py use too. Identity when equal.

    Example:
        >>> shift_prior(np.array([0.5]), 0.5, 0.1).round(3)
        array([0.1])
    """
    score = np.clip(np.asarray(score, dtype=float), 1e-12, 1 - 1e-12)
    if trained_at == used_at:
        return score
    return at_prevalence(score, trained_at, used_at)


def decision_curve(
    y: np.ndarray,
    score: np.ndarray,
    prevalence: float | None = None,
    trained_at: float | None = None,
    thresholds: Sequence[float] = DECISION_THRESHOLDS,
    ids: np.ndarray | None = None,
) -> pd.DataFrame:
    """Net benefit of the model, treat-all and treat-none at each threshold probability,
    the model's with its 95% bootstrap interval (`net_benefit_interval`; over patients
    with `ids`).

    Without a `prevalence` the hold-out is taken as it is; with one, TP/n and FP/n
    are taken at that prevalence. Given `trained_at` as well, the model's risks are
    first re-expressed at that prevalence (`shift_prior`).
    """
    if prevalence is not None and trained_at is not None:
        score = shift_prior(score, trained_at, prevalence)
    p = float(np.mean(y)) if prevalence is None else prevalence
    return pd.DataFrame(
        {
            THRESHOLD_P: list(thresholds),
            MODEL: [net_benefit(y, score, t, prevalence) for t in thresholds],
            MODEL_INTERVAL: [
                _nb_words(net_benefit_interval(y, score >= t, t, prevalence, ids))
                for t in thresholds
            ],
            TREAT_ALL: [treat_all_net_benefit(p, t) for t in thresholds],
            TREAT_NONE: [0.0] * len(thresholds),
        }
    )


# --------------------------------------------------------------------------- calibration


def calibration_table(y: np.ndarray, risk: np.ndarray, counted: str = "Patients") -> pd.DataFrame:
    """Predicted vs observed rate per risk band (equal-sized bands, lowest risk first);
    `counted` names the count column ("Rows" when rows repeat patients)."""
    return calibration_bands(y, risk).set_axis(["Risk band", counted, PREDICTED, OBSERVED], axis=1)


def calibration_slope_intercept(y: np.ndarray, risk: np.ndarray) -> tuple[float, float]:
    """Calibration slope (1 is ideal) and calibration-in-the-large (0 is ideal).

    The slope comes from a logistic regression of the outcome on the logit of the
    risk; the intercept from the same regression with the slope fixed at 1
    (van Calster et al. 2019). Found by Newton's method; NaN when it does not settle,
    e.g. on perfectly separated outcomes.

    Example:
        >>> calibration_slope_intercept(y, risk)
        (0.93, 0.05)
    """
    fit = calibration(y, risk)
    return fit.slope, fit.intercept


# ----------------------------------------------------------------------------- subgroups


def subgroup_table(
    rows: pd.DataFrame,
    columns: Sequence[str],
    y: np.ndarray,
    score: np.ndarray,
    threshold: float,
    ids: np.ndarray | None = None,
    bands: Mapping[str, Sequence[float]] | None = None,
) -> pd.DataFrame:
    """AUROC, sensitivity and specificity per group, with group sizes.

    Every group is listed; one with fewer than 30 patients, or fewer than 5 with or
    without the condition, is marked "too small to judge" and gets no figures. Text
    levels of fewer than 10 patients are pooled as "other"; a group still under 10 (a
    "missing" group, a numeric band, a small "other") is listed with its counts withheld
    (NaN, `WITHHELD`): a count of a handful of patients tells their outcomes (small-cell
    suppression, as in CMS's cell-size suppression policy: no cell of 1 to 10). When the
    withheld groups of a column hold fewer than 10 patients in all, the smallest other
    group is withheld too (`COVERING`; its sensitivity and specificity would give its
    counts), so that no subtraction from the hold-out's totals gives them. With
    `ids` (the `--group` id of each row: several rows per patient), "Patients" and "With
    the condition" count distinct patients (with the condition on any of their rows),
    and the size and pooling rules judge patients, not rows.

    Example:
        >>> table = subgroup_table(rows, ["sex", "age"], y, risk, threshold=0.2)
        >>> list(table.columns)[:4]
        ['Column', 'Group', 'Patients', 'With the condition']
    """
    from sklearn.metrics import roc_auc_score

    out = []
    y, score = np.asarray(y), np.asarray(score)
    for col in columns:
        # Levels of fewer than MIN_NAMED patients are pooled: a named group of two
        # patients says too much about them. Larger groups under the judging
        # thresholds are listed and marked too small to judge.
        groups = readable_groups(
            rows[col].reset_index(drop=True),
            max_levels=MAX_LEVELS,
            min_size=MIN_NAMED,
            edges=(bands or {}).get(col),  # the run's bands when validating new rows
        )
        if ids is not None:  # the pooling rule counts patients, not their visits
            per_level = pd.Series(ids).groupby(groups.to_numpy()).nunique()
            few = per_level.index[per_level < MIN_NAMED].difference(["missing"])
            groups = groups.where(~groups.isin(few), "other")
        order = sorted(groups.unique(), key=_group_order)
        masks = {g: (groups == g).to_numpy() for g in order}
        sizes = {g: len(set(ids[m])) if ids is not None else int(m.sum()) for g, m in masks.items()}
        withheld = {g for g in order if sizes[g] < MIN_NAMED}
        covering = None
        if withheld and sum(sizes[g] for g in withheld) < MIN_NAMED and len(withheld) < len(order):
            # The whole hold-out's counts are in the report: one small group's counts would
            # be its total minus the others'. Withholding the smallest other group too
            # leaves only their sum (complementary suppression; Hundepool et al.,
            # Statistical Disclosure Control, Wiley 2012, ch. 5), figures and all: its
            # sensitivity and specificity are fractions of its counts, which they give.
            covering = min((g for g in order if g not in withheld), key=sizes.get)
        for group in order:
            mask = masks[group]
            gy, gs = y[mask], score[mask]
            group_ids = None if ids is None else ids[mask]
            if group in withheld or group == covering:
                why = WITHHELD if group in withheld else COVERING
                out.append({"Column": str(col), "Group": str(group), "Evidence": why})
                continue
            patients = sizes[group]  # distinct patients with --group, else rows
            # with the condition on any of their rows, or not
            cases = int(gy.sum()) if ids is None else len(set(ids[mask & (y == 1)]))
            others = patients - cases
            small = patients < MIN_GROUP_PATIENTS or min(cases, others) < MIN_GROUP_EVENTS
            se, sp = rates(gy, gs, threshold)
            # the same intervals as the operating point's: exact, or over patients
            iv = None if small else decision_intervals(gy, gs >= threshold, gy.mean(), group_ids)
            out.append(
                {
                    "Column": str(col),
                    "Group": str(group),
                    "Patients": patients,
                    "With the condition": cases,
                    "AUROC": math.nan if small else float(roc_auc_score(gy, gs)),
                    "Sensitivity": math.nan if small else se,
                    SENSITIVITY_INTERVAL: "" if iv is None else share_interval(iv.sensitivity),
                    "Specificity": math.nan if small else sp,
                    SPECIFICITY_INTERVAL: "" if iv is None else share_interval(iv.specificity),
                    "Evidence": TOO_SMALL if small else ENOUGH,
                }
            )
    columns = ["Column", "Group", "Patients", "With the condition", "AUROC", "Sensitivity"]
    return pd.DataFrame(
        out,
        columns=[*columns, SENSITIVITY_INTERVAL, "Specificity", SPECIFICITY_INTERVAL, "Evidence"],
    )


def _group_order(label: str) -> tuple:
    """Numeric bands in numeric order ("under 41" first, "56 and over" last), then text;
    "other" and "missing" last.

    Example:
        >>> sorted(["56 and over", "41–47", "under 41", "missing"], key=_group_order)
        ['under 41', '41–47', '56 and over', 'missing']
    """
    text = str(label)
    head = text.removesuffix(" and over").split("–")[0].replace(",", "")
    if text.startswith("under "):
        return (0, -math.inf, "")
    try:
        return (0, float(head), "")
    except ValueError:
        return (2 if label in ("other", "missing") else 1, 0.0, text)


# ------------------------------------------------------------------------------ evaluate

PERCENT = "percent"


def evaluate(outcome: Outcome) -> Evaluation:
    """Hold-out metrics and the clinical translation.

    Example:
        >>> ev = evaluate(outcome)
        >>> ev.headline["threshold"], [t.key for t in ev.tables]
        (0.083, ['operating_point', 'per_1000', 'decision_curve', 'calibration'])
    """
    from sklearn.metrics import average_precision_score, brier_score_loss, log_loss, roc_auc_score

    y, risk = np.asarray(outcome.y), np.asarray(outcome.score, dtype=float)
    where = outcome.sample  # "hold-out", or "validation" for new rows
    valid_y, valid_risk = np.asarray(outcome.valid_y), np.asarray(outcome.valid_score)
    a = {**ASSUMPTIONS, **outcome.assumptions}
    miss_cost = float(a["miss_cost"])
    n_all = len(y) + len(valid_y)
    sample_prevalence = float((y.sum() + valid_y.sum()) / n_all) if n_all else float(y.mean())
    trained_at = float(valid_y.mean()) if len(valid_y) else sample_prevalence
    # the run's own rates when given: under --time the out-of-fold rows are only the
    # later folds, and on new rows (validate) their rate is not the model's
    if outcome.sample_rate is not None:
        sample_prevalence = outcome.sample_rate
    if outcome.fitted_rate is not None:
        trained_at = outcome.fitted_rate
    stated = a.get("prevalence")
    prevalence = sample_prevalence if stated is None else float(stated)
    source = "stated with --prevalence" if stated is not None else "the sample's own"

    # Chosen on the out-of-fold development predictions; the hold-out only measures it.
    has_both = len(valid_y) and 0 < valid_y.mean() < 1
    threshold = choose_threshold(valid_y, valid_risk, prevalence, miss_cost) if has_both else 0.5
    if outcome.threshold is not None:  # validating a frozen model: the run's threshold
        threshold = float(outcome.threshold)
    se, sp = rates(y, risk, threshold)
    pv_pos, pv_neg = ppv(se, sp, prevalence), npv(se, sp, prevalence)
    counts = per_1000(se, sp, prevalence)
    ids = outcome.clusters()  # rows of one patient share a code (--group), else None
    iv = decision_intervals(y, risk >= threshold, prevalence, ids)

    slope, intercept = calibration_slope_intercept(y, risk)
    metrics = {
        "roc_auc": float(roc_auc_score(y, risk)),
        "pr_auc": float(average_precision_score(y, risk)),
        "log_loss": float(log_loss(y, risk, labels=[0, 1])),
        "brier": float(brier_score_loss(y, risk)),
        "calibration_slope": slope,
        "calibration_intercept": intercept,
        "sensitivity": se,
        "specificity": sp,
        "ppv": pv_pos,
        "npv": pv_neg,
    }
    metrics = {k: v for k, v in metrics.items() if math.isfinite(v)}

    prev_text = f"{_share(prevalence)} prevalence ({source})"
    who = _who(len(y), ids, where)
    counted = "Patients" if ids is None else "Rows"
    tables = [
        _operating_table(se, sp, pv_pos, pv_neg, prev_text, threshold, miss_cost, who, iv),
        _per_1000_table(
            y, risk, threshold, counts, prevalence, prev_text, miss_cost, where, who, counted, iv
        ),
        _decision_table(y, risk, stated, trained_at, prevalence, prev_text, miss_cost, where, ids),
        Table(
            TableKey.CALIBRATION,
            "Predicted vs observed rate by risk band",
            calibration_table(y, risk, counted),
            note=(
                f"{where.adjective.capitalize()} {counted.lower()} in equal-sized bands from "
                "lowest to highest predicted risk, at the sample's prevalence "
                f"({np.mean(y):.1%} in the {where.noun}). " + NO_REWEIGHTING
            ),
            formats={counted: "count", PREDICTED: PERCENT, OBSERVED: PERCENT},
            roles={Role.PREDICTED: PREDICTED, Role.OBSERVED: OBSERVED},
        ),
    ]
    group_columns = list(dict.fromkeys((*outcome.roles.subgroups, *outcome.roles.protected)))
    group_columns = [c for c in group_columns if c in outcome.rows.columns]
    if group_columns:
        tables.append(
            _subgroup_table(
                outcome.rows, group_columns, y, risk, threshold, where, ids, outcome.bands
            )
        )

    assumptions = {
        "miss_cost": int(miss_cost) if miss_cost.is_integer() else miss_cost,
        "prevalence": prevalence,
        "prevalence_source": source,
    }
    headline = _headline(
        threshold,
        (se, sp, pv_pos, pv_neg),
        counts,
        (prevalence, source, sample_prevalence),
        miss_cost,
        who,
        tables[2].frame,
        where,
        frozen=outcome.threshold is not None,
        held="patients" if ids is None else "rows (visits)",
        intervals=iv,
    )
    return Evaluation(metrics, tables, assumptions, headline)


def _who(n_rows: int, ids: np.ndarray | None, where) -> str:
    """ "389 hold-out patients", or "389 hold-out rows of 62 patients" when rows repeat them.

    Example:
        >>> _who(389, None, HOLDOUT_SAMPLE), _who(3, np.array(["a", "a", "b"]), HOLDOUT_SAMPLE)
        ('389 hold-out patients', '3 hold-out rows of 2 patients')
    """
    if ids is None:
        return f"{n_rows:,} {where.adjective} patients"
    return f"{n_rows:,} {where.adjective} rows of {len(set(ids)):,} patients"


def _operating_table(se, sp, pv_pos, pv_neg, prev_text, threshold, miss_cost, who, iv) -> Table:
    frame = pd.DataFrame(
        {
            "Measure": [
                "Sensitivity (cases flagged)",
                "Specificity (others cleared)",
                "PPV (flagged who have it)",
                "NPV (cleared who do not)",
            ],
            "Value": [se, sp, pv_pos, pv_neg],
            INTERVAL: [
                share_interval(pair) for pair in (iv.sensitivity, iv.specificity, iv.ppv, iv.npv)
            ],
            "Prevalence used": [
                "none (does not depend on it)",
                "none (does not depend on it)",
                prev_text,
                prev_text,
            ],
        }
    )
    return Table(
        "operating_point",
        f"At the operating threshold: flag a patient when the predicted risk is "
        f"{threshold:.1%} or more",
        frame,
        note=(
            f"The threshold was chosen after tuning, on out-of-fold predictions for the "
            f"development rows, as the one with the lowest expected cost when a missed case "
            f"counts {miss_cost:g} times as much as a false alarm. Sensitivity and specificity "
            f"are measured on the {who}; PPV and NPV follow from "
            f"them by Bayes' rule at the prevalence shown, taken as known. {iv.method}."
        ),
        formats={"Measure": "text", "Value": PERCENT, INTERVAL: "text", "Prevalence used": "text"},
    )


def _per_1000_table(
    y, risk, threshold, counts, prevalence, prev_text, miss_cost, where, who, unit, iv
) -> Table:
    counted = f"{where.adjective.capitalize()} {unit.lower()}"
    # under --group the rates count rows (visits): so do the per-1,000 figures
    per_label = PER_1000_PATIENTS if unit == "Patients" else "Per 1,000 visits"
    flagged = risk >= threshold
    observed = [
        int(np.sum(flagged & (y == 1))),
        int(np.sum(~flagged & (y == 1))),
        int(np.sum(flagged & (y == 0))),
        int(np.sum(~flagged & (y == 0))),
    ]
    frame = pd.DataFrame(
        {
            "Outcome": [
                "Cases caught",
                "Cases missed",
                "False alarms",
                "Correctly reassured",
            ],
            per_label: [
                counts["caught"],
                counts["missed"],
                counts["false_alarms"],
                counts["reassured"],
            ],
            INTERVAL: [count_interval(pair) for pair in iv.per_1000(prevalence).values()],
            counted: observed,
        }
    )
    return Table(
        TableKey.PER_1000,
        f"{per_label} at {_share(prevalence)} prevalence",
        frame,
        note=(
            f"Per-1,000 figures use {prev_text} and the sensitivity and specificity on "
            f"the {where.noun} at the {threshold:.1%} threshold. The last column counts what "
            f"actually happened to the {who} "
            f"({np.mean(y):.1%} with the condition). A missed case is taken to be "
            f"{miss_cost:g} times as bad as a false alarm (--miss-cost). The 95% intervals "
            "carry those of sensitivity and specificity (see the operating point) to 1,000 "
            "patients at that prevalence."
        ),
        formats={"Outcome": "text", per_label: "count", INTERVAL: "text", counted: "count"},
        roles={Role.PER_1000: per_label},
    )


def _decision_table(
    y, risk, stated, trained_at, prevalence, prev_text, miss_cost, where=HOLDOUT_SAMPLE, ids=None
) -> Table:
    # The sample's prevalence needs no shift; a stated one re-expresses the risks first.
    # the sample's own prevalence is passed as None, so that each bootstrap resample of
    # the net benefit's interval takes its own share of cases (the figure is the same)
    frame = decision_curve(
        y,
        risk,
        None if stated is None else prevalence,
        None if stated is None else trained_at,
        ids=ids,
    )
    implied = 1 / (1 + miss_cost)
    shifted = (
        ""
        if stated is None
        else " The model's risks were re-expressed at that prevalence (prior-shift correction) "
        "before applying each threshold."
    )
    return Table(
        TableKey.DECISION_CURVE,
        "Decision curve: net benefit by threshold probability",
        frame,
        note=(
            f"Net benefit = sensitivity × π − (1 − specificity) × (1 − π) × pt/(1 − pt), "
            f"with sensitivity and specificity on the {where.noun} and π the {prev_text} "
            "(true positives/n − false positives/n × pt/(1 − pt) of a population at that "
            f"prevalence).{shifted} A threshold probability pt is the risk "
            "at which one "
            f"would act; the stated miss cost ({miss_cost:g} : 1) corresponds to "
            f"pt = {implied:.1%}. Net benefit is in true positives per "
            + ("visit (rows repeat patients)" if ids is not None else "patient")
            + ". Its 95% "
            "interval is a percentile bootstrap of the "
            + ("patients" if ids is not None else "rows")
            + " (1,000 resamples; Vickers et al., BMC Med Inform Decis Mak 2008), π "
            + ("held at the stated prevalence." if stated is not None else "each resample's own.")
        ),
        formats={
            THRESHOLD_P: PERCENT,
            MODEL: "number",
            MODEL_INTERVAL: "text",
            TREAT_ALL: "number",
            TREAT_NONE: "number",
        },
        roles={
            Role.THRESHOLD: THRESHOLD_P,
            Role.MODEL: MODEL,
            Role.TREAT_ALL: TREAT_ALL,
            Role.TREAT_NONE: TREAT_NONE,
        },
    )


def _subgroup_table(
    rows, columns, y, risk, threshold, where=HOLDOUT_SAMPLE, ids=None, bands=None
) -> Table:
    return Table(
        TableKey.SUBGROUPS,
        "Performance by subgroup",
        subgroup_table(rows, columns, y, risk, threshold, ids, bands),
        note=(
            f"{where.adjective.capitalize()} patients, sensitivity and specificity at the "
            f"{threshold:.1%} threshold. "
            f"Groups with fewer than {MIN_GROUP_PATIENTS} patients, or fewer than "
            f"{MIN_GROUP_EVENTS} with or without the condition, are listed but too small to "
            f"judge; a group of fewer than {MIN_NAMED} is listed with its counts withheld, "
            "which would tell those patients' outcomes, and so is the next smallest group "
            "when the hold-out's totals would otherwise give them by subtraction. Each "
            "sensitivity and specificity has its 95% interval, found as the operating "
            "point's (exact Clopper–Pearson, or a bootstrap over patients under --group)."
            + (
                " Patients count once per group; one whose rows fall in several groups (a "
                "stage that changed between visits) counts in each."
                if ids is not None
                else ""
            )
        ),
        formats={
            "Column": "text",
            "Group": "text",
            "Patients": "count",
            "With the condition": "count",
            "AUROC": "number",
            "Sensitivity": PERCENT,
            SENSITIVITY_INTERVAL: "text",
            "Specificity": PERCENT,
            SPECIFICITY_INTERVAL: "text",
            "Evidence": "text",
        },
        roles={Role.GROUP: "Group", Role.ATTRIBUTE: "Column"},
    )


def _headline(
    threshold,
    measures,
    counts,
    prevalences,
    miss_cost,
    who,
    curve,
    where=HOLDOUT_SAMPLE,
    frozen=False,
    held="patients",  # what the sample's prevalence counts: "rows (visits)" under --group
    intervals: DecisionIntervals | None = None,
) -> Headline:
    se, sp, pv_pos, pv_neg = measures
    prevalence, source, sample_prevalence = prevalences
    iv = intervals or decision_intervals(np.array([]), np.array([]), prevalence)
    ranges = iv.per_1000(prevalence)

    def ci(key: str) -> str:  # "(95% interval 0 to 55)" beside a per-1,000 figure
        return f"(95% interval {count_interval(ranges[key])})"

    def ci_share(pair) -> str:
        return f"(95% interval {share_interval(pair)})"

    def n(value: float) -> str:
        return f"{value:,.0f}"

    chosen = (
        f"It was chosen on the tuning rows, at {_share(prevalence)} prevalence"
        if not frozen  # validating: the run chose it, at its own prevalence, not this one
        else "It is the run's own threshold, chosen on the run's tuning rows"
    )
    summary = [
        f"Operating threshold: flag a patient when the predicted risk is {threshold:.1%} or "
        f"more. {chosen}, so that one missed case counts as much as {miss_cost:g} false alarms.",
        f"Per 1,000 {'patients' if held == 'patients' else 'visits'} at "
        f"{_share(prevalence)} prevalence ({source}): "
        f"{n(counts['caught'])} cases caught {ci('caught')}, {n(counts['missed'])} missed "
        f"{ci('missed')} and {n(counts['false_alarms'])} false alarms {ci('false_alarms')}; "
        f"{n(counts['reassured'])} are correctly reassured {ci('reassured')}.",
        f"On the {who} the model flags {se:.1%} of cases (sensitivity, "
        f"{share_interval(iv.sensitivity)}) and clears {sp:.1%} of the others (specificity, "
        f"{share_interval(iv.specificity)}); at {_share(prevalence)} prevalence "
        f"{_pct(pv_pos)} of flagged {'patients' if held == 'patients' else 'visits'} "
        "have the condition (PPV, "
        f"{share_interval(iv.ppv)}) and {_pct(pv_neg)} of cleared ones do not (NPV, "
        f"{share_interval(iv.npv)}). {iv.method}.",
    ]
    ratio = max(prevalence, sample_prevalence) / min(prevalence, sample_prevalence)
    if ratio > 2:
        summary.append(
            f"The data hold {sample_prevalence:.1%} {held} with the condition, "
            f"{ratio:.0f} times {'more' if sample_prevalence > prevalence else 'fewer'} than "
            f"the stated {_share(prevalence)}: the model's raw risks are calibrated to the sample, "
            "so recalibrate before quoting them to patients (tuneplate explain and the "
            "exported score.py add probability_at_prevalence, the risks restated at "
            f"{_share(prevalence)} by Bayes' rule)."
        )
    useful = curve[MODEL] > np.maximum(curve[TREAT_ALL], curve[TREAT_NONE]) + 1e-9
    # under --group the rates and the sample's prevalence count rows (visits), not patients
    unit = "patients" if held == "patients" else "visits"
    per = f"Per 1,000 {unit} at {_share(prevalence)} prevalence ({source})"
    cards = (
        Card(
            f"Cases caught per 1,000 {unit} at {_share(prevalence)} prevalence",
            counts["caught"],
            "count",
            f"{per}, 95% interval {count_interval(ranges['caught'])}; sensitivity {se:.1%} "
            f"{ci_share(iv.sensitivity)} on the {where.noun}.",
        ),
        Card(
            f"Cases missed per 1,000 {unit} at {_share(prevalence)} prevalence",
            counts["missed"],
            "count",
            f"{per}, 95% interval {count_interval(ranges['missed'])}: {_missed(iv, where)}; "
            f"a missed case counts as {miss_cost:g} false alarms.",
        ),
        Card(
            f"False alarms per 1,000 {unit} at {_share(prevalence)} prevalence",
            counts["false_alarms"],
            "count",
            f"{per}, 95% interval {count_interval(ranges['false_alarms'])}; specificity "
            f"{sp:.1%} {ci_share(iv.specificity)} on the {where.noun}.",
        ),
    )
    figures = {
        "threshold": threshold,
        "operating_threshold": threshold,  # read back by `tuneplate validate`
        "miss_cost": miss_cost,
        "prevalence": prevalence,
        "prevalence_source": source,
        "sample_prevalence": sample_prevalence,
        "sensitivity": se,
        "specificity": sp,
        "ppv": pv_pos,
        "npv": pv_neg,
        "caught_per_1000": counts["caught"],
        "missed_per_1000": counts["missed"],
        "false_alarms_per_1000": counts["false_alarms"],
        "reassured_per_1000": counts["reassured"],
        "intervals": {
            "sensitivity": list(iv.sensitivity),
            "specificity": list(iv.specificity),
            "ppv": list(iv.ppv),
            "npv": list(iv.npv),
            **{f"{k}_per_1000": list(v) for k, v in ranges.items()},
            "method": iv.method,
        },
        "useful_thresholds": int(useful.sum()),
    }
    concerns = []
    if sp < EVERYONE or se < EVERYONE:  # the cost trade-off left the model nothing to decide
        what = "flags almost every patient" if sp < EVERYONE else "catches almost no case"
        rule = "flagging everyone" if sp < EVERYONE else "flagging no one"
        advice = (
            "the threshold is the run's own; re-run with the miss cost and prevalence "
            "that apply here"
            if frozen
            else "check --miss-cost and --prevalence, or read the decision curve for the "
            "risks where the model helps"
        )
        summary.append(
            f"At this operating point the model {what} (sensitivity {se:.1%}, specificity "
            f"{sp:.1%}): when a missed case counts as {miss_cost:g} false alarms at "
            f"{_share(prevalence)} prevalence, {rule} costs about as little, so the model adds "
            f"little over that rule here; {advice}."
        )
        concerns.append(("caution", f"The operating point {what}: the model adds little "
                         f"over {rule} at this miss cost."))  # fmt: skip
    return Headline(
        summary=tuple(summary),
        concerns=tuple(concerns),
        operating_point=(
            f"flag a patient for further investigation when the predicted risk is "
            f"{threshold:.1%} or more (lowest expected cost when a missed case counts as "
            f"{miss_cost:g} false alarms)."
        ),
        cards=cards,
        decision_threshold=1 / (1 + miss_cost),
        figures=figures,
    )


# Specificity (or sensitivity) below this at the operating point: the threshold flags
# almost everyone (or catches almost no case), and the headline says the model adds
# little over flagging everyone (or no one) there.
EVERYONE = 0.10


def _share(p: float) -> str:
    """A prevalence as a percent with the digits a small one needs: "5.0%", "0.01%"
    (a stated 0.0001 read "0.0% prevalence", and "3400 times more than the stated 0.0%").

    Example:
        >>> _share(0.05), _share(0.0001)
        ('5.0%', '0.01%')
    """
    if math.isfinite(p) and 0 < abs(p) < 0.001:
        return f"{p * 100:.2g}%"
    return f"{p:.1%}"


def _missed(iv: DecisionIntervals, where) -> str:
    """The misses behind the per-1,000 figure, as counted, with the miss rate's interval.

    Example:
        >>> _missed(iv, HOLDOUT_SAMPLE)
        '0 of 23 hold-out cases missed (95% interval for the miss rate 0% to 14.8%)'
    """
    low, high = iv.sensitivity
    rate = share_interval((1 - high, 1 - low))
    if iv.case_patients is not None:  # --group: visits counted, patients resampled
        return (
            f"{iv.missed:,} of {iv.cases:,} {where.adjective} visits with the condition "
            f"missed, from {iv.case_patients:,} patients (95% interval for the miss rate, "
            f"counting patients, {rate})"
        )
    return (
        f"{iv.missed:,} of {iv.cases:,} {where.adjective} cases missed "
        f"(95% interval for the miss rate {rate})"
    )


def _pct(value: float) -> str:
    return "—" if not math.isfinite(value) else f"{value:.1%}"
