"""People Data Labs API v5: endpoints, batch size, costs and default limits.

Sources: docs.peopledatalabs.com (person and company enrichment reference, bulk enrichment, errors,
usage limits), checked for research/enrich_score.md §1.2.
"""

from __future__ import annotations

from datetime import timedelta

from connectors.http.errors import ErrorKind, ErrorPolicy
from leads.config import RateLimitConfig

BASE_URL = "https://api.peopledatalabs.com"
COMPANY_ENRICH = "/v5/company/enrich"
PERSON_ENRICH = "/v5/person/enrich"
PERSON_BULK = "/v5/person/bulk"
API_KEY_HEADER = "X-Api-Key"

BULK_SIZE = 100  # "requests": 1-100 per bulk call

# One credit per match (HTTP 200, or a 200 inside a bulk answer); 404 "no match" is free.
COST_PER_MATCH = 1.0

# Limits are per key and per endpoint, fixed one-minute windows. Free plan: person enrich 100/min,
# company enrich 10/min; paid plans 1,000/min. One limiter serves both endpoints, so the default is
# the stricter free limit; configure rate_limit for a paid plan.
DEFAULT_RATE_LIMIT = RateLimitConfig(requests=10, per=timedelta(minutes=1))

# 404 is PDL's "no record matched": an answer, not an error. 402 means every credit is used up.
# x-ratelimit-reset is an ISO timestamp (UTC) of the window's end.
ERRORS = ErrorPolicy(
    overrides={404: None, 402: ErrorKind.FATAL},
    run_fatal=frozenset({401, 402, 403}),
    reset_headers=("x-ratelimit-reset",),
)
