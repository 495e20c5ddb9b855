"""Seconds per trial and peak memory on a synthetic 1,000,000 x 30 credit-like table.

Compares, on the same machine in one run, the same trials (same parameters, same
early stopping on boosting rounds):

1. tuneplate's default path, `tuneplate.tune("credit-risk", data=table, ...)`, random
   search: each fold's LightGBM Dataset binned once and reused, median pruning over
   folds and 3 folds on a table this size, train score on a fixed 50,000-row sample;
2. a naive loop replaying tuneplate's own trial parameters in order (so both sides
   fit exactly the same configurations, the vertical's priors included): every trial
   rebuilds each fold's data (`LGBMClassifier.fit` on `X.iloc[train]`), 5 folds, no
   pruning, train and validation folds scored in full;
3. the same naive loop with tuneplate's 3 folds, which splits the ratio into what
   the fold count buys and what data reuse, pruning and sampled train scores buy.

Each side runs in its own child process, so peak memory is that side's own: the
process's peak resident set size (`resource.getrusage(RUSAGE_SELF).ru_maxrss`: the
whole process, table, encoded copies, LightGBM's native buffers; not tracemalloc),
read when the search ends, so both sides cover the same work (table, plan, search).
tuneplate's peak over its whole run (refit on all development rows, out-of-fold
scores, baseline, report data) is printed too.
The table is synthetic (seeded) and credit-like, not real data.

    python benchmarks/million_rows.py [--rows 1000000] [--trials 4] [--seed 0]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

N_COLUMNS = 30  # 29 features and the target


def synthetic_credit(rows: int, seed: int) -> pd.DataFrame:
    """A synthetic, seeded credit-like table: 25 numeric and 4 text features, ~10% defaults."""
    rng = np.random.default_rng(seed)
    cols: dict[str, np.ndarray] = {
        "age": rng.integers(18, 80, rows).astype(float),
        "income": np.round(rng.lognormal(10.5, 0.6, rows), -2),
        "loan_amount": np.round(rng.lognormal(9.0, 0.8, rows), -1),
        "debt_to_income": np.clip(rng.normal(0.3, 0.15, rows), 0, 1.5),
        "utilisation": np.clip(rng.beta(2, 5, rows), 0, 1),
        "months_employed": rng.integers(0, 480, rows).astype(float),
        "open_accounts": rng.poisson(6, rows).astype(float),
        "delinquencies_2y": rng.poisson(0.3, rows).astype(float),
        "inquiries_6m": rng.poisson(1.0, rows).astype(float),
        "credit_history_months": rng.integers(6, 600, rows).astype(float),
    }
    for i in range(25 - len(cols)):  # weaker bureau attributes
        cols[f"bureau_{i:02d}"] = rng.normal(0, 1, rows)
    text = {
        "purpose": (["car", "home", "education", "business", "debt", "other"], None),
        "home_ownership": (["rent", "mortgage", "own"], [0.45, 0.4, 0.15]),
        "employment_type": (["salaried", "self-employed", "retired", "none"], None),
        "region": ([f"R{i}" for i in range(12)], None),
    }
    for name, (levels, p) in text.items():
        cols[name] = rng.choice(np.array(levels, dtype=object), rows, p=p)
    table = pd.DataFrame(cols)
    table.loc[rng.random(rows) < 0.03, "months_employed"] = np.nan  # some missing values
    logit = (
        -2.6
        + 1.8 * (table["debt_to_income"] - 0.3)
        + 2.0 * (table["utilisation"] - 0.3)
        + 0.5 * table["delinquencies_2y"]
        + 0.15 * table["inquiries_6m"]
        - 0.4 * (np.log(table["income"]) - 10.5)
        - 0.01 * (table["age"] - 45)
        + 0.3 * (table["purpose"] == "business")
        + 0.2 * (table["home_ownership"] == "rent")
        + 0.4 * np.sin(table["bureau_00"]) * table["bureau_01"]
        + 0.1 * table[[f"bureau_{i:02d}" for i in range(2, 8)]].sum(axis=1)
    )
    table["default"] = np.where(rng.random(rows) < 1 / (1 + np.exp(-logit)), "bad", "good")
    assert table.shape[1] == N_COLUMNS
    return table


def peak_rss_gib() -> float:
    """This process's peak resident set size so far (ru_maxrss is in KiB on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20


def run_tuneplate(table: pd.DataFrame, trials: int, seed: int, replay: list) -> dict:
    import tuneplate
    from tuneplate.engine.search import study as studies

    search_peak = []
    search = studies.run

    def run(*args, **kwargs):  # the engine's search, then the peak memory so far
        search(*args, **kwargs)
        search_peak.append(peak_rss_gib())

    studies.run = run

    r = tuneplate.tune(
        "credit-risk",
        data=table,
        target="default",
        positive="bad",
        model="lightgbm",
        strategy="random",
        n_trials=trials,
        seed=seed,
        storage="memory",
    )
    params = r.trials.filter(like="params_").rename(columns=lambda c: c.removeprefix("params_"))
    return {
        "search_s": r.timings["search_s"],
        "total_s": r.timings["total_s"],
        "trials": trials,
        "counts": r.counts,
        "folds": r.data["folds"],
        "pruner": r.config["pruner"],
        "best_cv_auc": r.validation,
        "search_peak_rss_gib": search_peak[0],
        "params": [
            {k: v for k, v in row.items() if pd.notna(v)} for row in params.to_dict("records")
        ],
    }


def run_naive(table: pd.DataFrame, trials: int, seed: int, replay: list, folds: int) -> dict:
    """`replay`'s trials, with every fold's data rebuilt by LGBMClassifier.fit each trial."""
    import optuna

    from tuneplate.engine import tune as engine
    from tuneplate.engine.families.lightgbm import fit as _fit_lightgbm
    from tuneplate.engine.families.models import Fit
    from tuneplate.engine.tasks.binary import sizing
    from tuneplate.verticals import load_vertical

    # The engine's plan without its big-table defaults: no pruning, `folds` folds. The
    # fold constants are the binary task's (`sizing`); engine.tune only re-exports them.
    sizing.FEWER_FOLDS_ROWS, sizing.BIG_TABLE_FOLDS = 0, folds
    config = engine.Config.flat(
        target="default",
        positive="bad",
        model="lightgbm",
        strategy="random",
        seed=seed,
        pruner="none",
    )
    p = engine.plan(load_vertical("credit-risk"), table, config)
    assert len(p.split.folds) == folds and p.pruner_name == "none"
    X = p.schema.encode(p.table)[0]
    X_dev, y_dev = X.iloc[p.split.development], p.y[p.split.development]
    fit = Fit(seed=seed, n_threads=p.fit.n_threads)
    score = p.objective.score

    def objective(trial: optuna.Trial) -> float:
        params = {**p.space.fixed, **p.space.suggest(trial)}
        valid, train = [], []
        for tr, va in p.split.folds:
            X_tr, X_va = X_dev.iloc[tr], X_dev.iloc[va]  # rebuilt every trial
            model = _fit_lightgbm(params, X_tr, y_dev[tr], X_va, y_dev[va], fit).estimator
            valid.append(score(y_dev[va], model.predict_proba(X_va)[:, 1]))
            train.append(score(y_dev[tr], model.predict_proba(X_tr)[:, 1]))
        return float(np.mean(valid))

    study = optuna.create_study(direction="maximize")
    for params in replay:  # tuneplate's trials, in its order
        study.enqueue_trial(params)
    started = time.perf_counter()
    study.optimize(objective, n_trials=len(replay))
    return {
        "search_peak_rss_gib": peak_rss_gib(),
        "search_s": time.perf_counter() - started,
        "trials": trials,
        "folds": folds,
        "pruner": "none",
        "best_cv_auc": study.best_value,
        "params": [t.params for t in study.trials],
    }


SIDES = {
    "tuneplate": run_tuneplate,
    "naive": lambda table, trials, seed, replay: run_naive(table, trials, seed, replay, 5),
    "naive3": lambda table, trials, seed, replay: run_naive(table, trials, seed, replay, 3),
}
LABELS = {
    "naive": "naive loop (rebuild per trial)",
    "naive3": "naive loop, tuneplate's 3 folds",
    "tuneplate": "tuneplate default",
}


def child(side: str, rows: int, trials: int, seed: int, replay_file: str | None) -> None:
    table = synthetic_credit(rows, seed)
    replay = json.loads(Path(replay_file).read_text()) if replay_file else []
    out = SIDES[side](table, trials, seed, replay)
    out["peak_rss_gib"] = peak_rss_gib()
    print("RESULT " + json.dumps(out, default=str))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--trials", type=int, default=4)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--no-naive3", action="store_true", help="skip the naive loop at 3 folds (saves time)"
    )
    parser.add_argument("--side", choices=list(SIDES), help=argparse.SUPPRESS)
    parser.add_argument("--replay", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.side:
        child(args.side, args.rows, args.trials, args.seed, args.replay)
        return

    results = {}
    sides = ["tuneplate", "naive"] + ([] if args.no_naive3 else ["naive3"])
    with tempfile.TemporaryDirectory() as tmp:
        replay = Path(tmp) / "trials.json"
        for side in sides:  # tuneplate first: the naive loops replay its trials
            cmd = [sys.executable, __file__, "--side", side, "--rows", str(args.rows)]
            cmd += ["--trials", str(args.trials), "--seed", str(args.seed)]
            if side != "tuneplate":
                cmd += ["--replay", str(replay)]
            done = subprocess.run(cmd, capture_output=True, text=True)
            if done.returncode:
                sys.exit(f"{side} failed:\n{done.stderr[-3000:]}")
            line = next(x for x in done.stdout.splitlines() if x.startswith("RESULT "))
            results[side] = json.loads(line.removeprefix("RESULT "))
            print(f"{side}: {json.dumps(results[side], default=str)}", file=sys.stderr)
            if side == "tuneplate":
                replay.write_text(json.dumps(results[side]["params"]))

    tp = results["tuneplate"]
    print(
        f"Synthetic credit-like table (seeded, not real data): {args.rows:,} rows x "
        f"{N_COLUMNS} columns; LightGBM, random search, {args.trials} trials, seed {args.seed}; "
        f"{os.cpu_count()} cores. Peak memory: ru_maxrss of each side's own process.\n"
    )
    print(
        "| path | folds | pruner | trials (completed/pruned) | s per trial "
        "| peak RSS to the search's end (GiB) |"
    )
    print("|---|---|---|---|---|---|")
    per_trial = {side: r["search_s"] / r["trials"] for side, r in results.items()}
    for side in ("naive", "naive3", "tuneplate"):
        if side not in results:
            continue
        r = results[side]
        counts = r.get("counts", {"completed": r["trials"], "pruned": 0})
        print(
            f"| {LABELS[side]} | {r['folds']} | {r['pruner']} | "
            f"{counts['completed']}/{counts['pruned']} | {per_trial[side]:.1f} | "
            f"{r['search_peak_rss_gib']:.2f} |"
        )
    print(
        f"\nratio (naive s per trial / tuneplate s per trial): "
        f"{per_trial['naive'] / per_trial['tuneplate']:.2f}"
    )
    if "naive3" in results:
        print(
            f"  of which fold count (naive 5 / naive 3 folds): "
            f"{per_trial['naive'] / per_trial['naive3']:.2f}; data reuse, pruning and sampled "
            f"train scores (naive 3 folds / tuneplate): "
            f"{per_trial['naive3'] / per_trial['tuneplate']:.2f}"
        )
    print(
        f"tuneplate whole run incl. refit, out-of-fold scores and report data: "
        f"{tp['total_s']:.0f} s, peak RSS {tp['peak_rss_gib']:.2f} GiB"
    )
    print("best CV AUC: " + ", ".join(f"{s} {r['best_cv_auc']:.4f}" for s, r in results.items()))
    same = all(r["params"] == tp["params"] for r in results.values())
    print(f"same trial parameters on every side: {same}")


if __name__ == "__main__":
    main()
