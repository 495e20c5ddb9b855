"""Scoring a ranker configuration on the validation period, on data built once.

`PeriodData` stacks each period's candidates and bins them per candidate-generator
size on first use, shared by every trial (and thread, with `--jobs`). `Validation`
is the ranking task's `Scorer`: one fit on the training periods, early-stopped on
the validation period's NDCG@k, which it reports every REPORT_EVERY boosting
rounds, so a pruner (median, halving, hyperband) can stop a hopeless trial and
the search's deadline stops a fit in progress.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import optuna
import pandas as pd

from tuneplate.engine.families.rankers import MAX_ROUNDS, Ranker, RankFit, RankModel, model_params
from tuneplate.engine.search.objective import TRAIN_SCORE_ROWS, FoldScore, Guard
from tuneplate.engine.search.space import Space
from tuneplate.engine.tasks.ranking import candidates as cands
from tuneplate.engine.tasks.ranking import metrics as rk

REPORT_EVERY = 10  # boosting rounds between the validation NDCG@k reports to the pruner
PRUNER_STEPS = MAX_ROUNDS // REPORT_EVERY  # the pruner's resource: reports in a full fit


def stack(parts: list[cands.Candidates], n: int | None):
    """Several periods' candidates as one set of queries (a user per period is a query)."""
    frames, users, labels, missed = [], [], [], []
    for i, c in enumerate(parts):
        q, keep = c.queries(n)
        frames.append(c.frame.iloc[keep][c.features])
        users.append(np.char.add(f"{i}:", q.users.astype(str)))
        labels.append(q.label)
        missed.append(q.missed)
    features = parts[0].features
    X = pd.concat(frames, ignore_index=True)[features].astype("float32")
    q = rk.Queries(
        np.concatenate(users), np.concatenate(labels), pd.concat(missed, ignore_index=True)
    )
    return X, q


def n_candidates(params: dict, k: int) -> int:
    """Candidates kept per source: the generator's search parameter, at least k."""
    return max(int(params.get("candidates", cands.PER_SOURCE)), k)


class PeriodData:
    """Each candidate set's rows and binned data per generator size, built on first use.

    Example:
        >>> data = PeriodData(ranker, train, validation, seed=0)
        >>> train_set, valid_set = data.binned(50)
    """

    def __init__(self, ranker: Ranker, train: list, validation, seed: int, eager: bool = False):
        self.ranker, self.train, self.validation, self.seed = ranker, train, validation, seed
        # Parallel trials (--jobs) must not share a LightGBM Dataset that the first fit
        # would construct lazily: two threads constructing one crash. One trial at a
        # time keeps the lazy construction, with the first trial's parameters, as before.
        self.eager = eager
        self._built: dict[tuple, Any] = {}
        self._lock = threading.RLock()  # two threads must not build the same data twice

    def _get(self, key: tuple, build):
        with self._lock:
            if key not in self._built:
                self._built[key] = build()
            return self._built[key]

    def rows(self, which: str, n: int):
        parts = {"train": self.train, "validation": [self.validation]}[which]
        return self._get(("rows", which, n), lambda: stack(parts, n))

    def train_score(self, n: int):
        """A fixed sample of whole training queries (at most TRAIN_SCORE_ROWS rows) for
        the train score: scoring every training row each trial costs about a fit."""

        def build():
            X, q = self.rows("train", n)
            rows, sample = q.sample(TRAIN_SCORE_ROWS, self.seed)
            return X[rows], sample

        return self._get(("train_score", n), build)

    def binned(self, n: int):
        def build():
            X, q = self.rows("train", n)
            X_va, q_va = self.rows("validation", n)
            train = self.ranker.data(X, q)
            valid = self.ranker.data(X_va, q_va, train)
            if self.eager and hasattr(train, "construct"):  # a LightGBM Dataset
                train.construct()
                valid.construct()
            return train, valid

        return self._get(("binned", n), build)


def round_callbacks(ranker: Ranker, guard: Guard) -> list:
    """Per-round pruning reports and the deadline, in the ranker's library's callback
    form (`Ranker.each_round`, as Optuna's own LightGBM / XGBoost pruning callbacks)."""

    def on_round(done: int, value: float | None) -> None:
        if done % REPORT_EVERY == 0 and value is not None:
            guard.report(value, done // REPORT_EVERY)
        guard.check()

    return [ranker.each_round(on_round)]


@dataclass
class Validation:
    """One fit on the training periods, scored on the validation period: the
    ranking task's `Scorer` (one step; the pruner sees the boosting rounds)."""

    ranker: Ranker
    space: Space
    data: PeriodData
    fit: RankFit
    n_steps: int = field(default=1, init=False)
    reports_folds: bool = field(default=False, init=False)

    def suggest(self, trial: optuna.Trial) -> tuple[Ranker, dict]:
        return self.ranker, {**self.space.fixed, **self.space.suggest(trial)}

    def score(self, ranker: Ranker, params: dict, step: int, guard: Guard) -> FoldScore:
        n = n_candidates(params, self.fit.k)
        train, valid = self.data.binned(n)
        callbacks = round_callbacks(ranker, guard)
        booster, rounds = ranker.train(model_params(params), train, valid, self.fit, callbacks)
        X_tr, q_tr = self.data.train_score(n)
        X_va, q_va = self.data.rows("validation", n)
        model = RankModel(ranker.name, booster, rounds, list(X_tr.columns))
        return FoldScore(
            valid=rk.mean_ndcg(q_va, model.predict(X_va), self.fit.k),
            train=rk.mean_ndcg(q_tr, model.predict(X_tr), self.fit.k),
            n_rounds=rounds,
        )
