"""Diagnosis data checks: post-diagnosis leakage, prevalence, events per candidate
feature and missingness that differs between cases and controls.

Repeated patients are found by the generic `check_repeated_entities` (engine/data/checks.py),
which every vertical runs, so a patient id is flagged once, in one wording.

Each returns Findings whose message says what was found, `expected` what a sound
clinical table looks like, and `fix` what to do (leakage: Kapoor & Narayanan, Patterns
2023; small samples: Van Calster et al., BMC Medicine 2019).
"""

from __future__ import annotations

import pandas as pd

from tuneplate.plugin import (
    HIGH_CARDINALITY,
    LEAKAGE_AUC,
    Finding,
    Roles,
    many_levels,
    names_matching,
    ordered,
    single_feature_auc,
)

# Fields recorded at or after the diagnosis: treatments, results, outcomes. A column
# so named that also predicts the target well is almost certainly leaking it.
POST_DIAGNOSIS_WORDS = {
    "treatment",
    "treated",
    "therapy",
    "chemotherapy",
    "chemo",
    "radiotherapy",
    "surgery",
    "resection",
    "mastectomy",
    "result",
    "results",
    "outcome",
    "discharge",
    "discharged",
    "diagnosis",
    "diagnosed",
    "death",
    "died",
    "deceased",
    "mortality",
    "pathology",
    "histology",
    "histopathology",
    "prognosis",
    "staging",
    "icd",
}
POST_DIAGNOSIS_PHRASES = (
    ("biopsy", "result"),
    ("follow", "up"),
    ("final", "diagnosis"),
    ("length", "of", "stay"),
)
LEAK_WITH_NAME_AUC = 0.8  # a post-diagnosis name plus this much signal stops the run
STRONG_SINGLE_AUC = 0.9  # real markers can be this strong; noted, not flagged

PREVALENCE_RANGE = (0.01, 0.60)  # outside this, check the target or the sampling
MIN_EVENTS_PER_FEATURE = 10  # Riley et al. 2020; van Calster et al. 2019
MISSING_GAP = 0.2  # missing share among cases vs controls differing by more than this


def check_post_diagnosis(table: pd.DataFrame, roles: Roles) -> list[Finding]:
    """Columns named like a treatment, result or outcome: an error when they also predict."""
    y = roles.binary_target(table)
    named = names_matching(roles.features(table), POST_DIAGNOSIS_WORDS, POST_DIAGNOSIS_PHRASES)
    auc = {c: single_feature_auc(table[c], y) for c in named}
    leaking = {c: a for c, a in auc.items() if a >= LEAK_WITH_NAME_AUC}
    findings = []
    if leaking:
        detail = ", ".join(f"{c} (AUC {a:.2f} alone)" for c, a in leaking.items())
        findings.append(
            Finding(
                "post_diagnosis_leakage",
                "error",
                f"columns that look recorded at or after the diagnosis also predict it: {detail}",
                expected="only facts known before the diagnosis is made (the index time)",
                fix=f"drop them with --exclude {','.join(leaking)}; if one truly is known "
                "before the diagnosis, rename it so its name says so",
                columns=tuple(leaking),
            )
        )
    quiet = [c for c in named if c not in leaking]
    if quiet:
        findings.append(
            Finding(
                "post_diagnosis_names",
                "warning",
                f"{', '.join(quiet)}: the name suggests a treatment, result or outcome recorded "
                "at or after the diagnosis",
                expected="only facts known before the diagnosis is made",
                fix="confirm each is measured before the diagnosis, or --exclude it",
                columns=tuple(quiet),
            )
        )
    return findings


def check_strongest_feature(table: pd.DataFrame, roles: Roles) -> list[Finding]:
    """A note naming a single feature with AUC 0.9–0.99 (from 0.99 the generic check stops)."""
    y = roles.binary_target(table)
    best = None
    for col in roles.features(table):
        x = table[col]
        if many_levels(x):  # dates and numbers are judged by their order
            continue
        auc = single_feature_auc(x, y)
        if best is None or auc > best[1]:
            best = (col, auc)
    if best is None or not STRONG_SINGLE_AUC <= best[1] < LEAKAGE_AUC:
        return []
    col, auc = best
    return [
        Finding(
            "strongest_feature",
            "info",
            f"{col} alone separates the outcomes with AUC {auc:.3f}",
            expected="real markers can be this strong, but only if measured before the "
            "diagnosis is known",
            columns=(col,),
        )
    ]


def check_prevalence(table: pd.DataFrame, roles: Roles) -> list[Finding]:
    """The share of patients with the condition, and whether it is plausible."""
    y = roles.binary_target(table)
    share = float(y.mean())
    low, high = PREVALENCE_RANGE
    text = f"{share:.1%} of patients have {roles.target} = {roles.positive!r}"
    if roles.group and roles.group in table.columns:  # rows are visits, not patients
        per_patient = y.groupby(table[roles.group].astype("string").to_numpy()).max()
        text = (
            f"{share:.1%} of rows have {roles.target} = {roles.positive!r} "
            f"({per_patient.mean():.1%} of the {len(per_patient):,} {roles.group!r} ids on "
            "at least one row)"
        )
    if low <= share <= high:
        return [
            Finding(
                "prevalence",
                "info",
                text,
                expected="PPV, NPV and per-1,000 figures use --prevalence when the deployment "
                "rate differs from the sample's",
            )
        ]
    return [
        Finding(
            "prevalence",
            "warning",
            text + (", very rare" if share < low else ", more than most clinical populations"),
            expected=f"between {low:.0%} and {high:.0%}, or a known reason (e.g. a case-control "
            "sample)",
            fix="check --positive names the condition; state the real rate with --prevalence so "
            "PPV, NPV and per-1,000 figures use it",
            columns=(roles.target,),
        )
    ]


def candidate_parameters(table: pd.DataFrame, roles: Roles, per_level: bool = True) -> int:
    """Candidate predictor parameters: 1 per number or date, levels − 1 per text column
    (capped).

    With `per_level=False`, 1 per text column too: what a tree family sees, since it
    splits a text column as one input, where a linear model fits one coefficient per
    level (Riley et al., BMJ 2020, count the latter).

    Example:
        >>> candidate_parameters(table, roles), candidate_parameters(table, roles, False)
        (42, 12)
    """
    total = 0
    for col in roles.features(table):
        x = table[col]
        if not per_level or ordered(x) or pd.api.types.is_bool_dtype(x):
            total += 1  # a date too: the model reads it as one number (days)
        else:
            total += max(1, min(x.nunique(), HIGH_CARDINALITY) - 1)
    return total


def effective_events(table: pd.DataFrame, roles: Roles) -> tuple[int, str]:
    """(the rarer outcome's count, what is counted): rows, or under `--group` patients
    (ids with the event on some row against ids without), since a patient's visits
    repeat one patient's information (pbcseq: 725 event rows, 140 patients).

    Example:
        >>> effective_events(visits, Roles(target="died", group="id"))
        (140, 'patients')
    """
    y = roles.binary_target(table)
    if roles.group and roles.group in table.columns:
        ids = table[roles.group].astype("string").to_numpy()
        per_patient = y.groupby(ids).max()
        return int(min(per_patient.sum(), len(per_patient) - per_patient.sum())), "patients"
    return int(min(y.sum(), len(y) - y.sum())), "events"


def check_events_per_feature(table: pd.DataFrame, roles: Roles) -> list[Finding]:
    """Fewer than 10 events (the rarer outcome) per candidate predictor parameter; under
    `--group` the events are patients (`effective_events`)."""
    events, counted = effective_events(table, roles)
    params = candidate_parameters(table, roles)
    if not params or events / params >= MIN_EVENTS_PER_FEATURE:
        return []
    columns = candidate_parameters(table, roles, per_level=False)
    # What the search then does is decided on the development rows, after the split, and
    # said by the engine's "space_adapted" note: this whole-table count near a threshold
    # could say otherwise, so the finding gives the counts and the rule, not the outcome.
    # (The trees' count matters: a 90-level text column is 89 parameters to a linear model,
    # one input to a tree.)
    return [
        Finding(
            "events_per_feature",
            "warning",
            f"{events:,} {'patients with the rarer outcome' if counted == 'patients' else counted} "
            f"for {params:,} candidate predictor parameters: {events / params:.1f} per parameter",
            expected=f"at least {MIN_EVENTS_PER_FEATURE} events per candidate parameter; with "
            "fewer, flexible models overfit and their risks are too extreme",
            fix=f"the search narrows the logistic regression's penalty below "
            f"{MIN_EVENTS_PER_FEATURE} events per candidate parameter and the trees' ranges "
            f"below {MIN_EVENTS_PER_FEATURE} per input column (a tree splits a text column as "
            f"one input; here {events / columns:.1f}), counted on the development rows; the "
            "note 'search ranges fitted to this table' lists the ranges used. Prefer the "
            "default logistic regression, drop weak candidates with --exclude or collect more "
            "events, and check the calibration slope in the report",
        )
    ]


def check_missing_by_outcome(table: pd.DataFrame, roles: Roles) -> list[Finding]:
    """Missing values much more common among cases than controls, or the reverse."""
    y = roles.binary_target(table).to_numpy() == 1
    if y.all() or not y.any():
        return []
    gaps = {}
    for col in roles.features(table):
        missing = table[col].isna().to_numpy()
        if not missing.any():
            continue
        cases, controls = missing[y].mean(), missing[~y].mean()
        if abs(cases - controls) > MISSING_GAP:
            gaps[col] = (cases, controls)
    if not gaps:
        return []
    detail = ", ".join(f"{c} ({a:.0%} vs {b:.0%})" for c, (a, b) in gaps.items())
    return [
        Finding(
            "missing_by_outcome",
            "warning",
            f"missing values differ between patients with and without the condition: {detail}",
            expected=f"similar missing shares in both groups (within {MISSING_GAP:.0%} points); "
            "a test ordered only for suspected cases tells the model the answer",
            fix="check why the values are missing; if a test is only ordered once the condition "
            "is suspected, --exclude it or record whether it was ordered before the index time",
            columns=tuple(gaps),
        )
    ]


CHECKS = (
    check_post_diagnosis,
    check_strongest_feature,
    check_prevalence,
    check_events_per_feature,
    check_missing_by_outcome,
)
