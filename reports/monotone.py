"""The report's monotone-constraints section: each constrained column in words, what
the constraints cost on the hold-out, and `--monotone auto`'s proposal with the
aggregate statistic behind each direction (Spearman's rho, its p-value), for the
analyst to confirm before fixing them with `--monotone col=+1,...`.
"""

from __future__ import annotations

from typing import Any

from tuneplate.engine.monotone import describe
from tuneplate.engine.results import Results
from tuneplate.reports.formatters import fmt_count, fmt_number, signed


def monotone(results: Results) -> dict[str, Any] | None:
    """The run's monotone constraints in words and what they cost on the hold-out
    (`--monotone`; None for a run without them).

    Keys: "lines" (one per constrained column) and "cost" (the hold-out score with and
    without the constraints, their paired difference and its 95% interval); "auto"
    (`--monotone auto`, else None): "note" (how the directions were proposed, for the
    analyst to confirm, with the `--monotone` that fixes them) and "free" (the columns
    left free, with why).

    Example:
        >>> monotone(results)["lines"]
        ['credit_amount: the probability of the event rises with it (+1)']
    """
    m = (results.data or {}).get("monotone")
    if not isinstance(m, dict) or not (m.get("constraints") or m.get("auto")):
        return None
    auto = auto_proposal(m)
    if not m.get("constraints"):  # `auto` found no clear direction, and none was given
        return {"lines": [], "cost": "No column was constrained.", "auto": auto}
    label, d, interval = results.metric.label, m.get("difference"), m.get("interval")
    cost = (
        f"The tuned model's hold-out {label}: {fmt_number(m.get('holdout'))} with the constraints, "
        f"{fmt_number(m.get('free_holdout'))} without them (the same settings and boosting "
        "rounds refitted on the same rows without the constraints)"
    )
    if isinstance(d, int | float) and interval:
        low, high = interval
        verdict = (
            "the constraints cost score"
            if high < 0
            else "the constrained model is better"
            if low > 0
            else "no measurable cost"
        )
        shown = [signed(v, 3) for v in (d, low, high)]
        cost += (
            f": difference {shown[0]} (95% paired bootstrap interval {shown[1]} to "
            f"{shown[2]}; positive favours the constraints), {verdict}."
        )
    else:
        cost += "."
    lines = describe(m["constraints"])
    proposed = ((m.get("auto") or {}).get("proposed")) or {}
    lines = [
        f"{line}, proposed from the data ({_rho(proposed[c])})" if c in proposed else line
        for c, line in zip(m["constraints"], lines, strict=True)
    ]
    return {"lines": lines, "cost": cost, "auto": auto}


def _rho(stats: dict[str, Any]) -> str:
    """ "Spearman's rho +0.206, p < 0.001": a column's aggregate test, for the report."""
    rho, p = stats.get("rho"), stats.get("p")
    if not isinstance(rho, int | float) or not isinstance(p, int | float):
        return "no statistics recorded"
    shown = "p < 0.001" if p < 0.001 else f"p = {p:.3f}"
    return f"Spearman's rho {signed(rho, 3)}, {shown}"


def auto_proposal(m: dict[str, Any]) -> dict[str, Any] | None:
    """`--monotone auto`'s part of the monotone section (None without `auto`)."""
    auto = m.get("auto")
    if not isinstance(auto, dict):
        return None
    proposed = auto.get("proposed") or {}
    given = auto.get("given") or {}
    flag = ",".join(f"{c}={int(s):+d}" for c, s in (m.get("constraints") or {}).items())
    stats = auto.get("statistics") or {}
    # given directions the data's clear sign contradicts (engine/monotone_auto.propose);
    # a results.json from before the field re-derives nothing and names none
    against = [c for c in auto.get("against") or [] if c in stats]
    note = (
        f"--monotone auto proposed {fmt_count(len(proposed))} direction(s) from "
        f"{auto.get('rule', 'the development rows')} ({fmt_count(auto.get('rows'))} development "
        "rows; the hold-out was not used). A correlation on its own ignores the other "
        "inputs, so check that each direction is one the business expects"
        + (f"; the directions you gave ({', '.join(given)}) were kept as given" if given else "")
        + (
            f", although the data's sign is the opposite for {', '.join(against)} "
            f"({'; '.join(_rho(stats[c]) for c in against)})"
            if against
            else ""
        )
        + (f". Once confirmed, fix them with --monotone {flag}." if flag else ".")
    )
    free = [f"{column}: {why}" for column, why in (auto.get("free") or {}).items()]
    return {"note": note, "free": free}
