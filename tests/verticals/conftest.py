"""Fixtures shared by the verticals' tests."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest


def make_patients(n: int = 600, seed: int = 0) -> pd.DataFrame:
    """A clean clinical table: real but imperfect signal, about 30% cases, no leakage."""
    rng = np.random.default_rng(seed)
    age = rng.integers(20, 90, n)
    marker = rng.normal(0, 1, n)
    bmi = rng.normal(27, 4, n).round(1)
    logit = -1.2 + 1.5 * marker + 0.03 * (age - 55)
    sick = rng.random(n) < 1 / (1 + np.exp(-logit))
    return pd.DataFrame(
        {
            "age": age,
            "marker": marker.round(3),
            "bmi": bmi,
            "smoker": rng.choice(["no", "yes"], n),
            "disease": np.where(sick, "yes", "no"),
        }
    )


@pytest.fixture
def patients() -> pd.DataFrame:
    return make_patients()
