"""Validate and monitor a frozen model on new rows (`tuneplate validate`).

The run's model scores the new rows through its saved schema (the data contract) and is
never changed. With outcomes, discrimination and the run's own score on the new rows
sit beside the development hold-out's, with intervals; calibration-in-the-large and
slope show whether the probabilities still match (`engine.outcomes`); the vertical's
business tables are redone at the operating point frozen at the run. Without outcomes
(monitoring), the scores' PSI and each input's CSI against the hold-out profile
(`contract.profile`) and the per-column counts of unreadable values and unseen levels
say what moved; so do the rows holding another value in a column the model left out
because every row it was tuned on held one (a population it never saw). With a time
column, the same figures per month or quarter.

Then one verdict in plain words ("still performs as developed", "drifting: watch",
"recalibrate", "redevelop", "fix the extract first" when an input could largely not be
read, "stable; performance not judged" without outcomes, or "not judged: too few
rows" without outcomes on fewer rows than a PSI band needs), by the rules of
`contract.monitoring`, which the exported project's validate.py shares.

Example:
    >>> v = validate(Results.load("runs/credit"), load_vertical("credit-risk"), new_rows)
    >>> v.verdict, v.reasons[0]
    ('drifting: watch', "The input 'amount' moved: CSI 0.41 (0.25 or more is a major shift).")
"""

from __future__ import annotations

import json
import math
import warnings
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from tuneplate.engine.contract.errors import TuneplateError
from tuneplate.engine.contract.group_ids import read_group_ids
from tuneplate.engine.contract.intervals import (
    MIN_ENTITIES,
    Z95,
    Calibration,
    Figure,
    auroc_figure,
    calibration,
    difference_interval,
    event_rate_interval,
)
from tuneplate.engine.contract.monitoring import (
    FIX_EXTRACT,
    NOT_JUDGED,
    RECALIBRATE,
    REDEVELOP,
    STILL,
    UNJUDGED,
    VERDICTS,
    WATCH,
    Drift,
    constant_notes,
    drift_rows,
    verdict,
)
from tuneplate.engine.contract.profile import effective_entities
from tuneplate.engine.data.roles import Roles, read_outcomes
from tuneplate.engine.metrics import get_metric
from tuneplate.engine.periods import (  # noqa: F401 (re-exported)
    DEVELOPMENT,
    MIN_PERIOD_EVENTS,
    MIN_PERIOD_ROWS,
    Period,
    periods,
)
from tuneplate.engine.records import Headline, Table, jsonable
from tuneplate.engine.results import Metric, Results
from tuneplate.engine.tasks.binary.evaluation import holdout_interval
from tuneplate.engine.triggers import Trigger, fitted_rate, triggers
from tuneplate.engine.vertical import VALIDATION_SAMPLE, Outcome, Vertical

__all__ = [  # the verdicts and records live in contract.monitoring, shared with exports
    "FIX_EXTRACT",
    "NOT_JUDGED",
    "RECALIBRATE",
    "REDEVELOP",
    "STILL",
    "UNJUDGED",
    "VERDICTS",
    "WATCH",
    "frozen_model_note",
    "recommended",
    "Calibration",
    "Drift",
    "Figure",
    "Period",
    "Trigger",
    "Validation",
    "validate",
]

VALIDATION_FILE = "validation.json"
MODELS = ("recommended", "tuned")  # which of a run's models to validate
MIN_ROWS = 30  # fewer new rows (or rows with an outcome) describe single cases
MIN_TABLE_ROWS = 100  # the vertical's tables (bands, groups, cut-offs) from this many rows


@dataclass
class Validation:
    """What `validate` found: plain data, saved as validation.json.

    Example:
        >>> v.verdict, [d.column for d in v.drift if d.band == "major shift"]
        ('drifting: watch', ['amount'])
    """

    run: str
    vertical: str
    vertical_title: str
    model_family: str
    metric: Metric
    rows: int  # rows scored
    verdict: str
    reasons: tuple[str, ...]  # the figures that set the verdict, one sentence each
    with_outcomes: bool = False
    rows_without_outcome: int = 0  # left out of the outcome figures (still scored)
    model_words: str = ""  # `Results.model_words`: "blend of lightgbm and the …"
    event_rate: float = math.nan  # observed, on the rows with an outcome
    # its 95% interval, counting entities under --group (None: too few to tell)
    event_rate_interval: tuple[float, float] | None = None
    mean_score: float = math.nan  # mean predicted probability on the same rows
    drift: tuple[Drift, ...] = ()
    score: Figure | None = None  # the run's own metric
    auroc: Figure | None = None
    calibration: Calibration | None = None
    tables: list[Table] = field(default_factory=list)  # the vertical's, at the frozen point
    headline: Headline | None = None
    operating_threshold: float | None = None
    currency: str = ""  # the run's, for the money columns of the vertical's tables
    periods: tuple[Period, ...] = ()
    triggers: tuple[Trigger, ...] = ()  # the run report's monitoring triggers, evaluated
    time: str | None = None
    group: str | None = None  # the entity column whose rows the intervals keep together
    notes: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        out = {k: getattr(self, k) for k in self.__dataclass_fields__}
        out["metric"] = asdict(self.metric)
        out["drift"] = [asdict(d) for d in self.drift]
        out["periods"] = [asdict(p) for p in self.periods]
        out["triggers"] = [asdict(t) for t in self.triggers]
        for name in ("score", "auroc", "calibration"):
            value = getattr(self, name)
            out[name] = asdict(value) if value is not None else None
        out["tables"] = [t.to_dict() for t in self.tables]
        out["headline"] = self.headline.to_dict() if self.headline else None
        return jsonable(out)

    def save(self, folder: str | Path) -> Path:
        """Write validation.json into `folder` (created when missing)."""
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / VALIDATION_FILE
        path.write_text(json.dumps(self.to_dict(), indent=2, allow_nan=False) + "\n")
        return path


def validate(
    results: Results,
    vertical: Vertical,
    data: pd.DataFrame,
    target: str | None = None,
    time: str | None = None,
    run: str = "",
    seed: int = 0,
    positive: str | None = None,
    model: str = "recommended",
    group: str | None = None,
) -> Validation:
    """Score `data` with the run's frozen model and compare with its development hold-out.

    Args:
        results: the run, loaded with its model (`Results.load(folder)`).
        vertical: the run's vertical (its `evaluate` redoes the business tables).
        data: the new rows, with the model's input columns (by the user's names).
        target: the outcome column; default the run's target when `data` has it.
            Without one, only monitoring figures (PSI, CSI, counts) are given.
        time: a date column: the figures per month or quarter.
        run: the run folder's name, for the report.
        seed: seeds the bootstrap interval of the run's metric.
        positive: the value of `target` that is the run's event, when these rows write
            it otherwise (e.g. 1 for the run's "bad"); else the run's, case aside.
        model: "recommended" (the model the run's report recommends: the simple
            baseline's when the tuned model did not beat it) or "tuned" (the tuned model,
            the one `tuneplate export` ships).
        group: the column naming the entity rows repeat (a patient, a customer); default
            the run's `--group` when `data` has it (a note says when the rows lack it).
            The AUROC, calibration and score intervals then count entities, not rows
            (`contract.monitoring`; none below MIN_ENTITIES); rows without an id count
            alone.

    Raises:
        TuneplateError: a ranking run or one without a model; a missing model column,
            target, time or group column; a target whose values are not the run's
            outcomes.
    """
    if model not in MODELS:
        raise TuneplateError(f"model must be one of {', '.join(MODELS)}, got {model!r}")
    results, chosen = recommended(results) if model == "recommended" else (results, "")
    model = results.model
    if model is None:
        raise TuneplateError(
            f"the run {run or results.vertical!r} holds no saved classifier (a ranking run, "
            "or results without model.json); validate a binary run folder written by "
            "'tuneplate run'"
        )
    _refuse_development_table(results, data, run)
    schema, profile = model.schema, model.profile
    data = data.reset_index(drop=True)
    if target is None and results.config.get("target") in data.columns:
        target = results.config["target"]  # the run's outcome column, when the rows have it
    if target is not None and target not in data.columns:
        raise TuneplateError(
            f"target column {target!r} is not in the new rows; give the outcome column "
            "with --target, or leave it out to monitor without outcomes"
        )
    if time is not None and time not in data.columns:
        raise TuneplateError(f"time column {time!r} is not in the new rows; check --time")
    run_group, lacking = results.config.get("group"), []
    if group is None and run_group:
        if run_group in data.columns:
            group = run_group  # the run's entity column, when the rows have it
        else:
            lacking.append(
                f"The run kept the rows of each {run_group!r} together, but these rows lack "
                "that column: their intervals treat rows as independent (too narrow if rows "
                "repeat a patient or customer); name the column with --group."
            )
    if group is not None and group == target:
        raise TuneplateError(
            f"--group {group!r} is the outcome column; give the patient or customer id"
        )
    if group is not None and group not in data.columns:
        raise TuneplateError(f"group column {group!r} is not in the new rows; check --group")
    encoded, counts = schema.encode(data)  # refuses a missing model column, in one line
    if len(encoded) < MIN_ROWS:
        raise TuneplateError(
            f"the new rows are {len(encoded)}; validation needs at least {MIN_ROWS} (fewer "
            "describe single cases, and no figure on them can be told from chance): pool "
            "more rows, e.g. a whole month or quarter"
        )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the counts are reported below, per column
        scores = np.asarray(model.predict_proba(data)[:, 1], dtype=float)

    note = frozen_model_note(results) if not chosen and results.baseline_model is None else None
    notes = [note, *lacking] if note else lacking
    if chosen:
        notes.append(chosen)
    batch = _batch_clusters(data, group)
    drift = _drift(profile, schema, encoded, scores, counts, batch, notes)
    notes += constant_notes(schema, data.columns, _left_out(results))
    y, known = read_outcomes(data, target, model.positive, positive) if target else (None, None)
    if y is not None and len(y) < MIN_ROWS:
        notes.append(
            f"Only {len(y)} rows have an outcome (fewer than {MIN_ROWS}): the outcome "
            "figures are left out; the rows are monitored as rows without outcomes."
        )
        y = known = None
    v = Validation(
        run=run,
        vertical=results.vertical,
        vertical_title=results.vertical_title,
        model_family=results.model_family,
        model_words=results.model_words,
        metric=results.metric,
        rows=len(data),
        verdict=STILL,
        reasons=(),
        drift=drift,
        currency=str(results.assumptions.get("currency", "") or ""),
        operating_threshold=results.headline.figures.get("operating_threshold"),
        time=time,
        group=group,
    )
    if y is not None:
        clusters = _clusters(data, group, known, notes)
        _with_outcomes(v, results, vertical, data, y, known, scores, profile, seed, clusters, notes)
    if time is not None:
        outside = schema.outside_bounds(encoded)  # by period: when the extract broke
        v.periods = periods(data[time], scores, y, known, profile, results, notes, batch, outside)
    a = v.auroc
    if a is not None and a.difference_interval is not None and a.difference_interval[0] > 0:
        notes.append(
            f"AUROC rose from {a.development:.3f} to {a.new:.3f}, beyond its interval: a "
            "model rarely ranks new rows better than its own hold-out. If these rows "
            "include rows the run was developed on, every figure here flatters the model; "
            "validate on rows it never saw."
        )
    v.triggers = triggers(v, results)
    v.verdict, v.reasons = verdict(v.auroc, v.calibration, v.drift, v.event_rate, v.mean_score)
    fired = [t for t in v.triggers if t.light == "red"]
    if v.verdict == STILL and fired:  # the verdict's rules hold, but not every trigger does
        v.reasons = (
            *v.reasons,
            *(
                f"But the run's monitoring trigger fired: {t.rule[0].lower()}{t.rule[1:]} "
                f"({t.reading}); look at it before relying on this verdict."
                for t in fired
            ),
        )
    v.notes = tuple(notes)
    return v


def _refuse_development_table(results: Results, data: pd.DataFrame, run: str) -> None:
    """Refuse the very table the run was developed on, recognised by its fingerprint.

    The model learnt from most of its rows, so every figure would flatter it: German
    credit validated on its own file read "still performs as developed" at AUROC 0.823
    against the hold-out's 0.774, inside the interval the rise note needs to fire.
    Only an identical table is recognised (the run keeps no per-row record, by design):
    a file that adds rows to the development table still passes, and the AUROC-rise
    note below is then the only guard.
    """
    from tuneplate.engine.tasks.task import fingerprint

    printed = results.data.get("fingerprint")
    if printed and printed == fingerprint(data):
        raise TuneplateError(
            f"these rows are the table the run {run or results.vertical!r} was developed on "
            f"(fingerprint {printed}): the model learnt from most of them, so every figure "
            "would flatter it; validate on rows it never saw, e.g. a later extract"
        )


def _left_out(results: Results) -> list[str]:
    """The one-value columns the run left out of its model, as its findings name them."""
    named = (f.columns for f in results.findings if f.check == "constant_columns")
    return list(dict.fromkeys(c for columns in named for c in columns))


def _batch_clusters(data: pd.DataFrame, group: str | None) -> np.ndarray | None:
    """Entity codes of all the new rows, for the PSI's noise; None without a group or
    when no entity repeats."""
    return None if group is None else read_group_ids(data[group], group).entities()


def _drift(profile, schema, encoded, scores, counts, clusters, notes) -> tuple[Drift, ...]:
    if profile is None:
        notes.append(
            "This run's model file has no development profile (it was saved before "
            "tuneplate recorded one), so score and input stability cannot be measured; "
            "re-run 'tuneplate run' to record it."
        )
        return ()
    if clusters is not None:
        dev = (
            f"the development hold-out's {profile.entities:.0f} effective entities"
            if profile.entities
            else f"the development hold-out's {profile.rows:,} rows (its model file predates "
            "counting entities; re-run 'tuneplate run' to record them)"
        )
        notes.append(
            "Rows repeat entities: the sampling noise of the PSI and CSI counts these rows' "
            f"effective {effective_entities(clusters):.0f} entities (of "
            f"{len(np.unique(clusters)):,} distinct; a value an entity keeps on every row "
            f"moves by entities, not rows) against {dev}."
        )
    return drift_rows(profile, schema, encoded, scores, counts, clusters)


def recommended(results: Results, use: str = "frozen and checked here") -> tuple[Results, str]:
    """The run as its report recommends it: when that is the simple baseline (saved in
    baseline/), the results with the baseline's model, family and hold-out figures in
    place of the tuned model's (its hold-out interval was not recorded: None), and a
    sentence saying so, with what the caller does with the model (`use`); else the
    results as they are and "".
    """
    base = results.baseline
    if results.recommended_model is results.model:
        return results, ""
    view = replace(
        results,
        model=results.baseline_model,
        model_family=base.family,
        holdout=base.holdout,
        holdout_interval=None,
        holdout_metrics=dict(base.metrics),
        headline=base.headline,
        tables=list(base.tables) or results.tables,  # its own, e.g. for the triggers
    )
    return view, (
        f"The run recommended its simple {base.label} over the tuned model "
        f"({results.model_words}), so this is the model {use} (saved in the run folder's "
        "baseline/), against its own hold-out figures."
    )


def frozen_model_note(results: Results, what: str = "these figures") -> str | None:
    """A sentence when the run recommended its simple baseline but did not save it (runs
    saved before baseline/ existed): the saved (tuned) model is not the one recommended.

    Example:
        >>> frozen_model_note(results)
        'The run recommended its simple L2-regularised logistic regression, but ...'
    """
    base = results.baseline
    if not base.recommended or results.baseline_model is not None:
        return None
    family = results.model_family
    return (
        f"The run recommended its simple {base.label}, but the run folder saves only the "
        f"tuned {family} model: {what} are the {family} model's. If the simple model is "
        f"the one in use, use a run of that family alone (tuneplate run … --model "
        f"{base.family})."
    )


def _numeric(values: pd.Series) -> bool:
    """Numbers, or text that is numbers throughout ("45", not "45 years" or "45,0")."""
    if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
        return True
    given = values.dropna()
    return pd.to_numeric(given, errors="coerce").notna().all()


def _assumption_inputs(results: Results, vertical: Vertical, notes: list[str]) -> dict:
    """The business assumptions the run's figures were computed with, so the new rows'
    money and rates are redone on the same terms (results.data "assumption_inputs": the
    vertical's defaults at the run merged with the run's own). A run saved before they
    were recorded gets today's defaults under its own values, and the page says so."""
    used = results.data.get("assumption_inputs")
    if isinstance(used, dict):
        return dict(used)
    given = dict(results.config.get("assumptions") or {})
    if set(vertical.assumptions) - set(given):
        notes.append(
            "The run predates recording its business assumptions: the tables use the "
            "vertical's current defaults for those the run did not state."
        )
    return given


def _clusters(data, group, known, notes) -> np.ndarray | None:
    """Entity codes of the rows with an outcome, for the intervals; None without a group
    or when no entity repeats (`GroupIds.entities`, as the exported validate.py)."""
    if group is None:
        return None
    ids = read_group_ids(data[group][known], group)  # read once: clusters and sentinel
    clusters = ids.entities()
    if clusters is None:
        return None
    entities = len(np.unique(clusters))
    notes.append(
        f"Rows repeat entities of {group!r}: the AUROC, calibration and score intervals count "
        f"the {entities:,} entities, not the {len(clusters):,} rows (a row without an id "
        "counts alone)"
        + (
            f"; with fewer than {MIN_ENTITIES} entities no such interval is given."
            if entities < MIN_ENTITIES
            else "."
        )
    )
    if ids.sentinel:
        notes.append(f"{ids.sentinel_line()}: if it stands for 'no id', those rows count as "
                     "one entity here; blank them to count each alone.")  # fmt: skip
    return clusters


def _with_outcomes(
    v, results, vertical, data, y, known, scores, profile, seed, clusters, notes
) -> None:
    p = scores[known]
    v.with_outcomes = True
    v.rows_without_outcome = int((~known).sum())
    v.event_rate, v.mean_score = float(y.mean()), float(p.mean())
    v.event_rate_interval = event_rate_interval(y, clusters)
    if y.min() == y.max():
        notes.append(
            "Every new row with an outcome has the same outcome, so ranking (AUROC) and "
            "calibration cannot be measured; only the observed rate is shown."
        )
        return
    v.calibration = calibration(y, p, clusters)
    _business(v, results, vertical, data.loc[known].reset_index(drop=True), y, p, notes)
    objective = get_metric(results.metric.name)
    new = float(objective.score(y, p))
    new_interval = holdout_interval(y, p, objective.score, seed, groups=clusters)
    dev, dev_interval = results.holdout, results.holdout_interval
    score = Figure(
        objective.name,
        objective.label,
        objective.direction,
        new,
        new_interval,
        dev,
        dev_interval,
        _interval_difference(new, new_interval, dev, dev_interval),
        "bootstrap percentiles over the "
        + ("entities" if clusters is not None else "rows")
        + " (the development one as the run recorded it)",
    )
    if objective.name == "roc_auc" and dev_interval is not None and clusters is None:
        v.auroc = score  # the run's own bootstrap
        return
    # With entities, the AUROC figure is the exported validate.py's (Obuchowski's
    # clustered variance, no floor but MIN_ENTITIES), so both give the same verdict.
    v.score = score if objective.name != "roc_auc" else None  # one figure, one row
    dev_auc = float(results.holdout_metrics.get("roc_auc", math.nan))
    v.auroc = auroc_figure(y, p, dev_auc, profile, clusters)


def _interval_difference(new, new_interval, dev, dev_interval):
    """new - dev, from two percentile intervals read as normal (half-width / 1.96)."""
    if new_interval is None or dev_interval is None:
        return None
    se_new = (new_interval[1] - new_interval[0]) / (2 * Z95)
    se_dev = (dev_interval[1] - dev_interval[0]) / (2 * Z95)
    return difference_interval(new, se_new, dev, se_dev)


def _business(v, results, vertical, rows, y, p, notes) -> None:
    """The vertical's tables and headline on the new rows, at the run's operating point."""
    if len(y) < MIN_TABLE_ROWS:
        notes.append(
            f"The use case's tables need at least {MIN_TABLE_ROWS} rows with an outcome "
            f"(these have {len(y)}): their bands, groups and cut-offs would describe a few "
            "cases each, so they are left out."
        )
        return
    if v.operating_threshold is None:
        notes.append(
            "The run recorded no operating point (its vertical gives no headline figure "
            "'operating_threshold', or the run predates it), so the business tables are "
            "not redone on these rows."
        )
        return
    config, data = results.config, results.data
    named = [*data.get("protected", ()), *(config.get("subgroups") or ())]
    absent = [c for c in named if c not in rows.columns]
    if absent:
        notes.append(
            f"The new rows lack {', '.join(map(repr, absent))}, so the fairness and "
            "subgroup tables leave them out."
        )
    bands = data.get("group_bands") or {}
    unbanded = [c for c in bands if c in rows.columns and not _numeric(rows[c])]
    if unbanded:  # cut at the run's edges only as numbers; never as made-up text groups
        notes.append(
            f"At the run {', '.join(map(repr, unbanded))} held numbers, cut into bands; on "
            "these rows not every value is a number, so the fairness and subgroup tables "
            "leave them out. Give them as plain numbers to compare the run's groups."
        )
    usable = [c for c in rows.columns if c not in unbanded]
    as_text = [c for c in bands if c in usable and not pd.api.types.is_numeric_dtype(rows[c])]
    if as_text:  # "45" is 45
        rows = rows.assign(**{c: pd.to_numeric(rows[c]) for c in as_text})
    roles = Roles(
        target=config.get("target") or "",
        positive=str(results.model.positive),
        group=v.group,
        protected=tuple(c for c in data.get("protected", ()) if c in usable),
        subgroups=tuple(c for c in (config.get("subgroups") or ()) if c in usable),
    )
    evaluated = vertical.evaluate(
        Outcome(
            y=y,
            score=p,
            rows=rows,
            roles=roles,
            assumptions=_assumption_inputs(results, vertical, notes),
            valid_y=np.empty(0),
            valid_score=np.empty(0),
            threshold=float(v.operating_threshold),
            sample=VALIDATION_SAMPLE,
            # the new rows' own rate stays "the sample's"; the model's is the run's
            fitted_rate=fitted_rate(results),
            bands=bands,  # the run's groups, not re-cut here
        )
    )
    v.tables = list(evaluated.tables)
    v.headline = Headline.coerce(evaluated.headline)
