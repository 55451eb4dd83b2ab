"""Canonical company values: the one shape every enrichment provider's answer is mapped into.

Vendors disagree on buckets: PDL says "51-200", Clearbit "51-250" and "$10M-$50M", Apollo gives bare
numbers ("100M", 1600) or search buckets such as "1,10". These pure, memoised helpers turn each of
them into the buckets of leads.fields.ENRICHED_FIELDS.

A vendor bucket that straddles two of ours goes to the bucket holding its geometric midpoint
sqrt(low * high): ranges grow by multiples, so the geometric midpoint is the typical company in it
("51-250" → 113 → "51-200"; "$10M-$25M" → $15.8M → "10M-50M"). An open bucket ("10001+",
"$10B+") goes by its lower bound.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from leads.geo import country

# Our employee buckets: (inclusive low, inclusive high, label). The last is open.
EMPLOYEE_BUCKETS: tuple[tuple[int, int | None, str], ...] = (
    (1, 10, "1-10"),
    (11, 50, "11-50"),
    (51, 200, "51-200"),
    (201, 500, "201-500"),
    (501, 1000, "501-1000"),
    (1001, 5000, "1001-5000"),
    (5001, 10000, "5001-10000"),
    (10001, None, "10001+"),
)
EMPLOYEE_RANGES: tuple[str, ...] = tuple(label for _, _, label in EMPLOYEE_BUCKETS)

# Our revenue buckets in USD: [low, high), so $100M exactly is "100M-250M". The last is open.
_M = 1_000_000
_B = 1_000 * _M
REVENUE_BUCKETS: tuple[tuple[float, float | None, str], ...] = (
    (0, 1 * _M, "0-1M"),
    (1 * _M, 10 * _M, "1M-10M"),
    (10 * _M, 50 * _M, "10M-50M"),
    (50 * _M, 100 * _M, "50M-100M"),
    (100 * _M, 250 * _M, "100M-250M"),
    (250 * _M, 500 * _M, "250M-500M"),
    (500 * _M, 1 * _B, "500M-1B"),
    (1 * _B, 10 * _B, "1B-10B"),
    (10 * _B, None, "10B+"),
)
REVENUE_RANGES: tuple[str, ...] = tuple(label for _, _, label in REVENUE_BUCKETS)

_SUFFIX = {"": 1, "k": 1_000, "m": _M, "mm": _M, "b": _B, "bn": _B, "t": 1_000 * _B}
_UNIT = r"\s*(k|mm|m|bn|b|t)?"
# Size text: a comma separates the bounds (Apollo's "51,100" is 51 to 100, not 51,100 people).
_PLAIN = r"\$?\s*(\d+(?:\.\d+)?)" + _UNIT
# Revenue text: a comma groups thousands ("$1,000,000"); bounds are separated by a dash or "to".
_GROUPED = r"\$?\s*(\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)" + _UNIT


def _patterns(amount: str, separators: str) -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    flags = re.IGNORECASE
    return (
        re.compile(rf"^\s*{amount}\s*(?:{separators})\s*{amount}\s*$", flags),
        re.compile(rf"^\s*{amount}\s*\+\s*$", flags),
        re.compile(rf"^\s*{amount}\s*$", flags),
    )


_SIZE_TEXT = _patterns(_PLAIN, "-|–|to|,")
_MONEY_TEXT = _patterns(_GROUPED, "-|–|to")


def _amount(number: str, suffix: str | None) -> float:
    return float(number.replace(",", "")) * _SUFFIX[(suffix or "").lower()]


def _bounds(text: str, patterns: tuple[re.Pattern[str], ...]) -> tuple[float, float | None] | None:
    """(low, high) of "51-200", "1,10", "$1M-$10M", "251-1K"; (low, None) of "10001+"; (x, x) of "100M"."""
    closed, open_, one = patterns
    if m := closed.match(text):
        return _amount(m.group(1), m.group(2)), _amount(m.group(3), m.group(4))
    if m := open_.match(text):
        return _amount(m.group(1), m.group(2)), None
    if m := one.match(text):
        value = _amount(m.group(1), m.group(2))
        return value, value
    return None


def _typical(low: float, high: float | None) -> float:
    """The geometric midpoint of a bucket (its lower bound when open); see the module docstring."""
    if high is None:
        return low
    low, high = min(low, high), max(low, high)
    return math.sqrt(max(low, 1.0) * high)


@lru_cache(maxsize=4096)
def employee_range(count: float | None) -> str | None:
    """Our bucket for a head count: 84 → "51-200". None for missing or non-positive counts."""
    if count is None or isinstance(count, bool) or count < 1:
        return None
    whole = round(count)
    for _, high, label in EMPLOYEE_BUCKETS:
        if high is None or whole <= high:
            return label
    return None  # pragma: no cover - the last bucket is open


@lru_cache(maxsize=1024)
def employee_range_from_text(text: str | None) -> str | None:
    """Our bucket for a vendor's size text: "51-200", "51-250" (Clearbit), "1,10" (Apollo), "10001+", "1K-5K".

    Apollo's last search bucket is a bare "10001"; a lone number is read as that count.
    """
    if not text or not (bounds := _bounds(text, _SIZE_TEXT)):
        return None
    return employee_range(_typical(*bounds))


@lru_cache(maxsize=4096)
def revenue_range(amount_usd: float | None) -> str | None:
    """Our bucket for an annual revenue in USD: 100_000_000 → "100M-250M". None for missing or negative."""
    if amount_usd is None or isinstance(amount_usd, bool) or amount_usd < 0:
        return None
    for low, high, label in REVENUE_BUCKETS:
        if amount_usd >= low and (high is None or amount_usd < high):
            return label
    return None  # pragma: no cover - the buckets cover [0, inf)


@lru_cache(maxsize=1024)
def revenue_range_from_text(text: str | None) -> str | None:
    """Our bucket for a vendor's revenue text: "$10M-$50M", "$10M-$25M" (PDL), "$10B+", "100M" (Apollo printed)."""
    if not text or not (bounds := _bounds(text, _MONEY_TEXT)):
        return None
    return revenue_range(_typical(*bounds))


@lru_cache(maxsize=1024)
def industry(text: str | None) -> str | None:
    """An industry label as we keep it: trimmed, single-spaced, lower case; None when empty."""
    if not text:
        return None
    cleaned = " ".join(text.split()).lower()
    return cleaned or None


def country_code(name_or_code: str | None) -> str | None:
    """ISO 3166-1 alpha-2 for a country name or code ("united states", "USA", "US", "UK"); None if unknown.

    Vendors send names (Apollo "United States", PDL "united states") or codes (Clearbit "US"); the
    lookup and its aliases are leads.geo's, shared with source normalization.
    """
    if not name_or_code or not name_or_code.strip():
        return None
    found = country(name_or_code)
    return found[0] if found else None


@lru_cache(maxsize=4096)
def linkedin_url(value: str | None) -> str | None:
    """One spelling of a LinkedIn URL: https://www.linkedin.com/<path>, no query or trailing slash.

    PDL sends "linkedin.com/in/x", Apollo "http://www.linkedin.com/company/x", Clearbit only the
    handle ("company/x").
    """
    if not value or not (text := value.strip()):
        return None
    text = re.sub(r"^[a-z]+://", "", text, flags=re.IGNORECASE)
    text = text.split("?", 1)[0].split("#", 1)[0].rstrip("/")
    host, _, path = text.partition("/")
    if host.lower().endswith("linkedin.com"):
        text = path
    elif "." in host:
        return None  # some other site
    text = text.strip("/")
    return f"https://www.linkedin.com/{text}" if text else None


def present(fields: Mapping[str, Any]) -> dict[str, Any]:
    """Only the fields a vendor actually said something about (no None, empty text or empty list)."""
    return {k: v for k, v in fields.items() if v is not None and v != "" and v != []}


def year(value: object) -> int | None:
    """A founding year as an int when it is a plausible one (vendors send ints, strings or junk)."""
    try:
        number = int(str(value).strip()) if value is not None and not isinstance(value, bool) else None
    except ValueError:
        return None
    return number if number is not None and 1000 <= number <= 2100 else None
