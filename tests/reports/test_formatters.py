import math

import numpy as np
import pandas as pd
import pytest

from tuneplate.reports.formatters import (
    assumption_kind,
    fmt_cell,
    fmt_count,
    fmt_duration,
    fmt_money,
    fmt_number,
    fmt_param,
    fmt_percent,
    fmt_text,
)


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (0.1234, "12.3%"),
        (0.0, "0.0%"),
        (1.0, "100.0%"),
        (0.0001, "< 0.1%"),
        (0.0004999, "< 0.1%"),
        (0.0005, "0.1%"),
        (0.99999, "> 99.9%"),
        (0.9995, "> 99.9%"),
        (0.999, "99.9%"),
        (-0.0001, "> -0.1%"),
        (1.5, "150.0%"),
        (np.float64(0.25), "25.0%"),
        (None, "—"),
        (math.nan, "—"),
        (pd.NA, "—"),
        (math.inf, "—"),
    ],
)
def test_fmt_percent(value, text):
    assert fmt_percent(value) == text


@pytest.mark.parametrize(
    ("value", "currency", "text"),
    [
        (5000, "EUR", "€5,000"),
        (-77750.0, "EUR", "-€77,750"),
        (1234567.8, "USD", "$1,234,568"),
        (12.5, "GBP", "£12.50"),
        (12.5, "CHF", "CHF 12.50"),
        (-0.001, "EUR", "€0.00"),
        (99.999, "EUR", "€100.00"),
        (1000, "", "1,000"),
        (None, "EUR", "—"),
    ],
)
def test_fmt_money(value, currency, text):
    assert fmt_money(value, currency) == text


@pytest.mark.parametrize(
    ("value", "text"),
    [(1234567, "1,234,567"), (np.int64(40), "40"), (40.0, "40"), (2.6, "3"), (None, "—")],
)
def test_fmt_count(value, text):
    assert fmt_count(value) == text


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (0.78123, "0.781"),
        (0.5, "0.500"),
        (0.000123, "0.000123"),
        (0.0, "0.000"),
        (-0.0456, "-0.046"),
        (12345.6, "12,346"),
        (np.float32(0.25), "0.250"),
        (math.nan, "—"),
        (True, "—"),  # a flag is not a score
    ],
)
def test_fmt_number(value, text):
    assert fmt_number(value) == text


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (0.4, "< 1 s"),
        (7.25, "7.2 s"),
        (42.4, "42 s"),
        (59.7, "1 min 00 s"),
        (125, "2 min 05 s"),
        (7380, "2 h 03 min"),
        (None, "—"),
    ],
)
def test_fmt_duration(seconds, text):
    assert fmt_duration(seconds) == text


def test_fmt_param_keeps_small_values_readable():
    assert fmt_param(1.2e-8) == "1.2e-08"
    assert fmt_param(np.int64(31)) == "31"
    assert fmt_param(True) == "True"
    assert fmt_param(None) == "—"


def test_fmt_text_joins_sequences_and_formats_numbers():
    assert fmt_text(("age", "sex")) == "age, sex"
    assert fmt_text([]) == fmt_text(()) == "none"
    assert fmt_text({"optuna": "5.0.0"}) == "optuna: 5.0.0"
    assert fmt_text(0.123456) == "0.123"
    assert fmt_text(1000) == "1,000"


@pytest.mark.parametrize(
    ("value", "kind", "text"),
    [
        (0.193, "percent", "19.3%"),
        (-77750.0, "money", "-€77,750"),
        (40, "count", "40"),
        (0.86397, "number", "0.864"),
        (95.2, "duration", "1 min 35 s"),
        (0.86397, None, "0.864"),
        (0.86397, "text", "0.864"),
        ("male : single", "text", "male : single"),
        (None, "percent", "—"),
    ],
)
def test_fmt_cell(value, kind, text):
    assert fmt_cell(value, kind) == text


@pytest.mark.parametrize(
    ("key", "value", "kind"),
    [
        ("loss_given_default", 0.45, "percent"),
        ("approval_rate", 0.7, "percent"),
        ("margin", 0.08, "percent"),
        ("exposure", 5000, "money"),
        ("currency", "EUR", "text"),
        ("horizon_months", 12, "count"),
        ("growth_rate", 3.0, "number"),  # a "rate" above 1 is not a share
    ],
)
def test_assumption_kind(key, value, kind):
    assert assumption_kind(key, value) == kind


@pytest.mark.parametrize(
    ("raw", "words"),
    [
        ("personal_status_and_sex", "Personal status and sex"),
        ("ExternalRiskEstimate", "External risk estimate"),
        ("LTV_ratio", "LTV ratio"),  # an acronym stays an acronym
        ("HbA1c", "HbA1c"),  # so does a clinical term in mixed case
        ("num.dependents", "Num dependents"),
        ("age", "Age"),
    ],
)
def test_a_column_name_reads_as_words_on_the_first_screen(raw, words):
    from tuneplate.plugin import column_label

    assert column_label(raw) == words


def test_a_name_that_is_not_identifier_like_is_shown_as_given():
    from tuneplate.plugin import column_label

    for raw in ("foreign worker", '<img src=x onerror="document.title=1">', "Alter (Jahre)"):
        assert column_label(raw) == raw
