"""Clearbit Company API v2: endpoint, costs, default limits and status codes.

Sources: Clearbit's API reference (companies/find: 200 found, 202 queued, 404 unknown) as its
client libraries implement it, help.clearbit.com on credits, and research/enrich_score.md §1.2.
Clearbit is now HubSpot's Breeze Intelligence; legacy keys still answer at this host.
"""

from __future__ import annotations

from datetime import timedelta

from connectors.http.errors import ErrorKind, ErrorPolicy
from leads.config import RateLimitConfig

BASE_URL = "https://company.clearbit.com"
COMPANY_FIND = "/v2/companies/find"  # GET ?domain=

# A credit is counted when Clearbit returns a record; a queued lookup or an unknown domain is free.
COST_PER_MATCH = 1.0

# Legacy plans: 600 requests per minute.
DEFAULT_RATE_LIMIT = RateLimitConfig(requests=600, per=timedelta(minutes=1))

# 202: "lookup queued, retry later" (Clearbit looks the company up in the background); asked again
# with backoff within the attempt budget, then answered QUEUED. 404: no such company. 402: the
# account is over its quota.
ERRORS = ErrorPolicy(
    overrides={202: ErrorKind.RETRIABLE, 404: None},
    run_fatal=frozenset({401, 402, 403}),
)
