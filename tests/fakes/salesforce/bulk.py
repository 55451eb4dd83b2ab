"""Bulk API 2.0 query jobs.

Documented behaviour reproduced (Bulk API 2.0 Developer Guide, "Query Jobs"):
- `POST /jobs/query {"operation": "query"|"queryAll", "query"}` → job info with state
  UploadComplete; `GET /jobs/query/{id}` moves it to InProgress then JobComplete (or Failed with
  `errorMessage`); `PATCH {"state": "Aborted"}` aborts, `DELETE` deletes. Available from v47.0.
- `GET /jobs/query/{id}/results?locator=&maxRecords=` → CSV, header row in SELECT order (v50+),
  every value quoted, datetimes `2026-05-03T16:50:06.000Z`, booleans `true`/`false`; headers
  `Sforce-NumberOfRecords` and `Sforce-Locator` (a base-64 string like `MTAwMDA`, the literal
  string `null` on the last set). A locator can be fetched again while the job exists.
- Results fetched with another API version than the job's → 409. Results before JobComplete →
  412 JOB_NOT_COMPLETE "can only download query results of successfully completed bulk job..."
  (the documented older shape; we keep it).
- Aggregate queries (COUNT()) are not supported by Bulk 2.0: the job fails.
- `columnDelimiter` (COMMA, TAB, PIPE, SEMICOLON, CARET, BACKQUOTE) and `lineEnding` (LF, CRLF).

Choices where the docs are silent: the query runs (is snapshotted) when the job is created, and an
invalid query is accepted and ends Failed with the SOQL error as `errorMessage` (our contract).
Bulk 2.0 does not guarantee order, so ORDER BY is ignored: rows come in Id order (LIMIT keeps the
first n in that order). A null is an empty unquoted field. Without maxRecords a set holds
`bulk_page_size` rows. Request errors (bad body, maxRecords, locator) are 400 INVALIDJOB, and the
version mismatch is 409 INVALIDJOB.
"""

from __future__ import annotations

import base64
import json
import re
from dataclasses import dataclass, field
from typing import Any

import httpx

from tests.fakes.salesforce.errors import SalesforceError
from tests.fakes.salesforce.plan import Catalog, Plan, Row, Tables, bind
from tests.fakes.salesforce.soql import parse
from tests.fakes.salesforce.state import Clock, Store
from tests.fakes.salesforce.values import format_bulk, format_rest, make_id

DELIMITERS = {"COMMA": ",", "TAB": "\t", "PIPE": "|", "SEMICOLON": ";", "CARET": "^", "BACKQUOTE": "`"}
LINE_ENDINGS = {"LF": "\n", "CRLF": "\r\n"}
STATUS_NAMES = {"UploadComplete": "UPLOAD_COMPLETE", "InProgress": "IN_PROGRESS", "JobComplete": "JOB_COMPLETE",
                "Failed": "FAILED", "Aborted": "ABORTED"}
CREATE_KEYS = {"operation", "query", "contentType", "columnDelimiter", "lineEnding"}


@dataclass
class BulkJob:
    id: str
    operation: str
    object: str
    version: str
    created: int
    delimiter: str
    line_ending: str
    plan: Plan | None = None
    error: str | None = None
    rows: list[Row] = field(default_factory=list)
    tables: Tables = field(default_factory=dict)
    state: str = "UploadComplete"
    polls: int = 0
    locators: set[str] = field(default_factory=set)


def bulk_error(message: str, status: int = 400, code: str = "INVALIDJOB") -> SalesforceError:
    return SalesforceError(status, code, message)


def encode_locator(offset: int) -> str:
    return base64.b64encode(str(offset).encode()).decode().rstrip("=")


def decode_locator(locator: str) -> int:
    padded = locator + "=" * (-len(locator) % 4)
    return int(base64.b64decode(padded, validate=True).decode())


def csv_value(kind: str, value: Any) -> str:
    if value is None:
        return ""
    if kind == "datetime":
        text = format_bulk(value)
    elif kind == "boolean":
        text = "true" if value else "false"
    else:
        text = str(value)
    return '"' + text.replace('"', '""') + '"'


class BulkQueries:
    def __init__(self, catalog: Catalog, store: Store, clock: Clock, settings: Any) -> None:
        self.catalog, self.store, self.clock, self.settings = catalog, store, clock, settings
        self.jobs: dict[str, BulkJob] = {}

    def create(self, request: httpx.Request, version: str) -> httpx.Response:
        try:
            body = json.loads(request.content or b"null")
        except ValueError as exc:
            raise SalesforceError(400, "JSON_PARSER_ERROR", f"Unexpected character: {exc}") from exc
        if not isinstance(body, dict):
            raise SalesforceError(400, "JSON_PARSER_ERROR", "The request body must be a JSON object")
        unknown = set(body) - CREATE_KEYS
        if unknown:
            raise bulk_error(f"Unrecognized field(s): {sorted(unknown)}")
        operation = body.get("operation")
        if operation not in ("query", "queryAll"):
            raise bulk_error(f"Invalid operation: {operation}. Valid values are query and queryAll")
        soql = body.get("query")
        if not isinstance(soql, str) or not soql.strip():
            raise bulk_error("A query is required")
        if body.get("contentType", "CSV") != "CSV":
            raise bulk_error(f"Invalid contentType: {body['contentType']}. Query jobs answer CSV")
        delimiter = body.get("columnDelimiter", "COMMA")
        line_ending = body.get("lineEnding", "LF")
        if delimiter not in DELIMITERS or line_ending not in LINE_ENDINGS:
            raise bulk_error(f"Invalid columnDelimiter or lineEnding: {delimiter}, {line_ending}")
        job = BulkJob(make_id("750", len(self.jobs) + 1), operation, "", version, self.clock.now_ms(),
                      DELIMITERS[delimiter], LINE_ENDINGS[line_ending])
        self._prepare(job, soql)
        self.jobs[job.id] = job
        return httpx.Response(200, json=self._info(job, full=False))

    def _prepare(self, job: BulkJob, soql: str) -> None:
        try:
            plan = bind(parse(soql), self.catalog)
        except SalesforceError as exc:
            found = re.search(r"\bFROM\s+(\w+)", soql, re.IGNORECASE)
            job.object = found.group(1) if found else ""
            job.error = f"{exc.code}: {exc.message}"
            return
        job.object = plan.obj.name
        if plan.count:
            job.error = "FeatureNotEnabled : Aggregate queries are not supported by Bulk API 2.0"
            return
        rows = plan.run(self.catalog, self.store.tables, job.operation == "queryAll", ordered=False)
        job.plan = plan
        job.rows = rows if plan.query.limit is None else rows[: plan.query.limit]
        job.tables = {name: dict(self.store.tables[name]) for name in plan.parents}

    def job(self, job_id: str) -> BulkJob:
        job = self.jobs.get(job_id)
        if job is None:
            raise SalesforceError(404, "NOT_FOUND", "The requested resource does not exist")
        return job

    def info(self, request: httpx.Request, version: str, job_id: str) -> httpx.Response:
        job = self.job(job_id)
        if job.state in ("UploadComplete", "InProgress"):
            job.polls += 1
            if job.polls >= int(self.settings.bulk_polls_until_complete):
                job.state = "Failed" if job.error else "JobComplete"
            else:
                job.state = "InProgress"
        return httpx.Response(200, json=self._info(job, full=True))

    def abort(self, request: httpx.Request, version: str, job_id: str) -> httpx.Response:
        job = self.job(job_id)
        body = json.loads(request.content or b"{}")
        if body != {"state": "Aborted"}:
            raise bulk_error("Only {\"state\": \"Aborted\"} can be set on a query job")
        if job.state in ("JobComplete", "Failed", "Aborted"):
            raise bulk_error(f"Job {job.id} is already {job.state}", code="INVALIDJOB")
        job.state = "Aborted"
        return httpx.Response(200, json=self._info(job, full=False))

    def delete(self, request: httpx.Request, version: str, job_id: str) -> httpx.Response:
        job = self.job(job_id)
        if job.state in ("UploadComplete", "InProgress"):
            raise bulk_error(f"Job {job.id} must be complete, failed or aborted to be deleted")
        del self.jobs[job_id]
        return httpx.Response(204)

    def results(self, request: httpx.Request, version: str, job_id: str) -> httpx.Response:
        job = self.job(job_id)
        params = request.url.params
        extra = set(params.keys()) - {"locator", "maxRecords"}
        if extra:
            raise AssertionError(f"request outside the contract: results parameters {sorted(extra)}")
        if version != job.version:
            raise bulk_error(f"Use API version {job.version[1:]} (the one that created job {job.id}) to get its "
                             "results", status=409)
        if job.state != "JobComplete":
            raise SalesforceError(412, "JOB_NOT_COMPLETE", "can only download query results of successfully "
                                  f"completed bulk job with status: JOB_COMPLETE. Current status: "
                                  f"{STATUS_NAMES[job.state]}")
        size = int(self.settings.bulk_page_size)
        if "maxRecords" in params:
            text = params["maxRecords"]
            if not text.isdigit() or int(text) < 1:
                raise bulk_error(f"Invalid maxRecords: {text}. It must be a positive integer")
            size = int(text)
        offset = 0
        if "locator" in params:
            if params["locator"] not in job.locators:
                raise bulk_error(f"Invalid locator: {params['locator']}")
            offset = decode_locator(params["locator"])
        chunk = job.rows[offset : offset + size]
        following = offset + size
        locator = "null"
        if following < len(job.rows):
            locator = encode_locator(following)
            job.locators.add(locator)
        return httpx.Response(200, content=self._csv(job, chunk).encode("utf-8"), headers={
            "Content-Type": "text/csv", "Sforce-NumberOfRecords": str(len(chunk)), "Sforce-Locator": locator,
        })

    def _csv(self, job: BulkJob, rows: list[Row]) -> str:
        assert job.plan is not None
        columns = job.plan.columns
        getters = [(c.leaf.type, c.getter(self.catalog, job.tables)) for c in columns]
        sep, end = job.delimiter, job.line_ending
        lines = [sep.join(csv_value("string", c.header) for c in columns)]
        for row in rows:
            lines.append(sep.join(csv_value(kind, get(row)) for kind, get in getters))
        return end.join(lines) + end

    def _info(self, job: BulkJob, full: bool) -> dict[str, Any]:
        stamp = format_rest(job.created)
        out: dict[str, Any] = {
            "id": job.id, "operation": job.operation, "object": job.object, "createdById": self.store.user_id,
            "createdDate": stamp, "systemModstamp": stamp, "state": job.state, "concurrencyMode": "Parallel",
            "contentType": "CSV", "apiVersion": float(job.version[1:]),
            "lineEnding": "CRLF" if job.line_ending == "\r\n" else "LF",
            "columnDelimiter": next(k for k, v in DELIMITERS.items() if v == job.delimiter),
        }
        if full:
            out.update({
                "jobType": "V2Query", "numberRecordsProcessed": len(job.rows) if job.state == "JobComplete" else 0,
                "retries": 0, "totalProcessingTime": 0, "isPkChunkingSupported": True,
            })
            if job.state == "Failed":
                out["errorMessage"] = job.error
        return out
