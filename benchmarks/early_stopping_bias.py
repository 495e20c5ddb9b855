"""Is a boosted trial's cross-validated score optimistic because each fold early-stops
on the rows it is scored on?

tuneplate's folds early-stop on their own validation rows and are scored there
(`engine/search/objective.py`); the refit then boosts for the folds' median round count.
This measures, on the unseen tables, how much better the folds look than the hold-out:
for each table and seed (stratified 80/20 split, 5 stratified folds of the development
rows), untuned L2 logistic regression and `--settings` random LightGBM settings, each
fold's score at its own best round ("own") and at the folds' median round ("median",
the round count the refit uses), and the hold-out score of the refit. The optimism is
the mean fold score minus the hold-out score (both oriented higher-is-better: AUC for
credit tables, minus the log-loss for clinical ones). It then picks the best setting by
each score, applies the one-SE rule against the logistic regression, and prints the
hold-out of what each would keep.

    python benchmarks/early_stopping_bias.py --tables diagnosis:colon diagnosis:gbsg
    python benchmarks/early_stopping_bias.py --tables extra --seeds 0 1 2 3 4 --settings 20

Plain LightGBM and scikit-learn on purpose: the question is about the fold protocol,
not about tuneplate's spaces.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import lightgbm as lgb
import numpy as np
import pandas as pd
from sklearn.compose import make_column_transformer
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import log_loss, roc_auc_score
from sklearn.model_selection import StratifiedKFold, train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

sys.path.insert(0, str(Path(__file__).parent))

from suite_tables import EXTRA, TABLES  # noqa: E402 - a sibling script, not a package

ALL = {**TABLES, **EXTRA}
PATIENCE = 50


def read(key: str) -> tuple[pd.DataFrame, np.ndarray, list[str], list[str]]:
    """The table's inputs (text as pandas categories), 0/1 outcome, numeric and text names."""
    table = ALL[key]
    frame = table.frame()
    y = (frame[table.target].astype(str) == table.positive).to_numpy().astype(int)
    X = frame.drop(columns=[table.target])
    text = [c for c in X.columns if not pd.api.types.is_numeric_dtype(X[c])]
    X[text] = X[text].astype(str).astype("category")
    return X, y, [c for c in X.columns if c not in text], text


def logistic(numeric: list[str], text: list[str]):
    """Untuned L2 logistic regression: imputed, standardised numbers and one-hot text."""
    return make_pipeline(
        make_column_transformer(
            (make_pipeline(SimpleImputer(), StandardScaler()), numeric),
            (OneHotEncoder(handle_unknown="ignore"), text),
        ),
        LogisticRegression(max_iter=2000),
    )


def random_settings(rng: np.random.Generator, seed: int) -> dict:
    def log_uniform(low, high):
        return float(np.exp(rng.uniform(np.log(low), np.log(high))))

    return {
        "learning_rate": log_uniform(0.02, 0.2),
        "num_leaves": int(log_uniform(4, 64)),
        "min_child_samples": int(log_uniform(5, 100)),
        "colsample_bytree": float(rng.uniform(0.5, 1)),
        "reg_lambda": log_uniform(1e-3, 10),
        "n_estimators": 3000,
        "verbose": -1,
        "n_jobs": 1,
        "random_state": seed,
    }


def measure(key: str, seed: int, settings: int) -> list[dict]:
    """One row per candidate: its fold scores (own round, median round) and hold-out."""
    X, y, numeric, text = read(key)
    clinical = ALL[key].vertical == "diagnosis"

    def score(truth, p):
        return -log_loss(truth, p, labels=[0, 1]) if clinical else roc_auc_score(truth, p)

    X_dev, X_hold, y_dev, y_hold = train_test_split(
        X, y, test_size=0.2, stratify=y, random_state=seed
    )
    folds = list(StratifiedKFold(5, shuffle=True, random_state=seed).split(X_dev, y_dev))

    def fitted_logistic(rows):
        return logistic(numeric, text).fit(X_dev.iloc[rows], y_dev[rows])

    base = [score(y_dev[va], fitted_logistic(tr).predict_proba(X_dev.iloc[va])[:, 1])
            for tr, va in folds]  # fmt: skip
    everyone = np.arange(len(y_dev))
    hold = score(y_hold, fitted_logistic(everyone).predict_proba(X_hold)[:, 1])
    rows = [{"kind": "logistic", "own": base, "median": base, "holdout": hold}]
    rng = np.random.default_rng(seed)
    for _ in range(settings):
        params = random_settings(rng, seed)
        models, rounds, own = [], [], []
        for tr, va in folds:
            model = lgb.LGBMClassifier(**params).fit(
                X_dev.iloc[tr],
                y_dev[tr],
                eval_set=[(X_dev.iloc[va], y_dev[va])],
                callbacks=[lgb.early_stopping(PATIENCE, verbose=False)],
            )
            models.append(model)
            rounds.append(model.best_iteration_)
            own.append(score(y_dev[va], model.predict_proba(X_dev.iloc[va])[:, 1]))
        k = int(np.median(rounds))
        at_median = [
            score(y_dev[va], m.predict_proba(X_dev.iloc[va], num_iteration=k)[:, 1])
            for m, (_, va) in zip(models, folds, strict=True)
        ]
        refit = lgb.LGBMClassifier(**{**params, "n_estimators": k}).fit(X_dev, y_dev)
        hold = score(y_hold, refit.predict_proba(X_hold)[:, 1])
        rows.append({"kind": "lightgbm", "own": own, "median": at_median, "holdout": hold})
    return rows


def summarise(key: str, runs: list[list[dict]]) -> dict:
    """Mean optimism per kind of score, and the hold-out of what each choice keeps."""
    out = {"table": key, "seeds": len(runs)}
    logistic_gap, own_gap, median_gap = [], [], []
    kept = {"own": [], "median": []}
    for rows in runs:
        base, trees = rows[0], rows[1:]
        logistic_gap.append(np.mean(base["own"]) - base["holdout"])
        own_gap.append(np.mean([np.mean(r["own"]) - r["holdout"] for r in trees]))
        median_gap.append(np.mean([np.mean(r["median"]) - r["holdout"] for r in trees]))
        for by in kept:
            best = max(trees, key=lambda r: np.mean(r[by]))
            diff = np.asarray(best[by]) - np.asarray(base["own"])
            se = diff.std(ddof=1) / np.sqrt(len(diff))
            kept[by].append(best["holdout"] if diff.mean() > se else base["holdout"])
    out |= {
        "optimism, logistic": np.mean(logistic_gap),
        "optimism, trees at own round": np.mean(own_gap),
        "optimism, trees at median round": np.mean(median_gap),
        "one-SE keeps, by own round": np.mean(kept["own"]),
        "one-SE keeps, by median round": np.mean(kept["median"]),
        "logistic hold-out": np.mean([rows[0]["holdout"] for rows in runs]),
    }
    return out


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tables", nargs="+", default=["extra"])
    parser.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2, 3, 4])
    parser.add_argument("--settings", type=int, default=20)
    args = parser.parse_args(argv)
    keys = []
    for name in args.tables:
        group = {"suite": TABLES, "extra": EXTRA}.get(name)
        keys += list(group) if group else [name]
    summary = []
    for key in keys:
        runs = [measure(key, seed, args.settings) for seed in args.seeds]
        summary.append(summarise(key, runs))
        print(pd.DataFrame(summary[-1:]).round(4).to_string(index=False), flush=True)
    print()
    frame = pd.DataFrame(summary).round(4)
    print("| " + " | ".join(frame.columns) + " |")
    print("|" + "---|" * len(frame.columns))
    for row in frame.itertuples(index=False):
        print("| " + " | ".join(str(v) for v in row) + " |")


if __name__ == "__main__":
    main()
