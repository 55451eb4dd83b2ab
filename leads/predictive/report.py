"""How good a model is on held-out data: ROC AUC, precision and recall at the MQL threshold, lift by
decile, and a calibration table (predicted against observed, per tenth of the probability range)."""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.metrics import precision_score, recall_score, roc_auc_score


def evaluate(target: np.ndarray, probability: np.ndarray, threshold: float) -> dict[str, Any]:
    predicted = probability >= threshold
    return {
        "rows": int(len(target)),
        "positives": int(target.sum()),
        "roc_auc": round(float(roc_auc_score(target, probability)), 4) if len(set(target)) > 1 else None,
        "threshold": threshold,
        "precision_at_threshold": round(float(precision_score(target, predicted, zero_division=0)), 4),
        "recall_at_threshold": round(float(recall_score(target, predicted, zero_division=0)), 4),
        "lift_by_decile": lift_by_decile(target, probability),
        "calibration": calibration(target, probability),
    }


def lift_by_decile(target: np.ndarray, probability: np.ndarray) -> list[dict[str, Any]]:
    """Tenths of the rows by falling probability: their positive rate against the overall one."""
    order = np.argsort(-probability, kind="stable")
    base = target.mean() or 1.0
    out = []
    for decile, rows in enumerate(np.array_split(order, 10), start=1):
        if len(rows) == 0:
            continue
        rate = float(target[rows].mean())
        out.append(
            {"decile": decile, "rows": int(len(rows)), "positive_rate": round(rate, 4), "lift": round(rate / base, 3)}
        )
    return out


def calibration(target: np.ndarray, probability: np.ndarray) -> list[dict[str, Any]]:
    """Per probability band (0-0.1, ..., 0.9-1): rows, mean predicted, observed positive rate."""
    bands = np.minimum((probability * 10).astype(int), 9)
    out = []
    for band in range(10):
        rows = bands == band
        if rows.any():
            out.append(
                {
                    "band": f"{band / 10:.1f}-{(band + 1) / 10:.1f}",
                    "rows": int(rows.sum()),
                    "predicted": round(float(probability[rows].mean()), 4),
                    "observed": round(float(target[rows].mean()), 4),
                }
            )
    return out


def markdown(report: dict[str, Any]) -> str:
    """The report for people: the figures, the features used and dropped, lift and calibration."""
    test = report["test"]
    lines = [
        f"# Model {report['model_id']} ({report['kind']})",
        "",
        f"Trained on {report['train']['rows']:,} rows ({report['train']['positives']:,} positive), tested on "
        f"{test['rows']:,} ({test['positives']:,} positive), split {report['split']}.",
        "",
        f"- ROC AUC: **{test['roc_auc']}**",
        f"- at the MQL threshold {test['threshold']}: precision {test['precision_at_threshold']}, "
        f"recall {test['recall_at_threshold']}",
        f"- features: {', '.join(report['features']['numeric'] + report['features']['categorical']) or 'none'}",
    ]
    for leak in report["leakage"]:
        verdict = "kept (allowed)" if leak["allowed"] else "dropped"
        lines.append(f"- leak: `{leak['feature']}` alone separates the classes (AUC {leak['auc']}): {verdict}")
    for name in report["excluded"]:
        lines.append(f"- excluded by config (written after the outcome): `{name}`")
    lines += ["", "| decile | rows | positive rate | lift |", "|---|---:|---:|---:|"]
    lines += [f"| {d['decile']} | {d['rows']} | {d['positive_rate']} | {d['lift']} |" for d in test["lift_by_decile"]]
    lines += ["", "| probability | rows | predicted | observed |", "|---|---:|---:|---:|"]
    lines += [f"| {c['band']} | {c['rows']} | {c['predicted']} | {c['observed']} |" for c in test["calibration"]]
    return "\n".join(lines) + "\n"
