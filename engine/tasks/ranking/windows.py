"""The periods of a ranking run: training labels, validation and hold-out, cut from a log.

A time split (`time_windows`) cuts consecutive periods at the end of the log; a per-user
split (`last_n_windows`) holds out each user's last positive events. Either way each
period's features use only events before it: a split that lets features see later
events overstates every method (Meng et al., "Exploring data splitting strategies for
the evaluation of recommendation models", RecSys 2020).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

# Relative on purpose: `tuneplate export` copies this module verbatim into a ranking
# project, beside interactions.py and the contract.
from ...contract.errors import TuneplateError
from .interactions import Log

MIN_WINDOW_USERS = 1  # a window with no evaluable user cannot score anything


@dataclass(frozen=True)
class Window:
    """One evaluation period: history before `start`, labels in [start, end)."""

    name: str  # "train", "validation" or "hold-out"
    start: pd.Timestamp
    end: pd.Timestamp
    history: pd.DataFrame  # events the features may use (all before start)
    labels: pd.DataFrame  # positive events whose items are to be predicted


@dataclass(frozen=True)
class Windows:
    """The periods of a ranking run: several for training labels, then validation, hold-out."""

    train: tuple[Window, ...]
    validation: Window
    holdout: Window
    description: str

    def all(self) -> tuple[Window, ...]:
        return (*self.train, self.validation, self.holdout)


TRAIN_PERIODS = 6  # training label periods stacked before validation: more queries to learn from
PERIOD_SHARE = 0.1  # share of the events in each period of a time split


def time_windows(
    log: Log, share: float = PERIOD_SHARE, train_periods: int = TRAIN_PERIODS
) -> Windows:
    """Consecutive periods at the end of the log, each holding `share` of the events.

    The hold-out is the last period, validation the one before, and training labels
    come from the `train_periods` before that; each period's features use only
    events before it starts.

    Example:
        >>> time_windows(to_log(table, roles)).holdout.start
        Timestamp('1998-03-08 ...')
    """
    events = log.events
    times = events["time"]
    steps = range(2 + train_periods, 0, -1)
    cuts = [times.quantile(1 - share * i, interpolation="nearest") for i in steps]
    bounds = [*cuts, times.max() + pd.Timedelta(seconds=1)]
    names = [f"train {i + 1}" for i in range(train_periods)] + ["validation", "hold-out"]
    windows = []
    for name, start, end in zip(names, bounds[:-1], bounds[1:], strict=True):
        history = events[times < start]
        labels = events[(times >= start) & (times < end) & events["positive"]]
        windows.append(Window(name, start, end, history, labels))
    _check_windows(windows, "--split time", log.roles.user if log.roles else "the user column")
    # dates only: a date stands for its whole day, so the hold-out runs to the end of the
    # log's last date (a 00:00 after it read as the start of that day)
    dates = bool((times == times.dt.normalize()).all())
    fmt = "%Y-%m-%d" if dates else "%Y-%m-%d %H:%M"
    start, last = bounds[-2], times.max()
    held = f"on {start:{fmt}}" if start == last else f"from {start:{fmt}} to {last:{fmt}}"
    description = (
        f"temporal{' (times in UTC)' if log.utc else ''}: training labels from "
        f"{bounds[0]:{fmt}}, validation from {bounds[-3]:{fmt}}, hold-out {held}; "
        "each period's features use only earlier events"
    )
    return Windows(tuple(windows[:-2]), windows[-2], windows[-1], description)


def last_n_windows(log: Log, n: int = 1, train_periods: int = TRAIN_PERIODS) -> Windows:
    """Per user: the last `n` positive events are the hold-out, the `n` before validation,
    and `train_periods` times `n` before those training labels; features use each
    user's earlier events.

    Other users' events after a user's cut can still shape popularity features, the
    known price of a per-user split; the report says so.
    """
    events = log.events
    positives = events[events["positive"]]
    pos_rank = positives.groupby("user").cumcount(ascending=False).reindex(events.index)
    periods = 2 + train_periods
    names = [f"train {i + 1}" for i in range(train_periods)] + ["validation", "hold-out"]
    windows = []
    for i, name in enumerate(names):
        lo, hi = n * (periods - 1 - i), n * (periods - i)  # counted from each user's last
        labels = events[(pos_rank.ge(lo) & pos_rank.lt(hi)).fillna(False).to_numpy(bool)]
        if labels.empty:  # no user has this many positives: say so, not a dtype error
            most = int(positives.groupby("user").size().max()) if len(positives) else 0
            raise TuneplateError(
                f"--split last-n with n = {n} needs users with {periods * n} or more positive "
                f"events ({periods} periods of {n}); the most any user has is {most}; give a "
                "longer log, a lower --min-value, or --split time"
            )
        first = labels.groupby("user")["time"].min()
        start_of_user = events["user"].map(first)
        history = events[(events["time"] < start_of_user).fillna(False).to_numpy(bool)]
        windows.append(Window(name, labels["time"].min(), labels["time"].max(), history, labels))
    _check_windows(windows, "--split last-n", log.roles.user if log.roles else "the user column")
    description = (
        f"per user: each user's last {n} positive event(s) held out, the {n} before for "
        f"validation and {train_periods} x {n} before those for training labels; other "
        "users' later events can shape popularity features (the cost of a per-user split)"
    )
    return Windows(tuple(windows[:-2]), windows[-2], windows[-1], description)


def _check_windows(windows: list[Window], how: str, user: str = "the user column") -> None:
    """Refuse a split with a period that no user can be evaluated in: no earlier event,
    no positive, or (an order or session id given as the user) no user with both."""
    for w in windows:
        if w.labels["user"].nunique() < MIN_WINDOW_USERS:
            raise TuneplateError(
                f"the {w.name} period after the split ({how}) has no positive events; give "
                "a longer log, a lower --min-value, or another --split"
            )
        # counted before any candidate or rival is built: EASE's and item-kNN's settings
        # are chosen on the validation users, and none chose none (a traceback)
        if len(w.history) == 0 or len(evaluable_users(w)) < MIN_WINDOW_USERS:
            raise TuneplateError(
                f"no user with a positive event in the {w.name} period ({how}) has an "
                f"event before it, so none can be evaluated (is {user!r} an order or "
                "session id rather than a customer?); give --user a column that follows "
                "customers over time, or a longer log"
            )


def evaluable_users(window: Window) -> np.ndarray:
    """Users with a positive in the window and at least one earlier event."""
    known = set(window.history["user"].unique())
    return np.array([u for u in window.labels["user"].unique() if u in known], dtype=object)
