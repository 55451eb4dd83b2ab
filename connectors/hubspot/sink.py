"""HubSpot as a sink: contacts updated by id and created by a unique property, 100 per call.

- Pre-flight: the properties we own (`leads_etl_*` and the stamp) are created on first use in
  their own property group; a mapped HubSpot property that does not exist, or an `id_property`
  that is not unique, is named before anything is written.
- Reads before writes: the contacts about to be written are read (by id, or by `id_property` for
  leads new to us), so the sink sees what sales changed and never sends a backwards lifecycle stage.
- Writes: `batch/update` for contacts we know, `batch/upsert` by `id_property` for new ones. Every
  input carries an `objectWriteTraceId`, and results are matched by it (HubSpot does not keep
  input order). A 207 names the inputs it refused; a 400 refuses the whole batch, which is then
  split in halves until the bad input stands alone. Retriable failures (429, 5xx) are retried by
  the shared Retrier; what still fails is reported as retriable, to be sent again next run.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from connectors.http.errors import ApiError
from connectors.hubspot.client import HubSpotApi
from connectors.hubspot.mapping import hs_time
from connectors.sink import Outcome, Refused, Written
from leads.config import HubSpotSinkConfig
from leads.fields import LEAD_FIELD_KINDS, Kind
from leads.sink_config import OUR_PREFIX

OBJECT = "contacts"


def _definition(name: str, field: str | None, group: str) -> dict[str, Any]:
    """A property of ours, typed after the lead field it holds."""
    kind = LEAD_FIELD_KINDS.get(field or "", Kind.TEXT)
    base = {"name": name, "label": name.removeprefix(OUR_PREFIX).replace("_", " ").capitalize(), "groupName": group}
    if kind is Kind.BOOL:
        options = [{"label": "Yes", "value": "true"}, {"label": "No", "value": "false"}]
        return base | {"type": "bool", "fieldType": "booleancheckbox", "options": options}
    if kind is Kind.INT:
        return base | {"type": "number", "fieldType": "number"}
    if kind is Kind.DATETIME:
        return base | {"type": "datetime", "fieldType": "date"}
    return base | {"type": "string", "fieldType": "text"}


class HubSpotSink:
    def __init__(self, name: str, settings: HubSpotSinkConfig, api: HubSpotApi) -> None:
        self.name = name
        self.settings = settings
        self.api = api

    @property
    def properties(self) -> list[str]:
        return list(self.settings.fields)

    def preflight(self, create: bool = True) -> list[str]:
        """Create what we own (unless `create` is off: a dry run); name what is missing and not ours.

        Nothing is written when this names anything.
        """
        s = self.settings
        known = {p["name"]: p for p in self.api.properties(OBJECT)}
        ours = {p: r.field for p, r in s.fields.items() if p.startswith(OUR_PREFIX)} | {s.stamp_property: None}
        if s.id_property.startswith(OUR_PREFIX):  # our own key (the lead id): a unique property of ours
            ours[s.id_property] = None
        absent_ours = [p for p in ours if p not in known]
        problems = [
            f"sinks.{self.name}.fields.{p}: HubSpot has no contact property {p!r}; create it, or map another "
            f"(properties named {OUR_PREFIX}* are created by the sink)"
            for p in s.fields
            if p not in known and p not in ours
        ]
        unique = known.get(s.id_property)
        if s.id_property in ours:
            pass  # created below, with unique values
        elif unique is None or not (unique.get("hasUniqueValue") or s.id_property in ("email", "hs_object_id")):
            problems.append(
                f"sinks.{self.name}.id_property: {s.id_property!r} is not a unique contact property; "
                "expected email or a property with unique values"
            )
        if problems or not create:
            return problems
        if absent_ours:
            if s.property_group not in {g["name"] for g in self.api.groups(OBJECT)}:
                self.api.create_group(OBJECT, s.property_group, "Lead pipeline (leads-etl)")
            for prop in absent_ours:
                definition = _definition(prop, ours[prop], s.property_group)
                if prop == s.id_property:
                    definition["hasUniqueValue"] = True
                self.api.create_property(OBJECT, definition)
        return []

    def read(self, remote_ids: Sequence[str], properties: Sequence[str]) -> dict[str, dict[str, Any]]:
        """Contacts by id, 100 per call. A merged-away id answers with its survivor, found under both ids."""
        found: dict[str, dict[str, Any]] = {}
        wanted = [*properties, "hs_merged_object_ids"]
        for start in range(0, len(remote_ids), 100):
            asked = set(remote_ids[start : start + 100])
            for obj in self.api.batch_read(OBJECT, remote_ids[start : start + 100], wanted):
                found[str(obj["id"])] = obj
                merged = str((obj.get("properties") or {}).get("hs_merged_object_ids") or "").split(";")
                found |= dict.fromkeys((m for m in merged if m in asked), obj)
        return found

    def find(self, keys: Sequence[str], properties: Sequence[str]) -> dict[str, dict[str, Any]]:
        """Contacts by `id_property` (lower-cased key → contact), for leads we know no contact of."""
        found: dict[str, dict[str, Any]] = {}
        prop = self.settings.id_property
        for start in range(0, len(keys), 100):
            for obj in self.api.batch_read_by(OBJECT, prop, keys[start : start + 100], [*properties, prop]):
                key = (obj.get("properties") or {}).get(prop)
                if key:
                    found[str(key).lower()] = obj
        return found

    def update(self, inputs: Sequence[tuple[str, str, dict[str, str]]]) -> dict[str, Outcome]:
        """(trace, contact id, properties) → outcome by trace."""
        rows = [{"id": rid, "properties": props, "objectWriteTraceId": trace} for trace, rid, props in inputs]
        return self._write("update", rows)

    def create(self, inputs: Sequence[tuple[str, str, dict[str, str]]]) -> dict[str, Outcome]:
        """(trace, id_property value, properties) → outcome by trace; an existing contact is updated."""
        prop = self.settings.id_property
        rows = [
            {"idProperty": prop, "id": key, "properties": props, "objectWriteTraceId": trace}
            for trace, key, props in inputs
        ]
        return self._write("upsert", rows)

    def archive(self, remote_ids: Sequence[str]) -> None:
        for start in range(0, len(remote_ids), 100):
            self.api.archive_batch(OBJECT, remote_ids[start : start + 100])

    def merge(self, primary: str, loser: str) -> None:
        self.api.merge(OBJECT, primary, loser)

    def _write(self, action: str, rows: list[dict[str, Any]]) -> dict[str, Outcome]:
        outcomes: dict[str, Outcome] = {}
        for start in range(0, len(rows), self.settings.batch_size):
            outcomes |= self._send(action, rows[start : start + self.settings.batch_size])
        return outcomes

    def _send(self, action: str, rows: list[dict[str, Any]]) -> dict[str, Outcome]:
        try:
            answer = self.api.batch_write(OBJECT, action, rows)
        except ApiError as exc:
            if exc.status == 400 and len(rows) > 1:  # one bad input refuses them all: find it
                half = len(rows) // 2
                return self._send(action, rows[:half]) | self._send(action, rows[half:])
            return {r["objectWriteTraceId"]: Refused(exc.detail, exc.kind.value == "retriable") for r in rows}
        outcomes: dict[str, Outcome] = {}
        for result in answer.get("results") or []:
            trace = result.get("objectWriteTraceId")
            if trace is not None:
                outcomes[trace] = Written(str(result["id"]), hs_time(result.get("updatedAt")), bool(result.get("new")))
        for error in answer.get("errors") or []:
            message = f"{error.get('category') or 'ERROR'}: {error.get('message') or 'refused'}"
            for trace in (error.get("context") or {}).get("objectWriteTraceId") or []:
                outcomes[trace] = Refused(message[:500], False)
        for row in rows:  # an input with neither a result nor an error: HubSpot did nothing with it
            outcomes.setdefault(row["objectWriteTraceId"], Refused("HubSpot answered nothing for this input", True))
        return outcomes
