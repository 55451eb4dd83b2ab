"""The `outgoing` data-quality suites on what a CRM sink is about to write.

The frame has one row per lead about to be written: `lead_id`, `action` (create or update),
`email` (the address a new record is created by, for creates), and the values being sent under
their lead field names. A row failing a quarantining expectation is not sent; the sink refuses
its lead with the reason until the lead changes. Tallies add up over the run for the summary.
"""

from __future__ import annotations

from typing import Any

from leads.fields import LEAD_FIELD_NAMES
from tasks.context import RunContext
from tasks.validate import new_tally, run_suites, suites_for

COLUMNS = ["lead_id", "action", "email", *[f for f in LEAD_FIELD_NAMES if f != "email"]]


class OutgoingCheck:
    def __init__(self, ctx: RunContext, sink: str) -> None:
        self.ctx = ctx
        self.settings = ctx.config.sinks[sink]
        self.suites = suites_for(ctx, "outgoing")
        self._tallies = {s.name: new_tally(s, sink) for s in self.suites}

    def hold(self, items: list[tuple[str, str, dict[str, Any]]], plans: dict[str, Any]) -> dict[str, str]:
        """lead id → the reason its payload is held back, for items of (lead id, remote id or key, values)."""
        if not self.suites or not items:
            return {}
        import pandas as pd

        rows = []
        for lead_id, target, send in items:
            remote = plans[lead_id][2]
            row: dict[str, Any] = {"lead_id": lead_id, "action": "update" if remote else "create"}
            for prop, value in send.items():
                rule = self.settings.fields.get(prop)
                if rule is not None and rule.field != "email":
                    row[rule.field] = None if value is None else str(value)
            if not remote and getattr(self.settings, "id_property", None) == "email":
                row["email"] = target  # a create is sent by its key
            rows.append(row)
        frame = pd.DataFrame.from_records(rows, columns=COLUMNS)
        verdicts = run_suites(self.suites, self._tallies, frame, "lead_id", {})
        return {lead_id: "; ".join(reasons) for lead_id, reasons in verdicts.reasons.items()}

    def tallies(self) -> dict[str, Any]:
        return {name: tally.to_dict() for name, tally in self._tallies.items()}
