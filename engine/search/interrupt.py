"""A Ctrl-C during a search that cannot be lost.

Python turns SIGINT into one `KeyboardInterrupt`, raised wherever the main thread
happens to be. Raised inside an object's finaliser (`__del__`, a `weakref.finalize`
callback, run by the garbage collector at any allocation), Python prints "Exception
ignored in …" and carries on (Python docs, "Data model", `object.__del__`): about one
Ctrl-C in a hundred left a search running to the end of its budget. While `noticed`
is active the signal is also remembered, and `check` (called at the start of every
trial and between folds) raises it again until the search has stopped.

Example:
    >>> with noticed():
    ...     study.optimize(objective)  # objective calls check() between folds
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator

_seen = threading.Event()


@contextlib.contextmanager
def noticed() -> Iterator[None]:
    """Remember a Ctrl-C while the block runs (main thread, Python's own handler only).

    A handler someone else installed (an application embedding tuneplate, a test
    runner) or an ignored SIGINT is left as it is, and so is any thread but the main
    one, where Python does not allow handlers to be set.
    """
    main = threading.current_thread() is threading.main_thread()
    if not main or signal.getsignal(signal.SIGINT) is not signal.default_int_handler:
        yield
        return

    def remember(signum, frame):
        _seen.set()
        raise KeyboardInterrupt

    _seen.clear()
    signal.signal(signal.SIGINT, remember)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, signal.default_int_handler)
        _seen.clear()


def check() -> None:
    """Raise `KeyboardInterrupt` again when a Ctrl-C arrived during `noticed`.

    Raises:
        KeyboardInterrupt: Ctrl-C was pressed and the search has not stopped yet.
    """
    if _seen.is_set():
        raise KeyboardInterrupt
