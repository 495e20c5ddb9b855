"""The type and range of every `Config` field, checked before anything is read or fitted.

A `Config` comes from three places: the CLI's flags, `tuneplate.tune(...)` and a
saved `config.json` (a replay, a resume, a shared study's record). The last two are
not typed by argparse, so a field such as `"n_trials": "ten"` or `"seed": [1]` would
otherwise reach Optuna, NumPy or scikit-learn and end in a traceback after the search.

Messages name the Python parameter (`tuneplate.tune(seed=...)`); the CLI, which knows
the flag behind each field, rewords them (`ConfigError.for_flags`), so neither user is told
to fix a setting they never typed.

Example:
    >>> check_config(Config.flat(seed=-1))
    Traceback (most recent call last):
    ConfigError: the seed must be a whole number from 0 to 4294967295, got -1; fix seed=
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from numbers import Integral, Real
from typing import Any

from tuneplate.engine.contract.errors import TuneplateError
from tuneplate.engine.monotone import wants_auto
from tuneplate.engine.tasks.registry import task_for

# numpy.random.RandomState / scikit-learn's random_state accept 0 <= seed < 2**32.
# https://numpy.org/doc/stable/reference/random/legacy.html#numpy.random.RandomState
MAX_SEED = 2**32 - 1


def _number(value: Any) -> bool:
    return isinstance(value, Real) and not isinstance(value, bool) and math.isfinite(value)


def _whole(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, Integral):
        return True
    return isinstance(value, float) and value.is_integer()


def _text(value: Any) -> bool:
    return isinstance(value, str)


def _name(value: Any) -> bool:
    # an empty name would silently mean "the default" (e.g. --model "")
    return isinstance(value, str) and value.strip() != ""


def _sign(value: Any) -> bool:
    # True == 1 in Python: a boolean is no direction
    return not isinstance(value, bool) and _number(value) and value in (1, -1)


def _columns(value: Any) -> bool:
    return isinstance(value, list | tuple) and all(isinstance(c, str) and c for c in value)


@dataclass(frozen=True)
class Field:
    """What one Config field holds: a test, the words for it and the flag that sets it.

    `FIELDS`' order is `config.json`'s (`engine.config.NAMES`): a new field goes last.
    """

    label: str  # "the number of trials"
    expected: str  # "a whole number above 0"
    flag: str  # "--trials"
    ok: Callable[[Any], bool]
    optional: bool = True  # None is allowed (it means "the default")


FIELDS: dict[str, Field] = {
    "target": Field("the target column", "a column name (text)", "--target", _name),
    # a replayed positive may have been saved as a number (e.g. 1)
    "positive": Field(
        "the positive value",
        "a target value (text)",
        "--positive",
        lambda v: _text(v) or _number(v),
    ),
    "time": Field("the time column", "a column name (text)", "--time", _name),
    "group": Field("the group column", "a column name (text)", "--group", _name),
    "protected": Field("the protected columns", "a list of column names", "--protected", _columns),
    "exclude": Field(
        "the excluded columns", "a list of column names", "--exclude", _columns, False
    ),
    "subgroups": Field(
        "the subgroup columns", "a list of column names", "--subgroups", _columns, False
    ),
    "model": Field("the model family", "a family name (text)", "--model", _name),
    "metric": Field("the metric", "a metric name (text)", "--metric", _name),
    "strategy": Field("the strategy", "a strategy name (text)", "--strategy", _name),
    "n_trials": Field(
        "the number of trials",
        "a whole number above 0",
        "--trials",
        lambda v: _whole(v) and v > 0,
    ),
    "timeout": Field(
        "the timeout", "a number of seconds above 0", "--timeout", lambda v: _number(v) and v > 0
    ),
    "seed": Field(
        "the seed",
        f"a whole number from 0 to {MAX_SEED}",
        "--seed",
        lambda v: _whole(v) and 0 <= v <= MAX_SEED,
        False,
    ),
    "pruner": Field("the pruner", "a pruner name (text)", "--pruner", _name),
    "storage": Field("the storage", "journal, memory or a URL (text)", "--storage", _text, False),
    "study": Field("the study name", "text", "--study", _name),
    "purpose": Field("the purpose", "text", "--purpose", _text, False),
    "assumptions": Field(
        "the assumptions",
        "a mapping of names to values",
        "--assume KEY=VALUE",
        lambda v: isinstance(v, Mapping) and all(isinstance(k, str) for k in v),
        False,
    ),
    "user": Field("the user column", "a column name (text)", "--user", _name),
    "item": Field("the item column", "a column name (text)", "--item", _name),
    "value": Field("the value column", "a column name (text)", "--value", _name),
    "min_value": Field("the minimum value", "a number", "--min-value", _number),
    "items": Field("the items table", "a file path (text)", "--items", _text),
    "split": Field("the split", "time or last-n", "--split", _name),
    "expect_fingerprint": Field("the expected fingerprint", "text", "--config", _text),
    "allow_new_data": Field(
        "allow_new_data", "true or false", "--allow-new-data", lambda v: isinstance(v, bool), False
    ),
    "warm_start": Field("the warm-start run", "a run folder (text)", "--warm-start", _text),
    "jobs": Field(
        "the number of parallel trials",
        "a whole number above 0",
        "--jobs",
        lambda v: _whole(v) and v > 0,
        False,
    ),
    "calibrate": Field(
        "the calibration",
        "one of none, platt, isotonic",
        "--calibrate",
        lambda v: v in ("none", "platt", "isotonic"),
    ),
    "monotone": Field(
        "the monotone constraints",
        "a mapping of column names to +1 or -1, e.g. {'duration': 1}, or \"auto\"",
        "--monotone",
        lambda v: (
            # "auto", or {"auto": True, ...}: directions proposed from the data
            v == "auto"
            or isinstance(v, Mapping)
            and all(
                isinstance(k, str) and k and (_sign(s) or (k == "auto" and s is True))
                for k, s in v.items()
            )
        ),
    ),
    "blend": Field(
        "blend", "true or false", "--blend or --no-blend", lambda v: isinstance(v, bool), False
    ),
}


def field_problem(name: str, value: Any) -> str | None:
    """Why `value` cannot be Config field `name` ("must be …"), or None when it can."""
    spec = FIELDS.get(name)
    if spec is None or (value is None and spec.optional) or (value is not None and spec.ok(value)):
        return None
    return f"{spec.label} must be {spec.expected}, got {value!r}"


class ConfigError(TuneplateError):
    """A Config field with the wrong type or range.

    `str(error)` names the Python parameter (`fix seed=`); `for_flags()` names the
    command-line flag that sets the same field (`fix --seed`).
    """

    def __init__(self, field: str, problem: str):
        self.field, self.problem = field, problem
        super().__init__(f"{problem}; fix {field}=")

    def for_flags(self) -> str:
        return f"{self.problem}; fix {FIELDS[self.field].flag}"


def check_config(config: Any) -> None:
    """`config.check()`: refuse a Config whose fields have the wrong type or range.

    Raises:
        ConfigError: the first bad field, e.g. "the seed must be a whole number from 0
            to 4294967295, got 1.5; fix seed=" (`for_flags()`: "…; fix --seed").
    """
    config.check()


RANKING_ONLY = ("user", "item", "value", "min_value", "items", "split")


def check_task_fields(config: Any, vertical: Any) -> None:
    """Refuse interaction-log settings on a vertical that does not read a log.

    They would be ignored: a silently dropped `--split last-n` is a different run
    from the one the user asked for.
    """
    if task_for(vertical).reads_log:
        if config.setting("calibrate") not in (None, "none"):
            raise TuneplateError(
                f"--calibrate applies to binary verticals (probabilities), not to "
                f"{vertical.name}; leave it out"
            )
        if config.setting("monotone"):
            raise TuneplateError(
                f"--monotone applies to binary verticals (a table's columns), not to "
                f"{vertical.name}; leave it out"
            )
        return
    monotone = config.setting("monotone")
    if wants_auto(monotone) and not getattr(vertical, "monotone_auto", False):
        raise TuneplateError(
            f"--monotone auto is offered by verticals that opt in (credit-risk), not by "
            f"{vertical.name}; give the directions yourself (--monotone COL=+1,COL=-1) or "
            "leave it out"
        )
    given = [name for name in RANKING_ONLY if config.setting(name) is not None]
    if given:
        flag = FIELDS[given[0]].flag
        raise TuneplateError(
            f"{flag} applies to ranking verticals (an interaction log), not to "
            f"{vertical.name}; leave it out"
        )


def _json_kind(value: Any) -> str:
    kinds = {dict: "an object", list: "a list", str: "text", bool: "true/false"}
    if value is None:
        return "null"
    return kinds.get(type(value), "a number" if _number(value) else type(value).__name__)


def config_values(saved: Any, source: str, fields: Iterable[str]) -> dict[str, Any]:
    """The Config fields stored in a run record (`config.json` or a study's record).

    Only names in `fields` (the Config's) are kept, since an older version may have
    written others; every field in `FIELDS` is type-checked, and column lists become tuples.

    Raises:
        TuneplateError: the record is not an object with a "config" object, or a known
            field has the wrong type; the line names `source` and the field.

    Example:
        >>> config_values({"config": {"seed": 3, "protected": ["sex"]}}, "config.json", {"seed"})
        {'seed': 3}
    """
    if not isinstance(saved, dict) or not isinstance(saved.get("config"), dict):
        if not isinstance(saved, dict):
            got = _json_kind(saved)
        elif "config" not in saved:
            got = 'no "config"'
        else:
            got = f'"config": {_json_kind(saved["config"])}'
        raise TuneplateError(
            f'{source} is not a tuneplate run record (expected an object with a "config" '
            f"object, got {got}); give the config.json a run wrote"
        )
    keep = set(fields)
    values = {k: v for k, v in saved["config"].items() if k in keep}
    for name, value in values.items():
        problem = field_problem(name, value)
        if problem:
            raise TuneplateError(
                f"{source}: field {name!r}: {problem}; correct that field in the file"
            )
    for key in ("protected", "exclude", "subgroups"):
        if values.get(key) is not None:
            values[key] = tuple(values[key])
    return values


__all__ = [
    "ConfigError",
    "FIELDS",
    "MAX_SEED",
    "check_config",
    "check_task_fields",
    "config_values",
    "field_problem",
]
