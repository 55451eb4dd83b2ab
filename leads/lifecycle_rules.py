"""Where a lead stands in the lifecycle, from its score and the CRM's signals (pure, forward only).

In order of strength: a won deal makes a customer; a conversion or an open deal an opportunity;
a sales signal (a lead status that means accepted, a booked meeting) an SQL; the MQL rule (grade at
least `min_fit` and `min_engagement`, or the model's score at least `min_predicted`) an MQL, unless
the lead is disqualified. A lead never moves back: a customer is never demoted by a low score.
"""

from __future__ import annotations

from collections.abc import Set
from dataclasses import dataclass

from leads.lifecycle import Stage, forward_only
from leads.scoring import Score, at_least
from leads.scoring_config import ScoringConfig


@dataclass(frozen=True, slots=True)
class Signals:
    lead_statuses: Set[str] = frozenset()  # case-folded
    activity_kinds: Set[str] = frozenset()
    outcomes: Set[str] = frozenset()  # won, lost, converted


def proposed_stage(
    score: Score, predicted: int | None, signals: Signals, config: ScoringConfig
) -> tuple[Stage | None, str | None]:
    """The stage the evidence supports (before forward-only), and why."""
    if "won" in signals.outcomes:
        return Stage.CUSTOMER, "a deal was won"
    if "converted" in signals.outcomes or "deal_open" in signals.activity_kinds:
        return Stage.OPPORTUNITY, "converted to an opportunity"
    accepted = {s.casefold() for s in config.sql.lead_statuses} & set(signals.lead_statuses)
    if accepted:
        return Stage.SQL, f"sales accepted (lead status {sorted(accepted)[0]})"
    booked = set(config.sql.activities) & set(signals.activity_kinds)
    if booked:
        return Stage.SQL, f"sales accepted ({sorted(booked)[0].replace('_', ' ')})"
    if score.disqualified is not None:
        return None, None
    rule = config.mql
    if at_least(score.grade, rule.min_fit, rule.min_engagement):
        return Stage.MQL, f"grade {score.grade} meets {rule.min_fit}{rule.min_engagement}"
    if rule.min_predicted is not None and predicted is not None and predicted >= rule.min_predicted:
        return Stage.MQL, f"predicted {predicted} meets {rule.min_predicted}"
    return None, None


def next_stage(
    current: Stage | None, score: Score, predicted: int | None, signals: Signals, config: ScoringConfig
) -> tuple[Stage | None, str | None]:
    """The lead's stage after scoring, and the reason when it moved (None when it stayed)."""
    proposed, why = proposed_stage(score, predicted, signals, config)
    new = forward_only(current, proposed)
    return new, why if new != current else None
