"""What a vertical imports: the stable surface for built-in and third-party verticals.

A vertical (five small files: ``__init__``, ``space``, ``metrics``, ``checks``,
``data``) needs records to declare itself, the generic checks to build on, search-space
parameters, metrics and result tables. It imports them from here and nowhere else, so the
engine's modules can move without breaking a vertical someone else maintains; the scaffold
(`tuneplate new-vertical`) writes files that use only this module. This follows the idea
of a plugin API kept apart from the implementation (pluggy's hook specifications; Python's
own advice to publish names through ``__all__``).

Example:
    >>> from tuneplate.plugin import Finding, Param, Roles, Vertical
    >>> Param("C", 1e-3, 1e2, log=True)  # doctest: +SKIP
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tuneplate.engine.assumptions import Assumption, validator
from tuneplate.engine.contract.calibration import at_prevalence
from tuneplate.engine.contract.errors import TuneplateError
from tuneplate.engine.contract.group_ids import entity_codes, read_group_ids
from tuneplate.engine.contract.intervals import MIN_ENTITIES, Calibration, calibration
from tuneplate.engine.data.checks import (
    HIGH_CARDINALITY,
    LEAKAGE_AUC,
    Finding,
    errors,
    many_levels,
    names_matching,
    ordered,
    run_checks,
    single_feature_auc,
)
from tuneplate.engine.data.roles import Roles, resolve_roles
from tuneplate.engine.decision_intervals import (
    DecisionIntervals,
    count_interval,
    decision_intervals,
    net_benefit_interval,
    share_interval,
)
from tuneplate.engine.families.registry import get_family
from tuneplate.engine.families.spaces import LIGHTGBM, LOGISTIC, SCORECARD, XGBOOST
from tuneplate.engine.labels import column_label
from tuneplate.engine.metrics import (
    METRICS,
    Objective,
    calibration_bands,
    pooled_group,
    readable_groups,
)
from tuneplate.engine.money import money
from tuneplate.engine.results import About, Card, Headline, Role, Table, TableKey
from tuneplate.engine.search.space import Param, Space
from tuneplate.engine.tasks.ranking.candidates import PER_SOURCE
from tuneplate.engine.tasks.ranking.interactions import (
    FUTURE_TOLERANCE,
    InteractionRoles,
    epoch_unit,
    parse_times,
    zoned,
)
from tuneplate.engine.tasks.ranking.metrics import METRIC_LABELS, interval, ratio_interval
from tuneplate.engine.vertical import (
    HOLDOUT_SAMPLE,
    Evaluation,
    Example,
    Option,
    Outcome,
    RankingOutcome,
    ReasonWords,
    Sample,
    Vertical,
)

if TYPE_CHECKING:
    from tuneplate.engine.tune import Config, check, run_vertical

__all__ = [
    "DecisionIntervals",
    "count_interval",
    "decision_intervals",
    "net_benefit_interval",
    "share_interval",
    # declaring a vertical
    "Vertical",
    "Option",
    "Example",
    "Assumption",
    "validator",
    "TuneplateError",
    # data roles and checks
    "Roles",
    "InteractionRoles",
    "resolve_roles",
    "read_group_ids",
    "entity_codes",
    "PER_SOURCE",
    "at_prevalence",
    "epoch_unit",
    "parse_times",
    "zoned",
    "FUTURE_TOLERANCE",
    "Finding",
    "run_checks",
    "errors",
    "names_matching",
    "single_feature_auc",
    "many_levels",
    "ordered",
    "HIGH_CARDINALITY",
    "LEAKAGE_AUC",
    # search spaces
    "Param",
    "Space",
    "LIGHTGBM",
    "LOGISTIC",
    "SCORECARD",
    "XGBOOST",
    "get_family",
    # metrics and what the report shows
    "METRICS",
    "Objective",
    "calibration",
    "calibration_bands",
    "pooled_group",
    "readable_groups",
    "money",
    "column_label",
    "Evaluation",
    "Outcome",
    "Sample",
    "HOLDOUT_SAMPLE",
    "RankingOutcome",
    "Table",
    "TableKey",
    "Role",
    "Headline",
    "Calibration",
    "MIN_ENTITIES",
    "Card",
    "About",
    "ReasonWords",
    "METRIC_LABELS",
    "interval",
    "ratio_interval",
    # running a vertical in its own tests
    "Config",
    "check",
    "run_vertical",
]


def __getattr__(name: str):
    # The runner (`Config`, `check`, `run_vertical`) is imported at first use (PEP 562):
    # every vertical imports this module, and `tuneplate --help` lists the verticals'
    # options without needing the search engine.
    if name in ("Config", "check", "run_vertical"):
        from tuneplate.engine import tune

        return getattr(tune, name)
    raise AttributeError(f"module 'tuneplate.plugin' has no attribute {name!r}")
