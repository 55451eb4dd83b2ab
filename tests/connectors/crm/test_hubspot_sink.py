"""The HubSpot sink against the strict fake: only what changed, never over sales' edits, every refusal kept."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from connectors.store import outbox
from connectors.store.engine import get_engine
from connectors.store.schema import sync_errors, sync_state
from tests.conftest import crm_row, crm_source, write_crm
from tests.connectors.crm.support import (
    hubspot_sink,
    hubspot_source,
    ms,
    run_extract,
    run_normalize,
    run_sync,
    set_credentials,
    write_crm_config,
)
from tests.fakes.hubspot import FakeHubSpot

pytestmark = pytest.mark.postgres
WRITES = ("/crm/v3/objects/contacts/batch/update", "/crm/v3/objects/contacts/batch/upsert")
READS = "/crm/v3/objects/contacts/batch/read"
QUIET = {"activities": False, "deals": False, "owners": False, "history": False}


def yesterday() -> int:
    return ms(datetime.now(UTC) - timedelta(days=1))


def writes(fake) -> int:
    return sum(fake.count(path_prefix=p) for p in WRITES)


@pytest.fixture
def fake():
    return FakeHubSpot()


@pytest.fixture
def setup(tmp_path, database_url, monkeypatch, fake):
    """A HubSpot account (source and sink) plus a file of leads HubSpot does not know yet."""
    set_credentials(monkeypatch)

    def make(file_rows: int = 0, contacts: list[dict] | None = None, **sink):
        ids = fake.add_contacts(contacts or [], yesterday()) if contacts else []
        sources = {"hubspot": hubspot_source(**QUIET)}
        if file_rows:
            sources["crm"] = crm_source(write_crm(tmp_path / "crm.csv", [crm_row(i) for i in range(file_rows)]))
        config = write_crm_config(tmp_path, database_url, sources, sinks={"hubspot_out": hubspot_sink(**sink)})
        transports = {"hubspot": fake.transport(), "hubspot_out": fake.transport()}
        run_extract(config, "r0", transports, "hubspot")
        if file_rows:
            run_extract(config, "r0f", transports, "crm")
        run_normalize(config, "r0")
        return config, transports, ids

    return make


def contact(i: int, **props) -> dict:
    return {"email": f"c{i}@known.example", "firstname": "Ann", "lastname": f"Known{chr(97 + i % 26)}", **props}


def test_new_leads_are_created_known_ones_updated_and_a_second_run_writes_nothing(fake, setup, database_url):
    config, transports, ids = setup(file_rows=150, contacts=[contact(i) for i in range(30)])
    counts = run_sync(config, "s1", transports, "hubspot_out")
    assert (counts["status"], counts["created"], counts["updated"], counts["rejected"]) == ("ok", 150, 30, 0)
    assert writes(fake) == 2 + 1  # 150 creates in two upserts of 100, 30 updates in one call
    assert set(fake.ids()) >= set(ids) and len(fake.ids()) == 180
    made = fake.contact(ids[0])["properties"]
    assert made["leads_etl_email_class"] == "corporate"  # our own property, created on first use
    assert made["leads_etl_sync_stamp"]
    assert fake.store.schema.get("contacts", "leads_etl_industry").group == "leads_etl"
    before = len(fake.requests)
    again = run_sync(config, "s2", transports, "hubspot_out")
    assert (again["pending"], again["created"], again["updated"]) == (0, 0, 0)
    assert len(fake.requests) == before  # nothing changed: not one call


def test_policies_leave_sales_edits_and_filled_fields_alone(fake, setup, database_url, tmp_path):
    config, transports, ids = setup(contacts=[contact(0, jobtitle="Founder"), contact(1)])
    run_sync(config, "s1", transports, "hubspot_out")
    assert fake.contact(ids[0])["properties"]["jobtitle"] == "Founder"  # if_empty: the CRM had one
    fake.update_contact(ids[1], {"leads_etl_email_class": "edited by a rep"})  # an `always` property of ours
    # The lead changes (a new source record for the same person): the sink looks again.
    extra = write_crm(tmp_path / "more.csv", [crm_row(1, email="c1@known.example", company="Renamed Co")])
    sources = {"hubspot": hubspot_source(**QUIET), "more": crm_source(extra)}
    config = write_crm_config(tmp_path, database_url, sources, sinks={"hubspot_out": hubspot_sink()})
    run_extract(config, "r1", transports, "more")
    run_normalize(config, "r1")
    counts = run_sync(config, "s2", transports, "hubspot_out")
    assert fake.contact(ids[1])["properties"]["leads_etl_email_class"] == "edited by a rep"
    assert counts["kept_fields"]["edited in the CRM since our last write"] == 1


def test_stages_only_move_forward_and_opt_outs_are_never_reversed(fake, setup):
    config, transports, ids = setup(
        contacts=[contact(0, lifecyclestage="lead"), contact(1, lifecyclestage="lead", hs_email_optout="false")],
        fields={"lifecyclestage": "lifecycle_stage", "leads_etl_do_not_contact": "do_not_contact"},
    )
    fake.update_contact(ids[0], {"lifecyclestage": "customer"})  # sales closed it meanwhile
    fake.define_property("contacts", "leads_etl_do_not_contact", type="bool", field_type="booleancheckbox")
    fake.update_contact(ids[1], {"leads_etl_do_not_contact": True})
    counts = run_sync(config, "s1", transports, "hubspot_out")
    assert fake.contact(ids[0])["properties"]["lifecyclestage"] == "customer"
    assert fake.contact(ids[1])["properties"]["leads_etl_do_not_contact"] == "true"
    assert counts["kept_fields"]["the CRM's lifecycle stage is already as far or further"] == 1
    assert counts["kept_fields"]["an opt-out is never reversed"] == 1


def test_refusals_are_kept_per_lead_and_the_rest_is_written(fake, setup, database_url):
    config, transports, _ = setup(file_rows=5)
    fake.fail_next(1, 400, path_prefix=WRITES[1])  # a batch refused whole: split until the bad one stands alone
    fake.fail_next(1, 400, path_prefix=WRITES[1])
    counts = run_sync(config, "s1", transports, "hubspot_out")
    assert counts["created"] + counts["rejected"] == 5 and counts["created"] >= 3
    with get_engine(database_url).connect() as conn:
        errors = conn.execute(select(sync_errors)).all()
    assert len(errors) == counts["rejected"] and all(not e.retriable for e in errors)


def test_throttling_and_server_errors_are_retried_and_nothing_is_lost(fake, setup):
    config, transports, _ = setup(file_rows=120)
    fake.fail_next(2, 429, path_prefix=WRITES[1], headers={"Retry-After": "0"})
    fake.fail_next(1, 502, path_prefix=READS)
    counts = run_sync(config, "s1", transports, "hubspot_out")
    assert (counts["created"], counts["rejected"]) == (120, 0)
    assert len(fake.ids()) == 120


def test_a_crash_between_the_reply_and_our_commit_creates_no_duplicate(fake, setup, monkeypatch, database_url):
    config, transports, _ = setup(file_rows=40)
    real = outbox.record_accepted

    def dies(*args, **kwargs):
        raise KeyboardInterrupt("killed after HubSpot answered")

    monkeypatch.setattr(outbox, "record_accepted", dies)
    with pytest.raises(KeyboardInterrupt):
        run_sync(config, "s1", transports, "hubspot_out")
    monkeypatch.setattr(outbox, "record_accepted", real)
    assert len(fake.ids()) == 40
    before = writes(fake)
    counts = run_sync(config, "s2", transports, "hubspot_out")
    assert len(fake.ids()) == 40  # found by email and left as they were: no duplicate
    assert writes(fake) == before and counts["rejected"] == 0
    with get_engine(database_url).connect() as conn:
        assert len(conn.execute(select(sync_state)).all()) == 40


def test_a_dry_run_writes_nothing_and_keeps_the_diff_in_a_file(fake, setup, tmp_path):
    config, transports, ids = setup(file_rows=3, contacts=[contact(0)])
    counts = run_sync(config, "s1", transports, "hubspot_out", dry_run=True)
    assert (counts["created"], counts["updated"]) == (3, 1)
    assert writes(fake) == 0 and len(fake.ids()) == 1
    diff = [json.loads(line) for line in (tmp_path / "runs" / "s1" / "sync-hubspot_out.jsonl").read_text().splitlines()]
    assert {d["action"] for d in diff} == {"create", "update"}
    update = next(d for d in diff if d["action"] == "update")
    assert update["remote_id"] == ids[0] and update["changes"]["leads_etl_email_class"] == [None, "corporate"]
    assert counts["changed_fields"]["leads_etl_email_class"] == 4
    assert "c0@known.example" not in json.dumps(counts)  # counts and field names only in the summary


def test_a_missing_hubspot_property_is_named_before_anything_is_written(fake, setup):
    config, transports, _ = setup(file_rows=3, fields={"mobilephone_custom": "phone"})
    with pytest.raises(Exception, match="sinks.hubspot_out.fields.mobilephone_custom: HubSpot has no contact property"):
        run_sync(config, "s1", transports, "hubspot_out")
    assert writes(fake) == 0 and fake.count(method="POST", path_prefix="/crm/v3/properties") == 0


def test_the_next_extract_leaves_the_sinks_writes_unread(fake, setup):
    config, transports, _ = setup(file_rows=300)
    run_sync(config, "s1", transports, "hubspot_out")
    fake.reset_log()
    counts = run_extract(config, "r2", transports, "hubspot")
    assert counts["read"] == 0  # 300 contacts were written, none read back
    assert fake.count(path_prefix="/crm/v3/objects/contacts/search") <= 2


def test_a_207_refuses_one_input_and_accepts_the_others(fake, setup, database_url):
    fake.define_property(
        "contacts",
        "hs_lead_status_test",
        type="enumeration",
        field_type="select",
        options=[{"label": "New", "value": "NEW"}],
    )
    config, transports, _ = setup(file_rows=4, fields={"hs_lead_status_test": "lead_status", "firstname": "first_name"})
    counts = run_sync(config, "s1", transports, "hubspot_out")
    assert counts["rejected"] == 4  # "New" is not one of the property's option values ("NEW")
    with get_engine(database_url).connect() as conn:
        errors = conn.execute(select(sync_errors)).all()
    assert all("INVALID_OPTION" in e.error or "option" in e.error.lower() for e in errors)
    assert counts["created"] == 0 and len(fake.ids()) == 0


def test_leads_merged_after_a_sync_update_the_survivor_and_never_recreate_the_other(
    fake, setup, tmp_path, database_url
):
    config, transports, ids = setup(contacts=[contact(0), contact(1)], merge_in_crm=True)
    run_sync(config, "s1", transports, "hubspot_out")
    # A form fill names both: c0's address and c1's HubSpot id. The two leads are one person.
    (tmp_path / "forms.jsonl").write_text(
        json.dumps({"id": "f1", "t": "2026-11-01T10:00:00Z", "email": "c0@known.example", "hs": ids[1]}) + "\n"
    )
    forms = {
        "type": "file",
        "path": str(tmp_path / "forms.jsonl"),
        "id_column": "id",
        "cursor_column": "t",
        "mapping": {"email": "email", "hubspot_id": "hs"},
    }
    sources = {"hubspot": hubspot_source(**QUIET), "forms": forms}
    config = write_crm_config(tmp_path, database_url, sources, sinks={"hubspot_out": hubspot_sink(merge_in_crm=True)})
    run_extract(config, "r1", transports, "forms")
    assert run_normalize(config, "r1")["leads_merged"] == 1
    counts = run_sync(config, "s2", transports, "hubspot_out")
    assert counts["merged_away"] == 1 and counts["created"] == 0
    assert fake.count(path_prefix="/crm/v3/objects/contacts/merge") == 1
    assert fake.merged_into(ids[1]) == ids[0] or fake.merged_into(ids[0]) == ids[1]
    with get_engine(database_url).connect() as conn:
        assert len(conn.execute(select(sync_state)).all()) == 1  # the merged lead is no longer held


def test_a_lead_deleted_in_the_pipeline_is_archived_in_hubspot_when_configured(fake, setup, database_url):
    from connectors.store.schema import leads

    config, transports, ids = setup(contacts=[contact(0), contact(1)], deletions="archive")
    run_sync(config, "s1", transports, "hubspot_out")
    with get_engine(database_url).begin() as conn:  # an erasure request retires the lead
        lead = conn.execute(select(sync_state.c.lead_id).where(sync_state.c.remote_id == ids[0])).scalar_one()
        conn.execute(leads.update().where(leads.c.lead_id == lead).values(status="retired"))
    counts = run_sync(config, "s2", transports, "hubspot_out")
    assert counts["deleted"] == 1
    assert fake.ids(archived=True) == [ids[0]]


def test_a_429_storm_outlasting_the_retries_is_sent_again_next_run(fake, setup, database_url, monkeypatch):
    from connectors.http import retry

    monkeypatch.setattr(retry.RetryPolicy, "backoff", lambda self, attempt, draw: 0.0)
    config, transports, _ = setup(file_rows=10)
    fake.fail_next(5, 429, path_prefix=WRITES[1], headers={"Retry-After": "0"})  # every attempt of the batch
    counts = run_sync(config, "s1", transports, "hubspot_out")
    assert (counts["created"], counts["rejected"]) == (0, 10)
    with get_engine(database_url).connect() as conn:
        assert all(e.retriable for e in conn.execute(select(sync_errors)))
    again = run_sync(config, "s2", transports, "hubspot_out")
    assert (again["created"], again["rejected"]) == (10, 0)
    with get_engine(database_url).connect() as conn:
        assert conn.execute(select(sync_errors)).all() == []  # cleared once the leads went through


def test_an_oauth_app_writes_with_tokens_from_its_refresh_token(tmp_path, database_url, monkeypatch):
    fake = FakeHubSpot(auth="oauth", client_secret="cs-secret", refresh_token="rt-secret")
    set_credentials(monkeypatch)
    monkeypatch.setenv("HS_CLIENT_SECRET", "cs-secret")
    monkeypatch.setenv("HS_REFRESH", "rt-secret")
    auth = {
        "client_id": "test-client-id",
        "client_secret": {"env": "HS_CLIENT_SECRET"},
        "refresh_token": {"env": "HS_REFRESH"},
    }
    csv = write_crm(tmp_path / "crm.csv", [crm_row(i) for i in range(3)])
    sources = {"hubspot": hubspot_source(auth=auth, **QUIET), "crm": crm_source(csv)}
    config = write_crm_config(tmp_path, database_url, sources, sinks={"hubspot_out": hubspot_sink(auth=auth)})
    transports = {"hubspot": fake.transport(), "hubspot_out": fake.transport()}
    run_extract(config, "r0", transports, "crm")
    run_normalize(config, "r0")
    assert run_sync(config, "s1", transports, "hubspot_out")["created"] == 3
    assert fake.count(path_prefix="/oauth/v3/token") >= 1


def test_leads_without_an_email_are_created_by_our_own_unique_id_when_configured(fake, setup, tmp_path, database_url):
    _, transports, _ = setup(file_rows=0)
    rows = [crm_row(0), crm_row(1, email="")]  # the second has a phone only
    sources = {"hubspot": hubspot_source(**QUIET), "crm": crm_source(write_crm(tmp_path / "p.csv", rows))}
    sinks = {"hubspot_out": hubspot_sink(id_property="leads_etl_lead_id")}
    config = write_crm_config(tmp_path, database_url, sources, sinks=sinks)
    run_extract(config, "r1", transports, "crm")
    run_normalize(config, "r1")
    assert run_sync(config, "s1", transports, "hubspot_out")["created"] == 2
    assert fake.store.schema.get("contacts", "leads_etl_lead_id").has_unique_value
    made = [fake.contact(i)["properties"] for i in fake.ids()]
    assert all(len(p["leads_etl_lead_id"]) == 32 for p in made)  # our lead id is the key


def test_a_lead_without_an_email_is_refused_by_an_email_keyed_sink_with_the_reason(fake, setup, tmp_path, database_url):
    config, transports, _ = setup(file_rows=0)
    rows = [crm_row(0, email="")]  # phone only
    sources = {"hubspot": hubspot_source(**QUIET), "crm": crm_source(write_crm(tmp_path / "p.csv", rows))}
    config = write_crm_config(tmp_path, database_url, sources, sinks={"hubspot_out": hubspot_sink()})
    run_extract(config, "r1", transports, "crm")
    run_normalize(config, "r1")
    counts = run_sync(config, "s1", transports, "hubspot_out")
    assert counts["rejected"] == 1 and "no email to create the record by" in counts["errors"][0]
