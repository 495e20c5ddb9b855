"""Column names as a person reads them on a report's first screen.

Data keep their raw names (results.json, model files, the schema); only what a
decision-maker reads is relabelled, so "personal_status_and_sex" reads "Personal
status and sex" and "ExternalRiskEstimate" reads "External risk estimate".
"""

from __future__ import annotations

import re

_IDENTIFIER = re.compile(r"^[A-Za-z][A-Za-z0-9_.\-]*$")  # a column name as code writes it
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z][a-z])")  # "riskEstimate", not "HbA1c"


def column_label(name: object) -> str:
    """A raw column name as words: separators to spaces, camelCase split, first letter up.

    Acronyms and mixed-case terms stay as written ("LTV ratio" from "LTV_ratio", "HbA1c");
    a name that is not identifier-like (spaces, other characters) is returned unchanged.

    Example:
        >>> column_label("personal_status_and_sex"), column_label("ExternalRiskEstimate")
        ('Personal status and sex', 'External risk estimate')
        >>> column_label("LTV_ratio"), column_label("HbA1c"), column_label("age")
        ('LTV ratio', 'HbA1c', 'Age')
    """
    text = str(name)
    if not _IDENTIFIER.match(text):  # already words, or not a name at all: shown as given
        return text
    text = re.sub(r"[_\-.]+", " ", text).strip()
    words = _CAMEL.sub(" ", text).split()
    # "Risk" was capitalised only by camelCase; "LTV" and "HbA1c" are written as meant
    words = [w.lower() if w[:1].isupper() and w[1:].islower() else w for w in words]
    label = " ".join(words)
    return label[:1].upper() + label[1:]
