"""The report's glossary: a one-line meaning for each term the report actually uses."""

from __future__ import annotations

import re

from tuneplate.engine.results import Results, Role
from tuneplate.reports.figures import column
from tuneplate.reports.sections import group_tables, operating_point, tuned_parameters

GLOSSARY = {
    "operating point": "The rule that turns a score into a decision, e.g. approve when the "
    "predicted risk is under a cut-off.",
    "roc_auc": "The chance that the model ranks a randomly chosen case with the event above "
    "one without it; 0.5 is a coin toss, 1 is perfect.",
    "gini": "AUC rescaled to run from 0 (no ranking power) to 1 (perfect): 2 × AUC − 1.",
    "ks": "The largest gap, over all cut-offs, between the share of events and the share "
    "of non-events below that cut-off.",
    "brier": "The average squared difference between the predicted probability and what "
    "happened (1 or 0); lower is better.",
    "log_loss": "The average penalty for the probability given to what actually happened, "
    "heavy for confident mistakes; lower is better.",
    "pr_auc": "Precision averaged over all levels of recall; compare it with the event rate, "
    "which is what a coin toss scores.",
    "sensitivity": "The share of people with the condition whom the model flags.",
    "specificity": "The share of people without the condition whom the model clears.",
    "ppv": "Positive predictive value: the share of flagged people who have the condition.",
    "npv": "Negative predictive value: the share of cleared people who do not have it.",
    "calibration": "Whether predicted probabilities match observed rates: of cases given "
    "10%, about 10% should have the event.",
    "calibration_slope": "How spread out the predicted risks are compared with reality; 1 is "
    "ideal, below 1 too extreme, above 1 too timid.",
    "net benefit": "True positives found per case minus false alarms weighted by how sure "
    "one must be before acting; the decision curve plots it.",
    "ndcg": "Normalised discounted cumulative gain: how near the top of the list the items "
    "a customer went on to use were ranked; 1 is perfect.",
    "hit_rate": "The share of customers for whom at least one recommended item was used.",
    "precision_at_k": "Of the k items shown, the share the customer went on to use.",
    "recall_at_k": "Of the items the customer went on to use, the share that were shown.",
    "map_at_k": "Mean average precision: precision at each useful item's position, "
    "averaged; rewards useful items near the top.",
    "coverage": "The share of the catalogue the model ever recommends.",
    # The recommendation field's strong simple models, which the ranker has to beat.
    "ease": "A linear recommender that scores each item from the other items in the "
    "customer's history, by one ridge regression of the item-to-item matrix with no item "
    "predicting itself (Steck, 2019); its one setting is the regularisation λ.",
    "item-knn": "Item k-nearest neighbours: recommends the items most similar to those the "
    "customer has, similarity being the cosine between items' customer lists, each item "
    "keeping its k nearest neighbours (Sarwar et al., 2001).",
    "als": "Alternating least squares for implicit feedback: matrix factorisation that "
    "gives each customer and item a short vector whose product predicts interest, observed "
    "interactions weighted by a confidence α (Hu, Koren & Volinsky, 2008).",
    # Beyond accuracy: what the lists show besides hits (Castells et al., 2015).
    "novelty": "How unexpected the recommended items are: the mean self-information "
    "−log2(p) of an item, p being the share of earlier customers who used it; one more bit "
    "means an item half as widely known (Zhou et al., 2010).",
    "intra-list diversity": "The share of pairs of items in one customer's list that come "
    "from different categories; 0 is one category, 1 all different (Ziegler et al., 2005).",
    "arp": "Average recommendation popularity: how many earlier customers a recommended "
    "item had, on average; high means the lists lean on bestsellers (Abdollahpouri et al., "
    "2019).",
    "long tail": "The items outside the bestsellers (the most popular items, which together "
    "make up 80% of earlier interactions); the long-tail share is how much of the lists "
    "they fill.",
    "hold-out": "Rows set aside before tuning and used once at the end, so their score is "
    "an honest preview of new data. They also decide between two models, the tuned one and "
    "the simple baseline (the tuned one must win on them beyond noise), which makes the "
    "chosen model's figure very slightly flattering.",
    "interval": "The range a score would move within if the hold-out were drawn again "
    "(a bootstrap: rows resampled many times, the middle 95% of the scores kept); a wide "
    "one means few rows.",
    "cross-validation": "Scoring each setting several times, each time training on most of "
    "the tuning rows and testing on the rest, then averaging.",
    "validation period": "The events just before the hold-out (a period, or each "
    "customer's latest events): each setting is trained on what came before them and scored "
    "on them, as it would be used next.",
    "overfitting": "A model that fits its training rows much better than new ones has "
    "memorised noise; underfitting is the opposite, too simple to learn the signal.",
    "air": "A group's rate of favourable decisions divided by the rate of a reference "
    "group, the most favoured group large enough to be a benchmark (the table marks it); "
    "under 0.8 is flagged by the four-fifths rule of thumb.",
    "psi": "How far the spread of scores on new cases has moved "
    "from the spread seen in development; above 0.25 is usually read as a major shift.",
    "baseline": "A simple model at default settings, fitted on the same rows: what the tuned "
    "model has to beat to be worth its complexity.",
    "trial": "One setting of the model's hyperparameters, trained and scored; a pruned "
    "trial was stopped early because it was clearly worse. Trials are named by Optuna's "
    "number, counted from 0 (#0, #1, …), in this report, results.json and the study storage.",
    "contribution": "How much one input moved one prediction, on the log-odds scale (TreeSHAP "
    "for tree models, coefficient × distance from the average for logistic regression); a "
    "prediction is the base value plus its inputs' contributions, and +0.69 doubles the odds.",
    "importance": "A setting's share of the variation in the score across trials (fANOVA); "
    "near zero means it hardly mattered within its range.",
    "parallel coordinates": "One line per trial across one axis per setting, coloured by "
    "score: where good lines bunch shows the settings that work.",
    # Abbreviations and business terms the verticals' sentences use (Basel II, BCBS 2006).
    "pd": "Probability of default: the model's estimated chance that a loan goes bad.",
    "lgd": "Loss given default: the share of the amount lent that is lost when a loan goes "
    "bad, after recoveries.",
    "ead": "Exposure at default: the amount owed when a loan goes bad; here the stated "
    "exposure per loan.",
    "margin": "What a loan that is repaid earns, as a share of the amount lent.",
    "expected loss": "PD × LGD × exposure: the loss a loan is expected to cause on average.",
    "prevalence": "The share of people who have the condition in the population the model "
    "will be used on.",
    # The scorecard section (Siddiqi, Credit Risk Scorecards, 2006, ch. 6)
    "woe": "Weight of Evidence: for one bin of an input, ln(share of all non-events in the "
    "bin / share of all events in it); above 0 the bin is safer than average, below riskier.",
    "iv": "Information Value: how well an input's bins separate events from non-events, the "
    "sum over bins of (share of non-events − share of events) × WoE; under 0.02 not useful, "
    "above 0.3 strong.",
    "points": "A scorecard's score is the sum of the points of the applicant's bins, scaled "
    "so a set number of points (PDO, points to double the odds) doubles the odds of "
    "repaying; the base points at the base odds fix where the scale sits.",
}
# Terms found in the text the verticals wrote (headline, cards, tables, assumptions): the
# pattern that shows the page uses them.
IN_TEXT = {
    "pd": r"\bPDs?\b",
    "lgd": r"\bLGD\b|loss given default",
    "ead": r"\bEAD\b|\bexposure\b",
    "margin": r"\bmargin\b",
    "expected loss": r"\bexpected loss\b",
    "prevalence": r"\bprevalence\b",
    # case-sensitive: "ease" and "als" are also ordinary words or word parts
    "ease": r"(?-i:\bEASE\b)",
    "item-knn": r"\bitem-kNN\b",
    "als": r"(?-i:\bALS\b)",
    "novelty": r"\bnovelty\b",
    "intra-list diversity": r"\bintra-list diversity\b",
    "arp": r"(?-i:\bARP\b)",
    "long tail": r"\blong-tail\b|\blong tail\b",
}
GLOSSARY_TERMS = {
    "operating point": "Operating point",
    "roc_auc": "ROC AUC",
    "gini": "Gini",
    "ks": "KS statistic",
    "brier": "Brier score",
    "log_loss": "Log-loss",
    "pr_auc": "PR AUC",
    "sensitivity": "Sensitivity",
    "specificity": "Specificity",
    "ppv": "PPV",
    "npv": "NPV",
    "calibration": "Calibration",
    "calibration_slope": "Calibration slope",
    "net benefit": "Net benefit",
    "ndcg": "NDCG@k",
    "hit_rate": "Hit rate",
    "precision_at_k": "Precision@k",
    "recall_at_k": "Recall@k",
    "map_at_k": "MAP@k",
    "coverage": "Catalogue coverage",
    "ease": "EASE",
    "item-knn": "item-kNN",
    "als": "ALS",
    "novelty": "Novelty",
    "intra-list diversity": "Intra-list diversity",
    "arp": "ARP",
    "long tail": "Long tail",
    "hold-out": "Hold-out",
    "interval": "95% interval",
    "cross-validation": "Cross-validation",
    "validation period": "Validation period",
    "overfitting": "Over- and underfitting",
    "air": "Adverse impact ratio",
    "psi": "Population stability index",
    "baseline": "Baseline",
    "trial": "Trial",
    "contribution": "Contribution (log-odds)",
    "importance": "Parameter importance",
    "parallel coordinates": "Parallel coordinates",
    "pd": "PD",
    "lgd": "LGD",
    "ead": "EAD (exposure)",
    "margin": "Margin",
    "expected loss": "Expected loss",
    "prevalence": "Prevalence",
    "woe": "WoE",
    "iv": "Information Value (IV)",
    "points": "Points and PDO",
}


def glossary(results: Results) -> list[tuple[str, str]]:
    """(term, one-line meaning) for the terms this report uses, in reading order."""
    metric_names = {results.metric.name, *results.holdout_metrics}
    tuned_on = "cross-validation" if results.data.get("folds") else "validation period"
    used = {"hold-out", tuned_on, "overfitting", "psi", "trial"}
    if operating_point(results) or results.headline.cards:
        used.add("operating point")
    for name in metric_names:
        stem = re.sub(r"_at_\d+$", "_at_k", str(name).split("@")[0].lower())
        for term in GLOSSARY:
            if stem == term or stem.startswith(f"{term}_") or stem.startswith(term):
                used.add(term)
    if results.table("calibration") is not None:
        used.add("calibration")
    if results.table("decision_curve") is not None:
        used.add("net benefit")
    if any(column(t, Role.ADVERSE_IMPACT) for t in group_tables(results)):
        used.add("air")
    if (results.baseline or {}).get("holdout") is not None:
        used.add("baseline")
    if ((results.data or {}).get("scorecard") or {}).get("points"):  # the scorecard section
        used |= {"woe", "iv", "points"}
    if (results.data or {}).get("drivers"):  # "What drives the predictions"
        used.add("contribution")
    if results.importance:
        used.add("importance")
    # ranking reports give intervals too, and so does the paired comparison with the baseline
    if results.holdout_interval or results.baselines or results.baseline.interval:
        used.add("interval")
    if len(tuned_parameters(results)) >= 2:
        used.add("parallel coordinates")
    text = _vertical_text(results)
    used |= {t for t, pattern in IN_TEXT.items() if re.search(pattern, text, re.IGNORECASE)}
    return [(GLOSSARY_TERMS[t], GLOSSARY[t]) for t in GLOSSARY if t in used]


def _vertical_text(results: Results) -> str:
    """The words the vertical wrote into the report: headline, cards, tables, assumptions."""
    h = results.headline
    parts = [*h.summary, h.operating_point or ""]
    parts += [f"{c.label} {c.assumption}" for c in h.cards]
    for table in results.tables:
        parts += [table.title, table.note or "", *map(str, table.frame.columns)]
    parts += [str(k).replace("_", " ") for k in results.assumptions]
    return " ".join(parts)
