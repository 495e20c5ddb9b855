"""Strategies side by side on one data set: same folds, same hold-out, same time budget.

`compare` runs each strategy for the same wall-clock budget per seed (the split
depends only on the seed, so every strategy sees the same folds and hold-out),
and returns plain data: each run's best-so-far curve over elapsed time (its
anytime curve), its hold-out score and trial counts, and a recommendation.

The recommendation takes the best mean hold-out score; strategies whose hold-out
score is within two standard errors of it (a paired bootstrap over the hold-out
rows, the same rows for every strategy) count as tied, and of the tied ones the
one that reached its best score soonest is recommended: as good, and cheaper.
Then the recommended strategy's models face the vertical's simple baseline on the
same hold-outs (each run's paired comparison, `Results.baseline`): when none of
them beats it beyond noise, the comparison says to use the simple model.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from tuneplate.engine.contract.errors import TuneplateError
from tuneplate.engine.results import Metric, _jsonable
from tuneplate.engine.search.strategies import DEFAULT_STRATEGIES, STRATEGIES
from tuneplate.engine.search.study import NoTrialCompleted
from tuneplate.engine.tasks.registry import task_for
from tuneplate.engine.tune import Config, execute, plan
from tuneplate.engine.vertical import Vertical

COMPARE_FILE = "compare.json"
BOOTSTRAP = 300  # hold-out resamples per pair of strategies and seed
TIE_SE = 2.0  # a difference under this many standard errors is noise


@dataclass(frozen=True)
class StrategyRun:
    """One strategy on one seed."""

    strategy: str
    seed: int
    model_family: str
    validation: float  # best cross-validated score
    holdout: float  # the refitted best on the hold-out
    completed: int
    pruned: int
    failed: int
    search_s: float
    time_to_best_s: float  # from the search's start to the trial that scored best
    curve: list[tuple[float, float]]  # (seconds since the search started, best so far)
    # The vertical's simple baseline on the same hold-out, and the run's paired decision
    # against it ("better", "same", "worse", "kept"; "" when not compared, e.g. ranking).
    baseline: float = math.nan
    versus_baseline: str = ""


@dataclass(frozen=True)
class StrategySummary:
    """One strategy over every seed, compared with the best one."""

    strategy: str
    holdout: float  # mean over seeds
    validation: float  # mean over seeds of the best cross-validated score
    completed: float  # mean completed trials per seed
    time_to_best_s: float  # mean
    behind: float  # mean hold-out gap to the best strategy, in its "worse" direction
    se: float  # bootstrap standard error of that gap
    tied: bool  # within TIE_SE standard errors of the best
    # every seed's search kept the simple baseline's own settings: the model is the
    # baseline's, whatever the strategy, so such strategies cannot be told apart
    kept: bool = False


@dataclass
class Comparison:
    """What `compare` found: plain data, saved as `compare.json`.

    Example:
        >>> c = compare(VERTICAL, None, Config(), ["random", "auto"], budget=30)
        >>> c.recommended, c.reason
        ('auto', 'auto had the best hold-out ROC AUC …')
    """

    vertical: str
    vertical_title: str
    metric: Metric
    budget_s: float
    seeds: list[int]
    strategies: list[str]
    runs: list[StrategyRun]
    summary: list[StrategySummary]
    recommended: str
    reason: str
    data: dict[str, Any] = field(default_factory=dict)
    baseline_label: str = ""  # the vertical's simple baseline, when the runs compared one
    use_baseline: bool = False  # no run of the recommended strategy beat it beyond noise

    def to_dict(self) -> dict[str, Any]:
        return _jsonable(asdict(self))


def check_request(strategies: list[str], budget: float, seeds: int) -> None:
    """Refuse a bad comparison before anything runs.

    Example:
        >>> check_request(["random", "hyperopt"], 60, 1)
        Traceback (most recent call last):
        TuneplateError: unknown strategy 'hyperopt' in --strategies; choose from: …
    """
    if not strategies:
        raise TuneplateError("no strategies to compare; give --strategies random,bayes,…")
    for name in strategies:
        if name not in STRATEGIES:
            known = ", ".join(sorted(STRATEGIES))
            raise TuneplateError(f"unknown strategy {name!r} in --strategies; choose from: {known}")
    if len(set(strategies)) != len(strategies):
        raise TuneplateError("a strategy is listed twice in --strategies; list each once")
    ok = isinstance(budget, int | float) and not isinstance(budget, bool)
    if not ok or not math.isfinite(budget) or budget <= 0:
        raise TuneplateError(f"the budget must be a number of seconds above 0, got {budget!r}")
    if isinstance(seeds, bool) or not isinstance(seeds, int) or seeds < 1:
        raise TuneplateError(f"--seeds must be a whole number of 1 or more, got {seeds!r}")


def offered_strategies(vertical: Vertical, config: Config) -> list[str]:
    """`DEFAULT_STRATEGIES` less those the vertical's task refuses (a ranking vertical
    tunes one ranker, so `auto`, which chooses a classification family, is left out)."""
    offered = []
    for name in DEFAULT_STRATEGIES:
        try:
            task_for(vertical).refuse(config.replace(strategy=name), name)
        except TuneplateError:
            continue
        offered.append(name)
    return offered


def compare(
    vertical: Vertical,
    data: pd.DataFrame | None,
    config: Config,
    strategies: list[str] | None,
    budget: float,
    seeds: int = 1,
    progress=None,
    live: bool = False,
) -> Comparison:
    """Run every strategy for `budget` seconds on each of `seeds` seeds and compare them.

    Every run optimises the same metric (the config's, else the vertical's: the
    gradient strategy too) with its strategy's usual model family (`auto` chooses
    its own). `progress(run)` is called after each run; with `live`, each run also
    prints its progress lines on stderr as `tuneplate run` does.

    Example:
        >>> c = compare(load_vertical("credit-risk"), None, Config(), ["random", "bayes"], 20)
        >>> [(r.strategy, r.completed) for r in c.runs]
        [('random', 31), ('bayes', 28)]
    """
    metric = config.search.metric or vertical.objective.name
    base = config.replace(metric=metric, timeout=budget, n_trials=None, storage="memory")
    base = base.replace(model=None, study=None, warm_start=None)
    strategies = list(strategies or offered_strategies(vertical, base))
    check_request(strategies, budget, seeds)
    for name in strategies:  # one the task cannot run is refused before any run starts
        task_for(vertical).refuse(base.replace(strategy=name), name)
    runs, scores, description, baseline_label = [], {}, {}, ""
    seed_list = [config.search.seed + i for i in range(seeds)]
    for seed in seed_list:
        for name in strategies:
            p = plan(vertical, data, base.replace(strategy=name, seed=seed))
            description = p.task.describe(p)
            objective = p.objective
            try:
                r = execute(p, progress=live)
            except NoTrialCompleted:  # a strategy too slow for the budget: it scores nothing
                run = _nothing(name, seed, budget)
            else:
                paired = p.task.holdout_scores(p, r)  # rows, or users: the same for all
                scores[name, seed] = (paired.y, paired.score, paired.objective)
                run = _run(name, seed, r)
                baseline_label = r.baseline.label or baseline_label
            runs.append(run)
            if progress:
                progress(run)
    if not scores:
        raise TuneplateError(f"no strategy completed a trial within {budget:g} s; raise --budget")
    # `objective` is the same metric for every run: the config's, else the vertical's.
    summary = _summarise(strategies, seed_list, runs, scores, objective.direction == "maximize")
    maximize = objective.direction == "maximize"
    recommended, reason = _recommend(summary, objective.label, seeds, maximize)
    own = [r for r in runs if r.strategy == recommended and r.versus_baseline]
    use_baseline = bool(own) and not any(r.versus_baseline == "better" for r in own)
    if own:
        reason += " " + _versus(own, baseline_label, objective.label, use_baseline)
    return Comparison(
        vertical=vertical.name,
        vertical_title=vertical.title,
        metric=Metric(objective.name, objective.label, objective.direction),
        budget_s=float(budget),
        seeds=seed_list,
        strategies=list(strategies),
        runs=runs,
        summary=summary,
        recommended=recommended,
        reason=reason,
        data=description,
        baseline_label=baseline_label,
        use_baseline=use_baseline,
    )


def _versus(own: list[StrategyRun], label: str, metric: str, use_baseline: bool) -> str:
    """The recommended strategy's models against the simple baseline, in one sentence."""
    base = float(np.mean([r.baseline for r in own]))
    better = sum(r.versus_baseline == "better" for r in own)
    splits = "the split" if len(own) == 1 else f"any of {len(own)} splits"
    if use_baseline:
        return (
            f"But its model does not beat the simple {label} (hold-out {metric} {base:.3f}) "
            f"beyond noise on {splits}: use the simple model."
        )
    where = "the split" if len(own) == 1 else f"{better} of {len(own)} splits"
    return (
        f"Its model beats the simple {label} (hold-out {metric} {base:.3f}) beyond noise "
        f"on {where}."
    )


def _run(name: str, seed: int, r) -> StrategyRun:
    trials = r.trials
    done = trials[trials["state"].astype("string") == "COMPLETE"]
    done = done.assign(value=pd.to_numeric(done["value"], errors="coerce"))
    done = done.dropna(subset=["value", "finished_s"]).sort_values("finished_s")
    maximize = r.metric.direction == "maximize"
    values = done["value"].to_numpy(dtype=float)
    best = np.maximum.accumulate(values) if maximize else np.minimum.accumulate(values)
    times = done["finished_s"].to_numpy(dtype=float)
    curve = [(float(t), float(b)) for t, b in zip(times, best, strict=True)]
    reached = times[int(np.argmax(best == best[-1]))] if len(best) else math.nan
    return StrategyRun(
        strategy=name,
        seed=seed,
        model_family=r.model_family,
        # the best trial's score on the search's folds for every strategy: a kept blend's
        # own figure is over fresh folds, a kept baseline's is the baseline trial's
        validation=float(best[-1]) if len(best) else r.validation,
        holdout=r.holdout,
        completed=r.counts.get("completed", 0),
        pruned=r.counts.get("pruned", 0),
        failed=r.counts.get("failed", 0),
        search_s=float(r.timings.get("search_s", math.nan)),
        time_to_best_s=float(reached),
        curve=curve,
        baseline=float(r.baseline.holdout) if r.baseline.holdout is not None else math.nan,
        versus_baseline=r.baseline.decision,
    )


def _nothing(name: str, seed: int, budget: float) -> StrategyRun:
    nan = math.nan
    return StrategyRun(name, seed, "", nan, nan, 0, 0, 0, float(budget), nan, [])


def _gap_se(best, other, seed: int) -> float:
    """Bootstrap standard error of score(best) − score(other) on one shared hold-out."""
    y, p_best, objective = best
    _, p_other, _ = other
    rng = np.random.default_rng(seed)
    gaps = []
    score = objective.score
    with warnings.catch_warnings():  # scikit-learn warns (and gives NaN) on one class
        warnings.simplefilter("ignore")
        for _ in range(BOOTSTRAP):
            rows = rng.integers(0, len(y), len(y))
            try:
                gap = score(y[rows], p_best[rows]) - score(y[rows], p_other[rows])
            except ValueError:  # a resample with one class: ROC AUC is undefined
                continue
            if math.isfinite(gap):  # newer scikit-learn returns NaN instead of raising
                gaps.append(gap)
    return float(np.std(gaps, ddof=1)) if len(gaps) > 1 else math.nan


def _summarise(strategies, seeds, runs, scores, maximize) -> list[StrategySummary]:
    """Mean hold-out per strategy and its gap to the best; a strategy without any
    completed trial on some seed has no score (NaN) and is never tied."""
    sign = 1.0 if maximize else -1.0
    mean = {s: float(np.mean([r.holdout for r in runs if r.strategy == s])) for s in strategies}
    scored = [s for s in strategies if math.isfinite(mean[s])]
    best = max(scored, key=lambda s: sign * mean[s]) if scored else None
    out = []
    for s in strategies:
        own = [r for r in runs if r.strategy == s]
        behind, se = math.nan, math.nan
        if s == best:
            behind, se = 0.0, 0.0
        elif s in scored:  # seeds are independent splits: their errors add in quadrature
            behind = sign * (mean[best] - mean[s])
            ses = [_gap_se(scores[best, seed], scores[s, seed], seed) for seed in seeds]
            se = float(math.sqrt(sum(e * e for e in ses)) / len(ses))
        out.append(
            StrategySummary(
                strategy=s,
                holdout=mean[s],
                validation=float(np.mean([r.validation for r in own])),
                completed=float(np.mean([r.completed for r in own])),
                time_to_best_s=float(np.mean([r.time_to_best_s for r in own])),
                behind=float(behind),
                se=se,
                # no standard error (too few hold-out rows): it cannot be told apart
                tied=s == best
                or (math.isfinite(behind) and (math.isnan(se) or behind <= TIE_SE * se)),
                kept=bool(own) and all(r.versus_baseline == "kept" for r in own),
            )
        )
    return out


def _se_text(se: float) -> str:
    if math.isfinite(se):
        return f"a bootstrap standard error of {se:.3f}"
    return "no standard error: too few hold-out rows to form one"


def _noise(tied: list[StrategySummary], split: str) -> str:
    """Why the tied strategies count as noise: under TIE_SE errors, or no error at all."""
    if all(math.isfinite(s.se) for s in tied):
        return f"under {TIE_SE:g} bootstrap standard errors on {split}"
    return f"no standard error could be formed on {split}'s hold-out rows, so none is preferred"


def _recommend(
    summary: list[StrategySummary], label: str, seeds: int, maximize: bool = True
) -> tuple[str, str]:
    best = next(s for s in summary if s.behind == 0.0)
    tied = [s for s in summary if s.tied]
    pick = min(tied, key=lambda s: (s.time_to_best_s, s.behind))
    others = [s.strategy for s in tied if s is not pick]
    split = "one split" if seeds == 1 else f"{seeds} splits"
    if len(tied) > 1 and all(s.kept for s in tied):
        # One model whichever strategy: the time of a trial that was thrown away would
        # decide, so none is preferred; the first listed is named.
        pick, names = tied[0], _names([s.strategy for s in tied])
        reason = (
            f"{names} each kept the simple model's own settings on {split} (no trial beat "
            f"them beyond noise on the validation folds), so they end with the same model and "
            f"the same hold-out {label} ({pick.holdout:.3f}): this budget does not tell them "
            f"apart, and {pick.strategy} is named only because it is listed first."
        )
    elif pick is best and not others:
        reason = (
            f"{pick.strategy} had the best hold-out {label} ({pick.holdout:.3f}) and every "
            f"other strategy was more than {TIE_SE:g} standard errors behind it on {split}."
        )
    elif pick is best:
        reason = (
            f"{pick.strategy} had the best hold-out {label} ({pick.holdout:.3f}); "
            f"{_names(others)} came within noise of it ({_noise(tied, split)}), and "
            f"{pick.strategy} also reached its best score soonest ({pick.time_to_best_s:.0f} s)."
        )
    else:
        reason = (
            f"{best.strategy} had the best hold-out {label} ({best.holdout:.3f}), but "
            f"{pick.strategy} ({pick.holdout:.3f}) is within noise of it (a gap of "
            f"{pick.behind:.3f} against {_se_text(pick.se)} on {split}) and reached its "
            f"best score sooner ({pick.time_to_best_s:.0f} s against "
            f"{best.time_to_best_s:.0f} s): as good here, and cheaper."
        )
    sign = 1.0 if maximize else -1.0
    scored = [s for s in summary if math.isfinite(s.validation)]
    top = max(scored, key=lambda s: sign * s.validation)
    if top is not pick and sign * (top.validation - pick.validation) > 0:
        reason += (
            f" In tuning {top.strategy} scored best ({top.validation:.3f} against "
            f"{pick.validation:.3f}); a larger hold-out or more seeds would show whether "
            "that lead is real."
        )
    missed = [s.strategy for s in summary if not math.isfinite(s.holdout)]
    if missed:
        reason += f" {_names(missed)} completed no trial within the budget on some seed."
    if seeds == 1:
        reason += " With one seed the ranking rests on one hold-out; --seeds 3 makes it firmer."
    return pick.strategy, reason


def _names(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


__all__ = [
    "COMPARE_FILE",
    "offered_strategies",
    "Comparison",
    "StrategyRun",
    "StrategySummary",
    "check_request",
    "compare",
]
