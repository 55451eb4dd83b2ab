"""Survivorship: build one golden Lead from the records that belong to one person.

Rules, per field:
- a valid value beats an invalid one; an invalid value survives only when nothing valid exists,
  so its reason stays visible;
- otherwise the most recent record wins; records observed at the same time are ordered by
  source name, then record id, so the result never depends on the order they were read in and
  a tie never mixes fields of two records;
- attribution is taken as one group from the first touch that has any, and source_system,
  original_source and created_at from the earliest record (first touch);
- do_not_contact is sticky: once any record says so, the lead says so;
- the lifecycle stage only moves forward, including against the stage stored before.
"""

from __future__ import annotations

from collections.abc import Sequence

from leads.fields import ATTRIBUTION_FIELDS, FIRST_TOUCH_FIELDS, STICKY_TRUE_FIELDS
from leads.identity import lead_id_for
from leads.lifecycle import Stage, forward_only
from leads.model import FieldValue, Lead, NormalizedRecord

_GROUPED = frozenset(ATTRIBUTION_FIELDS) | frozenset(FIRST_TOUCH_FIELDS) | frozenset(STICKY_TRUE_FIELDS)


def _recency(record: NormalizedRecord) -> tuple:
    return (record.observed_at, record.ref.source, record.ref.source_id)


def _best(candidates: list[tuple[int, FieldValue]]) -> FieldValue:
    """candidates: (rank of the record in recency order, value). Valid first, then most recent."""
    return max(candidates, key=lambda c: (c[1].is_valid, c[0]))[1]


def _earliest(by_time: Sequence[NormalizedRecord], name: str) -> FieldValue | None:
    """The first touch's value: the earliest valid one, else the earliest invalid one."""
    values = [r.values[name] for r in by_time if r.values.get(name) is not None]
    return next((fv for fv in values if fv.is_valid), values[0] if values else None)


def merge_records(identity_key: str, records: Sequence[NormalizedRecord], previous_stage: Stage | None = None) -> Lead:
    if not records:
        raise ValueError(f"no records to merge for {identity_key}")
    by_time = sorted(records, key=_recency)
    fields: dict[str, FieldValue] = {}

    candidates: dict[str, list[tuple[int, FieldValue]]] = {}
    for rank, record in enumerate(by_time):
        for name, fv in record.values.items():
            if name not in _GROUPED:
                candidates.setdefault(name, []).append((rank, fv))
    for name, options in candidates.items():
        fields[name] = _best(options)

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

    stage = previous_stage
    stage_value = fields.get("lifecycle_stage")
    for record in by_time:
        value = record.valid("lifecycle_stage")
        stage = forward_only(stage, Stage(value) if value else None)
    if stage is not None and (stage_value is None or stage_value.value != stage.value):
        # The stored stage outranks every source's; keep provenance honest about it.
        origin = stage_value or FieldValue(stage.value, "pipeline", by_time[-1].observed_at)
        fields["lifecycle_stage"] = FieldValue(stage.value, origin.source, origin.observed_at)

    return Lead(
        lead_id=lead_id_for(identity_key),
        identity_key=identity_key,
        fields=dict(sorted(fields.items())),
        lifecycle_stage=stage,
        records=tuple(r.ref for r in by_time),
    )


def lead_fingerprint(lead: Lead, fields_json: dict | None = None) -> dict:
    """What a lead's content hash is computed over; pass the fields' JSON if already built."""
    return {
        "key": lead.identity_key,
        "stage": lead.lifecycle_stage.value if lead.lifecycle_stage else None,
        "fields": fields_json if fields_json is not None else {n: fv.to_json() for n, fv in lead.fields.items()},
        "records": sorted(f"{r.source}\x1f{r.source_id}" for r in lead.records),
    }
