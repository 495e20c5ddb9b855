"""Shared fixtures: small real and synthetic tables."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tuneplate.verticals.credit_risk import data as credit_data


@pytest.fixture(scope="session")
def german_credit() -> pd.DataFrame:
    """The embedded German credit table (1,000 applicants)."""
    return credit_data.load().table


def make_loans(n: int = 400, seed: int = 0) -> pd.DataFrame:
    """A synthetic loan book with real but imperfect signal, no leakage."""
    rng = np.random.default_rng(seed)
    income = rng.lognormal(10, 0.4, n)
    debt_ratio = rng.uniform(0, 1, n)
    purpose = rng.choice(["car", "home", "education", "other"], n)
    logit = -1.2 + 2.0 * debt_ratio - 0.5 * (np.log(income) - 10) + (purpose == "education") * 0.6
    bad = rng.random(n) < 1 / (1 + np.exp(-logit))
    return pd.DataFrame(
        {
            "income": income.round(0),
            "debt_ratio": debt_ratio.round(3),
            "purpose": purpose,
            "status": np.where(bad, "bad", "good"),
        }
    )


@pytest.fixture
def loans() -> pd.DataFrame:
    return make_loans()
