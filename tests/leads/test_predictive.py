"""Predictive scoring: a calibrated model that finds the true signal, and refuses to learn a leak."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import roc_auc_score

from leads.predictive.features import clean, infer
from leads.predictive.model import TrainingError, train

INDUSTRIES = ["Software", "Banking", "Retail", "Health", "Energy"]
WEIGHTS = {"Software": 1.2, "Banking": 0.4, "Retail": -0.6, "Health": 0.0, "Energy": -1.0}


def dataset(n: int = 6000, seed: int = 7) -> tuple[pd.DataFrame, np.ndarray]:
    """Leads whose conversion follows a known logistic model, plus noise columns and a planted leak."""
    rng = np.random.default_rng(seed)
    industry = rng.choice(INDUSTRIES, n)
    employees = rng.lognormal(5, 1.2, n).round()
    visits = rng.poisson(3, n)
    logit = -1.5 + np.vectorize(WEIGHTS.get)(industry) + 0.6 * np.log1p(employees) - 2.5 + 0.35 * visits
    probability = 1 / (1 + np.exp(-logit))
    won = rng.random(n) < probability
    frame = pd.DataFrame(
        {
            "lead_id": [f"L{i}" for i in range(n)],
            "created": pd.date_range("2025-01-01", periods=n, freq="h").astype(str),
            "industry": industry,
            "employees": employees,
            "visits": visits,
            "noise": rng.normal(size=n),
            "form_answer": rng.choice(["Select", "N/A", "-", "yes", "no"], n),
            # Written by sales once the deal closed: the answer itself, with a little noise.
            "closing_status": np.where(won ^ (rng.random(n) < 0.02), "Closed Won", "Closed Lost"),
            "outcome": np.where(won, "won", "lost"),
        }
    )
    return frame, probability


def test_the_leak_is_dropped_and_the_model_finds_the_true_signal():
    frame, truth = dataset()
    model = train(frame, "outcome", id_column="lead_id", time_column="created")
    report = model.report
    (leak,) = [entry for entry in report["leakage"] if entry["feature"] == "closing_status"]
    assert leak["auc"] >= 0.9 and not leak["allowed"]
    assert "closing_status" not in report["features"]["categorical"]
    # Judged on the held-out (newest) fifth, against the generating model's own probabilities.
    test = frame.sort_values("created").index[int(len(frame) * 0.8) :]
    target = (frame.loc[test, "outcome"] == "won").to_numpy()
    true_auc = roc_auc_score(target, truth[test])
    assert abs(report["test"]["roc_auc"] - true_auc) <= 0.02
    assert report["split"].startswith("by time")
    assert len(report["test"]["lift_by_decile"]) == 10 and report["test"]["lift_by_decile"][0]["lift"] > 1.5


def test_an_allowed_leak_is_kept_and_named():
    frame, _ = dataset(2000)
    model = train(frame, "outcome", id_column="lead_id", allow=["closing_status"])
    assert "closing_status" in model.report["features"]["categorical"]
    assert model.report["test"]["roc_auc"] > 0.95  # which is exactly why it is refused by default
    assert model.report["split"].startswith("stratified")


def test_placeholders_are_missing_values_not_categories():
    frame, _ = dataset(300)
    cleaned = clean(frame, ["form_answer"])
    assert set(cleaned["form_answer"].dropna()) == {"yes", "no"}
    assert infer(cleaned, ["form_answer"]).categorical == ("form_answer",)


def test_predictions_carry_probabilities_and_their_strongest_features():
    frame, _ = dataset(3000)
    model = train(frame, "outcome", id_column="lead_id", exclude=["closing_status"])
    rows = [{"industry": "Software", "employees": 5000, "visits": 9, "noise": 0, "form_answer": "yes"},
            {"industry": "Energy", "employees": 3, "visits": 0, "noise": 0, "form_answer": None}]
    hot, cold = model.predict(rows)
    assert hot.probability > 0.6 > 0.2 > cold.probability
    assert {f["feature"] for f in hot.top_features} <= {"industry", "employees", "visits", "noise", "form_answer"}
    assert hot.top_features[0]["weight"] > 0 and cold.top_features[0]["weight"] < 0
    assert "closing_status" in model.report["excluded"]


def test_gradient_boosting_explains_its_most_important_features():
    frame, _ = dataset(3000)
    model = train(frame, "outcome", kind="gbm", exclude=["closing_status", "lead_id"])
    (prediction,) = model.predict([{"industry": "Software", "employees": 800, "visits": 4}])
    assert 0 < prediction.probability < 1 and prediction.top_features
    assert model.report["test"]["roc_auc"] > 0.65


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"target": "nope"}, "no target column 'nope'"),
        ({"kind": "forest"}, "unknown model 'forest'"),
        ({"time_column": "when"}, "--time-column: no column 'when'"),
    ],
)
def test_bad_training_requests_name_what_is_wrong(change, message):
    frame, _ = dataset(200)
    args = {"target": "outcome", **change}
    with pytest.raises(TrainingError, match=message):
        train(frame, args.pop("target"), **args)


def test_one_class_only_cannot_train():
    frame, _ = dataset(200)
    frame["outcome"] = "lost"
    with pytest.raises(TrainingError, match="at least 10 positive and 10 negative"):
        train(frame, "outcome")
