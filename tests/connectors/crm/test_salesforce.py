"""The Salesforce source against the strict fake: compound cursors, deletions, bulk loads, sessions, quota."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlalchemy import select

from connectors.store.engine import get_engine
from connectors.store.schema import activities, lead_links, outcomes, owners, stage_history
from tests.connectors.crm.support import (
    CrashAfter,
    landed,
    run_extract,
    run_normalize,
    salesforce_source,
    set_credentials,
    write_back_salesforce,
    write_crm_config,
)
from tests.fakes.salesforce import FakeSalesforce

pytestmark = pytest.mark.postgres
QUERY = "/services/data/v62.0/query"  # also the prefix of queryAll and of nextRecordsUrl
ONLY_LEADS = {
    "objects": {"Lead": {}},
    "activities": False,
    "history": False,
    "owners": False,
    "opportunities": False,
    "deleted_sweep": False,
    "bulk_threshold": 0,
}


def leads(n: int, start: int = 0, **extra) -> list[dict]:
    return [
        {
            "FirstName": f"Ann{chr(97 + i % 26)}",
            "LastName": f"Lee{chr(97 + (i // 26) % 26)}",
            "Email": f"lead{i}@corp{i % 5}.example",
            "Company": f"Corp {i % 5}",
            "Status": "Open - Not Contacted",
            **extra,
        }
        for i in range(start, start + n)
    ]


@pytest.fixture
def fake():
    two_days_ago = (datetime.now(UTC) - timedelta(days=2)).isoformat()
    return FakeSalesforce(batch_size=200, start_at=two_days_ago)


@pytest.fixture
def config(tmp_path, database_url, monkeypatch):
    set_credentials(monkeypatch)

    def make(**settings):
        return write_crm_config(tmp_path, database_url, {"sf": salesforce_source(**settings)}, chunk_size=100)

    return make


def extract(cfg, fake, run_id, transport=None):
    return run_extract(cfg, run_id, {"sf": transport or httpx.MockTransport(fake)}, "sf", clock=fake.clock.now)


def test_a_first_load_reads_every_page_and_the_next_run_only_what_changed(fake, config, database_url):
    ids = fake.add_records("Lead", leads(450))
    fake.advance(86400)
    cfg = config(**ONLY_LEADS)
    first = extract(cfg, fake, "r1")
    assert (first["status"], first["new"]) == ("ok", 450)
    stored = landed(database_url, "sf")
    assert set(stored) == set(ids)
    payload = stored[ids[0]]["payload"]
    assert payload["attributes.type"] == "Lead" and payload["Email"] == "lead0@corp0.example"
    assert payload["IsConverted"] is False  # JSON types kept
    fake.update_record("Lead", ids[9], {"Title": "CFO"})
    fake.advance(600)
    second = extract(cfg, fake, "r2")
    assert (second["changed"], second["read"]) == (1, 1)


def test_rows_sharing_one_stamp_across_pages_are_neither_skipped_nor_duplicated_after_a_crash(
    fake, config, database_url
):
    ids = fake.add_records("Lead", leads(600))
    fake.advance(3600)
    fake.bulk_update("Lead", ids, {"Rating": "Hot"})  # one SystemModstamp for all 600
    fake.advance(86400)
    cfg = config(**ONLY_LEADS)
    with pytest.raises(KeyboardInterrupt):
        extract(cfg, fake, "r1", CrashAfter(httpx.MockTransport(fake), 3, QUERY))
    assert len(landed(database_url, "sf")) == 400  # two pages of 200 landed with their checkpoint
    counts = extract(cfg, fake, "r2")
    assert (counts["new"], counts["read"]) == (200, 200)  # resumed after the last (stamp, Id)
    assert set(landed(database_url, "sf")) == set(ids)


def test_deleted_rows_from_query_all_and_purged_ones_from_the_deleted_endpoint_become_deletions(
    fake, config, database_url
):
    ids = fake.add_records("Lead", leads(6))
    fake.advance(86400)
    cfg = config(**{**ONLY_LEADS, "deleted_sweep": True})
    extract(cfg, fake, "r1")
    run_normalize(cfg, "r1")
    fake.delete_record("Lead", ids[0])  # in the recycle bin: queryAll shows it with IsDeleted
    fake.delete_record("Lead", ids[1])
    fake.purge_record("Lead", ids[1])  # emptied from the bin: only the deleted endpoint knows
    fake.advance(600)
    counts = extract(cfg, fake, "r2")
    assert counts["deleted"] == 2
    stored = landed(database_url, "sf")
    assert stored[ids[0]]["deleted"] and stored[ids[1]]["deleted"]
    assert run_normalize(cfg, "r2")["leads_retired"] == 2
    with get_engine(database_url).connect() as conn:
        assert len(conn.execute(select(lead_links)).all()) == 4


def test_a_window_that_times_out_is_read_in_halves(config, database_url):
    start = (datetime.now(UTC) - timedelta(days=200)).isoformat()
    fake = FakeSalesforce(batch_size=200, start_at=start, query_timeout_rows=50, query_timeout_span=86400 * 40)
    ids = []
    for _ in range(4):
        ids += fake.add_records("Lead", leads(30, start=len(ids)))
        fake.advance(86400 * 45)
    cfg = config(**{**ONLY_LEADS, "start": (datetime.now(UTC) - timedelta(days=201)).isoformat()})
    counts = extract(cfg, fake, "r1")
    assert counts["new"] == 120 and set(landed(database_url, "sf")) == set(ids)
    assert fake.count(path_prefix=QUERY, status=400) >= 1
    assert any("timed out" in note for note in counts["notes"])


def test_a_big_first_load_goes_through_a_bulk_job_and_later_runs_through_rest(fake, config, database_url):
    ids = fake.add_records("Lead", leads(250))
    fake.advance(86400)
    cfg = config(**{**ONLY_LEADS, "bulk_threshold": 100})
    counts = extract(cfg, fake, "r1")
    assert counts["new"] == 250
    assert fake.count(method="POST", path_prefix="/services/data/v62.0/jobs/query") == 1
    rest_payload = None
    fake.update_record("Lead", ids[0], {"Title": "CEO"})
    fake.advance(600)
    second = extract(cfg, fake, "r2")
    assert (second["changed"], second["unchanged"]) == (1, 0)  # bulk and REST payloads hash alike
    rest_payload = landed(database_url, "sf")[ids[0]]["payload"]
    assert rest_payload["Title"] == "CEO" and rest_payload["IsConverted"] is False


def test_an_ended_session_is_renewed_and_a_refused_refresh_token_fails_clearly(fake, config, monkeypatch):
    fake.add_records("Lead", leads(3))
    fake.advance(86400)
    cfg = config(**ONLY_LEADS)
    fake.expire_session()
    assert extract(cfg, fake, "r1")["new"] == 3
    assert fake.token_refreshes() >= 1
    monkeypatch.setenv("SF_REFRESH_TOKEN", "5Aep-revoked-secret")
    with pytest.raises(Exception) as refused:
        extract(cfg, fake, "r2")
    assert "token refresh refused" in str(refused.value) and "5Aep-revoked-secret" not in str(refused.value)


def test_the_daily_quota_stops_the_source_cleanly_at_its_checkpoint(config, database_url):
    fake = FakeSalesforce(
        batch_size=200, daily_limit=100, used_at_start=70, start_at=(datetime.now(UTC) - timedelta(days=2)).isoformat()
    )
    fake.add_records("Lead", leads(2000))
    fake.advance(3600)  # (not a day: the usage at start would leave the rolling 24-hour window)
    cfg = config(**{**ONLY_LEADS, "quota": {"stop_at_share": 0.75}})
    counts = extract(cfg, fake, "r1")
    assert counts["status"] == "stopped"
    assert "daily API requests are used" in counts["notes"][0]
    landed_first = len(landed(database_url, "sf"))
    assert 0 < landed_first < 2000
    assert fake.count(status=403) == 0  # stopped before Salesforce had to refuse anything


def test_tasks_events_history_owners_conversions_and_opportunities(fake, config, database_url):
    rep = fake.add_record(
        "User", {"FirstName": "Dana", "LastName": "Whit", "Email": "dana@seller.example", "IsActive": True}
    )
    lead_id, other = fake.add_records("Lead", leads(2, OwnerId=rep))
    fake.update_record("Lead", lead_id, {"Status": "Working - Contacted"})
    fake.add_record(
        "Task",
        {
            "WhoId": lead_id,
            "TaskSubtype": "Call",
            "Status": "Completed",
            "CallDurationInSeconds": 120,
            "Subject": "Intro call",
        },
    )
    fake.add_record(
        "Event",
        {
            "WhoId": other,
            "StartDateTime": datetime.now(UTC).isoformat(),
            "EndDateTime": (datetime.now(UTC) + timedelta(hours=1)).isoformat(),
            "DurationInMinutes": 60,
            "Subject": "Demo",
        },
    )
    converted = fake.convert_lead(lead_id)
    fake.update_record(
        "Opportunity",
        converted["opportunity_id"],
        {"StageName": "Closed Won", "IsClosed": True, "IsWon": True, "Amount": 1200.0},
    )
    fake.advance(86400)
    cfg = config(bulk_threshold=0)
    counts = extract(cfg, fake, "r1")
    assert counts["status"] == "ok", counts
    run_normalize(cfg, "r1")
    with get_engine(database_url).connect() as conn:
        kinds = sorted((r.record_id, r.kind) for r in conn.execute(select(activities)))
        history = {(r.source_id, r.field, r.value) for r in conn.execute(select(stage_history))}
        results = {r.kind: r for r in conn.execute(select(outcomes))}
        dana = conn.execute(select(owners).where(owners.c.owner_id == rep)).one()
        links = {r.source_id: r.lead_id for r in conn.execute(select(lead_links))}
    assert kinds == sorted([(lead_id, "call"), (other, "meeting")])
    assert (lead_id, "lead_status", "Working - Contacted") in history
    assert results["converted"].record_id == lead_id
    assert results["converted"].details["opportunity"] == converted["opportunity_id"]
    assert (results["won"].amount, results["won"].currency) == (1200.0, "USD")
    assert results["won"].record_id == converted["contact_id"]
    assert (dana.name, dana.email, dana.active) == ("Dana Whit", "dana@seller.example", True)
    # The converted lead and the contact it became are one person: one golden lead.
    assert links[lead_id] == links[converted["contact_id"]]
    assert results["won"].lead_id == links[lead_id]


def test_custom_fields_are_discovered_and_a_mapped_field_that_is_gone_is_drift(fake, config, database_url):
    fake.add_custom_field("Lead", "Score__c", type="double")
    lead_id = fake.add_record("Lead", {**leads(1)[0], "Score__c": 42})
    fake.advance(86400)
    cfg = config(**{**ONLY_LEADS, "objects": {"Lead": {"mapping": {"phone": "Phone_Number__c"}}}})
    counts = extract(cfg, fake, "r1")
    assert landed(database_url, "sf")[lead_id]["payload"]["Score__c"] == 42.0
    assert counts["missing_columns"] == [
        "sources.sf.objects.Lead.mapping.phone: field 'Phone_Number__c' does not exist on Lead (describe)"
    ]


def test_contacts_read_their_account_name_through_the_relationship(fake, config, database_url):
    account = fake.add_record("Account", {"Name": "Acme Industries"})
    contact = fake.add_record(
        "Contact", {"FirstName": "Cy", "LastName": "Ray", "Email": "cy@acme.example", "AccountId": account}
    )
    fake.advance(86400)
    cfg = config(**{**ONLY_LEADS, "objects": {"Contact": {}}})
    extract(cfg, fake, "r1")
    assert landed(database_url, "sf")[contact]["payload"]["Account.Name"] == "Acme Industries"


def test_a_rotated_refresh_token_is_written_back_to_its_prefect_secret_block(config, database_url, prefect_server):
    from prefect.blocks.system import Secret

    Secret(value="5Aep861fake.refresh.token").save("sf-refresh", overwrite=True)
    fake = FakeSalesforce(
        batch_size=200, rotate_refresh_token=True, start_at=(datetime.now(UTC) - timedelta(days=2)).isoformat()
    )
    fake.add_records("Lead", leads(2))
    fake.advance(86400)
    auth = {
        "client_id": "fake-client-id",
        "client_secret": {"env": "SF_CLIENT_SECRET"},
        "refresh_token": {"prefect_secret": "sf-refresh"},
        "rotating": True,
    }
    cfg = config(**{**ONLY_LEADS, "auth": auth})
    assert extract(cfg, fake, "r1")["new"] == 2
    rotated = Secret.load("sf-refresh").get()
    assert rotated == fake.current_refresh_token() != "5Aep861fake.refresh.token"
    fake.expire_session()
    fake.add_records("Lead", leads(1, start=10))
    fake.advance(600)
    assert extract(cfg, fake, "r2")["new"] == 1  # the next run signs in with the token written back


def test_a_rotating_refresh_token_in_an_environment_variable_is_refused(tmp_path, database_url):
    from leads.config import ConfigError, load_config

    auth = {"client_id": "x", "client_secret": {"env": "S"}, "refresh_token": {"env": "SF_REFRESH"}, "rotating": True}
    path = write_crm_config(tmp_path, database_url, {"sf": salesforce_source(auth=auth)})
    with pytest.raises(ConfigError) as refused:
        load_config(path)
    (problem,) = refused.value.problems
    assert problem.startswith("sources.sf.auth: refresh_token: a rotating refresh token must be a Prefect Secret block")
    assert "SF_REFRESH cannot be updated by the run" in problem


@pytest.mark.parametrize("bulk", [False, True], ids=["rest", "bulk first load"])
def test_records_our_integration_user_wrote_last_are_left_unread(fake, config, database_url, bulk):
    ids = fake.add_records("Lead", leads(500))
    fake.advance(86400)
    cfg = config(**{**ONLY_LEADS, "bulk_threshold": 100 if bulk else 0})
    extract(cfg, fake, "r1")
    fake.advance(60)
    write_back_salesforce(fake, database_url, "sf", {i: {"Rating": "Warm"} for i in ids})
    fake.advance(60)
    rep = fake.add_record("User", {"FirstName": "Rae", "LastName": "Rep", "Email": "rae@seller.example"})
    fake.update_record("Lead", ids[0], {"Title": "Edited by a rep"}, by=rep)  # after our write
    fake.update_record("Lead", ids[1], {"Title": "Edited by a rep"}, by=rep)
    counts = extract(cfg, fake, "r2")
    assert (counts["read"], counts["changed"]) == (2, 2)
    assert landed(database_url, "sf")[ids[0]]["payload"]["Title"] == "Edited by a rep"


def test_a_crash_during_a_bulk_load_resumes_the_same_job_at_its_next_page(fake, config, database_url, monkeypatch):
    from connectors.salesforce import settings as sf

    monkeypatch.setattr(sf, "BULK_PAGE", 100)
    ids = fake.add_records("Lead", leads(250))
    fake.advance(86400)
    cfg = config(**{**ONLY_LEADS, "bulk_threshold": 100})
    with pytest.raises(KeyboardInterrupt):
        extract(cfg, fake, "r1", CrashAfter(httpx.MockTransport(fake), 2, "/results"))
    assert len(landed(database_url, "sf")) == 100
    counts = extract(cfg, fake, "r2")
    assert counts["new"] == 150 and set(landed(database_url, "sf")) == set(ids)
    assert fake.count(method="POST", path_prefix="/services/data/v62.0/jobs/query") == 1  # no second job
