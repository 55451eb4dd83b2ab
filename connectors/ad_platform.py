"""What the ad-platform lead sources (Meta, Google Ads, LinkedIn) share: how their streams are read
and checkpointed.

Each lead stream reads one window [previous end - lookback, this run's start] unit by unit
(Google's customers, LinkedIn's ad accounts, Meta's forms) and checkpoints every page with the
window, the units done and where the current unit stopped; spend is read by day from the last day
landed minus `spend_lookback`. Paging, time formats, quota errors and lead payloads are each
platform's own and stay in connectors/<platform>/ (what their mappings share: connectors/ad_mapping.py).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any, Protocol

from connectors.http.errors import RetriableError
from connectors.http.quota import QuotaReached
from connectors.source import MAIN, Batch, Checkpoint, new_window
from connectors.store.landing import QuarantineEntry

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
SPEND = "spend"


# streams


def leads_then_spend(
    leads: Callable[[Checkpoint | None], Iterator[Batch]],
    spend: Callable[[Checkpoint | None], Iterator[Batch]] | None,
    checkpoints: Mapping[str, Checkpoint],
    quota_stop: Callable[[RetriableError], str | None],
) -> Iterator[Batch]:
    """The lead stream, then spend (None: not configured), each from its own checkpoint.

    `quota_stop` tells a platform's quota error that outlasts a run (and says so) from any other
    retriable error: that one stops the source at its last checkpoint (QuotaReached) instead of
    failing it; the others are raised as they are.
    """
    try:
        yield from leads(checkpoints.get(MAIN))
        if spend is not None:
            yield from spend(checkpoints.get(SPEND))
    except RetriableError as exc:
        message = quota_stop(exc)
        if message is None:
            raise
        raise QuotaReached(message) from exc


@dataclass
class LeadWindow:
    """This run's lead window, and how far into it an interrupted run got.

    Until the window is read to its end, every page's checkpoint keeps the previous end as its
    cursor and the progress in its state (`<unit>s_done`, `<unit>` and the position within it), so
    a crash resumes inside the window rather than after it. The state keys are what checkpoints
    already landed hold: they must not change.
    """

    lo: datetime
    hi: datetime
    done_until: datetime
    unit: str  # "customer", "account", "form"
    position_key: str  # where the current unit stopped: "after" (a time or cursor), "start" (an offset)
    done: set[str]
    current: str | None
    position: Any
    resumed: bool  # False: a new window (from `lookback` and `start`)

    @classmethod
    def of(
        cls, mark: Checkpoint | None, now: datetime, lookback: timedelta, start: datetime | None, unit: str, key: str
    ) -> LeadWindow:
        state = dict((mark.state or {}) if mark else {})
        done_until = mark.cursor_ts if mark else EPOCH
        if "window" in state:
            lo, hi = (datetime.fromisoformat(t) for t in state["window"])
            done = set(state.get(f"{unit}s_done") or [])
            return cls(lo, hi, done_until, unit, key, done, state.get(unit), state.get(key), True)
        window = new_window(mark, now, lookback, start, timedelta.max, EPOCH)
        return cls(window.lo, window.hi, done_until, unit, key, set(), None, None, False)

    def checkpoint(self, current: str | None, position: Any) -> Checkpoint:
        """After a page: `current` is the unit still being read (None once it is done)."""
        progress = {
            "window": [self.lo.isoformat(), self.hi.isoformat()],
            f"{self.unit}s_done": sorted(self.done),
            self.unit: current,
            self.position_key: position,
        }
        return Checkpoint(self.done_until, "", progress)

    def end(self) -> Batch:
        """The window read to its end: its end is the watermark."""
        return Batch(stream=MAIN, checkpoint=Checkpoint(self.hi))


def quarantine(batch: Batch, position: str, lead: Any, reason: Exception, lead_id: str | None) -> None:
    """Sets a lead that cannot be landed aside, as the JSON it came as, with the reason."""
    raw = json.dumps(lead, sort_keys=True, default=str).encode()
    batch.rejected.append(QuarantineEntry(position, raw, [str(reason)], lead_id))


# spend


class SpendSettings(Protocol):
    start: datetime | None
    spend_history: timedelta
    spend_lookback: timedelta


def last_spend_day(mark: Checkpoint | None) -> date | None:
    day = ((mark.state or {}) if mark else {}).get("day")
    return date.fromisoformat(day) if day else None


def spend_since(last: date | None, today: date, settings: SpendSettings) -> date:
    """The first day to read: `spend_lookback` before the last day read (re-read days are corrected)."""
    first = settings.start.date() if settings.start else today - settings.spend_history
    return min(last - settings.spend_lookback if last is not None else first, today)


def spend_read_to(day: date) -> Batch:
    """The spend checkpoint after reading up to `day`."""
    midnight = datetime(day.year, day.month, day.day, tzinfo=UTC)
    return Batch(stream=SPEND, checkpoint=Checkpoint(midnight, "", {"day": day.isoformat()}))
