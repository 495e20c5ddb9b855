"""The `auto` strategy: model-family selection and tuning in one search.

Each trial first picks a model family, then that family's settings (a `Choice`
space). `FamilySampler` decides the family; a multivariate TPE with `group=True`
proposes the settings, learning each family's parameters from that family's
trials only (their names are prefixed, so the groups never mix).

How the family is chosen, cheapest first and then more often for the families
doing well:

1. every family gets `MIN_TRIALS` trials first, in the order of the `Choice`
   (cheapest family first; the study enqueues each family's cheap starting
   points and the vertical's priors ahead of these);
2. after that, the families are ranked by their best score so far and each
   trial goes to the family furthest below its share of the trials, the shares
   halving with each rank (4 : 2 : 1 for three families) — a soft successive
   halving: a trailing family still gets a few trials, so one lucky early score
   cannot shut a family out for good.

The choice depends only on the finished trials, never on their durations, so
the same seed and trial budget replay exactly the same trials. Under a
wall-clock budget the number of trials depends on the machine's load.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

import optuna
from optuna.distributions import BaseDistribution
from optuna.samplers import BaseSampler, TPESampler
from optuna.study import Study, StudyDirection
from optuna.trial import FrozenTrial, TrialState

from tuneplate.engine.search.space import FAMILY

MIN_TRIALS = 2  # trials every family gets before any is favoured
STARTUP_TRIALS = 10  # random trials before TPE models the settings


def family_of(trial: FrozenTrial) -> str | None:
    """The model family a trial used (auto runs), else None."""
    return trial.params.get(FAMILY, trial.user_attrs.get(FAMILY))


def allocate(families: Sequence[str], trials: Sequence[FrozenTrial], maximize: bool) -> str:
    """The family the next trial should use, given the trials so far.

    Example:
        >>> allocate(["logistic", "lightgbm"], [], maximize=True)
        'logistic'
    """
    counts = dict.fromkeys(families, 0)
    best: dict[str, float] = {}
    for t in trials:
        family = family_of(t)
        if family not in counts:
            continue
        counts[family] += 1
        if t.state == TrialState.COMPLETE and t.value is not None:
            value = t.value if maximize else -t.value
            best[family] = max(best.get(family, value), value)
    for family in families:  # the first rung: every family a few cheap trials
        if counts[family] < MIN_TRIALS:
            return family
    # A family with no completed trial ranks last; ties keep the cheapest-first order.
    ranked = sorted(families, key=lambda f: -best.get(f, float("-inf")))
    share = {f: 2.0 ** (len(ranked) - 1 - rank) for rank, f in enumerate(ranked)}
    return min(ranked, key=lambda f: counts[f] / share[f])


class FamilySampler(BaseSampler):
    """Chooses each trial's model family (see `allocate`); TPE proposes its settings.

    Example:
        >>> sampler = FamilySampler(["logistic", "lightgbm", "xgboost"], seed=0)
        >>> study = optuna.create_study(sampler=sampler, direction="maximize")
        >>> study.optimize(make_objective(families, choice, X, y, folds, auc, Fit(0)), 30)
        >>> {t.params["family"] for t in study.trials}
        {'logistic', 'lightgbm', 'xgboost'}

    Args:
        families: the families, cheapest first; empty for a plain space (then this is
            a grouped multivariate TPE).
        seed: fixes TPE's proposals; the family choice is deterministic.
    """

    def __init__(self, families: Sequence[str], seed: int | None = None):
        self.families = tuple(families)
        with warnings.catch_warnings():  # `group` is marked experimental in Optuna 5
            warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
            self._tpe = TPESampler(
                seed=seed,
                multivariate=True,
                group=True,
                n_startup_trials=STARTUP_TRIALS,
            )

    @property
    def settings(self) -> TPESampler:
        """The sampler that proposes each family's settings (for `sampler_label`)."""
        return self._tpe

    def reseed_rng(self) -> None:
        self._tpe.reseed_rng()

    def before_trial(self, study: Study, trial: FrozenTrial) -> None:
        self._tpe.before_trial(study, trial)

    def after_trial(self, study, trial, state, values) -> None:
        self._tpe.after_trial(study, trial, state, values)

    def infer_relative_search_space(
        self, study: Study, trial: FrozenTrial
    ) -> dict[str, BaseDistribution]:
        space = self._tpe.infer_relative_search_space(study, trial)
        return {k: v for k, v in space.items() if k != FAMILY}  # ours, not TPE's

    def sample_relative(
        self, study: Study, trial: FrozenTrial, search_space: dict[str, BaseDistribution]
    ) -> dict[str, Any]:
        return self._tpe.sample_relative(study, trial, search_space)

    def sample_independent(
        self,
        study: Study,
        trial: FrozenTrial,
        param_name: str,
        param_distribution: BaseDistribution,
    ) -> Any:
        if param_name == FAMILY and self.families:
            earlier = [t for t in study.get_trials(deepcopy=False) if t.number < trial.number]
            maximize = study.direction == StudyDirection.MAXIMIZE
            family = allocate(self.families, earlier, maximize)
            if family in getattr(param_distribution, "choices", ()):
                return family
        return self._tpe.sample_independent(study, trial, param_name, param_distribution)


__all__ = ["MIN_TRIALS", "FamilySampler", "allocate", "family_of"]
