"""Search strategies: one `Strategy` record each, in one registry.

Add a strategy by adding one entry to `STRATEGIES`: its name, a one-line description,
a sampler factory `(space, seed) -> optuna.samplers.BaseSampler`, and what it changes
in the plan, declared as attributes (the runner reads them; it names no strategy).
The CLI's lists, `compare` and the error for an unknown name all read the registry.

Example:
    >>> get_strategy("grid").grid_is_budget
    True
    >>> sampler_label(make_sampler("bayes", space, seed=0))  # torch not installed
    'TPE (multivariate)'
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass

import optuna

from tuneplate.engine.contract.errors import TuneplateError
from tuneplate.engine.search.auto import FamilySampler
from tuneplate.engine.search.gradient import GradientSampler
from tuneplate.engine.search.space import Choice, Space

SamplerFactory = Callable[[Space | Choice, int | None], optuna.samplers.BaseSampler]
AUTO = "auto"  # the strategy that also chooses the model family
LINEAR_FAMILY = "logistic"  # the gradient strategies' model when none is asked for
WARMUP_TRIALS = 20  # bayes+gradient: Bayesian search first, then the gradient polish
# What `tuneplate compare` runs when no strategies are named (less those a vertical's
# task cannot run: `engine.compare.offered_strategies`).
DEFAULT_STRATEGIES = ("grid", "random", "bayes", "gradient", "auto")


@dataclass(frozen=True)
class Strategy:
    """A search strategy: how it samples, and what it changes in the plan.

    Attributes:
        name: what `--strategy` and `Config.strategy` take.
        description: one line for the CLI's help and the docs.
        sampler: `(space, seed) -> BaseSampler`; `space` is a `Choice` (model family
            first, then its settings) when `chooses_family`, else a plain `Space`.
        chooses_family: tunes every family the vertical offers in one study (a
            `Choice` space); an explicit model (`--model`) is refused.
        descends_gradient: follows the gradient of validation log-loss; the runner
            asks the family for exact hypergradients when it has them and the metric
            is log-loss, and adds the overfitting findings for small validation folds.
        grid_is_budget: visits each grid point once; the number of trials is capped at
            the grid's size and the first trials are the grid points.
        default_family: the model family it tunes unless one is named, when the
            vertical offers it (else the vertical's default).
        default_metric: the metric it optimises unless one is named.

    Example:
        >>> Strategy("sobol", "quasi-random Sobol points", lambda space, seed:
        ...          optuna.samplers.QMCSampler(seed=seed))
    """

    name: str
    description: str
    sampler: SamplerFactory
    chooses_family: bool = False
    descends_gradient: bool = False
    grid_is_budget: bool = False
    default_family: str | None = None
    default_metric: str | None = None


def find_torch() -> bool:
    """Whether torch is installed (Optuna's GPSampler needs it to sample)."""
    return importlib.util.find_spec("torch") is not None


def _bayes(space: Space, seed: int | None) -> optuna.samplers.BaseSampler:
    # GP-based BO is better on small continuous spaces but needs torch; TPE does
    # not, handles categoricals, and is multivariate by default in Optuna 5.
    # `sampler_label` names which one ran, for the results and the report.
    if find_torch():
        return optuna.samplers.GPSampler(seed=seed)
    return optuna.samplers.TPESampler(seed=seed, n_startup_trials=10)


def _gradient(space: Space, seed: int | None, warmup: int = 0) -> GradientSampler:
    continuous = {
        p.name: optuna.distributions.FloatDistribution(p.low, p.high, log=p.log)
        for p in space.params
        if p.choices is None and not p.integer and p.low < p.high
    }
    return GradientSampler(
        space.start,
        search_space=continuous,
        seed=seed,
        warmup=_bayes(space, seed) if warmup else None,
        n_warmup=warmup,
    )


def _family_choice(space: Space | Choice, seed: int | None) -> FamilySampler:
    return FamilySampler(tuple(space.spaces) if isinstance(space, Choice) else (), seed)


_GRADIENT = {
    "descends_gradient": True,
    "default_family": LINEAR_FAMILY,  # its exact hypergradient makes the descent exact
    "default_metric": "log_loss",  # the loss whose derivative the family supplies
}

STRATEGIES: dict[str, Strategy] = {
    s.name: s
    for s in (
        Strategy(
            "grid",
            "every point of the space's grid; exhaustive, for small spaces and audits",
            lambda space, seed: optuna.samplers.GridSampler(space.grid(), seed=seed),
            grid_is_budget=True,
        ),
        Strategy(
            "random",
            "independent random draws; a baseline that parallelises perfectly",
            lambda space, seed: optuna.samplers.RandomSampler(seed=seed),
        ),
        Strategy(
            "bayes",
            "Bayesian optimisation (TPE; GP when torch is installed); the default",
            _bayes,
        ),
        Strategy(
            "cmaes",
            "CMA-ES evolution strategy; continuous spaces with many trials",
            lambda space, seed: optuna.samplers.CmaEsSampler(
                seed=seed, warn_independent_sampling=False
            ),
        ),
        Strategy(
            "gradient",
            "descent on continuous hyperparameters with exact hypergradients (logistic "
            "regression, on log-loss) or SPSA estimates; linear models with one or several "
            "regularisation strengths, or a final polish; no better than bayes on boosted "
            "trees",
            _gradient,
            **_GRADIENT,
        ),
        Strategy(
            "bayes+gradient",
            f"bayes for the first {WARMUP_TRIALS} trials, then gradient descent on the "
            "continuous hyperparameters of the best, discrete ones frozen",
            # WARMUP_TRIALS is read when the sampler is made (tests shorten it).
            lambda space, seed: _gradient(space, seed, warmup=WARMUP_TRIALS),
            **_GRADIENT,
        ),
        Strategy(
            AUTO,
            "chooses the model family too: every family a few cheap trials, then more "
            "trials for the families scoring best; 'just give me the best model' within "
            "--timeout",
            _family_choice,
            chooses_family=True,
        ),
    )
}


def get_strategy(name: str) -> Strategy:
    """The strategy called `name`.

    Example:
        >>> get_strategy("hyperopt")
        TuneplateError: unknown strategy 'hyperopt'; choose one of: auto, bayes, …
    """
    try:
        return STRATEGIES[name]
    except (KeyError, TypeError):
        known = ", ".join(sorted(STRATEGIES))
        raise TuneplateError(f"unknown strategy {name!r}; choose one of: {known}") from None


def make_sampler(
    name: str | Strategy, space: Space | Choice, seed: int | None = None
) -> optuna.samplers.BaseSampler:
    """Build the sampler for strategy `name`.

    Example:
        >>> make_sampler("random", space, seed=0)
        <optuna.samplers._random.RandomSampler object at ...>
    """
    strategy = name if isinstance(name, Strategy) else get_strategy(name)
    return strategy.sampler(space, seed)


def sampler_label(sampler: optuna.samplers.BaseSampler) -> str:
    """What a sampler is, for the results and the report: which algorithm actually ran.

    `bayes` makes a Gaussian-process sampler when torch is installed and TPE otherwise;
    this names the one made. Unknown samplers are named by their class.

    Example:
        >>> sampler_label(optuna.samplers.TPESampler(seed=0))
        'TPE (multivariate)'
        >>> sampler_label(make_sampler("bayes+gradient", space))
        'TPE (multivariate) for 20 trials, then gradient descent'
    """
    samplers = optuna.samplers
    if isinstance(sampler, GradientSampler):
        if sampler.warmup is None:
            return "gradient descent"
        first = sampler_label(sampler.warmup)
        return f"{first} for {sampler.n_warmup} trials, then gradient descent"
    if isinstance(sampler, FamilySampler):
        settings = sampler_label(sampler.settings)
        return f"model family by halving, then {settings}" if sampler.families else settings
    # Optuna keeps these choices in private attributes; a missing one reads as the default.
    if isinstance(sampler, samplers.TPESampler):
        # `multivariate=None` (Optuna 5's default) means multivariate for one objective.
        kind = "independent" if getattr(sampler, "_multivariate", None) is False else "multivariate"
        return f"TPE ({kind}, grouped)" if getattr(sampler, "_group", False) else f"TPE ({kind})"
    if isinstance(sampler, samplers.GPSampler):
        return "Gaussian process"
    if isinstance(sampler, samplers.QMCSampler):
        return f"{str(getattr(sampler, '_qmc_type', 'sobol')).capitalize()} QMC"
    names = {
        samplers.GridSampler: "grid",
        samplers.RandomSampler: "random",
        samplers.CmaEsSampler: "CMA-ES",
    }
    return names.get(type(sampler), type(sampler).__name__)


class _Descriptions(Mapping[str, str]):
    """{name: description}, read from `STRATEGIES` at each use, so a new entry shows."""

    def __getitem__(self, name: str) -> str:
        return STRATEGIES[name].description

    def __iter__(self) -> Iterator[str]:
        return iter(STRATEGIES)

    def __len__(self) -> int:
        return len(STRATEGIES)


DESCRIPTIONS: Mapping[str, str] = _Descriptions()  # the CLI's help lists these names

__all__ = [
    "AUTO",
    "DESCRIPTIONS",
    "LINEAR_FAMILY",
    "STRATEGIES",
    "Strategy",
    "get_strategy",
    "make_sampler",
    "sampler_label",
]
