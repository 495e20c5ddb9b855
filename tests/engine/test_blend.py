"""After the search: baseline, best trial or their blend, decided on fresh folds.

The rule (`search.selection.fresh_rule`), the blended model (`families/blend.py`: its
probabilities, its exact contributions, its files) and a run that keeps a blend, read
back, explained, validated, exported (its project refits, scores and explains it
without tuneplate) and warm-started from.
"""

import json
import re
import subprocess
import sys
import tomllib

import numpy as np
import pandas as pd
import pytest
from cli_checks import assert_smoke_tests_pass, refit_gap, without_tuneplate
from sklearn.datasets import make_classification

import tuneplate
from tuneplate.cli import main
from tuneplate.engine.contract.errors import TuneplateError
from tuneplate.engine.data.roles import Roles
from tuneplate.engine.data.splits import fresh_folds, make_split
from tuneplate.engine.families import blend
from tuneplate.engine.families.base import Fit
from tuneplate.engine.families.models import Model
from tuneplate.engine.metrics import METRICS
from tuneplate.engine.records import Selection
from tuneplate.engine.results import SPLIT_FILE, Results
from tuneplate.engine.search.selection import fresh_rule
from tuneplate.verticals.diagnosis import data

# The embedded diagnosis table, 12 random trials, seed 3: the rule keeps the blend (found
# by running seeds 0-3; a fixed trial count replays the same trials on any machine).
BLENDED = dict(n_trials=12, seed=3, strategy="random")


def folds(best, base, mixed, n=10, noise=0.002, seed=0):
    """(n, 3) fold scores around the given means, the same noise on each fold's three."""
    shared = np.random.default_rng(seed).normal(0, 0.02, n)  # fold-to-fold, shared
    own = np.random.default_rng(seed + 1).normal(0, noise, (n, 3))
    return np.column_stack([best + shared, base + shared, mixed + shared]) + own


def test_blend_kept_when_it_leads_beyond_one_se():
    rule, fresh = fresh_rule(folds(0.810, 0.800, 0.815), maximize=True)
    assert rule == "blend"
    assert fresh.folds == 10 and fresh.blend > fresh.blend_se > 0
    assert fresh.blend_score == pytest.approx(folds(0.810, 0.800, 0.815)[:, 2].mean())


def test_best_kept_when_it_leads_the_blend():
    assert fresh_rule(folds(0.830, 0.800, 0.815), maximize=True)[0] == "best"


def test_baseline_kept_when_neither_is_clearly_better():
    # the best wins on the mean by less than its noise: the one-SE rule keeps the baseline
    scores = folds(0.8003, 0.800, 0.8002, noise=0.01)
    assert fresh_rule(scores, maximize=True)[0] == "one-SE"


def test_lower_is_better_metrics_read_the_other_way():
    # log-loss: the blend's lower loss is the gain
    rule, fresh = fresh_rule(folds(0.52, 0.50, 0.48), maximize=False)
    assert rule == "blend" and fresh.blend > 0 and fresh.best < 0


@pytest.mark.parametrize("bad", [np.full((1, 3), 0.8), np.array([[0.8, np.nan, 0.8]] * 5)])
def test_no_decision_from_one_fold_or_a_missing_score(bad):
    assert fresh_rule(bad, maximize=True) is None


def test_selection_reads_back_with_its_fresh_folds():
    _, fresh = fresh_rule(folds(0.81, 0.80, 0.815), maximize=True)
    saved = Selection(3, 3, "blend", 0.01, 0.004, fresh)
    again = Selection.coerce(json.loads(json.dumps(saved.to_dict())))
    assert again == saved and not again.kept
    assert again.validation(0.9) == fresh.blend_score  # a blend's score is its own


@pytest.fixture(scope="module")
def table():
    X, y = make_classification(600, 6, n_informative=4, random_state=0)
    frame = pd.DataFrame(X, columns=[f"x{i}" for i in range(6)])
    frame["group"] = np.repeat(np.arange(150), 4)
    return frame, y


def test_fresh_folds_are_new_cuts_of_the_development_rows(table):
    frame, y = table
    split = make_split(frame, y, Roles(target="t"), 5, seed=0)
    fresh = fresh_folds(frame, y, Roles(target="t"), split, seed=10_000)
    assert len(fresh) == len(split.folds)
    assert sorted(np.concatenate([va for _, va in fresh])) == list(range(len(split.development)))
    assert any(not np.array_equal(a[1], b[1]) for a, b in zip(fresh, split.folds, strict=True))


def test_fresh_folds_keep_every_group_on_one_side(table):
    frame, y = table
    roles = Roles(target="t", group="group")
    split = make_split(frame, y, roles, 5, seed=0)
    ids = frame["group"].to_numpy()[split.development]
    for train, valid in fresh_folds(frame, y, roles, split, seed=10_000):
        assert not set(ids[train]) & set(ids[valid])


def test_no_fresh_folds_on_an_out_of_time_split(table):
    frame, y = table
    frame = frame.assign(month=np.repeat(np.arange(12), 50))
    roles = Roles(target="t", time="month")
    split = make_split(frame, y, roles, 5, seed=0)
    assert fresh_folds(frame, y, roles, split, seed=10_000) is None


def two_members(table):
    frame, y = table
    X = frame.drop(columns="group")
    params = {
        "members": [
            {"family": "lightgbm", "params": {"num_leaves": 7}, "n_rounds": 40},
            {"family": "logistic", "params": {"C": 1.0}, "n_rounds": None},
        ]
    }
    return X, y, blend.fit(params, X, y, None, None, Fit(0)).estimator


def test_a_blend_of_one_family_names_it_once():
    """Two logistic members read "blend of L2-regularised logistic regression and
    L2-regularised logistic regression", as if two different models were blended."""
    member = {"family": "logistic", "params": {"C": 1.0}, "n_rounds": None}
    words = blend.label({"members": [member, {**member, "params": {"C": 0.1}}]})
    assert words.count("logistic regression") == 1 and "baseline" in words
    mixed = {"members": [{**member, "family": "lightgbm"}, member]}
    assert blend.label(mixed).startswith("blend of LightGBM") and "logistic" in blend.label(mixed)


def test_blend_is_the_mean_of_the_members_log_odds(table):
    X, _, model = two_members(table)
    a, b = (m.predict_proba(X)[:, 1] for _, m in model.members)
    expected = 1 / (1 + np.exp(-(blend.log_odds(a) + blend.log_odds(b)) / 2))
    np.testing.assert_allclose(model.predict_proba(X)[:, 1], expected, rtol=1e-12)
    # between the two members on every row: a blend never goes beyond both
    p = model.predict_proba(X)[:, 1]
    assert ((p >= np.minimum(a, b) - 1e-12) & (p <= np.maximum(a, b) + 1e-12)).all()


def test_blend_contributions_sum_to_its_log_odds(table):
    X, _, model = two_members(table)
    total = blend.contributions(model, X).sum(axis=1)
    np.testing.assert_allclose(total, blend.log_odds(model.predict_proba(X)[:, 1]), atol=1e-9)


def test_blend_files_read_back_the_same_scores(table, tmp_path):
    X, _, model = two_members(table)
    blend.save(model, tmp_path / "blend")
    assert sorted(p.name for p in (tmp_path / "blend").iterdir()) == [
        "1-model.lightgbm.txt",
        "2-model.skops",
        "blend.json",
    ]
    again = blend.load(tmp_path / "blend")
    np.testing.assert_array_equal(again.predict_proba(X), model.predict_proba(X))


def test_two_members_of_one_family_keep_two_files(table, tmp_path):
    frame, y = table
    X = frame.drop(columns="group")
    params = {
        "members": [
            {"family": "logistic", "params": {"C": 0.01}},
            {"family": "logistic", "params": {"C": 1.0}},
        ]
    }
    model = blend.fit(params, X, y, None, None, Fit(0)).estimator
    blend.save(model, tmp_path / "b")
    again = blend.load(tmp_path / "b")
    np.testing.assert_array_equal(again.predict_proba(X), model.predict_proba(X))


@pytest.fixture(scope="module")
def blended_run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("runs") / "blend"
    args = ["--trials", "12", "--seed", "3", "--strategy", "random", "--out", str(folder)]
    assert main(["run", "diagnosis", *args]) == 0
    return folder


def test_a_run_keeps_the_blend_it_chose(blended_run):
    results = Results.load(blended_run)
    assert results.model_family == "blend" and results.selection.rule == "blend"
    fresh = results.selection.fresh
    assert fresh.blend > fresh.blend_se  # the rule's own condition, as saved
    # the cross-validated score shown is the blend's, on the folds that chose it
    assert results.validation == pytest.approx(fresh.blend_score)
    model = Model.load(blended_run)
    example = data.load()
    holdout = json.loads((blended_run / SPLIT_FILE).read_text())["holdout"]
    rows = example.table.iloc[holdout]
    p = model.predict_proba(rows)[:, 1]
    y = example.roles.binary_target(rows).to_numpy()
    assert results.holdout == pytest.approx(METRICS[results.metric.name].score(y, p))
    # contributions add up to the blend's log-odds (compared as probabilities: a log-odds
    # of 30 is 1 - 1e-13, beyond what a probability near 1 can say back exactly)
    total = model.explain(rows).sum(axis=1).to_numpy()
    np.testing.assert_allclose(1 / (1 + np.exp(-total)), p, atol=1e-9)


def test_the_report_says_how_the_blend_was_kept(blended_run):
    page = (blended_run / "report.html").read_text()
    assert "A blend of logistic and the logistic baseline model tuned" in page
    assert "10 fresh folds the search never used" in page


def test_export_writes_a_blend_as_its_members(blended_run, tmp_path):
    project = tmp_path / "project"
    assert main(["export", str(blended_run), "--to", str(project)]) == 0
    assert sorted(p.name for p in (project / "model" / "blend").iterdir()) == [
        "1-model.skops",
        "2-model.skops",
        "blend.json",
    ]
    # each logistic member's design owners, by its file: model input keys, nothing else
    owners = json.loads((project / "model" / "reasons.json").read_text())["design_owners"]
    keys = set(Model.load(blended_run).schema.keys.values())
    assert set(owners) == {"1-model.skops", "2-model.skops"}
    assert all(names and set(names) <= keys for names in owners.values())
    pins = tomllib.loads((project / "pyproject.toml").read_text())["project"]["dependencies"]
    assert [p.split("==")[0] for p in pins] == ["numpy", "pandas", "scikit-learn", "skops"]
    readme = " ".join((project / "README.md").read_text().split())
    label = blend.label(json.loads((blended_run / "model.json").read_text())["params"])
    assert f"A {label}, tuned by tuneplate" in readme and "C=1.0" in readme


def test_export_refuses_a_tampered_blend_in_one_line(blended_run, tmp_path, capsys):
    import shutil

    copy = tmp_path / "run"
    shutil.copytree(blended_run, copy)
    index = json.loads((copy / "blend" / blend.INDEX).read_text())
    index["members"][1]["file"] = "../model.json"
    (copy / "blend" / blend.INDEX).write_text(json.dumps(index))
    capsys.readouterr()
    assert main(["export", str(copy), "--to", str(tmp_path / "project")]) == 2
    err = capsys.readouterr().err.strip()
    assert "outside its folder" in err and len(err.splitlines()) == 1, err
    assert not (tmp_path / "project").exists()  # nothing written


@pytest.fixture(scope="module")
def credit_blend(tmp_path_factory):
    """German credit, 20 trials, seed 1: the blend of tuned XGBoost and the scorecard."""
    folder = tmp_path_factory.mktemp("runs") / "credit"
    assert main(["run", "credit-risk", "--trials", "20", "--seed", "1", "--out", str(folder)]) == 0
    return folder


@pytest.fixture(scope="module", params=["diagnosis", "credit-risk"])
def blend_export(request, tmp_path_factory):
    """(run, project, the run's own table as a CSV): a blend run exported."""
    run = request.getfixturevalue("blended_run" if request.param == "diagnosis" else "credit_blend")
    root = tmp_path_factory.mktemp(f"export-{request.param}")
    data = root / "table.csv"
    tuneplate.load_vertical(request.param).example().table.to_csv(data, index=False)
    assert main(["export", str(run), "--to", str(root / "project")]) == 0
    return run, root / "project", data


@pytest.mark.slow  # end to end: the exported project's scripts in subprocesses
def test_exported_blend_refits_to_the_runs_holdout_without_tuneplate(blend_export):
    run, project, data = blend_export
    members = json.loads((run / "blend" / blend.INDEX).read_text())["members"]
    if "credit" in run.name:  # the case that matters most: trees with a linear model
        assert {m["family"] for m in members} == {"xgboost", "scorecard"}
    trained = without_tuneplate(project, "train.py", "--data", data, "--out", "refit")
    assert trained.returncode == 0, trained.stderr
    holdout = json.loads((run / "results.json").read_text())["best"]["holdout"]
    printed = float(re.search(r"hold-out .+?: (\S+) on", trained.stdout).group(1))
    assert printed == pytest.approx(holdout, abs=1e-6)
    # the refit is written in the run's layout, and the project reads it back as the
    # model it ships (same rows, same seed: the same scores)
    assert sorted(p.name for p in (project / "refit" / "blend").iterdir()) == sorted(
        [m["file"] for m in members] + [blend.INDEX]
    )
    assert refit_gap(project, data) < 1e-9


@pytest.mark.slow
def test_exported_blend_scores_and_explains_as_tuneplate(blend_export, tmp_path):
    run, project, data = blend_export
    scored = without_tuneplate(project, "score.py", "--data", data, "--out", "scores.csv")
    assert scored.returncode == 0 and scored.stderr == "", scored.stderr
    model, rows = Model.load(run), pd.read_csv(data)
    expected = model.predict_proba(rows)[:, 1]
    exported = pd.read_csv(project / "scores.csv")["probability"].to_numpy()
    np.testing.assert_allclose(exported, expected, rtol=0, atol=1e-12)

    # --reasons: what `tuneplate explain --model tuned` writes for the same rows
    done = without_tuneplate(project, "score.py", "--data", data, "--reasons", "--out", "r.csv")
    assert done.returncode == 0, done.stderr
    reference = tmp_path / "explained.csv"
    args = ["explain", str(run), "--data", str(data), "--out", str(reference)]
    assert main([*args, "--model", "tuned"]) == 0
    got, want = pd.read_csv(project / "r.csv"), pd.read_csv(reference)
    assert list(got.columns) == list(want.columns) and (got["decision"] == want["decision"]).all()
    named = [c for c in got.columns if c.startswith("reason_") and not c.endswith("_logodds")]
    assert got[named].fillna("").equals(want[named].fillna(""))
    for column in [c for c in got.columns if c.endswith("_logodds")]:
        np.testing.assert_allclose(got[column], want[column], rtol=0, atol=1e-6)

    # the exported contributions, each member's weighted and summed, with the base value
    # add up to the blend's log-odds (compared as probabilities, as above; XGBoost's
    # TreeSHAP is in float32, its sums within about 1e-6 of its margin)
    code = (
        "import sys, numpy as np; sys.path.insert(0, '.'); sys.modules['tuneplate'] = None; "
        "from model_io import load_explainer, read_table; "
        "np.save(sys.argv[2], load_explainer()(read_table(sys.argv[1]))[1])"
    )
    saved = tmp_path / "contributions.npy"
    done = subprocess.run(
        [sys.executable, "-c", code, str(data), str(saved)],
        cwd=project,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    contributions, engine = np.load(saved), model.explain(rows)
    np.testing.assert_allclose(contributions, engine.drop(columns="base_value"), atol=1e-9)
    total = contributions.sum(axis=1) + engine["base_value"].to_numpy()
    raw = model.estimator.predict_proba(model.schema.encode(rows)[0])[:, 1]  # uncalibrated
    np.testing.assert_allclose(1 / (1 + np.exp(-total)), raw, atol=1e-6)

    assert_smoke_tests_pass(project)


def test_no_blend_keeps_the_one_se_rule_on_the_search_folds():
    results = tuneplate.tune("diagnosis", blend=False, **BLENDED)
    assert results.model_family != "blend" and results.selection.fresh is None
    assert results.selection.rule in ("best", "one-SE", "baseline")


def test_the_terminal_says_a_clear_loss_on_the_holdout_as_the_report_does(tmp_path, capsys):
    """The blend lost to the baseline on the hold-out with the whole interval below 0
    (-0.003, -0.004 to -0.002), yet the terminal said it "does not beat it beyond noise"
    while the report's first screen said "does worse than"."""
    folder = tmp_path / "run"
    args = ["--trials", "12", "--seed", "3", "--strategy", "random", "--out", str(folder)]
    assert main(["run", "diagnosis", *args]) == 0
    out = capsys.readouterr().out
    assert Results.load(folder).baseline.decision == "worse"
    assert "the tuned model does worse than it beyond noise" in out
    assert "does worse than" in (folder / "report.html").read_text()


def test_a_big_table_gets_one_fresh_cut(monkeypatch):
    """Two cuts of K folds each on 50,000 rows or more would add K fits of both models
    after the search's budget; one cut is enough there."""
    from tuneplate.engine.tasks.binary import blending

    monkeypatch.setattr(blending, "ONE_CUT_ROWS", 100)  # the example's 455 rows count as big
    results = tuneplate.tune("diagnosis", **BLENDED)
    assert results.selection.fresh.folds == 5  # one cut of the search's 5 folds
    monkeypatch.setattr(blending, "ONE_CUT_ROWS", 10**9)
    assert tuneplate.tune("diagnosis", **BLENDED).selection.fresh.folds == 2 * 5


def test_the_same_seed_blends_the_same_way():
    one, two = (tuneplate.tune("diagnosis", **BLENDED) for _ in range(2))
    assert one.selection == two.selection and one.holdout == two.holdout


def test_a_warm_start_from_a_blend_run_reuses_its_trials(blended_run):
    results = tuneplate.tune(
        "diagnosis", n_trials=3, seed=3, model="logistic", warm_start=str(blended_run)
    )
    assert not any(f.check == "warm_start_unused" for f in results.findings)


def test_validate_names_the_blend_it_checks(blended_run, tmp_path):
    """The validation page said "The blend model frozen at the run": no member named."""
    rows = tmp_path / "rows.csv"
    holdout = json.loads((blended_run / SPLIT_FILE).read_text())["holdout"]
    data.load().table.iloc[holdout].to_csv(rows, index=False)
    blended = "blend of logistic and the logistic baseline"
    out = tmp_path / "tuned"
    args = ["validate", str(blended_run), "--data", str(rows), "--out", str(out)]
    assert main([*args, "--model", "tuned"]) == 0
    assert json.loads((out / "validation.json").read_text())["model_words"] == blended
    assert f"The model frozen at the run ({blended})" in (out / "validation.html").read_text()
    # the run recommends its baseline, which a plain validate checks, and says over what
    out = tmp_path / "recommended"
    assert main([*args[:-1], str(out)]) == 0
    said = json.loads((out / "validation.json").read_text())
    assert said["model_words"] == "logistic"
    assert any(f"over the tuned model ({blended})" in n for n in said["notes"])


def test_a_baseline_kept_on_fresh_folds_is_worded_with_both_gains(blended_run):
    from dataclasses import replace

    from tuneplate.engine.records import FreshFolds
    from tuneplate.reports.facts import selection_text
    from tuneplate.reports.verdict import kept_sentence

    results = Results.load(blended_run)
    fresh = FreshFolds(10, best=-0.0021, best_se=0.003, blend=0.0004, blend_se=0.001)
    kept = replace(results, selection=Selection(0, 7, "one-SE", 0.004, 0.002, fresh))
    said = kept_sentence(kept)
    # the fresh folds' figures, signed with a true minus, not the search's (+0.004)
    assert "10 fresh validation folds" in said and "trial #7" in said
    assert "−0.0021" in said and "+0.0004" in said and "0.0040" not in said
    assert selection_text(kept).startswith("the simple model's default settings (trial #0)")


def test_a_member_breaking_monotone_on_a_fresh_fold_leaves_the_search_rule(monkeypatch):
    from tuneplate.engine.families.base import MonotoneViolation

    def broken(*args, **kwargs):
        raise MonotoneViolation("coefficient of the wrong sign", "age", 1, -0.2)

    monkeypatch.setattr(blend, "fit", broken)
    results = tuneplate.tune("diagnosis", **BLENDED)  # blends when the folds can decide
    assert results.selection.fresh is None and results.model_family != "blend"
    # the one-SE rule on the search's folds, as with --no-blend
    assert results.selection == tuneplate.tune("diagnosis", blend=False, **BLENDED).selection


def test_model_kept_says_only_or_larger_gain_as_the_figures_do(blended_run):
    from dataclasses import replace

    from tuneplate.engine.records import FreshFolds
    from tuneplate.reports.facts import selection_text

    results = Results.load(blended_run)
    fresh = results.selection.fresh
    # seed 3: the best trial's gain is within one SE, the blend's beyond it
    assert fresh.best <= fresh.best_se and fresh.blend > fresh.blend_se
    said = selection_text(results)
    assert "the only gain beyond one standard error" in said and "larger" not in said
    both = FreshFolds(10, best=0.004, best_se=0.001, blend=0.006, blend_se=0.001)
    led = replace(results, selection=replace(results.selection, fresh=both))
    assert "the larger gain beyond one standard error" in selection_text(led)
    best = replace(results.selection, rule="best", fresh=replace(both, blend=0.0005))
    assert "the only gain" in selection_text(replace(results, selection=best))


def test_the_blends_cross_validated_card_says_its_folds_and_the_baselines_on_them(blended_run):
    results = Results.load(blended_run)
    fresh = results.selection.fresh
    # the baseline's mean on the fresh folds is saved beside the blend's: their gap is the
    # rule's gain (the search-fold figure of the baseline is not comparable with it)
    gap = (fresh.base_score - fresh.blend_score) * (-1 if results.metric.name != "log_loss" else 1)
    assert gap == pytest.approx(fresh.blend)
    page = (blended_run / "report.html").read_text()
    assert "Average over the folds used to pick the settings." not in page
    assert "Average over the 10 fresh folds that chose the blend" in page
    assert "Its average over the same folds" not in page


def test_a_resume_that_changes_the_kept_model_leaves_no_stale_model_files(blended_run, tmp_path):
    import shutil

    folder = tmp_path / "resumed"
    shutil.copytree(blended_run, folder)
    (folder / "blend" / "notes.txt").write_text("mine")  # the user's own: kept
    common = ["--trials", "12", "--seed", "3", "--strategy", "random", "--out", str(folder)]
    assert main(["run", "diagnosis", *common, "--resume", "--no-blend"]) == 0
    family = json.loads((folder / "model.json").read_text())["family"]
    assert family != "blend"
    assert sorted(p.name for p in (folder / "blend").iterdir()) == ["notes.txt"]
    (folder / "blend" / "notes.txt").unlink()
    config = json.loads((folder / "config.json").read_text())
    config["config"]["blend"] = True  # no flag turns blending back on: the config does
    (folder / "config.json").write_text(json.dumps(config))
    assert main(["run", "diagnosis", *common, "--resume"]) == 0
    assert json.loads((folder / "model.json").read_text())["family"] == "blend"
    assert not (folder / "model.skops").exists()  # the single model it replaced
    Model.load(folder)


def test_a_calibrated_run_compares_the_baseline_it_would_save():
    """--calibrate: the baseline's recorded hold-out score and the paired difference are
    those of the baseline as saved (through its own map), not of its raw probabilities
    (seed 3 recommended the baseline on 0.044 while the saved one scored 0.053)."""
    results = tuneplate.tune("diagnosis", calibrate="platt", **BLENDED)
    base, saved = results.baseline, results.baseline_model
    assert base.recommended and saved is not None and saved.calibrator is not None
    example = data.load()
    hold = example.table.iloc[results.split_rows["holdout"]]
    y = example.roles.binary_target(hold).to_numpy()
    score = METRICS[results.metric.name].score
    assert base.holdout == pytest.approx(score(y, saved.predict_proba(hold)[:, 1]))
    sign = 1 if results.metric.direction == "maximize" else -1
    assert base.difference == pytest.approx(sign * (results.holdout - base.holdout))


def test_resume_turns_blending_back_on_with_blend(tmp_path):
    folder = tmp_path / "run"
    args = ["run", "diagnosis", "--trials", "12", "--seed", "3", "--strategy", "random"]
    assert main([*args, "--no-blend", "--out", str(folder)]) == 0
    assert Results.load(folder).model_family != "blend"
    assert main([*args, "--blend", "--resume", "--out", str(folder)]) == 0
    again = Results.load(folder)
    assert again.model_family == "blend" and again.selection.rule == "blend"
    assert not (folder / "model.skops").exists()  # the replaced model's file is gone


@pytest.mark.parametrize(
    "change, said",
    [
        (lambda i: i["members"].__setitem__(0, {**i["members"][0], "weight": 5.0}), "summing to 1"),
        (lambda i: i.__setitem__("members", []), "two or more members"),
        (lambda i: i["members"][0].__setitem__("family", "blend"), "unknown member families"),
        (lambda i: i["members"][1].__setitem__("file", "../x"), "outside its folder"),
    ],
)
def test_a_tampered_blend_file_is_refused_in_one_line(table, tmp_path, change, said):
    _, _, model = two_members(table)
    blend.save(model, tmp_path / "blend")
    index = json.loads((tmp_path / "blend" / blend.INDEX).read_text())
    change(index)
    (tmp_path / "blend" / blend.INDEX).write_text(json.dumps(index))
    with pytest.raises(TuneplateError, match=said):
        blend.load(tmp_path / "blend")


def test_a_model_file_outside_the_run_folder_is_refused(blended_run, tmp_path):
    import shutil

    copy = tmp_path / "run"
    shutil.copytree(blended_run, copy)
    meta = json.loads((copy / "model.json").read_text())
    (copy / "model.json").write_text(json.dumps({**meta, "file": "../other/blend"}))
    with pytest.raises(TuneplateError, match="outside its folder"):
        Model.load(copy)


def test_the_recommended_baselines_holdout_sentence_is_not_called_the_blends(
    blended_run, monkeypatch
):
    from dataclasses import replace

    from tuneplate.reports import verdict
    from tuneplate.reports.skill import holdout_drop
    from tuneplate.reports.tables import baseline_trial_scores
    from tuneplate.reports.verdict import _gap_reason

    monkeypatch.setattr(verdict, "suspicion", lambda results: None)  # the sentence itself

    results = Results.load(blended_run)
    assert results.selection.rule == "blend"
    note = "(the blend's mean on the fresh folds that chose it)"
    assert note in _gap_reason(results, holdout_drop(results))[1]
    # the baseline's figures as the report shows them when it is recommended
    # (`tables.shown`): its own trial's mean over the search's folds, not the blend's
    validation, train = baseline_trial_scores(results)
    base = replace(results, holdout=results.baseline.holdout, validation=validation, train=train)
    assert note not in _gap_reason(base, holdout_drop(base))[1]


def test_a_recommended_blend_says_the_scorecard_points_are_not_its_own():
    from dataclasses import replace

    from tuneplate.reports.scorecard import section

    # German credit, seed 1: the blend of the tuned trees and the WoE scorecard is kept
    results = tuneplate.tune("credit-risk", n_trials=20, seed=1)
    assert results.model_family == "blend" and "scorecard" in results.data
    base = results.baseline
    if base.recommended:  # the scorecard itself is recommended: its points are its own
        assert "do not add up" not in section(results).model
        results = replace(results, baseline=replace(base, decision="better"))
    said = section(results).model
    assert said.startswith("the run's baseline") and "do not add up to its score" in said


def test_compare_ranks_every_run_by_its_best_trial_on_the_search_folds(blended_run):
    """A kept blend's figure is over fresh folds and a kept baseline's is the baseline
    trial's: strategies are compared on the best trial's search-fold score."""
    from tuneplate.engine.compare import _run

    kept = tuneplate.tune("diagnosis", model="logistic", n_trials=12, seed=0, blend=False)
    assert kept.selection.kept  # the one-SE rule kept the baseline trial
    for r in (Results.load(blended_run), kept):
        done = r.trials[r.trials["state"] == "COMPLETE"]["value"].astype(float)
        best = done.max() if r.metric.direction == "maximize" else done.min()
        assert _run("random", 0, r).validation == pytest.approx(best)
        assert best != pytest.approx(r.validation)  # the figure the run itself shows


# -- faults an outside tester found in exported blends -------------------------------------


def _refused_in_one_line(done, *words):
    assert "Traceback" not in done.stderr, done.stderr
    assert done.returncode == 2, (done.stdout, done.stderr)
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr
    for word in words:
        assert word in done.stderr, done.stderr


@pytest.fixture(scope="module")
def monotone_blend(tmp_path_factory):
    """(project, the diagnosis table with worst_radius turned around as a CSV): a blend of
    two logistic models tuned with worst_radius=+1, exported."""
    root = tmp_path_factory.mktemp("monotone")
    args = ["--trials", "12", "--seed", "3", "--strategy", "random", "--calibrate", "platt"]
    monotone = ["--monotone", "worst_radius=+1,mean_concave_points=+1"]
    assert main(["run", "diagnosis", *args, *monotone, "--out", str(root / "run")]) == 0
    assert json.loads((root / "run" / "model.json").read_text())["family"] == "blend"
    assert main(["export", str(root / "run"), "--to", str(root / "project")]) == 0
    table = tuneplate.load_vertical("diagnosis").example().table
    table["worst_radius"] = 40 - table["worst_radius"]
    table.to_csv(root / "flipped.csv", index=False)
    return root / "project", root / "flipped.csv"


def test_exported_train_refuses_a_logistic_fit_against_the_runs_monotone_direction(
    monotone_blend,
):
    """train.py wrote logistic coefficients of the wrong sign where tuneplate refuses."""
    project, flipped = monotone_blend
    done = without_tuneplate(project, "train.py", "--data", flipped, "--out", "flipped")
    _refused_in_one_line(done, "'worst_radius'", "monotone direction +1", "coefficient")
    assert re.search(r"coefficient of 'worst_radius' is -\d", done.stderr), done.stderr
    assert not (project / "flipped").exists()  # nothing written


@pytest.fixture(scope="module")
def blend_project(blended_run, tmp_path_factory):
    """The diagnosis blend run exported, and its table as a CSV; tests tamper with copies."""
    root = tmp_path_factory.mktemp("tampered")
    assert main(["export", str(blended_run), "--to", str(root / "project")]) == 0
    data.load().table.to_csv(root / "table.csv", index=False)
    return root / "project", root / "table.csv"


def _tampered_copy(blend_project, tmp_path, change):
    import shutil

    project, table = blend_project
    copy = tmp_path / "project"
    shutil.copytree(project, copy)
    index_path = copy / "model" / "blend" / blend.INDEX
    index = json.loads(index_path.read_text())
    change(index["members"], copy / "model" / "blend")
    index_path.write_text(json.dumps(index))
    return copy, table


def _weights(*weights):
    def change(members, folder):
        members[:] = members[: len(weights)]
        for member, weight in zip(members, weights, strict=True):
            member["weight"] = weight

    return change


@pytest.mark.parametrize(
    "change",
    [_weights(2, -1), _weights(0.3, 0.3), _weights(1.0)],
    ids=["negative", "not-summing-to-1", "one-member"],
)
def test_exported_score_refuses_blend_weights_tuneplate_refuses(blend_project, tmp_path, change):
    project, table = _tampered_copy(blend_project, tmp_path, change)
    done = without_tuneplate(project, "score.py", "--data", table, "--out", "s.csv")
    _refused_in_one_line(done, "two or more members with positive weights summing to 1")
    assert not (project / "s.csv").exists()


def _missing_member(members, folder):
    (folder / members[1]["file"]).unlink()


def _parent_member(members, folder):
    members[1]["file"] = ".."


@pytest.mark.parametrize(
    ("change", "words"),
    [(_missing_member, "2-model.skops is missing"), (_parent_member, "outside its folder")],
    ids=["missing", "dot-dot"],
)
def test_exported_score_refuses_a_member_file_it_cannot_read(
    blend_project, tmp_path, change, words
):
    project, table = _tampered_copy(blend_project, tmp_path, change)
    done = without_tuneplate(project, "score.py", "--data", table, "--out", "s.csv")
    _refused_in_one_line(done, words)
    trained = without_tuneplate(project, "train.py", "--data", table, "--out", "refit")
    _refused_in_one_line(trained, words)
    assert not (project / "s.csv").exists() and not (project / "refit").exists()


def _run_copy(blended_run, tmp_path):
    import shutil

    copy = tmp_path / "run"
    shutil.copytree(blended_run, copy)
    return copy


def test_export_refuses_a_run_whose_member_file_is_missing(blended_run, tmp_path, capsys):
    run = _run_copy(blended_run, tmp_path)
    (run / "blend" / "2-model.skops").unlink()
    capsys.readouterr()
    assert main(["export", str(run), "--to", str(tmp_path / "project")]) == 2
    err = capsys.readouterr().err.strip()
    assert "its model could not be loaded" in err and len(err.splitlines()) == 1, err
    assert "Traceback" not in err and not (tmp_path / "project").exists()


def test_export_refuses_a_blend_json_naming_other_members_than_model_json(
    blended_run, tmp_path, capsys
):
    """A third member in blend.json: Model.load read it, export crashed in zip and train.py
    would have paired settings by position."""
    run = _run_copy(blended_run, tmp_path)
    index = json.loads((run / "blend" / blend.INDEX).read_text())
    third = {**index["members"][1], "file": "3-model.skops"}
    second = (run / "blend" / index["members"][1]["file"]).read_bytes()
    (run / "blend" / third["file"]).write_bytes(second)
    weights = [0.4, 0.3, 0.3]
    index["members"] = [*index["members"], third]
    for member, weight in zip(index["members"], weights, strict=True):
        member["weight"] = weight
    (run / "blend" / blend.INDEX).write_text(json.dumps(index))
    Model.load(run)  # tuneplate itself reads it
    capsys.readouterr()
    assert main(["export", str(run), "--to", str(tmp_path / "project")]) == 2
    err = capsys.readouterr().err.strip()
    assert "model.json's parameters" in err and len(err.splitlines()) == 1, err
    assert not (tmp_path / "project").exists()


def test_export_refuses_to_write_inside_a_run_or_an_exports_model_folder(
    blended_run, blend_project, capsys
):
    for to in (blended_run / "sub", blend_project[0] / "model" / "sub"):
        capsys.readouterr()
        assert main(["export", str(blended_run), "--to", str(to)]) == 2
        err = capsys.readouterr().err.strip()
        assert "inside" in err and len(err.splitlines()) == 1, err
        assert not to.exists()


def test_exported_readme_keeps_its_paragraphs_apart_and_pyproject_lists_validate(
    blend_project,
):
    project, _ = blend_project
    lines = (project / "README.md").read_text().splitlines()
    for i, line in enumerate(lines):
        if line.startswith(("```bash", "**Not the model")):
            assert lines[i - 1] == "", lines[i - 1 : i + 1]
    modules = tomllib.loads((project / "pyproject.toml").read_text())["tool"]["setuptools"]
    assert "validate" in modules["py-modules"]
