import re
import xml.etree.ElementTree as ET

import numpy as np
import pandas as pd
import pytest

from tuneplate.reports import charts, parameter_charts, sections

SVG = "{http://www.w3.org/2000/svg}svg"


@pytest.mark.parametrize("name", ["history", "calibration", "approval", "parallel"])
def test_chart_is_valid_inline_svg(results, name):
    svg = getattr(charts, name)(results)
    assert svg.startswith("<svg ") and "<?xml" not in svg and "<!DOCTYPE" not in svg
    root = ET.fromstring(svg)
    assert root.tag == SVG and root.get("id") == name
    ids = re.findall(r'\bid="([^"]+)"', svg)
    assert len(ids) > 3 and all(i == name or i.startswith(f"{name}-") for i in ids)
    refs = re.findall(r"url\(#([^)]+)\)", svg)
    assert refs and set(refs) <= set(ids)  # prefixing kept every reference pointing home
    assert f"#{name} *{{" in svg  # matplotlib's '*' style rule no longer reaches the page


def test_chart_is_deterministic(results):
    assert charts.history(results) == charts.history(results)


def test_charts_show_their_data(results):
    assert "operating point 70%" in charts.approval(results)
    assert "Best so far" in charts.history(results)
    assert "3 of 5" in charts.calibration(results)


def test_charts_are_none_without_their_inputs(results, make_results):
    data = {k: v for k, v in results.data.items() if k != "drivers"}
    bare = make_results(tables=[], trials=pd.DataFrame(), data=data)
    assert charts.charts(bare) == {
        "history": None,
        "calibration": None,
        "approval": None,
        "decision_curve": None,
        "frequencies": None,
        "air": None,
        "importance": None,
        "parallel": None,
        "slice": None,
        "contributions": None,
    }
    failed = results.trials.assign(state="FAIL")
    assert charts.history(make_results(trials=failed)) is None
    odd = results.tables[1].frame.rename(columns={"Observed bad rate": "Actual"})
    tables = [results.tables[0].__class__("calibration", "t", odd)]
    assert charts.calibration(make_results(tables=tables)) is None


def test_dollar_signs_stay_literal(results, make_results):
    calibration = results.tables[1]
    frame = calibration.frame.assign(**{"Score band": ["$1", "$2", "$3", "$4", "$5"]})
    tables = [calibration.__class__("calibration", "t", frame, formats=calibration.formats)]
    svg = charts.calibration(make_results(tables=tables))
    assert ">$1<" in svg


def _decision_results(make_results, model):
    from tuneplate.engine.results import Table

    x = [0.01, 0.05, 0.1, 0.2, 0.5]
    frame = pd.DataFrame(
        {
            "Threshold probability": x,
            "Model": model,
            "Treat all": [0.3 - 0.7 * t / (1 - t) for t in x],
            "Treat none": [0.0] * len(x),
        }
    )
    table = Table(
        "decision_curve", "Decision curve", frame, formats={"Threshold probability": "percent"}
    )
    return make_results(tables=[table], headline={"summary": [], "decision_threshold": 1 / 11})


def test_decision_curve_chart_and_caption(make_results):
    from tuneplate.reports import render, sections

    results = _decision_results(make_results, [0.31, 0.29, 0.27, 0.2, 0.1])
    svg = charts.decision_curve(results)
    root = ET.fromstring(svg)
    assert root.get("id") == "decision_curve"
    assert "Treat all" in svg and "stated costs 9%" in svg
    caption = sections.decision_curve_caption(results)
    assert caption.startswith("At every threshold probability from 1.0% to 50.0%")
    business = render(results).split('<section id="performance">')[1].split("</section>")[0]
    assert caption in business and 'id="decision_curve"' in business
    assert 'data-table="decision_curve"' not in business  # the full curve is in the appendix

    partial = _decision_results(make_results, [0.2, 0.2, 0.25, 0.2, 0.1])
    assert "at 3 of the 5 threshold probabilities shown, from 10.0% to 50.0%" in (
        sections.decision_curve_caption(partial)
    )
    useless = _decision_results(make_results, [0.0, 0.0, 0.0, -0.01, -0.02])
    assert sections.decision_curve_caption(useless).startswith("At no threshold probability")
    assert sections.decision_curve_caption(make_results()) == ""


def test_importance_chart_names_the_setting_that_mattered_most(make_results):
    svg = charts.importance(make_results(importance={"learning_rate": 0.7, "num_leaves": 0.3}))
    assert "learning_rate mattered most for the score: 70% of its variation" in svg
    # One setting explains everything by definition: no chart.
    assert charts.importance(make_results(importance={"C": 1.0})) is None


# Titles that only say what is drawn, not what it shows.
DESCRIPTIVE = re.compile(
    r"^(optimisation history|calibration|parallel coordinates|slice|decision curve|"
    r"predicted vs observed|bad rate by approval rate|parameter importance)\b",
    re.I,
)


def _svg_title(svg: str) -> str:
    return ET.fromstring(svg).get("aria-label")


def test_every_chart_is_titled_with_its_conclusion(results, make_results):
    every = {
        **charts.charts(make_results(importance={"learning_rate": 0.6, "num_leaves": 0.4})),
        "decision_curve": charts.decision_curve(
            _decision_results(make_results, [0.31, 0.29, 0.27, 0.2, 0.1])
        ),
        "slice": parameter_charts.slice_plot(
            make_results(trials=results.trials.drop(columns="params_num_leaves"))
        ),
        "frequencies": charts.frequencies(_per_1000_results(make_results)),
    }
    assert all(every.values()), [k for k, v in every.items() if not v]
    for name, svg in every.items():
        title = _svg_title(svg)
        assert title and not DESCRIPTIVE.search(title), (name, title)
        # The conclusion is drawn on the chart too (as text, first words at least).
        assert title.split()[0] in svg.split("</style>", 1)[-1], name
    titles = {name: _svg_title(svg) for name, svg in every.items()}
    assert titles["approval"] == (
        "At the operating point (70% approved) 17.0% of those approved go bad, "
        "against 30.0% approving everyone"
    )
    assert (
        titles["calibration"]
        == "Predicted and observed rates agree within 5.0 points in every band"
    )
    assert titles["history"].startswith("Best ROC AUC ")
    assert titles["decision_curve"].startswith("Acting on the model beats treating everyone")
    assert titles["importance"].startswith("learning_rate mattered most")
    assert titles["air"] == (
        "1 group gets favourable decisions at under four-fifths of the top group's rate "
        "(lowest: female (Sex), 0.667)"
    )
    assert titles["frequencies"] == (
        "Per 1,000 patients: 355 cases caught, 18 cases missed, 35 false alarms and "
        "592 correctly reassured"
    )


def _per_1000_results(make_results):
    from tuneplate.engine.results import Table

    frame = pd.DataFrame(
        {
            "Outcome": ["Cases caught", "Cases missed", "False alarms", "Correctly reassured"],
            "Per 1,000 patients": [355, 18, 35, 592],
            "Hold-out patients": [40, 2, 4, 68],
        }
    )
    table = Table("per_1000", "Per 1,000 patients", frame, formats={"Outcome": "text"})
    return make_results(tables=[table])


def test_calibration_title_names_the_worst_band(results, make_results):
    table = results.table("calibration")
    frame = table.frame.assign(**{"Observed bad rate": [0.05, 0.15, 0.2, 0.3, 0.6]})
    off = make_results(tables=[table.__class__("calibration", "t", frame, formats=table.formats)])
    assert charts.calibration_title(off) == (
        "The model over-predicts most in band 4 of 5: 40.0% predicted, 30.0% observed "
        "(10.0 points apart)"
    )


def test_history_title_says_whether_more_trials_may_help(results, make_results):
    trials = results.trials.copy()
    done = trials["state"] == "COMPLETE"
    rising = trials.assign(value=np.where(done, np.arange(len(trials)) / 100 + 0.5, np.nan))
    assert "still improving, more trials may help" in charts.history_title(
        make_results(trials=rising)
    )
    early = trials.assign(value=np.where(done, 0.6, np.nan))
    early.loc[0, "value"] = 0.8
    title = charts.history_title(make_results(trials=early))
    first = int(trials.loc[done, "number"].iloc[0])
    assert title == (
        f"Best ROC AUC 0.800 found by trial #{first} (1st of {int(done.sum())} completed); "
        f"the {int(done.sum()) - 1} completed trials after it found nothing better"
    )


def test_one_trial_has_one_name_in_title_table_and_results_json(results, make_results):
    """#16: the chart title, the best-trials table and results.json name the best trial alike."""
    trials = results.trials.copy()
    # A pruned trial first, so the best trial's number differs from its position.
    trials.loc[trials.index[0], "state"] = "PRUNED"
    done = trials["state"] == "COMPLETE"
    values = np.where(done, 0.6, np.nan)
    best_row = trials.index[done][2]
    values[trials.index.get_loc(best_row)] = 0.9
    scored = make_results(trials=trials.assign(value=values))
    number = int(trials.loc[best_row, "number"])
    assert f"trial #{number} (3rd of " in charts.history_title(scored)
    table = sections.best_trials(scored).frame
    assert int(table["Trial #"].iloc[0]) == number
    assert int(scored.trials.loc[best_row, "number"]) == number
    assert charts.ordinal(1) == "1st" and charts.ordinal(12) == "12th"
    assert charts.ordinal(23) == "23rd" and charts.ordinal(111) == "111th"


def _tuned(n: int, seed: int = 1) -> pd.DataFrame:
    """n completed trials over three settings; the score rises as learning_rate falls."""
    rng = np.random.default_rng(seed)
    lr = 10 ** rng.uniform(-3, 0, n)
    return pd.DataFrame(
        {
            "number": np.arange(n),
            "state": ["COMPLETE"] * n,
            "value": 0.8 - 0.1 * np.log10(lr) / 3 + rng.normal(0, 0.002, n),
            "params_learning_rate": lr,
            "params_num_leaves": rng.integers(4, 64, n),
            "params_boosting": rng.choice(["gbdt", "dart"], n),
        }
    )


def test_parallel_coordinates_finds_the_setting_the_best_trials_share(make_results):
    results = make_results(trials=_tuned(40), importance={})
    svg = parameter_charts.parallel(results)
    title = _svg_title(svg)
    assert title.startswith("The best 10 of 40 trials agree on learning_rate: ")
    assert title.endswith("the high end of the range tried") is False
    assert "learning_rate (log)" in svg and "boosting" in svg and "ROC AUC" in svg
    # One tuned setting: a slice plot instead, and no parallel coordinates.
    one = make_results(trials=_tuned(40)[["number", "state", "value", "params_learning_rate"]])
    assert parameter_charts.parallel(one) is None
    title = _svg_title(parameter_charts.slice_plot(one))
    assert title.startswith("The best trials have learning_rate ")


def test_a_setting_only_some_of_the_best_trials_have_is_not_what_they_agree_on(make_results):
    """`auto`: the best 3 were two XGBoost trials and one logistic; the title said they
    "agree on logistic.C: 1", a setting two of them do not have (a fresh user's run)."""
    n = 12
    rng = np.random.default_rng(2)
    family = np.where(np.arange(n) % 3 == 0, "logistic", "xgboost")
    trials = pd.DataFrame(
        {
            "number": np.arange(n),
            "state": ["COMPLETE"] * n,
            "value": np.where(family == "xgboost", 0.80, 0.70) + rng.normal(0, 0.01, n),
            "params_family": family,
            "params_logistic.C": np.where(
                family == "logistic", 10 ** rng.uniform(-2, 2, n), np.nan
            ),
            "params_xgboost.max_depth": np.where(
                family == "xgboost", rng.integers(2, 9, n), np.nan
            ),
        }
    )
    trials.loc[0, "value"] = 0.95  # one logistic trial among the best
    title = parameter_charts.parameters_title(make_results(trials=trials, importance={}))
    assert "logistic.C" not in title and "xgboost.max_depth" not in title


def test_parallel_coordinates_draw_at_most_the_best_trials(make_results):
    svg = parameter_charts.parallel(make_results(trials=_tuned(parameter_charts.MAX_LINES + 50)))
    assert f"(best {parameter_charts.MAX_LINES} trials drawn)" in _svg_title(svg)


def test_history_title_says_when_the_search_hardly_improved(results, make_results):
    trials = results.trials.copy()
    done = trials["state"] == "COMPLETE"
    flat = trials.assign(value=np.where(done, 0.790 + np.arange(len(trials)) * 1e-4, np.nan))
    title = charts.history_title(make_results(trials=flat))
    assert title == (
        "Best ROC AUC 0.791 is within 1% of the first trial's: the starting settings were "
        "already about as good as this search space allows"
    )
