"""The hourly ad-lead run: only the named sources, and never a source another run holds."""

from __future__ import annotations

import inspect
import re
from datetime import UTC, datetime, timedelta

import pytest
import yaml

from connectors.store.engine import get_engine
from connectors.store.leases import acquire
from flows.lead_sync import lead_sync
from tasks.extract import extract
from tests.conftest import REPO, crm_row, crm_source, write_config, write_crm
from tests.connectors.ads.support import AD_ACCOUNT, PAGE, meta_source, set_ad_credentials
from tests.connectors.crm.support import context, write_crm_config
from tests.fakes.meta import FakeMeta


@pytest.mark.postgres
def test_an_ad_source_held_by_the_nightly_run_is_skipped_as_busy(tmp_path, database_url, monkeypatch):
    set_ad_credentials(monkeypatch)
    fake = FakeMeta()
    fake.add_page(PAGE)
    fake.add_ad_account(AD_ACCOUNT)
    config = write_crm_config(tmp_path, database_url, {"meta": meta_source()})
    ctx = context(config, "hourly-run", {"meta": fake.transport()})
    acquire(get_engine(database_url), "source:meta", "nightly-run", timedelta(minutes=30), datetime.now(UTC))
    counts = extract(ctx, "meta")
    assert counts["status"] == "busy" and "nightly-run" in " ".join(counts["problems"])
    assert fake.count() == 0  # not one call made for a source someone else is reading


def test_the_hourly_deployment_pulls_the_ad_sources_of_the_example_config():
    deployments = {d["name"]: d for d in yaml.safe_load((REPO / "prefect.yaml").read_text())["deployments"]}
    hourly = deployments["hourly-ad-leads"]
    assert hourly["entrypoint"] == "flows/lead_sync.py:lead_sync" and hourly["schedules"][0]["cron"] == "20 * * * *"
    assert hourly["concurrency_limit"] == {"limit": 1, "collision_strategy": "CANCEL_NEW"}
    examples = re.findall(
        r"^  # (\w+):\n  #   type: (meta|google_ads|linkedin)$", (REPO / "leads.yaml").read_text(), re.M
    )
    assert hourly["parameters"]["sources"] == [name for name, _ in examples]
    assert "sources" in inspect.signature(lead_sync.fn).parameters


def test_only_the_named_sources_are_extracted(prefect_server, tmp_path, database_url):
    good = write_crm(tmp_path / "crm.csv", [crm_row(i) for i in range(5)])
    config = write_config(tmp_path, database_url, {"crm": crm_source(good), "gone": crm_source(tmp_path / "x.csv")})
    state = lead_sync(config_path=str(config), sources=["crm"], return_state=True)
    assert state.is_completed(), state.message
    assert set(state.result()["sources"]) == {"crm"}  # the unreadable one was not even tried
