"""The nightly lead sync: extract every source, normalize into golden leads, sync every sink."""

from __future__ import annotations

import uuid
from typing import Any

from prefect import flow
from prefect.runtime import flow_run
from prefect.task_runners import ThreadPoolTaskRunner

from tasks.extract import extract_source
from tasks.normalize import normalize_leads
from tasks.prepare import prepare_run
from tasks.report import collect, publish_summary, run_status
from tasks.sync import sync_sink


class LeadSyncFailed(RuntimeError):
    """At least one stage failed; the run summary artifact says which and why."""


@flow(name="lead_sync", task_runner=ThreadPoolTaskRunner(max_workers=4), log_prints=False)
def lead_sync(config_path: str = "leads.yaml", dry_run: bool = False) -> dict[str, Any]:
    """Run the pipeline once. `dry_run` lands and normalizes but writes nothing to any sink."""
    flow_run_id = flow_run.get_id()
    run_id = flow_run_id or uuid.uuid4().hex
    ctx = prepare_run(config_path, run_id, flow_run_id, dry_run)
    problems: list[str] = []
    counts: dict[str, Any] = {"dry_run": dry_run, "problems": problems}

    extracts = {n: extract_source.submit(ctx, n) for n, s in ctx.config.sources.items() if s.enabled}
    counts["sources"] = collect(extracts, problems)
    counts["normalize"] = collect({"normalize": normalize_leads.submit(ctx)}, problems)["normalize"]
    if counts["normalize"].get("status") != "failed":
        syncs = {n: sync_sink.submit(ctx, n) for n, s in ctx.config.sinks.items() if s.enabled}
        counts["sinks"] = collect(syncs, problems)

    status = run_status(counts)
    publish_summary(ctx, status, counts)
    if status == "failed":
        raise LeadSyncFailed("; ".join(problems) or "a stage failed")
    return counts
