"""Search spaces that every strategy can read.

A `Space` lists each hyperparameter once: its range, its scale, the points a grid
search visits and a cheap starting value. TPE, random and CMA-ES read the ranges
through `suggest`; grid search reads `grid()`; the study enqueues `start` first.
A `Choice` is the conditional space of the `auto` strategy: first the model family,
then that family's own `Space`, its parameter names prefixed with the family's.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import optuna


@dataclass(frozen=True)
class Param:
    """One hyperparameter.

    Args:
        name: the estimator's keyword.
        low, high: inclusive range for numbers; ignored when `choices` is given.
        log: sample on a log scale (learning rates, penalties, leaf counts).
        integer: sample integers.
        choices: a categorical parameter's values instead of a range.
        grid: the points grid search visits (default: the start value only).
        start: the cheap, sensible value tried first.
        max_share: for row-count parameters (minimum rows per leaf): the upper bound
            is clipped to this share of the training rows, so one default space
            serves a table of 800 rows and one of 8 million.

    Example:
        >>> Param("learning_rate", 0.005, 0.2, log=True, grid=(0.02, 0.1), start=0.05)
        Param(name='learning_rate', low=0.005, high=0.2, ...)
    """

    name: str
    low: float | None = None
    high: float | None = None
    log: bool = False
    integer: bool = False
    choices: tuple[Any, ...] | None = None
    grid: tuple[Any, ...] = ()
    start: Any = None
    max_share: float | None = None

    def __post_init__(self) -> None:
        if self.choices is None and (self.low is None or self.high is None or self.low > self.high):
            raise ValueError(f"parameter {self.name!r} needs low <= high or a list of choices")
        if self.log and self.choices is None and self.low <= 0:  # Optuna refuses it per trial
            raise ValueError(
                f"parameter {self.name!r} is searched on a log scale, so its low must be "
                f"above 0 (got {self.low!r}); raise it or drop log=True"
            )
        for value in (*self.grid, self.start):
            if value is not None and not self.contains(value):
                raise ValueError(f"value {value!r} lies outside the space of {self.name!r}")

    def contains(self, value: Any) -> bool:
        if self.choices is not None:
            return value in self.choices
        return self.low <= value <= self.high and (not self.integer or float(value).is_integer())

    def suggest(self, trial: optuna.Trial, prefix: str = "") -> Any:
        name = prefix + self.name
        if self.choices is not None:
            return trial.suggest_categorical(name, list(self.choices))
        if self.integer:
            return trial.suggest_int(name, int(self.low), int(self.high), log=self.log)
        return trial.suggest_float(name, self.low, self.high, log=self.log)

    def coerce(self, value: Any, clamp: bool = False) -> Any:
        """`value` as this parameter stores it (JSON turns 7 into 7.0), or None if outside.

        With `clamp`, a number outside the range is moved to the nearest bound: a
        vertical's prior written for big tables still applies where `for_rows` has
        lowered a bound.
        """
        if self.choices is not None:
            return value if value in self.choices else None
        if isinstance(value, bool) or not isinstance(value, int | float) or value != value:
            return None
        if clamp:
            value = min(max(value, self.low), self.high)
        if self.integer:
            if not float(value).is_integer():
                return None
            value = int(value)
        return value if self.contains(value) else None

    @property
    def start_value(self) -> Any:
        if self.start is not None:
            return self.start
        if self.choices is not None:
            return self.choices[0]
        return self.low


@dataclass(frozen=True)
class Space:
    """An ordered set of `Param`s plus fixed settings passed to every fit.

    Example:
        >>> space = Space((Param("C", 1e-3, 1e2, log=True, start=1.0),), fixed={"max_iter": 500})
        >>> space.start
        {'C': 1.0}
    """

    params: tuple[Param, ...]
    fixed: Mapping[str, Any] = field(default_factory=dict)

    def suggest(self, trial: optuna.Trial) -> dict[str, Any]:
        """Ask the trial for every parameter; define-by-run, in a fixed order."""
        return {p.name: p.suggest(trial) for p in self.params}

    @property
    def start(self) -> dict[str, Any]:
        return {p.name: p.start_value for p in self.params}

    def grid(self) -> dict[str, list[Any]]:
        """The grid `GridSampler` walks: each parameter's grid points, or its start."""
        return {p.name: list(p.grid) or [p.start_value] for p in self.params}

    def for_rows(self, n_rows: int) -> Space:
        """The space adapted to a training set of `n_rows` (see `Param.max_share`).

        Example:
            >>> space.for_rows(640).params[0].high  # min_child_samples capped at 64
            64
        """
        return replace(self, params=tuple(_clip(p, n_rows) for p in self.params))

    def grid_points(self) -> list[dict[str, Any]]:
        """Every combination of the grid, in a fixed order.

        Example:
            >>> len(LIGHTGBM.grid_points())  # 3 × 2 × 2 × 2
            24
        """
        grid = self.grid()
        return [
            dict(zip(grid, values, strict=True)) for values in itertools.product(*grid.values())
        ]

    def contains(self, params: Mapping[str, Any]) -> bool:
        names = {p.name for p in self.params}
        return set(params) == names and all(p.contains(params[p.name]) for p in self.params)

    def coerce(self, params: Mapping[str, Any], clamp: bool = False) -> dict[str, Any] | None:
        """`params` fitted to this space (see `Param.coerce`), or None when they do not fit.

        Example:
            >>> LOGISTIC.coerce({"C": 1e6}), LOGISTIC.coerce({"C": 1e6}, clamp=True)
            (None, {'C': 100.0})
        """
        if set(params) != {p.name for p in self.params}:
            return None
        out = {p.name: p.coerce(params[p.name], clamp) for p in self.params}
        return None if any(v is None for v in out.values()) else out

    def changed_ranges(self, other: Space) -> list[str]:
        """Each parameter whose range differs in `other`: "name low to high (before: ...)",
        and "name added" / "name dropped" for a parameter only one of them has.

        Example:
            >>> LIGHTGBM.changed_ranges(LIGHTGBM.with_params(Param("num_leaves", 8, 32)))
            ['num_leaves 8 to 32 (before: 8 to 256)']
        """
        before = {p.name: p for p in self.params}
        after = {p.name: p for p in other.params}
        changed = []
        for name, p in after.items():
            b = before.get(name)
            if b is None:
                changed.append(f"{name} added")
            elif (b.choices, b.low, b.high) != (p.choices, p.low, p.high):
                changed.append(f"{name} {_range(p)} (before: {_range(b)})")
        return changed + [f"{name} dropped" for name in before if name not in after]

    def with_params(self, *overrides: Param, drop: Sequence[str] = ()) -> Space:
        """A copy with some parameters replaced (by name) or removed.

        Example:
            >>> wider = space.with_params(Param("C", 1e-4, 1e4, log=True, start=1.0))
        """
        by_name = {p.name: p for p in overrides}
        kept = tuple(by_name.pop(p.name, p) for p in self.params if p.name not in drop)
        return replace(self, params=kept + tuple(by_name.values()))


def _range(param: Param) -> str:
    """A parameter's range for a reader: "4 to 128", "0.001 to 1", "one of a, b"."""
    if param.choices is not None:
        return "one of " + ", ".join(str(c) for c in param.choices)

    def text(x) -> str:
        return f"{int(x):,}" if param.integer else f"{x:.3g}"

    return f"{text(param.low)} to {text(param.high)}"


def _clip(param: Param, n_rows: int) -> Param:
    if param.max_share is None:
        return param
    high = max(param.low, int(param.max_share * n_rows))
    if high >= param.high:
        return param
    grid = tuple(dict.fromkeys(min(g, high) for g in param.grid))
    start = None if param.start is None else min(param.start, high)
    return replace(param, high=high, grid=grid, start=start)


FAMILY = "family"  # the parameter (and trial user attribute) naming a trial's model family
SEP = "."  # between a family's name and its parameter's: "lightgbm.num_leaves"


@dataclass(frozen=True)
class Choice:
    """A conditional space: the model family first, then that family's own `Space`.

    Parameter names carry their family's prefix ("lightgbm.num_leaves"), so two
    families may give one name different ranges and a sampler keeps their histories
    apart. `spaces` are listed cheapest family first.

    Example:
        >>> choice = Choice({"logistic": LOGISTIC, "lightgbm": LIGHTGBM})
        >>> choice.join("logistic", {"C": 1.0})
        {'family': 'logistic', 'logistic.C': 1.0}
        >>> choice.split({"family": "logistic", "logistic.C": 1.0})
        ('logistic', {'C': 1.0})
    """

    spaces: Mapping[str, Space]

    def suggest(self, trial: optuna.Trial) -> tuple[str, dict[str, Any]]:
        """Ask for the family, then for that family's parameters (names unprefixed)."""
        family = trial.suggest_categorical(FAMILY, list(self.spaces))
        trial.set_user_attr(FAMILY, family)
        prefix = family + SEP
        return family, {p.name: p.suggest(trial, prefix) for p in self.spaces[family].params}

    def join(self, family: str, params: Mapping[str, Any]) -> dict[str, Any]:
        return {FAMILY: family, **{f"{family}{SEP}{k}": v for k, v in params.items()}}

    def split(self, params: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
        family = params[FAMILY]
        prefix = family + SEP
        return family, {k[len(prefix) :]: v for k, v in params.items() if k.startswith(prefix)}

    def contains(self, params: Mapping[str, Any]) -> bool:
        family = params.get(FAMILY)
        return family in self.spaces and self.spaces[family].contains(self.split(params)[1])

    @property
    def start(self) -> dict[str, Any]:
        family = next(iter(self.spaces))
        return self.join(family, self.spaces[family].start)
