"""The `tuneplate` command. It parses arguments and calls the library; no logic of its own.

Every handler returns an exit code: 0 done, 2 bad input (one line naming the
problem and the fix, never a traceback), 130 interrupted. The handlers live in
`tuneplate.run_command` (`run`) and `tuneplate.commands` (the others but `verticals`,
here), imported when their command runs: the parser needs only the registries' names,
so `--help`, a mistyped flag and the verticals' list do not wait for scikit-learn, SciPy
or the report layer.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import sys
import warnings

from tuneplate.engine.contract.errors import TuneplateError
from tuneplate.engine.contract.schema import SchemaWarning
from tuneplate.engine.data.checks import ChecksFailed
from tuneplate.engine.families.registry import FAMILIES
from tuneplate.engine.metrics import METRICS
from tuneplate.engine.search.strategies import DEFAULT_STRATEGIES, DESCRIPTIONS
from tuneplate.engine.search.study import PRUNERS
from tuneplate.engine.tasks.binary.sizing import PRUNE_ROWS
from tuneplate.verticals import available, discover

# Looked up here at call time by the commands (`_cli().execute`), so a test's patch of
# `tuneplate.cli.execute` reaches them; imported at first use (PEP 562).
_LAZY = {"execute": "tuneplate.engine.tune", "compare": "tuneplate.engine.compare"}


def __getattr__(name: str):
    if name not in _LAZY:
        raise AttributeError(f"module 'tuneplate.cli' has no attribute {name!r}")
    return getattr(importlib.import_module(_LAZY[name]), name)


def _columns(text: str) -> tuple[str, ...]:
    return tuple(c.strip() for c in text.split(",") if c.strip())


def _assumption(text: str) -> tuple[str, object]:
    """`KEY=VALUE`: a number when VALUE reads as one, else text. Ranges and known keys
    are the vertical's `validate` (called by `plan`), so Python callers get them too."""
    key, sep, value = text.partition("=")
    if not sep or not key.strip() or not value.strip():
        raise argparse.ArgumentTypeError(f"expected KEY=VALUE, got {text!r}")
    try:
        return key.strip(), float(value)
    except ValueError:
        return key.strip(), value.strip()


def _monotone(text: str) -> dict | str:
    from tuneplate.engine.monotone import parse

    try:
        return parse(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _whole_number(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None


def _finite_number(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if value != value or value in (float("inf"), float("-inf")):
        raise argparse.ArgumentTypeError(f"expected a finite number, got {text!r}")
    return value


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line naming the fix, like every other refusal."""

    def error(self, message: str):
        print(f"tuneplate: error: {message}; see '{self.prog} --help'", file=sys.stderr)
        sys.exit(2)


def _add_data_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("vertical", help="which vertical: see 'tuneplate verticals'")
    p.add_argument("--data", help="a CSV or Parquet table (default: the embedded example)")
    p.add_argument("--target", help="the outcome column")
    p.add_argument("--positive", help="the target value that is the event (e.g. bad)")
    p.add_argument("--time", help="a date column: train on earlier rows, test on later ones")
    p.add_argument("--group", help="an id column whose rows stay on one side of every split")
    p.add_argument("--protected", type=_columns, help="comma-separated protected attributes")
    p.add_argument("--exclude", type=_columns, default=(), help="comma-separated columns to drop")
    p.add_argument(
        "--subgroups", type=_columns, default=(), help="comma-separated columns reported by group"
    )
    log = p.add_argument_group("interaction logs (ranking verticals)")
    log.add_argument("--user", help="the user/customer column (default: user, customer_id, …)")
    log.add_argument("--item", help="the item/product column (default: item, product_id, …)")
    log.add_argument("--value", help="a rating, quantity or price column")
    log.add_argument(
        "--min-value",
        type=_finite_number,
        help="with --value: only events with value >= this count",
    )
    log.add_argument("--items", help="an item attributes table (category, price) by item id")
    log.add_argument(
        "--split",
        help="time (default: train on the past, test on the last period) or last-n "
        "(each user's last events held out)",
    )


JOBS_HELP = (
    "trials run at once in this process (default 1); on tables of 50,000 rows or more "
    "each fit gets the cores divided by this; above 1 a replay is no longer exact"
)


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="tuneplate", description="Domain-focused hyperparameter tuning for business models."
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    sub.add_parser("verticals", help="list the available verticals")

    run = sub.add_parser("run", help="check the data, tune a model and write the report")
    _add_data_args(run)
    run.add_argument("--model", help=f"model family: {', '.join(FAMILIES)}")
    run.add_argument("--strategy", help=f"search strategy: {', '.join(DESCRIPTIONS)}")
    run.add_argument(
        "--metric", help=f"score to optimise: {', '.join(METRICS)} (default: the vertical's)"
    )
    run.add_argument("--trials", type=_whole_number, help="number of trials (the budget)")
    run.add_argument("--timeout", type=_finite_number, help="wall-clock budget in seconds")
    run.add_argument(
        "--calibrate",
        help="none (default), platt or isotonic: recalibrate the chosen model's probabilities "
        "on its out-of-fold development predictions (binary verticals)",
    )
    run.add_argument(
        "--monotone",
        type=_monotone,
        metavar="COL=+1,COL=-1",
        help="numeric columns the event's probability may only rise (+1) or fall (-1) with: "
        "exact for lightgbm and xgboost; logistic refuses a coefficient of the wrong sign. "
        "'auto' (credit-risk; 'auto,COL=-1' to give some yourself) proposes them from the "
        "development rows' rank correlation with the outcome: confirm them in the report",
    )
    run.add_argument(
        "--blend",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="after the search, keep the baseline, the tuned model or their blend, whichever "
        "leads on fresh folds (binary verticals; the default); --no-blend keeps the one-SE "
        "rule on the search's folds and never blends (--resume may switch either way)",
    )
    run.add_argument("--seed", type=_whole_number, help="random seed (default 0)")
    run.add_argument("--jobs", type=_whole_number, help=JOBS_HELP)
    run.add_argument(
        "--pruner",
        help=f"{', '.join(PRUNERS)} (default: median from {PRUNE_ROWS:,} rows, else none)",
    )
    run.add_argument(
        "--storage", help="journal (default: a file in the run folder), memory, or a database URL"
    )
    run.add_argument("--study", help="the study's name in the storage (default: VERTICAL-FAMILY)")
    run.add_argument(
        "--assume",
        type=_assumption,
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="a business assumption, e.g. --assume loss_given_default=0.6",
    )
    run.add_argument("--out", help="run folder (default: tuneplate-runs/VERTICAL-DATE-TIME)")
    run.add_argument("--resume", action="store_true", help="continue the study in --out")
    run.add_argument("--force", action="store_true", help="replace an earlier run in --out")
    run.add_argument("--config", help="replay an earlier run: its folder or its config.json")
    run.add_argument("--purpose", help="what the model is for, in your words (shown in the report)")
    run.add_argument("--compare-to", help="an earlier run folder to compare with in the report")
    run.add_argument(
        "--warm-start",
        metavar="RUN_DIR",
        help="an earlier run folder: its best trials that fit this search are tried first",
    )
    run.add_argument(
        "--allow-new-data",
        action="store_true",
        help="with --config: run even though the data changed (the report says so)",
    )
    _add_vertical_options(run)

    cmp = sub.add_parser(
        "compare", help="run several search strategies on the same data and budget; one report"
    )
    _add_data_args(cmp)
    cmp.add_argument(
        "--strategies",
        type=_columns,
        default=None,
        help=f"comma-separated, from: {', '.join(DESCRIPTIONS)} "
        f"(default: {','.join(DEFAULT_STRATEGIES)}, less those the vertical cannot run)",
    )
    cmp.add_argument(
        "--budget",
        type=_finite_number,
        required=True,
        help="seconds of search per strategy and seed",
    )
    cmp.add_argument(
        "--seeds", type=_whole_number, default=1, help="splits to repeat it on (default 1)"
    )
    cmp.add_argument("--seed", type=_whole_number, help="the first seed (default 0)")
    cmp.add_argument("--metric", help=f"score: {', '.join(METRICS)} (default: the vertical's)")
    cmp.add_argument("--out", help="folder (default: tuneplate-runs/compare-VERTICAL-DATE-TIME)")
    cmp.add_argument("--force", action="store_true", help="replace an earlier comparison in --out")

    chk = sub.add_parser("check", help="run only the data checks and print the findings")
    _add_data_args(chk)

    rep = sub.add_parser("report", help="re-render report.html from a run folder or a database")
    rep.add_argument("run_dir", help="a folder written by 'tuneplate run' (or to write into)")
    rep.add_argument("--storage", help="render from this study database instead (needs --study)")
    rep.add_argument("--study", help="the study's name in --storage")

    wrk = sub.add_parser("worker", help="join a study on a shared database and run trials")
    wrk.add_argument("--storage", required=True, help="the study database URL")
    wrk.add_argument("--study", required=True, help="the study's name")
    wrk.add_argument("--data", help="the table, if its path differs on this machine")
    wrk.add_argument("--jobs", type=_whole_number, help=JOBS_HELP)

    val = sub.add_parser(
        "validate", help="score new rows with a run's frozen model and say if it still holds"
    )
    val.add_argument("run_dir", help="a binary run folder written by 'tuneplate run'")
    val.add_argument("--data", required=True, help="the new rows: a CSV or Parquet table")
    val.add_argument(
        "--target", help="the outcome column (default: the run's, when the rows have it)"
    )
    val.add_argument(
        "--positive", help="the target value that is the run's event in these rows (e.g. 1)"
    )
    val.add_argument("--time", help="a date column: the figures per month or quarter")
    val.add_argument(
        "--group",
        help="the column of the patient or customer rows repeat (default: the run's "
        "--group, when the rows have it): the AUROC, calibration and score intervals "
        "count them, not rows",
    )
    val.add_argument(
        "--model",
        choices=("recommended", "tuned"),
        default="recommended",
        help="the model the run's report recommends (default; the simple baseline's when "
        "the tuned one did not beat it) or the tuned one, which 'tuneplate export' ships",
    )
    val.add_argument("--out", help="folder (default: tuneplate-runs/validate-RUN-DATE-TIME)")
    val.add_argument("--force", action="store_true", help="replace an earlier validation in --out")

    why = sub.add_parser(
        "explain", help="each row's probability, decision and the reasons that raised its risk"
    )
    why.add_argument("run_dir", help="a binary run folder written by 'tuneplate run'")
    why.add_argument("--data", required=True, help="the rows: a CSV or Parquet table")
    why.add_argument(
        "--out", required=True, help="the CSV to write (outside the run folder), e.g. reasons.csv"
    )
    why.add_argument("--top", type=_whole_number, default=4, help="reasons per row (default 4)")
    why.add_argument("--overwrite", action="store_true", help="replace an existing --out")
    why.add_argument(
        "--id",
        action="append",
        default=[],
        metavar="COLUMN",
        help="a column of the rows to copy into the output first (e.g. the application "
        "id), to join the reasons back; repeat for several",
    )
    why.add_argument(
        "--model",
        choices=("recommended", "tuned"),
        default="recommended",
        help="the model the run's report recommends (default) or the tuned one, which "
        "'tuneplate export' ships (its score.py --reasons gives the same reasons)",
    )

    exp = sub.add_parser("export", help="turn a finished run into a standalone project")
    exp.add_argument("run_dir", help="a folder written by 'tuneplate run'")
    exp.add_argument("--to", required=True, help="the new project folder")

    new = sub.add_parser("new-vertical", help="start a new vertical from the five-file template")
    new.add_argument("name", help="e.g. churn-risk (becomes the package churn_risk)")
    new.add_argument("--task", default="binary", help="binary (default) or ranking")
    new.add_argument("--dir", default=".", help="where to create the project folder")
    return parser


def _add_vertical_options(parser: argparse.ArgumentParser) -> None:
    """Each vertical's own options, in a help group per vertical, stored as assumptions."""
    seen = {}
    for vertical in available().values():
        group = None
        for option in vertical.options:
            if option.flag in seen:
                continue  # two verticals sharing an option share one flag
            group = group or parser.add_argument_group(f"{vertical.name} options")
            dest = "opt_" + option.key
            group.add_argument(
                option.flag, dest=dest, type=option.type, help=option.help, metavar="VALUE"
            )
            seen[option.flag] = dest


def cmd_verticals(args) -> int:
    """The installed verticals, one line each; here, not in `commands`, because the
    parser has loaded them already and listing them needs nothing else."""
    listing = discover()
    for name, vertical in sorted(listing.verticals.items()):
        print(f"{name:<16} {vertical.summary}  [{listing.sources[name]}]")
    for name, reason in sorted(listing.broken.items()):
        print(f"{name:<16} could not be loaded ({reason}); the others work", file=sys.stderr)
    return 0


# Each command's handler, as "module:function" under `tuneplate`, imported when it runs.
COMMANDS = {
    "verticals": "cli:cmd_verticals",
    "run": "run_command:cmd_run",
    "check": "commands:cmd_check",
    "compare": "commands:cmd_compare",
    "report": "commands:cmd_report",
    "new-vertical": "commands:cmd_new_vertical",
    "export": "commands:cmd_export",
    "worker": "commands:cmd_worker",
    "validate": "commands:cmd_validate",
    "explain": "commands:cmd_explain",
}


def _handler(command: str):
    module, function = COMMANDS[command].split(":")
    return getattr(importlib.import_module(f"tuneplate.{module}"), function)


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `tuneplate` console script.

    Example:
        >>> main(["run", "credit-risk", "--trials", "5"])
        0
    """
    args = _parser().parse_args(argv)
    try:
        with _schema_warnings_as_lines():
            return _handler(args.command)(args)
    except ChecksFailed as exc:
        print(f"tuneplate: {exc}", file=sys.stderr)
        return 2
    except TuneplateError as exc:
        # A ConfigError or AssumptionError is worded for Python callers ("fix seed=");
        # here, name the flag ("fix --seed").
        shown = exc.for_flags() if hasattr(exc, "for_flags") else str(exc)
        print(f"tuneplate: error: {shown}", file=sys.stderr)
        return 2
    except OSError as exc:  # the last resort: a path the checks above could not foresee
        print(f"tuneplate: error: {_os_error(exc)}", file=sys.stderr)
        return 2


@contextlib.contextmanager
def _schema_warnings_as_lines():
    """Rows that do not fit the model's schema, said once each as one line on stderr.

    Python prints a warning with its source file and line, once per place that raised
    it: scoring and explaining the same rows said the same thing twice, with paths.
    """
    seen: set[str] = set()
    previous = warnings.showwarning

    def show(message, category, filename, lineno, file=None, line=None):
        if not issubclass(category, SchemaWarning):
            return previous(message, category, filename, lineno, file, line)
        if str(message) not in seen:
            seen.add(str(message))
            print(f"tuneplate: warning: {message}", file=sys.stderr)

    with warnings.catch_warnings():  # restores the filters and showwarning after
        warnings.simplefilter("always", SchemaWarning)  # `seen` says each text once
        warnings.showwarning = show
        yield


def _os_error(exc: OSError) -> str:
    """One line for a file-system refusal: what, where, and what to do."""
    where = " -> ".join(repr(str(f)) for f in (exc.filename, exc.filename2) if f is not None)
    reason = exc.strerror or type(exc).__name__
    return (
        f"cannot use {where or 'a file'}: {reason}; check that the path exists, is a folder "
        "where one is expected, and is writable, or choose another path"
    )


if __name__ == "__main__":
    sys.exit(main())
