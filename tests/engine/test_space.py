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


def test_changed_ranges_names_each_changed_parameter_in_words_a_reader_can_check():
    """The ranges a vertical fitted to a table are printed in the report ("space_adapted"):
    integers with thousands separators, floats to 3 significant digits, no scientific
    notation for a row count, and a parameter added, dropped or made categorical."""
    before = Space(
        (
            Param("min_rows", 5, 2_000_000, integer=True),
            Param("penalty", 1e-9, 1.0, log=True),
            Param("kind", 0.0, 1.0),
            Param("gone", 1, 3, integer=True),
            Param("same", 0.1, 0.9),
        )
    )
    after = Space(
        (
            Param("min_rows", 5, 1_234_567, integer=True),
            Param("penalty", 1e-3, 1.0, log=True),
            Param("kind", choices=("a", "b")),
            Param("same", 0.1, 0.9),
            Param("new", 1, 2, integer=True),
        )
    )
    assert before.changed_ranges(after) == [
        "min_rows 5 to 1,234,567 (before: 5 to 2,000,000)",
        "penalty 0.001 to 1 (before: 1e-09 to 1)",
        "kind one of a, b (before: 0 to 1)",
        "new added",
        "gone dropped",
    ]
    assert before.changed_ranges(before) == []


def test_a_log_scale_from_zero_is_refused_when_the_space_is_made():
    """Accepted at load, then every trial of the family failed ('low >= 1 must hold')."""
    with pytest.raises(ValueError, match="log scale, so its low must be above 0"):
        Param("num_leaves", 0, 64, log=True)


@pytest.mark.parametrize(
    ("prior", "said"),
    [({"num_leaves": 400}, "outside the space"), ({"num_leafs": 31}, "does not search")],
)
def test_a_prior_outside_the_vertical_space_is_refused_when_the_vertical_is_made(prior, said):
    """A prior of 400 leaves ran as 64 (clamped), and a misspelt one was dropped, with no
    word."""
    from dataclasses import replace

    import tuneplate

    credit = tuneplate.load_vertical("credit-risk")
    with pytest.raises(ValueError, match=said):
        replace(credit, priors={"lightgbm": [prior]})


def test_a_misspelt_parameter_is_refused_with_the_name_it_is_near():
    """`num_leafs` ran: half the grid varied a setting LightGBM never read."""
    from dataclasses import replace

    import tuneplate
    from tuneplate.engine.search.space import Space

    credit = tuneplate.load_vertical("credit-risk")
    lightgbm = credit.spaces["lightgbm"]
    typo = Space((Param("num_leafs", 4, 64),), fixed=lightgbm.fixed)
    spaces = {**credit.spaces, "lightgbm": typo}
    with pytest.raises(ValueError, match="did you mean 'num_leaves'"):
        replace(credit, spaces=spaces, priors={})
    native = {**credit.spaces, "xgboost": Space((Param("eta", 0.01, 0.3, log=True),))}
    replace(credit, spaces=native, priors={})  # a native name far from any: the library's
