"""Pure enrichment rules: what a lead may be enriched with, and what each field needs asked.

Spend nothing where it cannot pay off or must not happen: do-not-contact leads, free-mail and
disposable addresses (company lookups on gmail.com return nothing useful), invalid addresses,
and, when configured, role mailboxes such as info@.
"""

from __future__ import annotations

from typing import Literal

from leads.fields import ENRICHED_FIELDS
from leads.hashing import stable_hash
from leads.model import Lead

LookupKind = Literal["company", "person", "email"]

PERSON_FIELDS = frozenset({"linkedin_url", "seniority", "department"})
EMAIL_FIELDS = frozenset({"email_status"})
# Fields a waterfall may target: the enriched ones, plus the two title-derived ones a person
# lookup can fill when the lead's own title says nothing.
WATERFALL_FIELDS: tuple[str, ...] = (*ENRICHED_FIELDS, "seniority", "department")


def lookup_kind(field: str) -> LookupKind:
    if field in EMAIL_FIELDS:
        return "email"
    if field in PERSON_FIELDS:
        return "person"
    return "company"


def skip_reason(
    lead: Lead, skip_email_classes: frozenset[str], skip_role_addresses: bool, skip_do_not_contact: bool
) -> str | None:
    """Why nothing may be spent on this lead, or None when it may be enriched."""
    if skip_do_not_contact and lead.do_not_contact:
        return "do not contact"
    if lead.fields.get("email") is not None and lead.email is None:
        return "invalid email"
    email_class = lead.get("email_class")
    if email_class in skip_email_classes:
        return f"{email_class} email address"
    if skip_role_addresses and lead.get("email_role"):
        return "role address"
    if lead.email is None and lead.get("company_domain") is None:
        return "nothing to look up (no email and no company domain)"
    return None


def inputs_of(lead: Lead) -> dict[str, str | None]:
    """What lookups are built from; when none of it changes, earlier answers still hold."""
    return {
        "email": lead.email.lower() if lead.email else None,
        "domain": lead.get("company_domain"),
        "first_name": lead.get("first_name"),
        "last_name": lead.get("last_name"),
    }


def inputs_hash(lead: Lead) -> str:
    return stable_hash(inputs_of(lead))[:32]
