"""Validate: the data-quality suites on landed records (per source) and on changed golden leads.

Runs chunk by chunk; a record or lead failing a quarantining expectation is held back with the
reasons (records never become leads, leads are never synced) and released once it passes again.
Batch verdicts (share quarantined, gate-only expectations) are computed from the summed counts.
"""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

from prefect import task
from prefect.cache_policies import NO_CACHE

from connectors.files.mapping import mapping_hash, to_fields
from connectors.store import golden as records_store
from connectors.store import validation as store
from connectors.store.leads_view import lead_from_row
from connectors.store.leases import LeaseHeld
from expectations.runner import validate_chunk
from expectations.suites import ExpectationSpec, SuiteSpec, load_suites
from leads.fields import FIELD_NAMES
from leads.quality import ExpectationTally, QuarantineVerdicts, SuiteTally, suite_gates
from tasks import progress
from tasks.context import RunContext


def suites_for(ctx: RunContext, dataset: str) -> list[SuiteSpec]:
    kwargs = {"directory": ctx.config.suites_dir} if ctx.config.suites_dir else {}
    return load_suites(**kwargs).get(dataset, [])


def new_tally(suite: SuiteSpec, scope: str) -> SuiteTally:
    return SuiteTally(suite.name, scope, [_expectation_tally(e) for e in suite.expectations])


def _expectation_tally(e: ExpectationSpec) -> ExpectationTally:
    return ExpectationTally(e.type, e.column, e.meta.reason, e.meta.quarantine, e.mostly)


def _text(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def landed_frame(batch: list[Any], settings: Any) -> Any:
    """Mapped raw values of a chunk of landed records, as text, one column per lead field."""
    import pandas as pd

    rows = []
    for row in batch:
        mapped = to_fields(row.payload, settings)
        rows.append({"record_id": row.source_id, **{name: _text(mapped.get(name)) for name in FIELD_NAMES}})
    return pd.DataFrame.from_records(rows, columns=["record_id", *FIELD_NAMES])


def leads_frame(batch: list[Any]) -> Any:
    """Valid values of a chunk of golden leads; `contact` is the email, else the phone."""
    import pandas as pd

    rows = []
    for row in batch:
        lead = lead_from_row(row)
        values = {name: lead.get(name) for name in FIELD_NAMES}
        values["lifecycle_stage"] = lead.lifecycle_stage.value if lead.lifecycle_stage else None
        rows.append({"lead_id": lead.lead_id, "contact": lead.email or lead.get("phone"), **values})
    frame = pd.DataFrame.from_records(rows, columns=["lead_id", "contact", *FIELD_NAMES])
    frame["created_at"] = pd.to_datetime(frame["created_at"], utc=True)
    return frame


def run_suites(
    suites: list[SuiteSpec], tallies: dict[str, SuiteTally], frame: Any, id_column: str, parameters: dict[str, Any]
) -> QuarantineVerdicts:
    verdicts = QuarantineVerdicts()
    for suite in suites:
        outcomes = validate_chunk(suite, frame, id_column, parameters)
        failing: set[str] = set()
        for outcome in outcomes:
            if outcome.failing_ids:
                verdicts.add(outcome.failing_ids, suite.expectations[outcome.index].meta.reason)
                failing.update(outcome.failing_ids)
        tallies[suite.name].add_chunk(len(frame), outcomes, len(failing))
    return verdicts


def _result(
    ctx: RunContext, suites: list[SuiteSpec], tallies: dict[str, SuiteTally], source: str | None, started: float
) -> dict[str, Any]:
    configured = ctx.config.quality_for(source).max_quarantine_share
    gates = [
        g.to_dict()
        for suite in suites
        for g in suite_gates(
            tallies[suite.name], configured if configured is not None else suite.gates.max_quarantine_share
        )
    ]
    return {
        "status": "ok",
        "suites": {name: tally.to_dict() for name, tally in tallies.items()},
        "gates": gates,
        "seconds": round(time.perf_counter() - started, 3),
    }


def validate_records(ctx: RunContext, source_name: str) -> dict[str, Any]:
    started = time.perf_counter()
    settings = ctx.config.sources[source_name]
    suites = suites_for(ctx, "landed_records")
    tallies = {s.name: new_tally(s, source_name) for s in suites}
    if not suites:
        return _result(ctx, suites, tallies, source_name, started)
    mh = mapping_hash(settings)
    engine = ctx.engine()
    after: str | None = None
    try:
        with ctx.lease(f"source:{source_name}"):
            progress.started(f"validate {source_name}")
            while True:
                with engine.begin() as conn:
                    batch = records_store.fetch_pending(conn, source_name, mh, after, ctx.config.chunk_size)
                    if not batch:
                        break
                    after = batch[-1].source_id
                    verdicts = run_suites(suites, tallies, landed_frame(batch, settings), "record_id", {})
                    now = ctx.now()
                    store.quarantine_records(conn, source_name, verdicts.reasons, batch, ctx.run_id, now)
                    passing = [r.source_id for r in batch if r.source_id not in verdicts.reasons]
                    store.release(conn, source_name, passing, now)
                ctx.renew(f"source:{source_name}")
                progress.advanced(f"validate {source_name}", len(batch))
    except LeaseHeld as held:
        return {"status": "busy", "suites": {}, "gates": [], "problems": [str(held)]}
    finally:
        progress.finished(f"validate {source_name}")
    return _result(ctx, suites, tallies, source_name, started)


def validate_leads(ctx: RunContext) -> dict[str, Any]:
    started = time.perf_counter()
    suites = suites_for(ctx, "leads")
    tallies = {s.name: new_tally(s, "leads") for s in suites}
    if not suites:
        return _result(ctx, suites, tallies, None, started)
    parameters = lead_parameters(ctx)
    engine = ctx.engine()
    after: str | None = None
    try:
        with ctx.lease("stage:normalize"):
            progress.started("validate leads")
            while True:
                with engine.begin() as conn:
                    batch = store.leads_to_validate(conn, after, ctx.config.chunk_size)
                    if not batch:
                        break
                    after = batch[-1].lead_id
                    verdicts = run_suites(suites, tallies, leads_frame(batch), "lead_id", parameters)
                    now = ctx.now()
                    store.record_lead_verdicts(conn, batch, verdicts.reasons, ctx.run_id, now)
                    passing = [r.lead_id for r in batch if r.lead_id not in verdicts.reasons]
                    store.release(conn, store.LEADS_SOURCE, passing, now)
                progress.advanced("validate leads", len(batch))
    except LeaseHeld as held:
        return {"status": "busy", "suites": {}, "gates": [], "problems": [str(held)]}
    finally:
        progress.finished("validate leads")
    return _result(ctx, suites, tallies, None, started)


def lead_parameters(ctx: RunContext) -> dict[str, Any]:
    """Expectation parameters of the leads suites."""
    import pandas as pd

    # A lead may be created up to a day "in the future" of this run: clocks and timezones differ.
    return {"latest_allowed_time": pd.Timestamp(ctx.now() + timedelta(days=1))}


@task(name="validate-records", task_run_name="validate-{source_name}", cache_policy=NO_CACHE)
def validate_source_records(ctx: RunContext, source_name: str) -> dict[str, Any]:
    return validate_records(ctx, source_name)


@task(name="validate-leads", cache_policy=NO_CACHE)
def validate_golden_leads(ctx: RunContext) -> dict[str, Any]:
    return validate_leads(ctx)
