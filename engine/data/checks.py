"""Generic data checks every vertical gets, and the `Finding` they return.

A check is a small function `(table, roles) -> list[Finding]`. Its message says
what was found, what was expected, and how to fix it, in that order, the way
scikit-learn's validation messages do.

Which columns identify an entity (customer, patient ids) is decided in entities.py;
the column helpers (`column_tokens`, `names_matching`, `single_feature_auc`) live in
columns.py and stay importable from here.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Literal

import numpy as np
import pandas as pd

from tuneplate.engine.contract.errors import TuneplateError
from tuneplate.engine.contract.group_ids import read_group_ids
from tuneplate.engine.data.columns import (  # noqa: F401 - names_matching, ordered: re-export
    HIGH_CARDINALITY,
    column_tokens,
    many_levels,
    names_matching,
    ordered,
    single_feature_auc,
)
from tuneplate.engine.data.entities import _entity_kind, _repeated_entity
from tuneplate.engine.data.roles import Roles, percent_of_rows
from tuneplate.engine.data.splits import time_order

Severity = Literal["error", "warning", "info"]

MIN_ROWS = 50  # below this no K-fold score means anything
MIN_CLASS_ROWS = 10  # each class must fill every fold at least twice
MISSING_WARN = 0.5  # share of missing values that needs a decision
ID_LIKE_SHARE = 0.95  # distinct share above which a column looks like a row id
GROUPABLE_SHARE = 0.5  # a --subgroups column with more distinct texts than this: no groups
# Name words of a numbered record (application_number, account_no, contract_nr) beside
# those of a key; counts ("num_loans") repeat their values, so only near-unique columns ask.
ID_TOKENS = frozenset({"id", "uuid", "key", "ref", "number", "no", "nr", "num"})
LEAKAGE_AUC = 0.99  # one column alone predicting the target this well is almost never real
# `check_missing_codes`: numbers exports write for "missing" or "not applicable" (SAS and
# SPSS user-missing values, bank-marketing's pdays = -1 or 999), judged only when apart
# from the column's other values: the only negative value, or CODE_APART times its
# largest other value; in CODE_ROWS rows or more. A one-digit negative code (-1, -9)
# also needs a column of at least SCALE_VALUES other values reaching 10 times it: -1 is
# a value of its own in a -1/0/1 trend or a -1..4 rating scale.
MISSING_CODES = (-1, -9, -99, -999, -9999, -99999, 99, 999, 9999, 99999, 999999)
CODE_APART = 2.0  # 9999 for a birth year of 1940-2000
CODE_ROWS = 5
SCALE_VALUES = 3


@dataclass(frozen=True)
class Finding:
    """One result of a data check.

    Example:
        >>> Finding("duplicate_rows", "warning", "12 rows (1.2%) are exact duplicates",
        ...         expected="each row once", fix="deduplicate the table", columns=())
    """

    check: str
    severity: Severity
    message: str
    expected: str = ""
    fix: str = ""
    columns: tuple[str, ...] = ()

    def to_dict(self) -> dict:
        return {**asdict(self), "columns": list(self.columns)}

    @classmethod
    def from_dict(cls, data: dict) -> Finding:
        return cls(**{**data, "columns": tuple(data.get("columns", ()))})

    def line(self) -> str:
        """One line for the terminal: problem, expectation, fix."""
        parts = [f"{self.severity.upper()}: {self.message}"]
        if self.expected:
            parts.append(f"expected {self.expected}")
        if self.fix:
            parts.append(f"fix: {self.fix}")
        return "; ".join(parts)


def _share(n: int, total: int) -> str:
    """ "3 (< 0.1%)": a count and its share, never a share of 0.0% for rows that exist."""
    if not total:
        return str(n)
    return f"{n:,} ({percent_of_rows(n / total)})"


def check_size(table: pd.DataFrame, roles: Roles) -> list[Finding]:
    y = table[roles.target]
    if len(table) < MIN_ROWS:
        return [
            Finding(
                "table_size",
                "error",
                f"the table has only {len(table)} rows",
                expected=f"at least {MIN_ROWS} rows with a known target",
                fix="use the full extract, not a sample",
            )
        ]
    smallest = y.value_counts().min()
    if smallest < MIN_CLASS_ROWS:
        return [
            Finding(
                "class_size",
                "error",
                f"the rarest target class has only {smallest} rows",
                expected=f"at least {MIN_CLASS_ROWS} rows in each class",
                fix="collect more outcomes of the rare class before tuning",
                columns=(roles.target,),
            )
        ]
    return []


def _id_columns(table: pd.DataFrame, roles: Roles) -> list[str]:
    """Columns that name a record rather than describe it: row ids and entity ids."""
    skip = {roles.target, roles.time}
    y = _target(table, roles)
    return [
        c
        for c in table.columns
        if c not in skip and (_looks_like_id(table[c], c) or _entity_kind(table[c], c, y))
    ]


def check_duplicates(table: pd.DataFrame, roles: Roles) -> list[Finding]:
    """Rows that repeat another row in every feature and the target, ids set aside.

    A unique application id makes every row distinct to `DataFrame.duplicated`, yet two
    applications of one customer with the same features are one case seen twice. With
    `--group`, copies inside one group are fine (they stay together); copies across
    groups are counted.
    """
    ids = _id_columns(table, roles)
    key = [c for c in roles.features(table) if c not in ids] + [roles.target]
    if roles.group:
        # Copies within one group stay on one side of every split; count the rows that
        # repeat a row of another group (all but the first group holding each copy).
        groups = table[roles.group].astype("string").fillna("<missing>")
        first = groups.groupby([table[c] for c in key], dropna=False).transform("first")
        n = int((groups != first).sum())
    else:
        n = int(table.duplicated(subset=key).sum())
    if not n:
        return []
    y = _target(table, roles)
    repeated = [c for c in ids if c != roles.group and _repeated_entity(table[c], c, y)]
    ignoring = f" (ignoring the id column(s) {', '.join(ids)})" if ids else ""
    if repeated and not roles.group:
        col = repeated[0]
        fix = (
            f"pass --group {col} so each {_entity_kind(table[col], col, y)}'s rows stay on one "
            "side of every split, or deduplicate the extract"
        )
    elif roles.group:  # --group is given: the copies sit under different ids of it
        fix = (
            f"deduplicate the extract: these copies sit under different {roles.group!r} ids, "
            f"so --group {roles.group} cannot keep them on one side; or group by a column "
            "that ties them together"
        )
    else:
        fix = "deduplicate the extract, or pass --group with a column that ties the copies together"
    return [
        Finding(
            "duplicate_rows",
            "warning",
            f"{_share(n, len(table))} rows repeat another row in every feature and the "
            f"target{ignoring}",
            expected="each case once; copies can sit on both sides of a split and inflate the "
            "hold-out score",
            fix=fix,
            columns=tuple(ids),
        )
    ]


def _a(word: str) -> str:
    return ("an " if word[:1] in "aeiou" else "a ") + word


def _target(table: pd.DataFrame, roles: Roles) -> pd.Series | None:
    """The 0/1 target, or None when it cannot be read (a check must not fail on it)."""
    try:
        return roles.binary_target(table).reset_index(drop=True)
    except Exception:  # noqa: BLE001 - the target's own checks say what is wrong with it
        return None


def check_repeated_entities(table: pd.DataFrame, roles: Roles) -> list[Finding]:
    """Without --group, an entity id (customer, patient, account…) whose values repeat.

    Rows of one entity on both sides of the split let the model recognise the entity
    rather than predict its outcome, so the hold-out score is inflated (Kaufman et al.
    2012, "Leakage in data mining", ACM TKDD 6(4)). Excluded columns are looked at too:
    dropping the id from the features does not keep its rows together.

    Example:
        >>> check_repeated_entities(table, Roles(target="default"))[0].fix
        'pass --group customer_id (…)'
    """
    if roles.group:
        return []
    skip = {roles.target, roles.time}
    y = _target(table, roles)
    found = [c for c in table.columns if c not in skip and _repeated_entity(table[c], c, y)]
    findings = []
    for col in found:
        kind = _entity_kind(table[col], col, y)
        counts = table[col].value_counts()
        many = counts[counts > 1]
        findings.append(
            Finding(
                "repeated_entities",
                "warning",
                f"{col} looks like {_a(kind)} id and {len(many):,} of its {len(counts):,} values "
                f"appear on more than one row ({int(many.sum()):,} rows)",
                expected=f"each {kind}'s rows on one side of every split, so the hold-out score "
                f"is not inflated by recognising the same {kind}",
                fix=f"pass --group {col} ({kind}-grouped folds and hold-out)",
                columns=(col,),
            )
        )
    return findings


def check_group_ids(table: pd.DataFrame, roles: Roles) -> list[Finding]:
    """`--group` rows without an id, by the rule the split refuses them with
    (`engine.group_ids`: blank, or a placeholder such as `unknown`, `n/a`, `-`, `NULL`).

    An error, because the run refuses them too; a zero id on far more rows than any other
    is a warning (it may be a real entity, or a stand-in for "no id"). With `--time` the
    split keeps periods apart, not ids, so the ids are not needed and not judged.
    """
    if not roles.group or roles.time or roles.group not in table.columns:
        return []
    ids = read_group_ids(table[roles.group], roles.group)
    if ids.n_missing:
        message, _, fix = ids.missing_line().partition("; ")
        return [
            Finding(
                "group_ids",
                "error",
                message,
                expected="an id on every row (blank and placeholder words such as "
                "'unknown', 'n/a', '-', 'NULL' count as none)",
                fix=fix,
                columns=(roles.group,),
            )
        ]
    if ids.sentinel:
        return [
            Finding(
                "group_ids",
                "warning",
                ids.sentinel_line(),
                expected="one id per entity; if it stands for 'no id', those rows form one "
                "large group that lands whole on one side of the split",
                fix=f"if {ids.sentinel!r} means 'no id', fill the right ids or drop those rows; "
                "if it is one real entity, nothing to do",
                columns=(roles.group,),
            )
        ]
    return []


def _looks_like_id(s: pd.Series, name: str) -> bool:
    distinct = s.nunique()
    if distinct < ID_LIKE_SHARE * len(s) or pd.api.types.is_datetime64_any_dtype(s):
        return False  # date features get their own finding from the schema (date_feature)
    if not pd.api.types.is_numeric_dtype(s):
        return True  # unique text in every row: a reference, a name, an email
    if column_tokens(name) & ID_TOKENS:
        return True
    values = s.dropna()
    if not (values % 1 == 0).all():
        return False  # unique fractional numbers are measurements
    # Incomes and amounts are unique integers too, but spread out; keys run densely
    # (1, 2, 3…) or are drawn from one fixed width (six-digit references, 5000000 + 7i).
    digits = np.floor(np.log10(np.abs(values[values != 0]).astype(float))) + 1
    fixed_width = len(digits) == len(values) and digits.nunique() == 1 and digits.iloc[0] >= 6
    return fixed_width or values.max() - values.min() + 1 <= 2 * distinct


def check_id_like(table: pd.DataFrame, roles: Roles) -> list[Finding]:
    found = [c for c in roles.features(table) if _looks_like_id(table[c], c)]
    if not found:
        return []
    return [
        Finding(
            "id_like_columns",
            "warning",
            f"{', '.join(found)} {'has' if len(found) == 1 else 'have'} a distinct value "
            "in almost every row, like a record id",
            expected="features that describe the case, not name it",
            fix="ids let a model memorise rows and often encode time; drop them with --exclude",
            columns=tuple(found),
        )
    ]


def check_missing(table: pd.DataFrame, roles: Roles) -> list[Finding]:
    shares = table[roles.features(table)].isna().mean()
    mostly = shares[shares >= MISSING_WARN].sort_values(ascending=False)
    if mostly.empty:
        return []
    detail = ", ".join(f"{c} {s:.0%}" for c, s in mostly.items())
    return [
        Finding(
            "missing_values",
            "warning",
            f"{len(mostly)} column(s) are mostly missing: {detail}",
            expected=f"under {MISSING_WARN:.0%} missing, or a known reason for it",
            fix="check the extract; if missing means something (e.g. no history), keep it",
            columns=tuple(mostly.index),
        )
    ]


def missing_codes(s: pd.Series) -> dict[float, int]:
    """{code: rows} for the MISSING_CODES a numeric column holds apart from its other
    values: a negative code where every other value is 0 or more (a one-digit one also
    beside SCALE_VALUES or more distinct others reaching 10 times its size), a positive
    one at least CODE_APART times the largest other value; each in CODE_ROWS rows or
    more.

    Example:
        >>> missing_codes(pd.Series([3, 12, 0, 7, -1, -1, -1, -1, -1, 40]))
        {-1.0: 5}
    """
    x = pd.to_numeric(s, errors="coerce").to_numpy(dtype=float)
    x = x[np.isfinite(x)]
    others = x[~np.isin(x, MISSING_CODES)]
    if not len(others) or others.max() <= 0:
        return {}
    low, high, distinct = others.min(), others.max(), len(np.unique(others))
    found = {}
    for code in MISSING_CODES:
        rows = int((x == code).sum())
        if code >= 0:
            apart = code >= CODE_APART * high
        elif code > -10:
            apart = low >= 0 and distinct >= SCALE_VALUES and high >= 10 * -code
        else:
            apart = low >= 0
        if rows >= CODE_ROWS and apart:
            found[float(code)] = rows
    return found


def check_missing_codes(table: pd.DataFrame, roles: Roles) -> list[Finding]:
    """Numeric inputs holding a code for missing (-1, -999, 9999…) apart from their
    other values: the model would read it as a number (a logistic regression or a
    scorecard as an extreme value, bending its slope or its bins), never as missing."""
    # protected columns too: their groups are the fairness table's (-1 read as "under 24")
    numeric = [
        c
        for c in dict.fromkeys([*roles.features(table), *roles.protected])
        if c in table.columns
        and pd.api.types.is_numeric_dtype(table[c])
        and not pd.api.types.is_bool_dtype(table[c])
    ]
    found = {c: codes for c in numeric if (codes := missing_codes(table[c]))}
    if not found:
        return []
    detail = "; ".join(
        f"{c}: "
        + ", ".join(f"{_share(n, len(table))} rows hold {code:g}" for code, n in codes.items())
        for c, codes in found.items()
    )
    return [
        Finding(
            "missing_codes",
            "warning",
            "numbers apart from the rest of their column, each a code for missing or not "
            f"applicable? the model reads them as numbers ({detail})",
            expected="missing values as blank cells",
            fix="if the code means missing, write those cells blank (the model then "
            "learns from their missingness); if it is a real value, nothing to do",
            columns=tuple(found),
        )
    ]


def check_cardinality(table: pd.DataFrame, roles: Roles) -> list[Finding]:
    high = [
        c
        for c in roles.features(table)
        if not pd.api.types.is_numeric_dtype(table[c])
        and not pd.api.types.is_datetime64_any_dtype(table[c])  # dates: the schema's finding
        and HIGH_CARDINALITY < table[c].nunique() < ID_LIKE_SHARE * len(table)
    ]
    if not high:
        return []
    return [
        Finding(
            "high_cardinality",
            "warning",
            f"{', '.join(high)}: more than {HIGH_CARDINALITY} distinct text values",
            expected=f"categories with at most {HIGH_CARDINALITY} levels",
            fix="group rare levels (e.g. postcode to region) or drop the column",
            columns=tuple(high),
        )
    ]


def check_group_columns(table: pd.DataFrame, roles: Roles) -> list[Finding]:
    """--subgroups and --protected columns a group table cannot show: dates or ids (a
    distinct text value in most rows), whose levels would pool into one "other" group."""
    named = [c for c in dict.fromkeys((*roles.subgroups, *roles.protected)) if c in table]
    unusable = [
        c
        for c in named
        if not pd.api.types.is_numeric_dtype(table[c])  # numbers are cut into bands
        and table[c].nunique() > GROUPABLE_SHARE * len(table)
    ]
    if not unusable:
        return []
    return [
        Finding(
            "ungroupable_columns",
            "warning",
            f"{', '.join(unusable)}: a distinct value in most rows (a date or an id?), so its "
            "group table would be one group, 'other'",
            expected="a grouping column with a few levels (sex, age band, region)",
            fix="give a column of groups, e.g. the year or an age band, in --subgroups or "
            "--protected",
            columns=tuple(unusable),
        )
    ]


def check_leakage(
    table: pd.DataFrame, roles: Roles, threshold: float = LEAKAGE_AUC
) -> list[Finding]:
    y = roles.binary_target(table)
    found = {}
    for col in roles.features(table):
        x = table[col]
        # Level means overfit when nearly every row is its own level.
        if many_levels(x):  # dates and numbers are judged by their order
            continue
        auc = single_feature_auc(x, y)
        if auc >= threshold:
            found[col] = auc
    if not found:
        return []
    detail = ", ".join(f"{c} (AUC {a:.3f})" for c, a in found.items())
    return [
        Finding(
            "single_feature_leakage",
            "error",
            f"one column alone predicts the target almost perfectly: {detail}",
            expected="no single feature with AUC >= " + f"{threshold}",
            fix="such a column is usually recorded after the outcome; drop it with --exclude",
            columns=tuple(found),
        )
    ]


def check_time_column(table: pd.DataFrame, roles: Roles) -> list[Finding]:
    """The `--time` column read as the out-of-time split reads it (`splits.time_order`):
    its refusals (not dates, rows without a date, day-first and month-first dates mixed)
    as an error here, so `check` refuses what `run` refuses."""
    if not roles.time or roles.time not in table.columns:
        return []
    try:
        time_order(table, roles.time)
    except TuneplateError as refused:
        message, _, fix = str(refused).rpartition("; ")
        return [
            Finding(
                "time_column",
                "error",
                message,
                expected="one date on every row, written one way (e.g. 2023-03-31)",
                fix=fix,
                columns=(roles.time,),
            )
        ]
    return []


GENERIC_CHECKS = (
    check_size,
    check_duplicates,
    check_repeated_entities,
    check_group_ids,
    check_time_column,
    check_id_like,
    check_missing,
    check_missing_codes,
    check_cardinality,
    check_group_columns,
    check_leakage,
)


def run_checks(table: pd.DataFrame, roles: Roles, extra=()) -> list[Finding]:
    """Run the generic checks, then the vertical's, most severe first.

    Example:
        >>> findings = run_checks(table, Roles(target="default"))
        >>> [f.line() for f in findings if f.severity == "error"]
        []
    """
    findings = [f for check in (*GENERIC_CHECKS, *extra) for f in check(table, roles)]
    order = {"error": 0, "warning": 1, "info": 2}
    return sorted(findings, key=lambda f: order[f.severity])


def errors(findings: list[Finding]) -> list[Finding]:
    return [f for f in findings if f.severity == "error"]


class ChecksFailed(TuneplateError):
    """The data checks found errors; `findings` holds all of them."""

    def __init__(self, findings: list[Finding]):
        self.findings = findings
        lines = [f.line() for f in errors(findings)]
        super().__init__(
            "the data checks found problems that stop the run:\n  " + "\n  ".join(lines)
        )
