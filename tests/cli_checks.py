"""Helpers the command-line tests share: a folder's digest and a one-line refusal.

Imported by name (tests/ is on the path, as for report_outline.py).
"""

from __future__ import annotations

import hashlib
from pathlib import Path


def digest(folder: Path) -> dict[str, str]:
    """Every file under `folder`, by relative path, with the SHA-256 of its bytes."""
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def refused(result: tuple[int, str, str], *words: str) -> str:
    """Assert exit 2 with one line on stderr, naming `words`, and no traceback; return it."""
    code, out, err = result
    assert "Traceback" not in out + err
    assert code == 2, (out, err)
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("tuneplate: error: ")
    for word in words:
        assert word in lines[0], lines[0]
    return lines[0]
