"""Write samples/accounts.csv: the demo's reference table of known accounts.

The firmographics are invented, derived deterministically from each domain, for the companies
the bundled samples mention. One in six domains is left out on purpose, so the demo shows
waterfall misses as well as hits.

    python samples/make_accounts.py
"""

from __future__ import annotations

import csv
import hashlib
import json
from pathlib import Path

from leads.domains import registrable_domain
from leads.emails import email_class
from leads.normalize import clean_text

HERE = Path(__file__).resolve().parent
INDUSTRIES = [
    "software development",
    "marketing services",
    "manufacturing",
    "retail",
    "financial services",
    "logistics",
    "renewable energy",
    "healthcare",
]
COUNTRIES = ["US", "DE", "GB", "ES", "FR", "NL", "SE", "PL", "JP", "DK"]
TECH = ["salesforce", "hubspot", "google analytics", "stripe", "snowflake", "marketo", "zendesk", "shopify"]
REVENUE = ["1M-10M", "10M-50M", "50M-100M", "100M-250M"]


def _domains() -> dict[str, str]:
    """domain → a company name seen with it."""
    found: dict[str, str] = {}
    csv.field_size_limit(1 << 30)  # the sample export holds one oversized field on purpose
    # Line by line: the export's unterminated quote must not swallow the rows after it.
    lines = (HERE / "crm_contacts.csv").read_text(encoding="utf-8", errors="replace").splitlines()
    header = next(csv.reader(lines[:1]))
    for line in lines[1:]:
        row = dict(zip(header, next(csv.reader([line]), []), strict=False))
        _note(found, row.get("Email"), row.get("Website URL"), row.get("Company Name"))
    with (HERE / "ad_leads.jsonl").open(encoding="utf-8", errors="replace") as handle:
        for line in handle:
            try:
                row = json.loads(line)
            except ValueError:
                continue
            if isinstance(row, dict):
                _note(found, row.get("email"), None, row.get("company_name"))
    return found


def _note(found: dict[str, str], email: object, website: object, company: object) -> None:
    domain = registrable_domain(str(website)) if website else None
    if domain is None and isinstance(email, str) and email_class(email.strip()) == "corporate":
        domain = registrable_domain(email.strip())
    name = clean_text(company) if isinstance(company, str) else None
    if domain and name and len(name) <= 80:
        found.setdefault(domain, name)


def main() -> None:
    rows = []
    for domain, company in sorted(_domains().items()):
        digest = hashlib.sha256(domain.encode()).digest()
        if digest[0] % 6 == 0:
            continue
        rows.append(
            {
                "domain": domain,
                "company_name": company,
                "industry": INDUSTRIES[digest[1] % len(INDUSTRIES)],
                "employee_count": 10 + (digest[2] * 37 + digest[3]) % 4000,
                "revenue_range": REVENUE[digest[4] % len(REVENUE)],
                "company_country_code": COUNTRIES[digest[5] % len(COUNTRIES)],
                "tech_stack": ";".join(sorted({TECH[digest[6] % 8], TECH[digest[7] % 8]})),
                "founded_year": 1950 + digest[8] % 75,
            }
        )
    with (HERE / "accounts.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    print(f"wrote {len(rows)} accounts to {HERE / 'accounts.csv'}")


if __name__ == "__main__":
    main()
