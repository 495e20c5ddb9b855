"""Can we create and write this folder? Asked before any work, answered in one line.

A run, a comparison or a new vertical writes its folder only at the end of its work;
a folder that cannot exist (its parent is a file, its name is too long) or cannot be
written (a read-only parent or file system) would otherwise end in an `OSError`
traceback after the work was done. These checks read the file system and change
nothing. They cannot see everything (a pseudo file system such as /proc accepts the
access test for root, then refuses `mkdir`), so the CLI also turns a remaining
`OSError` into one line.

Example:
    >>> require_creatable(Path("notes.txt/run"), "--out")
    Traceback (most recent call last):
    TuneplateError: cannot create 'notes.txt/run': 'notes.txt' is a file, not a folder; ...
"""

from __future__ import annotations

import os
from pathlib import Path

from tuneplate.engine.contract.errors import TuneplateError


def plain_name(name: object) -> bool:
    """True when `name` is a file name that stays inside its folder: text, no path
    separator, not "", "." or "..". A run folder's own records name their files so; a
    record naming another is refused or ignored, never followed.

    Example:
        >>> plain_name("model.skops"), plain_name("../other/blend")
        (True, False)
    """
    return isinstance(name, str) and not {"/", "\\"} & set(name) and name not in ("", ".", "..")


DEFAULT_NAME_MAX = 255  # bytes per name on ext4, XFS, APFS, NTFS


def _name_max(existing: Path) -> int:
    try:
        return os.pathconf(existing, "PC_NAME_MAX")
    except (OSError, ValueError, AttributeError):  # Windows has no pathconf
        return DEFAULT_NAME_MAX


def _read_only_mount(existing: Path) -> bool:
    try:
        return bool(os.statvfs(existing).f_flag & os.ST_RDONLY)
    except (OSError, AttributeError):
        return False


def _writable(folder: Path) -> bool:
    return os.access(folder, os.W_OK | os.X_OK) and not _read_only_mount(folder)


def require_creatable(path: str | Path, flag: str) -> None:
    """Refuse `path` as a folder to write into, unless it exists as a writable folder or
    could be created; changes nothing.

    Args:
        path: the folder (it may not exist yet).
        flag: the option that named it, for the fix ("--out", "--dir", "--to").

    Raises:
        TuneplateError: one line naming the path, the reason and the fix.
    """
    path = Path(path)
    shown = str(path)
    name_max = _name_max(Path(path.anchor or "."))  # first: exists() raises on such a name
    for part in path.parts:
        if len(os.fsencode(part)) > name_max:
            raise TuneplateError(
                f"cannot create {shown[:60]!r}…: the name {part[:20]!r}… is "
                f"{len(os.fsencode(part))} bytes, above the file system's {name_max}; "
                f"give {flag} a shorter name"
            )
    ancestor = path
    while not ancestor.exists() and ancestor != ancestor.parent:
        ancestor = ancestor.parent
    if ancestor.exists() and not ancestor.is_dir():
        what = "" if ancestor == path else f"cannot create {shown!r}: "
        raise TuneplateError(
            f"{what}{str(ancestor)!r} is a file, not a folder; give {flag} a folder path"
        )
    if not _writable(ancestor):
        where = "it" if ancestor == path else repr(str(ancestor))
        raise TuneplateError(
            f"cannot write to {shown!r}: {where} is read-only; make it writable "
            f"or give {flag} another folder"
        )


__all__ = ["require_creatable"]
