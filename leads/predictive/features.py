"""The one declared feature pipeline: numbers scaled, categories one-hot with rare levels pooled.

Counts and sizes (employees, visits, revenue) are heavily skewed; a non-negative number whose
skew exceeds 1 is taken as log(1 + x) before scaling, so a linear model sees a company of 50,000
as bigger than one of 500, but not a hundred times more likely to buy.

Values forms use for "nothing" ("Select", "N/A", "-", blanks) are missing values, not categories:
a model that learns "Select" means "lost" learns the form, not the buyer.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer, OneHotEncoder, StandardScaler

from leads.normalize import PLACEHOLDERS  # what exports write for "nothing here" is missing to a model too

RARE_SHARE = 0.01  # a category seen in fewer than 1% of training rows is pooled with the other rare ones


@dataclass(frozen=True, slots=True)
class FeatureSet:
    numeric: tuple[str, ...]
    categorical: tuple[str, ...]
    logged: tuple[str, ...] = ()  # the numeric ones taken as log(1 + x)

    @property
    def columns(self) -> tuple[str, ...]:
        return self.numeric + self.categorical


def clean(frame: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    """The columns with placeholders as missing; absent columns appear, empty."""
    out = pd.DataFrame(index=frame.index)
    for column in columns:
        series = frame[column] if column in frame.columns else pd.Series(np.nan, index=frame.index)
        if series.dtype == object or pd.api.types.is_string_dtype(series):
            text = series.astype("string").str.strip()
            series = text.mask(text.str.casefold().isin(PLACEHOLDERS)).astype(object)
            series = series.where(series.notna(), np.nan)
        out[column] = series
    return out


def infer(frame: pd.DataFrame, columns: Sequence[str]) -> FeatureSet:
    """Numbers are numeric features (booleans too), everything else categorical."""
    numeric, categorical, logged = [], [], []
    for column in columns:
        series = frame[column]
        as_number = pd.to_numeric(series, errors="coerce") if series.dtype == object else series
        share = as_number.notna().sum() / max(1, series.notna().sum())
        if pd.api.types.is_bool_dtype(series) or (pd.api.types.is_numeric_dtype(as_number) and share > 0.95):
            numeric.append(column)
            values = pd.to_numeric(as_number, errors="coerce").dropna()
            if not pd.api.types.is_bool_dtype(series) and len(values) > 2 and values.min() >= 0 and values.skew() > 1:
                logged.append(column)
        else:
            categorical.append(column)
    return FeatureSet(tuple(numeric), tuple(categorical), tuple(logged))


def prepared(frame: pd.DataFrame, features: FeatureSet) -> pd.DataFrame:
    """Numeric columns as floats, categorical ones as text, placeholders missing."""
    out = clean(frame, features.columns)
    for column in features.numeric:
        out[column] = pd.to_numeric(out[column].map(lambda v: float(v) if isinstance(v, bool) else v), errors="coerce")
    for column in features.categorical:
        out[column] = out[column].map(lambda v: v if v is None or (isinstance(v, float) and np.isnan(v)) else str(v))
    return out


def transformer(features: FeatureSet) -> ColumnTransformer:
    numbers = Pipeline([("impute", SimpleImputer(strategy="median")), ("scale", StandardScaler())])
    skewed = Pipeline(
        [
            ("impute", SimpleImputer(strategy="median")),
            ("log", FunctionTransformer(np.log1p, feature_names_out="one-to-one")),
            ("scale", StandardScaler()),
        ]
    )
    categories = Pipeline(
        [
            ("impute", SimpleImputer(strategy="constant", fill_value="(missing)")),
            (
                "onehot",
                OneHotEncoder(handle_unknown="infrequent_if_exist", min_frequency=RARE_SHARE, sparse_output=False),
            ),
        ]
    )
    parts = []
    plain = [c for c in features.numeric if c not in features.logged]
    if plain:
        parts.append(("num", numbers, plain))
    if features.logged:
        parts.append(("log", skewed, list(features.logged)))
    if features.categorical:
        parts.append(("cat", categories, list(features.categorical)))
    return ColumnTransformer(parts, verbose_feature_names_out=True)


def source_column(transformed_name: str, features: FeatureSet) -> str:
    """The original column a transformed one came from ("cat__industry_Software" → "industry")."""
    body = transformed_name.split("__", 1)[-1]
    for column in sorted(features.columns, key=len, reverse=True):
        if body == column or body.startswith(column + "_"):
            return column
    return body
