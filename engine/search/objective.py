"""The objective: one configuration scored fold by fold, for any task.

A task's `Scorer` proposes a trial's family and settings and scores them on one
fold (a cross-validation fold, a validation period). The objective here adds what
every task gets: the running mean reported to the pruner after each fold (or the
scorer's own finer reports, e.g. per boosting round), and the time budget. With a
deadline, a trial still running when the budget ends is stopped (between folds,
and between boosting rounds via the fit's deadline) and recorded as pruned, so
the budget is kept.

A scorer whose folds are independent may score several at once (`Scorer.workers`,
`Scorer.workers_for`): the folds of a trial run in waves of that many threads (the
boosters release Python's GIL while they fit), and the running means still go to the
pruner fold by fold, in fold order, after each wave. Each fold's fit is the same
whatever the wave, so the same seed gives the same trials, only sooner.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np
import optuna

from tuneplate.engine.search import interrupt

TRAIN_SCORE_ROWS = 50_000  # train-fold rows scored per trial on big tables (a fixed sample)
STOPPED = "stopped_at_deadline"  # user attribute of a trial cut short by the time budget


class OutOfTime(optuna.TrialPruned):
    """The time budget ended during this trial; its partial score is not used."""


@dataclass(frozen=True)
class FoldScore:
    """One configuration on one fold: its validation and train scores, the boosting
    rounds early stopping chose (None when not boosted) and, for the gradient
    strategies, d(validation score)/d(param)."""

    valid: float
    train: float
    n_rounds: int | None = None
    gradient: dict[str, float] | None = None


@dataclass(frozen=True)
class Guard:
    """A trial's deadline and pruner, for a scorer that checks them inside a fold."""

    trial: optuna.Trial
    deadline: float | None  # a `time.monotonic()` instant

    def check(self) -> None:
        """Stop the trial when the time budget has ended (a fit cut short is not scored)
        or a Ctrl-C was lost on the way (`interrupt.check`).

        Safe in a fold's worker thread: the objective records the stop and stops the
        study in the trial's own thread (`optuna.Study.stop` must be called there)."""
        interrupt.check()
        if self.deadline is not None and time.monotonic() >= self.deadline:
            raise OutOfTime("the time budget ended during this trial")

    def report(self, value: float, step: int) -> None:
        """An intermediate value for the pruner; a hopeless trial stops here."""
        self.trial.report(float(value), step)
        if self.trial.should_prune():
            raise optuna.TrialPruned()


class Scorer(Protocol):
    """A task's fold-by-fold scoring of one configuration (`Task.scorer`)."""

    n_steps: int  # folds (or periods) a trial is scored on
    reports_folds: bool  # the running mean goes to the pruner after each fold
    # Optional `workers` (folds scored at once in threads; 1 when absent) and
    # `workers_for(family)` (how many of them a family's trials use): only a scorer whose
    # `score` never calls `guard.report` may set them above 1.

    def suggest(self, trial: optuna.Trial) -> tuple[Any, dict[str, Any]]: ...

    def score(self, family: Any, params: dict[str, Any], step: int, guard: Guard) -> FoldScore: ...


def make_objective(scorer: Scorer, deadline: float | None) -> Callable[[optuna.Trial], float]:
    """A closure scoring one trial, fold by fold, with `scorer`.

    Each fold early-stops its boosting rounds on its own validation rows; the
    trial records the median round count so the final refit knows when to stop.
    After every fold it reports the running mean (unless the scorer reports finer
    steps itself), which lets a pruner stop a hopeless trial early. Train scores are
    kept to show over- and underfitting; fold gradients are averaged into user
    attribute "hypergradient". With `deadline` (a `time.monotonic()` instant), a
    trial running past it stops and is pruned, with user attribute
    "stopped_at_deadline". With `scorer.workers` above 1 the folds run in waves of
    that many threads (module docstring).

    Example:
        >>> study.optimize(make_objective(task.scorer(plan, plan.fit), deadline=None))
    """

    workers = max(1, int(getattr(scorer, "workers", 1)))

    def scored(trial: optuna.Trial) -> float:
        guard = Guard(trial, deadline)
        family, params = scorer.suggest(trial)
        width = min(workers, scorer.workers_for(family)) if workers > 1 else 1
        # Each trial its own threads (parallel trials with --jobs never share them); the
        # trial's own thread scores the first fold of each wave.
        with ThreadPoolExecutor(width - 1 or 1, thread_name_prefix="fold") as pool:
            return _folds(trial, guard, family, params, width, pool)

    def _folds(trial, guard, family, params, width, pool) -> float:
        valid, train, rounds, grads = [], [], [], []
        for wave in range(0, scorer.n_steps, width):
            guard.check()
            steps = range(wave, min(wave + width, scorer.n_steps))
            futures = [pool.submit(scorer.score, family, params, s, guard) for s in steps[1:]]
            try:
                folds = [scorer.score(family, params, steps[0], guard)]
            finally:
                wait(futures)  # every fold of the wave ends (or raises) before any report
            folds += [f.result() for f in futures]
            for step, fold in zip(steps, folds, strict=True):
                valid.append(fold.valid)
                train.append(fold.train)
                rounds.append(fold.n_rounds)
                if fold.gradient is not None:
                    grads.append(fold.gradient)
                if scorer.reports_folds:
                    guard.report(float(np.mean(valid)), step)
        trial.set_user_attr("train", float(np.mean(train)))
        trial.set_user_attr("fold_scores", [float(v) for v in valid])
        if grads:
            mean = {k: float(np.mean([g[k] for g in grads])) for k in grads[0]}
            trial.set_user_attr("hypergradient", mean)
        if all(r is not None for r in rounds):
            trial.set_user_attr("n_rounds", int(np.median(rounds)))
        return float(np.mean(valid))

    def objective(trial: optuna.Trial) -> float:
        try:
            return scored(trial)
        except OutOfTime:
            trial.set_user_attr(STOPPED, True)
            # No new trial starts either: the sampler's own timeout is measured from a
            # moment later than the deadline, and each trial begun past it would only be
            # stopped here (this process's `optimize` ends after the running trials).
            trial.study.stop()
            raise

    return objective
