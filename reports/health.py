"""The data-health table: each check finding as a traffic light, with what it means
for the model and what to do, in one sentence each."""

from __future__ import annotations

from dataclasses import dataclass

from tuneplate.engine.contract.intervals import MIN_OUTCOMES
from tuneplate.engine.results import Results
from tuneplate.reports.formatters import fmt_label
from tuneplate.reports.sections import findings

# What a finding means for the model, in one sentence, by check. Checks not listed here
# get a sentence by severity.
MEANINGS = {
    "duplicate_rows": "Repeated rows count twice and can sit on both sides of a split, "
    "flattering the scores.",
    "ungroupable_columns": "A group table needs a column of a few groups; a date or an "
    "id gives every row its own.",
    "constant_columns": "A column with one value carries no information; the model leaves it "
    "out and never sees rows with another value, which scoring and validate then count.",
    "id_like_columns": "An identifier predicts nothing about new cases but can let the model "
    "memorise old ones.",
    "missing_values": "Gaps are filled or skipped by the model; many gaps make its scores "
    "less certain.",
    "missing_by_outcome": "When gaps depend on the outcome, the model can learn the gap "
    "instead of the case: scores look better than they will be.",
    "missing_codes": 'A number written for "missing" (-1, -999, 9999) is read as a real '
    "value: a scorecard or logistic regression takes it for an extreme one and bends its "
    "bins or slope; blank cells would be learnt as missing.",
    "holdout_bounds": "Hold-out rows with values no development row had (a negative amount, "
    "-999) were scored anyway: the hold-out figures include them, as new rows would.",
    "holdout_outcomes": f"The hold-out holds under {MIN_OUTCOMES} events or non-events: its AUROC, "
    "calibration and business figures rest on a handful of cases, and validate cannot judge "
    "a change against them.",
    "high_cardinality": "A column with very many levels is hard to learn from and can overfit.",
    "single_feature_leakage": "One column predicting the outcome almost alone often means it "
    "was recorded after the outcome was known.",
    "strongest_feature": "A very strong single predictor is worth checking: it is only "
    "usable if it is known at decision time.",
    "suspiciously_predictive": "A column this predictive may carry the answer itself "
    "(leakage); live cases will not have it.",
    "post_outcome_leakage": "Information recorded after the outcome makes the model look "
    "far better than it can be in use.",
    "post_outcome_names": "Column names suggest information from after the outcome, which "
    "would not exist when deciding.",
    "post_diagnosis_leakage": "Tests taken after the diagnosis make the model look far "
    "better than it can be in use.",
    "post_diagnosis_names": "Column names suggest tests taken after the diagnosis, which "
    "would not exist when deciding.",
    "protected_as_feature": "Using a protected attribute as an input can discriminate unlawfully.",
    "repeated_patients": "The same patient in several rows can be learned and then "
    "recognised, flattering the scores.",
    "repeated_entities": "The same customer or patient in several rows can be learned and "
    "then recognised on the hold-out, flattering the scores.",
    "group_ids": "Rows without a real --group id cannot be kept with their customer or "
    "patient; one stand-in id (such as 0) would make them one large group.",
    "events_per_feature": "Few events per candidate input make flexible models overfit and "
    "their risks too extreme.",
    "space_adapted": "The search ranges were fitted to the table's size: simpler models "
    "for few events, larger trees for many rows.",
    "bad_rate": "The share of bad outcomes sets what approval and loss figures are plausible.",
    "prevalence": "The share with the condition sets what predictive values and per-1,000 "
    "figures mean.",
    "class_size": "Too few cases of one outcome leave little to learn from and make "
    "scores unstable.",
    "table_size": "A small table gives rough scores; a large one takes longer to tune.",
    "gradient_overfitting": "The tuned penalty may fit the validation folds rather than new data.",
    "replay_data_changed": "The data differ from the original run's, so the replay is not "
    "an exact repeat.",
    "target_missing": "Rows without an outcome are left out of tuning and of every figure; "
    "if they differ from the rest (declined or indeterminate cases), the figures describe "
    "the others only.",
    "target_spelling": "One outcome written several ways is read as one; if they are "
    "different outcomes, the model learned a merged one.",
    "time_column": "Without one readable date on every row, the rows cannot be put in time "
    "order, so the time split cannot be made.",
    "budget_learning_rate": "A short budget leaves out the slowest settings; a longer one "
    "may find a slightly better model.",
    "warm_start_unused": "The earlier run's best settings did not fit this search, so it "
    "started from scratch.",
    "ambiguous_numbers": "Numbers read in the wrong convention are 1,000 times too large "
    "or too small, and every score that uses them is wrong.",
    "thousands_dots": "Numbers written with thousands separators were read as whole numbers; "
    "if the dots were decimal points, the values are 1,000 times too large.",
    "leading_zeros": "Codes with leading zeros were kept as text, so 007 and 7 stay "
    "different levels.",
    "answers_spelled_two_ways": "One answer written two ways (yes and 1) is two levels to "
    "the model, each learnt from fewer rows; rows written the other way at scoring move.",
    "cold_start": "Users or items never seen before cannot be personalised; the ranker falls "
    "back on popularity for them.",
    "dominant_item": "One item with a large share of the events makes popularity hard to "
    "beat and the ranker's figures lean on it.",
    # an exact copy has its event's time, so a time split puts both in one period
    "duplicate_events": "An event logged twice counts twice: it inflates popularity and "
    "co-occurrence. An exact copy has its event's time, so both copies fall in one period.",
    "ids_written_two_ways": "One customer (or item) written two ways counts as two: each "
    "has half a history, and the ranker's and the simple lists' figures fall.",
    "few_holdout_users": "Few users in the hold-out period make every ranking figure wide.",
    "items_missing": "Items the item table does not describe have no category or price: "
    "diversity and revenue leave them out, so those figures cover part of the catalogue.",
    "few_interactions_per_user": "Users with few events cannot be evaluated, and ranking "
    "leans on popularity for them.",
    "future_events": "Events dated after the extract point to a clock or time-zone error; "
    "they land in the hold-out period.",
    "epoch_milliseconds": "13-digit epoch times are milliseconds: read as seconds they "
    "would lie tens of thousands of years ahead.",
    "missing_spelled_levels": "A level spelled like a missing value ('NA') is a level to the "
    "model but missing once the rows come from a CSV file: scores of those rows would "
    "differ.",
    "implausible_dates": "Dates such as 1970-01-01 are usually stand-ins for a missing date "
    "and put events in the wrong period.",
    "sparsity": "With few events per item, what is bought together is thin evidence.",
    # How the data contract read a column (engine/contract/notes.py, kinds.py, schema.py)
    "text_in_numbers": "Text in a number column is read as missing; if it meant a value "
    "(a result below a test's limit, say), the model learns it as 'not measured'.",
    "infinite_values": "Infinite values are read as missing; they usually come from a "
    "division by zero upstream.",
    "empty_column": "A column with no value carries nothing and is left out.",
    "decimal_mark": "This column writes its decimals unlike the rest of the file; it is "
    "read, and scored, its own way.",
    "thousands_separators": "Thousands separators were removed when reading; scoring "
    "reads them the same way.",
    "percent_text": "Percentages are read in percent units; scoring accepts them with or "
    "without the sign.",
    "unit_in_cells": "A number with its unit in the cell is text to the model: each value a "
    "level of its own, learnt from a handful of rows, and no order between them.",
    "case_levels": "Levels that differ only in case are learnt apart, each from fewer rows; "
    "an extract that writes them one way gives the model one level.",
    "currency_text": "A currency sign is dropped when reading; scoring accepts amounts with "
    "or without it.",
    "mixed_currency": "Amounts in two currencies in one column are compared as if in one; "
    "the model learns the mix unless the extract converts them.",
    "currency_from_data": "The money figures are in the currency the amounts' one sign "
    "names, not the default; a $ may be another dollar than the US one.",
    "currency_conflict": "The stated currency is not the one the amounts are written in: "
    "money figures may carry the wrong currency, or the exposure be in another.",
    "currency_unclear": "Amounts written in several currencies: the money figures keep the "
    "default currency, which may not be theirs.",
    "currency_not_from_amounts": "A currency sign on a column that is not one of the "
    "vertical's amounts (a price tier, a plan) says nothing of the exposure's currency: the "
    "money figures keep the default, which may not be theirs.",
    "accounting_negatives": "Amounts in parentheses are read as negative, as accountants "
    "write them; scoring reads them the same way.",
    "mixed_percent": "Values with '%' and plain fractions in one column are 100 times apart "
    "once read; the model learns the column in two units unless the extract is fixed.",
    "rare_levels": "Levels seen on too few rows are pooled, so no model learns from a "
    "handful of cases (and none keeps their values).",
    "date_feature": "A date given to the model as a number lets it learn a trend in time, "
    "which new rows, all later, sit outside.",
    "date_order": "Dates read in the wrong day/month order put rows in the wrong period.",
    "date_order_assumed": "Dates with no day above 12 fit either order: read the wrong way, "
    "every period and every recency feature of an interaction log would move.",
    "two_digit_years": "A two-digit year names no century; a date read in the wrong one (a "
    "birth in 2064) gives the model ages and spans that are wrong by a hundred years.",
    "time_of_day": "A time of day names no date; read as minutes since midnight it scores "
    "the same whatever the day, where read as a date it would change every day.",
}
# --split last-n counts each user's last events, not time: of two copies of a user's last
# event one is held out and its twin is an earlier period's label, learnt from.
PER_USER_MEANINGS = {
    "duplicate_events": "An event logged twice counts twice: it inflates popularity and "
    "co-occurrence, and with --split last-n a copy of a user's last event can be held out "
    "while its twin is learnt from, on both sides of the split.",
}
SEVERITY_MEANING = {
    "error": "This would make the model or its scores untrustworthy; the run was stopped.",
    "warning": "This can make the scores look better than they will be in use.",
    "info": "Recorded for the reader; it does not hold the model back.",
}
SEVERITY_ACTION = {
    "error": "Fix the data and run again.",
    "warning": "Check the columns named before the model is used.",
    "info": "Nothing.",
}
# One word per severity, wherever a finding shows (data health, the appendix, the verdict's
# sentences): a reader never sees one finding called "OK", "Note" and "minor warning".
SEVERITY = {
    "error": ("stop", "Must fix"),
    "warning": ("caution", "Check"),
    "info": ("good", "Note"),
}
HEALTH_LIGHT = SEVERITY  # the traffic light's colour and word


def severity_word(severity: str) -> str:
    """The report's one word for a finding's severity.

    Example:
        >>> severity_word("warning"), severity_word("info")
        ('Check', 'Note')
    """
    return SEVERITY.get(severity, ("info", fmt_label(severity)))[1]


@dataclass(frozen=True)
class HealthRow:
    """One traffic-light row of the data-health table."""

    level: str  # good | caution | stop
    light: str  # the word on the light
    found: str
    meaning: str
    todo: str


def health_rows(results: Results) -> list[HealthRow]:
    """The checks as a traffic-light table: worst first, one sentence on meaning and fix.

    Example:
        >>> health_rows(results)[0].light
        'Check'
    """
    rows = []
    split = str((results.config or {}).get("split") or "time").strip().lower()
    meanings = {**MEANINGS, **PER_USER_MEANINGS} if split.startswith("last") else MEANINGS
    for f in findings(results):
        level, light = HEALTH_LIGHT.get(f.severity, ("info", fmt_label(f.severity)))
        meaning = meanings.get(f.check, SEVERITY_MEANING.get(f.severity, ""))
        todo = f.fix or SEVERITY_ACTION.get(f.severity, "")
        # As written: a message may start with a column name, whose case matters.
        rows.append(HealthRow(level, light, f.message, meaning, todo))
    return rows
