"""Timestamps as exports write them, parsed strictly into aware UTC datetimes."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

from dateutil import parser as dateutil_parser

_YEAR = re.compile(r"(?<!\d)\d{4}(?!\d)")
# dateutil fills what a value lacks from its default; parsing against two defaults that differ
# in year, month and day tells a complete date from "2024" or "March 2024".
_DEFAULT_A = datetime(2000, 1, 1)
_DEFAULT_B = datetime(2001, 2, 2)
_EPOCH = re.compile(r"^\d{9,13}(\.\d+)?$")


def parse_timestamp(text: str, fmt: str | None = None, tz: str = "UTC", dayfirst: bool = False) -> datetime:
    """Parse an export's timestamp; naive values are read in `tz`. Raises ValueError.

    dateutil alone is too forgiving for cursors: it reads "tuesday" as next Tuesday and "12" as
    the 12th of this month. A value must therefore carry a four-digit year, or be a Unix epoch in
    seconds or milliseconds.
    """
    return _parse(text.strip(), fmt, tz, dayfirst)


@lru_cache(maxsize=8192)  # timestamps rarely repeat; a small memo bounds memory
def _parse(text: str, fmt: str | None, tz: str, dayfirst: bool) -> datetime:
    try:
        return _parse_unchecked(text, fmt, tz, dayfirst)
    except OverflowError:
        raise ValueError(f"timestamp {text!r} is out of range") from None


def _parse_unchecked(text: str, fmt: str | None, tz: str, dayfirst: bool) -> datetime:
    if not text:
        raise ValueError("empty timestamp")
    if fmt:
        parsed = datetime.strptime(text, fmt)
    elif _EPOCH.match(text):
        seconds = float(text)
        if seconds > 1e11:  # milliseconds
            seconds /= 1000
        return datetime.fromtimestamp(seconds, UTC)
    else:
        try:
            parsed = datetime.fromisoformat(text)
        except ValueError:
            if not _YEAR.search(text):
                raise ValueError(f"no four-digit year in timestamp {text!r}") from None
            try:
                parsed = dateutil_parser.parse(text, dayfirst=dayfirst, default=_DEFAULT_A)
                other = dateutil_parser.parse(text, dayfirst=dayfirst, default=_DEFAULT_B)
            except dateutil_parser.ParserError as exc:
                raise ValueError(f"unparseable timestamp {text!r}: {exc}") from None
            if parsed.date() != other.date():
                raise ValueError(f"timestamp {text!r} has no complete date (year, month and day)") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=ZoneInfo(tz))
    return parsed.astimezone(UTC)
