"""HubSpot as a source: contacts incrementally and completely, with what the person did and how far sales took them.

Streams, each with its own checkpoint:
- contacts (the main stream): a search over a window of `lastmodifieddate`, paged by id;
- archived: a sweep of archived contacts every `archived_sweep`, landed as deletions (archiving
  moves no modified date, so no incremental read ever sees it);
- owners: every owner, active and archived, on each run (there are few);
- meetings, calls, deals: searches over windows of `hs_lastmodifieddate`, with their contacts from
  the v4 associations API.

Why windows paged by id: a search cannot page past 10,000 results, and offset paging (`after`)
skips a record whenever an earlier one leaves the result set between two pages (someone edits
it, and its modified date moves past the window). Each page here is a fresh query for ids above
the last one seen, sorted by id, so neither can happen; many records sharing one timestamp are no
different from any others. A window is [previous end - lookback, this run's start]: the lookback
re-reads what HubSpot's search index had not yet taken in (it lags writes), the fixed end keeps
records edited during the run for the next run. Each page is a checkpoint (the window and the id
floor), so a crash resumes inside the window, neither skipping nor re-reading.

Reconciliation: the first page's `total` is the window's size; a different count read is noted
(records edited again during the run move out of the window legitimately, and are read next run).

Echoes: a sink writing to this account bumps every record it writes. It records its writes in
waves (connectors/store/echoes.py), each with a stamp property written on every record and the
CRM's own modified stamps of its first and last write. Inside a wave the search asks only for
records without the wave's stamp; everything outside waves is searched as usual. What that leaves
unread: a record edited by someone else within the same wave after our write to it (a wave lasts
seconds), which the next change to the record, or the periodic reconciliation (`reconcile_every`,
a read of everything since the last one, echoes included), brings in.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from connectors.hubspot import settings as hs
from connectors.hubspot.client import HubSpotApi
from connectors.hubspot.mapping import (
    contact_cursor,
    contact_payload,
    deal_rows,
    effective_mapping,
    engagement_activities,
    engagement_activity,
    epoch_ms,
    owner_row,
    stage_changes,
)
from connectors.prefetch import prefetched
from connectors.source import MAIN, Batch, Checkpoint, Events, new_window
from connectors.store.echoes import Wave
from connectors.store.landing import IncomingRecord
from leads.config import HubSpotSourceConfig

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
Previous = Callable[[Sequence[str]], Mapping[str, dict[str, Any]]]
Waves = Callable[[datetime, datetime], Sequence[Wave]]
Group = list[dict[str, Any]]
GROUPS_PER_SEARCH = 5  # HubSpot: at most 5 filter groups and 25 filters in one search


class SearchOrderBroken(RuntimeError):
    """HubSpot returned ids out of order: paging by id would not be safe."""


class HubSpotSource:
    volatile = hs.VOLATILE

    def __init__(
        self,
        name: str,
        settings: HubSpotSourceConfig,
        api: HubSpotApi,
        *,
        now: datetime,
        previous: Previous,
        waves: Waves = lambda lo, hi: (),
    ) -> None:
        self.name = name
        self.settings = settings
        self.api = api
        self.now = now
        self.previous = previous
        self.waves = waves
        self._known: dict[str, dict[str, Any]] | None = None
        self._notes: list[str] = []
        self._chunks: list[list[str]] = []

    # Source protocol

    def check(self) -> list[str]:
        """Discovers the contact properties (a bad token fails here, before any data is read)."""
        self._known = {p["name"]: p for p in self.api.properties("contacts")}
        self._chunks = _chunked(self._contact_properties(), hs.PROPERTY_BUDGET)
        return []

    def read(self, checkpoints: Mapping[str, Checkpoint]) -> Iterator[Batch]:
        if self._known is None:
            self.check()
        s = self.settings
        if s.owners:
            yield self._owners()
        yield from self._contacts(checkpoints.get(MAIN))
        if self._sweep_due(checkpoints.get("archived")):
            yield from self._archived()
        if s.activities:
            yield from self._engagements("meetings", "meeting", hs.MEETING_PROPERTIES, checkpoints)
            yield from self._engagements("calls", "call", hs.CALL_PROPERTIES, checkpoints)
        if s.deals:
            yield from self._deals(checkpoints)

    def missing_columns(self) -> list[str]:
        known = self._known or {}
        return [
            f"sources.{self.name}.mapping.{field}: property {prop!r} does not exist in HubSpot (properties API)"
            for field, prop in effective_mapping(self.settings).items()
            if known and prop not in known
        ]

    def notes(self) -> list[str]:
        return list(self._notes)

    @property
    def read_properties(self) -> list[list[str]]:
        """The contact properties a read asks for, in the groups that fit one request each (after check)."""
        return [list(chunk) for chunk in self._chunks]

    def requests(self) -> int:
        return self.api.requests

    # contacts

    def _contact_properties(self) -> list[str]:
        s, known = self.settings, self._known or {}
        wanted = ["hs_object_id", "createdate", "lastmodifieddate", "hs_merged_object_ids"]
        wanted += list(effective_mapping(s).values()) + list(hs.HISTORY_PROPERTIES)
        if s.activities:
            wanted += list(hs.ENGAGEMENT_PROPERTIES) + list(hs.ENGAGEMENT_DETAILS)
        wanted += s.properties
        if s.custom_properties:
            wanted += sorted(n for n, p in known.items() if not p.get("hubspotDefined"))
        unknown = [p for p in s.properties if p not in known]
        if unknown:
            self._notes.append(f"{self.name}: properties {', '.join(unknown)} do not exist in HubSpot; not landed")
        return [p for p in dict.fromkeys(wanted) if p in known]

    def _contacts(self, mark: Checkpoint | None) -> Iterator[Batch]:
        first, *rest = self._chunks or [["hs_object_id"]]
        pages = self._window_pages("contacts", "lastmodifieddate", first, mark, echoes=True)
        for results, checkpoint in prefetched(pages):  # the next search runs while this page lands
            ids = [str(obj["id"]) for obj in results]
            objects = {str(obj["id"]): obj for obj in results}
            for chunk in rest:  # property lists too long for one request: the rest by batch read
                for part in _slices(ids, hs.BATCH_MAX):
                    for extra in self.api.batch_read("contacts", part, chunk):
                        objects[str(extra["id"])].setdefault("properties", {}).update(extra.get("properties") or {})
            batch = Batch(stream=MAIN, read=len(results), checkpoint=checkpoint)
            payloads = {i: contact_payload(objects[i]) for i in ids}
            for contact_id in ids:
                cursor = contact_cursor(objects[contact_id]) or self.now
                batch.records.append(IncomingRecord(contact_id, cursor, payloads[contact_id], f"contact {contact_id}"))
                if self.settings.activities:
                    batch.events.activities += engagement_activities(contact_id, payloads[contact_id])
            if self.settings.history:
                batch.events.stage_changes += self._history(payloads)
            yield batch

    def _history(self, payloads: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
        """Stage and status history of the contacts whose stage or status changed since last landed."""
        before = self.previous(list(payloads))
        changed = [
            i
            for i, p in payloads.items()
            if any(p.get(k) != (before.get(i) or {}).get(k) for k in hs.HISTORY_PROPERTIES)
            and any(p.get(k) for k in hs.HISTORY_PROPERTIES)
        ]
        rows: list[dict[str, Any]] = []
        for part in _slices(changed, hs.BATCH_MAX):
            for obj in self.api.batch_read("contacts", part, ["hs_object_id"], list(hs.HISTORY_PROPERTIES)):
                rows += stage_changes(str(obj["id"]), obj.get("propertiesWithHistory") or {})
        return rows

    # windows paged by id

    def _window_pages(
        self,
        object_type: str,
        cursor_prop: str,
        properties: Sequence[str],
        mark: Checkpoint | None,
        echoes: bool = False,
    ) -> Iterator[tuple[list[dict[str, Any]], Checkpoint]]:
        """Pages of a window of `cursor_prop`, each with the checkpoint that resumes after it.

        The window's searches (a plan of filter-group packs: one pack without echoes to skip) are
        worked through in order, each paged by id; the checkpoint names the pack and the id floor.
        """
        state = dict((mark.state or {}) if mark else {})
        done_until = mark.cursor_ts if mark else EPOCH
        if "window" in state:  # a crash interrupted this window: go on where it stopped
            lo, hi = (datetime.fromisoformat(t) for t in state["window"])
            plan, pack, floor = state["plan"], int(state.get("pack") or 0), int(state.get("after_id") or 0)
            reconciling = bool(state.get("reconciling"))
        else:
            s = self.settings
            window = new_window(mark, self.now, s.lookback, s.start, s.reconcile_every, EPOCH)
            lo, hi, reconciling = window.lo, window.hi, window.reconciling
            plan = self._plan(cursor_prop, lo, hi, skip=echoes and not reconciling)
            pack, floor = 0, 0
        kept = {"reconciled_at": hi.isoformat() if reconciling else state.get("reconciled_at")}
        expected = fetched = 0
        while pack < len(plan):
            groups = [g + [_above(floor)] if floor else g for g in plan[pack]]
            page = self.api.search(object_type, groups, properties, self.settings.page_size)
            results = list(page.get("results") or [])
            if floor == 0:
                expected += int(page.get("total") or 0)
            fetched += len(results)
            floor = _last_id(results, floor, object_type)
            if not (results and (page.get("paging") or {}).get("next")):
                pack, floor = pack + 1, 0  # this pack is done: the next starts from the lowest id
            if pack == len(plan):
                yield results, Checkpoint(hi, "", kept)
                break
            progress = {"window": [lo.isoformat(), hi.isoformat()], "plan": plan, "pack": pack, "after_id": floor}
            yield results, Checkpoint(done_until, "", {**kept, **progress, "reconciling": reconciling})
        if fetched != expected and "window" not in state:
            self._notes.append(
                f"{self.name} {object_type}: HubSpot counted {expected:,} modified in the window, {fetched:,} were "
                "read (records edited again during the run move out of the window and are read next run)"
            )

    def _plan(self, cursor_prop: str, lo: datetime, hi: datetime, skip: bool) -> list[list[Group]]:
        """The window's searches: filter groups covering [lo, hi], packed 5 to a search.

        Without waves to skip, one group. With waves, the stretches between them as usual, and
        inside each wave only the records without its stamp (someone else's edits).
        """
        waves = list(self.waves(lo, hi)) if skip else []
        if not waves:
            return [[_range(cursor_prop, lo, "GTE", hi, "LTE")]]
        stamp = self.settings.echo_stamp_property
        groups: list[Group] = []
        start, start_op = lo, "GTE"
        for wave in waves:
            first, last = max(wave.first_write, lo), min(wave.last_write, hi)
            if first > start:
                groups.append(_range(cursor_prop, start, start_op, first, "LT"))
            inside = _range(cursor_prop, first, "GTE", last, "LTE")
            groups.append([*inside, {"propertyName": stamp, "operator": "NEQ", "value": wave.stamp}])
            groups.append([*inside, {"propertyName": stamp, "operator": "NOT_HAS_PROPERTY"}])
            if last >= start:
                start, start_op = last, "GT"
        if start < hi or start_op == "GTE":
            groups.append(_range(cursor_prop, start, start_op, hi, "LTE"))
        return [groups[i : i + GROUPS_PER_SEARCH] for i in range(0, len(groups), GROUPS_PER_SEARCH)]

    # archived contacts

    def _sweep_due(self, mark: Checkpoint | None) -> bool:
        return mark is None or self.now - mark.cursor_ts >= self.settings.archived_sweep

    def _archived(self) -> Iterator[Batch]:
        for ids in self.api.archived("contacts"):
            yield Batch(stream="archived", deleted=ids, read=len(ids))
        yield Batch(stream="archived", checkpoint=Checkpoint(self.now))

    # owners, meetings, calls, deals

    def _owners(self) -> Batch:
        rows = [owner_row(o) for archived in (False, True) for o in self.api.owners(archived)]
        return Batch(stream="owners", events=Events(owners=rows), read=len(rows), checkpoint=Checkpoint(self.now))

    def _engagements(
        self, object_type: str, kind: str, properties: Sequence[str], checkpoints: Mapping[str, Checkpoint]
    ) -> Iterator[Batch]:
        mark = checkpoints.get(object_type)
        wanted = [*properties, "hs_lastmodifieddate"]
        for results, checkpoint in self._window_pages(object_type, "hs_lastmodifieddate", wanted, mark):
            contacts = self.api.associations(object_type, "contacts", [str(o["id"]) for o in results])
            activities = [a for o in results for a in engagement_activity(kind, o, contacts.get(str(o["id"]), []))]
            yield Batch(
                stream=object_type, events=Events(activities=activities), read=len(results), checkpoint=checkpoint
            )

    def _deals(self, checkpoints: Mapping[str, Checkpoint]) -> Iterator[Batch]:
        mark = checkpoints.get("deals")
        wanted = [*hs.DEAL_PROPERTIES, "hs_lastmodifieddate"]
        for results, checkpoint in self._window_pages("deals", "hs_lastmodifieddate", wanted, mark):
            contacts = self.api.associations("deals", "contacts", [str(o["id"]) for o in results])
            events = Events()
            for deal in results:
                outcomes, activities = deal_rows(deal, contacts.get(str(deal["id"]), []))
                events.outcomes += outcomes
                events.activities += activities
            yield Batch(stream="deals", events=events, read=len(results), checkpoint=checkpoint)


def _range(prop: str, lo: datetime, lo_op: str, hi: datetime, hi_op: str) -> Group:
    return [
        {"propertyName": prop, "operator": lo_op, "value": epoch_ms(lo)},
        {"propertyName": prop, "operator": hi_op, "value": epoch_ms(hi)},
    ]


def _above(floor: int) -> dict[str, Any]:
    return {"propertyName": "hs_object_id", "operator": "GT", "value": str(floor)}


def _last_id(results: list[dict[str, Any]], floor: int, object_type: str) -> int:
    """The page's highest id, checking the page really is in ascending id order above the floor."""
    last = floor
    for obj in results:
        current = int(obj["id"])
        if current <= last:
            raise SearchOrderBroken(
                f"HubSpot {object_type} search returned id {current} after {last}; paging by id needs ascending ids"
            )
        last = current
    return last


def _slices(items: Sequence[str], size: int) -> Iterator[list[str]]:
    for start in range(0, len(items), size):
        yield list(items[start : start + size])


def _chunked(properties: list[str], budget: int) -> list[list[str]]:
    """Property names in groups of at most `budget` characters (comma-joined), hs_object_id in each."""
    chunks: list[list[str]] = [[]]
    used = 0
    for name in properties:
        if chunks[-1] and used + len(name) + 1 > budget:
            chunks.append(["hs_object_id"])
            used = len("hs_object_id")
        chunks[-1].append(name)
        used += len(name) + 1
    return chunks
