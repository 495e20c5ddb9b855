"""The gradient strategy: exact hypergradients, the sampler, its state in storage."""

import math
import threading
import time

import numpy as np
import optuna
import pytest
from optuna.distributions import FloatDistribution
from optuna.storages import JournalStorage
from optuna.storages.journal import JournalFileBackend
from sklearn.datasets import load_breast_cancer
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.metrics import log_loss
from sklearn.preprocessing import StandardScaler

import tuneplate
from tuneplate.engine.contract.schema import Schema
from tuneplate.engine.families.models import FAMILIES, Fit
from tuneplate.engine.search import hypergradient, strategies
from tuneplate.engine.search.gradient import ATTR, GradientSampler, mode, overfitting_findings
from tuneplate.engine.search.space import Param, Space
from tuneplate.engine.search.study import JOURNAL_FILE

RTOL = 1e-4


@pytest.fixture(scope="module")
def cancer():
    X, y = load_breast_cancer(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    return X[:350], y[:350], X[350:], y[350:]


def _central(f, value, h=1e-4):
    step = h * value
    return (f(value + step) - f(value - step)) / (2 * step)


def _close(exact, numeric):
    assert abs(exact - numeric) <= RTOL * abs(numeric), (exact, numeric)


def _logistic_fit(X, y, C=1.0):
    return LogisticRegression(C=C, solver="newton-cholesky", tol=1e-12, max_iter=200).fit(X, y)


def test_logistic_hypergradient_matches_finite_differences(cancer):
    X, y, Xv, yv = cancer

    def loss(C):
        return log_loss(yv, _logistic_fit(X, y, C).predict_proba(Xv)[:, 1])

    for C in (0.05, 0.3, 2.0):
        m = _logistic_fit(X, y, C)
        exact = hypergradient.logistic(X, y, m.coef_[0], m.intercept_[0], Xv, yv, {"C": C})
        _close(exact["C"], _central(loss, C))


def test_logistic_group_penalties_match_finite_differences(cancer):
    X, y, Xv, yv = cancer
    columns = {"C_mean": np.arange(10), "C_se": np.arange(10, 20), "C_worst": np.arange(20, 30)}
    C = {"C_mean": 0.5, "C_se": 2.0, "C_worst": 0.1}

    def fit(C):  # a group's C by rescaling its columns, as the logistic family does
        scale = np.ones(X.shape[1])
        for name, cols in columns.items():
            scale[cols] = np.sqrt(C[name])
        m = _logistic_fit(X * scale, y)
        return m, scale

    m, scale = fit(C)
    exact = hypergradient.logistic(X, y, m.coef_[0] * scale, m.intercept_[0], Xv, yv, C, columns)
    for name in C:

        def loss(value, name=name):
            m, scale = fit({**C, name: value})
            return log_loss(yv, m.predict_proba(Xv * scale)[:, 1])

        _close(exact[name], _central(loss, C[name]))


def test_logistic_family_hypergradient_with_groups_matches_finite_differences(loans):
    schema = Schema.learn(loans, ["income", "debt_ratio", "purpose"])[0].fit_levels(loans)[0]
    X = schema.encode(loans)[0]
    y = (loans["status"] == "bad").to_numpy().astype(int)
    train, valid = np.arange(250), np.arange(250, len(y))
    family = FAMILIES["logistic"]
    params = {**family.exact_fit, "C": 0.3, "C_debt": 0.05, "C_categorical": 2.0}
    params["penalty_groups"] = {"debt": ["debt_ratio"]}

    def fitted(params):
        return family.fit(params, X.iloc[train], y[train], None, None, Fit(0)).estimator

    model = fitted(params)
    exact = family.hypergradient(model, X.iloc[train], y[train], X.iloc[valid], y[valid], params)
    assert set(exact) == {"C", "C_debt", "C_categorical"}
    for name in exact:

        def loss(value, name=name):
            m = fitted({**params, name: value})
            return log_loss(y[valid], m.predict_proba(X.iloc[valid])[:, 1])

        _close(exact[name], _central(loss, params[name]))


def test_ridge_hypergradient_matches_finite_differences(cancer):
    X, _, Xv, _ = cancer
    rng = np.random.default_rng(0)
    w = rng.normal(size=X.shape[1])
    y, yv = X @ w + rng.normal(size=len(X)) * 3, Xv @ w + rng.normal(size=len(Xv)) * 3

    def loss(alpha, scale=1.0):
        r = Ridge(alpha=alpha).fit(X * scale, y)
        return np.mean((yv - r.predict(Xv * scale)) ** 2)

    r = Ridge(alpha=20.0).fit(X, y)
    exact = hypergradient.ridge(X, y, r.coef_, r.intercept_, Xv, yv, {"alpha": 20.0})
    _close(exact["alpha"], _central(loss, 20.0))

    # two groups: alpha_g = 1 / scale_g² with the stock Ridge at alpha = 1
    columns = {"a": np.arange(15), "b": np.arange(15, 30)}
    alpha = {"a": 5.0, "b": 50.0}

    def scale(alpha):
        s = np.ones(X.shape[1])
        for name, cols in columns.items():
            s[cols] = 1 / np.sqrt(alpha[name])
        return s

    s = scale(alpha)
    r = Ridge(alpha=1.0).fit(X * s, y)
    exact = hypergradient.ridge(X, y, r.coef_ * s, r.intercept_, Xv, yv, alpha, columns)
    for name in alpha:
        _close(
            exact[name], _central(lambda a, n=name: loss(1.0, scale({**alpha, n: a})), alpha[name])
        )


# -- the sampler ---------------------------------------------------------------------

OPTIMUM = {"a": math.e, "b": math.exp(-2)}


def _quadratic(trial, with_gradient=True, sign=1.0):
    """A bowl in log space with its minimum 0 at OPTIMUM; optionally its exact gradient."""
    a = trial.suggest_float("a", 1e-4, 1e2, log=True)
    b = trial.suggest_float("b", 1e-3, 1e3, log=True)
    u, v = math.log(a) - 1, math.log(b) + 2
    if with_gradient:
        grad = {"a": (2 * u + v) / a, "b": (6 * v + u) / b}
        trial.set_user_attr("hypergradient", {k: sign * g for k, g in grad.items()})
    return sign * (u**2 + 3 * v**2 + u * v)


START = {"a": 1.0, "b": 1.0}  # value 11
SPACE = {"a": FloatDistribution(1e-4, 1e2, log=True), "b": FloatDistribution(1e-3, 1e3, log=True)}


@pytest.mark.parametrize("direction", ["minimize", "maximize"])
def test_sampler_descends_and_stops_early(direction):
    sign = 1.0 if direction == "minimize" else -1.0
    study = optuna.create_study(direction=direction, sampler=GradientSampler(START))
    study.optimize(lambda t: _quadratic(t, sign=sign), n_trials=50)
    values = [sign * t.value for t in study.trials]
    assert study.trials[0].params == START
    assert values[1] < values[0]  # the first step goes downhill
    assert sign * study.best_value < 1e-3
    assert len(study.trials) <= 15  # converged and stopped the study
    assert {mode(t) for t in study.trials[1:]} == {"hypergradient"}
    assert "stop" in study.trials[-1].system_attrs[ATTR]


def test_spsa_improves_without_gradients():
    study = optuna.create_study(sampler=GradientSampler(START, seed=1))
    study.optimize(lambda t: _quadratic(t, with_gradient=False), n_trials=40)
    assert study.trials[0].value == pytest.approx(11.0)
    assert study.best_value < 1.0
    modes = {mode(t) for t in study.trials[1:]}
    assert modes == {"spsa"}
    roles = [_role(t) for t in study.trials[1:7]]
    assert roles == ["spsa+", "spsa-", "step"] * 2


def _role(trial):
    return trial.system_attrs.get(ATTR, {}).get("role", "")


def _journal(path):
    return JournalStorage(JournalFileBackend(str(path)))


def test_resumed_study_continues_from_stored_state(tmp_path):
    def run(storage, n_trials):
        study = optuna.create_study(
            storage=storage, study_name="s", load_if_exists=True, sampler=GradientSampler(START)
        )
        study.optimize(_quadratic, n_trials=n_trials)
        return study

    first = run(_journal(tmp_path / "a.journal"), 2)
    best_before = first.best_value
    resumed = run(_journal(tmp_path / "a.journal"), 20)  # a new sampler object
    later = resumed.trials[2:]
    assert later and all(_role(t) == "step" for t in later)  # no second start
    assert later[0].system_attrs[ATTR]["from"] in (0, 1)  # steps from the stored best
    assert resumed.best_value < best_before
    # the same trials as one uninterrupted run: the state lives in storage
    straight = run(_journal(tmp_path / "b.journal"), 20)
    assert [t.params for t in straight.trials] == [t.params for t in resumed.trials]


@pytest.mark.parametrize("with_gradient", [True, False])
def test_two_workers_share_a_study_without_repeating_a_role(tmp_path, with_gradient):
    path = tmp_path / "shared.journal"
    optuna.create_study(storage=_journal(path), study_name="s")

    def objective(trial):
        value = _quadratic(trial, with_gradient)
        time.sleep(0.02)  # long enough for the workers to overlap
        return value

    def worker():
        sampler = GradientSampler(START, search_space=SPACE, seed=2)
        study = optuna.load_study(study_name="s", storage=_journal(path), sampler=sampler)
        study.optimize(objective, n_trials=8)

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    trials = optuna.load_study(study_name="s", storage=_journal(path)).trials
    assert len(trials) >= 6
    points = [tuple(t.params.values()) for t in trials]
    assert len(set(points)) == len(points)
    roles = [
        (_role(t), t.system_attrs[ATTR].get("pair")) for t in trials if _role(t).startswith("spsa")
    ]
    assert len(set(roles)) == len(roles)


MIXED = Space(
    (
        Param("a", 1e-4, 1e2, log=True, start=1.0),
        Param("b", 1e-3, 1e3, log=True, start=1.0),
        Param("k", 1, 9, integer=True, start=5),
        Param("kind", choices=("x", "y"), start="x"),
    )
)


def _mixed(trial):
    p = MIXED.suggest(trial)
    return _quadratic(trial) + (p["k"] - 3) ** 2 + (p["kind"] == "y")


def test_bayes_then_gradient_freezes_the_discrete_params_of_the_best(monkeypatch):
    monkeypatch.setattr(strategies, "WARMUP_TRIALS", 8)
    study = optuna.create_study(sampler=strategies.make_sampler("bayes+gradient", MIXED, seed=0))
    study.optimize(_mixed, n_trials=20)
    warm, refine = study.trials[:8], study.trials[8:]
    assert all(ATTR not in t.system_attrs for t in warm)
    incumbent = min(warm, key=lambda t: t.value)
    assert refine and {mode(t) for t in refine} == {"hypergradient"}
    for t in refine:
        assert (t.params["k"], t.params["kind"]) == (
            incumbent.params["k"],
            incumbent.params["kind"],
        )
    assert study.best_value < incumbent.value


def test_many_penalties_on_few_rows_warn():
    space = Space(tuple(Param(f"C_{i}", 1e-3, 1e2, log=True, start=1.0) for i in range(8)))
    assert overfitting_findings(space, valid_rows=200) == []
    (finding,) = overfitting_findings(space, valid_rows=60)
    assert finding.severity == "warning" and "8 continuous" in finding.message


# -- end to end ----------------------------------------------------------------------


@pytest.mark.parametrize("strategy", ["gradient", "bayes+gradient"])
def test_tune_with_gradient_uses_logistic_log_loss_and_hypergradients(
    strategy, tmp_path, monkeypatch
):
    monkeypatch.setattr(strategies, "WARMUP_TRIALS", 4)
    result = tuneplate.tune(
        "credit-risk", strategy=strategy, n_trials=8, storage="journal", run_dir=tmp_path
    )
    assert result.model_family == "logistic"
    assert (result.metric.name, result.metric.direction) == ("log_loss", "minimize")
    assert result.best_params["solver"] == "newton-cholesky"
    assert 0.3 < result.holdout < 0.7  # the hold-out log-loss
    assert "hypergradient" in set(result.trials["gradient"].dropna())
    study = optuna.load_study(
        study_name="credit-risk-logistic", storage=_journal(tmp_path / JOURNAL_FILE)
    )
    done = [t for t in study.trials if t.state == optuna.trial.TrialState.COMPLETE]
    assert all(set(t.user_attrs["hypergradient"]) == {"C"} for t in done)
