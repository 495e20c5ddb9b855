"""95% intervals for the figures of the operating point: sensitivity, specificity, PPV,
NPV and the per-1,000 counts.

A hold-out of 63 patients with 23 cases that shows "0 missed" and "NPV 100%" without
an interval overstates what it knows: 23 of 23 caught still allows a miss rate of up to
14.8% (TRIPOD, Collins et al., Ann Intern Med 162:55-63, 2015, item 16: every estimate
with its confidence interval).

- Sensitivity and specificity: exact Clopper–Pearson intervals (Clopper & Pearson,
  Biometrika 26:404-413, 1934; `scipy.stats.binomtest`), which stay inside 0–100% and
  are not degenerate at 0 of 23 or 23 of 23.
- PPV and NPV at a prevalence taken as known (stated, or the sample's own): Bayes' rule
  rises with both sensitivity and specificity, so their limits carried through it bound
  PPV and NPV. Each is taken at 97.5% so that both hold together with at least 95%
  probability (Bonferroni). Unlike the adjusted-logit interval (Mercaldo, Lau & Zhou,
  Stat Med 26:2170-2183, 2007), whose centre moves away from a 100% estimate, the
  interval always holds the figure it qualifies.
- Rows that repeat patients (`--group`): a percentile bootstrap resampling whole
  patients (the run's cluster bootstrap, Davison & Hinkley 1997, section 3.8), because
  counting visits as patients gives intervals too narrow. A figure at 0% or 100% has
  every resample there, so it takes the exact interval over the patients instead, each
  patient counted once (all of a patient's rows are then at that end too).
- Per-1,000 counts scale one of these intervals by the prevalence's 1,000 × p cases or
  1,000 × (1 − p) others.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from tuneplate.engine.contract.intervals import MIN_ENTITIES

LEVEL = 0.95
RESAMPLES = 1000
SEED = 0  # the same hold-out always gives the same interval
Pair = tuple[float, float]
NAN_PAIR: Pair = (math.nan, math.nan)


def exact(k: int, n: int, level: float = LEVEL) -> Pair:
    """The Clopper–Pearson interval of k successes in n trials (NaN pair when n is 0).

    Example:
        >>> [round(x, 3) for x in exact(23, 23)]
        [0.852, 1.0]
    """
    if n <= 0:
        return NAN_PAIR
    from scipy.stats import binomtest  # SciPy's statistics take seconds to import

    ci = binomtest(int(k), int(n)).proportion_ci(level, method="exact")
    return float(ci.low), float(ci.high)


def ppv_npv_limits(se: Pair, sp: Pair, prevalence: float) -> tuple[Pair, Pair]:
    """PPV and NPV at `prevalence` at the ends of sensitivity's and specificity's limits
    (both rise with each, so the lower ends give the lower limits).

    Example:
        >>> ppv_npv_limits((0.8, 1.0), (0.5, 0.6), 0.5)[1]
        (0.7142857142857143, 1.0)
    """
    low = _bayes(se[0], sp[0], prevalence)
    high = _bayes(se[1], sp[1], prevalence)
    return (low[0], high[0]), (low[1], high[1])


def _bayes(se: float, sp: float, p: float) -> Pair:
    flagged = se * p + (1 - sp) * (1 - p)
    cleared = sp * (1 - p) + (1 - se) * p
    return (
        se * p / flagged if flagged > 0 else math.nan,
        sp * (1 - p) / cleared if cleared > 0 else math.nan,
    )


@dataclass(frozen=True)
class DecisionIntervals:
    """95% intervals of sensitivity, specificity, PPV and NPV (as shares), with the
    counts behind the first two and how they were found, in words.

    Example:
        >>> iv = decision_intervals(y, flagged, prevalence=0.37)
        >>> iv.sensitivity, iv.missed, iv.cases
        ((0.852, 1.0), 0, 23)
    """

    sensitivity: Pair
    specificity: Pair
    ppv: Pair
    npv: Pair
    cases: int  # rows with the condition
    missed: int  # of them, not flagged
    method: str
    # under --group: the patients with the condition on any row (the interval counts
    # them), so a sentence never calls visits patients; None when rows are patients
    case_patients: int | None = None

    def per_1000(self, prevalence: float) -> dict[str, Pair]:
        """The per-1,000 counts' intervals at `prevalence`, keyed as `metrics.per_1000`."""
        cases, others = 1000 * prevalence, 1000 * (1 - prevalence)
        (se_lo, se_hi), (sp_lo, sp_hi) = self.sensitivity, self.specificity
        return {
            "caught": (cases * se_lo, cases * se_hi),
            "missed": (cases * (1 - se_hi), cases * (1 - se_lo)),
            "false_alarms": (others * (1 - sp_hi), others * (1 - sp_lo)),
            "reassured": (others * sp_lo, others * sp_hi),
        }


def decision_intervals(
    y: np.ndarray, flagged: np.ndarray, prevalence: float, ids: np.ndarray | None = None
) -> DecisionIntervals:
    """The operating point's intervals on these rows: exact without `ids`, a cluster
    bootstrap over patients with them (see the module's notes)."""
    y, flagged = np.asarray(y) == 1, np.asarray(flagged, dtype=bool)
    cases, others = int(y.sum()), int((~y).sum())
    caught, cleared = int((flagged & y).sum()), int((~flagged & ~y).sum())
    missed = cases - caught
    if ids is None:
        se, sp = exact(caught, cases), exact(cleared, others)
        half = 1 - (1 - LEVEL) / 2  # 97.5% each: both hold together at least 95%
        pv_pos, pv_neg = ppv_npv_limits(
            exact(caught, cases, half), exact(cleared, others, half), prevalence
        )
        method = (
            "95% intervals: exact (Clopper–Pearson) for sensitivity and specificity; for "
            "PPV and NPV, Bayes' rule at the prevalence used, applied to the ends of "
            "sensitivity's and specificity's 97.5% exact intervals (Bonferroni)"
        )
        return DecisionIntervals(se, sp, pv_pos, pv_neg, cases, missed, method)
    return _clustered(y, flagged, prevalence, np.asarray(ids), cases, missed)


def _clustered(y, flagged, prevalence, ids, cases, missed) -> DecisionIntervals:
    codes = np.unique(ids, return_inverse=True)[1]
    n_patients = int(codes.max()) + 1 if len(codes) else 0
    if n_patients < MIN_ENTITIES:
        method = (
            f"no 95% intervals: fewer than {MIN_ENTITIES} patients, too few for a bootstrap "
            "over patients"
        )
        return DecisionIntervals(
            NAN_PAIR, NAN_PAIR, NAN_PAIR, NAN_PAIR, cases, missed, method, len(set(ids[y]))
        )
    # Per patient: cases caught, cases, others cleared, others; a resample adds them up.
    per = np.stack(
        [
            np.bincount(codes, weights=w, minlength=n_patients)
            for w in (flagged & y, y, ~flagged & ~y, ~y)
        ],
        axis=1,
    )
    rng = np.random.default_rng(SEED)
    draws = per[rng.integers(0, n_patients, (RESAMPLES, n_patients))].sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        se_b, sp_b = draws[:, 0] / draws[:, 1], draws[:, 2] / draws[:, 3]
    pv_b = np.array([_bayes(s, p, prevalence) for s, p in zip(se_b, sp_b, strict=True)])
    tail = (1 - LEVEL) / 2 * 100

    def pct(values: np.ndarray) -> Pair:
        values = values[np.isfinite(values)]
        if not len(values):
            return NAN_PAIR
        low, high = np.percentile(values, [tail, 100 - tail])
        return float(low), float(high)

    se, sp = pct(se_b), pct(sp_b)
    pv_pos, pv_neg = pct(pv_b[:, 0]), pct(pv_b[:, 1])
    # At 0% or 100% every resample sits there too: the exact interval over the patients
    # (all of a patient's rows are then at that end), carried through Bayes' rule.
    # PPV and NPV then carry the 97.5% exact limits, as without --group (Bonferroni).
    ends, halves = [], []
    half = 1 - (1 - LEVEL) / 2
    for done, total in ((0, 1), (2, 3)):
        k, n = int(per[:, done].sum()), int(per[:, total].sum())
        at_end = n > 0 and k in (0, n)
        patients = int((per[:, total] > 0).sum())
        ends.append(exact(patients if k else 0, patients) if at_end else None)
        halves.append(exact(patients if k else 0, patients, half) if at_end else None)
    if any(ends):
        se, sp = ends[0] or se, ends[1] or sp
        pv_pos, pv_neg = ppv_npv_limits(halves[0] or se, halves[1] or sp, prevalence)
    method = (
        f"95% intervals: percentile bootstrap resampling whole patients ({RESAMPLES:,} "
        "resamples; exact Clopper–Pearson over patients for a figure at 0% or 100%, its "
        "97.5% limits carried through Bayes' rule for PPV and NPV); PPV and NPV by Bayes' "
        "rule at the prevalence used, on each resample"
    )
    case_patients = int((per[:, 1] > 0).sum())
    return DecisionIntervals(se, sp, pv_pos, pv_neg, cases, missed, method, case_patients)


def net_benefit_interval(
    y: np.ndarray,
    flagged: np.ndarray,
    threshold: float,
    prevalence: float | None = None,
    ids: np.ndarray | None = None,
) -> Pair:
    """The 95% percentile bootstrap interval of the net benefit of treating the flagged
    rows at threshold probability `threshold` (Vickers, Cronin, Elkin & Gonen, BMC Med
    Inform Decis Mak 8:53, 2008: bootstrap the decision curve).

    NB = Se·π − (1 − Sp)(1 − π)·pt/(1 − pt): with `prevalence` None π is each resample's
    own share of cases (TP/n − FP/n·pt/(1 − pt)), else the stated π, held fixed. Rows are
    resampled as their four counts (a row bootstrap of the 2×2 table is a multinomial
    draw of it); with `ids` (`--group`), whole patients (NaN pair under MIN_ENTITIES).

    Example:
        >>> y = np.r_[np.ones(30), np.zeros(70)]
        >>> low, high = net_benefit_interval(y, y == 1, 0.2)
        >>> low < 0.3 < high  # every case caught, no false alarm: NB = 0.3
        True
    """
    y, flagged = np.asarray(y) == 1, np.asarray(flagged, dtype=bool)
    cells = (flagged & y, ~flagged & y, flagged & ~y, ~flagged & ~y)  # TP, FN, FP, TN
    rng = np.random.default_rng(SEED)
    if ids is None:
        n = len(y)
        if n == 0:
            return NAN_PAIR
        counts = np.array([c.sum() for c in cells], dtype=float)
        draws = rng.multinomial(n, counts / n, size=RESAMPLES).astype(float)
    else:
        codes = np.unique(np.asarray(ids), return_inverse=True)[1]
        patients = int(codes.max()) + 1 if len(codes) else 0
        if patients < MIN_ENTITIES:
            return NAN_PAIR
        per = np.stack([np.bincount(codes, weights=c, minlength=patients) for c in cells], 1)
        draws = per[rng.integers(0, patients, (RESAMPLES, patients))].sum(axis=1)
    tp, fn, fp, tn = draws.T
    weight = threshold / (1 - threshold)
    with np.errstate(invalid="ignore", divide="ignore"):
        if prevalence is None:
            nb = (tp - fp * weight) / draws.sum(axis=1)
        else:
            se, sp = tp / (tp + fn), tn / (tn + fp)
            nb = se * prevalence - (1 - sp) * (1 - prevalence) * weight
    nb = nb[np.isfinite(nb)]
    if not len(nb):
        return NAN_PAIR
    tail = (1 - LEVEL) / 2 * 100
    low, high = np.percentile(nb, [tail, 100 - tail])
    return float(low), float(high)


def share_interval(pair: Pair) -> str:
    """An interval of shares in words: "85.2% to 100%" ("no interval" when unknown).

    Example:
        >>> share_interval((0.85181, 1.0)), share_interval((0.0, 0.1482))
        ('85.2% to 100%', '0% to 14.8%')
    """
    if not all(map(math.isfinite, pair)):
        return "no interval"
    return " to ".join(_end(v) for v in pair)


def _end(v: float) -> str:
    # the ends themselves are exact: "100%", never "100.0%" beside a 99.96% rounding
    return "0%" if v <= 0 else "100%" if v >= 1 else f"{v:.1%}"


def count_interval(pair: Pair) -> str:
    """A per-1,000 interval in words: "0 to 55" ("no interval" when unknown).

    Example:
        >>> count_interval((0.0, 54.8))
        '0 to 55'
    """
    if not all(map(math.isfinite, pair)):
        return "no interval"
    return f"{pair[0]:,.0f} to {pair[1]:,.0f}"
