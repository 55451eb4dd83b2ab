"""leads.normalize: cleaning, typed parsing, name parts, rejection and identity keys."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from leads.fields import FIELD_KINDS, FIELD_NAMES, Kind
from leads.lifecycle import Stage
from leads.model import NormalizedRecord, RecordRef
from leads.normalize import (
    Rejected,
    clean_name,
    clean_text,
    normalize_email,
    normalize_record,
    split_full_name,
)
from leads.timeparse import parse_timestamp

REF = RecordRef("crm", "42")
AT = datetime(2026, 10, 2, 10, 0, tzinfo=UTC)
EMAIL = "person@example.com"


def norm(mapped: dict, **kw) -> NormalizedRecord:
    """Normalize a record that is identifiable (a valid email is added unless given)."""
    mapped = {"email": EMAIL, **mapped}
    result = normalize_record(REF, AT, mapped, **kw)
    assert isinstance(result, NormalizedRecord), result
    return result


# --- cleaning -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "   ",
        "-",
        "--",
        "N/A",
        "n/a",
        "NULL",
        "none",
        "Unknown",
        "test",
        "Select",
        "#N/A",
        " null ",
    ],
)
def test_placeholders_are_blank(raw):
    assert clean_text(raw) is None
    record = norm({"company": raw, "job_title": raw})
    assert "company" not in record.values
    assert "job_title" not in record.values


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("  Acme  ", "Acme"),
        ("Acme   Corp", "Acme Corp"),
        ("\tAcme\n Corp ", "Acme Corp"),
        ("Acme\u00a0 Corp", "Acme Corp"),
    ],
)
def test_whitespace_is_collapsed_and_trimmed(raw, expected):
    assert clean_text(raw) == expected
    assert norm({"company": raw}).valid("company") == expected


def test_text_that_merely_contains_a_placeholder_word_is_kept():
    assert clean_text("Test Automation GmbH") == "Test Automation GmbH"
    assert clean_text("None of the above") == "None of the above"


def test_values_carry_provenance():
    fv = norm({"company": "Acme"}).values["company"]
    assert (fv.value, fv.source, fv.observed_at, fv.invalid) == ("Acme", "crm", AT, None)


def test_missing_none_values_are_skipped():
    record = norm({"company": None, "phone": None})
    assert "company" not in record.values and "phone" not in record.values


# --- email ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("John.Smith@Northwind-Logistics.COM", "John.Smith@northwind-logistics.com"),
        ("  jane@EXAMPLE.org ", "jane@example.org"),
        ("UPPER.CASE@GMAIL.COM", "UPPER.CASE@gmail.com"),
        ("j.o.h.n+ads@gmail.com", "j.o.h.n+ads@gmail.com"),
    ],
)
def test_valid_email_domain_lowercased_local_part_kept(raw, expected):
    assert normalize_email(raw) == (expected, None)
    fv = norm({"email": raw}).values["email"]
    assert fv.value == expected
    assert fv.is_valid


@pytest.mark.parametrize(
    "raw",
    [
        "jane.doe@",
        "bob at example.com",
        "x@@y.com",
        "maria.garcia@gmail",
        "@nordlicht-software.de",
        "l.martin@lumiere-analytique,fr",
        "anna.schmidt@gmx .de",
    ],
)
def test_invalid_email_is_kept_raw_with_reason_and_not_valid(raw):
    address, reason = normalize_email(raw)
    assert address is None
    assert reason and reason.startswith("not a valid email address")
    record = normalize_record(REF, AT, {"email": raw, "phone": "+1 415 555 0100"})
    assert isinstance(record, NormalizedRecord)
    fv = record.values["email"]
    assert fv.value == clean_text(raw)  # the raw text (whitespace-cleaned), not dropped
    assert fv.invalid == reason
    assert not fv.is_valid
    assert record.valid("email") is None


def test_placeholder_email_is_blank_not_invalid():
    assert normalize_email("N/A") == (None, None)
    record = normalize_record(REF, AT, {"email": "none", "phone": "+1 415 555 0100"})
    assert isinstance(record, NormalizedRecord)
    assert "email" not in record.values


# --- names ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("JOHN", "John"),
        ("john", "John"),
        ("mary ann", "Mary Ann"),
        ("O'NEIL", "O'Neil"),
        ("McDonald", "McDonald"),  # mixed case is left as typed
        ("van der Berg", "van der Berg"),
        ("DuBois", "DuBois"),
        ("  JOHN  ", "John"),
    ],
)
def test_name_casing_fixed_only_when_all_upper_or_all_lower(raw, expected):
    assert clean_name(raw) == expected
    assert norm({"first_name": raw}).valid("first_name") == expected


def test_name_placeholder_is_blank():
    assert clean_name("unknown") is None


@pytest.mark.parametrize(
    ("full", "first", "last"),
    [
        ("Jane Doe", "Jane", "Doe"),
        ("Dr. Amelia Hart", "Amelia", "Hart"),
        ("James Whitaker Jr.", "James", "Whitaker"),
        ("Prof. Henrik Sørensen", "Henrik", "Sørensen"),
        ("Mrs. Olivia Grant", "Olivia", "Grant"),
        ("DR. JOHN SMITH JR.", "John", "Smith"),
        ("liam o'connor", "Liam", "O'Connor"),
    ],
)
def test_full_name_is_split_into_first_and_last(full, first, last):
    record = norm({"full_name": full})
    assert record.valid("first_name") == first
    assert record.valid("last_name") == last
    # the full name itself is kept (with casing fixed when it was shouting or lazy)
    assert record.valid("full_name") == clean_name(full)


def test_explicit_first_and_last_are_not_overwritten_by_the_split():
    record = norm({"full_name": "Jane Doe", "first_name": "Janet"})
    assert record.valid("first_name") == "Janet"
    assert record.valid("last_name") == "Doe"
    assert record.valid("full_name") == "Jane Doe"


def test_first_and_last_are_joined_into_full_name():
    record = norm({"first_name": "jane", "last_name": "DOE"})
    assert record.valid("full_name") == "Jane Doe"
    assert record.values["full_name"].source == "crm"


def test_only_a_first_name_gives_that_as_full_name():
    assert norm({"first_name": "Jane"}).valid("full_name") == "Jane"
    assert norm({"last_name": "Doe"}).valid("full_name") == "Doe"


def test_no_name_at_all_gives_no_name_fields():
    record = norm({"company": "Acme"})
    assert not {"first_name", "last_name", "full_name"} & set(record.values)


# --- booleans, datetimes, stages ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("true", True),
        ("Yes", True),
        ("Y", True),
        ("1", True),
        ("on", True),
        (True, True),
        (1, True),
        ("false", False),
        ("NO", False),
        ("n", False),
        ("0", False),
        ("off", False),
        (False, False),
        (0, False),
    ],
)
def test_booleans_are_parsed(raw, expected):
    fv = norm({"is_organic": raw}).values["is_organic"]
    assert fv.value is expected
    assert fv.is_valid


@pytest.mark.parametrize("raw", ["maybe", "yes please", "2"])
def test_invalid_boolean_is_kept_raw_with_reason(raw):
    fv = norm({"do_not_contact": raw}).values["do_not_contact"]
    assert fv.value == raw
    assert fv.invalid == f"not a boolean: {raw!r}"


def test_datetimes_are_parsed_to_aware_utc_in_the_given_timezone():
    record = norm({"created_at": "2026-07-01 12:00"}, tz="Europe/Berlin")
    assert record.valid("created_at") == datetime(2026, 7, 1, 10, 0, tzinfo=UTC)
    record = norm({"created_at": "2026-10-14T08:02:54+0000"})
    assert record.valid("created_at") == datetime(2026, 10, 14, 8, 2, 54, tzinfo=UTC)


@pytest.mark.parametrize("raw", ["tuesday", "12", "not a date", "last tuesday"])
def test_invalid_datetime_is_kept_raw_with_reason(raw):
    fv = norm({"created_at": raw}).values["created_at"]
    assert fv.value == raw
    assert fv.invalid and raw in fv.invalid
    assert not fv.is_valid


@pytest.mark.parametrize(
    ("raw", "stage"),
    [
        ("Lead", Stage.LEAD),
        ("marketingqualifiedlead", Stage.MQL),
        ("Marketing Qualified Lead", Stage.MQL),
        ("sales-qualified-lead", Stage.SQL),
        ("Closed Won", Stage.CUSTOMER),
        ("SUBSCRIBER", Stage.SUBSCRIBER),
    ],
)
def test_stages_are_parsed(raw, stage):
    fv = norm({"lifecycle_stage": raw}).values["lifecycle_stage"]
    assert fv.value == stage.value
    assert fv.is_valid


def test_unknown_stage_is_kept_raw_with_reason():
    fv = norm({"lifecycle_stage": "Nurture"}).values["lifecycle_stage"]
    assert fv.value == "Nurture"
    assert fv.invalid == "unknown lifecycle stage 'Nurture'"


def test_stage_aliases_extend_the_known_spellings():
    fv = norm({"lifecycle_stage": "Nurture"}, stage_aliases={"nurture": Stage.SUBSCRIBER}).values["lifecycle_stage"]
    assert (fv.value, fv.invalid) == ("subscriber", None)


def test_numbers_become_text_for_text_fields():
    record = norm({"campaign_id": 120211045890030221, "company": 3.5})
    assert record.valid("campaign_id") == "120211045890030221"
    assert record.valid("company") == "3.5"


def test_urls_are_lowercased():
    assert norm({"website": " HTTPS://Acme.EXAMPLE/Path "}).valid("website") == "https://acme.example/path"


# --- rejection and identity -----------------------------------------------------------------------


def test_record_without_email_or_phone_is_rejected():
    result = normalize_record(REF, AT, {"company": "Acme", "email": "", "phone": "n/a"})
    assert isinstance(result, Rejected)
    assert result.reason == "cannot be identified or contacted: no email and no phone"


def test_record_with_invalid_email_and_no_phone_is_rejected_naming_the_email_problem():
    result = normalize_record(REF, AT, {"email": "bob at example.com", "full_name": "Bob"})
    assert isinstance(result, Rejected)
    assert "cannot be identified or contacted" in result.reason
    assert "not a valid email address" in result.reason
    assert "no phone" in result.reason


def test_identity_key_is_the_lowercased_email():
    record = normalize_record(REF, AT, {"email": " John.Smith@Example.COM "})
    assert isinstance(record, NormalizedRecord)
    assert record.identity_key == "email:john.smith@example.com"
    assert record.valid("email") == "John.Smith@example.com"


def test_identity_key_is_the_record_without_a_valid_email():
    for mapped in ({"phone": "+1 415 555 0100"}, {"email": "x@@y.com", "phone": "+1 415 555 0100"}):
        record = normalize_record(RecordRef("ads", "1208876543210083"), AT, mapped)
        assert isinstance(record, NormalizedRecord)
        assert record.identity_key == "record:ads:1208876543210083"


def test_same_person_in_two_sources_gets_the_same_identity_key():
    a = normalize_record(RecordRef("crm", "1"), AT, {"email": "JANE@example.com"})
    b = normalize_record(RecordRef("ads", "9"), AT, {"email": "jane@EXAMPLE.com"})
    assert a.identity_key == b.identity_key == "email:jane@example.com"


# --- memoisation ----------------------------------------------------------------------------------


def test_memoised_parsers_return_equal_results():
    for fn, arg in [
        (clean_text, "  Acme   Corp "),
        (clean_name, "JOHN"),
        (normalize_email, "John@EXAMPLE.com"),
        (normalize_email, "not an email"),
        (split_full_name, "Dr. Jane Doe"),
    ]:
        first = fn(arg)
        second = fn(arg)
        assert first == second
        assert fn.cache_info().hits >= 1
    assert parse_timestamp("2026-10-02 10:00", tz="Europe/Berlin") == parse_timestamp(
        "2026-10-02 10:00", tz="Europe/Berlin"
    )


def test_repeated_normalization_gives_equal_records():
    mapped = {
        "email": "John@EXAMPLE.com",
        "full_name": "DR. JOHN SMITH",
        "created_at": "2026-01-01 09:00",
        "lifecycle_stage": "MQL",
        "is_organic": "yes",
    }
    assert normalize_record(REF, AT, dict(mapped)) == normalize_record(REF, AT, dict(mapped))


# --- robustness -----------------------------------------------------------------------------------


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    mapped=st.dictionaries(st.sampled_from(FIELD_NAMES), st.text(max_size=40), max_size=len(FIELD_NAMES)),
    tz=st.sampled_from(["UTC", "Europe/Berlin", "America/New_York"]),
)
def test_normalize_record_never_raises_on_arbitrary_text(mapped, tz):
    result = normalize_record(REF, AT, mapped, tz=tz)
    assert isinstance(result, NormalizedRecord | Rejected)
    if isinstance(result, NormalizedRecord):
        for name, fv in result.values.items():
            assert name in FIELD_KINDS
            assert fv.value is not None
            if fv.is_valid and FIELD_KINDS[name] is Kind.DATETIME:
                assert fv.value.utcoffset().total_seconds() == 0


@settings(max_examples=60, deadline=None)
@given(
    kind_field=st.sampled_from(sorted({k: n for n, k in FIELD_KINDS.items()}.values())),
    text=st.text(max_size=60),
)
def test_every_field_kind_survives_arbitrary_text(kind_field, text):
    result = normalize_record(REF, AT, {"email": EMAIL, "phone": "+1 415 555 0100", kind_field: text})
    assert isinstance(result, NormalizedRecord)
    fv = result.values.get(kind_field)
    assert fv is None or fv.value is not None


@pytest.mark.parametrize("raw", ["0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00"])
def test_out_of_range_datetime_is_kept_raw_with_reason(raw):
    fv = norm({"created_at": raw}).values["created_at"]
    assert fv.value == raw
    assert fv.invalid
