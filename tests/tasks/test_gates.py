"""Validation and gates in the pipeline: what is held back, what stops a run, what is released."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import insert, select, text

from connectors.store.engine import get_engine
from connectors.store.schema import leads, quarantine, runs, source_records
from tests.conftest import crm_row, crm_source, write_config, write_crm
from tests.tasks.pipeline_helpers import run_checked, snapshot

pytestmark = pytest.mark.postgres


def _tripped(counts):
    return [g for g in counts["gates"] if g["tripped"]]


def test_a_throwaway_address_is_held_back_and_released_once_fixed(tmp_path, database_url):
    rows = [crm_row(i) for i in range(20)] + [crm_row(20, email="test@test.com")]
    csv = write_crm(tmp_path / "crm.csv", rows)
    config = write_config(tmp_path, database_url, {"crm": crm_source(csv)})
    counts = run_checked(config, "run-1")
    assert counts["validation"]["landed_records"]["crm"]["quarantined"] == 1
    assert counts["normalize"]["leads_created"] == 20 and not _tripped(counts)
    engine = get_engine(database_url)
    with engine.connect() as conn:
        entry = conn.execute(select(quarantine).where(quarantine.c.stage == "validate")).one()
        held = conn.execute(
            select(source_records.c.quarantined_hash).where(source_records.c.source_id == "1020")
        ).scalar()
        in_sink = conn.execute(text("SELECT count(*) FROM crm_leads")).scalar_one()
    assert entry.reasons == ["a test or throwaway email address"] and entry.status == "open"
    assert held is not None and in_sink == 20

    rows[-1] = crm_row(20, email="real.person@corp.example", modified="2026-10-05 09:00")
    write_crm(csv, rows)
    counts = run_checked(config, "run-2")
    assert counts["normalize"]["leads_created"] == 1
    with engine.connect() as conn:
        assert conn.execute(select(quarantine.c.status).where(quarantine.c.stage == "validate")).scalar() == "released"
        assert conn.execute(text("SELECT count(*) FROM crm_leads")).scalar_one() == 21


def test_a_junk_lead_is_kept_but_never_synced_until_it_passes(tmp_path, database_url):
    rows = [crm_row(i) for i in range(10)]
    rows.append(crm_row(10).replace("Firstk,", "Firstk99,"))
    csv = write_crm(tmp_path / "crm.csv", rows)
    config = write_config(tmp_path, database_url, {"crm": crm_source(csv)})
    counts = run_checked(config, "run-1")
    assert counts["validation"]["normalized_leads"]["leads"]["quarantined"] == 1
    engine = get_engine(database_url)
    with engine.connect() as conn:
        status = dict(conn.execute(select(leads.c.email, leads.c.validation_status)).all())
        synced = set(conn.execute(text("SELECT email FROM crm_leads")).scalars())
    assert status["person10@corp3.example"] == "quarantined" and "person10@corp3.example" not in synced
    assert len(synced) == 10

    rows[-1] = crm_row(10, modified="2026-10-06 09:00")
    write_crm(csv, rows)
    run_checked(config, "run-2")
    with engine.connect() as conn:
        assert "person10@corp3.example" in set(conn.execute(text("SELECT email FROM crm_leads")).scalars())
        assert conn.execute(select(quarantine.c.status).where(quarantine.c.source == "leads")).scalar() == "released"


def test_too_many_quarantined_rows_trip_the_gate_and_nothing_is_synced(tmp_path, database_url):
    rows = [crm_row(i) for i in range(8)] + [crm_row(i, email=f"x{i}@mailinator.com") for i in range(8, 12)]
    csv = write_crm(tmp_path / "crm.csv", rows)
    config = write_config(tmp_path, database_url, {"crm": crm_source(csv)})
    events: list = []
    counts = run_checked(config, "run-1", events)
    (gate,) = _tripped(counts)
    assert gate["gate"] == "quarantine_share" and gate["scope"] == "landed_records/crm"
    assert "33.3% of 12 rows quarantined; limit 25%" in gate["detail"]
    assert "sinks" not in counts and snapshot(get_engine(database_url))["sink"] is None
    assert [e["event"] for e in events] == ["leads.gate.failed"]
    assert events[0]["payload"]["scope"] == "landed_records/crm" and events[0]["payload"]["run_id"] == "run-1"


def test_the_share_limit_is_configurable_per_source(tmp_path, database_url):
    rows = [crm_row(i) for i in range(8)] + [crm_row(i, email=f"x{i}@mailinator.com") for i in range(8, 12)]
    csv = write_crm(tmp_path / "crm.csv", rows)
    config = write_config(tmp_path, database_url, {"crm": crm_source(csv, quality={"max_quarantine_share": 0.5})})
    counts = run_checked(config, "run-1")
    assert not _tripped(counts) and counts["sinks"]["crm_leads"]["created"] == 8


def test_a_mapped_column_missing_from_the_export_is_schema_drift(tmp_path, database_url):
    csv = write_crm(tmp_path / "crm.csv", [crm_row(i) for i in range(5)])
    source = crm_source(csv)
    source["mapping"] = {**source["mapping"], "city": "City"}
    config = write_config(tmp_path, database_url, {"crm": source})
    counts = run_checked(config, "run-1")
    (gate,) = _tripped(counts)
    assert gate["gate"] == "schema_drift" and "'City'" in gate["detail"]
    assert "sinks" not in counts


def _history(engine, hour: int, extracted: list[int], days_back_from: datetime) -> None:
    rows = []
    for i, n in enumerate(extracted):
        started = (days_back_from - timedelta(days=i + 1)).replace(hour=hour, minute=0, second=0, microsecond=0)
        counts = {"sources": {"crm": {"status": "ok", "read": n, "skipped_by_cursor": 0}}}
        rows.append(
            {
                "run_id": f"old-{hour}-{i}",
                "flow_name": "lead_sync",
                "status": "completed",
                "dry_run": False,
                "started_at": started,
                "finished_at": started,
                "counts": counts,
            }
        )
    with engine.begin() as conn:
        conn.execute(insert(runs), rows)


@pytest.mark.parametrize(
    "usual_now, usual_other, expected_median, tripped",
    [
        ([400, 380, 420, 410], [5, 4, 6, 5], 405, True),  # this hour is usually busy: 5 is an outage
        ([5, 4, 6, 5], [400, 380, 420, 410], 5, False),  # this hour is always quiet: 5 is normal
    ],
    ids=["busy-hour-gone-quiet", "quiet-hour-stays-quiet"],
)
def test_volume_is_judged_against_the_same_hour_of_earlier_days(
    tmp_path, database_url, usual_now, usual_other, expected_median, tripped
):
    from connectors.store.migrate import upgrade

    csv = write_crm(tmp_path / "crm.csv", [crm_row(i) for i in range(5)])
    config = write_config(tmp_path, database_url, {"crm": crm_source(csv)}, timezone="UTC")
    engine = get_engine(database_url)
    upgrade(engine)
    now = datetime(2026, 11, 20, 2, 30, tzinfo=UTC)
    _history(engine, 2, usual_now, now)
    _history(engine, 14, usual_other, now)
    counts = run_checked(config, "run-1", started_at=now)
    volume = next(g for g in counts["gates"] if g["gate"] == "volume")
    assert volume["tripped"] is tripped
    assert f"5 records against a median of {expected_median} over 4 earlier runs" in volume["detail"]
