"""The records of the vertical -> report contract, as plain frozen data.

`About` (what the model is for, copied from the vertical at run time), `Headline` and
`Card` (the decision summary), `Table` with its columns' `roles` (stable ids such as
`Role.APPROVAL_RATE` -> the reader-facing label, so relabelling a column for readability
cannot drop a chart), `TableKey` (the tables the report places itself) and `Baseline`
(the simple baseline and which model the report recommends). Each reads and writes its
`results.json` form (`to_dict` / `from_dict`); `Results` in `results` holds them and
re-exports every name here, so `from tuneplate.engine.results import Table` still works.

Example:
    >>> Headline.from_dict({"cards": [{"label": "Profit", "value": 1.0}]}).cards[0].label
    'Profit'
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any, ClassVar

import pandas as pd


class TableKey(StrEnum):
    """Keys of the tables the report places or charts itself; any other key is a business
    table shown as it is. A `StrEnum`, so it equals (and is saved as) its plain string."""

    CUTOFFS = "cutoffs"  # approval rate vs bad rate: the approval chart
    CALIBRATION = "calibration"  # predicted vs observed per band: reliability
    DECISION_CURVE = "decision_curve"  # net benefit by threshold: chart, appendix table
    PER_1000 = "per_1000"  # natural frequencies: the frequencies chart
    FAIRNESS = "fairness"  # adverse impact by protected group: fairness section
    SUBGROUPS = "subgroups"  # performance by subgroup: fairness section
    SEGMENTS = "segments"  # performance by segment: fairness section


GROUP_TABLES = (TableKey.FAIRNESS, TableKey.SUBGROUPS, TableKey.SEGMENTS)


def is_group_table(key: str) -> bool:
    """A table that breaks results down by group ("fairness", "subgroups_2", ...)."""
    return any(key == k or key.startswith(f"{k}_") for k in GROUP_TABLES)


class Role(StrEnum):
    """What a column holds, for the report to find it whatever the column is labelled.

    Declared per table in `Table.roles` (role -> label); the labels stay the vertical's.
    """

    APPROVAL_RATE = "approval_rate"  # cutoffs: share approved (x of the approval chart)
    BAD_RATE_APPROVED = "bad_rate_approved"  # cutoffs: bad rate among the approved
    BAD_RATE_DECLINED = "bad_rate_declined"  # cutoffs: bad rate among the declined
    PREDICTED = "predicted"  # calibration: mean predicted rate in the band
    OBSERVED = "observed"  # calibration: observed rate in the band
    THRESHOLD = "threshold"  # decision curve: threshold probability
    MODEL = "model"  # decision curve: net benefit of acting on the model
    TREAT_ALL = "treat_all"  # decision curve: net benefit of treating everyone
    TREAT_NONE = "treat_none"  # decision curve: net benefit of treating no one
    PER_1000 = "per_1000"  # per_1000: how many of 1,000 end up in each outcome
    ADVERSE_IMPACT = "adverse_impact"  # group tables: adverse impact ratio
    REFERENCE = "reference"  # group tables: marks the group the AIRs are measured against
    GROUP = "group"  # group tables: the group's value
    ATTRIBUTE = "attribute"  # group tables: the column the group comes from


@dataclass(frozen=True)
class Table:
    """A titled aggregate table for the report (never rows of the user's data).

    `roles` names the columns the report reads (a chart, a caption) by a stable id; the
    frame's column labels are for the reader and may change freely.

    Example:
        >>> Table(TableKey.CUTOFFS, "Approval vs bad rate",
        ...       pd.DataFrame({"Share approved": [0.7], "Bad rate among approved": [0.1]}),
        ...       formats={"Share approved": "percent"},
        ...       roles={Role.APPROVAL_RATE: "Share approved",
        ...              Role.BAD_RATE_APPROVED: "Bad rate among approved"})
    """

    key: str
    title: str
    frame: pd.DataFrame  # columns are reader-facing labels
    note: str = ""  # one sentence: what the table shows and the assumptions behind it
    formats: dict[str, str] = field(default_factory=dict)  # column -> percent|money|count|number
    roles: dict[str, str] = field(default_factory=dict)  # Role -> column label

    def column(self, role: str) -> str | None:
        """The label of the column declared for `role`, or None (undeclared or absent)."""
        label = self.roles.get(role)
        return label if label is not None and label in self.frame.columns else None

    def to_dict(self) -> dict:
        return {
            "key": self.key,
            "title": self.title,
            "note": self.note,
            "formats": self.formats,
            "roles": dict(self.roles),
            "columns": [str(c) for c in self.frame.columns],
            "rows": jsonable(self.frame.to_dict(orient="records")),
        }

    @classmethod
    def from_dict(cls, data: dict) -> Table:
        frame = pd.DataFrame(data["rows"], columns=data["columns"])
        return cls(
            data["key"],
            data["title"],
            frame,
            data.get("note", ""),
            data.get("formats", {}),
            data.get("roles", {}),  # absent before roles were declared: the report guesses
        )


@dataclass(frozen=True)
class Card:
    """One headline number in business units, with the one line behind it.

    Example:
        >>> Card("Profit per 1,000 applicants", 47250.0, "money", "Margin 8.0% on each good loan")
    """

    label: str
    value: Any  # a number (or a short text)
    format: str = "number"  # money, percent, count, number or text
    assumption: str = ""

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Card | None:
        """A card from its saved form; None when it has no label or no value."""
        if not isinstance(data, Mapping) or not data.get("label") or "value" not in data:
            return None
        return cls(
            str(data["label"]),
            data["value"],
            str(data.get("format") or ""),
            str(data.get("assumption") or ""),
        )


@dataclass(frozen=True)
class Headline:
    """What the vertical says first: the decision summary's sentences and numbers.

    `summary`: plain sentences shown under the verdict; `operating_point`: the
    recommended operating point in one sentence; `cards`: the three headline numbers;
    `concerns`: (level, sentence) pairs the verdict weighs ("good", "caution", "stop");
    `approval_rate` and `decision_threshold`: the operating points the approval chart
    and the decision curve mark; `figures`: the vertical's other numbers, saved for
    readers of results.json, never read by the report except `figures["intervals"]`, the
    95% intervals the analysts' metric table prints beside each metric (`facts.metric_rows`).

    Example:
        >>> Headline(summary=("Approve applicants with PD up to 15.1%.",),
        ...          operating_point="approve applicants whose PD is at most 15.1%.",
        ...          cards=(Card("Bad loans among those approved", 0.12, "percent"),),
        ...          approval_rate=0.7)
    """

    summary: tuple[str, ...] = ()
    operating_point: str = ""
    cards: tuple[Card, ...] = ()
    concerns: tuple[tuple[str, str], ...] = ()
    approval_rate: float | None = None
    decision_threshold: float | None = None
    figures: dict[str, Any] = field(default_factory=dict)

    _KNOWN: ClassVar[tuple[str, ...]] = (
        "summary",
        "operating_point",
        "cards",
        "concerns",
        "approval_rate",
        "decision_threshold",
    )

    def to_dict(self) -> dict[str, Any]:
        """The saved form: the known fields, then `figures` at the same level."""
        out: dict[str, Any] = {
            "summary": list(self.summary),
            "operating_point": self.operating_point,
            "cards": [asdict(c) for c in self.cards],
            "concerns": [list(c) for c in self.concerns],
        }
        for name in ("approval_rate", "decision_threshold"):
            if getattr(self, name) is not None:
                out[name] = getattr(self, name)
        return out | {k: v for k, v in self.figures.items() if k not in out}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | None) -> Headline:
        """A headline from its saved form (or a vertical's dict); malformed parts dropped."""
        data = dict(data or {})
        summary = data.get("summary") or ()
        summary = (summary,) if isinstance(summary, str) else tuple(str(s) for s in summary)
        cards = data.get("cards") or ()
        cards = tuple(c for c in map(Card.from_dict, cards if _seq(cards) else ()) if c)
        concerns = tuple(
            (str(c[0]), str(c[1])) for c in data.get("concerns") or () if _seq(c) and len(c) == 2
        )
        return cls(
            summary=summary,
            operating_point=str(data.get("operating_point") or ""),
            cards=cards,
            concerns=concerns,
            approval_rate=_number(data.get("approval_rate")),
            decision_threshold=_number(data.get("decision_threshold")),
            figures={k: v for k, v in data.items() if k not in cls._KNOWN},
        )

    @classmethod
    def coerce(cls, value: Headline | Mapping[str, Any] | None) -> Headline:
        return value if isinstance(value, Headline) else cls.from_dict(value)

    # Read access for code written when the headline was a dict (scaffolded tests,
    # notebooks): `headline["cards"]` is the saved form's value. New code reads fields.
    def __getitem__(self, key: str) -> Any:
        return self.to_dict()[key]

    def get(self, key: str, default: Any = None) -> Any:
        return self.to_dict().get(key, default)

    def __contains__(self, key: object) -> bool:
        return key in self.to_dict()


@dataclass(frozen=True)
class About:
    """What the model is for, in the vertical's words, copied into `Results` at run time
    so a re-render never needs the vertical installed.

    Example:
        >>> About.from_vertical(load_vertical("credit-risk")).intended_use[:24]
        'ranking loan applicants '
    """

    intended_use: str = ""
    out_of_scope: str = ""

    @classmethod
    def from_vertical(cls, vertical: Any) -> About:
        """The report's words from a `Vertical` (read by attribute: no import needed)."""
        return cls(
            str(getattr(vertical, "intended_use", "") or ""),
            str(getattr(vertical, "out_of_scope", "") or ""),
        )

    def __bool__(self) -> bool:
        return bool(self.intended_use or self.out_of_scope)


# The tuned model against the baseline (`Baseline.decision`).
DECISIONS = ("better", "same", "worse", "kept", "unjudged")


@dataclass(frozen=True)
class Baseline(Mapping):
    """The vertical's simple baseline, scored on the same hold-out rows as the tuned model,
    and which of the two the report recommends.

    `difference` is tuned − baseline on the hold-out in the metric's good direction
    (positive: the tuned model is better; for log-loss, baseline loss − tuned loss);
    `interval` its 95% paired percentile bootstrap interval over hold-out rows. `decision`:
    "better" when the interval's lower end is above 0, "worse" when its upper end is below
    0, else "same"; "kept" when the search kept the baseline's own settings (the one-SE
    rule, `Selection`), so tuned and baseline are one model; "unjudged" when compared but
    no interval could be formed (too few hold-out rows or `--group` entities); "" when
    not compared (results.json written before).
    The tuned model is recommended only when the whole interval is in its favour: the
    baseline is recommended on "same", "worse" and "unjudged", and then `headline`, `tables`
    and `metrics` are the vertical's evaluation of the baseline, as for the tuned model.
    `unavailable` says, in one line, why there is no comparison although the vertical has
    a baseline (its fit broke the run's monotone constraints); `violation` then names the
    constraint when the family said which: {"column", "direction", "fitted"} (the fitted
    coefficient, whose sign goes against the direction). `holdout` is None then.

    Still reads like the dict it was (`baseline["holdout"]`, `.get`, `{**baseline}`): the
    mapping is the saved form; an empty `Baseline` (no baseline family) is falsy.

    Example:
        >>> b = Baseline("logistic", "L2-regularised logistic regression", {"C": 1.0}, 0.775,
        ...              difference=-0.021, interval=(-0.048, 0.006), decision="same")
        >>> b.recommended, b["holdout"]
        (True, 0.775)
    """

    family: str = ""
    label: str = ""
    params: dict[str, Any] = field(default_factory=dict)
    holdout: float | None = None
    difference: float | None = None
    interval: tuple[float, float] | None = None
    decision: str = ""  # one of DECISIONS, or "" (not compared)
    tuned_label: str = ""  # the tuned family's reader-facing name, for the sentences
    headline: Headline | None = None  # the baseline's own evaluation, when recommended
    # its hold-out score's 95% interval, as the tuned model's (`holdout_interval`), when
    # recommended: the figure the first screen shows gets its interval too
    holdout_interval: tuple[float, float] | None = None
    tables: tuple[Table, ...] = ()
    metrics: dict[str, float] = field(default_factory=dict)
    unavailable: str = ""  # why the baseline was not compared (e.g. a monotone violation)
    violation: dict[str, Any] = field(default_factory=dict)  # column, direction, fitted
    # How the baseline's settings were chosen, as the report's table says it: a binary
    # vertical's baseline runs at its defaults; a recommendation rival is tuned on the
    # validation period, a popularity list has none ("a fixed rule").
    settings: str = "default settings"

    @property
    def recommended(self) -> bool:
        """True when the report recommends the baseline over the tuned model."""
        return self.decision in ("same", "worse", "unjudged")

    def to_dict(self) -> dict[str, Any]:
        """The saved form: the older four keys, then the comparison and evaluation if any."""
        if not self.family:
            return {}
        out: dict[str, Any] = {
            "family": self.family,
            "label": self.label,
            "params": dict(self.params),
            "holdout": self.holdout,
        }
        if self.decision:
            out |= {
                "difference": self.difference,
                "interval": list(self.interval) if self.interval else None,
                "decision": self.decision,
                "tuned_label": self.tuned_label,
            }
        if self.unavailable:
            out |= {"unavailable": self.unavailable, "violation": dict(self.violation)}
        if self.settings != "default settings":
            out["settings"] = self.settings
        if self.holdout_interval is not None:
            out["holdout_interval"] = list(self.holdout_interval)
        if self.headline is not None:
            out |= {
                "headline": self.headline.to_dict(),
                "tables": [t.to_dict() for t in self.tables],
                "metrics": dict(self.metrics),
            }
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | None) -> Baseline:
        """A baseline from its saved form; the older four-key form reads as not compared."""
        data = dict(data or {})
        if not data.get("family"):
            return cls()
        interval = data.get("interval")
        decision = str(data.get("decision") or "")
        return cls(
            family=str(data["family"]),
            label=str(data.get("label") or ""),
            params=dict(data.get("params") or {}),
            holdout=_number(data.get("holdout")),
            difference=_number(data.get("difference")),
            interval=_pair(interval),
            decision=decision if decision in DECISIONS else "",
            tuned_label=str(data.get("tuned_label") or ""),
            headline=Headline.from_dict(data["headline"]) if data.get("headline") else None,
            tables=tuple(Table.from_dict(t) for t in data.get("tables") or ()),
            metrics={str(k): v for k, v in (data.get("metrics") or {}).items()},
            unavailable=str(data.get("unavailable") or ""),
            violation=dict(data.get("violation") or {}),
            settings=str(data.get("settings") or "default settings"),
            holdout_interval=_pair(data.get("holdout_interval")),
        )

    @classmethod
    def coerce(cls, value: Baseline | Mapping[str, Any] | None) -> Baseline:
        return value if isinstance(value, Baseline) else cls.from_dict(value)

    # Mapping over the saved form, for code written when the baseline was a dict.
    def __getitem__(self, key: str) -> Any:
        return self.to_dict()[key]

    def __iter__(self):
        return iter(self.to_dict())

    def __len__(self) -> int:
        return len(self.to_dict())


def _seq(value: Any) -> bool:
    return isinstance(value, list | tuple)


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _pair(value: Any) -> tuple[float, float] | None:
    """Two numbers saved as a list, as a tuple; None otherwise."""
    if _seq(value) and len(value) == 2 and None not in value:
        return float(value[0]), float(value[1])
    return None


def jsonable(value: Any) -> Any:
    """JSON-safe copy: numpy scalars to Python, NaN/inf to None, tuples to lists."""
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if hasattr(value, "item") and not isinstance(value, str):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, pd.Timestamp):
        return value.isoformat()
    return value


@dataclass(frozen=True)
class FreshFolds:
    """Best trial and blend against the baseline on folds the search never used.

    Gains are means over `folds` paired folds of (candidate − baseline) in the metric's
    good direction (positive: the candidate is better), each with its standard error
    (sample SD / √folds). `engine/tasks/binary/blending.py` computes them.

    Example:
        >>> FreshFolds(folds=10, best=0.004, best_se=0.003, blend=0.006, blend_se=0.002)
    """

    folds: int
    best: float
    best_se: float
    blend: float
    blend_se: float
    blend_score: float | None = None  # the blend's mean fresh-fold score, the metric's own
    base_score: float | None = None  # the baseline's on the same fresh folds


@dataclass(frozen=True)
class Selection:
    """How the refitted trial was chosen.

    `chosen` and `best` are Optuna trial numbers (from 0); `rule` is "best" (the best
    mean fold score was refitted), "blend" (the best trial and the baseline, blended,
    `engine/families/blend.py`), "one-SE" (the baseline trial was kept because neither
    beat it by more than one standard error) or "baseline" (the baseline trial had the
    best mean fold score itself). `difference` is the mean of the per-fold differences
    best − baseline on the search's folds in the metric's good direction (positive: the
    best trial is better), `se` its standard error (sample SD / √folds); both None when
    no baseline trial completed with comparable fold scores. `fresh`: the comparison on
    fresh folds that decided between baseline, best and blend, None when none was made
    (the rule then used the search's folds).

    Example:
        >>> Selection(chosen=0, best=17, rule="one-SE", difference=0.002, se=0.004).kept
        True
    """

    chosen: int
    best: int
    rule: str = "best"
    difference: float | None = None
    se: float | None = None
    fresh: FreshFolds | None = None

    @property
    def kept(self) -> bool:
        """True when the baseline's default settings were kept: no trial clearly beat them."""
        return self.rule in ("one-SE", "baseline")

    def validation(self, trial_value: float) -> float:
        """The refitted model's cross-validated score: the chosen trial's `trial_value`,
        or for a blend its mean score on the fresh folds that chose it."""
        if self.rule == "blend" and self.fresh and self.fresh.blend_score is not None:
            return self.fresh.blend_score
        return trial_value

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def coerce(cls, value: Selection | dict | None) -> Selection | None:
        """A `Selection` from its saved form; None (results.json written before it)."""
        if value is None or isinstance(value, Selection):
            return value
        if not value:
            return None
        fresh = value.get("fresh")
        return cls(**{**value, "fresh": FreshFolds(**fresh) if fresh else None})
