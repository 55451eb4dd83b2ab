"""Route: give every new MQL an owner before it is synced (the marketing-to-sales hand-off).

Chunk by chunk over the active leads at `routing.min_stage` (MQL) or later, in lead-id order:
- a lead with an assignment keeps it: its routing fields are put back if a rebuild lost them, and
  it is never routed again;
- a lead with a CRM owner (an `owner` a source gave) is sales' already: never assigned;
- any other goes through leads.routing (account owner, territory rule, weighted round-robin); the
  assignment is recorded in `assignments` with the rule and the reason, and lands in the lead's
  fields (source `routing`) for the sinks, which write the owner only where the CRM has none.
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from prefect import task
from prefect.cache_policies import NO_CACHE

from connectors.store import routing as store
from connectors.store.leads_view import lead_from_row
from connectors.store.leases import LeaseHeld
from connectors.store.scoring import records_of
from leads.golden import lead_fingerprint
from leads.hashing import stable_hash
from leads.model import FieldValue, Lead
from leads.routing import AccountBook, Assignment, Availability, Router
from tasks import progress
from tasks.context import RunContext

LEASE = "stage:normalize"  # leads change under this lease only
ROUTE_INPUTS = ("company_domain", "country_code", "region_code", "employee_range", "industry")


@dataclass(slots=True)
class RouteCounts:
    status: str = "ok"
    leads: int = 0  # leads at the routing stage or later
    assigned: int = 0  # routed this run
    kept: int = 0  # assigned before: left alone
    owned: int = 0  # a CRM owner already: left to sales
    unrouted: int = 0  # no rule matched, or nobody in the team was available
    rules: dict[str, int] = field(default_factory=dict)  # rule → leads routed by it this run
    teams: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0


def route_stage(ctx: RunContext) -> dict[str, Any]:
    counts = RouteCounts()
    started = time.perf_counter()
    settings = ctx.config.routing
    if not settings.enabled:
        counts.status = "off"
        return asdict(counts)
    rules: Counter[str] = Counter()
    teams: Counter[str] = Counter()
    try:
        with ctx.lease(LEASE):
            progress.started("route")
            with ctx.engine().connect() as conn:
                accounts = store.account_book(conn, ctx.config.chunk_size) if settings.account_match else None
                availability = Availability(settings.unavailable, store.owner_directory(conn))
                positions = store.team_positions(conn)
            router = Router(settings, accounts or AccountBook(), availability, positions)
            after: str | None = None
            while True:
                with ctx.engine().begin() as conn:
                    rows = store.leads_to_route(conn, after, ctx.config.chunk_size, settings.min_stage)
                    if not rows:
                        break
                    after = rows[-1].lead_id
                    _route_chunk(ctx, conn, rows, router, counts, rules, teams)
                ctx.renew(LEASE)
                progress.advanced("route", len(rows))
    except LeaseHeld:
        counts.status = "busy"
    finally:
        progress.finished("route")
    counts.rules, counts.teams = dict(rules), dict(teams)
    counts.seconds = round(time.perf_counter() - started, 3)
    return asdict(counts)


def _route_chunk(
    ctx: RunContext,
    conn: Any,
    rows: list[Any],
    router: Router,
    counts: RouteCounts,
    rules: Counter[str],
    teams: Counter[str],
) -> None:
    ids = [r.lead_id for r in rows]
    existing = store.assignments_of(conn, ids)
    refs = records_of(conn, ids)
    now = ctx.now()
    new_rows, writes = [], []
    for row in rows:
        counts.leads += 1
        before = existing.get(row.lead_id)
        if before is not None:
            counts.kept += 1
            assignment = Assignment(before.owner_source, before.owner_id, before.rule, before.team, before.reason or "")
            at = before.assigned_at
        elif store.crm_owner(row.fields) is not None:
            counts.owned += 1
            continue
        else:
            assignment = router.route({name: (row.fields.get(name) or [None])[0] for name in ROUTE_INPUTS})
            if assignment is None:
                counts.unrouted += 1
                continue
            at = now
            counts.assigned += 1
            rules[assignment.rule] += 1
            if assignment.team:
                teams[assignment.team] += 1
            new_rows.append(
                {
                    "lead_id": row.lead_id,
                    "owner_source": assignment.owner_source,
                    "owner_id": assignment.owner_id,
                    "rule": assignment.rule,
                    "assigned_at": now,
                    "run_id": ctx.run_id,
                    "team": assignment.team,
                    "reason": assignment.reason,
                }
            )
        lead = lead_from_row(row)
        lead.records = refs.get(row.lead_id, ())
        if _apply(lead, assignment, at):
            fields_json = {n: fv.to_json() for n, fv in lead.fields.items()}
            content_hash = stable_hash(lead_fingerprint(lead, fields_json))
            if content_hash != row.content_hash:
                writes.append(
                    {"lead_id": row.lead_id, "fields": fields_json, "content_hash": content_hash, "updated_at": now}
                )
    store.record_assignments(conn, new_rows)
    store.write_fields(conn, writes)


def _apply(lead: Lead, assignment: Assignment, at: datetime) -> bool:
    """Put the assignment into the lead's fields; True when any of them changed."""
    new = {
        "assigned_owner_id": assignment.owner_id,
        "assigned_owner_source": assignment.owner_source,
        "assigned_team": assignment.team,
        "assignment_rule": assignment.rule,
        "assignment_reason": assignment.reason or None,
    }
    changed = False
    for name, value in new.items():
        old = lead.fields.get(name)
        if value is None:
            changed |= lead.fields.pop(name, None) is not None
        elif old is None or old.value != value or old.source != store.ROUTING:
            lead.fields[name] = FieldValue(value, store.ROUTING, at)
            changed = True
    if changed:
        lead.fields = dict(sorted(lead.fields.items()))
    return changed


@task(name="route", cache_policy=NO_CACHE, retries=0)
def route_leads(ctx: RunContext) -> dict[str, Any]:
    return route_stage(ctx)
