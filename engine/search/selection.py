"""Which trial is refitted: the best, unless it does not clearly beat the simple baseline.

When the baseline trial is itself the best, it is kept as such (rule "baseline"): the
run then compares the baseline with itself nowhere, and says it kept the defaults.

When the vertical's baseline (its baseline family at default settings) is part of the
search, the study tries it first (source "baseline"). The trial with the best mean
fold score is refitted only if it beats that baseline trial by more than one standard
error of their paired fold differences; otherwise the baseline's settings are kept.
This is the one-standard-error rule (Hastie, Tibshirani & Friedman, *The Elements of
Statistical Learning*, 2nd ed., §7.10): among settings whose cross-validated score is
within one standard error of the best, prefer the simplest. Pairing the folds (both
trials are scored on the same folds) removes the fold-to-fold variation both share.

Why: a search over many settings finds one that wins on the validation folds by luck
(the winner's curse); on small tables that "win" often loses on new rows to the
default it replaced. Keeping the default unless the evidence is clear means a tuned
run never ends below its own simple baseline by chance alone.

The search's own folds are the ones the best trial won on, so its lead there is biased
upward. A task that can refit on fresh folds (the binary task, `tasks/binary/blending.py`)
then decides among the baseline, the best trial and their blend by `fresh_rule`: the same
one-SE test, on folds no trial was chosen on. Measured against this rule on 9 + 5 real
tables (`benchmarks/selection_rules.py --blend`, 69 runs): better on 14, worse on 6.
"""

from __future__ import annotations

import math

import numpy as np
import optuna
from optuna.trial import FrozenTrial

from tuneplate.engine.records import FreshFolds, Selection

BASELINE = "baseline"  # user attribute "source" of the enqueued baseline trial


def paired_gain(best: FrozenTrial, base: FrozenTrial, maximize: bool) -> tuple[float, float] | None:
    """Mean and standard error of best − base over their folds, in the good direction.

    None when either trial lacks fold scores or they were scored on different numbers
    of folds (a pruned or cut-short trial).

    Example:
        >>> paired_gain(best, base, maximize=True)
        (0.0021, 0.0037)
    """
    a, b = best.user_attrs.get("fold_scores"), base.user_attrs.get("fold_scores")
    if not a or not b or len(a) != len(b) or len(a) < 2:
        return None
    if not np.isfinite(np.asarray(a, dtype=float) - np.asarray(b, dtype=float)).all():
        return None
    return lead(a, b, maximize)


def baseline_trial(trials: list[FrozenTrial]) -> FrozenTrial | None:
    """The vertical's baseline trial (source "baseline") among `trials`, or None."""
    return next((t for t in trials if t.user_attrs.get("source") == BASELINE), None)


def select(study: optuna.Study, complete: list[FrozenTrial]) -> tuple[FrozenTrial, Selection]:
    """The trial to refit among `complete` (non-empty) and how it was chosen.

    Example:
        >>> trial, how = select(study, study.get_trials(states=(TrialState.COMPLETE,)))
        >>> how.rule
        'one-SE'
    """
    best = study.best_trial
    base = baseline_trial(complete)
    if base is None:
        return best, Selection(best.number, best.number)
    if base.number == best.number:  # no trial scored better: the defaults are kept as such
        return base, Selection(base.number, best.number, "baseline")
    maximize = study.direction == optuna.study.StudyDirection.MAXIMIZE
    gain = paired_gain(best, base, maximize)
    if gain is None:
        return best, Selection(best.number, best.number)
    mean, se = gain
    if mean > se:
        return best, Selection(best.number, best.number, "best", mean, se)
    return base, Selection(base.number, best.number, "one-SE", mean, se)


def lead(scores: np.ndarray, base: np.ndarray, maximize: bool) -> tuple[float, float]:
    """Mean and standard error of scores − base over paired folds, good direction."""
    diff = (np.asarray(scores, float) - np.asarray(base, float)) * (1 if maximize else -1)
    return float(diff.mean()), float(diff.std(ddof=1) / math.sqrt(len(diff)))


def fresh_rule(scores: np.ndarray, maximize: bool) -> tuple[str, FreshFolds] | None:
    """Baseline, best or blend, chosen on fresh folds; None when they cannot decide.

    `scores` is (folds, 3): per fold the validation score of the best trial, the
    baseline and their blend, all fitted on the same fold. A candidate qualifies when it
    beats the baseline by more than one standard error of the paired differences; the
    blend is kept when it qualifies and leads at least as much as the best (it carries
    the baseline's share, the safer of the two), the best when only it qualifies, else
    the baseline ("one-SE"). None with fewer than 2 folds or a non-finite score.

    Example:
        >>> fresh_rule(np.array([[0.81, 0.80, 0.82]] * 9 + [[0.80, 0.80, 0.81]]), True)
        ('blend', FreshFolds(folds=10, best=0.009, ...))
    """
    scores = np.asarray(scores, dtype=float)
    if scores.ndim != 2 or scores.shape[0] < 2 or not np.isfinite(scores).all():
        return None
    best, best_se = lead(scores[:, 0], scores[:, 1], maximize)
    blend, blend_se = lead(scores[:, 2], scores[:, 1], maximize)
    fresh = FreshFolds(
        len(scores),
        best,
        best_se,
        blend,
        blend_se,
        blend_score=float(scores[:, 2].mean()),
        base_score=float(scores[:, 1].mean()),
    )
    best_ok, blend_ok = best > best_se, blend > blend_se
    if blend_ok and (not best_ok or blend >= best):
        return "blend", fresh
    return ("best" if best_ok else "one-SE"), fresh


__all__ = ["BASELINE", "Selection", "baseline_trial", "fresh_rule", "lead", "paired_gain", "select"]
