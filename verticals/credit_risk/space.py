"""Credit-risk search spaces: the engine's defaults with larger leaves.

Scorecards must be stable across vintages, so leaves hold more applicants than
the generic default (the LightGBM guide suggests hundreds for large data; the
floor is clipped to 10% of the training rows on small tables).
"""

from tuneplate.plugin import LIGHTGBM, LOGISTIC, SCORECARD, XGBOOST, Param

SPACES = {
    "lightgbm": LIGHTGBM.with_params(
        Param(
            "min_child_samples",
            20,
            1000,
            log=True,
            integer=True,
            grid=(30, 100),
            start=50,
            max_share=0.1,
        ),
        Param("num_leaves", 4, 128, log=True, integer=True, grid=(7, 31), start=7),
    ),
    "xgboost": XGBOOST.with_params(
        Param("min_child_weight", 1.0, 128.0, log=True, grid=(2.0, 16.0), start=4.0),
        Param("max_depth", 2, 8, integer=True, grid=(3, 5), start=3),
    ),
    "logistic": LOGISTIC,
    # the champion scorecard (the baseline): the engine's space, optbinning's defaults
    "scorecard": SCORECARD,
}

DEFAULT_FAMILY = "lightgbm"

# Known-good starting settings per family, cheapest first, tried before any strategy's
# own proposals (FLAML's low-cost init, flaml/automl/model.py; AutoGluon's defaults,
# autogluon tabular searchspaces.py). Settings left out take the space's start.
PRIORS = {
    "lightgbm": [
        {"num_leaves": 4},  # FLAML's low-cost init: 4 leaves (early stopping sets the trees)
        # AutoGluon's LightGBM binary defaults (autogluon@18dc1bc searchspaces.py)
        {"learning_rate": 0.05, "num_leaves": 31, "min_child_samples": 20},
    ],
    "xgboost": [
        # AutoGluon's XGBoost learning rate (autogluon@0c26880) at FLAML's limit-depth init 6
        {"learning_rate": 0.03, "max_depth": 6},
    ],
    "logistic": [{"C": 1.0}],  # scikit-learn's default penalty
}
