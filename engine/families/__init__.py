"""Model families: one module each (`logistic`, `lightgbm`, `xgboost`), one registry.

A family module holds its default space, its fit (early stopping on a validation
fold, a deadline on boosting), its native save and load, and its cost, and ends
with `FAMILY = Family(...)` (`base.Family`). Add a family by writing such a module
and listing its `FAMILY` in `registry.FAMILIES`; a vertical offers it by giving a
space under its name. `models.Model` is the refitted model with its schema;
`rankers` holds the learning-to-rank families under the same idea (`RANKERS`).
"""
