"""Trained scoring models: versions in the store's `models` table, files beside the runs.

A model is saved with joblib under `<runs_dir>/../models/<model_id>.joblib` and a row holding its
report; `approve` marks one version of a name for use (and only that one), and scoring loads the
latest approved version. A model file that is gone or unreadable is reported, not guessed around.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from pathlib import Path
from typing import Any

import joblib
import pandas as pd
from sqlalchemy import Connection, Engine, and_, select, update

from connectors.store.schema import leads, models, outcomes
from leads.fields import PIPELINE_FIELDS
from leads.model import FieldValue
from leads.predictive.model import TrainedModel

# Fields sales write after contact, or that identify rather than describe: never features.
NOT_FEATURES = (
    "email",
    "first_name",
    "last_name",
    "full_name",
    "phone",
    "hubspot_id",
    "salesforce_id",
    "merged_crm_ids",
    "lifecycle_stage",
    "lead_status",
    "owner",
    *PIPELINE_FIELDS,
)


class ModelMissing(LookupError):
    """No such model, or its file cannot be read."""


def models_dir(runs_dir: Path) -> Path:
    return runs_dir.parent / "models"


def save(engine: Engine, name: str, model: TrainedModel, runs_dir: Path, now: datetime) -> str:
    model_id = uuid.uuid4().hex[:12]
    folder = models_dir(runs_dir)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{model_id}.joblib"
    joblib.dump(model, path)
    report = {**model.report, "model_id": model_id, "name": name}
    with engine.begin() as conn:
        conn.execute(
            models.insert().values(
                model_id=model_id,
                name=name,
                kind=model.kind,
                trained_at=now,
                report=report,
                artifact_path=str(path),
                approved=False,
            )
        )
    return model_id


def approve(engine: Engine, model_id: str) -> str:
    """Mark this version for use; every other version of its name is no longer approved."""
    with engine.begin() as conn:
        row = conn.execute(select(models).where(models.c.model_id == model_id)).one_or_none()
        if row is None:
            raise ModelMissing(f"no model {model_id!r}; `leads model list` shows the trained ones")
        conn.execute(update(models).where(models.c.name == row.name).values(approved=False))
        conn.execute(update(models).where(models.c.model_id == model_id).values(approved=True))
        return str(row.name)


def listed(engine: Engine) -> list[Any]:
    with engine.connect() as conn:
        return list(conn.execute(select(models).order_by(models.c.trained_at.desc())))


class LoadedModel:
    def __init__(self, model_id: str, model: TrainedModel) -> None:
        self.model_id = model_id
        self.model = model

    def predict(self, rows: list[dict[str, Any]]) -> list[Any]:
        return self.model.predict(rows)


def approved_model(engine: Engine, name: str, runs_dir: Path) -> LoadedModel | None:
    """The latest approved version of `name`, or None when none is approved."""
    with engine.connect() as conn:
        row = conn.execute(
            select(models)
            .where(and_(models.c.name == name, models.c.approved.is_(True)))
            .order_by(models.c.trained_at.desc())
            .limit(1)
        ).one_or_none()
    if row is None:
        return None
    try:
        return LoadedModel(row.model_id, joblib.load(row.artifact_path))
    except (OSError, EOFError, ValueError) as exc:
        raise ModelMissing(f"approved model {row.model_id} cannot be read from {row.artifact_path}: {exc}") from None


def training_frame(conn: Connection) -> pd.DataFrame:
    """Leads with an outcome: their features, `created_at` (the split's time) and `outcome` (won /
    converted against lost; a lead with both counts as won)."""
    kinds: dict[str, set[str]] = {}
    for row in conn.execute(select(outcomes.c.lead_id, outcomes.c.kind).where(outcomes.c.lead_id.is_not(None))):
        kinds.setdefault(row.lead_id, set()).add(row.kind)
    records = []
    for chunk_start in range(0, len(kinds), 900):
        ids = list(kinds)[chunk_start : chunk_start + 900]
        for row in conn.execute(select(leads.c.lead_id, leads.c.fields).where(leads.c.lead_id.in_(ids))):
            values = {
                name: FieldValue.from_json(name, data).value
                for name, data in row.fields.items()
                if name not in NOT_FEATURES and len(data) == 3  # valid values only
            }
            seen = kinds[row.lead_id]
            values["outcome"] = "won" if seen & {"won", "converted"} else "lost"
            values["lead_id"] = row.lead_id
            records.append({k: (";".join(map(str, v)) if isinstance(v, list) else v) for k, v in values.items()})
    return pd.DataFrame.from_records(records)
