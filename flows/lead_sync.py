"""The nightly lead sync: extract, validate, normalize and resolve, enrich, validate, gate, sync, report."""

from __future__ import annotations

import uuid
from typing import Any

from prefect import flow
from prefect.runtime import flow_run
from prefect.task_runners import ThreadPoolTaskRunner

from tasks.enrich import enrich_leads
from tasks.extract import extract_source
from tasks.funnel import funnel_report
from tasks.gates import evaluate_gates
from tasks.handoff import handoff_leads
from tasks.normalize import normalize_leads
from tasks.prepare import prepare_run
from tasks.report import collect, gate_problems, may_sync, publish_summary, run_status, validation_counts
from tasks.route import route_leads
from tasks.score import score_leads
from tasks.sync import forget_accepted, sync_sink
from tasks.validate import validate_golden_leads, validate_source_records


class LeadSyncFailed(RuntimeError):
    """A stage failed or a gate tripped; the run summary artifact says which and why."""


@flow(name="lead_sync", task_runner=ThreadPoolTaskRunner(max_workers=4), log_prints=False)
def lead_sync(
    config_path: str = "leads.yaml",
    dry_run: bool = False,
    sinks: list[str] | None = None,
    full_resync: list[str] | None = None,
    sources: list[str] | None = None,
) -> dict[str, Any]:
    """Run the pipeline once.

    Args:
        config_path: the config file.
        dry_run: land and normalize, but write nothing to any sink (a diff file per CRM sink says
            what would be written).
        sinks: sync only these sinks (default: every enabled one).
        full_resync: forget what these sinks accepted before syncing them, so every lead is
            compared with the sink again, once.
        sources: extract and validate only these sources (default: every enabled one); the hourly
            ad-lead deployment names the ad platforms. A source another run holds is skipped as busy.
    """
    flow_run_id = flow_run.get_id()
    run_id = flow_run_id or uuid.uuid4().hex
    ctx = prepare_run(config_path, run_id, flow_run_id, dry_run)
    problems: list[str] = []
    counts: dict[str, Any] = {"dry_run": dry_run, "problems": problems}
    sources = [n for n, s in ctx.config.sources.items() if s.enabled and (sources is None or n in sources)]

    counts["sources"] = collect({n: extract_source.submit(ctx, n) for n in sources}, problems)
    checks = collect({n: validate_source_records.submit(ctx, n) for n in sources}, problems)
    counts["normalize"] = collect({"normalize": normalize_leads.submit(ctx)}, problems)["normalize"]
    counts["enrich"] = collect({"enrich": enrich_leads.submit(ctx)}, problems)["enrich"]
    problems.extend(counts["enrich"].get("problems", []) if counts["enrich"] else [])
    counts["score"] = collect({"score": score_leads.submit(ctx)}, problems)["score"]
    counts["route"] = collect({"route": route_leads.submit(ctx)}, problems)["route"]
    counts["handoff"] = collect({"handoff": handoff_leads.submit(ctx)}, problems)["handoff"]
    checks |= collect({"leads": validate_golden_leads.submit(ctx)}, problems)
    counts |= validation_counts(checks)
    counts["gates"] = evaluate_gates(ctx, {"sources": counts["sources"], "validation_results": list(checks.values())})
    problems.extend(gate_problems(counts["gates"]))

    if may_sync(counts):
        chosen = [n for n, s in ctx.config.sinks.items() if s.enabled and (sinks is None or n in sinks)]
        for name in full_resync or []:
            if name in chosen and not dry_run:
                counts.setdefault("full_resync", {})[name] = forget_accepted(ctx, name)
        counts["sinks"] = collect({n: sync_sink.submit(ctx, n) for n in chosen}, problems)
    counts["funnel"] = collect({"funnel": funnel_report.submit(ctx)}, problems)["funnel"]
    status = run_status(counts)
    publish_summary(ctx, status, counts)
    if status != "completed":
        raise LeadSyncFailed("; ".join(problems) or f"the run was {status}")
    return counts
