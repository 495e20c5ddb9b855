"""The `tuneplate` command. It parses arguments and calls the library; no logic of its own.

Every handler returns an exit code: 0 done, 2 bad input (one line naming the
problem and the fix, never a traceback), 130 interrupted.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import replace
from datetime import datetime
from pathlib import Path

import optuna

from tuneplate.engine.compare import COMPARE_FILE, DEFAULT_STRATEGIES, check_request, compare
from tuneplate.engine.config_fields import MAX_SEED, config_values
from tuneplate.engine.contract.errors import TuneplateError
from tuneplate.engine.data.checks import errors
from tuneplate.engine.data.roles import read_table
from tuneplate.engine.families.models import FAMILIES, MODEL_FILES
from tuneplate.engine.metrics import METRICS
from tuneplate.engine.results import RESULTS_FILE, SPLIT_FILE, Results
from tuneplate.engine.runs import resume, run_folder
from tuneplate.engine.runs.run_folder import LOCK_FILE, RunFolder
from tuneplate.engine.runs.writable import require_creatable
from tuneplate.engine.search.strategies import DESCRIPTIONS
from tuneplate.engine.search.study import JOURNAL_FILE, PRUNERS, RECORD, make_storage, mask
from tuneplate.engine.tune import ChecksFailed, Config, check, execute, plan, work
from tuneplate.export import export_run
from tuneplate.reports import SUMMARY_FILE, save_summary
from tuneplate.scaffold import new_vertical
from tuneplate.verticals import available, discover, load_vertical

CONFIG_FILE = "config.json"
REPORT_FILE = "report.html"
COMPARE_REPORT = "compare.html"
# What a run writes; --force removes exactly these and nothing else the user keeps there.
RUN_FILES = (
    RESULTS_FILE,
    REPORT_FILE,
    SUMMARY_FILE,  # report.json: what the report concludes, written by the report layer
    CONFIG_FILE,
    JOURNAL_FILE,
    JOURNAL_FILE + ".lock",  # Optuna's lock for one append, left behind by a killed run
    LOCK_FILE,
    "model.json",
    SPLIT_FILE,
    *MODEL_FILES.values(),
)


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
    run.add_argument("--seed", type=_whole_number, help="random seed (default 0)")
    run.add_argument("--jobs", type=_whole_number, help=JOBS_HELP)
    run.add_argument(
        "--pruner",
        help=f"{', '.join(PRUNERS)} (default: median from 100,000 rows, else none)",
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


def _option_assumptions(args, vertical) -> dict:
    """The vertical options given on the command line; another vertical's are refused."""
    given = {k[4:]: v for k, v in vars(args).items() if k.startswith("opt_") and v is not None}
    own = {o.key for o in vertical.options}
    foreign = sorted(set(given) - own)
    if foreign:
        flags = ", ".join("--" + k.replace("_", "-") for k in foreign)
        raise TuneplateError(f"{flags} does not apply to {vertical.name}; leave it out")
    return given


def cmd_verticals(args) -> int:
    listing = discover()
    for name, vertical in sorted(listing.verticals.items()):
        print(f"{name:<16} {vertical.summary}  [{listing.sources[name]}]")
    for name, reason in sorted(listing.broken.items()):
        print(f"{name:<16} could not be loaded ({reason}); the others work", file=sys.stderr)
    return 0


def _load_data(args):
    return None if args.data is None else read_table(args.data)


def _config(args, base: Config | None = None) -> Config:
    """The run's config: a replayed or resumed one, overridden by what was typed."""
    if args.items and not Path(args.items).is_file():
        raise TuneplateError(
            f"items table {args.items!r} is not a file; check the path given to --items"
        )
    given = {
        "target": args.target,
        "positive": args.positive,
        "time": args.time,
        "group": args.group,
        "protected": args.protected,
        "exclude": args.exclude or None,
        "subgroups": args.subgroups or None,
        "user": args.user,
        "item": args.item,
        "value": args.value,
        "min_value": args.min_value,
        "items": args.items and str(Path(args.items).resolve()),
        "split": args.split,
    }
    for name, key in (
        ("model", "model"),
        ("metric", "metric"),
        ("strategy", "strategy"),
        ("trials", "n_trials"),
        ("timeout", "timeout"),
        ("seed", "seed"),
        ("jobs", "jobs"),
        ("pruner", "pruner"),
        ("storage", "storage"),
        ("study", "study"),
        ("purpose", "purpose"),
        ("warm_start", "warm_start"),
    ):
        given[key] = getattr(args, name, None)
    config = (base or Config.flat(storage="journal")).replace(
        **{k: v for k, v in given.items() if v is not None}
    )
    assumptions = {**config.business.assumptions, **dict(getattr(args, "assume", []))}
    return config.replace(assumptions=assumptions)


def _run_dir(args) -> Path:
    if args.out:
        return Path(args.out)
    stamp = datetime.now().strftime("%Y-%m-%d-%H%M%S")
    return Path("tuneplate-runs") / f"{args.vertical}-{stamp}"


def _check_run_dir(run_dir: Path, resume: bool, force: bool) -> None:
    """Refuse a folder we may not write to; changes nothing."""
    run_folder.refuse_if_in_use(run_dir)
    if resume:
        if not (run_dir / CONFIG_FILE).is_file():
            raise TuneplateError(
                f"nothing to resume in {str(run_dir)!r} (no {CONFIG_FILE}); "
                "give the --out folder of the run to continue"
            )
        return
    if run_dir.exists() and not run_dir.is_dir():
        raise TuneplateError(f"{str(run_dir)!r} is a file; give a folder name with --out")
    if run_dir.is_dir() and any(run_dir.iterdir()) and not force:
        raise TuneplateError(
            f"run folder {str(run_dir)!r} already exists and is not empty; "
            "choose another --out, continue it with --resume, or replace it with --force"
        )


def _claim_run_dir(run_dir: Path, force: bool) -> RunFolder:
    """Lock the folder for this run (one live process per run folder). With --force the
    new run is written beside it and swapped in only when it has finished, so a crash or
    Ctrl-C leaves the previous run whole; the swap replaces our own files (RUN_FILES) only,
    anything else the user keeps there stays."""
    return run_folder.claim(run_dir, replace=force, own=RUN_FILES)


def _settings(ready) -> dict:
    """The run's resolved settings (defaults filled in), saved in config.json; --resume
    compares every one of them (`engine.resume`)."""
    return resume.resolved_settings(ready)


def _check_resume(saved: dict, ready, args) -> None:
    """Refuse a --resume that would change what a trial means (before the search starts).

    Every setting but the budget, jobs, purpose, storage password and business
    assumptions is compared (`engine.resume`); changed assumptions are said in one line.

    Example: "--resume: --exclude leaky_col differs from the run's none; … resume
    without --exclude, or start a new run with --out".
    """
    expected = saved.get("fingerprint")
    if expected and ready.fingerprint != expected:
        what = (
            f"--data {args.data}"
            if args.data
            else f"the data file {saved.get('data') or '(the embedded example)'}, changed since,"
        )
        raise TuneplateError(
            f"--resume: {what} differs from the run's data (fingerprint {ready.fingerprint}, "
            f"the run's {expected}); resume on the run's data, or start a new run with --out"
        )
    found = resume.changes(saved, _settings(ready), ready.config)
    if found:
        options = {o.key: o.flag for o in ready.vertical.options}
        typed = {}
        for change in found:
            value = getattr(args, change.key, None)
            if change.key in options:
                value = getattr(args, "opt_" + change.key, None)
            if value not in (None, (), [], ""):
                typed[change.key] = value
        raise TuneplateError(resume.message(found, typed, options))
    before = (saved.get("config") or {}).get("assumptions") or {}
    now = ready.config.business.assumptions
    changed = sorted(k for k in {*before, *now} if before.get(k) != now.get(k))
    if changed:
        detail = ", ".join(
            f"{k} {before.get(k, 'default')} -> {now.get(k, 'default')}" for k in changed
        )
        print(
            f"tuneplate: --resume with other assumptions ({detail}): they change the report's "
            "hold-out figures, not the trials",
            file=sys.stderr,
        )


def _read_config(path: Path) -> tuple[Config, dict]:
    if path.is_dir():
        path = path / CONFIG_FILE
    try:
        saved = json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        raise TuneplateError(
            f"cannot read config {str(path)!r} ({exc}); give a run's config.json"
        ) from None
    source = f"config {str(path)!r}"
    known = config_values(saved, source, Config.names())
    for key in ("vertical", "data", "fingerprint"):  # the record's own fields
        if not isinstance(saved.get(key), str | None):
            raise TuneplateError(
                f"{source}: field {key!r} must be text, got {saved[key]!r}; "
                "correct that field in the file"
            )
    if not isinstance(saved.get("settings"), dict | None):
        raise TuneplateError(
            f"{source}: field 'settings' must be an object, got {saved['settings']!r}; "
            "correct that field in the file"
        )
    return Config.from_settings(known), saved


def cmd_run(args) -> int:
    held: list[RunFolder] = []  # the locked run folder, released however the run ends
    try:
        return _run(args, held)
    finally:
        for folder in held:
            folder.close()


def _has_content(path: Path) -> bool:
    return path.is_file() and path.stat().st_size > 0


def _run(args, held: list[RunFolder]) -> int:
    run_dir = _run_dir(args)
    base, data_path, saved = None, args.data, {}
    if not args.resume:
        require_creatable(run_dir, "--out")  # a file parent, read-only, a name too long
    _check_run_dir(run_dir, args.resume, args.force)
    if args.resume:
        held.append(run_folder.open_existing(run_dir))  # refused if in use or read-only
        _say_cleaned(held[0])
        run_folder.check_journal(run_dir / JOURNAL_FILE, repair=True)
        base, saved = _read_config(run_dir / CONFIG_FILE)
        data_path = args.data or saved.get("data")
    elif args.config:
        base, saved = _read_config(Path(args.config))
        data_path = args.data or saved.get("data")
        base = base.replace(
            expect_fingerprint=saved.get("fingerprint"),
            allow_new_data=args.allow_new_data,
            storage=base.storage.storage if "://" in base.storage.storage else "journal",
        )
    vertical = load_vertical(args.vertical)
    if (args.resume or args.config) and saved.get("vertical") not in (None, vertical.name):
        raise TuneplateError(
            f"that run used the {saved['vertical']!r} vertical, not {vertical.name!r}; "
            f"run: tuneplate run {saved['vertical']} …"
        )
    config = _config(args, base)
    options = _option_assumptions(args, vertical)
    config = config.replace(assumptions={**config.business.assumptions, **options})
    if args.resume and config.storage.storage == "memory":
        raise TuneplateError("--resume needs a stored study; drop --storage memory")
    journal = run_dir / JOURNAL_FILE
    if args.resume and config.storage.storage == "journal" and not _has_content(journal):
        print(
            f"tuneplate: {journal} is missing or empty: no trial to continue; "
            "the search starts from the beginning",
            file=sys.stderr,
        )
    if "***" in config.storage.storage:
        raise TuneplateError(
            "the saved storage URL hides its password; give it again with --storage"
        )
    # Read now, so a bad folder is refused before the run; the model is not needed.
    previous = Results.load(args.compare_to, model=False) if args.compare_to else None
    data = None if data_path is None else read_table(data_path)
    ready = plan(vertical, data, config)  # every refusal happens before the folder is touched
    if args.resume:
        _check_resume(saved, ready, args)
    else:
        held.append(_claim_run_dir(run_dir, args.force))
        _say_cleaned(held[0])
    work_dir = held[0].work  # with --force, a sibling swapped in when the run has finished
    record = {
        "vertical": vertical.name,
        "data": data_path and str(Path(data_path).resolve()),
        "fingerprint": ready.fingerprint,
        "settings": _settings(ready),
        "config": {
            **config.to_dict(),  # flat, the same keys as ever: old runs still replay
            "storage": mask(config.storage.storage),  # a password never lands on disk
            "expect_fingerprint": None,
            "allow_new_data": False,
        },
    }
    try:
        (work_dir / CONFIG_FILE).write_text(json.dumps(record, indent=2) + "\n")
        results = execute(ready, run_dir=work_dir, progress=True, record=record)
        if previous is not None:
            results.previous = {
                "run": str(args.compare_to),
                "holdout": previous.holdout,
                "metric": previous.metric.name,
                "model_family": previous.model_family,
                "fingerprint": previous.data.get("fingerprint"),
            }
        results.save(work_dir)
        results.report(work_dir / REPORT_FILE)
        save_summary(results, work_dir)
        held[0].commit()  # --force: only now does the new run replace the previous one
    except KeyboardInterrupt:
        return _interrupted(held[0], ready, args, run_dir)
    except Exception as exc:
        if _during_interrupt(exc):  # Ctrl-C in Optuna's journal lock: its cleanup failed
            return _interrupted(held[0], ready, args, run_dir)
        error = _after_failure(held[0], ready, exc, args, run_dir)
        if error is exc:
            raise
        raise error from exc
    c = results.counts
    print(
        f"{vertical.title}: {results.model_family}, {results.strategy} search, "
        f"{c['completed']} trials completed ({c['pruned']} pruned, {c['failed']} failed)"
    )
    reasons = results.trials.get("fail_reason")
    if c["failed"] and reasons is not None and reasons.notna().any():
        common = reasons.dropna().value_counts()
        print(f"most common failure ({common.iloc[0]} of {c['failed']}): {common.index[0]}")
    interval = results.holdout_interval
    print(
        f"{results.metric.label}: cross-validated {results.validation:.3f}, "
        f"hold-out {results.holdout:.3f}"
        + (f" (95% interval {interval[0]:.3f}–{interval[1]:.3f})" if interval else "")
    )
    from tuneplate.reports.verdict import difference_text, verdict  # loaded by now anyway

    decided = verdict(results)
    base, compared = results.baseline, difference_text(results)
    if decided.recommended == "baseline":  # the first screen's sentence, for the terminal
        print(
            f"recommended: the simple {base.label}, hold-out {base.holdout:.3f}; the tuned "
            f"model does not beat it beyond noise ({compared}); the report's figures are for it"
        )
    elif compared and base.decision == "better":
        print(f"the tuned model beats the simple {base.label} ({compared})")
    if decided.suspicious:  # never let a too-good figure pass as a success
        print(
            "warning: the hold-out score is suspiciously good (leakage, repeated entities "
            "or a post-outcome column?); read the report's first section before using it"
        )
    print(f"report: {run_dir / REPORT_FILE}")
    return 0


def _say_cleaned(folder: RunFolder) -> None:
    if folder.cleaned:
        print(
            f"tuneplate: removed {len(folder.cleaned)} leftover folder(s) of --force runs on "
            f"{folder.target.name} that were killed: {', '.join(folder.cleaned)}",
            file=sys.stderr,
        )


def _completed_trials(ready, work_dir: Path, error: BaseException | None) -> int:
    """Completed trials of the run's study, or 0 when none can be reached (its storage
    never opened, or opens no more: then nothing is there to continue from here)."""
    from optuna.trial import TrialState

    from tuneplate.engine.search.study import NoTrialCompleted, StorageUnavailable
    from tuneplate.engine.tune import study_name

    storage = ready.config.storage.storage
    if isinstance(error, NoTrialCompleted | StorageUnavailable) or storage == "memory":
        return 0
    journal = work_dir / JOURNAL_FILE
    if storage == "journal" and not _has_content(journal):
        return 0
    try:
        if storage == "journal":  # read only: no repair, no orphaned trial failed
            from optuna.storages import JournalStorage
            from optuna.storages.journal import JournalFileBackend

            opened = JournalStorage(JournalFileBackend(str(journal)))
        else:
            opened = make_storage(storage, work_dir)
        study = optuna.load_study(study_name=study_name(ready), storage=opened)
        return len(study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,)))
    except Exception:  # noqa: BLE001 - the run's own error is the one to report
        return 0


def _take_back(folder: RunFolder, ready, error: BaseException | None = None) -> int:
    """After a new run failed or was interrupted: with no completed trial, remove what it
    created in a folder that was new or empty (`RunFolder.discard`), so the same command
    can be typed again. Returns the number of completed trials (then nothing is removed).
    A --force staging folder is discarded by `close` anyway, the previous run kept whole.
    """
    if folder.staged:
        return 0
    done = _completed_trials(ready, folder.work, error)
    if not done:
        folder.discard()
    return done


def _during_interrupt(error: BaseException) -> bool:
    """Whether `error` was raised while a Ctrl-C was being handled (its context chain)."""
    seen = error.__context__
    while seen is not None:
        if isinstance(seen, KeyboardInterrupt):
            return True
        seen = seen.__context__
    return False


def _interrupted(folder: RunFolder, ready, args, run_dir: Path) -> int:
    """Ctrl-C: say what is kept. A new run with no completed trial is taken back."""
    if not args.resume and not folder.staged and not _take_back(folder, ready):
        print(
            f"interrupted before any trial completed; nothing was kept in {run_dir}",
            file=sys.stderr,
        )
    elif folder.staged:
        print(
            f"interrupted; the previous run in {run_dir} is unchanged (the new one is discarded)",
            file=sys.stderr,
        )
    else:
        print(
            f"interrupted; the finished trials are kept. Continue with: tuneplate run "
            f"{ready.vertical.name} --out {run_dir} --resume",
            file=sys.stderr,
        )
    return 130


def _after_failure(folder: RunFolder, ready, error: Exception, args, run_dir: Path):
    """A new run ended with an error: take it back when no trial completed, else keep
    the completed trials and say how to continue. Returns the error to raise."""
    if args.resume:
        return error  # a resume keeps everything it found
    done = _take_back(folder, ready, error)
    if not done:
        return error
    keep = (
        f"{done} completed trial(s) are kept in {run_dir}; once fixed, continue with: "
        f"tuneplate run {ready.vertical.name} --out {run_dir} --resume"
    )
    if isinstance(error, TuneplateError):
        return TuneplateError(f"{error}; {keep}")
    if isinstance(error, OSError):
        return TuneplateError(f"{_os_error(error)}; {keep}")
    print(f"tuneplate: {keep}", file=sys.stderr)
    return error


def cmd_compare(args) -> int:
    from tuneplate.reports.compare import render_comparison  # matplotlib: only when needed

    chosen = list(args.strategies or DEFAULT_STRATEGIES)
    check_request(chosen, args.budget, args.seeds)  # refuse before any work
    last = (args.seed or 0) + args.seeds - 1  # seeds run seed, seed + 1, …
    if last > MAX_SEED:
        raise TuneplateError(
            f"--seed {args.seed} with --seeds {args.seeds} reaches seed {last}, above the "
            f"largest {MAX_SEED}; give a smaller --seed"
        )
    vertical = load_vertical(args.vertical)
    stamp = datetime.now().strftime("%Y-%m-%d-%H%M%S")
    out = Path(args.out or Path("tuneplate-runs") / f"compare-{args.vertical}-{stamp}")
    require_creatable(out, "--out")
    if out.exists() and not out.is_dir():
        raise TuneplateError(f"{str(out)!r} is a file; give a folder name with --out")
    if out.is_dir() and any(out.iterdir()) and not args.force:
        raise TuneplateError(
            f"folder {str(out)!r} already exists and is not empty; choose another --out, "
            "or replace the comparison with --force"
        )
    config = _config(args).replace(storage="memory")
    data = _load_data(args)

    def progress(run) -> None:
        got = f"hold-out {run.holdout:.3f} ({run.model_family})" if run.completed else "no result"
        print(
            f"  {run.strategy} (seed {run.seed}): {got}, {run.completed} trials completed",
            file=sys.stderr,
        )

    comparison = compare(
        vertical, data, config, args.strategies, args.budget, args.seeds, progress, live=True
    )
    out.mkdir(parents=True, exist_ok=True)
    (out / COMPARE_FILE).write_text(
        json.dumps(comparison.to_dict(), indent=2, allow_nan=False) + "\n"
    )
    report = out / COMPARE_REPORT
    report.write_text(render_comparison(comparison), encoding="utf-8")
    label = comparison.metric.label
    for s in comparison.summary:
        score = f"{s.holdout:.3f}" if s.completed else "none"
        print(
            f"{s.strategy:<15} hold-out {label} {score}  trials completed {s.completed:g}  "
            f"best after {s.time_to_best_s:.1f} s"
        )
    print(f"recommended: {comparison.recommended}. {comparison.reason}")
    size = report.stat().st_size / 1024
    print(f"report: {report} ({size:.0f} KB); every number: {out / COMPARE_FILE}")
    return 0


def cmd_check(args) -> int:
    vertical = load_vertical(args.vertical)
    findings = check(vertical, _load_data(args), _config(args))
    for finding in findings:
        print(finding.line())
    if not findings:
        print("no findings: the data passed every check")
    return 2 if errors(findings) else 0


def _joined_plan(storage: str, name: str, data_path: str | None = None, jobs: int | None = None):
    """The plan of an existing shared study, rebuilt from the record its first run stored."""
    try:
        study = optuna.load_study(study_name=name, storage=make_storage(storage, None))
    except KeyError:
        raise TuneplateError(
            f"no study {name!r} in {mask(storage)}; start it with 'tuneplate run VERTICAL "
            f"--storage URL --study {name}'"
        ) from None
    record = study.user_attrs.get(RECORD)
    if not record:
        raise TuneplateError(f"study {name!r} was not made by tuneplate; it holds no run record")
    saved = config_values(record, f"study {name!r}'s run record", Config.names())
    # The study's first run queued the warm-start trials; a worker has none to add.
    # Parallel trials are this machine's choice, not the study's: one unless asked.
    config = Config.from_settings(saved).replace(
        storage=storage, study=name, warm_start=None, jobs=jobs or 1
    )
    path = data_path or record.get("data")
    data = None if path is None else read_table(path)
    return plan(load_vertical(record["vertical"]), data, config), record


def cmd_worker(args) -> int:
    ready, _ = _joined_plan(args.storage, args.study, args.data, args.jobs)
    done = work(ready, progress=True)
    print(f"worker finished {done} trial(s) of study {args.study!r} in {mask(args.storage)}")
    return 0


def cmd_report(args) -> int:
    run_dir = Path(args.run_dir)
    if args.storage:
        if not args.study:
            raise TuneplateError("--storage needs --study NAME to know which study to render")
        ready, record = _joined_plan(args.storage, args.study)
        # Report only: a budget of one finished trial is already spent, so nothing runs.
        ready = replace(ready, n_trials=1, timeout=None)
        run_dir.mkdir(parents=True, exist_ok=True)
    # One live process per run folder: not while a run writes it (refused naming its pid).
    folder = run_folder.open_existing(run_dir, "report") if run_dir.is_dir() else None
    try:
        if args.storage:
            execute(ready, run_dir=run_dir, record=record).save(run_dir)
        results = Results.load(run_dir, model=False)
        path = results.report(run_dir / REPORT_FILE)
        save_summary(results, run_dir)
    finally:
        if folder is not None:
            folder.close()
    print(f"report: {path}")
    return 0


def cmd_new_vertical(args) -> int:
    root = new_vertical(args.name, args.dir, args.task)
    name = root.name
    print(f"created {root}/ with the five vertical files, a contract test and pyproject.toml")
    print(f"next: python -m pip install -e {root} && tuneplate run {name}")
    return 0


def cmd_export(args) -> int:
    require_creatable(args.to, "--to")  # a file in the way, read-only, a name too long
    to = export_run(args.run_dir, args.to)
    shown = ("train.py", "score.py", "model", "report.html", "README.md")
    wrote = [f"{n}/" if (to / n).is_dir() else n for n in shown if (to / n).exists()]
    print(f"exported to {to}/: {', '.join(wrote)}")
    if (to / "train.py").exists():
        print(f"next: cd {to} && python score.py --data NEW_ROWS.csv --out scores.csv")
    else:  # a ranking project: it reads an interaction log, writes top-k lists
        print(f"next: cd {to} && python score.py --data EVENTS.csv --out recommendations.csv")
    return 0


COMMANDS = {
    "verticals": cmd_verticals,
    "run": cmd_run,
    "check": cmd_check,
    "compare": cmd_compare,
    "report": cmd_report,
    "new-vertical": cmd_new_vertical,
    "export": cmd_export,
    "worker": cmd_worker,
}


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `tuneplate` console script.

    Example:
        >>> main(["run", "credit-risk", "--trials", "5"])
        0
    """
    args = _parser().parse_args(argv)
    try:
        return COMMANDS[args.command](args)
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
