"""Salesforce's REST and Bulk API 2.0 endpoints as methods, over an `ApiCaller`."""

from __future__ import annotations

import csv
import io
import time
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any

from connectors.http.caller import ApiCaller
from connectors.http.errors import FatalError
from connectors.http.paging import NextUrl
from connectors.salesforce import settings as sf


class BulkJobFailed(FatalError):
    """A Bulk API 2.0 query job ended Failed or Aborted."""


class SalesforceApi:
    def __init__(
        self,
        caller: ApiCaller,
        version: str,
        *,
        sleep: Callable[[float], None] = time.sleep,
        page_size: int = 2000,
    ) -> None:
        self.caller = caller
        self.version = version
        self.sleep = sleep
        self.page_size = page_size

    def query(self, soql: str, *, include_deleted: bool = True) -> Iterator[dict[str, Any]]:
        """Every page of a SOQL query (queryAll when deleted rows are wanted), following nextRecordsUrl."""
        path = (sf.QUERY_ALL_PATH if include_deleted else sf.QUERY_PATH).format(version=self.version)
        headers = {"Sforce-Query-Options": f"batchSize={self.page_size}"}
        request = self.caller.client.build_request("GET", path, params={"q": soql}, headers=headers)
        paginator = NextUrl()
        while True:
            page = self.caller.send(request)
            yield page
            following = paginator.next_token(page)
            if following is None:
                return
            # nextRecordsUrl is fetched as given, with no parameters of its own.
            request = self.caller.client.build_request("GET", following, headers=headers)

    def count(self, soql: str) -> int:
        """totalSize of a `SELECT COUNT() ...` query."""
        page = next(self.query(soql))
        return int(page.get("totalSize") or 0)

    def describe(self, sobject: str) -> dict[str, Any]:
        return self.caller.get(sf.DESCRIBE_PATH.format(version=self.version, object=sobject))

    def deleted(self, sobject: str, start: datetime, end: datetime) -> list[str]:
        """Ids deleted between start and end (at most 15 days back, hard deletes included)."""
        path = sf.DELETED_PATH.format(version=self.version, object=sobject)
        answer = self.caller.get(path, {"start": _iso(start), "end": _iso(end)})
        return [str(r["id"]) for r in answer.get("deletedRecords") or []]

    def bulk_query(self, soql: str, *, include_deleted: bool = True, poll: float = 2.0) -> str:
        """Start a Bulk API 2.0 query job and wait for it; returns the job id."""
        path = sf.BULK_JOBS_PATH.format(version=self.version)
        job = self.caller.post(path, {"operation": "queryAll" if include_deleted else "query", "query": soql})
        job_id = str(job["id"])
        wait = poll
        while True:
            state = self.caller.get(f"{path}/{job_id}")
            if state.get("state") == "JobComplete":
                return job_id
            if state.get("state") in ("Failed", "Aborted"):
                message = f"Salesforce bulk query job {job_id} ended {state.get('state')}: {state.get('errorMessage')}"
                raise BulkJobFailed(message, detail=message)
            self.sleep(wait)
            wait = min(wait * 1.5, 30.0)

    def bulk_results(self, job_id: str, locator: str | None) -> tuple[list[dict[str, str]], str | None]:
        """One page of a finished job's CSV rows, and the locator of the next (None after the last)."""
        path = f"{sf.BULK_JOBS_PATH.format(version=self.version)}/{job_id}/results"
        params = {"maxRecords": sf.BULK_PAGE} | ({"locator": locator} if locator else {})
        response = self.caller.respond(self.caller.client.build_request("GET", path, params=params))
        rows = list(csv.DictReader(io.StringIO(response.text)))
        following = response.headers.get("Sforce-Locator")
        return rows, (None if following in (None, "", "null") else following)

    @property
    def requests(self) -> int:
        return self.caller.requests


def _iso(when: datetime) -> str:
    return when.strftime("%Y-%m-%dT%H:%M:%S+00:00")
