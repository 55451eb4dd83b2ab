"""Synthetic ad-platform data for the loopback fakes: lead form submissions and daily spend.

Deterministic for a seed. Each platform gets a third of the leads, spread over the last 50 days
(inside Google's 60-day window), across several forms or accounts, a quarter of Meta's organic;
spend for every ad and day of the last 30 days. Seeding goes through the fakes' control endpoint
in chunks, so the benchmark process never holds the platforms' data.
"""

from __future__ import annotations

import random
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate import make_companies, make_person  # noqa: E402

CHUNK = 5_000
SPAN = 50 * 86400  # leads over the last 50 days
SPEND_DAYS = 30
META_PAGES, META_FORMS_PER_PAGE, META_ADS = ["101010101", "101010102"], 5, 40
GOOGLE_CUSTOMERS, GOOGLE_MANAGER, GOOGLE_ADS = ["1234567890", "1234567891"], "9876543210", 20
LINKEDIN_ACCOUNTS, LINKEDIN_CREATIVES = ["522529623", "522529624"], 20
META_ACCOUNT = "202020202"


def _people(n: int, seed: str, now: float) -> list[tuple[dict[str, str], float]]:
    rng = random.Random(seed)
    companies = make_companies(rng, max(50, n // 25))
    out = []
    for i in range(n):
        first, last, email, company, _ = make_person(rng, i, companies)
        title = rng.choice(["VP Marketing", "Head of Sales", "CTO", "Data Engineer", "Founder"])
        out.append(
            (
                {"first": first, "last": last, "email": email, "company": company, "title": title},
                now - SPAN + SPAN * i / max(1, n),
            )
        )
    return out


def _days(now: float) -> list[str]:
    today = datetime.fromtimestamp(now, UTC).date()
    return [(today - timedelta(days=d)).isoformat() for d in range(SPEND_DAYS)]


def seed_meta(server: Any, n: int, seed: int) -> int:
    """n leads on 10 forms of two Pages; spend for 40 ads; returns the spend rows seeded."""
    rng, now = random.Random(f"meta-{seed}"), time.time()
    forms = [server.call("add_form", page, f"Form {k}") for page in META_PAGES for k in range(META_FORMS_PER_PAGE)]
    ads = [
        {
            "ad_id": str(23850000 + k),
            "ad_name": f"Ad {k}",
            "adset_id": str(23840000 + k // 4),
            "adset_name": f"Set {k // 4}",
            "campaign_id": str(23830000 + k // 10),
            "campaign_name": f"Campaign {k // 10}",
        }
        for k in range(META_ADS)
    ]
    per_form: dict[str, list[dict[str, Any]]] = {f: [] for f in forms}
    for person, at in _people(n, f"meta-people-{seed}", now):
        lead = {
            "answers": {
                "email": person["email"],
                "full_name": f"{person['first']} {person['last']}",
                "company_name": person["company"],
                "job_title": person["title"],
            },
            "created_time": at,
            "ad": rng.choice(ads) if rng.random() < 0.75 else None,
            "platform": rng.choice(["fb", "ig"]),
        }
        per_form[rng.choice(forms)].append(lead)
    for form, leads in per_form.items():
        for start in range(0, len(leads), CHUNK):
            server.call("add_leads", form, leads[start : start + CHUNK])
    server.call("add_ad_account", META_ACCOUNT, "EUR")
    for day in _days(now):
        for ad in ads:
            server.call(
                "set_spend",
                META_ACCOUNT,
                day,
                ad,
                round(rng.uniform(5, 80), 2),
                rng.randint(100, 5000),
                rng.randint(1, 90),
            )
    return len(ads) * SPEND_DAYS


def seed_google(server: Any, n: int, seed: int) -> int:
    rng, now = random.Random(f"google-{seed}"), time.time()
    server.call("add_customer", GOOGLE_MANAGER, "America/New_York")
    ads: dict[str, list[str]] = {}
    forms: dict[str, str] = {}
    for customer in GOOGLE_CUSTOMERS:
        server.call("add_customer", customer, "America/Los_Angeles", "USD", f"Account {customer}", GOOGLE_MANAGER)
        campaigns = [server.call("add_campaign", customer, f"Campaign {k}") for k in range(4)]
        groups = [server.call("add_ad_group", customer, campaigns[k % 4], f"Group {k}") for k in range(8)]
        ads[customer] = [server.call("add_ad", customer, groups[k % 8]) for k in range(GOOGLE_ADS // 2)]
        forms[customer] = server.call("add_lead_form", customer, "Demo request")
    chunks: dict[str, list[dict[str, Any]]] = {c: [] for c in GOOGLE_CUSTOMERS}
    for i, (person, at) in enumerate(_people(n, f"google-people-{seed}", now)):
        customer = GOOGLE_CUSTOMERS[i % 2]
        chunks[customer].append(
            {
                "fields": {
                    "FULL_NAME": f"{person['first']} {person['last']}",
                    "EMAIL": person["email"],
                    "COMPANY_NAME": person["company"],
                    "JOB_TITLE": person["title"],
                },
                "submitted_at": at,
                "custom": {"Team size?": rng.choice(["1-10", "11-50", "51-200", "201+"])},
                "ad_id": rng.choice(ads[customer]),
                "asset_id": forms[customer],
                "gclid": f"Cj0KCQ{seed}x{i}",
            }
        )
    for customer, leads in chunks.items():
        for start in range(0, len(leads), CHUNK):
            server.call("add_leads", customer, leads[start : start + CHUNK])
    rows = 0
    for customer in GOOGLE_CUSTOMERS:
        for day in _days(now):
            for ad in ads[customer]:
                server.call(
                    "set_spend",
                    customer,
                    day,
                    ad,
                    rng.randint(1, 90) * 1_000_000,
                    rng.randint(100, 5000),
                    rng.randint(1, 90),
                )
                rows += 1
    return rows


def seed_linkedin(server: Any, n: int, seed: int) -> int:
    rng, now = random.Random(f"linkedin-{seed}"), time.time()
    forms: dict[str, int] = {}
    for account in LINKEDIN_ACCOUNTS:
        server.call("add_account", account, "USD")
        forms[account] = server.call(
            "add_form", account, "Whitepaper", ["FIRST_NAME", "LAST_NAME", "EMAIL", "COMPANY_NAME", "JOB_TITLE"]
        )
    chunks: dict[str, list[dict[str, Any]]] = {a: [] for a in LINKEDIN_ACCOUNTS}
    for i, (person, at) in enumerate(_people(n, f"linkedin-people-{seed}", now)):
        account = LINKEDIN_ACCOUNTS[i % 2]
        chunks[account].append(
            {
                "answers": {
                    "FIRST_NAME": person["first"],
                    "LAST_NAME": person["last"],
                    "EMAIL": person["email"],
                    "COMPANY_NAME": person["company"],
                    "JOB_TITLE": person["title"],
                },
                "submitted_at": at,
                "campaign_id": str(3673780 + rng.randint(0, 4)),
                "creative_id": str(9910 + rng.randint(0, LINKEDIN_CREATIVES // 2 - 1)),
                "test": rng.random() < 0.002,
            }
        )
    for account, leads in chunks.items():
        for start in range(0, len(leads), CHUNK):
            server.call("add_leads", account, forms[account], leads[start : start + CHUNK])
    rows = 0
    for account in LINKEDIN_ACCOUNTS:
        for day in _days(now):
            for creative in range(LINKEDIN_CREATIVES // 2):
                server.call(
                    "set_spend",
                    account,
                    day,
                    str(3673780 + creative % 5),
                    str(9910 + creative),
                    round(rng.uniform(5, 80), 2),
                    rng.randint(100, 5000),
                    rng.randint(1, 90),
                )
                rows += 1
    return rows


def new_leads(meta: Any, google: Any, linkedin: Any, n: int, seed: int) -> None:
    """n leads per platform submitted just now: what an hour brings."""
    now = time.time()
    people = _people(n, f"hourly-{seed}", now + SPAN)  # all within the last few minutes
    form = meta.call("add_form", META_PAGES[0], "This hour's form")
    meta.call("add_leads", form, [{"answers": {"email": p["email"]}, "created_time": now - 60} for p, _ in people])
    google.call(
        "add_leads",
        GOOGLE_CUSTOMERS[0],
        [{"fields": {"EMAIL": p["email"]}, "submitted_at": now - 60} for p, _ in people],
    )
    linkedin_form = linkedin.call("add_form", LINKEDIN_ACCOUNTS[0], "This hour's form", ["EMAIL"])
    linkedin.call(
        "add_leads",
        LINKEDIN_ACCOUNTS[0],
        linkedin_form,
        [{"answers": {"EMAIL": p["email"]}, "submitted_at": now - 60} for p, _ in people],
    )
