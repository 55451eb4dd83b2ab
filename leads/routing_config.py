"""The config of routing: who a new MQL goes to.

```yaml
routing:
  owner_source: hubspot          # the source whose owner ids the team members are
  account_match: true            # a lead at a company sales already works goes to that account's owner
  teams:
    emea: {members: [{id: "81234", weight: 2}, {id: "81235"}]}
    na: {members: [{id: "005Dn000003XyZ", source: salesforce}]}
  rules:                         # tried in order; the first that matches names the team
    - {name: dach enterprise, team: emea, country: [DE, AT, CH], employee_range: ["1001-5000", "5001-10000"]}
    - {name: north america, team: na, country: [US, CA]}
  unavailable: ["81235"]         # owner ids, names or emails on leave: skipped by round-robin
```
"""

from __future__ import annotations

from typing import Any

from pydantic import Field, field_validator, model_validator

from leads.config_base import Name, Strict
from leads.lifecycle import Stage

EMPLOYEE_RANGES = ("1-10", "11-50", "51-200", "201-500", "501-1000", "1001-5000", "5001-10000", "10001+")
ACCOUNT_RULE = "account owner"  # the rule name recorded for an account match


def _as_list(value: Any) -> Any:
    if isinstance(value, list) and any(isinstance(v, bool) for v in value):
        raise ValueError('got true/false: quote codes such as "NO" (Norway), which YAML reads as false')
    return [value] if isinstance(value, str | int) else value


class MemberConfig(Strict):
    """A person in a team: their owner id in `source` (default `routing.owner_source`) and their share."""

    id: str = Field(min_length=1, max_length=255)
    source: Name | None = None
    weight: int = Field(default=1, ge=1, le=1000)

    _check_id = field_validator("id", mode="before")(classmethod(lambda cls, v: str(v) if isinstance(v, int) else v))


class TeamConfig(Strict):
    members: list[MemberConfig] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique_members(self) -> TeamConfig:
        seen: set[tuple[str | None, str]] = set()
        for member in self.members:
            if (member.source, member.id) in seen:
                raise ValueError(f"members lists {member.id!r} twice")
            seen.add((member.source, member.id))
        return self


class TerritoryRule(Strict):
    """Matches when every condition given matches (a rule without conditions matches every lead)."""

    name: str = Field(min_length=1, max_length=80)
    team: Name
    country: list[str] | None = None  # ISO 3166-1 alpha-2 codes, against the lead's country_code
    region: list[str] | None = None  # ISO 3166-2 codes (US-CA), against region_code
    employee_range: list[str] | None = None  # size bands, as enrichment fills employee_range
    industry: list[str] | None = None  # industries, case-insensitively

    _lists = field_validator("country", "region", "employee_range", "industry", mode="before")(
        classmethod(lambda cls, v: _as_list(v))
    )

    @field_validator("country")
    @classmethod
    def _countries(cls, value: list[str] | None) -> list[str] | None:
        if value is None:
            return None
        out = [v.strip().upper() for v in value]
        bad = [v for v in out if len(v) != 2 or not v.isalpha()]
        if bad:
            raise ValueError(f"expected ISO 3166-1 alpha-2 country codes (DE, US), got {', '.join(bad)}")
        return out

    @field_validator("region")
    @classmethod
    def _regions(cls, value: list[str] | None) -> list[str] | None:
        if value is None:
            return None
        out = [v.strip().upper() for v in value]
        bad = [v for v in out if len(v) < 4 or v[2] != "-" or not v[:2].isalpha()]
        if bad:
            raise ValueError(f"expected ISO 3166-2 region codes (US-CA, DE-BY), got {', '.join(bad)}")
        return out

    @field_validator("employee_range")
    @classmethod
    def _ranges(cls, value: list[str] | None) -> list[str] | None:
        bad = [v for v in value or () if v not in EMPLOYEE_RANGES]
        if bad:
            raise ValueError(f"unknown size band {', '.join(bad)}; expected one of: {', '.join(EMPLOYEE_RANGES)}")
        return value

    @field_validator("industry")
    @classmethod
    def _industries(cls, value: list[str] | None) -> list[str] | None:
        return None if value is None else [v.strip().casefold() for v in value]


class RoutingConfig(Strict):
    enabled: bool = True
    min_stage: Stage = Stage.MQL  # leads at this stage or later are routed
    owner_source: Name | None = None  # where the team members' ids come from, unless a member says
    account_match: bool = True
    teams: dict[Name, TeamConfig] = Field(default_factory=dict)
    rules: list[TerritoryRule] = Field(default_factory=list)
    unavailable: list[str] = Field(default_factory=list)  # owner ids, names or emails

    _unavailable = field_validator("unavailable", mode="before")(classmethod(lambda cls, v: _as_list(v)))

    @field_validator("min_stage")
    @classmethod
    def _at_least_mql(cls, value: Stage) -> Stage:
        if value.rank < Stage.MQL.rank:
            raise ValueError("routing hands leads to sales: expected mql or a later stage (sql, opportunity, customer)")
        return value

    @model_validator(mode="after")
    def _rules_name_teams(self) -> RoutingConfig:
        names: set[str] = set()
        for i, rule in enumerate(self.rules):
            if rule.team not in self.teams:
                raise ValueError(
                    f"rules.{i}.team: {rule.team!r} is not a team; expected one of: "
                    + (", ".join(sorted(self.teams)) or "(no teams under routing.teams)")
                )
            if rule.name in names or rule.name == ACCOUNT_RULE:
                raise ValueError(f"rules.{i}.name: {rule.name!r} is used twice (or is reserved)")
            names.add(rule.name)
        for team, config in self.teams.items():
            for j, member in enumerate(config.members):
                if member.source is None and self.owner_source is None:
                    raise ValueError(
                        f"teams.{team}.members.{j}.source: whose owner id is {member.id!r}? "
                        "give the member a source, or set routing.owner_source"
                    )
        return self

    def member_sources(self) -> dict[str, str]:
        """config key → source name, for every source the routing config refers to."""
        out = {"routing.owner_source": self.owner_source} if self.owner_source else {}
        for team, config in self.teams.items():
            for j, member in enumerate(config.members):
                if member.source:
                    out[f"routing.teams.{team}.members.{j}.source"] = member.source
        return out
