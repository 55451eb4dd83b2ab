"""Offline enrichment: fields derived from a golden lead's own values (fields.DERIVED_FIELDS).

No network and no provider: email class and role, email and company domains, phone type,
ISO country and region codes, seniority and department. Each derived value carries the source
and time of the value it came from, so a derived field changes exactly when its base does. A
derived field is absent when its base is absent or invalid. Every helper is memoised, so a
lead costs a handful of dictionary lookups when its values have been seen before.
"""

from __future__ import annotations

from leads.domains import registrable_domain
from leads.emails import email_class, is_role_address
from leads.geo import country, subdivision
from leads.model import FieldValue
from leads.phones import phone_type
from leads.titles import TitleRules


def _valid_text(fields: dict[str, FieldValue], name: str) -> FieldValue | None:
    fv = fields.get(name)
    if fv is None or fv.invalid is not None or not isinstance(fv.value, str) or not fv.value:
        return None
    return fv


def derive_fields(fields: dict[str, FieldValue], rules: TitleRules) -> dict[str, FieldValue]:
    """The derived fields of a lead, computed from its valid values (see fields.DERIVED_FIELDS)."""
    out: dict[str, FieldValue] = {}

    email = _valid_text(fields, "email")
    klass = None
    if email is not None:
        address, source, at = email.value, email.source, email.observed_at
        klass = email_class(address)
        if klass is not None:
            out["email_class"] = FieldValue(klass, source, at)
            out["email_role"] = FieldValue(is_role_address(address), source, at)
        domain = registrable_domain(address)
        if domain is not None:
            out["email_domain"] = FieldValue(domain, source, at)

    website = _valid_text(fields, "website")
    site_domain = registrable_domain(website.value) if website is not None else None
    if website is not None and site_domain is not None:
        out["company_domain"] = FieldValue(site_domain, website.source, website.observed_at)
    elif klass == "corporate" and "email_domain" in out:
        out["company_domain"] = out["email_domain"]

    phone = _valid_text(fields, "phone")
    if phone is not None and phone.value.startswith("+"):
        out["phone_type"] = FieldValue(phone_type(phone.value), phone.source, phone.observed_at)

    place = _valid_text(fields, "country")
    found = country(place.value) if place is not None else None
    if place is not None and found is not None:
        alpha2 = found[0]
        out["country_code"] = FieldValue(alpha2, place.source, place.observed_at)
        region = _valid_text(fields, "region")
        sub = subdivision(region.value, alpha2) if region is not None else None
        if region is not None and sub is not None:
            out["region_code"] = FieldValue(sub[0], region.source, region.observed_at)

    title = _valid_text(fields, "job_title")
    if title is not None:
        seniority, department = rules.classify(title.value)
        if seniority is not None:
            out["seniority"] = FieldValue(seniority, title.source, title.observed_at)
        if department is not None:
            out["department"] = FieldValue(department, title.source, title.observed_at)
    return out
