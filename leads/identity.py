"""Identity: the keys that say two records are the same person, and how alike two names are.

Deterministic keys come first and are enough on their own:
- the canonical email (provider rules such as Gmail's ignored dots and plus tags apply to this key
  only; the stored address is never rewritten); a role mailbox (info@, sales@) counts only
  together with the name, as several people write from it;
- CRM ids, and the ids a CRM merged into a record (HubSpot's hs_merged_object_ids), so a record
  that arrives under a merged-away id still finds its person;
- an E.164 phone together with the last name and first initial (a shared switchboard number or a
  family's landline alone is not a person).

The fuzzy pass (leads.resolve) only compares names of records whose email sits at the same
corporate domain: free-mail and disposable domains are never a blocking key, so two strangers who
both use gmail.com are never merged on a similar name.
"""

from __future__ import annotations

import unicodedata
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

from nicknames import NickNamer
from rapidfuzz import fuzz

from leads.domains import registrable_domain
from leads.emails import email_class, identity_email, is_role_address
from leads.model import FieldValue, RecordRef

_NAMESPACE = uuid.UUID("6c0f5d8e-9a51-4a4e-8a55-2f1f0c7a9b10")
_NICKNAMES = NickNamer()

# Evidence strength, strongest first: a lead link's reason names the strongest that applies.
KEY_KINDS: tuple[str, ...] = ("email", "crm", "phone")


@dataclass(frozen=True, slots=True)
class PersonName:
    """A name in comparable form: folded to lower-case ASCII letters, spaces squeezed."""

    first: str
    last: str

    @property
    def full(self) -> str:
        return f"{self.first} {self.last}".strip()

    def to_text(self) -> str:
        return f"{self.first}\t{self.last}"

    @classmethod
    def from_text(cls, text: str) -> PersonName:
        first, _, last = text.partition("\t")
        return cls(first, last)


@dataclass(frozen=True, slots=True)
class MatchKeys:
    keys: tuple[str, ...]  # deterministic keys, strongest first
    block: str | None  # corporate email domain: where the fuzzy pass may look
    name: PersonName | None  # what the fuzzy pass compares

    @property
    def primary(self) -> str | None:
        return self.keys[0] if self.keys else None


def record_key(ref: RecordRef) -> str:
    """The key of a record that holds no deterministic key: a person of its own."""
    return f"record:{ref.source}:{ref.source_id}"


@lru_cache(maxsize=65536)
def lead_id_for(key: str) -> str:
    """A new lead's id, derived from the key it was first seen with: the same on every machine."""
    return uuid.uuid5(_NAMESPACE, key).hex


def key_kind(key: str) -> str:
    return key.split(":", 1)[0]


@lru_cache(maxsize=65536)
def fold(text: str) -> str:
    """Lower-case ASCII letters and single spaces: 'José  O'Neil-Smith' → 'jose oneil smith'."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    letters = "".join(c if c.isalnum() else (" " if c in " -_." else "") for c in decomposed if c.isascii())
    return " ".join(letters.split())


def person_name(first: str | None, last: str | None) -> PersonName | None:
    f, lst = fold(first or ""), fold(last or "")
    return PersonName(f, lst) if f and lst else None


def salesforce_id18(raw: str) -> str:
    """Salesforce ids come in a case-sensitive 15-character and a case-safe 18-character form;
    exports mix them, so the key always uses the 18-character one (Salesforce's own checksum)."""
    text = raw.strip()
    if len(text) != 15 or not text.isalnum():
        return text
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"
    suffix = ""
    for start in (0, 5, 10):
        bits = sum(1 << i for i, c in enumerate(text[start : start + 5]) if c.isupper())
        suffix += alphabet[bits]
    return text + suffix


def _valid(values: Mapping[str, FieldValue], name: str) -> object | None:
    fv = values.get(name)
    return fv.value if fv is not None and fv.invalid is None else None


def match_keys(values: Mapping[str, FieldValue]) -> MatchKeys:
    """The deterministic keys, blocking domain and comparable name of one record's values."""
    keys: list[str] = []
    email = _valid(values, "email")
    first, last = _valid(values, "first_name"), _valid(values, "last_name")
    name = person_name(first, last) if first or last else None  # type: ignore[arg-type]
    block = None
    if isinstance(email, str):
        if name is not None and is_role_address(email):
            # info@ or sales@ is a mailbox several people write from: with a name, the pair is
            # the person; without one, the mailbox is all there is to go on.
            keys.append(f"email:{identity_email(email)}:{name.last}:{name.first[:1]}")
        else:
            keys.append(f"email:{identity_email(email)}")
        if email_class(email) == "corporate":
            block = registrable_domain(email)
    hubspot = _valid(values, "hubspot_id")
    if hubspot:
        keys.append(f"crm:hubspot:{str(hubspot).strip()}")
        keys.extend(f"crm:hubspot:{str(alias).strip()}" for alias in _valid(values, "merged_crm_ids") or ())
    salesforce = _valid(values, "salesforce_id")
    if salesforce:
        keys.append(f"crm:salesforce:{salesforce_id18(str(salesforce))}")
    phone = _valid(values, "phone")
    if phone and name is not None:
        keys.append(f"phone:{phone}:{name.last}:{name.first[:1]}")
    return MatchKeys(tuple(dict.fromkeys(keys)) if len(keys) > 1 else tuple(keys), block, name)


@lru_cache(maxsize=65536)
def _first_names(first: str) -> frozenset[str]:
    """A first name with its known nicknames and the names it is a nickname of."""
    return frozenset({first} | _NICKNAMES.nicknames_of(first) | _NICKNAMES.canonicals_of(first))


def name_score(a: PersonName, b: PersonName) -> float:
    """0-100: how likely two names are the same person's. Nicknames count as the same first name
    (Bob and Robert), typos lower the score in proportion to the edits (rapidfuzz's ratio)."""
    if a == b:
        return 100.0
    full = fuzz.ratio(a.full, b.full)
    if a.first in _first_names(b.first) or b.first in _first_names(a.first):
        return max(full, fuzz.ratio(a.last, b.last))
    return full


def identity_key(ref: RecordRef, email: str | None) -> str:
    """A record's own strongest key from its email alone (kept for normalize_record's annotation)."""
    return f"email:{identity_email(email)}" if email else record_key(ref)
