"""Leakage: features that give the outcome away, because sales wrote them after it was known.

A status a rep sets on closing, a "quality" rating, a last-activity date: a model trained with
them looks excellent offline and is useless for new leads, which have none of them yet. Two
guards: features known to be written after the outcome are excluded by name (config), and any
single feature that separates the classes almost perfectly on its own (single-feature AUC of 0.9
or more on the training data) is flagged and dropped unless explicitly allowed. Categories are
scored by out-of-fold target rates, so an id-like column (a value per row) does not look perfect.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedKFold

from leads.predictive.features import FeatureSet

THRESHOLD = 0.9


@dataclass(frozen=True, slots=True)
class Leak:
    feature: str
    auc: float
    allowed: bool


def single_feature_auc(values: pd.Series, target: np.ndarray, categorical: bool, seed: int = 0) -> float:
    """How well this feature alone ranks positives above negatives (0.5: not at all, 1: perfectly),
    whichever way round."""
    if categorical:
        scores = np.full(len(values), float(target.mean()))
        folds = StratifiedKFold(n_splits=5, shuffle=True, random_state=seed)
        keys = values.fillna("(missing)").astype(str).to_numpy()
        for train, held in folds.split(keys, target):
            rates = pd.Series(target[train]).groupby(keys[train]).mean()
            scores[held] = pd.Series(keys[held]).map(rates).fillna(target[train].mean()).to_numpy()
    else:
        numbers = pd.to_numeric(values, errors="coerce")
        scores = numbers.fillna(numbers.median() if numbers.notna().any() else 0.0).to_numpy(dtype=float)
    if len(np.unique(scores)) < 2:
        return 0.5
    auc = float(roc_auc_score(target, scores))
    return max(auc, 1 - auc)


def leaks(frame: pd.DataFrame, target: np.ndarray, features: FeatureSet, allow: Sequence[str]) -> list[Leak]:
    """Every feature whose single-feature AUC reaches the threshold, strongest first."""
    found = []
    for column in features.columns:
        auc = single_feature_auc(frame[column], target, column in features.categorical)
        if auc >= THRESHOLD:
            found.append(Leak(column, round(auc, 4), column in allow))
    return sorted(found, key=lambda leak: -leak.auc)
