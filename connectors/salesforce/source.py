"""Salesforce as a source: leads and contacts incrementally and completely, with activities and outcomes.

Streams, each with its own checkpoint (named after the object): Lead, Contact, Task, Event,
LeadHistory, User, Opportunity, and "<object>-deleted" for the deleted-records sweep.

Every object is read with SOQL over `/queryAll` in windows of its cursor field (SystemModstamp,
CreatedDate for LeadHistory), ORDER BY (cursor, Id), so each page ends at a compound cursor that is
a safe checkpoint: a crash resumes after exactly the last landed row, and rows sharing one stamp
(a bulk update gives thousands the same SystemModstamp) are never skipped, because the id breaks
the tie. queryAll includes deleted rows; they land as deletions. A window that times out
(QUERY_TIMEOUT) is halved and read in two parts, up to MAX_HALVINGS times.

A first load above `bulk_threshold` rows goes through a Bulk API 2.0 query job instead (CSV pages
of 10,000): unordered, so its checkpoint only moves at the end, but the job id and the locator of
the next page are saved, so a crash resumes the same job.

Fields come from `describe` on every run: what the mapping names, what we always need, and every
custom field (`__c`) when `custom_fields` is on, so a field added in Salesforce is landed at once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote

from connectors.http.errors import ApiError
from connectors.prefetch import prefetched
from connectors.salesforce import settings as sf
from connectors.salesforce.client import SalesforceApi
from connectors.salesforce.mapping import (
    OBJECT_KEY,
    conversion_outcome,
    effective_mapping,
    event_activity,
    flat_record,
    flat_row,
    history_change,
    opportunity_outcome,
    owner_row,
    sf_time,
    soql_time,
    task_activity,
)
from connectors.source import Batch, Checkpoint, Events, new_window
from connectors.store.echoes import Wave
from connectors.store.landing import IncomingRecord
from leads.config import SalesforceSourceConfig

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
Rows = list[dict[str, Any]]
Waves = Callable[[datetime, datetime], Sequence[Wave]]
# Our waves are timed by our clock; Salesforce stamps by its own. The exclusion is exact by writer,
# so a wide margin costs nothing but keeps skew from letting an echo through.
WAVE_MARGIN = timedelta(minutes=5)


class WindowTooSlow(RuntimeError):
    """A window still timed out after halving it MAX_HALVINGS times."""


class SalesforceSource:
    volatile = sf.VOLATILE

    def __init__(
        self,
        name: str,
        settings: SalesforceSourceConfig,
        api: SalesforceApi,
        *,
        now: datetime,
        waves: Waves = lambda lo, hi: (),
    ) -> None:
        self.name = name
        self.settings = settings
        self.api = api
        self.now = now
        self.waves = waves
        self._described: dict[str, dict[str, str]] = {}  # object → field → type
        self._fields: dict[str, list[str]] = {}
        self._missing: list[str] = []
        self._notes: list[str] = []

    # Source protocol

    def check(self) -> list[str]:
        """Describes the objects (a refused session fails here, before any data is read)."""
        for sobject in self.settings.objects:
            self._fields[sobject] = self._record_fields(sobject)
        return []

    def read(self, checkpoints: Mapping[str, Checkpoint]) -> Iterator[Batch]:
        if not self._fields:
            self.check()
        s = self.settings
        if s.owners:
            yield from self._stream("User", sf.USER_FIELDS, "SystemModstamp", checkpoints, self._owners)
        for sobject in s.objects:
            yield from self._records(sobject, checkpoints)
            if s.deleted_sweep:
                yield from self._deleted_sweep(sobject, checkpoints.get(f"{sobject}-deleted"))
        if s.activities:
            yield from self._stream("Task", sf.TASK_FIELDS, "SystemModstamp", checkpoints, _tasks, "WhoId != null")
            yield from self._stream("Event", sf.EVENT_FIELDS, "SystemModstamp", checkpoints, _events, "WhoId != null")
        if s.history and "Lead" in s.objects:
            tracked = ", ".join(f"'{f}'" for f in sf.HISTORY_TRACKED)
            yield from self._stream(
                "LeadHistory", sf.HISTORY_FIELDS, "CreatedDate", checkpoints, _history, f"Field IN ({tracked})"
            )
        if s.opportunities:
            fields = (
                *sf.OPPORTUNITY_FIELDS,
                *(("CurrencyIsoCode",) if self._has("Opportunity", "CurrencyIsoCode") else ()),
            )
            yield from self._stream("Opportunity", fields, "SystemModstamp", checkpoints, self._opportunities)

    def missing_columns(self) -> list[str]:
        return list(self._missing)

    def notes(self) -> list[str]:
        return list(self._notes)

    def fields_of(self, sobject: str) -> list[str]:
        """The fields a read of `sobject` asks for (after check)."""
        return list(self._fields.get(sobject, []))

    def requests(self) -> int:
        return self.api.requests

    # fields

    def _types(self, sobject: str) -> dict[str, str]:
        if sobject not in self._described:
            fields = self.api.describe(sobject).get("fields") or []
            self._described[sobject] = {f["name"]: f.get("type") or "string" for f in fields}
        return self._described[sobject]

    def _has(self, sobject: str, field: str) -> bool:
        return field in self._types(sobject)

    def _record_fields(self, sobject: str) -> list[str]:
        types = self._types(sobject)
        wanted = list(sf.ALWAYS.get(sobject, ("Id", "SystemModstamp", "IsDeleted")))
        for lead_field, column in effective_mapping(self.settings, sobject).items():
            if self._exists(types, column):
                wanted.append(column)
            else:
                self._missing.append(
                    f"sources.{self.name}.objects.{sobject}.mapping.{lead_field}: field {column!r} "
                    f"does not exist on {sobject} (describe)"
                )
        extra = self.settings.objects[sobject].fields  # type: ignore[index]
        unknown = [f for f in extra if not self._exists(types, f)]
        if unknown:
            self._notes.append(f"{self.name}: {sobject} has no fields {', '.join(unknown)}; not landed")
        wanted += [f for f in extra if f not in unknown]
        required = list(dict.fromkeys(wanted))
        if self.settings.custom_fields:
            custom = sorted(n for n, t in types.items() if n.endswith("__c") and t not in ("address", "location"))
            return self._within_budget(sobject, required, [c for c in custom if c not in required])
        return required

    @staticmethod
    def _exists(types: dict[str, str], column: str) -> bool:
        if "." in column:  # a parent's field (Account.Name): the reference must exist
            parent = column.split(".", 1)[0]
            return f"{parent}Id" in types or parent in types
        return column in types

    def _within_budget(self, sobject: str, required: list[str], custom: list[str]) -> list[str]:
        """As many custom fields as fit the URI budget of a SOQL GET (required fields always go)."""
        used = len(quote(",".join(required))) + 600  # FROM, WHERE and ORDER BY
        kept = []
        for name in custom:
            used += len(quote(name)) + 3
            if used > sf.URI_BUDGET:
                self._notes.append(
                    f"{self.name}: {len(custom) - len(kept)} custom fields of {sobject} exceed the query length "
                    "and are not landed; name the ones you need in objects.<X>.fields"
                )
                break
            kept.append(name)
        return required + kept

    # Lead and Contact

    def _records(self, sobject: str, checkpoints: Mapping[str, Checkpoint]) -> Iterator[Batch]:
        mark = checkpoints.get(sobject)
        fields = self._fields[sobject]
        types = self._types(sobject)
        state = (mark.state or {}) if mark else {}
        if "bulk" in state or (mark is None and self._bulk_worth_it(sobject)):
            yield from self._bulk(sobject, fields, types, state.get("bulk"))
            return
        pages = self._window_pages(sobject, fields, "SystemModstamp", mark, echoes=True)
        for rows, checkpoint in prefetched(pages):  # the next page is fetched while this one lands
            yield self._record_batch(sobject, [flat_record(r, types) for r in rows], checkpoint)

    def _record_batch(self, sobject: str, payloads: Rows, checkpoint: Checkpoint | None) -> Batch:
        batch = Batch(stream=sobject, read=len(payloads), checkpoint=checkpoint)
        for payload in payloads:
            record_id = str(payload["Id"])
            if payload.get("IsDeleted"):
                batch.deleted.append(record_id)
                continue
            cursor = sf_time(payload.get("SystemModstamp")) or self.now
            batch.records.append(IncomingRecord(record_id, cursor, payload, f"{sobject} {record_id}"))
            if (converted := conversion_outcome(payload)) is not None:
                batch.events.outcomes.append(converted)
        return batch

    def _bulk_worth_it(self, sobject: str) -> bool:
        threshold = self.settings.bulk_threshold
        if not threshold:
            return False
        where = self._where("SystemModstamp", self._first_start(), self.now, None)
        return self.api.count(f"SELECT COUNT() FROM {sobject} WHERE {where}") > threshold

    def _bulk(
        self, sobject: str, fields: list[str], types: dict[str, str], resume: dict[str, Any] | None
    ) -> Iterator[Batch]:
        if resume:
            job, locator, hi = resume["job"], resume.get("locator"), datetime.fromisoformat(resume["hi"])
        else:
            hi = self.now
            where = self._where("SystemModstamp", self._first_start(), hi, None)
            job, locator = self.api.bulk_query(f"SELECT {', '.join(fields)} FROM {sobject} WHERE {where}"), None
        while True:
            rows, following = self.api.bulk_results(job, locator)
            done = following is None
            # Bulk rows come in no order: the watermark moves once the job is read to its end.
            checkpoint = (
                Checkpoint(hi, "", {"reconciled_at": hi.isoformat()})  # a first load read everything
                if done
                else Checkpoint(EPOCH, "", {"bulk": {"job": job, "locator": following, "hi": hi.isoformat()}})
            )
            yield self._record_batch(sobject, [flat_row(sobject, r, types) for r in rows], checkpoint)
            if done:
                return
            locator = following

    def _deleted_sweep(self, sobject: str, mark: Checkpoint | None) -> Iterator[Batch]:
        """Records emptied from the recycle bin never reach queryAll again; the deleted endpoint has them."""
        earliest = self.now - timedelta(days=sf.DELETED_WINDOW_DAYS) + timedelta(minutes=5)
        start = max(earliest, (mark.cursor_ts - self.settings.lookback) if mark else earliest)
        ids = self.api.deleted(sobject, start, self.now)
        yield Batch(stream=f"{sobject}-deleted", deleted=ids, read=len(ids), checkpoint=Checkpoint(self.now))

    # windows in (cursor, Id) order

    def _first_start(self) -> datetime:
        return self.settings.start or EPOCH

    def _window_pages(
        self,
        sobject: str,
        fields: Sequence[str],
        cursor: str,
        mark: Checkpoint | None,
        extra: str | None = None,
        echoes: bool = False,
    ) -> Iterator[tuple[Rows, Checkpoint]]:
        """Pages in (cursor, Id) order, each with its checkpoint; QUERY_TIMEOUT halves the window.

        With `echoes`, records whose last change is one of our sinks' writes (the wave's writer
        modified them last, inside the wave) are left out, except in a reconciling window.
        """
        state = (mark.state or {}) if mark else {}
        done_until = mark.cursor_ts if mark else EPOCH
        if "window" in state:
            lo, hi = (datetime.fromisoformat(t) for t in state["window"])
            after = tuple(state["after"]) if state.get("after") else None
            reconciling, skip = bool(state.get("reconciling")), state.get("skip")
        else:
            s = self.settings
            reconcile_every = s.reconcile_every if echoes else timedelta.max
            window = new_window(mark, self.now, s.lookback, s.start, reconcile_every, EPOCH)
            lo, hi, after, reconciling = window.lo, window.hi, None, window.reconciling and echoes
            skip = self._echo_exclusion(lo, hi) if echoes and not reconciling else None
        kept = {"reconciled_at": hi.isoformat() if reconciling else state.get("reconciled_at")} if echoes else {}
        extra = " AND ".join(part for part in (extra, skip) if part) or None
        segments = [(lo, hi)]
        halvings = 0
        while segments:
            seg_lo, seg_hi = segments.pop(0)
            soql = self._soql(sobject, fields, cursor, seg_lo, seg_hi, after, extra)
            try:
                for page in self.api.query(soql):
                    rows = list(page.get("records") or [])
                    if rows:
                        last = rows[-1]
                        after = (str(sf_time(last.get(cursor)).isoformat()), str(last["Id"]))  # type: ignore[union-attr]
                    progress = {
                        "window": [seg_lo.isoformat(), hi.isoformat()],
                        "after": list(after) if after else None,
                        "reconciling": reconciling,
                        "skip": skip,
                    }
                    yield rows, Checkpoint(done_until, "", {**kept, **progress})
            except ApiError as exc:
                if exc.code != "QUERY_TIMEOUT":
                    raise
                halvings += 1
                if halvings > sf.MAX_HALVINGS:
                    raise WindowTooSlow(
                        f"{self.name}: {sobject} query still times out after {sf.MAX_HALVINGS} halvings of its window"
                    ) from exc
                start = datetime.fromisoformat(after[0]) if after else seg_lo
                middle = start + (seg_hi - start) / 2
                segments[:0] = [(start, middle), (middle, seg_hi)]
                self._notes.append(f"{self.name}: {sobject} window timed out; read in halves from {start:%Y-%m-%d}")
                continue
            after = None  # the next segment starts fresh at its own lower bound
        yield [], Checkpoint(hi, "", kept)

    def _echo_exclusion(self, lo: datetime, hi: datetime) -> str | None:
        """A SOQL condition leaving out records our sinks' writers modified last during their waves."""
        parts = [
            f"(LastModifiedById = '{w.writer_id}' AND SystemModstamp >= {soql_time(w.first_write - WAVE_MARGIN)}"
            f" AND SystemModstamp <= {soql_time(w.last_write + WAVE_MARGIN)})"
            for w in self.waves(lo, hi)
            if w.writer_id
        ]
        return f"NOT ({' OR '.join(parts)})" if parts else None

    def _soql(
        self,
        sobject: str,
        fields: Sequence[str],
        cursor: str,
        lo: datetime,
        hi: datetime,
        after: tuple[str, str] | None,
        extra: str | None,
    ) -> str:
        where = self._where(cursor, lo, hi, after)
        if extra:
            where = f"{extra} AND {where}"
        return f"SELECT {', '.join(fields)} FROM {sobject} WHERE {where} ORDER BY {cursor} ASC, Id ASC"

    @staticmethod
    def _where(cursor: str, lo: datetime, hi: datetime, after: tuple[str, str] | None) -> str:
        where = f"{cursor} >= {soql_time(lo)} AND {cursor} <= {soql_time(hi)}"
        if after is not None:
            ts = soql_time(datetime.fromisoformat(after[0]))
            where += f" AND ({cursor} > {ts} OR ({cursor} = {ts} AND Id > '{after[1]}'))"
        return where

    # the other objects

    def _stream(
        self,
        sobject: str,
        fields: Sequence[str],
        cursor: str,
        checkpoints: Mapping[str, Checkpoint],
        convert: Callable[[Rows], Events],
        extra: str | None = None,
    ) -> Iterator[Batch]:
        types = self._types(sobject)
        present = [f for f in fields if self._exists(types, f)]
        for rows, checkpoint in self._window_pages(sobject, present, cursor, checkpoints.get(sobject), extra):
            flat = [flat_record(r, types) for r in rows]
            yield Batch(stream=sobject, events=convert(flat), read=len(rows), checkpoint=checkpoint)

    def _owners(self, rows: Rows) -> Events:
        return Events(owners=[owner_row(r) for r in rows])

    def _opportunities(self, rows: Rows) -> Events:
        found = (opportunity_outcome(r, self.settings.currency) for r in rows)
        return Events(outcomes=[o for o in found if o is not None])


def _tasks(rows: Rows) -> Events:
    return Events(activities=[a for a in map(task_activity, rows) if a is not None])


def _events(rows: Rows) -> Events:
    return Events(activities=[a for a in map(event_activity, rows) if a is not None])


def _history(rows: Rows) -> Events:
    return Events(stage_changes=[c for c in map(history_change, rows) if c is not None])


__all__ = ["OBJECT_KEY", "SalesforceSource"]
