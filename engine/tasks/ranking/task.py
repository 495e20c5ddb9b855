"""Ranking (recommendation): an interaction log, its periods and candidates.

The task's parts of the one flow: read the log and its roles, check it, cut the
periods (train, validation, hold-out; by time or each user's last events),
build every period's candidates once, tune one learning-to-rank family on
NDCG@k of the validation period, then refit on training and validation periods
and score the hold-out period beside the baselines on the same users: the
popularity lists, co-occurrence, and EASE, item-kNN and ALS tuned on the validation
period (rivals.py). EASE's and item-kNN's settings are chosen before the search, so both
are also candidate sources (their scores and ranks ranker features) in every period.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import optuna
import pandas as pd
from optuna.trial import FrozenTrial

from tuneplate.engine.contract.errors import TuneplateError
from tuneplate.engine.data.checks import ChecksFailed, errors
from tuneplate.engine.families.rankers import RankFit, fit_ranker, get_ranker
from tuneplate.engine.records import Selection
from tuneplate.engine.search import study as studies
from tuneplate.engine.search.first_trials import first_trials, warm_start_unused, warm_trials
from tuneplate.engine.search.strategies import get_strategy, make_sampler
from tuneplate.engine.tasks.binary import evaluation
from tuneplate.engine.tasks.ranking import beyond
from tuneplate.engine.tasks.ranking import candidates as cands
from tuneplate.engine.tasks.ranking import metrics as rk
from tuneplate.engine.tasks.ranking import rivals as rv
from tuneplate.engine.tasks.ranking.interactions import ALIKE, Log, to_log
from tuneplate.engine.tasks.ranking.item_models import Sources
from tuneplate.engine.tasks.ranking.periods import (
    PRUNER_STEPS,
    PeriodData,
    Validation,
    n_candidates,
    stack,
)
from tuneplate.engine.tasks.ranking.reading import (
    items_findings,
    parse_split,
    period_findings,
    prepare,
    time_findings,
)
from tuneplate.engine.tasks.ranking.windows import Windows, last_n_windows, time_windows
from tuneplate.engine.tasks.task import (
    Evaluated,
    Paired,
    Plan,
    Request,
    fingerprint,
    replay_findings,
    threads_per_fit,
)
from tuneplate.engine.vertical import RankingOutcome, Vertical

LARGE_LOG = 500_000  # log rows from which a ranker fit uses its share of the cores
TABLE_ONLY = (  # classification settings a log has no use for
    ("--target", "target"),
    ("--positive", "positive"),
    ("--group", "group"),
    ("--protected", "protected"),
    ("--exclude", "exclude"),
    ("--subgroups", "subgroups"),
)


@dataclass(frozen=True)
class LogData:
    """The ranking task's part of a `Plan`: the log, its periods and their candidates."""

    log: Log
    windows: Windows
    train: list[cands.Candidates]
    validation: cands.Candidates
    holdout: cands.Candidates
    priced: bool
    table_shape: tuple[int, int]
    prices: pd.Series | None = None  # item price by item id, for the rivals' revenue
    categories: pd.Series | None = None  # item category by item id, for list diversity
    # EASE's and item-kNN's settings chosen on the validation period (or why skipped):
    # the candidate sources' settings, reused as the rivals' in `evaluate`
    chosen: dict[str, rv.Rival] | None = None
    sources: Sources | None = None
    # how long "recent" is for the recency features (`cands.recent_span` of the events
    # before the hold-out): saved, so score.py builds them as the run did
    recent: np.timedelta64 | None = None


class RankingTask:
    """Learning to rank from an interaction log (see the module docstring)."""

    name = "ranking"
    reads_log = True

    def refuse(self, config, strategy: str) -> None:
        if get_strategy(strategy).chooses_family:  # the one feature that cannot apply
            raise TuneplateError(
                "strategy auto chooses among classification families; a ranking vertical "
                "tunes one ranker: use --strategy bayes, random or grid with --model "
                "lightgbm or xgboost"
            )
        unused = [flag for flag, name in TABLE_ONLY if config.setting(name)]
        if unused:
            raise TuneplateError(
                f"{', '.join(unused)} does not apply to a ranking vertical, which reads an "
                "interaction log; name its columns with --user, --item, --time (and --value)"
            )

    def check(self, vertical: Vertical, data: pd.DataFrame | None, config) -> list:
        data, roles, items, _ = prepare(vertical, data, config)
        log = to_log(data, roles)  # unparseable times and missing ids are refused here
        findings = [f for check in vertical.checks for f in check(data, roles)]
        return findings + time_findings(data, roles) + items_findings(log, items)

    def plan(self, r: Request, data: pd.DataFrame | None) -> Plan:
        """Check the log, cut the periods and build every period's candidates once."""
        vertical, config, strategy = r.vertical, r.config, r.strategy
        ranker = get_ranker(config.search.model or vertical.default_family)
        if ranker.name not in vertical.spaces:
            raise TuneplateError(
                f"the {vertical.name} vertical has no {ranker.name} ranker; choose one of: "
                f"{', '.join(vertical.spaces)} (--model)"
            )
        if config.search.metric and config.search.metric != vertical.objective.name:
            raise TuneplateError(
                "--metric does not apply to ranking: the search optimises NDCG@k; set k with --k"
            )
        k = int(r.assumptions["k"])
        split_kind, n_last = parse_split(config.columns.split)
        space = vertical.spaces[ranker.name]
        make_sampler(strategy, space, config.search.seed)  # unknown names fail here

        # data -> checks
        data, roles, items, attribution = prepare(vertical, data, config)
        log = to_log(data, roles)
        printed = fingerprint(data)
        findings = [f for check in vertical.checks for f in check(data, roles)]
        findings += time_findings(data, roles) + replay_findings(config, printed)
        findings += items_findings(log, items)
        if errors(findings):
            raise ChecksFailed(findings)

        # -> periods -> candidates, once for every trial
        windows = time_windows(log) if split_kind == "time" else last_n_windows(log, n_last)
        # read from the events before the hold-out, as the exported score.py reads the
        # log it is given: the hold-out's own events must not set how features are built
        before = Log(windows.holdout.history, log.roles, log.hit, utc=log.utc)
        repeats = cands.repeats_matter(before)
        recent = cands.recent_span(before)
        # EASE and item-kNN as candidate sources: settings chosen on the validation period
        # (as the rivals'), each refitted on the events before every period
        chosen = rv.candidate_sources(windows, k, repeats, config.search.seed)
        sources = rv.sources_of(chosen)
        built = [cands.build(w, items, repeats, recent, sources) for w in windows.all()]
        for w, c in zip(windows.all(), built, strict=True):
            if len(c.frame) == 0:
                raise TuneplateError(
                    f"the {w.name} period has no user with both earlier events and something "
                    "to predict; give a longer log, a lower --min-value, or --split last-n"
                )
        findings += period_findings(windows, built[-1], split_kind)
        warm = warm_trials(r.previous, space, ranker.name) if r.previous else []
        if r.previous and not warm:
            findings.append(warm_start_unused(config.search.warm_start))
        # The pruner sees the validation NDCG@k every few boosting rounds; it is off
        # unless chosen, so a ranking run's trials stay those of earlier versions.
        pruner_name = config.search.pruner or "none"
        return Plan(
            vertical=vertical,
            config=config,
            task=self,
            objective=replace(vertical.objective, label=f"NDCG@{k}"),
            assumptions={**r.assumptions, "split": windows.description, "repeats": repeats},
            strategy=strategy,
            family=ranker,
            space=space,
            sampler=make_sampler(strategy, space, config.search.seed),
            pruner=studies.make_pruner(pruner_name, PRUNER_STEPS),
            n_trials=r.n_trials,
            timeout=r.timeout,
            attribution=attribution,
            findings=findings,
            fit=RankFit(
                seed=config.search.seed,
                k=k,
                n_threads=threads_per_fit(len(data), config.search.jobs, LARGE_LOG),
            ),
            fingerprint=printed,
            data=LogData(
                log=log,
                windows=windows,
                train=built[:-2],
                validation=built[-2],
                holdout=built[-1],
                priced=items is not None and "price" in items.columns,
                table_shape=data.shape,
                prices=_prices(items),
                categories=_categories(items),
                chosen=chosen,
                sources=sources,
                recent=recent,
            ),
            pruner_name=pruner_name,
            first_trials=tuple(first_trials(vertical, space, ranker.name, strategy, warm)),
        )

    def resolve(self, p: Plan, params: dict[str, Any]):
        return p.family, {**p.space.fixed, **params}

    def scorer(self, p: Plan, deadline: float | None) -> Validation:
        data = PeriodData(
            p.family, p.train, p.validation, p.config.search.seed, p.config.search.jobs > 1
        )
        # The deadline is the objective's `Guard`, checked between boosting rounds.
        return Validation(p.family, p.space, data, p.fit)

    def choose(self, p: Plan, study: optuna.Study, scorer) -> tuple[FrozenTrial, Selection]:
        return studies.chosen(study)  # the one-SE rule on the search's folds

    def evaluate(
        self,
        p: Plan,
        study: optuna.Study,
        scorer: Validation,
        best: FrozenTrial,
        selection: Selection,
    ) -> Evaluated:
        """Refit the chosen trial on every period before the hold-out; score it and the
        baselines."""
        params = {**p.space.fixed, **best.params}
        k = p.fit.k
        n = n_candidates(params, k)
        X_fit, q_fit = stack([*p.train, p.validation], n)
        refit = replace(p.fit, n_rounds=int(best.user_attrs.get("n_rounds") or 100))
        model = fit_ranker(p.family, params, X_fit, q_fit, refit)
        # saved in model.json: an exported score.py rebuilds the same candidate sources
        model.sources = (p.sources or Sources()).record()
        hold = p.holdout
        q_hold, keep = hold.queries(n)
        ranker_score = model.predict(hold.frame.iloc[keep][hold.features].astype("float32"))
        q_all, _ = hold.queries(None)
        scores = {"ranker": (q_hold, keep, ranker_score)}
        for name, rank_column in cands.BASELINES.items():
            rank = hold.frame[rank_column].to_numpy(float)
            scores[name] = (q_all, np.arange(len(hold.frame)), -rank)
        per_user, coverage, shown = {}, {}, {}
        catalogue = p.windows.holdout.history["item"].nunique()
        price = hold.frame["price"].to_numpy(float) if "price" in hold.frame else None
        if price is not None and not np.isfinite(price).any():
            price = None  # no candidate's price is known (ids that match no item): no revenue
        for name, (q, rows, score) in scores.items():
            table = rk.per_user(q, score, k)
            top = rk.top_k(q, score, k)
            label = q.label[np.maximum(top, 0)] * (top >= 0)
            table["hits"] = label.sum(axis=1)
            if price is not None:
                shown_price = np.nan_to_num(price[rows][np.maximum(top, 0)])
                table["revenue"] = (shown_price * label).sum(axis=1)
            per_user[name] = table
            items = hold.frame["item"].to_numpy()[rows]
            coverage[name] = rk.coverage(q, items, score, k, catalogue)
            shown[name] = beyond.lists_of(items, top)
        # EASE, item-kNN and ALS: tuned on the validation period, scored on the same users
        users = pd.unique(q_all.users)
        rivals = rv.compare(
            p.windows,
            pd.unique(p.validation.users),
            users,
            k,
            bool(p.assumptions.get("repeats")),
            p.config.search.seed,
            p.prices if price is not None else None,
            p.chosen,
        )
        for name, rival in rivals.items():
            if rival.table is not None:
                per_user[name] = rival.table.reindex(pd.Index(users), fill_value=0.0)
                coverage[name] = rival.coverage
                shown[name] = rival.shown
        # beyond accuracy and segments, from the events before the hold-out period only
        before = p.windows.holdout.history
        popular = beyond.popularity(before)
        figures = {name: beyond.measure(top, popular, p.categories) for name, top in shown.items()}
        history_events = before.groupby("user").size().reindex(pd.Index(users), fill_value=0)
        outcome = RankingOutcome(
            k=k,
            per_user=per_user,
            coverage=coverage,
            candidate_recall=hold.recall_at(n),
            source_recall=hold.source_recall(n),
            sources=_source_notes(p.chosen or {}, p.sources),
            catalogue=catalogue,
            assumptions=p.assumptions,
            seed=p.config.search.seed,
            priced=price is not None,
            hit=p.log.hit,
            alike=ALIKE in p.log.hit,
            rivals={name: rival.record() for name, rival in rivals.items()},
            beyond=figures,
            history_events=history_events,
            cold_start=_cold_start(p.windows.holdout, k),
        )
        evaluated = p.vertical.evaluate(outcome)
        train_score = rk.mean_ndcg(q_fit, model.predict(X_fit), k)
        w, events = p.windows, p.log.events
        fields = {
            "model_family": p.family.name,
            "best_params": params,
            "holdout": float(per_user["ranker"]["ndcg"].mean()),
            "train": float(train_score),
            "data": {
                "rows": p.table_shape[0],
                "columns": p.table_shape[1],
                "features": len(hold.features),
                "users": int(events["user"].nunique()),
                "items": int(events["item"].nunique()),
                "positive_events": int(events["positive"].sum()),
                "holdout_users": int(len(q_hold.sizes)),
                "validation_users": int(len(p.validation.missed)),
                "training_queries": int(sum(len(c.missed) for c in p.train)),
                "holdout_rows": int(len(q_hold.sizes)),
                "holdout_unit": "customers",
                "subject": "The model orders, for each customer, the items they are most likely "
                f"to choose next; the first {k} are what the customer would be shown.",
                "split": w.description,
                "periods": {x.name: {"from": str(x.start), "to": str(x.end)} for x in w.all()},
                "candidate_recall": outcome.candidate_recall,
                "candidate_recall_by_source": dict(outcome.source_recall),
                "candidate_sources": dict(outcome.sources),
                "rivals": outcome.rivals,
                "fingerprint": p.fingerprint,
                # whether the user's own items were candidates (re-buys): score.py keeps the
                # run's decision, never one recomputed on the log it scores
                "repeats": bool(p.assumptions.get("repeats")),
                # the recency features' span, in days: score.py keeps the run's, never one
                # recomputed on the (perhaps much shorter) log it scores
                **({"recent_days": float(p.recent / cands.DAY)} if p.recent is not None else {}),
                # the time column's day/month order ("%m/%d/%Y"): score.py reads a log as the
                # run did, never by a new guess from dates that prove no order
                **({"time_format": p.log.date_format} if p.log.date_format else {}),
                "roles": {k: v for k, v in vars(p.log.roles).items() if v is not None},
                # the value column's 1st–99th percentiles: score.py refuses a log on
                # another scale (`interactions.check_scale`)
                **({"value_range": list(r)} if (r := p.log.value_range) else {}),
            },
            "holdout_metrics": evaluated.metrics,
            "tables": evaluated.tables,
            "assumptions": evaluated.assumptions,
            "headline": evaluated.headline,
            "baseline": _strongest(per_user, rivals),
            "baselines": {
                name: {m: float(v) for m, v in per_user[name].mean().items()}
                | {"coverage": float(coverage[name])}
                for name in per_user
                if name != "ranker"
            },
            "importance": evaluation.importance(study),
            "model": model,
        }
        return Evaluated(fields)

    def holdout_scores(self, p: Plan, results) -> Paired:
        """Each hold-out user's NDCG@k (0 for a user the kept candidates miss), in
        the order of every hold-out user, so two runs' figures pair up by user."""
        hold, k = p.holdout, p.fit.k
        q, keep = hold.queries(n_candidates(results.best_params, k))
        score = results.model.predict(hold.frame.iloc[keep][hold.features].astype("float32"))
        users = pd.unique(hold.queries(None)[0].users)
        ndcg = rk.per_user(q, score, k)["ndcg"].reindex(users, fill_value=0.0).to_numpy()
        mean = replace(p.objective, score=lambda _, s: float(np.mean(s)))
        return Paired(np.zeros(len(ndcg)), ndcg, mean)

    def describe(self, p: Plan) -> dict[str, Any]:
        return {
            "rows": p.table_shape[0],
            "split": p.windows.description,
            "holdout_rows": int(len(pd.unique(p.holdout.queries(None)[0].users))),
            "fingerprint": p.fingerprint,
        }


# The list baselines' names in the report (the rivals carry their own, `rv.LABELS`).
LIST_LABELS = {
    "popularity": "most popular items (all time)",
    "recent_popularity": "most popular items (recent)",
    "cooccurrence": "bought together (co-occurrence)",
}


def _strongest(per_user: dict[str, pd.DataFrame], rivals: dict[str, rv.Rival]) -> dict:
    """The baseline the report's "Baseline vs challenger" shows: the simple model with the
    best hold-out NDCG@k, the same one the vertical's verdict compares with (first on a
    tie, in `per_user`'s order). A rival's settings are those tuned on the validation
    period; a list baseline has none.

    Example:
        >>> _strongest(per_user, rivals)["family"]
        'recent_popularity'
    """
    names = [name for name in per_user if name != "ranker"]
    best = max(names, key=lambda name: per_user[name]["ndcg"].mean())
    rival = rivals.get(best)
    return {
        "family": best,
        "label": rival.label if rival is not None else LIST_LABELS[best],
        "params": dict(rival.params) if rival is not None else {},
        "holdout": float(per_user[best]["ndcg"].mean()),
        "settings": "tuned on the validation period" if rival is not None else "a fixed rule",
    }


def _source_notes(chosen: dict[str, rv.Rival], sources: Sources | None) -> dict:
    """The model sources' settings by name, or why one was left out (results.json's
    data["candidate_sources"]): {"ease": {"l2": 500.0}, "item_knn": {"skipped": "…"}}.

    Example:
        >>> _source_notes(chosen, rv.sources_of(chosen))["ease"]
        {'l2': 1000.0}
    """
    record = (sources or Sources()).record()
    return {
        name: record.get(name) or {"skipped": chosen[name].note if name in chosen else ""}
        for name in rv.SOURCES
    }


def _prices(items: pd.DataFrame | None) -> pd.Series | None:
    """Item prices by item id (as the candidates' `price` feature), or None."""
    if items is None or "price" not in items.columns:
        return None
    return pd.to_numeric(items["price"], errors="coerce").astype(float)


def _categories(items: pd.DataFrame | None) -> pd.Series | None:
    """Item categories by item id (text), or None when the item table has none."""
    if items is None or "category" not in items.columns:
        return None
    return items["category"].astype("string")


def _cold_start(window, k: int) -> pd.DataFrame:
    """Per hold-out user with no earlier event (cold start), the metrics of the list they
    are served: the all-time popularity list's top k (`candidates.popular_items`).

    One row per such user (columns as `metrics.per_user`); no rows when there are none.
    Example:
        >>> _cold_start(windows.holdout, 10)["ndcg"].mean()
        0.04
    """
    known = pd.Index(window.history["user"].unique())
    labels = window.labels[~window.labels["user"].isin(known)][["user", "item"]]
    labels = labels.drop_duplicates()
    users = pd.unique(labels["user"])
    if len(users) == 0:
        return pd.DataFrame(columns=["ndcg", "precision", "recall", "map", "hit_rate"])
    top = cands.popular_items(window.history, k)
    rows = pd.DataFrame({"user": np.repeat(users, len(top)), "item": np.tile(top, len(users))})
    label = rows.merge(labels.assign(label=1), on=["user", "item"], how="left")["label"]
    label = label.fillna(0).to_numpy(int)
    relevant = labels.groupby("user").size().reindex(users).to_numpy()
    found = label.reshape(len(users), len(top)).sum(axis=1)
    q = rk.Queries(rows["user"].to_numpy(object), label, pd.Series(relevant - found))
    return rk.per_user(q, np.tile(np.arange(len(top), 0, -1), len(users)).astype(float), k)


RANKING = RankingTask()
