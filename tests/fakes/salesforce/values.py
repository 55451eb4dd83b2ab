"""Value formats: datetimes, dates and record ids.

Internally a datetime is an int of UTC epoch *milliseconds* (fast to compare and sort), a date an
ISO `YYYY-MM-DD` string (compares lexically). Documented formats reproduced:

- REST JSON datetimes are `2026-05-03T16:50:06.000+0000`; Bulk 2.0 CSV datetimes `...000Z`.
- SOQL datetime literals are unquoted, `YYYY-MM-DDThh:mm:ss[.sss](Z|+hh:mm|-hh:mm|+hhmm)`.
- Record ids are 15 case-sensitive characters (3-character key prefix of the object) plus a
  3-character case-safe checksum suffix, 18 in all, as every API answers them.

Choice where the docs are silent: ids are base-62 counters in ASCII order ("0-9A-Za-z"), so the
string order of the ids of one object is their creation order (Salesforce ids also grow, but no
order is documented).
"""

from __future__ import annotations

import calendar
import re
import time
from datetime import UTC, date, datetime
from functools import lru_cache
from typing import Any

DATETIME_RE = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:?\d{2})?$"
)
SOQL_DATETIME_RE = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:?\d{2})")
DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
ID_RE = re.compile(r"^[a-zA-Z0-9]{15}(?:[a-zA-Z0-9]{3})?$")
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
CHECKSUM_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"
DAY_MS = 86_400_000


def parse_datetime(value: Any, *, require_zone: bool = True) -> int:
    """ISO-8601 text, epoch seconds or a datetime → epoch ms. ValueError when it is none of them."""
    if isinstance(value, bool):
        raise ValueError(f"not a datetime: {value!r}")
    if isinstance(value, int | float):
        return int(round(value * 1000))
    if isinstance(value, datetime):
        aware = value if value.tzinfo else value.replace(tzinfo=UTC)
        return int(round(aware.timestamp() * 1000))
    if not isinstance(value, str):
        raise ValueError(f"not a datetime: {value!r}")
    match = DATETIME_RE.match(value.strip())
    if match is None or (require_zone and match.group(8) is None):
        raise ValueError(f"not a datetime: {value!r}")
    year, month, day, hour, minute, second = (int(g) for g in match.groups()[:6])
    fraction = (match.group(7) or "0")[:3].ljust(3, "0")
    zone = match.group(8) or "Z"
    offset = 0
    if zone != "Z":
        digits = zone[1:].replace(":", "")
        offset = (int(digits[:2]) * 60 + int(digits[2:])) * 60 * (1 if zone[0] == "+" else -1)
    try:
        seconds = calendar.timegm((year, month, day, hour, minute, second, 0, 0, 0))
        datetime(year, month, day, hour, minute, second)  # range check: month 13 or Feb 30 are errors
    except ValueError as exc:
        raise ValueError(f"not a datetime: {value!r}") from exc
    return (seconds - offset) * 1000 + int(fraction)


def parse_date(value: Any) -> str:
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str) and DATE_RE.match(value):
        try:
            date.fromisoformat(value)
        except ValueError as exc:
            raise ValueError(f"not a date: {value!r}") from exc
        return value
    raise ValueError(f"not a date: {value!r}")


@lru_cache(maxsize=65536)
def _parts(ms: int) -> tuple[str, int]:
    seconds, milli = divmod(ms, 1000)
    t = time.gmtime(seconds)
    stamp = f"{t.tm_year:04d}-{t.tm_mon:02d}-{t.tm_mday:02d}T{t.tm_hour:02d}:{t.tm_min:02d}:{t.tm_sec:02d}"
    return stamp, milli


def format_rest(ms: int) -> str:
    """`2026-05-03T16:50:06.000+0000`, the REST API's datetime format."""
    stamp, milli = _parts(ms)
    return f"{stamp}.{milli:03d}+0000"


def format_bulk(ms: int) -> str:
    """`2026-05-03T16:50:06.000Z`, Bulk API 2.0's CSV datetime format."""
    stamp, milli = _parts(ms)
    return f"{stamp}.{milli:03d}Z"


def ms_to_date(ms: int) -> str:
    return _parts(ms)[0][:10]


def checksum(id15: str) -> str:
    """The case-safe suffix: one character per 5-character chunk, a bit per upper-case letter."""
    return _chunk_sum(id15[0:5]) + _chunk_sum(id15[5:10]) + _chunk_sum(id15[10:15])


@lru_cache(maxsize=4096)
def _chunk_sum(chunk: str) -> str:
    return CHECKSUM_CHARS[sum(1 << i for i, char in enumerate(chunk) if "A" <= char <= "Z")]


def make_id(prefix: str, number: int) -> str:
    digits = ""
    while number:
        number, rest = divmod(number, 62)
        digits = BASE62[rest] + digits
    id15 = f"{prefix}5g0{digits.rjust(9, '0')}"
    return id15 + checksum(id15)


def is_id(value: Any) -> bool:
    return isinstance(value, str) and ID_RE.match(value) is not None


def to18(value: str) -> str:
    """The canonical 18-character id. An 18-character id is case-safe: its suffix restores the case of the
    first 15 characters, so `00q5g...eaa` and `00Q5g...EAA` are the same record."""
    if len(value) == 15:
        return value + checksum(value)
    chars = list(value[:15])
    for chunk, mark in enumerate(value[15:18].upper()):
        bits = CHECKSUM_CHARS.find(mark)
        if bits < 0:
            return value
        for position in range(5):
            at = chunk * 5 + position
            chars[at] = chars[at].upper() if bits >> position & 1 else chars[at].lower()
    id15 = "".join(chars)
    return id15 + checksum(id15)
