"""What the fake Meta holds: Pages, lead forms, leads, ad accounts with daily insights, and the seeding calls.

Leads are kept per form in (created_time, id) order with their keys alongside, so a window and a
cursor position are two bisections. Leads are immutable once created, as Meta's are; a test that
needs a malformed one stores it raw (`add_raw_lead`), rendered verbatim.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from tests.fakes.ad_common import insert_in_order

DEFAULT_SCOPES = [
    "leads_retrieval",
    "ads_read",
    "ads_management",
    "pages_show_list",
    "pages_read_engagement",
    "pages_manage_ads",
]


@dataclass
class Lead:
    id: str
    form_id: str
    created: int  # Unix seconds
    answers: dict[str, list[str]]
    ad: dict[str, str] | None
    platform: str
    raw: dict[str, Any] | None = None  # stored verbatim (a malformed lead, for tests)


@dataclass
class Form:
    id: str
    page_id: str
    name: str
    status: str
    leads: list[Lead] = field(default_factory=list)
    keys: list[tuple[int, int]] = field(default_factory=list)  # (created, int(id)), ascending

    def add(self, lead: Lead) -> None:
        insert_in_order(self.keys, self.leads, (lead.created, int(lead.id)), lead)


@dataclass
class AdAccount:
    id: str
    currency: str
    # (day, ad_id) → {spend, impressions, clicks, campaign_id, campaign_name, adset_id, ad_name}
    insights: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)


class Seeding:
    """The state and the calls tests (and LoopbackServer.call) seed it with. Ids are deterministic."""

    def _init_state(self) -> None:
        self.pages: dict[str, str] = {}
        self.forms: dict[str, Form] = {}
        self.lead_index: dict[str, Lead] = {}
        self.accounts: dict[str, AdAccount] = {}
        self._next_id = 0

    def _new_id(self, base: int) -> str:
        self._next_id += 1
        return str(base + self._next_id)

    def add_page(self, page_id: str, name: str = "A Page") -> str:
        self.pages[str(page_id)] = name
        return str(page_id)

    def add_form(
        self, page_id: str, name: str = "Lead form", status: str = "ACTIVE", form_id: str | None = None
    ) -> str:
        if str(page_id) not in self.pages:
            self.add_page(str(page_id))
        form_id = str(form_id or self._new_id(900_000_000_000))
        self.forms[form_id] = Form(form_id, str(page_id), name, status)
        return form_id

    def add_lead(
        self,
        form_id: str,
        answers: dict[str, Any],
        created_time: float | None = None,
        ad: dict[str, str] | None = None,
        platform: str = "fb",
    ) -> str:
        """A lead on a form; `ad` ({ad_id, ad_name, adset_id, adset_name, campaign_id, campaign_name}) or
        None for an organic lead (no ad keys at all). `created_time` defaults to now."""
        form = self.forms[str(form_id)]
        created = int(self.now() if created_time is None else created_time)  # type: ignore[attr-defined]
        lead_id = self._new_id(1_000_000_000_000_000)
        values = {k: [str(x) for x in (v if isinstance(v, list) else [v])] for k, v in answers.items()}
        lead = Lead(lead_id, form.id, created, values, dict(ad) if ad else None, platform)
        form.add(lead)
        self.lead_index[lead_id] = lead
        return lead_id

    def add_leads(self, form_id: str, leads: list[dict[str, Any]]) -> list[str]:
        """Many leads at once: each {answers, created_time?, ad?, platform?}."""
        return [
            self.add_lead(
                form_id, lead["answers"], lead.get("created_time"), lead.get("ad"), lead.get("platform", "fb")
            )
            for lead in leads
        ]

    def add_raw_lead(self, form_id: str, raw: dict[str, Any], created_time: float | None = None) -> str:
        """A lead rendered exactly as `raw` (plus its id): for a connector's handling of bad data."""
        lead_id = self.add_lead(form_id, {}, created_time)
        self.lead_index[lead_id].raw = {"id": lead_id, **raw}
        return lead_id

    def restate_lead(self, lead_id: str, answers: dict[str, Any], created_time: float) -> None:
        """Serve a lead again with other answers and creation time.

        A test hook with no counterpart at the platform (leads are write-once): the source contract
        suite uses it for a record changed behind the watermark; a connector sees a changed record.
        """
        lead = self.lead_index[lead_id]
        form = self.forms[lead.form_id]
        at = form.leads.index(lead)
        del form.leads[at], form.keys[at]
        lead.created = int(created_time)
        lead.answers = {k: [str(x) for x in (v if isinstance(v, list) else [v])] for k, v in answers.items()}
        form.add(lead)

    def add_ad_account(self, account_id: str, currency: str = "USD") -> str:
        account_id = str(account_id).removeprefix("act_")
        self.accounts[account_id] = AdAccount(account_id, currency)
        return account_id

    def set_spend(
        self, account_id: str, day: str, ad: dict[str, str], spend: float, impressions: int = 0, clicks: int = 0
    ) -> None:
        """One ad's delivery on one day (the account's day); setting it again is Meta correcting it."""
        account = self.accounts[str(account_id).removeprefix("act_")]
        date.fromisoformat(day)
        account.insights[(day, str(ad["ad_id"]))] = {
            "spend": float(spend),
            "impressions": int(impressions),
            "clicks": int(clicks),
            **ad,
        }

    def lead(self, lead_id: str) -> dict[str, Any]:
        found = self.lead_index[lead_id]
        return {
            "id": found.id,
            "form_id": found.form_id,
            "created": found.created,
            "answers": found.answers,
            "ad": found.ad,
        }
