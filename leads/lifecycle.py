"""Lifecycle stages and the forward-only rule."""

from __future__ import annotations

from enum import StrEnum


class Stage(StrEnum):
    SUBSCRIBER = "subscriber"
    LEAD = "lead"
    MQL = "mql"
    SQL = "sql"
    OPPORTUNITY = "opportunity"
    CUSTOMER = "customer"

    @property
    def rank(self) -> int:
        return _ORDER.index(self)


_ORDER: list[Stage] = list(Stage)

# How CRMs and exports spell the stages; keys are compared after lowercasing and dropping
# spaces, dashes and underscores, so "Marketing Qualified Lead" and "marketingqualifiedlead"
# (HubSpot's internal value) both land on MQL.
DEFAULT_STAGE_ALIASES: dict[str, Stage] = {
    "subscriber": Stage.SUBSCRIBER,
    "lead": Stage.LEAD,
    "new": Stage.LEAD,
    "open": Stage.LEAD,
    "mql": Stage.MQL,
    "marketingqualifiedlead": Stage.MQL,
    "marketingqualified": Stage.MQL,
    "sql": Stage.SQL,
    "salesqualifiedlead": Stage.SQL,
    "salesqualified": Stage.SQL,
    "opportunity": Stage.OPPORTUNITY,
    "customer": Stage.CUSTOMER,
    "closedwon": Stage.CUSTOMER,
}


def stage_key(text: str) -> str:
    return "".join(ch for ch in text.lower() if ch.isalnum())


def parse_stage(text: str, aliases: dict[str, Stage] | None = None) -> Stage | None:
    """Map a source's stage label to a Stage, or None when the label is unknown."""
    key = stage_key(text)
    if aliases and key in aliases:
        return aliases[key]
    return DEFAULT_STAGE_ALIASES.get(key)


def forward_only(current: Stage | None, proposed: Stage | None) -> Stage | None:
    """The later of two stages: a lead never moves backwards by a merge or a re-extract."""
    if current is None:
        return proposed
    if proposed is None:
        return current
    return proposed if proposed.rank > current.rank else current


def stages_from(minimum: Stage | None) -> list[str] | None:
    """The stage values at or after `minimum`; None (no filter) when there is no minimum."""
    return None if minimum is None else [s.value for s in Stage if s.rank >= minimum.rank]
