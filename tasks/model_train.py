"""Train a scoring model from the store's outcomes or a file, keep it with its report, publish the report."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd
from prefect import task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE

from connectors.store import models as store
from leads.predictive.model import train
from leads.predictive.report import markdown
from tasks.context import RunContext

REPORT_KEY = "model-report"


def read_data(path: Path) -> pd.DataFrame:
    """A CSV, JSON lines or Parquet file of past leads, one row each."""
    suffix = path.suffix.lower()
    if suffix in (".jsonl", ".ndjson"):
        return pd.read_json(path, lines=True, dtype=False)
    if suffix == ".parquet":
        return pd.read_parquet(path)
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def train_model(ctx: RunContext, options: dict[str, Any]) -> dict[str, Any]:
    """Options: data, target, id, time_column, exclude, allow, model, name (see `leads model train`)."""
    if options.get("data"):
        frame = read_data(Path(options["data"]))
        target, id_column, time_column = options["target"], options.get("id"), options.get("time_column")
    else:
        with ctx.engine().connect() as conn:
            frame = store.training_frame(conn)
        target, id_column, time_column = "outcome", "lead_id", "created_at"
        if frame.empty:
            raise store.ModelMissing("no lead has an outcome (won, lost, converted) yet: nothing to learn from")
    mql = ctx.config.scoring.mql.min_predicted
    model = train(
        frame,
        target,
        kind=options.get("model") or "logreg",
        id_column=id_column,
        time_column=time_column if time_column in frame.columns else None,
        exclude=[*ctx.config.scoring.model.exclude, *(options.get("exclude") or ())],
        allow=list(options.get("allow") or ()),
        threshold=(mql / 100) if mql is not None else 0.5,
    )
    name = options.get("name") or ctx.config.scoring.model.name
    model_id = store.save(ctx.engine(), name, model, ctx.config.runs_dir, ctx.now())
    report = {**model.report, "model_id": model_id, "name": name}
    ctx.run_dir.mkdir(parents=True, exist_ok=True)
    (ctx.run_dir / "model-report.json").write_text(json.dumps(report, indent=2), encoding="utf-8")
    text = markdown(report)
    (ctx.run_dir / "model-report.md").write_text(text, encoding="utf-8")
    create_markdown_artifact(text, key=REPORT_KEY, description=f"Scoring model {model_id} ({model.kind})")
    return report


@task(name="train-model", cache_policy=NO_CACHE)
def train_model_task(ctx: RunContext, options: dict[str, Any]) -> dict[str, Any]:
    return train_model(ctx, options)
