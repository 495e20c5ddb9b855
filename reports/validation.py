"""Render a `Validation` (tuneplate validate) to one self-contained HTML page.

The page reads top-down for a validator or a model committee: the verdict and its
reasons, what was checked, the figures with outcomes (discrimination, calibration, the
vertical's tables at the run's frozen operating point), stability (PSI/CSI per column),
the figures over time and a glossary. Everything here is an aggregate of the new rows;
a period or a sample smaller than `MIN_PERIOD_ROWS` shows no rate, so no row's value shows.
The bands and sampling noise are the engine's (`Drift`, `Period`), read, never redone.

Example:
    >>> html = render_validation(v)
    >>> html.startswith("<!DOCTYPE html>")
    True
"""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
from markupsafe import Markup
from matplotlib.axes import Axes

from tuneplate.engine.contract.intervals import auroc_se
from tuneplate.engine.contract.monitoring import FOUR_FIFTHS
from tuneplate.engine.contract.profile import PSI_MAJOR, PSI_WATCH, SCORES
from tuneplate.engine.contract.schema import WARN_SHARE
from tuneplate.engine.records import Role, Table
from tuneplate.engine.validate import (
    FIX_EXTRACT,
    MIN_PERIOD_EVENTS,
    MIN_PERIOD_ROWS,
    NOT_JUDGED,
    RECALIBRATE,
    REDEVELOP,
    STILL,
    UNJUDGED,
    WATCH,
    Drift,
    Figure,
    Period,
    Validation,
)
from tuneplate.reports import figures
from tuneplate.reports.figures import BLUE, GREY, ORANGE, plain
from tuneplate.reports.formatters import MISSING, fmt_count, fmt_number, fmt_percent
from tuneplate.reports.glossary import GLOSSARY
from tuneplate.reports.render import env

LEVEL = {
    STILL: "good",
    UNJUDGED: "info",
    NOT_JUDGED: "info",
    FIX_EXTRACT: "stop",
    WATCH: "caution",
    RECALIBRATE: "stop",
    REDEVELOP: "stop",
}
# "within noise": a line crossed by no more than sampling alone gives, so neutral
LIGHT_LEVEL = {"red": "stop", "amber": "caution", "green": "good", "grey": "info"}
LIGHT_WORD = {"red": "fired", "amber": "look", "green": "not fired", "grey": "cannot tell"}
BAND_LEVEL = {"stable": "good", "within noise": "info", "look": "caution", "major shift": "stop"}
MOVED = ("look", "major shift")  # the bands that count: beyond the sampling noise
COUNTS = ("unreadable", "unknown_levels", "new_missing")  # per column, of the rows scored

GLOSSARY_ENTRIES = (
    ("AUROC", GLOSSARY["roc_auc"]),
    ("PSI (population stability index)", GLOSSARY["psi"]),
    (
        "CSI (characteristic stability index)",
        "The PSI's formula applied to one input: how far that column's spread on the new "
        "rows has moved from the development hold-out's; the same 0.10 and 0.25 bands.",
    ),
    (
        "Calibration-in-the-large",
        "How far the average predicted probability sits from the observed event rate, in "
        "log-odds; 0 is ideal, above 0 means more events than predicted.",
    ),
    ("Calibration slope", GLOSSARY["calibration_slope"]),
    (
        "Within noise",
        "A PSI or CSI past the 0.10 line but no higher than what sampling alone gives 95% "
        "of the time with these row counts: read as chance, not as a shift.",
    ),
    ("Development hold-out", GLOSSARY["hold-out"]),
)


LEADS = {
    FIX_EXTRACT: "Part of the model's inputs could not be read as at development: fix the "
    "extract and validate again before judging the model.",
    REDEVELOP: "The model no longer ranks as it did at development: redevelop it before "
    "further use.",
    RECALIBRATE: "The model still ranks, but its probabilities no longer match the outcomes: "
    "recalibrate it before relying on them (the cut-off included).",
    WATCH: "The model can stay in use, but what moved needs a look before the next review.",
    STILL: "The model ranks and its probabilities match on these rows as at development.",
    NOT_JUDGED: "Too few rows to judge stability, and no outcomes to judge performance: "
    "pool more rows and validate again.",
}
MONITORED = (  # the lead of UNJUDGED (no outcomes)
    "Scores and inputs are as stable as at development; without outcomes, ranking and "
    "calibration were not checked."
)


# WATCH's lead when rows hold another value in a column that had one at development:
# not a moved input the model still reads, but rows it was never developed on
UNSEEN = (
    "Rows here hold values the model never saw, in a column that had one value at "
    "development: retrain with such rows, or score only rows like those it was developed on."
)


def lead(v: Validation) -> str:
    """One sentence under the badge: what the verdict asks the reader to do."""
    if v.verdict == WATCH and any(d.one_value and d.problem for d in v.drift):
        return UNSEEN
    return MONITORED if v.verdict == UNJUDGED else LEADS.get(v.verdict, "")


def checked(v: Validation) -> list[tuple[str, str]]:
    """(label, text) pairs for "What was checked"."""
    pairs = [
        ("Run folder", v.run or MISSING),
        ("Use case", v.vertical_title),
        ("Model", v.model_words or v.model_family),
        ("Rows scored", fmt_count(v.rows)),
        ("Outcomes", "not given: stability only (monitoring)"),
    ]
    if v.with_outcomes:
        known = fmt_count(v.rows - v.rows_without_outcome)
        pairs[-1] = ("Outcomes", f"given: {known} rows with an outcome")
        without = "Rows without an outcome (scored, left out of the outcome figures)"
        pairs.append((without, fmt_count(v.rows_without_outcome)))
    if v.time:
        pairs.append(("Time column", v.time))
    return pairs


def signed(value: float | None) -> str:
    """A difference with its sign, three decimals: "+0.012", "-0.040", "—"."""
    text = fmt_number(value)
    return f"+{text}" if text != MISSING and value > 0 else text


def interval(pair: tuple[float, float] | None, sign: bool = False) -> str:
    """ "0.708 to 0.843" (signed for a difference), or "—" without one."""
    if pair is None or not all(math.isfinite(x) for x in pair):
        return MISSING
    show = signed if sign else fmt_number
    return f"{show(pair[0])} to {show(pair[1])}"


def figure_row(f: Figure, label: str) -> dict[str, str]:
    """One row of the outcome table: development, new and difference, with intervals."""
    better = "higher" if f.direction == "maximize" else "lower"
    return {
        "label": label,
        "better": f"{better} is better",
        "development": fmt_number(f.development),
        "development_interval": interval(f.development_interval),
        "new": fmt_number(f.new),
        "new_interval": interval(f.new_interval),
        "difference": signed(f.new - f.development),
        "difference_interval": interval(f.difference_interval, sign=True),
        "method": f.method[:1].upper() + f.method[1:] if f.method else "95% intervals",
    }


def auroc_is_score(v: Validation) -> bool:
    """True when the run's metric is ROC AUC: `v.auroc` is then the run's own score."""
    return v.score is None and v.metric.name == "roc_auc"


def figure_rows(v: Validation) -> list[dict[str, str]]:
    """One row per distinct figure: the run's own score, then AUROC (the verdict reads it)."""
    rows = []
    if v.score is not None:
        rows.append(figure_row(v.score, f"{v.score.label} (the run's score)"))
    if v.auroc is not None:
        rows.append(
            figure_row(v.auroc, "AUROC (the run's score)" if auroc_is_score(v) else "AUROC")
        )
    return rows


def calibration_rows(v: Validation) -> list[dict[str, str]]:
    """Calibration-in-the-large and slope: value, interval, ideal and what it means."""
    c = v.calibration
    if c is None:
        return []
    rows = []
    for label, value, pair, ideal, shown in (
        ("Calibration-in-the-large (log-odds)", c.intercept, c.intercept_interval, 0.0, signed),
        ("Calibration slope", c.slope, c.slope_interval, 1.0, fmt_number),
    ):
        finite = all(math.isfinite(x) for x in pair)
        if not finite:
            reading = "could not be fitted on these rows"
        elif pair[0] <= ideal <= pair[1]:
            reading = "ideal within the interval"
        elif ideal == 0.0:
            reading = "more events than predicted" if value > 0 else "fewer events than predicted"
        else:
            reading = "predictions too spread out" if value < 1 else "predictions too timid"
        rows.append(
            {
                "label": label,
                "value": shown(value),
                "interval": interval(pair, sign=ideal == 0.0),
                "ideal": f"{ideal:g}",
                "reading": reading,
                "off": finite and not pair[0] <= ideal <= pair[1],
            }
        )
    return rows


def rates_sentence(v: Validation) -> str:
    """Observed event rate against the mean predicted probability, on rows with an outcome."""
    known = v.rows - v.rows_without_outcome
    if not v.with_outcomes:
        return ""
    if known < MIN_PERIOD_ROWS:
        return (
            f"Only {fmt_count(known)} rows have an outcome, too few to show their event rate "
            "without revealing single rows."
        )
    return (
        f"On the {fmt_count(known)} rows with an outcome, {fmt_percent(v.event_rate)} had the "
        f"event; the model predicted {fmt_percent(v.mean_score)} on average."
    )


def operating_sentence(v: Validation) -> str:
    """Where the vertical's tables were evaluated: the cut-off frozen at the run."""
    if v.operating_threshold is None:
        return ""
    text = (
        f"At the run's operating point, frozen at development: a cut-off of "
        f"{fmt_percent(v.operating_threshold)} on the predicted probability"
    )
    point = v.headline.operating_point if v.headline is not None else ""
    return f"{text} ({point.rstrip('.')})." if point else f"{text}."


def flags(table: Table) -> dict[str, float]:
    """The cells `data_table` flags: adverse impact ratios under four-fifths."""
    label = figures.column(table, Role.ADVERSE_IMPACT)
    return {label: FOUR_FIFTHS} if label else {}


def _share(count: int, rows: int) -> str:
    return fmt_percent(count / rows) if rows else MISSING


def _order(d: Drift) -> tuple:
    """Scores first, then by PSI descending, unmeasured (NaN) last."""
    return (d.column != SCORES, -np.nan_to_num(d.psi, nan=-np.inf), d.column)


def drift_rows(v: Validation) -> list[dict]:
    """Every column's PSI/CSI, band, noise and counts; scores first, then by PSI descending."""
    rows = []
    for d in sorted((d for d in v.drift if not d.one_value), key=_order):
        scores = d.column == SCORES
        counts = {k: getattr(d, k) for k in COUNTS}
        rows.append(
            {
                "column": "Model scores" if scores else d.column,
                "scores": scores,
                "index": "PSI" if scores else "CSI",
                "psi": fmt_number(d.psi),
                "noise": fmt_number(d.noise),
                "band": d.band or "not measured",
                "level": BAND_LEVEL.get(d.band, "info"),
                # the scores have no reading problems of their own
                **{k: "" if scores else _share(n, d.rows) for k, n in counts.items()},
                "flagged": {k for k, n in counts.items() if d.rows and n / d.rows > WARN_SHARE},
            }
        )
    return rows


def constant_rows(v: Validation) -> list[dict]:
    """The columns the model left out because every development row held one value:
    that value and the share of the new rows holding another (or none)."""
    return [
        {
            "column": d.column,
            "value": d.one_value,
            "other": _share(d.other_values, d.rows),
            "flagged": bool(d.rows and d.other_values / d.rows > WARN_SHARE),
        }
        for d in v.drift
        if d.one_value
    ]


def stability_caption(v: Validation) -> str:
    """How to read the PSI table: the bands' rule, and the scores' sampling noise."""
    text = (
        f"Against the development hold-out. Under {PSI_WATCH:.2f}: stable; {PSI_WATCH:.2f} "
        f"to {PSI_MAJOR:.2f}: look; {PSI_MAJOR:.2f} or more: a major shift (Siddiqi 2006). "
        "A line counts only beyond the PSI that sampling alone stays under 95% of the time "
        "with these row counts (Yurdakul & Naranjo 2020); below that it reads within noise."
    )
    scores = next((d for d in v.drift if d.column == SCORES), None)
    if scores is not None and math.isfinite(scores.noise):
        text += f" For the scores that noise is {fmt_number(scores.noise)}."
    return text


def shown_periods(v: Validation) -> list[Period]:
    """The periods as the page shows them: the development hold-out (the reference, no
    PSI of its own) first; a later period under MIN_PERIOD_ROWS rows keeps its count only.

    The engine already leaves a small period's figures NaN; a hand-made record is held to
    the same rule, so no figure of a handful of rows reaches the page.
    """
    if not v.periods:
        return []
    hidden = dict.fromkeys(("event_rate", "auroc", "score_psi", "noise"), math.nan)
    hidden["band"], hidden["out_of_domain"] = "", {}
    later = [replace(p, **hidden) if p.rows < MIN_PERIOD_ROWS else p for p in v.periods[1:]]
    return [replace(v.periods[0], score_psi=math.nan, noise=math.nan, band="reference"), *later]


def period_rows(v: Validation) -> list[dict[str, str]]:
    """The over-time table, one row per `shown_periods`."""
    return [
        {
            "label": p.label,
            "rows": fmt_count(p.rows),
            "event_rate": fmt_percent(p.event_rate),
            "auroc": fmt_number(p.auroc),
            "psi": fmt_number(p.score_psi),
            "band": p.band,
            "level": BAND_LEVEL.get(p.band, "info"),
            "noise": fmt_number(p.noise),
            "outside": "; ".join(
                f"{c}: {fmt_count(k)} ({_share(k, p.rows)})" for c, k in p.out_of_domain.items()
            ),
        }
        for p in shown_periods(v)
    ]


def periods_title(v: Validation) -> str:
    """The over-time chart's conclusion, from the numbers.

    Example:
        >>> periods_title(v)
        'AUROC held between 0.74 and 0.79; scores stable'
    """
    dev, *later = shown_periods(v)
    parts = []
    aucs = [p for p in later if math.isfinite(p.auroc)]
    if aucs:
        low = min(aucs, key=lambda p: p.auroc)
        high = max(p.auroc for p in aucs)
        events = round(low.event_rate * low.rows) if math.isfinite(low.event_rate) else 0
        se = auroc_se(low.auroc, events, low.rows - events)
        fell = math.isfinite(dev.auroc) and math.isfinite(se) and low.auroc + 1.96 * se < dev.auroc
        if fell:
            parts.append(
                f"AUROC fell to {low.auroc:.2f} in {low.label} (development {dev.auroc:.2f})"
            )
        elif len(aucs) == 1:
            parts.append(f"AUROC {low.auroc:.2f} in {low.label}")
        else:
            parts.append(f"AUROC held between {low.auroc:.2f} and {high:.2f}")
    shifts = [p for p in later if math.isfinite(p.score_psi)]
    if shifts:
        worst = max(shifts, key=lambda p: p.score_psi)
        moved = [p for p in shifts if p.band in MOVED]
        top = max(moved, key=lambda p: p.score_psi, default=None)
        if worst.score_psi < PSI_WATCH:
            parts.append("scores stable")
        elif top is None:
            parts.append(f"score PSI up to {worst.score_psi:.2f}, within sampling noise")
        elif len(moved) == 1:
            parts.append(f"scores moved in {top.label} (PSI {top.score_psi:.2f})")
        else:
            parts.append(
                f"scores moved in {len(moved)} periods, most in {top.label} "
                f"(PSI {top.score_psi:.2f})"
            )
    return "; ".join(parts) if parts else "Figures per period"


def periods_chart(v: Validation) -> str | None:
    """AUROC (top, when outcomes were given) and score PSI (bottom) per period, as SVG."""
    if len(v.periods) < 2:
        return None
    dev, *later = shown_periods(v)
    x = np.arange(len(later))
    psi, noise, auc = (
        np.array([getattr(p, k) for p in later], dtype=float)
        for k in ("score_psi", "noise", "auroc")
    )
    moved = np.array([p.band in MOVED for p in later])  # orange: beyond the sampling noise
    with_auc = bool(np.isfinite(auc).any())

    def draw(ax: Axes) -> None:
        if with_auc:  # two panels sharing the periods, in place of the one axes given
            fig = ax.get_figure()
            ax.remove()
            top, ax = fig.subplots(2, 1, sharex=True)
            top.plot(x, auc, "o-", color=BLUE, lw=1.6, ms=3.5, label="New rows")
            if math.isfinite(dev.auroc):
                top.axhline(dev.auroc, color=GREY, ls="--", lw=1.2, label="Development hold-out")
            top.set_ylabel("AUROC")
            top.legend(loc="best", fontsize=8)
        ax.bar(x, np.nan_to_num(psi), color=np.where(moved, ORANGE, BLUE), width=0.6)
        for limit, dash in ((PSI_WATCH, ":"), (PSI_MAJOR, "--")):
            ax.axhline(limit, color=GREY, ls=dash, lw=1.0)
        if np.isfinite(noise).any():
            ax.plot(x, noise, "_", color="#444444", ms=10, mew=1.5, label="Sampling noise (95%)")
            ax.legend(loc="best", fontsize=8)
        ax.set_ylabel("Score PSI")
        ax.set_xticks(
            x, [plain(p.label) for p in later], rotation=45 if len(x) > 6 else 0, ha="right"
        )

    return figures.chart("periods", periods_title(v), draw, (6, 4.2 if with_auc else 3.0))


def render_validation(v: Validation) -> str:
    """The validation page as one HTML string (CSS and the chart inline).

    The money columns of the vertical's tables use the run's currency (`v.currency`).

    Example:
        >>> render_validation(v).startswith("<!DOCTYPE html>")
        True
    """
    chart = periods_chart(v) if v.periods else None
    return env.get_template("validation.html.jinja2").render(
        v=v,
        level=LEVEL.get(v.verdict, "info"),
        lead=lead(v),
        checked=checked(v),
        figure_rows=figure_rows(v),
        auroc_is_score=auroc_is_score(v),
        calibration=calibration_rows(v),
        rates=rates_sentence(v),
        operating=operating_sentence(v),
        tables=[(t, flags(t)) for t in v.tables],
        summary=list(v.headline.summary) if v.headline is not None else [],
        currency=v.currency,
        drift=drift_rows(v),
        constants=constant_rows(v),
        triggers=[(t, LIGHT_LEVEL[t.light], LIGHT_WORD[t.light]) for t in v.triggers],
        fired=sum(t.light == "red" for t in v.triggers),
        stability_caption=stability_caption(v),
        periods=period_rows(v),
        # the column of values outside the development's bounds, when a period has any
        outside=any(p.out_of_domain for p in shown_periods(v)),
        # Markup, not autoescaped: our own matplotlib SVG, which escapes its text.
        chart=chart and Markup(chart),
        chart_title=periods_title(v) if v.periods else "",
        glossary=GLOSSARY_ENTRIES,
        min_rows=MIN_PERIOD_ROWS,
        min_events=MIN_PERIOD_EVENTS,
    )


__all__ = [
    "calibration_rows",
    "checked",
    "constant_rows",
    "drift_rows",
    "figure_rows",
    "period_rows",
    "periods_chart",
    "periods_title",
    "render_validation",
]
