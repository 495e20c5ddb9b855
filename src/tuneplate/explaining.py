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
    [0.41, 'declined', 'duration_in_month: high (top 10%) — raises the PD']

The wordings are the vertical's (`Vertical.reasons`, a `ReasonWords`: credit risk
declines above its PD cut-off, diagnosis flags its "main risk factors"); a run whose
vertical is not installed here, or a plugin vertical that sets none, gets the default.
The table itself is built by `contract/reasons.py`, which `tuneplate export` copies
into the exported project, so its `score.py --reasons` writes the same reasons.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from tuneplate.engine.contract.calibration import AT_PREVALENCE, at_prevalence
from tuneplate.engine.contract.errors import TuneplateError
from tuneplate.engine.contract.reasons import TOP, ReasonWords, reason_table
from tuneplate.engine.families.models import BASE_VALUE
from tuneplate.engine.results import Results
from tuneplate.engine.runs.run_folder import refuse_if_in_use
from tuneplate.engine.runs.writable import require_creatable
from tuneplate.engine.triggers import restated_prevalence
from tuneplate.engine.validate import MODELS, frozen_model_note, recommended
from tuneplate.validation import read_rows
from tuneplate.verticals import load_vertical


@dataclass(frozen=True)
class Reasons:
    """`explain_run`'s answer: the table (one row per input row) and how it was decided.

    `table` columns: row (1-based position in the input), probability (of the event),
    decision, suspect_inputs (the row's inputs that could not be read or lie outside the
    bounds every development row kept, and what is wrong; empty for most rows), then per
    reason k = 1..top: reason_k_column, reason_k (the wording) and reason_k_logodds (its
    contribution); empty where a row has fewer reasons.
    """

    table: pd.DataFrame
    threshold: float
    words: ReasonWords  # the vertical's: its decisions, score name and reason wording
    top: int
    # Which model gave them when it is not the tuned one (or the report recommends one
    # the folder does not hold), in a sentence; "" otherwise.
    note: str = ""

    @property
    def risky(self) -> int:
        return int((self.table["decision"] == self.words.risky).sum())


def reason_words(results: Results) -> ReasonWords:
    """The wordings the run's vertical had at the run (saved with it), so a later edit
    or a broken install of the vertical does not reword, or move, its decisions. A run
    saved before they were: the vertical's wordings now, or the default ("flagged" /
    "not flagged" at or above the threshold) where it is not installed.
    """
    saved = results.data.get("reason_words")
    if isinstance(saved, dict):
        return ReasonWords.from_dict(saved)
    try:
        return load_vertical(results.vertical).reasons
    except TuneplateError:
        return ReasonWords()


def explain_run(
    run_dir: str | Path,
    data: pd.DataFrame | str | Path,
    out: str | Path | None = None,
    top: int = TOP,
    overwrite: bool = False,
    model: str = "recommended",
    ids: tuple[str, ...] = (),
) -> Reasons:
    """Reason codes for `data` from the model of `run_dir`; write them to `out` (CSV).

    Every row gets up to `top` reasons: the inputs whose contribution raised its
    log-odds, largest first. A row on the event side (declined, flagged) always gets at
    least one: when no input raised its risk (the average row is already above the
    threshold), its least-lowering input is given, worded so.

    When the run stated a prevalence (`--prevalence`) other than its sample's event rate,
    `probability_at_prevalence` follows `probability`: the same rows' probabilities
    restated at that prevalence (`contract.calibration.at_prevalence`, Bayes' rule); the
    decisions stay at the run's threshold on the sample's scale.

    Args:
        run_dir: a binary run folder written by `tuneplate run` (or `Results.save`).
        data: the rows: a DataFrame, or a CSV/Parquet path (read with the training
            file's reading rules, as `tuneplate validate` reads new rows).
        out: the CSV to write (outside the run folder); None writes nothing.
        top: reasons per row, 1 or more.
        overwrite: replace an existing `out`.
        model: "recommended" (the model the run's report recommends: the simple
            baseline's when the tuned model did not beat it) or "tuned" (the tuned model,
            the one `tuneplate export` ships, whose `score.py --reasons` gives these rows).
        ids: columns of `data` copied, as read, in front of each output row (`--id`), so
            the reasons join back to the customer or patient without the row number.

    Raises:
        TuneplateError: one line naming the problem and the fix (no run folder, a run
            without a model or an operating threshold, an existing `out` without
            `overwrite`, `out` inside the run folder, rows the model cannot read).
    """
    run_dir = Path(run_dir)
    if isinstance(top, bool) or not isinstance(top, int) or top < 1:
        raise TuneplateError(f"--top must be a whole number of 1 or more, got {top!r}")
    if model not in MODELS:
        raise TuneplateError(f"--model must be one of {', '.join(MODELS)}, got {model!r}")
    if out is not None:
        _check_out(Path(out), run_dir, overwrite, data)
    refuse_if_in_use(run_dir)  # a run still writing there: its model may be half-saved
    # The model the report recommends, with its own operating point: the simple
    # baseline's when the tuned model did not beat it (saved in baseline/); or the tuned
    # model with its own, as the exported project ships it.
    results, note = Results.load(run_dir), ""
    if model == "recommended":
        note = frozen_model_note(results, "these reasons") or ""
        results, chosen = recommended(results, "whose reasons are given here")
        note = chosen or note
    model = results.model
    if model is None or not hasattr(model, "explain"):
        raise TuneplateError(
            f"{str(run_dir)!r} holds no binary model to explain (a ranking run, or no "
            "model.json); give a run folder of a binary vertical"
        )
    threshold = results.headline.figures.get("operating_threshold")
    if threshold is None or not math.isfinite(float(threshold)):
        raise TuneplateError(
            f"{str(run_dir)!r} records no operating threshold: its vertical's evaluate sets no "
            "headline figure 'operating_threshold' (Headline(figures=...)), or the run "
            "predates it; set it in the vertical, run again and explain that run"
        )
    hidden = {*results.data.get("protected", ()), *results.data.get("excluded", ())}
    if used := sorted(hidden & set(model.schema.names)):
        raise TuneplateError(
            f"the model uses protected or excluded column(s) {used}; no reasons are given "
            "from such a model: re-run with those columns left out"
        )
    data = read_rows(data, results, "the table of rows to explain")
    if missing := [c for c in ids if c not in data.columns]:
        raise TuneplateError(
            f"--id {missing[0]!r} is not a column of the rows to explain; give one of: "
            f"{', '.join(map(str, data.columns[:12]))}"
        )

    words = reason_words(results)
    proba = np.asarray(model.predict_proba(data)[:, 1], dtype=float)
    contributions = model.explain(data).drop(columns=BASE_VALUE).to_numpy()
    encoded = model.schema.encode(data)[0]
    profile = getattr(model, "profile", None)
    table = reason_table(
        model.schema, encoded, contributions, proba, float(threshold), words, profile, top, data
    )
    if restated := restated_prevalence(results):  # the stated prevalence's scale beside it
        sample, stated = restated
        where = table.columns.get_loc("probability") + 1
        table.insert(where, AT_PREVALENCE, at_prevalence(proba, sample, stated))
    if clash := [c for c in ids if c in table.columns]:
        raise TuneplateError(
            f"--id {clash[0]!r} is also the name of an output column; rename it in the rows"
        )
    for position, column in enumerate(dict.fromkeys(ids)):
        table.insert(position, column, data[column].reset_index(drop=True))
    named = {c for k in range(1, top + 1) for c in table[f"reason_{k}_column"].dropna()}
    if named & hidden:  # cannot happen (reasons name inputs only); never let one out
        raise TuneplateError(f"a reason named a protected or excluded column {sorted(named)}")
    if out is not None:
        table.to_csv(out, index=False)
    if scale := _sample_scale(results):
        note = f"{note} {scale}".strip()
    return Reasons(table, float(threshold), words, top, note)


def _sample_scale(results: Results) -> str:
    """A sentence when the run stated a prevalence other than its sample's: `probability`
    is on the sample's scale (a reader of the CSV alone cannot know), and the column
    `probability_at_prevalence` restates it at the stated prevalence."""
    if (restated := restated_prevalence(results)) is None:
        return ""
    sample, stated = restated
    return (
        f"`probability` is on the development sample's scale ({sample:.1%} with the event); "
        f"`{AT_PREVALENCE}` restates it at the stated prevalence of {stated * 100:.2g}% "
        "by Bayes' rule (Saerens et al. 2002), assuming only the event's rate differs; the "
        "decisions use the run's own threshold on the sample's scale."
    )


def _same_file(out: Path, data: Path) -> bool:
    """`out` names the file `data` (the same path, or a link or another path to it)."""
    if out.resolve() == data.resolve():
        return True
    return out.exists() and data.exists() and os.path.samefile(out, data)


def _check_out(out: Path, run_dir: Path, overwrite: bool, data=None) -> None:
    if isinstance(data, str | Path) and _same_file(out, Path(data)):
        raise TuneplateError(
            f"--out {str(out)!r} is the rows' own file; give another --out (the input is "
            "never overwritten, --overwrite or not)"
        )
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
