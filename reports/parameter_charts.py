"""Which settings work: parallel coordinates (or a slice plot for one setting), each
titled with what the best trials agree on."""

from __future__ import annotations

import math
import re

import matplotlib
import numpy as np
import pandas as pd
from matplotlib.axes import Axes

from tuneplate.engine.results import Results
from tuneplate.reports.figures import BLUE, ORANGE, chart, completed, plain
from tuneplate.reports.formatters import fmt_count, fmt_number, fmt_param, tuning_score

MAX_AXES = 8  # parallel coordinates: the settings that mattered most, at most this many
MAX_LINES = 300  # beyond this many trials only the best are drawn (and the title says so)
MIN_TRIALS_TO_JUDGE = 6
AGREE = 0.35  # the best trials "agree" on a setting spanning at most this share of its range
EDGE = 0.05  # a best value within 5% of either end of the range tried is "at the edge"
LOG_RATIO = 100  # a positive setting spanning two decades is drawn on a log scale


def _param_columns(results: Results, done: pd.DataFrame) -> list[str]:
    """The varied settings, most important first, at most MAX_AXES."""
    cols = [c for c in done.columns if str(c).startswith("params_")]
    cols = [c for c in cols if done[c].dropna().nunique() > 1]
    importance = results.importance or {}
    order = {c: -float(importance.get(str(c)[7:], 0.0) or 0.0) for c in cols}
    return sorted(cols, key=lambda c: order[c])[:MAX_AXES]


class _Axis:
    """One setting on a 0-to-1 scale, with what to print at its ends."""

    def __init__(self, values: pd.Series):
        self.name = str(values.name)[len("params_") :]
        numeric = pd.to_numeric(values, errors="coerce")
        self.numeric = bool(numeric.notna().sum() == values.notna().sum())
        if self.numeric:
            raw = numeric.to_numpy(dtype=float)
            lo, hi = np.nanmin(raw), np.nanmax(raw)
            self.log = bool(lo > 0 and hi / lo >= LOG_RATIO)
            t = np.log10(raw) if self.log else raw
            tlo, thi = np.nanmin(t), np.nanmax(t)
            self.pos = (t - tlo) / (thi - tlo) if thi > tlo else np.full_like(t, 0.5)
            self.raw = raw
            self.ticks = [(0.0, _short(_tidy(lo, values))), (1.0, _short(_tidy(hi, values)))]
        else:
            text = values.astype("string")
            levels = sorted(text.dropna().unique())
            codes = {level: i for i, level in enumerate(levels)}
            span = max(len(levels) - 1, 1)
            self.log = False
            self.raw = text.to_numpy(dtype=object)
            self.pos = np.array([codes[v] / span if v in codes else np.nan for v in self.raw])
            shown = levels if len(levels) <= 6 else [levels[0], levels[-1]]
            self.ticks = [(codes[v] / span, str(v)) for v in shown]

    def describe(self, mask: np.ndarray) -> str:
        """The values the masked trials take, for a title."""
        raw = self.raw[mask]
        if self.numeric:
            lo, hi = np.nanmin(raw), np.nanmax(raw)
            return fmt_param(lo) if lo == hi else f"{fmt_param(lo)}–{fmt_param(hi)}"
        return ", ".join(sorted({str(v) for v in raw if v is not None and v == v}))


def _short(value: float | int) -> str:
    """A setting's value for an axis end: "1e-8" rather than "1e-08"."""
    return re.sub(r"e([+-])0*(\d)", r"e\1\2", fmt_param(value)).replace("e+", "e")


def _tidy(value: float, values: pd.Series) -> float | int:
    """An integer setting's end shown as an integer."""
    return int(value) if pd.api.types.is_integer_dtype(values.dropna()) else value


def _score_positions(done: pd.DataFrame, maximize: bool) -> np.ndarray:
    """Scores on a 0-to-1 scale with the better end at 1."""
    v = done["value"].to_numpy(dtype=float)
    lo, hi = np.nanmin(v), np.nanmax(v)
    pos = (v - lo) / (hi - lo) if hi > lo else np.full_like(v, 0.5)
    return pos if maximize else 1 - pos


def _best_mask(done: pd.DataFrame, maximize: bool) -> np.ndarray:
    """The best quarter of the trials (at least two)."""
    n = len(done)
    k = max(2, math.ceil(n / 4))
    order = np.argsort(-done["value"].to_numpy(dtype=float) if maximize else done["value"])
    mask = np.zeros(n, bool)
    mask[np.asarray(order)[:k]] = True
    return mask


def parameters_title(results: Results) -> str:
    """Which setting the best trials agree on, and where in the range tried.

    Example:
        >>> parameters_title(results)
        'The best 5 of 20 trials agree on learning_rate: 0.0121–0.0206, the low end of ...'
    """
    done = completed(results)
    if done is None:
        return ""
    cols = _param_columns(results, done)
    if not cols:
        return ""
    n = len(done)
    if n < MIN_TRIALS_TO_JUDGE:
        return f"Only {n} trials: too few to see which settings the best ones share"
    maximize = results.metric.direction == "maximize"
    best = _best_mask(done, maximize)
    # `auto` runs: a family's settings are empty in other families' trials, and a setting
    # only one or two of the best trials have cannot be what "the best trials agree on"
    # (the best 3 were two XGBoost trials and one logistic, said to agree on its C)
    axes = [a for a in (_Axis(done[c]) for c in cols) if np.isfinite(a.pos[best]).all()]
    spreads = [float(np.nanmax(a.pos[best]) - np.nanmin(a.pos[best])) for a in axes]
    k = int(best.sum())
    tightest = int(np.argmin(spreads)) if spreads else 0
    if not spreads or spreads[tightest] > AGREE:
        return (
            f"No single setting sets the best {k} of {n} trials apart: within the ranges "
            "tried, many settings work about as well"
        )
    axis = axes[tightest]
    where = ""
    if axis.numeric:
        centre = float(np.nanmean(axis.pos[best]))
        where = (
            ", the low end of the range tried"
            if centre < 1 / 3
            else ", the high end of the range tried"
            if centre > 2 / 3
            else ", the middle of the range tried"
        )
    return f"The best {k} of {n} trials agree on {axis.name}: {axis.describe(best)}{where}"


def parallel(results: Results) -> str | None:
    """Parallel coordinates: one line per completed trial across one axis per setting.

    Drawn when the search varied two or more settings; the last axis is the score,
    better at the top, and lines are darker the better their score (the best trial in
    orange). Only the MAX_AXES most important settings and the MAX_LINES best trials
    are drawn.

    Example:
        >>> parallel(results)[:4]
        '<svg'
    """
    done = completed(results)
    if done is None:
        return None
    cols = _param_columns(results, done)
    if len(cols) < 2:
        return None
    maximize = results.metric.direction == "maximize"
    axes = [_Axis(done[c]) for c in cols]
    score = _score_positions(done, maximize)
    order = np.argsort(score, kind="stable")[-MAX_LINES:]  # worst first, best drawn last
    values = done["value"].to_numpy(dtype=float)
    k = len(axes)
    xs = np.arange(k + 1)
    cmap = matplotlib.colormaps["Blues"]

    def draw(ax: Axes) -> None:
        for rank, i in enumerate(order):
            ys = [a.pos[i] for a in axes] + [score[i]]
            best = rank == len(order) - 1
            colour = ORANGE if best else cmap(0.25 + 0.65 * score[i])
            ax.plot(
                xs,
                ys,
                color=colour,
                lw=2.2 if best else 0.9,
                alpha=1 if best else 0.7,
                zorder=3 if best else 2,
            )
        for x, a in enumerate(axes):
            ax.axvline(x, color="#888888", lw=0.8, zorder=1)
            for y, label in a.ticks:
                ax.text(x + 0.04, y, plain(label), fontsize=7, va="center", color="#444444")
        ax.axvline(k, color="#888888", lw=0.8, zorder=1)
        lo, hi = np.nanmin(values), np.nanmax(values)
        worst_end, best_end = (lo, hi) if maximize else (hi, lo)
        ax.text(k + 0.04, 0, fmt_number(worst_end), fontsize=7, va="center", color="#444444")
        ax.text(k + 0.04, 1, fmt_number(best_end), fontsize=7, va="center", color="#444444")
        names = [plain(a.name + (" (log)" if a.log else "")) for a in axes]
        ax.set_xticks(
            xs, [*names, plain(results.metric.label)], fontsize=8, rotation=20, ha="right"
        )
        ax.set_yticks([])
        ax.set_xlim(-0.1, k + 0.5)
        ax.set_ylim(-0.05, 1.05)
        ax.grid(False)
        ax.spines["left"].set_visible(False)
        ax.spines["bottom"].set_visible(False)

    title = parameters_title(results)
    if len(done) > MAX_LINES:
        title += f" (best {fmt_count(MAX_LINES)} trials drawn)"
    return chart("parallel", title, draw, figsize=(6.5, 3.6))


def slice_plot(results: Results) -> str | None:
    """The score of each trial against the one setting the search varied.

    Example:
        >>> slice_plot(make_results(trials=one_setting))[:4]
        '<svg'
    """
    done = completed(results)
    if done is None:
        return None
    cols = _param_columns(results, done)
    if len(cols) != 1:
        return None
    axis = _Axis(done[cols[0]])
    y = done["value"].to_numpy(dtype=float)

    def draw(ax: Axes) -> None:
        if axis.numeric:
            ax.plot(axis.raw, y, "o", ms=4, color=BLUE, alpha=0.8)
            if axis.log:
                ax.set_xscale("log")
        else:
            ax.plot(axis.pos, y, "o", ms=4, color=BLUE, alpha=0.8)
            ax.set_xticks([p for p, _ in axis.ticks], [plain(t) for _, t in axis.ticks])
        ax.set_xlabel(plain(axis.name))
        ax.set_ylabel(plain(f"{results.metric.label} ({tuning_score(results.data).adjective})"))

    return chart("slice", slice_title(results), draw)


def slice_title(results: Results) -> str:
    """Where along its range the one tuned setting scores best, and whether it hit an edge."""
    done = completed(results)
    if done is None:
        return ""
    cols = _param_columns(results, done)
    if len(cols) != 1:
        return ""
    axis = _Axis(done[cols[0]])
    maximize = results.metric.direction == "maximize"
    best = _best_mask(done, maximize)
    text = f"The best trials have {axis.name} {axis.describe(best)}"
    if axis.numeric:
        at = int(np.argmax(done["value"].to_numpy()) if maximize else np.argmin(done["value"]))
        if axis.pos[at] <= EDGE or axis.pos[at] >= 1 - EDGE:
            end = "lowest" if axis.pos[at] <= EDGE else "highest"
            return f"{text}; the best is near the {end} value tried, so the best may lie beyond it"
        lo, hi = axis.ticks[0][1], axis.ticks[-1][1]
        return f"{text}, inside the range tried ({lo}–{hi})"
    return text
