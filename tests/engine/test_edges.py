"""Band edges pin no row (the product rule: aggregates only, never one row's value).

A tester's ISLR Default run saved a balance edge 1470.335, halfway between two hold-out
applicants at 1,470.33 and 1,470.34, and printed "above 1,470.34"; income edges equal to
one applicant's income; date edges to the day. Every edge a run saves (the profile's PSI
bands, which the export copies) or prints (the drivers tables) now lies on a coarse grid
(`contract.edges.coarse_edges`), and the bands still catch a shifted batch.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tuneplate.engine.contract.edges import coarse_edges, nice_step
from tuneplate.engine.contract.profile import PSI_MAJOR, PSI_WATCH, Profile
from tuneplate.engine.contract.schema import Schema
from tuneplate.engine.families.models import FAMILIES, Fit, Model
from tuneplate.engine.tasks.binary.drivers import drivers
from tuneplate.reports import drivers as report

N = 2000
EPOCH = pd.Timestamp("1970-01-01")


def _table(n: int = N, seed: int = 0, shift: float = 1.0) -> pd.DataFrame:
    """Amounts with cents (never .00, and no two neighbours' midpoint a whole amount:
    cents 1–49), application times to the second over two years, an outcome."""
    rng = np.random.default_rng(seed)
    dollars = np.floor(rng.lognormal(7, 0.6, n) * shift)
    amount = dollars + rng.integers(1, 50, n) / 100
    seconds = rng.integers(0, 730 * 86400, n)
    applied = pd.Timestamp("2022-01-01") + pd.to_timedelta(seconds, unit="s")
    day = pd.Timestamp("2022-01-01") + pd.to_timedelta(rng.integers(0, 730, n), unit="D")
    y = (rng.random(n) < 1 / (1 + np.exp(-(np.log(amount) - 7) * 2))).astype(int)
    return pd.DataFrame({"amount": amount, "applied": applied, "day": day, "y": y})


def _pinned(values) -> set[float]:
    """Each row's value and each midpoint of two sorted neighbouring values."""
    x = np.sort(np.asarray(values, dtype=float))
    return set(x) | set((x[:-1] + x[1:]) / 2)


def _days(column: pd.Series) -> np.ndarray:
    return ((column - EPOCH) / pd.Timedelta(days=1)).to_numpy(dtype=float)


@pytest.fixture(scope="module")
def run():
    """A LightGBM model of the table with its profile, as a run learns it."""
    table = _table()
    inputs = ["amount", "applied", "day"]
    schema, _ = Schema.learn(table[inputs], inputs)
    X, _ = schema.encode(table[inputs])
    y = table["y"].to_numpy()
    fitted = FAMILIES["lightgbm"].fit({"num_leaves": 7}, X, y, None, None, Fit(seed=0, n_rounds=50))
    p = fitted.estimator.predict_proba(X)[:, 1]
    profile = Profile.learn(schema, X, p, y)
    return Model("lightgbm", fitted.estimator, schema, "1", {}, profile=profile), X, table


def test_no_saved_edge_of_an_amount_with_cents_is_a_rows_value_or_a_midpoint(run):
    model, _, table = run
    edges = Profile.from_dict(model.profile.to_dict()).columns["amount"].edges
    assert len(edges) >= 8  # still about deciles
    assert not set(edges) & _pinned(table["amount"])
    assert all(float(e).is_integer() for e in edges)


def test_date_edges_are_a_months_first_day_never_a_rows_time(run):
    model, _, table = run
    for column in ("applied", "day"):
        edges = model.profile.columns[column].edges
        assert len(edges) >= 5, column
        dates = [EPOCH + pd.Timedelta(days=e) for e in edges]
        assert all(d.day == 1 and d == d.normalize() for d in dates), dates
    assert not set(model.profile.columns["applied"].edges) & _pinned(_days(table["applied"]))


def test_score_edges_are_no_rows_score(run):
    model, X, _ = run
    p = model.estimator.predict_proba(X)[:, 1]
    assert not set(model.profile.scores.edges) & _pinned(p)


def test_the_drivers_tables_print_no_rows_amount(run):
    model, X, table = run
    record = drivers(model, X)
    amount = next(e for e in record["inputs"] if e["name"] == "amount")["effects"]
    edges = {g[k] for g in amount for k in ("low", "high") if g.get(k) is not None}
    assert edges and not edges & _pinned(table["amount"])

    class Run:  # only `data` is read
        data = {"drivers": record}

    printed = " ".join(label for i in report.section(Run())["inputs"] for label, *_ in i["rows"])
    written = {f"{v:,.2f}" for v in table["amount"]} | {f"{v:.2f}" for v in table["amount"]}
    assert not {word.rstrip(",") for word in printed.split()} & written


def test_psi_still_flags_a_shifted_batch_and_not_a_fresh_one(run):
    model, _, _ = run
    schema, profile = model.schema, model.profile
    amount = next(f for f in schema.features if f.name == "amount")

    def csi(table: pd.DataFrame) -> float:
        X, _ = schema.encode(table[["amount", "applied", "day"]])
        return profile.psi(schema, X, np.full(len(X), 0.5))[amount.name]

    assert csi(_table(seed=1)) < PSI_WATCH
    assert csi(_table(seed=1, shift=1.5)) > PSI_MAJOR
    shares = profile.columns["amount"].shares[:-1]
    assert max(shares) < 0.13 and min(shares) > 0.07  # deciles, roughly


def test_a_profile_saved_before_keeps_its_midpoint_edges():
    saved = {
        "rows": 4,
        "events": 1,
        "scores": {"shares": [0.5, 0.5, 0.0], "edges": [0.25], "levels": []},
        "columns": {"amount": {"shares": [0.5, 0.5, 0.0], "edges": [1470.335], "levels": []}},
    }
    profile = Profile.from_dict(saved)
    assert profile.columns["amount"].edges == (1470.335,)
    assert profile.columns["amount"].shares_of(np.array([1470.33, 1470.34])) == (0.5, 0.5, 0.0)
    assert list(profile.to_dict()["columns"]["amount"]["edges"]) == [1470.335]


def test_coarse_edges_rules():
    assert nice_step(56.3) == 50 and nice_step(0.0037) == 0.002 and nice_step(1.0) == 1
    x = np.arange(0, 4.0).repeat(5)  # whole numbers: k + ½ is the same cut as k
    assert coarse_edges([0.5, 1.5, 2.5], x) == (0.0, 1.0, 2.0)
    assert coarse_edges([0.5, 1.5, 2.5], x, side="right") == (1.0, 2.0, 3.0)
    money = np.linspace(0, 2000, 2001) + 0.37
    assert coarse_edges([182.75, 380.635, 537.22], money) == (180.0, 380.0, 540.0)
    assert coarse_edges([0.00148, 0.00149, 0.00151], np.linspace(0, 0.01, 50)) == (
        0.00148,
        0.00149,
        0.00151,
    )  # a narrow score band keeps its resolution
    march = float((pd.Timestamp("2022-03-01") - EPOCH).days)
    assert coarse_edges([march + 10.5, march - 12.2], [], kind="datetime") == (march,)
    assert coarse_edges([], x) == ()
