"""The WoE scorecard family: its JSON file, exact contributions, points and IV, and its
place as the credit vertical's baseline (issue #17 §5)."""

import json
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

import tuneplate
from tuneplate.cli import main
from tuneplate.engine.contract import binning
from tuneplate.engine.contract.kinds import MIN_LEVEL_ROWS
from tuneplate.engine.contract.schema import OTHER, Schema
from tuneplate.engine.contract.scorecard import MISSING, TREND, UNSEEN, Bins, Scorecard
from tuneplate.engine.families import scorecard
from tuneplate.engine.families.base import Fit, MonotoneViolation
from tuneplate.engine.families.models import Model
from tuneplate.engine.families.registry import FAMILIES
from tuneplate.verticals.credit_risk import VERTICAL as CREDIT

# Runs a script with tuneplate and optbinning unimportable: the exported score.py must
# need neither (the scorecard is JSON read with NumPy).
WITHOUT_BOTH = (
    "import runpy, sys; sys.modules['tuneplate'] = None; sys.modules['optbinning'] = None; "
    "sys.argv = sys.argv[1:]; runpy.run_path(sys.argv[0], run_name='__main__')"
)


@pytest.fixture(scope="module")
def design(german_credit):
    """The German table as the schema gives it to a family (rare levels pooled into
    "(other)"), some durations missing."""
    table = german_credit.copy()
    table.loc[::37, "duration_in_month"] = np.nan
    y = (table.pop("creditability") == "bad").astype(int).to_numpy()
    schema = Schema.learn(table, list(table.columns))[0].fit_levels(table)[0]
    return schema.encode(table)[0], y


@pytest.fixture(scope="module")
def fitted(design):
    X, y = design
    space = FAMILIES["scorecard"].space
    return FAMILIES["scorecard"].fit({**space.fixed, **space.start}, X, y, None, None, Fit(0))


def test_a_reloaded_scorecard_predicts_identically(fitted, design, tmp_path):
    X, _ = design
    family = FAMILIES["scorecard"]
    family.save(fitted.estimator, tmp_path / family.file)
    saved = json.loads((tmp_path / family.file).read_text())  # plain JSON, no pickle
    assert saved["format"] == "tuneplate-scorecard/1" and saved["inputs"]
    loaded = family.load(tmp_path / family.file)
    np.testing.assert_allclose(
        loaded.predict_proba(X), fitted.estimator.predict_proba(X), rtol=0, atol=1e-12
    )


def test_missing_and_unseen_levels_score_as_documented(fitted, design):
    X, _ = design
    card = fitted.estimator
    rows = X.iloc[:2].copy()
    rows["duration_in_month"] = np.nan
    rows["purpose"] = pd.Categorical([None, None], categories=X["purpose"].cat.categories)
    woe = pd.DataFrame(card.design(rows), columns=[b.name for b in card.inputs])
    bins = {b.name: b for b in card.inputs}
    assert (woe["duration_in_month"] == bins["duration_in_month"].missing_woe).all()
    assert (woe["purpose"] == bins["purpose"].missing_woe).all()
    unseen = X.iloc[:1].copy()
    unseen["purpose"] = pd.Categorical(["never seen"])
    assert card.design(unseen)[0, list(bins).index("purpose")] == 0.0  # optbinning's default


def test_contributions_sum_to_the_margin(fitted, design):
    X, _ = design
    values = FAMILIES["scorecard"].contributions(fitted.estimator, X)
    assert values.shape == (len(X), X.shape[1] + 1)
    margin = fitted.estimator.decision_function(X)
    np.testing.assert_allclose(values.sum(axis=1), margin, rtol=0, atol=1e-6)
    # relative to the training mean: each input's contributions average to 0 on training
    np.testing.assert_allclose(values[:, :-1].mean(axis=0), 0, atol=1e-9)


def test_points_and_iv_are_aggregates_only(fitted, design):
    X, y = design
    summary = scorecard.summary(fitted.estimator)
    assert summary["assumptions"]["pdo"] == 20 and summary["assumptions"]["base_points"] == 600
    assert summary["iv"]["status_of_existing_checking_account"] > 0.3  # the known strong one
    assert set(summary["iv"]) == set(X.columns)
    points = pd.DataFrame(summary["points"])
    assert set(points["input"]) == set(X.columns)
    binned = points[~points["bin"].isin([MISSING]) & ~points["bin"].str.startswith(UNSEEN)]
    # each bin is a range or a group of levels that many applicants share
    assert (binned["count"] >= MIN_LEVEL_ROWS).all()
    for bins in fitted.estimator.inputs:
        if bins.kind == "numeric":  # no split is a midpoint of two neighbouring values
            x = np.sort(X[bins.name].dropna().unique().astype(float))
            assert not set(bins.splits) & set((x[:-1] + x[1:]) / 2)
        for group in bins.groups:  # levels the schema kept; "(other)" pools rare ones
            for level in set(group) - {OTHER}:
                assert (X[bins.name] == level).sum() >= MIN_LEVEL_ROWS
    # the points add up to the scaled score: offset + factor x ln(odds of no event)
    factor, offset = scaling = scorecard.scaling()
    row = X.iloc[[0]]
    score = offset - factor * fitted.estimator.decision_function(row)[0]
    total = 0.0
    for bins, value in zip(fitted.estimator.inputs, fitted.estimator.design(row)[0], strict=True):
        total += -(bins.coef * value + fitted.estimator.intercept / X.shape[1]) * factor
    assert total + offset == pytest.approx(score) and scaling[0] == pytest.approx(28.8539, 1e-4)


def test_monotone_directions_bin_that_way_or_refuse(design):
    X, y = design
    family = FAMILIES["scorecard"]
    params = {**family.space.fixed, **family.space.start}
    for sign in (1, -1):  # longer loans never safer; and the reverse, which the data denies
        signs = tuple(sign if c == "duration_in_month" else 0 for c in X.columns)
        card = family.fit(params, X, y, None, None, Fit(0, monotone=signs)).estimator
        bins = next(b for b in card.inputs if b.name == "duration_in_month")
        assert (np.diff(bins.coef * np.asarray(bins.woe)) * sign >= 0).all()
        rates = np.asarray(bins.events) / np.asarray(bins.count)
        assert (np.diff(rates) * sign >= 0).all()  # the bins' event rate follows it too
    # a weight that turns the binned trend around is refused in one line
    turned = Bins("duration", "numeric", (0.5, 0.0, -0.5), (50, 50, 50), (10, 15, 25),
                  0.0, 0, 0, coef=1.0, splits=(12.0, 24.0))  # fmt: skip
    with pytest.raises(MonotoneViolation, match="'duration' go against its monotone"):
        scorecard.check_monotone(Scorecard((turned,), 0.0, {}), Fit(0, monotone=(1,)))


def test_the_credit_baseline_is_the_scorecard_with_its_difference():
    assert CREDIT.baseline_family == "scorecard" and "scorecard" in CREDIT.spaces
    results = tuneplate.tune("credit-risk", strategy="random", n_trials=3, seed=0)
    base = results.baseline
    assert base.family == "scorecard" and base.holdout > 0.7
    assert base.difference is not None and base.interval is not None
    low, high = base.interval
    assert low < base.difference < high
    summary = results.data["scorecard"]
    assert summary["model"] == "baseline" and summary["points"]
    assert "status_of_existing_checking_account" in summary["iv"]


def test_an_exported_scorecard_scores_without_tuneplate_or_optbinning(german_credit, tmp_path):
    data, run, project = tmp_path / "german.csv", tmp_path / "run", tmp_path / "project"
    german_credit.to_csv(data, index=False)
    args = ["run", "credit-risk", "--data", str(data), "--target", "creditability"]
    assert main([*args, "--model", "scorecard", "--trials", "2", "--out", str(run)]) == 0
    assert main(["export", str(run), "--to", str(project)]) == 0
    done = subprocess.run(
        [sys.executable, "-c", WITHOUT_BOTH, "score.py", "--data", str(data), "--out", "s.csv"],
        cwd=project,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    expected = Model.load(run).predict_proba(german_credit)[:, 1]
    exported = pd.read_csv(project / "s.csv")["probability"].to_numpy()
    np.testing.assert_allclose(exported, expected, rtol=0, atol=1e-12)
    assert isinstance(Model.load(run).estimator, Scorecard)
    explained = Model.load(run).explain(german_credit.head(5))  # `tuneplate explain`
    logit = np.log(expected[:5] / (1 - expected[:5]))
    np.testing.assert_allclose(explained.sum(axis=1), logit, atol=1e-6)


def test_a_column_without_values_in_a_fold_scores_as_missing(design):
    X, y = design
    fold = X.iloc[:300].assign(duration_in_month=np.nan)  # no value left in these rows
    card = FAMILIES["scorecard"].fit({"C": 1.0}, fold, y[:300], None, None, Fit(0)).estimator
    bins = next(b for b in card.inputs if b.name == "duration_in_month")
    assert bins.missing_count == 300 and bins.missing_woe == 0.0 and bins.coef == 0.0
    assert np.isfinite(card.predict_proba(X)[:, 1]).all()  # later rows with values: WoE 0


@pytest.mark.parametrize("options", [["--assume", "central_tendency=0.04"],
                                     ["--calibrate", "platt"]])  # fmt: skip
def test_points_add_up_to_the_score_of_the_pd_the_saved_model_gives(options, tmp_path):
    """The points table ignored --assume central_tendency (a shift of -2.87 on the
    log-odds): an applicant's points were 83 below the score the stated scaling gives the
    PD the run uses for its cut-off, so "600 points at 50:1" read 833:1 (a validator's
    recomputation). Platt's map is linear on the log-odds too."""
    out = tmp_path / "run"
    args = ["--model", "scorecard", "--trials", "2", *options, "--out", str(out)]
    assert main(["run", "credit-risk", *args]) == 0
    summary = json.loads((out / "results.json").read_text())["data"]["scorecard"]
    points = pd.DataFrame(summary["points"])
    rows = CREDIT.example().table.head(200)
    model = Model.load(out)
    X, _ = model.schema.encode(rows)
    total = np.zeros(len(X))
    for bins in model.estimator.inputs:
        table = points[points["input"] == bins.name]
        look = dict(zip(table["woe"], table["points"], strict=True))
        total += np.array([look[w] for w in np.round(bins.values(X), 4)])
    pd_ = model.predict_proba(rows)[:, 1]
    factor, offset = summary["assumptions"]["factor"], summary["assumptions"]["offset"]
    implied = offset + factor * np.log((1 - pd_) / pd_)
    assert np.abs(total - implied).max() < 0.1 * len(model.estimator.inputs)  # rounding only


def test_an_unseen_level_scores_the_points_the_table_gives_it(tmp_path):
    """A new `purpose` level is read as "(other)" (the pooled rare levels), which the
    binning grouped with "car (used)": it scored that bin's 52.9 points while the table's
    "Unseen levels" row said WoE 0, 30.1 points (a validator's recomputation)."""
    out = tmp_path / "run"
    assert main(["run", "credit-risk", "--model", "scorecard", "--trials", "1",
                 "--out", str(out)]) == 0  # fmt: skip
    points = pd.DataFrame(
        json.loads((out / "results.json").read_text())["data"]["scorecard"]["points"]
    )
    model = Model.load(out)
    pooled = [b for b in model.estimator.inputs if any(OTHER in g for g in b.groups)]
    assert pooled, "the embedded data pools rare levels of some input"
    rows = CREDIT.example().table.head(1).copy()
    for bins in pooled:
        name = next(f.name for f in model.schema.features if f.key == bins.name)
        rows[name] = "a level never seen"
        woe = bins.values(model.schema.encode(rows)[0])[0]
        table = points[(points["input"] == name) & points["bin"].str.startswith(UNSEEN)]
        assert len(table) == 1 and table["woe"].iloc[0] == pytest.approx(woe, abs=1e-4)
        assert "(other)" in table["bin"].iloc[0]


# optbinning's own binning table writes a text total into a float column (pandas 3)
@pytest.mark.filterwarnings("ignore::DeprecationWarning", "ignore::FutureWarning")
def test_each_inputs_bins_are_the_ones_optbinnings_binning_process_finds(design):
    """The scorecard bins each input with optbinning's `OptimalBinning` as its
    `BinningProcess` would, without the process's selection statistics: the same
    splits and counts per bin (missing values, text levels and a trend override too)."""
    from optbinning import BinningProcess

    X, y = design
    X = X.assign(purpose_text=X["purpose"].astype(str))  # a text column, not Categorical
    trends = {"credit_amount": "descending"}
    ours = binning.optimal_binnings(X, y, 20, 0.05, TREND, trends)
    categorical = [c for c in X.columns if isinstance(X[c].dtype, pd.CategoricalDtype)]
    process = BinningProcess(
        list(X.columns),
        max_n_prebins=20,
        min_prebin_size=0.05,
        categorical_variables=categorical,
        binning_fit_params={
            c: {"monotonic_trend": trends.get(c, TREND)} for c in X.columns if c not in categorical
        },
    ).fit(X, y)
    assert list(ours) == list(X.columns)
    for name, found in ours.items():
        theirs = process.get_binned_variable(name)
        assert found.dtype == theirs.dtype, name
        assert [list(np.atleast_1d(s)) for s in found.splits] == [
            list(np.atleast_1d(s)) for s in theirs.splits
        ], name
        for counts in ("n_event", "n_nonevent"):
            ours_n = getattr(found.binning_table, counts)
            np.testing.assert_array_equal(ours_n, getattr(theirs.binning_table, counts))
    assert ours["purpose_text"].dtype == "categorical"
    assert ours["credit_amount"].monotonic_trend == "descending"
