"""Google Ads as a source: lead form submissions of the configured accounts, and campaign and ad spend.

Streams, each with its own checkpoint:
- leads (the main stream): per account, a GAQL search of `lead_form_submission_data` over the
  window [previous end - lookback, this run's start], ordered by submission time, paged with
  `nextPageToken`. Submission times are account-local: the window's bounds are written as
  literals in the account's time zone (read from `customer.time_zone` before reading) and every
  answer is converted to UTC. Each page is a checkpoint (the window, the accounts done, the last
  submission time landed): a crash resumes with a new query from that time (page tokens do not
  outlive their query), and the rows of that instant it re-reads are absorbed by the upsert.
- spend: per account and day, `metrics.cost_micros`, impressions and clicks from `campaign`
  (the campaign's own row, ad '') and from `ad_group_ad` (per ad), from the last day read minus
  `spend_lookback` to the account's today; re-read days replace what was landed.

Google keeps 60 days of submissions. A watermark within `retention_warning` of that edge is noted
in the run summary (run the source before it falls off), and a window reaching past it says which
span can no longer be read. Quota errors wait the `retryDelay` Google gives; a wait longer than a
run sits through stops the source at its last checkpoint instead of failing it.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from connectors.ad_platform import (
    LeadWindow,
    last_spend_day,
    leads_then_spend,
    quarantine,
    spend_read_to,
    spend_since,
)
from connectors.google_ads import settings as ga
from connectors.google_ads.client import GoogleAdsApi
from connectors.google_ads.mapping import MalformedLead, gaql_time, lead_payload, spend_row
from connectors.http.errors import RetriableError
from connectors.prefetch import prefetched
from connectors.source import MAIN, Batch, Checkpoint, Events
from connectors.store.landing import IncomingRecord
from leads.source_config import GoogleAdsSourceConfig

RETENTION = timedelta(days=ga.RETENTION_DAYS)


class GoogleAdsSource:
    volatile: frozenset[str] = frozenset()  # a submission never changes

    def __init__(self, name: str, settings: GoogleAdsSourceConfig, api: GoogleAdsApi, *, now: datetime) -> None:
        self.name = name
        self.settings = settings
        self.api = api
        self.now = now
        self.accounts: dict[str, dict[str, Any]] = {}  # customer id → time zone, currency, name
        self._notes: list[str] = []
        self._bad_spend = 0

    # Source protocol

    def check(self) -> list[str]:
        """Reads each account's time zone and currency (a refused token or developer token fails here)."""
        problems = []
        for customer in self.settings.customer_ids:
            found = self.api.customer(customer)
            zone = found.get("timeZone")
            try:
                ZoneInfo(str(zone))
            except (ZoneInfoNotFoundError, ValueError):
                problems.append(f"sources.{self.name}.customer_ids: account {customer} has no readable time zone")
                continue
            self.accounts[customer] = {"zone": zone, "currency": str(found.get("currencyCode") or "").upper()}
        return problems

    def read(self, checkpoints: Mapping[str, Checkpoint]) -> Iterator[Batch]:
        if not self.accounts:
            self.check()
        yield from leads_then_spend(self._leads, self._spend if self.settings.spend else None, checkpoints, self._stop)

    def _stop(self, exc: RetriableError) -> str | None:
        if not (exc.wait_refused or exc.code in ga.RETRIABLE_CODES):
            return None
        return (
            f"Google Ads quota for {self.name} ({exc.detail}) asks for a longer wait than a run sits through; "
            "stopping at the last checkpoint, the next run goes on from there"
        )

    def missing_columns(self) -> list[str]:
        return []

    def notes(self) -> list[str]:
        notes = list(self._notes)
        if self._bad_spend:
            notes.append(f"{self.name}: {self._bad_spend:,} metrics rows without a campaign, ad or day were skipped")
        return notes

    def requests(self) -> int:
        return self.api.requests

    # leads

    def _leads(self, mark: Checkpoint | None) -> Iterator[Batch]:
        window = LeadWindow.of(mark, self.now, self.settings.lookback, self.settings.start, "customer", "after")
        if not window.resumed:
            self._retention_notes(mark, window.lo)
        after = window.position  # the last submission time landed: a new query resumes from it
        for customer in self.settings.customer_ids:
            if customer in window.done or customer not in self.accounts:
                continue
            start = datetime.fromisoformat(after) if customer == window.current and after else window.lo
            pages = self.api.search(customer, self._lead_query(customer, start, window.hi))
            for page in prefetched(pages):  # the next page is fetched while this one lands
                batch = self._lead_batch(customer, list(page.get("results") or []))
                last = max((r.cursor_ts for r in batch.records), default=None)
                after = last.isoformat() if last else after
                more = bool(page.get("nextPageToken"))
                if not more:
                    window.done.add(customer)
                batch.checkpoint = window.checkpoint(customer if more else None, after if more else None)
                yield batch
            after = None
        yield window.end()

    def _lead_query(self, customer: str, lo: datetime, hi: datetime) -> str:
        zone = self.accounts[customer]["zone"]
        return (
            f"SELECT {', '.join(ga.LEAD_FIELDS)} FROM {ga.LEAD} "
            f"WHERE {ga.LEAD}.submission_date_time >= '{gaql_time(lo, zone)}' "
            f"AND {ga.LEAD}.submission_date_time <= '{gaql_time(hi, zone)}' "
            f"ORDER BY {ga.LEAD}.submission_date_time ASC"
        )

    def _lead_batch(self, customer: str, rows: list[Any]) -> Batch:
        batch = Batch(stream=MAIN, read=len(rows))
        zone = self.accounts[customer]["zone"]
        for row in rows:
            data = row.get("leadFormSubmissionData") if isinstance(row, dict) else None
            lead_id = str(data.get("id")) if isinstance(data, dict) and data.get("id") else None
            position = f"customer {customer} submission {lead_id or '?'}"
            try:
                payload, submitted = lead_payload(row, customer, zone)
            except MalformedLead as bad:
                quarantine(batch, position, row, bad, lead_id)
                continue
            batch.records.append(IncomingRecord(payload["id"], submitted, payload, position))
        return batch

    def _retention_notes(self, mark: Checkpoint | None, lo: datetime) -> None:
        edge = self.now - RETENTION
        if lo < edge and (mark is not None or self.settings.start is not None):
            self._notes.append(
                f"{self.name}: Google Ads serves only the last {ga.RETENTION_DAYS} days of lead form submissions; "
                f"those from {lo:%d %b %Y} to {edge:%d %b %Y} can no longer be read"
            )
        elif mark is not None and mark.cursor_ts - edge <= self.settings.retention_warning:
            self._notes.append(
                f"{self.name}: the watermark ({mark.cursor_ts:%d %b %Y %H:%M} UTC) is "
                f"{(self.now - mark.cursor_ts).days} days old; submissions older than {ga.RETENTION_DAYS} days "
                f"are gone from Google Ads, so run this source before {mark.cursor_ts + RETENTION:%d %b %Y}"
            )

    # spend

    def _spend(self, mark: Checkpoint | None) -> Iterator[Batch]:
        s = self.settings
        last = last_spend_day(mark)
        latest = self.now.date()
        for customer in s.customer_ids:
            account = self.accounts.get(customer)
            if account is None:
                continue
            today = self.now.astimezone(ZoneInfo(account["zone"])).date()  # the account's days
            latest = max(latest, today)
            since = spend_since(last, today, s)
            for query, with_ad in ((ga.CAMPAIGN_SPEND, False), (ga.AD_SPEND, True)):
                text = query.format(since=since.isoformat(), until=today.isoformat())
                for page in self.api.search(customer, text):
                    rows = list(page.get("results") or [])
                    found = [spend_row(r, customer, account["currency"], with_ad) for r in rows]
                    kept = [r for r in found if r is not None]
                    self._bad_spend += len(found) - len(kept)
                    yield Batch(stream="spend", events=Events(spend=kept), read=len(rows))
        yield spend_read_to(latest)
