"""Which columns identify an entity (a customer, a patient, an account) rather than
describe a case: by their name (`id_words`, in English, German, French and Spanish) or
by their values (codes such as C00123 or a UUID, whole numbers that behave like ids).

The checks use this to set ids aside when counting duplicate rows and to ask for
`--group` when an entity's rows repeat, since rows of one entity on both sides of a split
inflate the hold-out score (Kaufman et al. 2012, "Leakage in data mining", ACM TKDD
6(4); see `checks.check_repeated_entities`).

Separate from checks.py: the vocabulary and the value tests are a subject of their own
(about 200 lines of word lists and thresholds), apart from the checks that report them.

Example:
    >>> _entity_kind(pd.Series(range(20)), "Kundennummer")
    'customer'
"""

from __future__ import annotations

import math
import re

import numpy as np
import pandas as pd

from tuneplate.engine.data.columns import column_tokens, single_feature_auc

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
