"""The stages end to end without Prefect: reruns, crashes, dry runs, changes, leases."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, text

from connectors.store.engine import get_engine
from connectors.store.leases import acquire
from connectors.store.schema import leads, quarantine, source_records, sync_errors, watermarks
from tasks import extract as extract_module
from tasks import normalize as normalize_module
from tasks import sync as sync_module
from tests.conftest import crm_row, crm_source, write_config, write_crm
from tests.tasks.pipeline_helpers import run_pipeline, snapshot

pytestmark = pytest.mark.postgres

BAD_ROWS = [
    "9001,Bad,Cursor,bad@corp.example,,X,,,,Lead,,,2026-09-01 09:00,last tuesday,Direct",
    "9002,,Noid,,,,,,,,,,2026-09-01 09:00,,",
    "9003,Nobody,Reachable,,,Corp,,,,Lead,,,2026-09-01 09:00,2026-10-02 10:00,Direct",
]


def _rows(n: int) -> list[str]:
    rows = [crm_row(i) for i in range(n)]
    rows[40:40] = BAD_ROWS
    return rows


@pytest.fixture
def config(tmp_path, database_url):
    csv = write_crm(tmp_path / "crm.csv", _rows(250))
    return write_config(tmp_path, database_url, {"crm": crm_source(csv)}, chunk_size=100)


def test_first_run_lands_normalizes_and_syncs_every_good_row(config, database_url):
    counts = run_pipeline(config, "run-1")
    src = counts["sources"]["crm"]
    assert (src["read"], src["new"], src["quarantined"]) == (253, 251, 2)
    assert counts["normalize"]["records"] == 251
    assert counts["normalize"]["rejected"] == 1  # 9003: no email, no phone
    assert counts["normalize"]["leads_created"] == 250
    assert counts["sinks"]["crm_leads"]["created"] == 250
    engine = get_engine(database_url)
    with engine.connect() as conn:
        reasons = {r.stage: r.reasons for r in conn.execute(select(quarantine))}
        sink_rows = conn.execute(text("SELECT count(*) FROM crm_leads")).scalar_one()
    assert sink_rows == 250
    assert any("cannot be identified or contacted" in r for r in reasons["normalize"])
    with engine.connect() as conn:
        positions = sorted(r.position for r in conn.execute(select(quarantine).where(quarantine.c.stage == "extract")))
    assert positions == ["line 42", "line 43"]


def test_rerunning_the_same_files_changes_nothing(config, database_url):
    run_pipeline(config, "run-1")
    before = snapshot(get_engine(database_url))
    counts = run_pipeline(config, "run-2")
    assert counts["sources"]["crm"]["new"] == counts["sources"]["crm"]["changed"] == 0
    assert counts["normalize"]["records"] == 0
    assert counts["sinks"]["crm_leads"]["pending"] == 0
    assert counts["sinks"]["crm_leads"]["created"] == counts["sinks"]["crm_leads"]["updated"] == 0
    assert snapshot(get_engine(database_url)) == before


def test_a_changed_row_flows_through_to_the_sink(config, database_url, tmp_path):
    run_pipeline(config, "run-1")
    rows = _rows(250)
    rows[0] = crm_row(0, company="Renamed GmbH", modified="2026-10-09 08:00")
    write_crm(tmp_path / "crm.csv", rows)
    counts = run_pipeline(config, "run-2")
    assert counts["sources"]["crm"]["changed"] == 1
    assert counts["sources"]["crm"]["unchanged"] == 250  # the cursor is inclusive: rows at the mark are re-read
    assert (counts["normalize"]["leads_updated"], counts["normalize"]["leads_created"]) == (1, 0)
    assert (counts["sinks"]["crm_leads"]["updated"], counts["sinks"]["crm_leads"]["created"]) == (1, 0)
    with get_engine(database_url).connect() as conn:
        company = conn.execute(text("SELECT company FROM crm_leads WHERE email = 'person0@corp0.example'")).scalar_one()
        mark = conn.execute(select(watermarks.c.cursor_ts)).scalar_one()
    assert company == "Renamed GmbH"
    assert mark == datetime(2026, 10, 9, 8, 0, tzinfo=UTC)
    counts = run_pipeline(config, "run-3")
    assert counts["sources"]["crm"]["skipped_by_cursor"] == 250  # now behind the watermark
    assert counts["sources"]["crm"]["unchanged"] == 1


@pytest.mark.parametrize(
    "module, name, calls_before_crash",
    [
        (extract_module, "land_records", 1),  # after the first chunk landed
        (normalize_module, "_apply_batch", 1),  # after the first batch of leads was written
        (sync_module.outbox, "record_accepted", 1),  # between the sink's reply and our commit
    ],
    ids=["extract", "normalize", "sync"],
)
def test_a_crash_then_a_rerun_ends_like_a_clean_run(
    tmp_path, database_url, monkeypatch, module, name, calls_before_crash
):
    clean_dir = tmp_path / "clean"
    clean_dir.mkdir()
    clean_csv = write_crm(clean_dir / "crm.csv", _rows(250))
    clean_url = f"sqlite:///{clean_dir / 'clean.db'}"
    clean = write_config(clean_dir, clean_url, {"crm": crm_source(clean_csv)}, chunk_size=100)
    run_pipeline(clean, "clean")

    crash_csv = write_crm(tmp_path / "crm.csv", _rows(250))
    crashing = write_config(tmp_path, database_url, {"crm": crm_source(crash_csv)}, chunk_size=100)
    target = getattr(module, name)
    calls = {"n": 0}

    def crash_after_some(*args, **kwargs):
        if calls["n"] >= calls_before_crash:
            raise RuntimeError("simulated crash")
        calls["n"] += 1
        return target(*args, **kwargs)

    monkeypatch.setattr(module, name, crash_after_some)
    with pytest.raises(RuntimeError, match="simulated crash"):
        run_pipeline(crashing, "crashed")
    monkeypatch.setattr(module, name, target)
    if module is extract_module:
        with get_engine(database_url).connect() as conn:
            assert conn.execute(select(watermarks)).first() is None  # never ahead of landed data
            # the first chunk of 100 rows held 2 malformed ones
            assert conn.execute(text("SELECT count(*) FROM source_records")).scalar_one() == 98

    run_pipeline(crashing, "rerun")
    assert snapshot(get_engine(database_url)) == snapshot(get_engine(clean_url))


def test_dry_run_reports_what_it_would_send_and_writes_no_sink(config, database_url):
    counts = run_pipeline(config, "dry", dry_run=True)
    assert counts["sinks"]["crm_leads"]["created"] == 250 and counts["sinks"]["crm_leads"]["dry_run"]
    state = snapshot(get_engine(database_url))
    assert state["sink"] is None and state["sync_state"] == []
    counts = run_pipeline(config, "real")
    assert counts["sinks"]["crm_leads"]["created"] == 250


def test_changing_the_mapping_renormalizes_and_resyncs(config, database_url, tmp_path):
    run_pipeline(config, "run-1")
    csv = tmp_path / "crm.csv"
    source = crm_source(csv)
    source["mapping"] = {k: v for k, v in source["mapping"].items() if k != "job_title"}
    write_config(tmp_path, database_url, {"crm": source}, chunk_size=100)
    counts = run_pipeline(config, "run-2")
    assert counts["normalize"]["records"] == 251
    assert counts["normalize"]["leads_updated"] == 250
    assert counts["sinks"]["crm_leads"]["updated"] == 250
    with get_engine(database_url).connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM crm_leads WHERE job_title IS NOT NULL")).scalar_one() == 0


def test_records_sharing_an_email_are_one_lead_and_come_apart_when_they_no_longer_do(tmp_path, database_url):
    rows = [crm_row(1, email="Same@Corp.example"), crm_row(2, email=" same@corp.EXAMPLE ", modified="2026-10-03 10:00")]
    csv = write_crm(tmp_path / "crm.csv", rows)
    config = write_config(tmp_path, database_url, {"crm": crm_source(csv)})
    counts = run_pipeline(config, "run-1")
    assert counts["normalize"]["leads_created"] == 1
    with get_engine(database_url).connect() as conn:
        lead = conn.execute(select(leads)).one()
    assert lead.record_count == 2 and lead.fields["first_name"][0] == "Firstc"  # the newer record wins

    write_crm(
        csv,
        [
            crm_row(1, email="other@corp.example", modified="2026-10-04 10:00"),
            crm_row(2, email="fresh@corp.example", modified="2026-10-04 10:00"),
        ],
    )
    counts = run_pipeline(config, "run-2")
    # The lead splits: the part holding its first record keeps its id, the other is a new lead.
    assert counts["normalize"]["leads_created"] == 1 and counts["normalize"]["leads_updated"] == 1
    assert counts["normalize"]["leads_retired"] == 0 and counts["normalize"]["leads_merged"] == 0
    with get_engine(database_url).connect() as conn:
        rows = {r.email: r for r in conn.execute(select(leads))}
    assert sorted(r.status for r in rows.values()) == ["active", "active"]
    assert rows["other@corp.example"].lead_id == lead.lead_id


def test_a_source_held_by_another_run_is_skipped_untouched(config, database_url):
    engine = get_engine(database_url)
    run_pipeline(config, "setup")  # creates the tables
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM source_records"))
    acquire(engine, "source:crm", "someone-else", timedelta(minutes=30), datetime.now(UTC))
    counts = run_pipeline(config, "run-2")
    assert counts["sources"]["crm"]["status"] == "busy"
    assert "someone-else" in counts["sources"]["crm"]["problems"][0]
    with engine.connect() as conn:
        assert conn.execute(select(source_records)).first() is None


def test_rows_the_sink_refuses_are_recorded_and_retried_while_the_rest_lands(tmp_path, database_url):
    csv = write_crm(tmp_path / "crm.csv", [crm_row(i) for i in range(10)] + [crm_row(10, company="X" * 50)])
    config = write_config(
        tmp_path,
        database_url,
        {"crm": crm_source(csv)},
        {"crm_leads": {"type": "sql_table", "table": "crm_leads", "fields": ["email", "company"]}},
    )
    engine = get_engine(database_url)
    engine.dispose()
    with engine.begin() as conn:
        conn.execute(
            text(
                "CREATE TABLE crm_leads (lead_id VARCHAR(32) PRIMARY KEY, email TEXT, company TEXT "
                "CHECK (length(company) < 40), synced_at TIMESTAMP WITH TIME ZONE NOT NULL)"
            )
        )
    counts = run_pipeline(config, "run-1")
    sink = counts["sinks"]["crm_leads"]
    assert (sink["created"], sink["rejected"]) == (10, 1)
    assert "check" in sink["errors"][0].lower()
    with engine.connect() as conn:
        assert conn.execute(select(sync_errors.c.attempts)).scalar_one() == 1
    counts = run_pipeline(config, "run-2")  # still pending: tried again, and counted again
    assert counts["sinks"]["crm_leads"]["pending"] == 1 and counts["sinks"]["crm_leads"]["rejected"] == 1
    with engine.connect() as conn:
        assert conn.execute(select(sync_errors.c.attempts)).scalar_one() == 2
