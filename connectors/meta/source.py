"""Meta Lead Ads as a source: every lead of the configured Pages' forms, and daily spend.

Streams, each with its own checkpoint:
- leads (the main stream): the Pages' lead forms are listed on every run (a new form is read the
  day it appears), then each form's leads created inside the window [previous end - lookback,
  this run's start]. Meta has no modified time for leads (they never change), so creation time is
  the cursor. The window goes to Meta as a `time_created` filter in Unix seconds, and every lead
  that comes back is checked against it as well: Meta ignores a filter it cannot read instead of
  refusing it (a lead outside the window is skipped and noted, never landed twice as new).
  Each page is a checkpoint: the window, the forms done and the cursor after the page, so a crash
  resumes at the page after the last one landed.
- spend: insights per ad and day (`level=ad`, `time_increment=1`) of each ad account, from the
  last day read minus `spend_lookback` to today, plus a row per campaign and day summing its ads;
  re-read days replace what was landed (Meta corrects recent days).

Before reading, `debug_token` says whether the token is valid, has the permissions the streams need
(leads_retrieval, ads_read for spend) and when it expires; an ending token is noted in the run
summary `token_warning` ahead of time. Throttling is respected: usage headers are watched (see
usage.py), a throttled call waits Meta's estimate, and a run that would wait too long stops at its
last checkpoint instead of failing.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
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
from connectors.http.errors import FatalError, RetriableError
from connectors.meta import settings as mt
from connectors.meta.client import MetaApi
from connectors.meta.mapping import MalformedLead, lead_payload, spend_row
from connectors.meta.token import token_notes, token_problems
from connectors.prefetch import prefetched
from connectors.source import MAIN, Batch, Checkpoint, Events
from connectors.store.landing import IncomingRecord
from leads.source_config import MetaLeadsSourceConfig


class MetaSource:
    volatile: frozenset[str] = frozenset()  # leads never change: every key is content

    def __init__(self, name: str, settings: MetaLeadsSourceConfig, api: MetaApi, *, now: datetime) -> None:
        self.name = name
        self.settings = settings
        self.api = api
        self.now = now
        self._notes: list[str] = []
        self._outside = 0
        self._bad_spend = 0

    # Source protocol

    def check(self) -> list[str]:
        """Asks debug_token about the token: invalid or short of a permission stops the source here."""
        try:
            info = self.api.debug_token()
        except FatalError as exc:
            if exc.code != mt.TOKEN_CODE:
                raise
            raise FatalError(
                f"sources.{self.name}.auth.access_token: Meta refused the access token ({exc.detail}); "
                "mint a new one (a system user's token does not expire)",
                detail=exc.detail,
                status=exc.status,
                run_fatal=True,
                code=exc.code,
            ) from None
        needed = [mt.LEADS_SCOPE] + ([mt.SPEND_SCOPE] if self.settings.spend else [])
        problems = token_problems(info, self.name, needed)
        if not problems:
            self._notes += token_notes(info, self.name, self.now, self.settings.token_warning)
        return problems

    def read(self, checkpoints: Mapping[str, Checkpoint]) -> Iterator[Batch]:
        yield from leads_then_spend(self._leads, self._spend if self.settings.spend else None, checkpoints, self._stop)

    def _stop(self, exc: RetriableError) -> str | None:
        if not (exc.wait_refused or exc.code in mt.THROTTLE_CODES):
            return None
        return (
            f"Meta throttled {self.name} ({exc.detail}) for longer than a run waits; stopping at the last "
            "checkpoint, the next run goes on from there"
        )

    def missing_columns(self) -> list[str]:
        return []  # answers are named by each form's questions: a form without one is no drift

    def notes(self) -> list[str]:
        notes = list(self._notes)
        if self._outside:
            notes.append(
                f"{self.name}: Meta answered {self._outside:,} leads created outside the requested window (its "
                "time filter was not applied); they were skipped"
            )
        if self._bad_spend:
            notes.append(f"{self.name}: {self._bad_spend:,} insights rows without a day, ad or currency were skipped")
        usage = self.api.usage
        return notes + (list(usage.notes) if usage is not None else [])

    def requests(self) -> int:
        return self.api.requests

    # leads

    def _forms(self) -> list[tuple[str, dict[str, Any]]]:
        wanted = set(self.settings.forms)
        found = [(page, form) for page in self.settings.pages for form in self.api.forms(page)]
        if wanted:
            found = [(page, form) for page, form in found if str(form.get("id")) in wanted]
            missing = wanted - {str(form.get("id")) for _, form in found}
            if missing:
                self._notes.append(f"{self.name}: forms {', '.join(sorted(missing))} are not on the configured pages")
        return found

    def _leads(self, mark: Checkpoint | None) -> Iterator[Batch]:
        window = LeadWindow.of(mark, self.now, self.settings.lookback, self.settings.start, "form", "after")
        since, until = math.floor(window.lo.timestamp()), math.ceil(window.hi.timestamp())
        for page_id, form in self._forms():
            form_id = str(form.get("id"))
            if form_id in window.done:
                continue
            after = window.position if form_id == window.current else None  # go on after the last landed page
            pages = self.api.leads(form_id, since, until, after)
            for leads, following in prefetched(pages):  # the next page is fetched while this one lands
                batch = self._lead_batch(leads, form, page_id, since, until)
                if following is None:
                    window.done.add(form_id)
                batch.checkpoint = window.checkpoint(form_id if following else None, following)
                yield batch
        yield window.end()

    def _lead_batch(self, leads: list[Any], form: dict[str, Any], page_id: str, since: int, until: int) -> Batch:
        batch = Batch(stream=MAIN, read=len(leads))
        for lead in leads:
            lead_id = str(lead.get("id")) if isinstance(lead, dict) else "?"
            position = f"form {form.get('id')} lead {lead_id}"
            try:
                payload, created = lead_payload(lead, form, page_id)
            except MalformedLead as bad:
                quarantine(batch, position, lead, bad, lead_id if lead_id != "?" else None)
                continue
            if not since <= created.timestamp() <= until:
                batch.skipped += 1
                self._outside += 1
                continue
            batch.records.append(IncomingRecord(payload["id"], created, payload, position))
        return batch

    # spend

    def _spend(self, mark: Checkpoint | None) -> Iterator[Batch]:
        s = self.settings
        today = self.now.astimezone(UTC).date()
        since = spend_since(last_spend_day(mark), today, s)
        for account in s.ad_accounts:
            rows: list[dict[str, Any]] = []
            for page in self.api.insights(account, since, today):
                found = [spend_row(r, account) for r in page]
                ad_rows = [r for r in found if r is not None]
                self._bad_spend += len(found) - len(ad_rows)
                rows += ad_rows
                yield Batch(stream="spend", events=Events(spend=ad_rows), read=len(page))
            # Meta spends at the ad level: a campaign's own row is the sum of its ads
            yield Batch(stream="spend", events=Events(spend=campaign_totals(rows)))
        yield spend_read_to(today)
