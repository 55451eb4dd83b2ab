"""Salesforce's endpoints, limits, error reading and the fields we ask for.

Facts relied on (Salesforce REST API and Bulk API 2.0 developer guides; see README "Salesforce"):
- SOQL over REST returns up to 2,000 rows per batch with `done`, `totalSize` and
  `nextRecordsUrl` (GET it with no parameters); `/queryAll` includes deleted rows (IsDeleted);
  datetime literals are unquoted; the URI and headers together may not exceed 16,384 bytes;
- `SystemModstamp` moves on every system or user change and is not unique (bulk updates share
  one), so the cursor is (SystemModstamp, Id); long windows fail with QUERY_TIMEOUT;
- `/sobjects/X/deleted/?start&end` lists records deleted in the last 15 days (hard-deleted ones
  included, once the recycle bin is emptied);
- Bulk API 2.0 query jobs (`/jobs/query`) run UploadComplete → InProgress → JobComplete and serve
  CSV pages with `Sforce-Locator` (the string "null" on the last); results must be fetched with the
  API version that created the job; order is not guaranteed;
- every response carries `Sforce-Limit-Info: api-usage=used/limit` (the org's daily quota); an
  exhausted quota answers 403 REQUEST_LIMIT_EXCEEDED without Retry-After; an ended session 401
  INVALID_SESSION_ID (sessions have no expires_in: they last the org's session timeout);
- errors are a JSON list of {errorCode, message}; UNABLE_TO_LOCK_ROW is contention worth retrying.
"""

from __future__ import annotations

from typing import Any

from connectors.http.errors import ErrorPolicy

TOKEN_PATH = "/services/oauth2/token"
QUERY_PATH = "/services/data/{version}/query"
QUERY_ALL_PATH = "/services/data/{version}/queryAll"
DESCRIBE_PATH = "/services/data/{version}/sobjects/{object}/describe"
DELETED_PATH = "/services/data/{version}/sobjects/{object}/deleted/"
BULK_JOBS_PATH = "/services/data/{version}/jobs/query"

URI_BUDGET = 14_000  # of the 16,384 bytes of URI and headers, what the SOQL query string may use
DELETED_WINDOW_DAYS = 15
MAX_HALVINGS = 12  # QUERY_TIMEOUT: halve the window this many times before giving up
BULK_PAGE = 10_000  # rows per results page: one page is one landed batch, so memory stays flat

# Stamps that move on every change (or on every view: LastViewedDate): never content.
VOLATILE = frozenset(
    {"SystemModstamp", "LastModifiedDate", "LastModifiedById", "LastViewedDate", "LastReferencedDate", "attributes"}
)

ALWAYS: dict[str, tuple[str, ...]] = {
    "Lead": (
        "Id",
        "SystemModstamp",
        "IsDeleted",
        "CreatedDate",
        "IsConverted",
        "ConvertedDate",
        "ConvertedContactId",
        "ConvertedOpportunityId",
        "ConvertedAccountId",
    ),
    "Contact": ("Id", "SystemModstamp", "IsDeleted", "CreatedDate"),
}

TASK_FIELDS = (
    "Id",
    "WhoId",
    "TaskSubtype",
    "Type",
    "Status",
    "ActivityDate",
    "CallDurationInSeconds",
    "CallDisposition",
    "OwnerId",
    "CreatedDate",
    "SystemModstamp",
    "IsDeleted",
)
EVENT_FIELDS = ("Id", "WhoId", "StartDateTime", "DurationInMinutes", "OwnerId", "SystemModstamp", "IsDeleted")
HISTORY_FIELDS = ("Id", "LeadId", "Field", "DataType", "OldValue", "NewValue", "CreatedDate", "CreatedById")
HISTORY_TRACKED = {"Status": "lead_status", "Owner": "owner"}
USER_FIELDS = ("Id", "Name", "Email", "IsActive", "UserRole.Name", "SystemModstamp")
OPPORTUNITY_FIELDS = (
    "Id",
    "StageName",
    "IsClosed",
    "IsWon",
    "Amount",
    "CloseDate",
    "ContactId",
    "CreatedDate",
    "SystemModstamp",
    "IsDeleted",
)


def _code(body: Any) -> str | None:
    if isinstance(body, list) and body and isinstance(body[0], dict):
        return body[0].get("errorCode")
    return None


ERRORS = ErrorPolicy(
    run_fatal=frozenset({401, 403}),
    code_of=_code,
    retriable_codes=frozenset({"UNABLE_TO_LOCK_ROW", "SERVER_UNAVAILABLE"}),
    run_fatal_codes=frozenset({"REQUEST_LIMIT_EXCEEDED", "INVALID_SESSION_ID", "INSUFFICIENT_ACCESS"}),
)
