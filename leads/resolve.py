"""Identity resolution: which records are one person, and which lead id each person keeps.

Records that share a deterministic key (leads.identity) are one person, transitively; so are
records at the same corporate domain whose names score at or above the fuzzy threshold. A lead is
the connected set of records this evidence links, recomputed for every lead a change touches, so
a wrong merge that rested on a typo comes apart once the typo is fixed.

Lead ids are sticky. A person keeps the id of the oldest lead its records belonged to; when two
leads become one, the younger is recorded as merged into the older (sinks that knew it update the
survivor); when a lead comes apart, the part holding most of its records keeps the id. A new
person's id derives from its strongest key, so rerunning on the same data, in any chunking, gives
the same ids and never moves a record back and forth.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence, Set
from dataclasses import dataclass, field
from typing import Any

from leads.identity import KEY_KINDS, MatchKeys, PersonName, key_kind, lead_id_for, name_score, record_key
from leads.model import RecordRef

_KIND_RANK = {kind: rank for rank, kind in enumerate(KEY_KINDS)}
_REASON = {"email": "email", "crm": "crm id", "phone": "phone+name"}


@dataclass(slots=True)
class Cluster:
    """One person: its records and why each belongs (the strongest evidence that applies)."""

    refs: list[RecordRef]
    reasons: dict[RecordRef, str]
    primary_key: str  # the strongest key any member holds; a new lead's id derives from it


@dataclass(slots=True)
class Assignment:
    lead_of: dict[RecordRef, str] = field(default_factory=dict)
    clusters: dict[str, Cluster] = field(default_factory=dict)  # lead id → its records
    new_leads: set[str] = field(default_factory=set)
    merges: dict[str, tuple[str, str]] = field(default_factory=dict)  # merged lead → (survivor, reason)
    orphaned: set[str] = field(default_factory=set)  # prior leads left with no record at all


class _Sets:
    """Union-find over member indexes, remembering the evidence of each union."""

    def __init__(self, n: int) -> None:
        self.parent = list(range(n))

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def union(self, a: int, b: int) -> bool:
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return False
        self.parent[max(ra, rb)] = min(ra, rb)
        return True


def _key_order(key: str) -> tuple[int, str]:
    return (_KIND_RANK.get(key_kind(key), len(_KIND_RANK)), key)


def cluster(
    members: Sequence[tuple[RecordRef, MatchKeys]],
    fuzzy_threshold: float | None,
    fresh: set[RecordRef] | None = None,
    prior: Mapping[RecordRef, str] | None = None,
) -> list[Cluster]:
    """Group records into people. Members are processed in ref order, so input order never matters.

    fresh/prior (the records that are new or changed, and the lead each other record was in)
    let the fuzzy pass skip pairs that cannot have changed; without them every pair is compared.
    """
    members = sorted(members, key=lambda m: (m[0].source, m[0].source_id))
    sets = _Sets(len(members))
    holders: dict[str, list[int]] = defaultdict(list)
    for i, (_, keys) in enumerate(members):
        for key in keys.keys:
            holders[key].append(i)
    shared_kinds: dict[int, set[str]] = defaultdict(set)
    for key, idx in holders.items():
        if len(idx) > 1:
            for i in idx:
                sets.union(idx[0], i)
                shared_kinds[i].add(key_kind(key))

    fuzzy_reason: dict[int, str] = {}
    if fuzzy_threshold is not None:
        _fuzzy_pass(members, sets, fuzzy_threshold, fuzzy_reason, fresh, prior or {})

    groups: dict[int, list[int]] = defaultdict(list)
    find = sets.find
    for i in range(len(members)):
        groups[find(i)].append(i)
    out = []
    for idx in groups.values():
        reasons = {}
        for i in idx:
            ref, keys = members[i]
            kinds = shared_kinds.get(i)
            if kinds:
                reasons[ref] = _REASON[min(kinds, key=lambda k: _KIND_RANK.get(k, 9))]
            elif i in fuzzy_reason:
                reasons[ref] = fuzzy_reason[i]
            else:
                reasons[ref] = _REASON.get(key_kind(keys.primary), "record") if keys.primary else "record"
        all_keys = [k for i in idx for k in members[i][1].keys]
        if len(all_keys) > 1:
            primary = min(all_keys, key=_key_order)
        else:
            primary = all_keys[0] if all_keys else record_key(members[idx[0]][0])
        out.append(Cluster([members[i][0] for i in idx], reasons, primary))
    return out


def _fuzzy_pass(
    members: Sequence[tuple[RecordRef, MatchKeys]],
    sets: _Sets,
    threshold: float,
    reason: dict[int, str],
    fresh: set[RecordRef] | None,
    prior: Mapping[RecordRef, str],
) -> None:
    """Within each corporate domain, link records whose names are alike.

    Distinct names are compared once. When `fresh` is given, only pairs that can have changed are
    compared: a fresh name against every other name at its domain, and names of records that were
    in the same lead before (their link must survive the recomputation). Two old records in
    different leads were compared when the younger arrived, and found apart.
    """
    blocks: dict[str, dict[PersonName, list[int]]] = defaultdict(lambda: defaultdict(list))
    for i, (_, keys) in enumerate(members):
        if keys.block and keys.name:
            blocks[keys.block][keys.name].append(i)
    for block, by_name in blocks.items():
        names = list(by_name)
        for a, b in _pairs_to_compare(names, by_name, members, fresh, prior):
            ia, ib = by_name[a][0], by_name[b][0]
            if sets.find(ia) == sets.find(ib):
                continue
            score = name_score(a, b)
            if score >= threshold:
                sets.union(ia, ib)
                why = f"fuzzy name {score:.0f} at {block}"
                for i in (*by_name[a], *by_name[b]):
                    reason.setdefault(i, why)
        for idx in by_name.values():  # the same name at the same domain: one person
            for i in idx[1:]:
                if sets.union(idx[0], i):
                    reason.setdefault(i, f"fuzzy name 100 at {block}")
                    reason.setdefault(idx[0], f"fuzzy name 100 at {block}")


def _pairs_to_compare(
    names: list[PersonName],
    by_name: Mapping[PersonName, list[int]],
    members: Sequence[tuple[RecordRef, MatchKeys]],
    fresh: set[RecordRef] | None,
    prior: Mapping[RecordRef, str],
) -> Iterable[tuple[PersonName, PersonName]]:
    if fresh is None:
        for a in range(len(names)):
            for b in range(a + 1, len(names)):
                yield names[a], names[b]
        return
    is_fresh = {n: any(members[i][0] in fresh for i in by_name[n]) for n in names}
    seen: set[tuple[int, int]] = set()
    for a, name in enumerate(names):
        if is_fresh[name]:
            for b, other in enumerate(names):
                if b != a and (min(a, b), max(a, b)) not in seen:
                    seen.add((min(a, b), max(a, b)))
                    yield name, other
    by_lead: dict[str, list[int]] = defaultdict(list)
    for position, name in enumerate(names):
        for lead in {prior[members[i][0]] for i in by_name[name] if members[i][0] in prior}:
            by_lead[lead].append(position)
    for positions in by_lead.values():
        for x in range(len(positions)):
            for y in range(x + 1, len(positions)):
                pair = (positions[x], positions[y])
                if pair not in seen:
                    seen.add(pair)
                    yield names[pair[0]], names[pair[1]]


def assign_ids(
    clusters: Sequence[Cluster],
    prior: Mapping[RecordRef, str],
    affected: Iterable[str],
    age: Mapping[str, Any],
    taken: Iterable[str] = (),
) -> Assignment:
    """Give each cluster a lead id.

    prior: the lead each record was linked to before (records new to us are absent);
    affected: every prior lead these records came from; age: a sortable age per prior lead
    (its creation time; the oldest survives a merge); taken: ids that exist and belong to no
    cluster here, which a new lead must not reuse.
    """
    out = Assignment()
    affected = set(affected)
    claims: dict[str, list[tuple[int, str, int]]] = defaultdict(list)  # lead → (records, tiebreak, cluster)
    ordered = sorted(clusters, key=_first_ref)
    for ci, c in enumerate(ordered):
        counts: dict[str, int] = {}  # the prior leads of its records, in the order first met
        for r in c.refs:
            lead = prior.get(r)
            if lead is not None:
                counts[lead] = counts.get(lead, 0) + 1
        for lead, n in counts.items():
            claims[lead].append((n, -ci, ci))
    owned: dict[int, list[str]] = defaultdict(list)
    for lead, bids in claims.items():
        owned[max(bids)[2]].append(lead)

    # An id that exists, or existed, is never reused. `taken` can hold every id ever made, so it
    # is asked rather than copied for every batch.
    existing = taken if isinstance(taken, Set) else set(taken)
    used = affected | set(claims)
    lead_of = out.lead_of
    for ci, c in enumerate(ordered):
        mine = owned.get(ci)
        if mine:
            if len(mine) > 1:
                mine = sorted(mine, key=lambda lead: (age.get(lead), lead))
            lead_id = mine[0]
            for loser in mine[1:]:
                out.merges[loser] = (lead_id, _merge_reason(c, prior, loser))
        else:
            lead_id = _new_id(c.primary_key, used, existing)
            out.new_leads.add(lead_id)
        used.add(lead_id)
        out.clusters[lead_id] = c
        for r in c.refs:
            lead_of[r] = lead_id

    # A prior lead no cluster kept: merged into wherever most of its records went, else orphaned.
    for lead in affected - {lead for ids in owned.values() for lead in ids}:
        went = Counter(out.lead_of[r] for r, was in prior.items() if was == lead and r in out.lead_of)
        if went:
            survivor = min(went, key=lambda s: (-went[s], s))
            out.merges[lead] = (survivor, "its records joined this lead")
        else:
            out.orphaned.add(lead)
    return out


def _merge_reason(c: Cluster, prior: Mapping[RecordRef, str], loser: str) -> str:
    reasons = sorted({c.reasons[r] for r in c.refs if prior.get(r) == loser})
    return f"same person: {', '.join(reasons) or 'linked records'}"[:200]


def _first_ref(c: Cluster) -> tuple[str, str]:
    if len(c.refs) == 1:
        return (c.refs[0].source, c.refs[0].source_id)
    return min((r.source, r.source_id) for r in c.refs)


def _new_id(primary_key: str, used: set[str], existing: Set[str] = frozenset()) -> str:
    """The id a new person's strongest key gives, unless a lead that still exists holds it."""
    candidate, n = lead_id_for(primary_key), 1
    while candidate in used or candidate in existing:
        n += 1
        candidate = lead_id_for(f"{primary_key}#{n}")
    return candidate


def candidate_ids(primary_key: str, depth: int = 4) -> list[str]:
    """Ids a new lead with this key could take: callers check which of them already exist."""
    return [lead_id_for(primary_key)] + [lead_id_for(f"{primary_key}#{n}") for n in range(2, depth + 1)]
