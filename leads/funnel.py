"""The marketing-to-sales funnel per source, campaign, form, ad and creation week (pure arithmetic).

A lead counts in the week (Monday, in the report's timezone) it was created: `leads`, `valid` (not
quarantined), `mql`, `sql` (reached them, even if recycled since), `won`. Stage-to-stage conversion
is each count over the one before; median days are between the first time of each stage.

Cost comes from ad spend joined on the lead's attribution (`campaign_id`, `ad_id`) and the week:
- a group with an `ad_id` gets that ad's spend in that week;
- a group without one gets the campaign-level spend (`ad_id` ''), else the spend of the campaign's
  ads no group of that week is attributed to (so nothing is counted twice);
- groups sharing the same campaign, ad and week (two forms on one ad) split it by their leads.
Mixed currencies in one group give no cost rather than a wrong sum.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

Key = tuple[str, str, str, str, date]  # source, campaign, form_id, ad_id, week


@dataclass(frozen=True, slots=True)
class FunnelLead:
    source: str
    campaign: str  # the campaign id ('' when none)
    form_id: str
    ad_id: str
    created_at: datetime
    valid: bool = True
    reached_mql: bool = False
    reached_sql: bool = False
    won: bool = False
    mql_at: datetime | None = None
    sql_at: datetime | None = None
    won_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Spend:
    campaign_id: str
    ad_id: str  # '' for campaign-level rows
    day: date
    amount: float
    currency: str


@dataclass(slots=True)
class FunnelRow:
    source: str
    campaign: str
    form_id: str
    ad_id: str
    week: date
    leads: int = 0
    valid: int = 0
    mql: int = 0
    sql: int = 0
    won: int = 0
    cost: float | None = None
    currency: str | None = None
    cost_per_lead: float | None = None
    cost_per_mql: float | None = None
    cost_per_sql: float | None = None
    median_days_to_mql: float | None = None
    median_days_mql_to_sql: float | None = None
    median_days_sql_to_won: float | None = None

    @property
    def key(self) -> Key:
        return (self.source, self.campaign, self.form_id, self.ad_id, self.week)

    def rates(self) -> dict[str, float | None]:
        return {
            "valid_rate": ratio(self.valid, self.leads),
            "mql_rate": ratio(self.mql, self.valid),
            "sql_rate": ratio(self.sql, self.mql),
            "won_rate": ratio(self.won, self.sql),
        }

    def as_dict(self) -> dict[str, Any]:
        return asdict(self) | self.rates()


def ratio(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def week_of(at: datetime, tz: str = "UTC") -> date:
    return monday(at.astimezone(ZoneInfo(tz)).date())


def _days(start: datetime | None, end: datetime | None) -> float | None:
    if start is None or end is None or end < start:
        return None
    return (end - start).total_seconds() / 86400


def _median(values: Iterable[float | None]) -> float | None:
    found = [v for v in values if v is not None]
    return round(statistics.median(found), 2) if found else None


def weekly_funnel(leads: Iterable[FunnelLead], spend: Sequence[Spend] = (), tz: str = "UTC") -> list[FunnelRow]:
    """One row per (source, campaign, form, ad, week), sorted by week then the rest of the key."""
    groups: dict[Key, list[FunnelLead]] = defaultdict(list)
    for lead in leads:
        groups[(lead.source, lead.campaign, lead.form_id, lead.ad_id, week_of(lead.created_at, tz))].append(lead)
    rows = []
    for key, members in groups.items():
        row = FunnelRow(*key)
        row.leads = len(members)
        row.valid = sum(m.valid for m in members)
        row.mql = sum(m.reached_mql for m in members)
        row.sql = sum(m.reached_sql for m in members)
        row.won = sum(m.won for m in members)
        row.median_days_to_mql = _median(_days(m.created_at, m.mql_at) for m in members)
        row.median_days_mql_to_sql = _median(_days(m.mql_at, m.sql_at) for m in members)
        row.median_days_sql_to_won = _median(_days(m.sql_at, m.won_at) for m in members)
        rows.append(row)
    _allocate(rows, spend)
    return sorted(rows, key=lambda r: (r.week, r.source, r.campaign, r.form_id, r.ad_id))


def _allocate(rows: list[FunnelRow], spend: Sequence[Spend]) -> None:
    by_slot: dict[tuple[str, str, date], list[Spend]] = defaultdict(list)
    for s in spend:
        by_slot[(s.campaign_id, s.ad_id, monday(s.day))].append(s)
    claimed: dict[tuple[str, date], set[str]] = defaultdict(set)
    for row in rows:
        if row.campaign and row.ad_id:
            claimed[(row.campaign, row.week)].add(row.ad_id)
    sharing: dict[tuple[str, str, date], int] = defaultdict(int)
    for row in rows:
        if row.campaign:
            sharing[(row.campaign, row.ad_id, row.week)] += row.leads
    for row in rows:
        if not row.campaign:
            continue
        if row.ad_id:
            found = by_slot.get((row.campaign, row.ad_id, row.week), [])
        else:
            found = by_slot.get((row.campaign, "", row.week), []) or [
                s
                for (campaign, ad, week), items in by_slot.items()
                if campaign == row.campaign and week == row.week and ad and ad not in claimed[(row.campaign, week)]
                for s in items
            ]
        currencies = {s.currency for s in found}
        if not found or len(currencies) != 1:
            continue
        share = row.leads / sharing[(row.campaign, row.ad_id, row.week)]
        row.cost = round(sum(s.amount for s in found) * share, 2)
        row.currency = currencies.pop()
        row.cost_per_lead = _per(row.cost, row.leads)
        row.cost_per_mql = _per(row.cost, row.mql)
        row.cost_per_sql = _per(row.cost, row.sql)


def _per(cost: float, count: int) -> float | None:
    return round(cost / count, 2) if count else None


def totals(rows: Iterable[FunnelRow]) -> dict[str, Any]:
    """The sums over rows, for the one-line summary."""
    items = list(rows)
    out = {k: sum(getattr(r, k) for r in items) for k in ("leads", "valid", "mql", "sql", "won")}
    out["weeks"] = len({r.week for r in items})
    out["rows"] = len(items)
    return out
