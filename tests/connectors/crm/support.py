"""Running the extract stage against the CRM fakes: configs, contexts with injected transports, reads."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import yaml
from sqlalchemy import select

from connectors.store.engine import get_engine
from connectors.store.schema import source_records, watermarks
from tasks.context import RunContext
from tasks.extract import extract
from tasks.normalize import normalize
from tasks.prepare import prepare

HUBSPOT_TOKEN = "pat-na1-test-token"
SF_CLIENT_ID, SF_CLIENT_SECRET, SF_REFRESH = "fake-client-id", "fake-client-secret", "5Aep861fake.refresh.token"
SF_INSTANCE = "https://fake.my.salesforce.com"


def hubspot_source(**settings: Any) -> dict[str, Any]:
    return {
        "type": "hubspot",
        "auth": {"token": {"env": "HUBSPOT_TOKEN"}},
        "base_url": "https://api.hubapi.com",
        **settings,
    }


def salesforce_source(**settings: Any) -> dict[str, Any]:
    return {
        "type": "salesforce",
        "login_url": SF_INSTANCE,
        "auth": {
            "client_id": SF_CLIENT_ID,
            "client_secret": {"env": "SF_CLIENT_SECRET"},
            "refresh_token": {"env": "SF_REFRESH_TOKEN"},
        },
        **settings,
    }


def write_crm_config(tmp_path: Path, database_url: str, sources: dict[str, Any], **top: Any) -> Path:
    config = {
        "store": {"url": database_url},
        "runs_dir": str(tmp_path / "runs"),
        "sources": sources,
        "sinks": {"crm_leads": {"type": "sql_table", "table": "crm_leads"}},
        "enrichment": {"enabled": False},
        **top,
    }
    path = tmp_path / "leads.yaml"
    path.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    return path


def set_credentials(monkeypatch: Any) -> None:
    monkeypatch.setenv("HUBSPOT_TOKEN", HUBSPOT_TOKEN)
    monkeypatch.setenv("SF_CLIENT_SECRET", SF_CLIENT_SECRET)
    monkeypatch.setenv("SF_REFRESH_TOKEN", SF_REFRESH)


def context(
    config: Path, run_id: str, transports: dict[str, httpx.BaseTransport], clock: Callable[[], float] | None = None
) -> RunContext:
    return replace(prepare(str(config), run_id, None, False), transports=transports, clock=clock)


def run_extract(
    config: Path,
    run_id: str,
    transports: dict[str, httpx.BaseTransport],
    source: str,
    clock: Callable[[], float] | None = None,
) -> dict[str, Any]:
    """The extract stage; `clock` runs the run's "now" in step with a fake that was told to advance."""
    return extract(context(config, run_id, transports, clock), source)


def run_normalize(config: Path, run_id: str) -> dict[str, Any]:
    return normalize(prepare(str(config), f"{run_id}-normalize", None, False))


def landed(database_url: str, source: str) -> dict[str, dict[str, Any]]:
    engine = get_engine(database_url)
    with engine.connect() as conn:
        rows = conn.execute(select(source_records).where(source_records.c.source == source))
        return {
            r.source_id: {
                "payload": r.payload,
                "deleted": r.deleted,
                "hash": r.content_hash,
                "normalized_hash": r.normalized_content_hash,
            }
            for r in rows
        }


def checkpoints(database_url: str) -> dict[str, Any]:
    engine = get_engine(database_url)
    with engine.connect() as conn:
        return {r.source: (r.cursor_ts, r.state) for r in conn.execute(select(watermarks))}


class CrashAfter(httpx.BaseTransport):
    """A transport that dies (as a killed process would) on the `n`-th request matching `path`."""

    def __init__(self, inner: httpx.BaseTransport, n: int, path: str) -> None:
        self.inner, self.n, self.path, self.seen = inner, n, path, 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if self.path in request.url.path:
            self.seen += 1
            if self.seen == self.n:
                raise KeyboardInterrupt("the process was killed")
        return self.inner.handle_request(request)


def ms(when: datetime) -> int:
    return int(when.timestamp() * 1000)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def write_back_hubspot(
    fake: Any, database_url: str, source: str, writes: dict[str, dict[str, Any]], stamp: str
) -> None:
    """What a HubSpot sink does around its writes: one wave, the stamp on every record, what was sent."""
    from connectors.hubspot.mapping import hs_time
    from connectors.store.echoes import close_wave, extend_wave, open_wave, record_writes

    prop = "leads_etl_sync_stamp"
    if fake.store.schema.get("contacts", prop) is None:  # the sink creates its property on first use
        fake.define_property("contacts", prop)
    engine = get_engine(database_url)
    with engine.begin() as conn:
        wave = open_wave(conn, source, f"{source}_out", stamp, "sync-run")
    stamps = []
    for contact_id, properties in writes.items():
        fake.update_contact(contact_id, {**properties, prop: stamp}, source_type="INTEGRATION")
        stamps.append(hs_time(fake.contact(contact_id)["properties"]["lastmodifieddate"]))
    with engine.begin() as conn:
        sent = {i: {**p, prop: stamp} for i, p in writes.items()}
        record_writes(conn, source, f"{source}_out", sent, "sync-run", datetime.now(UTC))
        extend_wave(conn, source, wave, min(stamps), max(stamps), len(writes))
        close_wave(conn, source, wave)


def write_back_salesforce(fake: Any, database_url: str, source: str, writes: dict[str, dict[str, Any]]) -> None:
    """What a Salesforce sink does: one wave naming its integration user as the writer."""
    from connectors.store.echoes import close_wave, extend_wave, open_wave, record_writes
    from tests.fakes.salesforce.schema import INTEGRATION_USER_ID

    engine = get_engine(database_url)
    started = datetime.fromtimestamp(fake.clock.now(), UTC)
    with engine.begin() as conn:
        wave = open_wave(conn, source, f"{source}_out", "-", "sync-run", writer_id=INTEGRATION_USER_ID)
    for record_id, fields in writes.items():
        fake.update_record("Lead", record_id, fields, by=INTEGRATION_USER_ID)
    with engine.begin() as conn:
        record_writes(conn, source, f"{source}_out", writes, "sync-run", datetime.now(UTC))
        extend_wave(conn, source, wave, started, datetime.fromtimestamp(fake.clock.now(), UTC), len(writes))
        close_wave(conn, source, wave)


def run_sync(
    config: Path,
    run_id: str,
    transports: dict[str, httpx.BaseTransport],
    sink: str,
    clock: Callable[[], float] | None = None,
    dry_run: bool = False,
) -> dict[str, Any]:
    """The sync stage for one sink (transports for the sink and for the source it reads back with)."""
    from tasks.sync import sync

    ctx = replace(prepare(str(config), run_id, None, dry_run), transports=transports, clock=clock)
    return sync(ctx, sink)


def hubspot_sink(**settings: Any) -> dict[str, Any]:
    return {
        "type": "hubspot",
        "auth": {"token": {"env": "HUBSPOT_TOKEN"}},
        "base_url": "https://api.hubapi.com",
        "source": "hubspot",
        "account": "hubspot",
        "min_stage": None,
        **settings,
    }


def salesforce_sink(**settings: Any) -> dict[str, Any]:
    return {
        "type": "salesforce",
        "login_url": SF_INSTANCE,
        "auth": {
            "client_id": SF_CLIENT_ID,
            "client_secret": {"env": "SF_CLIENT_SECRET"},
            "refresh_token": {"env": "SF_REFRESH_TOKEN"},
        },
        "source": "sf",
        "external_id": "Leads_Etl_Id__c",
        "min_stage": None,
        **settings,
    }
