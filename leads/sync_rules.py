"""What a CRM sink writes for one lead, given what the CRM holds now and what we wrote before (pure).

Per property, in this order:
1. no value of ours: nothing is written (we never blank a CRM field; deletions are configured apart);
2. the CRM already holds our value: nothing to write;
3. a flag (do-not-contact, opt-out) is only ever set, never cleared: an opt-out is never reversed;
4. a lifecycle stage only moves forward: never to a stage before the CRM's, except the one explicit
   recycle to nurture (the CRM at MQL, our lead recycled back to `lead` by the hand-off stage);
5. the policy: `once` writes a property we never wrote; `if_empty` only where the CRM has no value;
   `always` overwrites, unless the CRM's value differs from what we last wrote there, which means
   a person edited it since: then the property is theirs. Our own echo (the CRM holding exactly
   what we wrote) is no edit.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from leads.lifecycle import Stage, parse_stage
from leads.sink_config import FieldRule

SALES_EDIT = "edited in the CRM since our last write"
STAGE_BEHIND = "the CRM's lifecycle stage is already as far or further"
FLAG_KEPT = "an opt-out is never reversed"
HAS_VALUE = "the CRM has a value (if_empty)"
WRITTEN_ONCE = "written once already (once)"


@dataclass(slots=True)
class Decision:
    send: dict[str, Any] = field(default_factory=dict)
    kept: dict[str, str] = field(default_factory=dict)  # property → why the CRM's value stays


def text(value: Any) -> str:
    """A value as the CRMs compare it: "" for empty, booleans lower-case, everything else as text."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _truthy(value: Any) -> bool:
    return text(value).lower() in ("true", "1", "yes")


def is_recycle(before: Stage | None, after: Stage | None) -> bool:
    """The one backward move a sink writes: MQL back to lead (nurture)."""
    return before is Stage.MQL and after is Stage.LEAD


def decide(
    rules: Mapping[str, FieldRule],
    desired: Mapping[str, Any],
    current: Mapping[str, Any] | None,
    written: Mapping[str, Any],
    *,
    stages: frozenset[str] = frozenset(),
    flags: frozenset[str] = frozenset(),
    recycled: bool = False,
) -> Decision:
    """The properties to write to one CRM record.

    Args:
        rules: property → rule.
        desired: property → our value, already in the CRM's representation (None: no value).
        current: property → the CRM's value now; None for a record that does not exist yet.
        written: property → the value we last wrote there (empty if we never wrote to it).
        stages: lifecycle-stage properties (forward only).
        flags: properties that are only ever set to true.
        recycled: the lead was recycled to nurture: its stage may go from MQL back to lead.
    """
    decision = Decision()
    theirs_all = current or {}
    for prop, rule in rules.items():
        ours = desired.get(prop)
        if ours is None or text(ours) == "":
            continue
        theirs = theirs_all.get(prop)
        if current is not None and text(theirs) == text(ours):
            continue
        reason = _kept(prop, rule, ours, theirs, current is not None, written, stages, flags, recycled)
        if reason is None:
            decision.send[prop] = ours
        else:
            decision.kept[prop] = reason
    return decision


def _kept(
    prop: str,
    rule: FieldRule,
    ours: Any,
    theirs: Any,
    exists: bool,
    written: Mapping[str, Any],
    stages: frozenset[str],
    flags: frozenset[str],
    recycled: bool = False,
) -> str | None:
    if prop in flags:
        return None if _truthy(ours) else FLAG_KEPT if _truthy(theirs) else "only a set flag is written"
    if prop in stages:
        before, after = parse_stage(text(theirs)), parse_stage(text(ours))
        behind = before is not None and (after is None or after.rank <= before.rank)
        if behind and not (recycled and is_recycle(before, after)):
            return STAGE_BEHIND
    if rule.policy == "once" and prop in written:
        return WRITTEN_ONCE
    if rule.policy == "if_empty" and exists and text(theirs) != "":
        return HAS_VALUE
    if rule.policy == "always" and exists and prop in written and text(theirs) != text(written[prop]):
        return SALES_EDIT
    return None
