"""The rendered page: every section, escaping, no external requests, stable re-rendering."""

import re
import subprocess
import sys
from collections import Counter
from dataclasses import replace

import matplotlib
import pandas as pd
import pytest

from tuneplate.engine.checks import Finding
from tuneplate.engine.results import Metric, Results, Table
from tuneplate.reports import render
from tuneplate.reports.render import env

SECTION_IDS = (
    "verdict",
    "data-health",
    "business",
    "performance",
    "fairness",
    "limits",
    "tuning",
    "glossary",
    "reproducibility",
)
EVIL = "<script>alert(1)</script>"


def _section(html: str, section_id: str) -> str:
    match = re.search(rf'<section id="{section_id}">(.*?)</section>', html, re.S)
    assert match, f"no section {section_id!r}"
    return match.group(1)


def test_every_section_is_present(results):
    html = render(results)
    assert html.startswith("<!DOCTYPE html>")
    for section_id in SECTION_IDS:
        assert html.count(f'id="{section_id}"') == 1, section_id


def test_verdict_comes_first_in_plain_words(results):
    html = render(results)
    positions = [html.index(f'<section id="{s}">') for s in SECTION_IDS]
    assert positions == sorted(positions)
    verdict = _section(html, "verdict")
    assert "Use with caution" in verdict  # the fixture's AIR of 0.667 calls for a look
    assert "Approving 70% of applicants, 17.0% of approved loans went bad." in verdict


def test_footer_says_how_to_reproduce(results):
    footer = _section(render(results), "reproducibility")
    assert "12 requested; 10 completed, 1 stopped early (pruned), 1 failed" in footer
    assert "1,000 rows × 21 columns" in footer and "optuna: 5.0.0" in footer
    assert "Statlog (German Credit Data)" in footer


@pytest.mark.parametrize("name", ["report.html.jinja2", "_macros.html.jinja2", "x.html"])
def test_autoescape_is_on_for_our_template_names(name):
    assert env.autoescape(name) is True


def test_user_text_is_escaped_everywhere(make_results):
    tables = make_results().tables
    cutoffs = tables[0].frame.rename(columns={"PD cut-off": EVIL})
    calibration = tables[1].frame.assign(**{"Score band": [EVIL] * 5})
    results = make_results(
        findings=[Finding("odd", "warning", EVIL, expected=EVIL, fix=EVIL, columns=(EVIL,))],
        tables=[
            replace(tables[0], frame=cutoffs, note=EVIL),
            replace(tables[1], frame=calibration),
        ],
        best_params={EVIL: EVIL},
        headline={"summary": [EVIL]},
        attribution=EVIL,
    )
    html = render(results)
    assert "<script" not in html.lower()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    # In the findings table, the business table, the summary, the params and the footer.
    assert html.count("&lt;script&gt;alert(1)&lt;/script&gt;") >= 8


def test_no_external_requests(make_results):
    html = render(make_results(attribution="Data: https://example.org/credit"))
    links = re.findall(r"""\b(?:src|href)\s*=\s*["']([^"']*)["']""", html, re.I)
    urls = re.findall(r"""url\(\s*["']?([^"')]*)""", html, re.I)
    assert links and urls  # the nav and the chart clip paths are there to check
    assert all(link.startswith("#") for link in links), [x for x in links if x[:1] != "#"]
    assert all(url.startswith("#") for url in urls), [u for u in urls if u[:1] != "#"]
    assert not re.search(r"<(?:script|link|img|iframe)\b|@import", html, re.I)


def test_fairness_section_only_with_a_fairness_table(results, make_results):
    with_table = render(results)
    assert 'id="fairness"' in with_table and 'href="#fairness"' in with_table
    fairness = _section(with_table, "fairness")
    assert "four-fifths" in fairness and "not a lending threshold" in fairness
    assert fairness.count('class="num flag"') == 1  # only the AIR of 0.667 is flagged

    without = render(make_results(tables=[t for t in results.tables if t.key != "fairness"]))
    assert 'id="fairness"' not in without and 'href="#fairness"' not in without


def test_business_section_prints_tables_with_assumptions_and_chart(results):
    business = _section(render(results), "business")
    assert "Approval rate vs bad rate" in business
    assert "Applicants approved from the lowest predicted PD up." in business
    assert "-€295,000" in business and "17.0%" in business
    assert "Loss given default" in business and "45.0%" in business and "€5,000" in business
    assert "<svg" in business


def test_data_health_lists_findings_or_says_none(results, make_results):
    health = _section(render(results), "data-health")
    assert health.index("Warning") < health.index("Note")  # worst first
    assert "group rare levels" in health and "purpose" in health
    clean = _section(render(make_results(findings=[])), "data-health")
    assert "No issues found." in clean and "<table" not in clean


def test_no_raw_floats_reach_the_page(make_results):
    frame = pd.DataFrame({"Segment": ["a", "b"], "Uplift": [0.123456789, 2.5], "Cases": [3, 4]})
    extra = Table("uplift", "Uplift by segment", frame)  # no formats at all
    results = make_results(tables=[*make_results().tables, extra])
    business = _section(render(results), "business")
    assert "0.123" in business and "0.123456789" not in business
    assert "2.500" in business


def test_no_raw_float_repr_outside_the_charts(results):
    # str(float) gives 15-17 digits; nothing we format has more than 5 decimals.
    text = re.sub(r"<svg.*?</svg>", "", render(results), flags=re.S)
    assert not re.findall(r"\d\.\d{6,}", text)


def test_a_different_vertical_renders_without_credit_specifics(make_results):
    frame = pd.DataFrame({"k": [5, 10], "Hit rate": [0.2, 0.31]})
    results = make_results(
        vertical="churn",
        vertical_title="Customer churn",
        metric=Metric("log_loss", "Log-loss", "minimize"),
        validation=0.42,
        holdout=0.44,
        train=0.35,
        holdout_metrics={"log_loss": 0.44, "lift_at_10": 2.1},
        tables=[Table("hits", "Hit rate by k", frame, formats={"Hit rate": "percent"})],
        assumptions={},
        headline={},
        data={"rows": 500},
        config={},
        versions={},
        attribution="",
    )
    html = render(results)
    assert "Customer churn" in html and "Hit rate by k" in html and "31.0%" in html
    assert "Lift at 10" in html
    assert "Log-loss, lower is better." in _section(html, "performance")
    assert 'id="fairness"' not in html and "Assumptions behind" not in html


def test_same_html_after_save_and_load(results, tmp_path):
    first = render(results)
    results.save(tmp_path)
    assert render(Results.load(tmp_path)) == first


def test_element_ids_are_unique_across_the_page(results):
    ids = Counter(re.findall(r'\bid="([^"]+)"', render(results)))
    assert ids and max(ids.values()) == 1, [i for i, n in ids.items() if n > 1]


def test_rendering_leaves_matplotlib_global_state_alone(results, tmp_path):
    before = dict(matplotlib.rcParams)
    render(results)
    assert dict(matplotlib.rcParams) == before
    # A fresh interpreter, so no other test has imported pyplot already.
    results.save(tmp_path)
    code = (
        "import sys; from tuneplate.engine.results import Results; "
        "from tuneplate.reports import render; "
        f"render(Results.load({str(tmp_path)!r})); "
        "assert 'matplotlib.pyplot' not in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
