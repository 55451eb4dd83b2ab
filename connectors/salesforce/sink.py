"""Salesforce as a sink: leads updated by Id or upserted by our external id, 200 per call.

- Pre-flight: `describe` names a missing or non-external-id `external_id` field and every mapped
  field that does not exist or cannot be written, before anything is written.
- Reads before writes: a SOQL query for the leads about to be written (by Id, or by our external
  id for leads new to us), so sales' edits and converted leads are seen.
- Writes: sObject Collections, `allOrNone=false`: `PATCH /composite/sobjects` (update by Id) for
  leads we know, `PATCH /composite/sobjects/Lead/<external id>` (upsert) for new ones. Salesforce
  answers 200 with a result per record in input order, failures inside. A converted lead, a
  duplicate rule or a validation rule is a permanent refusal; a locked row a retriable one.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from connectors.http.errors import ApiError
from connectors.salesforce.client import SalesforceApi
from connectors.salesforce.mapping import flat_record
from connectors.sink import Outcome, Refused, Written
from leads.config import SalesforceSinkConfig

RETRIABLE_CODES = frozenset({"UNABLE_TO_LOCK_ROW", "SERVER_UNAVAILABLE", "REQUEST_RUNNING_TOO_LONG"})
IDS_PER_QUERY = 200  # 18-character ids quoted and comma-joined stay far inside the URI limit


def _quoted(values: Sequence[str]) -> str:
    return ", ".join("'" + v.replace("\\", "\\\\").replace("'", "\\'") + "'" for v in values)


class SalesforceSink:
    def __init__(self, name: str, settings: SalesforceSinkConfig, api: SalesforceApi) -> None:
        self.name = name
        self.settings = settings
        self.api = api
        self.types: dict[str, str] = {}

    @property
    def properties(self) -> list[str]:
        return list(self.settings.fields)

    def preflight(self, create: bool = True) -> list[str]:
        """Name the external-id field and every mapped field the object lacks (Salesforce fields are made by admins)."""
        s = self.settings
        fields = {f["name"]: f for f in self.api.describe(s.object).get("fields") or []}
        self.types = {n: f.get("type") or "string" for n, f in fields.items()}
        problems = []
        ext = fields.get(s.external_id)
        if ext is None or not ext.get("externalId"):
            problems.append(
                f"sinks.{self.name}.external_id: {s.object} has no External ID field {s.external_id!r}; "
                "create it (Text, External ID, Unique) so leads can be upserted by our id"
            )
        for name in s.fields:
            f = fields.get(name)
            if f is None:
                problems.append(f"sinks.{self.name}.fields.{name}: {s.object} has no field {name!r} (describe)")
            elif not (f.get("updateable") and f.get("createable")):
                problems.append(f"sinks.{self.name}.fields.{name}: {s.object}.{name} cannot be written")
        return problems

    def read(self, remote_ids: Sequence[str], properties: Sequence[str]) -> dict[str, dict[str, Any]]:
        return self._select("Id", remote_ids, properties, key=lambda r: str(r["Id"]))

    def find(self, keys: Sequence[str], properties: Sequence[str]) -> dict[str, dict[str, Any]]:
        ext = self.settings.external_id
        return self._select(ext, keys, properties, key=lambda r: str(r.get(ext) or "").lower())

    def _select(self, column: str, values: Sequence[str], properties: Sequence[str], key: Any) -> dict[str, Any]:
        s = self.settings
        wanted = ", ".join(dict.fromkeys(["Id", s.external_id, "IsConverted", *properties]))
        found: dict[str, dict[str, Any]] = {}
        for start in range(0, len(values), IDS_PER_QUERY):
            chunk = values[start : start + IDS_PER_QUERY]
            soql = f"SELECT {wanted} FROM {s.object} WHERE {column} IN ({_quoted(chunk)})"
            for page in self.api.query(soql, include_deleted=False):
                for record in page.get("records") or []:
                    flat = flat_record(record, self.types)
                    found[key(flat)] = {"id": flat["Id"], "properties": flat}
        return found

    def update(self, inputs: Sequence[tuple[str, str, dict[str, Any]]]) -> dict[str, Outcome]:
        records = [(trace, {"Id": rid, **fields}) for trace, rid, fields in inputs]
        path = f"/services/data/{self.api.version}/composite/sobjects"
        return self._write(path, records)

    def create(self, inputs: Sequence[tuple[str, str, dict[str, Any]]]) -> dict[str, Outcome]:
        ext = self.settings.external_id
        records = [(trace, {ext: key, **fields}) for trace, key, fields in inputs]
        path = f"/services/data/{self.api.version}/composite/sobjects/{self.settings.object}/{ext}"
        return self._write(path, records)

    def archive(self, remote_ids: Sequence[str]) -> None:
        raise ValueError("Salesforce sinks do not archive; use deletions: clear or leave")

    def merge(self, primary: str, loser: str) -> None:
        raise ValueError("Salesforce sinks do not merge records")

    def _write(self, path: str, records: list[tuple[str, dict[str, Any]]]) -> dict[str, Outcome]:
        outcomes: dict[str, Outcome] = {}
        for start in range(0, len(records), self.settings.batch_size):
            chunk = records[start : start + self.settings.batch_size]
            body = {
                "allOrNone": False,
                "records": [{"attributes": {"type": self.settings.object}, **fields} for _, fields in chunk],
            }
            request = self.api.caller.client.build_request("PATCH", path, json=body)
            try:
                results = self.api.caller.send(request)
            except ApiError as exc:
                outcomes |= {trace: Refused(exc.detail, exc.kind.value == "retriable") for trace, _ in chunk}
                continue
            for (trace, _), result in zip(chunk, results, strict=False):
                outcomes[trace] = _outcome(result)
        return outcomes


def _outcome(result: dict[str, Any]) -> Outcome:
    if result.get("success"):
        return Written(str(result["id"]), None, bool(result.get("created", False)))
    errors = result.get("errors") or [{}]
    first = errors[0]
    code = first.get("statusCode") or "ERROR"
    return Refused(f"{code}: {first.get('message') or 'refused'}"[:500], code in RETRIABLE_CODES)
