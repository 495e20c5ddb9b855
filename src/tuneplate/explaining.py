"""`tuneplate explain`: each row's probability, decision and reason codes from a run's model.

Loads the run folder (read only: nothing in it is written), scores the rows with the
run's frozen model, takes the decision at the run's operating point
(`results.headline.figures["operating_threshold"]`) and, from `Model.explain`'s log-odds
contributions, lists the inputs that pushed each row's risk up the most, largest first.
A reason names only a model input, so never a protected or excluded column (they are
not inputs; checked). The table holds the user's own rows' values, as any scoring output
does, so it is written where the user says and never into the run folder.

Example:
    >>> reasons = explain_run("tuneplate-runs/credit-risk", "applicants.csv", top=4)
    >>> reasons.table.loc[0, ["probability", "decision", "reason_1"]].tolist()
    [0.41, 'declined', 'duration_in_month: high for this model (pushes PD up)']
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from tuneplate.engine.contract.errors import TuneplateError
from tuneplate.engine.contract.profile import Bands
from tuneplate.engine.families.models import BASE_VALUE
from tuneplate.engine.results import Results
from tuneplate.engine.runs.run_folder import refuse_if_in_use
from tuneplate.engine.runs.writable import require_creatable
from tuneplate.engine.validate import recommended
from tuneplate.validation import read_rows

TOP = 4  # reasons per row, the usual count on an adverse-action notice


@dataclass(frozen=True)
class Decision:
    """How a vertical words its decision at the operating threshold.

    `risky` is the word for rows on the event side (declined, flagged), `clear` for the
    others; `inclusive`: a probability equal to the threshold is on the event side;
    `score`: what the probability is called in a reason ("PD", "risk").
    """

    risky: str
    clear: str
    inclusive: bool
    score: str

    def is_risky(self, proba: np.ndarray, threshold: float) -> np.ndarray:
        return proba >= threshold if self.inclusive else proba > threshold


# Credit approves PD <= cut-off (verticals/credit_risk/metrics.py, `operating_point`);
# diagnosis flags risk >= threshold (verticals/diagnosis/metrics.py). A plugin vertical
# gets the diagnosis-like default.
DECISIONS = {
    "credit-risk": Decision("declined", "approved", inclusive=False, score="PD"),
    "diagnosis": Decision("flagged", "not flagged", inclusive=True, score="risk"),
}
DEFAULT_DECISION = Decision("flagged", "not flagged", inclusive=True, score="risk")


@dataclass(frozen=True)
class Reasons:
    """`explain_run`'s answer: the table (one row per input row) and how it was decided.

    `table` columns: row (1-based position in the input), probability (of the event),
    decision, then per reason k = 1..top: reason_k_column, reason_k (the wording) and
    reason_k_logodds (its contribution); empty where a row has fewer reasons.
    """

    table: pd.DataFrame
    threshold: float
    decision: Decision
    top: int

    @property
    def risky(self) -> int:
        return int((self.table["decision"] == self.decision.risky).sum())


def explain_run(
    run_dir: str | Path,
    data: pd.DataFrame | str | Path,
    out: str | Path | None = None,
    top: int = TOP,
    overwrite: bool = False,
) -> Reasons:
    """Reason codes for `data` from the model of `run_dir`; write them to `out` (CSV).

    Every row gets up to `top` reasons: the inputs whose contribution raised its
    log-odds, largest first. A row on the event side (declined, flagged) always gets at
    least one: when no input raised its risk (the average row is already above the
    threshold), its least-lowering input is given, worded so.

    Args:
        run_dir: a binary run folder written by `tuneplate run` (or `Results.save`).
        data: the rows: a DataFrame, or a CSV/Parquet path (read with the training
            file's reading rules, as `tuneplate validate` reads new rows).
        out: the CSV to write (outside the run folder); None writes nothing.
        top: reasons per row, 1 or more.
        overwrite: replace an existing `out`.

    Raises:
        TuneplateError: one line naming the problem and the fix (no run folder, a run
            without a model or an operating threshold, an existing `out` without
            `overwrite`, `out` inside the run folder, rows the model cannot read).
    """
    run_dir = Path(run_dir)
    if isinstance(top, bool) or not isinstance(top, int) or top < 1:
        raise TuneplateError(f"--top must be a whole number of 1 or more, got {top!r}")
    if out is not None:
        _check_out(Path(out), run_dir, overwrite)
    refuse_if_in_use(run_dir)  # a run still writing there: its model may be half-saved
    # The model the report recommends, with its own operating point: the simple
    # baseline's when the tuned model did not beat it (saved in baseline/).
    results, _ = recommended(Results.load(run_dir))
    model = results.model
    if model is None or not hasattr(model, "explain"):
        raise TuneplateError(
            f"{str(run_dir)!r} holds no binary model to explain (a ranking run, or no "
            "model.json); give a run folder of a binary vertical"
        )
    threshold = results.headline.figures.get("operating_threshold")
    if threshold is None or not math.isfinite(float(threshold)):
        raise TuneplateError(
            f"{str(run_dir)!r} records no operating threshold (the run predates it); "
            "re-run 'tuneplate run' to explain its decisions"
        )
    hidden = {*results.data.get("protected", ()), *results.data.get("excluded", ())}
    if used := sorted(hidden & set(model.schema.names)):
        raise TuneplateError(
            f"the model uses protected or excluded column(s) {used}; no reasons are given "
            "from such a model: re-run with those columns left out"
        )
    data = read_rows(data, results, "the table of rows to explain")
    decision = DECISIONS.get(results.vertical, DEFAULT_DECISION)
    proba = np.asarray(model.predict_proba(data)[:, 1], dtype=float)
    contributions = model.explain(data).drop(columns=BASE_VALUE)
    encoded = model.schema.encode(data)[0]
    risky = decision.is_risky(proba, float(threshold))
    table = _table(model, encoded, contributions, proba, risky, decision, top)
    named = {c for k in range(1, top + 1) for c in table[f"reason_{k}_column"].dropna()}
    if named & hidden:  # cannot happen (reasons name inputs only); never let one out
        raise TuneplateError(f"a reason named a protected or excluded column {sorted(named)}")
    if out is not None:
        table.to_csv(out, index=False)
    return Reasons(table, float(threshold), decision, top)


def _table(model, encoded, contributions, proba, risky, decision, top) -> pd.DataFrame:
    """One row per input row: probability, decision and the top reasons, largest first."""
    values = contributions.to_numpy()
    names = list(contributions.columns)
    # Stable order: ties keep the schema's column order, so a re-run gives the same reasons.
    order = np.argsort(-values, axis=1, kind="stable")
    medians = _medians(model)
    kinds = {f.name: f.kind for f in model.schema.features}
    inputs = {n: encoded[k].to_numpy(dtype=object) for n, k in model.schema.keys.items()}
    cells: dict[str, list] = {f"reason_{k}{s}": [] for k in range(1, top + 1) for s in _PARTS}
    for i in range(len(values)):
        chosen = [j for j in order[i][:top] if values[i, j] > 0]
        relief = not chosen and risky[i] and len(names) > 0
        if relief:  # on the event side with nothing raising it: the base value did
            chosen = [order[i][0]]
        for k in range(1, top + 1):
            j = chosen[k - 1] if k <= len(chosen) else None
            name = names[j] if j is not None else None
            value = inputs[name][i] if name is not None else None
            wording = None
            if name is not None:
                effect = (
                    f"lowers {decision.score} least; the average {decision.score} is above the "
                    "threshold"
                    if relief
                    else f"pushes {decision.score} up"
                )
                wording = f"{name}: {_describe(kinds[name], value, medians.get(name))} ({effect})"
            cells[f"reason_{k}_column"].append(name)
            cells[f"reason_{k}"].append(wording)
            cells[f"reason_{k}_logodds"].append(float(values[i, j]) if j is not None else None)
    head = {
        "row": np.arange(1, len(values) + 1),
        "probability": proba,
        "decision": np.where(risky, decision.risky, decision.clear),
    }
    return pd.DataFrame({**head, **cells})


_PARTS = ("_column", "", "_logodds")


def _describe(kind: str, value, median: float | None) -> str:
    """A value in a few words: a level as itself, a number as high or low for the model."""
    if value is None or pd.isna(value):
        return "missing"
    if kind == "categorical":
        return repr(str(value))
    if kind == "boolean":
        return "yes" if float(value) else "no"
    if median is None:
        return "its value"
    above = float(value) > median
    if kind == "datetime":
        return "late for this model" if above else "early for this model"
    return "high for this model" if above else "low for this model"


def _medians(model) -> dict[str, float]:
    """Each numeric input's approximate hold-out median, from the model's saved profile.

    The profile keeps band edges and shares only (no row's value): the median is taken
    as the edge whose share of rows below is nearest one half. Empty without a profile.
    """
    profile = getattr(model, "profile", None)
    if profile is None:
        return {}
    return {
        name: median
        for name, bands in profile.columns.items()
        if (median := _median(bands)) is not None
    }


def _median(bands: Bands) -> float | None:
    if not bands.edges:
        return None
    finite = np.asarray(bands.shares[:-1], dtype=float)  # the last share is "missing"
    if finite.sum() <= 0:
        return None
    below = np.cumsum(finite)[:-1] / finite.sum()  # share below each interior edge
    return float(bands.edges[int(np.argmin(np.abs(below - 0.5)))])


def _check_out(out: Path, run_dir: Path, overwrite: bool) -> None:
    if out.is_dir():
        raise TuneplateError(
            f"--out {str(out)!r} is a folder; give a file name such as reasons.csv"
        )
    if out.resolve().is_relative_to(run_dir.resolve()):
        raise TuneplateError(
            f"--out {str(out)!r} is inside the run folder; give a file outside it, so the "
            "run folder stays as 'tuneplate run' wrote it"
        )
    if out.exists() and not overwrite:
        raise TuneplateError(
            f"{str(out)!r} already exists; choose another --out, or replace it with --overwrite"
        )
    require_creatable(out.parent, "--out")
