"""The calibration's conclusion follows its 95% interval, in Reliability and in the
verdict: within the band only when the whole interval is, no evidence either way when it
spans an edge, off only when the whole interval is outside (van Calster et al. 2019)."""

from __future__ import annotations

import pytest

from tuneplate.reports.calibration_words import intercept_sentence, slope_sentence
from tuneplate.reports.facts import metric_rows
from tuneplate.reports.sections import calibration_sentence
from tuneplate.reports.verdict import verdict


def _fit(slope, slope_interval, intercept=0.1, intercept_interval=(-0.2, 0.4)):
    return {
        "method": "none",
        "intercept": intercept,
        "intercept_interval": list(intercept_interval),
        "slope": slope,
        "slope_interval": list(slope_interval),
    }


@pytest.fixture
def calibrated(make_results):
    """A clean run (no fairness flag) with the hold-out calibration `_fit(...)` gives."""

    def build(*args, **kwargs):
        base = make_results()
        tables = [t for t in base.tables if t.key != "fairness"]
        data = {**base.data, "calibration": _fit(*args, **kwargs)}
        metrics = {**base.holdout_metrics, "calibration_slope": args[0]}
        return make_results(tables=tables, data=data, holdout_metrics=metrics)

    return build


def test_a_slope_whose_interval_spans_the_band_draws_no_conclusion():
    """pbc, 63 hold-out patients: 1.01 (0.45 to 1.57) was "within 0.8–1.2, so neither too
    extreme nor too timid"."""
    text = slope_sentence(1.01, (0.45, 1.57))
    assert "no evidence either way" in text and "the whole 0.8–1.2 band" in text
    assert "neither too extreme nor too timid" not in text


def test_a_slope_inside_or_outside_the_band_interval_and_all_is_concluded():
    assert "neither too extreme nor too timid" in slope_sentence(1.0, (0.9, 1.1))
    assert "too extreme" in slope_sentence(0.6, (0.5, 0.75))
    assert "no evidence" not in slope_sentence(0.6, (0.5, 0.75))
    assert "too timid" in slope_sentence(1.5, (1.3, 1.7))
    assert "no conclusion" in slope_sentence(1.0, None)


def test_a_slope_across_one_edge_that_excludes_1_says_both():
    """biopsy: 0.73 (0.51 to 0.95) spans 0.8 but excludes the ideal 1."""
    text = slope_sentence(0.73, (0.51, 0.95))
    assert "no evidence either way" in text and "lower edge, 0.8" in text
    assert "exclude 1" in text and "more extreme than ideal" in text


def test_calibration_in_the_large_follows_its_interval():
    assert "no evidence either way" in intercept_sentence(-0.32, (-1.03, 0.40))
    assert "fewer events than predicted" in intercept_sentence(-0.5, (-0.9, -0.1))
    assert "more events than predicted" in intercept_sentence(0.5, (0.1, 0.9))


def test_reliability_reads_the_interval_not_the_point(calibrated):
    text = calibration_sentence(calibrated(1.01, (0.45, 1.57)))
    assert "no evidence either way" in text
    assert "within 0.8–1.2, so" not in text


def test_a_calibration_interval_excluding_its_ideal_is_a_first_screen_caution(calibrated):
    """biopsy: the slope 0.73 (0.51 to 0.95) was flagged in Reliability only."""
    off = verdict(calibrated(0.73, (0.51, 0.95)))
    reason = next(r for r in off.reasons if "miscalibrated" in r)
    assert "0.73 (95% interval 0.51 to 0.95) excludes 1" in reason
    assert off.level == "caution"
    shifted = verdict(calibrated(1.0, (0.9, 1.1), -0.5, (-0.9, -0.1)))
    assert any("excludes 0" in r for r in shifted.reasons)
    fine = verdict(calibrated(1.01, (0.45, 1.57)))
    assert not any("miscalibrated" in r for r in fine.reasons)


def test_the_analysts_metric_table_states_the_calibration_interval(calibrated):
    rows = {label: value for label, value, _ in metric_rows(calibrated(1.01, (0.45, 1.57)))}
    assert rows["Calibration slope"] == "1.010 (95% interval 0.450 to 1.570)"
