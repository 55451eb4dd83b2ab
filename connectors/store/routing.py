"""Store side of routing: the leads to route, who owns which company, the CRM owners, the stored
assignments (the round-robin's state) and what the route stage writes back.

Account owners per company are not landed by the CRM sources as such (HubSpot companies and
Salesforce accounts are not extracted); they are derived from the golden leads: every active lead
with a `company_domain` and an `owner` that a source gave (a HubSpot owner id, a Salesforce user id,
a file's owner column) counts for that owner at that domain.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from sqlalchemy import Connection, func, select

from connectors.store.pipeline_fields import write_lead_fields
from connectors.store.schema import assignments, leads, owners
from connectors.store.upsert import batched, upsert
from leads.lifecycle import Stage
from leads.model import FieldValue
from leads.routing import AccountBook, Owner
from leads.routing_config import ACCOUNT_RULE

ROUTING = "routing"  # the source of the fields the route stage sets


def crm_owner(fields: dict[str, Any]) -> tuple[str, str, Any] | None:
    """(source, owner id, observed_at) of the owner a source gave this lead, if any."""
    data = fields.get("owner")
    if not data:
        return None
    fv = FieldValue.from_json("owner", data)
    if fv.source == ROUTING or not fv.is_valid or fv.value in (None, ""):
        return None
    return fv.source, str(fv.value), fv.observed_at


def _value(fields: dict[str, Any], name: str) -> Any:
    data = fields.get(name)
    return data[0] if data else None


def account_book(conn: Connection, chunk_size: int) -> AccountBook:
    """Owners per company domain, from the active leads that have a CRM owner."""
    book = AccountBook()
    for rows in _active(conn, chunk_size, select(leads.c.lead_id, leads.c.fields)):
        for r in rows:
            domain, owner = _value(r.fields, "company_domain"), crm_owner(r.fields)
            if domain and owner is not None:
                book.add(str(domain), *owner)
    return book


def _active(conn: Connection, chunk_size: int, query: Any) -> Iterator[list[Any]]:
    after: str | None = None
    while True:
        q = query.where(leads.c.status == "active").order_by(leads.c.lead_id).limit(chunk_size)
        if after is not None:
            q = q.where(leads.c.lead_id > after)
        rows = list(conn.execute(q))
        if not rows:
            return
        after = rows[-1].lead_id
        yield rows


def owner_directory(conn: Connection) -> dict[tuple[str, str], Owner]:
    return {
        (r.source, r.owner_id): Owner(r.source, r.owner_id, r.name, r.email, r.team, bool(r.active))
        for r in conn.execute(select(owners))
    }


def team_positions(conn: Connection) -> dict[str, int]:
    """team → leads it has round-robined so far: the round-robin's persisted state."""
    query = (
        select(assignments.c.team, func.count())
        .where(assignments.c.rule != ACCOUNT_RULE, assignments.c.team.is_not(None))
        .group_by(assignments.c.team)
    )
    return {team: int(n) for team, n in conn.execute(query)}


def leads_to_route(conn: Connection, after: str | None, limit: int, min_stage: Stage) -> list[Any]:
    stages = [s.value for s in Stage if s.rank >= min_stage.rank]
    c = leads.c
    query = (
        select(c.lead_id, c.identity_key, c.fields, c.lifecycle_stage, c.content_hash)
        .where(c.status == "active", c.lifecycle_stage.in_(stages))
        .order_by(c.lead_id)
        .limit(limit)
    )
    if after is not None:
        query = query.where(c.lead_id > after)
    return list(conn.execute(query))


def assignments_of(conn: Connection, lead_ids: Sequence[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for chunk in batched(lead_ids, 900):
        for r in conn.execute(select(assignments).where(assignments.c.lead_id.in_(chunk))):
            out[r.lead_id] = r
    return out


def record_assignments(conn: Connection, rows: Sequence[dict[str, Any]]) -> None:
    """rows: {lead_id, owner_source, owner_id, rule, assigned_at, run_id, team, reason}. A lead's
    assignment is written once; an existing one is never replaced."""
    if rows:
        upsert(conn, assignments, list(rows), keys=["lead_id"], update=[])


def write_fields(conn: Connection, rows: Sequence[dict[str, Any]]) -> None:
    """rows: {lead_id, fields, content_hash, updated_at}: the lead with its routing fields."""
    write_lead_fields(conn, [{**r, "at": r["updated_at"]} for r in rows])
