"""The lead_sync flow under Prefect's test harness, on the bundled sample exports."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from prefect.artifacts import Artifact
from sqlalchemy import func, inspect, select, text

from connectors.store.engine import get_engine
from connectors.store.schema import lead_links, leads, quarantine, runs
from flows.lead_sync import lead_sync
from tests.conftest import REPO, crm_row, crm_source, write_config, write_crm


def example_config(tmp_path: Path, database_url: str) -> Path:
    """The shipped example config, pointed at a test store and the repo's sample files."""
    data = yaml.safe_load((REPO / "leads.yaml").read_text(encoding="utf-8"))
    for source in data["sources"].values():
        source["path"] = str(REPO / source["path"])
    for provider in data["enrichment"]["providers"].values():
        provider["path"] = str(REPO / provider["path"])
    data["store"]["url"] = database_url
    data["runs_dir"] = str(tmp_path / "runs")
    path = tmp_path / "leads.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


@pytest.mark.postgres
def test_nightly_sync_on_the_sample_exports(prefect_server, tmp_path, database_url):
    config = example_config(tmp_path, database_url)
    state = lead_sync(config_path=str(config), return_state=True)
    assert state.is_completed(), state.message
    counts = state.result()
    crm, ads = counts["sources"]["crm_contacts"], counts["sources"]["ad_leads"]
    assert crm["status"] == ads["status"] == "ok"
    assert crm["quarantined"] >= 7 and ads["quarantined"] >= 5  # the malformed rows the samples carry
    assert counts["normalize"]["leads_created"] > 0
    enrich = counts["enrich"]
    assert enrich["status"] == "ok" and enrich["filled"]["industry"] > 100  # from samples/accounts.csv
    assert enrich["skipped"]["free email address"] > 50  # nothing looked up for gmail.com and the like

    engine = get_engine(database_url)
    with engine.connect() as conn:
        active = conn.execute(select(func.count()).select_from(leads).where(leads.c.status == "active")).scalar_one()
        in_sink = conn.execute(text("SELECT count(*) FROM crm_leads")).scalar_one()
        both_sources = conn.execute(
            select(func.count()).select_from(
                select(lead_links.c.lead_id)
                .group_by(lead_links.c.lead_id)
                .having(func.count(func.distinct(lead_links.c.source)) == 2)
                .subquery()
            )
        ).scalar_one()
        run = conn.execute(select(runs)).one()
        bad = conn.execute(select(func.count()).select_from(quarantine)).scalar_one()
        emails = [e for e in conn.execute(select(leads.c.email)).scalars() if e]
        enriched_in_sink = conn.execute(text("SELECT count(*) FROM crm_leads WHERE industry IS NOT NULL")).scalar_one()
    assert in_sink == active == counts["sinks"]["crm_leads"]["created"]
    assert enriched_in_sink == enrich["filled"]["industry"]
    assert both_sources >= 40  # people who are in the CRM export and filled an ad form are one lead
    assert run.status == "completed" and run.counts["sources"]["crm_contacts"]["read"] == crm["read"]
    held_back = sum(t["quarantined"] for scopes in counts["validation"].values() for t in scopes.values())
    assert held_back == 9  # the samples' test and throwaway addresses, found by the landed_records suite
    assert bad == crm["quarantined"] + ads["quarantined"] + counts["normalize"]["rejected"] + held_back
    assert not any(g["tripped"] for g in counts["gates"])
    report = (tmp_path / "runs" / run.run_id / "report.html").read_text(encoding="utf-8")
    assert "a test or throwaway email address" in report and "https://" not in report

    summary = (tmp_path / "runs" / run.run_id / "summary.md").read_text(encoding="utf-8")
    artifact = Artifact.get("lead-sync-summary")
    assert artifact is not None and "crm_contacts" in artifact.data and "crm_contacts" in summary
    assert len(emails) > 400
    for text_shown in (summary, artifact.data):  # counts, never a person's address
        assert not any(email.lower() in text_shown.lower() for email in emails)

    again = lead_sync(config_path=str(config))
    assert again["sinks"]["crm_leads"]["created"] == again["sinks"]["crm_leads"]["updated"] == 0
    assert again["normalize"]["records"] == 0


def test_a_source_that_cannot_be_read_fails_the_run_but_not_the_others(prefect_server, tmp_path, database_url):
    good = write_crm(tmp_path / "crm.csv", [crm_row(i) for i in range(5)])
    config = write_config(
        tmp_path, database_url, {"crm": crm_source(good), "gone": crm_source(tmp_path / "missing.csv")}
    )
    state = lead_sync(config_path=str(config), return_state=True)
    assert state.is_failed()
    assert "gone" in state.message and "no such file" in state.message
    with get_engine(database_url).connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM crm_leads")).scalar_one() == 5
        run = conn.execute(select(runs)).one()
    assert run.status == "failed"
    assert run.counts["sources"]["gone"]["status"] == "failed"


def test_a_tripped_gate_stops_the_flow_before_any_sink_write(prefect_server, tmp_path, database_url):
    csv = write_crm(tmp_path / "crm.csv", [crm_row(i) for i in range(5)])
    source = crm_source(csv)
    source["mapping"] = {**source["mapping"], "city": "City"}  # the export lost a column
    config = write_config(tmp_path, database_url, {"crm": source})
    state = lead_sync(config_path=str(config), return_state=True)
    assert state.is_failed()
    assert "gate schema_drift tripped for crm" in state.message
    with get_engine(database_url).connect() as conn:
        run = conn.execute(select(runs)).one()
        sink_exists = inspect(conn).has_table("crm_leads")
    assert run.status == "gated" and not sink_exists
    summary = (tmp_path / "runs" / run.run_id / "summary.md").read_text(encoding="utf-8")
    assert "## Gates" in summary and "1 of " in summary and "nothing was synced" in summary
    assert Artifact.get("lead-sync-report") is not None
