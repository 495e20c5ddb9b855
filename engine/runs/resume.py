"""What `--resume` must find unchanged: every setting that changes what a trial means.

A resumed study adds trials to those already in its journal, and the report ranks them
all and refits the best. That is sound only when every trial was scored the same way:
on the same rows and features (data roles), the same split and folds, by the same
metric, for the same model family, drawn by the same strategy from the same space,
with the same seed and pruner. So the run saves its resolved settings (defaults filled
in: `resolved_settings`) in `config.json`, and a resume compares them, field by field,
with the new ones before the search (`changes`).

Every `Config` field is compared unless it is listed here, so a field added later is
compared by default:

* `MAY_CHANGE`: the budget (`n_trials`, `timeout`), parallel trials (`jobs`), the
  purpose text, and the business assumptions (`--assume`, vertical options such as
  `--miss-cost` or `--prevalence`). The vertical reads assumptions after the search,
  to turn the hold-out into money or clinical figures, so they change the report, not
  the trials. An assumption the search itself reads (a ranking run's `--k`, the k of
  NDCG@k) reaches the plan's fit settings and is compared there (`FIT_SETTINGS`).
  The probability calibration (`--calibrate`) is fitted after the search too, and the
  choice among baseline, best and blend (`--no-blend`) is made after it.
  Monotone constraints (`--monotone`) are not listed: they change what every trial
  fits, so a resume with other constraints is refused like one with another --exclude.
  They are compared as resolved: `--monotone auto` as the directions it proposed (the
  same seed and data give the same development rows, so the same directions).
* `NOT_COMPARED`: a replay's expected fingerprint; the data itself is compared by its
  fingerprint on its own.

The storage is compared with its password masked: a new password for the same
database may be given on resume.

Besides the `Config` fields: `validation` (the split, as the report describes it) and
`space` (a digest of the search space, which follows the data, the roles and the
tuneplate version).

Example:
    >>> found = changes(saved_record, resolved_settings(ready), ready.config)
    >>> found[0].key, found[0].old, found[0].new
    ('exclude', [], ['leaky_col'])
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from tuneplate.engine.config import Config
from tuneplate.engine.config_fields import FIELDS
from tuneplate.engine.search.strategies import AUTO
from tuneplate.engine.search.study import mask
from tuneplate.engine.tune import study_name

MAY_CHANGE = frozenset(
    {"n_trials", "timeout", "jobs", "purpose", "assumptions", "calibrate", "blend"}
)
NOT_COMPARED = frozenset({"expect_fingerprint", "allow_new_data"})
# Fit settings that are no Config field but change a trial (RankFit.k); the seed is a
# Config field, threads and rounds do not change what a trial means. `Fit.monotone` is
# the Config field `monotone` as positions, which is compared under its own name.
FIT_IGNORED = frozenset({"seed", "n_threads", "n_rounds", "deadline", "monotone"})
EXTRA = {"validation": "the validation split", "space": "the search space"}


def _plain(value: Any) -> Any:
    """A JSON-comparable form: tuples as lists, NumPy scalars as Python ones."""
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if hasattr(value, "item") and not isinstance(value, str | bytes):
        return value.item()
    return value


def compared_fields() -> list[str]:
    """The Config fields a resume compares: all but MAY_CHANGE and NOT_COMPARED."""
    return [name for name in Config.names() if name not in MAY_CHANGE | NOT_COMPARED]


def resolved_settings(ready) -> dict[str, Any]:
    """The plan's settings with every default filled in, for `config.json`.

    `ready` is a `tune.Plan` or a ranking `RankPlan`. Keys: the compared Config fields,
    `validation`, `space` and the fit's own settings (e.g. `k`).
    """
    config = ready.config
    resolved: dict[str, Any] = {
        "model": AUTO if ready.families else ready.family.name,
        "metric": ready.objective.name,
        "strategy": ready.strategy,
        "pruner": getattr(ready, "pruner_name", config.search.pruner),
        "storage": mask(config.storage.storage),
        "study": study_name(ready),
    }
    roles = getattr(ready, "roles", None)
    if roles is not None:  # a classification plan: the roles as resolved on the data
        resolved.update(
            target=roles.target,
            positive=None if roles.positive is None else str(roles.positive),
            time=roles.time,
            group=roles.group,
            protected=roles.protected,
            exclude=roles.exclude,
            subgroups=roles.subgroups,
            # --monotone as resolved: `auto`'s directions, proposed from the development
            # rows, so a resume compares the constraints the trials were fitted under
            monotone=getattr(ready, "monotone_columns", None),
        )
    settings = {
        name: _plain(resolved.get(name, config.setting(name))) for name in compared_fields()
    }
    split = getattr(ready, "split", None)
    windows = getattr(ready, "windows", None)
    settings["validation"] = getattr(split if split is not None else windows, "description", None)
    settings["space"] = hashlib.sha256(repr(ready.space).encode()).hexdigest()[:16]
    fit = getattr(ready, "fit", None)
    for name in getattr(fit, "__dataclass_fields__", {}):
        if name not in FIT_IGNORED:
            settings[name] = _plain(getattr(fit, name))
    return settings


@dataclass(frozen=True)
class Change:
    """One setting a resume would change: its key, the run's value and the new one."""

    key: str
    old: Any
    new: Any


def changes(saved: dict, now: dict[str, Any], config: Config) -> list[Change]:
    """Every setting in `now` that differs from the saved run record `saved`.

    A record written before all settings were saved lacks some keys: for a Config field
    the saved raw value is compared with the new raw one (`config`), so what was typed
    differently is still caught; other missing keys cannot be compared and are skipped.
    """
    before = saved.get("settings") or {}
    raw = saved.get("config") or {}
    found = []
    for key, new in now.items():
        if key in before:
            old = before[key]
        elif key in raw or key in FIELDS:
            old, new = _plain(raw.get(key)), _plain(config.to_dict().get(key))
            if key == "storage" and isinstance(new, str):
                new = mask(new)  # the record keeps the storage masked
        else:
            continue
        if _same(old, new):
            continue
        found.append(Change(key, old, new))
    return found


def _same(old: Any, new: Any) -> bool:
    empty = (None, [], "", ())
    if old in empty and new in empty:
        return True
    if isinstance(old, int | float) and isinstance(new, int | float):
        return float(old) == float(new)
    return _plain(old) == _plain(new)


def shown(value: Any) -> str:
    """A setting as the message says it: a list joined by commas, nothing as "none"."""
    if value in (None, [], (), ""):
        return "none"
    if isinstance(value, list | tuple):
        return ",".join(map(str, value))
    if isinstance(value, dict):  # --monotone's {column: sign}
        return ",".join(
            f"{k}={v:+g}" if isinstance(v, int | float) else f"{k}={v}" for k, v in value.items()
        )
    return str(value)


def _flag(key: str, flags: dict[str, str]) -> str:
    if key in flags:
        return flags[key]
    if key in FIELDS:
        return FIELDS[key].flag
    return EXTRA.get(key, key)


def message(found: list[Change], typed: dict[str, Any], flags: dict[str, str]) -> str:
    """One line: the first change, what to do, and the other changed settings by name.

    `typed` holds what the user typed for a key (absent when not typed); `flags` maps
    keys that are no Config field to their command-line flag (e.g. "k" to "--k").

    Example:
        >>> message([Change("exclude", [], ["leaky_col"])], {"exclude": ("leaky_col",)}, {})
        "--resume: --exclude leaky_col differs from the run's none; … resume without
        --exclude, or start a new run with --out"
    """
    first = found[0]
    flag = _flag(first.key, flags)
    if first.key == "validation":
        what = f"the validation split ({shown(first.new)})"
        old = f"({shown(first.old)})"
        fix = "start a new run with --out"
    elif first.key == "space":
        what, old = "the search space", "one (the data, the roles or the tuneplate version differ)"
        fix = "start a new run with --out"
    elif first.key in typed:
        what, old = f"{flag} {shown(typed[first.key])}", shown(first.old)
        fix = f"resume without {flag}, or start a new run with --out"
    else:
        what, old = f"the {first.key} {shown(first.new)}", shown(first.old)
        fix = f"give {flag} {shown(first.old)} to continue as it was, or start a new run with --out"
    names = list(dict.fromkeys(_flag(c.key, flags) for c in found[1:]))
    also = f" (so do {', '.join(names)})" if names else ""
    return (
        f"--resume: {what} differs from the run's {old}{also}; the run's trials were scored "
        f"otherwise, so their cross-validated scores would not compare: {fix}"
    )


__all__ = [
    "EXTRA",
    "MAY_CHANGE",
    "NOT_COMPARED",
    "Change",
    "changes",
    "compared_fields",
    "message",
    "resolved_settings",
]
