"""The one-way flow for ranking verticals: log -> checks -> periods -> candidates ->
study -> Results.

Candidates and features are built once per period and reused by every trial; a
trial fits a ranker on the training periods and scores NDCG@k on the validation
period. The chosen configuration is refitted on training and validation periods
and scored once on the hold-out period, beside the baselines on the same users.
"""

from __future__ import annotations

import os
import re
import time
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import optuna
import pandas as pd

from tuneplate.engine.contract.errors import TuneplateError
from tuneplate.engine.data.checks import Finding, errors
from tuneplate.engine.data.roles import read_table
from tuneplate.engine.families.rankers import (
    Ranker,
    RankFit,
    RankModel,
    fit_ranker,
    get_ranker,
    model_params,
)
from tuneplate.engine.metrics import Objective
from tuneplate.engine.results import Metric, Results
from tuneplate.engine.search import study as studies
from tuneplate.engine.search.first_trials import first_trials
from tuneplate.engine.search.objective import TRAIN_SCORE_ROWS
from tuneplate.engine.search.space import Space
from tuneplate.engine.search.strategies import make_sampler
from tuneplate.engine.tasks.binary import evaluation
from tuneplate.engine.tasks.ranking import candidates as cands
from tuneplate.engine.tasks.ranking import metrics as rk
from tuneplate.engine.tasks.ranking.interactions import (
    ITEM_NAMES,
    Log,
    Windows,
    find_column,
    last_n_windows,
    resolve,
    time_windows,
    to_log,
)
from tuneplate.engine.vertical import RankingOutcome, Vertical

MIN_HOLDOUT_USERS = 100  # fewer evaluated users than this and every figure is wide
COLD_START_WARN = 0.3  # share of hold-out users or items unseen before that changes the story


@dataclass(frozen=True)
class RankPlan:
    """A validated ranking run: the log, its periods and the candidates of each."""

    vertical: Vertical
    config: Any  # tune.Config
    objective: Objective
    assumptions: dict[str, Any]
    strategy: str
    family: Ranker
    space: Space
    sampler: optuna.samplers.BaseSampler
    pruner: optuna.pruners.BasePruner
    n_trials: int | None
    timeout: float | None
    log: Log
    windows: Windows
    train: list[cands.Candidates]
    validation: cands.Candidates
    holdout: cands.Candidates
    attribution: str
    findings: list[Finding]
    fit: RankFit
    fingerprint: str
    priced: bool
    table_shape: tuple[int, int]
    first_trials: tuple[tuple[str, dict[str, Any]], ...] = ()
    pruner_name: str = "none"
    families: None = None  # one ranker per study; `auto` is for classification


def parse_split(text: str | None) -> tuple[str, int]:
    """`time`, `last-n` (one event per user) or `last-N`, e.g. `last-2`."""
    text = (text or "time").strip().lower()
    if text == "time":
        return "time", 0
    if text == "last-n":
        return "last-n", 1
    if (m := re.fullmatch(r"last-(\d+)", text)) and int(m.group(1)) > 0:
        return "last-n", int(m.group(1))
    raise TuneplateError(
        f"unknown --split {text!r}; use 'time' (train on the past, test on the last period) "
        "or 'last-n' / 'last-2' (each user's last events held out)"
    )


def _items_table(path: str | None, example_items, item_role: str) -> pd.DataFrame | None:
    items = read_table(path) if path else example_items
    if items is None:
        return None
    key = find_column(
        items, item_role if item_role in items.columns else None, ITEM_NAMES, "--item"
    )
    return items.assign(**{key: items[key].astype("string")}).drop_duplicates(key).set_index(key)


def prepare(vertical: Vertical, data: pd.DataFrame | None, config):
    """The log (the embedded example unless data is given), its roles and item table."""
    example_items, attribution, base = None, "", None
    if data is None:
        example = vertical.example()
        data, base = example.table, example.roles
        attribution, example_items = example.attribution, example.items
    roles = resolve(
        data,
        base,
        user=config.user,
        item=config.item,
        time=config.time,
        value=config.value,
        min_value=config.min_value,
    )
    items = _items_table(config.items, example_items, roles.item)
    return data, roles, items, attribution


def check(vertical: Vertical, data: pd.DataFrame | None, config) -> list[Finding]:
    """Only the data checks of a ranking vertical."""
    data, roles, _, _ = prepare(vertical, data, config)
    to_log(data, roles)  # unparseable times and missing ids are refused here
    return [f for check in vertical.checks for f in check(data, roles)]


def plan(vertical: Vertical, data: pd.DataFrame | None, config) -> RankPlan:
    """Validate the settings and the log, run the checks, cut the periods, build candidates."""
    from tuneplate.engine.tune import (
        ChecksFailed,
        _fingerprint,
        _positive_number,
        _replay_findings,
    )

    strategy = config.strategy or vertical.default_strategy
    if strategy == "auto":
        raise TuneplateError(
            "strategy auto chooses among classification families; a ranking vertical tunes "
            "one ranker: use --strategy bayes, random or grid with --model lightgbm or xgboost"
        )
    unused = [
        flag
        for flag, value in (
            ("--target", config.target),
            ("--positive", config.positive),
            ("--group", config.group),
            ("--protected", config.protected),
            ("--exclude", config.exclude),
            ("--subgroups", config.subgroups),
        )
        if value
    ]
    if unused:
        raise TuneplateError(
            f"{', '.join(unused)} does not apply to a ranking vertical, which reads an "
            "interaction log; name its columns with --user, --item, --time (and --value)"
        )
    if config.warm_start:
        raise TuneplateError("--warm-start is not available for ranking verticals yet; drop it")
    if config.jobs != 1:
        raise TuneplateError(
            "--jobs is not available for ranking verticals yet (a ranker fit already uses "
            "every core on big logs); drop it"
        )
    ranker = get_ranker(config.model or vertical.default_family)
    if ranker.name not in vertical.spaces:
        raise TuneplateError(
            f"the {vertical.name} vertical has no {ranker.name} ranker; choose one of: "
            f"{', '.join(vertical.spaces)} (--model)"
        )
    if config.metric:
        raise TuneplateError(
            "--metric does not apply to ranking: the search optimises NDCG@k; set k with --k"
        )
    n_trials, timeout = config.n_trials, config.timeout
    if n_trials is None and timeout is None:
        n_trials, timeout = vertical.default_trials, vertical.default_timeout
    _positive_number(n_trials, "the number of trials", "--trials", integer=True)
    _positive_number(timeout, "the timeout", "--timeout", integer=False)
    assumptions = {**vertical.assumptions, **config.assumptions}
    if vertical.validate:
        vertical.validate(assumptions)
    k = int(assumptions["k"])
    split_kind, n_last = parse_split(config.split)
    space = vertical.spaces[ranker.name]
    make_sampler(strategy, space, config.seed)  # unknown names fail here

    # data -> checks
    data, roles, items, attribution = prepare(vertical, data, config)
    log = to_log(data, roles)
    fingerprint = _fingerprint(data)
    findings = [f for check in vertical.checks for f in check(data, roles)]
    findings += _replay_findings(config, fingerprint)
    if errors(findings):
        raise ChecksFailed(findings)

    # -> periods -> candidates, once for every trial
    windows = time_windows(log) if split_kind == "time" else last_n_windows(log, n_last)
    repeats = cands.repeats_matter(log)
    recent = cands.recent_span(log)
    built = [cands.build(w, items, repeats, recent) for w in windows.all()]
    for w, c in zip(windows.all(), built, strict=True):
        if len(c.frame) == 0:
            raise TuneplateError(
                f"the {w.name} period has no user with both earlier events and something to "
                "predict; give a longer log, a lower --min-value, or --split last-n"
            )
    findings += _period_findings(windows, built[-1], split_kind)
    priced = items is not None and "price" in items.columns

    objective = replace(vertical.objective, label=f"NDCG@{k}")
    return RankPlan(
        vertical=vertical,
        config=config,
        objective=objective,
        assumptions={**assumptions, "split": windows.description, "repeats": repeats},
        strategy=strategy,
        family=ranker,
        space=space,
        sampler=make_sampler(strategy, space, config.seed),
        pruner=optuna.pruners.NopPruner(),
        n_trials=n_trials,
        timeout=timeout,
        log=log,
        windows=windows,
        train=built[:-2],
        validation=built[-2],
        holdout=built[-1],
        attribution=attribution,
        findings=findings,
        fit=RankFit(seed=config.seed, k=k, n_threads=1 if len(data) < 500_000 else os.cpu_count()),
        fingerprint=fingerprint,
        priced=priced,
        table_shape=data.shape,
        first_trials=tuple(first_trials(vertical, space, ranker.name, strategy)),
    )


def _period_findings(windows: Windows, holdout: cands.Candidates, split_kind: str):
    findings = []
    users = holdout.missed.size
    if users < MIN_HOLDOUT_USERS:
        alternative = (
            "or use --split last-n (each user's last events held out)"
            if split_kind == "time"
            else "or use a longer log"
        )
        findings.append(
            Finding(
                "few_holdout_users",
                "warning",
                f"only {users:,} users can be evaluated in the hold-out period",
                expected=f"at least {MIN_HOLDOUT_USERS} users, or every figure is wide",
                fix=f"read the intervals, not the point figures; {alternative}",
            )
        )
    hold = windows.holdout
    known_users = set(hold.history["user"])
    known_items = set(hold.history["item"])
    labels = hold.labels
    cold_users = 1 - labels["user"].isin(known_users).mean() if len(labels) else 0.0
    cold_items = 1 - labels["item"].isin(known_items).mean() if len(labels) else 0.0
    if max(cold_users, cold_items) > COLD_START_WARN:
        findings.append(
            Finding(
                "cold_start",
                "warning",
                f"in the hold-out period {cold_users:.0%} of the events are by users and "
                f"{cold_items:.0%} on items never seen before; those cannot be personalised",
                expected=f"at most {COLD_START_WARN:.0%} cold-start events",
                fix="the figures cover known users only; plan a popularity fallback for new "
                "users and a launch slot for new items",
            )
        )
    return findings


class _Data:
    """Each candidate set's rows and binned data per generator size, built on first use."""

    def __init__(self, p: RankPlan):
        self.p = p
        self.cache: dict[tuple, Any] = {}

    def rows(self, which: str, n: int):
        key = ("rows", which, n)
        if key not in self.cache:
            parts = {"train": self.p.train, "validation": [self.p.validation]}[which]
            self.cache[key] = _stack(parts, n)
        return self.cache[key]

    def train_score(self, n: int):
        """A fixed sample of whole training queries (at most TRAIN_SCORE_ROWS rows) for
        the train score: scoring every training row each trial costs about a fit."""
        key = ("train_score", n)
        if key not in self.cache:
            X, q = self.rows("train", n)
            rows, sample = q.sample(TRAIN_SCORE_ROWS, self.p.config.seed)
            self.cache[key] = (X[rows], sample)
        return self.cache[key]

    def binned(self, n: int):
        key = ("binned", n)
        if key not in self.cache:
            X, q = self.rows("train", n)
            X_va, q_va = self.rows("validation", n)
            train = self.p.family.data(X, q)
            self.cache[key] = (train, self.p.family.data(X_va, q_va, train))
        return self.cache[key]


def _stack(parts: list[cands.Candidates], n: int | None):
    """Several periods' candidates as one set of queries (a user per period is a query)."""
    frames, users, labels, missed = [], [], [], []
    for i, c in enumerate(parts):
        q, keep = c.queries(n)
        frames.append(c.frame.iloc[keep][c.features])
        users.append(np.char.add(f"{i}:", q.users.astype(str)))
        labels.append(q.label)
        missed.append(q.missed)
    features = parts[0].features
    X = pd.concat(frames, ignore_index=True)[features].astype("float32")
    q = rk.Queries(
        np.concatenate(users), np.concatenate(labels), pd.concat(missed, ignore_index=True)
    )
    return X, q


def _n(params: dict) -> int:
    return int(params.get("candidates", cands.PER_SOURCE))


def make_objective(p: RankPlan, data: _Data):
    """A closure scoring one trial: fit on the training periods, NDCG@k on validation."""

    def objective(trial: optuna.Trial) -> float:
        params = {**p.space.fixed, **p.space.suggest(trial)}
        n = max(_n(params), p.fit.k)
        train, valid = data.binned(n)
        booster, rounds = p.family.train(model_params(params), train, valid, p.fit)
        X_tr, q_tr = data.train_score(n)
        X_va, q_va = data.rows("validation", n)
        model = RankModel(p.family.name, booster, rounds, list(X_tr.columns))
        trial.set_user_attr("n_rounds", rounds)
        trial.set_user_attr("train", rk.mean_ndcg(q_tr, model.predict(X_tr), p.fit.k))
        return rk.mean_ndcg(q_va, model.predict(X_va), p.fit.k)

    return objective


def execute(p: RankPlan, *, run_dir=None, progress=False, record=None) -> Results:
    """Search, refit the best configuration on training + validation, score the hold-out."""
    from tuneplate.engine.tune import _versions, open_study

    started = time.perf_counter()
    study = open_study(p, run_dir, record)
    data = _Data(p)
    search_started = time.perf_counter()
    studies.run(
        study, make_objective(p, data), n_trials=p.n_trials, timeout=p.timeout, progress=progress
    )
    search_s = time.perf_counter() - search_started
    best = studies.best_trial(study)
    params = {**p.space.fixed, **best.params}
    n = max(_n(params), p.fit.k)
    k = p.fit.k

    # -> refit on every period before the hold-out, with the rounds the search chose
    X_fit, q_fit = _stack([*p.train, p.validation], n)
    refit = replace(p.fit, n_rounds=int(best.user_attrs.get("n_rounds") or 100))
    model = fit_ranker(p.family, params, X_fit, q_fit, refit)
    hold = p.holdout
    q_hold, keep = hold.queries(n)
    ranker_score = model.predict(hold.frame.iloc[keep][hold.features].astype("float32"))
    q_all, _ = hold.queries(None)
    scores = {"ranker": (q_hold, keep, ranker_score)}
    for name, rank_column in cands.BASELINES.items():
        rank = hold.frame[rank_column].to_numpy(float)
        scores[name] = (q_all, np.arange(len(hold.frame)), -rank)
    per_user, coverage = {}, {}
    catalogue = p.windows.holdout.history["item"].nunique()
    price = hold.frame["price"].to_numpy(float) if "price" in hold.frame else None
    for name, (q, rows, score) in scores.items():
        table = rk.per_user(q, score, k)
        top = rk.top_k(q, score, k)
        label = q.label[np.maximum(top, 0)] * (top >= 0)
        table["hits"] = label.sum(axis=1)
        if price is not None:
            shown_price = np.nan_to_num(price[rows][np.maximum(top, 0)])
            table["revenue"] = (shown_price * label).sum(axis=1)
        per_user[name] = table
        coverage[name] = rk.coverage(q, hold.frame["item"].to_numpy()[rows], score, k, catalogue)
    outcome = RankingOutcome(
        k=k,
        per_user=per_user,
        coverage=coverage,
        candidate_recall=hold.recall_at(n),
        catalogue=catalogue,
        assumptions=p.assumptions,
        seed=p.config.seed,
        priced=price is not None,
    )
    evaluated = p.vertical.evaluate(outcome)
    train_score = rk.mean_ndcg(q_fit, model.predict(X_fit), k)
    holdout = float(per_user["ranker"]["ndcg"].mean())
    w = p.windows
    return Results(
        vertical=p.vertical.name,
        vertical_title=p.vertical.title,
        strategy=p.strategy,
        metric=Metric(p.objective.name, p.objective.label, p.objective.direction),
        model_family=p.family.name,
        best_params=params,
        validation=float(best.value),
        holdout=holdout,
        train=float(train_score),
        trials=studies.trials_table(study),
        counts=studies.counts(study),
        findings=p.findings,
        data={
            "rows": p.table_shape[0],
            "columns": p.table_shape[1],
            "features": len(hold.features),
            "users": int(p.log.events["user"].nunique()),
            "items": int(p.log.events["item"].nunique()),
            "positive_events": int(p.log.events["positive"].sum()),
            "holdout_users": int(len(q_hold.sizes)),
            "validation_users": int(len(p.validation.missed)),
            "training_queries": int(sum(len(c.missed) for c in p.train)),
            "holdout_rows": int(len(q_hold.sizes)),
            "holdout_unit": "customers",
            "subject": "The model orders, for each customer, the items they are most likely to "
            f"choose next; the first {k} are what the customer would be shown.",
            "split": w.description,
            "periods": {x.name: {"from": str(x.start), "to": str(x.end)} for x in w.all()},
            "candidate_recall": outcome.candidate_recall,
            "fingerprint": p.fingerprint,
            "roles": {k: v for k, v in vars(p.log.roles).items() if v is not None},
        },
        holdout_metrics=evaluated.metrics,
        tables=evaluated.tables,
        assumptions=evaluated.assumptions,
        headline=evaluated.headline,
        baseline={
            "family": "popularity",
            "label": "most popular items (all time)",
            "params": {},
            "holdout": float(per_user["popularity"]["ndcg"].mean()),
        },
        baselines={
            name: {m: float(v) for m, v in per_user[name].mean().items()}
            | {"coverage": float(coverage[name])}
            for name in per_user
            if name != "ranker"
        },
        importance=evaluation.importance(study),
        purpose=p.config.purpose,
        timings={"total_s": time.perf_counter() - started, "search_s": search_s},
        config={
            **vars(p.config),
            "storage": studies.mask(p.config.storage),
            "study": study.study_name,
            "pruner": p.pruner_name,
            "strategy": p.strategy,
            "model": p.family.name,
            "n_trials": p.n_trials,
            "timeout": p.timeout,
        },
        versions=_versions(),
        attribution=p.attribution,
        model=model,
    )
