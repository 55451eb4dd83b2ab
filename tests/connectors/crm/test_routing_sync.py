"""Routed owners reach HubSpot: `hubspot_owner_id` and the reason, only where the contact has no owner."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tasks.route import route_stage
from tasks.score import score_stage
from tests.connectors.crm.support import (
    context,
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
QUIET = {"activities": False, "deals": False, "owners": False, "history": False}
SCORING = {
    "fit": {"criteria": [{"name": "has email", "field": "email", "present": True, "points": 50}]},
    "grades": {"fit": {"A": 60, "B": 40, "C": 20}},
    "mql": {"min_fit": "B", "min_engagement": 4},  # every lead with an email is an MQL
}
ROUTING = {
    "owner_source": "hubspot",
    "teams": {"inbound": {"members": [{"id": "601"}]}},
    "rules": [{"name": "everyone", "team": "inbound"}],
}


def test_the_routed_owner_and_reason_are_written_and_sales_owner_is_kept(tmp_path, database_url, monkeypatch):
    set_credentials(monkeypatch)
    fake = FakeHubSpot()
    yesterday = ms(datetime.now(UTC) - timedelta(days=1))
    owned, free = fake.add_contacts(
        [
            {"email": "c0@known.example", "firstname": "Ann", "lastname": "Known", "hubspot_owner_id": "501"},
            {"email": "c1@known.example", "firstname": "Bob", "lastname": "Known"},
        ],
        yesterday,
    )
    sources = {"hubspot": hubspot_source(**QUIET)}
    config = write_crm_config(
        tmp_path, database_url, sources, sinks={"hubspot_out": hubspot_sink()}, scoring=SCORING, routing=ROUTING
    )
    transports = {"hubspot": fake.transport(), "hubspot_out": fake.transport()}
    run_extract(config, "r0", transports, "hubspot")
    run_normalize(config, "r0")
    score_stage(context(config, "r0-score", transports))
    routed = route_stage(context(config, "r0-route", transports))
    assert (routed["assigned"], routed["owned"]) == (1, 1)

    counts = run_sync(config, "s1", transports, "hubspot_out")
    assert counts["status"] == "ok" and counts["rejected"] == 0
    props = fake.contact(free)["properties"]
    assert props["hubspot_owner_id"] == "601"
    assert props["leads_etl_assignment_reason"].startswith("territory rule 'everyone' (every lead): team inbound")
    assert fake.contact(owned)["properties"]["hubspot_owner_id"] == "501"  # sales' owner, untouched
