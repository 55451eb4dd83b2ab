"""Meta leads and insights to our shapes (pure): flat lead payloads and spend rows.

A lead's answers come as `field_data`: a list of {name, values}, `values` always a list of strings
(one for a text answer, several for a multiple choice). The payload keeps Meta's own lead fields
under their names (id, created_time, ad and campaign ids and names, form, platform, is_organic)
and each answer under its question's name, so a custom question `what_is_your_budget?` is mapped
with `mapping: {...: what_is_your_budget?}`. An answer whose name collides with one of Meta's lead
fields is kept as `question:<name>`. Organic leads (a form opened from the Page, not an ad) have no
ad, ad set or campaign: those keys are absent, not empty.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from connectors.ad_mapping import STANDARD_ANSWER_KEYS, MalformedLead, spend_record
from connectors.ad_mapping import effective_mapping as shared_mapping
from leads.source_config import MetaLeadsSourceConfig

# Lead field → payload key. A source's `mapping` overrides entries (null drops one).
DEFAULT_MAPPING: dict[str, str] = {
    "email": "email",
    "full_name": "full_name",
    **STANDARD_ANSWER_KEYS,
    "created_at": "created_time",
    "campaign_id": "campaign_id",
    "campaign_name": "campaign_name",
    "adset_id": "adset_id",
    "adset_name": "adset_name",
    "ad_id": "ad_id",
    "ad_name": "ad_name",
    "form_id": "form_id",
    "form_name": "form_name",
    "platform": "platform",
    "is_organic": "is_organic",
}
AD_KEYS = ("ad_id", "ad_name", "adset_id", "adset_name", "campaign_id", "campaign_name")
RESERVED = frozenset({"id", "created_time", "form_id", "form_name", "page_id", "platform", "is_organic", *AD_KEYS})


def effective_mapping(settings: MetaLeadsSourceConfig) -> dict[str, str]:
    return shared_mapping(DEFAULT_MAPPING, settings.mapping)


def meta_time(value: Any) -> datetime | None:
    """Meta's "2026-05-03T16:50:06+0000" (or ISO with a colon in the offset) as aware UTC."""
    if not isinstance(value, str) or not value:
        return None
    text = value.strip().replace("Z", "+00:00")
    if len(text) > 5 and text[-5] in "+-" and text[-3] != ":":
        text = f"{text[:-2]}:{text[-2:]}"
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    return parsed.astimezone(UTC) if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def lead_payload(lead: Any, form: dict[str, Any], page_id: str) -> tuple[dict[str, Any], datetime]:
    """The payload and creation time of one lead; raises MalformedLead with the reason."""
    if not isinstance(lead, dict):
        raise MalformedLead("a lead is not a JSON object")
    lead_id = lead.get("id")
    if not isinstance(lead_id, str | int) or not str(lead_id).strip():
        raise MalformedLead("missing lead id")
    created = meta_time(lead.get("created_time"))
    if created is None:
        raise MalformedLead(f"unparseable created_time {lead.get('created_time')!r}")
    payload: dict[str, Any] = {
        "id": str(lead_id),
        "created_time": lead["created_time"],
        "form_id": str(lead.get("form_id") or form.get("id") or ""),
        "form_name": form.get("name"),
        "page_id": page_id,
        "platform": lead.get("platform"),
        "is_organic": bool(lead["is_organic"]) if "is_organic" in lead else not lead.get("ad_id"),
    }
    payload |= {key: str(lead[key]) for key in AD_KEYS if lead.get(key) not in (None, "")}
    payload |= _answers(lead.get("field_data"))
    return {k: v for k, v in payload.items() if v is not None}, created


def _answers(field_data: Any) -> dict[str, str]:
    if field_data is None:
        return {}
    if not isinstance(field_data, list):
        raise MalformedLead("field_data is not a list")
    answers: dict[str, str] = {}
    for item in field_data:
        name = item.get("name") if isinstance(item, dict) else None
        values = item.get("values") if isinstance(item, dict) else None
        if not isinstance(name, str) or not name or not isinstance(values, list):
            raise MalformedLead("a field_data entry is not {name, values: [...]}")
        key = f"question:{name}" if name in RESERVED else name
        answers[key] = ", ".join(str(v) for v in values if v not in (None, ""))
    return answers


def spend_row(row: Any, account_id: str) -> dict[str, Any] | None:
    """One ad's spend on one day from an insights row (None when the row is unreadable)."""
    if not isinstance(row, dict):
        return None
    try:
        day = date.fromisoformat(str(row["date_start"]))
        amount = float(row.get("spend") or 0)
        impressions, clicks = int(row.get("impressions") or 0), int(row.get("clicks") or 0)
    except (KeyError, TypeError, ValueError):
        return None
    currency = str(row.get("account_currency") or "").upper()
    if not row.get("campaign_id") or not row.get("ad_id") or len(currency) != 3:
        return None
    return spend_record(
        "meta", account_id, str(row["campaign_id"]), str(row["ad_id"]), day, amount, currency, impressions, clicks
    )
