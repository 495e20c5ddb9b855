"""Checks that ids cannot fool, a grouped split that refuses missing ids, and roles that
refuse to contradict each other (issue 14).

* Duplicate rows are judged without their id columns, so a unique application id does
  not hide one customer's identical rows.
* Every vertical flags a repeated entity id (customer, client, account, patient…) when
  `--group` is not given, once, with `--group COL` as the fix.
* `--group` with missing ids is refused in one line, never one big "missing" group.
* The target named in another role is a one-line error before any search.
"""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from tuneplate.engine.contract.errors import TuneplateError
from tuneplate.engine.data.checks import run_checks
from tuneplate.engine.data.roles import Roles, resolve_roles
from tuneplate.engine.data.splits import make_split
from tuneplate.verticals import VERTICALS

ROLES = Roles(target="status", positive="bad")


def customers(n_customers: int = 120, copies: int = 3, seed: int = 0) -> pd.DataFrame:
    """Each customer applies `copies` times with identical features and outcome; every
    application has its own id."""
    rng = np.random.default_rng(seed)
    one = pd.DataFrame(
        {
            "customer_id": np.arange(n_customers) + 5000,
            "income": rng.normal(50, 10, n_customers).round(1),
            "debt_ratio": rng.uniform(0, 1, n_customers).round(3),
            "purpose": rng.choice(["car", "home", "other"], n_customers),
            "status": rng.choice(["bad", "good"], n_customers, p=[0.3, 0.7]),
        }
    )
    table = pd.concat([one] * copies, ignore_index=True)
    table.insert(0, "application_id", np.arange(len(table)) + 100_000)
    return table


def distinct_customers(n: int = 360, seed: int = 1) -> pd.DataFrame:
    """The same shape with every customer once: nothing repeats."""
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "application_id": np.arange(n) + 100_000,
            "customer_id": np.arange(n) + 5000,
            "income": rng.normal(50, 10, n).round(2),
            "debt_ratio": rng.uniform(0, 1, n).round(4),
            "purpose": rng.choice(["car", "home", "other"], n),
            "status": rng.choice(["bad", "good"], n, p=[0.3, 0.7]),
        }
    )


def _checks(table, roles=ROLES, vertical=None):
    extra = VERTICALS[vertical].checks if vertical else ()
    return {f.check: f for f in run_checks(table, roles, extra)}


# --- duplicates judged without ids ----------------------------------------------------


def test_a_unique_application_id_does_not_hide_repeated_customers():
    table = customers()
    assert not table.duplicated().any()  # every row differs, by its application id
    found = _checks(table)
    dup = found["duplicate_rows"]
    assert dup.severity == "warning" and dup.message.startswith("240 (66.7%) rows repeat")
    assert "application_id" in dup.message and "--group customer_id" in dup.fix
    entity = found["repeated_entities"]
    assert entity.columns == ("customer_id",) and entity.fix.startswith("pass --group customer_id")
    assert "120 of its 120 values appear on more than one row (360 rows)" in entity.message


def test_copies_without_an_id_to_group_by_say_deduplicate():
    table = customers().drop(columns="customer_id")
    dup = _checks(table)["duplicate_rows"]
    assert dup.fix.startswith("deduplicate") and "--group customer_id" not in dup.fix
    assert "repeated_entities" not in _checks(table)


def test_with_group_copies_inside_one_group_are_fine_but_across_groups_count():
    grouped = Roles(target="status", positive="bad", group="customer_id")
    table = customers()
    found = _checks(table, grouped)
    assert "duplicate_rows" not in found and "repeated_entities" not in found
    # Two customers with identical rows: their copies sit in different groups.
    twin = table.assign(customer_id=table["customer_id"].replace({5001: 5000}))
    twin.loc[twin["customer_id"] == 5000, ["income", "debt_ratio", "purpose", "status"]] = [
        40.0,
        0.5,
        "car",
        "bad",
    ]
    assert "duplicate_rows" not in _checks(twin, grouped)  # now one group: fine
    apart = table.copy()
    apart.loc[apart["customer_id"] == 5001, ["income", "debt_ratio", "purpose", "status"]] = (
        apart.loc[apart["customer_id"] == 5000, ["income", "debt_ratio", "purpose", "status"]]
        .iloc[0]
        .tolist()
    )
    dup = _checks(apart, grouped)["duplicate_rows"]
    assert "3 (0.8%) rows repeat" in dup.message
    # --group is given: its fix must not be "pass --group" (a fresh user's report)
    assert "pass --group" not in dup.fix and "different 'customer_id' ids" in dup.fix


def test_clean_customers_raise_neither_finding():
    found = _checks(distinct_customers())
    assert "duplicate_rows" not in found and "repeated_entities" not in found


# --- repeated entity ids, generic to every vertical -------------------------------------


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("customer_id", "customer"),
        ("ClientNo", "client"),
        ("account_number", "account"),
        ("member", "member"),
        ("borrower-ref", "borrower"),
        ("ID", "entity"),
    ],
)
def test_an_id_named_column_whose_values_repeat_is_flagged(name, kind):
    table = customers().drop(columns="application_id").rename(columns={"customer_id": name})
    finding = _checks(table)["repeated_entities"]
    assert finding.columns == (name,) and f"--group {name}" in finding.fix
    assert f"{kind} id" in finding.message and finding.severity == "warning"


def test_code_shaped_values_are_an_id_whatever_the_name():
    table = customers().drop(columns="application_id")
    table["holder"] = "C" + table.pop("customer_id").astype(str).str.zfill(6)
    table = table.rename(columns={"holder": "ref_cust"})  # a name with no id word in it
    assert _checks(table)["repeated_entities"].columns == ("ref_cust",)


def test_an_excluded_id_still_needs_group():
    """Dropping the id from the features does not keep one customer's rows together."""
    excluded = Roles(target="status", positive="bad", exclude=("customer_id",))
    assert _checks(customers(), excluded)["repeated_entities"].columns == ("customer_id",)


@pytest.mark.parametrize(
    "column",
    [
        pd.Series(np.arange(360) % 70 + 18, name="customer_age"),  # a feature about a customer
        pd.Series(np.arange(360) % 6, name="customer_segment"),
        pd.Series(np.where(np.arange(360) % 2, "new", "existing"), name="customer"),
        pd.Series((np.arange(360) % 40 + 10_000).astype(str), name="zip"),  # digit codes
        pd.Series(np.arange(360) % 5, name="site_id"),  # a site, not a patient
    ],
    ids=lambda s: s.name,
)
def test_repeating_columns_that_are_not_entity_ids_are_left_alone(column):
    table = distinct_customers().drop(columns="customer_id").assign(**{column.name: column})
    assert "repeated_entities" not in _checks(table)


@pytest.mark.parametrize("vertical", ["credit-risk", "diagnosis"])
def test_every_vertical_flags_a_repeated_id_once(vertical):
    table = customers().drop(columns="application_id")
    table = table.rename(columns={"customer_id": "patient_id"})
    roles = Roles(target="status", positive="bad")
    findings = run_checks(table, roles, VERTICALS[vertical].checks)
    repeated = [f for f in findings if "patient_id" in f.columns and "--group" in f.fix]
    assert [f.check for f in repeated if f.check != "duplicate_rows"] == ["repeated_entities"]


# --- --group with missing ids -------------------------------------------------------------


@pytest.mark.parametrize("blank", [np.nan, None, "", "  "], ids=["nan", "none", "empty", "space"])
def test_group_with_missing_ids_is_refused_in_one_line(blank):
    table = customers().astype({"customer_id": object})
    table.loc[[3, 50, 200], "customer_id"] = blank
    roles = Roles(target="status", positive="bad", group="customer_id")
    y = roles.binary_target(table).to_numpy()
    with pytest.raises(TuneplateError) as caught:
        make_split(table, y, roles, n_folds=3, seed=0)
    message = str(caught.value)
    assert "\n" not in message and "'customer_id'" in message
    assert "3 of 360 rows" in message and "fill them" in message and "drop those rows" in message


def test_group_with_every_id_present_keeps_each_customer_on_one_side():
    table = customers()
    roles = Roles(target="status", positive="bad", group="customer_id")
    split = make_split(table, roles.binary_target(table).to_numpy(), roles, n_folds=3, seed=0)
    ids = table["customer_id"].to_numpy()
    assert not set(ids[split.development]) & set(ids[split.holdout])


def test_group_with_time_says_the_group_is_not_applied():
    """Time order wins; the split description says so instead of dropping --group silently."""
    table = customers().assign(month=np.tile(np.arange(1, 13), 30))
    roles = Roles(target="status", positive="bad", group="customer_id", time="month")
    split = make_split(table, roles.binary_target(table).to_numpy(), roles, n_folds=3, seed=0)
    assert split.description.startswith("out-of-time on 'month'")
    assert "--group 'customer_id' does not split with --time" in split.description
    assert "the intervals still count ids" in split.description


# --- roles that contradict each other -----------------------------------------------------


@pytest.mark.parametrize(
    ("roles", "option"),
    [
        (Roles(target="status", exclude=("status",)), "--exclude"),
        (Roles(target="status", protected=("purpose", "status")), "--protected"),
        (Roles(target="status", group="status"), "--group"),
        (Roles(target="status", time="status"), "--time"),
        (Roles(target="status", subgroups=("status",)), "--subgroups"),
    ],
)
def test_the_target_in_another_role_is_refused(roles, option):
    with pytest.raises(TuneplateError) as caught:
        resolve_roles(customers(), roles, ["bad"])
    message = str(caught.value)
    assert "\n" not in message
    assert f"the target 'status' is also named in {option}" in message
    assert f"remove it from {option}" in message


@pytest.mark.parametrize("option", ["exclude", "protected"])
def test_a_subgroup_the_model_cannot_see_is_refused(option):
    roles = Roles(target="status", subgroups=("purpose",), **{option: ("purpose",)})
    with pytest.raises(TuneplateError, match=rf"both --subgroups .* and --{option}"):
        resolve_roles(customers(), roles, ["bad"])


def test_a_column_both_excluded_and_protected_is_fine():
    """Both keep it out of the features; it is still reported as protected."""
    roles = Roles(target="status", protected=("purpose",), exclude=("purpose",))
    resolved = resolve_roles(customers(), roles, ["bad"])
    assert "purpose" not in resolved.features(customers())
    assert resolved.protected == ("purpose",)


@pytest.mark.parametrize(
    "argv",
    [
        ("--exclude", "creditability"),
        ("--protected", "creditability"),
        ("--group", "creditability"),
    ],
)
def test_cli_refuses_the_target_in_another_role_before_the_search(argv, tmp_path):
    out = tmp_path / "run"
    done = subprocess.run(
        [sys.executable, "-m", "tuneplate", "run", "credit-risk", *argv, "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in done.stderr + done.stdout
    assert f"the target 'creditability' is also named in {argv[0]}" in lines[0]
    assert not out.exists()  # refused before anything was written


# --- entity ids with non-English or abbreviated names, and ids known by their values ------


def kunden(n_customers: int = 196, n_rows: int = 679, seed: int = 0) -> pd.DataFrame:
    """The new-user case: 196 customers on 679 rows; each customer keeps its own age and
    income; the id is written as zero-padded text ("000123")."""
    rng = np.random.default_rng(seed)
    who = np.concatenate([np.arange(n_customers), rng.integers(0, n_customers, n_rows)])
    who = who[:n_rows]
    risk = rng.normal(0, 1, n_customers)
    bad = rng.random(n_rows) < 1 / (1 + np.exp(-(2 * risk[who] - 1)))
    return pd.DataFrame(
        {
            "Kunde": np.char.zfill((who + 100).astype(str), 6),
            "age": rng.integers(18, 80, n_customers)[who],
            "income": rng.normal(50, 10, n_customers).round(1)[who],
            "amount": rng.integers(1, 40, n_rows) * 250,
            "status": np.where(bad, "bad", "good"),
        }
    )


@pytest.mark.parametrize("as_numbers", [False, True], ids=["text-000123", "integers"])
@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("Kunde", "customer"),
        ("KundenNr", "customer"),
        ("Kundennummer", "customer"),
        ("cust", "customer"),
        ("cust_no", "customer"),
        ("client", "client"),
        ("Kd-Nr", "customer"),
        ("KDNR", "customer"),
        ("numéro_client", "client"),
        ("nº cliente", "client"),
        ("Mitgliedsnummer", "member"),
        ("Konto-Nr.", "account"),
        ("acct_no", "account"),
        ("PatientID", "patient"),
        ("Antragsteller", "applicant"),
    ],
)
def test_an_id_in_another_language_or_abbreviated_is_an_entity_id(name, kind, as_numbers):
    """Before: no repeated-entity warning, and the id was used as a numeric feature."""
    table = kunden()
    if as_numbers:
        table["Kunde"] = table["Kunde"].astype(int)
    table = table.rename(columns={"Kunde": name})
    finding = _checks(table)["repeated_entities"]
    assert finding.columns == (name,) and finding.fix.startswith(f"pass --group {name}")
    assert f"looks like {'an' if kind[0] in 'aeiou' else 'a'} {kind} id" in finding.message


@pytest.mark.parametrize("as_numbers", [False, True], ids=["text", "integers"])
def test_whole_number_ids_are_found_by_their_values_whatever_the_name(as_numbers):
    """A name with no id word (`Partner`): repeated fixed-width, unrounded numbers spread
    evenly over their range, unrelated to the outcome, read as an entity id."""
    rng = np.random.default_rng(3)
    table = kunden()
    numbers = rng.choice(np.arange(100_000, 999_999), 196, replace=False)
    codes = numbers[table.pop("Kunde").astype(int) - 100]
    table["Partner"] = codes if as_numbers else codes.astype(str)
    finding = _checks(table)["repeated_entities"]
    assert finding.columns == ("Partner",) and "an entity id" in finding.message


def _with(column: pd.Series) -> pd.DataFrame:
    table = kunden().drop(columns="Kunde")
    return table.assign(**{column.name: column.to_numpy()[: len(table)]})


_rng = np.random.default_rng(5)
ORDINARY_NUMBERS = [
    pd.Series(_rng.integers(18, 90, 679), name="age"),
    pd.Series(_rng.integers(1, 80, 679) * 50, name="amount"),  # rounded, repeated amounts
    pd.Series(_rng.integers(0, 6, 679), name="n_children"),
    pd.Series(_rng.normal(650, 60, 679).round().clip(300, 850), name="score"),  # bell-shaped
    pd.Series(_rng.normal(172, 9, 679).round(), name="height_cm"),
    pd.Series(np.exp(_rng.normal(6.5, 0.4, 679)).round(), name="monthly_rent"),  # skewed
    pd.Series(_rng.integers(10_000, 10_150, 679), name="plz"),  # a postcode is no entity
    pd.Series(_rng.integers(0, 20_000, 679), name="days_employed"),  # rarely repeated
]


@pytest.mark.parametrize("column", ORDINARY_NUMBERS, ids=lambda s: s.name)
def test_ordinary_numbers_with_repeats_are_not_entity_ids(column):
    found = _checks(_with(column))
    assert "repeated_entities" not in found, found.get("repeated_entities")


def test_a_number_that_orders_the_outcome_is_a_feature_not_an_id():
    """Id-shaped by value, but its order ranks the target: the user's feature, not a name."""
    table = kunden().drop(columns="Kunde")
    rank = table["status"].eq("bad").to_numpy() * 400 + np.arange(len(table)) % 400
    table["grade_code"] = 100_001 + rank * 3 + (np.arange(len(table)) // 400)
    assert "repeated_entities" not in _checks(table)


def test_cli_check_names_a_kunde_id_read_from_a_csv(tmp_path):
    path = tmp_path / "kunden.csv"
    kunden().to_csv(path, index=False)
    done = subprocess.run(
        [sys.executable, "-m", "tuneplate", "check", "credit-risk", "--data", str(path)]
        + ["--target", "status"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert "Traceback" not in done.stderr
    warning = [line for line in done.stdout.splitlines() if "looks like a customer id" in line]
    assert len(warning) == 1 and warning[0].startswith("WARNING: Kunde looks like")
    assert "pass --group Kunde" in warning[0]


# --- --group ids: one missing-id rule for `check` and the split ----------------------------


PLACEHOLDERS = ["unknown", "n/a", "-", "NULL", "none", "?", " ", "", "#N/A", "Unbekannt"]


@pytest.mark.parametrize("word", PLACEHOLDERS)
def test_a_placeholder_id_is_missing_for_check_and_split_alike(word):
    """Before: `check --group` said nothing about missing ids while `run` refused them, and
    `unknown`, `n/a`, `-`, `NULL` were one real customer holding all those rows."""
    table = kunden()
    table.loc[[3, 50, 200, 201], "Kunde"] = word
    roles = Roles(target="status", positive="bad", group="Kunde")
    finding = _checks(table, roles)["group_ids"]
    assert finding.severity == "error" and finding.columns == ("Kunde",)
    assert "has no id on 4 of 679 rows" in finding.message
    with pytest.raises(TuneplateError) as caught:
        make_split(table, roles.binary_target(table).to_numpy(), roles, n_folds=3, seed=0)
    refusal = str(caught.value)
    assert refusal.startswith(finding.message)  # one rule, one message
    assert "\n" not in refusal and "fill them" in refusal and "drop those rows" in refusal


def test_placeholders_and_blanks_are_counted_by_kind():
    table = kunden().astype({"Kunde": object})
    table.loc[[1, 2], "Kunde"] = "unknown"
    table.loc[[3], "Kunde"] = np.nan
    table.loc[[4], "Kunde"] = "N/A"
    roles = Roles(target="status", positive="bad", group="Kunde")
    message = _checks(table, roles)["group_ids"].message
    assert "no id on 4 of 679 rows (2 'unknown', 1 blank, 1 'n/a')" in message


def test_a_zero_id_on_far_more_rows_than_any_other_is_warned_about():
    table = kunden()
    table.loc[:149, "Kunde"] = "000000"
    roles = Roles(target="status", positive="bad", group="Kunde")
    finding = _checks(table, roles)["group_ids"]
    assert finding.severity == "warning" and "id '000000' is on 150 of 679 rows" in finding.message
    assert "means 'no id'" in finding.fix


@pytest.mark.parametrize("zero", ["0", "000000"])
def test_a_zero_that_is_an_ordinary_id_is_fine(zero):
    table = kunden()
    table.loc[table["Kunde"] == "000100", "Kunde"] = zero  # one customer among 196
    roles = Roles(target="status", positive="bad", group="Kunde")
    assert "group_ids" not in _checks(table, roles)


def test_missing_ids_do_not_matter_with_time():
    """With --time the split keeps periods apart, not ids (and says so)."""
    table = kunden().assign(month=np.arange(679) % 12 + 1)
    table.loc[[3, 4], "Kunde"] = "unknown"
    roles = Roles(target="status", positive="bad", group="Kunde", time="month")
    assert "group_ids" not in _checks(table, roles)


@pytest.mark.parametrize("command", ["check", "run"])
def test_cli_check_and_run_refuse_missing_group_ids_alike(command, tmp_path):
    table = kunden()
    table.loc[[5, 6, 7], "Kunde"] = ["unknown", "", "NULL"]
    path = tmp_path / "kunden.csv"
    table.to_csv(path, index=False)
    out = tmp_path / "run"
    argv = [command, "credit-risk", "--data", str(path), "--target", "status", "--group", "Kunde"]
    if command == "run":
        argv += ["--model", "logistic", "--strategy", "random", "--trials", "2", "--out", str(out)]
    done = subprocess.run(
        [sys.executable, "-m", "tuneplate", *argv], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 2 and "Traceback" not in done.stderr
    said = done.stdout + done.stderr
    assert "--group column 'Kunde' has no id on 3 of 679 rows" in said
    assert not out.exists()
