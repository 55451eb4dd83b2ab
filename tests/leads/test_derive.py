"""leads.derive: offline enrichment of a golden lead from its own valid values."""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from leads.config import TitleRulesConfig
from leads.derive import derive_fields
from leads.fields import DERIVED_FIELDS
from leads.model import FieldValue
from leads.titles import TitleRules

RULES = TitleRules()
T1 = datetime(2026, 10, 1, tzinfo=UTC)
T2 = datetime(2026, 10, 2, tzinfo=UTC)


def fv(value, source="crm", at=T1, invalid=None) -> FieldValue:
    return FieldValue(value, source, at, invalid)


def test_a_full_lead_gets_every_derived_field_with_the_provenance_of_its_base():
    fields = {
        "email": fv("jane.doe@mail.northwind.co.uk", "crm", T1),
        "website": fv("https://www.northwind-logistics.com/about", "ads", T2),
        "phone": fv("+447400123456", "ads", T2),
        "country": fv("United States", "crm", T1),
        "region": fv("California", "ads", T2),
        "job_title": fv("VP Sales", "crm", T2),
    }
    out = derive_fields(fields, RULES)
    assert set(out) == set(DERIVED_FIELDS)
    expected = {
        "email_class": ("corporate", "crm", T1),
        "email_role": (False, "crm", T1),
        "email_domain": ("northwind.co.uk", "crm", T1),
        "company_domain": ("northwind-logistics.com", "ads", T2),  # the website wins over the email
        "phone_type": ("mobile", "ads", T2),
        "country_code": ("US", "crm", T1),
        "region_code": ("US-CA", "ads", T2),
        "seniority": ("vp", "crm", T2),
        "department": ("sales", "crm", T2),
    }
    assert {name: (v.value, v.source, v.observed_at) for name, v in out.items()} == expected
    assert all(v.is_valid for v in out.values())


def test_company_domain_comes_from_a_corporate_email_without_a_website():
    out = derive_fields({"email": fv("jane@sales.acme.com", "ads", T2)}, RULES)
    assert (out["company_domain"].value, out["company_domain"].source) == ("acme.com", "ads")
    assert out["email_domain"].value == "acme.com"


def test_free_and_disposable_emails_give_no_company_domain():
    for email, klass in [("jane@gmail.com", "free"), ("jane@mailinator.com", "disposable")]:
        out = derive_fields({"email": fv(email)}, RULES)
        assert out["email_class"].value == klass
        assert out["email_domain"].value == email.split("@")[1]
        assert "company_domain" not in out


def test_a_website_without_a_registrable_domain_falls_back_to_the_email():
    out = derive_fields({"website": fv("http://localhost:8000"), "email": fv("jo@acme.io", "ads")}, RULES)
    assert (out["company_domain"].value, out["company_domain"].source) == ("acme.io", "ads")


def test_role_address_is_flagged():
    assert derive_fields({"email": fv("info@acme.com")}, RULES)["email_role"].value is True


def test_invalid_or_absent_bases_derive_nothing():
    fields = {
        "email": fv("bob at example.com", invalid="not a valid email address: ..."),
        "phone": fv("415 555", invalid="not a valid phone number"),
        "country": fv("Narnia", invalid="unknown country 'Narnia'"),
        "region": fv("CA"),
        "website": fv("acme.com", invalid="whatever"),
        "job_title": fv("CEO", invalid="whatever"),
    }
    assert derive_fields(fields, RULES) == {}
    assert derive_fields({}, RULES) == {}


def test_region_needs_the_country():
    out = derive_fields({"region": fv("CA")}, RULES)
    assert "region_code" not in out
    out = derive_fields({"region": fv("CA"), "country": fv("Canada")}, RULES)
    assert "region_code" not in out  # CA is no Canadian province
    assert out["country_code"].value == "CA"
    out = derive_fields({"region": fv("Ontario"), "country": fv("Canada")}, RULES)
    assert out["region_code"].value == "CA-ON"


def test_title_without_a_known_level_gives_only_the_department():
    out = derive_fields({"job_title": fv("Software Engineer")}, RULES)
    assert "seniority" not in out
    assert out["department"].value == "engineering"
    assert derive_fields({"job_title": fv("Astronaut")}, RULES) == {}


def test_the_rules_passed_in_are_used():
    rules = TitleRules(TitleRulesConfig(seniority={"vp": [r"\bhead of\b"]}))
    assert derive_fields({"job_title": fv("Head of Sales")}, rules)["seniority"].value == "vp"
    assert derive_fields({"job_title": fv("Head of Sales")}, RULES)["seniority"].value == "director"


def test_non_text_values_are_ignored_not_crashed_on():
    fields = {name: fv(value) for name, value in [("email", 42), ("phone", None), ("job_title", ["CEO"])]}
    assert derive_fields(fields, RULES) == {}


_BASES = ("email", "website", "phone", "country", "region", "job_title")


@settings(max_examples=300, deadline=None)
@given(
    st.dictionaries(
        st.sampled_from(_BASES),
        st.tuples(st.text(max_size=60) | st.text(min_size=500, max_size=3000), st.booleans()),
    )
)
def test_derive_fields_never_raises_and_only_derives_known_fields(values):
    fields = {name: fv(text, invalid=None if ok else "bad") for name, (text, ok) in values.items()}
    out = derive_fields(fields, RULES)
    assert set(out) <= set(DERIVED_FIELDS)
    for value in out.values():
        assert value.is_valid and value.source == "crm" and value.observed_at == T1
