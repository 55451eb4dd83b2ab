"""The HubSpot source against the strict fake: complete, incremental, resumable, polite."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from connectors.store.echoes import record_writes
from connectors.store.engine import get_engine
from connectors.store.schema import activities, lead_links, leads, outcomes, owners, stage_history
from tests.connectors.crm.support import (
    CrashAfter,
    checkpoints,
    hubspot_source,
    landed,
    ms,
    run_extract,
    run_normalize,
    set_credentials,
    write_back_hubspot,
    write_crm_config,
)
from tests.fakes.hubspot import FakeHubSpot

pytestmark = pytest.mark.postgres
SEARCH = "/crm/v3/objects/contacts/search"


def people(n: int, start: int = 0, **extra) -> list[dict]:
    return [
        {
            "email": f"person{i}@corp{i % 5}.example",
            "firstname": f"Ann{chr(97 + i % 26)}",
            "lastname": f"Lee{chr(97 + (i // 26) % 26)}",
            "company": f"Corp {i % 5}",
            "lifecyclestage": "lead",
            **extra,
        }
        for i in range(start, start + n)
    ]


def yesterday() -> int:
    return ms(datetime.now(UTC) - timedelta(days=1))


@pytest.fixture
def fake():
    return FakeHubSpot()


@pytest.fixture
def config(tmp_path, database_url, monkeypatch):
    set_credentials(monkeypatch)

    def make(**settings):
        return write_crm_config(tmp_path, database_url, {"hubspot": hubspot_source(**settings)}, chunk_size=100)

    return make


def test_a_first_load_lands_every_contact_and_the_next_run_reads_only_the_lookback(fake, config, database_url):
    ids = fake.add_contacts(people(450), created_at_ms=yesterday())
    cfg = config(page_size=100, activities=False, deals=False, owners=False, history=False)
    first = run_extract(cfg, "r1", {"hubspot": fake.transport()}, "hubspot")
    assert (first["status"], first["new"], first["read"]) == ("ok", 450, 450)
    stored = landed(database_url, "hubspot")
    assert set(stored) == set(ids)
    sample = stored[ids[7]]["payload"]
    assert sample["email"] == "person7@corp2.example" and sample["hs_object_id"] == ids[7]
    assert all(isinstance(v, str) for v in sample.values())  # HubSpot's strings, kept as sent
    searches = fake.count(path_prefix=SEARCH)
    assert searches == 5  # 450 in pages of 100: nothing read twice

    fake.update_contact(ids[3], {"company": "Renamed Inc"})
    second = run_extract(cfg, "r2", {"hubspot": fake.transport()}, "hubspot")
    assert (second["changed"], second["new"]) == (1, 0)
    assert second["read"] == 1  # only what moved inside the window
    assert landed(database_url, "hubspot")[ids[3]]["payload"]["company"] == "Renamed Inc"


def test_ten_thousand_results_sharing_one_timestamp_are_all_read_and_never_loop(database_url, config):
    fake = FakeHubSpot(page_cap=500)  # the 10,000 cap, made cheap to reach
    ids = fake.add_contacts(people(1300))
    fake.bulk_touch(ids, ms(datetime.now(UTC) - timedelta(hours=1)))  # one modified date for all of them
    cfg = config(page_size=100, activities=False, deals=False, owners=False, history=False)
    counts = run_extract(cfg, "r1", {"hubspot": fake.transport()}, "hubspot")
    assert counts["new"] == 1300
    assert fake.count(path_prefix=SEARCH, status=400) == 0
    assert fake.count(path_prefix=SEARCH) == 13
    assert counts["notes"] == []  # the count HubSpot gave matched what was read


def test_records_the_search_index_had_not_taken_in_are_caught_by_the_lookback(database_url, config):
    fake = FakeHubSpot(search_lag=30)
    cfg = config(activities=False, deals=False, owners=False, history=False)
    fake.add_contacts(people(3))
    fake.advance(60)
    run_extract(cfg, "r1", {"hubspot": fake.transport()}, "hubspot", clock=fake.now)
    late = fake.add_contact(people(1, start=50)[0])  # written now, searchable only in 30 s
    assert run_extract(cfg, "r2", {"hubspot": fake.transport()}, "hubspot", clock=fake.now)["new"] == 0
    fake.advance(60)
    third = run_extract(cfg, "r3", {"hubspot": fake.transport()}, "hubspot", clock=fake.now)
    assert third["new"] == 1 and late in landed(database_url, "hubspot")


def test_a_crash_inside_a_window_resumes_at_the_id_floor_without_gaps_or_rereads(fake, config, database_url):
    ids = fake.add_contacts(people(500))
    cfg = config(page_size=100, activities=False, deals=False, owners=False, history=False)
    with pytest.raises(KeyboardInterrupt):
        run_extract(cfg, "r1", {"hubspot": CrashAfter(fake.transport(), 4, SEARCH)}, "hubspot")
    assert len(landed(database_url, "hubspot")) == 300
    ((_, state),) = [v for k, v in checkpoints(database_url).items() if k == "hubspot"]
    assert state["after_id"] == int(sorted(ids, key=int)[299])
    fake.reset_log()
    counts = run_extract(cfg, "r2", {"hubspot": fake.transport()}, "hubspot")
    assert counts["new"] == 200 and counts["read"] == 200
    assert set(landed(database_url, "hubspot")) == set(ids)
    assert fake.count(path_prefix=SEARCH) == 2


def test_archived_contacts_become_deletions_and_leave_their_leads(fake, config, database_url):
    ids = fake.add_contacts(people(5), created_at_ms=yesterday())
    cfg = config(activities=False, deals=False, owners=False, history=False, archived_sweep="0s")
    run_extract(cfg, "r1", {"hubspot": fake.transport()}, "hubspot")
    run_normalize(cfg, "r1")
    fake.archive_contact(ids[2])
    counts = run_extract(cfg, "r2", {"hubspot": fake.transport()}, "hubspot")
    assert counts["deleted"] == 1 and counts["read"] == 1  # found by the sweep: archiving moves no date
    assert landed(database_url, "hubspot")[ids[2]]["deleted"]
    normalize = run_normalize(cfg, "r2")
    assert normalize["leads_retired"] == 1
    with get_engine(database_url).connect() as conn:
        linked = {r.source_id for r in conn.execute(select(lead_links))}
    assert ids[2] not in linked and len(linked) == 4


def test_a_merge_in_hubspot_merges_the_two_leads_through_the_merged_ids(fake, config, database_url):
    a = fake.add_contact({"email": "ann@corp.example", "firstname": "Ann", "lastname": "Lee"})
    b = fake.add_contact({"email": "ann.lee@other.example", "firstname": "Annie", "lastname": "Lee"})
    cfg = config(activities=False, deals=False, owners=False, history=False)
    run_extract(cfg, "r1", {"hubspot": fake.transport()}, "hubspot")
    run_normalize(cfg, "r1")
    fake.merge_contacts(a, b)
    run_extract(cfg, "r2", {"hubspot": fake.transport()}, "hubspot")
    assert b in landed(database_url, "hubspot")[a]["payload"]["hs_merged_object_ids"]
    counts = run_normalize(cfg, "r2")
    assert counts["leads_merged"] == 1
    with get_engine(database_url).connect() as conn:
        active = conn.execute(select(leads.c.lead_id).where(leads.c.status == "active")).scalars().all()
    assert len(active) == 1


def test_our_own_writes_echo_back_as_echoes_not_changes(fake, config, database_url):
    ids = fake.add_contacts(people(4), created_at_ms=yesterday())
    cfg = config(activities=False, deals=False, owners=False, history=False)
    run_extract(cfg, "r1", {"hubspot": fake.transport()}, "hubspot")
    run_normalize(cfg, "r1")
    engine = get_engine(database_url)
    # A sink writes two contacts (recording what it sent), a sales rep edits a third.
    written = {ids[0]: {"jobtitle": "VP Sales"}, ids[1]: {"jobtitle": "CTO", "company": "Corp 1"}}
    with engine.begin() as conn:
        record_writes(conn, "hubspot", "hubspot_out", written, "sync-1", datetime.now(UTC))
    for contact_id, properties in written.items():
        fake.update_contact(contact_id, properties, source_type="INTEGRATION")
    fake.update_contact(ids[2], {"jobtitle": "Founder"})
    counts = run_extract(cfg, "r2", {"hubspot": fake.transport()}, "hubspot")
    assert (counts["echoes"], counts["changed"]) == (2, 1)
    stored = landed(database_url, "hubspot")
    assert stored[ids[0]]["payload"]["jobtitle"] == "VP Sales"  # the store still mirrors the CRM
    assert stored[ids[0]]["normalized_hash"] == stored[ids[0]]["hash"]  # not normalized again
    assert stored[ids[2]]["normalized_hash"] != stored[ids[2]]["hash"]  # the real edit is pending
    assert run_normalize(cfg, "r2")["records"] == 1


def test_a_bump_of_the_modified_date_alone_is_no_change(fake, config, database_url):
    ids = fake.add_contacts(people(3), created_at_ms=yesterday())
    cfg = config(activities=False, deals=False, owners=False, history=False)
    run_extract(cfg, "r1", {"hubspot": fake.transport()}, "hubspot")
    fake.bulk_touch(ids, fake.now_ms())
    counts = run_extract(cfg, "r2", {"hubspot": fake.transport()}, "hubspot")
    assert (counts["read"], counts["unchanged"], counts["changed"]) == (3, 3, 0)


def test_custom_properties_are_discovered_and_a_mapped_property_that_is_gone_is_drift(fake, config, database_url):
    fake.define_property("contacts", "favourite_tool")
    contact = fake.add_contact({**people(1)[0], "favourite_tool": "dbt"})
    cfg = config(mapping={"phone": "mobile_number"}, activities=False, deals=False, owners=False, history=False)
    counts = run_extract(cfg, "r1", {"hubspot": fake.transport()}, "hubspot")
    assert landed(database_url, "hubspot")[contact]["payload"]["favourite_tool"] == "dbt"
    assert counts["missing_columns"] == [
        "sources.hubspot.mapping.phone: property 'mobile_number' does not exist in HubSpot (properties API)"
    ]


def test_long_property_lists_are_split_and_merged_by_id(fake, config, database_url, monkeypatch):
    from connectors.hubspot import settings as hs

    monkeypatch.setattr(hs, "PROPERTY_BUDGET", 120)
    for i in range(12):
        fake.define_property("contacts", f"custom_field_{i:02d}")
    contact = fake.add_contact({**people(1)[0], **{f"custom_field_{i:02d}": f"v{i}" for i in range(12)}})
    cfg = config(activities=False, deals=False, owners=False, history=False)
    run_extract(cfg, "r1", {"hubspot": fake.transport()}, "hubspot")
    payload = landed(database_url, "hubspot")[contact]["payload"]
    assert {payload[f"custom_field_{i:02d}"] for i in range(12)} == {f"v{i}" for i in range(12)}
    assert fake.count(path_prefix="/crm/v3/objects/contacts/batch/read") >= 1


def test_engagement_history_owners_and_deals_land_tied_to_their_leads(fake, config, database_url):
    owner = fake.add_owner("dana@seller.example", "Dana", "Whit", teams=["West"])
    fake.add_owner("gone@seller.example", "Old", "Rep", archived=True)
    ann = fake.add_contact({**people(1)[0], "hubspot_owner_id": owner})
    bob = fake.add_contact(people(1, start=1)[0])
    fake.update_contact(ann, {"lifecyclestage": "marketingqualifiedlead", "hs_lead_status": "OPEN"})
    fake.update_contact(
        ann,
        {
            "hs_email_last_open_date": ms(datetime.now(UTC) - timedelta(days=1)),
            "hs_analytics_last_visit_timestamp": ms(datetime.now(UTC) - timedelta(days=2)),
            "hs_analytics_num_page_views": 14,
        },
    )
    fake.add_engagement("meetings", {"hs_meeting_outcome": "COMPLETED"}, [ann])
    fake.add_engagement("calls", {"hs_call_direction": "OUTBOUND", "hs_call_duration": 60000}, [ann, bob])
    fake.add_deal(
        {
            "dealname": "Big one",
            "amount": 5000,
            "hs_is_closed": True,
            "hs_is_closed_won": True,
            "closedate": ms(datetime.now(UTC)),
            "deal_currency_code": "EUR",
        },
        [ann],
    )
    fake.add_deal({"dealname": "Open one", "amount": 100}, [bob])
    cfg = config()
    counts = run_extract(cfg, "r1", {"hubspot": fake.transport()}, "hubspot")
    run_normalize(cfg, "r1")
    assert counts["events"]["owners"] == 2
    with get_engine(database_url).connect() as conn:
        kinds = sorted((r.record_id, r.kind) for r in conn.execute(select(activities)))
        history = {(r.source_id, r.field, r.value) for r in conn.execute(select(stage_history))}
        won = conn.execute(select(outcomes)).one()
        team = conn.execute(select(owners.c.team).where(owners.c.owner_id == owner)).scalar_one()
        inactive = conn.execute(select(owners.c.active).where(owners.c.email == "gone@seller.example")).scalar_one()
        unlinked = conn.execute(select(activities).where(activities.c.lead_id.is_(None))).all()
    assert kinds == sorted(
        [(ann, "call"), (ann, "email_open"), (ann, "meeting"), (ann, "page_view"), (bob, "call"), (bob, "deal_open")]
    )
    assert {
        (ann, "lifecycle_stage", "lead"),
        (ann, "lifecycle_stage", "marketingqualifiedlead"),
        (ann, "lead_status", "OPEN"),
    } <= history
    assert (won.kind, won.amount, won.currency, won.record_id) == ("won", 5000.0, "EUR", ann)
    assert (team, inactive) == ("West", False)
    assert unlinked == []  # normalize tied every event to the lead of its contact

    # Rerunning re-reads the lookback window: no event is landed twice.
    run_extract(cfg, "r2", {"hubspot": fake.transport()}, "hubspot")
    with get_engine(database_url).connect() as conn:
        assert len(conn.execute(select(activities)).all()) == 6


def test_history_is_read_only_for_contacts_whose_stage_or_status_moved(fake, config, database_url):
    ids = fake.add_contacts(people(250), created_at_ms=yesterday())
    cfg = config(activities=False, deals=False, owners=False, history=True)
    run_extract(cfg, "r1", {"hubspot": fake.transport()}, "hubspot")
    first_reads = fake.count(path_prefix="/crm/v3/objects/contacts/batch/read")
    assert first_reads == 3  # 250 new contacts with a stage, 100 per call
    fake.update_contact(ids[0], {"lifecyclestage": "customer"})
    fake.update_contact(ids[1], {"company": "Only the company"})
    fake.reset_log()
    run_extract(cfg, "r2", {"hubspot": fake.transport()}, "hubspot")
    assert fake.count(path_prefix="/crm/v3/objects/contacts/batch/read") == 1


def test_a_bad_token_fails_fast_with_a_clear_message_and_no_secret(fake, config, monkeypatch):
    monkeypatch.setenv("HUBSPOT_TOKEN", "pat-na1-wrong-secret-token")
    cfg = config()
    with pytest.raises(Exception) as failed:
        run_extract(cfg, "r1", {"hubspot": fake.transport()}, "hubspot")
    message = str(failed.value)
    assert "HTTP 401" in message and "/crm/v3/properties/contacts" in message
    assert "pat-na1-wrong-secret-token" not in message
    assert len(fake.requests) == 1  # no retry of a refused credential


def test_transient_failures_are_retried_and_nothing_is_lost(fake, config, database_url):
    fake.add_contacts(people(300))
    fake.fail_next(2, 502, path_prefix=SEARCH)
    fake.fail_next(1, 429, path_prefix=SEARCH, headers={"Retry-After": "0"})
    cfg = config(page_size=100, activities=False, deals=False, owners=False, history=False)
    counts = run_extract(cfg, "r1", {"hubspot": fake.transport()}, "hubspot")
    assert counts["new"] == 300
    assert fake.count(path_prefix=SEARCH) == 3 + 3


def test_oauth_apps_get_access_tokens_from_the_refresh_token(config, database_url, monkeypatch):
    fake = FakeHubSpot(auth="oauth", client_secret="cs-secret", refresh_token="rt-secret")
    fake.add_contacts(people(2))
    monkeypatch.setenv("HS_CLIENT_SECRET", "cs-secret")
    monkeypatch.setenv("HS_REFRESH", "rt-secret")
    auth = {
        "client_id": "test-client-id",
        "client_secret": {"env": "HS_CLIENT_SECRET"},
        "refresh_token": {"env": "HS_REFRESH"},
    }
    cfg = config(auth=auth, activities=False, deals=False, owners=False, history=False)
    assert run_extract(cfg, "r1", {"hubspot": fake.transport()}, "hubspot")["new"] == 2
    assert fake.count(path_prefix="/oauth/v3/token") == 1


def test_echoes_of_a_write_back_are_left_unread_and_edits_around_them_are_not(fake, config, database_url):
    ids = fake.add_contacts(people(1000), created_at_ms=yesterday())
    cfg = config(activities=False, deals=False, owners=False, history=False, page_size=200)
    run_extract(cfg, "r1", {"hubspot": fake.transport()}, "hubspot")
    fake.add_contact(people(1, start=5000)[0])  # someone else's new contact, while the sink writes
    write_back_hubspot(fake, database_url, "hubspot", {i: {"jobtitle": "Scored"} for i in ids}, stamp="w1")
    fake.add_contact(people(1, start=6000)[0])
    for contact_id in ids[:3]:  # a rep edits contacts after the sync wrote them
        fake.update_contact(contact_id, {"company": "Edited by a rep"})
    fake.reset_log()
    counts = run_extract(cfg, "r2", {"hubspot": fake.transport()}, "hubspot")
    assert (counts["read"], counts["new"], counts["changed"]) == (5, 2, 3)
    assert fake.count(path_prefix=SEARCH) <= 3  # not the 5 pages reading back 1,000 echoes would take
    assert landed(database_url, "hubspot")[ids[0]]["payload"]["company"] == "Edited by a rep"

    # A reconciliation reads everything since the last one: the echoes too, recognised as such.
    reconcile = write_crm_config(
        database_url=database_url,
        tmp_path=cfg.parent,
        sources={
            "hubspot": hubspot_source(activities=False, deals=False, owners=False, history=False, reconcile_every="0s")
        },
    )
    counts = run_extract(reconcile, "r3", {"hubspot": fake.transport()}, "hubspot")
    assert counts["echoes"] == 997 and counts["changed"] == 0
