"""Open a configured CRM sink for a run, and what it needs of the source that reads the same CRM back.

A sink with a `source` reads the records it is about to write with that source's full property
(or field) list, so what it reads lands in `source_records` like any extract (the store learns of
sales' edits at once, and the next extract has nothing to rediscover), and it records its writes
under that source's name, where the source's echo detection looks for them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import httpx

from connectors.hubspot import settings as hs
from connectors.hubspot.mapping import contact_cursor, contact_payload
from connectors.hubspot.sink import HubSpotSink
from connectors.salesforce import settings as sf
from connectors.salesforce.mapping import sf_time
from connectors.salesforce.sink import SalesforceSink
from connectors.store.landing import IncomingRecord, land_records
from leads.config import HubSpotSinkConfig
from tasks.context import RunContext
from tasks.sources import open_source
from tasks.vendors import hubspot_api, salesforce_api

CrmSink = HubSpotSink | SalesforceSink


@dataclass
class ReadBack:
    """The sink's source: the properties a full read asks for, and how a read object lands."""

    source: str
    properties: list[str]
    vendor: str

    def records(self, objects: dict[str, dict[str, Any]], now: datetime) -> list[IncomingRecord]:
        out = []
        for remote_id, obj in objects.items():
            if self.vendor == "hubspot":
                payload, cursor = contact_payload(obj), contact_cursor(obj)
            else:
                payload, cursor = dict(obj["properties"]), sf_time(obj["properties"].get("SystemModstamp"))
            out.append(IncomingRecord(remote_id, cursor or now, payload, f"read before write {remote_id}"))
        return out

    def land(self, ctx: RunContext, objects: dict[str, dict[str, Any]]) -> None:
        if not objects:
            return
        volatile = hs.VOLATILE if self.vendor == "hubspot" else sf.VOLATILE
        with ctx.engine().begin() as conn:
            land_records(conn, self.source, self.records(objects, ctx.now()), ctx.run_id, ctx.now(), volatile)


def open_sink(ctx: RunContext, name: str) -> tuple[CrmSink, httpx.Client, ReadBack | None]:
    settings = ctx.config.sinks[name]
    secrets = ctx.sink_secrets.get(name, {})
    if isinstance(settings, HubSpotSinkConfig):
        api, client = hubspot_api(ctx, name, settings, secrets)
        sink: CrmSink = HubSpotSink(name, settings, api)
    else:
        sf_api, client = salesforce_api(ctx, name, settings, secrets)
        sink = SalesforceSink(name, settings, sf_api)
    return sink, client, _read_back(ctx, settings)


def _read_back(ctx: RunContext, settings: Any) -> ReadBack | None:
    """What the sink's source would read of a record, when it fits one request of the sink's."""
    if settings.source is None:
        return None
    source, client = open_source(ctx, settings.source)
    try:
        source.check()  # discovers the properties (HubSpot) or describes the fields (Salesforce)
        if settings.type == "hubspot":
            chunks = source.read_properties  # type: ignore[attr-defined]
            properties = chunks[0] if len(chunks) == 1 else []
        else:
            properties = source.fields_of("Lead")  # type: ignore[attr-defined]
    finally:
        if client is not None:
            client.close()
    if not properties:  # more than one request's worth: read only the mapped ones, land nothing
        return None
    return ReadBack(settings.source, properties, settings.type)
