"""The development profile: how the model's inputs and scores were spread on the hold-out.

Learned once when the run refits its model, from the hold-out rows (the rows its
reported figures come from), and saved with the model (model.json, "profile"), so new
rows can later be compared with them without the development data: the population
stability index (PSI) of the scores and the characteristic stability index (CSI, the
same formula on one input) of every input (Siddiqi, *Credit Risk Scorecards*, 2006,
ch. 8; Yurdakul & Naranjo, "Statistical properties of the population stability
index", J. Risk Model Validation 14(4), 2020).

Aggregates only: a numeric input keeps the shares of its rows in up to ten bands whose
edges are cut near the deciles, then moved onto a coarse grid (`edges.coarse_edges`: a
step of about a quarter of the band's width, a month's first day for a date), so no
edge pins a row's value; plus the share missing. Files saved before keep their edges
(halfway between two neighbouring values) and are read and applied as saved. A categorical input
keeps the share of each of the model's levels (rare ones are already pooled) and the
share missing.

This module is copied verbatim into exported projects (like the rest of `contract/`):
standard library, numpy and pandas only.

Example:
    >>> profile = Profile.learn(schema, encoded_holdout, holdout_scores)
    >>> profile.psi(encoded_new, new_scores)["scores"]
    0.012
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd

from .edges import coarse_edges, nice_step

BANDS = 10  # deciles, the usual choice for PSI (Siddiqi 2006)
SHARE_FLOOR = 1e-4  # an empty band counts as this share, so ln(a/e) stays finite
PSI_WATCH = 0.10  # below: stable; 0.10-0.25: some shift, look; above 0.25: a major shift
PSI_MAJOR = 0.25
SCORES = "scores"  # the key of the model's scores among the columns' PSI
# `Profile.off_range`: a numeric input's new rows (this many readable values or more) of
# which this share lies beyond an outer band that held at most OFF_RANGE_DEV of the
# development rows; inputs with fewer than OFF_RANGE_BANDS bands (flags, codes) only when
# the unit changed (`OffRange.unit`).
OFF_RANGE_ROWS = 30
OFF_RANGE_SHARE = 0.8
OFF_RANGE_DEV = 0.2
OFF_RANGE_BANDS = 5


# `Profile.unit_changes`: a batch off range whose median lies this many times the
# development's (in magnitude, same sign) is a changed unit, not drift. The common ones
# are 10 or more (g/dL to g/L 10, bilirubin mg/dL to umol/L 17.1, glucose 18,
# cholesterol 38.7, creatinine 88.4, thousands 1,000); a segment of large loans, past
# the top band, sits about 4 times the median.
UNIT_FACTOR = 8.0
SAME_SHAPE = (0.5, 2.0)  # spread ratios (`OffRange.spread`) read as one shape rescaled
# ... and whose median lies past the development's tail (`Bands.tails`: its 1st and 99th
# percentiles of the values other than 0, of TAIL_ROWS rows or more each). A segment
# lies inside the development's range, a changed unit puts even its middle past it. By
# the median and the spread alone, the bottom decile of a column running from 0 is the
# whole column divided by 10 (modeldata cells' angles, 0-180: exactly so), and strict
# refused real segments: attrition's employees with the fewest working years, covid
# testing's youngest patients, Stack Overflow's lowest salaries.
TAIL = 0.01
TAIL_ROWS = 10
# `_rescaled`: a batch whose values, divided by one factor of UNIT_FACTOR or more (or
# multiplied), fall in the development's bands as its rows did, where the values as
# given do not. It finds the changed units the outer-band rule misses: a column of both
# signs (OJ's PriceDiff x1000 puts 24% below the lowest band and 69% above the top) and
# a count whose bands are one value each (the outer edges are no deciles, so the spread
# ratio misreads its values other than 0). Judged from FIT_ROWS readable values, with
# FIT_SHARE of them past either outer band (past both, but for a count's values other
# than 0); "the same shares" is the two-sample
# Kolmogorov-Smirnov distance over the band edges within FIT_KS * sqrt(1/n + 1/m)
# (1.95: the 0.1% critical value, Smirnov 1948; Hollander & Wolfe, *Nonparametric
# Statistical Methods*, 1999, 5.4). A segment (the top decile, one sign, both tails) is
# a part of the shape, so no one factor gives it the whole.
FIT_ROWS = 100
FIT_SHARE = 0.5
FIT_KS = 1.95
# The factors tried first: powers of ten (thousands, percent, cents), the clinical ones
# (bilirubin 17.1, glucose 18, cholesterol 38.7, creatinine 88.4) and the clock's and
# calendar's (12, 24, 60, 365, 1,440, 3,600). A factor near the best fit then finds the
# rest; a listed one wins a near tie (codes fit a range of factors alike).
FACTORS = (10.0, 100.0, 1e3, 1e4, 1e5, 1e6, 12.0, 17.1, 18.0, 24.0, 38.7, 60.0, 88.4, 365.0)
FACTORS += (1440.0, 3600.0)


@dataclass(frozen=True)
class OffRange:
    """One input's new values beyond an outer band: which side, the edge, the share of
    new rows past it, the development's share there, the rows judged, and how far the
    new median lies from the development's (the larger over the smaller in magnitude;
    NaN when they differ in sign or one is 0)."""

    column: str
    where: str  # "below" or "above"
    edge: float
    share: float
    dev: float
    rows: int
    factor: float
    # the new values' spread (10th to 90th percentile over the median, in magnitude)
    # against the development's: about 1 when every value was multiplied alike
    spread: float = 1.0
    nonzero: bool = False  # judged on the values other than 0 (`_without_zero_band`)
    # the new median lies past the development's tail on this side (`Bands.tails`; True
    # when none was saved)
    past_tail: bool = True
    # `_rescaled`'s factor: the development's values times this fit the new ones (0: not
    # fitted). Then `where` may be "outside" (past both outer bands), `edge` the lower
    # and `high` the upper edge.
    scale: float = 0.0
    high: float = math.nan

    @property
    def unit(self) -> bool:
        """UNIT_FACTOR or more times the development's median with the development's
        shape: a changed unit, not a moved population. A selected tail (only the sickest
        patients, the wealthiest applicants) also lies far past the median of a skewed
        column, but bunched together: its spread is a fraction of the development's.
        A fitted factor (`scale`) is one by construction."""
        if self.scale:
            return True
        same_shape = SAME_SHAPE[0] <= self.spread <= SAME_SHAPE[1]
        return self.factor >= UNIT_FACTOR and same_shape and self.past_tail

    @property
    def line(self) -> str:
        """The one line scoring and validate print. Past the bands' outer edge (a tenth
        of the development) but not its 1% tail, the rows may be a chosen segment the
        model learned from: the line says so rather than "outside the range"."""
        where = (
            ", outside the range the model learned"
            if self.past_tail
            else "; rows chosen from its lowest or highest tenth would lie inside the range "
            "the model learned, which held few like them"
        )
        return (
            f"{self._beyond}: a change of unit or reading (thousands, a percent for a "
            "fraction, a decimal mark), or an input that moves on with time (a year)? scored "
            f"as given{where}"
        )

    @property
    def refusal(self) -> str:
        """The line of a strict refusal of a changed unit (`unit`), which scores no row."""
        if self.scale:
            how = "times" if self.scale > 1 else "divided by"
            fitted = f"spread as the development's values {how} {_factor_text(self.factor)}"
        else:
            fitted = f"their median {self.factor:.0f} times the development's"
        return (
            f"{self._beyond}, {fitted}: a change of unit or reading (thousands, a percent "
            "for a fraction, a decimal mark)?; convert the column back to the unit the "
            "model was tuned on"
        )

    @property
    def _beyond(self) -> str:
        other = " other than 0" if self.nonzero else ""
        where = f"{self.where} {_edge_text(self.edge)}"
        if self.where == "outside":
            where = f"outside {_edge_text(self.edge)} to {_edge_text(self.high)}"
        return (
            f"{self.column}: {self.share:.0%} of {self.rows:,} rows with a value{other} lie "
            f"{where}, where {self.dev:.0%} of the run's hold-out rows{other} did"
        )


@dataclass(frozen=True)
class Bands:
    """One column's development spread: shares per band, the last band is "missing".

    `edges`: interior cut points of a numeric column (bands are (-inf, e1], (e1, e2], …,
    (ek, inf)); `levels`: a categorical column's levels, one band each. Exactly one of
    the two is set. `shares` has len(edges) + 2 or len(levels) + 1 entries summing to 1.
    """

    shares: tuple[float, ...]
    edges: tuple[float, ...] = ()
    levels: tuple[str, ...] = ()
    # A numeric column's (low, high) tail, `_tails`; None for a categorical column, too
    # few rows, or files saved before it existed (a unit is then judged without it).
    tails: tuple[float, float] | None = None

    @classmethod
    def learn(cls, values: Any, bands: int = BANDS, kind: str = "numeric") -> Bands:
        """The bands of `values`: a float array (numeric) or a pandas Categorical.
        `kind`: the schema's kind ("datetime": days since 1970, edges on a month's first
        day)."""
        if isinstance(values, pd.Categorical) or isinstance(
            getattr(values, "dtype", None), pd.CategoricalDtype
        ):
            levels = tuple(str(c) for c in pd.Categorical(values).categories)
            return cls(_category_shares(values, levels), levels=levels)
        x = np.asarray(values, dtype=float)
        finite = x[np.isfinite(x)]
        edges = coarse_edges(_midpoint_edges(finite, bands), finite, kind)
        tails = _tails(finite, edges) if kind == "numeric" else None
        return cls(_numeric_shares(x, edges), edges=edges, tails=tails)

    def median(self) -> float:
        """The development median of a numeric column, read from its bands: linear within
        the band where half the readable rows are reached, that band's edge when it is an
        outer one (unbounded); NaN for a categorical column or one without edges.

        Example:
            >>> Bands((0.25, 0.25, 0.5, 0.0), edges=(1.0, 3.0)).median()
            3.0
        """
        if self.levels or not self.edges:
            return math.nan
        shares = np.asarray(self.shares[:-1], dtype=float)  # without "missing"
        if shares.sum() <= 0:
            return math.nan
        cumulative = np.cumsum(shares / shares.sum())
        i = int(np.searchsorted(cumulative, 0.5))
        if i == 0:
            return float(self.edges[0])
        if i >= len(self.edges):
            return float(self.edges[-1])
        low, high = self.edges[i - 1], self.edges[i]
        within = (0.5 - cumulative[i - 1]) / max(shares[i] / shares.sum(), 1e-12)
        return float(low + within * (high - low))

    def shares_of(self, values: Any) -> tuple[float, ...]:
        """The shares of `values` in these bands (same order, "missing" last)."""
        if self.levels:
            return _category_shares(values, self.levels)
        return _numeric_shares(np.asarray(values, dtype=float), self.edges)


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
            x = x[np.isfinite(x)]
            record = _off_range(f.name, x, bands, coded)
            if record is None or not record.unit:
                record = _off_range_past_zeros(f.name, x, bands, coded) or record
            if (record is None or not record.unit) and not coded:
                # A unit the outer-band rule missed (both signs, one band per count): the
                # whole shape rescaled. A code is judged by its
                # values (`Feature.codes`) and the rule above.
                record = _rescaled_anyhow(f.name, x, bands, self.counted) or record
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


def _off_range(name: str, x: np.ndarray, bands: Bands, coded: bool) -> OffRange | None:
    """`Profile.off_range_found`'s rule on one input's readable values `x`: the record of
    the first outer band past which they lie, or None."""
    if len(x) < OFF_RANGE_ROWS:
        return None
    shares = bands.shares[:-1]  # without "missing"
    readable = sum(shares) or 1.0
    low_edge, high_edge = bands.edges[0], bands.edges[-1]
    sides = (
        ("below", x < low_edge, shares[0] / readable, low_edge),
        ("above", x > high_edge, shares[-1] / readable, high_edge),
    )
    for where, beyond, dev, edge in sides:
        new = float(np.mean(beyond))
        if new < OFF_RANGE_SHARE:
            continue
        median = float(np.median(x))
        factor = _times(median, bands.median())
        spread = _spread_ratio(x, bands)
        past = _past_tail(median, where, bands.tails)
        record = OffRange(name, where, edge, new, dev, len(x), factor, spread, past_tail=past)
        # An outer band that held more than OFF_RANGE_DEV of the development (a code's
        # top level, a spike at 0) also fills with one segment, so past it only a
        # changed unit is said: installment-rate codes 1-4 sent as 100-400 lie past a
        # top code that held 47% of German credit's rows.
        return record if record.unit or (dev <= OFF_RANGE_DEV and not coded) else None
    return None


def _off_range_past_zeros(name: str, x: np.ndarray, bands: Bands, coded: bool) -> OffRange | None:
    """A changed unit in a column holding 0 (`_off_range` on the values other than 0,
    against `_without_zero_band`), or None. 0 is 0 in every unit: a count or a balance
    that is mostly 0 (Arrests' police checks, a third zeros) kept its zeros when sent
    x1000, so no 80% lay past an outer band."""
    if not np.any(x == 0):
        return None
    nonzero = _without_zero_band(bands)
    again = None if nonzero is None else _off_range(name, x[x != 0], nonzero, coded)
    return replace(again, nonzero=True) if again is not None and again.unit else None


def _rescaled_anyhow(name: str, x: np.ndarray, bands: Bands, rows: float) -> OffRange | None:
    """`_rescaled` on the readable values `x`, else on those other than 0 against the
    development's other bands (a zero-inflated count keeps its zeros in any unit).
    `rows`: the development's rows (`Profile.counted`)."""
    record = _rescaled(name, x, bands, rows, both=True)
    if record is None and np.any(x == 0) and (nonzero := _without_zero_band(bands)):
        again = _rescaled(name, x[x != 0], nonzero, rows, both=False)
        record = None if again is None else replace(again, nonzero=True)
    return record


def _rescaled(name: str, x: np.ndarray, bands: Bands, rows: float, both: bool) -> OffRange | None:
    """The record of a changed unit when the readable values `x` fit the development's
    bands multiplied by one factor of UNIT_FACTOR or more (or divided), and do not fit
    them as given; else None. `rows`: the development's rows, of which the bands'
    readable share counts (FIT_ROWS says the rule). `both`: only values past both outer
    bands are judged. Past one, the bottom decile of a column spanning orders of
    magnitude (modeldata cells' intensities, 162 rows) fit the development divided by
    10 to 100 (distance 0.11-0.15, within the 0.18 allowed) as a unit does; a count's
    values other than 0 (`_without_zero_band`) are judged past one band too."""
    if len(x) < FIT_ROWS or len(bands.edges) < 2:
        return None
    low, high = bands.edges[0], bands.edges[-1]
    below, above = float(np.mean(x < low)), float(np.mean(x > high))
    if below + above < FIT_SHARE or (both and not (below and above)):
        return None
    shares = np.asarray(bands.shares[:-1], dtype=float)
    development = rows * shares.sum()
    if development < 1:
        return None
    shares = shares / shares.sum()
    sorted_x = np.sort(x)
    limit = FIT_KS * math.sqrt(1 / len(x) + 1 / development)
    if _ks(sorted_x, bands.edges, shares, 1.0) <= limit:
        return None  # the values as given fit: no unit to find
    scale, distance = _best_scale(sorted_x, bands, shares)
    if distance > limit:
        return None
    if below and above:
        where, edge, dev = "outside", low, shares[0] + shares[-1]
    else:
        where, edge, dev = ("below", low, shares[0]) if below else ("above", high, shares[-1])
    factor = max(scale, 1 / scale)
    return OffRange(
        name, where, edge, below + above, float(dev), len(x), factor, scale=scale, high=high
    )


def _ks(sorted_x: np.ndarray, edges: Any, shares: np.ndarray, scale: float) -> float:
    """The largest gap, over the band edges, between the share of `sorted_x` at or below
    `scale` times an edge and the development's share at or below it (`shares`: its
    readable shares per band): the Kolmogorov-Smirnov distance the bands can see."""
    development = np.cumsum(shares)[:-1]
    cut = np.asarray(edges, dtype=float) * scale
    new = np.searchsorted(sorted_x, cut, side="right") / len(sorted_x)
    return float(np.max(np.abs(new - development)))


def _best_scale(sorted_x: np.ndarray, bands: Bands, shares: np.ndarray) -> tuple[float, float]:
    """(factor, `_ks` distance) of the factor of UNIT_FACTOR or more, or its inverse, by
    which the development's bands best fit `sorted_x`: FACTORS, and 33 steps across a
    factor of 2 either way of the two estimates (the medians' ratio; the 10th-90th
    percentile ranges', which a column of both signs keeps). A listed factor within
    0.02 of the best wins: a code fits a range of factors alike."""
    estimates = []
    median, development = float(np.median(sorted_x)), bands.median()
    if median * development > 0:
        estimates.append(median / development)
    low, high = np.quantile(sorted_x, [0.1, 0.9])
    if high > low and bands.edges[-1] > bands.edges[0]:
        estimates.append((high - low) / (bands.edges[-1] - bands.edges[0]))
    listed = [k for f in FACTORS for k in (f, 1 / f)]
    near = [e * 2 ** (j / 16) for e in estimates for j in range(-16, 17)]
    near = [k for k in near if max(k, 1 / k) >= UNIT_FACTOR]
    fits = [(_ks(sorted_x, bands.edges, shares, k), k) for k in listed + near]
    best = min(distance for distance, _ in fits)
    return next((k, d) for d, k in fits if d <= best + 0.02)


def _without_zero_band(bands: Bands) -> Bands | None:
    """`bands` without the outer band that holds 0 (a count's or a balance's zeros), so
    the other values are compared with the development's other values; None when 0
    lies inside (a signed column) or too few bands would remain to have two outer ones.

    Example:
        >>> _without_zero_band(Bands((0.4, 0.3, 0.3, 0.0), edges=(0.5, 1.5)))
        Bands(shares=(0.3, 0.3, 0.0), edges=(1.5,), levels=(), tails=None)
    """
    if len(bands.edges) < 2:
        return None
    if 0 <= bands.edges[0]:  # bands are (-inf, e1], …: 0 in the lowest
        return Bands(bands.shares[1:], bands.edges[1:], tails=bands.tails)
    if bands.edges[-1] < 0:
        return Bands((*bands.shares[:-2], bands.shares[-1]), bands.edges[:-1], tails=bands.tails)
    return None


def _tails(x: np.ndarray, edges: tuple[float, ...]) -> tuple[float, float] | None:
    """`Bands.tails`: the TAIL and 1 - TAIL quantiles of the readable values `x` other
    than 0 (a count's zeros stay 0 in any unit), moved onto the grid of the outer band
    beside each (`coarse_edges`), so none is a row's value; the quantile moves inwards
    to keep TAIL_ROWS rows past it. None with fewer than two edges, or when that leaves
    no tail short of the outer edges (under TAIL_ROWS / 0.1 values).

    Example:
        >>> _tails(np.arange(1.0, 1001.0), (100.0, 900.0))
        (20.0, 1000.0)
    """
    values = x[x != 0]
    if len(edges) < 2 or not len(values):
        return None
    q = max(TAIL, TAIL_ROWS / len(values))
    if q >= 0.1:
        return None
    low, high = np.quantile(values, [q, 1 - q])
    return _grid_tail(low, edges[0], x), _grid_tail(high, edges[-1], x)


def _grid_tail(tail: float, edge: float, x: np.ndarray) -> float:
    """`tail` on the grid of the outer band beside it (`coarse_edges` of the two, which
    moves a cut by at most an eighth of the gap); the edge when they merge. Alone on the
    grid, a count's tail (its least value, also its lowest band's edge) would round to
    the column's coarse step: 1 to 0. A tail the grid would move to 0 or past it (a
    column running from near 0) goes to a step of half its size instead: at 0, a
    column divided by 1,000 would lie past no tail."""
    grid = coarse_edges(sorted([float(tail), float(edge)]), x)
    if len(grid) < 2:
        return float(edge)
    moved = float(grid[0] if tail < edge else grid[-1])
    if moved * tail > 0 or not tail:
        return moved
    step = nice_step(abs(tail) / 2)
    return round(tail / step) * step


def _past_tail(median: float, where: str, tails: tuple[float, float] | None) -> bool:
    """Whether a batch's `median` lies past the development's tail on side `where`
    ("below" or "above"); True without saved tails (`Bands.tails`)."""
    if tails is None:
        return True
    return median < tails[0] if where == "below" else median > tails[1]


def _relative_spread(values: Any) -> float:
    """(90th − 10th percentile) / |median| of an array, or of `Bands` (its outer edges,
    about the 10th and 90th percentiles, and `Bands.median`); NaN when the median is 0."""
    if isinstance(values, Bands):
        low, high, middle = values.edges[0], values.edges[-1], values.median()
    else:
        low, middle, high = np.quantile(values, [0.1, 0.5, 0.9])
    return (high - low) / abs(middle) if middle else math.nan


def _spread_ratio(x: np.ndarray, bands: Bands) -> float:
    """`OffRange.spread`: the new values' relative spread over the development's; 1.0
    when the development had none to compare (a flag or a two-level code: one band edge,
    so a median 8 times its own is a unit alone, no segment of it lies there), NaN when
    the new values' median is 0 (their factor is NaN too).

    Example:
        >>> _spread_ratio(np.array([100.0, 200.0] * 20), Bands((0.8, 0.2, 0.0), edges=(1.5,)))
        1.0
    """
    new, development = _relative_spread(x), _relative_spread(bands)
    if not math.isfinite(new):
        return math.nan
    if not development:  # 0: no spread to compare (NaN, a median of 0, is kept)
        return 1.0
    return float(new / development)


def _times(new: float, development: float) -> float:
    """How many times one median is the other, in magnitude: x1000 of an overdraft (all
    negative) and /1000 alike; NaN across 0 (a ratio of magnitudes means nothing there).

    Example:
        >>> _times(-3000.0, -3.0), _times(0.35, 3.5), _times(5.0, -2.0)
        (1000.0, 10.0, nan)
    """
    if not (new * development > 0):
        return math.nan
    return max(abs(new), abs(development)) / min(abs(new), abs(development))


def _factor_text(x: float) -> str:
    """A factor for a reader: 1,000, 17.1, 74.

    Example:
        >>> _factor_text(1000.0), _factor_text(17.1), _factor_text(74.3)
        ('1,000', '17.1', '74')
    """
    return f"{x:,.0f}" if x >= 20 or float(x).is_integer() else f"{x:.3g}"


def _edge_text(x: float) -> str:
    """A band edge for a reader, never in exponent form where avoidable: 1,234,567, 0.125.

    Example:
        >>> _edge_text(1234567.0), _edge_text(0.12345), _edge_text(42.5)
        ('1,234,567', '0.1235', '42.5')
    """
    if abs(x) >= 1000:
        return f"{x:,.0f}"
    return f"{x:.4g}" if abs(x) >= 1e-3 else f"{x:.2e}"


def _midpoint_edges(x: np.ndarray, bands: int) -> tuple[float, ...]:
    """Cut points near the deciles of `x`, each halfway between two distinct values (the
    edges files saved before `coarse_edges` keep; now its input)."""
    distinct = np.unique(x)
    if len(distinct) < 2:
        return ()
    if len(distinct) <= bands:  # few values (flags, counts): one band per value
        return tuple(float(v) for v in (distinct[:-1] + distinct[1:]) / 2)
    cuts = np.quantile(x, np.linspace(0, 1, bands + 1)[1:-1])
    above = np.clip(np.searchsorted(distinct, cuts, side="right"), 1, len(distinct) - 1)
    mids = (distinct[above - 1] + distinct[above]) / 2
    return tuple(float(v) for v in np.unique(mids))


def _numeric_shares(x: np.ndarray, edges: tuple[float, ...]) -> tuple[float, ...]:
    n = len(x)
    if not n:
        return tuple(0.0 for _ in range(len(edges) + 2))
    finite = np.isfinite(x)
    band = np.searchsorted(np.asarray(edges, dtype=float), x[finite], side="left")
    counts = np.bincount(band, minlength=len(edges) + 1)
    return (*(float(c / n) for c in counts), float((~finite).sum() / n))


def _category_shares(values: Any, levels: tuple[str, ...]) -> tuple[float, ...]:
    text = pd.Series(pd.Categorical(values)).astype("string")
    n = len(text)
    if not n:
        return tuple(0.0 for _ in range(len(levels) + 1))
    counts = text.value_counts()
    shares = [float(counts.get(level, 0) / n) for level in levels]
    return (*shares, float(text.isna().sum() / n))
