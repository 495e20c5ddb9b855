"""Validate's AUROC change needs outcomes of both kinds on both sides.

Found: a rare-event run whose hold-out held 2 events (AUROC 0.377) was validated on new
rows, and the verdict read "still performs as developed": the interval of the change,
built on a normal approximation from 2 events, was wide enough to hold anything. Under
MIN_OUTCOMES events or non-events on the new rows or the development hold-out, the
change gets no interval, and "still performs" says that it could not be judged.
"""

from __future__ import annotations

import numpy as np
import pytest

from tuneplate.engine.contract.intervals import MIN_OUTCOMES, auroc_figure, calibration
from tuneplate.engine.contract.monitoring import STILL, verdict
from tuneplate.engine.contract.profile import Bands, Profile


def _unjudged(reasons) -> bool:
    return any("the AUROC's change" in r and "could not be judged" in r for r in reasons)


def _profile(events: int, rows: int) -> Profile:
    return Profile(rows, Bands((1.0, 0.0)), events=events)


def _rows(events: int, rows: int, strength: float, seed: int = 0):
    """`rows` new outcomes with `events` events, scored with separation `strength`
    around the event rate (calibrated in the large)."""
    rng = np.random.default_rng(seed)
    y = np.zeros(rows, dtype=int)
    y[rng.choice(rows, events, replace=False)] = 1
    rate = events / rows
    logit = np.log(rate / (1 - rate)) + strength * (y - rate) + rng.normal(0, 0.3, rows)
    return y, 1 / (1 + np.exp(-logit))


def _said(y, p, development, profile):
    figure = auroc_figure(y, p, development, profile)
    return figure, verdict(figure, calibration(y, p), ())


def test_a_development_holdout_with_two_events_is_no_yardstick():
    y, p = _rows(120, 1000, strength=1.5)
    figure, (said, reasons) = _said(y, p, 0.377, _profile(2, 200))
    assert figure.difference_interval is None
    assert said != STILL or _unjudged(reasons), (said, reasons)  # never a bare "still"
    # the same new rows against a hold-out of 60 events are judged
    figure, _ = _said(y, p, 0.377, _profile(60, 200))
    assert figure.difference_interval is not None


@pytest.mark.parametrize("events", [2, MIN_OUTCOMES - 1])
def test_new_rows_with_a_handful_of_events_give_no_auroc_change(events):
    """A fall from 0.85 to a coin's toss on 2 events is not "redevelop", nor is a rise
    "still performs": neither is judged, and the verdict says so."""
    y, p = _rows(events, 400, strength=0.0, seed=events)
    figure, (said, reasons) = _said(y, p, 0.85, _profile(100, 500))
    assert figure.difference_interval is None
    assert said == STILL and _unjudged(reasons), (said, reasons)


def test_as_many_events_as_the_floor_are_judged():
    y, p = _rows(MIN_OUTCOMES, 400, strength=0.0, seed=1)
    figure, (said, reasons) = _said(y, p, 0.95, _profile(MIN_OUTCOMES, 60))
    assert figure.difference_interval is not None
    assert not _unjudged(reasons)
