"""The gradient strategy: local descent on continuous hyperparameters, as an Optuna sampler.

`GradientSampler` moves the continuous parameters (floats without a step) in the unit
cube, log-scaled ones on their log scale, starting from the space's start point. Its
gradient comes from one of two sources, and each trial records which one (`mode(trial)`;
stored with the trial's role in the system attribute "gradient"):

- "hypergradient": the objective stored the exact derivative of the trial's value in
  the user attribute "hypergradient" ({param: d value / d param}, natural units), as
  tuneplate's objective does for logistic regression on log-loss;
- "spsa": otherwise, an SPSA estimate (Spall 1992) from pairs of trials x ± c·Δ with a
  Rademacher Δ drawn from (seed, pair index): two fits per estimate, any dimension.

Steps follow the gradient (L-BFGS on the stored (x, gradient) pairs once there are
any; the normalised gradient before that) inside a radius that grows ×1.5 after a step
that improved and shrinks ×0.5 after one that did not (the "bold driver": a built-in
backtracking line search). The sampler stops the study (`study.stop()` in
`after_trial`) when the next step would be shorter than `min_step` or after `patience`
steps without improvement.

The sampler keeps no state of its own: every call replays the finished trials (values,
the "hypergradient" attribute, and the "gradient" system attribute it wrote), so
resumed studies, several processes and RDB or journal storage work. A trial's role
(start, step, SPSA plus or minus partner) follows from its number, and concurrent
steps take different step lengths, so parallel workers never evaluate the same point.

Integer and categorical parameters stay at a base value: the best trial's, or the
start point's. With `warmup`, another sampler (TPE) runs the first `n_warmup` trials
and the descent then refines the continuous parameters of the best one.

Choose it for linear models with one or several regularisation strengths, or as a
final polish; on boosted trees SPSA measured no better than random search.
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import optuna
from optuna.distributions import BaseDistribution, CategoricalDistribution, FloatDistribution
from optuna.samplers import BaseSampler
from optuna.study import Study, StudyDirection
from optuna.trial import FrozenTrial, TrialState

from tuneplate.engine.data.checks import Finding
from tuneplate.engine.search.space import Space

ATTR = "gradient"  # the system attribute holding a trial's role, written in one piece
ROLE, MODE, SOURCE, PAIR, SLOT = "role", "mode", "from", "pair", "slot"  # its keys
GRADIENT = "hypergradient"  # the user attribute an objective fills with exact derivatives
MEMORY = 5  # L-BFGS pairs kept
TOL = 1e-4  # an improvement smaller than this share of the best value does not count
PERTURBATION = 0.1  # SPSA half-width c in the unit cube, decayed as c / (pair + 1) ** 0.101
# Concurrent steps from one point take these multiples of the step: a parallel line search.
MULTIPLIERS = (1.0, 0.5, 2.0, 0.25, 4.0)
_FINISHED = (TrialState.COMPLETE, TrialState.FAIL, TrialState.PRUNED)


class GradientSampler(BaseSampler):
    """Descent on the continuous hyperparameters with exact or SPSA gradients.

    Example:
        >>> def objective(trial):
        ...     x = trial.suggest_float("x", 1e-3, 1e3, log=True)
        ...     trial.set_user_attr("hypergradient", {"x": 2 * math.log(x) / x})
        ...     return math.log(x) ** 2
        >>> study = optuna.create_study(sampler=GradientSampler({"x": 100.0}))
        >>> study.optimize(objective, n_trials=30)  # stops early, near x = 1

    Args:
        start: the first point (a dict of parameter values); the box centre otherwise.
        search_space: the distributions to descend on; inferred from finished trials
            when not given (give it so that parallel workers agree from trial 0).
        seed: keys the SPSA directions; None means 0 (the method is deterministic).
        step: the first step length, as a share of the unit cube's side.
        min_step: stop when the next step would be shorter than this.
        patience: stop after this many steps without an improvement.
        warmup, n_warmup: a sampler that runs the first `n_warmup` trials.
    """

    def __init__(
        self,
        start: Mapping[str, Any] | None = None,
        *,
        search_space: Mapping[str, BaseDistribution] | None = None,
        seed: int | None = None,
        step: float = 0.1,
        min_step: float = 1e-3,
        patience: int = 5,
        warmup: BaseSampler | None = None,
        n_warmup: int = 0,
    ) -> None:
        self._start = dict(start or {})
        self._space = None if search_space is None else dict(search_space)
        self._seed = abs(seed or 0)
        self._step, self._min_step, self._patience = step, min_step, patience
        self._warmup, self._n_warmup = warmup, n_warmup if warmup is not None else 0

    @property
    def warmup(self) -> BaseSampler | None:
        """The sampler of the first `n_warmup` trials, if any (for `sampler_label`)."""
        return self._warmup

    @property
    def n_warmup(self) -> int:
        return self._n_warmup

    def reseed_rng(self) -> None:
        if self._warmup is not None:
            self._warmup.reseed_rng()

    def before_trial(self, study: Study, trial: FrozenTrial) -> None:
        if self._warming(trial):
            self._warmup.before_trial(study, trial)

    def infer_relative_search_space(
        self, study: Study, trial: FrozenTrial
    ) -> dict[str, BaseDistribution]:
        if self._warming(trial):
            return self._warmup.infer_relative_search_space(study, trial)
        space = self._space
        if space is None:  # what finished trials share; else what the first trial asked for
            trials = study.get_trials(deepcopy=False)
            space = optuna.search_space.intersection_search_space(trials) or next(
                (t.distributions for t in trials if t.distributions and t.number < trial.number), {}
            )
        return {name: d for name, d in sorted(space.items()) if _continuous(d)}

    def sample_relative(
        self, study: Study, trial: FrozenTrial, search_space: dict[str, BaseDistribution]
    ) -> dict[str, Any]:
        if self._warming(trial):
            return self._warmup.sample_relative(study, trial, search_space)
        if not search_space:
            return {}
        self._raise_error_if_multi_objective(study)
        trials = study.get_trials(deepcopy=False)
        history = _replay(_points(study, search_space, trials), self._step)
        x, attrs = self._propose(trial.number, history, trials, search_space)
        study._storage.set_trial_system_attr(trial._trial_id, ATTR, attrs)
        if attrs[ROLE] == "start":
            inside = {k: v for k, v in self._start.items() if k in search_space}
            return {**_from_unit(x, search_space), **inside}
        return _from_unit(x, search_space)

    def sample_independent(
        self,
        study: Study,
        trial: FrozenTrial,
        param_name: str,
        param_distribution: BaseDistribution,
    ) -> Any:
        if self._warming(trial):
            return self._warmup.sample_independent(study, trial, param_name, param_distribution)
        complete = study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))
        for source in ([study.best_trial.params] if complete else []) + [self._start]:
            value = source.get(param_name)
            if value is not None and param_distribution._contains(
                param_distribution.to_internal_repr(value)
            ):
                return value
        return _default(param_distribution)

    def after_trial(
        self,
        study: Study,
        trial: FrozenTrial,
        state: TrialState,
        values: Sequence[float] | None,
    ) -> None:
        if self._warming(trial):
            self._warmup.after_trial(study, trial, state, values)
            return
        search_space = self.infer_relative_search_space(study, trial)
        if not search_space:
            return
        trials = study.get_trials(deepcopy=False)
        done = {trial.number: (state, values)}
        history = _replay(_points(study, search_space, trials, done), self._step)
        if reason := self._converged(history):
            attrs = {**_attrs(trial), "stop": reason}
            study._storage.set_trial_system_attr(trial._trial_id, ATTR, attrs)
            with contextlib.suppress(RuntimeError):  # ask-and-tell has no loop to stop
                study.stop()

    def _warming(self, trial: FrozenTrial) -> bool:
        return trial.number < self._n_warmup

    def _propose(self, number: int, h: _History, trials, space) -> tuple[np.ndarray, dict]:
        """The next point and its role, from the trial number and the replayed history."""
        k = number - self._n_warmup  # place in the descent phase
        start = np.clip([_unit(self._start.get(n), d) for n, d in space.items()], 0, 1)
        if k == 0 and self._warmup is None:
            return start, {ROLE: "start"}
        best = h.best
        if best is not None and best.gradient is not None:
            direction, length = _descent(best, h.curvature, h.radius)
            x, slot = _fresh(best, length * direction, trials, number, space)
            return x, {ROLE: "step", MODE: "hypergradient", SOURCE: best.number, SLOT: slot}
        # SPSA: trials take turns as plus partner, minus partner and step.
        pair, turn = divmod(k if self._warmup is not None else k - 1, 3)
        centre = best
        partner = next((_attrs(t) for t in trials if t.number == number - 1), {})
        if turn == 1 and ROLE in partner:  # around the centre the plus partner used
            centre = h.points.get(partner.get(SOURCE))  # None: the start
        x0, source = (start, None) if centre is None else (centre.x, centre.number)
        if turn < 2:
            role, sign = ("spsa+", 1) if turn == 0 else ("spsa-", -1)
            x = self._probe(x0, pair, sign)
            return x, {ROLE: role, MODE: "spsa", SOURCE: source, PAIR: pair}
        estimate = _spsa_estimate(h.probes) if best is not None else None
        if estimate is None:  # no pair has finished yet: a smaller probe meanwhile
            x = self._probe(x0, pair, 1, shrink=2, salt=number)
            return x, {ROLE: "probe", MODE: "spsa", SOURCE: source}
        direction = _project(best.x, -estimate)
        norm = np.linalg.norm(direction)
        step = direction * (h.radius / norm if norm else 0.0)
        x, slot = _fresh(best, step, trials, number, space)
        return x, {ROLE: "step", MODE: "spsa", SOURCE: best.number, SLOT: slot}

    def _probe(self, centre, pair: int, sign: int, shrink: float = 1, salt: int = 0) -> np.ndarray:
        """centre ± c·Δ, with Rademacher Δ drawn from (seed, pair) and c decaying over pairs."""
        delta = np.random.default_rng([self._seed, pair, salt]).choice([-1.0, 1.0], len(centre))
        c = PERTURBATION / (pair + 1) ** 0.101 / shrink
        return np.clip(centre + sign * c * delta, 0, 1)

    def _converged(self, h: _History) -> str:
        if h.best is None:
            return ""
        if h.stall >= self._patience:
            return f"{h.stall} steps without improvement"
        if h.radius < self._min_step:
            return f"step length {h.radius:.1e} below {self._min_step:.0e}"
        if h.best.gradient is not None:
            _, length = _descent(h.best, h.curvature, h.radius)
            if length < self._min_step:
                return f"next step {length:.1e} below {self._min_step:.0e}"
        return ""


@dataclass
class _Point:
    number: int
    x: np.ndarray  # unit-cube coordinates
    value: float  # minimised; inf for a failed or pruned trial
    gradient: np.ndarray | None  # d value / d x, when the objective stored it
    role: str | None
    source: int | None
    pair: int | None


@dataclass
class _History:
    best: _Point | None
    radius: float
    stall: int
    curvature: list[tuple[np.ndarray, np.ndarray]]
    probes: dict[int, dict[str, _Point]]
    points: dict[int, _Point]


def _points(study: Study, space, trials, done: Mapping | None = None) -> list[_Point]:
    """Finished trials as points, in trial order; `done` overrides a trial's (state, values)."""
    sign = -1.0 if study.direction == StudyDirection.MAXIMIZE else 1.0
    out = []
    for t in trials:
        state, values = (done or {}).get(t.number, (t.state, t.values))
        if state not in _FINISHED or any(n not in t.params for n in space):
            continue
        value = sign * values[0] if state == TrialState.COMPLETE and values else math.inf
        exact = t.user_attrs.get(GRADIENT) or {}
        gradient = None
        if all(n in exact for n in space):
            gradient = np.array(
                [sign * exact[n] * _slope(t.params[n], d) for n, d in space.items()]
            )
        x = np.array([_unit(t.params[n], d) for n, d in space.items()])
        attrs = _attrs(t)
        out.append(
            _Point(
                t.number, x, value, gradient, attrs.get(ROLE), attrs.get(SOURCE), attrs.get(PAIR)
            )
        )
    return out


def _replay(points: list[_Point], step: float) -> _History:
    """Walk the finished trials in order: incumbent, step radius (bold driver), stall, memory."""
    h = _History(None, step, 0, [], {}, {})
    for p in points:
        h.points[p.number] = p
        source = h.points.get(p.source)
        if p.role == "step" and source is not None:
            length = float(np.linalg.norm(p.x - source.x))
            better = p.value < source.value  # grow on success, halve the failed step otherwise
            h.radius = min(1.0, max(h.radius, 1.5 * length)) if better else 0.5 * length
            if p.gradient is not None and source.gradient is not None:
                s, y = p.x - source.x, p.gradient - source.gradient
                if s @ y > 1e-12 * np.linalg.norm(s) * np.linalg.norm(y):
                    h.curvature = [*h.curvature, (s, y)][-MEMORY:]
        if p.role in ("spsa+", "spsa-"):
            h.probes.setdefault(p.pair, {})[p.role] = p
        best = h.best.value if h.best else math.inf
        if p.value < best - TOL * abs(best) or h.best is None:
            h.stall = 0
        elif p.role == "step":
            h.stall += 1
        if p.value < best:
            h.best = p
    return h


def _fresh(origin: _Point, step: np.ndarray, trials, number: int, space) -> tuple[np.ndarray, int]:
    """origin + m·step, with a multiplier m no concurrent step from the same point uses.

    Alone, a step takes m = 1. A step that sees others under way from the same
    origin takes the first multiplier they left free, after leaving one free for each
    earlier trial whose point is not stored yet; a point some trial already took is
    skipped too. So parallel workers run a line search instead of one point twice.
    """
    running = [t for t in trials if t.number < number and not t.state.is_finished()]
    used = {_attrs(t).get(SLOT) for t in running if _attrs(t).get(SOURCE) == origin.number}
    unknown = sum(any(n not in t.params for n in space) for t in running)
    tried = [
        np.array([_unit(t.params[n], d) for n, d in space.items()])
        for t in trials
        if t.number != number and all(n in t.params for n in space)
    ]
    for slot in range(4 * len(MULTIPLIERS)):
        m = MULTIPLIERS[slot % len(MULTIPLIERS)] / 2 ** (slot // len(MULTIPLIERS))
        x = np.clip(origin.x + m * step, 0, 1)
        if slot in used or any(np.abs(x - t).max() < 1e-12 for t in tried):
            continue
        if unknown == 0:
            break
        unknown -= 1
    return x, slot


def _attrs(trial: FrozenTrial) -> dict:
    """What the sampler wrote about a trial: role, gradient mode, origin, pair, slot."""
    return trial.system_attrs.get(ATTR, {})


def stop_reason(trial: FrozenTrial) -> str | None:
    """Why the gradient search ended after this trial (converged), if it did."""
    return _attrs(trial).get("stop")


def mode(trial: FrozenTrial) -> str | None:
    """Where the gradient behind this trial's point came from: "hypergradient" or "spsa"."""
    return _attrs(trial).get(MODE)


def _descent(best: _Point, curvature, radius: float) -> tuple[np.ndarray, float]:
    """Unit direction and length of the next step from the best point (exact gradients)."""
    g = best.gradient
    d = -_two_loop(g, curvature) if curvature else -g
    if d @ g >= 0:  # the curvature model does not point downhill: plain gradient
        d = -g
    d = _project(best.x, d)
    norm = float(np.linalg.norm(d))
    if norm == 0:
        return d, 0.0
    return d / norm, min(radius, norm) if curvature else radius


def _two_loop(g: np.ndarray, pairs) -> np.ndarray:
    """L-BFGS: the inverse-Hessian estimate from (step, gradient change) pairs times g."""
    q, kept = g.copy(), []
    for s, y in reversed(pairs):
        rho = 1 / (y @ s)
        a = rho * (s @ q)
        q -= a * y
        kept.append((rho, a, s, y))
    s, y = pairs[-1]
    q *= (s @ y) / (y @ y)
    for rho, a, s, y in reversed(kept):
        q += (a - rho * (y @ q)) * s
    return q


def _spsa_estimate(probes: dict[int, dict[str, _Point]]) -> np.ndarray | None:
    """The latest complete pair's slope along the line through its two points."""
    for pair in sorted(probes, reverse=True):
        plus, minus = probes[pair].get("spsa+"), probes[pair].get("spsa-")
        if plus and minus and math.isfinite(plus.value) and math.isfinite(minus.value):
            d = plus.x - minus.x
            if d @ d > 0:
                return (plus.value - minus.value) / (d @ d) * d
    return None


def _project(x: np.ndarray, d: np.ndarray) -> np.ndarray:
    """Drop the components of d that would leave the unit cube from a face."""
    return np.where(((x <= 0) & (d < 0)) | ((x >= 1) & (d > 0)), 0.0, d)


def _continuous(d: BaseDistribution) -> bool:
    return isinstance(d, FloatDistribution) and d.step is None and d.low < d.high


def _bounds(d) -> tuple[float, float]:
    return (math.log(d.low), math.log(d.high)) if d.log else (d.low, d.high)


def _unit(value, d) -> float:
    if value is None:
        return 0.5
    lo, hi = _bounds(d)
    return ((math.log(value) if d.log else value) - lo) / (hi - lo)


def _slope(value, d) -> float:
    """d value / d unit coordinate."""
    lo, hi = _bounds(d)
    return (value if d.log else 1.0) * (hi - lo)


def _from_unit(x: np.ndarray, space) -> dict[str, float]:
    out = {}
    for u, (name, d) in zip(x, space.items(), strict=True):
        lo, hi = _bounds(d)
        value = lo + float(u) * (hi - lo)
        out[name] = min(max(math.exp(value) if d.log else value, d.low), d.high)
    return out


def _default(d: BaseDistribution) -> Any:
    """A base value for a parameter nobody chose: the first choice, else the middle."""
    if isinstance(d, CategoricalDistribution):
        return d.choices[0]
    value = _from_unit(np.array([0.5]), {"p": d})["p"]
    step = getattr(d, "step", None)
    if step:
        value = d.low + step * round((value - d.low) / step)
    return int(round(value)) if isinstance(d, optuna.distributions.IntDistribution) else value


def overfitting_findings(space: Space, valid_rows: int) -> list[Finding]:
    """A warning when the descent tunes many penalties on few validation rows.

    Ten validation rows per continuous hyperparameter is the floor we use: below it the
    search fits the validation folds rather than the problem (measured: 30 penalties
    tuned by gradient lost on the hold-out to random search).
    """
    n = sum(p.choices is None and not p.integer for p in space.params)
    if n * 10 <= valid_rows:
        return []
    return [
        Finding(
            "gradient_overfitting",
            "warning",
            f"the gradient search tunes {n} continuous hyperparameters on "
            f"{valid_rows} validation rows per fold",
            expected="at least 10 validation rows per tuned hyperparameter",
            fix="tune fewer penalties (merge feature groups) or use more rows; "
            "trust the hold-out score over the cross-validated one",
        )
    ]


__all__ = ["ATTR", "GRADIENT", "GradientSampler", "mode", "overfitting_findings"]
