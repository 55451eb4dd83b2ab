"""Train a calibrated classifier on outcome history, and score leads with it, with reasons.

- Features: every column but the target, the id, the time column and the excluded ones; leaks
  flagged by leads.predictive.leakage are dropped unless allowed.
- Split: by time when there is a time column (the newest 20% is the test set: the model is judged
  on leads that came after those it learned from), else stratified at random with a fixed seed.
- Model: logistic regression (default; its weights a rep can read) or gradient boosting, inside
  the feature pipeline, calibrated (sigmoid, 3 folds) so a score of 70 means 70 in 100 convert.
- Reasons per lead: logistic regression's per-feature contributions (weight times the scaled
  value, summed over a feature's one-hot columns); gradient boosting's change in probability when
  each of its five most important features is set to missing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from sklearn.calibration import CalibratedClassifierCV
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.pipeline import Pipeline

from leads.predictive.features import FeatureSet, clean, infer, prepared, source_column, transformer
from leads.predictive.leakage import leaks
from leads.predictive.report import evaluate

SEED = 42
TEST_SHARE = 0.2
TOP = 3


class TrainingError(ValueError):
    """The data cannot train a model (no target, one class only, no features)."""


@dataclass(frozen=True, slots=True)
class Prediction:
    probability: float
    top_features: list[dict[str, Any]] = field(default_factory=list)


def _target(series: pd.Series) -> np.ndarray:
    """1/0 from booleans, numbers or words such as won/lost, true/false, yes/no, converted."""
    positive = {"1", "true", "yes", "y", "won", "converted", "closed won", "customer"}
    text = series.astype("string").str.strip().str.casefold()
    if text.isna().any():
        raise TrainingError(f"the target column {series.name!r} has {int(text.isna().sum())} empty values")
    return text.isin(positive).to_numpy(dtype=int)


def _estimator(kind: str, features: FeatureSet) -> Pipeline:
    if kind == "gbm":
        classifier: Any = HistGradientBoostingClassifier(random_state=SEED, max_iter=200, learning_rate=0.1)
    else:
        classifier = LogisticRegression(max_iter=2000, C=1.0)
    return Pipeline([("features", transformer(features)), ("model", classifier)])


def _split(frame: pd.DataFrame, target: np.ndarray, time_column: str | None) -> tuple[np.ndarray, np.ndarray, str]:
    index = np.arange(len(frame))
    if time_column is not None:
        times = pd.to_datetime(frame[time_column], errors="coerce", utc=True)
        order = index[np.argsort(times.fillna(times.min()).to_numpy(), kind="stable")]
        cut = int(len(order) * (1 - TEST_SHARE))
        return order[:cut], order[cut:], f"by time ({time_column}: the newest {TEST_SHARE:.0%} tested)"
    train, test = train_test_split(index, test_size=TEST_SHARE, random_state=SEED, stratify=target)
    return train, test, f"stratified at random (seed {SEED}, {TEST_SHARE:.0%} tested)"


@dataclass
class TrainedModel:
    estimator: CalibratedClassifierCV
    features: FeatureSet
    kind: str
    report: dict[str, Any]
    importance: list[str] = field(default_factory=list)  # gradient boosting: the features explained per lead

    def predict(self, rows: Sequence[dict[str, Any]]) -> list[Prediction]:
        """Probabilities and top reasons for rows of feature values (absent features are missing)."""
        if not rows:
            return []
        frame = prepared(pd.DataFrame.from_records(list(rows)), self.features)
        probability = self.estimator.predict_proba(frame)[:, 1]
        contributions = self._contributions(frame, probability)
        return [Prediction(float(p), top) for p, top in zip(probability, _top(contributions), strict=True)]

    def _contributions(self, frame: pd.DataFrame, probability: np.ndarray) -> pd.DataFrame:
        if self.kind == "logreg":
            parts = []
            for calibrated in self.estimator.calibrated_classifiers_:
                pipeline = calibrated.estimator
                encoded = pipeline.named_steps["features"].transform(frame)
                names = pipeline.named_steps["features"].get_feature_names_out()
                weights = pipeline.named_steps["model"].coef_[0]
                by_column = pd.DataFrame(encoded * weights, columns=names, index=frame.index)
                parts.append(by_column.T.groupby(lambda n: source_column(n, self.features)).sum().T)
            return sum(parts) / len(parts)
        out = pd.DataFrame(index=frame.index)
        for column in self.importance:
            occluded = frame.copy()
            occluded[column] = np.nan
            out[column] = probability - self.estimator.predict_proba(occluded)[:, 1]
        return out


def _top(contributions: pd.DataFrame) -> list[list[dict[str, Any]]]:
    """Per row, the TOP features by absolute contribution, strongest first (zeros left out).

    One argsort over the whole chunk: per-row pandas sorting was 80% of predict's time."""
    names = [str(n) for n in contributions.columns]
    values = contributions.to_numpy(dtype=float)
    # Stable, so equal contributions keep their column order.
    order = np.argsort(-np.abs(values), axis=1, kind="stable")[:, :TOP]
    picked = np.round(np.take_along_axis(values, order, axis=1), 3)
    return [
        [{"feature": names[j], "weight": float(v)} for j, v in zip(cols, row, strict=True) if v != 0]
        for cols, row in zip(order.tolist(), picked.tolist(), strict=True)
    ]


def train(
    frame: pd.DataFrame,
    target_column: str,
    *,
    kind: str = "logreg",
    id_column: str | None = None,
    time_column: str | None = None,
    exclude: Sequence[str] = (),
    allow: Sequence[str] = (),
    threshold: float = 0.5,
) -> TrainedModel:
    if target_column not in frame.columns:
        raise TrainingError(f"no target column {target_column!r}; the data has: {', '.join(frame.columns)}")
    if kind not in ("logreg", "gbm"):
        raise TrainingError(f"unknown model {kind!r}; expected logreg or gbm")
    for name, column in (("--id", id_column), ("--time-column", time_column)):
        if column is not None and column not in frame.columns:
            raise TrainingError(f"{name}: no column {column!r} in the data")
    target = _target(frame[target_column])
    if len(set(target)) < 2 or min(target.sum(), len(target) - target.sum()) < 10:
        raise TrainingError("the target needs at least 10 positive and 10 negative rows")
    skipped = {target_column, id_column, time_column}
    excluded = [c for c in exclude if c in frame.columns]
    candidates = [c for c in frame.columns if c not in skipped and c not in excluded]
    cleaned = clean(frame, candidates)
    features = infer(cleaned, candidates)
    train_rows, test_rows, split = _split(frame, target, time_column)
    found = leaks(cleaned.iloc[train_rows], target[train_rows], features, allow)
    dropped = {leak.feature for leak in found if not leak.allowed}
    features = FeatureSet(
        tuple(c for c in features.numeric if c not in dropped),
        tuple(c for c in features.categorical if c not in dropped),
        tuple(c for c in features.logged if c not in dropped),
    )
    if not features.columns:
        raise TrainingError("no features left to learn from (every column was excluded or dropped as a leak)")
    data = prepared(frame, features)
    estimator = CalibratedClassifierCV(_estimator(kind, features), method="sigmoid", cv=3)
    estimator.fit(data.iloc[train_rows], target[train_rows])
    probability = estimator.predict_proba(data.iloc[test_rows])[:, 1]
    model = TrainedModel(estimator, features, kind, {})
    if kind == "gbm":
        model.importance = _important(estimator, data.iloc[test_rows], target[test_rows], features)
    model.report = {
        "kind": kind,
        "split": split,
        "train": {"rows": int(len(train_rows)), "positives": int(target[train_rows].sum())},
        "test": evaluate(target[test_rows], probability, threshold),
        "features": {"numeric": list(features.numeric), "categorical": list(features.categorical)},
        "leakage": [{"feature": f.feature, "auc": f.auc, "allowed": f.allowed} for f in found],
        "excluded": excluded,
    }
    return model


def _important(estimator: Any, frame: pd.DataFrame, target: np.ndarray, features: FeatureSet) -> list[str]:
    """The five features whose loss hurts the held-out AUC most (they are explained per lead)."""
    from sklearn.metrics import roc_auc_score

    base = roc_auc_score(target, estimator.predict_proba(frame)[:, 1])
    losses = {}
    for column in features.columns:
        occluded = frame.copy()
        occluded[column] = np.nan
        losses[column] = base - roc_auc_score(target, estimator.predict_proba(occluded)[:, 1])
    return [c for c, _ in sorted(losses.items(), key=lambda item: -item[1])[:5]]
