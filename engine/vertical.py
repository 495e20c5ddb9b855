"""The `Vertical` record: everything the engine needs to know about an industry.

The engine reads verticals only through this dataclass and never imports one;
each vertical package builds exactly one `VERTICAL = Vertical(...)`.
"""

from __future__ import annotations

import difflib
import functools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from tuneplate.engine.contract.errors import TuneplateError, raised_at
from tuneplate.engine.contract.group_ids import entity_clusters
from tuneplate.engine.contract.reasons import ReasonWords
from tuneplate.engine.data.checks import Finding
from tuneplate.engine.data.roles import Roles
from tuneplate.engine.metrics import Objective
from tuneplate.engine.results import About, Card, Headline, Role, Table, TableKey
from tuneplate.engine.search.space import Space
from tuneplate.engine.tasks.ranking.interactions import InteractionRoles

__all__ = [
    "About",
    "Card",
    "Evaluation",
    "Example",
    "Objective",
    "Option",
    "Outcome",
    "Headline",
    "RankingOutcome",
    "ReasonWords",
    "Role",
    "Table",
    "TableKey",
    "Vertical",
]


@dataclass(frozen=True)
class Example:
    """An embedded data set with its column roles and source credit."""

    table: pd.DataFrame
    roles: Roles | InteractionRoles
    attribution: str
    items: pd.DataFrame | None = None  # ranking: item attributes (category, price) by item id


@dataclass(frozen=True)
class Evaluation:
    """What a vertical says about the final model's hold-out predictions.

    `metrics` are plain scores; `tables` are the business translation (declare in each
    table's `roles` the columns the report charts, e.g. `Role.APPROVAL_RATE`);
    `assumptions` are printed beside the figures they produce; `headline` is a
    `Headline`: the vertical's plain sentences for the verdict (`summary`), the
    recommended operating point in one sentence (`operating_point`) and the report's
    three headline numbers (`cards`, each a `Card(label, value, format, assumption)`;
    `format`: money, percent, count or number). A dict with those keys is still accepted.

    Example:
        >>> Evaluation({"roc_auc": 0.8}, [table], {}, Headline(summary=("...",), cards=cards))
    """

    metrics: dict[str, float]
    tables: list[Table]
    assumptions: dict[str, Any]
    headline: Headline


@dataclass(frozen=True)
class Sample:
    """The words a vertical's sentences use for the rows an `Outcome` holds.

    `adjective` goes before a noun ("the 200 hold-out applicants"), `noun` after "on
    the" ("on the hold-out"). A run's outcome is the hold-out; `tuneplate validate`
    hands the vertical new rows (`VALIDATION_SAMPLE`), so no figure of new rows is
    called a hold-out figure.
    """

    adjective: str = "hold-out"
    noun: str = "hold-out"


HOLDOUT_SAMPLE = Sample()
VALIDATION_SAMPLE = Sample("validation", "validation rows")


@dataclass(frozen=True)
class Outcome:
    """What the final model did, handed to the vertical's `evaluate`.

    The hold-out arrays are the honest figures. The validation arrays are
    out-of-fold predictions of the chosen configuration on the development rows:
    use them to choose anything (a threshold, a cut-off) before looking at the
    hold-out, never the hold-out itself. When `threshold` is set (validation of a
    frozen model on new rows), the operating point is that threshold, chosen at the run.
    """

    y: np.ndarray  # hold-out outcome, 1 = event
    score: np.ndarray  # hold-out predicted probability of the event
    rows: pd.DataFrame  # hold-out rows, for group columns; only aggregates may leave
    roles: Roles
    assumptions: Mapping[str, Any]
    valid_y: np.ndarray
    valid_score: np.ndarray
    # The operating point frozen at the run (`tuneplate validate`): the score threshold
    # of headline.figures["operating_threshold"], used as it is, nothing chosen again.
    threshold: float | None = None
    sample: Sample = HOLDOUT_SAMPLE  # what to call these rows in sentences
    # The run's whole table's event rate ("the sample's own prevalence") and the
    # development rows' (the rate the final model was fitted at, from which a stated
    # prevalence shifts its risks); None: derive them from the arrays above.
    sample_rate: float | None = None
    fitted_rate: float | None = None
    # The run's band edges of numeric group columns (`metrics.group_bands`), so that
    # `validate` compares the groups the run reported; empty: cut on these rows.
    bands: Mapping[str, Sequence[float]] = field(default_factory=dict)

    def clusters(self) -> np.ndarray | None:
        """One integer per row, shared by rows of one `--group` id (a patient's visits, a
        customer's loans): resample or count these, not rows, in any interval. Rows
        without an id are their own; None without `--group` or when no id repeats.

        Example:
            >>> outcome.clusters()
            array([0, 0, 1, 2, 2, 2])
        """
        group = self.roles.group
        if not group or group not in self.rows.columns:
            return None
        return entity_clusters(self.rows[group], group)


@dataclass(frozen=True)
class RankingOutcome:
    """What the final ranker and the baselines did on the hold-out period.

    `per_user` maps each method ("ranker", then every baseline) to one row per
    evaluated user (the same users, in the same order) with columns ndcg, precision,
    recall, map, hit_rate, hits (relevant items shown) and, when prices are known,
    revenue (the price of those items). The vertical turns them into business units.
    """

    k: int
    per_user: Mapping[str, pd.DataFrame]
    coverage: Mapping[str, float]
    candidate_recall: float
    catalogue: int
    assumptions: Mapping[str, Any]
    seed: int
    priced: bool  # revenue columns hold item prices (else there is no revenue)
    hit: str = "any event in the log"  # which events count as hits, in words (`hit_rule`)
    alike: bool = False  # several event types (views, purchases) all count as hits
    # The strong rivals (EASE, item-kNN, ALS) by name: their chosen settings and validation
    # NDCG@k, or why one was skipped (`rivals.Rival.record`); their scores are in per_user.
    rivals: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    # Beyond accuracy per method (`ranking.beyond.measure`): novelty, arp, long_tail, and
    # diversity when the item table gives categories.
    beyond: Mapping[str, Mapping[str, float]] = field(default_factory=dict)
    # Events before the hold-out period per evaluated user (per_user's index and order).
    history_events: pd.Series | None = None
    # Hold-out users with no earlier event (served the popularity list): one row each with
    # that list's ndcg, hit_rate, ...; None when not computed.
    cold_start: pd.DataFrame | None = None
    # Candidate recall of each source alone at the run's cut (`Candidates.source_recall`):
    # popularity, recent_popularity, cooccurrence, ease, item_knn, own (those used).
    source_recall: Mapping[str, float] = field(default_factory=dict)
    # The model sources' settings, or {"skipped": why} (EASE above its catalogue limit).
    sources: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)


@dataclass(frozen=True)
class Option:
    """A vertical's own command-line option, stored as a business assumption.

    Example:
        >>> Option("--prevalence", "prevalence", float, "the event rate where the model is used")
    """

    flag: str
    key: str
    type: Callable[[str], Any]
    help: str


Evaluate = Callable[[Any], Evaluation]  # an Outcome, or a RankingOutcome for ranking
Check = Callable[[pd.DataFrame, Any], list[Finding]]  # (table, Roles or InteractionRoles)


@dataclass(frozen=True)
class Vertical:
    """One industry template.

    Args:
        name: the CLI name, e.g. "credit-risk".
        title: the reader-facing name.
        summary: one line for `tuneplate verticals`.
        objective: what the study optimises.
        spaces: search space per model family (keys are family names).
        default_family: the family tuned when none is asked for.
        checks: the domain checks run after the generic ones.
        evaluate: hold-out metrics and the business translation.
        example: loads the embedded data set.
        positive_words: target values read as the event ("bad", "default").
        assumptions: default business assumptions, overridable per run.
        default_trials, default_timeout: the budget of a plain `tuneplate run`.
        options: extra command-line options, each stored as an assumption.
        validate: the one place the vertical declares its assumptions' keys and ranges:
            given the defaults merged with the run's, it raises `TuneplateError` on an
            unknown key or an impossible value. Build it with
            `engine.assumptions.validator(name, [Assumption(...), ...])`; `plan` calls it
            before the data is read. Without it, only `assumptions`' keys (and the
            options') are accepted.
        adapt_space: `(family, space, development rows, roles) -> space`, to fit the
            space to the table (e.g. simpler models when events are few).
        adapt_rule: how `adapt_space` decides, in one sentence; a run whose ranges it
            changed prints it beside them (finding "space_adapted").
        baseline_family: fitted at its default settings as the report's baseline.
        monotone_auto: True offers `--monotone auto` (directions proposed from the
            development rows, engine/monotone_auto.py); other verticals refuse it.
        intended_use, out_of_scope: the report's "what the model is for" section, copied
            into `Results.about` at run time (`About.from_vertical(vertical)`), so a
            re-render never needs this vertical installed.
        task: "binary" (a table with an outcome column) or "ranking" (an interaction
            log; `spaces` then holds rankers and `evaluate` gets a `RankingOutcome`).
        priors: known-good starting settings per family, cheap ones first; the study
            tries them before any strategy's own proposals (grid search: only those
            on the grid).
        money: the assumptions that are amounts in the `currency` assumption's unit
            (credit risk: the exposure): when the currency is taken from the data's
            signs, an unstated one keeps its default number, set for the default
            currency, and `engine.currency.settle` says so.
        amount_words: words that, as a word of a column's name, mark one of the amounts
            the money figures stand for (credit risk: "amount", "loan", "balance",
            "income"...; `engine.currency.is_amount`). Only these columns' currency signs
            set the `currency` assumption or contradict a stated one: "$10" tiers in a
            `phone_plan` column say nothing of the exposure's currency. None named: no
            currency is taken from the data (a warning names the signed columns).
        reasons: how `tuneplate explain` and an exported `score.py --reasons` word the
            decision at the operating threshold and each reason (`ReasonWords`: the
            decisions, whether the threshold itself is on the event side, what the
            probability is called); the default ("flagged" at or above the threshold,
            "raises the risk") suits a plugin vertical that sets none.
    """

    name: str
    title: str
    summary: str
    objective: Objective
    spaces: Mapping[str, Space]
    default_family: str
    checks: Sequence[Check]
    evaluate: Evaluate
    example: Callable[[], Example]
    positive_words: tuple[str, ...] = ()
    assumptions: Mapping[str, Any] = field(default_factory=dict)
    default_strategy: str = "bayes"
    default_trials: int = 50
    default_timeout: float | None = None
    n_folds: int = 5
    options: tuple[Option, ...] = ()
    validate: Callable[[Mapping[str, Any]], None] | None = None
    adapt_space: Callable[[str, Space, pd.DataFrame, Roles], Space] | None = None
    adapt_rule: str = ""
    baseline_family: str = "logistic"  # the simple challenger every report compares with
    monotone_auto: bool = False  # offers --monotone auto (risk drivers with a known sign)
    intended_use: str = ""  # what the model is for, in the report's words
    out_of_scope: str = ""  # what it must not be used for
    task: str = "binary"
    priors: Mapping[str, Sequence[Mapping[str, Any]]] = field(default_factory=dict)
    reasons: ReasonWords = ReasonWords()
    money: tuple[str, ...] = ()
    amount_words: tuple[str, ...] = ()

    def __post_init__(self):
        for family, space in self.spaces.items():  # a misspelt name was tuned for nothing
            _check_names(self.name, family, space)
        for family, settings in self.priors.items():  # a typo here was clamped silently
            _check_priors(self.name, family, self.spaces.get(family), settings)
        # The vertical's own code (a team's plugin, often): an error it raises is one
        # line naming the vertical, the hook and its file and line, so the CLI says it
        # (and, after a search, how to resume) instead of a traceback into tuneplate.
        guard = functools.partial(_own_code, self.name)
        object.__setattr__(self, "evaluate", guard("evaluate", self.evaluate))
        object.__setattr__(self, "checks", tuple(guard("check", c) for c in self.checks))
        if self.adapt_space is not None:
            object.__setattr__(self, "adapt_space", guard("adapt_space", self.adapt_space))


def _check_names(vertical: str, family: str, space: Space) -> None:
    """Refuse a searched parameter whose name is near, not equal to, one the family
    knows (`num_leafs`): the library would take it as another setting, or ignore it,
    and every trial would vary a setting with no effect. A name far from every known
    one (a native alias such as XGBoost's `eta`) is left to the library."""
    from tuneplate.engine.families.registry import FAMILIES  # the models, when needed

    known = FAMILIES.get(family)
    if known is None:  # a ranker, or a family registered elsewhere
        return
    names = {
        *(p.name for p in known.space.params),
        *known.space.fixed,
        *known.defaults,
        *known.exact_fit,
    }
    for param in space.params:
        if param.name in names:
            continue
        near = difflib.get_close_matches(param.name, names, n=1, cutoff=0.8)
        if near:
            raise ValueError(
                f"{vertical}: the {family} space searches {param.name!r}, which "
                f"{known.label} does not know; did you mean {near[0]!r}?"
            )


def _check_priors(vertical: str, family: str, space, settings) -> None:
    """Each prior names the family's searched parameters, inside their ranges."""
    if space is None:
        raise ValueError(f"{vertical}: priors for {family!r}, which has no search space")
    params = {p.name: p for p in space.params}
    for prior in settings:
        for name, value in prior.items():
            if name not in params:
                raise ValueError(
                    f"{vertical}: a {family} prior sets {name!r}, which its space does not "
                    f"search (it searches {', '.join(params)})"
                )
            if not params[name].contains(value):
                raise ValueError(
                    f"{vertical}: a {family} prior sets {name}={value!r}, outside the space "
                    f"of {name!r}; change the prior or the range"
                )


def _own_code(vertical: str, hook: str, fn: Callable) -> Callable:
    """`fn` with any error but a `TuneplateError` raised as one naming the vertical."""
    if getattr(fn, "_tuneplate_guarded", False):  # `dataclasses.replace` builds again
        return fn

    @functools.wraps(fn)
    def call(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except TuneplateError:
            raise
        except Exception as exc:
            named = f"{hook} {fn.__name__}" if hook == "check" else hook
            code = getattr(fn, "__code__", None)  # a plain function: its folder's lines
            where = raised_at(exc, within=code and str(Path(code.co_filename).parent))
            raise TuneplateError(
                f"the {vertical} vertical's {named} raised {where}; fix it there"
            ) from exc

    call._tuneplate_guarded = True
    return call
