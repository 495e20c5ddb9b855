"""Generic data checks every vertical gets, and the `Finding` they return.

A check is a small function `(table, roles) -> list[Finding]`. Its message says
what was found, what was expected, and how to fix it, in that order, the way
scikit-learn's validation messages do.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import asdict, dataclass
from typing import Literal

import numpy as np
import pandas as pd
from sklearn.metrics import roc_auc_score

from tuneplate.engine.data.group_ids import read_group_ids
from tuneplate.engine.data.roles import Roles

Severity = Literal["error", "warning", "info"]

MIN_ROWS = 50  # below this no K-fold score means anything
MIN_CLASS_ROWS = 10  # each class must fill every fold at least twice
MISSING_WARN = 0.5  # share of missing values that needs a decision
HIGH_CARDINALITY = 50  # ydata-profiling's default threshold
ID_LIKE_SHARE = 0.95  # distinct share above which a column looks like a row id
LEAKAGE_AUC = 0.99  # one column alone predicting the target this well is almost never real

# An entity id (a customer, a patient): a name made only of these words, e.g. `customer`,
# `CustomerID`, `patient_no`, `account_number`, `KundenNr`, `Kd-Nr`, `numero_cliente`.
# Strong words name an entity on their own (mapped to the word a finding uses); generic
# id words need many distinct values, or a site or batch code would count too. Common
# German, French and Spanish words and abbreviations are included: extracts keep them.
ENTITY_WORDS = {
    **{w: w for w in (
        "customer", "client", "account", "patient", "member", "user", "subject", "person",
        "participant", "borrower", "applicant", "household", "holder", "policyholder",
        "debtor", "obligor",
    )},
    "mrn": "patient", "pid": "person", "cid": "customer", "uid": "user",
    "cust": "customer", "kunde": "customer", "kunden": "customer", "kd": "customer",
    "kundin": "customer", "cliente": "client", "clientes": "client", "acct": "account",
    "konto": "account", "cuenta": "account", "compte": "account", "paciente": "patient",
    "patientin": "patient", "mitglied": "member", "socio": "member", "adherent": "member",
    "antragsteller": "applicant", "solicitante": "applicant", "demandeur": "applicant",
    "kreditnehmer": "borrower", "emprunteur": "borrower", "prestatario": "borrower",
    "schuldner": "debtor", "deudor": "debtor", "versicherter": "policyholder",
    "versicherungsnehmer": "policyholder", "assure": "policyholder", "nutzer": "user",
    "benutzer": "user", "usuario": "user", "utilisateur": "user", "haushalt": "household",
    "titular": "holder", "inhaber": "holder", "persona": "person", "personne": "person",
    "proband": "subject", "teilnehmer": "participant", "participante": "participant",
}  # fmt: skip
ID_WORDS = {
    "id", "ids", "identifier", "uuid", "guid", "key", "ref", "reference", "kennung",
    "ident", "identifiant", "identificador",
}  # fmt: skip
# "account number", "patient no", "Kundennummer", "numéro client", "nº cliente"
ID_SUFFIXES = {"no", "nr", "nro", "num", "number", "nummer", "numero", "code"}
ID_VOCABULARY = set(ENTITY_WORDS) | ID_WORDS | ID_SUFFIXES
LINKERS = ("", "s", "n", "en")  # German compounds: Mitglied-s-nummer, Kunde-n-nr
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
# Whole-number ids whatever the name (`Partner` holding 104233, 104233, 100871…): see
# `_integer_ids`. Columns whose name says they are a place, a phone or a period are
# not entities even when their values look the same (postcodes are fixed-width digits).
ID_DIGITS = 3  # at least this many digits, the same count in (nearly) every value
ID_SAME_WIDTH = 0.95
ID_REPEATED = 0.5  # share of distinct values that appear on two rows or more
ID_MAX_ROWS_PER_VALUE = 10  # a measurement on a big table repeats far more often
ID_MAX_ROUND = 0.25  # share of values ending in 0 (ids: ~10%; amounts: nearly all)
ID_QUARTER = (0.08, 0.45)  # share of rows in each quarter of the range: ids spread evenly
ID_MAX_TARGET_AUC = 0.6  # a number ranking the outcome this well is a feature, not a name
NOT_ENTITY_WORDS = {
    "zip", "zipcode", "plz", "postcode", "postal", "postleitzahl", "cp", "phone", "tel",
    "telefon", "telephone", "fax", "mobile", "year", "jahr", "month", "monat", "date",
    "datum", "period", "yyyymm", "ym", "time", "branch", "filiale", "store", "site",
}  # fmt: skip


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


def _entity_kind(values: pd.Series, name: str, y: pd.Series | None = None) -> str:
    """The entity a column identifies ("customer", "patient", "entity"), or "" if none.

    By name: only entity and id words (`id_words`), e.g. `customer_id`, `ClientNo`, `ID`,
    `KundenNr`, `Kd-Nr`, `cust_no`. By value: mostly code-shaped text (C00123, a UUID)
    with many distinct values, or whole numbers that behave like ids (`_integer_ids`;
    `y`, the binary target when known, rules out a column that orders it).

    Example:
        >>> _entity_kind(pd.Series(range(20)), "CustomerID")
        'customer'
        >>> _entity_kind(pd.Series(range(20)), "Kundennummer")  # the kind said in English
        'customer'
    """
    tokens = id_words(name)
    if tokens:
        strong = sorted({ENTITY_WORDS[t] for t in tokens if t in ENTITY_WORDS})
        if strong:
            return strong[0] if values.nunique() >= MIN_ENTITY_LEVELS else ""
        if tokens & ID_WORDS and _many_levels(values):
            return "entity"
        return ""
    if column_tokens(name) & NOT_ENTITY_WORDS:
        return ""  # a postcode, a phone number, a period: fixed-width digits, not entities
    if _integer_ids(values, y):
        return "entity"
    if pd.api.types.is_numeric_dtype(values) or not _many_levels(values):
        return ""
    text = values.dropna().drop_duplicates().head(CODE_SAMPLE).astype(str)
    codes = text.str.fullmatch(CODE_PATTERN).mean() if len(text) else 0.0
    return "entity" if codes >= CODE_SHARE else ""


def id_words(name: str) -> set[str]:
    """The words of a column name if every one is id vocabulary, else an empty set.

    Compounds are split into an entity word and an id word, in either order, with a
    German linking `s`/`n`/`en` allowed: `Kundennummer` -> {kunden, nummer},
    `custno` -> {cust, no}, `Mitgliedsnr` -> {mitglied, nr}, `idcliente` -> {id, cliente}.

    Example:
        >>> sorted(id_words("Kd-Nr")), id_words("customer_age")
        (['kd', 'nr'], set())
    """
    tokens = column_tokens(name)
    if {"medical", "record"} <= tokens:  # medical record number
        tokens = (tokens - {"medical", "record"}) | {"mrn"}
    words: set[str] = set()
    for token in tokens:
        parts = _compound(token)
        if not parts:
            return set()
        words |= parts
    return words


def _compound(token: str) -> set[str]:
    if token in ID_VOCABULARY:
        return {token}
    generic = ID_WORDS | ID_SUFFIXES
    for cut in range(2, len(token) - 1):
        head, tail = token[:cut], token[cut:]
        if head in ENTITY_WORDS:
            for linker in LINKERS:
                if tail.startswith(linker) and tail[len(linker) :] in generic:
                    return {head, tail[len(linker) :]}
        if head in generic and tail in ENTITY_WORDS:
            return {head, tail}
    return set()


def _integer_ids(values: pd.Series, y: pd.Series | None = None) -> bool:
    """Whole-number ids by their values alone, e.g. customer numbers 104233, 100871, 104233.

    All of these, which together separate ids from ordinary numbers:
    * whole numbers >= 0 written with the same number of digits, at least `ID_DIGITS`
      (zero-padded text counts with its zeros): not an age or a count of children;
    * many distinct values (`_many_levels`), at least `ID_REPEATED` of them on two rows
      or more but few rows each (`ID_MAX_ROWS_PER_VALUE` on average): not a score or a
      measurement on a big table, whose few values each fill hundreds of rows;
    * not rounded (at most `ID_MAX_ROUND` end in 0; ids end in any digit): not an amount;
    * spread evenly over their range, each quarter holding 8-45% of the rows: not a
      measurement piling up in the middle or at the low end (`ID_QUARTER`);
    * with `y` given, no order relation to the target (single-column AUC under
      `ID_MAX_TARGET_AUC`): a number that ranks the outcome is a feature, whatever it
      looks like.

    Example:
        >>> _integer_ids(pd.Series(np.repeat(np.arange(104_000, 104_200), 3)))
        True
    """
    present = values.dropna()
    if pd.api.types.is_bool_dtype(values) or len(present) < MIN_ID_LEVELS:
        return False
    if pd.api.types.is_numeric_dtype(values):
        if (present < 0).any() or not (present % 1 == 0).all():
            return False
        counts = present.value_counts()
        written = pd.Series(counts.index.astype("int64").astype(str))
    elif pd.api.types.is_object_dtype(values) or pd.api.types.is_string_dtype(values):
        counts = present.astype(str).str.strip().value_counts()
        written = pd.Series(counts.index.astype(str))
        if not written.head(CODE_SAMPLE).str.fullmatch(r"\d+").all():
            return False
        if not written.str.fullmatch(r"\d+").all():
            return False
    else:
        return False
    distinct, rows = len(counts), int(counts.sum())
    if distinct < MIN_ID_LEVELS or distinct < MIN_ID_SHARE * rows:
        return False
    if rows / distinct > ID_MAX_ROWS_PER_VALUE or (counts >= 2).mean() < ID_REPEATED:
        return False
    widths = written.str.len()
    width = widths.mode().iloc[0]
    if width < ID_DIGITS or (widths == width).mean() < ID_SAME_WIDTH:
        return False
    numbers = written.astype(float).to_numpy()
    if (numbers % 10 == 0).mean() > ID_MAX_ROUND:
        return False
    low, high = numbers.min(), numbers.max()
    quarter = np.minimum(((numbers - low) / (high - low) * 4).astype(int), 3)
    shares = np.bincount(quarter, weights=counts.to_numpy(), minlength=4) / rows
    if shares.min() < ID_QUARTER[0] or shares.max() > ID_QUARTER[1]:
        return False
    if y is not None and len(y) == len(values):
        known = values.notna().to_numpy()
        x = values[known]
        if not pd.api.types.is_numeric_dtype(x):
            x = pd.to_numeric(x.astype(str).str.strip())  # digits only, checked above
        target = y[known].reset_index(drop=True)
        if target.nunique() == 2:
            auc = single_feature_auc(x.astype(float).reset_index(drop=True), target)
            if auc >= ID_MAX_TARGET_AUC:
                return False
    return True


def _a(word: str) -> str:
    return ("an " if word[:1] in "aeiou" else "a ") + word


def _many_levels(values: pd.Series) -> bool:
    distinct = values.nunique()
    return distinct >= MIN_ID_LEVELS and distinct >= MIN_ID_SHARE * values.notna().sum()


def _repeated_entity(values: pd.Series, name: str, y: pd.Series | None = None) -> bool:
    """An entity id whose values repeat on enough rows to matter."""
    n, distinct = int(values.notna().sum()), values.nunique()
    repeated = n - distinct
    if repeated < max(2, math.ceil(MIN_REPEATED_SHARE * n)):
        return False
    return bool(_entity_kind(values, name, y))


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
    check_group_ids,
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
    # Accents folded first, so `numéro` is one word (numero), not "num" and "ro".
    folded = unicodedata.normalize("NFKD", str(name)).encode("ascii", "ignore").decode()
    spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", folded)
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
