"""The model_train flow: train a scoring model on outcome history, so the run shows in the Prefect UI."""

from __future__ import annotations

import uuid
from typing import Any

from prefect import flow
from prefect.runtime import flow_run

from tasks.model_train import train_model_task
from tasks.prepare import prepare_run


@flow(name="model_train", log_prints=False)
def model_train(config_path: str = "leads.yaml", options: dict[str, Any] | None = None) -> dict[str, Any]:
    """Train a model (from the store's outcomes unless `options.data` names a file); it waits for
    `leads model approve` before scoring uses it."""
    flow_run_id = flow_run.get_id()
    ctx = prepare_run(config_path, flow_run_id or uuid.uuid4().hex, flow_run_id, False)
    return train_model_task(ctx, options or {})
