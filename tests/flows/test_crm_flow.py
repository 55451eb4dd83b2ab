"""lead_sync on HubSpot and Salesforce served as real HTTP servers on loopback, in processes of their own."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select, text

from connectors.store.engine import get_engine
from connectors.store.schema import activities, lead_links, leads, owners
from flows.lead_sync import lead_sync
from tests.connectors.crm.support import hubspot_source, salesforce_source, set_credentials, write_crm_config
from tests.fakes.loopback import LoopbackServer


@pytest.fixture
def hubspot():
    with LoopbackServer("tests.fakes.hubspot:FakeHubSpot") as server:
        yield server


@pytest.fixture
def salesforce():
    start = (datetime.now(UTC) - timedelta(days=2)).isoformat()
    with LoopbackServer("tests.fakes.salesforce:FakeSalesforce", start_at=start, batch_size=200) as server:
        server.call("set_instance_url", server.url)
        yield server


def test_both_crms_flow_into_one_golden_lead_per_person(
    prefect_server, hubspot, salesforce, tmp_path, database_url, monkeypatch
):
    set_credentials(monkeypatch)
    yesterday = int((datetime.now(UTC) - timedelta(days=1)).timestamp() * 1000)
    owner = hubspot.call("add_owner", "dana@seller.example", "Dana", "Whit")
    contacts = [
        {
            "email": f"p{i}@corp{i % 4}.example",
            "firstname": f"Ann{chr(97 + i)}",
            "lastname": "Lee",
            "hubspot_owner_id": owner,
            "lifecyclestage": "lead",
        }
        for i in range(20)
    ]
    ids = hubspot.call("add_contacts", contacts, yesterday)
    hubspot.call("add_engagement", "meetings", {"hs_meeting_outcome": "COMPLETED"}, [ids[0]])
    # Five of the HubSpot people are Salesforce leads too (same address, another case).
    sf_leads = [
        {
            "FirstName": f"Ann{chr(97 + i)}",
            "LastName": "Lee",
            "Email": f"P{i}@Corp{i % 4}.example",
            "Company": f"Corp {i % 4}",
        }
        for i in range(15, 25)
    ]
    salesforce.call("add_records", "Lead", sf_leads)
    salesforce.call("advance", 86400)
    sources = {
        "hubspot": hubspot_source(base_url=hubspot.url),
        "salesforce": salesforce_source(login_url=salesforce.url, base_url=salesforce.url, bulk_threshold=0),
    }
    config = write_crm_config(tmp_path, database_url, sources, identity={"source_priority": ["salesforce"]})

    state = lead_sync(config_path=str(config), return_state=True)
    assert state.is_completed(), state.message
    counts = state.result()
    hs, sf = counts["sources"]["hubspot"], counts["sources"]["salesforce"]
    assert (hs["status"], hs["new"], sf["status"], sf["new"]) == ("ok", 20, "ok", 10)
    assert hs["events"]["owners"] == 1 and hs["events"]["activities"] == 1
    engine = get_engine(database_url)
    with engine.connect() as conn:
        active = conn.execute(select(func.count()).select_from(leads).where(leads.c.status == "active")).scalar_one()
        in_sink = conn.execute(text("SELECT count(*) FROM crm_leads")).scalar_one()
        shared = conn.execute(
            select(func.count()).select_from(
                select(lead_links.c.lead_id)
                .group_by(lead_links.c.lead_id)
                .having(func.count(func.distinct(lead_links.c.source)) == 2)
                .subquery()
            )
        ).scalar_one()
        meeting = conn.execute(select(activities)).one()
        dana = conn.execute(select(owners).where(owners.c.source == "hubspot")).one()
    assert (active, in_sink, shared) == (25, 25, 5)
    assert meeting.kind == "meeting" and meeting.lead_id is not None
    assert dana.name == "Dana Whit"
    assert hubspot.call("throttled") == 0

    before = hubspot.call("count")
    again = lead_sync(config_path=str(config))
    assert again["sources"]["hubspot"]["new"] == again["sources"]["salesforce"]["new"] == 0
    assert again["normalize"]["records"] == 0
    # A quiet rerun costs a handful of requests: owners, properties and one empty page per stream.
    assert hubspot.call("count") - before <= 8


def test_leads_reach_hubspot_once_a_dry_run_writes_nothing_and_a_full_resync_compares_again(
    prefect_server, hubspot, tmp_path, database_url, monkeypatch
):
    from tests.conftest import crm_row, crm_source, write_crm
    from tests.connectors.crm.support import hubspot_sink

    set_credentials(monkeypatch)
    yesterday = int((datetime.now(UTC) - timedelta(days=1)).timestamp() * 1000)
    hubspot.call("add_contacts", [{"email": "known@corp1.example", "firstname": "Kay", "lastname": "Known"}],
                 yesterday)
    csv = write_crm(tmp_path / "crm.csv", [crm_row(i) for i in range(12)])
    sources = {"hubspot": hubspot_source(base_url=hubspot.url), "crm": crm_source(csv)}
    sinks = {"hubspot_out": hubspot_sink(base_url=hubspot.url)}
    config = write_crm_config(tmp_path, database_url, sources, sinks=sinks)

    first = lead_sync(config_path=str(config))
    out = first["sinks"]["hubspot_out"]
    assert (out["status"], out["created"], out["updated"], out["rejected"]) == ("ok", 12, 1, 0)
    assert len(hubspot.call("ids")) == 13 and hubspot.call("throttled") == 0

    promoted = [crm_row(i, modified="2026-10-03 10:00").replace(",Manager,", ",VP Marketing,") for i in range(12)]
    write_crm(tmp_path / "crm.csv", promoted)  # seniority and department change: properties of ours
    writes_before = hubspot.call("count", "POST", "/crm/v3/objects/contacts/batch/u")
    dry = lead_sync(config_path=str(config), dry_run=True)
    assert dry["sinks"]["hubspot_out"]["updated"] == 12
    assert hubspot.call("count", "POST", "/crm/v3/objects/contacts/batch/u") == writes_before
    run_dir = next(p for p in (tmp_path / "runs").iterdir() if (p / "sync-hubspot_out.jsonl").exists())
    summary = (run_dir / "summary.md").read_text(encoding="utf-8")
    assert "### hubspot_out: fields" in summary and "leads it would write" in summary
    assert "@corp" not in summary  # field names and counts, never an address

    resync = lead_sync(config_path=str(config), sinks=["hubspot_out"], full_resync=["hubspot_out"])
    assert resync["full_resync"]["hubspot_out"] == 13
    assert resync["sinks"]["hubspot_out"]["pending"] == 13  # every lead compared with HubSpot again
