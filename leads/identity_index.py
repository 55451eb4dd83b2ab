"""The identity state held in memory: what the store keeps in identity_keys and lead_links.

The benchmark and the pure tests resolve through this; the normalize task does the same steps
against the store (connectors/store/identity.py). Both call leads.resolve for the decisions, so
the rules live in one place.
"""

from __future__ import annotations

from collections.abc import Sequence

from rapidfuzz import fuzz, process

from leads.identity import MatchKeys, PersonName, name_score
from leads.model import RecordRef
from leads.resolve import Assignment, assign_ids, cluster


class MemoryIdentityIndex:
    def __init__(self, fuzzy_threshold: float | None = 90.0) -> None:
        self.fuzzy_threshold = fuzzy_threshold
        self.keys_of: dict[RecordRef, MatchKeys] = {}
        self.lead_of: dict[RecordRef, str] = {}
        # Tuples, not sets or lists: most leads hold one record and most keys one holder, and a
        # tuple of one is a quarter of a set's size.
        self.members: dict[str, tuple[RecordRef, ...]] = {}
        self.by_key: dict[str, tuple[RecordRef, ...]] = {}
        self.by_block: dict[str, dict[PersonName, tuple[RecordRef, ...]]] = {}
        # The names at each corporate domain as text ("first\tlast" → full name, → last name), for
        # rapidfuzz to score in C: a large company holds hundreds of names. Strings only, so the
        # garbage collector never walks them.
        self._fulls: dict[str, dict[str, str]] = {}
        self._lasts: dict[str, dict[str, str]] = {}
        self.age: dict[str, int] = {}
        self.merged: dict[str, str] = {}
        self.ids_ever: set[str] = set()

    def add(self, batch: Sequence[tuple[RecordRef, MatchKeys]]) -> Assignment:
        """Resolve a batch of new or changed records against everything seen so far."""
        fresh = dict(batch)
        lead_of = self.lead_of
        prior = {ref: lead_of[ref] for ref in fresh if ref in lead_of}
        for ref in fresh:
            self._unindex(ref)
        affected = set(prior.values())
        for keys in fresh.values():
            affected.update(lead_of[r] for r in self._neighbours(keys))
        members = dict(fresh)
        keys_of = self.keys_of
        for lead in affected:
            for ref in self.members.get(lead, ()):
                if ref not in fresh:
                    members[ref] = keys_of[ref]
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
        gone = set(refs)
        members, before = {}, {}
        for lead in affected:
            kept = tuple(ref for ref in self.members[lead] if ref not in gone)
            self.members[lead] = kept
            for ref in kept:
                members[ref], before[ref] = self.keys_of[ref], lead
        clusters = cluster(list(members.items()), self.fuzzy_threshold, set(), before)
        result = assign_ids(clusters, before, affected, self.age, self.ids_ever)
        self._apply(result, {})
        return result

    def leads(self) -> dict[str, tuple[RecordRef, ...]]:
        return self.members

    def _neighbours(self, keys: MatchKeys) -> set[RecordRef]:
        by_key = self.by_key
        found = {r for key in keys.keys for r in by_key.get(key, ())}
        threshold, block, name = self.fuzzy_threshold, keys.block, keys.name
        if threshold is not None and block and name:
            names = self.by_block.get(block)
            if names:
                for text in self._alike(block, name, threshold):
                    other = PersonName.from_text(text)
                    if name_score(name, other) >= threshold:
                        found.update(names.get(other, ()))
        return found

    def _alike(self, block: str, name: PersonName, threshold: float) -> set[str]:
        """Names at the block that may score at or above the threshold: a superset, checked after.

        name_score is the full names' ratio, or for nicknames the larger of it and the last
        names' ratio, so a name that reaches the threshold has one of the two ratios at or above it.
        """
        cutoff = threshold - 1e-6  # never lose a name to rounding: the exact score decides
        alike = set()
        for query, choices in ((name.full, self._fulls[block]), (name.last, self._lasts[block])):
            found = process.extract(query, choices, scorer=fuzz.ratio, score_cutoff=cutoff, limit=None)
            alike.update(text for _, _, text in found)
        return alike

    def _unindex(self, ref: RecordRef) -> None:
        keys = self.keys_of.get(ref)
        if keys is None:
            return
        by_key = self.by_key
        for key in keys.keys:
            holders = by_key.get(key)
            if holders is not None and ref in holders:
                rest = _without(holders, ref)
                if rest:
                    by_key[key] = rest
                else:
                    del by_key[key]
        if keys.block and keys.name:
            names = self.by_block.get(keys.block, {})
            holders = names.get(keys.name)
            if holders is not None and ref in holders:
                rest = _without(holders, ref)
                if rest:
                    names[keys.name] = rest
                else:
                    del names[keys.name]
                    text = keys.name.to_text()
                    del self._fulls[keys.block][text]
                    del self._lasts[keys.block][text]

    def _apply(self, result: Assignment, fresh: dict[RecordRef, MatchKeys]) -> None:
        members = self.members
        for lead in result.orphaned | set(result.merges):
            members.pop(lead, None)
        for lead, (survivor, _) in result.merges.items():
            self.merged[lead] = survivor
        for lead, c in result.clusters.items():
            members[lead] = tuple(c.refs)
            if lead in result.new_leads:
                self.age[lead] = len(self.age)
                self.ids_ever.add(lead)
        self.lead_of.update(result.lead_of)
        by_key = self.by_key
        for ref, keys in fresh.items():
            self.keys_of[ref] = keys
            for key in keys.keys:
                by_key[key] = by_key.get(key, ()) + (ref,)
            name = keys.name
            if keys.block and name:
                names = self.by_block.setdefault(keys.block, {})
                holders = names.get(name)
                if holders is None:
                    names[name] = (ref,)
                    text = name.to_text()
                    self._fulls.setdefault(keys.block, {})[text] = name.full
                    self._lasts.setdefault(keys.block, {})[text] = name.last
                else:
                    names[name] = holders + (ref,)


def _without(holders: tuple[RecordRef, ...], ref: RecordRef) -> tuple[RecordRef, ...]:
    """holders without the first occurrence of ref (what list.remove did)."""
    i = holders.index(ref)
    return holders[:i] + holders[i + 1 :]
