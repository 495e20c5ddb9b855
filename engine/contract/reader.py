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

This module is self-contained on purpose: it imports only the standard library,
numpy, pandas (pyarrow lazily, for Parquet) and the error type, because
`tuneplate export` copies it verbatim into the standalone exported project.
"""

from __future__ import annotations

import codecs
import csv
import gzip
import io
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import IO, Any

import numpy as np
import pandas as pd

# Relative on purpose: `tuneplate export` copies reader.py and errors.py side by side
# into a project that does not have tuneplate installed.
from .errors import TuneplateError

SEPARATORS = (",", ";", "\t", "|")
SEPARATOR_NAMES = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}
CHUNK_BYTES = 1 << 20  # encoding is checked over the whole file, one MiB at a time
SAMPLE_LINES = 50  # lines after the header used to confirm the separator

GZIP_MAGIC = b"\x1f\x8b"
PARQUET_MAGIC = b"PAR1"
ZIP_MAGIC = b"PK\x03\x04"
# Longest BOM first: the UTF-32-LE BOM starts with the UTF-16-LE one.
BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)

# Numbers written with a decimal comma, optionally grouped in thousands with dots
# ("1.234,50", "-0,5", "1234"). Grouping needs exactly three digits per group, so
# "3.5" and the date "01.02.2024" never match.
_COMMA_NUMBER = re.compile(r"[+-]?(?:\d{1,3}(?:\.\d{3})+|\d+)(?:,\d+)?")
# Numbers written with a decimal point and no grouping ("3.5", "-12", ".25").
_POINT_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)")


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
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
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


# ---------------------------------------------------------------- format and encoding


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


def _open_bytes(path: Path, compression: str | None) -> IO[bytes]:
    return gzip.open(path, "rb") if compression == "gzip" else open(path, "rb")


def _chunks(handle: IO[bytes]) -> Iterator[bytes]:
    while chunk := handle.read(CHUNK_BYTES):
        yield chunk


def detect_encoding(path: str | Path, compression: str | None = None) -> str:
    """The codec of a text file, checked over every byte of it.

    A byte-order mark decides (UTF-8/16/32). Otherwise the file is UTF-8 when all of
    it decodes as UTF-8 (an incremental decoder, so a letter split between chunks is
    fine), else Windows-1252 (Western European spreadsheets), else Latin-1.

    Raises:
        TuneplateError: a NUL byte outside UTF-16/32 (a binary file) or an empty file.

    Example:
        >>> detect_encoding("umlauts_from_excel.csv")
        'cp1252'
    """
    path = Path(path)
    source = repr(str(path))
    with _open_bytes(path, compression) as handle:
        head = handle.read(4)
        for bom, codec in BOMS:
            if head.startswith(bom):
                if codec.startswith("utf-8"):
                    break  # checked below like any UTF-8 file
                return _check_wide(handle, head, codec, source)
        lines = _LineEncodings()
        seen_text = False
        chunk = head
        while True:
            if b"\x00" in chunk:
                raise TuneplateError(f"{source} is not a text file; give a CSV or a Parquet file")
            seen_text = seen_text or bool(chunk.strip())
            lines.feed(chunk, final=not chunk)
            if lines.utf8_line and lines.other_line:
                break  # mixed: no need to read on
            if not chunk:
                break
            chunk = handle.read(CHUNK_BYTES)
    if not seen_text:
        raise TuneplateError(f"{source} is empty; give a table with a header row and data")
    if lines.utf8_line and lines.other_line:
        other = "Windows-1252" if lines.cp1252_ok else "another encoding"
        raise TuneplateError(
            f"{source} mixes two encodings: UTF-8 (e.g. line {lines.utf8_line:,}) and "
            f"{other} (e.g. line {lines.other_line:,}); save it again with one encoding "
            "(UTF-8 if you can)"
        )
    if not lines.other_line:
        return "utf-8-sig" if head.startswith(codecs.BOM_UTF8) else "utf-8"
    return "cp1252" if lines.cp1252_ok else "latin-1"


class _LineEncodings:
    """Which lines of a file are UTF-8 with non-ASCII letters and which are not UTF-8.

    Fed the file chunk by chunk; a line is judged once complete. A file with lines of
    both kinds mixes two encodings (typically rows appended from another export): read
    whole as either one, some of its letters would be wrong ("MÃ¼nchen" next to
    "München"). A cp1252 text rarely forms valid multi-byte UTF-8 by chance (it needs
    letters such as "Ã" followed by symbols such as "¼"), so this is a reliable sign.
    """

    def __init__(self) -> None:
        self.number = 0  # lines judged so far
        self.utf8_line = 0  # first line (1-based) with valid non-ASCII UTF-8
        self.other_line = 0  # first line that is not UTF-8
        self.cp1252_ok = True
        self._carry = b""

    def feed(self, chunk: bytes, final: bool = False) -> None:
        data = self._carry + chunk
        if final:
            complete, self._carry = data, b""
        else:
            cut = data.rfind(b"\n") + 1
            complete, self._carry = data[:cut], data[cut:]
        if not complete:
            return
        if complete.isascii():
            self.number += complete.count(b"\n")
            return
        if self.cp1252_ok:
            try:
                complete.decode("cp1252")
            except UnicodeDecodeError:
                self.cp1252_ok = False
        try:
            complete.decode("utf-8")
            whole_utf8 = True
        except UnicodeDecodeError:
            whole_utf8 = False
        start = self.number
        self.number += complete.count(b"\n")
        if whole_utf8 and self.utf8_line:
            return
        for offset, line in enumerate(complete.split(b"\n")):
            if line.isascii():
                continue
            if whole_utf8:
                self.utf8_line = start + offset + 1
                return  # the first non-ASCII line of a UTF-8 chunk is all we need
            try:
                line.decode("utf-8")
                self.utf8_line = self.utf8_line or start + offset + 1
            except UnicodeDecodeError:
                self.other_line = self.other_line or start + offset + 1


def _check_wide(handle: IO[bytes], head: bytes, codec: str, source: str) -> str:
    """A UTF-16/32 file (it has NUL bytes by design) must decode completely."""
    decoder = codecs.getincrementaldecoder(codec)()
    try:
        decoder.decode(head)
        for chunk in _chunks(handle):
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        raise TuneplateError(
            f"{source} starts like {codec.upper()} text but is not; give a CSV or a Parquet file"
        ) from None
    return codec


# ---------------------------------------------------------------- separator and header


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


def _records(lines: list[str], separator: str, complete: bool) -> list[list[str]]:
    try:
        rows = [row for row in csv.reader(lines, delimiter=separator) if row]
    except csv.Error:
        return []
    return rows if complete else rows[:-1] or rows  # the last line may be cut mid-record


def sniff_separator(lines: list[str], complete: bool = True) -> str:
    """The separator that splits the header into the most columns, all rows agreeing.

    A candidate counts only if it splits the header into at least two fields; one
    that every sampled row agrees with beats one that does not. A single-column file
    gets ",". Unlike `csv.Sniffer`, the whole header line is used, however long.

    Example:
        >>> sniff_separator(["name;amount\\n", "Müller, Hans;1234,50\\n"])
        ';'
    """
    best, best_score = ",", (False, 1)
    for separator in SEPARATORS:
        rows = _records(lines, separator, complete)
        if not rows or len(rows[0]) < 2:
            continue
        width = len(rows[0])
        score = (all(len(row) == width for row in rows[1:]), width)
        if score > best_score:
            best, best_score = separator, score
    return best


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


# ---------------------------------------------------------------- reading and numbers

# Shares shared with engine/contract/schema.py (PARSE_SHARE, MAX_STRAY_TOKENS; not imported: the
# schema imports this module): a column is numbers when at least 95% of its non-blank
# values are, the rest being at most 5 distinct texts ("-", "k.A.", "#NV") that the schema
# then counts and reports as missing.
NUMBER_SHARE = 0.95
MAX_TOKENS = 5
# Whole numbers grouped in thousands with dots ("12.000", "1.234.567"); a group never
# starts with 0, so "0.125" is a decimal.
_DOT_GROUPED = re.compile(r"[+-]?[1-9]\d{0,2}(?:\.\d{3})+")
_INTEGER_TEXT = re.compile(r"[+-]?\d+")
# A point decimal that cannot be a thousands group ("3.5", "0.125", "12.34")
_POINT_DECIMAL = re.compile(r"[+-]?\d*\.\d+")
# "01067", "000123", "-07": a code (postcode, id), not a number; "0.5" and "0,5" are numbers.
_LEADING_ZERO = re.compile(r"[+-]?0\d")
_PERCENT_SUFFIX = re.compile(r"\s*%$")


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
        table = _convert_comma_numbers(table, rules.thousands, raw)
    elif rules.thousands == ".":
        table, grouped = _convert_dot_thousands(table, raw)
        notes += [_grouped_note(name) for name in grouped if detect_decimal]
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


def _may_be_misread(column: pd.Series, dots_matter: bool) -> bool:
    """Whether pandas' numbers may hide leading zeros or thousands groups (cheap test).

    Whole numbers may have been written "01067"; numbers with at most three decimals
    may have been "12.000" (only where a dot can group thousands). Others cannot.
    """
    if not pd.api.types.is_numeric_dtype(column) or pd.api.types.is_bool_dtype(column):
        return False
    if pd.api.types.is_integer_dtype(column):
        return True
    values = column.to_numpy(dtype=float, na_value=np.nan)
    values = values[np.isfinite(values)]
    scale = 1000.0 if dots_matter else 1.0
    return bool(np.all(np.abs(values * scale - np.round(values * scale)) < 1e-6))


def _keep_leading_zeros(
    table: pd.DataFrame, raw: dict[int, pd.Series]
) -> tuple[pd.DataFrame, list[str]]:
    """Columns read as numbers whose text has leading zeros ("01067") back as text."""
    kept = [i for i, text in raw.items() if text.dropna().str.match(_LEADING_ZERO).any()]
    if not kept:
        return table, []
    table = table.copy(deep=False)
    for i in kept:
        table.isetitem(i, raw.pop(i).astype(object))
    return table, [str(table.columns[i]).strip() for i in kept]


def _leading_zero_note(columns: list[str]) -> dict[str, Any]:
    return {
        "check": "leading_zeros",
        "severity": "info",
        "message": f"{', '.join(columns)}: written with leading zeros (like 01067), kept as "
        "text: codes such as postcodes or ids, not amounts",
        "expected": "numbers without leading zeros, codes as text",
        "fix": "nothing to do if these are codes; if they are amounts, drop the zeros in "
        "the extract",
        "columns": tuple(columns),
    }


def _text_columns(table: pd.DataFrame) -> Iterator[tuple[int, pd.Series]]:
    """Text columns that may hold numbers: some distinct value looks like one, and at
    most MAX_TOKENS distinct values do not (a cheap test on distinct values)."""
    for position in range(table.shape[1]):
        column = table.iloc[:, position]
        if column.dtype == object or isinstance(column.dtype, pd.StringDtype):
            values = column.dropna()
            if len(values) and pd.api.types.infer_dtype(values, skipna=True) == "string":
                distinct = pd.Series(pd.unique(values)).str.strip()
                numeric = distinct.str.fullmatch(r"[+-]?[\d.,]*\d[\d.,]*\s*%?")
                if numeric.any() and (~numeric & (distinct != "")).sum() <= MAX_TOKENS:
                    yield position, column


def _numbers_with_tokens(values: pd.Series, pattern: str | re.Pattern) -> pd.Series | None:
    """Which stripped non-blank `values` fully match `pattern`, when they are numbers.

    A column is numbers when at least NUMBER_SHARE of its values match and the others
    are at most MAX_TOKENS distinct texts without leading zeros in the numbers.
    Returns the match mask, or None when the column is not numbers.
    """
    if values.empty:
        return None
    matched = values.str.fullmatch(pattern)
    if not matched.any() or matched.mean() < NUMBER_SHARE:
        return None
    if values[~matched].nunique() > MAX_TOKENS:
        return None
    if values[matched].str.match(_LEADING_ZERO).any():
        return None
    return matched


def _uses_decimal_comma(table: pd.DataFrame) -> bool:
    """True when some text column holds decimal-comma numbers, one with a comma.

    A few stray tokens ("-", "k.A.", "#NV") and trailing spaces do not hide it; a
    percent sign ("12,5 %") counts as a number too. Only asked of files not separated
    by commas (there a comma inside a value is quoted text, never a decimal mark).
    """
    for _, column in _text_columns(table):
        values = column.dropna().str.strip()
        values = values[values != ""].str.replace(_PERCENT_SUFFIX, "", regex=True)
        matched = _numbers_with_tokens(values, _COMMA_NUMBER)
        if matched is not None and values[matched].str.contains(",", regex=False).any():
            return True
    return False


def _convert_comma_numbers(
    table: pd.DataFrame, thousands: str | None, raw: dict[int, pd.Series]
) -> pd.DataFrame:
    """Columns left as text (or misread) by pandas under decimal="," that are numbers.

    pandas converts "1234,50" itself. Left to convert here, column by column: "1.234,50"
    / "1.234" (dot groups of three digits, when `thousands` is "."), and "3.5" (a point
    decimal that cannot be a thousands group). A column with a few stray tokens ("-",
    "k.A.") gets its numbers converted and keeps the tokens as they are written, so the
    schema counts and reports them; a column mixing numbers and words stays text, and
    so does a percent column ("12,5 %"), which the schema reads in percent units.
    """
    converted = {}
    for position, column in _text_columns(table):
        values = column.dropna().str.strip()
        values = values[values != ""]
        if values.str.fullmatch(r"[+-]?0\d+").any():
            continue  # "01067": codes, kept as text (`_keep_leading_zeros`)
        if thousands == ".":
            matched = _numbers_with_tokens(values, _COMMA_NUMBER)
            if matched is not None:
                numbers = values[matched].str.replace(".", "", regex=False)
                numbers = pd.to_numeric(numbers.str.replace(",", ".", regex=False))
                converted[position] = _merge(column, numbers)
                continue
        if values.str.fullmatch(_POINT_NUMBER).all():
            converted[position] = pd.to_numeric(column.str.strip())
    for position, text in raw.items():  # "12.000" under decimal "," is 12000, not 12.0
        if thousands == "." and _all_dot_grouped(text):
            converted[position] = _whole(text)
    if not converted:
        return table
    table = table.copy(deep=False)
    for position, values in converted.items():
        table.isetitem(position, values)
    return table


def _merge(column: pd.Series, numbers: pd.Series) -> pd.Series:
    """`numbers` where a value parsed; elsewhere the text as written (tokens), or NaN."""
    if len(numbers) == column.notna().sum() and not (column.str.strip() == "").any():
        return numbers.reindex(column.index).astype(float)
    merged = column.astype(object).copy()
    merged[numbers.index] = numbers.astype(float).to_numpy()
    return merged


def _all_dot_grouped(text: pd.Series) -> bool:
    """Every value a whole number, some grouped in thousands with dots ("12.000", "950")."""
    values = text.dropna()
    grouped = values.str.fullmatch(_DOT_GROUPED)
    return bool(grouped.any()) and bool((grouped | values.str.fullmatch(_INTEGER_TEXT)).all())


def _whole(text: pd.Series) -> pd.Series:
    numbers = pd.to_numeric(text.str.replace(".", "", regex=False))
    return numbers.astype("int64") if numbers.notna().all() else numbers


def _decide_dot_thousands(
    table: pd.DataFrame, raw: dict[int, pd.Series], separator: str | None
) -> tuple[str | None, list[dict[str, Any]]]:
    """Whether a file without decimal commas groups thousands with dots ("12.000").

    A column whose dotted values all have dot groups of exactly three digits (and whose
    other values are whole numbers) is thousands-grouped in a semicolon file: the
    semicolon is the European convention chosen because "," is the decimal mark there, so
    "." is the thousands mark. That reading is refused (values read as decimals, and a
    note says so) when the file writes point decimals elsewhere ("3.5", "0.125") or
    when a column also holds whole numbers of 4+ digits without dots ("4500" next to
    "12.000"). Tab or pipe files have no such convention: their candidates are read as
    decimals, with a note that they may be thousands.

    Returns:
        ("." or None, reading notes).
    """
    columns = {i: text.dropna() for i, text in raw.items()}
    for i, column in _text_columns(table):
        values = column.dropna().str.strip()
        columns[i] = values[values != ""]
    candidates, doubtful, decimals = [], [], False
    for i, values in columns.items():
        dotted = values[values.str.contains(".", regex=False)]
        grouped = dotted.str.fullmatch(_DOT_GROUPED)
        decimals = decimals or bool(dotted[~grouped].str.fullmatch(_POINT_DECIMAL).any())
        if not len(dotted) or not grouped.all():
            continue
        integers = values.str.fullmatch(_INTEGER_TEXT)
        if _numbers_with_tokens(values, f"{_DOT_GROUPED.pattern}|{_INTEGER_TEXT.pattern}") is None:
            continue
        name = str(table.columns[i]).strip()
        candidates.append(name)
        if (values[integers].str.lstrip("+-").str.len() > 3).any():
            doubtful.append(name)
    if not candidates:
        return None, []
    if separator == ";" and not decimals and not doubtful:
        return ".", []
    why = (
        "the file writes other decimals with a point (3.5)"
        if decimals
        else "whole numbers of 4+ digits are written without dots too"
        if doubtful
        else "a tab or pipe file has no convention for it"
    )
    return None, [
        {
            "check": "ambiguous_numbers",
            "severity": "warning",
            "message": f"{', '.join(candidates)}: numbers like 12.000 (a dot, then three "
            f"digits) read as decimals (12.0), though they may be thousands (12000): {why}",
            "expected": "one way of writing numbers in a file",
            "fix": "write the numbers without thousands separators (12000) or with a "
            "decimal comma (12,5) in a semicolon file",
            "columns": tuple(candidates),
        }
    ]


def _convert_dot_thousands(
    table: pd.DataFrame, raw: dict[int, pd.Series]
) -> tuple[pd.DataFrame, list[str]]:
    """Columns written as whole numbers grouped with dots ("12.000") as integers.

    Numbers pandas read ("12.000" as 12.0) are re-read from their text; text columns
    with a few stray tokens get their numbers converted and keep the tokens as written.
    """
    converted = {}
    for position, text in raw.items():
        if _all_dot_grouped(text):
            converted[position] = _whole(text)
    pattern = f"{_DOT_GROUPED.pattern}|{_INTEGER_TEXT.pattern}"
    for position, column in _text_columns(table):
        values = column.dropna().str.strip()
        values = values[values != ""]
        matched = _numbers_with_tokens(values, pattern)
        if matched is not None and values[matched].str.fullmatch(_DOT_GROUPED).any():
            numbers = pd.to_numeric(values[matched].str.replace(".", "", regex=False))
            converted[position] = _merge(column, numbers)
    if not converted:
        return table, []
    table = table.copy(deep=False)
    for position, values in converted.items():
        table.isetitem(position, values)
    return table, [str(table.columns[i]).strip() for i in converted]


def _grouped_note(column: str) -> dict[str, Any]:
    return {
        "check": "thousands_dots",
        "severity": "info",
        "message": f"{column}: numbers like 12.000 read as thousands (12000), as usual in "
        "semicolon-separated files, where the decimal mark is a comma",
        "expected": "",
        "fix": "",
        "columns": (column,),
    }


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
