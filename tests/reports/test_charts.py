import re
import xml.etree.ElementTree as ET

import pandas as pd
import pytest

from tuneplate.reports import charts

SVG = "{http://www.w3.org/2000/svg}svg"


@pytest.mark.parametrize("name", ["history", "calibration", "approval"])
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
    bare = make_results(tables=[], trials=pd.DataFrame())
    assert charts.charts(bare) == {
        "history": None,
        "calibration": None,
        "approval": None,
        "decision_curve": None,
        "importance": None,
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
    business = render(results).split('<section id="business">')[1].split("</section>")[0]
    assert caption in business and 'id="decision_curve"' in business

    partial = _decision_results(make_results, [0.2, 0.2, 0.25, 0.2, 0.1])
    assert "at 3 of the 5 threshold probabilities shown, from 10.0% to 50.0%" in (
        sections.decision_curve_caption(partial)
    )
    useless = _decision_results(make_results, [0.0, 0.0, 0.0, -0.01, -0.02])
    assert sections.decision_curve_caption(useless).startswith("At no threshold probability")
    assert sections.decision_curve_caption(make_results()) == ""


def test_importance_chart_names_the_setting_that_mattered_most(make_results):
    svg = charts.importance(make_results(importance={"learning_rate": 0.7, "num_leaves": 0.3}))
    assert "learning_rate mattered most" in svg
