"""Deterministic synthetic lead exports for the benchmarks: a HubSpot-style CSV and a Meta JSONL.

`generate(out_dir, n)` writes, for a fixed seed, always the same bytes:

- crm_contacts.csv       N contacts, the columns of the crm_contacts source in leads.yaml;
- crm_contacts.run2.csv  the same export one day later: 1% of the valid rows changed (status,
                         stage, title) with a newer Last Modified Date; everything else identical;
- ad_leads.jsonl         ~30% of N Meta lead-ads rows (the ad_leads source's keys); ~20% of them
                         share an email with a CRM contact, in another case and padded with spaces;
- leads.yaml             a config for both sources, a SQLite store and a sql_table sink, all in out_dir.

About 1% of the rows of each file are malformed (wrong column count, unclosed quote, control
character, invalid UTF-8, unparseable cursor, missing id; truncated JSON, an array, a nested object)
and ~3% carry a placeholder or invalid value ("N/A", "-", "jane@", an unknown stage, no email and
no phone), so the quarantine paths are exercised at realistic rates.
"""

from __future__ import annotations

import csv
import io
import json
import random
from datetime import datetime, timedelta
from pathlib import Path

SEED = 20240601
CRM_COLUMNS = [
    "Record ID",
    "First Name",
    "Last Name",
    "Email",
    "Phone Number",
    "Company Name",
    "Website URL",
    "Job Title",
    "Country/Region",
    "Lifecycle Stage",
    "Lead Status",
    "Contact owner",
    "Create Date",
    "Last Modified Date",
    "Original Source",
]
CRM_FMT = "%Y-%m-%d %H:%M"  # the crm_contacts cursor_format
BASE = datetime(2023, 1, 1)

FIRST = (
    "James Mary Robert Patricia John Jennifer Michael Linda David Elizabeth William Barbara Richard Susan "  # noqa: SIM905
    "Joseph Jessica Thomas Sarah Lukas Anna Jonas Lea Mateo Sofia Noah Emma Liam Olivia Hugo Chloe Yuki "
    "Hana Wei Mei Arjun Priya Omar Layla Kwame Amara"
).split()
LAST = (
    "Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez Lopez Gonzalez "  # noqa: SIM905
    "Wilson Anderson Thomas Taylor Moore Jackson Martin Müller Schmidt Schneider Fischer Weber Dubois "
    "Moreau Rossi Russo Tanaka Suzuki Chen Wang Singh Patel Khan Okafor Mensah O'Brien McDonald"
).split()
WORDS = (
    "Acme Globex Initech Umbrella Stark Wayne Hooli Vandelay Soylent Cyberdyne Tyrell Wonka Gringotts "  # noqa: SIM905
    "Aperture Black Mesa Blue Sun Oscorp Nakatomi Massive Dynamic Pied Piper Prestige Monarch"
).split()
SUFFIXES = [" Inc.", ", Inc.", " GmbH", " Ltd", ", LLC", " AG", " SAS", " Group", " Labs", " Systems", " & Co"]
TITLES = [
    "CEO",
    "CTO",
    "CFO",
    "VP Marketing",
    "VP Sales",
    "Head of Growth",
    "Marketing Manager",
    "Sales Manager",
    "Software Engineer",
    "Data Analyst",
    "Product Manager",
    "Founder",
    "Operations Manager",
    "Account Executive",
    "IT Director",
    "HR Manager",
    "Consultant",
    "Student",
]
COUNTRIES = [
    "United States",
    "Germany",
    "United Kingdom",
    "France",
    "Canada",
    "Netherlands",
    "Spain",
    "Italy",
    "Australia",
    "India",
    "Brazil",
    "Japan",
    "Sweden",
    "Switzerland",
    "Austria",
    "Poland",
]
STAGES = ["Subscriber", "Lead", "Marketing Qualified Lead", "Sales Qualified Lead", "Opportunity", "Customer"]
STATUSES = ["New", "Open", "In progress", "Open deal", "Unqualified", "Attempted to contact", "Connected", "Bad timing"]
OWNERS = [f"{first} {last}" for first, last in zip(FIRST[::3], LAST[1::3], strict=False)][:12]
ORIGINS = [
    "Organic search",
    "Paid social",
    "Direct traffic",
    "Referrals",
    "Offline sources",
    "Email marketing",
    "Paid search",
    "Social media",
]
FREEMAIL = ["gmail.com", "yahoo.com", "outlook.com", "hotmail.com", "gmx.de", "icloud.com"]
PLACEHOLDERS = ["N/A", "-", "unknown", "none", "test", "n/a", "?", "Not provided"]


def generate(out_dir: Path, n: int, seed: int = SEED) -> dict[str, int]:
    """Write the exports and the config into out_dir; returns row counts by kind."""
    rng = random.Random(seed)
    out_dir.mkdir(parents=True, exist_ok=True)
    companies = make_companies(rng, max(50, n // 25))
    crm: list[list[str] | bytes] = []  # a row's values, or the raw bytes of a malformed line
    valid: list[int] = []
    for i in range(n):
        if rng.random() < 0.01:
            crm.append(_bad_crm_line(rng, i, companies))
        else:
            crm.append(_crm_row(rng, i, companies))
            valid.append(i)
    changed = rng.sample(valid, max(1, n // 100))
    _write_csv(out_dir / "crm_contacts.csv", crm)
    newest = max(datetime.strptime(crm[i][13], CRM_FMT) for i in valid)  # type: ignore[index]
    for k, i in enumerate(sorted(changed)):
        row = list(crm[i])  # type: ignore[arg-type]
        row[9] = STAGES[min(len(STAGES) - 1, (STAGES.index(row[9]) + 1) if row[9] in STAGES else 2)]
        row[10] = rng.choice(STATUSES)
        row[7] = rng.choice(TITLES)
        row[13] = (newest + timedelta(days=1, minutes=k)).strftime(CRM_FMT)
        crm[i] = row
    _write_csv(out_dir / "crm_contacts.run2.csv", crm)

    emails = [crm[i][3] for i in valid if "@" in crm[i][3] and not crm[i][3].endswith("@")]  # type: ignore[index]
    n_ads = round(n * 0.3)
    with (out_dir / "ad_leads.jsonl").open("wb") as fh:
        for j in range(n_ads):
            shared = rng.choice(emails) if rng.random() < 0.2 else None
            fh.write(_ad_line(rng, j, companies, shared))
    _write_accounts(rng, out_dir / "accounts.csv", companies)
    (out_dir / "leads.yaml").write_text(CONFIG, encoding="utf-8")
    return {"crm_rows": n, "crm_malformed": n - len(valid), "crm_changed": len(changed), "ad_rows": n_ads}


def make_companies(rng: random.Random, count: int) -> list[tuple[str, str]]:
    out = []
    for k in range(count):
        name = f"{rng.choice(WORDS)} {rng.choice(WORDS)}{rng.choice(SUFFIXES)}"
        slug = "".join(ch for ch in name.lower() if ch.isalnum())[:20] + str(k)
        out.append((name, slug))
    return out


def make_person(rng: random.Random, i: int, companies: list[tuple[str, str]]) -> tuple[str, str, str, str, str]:
    first, last = rng.choice(FIRST), rng.choice(LAST)
    company, slug = rng.choice(companies)
    local = f"{first}.{last}".replace("'", "").replace("ü", "ue").lower()
    domain = f"{slug}.com" if rng.random() < 0.7 else rng.choice(FREEMAIL)
    return first, last, f"{local}{i}@{domain}", company, slug


def _phone(rng: random.Random) -> str:
    return f"+1 {rng.randint(200, 999)}-555-{rng.randint(0, 9999):04d}"


def _crm_row(rng: random.Random, i: int, companies: list[tuple[str, str]]) -> list[str]:
    first, last, email, company, slug = make_person(rng, i, companies)
    created = BASE + timedelta(minutes=rng.randrange(700 * 24 * 60))
    modified = created + timedelta(minutes=rng.randrange(90 * 24 * 60))
    row = [
        str(100_000_000 + i),
        first,
        last,
        email,
        _phone(rng) if rng.random() < 0.6 else "",
        company,
        f"https://www.{slug}.com" if rng.random() < 0.8 else "",
        rng.choice(TITLES),
        rng.choice(COUNTRIES),
        rng.choice(STAGES),
        rng.choice(STATUSES),
        rng.choice(OWNERS),
        created.strftime(CRM_FMT),
        modified.strftime(CRM_FMT),
        rng.choice(ORIGINS),
    ]
    if rng.random() < 0.3:  # exports are sloppy: shouting, lowercase, stray spaces
        row[1], row[2] = rng.choice(
            [(first.upper(), last.upper()), (first.lower(), last.lower()), (f" {first}", f"{last}  ")]
        )
    roll = rng.random()
    if roll < 0.03:  # one placeholder or invalid value
        col = rng.choice([3, 4, 5, 6, 7, 8, 9])
        if col == 3:
            row[3] = rng.choice([email.split("@")[0] + "@", "not-an-email", "N/A", email.replace("@", " at ")])
        elif col == 9:
            row[9] = rng.choice(["Nurture", "Evangelist", "-"])
        else:
            row[col] = rng.choice(PLACEHOLDERS)
    elif roll < 0.035:  # nothing to identify or contact the person by: rejected at normalize
        row[3], row[4] = rng.choice(PLACEHOLDERS), ""
    return row


def _csv_line(row: list[str]) -> bytes:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerow(row)
    return buf.getvalue().encode("utf-8")


def _bad_crm_line(rng: random.Random, i: int, companies: list[tuple[str, str]]) -> bytes:
    row = _crm_row(rng, i, companies)
    kind = rng.random()
    if kind < 0.35:
        return _csv_line(row[:-3])  # wrong number of columns
    if kind < 0.5:  # an unclosed quote: the reader must resynchronise on the next line
        return _csv_line(row).replace(b",", b',"', 1)
    if kind < 0.65:
        row[7] += "\x07"  # a control character
        return _csv_line(row)
    if kind < 0.75:
        return _csv_line(row).replace(row[2].encode(), row[2].encode() + b"\xff\xfe", 1)  # not UTF-8
    if kind < 0.9:
        row[13] = rng.choice(["yesterday", "", "31/31/2024 25:99", "TBD"])  # unusable cursor
        return _csv_line(row)
    row[0] = ""  # no id
    return _csv_line(row)


def ad_attribution(rng: random.Random) -> dict[str, str]:
    """Campaign, ad set, ad and form of one ad lead, with ids as the platform writes them."""
    campaign = rng.randrange(12)
    adset = campaign * 4 + rng.randrange(4)
    ad = adset * 3 + rng.randrange(3)
    return {
        "campaign_id": str(23850000000 + campaign),
        "campaign_name": f"Q{campaign % 4 + 1} Campaign {campaign}",
        "adset_id": str(23851000000 + adset),
        "adset_name": f"Adset {adset}",
        "ad_id": str(23852000000 + ad),
        "ad_name": f"Ad {ad} – video",
        "form_id": str(9100 + campaign),
    }


def _write_csv(path: Path, rows: list[list[str] | bytes]) -> None:
    with path.open("wb") as fh:
        fh.write(_csv_line(CRM_COLUMNS))
        for row in rows:
            fh.write(row if isinstance(row, bytes) else _csv_line(row))


def _ad_line(rng: random.Random, j: int, companies: list[tuple[str, str]], shared: str | None) -> bytes:
    first, last, email, company, _ = make_person(rng, 10_000_000 + j, companies)
    if shared is not None:  # the same person as a CRM contact, typed differently
        email = rng.choice([shared.upper(), shared.title(), shared.capitalize(), shared.swapcase()])
        email = rng.choice([" ", "", "  "]) + email + rng.choice([" ", "  ", ""])
    attribution = ad_attribution(rng)
    created = BASE + timedelta(days=400, seconds=rng.randrange(300 * 86400))
    rec: dict[str, object] = {
        "id": str(2_300_000_000_000_000 + j),
        "created_time": created.strftime("%Y-%m-%dT%H:%M:%S+0000"),
        "email": email,
        "full_name": rng.choice(
            [
                f"{first} {last}",
                f"{first.lower()} {last.lower()}",
                f"{first.upper()} {last.upper()}",
                f"Dr. {first} {last}",
            ]
        ),
        "phone_number": f"+1{rng.randint(200, 999)}555{rng.randint(0, 9999):04d}",
        **attribution,
        "is_organic": rng.random() < 0.05,
        "platform": rng.choice(["fb", "ig"]),
    }
    if rng.random() < 0.6:  # forms do not always ask for these
        rec["company_name"], rec["job_title"] = company, rng.choice(TITLES)
    roll = rng.random()
    if roll < 0.01:  # malformed
        kind = rng.randrange(5)
        if kind == 0:
            text = json.dumps(rec, ensure_ascii=False)
            return text[: len(text) // 2].encode() + b"\n"  # truncated
        if kind == 1:
            return json.dumps([rec["id"], rec["email"]]).encode() + b"\n"
        if kind == 2:
            rec["email"] = {"value": rec["email"]}
        elif kind == 3:
            del rec["id"]
        else:
            rec["created_time"] = "not a date"
    elif roll < 0.04:
        key = rng.choice(["email", "company_name", "job_title", "full_name"])
        rec[key] = rng.choice(PLACEHOLDERS + ["someone@", "@example"])
    return json.dumps(rec, ensure_ascii=False).encode("utf-8") + b"\n"


def _write_accounts(rng: random.Random, path: Path, companies: list[tuple[str, str]]) -> None:
    """The reference table for the enrich stage: four in five companies are known."""
    with path.open("w", encoding="utf-8", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(["domain", "company_name", "industry", "employee_count", "revenue_range", "tech_stack"])
        for company, slug in companies:
            if rng.random() < 0.8:
                out.writerow(
                    [
                        f"{slug}.com",
                        company,
                        rng.choice(["software", "retail", "logistics", "media"]),
                        rng.randint(5, 20000),
                        rng.choice(["1M-10M", "10M-50M", "100M-250M"]),
                        "salesforce;hubspot",
                    ]
                )


# Mirrors the sources and sink of the example leads.yaml; paths are relative to this file.
CONFIG = """\
version: 1
timezone: UTC
store:
  url: sqlite:///store.db
  auto_migrate: true
runs_dir: runs
chunk_size: 5000
lease_ttl: 30m
sources:
  crm_contacts:
    type: file
    path: crm_contacts.csv
    id_column: Record ID
    cursor_column: Last Modified Date
    cursor_format: "%Y-%m-%d %H:%M"
    timezone: UTC
    lookback: 1h
    source_system: hubspot
    max_field_chars: 65536
    mapping:
      email: Email
      first_name: First Name
      last_name: Last Name
      phone: Phone Number
      company: Company Name
      website: Website URL
      job_title: Job Title
      country: Country/Region
      lifecycle_stage: Lifecycle Stage
      lead_status: Lead Status
      owner: Contact owner
      created_at: Create Date
      original_source: Original Source
  ad_leads:
    type: file
    path: ad_leads.jsonl
    id_column: id
    cursor_column: created_time
    lookback: 1h
    source_system: meta_lead_ads
    mapping:
      email: email
      full_name: full_name
      phone: phone_number
      company: company_name
      job_title: job_title
      created_at: created_time
      campaign_id: campaign_id
      campaign_name: campaign_name
      adset_id: adset_id
      adset_name: adset_name
      ad_id: ad_id
      ad_name: ad_name
      form_id: form_id
      is_organic: is_organic
      platform: platform
sinks:
  crm_leads:
    type: sql_table
    table: crm_leads
    fields: [email, first_name, last_name, full_name, phone, company, website, job_title, country,
             lifecycle_stage, lead_status, owner, source_system, original_source, campaign_name,
             adset_name, ad_name, form_id, platform, is_organic, do_not_contact, created_at,
             email_class, company_domain, country_code, seniority, department, industry, employee_range]
enrichment:
  providers:
    accounts: {type: reference_table, path: accounts.csv}
  waterfall:
    company_name: [accounts]
    industry: [accounts]
    employee_count: [accounts]
    employee_range: [accounts]
    revenue_range: [accounts]
    tech_stack: [accounts]
"""
