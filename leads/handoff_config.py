"""The config of the marketing-to-sales hand-off: SLAs, recycling to nurture and the funnel report.

```yaml
handoff:
  sla: {first_touch: 2d, to_sql: 14d}      # MQL → first sales touch, MQL → SQL
  touches: [call, email_sent, email_reply, meeting]
  recycle:
    after: 30d                              # an MQL nobody worked for this long goes back to nurture
    lead_statuses: [Unqualified, Bad Timing]  # a CRM lead status meaning sales rejected it
  funnel: {weeks: 12}                       # the report recomputes the last 12 weeks of cohorts
```
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any, Literal

from pydantic import Field, field_validator

from leads.config_base import Strict, duration
from leads.scoring_config import ACTIVITY_KINDS

ActivityKind = Literal[ACTIVITY_KINDS]  # type: ignore[valid-type]
DEFAULT_TOUCHES: tuple[str, ...] = ("call", "email_sent", "email_reply", "meeting")


def _duration_or_none(value: Any) -> timedelta | None:
    return None if value is None else duration(value)


class SlaConfig(Strict):
    first_touch: Any = timedelta(days=2)  # None: not tracked
    to_sql: Any = timedelta(days=14)

    _check = field_validator("first_touch", "to_sql", mode="before")(classmethod(lambda cls, v: _duration_or_none(v)))


class RecycleConfig(Strict):
    enabled: bool = True
    after: Any = timedelta(days=30)  # None: never recycle for want of work
    lead_statuses: list[str] = Field(default_factory=list)

    _check = field_validator("after", mode="before")(classmethod(lambda cls, v: _duration_or_none(v)))


class FunnelConfig(Strict):
    enabled: bool = True
    weeks: int = Field(default=12, ge=1, le=520)  # cohorts the run's report recomputes


class HandoffConfig(Strict):
    enabled: bool = True
    sla: SlaConfig = Field(default_factory=SlaConfig)
    touches: list[ActivityKind] = Field(default_factory=lambda: list(DEFAULT_TOUCHES), min_length=1)
    recycle: RecycleConfig = Field(default_factory=RecycleConfig)
    funnel: FunnelConfig = Field(default_factory=FunnelConfig)
    flagged_limit: int = Field(default=200, ge=0, le=10_000)  # lead ids listed per SLA in the report
