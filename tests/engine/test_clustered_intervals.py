"""Rows that repeat a patient or a customer (`--group`) count once in every interval.

Writing each applicant's row four times adds no evidence, but intervals computed as if
rows were independent shrink by half: a verdict ("recalibrate", "redevelop") or a profit
range would then be sure of what four copies cannot tell. With the copies named as one
entity, each interval here must be the one the table gives without copies: the AUROC's
(Obuchowski 1997), calibration's (cluster-robust sandwich), the credit profit's
(cluster bootstrap), in `tuneplate validate`, the exported validate.py and a run.
"""

from __future__ import annotations

import json
import warnings

import numpy as np
import pandas as pd
import pytest
from cli_checks import without_tuneplate

import tuneplate
from tuneplate.cli import main
from tuneplate.engine.contract.group_ids import entity_clusters, read_group_ids
from tuneplate.engine.contract.intervals import (
    auroc_se,
    calibration,
    clustered_auroc_se,
    development_auroc_se,
    event_rate_interval,
)
from tuneplate.engine.contract.profile import Bands, Profile
from tuneplate.verticals.credit_risk.metrics import ASSUMPTIONS, profit_intervals

COPIES = 4


def _scored(n: int = 400, seed: int = 0):
    """Outcomes and somewhat miscalibrated probabilities for `n` independent rows."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=n)
    y = (rng.random(n) < 1 / (1 + np.exp(-(1.3 * x - 1)))).astype(int)
    return y, 1 / (1 + np.exp(-(x - 0.8)))


def _copies(*arrays):
    """Each row written COPIES times in a row, and the id naming the copies of a row."""
    n = len(arrays[0])
    return (*(np.repeat(a, COPIES) for a in arrays), np.repeat(np.arange(n), COPIES))


def _width(interval) -> float:
    return interval[1] - interval[0]


def _profile(events: int, rows: int, auroc_se: float | None = None) -> Profile:
    """A development profile holding only what the AUROC's standard error reads."""
    return Profile(rows, Bands((1.0, 0.0)), events=events, auroc_se=auroc_se)


def test_one_row_per_entity_gives_delongs_standard_error():
    y, p = _scored(120, seed=3)
    pos, neg = p[y == 1], p[y == 0]
    psi = (pos[:, None] > neg[None, :]) + 0.5 * (pos[:, None] == neg[None, :])
    v10, v01 = psi.mean(axis=1), psi.mean(axis=0)  # DeLong et al. 1988, by brute force
    delong = np.sqrt(v10.var(ddof=1) / len(pos) + v01.var(ddof=1) / len(neg))
    assert clustered_auroc_se(y, p, np.arange(len(y))) == pytest.approx(delong, rel=1e-12)


def test_copies_of_each_row_leave_the_auroc_standard_error_as_it_was():
    y, p = _scored()
    alone = clustered_auroc_se(y, p, np.arange(len(y)))
    y4, p4, ids = _copies(y, p)
    assert clustered_auroc_se(y4, p4, ids) == pytest.approx(alone, rel=1e-9)
    # the fault it mends: counted as rows, four copies halve the standard error
    assert clustered_auroc_se(y4, p4, np.arange(len(y4))) < 0.6 * alone


def test_copies_of_each_row_leave_the_calibration_intervals_as_they_were():
    y, p = _scored()
    alone = calibration(y, p, np.arange(len(y)))
    y4, p4, ids = _copies(y, p)
    grouped, by_rows = calibration(y4, p4, ids), calibration(y4, p4)
    assert grouped.intercept == pytest.approx(alone.intercept, abs=1e-6)
    assert grouped.slope == pytest.approx(alone.slope, abs=1e-6)
    for name in ("intercept_interval", "slope_interval"):
        assert _width(getattr(grouped, name)) == pytest.approx(
            _width(getattr(alone, name)), rel=0.01
        )
        assert _width(getattr(by_rows, name)) < 0.6 * _width(getattr(alone, name))


def test_entities_with_different_row_counts_widen_the_calibration_interval():
    """Some patients seen many times, some once, each with a risk of their own that the
    model does not know: calibration-in-the-large's sandwich interval is wider than the
    rows' Wald one (the slope's need not be: its input varies within a patient)."""
    rng = np.random.default_rng(5)
    visits = rng.integers(1, 12, 80)
    ids = np.repeat(np.arange(80), visits)
    risk = rng.normal(0, 1, len(ids))
    own = np.repeat(rng.normal(0, 1.5, 80), visits)  # the patient's, unknown to the model
    y = (rng.random(len(ids)) < 1 / (1 + np.exp(-(risk + own)))).astype(int)
    p = 1 / (1 + np.exp(-risk))
    grouped, by_rows = calibration(y, p, ids), calibration(y, p)
    assert _width(grouped.intercept_interval) > 1.3 * _width(by_rows.intercept_interval)
    assert np.isfinite(grouped.slope_interval).all()


def test_copies_of_each_loan_leave_the_profit_interval_as_it_was():
    y, p = _scored(300)
    approved = p < np.quantile(p, 0.7)
    alone = profit_intervals(y, [approved], ASSUMPTIONS)[0]
    y4, a4, ids = _copies(y, approved)
    assert profit_intervals(y4, [a4], ASSUMPTIONS, groups=ids)[0] == pytest.approx(alone)
    assert _width(profit_intervals(y4, [a4], ASSUMPTIONS)[0]) < 0.6 * _width(alone)


def test_clusters_keep_ids_together_and_rows_without_one_alone():
    ids = read_group_ids(pd.Series(["P1", "P2", "n/a", "P1", "", "P2"]), "patient")
    codes = ids.clusters()
    assert codes[0] == codes[3] and codes[1] == codes[5]
    assert len({codes[2], codes[4], codes[0], codes[1]}) == 4  # the two without an id apart
    assert entity_clusters(pd.Series(["a", "b", "c"]), "patient") is None  # none repeats


# --- tuneplate validate, the exported validate.py and a run -------------------------


def _loan_table(n: int, rng) -> pd.DataFrame:
    """`n` independent loans: a debt ratio, and a bad/good status that rises with it."""
    debt = rng.uniform(0, 1, n).round(3)
    bad = rng.random(n) < 1 / (1 + np.exp(-(3 * debt - 1.8)))
    return pd.DataFrame({"debt_ratio": debt, "status": np.where(bad, "bad", "good")})


@pytest.fixture(scope="module")
def loans(tmp_path_factory):
    """A logistic credit run on independent loans, exported, and its copied hold-out."""
    rng = np.random.default_rng(0)
    root = tmp_path_factory.mktemp("grouped")
    table = _loan_table(1200, rng)
    table.to_csv(root / "train.csv", index=False)
    run, project = root / "run", root / "project"
    args = ["--target", "status", "--model", "logistic", "--trials", "2", "--out", str(run)]
    assert main(["run", "credit-risk", "--data", str(root / "train.csv"), *args]) == 0
    assert main(["export", str(run), "--to", str(project)]) == 0
    new = pd.DataFrame({"debt_ratio": rng.uniform(0, 1, 400).round(3)})
    new["status"] = np.where(rng.random(400) < 1 / (1 + np.exp(-(3 * new.debt_ratio - 1.8))),
                             "bad", "good")  # fmt: skip
    new.insert(0, "customer", [f"C{i:04d}" for i in range(len(new))])
    copied = new.loc[new.index.repeat(COPIES)].reset_index(drop=True)
    new.to_csv(root / "new.csv", index=False)
    copied.to_csv(root / "copied.csv", index=False)
    return root, run, project


def _validate(run, data, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return tuneplate.validate(run, data, model="tuned", **kwargs)


def test_validate_counts_customers_not_their_copied_rows(loans):
    root, run, _ = loans
    alone = _validate(run, root / "new.csv")
    grouped = _validate(run, root / "copied.csv", group="customer")
    by_rows = _validate(run, root / "copied.csv")  # the run had no --group: rows
    a, g, r = alone.auroc, grouped.auroc, by_rows.auroc
    assert g.new == pytest.approx(a.new, abs=1e-12)
    # Obuchowski's (copies named) against the run's bootstrap (no copies): close
    assert _width(g.new_interval) == pytest.approx(_width(a.new_interval), rel=0.05)
    assert _width(r.new_interval) < 0.6 * _width(a.new_interval)
    for name in ("intercept_interval", "slope_interval"):
        a, g = getattr(alone.calibration, name), getattr(grouped.calibration, name)
        r = getattr(by_rows.calibration, name)
        # the sandwich (copies) and Wald (no copies) differ a little; rows by half
        assert _width(g) == pytest.approx(_width(a), rel=0.1)
        assert _width(r) < 0.6 * _width(a)
    assert any("the 400 entities, not the 1,600 rows" in n for n in grouped.notes)
    assert not any("entities" in n for n in alone.notes)


def test_the_event_rate_trigger_counts_customers_not_their_copied_rows(loans):
    """The trigger "the observed event rate moves away" fires when the development rate
    lies outside the new rows' 95% interval; four copies of each row must not halve it."""
    root, run, _ = loans
    alone = _validate(run, root / "new.csv")
    grouped = _validate(run, root / "copied.csv", group="customer")
    by_rows = _validate(run, root / "copied.csv")
    assert grouped.event_rate == pytest.approx(alone.event_rate)
    # the sandwich's G/(G-1) factor against Wald's n: equal to a fraction of a percent
    assert _width(grouped.event_rate_interval) == pytest.approx(
        _width(alone.event_rate_interval), rel=0.01
    )
    assert _width(by_rows.event_rate_interval) == pytest.approx(
        _width(alone.event_rate_interval) / 2, rel=0.01
    )
    rule = "The observed event rate moves away"
    half = {
        name: next(t.reading for t in v.triggers if t.rule.startswith(rule))
        for name, v in (("alone", alone), ("grouped", grouped))
    }
    assert half["grouped"] == half["alone"]  # the same "(±x.x%)" as the uncopied rows


def test_too_few_entities_give_no_event_rate_interval():
    y, _ = _scored(15 * 40, seed=2)
    assert event_rate_interval(y, np.repeat(np.arange(15), 40)) is None
    low, high = event_rate_interval(y)
    assert low < y.mean() < high


def test_the_exported_validate_counts_the_same_customers(loans):
    root, run, project = loans
    engine = _validate(run, root / "copied.csv", group="customer")
    args = ["--data", str(root / "copied.csv"), "--group", "customer", "--out", "g.json"]
    done = without_tuneplate(project, "validate.py", *args)
    assert done.returncode == 0, done.stderr
    exported = json.loads((project / "g.json").read_text())
    assert exported["verdict"] == engine.verdict and exported["group"] == "customer"
    # the same clustered standard errors, by the same code (contract.monitoring)
    fit = engine.calibration
    for name in ("intercept_interval", "slope_interval"):
        assert exported["calibration"][name] == pytest.approx(list(getattr(fit, name)))
    # the AUROC figure too: both Obuchowski's, whatever the run's metric
    for name in ("new_interval", "difference_interval"):
        assert exported["auroc"][name] == pytest.approx(list(getattr(engine.auroc, name)))


def test_the_outcome_column_is_refused_as_the_group(loans):
    root, run, _ = loans
    with pytest.raises(tuneplate.TuneplateError, match="'status' is the outcome column"):
        _validate(run, root / "new.csv", group="status")


def test_a_grouped_runs_rows_without_the_group_column_are_said(tmp_path):
    """The run kept each customer's rows together; new rows without that column would be
    counted as independent rows without a word (narrower intervals, another verdict)."""
    rng = np.random.default_rng(1)

    def customers() -> pd.DataFrame:  # 200 customers with three loans each
        table = pd.DataFrame({"debt_ratio": rng.uniform(0, 1, 600).round(3)})
        bad = rng.random(600) < 0.2 + 0.5 * table.debt_ratio
        table["status"] = np.where(bad, "bad", "good")
        table["customer"] = np.repeat([f"C{i:03d}" for i in range(200)], 3)
        return table

    customers().to_csv(tmp_path / "train.csv", index=False)
    run, project = tmp_path / "run", tmp_path / "project"
    args = ["--target", "status", "--group", "customer", "--model", "logistic", "--trials", "2"]
    assert main(["run", "credit-risk", "--data", str(tmp_path / "train.csv"), *args,
                 "--out", str(run)]) == 0  # fmt: skip
    assert main(["export", str(run), "--to", str(project)]) == 0
    table = customers()  # later loans: validate refuses the development table itself
    table.drop(columns="customer").to_csv(tmp_path / "new.csv", index=False)
    said = "The run kept the rows of each 'customer' together, but these rows lack"
    assert any(said in n for n in _validate(run, tmp_path / "new.csv").notes)
    done = without_tuneplate(project, "validate.py", "--data", str(tmp_path / "new.csv"))
    assert done.returncode == 0 and said in done.stdout, done.stderr
    # with the column, both count the customers and say so
    table.to_csv(tmp_path / "with.csv", index=False)
    assert any("200 entities" in n for n in _validate(run, tmp_path / "with.csv").notes)


@pytest.mark.parametrize("how", ["api", "cli", "exported"])
def test_a_group_column_the_rows_lack_is_refused_in_one_line(loans, how, capsys):
    root, run, project = loans
    if how == "api":
        with pytest.raises(tuneplate.TuneplateError, match="'patient' is not in the new rows"):
            _validate(run, root / "new.csv", group="patient")
    elif how == "cli":
        code = main(["validate", str(run), "--data", str(root / "new.csv"), "--group", "patient",
                     "--out", str(root / "v-cli")])  # fmt: skip
        err = capsys.readouterr().err.strip().splitlines()
        assert code == 2 and len(err) == 1 and "'patient'" in err[0] and "--group" in err[0]
    else:
        args = ["--data", str(root / "new.csv"), "--group", "patient", "--out", "x.json"]
        done = without_tuneplate(project, "validate.py", *args)
        lines = done.stderr.strip().splitlines()
        assert done.returncode == 2 and len(lines) == 1 and "'patient'" in lines[0]


def test_fewer_entities_than_the_floor_give_no_interval_and_the_verdict_says_so():
    """15 customers seen 40 times: no clustered interval (with few clusters the sandwich
    and Obuchowski's variance are far too narrow), and "still performs" says what it
    could not judge instead of passing silently."""
    from tuneplate.engine.contract.intervals import MIN_ENTITIES, auroc_figure
    from tuneplate.engine.contract.monitoring import STILL, verdict

    y, p = _scored(15 * 40, seed=2)
    ids = np.repeat(np.arange(15), 40)
    assert 15 < MIN_ENTITIES
    assert np.isnan(clustered_auroc_se(y, p, ids))
    fit = calibration(y, p, ids)
    assert np.isnan(fit.intercept_interval).all() and np.isfinite(fit.intercept)
    figure = auroc_figure(y, p, 0.75, _profile(100, 400), ids)
    said, reasons = verdict(figure, fit, ())
    assert said == STILL
    assert "the AUROC's change and calibration could not be judged" in reasons[1]
    # the same rows as 600 independent ones are judged (and found miscalibrated)
    judged = verdict(auroc_figure(y, p, 0.75, _profile(100, 400)), calibration(y, p), ())
    assert judged[0] != STILL and not any("could not be judged" in r for r in judged[1])


def test_raw_ids_with_missing_values_are_entities_of_their_own():
    y, p = _scored(400)
    ids = np.repeat(np.arange(100.0), 4)
    ids[::9] = np.nan  # a float id column with blanks
    assert np.isfinite(clustered_auroc_se(y, p, ids))
    assert np.isfinite(calibration(y, p, ids).slope_interval).all()
    assert np.isfinite(profit_intervals(y, [p < 0.5], ASSUMPTIONS, groups=ids)[0]).all()


# --- the development side of a grouped run ---------------------------------------------


def test_the_development_auroc_se_is_the_saved_clustered_one_else_the_count_formula():
    hanley = auroc_se(0.8, 100, 300)  # 100 events among 400 rows
    assert development_auroc_se(0.8, _profile(100, 400)) == hanley
    assert development_auroc_se(0.8, _profile(100, 400, auroc_se=0.05)) == 0.05
    assert np.isnan(development_auroc_se(0.8, None))
    assert np.isnan(development_auroc_se(0.8, _profile(None, 400)))
    # saved and read back: a finite one as it was, too few entities (NaN) as NaN, and a
    # file without the key (ungrouped, or saved before) as the count formula
    for se in (0.05, float("nan"), None):
        back = Profile.from_dict(json.loads(json.dumps(_profile(100, 400, se).to_dict())))
        assert back.auroc_se == se or (np.isnan(se) and np.isnan(back.auroc_se))
    assert "auroc_se" not in _profile(100, 400).to_dict()


@pytest.fixture(scope="module")
def grouped_loans(tmp_path_factory):
    """A credit run on 300 customers with four loans each, kept together (--group)."""
    root = tmp_path_factory.mktemp("grouped_run")
    table = _loan_table(300, np.random.default_rng(3))
    table.insert(0, "customer", [f"C{i:04d}" for i in range(len(table))])
    copied = table.loc[table.index.repeat(COPIES)].reset_index(drop=True)
    copied.to_csv(root / "train.csv", index=False)
    later = _loan_table(300, np.random.default_rng(4))  # validate refuses the run's own rows
    later.insert(0, "customer", [f"D{i:04d}" for i in range(len(later))])
    later.loc[later.index.repeat(COPIES)].to_csv(root / "later.csv", index=False)
    run = root / "run"
    args = ["--target", "status", "--group", "customer", "--model", "logistic", "--trials", "2"]
    assert main(["run", "credit-risk", "--data", str(root / "train.csv"), *args,
                 "--out", str(run)]) == 0  # fmt: skip
    return root, run


def test_a_grouped_runs_development_auroc_interval_counts_its_customers(grouped_loans):
    """The development hold-out held each customer's four loans; its AUROC interval in
    validate must count the customers, as the new rows' does, not the loans (a
    difference interval half as wide would call a change that four copies cannot tell)."""
    root, run = grouped_loans
    profile = tuneplate.Results.load(run).model.profile
    assert profile.auroc_se is not None and np.isfinite(profile.auroc_se)
    v = _validate(run, root / "later.csv", group="customer")
    from tuneplate.engine.contract.intervals import _logit_around

    dev, width = v.auroc.development, _width(v.auroc.development_interval)
    assert v.auroc.development_interval == pytest.approx(_logit_around(dev, profile.auroc_se))
    rows_se = auroc_se(dev, profile.events, profile.rows - profile.events)
    by_rows = _width(_logit_around(dev, rows_se))
    assert width > 1.6 * by_rows  # four copies: about twice as wide as rows would say
