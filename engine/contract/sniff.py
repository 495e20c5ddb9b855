"""Encoding and separator detection for CSV files, decided from the file itself.

`detect_encoding` checks every byte of a file (a byte-order mark decides, else UTF-8
when all of it decodes, else Windows-1252, else Latin-1) and refuses a file that mixes
UTF-8 and Windows-1252 lines; `sniff_separator` picks the separator that splits the
whole header line into the most columns, the sampled rows agreeing.

Separate from reader.py: these look only at bytes and lines, before any table exists;
reader.py turns their answers into `ReadingRules` and reads the table (its docstring
says why detection uses the whole file, not a prefix). Self-contained (the standard
library and errors.py, by relative import), because `tuneplate export` copies it
verbatim into the exported project's `contract/`.

Example:
    >>> sniff_separator(["name;amount\\n", "Müller, Hans;1234,50\\n"])
    ';'
"""

from __future__ import annotations

import codecs
import csv
import gzip
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from .errors import TuneplateError

SEPARATORS = (",", ";", "\t", "|")
CHUNK_BYTES = 1 << 20  # encoding is checked over the whole file, one MiB at a time
SAMPLE_LINES = 50  # lines after the header used to confirm the separator

# Longest BOM first: the UTF-32-LE BOM starts with the UTF-16-LE one.
BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


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
