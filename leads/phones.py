"""Phone numbers to E.164 with phonenumbers (Google's libphonenumber metadata).

A number written without "+" only means something in a country: "030 123456" is Berlin with the
region DE and nothing without one. The caller passes the lead's own country as the region.
Validity is `is_valid_number` (the number falls in an assigned range), not merely
`is_possible_number` (its length fits); the reason says which check failed. E.164 carries no
extension, so "ext. 12" is dropped from the stored value.
"""

from __future__ import annotations

from collections import OrderedDict
from functools import lru_cache
from threading import Lock

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberFormat, PhoneNumberType, ValidationResult

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


class _TypeMemo:
    """A bounded LRU of E.164 → type, seeded by normalize_phone, which has the parsed number at hand.

    Parsing costs ~20 µs, and derive_fields asks for the type of the very numbers normalization
    has just validated; this spares it a second parse.
    """

    def __init__(self, maxsize: int) -> None:
        self._data: OrderedDict[str, str] = OrderedDict()
        self._maxsize = maxsize
        self._lock = Lock()  # tasks may normalize in threads

    def get(self, key: str) -> str | None:
        with self._lock:
            value = self._data.get(key)
            if value is not None:
                self._data.move_to_end(key)
            return value

    def put(self, key: str, value: str) -> None:
        with self._lock:
            self._data[key] = value
            self._data.move_to_end(key)
            if len(self._data) > self._maxsize:
                self._data.popitem(last=False)


_TYPE_MEMO = _TypeMemo(maxsize=16384)


@lru_cache(maxsize=8192)
def normalize_phone(raw: str, region: str | None) -> tuple[str, str | None]:
    """(E.164, None) when valid, else (raw, reason). region: the ISO alpha-2 country, or None.

    Phones are nearly unique per lead, so the memo is small.
    """
    text = raw.strip()
    where = f" in {region}" if region else ""
    if not text.startswith(_PLUS) and region is None:
        return raw, "not a phone number in international form (+...) and the lead's country is unknown"
    try:
        number = phonenumbers.parse(text, region)
    except NumberParseException as exc:
        why = _PARSE_ERRORS.get(exc.error_type, "it cannot be parsed")
        return raw, f"not a valid phone number{where}: {why}"
    if phonenumbers.is_valid_number(number):
        e164 = phonenumbers.format_number(number, PhoneNumberFormat.E164)
        if _TYPE_MEMO.get(e164) is None:
            _TYPE_MEMO.put(e164, _type_name(number))
        return e164, None
    possible = phonenumbers.is_possible_number_with_reason(number)
    if possible in (ValidationResult.IS_POSSIBLE, ValidationResult.IS_POSSIBLE_LOCAL_ONLY):
        return raw, f"not a valid phone number{where}: its length is possible but no such number is assigned"
    return raw, f"not a valid phone number{where}: {_NOT_POSSIBLE.get(possible, 'it is not possible')}"


def phone_type(e164: str) -> str:
    """mobile | fixed_line | fixed_line_or_mobile | toll_free | voip | ... | unknown, for an E.164 number."""
    known = _TYPE_MEMO.get(e164)
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
