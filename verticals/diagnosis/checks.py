"""Diagnosis data checks: post-diagnosis leakage, repeated patients, prevalence,
events per candidate feature and missingness that differs between cases and controls.

Each returns Findings whose message says what was found, `expected` what a sound
clinical table looks like, and `fix` what to do (research/verticals.md §2.3).
"""

from __future__ import annotations

import math

import pandas as pd

from tuneplate.engine.checks import (
    HIGH_CARDINALITY,
    LEAKAGE_AUC,
    Finding,
    column_tokens,
    names_matching,
    single_feature_auc,
)
from tuneplate.engine.data import Roles

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

# A patient id: strong words alone, or a generic "id" with many distinct values.
PATIENT_WORDS = {"patient", "subject", "mrn", "person", "participant", "pid"}
PATIENT_PHRASES = (("medical", "record"), ("record", "number"))
ID_WORDS = {"id", "identifier"}
MIN_ID_LEVELS = 20  # a generic id with fewer distinct values is a site or a batch
MIN_ID_SHARE = 0.05  # … or with distinct values in under 5% of rows
MIN_REPEATED_SHARE = 0.01  # at least this share of rows repeat an id (and at least 2)

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
        if not pd.api.types.is_numeric_dtype(x) and x.nunique() > HIGH_CARDINALITY:
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


def _looks_like_patient_id(values: pd.Series, name: str) -> bool:
    tokens = column_tokens(name)
    strong = bool(tokens & PATIENT_WORDS) or any(set(p) <= tokens for p in PATIENT_PHRASES)
    if not (strong or tokens & ID_WORDS):
        return False
    n, distinct = int(values.notna().sum()), values.nunique()
    repeated = n - distinct
    if distinct >= n or repeated < max(2, math.ceil(MIN_REPEATED_SHARE * n)):
        return False
    return strong or (distinct >= MIN_ID_LEVELS and distinct >= MIN_ID_SHARE * n)


def check_repeated_patients(table: pd.DataFrame, roles: Roles) -> list[Finding]:
    """Without --group, a patient-id column with repeated values: rows would leak across folds."""
    if roles.group:
        return []
    skip = {roles.target, roles.time}
    found = [c for c in table.columns if c not in skip and _looks_like_patient_id(table[c], c)]
    findings = []
    for col in found:
        counts = table[col].value_counts()
        many = counts[counts > 1]
        findings.append(
            Finding(
                "repeated_patients",
                "warning",
                f"{col} looks like a patient id and {len(many):,} of its {len(counts):,} values "
                f"appear on more than one row ({int(many.sum()):,} rows)",
                expected="each patient's rows on one side of every split, so the score is not "
                "inflated by recognising the same patient",
                fix=f"pass --group {col} (patient-grouped folds and hold-out)",
                columns=(col,),
            )
        )
    return findings


def check_prevalence(table: pd.DataFrame, roles: Roles) -> list[Finding]:
    """The share of patients with the condition, and whether it is plausible."""
    share = float(roles.binary_target(table).mean())
    low, high = PREVALENCE_RANGE
    text = f"{share:.1%} of patients have {roles.target} = {roles.positive!r}"
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


def candidate_parameters(table: pd.DataFrame, roles: Roles) -> int:
    """Candidate predictor parameters: 1 per number, levels − 1 per text column (capped)."""
    total = 0
    for col in roles.features(table):
        x = table[col]
        if pd.api.types.is_numeric_dtype(x) or pd.api.types.is_bool_dtype(x):
            total += 1
        else:
            total += max(1, min(x.nunique(), HIGH_CARDINALITY) - 1)
    return total


def check_events_per_feature(table: pd.DataFrame, roles: Roles) -> list[Finding]:
    """Fewer than 10 events (the rarer outcome) per candidate predictor parameter."""
    y = roles.binary_target(table)
    events = int(min(y.sum(), len(y) - y.sum()))
    params = candidate_parameters(table, roles)
    if not params or events / params >= MIN_EVENTS_PER_FEATURE:
        return []
    return [
        Finding(
            "events_per_feature",
            "warning",
            f"{events:,} events for {params:,} candidate predictor parameters: "
            f"{events / params:.1f} per parameter",
            expected=f"at least {MIN_EVENTS_PER_FEATURE} events per candidate parameter; with "
            "fewer, flexible models overfit and their risks are too extreme",
            fix="the search space was narrowed to simpler models for this run (fewer leaves, "
            "shallower trees, stronger L2); prefer the default logistic regression, drop weak "
            "candidates with --exclude or collect more events, and check the calibration slope "
            "in the report",
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
    check_repeated_patients,
    check_prevalence,
    check_events_per_feature,
    check_missing_by_outcome,
)
