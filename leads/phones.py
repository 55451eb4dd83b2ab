"""Phone numbers to E.164 with phonenumbers (Google's libphonenumber metadata).

A number written without "+" only means something in a country: "030 123456" is Berlin with the
region DE and nothing without one. The caller passes the lead's own country as the region.
Validity is `is_valid_number` (the number falls in an assigned range), not merely
`is_possible_number` (its length fits); the reason says which check failed. E.164 carries no
extension, so "ext. 12" is dropped from the stored value.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from collections.abc import Hashable
from functools import lru_cache
from threading import Lock

import phonenumbers
from phonenumbers import (
    REGION_CODE_FOR_NON_GEO_ENTITY,
    NumberParseException,
    PhoneMetadata,
    PhoneNumberFormat,
    PhoneNumberType,
    ValidationResult,
)
from phonenumbers.phonenumberutil import _number_type_helper

_PLUS = ("+", "\uff0b")  # phonenumbers also accepts the full-width plus sign

_TYPES: dict[int, str] = {
    PhoneNumberType.FIXED_LINE: "fixed_line",
    PhoneNumberType.MOBILE: "mobile",
    PhoneNumberType.FIXED_LINE_OR_MOBILE: "fixed_line_or_mobile",
    PhoneNumberType.TOLL_FREE: "toll_free",
    PhoneNumberType.PREMIUM_RATE: "premium_rate",
    PhoneNumberType.SHARED_COST: "shared_cost",
    PhoneNumberType.VOIP: "voip",
    PhoneNumberType.PERSONAL_NUMBER: "personal_number",
    PhoneNumberType.PAGER: "pager",
    PhoneNumberType.UAN: "uan",
    PhoneNumberType.VOICEMAIL: "voicemail",
    PhoneNumberType.UNKNOWN: "unknown",
}

_NOT_POSSIBLE: dict[int, str] = {
    ValidationResult.INVALID_COUNTRY_CODE: "its country calling code is unknown",
    ValidationResult.TOO_SHORT: "it is too short",
    ValidationResult.TOO_LONG: "it is too long",
    ValidationResult.INVALID_LENGTH: "its length fits no number there",
}

_PARSE_ERRORS: dict[int, str] = {
    NumberParseException.INVALID_COUNTRY_CODE: "its country calling code is unknown",
    NumberParseException.NOT_A_NUMBER: "it does not look like a phone number",
    NumberParseException.TOO_SHORT_AFTER_IDD: "it is too short after the international prefix",
    NumberParseException.TOO_SHORT_NSN: "it is too short",
    NumberParseException.TOO_LONG: "it is too long",
}


class _Memo:
    """A bounded memo shared by threads (tasks may normalize in threads); the oldest entry goes first.

    A read is one dict lookup (atomic), without the lock and the reordering an LRU would need.
    """

    def __init__(self, maxsize: int) -> None:
        self._data: OrderedDict[Hashable, str] = OrderedDict()
        self._maxsize = maxsize
        self._lock = Lock()

    def get(self, key: Hashable) -> str | None:
        return self._data.get(key)

    def put(self, key: Hashable, value: str) -> None:
        with self._lock:
            self._data[key] = value
            if len(self._data) > self._maxsize:
                self._data.popitem(last=False)


# E.164 → type of the numbers normalize_phone found valid (written by it alone): validity and type
# are functions of the E.164 number, so another spelling of it needs no second check, and
# derive_fields asks for the type of the very numbers normalization has just validated.
_VALID_MEMO = _Memo(maxsize=65536)
_TYPE_MEMO = _Memo(maxsize=16384)  # phone_type of numbers normalization has not seen
# (digits key, region) → E.164 of a valid number, so that the spellings of one number
# ("+1 415-555-2671", "+1.415.555.2671", "+14155552671") share one parse (~15 µs).
_E164_MEMO = _Memo(maxsize=65536)

# Text phonenumbers reads as its digits alone: ASCII digits, the punctuation " .-()" and at most
# one leading "+" (after an optional "("), no extension, within parse's 250 characters. For such
# text parse() sees only the digits and whether a "+" leads them: it drops the punctuation
# (_normalize), and no extension or second-number pattern can match without a letter, "#", ","
# or ";". So its result is a function of the key below and the region.
_PLAIN = re.compile(r"\(?\+?[0-9][0-9 .()\-]*")
_PUNCTUATION = str.maketrans("", "", " .()-")
_MAX_PARSED = 250  # phonenumbers' _MAX_INPUT_STRING_LENGTH: longer text is too long


def _digits_key(text: str) -> str | None:
    """The digits of plain phone text, with its "+" if it has one; None for any other text."""
    if len(text) > _MAX_PARSED or not _PLAIN.fullmatch(text):
        return None
    return text.translate(_PUNCTUATION)


@lru_cache(maxsize=8192)
def normalize_phone(raw: str, region: str | None) -> tuple[str, str | None]:
    """(E.164, None) when valid, else (raw, reason). region: the ISO alpha-2 country, or None.

    Phones are nearly unique per lead, so the memo of raw values is small; the spellings of a
    number already seen valid share _E164_MEMO.
    """
    text = raw.strip()
    where = f" in {region}" if region else ""
    if not text.startswith(_PLUS) and region is None:
        return raw, "not a phone number in international form (+...) and the lead's country is unknown"
    key = _digits_key(text)
    if key is not None:
        known = _E164_MEMO.get((key, region))
        if known is not None:
            return known, None
    try:
        number = phonenumbers.parse(text, region)
    except NumberParseException as exc:
        why = _PARSE_ERRORS.get(exc.error_type, "it cannot be parsed")
        return raw, f"not a valid phone number{where}: {why}"
    e164 = phonenumbers.format_number(number, PhoneNumberFormat.E164)
    kind = _VALID_MEMO.get(e164) or _valid_type(number)
    if kind is not None:
        _VALID_MEMO.put(e164, kind)
        if key is not None:
            _E164_MEMO.put((key, region), e164)
        return e164, None
    possible = phonenumbers.is_possible_number_with_reason(number)
    if possible in (ValidationResult.IS_POSSIBLE, ValidationResult.IS_POSSIBLE_LOCAL_ONLY):
        return raw, f"not a valid phone number{where}: its length is possible but no such number is assigned"
    return raw, f"not a valid phone number{where}: {_NOT_POSSIBLE.get(possible, 'it is not possible')}"


def _valid_type(number: phonenumbers.PhoneNumber) -> str | None:
    """The type of a valid number, None for an invalid one: is_valid_number and number_type at once.

    Both find the number's region and test the number against that region's patterns (~8 µs
    each, most of it the same _number_type_helper call). This does what is_valid_number does
    (is_valid_number_for_region in its region) and keeps the type it found, which is what
    number_type answers for a valid number; tests/leads/test_geo_phones.py checks both.
    """
    region = phonenumbers.region_code_for_number(number)
    if region is None:
        return None
    country_code = number.country_code
    metadata = PhoneMetadata.metadata_for_region_or_calling_code(country_code, region.upper())
    if metadata is None or (
        region != REGION_CODE_FOR_NON_GEO_ENTITY and country_code != phonenumbers.country_code_for_valid_region(region)
    ):
        return None
    kind = _number_type_helper(phonenumbers.national_significant_number(number), metadata)
    return None if kind == PhoneNumberType.UNKNOWN else _TYPES.get(kind, "unknown")


def phone_type(e164: str) -> str:
    """mobile | fixed_line | fixed_line_or_mobile | toll_free | voip | ... | unknown, for an E.164 number."""
    known = _VALID_MEMO.get(e164) or _TYPE_MEMO.get(e164)
    if known is not None:
        return known
    try:
        kind = _type_name(phonenumbers.parse(e164, None))
    except NumberParseException:
        kind = "unknown"
    _TYPE_MEMO.put(e164, kind)
    return kind


def _type_name(number: phonenumbers.PhoneNumber) -> str:
    return _TYPES.get(phonenumbers.number_type(number), "unknown")
