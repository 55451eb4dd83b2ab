"""Hunter API v2: endpoints, costs, default limits and the meaning of its status codes.

Sources: hunter.io/api-documentation/v2 (status codes, email verifier, email finder) and
help.hunter.io "How do credits work in Hunter?" (2026), as summarised in research/enrich_score.md §1.2.
"""

from __future__ import annotations

from datetime import timedelta

from connectors.http.errors import ErrorKind, ErrorPolicy
from leads.config import RateLimitConfig

BASE_URL = "https://api.hunter.io"
EMAIL_VERIFIER = "/v2/email-verifier"  # GET ?email=
EMAIL_FINDER = "/v2/email-finder"  # GET ?domain=&first_name=&last_name=
API_KEY_PARAM = "api_key"

# Unified credits: a verification costs 0.5 and nothing when Hunter cannot verify (status
# "unknown"); a found email costs 1, none found costs nothing. (API-only "Data Platform" plans
# count verifications in their own credits, one each.) Repeats within a billing month are free,
# which we do not count on.
VERIFY_COST = 0.5
FIND_COST = 1.0

# Verifier: 10 requests/s and 300/min; finder: 15/s and 500/min. One limiter serves both.
DEFAULT_RATE_LIMIT = RateLimitConfig(requests=300, per=timedelta(minutes=1))

# Hunter's codes: 202 the verification is still running (asking again is free until it answers);
# 222 the remote mail server answered oddly, retry later; 403 is its rate limit; 429 means the
# plan's monthly quota is used up, so nothing more will succeed this run; 451 the person asked not
# to be processed.
ERRORS = ErrorPolicy(
    overrides={202: ErrorKind.RETRIABLE, 222: ErrorKind.RETRIABLE, 403: ErrorKind.RETRIABLE, 429: ErrorKind.FATAL},
    run_fatal=frozenset({401, 429}),
)
UNPROCESSABLE_PERSON = 451

EMAIL_STATUSES = frozenset({"valid", "invalid", "accept_all", "webmail", "disposable", "unknown"})
# The deprecated `result` field, for answers without `status`.
RESULT_STATUSES = {"deliverable": "valid", "undeliverable": "invalid", "risky": "unknown"}
