"""Beyond accuracy: what the top-k lists show, not only whether they hit.

Computed on each method's top-k lists of the hold-out users, from the popularity of items
among the events before the hold-out period (training) only:

- novelty: the mean self-information −log2(p) of a recommended item, p being the share of
  training customers who interacted with it (Zhou et al., PNAS 2010; Castells, Hurley &
  Vargas, "Novelty and diversity in recommender systems", Recommender Systems Handbook
  2015); higher means less obvious items.
- intra-list diversity: the share of pairs of items in a list from different categories
  (Ziegler et al., WWW 2005), when the item table gives a category.
- popularity bias (Abdollahpouri, Burke & Mobasher, FLAIRS 2019): the average
  recommendation popularity (ARP, the mean number of training customers of a recommended
  item) and the share of long-tail items (items outside the most popular ones that make
  up `HEAD_SHARE` of training interactions).

Each figure is averaged within a customer's list, then over customers with a list.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

HEAD_SHARE = 0.8  # the most popular items holding this share of interactions are the "head"


@dataclass(frozen=True)
class Popularity:
    """Item popularity before the hold-out period.

    Args:
        customers: training customers who interacted with each item (index: item id).
        n_customers: training customers in all.
        tail: the long-tail items (index of item ids).
    """

    customers: pd.Series
    n_customers: int
    tail: pd.Index


def popularity(history: pd.DataFrame, head_share: float = HEAD_SHARE) -> Popularity:
    """Item popularity from `history` (columns user, item: the events before the hold-out).

    The head is the smallest set of most-interacted items holding `head_share` of the
    events; every other item is in the long tail. Example:
        >>> h = pd.DataFrame({"user": list("aabbc"), "item": list("xyxxz")})
        >>> p = popularity(h)
        >>> p.customers["x"], p.n_customers, list(p.tail)
        (2, 3, ['z'])
    """
    events = history["item"].value_counts(sort=False)
    order = np.lexsort((events.index.astype(str), -events.to_numpy()))
    events = events.iloc[order]
    before = (events.cumsum() - events) / max(int(events.sum()), 1)
    tail = events.index[before.to_numpy() >= head_share]
    customers = history.drop_duplicates(["user", "item"])["item"].value_counts()
    return Popularity(customers, int(history["user"].nunique()), pd.Index(tail))


def lists_of(items: np.ndarray, top: np.ndarray) -> np.ndarray:
    """Item ids of top-k row positions (users x k, -1 pads) as an object matrix, None pads.

    Example:
        >>> lists_of(np.array(["x", "y"]), np.array([[1, 0], [0, -1]]))
        array([['y', 'x'], ['x', None]], dtype=object)
    """
    out = np.asarray(items, dtype=object)[np.maximum(top, 0)]
    out[top < 0] = None
    return out


def _per_list(values: np.ndarray, shown: np.ndarray) -> np.ndarray:
    """Per list, the mean of `values` over its shown slots; NaN for an empty list."""
    n = shown.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(shown, values, 0.0).sum(axis=1) / np.where(n > 0, n, np.nan)


def measure(
    lists: np.ndarray, pop: Popularity, category: pd.Series | None = None
) -> dict[str, float]:
    """Novelty (bits), intra-list diversity (only with `category`), ARP (customers) and
    long-tail share of the lists (users x k item ids, None pads), averaged over lists.

    Items unknown before the hold-out count as long tail, with no novelty or popularity.
    Example:
        >>> measure(np.array([["x", "y"]], dtype=object), p)  # p from `popularity`
        {'novelty': 1.085, 'arp': 1.5, 'long_tail': 0.0}
    """
    lists = np.asarray(lists, dtype=object).reshape(len(lists), -1)
    shown = np.vectorize(lambda x: x is not None, otypes=[bool])(lists) if lists.size else lists
    flat = pd.Series(lists.ravel())
    count = flat.map(pop.customers).to_numpy(float).reshape(lists.shape)
    known = shown & (count > 0)
    with np.errstate(divide="ignore"):
        info = -np.log2(count / max(pop.n_customers, 1))
    tail = flat.isin(pop.tail).to_numpy().reshape(lists.shape) | (shown & ~known)
    out = {
        "novelty": float(np.nanmean(_per_list(info, known))) if known.any() else float("nan"),
        "arp": float(np.nanmean(_per_list(count, known))) if known.any() else float("nan"),
        "long_tail": float(np.nanmean(_per_list(tail, shown))) if shown.any() else float("nan"),
    }
    if category is not None:
        out["diversity"] = diversity(lists, category)
    return out


def diversity(lists: np.ndarray, category: pd.Series) -> float:
    """Intra-list diversity by category: per list, the share of pairs of its items (with a
    known category) in different categories; averaged over lists with two such items.

    Example:
        >>> diversity(np.array([["x", "y", "z"]], dtype=object),
        ...           pd.Series({"x": "a", "y": "a", "z": "b"}))
        0.6666666666666666
    """
    cats = pd.Series(np.asarray(lists, dtype=object).ravel()).map(category)
    cats = cats.to_numpy(dtype=object).reshape(len(lists), -1)
    values = []
    for row in cats:
        known = [c for c in row if not pd.isna(c)]  # an item without a category: left out
        n = len(known)
        if n < 2:
            continue
        same = sum(c * (c - 1) / 2 for c in pd.Series(known).value_counts().to_numpy())
        values.append(1 - same / (n * (n - 1) / 2))
    return float(np.mean(values)) if values else float("nan")
