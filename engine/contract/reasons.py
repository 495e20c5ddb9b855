"""Reason codes: each row's decision and the inputs that raised its risk, worded.

Shared by `tuneplate explain` and an exported project's `score.py --reasons`: this
module is copied verbatim into the project's `contract/` (standard library, numpy and
pandas only, siblings by relative import), so both write the same table from the same
contributions.

A row's reasons are the inputs with the largest positive contributions to its log-odds
(the model's own exact per-row contributions: TreeSHAP for LightGBM and XGBoost,
Lundberg et al., Nature Machine Intelligence 2, 2020; coef * (x - training mean) for a
logistic regression), largest first, at most `top` of them: the "principal reasons" of
an adverse-action notice (US Regulation B, 12 CFR 1002.9(b)(2); its official commentary
says more than four reasons are not likely to be helpful). A row on the event side
(declined, flagged) always gets one.

Each reason says where the row's value stands among the development hold-out rows for
that input, from the model's saved profile (`profile.Bands`: band edges and shares,
aggregates only), e.g. "high (top 20%)", so nothing is read from any single training
row; a level is named as itself (the row's own value, in the user's own output).

Example:
    >>> words = ReasonWords("declined", "approved", inclusive=False, score="PD",
    ...                     raises="raises the PD")
    >>> table = reason_table(schema, encoded, contributions, proba, 0.3, words, profile)
    >>> table.loc[0, "reason_1"]
    'credit_amount: high (top 20%) — raises the PD'
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Any

import numpy as np
import pandas as pd

from .bands import Bands
from .profile import Profile
from .schema import OTHER, Schema

TOP = 4  # reasons per row, the usual count on an adverse-action notice (Regulation B)
PARTS = ("_column", "", "_logodds")  # per reason k: reason_k_column, reason_k, reason_k_logodds
# The column naming a row's inputs that could not be read or lie outside the bounds every
# development row kept: its reasons then rest on a value the model never learned from.
SUSPECT = "suspect_inputs"


@dataclass(frozen=True)
class ReasonWords:
    """How a vertical words its decision and its reasons; the defaults suit any risk.

    Args:
        risky: the decision on the event side ("declined", "flagged").
        clear: the other decision ("approved", "not flagged").
        inclusive: a probability equal to the threshold is on the event side.
        score: what the probability is called ("PD", "risk").
        raises: the effect of a reason, after its column and position.
        relief: the effect of the one reason a row on the event side gets when no input
            raised its risk (the average row is already above the threshold).
        title: what the reasons are called ("reasons", "main risk factors").

    Example:
        >>> ReasonWords().reason("age", "high (top 10%)")
        'age: high (top 10%) — raises the risk'
    """

    risky: str = "flagged"
    clear: str = "not flagged"
    inclusive: bool = True
    score: str = "risk"
    raises: str = "raises the risk"
    relief: str = "lowers the risk least; the average risk is above the threshold"
    title: str = "reasons"

    def is_risky(self, proba: np.ndarray, threshold: float) -> np.ndarray:
        """(n,) bool: on the event side of `threshold` (probabilities of the event)."""
        proba = np.asarray(proba, dtype=float)
        return proba >= threshold if self.inclusive else proba > threshold

    def reason(self, column: str, stands: str, relief: bool = False) -> str:
        """One reason: the column, where its value stands, and its effect."""
        return f"{column}: {stands} — {self.relief if relief else self.raises}"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ReasonWords:
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})


def reason_table(
    schema: Schema,
    encoded: pd.DataFrame,
    contributions: np.ndarray,
    proba: np.ndarray,
    threshold: float,
    words: ReasonWords,
    profile: Profile | None = None,
    top: int = TOP,
    rows: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """One row per input row: row, probability, decision, then the top reasons.

    Args:
        schema: the model's schema (its inputs, in order, and their kinds).
        encoded: `schema.encode(rows)[0]` (internal column names).
        contributions: (n, k) log-odds contributions, one column per schema input in
            `schema.names` order, without the base value.
        proba: (n,) probability of the event (calibrated when the model is).
        threshold: the run's operating threshold on `proba`.
        words: the vertical's `ReasonWords`.
        profile: the model's development profile (band positions); None words a number
            as "its value".
        top: reasons per row, 1 or more.
        rows: the rows as given (`encoded` was read from them), to say which of each
            row's inputs could not be read or lie outside the bounds every development
            row kept (`Schema.suspects`); None leaves that column out.

    Returns:
        Columns row (1-based), probability, decision, SUSPECT (with `rows`: those inputs
        and what is wrong, empty for a row without any, so a reason built on an
        impossible value is not read as a normal one), and per k = 1..top:
        reason_k_column, reason_k (the wording), reason_k_logodds; empty (NaN) where a
        row has fewer reasons. Ties keep the schema's column order (a stable sort), so a
        re-run gives the same reasons.
    """
    values = np.asarray(contributions, dtype=float).reshape(len(encoded), len(schema.names))
    names = list(schema.names)
    risky = words.is_risky(proba, threshold)
    order = np.argsort(-values, axis=1, kind="stable")
    kinds = {f.name: f.kind for f in schema.features}
    inputs = {n: encoded[key].to_numpy(dtype=object) for n, key in schema.keys.items()}
    bands = dict(profile.columns) if profile is not None else {}
    cells: dict[str, list] = {f"reason_{k}{s}": [] for k in range(1, top + 1) for s in PARTS}
    for i in range(len(values)):
        chosen = [j for j in order[i][:top] if values[i, j] > 0]
        relief = not chosen and bool(risky[i]) and len(names) > 0
        if relief:  # on the event side with nothing raising it: the base value did
            chosen = [order[i][0]]
        for k in range(1, top + 1):
            j = chosen[k - 1] if k <= len(chosen) else None
            name = names[j] if j is not None else None
            wording = None
            if name is not None:
                stands = describe(kinds[name], inputs[name][i], bands.get(name))
                wording = words.reason(name, stands, relief)
            cells[f"reason_{k}_column"].append(name)
            cells[f"reason_{k}"].append(wording)
            cells[f"reason_{k}_logodds"].append(float(values[i, j]) if j is not None else None)
    head = {
        "row": np.arange(1, len(values) + 1),
        "probability": np.asarray(proba, dtype=float),
        "decision": np.where(risky, words.risky, words.clear),
    }
    if rows is not None:
        head[SUSPECT] = schema.suspects(rows)
    return pd.DataFrame({**head, **cells})


def describe(kind: str, value: Any, bands: Bands | None) -> str:
    """Where one encoded value stands, in a few words.

    A level is named ("level 'A11'"; a pooled rare or unseen one "a rare level"), a
    flag is yes or no, a number or date by the share of hold-out rows in its profile band
    and beyond: "high (top 20%)", "low (bottom 30%)", "mid-range (40–60%)"; dates say
    late and early. A band at an end that holds most rows is named as common, not high or
    low: "top band, shared by 54%". Without a profile band, "its value".

    Example:
        >>> describe("numeric", 9000.0, Bands((0.5, 0.3, 0.2, 0.0), edges=(2000.0, 5000.0)))
        'high (top 20%)'
    """
    if value is None or pd.isna(value):
        return "missing"
    if kind == "categorical":
        return "a rare level" if str(value) == OTHER else f"level {str(value)!r}"
    if kind == "boolean":
        return "yes" if float(value) else "no"
    span = _span(bands, float(value)) if bands is not None else None
    if span is None:
        return "its value"
    lo, hi = span
    high, low = ("late", "latest") if kind == "datetime" else ("high", "top")
    small, bottom = ("early", "earliest") if kind == "datetime" else ("low", "bottom")
    if hi - lo > 0.5 and (lo > 0 or hi < 1):
        # one band at an end holding most rows (the top of a 1-4 scale, 54% of rows):
        # "high (top 54%)" would call the usual value high
        return f"{low if lo > 0 else bottom} band, shared by {_percent(hi - lo)}"
    if lo > 0 and (lo >= 0.5 or hi >= 1):
        return f"{high} ({low} {_percent(1 - lo)})"
    if hi <= 0.5 or lo <= 0:
        return f"{small} ({bottom} {_percent(hi)})"
    return f"mid-range ({_percent(lo)}–{_percent(hi)})"


def _span(bands: Bands, value: float) -> tuple[float, float] | None:
    """The share of hold-out rows below the value's band and up to its top, or None."""
    if not bands.edges or not np.isfinite(value):
        return None
    finite = np.asarray(bands.shares[:-1], dtype=float)  # the last share is "missing"
    total = finite.sum()
    if total <= 0:
        return None
    band = int(np.searchsorted(np.asarray(bands.edges, dtype=float), value, side="left"))
    cumulative = np.concatenate([[0.0], np.cumsum(finite) / total])
    return float(cumulative[band]), float(min(cumulative[band + 1], 1.0))


def _percent(share: float) -> str:
    return f"{min(100, max(1, round(100 * share)))}%"  # never "top 0%"
