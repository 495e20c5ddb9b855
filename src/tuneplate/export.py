"""`tuneplate export`: a finished run as a small project a team can own.

The project holds the model in its library's own format, `train.py` and
`score.py` that redo the fit and the scoring with plain pandas and the model's
library, a pinned `pyproject.toml`, the report and a README. A blend (the mean of the
log-odds of the tuned model and the baseline, `engine/families/blend.py`) is exported as
its members: each member's file in a `blend/` folder, and the generated code reads, pools,
explains and refits them with each family's one piece of code, a single model being the
one-member case of the same code. It never imports
tuneplate: the reading contract (the `engine/contract/` package, self-contained on
purpose) is copied verbatim into its `contract/` package, so the
project reads and checks new rows with the very code the tuned model used.

A ranking run's project instead holds the ranker, `score.py` writing each user's
top-k list, and the candidate stage (`engine/tasks/ranking/`: interactions, windows,
candidates, metrics) copied verbatim beside the contract, so candidates and features are
built by the run's own code.
"""

from __future__ import annotations

import json
import math
import shutil
from importlib.resources import files
from pathlib import Path

from tuneplate.engine.contract.errors import TuneplateError, first_line
from tuneplate.engine.contract.reasons import TOP
from tuneplate.engine.contract.schema import Schema
from tuneplate.engine.families import blend
from tuneplate.engine.families.models import FAMILIES
from tuneplate.engine.results import RESULTS_FILE, SPLIT_FILE, Results
from tuneplate.engine.runs.writable import plain_name
from tuneplate.engine.tasks.ranking.candidates import PER_SOURCE
from tuneplate.engine.tasks.task import installed_version
from tuneplate.engine.triggers import restated_prevalence
from tuneplate.reports.formatters import tuning_score
from tuneplate.scaffold import code_environment

_env = code_environment("export")
# The families an export can hold, with the libraries their code needs: each has its
# `read_<family>` in model_io.py.jinja2 and its `fit_<family>` and `save_<family>` in
# train.py.jinja2, written once and used for a single model and a blend's member alike.
LIBRARIES = {
    "lightgbm": ["lightgbm"],
    "xgboost": ["xgboost"],
    "logistic": ["skops"],
    # train.py finds the bins with optbinning; score.py reads the JSON with NumPy only
    "scorecard": ["optbinning"],
}
CODE = {
    "model_io.py": "model_io.py.jinja2",
    "train.py": "train.py.jinja2",
    "score.py": "score.py.jinja2",
    "validate.py": "validate.py.jinja2",
    "tests/test_smoke.py": "test_smoke.py.jinja2",
    "pyproject.toml": "pyproject.toml.jinja2",
    "README.md": "README.md.jinja2",
}
# Copied verbatim from tuneplate.engine.contract into the project's `contract/` package; they
# import only each other (relatively), the standard library, numpy and pandas.
# The whole `engine/contract/` package (self-contained on purpose), so a module added to
# it can never be left out of an exported project.
CONTRACT = tuple(
    sorted(
        f.name
        for f in files("tuneplate.engine.contract").iterdir()
        if f.name.endswith(".py") and f.name != "__init__.py"
    )
)
CONTRACT_INIT = (
    '"""tuneplate\'s reading contract, copied verbatim by `tuneplate export`; do not edit.\n\n'
    "How a file is read (reader.py, with sniff.py, csv_numbers.py and dates.py) and what each\n"
    "column is (schema.py, with kinds.py, bounds.py, numbers.py and notes.py): the code the\n"
    "tuned model used, so new rows are read and checked exactly as the training rows were;\n"
    "and how new rows are compared with the development hold-out (profile.py, off_range.py,\n"
    "intervals.py, monitoring.py); how a row's reasons are chosen and worded (reasons.py); a\n"
    "scorecard's bins, how they are found (binning.py) and applied (scorecard.py).\n"
    '"""\n'
)

# A ranking run's project: score.py and the ranker loader, and the engine modules its
# candidate stage needs, copied verbatim into `recommender/` at their engine paths.
RANKING_CODE = {
    "ranker.py": "ranking_ranker.py.jinja2",
    "score.py": "ranking_score.py.jinja2",
    "tests/test_smoke.py": "ranking_test_smoke.py.jinja2",
    "pyproject.toml": "ranking_pyproject.toml.jinja2",
    "README.md": "ranking_README.md.jinja2",
}
RANKING_PACKAGES = {
    "": (),
    "contract": CONTRACT,
    "tasks": (),
    "tasks.ranking": (
        "interactions.py",
        "windows.py",
        "item_models.py",
        "candidates.py",
        "metrics.py",
    ),
}
RANKING_INIT = (
    '"""tuneplate\'s code, copied verbatim by `tuneplate export` at its engine paths; '
    'do not edit."""\n'
)
RANKING_BASE = ("numpy", "pandas", "scipy", "scikit-learn")  # the candidate stage's imports
RANKING_ROLES = ("user", "item", "time", "value", "min_value", "event", "price")
RANKER_LABELS = {"lightgbm": "LightGBM lambdarank", "xgboost": "XGBoost rank:ndcg"}
SOURCE_LABELS = {"ease": "EASE", "item_knn": "item-kNN"}  # the model candidate sources
ITEM_FEATURES = {"category_affinity", "price", "price_ratio"}  # need the item table


# `score.py --reasons`: the families whose exported model_io.py computes per-row
# contributions with the model's own library (a family added here needs its `read_<family>`
# contributions in model_io.py.jinja2, and its aggregates, if any, in `_reasons`).
EXPLAINED = ("lightgbm", "xgboost", "logistic", "scorecard")
REASONS_FILE = "reasons.json"  # in the project's model/: what score.py --reasons needs
# in model/ when the run stated a prevalence: the sample's event rate and the stated one
PREVALENCE_FILE = "prevalence.json"


def _members(run_dir: Path, meta: dict) -> list[dict]:
    """[{"family", "file", "weight"}]: the model itself (weight 1), or each member of a
    blend as its `blend.json` names it (its file inside the run's `blend/` folder).

    Raises:
        TuneplateError: a model file outside the run folder, an unknown family, or a blend
            folder not written by tuneplate (one line each).
    """
    family, file = meta["family"], meta["file"]
    if not plain_name(file):
        raise TuneplateError(
            f"{run_dir / 'model.json'} names a model file outside its folder ({file!r}); "
            "it was not written by tuneplate"
        )
    if family == blend.NAME:
        if not (run_dir / file / blend.INDEX).is_file():
            raise TuneplateError(
                f"{str(run_dir)!r} keeps a blend but {file}/{blend.INDEX} is missing; "
                "run it again (replay its config.json) and export that run"
            )
        _loadable(run_dir, lambda: blend.load(run_dir / file))  # refuses a foreign blend.json
        index = json.loads((run_dir / file / blend.INDEX).read_text())["members"]
        named = [m["family"] for m in index]
        tuned = [m.get("family") for m in meta["params"].get("members", ())]
        if named != tuned:  # each member's settings would go to another (train.py, README)
            raise TuneplateError(
                f"{run_dir / file / blend.INDEX} names members {named} but model.json's "
                f"parameters are for {tuned}; it was not written by tuneplate: run it again "
                "(replay its config.json) and export that run"
            )
        return [{"family": m["family"], "file": m["file"], "weight": m["weight"]} for m in index]
    if family not in FAMILIES:
        raise TuneplateError(
            f"{run_dir / 'model.json'} names an unknown model family {family!r}; "
            "it was not written by this tuneplate"
        )
    _loadable(run_dir, lambda: FAMILIES[family].load(run_dir / file))
    return [{"family": family, "file": file, "weight": 1.0}]


def _loadable(run_dir: Path, load) -> None:
    """Run `load()`, the run's model read back; a missing or damaged file is refused in one
    line, as `Results.load` refuses it for explain and validate, before anything is written."""
    try:
        load()
    except TuneplateError:
        raise
    except Exception as exc:  # a missing or damaged model file: json, OS, library errors
        first = first_line(exc)
        raise TuneplateError(
            f"{str(run_dir)!r} has model.json but its model could not be loaded ({first}); "
            "run it again (replay its config.json) and export that run"
        ) from None


def _check_families(members: list[dict]) -> None:
    """Refuse, in one line, a model whose family the export's templates do not know."""
    unknown = [m["family"] for m in members if m["family"] not in LIBRARIES]
    if unknown:
        raise TuneplateError(
            f"export cannot write a {unknown[0]} model yet; it exports "
            f"{', '.join(LIBRARIES)} models and their blends"
        )


def _reasons(run_dir: Path, results: Results, meta: dict, members: list[dict]) -> dict:
    """What `score.py --reasons` needs, aggregates only: the tuned model's operating
    threshold, the vertical's wordings, the protected and excluded column names and, for
    logistic regression, the input column each design column (a one-hot level, a missing
    indicator) belongs to: a list, or for a blend {member file: list} for each logistic
    member. When the export cannot give reasons, {"refused": one line}.
    """
    from tuneplate.explaining import reason_words  # loads the verticals: only here

    threshold = results.headline.figures.get("operating_threshold")
    hidden = sorted({*results.data.get("protected", ()), *results.data.get("excluded", ())})
    used = sorted(set(hidden) & set(Schema.from_dict(meta["schema"]).names))
    unexplained = [m["family"] for m in members if m["family"] not in EXPLAINED]
    if unexplained:
        return {"refused": f"the {unexplained[0]} model has no per-row reasons in an export yet"}
    if threshold is None or not math.isfinite(float(threshold)):
        return {
            "refused": "the run records no operating threshold (its vertical's evaluate sets "
            "no headline figure 'operating_threshold', or the run predates it); set it, run "
            "again and export that run to get reasons"
        }
    if used:
        return {
            "refused": f"the model uses protected or excluded column(s) {used}; no reasons "
            "are given from such a model: re-run with those columns left out"
        }
    settings = {
        "threshold": float(threshold),
        "top": TOP,
        "words": reason_words(results).to_dict(),
        "hidden": hidden,
    }
    # the design's owners: the one-hot levels are the model's
    from tuneplate.engine.families.logistic import _design_owners, load

    folder = run_dir / meta["file"] if meta["family"] == blend.NAME else run_dir
    owners = {
        m["file"]: [str(o) for o in _design_owners(load(folder / m["file"])[:-1][-1])]
        for m in members
        if m["family"] == "logistic"
    }
    if owners:
        settings["design_owners"] = owners if meta["family"] == blend.NAME else owners[meta["file"]]
    return settings


def _requirements(results: Results, families, base=("numpy", "pandas", "scikit-learn")):
    """Pinned requirements: `base` and every family's library, each once, at the versions
    the run recorded (else the installed one)."""
    pins = []
    wanted = dict.fromkeys([*base, *(name for f in families for name in LIBRARIES[f])])
    for name in wanted:
        known = results.versions.get(name)
        if not known or known == "not installed":
            known = installed_version(name)
        pins.append(f"{name}=={known}" if known else name)
    return pins


def _check_target(to: Path, run_dir: Path) -> None:
    """Refuse a `to` that is not a new or empty folder, or that lies inside the run folder
    or another tuneplate folder (one holding model.json: a run, an export's model/), whose
    own files would then be mixed with the project's."""
    where, run = to.resolve(), run_dir.resolve()
    ours = [p for p in (where, *where.parents) if p == run or (p / "model.json").is_file()]
    inside = ours[0] if ours else None
    if inside is not None:
        raise TuneplateError(
            f"--to {str(to)!r} is inside {str(inside)!r}, a tuneplate run or model folder; "
            "choose a --to folder outside it"
        )
    if to.exists() and (not to.is_dir() or any(to.iterdir())):
        raise TuneplateError(
            f"{str(to)!r} already exists and is not empty; choose a new --to folder"
        )


def _run_facts(results: Results) -> dict:
    """What both project READMEs say about the run the model came from."""
    return {
        "vertical": results.vertical,
        "fingerprint": results.data.get("fingerprint", "unknown"),
        "rows": f"{results.data.get('rows', 0):,}",
        "split": results.data.get("split", ""),
        "strategy": results.strategy,
        "completed": results.counts.get("completed", 0),
        "seed": results.config.get("seed", 0),
        "validation": f"{results.validation:.4f}",
        "scored": tuning_score(results.data).adjective,
        "holdout": f"{results.holdout:.4f}",
    }


def export_run(run_dir: str | Path, to: str | Path) -> Path:
    """Write the project for the run in `run_dir` into the new folder `to`.

    Example:
        >>> export_run("tuneplate-runs/credit-risk", "credit-model")
        PosixPath('credit-model')
    """
    run_dir, to = Path(run_dir), Path(to)
    results = Results.load(run_dir, model=False)
    meta_path = run_dir / "model.json"
    if not meta_path.is_file():
        raise TuneplateError(
            f"{str(run_dir)!r} holds no saved model (model.json); "
            "export a folder written by 'tuneplate run'"
        )
    meta = json.loads(meta_path.read_text())
    if meta.get("task") == "ranking":
        _check_target(to, run_dir)
        return _export_ranking(run_dir, to, results, meta)
    if "schema" not in meta:
        raise TuneplateError(
            f"{str(run_dir)!r} was written before models kept their schema; "
            "run it again with this tuneplate (replay its config.json) and export that"
        )
    members = _members(run_dir, meta)  # refuses what tuneplate did not write, in one line
    _check_families(members)
    _check_target(to, run_dir)
    family = meta["family"]
    families = list(dict.fromkeys(m["family"] for m in members))  # each once, in order
    restated = restated_prevalence(results)
    context = {
        "name": to.name.lower().replace("_", "-") or "tuned-model",
        "title": f"{results.vertical_title} model",
        "family": family,
        "families": families,
        "family_label": blend.label(meta["params"])
        if family == blend.NAME
        else FAMILIES[family].label,
        # a blend's members for the README: label, parameters, boosting rounds, weight
        "members": [
            {
                "label": FAMILIES[m["family"]].label,
                "file": m["file"],
                "weight": m["weight"],
                "params": spec["params"],
                "n_rounds": spec.get("n_rounds"),
            }
            for m, spec in zip(members, meta["params"]["members"], strict=True)
        ]
        if family == blend.NAME
        else [],
        "target": results.data["target"],
        "group": results.config.get("group"),
        "positive": meta["positive"],
        "metric": results.metric.name,
        "metric_label": results.metric.label,
        "requirements": _requirements(results, families),
        **_run_facts(results),
        "params": meta["params"],
        "model_file": meta["file"],
        # the report in this project recommends another model: said on its first lines
        "recommended_instead": results.baseline.label if results.baseline.recommended else "",
        # "unjudged" (no interval: not "did not beat"), "worse" (a clear loss), "same"…
        "decision": _beaten_words(results.baseline.decision),
        # (sample rate, stated prevalence) as percentages, or None
        "restated": restated and (f"{restated[0]:.1%}", f"{restated[1] * 100:.2g}%"),
    }
    (to / "model").mkdir(parents=True, exist_ok=True)
    (to / "tests").mkdir(exist_ok=True)
    for target, template in CODE.items():
        (to / target).write_text(_env.get_template(template).render(**context), encoding="utf-8")
    (to / "contract").mkdir()
    (to / "contract" / "__init__.py").write_text(CONTRACT_INIT, encoding="utf-8")
    for name in CONTRACT:
        source = files("tuneplate.engine.contract").joinpath(name)
        (to / "contract" / name).write_bytes(source.read_bytes())
    for name in (meta["file"], "model.json", SPLIT_FILE):
        if (run_dir / name).is_file():
            shutil.copy2(run_dir / name, to / "model" / name)
    if family == blend.NAME:  # the member files blend.json names and itself, nothing else
        (to / "model" / meta["file"]).mkdir()
        for name in (*(m["file"] for m in members), blend.INDEX):
            shutil.copy2(run_dir / meta["file"] / name, to / "model" / meta["file"] / name)
    if restated:  # score.py restates its probabilities at the stated prevalence
        sample, stated = restated
        scale = json.dumps({"sample": sample, "prevalence": stated}, indent=2)
        (to / "model" / PREVALENCE_FILE).write_text(scale + "\n", encoding="utf-8")
    reasons = json.dumps(_reasons(run_dir, results, meta, members), indent=2)
    (to / "model" / REASONS_FILE).write_text(reasons + "\n", encoding="utf-8")
    for name in ("report.html", RESULTS_FILE):
        if (run_dir / name).is_file():
            shutil.copy2(run_dir / name, to / name)
    return to


def _simpler_lists(results: Results) -> dict[str, str]:
    """`recommended_instead` (the simpler lists' name, "" when the report recommends the
    ranker) and `decision` ("worse": the ranker's whole NDCG ratio interval below 1;
    "unjudged": no interval; "same"), from the ranking headline's verdict
    (`verticals.recommendation.metrics`: `recommended`, `strongest`)."""
    figures = results.headline.figures
    strongest = figures.get("strongest") or {}
    if figures.get("recommended", "ranker") == "ranker" or not strongest:
        return {"recommended_instead": "", "decision": ""}
    low, high = strongest.get("low"), strongest.get("high")
    known = all(isinstance(v, int | float) and math.isfinite(v) for v in (low, high))
    decision = "unjudged" if not known else "worse" if high < 1 else "same"
    label = str(strongest.get("label", ""))
    return {"recommended_instead": label, "decision": _beaten_words(decision)}


def _beaten_words(decision: str) -> str:
    """How the project's README says the tuned model fared against the simpler one the
    report recommends: "unjudged" (no interval), "worse" (beyond noise) or "same"."""
    if decision == "unjudged":
        return "was not shown to beat it (no interval could be formed on the hold-out)"
    if decision == "worse":
        return "did worse than it beyond noise on the hold-out"
    return "did not beat it beyond noise on the hold-out"


def _export_ranking(run_dir: Path, to: Path, results: Results, meta: dict) -> Path:
    """The ranking project: score.py builds candidates with the run's own code, ranks them.

    The candidate stage (`tasks/ranking/`: interactions, candidates, metrics) and the
    contract are copied verbatim under `recommender/` at their relative paths in the
    engine, so their relative imports resolve there as here. Only aggregates ship: the
    ranker's trees, its feature names, the column roles, k, the candidate cut and the
    model candidate sources' settings (EASE's λ, item-kNN's k and shrink).
    """
    family = meta["family"]
    roles = dict(results.data.get("roles", {}))
    settings = {
        "roles": {key: roles.get(key) for key in RANKING_ROLES},
        "k": int(results.assumptions.get("k", 10)),
        "candidates": int(results.best_params.get("candidates", PER_SOURCE)),
        # EASE's and item-kNN's settings (aggregates: one λ, k and shrink), so score.py
        # rebuilds the model candidate sources from the log it scores; {} before them
        "sources": dict(meta.get("sources") or {}),
        # whether the user's own items are candidates, as the run decided; absent before
        # it was saved (score.py then decides on the log it scores, as it used to)
        **({"repeats": bool(results.data["repeats"])} if "repeats" in results.data else {}),
        # the recency features' span (days), as the run built them; absent before it was
        # saved (score.py then measures it on the log it scores, as it used to)
        **({"recent_days": r} if (r := results.data.get("recent_days")) else {}),
        # the time column's day/month order ("%m/%d/%Y"); absent for epoch or ISO times
        # and before it was saved (score.py then decides from the log, and warns)
        **({"time_format": r} if (r := results.data.get("time_format")) else {}),
        # the value column's 1st–99th percentiles; absent before it was saved
        **({"value_range": r} if (r := results.data.get("value_range")) else {}),
    }
    context = {
        "name": to.name.lower().replace("_", "-") or "tuned-ranker",
        "title": f"{results.vertical_title} ranker",
        "family": family,
        "family_label": RANKER_LABELS.get(family, family),
        "roles": settings["roles"],
        "k": settings["k"],
        "time_format": settings.get("time_format"),
        "candidates": settings["candidates"],
        "sources": [SOURCE_LABELS[name] for name in settings["sources"] if name in SOURCE_LABELS],
        "needs_items": bool(set(meta["features"]) & ITEM_FEATURES),
        "metric_label": results.metric.label,
        "requirements": _requirements(results, [family], RANKING_BASE),
        **_run_facts(results),
        "params": results.best_params,
        "model_file": meta["file"],
        # the report recommends a simpler list (recent popularity…): said on the first lines
        **_simpler_lists(results),
    }
    (to / "model").mkdir(parents=True, exist_ok=True)
    (to / "tests").mkdir(exist_ok=True)
    for target, template in RANKING_CODE.items():
        (to / target).write_text(_env.get_template(template).render(**context), encoding="utf-8")
    for package, names in RANKING_PACKAGES.items():
        folder = to / "recommender" / package.replace(".", "/") if package else to / "recommender"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "__init__.py").write_text(RANKING_INIT, encoding="utf-8")
        for name in names:
            source = files(f"tuneplate.engine.{package}").joinpath(name)
            (folder / name).write_bytes(source.read_bytes())
    (to / "model" / "ranking.json").write_text(json.dumps(settings, indent=2) + "\n")
    for name in (meta["file"], "model.json"):
        shutil.copy2(run_dir / name, to / "model" / name)
    for name in ("report.html", RESULTS_FILE):
        if (run_dir / name).is_file():
            shutil.copy2(run_dir / name, to / name)
    return to
