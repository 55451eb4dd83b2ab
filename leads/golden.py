"""Survivorship: build one golden Lead from the records that belong to one person.

Rules, per field:
- a valid value beats an invalid one; an invalid value survives only when nothing valid exists,
  so its reason stays visible;
- then the source the config trusts more wins (identity.source_priority, per field overrides in
  identity.field_priority); unlisted sources rank after listed ones, enrichment providers last;
- otherwise the most recent record wins; records observed at the same time are ordered by
  source name, then record id, so the result never depends on the order they were read in and
  a tie never mixes fields of two records;
- attribution is taken as one group from the first touch that has any, and source_system,
  original_source and created_at from the earliest record (first touch);
- do_not_contact is sticky: once any record says so, the lead says so;
- the lifecycle stage only moves forward, including against the stage stored before.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from leads.derive import derive_fields
from leads.fields import ATTRIBUTION_FIELDS, FIRST_TOUCH_FIELDS, PIPELINE_FIELDS, STICKY_TRUE_FIELDS
from leads.identity import lead_id_for
from leads.lifecycle import Stage, forward_only
from leads.model import FieldValue, Lead, NormalizedRecord
from leads.titles import TitleRules

_GROUPED = frozenset(ATTRIBUTION_FIELDS) | frozenset(FIRST_TOUCH_FIELDS) | frozenset(STICKY_TRUE_FIELDS)


@dataclass(frozen=True)
class SourcePriority:
    """Which source's value a lead keeps. Lower rank wins; equal ranks fall back to recency."""

    order: tuple[str, ...] = ()
    per_field: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    late: frozenset[str] = frozenset()  # enrichment providers: after every source unless listed
    # (field, source) → rank: asked for every candidate value of every lead, of a handful of sources.
    _ranks: dict[tuple[str, str], int] = field(default_factory=dict, init=False, repr=False, compare=False)

    @classmethod
    def from_lists(
        cls, order: Iterable[str], per_field: Mapping[str, Iterable[str]], late: Iterable[str] = ()
    ) -> SourcePriority:
        return cls(tuple(order), {f: tuple(v) for f, v in per_field.items()}, frozenset(late))

    def rank(self, field_name: str, source: str) -> int:
        known = self._ranks.get((field_name, source))
        if known is not None:
            return known
        order = self.per_field.get(field_name, self.order)
        found = order.index(source) if source in order else len(order) + (1 if source in self.late else 0)
        if len(self._ranks) < 65536:  # field names are few; sources too, unless a caller invents them
            self._ranks[(field_name, source)] = found
        return found


NO_PRIORITY = SourcePriority()


def _recency(record: NormalizedRecord) -> tuple:
    return (record.observed_at, record.ref.source, record.ref.source_id)


def _best(name: str, candidates: list[tuple[int, FieldValue]], priority: SourcePriority) -> FieldValue:
    """candidates: (rank of the record in recency order, value). Valid first, then the trusted
    source, then the most recent."""
    if len(candidates) == 1:
        return candidates[0][1]
    rank = priority.rank
    return max(candidates, key=lambda c: (c[1].invalid is None, -rank(name, c[1].source), c[0]))[1]


def _earliest(by_time: Sequence[NormalizedRecord], name: str) -> FieldValue | None:
    """The first touch's value: the earliest valid one, else the earliest invalid one."""
    values = [r.values[name] for r in by_time if r.values.get(name) is not None]
    return next((fv for fv in values if fv.is_valid), values[0] if values else None)


def _merged(
    records: Sequence[NormalizedRecord], previous_stage: Stage | None, priority: SourcePriority
) -> tuple[dict[str, FieldValue], Stage | None, Sequence[NormalizedRecord]]:
    """The surviving value of every field (unsorted), the stage, and the records oldest first."""
    if len(records) == 1:
        # Every rule picks the one value there is: the record's values are the lead's.
        by_time: Sequence[NormalizedRecord] = records
        fields = dict(records[0].values)
    else:
        by_time = sorted(records, key=_recency)
        fields = _survivors(by_time, priority)

    stage = previous_stage
    stage_value = fields.get("lifecycle_stage")
    for record in by_time:
        value = record.valid("lifecycle_stage")
        stage = forward_only(stage, Stage(value) if value else None)
    if stage is not None and (stage_value is None or stage_value.value != stage.value):
        # The stored stage outranks every source's; keep provenance honest about it.
        origin = stage_value or FieldValue(stage.value, "pipeline", by_time[-1].observed_at)
        fields["lifecycle_stage"] = FieldValue(stage.value, origin.source, origin.observed_at)
    return fields, stage, by_time


def _survivors(by_time: Sequence[NormalizedRecord], priority: SourcePriority) -> dict[str, FieldValue]:
    fields: dict[str, FieldValue] = {}
    candidates: dict[str, list[tuple[int, FieldValue]]] = {}
    grouped = _GROUPED
    for rank, record in enumerate(by_time):
        for name, fv in record.values.items():
            if name not in grouped:
                options = candidates.get(name)
                if options is None:
                    candidates[name] = [(rank, fv)]
                else:
                    options.append((rank, fv))
    for name, options in candidates.items():
        fields[name] = options[0][1] if len(options) == 1 else _best(name, options, priority)

    for name in FIRST_TOUCH_FIELDS:
        first = _earliest(by_time, name)
        if first is not None:
            fields[name] = first

    touch = next((r for r in by_time if any(n in r.values for n in ATTRIBUTION_FIELDS)), None)
    if touch is not None:
        fields.update({n: touch.values[n] for n in ATTRIBUTION_FIELDS if n in touch.values})

    for name in STICKY_TRUE_FIELDS:
        stated = [r.values[name] for r in by_time if name in r.values]
        flags = [fv for fv in stated if fv.is_valid]
        if flags:
            fields[name] = next((fv for fv in flags if fv.value is True), flags[-1])
        elif stated:
            fields[name] = stated[-1]  # only invalid values: keep the latest so its reason shows
    return fields


def merge_records(
    identity_key: str,
    records: Sequence[NormalizedRecord],
    previous_stage: Stage | None = None,
    *,
    lead_id: str | None = None,
    priority: SourcePriority = NO_PRIORITY,
) -> Lead:
    if not records:
        raise ValueError(f"no records to merge for {identity_key}")
    fields, stage, by_time = _merged(records, previous_stage, priority)
    return _lead(lead_id, identity_key, fields, stage, by_time)


def _lead(
    lead_id: str | None,
    identity_key: str,
    fields: dict[str, FieldValue],
    stage: Stage | None,
    by_time: Sequence[NormalizedRecord],
) -> Lead:
    return Lead(
        lead_id=lead_id or lead_id_for(identity_key),
        identity_key=identity_key,
        fields=dict(sorted(fields.items())),
        lifecycle_stage=stage,
        records=tuple(r.ref for r in by_time),
    )


def _fold(fields: dict[str, FieldValue], enrichment: Mapping[str, FieldValue], priority: SourcePriority) -> None:
    rank = priority.rank
    for name, found in enrichment.items():
        have = fields.get(name)
        if have is None or have.invalid is not None or rank(name, found.source) < rank(name, have.source):
            fields[name] = found


def fold_enrichment(
    fields: dict[str, FieldValue], enrichment: Mapping[str, FieldValue], priority: SourcePriority
) -> dict[str, FieldValue]:
    """Add what enrichment found. An enriched value fills a field that is empty or invalid, and
    replaces a valid one only when its provider outranks the value's source (by default never:
    providers rank after every source)."""
    out = dict(fields)
    _fold(out, enrichment, priority)
    return dict(sorted(out.items()))


@dataclass(frozen=True)
class LeadRules:
    """The config-dependent rules a golden lead is built with."""

    priority: SourcePriority = NO_PRIORITY
    titles: TitleRules = field(default_factory=TitleRules)


def keep_scores(lead: Lead, stored_fields: Mapping[str, list] | None) -> None:
    """Carry the stored pipeline fields (scores, routing) onto a rebuilt lead: they stay until the
    score or route stage looks at the lead again (and keep their times when it finds the same)."""
    for name, data in (stored_fields or {}).items():
        if name in PIPELINE_FIELDS:
            lead.fields[name] = FieldValue.from_json(name, data)


def build_lead(
    lead_id: str,
    identity_key: str,
    records: Sequence[NormalizedRecord],
    previous_stage: Stage | None,
    rules: LeadRules,
    enrichment: Mapping[str, FieldValue] | None = None,
) -> Lead:
    """Merge the records, derive the offline fields, then fold in what enrichment found.

    The same as merge_records, then derive_fields, then fold_enrichment, sorting the fields once.
    """
    if not records:
        raise ValueError(f"no records to merge for {identity_key}")
    fields, stage, by_time = _merged(records, previous_stage, rules.priority)
    fields.update(derive_fields(fields, rules.titles))
    if enrichment:
        _fold(fields, enrichment, rules.priority)
    return _lead(lead_id, identity_key, fields, stage, by_time)


def lead_fingerprint(lead: Lead, fields_json: dict | None = None) -> dict:
    """What a lead's content hash is computed over; pass the fields' JSON if already built."""
    return {
        "key": lead.identity_key,
        "stage": lead.lifecycle_stage.value if lead.lifecycle_stage else None,
        "fields": fields_json if fields_json is not None else {n: fv.to_json() for n, fv in lead.fields.items()},
        "records": sorted(f"{r.source}\x1f{r.source_id}" for r in lead.records),
    }
