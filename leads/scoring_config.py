"""The config of scoring and the lifecycle: fit criteria, engagement points and decay, grades, MQL and SQL rules.

```yaml
scoring:
  fit:
    max: 100
    criteria:
      - {name: decision maker, field: seniority, in: [cxo, vp, director], points: 20}
      - {name: free-mail, field: email_class, equals: free, points: -15}
      - {name: competitor, field: company_domain, in: [rival.example], points: -100, disqualify: competitor}
  engagement:
    max: 100
    half_life: 14d              # or timeframe: 30d (count only what happened in the last 30 days)
    events: {form_fill: 30, ad_lead: 25, meeting: 40, email_click: 10, page_view: {points: 2, max: 20}}
  grades:
    fit: {A: 60, B: 40, C: 20}        # at least this many fit points; below C is D
    engagement: {1: 60, 2: 30, 3: 10} # at least this many engagement points; below 3 is 4
  mql: {min_fit: B, min_engagement: 2}
  sql: {lead_statuses: [Working - Contacted, CONNECTED], activities: [meeting]}
```
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any, Literal

from pydantic import ConfigDict, Field, field_validator, model_validator

from leads.config_base import Strict, duration
from leads.fields import LEAD_FIELD_NAMES

LeadFieldName = Literal[LEAD_FIELD_NAMES]  # type: ignore[valid-type]
Letter = Literal["A", "B", "C", "D"]
Digit = Literal[1, 2, 3, 4]
ACTIVITY_KINDS = (
    "form_fill",
    "ad_lead",
    "page_view",
    "email_open",
    "email_click",
    "email_reply",
    "email_sent",
    "meeting",
    "call",
    "task",
    "deal_open",
)


class Criterion(Strict):
    """A fit rule: `points` when the lead's `field` matches (one of equals, in, not_in, matches,
    present, min/max)."""

    name: str = Field(min_length=1, max_length=80)
    field: LeadFieldName
    points: int = Field(ge=-1000, le=1000)
    equals: Any = None
    in_: list[Any] | None = Field(default=None, alias="in")
    not_in: list[Any] | None = None
    matches: str | None = None
    present: bool | None = None
    min: float | None = None
    max: float | None = None
    disqualify: str | None = Field(default=None, max_length=80)  # a reason: the lead is never an MQL

    model_config = ConfigDict(extra="forbid", validate_default=True, populate_by_name=True)

    @field_validator("matches")
    @classmethod
    def _regex(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                re.compile(value)
            except re.error as exc:
                raise ValueError(f"{value!r} is not a valid regular expression ({exc})") from None
        return value

    @model_validator(mode="after")
    def _one_test(self) -> Criterion:
        tests = [self.equals, self.in_, self.not_in, self.matches, self.present]
        given = sum(t is not None for t in tests) + (1 if self.min is not None or self.max is not None else 0)
        if given != 1:
            raise ValueError("give exactly one test: equals, in, not_in, matches, present, or min/max")
        return self


class FitConfig(Strict):
    max: int = Field(default=100, gt=0)
    criteria: list[Criterion] = Field(default_factory=list)


class EventPoints(Strict):
    points: int = Field(ge=-1000, le=1000)
    max: int | None = Field(default=None, gt=0)  # at most this many points from this kind


def _event(value: Any) -> Any:
    return {"points": value} if isinstance(value, int) and not isinstance(value, bool) else value


class EngagementConfig(Strict):
    """Points per activity kind; each event's points decay by half every `half_life`, or count only
    within `timeframe` (one of the two, as HubSpot's engagement scores have it)."""

    max: int = Field(default=100, gt=0)
    half_life: Any = None
    timeframe: Any = None
    events: dict[Literal[ACTIVITY_KINDS], EventPoints] = Field(default_factory=dict)  # type: ignore[valid-type]

    _check_windows = field_validator("half_life", "timeframe", mode="before")(
        classmethod(lambda cls, v: None if v is None else duration(v))
    )

    @field_validator("events", mode="before")
    @classmethod
    def _shorthand(cls, value: Any) -> Any:
        return {k: _event(v) for k, v in value.items()} if isinstance(value, dict) else value

    @model_validator(mode="after")
    def _decay_or_window(self) -> EngagementConfig:
        if self.half_life is not None and self.timeframe is not None:
            raise ValueError("give half_life (points decay) or timeframe (points expire), not both")
        for name in ("half_life", "timeframe"):
            value = getattr(self, name)
            if value is not None and value <= timedelta(0):
                raise ValueError(f"{name}: expected a duration greater than zero")
        return self


class GradesConfig(Strict):
    fit: dict[Literal["A", "B", "C"], int] = Field(default_factory=lambda: {"A": 60, "B": 40, "C": 20})
    engagement: dict[Literal[1, 2, 3], int] = Field(default_factory=lambda: {1: 60, 2: 30, 3: 10})

    @model_validator(mode="after")
    def _descending(self) -> GradesConfig:
        for name, thresholds in (
            ("fit", [self.fit.get(k) for k in "ABC"]),
            ("engagement", [self.engagement.get(k) for k in (1, 2, 3)]),
        ):
            known = [t for t in thresholds if t is not None]
            if known != sorted(known, reverse=True):
                raise ValueError(f"{name}: thresholds must fall from the best grade to the worst")
        return self


class MqlConfig(Strict):
    min_fit: Letter = "B"
    min_engagement: Digit = 2
    min_predicted: int | None = Field(default=None, ge=0, le=100)  # also (or only) by the model's score


class SqlConfig(Strict):
    """CRM signals that sales accepted a lead: a lead status, or an activity such as a booked meeting."""

    lead_statuses: list[str] = Field(default_factory=list)
    activities: list[Literal[ACTIVITY_KINDS]] = Field(default_factory=lambda: ["meeting"])  # type: ignore[valid-type]


class ModelUseConfig(Strict):
    use: bool = True  # score with the latest approved model, when there is one
    name: str = "conversion"
    # Columns written after the outcome (a closing status, the deal's amount): never features, on
    # top of what `leads model train --exclude` names.
    exclude: list[str] = Field(default_factory=list)


class ScoringConfig(Strict):
    enabled: bool = True
    fit: FitConfig = Field(default_factory=FitConfig)
    engagement: EngagementConfig = Field(default_factory=EngagementConfig)
    grades: GradesConfig = Field(default_factory=GradesConfig)
    mql: MqlConfig = Field(default_factory=MqlConfig)
    sql: SqlConfig = Field(default_factory=SqlConfig)
    disqualify_do_not_contact: bool = True
    reasons: int = Field(default=5, ge=1, le=20)  # how many reasons a lead carries
    model: ModelUseConfig = Field(default_factory=ModelUseConfig)
