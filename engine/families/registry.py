"""The one list of model families. Add a family by adding its module's `FAMILY` here.

A family module holds its space, fit, native save and load, and cost (see `base.Family`);
nothing else in the engine names a family, so a vertical can offer it by giving a
space under its name.
"""

from __future__ import annotations

from collections.abc import Collection

from tuneplate.engine.contract.errors import TuneplateError
from tuneplate.engine.families import blend, lightgbm, logistic, scorecard, xgboost
from tuneplate.engine.families.base import Family

FAMILIES: dict[str, Family] = {
    f.name: f for f in (lightgbm.FAMILY, xgboost.FAMILY, logistic.FAMILY, scorecard.FAMILY)
}
# Models that are not searched but saved and loaded like a family: the blend of the tuned
# model and the baseline (`blend`), which the selection rule may keep after the search.
PROPOSED: dict[str, Family] = {blend.NAME: blend.FAMILY}
# {family: model file name}, for the CLI's list of the files a run folder may hold.
MODEL_FILES: dict[str, str] = {name: f.file for name, f in {**FAMILIES, **PROPOSED}.items()}


def get_family(name: str, available: Collection[str] | None = None) -> Family:
    """The family called `name`, if the vertical offers a space for it (`available`).

    Example:
        >>> get_family("lightgbm", vertical.spaces).label
        'LightGBM gradient-boosted trees'
    """
    if available is None and name in PROPOSED:  # a saved blend, loaded or explained
        return PROPOSED[name]
    offered = FAMILIES if available is None else available
    if name not in offered or name not in FAMILIES:
        raise TuneplateError(
            f"unknown model family {name!r}; choose one of: {', '.join(sorted(offered))}"
        )
    return FAMILIES[name]
