"""Default search spaces per model family, under the names verticals import.

Each space lives in its family's module (`lightgbm.SPACE`, …), beside the fit it
tunes; verticals start from these and override what their industry needs.

Example:
    >>> from tuneplate.engine.families.spaces import LIGHTGBM
    >>> LIGHTGBM.start["learning_rate"]
    0.05
"""

from tuneplate.engine.families.lightgbm import SPACE as LIGHTGBM
from tuneplate.engine.families.logistic import SPACE as LOGISTIC
from tuneplate.engine.families.scorecard import SPACE as SCORECARD
from tuneplate.engine.families.xgboost import SPACE as XGBOOST

__all__ = ["LIGHTGBM", "LOGISTIC", "SCORECARD", "XGBOOST"]
