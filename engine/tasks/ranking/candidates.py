"""The first stage of a two-stage recommender: candidates per user, and their features.

For each user with something to predict in a period, the generator proposes the
items most popular over all time, most popular recently, and most co-occurring
with the user's own history (item-to-item cosine), plus the user's own items when
people in this log buy again, and, when given their settings (`Sources`, chosen on
the validation period by rivals.py), the top items of the strong simple models EASE
(Steck, WWW 2019) and item-kNN (Sarwar et al., WWW 2001), each refitted on the
events before the period. Every (user, candidate) pair becomes a row of features
computed from events before the period only, so a user's future never leaks into
their past; each source's score and rank are features too. The ranker then orders
those rows; the list baselines order the same rows by a single column. ALS is a
rival only, never a source: its factors need `implicit` at scoring time.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import sparse

# Relative on purpose: `tuneplate export` copies this module, interactions.py,
# item_models.py and metrics.py verbatim into a ranking project, so its score.py builds
# the same rows.
from .interactions import Log
from .item_models import Sources, model_weights
from .metrics import Queries
from .windows import Window, evaluable_users

PER_SOURCE = 100  # candidates each source proposes per user; the search may use fewer
PROFILE_ITEMS = 30  # a user's most recent items that define their co-occurrence profile
REPEAT_SHARE = 0.05  # share of positives that re-buy a known item from which repeats count
CHUNK_USERS = 512  # users scored at once: bounds the dense user x item blocks in memory
DAY = np.timedelta64(1, "D")

# The baselines, each ordering the same candidates by one rank column (1 = first):
# most popular over all time, most popular recently, most co-occurring with the history.
BASELINES = {
    "popularity": "popularity_rank",
    "recent_popularity": "recent_rank",
    "cooccurrence": "cooccurrence_rank",
}

# Each source's own rank column (1 = its first item for the user, PER_SOURCE + 1 = not
# among its top PER_SOURCE; the user's own items are excluded unless repeats count):
# the per-source candidate recall. The model sources' ranks are also ranker features;
# the popularity lists' are not (their global ranks are: popularity_rank, recent_rank).
SOURCE_RANKS = {
    "popularity": "popularity_list_rank",
    "recent_popularity": "recent_list_rank",
    "cooccurrence": "cooccurrence_rank",
    "ease": "ease_rank",
    "item_knn": "item_knn_rank",
    "own": "own_rank",
}


@dataclass(frozen=True)
class Candidates:
    """One period's candidate rows, grouped by user, with features and labels.

    `frame` holds the features (column `FEATURES` order), `label`, `item`, the
    baseline scores and each source's own rank (`SOURCE_RANKS`); `missed` counts, per
    user, relevant items no source proposed.
    """

    frame: pd.DataFrame
    users: np.ndarray
    missed: pd.Series
    features: list[str]

    def queries(self, n: int | None = None) -> tuple[Queries, np.ndarray]:
        """The queries, keeping candidates whose best source rank is at most `n`.

        Returns the queries and the kept row positions.
        """
        keep = np.arange(len(self.frame))
        missed = self.missed
        if n is not None and n < PER_SOURCE:
            keep = np.flatnonzero(self.frame["candidate_rank"].to_numpy() <= n)
            dropped = self.frame["label"].to_numpy() == 1
            dropped[keep] = False
            # `missed` is positional (users in order of first appearance), `lost` keyed
            # by user id: align by position, or every cut-off relevant item would vanish
            # from both sides of NDCG and recall instead of counting as missed.
            order = pd.unique(self.users)
            lost = pd.Series(self.users[dropped]).value_counts().reindex(order, fill_value=0)
            missed = missed + lost.to_numpy()
        q = Queries(self.users[keep], self.frame["label"].to_numpy()[keep], missed)
        return q, keep

    def recall_at(self, n: int | None = None) -> float:
        """Share of relevant items among the kept candidates: the ranker's ceiling."""
        q, _ = self.queries(n)
        found, total = q.label.sum(), q.label.sum() + q.missed.sum()
        return float(found / total) if total else 0.0

    @property
    def recall(self) -> float:
        """Candidate recall with every proposed candidate kept."""
        return self.recall_at(None)

    def source_recall(self, n: int | None = None) -> dict[str, float]:
        """Per source (`SOURCE_RANKS`' names, those this log used), the share of relevant
        items among that source's own top `n` (all it proposed when None): what each
        source alone contributes to the ceiling `recall_at(n)`, which is their union.

        Example:
            >>> c.source_recall(50)
            {'popularity': 0.12, 'recent_popularity': 0.2, 'cooccurrence': 0.3, ...}
        """
        if len(self.frame) == 0:
            return {}
        label = self.frame["label"].to_numpy()
        total = label.sum() + self.missed.sum()
        cut = PER_SOURCE if n is None else min(n, PER_SOURCE)
        out = {}
        for name, column in SOURCE_RANKS.items():
            if column in self.frame.columns:
                found = label[self.frame[column].to_numpy() <= cut].sum()
                out[name] = float(found / total) if total else 0.0
        return out


def repeats_matter(log: Log) -> bool:
    """True when a meaningful share of positives re-buy an item the user had before.

    A re-buy is the same user and item at another time: an exact duplicate row (an
    export that repeats a line) is not one.
    """
    pos = log.events[log.events["positive"]].drop_duplicates(["user", "item", "time"])
    again = pos.duplicated(["user", "item"]).mean() if len(pos) else 0.0
    return bool(again >= REPEAT_SHARE)


def recent_span(log: Log, share: float = 0.1) -> np.timedelta64:
    """The length of time holding the last `share` of events: "recent" for this log."""
    times = log.events["time"]
    span = times.max() - times.quantile(1 - share, interpolation="nearest")
    return max(span.to_timedelta64(), DAY)


def build(
    window: Window,
    items: pd.DataFrame | None,
    repeats: bool,
    recent: np.timedelta64,
    sources: Sources | None = None,
) -> Candidates:
    """Candidates and features for every evaluable user of `window`.

    `items` is an optional item table indexed by item id with `category` and/or
    `price` columns; `sources` the model sources' settings (none when None). Example:
        >>> c = build(windows.validation, None, repeats=False, recent=np.timedelta64(7, "D"))
        >>> c.recall
        0.41
    """
    hist = window.history
    users = evaluable_users(window)
    if len(users) == 0:
        return Candidates(pd.DataFrame(), users, pd.Series(dtype=int), [])
    u_index = pd.Index(users)
    frame = propose(hist, users, items, repeats, recent, sources)

    labels = window.labels[window.labels["user"].isin(u_index)][["user", "item"]]
    if not repeats:  # items the user already has are never proposed, so not relevant either
        seen = hist[["user", "item"]].drop_duplicates()
        labels = labels.merge(seen, how="left", indicator=True)
        labels = labels[labels["_merge"] == "left_only"][["user", "item"]]
    labels = labels.drop_duplicates()
    key = labels.assign(label=1)
    frame = frame.merge(key, on=["user", "item"], how="left")
    frame["label"] = frame["label"].fillna(0).astype(int)
    relevant = labels.groupby("user").size().reindex(users, fill_value=0)
    found = frame.groupby("user")["label"].sum().reindex(users, fill_value=0)
    # a user with nothing left to propose (every item of the catalogue already theirs) can
    # be shown nothing by any method: not evaluable, as a user with no history is not
    proposed = frame.groupby("user").size().reindex(users, fill_value=0) > 0
    keep_users = relevant.index[(relevant > 0) & proposed]
    frame = frame[frame["user"].isin(keep_users)]
    order = pd.Index(keep_users)
    frame = frame.assign(_u=order.get_indexer(frame["user"])).sort_values(
        ["_u", "candidate_rank"], kind="stable"
    )
    frame = frame.drop(columns="_u").reset_index(drop=True)
    missed = (relevant - found).reindex(keep_users)
    missed.index = range(len(missed))
    features = [c for c in FEATURES if c in frame.columns]
    return Candidates(frame, frame["user"].to_numpy(dtype=object), missed, features)


def propose(
    hist: pd.DataFrame,
    users: np.ndarray,
    items: pd.DataFrame | None,
    repeats: bool,
    recent: np.timedelta64,
    sources: Sources | None = None,
) -> pd.DataFrame:
    """Candidate rows and their features for `users` (each with events in `hist`), unlabelled.

    Rows of a user are contiguous, users in the order given, each user's rows by
    candidate rank (ties in item order): `build` labels these rows, and an
    exported project's score.py ranks them with the same code. `sources` adds EASE's
    and item-kNN's top items (columns ease, ease_rank, item_knn, item_knn_rank), each
    fitted on `hist` alone with the given settings. Example:
        >>> frame = propose(log.events, np.array(["u1"], dtype=object), None, False, DAY * 7)
        >>> frame["candidate_rank"].is_monotonic_increasing
        True
    """
    now = _now(hist)
    catalogue = pd.Index(hist["item"].unique())
    u_index = pd.Index(users)
    hist_users = pd.Index(hist["user"].unique())

    it = _item_stats(hist, catalogue, now, recent)
    us = _user_stats(hist, u_index, now)
    # user x item counts over all history (for co-occurrence) and for the users scored
    ui = sparse.csr_matrix(
        (
            np.ones(len(hist)),
            (hist_users.get_indexer(hist["user"]), catalogue.get_indexer(hist["item"])),
        ),
        shape=(len(hist_users), len(catalogue)),
    )
    ui.sum_duplicates()
    binary = (ui > 0).astype(np.float32)
    norms = np.sqrt(np.asarray(binary.sum(axis=0)).ravel()) + 1e-9
    similarity = (binary.T @ binary).tocsr().astype(np.float32)
    similarity.setdiag(0)
    similarity = sparse.diags(1 / norms) @ similarity @ sparse.diags(1 / norms)
    profile = _profiles(hist, u_index, catalogue)
    # the binary history matrix the rivals fit on (rivals.period), so their scores match
    history = (ui > 0).astype(np.float64).tocsr()
    weights = model_weights(history, sources)

    rows = []
    for lo in range(0, len(users), CHUNK_USERS):
        chunk = users[lo : lo + CHUNK_USERS]
        part = _chunk(chunk, hist_users, ui, profile[lo : lo + len(chunk)], similarity, it, repeats)
        rows.append(_models(part, chunk, hist_users, history, weights))
    pairs = pd.concat(rows, ignore_index=True)
    frame = _features(pairs, it, us, hist, catalogue, items, now)
    order = pd.Index(users).get_indexer(frame["user"])
    frame = frame.assign(_u=order).sort_values(["_u", "candidate_rank"], kind="stable")
    return frame.drop(columns="_u").reset_index(drop=True)


def popular_items(hist: pd.DataFrame, n: int) -> np.ndarray:
    """The `n` items of `hist` the popularity baseline ranks first: a user with no history's list.

    Example:
        >>> popular_items(log.events, 3)  # most events first, then the most recently active
        array(['p17', 'p3', 'p250'], dtype=object)
    """
    catalogue = pd.Index(hist["item"].unique())
    stats = _item_stats(hist, catalogue, _now(hist), DAY)
    return catalogue[np.argsort(stats["popularity_rank"].to_numpy())[:n]].to_numpy()


def _now(hist: pd.DataFrame) -> np.datetime64:
    """Just after the last event: the moment the features describe."""
    return hist["time"].max().to_datetime64() + np.timedelta64(1, "s")


def _item_stats(hist, catalogue, now, recent) -> pd.DataFrame:
    t = hist["time"].to_numpy()
    g = hist.groupby("item", sort=False)
    stats = pd.DataFrame(
        {
            "popularity": g.size(),
            "users": g["user"].nunique(),
            "first": g["time"].min(),
            "last": g["time"].max(),
        }
    ).reindex(catalogue)
    recent_mask = t >= now - recent
    # a shorter window too: on temporal splits the last days carry much of the signal
    stats["latest_popularity"] = (
        hist[t >= now - recent / 4].groupby("item").size().reindex(catalogue)
    )
    prev_mask = (t >= now - 2 * recent) & ~recent_mask
    stats["recent_popularity"] = hist[recent_mask].groupby("item").size().reindex(catalogue)
    stats["previous_popularity"] = hist[prev_mask].groupby("item").size().reindex(catalogue)
    stats = stats.fillna({"recent_popularity": 0, "previous_popularity": 0, "latest_popularity": 0})
    stats["recent_share"] = stats["recent_popularity"] / stats["popularity"]
    stats["trend"] = (stats["recent_popularity"] + 1) / (stats["previous_popularity"] + 1)
    stats["age_days"] = (now - stats["first"].to_numpy()) / DAY
    stats["idle_days"] = (now - stats["last"].to_numpy()) / DAY
    # ranks: 1 = most popular; ties broken by recency of the last event
    stats["popularity_rank"] = _rank(stats["popularity"], stats["idle_days"])
    stats["recent_rank"] = _rank(stats["recent_popularity"], stats["idle_days"])
    return stats.drop(columns=["first", "last"])


def _rank(score: pd.Series, tiebreak: pd.Series) -> np.ndarray:
    order = np.lexsort((tiebreak.to_numpy(), -score.to_numpy()))
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(1, len(order) + 1)
    return rank


def _user_stats(hist, users, now) -> pd.DataFrame:
    mine = hist[hist["user"].isin(users)]
    g = mine.groupby("user", sort=False)
    stats = pd.DataFrame(
        {
            "user_events": g.size(),
            "user_positives": g["positive"].sum(),
            "user_items": g["item"].nunique(),
            "user_idle_days": (now - g["time"].max().to_numpy()) / DAY,
            "user_days_active": (g["time"].max() - g["time"].min()) / pd.Timedelta(days=1),
        }
    ).reindex(users)
    return stats


def _profiles(hist, users, catalogue) -> sparse.csr_matrix:
    """Each user's last PROFILE_ITEMS distinct items, the most recent weighted most."""
    mine = hist[hist["user"].isin(users)].iloc[::-1].drop_duplicates(["user", "item"])
    mine = mine.assign(pos=mine.groupby("user").cumcount())
    mine = mine[mine["pos"] < PROFILE_ITEMS]
    return sparse.csr_matrix(
        (
            1.0 / (1.0 + mine["pos"].to_numpy()),
            (users.get_indexer(mine["user"]), catalogue.get_indexer(mine["item"])),
        ),
        shape=(len(users), len(catalogue)),
    )


def _top(scores: np.ndarray, n: int) -> np.ndarray:
    """Per row, the rank (1 = best) of each column among the row's top n, else n + 1.

    n + 1 whatever the catalogue's size: clipped to a catalogue smaller than n, a blocked
    item (-inf: one the user already has) ranked catalogue + 1, within the cut at n, and
    became a candidate, filling lists with items the user had.
    """
    top = min(n, scores.shape[1])
    part = np.argpartition(-scores, top - 1, axis=1)[:, :top]
    order = np.take_along_axis(part, np.argsort(-np.take_along_axis(scores, part, 1), 1), 1)
    ranks = np.full(scores.shape, n + 1, dtype=np.int64)
    np.put_along_axis(ranks, order, np.arange(1, top + 1)[None, :], axis=1)
    ranks[~np.isfinite(scores)] = n + 1
    return ranks


def _chunk(chunk, hist_users, ui, profile, similarity, it, repeats) -> dict:
    seen = ui[hist_users.get_indexer(chunk)].toarray()
    cooc = np.asarray((profile @ similarity).todense())
    blocked = (seen > 0) if not repeats else np.zeros_like(seen, dtype=bool)
    # popularity breaks co-occurrence ties, so a user with a thin history still gets a list
    pop = it["popularity"].to_numpy(dtype=float)
    pop_tie = pop / (pop.max() + 1) * 1e-6
    sources = {
        "popularity": np.broadcast_to(pop, seen.shape).copy(),
        "recent": np.broadcast_to(it["recent_popularity"].to_numpy(float), seen.shape).copy(),
        "cooccurrence": cooc + pop_tie,
    }
    ranks = {}
    for name, score in sources.items():
        score[blocked] = -np.inf
        ranks[name] = _top(score, PER_SOURCE)
    best = np.minimum.reduce(list(ranks.values()))
    columns = {}
    if repeats:
        own = np.where(seen > 0, seen, -np.inf)
        ranks["own"] = _top(own, PER_SOURCE)
        best = np.minimum(best, ranks["own"])
        columns["own_rank"] = ranks["own"]
    # dense users x items blocks, not rows yet: `_models` may lower the best rank with
    # the model sources before the cut at PER_SOURCE makes the rows
    return {
        "best": best,
        "seen": seen,
        "blocked": blocked,
        "pop_tie": pop_tie,
        "cooccurrence": cooc,
        "cooccurrence_rank": ranks["cooccurrence"],
        "popularity_list_rank": ranks["popularity"],
        "recent_list_rank": ranks["recent"],
        **columns,
    }


def _models(part, chunk, hist_users, history, weights) -> pd.DataFrame:
    """A chunk's rows: the model sources' scores and ranks added to `_chunk`'s, then every
    item that any source ranks within PER_SOURCE kept as a candidate."""
    best, seen, blocked, pop_tie = (part.pop(x) for x in ("best", "seen", "blocked", "pop_tie"))
    if weights:
        mine = history[hist_users.get_indexer(chunk)]
    for name, W in weights.items():
        score = mine @ W
        score = score.toarray() if sparse.issparse(score) else np.asarray(score)
        ranked = score + pop_tie  # popularity breaks ties, as for co-occurrence
        ranked[blocked] = -np.inf
        part[f"{name}_rank"] = _top(ranked, PER_SOURCE)
        part[name] = score
        best = np.minimum(best, part[f"{name}_rank"])
    r, c = np.nonzero(best <= PER_SOURCE)
    frame = {"user": chunk[r], "item_code": c, "candidate_rank": best[r, c]}
    frame |= {column: values[r, c] for column, values in part.items()}
    frame["user_item_count"] = seen[r, c]
    return pd.DataFrame(frame)


FEATURES = [
    "user_events",
    "user_positives",
    "user_items",
    "user_idle_days",
    "user_days_active",
    "popularity",
    "recent_popularity",
    "previous_popularity",
    "latest_popularity",
    "recent_share",
    "trend",
    "age_days",
    "idle_days",
    "users",
    "popularity_rank",
    "recent_rank",
    "cooccurrence",
    "cooccurrence_rank",
    "ease",
    "ease_rank",
    "item_knn",
    "item_knn_rank",
    "candidate_rank",
    "user_item_count",
    "user_item_idle_days",
    "category_affinity",
    "price",
    "price_ratio",
]


def _features(pairs, it, us, hist, catalogue, items, now) -> pd.DataFrame:
    frame = pairs.assign(item=catalogue[pairs["item_code"].to_numpy()].to_numpy())
    frame = frame.join(it.reset_index(drop=True), on="item_code")
    frame = frame.join(us, on="user")
    if frame["user_item_count"].gt(0).any():
        last = hist.groupby(["user", "item"])["time"].max().rename("last_time")
        frame = frame.join(last, on=["user", "item"])
        frame["user_item_idle_days"] = (now - frame["last_time"].to_numpy()) / DAY
        frame = frame.drop(columns="last_time")
    if items is not None and "category" in items.columns:
        category = items["category"].astype("string")
        cat_of = hist["item"].map(category)
        share = (
            pd.crosstab(hist["user"], cat_of, normalize="index").stack().rename("category_affinity")
        )
        frame["category"] = frame["item"].map(category)
        frame = frame.join(share, on=["user", "category"]).drop(columns="category")
        frame["category_affinity"] = frame["category_affinity"].fillna(0.0)
    if items is not None and "price" in items.columns:
        price = pd.to_numeric(items["price"], errors="coerce")
        frame["price"] = frame["item"].map(price).astype(float)
        user_price = hist.assign(p=hist["item"].map(price)).groupby("user")["p"].mean()
        frame["price_ratio"] = frame["price"] / frame["user"].map(user_price).astype(float)
    return frame.drop(columns="item_code")
