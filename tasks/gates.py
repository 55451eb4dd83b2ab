"""Gates: verdicts on the whole batch, taken before anything is written to a sink.

Schema drift and volume anomalies per source, plus the verdicts the validation stages returned.
A tripped gate emits the Prefect event `leads.gate.failed`; the flow then stops before syncing.
"""

from __future__ import annotations

from typing import Any

from prefect import task
from prefect.cache_policies import NO_CACHE

from connectors.store.history import extracted, extracted_at_same_hour
from leads.quality import GateResult, VolumeRule, schema_drift_gate, volume_gate
from tasks.context import RunContext

EVENT = "leads.gate.failed"


def source_gates(ctx: RunContext, sources: dict[str, dict[str, Any]]) -> list[GateResult]:
    results: list[GateResult] = []
    for name, counts in sources.items():
        if counts.get("status") != "ok":
            continue
        results.append(schema_drift_gate(name, counts.get("missing_columns") or []))
        rule = ctx.config.quality_for(name).volume
        if rule.enabled:
            history = extracted_at_same_hour(
                ctx.engine(), name, ctx.started_at, ctx.config.timezone, ctx.run_id, rule.history_runs
            )
            results.append(
                volume_gate(
                    name, extracted(counts), history, VolumeRule(rule.min_ratio, rule.max_ratio, rule.min_history)
                )
            )
    return results


def evaluate(ctx: RunContext, counts: dict[str, Any]) -> list[dict[str, Any]]:
    """Every gate of the run, tripped ones first; emits an event per tripped gate."""
    gates = [g.to_dict() for g in source_gates(ctx, counts.get("sources", {}))]
    for result in counts.get("validation_results", []):
        gates.extend(result.get("gates", []))
    gates.sort(key=lambda g: not g["tripped"])
    for gate in gates:
        if gate["tripped"]:
            _emit(ctx, gate)
    return gates


def _emit(ctx: RunContext, gate: dict[str, Any]) -> None:
    from prefect.events import emit_event

    emit_event(
        event=EVENT,
        resource={"prefect.resource.id": f"leads.gate.{gate['gate']}", "leads.scope": gate["scope"]},
        payload={**gate, "run_id": ctx.run_id},
    )


@task(name="evaluate-gates", cache_policy=NO_CACHE)
def evaluate_gates(ctx: RunContext, counts: dict[str, Any]) -> list[dict[str, Any]]:
    return evaluate(ctx, counts)
