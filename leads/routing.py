"""Routing: which owner a new MQL goes to, by which rule, and why (pure).

Precedence, first that gives an available owner wins:
1. **account owner**: the owner sales already has at the lead's company (`company_domain`): the CRM
   owner holding most leads of that domain (ties: the most recent one, then by id);
2. **territory**: the first rule (in config order) whose conditions all match names a team;
3. **weighted round-robin** within that team, skipping people who are unavailable (listed in
   `routing.unavailable`, or inactive in the CRM's owners).

The round-robin is the smooth weighted round-robin of nginx: over any `sum(weights)` consecutive
leads a team hands each available member exactly `weight` of them, interleaved rather than in runs.
Its only state is a team's position, the number of leads the team has round-robined so far, which
the caller counts from the stored assignments; leads are routed in lead-id order, so the same leads
and the same stored assignments always give the same owners. When someone becomes unavailable the
cycle is built over the others and the position goes on (no burst when they are back).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from leads.routing_config import ACCOUNT_RULE, RoutingConfig, TerritoryRule


@dataclass(frozen=True, slots=True)
class Owner:
    """A CRM user as the store knows them (`owners`)."""

    source: str
    owner_id: str
    name: str | None = None
    email: str | None = None
    team: str | None = None
    active: bool = True


@dataclass(frozen=True, slots=True)
class Assignment:
    owner_source: str
    owner_id: str
    rule: str
    team: str | None
    reason: str


@dataclass(slots=True)
class _Tally:
    leads: int = 0
    latest: datetime | None = None


@dataclass
class AccountBook:
    """Who owns which company: from the leads of each company domain that have a CRM owner."""

    _by_domain: dict[str, dict[tuple[str, str], _Tally]] = field(default_factory=dict)

    def add(self, domain: str, source: str, owner_id: str, at: datetime | None) -> None:
        tally = self._by_domain.setdefault(domain.casefold(), {}).setdefault((source, owner_id), _Tally())
        tally.leads += 1
        if at is not None and (tally.latest is None or at > tally.latest):
            tally.latest = at

    def owners_of(self, domain: str) -> list[tuple[str, str, int]]:
        """(source, owner id, leads) at this domain, the account owner first."""
        found = self._by_domain.get(domain.casefold(), {})
        ranked = sorted(
            found.items(),
            key=lambda kv: (-kv[1].leads, -(kv[1].latest.timestamp() if kv[1].latest else 0.0), kv[0]),
        )
        return [(src, oid, t.leads) for (src, oid), t in ranked]

    def __len__(self) -> int:
        return len(self._by_domain)


class Availability:
    """Who may take leads: not listed as unavailable (by id, name or email) and not inactive in the CRM."""

    def __init__(self, unavailable: Iterable[str], owners: Mapping[tuple[str, str], Owner]) -> None:
        self.unavailable = {u.strip().casefold() for u in unavailable if u.strip()}
        self.owners = owners

    def owner(self, source: str, owner_id: str) -> Owner | None:
        return self.owners.get((source, owner_id))

    def available(self, source: str, owner_id: str) -> bool:
        known = self.owners.get((source, owner_id))
        names = {owner_id.casefold()}
        if known is not None:
            if not known.active:
                return False
            names |= {v.casefold() for v in (known.name, known.email) if v}
        return not (names & self.unavailable)


def smooth_cycle(weights: list[tuple[Any, int]]) -> list[Any]:
    """One period of nginx's smooth weighted round-robin: `sum(weights)` picks, each key `weight` times."""
    total = sum(w for _, w in weights)
    current = [0] * len(weights)
    out = []
    for _ in range(total):
        for i, (_, w) in enumerate(weights):
            current[i] += w
        best = max(range(len(weights)), key=lambda i: (current[i], -i))
        current[best] -= total
        out.append(weights[best][0])
    return out


def rule_matches(rule: TerritoryRule, values: Mapping[str, Any]) -> bool:
    checks = (
        (rule.country, values.get("country_code")),
        (rule.region, values.get("region_code")),
        (rule.employee_range, values.get("employee_range")),
        (rule.industry, values.get("industry")),
    )
    for wanted, value in checks:
        if wanted is None:
            continue
        if value is None:
            return False
        text = str(value).strip()
        if wanted is rule.industry:
            text = text.casefold()
        elif wanted is not rule.employee_range:
            text = text.upper()
        if text not in wanted:
            return False
    return True


def _conditions(rule: TerritoryRule, values: Mapping[str, Any]) -> str:
    parts = [
        f"{key} {values.get(name)}"
        for key, name, wanted in (
            ("country", "country_code", rule.country),
            ("region", "region_code", rule.region),
            ("size", "employee_range", rule.employee_range),
            ("industry", "industry", rule.industry),
        )
        if wanted is not None
    ]
    return ", ".join(parts) or "every lead"


class Router:
    """Routes leads one by one, in lead-id order; `positions` (team → leads round-robined so far)
    is the round-robin's state and moves as leads are routed."""

    def __init__(
        self,
        config: RoutingConfig,
        accounts: AccountBook,
        availability: Availability,
        positions: Mapping[str, int] | None = None,
    ) -> None:
        self.config = config
        self.accounts = accounts
        self.availability = availability
        self.positions: dict[str, int] = dict(positions or {})
        self._cycles: dict[str, tuple[list[tuple[str, str]], dict[tuple[str, str], int], int]] = {}

    def route(self, values: Mapping[str, Any]) -> Assignment | None:
        """The owner for a lead's field values (company_domain, country_code, region_code,
        employee_range, industry), or None when no rule matches or nobody in the team is available."""
        return self.by_account(values) or self.by_territory(values)

    def by_account(self, values: Mapping[str, Any]) -> Assignment | None:
        domain = values.get("company_domain")
        if not self.config.account_match or not domain:
            return None
        for source, owner_id, leads in self.accounts.owners_of(str(domain)):
            if self.availability.available(source, owner_id):
                known = self.availability.owner(source, owner_id)
                plural = "s" if leads > 1 else ""
                return Assignment(
                    source,
                    owner_id,
                    ACCOUNT_RULE,
                    known.team if known else None,
                    f"account owner: owns {leads} lead{plural} at {str(domain).casefold()}",
                )
        return None

    def by_territory(self, values: Mapping[str, Any]) -> Assignment | None:
        for rule in self.config.rules:
            if not rule_matches(rule, values):
                continue
            cycle, weights, total = self._cycle(rule.team)
            if not cycle:
                return None  # the rule fired but everyone in its team is away: left for the next run
            position = self.positions.get(rule.team, 0)
            self.positions[rule.team] = position + 1
            source, owner_id = cycle[position % len(cycle)]
            return Assignment(
                source,
                owner_id,
                rule.name,
                rule.team,
                f"territory rule {rule.name!r} ({_conditions(rule, values)}): team {rule.team}, "
                f"weighted round-robin (weight {weights[(source, owner_id)]} of {total})",
            )
        return None

    def _cycle(self, team: str) -> tuple[list[tuple[str, str]], dict[tuple[str, str], int], int]:
        found = self._cycles.get(team)
        if found is None:
            members = []
            for m in self.config.teams[team].members:
                source = m.source or self.config.owner_source or ""
                if self.availability.available(source, m.id):
                    members.append(((source, m.id), m.weight))
            weights = dict(members)
            found = (smooth_cycle(members), weights, sum(weights.values()))
            self._cycles[team] = found
        return found
