"""The one exception type a user should ever see."""

import traceback
from pathlib import Path


class TuneplateError(ValueError):
    """Bad input: the message names the problem and how to fix it.

    The CLI turns it into one line on stderr and exit code 2, never a traceback.

    Example:
        >>> raise TuneplateError("column 'default' not found; pass --target COL")
        Traceback (most recent call last):
        ...
        engine.errors.TuneplateError: column 'default' not found; pass --target COL
    """


def raised_at(exc: BaseException, within: str | None = None) -> str:
    """One line: the error and the file and line it was raised at; with `within` (a
    folder), the last line of the traceback in that folder's files (a plugin's own line,
    not the pandas line under it).

    Example:
        >>> raised_at(error, within="/src/claims_fraud")
        "KeyError: 'claim_ammount' (checks.py, line 52)"
    """
    text = f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
    frames = traceback.extract_tb(exc.__traceback__)
    if within is not None:
        frames = [f for f in frames if Path(f.filename).parent == Path(within)] or frames
    if isinstance(exc, SyntaxError) or not frames:  # its message names the file and line
        return text
    return f"{text} ({Path(frames[-1].filename).name}, line {frames[-1].lineno})"


def first_line(exc: BaseException) -> str:
    """The first line of `exc`'s message, or its type's name when it has none: what a
    one-line refusal quotes of a library's error.

    Example:
        >>> first_line(OSError("No such file\nmore")), first_line(KeyError())
        ('No such file', 'KeyError')
    """
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
