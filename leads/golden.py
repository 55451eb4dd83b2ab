"""Survivorship: build one golden Lead from the records that belong to one person.

Rules, per field:
- a valid value beats an invalid one; an invalid value survives only when nothing valid exists,
  so its reason stays visible;
- otherwise the most recent observation wins; ties go to the source name, then the record id, so
  the result never depends on the order records were read in;
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


def _best(candidates: list[FieldValue]) -> FieldValue:
    return max(candidates, key=lambda fv: (fv.is_valid, fv.observed_at, fv.source, str(fv.value)))


def merge_records(
    identity_key: str, records: Sequence[NormalizedRecord], previous_stage: Stage | None = None
) -> Lead:
    if not records:
        raise ValueError(f"no records to merge for {identity_key}")
    by_time = sorted(records, key=_recency)
    fields: dict[str, FieldValue] = {}

    candidates: dict[str, list[FieldValue]] = {}
    for record in by_time:
        for name, fv in record.values.items():
            if name not in _GROUPED:
                candidates.setdefault(name, []).append(fv)
    for name, options in candidates.items():
        fields[name] = _best(options)

    for name in FIRST_TOUCH_FIELDS:
        first = next((r.values[name] for r in by_time if r.values.get(name) is not None), None)
        if first is not None:
            fields[name] = first

    touch = next((r for r in by_time if any(n in r.values for n in ATTRIBUTION_FIELDS)), None)
    if touch is not None:
        fields.update({n: touch.values[n] for n in ATTRIBUTION_FIELDS if n in touch.values})

    for name in STICKY_TRUE_FIELDS:
        flags = [r.values[name] for r in by_time if name in r.values and r.values[name].is_valid]
        if flags:
            fields[name] = next((fv for fv in flags if fv.value is True), flags[-1])

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


def lead_fingerprint(lead: Lead) -> dict:
    """What a lead's content hash is computed over."""
    return {
        "key": lead.identity_key,
        "stage": lead.lifecycle_stage.value if lead.lifecycle_stage else None,
        "fields": {n: fv.to_json() for n, fv in lead.fields.items()},
        "records": sorted(f"{r.source}\x1f{r.source_id}" for r in lead.records),
    }
