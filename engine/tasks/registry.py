"""Which `Task` runs a vertical: the one place that reads `Vertical.task`.

Add a task by adding one entry to `TASKS` (an object with the `Task` protocol's
methods, see `engine.tasks.task`).

Example:
    >>> task_for(load_vertical("credit-risk")).name
    'binary'
"""

from __future__ import annotations

from tuneplate.engine.contract.errors import TuneplateError
from tuneplate.engine.tasks.binary.task import BINARY
from tuneplate.engine.tasks.ranking.task import RANKING
from tuneplate.engine.tasks.task import Task

TASKS: dict[str, Task] = {"binary": BINARY, "ranking": RANKING}


def task_for(vertical) -> Task:
    """The task of `vertical` (its `task` field names it)."""
    try:
        return TASKS[vertical.task]
    except KeyError:
        raise TuneplateError(
            f"vertical {vertical.name!r} has task {vertical.task!r}; tuneplate runs: "
            f"{', '.join(TASKS)}"
        ) from None
