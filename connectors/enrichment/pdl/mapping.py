"""PDL records → canonical lead fields (pure).

Company enrich puts the record at the top level beside `status` and `likelihood`; person enrich
wraps it in `data`. Values are lower case ("united states", "computer software"), empty ones null.
PDL has no technology list, so PDL never fills tech_stack.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from leads import company
from leads.config import SENIORITY_LEVELS


def confidence(likelihood: Any) -> float | None:
    """PDL's likelihood (1-10, logarithmic) as 0..1."""
    if isinstance(likelihood, int | float) and not isinstance(likelihood, bool) and 0 < likelihood <= 10:
        return likelihood / 10
    return None


def company_fields(record: Mapping[str, Any]) -> dict[str, Any]:
    location = record.get("location")
    country = location.get("country") if isinstance(location, dict) else None
    count = _count(record.get("employee_count"))
    return company.present(
        {
            "company_name": record.get("display_name") or record.get("name"),
            "industry": company.industry(record.get("industry")),
            "employee_count": count,
            "employee_range": company.employee_range(count) or company.employee_range_from_text(record.get("size")),
            "revenue_range": company.revenue_range_from_text(record.get("inferred_revenue")),
            "company_country_code": company.country_code(country),
            "founded_year": company.year(record.get("founded")),
            "linkedin_url": company.linkedin_url(record.get("linkedin_url")),
        }
    )


def person_fields(data: Mapping[str, Any]) -> dict[str, Any]:
    """The person's LinkedIn, seniority and department, and their current employer's company fields.

    linkedin_url is the person's profile here; the employer's LinkedIn page is not mapped, since the
    canonical record has one linkedin_url.
    """
    count = _count(data.get("job_company_employee_count"))
    return company.present(
        {
            "linkedin_url": company.linkedin_url(data.get("linkedin_url")),
            "seniority": seniority(data.get("job_title_levels")),
            "department": department(data.get("job_title_role"), data.get("job_title_class")),
            "company_name": data.get("job_company_name"),
            "industry": company.industry(data.get("job_company_industry")),
            "employee_count": count,
            "employee_range": company.employee_range(count)
            or company.employee_range_from_text(data.get("job_company_size")),
            "revenue_range": company.revenue_range_from_text(data.get("job_company_inferred_revenue")),
            "company_country_code": company.country_code(data.get("job_company_location_country")),
            "founded_year": company.year(data.get("job_company_founded")),
        }
    )


def seniority(levels: Any) -> str | None:
    """The most senior of PDL's job_title_levels (a person can be "owner" and "cxo" at once)."""
    if not isinstance(levels, list):
        return None
    known = [level for level in SENIORITY_LEVELS if level in levels]
    return known[0] if known else None


def department(role: Any, title_class: Any) -> str | None:
    """PDL's job_title_role (engineering, sales, ...), else its broader job_title_class."""
    for value in (role, title_class):
        if isinstance(value, str) and value.strip():
            return value.strip().lower()
    return None


def _count(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float) and value > 0:
        return int(value)
    return None
