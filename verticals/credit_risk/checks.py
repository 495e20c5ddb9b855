"""Credit-risk data checks: post-outcome leakage, protected attributes, bad rate."""

from __future__ import annotations

import pandas as pd

from tuneplate.plugin import Finding, Roles, many_levels, names_matching, single_feature_auc

# Fields only filled in after a loan went bad (collections, recoveries, charge-off,
# arrears). Previous-delinquency counts from the bureau are legitimate, so the
# words are specific to the loan's own later life.
POST_OUTCOME_WORDS = {
    "collection",
    "collections",
    "recovery",
    "recoveries",
    "chargeoff",
    "writeoff",
    "dpd",
    "arrears",
    "workout",
    "settlement",
    "hardship",
    "delinquent",
}
POST_OUTCOME_PHRASES = (
    ("charge", "off"),
    ("charged", "off"),
    ("write", "off"),
    ("written", "off"),
    ("days", "past", "due"),
    ("last", "pymnt"),
    ("last", "payment"),
    ("total", "rec"),
    ("out", "prncp"),
    ("default", "date"),
)
LEAK_WITH_NAME_AUC = 0.7  # a post-outcome name plus real signal stops the run
# Flag any single feature above this: a practitioners' rule of thumb for target leakage
# (the "illegitimate features" of Kapoor & Narayanan, Patterns 2023, arXiv 2207.07048).
SUSPICIOUS_AUC = 0.9

PROTECTED_WORDS = {
    "sex",
    "gender",
    "race",
    "ethnicity",
    "ethnic",
    "religion",
    "marital",
    "age",
    "nationality",
    "citizenship",
    "foreign",
    "pregnant",
    "pregnancy",
    "disability",
}
PROTECTED_PHRASES = (("national", "origin"), ("date", "birth"), ("birth", "date"))

BAD_RATE_RANGE = (0.005, 0.40)  # outside this the target definition is usually wrong


def check_post_outcome(table: pd.DataFrame, roles: Roles) -> list[Finding]:
    y = roles.binary_target(table)
    features = roles.features(table)
    named = names_matching(features, POST_OUTCOME_WORDS, POST_OUTCOME_PHRASES)
    findings = []
    leaking = {c: a for c in named if (a := single_feature_auc(table[c], y)) >= LEAK_WITH_NAME_AUC}
    if leaking:
        detail = ", ".join(f"{c} (AUC {a:.2f} alone)" for c, a in leaking.items())
        findings.append(
            Finding(
                "post_outcome_leakage",
                "error",
                f"columns that look recorded after the loan went bad also predict it: {detail}",
                expected="only facts known on the application date",
                fix="drop them with --exclude " + ",".join(leaking),
                columns=tuple(leaking),
            )
        )
    quiet = [c for c in named if c not in leaking]
    if quiet:
        findings.append(
            Finding(
                "post_outcome_names",
                "warning",
                f"{', '.join(quiet)}: the name suggests a field filled in after the outcome",
                expected="only facts known on the application date",
                fix="confirm each is known when the application is decided, or --exclude it",
                columns=tuple(quiet),
            )
        )
    suspicious = {}
    for c in features:
        if c in named:
            continue
        if many_levels(table[c]):  # dates and numbers are judged by their order
            continue
        auc = single_feature_auc(table[c], y)
        if auc >= SUSPICIOUS_AUC:
            suspicious[c] = auc
    if suspicious:
        detail = ", ".join(f"{c} (AUC {a:.2f})" for c, a in suspicious.items())
        findings.append(
            Finding(
                "suspiciously_predictive",
                "warning",
                f"a single column separates good from bad loans unusually well: {detail}",
                expected="no single application field with AUC above 0.9",
                fix="check when it is recorded; if after the decision, --exclude it",
                columns=tuple(suspicious),
            )
        )
    return findings


def check_protected(table: pd.DataFrame, roles: Roles) -> list[Finding]:
    used = names_matching(roles.features(table), PROTECTED_WORDS, PROTECTED_PHRASES)
    if not used:
        return []
    return [
        Finding(
            "protected_as_feature",
            "warning",
            f"{', '.join(used)} look like protected attributes and are used as features",
            expected="no protected attribute (sex, age, marital status, origin…) as a feature",
            fix=f"declare them with --protected {','.join(used)}: they are then left out of the "
            "model and the report shows approval rates by group",
            columns=tuple(used),
        )
    ]


def check_bad_rate(table: pd.DataFrame, roles: Roles) -> list[Finding]:
    rate = float(roles.binary_target(table).mean())
    low, high = BAD_RATE_RANGE
    if low <= rate <= high:
        return [
            Finding(
                "bad_rate",
                "info",
                f"the bad rate is {rate:.1%} ({roles.target} = {roles.positive!r})",
                expected=f"between {low:.1%} and {high:.0%}",
            )
        ]
    return [
        Finding(
            "bad_rate",
            "warning",
            f"the bad rate is {rate:.1%} ({roles.target} = {roles.positive!r}), "
            "outside the usual range",
            expected=f"between {low:.1%} and {high:.0%} for a definition such as 90 days past due",
            fix="check the target definition and that --positive names the default outcome",
            columns=(roles.target,),
        )
    ]


CHECKS = (check_post_outcome, check_protected, check_bad_rate)
