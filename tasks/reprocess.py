"""Reprocess the quarantine after a fix to the config, a mapping or a suite.

Each open entry is tried again the way its stage would try it today: an extract entry's verbatim
bytes are parsed again and landed if they now make a record; a normalize entry's record is
normalized again; a validate entry's record or lead is validated again. Entries that pass are
released (records then flow on with the next run); the rest stay open with today's reasons.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import Connection

from connectors.files.source import FileSource, Record
from connectors.mapping import to_fields
from connectors.store import quarantine_log as log
from connectors.store import validation
from connectors.store.landing import IncomingRecord, land_records
from leads.config import FileSourceConfig
from leads.model import RecordRef
from leads.normalize import Rejected, normalize_record
from leads.quality import SuiteTally
from tasks.context import RunContext
from tasks.validate import landed_frame, lead_parameters, leads_frame, new_tally, run_suites, suites_for


@dataclass(slots=True)
class Outcome:
    released: int = 0
    still_failing: int = 0
    skipped: int = 0
    note: str = ""


def reprocess(ctx: RunContext, source: str | None = None, stage: str | None = None, dry_run: bool = False) -> dict:
    """{"source/stage": outcome} for every group of open entries; nothing is kept when dry_run."""
    results: dict[str, dict[str, Any]] = {}
    with ctx.engine().connect() as conn:
        transaction = conn.begin()
        groups: dict[tuple[str, str], list[Any]] = defaultdict(list)
        for item in log.entries(conn, source, stage, "open"):
            groups[(item.source, item.stage)].append(item)
        for (src, stg), items in sorted(groups.items()):
            results[f"{src}/{stg}"] = asdict(_reprocess_group(ctx, conn, src, stg, items))
        if dry_run:
            transaction.rollback()
        else:
            transaction.commit()
    return results


def _reprocess_group(ctx: RunContext, conn: Connection, source: str, stage: str, items: list[Any]) -> Outcome:
    if stage == "validate" and source == validation.LEADS_SOURCE:
        return _leads(ctx, conn, items)
    settings = ctx.config.sources.get(source)
    if settings is None:
        return Outcome(skipped=len(items), note=f"source {source!r} is not in the config")
    if stage == "extract":
        if not isinstance(settings, FileSourceConfig):  # API sources quarantine nothing at extract
            return Outcome(skipped=len(items), note=f"source {source!r} is not a file: nothing to parse again")
        return _extract(ctx, conn, FileSource(source, settings), items)
    if stage == "normalize":
        return _normalize(ctx, conn, source, settings, items)
    if stage == "validate":
        return _records(ctx, conn, source, settings, items)
    return Outcome(skipped=len(items), note=f"unknown stage {stage!r}")


def _extract(ctx: RunContext, conn: Connection, source: FileSource, items: list[Any]) -> Outcome:
    outcome = Outcome()
    if not source.settings.path.is_file():
        return Outcome(skipped=len(items), note=f"{source.settings.path} is missing: its header is needed")
    now = ctx.now()
    for item in items:
        parsed = source.reparse(item.raw)
        if len(parsed) == 1 and isinstance(parsed[0], Record):
            record = parsed[0]
            incoming = IncomingRecord(record.source_id, record.cursor.ts, record.payload, item.position)
            land_records(conn, source.name, [incoming], ctx.run_id, now)
            log.close(conn, [item.id], now)
            outcome.released += 1
        else:
            reasons = [r for p in parsed if not isinstance(p, Record) for r in p.reasons] or ["no record in the row"]
            log.restate(conn, item.id, reasons, now)
            outcome.still_failing += 1
    return outcome


def _normalize(ctx: RunContext, conn: Connection, source: str, settings: Any, items: list[Any]) -> Outcome:
    outcome = Outcome()
    now = ctx.now()
    rows = {r.source_id: r for r in log.landed(conn, source, [i.source_id for i in items if i.source_id])}
    passed = []
    for item in items:
        row = rows.get(item.source_id)
        if row is None:
            outcome.skipped += 1
            continue
        mapped = to_fields(row.payload, settings)
        result = normalize_record(RecordRef(source, row.source_id), row.cursor_ts, mapped, settings.stage_aliases)
        if isinstance(result, Rejected):
            log.restate(conn, item.id, [result.reason], now)
            outcome.still_failing += 1
        else:
            passed.append(item)
    log.unhold(conn, source, [i.source_id for i in passed])
    log.close(conn, [i.id for i in passed], now)
    outcome.released = len(passed)
    return outcome


def _records(ctx: RunContext, conn: Connection, source: str, settings: Any, items: list[Any]) -> Outcome:
    rows = log.landed(conn, source, [i.source_id for i in items if i.source_id])
    suites = suites_for(ctx, "landed_records")
    tallies: dict[str, SuiteTally] = {s.name: new_tally(s, source) for s in suites}
    verdicts = run_suites(suites, tallies, landed_frame(rows, settings), "record_id", {}) if rows else None
    failing = verdicts.reasons if verdicts else {}
    return _settle(ctx, conn, source, items, failing, found={r.source_id for r in rows})


def _leads(ctx: RunContext, conn: Connection, items: list[Any]) -> Outcome:
    rows = log.leads_by_id(conn, [i.source_id for i in items if i.source_id])
    suites = suites_for(ctx, "leads")
    tallies: dict[str, SuiteTally] = {s.name: new_tally(s, "leads") for s in suites}
    parameters = lead_parameters(ctx)
    verdicts = run_suites(suites, tallies, leads_frame(rows), "lead_id", parameters) if rows else None
    failing = verdicts.reasons if verdicts else {}
    validation.record_lead_verdicts(conn, rows, failing, ctx.run_id, ctx.now())
    return _settle(ctx, conn, validation.LEADS_SOURCE, items, failing, found={r.lead_id for r in rows})


def _settle(
    ctx: RunContext, conn: Connection, source: str, items: list[Any], failing: dict[str, list[str]], found: set[str]
) -> Outcome:
    outcome = Outcome()
    now = ctx.now()
    passed = [i for i in items if i.source_id in found and i.source_id not in failing]
    for item in items:
        if item.source_id not in found:
            outcome.skipped += 1
        elif item.source_id in failing:
            log.restate(conn, item.id, failing[item.source_id], now)
            outcome.still_failing += 1
    if source != validation.LEADS_SOURCE:
        log.unhold(conn, source, [i.source_id for i in passed])
    log.close(conn, [i.id for i in passed], now)
    outcome.released = len(passed)
    return outcome
