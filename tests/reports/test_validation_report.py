"""The validation page (`tuneplate validate`): verdict first, figures as in the record,
escaping, aggregates only, and the over-time chart only with periods."""

from __future__ import annotations

import html as html_lib
import re
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from markupsafe import escape

import tuneplate
from tuneplate.engine.records import Headline, Table
from tuneplate.engine.results import Metric, Results
from tuneplate.engine.validate import (
    DEVELOPMENT,
    RECALIBRATE,
    STILL,
    WATCH,
    Calibration,
    Drift,
    Figure,
    Period,
    Validation,
    validate,
)
from tuneplate.reports.formatters import fmt_count, fmt_number, fmt_percent
from tuneplate.reports.validation import periods_title, render_validation
from tuneplate.verticals import load_vertical

EVIL = "<script>alert(1)</script>"
ODD_AMOUNT = 987654.321  # one row's value: must never reach the page
ODD_LEVEL = "zz-one-row-only"


def _record(**changes) -> Validation:
    """A hand-built record: every section filled, a column named like a script.

    The run's metric is ROC AUC, so `auroc` is the run's score and `score` is None.
    """
    v = Validation(
        run="runs/credit",
        vertical="credit-risk",
        vertical_title="Credit risk",
        model_family="lightgbm",
        metric=Metric("roc_auc", "ROC AUC", "maximize"),
        rows=1200,
        verdict=RECALIBRATE,
        reasons=(
            "The calibration slope is 0.62 (95% interval 0.48 to 0.76, 1 is ideal): the "
            "predicted probabilities are too spread out.",
        ),
        with_outcomes=True,
        rows_without_outcome=37,
        event_rate=0.3141,
        mean_score=0.2718,
        drift=(
            Drift("amount", 0.31, "major shift", 0.052, 1200, 0, 0, 3),
            Drift("scores", 0.042, "stable", 0.058, 1200),
            Drift(EVIL, 0.12, "look", 0.061, 1200, 24, 0, 0, "2.0% of values unreadable"),
            Drift("region", 0.11, "within noise", 0.137, 1200),
            Drift("age", float("nan"), "", float("nan"), 1200),
        ),
        auroc=Figure(
            "roc_auc",
            "AUROC",
            "maximize",
            0.7512,
            (0.7201, 0.7823),
            0.7834,
            (0.7188, 0.848),
            (-0.1042, 0.0398),
            "bootstrap percentiles over the rows (the development one as the run recorded it)",
        ),
        calibration=Calibration(0.2345, (0.1012, 0.3678), 0.6213, (0.4811, 0.7615)),
        tables=[
            Table(
                "cutoffs",
                "Approval rate vs bad rate",
                pd.DataFrame({"Approval rate": [0.5, 0.7], "Bad rate among approved": [0.1, 0.2]}),
                formats={"Approval rate": "percent", "Bad rate among approved": "percent"},
            )
        ],
        headline=Headline(
            summary=("At the run's cut-off, 41% of these applicants are approved.",),
            operating_point="approve applicants whose predicted PD is at most 15.1%.",
        ),
        operating_threshold=0.151,
        currency="EUR",
        notes=("The new rows lack 'sex', so the fairness tables leave it out.",),
    )
    return replace(v, **changes)


@pytest.fixture(scope="module")
def page() -> str:
    return render_validation(_record())


def _text(page: str) -> str:
    """The page's visible text, tags and the inline CSS dropped, entities decoded."""
    body = re.sub(r"<style>.*?</style>|<svg.*?</svg>", "", page, flags=re.S)
    return html_lib.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body)))


def test_the_verdict_badge_comes_first_then_its_reasons_and_notes(page):
    main = page[page.index("<main>") :]
    badge = main.index('<span class="badge stop">recalibrate</span>')
    assert badge == main.index('<span class="badge')  # the first badge on the page
    assert badge < main.index('id="checked"')
    reason = main.index(str(escape(_record().reasons[0])))
    note = main.index(str(escape(_record().notes[0])))
    assert badge < reason < note < main.index('id="checked"')
    sections = re.findall(r'<section id="([^"]+)">', page)
    assert sections == ["verdict", "checked", "outcomes", "stability", "glossary"]


@pytest.mark.parametrize(("verdict", "level"), [(STILL, "good"), (WATCH, "caution")])
def test_each_verdict_has_its_level(verdict, level):
    page = render_validation(_record(verdict=verdict))
    assert f'<span class="badge {level}">{verdict}</span>' in page


def test_the_figures_are_the_records(page):
    v, text = _record(), _text(page)
    a = v.auroc
    assert f"{fmt_number(a.development)} ({fmt_number(a.development_interval[0])} to" in text
    assert f"{fmt_number(a.new)} ({fmt_number(a.new_interval[0])} to" in text
    assert "-0.032 (-0.104 to +0.040)" in text  # new − development, with its interval
    c = v.calibration
    assert f"+{fmt_number(c.intercept)}" in text and fmt_number(c.slope) in text
    assert f"{fmt_number(c.slope_interval[0])} to {fmt_number(c.slope_interval[1])}" in text
    assert fmt_percent(v.event_rate) in text and fmt_percent(v.mean_score) in text
    assert f"{fmt_count(v.rows - v.rows_without_outcome)} rows with an outcome" in text
    assert "Rows scored 1,200" in text and "runs/credit" in text
    assert v.headline.summary[0] in text and "15.1%" in text  # the frozen operating point
    assert "Approval rate vs bad rate" in text and "70.0%" in text  # the vertical's table
    assert "Siddiqi 2006" in text and "Yurdakul & Naranjo 2020" in text
    assert "For the scores that noise is 0.058." in text  # the scores' Drift.noise
    for term in ("PSI", "CSI", "Calibration-in-the-large", "Calibration slope", "AUROC"):
        assert term in text[text.index("Glossary") :]


def _discrimination_rows(page: str) -> list[str]:
    start = page.index('data-table="discrimination"')
    table = page[start : page.index("</table>", start)]
    return [_text(row).strip() for row in re.findall(r"<tr>\s*<td>(.*?)</td>", table, re.S)]


def test_with_roc_auc_as_the_run_metric_auroc_is_its_one_row(page):
    assert _discrimination_rows(page) == ["AUROC (the run's score) (higher is better)"]
    # the note says how each interval was found, from the figure itself
    assert "AUROC (the run's score): Bootstrap percentiles over the rows" in _text(page)


def test_another_run_metric_comes_first_then_auroc():
    brier = Figure("brier", "Brier score", "minimize", 0.18, (0.17, 0.19), 0.17, (0.16, 0.18), None)
    v = _record(metric=Metric("brier", "Brier score", "minimize"), score=brier)
    v.auroc = replace(v.auroc, method="a normal interval from the AUROC's standard error: DeLong's")
    page = render_validation(v)
    assert _discrimination_rows(page) == [
        "Brier score (the run's score) (lower is better)",
        "AUROC (higher is better)",
    ]
    assert "AUROC: A normal interval from the AUROC&#39;s standard error: DeLong&#39;s" in page


def test_stability_lists_scores_first_then_by_psi(page):
    start = page.index('data-table="stability"')
    stability = page[start : page.index("</table>", start)]
    names = [
        "<strong>Model scores</strong>",
        "<td>amount ",
        f"<td>{escape(EVIL)} ",
        "<td>region ",
        "<td>age ",
    ]
    where = [stability.index(name) for name in names]
    assert where == sorted(where)
    assert "major shift" in stability and "not measured" in stability
    assert '<span class="badge info">within noise</span>' in stability  # neutral
    assert '<td class="num">0.137</td>' in stability  # the column's own Drift.noise
    assert '<td class="num flag">2.0%</td>' in stability  # 24 of 1,200 unreadable


def test_text_from_the_data_is_escaped(page):
    assert EVIL not in page
    assert str(escape(EVIL)) in page


def test_without_outcomes_only_stability_is_shown():
    v = _record(
        with_outcomes=False, score=None, auroc=None, calibration=None, tables=[], headline=None
    )
    text = _text(render_validation(v))
    assert "monitoring only" in text and "AUROC (higher" not in text
    assert "Model scores" in text


def test_the_periods_chart_comes_only_with_periods(page):
    assert "<svg" not in page and 'id="over-time"' not in page
    periods = (
        Period(DEVELOPMENT, 400, 0.3, 0.78, 0.0),
        Period("2024-01", 300, 0.29, 0.76, 0.03, 0.041, "stable"),
        Period("2024-02", 300, 0.31, 0.74, 0.05, 0.041, "stable"),
        # too few rows to show anything but the count (a hand-made record, held to it)
        Period("2024-03", 4, 0.25, float("nan"), 0.9, 1.7, "major shift"),
    )
    v = _record(periods=periods, time="month")
    assert periods_title(v) == "AUROC held between 0.74 and 0.76; scores stable"
    with_periods = render_validation(v)
    assert with_periods.count("<svg") == 1 and 'id="over-time"' in with_periods
    assert periods_title(v) in with_periods
    small = re.search(r"<td>2024-03</td>(.*?)</tr>", with_periods, re.S).group(1)
    for hidden in ("25.0%", "0.900", "1.700", "major shift"):
        assert hidden not in small


@pytest.mark.parametrize(
    ("band", "title"),
    [
        ("within noise", "score PSI up to 0.14, within sampling noise"),
        ("look", "scores moved in 2024-02 (PSI 0.14)"),
    ],
)
def test_the_periods_read_their_band_from_the_record(band, title):
    periods = (
        Period(DEVELOPMENT, 400, 0.3, 0.78, 0.0),
        Period("2024-01", 300, 0.29, 0.76, 0.03, 0.041, "stable"),
        Period("2024-02", 60, 0.31, float("nan"), 0.14, 0.152, band),
    )
    v = _record(periods=periods, time="month")
    assert periods_title(v).endswith(title)
    row = re.search(r"<td>2024-02</td>(.*?)</tr>", render_validation(v), re.S).group(1)
    level = "info" if band == "within noise" else "caution"
    assert f'<span class="badge {level}">{band}</span>' in row and "0.152" in row


# A real validation: a 5-trial run, new rows carrying one row's odd values and a month.


@pytest.fixture(scope="module")
def real(tmp_path_factory) -> tuple[Validation, Validation]:
    folder = tmp_path_factory.mktemp("validate") / "run"
    tuneplate.tune("credit-risk", n_trials=5, run_dir=None).save(folder)
    results, vertical = Results.load(folder), load_vertical("credit-risk")
    rows = vertical.example().table.copy()
    rows["credit_amount"] = rows["credit_amount"].astype(float)
    rows.loc[7, "credit_amount"] = ODD_AMOUNT
    rows["purpose"] = rows["purpose"].astype(object)
    rows.loc[11, "purpose"] = ODD_LEVEL
    months = pd.date_range("2024-01-01", periods=6, freq="MS").strftime("%Y-%m-%d")
    rows["month"] = np.asarray(months)[np.arange(len(rows)) % 6]
    plain = validate(results, vertical, rows.drop(columns="month"), run=str(folder))
    timed = validate(results, vertical, rows, time="month", run=str(folder))
    return plain, timed


def test_a_real_validation_shows_no_single_row_value(real):
    for v in real:
        page = render_validation(v)
        for shown in ("987654", "987,654", "9.88e+05", "€987", ODD_LEVEL):
            assert shown not in page
        assert page.index('class="badge') < page.index('id="checked"')


def test_a_real_validation_reads_the_engine_records(real):
    plain, timed = real
    assert plain.currency and plain.score is None and plain.metric.name == "roc_auc"
    text = _text(render_validation(plain))
    assert "AUROC (the run's score)" in text
    assert "validation applicants" in text and "hold-out applicants" not in text
    scores = next(d for d in plain.drift if d.column == "scores")
    assert f"For the scores that noise is {fmt_number(scores.noise)}." in text
    assert all(
        p.band in ("", "stable", "within noise", "look", "major shift") for p in timed.periods[1:]
    )


def test_a_real_validation_draws_periods_only_with_a_time_column(real):
    plain, timed = real
    assert "<svg" not in render_validation(plain)
    page = render_validation(timed)
    assert page.count("<svg") == 1
    assert len(timed.periods) == 7 and timed.periods[0].label == DEVELOPMENT
    assert str(escape(periods_title(timed))) in page


def test_a_real_validation_lists_every_trigger_with_its_light(real):
    plain, _ = real
    page = render_validation(plain)
    section = page[page.index('id="triggers"') : page.index('id="stability"')]
    assert len(plain.triggers) >= 5
    for t in plain.triggers:
        assert f'data-light="{t.light}"' in section
        assert str(escape(t.rule)) in section and str(escape(t.reading)) in section
    fired = sum(t.light == "red" for t in plain.triggers)
    assert (f"{fired} of the run report's" in page) == bool(fired)
