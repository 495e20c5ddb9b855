"""`tuneplate export` of a ranking run: score.py builds the run's candidates and writes
each user's top-k, without tuneplate, as the engine would."""

import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from cli_checks import (
    assert_smoke_tests_pass,
    refused_in_one_line,
    without_tuneplate,
)

import tuneplate.engine
from tuneplate.cli import main

# -- ranking runs: score.py builds the run's candidates and writes each user's top-k --------


def _interactions(seed: int = 0, users: int = 120, items: int = 50, days: int = 200):
    """A log where users lean to one of three item groups, with ratings (positive: >= 3)."""
    rng = np.random.default_rng(seed)
    taste = rng.integers(0, 3, users)
    rows = []
    for u in range(users):
        n = int(rng.integers(15, 60))
        own = rng.random(n) < 0.7
        group_items = rng.integers(0, items // 3, n) * 3 + taste[u]
        chosen = np.where(own, group_items, rng.zipf(1.6, n) % items)
        for item, day in zip(chosen, rng.uniform(0, days, n), strict=True):
            rows.append((f"u{u:04d}", f"sku{item:03d}", day, int(rng.integers(1, 6))))
    log = pd.DataFrame(rows, columns=["customer", "sku", "day", "rating"])
    log["ts"] = (pd.Timestamp("2024-01-01") + pd.to_timedelta(log.pop("day"), unit="D")).dt.round(
        "s"
    )
    return log.sort_values("ts", kind="stable").reset_index(drop=True)


@pytest.fixture(scope="module", params=["lightgbm", "xgboost"])
def ranking_project(request, tmp_path_factory):
    """A small ranking run on a synthetic log, exported; (project, run, log path, table)."""
    root = tmp_path_factory.mktemp(f"ranking-{request.param}")
    table = _interactions()
    data = root / "events.csv"
    table.to_csv(data, index=False)
    run, project = root / "run", root / "project"
    args = ["run", "recommendation", "--data", str(data), "--value", "rating"]
    args += ["--min-value", "3", "--model", request.param, "--trials", "2", "--out", str(run)]
    assert main(args) == 0
    assert main(["export", str(run), "--to", str(project)]) == 0
    return project, run, data, table


def _engine_top_k(run, table, k, repeats=None):
    """Each user's top-k as the engine ranks them: its candidates, its ranker, its top_k
    (own items as candidates when `repeats`; None: as the log shows), the recency
    features over the run's own "recent" span."""
    from tuneplate.engine.families.rankers import RankModel
    from tuneplate.engine.tasks.ranking import candidates as cands
    from tuneplate.engine.tasks.ranking import item_models
    from tuneplate.engine.tasks.ranking import metrics as rk
    from tuneplate.engine.tasks.ranking.interactions import InteractionRoles, to_log

    meta = json.loads((run / "model.json").read_text())
    best = json.loads((run / "results.json").read_text())["best"]["params"]
    if meta["family"] == "lightgbm":
        import lightgbm as lgb

        booster = lgb.Booster(model_file=str(run / meta["file"]))
    else:
        import xgboost as xgb

        booster = xgb.Booster()
        booster.load_model(str(run / meta["file"]))
    model = RankModel(meta["family"], booster, meta["n_rounds"], meta["features"])
    log = to_log(table, InteractionRoles("customer", "sku", "ts", "rating", 3.0))
    users = np.array(sorted(log.events["user"].unique()), dtype=object)
    repeats = cands.repeats_matter(log) if repeats is None else repeats
    days = json.loads((run / "results.json").read_text())["data"].get("recent_days")
    recent = cands.recent_span(log) if days is None else np.timedelta64(round(days * 86400), "s")
    sources = item_models.Sources.from_record(meta["sources"])  # EASE, item-kNN: the run's settings
    frame = cands.propose(log.events, users, None, repeats, recent, sources)
    frame = frame[frame["candidate_rank"] <= max(best["candidates"], k)].reset_index(drop=True)
    score = model.predict(frame.reindex(columns=model.features).astype("float32"))
    q = rk.Queries(frame["user"].to_numpy(), np.zeros(len(frame)), pd.Series(dtype=int))
    top = rk.top_k(q, score, k)
    items = frame["item"].to_numpy()
    ranked_users = pd.unique(frame["user"])
    return {u: [items[i] for i in row if i >= 0] for u, row in zip(ranked_users, top, strict=True)}


@pytest.mark.slow
def test_exported_ranking_score_writes_the_engines_top_k_without_tuneplate(
    ranking_project, tmp_path
):
    project, run, data, table = ranking_project
    # EASE and item-kNN are candidate sources and ranker features, their settings saved
    meta = json.loads((run / "model.json").read_text())
    assert set(meta["sources"]) == {"ease", "item_knn"}
    assert {"ease", "ease_rank", "item_knn", "item_knn_rank"} <= set(meta["features"])
    shipped = json.loads((project / "model" / "ranking.json").read_text())
    assert shipped["sources"] == meta["sources"]
    users = tmp_path / "users.csv"
    pd.DataFrame({"customer": ["u0003", "u0050", "newcomer"]}).to_csv(users, index=False)
    done = without_tuneplate(project, "score.py", "--data", str(data), "--out", "recs.csv")
    assert done.returncode == 0, done.stderr
    recs = pd.read_csv(project / "recs.csv", dtype={"user": str, "item": str})
    assert list(recs.columns) == ["user", "rank", "item", "score", "source"]
    expected = _engine_top_k(run, table, k=10)
    got = {u: g.sort_values("rank")["item"].tolist() for u, g in recs.groupby("user")}
    assert got == expected and len(got) == table["customer"].nunique()
    assert (recs.groupby("user")["rank"].max() == 10).all()

    # --k and --users: a user without history gets the log's most popular items
    done = without_tuneplate(
        project, "score.py", "--data", str(data), "--out", "few.csv", "--k", "5", "--users", users
    )
    assert done.returncode == 0, done.stderr
    few = pd.read_csv(project / "few.csv", dtype={"user": str, "item": str})
    assert set(few["user"]) == {"u0003", "u0050", "newcomer"}
    for user in ("u0003", "u0050"):
        assert few[few["user"] == user]["item"].tolist() == _engine_top_k(run, table, 5)[user]
    new = few[few["user"] == "newcomer"]
    assert new["source"].eq("popularity").all() and new["score"].isna().all()
    # most events of all kinds first, then the item seen last, then the one seen first
    g = table.groupby("sku", sort=False)
    stats = pd.DataFrame({"n": g.size(), "last": g["ts"].max(), "first": g["ts"].min()})
    popular = stats.sort_values(["n", "last", "first"], ascending=[False, False, True])
    assert new.sort_values("rank")["item"].tolist() == popular.index[:5].tolist()

    # the copies are the engine's own files, and no user id ships in the project
    for name in ("candidates.py", "item_models.py"):
        copied = project / "recommender" / "tasks" / "ranking" / name
        engine = Path(tuneplate.engine.__file__).parent / "tasks" / "ranking" / name
        assert copied.read_bytes() == engine.read_bytes()
    shipped = [p for p in project.rglob("*") if p.is_file() and not p.name.endswith(".csv")]
    assert not [p for p in shipped if b"u0003" in p.read_bytes()]

    assert_smoke_tests_pass(project)


@pytest.mark.slow
def test_exported_ranking_score_keeps_the_runs_decision_on_own_items(ranking_project, tmp_path):
    """score.py decided afresh, on the log it scored, whether a user's own items are
    candidates: a run that learned re-buys, given a log with each (user, item) once, took
    every own item out of every list (and a run on MovieLens, given 8% re-watches, put
    already-seen films in 926 of 943 lists), unsaid. The run's decision ships and holds."""
    project, run, _, table = ranking_project
    assert json.loads((run / "results.json").read_text())["data"]["repeats"] is True
    assert json.loads((project / "model" / "ranking.json").read_text())["repeats"] is True
    once = table.drop_duplicates(["customer", "sku"])  # no re-buy left in this log
    data = tmp_path / "once.csv"
    once.to_csv(data, index=False)
    done = without_tuneplate(project, "score.py", "--data", str(data), "--out", "once.csv")
    assert done.returncode == 0, done.stderr
    recs = pd.read_csv(project / "once.csv", dtype={"user": str, "item": str})
    had = set(zip(once["customer"], once["sku"], strict=True))
    own = [(u, i) in had for u, i in zip(recs["user"], recs["item"], strict=True)]
    assert sum(own) > 0  # the run's own-items source still proposes them
    expected = _engine_top_k(run, once, k=10, repeats=True)
    assert {u: g.sort_values("rank")["item"].tolist() for u, g in recs.groupby("user")} == expected


@pytest.mark.slow
def test_exported_ranking_score_keeps_the_runs_recent_span(ranking_project, tmp_path):
    """score.py measured "recent" (the span of the last tenth of events) on the log it was
    given: on the last month of a 200-day log the recency features covered a few days
    instead of the run's weeks, and every list moved, unsaid. The run's span ships."""
    project, run, _, table = ranking_project
    days = json.loads((run / "results.json").read_text())["data"]["recent_days"]
    assert json.loads((project / "model" / "ranking.json").read_text())["recent_days"] == days
    tail = table[table["ts"] >= table["ts"].max() - pd.Timedelta(days=30)]
    data = tmp_path / "tail.csv"
    tail.to_csv(data, index=False)
    done = without_tuneplate(project, "score.py", "--data", str(data), "--out", "tail.csv")
    assert done.returncode == 0, done.stderr
    recs = pd.read_csv(project / "tail.csv", dtype={"user": str, "item": str})
    expected = _engine_top_k(run, tail, k=10, repeats=True)
    got = {
        u: g.sort_values("rank")["item"].tolist()
        for u, g in recs[recs["source"] == "ranker"].groupby("user")
    }
    assert got == {u: v for u, v in expected.items() if u in got} and len(got) == len(expected)


@pytest.mark.slow
def test_exported_ranking_score_counts_only_lists_that_hold_items(ranking_project, tmp_path):
    """A user who already had every item, under a run that proposes no item a user has,
    got no list, yet the summary line counted them among the "top-10 lists"."""
    project, _, _, table = ranking_project
    copy = tmp_path / "project"
    shutil.copytree(project, copy)
    settings = copy / "model" / "ranking.json"
    settings.write_text(json.dumps(json.loads(settings.read_text()) | {"repeats": False}))
    skus = table["sku"].unique()
    fan = pd.DataFrame(
        {"customer": "fan", "sku": skus, "rating": 5, "ts": table["ts"].iloc[len(table) // 2]}
    )
    data = tmp_path / "fan.csv"
    pd.concat([table, fan], ignore_index=True).to_csv(data, index=False)
    done = without_tuneplate(copy, "score.py", "--data", str(data), "--out", "fan.csv")
    assert done.returncode == 0, done.stderr
    recs = pd.read_csv(copy / "fan.csv", dtype={"user": str, "item": str})
    assert "fan" not in set(recs["user"]) and recs["user"].nunique() == table["customer"].nunique()
    assert f"top-10 lists for {table['customer'].nunique():,} users, no list for 1 users" in (
        done.stdout
    )
    assert "already have every item of the log" in done.stdout


@pytest.mark.slow
def test_exported_ranking_readme_names_the_simpler_lists_the_report_recommends(ranking_project):
    """The report said "use EASE, which is simpler and better here", and the exported
    README presented the ranker with no word of it (only export's printed note did)."""
    project, run, _, _ = ranking_project
    head = json.loads((run / "results.json").read_text())["headline"]
    readme = (project / "README.md").read_text()
    said = "Not the lists the run's report recommends" in readme
    assert said == (head["recommended"] != "ranker")
    if said:
        assert f"recommends the simpler\n{head['strongest']['label']}:" in readme


@pytest.mark.slow
def test_exported_ranking_score_refuses_a_log_without_its_user_column(ranking_project, tmp_path):
    project, _, _, table = ranking_project
    bad = tmp_path / "no_user.csv"
    table.drop(columns="customer").to_csv(bad, index=False)
    done = without_tuneplate(project, "score.py", "--data", str(bad), "--out", "x.csv")
    refused_in_one_line(done, "'customer'", "--user")
    assert not (project / "x.csv").exists()


@pytest.mark.slow
def test_exported_ranking_score_refuses_what_would_move_every_list_unsaid(
    ranking_project, tmp_path
):
    """A fresh user's scorer exited 0 on: --users ids written without the log's leading
    zeros (every customer sent to the popularity list as "new"), one event dated 2099 (taken
    as now: 0 of 943 lists unchanged), and an item table whose ids matched no log item
    (category and price blank for every candidate)."""
    project, _, _, table = ranking_project
    padded = table.assign(customer=table["customer"].str[1:])  # "0003"
    log = tmp_path / "padded.csv"
    padded.to_csv(log, index=False)
    users = tmp_path / "users.csv"
    pd.DataFrame({"customer": ["3", "50"]}).to_csv(users, index=False)
    done = without_tuneplate(
        project, "score.py", "--data", log, "--out", tmp_path / "a.csv", "--users", users
    )
    refused_in_one_line(done, "2 --users id(s)", "'3' for '0003'")

    future = pd.concat([table, table.tail(1).assign(ts=pd.Timestamp("2099-01-01"))])
    late = tmp_path / "late.csv"
    future.to_csv(late, index=False)
    done = without_tuneplate(project, "score.py", "--data", late, "--out", tmp_path / "b.csv")
    refused_in_one_line(done, "1 event(s) of --data are dated after today", "2099-01-01")

    data = tmp_path / "events.csv"
    table.to_csv(data, index=False)
    skus = sorted(table["sku"].unique())
    items = tmp_path / "items.csv"
    pd.DataFrame({"sku": [s.upper() for s in skus], "category": "a"}).to_csv(items, index=False)
    done = without_tuneplate(
        project, "score.py", "--data", data, "--out", tmp_path / "c.csv", "--items", items
    )
    refused_in_one_line(done, f"none of the {len(skus)} items of --data is in --items")
    pd.DataFrame({"sku": skus[:-5], "category": "a"}).to_csv(items, index=False)
    done = without_tuneplate(
        project, "score.py", "--data", data, "--out", tmp_path / "d.csv", "--items", items
    )
    assert done.returncode == 0, done.stderr
    assert f"warning: 5 of the log's {len(skus)} items" in done.stderr
    assert not (tmp_path / "a.csv").exists() and not (tmp_path / "c.csv").exists()


@pytest.mark.slow
def test_exported_ranking_score_refuses_users_written_as_decimals(ranking_project, tmp_path):
    """A --users file whose ids went through a spreadsheet or a float column ("4.0" for the
    log's "4") was scored with exit 0: every customer served the popularity list as new."""
    project, _, _, table = ranking_project
    plain = table.assign(customer=table["customer"].str[1:].astype(int).add(1).astype(str))
    log = tmp_path / "plain.csv"
    plain.to_csv(log, index=False)
    users = tmp_path / "users.csv"
    pd.DataFrame({"customer": ["4.0", "51.0", "newcomer"]}).to_csv(users, index=False)
    done = without_tuneplate(
        project, "score.py", "--data", log, "--out", tmp_path / "a.csv", "--users", users
    )
    refused_in_one_line(done, "2 --users id(s)", "'4.0' for '4'")
    assert not (tmp_path / "a.csv").exists()
    pd.DataFrame({"customer": ["4", "51", "newcomer"]}).to_csv(users, index=False)
    done = without_tuneplate(
        project, "score.py", "--data", log, "--out", tmp_path / "b.csv", "--users", users
    )
    assert done.returncode == 0, done.stderr
    assert "top-10 lists for 2 users and the popular items for 1 new users" in done.stdout


@pytest.mark.slow
def test_exported_ranking_score_refuses_ratings_on_another_scale(ranking_project, tmp_path):
    """A fresh user's log rated 1–10 instead of the run's 1–5 was scored with exit 0:
    with the run's --min-value 3, ratings 3–5 of 10 became hits and 161 lists changed.
    Another scale (or unit) is refused; a few values past the run's range are said."""
    project, run, _, table = ranking_project
    saved = json.loads((project / "model" / "ranking.json").read_text())["value_range"]
    assert saved == pytest.approx(
        json.loads((run / "results.json").read_text())["data"]["value_range"]
    )
    for name, log in {
        "tenths": table.assign(rating=table["rating"] * 2),  # 1–5 written as 2–10
        "cents": table.assign(rating=table["rating"] / 5),  # 0.2–1.0, a share of the top mark
    }.items():
        path = tmp_path / f"{name}.csv"
        log.to_csv(path, index=False)
        done = without_tuneplate(project, "score.py", "--data", path, "--out", tmp_path / "x.csv")
        refused_in_one_line(done, "of the values of 'rating' lie outside the run's range", "scale")
    assert not (tmp_path / "x.csv").exists()
    few = table.copy()
    few.loc[few.index[::20], "rating"] = 9  # 5% of events past the run's range
    path = tmp_path / "few.csv"
    few.to_csv(path, index=False)
    done = without_tuneplate(project, "score.py", "--data", path, "--out", tmp_path / "y.csv")
    assert done.returncode == 0, done.stderr
    assert "warning: 5% of the values of 'rating' lie outside the run's range" in done.stderr
    path = tmp_path / "same.csv"
    table.to_csv(path, index=False)
    done = without_tuneplate(project, "score.py", "--data", path, "--out", tmp_path / "z.csv")
    assert done.returncode == 0 and "rating" not in done.stderr, done.stderr


@pytest.mark.slow
def test_exported_ranking_score_reads_dates_in_the_runs_day_month_order(ranking_project, tmp_path):
    """score.py decided the day/month order again from the log it was given: a run on
    month-first dates, given the first twelve days of each month (`01/05/2024`, no day
    above 12), read 1 May for 5 January and every list moved, exit 0. The run's order
    ships and holds; a log proving the other order is refused; with no order saved (an
    ISO or epoch run) a log that proves none is read day first, and said."""
    project, _, _, table = ranking_project
    copy = tmp_path / "project"
    shutil.copytree(project, copy)
    settings = copy / "model" / "ranking.json"
    settings.write_text(json.dumps(json.loads(settings.read_text()) | {"time_format": "%m/%d/%Y"}))
    early = table[table["ts"].dt.day <= 12]
    lists = {}
    for name, fmt in {"iso": "%Y-%m-%d %H:%M:%S", "us": "%m/%d/%Y %H:%M:%S"}.items():
        path = tmp_path / f"{name}.csv"
        early.assign(ts=early["ts"].dt.strftime(fmt)).to_csv(path, index=False)
        done = without_tuneplate(copy, "score.py", "--data", path, "--out", f"{name}.csv")
        assert done.returncode == 0, done.stderr
        assert "warning" not in done.stderr
        lists[name] = pd.read_csv(copy / f"{name}.csv", dtype={"user": str, "item": str})
    pd.testing.assert_frame_equal(lists["us"], lists["iso"])

    european = tmp_path / "eu.csv"
    table.assign(ts=table["ts"].dt.strftime("%d/%m/%Y")).to_csv(european, index=False)
    done = without_tuneplate(copy, "score.py", "--data", european, "--out", "eu.csv")
    refused_in_one_line(done, "'ts' is written day/month/year in these rows", "2024-03-31")
    assert not (copy / "eu.csv").exists()

    us = tmp_path / "us.csv"
    early.assign(ts=early["ts"].dt.strftime("%m/%d/%Y")).to_csv(us, index=False)
    done = without_tuneplate(project, "score.py", "--data", us, "--out", tmp_path / "x.csv")
    assert done.returncode == 0, done.stderr
    assert "warning: ts was read day/month/year (no day above 12" in done.stderr
