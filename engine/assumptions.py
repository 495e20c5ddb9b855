"""Business assumptions: which a vertical accepts and which values make sense.

A vertical declares its assumptions once, as `Assumption`s, and hands
`validator(...)` to `Vertical(validate=...)`. `plan` calls it before the data is
read, so `--assume loss_given_default=-3` (or the same key through
`tuneplate.tune(assumptions=...)`) is refused in one line instead of producing
nonsense money figures, or a traceback, after the whole search.

Like `config_fields.ConfigError`, an `AssumptionError` names what a Python caller
typed (`fix assumptions={'loss_given_default': ...}`); the CLI rewords it with
`for_flags()` (`fix --assume loss_given_default=VALUE`, or the vertical's own flag).

Example:
    >>> LGD = Assumption("loss_given_default", "the share of the exposure lost at default",
    ...                  low=0, high=1, low_open=False)
    >>> validate = validator("credit-risk", [LGD])
    >>> validate({"loss_given_default": -3})
    Traceback (most recent call last):
    AssumptionError: loss_given_default (the share of the exposure lost at default) must be
    a number at least 0 and at most 1, got -3; fix assumptions={'loss_given_default': ...}
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from numbers import Real
from typing import Any

from tuneplate.engine.contract.errors import TuneplateError


class AssumptionError(TuneplateError):
    """An assumption refused: `str(error)` ends with the fix for a Python caller
    (`assumptions={...}`), `for_flags()` with the fix on the command line (`--assume`)."""

    def __init__(self, problem: str, fix: str, flag_fix: str):
        self.problem, self.fix, self.flag_fix = problem, fix, flag_fix
        super().__init__(f"{problem}; {fix}")

    def for_flags(self) -> str:
        return f"{self.problem}; {self.flag_fix}"


def _python_fix(key: str) -> str:
    return f"fix assumptions={{{key!r}: ...}}"


@dataclass(frozen=True)
class Assumption:
    """One assumption: its key, its meaning and the values it may take.

    Numbers must be finite and within [low, high] (an end is excluded when
    `low_open` / `high_open`); `whole` asks for a whole number; `optional` lets None
    mean "not stated"; `text` takes a label (e.g. a currency code) instead of a number.
    `flag` is the vertical's own option for it, if any (else `--assume KEY=VALUE`).
    """

    key: str
    meaning: str
    low: float | None = None
    high: float | None = None
    low_open: bool = True
    high_open: bool = False
    whole: bool = False
    optional: bool = False
    text: bool = False
    flag: str | None = None

    def fix(self) -> str:
        """The fix on the command line: the vertical's own flag, else `--assume`."""
        return f"fix {self.flag}" if self.flag else f"fix --assume {self.key}=VALUE"

    def expected(self) -> str:
        """The accepted values in words, e.g. "a number above 0 and at most 1"."""
        if self.text:
            return "text"
        words = "a whole number" if self.whole else "a number"
        if self.low is not None and not self.low_open and self.high is None:
            return f"{words} of {self.low:g} or more"
        ends = []
        if self.low is not None:
            ends.append(f"{'above' if self.low_open else 'at least'} {self.low:g}")
        if self.high is not None:
            ends.append(f"{'below' if self.high_open else 'at most'} {self.high:g}")
        return " ".join([words, " and ".join(ends)]).strip()

    def problem(self, value: Any) -> str | None:
        """Why `value` cannot be used, or None."""
        if value is None and self.optional:
            return None
        if self.text:
            return None if isinstance(value, str) and value.strip() else "text"
        if not (isinstance(value, Real) and not isinstance(value, bool)):
            return "not a number"
        if not math.isfinite(value):
            return "not a finite number"
        if self.whole and not float(value).is_integer():
            return "not a whole number"
        if self.low is not None and (value <= self.low if self.low_open else value < self.low):
            return "out of range"
        if self.high is not None and (value >= self.high if self.high_open else value > self.high):
            return "out of range"
        return None

    def check(self, value: Any) -> None:
        if self.problem(value):
            raise AssumptionError(
                f"{self.key} ({self.meaning}) must be {self.expected()}, got {value!r}",
                _python_fix(self.key),
                self.fix(),
            )


def _unknown(vertical: str, given: Mapping[str, Any], known: Sequence[str]) -> None:
    unknown = sorted(set(given) - set(known))
    if not unknown:
        return
    if not known:
        raise AssumptionError(
            f"{vertical} takes no assumptions, got {unknown[0]!r}",
            f"drop {unknown[0]!r} from assumptions=",
            f"drop --assume {unknown[0]}",
        )
    raise AssumptionError(
        f"unknown assumption {unknown[0]!r} for {vertical}; the known ones are "
        f"{', '.join(sorted(known))}",
        "fix assumptions=",
        "fix --assume",
    )


def validator(vertical: str, declared: Sequence[Assumption]) -> Callable[[Mapping[str, Any]], None]:
    """A `Vertical.validate` hook: unknown keys and out-of-range values raise one line.

    Example:
        >>> validate = validator("diagnosis", [Assumption("miss_cost", "…", low=0)])
        >>> validate({"miss_cost": 10})  # passes
    """
    by_key = {a.key: a for a in declared}

    def validate(assumptions: Mapping[str, Any]) -> None:
        _unknown(vertical, assumptions, list(by_key))
        for key, value in assumptions.items():
            by_key[key].check(value)

    validate.declared = tuple(declared)  # for help texts and tests
    return validate


def check_assumptions(vertical: Any, given: Mapping[str, Any]) -> None:
    """Check `given` (what the run states) against `vertical`, before any data is read.

    With a `validate` hook, it decides (on the defaults merged with `given`); without
    one, only the vertical's default keys and its options' keys are accepted, and a
    number must be finite.
    """
    if not isinstance(given, Mapping):
        raise TuneplateError(
            f"assumptions must be a mapping of names to values, got {given!r}; "
            "give e.g. {'loss_given_default': 0.6}"
        )
    if vertical.validate:
        vertical.validate({**vertical.assumptions, **given})
        return
    known = [*vertical.assumptions, *(o.key for o in vertical.options)]
    _unknown(vertical.name, given, known)
    for key, value in given.items():
        if isinstance(value, float) and not math.isfinite(value):
            raise AssumptionError(
                f"{key} must be a finite number, got {value!r}", _python_fix(key), "fix --assume"
            )


__all__ = ["Assumption", "AssumptionError", "check_assumptions", "validator"]
