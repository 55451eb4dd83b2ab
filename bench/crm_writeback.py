"""A write-back of every landed record to its CRM, as a CRM sink does it, for the incremental benchmark.

The point is what the writes leave behind for the next extract: every written record's modified
stamp moves. Like a sink, this writes through the source's own client (so its requests count
against the same shared rate limits), records what it sent (`record_writes`) and the waves of its
writes (`open_wave`/`extend_wave`/`close_wave`, with the CRM's own timestamps where it says them),
which is what lets the next extract leave its echoes unread.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from connectors.http.errors import FatalError
from connectors.hubspot.mapping import hs_time
from connectors.store.echoes import close_wave, extend_wave, open_wave, record_writes
from connectors.store.schema import source_records
from tasks.context import RunContext
from tasks.sources import open_source

STAMP = "leads_etl_sync_stamp"
SCORE = "leads_etl_score"
HUBSPOT_BATCH = 100
SALESFORCE_BATCH = 200


def _landed(ctx: RunContext, source: str, key: str) -> list[tuple[str, Any]]:
    with ctx.engine().connect() as conn:
        rows = conn.execute(
            select(source_records.c.source_id, source_records.c.payload).where(source_records.c.source == source)
        )
        return [(r.source_id, r.payload.get(key)) for r in rows if r.payload.get(key)]


def write_back_hubspot(ctx: RunContext, source: str, run_id: str) -> dict[str, int]:
    """Upsert a score and the wave's stamp on every landed contact, 100 per call, by email."""
    hubspot, client = open_source(ctx, source)
    caller = hubspot.api.caller  # type: ignore[attr-defined]
    for name, kind in ((SCORE, "number"), (STAMP, "string")):
        prop = {
            "name": name,
            "label": name,
            "type": kind,
            "fieldType": "text" if kind == "string" else "number",
            "groupName": "contactinformation",
        }
        try:  # through the caller, so these count against the shared limit like every other call
            caller.post("/crm/v3/properties/contacts", prop)
        except FatalError as exc:
            if exc.status != 409:  # 409: it exists already (an earlier write-back made it)
                raise
    stamp = str(int(ctx.now().timestamp() * 1000))
    engine = ctx.engine()
    with engine.begin() as conn:
        wave = open_wave(conn, source, f"{source}_writeback", stamp, run_id)
    contacts = _landed(ctx, source, "email")
    for start in range(0, len(contacts), HUBSPOT_BATCH):
        chunk = contacts[start : start + HUBSPOT_BATCH]
        inputs = [
            {
                "idProperty": "email",
                "id": email,
                "objectWriteTraceId": contact_id,
                "properties": {SCORE: str(len(email) % 100), STAMP: stamp},
            }
            for contact_id, email in chunk
        ]
        answer = caller.post("/crm/v3/objects/contacts/batch/upsert", {"inputs": inputs})
        results = answer.get("results") or []
        times = [t for t in (hs_time(r.get("updatedAt")) for r in results) if t is not None]
        emails = dict(chunk)  # results come in no particular order: matched by their trace id
        sent = {str(r["id"]): {SCORE: str(len(emails[r["objectWriteTraceId"]]) % 100), STAMP: stamp} for r in results}
        with engine.begin() as conn:
            record_writes(conn, source, f"{source}_writeback", sent, run_id, ctx.now())
            if times:
                extend_wave(conn, source, wave, min(times), max(times), len(results))
    with engine.begin() as conn:
        close_wave(conn, source, wave)
    client.close()  # type: ignore[union-attr]
    return {"records": len(contacts), "requests": caller.requests}


def write_back_salesforce(ctx: RunContext, source: str, run_id: str) -> dict[str, int]:
    """Upsert a rating on every landed lead, 200 per call, by its external id, as the integration user."""
    salesforce, client = open_source(ctx, source)
    caller = salesforce.api.caller  # type: ignore[attr-defined]
    session = caller.client.auth
    engine = ctx.engine()
    with engine.begin() as conn:
        wave = open_wave(conn, source, f"{source}_writeback", "-", run_id, writer_id=session.user_id)
    started = ctx.now()
    leads = _landed(ctx, source, "Leads_Etl_Id__c")
    path = f"/services/data/{salesforce.settings.api_version}/composite/sobjects/Lead/Leads_Etl_Id__c"  # type: ignore[attr-defined]
    for start in range(0, len(leads), SALESFORCE_BATCH):
        chunk = leads[start : start + SALESFORCE_BATCH]
        records = [{"attributes": {"type": "Lead"}, "Leads_Etl_Id__c": ext, "Rating": "Warm"} for _, ext in chunk]
        request = caller.client.build_request("PATCH", path, json={"allOrNone": False, "records": records})
        caller.send(request)
        with engine.begin() as conn:
            record_writes(
                conn, source, f"{source}_writeback", {i: {"Rating": "Warm"} for i, _ in chunk}, run_id, ctx.now()
            )
    with engine.begin() as conn:
        extend_wave(conn, source, wave, started, datetime.now(UTC), len(leads))
        close_wave(conn, source, wave)
    client.close()  # type: ignore[union-attr]
    return {"records": len(leads), "requests": caller.requests}
