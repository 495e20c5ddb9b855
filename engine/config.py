"""A run's settings, in groups: what the data's columns mean, how to search, for how
long, where the study is kept, what a replay expects, and the business context.

Code reads a setting through its group (`config.search.seed`, `config.columns.target`);
callers give settings by their flat names (`Config.flat(target="default", seed=1)`),
which is what `tuneplate.tune(**settings)`, the CLI and a saved `config.json` use. Every
flat name is the attribute's name inside its group, and `config.json` stays flat (the
same keys, in the same order, as before the groups), so old run folders, replays,
`--resume` and shared-study records read as they did.

Adding a setting: a field in its group here, an entry in `config_fields.FIELDS` (its
words, its check and its flag; also its place in `config.json`), a line in
`tuneplate.tune`'s docstring and, for the CLI, a flag. An import-time check refuses a
group field without a `FIELDS` entry, and the reverse.

Example:
    >>> config = Config(search=Search(strategy="random", seed=1), budget=Budget(n_trials=20))
    >>> config == Config.flat(strategy="random", seed=1, n_trials=20)
    True
    >>> config.replace(seed=2).search.seed
    2
    >>> Config.flat(n_trial=5)
    Traceback (most recent call last):
    TuneplateError: unknown setting 'n_trial'; did you mean n_trials=?
"""

from __future__ import annotations

import dataclasses
import difflib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from tuneplate.engine.config_fields import FIELDS, ConfigError, field_problem
from tuneplate.engine.contract.errors import TuneplateError


@dataclass(frozen=True)
class Columns:
    """The data's roles: which column is what (None: inferred or the vertical's default).

    Classification tables use `target` … `subgroups`; a ranking vertical's interaction
    log uses `user`, `item`, `time`, `value` (events with `value >= min_value` count),
    an item attributes table at path `items`, and `split` ("time" or "last-n").
    """

    target: str | None = None
    positive: str | None = None
    time: str | None = None
    group: str | None = None
    protected: tuple[str, ...] | None = None
    exclude: tuple[str, ...] = ()
    subgroups: tuple[str, ...] = ()
    user: str | None = None
    item: str | None = None
    value: str | None = None
    min_value: float | None = None
    items: str | None = None
    split: str | None = None


@dataclass(frozen=True)
class Search:
    """How to search: the family, the metric, the strategy and what makes it repeatable."""

    model: str | None = None
    metric: str | None = None
    strategy: str | None = None
    seed: int = 0
    pruner: str | None = None  # None: "median" from PRUNE_ROWS rows, else "none"
    warm_start: str | None = None  # an earlier run folder: its best trials are tried first
    # Trials run at once in this process; each fit gets cores // jobs threads on big
    # tables. Above 1, trial order depends on timing, so a replay is no longer exact.
    jobs: int = 1
    # "platt" or "isotonic": recalibrate the chosen model's probabilities on its
    # out-of-fold development predictions (binary verticals); "none" keeps them raw.
    calibrate: str | None = "none"
    # {column: +1 or -1}: the event's probability may only rise (+1) or fall (-1) with
    # that numeric input (engine/monotone.py); None constrains nothing.
    monotone: dict[str, int] | None = None
    # After the search, decide among the baseline, the best trial and their blend on
    # fresh folds (binary verticals, `tasks/binary/blending.py`); False keeps the one-SE
    # rule on the search's folds and never blends.
    blend: bool = True


@dataclass(frozen=True)
class Budget:
    """How long to search; both None means the vertical's default budget."""

    n_trials: int | None = None
    timeout: float | None = None  # seconds


@dataclass(frozen=True)
class Storage:
    """Where the study lives: "memory", "journal" (a file in the run folder) or a URL."""

    storage: str = "memory"
    study: str | None = None  # the study's name in the storage (default VERTICAL-FAMILY)


@dataclass(frozen=True)
class Replay:
    """What a replay (`--config`) expects of the data: not where the study is kept, but
    whether the rows are the run's own, so it is a group of its own."""

    expect_fingerprint: str | None = None  # a replay refuses other data …
    allow_new_data: bool = False  # … unless told to, and then says so in the findings


@dataclass(frozen=True)
class Business:
    """The business context: the report's purpose line and the vertical's assumptions."""

    purpose: str = ""  # the analyst's words on what the model is for
    assumptions: dict[str, Any] = field(default_factory=dict)  # e.g. loss_given_default


GROUPS: dict[str, type] = {
    "columns": Columns,
    "search": Search,
    "budget": Budget,
    "storage": Storage,
    "replay": Replay,
    "business": Business,
}
# flat setting name -> the Config attribute (group) that holds it
WHERE: dict[str, str] = {f.name: g for g, cls in GROUPS.items() for f in dataclasses.fields(cls)}
# config.json's order: that of FIELDS, which is the flat Config's order
NAMES: tuple[str, ...] = tuple(FIELDS)
if set(WHERE) != set(FIELDS) or len(WHERE) != sum(
    len(dataclasses.fields(c)) for c in GROUPS.values()
):
    raise RuntimeError(
        f"Config groups and config_fields.FIELDS disagree: {set(WHERE) ^ set(FIELDS)}"
    )


def unknown_setting(name: str) -> TuneplateError:
    """The one-line refusal of a setting name that is none, with the closest one."""
    close = difflib.get_close_matches(name, NAMES, n=1)
    hint = f"did you mean {close[0]}=?" if close else "see help(tuneplate.tune) for the settings"
    return TuneplateError(f"unknown setting {name!r}; {hint}")


@dataclass(frozen=True)
class Config:
    """Everything that defines a run, in groups; saved flat as `config.json`, it replays
    the run.

    Example:
        >>> Config(search=Search(strategy="random", seed=1), budget=Budget(n_trials=20))
        >>> Config.flat(strategy="random", n_trials=20, seed=1)  # the same
    """

    columns: Columns = field(default_factory=Columns)
    search: Search = field(default_factory=Search)
    budget: Budget = field(default_factory=Budget)
    storage: Storage = field(default_factory=Storage)
    replay: Replay = field(default_factory=Replay)
    business: Business = field(default_factory=Business)

    @classmethod
    def names(cls) -> tuple[str, ...]:
        """Every flat setting name, in `config.json`'s order."""
        return NAMES

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any]) -> Config:
        """A Config from flat names (`{"target": "default", "n_trials": 20}`); the rest
        keep their defaults. A `config.json`'s "config" object reads back this way.

        Raises:
            TuneplateError: an unknown name, e.g. "unknown setting 'n_trial'; did you
                mean n_trials=?". Types and ranges are `check()`'s.
        """
        return cls().replace(**settings)

    @classmethod
    def flat(cls, **settings: Any) -> Config:
        """`Config.from_settings(settings)`, as keywords: `Config.flat(seed=1)`."""
        return cls.from_settings(settings)

    def replace(self, **settings: Any) -> Config:
        """A copy with the flat-named settings changed: `config.replace(seed=2, jobs=4)`.

        Raises:
            TuneplateError: an unknown name, naming the closest one.
        """
        by_group: dict[str, dict[str, Any]] = {}
        for name, value in settings.items():
            if name not in WHERE:
                raise unknown_setting(name)
            by_group.setdefault(WHERE[name], {})[name] = value
        changed = {
            group: dataclasses.replace(getattr(self, group), **values)
            for group, values in by_group.items()
        }
        return dataclasses.replace(self, **changed)

    def setting(self, name: str) -> Any:
        """One setting by its flat name: `config.setting("seed") == config.search.seed`."""
        if name not in WHERE:
            raise unknown_setting(name)
        return getattr(getattr(self, WHERE[name]), name)

    def to_dict(self) -> dict[str, Any]:
        """The flat mapping `config.json` stores: every setting by name, in `NAMES` order
        (values as held: tuples stay tuples until JSON writes them as lists)."""
        return {name: self.setting(name) for name in NAMES}

    def check(self) -> None:
        """Refuse a setting of the wrong type or range; one line.

        Raises:
            ConfigError: the first bad setting, e.g. "the seed must be a whole number
                from 0 to 4294967295, got 1.5; fix seed=" (`for_flags()`: "…; fix --seed").
        """
        for name in NAMES:
            problem = field_problem(name, self.setting(name))
            if problem:
                raise ConfigError(name, problem)


__all__ = [
    "GROUPS",
    "NAMES",
    "Budget",
    "Business",
    "Columns",
    "Config",
    "Replay",
    "Search",
    "Storage",
    "unknown_setting",
]
