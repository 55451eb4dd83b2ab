"""The funnel report of a run: cohorts per source, campaign, form, ad and creation week, their cost
from ad spend, and acceptance feedback per fit criterion.

Recomputes the last `handoff.funnel.weeks` weeks (cohorts keep moving: last month's leads become
SQLs this week), rewrites those weeks in `funnel_weekly` for BI tools, and returns the rows for the
run's artifacts and report. Lead ids, names, emails and phones appear nowhere: only groups and counts.
"""

from __future__ import annotations

import time
from datetime import date, timedelta
from typing import Any

from prefect import task
from prefect.cache_policies import NO_CACHE

from connectors.store import funnel as store
from leads.funnel import FunnelRow, monday, totals, week_of, weekly_funnel
from leads.handoff import acceptance
from tasks.context import RunContext

MAX_ROWS = 500  # rows carried in the run's counts and artifact; funnel_weekly holds them all


def default_since(ctx: RunContext) -> date:
    this_week = week_of(ctx.started_at, ctx.config.timezone)
    return this_week - timedelta(weeks=ctx.config.handoff.funnel.weeks - 1)


def compute_funnel(ctx: RunContext, since: date) -> tuple[list[FunnelRow], list[dict[str, Any]]]:
    """The funnel rows from `since`'s week on, and the acceptance table (pure reads)."""
    tz = ctx.config.timezone
    with ctx.engine().connect() as conn:
        found = list(store.cohorts(conn, since, tz))
        spent = store.spend_since(conn, monday(since))
    rows = weekly_funnel([c.lead for c in found], spent, tz)
    criteria = [c.name for c in ctx.config.scoring.fit.criteria]
    table = acceptance([c.mql for c in found if c.mql is not None], criteria)
    return rows, [r.as_dict() for r in table]


def funnel_stage(ctx: RunContext, since: date | None = None) -> dict[str, Any]:
    started = time.perf_counter()
    if not ctx.config.handoff.funnel.enabled:
        return {"status": "off"}
    since = monday(since or default_since(ctx))
    rows, accepted = compute_funnel(ctx, since)
    weeks = _weeks(since, week_of(ctx.started_at, ctx.config.timezone))
    if not ctx.dry_run:
        with ctx.engine().begin() as conn:
            store.write_funnel(conn, rows, sorted(weeks | {r.week for r in rows}), ctx.now())
    return {
        "status": "ok",
        "since": since.isoformat(),
        "totals": totals(rows),
        "rows": [plain(r) for r in rows[-MAX_ROWS:]],
        "acceptance": accepted,
        "seconds": round(time.perf_counter() - started, 3),
    }


def plain(row: FunnelRow) -> dict[str, Any]:
    return {**row.as_dict(), "week": row.week.isoformat()}


def _weeks(first: date, last: date) -> set[date]:
    out, week = set(), first
    while week <= last:
        out.add(week)
        week += timedelta(weeks=1)
    return out


def funnel_line(totals_: dict[str, Any]) -> str:
    """The one-line summary: `Funnel (12 weeks): 120 leads, 110 valid, 30 MQL, 9 SQL, 2 won`."""
    t = totals_ or {}
    return (
        f"Funnel ({t.get('weeks', 0)} weeks with leads, {t.get('rows', 0)} rows in funnel_weekly): "
        f"{t.get('leads', 0)} leads, {t.get('valid', 0)} valid, {t.get('mql', 0)} MQL, {t.get('sql', 0)} SQL, "
        f"{t.get('won', 0)} won"
    )


@task(name="funnel-report", cache_policy=NO_CACHE, retries=0)
def funnel_report(ctx: RunContext) -> dict[str, Any]:
    return funnel_stage(ctx)
