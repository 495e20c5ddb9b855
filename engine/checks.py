"""Generic data checks every vertical gets, and the `Finding` they return.

A check is a small function `(table, roles) -> list[Finding]`. Its message says
what was found, what was expected, and how to fix it, in that order, the way
scikit-learn's validation messages do.
"""

from __future__ import annotations

import math
import re
from dataclasses import asdict, dataclass
from typing import Literal

import pandas as pd
from sklearn.metrics import roc_auc_score

from tuneplate.engine.data import Roles

Severity = Literal["error", "warning", "info"]

MIN_ROWS = 50  # below this no K-fold score means anything
MIN_CLASS_ROWS = 10  # each class must fill every fold at least twice
MISSING_WARN = 0.5  # share of missing values that needs a decision
HIGH_CARDINALITY = 50  # ydata-profiling's default threshold
ID_LIKE_SHARE = 0.95  # distinct share above which a column looks like a row id
LEAKAGE_AUC = 0.99  # one column alone predicting the target this well is almost never real

# An entity id (a customer, a patient): a name made only of these words, e.g. `customer`,
# `CustomerID`, `patient_no`, `account_number`. Strong words name an entity on their own;
# generic id words need many distinct values, or a site or batch code would count too.
ENTITY_WORDS = {
    "customer", "client", "account", "patient", "member", "user", "subject", "person",
    "participant", "borrower", "applicant", "household", "holder", "policyholder",
    "debtor", "obligor", "mrn", "pid", "cid", "uid",
}  # fmt: skip
ID_WORDS = {"id", "ids", "identifier", "uuid", "guid", "key", "ref", "reference"}
ID_SUFFIXES = {"no", "nr", "num", "number"}  # "account number", "patient no"
MIN_ENTITY_LEVELS = 10  # `customer` holding new/existing is a category, not an id
MIN_ID_LEVELS = 20  # a generic id with fewer distinct values is a site or a batch
MIN_ID_SHARE = 0.05  # … or one with distinct values in under 5% of rows
MIN_REPEATED_SHARE = 0.01  # at least this share of rows repeat an id (and at least 2)
# Codes such as C00123, ACC-88231 or a UUID: id-like by their values whatever the name.
# A letter prefix is required: digit-only text is as often a postcode or a phone number.
CODE_PATTERN = re.compile(
    r"[A-Za-z]{1,6}[-_/]?\d{3,}[A-Za-z0-9]*|[0-9a-fA-F]{8}(-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}"
)
CODE_SAMPLE = 1000  # distinct values looked at, so a big table stays quick
CODE_SHARE = 0.9  # share of a column's values that must look like codes


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
    return f"{n:,} ({n / total:.1%})" if total else str(n)


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
    return [
        c
        for c in table.columns
        if c not in skip and (_looks_like_id(table[c], c) or _entity_kind(table[c], c))
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
    repeated = [c for c in ids if c != roles.group and _repeated_entity(table[c], c)]
    ignoring = f" (ignoring the id column(s) {', '.join(ids)})" if ids else ""
    if repeated and not roles.group:
        col = repeated[0]
        fix = (
            f"pass --group {col} so each {_entity_kind(table[col], col)}'s rows stay on one "
            "side of every split, or deduplicate the extract"
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


def _entity_kind(values: pd.Series, name: str) -> str:
    """The entity a column identifies ("customer", "patient", "entity"), or "" if none.

    By name: only entity and id words, e.g. `customer_id`, `ClientNo`, `ID`. By value:
    mostly code-shaped text (C00123, a UUID) with many distinct values.

    Example:
        >>> _entity_kind(pd.Series(["a"]), "CustomerID")
        'customer'
    """
    tokens = column_tokens(name)
    if {"medical", "record"} <= tokens:  # medical record number
        tokens = (tokens - {"medical", "record"}) | {"patient"}
    if tokens and tokens <= ENTITY_WORDS | ID_WORDS | ID_SUFFIXES:
        strong = sorted(tokens & ENTITY_WORDS)
        if strong:
            return strong[0] if values.nunique() >= MIN_ENTITY_LEVELS else ""
        if tokens & ID_WORDS and _many_levels(values):
            return "entity"
        return ""
    if pd.api.types.is_numeric_dtype(values) or not _many_levels(values):
        return ""
    text = values.dropna().drop_duplicates().head(CODE_SAMPLE).astype(str)
    codes = text.str.fullmatch(CODE_PATTERN).mean() if len(text) else 0.0
    return "entity" if codes >= CODE_SHARE else ""


def _a(word: str) -> str:
    return ("an " if word[:1] in "aeiou" else "a ") + word


def _many_levels(values: pd.Series) -> bool:
    distinct = values.nunique()
    return distinct >= MIN_ID_LEVELS and distinct >= MIN_ID_SHARE * values.notna().sum()


def _repeated_entity(values: pd.Series, name: str) -> bool:
    """An entity id whose values repeat on enough rows to matter."""
    n, distinct = int(values.notna().sum()), values.nunique()
    repeated = n - distinct
    if repeated < max(2, math.ceil(MIN_REPEATED_SHARE * n)):
        return False
    return bool(_entity_kind(values, name))


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
    found = [c for c in table.columns if c not in skip and _repeated_entity(table[c], c)]
    findings = []
    for col in found:
        kind = _entity_kind(table[col], col)
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


def check_constant(table: pd.DataFrame, roles: Roles) -> list[Finding]:
    constant = [c for c in roles.features(table) if table[c].nunique(dropna=False) <= 1]
    if not constant:
        return []
    return [
        Finding(
            "constant_columns",
            "warning",
            f"{len(constant)} column(s) hold a single value: {', '.join(constant)}",
            expected="features that vary",
            fix="they carry no information; drop them with --exclude",
            columns=tuple(constant),
        )
    ]


def _looks_like_id(s: pd.Series, name: str) -> bool:
    distinct = s.nunique()
    if distinct < ID_LIKE_SHARE * len(s) or pd.api.types.is_datetime64_any_dtype(s):
        return False  # date features get their own finding from the schema (date_feature)
    if not pd.api.types.is_numeric_dtype(s):
        return True  # unique text in every row: a reference, a name, an email
    if column_tokens(name) & {"id", "uuid", "key", "ref"}:
        return True
    values = s.dropna()
    if not (values % 1 == 0).all():
        return False  # unique fractional numbers are measurements
    # Incomes and amounts are unique integers too, but spread out; keys run densely.
    return values.max() - values.min() + 1 <= 2 * distinct


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


def single_feature_auc(x: pd.Series, y: pd.Series) -> float:
    """How well one column alone separates the classes (0.5 = not at all, 1 = perfectly).

    Numbers are ranked as they are; text levels by their share of positives.
    Missing values count as a level of their own, so "missing means default" shows up.

    Example:
        >>> single_feature_auc(pd.Series([1, 2, 3, 4]), pd.Series([0, 0, 1, 1]))
        1.0
    """
    if pd.api.types.is_numeric_dtype(x) and not pd.api.types.is_bool_dtype(x):
        score = x.astype(float)
        score = score.fillna(score.min() - 1 if score.notna().any() else 0)
    else:
        key = x.astype("string").fillna("<missing>")
        score = y.groupby(key).transform("mean")
    if score.nunique() < 2:
        return 0.5
    auc = roc_auc_score(y, score)
    return float(max(auc, 1 - auc))


def check_leakage(
    table: pd.DataFrame, roles: Roles, threshold: float = LEAKAGE_AUC
) -> list[Finding]:
    y = roles.binary_target(table)
    found = {}
    for col in roles.features(table):
        x = table[col]
        # Level means overfit when nearly every row is its own level.
        if not pd.api.types.is_numeric_dtype(x) and x.nunique() > HIGH_CARDINALITY:
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


GENERIC_CHECKS = (
    check_size,
    check_duplicates,
    check_repeated_entities,
    check_constant,
    check_id_like,
    check_missing,
    check_cardinality,
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


def column_tokens(name: str) -> set[str]:
    """The words of a column name: `DaysPastDue_30` -> {"days", "past", "due", "30"}.

    Vertical checks match names on whole words, so "age" finds `age_years` but not
    `mortgage`.

    Example:
        >>> sorted(column_tokens("chargeOffAmount"))
        ['amount', 'charge', 'off']
    """
    spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", str(name))
    return {t for t in re.split(r"[^0-9a-zA-Z]+", spaced.lower()) if t}


def names_matching(
    columns, words: set[str], phrases: tuple[tuple[str, ...], ...] = ()
) -> list[str]:
    """Columns whose name holds one of `words`, or all words of one of `phrases`."""
    hits = []
    for col in columns:
        tokens = column_tokens(col)
        if tokens & words or any(set(p) <= tokens for p in phrases):
            hits.append(col)
    return hits
