"""The strategy contract: every registered `Strategy` runs, and the registry is the only list."""

import importlib.util
import math
from dataclasses import replace

import optuna
import pytest

from tuneplate.engine.contract.errors import TuneplateError
from tuneplate.engine.families.models import FAMILIES
from tuneplate.engine.metrics import METRICS
from tuneplate.engine.search import strategies
from tuneplate.engine.search.first_trials import first_trials
from tuneplate.engine.search.space import Choice, Param, Space
from tuneplate.engine.search.strategies import (
    DESCRIPTIONS,
    STRATEGIES,
    Strategy,
    get_strategy,
    make_sampler,
    sampler_label,
)
from tuneplate.verticals import load_vertical

SPACE = Space(
    (
        Param("x", 1e-3, 10.0, log=True, grid=(0.01, 1.0), start=1.0),
        Param("n", 2, 20, integer=True, grid=(4, 16), start=4),
        Param("y", -1.0, 1.0, grid=(-0.5, 0.5), start=0.0),
    )
)
CHOICE = Choice({"a": SPACE, "b": Space((Param("z", 0.0, 1.0, start=0.5),))})
TORCH = importlib.util.find_spec("torch") is not None


def _space(strategy: Strategy) -> Space | Choice:
    return CHOICE if strategy.chooses_family else SPACE


def _objective(space):
    def objective(trial):
        if isinstance(space, Choice):
            family, p = space.suggest(trial)
            return p.get("z", 0.0) if family == "b" else _value(p)
        return _value(space.suggest(trial))

    return objective


def _value(p):
    return (math.log10(p["x"]) - 0.3) ** 2 + (p["n"] - 9) ** 2 / 50 + p["y"] ** 2


def _study(strategy: Strategy, seed=0, n_trials=12):
    space = _space(strategy)
    study = optuna.create_study(sampler=make_sampler(strategy.name, space, seed=seed))
    study.optimize(_objective(space), n_trials=n_trials)
    return study


@pytest.mark.parametrize("name", sorted(STRATEGIES))
def test_every_strategy_samples_only_its_declared_space(name):
    strategy = STRATEGIES[name]
    study = _study(strategy)
    space = _space(strategy)
    done = [t for t in study.trials if t.state == optuna.trial.TrialState.COMPLETE]
    assert len(done) >= 8  # the grid has 8 points; the others run all 12
    for trial in done:
        assert space.contains(trial.params), trial.params
    if strategy.grid_is_budget:
        grid = SPACE.grid()
        visited = {tuple(t.params[k] for k in grid) for t in done}
        assert len(visited) == len(done) == 8  # every grid point exactly once, then it stops
    else:
        assert len({tuple(sorted(t.params.items())) for t in done}) > 1


@pytest.mark.parametrize("name", sorted(STRATEGIES))
def test_same_seed_same_trials(name):
    first = [t.params for t in _study(STRATEGIES[name], seed=3).trials]
    again = [t.params for t in _study(STRATEGIES[name], seed=3).trials]
    assert first == again


@pytest.mark.parametrize("name", sorted(STRATEGIES))
def test_every_strategy_is_filed_under_its_own_name_and_described_in_one_line(name):
    strategy = STRATEGIES[name]
    assert strategy.name == name and get_strategy(name) is strategy
    assert strategy.description and "\n" not in strategy.description
    # What a strategy prefers must exist, or the runner would fail on its first use.
    assert strategy.default_family in (None, *FAMILIES)
    assert strategy.default_metric in (None, *METRICS)


def test_unknown_strategy_is_refused_in_one_line_listing_the_known_ones():
    with pytest.raises(TuneplateError) as err:
        get_strategy("hyperopt")
    assert "\n" not in str(err.value) and "'hyperopt'" in str(err.value)
    for name in STRATEGIES:
        assert name in str(err.value)
    with pytest.raises(TuneplateError, match="unknown strategy"):
        make_sampler("hyperopt", SPACE)


def _sobol(space, seed):
    with pytest.warns(optuna.exceptions.ExperimentalWarning):
        return optuna.samplers.QMCSampler(seed=seed)


SOBOL = Strategy("sobol", "quasi-random Sobol points", _sobol)


def _help(command: str, capsys) -> str:
    from tuneplate import cli

    with pytest.raises(SystemExit):
        cli.main([command, "--help"])
    return capsys.readouterr().out


def test_a_strategy_added_to_the_registry_is_accepted_everywhere(monkeypatch, capsys):
    from tuneplate.engine.compare import check_request

    monkeypatch.setitem(STRATEGIES, "sobol", SOBOL)
    assert get_strategy("sobol") is SOBOL
    study = _study(SOBOL, n_trials=4)
    assert len(study.trials) == 4 and all(SPACE.contains(t.params) for t in study.trials)
    assert "sobol" in DESCRIPTIONS and DESCRIPTIONS["sobol"] == SOBOL.description
    check_request(["random", "sobol"], 10, 1)  # compare accepts it
    assert "sobol" in _help("run", capsys)  # listed for --strategy
    assert "sobol" in _help("compare", capsys)  # and for --strategies
    with pytest.raises(TuneplateError, match="sobol"):  # and named when a name is wrong
        get_strategy("sobel")


def test_the_first_trials_follow_the_attribute_not_the_name(monkeypatch):
    vertical = replace(load_vertical("credit-risk"), priors={})
    exhaustive = Strategy("every-point", "random order over the grid", _sobol, grid_is_budget=True)
    monkeypatch.setitem(STRATEGIES, exhaustive.name, exhaustive)
    queued = first_trials(vertical, SPACE, "m", exhaustive.name)
    assert [p for _, p in queued] == SPACE.grid_points()  # the grid, as grid search has it
    assert first_trials(vertical, SPACE, "m", exhaustive) == queued  # the record works too
    assert first_trials(vertical, SPACE, "m", "random") == [("start", SPACE.start)]


# -- which sampler ran -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sampler", "label"),
    [
        (optuna.samplers.TPESampler(seed=0), "TPE (multivariate)"),
        (optuna.samplers.TPESampler(seed=0, multivariate=False), "TPE (independent)"),
        (optuna.samplers.GPSampler(seed=0), "Gaussian process"),  # made without torch
        (optuna.samplers.RandomSampler(seed=0), "random"),
        (optuna.samplers.CmaEsSampler(seed=0), "CMA-ES"),
        (optuna.samplers.GridSampler({"x": [1.0]}), "grid"),
        (optuna.samplers.NSGAIISampler(seed=0), "NSGAIISampler"),  # unknown: its class
    ],
)
def test_sampler_label_names_the_algorithm(sampler, label):
    assert sampler_label(sampler) == label


def test_sampler_label_names_the_composite_strategies(monkeypatch):
    monkeypatch.setattr(strategies, "find_torch", lambda: False)
    assert sampler_label(make_sampler("gradient", SPACE)) == "gradient descent"
    assert sampler_label(make_sampler("bayes+gradient", SPACE)) == (
        f"TPE (multivariate) for {strategies.WARMUP_TRIALS} trials, then gradient descent"
    )
    assert sampler_label(make_sampler("auto", CHOICE)) == (
        "model family by halving, then TPE (multivariate, grouped)"
    )
    assert sampler_label(_sobol(SPACE, 0)) == "Sobol QMC"


def test_bayes_is_labelled_by_the_sampler_it_made(monkeypatch):
    # The switch itself, in any environment: GPSampler is made without importing torch.
    monkeypatch.setattr(strategies, "find_torch", lambda: True)
    assert sampler_label(make_sampler("bayes", SPACE)) == "Gaussian process"
    monkeypatch.setattr(strategies, "find_torch", lambda: False)
    assert sampler_label(make_sampler("bayes", SPACE)) == "TPE (multivariate)"


@pytest.mark.skipif(TORCH, reason="torch is installed here, so bayes runs a Gaussian process")
def test_without_torch_bayes_runs_and_says_tpe():
    study = _study(STRATEGIES["bayes"], n_trials=4)
    assert len(study.trials) == 4
    assert sampler_label(study.sampler) == "TPE (multivariate)"


@pytest.mark.skipif(not TORCH, reason="torch is not installed, so bayes runs TPE")
def test_with_torch_bayes_runs_and_says_gaussian_process():
    study = _study(STRATEGIES["bayes"], n_trials=4)
    assert len(study.trials) == 4
    assert sampler_label(study.sampler) == "Gaussian process"


def test_the_sampler_that_ran_is_recorded_in_results_and_shown_in_the_report():
    import tuneplate
    from tuneplate.reports.sections import reproducibility

    result = tuneplate.tune("credit-risk", n_trials=2, strategy="bayes")
    expected = "Gaussian process" if importlib.util.find_spec("torch") else "TPE (multivariate)"
    assert result.config["sampler"] == expected
    assert result.to_dict()["config"]["sampler"] == expected
    assert dict(reproducibility(result))["Search strategy"] == f"bayes: {expected}"
