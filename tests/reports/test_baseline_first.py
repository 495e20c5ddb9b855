"""The verdict faces the baseline first (issue #16 item 2).

Two real credit-risk runs: LightGBM on a linear signal, where the simple logistic
regression is right and the tuned model does not beat it, and LightGBM on a strongly
non-linear signal (the sign of x0 × x1), where it clearly does. The decision summary's
first sentence says which model to use, the headline cards are the recommended model's,
and the difference is one figure wherever it appears.
"""

from __future__ import annotations

import html
import re

import numpy as np
import pandas as pd
import pytest

import tuneplate
from tuneplate.engine.results import Results
from tuneplate.reports import render
from tuneplate.reports.formatters import fmt_number
from tuneplate.reports.sections import headline_cards
from tuneplate.reports.summary import summary
from tuneplate.reports.verdict import difference_text, verdict
from tuneplate.reports.view import View


def _table(nonlinear: bool, n: int = 1500, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 5))
    if nonlinear:  # an interaction no straight line captures, plus a linear part
        logit = 1.5 * np.sign(X[:, 0] * X[:, 1]) + 0.8 * X[:, 2]
    else:  # a logistic model is exactly right
        logit = 1.2 * X[:, 0] - 0.8 * X[:, 1] + 0.5 * X[:, 2]
    y = rng.random(n) < 1 / (1 + np.exp(-logit))
    frame = pd.DataFrame(X, columns=[f"x{i}" for i in range(5)])
    frame["default"] = np.where(y, "bad", "good")
    return frame


def _run(nonlinear: bool) -> Results:
    return tuneplate.tune(
        "credit-risk",
        _table(nonlinear),
        "default",
        model="lightgbm",
        strategy="random",
        n_trials=3,
        seed=0,
    )


@pytest.fixture(scope="module")
def losing() -> Results:
    return _run(nonlinear=False)


@pytest.fixture(scope="module")
def winning() -> Results:
    return _run(nonlinear=True)


def _section(page: str, name: str) -> str:
    return re.search(rf'<section id="{name}">.*?</section>', page, re.S).group(0)


def _text(fragment: str) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", fragment))).strip()


def _first_sentence(page: str) -> str:
    """The verdict box's first paragraph, badge left out, up to its first full stop."""
    box = _section(page, "verdict")
    first = re.search(r"<p>(.*?)</p>", box, re.S).group(1)
    first = re.sub(r'<span class="badge[^>]*>.*?</span>', "", first)
    return re.match(r".*?\.(?=\s|$)", _text(first)).group(0)


def test_the_first_sentence_recommends_the_baseline_when_tuning_lost(losing):
    base = losing.baseline
    assert base.decision in ("same", "worse"), "the linear table should favour the baseline"
    first = _first_sentence(render(losing))
    assert first.startswith("The tuned LightGBM gradient-boosted trees model does ")
    # the credit baseline is the scorecard (issue #17 §5), named by its label
    assert "the simple WoE scorecard on optimal bins on rows it never saw" in first
    assert "use the simple model; the figures below are for it." in first
    scores = f"ROC AUC {fmt_number(losing.holdout)} vs {fmt_number(base.holdout)}"
    assert scores in first and difference_text(losing) in first
    v = verdict(losing)
    assert v.level in ("caution", "stop") and v.recommended == "baseline"


def test_the_headline_cards_are_the_baselines(losing):
    base = losing.baseline
    tuned_values = [c.value for c in losing.headline.cards]
    assert [c.value for c in base.headline.cards] != tuned_values
    shown = headline_cards(losing)
    view = View.of(losing)
    assert view.recommended == "baseline"
    assert [c.label for c in view.first.headline.cards] == [c.label for c in shown]
    # The first screen's cards are the baseline evaluation's figures, not the tuned model's.
    assert view.first.headline.cards == base.headline.cards
    box = _text(_section(render(losing), "verdict"))
    for card in shown:
        assert card.value in box
    operating = base.headline.operating_point
    assert operating and html.unescape(operating) in box
    assert losing.headline.operating_point not in box or (
        losing.headline.operating_point == operating
    )


def test_the_difference_is_one_figure_everywhere(losing):
    page = _text(render(losing))
    figure = difference_text(losing)
    assert figure.startswith("difference ")
    # The decision summary and the "Baseline vs challenger" section, with the same words.
    assert page.count(figure) == 2
    assert figure in _text(_section(render(losing), "baseline"))
    report = summary(View.of(losing))
    rec = report["recommendation"]
    assert rec["recommended"] == "baseline" and rec["difference"] == losing.baseline.difference
    assert rec["interval"] == list(losing.baseline.interval)
    assert figure in report["verdict"]["lead"]


def test_a_clearly_better_tuned_model_says_by_how_much(winning):
    base = winning.baseline
    assert base.decision == "better" and not base.recommended
    low, high = base.interval
    v = verdict(winning)
    assert v.recommended == "tuned" and v.lead == ""
    expected = (
        f"The tuned LightGBM gradient-boosted trees model beats the simple WoE scorecard on "
        f"optimal bins by {fmt_number(base.difference)} ROC AUC on rows it never saw "
        f"(95% interval {fmt_number(low)} to {fmt_number(high)};"
    )
    assert v.versus.startswith(expected)
    box = _text(_section(render(winning), "verdict"))
    assert expected in box
    # The tuned model's own cards, and the same difference in the baseline section.
    assert View.of(winning).first.headline.cards == winning.headline.cards
    assert expected in _text(_section(render(winning), "baseline"))
    assert summary(View.of(winning))["recommendation"]["recommended"] == "tuned"


def test_older_results_without_the_comparison_show_as_before(make_results):
    results = make_results()  # a baseline with the four older keys only
    assert results.baseline.decision == "" and verdict(results).versus == ""
    assert View.of(results).first is results
    assert "95% interval" not in _section(render(results), "baseline")


def test_the_charts_and_tables_below_are_the_recommended_models(losing):
    """ "The figures below are for it": no chart or table of the tuned model beside them."""
    from tuneplate.reports import charts
    from tuneplate.reports.sections import business_tables, monitoring_trigger

    view = View.of(losing)
    first = view.first
    cutoffs = first.table("cutoffs").frame
    assert not cutoffs.equals(losing.table("cutoffs").frame), "the baseline's own tables"
    # Chart titles (report.json and the page) come from the baseline's tables.
    titles = summary(view)["charts"]
    assert titles["approval"] == charts.approval_title(first) != ""
    assert titles["approval"] != charts.approval_title(losing)
    page = _text(render(losing))
    assert charts.approval_title(first) in page
    assert charts.approval_title(losing) not in page
    # Business tables and the monitoring trigger follow the same model.
    for table in business_tables(losing):
        assert table.frame.equals(first.table(table.key).frame), table.key
    assert view.trigger == monitoring_trigger(first) != monitoring_trigger(losing)


@pytest.fixture(scope="module")
def searched() -> Results:
    """The default `auto` search, which scores the baseline first on the same folds; on the
    linear table the tuned logistic regression does not beat the scorecard."""
    results = tuneplate.tune("credit-risk", _table(nonlinear=False), "default", n_trials=6, seed=0)
    assert View.of(results).recommended == "baseline"
    return results


def test_reliability_gives_the_recommended_baselines_own_scores_first(searched):
    """Its hold-out (with interval), fold and training scores, and its fit diagnosis, come
    before the tuned model's, which is labelled the challenger."""
    losing = searched
    view = View.of(losing)
    base, first = losing.baseline, view.first
    trial = losing.trials[losing.trials["source"] == "baseline"].iloc[0]
    assert (first.validation, first.train) == (trial["value"], trial["train"])
    assert first.holdout_interval == base.holdout_interval is not None
    section = _text(_section(render(losing), "reliability"))
    ours = section.index(f"The simple {base.label}, which the report recommends")
    challenger = section.index("the challenger")
    assert ours < challenger
    low, high = base.holdout_interval
    own = section[ours:challenger]
    assert f"{fmt_number(base.holdout)} (95% interval {fmt_number(low)}–{fmt_number(high)})" in own
    assert fmt_number(trial["value"]) in own and fmt_number(trial["train"]) in own
    assert fmt_number(losing.holdout) not in own  # the tuned model's figure comes after
    assert fmt_number(losing.holdout) in section[challenger:]


def test_reliability_of_a_recommended_tuned_model_has_no_challenger(winning):
    section = _text(_section(render(winning), "reliability"))
    assert "the challenger" not in section and "which the report recommends" not in section


def test_a_baseline_the_search_did_not_score_says_so(losing):
    """`--model lightgbm`: no baseline trial, so no fold score to show or compare with."""
    section = _text(_section(render(losing), "reliability"))
    own = section[: section.index("the challenger")]
    assert "did not score it on the folds" in own
    assert "no hold-out score" not in own and "nan" not in own.lower()
