"""One figure, one value (issue #16 item 3): a figure that a report shows twice shows the
same text both times: the cut-off, the best trial's name, money, a finding's severity.

One real credit-risk run on the embedded German credit table, rendered once.
"""

from __future__ import annotations

import html
import re
from dataclasses import replace

import pytest

import tuneplate
from tuneplate.engine.money import money
from tuneplate.reports import charts, render
from tuneplate.reports.health import SEVERITY, health_rows
from tuneplate.reports.sections import best_trials
from tuneplate.reports.view import View


@pytest.fixture(scope="module")
def run():
    return tuneplate.tune("credit-risk", n_trials=6, seed=0, strategy="random")


@pytest.fixture(scope="module")
def page(run) -> str:
    text = re.sub(r"<(style|svg)[^>]*>.*?</\1>", " ", render(run), flags=re.S)
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", text)))


def test_the_cut_off_in_the_summary_is_the_one_in_the_table(run, page):
    first = View.of(run).first
    cutoff = first.headline.figures["pd_cutoff"]
    stated = f"{cutoff:.1%}"
    assert f"predicted PD is at most {stated}" in page
    table = first.table("cutoffs").frame
    row = table[table[""] == "operating point"].iloc[0]
    assert row["Approve if PD at most"] == pytest.approx(cutoff)
    # Every percentage next to "at most" reads the same figure: no 14.8% beside 15.1%.
    assert set(re.findall(r"at most (\d+\.\d)%", page)) == {stated.rstrip("%")}


def test_money_is_written_one_way(run, page):
    assert not re.search(r"\bEUR\s*-?\d|\d\s*EUR\b", page), "a code where the symbol is used"
    exposure = money(run.assumptions["exposure"], "EUR")
    assert exposure == "€5,000" and page.count(exposure) >= 2


def test_the_best_trial_has_one_name(run, page):
    trials = run.trials[run.trials["state"] == "COMPLETE"]
    best = int(trials.loc[trials["value"].astype(float).idxmax(), "number"])
    title = charts.history_title(run)
    assert html.escape(title, quote=True) in render(run)  # the chart's accessible title
    named = re.findall(r"trial #(\d+)", title)
    assert named == [str(best)] or "within 1% of the first trial" in title
    assert int(best_trials(run).frame["Trial #"].iloc[0]) == best
    # With a best trial later than the first, the title names it as the table does.
    late = run.trials.copy()
    late["value"] = late["value"].astype(float) + (late["number"] == best) * 0.05
    title = charts.history_title(replace(run, trials=late))
    assert re.findall(r"trial #(\d+)", title) == [str(best)]


def test_a_finding_has_one_severity_word_everywhere(run, page):
    words = {word for _, word in SEVERITY.values()}
    assert {row.light for row in health_rows(run)} <= words
    for gone in ("minor warning", "Warning", "Error"):
        assert gone not in page
