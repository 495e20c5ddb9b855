"""The built-in verticals, listed by hand, plus any installed through the
`tuneplate.verticals` entry-point group."""

from __future__ import annotations

from dataclasses import dataclass
from importlib.metadata import entry_points

from tuneplate.engine.contract.errors import TuneplateError, raised_at
from tuneplate.engine.vertical import Vertical
from tuneplate.verticals import credit_risk, diagnosis, recommendation

VERTICALS: dict[str, Vertical] = {
    v.name: v for v in (credit_risk.VERTICAL, diagnosis.VERTICAL, recommendation.VERTICAL)
}


@dataclass(frozen=True)
class Listing:
    """Every vertical tuneplate can see, where each came from, and the plugins that broke."""

    verticals: dict[str, Vertical]
    sources: dict[str, str]  # name -> "built-in" or "plugin from <distribution>"
    broken: dict[str, str]  # entry-point name -> one-line reason


def discover() -> Listing:
    """Built-in verticals plus third-party ones from the `tuneplate.verticals` entry points.

    A plugin that fails to load is reported in `broken` and never hides the others.

    Example:
        >>> discover().sources["credit-risk"]
        'built-in'
    """
    found, sources, broken = dict(VERTICALS), dict.fromkeys(VERTICALS, "built-in"), {}
    for ep in entry_points(group="tuneplate.verticals"):
        try:
            vertical = ep.load()
            if not isinstance(vertical, Vertical):
                raise TypeError(f"{ep.value} is a {type(vertical).__name__}, not a Vertical")
        except Exception as exc:  # a third party's bug must not break the tool
            broken[ep.name] = raised_at(exc)
            continue
        if vertical.name in found:
            broken[ep.name] = (
                f"its name {vertical.name!r} is already taken by {sources[vertical.name]}"
            )
            continue
        dist = getattr(ep, "dist", None)
        found[vertical.name] = vertical
        sources[vertical.name] = f"plugin from {dist.name}" if dist else "plugin"
    return Listing(found, sources, broken)


def available() -> dict[str, Vertical]:
    """Built-in and installed verticals by name."""
    return discover().verticals


def load_vertical(name: str) -> Vertical:
    """The vertical called `name` (`credit_risk` works as well as `credit-risk`).

    Example:
        >>> load_vertical("credit-risk").objective.label
        'ROC AUC'
    """
    listing = discover()
    verticals, key = listing.verticals, name.replace("_", "-")
    if key in verticals:
        return verticals[key]
    if key in listing.broken:  # installed, but its package raised on import
        raise TuneplateError(
            f"vertical {name!r} is installed but could not be loaded: {listing.broken[key]}; "
            "fix its package and try again"
        )
    raise TuneplateError(
        f"unknown vertical {name!r}; choose one of: {', '.join(sorted(verticals))} (a "
        "vertical of your own is found once installed: python -m pip install -e ./its-folder)"
    )
