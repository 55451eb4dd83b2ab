"""The store on both databases: migrations, upserts, landing, quarantine, watermarks, leases, outbox."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import inspect, select

from connectors.store import outbox
from connectors.store.engine import get_engine
from connectors.store.landing import (
    IncomingRecord,
    QuarantineEntry,
    advance_watermark,
    get_watermark,
    land_records,
    quarantine_rows,
)
from connectors.store.leases import LeaseHeld, acquire, release
from connectors.store.migrate import VERSION_TABLE, current_revision, head_revision, upgrade
from connectors.store.schema import leads, quarantine, source_records
from connectors.store.upsert import upsert

pytestmark = pytest.mark.postgres

T0 = datetime(2026, 10, 1, 12, 0, tzinfo=UTC)
DESIGN_TABLES = {
    "source_records",
    "leads",
    "lead_links",
    "watermarks",
    "enrichment_cache",
    "sync_state",
    "activities",
    "stage_history",
    "outcomes",
    "owners",
    "assignments",
    "spend",
    "models",
    "quarantine",
    "sync_errors",
    "runs",
    "leases",
}


@pytest.fixture
def engine(database_url):
    engine = get_engine(database_url)
    upgrade(engine)
    return engine


def test_migrations_create_every_table_once_with_our_own_version_table(engine):
    upgrade(engine)  # a second upgrade is a no-op
    tables = set(inspect(engine).get_table_names())
    assert tables >= DESIGN_TABLES
    assert VERSION_TABLE in tables and "alembic_version" not in tables
    assert current_revision(engine) == head_revision()


def _record(source_id: str, ts: datetime, **payload) -> IncomingRecord:
    return IncomingRecord(source_id, ts, {"id": source_id, **payload}, f"line {source_id}")


def test_landing_counts_new_changed_unchanged_and_keeps_newest_duplicate(engine):
    with engine.begin() as conn:
        first = land_records(conn, "crm", [_record("1", T0, name="a"), _record("2", T0, name="b")], "r1", T0)
    assert (first.new, first.changed, first.unchanged) == (2, 0, 0)
    later = T0 + timedelta(hours=1)
    with engine.begin() as conn:
        second = land_records(
            conn,
            "crm",
            [_record("1", T0, name="a"), _record("2", later, name="B"), _record("2", T0, name="old"), _record("3", T0)],
            "r2",
            later,
        )
    assert (second.new, second.changed, second.unchanged, second.stale) == (1, 1, 1, 1)
    with engine.connect() as conn:
        rows = {r.source_id: r for r in conn.execute(select(source_records))}
    assert rows["2"].payload["name"] == "B"
    assert rows["2"].cursor_ts == later and rows["2"].cursor_ts.tzinfo is not None
    assert rows["1"].last_run_id == "r2" and rows["1"].first_seen_at == T0


def test_an_older_version_never_overwrites_a_newer_one(engine):
    with engine.begin() as conn:
        land_records(conn, "crm", [_record("1", T0 + timedelta(days=1), name="new")], "r1", T0)
        counts = land_records(conn, "crm", [_record("1", T0, name="old")], "r2", T0)
    assert counts.stale == 1
    with engine.connect() as conn:
        assert conn.execute(select(source_records.c.payload)).scalar_one()["name"] == "new"


def test_upsert_spans_batches_and_increments(engine):
    rows = [
        {
            "source": "s",
            "stage": "extract",
            "position": f"line {i}",
            "raw": b"x%d" % i,
            "raw_hash": f"h{i}",
            "reasons": ["r"],
            "status": "open",
            "seen_count": 1,
            "first_seen_at": T0,
            "last_seen_at": T0,
            "last_run_id": "r",
        }
        for i in range(1203)
    ]
    with engine.begin() as conn:
        upsert(
            conn,
            quarantine,
            rows,
            keys=["source", "stage", "raw_hash"],
            update=["seen_count"],
            increment=["seen_count"],
        )
        upsert(
            conn,
            quarantine,
            rows[:5],
            keys=["source", "stage", "raw_hash"],
            update=["seen_count"],
            increment=["seen_count"],
        )
    with engine.connect() as conn:
        counts = [r.seen_count for r in conn.execute(select(quarantine).order_by(quarantine.c.id))]
    assert len(counts) == 1203
    assert counts[:5] == [2] * 5 and set(counts[5:]) == {1}


def test_quarantine_keeps_each_bad_row_once_with_its_exact_bytes(engine):
    raw = b'5,"Acme, Inc,\xff\xfe\n'
    entry = QuarantineEntry("line 6", raw, ["malformed CSV"])
    with engine.begin() as conn:
        assert quarantine_rows(conn, "crm", "extract", [entry, entry], "r1", T0) == 1
    with engine.begin() as conn:
        assert quarantine_rows(conn, "crm", "extract", [entry], "r2", T0) == 0
    with engine.connect() as conn:
        row = conn.execute(select(quarantine)).one()
    assert row.raw == raw and row.seen_count == 2 and row.reasons == ["malformed CSV"] and row.last_run_id == "r2"


def test_watermark_moves_forward_only(engine):
    with engine.begin() as conn:
        assert advance_watermark(conn, "crm", T0, "5", "r1", T0)
        assert not advance_watermark(conn, "crm", T0 - timedelta(days=1), "9", "r2", T0)
        assert not advance_watermark(conn, "crm", T0, "4", "r2", T0)
        assert advance_watermark(conn, "crm", T0, "6", "r2", T0)
        assert get_watermark(conn, "crm") == (T0, "6")


def test_leases_exclude_other_runs_until_released_or_expired(engine):
    ttl = timedelta(minutes=30)
    acquire(engine, "source:crm", "run-a", ttl, T0)
    acquire(engine, "source:crm", "run-a", ttl, T0 + timedelta(minutes=1))  # renewal by the holder
    with pytest.raises(LeaseHeld, match="run-a"):
        acquire(engine, "source:crm", "run-b", ttl, T0 + timedelta(minutes=5))
    acquire(engine, "source:crm", "run-b", ttl, T0 + timedelta(hours=1))  # expired: taken over
    release(engine, "source:crm", "run-a")  # not the holder any more: no effect
    with pytest.raises(LeaseHeld):
        acquire(engine, "source:crm", "run-c", ttl, T0 + timedelta(hours=1))
    release(engine, "source:crm", "run-b")
    acquire(engine, "source:crm", "run-c", ttl, T0 + timedelta(hours=1))


def test_outbox_pending_follows_lead_and_mapping_changes(engine):
    lead = {
        "lead_id": "a" * 32,
        "identity_key": "email:x@y.example",
        "email": "x@y.example",
        "lifecycle_stage": "lead",
        "do_not_contact": False,
        "status": "active",
        "fields": {},
        "issues": {},
        "record_count": 1,
        "content_hash": "h1",
        "created_at": T0,
        "updated_at": T0,
    }
    with engine.begin() as conn:
        upsert(conn, leads, [lead], keys=["lead_id"])
        assert outbox.count_pending(conn, "crm_leads", "m1", None) == 1
        assert outbox.count_pending(conn, "crm_leads", "m1", ["mql"]) == 0
        outbox.record_accepted(
            conn,
            "crm_leads",
            [{"lead_id": "a" * 32, "payload_hash": "p", "lead_hash": "h1", "remote_id": None}],
            "m1",
            "r",
            T0,
        )
        assert outbox.count_pending(conn, "crm_leads", "m1", None) == 0
        assert outbox.count_pending(conn, "crm_leads", "m2", None) == 1  # the mapping changed
        upsert(conn, leads, [{**lead, "content_hash": "h2"}], keys=["lead_id"])
        assert outbox.count_pending(conn, "crm_leads", "m1", None) == 1  # the lead changed
        assert outbox.count_pending(conn, "other_sink", "m1", None) == 1
        upsert(conn, leads, [{**lead, "status": "retired"}], keys=["lead_id"])
        assert outbox.count_pending(conn, "crm_leads", "m1", None) == 0


def test_the_migrations_build_exactly_the_schema_the_code_declares(engine):
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    from connectors.store.schema import metadata

    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"version_table": VERSION_TABLE})
        differences = compare_metadata(context, metadata)
    assert [d for d in differences if not (d[0] == "remove_table" and d[1].name == VERSION_TABLE)] == []
