"""EASE and item-kNN item-item weights: the strong simple models, in NumPy and SciPy only.

Used twice: rivals.py tunes each on the validation period and scores it as a baseline,
and candidates.py recomputes each, with the settings rivals.py chose, from the events
before a period, as a candidate source and ranker feature. `tuneplate export` copies
this module verbatim beside candidates.py, so an exported project's score.py rebuilds
the same scores from the log it is given and the saved settings alone (`Sources`: one λ
for EASE, k and shrink for item-kNN; no per-item or per-user data is saved).

ALS is not here: its factors come from the `implicit` library and depend on the BLAS
they were computed with, so it stays a rival only (rivals.py), never a candidate source.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import sparse

# EASE inverts a dense items x items matrix (float64: 0.8 GB at 10,000 items, and about
# n^3 operations per regularisation tried); above this catalogue size it is skipped.
EASE_MAX_ITEMS = 10_000
# Cells of a dense block (users x items scored at once, or items x items similarity
# columns): about 80 MB of float64 each, whatever the catalogue's size.
BLOCK_CELLS = 10_000_000


def ease_skipped(n_items: int, limit: int | None = None) -> str:
    """Why EASE cannot run on a catalogue of `n_items` items, or "" when it can
    (`limit` defaults to EASE_MAX_ITEMS, read at the call).

    Example:
        >>> ease_skipped(20_000)[:40]
        'EASE was skipped: the catalogue has 20,'
    """
    limit = EASE_MAX_ITEMS if limit is None else limit
    if n_items <= limit:
        return ""
    gb = n_items**2 * 8 / 1e9
    return (
        f"EASE was skipped: the catalogue has {n_items:,} items, above {limit:,}, "
        f"and EASE inverts a dense items × items matrix ({gb:,.1f} GB)"
    )


def ease_weights(X: sparse.spmatrix, l2: float) -> np.ndarray:
    """EASE's item-item weights B (items x items, zero diagonal), in closed form.

    Steck (WWW 2019): minimise ||X - XB||² + λ||B||² subject to diag(B) = 0, solved by
    P = (XᵀX + λI)⁻¹ and B = I - P·diagMat(1/diag(P)); column j of B is the ridge
    regression of item j's column on the other items' columns. Scores are X·B.

    Example:
        >>> ease_weights(sparse.csr_matrix([[1, 1, 0], [0, 1, 1]]), 10.0).diagonal()
        array([0., 0., 0.])
    """
    gram = np.asarray((X.T @ X).todense(), dtype=np.float64)
    gram[np.diag_indices_from(gram)] += l2
    P = np.linalg.inv(gram)
    B = -P / np.diag(P)[None, :]
    np.fill_diagonal(B, 0.0)
    return B


def knn_weights(X: sparse.spmatrix, grid: Iterable[tuple[int, float]]) -> list[sparse.csr_matrix]:
    """Item-kNN weights for each (neighbours, shrink) of `grid`: items x items, column j
    holding item j's `neighbours` most similar other items.

    Similarity is the cosine between item columns with a shrink term in the denominator,
    x_i·x_j / (‖x_i‖‖x_j‖ + shrink) (Sarwar et al., WWW 2001; Ferrari Dacrema et al.,
    RecSys 2019, whose ItemKNNCF tunes k and shrink); a user's score for item j is the
    sum of j's similarities to the items in their history. Columns are computed a
    block at a time (BLOCK_CELLS), each once for the whole grid; equal similarities at
    the k-th place are kept in an arbitrary but fixed order.

    Example:
        >>> W50, W100 = knn_weights(history, [(50, 10.0), (100, 10.0)])
        >>> scores = (history[rows] @ W50).toarray()  # users x items
    """
    grid = list(grid)
    X = sparse.csr_matrix(X, dtype=np.float64)
    n = X.shape[1]
    norms = np.sqrt(np.asarray(X.multiply(X).sum(axis=0)).ravel())
    XT = X.T.tocsr()
    Xc = X.tocsc()
    parts: list[list[tuple[np.ndarray, np.ndarray, np.ndarray]]] = [[] for _ in grid]
    block = max(1, BLOCK_CELLS // max(n, 1))
    for lo in range(0, n, block):
        hi = min(n, lo + block)
        dot = np.asarray((XT @ Xc[:, lo:hi]).todense())  # items x block
        dot[np.arange(lo, hi), np.arange(hi - lo)] = 0.0  # an item is not its own neighbour
        outer = norms[:, None] * norms[None, lo:hi]
        for g, (neighbours, shrink) in enumerate(grid):
            sim = dot / (outer + shrink)
            keep = min(int(neighbours), n)
            if keep < n:
                top = np.argpartition(-sim, keep - 1, axis=0)[:keep]
            else:
                top = np.broadcast_to(np.arange(n)[:, None], sim.shape)
            values = np.take_along_axis(sim, top, axis=0)
            cols = np.broadcast_to(np.arange(lo, hi)[None, :], top.shape)
            nonzero = values > 0
            parts[g].append((top[nonzero], cols[nonzero], values[nonzero]))
    out = []
    for blocks in parts:
        r, c, v = (np.concatenate(x) for x in zip(*blocks, strict=True))
        out.append(sparse.csr_matrix((v, (r, c)), shape=(n, n)))
    return out


@dataclass(frozen=True)
class Sources:
    """The settings of the model-based candidate sources; None leaves a source out.

    Chosen on the validation period by `rivals.candidate_sources` and saved with the
    ranker (model.json's "sources"), so an exported project recomputes the same sources
    from the log it scores. Args:
        ease_l2: EASE's regularisation λ (`ease_weights`); EASE is also left out above
            EASE_MAX_ITEMS items, whatever this says.
        knn_neighbours, knn_shrink: item-kNN's k and shrink (`knn_weights`).

    Example:
        >>> Sources.from_record({"ease": {"l2": 500.0}}).ease_l2
        500.0
    """

    ease_l2: float | None = None
    knn_neighbours: int | None = None
    knn_shrink: float = 0.0

    def record(self) -> dict[str, dict[str, Any]]:
        """The saved form: {"ease": {"l2": ...}, "item_knn": {"neighbours": ..., "shrink": ...}}."""
        out: dict[str, dict[str, Any]] = {}
        if self.ease_l2 is not None:
            out["ease"] = {"l2": float(self.ease_l2)}
        if self.knn_neighbours is not None:
            out["item_knn"] = {
                "neighbours": int(self.knn_neighbours),
                "shrink": float(self.knn_shrink),
            }
        return out

    @classmethod
    def from_record(cls, record: Mapping[str, Any] | None) -> Sources:
        """`record`'s inverse; None or {} (a run before model sources) gives no model source."""
        record = record or {}
        ease, knn = record.get("ease"), record.get("item_knn")
        return cls(
            ease_l2=float(ease["l2"]) if ease else None,
            knn_neighbours=int(knn["neighbours"]) if knn else None,
            knn_shrink=float(knn["shrink"]) if knn else 0.0,
        )


def model_weights(history: sparse.csr_matrix, sources: Sources | None) -> dict[str, Any]:
    """EASE's (dense) and item-kNN's (sparse) item x item weights fitted on `history`.

    EASE is left out above its catalogue limit (`ease_skipped`), as rivals.py skips
    it: its rows then lack the ease columns, which the ranker reads as missing.
    """
    if sources is None:
        return {}
    out: dict[str, Any] = {}
    if sources.ease_l2 is not None and not ease_skipped(history.shape[1]):
        out["ease"] = ease_weights(history, sources.ease_l2)
    if sources.knn_neighbours is not None:
        (out["item_knn"],) = knn_weights(history, [(sources.knn_neighbours, sources.knn_shrink)])
    return out
