"""Credit-risk metrics and their translation into lending decisions.

The study maximises ROC AUC (reported as Gini = 2·AUC − 1). On the hold-out the
report adds KS, Brier score, calibration by score band, an approval-rate vs
bad-rate table with expected loss and profit, and approval rates by protected
group. Money figures follow from the assumptions the analyst states.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
from sklearn.metrics import brier_score_loss, log_loss, roc_auc_score, roc_curve

from tuneplate.engine.data import Roles
from tuneplate.engine.results import Table
from tuneplate.engine.vertical import Evaluation, Objective

OBJECTIVE = Objective("roc_auc", "ROC AUC", "maximize", roc_auc_score)

ASSUMPTIONS = {
    "loss_given_default": 0.45,  # Basel foundation-IRB LGD for senior unsecured claims
    "exposure": 5000.0,  # average amount owed at default, per loan
    "margin": 0.08,  # net interest and fees earned on a good loan, share of exposure
    "approval_rate": 0.70,  # the operating point the verdict talks about
    "currency": "EUR",
}

APPROVAL_RATES = (0.5, 0.6, 0.7, 0.8, 0.9, 1.0)
MIN_GROUP = 10  # smaller groups are pooled so no table cell describes a handful of people


def ks_statistic(y_true: np.ndarray, y_score: np.ndarray) -> float:
    """Kolmogorov–Smirnov: the widest gap between the score distributions of bads and goods.

    Example:
        >>> ks_statistic(np.array([0, 0, 1, 1]), np.array([0.1, 0.2, 0.8, 0.9]))
        1.0
    """
    fpr, tpr, _ = roc_curve(y_true, y_score)
    return float(np.max(tpr - fpr))


def _approve(y_score: np.ndarray, rate: float) -> tuple[np.ndarray, float]:
    """Approve the `rate` share with the lowest PD; return the mask and the PD cut-off."""
    if rate >= 1:
        return np.ones(len(y_score), bool), float(np.max(y_score))
    cutoff = float(np.quantile(y_score, rate, method="inverted_cdf"))
    return y_score <= cutoff, cutoff


def cutoff_table(y: np.ndarray, pd_: np.ndarray, a: Mapping[str, Any]) -> pd.DataFrame:
    """Approval rate vs bad rate, expected loss and realised profit per 1,000 applicants."""
    lgd, ead, margin = a["loss_given_default"], a["exposure"], a["margin"]
    scale = 1000 / len(y)
    rows = []
    for rate in APPROVAL_RATES:
        ok, cutoff = _approve(pd_, rate)
        bad_in, bad_out = y[ok], y[~ok]
        rows.append(
            {
                "Approval rate": ok.mean(),
                "Approve if PD at most": cutoff,
                "Bad rate among approved": bad_in.mean() if ok.any() else np.nan,
                "Bad rate among declined": bad_out.mean() if (~ok).any() else np.nan,
                "Expected loss per 1,000 applicants": scale * np.sum(pd_[ok] * lgd * ead),
                "Profit per 1,000 applicants": scale
                * (np.sum(1 - bad_in) * margin * ead - np.sum(bad_in) * lgd * ead),
            }
        )
    return pd.DataFrame(rows)


def calibration_table(y: np.ndarray, pd_: np.ndarray) -> pd.DataFrame:
    """Predicted vs observed bad rate per score band (equal-sized bands, lowest risk first)."""
    n_bands = int(np.clip(len(y) // 40, 3, 10))
    bands = pd.qcut(pd.Series(pd_).rank(method="first"), n_bands, labels=False)
    frame = pd.DataFrame({"band": bands, "y": y, "p": pd_})
    grouped = frame.groupby("band").agg(n=("y", "size"), p=("p", "mean"), y=("y", "mean"))
    return pd.DataFrame(
        {
            "Score band": [f"{b + 1} of {n_bands}" for b in grouped.index],
            "Applicants": grouped["n"].to_numpy(),
            "Mean predicted PD": grouped["p"].to_numpy(),
            "Observed bad rate": grouped["y"].to_numpy(),
        }
    )


def _groups(values: pd.Series) -> pd.Series:
    """Readable groups: numbers in quartile bands, rare levels pooled into 'other'."""
    if pd.api.types.is_numeric_dtype(values) and values.nunique() > 8:
        return pd.qcut(values, 4, duplicates="drop").astype("string")
    labels = values.astype("string").fillna("missing")
    counts = labels.value_counts()
    return labels.where(labels.map(counts) >= MIN_GROUP, "other")


def fairness_table(holdout: pd.DataFrame, roles: Roles, approved: np.ndarray) -> pd.DataFrame:
    """Approval rate by protected group and the adverse impact ratio (AIR)."""
    rows = []
    for col in roles.protected:
        groups = _groups(holdout[col].reset_index(drop=True))
        rates = pd.Series(approved).groupby(groups).agg(["size", "mean"])
        rates = rates[rates["size"] >= MIN_GROUP]
        if rates.empty:
            continue
        top = rates["mean"].max()
        for group, row in rates.iterrows():
            rows.append(
                {
                    "Attribute": col,
                    "Group": str(group),
                    "Applicants": int(row["size"]),
                    "Approval rate": row["mean"],
                    "Adverse impact ratio": row["mean"] / top if top > 0 else np.nan,
                }
            )
    return pd.DataFrame(rows)


def evaluate(
    y: np.ndarray,
    pd_: np.ndarray,
    holdout: pd.DataFrame,
    roles: Roles,
    assumptions: Mapping[str, Any],
) -> Evaluation:
    """Hold-out metrics and the lending translation.

    Example:
        >>> ev = evaluate(y_hold, p_hold, holdout_rows, roles, ASSUMPTIONS)
        >>> ev.metrics["gini"], ev.tables[0].key
        (0.56, 'cutoffs')
    """
    a = {**ASSUMPTIONS, **assumptions}
    auc = roc_auc_score(y, pd_)
    metrics = {
        "roc_auc": auc,
        "gini": 2 * auc - 1,
        "ks": ks_statistic(y, pd_),
        "brier": brier_score_loss(y, pd_),
        "log_loss": log_loss(y, pd_, labels=[0, 1]),
        "bad_rate": float(np.mean(y)),
    }
    money = {
        c: "money" for c in ("Expected loss per 1,000 applicants", "Profit per 1,000 applicants")
    }
    cutoffs = cutoff_table(y, pd_, a)
    tables = [
        Table(
            "cutoffs",
            "Approval rate vs bad rate",
            cutoffs,
            note=(
                "Applicants are approved from the lowest predicted PD up. Bad rates and profit are "
                f"what happened to the {len(y):,} hold-out applicants; expected loss = PD × LGD × "
                f"exposure, with LGD {a['loss_given_default']:.0%}, exposure {a['exposure']:,.0f} "
                f"{a['currency']} and margin {a['margin']:.1%}."
            ),
            formats={
                "Approval rate": "percent",
                "Approve if PD at most": "percent",
                "Bad rate among approved": "percent",
                "Bad rate among declined": "percent",
                **money,
            },
        ),
        Table(
            "calibration",
            "Predicted vs observed bad rate by score band",
            calibration_table(y, pd_),
            note="Hold-out applicants in equal-sized bands from lowest to highest predicted PD.",
            formats={
                "Applicants": "count",
                "Mean predicted PD": "percent",
                "Observed bad rate": "percent",
            },
        ),
    ]
    approved, cutoff = _approve(pd_, a["approval_rate"])
    fair = fairness_table(holdout, roles, approved) if roles.protected else pd.DataFrame()
    if not fair.empty:
        tables.append(
            Table(
                "fairness",
                "Approval rate by protected group",
                fair,
                note=(
                    f"At the {a['approval_rate']:.0%} approval operating point, on the hold-out. "
                    "These attributes were left out of the model's features. Groups under "
                    f"{MIN_GROUP} applicants are pooled or not shown."
                ),
                formats={
                    "Applicants": "count",
                    "Approval rate": "percent",
                    "Adverse impact ratio": "number",
                },
            )
        )
    headline = _headline(y, pd_, approved, cutoff, cutoffs, a, fair)
    return Evaluation(metrics, tables, a, headline)


def _headline(y, pd_, approved, cutoff, cutoffs, a, fair) -> dict[str, Any]:
    bad_in = float(y[approved].mean())
    everyone = float(y.mean())
    breakeven = a["margin"] / (a["margin"] + a["loss_given_default"])
    op = cutoffs.iloc[(cutoffs["Approval rate"] - a["approval_rate"]).abs().argmin()]
    summary = [
        f"Approving the {a['approval_rate']:.0%} of applicants with the lowest predicted risk, "
        f"{bad_in:.1%} of approved loans went bad on the hold-out, against {everyone:.1%} if "
        "everyone were approved.",
        f"Under the stated assumptions a loan pays off when its PD is below {breakeven:.1%} "
        f"(margin ÷ (margin + LGD)); the model puts {np.mean(pd_ <= breakeven):.0%} of "
        "applicants there.",
    ]
    low_air = fair[fair["Adverse impact ratio"] < 0.8] if not fair.empty else fair
    if not low_air.empty:
        groups = ", ".join(f"{r.Attribute} = {r.Group}" for r in low_air.itertuples())
        summary.append(
            f"Approval rates differ by group: {groups} fall below four-fifths of the most "
            "approved group's rate; review before use."
        )
    return {
        "summary": summary,
        "approval_rate": a["approval_rate"],
        "pd_cutoff": cutoff,
        "bad_rate_approved": bad_in,
        "bad_rate_all": everyone,
        "breakeven_pd": breakeven,
        "profit_per_1000": float(op["Profit per 1,000 applicants"]),
        "expected_loss_per_1000": float(op["Expected loss per 1,000 applicants"]),
        "min_adverse_impact_ratio": float(fair["Adverse impact ratio"].min())
        if not fair.empty
        else None,
    }
