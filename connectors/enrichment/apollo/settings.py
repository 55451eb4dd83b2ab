"""Apollo.io API v1: endpoints, batch sizes, costs and default limits.

Sources: docs.apollo.io (organization enrichment, bulk organization enrichment, bulk people
enrichment, rate limits, API pricing), as summarised in research/enrich_score.md §1.2.
"""

from __future__ import annotations

from datetime import timedelta

from connectors.http.errors import ErrorPolicy
from leads.config import RateLimitConfig

BASE_URL = "https://api.apollo.io"
ORGANIZATION_ENRICH = "/api/v1/organizations/enrich"  # GET ?domain=
ORGANIZATION_BULK = "/api/v1/organizations/bulk_enrich"  # POST ?domains[]=...&domains[]=...
PEOPLE_BULK = "/api/v1/people/bulk_match"  # POST {"details": [...]}
API_KEY_HEADER = "x-api-key"

BULK_SIZE = 10  # both bulk endpoints take at most 10 domains / people

# One credit per organization or person found (demographics and email; no phone is asked for,
# which would add 8); nothing when nothing is found.
COST_PER_MATCH = 1.0

# Free plan: 50 requests/min (and 200/h, 600/day) on enrichment; paid plans 1,000/min. The bulk
# endpoints get half the single endpoint's per-minute limit, so one bulk call takes 2 tokens.
DEFAULT_RATE_LIMIT = RateLimitConfig(requests=50, per=timedelta(minutes=1))
BULK_TOKENS = 2

# 403 means the key or plan may not use the endpoint (API_INACCESSIBLE): no request will succeed.
# An unknown domain comes back as 200 without an organization; a 404 is read as the same "no match".
ERRORS = ErrorPolicy(overrides={404: None}, run_fatal=frozenset({401, 402, 403}))

# Apollo's seniority values → ours (PDL's job_title_levels).
SENIORITY = {
    "owner": "owner",
    "founder": "owner",
    "c_suite": "cxo",
    "partner": "partner",
    "vp": "vp",
    "head": "director",
    "director": "director",
    "manager": "manager",
    "senior": "senior",
    "entry": "entry",
    "intern": "training",
}

# Apollo's departments ("master_" stripped) whose names differ from PDL's job_title_role values.
DEPARTMENTS = {
    "engineering_technical": "engineering",
    "information_technology": "engineering",
    "product_management": "product",
    "medical_health": "health",
    "consulting": "professional_service",
    "design": "creative",
    "c_suite": None,  # a level, not a department
}
