"""The rendered page: every section, escaping, no external requests, stable re-rendering."""

import json
import re
import subprocess
import sys
from collections import Counter
from dataclasses import replace

import matplotlib
import numpy as np
import pandas as pd
import pytest
from report_outline import ORDER  # the reading order: decision-maker first

from tuneplate.engine.data.checks import Finding
from tuneplate.engine.data.roles import Roles
from tuneplate.engine.results import About, Card, Metric, Results, Table
from tuneplate.engine.vertical import Outcome
from tuneplate.reports import SUMMARY_FILE, render, save_summary
from tuneplate.reports.render import env
from tuneplate.verticals import VERTICALS

EVIL = "<script>alert(1)</script>"


def _section(html: str, section_id: str) -> str:
    match = re.search(rf'<section id="{section_id}">(.*?)</section>', html, re.S)
    assert match, f"no section {section_id!r}"
    return match.group(1)


def sections_in_order(html: str) -> list[str]:
    """The ids of the page's sections, in page order."""
    return re.findall(r'<section id="([^"]+)">', html)


def toc(html: str) -> list[str]:
    """The anchors of the table of contents, in order."""
    nav = re.search(r"<nav[^>]*>(.*?)</nav>", html, re.S).group(1)
    return re.findall(r'href="#([^"]+)"', nav)


CREDIT_ABOUT = About(
    "ranking loan applicants by their probability of default.", "a population unlike this one."
)


def test_every_section_is_present_in_order_with_a_matching_contents(results):
    html = render(replace(results, about=CREDIT_ABOUT))
    assert html.startswith("<!DOCTYPE html>")
    present = [s for s in ORDER if s != "scorecard"]  # the fixture's run has no scorecard
    assert sections_in_order(html) == present
    assert toc(html) == present
    headings = re.findall(r'<h2><span class="num">(\d+)\.</span> ([^<]+)</h2>', html)
    assert [int(n) for n, _ in headings] == list(range(1, len(present) + 1))
    assert headings[0][1] == "Decision summary" and headings[-1][1] == "Glossary"
    for section_id in present:
        assert html.count(f'id="{section_id}"') == 1, section_id


def test_empty_sections_are_left_out_of_the_page_and_the_contents(make_results):
    bare = make_results(
        vertical="churn",  # no registered vertical: no intended use to print
        tables=[t for t in make_results().tables if t.key != "fairness"],
        baseline={},
    )
    html = render(bare)
    expected = [s for s in ORDER if s not in ("purpose", "fairness", "baseline", "scorecard")]
    assert sections_in_order(html) == expected
    assert toc(html) == expected
    numbers = re.findall(r'<h2><span class="num">(\d+)\.</span>', html)
    assert numbers == [str(n) for n in range(1, len(expected) + 1)]


def test_decision_summary_comes_first_in_plain_words(page):
    html = page
    verdict = _section(html, "verdict")
    assert "Use with caution" in verdict  # the fixture's AIR of 0.667 calls for a look
    assert "Approving 70% of applicants, 17.0% of approved loans went bad." in verdict
    box = re.search(r'<div class="verdict-box [a-z]+">(.*?)</div>', verdict, re.S).group(1)
    why = re.search(r'<p class="why lead">(.*?)</p>', box, re.S).group(1)
    assert why.count(". ") <= 1  # one or two sentences
    assert "four-fifths" in why
    assert "Recommended operating point:" in box and "lowest predicted PD" in box


def test_decision_summary_shows_three_headline_cards_with_assumptions(page):
    verdict = _section(page, "verdict")
    cards = re.findall(
        r'<div class="label">([^<]*)</div>\s*<div class="value">([^<]*)</div>\s*'
        r'<div class="hint">([^<]*)</div>',
        verdict,
    )
    assert [(label, value) for label, value, _ in cards] == [
        ("Profit per 1,000 applicants", "-€7,750"),
        ("Bad loans among those approved", "17.0%"),
        ("Expected loss per 1,000 applicants", "€270,000"),
    ]
    assert all(hint for _, _, hint in cards)  # every number has its assumption beside it


def test_headline_cards_tolerate_odd_input(make_results):
    from tuneplate.reports.sections import headline_cards

    odd = make_results(
        headline={
            "cards": [
                {"label": "No value"},
                "not a card",
                {"label": "Share", "value": 0.0004, "format": "percent"},
                {"label": "Plain", "value": 1234.5678, "format": "unknown"},
                {"label": "Fourth", "value": 1, "format": "count"},
                {"label": "Fifth", "value": 2, "format": "count"},
            ]
        }
    )
    cards = headline_cards(odd)
    assert [(c.label, c.value, c.assumption) for c in cards] == [
        ("Share", "< 0.1%", ""),
        ("Plain", "1,235", ""),
        ("Fourth", "1", ""),
    ]
    assert headline_cards(make_results(headline={})) == []
    assert '<div class="cards headline">' not in render(make_results(headline={}))


def test_headline_cards_travel_in_results_json(results, tmp_path):
    results.save(tmp_path)
    saved = json.loads((tmp_path / "results.json").read_text())
    assert [Card(**c) for c in saved["headline"]["cards"]] == list(results.headline.cards)
    assert saved["headline"]["operating_point"] == results.headline.operating_point
    assert Results.load(tmp_path, model=False).headline == results.headline


def test_reproducibility_is_in_the_appendix(page):
    appendix = _section(page, "appendix")
    repro = appendix[appendix.index('id="reproducibility"') :]
    assert "12 requested; 10 completed, 1 stopped early (pruned), 1 failed" in repro
    assert "1,000 rows × 21 columns" in repro and "optuna: 5.0.0" in repro
    assert "Statlog (German Credit Data)" in repro
    assert "Parallel trials" not in repro  # one trial at a time: the seed replays exactly


def test_parallel_trials_are_flagged_as_not_exactly_replayable(results):
    results = replace(results, config={**results.config, "jobs": 2})
    repro = _section(render(results), "appendix").split('id="reproducibility"')[1]
    assert "Parallel trials" in repro and "not the identical one" in repro


def test_appendix_has_what_an_analyst_needs(page):
    appendix = _section(page, "appendix")
    for part in (
        "How the model was tuned",
        "Optimisation history",
        "Parallel coordinates",
        'id="parallel"',
        "Best settings",
        "All data-check findings",
        "at most 50 levels",  # a finding's expectation, in full
        "Reproducibility",
    ):
        assert part in appendix, part
    assert "10 completed, 1 stopped early (pruned), 1 failed" in appendix


def test_parallel_coordinates_need_two_tuned_settings(results, make_results, page):
    assert 'id="parallel"' in _section(page, "appendix")
    one = results.trials.drop(columns="params_num_leaves")
    appendix = _section(render(make_results(trials=one)), "appendix")
    assert 'id="parallel"' not in appendix and 'id="slice"' in appendix


def test_reliability_shows_holdout_fit_and_calibration(page):
    reliability = _section(page, "reliability")
    assert "Hold-out" in reliability and "Cross-validation" in reliability
    assert "The model held up on rows it never saw" in reliability
    assert "best settings: training vs cross-validated score" in reliability
    assert 'id="calibration"' in reliability and "Predicted vs observed" in reliability


def test_tiny_shares_read_less_than_a_tenth_of_a_percent(make_results):
    calibration = make_results().table("calibration")
    frame = calibration.frame.assign(**{"Mean predicted PD": [0.0004, 0.13, 0.24, 0.4, 0.6]})
    tables = [replace(calibration, frame=frame)]
    reliability = _section(render(make_results(tables=tables)), "reliability")
    table = reliability[reliability.index('data-table="calibration"') :]
    assert "&lt; 0.1%" in table and not re.search(r"(?<![\d.])0\.0%", table)


def test_print_stylesheet(page):
    html = page
    css = re.search(r"@media print \{(.*?)\n\}", html, re.S).group(1)
    assert re.search(r"nav \{ display: none; \}", css)
    avoid = re.search(r"([^{}]*)\{ break-inside: avoid; \}", css).group(1)
    assert {"table", "figure"} <= {s.strip() for s in avoid.split(",")}
    assert "max-width: none" in css  # the page uses the paper's width
    assert "print-color-adjust: exact" in css  # traffic lights keep their colours


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


def test_fairness_section_only_with_a_group_table(results, make_results, page):
    with_table = page
    assert 'id="fairness"' in with_table and 'href="#fairness"' in with_table
    fairness = _section(with_table, "fairness")
    assert "four-fifths" in fairness and "not a lending threshold" in fairness
    assert fairness.count('class="num flag"') == 1  # only the AIR of 0.667 is flagged

    without = render(make_results(tables=[t for t in results.tables if t.key != "fairness"]))
    assert 'id="fairness"' not in without and 'href="#fairness"' not in without


def test_subgroup_tables_go_to_the_fairness_section(make_results):
    frame = pd.DataFrame({"Group": ["a", "b"], "Patients": [40, 50], "AUROC": [0.9, 0.8]})
    table = Table("subgroups", "Performance by subgroup", frame, formats={"Patients": "count"})
    html = render(make_results(tables=[table]))
    fairness = _section(html, "fairness")
    assert "Performance by subgroup" in fairness and "four-fifths" not in fairness
    assert "Performance by subgroup" not in _section(html, "performance")


def test_business_section_prints_tables_with_assumptions_and_chart(page):
    business = _section(page, "performance")
    assert "Approval rate vs bad rate" in business
    assert "Applicants approved from the lowest predicted PD up." in business
    assert "-€295,000" in business and "17.0%" in business
    assert "Loss given default" in business and "45.0%" in business and "€5,000" in business
    assert "<svg" in business


def test_data_health_lists_findings_or_says_none(make_results, page):
    health = _section(page, "data-health")
    assert health.index("Check") < health.index("Note")  # worst first, as traffic lights
    assert 'class="badge caution"' in health and 'class="badge good"' in health
    assert "group rare levels" in health and "purpose has 60 levels" in health
    assert "hard to learn from" in health  # what it means, one sentence
    assert "Nothing." in health  # what to do about a note
    clean = _section(render(make_results(findings=[])), "data-health")
    assert "No issues found." in clean and "<table" not in clean


def test_no_raw_floats_reach_the_page(make_results):
    frame = pd.DataFrame({"Segment": ["a", "b"], "Uplift": [0.123456789, 2.5], "Cases": [3, 4]})
    extra = Table("uplift", "Uplift by segment", frame)  # no formats at all
    results = make_results(tables=[*make_results().tables, extra])
    business = _section(render(results), "performance")
    assert "0.123" in business and "0.123456789" not in business
    assert "2.500" in business


def test_no_raw_float_repr_outside_the_charts(page):
    # str(float) gives 15-17 digits; nothing we format has more than 5 decimals.
    text = re.sub(r"<svg.*?</svg>", "", page, flags=re.S)
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
    assert "Log-loss, lower is better." in _section(html, "reliability")
    assert 'id="fairness"' not in html and "Assumptions behind" not in html


def test_same_html_after_save_and_load(results, tmp_path, page):
    first = page
    results.save(tmp_path)
    assert render(Results.load(tmp_path)) == first


def test_element_ids_are_unique_across_the_page(page):
    ids = Counter(re.findall(r'\bid="([^"]+)"', page))
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


def test_report_json_beside_results_json_carries_what_the_report_derives(results, tmp_path, page):
    results.save(tmp_path)
    assert "report" not in json.loads((tmp_path / "results.json").read_text())  # plain data
    assert save_summary(results, tmp_path) == tmp_path / SUMMARY_FILE
    derived = json.loads((tmp_path / SUMMARY_FILE).read_text())
    assert derived["verdict"]["level"] == "caution"
    assert derived["verdict"]["title"] == "Use with caution"
    assert derived["monitoring"]["trigger"] == pytest.approx(0.78 * 0.95)
    assert derived["monitoring"]["review_when"] == "below"
    html = page
    for name, title in derived["charts"].items():
        assert f'id="{name}" role="img" aria-label="{title}"' in html.replace("&#x27;", "'"), name
    assert set(derived["charts"]) >= {"approval", "calibration", "history", "parallel"}
    assert render(Results.load(tmp_path)) == html


def test_old_results_json_with_a_report_block_and_no_roles_still_loads(results, tmp_path, page):
    """results.json written before 0.2: the report's block inside, tables without roles,
    headline as loose keys, no `about`. It loads and renders as before."""
    results.save(tmp_path)
    saved = json.loads((tmp_path / "results.json").read_text())
    saved["report"] = {"verdict": {"level": "caution"}}
    saved.pop("about")
    for table in saved["tables"]:
        table.pop("roles")
    (tmp_path / "results.json").write_text(json.dumps(saved))
    assert render(Results.load(tmp_path, model=False)) == page


def test_notebook_summary_shows_the_headline_cards(results):
    summary = results._repr_html_()
    assert summary.startswith("<table>") and "Profit per 1,000 applicants" in summary
    assert "-7,750 EUR" in summary and "0.7800 (95% interval 0.720–0.840)" in summary
    assert "17.0%" in summary  # a share, as a percentage


def test_the_report_section_on_use_comes_from_results_not_the_registry(make_results, tmp_path):
    """A plugin vertical not installed where the report is re-rendered keeps its "what the
    model is for" section: the words travel in results.json (`about`)."""
    plugin = make_results(
        vertical="churn-plugin",  # in no registry
        about=About("ranking customers by their risk of leaving.", "pricing decisions."),
    )
    plugin.save(tmp_path)
    html = render(Results.load(tmp_path, model=False))
    purpose = _section(html, "purpose")
    assert "ranking customers by their risk of leaving." in purpose
    assert "pricing decisions." in purpose
    # A registered vertical without `about` recorded gets no section: no registry look-up.
    assert 'id="purpose"' not in render(make_results(vertical="credit-risk"))


def test_renaming_column_labels_keeps_every_chart(make_results):
    """Tables declare the columns the charts read by role, so rewording a label for the
    reader cannot drop a chart (it once silently did)."""
    from tuneplate.reports.charts import charts
    from tuneplate.verticals.credit_risk import metrics

    rng = np.random.default_rng(0)
    y = (rng.random(300) < 0.3).astype(int)
    score = np.clip(0.3 + 0.3 * (y - 0.3) + rng.normal(0, 0.15, 300), 0.01, 0.99)
    rows = pd.DataFrame({"sex": rng.choice(["female", "male"], 300)})
    roles = Roles(target="status", positive="bad", protected=("sex",))
    outcome = Outcome(y, score, rows, roles, {"approval_rate": 0.7}, y, score)
    evaluation = metrics.evaluate(outcome)
    results = make_results(tables=evaluation.tables, headline=evaluation.headline)
    relabelled = make_results(
        tables=[_relabel(t) for t in evaluation.tables], headline=evaluation.headline
    )
    drawn = {name for name, svg in charts(results).items() if svg}
    assert {"approval", "calibration", "air"} <= drawn
    assert {name for name, svg in charts(relabelled).items() if svg} == drawn
    # Without roles, the report falls back to the labels it knew: a renamed table loses
    # its chart, which is what the roles prevent.
    bare = [replace(t, roles={}) for t in relabelled.tables]
    assert "approval" not in {n for n, s in charts(make_results(tables=bare)).items() if s}


def _relabel(table: Table) -> Table:
    """Every column relabelled ("Column 1", …), with its formats and roles following."""
    names = {c: f"Column {i}" for i, c in enumerate(table.frame.columns, 1)}
    return replace(
        table,
        frame=table.frame.rename(columns=names),
        formats={names.get(c, c): kind for c, kind in table.formats.items()},
        roles={role: names[label] for role, label in table.roles.items()},
    )


def test_a_ranking_vertical_without_calibration_or_fairness(make_results):
    """The shape the recommendation vertical fills: ranking metrics, business tables and
    headline cards, no calibration, no group table, no probability target."""
    uplift = pd.DataFrame(
        {
            "Model": ["tuned ranker", "popularity"],
            "Clicks per 1,000 sessions": [182.0, 121.0],
            "Hit rate @10": [0.41, 0.29],
            "Catalogue coverage": [0.38, 0.02],
        }
    )
    results = make_results(
        vertical="recommendation",
        vertical_title="Recommendation",
        metric=Metric("ndcg_at_10", "NDCG@10", "maximize"),
        validation=0.31,
        holdout=0.29,
        train=0.36,
        holdout_metrics={"ndcg_at_10": 0.29, "hit_rate_at_10": 0.41, "coverage": 0.38},
        tables=[
            Table(
                "uplift",
                "Model vs popularity",
                uplift,
                formats={
                    "Clicks per 1,000 sessions": "count",
                    "Hit rate @10": "percent",
                    "Catalogue coverage": "percent",
                },
            )
        ],
        assumptions={"average_order_value": 42.0, "currency": "EUR"},
        headline={
            "summary": ["The tuned ranker gets 61 more clicks per 1,000 sessions."],
            "operating_point": "show the top 10 items per session.",
            "cards": [
                {
                    "label": "Extra clicks per 1,000 sessions",
                    "value": 61,
                    "format": "count",
                    "assumption": "Against the popularity list.",
                },
                {
                    "label": "Extra revenue per 1,000 sessions",
                    "value": 1281.0,
                    "format": "money",
                    "assumption": "5% of clicks buy, at an average order of €42.",
                },
                {
                    "label": "Catalogue shown",
                    "value": 0.38,
                    "format": "percent",
                    "assumption": "Share of items recommended at least once.",
                },
            ],
        },
        data={"rows": 50000, "holdout_rows": 10000, "split": "temporal: the last week"},
        baseline={"family": "popularity", "holdout": 0.21},
        attribution="Synthetic shop.",
        about=About.from_vertical(VERTICALS["recommendation"]),
    )
    html = render(results)
    assert sections_in_order(html) == [
        "verdict",
        "purpose",  # the recommendation vertical's intended use, copied at run time
        "data-health",
        "performance",
        "reliability",
        "baseline",
        "limits",
        "appendix",
        "glossary",
    ]
    verdict = _section(html, "verdict")
    assert "€1,281" in verdict and "38.0%" in verdict and "show the top 10 items" in verdict
    assert "the chance that" not in verdict  # no probability target to speak of
    reliability = _section(html, "reliability")
    assert "Calibration" not in reliability and "--time" not in reliability
    assert "No time column" not in _section(html, "limits")
    glossary = _section(html, "glossary")
    assert "NDCG@k" in glossary and "Hit rate" in glossary and "Catalogue coverage" in glossary
    assert "Calibration" not in glossary and "Adverse impact" not in glossary


def test_every_check_the_package_can_raise_has_its_own_meaning():
    """A finding without its own sentence got the severity's, which for a warning says
    "can make the scores look better than they will be": wrong for rows left out or
    numbers read 1,000 times too large. Every check name in the source has one."""
    from pathlib import Path

    import tuneplate.engine
    import tuneplate.verticals
    from tuneplate.reports.health import MEANINGS

    named = re.compile(r'(?:Finding|Note)\(\s*"([a-z_]+)"|"check": "([a-z_]+)"')
    found = {
        a or b
        for package in (tuneplate.engine, tuneplate.verticals)  # where checks are raised
        for path in Path(package.__file__).parent.rglob("*.py")
        for a, b in named.findall(path.read_text(encoding="utf-8"))
    }
    assert {"duplicate_rows", "ambiguous_numbers", "text_in_numbers"} <= found  # scan works
    assert sorted(found - set(MEANINGS)) == []


def test_a_baseline_difference_without_an_interval_is_not_called_a_win(make_results):
    """Fewer than 20 hold-out patients under --group: no interval, yet the report said
    "the tuned model scores better than the baseline" with no word that it cannot be
    judged (a clinical reviewer's run). Re-rendered from results.json, the same words."""
    from tuneplate.reports.sections import comparison_sentence

    small = make_results(holdout_interval=None)
    text = comparison_sentence(small)
    assert "scores better than the baseline" in text and "cannot be judged" in text
    assert "cannot be judged" not in comparison_sentence(make_results())
