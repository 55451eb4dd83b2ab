"""Clearbit company records → canonical lead fields (pure).

Clearbit nests its values (`metrics.employees`, `category.industry`, `geo.countryCode`), sends
its own buckets ("51-250", "$10M-$50M") beside exact figures when it has them, technologies as
ids ("google_apps") and LinkedIn as a bare handle ("company/clearbit").
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from leads import company


def company_fields(record: Mapping[str, Any]) -> dict[str, Any]:
    metrics = _object(record, "metrics")
    category = _object(record, "category")
    geo = _object(record, "geo")
    linkedin = _object(record, "linkedin")
    count = _positive_int(metrics.get("employees"))
    revenue = metrics.get("annualRevenue")
    exact_revenue = isinstance(revenue, int | float) and not isinstance(revenue, bool)
    return company.present(
        {
            "company_name": record.get("name"),
            "industry": company.industry(category.get("industry")),
            "employee_count": count,
            "employee_range": company.employee_range(count)
            or company.employee_range_from_text(metrics.get("employeesRange")),
            "revenue_range": company.revenue_range(revenue)
            if exact_revenue
            else company.revenue_range_from_text(metrics.get("estimatedAnnualRevenue")),
            "company_country_code": company.country_code(geo.get("countryCode") or geo.get("country")),
            "tech_stack": _technologies(record.get("tech")),
            "founded_year": company.year(record.get("foundedYear")),
            "linkedin_url": company.linkedin_url(linkedin.get("handle")),
        }
    )


def _object(record: Mapping[str, Any], name: str) -> Mapping[str, Any]:
    value = record.get(name)
    return value if isinstance(value, dict) else {}


def _technologies(tech: Any) -> list[str]:
    if not isinstance(tech, list):
        return []
    seen: dict[str, None] = {}
    for name in tech:
        if isinstance(name, str) and name.strip():
            seen.setdefault(name.strip(), None)
    return list(seen)


def _positive_int(value: Any) -> int | None:
    if isinstance(value, int | float) and not isinstance(value, bool) and value > 0:
        return int(value)
    return None
