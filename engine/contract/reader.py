"""One reader for every table tuneplate reads: CSV (plain or gzip) and Parquet.

The reader first settles the `ReadingRules` of a file (format, encoding, separator,
decimal mark) from the whole file, then reads it with pandas under those rules. The
rules are a small frozen dataclass a caller can keep (the schema saved with a model
stores them), so a file scored later is read exactly as the training file was.

Where pandas alone would read silently wrong, the reader decides per column from all
its values: numeric dates take one day/month order per column (`dates.py`),
"01067" stays text (a code), "12.000" in a semicolon file is 12000, a decimal-comma
column keeps a few stray tokens ("-") as text for the schema to count, header names
lose surrounding spaces, and a file mixing UTF-8 and Windows-1252 lines is refused.
What it decided is left in `table.attrs["reading_notes"]` for the caller to report.

Why whole-file detection: a fixed-size prefix decides wrongly for a UTF-8 file whose
first accented letter comes late, for a multi-byte letter cut at the prefix boundary
and for a header row longer than the prefix.

Its parts: sniff.py detects a CSV's encoding and separator from its bytes,
csv_numbers.py corrects number columns from their written text; this module settles
the `ReadingRules` and reads the table.

This module is self-contained on purpose: it imports only the standard library,
pandas (pyarrow lazily, for Parquet), the error type and its siblings above, because
`tuneplate export` copies it verbatim into the standalone exported project.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Iterable
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

import pandas as pd

# Relative on purpose: `tuneplate export` copies this folder's modules side by side
# into a project that does not have tuneplate installed.
from .csv_numbers import (
    _convert_comma_numbers,
    _convert_dot_thousands,
    _decide_dot_thousands,
    _grouped_note,
    _keep_leading_zeros,
    _leading_zero_note,
    _may_be_misread,
    _uses_decimal_comma,
)
from .errors import TuneplateError, first_line
from .sniff import SAMPLE_LINES, _open_bytes, detect_encoding, sniff_separator

SEPARATOR_NAMES = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}

GZIP_MAGIC = b"\x1f\x8b"
PARQUET_MAGIC = b"PAR1"
ZIP_MAGIC = b"PK\x03\x04"


@dataclass(frozen=True)
class ReadingRules:
    """How a table file was read; keep it to read later files the same way.

    Args:
        format: "csv" or "parquet".
        encoding: Python codec name of a CSV ("utf-8", "utf-8-sig", "utf-16",
            "utf-32", "cp1252" or "latin-1"); None for Parquet.
        separator: "," ";" "\\t" or "|"; None for Parquet.
        decimal: "." or ","; "," only for files not separated by commas.
        thousands: "." when the file groups thousands with dots, else None: any
            decimal-comma file, and a semicolon file without decimal commas whose dotted
            numbers all have groups of three digits ("12.000"; see
            `_decide_dot_thousands`). Applied per column, only to columns whose every
            value (but a few stray tokens) is such a number.
        compression: "gzip" or None.

    Example:
        >>> table, rules = read_table_with_rules("export.csv")
        >>> rules
        ReadingRules(format='csv', encoding='cp1252', separator=';', decimal=',', ...)
        >>> ReadingRules.from_dict(rules.to_dict()) == rules
        True
    """

    format: str = "csv"
    encoding: str | None = "utf-8"
    separator: str | None = ","
    decimal: str = "."
    thousands: str | None = None
    compression: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready fields."""
        return asdict(self)

    @classmethod
    def from_dict(cls, fields: dict[str, Any]) -> ReadingRules:
        """The rules saved by `to_dict`; unknown keys are ignored (newer writers)."""
        known = {k: v for k, v in fields.items() if k in cls.__dataclass_fields__}
        return cls(**known)

    def describe(self) -> str:
        """One phrase for reports, e.g. "CSV, semicolon-separated, cp1252, decimal comma"."""
        if self.format == "parquet":
            return "Parquet"
        parts = ["CSV" + (" (gzip)" if self.compression else "")]
        separator = self.separator or ","
        parts.append(f"{SEPARATOR_NAMES.get(separator, repr(separator))}-separated")
        parts.append(str(self.encoding))
        parts.append("decimal comma" if self.decimal == "," else "decimal point")
        if self.thousands:
            parts.append(f"thousands grouped with {self.thousands!r}")
        return ", ".join(parts)


def read_table(path: str | Path) -> pd.DataFrame:
    """Read a CSV or Parquet file, or explain in one line why it cannot be read.

    Raises:
        TuneplateError: missing file, folder, binary, empty, header only, one column,
            repeated column names, nested Parquet columns, unparseable file.

    Example:
        >>> read_table("loans.csv").shape
        (1000, 21)
    """
    return read_table_with_rules(path)[0]


def read_table_with_rules(
    path: str | Path, rules: ReadingRules | None = None
) -> tuple[pd.DataFrame, ReadingRules]:
    """Read a table and return it with the rules used.

    With `rules` given (e.g. those stored with a model), a file with the same separator
    is read with their decimal mark and thousands grouping instead of detecting new
    ones, so scoring reads numbers the way training did; format, compression, encoding
    and the separator are still taken from the file's own bytes (a re-saved file keeps
    its letters, and a file saved with another separator gets all its rules detected).
    The rules used are also left in `table.attrs["reading_rules"]` (a dict), where the
    schema finds them and saves them with the model.

    Returns:
        (table, rules): the DataFrame (one column per header name) and `ReadingRules`.

    Example:
        >>> table, rules = read_table_with_rules("german.csv")
        >>> rules.separator, rules.decimal, table["amount"].dtype
        (';', ',', dtype('float64'))
    """
    path = Path(path)
    source = repr(str(path))
    if not path.exists():
        raise TuneplateError(f"data file {source} does not exist; check the path given to --data")
    if path.is_dir():
        raise TuneplateError(f"{source} is a folder; --data needs a .csv or .parquet file")
    try:
        detected = _detect_format(path, source)
        # The bytes tell format, compression and encoding reliably (the whole file is
        # checked), so a re-saved file still reads. A file written in the stored
        # convention (same separator) is read with its decimal mark and thousands
        # grouping: "1.234" then means 1234, as it did in training. A file saved another
        # way (a comma CSV for a semicolon-trained model) gets its own rules detected.
        stored = rules is not None and detected.format == "csv"
        stored = stored and rules.separator in (None, detected.separator)
        if stored:
            detected = replace(detected, decimal=rules.decimal, thousands=rules.thousands)
        table, rules = _read(path, source, detected, detect_decimal=not stored)
    except TuneplateError:
        raise
    except Exception as exc:  # pandas, pyarrow, gzip and csv raise many types for bad files
        first = first_line(exc)
        raise TuneplateError(
            f"{source} could not be read as a table ({first}); "
            "give a CSV with a header row or a Parquet file"
        ) from None
    check_table(table, source)
    # Travels with the table to the schema, which saves it with the model (model.json).
    table.attrs["reading_rules"] = rules.to_dict()
    table.attrs.setdefault("reading_notes", [])
    return table, rules


def check_table(table: pd.DataFrame, source: str = "the table") -> None:
    """Reject a table with repeated column names, fewer than 2 columns or no rows.

    Example:
        >>> check_table(pd.DataFrame({"y": [1]}), "t.csv")
        Traceback (most recent call last):
        TuneplateError: t.csv has 1 column(s); it needs a target and at least one feature ...
    """
    if not isinstance(table, pd.DataFrame):
        raise TuneplateError(
            f"data must be a pandas DataFrame or a file path, not {type(table).__name__}"
        )
    raise_on_duplicates(table.columns, source)
    if table.shape[1] < 2:
        raise TuneplateError(
            f"{source} has {table.shape[1]} column(s); it needs a target and at least one feature "
            "(is the separator a comma, semicolon or tab?)"
        )
    if table.empty:
        raise TuneplateError(f"{source} has a header but no rows; give a table with data")


def raise_on_duplicates(columns: Iterable[Any], source: str) -> None:
    """Refuse repeated column names, which pandas would silently rename "name.1"."""
    repeated = [str(c) for c, n in Counter(columns).items() if n > 1]
    if repeated:
        raise TuneplateError(
            f"{source} has duplicate column names: {', '.join(repeated)}; "
            "rename them so each column name is used once"
        )


# ---------------------------------------------------------------- format, separator and header


def _detect_format(path: Path, source: str) -> ReadingRules:
    with open(path, "rb") as handle:
        magic = handle.read(4)
    suffixes = "".join(path.suffixes[-2:]).lower()
    if ".parquet" in suffixes or suffixes.endswith(".pq") or magic == PARQUET_MAGIC:
        return ReadingRules(format="parquet", encoding=None, separator=None)
    if magic == ZIP_MAGIC:
        kind = "an Excel workbook" if suffixes.endswith((".xlsx", ".xlsm")) else "a zip archive"
        raise TuneplateError(
            f"{source} is {kind}, not a text file; save or extract it as a CSV and give that"
        )
    compression = "gzip" if magic.startswith(GZIP_MAGIC) else None
    return _detect_text_rules(path, source, compression)


def _open_text(path: Path, rules: ReadingRules) -> io.TextIOWrapper:
    return io.TextIOWrapper(
        _open_bytes(path, rules.compression), encoding=rules.encoding, newline=""
    )


def _first_lines(path: Path, rules: ReadingRules) -> list[str]:
    """The header line (whole, however long) and up to SAMPLE_LINES lines after it."""
    lines: list[str] = []
    with _open_text(path, rules) as text:
        for line in text:
            if not lines and not line.strip():
                continue  # pandas skips blank lines before the header too
            lines.append(line)
            if len(lines) > SAMPLE_LINES:
                break
    return lines


def _detect_text_rules(path: Path, source: str, compression: str | None) -> ReadingRules:
    encoding = detect_encoding(path, compression)
    rules = ReadingRules(encoding=encoding, compression=compression)
    lines = _first_lines(path, rules)
    if not lines:
        raise TuneplateError(f"{source} is empty; give a table with a header row and data")
    separator = sniff_separator(lines, complete=len(lines) <= SAMPLE_LINES)
    return ReadingRules(encoding=encoding, separator=separator, compression=compression)


def _check_header(path: Path, source: str, rules: ReadingRules) -> None:
    """Refuse repeated names in the whole header record, however long it is.

    Names are compared as the table will have them: without surrounding spaces.
    """
    with _open_text(path, rules) as text:
        lines = (line for line in text if line.strip())
        header = next(csv.reader(lines, delimiter=rules.separator or ","), [])
    raise_on_duplicates([name.strip() for name in header], source)


def _strip_names(table: pd.DataFrame, source: str) -> pd.DataFrame:
    """Header names without surrounding spaces ("Ausfall " from Excel is "Ausfall").

    A name typed with a trailing space would otherwise not be found ("column 'Ausfall'
    not found"). Names that become equal once stripped are refused, as any duplicate.
    """
    names = [name.strip() if isinstance(name, str) else name for name in table.columns]
    if names == list(table.columns):
        return table
    raise_on_duplicates(names, source)
    table = table.copy(deep=False)
    table.columns = names
    return table


# ---------------------------------------------------------------- reading


def _read(
    path: Path, source: str, rules: ReadingRules, detect_decimal: bool
) -> tuple[pd.DataFrame, ReadingRules]:
    """Read a CSV under `rules`; with `detect_decimal`, settle the decimal mark and grouping.

    Findings about the reading (thousands read from dots, an ambiguous column, codes with
    leading zeros kept as text) are left in `table.attrs["reading_notes"]`, a list of
    dicts with the fields of `engine.checks.Finding`.
    """
    if rules.format == "parquet":
        return _strip_names(_read_parquet(path, source), source), rules
    _check_header(path, source, rules)
    table = _read_csv(path, rules)
    notes: list[dict[str, Any]] = []
    comma_file = rules.separator == ","
    if detect_decimal and rules.decimal == "." and not comma_file and _uses_decimal_comma(table):
        rules = replace(rules, decimal=",", thousands=".")
        table = _read_csv(path, rules)
    raw = _raw_numbers(path, rules, table)
    if detect_decimal and rules.decimal == "." and not comma_file:
        thousands, notes = _decide_dot_thousands(table, raw, rules.separator)
        rules = replace(rules, thousands=thousands)
    table, kept = _keep_leading_zeros(table, raw)
    if rules.decimal == ",":
        table, grouped = _convert_comma_numbers(table, rules.thousands, raw)
        # the file's decimal comma makes dots thousands: said only where it is in doubt
        grouped = [(name, doubt) for name, doubt in grouped if doubt]
    elif rules.thousands == ".":
        table, grouped = _convert_dot_thousands(table, raw)
    else:
        grouped = []
    comma = rules.decimal == ","
    notes += [_grouped_note(name, doubt, comma) for name, doubt in grouped if detect_decimal]
    if kept:
        notes.append(_leading_zero_note(kept))
    table = _strip_names(table, source)
    table.attrs["reading_notes"] = notes
    return table, rules


def _read_csv(path: Path, rules: ReadingRules, **options: Any) -> pd.DataFrame:
    return pd.read_csv(
        path,
        sep=rules.separator,
        encoding=rules.encoding,
        compression=rules.compression,
        decimal=rules.decimal,
        **options,
    )


def _raw_numbers(path: Path, rules: ReadingRules, table: pd.DataFrame) -> dict[int, pd.Series]:
    """The text as written of the columns pandas read as numbers, by position.

    pandas turns "01067" into 1067 and "12.000" into 12.0; the written text tells a code
    from a number and a thousands group from a decimal. Blank cells are missing (NaN).
    """
    dots_matter = rules.separator != ","
    positions = [i for i in range(table.shape[1]) if _may_be_misread(table.iloc[:, i], dots_matter)]
    if not positions:
        return {}
    raw = _read_csv(path, rules, usecols=positions, dtype=str)
    return {i: raw.iloc[:, k].str.strip() for k, i in enumerate(sorted(positions))}


def _read_parquet(path: Path, source: str) -> pd.DataFrame:
    import pyarrow.parquet as pq  # lazily: only Parquet needs pyarrow
    import pyarrow.types as pat

    nested = []
    for field in pq.read_schema(path):
        kind = (
            "lists"
            if pat.is_list(field.type)
            or pat.is_large_list(field.type)
            or pat.is_fixed_size_list(field.type)
            or getattr(pat, "is_list_view", lambda _: False)(field.type)
            or getattr(pat, "is_large_list_view", lambda _: False)(field.type)
            else "structs"
            if pat.is_struct(field.type)
            else "maps"
            if pat.is_map(field.type)
            else None
        )
        if kind:
            nested.append(f"column {field.name!r} holds {kind}")
    if nested:
        them = "it" if len(nested) == 1 else "them"
        raise TuneplateError(
            f"{source}: {', '.join(nested)}; tuneplate needs one value per cell: "
            f"flatten {them} or drop {them}"
        )
    return pd.read_parquet(path)
