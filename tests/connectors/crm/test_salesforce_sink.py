"""The Salesforce sink against the strict fake: pre-flight, update by Id, upsert by our id, per-record refusals."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlalchemy import select

from connectors.store import outbox
from connectors.store.engine import get_engine
from connectors.store.schema import sync_errors
from tests.conftest import crm_row, crm_source, write_crm
from tests.connectors.crm.support import (
    run_extract,
    run_normalize,
    run_sync,
    salesforce_sink,
    salesforce_source,
    set_credentials,
    write_crm_config,
)
from tests.fakes.salesforce import FakeSalesforce

pytestmark = pytest.mark.postgres
QUIET = {
    "objects": {"Lead": {}},
    "activities": False,
    "history": False,
    "owners": False,
    "opportunities": False,
    "deleted_sweep": False,
    "bulk_threshold": 0,
}
WRITES = "/services/data/v62.0/composite/sobjects"


@pytest.fixture
def fake():
    sf = FakeSalesforce(batch_size=200, start_at=(datetime.now(UTC) - timedelta(days=2)).isoformat())
    sf.add_custom_field("Lead", "Leads_Etl_Id__c", type="string", external_id=True, unique=True)
    return sf


@pytest.fixture
def setup(tmp_path, database_url, monkeypatch, fake):
    set_credentials(monkeypatch)

    def make(file_rows: int = 0, leads: list[dict] | None = None, **sink):
        ids = fake.add_records("Lead", leads) if leads else []
        fake.advance(86400)
        sources = {"sf": salesforce_source(**QUIET)}
        if file_rows:
            sources["crm"] = crm_source(write_crm(tmp_path / "crm.csv", [crm_row(i) for i in range(file_rows)]))
        config = write_crm_config(tmp_path, database_url, sources, sinks={"sf_out": salesforce_sink(**sink)})
        transports = {"sf": httpx.MockTransport(fake), "sf_out": httpx.MockTransport(fake)}
        run_extract(config, "r0", transports, "sf", clock=fake.clock.now)
        if file_rows:
            run_extract(config, "r0f", transports, "crm", clock=fake.clock.now)
        run_normalize(config, "r0")
        return config, transports, ids

    return make


def lead(i: int, **fields) -> dict:
    return {
        "FirstName": "Ann",
        "LastName": f"Known{chr(97 + i)}",
        "Email": f"l{i}@known.example",
        "Company": "Known Co",
        **fields,
    }


def sync(config, run_id, transports, fake, **kw):
    return run_sync(config, run_id, transports, "sf_out", **kw)


def test_known_leads_are_updated_by_id_new_ones_upserted_by_our_id_and_a_rerun_writes_nothing(fake, setup):
    config, transports, ids = setup(file_rows=250, leads=[lead(0, Title=None), lead(1, Title="CFO")])
    counts = sync(config, "s1", transports, fake)
    assert (counts["status"], counts["created"], counts["updated"], counts["rejected"]) == ("ok", 250, 2, 0)
    assert fake.count(method="PATCH", path_prefix=WRITES) == 3  # 250 creates in 200s, 2 updates in one call
    assert fake.record("Lead", ids[1])["Title"] == "CFO"  # the CRM's own value stays (if_empty)
    assert fake.record("Lead", ids[0])["Leads_Etl_Id__c"]  # our id set on the records we know
    again = sync(config, "s2", transports, fake)
    assert again["pending"] == 0 and fake.count(method="PATCH", path_prefix=WRITES) == 3


def test_the_pre_flight_names_a_missing_external_id_and_unknown_fields(fake, setup):
    config, transports, _ = setup(file_rows=2, external_id="Missing_Ext__c", fields={"Score__c": "employee_count"})
    with pytest.raises(Exception) as refused:
        sync(config, "s1", transports, fake)
    message = str(refused.value)
    assert "sinks.sf_out.external_id: Lead has no External ID field 'Missing_Ext__c'" in message
    assert "sinks.sf_out.fields.Score__c: Lead has no field 'Score__c'" in message
    assert fake.count(method="PATCH") == 0


def test_converted_leads_and_duplicate_rules_are_permanent_refusals(tmp_path, database_url, monkeypatch):
    sf = FakeSalesforce(
        batch_size=200, duplicate_rule_on=["Phone"], start_at=(datetime.now(UTC) - timedelta(days=2)).isoformat()
    )
    sf.add_custom_field("Lead", "Leads_Etl_Id__c", type="string", external_id=True, unique=True)
    converted = sf.add_record("Lead", lead(0))
    sf.convert_lead(converted)
    sf.add_record("Lead", {**lead(5), "Phone": "+14155550002"})  # another person with crm_row(2)'s phone
    sf.advance(86400)
    set_credentials(monkeypatch)
    csv = write_crm(tmp_path / "crm.csv", [crm_row(1), crm_row(2)])
    sources = {"sf": salesforce_source(**QUIET), "crm": crm_source(csv)}
    config = write_crm_config(tmp_path, database_url, sources, sinks={"sf_out": salesforce_sink()})
    transports = {"sf": httpx.MockTransport(sf), "sf_out": httpx.MockTransport(sf)}
    for name in ("sf", "crm"):
        run_extract(config, f"r0{name}", transports, name, clock=sf.clock.now)
    run_normalize(config, "r0")
    counts = run_sync(config, "s1", transports, "sf_out")
    with get_engine(database_url).connect() as conn:
        errors = {e.error.split(":")[0] for e in conn.execute(select(sync_errors))}
    assert errors == {"CANNOT_UPDATE_CONVERTED_LEAD", "DUPLICATES_DETECTED"}
    assert (counts["rejected"], counts["created"]) == (2, 1)
    before = sf.count(method="PATCH")
    again = run_sync(config, "s2", transports, "sf_out")
    assert sf.count(method="PATCH") == before and again["pending"] == 0  # refused for good: not sent again


def test_a_crash_after_salesforce_answered_leaves_no_duplicate(fake, setup, monkeypatch):
    config, transports, _ = setup(file_rows=30)
    real = outbox.record_accepted
    monkeypatch.setattr(outbox, "record_accepted", lambda *a, **k: (_ for _ in ()).throw(KeyboardInterrupt()))
    with pytest.raises(KeyboardInterrupt):
        sync(config, "s1", transports, fake)
    monkeypatch.setattr(outbox, "record_accepted", real)
    assert len(fake.records("Lead", include_deleted=False)) == 30
    sync(config, "s2", transports, fake)
    assert len(fake.records("Lead", include_deleted=False)) == 30  # found by our external id, not created again


def test_a_sales_edit_is_left_alone(fake, setup, tmp_path, database_url):
    config, transports, ids = setup(leads=[lead(0)], fields={"Title": {"field": "job_title"}})
    csv = write_crm(tmp_path / "titles.csv", [crm_row(0, email="l0@known.example")])
    sources = {"sf": salesforce_source(**QUIET), "titles": crm_source(csv)}
    config = write_crm_config(
        tmp_path, database_url, sources, sinks={"sf_out": salesforce_sink(fields={"Title": {"field": "job_title"}})}
    )
    run_extract(config, "r1", transports, "titles", clock=fake.clock.now)
    run_normalize(config, "r1")
    sync(config, "s1", transports, fake)
    assert fake.record("Lead", ids[0])["Title"] == "Manager"
    rep = fake.add_record("User", {"FirstName": "Rae", "LastName": "Rep", "Email": "rae@seller.example"})
    fake.update_record("Lead", ids[0], {"Title": "Chief Sales Officer"}, by=rep)
    promoted = crm_row(0, email="l0@known.example", modified="2026-10-03 10:00").replace(",Manager,", ",Director,")
    write_crm(tmp_path / "titles.csv", [promoted])  # our title for the person changes: the sink looks again
    run_extract(config, "r2", transports, "titles", clock=fake.clock.now)
    run_normalize(config, "r2")
    counts = sync(config, "s2", transports, fake)
    assert fake.record("Lead", ids[0])["Title"] == "Chief Sales Officer"
    assert counts["kept_fields"] == {"edited in the CRM since our last write": 1}
