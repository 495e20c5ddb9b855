"""`Results`: everything a run produced, as plain data.

The report reads only this. It is saved as `results.json` (plus the model files)
and loaded back by `tuneplate report`, so a report can be re-rendered at any time
without the study, the data or the model. `Results.load` brings the saved model back
as `.model` too (unless `model=False`), so a loaded run scores new rows.

The engine never imports the report layer (DESIGN.md's one-way flow): what the report
derives (verdict, monitoring triggers, chart conclusions) is written by the report
layer to `report.json` beside `results.json`, and `Results.report(path)` renders
through the function the public face installs with `set_renderer`.

The vertical -> report contract is typed: `About` (what the model is for, copied from
the vertical at run time), `Headline` and `Card` (the decision summary), and `Table`
with its columns' `roles` (stable ids such as `Role.APPROVAL_RATE` -> the reader-facing
label), so relabelling a column for readability cannot drop a chart. Those records live
in `records` and are re-exported here, where the contract has always imported them.
"""

from __future__ import annotations

import contextlib
import html
import json
import math
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any, ClassVar

import pandas as pd

from tuneplate.engine.data.checks import Finding
from tuneplate.engine.records import (  # noqa: F401  re-exported: the contract's old home
    DECISIONS,
    About,
    Baseline,
    Card,
    Headline,
    Role,
    Selection,
    Table,
    TableKey,
    jsonable,
)
from tuneplate.engine.runs.writable import plain_name

RESULTS_FILE = "results.json"
MODEL_FILE = "model.json"  # written by `Model.save` beside the library's model file
BASELINE_DIR = "baseline"  # the recommended simple model's own model.json and file
SPLIT_FILE = "split.json"  # row positions of development and hold-out rows: no values


@dataclass(frozen=True)
class Metric:
    """The score the study optimises, as stored in results."""

    name: str
    label: str
    direction: str  # "maximize" or "minimize"


@dataclass
class Results:
    """What a run produced. Plain data: dataclasses, DataFrames, numbers.

    Example:
        >>> result = tuneplate.tune("credit-risk", n_trials=5)
        >>> result.best_params, result.validation, result.holdout
        >>> result.report("credit.html")
    """

    vertical: str
    vertical_title: str
    strategy: str
    metric: Metric
    model_family: str
    best_params: dict[str, Any]
    validation: float  # mean K-fold score of the best trial
    holdout: float  # refitted best model on rows the study never saw
    train: float  # the same refitted model scored on its own training rows
    trials: pd.DataFrame  # one row per trial: number, state, value, train, duration, params
    counts: dict[str, int]  # completed / pruned / failed
    findings: list[Finding]
    data: dict[str, Any]  # rows, columns, target, positive, split description, …
    holdout_metrics: dict[str, float]  # every metric the vertical reports, on the hold-out
    tables: list[Table]  # business translation and reliability tables
    assumptions: dict[str, Any]  # business assumptions behind the tables
    headline: Headline  # the decision summary's words and numbers (a dict is converted)
    timings: dict[str, float]
    config: dict[str, Any]  # replays the run
    versions: dict[str, str]
    attribution: str = ""
    # The vertical's simple baseline (its baseline family at default settings), fitted on
    # the same rows and scored on the same hold-out: what tuning and the family bought,
    # and which of the two the report recommends (a dict is converted).
    baseline: Baseline = field(default_factory=Baseline)
    # Ranking: every baseline's hold-out metrics by name (popularity, recent_popularity, …).
    baselines: dict[str, dict[str, float]] = field(default_factory=dict)
    # How the refitted trial was chosen: the best, or the baseline kept by the one-SE rule;
    # None in results.json written before it was recorded.
    selection: Selection | None = None
    importance: dict[str, float] = field(default_factory=dict)  # fANOVA share per parameter
    stability: dict[str, Any] = field(default_factory=dict)  # PSI development -> hold-out
    # 95% bootstrap interval of `holdout` over hold-out rows (binary verticals), or None.
    holdout_interval: tuple[float, float] | None = None
    purpose: str = ""  # the analyst's words on what the model is for
    previous: dict[str, Any] = field(default_factory=dict)  # an earlier run to compare with
    # The vertical's "what the model is for", copied at run time; empty in results.json
    # written before it was recorded (the report then leaves the section out).
    about: About = field(default_factory=About)
    model: Any = field(default=None, repr=False, compare=False)
    # The simple baseline's fitted model when the report recommends it (saved in
    # BASELINE_DIR): the model the report's figures are for. None otherwise.
    baseline_model: Any = field(default=None, repr=False, compare=False)
    # Positions (not contents) of the rows on each side, so an export can redo the refit.
    split_rows: dict[str, list[int]] = field(default_factory=dict, repr=False, compare=False)

    # Renders the HTML report for `report`; installed by the public face (the engine never
    # imports the report layer).
    renderer: ClassVar[Callable[[Results], str] | None] = None

    def __post_init__(self) -> None:
        self.headline = Headline.coerce(self.headline)
        self.baseline = Baseline.coerce(self.baseline)
        self.selection = Selection.coerce(self.selection)
        if not isinstance(self.about, About):
            self.about = About(**dict(self.about or {}))

    @property
    def tuned_family(self) -> str:
        """The family the search tuned: the model's, or for a blend (`families/blend.py`)
        its first member's, the best trial's."""
        if self.model_family == "blend":
            return self.best_params["members"][0]["family"]
        return self.model_family

    @property
    def model_words(self) -> str:
        """The model in a few words: its family, or "blend of lightgbm and the logistic
        baseline" for a blend."""
        return self.words_for(self.tuned_family)

    def words_for(self, tuned: str) -> str:
        """`model_words` with `tuned` standing for the tuned family's name (the report's
        appendix adds which families the search chose among)."""
        if self.model_family == "blend":
            base = self.best_params["members"][1]["family"]
            return f"blend of {tuned} and the {base} baseline"
        return tuned

    @property
    def best_value(self) -> float:
        return self.validation

    @property
    def holdout_score(self) -> float:
        return self.holdout

    def _repr_html_(self) -> str:
        """A compact summary for Jupyter; the full report is `report(path)`."""
        c = self.counts
        rows = {
            "vertical": self.vertical_title,
            "model": f"{self.model_family}, {self.strategy} search",
            "trials": f"{c.get('completed', 0)} completed, {c.get('pruned', 0)} pruned, "
            f"{c.get('failed', 0)} failed",
            f"{self.metric.label} (cross-validated)": f"{self.validation:.4f}",
            f"{self.metric.label} (hold-out)": f"{self.holdout:.4f}"
            + (
                f" (95% interval {self.holdout_interval[0]:.3f}–{self.holdout_interval[1]:.3f})"
                if self.holdout_interval
                else ""
            ),
            "data warnings": sum(f.severity == "warning" for f in self.findings),
        }
        # The vertical's cards as plain figures; the report formats them.
        unit = str(self.assumptions.get("currency") or "")
        rows |= {c.label: _plain_figure(c.value, c.format, unit) for c in self.headline.cards[:3]}
        cells = "".join(
            f"<tr><th style='text-align:left'>{html.escape(str(k))}</th>"
            f"<td>{html.escape(str(v))}</td></tr>"
            for k, v in rows.items()
        )
        return f"<table>{cells}</table>"

    def table(self, key: str) -> Table | None:
        return next((t for t in self.tables if t.key == key), None)

    def explain(self, rows: pd.DataFrame, strict: bool = False) -> pd.DataFrame:
        """Each row's log-odds contribution of every input, plus `base_value` (the model's).

        Delegates to `Model.explain`: a DataFrame of (rows, inputs + 1), the user's column
        names then `base_value`, in log-odds of the event; a row sums to the logit of
        `model.predict_proba(rows)[:, 1]`, or, in a run with `calibrate="platt"` or
        `"isotonic"`, to the logit of the uncalibrated probability (the model's margin,
        which the calibration then maps monotonically). TreeSHAP for LightGBM and XGBoost
        (Lundberg et al. 2020), exact linear contributions for logistic regression.

        Raises:
            TuneplateError: no model (a ranking run, or loaded with `model=False`), or
                rows the model cannot read.

        Example:
            >>> result = tuneplate.tune("credit-risk", n_trials=5)
            >>> result.explain(applicants).iloc[0].drop("base_value").nlargest(4)
        """
        if self.model is None or not hasattr(self.model, "explain"):
            from tuneplate.engine.contract.errors import TuneplateError

            raise TuneplateError(
                "these results hold no model to explain (a ranking run, or loaded with "
                "model=False); load the run folder with Results.load(folder)"
            )
        return self.model.explain(rows, strict)

    def to_dict(self) -> dict[str, Any]:
        """The `results.json` document (the model is saved separately)."""
        apart = ("model", "baseline_model", "split_rows")  # saved as files of their own
        kept = [f.name for f in fields(self) if f.name not in apart]
        out = {name: getattr(self, name) for name in kept}
        out["metric"] = asdict(self.metric)
        out["best"] = {
            "model_family": self.model_family,
            "params": self.best_params,
            "validation": self.validation,
            "holdout": self.holdout,
            "train": self.train,
        }
        out["trials"] = {
            **self.counts,
            "table": self.trials.to_dict(orient="records"),
        }
        out["findings"] = [f.to_dict() for f in self.findings]
        out["tables"] = [t.to_dict() for t in self.tables]
        out["headline"] = self.headline.to_dict()
        out["baseline"] = self.baseline.to_dict()
        # whose figures the report's first screen shows: "baseline" means under
        # `baseline` (its headline, tables and metrics), not the top-level tuned ones
        out["recommended"] = "baseline" if self.baseline and self.baseline.recommended else "tuned"
        out["selection"] = self.selection.to_dict() if self.selection else None
        out["about"] = asdict(self.about)
        for key in ("model_family", "best_params", "validation", "holdout", "train", "counts"):
            out.pop(key)
        # What the report derives (verdict, monitoring triggers, chart conclusions) is not
        # here: the report layer writes it to report.json beside this file.
        return jsonable(out)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Results:
        data = dict(data)
        data.pop("report", None)  # the report's conclusions, in results.json before 0.2
        data.pop("recommended", None)  # derived from `baseline` (`to_dict`)
        best = data.pop("best")
        trials = dict(data.pop("trials"))
        table = pd.DataFrame(trials.pop("table"))
        return cls(
            **data
            | {
                "metric": Metric(**data["metric"]),
                "model_family": best["model_family"],
                "best_params": best["params"],
                "validation": _num(best["validation"]),
                "holdout": _num(best["holdout"]),
                "train": _num(best.get("train")),
                "trials": table,
                "counts": trials,
                "holdout_interval": tuple(data["holdout_interval"])
                if data.get("holdout_interval")
                else None,
                "findings": [Finding.from_dict(f) for f in data["findings"]],
                "tables": [Table.from_dict(t) for t in data["tables"]],
                "headline": Headline.from_dict(data.get("headline")),
                "about": About(**(data.get("about") or {})),
            }
        )

    def save(self, folder: str | Path) -> Path:
        """Write `results.json` (and the model, when there is one) into `folder`."""
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / RESULTS_FILE
        text = json.dumps(self.to_dict(), indent=2, allow_nan=False) + "\n"
        # results.json last: a model that cannot be saved leaves no results beside
        # another run's model (a folder reads as a run once results.json is there)
        if self.model is not None:
            before = _saved_file(folder)
            self.model.save(folder)
            if before is not None and before != _saved_file(folder):
                # a resumed run that now keeps another kind of model (a blend, or no
                # longer one): no stale model file or blend/ folder beside the new one
                _remove_model_file(folder / before)
        if self.baseline_model is not None:
            (folder / BASELINE_DIR).mkdir(exist_ok=True)
            self.baseline_model.save(folder / BASELINE_DIR)
        else:  # a resumed run that no longer recommends it: no stale simple model
            _remove_saved_model(folder / BASELINE_DIR)
        if self.split_rows:
            (folder / SPLIT_FILE).write_text(json.dumps(self.split_rows) + "\n")
        path.write_text(text)
        return path

    @classmethod
    def load(cls, folder: str | Path, model: bool = True) -> Results:
        """Read a run folder written by `save`, with its model when it holds one.

        `model` is the saved `Model` (`engine.models.Model.load`) when the folder has
        `model.json`, so `Results.load(d).model.predict_proba(rows)` scores as the run's
        own results did; None for a folder without one and for ranking runs (their
        ranker has no loader yet). `model=False` reads the results alone (reports,
        warm starts), without importing the model libraries.

        Raises:
            TuneplateError: no or unreadable results.json; a model.json whose model
                file cannot be loaded (pass model=False to read the results anyway).

        Example:
            >>> Results.load("tuneplate-runs/credit-risk").holdout
            0.78
            >>> Results.load("tuneplate-runs/credit-risk").model.predict_proba(rows)[:, 1]
        """
        from tuneplate.engine.contract.errors import TuneplateError

        path = Path(folder) / RESULTS_FILE
        if not path.is_file():
            raise TuneplateError(
                f"{str(folder)!r} holds no {RESULTS_FILE}; "
                "give a run folder written by 'tuneplate run'"
            )
        try:
            results = cls.from_dict(json.loads(path.read_text()))
        except (ValueError, KeyError, TypeError) as exc:
            raise TuneplateError(
                f"{str(path)!r} is not a tuneplate results file ({exc}); re-run 'tuneplate run'"
            ) from None
        if model:
            results.model = _saved_model(Path(folder))
            if (Path(folder) / BASELINE_DIR / MODEL_FILE).is_file():
                results.baseline_model = _saved_model(Path(folder) / BASELINE_DIR)
        return results

    @property
    def recommended_model(self) -> Any:
        """The model the report recommends: the simple baseline's when the tuned one does
        not beat it beyond noise (and the run saved it), else the tuned `model`.

        Example:
            >>> Results.load("runs/loans").recommended_model.predict_proba(rows)[:, 1]
        """
        if self.baseline.recommended and self.baseline_model is not None:
            return self.baseline_model
        return self.model

    def report(self, path: str | Path) -> Path:
        """Render the HTML report to `path` and return it.

        Renders with `Results.renderer`, which `import tuneplate` installs
        (the report layer's `render`); the engine itself never imports the report layer.

        Example:
            >>> result.report("credit.html")
            PosixPath('credit.html')
        """
        render = type(self).renderer
        if render is None:
            from tuneplate.engine.contract.errors import TuneplateError

            raise TuneplateError(
                "no report renderer is installed; import tuneplate first, then call "
                "results.report(path) again"
            )
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(render(self), encoding="utf-8")
        return path


def set_renderer(render: Callable[[Results], str] | None) -> None:
    """Install the function `Results.report` renders with (the public face does).

    Example:
        >>> set_renderer(render)  # the report layer's render, as `import tuneplate` does
    """
    Results.renderer = render


def _plain_figure(value: Any, kind: str, unit: str = "") -> str:
    """A card's value, plainly: shares as percentages, amounts and counts in whole units
    (money with its currency code), other numbers to 4 significant digits. The report
    formats cards fully; this is the notebook's quick look."""
    if not isinstance(value, int | float) or isinstance(value, bool):
        return str(value)
    if not math.isfinite(value):
        return "—"
    if kind == "percent":
        return f"{value:.1%}"
    if kind == "money":
        return f"{value:,.0f} {unit}".strip()
    return f"{value:,.0f}" if kind == "count" or abs(value) >= 1000 else f"{value:.4g}"


def _saved_file(folder: Path) -> str | None:
    """The model file (or folder) `folder`'s model.json names, when it names one safely."""
    try:
        name = json.loads((folder / MODEL_FILE).read_text()).get("file")
    except (OSError, ValueError, AttributeError):
        return None
    return name if plain_name(name) else None


def _remove_model_file(path: Path) -> None:
    """Delete a saved model's file, or a blend's folder (`families.blend.remove`: only
    the files it wrote; anything else the user put there, and the folder, is kept)."""
    if not path.is_dir():
        path.unlink(missing_ok=True)
        return
    from tuneplate.engine.families.blend import remove  # results load without the models

    remove(path)


def _remove_saved_model(folder: Path) -> None:
    """Delete a model saved by `Model.save` in `folder` (model.json and its file), and the
    folder when nothing else is left in it."""
    meta = folder / MODEL_FILE
    if not meta.is_file():
        return
    try:
        name = json.loads(meta.read_text()).get("file")
    except ValueError:
        name = None
    if plain_name(name):
        (folder / name).unlink(missing_ok=True)
    meta.unlink()
    with contextlib.suppress(OSError):  # the user's own files are there too: keep them
        folder.rmdir()


def _saved_model(folder: Path) -> Any:
    """The run folder's saved classifier, or None (no model.json, or a ranking run)."""
    from tuneplate.engine.contract.errors import TuneplateError, first_line

    meta_path = folder / MODEL_FILE
    if not meta_path.is_file():
        return None
    try:
        if json.loads(meta_path.read_text()).get("task") == "ranking":
            return None
        from tuneplate.engine.families.models import (
            Model,  # lazily: lightgbm/xgboost only when needed
        )

        return Model.load(folder)
    except TuneplateError:
        raise
    except Exception as exc:  # a missing or damaged model file: json, OS, library errors
        first = first_line(exc)
        raise TuneplateError(
            f"{str(folder)!r} has {MODEL_FILE} but its model could not be loaded ({first}); "
            "re-run 'tuneplate run', or read the results alone with Results.load(folder, "
            "model=False)"
        ) from None


def _num(value: Any) -> float:
    return math.nan if value is None else float(value)


_jsonable = jsonable  # the older name, still imported by engine/compare.py
