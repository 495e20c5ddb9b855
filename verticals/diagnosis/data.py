"""The embedded example: Breast Cancer Wisconsin (Diagnostic).

569 fine-needle aspirates of breast masses, 30 measurements of the cell nuclei in
the digitised image (mean, standard error and worst value of ten features) and
the pathologist's diagnosis. Source: W. H. Wolberg, W. N. Street and O. L.
Mangasarian (1995), UCI Machine Learning Repository, https://doi.org/10.24432/C5DW2B,
licensed CC BY 4.0. It ships inside scikit-learn, so nothing is copied here.
"""

from __future__ import annotations

import pandas as pd

from tuneplate.plugin import Example, Roles

ATTRIBUTION = (
    "Breast Cancer Wisconsin (Diagnostic), W. H. Wolberg, W. N. Street and O. L. Mangasarian, "
    "1995. UCI Machine Learning Repository, doi:10.24432/C5DW2B. Licensed CC BY 4.0; "
    "read from the copy shipped inside scikit-learn."
)
TARGET, POSITIVE = "diagnosis", "malignant"


def load() -> Example:
    """The breast-cancer table with readable names (target `diagnosis`, event `malignant`).

    scikit-learn codes malignant as 0; the text column says what each value means,
    so the event is never the wrong way round.

    Example:
        >>> load().table.shape
        (569, 31)
    """
    from sklearn.datasets import load_breast_cancer  # only when the example is used

    bunch = load_breast_cancer(as_frame=True)
    features = bunch.data.rename(columns=lambda c: c.replace(" ", "_"))
    names = pd.Series(bunch.target_names[bunch.target.to_numpy()], index=features.index)
    table = features.assign(**{TARGET: names.astype(str)})
    return Example(table, Roles(target=TARGET, positive=POSITIVE), ATTRIBUTION)
