"""Synthetic CRM data for the loopback fakes: HubSpot contacts and Salesforce leads with their activity.

Deterministic for a seed. Seeding goes through the fakes' control endpoint in chunks, so a fake in
its own process holds 100k records without the benchmark process holding them too.
"""

from __future__ import annotations

import random
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate import make_companies, make_person  # noqa: E402

CHUNK = 5_000
STAGES = ["subscriber", "lead", "lead", "lead", "marketingqualifiedlead", "salesqualifiedlead", "opportunity"]
SF_STATUSES = ["Open - Not Contacted", "Working - Contacted", "Working - Contacted", "Closed - Not Converted"]


def hubspot_contact(rng: random.Random, i: int, companies: list[tuple[str, str]], now_ms: int) -> dict[str, Any]:
    first, last, email, company, slug = make_person(rng, i, companies)
    contact: dict[str, Any] = {
        "email": email,
        "firstname": first,
        "lastname": last,
        "company": company,
        "website": f"https://www.{slug}.com",
        "phone": f"+1 {rng.randint(200, 999)}-555-{rng.randint(0, 9999):04d}",
        "jobtitle": rng.choice(["VP Marketing", "Head of Sales", "CTO", "Data Engineer", "Founder", "Analyst"]),
        "country": rng.choice(["United States", "Germany", "United Kingdom", "France", "Canada"]),
        "lifecyclestage": rng.choice(STAGES),
        "hs_lead_status": rng.choice(["NEW", "OPEN", "IN_PROGRESS", "CONNECTED"]),
    }
    if rng.random() < 0.6:
        contact["hs_analytics_num_page_views"] = rng.randint(1, 60)
        contact["hs_analytics_last_visit_timestamp"] = now_ms - rng.randint(1, 60) * 86_400_000
    if rng.random() < 0.4:
        contact["hs_email_last_open_date"] = now_ms - rng.randint(1, 30) * 86_400_000
    return contact


def seed_hubspot(server: Any, n: int, seed: int, created_ms: int) -> list[str]:
    """n contacts, 20 owners, a meeting or call for one in ten, a deal for one in fifty; their ids."""
    rng = random.Random(f"hubspot-{seed}")
    companies = make_companies(rng, max(50, n // 25))
    owners = [server.call("add_owner", f"rep{k}@seller.example", f"Rep{k}", "Seller") for k in range(20)]
    ids: list[str] = []
    for start in range(0, n, CHUNK):
        chunk = []
        for i in range(start, min(n, start + CHUNK)):
            contact = hubspot_contact(rng, i, companies, created_ms)
            contact["hubspot_owner_id"] = rng.choice(owners)
            chunk.append(contact)
        ids += server.call("add_contacts", chunk, created_ms)
    engagements: dict[str, list[dict[str, Any]]] = {"meetings": [], "calls": []}
    for contact_id in rng.sample(ids, n // 10):
        when = created_ms - rng.randint(1, 90) * 86_400_000
        engagements[rng.choice(["meetings", "calls"])].append(
            {"properties": {"hs_timestamp": when}, "contact_ids": [contact_id]}
        )
    for kind, items in engagements.items():
        for start in range(0, len(items), CHUNK):
            server.call("add_engagements", kind, items[start : start + CHUNK])
    deals = [
        {
            "properties": {
                "dealname": "Deal",
                "amount": rng.randint(1, 50) * 1000,
                "hs_is_closed": True,
                "hs_is_closed_won": rng.random() < 0.5,
                "closedate": created_ms,
                "deal_currency_code": "USD",
            },
            "contact_ids": [contact_id],
        }
        for contact_id in rng.sample(ids, n // 50)
    ]
    for start in range(0, len(deals), CHUNK):
        server.call("add_deals", deals[start : start + CHUNK])
    return ids


def seed_salesforce(server: Any, n: int, seed: int) -> list[str]:
    """n leads (with an external id for the write-back), a task or event for one in ten; their ids."""
    rng = random.Random(f"salesforce-{seed}")
    companies = make_companies(rng, max(50, n // 25))
    server.call("add_custom_field", "Lead", "Leads_Etl_Id__c", "string", True, True)
    ids: list[str] = []
    for start in range(0, n, CHUNK):
        chunk = []
        for i in range(start, min(n, start + CHUNK)):
            first, last, email, company, slug = make_person(rng, i, companies)
            chunk.append(
                {
                    "FirstName": first,
                    "LastName": last,
                    "Email": email,
                    "Company": company,
                    "Website": f"https://www.{slug}.com",
                    "Title": rng.choice(["VP Marketing", "Head of Sales", "CTO", "Analyst"]),
                    "Country": rng.choice(["United States", "Germany", "United Kingdom"]),
                    "Status": rng.choice(SF_STATUSES),
                    "LeadSource": rng.choice(["Web", "Partner", "Event"]),
                    "Leads_Etl_Id__c": f"L-{i}",
                }
            )
        ids += server.call("add_records", "Lead", chunk)
    activity = []
    for lead_id in rng.sample(ids, n // 10):
        activity.append({"WhoId": lead_id, "TaskSubtype": "Call", "Status": "Completed", "Subject": "Call"})
    for start in range(0, len(activity), CHUNK):
        server.call("add_records", "Task", activity[start : start + CHUNK])
    return ids
