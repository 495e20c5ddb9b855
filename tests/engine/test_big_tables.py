"""Big-table paths: fold data built once per fold, and the size-based defaults."""

from dataclasses import replace

import numpy as np
import optuna
import pandas as pd
import pytest

import tuneplate
from tuneplate.engine import tune as engine
from tuneplate.engine.families import models
from tuneplate.engine.tasks.binary import sizing
from tuneplate.verticals import load_vertical


def test_fold_data_is_prepared_once_per_fold_across_trials(monkeypatch, loans):
    family = models.FAMILIES["lightgbm"]
    calls = []

    def counting(X, y, X_valid, y_valid, fit):
        calls.append((len(X), len(X_valid)))
        return family.prepare(X, y, X_valid, y_valid, fit)

    monkeypatch.setitem(models.FAMILIES, "lightgbm", replace(family, prepare=counting))
    result = tuneplate.tune(
        "credit-risk", loans, target="status", model="lightgbm", strategy="random", n_trials=3
    )
    assert result.counts["completed"] == 3
    assert len(calls) == result.data["folds"] == 5  # once per fold, not once per trial
    assert sum(valid for _, valid in calls) == result.data["development_rows"]
    assert result.trials["train"].notna().all()


def test_parallel_trials_bin_each_fold_once_and_keep_the_budget(monkeypatch, loans):
    family = models.FAMILIES["lightgbm"]
    calls = []

    def counting(X, y, X_valid, y_valid, fit):
        calls.append(len(X_valid))
        return family.prepare(X, y, X_valid, y_valid, fit)

    monkeypatch.setitem(models.FAMILIES, "lightgbm", replace(family, prepare=counting))
    result = tuneplate.tune(
        "credit-risk",
        loans,
        target="status",
        model="lightgbm",
        strategy="random",
        n_trials=4,
        jobs=2,
    )
    assert sum(result.counts[s] for s in ("completed", "pruned")) == 4
    assert len(calls) == result.data["folds"]  # two threads never bin the same fold twice
    assert result.config["jobs"] == 2


def test_threads_per_fit_share_the_cores_among_parallel_trials(monkeypatch, loans):
    monkeypatch.setattr("tuneplate.engine.tasks.task.cores", lambda: 8)
    assert engine.threads_per_fit(1_000_000) == 8
    assert engine.threads_per_fit(1_000_000, jobs=2) == 4
    assert engine.threads_per_fit(1_000_000, jobs=16) == 1
    assert engine.threads_per_fit(1_000, jobs=1) == 1  # small fits are too short to share
    monkeypatch.setattr(sizing, "LARGE_TABLE", 300)
    assert _plan(loans.head(300), jobs=4).fit.n_threads == 2


def test_prepared_xgboost_folds_tune():
    result = tuneplate.tune("credit-risk", model="xgboost", strategy="random", n_trials=2)
    assert result.counts["completed"] == 2
    assert result.best_params and 0.6 < result.validation < 1


def _plan(table, **config):
    config = engine.Config.flat(target="status", strategy="random", n_trials=2, **config)
    return engine.plan(load_vertical("credit-risk"), table, config)


def test_pruning_and_fewer_folds_switch_on_above_the_thresholds(monkeypatch, loans):
    monkeypatch.setattr(sizing, "PRUNE_ROWS", 300)
    monkeypatch.setattr(sizing, "FEWER_FOLDS_ROWS", 300)
    small, big = _plan(loans.head(299)), _plan(loans.head(300))

    assert small.pruner_name == "none" and isinstance(small.pruner, optuna.pruners.NopPruner)
    assert len(small.split.folds) == 5 and "rather than" not in small.split.description

    assert big.pruner_name == "median" and isinstance(big.pruner, optuna.pruners.MedianPruner)
    assert len(big.split.folds) == engine.BIG_TABLE_FOLDS == 3
    assert "3 folds rather than 5" in big.split.description

    chosen = _plan(loans.head(300), pruner="none")  # the user's choice wins
    assert chosen.pruner_name == "none" and isinstance(chosen.pruner, optuna.pruners.NopPruner)


def test_train_scores_use_a_fixed_sample_of_the_train_fold(monkeypatch):
    """The train score only sits beside the validation score; scoring every train row
    cost a quarter of a LightGBM trial on a 12,000-row table. The sample is fixed, so
    every trial is scored on the same rows."""
    from tuneplate.engine.families.base import Fit
    from tuneplate.engine.families.registry import FAMILIES
    from tuneplate.engine.tasks.binary import folds

    rng = np.random.default_rng(0)
    X = pd.DataFrame({"a": rng.normal(size=1_000), "b": rng.normal(size=1_000)})
    y = (X["a"] + rng.normal(size=1_000) > 0).to_numpy().astype(int)
    split = [(np.arange(200, 1_000), np.arange(200))]
    monkeypatch.setattr(folds, "TRAIN_SCORE_ROWS", 300)
    _, (X_va, _), (X_tr, y_tr) = folds.FoldCache(X, y, split, Fit(0)).get(FAMILIES["lightgbm"], 0)
    again = folds.FoldCache(X, y, split, Fit(0)).get(FAMILIES["lightgbm"], 0)[2][0]
    assert len(X_tr) == len(y_tr) == 300 and len(X_va) == 200
    assert set(X_tr.index) <= set(range(200, 1_000))  # train rows only, never validation
    assert X_tr.index.equals(again.index)


def test_the_help_and_the_docstring_give_the_rows_from_which_the_median_pruner_starts(capsys):
    """They said 100,000 while the code pruned from 5,000: the figure is now read from
    the constant (help) and checked against it (docstring)."""
    from tuneplate import cli

    with pytest.raises(SystemExit):
        cli.main(["run", "--help"])
    text = " ".join(capsys.readouterr().out.split())  # argparse wraps lines
    assert f"median from {sizing.PRUNE_ROWS:,} rows" in text
    assert f"tables of {sizing.PRUNE_ROWS:,} rows" in " ".join(tuneplate.tune.__doc__.split())
