"""Engagement, ownership and outcome rows from the CRMs: activities, stage_history, owners, outcomes;
and the ad platforms' daily spend (`spend`, upserted on its primary key, so a corrected day replaces
the earlier number).

Sources land them with the id of the source record they belong to (a HubSpot contact, a Salesforce
lead or contact); the lead id is filled from `lead_links` at landing, and kept current by normalize
whenever a record is linked to another lead (a merge) or unlinked (a deletion). Every write is an
upsert on the vendor's own id, so re-reading a window never duplicates an event.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Table, and_, bindparam, select, update

from connectors.source import Events
from connectors.store.schema import activities, lead_links, outcomes, owners, spend, stage_history
from connectors.store.upsert import batched, upsert
from leads.model import RecordRef

SPEND_KEY = ("platform", "account_id", "campaign_id", "ad_id", "day")


def land_events(conn: Connection, source: str, events: Events, now: datetime) -> dict[str, int]:
    """Upsert a batch's events; returns how many rows of each kind were written."""
    records = {r["record_id"] for r in events.activities + events.outcomes} | {
        r["source_id"] for r in events.stage_changes
    }
    lead_of = _leads_of(conn, source, records)
    activity_rows = _dedupe(
        [{**r, "source": source, "lead_id": lead_of.get(r["record_id"])} for r in events.activities],
        ("external_id",),
    )
    upsert(conn, activities, activity_rows, keys=["source", "external_id"])
    stage_rows = _dedupe(
        [{**r, "source": source, "lead_id": lead_of.get(r["source_id"])} for r in events.stage_changes],
        ("external_id",),
    )
    upsert(conn, stage_history, stage_rows, keys=["source", "external_id"])
    outcome_rows = _dedupe(
        [{**r, "source": source, "lead_id": lead_of.get(r["record_id"])} for r in events.outcomes],
        ("external_id",),
    )
    upsert(conn, outcomes, outcome_rows, keys=["source", "external_id"])
    owner_rows = _dedupe([{**r, "source": source, "updated_at": now} for r in events.owners], ("owner_id",))
    upsert(conn, owners, owner_rows, keys=["source", "owner_id"])
    # Spend is the platform's own number for (account, campaign, ad, day): a re-read day replaces it.
    spend_rows = _dedupe([{**r, "updated_at": now} for r in events.spend], SPEND_KEY)
    upsert(conn, spend, spend_rows, keys=list(SPEND_KEY))
    return {
        "activities": len(activity_rows),
        "stage_changes": len(stage_rows),
        "outcomes": len(outcome_rows),
        "owners": len(owner_rows),
        "spend": len(spend_rows),
    }


def attach_events(conn: Connection, links: dict[RecordRef, str | None]) -> None:
    """Point the events of these records at their (new) lead; None when the record left its lead."""
    if not links:
        return
    for table, record_column in ((activities, "record_id"), (outcomes, "record_id"), (stage_history, "source_id")):
        stmt = (
            update(table)
            .where(and_(table.c.source == bindparam("b_source"), table.c[record_column] == bindparam("b_record")))
            .values(lead_id=bindparam("b_lead"))
        )
        params = [{"b_source": r.source, "b_record": r.source_id, "b_lead": lead} for r, lead in links.items()]
        for chunk in batched(params, 1000):
            conn.execute(stmt, chunk)


def _leads_of(conn: Connection, source: str, record_ids: Iterable[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for ids in batched(record_ids, 900):
        rows = conn.execute(
            select(lead_links.c.source_id, lead_links.c.lead_id).where(
                and_(lead_links.c.source == source, lead_links.c.source_id.in_(ids))
            )
        )
        out.update({r.source_id: r.lead_id for r in rows})
    return out


def _dedupe(rows: list[dict[str, Any]], key: tuple[str, ...]) -> list[dict[str, Any]]:
    """The last row per key: one upsert statement may not touch a row twice (PostgreSQL)."""
    return list({tuple(r[k] for k in key): r for r in rows}.values())


def events_of(conn: Connection, table: Table, source: str) -> list[Any]:
    """Every row of an event table for a source (tests and reports)."""
    return list(conn.execute(select(table).where(table.c.source == source)))
