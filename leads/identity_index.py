"""The identity state held in memory: what the store keeps in identity_keys and lead_links.

The benchmark and the pure tests resolve through this; the normalize task does the same steps
against the store (connectors/store/identity.py). Both call leads.resolve for the decisions, so
the rules live in one place.
"""

from __future__ import annotations

from collections.abc import Sequence

from leads.identity import MatchKeys, PersonName, name_score
from leads.model import RecordRef
from leads.resolve import Assignment, assign_ids, cluster


class MemoryIdentityIndex:
    def __init__(self, fuzzy_threshold: float | None = 90.0) -> None:
        self.fuzzy_threshold = fuzzy_threshold
        self.keys_of: dict[RecordRef, MatchKeys] = {}
        self.lead_of: dict[RecordRef, str] = {}
        self.members: dict[str, set[RecordRef]] = {}
        self.by_key: dict[str, list[RecordRef]] = {}
        self.by_block: dict[str, dict[PersonName, list[RecordRef]]] = {}
        self.age: dict[str, int] = {}
        self.merged: dict[str, str] = {}
        self.ids_ever: set[str] = set()

    def add(self, batch: Sequence[tuple[RecordRef, MatchKeys]]) -> Assignment:
        """Resolve a batch of new or changed records against everything seen so far."""
        fresh = dict(batch)
        prior = {ref: self.lead_of[ref] for ref in fresh if ref in self.lead_of}
        for ref in fresh:
            self._unindex(ref)
        affected = set(prior.values())
        for keys in fresh.values():
            affected |= {self.lead_of[r] for r in self._neighbours(keys)}
        members = dict(fresh)
        for lead in affected:
            for ref in self.members.get(lead, ()):
                if ref not in fresh:
                    members[ref] = self.keys_of[ref]
                    prior[ref] = lead
        clusters = cluster(list(members.items()), self.fuzzy_threshold, set(fresh), prior)
        result = assign_ids(clusters, prior, affected, self.age, self.ids_ever)
        self._apply(result, fresh)
        return result

    def remove(self, refs: Sequence[RecordRef]) -> Assignment:
        """Records that were deleted or rejected: their leads are recomputed without them."""
        prior = {ref: self.lead_of[ref] for ref in refs if ref in self.lead_of}
        for ref in refs:
            self._unindex(ref)
            self.keys_of.pop(ref, None)
            self.lead_of.pop(ref, None)
        affected = set(prior.values())
        members, before = {}, {}
        for lead in affected:
            self.members[lead] -= set(refs)
            for ref in self.members[lead]:
                members[ref], before[ref] = self.keys_of[ref], lead
        clusters = cluster(list(members.items()), self.fuzzy_threshold, set(), before)
        result = assign_ids(clusters, before, affected, self.age, self.ids_ever)
        self._apply(result, {})
        return result

    def leads(self) -> dict[str, set[RecordRef]]:
        return self.members

    def _neighbours(self, keys: MatchKeys) -> set[RecordRef]:
        found = {r for key in keys.keys for r in self.by_key.get(key, ())}
        if self.fuzzy_threshold is not None and keys.block and keys.name:
            for name, refs in self.by_block.get(keys.block, {}).items():
                if name_score(keys.name, name) >= self.fuzzy_threshold:
                    found.update(refs)
        return found

    def _unindex(self, ref: RecordRef) -> None:
        keys = self.keys_of.get(ref)
        if keys is None:
            return
        for key in keys.keys:
            holders = self.by_key.get(key)
            if holders is not None and ref in holders:
                holders.remove(ref)
                if not holders:
                    del self.by_key[key]
        if keys.block and keys.name:
            names = self.by_block.get(keys.block, {})
            holders = names.get(keys.name)
            if holders is not None and ref in holders:
                holders.remove(ref)
                if not holders:
                    del names[keys.name]

    def _apply(self, result: Assignment, fresh: dict[RecordRef, MatchKeys]) -> None:
        for lead in result.orphaned | set(result.merges):
            self.members.pop(lead, None)
        for lead, (survivor, _) in result.merges.items():
            self.merged[lead] = survivor
        for lead, c in result.clusters.items():
            self.members[lead] = set(c.refs)
            if lead in result.new_leads:
                self.age[lead] = len(self.age)
                self.ids_ever.add(lead)
        self.lead_of.update(result.lead_of)
        for ref, keys in fresh.items():
            self.keys_of[ref] = keys
            for key in keys.keys:
                self.by_key.setdefault(key, []).append(ref)
            if keys.block and keys.name:
                self.by_block.setdefault(keys.block, {}).setdefault(keys.name, []).append(ref)
