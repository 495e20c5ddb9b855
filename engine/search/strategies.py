"""Search strategies. Each one is an Optuna sampler, made by one registry.

Add a strategy by adding one entry to `STRATEGIES`: a function
`(space, seed) -> optuna.samplers.BaseSampler`. `auto` receives a `Choice` (the
model family first, then its settings); the others a plain `Space`.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable

import optuna

from tuneplate.engine.contract.errors import TuneplateError
from tuneplate.engine.search.auto import FamilySampler
from tuneplate.engine.search.gradient import GradientSampler
from tuneplate.engine.search.space import Choice, Space

SamplerFactory = Callable[[Space | Choice, int | None], optuna.samplers.BaseSampler]
AUTO = "auto"  # the strategy that also chooses the model family


def _bayes(space: Space, seed: int | None) -> optuna.samplers.BaseSampler:
    # GP-based BO is better on small continuous spaces but needs torch; TPE does
    # not, handles categoricals, and is multivariate by default in Optuna 5.
    if importlib.util.find_spec("torch") is not None:
        return optuna.samplers.GPSampler(seed=seed)
    return optuna.samplers.TPESampler(seed=seed, n_startup_trials=10)


WARMUP_TRIALS = 20  # bayes+gradient: Bayesian search first, then the gradient polish


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


STRATEGIES: dict[str, SamplerFactory] = {
    "grid": lambda space, seed: optuna.samplers.GridSampler(space.grid(), seed=seed),
    "random": lambda space, seed: optuna.samplers.RandomSampler(seed=seed),
    "bayes": _bayes,
    "cmaes": lambda space, seed: optuna.samplers.CmaEsSampler(
        seed=seed, warn_independent_sampling=False
    ),
    "gradient": _gradient,
    "bayes+gradient": lambda space, seed: _gradient(space, seed, warmup=WARMUP_TRIALS),
    AUTO: lambda space, seed: FamilySampler(
        tuple(space.spaces) if isinstance(space, Choice) else (), seed
    ),
}

DESCRIPTIONS = {
    "grid": "every point of the space's grid; exhaustive, for small spaces and audits",
    "random": "independent random draws; a baseline that parallelises perfectly",
    "bayes": "Bayesian optimisation (TPE; GP when torch is installed); the default",
    "cmaes": "CMA-ES evolution strategy; continuous spaces with many trials",
    "gradient": "descent on continuous hyperparameters with exact hypergradients (logistic "
    "regression, on log-loss) or SPSA estimates; linear models with one or several "
    "regularisation strengths, or a final polish; no better than bayes on boosted trees",
    "bayes+gradient": f"bayes for the first {WARMUP_TRIALS} trials, then gradient descent on "
    "the continuous hyperparameters of the best, discrete ones frozen",
    AUTO: "chooses the model family too: every family a few cheap trials, then more trials "
    "for the families scoring best; 'just give me the best model' within --timeout",
}


def make_sampler(
    name: str, space: Space | Choice, seed: int | None = None
) -> optuna.samplers.BaseSampler:
    """Build the sampler for strategy `name`.

    Example:
        >>> make_sampler("random", space, seed=0)
        <optuna.samplers._random.RandomSampler object at ...>
    """
    try:
        factory = STRATEGIES[name]
    except KeyError:
        known = ", ".join(sorted(STRATEGIES))
        raise TuneplateError(f"unknown strategy {name!r}; choose one of: {known}") from None
    return factory(space, seed)
