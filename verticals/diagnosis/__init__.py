"""Diagnosis: does this patient have the condition?

Tunes a risk model on log-loss, so its predicted risks can be used as they are,
and reports it the way a clinical team reads it: sensitivity, specificity, PPV
and NPV at an operating threshold chosen after tuning from the cost of a missed
case against a false alarm (`--miss-cost`), cases caught, missed and false alarms
per 1,000 patients at the deployment prevalence (`--prevalence`), calibration, a
decision curve, and performance by subgroup (`--subgroups`). Give `--group
PATIENT_ID` when a patient has several rows.

The search spaces are narrow and strongly regularised for small clinical tables,
and no family reweights or resamples the classes: that would distort the
predicted risks, and the operating threshold does the balancing instead.
"""

from tuneplate.plugin import Option, Vertical
from tuneplate.verticals.diagnosis import checks, data, metrics, space

VERTICAL = Vertical(
    name="diagnosis",
    title="Diagnosis",
    summary="risk of a condition for patients; log-loss, AUROC, sensitivity/specificity, "
    "cases caught and missed per 1,000",
    objective=metrics.OBJECTIVE,
    spaces=space.SPACES,
    default_family=space.DEFAULT_FAMILY,
    priors=space.PRIORS,
    checks=checks.CHECKS,
    evaluate=metrics.evaluate,
    example=data.load,
    positive_words=(
        "malignant",
        "disease",
        "diseased",
        "case",
        "cancer",
        "present",
        "positive",
        "sick",
        "abnormal",
    ),
    assumptions=metrics.ASSUMPTIONS,
    # `auto`: the logistic baseline first and kept by the one-SE rule unless a tuned
    # model beats it clearly; on a 15,000-row clinical table logistic alone ended 0.04
    # log-loss above untuned LightGBM (benchmarks/unseen_tables.py)
    default_strategy="auto",
    default_trials=50,
    default_timeout=60,
    options=(
        Option(
            "--miss-cost",
            "miss_cost",
            float,
            "how many false alarms one missed case is worth; sets the operating threshold "
            "(default 10)",
        ),
        Option(
            "--prevalence",
            "prevalence",
            float,
            "share of patients with the condition where the model is used, e.g. 0.02 "
            "(default: the sample's); PPV, NPV and per-1,000 figures use it",
        ),
    ),
    adapt_space=space.adapt,
    adapt_rule=space.ADAPT_RULE,
    validate=metrics.validate,
    reasons=metrics.REASONS,
    intended_use="estimating each patient's risk of the condition to support, not replace, "
    "a clinician's decision to investigate further, at the threshold and prevalence stated "
    "in this report.",
    out_of_scope="diagnosing without clinical review; populations, sites or measurement "
    "methods unlike the training data without external validation; ruling the condition "
    "out in patients whose risk lies outside the range seen here.",
)
