"""The reference table: known accounts the data team keeps (domain → firmographics).

A CSV file or a table in any SQLAlchemy database, read once per run. It is free and local, so it
usually heads every company waterfall, and it is never cached: the team edits it, and the next
run should see the edit. Column names default to the lead field names (industry, employee_count,
employee_range, revenue_range, company_country_code, tech_stack, founded_year, company_name,
linkedin_url); `columns` maps others. Values are normalized the way every provider's are.
"""

from __future__ import annotations

import csv
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, MetaData, Table, select

from connectors.enrichment.base import Answer, Lookup, LookupKind, Outcome
from leads import company
from leads.domains import registrable_domain
from leads.fields import ENRICHED_FIELDS

COMPANY_FIELDS = frozenset(ENRICHED_FIELDS) - {"email_status"}


def canonical_company(row: Mapping[str, Any]) -> dict[str, Any]:
    """One row in the lead field names → canonical values; blanks and unparseable values dropped."""
    out: dict[str, Any] = {}
    name = _text(row.get("company_name"))
    if name:
        out["company_name"] = name
    if industry := company.industry(_text(row.get("industry"))):
        out["industry"] = industry
    count = _number(row.get("employee_count"))
    if count is not None:
        out["employee_count"] = int(count)
    size = company.employee_range(count) if count is not None else None
    size = size or company.employee_range_from_text(_text(row.get("employee_range")))
    if size:
        out["employee_range"] = size
    revenue = company.revenue_range_from_text(_text(row.get("revenue_range")))
    if revenue:
        out["revenue_range"] = revenue
    if country := company.country_code(_text(row.get("company_country_code"))):
        out["company_country_code"] = country
    tech = row.get("tech_stack")
    items = tech if isinstance(tech, list) else (_text(tech) or "").replace(";", ",").split(",")
    stack = list(dict.fromkeys(t.strip().lower() for t in items if t and t.strip()))
    if stack:
        out["tech_stack"] = stack
    if founded := company.year(row.get("founded_year")):
        out["founded_year"] = founded
    if url := company.linkedin_url(_text(row.get("linkedin_url"))):
        out["linkedin_url"] = url
    return out


def _text(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _number(value: Any) -> float | None:
    text = _text(value)
    if text is None:
        return None
    try:
        return float(text.replace(",", "").replace("_", ""))
    except ValueError:
        return None


class ReferenceTable:
    """The provider over an in-memory copy of the table, keyed by registrable domain."""

    kinds: frozenset[LookupKind] = frozenset({"company"})
    fields: frozenset[str] = COMPANY_FIELDS
    cacheable = False

    def __init__(self, name: str, rows: Mapping[str, dict[str, Any]], confidence: float = 1.0) -> None:
        self.name = name
        self.rows = rows
        self.confidence = confidence

    @classmethod
    def from_rows(
        cls,
        name: str,
        rows: Sequence[Mapping[str, Any]],
        domain_column: str,
        columns: Mapping[str, str],
        confidence: float = 1.0,
    ) -> ReferenceTable:
        by_domain: dict[str, dict[str, Any]] = {}
        for row in rows:
            domain = registrable_domain(str(row.get(domain_column) or ""))
            if domain is None:
                continue  # a row without a usable domain can never be looked up
            renamed = {field: row.get(columns.get(field, field)) for field in COMPANY_FIELDS}
            by_domain[domain] = canonical_company(renamed)
        return cls(name, by_domain, confidence)

    @classmethod
    def from_csv(
        cls,
        name: str,
        path: Path,
        domain_column: str = "domain",
        columns: Mapping[str, str] | None = None,
        confidence: float = 1.0,
    ) -> ReferenceTable:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            rows = list(csv.DictReader(handle))
        return cls.from_rows(name, rows, domain_column, columns or {}, confidence)

    @classmethod
    def from_sql(
        cls,
        name: str,
        engine: Engine,
        table: str,
        domain_column: str = "domain",
        columns: Mapping[str, str] | None = None,
        confidence: float = 1.0,
    ) -> ReferenceTable:
        reflected = Table(table, MetaData(), autoload_with=engine)
        with engine.connect() as conn:
            rows = [dict(r._mapping) for r in conn.execute(select(reflected))]
        return cls.from_rows(name, rows, domain_column, columns or {}, confidence)

    def max_cost(self, kind: LookupKind) -> float:
        return 0.0

    def get(self, domain: str) -> dict[str, Any] | None:
        return self.rows.get(domain)

    def lookup(self, lookups: Sequence[Lookup]) -> dict[str, Answer]:
        out: dict[str, Answer] = {}
        for item in lookups:
            found = self.rows.get(item.domain or item.key) if item.kind == "company" else None
            out[item.key] = Answer(Outcome.HIT, dict(found), self.confidence) if found else Answer(Outcome.MISS)
        return out
