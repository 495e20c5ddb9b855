"""`Profile.off_range`: new values almost all beyond the development's outer bands."""

from __future__ import annotations

import numpy as np
import pandas as pd

from tuneplate.engine.contract.profile import Profile
from tuneplate.engine.contract.schema import Schema


def _profiled(n: int = 500, seed: int = 0):
    rng = np.random.default_rng(seed)
    table = pd.DataFrame(
        {
            "ratio": rng.uniform(0, 1, n).round(3),
            "applied": pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 365, n), "D"),
            "flag": rng.integers(0, 2, n),
        }
    )
    schema, _ = Schema.learn(table, list(table.columns))
    schema, _ = schema.fit_levels(table)
    encoded = schema.encode(table)[0]
    return table, schema, Profile.learn(schema, encoded, rng.uniform(0, 1, n))


def _lines(schema, profile, rows):
    return profile.off_range(schema, schema.encode(rows)[0])


def test_a_unit_change_is_said_and_the_usual_spread_is_not():
    table, schema, profile = _profiled()
    new = table.sample(60, random_state=1)
    assert _lines(schema, profile, new) == []
    (line,) = _lines(schema, profile, new.assign(ratio=new["ratio"] * 1000))
    assert line.startswith("ratio: 100% of 60 rows with a value lie above")
    (line,) = _lines(schema, profile, new.assign(ratio=new["ratio"] / 1000 + 0.0))
    assert "lie below" in line


def test_later_dates_flags_and_small_batches_are_not_judged():
    table, schema, profile = _profiled()
    new = table.sample(60, random_state=2)
    later = new.assign(applied=new["applied"] + pd.Timedelta(days=800), flag=1)
    assert _lines(schema, profile, later) == []  # dates move on; a flag has two bands
    assert _lines(schema, profile, new.head(20).assign(ratio=5000.0)) == []  # under 30 rows
