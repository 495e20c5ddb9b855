"""Generic data checks every vertical gets, and the `Finding` they return.

A check is a small function `(table, roles) -> list[Finding]`. Its message says
what was found, what was expected, and how to fix it, in that order, the way
scikit-learn's validation messages do.
"""

from __future__ import annotations

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


def check_duplicates(table: pd.DataFrame, roles: Roles) -> list[Finding]:
    n = int(table.duplicated().sum())
    if not n:
        return []
    return [
        Finding(
            "duplicate_rows",
            "warning",
            f"{_share(n, len(table))} rows are exact duplicates of another row",
            expected="each record once; duplicates can sit on both sides of a split",
            fix="deduplicate the extract, or give a group column so copies stay together",
        )
    ]


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
    if distinct < ID_LIKE_SHARE * len(s):
        return False
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
