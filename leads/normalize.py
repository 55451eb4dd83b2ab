"""Turn a source's mapped values into clean, typed field values.

Cleaning is deliberately conservative: whitespace and placeholder values go, emails are validated
(syntax only, no DNS) and normalized, names get sane casing, booleans, integers, lists,
timestamps and stages are parsed, countries become pycountry's canonical name and phones E.164
(in the record's own country when written without "+"). A value that fails is kept raw with the
reason. Every parser is memoised by input value, because exports repeat the same countries,
titles and companies thousands of times.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any

from nameparser import HumanName
from nameparser.config import CONSTANTS as _NAME_CONSTANTS

from leads.emails import validate_address
from leads.fields import FIELD_KINDS, Kind
from leads.geo import country
from leads.identity import identity_key
from leads.lifecycle import Stage, parse_stage, stage_key
from leads.model import FieldValue, NormalizedRecord, RecordRef
from leads.phones import normalize_phone
from leads.timeparse import parse_timestamp

# Values exports use to mean "nothing here". Compared lowercased.
PLACEHOLDERS = frozenset(
    {
        "",
        "-",
        "--",
        "---",
        ".",
        "?",
        "n/a",
        "na",
        "n.a.",
        "none",
        "null",
        "nil",
        "undefined",
        "unknown",
        "test",
        "select",
        "select...",
        "please select",
        "not provided",
        "#n/a",
    }
)
_TRUE = frozenset({"true", "yes", "y", "1", "t", "on"})
_FALSE = frozenset({"false", "no", "n", "0", "f", "off"})
_INT = re.compile(r"[+-]?[0-9]+")
_GROUPED_INT = re.compile(r"[+-]?[0-9]{1,3}(?:[, ][0-9]{3})+")  # 1,234,567 or 1 234 567
_WHOLE_DECIMAL = re.compile(r"[+-]?[0-9]+\.0+")  # 42.0: a spreadsheet's integer
_LIST_SEPARATORS = re.compile(r"[;,]")


@dataclass(frozen=True, slots=True)
class Rejected:
    """A record that cannot be identified or contacted at all: it goes to quarantine."""

    reason: str


Parsed = tuple[Any, str | None]  # (value, None) valid, (raw, reason) invalid, (None, None) blank


# Memo sizes follow how often values repeat: cleaned text and names repeat a lot (countries,
# titles, companies); emails and phones almost never, so their memos stay small to bound memory.
def _clean(raw: str) -> str | None:
    # str.split() splits on exactly the characters re's \s matches (str.isspace), only faster.
    text = " ".join(raw.split())
    return None if text.lower() in PLACEHOLDERS else text


def _cased(raw: str) -> str | None:
    text = _clean(raw)
    if text is None:
        return None
    # Fix only what is clearly shouting or lazy; "McDonald" or "van der Berg" stay as typed.
    if text.isupper() or text.islower():
        text = text.title().replace("'S ", "'s ")
    return text


@lru_cache(maxsize=65536)
def clean_text(raw: str) -> str | None:
    """Whitespace collapsed and trimmed; None for blanks and placeholders such as "N/A"."""
    return _clean(raw)


@lru_cache(maxsize=65536)
def clean_name(raw: str) -> str | None:
    """clean_text, then title case when the name was typed all upper or all lower case."""
    return _cased(raw)


@lru_cache(maxsize=4096)
def normalize_email(raw: str) -> tuple[str | None, str | None]:
    """(normalized address, None) or (None, reason). The domain is lowercased, the local part kept.

    Validation is email-validator's (leads.emails.validate_address: the same verdict and result
    as validate_email without DNS, with the domain check memoised per domain).
    """
    text = clean_text(raw)
    if text is None:
        return None, None
    return validate_address(text)


def normalize_country(text: str) -> Parsed:
    """(canonical country name, None), e.g. "usa" → "United States", or (text, reason)."""
    found = country(text)
    return (found[1], None) if found else (text, f"unknown country {_shown(text)}")


def _shown(text: str) -> str:
    """A value as quoted in a reason, cut short: a reason names the value, it does not copy it."""
    return repr(text) if len(text) <= 80 else repr(text[:80]) + "…"


def region_for_phone(country_value: str | None) -> str | None:
    """The ISO alpha-2 region a record's phone is read in: its own valid country, else none."""
    found = country(country_value) if country_value else None
    return found[0] if found else None


def parse_int(text: str) -> int:
    """An integer written as 42, +42, 1,234, 1 234 or 42.0; ValueError otherwise."""
    if _INT.fullmatch(text):
        return int(text)
    if _GROUPED_INT.fullmatch(text):
        return int(text.replace(",", "").replace(" ", ""))
    if _WHOLE_DECIMAL.fullmatch(text):
        return int(text.partition(".")[0])
    raise ValueError(f"not an integer: {text!r}")


def _parse_bool(text: str) -> bool:
    low = text.lower()
    if low in _TRUE:
        return True
    if low in _FALSE:
        return False
    raise ValueError(f"not a boolean: {text!r}")


def _clean_items(items: Iterable[Any]) -> tuple[str, ...]:
    """Items cleaned, blanks dropped, duplicates dropped, order kept."""
    out: dict[str, None] = {}
    for item in items:
        if item is None or isinstance(item, _CONTAINERS):
            continue
        text = clean_text(_as_text(item))
        if text is not None:
            out[text] = None
    return tuple(out)


# --- per-kind parsers of one raw string, memoised by it -------------------------------------------


@lru_cache(maxsize=65536)
def _text(raw: str) -> Parsed:
    return _clean(raw), None


@lru_cache(maxsize=65536)
def _name(raw: str) -> Parsed:
    return _cased(raw), None


@lru_cache(maxsize=65536)
def _url(raw: str) -> Parsed:
    text = _clean(raw)
    return (text.lower() if text is not None else None), None


@lru_cache(maxsize=4096)
def _email(raw: str) -> Parsed:
    text = _clean(raw)
    if text is None:
        return None, None
    email, reason = validate_address(text)
    return (email, None) if reason is None else (text, reason)


@lru_cache(maxsize=16384)
def _country(raw: str) -> Parsed:
    text = clean_text(raw)
    return normalize_country(text) if text is not None else (None, None)


@lru_cache(maxsize=1024)
def _bool(raw: str) -> Parsed:
    text = clean_text(raw)
    if text is None:
        return None, None
    try:
        return _parse_bool(text), None
    except ValueError as exc:
        return text, str(exc)


@lru_cache(maxsize=4096)
def _int(raw: str) -> Parsed:
    text = clean_text(raw)
    if text is None:
        return None, None
    try:
        return parse_int(text), None
    except ValueError as exc:
        return text, str(exc)


@lru_cache(maxsize=16384)
def _list(raw: str) -> tuple[str, ...]:
    return _clean_items(_LIST_SEPARATORS.split(raw))


@lru_cache(maxsize=4096)
def _stage(raw: str) -> Parsed:
    """The stage with the built-in spellings only; configured aliases are looked up first."""
    text = clean_text(raw)
    if text is None:
        return None, None
    stage = parse_stage(text)
    return (stage.value, None) if stage else (text, f"unknown lifecycle stage {_shown(text)}")


_stage_key = lru_cache(maxsize=4096)(stage_key)

_BY_TEXT: dict[Kind, Callable[[str], Parsed]] = {
    Kind.TEXT: _text,
    Kind.NAME: _name,
    Kind.URL: _url,
    Kind.EMAIL: _email,
    Kind.COUNTRY: _country,
    Kind.BOOL: _bool,
    Kind.INT: _int,
}
_CONTAINERS = (list, tuple, dict)
_MEMO_MAX_CHARS = 512
# Field name → its kind's memoised parser of one string, for the kinds normalize_value hands to one.
# Record ids are unique per record: memoising them would only push repeating values out of the memo.
_RECORD_IDS = frozenset({"hubspot_id", "salesforce_id", "gclid"})
_TEXT_PARSERS: dict[str, Callable[[str], Parsed]] = {
    name: _BY_TEXT[kind].__wrapped__ if name in _RECORD_IDS else _BY_TEXT[kind]  # type: ignore[attr-defined]
    for name, kind in FIELD_KINDS.items()
    if kind in _BY_TEXT
}


def normalize_value(
    kind: Kind,
    raw: Any,
    stage_aliases: dict[str, Stage] | None = None,
    tz: str = "UTC",
    region: str | None = None,
) -> Parsed:
    """(value, None) when valid, (raw, reason) when not, (None, None) when blank.

    region: the ISO alpha-2 country a phone without "+" is read in (Kind.PHONE only).
    """
    if raw.__class__ is not str:
        if isinstance(raw, _CONTAINERS):
            if kind is Kind.LIST and not isinstance(raw, dict):
                items = _clean_items(raw)
                return (list(items), None) if items else (None, None)
            return (raw, f"expected a single value, got a {type(raw).__name__}") if raw else (None, None)
        if kind is Kind.BOOL and isinstance(raw, bool):
            return raw, None
        if kind is Kind.INT and isinstance(raw, int | float) and not isinstance(raw, bool):
            if isinstance(raw, float) and not (math.isfinite(raw) and raw.is_integer()):
                return raw, f"not an integer: {raw!r}"
            return int(raw), None
        raw = _as_text(raw)
    parser = _BY_TEXT.get(kind)
    if parser is not None:
        return _memoised(parser, raw)
    if kind is Kind.LIST:
        items = _memoised(_list, raw)
        return (list(items), None) if items else (None, None)
    text = _clean(raw)  # phones and timestamps are near unique: their own memos suffice
    if text is None:
        return None, None
    if kind is Kind.PHONE:
        if len(text) <= _MEMO_MAX_CHARS:
            phone, reason = normalize_phone(text, region)
        else:
            phone, reason = normalize_phone.__wrapped__(text, region)
        return (phone, None) if reason is None else (text, reason)
    if kind is Kind.DATETIME:
        try:
            return parse_timestamp(text, tz=tz), None
        except ValueError as exc:
            return text, str(exc)
    if kind is Kind.STAGE:
        if stage_aliases:
            alias = stage_aliases.get(_stage_key(text))
            if alias is not None:
                return alias.value, None
        return _memoised(_stage, text)
    return text, None


def _memoised(parser: Callable[[str], Any], raw: str) -> Any:
    """parser(raw), bypassing its memo for overlong values, which never repeat and would only hold memory."""
    return parser(raw) if len(raw) <= _MEMO_MAX_CHARS else parser.__wrapped__(raw)  # type: ignore[attr-defined]


def _as_text(raw: Any) -> str:
    """Exports send numbers and booleans where text is expected: 3.5 → "3.5", True → "true"."""
    if isinstance(raw, str):
        return raw
    if isinstance(raw, bool):
        return str(raw).lower()
    return str(raw)


# --- names ----------------------------------------------------------------------------------------

# Words that make nameparser do more than "first last": titles, suffixes, prefixes, conjunctions.
_NAME_WORDS = frozenset(
    w.lower()
    for group in (
        _NAME_CONSTANTS.titles,
        _NAME_CONSTANTS.first_name_titles,
        _NAME_CONSTANTS.suffix_acronyms,
        _NAME_CONSTANTS.suffix_not_acronyms,
        _NAME_CONSTANTS.prefixes,
        _NAME_CONSTANTS.conjunctions,
    )
    for w in group
)
_PLAIN_WORD = re.compile(r"[^\W\d_]{2,}")  # letters only, at least two
_ROMAN = frozenset("ivxlcdm")  # a word of these alone may be a generation ("Jane Doe III", "Jane x")


def _plain_two_words(full_name: str) -> tuple[str, str] | None:
    """The two words of a name nameparser would split trivially, else None.

    HumanName costs ~200 µs per name (nameparser 2.6's pipeline), and most full names are just
    "First Last": two capitalised words of letters ("Jane", not "JD" or "x"), neither a title,
    suffix, prefix or conjunction, nor a possible roman numeral. For those nameparser's answer
    is (first word, second word); tests/leads/test_normalize.py checks that against HumanName.
    """
    words = full_name.split()
    if len(words) != 2:
        return None
    for word in words:
        low = word.lower()
        if (
            not _PLAIN_WORD.fullmatch(word)
            or not word[0].isupper()
            or not word[1:].islower()
            or low in _NAME_WORDS
            or _ROMAN.issuperset(low)
        ):
            return None
    return words[0], words[1]


@lru_cache(maxsize=16384)
def split_full_name(full_name: str) -> tuple[str | None, str | None]:
    plain = _plain_two_words(full_name)
    if plain is not None:
        return plain
    name = HumanName(full_name)
    return (name.first or None), (name.last or None)


# --- records --------------------------------------------------------------------------------------


def normalize_record(
    ref: RecordRef,
    observed_at: datetime,
    mapped: dict[str, Any],
    stage_aliases: dict[str, Stage] | None = None,
    tz: str = "UTC",
) -> NormalizedRecord | Rejected:
    """Normalize one record's mapped values and give it its identity key.

    A phone written without "+" is read in the record's own country. A record with neither a
    valid email nor a valid phone cannot be identified or contacted: it is Rejected, saying why.
    """
    region = None
    raw_country = mapped.get("country")
    if raw_country is not None:
        if raw_country.__class__ is str and len(raw_country) <= _MEMO_MAX_CHARS:
            place, reason = _country(raw_country)
        else:
            place, reason = normalize_value(Kind.COUNTRY, raw_country)
        region = region_for_phone(place) if reason is None else None
    values: dict[str, FieldValue] = {}
    source = ref.source
    parsers = _TEXT_PARSERS
    for name, raw in mapped.items():
        if raw is None:
            continue
        parser = parsers.get(name)
        if parser is not None and raw.__class__ is str and len(raw) <= _MEMO_MAX_CHARS:
            value, reason = parser(raw)  # what normalize_value does for this kind, without its dispatch
        else:
            value, reason = normalize_value(FIELD_KINDS[name], raw, stage_aliases, tz, region)
        if value is not None:
            values[name] = FieldValue(value, source, observed_at, reason)
    _fill_name_parts(values, source, observed_at)

    email = values.get("email")
    phone = values.get("phone")
    has_email = email is not None and email.is_valid
    if not has_email and (phone is None or not phone.is_valid):
        why_email = f"email {email.invalid}" if email is not None else "no email"
        why_phone = f"phone {phone.invalid}" if phone is not None else "no phone"
        return Rejected(f"cannot be identified or contacted: {why_email} and {why_phone}")
    return NormalizedRecord(ref, observed_at, values, identity_key(ref, email.value if has_email else None))


def _fill_name_parts(values: dict[str, FieldValue], source: str, observed_at: datetime) -> None:
    """Ad forms often ask only for a full name; derive first and last from it (and vice versa)."""
    full = values.get("full_name")
    if full is not None and ("first_name" not in values or "last_name" not in values):
        first, last = split_full_name(full.value)
        if first and "first_name" not in values:
            values["first_name"] = FieldValue(first, source, observed_at)
        if last and "last_name" not in values:
            values["last_name"] = FieldValue(last, source, observed_at)
    elif full is None and ("first_name" in values or "last_name" in values):
        parts = [values[n].value for n in ("first_name", "last_name") if n in values]
        values["full_name"] = FieldValue(" ".join(parts), source, observed_at)
