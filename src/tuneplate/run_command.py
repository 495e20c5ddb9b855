"""`tuneplate run`: claim the run folder, resume or replay, run the search, write the
results and report, and say what happened; on Ctrl-C or an error, keep or take back
what the run wrote (`_interrupted`, `_after_failure`).

`cmd_run(args)` returns 0 done, 130 interrupted; bad input raises `TuneplateError`,
which `tuneplate.cli.main` prints as one line with exit code 2.

Example:
    >>> from tuneplate.cli import main
    >>> main(["run", "credit-risk", "--trials", "5"])
    0
"""

from __future__ import annotations

import json
import sys
from datetime import datetime
from pathlib import Path

import optuna

from tuneplate.commands import CONFIG_FILE, REPORT_FILE, _cli, _config, _read_config
from tuneplate.engine.contract.errors import TuneplateError
from tuneplate.engine.data.roles import read_table
from tuneplate.engine.families.models import MODEL_FILES
from tuneplate.engine.results import BASELINE_DIR, RESULTS_FILE, SPLIT_FILE, Results
from tuneplate.engine.runs import resume, run_folder
from tuneplate.engine.runs.run_folder import LOCK_FILE, RunFolder
from tuneplate.engine.runs.writable import require_creatable
from tuneplate.engine.search.study import JOURNAL_FILE, make_storage, mask
from tuneplate.engine.tune import plan
from tuneplate.reports import SUMMARY_FILE, save_summary
from tuneplate.verticals import load_vertical

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
    BASELINE_DIR,  # the recommended simple model, when the report recommends it
    *MODEL_FILES.values(),
)


def _option_assumptions(args, vertical) -> dict:
    """The vertical options given on the command line; another vertical's are refused."""
    given = {k[4:]: v for k, v in vars(args).items() if k.startswith("opt_") and v is not None}
    own = {o.key for o in vertical.options}
    foreign = sorted(set(given) - own)
    if foreign:
        flags = ", ".join("--" + k.replace("_", "-") for k in foreign)
        raise TuneplateError(f"{flags} does not apply to {vertical.name}; leave it out")
    return given


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
        results = _cli().execute(ready, run_dir=work_dir, progress=True, record=record)
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
        f"{vertical.title}: {results.model_words}, {results.strategy} search, "
        f"{c['completed']} trials completed ({c['pruned']} pruned, {c['failed']} failed)"
    )
    reasons = results.trials.get("fail_reason")
    if c["failed"] and reasons is not None and reasons.notna().any():
        common = reasons.dropna().value_counts()
        print(f"most common failure ({common.iloc[0]} of {c['failed']}): {common.index[0]}")
    from tuneplate.reports.formatters import tuning_score
    from tuneplate.reports.verdict import difference_text, verdict  # loaded by now anyway

    interval = results.holdout_interval
    print(
        f"{results.metric.label}: {tuning_score(results.data).adjective} {results.validation:.3f}, "
        f"hold-out {results.holdout:.3f}"
        + (f" (95% interval {interval[0]:.3f}–{interval[1]:.3f})" if interval else "")
    )
    decided = verdict(results)
    base, compared = results.baseline, difference_text(results)
    own = base.holdout_interval  # the recommended baseline's score, with its interval too
    held = f"{base.holdout:.3f}" + (f" (95% interval {own[0]:.3f}–{own[1]:.3f})" if own else "")
    if decided.recommended == "baseline" and base.family == results.model_family:
        # the search's best is the baseline's own family: settings against its defaults
        print(
            f"recommended: the {base.label} at its default settings, hold-out "
            f"{held}; the tuned settings of the same model "
            f"{_not_beaten(base, plural=True)} ({compared}); the report's figures are for it"
        )
    elif decided.recommended == "baseline":  # the first screen's sentence, for the terminal
        print(
            f"recommended: the simple {base.label}, hold-out {held}; the tuned "
            f"model {_not_beaten(base, plural=False)} ({compared}); the report's figures are for it"
        )
    elif base.decision == "kept":
        print(
            f"kept the default settings of the simple {base.label}: no trial beat them by "
            "more than one standard error on the validation folds"
        )
    elif compared and base.decision == "better":
        print(f"the tuned model beats the simple {base.label} ({compared})")
    elif base.unavailable:  # its fit broke the monotone constraints: say so, not nothing
        print(f"no comparison with the simple {base.label}: {base.unavailable}")
    if decided.suspicious:  # never let a too-good figure pass as a success
        print(
            "warning: the hold-out score is suspiciously good (leakage, repeated entities "
            "or a post-outcome column?); read the report's first section before using it"
        )
    print(f"report: {run_dir / REPORT_FILE}")
    return 0


def _not_beaten(base, plural: bool) -> str:
    """Why the baseline is recommended, as a verb phrase: "do not beat them beyond noise"
    (`plural`: the tuned settings), "is not shown to beat it" (no interval) or "does
    worse than it beyond noise" (the whole interval on the baseline's side), as the
    report's first screen says it."""
    if base.decision == "unjudged":  # no interval: nothing shows the tuned model better
        return "are not shown to beat them" if plural else "is not shown to beat it"
    if base.decision == "worse":  # "does not beat it" understated a clear loss
        return "do worse than them beyond noise" if plural else "does worse than it beyond noise"
    return "do not beat them beyond noise" if plural else "does not beat it beyond noise"


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
        return TuneplateError(f"{_cli()._os_error(error)}; {keep}")
    print(f"tuneplate: {keep}", file=sys.stderr)
    return error
