"""One reader for every table tuneplate reads: CSV (plain or gzip) and Parquet.

The reader first settles the `ReadingRules` of a file (format, encoding, separator,
decimal mark) from the whole file, then reads it with pandas under those rules. The
rules are a small frozen dataclass a caller can keep (the schema saved with a model
stores them), so a file scored later is read exactly as the training file was.

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
        thousands: "." when a decimal-comma file groups thousands with dots, else None.
            Applied per column, only to columns whose every value is such a number.
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
        candidates = {name: codecs.getincrementaldecoder(name)() for name in ("utf-8", "cp1252")}
        seen_text = False
        chunk = head
        while True:
            if b"\x00" in chunk:
                raise TuneplateError(f"{source} is not a text file; give a CSV or a Parquet file")
            seen_text = seen_text or bool(chunk.strip())
            for name, decoder in list(candidates.items()):
                try:
                    decoder.decode(chunk, final=not chunk)
                except UnicodeDecodeError:
                    del candidates[name]
            if not chunk:
                break
            chunk = handle.read(CHUNK_BYTES)
    if not seen_text:
        raise TuneplateError(f"{source} is empty; give a table with a header row and data")
    if "utf-8" in candidates:
        return "utf-8-sig" if head.startswith(codecs.BOM_UTF8) else "utf-8"
    return "cp1252" if "cp1252" in candidates else "latin-1"


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
    """Refuse repeated names in the whole header record, however long it is."""
    with _open_text(path, rules) as text:
        lines = (line for line in text if line.strip())
        header = next(csv.reader(lines, delimiter=rules.separator or ","), [])
    raise_on_duplicates(header, source)


# ---------------------------------------------------------------- reading and numbers


def _read(
    path: Path, source: str, rules: ReadingRules, detect_decimal: bool
) -> tuple[pd.DataFrame, ReadingRules]:
    """Read a CSV under `rules`; with `detect_decimal`, switch to a decimal comma if used."""
    if rules.format == "parquet":
        return _read_parquet(path, source), rules
    _check_header(path, source, rules)
    table = pd.read_csv(
        path,
        sep=rules.separator,
        encoding=rules.encoding,
        compression=rules.compression,
        decimal=rules.decimal,
    )
    if detect_decimal and rules.decimal == "." and rules.separator != ",":
        if not _uses_decimal_comma(table):
            return table, rules
        rules = ReadingRules(
            encoding=rules.encoding,
            separator=rules.separator,
            decimal=",",
            thousands=".",
            compression=rules.compression,
        )
        table = pd.read_csv(
            path,
            sep=rules.separator,
            encoding=rules.encoding,
            compression=rules.compression,
            decimal=",",
        )
    if rules.decimal == ",":
        table = _convert_comma_numbers(table, rules.thousands)
    return table, rules


def _text_columns(table: pd.DataFrame) -> Iterator[tuple[Any, pd.Series]]:
    for position, name in enumerate(table.columns):
        column = table.iloc[:, position]
        if column.dtype == object or isinstance(column.dtype, pd.StringDtype):
            values = column.dropna()
            if len(values) and pd.api.types.infer_dtype(values, skipna=True) == "string":
                yield name, column


def _uses_decimal_comma(table: pd.DataFrame) -> bool:
    """True when some text column holds only decimal-comma numbers, one with a comma.

    Only asked of files not separated by commas (there a comma inside a value is
    quoted text, never a decimal mark).
    """
    for _, column in _text_columns(table):
        values = column.dropna().str.strip()
        if values.str.contains(",", regex=False).any() and (
            values.str.fullmatch(_COMMA_NUMBER).all()
        ):
            return True
    return False


def _convert_comma_numbers(table: pd.DataFrame, thousands: str | None) -> pd.DataFrame:
    """Columns left as text by pandas under decimal="," that are numbers after all.

    pandas converts "1234,50" itself. Left to convert here, column by column and only
    when EVERY value of the column fits: "1.234,50" / "1.234" (dot groups of three
    digits, when `thousands` is "."), and "3.5" (a point decimal that cannot be a
    thousands group). A column mixing numbers and words stays text.
    """
    converted = {}
    for name, column in _text_columns(table):
        values = column.dropna().str.strip()
        if thousands == "." and values.str.fullmatch(_COMMA_NUMBER).all():
            plain = column.str.strip().str.replace(".", "", regex=False)
            converted[name] = pd.to_numeric(plain.str.replace(",", ".", regex=False))
        elif values.str.fullmatch(_POINT_NUMBER).all():
            converted[name] = pd.to_numeric(column.str.strip())
    if not converted:
        return table
    table = table.copy()
    for name, values in converted.items():
        table[name] = values
    return table


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


# ---------------------------------------------------------------- times


def parse_datetimes(values: pd.Series) -> pd.Series:
    """Dates and times as one UTC column; what does not parse becomes NaT.

    Timestamps with a UTC offset are converted to UTC even when the offset changes
    within the column (summer and winter time: "2024-03-30T12:00:00+01:00" and
    "2024-04-02T12:00:00+02:00"); naive ones are taken as UTC already. Dotted dates
    ("31.03.2024") are read day first. The caller counts the NaT values (missing or
    unparseable) and says so; nothing is coerced silently here.

    Args:
        values: strings, datetimes (naive or tz-aware) or objects of both. Numbers
            are the caller's to interpret (period numbers, epoch seconds).

    Returns:
        Series of dtype datetime64[ns, UTC], same index and name.

    Example:
        >>> parse_datetimes(pd.Series(["2024-03-30T12:00:00+01:00", "2024-04-02T12:00:00+02:00"]))
        0   2024-03-30 11:00:00+00:00
        1   2024-04-02 10:00:00+00:00
        dtype: datetime64[ns, UTC]
    """
    if isinstance(values.dtype, pd.DatetimeTZDtype):
        parsed = values.dt.tz_convert("UTC")
    elif pd.api.types.is_datetime64_dtype(values.dtype):
        parsed = values.dt.tz_localize("UTC")
    else:
        text = values.where(values.isna(), values.astype(str).str.strip())
        try:
            parsed = pd.to_datetime(text, utc=True, format="ISO8601")
        except (ValueError, TypeError, OverflowError):
            sample = text.dropna()
            dayfirst = bool(len(sample)) and bool(
                sample.str.fullmatch(r"\d{1,2}\.\d{1,2}\.\d{2,4}.*").mean() > 0.5
            )
            parsed = pd.to_datetime(
                text, utc=True, format="mixed", errors="coerce", dayfirst=dayfirst
            )
    try:
        return parsed.astype("datetime64[ns, UTC]")
    except (OverflowError, ValueError):  # beyond 1677-2262: keep pandas' own resolution
        return parsed
