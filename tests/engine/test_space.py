import optuna
import pytest

from tuneplate.engine.search.space import Param, Space


def test_param_rejects_start_outside_its_range():
    with pytest.raises(ValueError, match="outside"):
        Param("C", 0.1, 10, start=100)


def test_param_needs_range_or_choices():
    with pytest.raises(ValueError, match="low <= high"):
        Param("C", 10, 0.1)


def test_grid_defaults_to_start_value():
    space = Space((Param("a", 0, 1, grid=(0.2, 0.8), start=0.5), Param("b", 1, 5, start=3)))
    assert space.grid() == {"a": [0.2, 0.8], "b": [3]}
    assert space.start == {"a": 0.5, "b": 3}


def test_suggest_follows_the_declared_types():
    space = Space(
        (
            Param("lr", 1e-3, 1.0, log=True, start=0.1),
            Param("leaves", 4, 64, integer=True, start=8),
            Param("kind", choices=("a", "b"), start="b"),
        )
    )
    params = space.suggest(optuna.trial.FixedTrial(space.start))
    assert params == {"lr": 0.1, "leaves": 8, "kind": "b"}
    assert space.contains(params)
    assert not space.contains({**params, "leaves": 100})


def test_row_share_caps_the_upper_bound_on_small_tables():
    space = Space(
        (Param("min_rows", 20, 1000, integer=True, grid=(30, 500), start=50, max_share=0.1),)
    )
    small = space.for_rows(400).params[0]
    assert (small.high, small.start, small.grid) == (40, 40, (30, 40))
    assert space.for_rows(1_000_000).params[0].high == 1000


def test_with_params_replaces_by_name_and_drops():
    space = Space((Param("a", 0, 1), Param("b", 0, 1)))
    changed = space.with_params(Param("a", 0, 2), drop=("b",))
    assert [(p.name, p.high) for p in changed.params] == [("a", 2)]
