"""What a running search prints: trials done, the best score so far and the time left.

Optuna's own progress bar (tqdm) draws only on a terminal and shows the raw time
budget ("299.99999598600016 seconds"); piped into a log file or CI it is silent until
the end. This callback prints one short line: rewritten in place on a terminal, and
on a pipe a new line every `PIPE_EVERY_S` seconds, so a log shows the run is alive.

Example:
    >>> study.optimize(objective, n_trials=50, callbacks=[Progress(sys.stderr, "ROC AUC",
    ...     "maximize", n_trials=50, timeout=None)])
    tuneplate: 12 of 50 trials, best ROC AUC 0.771, 38 s elapsed
"""

from __future__ import annotations

import threading
import time
from typing import TextIO

import optuna

PIPE_EVERY_S = 10.0  # a log line this often on a pipe (a few per minute, not a flood)
TERMINAL_EVERY_S = 0.5  # the terminal's line is redrawn at most this often


def clock(seconds: float) -> str:
    """Whole seconds as "45 s", "3 min 05 s" or "1 h 02 min"; never a raw float."""
    s = max(0, round(seconds))
    if s < 60:
        return f"{s} s"
    if s < 3600:
        return f"{s // 60} min {s % 60:02d} s"
    return f"{s // 3600} h {s % 3600 // 60:02d} min"


class Progress:
    """An Optuna callback that reports the search every few seconds.

    Args:
        stream: where lines go (the CLI gives `sys.stderr`).
        label: the metric's reader-facing name, e.g. "ROC AUC".
        n_trials, timeout: the budget (either may be None), for "of N" and "left".
        terminal: rewrite one line in place; None asks `stream.isatty()`.

    Trials finished by other workers on a shared study count too: the count is the
    study's, read when a line is printed (not after every trial, which would read
    every trial from a database each time).
    """

    def __init__(
        self,
        stream: TextIO,
        label: str,
        *,
        n_trials: int | None,
        timeout: float | None,
        terminal: bool | None = None,
    ):
        self.stream, self.label = stream, label
        self.n_trials, self.timeout = n_trials, timeout
        self.terminal = stream.isatty() if terminal is None else terminal
        self.every = TERMINAL_EVERY_S if self.terminal else PIPE_EVERY_S
        self.started = time.monotonic()
        self.last = self.started  # the first line comes after `every` seconds
        self.lock = threading.Lock()  # `jobs` > 1: trials end in several threads
        self.printed = False
        self.shown = ""  # the last line printed

    def __call__(self, study: optuna.Study, trial: optuna.trial.FrozenTrial) -> None:
        now = time.monotonic()
        with self.lock:
            if now - self.last < self.every:
                return
            self.last = now
            self._print(study, now)

    def close(self, study: optuna.Study) -> None:
        """The final line (ends the terminal's rewritten line)."""
        with self.lock:
            if self.printed or time.monotonic() - self.started >= self.every:
                now = time.monotonic()
                if self.terminal or self.line(study, now) != self.shown:
                    self._print(study, now)  # a log gets no copy of its last line
            if self.terminal and self.printed:
                self.stream.write("\n")
                self.stream.flush()

    def line(self, study: optuna.Study, now: float) -> str:
        state = optuna.trial.TrialState
        trials = study.get_trials(deepcopy=False, states=(state.COMPLETE, state.PRUNED))
        scored = [t.value for t in trials if t.state == state.COMPLETE and t.value is not None]
        parts = [
            f"{len(trials)} of {self.n_trials} trials" if self.n_trials else f"{len(trials)} trials"
        ]
        if scored:
            best = (
                max(scored)
                if study.direction == optuna.study.StudyDirection.MAXIMIZE
                else min(scored)
            )
            parts.append(f"best {self.label} {best:.3f}")
        elapsed = now - self.started
        parts.append(f"{clock(elapsed)} elapsed")
        if self.timeout is not None:
            parts.append(f"at most {clock(self.timeout - elapsed)} left")
        return "tuneplate: " + ", ".join(parts)

    def _print(self, study: optuna.Study, now: float) -> None:
        text = self.shown = self.line(study, now)
        if self.terminal:
            self.stream.write("\r\033[K" + text)
        else:
            self.stream.write(text + "\n")
        self.stream.flush()
        self.printed = True
