"""The one exception type a user should ever see."""


class TuneplateError(ValueError):
    """Bad input: the message names the problem and how to fix it.

    The CLI turns it into one line on stderr and exit code 2, never a traceback.

    Example:
        >>> raise TuneplateError("column 'default' not found; pass --target COL")
        Traceback (most recent call last):
        ...
        engine.errors.TuneplateError: column 'default' not found; pass --target COL
    """
