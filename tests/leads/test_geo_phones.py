"""leads.geo, leads.phones and leads.companies: countries, regions, E.164 phones, company keys."""

from __future__ import annotations

import phonenumbers
import pycountry
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from phonenumbers import NumberParseException, PhoneNumberFormat

from leads.companies import company_key
from leads.geo import country, subdivision
from leads.phones import _TYPES, _valid_type, normalize_phone, phone_type

# --- countries ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("US", ("US", "United States")),
        ("us", ("US", "United States")),
        ("USA", ("US", "United States")),
        ("U.S.A.", ("US", "United States")),
        ("U.S.", ("US", "United States")),
        ("840", ("US", "United States")),
        ("united states", ("US", "United States")),
        ("United States of America", ("US", "United States")),
        ("America", ("US", "United States")),
        ("DE", ("DE", "Germany")),
        ("Germany", ("DE", "Germany")),
        ("Deutschland", ("DE", "Germany")),
        ("UK", ("GB", "United Kingdom")),
        ("England", ("GB", "United Kingdom")),
        ("Scotland", ("GB", "United Kingdom")),
        ("Great Britain", ("GB", "United Kingdom")),
        ("Holland", ("NL", "Netherlands")),
        ("The Netherlands", ("NL", "Netherlands")),
        ("South Korea", ("KR", "South Korea")),
        ("Korea, Republic of", ("KR", "South Korea")),
        ("Russia", ("RU", "Russian Federation")),
        ("Turkey", ("TR", "Türkiye")),
        ("Cote d'Ivoire", ("CI", "Côte d'Ivoire")),
        ("Ivory Coast", ("CI", "Côte d'Ivoire")),
        ("UAE", ("AE", "United Arab Emirates")),
        ("Czech Republic", ("CZ", "Czechia")),
        ("Viet Nam", ("VN", "Vietnam")),
        ("  germany  ", ("DE", "Germany")),
        ("St. Lucia", ("LC", "Saint Lucia")),
    ],
)
def test_country_from_codes_names_and_aliases(text, expected):
    assert country(text) == expected


@pytest.mark.parametrize("text", ["Narnia", "asdf", "Europe", "EU", "XX", "12345", "", "Germ", "United"])
def test_unknown_country_is_none(text):
    assert country(text) is None


def test_every_country_round_trips_through_its_canonical_name_and_codes():
    for c in pycountry.countries:
        alpha2, name = country(c.alpha_2)
        assert alpha2 == c.alpha_2
        assert country(name) == (alpha2, name)
        assert country(c.alpha_3) == (alpha2, name)
        assert country(c.name) == (alpha2, name)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=60))
def test_country_never_raises_and_its_name_is_a_fixed_point(text):
    found = country(text)
    if found is not None:
        assert country(found[1]) == found


# --- subdivisions ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "alpha2", "expected"),
    [
        ("CA", "US", ("US-CA", "California")),
        ("California", "US", ("US-CA", "California")),
        ("california", "US", ("US-CA", "California")),
        ("US-CA", "US", ("US-CA", "California")),
        ("NY", "us", ("US-NY", "New York")),
        ("Bayern", "DE", ("DE-BY", "Bayern")),
        ("BE", "DE", ("DE-BE", "Berlin")),
        ("England", "GB", ("GB-ENG", "England")),
        ("Ile de France", "FR", ("FR-IDF", "Île-de-France")),
        ("NSW", "AU", ("AU-NSW", "New South Wales")),
        ("Ontario", "CA", ("CA-ON", "Ontario")),
    ],
)
def test_subdivision(text, alpha2, expected):
    assert subdivision(text, alpha2) == expected


@pytest.mark.parametrize(("text", "alpha2"), [("CA", "DE"), ("Narnia", "US"), ("", "US"), ("CA", "XX")])
def test_unknown_subdivision_is_none(text, alpha2):
    assert subdivision(text, alpha2) is None


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=40), st.sampled_from(["US", "DE", "GB", "FR", "XX", "", "us"]))
def test_subdivision_never_raises(text, alpha2):
    found = subdivision(text, alpha2)
    if found is not None:
        assert found[0].startswith(alpha2.upper() + "-")
        assert subdivision(found[1], alpha2) == found


# --- phones ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "region", "e164"),
    [
        ("+1 415 555 2671", None, "+14155552671"),
        ("+1 (415) 555-2671", "DE", "+14155552671"),  # "+" wins over the region
        ("(415) 555-2671", "US", "+14155552671"),
        ("415.555.2671", "US", "+14155552671"),
        ("030 123456", "DE", "+4930123456"),
        ("0049 30 123456", "DE", "+4930123456"),
        ("+44 20 7946 0958", None, "+442079460958"),
        ("020 7946 0958", "GB", "+442079460958"),
        ("+1 415 555 2671 ext. 12", None, "+14155552671"),  # E.164 has no extension
        ("\uff0b1 415 555 2671", None, "+14155552671"),  # full-width plus
    ],
)
def test_valid_phones_become_e164(raw, region, e164):
    assert normalize_phone(raw, region) == (e164, None)


def test_phone_without_region_or_plus_cannot_be_read():
    value, reason = normalize_phone("415 555 2671", None)
    assert value == "415 555 2671"
    assert "international form" in reason and "country is unknown" in reason


@pytest.mark.parametrize(
    ("raw", "region", "why"),
    [
        ("+1 123 456 7890", None, "its length is possible but no such number is assigned"),
        ("+1 415 555", None, "too short"),
        ("12345678901234567890", "US", "too long"),
        ("+999 123", None, "country calling code is unknown"),
        ("hello", "US", "does not look like a phone number"),
    ],
)
def test_invalid_phone_is_kept_raw_with_a_reason(raw, region, why):
    value, reason = normalize_phone(raw, region)
    assert value == raw
    assert reason.startswith("not a valid phone number")
    assert why in reason
    if region:
        assert f"in {region}" in reason


def test_phone_memo_is_per_raw_and_region():
    assert normalize_phone("030 123456", "DE") == ("+4930123456", None)
    assert normalize_phone("030 123456", "DE") == ("+4930123456", None)
    assert normalize_phone.cache_info().hits >= 1
    assert normalize_phone("030 123456", None)[1] is not None  # another region, another answer


@pytest.mark.parametrize(
    ("e164", "kind"),
    [
        ("+18005550199", "toll_free"),
        ("+447400123456", "mobile"),
        ("+4915123456789", "mobile"),
        ("+442079460958", "fixed_line"),
        ("+4930123456", "fixed_line"),
        ("+14155552671", "fixed_line_or_mobile"),
        ("+19005550199", "premium_rate"),
        ("not a phone", "unknown"),
        ("+1", "unknown"),
    ],
)
def test_phone_type(e164, kind):
    assert phone_type(e164) == kind


def test_phone_type_is_the_same_whether_normalization_saw_the_number_or_not():
    fresh = "+447400123457"
    assert phone_type(fresh) == "mobile"  # parsed on demand
    seen, _ = normalize_phone("07400 123458", "GB")  # seeded by normalization
    assert phone_type(seen) == "mobile"


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=40), st.sampled_from([None, "US", "DE", "GB", "AQ", "XX"]))
def test_normalize_phone_never_raises_and_e164_is_a_fixed_point(raw, region):
    value, reason = normalize_phone(raw, region)
    if reason is None:
        assert value.startswith("+") and value[1:].isdigit()
        for other in (None, "US", "DE"):
            assert normalize_phone(value, other) == (value, None)
        assert phone_type(value) != ""
    else:
        assert value == raw


@settings(max_examples=200, deadline=None)
@given(st.from_regex(r"\+?[0-9 ()\-.]{4,20}", fullmatch=True), st.sampled_from([None, "US", "DE", "GB", "FR"]))
def test_phone_shaped_text_normalizes_idempotently(raw, region):
    value, reason = normalize_phone(raw, region)
    if reason is None:
        assert normalize_phone(value, region) == (value, None)


def library_phone(raw: str, region: str | None) -> tuple[str | None, str | None]:
    """What phonenumbers' public API says: (E.164, type) of a valid number, else (None, None)."""
    text = raw.strip()
    if not text.startswith(("+", "\uff0b")) and region is None:
        return None, None
    try:
        number = phonenumbers.parse(text, region)
    except NumberParseException:
        return None, None
    if not phonenumbers.is_valid_number(number):
        return None, None
    kind = _TYPES.get(phonenumbers.number_type(number), "unknown")
    return phonenumbers.format_number(number, PhoneNumberFormat.E164), kind


_PLAIN_PHONES = st.from_regex(r"\(?\+?[0-9][0-9 .()\-]{3,16}", fullmatch=True)
_REGIONS = st.sampled_from([None, "US", "CA", "GB", "DE", "FR", "IT", "RU", "BR", "IN", "AU", "JP"])


@settings(max_examples=400, deadline=None)
@given(st.one_of(_PLAIN_PHONES, st.text(max_size=24)), _REGIONS)
@example("+1 415 555 2671", "US")
@example("+1.415.555.2671", "US")
@example("(415) 555-2671", "US")
@example("+0044 20 7946 0958", "DE")  # "+" then an international prefix: only the region makes sense of it
@example("+44 (0)20 7946 0958", None)
@example("(+49) 30 123456", None)
@example("+39 06 698 8 1234", "IT")  # Italian leading zero
def test_normalize_phone_agrees_with_phonenumbers_whatever_was_seen_before(raw, region):
    e164, kind = library_phone(raw, region)
    for attempt in range(2):  # the second time through the memos of spellings and of E.164 numbers
        value, reason = normalize_phone.__wrapped__(raw, region)
        if e164 is None:
            assert reason is not None and value == raw, attempt
        else:
            assert (value, reason) == (e164, None), attempt
            assert phone_type(value) == kind


@settings(max_examples=200, deadline=None)
@given(_PLAIN_PHONES, _REGIONS)
def test_valid_type_is_is_valid_number_and_number_type_at_once(raw, region):
    try:
        number = phonenumbers.parse(raw, region)
    except NumberParseException:
        return
    kind = _valid_type(number)
    if phonenumbers.is_valid_number(number):
        assert kind == _TYPES[phonenumbers.number_type(number)]
    else:
        assert kind is None


# --- company keys ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("Acme, Inc.", "acme"),
        ("ACME INC", "acme"),
        ("acme inc.", "acme"),
        ("Acme GmbH", "acme"),
        ("Acme Ltd", "acme"),
        ("A.C.M.E. Ltd", "acme"),
        ("Northwind Logistics GmbH", "northwind logistics"),
        ("Northwind   Logistics, LLC", "northwind logistics"),
        ("Coca-Cola Company", "coca cola"),
        ("AT&T Inc.", "att"),
        ("Société Générale SA", "société générale"),
        ("GmbH", "gmbh"),  # nothing but a legal form: kept
        ("   ", None),
        ("...", None),
    ],
)
def test_company_key(name, key):
    assert company_key(name) == key


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=60))
def test_company_key_never_raises(name):
    key = company_key(name)
    assert key is None or (key and key == key.strip() and "  " not in key)
