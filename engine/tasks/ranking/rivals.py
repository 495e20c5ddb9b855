"""Strong simple recommenders beside the tuned ranker: EASE, item-kNN and ALS.

The popularity lists and co-occurrence are weak rivals; the literature's strong simple
models are tuned item-kNN and EASE, which beat many published neural recommenders
(Ferrari Dacrema, Cremonesi & Jannach, "Are We Really Making Much Progress?", RecSys
2019; Steck, "Embarrassingly Shallow Autoencoders for Sparse Data", WWW 2019), and
matrix factorisation for implicit feedback (Hu, Koren & Volinsky, "Collaborative
Filtering for Implicit Feedback Datasets", ICDM 2008), which many shops already run.

Each rival scores every (user, item) of the catalogue (the items with an event before
the period) from the binary user × item matrix of all earlier events, tunes its few
hyperparameters by a small grid on the validation period's NDCG@k (never the hold-out),
is refitted on everything before the hold-out period and scored there on the same users,
with the same metrics, as the ranker and the other baselines. Items a user already has
are never recommended, unless people in this log buy again (as the candidate generator).

EASE's and item-kNN's settings are chosen before the search (`candidate_sources`), since
both are also candidate sources of the ranker (candidates.py recomputes them, from
item_models.py, before every period); ALS is a rival only, as scoring it would need
`implicit` and its BLAS-dependent factors in an exported project.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import sparse

from tuneplate.engine.tasks.ranking import metrics as rk
from tuneplate.engine.tasks.ranking.beyond import lists_of

# EASE's and item-kNN's weights live in item_models.py, which `tuneplate export` copies:
# the candidate stage recomputes them, with the settings chosen here, as candidate sources.
from tuneplate.engine.tasks.ranking.item_models import (  # noqa: F401 (re-exported)
    BLOCK_CELLS,
    EASE_MAX_ITEMS,
    Sources,
    ease_skipped,
    ease_weights,
    knn_weights,
)
from tuneplate.engine.tasks.ranking.windows import Window, Windows, evaluable_users

# RecBole's default reg_weight is 250; Steck (2019) tuned lambda from 100s to 1000s.
EASE_GRID = {"l2": (10.0, 100.0, 250.0, 500.0, 1000.0, 3000.0)}
# Ferrari Dacrema et al. (2019) search k in 5-1000 and shrink in 0-1000; a small grid.
KNN_GRID = {"neighbours": (20, 50, 100, 200, 500), "shrink": (0.0, 10.0, 100.0, 500.0)}
# implicit's confidence of an observed pair is alpha (1 for the others); Hu et al. used 40.
ALS_GRID = {
    "factors": (16, 32, 64, 128),
    "regularization": (0.01, 0.1, 1.0),
    "alpha": (10.0, 40.0),
}
ALS_ITERATIONS = 15  # implicit's default
# implicit's default precision. Its float32 sums run on the machine's BLAS kernels, so the
# same seed can give slightly different factors on another CPU (the golden report test
# sets float64, whose page must not depend on the machine).
ALS_DTYPE = np.float32

LABELS = {"ease": "EASE", "item_knn": "item-kNN", "als": "ALS"}


@dataclass(frozen=True)
class Period:
    """One period as the rivals see it: earlier events as a matrix, and what to predict.

    Args:
        catalogue: the items with an event before the period (the matrix's columns).
        history: binary user x item matrix of every earlier event (float64, csr).
        rows: each evaluated user's row in `history`.
        users: the evaluated users, in the candidates' order.
        relevant: binary users x catalogue matrix of each user's relevant items.
        total: relevant items per user, those outside the catalogue included.
        blocked: users x catalogue, the items a user may not be shown (their own),
            or None when repeats are recommended.
        tiebreak: each item's popularity rank (0 = most events): breaks equal scores.
    """

    catalogue: pd.Index
    history: sparse.csr_matrix
    rows: np.ndarray
    users: np.ndarray
    relevant: sparse.csr_matrix
    total: np.ndarray
    blocked: sparse.csr_matrix | None
    tiebreak: np.ndarray


def period(window: Window, users: np.ndarray, repeats: bool) -> Period:
    """The rivals' view of `window` for `users` (each with earlier events).

    Relevance follows the candidate generator: positive events in the window, without
    the user's own earlier items unless `repeats`. Example:
        >>> p = period(windows.holdout, pd.unique(holdout.users), repeats=False)
        >>> p.history.shape  # (users with history, catalogue)
        (943, 1650)
    """
    hist = window.history
    catalogue = pd.Index(hist["item"].unique())
    hist_users = pd.Index(hist["user"].unique())
    counts = sparse.csr_matrix(
        (
            np.ones(len(hist)),
            (hist_users.get_indexer(hist["user"]), catalogue.get_indexer(hist["item"])),
        ),
        shape=(len(hist_users), len(catalogue)),
    )
    counts.sum_duplicates()
    history = (counts > 0).astype(np.float64).tocsr()
    rows = hist_users.get_indexer(users)
    u_index = pd.Index(users)
    labels = window.labels[window.labels["user"].isin(u_index)][["user", "item"]]
    if not repeats:
        seen = hist[["user", "item"]].drop_duplicates()
        labels = labels.merge(seen, how="left", indicator=True)
        labels = labels[labels["_merge"] == "left_only"][["user", "item"]]
    labels = labels.drop_duplicates()
    total = labels.groupby("user").size().reindex(u_index, fill_value=0).to_numpy()
    col = catalogue.get_indexer(labels["item"])
    inside = col >= 0
    relevant = sparse.csr_matrix(
        (np.ones(int(inside.sum())), (u_index.get_indexer(labels["user"])[inside], col[inside])),
        shape=(len(users), len(catalogue)),
    )
    popularity = np.asarray(counts.sum(axis=0)).ravel()
    order = np.lexsort((np.arange(len(catalogue)), -popularity))
    tiebreak = np.empty(len(catalogue), dtype=np.int64)
    tiebreak[order] = np.arange(len(catalogue))
    blocked = None if repeats else history[rows]
    return Period(catalogue, history, rows, users, relevant, total, blocked, tiebreak)


# -- the three models: each fits on a history matrix and scores rows of it -----------------

Scorer = Callable[[np.ndarray], np.ndarray]  # history rows -> dense scores (rows x items)


def als_factors(X: sparse.spmatrix, factors: int, regularization: float, alpha: float, seed: int):
    """User and item factors of implicit-feedback ALS (Hu, Koren & Volinsky, ICDM 2008),
    from the `implicit` library, one thread and a fixed seed so a run repeats exactly.

    implicit's confidence of an observed pair is `alpha` (unobserved pairs 1); scores
    are user factors · item factors. Returns (users x factors, items x factors).

    Example:
        >>> U, V = als_factors(history, 64, 0.1, 40.0, seed=0)
    """
    from implicit.als import AlternatingLeastSquares
    from threadpoolctl import threadpool_limits

    # implicit asks for single-threaded BLAS (a BLAS thread pool slows it down many
    # times); it warns otherwise.
    with threadpool_limits(1, "blas"):
        model = AlternatingLeastSquares(
            factors=int(factors),
            regularization=float(regularization),
            alpha=float(alpha),
            iterations=ALS_ITERATIONS,
            use_gpu=False,
            num_threads=1,
            random_state=int(seed),
            dtype=ALS_DTYPE,
        )
        model.fit(sparse.csr_matrix(X, dtype=np.float32), show_progress=False)
    return np.asarray(model.user_factors), np.asarray(model.item_factors)


def _ease(X, seed) -> Iterable[tuple[dict, Scorer]]:
    for l2 in EASE_GRID["l2"]:
        B = ease_weights(X, l2)
        yield {"l2": l2}, lambda rows, B=B: np.asarray(X[rows] @ B)


def _knn(X, seed) -> Iterable[tuple[dict, Scorer]]:
    grid = list(itertools.product(KNN_GRID["neighbours"], KNN_GRID["shrink"]))
    for (neighbours, shrink), W in zip(grid, knn_weights(X, grid), strict=True):
        params = {"neighbours": neighbours, "shrink": shrink}
        yield params, lambda rows, W=W: (X[rows] @ W).toarray()


def _als(X, seed) -> Iterable[tuple[dict, Scorer]]:
    for factors, reg, alpha in itertools.product(*ALS_GRID.values()):
        U, V = als_factors(X, factors, reg, alpha, seed)
        params = {"factors": factors, "regularization": reg, "alpha": alpha}
        yield params, lambda rows, U=U, V=V: (U[rows] @ V.T).astype(np.float64)


MODELS: dict[str, Callable[[sparse.csr_matrix, int], Iterable[tuple[dict, Scorer]]]] = {
    "ease": _ease,
    "item_knn": _knn,
    "als": _als,
}


# -- lists and scores -------------------------------------------------------------------------


def top_items(scores: np.ndarray, tiebreak: np.ndarray, k: int) -> np.ndarray:
    """Per row, the columns of the k highest finite scores, equal scores ordered by
    `tiebreak` (lower first); -1 pads a row with fewer than k finite scores.

    Example:
        >>> top_items(np.array([[0.1, 0.5, 0.5, -np.inf]]), np.array([0, 2, 1, 3]), 3)
        array([[2, 1, 0]])
    """
    n_rows, n = scores.shape
    k = min(k, n)
    m = min(n, 4 * k)  # a few more than k, so ties at the k-th place are usually all kept
    if m < n:
        part = np.argpartition(-scores, m - 1, axis=1)[:, :m]
    else:
        part = np.broadcast_to(np.arange(n), (n_rows, n)).copy()
    kept = np.take_along_axis(scores, part, axis=1)
    order = np.lexsort((tiebreak[part], -kept), axis=1)[:, :k]
    top = np.take_along_axis(part, order, axis=1)
    if m < n:
        # a tie at the k-th place may run past the m kept columns: sort those rows in full
        kth = np.take_along_axis(scores, top[:, -1:], axis=1)[:, 0]
        for i in np.flatnonzero(kept.min(axis=1) >= kth):
            top[i] = np.lexsort((tiebreak, -scores[i]))[:k]
    finite = np.isfinite(np.take_along_axis(scores, top, axis=1))
    return np.where(finite, top, -1)


def lists(p: Period, score: Scorer, k: int) -> np.ndarray:
    """Each evaluated user's top k catalogue columns (users x k, -1 pads), own items
    excluded unless repeats are recommended."""
    out = np.full((len(p.users), k), -1, dtype=np.int64)
    chunk = max(1, BLOCK_CELLS // max(len(p.catalogue), 1))
    for lo in range(0, len(p.users), chunk):
        hi = min(len(p.users), lo + chunk)
        s = np.array(score(p.rows[lo:hi]), dtype=np.float64)
        if p.blocked is not None:
            r, c = p.blocked[lo:hi].nonzero()
            s[r, c] = -np.inf
        top = top_items(s, p.tiebreak, k)
        out[lo:hi, : top.shape[1]] = top
    return out


def per_user(
    p: Period, top: np.ndarray, k: int, price: np.ndarray | None = None
) -> tuple[pd.DataFrame, float]:
    """Every metric per user (as `metrics.per_user`, plus hits and, with `price` per
    catalogue item, revenue) for the lists `top`, and the catalogue coverage.

    Users with no list score 0. Example:
        >>> table, coverage = per_user(p, lists(p, scorer, 10), 10)
    """
    slots = top >= 0
    n_slots = slots.sum(axis=1)
    label = np.zeros(top.shape)
    if p.relevant.nnz:
        r, c = np.nonzero(slots)
        label[r, c] = np.asarray(p.relevant[r, top[r, c]]).ravel()
    found = label.sum(axis=1)
    listed = n_slots > 0
    queries = rk.Queries(
        np.repeat(p.users[listed], n_slots[listed]).astype(object),
        label[slots].astype(int),
        pd.Series((p.total - found)[listed].astype(int)),
    )
    rank_score = np.broadcast_to(np.arange(top.shape[1], 0, -1), top.shape)[slots].astype(float)
    columns = ["ndcg", "precision", "recall", "map", "hit_rate"]
    if listed.any():
        table = rk.per_user(queries, rank_score, k)
        items = top[slots]
        coverage = rk.coverage(queries, items, rank_score, k, len(p.catalogue))
    else:
        table, coverage = pd.DataFrame(columns=columns, dtype=float), 0.0
    table = table.reindex(pd.Index(p.users), fill_value=0.0)
    table["hits"] = found
    if price is not None:
        shown = np.where(slots, np.nan_to_num(price)[np.maximum(top, 0)], 0.0)
        table["revenue"] = (shown * label).sum(axis=1)
    return table, float(coverage)


# -- tuning on the validation period, scoring on the hold-out ------------------------------


@dataclass
class Rival:
    """One rival's run: its chosen settings and validation NDCG@k, then its hold-out
    per-user table and coverage; `note` says why it was skipped (then no table)."""

    name: str
    params: dict[str, Any] = field(default_factory=dict)
    validation: float = float("nan")
    tried: int = 0
    table: pd.DataFrame | None = None
    coverage: float = float("nan")
    note: str = ""
    shown: np.ndarray | None = None  # hold-out users x k item ids (None pads): the lists

    @property
    def label(self) -> str:
        return LABELS[self.name]

    def record(self) -> dict[str, Any]:
        """The saved form (results.json's data["rivals"])."""
        if self.table is None:
            return {"label": self.label, "skipped": self.note}
        return {
            "label": self.label,
            "params": dict(self.params),
            "validation_ndcg": float(self.validation),
            "settings_tried": self.tried,
        }


def skipped(name: str, n_items: int) -> str:
    """Why a rival cannot run on this log, or "" when it can."""
    if name == "ease":
        return ease_skipped(n_items, EASE_MAX_ITEMS)
    if name == "als":
        try:
            import implicit.als  # noqa: F401
        except ImportError:
            return "ALS was skipped: the `implicit` library is not installed (pip install implicit)"
    return ""


def choose(name: str, validation: Period, k: int, seed: int, n_items: int = 0) -> Rival:
    """Pick `name`'s settings by NDCG@k on the validation period alone (no table yet).

    `n_items` is the largest catalogue the rival will meet (the hold-out's history), for
    the skip rule; the validation catalogue when smaller. Example:
        >>> choose("ease", period(w.validation, v_users, False), k=10, seed=0).params
        {'l2': 500.0}
    """
    note = skipped(name, max(len(validation.catalogue), n_items))
    if note:
        return Rival(name, note=note)
    best, best_score, tried = None, -np.inf, 0
    for params, score in MODELS[name](validation.history, seed):
        table, _ = per_user(validation, lists(validation, score, k), k)
        value = float(table["ndcg"].mean())
        tried += 1
        if value > best_score:  # the first of equal settings (the grid's simplest) stays
            best, best_score = params, value
    if best is None:  # no validation user with an item to predict: every score was NaN
        return Rival(name, note="no validation user had an item to predict to choose on")
    return Rival(name, best, best_score, tried)


def tune(
    name: str,
    validation: Period,
    holdout: Period,
    k: int,
    seed: int,
    price=None,
    chosen: Rival | None = None,
) -> Rival:
    """Pick `name`'s settings by validation NDCG@k, refit before the hold-out, score it.

    `chosen` is `choose`'s result when the settings were already picked (the candidate
    sources are chosen before the search): it is reused, not recomputed. Example:
        >>> tune("ease", period(w.validation, v_users, False), period(w.holdout, h_users,
        ...      False), k=10, seed=0).params
        {'l2': 500.0}
    """
    if chosen is None:
        chosen = choose(name, validation, k, seed, len(holdout.catalogue))
    if chosen.note:
        return chosen
    best, best_score, tried = chosen.params, chosen.validation, chosen.tried
    fit = _refit(name, holdout.history, best, seed)
    prices = None if price is None else price.reindex(holdout.catalogue).to_numpy(float)
    top = lists(holdout, fit, k)
    table, coverage = per_user(holdout, top, k, prices)
    shown = lists_of(holdout.catalogue.to_numpy(), top)
    return Rival(name, best, best_score, tried, table, coverage, shown=shown)


def _refit(name: str, X: sparse.csr_matrix, params: dict, seed: int) -> Scorer:
    if name == "ease":
        B = ease_weights(X, params["l2"])
        return lambda rows: np.asarray(X[rows] @ B)
    if name == "item_knn":
        (W,) = knn_weights(X, [(params["neighbours"], params["shrink"])])
        return lambda rows: (X[rows] @ W).toarray()
    U, V = als_factors(X, params["factors"], params["regularization"], params["alpha"], seed)
    return lambda rows: (U[rows] @ V.T).astype(np.float64)


def compare(
    windows: Windows,
    validation_users: np.ndarray,
    holdout_users: np.ndarray,
    k: int,
    repeats: bool,
    seed: int,
    price: pd.Series | None = None,
    chosen: Mapping[str, Rival] | None = None,
) -> dict[str, Rival]:
    """Every rival, tuned on the validation period and scored on the hold-out users.

    `price` is an optional item price (indexed by item id) for the revenue column;
    `chosen` holds settings already picked by `candidate_sources` (reused as they are).
    Example:
        >>> rivals = compare(windows, v_users, h_users, k=10, repeats=False, seed=0)
        >>> rivals["ease"].table["ndcg"].mean()
        0.31
    """
    validation = period(windows.validation, validation_users, repeats)
    holdout = period(windows.holdout, holdout_users, repeats)
    chosen = chosen or {}
    return {
        name: tune(name, validation, holdout, k, seed, price, chosen.get(name)) for name in MODELS
    }


# The rivals that are also candidate sources: EASE and item-kNN, recomputed from the log
# with their chosen settings by the candidate stage (and an exported score.py). ALS is
# not: its factors need `implicit` and its BLAS at scoring time (item_models.py).
SOURCES = ("ease", "item_knn")


def candidate_sources(windows: Windows, k: int, repeats: bool, seed: int) -> dict[str, Rival]:
    """EASE's and item-kNN's settings, chosen on the validation period before the search,
    so every period's candidates can use them (`sources_of`); `compare` reuses them.

    The validation users are those the candidates evaluate: earlier events and a relevant
    item. The skip rule sees the hold-out's catalogue, as `tune` does. Example:
        >>> candidate_sources(windows, 10, False, 0)["item_knn"].params
        {'neighbours': 200, 'shrink': 500.0}
    """
    users = evaluable_users(windows.validation)
    validation = period(windows.validation, users, repeats)
    validation = period(windows.validation, users[validation.total > 0], repeats)
    n_items = windows.holdout.history["item"].nunique()
    return {name: choose(name, validation, k, seed, n_items) for name in SOURCES}


def sources_of(chosen: Mapping[str, Rival]) -> Sources:
    """The candidate stage's settings from `candidate_sources`: a skipped rival is left out.

    Example:
        >>> sources_of(candidate_sources(windows, 10, False, 0)).ease_l2
        1000.0
    """
    ease, knn = chosen.get("ease"), chosen.get("item_knn")
    ease_ok = ease is not None and not ease.note
    knn_ok = knn is not None and not knn.note
    return Sources(
        ease_l2=float(ease.params["l2"]) if ease_ok else None,
        knn_neighbours=int(knn.params["neighbours"]) if knn_ok else None,
        knn_shrink=float(knn.params["shrink"]) if knn_ok else 0.0,
    )
