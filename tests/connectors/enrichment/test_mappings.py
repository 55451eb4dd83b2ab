"""Vendor JSON → canonical fields, pure: ranges, country codes, tech stacks, seniority, departments."""

from __future__ import annotations

from connectors.enrichment.apollo import mapping as apollo
from connectors.enrichment.clearbit import mapping as clearbit
from connectors.enrichment.hunter import mapping as hunter
from connectors.enrichment.pdl import mapping as pdl
from leads.fields import ENRICHED_FIELDS, LEAD_FIELD_KINDS
from tests.fakes.enrichment.apollo import EXAMPLE_ORGANIZATION
from tests.fakes.enrichment.clearbit import EXAMPLE_COMPANY as CLEARBIT_COMPANY
from tests.fakes.enrichment.pdl import EXAMPLE_COMPANY as PDL_COMPANY
from tests.fakes.enrichment.pdl import EXAMPLE_PERSON as PDL_PERSON


def test_pdl_company_record_from_the_contract():
    fields = pdl.company_fields({"status": 200, "likelihood": 9, **PDL_COMPANY})
    assert fields == {
        "company_name": "Example Corp",
        "industry": "computer software",
        "employee_count": 84,
        "employee_range": "51-200",
        "revenue_range": "50M-100M",
        "company_country_code": "US",
        "founded_year": 2015,
        "linkedin_url": "https://www.linkedin.com/company/example-corp",
    }
    assert "tech_stack" not in fields  # PDL has no technology list


def test_pdl_uses_its_size_bucket_when_no_count_and_straddling_revenue_by_midpoint():
    fields = pdl.company_fields({"size": "1001-5000", "inferred_revenue": "$10M-$25M", "employee_count": None})
    assert fields == {"employee_range": "1001-5000", "revenue_range": "10M-50M"}


def test_pdl_person_seniority_department_and_employer():
    fields = pdl.person_fields({**PDL_PERSON, "job_title_levels": ["owner", "cxo"], "job_title_role": None})
    assert fields["seniority"] == "cxo"
    assert fields["department"] == "research_and_development"  # job_title_class when no role
    assert fields["company_name"] == "example corp" and fields["company_country_code"] == "US"
    assert fields["linkedin_url"] == "https://www.linkedin.com/in/ada-lovelace"
    assert pdl.seniority(["unpaid"]) is None
    assert pdl.confidence(7) == 0.7 and pdl.confidence(None) is None


def test_apollo_organization_with_printed_revenue_and_current_technologies():
    org = {
        **EXAMPLE_ORGANIZATION,
        "annual_revenue": None,
        "annual_revenue_printed": "2.5B",
        "technology_names": None,
        "current_technologies": [{"name": "Stripe"}, {"name": "Stripe"}, {"name": "Segment"}],
        "country": "Germany",
        "estimated_num_employees": 12000,
    }
    fields = apollo.organization_fields(org)
    assert fields["revenue_range"] == "1B-10B"
    assert fields["tech_stack"] == ["Stripe", "Segment"]
    assert fields["company_country_code"] == "DE"
    assert fields["employee_range"] == "10001+"


def test_apollo_person_levels_and_departments():
    person = {"seniority": "c_suite", "departments": ["c_suite", "master_sales"], "linkedin_url": None}
    assert apollo.person_fields(person) == {"seniority": "cxo", "department": "sales"}
    assert apollo.department(["master_information_technology"]) == "engineering"
    assert apollo.person_fields({"seniority": "intern"}) == {"seniority": "training"}


def test_apollo_person_keeps_its_own_linkedin_not_the_organizations():
    fields = apollo.person_fields({"linkedin_url": None, "organization": EXAMPLE_ORGANIZATION})
    assert "linkedin_url" not in fields and fields["company_name"] == "Example Corp"


def test_clearbit_exact_revenue_wins_and_bucket_fallbacks():
    record = {
        **CLEARBIT_COMPANY,
        "metrics": {"employees": None, "employeesRange": "251-1K", "annualRevenue": 2_000_000_000},
        "geo": {"country": "United Kingdom"},
    }
    fields = clearbit.company_fields(record)
    assert fields["revenue_range"] == "1B-10B"
    assert fields["employee_range"] == "501-1000"
    assert "employee_count" not in fields
    assert fields["company_country_code"] == "GB"


def test_hunter_statuses():
    assert hunter.email_status({"status": "webmail"}) == "webmail"
    assert hunter.email_status({"result": "undeliverable"}) == "invalid"
    assert hunter.email_status({"status": "nonsense"}) is None
    assert hunter.confidence({"score": 55}) == 0.55
    assert hunter.found_email({"email": None}) == {}


def test_every_mapped_field_is_a_lead_field():
    mapped = (
        pdl.company_fields(PDL_COMPANY)
        | pdl.person_fields(PDL_PERSON)
        | apollo.organization_fields(EXAMPLE_ORGANIZATION)
        | clearbit.company_fields(CLEARBIT_COMPANY)
    )
    assert set(mapped) <= set(LEAD_FIELD_KINDS)
    assert {k for k in mapped if k not in ("seniority", "department")} <= set(ENRICHED_FIELDS)
