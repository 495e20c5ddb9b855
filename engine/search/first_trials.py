"""What a study tries first, before its sampler takes over.

In order: the vertical's simple baseline at its default settings when its family
is searched (so the one-SE rule in `selection` can keep it), an earlier run's best
trials (`--warm-start`), the library's own untuned settings of each family searched
(`Family.defaults`: a search never ends below the untuned library on validation),
the vertical's priors (published good settings, e.g. FLAML's low-cost start), the
space's starting point; grid search then queues every grid point. Each is enqueued
with user attribute "source" so the report can say where a trial came from.
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from tuneplate.engine.data.checks import Finding
from tuneplate.engine.families.registry import FAMILIES
from tuneplate.engine.results import Results
from tuneplate.engine.search.selection import BASELINE
from tuneplate.engine.search.space import FAMILY, SEP, Choice, Space
from tuneplate.engine.search.strategies import Strategy, get_strategy
from tuneplate.engine.vertical import Vertical

LIBRARY_DEFAULT = "library-default"  # source of the trial holding a family's untuned settings
WARM_TRIALS = 5  # --warm-start: the earlier run's best trials tried first, at most this many


def _fitted(space: Space | Choice, family: str, params: dict, clamp: bool) -> dict | None:
    """`family`'s `params` as a trial of `space` would hold them, or None if they do not fit."""
    if isinstance(space, Choice):
        own = space.spaces.get(family)
        fitted = None if own is None else own.coerce(params, clamp)
        return None if fitted is None else space.join(family, fitted)
    return space.coerce(params, clamp)


def library_default(space: Space, family: str) -> dict[str, Any] | None:
    """`family`'s untuned library settings as a trial of `space` holds them.

    Settings `space` does not search are left out (they take the space's start, or
    the library's value when the space fixes none); values outside the space's
    ranges move to the nearest bound, e.g. XGBoost's eta 0.3 in a space that stops
    at 0.2. None for a family the registry does not know (a plugin's).

    Example:
        >>> library_default(LIGHTGBM, "lightgbm")["num_leaves"]
        31
    """
    own = FAMILIES.get(family)
    if own is None or not own.defaults:
        return None
    names = {p.name for p in space.params}
    return space.coerce(
        {**space.start, **{k: v for k, v in own.defaults.items() if k in names}}, clamp=True
    )


def warm_trials(previous: Results, space: Space | Choice, family: str) -> list[dict[str, Any]]:
    """The earlier run's best completed trials that fit `space`, best first.

    A run with one model family is read as that family's; an `auto` run's trials
    each carry their own. Trials of another family than a one-family `space`
    tunes, or with settings outside its ranges, are left out.

    Example:
        >>> warm_trials(Results.load("tuneplate-runs/credit-1"), p.space, "lightgbm")[0]
        {'learning_rate': 0.031, 'num_leaves': 9, ...}
    """
    trials = previous.trials
    if trials is None or trials.empty or not {"state", "value"} <= set(trials.columns):
        return []
    done = trials[trials["state"].astype("string") == "COMPLETE"].copy()
    done["value"] = pd.to_numeric(done["value"], errors="coerce")
    done = done[done["value"].notna()]
    maximize = previous.metric.direction == "maximize"
    done = done.sort_values("value", ascending=not maximize, kind="stable")
    out: list[dict[str, Any]] = []
    for _, row in done.iterrows():
        params = {
            k.removeprefix("params_"): v
            for k, v in row.items()
            if k.startswith("params_") and not (isinstance(v, float) and math.isnan(v))
        }
        own = params.pop(FAMILY, None) or previous.tuned_family
        params = {k.removeprefix(own + SEP): v for k, v in params.items()}
        if not isinstance(space, Choice) and own != family:
            continue
        fitted = _fitted(space, own, params, clamp=False)
        if fitted is not None and fitted not in out:
            out.append(fitted)
        if len(out) == WARM_TRIALS:
            break
    return out


def warm_start_unused(folder: str) -> Finding:
    return Finding(
        "warm_start_unused",
        "warning",
        f"none of the best trials of {folder} fit this search space (another model family, "
        "or settings outside the ranges), so the search started without them",
        expected="an earlier run of the same vertical and model family",
        fix="warm-start from a run with the same --model, or drop --warm-start",
    )


def first_trials(
    vertical: Vertical,
    space: Space | Choice,
    family: str,
    strategy: str | Strategy,
    warm: list[dict[str, Any]] = (),
) -> list[tuple[str, dict[str, Any]]]:
    """What the study tries first: an earlier run's best, the vertical's priors, the start.

    Priors are written for the family's full range and clamped into this table's
    (`Space.for_rows` lowers some upper bounds on small tables); missing settings
    take the space's starting value. A strategy whose grid is its budget
    (`Strategy.grid_is_budget`, e.g. grid search) keeps only points of its grid and
    then every other grid point. `auto` takes the families in turns, cheapest first,
    so each family's first cheap model comes before any family's second.

    Example:
        >>> first_trials(VERTICAL, space, "lightgbm", "bayes")[0]
        ('prior', {'learning_rate': 0.05, 'num_leaves': 15, ...})
    """
    base = vertical.baseline_family
    if isinstance(space, Choice):
        queues = []
        for name, own in space.spaces.items():
            priors = [
                _fitted(space, name, {**own.start, **p}, True) for p in _priors(vertical, name)
            ]
            default = library_default(own, name)
            queue = [] if default is None else [(LIBRARY_DEFAULT, space.join(name, default))]
            tail = [("prior", p) for p in priors if p is not None]
            queues.append([*queue, *_cheap_first([*tail, ("start", space.join(name, own.start))])])
        turns = [q[i] for i in range(max(map(len, queues))) for q in queues if i < len(q)]
        own = space.spaces.get(base)
        baseline = [] if own is None else [(BASELINE, space.join(base, own.start))]
        # the baseline first: a warm-start trial with its settings must not take its place,
        # or the one-SE rule would have no baseline trial to keep
        return _unique([*baseline, *[("warm-start", w) for w in warm], *turns])
    priors = [space.coerce({**space.start, **p}, clamp=True) for p in _priors(vertical, family)]
    default = library_default(space, family)
    candidates = [
        *([(BASELINE, dict(space.start))] if family == base else []),
        *[("warm-start", w) for w in warm],
        *([] if default is None else [(LIBRARY_DEFAULT, default)]),
    ]
    queued = [("prior", p) for p in priors if p is not None]
    if not isinstance(strategy, Strategy):
        strategy = get_strategy(strategy)
    if strategy.grid_is_budget:
        points = space.grid_points()
        on_grid = [(source, p) for source, p in [*candidates, *queued] if p in points]
        return _unique([*on_grid, *[("grid", p) for p in points]])
    return _unique([*candidates, *_cheap_first([*queued, ("start", space.start)])])


def _cheap_first(trials: list[tuple[str, dict]]) -> list[tuple[str, dict]]:
    """Higher learning rates first: early stopping ends them in fewer rounds, so a
    short budget is not spent on one slow prior (an XGBoost prior at 0.03 took 12 of
    30 seconds on a 12,000-row table). The order is otherwise kept."""

    def rate(params: dict) -> float:
        rates = [v for k, v in params.items() if k.split(SEP)[-1] == "learning_rate"]
        return -rates[0] if rates else -math.inf

    return sorted(trials, key=lambda trial: rate(trial[1]))


def _priors(vertical: Vertical, family: str) -> list[dict[str, Any]]:
    return [dict(p) for p in vertical.priors.get(family, ())]


def _unique(trials: list[tuple[str, dict]]) -> list[tuple[str, dict]]:
    out: list[tuple[str, dict]] = []
    for source, params in trials:
        if all(params != seen for _, seen in out):
            out.append((source, params))
    return out
