"""The waterfall: for each target field, ask providers in order and stop at the first that fills it.

Work is done for a chunk of leads at once so every provider sees one deduplicated batch per turn
(twenty leads at acme.com cost one lookup). Turns go by position: every field's first provider,
then every field's second for what is still empty, and so on. An answer a provider already gave
fills every field it holds whose waterfall names that provider, so nothing paid for is wasted.

Cached answers (hits and misses, within their TTL) are used before any call. Each provider has a
credit budget per run; lookups past it are deferred to the next run, as are queued and failed
ones and those of a provider whose credentials were refused (ProviderFatal stops that provider
for the rest of the run, the others go on).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from connectors.enrichment.base import Answer, Lookup, Outcome, Provider, ProviderFatal
from connectors.store.enrichment import EnrichmentCache
from leads.enrich_rules import lookup_kind
from leads.enriched import Enriched
from leads.model import Lead


@dataclass(slots=True)
class ProviderUse:
    """What one provider did in a run, for the report."""

    lookups: int = 0  # distinct lookups it was asked for
    cache_hits: int = 0
    hits: int = 0
    misses: int = 0
    queued: int = 0
    failed: int = 0
    over_budget: int = 0
    credits: float = 0.0
    stopped: str | None = None  # why the provider was stopped for the run


@dataclass(slots=True)
class LeadResult:
    fields: dict[str, Enriched] = field(default_factory=dict)
    deferred: set[str] = field(default_factory=set)  # "field:provider" steps to retry next run


@dataclass(slots=True)
class _Ask:
    lead: Lead
    needed: set[str]
    step: dict[str, int]  # field → position of the provider whose turn it is


class Waterfall:
    def __init__(
        self,
        providers: Mapping[str, Provider],
        order: Mapping[str, Sequence[str]],
        cache: EnrichmentCache | None,
        budgets: Mapping[str, float | None],
        clock: Callable[[], datetime],
    ) -> None:
        self.providers = providers
        self.order = {f: list(names) for f, names in order.items()}
        self.cache = cache
        self.budgets = budgets
        self.clock = clock
        self.use: dict[str, ProviderUse] = {name: ProviderUse() for name in providers}
        for field_name, names in self.order.items():
            for name in names:
                if lookup_kind(field_name) not in providers[name].kinds:
                    raise ValueError(
                        f"enrichment.waterfall.{field_name}: provider {name!r} cannot fill it "
                        f"(it answers {', '.join(sorted(providers[name].kinds))} lookups, "
                        f"{field_name} needs a {lookup_kind(field_name)} lookup)"
                    )

    def run(self, needs: Mapping[str, tuple[Lead, set[str]]]) -> dict[str, LeadResult]:
        """needs: lead id → (lead, fields it lacks). Returns what was found per lead."""
        results = {lead_id: LeadResult() for lead_id in needs}
        asks = [
            _Ask(lead, {f for f in wanted if f in self.order}, dict.fromkeys(wanted, 0))
            for lead, wanted in needs.values()
        ]
        depth = max((len(v) for v in self.order.values()), default=0)
        for position in range(depth):
            for provider in self._providers_at(position):
                turn = [
                    (ask, f)
                    for ask in asks
                    for f in ask.needed
                    if ask.step.get(f) == position
                    and position < len(self.order[f])
                    and self.order[f][position] == provider
                ]
                if turn:
                    self._take_turn(provider, turn, results)
        return results

    def _providers_at(self, position: int) -> list[str]:
        names = [v[position] for v in self.order.values() if len(v) > position]
        return list(dict.fromkeys(names))

    def _take_turn(self, name: str, turn: list[tuple[_Ask, str]], results: dict[str, LeadResult]) -> None:
        lookups: dict[tuple[str, str], Lookup] = {}
        wanted: dict[tuple[str, str], Lookup | None] = {}
        for ask, f in turn:
            item = _lookup_for(ask.lead, lookup_kind(f))
            wanted[(ask.lead.lead_id, f)] = item
            if item is not None:
                lookups[(item.kind, item.key)] = item
        answers = self._answers(name, list(lookups.values()))
        now = self.clock()
        for ask, f in turn:
            item = wanted[(ask.lead.lead_id, f)]
            ask.step[f] += 1
            if f not in ask.needed:
                continue  # an earlier answer in this turn already filled it
            answer = answers.get((item.kind, item.key)) if item is not None else None
            result = results[ask.lead.lead_id]
            if answer is None or answer.outcome in (Outcome.QUEUED, Outcome.FAILED):
                if item is not None:
                    result.deferred.add(f"{f}:{name}")
                continue
            if answer.outcome is Outcome.HIT:
                self._fill(name, ask, answer, result, now)

    def _fill(self, name: str, ask: _Ask, answer: Answer, result: LeadResult, now: datetime) -> None:
        for f in list(ask.needed):
            value = answer.fields.get(f)
            if value not in (None, "", []) and name in self.order.get(f, ()):
                result.fields[f] = Enriched(value, name, now, answer.confidence)
                ask.needed.discard(f)
                result.deferred = {d for d in result.deferred if not d.startswith(f"{f}:")}

    def _answers(self, name: str, lookups: list[Lookup]) -> dict[tuple[str, str], Answer]:
        """Cached answers first, then the provider for the rest, within its budget."""
        use, provider = self.use[name], self.providers[name]
        use.lookups += len(lookups)
        out: dict[tuple[str, str], Answer] = {}
        cacheable = getattr(provider, "cacheable", True) and self.cache is not None
        by_kind: dict[str, list[Lookup]] = defaultdict(list)
        for item in lookups:
            by_kind[item.kind].append(item)
        for kind, items in by_kind.items():
            if cacheable:
                cached = self.cache.get_many(_cache_name(name, kind), [i.key for i in items], self.clock())
                use.cache_hits += len(cached)
                out |= {(kind, key): a for key, a in cached.items()}
                items = [i for i in items if i.key not in cached]
            if not items or use.stopped:
                continue
            items = self._within_budget(name, kind, items)
            if not items:
                continue
            try:
                fresh = provider.lookup(items)
            except ProviderFatal as exc:
                use.stopped = str(exc)
                fresh = exc.answers  # what it answered, and charged for, before it stopped
            self._count(use, fresh.values())
            if cacheable:
                self.cache.put_many(_cache_name(name, kind), fresh, self.clock())
            out |= {(kind, key): a for key, a in fresh.items()}
        return out

    def _within_budget(self, name: str, kind: Any, items: list[Lookup]) -> list[Lookup]:
        budget, use = self.budgets.get(name), self.use[name]
        worst = self.providers[name].max_cost(kind)
        if budget is None or worst <= 0:
            return items
        allowed = max(0, math.floor((budget - use.credits) / worst + 1e-9))
        use.over_budget += max(0, len(items) - allowed)
        return items[:allowed]

    @staticmethod
    def _count(use: ProviderUse, answers: Any) -> None:
        for a in answers:
            use.credits += a.cost
            if a.outcome is Outcome.HIT:
                use.hits += 1
            elif a.outcome is Outcome.MISS:
                use.misses += 1
            elif a.outcome is Outcome.QUEUED:
                use.queued += 1
            else:
                use.failed += 1


def _cache_name(provider: str, kind: str) -> str:
    """A provider's company and person answers to the same key are different answers."""
    return f"{provider}/{kind}"


def _lookup_for(lead: Lead, kind: str) -> Lookup | None:
    email = lead.email
    domain = lead.get("company_domain")
    if kind == "company":
        return Lookup("company", domain, domain=domain, company=lead.get("company")) if domain else None
    if email is None:
        return None
    key = email.lower()
    if kind == "email":
        return Lookup("email", key, email=email)
    return Lookup(
        "person",
        key,
        email=email,
        domain=domain,
        first_name=lead.get("first_name"),
        last_name=lead.get("last_name"),
        company=lead.get("company"),
    )
