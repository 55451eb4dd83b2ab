"""A strict, faithful fake of the HubSpot CRM API (the parts the lead connector uses).

`FakeHubSpot(**json_kwargs)` is an httpx handler: pass it to `httpx.MockTransport`, or serve it
with `tests.fakes.loopback.LoopbackServer("tests.fakes.hubspot:FakeHubSpot", **json_kwargs)`.
Modules: fake (routing, faults, log), auth, limits, objects (list, search, batch read, merge), writes
(batch upsert, batch update, batch archive, archive one, the lifecycle-stage rule), meta
(properties, owners, associations, usage), search and index (filter evaluation over a lagging
index), state (records, history, merges), schema (property definitions, value rules), render
(response shapes, cursors, request parsing), seeding (what tests call), clock, errors.
"""

from tests.fakes.hubspot.fake import FakeHubSpot

__all__ = ["FakeHubSpot"]
