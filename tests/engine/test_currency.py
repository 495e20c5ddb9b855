"""The money figures' currency against the signs the data's amounts carry (`engine.currency`).

The reader read "$1,250" as 1250 and counted the sign, yet a credit-risk run on dollar
amounts printed "€291,477 per 1,000 applicants": the `currency` assumption's default,
EUR, never met the data. One sign and no stated currency: the sign's; a stated currency
the sign contradicts: a warning naming both; two signs: nothing guessed.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import tuneplate
from tuneplate.cli import main
from tuneplate.engine.currency import SOURCE, amount_signs, settle
from tuneplate.engine.data.checks import Finding
from tuneplate.engine.tune import Config, plan
from tuneplate.verticals import load_vertical

CREDIT = {"loss_given_default": 0.45, "exposure": 5000.0, "margin": 0.08, "currency": "EUR"}
WORDS = load_vertical("credit-risk").amount_words  # the columns that are its amounts


def _settle(stated=None, **signs):
    merged = {**CREDIT, **(stated or {})}
    return settle(merged, stated or {}, signs, "credit-risk", (), WORDS)


def test_one_dollar_sign_and_no_stated_currency_gives_usd_and_names_the_alternative():
    assumptions, (finding,) = _settle(amount=("$",))
    assert assumptions["currency"] == "USD"
    assert assumptions[SOURCE] == (
        "from the $ sign of the amounts in 'amount' (USD assumed; set --assume currency=CAD if not)"
    )
    assert finding.check == "currency_from_data" and finding.severity == "info"
    assert "USD, assumed from the $ sign" in finding.message
    assert finding.fix == "set --assume currency=CAD if not"
    assert finding.columns == ("amount",)


@pytest.mark.parametrize("sign, code", [("€", "EUR"), ("£", "GBP"), ("¥", "JPY"), ("₹", "INR")])
def test_each_sign_names_its_currency(sign, code):
    assumptions, (finding,) = _settle(amount=(sign,), income=(sign,))
    assert assumptions["currency"] == code
    assert f"the {sign} sign of the amounts in 'amount', 'income'" in assumptions[SOURCE]
    assert finding.columns == ("amount", "income")


def test_two_signs_are_not_guessed_from_and_the_default_is_said():
    assumptions, (finding,) = _settle(amount=("$",), balance=("€",))
    assert assumptions["currency"] == "EUR"
    assert assumptions[SOURCE] == (
        "the credit-risk default (not stated; the amounts carry $ in 'amount' and € in 'balance')"
    )
    assert finding.check == "currency_unclear" and finding.severity == "warning"
    assert "stay in EUR, the credit-risk default" in finding.message
    # two signs in one column (the reader's mixed_currency) are two signs too
    assert _settle(amount=("$", "€"))[0]["currency"] == "EUR"


@pytest.mark.parametrize("code", ["USD", "CAD", "usd", " AUD "])
def test_a_stated_currency_the_sign_allows_is_kept_without_a_warning(code):
    assumptions, findings = _settle({"currency": code}, amount=("$",))
    assert assumptions["currency"] == code and findings == []
    assert assumptions[SOURCE] == f"stated with --assume currency={code.strip()}"


def test_a_stated_currency_the_sign_contradicts_is_a_warning_naming_both():
    assumptions, (finding,) = _settle({"currency": "EUR"}, amount=("$",))
    assert assumptions["currency"] == "EUR"  # stated: never overridden
    assert finding.check == "currency_conflict" and finding.severity == "warning"
    assert "states currency=EUR, but the amounts in 'amount' are written with $" in (
        finding.message
    )
    assert "set --assume currency=USD" in finding.fix
    assert assumptions[SOURCE].endswith("though the amounts in 'amount' are written with $")


def test_without_a_sign_the_default_stays_and_says_so():
    assumptions, findings = _settle()
    assert assumptions["currency"] == "EUR" and findings == []
    assert assumptions[SOURCE] == (
        "the credit-risk default (not stated, and no currency sign in the data)"
    )


def test_a_vertical_without_the_assumption_or_with_an_unknown_one_is_left_alone():
    """Diagnosis has no currency; recommendation's None means "unknown": unlabelled."""
    diagnosis = {"miss_cost": 10}
    assert settle(diagnosis, {}, {"amount": ("$",)}, "diagnosis") == (diagnosis, [])
    shop = {"k": 10, "currency": None}
    assert settle(shop, {}, {}, "recommendation") == (shop, [])
    assert settle(shop, {"currency": None}, {}, "recommendation") == (shop, [])
    assert settle(shop, {}, {"a": ("$", "€")}, "recommendation")[0] == shop


def test_the_signs_are_read_from_the_columns_the_readers_findings_name():
    table = pd.DataFrame(
        {"amount": ["$1,250", "$37", None, "$9.50"], "fee": ["€5", "£3", "€4", "7"]}
    )
    found = [
        Finding("currency_text", "info", "…", columns=("amount",)),
        Finding("mixed_currency", "warning", "…", columns=("fee",)),
    ]
    assert amount_signs(table, found) == {"amount": ("$",), "fee": ("€", "£")}
    assert amount_signs(table, []) == {}


def _dollars(loans: pd.DataFrame) -> pd.DataFrame:
    return loans.assign(income=[f"${v:,.0f}" for v in loans["income"]])


def test_a_run_on_dollar_amounts_prints_dollars_and_says_where_they_came_from(german_credit):
    table = german_credit.assign(credit_amount=[f"${v:,}" for v in german_credit.credit_amount])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        tuned = tuneplate.tune(
            "credit-risk", table, target="creditability", model="logistic", n_trials=2
        )
    assert tuned.assumptions["currency"] == "USD"
    assert "from the $ sign of the amounts in 'credit_amount'" in tuned.assumptions[SOURCE]
    assert "$" in tuned.headline.summary[1] and "€" not in " ".join(tuned.headline.summary)
    profit = tuned.headline.cards[0]
    assert "Currency USD: from the $ sign" in profit.assumption and "€" not in profit.assumption
    assert "currency_from_data" in {f.check for f in tuned.findings}
    # validate redoes the money with the run's own terms
    assert tuned.data["assumption_inputs"]["currency"] == "USD"
    from tuneplate.reports.render import render

    page = render(tuned)  # the assumptions beside the business tables say it too
    assert "Currency source" in page
    assert "€" not in page


def test_a_stated_euro_on_dollar_amounts_is_a_warning_in_run_and_check(loans, tmp_path, capsys):
    config = Config.flat(target="status", model="logistic", n_trials=2)
    config = config.replace(assumptions={"currency": "EUR"})
    p = plan(load_vertical("credit-risk"), _dollars(loans), config)
    assert p.assumptions["currency"] == "EUR"
    (finding,) = [f for f in p.findings if f.check == "currency_conflict"]
    assert "currency=EUR" in finding.message and "written with $" in finding.message
    data = tmp_path / "loans.csv"
    _dollars(loans).to_csv(data, index=False)
    assert main(["check", "credit-risk", "--data", str(data), "--target", "status"]) == 0
    out = capsys.readouterr().out
    assert "the money figures are in USD, assumed from the $ sign" in out


def test_a_currency_taken_from_the_data_says_the_default_exposure_is_not_converted():
    """¥ amounts and no stated exposure: the cards would print "¥5,000 per loan" from the
    EUR default. The finding is a warning naming the exposure, and the source says so."""
    merged = {"currency": "EUR", "exposure": 5000.0}
    out, (finding,) = settle(merged, {}, {"amount": ("¥",)}, "credit-risk", ("exposure",), WORDS)
    assert out["currency"] == "JPY" and finding.severity == "warning"
    assert "exposure 5,000 is the credit-risk default, set for EUR" in finding.message
    assert "state --assume exposure=AMOUNT in JPY" in finding.fix
    assert "not converted" in out[SOURCE]
    stated = {"exposure": 750000.0}
    out, (finding,) = settle({**merged, **stated}, stated, {"amount": ("¥",)}, "credit-risk",
                             ("exposure",), WORDS)  # fmt: skip
    assert finding.severity == "info" and "not converted" not in out[SOURCE]


def test_a_few_signed_cells_among_plain_amounts_do_not_set_the_currency():
    table = pd.DataFrame({"amount": ["$1,169"] + [f"{v:,}" for v in range(1000, 1999)]})
    found = [Finding("currency_text", "info", "…", columns=("amount",))]
    assert amount_signs(table, found) == {}
    table = pd.DataFrame({"amount": ["$1,169"] * 600 + ["1,000"] * 400})
    assert amount_signs(table, found) == {"amount": ("$",)}


@pytest.mark.parametrize(
    ("written", "code"),
    [("USD 1,200", "USD"), ("1,169 EUR", "EUR"), ("US$1,169", "USD"), ("CA$ 980", "CAD"),
     ("A$3,500", "AUD"), ("GBP 2,000", "GBP"), ("usd 1,200", "USD"), ("1,169 eur", "EUR"),
     ("chf 2,000", "CHF")],
)  # fmt: skip
def test_amounts_written_with_an_iso_code_or_a_countrys_dollar_are_amounts(written, code):
    """Read as text before, each amount was a level of its own to the model; a code in
    lower case ("usd 1,200") too."""
    from tuneplate.engine.contract.schema import Schema

    number = float("".join(c for c in written if c.isdigit()))
    digits = "".join(c for c in written if c.isdigit())
    # 25 different amounts, each written the same way as the first
    table = pd.DataFrame({"amount": [written.replace(digits[-1], str(i % 10)) for i in range(25)]})
    table.loc[0, "amount"] = written
    schema, notes = Schema.learn(table, ["amount"])
    assert schema.features[0].kind == "numeric"
    assert schema.encode(table)[0].iloc[0, 0] == number
    found = [n for n in notes if n.check == "currency_text"]
    signs = amount_signs(table, found)
    merged, (said,) = settle({"currency": "EUR"}, {}, signs, "credit-risk", (), WORDS)
    assert merged["currency"] == code


def test_a_code_not_followed_by_a_number_stays_text():
    from tuneplate.engine.contract.numbers import written_as

    assert written_as("USD") == ("USD", "", False)
    assert written_as("EURO 5") == ("EURO 5", "", False)


def test_a_lower_case_code_is_one_currency_with_its_upper_case_and_sets_the_run():
    """ "usd 1,200" beside "USD 37" is one currency, no second-currency warning; the run's
    money figures are then in USD as for "USD 1,200". Only the codes the reader knows,
    whole and in one case: "5 per" is text, never 5 in a currency called "per"."""
    from tuneplate.engine.contract.numbers import _parse_number, written_as
    from tuneplate.engine.contract.schema import Schema

    assert written_as("1,169 eur") == ("1,169", "EUR", False)
    for word in ("5 per", "per 5", "12 max", "euro 5", "Usd 5", "usd"):
        assert written_as(word)[1] == "" and np.isnan(_parse_number(word)), word

    values = [f"usd {v:,}" for v in range(1000, 1060)] + [f"USD {v:,}" for v in range(40)]
    table = pd.DataFrame({"amount": values})
    schema, notes = Schema.learn(table, ["amount"])
    (feature,) = schema.features
    assert feature.kind == "numeric" and feature.currency == "USD"
    assert "mixed_currency" not in {n.check for n in notes}
    signs = amount_signs(table, [n for n in notes if n.check == "currency_text"])
    assert signs == {"amount": ("USD",)}
    merged, (said,) = settle({"currency": "EUR"}, {}, signs, "credit-risk", (), WORDS)
    assert merged["currency"] == "USD" and "written with USD" in said.message
    again = Schema.from_dict(schema.to_dict())  # at scoring: another currency is counted
    for written, unreadable in (("usd 7", 0), ("USD 7", 0), ("$7", 0), ("7 eur", 1), ("£7", 1)):
        assert again.encode(pd.DataFrame({"amount": [written]}))[1]["amount"].unreadable == (
            unreadable
        ), written


def test_a_batch_written_in_another_currency_is_counted_never_read_as_the_runs():
    """Fitted on "$1,169", a batch in "£1,169" or "1,169 EUR" would score as dollars:
    those amounts are unreadable and counted; "$", "US$", "USD" and plain ones read."""
    from tuneplate.engine.contract.schema import Schema

    rng = np.random.default_rng(0)
    amounts = rng.integers(500, 20_000, 200)
    table = pd.DataFrame({"amount": [f"${v:,}" for v in amounts]})
    schema, _ = Schema.learn(table, ["amount"])
    (feature,) = schema.features
    assert feature.currency == "USD"
    again = Schema.from_dict(schema.to_dict())
    for written, unreadable in (("£{:,}", 200), ("{:,} EUR", 200), ("{:,} eur", 200),
                                ("US${:,}", 0), ("USD {:,}", 0), ("usd {:,}", 0), ("{:,}", 0),
                                ("${:,}", 0)):  # fmt: skip
        batch = pd.DataFrame({"amount": [written.format(v) for v in amounts]})
        encoded, counts = again.encode(batch)
        assert counts["amount"].unreadable == unreadable, written
        if not unreadable:
            assert np.array_equal(encoded.iloc[:, 0].to_numpy(), amounts.astype(float))
    # a model saved before the rule has no currency: it reads every sign as before
    old = schema.to_dict()
    del old["features"][0]["currency"]
    batch = pd.DataFrame({"amount": [f"£{v:,}" for v in amounts]})
    assert Schema.from_dict(old).encode(batch)[1]["amount"].unreadable == 0


@pytest.mark.parametrize("written", ["$(1,169)", "$ (1,169)", "(1,169) EUR", "USD (1,169)",
                                     "($1,169)", "-$1,169", "$1,169-"])  # fmt: skip
def test_an_accounting_negative_with_its_currency_outside_reads_negative(written):
    """Excel's accounting format writes the sign outside the parentheses: the whole amount
    column became text when a few values were written so."""
    from tuneplate.engine.contract.numbers import _parse_number

    assert _parse_number(written) == -1169.0


def test_dollar_forms_of_one_currency_are_one_currency():
    """ "$1,169" beside "US$37" and "USD 5" is one currency: USD, with no second-currency
    warning and no "set CAD if not" (US$ says which dollar)."""
    from tuneplate.engine.contract.schema import Schema

    values = [f"${v:,}" for v in range(1000, 1060)] + [f"US${v:,}" for v in range(40)]
    table = pd.DataFrame({"amount": values + [f"USD {v:,}" for v in range(20)]})
    _, notes = Schema.learn(table, ["amount"])
    checks = {n.check for n in notes}
    assert "mixed_currency" not in checks and "currency_text" in checks
    signs = amount_signs(table, [n for n in notes if n.check == "currency_text"])
    merged, (said,) = settle({"currency": "EUR"}, {}, signs, "credit-risk", (), WORDS)
    assert merged["currency"] == "USD" and said.check == "currency_from_data"
    assert "CAD" not in said.fix
    # two currencies stay two
    table = pd.DataFrame({"amount": values + [f"£{v:,}" for v in range(60)]})
    _, notes = Schema.learn(table, ["amount"])
    assert "mixed_currency" in {n.check for n in notes}


def _phone_plans(loans: pd.DataFrame) -> pd.DataFrame:
    """Plain amounts beside a column of "$10" / "$20" phone-plan tiers."""
    return loans.assign(phone_plan=["$10", "$20"] * (len(loans) // 2))


SETTLED = {
    "currency_from_data",
    "currency_unclear",
    "currency_conflict",
    "currency_not_from_amounts",
}


def test_a_sign_on_a_column_that_is_not_an_amount_never_sets_the_currency(loans):
    """ "$10" and "$20" phone-plan tiers labelled a euro loan book's exposure and losses in
    dollars: only the vertical's amounts (its `amount_words`) set the currency; the default
    stays, and a warning and the source say which column was left aside and why."""
    config = Config.flat(target="status", model="logistic", n_trials=2)
    p = plan(load_vertical("credit-risk"), _phone_plans(loans), config)
    assert p.assumptions["currency"] == "EUR"
    assert p.assumptions[SOURCE] == (
        "the credit-risk default (not stated; the $ sign of 'phone_plan' is on a column that "
        "is not a credit-risk amount, so it does not set the currency)"
    )
    (finding,) = [f for f in p.findings if f.check in SETTLED]
    assert finding.check == "currency_not_from_amounts" and finding.severity == "warning"
    assert finding.columns == ("phone_plan",) and "currency=USD" in finding.fix
    # nor does it contradict a stated currency
    stated = config.replace(assumptions={"currency": "EUR"})
    p = plan(load_vertical("credit-risk"), _phone_plans(loans), stated)
    assert not [f for f in p.findings if f.check == "currency_conflict"]
    # the amounts' own sign still sets it, the plans' other sign left aside and said
    euros = _phone_plans(loans).assign(income=[f"€{v:,.0f}" for v in loans["income"]])
    p = plan(load_vertical("credit-risk"), euros, config)
    assert p.assumptions["currency"] == "EUR"
    assert p.assumptions[SOURCE] == "from the € sign of the amounts in 'income'"
    (finding,) = [f for f in p.findings if f.check in SETTLED]
    assert finding.check == "currency_from_data" and "'phone_plan'" in finding.message


def test_the_report_labels_money_in_the_amounts_currency_not_a_phone_plans(german_credit):
    """End to end: German credit's amounts in plain numbers, phone plans in dollars: the
    report's money figures stay in euros and say where that came from."""
    table = _phone_plans(german_credit)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        tuned = tuneplate.tune(
            "credit-risk", table, target="creditability", model="logistic", n_trials=2
        )
    assert tuned.assumptions["currency"] == "EUR"
    assert "$" not in " ".join(tuned.headline.summary)
    profit = tuned.headline.cards[0]
    assert "Currency EUR: the credit-risk default" in profit.assumption
    assert "'phone_plan'" in profit.assumption


def test_a_column_is_an_amount_by_a_word_of_its_name():
    from tuneplate.engine.currency import is_amount

    for name in ("loan_amnt", "LoanAmount", "CREDIT_LIMIT", "annual_inc", "credit_amount"):
        assert is_amount(name, WORDS), name
    for name in ("phone_plan", "unlimited_calls", "balanced_diet", "amountless", "plan$"):
        assert not is_amount(name, WORDS), name
    assert not is_amount("loan_amnt", ())  # a vertical naming none: no column speaks
