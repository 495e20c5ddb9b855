"""Contract tests run over every registered strategy."""

import math

import optuna
import pytest

from tuneplate.engine.contract.errors import TuneplateError
from tuneplate.engine.search.space import Param, Space
from tuneplate.engine.search.strategies import DESCRIPTIONS, STRATEGIES, make_sampler

SPACE = Space(
    (
        Param("x", 1e-3, 10.0, log=True, grid=(0.01, 1.0), start=1.0),
        Param("n", 2, 20, integer=True, grid=(4, 16), start=4),
        Param("y", -1.0, 1.0, grid=(-0.5, 0.5), start=0.0),
    )
)


def _objective(trial):
    p = SPACE.suggest(trial)
    return (math.log10(p["x"]) - 0.3) ** 2 + (p["n"] - 9) ** 2 / 50 + p["y"] ** 2


def _study(name, seed=0, n_trials=12):
    study = optuna.create_study(sampler=make_sampler(name, SPACE, seed=seed))
    study.optimize(_objective, n_trials=n_trials)
    return study


@pytest.mark.parametrize("name", sorted(STRATEGIES))
def test_strategy_explores_only_the_declared_space(name):
    study = _study(name)
    assert len(study.trials) >= 8  # the grid has 8 points; others run all 12
    for trial in study.trials:
        assert SPACE.contains(trial.params), trial.params
    if name == "grid":
        grid = SPACE.grid()
        visited = {tuple(t.params[k] for k in grid) for t in study.trials}
        assert len(visited) == 8  # every grid point exactly once, then the study stops
        for t in study.trials:
            assert all(t.params[k] in grid[k] for k in grid)
    else:
        assert len({tuple(t.params.values()) for t in study.trials}) > 1


@pytest.mark.parametrize("name", sorted(STRATEGIES))
def test_reported_best_is_the_best_trial(name):
    study = _study(name)
    values = [t.value for t in study.trials]
    assert study.best_value == min(values)
    assert study.best_params == study.trials[values.index(min(values))].params


@pytest.mark.parametrize("name", sorted(STRATEGIES))
def test_same_seed_same_trials(name):
    first = [t.params for t in _study(name, seed=3).trials]
    again = [t.params for t in _study(name, seed=3).trials]
    assert first == again


def test_unknown_strategy_lists_the_known_ones():
    with pytest.raises(TuneplateError) as err:
        make_sampler("hyperopt", SPACE)
    for name in STRATEGIES:
        assert name in str(err.value)


def test_every_strategy_is_described():
    assert set(DESCRIPTIONS) == set(STRATEGIES)
