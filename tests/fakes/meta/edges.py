"""The Graph edges the lead connector uses: /{page}/leadgen_forms, /{form}/leads, /act_{id}/insights, /debug_token.

Documented behaviour reproduced:
- cursor paging `{"data", "paging": {"cursors": {"before", "after"}, "next"}}`; the last page keeps
  its cursors and has no `next`. Lead cursors name a position (the last lead's creation time and
  id), so leads created between two pages never shift what the next page holds;
- leads come newest first; `filtering` on `time_created` applies only when the value is Unix
  seconds (a number or a string of digits); an ISO date or any other value is silently ignored
  (facebook-ruby-business-sdk#60); operators GREATER_THAN, GREATER_THAN_OR_EQUAL, LESS_THAN;
- `fields` names what is returned (plus `id`); an unknown field is error 100; organic leads carry no
  ad, ad set or campaign keys; `field_data` values are lists of strings;
- insights `level=ad&time_increment=1` give one row per ad and day with delivery, `spend` a decimal
  string in the account's currency and impressions and clicks as strings;
- `debug_token?input_token=` answers {"data": {app_id, type, application, expires_at (0: never),
  data_access_expires_at, is_valid, scopes, user_id}}; an invalid input token is answered 200 with
  `is_valid: false` and an error inside `data`.

Choices: `limit` above 100 (leads, forms) or 500 (insights) is capped, not refused; a parameter
outside the contract raises AssertionError so a connector bug fails its test loudly.
"""

from __future__ import annotations

import base64
import bisect
import json
from datetime import UTC, date, datetime
from typing import Any

from tests.fakes.meta.errors import GraphError, invalid_param
from tests.fakes.meta.state import Form, Lead

LEAD_FIELDS = frozenset(
    {
        "id",
        "created_time",
        "field_data",
        "ad_id",
        "ad_name",
        "adset_id",
        "adset_name",
        "campaign_id",
        "campaign_name",
        "form_id",
        "is_organic",
        "platform",
    }
)
FORM_FIELDS = frozenset({"id", "name", "status", "locale", "leads_count"})
INSIGHT_FIELDS = frozenset(
    {
        "account_currency",
        "account_id",
        "campaign_id",
        "campaign_name",
        "adset_id",
        "ad_id",
        "ad_name",
        "spend",
        "impressions",
        "clicks",
        "date_start",
        "date_stop",
    }
)
FILTER_OPERATORS = frozenset({"GREATER_THAN", "GREATER_THAN_OR_EQUAL", "LESS_THAN"})
PAGED = frozenset({"fields", "limit", "after", "before", "access_token"})


def encode(value: str) -> str:
    return base64.urlsafe_b64encode(value.encode()).decode().rstrip("=")


def decode(cursor: str) -> str:
    try:
        return base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except ValueError:
        raise invalid_param("Invalid cursor") from None


def only(params: dict[str, str], allowed: frozenset[str], edge: str) -> None:
    extra = set(params) - allowed
    if extra:
        raise AssertionError(f"request outside the contract: {edge} with parameters {sorted(extra)}")


def fields_of(params: dict[str, str], known: frozenset[str], node: str, default: str) -> list[str]:
    wanted = [f.strip() for f in (params.get("fields") or default).split(",") if f.strip()]
    for name in wanted:
        if name not in known:
            raise invalid_param(f"Tried accessing nonexisting field ({name}) on node type ({node})")
    return ["id", *[f for f in wanted if f != "id"]] if "id" in known else wanted


def limit_of(params: dict[str, str], default: int, cap: int) -> int:
    try:
        value = int(params.get("limit", default))
    except ValueError:
        raise invalid_param("Param limit must be an integer") from None
    return max(1, min(value, cap))


def page_body(data: list[dict[str, Any]], first: str | None, last: str | None, more: bool, url: str) -> dict:
    body: dict[str, Any] = {"data": data}
    if data:
        body["paging"] = {"cursors": {"before": encode(first or ""), "after": encode(last or "")}}
        if more:
            joiner = "&" if "?" in url else "?"
            body["paging"]["next"] = f"{url}{joiner}after={encode(last or '')}"
    return body


def meta_time(seconds: int) -> str:
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%S+0000")


# leads


def time_bounds(raw: str | None) -> tuple[int, int]:
    """[lo, hi] from `filtering`; filters Meta cannot read (non-numeric values) are dropped silently."""
    lo, hi = -(2**62), 2**62
    if not raw:
        return lo, hi
    try:
        filters = json.loads(raw)
    except ValueError:
        raise invalid_param("Param filtering must be a JSON array") from None
    if not isinstance(filters, list):
        raise invalid_param("Param filtering must be an array")
    for item in filters:
        if not isinstance(item, dict) or item.get("field") != "time_created":
            raise invalid_param("Param filtering[0][field] must be one of {time_created}")
        operator, value = item.get("operator"), item.get("value")
        if operator not in FILTER_OPERATORS:
            allowed = ", ".join(sorted(FILTER_OPERATORS))
            raise invalid_param(f"Param filtering[0][operator] must be one of {{{allowed}}}")
        if isinstance(value, bool) or not (isinstance(value, int) or (isinstance(value, str) and value.isdigit())):
            continue  # the quirk: an ISO date (or anything else) is ignored without a word
        seconds = int(value)
        if operator == "GREATER_THAN":
            lo = max(lo, seconds + 1)
        elif operator == "GREATER_THAN_OR_EQUAL":
            lo = max(lo, seconds)
        else:
            hi = min(hi, seconds - 1)
    return lo, hi


def lead_page(form: Form, params: dict[str, str], url: str, cap: int) -> dict[str, Any]:
    only(params, PAGED | {"filtering"}, "GET /{form_id}/leads")
    fields = fields_of(params, LEAD_FIELDS, "Lead", "id,created_time,field_data")
    limit = limit_of(params, 25, cap)
    lo, hi = time_bounds(params.get("filtering"))
    start = bisect.bisect_left(form.keys, (lo, -1))
    end = bisect.bisect_right(form.keys, (hi, 2**63))
    if params.get("after"):
        created, _, lead_id = decode(params["after"]).partition(":")
        if not lead_id.isdigit() or not created.lstrip("-").isdigit():
            raise invalid_param("Invalid cursor")
        end = min(end, bisect.bisect_left(form.keys, (int(created), int(lead_id))))
    chosen = form.leads[max(start, end - limit) : end][::-1]  # newest first
    data = [render_lead(lead, fields) for lead in chosen]
    keys = [f"{lead.created}:{lead.id}" for lead in chosen]
    return page_body(data, keys[0] if keys else None, keys[-1] if keys else None, end - limit > start, url)


def render_lead(lead: Lead, fields: list[str]) -> dict[str, Any]:
    if lead.raw is not None:
        return dict(lead.raw)
    out: dict[str, Any] = {}
    for name in fields:
        if name == "id":
            out["id"] = lead.id
        elif name == "created_time":
            out["created_time"] = meta_time(lead.created)
        elif name == "field_data":
            out["field_data"] = [{"name": k, "values": v} for k, v in lead.answers.items()]
        elif name == "form_id":
            out["form_id"] = lead.form_id
        elif name == "is_organic":
            out["is_organic"] = lead.ad is None
        elif name == "platform":
            out["platform"] = lead.platform
        elif lead.ad is not None and lead.ad.get(name):
            out[name] = lead.ad[name]
    return out


# forms


def form_page(forms: list[Form], params: dict[str, str], url: str) -> dict[str, Any]:
    only(params, PAGED, "GET /{page_id}/leadgen_forms")
    fields = fields_of(params, FORM_FIELDS, "LeadgenForm", "id,name,locale,status")
    offset = int(decode(params["after"])) + 1 if params.get("after") else 0
    chosen = forms[offset : offset + limit_of(params, 25, 100)]
    data = [{f: _form_field(form, f) for f in fields} for form in chosen]
    last = offset + len(chosen) - 1
    return page_body(data, str(offset), str(last), last + 1 < len(forms), url)


def _form_field(form: Form, name: str) -> Any:
    return {"id": form.id, "name": form.name, "status": form.status, "locale": "en_US", "leads_count": len(form.leads)}[
        name
    ]


# insights


def insights_page(account: Any, params: dict[str, str], url: str) -> dict[str, Any]:
    only(params, PAGED | {"level", "time_increment", "time_range"}, "GET /act_{id}/insights")
    if params.get("level") != "ad" or params.get("time_increment") != "1":
        raise AssertionError("request outside the contract: insights other than level=ad&time_increment=1")
    fields = fields_of(params, INSIGHT_FIELDS, "AdsInsights", "spend,date_start,date_stop")
    try:
        window = json.loads(params.get("time_range") or "")
        since, until = date.fromisoformat(window["since"]), date.fromisoformat(window["until"])
    except (ValueError, KeyError, TypeError):
        raise invalid_param("Param time_range must be a JSON object with since and until dates") from None
    if since > until:
        raise invalid_param("time_range since must not be after until")
    rows = sorted((day, ad_id) for day, ad_id in account.insights if since <= date.fromisoformat(day) <= until)
    offset = int(decode(params["after"])) + 1 if params.get("after") else 0
    chosen = rows[offset : offset + limit_of(params, 25, 500)]
    data = [_insight(account, key, fields) for key in chosen]
    last = offset + len(chosen) - 1
    return page_body(data, str(offset), str(last), last + 1 < len(rows), url)


def _insight(account: Any, key: tuple[str, str], fields: list[str]) -> dict[str, Any]:
    day, ad_id = key
    row = account.insights[key]
    values = {
        "account_currency": account.currency,
        "account_id": account.id,
        "spend": f"{row['spend']:.2f}",
        "impressions": str(row["impressions"]),
        "clicks": str(row["clicks"]),
        "date_start": day,
        "date_stop": day,
        "ad_id": ad_id,
    }
    values |= {k: row.get(k) for k in ("campaign_id", "campaign_name", "adset_id", "ad_name")}
    return {f: values[f] for f in fields if f != "id" and values.get(f) is not None}


# debug_token


def debug_info(token: dict[str, Any] | None, now: float) -> dict[str, Any]:
    if token is None:
        return {
            "data": {
                "is_valid": False,
                "scopes": [],
                "error": {"code": 190, "message": "Invalid OAuth access token - Cannot parse access token"},
            }
        }
    expires = int(token["expires_at"] or 0)
    valid = token["valid"] and (expires == 0 or now < expires)
    data = {
        "app_id": token["app_id"],
        "type": token["type"],
        "application": "Lead sync (fake)",
        "data_access_expires_at": int(token["data_access_expires_at"] or 0),
        "expires_at": expires,
        "is_valid": valid,
        "scopes": list(token["scopes"]),
        "user_id": token["user_id"],
    }
    if not valid:
        data["error"] = {"code": 190, "subcode": 463, "message": "Session has expired"}
    return {"data": data}


def require(condition: bool, error: GraphError) -> None:
    if not condition:
        raise error
