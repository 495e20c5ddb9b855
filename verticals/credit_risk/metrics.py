"""Credit-risk metrics and their translation into lending decisions.

The study maximises ROC AUC (reported as Gini = 2·AUC − 1). On the hold-out the
report adds KS, Brier score, calibration by score band, an approval-rate vs
bad-rate table with expected loss and profit, and approval rates by protected
group. Money figures follow from the assumptions the analyst states.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from tuneplate.plugin import (
    HOLDOUT_SAMPLE,
    METRICS,
    Assumption,
    Card,
    Evaluation,
    Headline,
    Outcome,
    ReasonWords,
    Role,
    Roles,
    Sample,
    Table,
    TableKey,
    calibration_bands,
    column_label,
    entity_codes,
    money,
    pooled_group,
    readable_groups,
    validator,
)

# scikit-learn and SciPy are imported inside the functions that use them: the command
# line loads every vertical to list its options, and `tuneplate --help` need not wait.

OBJECTIVE = METRICS["roc_auc"]

# Reason codes (`tuneplate explain`, the exported `score.py --reasons`): an applicant is
# approved when the PD is at most the cut-off (`operating_point`), so a PD equal to it is
# approved; the reasons are what raised the PD, as on an adverse-action notice.
REASONS = ReasonWords(
    risky="declined",
    clear="approved",
    inclusive=False,
    score="PD",
    raises="raises the PD",
    relief="lowers the PD least; the average PD is above the cut-off",
    title="reasons for the decision",
)

ASSUMPTIONS = {
    "loss_given_default": 0.45,  # Basel foundation-IRB LGD for senior unsecured claims
    "exposure": 5000.0,  # average amount owed at default, per loan
    "margin": 0.08,  # net interest and fees earned on a good loan, share of exposure
    "currency": "EUR",
    # "approval_rate": 0.7 fixes the operating point; without it the report
    # recommends the break-even cut-off PD = margin / (margin + LGD).
}

DECLARED = (
    Assumption(
        "loss_given_default",
        "the share of the exposure lost when a borrower defaults, e.g. 0.45",
        low=0,
        high=1,
    ),
    Assumption("exposure", "the average amount owed at default, per loan", low=0),
    Assumption(
        "margin",
        "net interest and fees earned on a good loan, as a share of the exposure, e.g. 0.08",
        low=0,
        low_open=False,
    ),
    Assumption("currency", "the currency of exposure, e.g. EUR", text=True),
    Assumption(
        "approval_rate",
        "the share of applicants approved; unset: the break-even cut-off",
        low=0,
        high=1,
        optional=True,
    ),
    # EBA/GL/2017/16 (Guidelines on PD estimation): PDs are calibrated to the long-run
    # average default rate. The engine applies it (`with_central_tendency`) as a log-odds
    # shift saved in model.json beside any --calibrate map, so predict_proba, export and
    # validate score as the report's figures did; only the levels move, not the ranking.
    Assumption(
        "central_tendency",
        "the long-run average default rate the mean PD on the development rows is set to, "
        "e.g. 0.04",
        low=0,
        high=1,
        high_open=True,
        optional=True,
    ),
)
# Refuses an unknown key, an LGD outside (0, 1], a negative exposure or margin, an
# approval rate outside (0, 1]; plan calls it before the data is read.
validate = validator("credit-risk", DECLARED)

APPROVAL_RATES = (0.5, 0.6, 0.7, 0.8, 0.9, 1.0)
MIN_GROUP = 10  # smaller groups are pooled so no table cell describes a handful of people
OPERATING, EVERYONE = "operating point", "approve everyone"
FROZEN = "cut-off frozen at the run"  # the rule when validating a frozen model
# Reader-facing column labels, each written once: the tables' `roles` point the report's
# charts at them, so a label can be reworded without losing a chart.
APPROVAL, CUTOFF = "Approval rate", "Approve if PD at most"
BAD_IN, BAD_OUT = "Bad rate among approved", "Bad rate among declined"
LOSS, PROFIT = "Expected loss per 1,000 applicants", "Profit per 1,000 applicants"
PROFIT_INTERVAL = "Profit: 95% interval"
RESAMPLES = 1000  # bootstrap resamples of the hold-out applicants for the profit interval
PREDICTED, OBSERVED = "Mean predicted PD", "Observed bad rate"
AIR, REFERENCE = "Adverse impact ratio", "Reference"
AIR_INTERVAL = "AIR: 95% interval"
# The AIR's benchmark is the highest approval rate among an attribute's groups of at
# least this many applicants. 29 CFR 1607.4(D) itself says differences "based on small
# numbers" may not be adverse impact; a benchmark of 13 widowed applicants (8 approved,
# Jeffreys 95% interval about 35%-83%) flagged married applicants at 0.73 on modeldata's
# credit_data. With 30, one applicant moves the benchmark by at most 3.3 points. Smaller
# groups are still compared with it; they only cannot set it.
REFERENCE_MIN = 30
FOUR_FIFTHS = 0.8  # the flag: 29 CFR 1607.4(D)
REFERENCE_RULE = f"highest rate among groups of {REFERENCE_MIN}+ applicants"


def ks_statistic(y_true: np.ndarray, y_score: np.ndarray) -> float:
    """Kolmogorov–Smirnov: the widest gap between the score distributions of bads and goods.

    Example:
        >>> ks_statistic(np.array([0, 0, 1, 1]), np.array([0.1, 0.2, 0.8, 0.9]))
        1.0
    """
    from sklearn.metrics import roc_curve

    fpr, tpr, _ = roc_curve(y_true, y_score)
    return float(np.max(tpr - fpr))


def breakeven_pd(a: Mapping[str, Any]) -> float:
    """The PD at which a loan's expected margin equals its expected loss.

    Approving below it maximises expected profit when PDs are calibrated:
    (1 − PD) × margin > PD × LGD  ⇔  PD < margin / (margin + LGD).

    Example:
        >>> round(breakeven_pd({"margin": 0.08, "loss_given_default": 0.45}), 3)
        0.151
    """
    return a["margin"] / (a["margin"] + a["loss_given_default"])


def _approve(y_score: np.ndarray, rate: float) -> tuple[np.ndarray, float]:
    """Approve the `rate` share with the lowest PD; return the mask and the PD cut-off."""
    if rate >= 1:
        return np.ones(len(y_score), bool), 1.0
    ok = y_score <= float(np.quantile(y_score, rate, method="inverted_cdf"))
    return ok, _between(y_score, ok)


def _between(y_score: np.ndarray, ok: np.ndarray) -> float:
    """The cut-off halfway between the highest approved PD and the lowest declined one:
    it approves the same applicants and is no applicant's own PD (aggregates only)."""
    if not ok.any():
        return 0.0
    if ok.all():
        return 1.0
    return float((y_score[ok].max() + y_score[~ok].min()) / 2)


def operating_point(
    pd_: np.ndarray, a: Mapping[str, Any], frozen: float | None = None
) -> tuple[np.ndarray, float, str]:
    """Who is approved: the run's frozen cut-off when given (validation), else the stated
    approval rate, or else everyone below break-even.

    The break-even rule uses only the model's PDs and the assumptions, never the
    hold-out outcomes, so the figures reported at that point stay honest.
    """
    if frozen is not None:
        return pd_ <= frozen, float(frozen), FROZEN
    if a.get("approval_rate") is not None:
        ok, cutoff = _approve(pd_, float(a["approval_rate"]))
        return ok, cutoff, "chosen approval rate"
    cutoff = breakeven_pd(a)
    return pd_ <= cutoff, cutoff, "break-even cut-off"


def profit_intervals(
    y: np.ndarray,
    approvals: list[np.ndarray],
    a: Mapping[str, Any],
    seed: int = 0,
    groups: np.ndarray | None = None,
) -> list[tuple[float, float]]:
    """95% percentile-bootstrap interval of profit per 1,000 applicants for each approval.

    The realised profit on a hold-out of a few hundred applicants swings with the few
    bad loans it holds, so each figure gets the interval of resampling the applicants
    (Efron & Tibshirani 1993, ch. 13); the approvals stay as the cut-off made them.
    With `groups` (one customer code per row, `Outcome.clusters`), whole customers are
    resampled with all their loans (a cluster bootstrap; Davison & Hinkley 1997, 3.8).
    Every approval uses the same resamples, so the intervals are comparable.

    Example:
        >>> profit_intervals(y, [approved], ASSUMPTIONS)
        [(-18150.0, 40950.0)]
    """
    lgd, ead, margin = a["loss_given_default"], a["exposure"], a["margin"]
    per_loan = np.where(np.asarray(y) == 1, -lgd * ead, margin * ead)  # profit of each loan
    codes = np.arange(len(per_loan)) if groups is None else entity_codes(groups)
    units = int(codes.max()) + 1  # applicants, or customers with all their loans
    loans = np.bincount(codes, minlength=units)
    gains = [np.bincount(codes, 1000 * np.where(ok, per_loan, 0.0), units) for ok in approvals]
    rng = np.random.default_rng(seed)
    draws = [[] for _ in gains]
    batch = max(1, min(RESAMPLES, 2_000_000 // units))  # resamples × units ≤ 2e6
    for start in range(0, RESAMPLES, batch):
        drawn = rng.integers(0, units, size=(min(batch, RESAMPLES - start), units))
        counted = loans[drawn].sum(axis=1)
        for out, gain in zip(draws, gains, strict=True):
            out.append(gain[drawn].sum(axis=1) / counted)
    return [tuple(np.percentile(np.concatenate(d), [2.5, 97.5]).tolist()) for d in draws]


def cutoff_table(
    y: np.ndarray,
    pd_: np.ndarray,
    a: Mapping[str, Any],
    operating: np.ndarray | None = None,
    cutoff: float | None = None,
    groups: np.ndarray | None = None,
) -> pd.DataFrame:
    """Approval rate vs bad rate, expected loss and realised profit per 1,000 applicants,
    with the profit's 95% bootstrap interval (`profit_intervals`).

    One row per rate in `APPROVAL_RATES` (rates that approve the same applicants, under
    tied PDs, share one), plus the operating point when given; its "Approve if PD at
    most" is the rule's `cutoff` (the figure the summary states), not the highest PD that
    happened to fall under it. `groups`: see `profit_intervals`.
    """
    lgd, ead, margin = a["loss_given_default"], a["exposure"], a["margin"]
    scale = 1000 / len(y)
    choices = [(*_approve(pd_, rate), EVERYONE if rate >= 1 else "") for rate in APPROVAL_RATES]
    if operating is not None:
        if cutoff is None:
            cutoff = _between(pd_, operating)
        choices.append((operating, float(cutoff), OPERATING))
    rows = []
    intervals = profit_intervals(y, [ok for ok, _, _ in choices], a, groups=groups)
    for (ok, cutoff, label), (low, high) in zip(choices, intervals, strict=True):
        bad_in, bad_out = y[ok], y[~ok]
        rows.append(
            {
                "": label,
                APPROVAL: ok.mean(),
                CUTOFF: cutoff,
                BAD_IN: bad_in.mean() if ok.any() else np.nan,
                BAD_OUT: bad_out.mean() if (~ok).any() else np.nan,
                LOSS: scale * np.sum(pd_[ok] * lgd * ead),
                PROFIT: scale * (np.sum(1 - bad_in) * margin * ead - np.sum(bad_in) * lgd * ead),
                PROFIT_INTERVAL: f"{money(low, a['currency'])} to {money(high, a['currency'])}",
            }
        )
    # Tied PDs (a scorecard's whole points) can make two approval targets approve the same
    # applicants: one row for them, the labelled one (operating point, everyone) kept.
    frame = pd.DataFrame(rows).sort_values("", ascending=False, kind="stable")
    frame = frame.drop_duplicates([APPROVAL, CUTOFF]).sort_values(APPROVAL, kind="stable")
    return frame.reset_index(drop=True)


DEFAULTS, P_VALUE, VERDICT = "Defaults", "Jeffreys p-value", "Verdict at 5%"
JEFFREYS_LEVEL = 0.05  # one-sided: a p-value below it says the PD is too low for the band
TOO_FEW = "too few to test"  # a band under MIN_GROUP applicants


def jeffreys_p_value(pd_band: float, defaults: int, obligors: int) -> float:
    """One-sided Jeffreys test of a band's PD against its observed default rate.

    p = BetaCDF(PD; D + 0.5, N − D + 0.5): the posterior probability, under the Jeffreys
    prior, that the true default rate is at most the band's PD. A small p-value says the
    observed rate is significantly ABOVE the PD: the model under-estimates the band's
    risk, which is what validators test (ECB, "Instructions for reporting the validation
    results of internal models: IRB Pillar I models for credit risk", February 2019,
    section 2.5 on PD, predictive ability: the Jeffreys test). `pd_band` is
    the band's mean predicted PD in [0, 1]; `defaults` (D) of `obligors` (N) defaulted.

    Example:
        >>> round(jeffreys_p_value(0.03, 5, 100), 4)
        0.1236
    """
    from scipy.stats import beta

    return float(beta.cdf(pd_band, defaults + 0.5, obligors - defaults + 0.5))


def calibration_table(y: np.ndarray, pd_: np.ndarray) -> pd.DataFrame:
    """Predicted vs observed bad rate per score band (equal-sized bands, lowest risk first),
    with each band's defaults and its Jeffreys test (`jeffreys_p_value`) at 5%.

    The bands are the report's score bands (`calibration_bands`: about 40 applicants a
    band, 3 to 10 bands); a band under `MIN_GROUP` applicants is not tested ("too few to
    test") and shows no default count.
    """
    frame = calibration_bands(y, pd_).set_axis(
        ["Score band", "Applicants", PREDICTED, OBSERVED], axis=1
    )
    n = frame["Applicants"].to_numpy()
    d = np.rint(frame[OBSERVED].to_numpy() * n).astype(int)
    small = n < MIN_GROUP
    p = np.array([jeffreys_p_value(*v) for v in zip(frame[PREDICTED], d, n, strict=True)])
    frame.insert(2, DEFAULTS, np.where(small, np.nan, d))
    frame[P_VALUE] = np.where(small, np.nan, p)
    frame[VERDICT] = np.where(
        small,
        TOO_FEW,
        np.where(p < JEFFREYS_LEVEL, "PD too low", "consistent"),
    )
    return frame


def jeffreys_sentence(frame: pd.DataFrame, where: Sample = HOLDOUT_SAMPLE) -> str:
    """The Jeffreys test's result in one sentence a credit committee reads."""
    tested = frame[frame[VERDICT] != TOO_FEW]
    if tested.empty:
        return f"No score band has {MIN_GROUP} {where.adjective} applicants: too few to test."
    low = tested[tested[VERDICT] == "PD too low"]
    untested = len(frame) - len(tested)
    skipped = f" ({untested} band(s) too small to test)" if untested else ""
    if low.empty:
        return (
            f"Jeffreys test at 5%: in none of the {len(tested)} tested score bands{skipped} is "
            f"the observed default rate significantly above the predicted PD: no sign that "
            "the PDs under-estimate the risk."
        )
    bands = ", ".join(str(b) for b in low["Score band"])
    named = f"band {bands}" if len(low) == 1 else f"bands {bands}"
    return (
        f"Jeffreys test at 5%: in {len(low)} of {len(tested)} tested score bands{skipped} "
        f"({named}) the observed default rate is significantly above the predicted "
        "PD: the PDs under-estimate the risk there; recalibrate before using them for "
        "pricing or provisions."
    )


def reference_group(rates: pd.DataFrame) -> object | None:
    """The group an attribute's AIRs are measured against: the highest approval rate among
    groups of at least `REFERENCE_MIN` applicants (ties: the larger group), or None when
    no group is that large.

    Example:
        >>> reference_group(pd.DataFrame({"size": [13, 644], "mean": [0.615, 0.447]},
        ...                              index=["widow", "married"]))
        'married'
    """
    large = rates[rates["size"] >= REFERENCE_MIN]
    if large.empty:
        return None
    return large.sort_values(["mean", "size"], ascending=False, kind="stable").index[0]


def fairness_table(
    holdout: pd.DataFrame, roles: Roles, approved: np.ndarray, bands: Mapping | None = None
) -> pd.DataFrame:
    """Approval rate by protected group and the adverse impact ratio (AIR).

    Each group's AIR is its rate over its attribute's reference group's
    (`reference_group`: the highest rate among groups of `REFERENCE_MIN` applicants or
    more), marked in the `REFERENCE` column; with no group that large the attribute's
    AIRs are NaN (no benchmark to compare with).
    An attribute with fewer than two groups of `MIN_GROUP` applicants has nothing to
    compare and is left out (`single_group_attributes` names them for the table's note).
    A numeric attribute is cut at `bands[col]` when given (the run's edges, `validate`).
    Groups under `MIN_GROUP` applicants are pooled with the smallest group shown, in one
    row named "<group> and smaller groups" (`_group_rates`), so the rows cover every
    applicant and no subtraction of the sample's size and approvals gives a handful of
    applicants' approvals (collapsing categories, Hundepool et al., Statistical
    Disclosure Control, Wiley 2012, ch. 5). Withholding the other groups' sizes instead
    was not enough: their rates, at full precision, gave the sizes back.
    Each AIR's 95% interval (`AIR_INTERVAL`, text "0.62–1.05") is the ratio of two
    independent binomial proportions' by Katz's log method (Katz et al., Biometrics 1978;
    scipy.stats.contingency.relative_risk): an AIR under four-fifths whose interval
    reaches 1 may be chance on that many applicants.
    """
    rows = []
    for col in roles.protected:
        rates = _group_rates(holdout, col, approved, (bands or {}).get(col))
        if len(rates) < 2:  # an AIR of 1.0 against itself says nothing
            continue
        reference = reference_group(rates)
        top = np.nan if reference is None else rates.loc[reference, "mean"]
        for group, row in rates.iterrows():
            interval = "" if reference is None else air_interval(row, rates.loc[reference])
            rows.append(
                {
                    "Attribute": col,
                    "Group": str(group),
                    "Applicants": int(row["size"]),
                    APPROVAL: row["mean"],
                    AIR: row["mean"] / top if top > 0 else np.nan,
                    AIR_INTERVAL: "" if group == reference else interval,
                    # a bound, not a size: it gives no approvals away by subtraction
                    REFERENCE: REFERENCE_RULE if group == reference else "",
                }
            )
    return pd.DataFrame(rows)


def air_interval(group: pd.Series, reference: pd.Series) -> str:
    """The 95% interval of a group's AIR against its reference group, "low–high", by
    Katz's log method for a ratio of two proportions; "" when a group approved nobody
    (the log method has no upper end then). `group`, `reference`: "size", "mean" rows;
    `interval_high` reads the upper end back.

    Example:
        >>> group, reference = ({"size": 40, "mean": 0.5}, {"size": 300, "mean": 0.7})
        >>> air_interval(pd.Series(group), pd.Series(reference))
        '0.52–0.98'
    """
    approved = [int(round(r["mean"] * r["size"])) for r in (group, reference)]
    if min(approved) == 0:
        return ""
    from scipy.stats.contingency import relative_risk

    ratio = relative_risk(approved[0], int(group["size"]), approved[1], int(reference["size"]))
    low, high = ratio.confidence_interval(0.95)
    if not (math.isfinite(low) and math.isfinite(high)):
        return ""
    return f"{low:.2f}–{high:.2f}"


def interval_high(text: str) -> float:
    """The upper end of an `air_interval` text; NaN for ""."""
    return float(text.split("–")[1]) if text else math.nan


def _group_rates(holdout: pd.DataFrame, col: str, approved: np.ndarray, edges=None) -> pd.DataFrame:
    """ "size" and "mean" (approval rate) by group of `col`; groups under MIN_GROUP pooled
    with the smallest larger one (`pooled_group`), or left out when fewer than two groups reach
    MIN_GROUP (nothing to compare then, and nothing shown)."""
    groups = readable_groups(holdout[col].reset_index(drop=True), min_size=MIN_GROUP, edges=edges)
    rates = pd.Series(approved).groupby(groups).agg(["size", "mean"])
    few = rates.index[rates["size"] < MIN_GROUP]
    large = rates[rates["size"] >= MIN_GROUP]
    if len(few) and len(large) >= 2:
        smallest = large["size"].idxmin()
        pooled = pooled_group(smallest)
        groups = groups.replace({g: pooled for g in (smallest, *few)})
        rates = pd.Series(approved).groupby(groups).agg(["size", "mean"])
    return rates[rates["size"] >= MIN_GROUP]


def single_group_attributes(
    holdout: pd.DataFrame, roles: Roles, approved, bands: Mapping | None = None
) -> list[str]:
    """Protected attributes left out of the fairness table: under two groups to compare."""
    return [
        c
        for c in roles.protected
        if len(_group_rates(holdout, c, approved, (bands or {}).get(c))) < 2
    ]


MONEY = (LOSS, PROFIT)
PERCENT = (APPROVAL, CUTOFF, BAD_IN, BAD_OUT)


def evaluate(outcome: Outcome) -> Evaluation:
    """Hold-out metrics and the lending translation.

    Example:
        >>> ev = evaluate(outcome)
        >>> ev.metrics["gini"], ev.tables[0].key
        (0.56, 'cutoffs')
    """
    from sklearn.metrics import brier_score_loss, log_loss, roc_auc_score

    y, pd_, holdout, roles = outcome.y, outcome.score, outcome.rows, outcome.roles
    where = outcome.sample  # "hold-out", or "validation" for new rows
    a = {**ASSUMPTIONS, **outcome.assumptions}
    auc = roc_auc_score(y, pd_)
    metrics = {
        "roc_auc": auc,
        "gini": 2 * auc - 1,
        "ks": ks_statistic(y, pd_),
        "brier": brier_score_loss(y, pd_),
        "log_loss": log_loss(y, pd_, labels=[0, 1]),
        "bad_rate": float(np.mean(y)),
        "mean_pd": float(np.mean(pd_)),
    }
    approved, cutoff, rule = operating_point(pd_, a, outcome.threshold)
    shifted = central_tendency_words(a)
    calibrated = calibration_table(y, pd_)
    clusters = outcome.clusters()  # customers with several loans are resampled whole
    cutoffs = cutoff_table(y, pd_, a, approved, cutoff, clusters)
    # With --group a row is one loan of a customer who may have several: counted as loans.
    rows, resampled = f"{len(y):,} {where.adjective} applicants", "the applicants"
    if clusters is not None:
        ids = f"{len(np.unique(clusters)):,} {roles.group!r} ids"
        rows = f"{len(y):,} {where.adjective} loans of {ids}"
        resampled = f"the {ids} with all their loans"
    tables = [
        Table(
            TableKey.CUTOFFS,
            "Approval rate vs bad rate",
            cutoffs,
            note=(
                "Applicants are approved from the lowest predicted PD up. Bad rates and profit are "
                f"what happened to the {rows}; expected loss = "
                f"PD × LGD × exposure, with LGD {a['loss_given_default']:.0%}, exposure "
                f"{money(a['exposure'], a['currency'])} and margin {a['margin']:.1%}. Profit "
                f"on {len(y):,} {'loans' if clusters is not None else 'applicants'} swings with "
                "the few bad loans among them: the "
                f"interval is where 95% of bootstrap resamples of {resampled} put it."
                + (f" PDs, cut-offs and expected loss: {shifted}." if shifted else "")
                + (f" {currency_words(a)}" if currency_words(a) else "")
            ),
            formats={"": "text", PROFIT_INTERVAL: "text"}
            | dict.fromkeys(PERCENT, "percent")
            | dict.fromkeys(MONEY, "money"),
            roles={
                Role.APPROVAL_RATE: APPROVAL,
                Role.BAD_RATE_APPROVED: BAD_IN,
                Role.BAD_RATE_DECLINED: BAD_OUT,
            },
        ),
        Table(
            TableKey.CALIBRATION,
            "Predicted vs observed bad rate by score band",
            calibrated,
            note=f"{where.adjective.capitalize()} applicants in equal-sized bands from lowest "
            f"to highest predicted PD; mean predicted PD {np.mean(pd_):.1%}"
            + (f"; {shifted}" if shifted else "")
            + f". {jeffreys_sentence(calibrated, where)} The p-value is the one-sided Jeffreys "
            "test (ECB IRB validation reporting instructions): BetaCDF(mean PD; defaults + "
            "0.5, applicants − defaults + 0.5); below 5%, the band's default rate is "
            f"significantly above its PD. Bands under {MIN_GROUP} applicants are not tested.",
            formats={
                "Applicants": "count",
                DEFAULTS: "count",
                PREDICTED: "percent",
                OBSERVED: "percent",
                P_VALUE: "number",
                VERDICT: "text",
            },
            roles={Role.PREDICTED: PREDICTED, Role.OBSERVED: OBSERVED},
        ),
    ]
    fair = (
        fairness_table(holdout, roles, approved, outcome.bands)
        if roles.protected
        else pd.DataFrame()
    )
    if not fair.empty:
        tables.append(
            Table(
                TableKey.FAIRNESS,
                "Approval rate by protected group",
                fair,
                note=(
                    f"At the operating point ({rule}, {approved.mean():.0%} approved), on the "
                    f"{where.noun}. These attributes were left out of the model's features. Groups "
                    f"under {MIN_GROUP} applicants are pooled with the smallest group shown "
                    '("… and smaller groups"), so no row describes a handful of applicants, '
                    "directly or by subtraction."
                    + _reference_note(fair)
                    + _single_group_note(
                        single_group_attributes(holdout, roles, approved, outcome.bands), where
                    )
                ),
                formats={
                    "Applicants": "count",
                    APPROVAL: "percent",
                    AIR: "number",
                    AIR_INTERVAL: "text",
                    REFERENCE: "text",
                },
                roles={
                    Role.ADVERSE_IMPACT: AIR,
                    Role.REFERENCE: REFERENCE,
                    Role.GROUP: "Group",
                    Role.ATTRIBUTE: "Attribute",
                },
            )
        )
    headline = _headline(y, approved, cutoff, rule, cutoffs, a, fair, where)
    return Evaluation(metrics, tables, a, headline)


def currency_words(a: Mapping[str, Any]) -> str:
    """Where the money figures' currency came from, printed beside them ("" for a run
    saved before the engine said it): stated, taken from the amounts' one sign, or the
    default (`engine.currency`)."""
    source = a.get("currency_source")
    return f"Currency {a['currency']}: {source}." if source else ""


def central_tendency_words(a: Mapping[str, Any]) -> str:
    """The stated central tendency in words ("" without one), printed beside each figure
    it moves: the PDs, hence the mean PD, who falls under a cut-off and expected loss."""
    rate = a.get("central_tendency")
    if rate is None:
        return ""
    return (
        "PDs recalibrated so their mean on the development rows is the stated long-run "
        f"default rate of {rate:.1%} (central tendency)"
    )


def _reference_note(fair: pd.DataFrame) -> str:
    """The AIR's benchmark rule, for the fairness table's note, and the attributes without
    a group large enough to set it."""
    none = [c for c, g in fair.groupby("Attribute", sort=False) if not (g[REFERENCE] != "").any()]
    missing = (
        f" No group of {', '.join(map(column_label, none))} has {REFERENCE_MIN} applicants: "
        "no benchmark, so no ratio."
        if none
        else ""
    )
    return (
        " Each adverse impact ratio is the group's approval rate over its reference "
        f"group's, the attribute's {REFERENCE_RULE} (marked), so a benchmark of a "
        "dozen applicants, whose own rate is uncertain by 20 points or more, cannot flag "
        "the others; smaller groups are compared with it, not used as it (29 CFR "
        "1607.4(D): differences based on small numbers may not be adverse impact). "
        "Its 95% interval is Katz's log interval for a ratio of two proportions (Katz et "
        "al., Biometrics 1978); a ratio under four-fifths whose interval reaches 0.8 may be "
        "below it by chance." + missing
    )


def _single_group_note(columns: list[str], where: Sample = HOLDOUT_SAMPLE) -> str:
    if not columns:
        return ""
    names = ", ".join(columns)
    return (
        f" Not shown: {names}, with fewer than two groups of {MIN_GROUP} applicants on the "
        f"{where.noun}, so there is no rate to compare."
    )


def _headline(y, approved, cutoff, rule, cutoffs, a, fair, where=HOLDOUT_SAMPLE) -> Headline:
    everyone = float(y.mean())
    share = float(approved.mean())
    op = cutoffs[cutoffs[""] == OPERATING].iloc[0]
    all_in = cutoffs[cutoffs[""] == EVERYONE].iloc[0]

    def cash(value: float) -> str:  # as the report's cards write it: one figure, one text
        return money(value, a["currency"])

    if rule == "break-even cut-off":
        summary = [
            f"Recommended cut-off: approve applicants whose predicted PD is at most {cutoff:.1%}, "
            "where a loan's expected margin equals its expected loss under the stated "
            f"assumptions. That approves {share:.0%} of applicants."
        ]
    elif rule == FROZEN:
        summary = [
            f"At the run's cut-off, applicants with a predicted PD up to {cutoff:.1%} are "
            f"approved: {share:.0%} of these applicants."
        ]
    else:
        summary = [
            f"At the chosen {share:.0%} approval rate, applicants with a predicted PD up to "
            f"{cutoff:.1%} are approved."
        ]
    bad_in = float(y[approved].mean()) if approved.any() else float("nan")
    if approved.any():
        summary.append(
            f"On the {len(y):,} {where.adjective} applicants, {bad_in:.1%} of those approved "
            f"went bad (against {everyone:.1%} approving everyone), and the book would have made "
            f"{cash(op[PROFIT])} per 1,000 applicants (95% interval {op[PROFIT_INTERVAL]}; "
            f"approving everyone: {cash(all_in[PROFIT])})."
        )
    else:
        summary.append(
            "No applicant is below the cut-off: under these assumptions no loan pays off; "
            "check the margin and loss given default."
        )
    low_air = fair[fair[AIR] < FOUR_FIFTHS] if not fair.empty else fair
    if not low_air.empty:
        groups = ", ".join(f"{column_label(r.Attribute)} = {r.Group}" for r in low_air.itertuples())
        # the four-fifths rule reads the ratio itself; its interval says how sure that is
        chance = sum(interval_high(t) >= FOUR_FIFTHS for t in low_air[AIR_INTERVAL])
        unshown = int((low_air[AIR_INTERVAL] == "").sum())
        maybe = (
            f" For {chance} of them the ratio's 95% interval reaches {FOUR_FIFTHS}, so on "
            "that many applicants falling below it may be chance."
            if chance
            else ""
        ) + (
            f" For {unshown} of them no interval is shown (no applicant approved), so "
            "chance is not ruled out."
            if unshown
            else ""
        )
        summary.append(
            f"Approval rates differ by group: {groups} fall below four-fifths of the "
            f"reference group's rate (the {REFERENCE_RULE}); review before use.{maybe}"
        )
    shifted = central_tendency_words(a)
    if shifted:
        summary[0] += f" {shifted}."
    lgd, ead, margin = a["loss_given_default"], a["exposure"], a["margin"]
    unit = f" {currency_words(a)}" if currency_words(a) else ""  # beside each money figure
    if rule == "break-even cut-off":
        operating = (
            f"approve applicants whose predicted PD is at most {cutoff:.1%} ({share:.0%} of "
            f"applicants): the break-even cut-off, margin / (margin + LGD)."
        )
    elif rule == FROZEN:
        operating = f"approve applicants whose predicted PD is at most {cutoff:.1%}, as at the run."
    else:
        operating = (
            f"approve the {share:.0%} of applicants with the lowest predicted PD (PD up to "
            f"{cutoff:.1%}), the approval rate you chose."
        )
    cards = (
        Card(
            "Profit per 1,000 applicants",
            float(op[PROFIT]),
            "money",
            f"Margin {margin:.1%} on each good loan, loss {lgd:.0%} (LGD) on each bad one, "
            f"{cash(ead)} per loan; 95% interval {op[PROFIT_INTERVAL]} on {len(y):,} "
            f"{where.adjective} applicants; approving everyone: {cash(all_in[PROFIT])}.{unit}",
        ),
        Card(
            "Bad loans among those approved",
            bad_in,
            "percent",
            f"Against {everyone:.1%} approving everyone; what happened to the {len(y):,} "
            f"{where.adjective} applicants.",
        ),
        Card(
            "Expected loss per 1,000 applicants",
            float(op[LOSS]),
            "money",
            f"PD × LGD {lgd:.0%} × exposure {cash(ead)}, over approved loans"
            + (f"; {shifted}." if shifted else ".")
            + unit,
        ),
    )
    return Headline(
        summary=tuple(summary),
        operating_point=operating,
        cards=cards,
        approval_rate=share,
        figures={
            "operating_rule": rule,
            "pd_cutoff": cutoff,
            "operating_threshold": cutoff,  # read back by `tuneplate validate`
            "bad_rate_approved": bad_in,
            "bad_rate_all": everyone,
            "breakeven_pd": breakeven_pd(a),
            "profit_per_1000": float(op[PROFIT]),
            "profit_approve_all_per_1000": float(all_in[PROFIT]),
            "expected_loss_per_1000": float(op[LOSS]),
            "min_adverse_impact_ratio": None
            if fair.empty or fair[AIR].isna().all()
            else float(fair[AIR].min()),
        },
    )
