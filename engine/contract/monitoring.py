"""Is a frozen model still the one that was developed? Stability and the verdict rules.

Given the model's scores on new rows, the outcomes when known, and the development
profile (`profile.py`), this module measures stability: the scores' population
stability index (PSI) and each input's characteristic stability index (CSI, the same
formula on one input), banded at 0.10 and 0.25 (Siddiqi, *Credit Risk Scorecards*,
2006, ch. 8), a band counting only above what sampling alone gives 95% of the time: PSI
is about (1/n + 1/m) times a chi-squared variable with (bands - 1) degrees of freedom
(Yurdakul & Naranjo, J. Risk Model Validation 14(4), 2020), so 0.10 on 80 new rows can
be noise; when rows repeat an entity (a patient's visits), n and m count entities, not
rows (`profile.effective_entities`): an age is drawn once per patient, however many
visits repeat it. With the discrimination and calibration figures of `intervals.py` (AUROC and
its change from development, calibration-in-the-large and slope, each with a 95%
interval that counts entities when rows repeat one), it gives one verdict, by these
rules in this order (the moved inputs and the column problems of the third rule are
listed first whatever the verdict: a broken extract can look like a model that needs
recalibrating):

- "fix the extract first": BROKEN_SHARE or more of a model input's values could not
  be read, or are missing in a column that had none at development (a changed decimal
  mark, a column emptied by the export): the model scored those rows with the input
  missing, so no figure on them says how the model performs; or a numeric input's
  values lie almost all beyond the development's outer band with a median 8 times the
  development's or an eighth of it (a changed unit or reading: `Profile.unit_changes`;
  albumin in g/L, bilirubin in umol/L, thousands), which no count shows;
- "redevelop": the AUROC fell beyond the 95% interval of its change;
- "recalibrate": calibration-in-the-large's interval excludes 0, or the slope's 1;
- "drifting: watch": the scores' PSI is 0.10 or more, an input's CSI 0.25 or more
  (each beyond sampling noise, the inputs' noise shared Bonferroni-wise, and only from
  MIN_STABILITY_ROWS new rows), or more than 1% of a column's values could not be read,
  are new missing values or are levels the model did not learn, or more than 1% of the
  rows hold another value (or none) in a column every development row held one value in
  (the model left it out and never saw such rows: a population it was not developed on);
- otherwise "still performs as developed" when the rows have outcomes of both kinds,
  and "stable; performance not judged" when they do not (without outcomes the ranking
  and the calibration cannot be checked, only the scores' and inputs' stability), or
  "not judged: too few rows" when they have no outcomes and no PSI band was judged
  either (under MIN_STABILITY_ROWS rows): "stable" would claim what nothing showed.

Self-contained (numpy, pandas and this package by relative import), so `tuneplate
export` copies it into the exported project, whose validate.py gives the same verdict.

Example:
    >>> drift = drift_rows(profile, schema, encoded, scores, counts)
    >>> verdict(None, None, drift)
    ('drifting: watch', ("The input 'amount' moved: CSI 1.96 (0.25 or more is a major shift).",))
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from statistics import NormalDist

import numpy as np
import pandas as pd

from .counts import said_outside
from .intervals import MIN_ENTITIES, MIN_OUTCOMES, Calibration, Figure
from .profile import (
    PSI_MAJOR,
    PSI_WATCH,
    SCORES,
    effective_entities,
    effective_rows,
    within_entity_correlation,
)

# The run report's monitoring triggers (reports/monitoring.py words them; `tuneplate
# validate` evaluates them on new rows): defined once, here.
MONITOR_DROP = 0.05  # review when the live score is this share worse than the hold-out
CALIBRATION_DRIFT = 0.05  # observed vs predicted rate in a band, in absolute terms
FOUR_FIFTHS = 0.8  # adverse impact ratio: the four-fifths rule (29 CFR 1607.4(D))

MIN_STABILITY_ROWS = 100  # fewer new rows: too few for the chi-squared noise, no PSI band
TOO_FEW = "not judged: too few rows"  # a PSI's band on fewer than MIN_STABILITY_ROWS rows

STILL, WATCH = "still performs as developed", "drifting: watch"
RECALIBRATE, REDEVELOP = "recalibrate", "redevelop"
UNJUDGED = "stable; performance not judged"  # no outcomes (or one kind): nothing to rank
NOT_JUDGED = "not judged: too few rows"  # no outcomes, and too few rows for a PSI band
FIX_EXTRACT = "fix the extract first"  # a model input largely unreadable: figures unjudged
VERDICTS = (
    NOT_JUDGED,
    UNJUDGED,
    STILL,
    WATCH,
    FIX_EXTRACT,
    RECALIBRATE,
    REDEVELOP,
)  # mildest first
# A model input with this share of its new values unreadable, or missing where the
# development rows had them, is scored mostly as "missing": the AUROC and calibration on
# such rows measure the extract, not the model, so no performance verdict is given.
BROKEN_SHARE = 0.10


@dataclass(frozen=True)
class Drift:
    """One column's stability: PSI against the hold-out profile, and what did not fit.

    `column` is SCORES ("scores") for the model's predicted probabilities; `noise` the
    PSI that sampling alone stays under 95% of the time, from the `entities` the new rows
    are worth when they repeat one (NaN: from the rows); `band` (`band()`) "stable",
    "within noise", "look" or "major shift". Counts are of the `rows` scored; `problem`
    is the schema's one line when a count passes 1% of them (`ColumnCounts.problem`).
    A one-value column the model left out has no PSI (NaN, band ""): its row counts the
    rows holding another value than the development's one (`one_value`, `other_values`).
    """

    column: str
    psi: float
    band: str
    noise: float = math.nan
    rows: int = 0
    unreadable: int = 0
    unknown_levels: int = 0
    new_missing: int = 0
    # missing in a column that had some, when far beyond its development share
    # (`ColumnCounts.more_missing`): a column the extract left empty
    more_missing: int = 0
    problem: str = ""
    other_case: int = 0  # unknown levels that are learned ones in another case or spacing
    off_range: bool = False  # a change of unit, far off range (`Profile.unit_changes`)
    out_of_domain: int = 0  # values outside the bounds every development row kept
    off_codes: int = 0  # values a coded column's development rows never held (0 for 1/2)
    entities: float = math.nan  # what the noise counted for the new rows, when not rows
    # A column the model left out because every row it was tuned on held one value
    # (`schema.Constant`): that value as shown, and the rows holding another (or none).
    one_value: str = ""
    other_values: int = 0


# ------------------------------------------------------------------------- stability


def band(value: float, noise: float = 0.0) -> str:
    """The band of a PSI: "stable", "within noise", "look" or "major shift".

    Siddiqi (2006)'s lines, 0.10 ("look") and 0.25 ("major shift"), counted only above
    `noise` (`noise95`); "within noise" when a line is crossed but not the noise.
    """
    if not math.isfinite(value):
        return ""
    if value < PSI_WATCH:
        return "stable"
    if math.isfinite(noise) and value <= noise:
        return "within noise"
    return "major shift" if value >= PSI_MAJOR else "look"


def noise95(shares, n: int, m: int, tests: int = 1) -> float:
    """The PSI that sampling alone stays under 95% of the time.

    For `m` new rows against `n` development rows in bands of development `shares`:
    (1/n + 1/m) times the 95% quantile of chi-squared with (non-empty bands - 1)
    degrees of freedom (Yurdakul & Naranjo 2020), the quantile by Wilson & Hilferty
    (1931)'s cube-root approximation. `tests` columns judged at once share the 5%
    (Bonferroni): twenty inputs would otherwise flag one by chance on most files.

    Example:
        >>> round(noise95([0.1] * 10, 200, 80), 3)  # scipy's chi2.ppf gives 0.296
        0.296
    """
    k = int(np.sum(np.asarray(shares, dtype=float) > 0)) - 1
    if k < 1 or not n or not m:
        return math.nan
    z = NormalDist().inv_cdf(1 - 0.05 / max(tests, 1))
    quantile = k * (1 - 2 / (9 * k) + z * math.sqrt(2 / (9 * k))) ** 3
    return float(quantile * (1 / n + 1 / m))


def drift_rows(
    profile, schema, encoded: pd.DataFrame, scores: np.ndarray, counts: dict, clusters=None
):
    """Drift per column of new rows, the scores first.

    `encoded, counts = schema.encode(rows)`; `scores` the model's probabilities (n,);
    `clusters` the rows' entity codes (n,) when they repeat one (`--group`): the noise
    then counts the batch's effective entities, and the development's when the profile
    recorded them (`Profile.counted`; its rows in files saved before).
    Under MIN_STABILITY_ROWS rows every band is TOO_FEW: the chi-squared noise needs
    about five expected rows a band, and a handful of rows always looks "shifted".
    An input whose values sit almost all beyond the development's range (a change of
    unit: `Profile.off_range_by_column`) gets that line as its `problem` when its counts
    have none, so the verdict says "check the extract" first, as scoring warns.
    """
    n = len(encoded)
    # A patient's five visits repeat one age: its share moves by patients, not visits;
    # a lab result drawn afresh at each visit moves by visits. Each column counts what
    # its own within-patient correlation makes its rows worth (`effective_rows`).
    entities = n if clusters is None else effective_entities(clusters)
    index = profile.psi(schema, encoded, scores)
    beyond = {o.column: o for o in profile.off_range_found(schema, encoded)}
    said = set(said_outside(counts))  # their count lines already say these columns
    inputs = [f.name for f in schema.features if f.name in profile.columns]
    keys = {f.name: f.key for f in schema.features}

    def worth(values) -> tuple[float, float]:
        """(new, development) independent rows this column is worth."""
        if clusters is None:
            return float(n), float(profile.counted)
        icc = within_entity_correlation(_as_floats(values), clusters)
        development = effective_rows(profile.rows, profile.counted, icc)
        return effective_rows(n, entities, icc), development

    def judged(value: float, shares, tests: int, values) -> tuple[tuple[str, float], dict]:
        m, n_dev = worth(values)
        counted = {} if clusters is None else {"entities": m}
        if m < MIN_STABILITY_ROWS:
            return (TOO_FEW, math.nan), counted
        noise = noise95(shares, n_dev, m, tests)
        return (band(value, noise), noise), counted

    score_band, counted = judged(index[SCORES], profile.scores.shares, 1, scores)
    rows = [Drift(SCORES, index[SCORES], *score_band, n, **counted)]
    for name in inputs:
        c = counts.get(name)
        # A rare level's share swings on a few rows as PSI does: judged from as many rows.
        judge = c if c is None or n >= MIN_STABILITY_ROWS else replace(c, unknown_levels=0)
        found = {}
        if c is not None:
            found = dict(
                unreadable=c.unreadable,
                unknown_levels=c.unknown_levels,
                new_missing=c.new_missing,
                more_missing=c.missing if c.more_missing() else 0,
                problem=judge.problem() or "",
                other_case=c.other_case,
                out_of_domain=c.out_of_domain,
                off_codes=c.off_codes,
            )
        if name in beyond:
            # A change of unit: no count shows it, but a bound may (45 for a 0.45 rate),
            # and then the bound's line says it. Either way the verdict blames the file.
            if name not in said:
                lines = (found.get("problem"), beyond[name].line)
                found["problem"] = "; ".join(line for line in lines if line)
            found["off_range"] = beyond[name].unit  # far past the edge: the file, not drift
        shares = profile.columns[name].shares
        judged_band, counted = judged(index[name], shares, len(inputs), encoded[keys[name]])
        rows.append(Drift(name, index[name], *judged_band, n, **found, **counted))
    # The one-value columns left out, when the rows give them: judged from any number of
    # rows, since no development row held another value (no sampling noise to allow for).
    for constant in schema.constants or ():
        c = counts.get(constant.name)
        if c is None or not c.one_value:  # not in these rows: `constant_notes` says so
            continue
        rows.append(
            Drift(
                constant.name,
                math.nan,
                "",
                rows=n,
                problem=c.problem() or "",
                one_value=c.one_value,
                other_values=c.other_values,
            )
        )
    return tuple(rows)


def constant_notes(schema, columns, left_out=()) -> list[str]:
    """Sentences on the one-value columns these rows cannot be checked on.

    `columns`: the new rows' column names; `left_out`: the one-value columns the run's
    findings name ("constant_columns"), for a schema saved before their values were
    recorded (`schema.constants` None).
    """
    if schema.constants is None:
        if not left_out:
            return []
        names = ", ".join(map(repr, left_out))
        return [
            f"The run left out {names}, which held one value in every row it was tuned on, "
            "but its model file predates recording that value: whether these rows hold "
            "other values (rows the model never saw) cannot be checked; re-run 'tuneplate "
            "run' to record it."
        ]
    given = {str(c).strip() for c in columns}
    absent = [c for c in schema.constants if str(c.name).strip() not in given]
    if not absent:
        return []
    each = ", ".join(f"{c.name!r} ({c.shown})" for c in absent)
    return [
        f"Every row the run was tuned on held one value in {each}, so the model left it "
        "out; these rows lack the column, so whether they hold other values (rows the "
        "model never saw) cannot be checked."
    ]


def _as_floats(values) -> np.ndarray:
    """A column as floats for the within-entity correlation: categories by their codes
    (a level kept by each entity correlates as its code does)."""
    if isinstance(getattr(values, "dtype", None), pd.CategoricalDtype):
        codes = pd.Series(values).cat.codes.to_numpy(dtype=float)
        return np.where(codes < 0, np.nan, codes)
    return pd.to_numeric(pd.Series(values), errors="coerce").to_numpy(dtype=float)


# --------------------------------------------------------------------------- verdict


def verdict(
    discrimination: Figure | None,
    calibration: Calibration | None,
    drift: tuple[Drift, ...],
    event_rate: float = math.nan,
    mean_score: float = math.nan,
) -> tuple[str, tuple[str, ...]]:
    """The plain-words verdict and one sentence per figure that set it (module rules).

    Example:
        >>> verdict(auroc_fig, calibration_fit, drift, 0.6, 0.3)[0]
        'recalibrate'
    """
    # A broken extract (unreadable values, missing columns, new levels) or a moved input
    # can cause any of the verdicts below: it is always said, and said first. Only the
    # first is a fault of the extract; moved scores or inputs are the population's.
    extract = _drift_reasons(drift)
    header = (
        "Check the extract before acting on this verdict:"
        if any(d.problem and not d.one_value for d in drift)
        else "The new rows moved away from the development rows; weigh this before acting "
        "on this verdict:"
    )
    first = (header, *extract) if extract else ()
    # Unreadable values and blanks (where the column had none, or far more than it had)
    # are all scored as missing, so they add up. Values outside the bounds every
    # development row kept (-999, a negative duration) and codes none held (0/1 for a 1/2
    # flag) are scored as given, but they are the extract's fault as much.
    broken = {
        d.column: worst / d.rows
        for d in drift
        if d.column != SCORES
        and d.rows
        and (
            worst := max(
                d.unreadable + d.new_missing + d.more_missing,
                d.other_case,
                d.out_of_domain + d.off_codes,
            )
        )
        >= BROKEN_SHARE * d.rows
    }
    if broken:
        names = " and ".join(f"{share:.0%} of {c!r}" for c, share in broken.items())
        return FIX_EXTRACT, (
            f"The model could not read {names} as at development (unreadable, missing in "
            "a column that had none or far more often than it had, levels written in "
            "another case, values outside the bounds every development row kept, such as "
            "-999, or codes no development row held, such as 0 for a 1/2 flag): it scored "
            "these rows "
            "without them or with values it never saw, so the figures here describe the "
            "extract, not the model. Fix the extract and validate again:",
            *extract,
        )
    unit = [d.column for d in drift if d.off_range]
    if unit:  # read 1,000 times too large: "redevelop" would blame the model for the file
        names = " and ".join(map(repr, unit))
        return FIX_EXTRACT, (
            f"The values of {names} lie almost all beyond the development's range, the mark "
            "of a changed unit or reading (thousands, g/L for g/dL, a percent for a "
            "fraction, a decimal mark read as a thousands separator): the model scored "
            "values it never saw, so the figures here describe the extract, not the model. "
            "Fix the extract and validate again:",
            *extract,
        )
    a = discrimination  # the AUROC figure
    if a is not None and a.difference_interval is not None and a.difference_interval[1] < 0:
        low, high = a.difference_interval
        return REDEVELOP, (
            *first,
            f"AUROC fell from {a.development:.3f} on the development hold-out to {a.new:.3f} "
            f"on the new rows (difference {a.new - a.development:+.3f}, 95% interval "
            f"{low:+.3f} to {high:+.3f}): the model no longer ranks as developed.",
        )
    reasons = _calibration_reasons(calibration, event_rate, mean_score)
    if reasons:
        return RECALIBRATE, (*first, *reasons)
    if extract:
        return WATCH, extract
    parts = []
    if a is not None:
        parts.append(f"AUROC {a.new:.3f} against {a.development:.3f} at development")
    scores = next((d for d in drift if d.column == SCORES), None)
    untold = _stability_untold(drift)
    if scores is not None:
        parts.append(f"score PSI {scores.psi:.2f}" + (" (not judged)" if untold else ""))
    if a is None and calibration is None:
        # "still performs" would claim what no outcome on these rows showed, and "stable"
        # what no band showed on too few rows
        if untold:
            return NOT_JUDGED, (
                f"{untold}; and no outcomes of both kinds, so ranking (AUROC) and "
                "calibration could not be checked either: nothing on these rows says "
                "whether the model is stable. Pool more rows (a whole month or quarter) "
                "and validate again.",
            )
        stable = f" (score PSI {scores.psi:.2f})" if scores is not None else ""
        return UNJUDGED, (
            "No outcomes of both kinds on these rows, so ranking (AUROC) and calibration "
            f"could not be checked; the scores and inputs are as stable as at development"
            f"{stable}. Validate again once outcomes are known.",
        )
    unjudged = (
        *_unjudged(a, calibration),
        *((f"But {untold[0].lower()}{untold[1:]}.",) if untold else ()),
    )
    if not parts:
        return STILL, ("No figure on these rows crosses a rule.", *unjudged)
    return STILL, ("No verdict rule is crossed: " + "; ".join(parts) + ".", *unjudged)


def _stability_untold(drift: tuple[Drift, ...]) -> str:
    """Why no PSI band was judged ("" when one was): too few rows, or no profile."""
    if any(d.band not in (TOO_FEW, "") for d in drift):
        return ""
    if not drift:
        return (
            "Stability was not judged: the run's model file has no development profile to "
            "compare with"
        )
    rows = drift[0].rows
    worth = max((d.entities for d in drift if math.isfinite(d.entities)), default=math.nan)
    counted = (
        f"{rows:,} rows, worth at most {worth:,.0f} independent ones as their entities repeat"
        if math.isfinite(worth) and worth < rows
        else f"{rows:,} rows"
    )
    return (
        f"Stability was not judged: {counted}, under the {MIN_STABILITY_ROWS} the PSI "
        "and CSI need (a few rows always look shifted), so their figures are shown as not "
        "judged"
    )


def _unjudged(a: Figure | None, c: Calibration | None) -> tuple[str, ...]:
    """A sentence when a rule could not be applied for want of an interval (e.g. fewer
    than MIN_ENTITIES patients or customers): "still performs" must not hide it."""
    missing = []
    if a is not None and not (
        a.difference_interval and all(map(math.isfinite, a.difference_interval))
    ):
        missing.append("the AUROC's change")
    if c is not None and not all(map(math.isfinite, (*c.intercept_interval, *c.slope_interval))):
        missing.append("calibration")
    if not missing:
        return ()
    return (
        f"But {' and '.join(missing)} could not be judged: no interval (fewer than "
        f"{MIN_OUTCOMES} events or non-events on these rows or on the development hold-out, "
        f"or fewer than {MIN_ENTITIES} patients or customers).",
    )


def _calibration_reasons(c: Calibration | None, event_rate, mean_score) -> tuple[str, ...]:
    if c is None:
        return ()
    reasons = []
    low, high = c.intercept_interval
    if math.isfinite(low) and (low > 0 or high < 0):
        side = "more" if c.intercept > 0 else "fewer"
        reasons.append(
            f"Calibration-in-the-large is {c.intercept:+.2f} log-odds (95% interval "
            f"{low:+.2f} to {high:+.2f}, 0 is ideal): {side} events than predicted "
            f"({event_rate:.1%} observed, {mean_score:.1%} predicted on average)."
        )
    low, high = c.slope_interval
    if math.isfinite(low) and (low > 1 or high < 1):
        spread = "too spread out" if c.slope < 1 else "too timid"
        reasons.append(
            f"The calibration slope is {c.slope:.2f} (95% interval {low:.2f} to "
            f"{high:.2f}, 1 is ideal): the predicted probabilities are {spread}."
        )
    return tuple(reasons)


def _drift_reasons(drift: tuple[Drift, ...]) -> tuple[str, ...]:
    reasons = []
    scores = next((d for d in drift if d.column == SCORES), None)
    if scores is not None and scores.band in ("look", "major shift"):
        reasons.append(
            f"The scores moved: PSI {scores.psi:.2f} against the development hold-out "
            f"({PSI_WATCH:.2f} or more: look; {PSI_MAJOR:.2f} or more: a major shift; "
            f"sampling alone stays under {scores.noise:.3g} on these rows)."
        )
    moved = sorted(
        (d for d in drift if d.column != SCORES and d.band == "major shift"), key=lambda d: -d.psi
    )
    for d in moved[:3]:
        reasons.append(
            f"The input {d.column!r} moved: CSI {d.psi:.2f} "
            f"({PSI_MAJOR:.2f} or more is a major shift)."
        )
    if len(moved) > 3:
        reasons.append(f"{len(moved) - 3} more input(s) moved as much; see the table.")
    # a one-value column that varies: rows of a population the model was not developed on
    reasons += [f"{d.problem}." for d in drift if d.problem and d.one_value]
    reasons += [f"{d.problem}; check the extract." for d in drift if d.problem and not d.one_value]
    return tuple(reasons)
