"""Every vertical honours the same contract; new verticals are tested by adding them."""

import json
import warnings
from dataclasses import replace

import numpy as np
import optuna
import pytest

from tuneplate.engine.data.checks import run_checks
from tuneplate.engine.data.roles import resolve_roles
from tuneplate.engine.families.models import FAMILIES
from tuneplate.engine.search.strategies import STRATEGIES, make_sampler
from tuneplate.engine.tune import Config, check, plan
from tuneplate.engine.vertical import Outcome
from tuneplate.verticals import VERTICALS

CASES = [(v, f) for v in VERTICALS.values() for f in v.spaces]
# Tests on a binary outcome; ranking verticals meet theirs in their own test module.
BINARY = [v for v in VERTICALS.values() if v.task == "binary"]


@pytest.mark.parametrize(("vertical", "family"), CASES, ids=lambda x: getattr(x, "name", x))
def test_starting_point_lies_in_the_space(vertical, family):
    space = vertical.spaces[family]
    assert family in FAMILIES
    for n_rows in (200, 10_000, 5_000_000):
        sized = space.for_rows(n_rows)
        assert sized.contains(sized.start)
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            assert sized.suggest(optuna.trial.FixedTrial(sized.start)) == sized.start
        for name, points in sized.grid().items():
            param = next(p for p in sized.params if p.name == name)
            assert all(param.contains(v) for v in points)


QUICK_USERS = 100  # a ranking example cut to this many users plans in a moment


def _quick(vertical):
    """The vertical with its example cut so `plan` is quick: a ranking log keeps every
    event of its first users; a binary example (hundreds of rows) stays whole."""
    example = vertical.example()
    if vertical.task != "ranking":
        return vertical
    user = example.table[example.roles.user]
    small = replace(example, table=example.table[user.isin(user.unique()[:QUICK_USERS])])
    return replace(vertical, example=lambda: small)


@pytest.mark.parametrize("vertical", VERTICALS.values(), ids=lambda v: v.name)
def test_default_family_and_strategy_exist(vertical):
    """Both defaults are registered, and a run given neither uses the vertical's own.

    The variant whose default strategy is another registered one shows that `plan`
    reads the vertical's default rather than assuming the usual one.
    """
    assert vertical.default_family in vertical.spaces
    assert vertical.default_strategy in STRATEGIES
    assert vertical.objective.direction in ("maximize", "minimize")
    assert vertical.default_trials > 0
    other = next(s for s in ("random", "bayes") if s != vertical.default_strategy)
    quick = _quick(vertical)
    for default in (vertical.default_strategy, other):
        p = plan(replace(quick, default_strategy=default), None, Config.flat(n_trials=1))
        assert p.strategy == default
        assert type(p.sampler) is type(make_sampler(default, p.space, 0))
        assert p.family.name == vertical.default_family


@pytest.mark.parametrize("vertical", VERTICALS.values(), ids=lambda v: v.name)
def test_example_data_passes_its_own_checks(vertical):
    findings = check(vertical, None, Config())
    assert not [f for f in findings if f.severity == "error"]
    assert vertical.example().attribution
    assert vertical.task in ("binary", "ranking")


@pytest.mark.parametrize("vertical", BINARY, ids=lambda v: v.name)
def test_checks_flag_a_leaking_column(vertical):
    example = vertical.example()
    roles = resolve_roles(example.table, example.roles, vertical.positive_words)
    broken = example.table.assign(outcome_copy=roles.binary_target(example.table))
    findings = run_checks(broken, roles, vertical.checks)
    assert any(f.severity == "error" and "outcome_copy" in f.columns for f in findings)


@pytest.mark.parametrize("vertical", BINARY, ids=lambda v: v.name)
def test_metrics_are_finite(vertical):
    example = vertical.example()
    roles = resolve_roles(example.table, example.roles, vertical.positive_words)
    y = roles.binary_target(example.table).to_numpy()
    scores = np.clip(0.3 * y + np.random.default_rng(0).uniform(0, 0.7, len(y)), 0.01, 0.99)
    assert np.isfinite(vertical.objective.score(y, scores))
    outcome = Outcome(y, scores, example.table, roles, vertical.assumptions, y, scores)
    evaluation = vertical.evaluate(outcome)
    assert evaluation.metrics and all(np.isfinite(v) for v in evaluation.metrics.values())
    for table in evaluation.tables:
        assert not table.frame.empty
        assert set(table.formats) <= set(table.frame.columns)
    assert evaluation.headline["summary"]


CARD_FORMATS = ("money", "percent", "count", "number")


@pytest.mark.parametrize("vertical", BINARY, ids=lambda v: v.name)
def test_headline_gives_an_operating_point_and_three_cards(vertical):
    """The report's decision summary: an operating point and three numbers in business
    units, each with its assumption, as plain data (so results.json carries them).

    Fill `headline["operating_point"]` (one sentence) and `headline["cards"]` =
    [{"label", "value", "format", "assumption"}, ...] in the vertical's `evaluate`;
    see verticals/credit_risk/metrics.py or verticals/diagnosis/metrics.py.
    """
    example = vertical.example()
    roles = resolve_roles(example.table, example.roles, vertical.positive_words)
    y = roles.binary_target(example.table).to_numpy()
    scores = np.clip(0.3 * y + np.random.default_rng(0).uniform(0, 0.7, len(y)), 0.01, 0.99)
    outcome = Outcome(y, scores, example.table, roles, vertical.assumptions, y, scores)
    headline = vertical.evaluate(outcome).headline
    assert isinstance(headline.get("operating_point"), str) and headline["operating_point"]
    cards = headline.get("cards")
    assert isinstance(cards, list) and len(cards) == 3, "three headline cards"
    for card in cards:
        assert set(card) == {"label", "value", "format", "assumption"}, card
        assert card["format"] in CARD_FORMATS, card
        assert isinstance(card["value"], int | float) and np.isfinite(card["value"]), card
        assert isinstance(card["value"], float | int) and not isinstance(card["value"], bool)
        assert card["label"] and card["assumption"], card
        json.dumps(card)  # plain data
