"""The tuning appendix of an `auto` run: trials and best score per model family."""

from __future__ import annotations

import numpy as np

from tuneplate.reports import render
from tuneplate.reports.sections import families


def _auto(make_results):
    results = make_results()
    trials = results.trials.copy()
    trials["family"] = ["logistic", "lightgbm", "xgboost"] * 4  # 10 complete, 1 pruned, 1 failed
    results.trials = trials
    results.model_family = "lightgbm"
    results.data = {**results.data, "families": ["logistic", "lightgbm", "xgboost"]}
    return results, trials


def test_families_table_counts_trials_and_best_score_per_family(make_results):
    results, trials = _auto(make_results)
    table = families(results)
    frame = table.frame.set_index("Model family")
    for name, group in trials.groupby("family"):
        assert frame.loc[name, "Trials"] == len(group)
        done = group[group["state"] == "COMPLETE"]
        assert frame.loc[name, "Completed"] == len(done)
        assert np.isclose(frame.loc[name, "Best score"], done["value"].max())
    assert frame.loc["lightgbm", "Chosen"] == "yes"
    assert frame.loc["xgboost", "Chosen"] == ""


def test_report_shows_the_families_only_for_auto_runs(make_results, page):
    results, _ = _auto(make_results)
    html = render(results)
    assert 'data-table="families"' in html
    assert "chosen by the search among logistic, lightgbm, xgboost" in html
    assert 'data-table="families"' not in page
    assert families(make_results()) is None
