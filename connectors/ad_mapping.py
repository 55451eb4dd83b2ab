"""What the ad platforms' mappings (Meta, Google Ads, LinkedIn) share (pure): the error a lead that
cannot be landed raises, how a source's `mapping` overrides a platform's defaults, and the rows of
the `spend` table. Each platform's lead payload is its own (connectors/<platform>/mapping.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

# Lead field → payload key for the standard questions the three platforms ask and name alike: a
# payload keeps them under Google's fieldType, LinkedIn's predefinedField or Meta's field name, in
# lower case. Each platform's DEFAULT_MAPPING starts from these (email leads each mapping, and
# LinkedIn asks no full name, so neither is here).
STANDARD_ANSWER_KEYS: dict[str, str] = {
    "first_name": "first_name",
    "last_name": "last_name",
    "phone": "phone_number",
    "company": "company_name",
    "job_title": "job_title",
    "city": "city",
    "country": "country",
}


class MalformedLead(ValueError):
    """A lead a platform sent that cannot be landed (the reason is the message)."""


def effective_mapping(defaults: Mapping[str, str], overrides: Mapping[str, str | None]) -> dict[str, str]:
    """Lead field → payload key: a platform's defaults under a source's `mapping` (null drops one)."""
    mapping = {**defaults, **overrides}
    return {name: key for name, key in mapping.items() if key}


def spend_record(
    platform: str,
    account_id: str,
    campaign_id: str,
    ad_id: str,
    day: date,
    amount: float,
    currency: str,
    impressions: int,
    clicks: int,
) -> dict[str, Any]:
    """A row of the `spend` table: one ad's (ad_id '': one campaign's own) spend on one day."""
    return {
        "platform": platform,
        "account_id": account_id,
        "campaign_id": campaign_id,
        "ad_id": ad_id,
        "day": day,
        "amount": amount,
        "currency": currency,
        "impressions": impressions,
        "clicks": clicks,
    }


def campaign_totals(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A campaign's own row per day (ad_id ''): the sum of its ads, for platforms that spend per ad only."""
    totals: dict[tuple[str, str, date], dict[str, Any]] = {}
    for row in rows:
        key = (row["account_id"], row["campaign_id"], row["day"])
        total = totals.setdefault(key, {**row, "ad_id": "", "amount": 0.0, "impressions": 0, "clicks": 0})
        total["amount"] = round(total["amount"] + row["amount"], 6)
        total["impressions"] += row["impressions"]
        total["clicks"] += row["clicks"]
    return list(totals.values())
