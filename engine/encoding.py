"""Turning a user's columns into model input, the same way at fit and score time."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from tuneplate.engine.errors import TuneplateError


@dataclass(frozen=True)
class Encoder:
    """Column types and category levels, fixed from the training rows.

    pandas 3 reads text as a `str` dtype that LightGBM rejects, and category codes
    must mean the same thing when the model scores new rows; both are handled here.

    Example:
        >>> enc = Encoder.fit(train, ["age", "purpose"])
        >>> enc.transform(new_rows).dtypes["purpose"]
        CategoricalDtype(...)
    """

    features: tuple[str, ...]
    categories: dict[str, list[str]]  # categorical column -> levels seen in training

    @classmethod
    def fit(cls, table: pd.DataFrame, features: list[str]) -> Encoder:
        categories = {}
        for col in features:
            s = table[col]
            if not (pd.api.types.is_numeric_dtype(s) or pd.api.types.is_datetime64_any_dtype(s)):
                categories[col] = sorted(s.dropna().astype(str).unique())
        return cls(tuple(features), categories)

    def transform(self, table: pd.DataFrame) -> pd.DataFrame:
        missing = [c for c in self.features if c not in table.columns]
        if missing:
            raise TuneplateError(
                f"the rows to score lack the training column(s) {', '.join(missing)}; "
                "give a table with the same columns the model was tuned on"
            )
        out = {}
        for col in self.features:
            s = table[col]
            if col in self.categories:
                # Unseen levels become missing, which every family handles.
                text = s.astype("string").astype(object).where(s.notna(), None)
                out[col] = pd.Categorical(text, categories=self.categories[col])
            elif pd.api.types.is_datetime64_any_dtype(s):
                days = pd.to_datetime(s, utc=True) - pd.Timestamp(0, tz="UTC")
                out[col] = days.dt.total_seconds() / 86400
            elif pd.api.types.is_bool_dtype(s):
                out[col] = s.astype(float)
            else:
                out[col] = pd.to_numeric(s, errors="coerce").astype(float)
        return pd.DataFrame(out, index=table.index)

    def to_dict(self) -> dict:
        return {"features": list(self.features), "categories": self.categories}

    @classmethod
    def from_dict(cls, data: dict) -> Encoder:
        return cls(tuple(data["features"]), data["categories"])
