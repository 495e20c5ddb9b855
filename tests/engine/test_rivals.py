"""The strong rivals (EASE, item-kNN, ALS): closed forms against direct and hand-computed
values, own items never shown, and settings chosen on the validation period only."""

from dataclasses import replace
from math import sqrt

import numpy as np
import pandas as pd
import pytest
from scipy import sparse

from tuneplate.engine.tasks.ranking import candidates as cands
from tuneplate.engine.tasks.ranking import rivals as rv
from tuneplate.engine.tasks.ranking.interactions import resolve, to_log
from tuneplate.engine.tasks.ranking.windows import time_windows
from tuneplate.verticals.recommendation import data as shop

# users x items a, b, c, d; no ties among any item's nearest neighbours
TOY = np.array(
    [
        [1, 1, 1, 1],
        [0, 0, 1, 0],
        [1, 1, 1, 0],
        [0, 0, 1, 0],
        [0, 1, 1, 0],
    ],
    dtype=float,
)


def test_ease_is_a_ridge_regression_of_each_item_on_the_others():
    X = (np.random.default_rng(0).random((12, 6)) < 0.4).astype(float)
    l2 = 3.0
    B = rv.ease_weights(sparse.csr_matrix(X), l2)
    assert np.all(np.diag(B) == 0)
    direct = np.zeros_like(B)
    for j in range(X.shape[1]):
        others = np.delete(np.arange(X.shape[1]), j)
        A = X[:, others]
        direct[others, j] = np.linalg.solve(A.T @ A + l2 * np.eye(len(others)), A.T @ X[:, j])
    np.testing.assert_allclose(B, direct, rtol=0, atol=1e-9)
    np.testing.assert_allclose(X @ B, X @ direct, rtol=0, atol=1e-9)


def test_item_knn_keeps_each_items_nearest_cosine_neighbours():
    # norms: a √2, b √3, c √5, d 1; dot products ab 2, ac 2, ad 1, bc 3, bd 1, cd 1
    (W,) = rv.knn_weights(sparse.csr_matrix(TOY), [(1, 0.0)])
    expected = np.zeros((4, 4))
    expected[1, 0] = 2 / sqrt(6)  # a's nearest: b (0.816 > d 0.707 > c 0.632)
    expected[0, 1] = 2 / sqrt(6)  # b's nearest: a (0.816 > c 0.775)
    expected[1, 2] = 3 / sqrt(15)  # c's nearest: b
    expected[0, 3] = 1 / sqrt(2)  # d's nearest: a
    np.testing.assert_allclose(W.toarray(), expected, atol=1e-12)
    # the last user has b and c: a gets sim(b, a), c gets sim(b, c), b and d nothing
    scores = (sparse.csr_matrix(TOY[[4]]) @ W).toarray()[0]
    np.testing.assert_allclose(scores, [2 / sqrt(6), 0, 3 / sqrt(15), 0], atol=1e-12)


def test_item_knn_shrink_favours_neighbours_seen_together_more_often():
    # shrink 1: similarity = dot / (norm_i norm_j + 1); b's nearest becomes c (3 shared
    # users) over a (2 shared users), whose plain cosine was higher
    W1, W2 = rv.knn_weights(sparse.csr_matrix(TOY), [(1, 1.0), (2, 1.0)])
    ab, ac, ad = 2 / (sqrt(6) + 1), 2 / (sqrt(10) + 1), 1 / (sqrt(2) + 1)
    bc, bd = 3 / (sqrt(15) + 1), 1 / (sqrt(3) + 1)
    expected1 = np.zeros((4, 4))
    expected1[1, 0], expected1[2, 1], expected1[1, 2], expected1[0, 3] = ab, bc, bc, ad
    np.testing.assert_allclose(W1.toarray(), expected1, atol=1e-12)
    expected2 = np.array(
        [
            [0, ab, ac, ad],
            [ab, 0, bc, bd],
            [ac, bc, 0, 0],
            [0, 0, 0, 0],
        ]
    )
    np.testing.assert_allclose(W2.toarray(), expected2, atol=1e-12)


def test_top_items_break_ties_by_popularity_and_pad_unscorable_slots():
    scores = np.array([[0.1, 0.5, 0.5, -np.inf], [-np.inf, -np.inf, 0.2, -np.inf]])
    tiebreak = np.array([0, 2, 1, 3])
    np.testing.assert_array_equal(rv.top_items(scores, tiebreak, 3), [[2, 1, 0], [2, -1, -1]])
    # a tie at the k-th place wider than the columns first kept is still ordered in full
    wide = np.zeros((1, 40))
    wide[0, 0] = 1.0
    order = np.arange(40)[::-1]
    np.testing.assert_array_equal(rv.top_items(wide, order, 2), [[0, 39]])


@pytest.fixture(scope="module")
def small():
    events, _ = shop.generate(seed=3, customers=80, products=40)
    log = to_log(events, resolve(events, None, user="customer_id", item="product_id"))
    windows = time_windows(log)
    recent = cands.recent_span(log)
    v = cands.build(windows.validation, None, False, recent)
    h = cands.build(windows.holdout, None, False, recent)
    return windows, pd.unique(v.users), pd.unique(h.users), h


def test_relevant_items_are_the_candidates_own(small):
    windows, _, h_users, h = small
    p = rv.period(windows.holdout, h_users, repeats=False)
    q, _ = h.queries(None)
    found = pd.Series(q.label).groupby(pd.factorize(q.users)[0]).sum().to_numpy()
    np.testing.assert_array_equal(p.total, found + q.missed.to_numpy())


@pytest.mark.parametrize("name", list(rv.MODELS))
def test_rivals_never_recommend_a_users_own_items(small, name):
    windows, _, h_users, _ = small
    p = rv.period(windows.holdout, h_users, repeats=False)
    params, score = next(iter(rv.MODELS[name](p.history, 0)))
    top = rv.lists(p, score, 10)
    own = p.history[p.rows].toarray() > 0
    shown = np.zeros_like(own)
    r, c = np.nonzero(top >= 0)
    shown[r, top[r, c]] = True
    assert shown.any() and not (shown & own).any()


def test_settings_are_chosen_on_the_validation_period_never_the_hold_out(small):
    windows, v_users, h_users, _ = small
    validation = rv.period(windows.validation, v_users, False)
    first = rv.tune("ease", validation, rv.period(windows.holdout, h_users, False), 10, 0)
    # every hold-out label moved to another item: the hold-out scores change, the choice not
    labels = windows.holdout.labels
    items = labels["item"].unique()
    moved = labels.assign(item=labels["item"].map(dict(zip(items, np.roll(items, 1), strict=True))))
    altered = replace(windows.holdout, labels=moved)
    second = rv.tune("ease", validation, rv.period(altered, h_users, False), 10, 0)
    assert first.params == second.params and first.validation == second.validation
    assert not first.table["ndcg"].equals(second.table["ndcg"])


def test_ease_is_skipped_with_the_reason_above_the_catalogue_limit(small, monkeypatch):
    windows, v_users, h_users, _ = small
    monkeypatch.setattr(rv, "EASE_MAX_ITEMS", 5)
    rival = rv.tune(
        "ease",
        rv.period(windows.validation, v_users, False),
        rv.period(windows.holdout, h_users, False),
        10,
        0,
    )
    assert rival.table is None and "above 5" in rival.record()["skipped"]


def test_als_with_a_fixed_seed_repeats_exactly():
    X = sparse.csr_matrix((np.random.default_rng(1).random((30, 20)) < 0.2).astype(float))
    U1, V1 = rv.als_factors(X, 8, 0.1, 10.0, seed=4)
    U2, V2 = rv.als_factors(X, 8, 0.1, 10.0, seed=4)
    U3, _ = rv.als_factors(X, 8, 0.1, 10.0, seed=5)
    np.testing.assert_array_equal(U1, U2)
    np.testing.assert_array_equal(V1, V2)
    assert not np.array_equal(U1, U3)
