"""LinkedIn Lead Sync as a source: sponsored lead responses of the configured ad accounts, and daily spend.

Streams, each with its own checkpoint:
- leads (the main stream): per ad account, `leadFormResponses` submitted inside the window
  [previous end - lookback, this run's start] (epoch milliseconds), offset-paged by start and
  count. The window is closed in the past, so offsets stay put while it is read; each page is a
  checkpoint (the window, the accounts done, the next offset), and a crash resumes at the page
  after the last one landed. Answers name question ids only: each form is fetched once per run
  (`leadForms`) to name them. Test leads (`testLead`, from LinkedIn's form preview) are skipped.
- spend: adAnalytics per campaign and creative and day (pivots CAMPAIGN and CREATIVE), cost in the
  account's currency (from `adAccounts`), from the last day read minus `spend_lookback` to today,
  plus a row per campaign and day summing its creatives; re-read days replace what was landed.

The refresh token dies a year after the member's grant, however often it is used: when the last
refresh says it has less than `reauth_warning` left, the run summary says so, with the date.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from connectors.ad_mapping import campaign_totals
from connectors.ad_platform import (
    LeadWindow,
    last_spend_day,
    leads_then_spend,
    quarantine,
    spend_read_to,
    spend_since,
)
from connectors.http.errors import RetriableError
from connectors.http.paging import Offset
from connectors.linkedin.client import LinkedInApi
from connectors.linkedin.mapping import MalformedLead, form_of, lead_payload, questions, spend_row
from connectors.prefetch import prefetched
from connectors.source import MAIN, Batch, Checkpoint, Events
from connectors.store.landing import IncomingRecord
from leads.source_config import LinkedInSourceConfig


class LinkedInSource:
    volatile: frozenset[str] = frozenset()  # a lead response never changes

    def __init__(self, name: str, settings: LinkedInSourceConfig, api: LinkedInApi, *, now: datetime) -> None:
        self.name = name
        self.settings = settings
        self.api = api
        self.now = now
        self.currency: dict[str, str] = {}
        self._forms: dict[str, tuple[str | None, dict[int, tuple[str, dict[int, str]]]]] = {}
        self._notes: list[str] = []
        self._tests = 0
        self._bad_spend = 0

    # Source protocol

    def check(self) -> list[str]:
        """Reads each ad account (its currency); a refused grant or a sunset version fails here."""
        for account in self.settings.accounts:
            self.currency[account] = str(self.api.ad_account(account).get("currency") or "").upper()
        return []

    def read(self, checkpoints: Mapping[str, Checkpoint]) -> Iterator[Batch]:
        if not self.currency:
            self.check()
        yield from leads_then_spend(self._leads, self._spend if self.settings.spend else None, checkpoints, self._stop)

    def _stop(self, exc: RetriableError) -> str | None:
        if exc.status != 429:
            return None
        return (
            f"LinkedIn kept refusing {self.name} with 429 (a daily limit, reset at midnight UTC); stopping at the "
            "last checkpoint, the next run goes on from there"
        )

    def missing_columns(self) -> list[str]:
        return []

    def notes(self) -> list[str]:
        notes = list(self._notes)
        left = self.api.refresh_left()
        if left is not None and timedelta(seconds=left) <= self.settings.reauth_warning:
            when = self.now + timedelta(seconds=left)
            notes.append(
                f"{self.name}: the LinkedIn refresh token expires on {when:%d %b %Y} (in {round(left / 86400)} days); "
                "a member with access to the ad accounts must authorise the app again before then"
            )
        if self._tests:
            notes.append(f"{self.name}: {self._tests:,} test leads (LinkedIn's form preview) were skipped")
        if self._bad_spend:
            notes.append(
                f"{self.name}: {self._bad_spend:,} analytics rows without a campaign, creative or day were skipped"
            )
        return notes

    def requests(self) -> int:
        return self.api.requests

    # leads

    def _leads(self, mark: Checkpoint | None) -> Iterator[Batch]:
        window = LeadWindow.of(mark, self.now, self.settings.lookback, self.settings.start, "account", "start")
        start_ms, end_ms = int(window.lo.timestamp() * 1000), int(window.hi.timestamp() * 1000)
        for account in self.settings.accounts:
            if account in window.done:
                continue
            offset = window.position  # the next offset of the account a crash interrupted
            start = int(offset) if account == window.current and offset else 0
            pages = self._pages(account, start_ms, end_ms, start)
            for page, following in prefetched(pages):  # the next page is fetched while this one lands
                batch = self._lead_batch(account, list(page.get("elements") or []))
                if following is None:
                    window.done.add(account)
                batch.checkpoint = window.checkpoint(account if following is not None else None, following)
                yield batch
        yield window.end()

    def _pages(self, account: str, start_ms: int, end_ms: int, start: int) -> Iterator[tuple[dict[str, Any], Any]]:
        """Pages from offset `start`, each with the offset of the next (None after the last)."""
        paginator = Offset()
        while True:
            page = self.api.lead_responses(account, start_ms, end_ms, start)
            following = paginator.next_token(page)
            yield page, following
            if following is None:
                return
            start = int(following)

    def _form(self, form_id: str) -> tuple[str | None, dict[int, tuple[str, dict[int, str]]]]:
        if form_id not in self._forms:
            form = self.api.lead_form(form_id)
            self._forms[form_id] = (form.get("name"), questions(form))
        return self._forms[form_id]

    def _lead_batch(self, account: str, elements: list[Any]) -> Batch:
        batch = Batch(stream=MAIN, read=len(elements))
        for element in elements:
            lead_id = str(element.get("id")) if isinstance(element, dict) and element.get("id") else None
            position = f"account {account} lead {lead_id or '?'}"
            if isinstance(element, dict) and element.get("testLead"):
                batch.skipped += 1
                self._tests += 1
                continue
            form = form_of(element) if isinstance(element, dict) else None
            name, known = self._form(form[0]) if form else (None, {})
            try:
                payload, submitted = lead_payload(element, account, name, known)
            except MalformedLead as bad:
                quarantine(batch, position, element, bad, lead_id)
                continue
            batch.records.append(IncomingRecord(payload["id"], submitted, payload, position))
        return batch

    # spend

    def _spend(self, mark: Checkpoint | None) -> Iterator[Batch]:
        s = self.settings
        today = self.now.astimezone(UTC).date()
        since = spend_since(last_spend_day(mark), today, s)
        for account in s.accounts:
            elements = self.api.analytics(account, since, today)
            found = [spend_row(e, account, self.currency.get(account, "")) for e in elements]
            rows = [r for r in found if r is not None]
            self._bad_spend += len(found) - len(rows)
            totals = campaign_totals(rows)  # LinkedIn spends per creative: a campaign's own row is their sum
            yield Batch(stream="spend", events=Events(spend=rows + totals), read=len(elements))
        yield spend_read_to(today)
