"""Top-k ranking metrics per user, and bootstrap intervals over users.

A ranked list is scored against the user's relevant items in the evaluation
period, all of them: items the candidate generator missed still count in the
ideal ranking, so a generator's blind spots lower the score instead of hiding.
NDCG comes from scikit-learn (which averages over tied scores); the set metrics
are one line each and follow Microsoft Recommenders' definitions.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

METRIC_LABELS = {
    "ndcg": "NDCG@{k}",
    "precision": "precision@{k}",
    "recall": "recall@{k}",
    "map": "MAP@{k}",
    "hit_rate": "hit rate@{k}",
}


@dataclass(frozen=True)
class Queries:
    """Scored candidates grouped by user: rows of one user are contiguous.

    Args:
        users: the user of each row.
        label: 1 when the row's item is relevant in the evaluation period.
        missed: per user (in order of first appearance), relevant items that are
            not among the candidates.
    """

    users: np.ndarray
    label: np.ndarray
    missed: pd.Series

    @property
    def relevant(self) -> np.ndarray:
        """Relevant items per user, in order: the candidates' and those never proposed."""
        found = pd.Series(self.label).groupby(pd.factorize(self.users)[0]).sum().to_numpy()
        return found + self.missed.to_numpy()

    @property
    def sizes(self) -> np.ndarray:
        """Rows per user, in order: LightGBM's `group`."""
        _, first, counts = np.unique(self.users, return_index=True, return_counts=True)
        return counts[np.argsort(first)]

    @property
    def qid(self) -> np.ndarray:
        """A non-decreasing query id per row: XGBoost's `qid`."""
        return np.repeat(np.arange(len(self.sizes)), self.sizes)

    def sample(self, max_rows: int, seed: int) -> tuple[np.ndarray, Queries]:
        """Whole queries drawn at random (seeded) up to `max_rows` rows in all, in order.

        Returns the row mask and the sampled queries; all of them when they fit.

        Example:
            >>> rows, small = queries.sample(50_000, seed=0)
            >>> mean_ndcg(small, score[rows], k=10)
        """
        sizes = self.sizes
        if sizes.sum() <= max_rows:
            return np.ones(len(self.users), dtype=bool), self
        order = np.random.default_rng(seed).permutation(len(sizes))
        fits = int(np.searchsorted(np.cumsum(sizes[order]), max_rows, side="right"))
        take = np.sort(order[: max(1, fits)])
        rows = np.isin(self.qid, take)
        missed = self.missed.iloc[take].reset_index(drop=True)
        return rows, Queries(self.users[rows], self.label[rows], missed)


def _pad(queries: Queries, score: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(labels, scores, relevant): one row per user of the candidates' labels and scores,
    padded with non-relevant slots below every score, and each user's relevant items in
    all (the candidates' and those no source proposed)."""
    sizes = queries.sizes
    width = int(sizes.max())
    true = np.zeros((len(sizes), width))
    pred = np.full((len(sizes), width), -np.inf)
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    for i, (start, size) in enumerate(zip(starts, sizes, strict=True)):
        true[i, :size] = queries.label[start : start + size]
        pred[i, :size] = score[start : start + size]
    low = np.nanmin(np.where(np.isfinite(pred), pred, np.nan)) - 1.0
    pred[~np.isfinite(pred)] = low
    return true, pred, queries.relevant


def ndcg(queries: Queries, score: np.ndarray, k: int) -> np.ndarray:
    """NDCG@k per user (binary relevance, tied scores averaged).

    A relevant item no source proposed can never be shown: it earns no gain, whatever
    the list's length, and counts in the ideal (Järvelin & Kekäläinen, ACM TOIS 20(4),
    2002: the ideal ranks every relevant item first).

    Example:
        >>> q = Queries(np.array(["a", "a", "a"]), np.array([0, 1, 0]), pd.Series([0]))
        >>> ndcg(q, np.array([0.9, 0.5, 0.1]), k=2).round(3)
        array([0.631])
    """
    true, pred, relevant = _pad(queries, score)
    return _ndcg_rows(true, pred, k, relevant)


def _ndcg_rows(
    true: np.ndarray, pred: np.ndarray, k: int, relevant: np.ndarray | None = None
) -> np.ndarray:
    """NDCG@k of each row of (users × slots) matrices, as scikit-learn's `ndcg_score` with
    `ignore_ties=False` computes it (McSherry & Najork, ECIR 2008: a group of tied scores
    shares the mean gain over its positions), without its per-call input validation,
    which cost ~3 ms a user (most of a ranking run's evaluation). `relevant` (users,)
    counts each user's relevant items in all when some are not among the slots (the
    ideal DCG then ranks all of them); None: the slots hold them all.
    """
    width = true.shape[1]
    if relevant is None:
        relevant = true.sum(axis=1)
    span = max(width, k)
    discount = 1 / np.log2(np.arange(span) + 2)
    discount[k:] = 0
    cumulative = np.cumsum(discount)
    # ideal DCG: every relevant item first (ties cannot change it)
    count = np.minimum(np.asarray(relevant, dtype=int), k)
    ideal = np.where(count > 0, cumulative[np.maximum(count - 1, 0)], 0.0)
    cumulative = cumulative[:width]
    out = np.zeros(len(true))
    for i in np.flatnonzero(ideal > 0):
        _, inverse, counts = np.unique(-pred[i], return_inverse=True, return_counts=True)
        gains = np.bincount(inverse, weights=true[i], minlength=len(counts)) / counts
        ends = cumulative[np.cumsum(counts) - 1]
        out[i] = (gains * np.diff(ends, prepend=0.0)).sum() / ideal[i]
    return out


def top_k(queries: Queries, score: np.ndarray, k: int) -> np.ndarray:
    """Row positions of each user's top k, ties broken by row order (a k-column matrix, -1 pads)."""
    sizes = queries.sizes
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    out = np.full((len(sizes), k), -1)
    for i, (start, size) in enumerate(zip(starts, sizes, strict=True)):
        order = np.argsort(-score[start : start + size], kind="stable")[:k]
        out[i, : len(order)] = start + order
    return out


def per_user(queries: Queries, score: np.ndarray, k: int) -> pd.DataFrame:
    """Every metric per user: ndcg, precision, recall, map, hit_rate (one row per user).

    Recall divides by all the user's relevant items (so it reaches 1 only when all
    fit in the top k); MAP@k divides by min(k, relevant items).

    Example:
        >>> per_user(queries, model_scores, k=10).mean()
    """
    top = top_k(queries, score, k)
    hits = np.where(top >= 0, queries.label[np.maximum(top, 0)], 0)
    relevant = queries.relevant
    n_hits = hits.sum(axis=1)
    precision_at = np.cumsum(hits, axis=1) / np.arange(1, k + 1)
    ap = (precision_at * hits).sum(axis=1) / np.maximum(np.minimum(relevant, k), 1)
    return pd.DataFrame(
        {
            "ndcg": ndcg(queries, score, k),
            "precision": n_hits / k,
            "recall": n_hits / np.maximum(relevant, 1),
            "map": ap,
            "hit_rate": (n_hits > 0).astype(float),
        },
        index=pd.unique(queries.users),
    )


def mean_ndcg(queries: Queries, score: np.ndarray, k: int) -> float:
    """NDCG@k averaged over users: the search's objective."""
    return float(ndcg(queries, score, k).mean())


def coverage(queries: Queries, items: np.ndarray, score: np.ndarray, k: int, catalogue: int):
    """Share of the catalogue that appears in at least one user's top k."""
    top = top_k(queries, score, k)
    shown = np.unique(items[top[top >= 0]])
    return len(shown) / catalogue if catalogue else float("nan")


def interval(values: np.ndarray, seed: int, n: int = 1000, level: float = 0.95):
    """A percentile bootstrap interval over users for the mean of `values`.

    Example:
        >>> interval(np.array([0.1, 0.3, 0.2, 0.4]), seed=0)
        (0.15, 0.35)
    """
    if len(values) < 2 or np.ptp(values) == 0:
        mean = float(np.mean(values)) if len(values) else float("nan")
        return mean, mean
    from scipy.stats import bootstrap  # SciPy's statistics take seconds to import

    res = bootstrap(
        (values,),
        np.mean,
        n_resamples=n,
        confidence_level=level,
        method="percentile",
        rng=np.random.default_rng(seed),
    )
    return float(res.confidence_interval.low), float(res.confidence_interval.high)


def ratio_interval(a: np.ndarray, b: np.ndarray, seed: int, n: int = 1000, level: float = 0.95):
    """A paired bootstrap interval over users for mean(a) / mean(b).

    Example:
        >>> ratio_interval(model_ndcg, popularity_ndcg, seed=0)
        (1.02, 1.31)
    """

    def ratio(x, y, axis=-1):
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.mean(x, axis=axis) / np.mean(y, axis=axis)

    if len(a) < 2 or b.sum() == 0:
        return float("nan"), float("nan")
    from scipy.stats import bootstrap

    res = bootstrap(
        (a, b),
        ratio,
        paired=True,
        vectorized=True,
        n_resamples=n,
        confidence_level=level,
        method="percentile",
        rng=np.random.default_rng(seed),
    )
    return float(res.confidence_interval.low), float(res.confidence_interval.high)
