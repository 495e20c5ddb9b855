"""The built-in verticals, listed by hand, plus any installed through the
`tuneplate.verticals` entry-point group."""

from __future__ import annotations

from importlib.metadata import entry_points

from tuneplate.engine.errors import TuneplateError
from tuneplate.engine.vertical import Vertical
from tuneplate.verticals import credit_risk

VERTICALS: dict[str, Vertical] = {v.name: v for v in (credit_risk.VERTICAL,)}


def available() -> dict[str, Vertical]:
    """Built-in verticals plus third-party ones (entry point group `tuneplate.verticals`)."""
    found = dict(VERTICALS)
    for ep in entry_points(group="tuneplate.verticals"):
        vertical = ep.load()
        found.setdefault(vertical.name, vertical)
    return found


def load_vertical(name: str) -> Vertical:
    """The vertical called `name` (`credit_risk` works as well as `credit-risk`).

    Example:
        >>> load_vertical("credit-risk").objective.label
        'ROC AUC'
    """
    verticals = available()
    key = name.replace("_", "-")
    if key not in verticals:
        raise TuneplateError(
            f"unknown vertical {name!r}; choose one of: {', '.join(sorted(verticals))}"
        )
    return verticals[key]
