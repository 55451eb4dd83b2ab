"""The resources a GAQL query may read here, their fields, and rows rendered as Google's REST JSON.

Reproduced: camelCase nesting ("lead_form_submission_data.submission_date_time" →
{"leadFormSubmissionData": {"submissionDateTime": ...}}), int64 values as strings, `resourceName`
on every resource a row carries, empty values left out; submission times in the account's time
zone with its offset ("2026-05-03 09:50:06-07:00"), and a WHERE literal on them read in that zone;
only id and submission_date_time sortable on lead_form_submission_data; its attributed resources
(ad_group, ad_group_ad, asset, campaign, customer) selectable alongside; only the last 60 days of
submissions visible; metrics rows only for days with delivery.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import partial
from typing import Any
from zoneinfo import ZoneInfo

from tests.fakes.google_ads.gaql import Query, QueryError, holds
from tests.fakes.google_ads.state import Customer

RETENTION = 60 * 86400
LEAD = "lead_form_submission_data"
ATTRIBUTED = {
    LEAD: {"ad_group", "ad_group_ad", "asset", "campaign", "customer"},
    "campaign": {"customer", "segments", "metrics"},
    "ad_group_ad": {"ad_group", "campaign", "customer", "segments", "metrics"},
    "customer": set(),
}
SORTABLE = {LEAD: {f"{LEAD}.id", f"{LEAD}.submission_date_time"}}
INT64 = {
    "campaign.id",
    "ad_group.id",
    "ad_group_ad.ad.id",
    "asset.id",
    "customer.id",
    "metrics.cost_micros",
    "metrics.impressions",
    "metrics.clicks",
}
Row = dict[str, Any]


def _local(customer: Customer, at: float) -> str:
    return datetime.fromtimestamp(at, ZoneInfo(customer.time_zone)).isoformat(sep=" ")


def _ids(c: Customer, r: Row) -> dict[str, str]:
    return {"c": c.id, "camp": r.get("campaign") or "", "group": r.get("ad_group") or "", "ad": r.get("ad") or ""}


FIELDS: dict[str, Callable[[Customer, Row], Any]] = {
    "customer.resource_name": lambda c, r: f"customers/{c.id}",
    "customer.id": lambda c, r: c.id,
    "customer.descriptive_name": lambda c, r: c.name,
    "customer.time_zone": lambda c, r: c.time_zone,
    "customer.currency_code": lambda c, r: c.currency,
    "campaign.resource_name": lambda c, r: f"customers/{c.id}/campaigns/{r['campaign']}" if r.get("campaign") else None,
    "campaign.id": lambda c, r: r.get("campaign"),
    "campaign.name": lambda c, r: c.campaigns.get(r.get("campaign") or ""),
    "ad_group.resource_name": lambda c, r: f"customers/{c.id}/adGroups/{r['ad_group']}" if r.get("ad_group") else None,
    "ad_group.id": lambda c, r: r.get("ad_group"),
    "ad_group.name": lambda c, r: c.ad_groups.get(r.get("ad_group") or "", ("", None))[1],
    "ad_group_ad.resource_name": lambda c, r: (
        "customers/{c}/adGroupAds/{group}~{ad}".format(**_ids(c, r)) if r.get("ad") else None
    ),
    "ad_group_ad.ad.id": lambda c, r: r.get("ad"),
    "asset.resource_name": lambda c, r: f"customers/{c.id}/assets/{r['asset']}" if r.get("asset") else None,
    "asset.id": lambda c, r: r.get("asset"),
    "asset.name": lambda c, r: c.assets.get(r.get("asset") or ""),
    f"{LEAD}.resource_name": lambda c, r: f"customers/{c.id}/leadFormSubmissionData/{r['lead'].id}",
    f"{LEAD}.id": lambda c, r: r["lead"].id,
    f"{LEAD}.asset": lambda c, r: f"customers/{c.id}/assets/{r['asset']}" if r.get("asset") else None,
    f"{LEAD}.campaign": lambda c, r: f"customers/{c.id}/campaigns/{r['campaign']}" if r.get("campaign") else None,
    f"{LEAD}.ad_group": lambda c, r: f"customers/{c.id}/adGroups/{r['ad_group']}" if r.get("ad_group") else None,
    f"{LEAD}.ad_group_ad": lambda c, r: (
        "customers/{c}/adGroupAds/{group}~{ad}".format(**_ids(c, r)) if r.get("ad") else None
    ),
    f"{LEAD}.gclid": lambda c, r: r["lead"].gclid,
    f"{LEAD}.submission_date_time": lambda c, r: _local(c, r["lead"].at),
    f"{LEAD}.lead_form_submission_fields": lambda c, r: (
        [{"fieldType": k, "fieldValue": v} for k, v in r["lead"].fields.items()] or None
    ),
    f"{LEAD}.custom_lead_form_submission_fields": lambda c, r: (
        [{"questionText": k, "fieldValue": v} for k, v in r["lead"].custom.items()] or None
    ),
    "segments.date": lambda c, r: r.get("day"),
    "metrics.cost_micros": lambda c, r: r["metrics"][0],
    "metrics.impressions": lambda c, r: r["metrics"][1],
    "metrics.clicks": lambda c, r: r["metrics"][2],
}
REPEATED = {f"{LEAD}.lead_form_submission_fields", f"{LEAD}.custom_lead_form_submission_fields"}


def check(query: Query) -> None:
    if query.resource not in ATTRIBUTED:
        raise QueryError("INVALID_RESOURCE_IN_FROM_CLAUSE", f"Error in query: cannot select from {query.resource}.")
    allowed = {query.resource} | ATTRIBUTED[query.resource]
    for name in [*query.fields, *(c.field for c in query.where), *(f for f, _ in query.order)]:
        if name not in FIELDS:
            raise QueryError("UNRECOGNIZED_FIELD", f"Error in query: unrecognized field '{name}'.")
        if name.split(".", 1)[0] not in allowed:
            raise QueryError(
                "PROHIBITED_FIELD_IN_SELECT_WHERE_OR_ORDER_BY_CLAUSE",
                f"Error in query: '{name}' cannot be used with FROM {query.resource}.",
            )
    for condition in query.where:
        if condition.field in REPEATED:
            raise QueryError("FILTERING_NOT_SUPPORTED", f"Error in query: '{condition.field}' cannot be filtered.")
    sortable = SORTABLE.get(query.resource)
    for name, _ in query.order:
        if (sortable is not None and name.startswith(f"{LEAD}.") and name not in sortable) or name in REPEATED:
            raise QueryError("ORDER_BY_FIELD_NOT_SORTABLE", f"Error in query: '{name}' is not sortable.")


def rows(query: Query, customer: Customer, now: float) -> list[Row]:
    """The query's rows, filtered and ordered (not yet rendered)."""
    check(query)
    found = _candidates(query, customer, now)
    for condition in query.where:
        found = [r for r in found if _matches(condition, customer, r)]
    for name, descending in reversed(query.order):  # stable sorts, last key first
        found.sort(key=partial(_comparable, customer, name=name), reverse=descending)
    return found[: query.limit] if query.limit is not None else found


def _candidates(query: Query, customer: Customer, now: float) -> list[Row]:
    if query.resource == "customer":
        return [{}]
    if query.resource == LEAD:
        visible = [s for s in customer.submissions if s.at >= now - RETENTION]
        return [
            {"lead": s, "campaign": s.campaign_id, "ad_group": s.ad_group_id, "ad": s.ad_id, "asset": s.asset_id}
            for s in visible
        ]
    if query.resource == "ad_group_ad":
        return [
            {
                "day": day,
                "ad": ad,
                "ad_group": customer.ads[ad],
                "campaign": customer.ad_groups[customer.ads[ad]][0],
                "metrics": metrics,
            }
            for (day, ad), metrics in sorted(customer.ad_metrics.items())
        ]
    totals: dict[tuple[str, str], list[int]] = {}
    for (day, ad), metrics in customer.ad_metrics.items():
        campaign = customer.ad_groups[customer.ads[ad]][0]
        total = totals.setdefault((day, campaign), [0, 0, 0])
        for i in range(3):
            total[i] += metrics[i]
    for key, metrics in customer.campaign_metrics.items():
        total = totals.setdefault(key, [0, 0, 0])
        for i in range(3):
            total[i] += metrics[i]
    return [{"day": day, "campaign": campaign, "metrics": tuple(m)} for (day, campaign), m in sorted(totals.items())]


def _comparable(customer: Customer, row: Row, *, name: str) -> Any:
    if name == f"{LEAD}.submission_date_time":
        return row["lead"].at
    value = FIELDS[name](customer, row)
    return (0, value) if isinstance(value, int | float) else (1, str(value or ""))


def _matches(condition: Any, customer: Customer, row: Row) -> bool:
    if condition.field == f"{LEAD}.submission_date_time":
        bounds = [_literal_time(v, customer) for v in condition.values]
        return holds(type(condition)(condition.field, condition.op, bounds), row["lead"].at)
    value = FIELDS[condition.field](customer, row)
    return value is not None and holds(condition, value)


def _literal_time(value: Any, customer: Customer) -> float:
    """'2026-05-01 00:00:00' in the account's time zone (GAQL's literal for a DATE_TIME field)."""
    try:
        parsed = datetime.strptime(str(value), "%Y-%m-%d %H:%M:%S")
    except ValueError:
        raise QueryError(
            "INVALID_VALUE_WITH_DATE_OR_DATETIME",
            f"Error in query: {value!r} is not a date time like 'yyyy-mm-dd hh:mm:ss'.",
        ) from None
    return parsed.replace(tzinfo=ZoneInfo(customer.time_zone)).timestamp()


def render(query: Query, customer: Customer, row: Row) -> dict[str, Any]:
    out: dict[str, Any] = {}
    names = list(query.fields)
    for resource in {n.split(".", 1)[0] for n in names if not n.startswith(("segments.", "metrics."))}:
        if f"{resource}.resource_name" in FIELDS:
            names.append(f"{resource}.resource_name")
    for name in names:
        value = FIELDS[name](customer, row)
        if value is None or value == "":
            continue
        node = out
        parts = name.split(".")
        for part in parts[:-1]:
            node = node.setdefault(_camel(part), {})
        node[_camel(parts[-1])] = str(value) if name in INT64 else value
    return out


def field_mask(query: Query) -> str:
    return ",".join(".".join(_camel(p) for p in name.split(".")) for name in query.fields)


def _camel(snake: str) -> str:
    head, *rest = snake.split("_")
    return head + "".join(p.title() for p in rest)
