"""EASE and item-kNN as candidate sources: their top items join the candidates, their
scores and ranks are features from earlier events only, each source's candidate recall
is measured, EASE is left out above its catalogue limit, and a seed repeats exactly."""

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from tuneplate.engine.tasks.ranking import candidates as cands
from tuneplate.engine.tasks.ranking import item_models
from tuneplate.engine.tasks.ranking import metrics as rk
from tuneplate.engine.tasks.ranking import rivals as rv
from tuneplate.engine.tasks.ranking.interactions import resolve, to_log
from tuneplate.engine.tasks.ranking.task import _source_notes
from tuneplate.engine.tasks.ranking.windows import Window, time_windows
from tuneplate.verticals.recommendation import data as shop

MODEL_COLUMNS = ["ease", "ease_rank", "item_knn", "item_knn_rank"]


@pytest.fixture(scope="module")
def shop_log():
    # more products than one source proposes (PER_SOURCE), so the sources differ
    events, _ = shop.generate(seed=5, customers=250, products=260)
    log = to_log(events, resolve(events, None, user="customer_id", item="product_id"))
    windows = time_windows(log)
    repeats, recent = cands.repeats_matter(log), cands.recent_span(log)
    chosen = rv.candidate_sources(windows, 10, repeats, 0)
    return log, windows, repeats, recent, chosen


def test_ease_and_item_knn_join_the_candidates_with_score_and_rank_features(shop_log):
    _, windows, repeats, recent, chosen = shop_log
    sources = rv.sources_of(chosen)
    assert sources.ease_l2 in rv.EASE_GRID["l2"]
    assert sources.knn_neighbours in rv.KNN_GRID["neighbours"]
    plain = cands.build(windows.holdout, None, repeats, recent)
    both = cands.build(windows.holdout, None, repeats, recent, sources)
    assert not set(MODEL_COLUMNS) & set(plain.features)
    assert set(MODEL_COLUMNS) <= set(both.features)
    frame = both.frame
    # the best source rank: the smallest of every source's own rank, each source's top
    # PER_SOURCE all proposed
    ranks = frame[[c for c in cands.SOURCE_RANKS.values() if c in frame.columns]]
    np.testing.assert_array_equal(frame["candidate_rank"], ranks.min(axis=1))
    for column in ("ease_rank", "item_knn_rank"):
        per_user = frame[frame[column] <= cands.PER_SOURCE].groupby("user").size()
        assert per_user.min() == cands.PER_SOURCE
    # items only the model sources propose are new candidates, and the ceiling rises
    assert len(frame) > len(plain.frame)
    assert both.recall >= plain.recall
    # the ranks cut by the search's `candidates` parameter count the new sources too
    q, keep = both.queries(25)
    assert (frame.iloc[keep][MODEL_COLUMNS[1::2]].min(axis=1) <= 25).sum() > 0


def test_the_ease_source_proposes_the_ease_rivals_own_lists(shop_log):
    _, windows, repeats, recent, chosen = shop_log
    hold = cands.build(windows.holdout, None, repeats, recent, rv.sources_of(chosen))
    validation = cands.build(windows.validation, None, repeats, recent)
    users = pd.unique(hold.users)
    rival = rv.tune(
        "ease",
        rv.period(windows.validation, pd.unique(validation.users), repeats),
        rv.period(windows.holdout, users, repeats),
        10,
        0,
        chosen=chosen["ease"],
    )
    assert rival.params == chosen["ease"].params  # reused, not tuned again
    top = hold.frame[hold.frame["ease_rank"] <= 10].sort_values(["user", "ease_rank"])
    ours = top.groupby("user")["item"].apply(list)
    theirs = pd.Series([list(x) for x in rival.shown], index=users)
    assert ours.reindex(users).tolist() == theirs.tolist()


def test_features_use_only_events_before_the_period(shop_log):
    log, windows, repeats, recent, chosen = shop_log
    sources = rv.sources_of(chosen)
    validation = windows.validation
    before = cands.build(validation, None, repeats, recent, sources)
    # a future event: a user's new positive in the period itself, on an item they never had
    user = before.users[0]
    had = set(validation.history.loc[validation.history["user"] == user, "item"])
    item = next(i for i in validation.history["item"].unique() if i not in had)
    event = validation.labels.iloc[:1].assign(user=user, item=item)
    later = replace(validation, labels=pd.concat([validation.labels, event], ignore_index=True))
    after = cands.build(later, None, repeats, recent, sources)
    assert before.features == after.features
    pd.testing.assert_frame_equal(before.frame[before.features], after.frame[after.features])
    row = (after.frame["user"] == user) & (after.frame["item"] == item)
    assert after.frame.loc[row, "label"].tolist() == [1]  # only the label saw it
    # and the hold-out never chooses the sources' settings
    labels = windows.holdout.labels
    moved = labels.assign(item=np.roll(labels["item"].to_numpy(), 7))
    other = replace(windows, holdout=replace(windows.holdout, labels=moved))
    again = rv.candidate_sources(other, 10, repeats, 0)
    assert {n: (r.params, r.validation) for n, r in again.items()} == {
        n: (r.params, r.validation) for n, r in chosen.items()
    }


def test_candidate_recall_is_measured_per_source(shop_log):
    _, windows, repeats, recent, chosen = shop_log
    hold = cands.build(windows.holdout, None, repeats, recent, rv.sources_of(chosen))
    n = 10
    per_source = hold.source_recall(n)
    expected = {"popularity", "recent_popularity", "cooccurrence", "ease", "item_knn"}
    assert expected <= set(per_source) and set(per_source) <= expected | {"own"}
    overall = hold.recall_at(n)
    assert max(per_source.values()) <= overall + 1e-12 <= sum(per_source.values()) + 1e-12
    # EASE's recall among its own top 10 is the EASE rival's recall of its top-10 lists
    users = pd.unique(hold.users)
    validation = rv.period(windows.validation, users[:1], repeats)  # unused: settings given
    holdout = rv.period(windows.holdout, users, repeats)
    rival = rv.tune("ease", validation, holdout, n, 0, chosen=chosen["ease"])
    assert per_source["ease"] == pytest.approx(rival.table["hits"].sum() / holdout.total.sum())


def test_ease_above_its_catalogue_limit_is_left_out_with_the_reason(shop_log, monkeypatch):
    _, windows, repeats, recent, _ = shop_log
    monkeypatch.setattr(rv, "EASE_MAX_ITEMS", 5)
    chosen = rv.candidate_sources(windows, 10, repeats, 0)
    sources = rv.sources_of(chosen)
    assert sources.ease_l2 is None and sources.knn_neighbours is not None
    notes = _source_notes(chosen, sources)
    assert "above 5" in notes["ease"]["skipped"] and "neighbours" in notes["item_knn"]
    built = cands.build(windows.holdout, None, repeats, recent, sources)
    assert "ease" not in built.frame.columns and "ease" not in built.source_recall()
    # at scoring time too: saved settings never make EASE invert a too-large matrix
    monkeypatch.setattr(item_models, "EASE_MAX_ITEMS", 5)
    hist = windows.holdout.history
    users = np.array(pd.unique(hist["user"])[:5], dtype=object)
    frame = cands.propose(hist, users, None, repeats, recent, item_models.Sources(ease_l2=100.0))
    assert "ease" not in frame.columns


def test_same_settings_same_candidates(shop_log):
    log, windows, repeats, recent, chosen = shop_log
    again = rv.candidate_sources(windows, 10, repeats, 0)
    assert rv.sources_of(again) == rv.sources_of(chosen)
    a = cands.build(windows.validation, None, repeats, recent, rv.sources_of(chosen))
    b = cands.build(windows.validation, None, repeats, recent, rv.sources_of(again))
    pd.testing.assert_frame_equal(a.frame, b.frame)
    record = rv.sources_of(chosen).record()
    assert item_models.Sources.from_record(record) == rv.sources_of(chosen)
    # a run before model sources saved none
    assert item_models.Sources.from_record(None) == item_models.Sources()


def test_a_catalogue_smaller_than_a_source_never_proposes_a_users_own_items():
    """With fewer items than a source proposes (PER_SOURCE), an item the user already had
    ranked catalogue + 1, inside the cut, and became a candidate: on a 10-item log every
    exported list held items the user had, and the popularity list scored 0.453 NDCG@10
    against 0.598 by hand, tilting the verdict to the ranker."""
    events, _ = shop.generate(seed=5, customers=250, products=40)
    log = to_log(events, resolve(events, None, user="customer_id", item="product_id"))
    window = time_windows(log).holdout
    assert window.history["item"].nunique() < cands.PER_SOURCE
    c = cands.build(window, None, False, cands.recent_span(log))
    had = set(zip(window.history["user"], window.history["item"], strict=True))
    assert not [p for p in zip(c.frame["user"], c.frame["item"], strict=True) if p in had]
    # the popularity baseline's top 10: the most popular items each user does not have
    q, _ = c.queries(None)
    top = rk.top_k(q, -c.frame["popularity_rank"].to_numpy(float), 10)
    ranked = c.frame.sort_values("popularity_rank")["item"].unique()
    for user, row in zip(pd.unique(q.users), top, strict=True):
        mine = {i for u, i in had if u == user}
        want = [i for i in ranked if i not in mine][:10]
        assert c.frame["item"].to_numpy()[row[row >= 0]].tolist() == want


def test_a_user_who_has_every_item_is_not_evaluated_and_breaks_nothing():
    """A user with every catalogue item, whose next event is a new item, has nothing left
    to be shown: the candidate stage raised a shape error (131 users against 130)."""
    t = pd.Timestamp("2025-01-01")
    rows = [
        (f"u{u}", f"i{(u + j) % 6}", t + pd.Timedelta(hours=u * 7 + j))
        for u in range(20)
        for j in range(3)
    ]
    rows += [("fan", f"i{i}", t + pd.Timedelta(hours=i)) for i in range(6)]
    history = pd.DataFrame(rows, columns=["user", "item", "time"]).assign(positive=True)
    later = t + pd.Timedelta(days=30)
    labels = pd.DataFrame(
        {"user": ["fan", "u1"], "item": ["i_new", "i5"], "time": [later, later], "positive": True}
    )
    window = Window("hold-out", later, later + pd.Timedelta(days=1), history, labels)
    c = cands.build(window, None, False, np.timedelta64(7, "D"))
    assert "fan" not in set(c.frame["user"]) and len(c.missed) == 1
    q, _ = c.queries(None)
    assert len(rk.ndcg(q, np.zeros(len(q.users)), 10)) == 1
