"""What the fake Google Ads holds: accounts, campaigns, ad groups, ads, lead form assets, submissions, metrics.

Submissions are kept per account in submission order. Metrics are kept per ad and day; a
campaign's metrics are its ads' plus what is seeded on the campaign itself (a Performance Max
campaign spends without ad_group_ads).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from tests.fakes.ad_common import insert_in_order


@dataclass
class Submission:
    id: str
    at: float  # epoch seconds
    fields: dict[str, str]  # FULL_NAME → value
    custom: dict[str, str]  # question text → value
    campaign_id: str | None
    ad_group_id: str | None
    ad_id: str | None
    asset_id: str | None
    gclid: str | None


@dataclass
class Customer:
    id: str
    time_zone: str
    currency: str
    name: str
    manager_id: str | None
    campaigns: dict[str, str] = field(default_factory=dict)  # id → name
    ad_groups: dict[str, tuple[str, str]] = field(default_factory=dict)  # id → (campaign id, name)
    ads: dict[str, str] = field(default_factory=dict)  # ad id → ad group id
    assets: dict[str, str] = field(default_factory=dict)  # lead form asset id → name
    submissions: list[Submission] = field(default_factory=list)
    keys: list[tuple[float, str]] = field(default_factory=list)
    ad_metrics: dict[tuple[str, str], tuple[int, int, int]] = field(default_factory=dict)  # (day, ad) → cost, imp, clk
    campaign_metrics: dict[tuple[str, str], tuple[int, int, int]] = field(default_factory=dict)


class Seeding:
    def _init_state(self) -> None:
        self.customers: dict[str, Customer] = {}
        self._counter = 0

    def _next(self) -> int:
        self._counter += 1
        return self._counter

    def add_customer(
        self,
        customer_id: str,
        time_zone: str = "America/Los_Angeles",
        currency: str = "USD",
        name: str = "Account",
        manager_id: str | None = None,
    ) -> str:
        self.customers[str(customer_id)] = Customer(str(customer_id), time_zone, currency, name, manager_id)
        return str(customer_id)

    def add_campaign(self, customer_id: str, name: str = "Campaign") -> str:
        campaign_id = str(20_000_000_000 + self._next())
        self.customers[customer_id].campaigns[campaign_id] = name
        return campaign_id

    def add_ad_group(self, customer_id: str, campaign_id: str, name: str = "Ad group") -> str:
        group_id = str(30_000_000_000 + self._next())
        self.customers[customer_id].ad_groups[group_id] = (campaign_id, name)
        return group_id

    def add_ad(self, customer_id: str, ad_group_id: str) -> str:
        ad_id = str(40_000_000_000 + self._next())
        self.customers[customer_id].ads[ad_id] = ad_group_id
        return ad_id

    def add_lead_form(self, customer_id: str, name: str = "Lead form") -> str:
        asset_id = str(50_000_000_000 + self._next())
        self.customers[customer_id].assets[asset_id] = name
        return asset_id

    def add_lead(
        self,
        customer_id: str,
        fields: dict[str, str],
        submitted_at: float | None = None,
        custom: dict[str, str] | None = None,
        ad_id: str | None = None,
        asset_id: str | None = None,
        gclid: str | None = None,
        campaign_id: str | None = None,
    ) -> str:
        """A submission; with `ad_id` its ad group and campaign follow (else `campaign_id` alone)."""
        customer = self.customers[customer_id]
        group = customer.ads.get(ad_id or "")
        campaign = customer.ad_groups[group][0] if group else campaign_id
        lead_id = f"Lf{self._next():010d}"
        at = float(int(self.now() if submitted_at is None else submitted_at))  # type: ignore[attr-defined]
        submission = Submission(lead_id, at, dict(fields), dict(custom or {}), campaign, group, ad_id, asset_id, gclid)
        insert_in_order(customer.keys, customer.submissions, (at, lead_id), submission)
        return lead_id

    def restate_lead(self, lead_id: str, fields: dict[str, str], submitted_at: float) -> None:
        """Serve a submission again with other answers and time.

        A test hook with no counterpart at the platform (leads are write-once): the source contract
        suite uses it for a record changed behind the watermark; a connector sees a changed record.
        """
        for customer in self.customers.values():
            for at, found in enumerate(customer.submissions):
                if found.id == lead_id:
                    del customer.submissions[at], customer.keys[at]
                    found.fields, found.at = dict(fields), float(int(submitted_at))
                    insert_in_order(customer.keys, customer.submissions, (found.at, found.id), found)
                    return
        raise KeyError(lead_id)

    def add_leads(self, customer_id: str, leads: list[dict[str, Any]]) -> list[str]:
        """Many submissions: each {fields, submitted_at?, custom?, ad_id?, asset_id?, gclid?}."""
        return [self.add_lead(customer_id, **lead) for lead in leads]

    def set_spend(
        self, customer_id: str, day: str, ad_id: str, cost_micros: int, impressions: int = 0, clicks: int = 0
    ) -> None:
        """An ad's metrics on an account-local day; setting a day again is Google correcting it."""
        date.fromisoformat(day)
        self.customers[customer_id].ad_metrics[(day, ad_id)] = (int(cost_micros), int(impressions), int(clicks))

    def set_campaign_spend(
        self, customer_id: str, day: str, campaign_id: str, cost_micros: int, impressions: int = 0, clicks: int = 0
    ) -> None:
        """Metrics of a campaign beyond its ads' (Performance Max and the like)."""
        date.fromisoformat(day)
        metrics = (int(cost_micros), int(impressions), int(clicks))
        self.customers[customer_id].campaign_metrics[(day, campaign_id)] = metrics
