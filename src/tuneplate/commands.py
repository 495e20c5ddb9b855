"""The `tuneplate` commands other than `run` and `verticals`: compare, check, worker,
report, validate, explain, export and new-vertical, plus the helpers `run` shares with
them (the config from the flags, a saved config.json read back).

Each `cmd_*` takes the parsed arguments and returns an exit code (0 done, 2 bad
input); a `TuneplateError` is turned into one line by `tuneplate.cli.main`.

Example:
    >>> from tuneplate.cli import main
    >>> main(["check", "credit-risk"])
    0
"""

from __future__ import annotations

import json
import sys
from dataclasses import replace
from datetime import datetime
from pathlib import Path

import optuna

from tuneplate.engine.compare import COMPARE_FILE, check_request
from tuneplate.engine.config_fields import MAX_SEED, config_values
from tuneplate.engine.contract.errors import TuneplateError
from tuneplate.engine.data.checks import errors
from tuneplate.engine.data.roles import read_table
from tuneplate.engine.results import Results
from tuneplate.engine.runs import run_folder
from tuneplate.engine.runs.writable import require_creatable
from tuneplate.engine.search.strategies import DEFAULT_STRATEGIES
from tuneplate.engine.search.study import RECORD, make_storage, mask
from tuneplate.engine.tune import Config, check, plan, work
from tuneplate.verticals import load_vertical

CONFIG_FILE = "config.json"
REPORT_FILE = "report.html"
COMPARE_REPORT = "compare.html"


def _cli():
    """`tuneplate.cli`, looked up at call time: `execute` and `compare` are used through
    it, so a test that patches `tuneplate.cli.execute` reaches the commands here too."""
    from tuneplate import cli

    return cli


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
        ("calibrate", "calibrate"),
        ("monotone", "monotone"),
        ("blend", "blend"),
    ):
        given[key] = getattr(args, name, None)
    config = (base or Config.flat(storage="journal")).replace(
        **{k: v for k, v in given.items() if v is not None}
    )
    assumptions = {**config.business.assumptions, **dict(getattr(args, "assume", []))}
    return config.replace(assumptions=assumptions)


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

    comparison = _cli().compare(
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
    if comparison.use_baseline:
        print(
            f"recommended: the simple {comparison.baseline_label}; no {comparison.recommended} "
            f"model beat it beyond noise. {comparison.reason}"
        )
    else:
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
    from tuneplate.reports import save_summary  # the report layer: only when one is made

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
            _cli().execute(ready, run_dir=run_dir, record=record).save(run_dir)
        results = Results.load(run_dir, model=False)
        path = results.report(run_dir / REPORT_FILE)
        save_summary(results, run_dir)
    finally:
        if folder is not None:
            folder.close()
    print(f"report: {path}")
    return 0


def cmd_new_vertical(args) -> int:
    from tuneplate.scaffold import new_vertical

    root = new_vertical(args.name, args.dir, args.task)
    name = root.name
    print(f"created {root}/ with the five vertical files, a contract test and pyproject.toml")
    print(f"next: python -m pip install -e {root} && tuneplate run {name}")
    return 0


def cmd_export(args) -> int:
    require_creatable(args.to, "--to")  # a file in the way, read-only, a name too long
    from tuneplate.export import export_run

    to = export_run(args.run_dir, args.to)
    shown = ("train.py", "score.py", "validate.py", "model", "report.html", "README.md")
    wrote = [f"{n}/" if (to / n).is_dir() else n for n in shown if (to / n).exists()]
    print(f"exported to {to}/: {', '.join(wrote)}")
    if (to / "train.py").exists():
        print(f"next: cd {to} && python score.py --data NEW_ROWS.csv --out scores.csv")
    else:  # a ranking project: it reads an interaction log, writes top-k lists
        print(f"next: cd {to} && python score.py --data EVENTS.csv --out recommendations.csv")
    results = Results.load(args.run_dir, model=False)
    base = results.baseline
    # The project holds the tuned model, so its reservations are the ones to repeat; the
    # report states the recommended model's, which are the baseline's when it is recommended.
    said = "the tuned model's evaluation says" if base.recommended else "the run's report says"
    for level, concern in results.headline.concerns:  # the vertical's own reservations,
        if level != "good":  # e.g. a ranker no better than its popularity list
            print(f"note: {said}: {concern}")
    if base.recommended:  # exporting the simple model itself is not built yet
        print(
            f"note: the run's report recommends its simple {base.label}; this project holds "
            "the tuned model (the simple one is saved in the run folder's baseline/, and "
            "'tuneplate validate' and 'tuneplate explain' use it; '--model tuned' gives "
            "this project's figures and reasons)"
        )
    return 0


def cmd_validate(args) -> int:
    """Score new rows with a run's frozen model; print the verdict and where the report is."""
    from tuneplate.validation import VALIDATION_REPORT, validate_run

    stamp = datetime.now().strftime("%Y-%m-%d-%H%M%S")
    name = Path(args.run_dir).resolve().name or "run"
    out = Path(args.out or Path("tuneplate-runs") / f"validate-{name}-{stamp}")
    v = validate_run(
        args.run_dir,
        args.data,
        args.target,
        args.time,
        out,
        args.force,
        positive=args.positive,
        model=args.model,
        group=args.group,
    )
    print(f"verdict: {v.verdict}")
    for reason in v.reasons:
        print(f"  {reason}")
    for note in v.notes:
        print(f"note: {note}")
    print(f"report: {out / VALIDATION_REPORT}; every number: {out / 'validation.json'}")
    return 0


def cmd_explain(args) -> int:
    """Write each row's probability, decision and reason codes from a run's frozen model."""
    from tuneplate.explaining import explain_run  # the model libraries: only when needed

    r = explain_run(
        args.run_dir, args.data, args.out, args.top, args.overwrite, args.model, tuple(args.id)
    )
    d = r.words
    side = ">=" if d.inclusive else ">"
    print(
        f"{d.title}: {args.out} ({len(r.table):,} rows: {r.risky:,} {d.risky} at {d.score} "
        f"{side} {r.threshold:.1%}, the run's operating point; up to {r.top} each)"
    )
    if r.note:  # the explain_run's own: it loaded the models, so it knows which was used
        print(f"note: {r.note}")
    return 0
