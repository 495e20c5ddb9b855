"""Default search spaces per model family, beside the families they tune.

Ranges follow the sources gathered in research/verticals.md §5.3 (FLAML, Optuna's
LightGBM tuner, AutoGluon, the LightGBM and XGBoost tuning guides). Boosting
rounds are not searched: early stopping picks them. Verticals start from these
and override what their industry needs.
"""

from tuneplate.engine.search.space import Param, Space

LIGHTGBM = Space(
    (
        Param("learning_rate", 0.005, 0.2, log=True, grid=(0.02, 0.05, 0.1), start=0.05),
        Param("num_leaves", 8, 256, log=True, integer=True, grid=(15, 63), start=15),
        Param(
            "min_child_samples",
            5,
            200,
            log=True,
            integer=True,
            grid=(20, 60),
            start=20,
            max_share=0.1,
        ),
        Param("colsample_bytree", 0.4, 1.0, grid=(0.6, 0.9), start=0.8),
        Param("subsample", 0.4, 1.0, start=0.8),
        Param("reg_alpha", 1e-8, 10.0, log=True, start=1e-8),
        Param("reg_lambda", 1e-8, 10.0, log=True, start=1.0),
    ),
    fixed={"subsample_freq": 1},  # LightGBM ignores subsample unless bagging is switched on
)

XGBOOST = Space(
    (
        Param("learning_rate", 0.005, 0.2, log=True, grid=(0.02, 0.05, 0.1), start=0.05),
        Param("max_depth", 2, 10, integer=True, grid=(3, 6), start=4),
        Param("min_child_weight", 0.5, 64.0, log=True, grid=(1.0, 8.0), start=1.0),
        Param("subsample", 0.5, 1.0, start=0.8),
        Param("colsample_bytree", 0.4, 1.0, grid=(0.6, 0.9), start=0.8),
        Param("gamma", 0.0, 5.0, start=0.0),
        Param("reg_alpha", 1e-3, 10.0, log=True, start=1e-3),
        Param("reg_lambda", 1e-3, 10.0, log=True, start=1.0),
    ),
)

LOGISTIC = Space(
    (Param("C", 1e-4, 1e2, log=True, grid=(1e-3, 1e-2, 0.1, 1.0, 10.0, 100.0), start=1.0),),
)
