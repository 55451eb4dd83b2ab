"""leads.timeparse.parse_timestamp strictness and leads.masking."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from leads.masking import mask_email, mask_text
from leads.timeparse import parse_timestamp

# --- parse_timestamp ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "tuesday",
        "Tuesday",
        "last tuesday",
        "12",
        "12:30",
        "next week",
        "yesterday",
        "",
        "   ",
        "not a date",
        "10/02",
        "Oct 2",
    ],
)
def test_vague_values_are_refused(text):
    with pytest.raises(ValueError):
        parse_timestamp(text)


def test_vague_value_reason_mentions_the_year():
    with pytest.raises(ValueError, match="four-digit year"):
        parse_timestamp("last tuesday")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-10-14T08:02:54+00:00", datetime(2026, 10, 14, 8, 2, 54, tzinfo=UTC)),
        ("2026-10-14T08:02:54+0000", datetime(2026, 10, 14, 8, 2, 54, tzinfo=UTC)),
        ("2026-10-14T08:02:54Z", datetime(2026, 10, 14, 8, 2, 54, tzinfo=UTC)),
        ("2026-10-14T10:02:54+02:00", datetime(2026, 10, 14, 8, 2, 54, tzinfo=UTC)),
        ("2026-10-14T03:32:54-04:30", datetime(2026, 10, 14, 8, 2, 54, tzinfo=UTC)),
        ("  2026-10-14T08:02:54.250+00:00 ", datetime(2026, 10, 14, 8, 2, 54, 250000, tzinfo=UTC)),
        ("Wed, 14 Oct 2026 10:02:54 +0200", datetime(2026, 10, 14, 8, 2, 54, tzinfo=UTC)),
    ],
)
def test_iso_and_offset_values(text, expected):
    # the tz argument applies to naive values only: an explicit offset wins
    assert parse_timestamp(text, tz="America/New_York") == expected


@pytest.mark.parametrize(
    ("text", "tz", "expected"),
    [
        ("2026-10-02 10:00", "UTC", datetime(2026, 10, 2, 10, 0, tzinfo=UTC)),
        ("2026-10-02 10:00", "Europe/Berlin", datetime(2026, 10, 2, 8, 0, tzinfo=UTC)),  # CEST, +2
        ("2026-01-02 10:00", "Europe/Berlin", datetime(2026, 1, 2, 9, 0, tzinfo=UTC)),  # CET, +1
        ("2026-07-01 12:00", "America/New_York", datetime(2026, 7, 1, 16, 0, tzinfo=UTC)),
    ],
)
def test_cursor_format_with_naive_values_read_in_the_given_tz(text, tz, expected):
    assert parse_timestamp(text, "%Y-%m-%d %H:%M", tz=tz) == expected


@pytest.mark.parametrize(
    "text",
    [
        "2026-10-02T10:00:00",
        "2026-10-02 10:00:00+00:00",
        "last tuesday",
        "1700000000",
        "02.10.2026 10:00",
    ],
)
def test_cursor_format_is_strict(text):
    with pytest.raises(ValueError):
        parse_timestamp(text, "%Y-%m-%d %H:%M")


def test_naive_iso_value_read_in_the_given_tz():
    assert parse_timestamp("2026-10-02T10:00:00", tz="Europe/Berlin") == datetime(2026, 10, 2, 8, 0, tzinfo=UTC)
    assert parse_timestamp("2026-10-02T10:00:00") == datetime(2026, 10, 2, 10, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1700000000", datetime(2023, 11, 14, 22, 13, 20, tzinfo=UTC)),
        ("1700000000.5", datetime(2023, 11, 14, 22, 13, 20, 500000, tzinfo=UTC)),
        ("1700000000000", datetime(2023, 11, 14, 22, 13, 20, tzinfo=UTC)),
        ("1700000000123", datetime(2023, 11, 14, 22, 13, 20, 123000, tzinfo=UTC)),
        ("946684800", datetime(2000, 1, 1, tzinfo=UTC)),
    ],
)
def test_epoch_seconds_and_millis(text, expected):
    # epochs are UTC by definition: the tz argument does not shift them
    assert parse_timestamp(text, tz="Asia/Tokyo") == expected


def test_dayfirst_is_honoured_for_ambiguous_dates():
    assert parse_timestamp("02/10/2026 10:00", dayfirst=True) == datetime(2026, 10, 2, 10, 0, tzinfo=UTC)
    assert parse_timestamp("02/10/2026 10:00") == datetime(2026, 2, 10, 10, 0, tzinfo=UTC)


def test_invalid_calendar_date_is_refused():
    with pytest.raises(ValueError):
        parse_timestamp("2026-02-30 10:00")
    with pytest.raises(ValueError):
        parse_timestamp("2026-02-30 10:00", "%Y-%m-%d %H:%M")


@settings(max_examples=100, deadline=None)
@given(
    moment=st.datetimes(min_value=datetime(1975, 1, 1), max_value=datetime(2200, 1, 1)),
    offset_minutes=st.integers(-14 * 60, 14 * 60),
    tz=st.sampled_from(["UTC", "Europe/Berlin", "Asia/Kolkata", "America/Los_Angeles"]),
    fmt=st.sampled_from(["iso", "cursor", "epoch", "epoch_ms"]),
)
def test_result_is_always_aware_utc_and_round_trips(moment, offset_minutes, tz, fmt):
    aware = moment.replace(tzinfo=timezone(timedelta(minutes=offset_minutes)))
    if fmt == "iso":
        text, expected = aware.isoformat(), aware
    elif fmt == "cursor":
        moment = moment.replace(second=0, microsecond=0)
        text = moment.strftime("%Y-%m-%d %H:%M")
        result = parse_timestamp(text, "%Y-%m-%d %H:%M", tz=tz)
        assert result.tzinfo is not None and result.utcoffset() == timedelta(0)
        # reading it back in the source's zone gives the wall-clock time that was written
        assert result.astimezone(_zone(tz)).replace(tzinfo=None) in _wall_clock_candidates(moment, tz)
        return
    elif fmt == "epoch":
        seconds = int(aware.timestamp())
        text, expected = str(seconds), datetime.fromtimestamp(seconds, UTC)
    else:
        millis = int(aware.timestamp() * 1000)
        if millis < 10**11:  # would read as seconds: not a millisecond epoch
            return
        text, expected = str(millis), datetime.fromtimestamp(millis / 1000, UTC)
    result = parse_timestamp(text, tz=tz)
    assert result.tzinfo is not None
    assert result.utcoffset() == timedelta(0)
    assert result == expected


def _zone(tz):
    from zoneinfo import ZoneInfo

    return ZoneInfo(tz)


def _wall_clock_candidates(moment, tz):
    # a wall-clock time in a DST gap does not exist; it is shifted by the gap
    return {moment, moment + timedelta(hours=1), moment - timedelta(hours=1)}


@pytest.mark.parametrize("text", ["2024", "March 2024", "2024 10:00"])
def test_date_without_day_is_refused(text):
    with pytest.raises(ValueError):
        parse_timestamp(text)


@pytest.mark.parametrize(
    ("text", "fmt", "tz"),
    [
        ("0001-01-01T00:00:00+01:00", None, "UTC"),
        ("9999-12-31T23:59:59-01:00", None, "UTC"),
        ("0001-01-01 00:00", "%Y-%m-%d %H:%M", "Europe/Berlin"),
    ],
)
def test_out_of_range_after_utc_conversion_raises_value_error(text, fmt, tz):
    with pytest.raises(ValueError):
        parse_timestamp(text, fmt, tz=tz)


# --- masking --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("email", "masked"),
    [
        ("john.doe@example.com", "j***@example.com"),
        ("J@Example.COM", "J***@Example.COM"),
        ("sarah.k.lindgren+crm@gmail.com", "s***@gmail.com"),
        ("not-an-email", "***"),
        ("", "***"),
    ],
)
def test_mask_email(email, masked):
    assert mask_email(email) == masked


def test_mask_text_hides_emails_but_keeps_the_domain():
    out = mask_text("lead john.doe@northwind-logistics.com failed; retry jane@mail.example.co.uk")
    assert out == "lead j***@northwind-logistics.com failed; retry j***@mail.example.co.uk"
    assert "john.doe" not in out and "jane" not in out


@pytest.mark.parametrize(
    ("text", "hidden", "tail"),
    [
        ("call +1 415 555 0100 now", "415 555 01", "00"),
        ("phone (646) 555-0164 ext", "646) 555-01", "64"),
        ("tel: +49 171 18623098.", "171 186230", "98"),
        ("+33 (0)1 50 41 09 17", "(0)1 50 41 09", "17"),
    ],
)
def test_mask_text_hides_phone_numbers(text, hidden, tail):
    out = mask_text(text)
    assert hidden not in out
    assert "***" + tail in out
    digits_left = re.findall(r"\d{3,}", out)
    assert not any(len(d) >= 5 for d in digits_left), out


def test_mask_text_keeps_ordinary_text_and_short_numbers():
    text = "run 42 finished: 7 leads, 3 rejected (chunk 12)"
    assert mask_text(text) == text


def test_mask_text_masks_email_and_phone_together():
    out = mask_text("Jane <jane.roe@acme.io>, +1 (737) 555-0171")
    assert out == "Jane <j***@acme.io>, ***71"


_local = st.text(alphabet="abcdefghijklm._+", min_size=2, max_size=20).filter(lambda s: s[0].isalpha())
_domain = st.lists(st.text(alphabet="nopqrstuvwxyz", min_size=2, max_size=10), min_size=1, max_size=3).map(".".join)
_tld = st.sampled_from(["com", "de", "io", "co.uk"])


@settings(max_examples=100, deadline=None)
@given(local=_local, domain=_domain, tld=_tld, before=st.sampled_from(["", "to ", "<", "email: "]))
def test_mask_text_never_leaks_the_local_part(local, domain, tld, before):
    address = f"{local}@{domain}.{tld}"
    out = mask_text(f"{before}{address} bounced")
    assert out == f"{before}{local[0]}***@{domain}.{tld} bounced"
    assert out == mask_text(out)  # masking is idempotent
