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
from sqlalchemy import Connection

from connectors.mapping import mapping_hash, to_fields
from connectors.store import golden as records_store
from connectors.store import validation as store
from connectors.store.leads_view import lead_from_row
from connectors.store.leases import LeaseHeld
from expectations.runner import validate_chunk
from expectations.suites import ExpectationSpec, SuiteSpec, load_suites
from leads.fields import FIELD_NAMES, LEAD_FIELD_NAMES
from leads.quality import ExpectationTally, QuarantineVerdicts, SuiteTally, suite_gates
from tasks import progress
from tasks.context import RunContext


def suites_for(ctx: RunContext, dataset: str) -> list[SuiteSpec]:
    kwargs = {"directory": ctx.config.suites_dir} if ctx.config.suites_dir else {}
    on = {"scoring": ctx.config.scoring.enabled}
    return [s for s in load_suites(**kwargs).get(dataset, []) if s.requires is None or on[s.requires]]


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


def _cell(value: Any) -> Any:
    """Lists (technologies) become one text cell: expectations compare scalars."""
    return ";".join(map(str, value)) if isinstance(value, list) else value


def leads_frame(batch: list[Any]) -> Any:
    """Valid values of a chunk of golden leads; `contact` is the email, else the phone."""
    import pandas as pd

    rows = []
    for row in batch:
        lead = lead_from_row(row)
        values = {name: _cell(lead.get(name)) for name in LEAD_FIELD_NAMES}
        values["lifecycle_stage"] = lead.lifecycle_stage.value if lead.lifecycle_stage else None
        rows.append({"lead_id": lead.lead_id, "contact": lead.email or lead.get("phone"), **values})
    frame = pd.DataFrame.from_records(rows, columns=["lead_id", "contact", *LEAD_FIELD_NAMES])
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


class _Records:
    """One source's changed records, under the `landed_records` suites."""

    dataset = "landed_records"
    id_column = "record_id"

    def __init__(self, ctx: RunContext, source: str):
        self.settings = ctx.config.sources[source]
        self.scope = self.config_scope = source  # the scope is also the quarantine's source
        self.lease = f"source:{source}"
        self.mapping = mapping_hash(self.settings)
        self.parameters: dict[str, Any] = {}

    def fetch(self, conn: Connection, after: str | None, limit: int) -> list[Any]:
        return records_store.fetch_pending(conn, self.scope, self.mapping, after, limit)

    def key(self, row: Any) -> str:
        return row.source_id

    def frame(self, batch: list[Any]) -> Any:
        return landed_frame(batch, self.settings)

    def hold(self, ctx: RunContext, conn: Connection, batch: list[Any], failing: dict[str, list[str]]) -> None:
        store.quarantine_records(conn, self.scope, failing, batch, ctx.run_id, ctx.now())


class _Leads:
    """Golden leads whose content changed, under the `leads` suites."""

    dataset = "leads"
    id_column = "lead_id"
    scope = store.LEADS_SOURCE
    config_scope = None
    lease = "stage:normalize"  # leads change only under this lease

    def __init__(self, ctx: RunContext):
        self.parameters = lead_parameters(ctx)

    def fetch(self, conn: Connection, after: str | None, limit: int) -> list[Any]:
        return store.leads_to_validate(conn, after, limit)

    def key(self, row: Any) -> str:
        return row.lead_id

    def frame(self, batch: list[Any]) -> Any:
        return leads_frame(batch)

    def hold(self, ctx: RunContext, conn: Connection, batch: list[Any], failing: dict[str, list[str]]) -> None:
        store.record_lead_verdicts(conn, batch, failing, ctx.run_id, ctx.now())


def _validate(ctx: RunContext, target: _Records | _Leads) -> dict[str, Any]:
    """Walk the target in chunks: validate, hold back what fails, release what passes again."""
    started = time.perf_counter()
    suites = suites_for(ctx, target.dataset)
    tallies = {s.name: new_tally(s, target.scope) for s in suites}
    if not suites:
        return _result(ctx, suites, tallies, target.config_scope, started)
    label = f"validate {target.scope}"
    after: str | None = None
    try:
        with ctx.lease(target.lease):
            progress.started(label)
            while True:
                with ctx.engine().begin() as conn:
                    batch = target.fetch(conn, after, ctx.config.validation_chunk_size)
                    if not batch:
                        break
                    after = target.key(batch[-1])
                    verdicts = run_suites(suites, tallies, target.frame(batch), target.id_column, target.parameters)
                    target.hold(ctx, conn, batch, verdicts.reasons)
                    passing = [target.key(r) for r in batch if target.key(r) not in verdicts.reasons]
                    store.release(conn, target.scope, passing, ctx.now())
                ctx.renew(target.lease)
                progress.advanced(label, len(batch))
    except LeaseHeld as held:
        return {"status": "busy", "suites": {}, "gates": [], "problems": [str(held)]}
    finally:
        progress.finished(label)
    return _result(ctx, suites, tallies, target.config_scope, started)


def validate_records(ctx: RunContext, source_name: str) -> dict[str, Any]:
    return _validate(ctx, _Records(ctx, source_name))


def validate_leads(ctx: RunContext) -> dict[str, Any]:
    return _validate(ctx, _Leads(ctx))


def lead_parameters(ctx: RunContext) -> dict[str, Any]:
    """Expectation parameters of the leads suites."""
    import pandas as pd

    # A lead may be created up to a day "in the future" of this run: clocks and timezones differ.
    scoring = ctx.config.scoring
    return {
        "latest_allowed_time": pd.Timestamp(ctx.now() + timedelta(days=1)),
        "fit_max": scoring.fit.max,
        "engagement_max": scoring.engagement.max,
    }


@task(name="validate-records", task_run_name="validate-{source_name}", cache_policy=NO_CACHE)
def validate_source_records(ctx: RunContext, source_name: str) -> dict[str, Any]:
    return validate_records(ctx, source_name)


@task(name="validate-leads", cache_policy=NO_CACHE)
def validate_golden_leads(ctx: RunContext) -> dict[str, Any]:
    return validate_leads(ctx)
