"""The development profile: how the model's inputs and scores were spread on the hold-out.

Learned once when the run refits its model, from the hold-out rows (the rows its
reported figures come from), and saved with the model (model.json, "profile"), so new
rows can later be compared with them without the development data: the population
stability index (PSI) of the scores and the characteristic stability index (CSI, the
same formula on one input) of every input (Siddiqi, *Credit Risk Scorecards*, 2006,
ch. 8; Yurdakul & Naranjo, "Statistical properties of the population stability
index", J. Risk Model Validation 14(4), 2020).

Aggregates only: each input's `bands.Bands` (shares of its rows per band, on edges moved
onto a coarse grid so none pins a row's value), the scores' too. New values past an
outer band are judged by `off_range`.

This module is copied verbatim into exported projects (like the rest of `contract/`):
standard library, numpy and pandas only.

Example:
    >>> profile = Profile.learn(schema, encoded_holdout, holdout_scores)
    >>> profile.psi(encoded_new, new_scores)["scores"]
    0.012
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from .bands import Bands
from .off_range import OFF_RANGE_BANDS, OffRange, off_range

SHARE_FLOOR = 1e-4  # an empty band counts as this share, so ln(a/e) stays finite
PSI_WATCH = 0.10  # below: stable; 0.10-0.25: some shift, look; above 0.25: a major shift
PSI_MAJOR = 0.25
SCORES = "scores"  # the key of the model's scores among the columns' PSI


@dataclass(frozen=True)
class Profile:
    """The hold-out's spread of the scores and of every input, by the user's column names.

    `rows`: hold-out rows it was learned from, `events` how many of them had the event
    (for the AUROC's standard error); `entities`: for a run whose rows repeat an entity
    (`--group`), the hold-out's effective number of them (`effective_entities`), which
    the PSI's sampling noise counts in place of rows; None in ungrouped runs and files
    saved before it existed (rows stand in); `scores`: bands of the predicted probability of
    the event; `columns`: {column: Bands} for each model input. `auroc_se`: the hold-out
    AUROC's standard error as validate finds the new rows': DeLong's, or Obuchowski's
    counting entities for a run whose rows come in groups (`--group`; NaN when too few
    entities give one); None in files saved before it existed, where the count formula
    from `events` and `rows` (Hanley & McNeil) stands in.
    """

    rows: int
    scores: Bands
    columns: dict[str, Bands] = field(default_factory=dict)
    events: int | None = None
    auroc_se: float | None = None
    entities: float | None = None

    @classmethod
    def learn(
        cls,
        schema: Any,
        encoded: pd.DataFrame,
        scores: np.ndarray,
        y: np.ndarray | None = None,
        auroc_se: float | None = None,
        groups: np.ndarray | None = None,
    ) -> Profile:
        """From `schema.encode(holdout)[0]` (internal names), the hold-out scores (n,),
        outcomes (n,, 0/1) and, for grouped rows, the AUROC's clustered standard error
        and the rows' entity codes (n,; `group_ids.entity_clusters`)."""
        columns = {f.name: Bands.learn(encoded[f.key], kind=f.kind) for f in schema.features}
        events = None if y is None else int(np.sum(y))
        scores = Bands.learn(np.asarray(scores, dtype=float))
        entities = None if groups is None else effective_entities(groups)
        return cls(len(encoded), scores, columns, events, auroc_se, entities)

    @property
    def counted(self) -> float:
        """What the PSI's sampling noise counts on the development side: its effective
        entities when its rows repeat one, else its rows."""
        return self.entities or self.rows

    def psi(self, schema: Any, encoded: pd.DataFrame, scores: np.ndarray) -> dict[str, float]:
        """PSI of the scores (key SCORES) and CSI of every input, new rows against these.

        Example:
            >>> profile.psi(schema, schema.encode(new_rows)[0], proba[:, 1])
            {'scores': 0.012, 'amount': 0.004, ...}
        """
        out = {SCORES: psi(self.scores.shares, self.scores.shares_of(scores))}
        for f in schema.features:
            if f.name in self.columns:
                bands = self.columns[f.name]
                out[f.name] = psi(bands.shares, bands.shares_of(encoded[f.key]))
        return out

    def off_range(self, schema: Any, encoded: pd.DataFrame, said: Any = ()) -> list[str]:
        """`off_range_by_column`'s lines, in the schema's order, but for the columns in
        `said`: those whose values outside their bounds were already said
        (`ColumnCounts.outside_bounds`; a rate read 1,000 times larger is counted
        outside 0 to 1 before it is off range): one line for one finding."""
        found = self.off_range_by_column(schema, encoded)
        return [line for column, line in found.items() if column not in set(said)]

    def off_range_by_column(self, schema: Any, encoded: pd.DataFrame) -> dict[str, str]:
        """{column: line} for each numeric input whose new values sit almost all beyond the
        development's lowest or highest band: the mark of a changed unit or reading
        (amounts in thousands, a rate as a percent instead of a fraction, a decimal
        mark read as a thousands separator), which no schema count catches.

        Judged on batches of OFF_RANGE_ROWS readable values or more: at least
        OFF_RANGE_SHARE of the rows in an outer band that held at most OFF_RANGE_DEV of
        the development rows (about a tenth; a share that sampling alone does not
        reach); an input with fewer than OFF_RANGE_BANDS bands (a flag, a 1-4 code), or
        past an outer band that held more, only when the unit changed. Scores are still
        computed as given.

        Example:
            >>> profile.off_range_by_column(schema, schema.encode(amounts_in_thousands)[0])
            {'amount': 'amount: 100% of 40 rows with a value lie below 1,200, where 10% ...'}
        """
        return {o.column: o.line for o in self.off_range_found(schema, encoded)}

    def unit_refusals(self, schema: Any, encoded: pd.DataFrame, said: Any = ()) -> list[str]:
        """A strict scoring's lines for the inputs whose unit changed (`unit_changes`), but
        for the columns in `said` (already refused by their counts): a drift past the
        outer band is scored with a warning even under strict, a changed unit is not,
        since every score it touches would be wrong.

        Example:
            >>> profile.unit_refusals(schema, schema.encode(amounts_in_thousands)[0])
            ['amount: 100% of 40 rows with a value lie below 1,200, ... 1000 times ...']
        """
        return [
            o.refusal
            for o in self.off_range_found(schema, encoded)
            if o.unit and o.column not in set(said)
        ]

    def unit_changes(self, schema: Any, encoded: pd.DataFrame) -> tuple[str, ...]:
        """Inputs off range (`off_range_by_column`) by a factor of UNIT_FACTOR or more: the
        new rows' median is 8 times the development's (`Bands.median`) or an eighth of it,
        on the same side of 0 (albumin in g/L, bilirubin in umol/L, amounts in thousands,
        an overdraft too). Against the median, not the outer edge: a wide development
        spread (bilirubin's top band starts near six times its median) hid a factor of
        17.1 past its edge. A segment of large loans, past the top band, sits a few
        times the median and is not one (validate calls these a drift, not the file).

        Example:
            >>> profile.unit_changes(schema, schema.encode(albumin_in_g_per_l)[0])
            ('albumin',)
        """
        return tuple(o.column for o in self.off_range_found(schema, encoded) if o.unit)

    def off_range_found(self, schema: Any, encoded: pd.DataFrame) -> list[OffRange]:
        """Each off-range input as a record (`off_range_by_column`'s rule), schema order."""
        found = []
        for f in schema.features:
            bands = self.columns.get(f.name)
            if f.kind != "numeric" or bands is None or not bands.edges:
                continue  # dates move on by nature; one value has no band to leave
            # A flag or a code (1-4) has few bands, so a batch of one segment fills an
            # outer one: such an input is judged only for a changed unit (a 1-4 rate
            # given as 0.01-0.04 moves every score, and is not a segment).
            coded = len(bands.edges) + 1 < OFF_RANGE_BANDS
            x = np.asarray(encoded[f.key], dtype=float)
            record = off_range(f.name, x[np.isfinite(x)], bands, coded, self.counted)
            if record is not None:
                found.append(record)
        return found

    def to_dict(self) -> dict[str, Any]:
        return (
            {
                "rows": self.rows,
                "events": self.events,
                "scores": asdict(self.scores),
                "columns": {name: _saved(b) for name, b in self.columns.items()},
            }
            | (
                {}  # no key: older readers and ungrouped runs read the same file
                if self.auroc_se is None
                else {"auroc_se": self.auroc_se if np.isfinite(self.auroc_se) else None}
            )
            | ({} if self.entities is None else {"entities": round(self.entities, 2)})
        )

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Profile:
        def bands(d: dict[str, Any]) -> Bands:
            tails = tuple(d["tails"]) if d.get("tails") else None
            edges, levels = tuple(d.get("edges", ())), tuple(d.get("levels", ()))
            return Bands(tuple(d["shares"]), edges, levels, tails)

        columns = {name: bands(d) for name, d in data.get("columns", {}).items()}
        events = data.get("events")
        # A grouped run whose hold-out had too few entities saved null: no interval.
        se = data.get("auroc_se", "absent")
        auroc_se = None if se == "absent" else (float("nan") if se is None else float(se))
        entities = data.get("entities")  # absent before it was recorded: rows stand in
        entities = None if entities is None else float(entities)
        return cls(int(data["rows"]), bands(data["scores"]), columns, events, auroc_se, entities)


def _saved(bands: Bands) -> dict[str, Any]:
    """`bands` as a profile file holds them: without `tails` where there are none."""
    saved = asdict(bands)
    return saved if saved["tails"] else {k: v for k, v in saved.items() if k != "tails"}


def effective_entities(groups: Any) -> float:
    """How many independent rows a batch of repeated entities is worth for a share (and so
    for PSI): (sum of rows)^2 / sum of rows^2 per entity, Kish's effective sample size
    (*Survey Sampling*, 1965, 8.2) for a value each entity keeps on all its rows (an age,
    a sex). The distinct entities when each has as many rows, fewer when a few have
    many; the rows when none repeats. `groups`: one entity code per row.

    Example:
        >>> effective_entities([1, 1, 2, 2]), effective_entities([1, 1, 1, 2])
        (2.0, 1.6)
    """
    _, sizes = np.unique(np.asarray(groups), return_counts=True)
    if not len(sizes):
        return 0.0
    sizes = sizes.astype(float)
    return float(sizes.sum() ** 2 / np.sum(sizes**2))


def within_entity_correlation(values: Any, groups: Any) -> float:
    """The intraclass correlation of `values` (n,) within entities `groups` (n,), by one-way
    analysis of variance, clipped to 0–1: 1 for a value each entity keeps on all its rows
    (an age), about 0 for one drawn afresh at every visit (a lab result). Missing values
    count as one more value (their own number); NaN when no entity repeats.

    Kish's design effect 1 + (m0 - 1) * ICC (*Survey Sampling*, 1965, 8.2) then says how
    many independent rows a column of repeated entities is worth (`effective_rows`).

    Example:
        >>> within_entity_correlation([50, 50, 60, 60], [1, 1, 2, 2])
        1.0
    """
    x = np.asarray(values, dtype=float)
    x = np.where(np.isfinite(x), x, np.nanmin(x) - 1 if np.isfinite(x).any() else 0.0)
    codes, sizes = np.unique(np.asarray(groups), return_inverse=True, return_counts=True)[1:]
    n, k = len(x), len(sizes)
    if k < 2 or n <= k:
        return math.nan
    means = np.bincount(codes, weights=x) / sizes
    between = float(np.sum(sizes * (means - x.mean()) ** 2) / (k - 1))
    within = float(np.sum((x - means[codes]) ** 2) / (n - k))
    m0 = (n - np.sum(sizes.astype(float) ** 2) / n) / (k - 1)
    if between + (m0 - 1) * within <= 0:
        return 1.0 if within == 0 else 0.0
    return float(np.clip((between - within) / (between + (m0 - 1) * within), 0.0, 1.0))


def effective_rows(rows: float, entities: float, icc: float) -> float:
    """Rows worth `rows / (1 + (rows / entities - 1) * icc)` independent ones: `entities`
    (Kish's count, `effective_entities`) when the value is the entity's own (icc 1), the
    rows when it varies freely between visits (icc 0)."""
    if not math.isfinite(icc) or not entities:
        return float(entities or rows)
    return float(rows / (1 + (rows / entities - 1) * icc))


def psi(expected: Any, actual: Any, floor: float = SHARE_FLOOR) -> float:
    """Population stability index, sum over bands of (a - e) * ln(a / e).

    Both share vectors are floored at `floor` so an empty band stays finite. 0 means
    the same spread; 0.10 and 0.25 are the usual "look" and "major shift" lines (a
    convention whose noise grows as rows shrink: about (bands - 1) * (1/n + 1/m) from
    sampling alone, Yurdakul & Naranjo 2020).

    Example:
        >>> round(psi([0.5, 0.5], [0.6, 0.4]), 4)
        0.0405
    """
    e = np.clip(np.asarray(expected, dtype=float), floor, None)
    a = np.clip(np.asarray(actual, dtype=float), floor, None)
    return float(np.sum((a - e) * np.log(a / e)))
