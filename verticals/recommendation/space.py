"""Ranker search spaces: LightGBM `lambdarank` and XGBoost `rank:ndcg`.

The engine's tree spaces with a faster learning-rate range (ranking sets are wide,
and early stopping on the validation period picks the rounds), plus the candidate
generator's size: how many items each source proposes per customer. Fewer
candidates make an easier, faster ranking problem; more raise the ceiling
(candidate recall) that no ranker can pass.
"""

from tuneplate.plugin import LIGHTGBM, XGBOOST, Param

CANDIDATES = Param("candidates", choices=(25, 50, 100), grid=(50, 100), start=50)

SPACES = {
    "lightgbm": LIGHTGBM.with_params(
        Param("learning_rate", 0.01, 0.2, log=True, grid=(0.05, 0.1), start=0.05),
        Param("num_leaves", 7, 127, log=True, integer=True, grid=(15, 63), start=31),
        Param(
            "min_child_samples",
            10,
            500,
            log=True,
            integer=True,
            grid=(20, 100),
            start=50,
            max_share=0.1,
        ),
        CANDIDATES,
    ),
    "xgboost": XGBOOST.with_params(
        Param("learning_rate", 0.01, 0.2, log=True, grid=(0.05, 0.1), start=0.05),
        CANDIDATES,
    ),
}

DEFAULT_FAMILY = "lightgbm"
