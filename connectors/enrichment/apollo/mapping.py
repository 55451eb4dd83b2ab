"""Apollo organizations and people → canonical lead fields (pure).

Apollo sends head counts and revenues as numbers (`estimated_num_employees`, `annual_revenue`,
with `annual_revenue_printed` such as "100M"), countries as English names, technologies as names.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from connectors.enrichment.apollo.settings import DEPARTMENTS, SENIORITY
from leads import company


def organization_fields(org: Mapping[str, Any]) -> dict[str, Any]:
    count = _positive_int(org.get("estimated_num_employees"))
    revenue = org.get("annual_revenue")
    return company.present(
        {
            "company_name": org.get("name"),
            "industry": company.industry(org.get("industry")),
            "employee_count": count,
            "employee_range": company.employee_range(count),
            "revenue_range": company.revenue_range(revenue)
            if isinstance(revenue, int | float) and not isinstance(revenue, bool)
            else company.revenue_range_from_text(org.get("annual_revenue_printed")),
            "company_country_code": company.country_code(org.get("country")),
            "tech_stack": technologies(org),
            "founded_year": company.year(org.get("founded_year")),
            "linkedin_url": company.linkedin_url(org.get("linkedin_url")),
        }
    )


def person_fields(person: Mapping[str, Any]) -> dict[str, Any]:
    """The person's LinkedIn, seniority and department, and their organization's company fields.

    linkedin_url is the person's profile: the organization's LinkedIn page is left out, since the
    canonical record has one linkedin_url.
    """
    org = person.get("organization")
    org_fields = organization_fields(org) if isinstance(org, dict) else {}
    org_fields.pop("linkedin_url", None)
    own = {
        "linkedin_url": company.linkedin_url(person.get("linkedin_url")),
        "seniority": SENIORITY.get(str(person.get("seniority") or "").lower()),
        "department": department(person.get("departments")),
    }
    return {**org_fields, **company.present(own)}


def technologies(org: Mapping[str, Any]) -> list[str]:
    """`technology_names`, else the names in `current_technologies`; in order, each once."""
    names = org.get("technology_names")
    if not isinstance(names, list):
        current = org.get("current_technologies")
        names = [t.get("name") for t in current if isinstance(t, dict)] if isinstance(current, list) else []
    seen: dict[str, None] = {}
    for name in names:
        if isinstance(name, str) and name.strip():
            seen.setdefault(name.strip(), None)
    return list(seen)


def department(departments: Any) -> str | None:
    """The first of Apollo's departments ("master_sales") in PDL's job_title_role terms ("sales")."""
    if not isinstance(departments, list):
        return None
    for value in departments:
        if not isinstance(value, str) or not value:
            continue
        name = value.lower().removeprefix("master_")
        mapped = DEPARTMENTS.get(name, name)
        if mapped:
            return mapped
    return None


def primary_domain(org: Mapping[str, Any]) -> str | None:
    """The domain an organization answers for: `primary_domain`, else its website's host."""
    domain = org.get("primary_domain")
    if not isinstance(domain, str) or not domain:
        website = org.get("website_url")
        if not isinstance(website, str):
            return None
        domain = website.split("://", 1)[-1].split("/", 1)[0]
    domain = domain.strip().lower()
    return domain.removeprefix("www.") or None


def _positive_int(value: Any) -> int | None:
    if isinstance(value, int | float) and not isinstance(value, bool) and value > 0:
        return int(value)
    return None
