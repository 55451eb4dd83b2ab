"""Rule-based scores (pure): fit from the profile, engagement from what the person did, and a grade.

- Fit: the sum of the points of every criterion the lead's values match, bounded to 0..max. A
  criterion with `disqualify` marks the lead (competitor, student, ...): it is never an MQL.
- Engagement: per activity kind, points per event, decayed by half every `half_life` (or counted
  only within `timeframe`), capped per kind, the total bounded to 0..max. Time is the run's day
  (midnight UTC), so reruns on one day score alike.
- Grade: a fit letter (A best .. D) and an engagement digit (1 best .. 4), e.g. B2.
- Reasons: every contribution with its points and evidence, strongest first; a lead carries the
  top few, so a rep sees why (and a score nobody can question is a score nobody trusts).
Everything is deterministic: the same lead, events and day give the same score.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from typing import Any

from leads.fields import LEAD_FIELD_KINDS, Kind
from leads.scoring_config import Criterion, EngagementConfig, FitConfig, GradesConfig, ScoringConfig

PRIVATE_KINDS = frozenset({Kind.EMAIL, Kind.PHONE, Kind.NAME})  # never quoted as evidence


@dataclass(frozen=True, slots=True)
class Event:
    kind: str
    at: datetime


@dataclass(frozen=True, slots=True)
class Reason:
    criterion: str
    points: float
    evidence: str

    def text(self) -> str:
        return f"{self.points:+.0f} {self.criterion} ({self.evidence})"


@dataclass(slots=True)
class Score:
    fit: int
    engagement: int
    grade: str
    reasons: list[Reason] = field(default_factory=list)
    disqualified: str | None = None


@lru_cache(maxsize=256)
def _pattern(text: str) -> re.Pattern[str]:
    return re.compile(text)


def _norm(value: Any) -> Any:
    return value.strip().casefold() if isinstance(value, str) else value


def _matches(criterion: Criterion, value: Any) -> bool:
    values = value if isinstance(value, list | tuple) else [value]
    present = [v for v in values if v is not None and v != ""]
    if criterion.present is not None:
        return bool(present) is criterion.present
    if not present:
        return criterion.not_in is not None  # nothing is in no list
    if criterion.equals is not None:
        return any(_norm(v) == _norm(criterion.equals) for v in present)
    if criterion.in_ is not None:
        wanted = {_norm(w) for w in criterion.in_}
        return any(_norm(v) in wanted for v in present)
    if criterion.not_in is not None:
        banned = {_norm(w) for w in criterion.not_in}
        return not any(_norm(v) in banned for v in present)
    if criterion.matches is not None:
        return any(_pattern(criterion.matches).search(str(v)) for v in present)
    try:
        number = float(present[0])
    except (TypeError, ValueError):
        return False
    return (criterion.min is None or number >= criterion.min) and (criterion.max is None or number <= criterion.max)


def _evidence(criterion: Criterion, value: Any) -> str:
    if LEAD_FIELD_KINDS.get(criterion.field) in PRIVATE_KINDS:
        return f"{criterion.field} matches"
    if value is None or value == "" or value == []:
        return f"no {criterion.field}"
    shown = ", ".join(map(str, value)) if isinstance(value, list | tuple) else str(value)
    return f"{criterion.field} is {shown[:60]}"


def fit_score(values: Mapping[str, Any], config: FitConfig) -> tuple[int, list[Reason], str | None]:
    """(points bounded to 0..max, reasons, the first disqualifying criterion's reason)."""
    total, reasons, disqualified = 0, [], None
    for criterion in config.criteria:
        value = values.get(criterion.field)
        if not _matches(criterion, value):
            continue
        total += criterion.points
        reasons.append(Reason(criterion.name, criterion.points, _evidence(criterion, value)))
        if criterion.disqualify and disqualified is None:
            disqualified = criterion.disqualify
    return max(0, min(config.max, total)), reasons, disqualified


def decay(age_days: float, config: EngagementConfig) -> float:
    """The share of an event's points left after `age_days` (1 for events in the future)."""
    if age_days <= 0:
        return 1.0
    if config.half_life is not None:
        return 0.5 ** (age_days / (config.half_life.total_seconds() / 86400))
    if config.timeframe is not None:
        return 1.0 if age_days <= config.timeframe.total_seconds() / 86400 else 0.0
    return 1.0


def engagement_score(events: Iterable[Event], config: EngagementConfig, now: datetime) -> tuple[int, list[Reason]]:
    """(points bounded to 0..max, one reason per activity kind that scored)."""
    points: dict[str, float] = defaultdict(float)
    counts: dict[str, int] = defaultdict(int)
    last: dict[str, datetime] = {}
    for event in events:
        rule = config.events.get(event.kind)
        if rule is None:
            continue
        share = decay((now - event.at).total_seconds() / 86400, config)
        if share == 0:
            continue
        points[event.kind] += rule.points * share
        counts[event.kind] += 1
        last[event.kind] = max(last.get(event.kind, event.at), event.at)
    reasons = []
    for kind, value in points.items():
        cap = config.events[kind].max
        value = min(value, cap) if cap is not None else value
        points[kind] = value
        label = kind.replace("_", " ")
        reasons.append(Reason(label, round(value, 1), f"{counts[kind]}x, last {last[kind]:%Y-%m-%d}"))
    total = sum(points.values())
    return max(0, min(config.max, round(total))), reasons


def grade(fit: int, engagement: int, grades: GradesConfig) -> str:
    letter = next((g for g in "ABC" if g in grades.fit and fit >= grades.fit[g]), "D")  # type: ignore[index]
    digit = next((d for d in (1, 2, 3) if d in grades.engagement and engagement >= grades.engagement[d]), 4)  # type: ignore[index]
    return f"{letter}{digit}"


def score(values: Mapping[str, Any], events: Iterable[Event], config: ScoringConfig, now: datetime) -> Score:
    fit, fit_reasons, disqualified = fit_score(values, config.fit)
    engagement, engagement_reasons = engagement_score(events, config.engagement, now)
    if disqualified is None and config.disqualify_do_not_contact and values.get("do_not_contact") is True:
        disqualified = "do-not-contact"
    reasons = sorted(fit_reasons + engagement_reasons, key=lambda r: (-abs(r.points), r.criterion))
    return Score(fit, engagement, grade(fit, engagement, config.grades), reasons[: config.reasons], disqualified)


def at_least(grade_text: str, min_fit: str, min_engagement: int) -> bool:
    """Whether a grade is at least as good as the letter and digit (A beats B, 1 beats 2)."""
    return grade_text[0] <= min_fit and int(grade_text[1]) <= min_engagement
