"""Sync to a CRM: only what changed, never over sales' edits, every refusal kept with its reason.

Per chunk of pending leads (the outbox: the lead or the mapping changed since the sink accepted it):
1. the lead's mapped values; unchanged since the sink last accepted them: nothing to do;
2. read the CRM's records of the others before writing (by remote id: the sink's own, else the
   record of the lead in the sink's source; leads new to us by `id_property` or external id),
   landing what was read in the sink's source;
3. decide per property (leads.sync_rules): policies, sales' edits, stages forward, opt-outs kept;
4. the outgoing payloads through the `outgoing` data-quality suites;
5. write updates by id and creates by key, recording each result: accepted (with the remote id,
   and what was sent, so its echo is known), or refused with the vendor's words in `sync_errors`
   (retriable ones are sent again next run; permanent ones wait until the lead changes).
A crash between the CRM's answer and our commit loses nothing: the lead is still pending, the read
finds our values in place (or the created record by its key), and nothing is written twice.
"""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

from connectors.hubspot.mapping import contact_properties
from connectors.salesforce.mapping import lead_record_fields
from connectors.sink import Refused, Written
from connectors.store import golden, outbox
from connectors.store.echoes import close_wave, extend_wave, open_wave, record_writes
from connectors.store.landing import values_by_id
from connectors.store.leads_view import lead_from_row
from connectors.store.schema import remote_writes
from leads.config import HubSpotSinkConfig
from leads.hashing import stable_hash
from leads.lifecycle import Stage, stages_from
from leads.masking import mask_text
from leads.model import Lead
from leads.sync_rules import decide
from tasks import progress
from tasks.context import RunContext
from tasks.outgoing import OutgoingCheck
from tasks.sinks import open_sink


class SinkNotReady(RuntimeError):
    """The pre-flight found what the CRM lacks; nothing was written."""


def mapping_hash(settings: Any) -> str:
    rules = {p: r.model_dump() for p, r in settings.fields.items()}
    return stable_hash({"type": settings.type, "rules": rules, "key": getattr(settings, "id_property", None)})[:16]


class CrmSync:
    def __init__(self, ctx: RunContext, name: str, counts: Any) -> None:
        self.ctx, self.name, self.counts = ctx, name, counts
        self.settings = ctx.config.sinks[name]
        self.hubspot = isinstance(self.settings, HubSpotSinkConfig)
        self.echo_key = self.settings.source or f"sink:{name}"
        self.mh = mapping_hash(self.settings)
        self.stages = frozenset(p for p, r in self.settings.fields.items() if r.field == "lifecycle_stage")
        self.flags = frozenset(p for p, r in self.settings.fields.items() if r.field == "do_not_contact")
        self.wave: str | None = None
        self.stamp = str(int(ctx.now().timestamp() * 1000))
        self.kept: Counter[str] = Counter()
        self.changes: Counter[str] = Counter()
        self.diff_path = ctx.run_dir / f"sync-{name}.jsonl"
        self.clear_first: set[str] = set()  # HubSpot: leads whose stage is cleared before it goes back

    def run(self) -> None:
        stages = stages_from(self.settings.min_stage)
        with self.ctx.engine().connect() as conn:
            self.counts.pending = outbox.count_pending(conn, self.name, self.mh, stages, skip_refused=True)
            merged, retired = outbox.merged_away(conn, self.name), outbox.retired_in(conn, self.name)
        if not (self.counts.pending or merged or retired):
            return  # nothing changed: not one call to the CRM
        sink, client, back = open_sink(self.ctx, self.name)
        self.sink, self.back = sink, back
        self.check = OutgoingCheck(self.ctx, self.name)
        try:
            problems = sink.preflight(create=not self.ctx.dry_run)
            if problems:
                raise SinkNotReady("; ".join(problems))
            self._pending(stages)
            self._merged_and_retired(merged, retired)
        finally:
            if self.wave is not None:
                with self.ctx.engine().begin() as conn:
                    close_wave(conn, self.echo_key, self.wave)
            self.counts.requests = dict(sink.api.caller.counts)
            self.counts.kept_fields = dict(self.kept)
            self.counts.changed_fields = dict(self.changes)
            self.counts.quality = self.check.tallies()
            client.close()

    def _pending(self, stages: list[str] | None) -> None:
        ctx = self.ctx
        progress.started(f"sync {self.name}", self.counts.pending)
        after: str | None = None
        try:
            while True:
                with ctx.engine().connect() as conn:
                    rows = outbox.pending(conn, self.name, self.mh, stages, after, ctx.config.chunk_size, True)
                if not rows:
                    return
                after = rows[-1].lead_id
                self._batch(rows)  # a whole chunk at once: the sink packs its reads and writes full
                ctx.renew(f"sink:{self.name}")
                progress.advanced(f"sync {self.name}", len(rows))
        finally:
            progress.finished(f"sync {self.name}")

    # one batch

    def _desired(self, lead: Lead) -> dict[str, Any]:
        if self.hubspot:
            return contact_properties(lead, self.settings.fields)
        return lead_record_fields(lead, self.settings.fields)

    def _key(self, lead: Lead) -> str | None:
        """What a lead new to us is found (and created) by: its email, or our lead id."""
        if self.hubspot and self.settings.id_property == "email":  # type: ignore[union-attr]
            return lead.email.lower() if lead.email else None
        return lead.lead_id

    def _batch(self, rows: list[Any]) -> None:
        unchanged, todo = [], []
        for row in rows:
            lead = lead_from_row(row)
            desired = self._desired(lead)
            digest = stable_hash(desired)
            if row.payload_hash == digest:
                unchanged.append(
                    {
                        "lead_id": lead.lead_id,
                        "payload_hash": digest,
                        "lead_hash": row.content_hash,
                        "remote_id": row.remote_id,
                    }
                )
            else:
                todo.append((lead, desired, digest, row))
        self.counts.unchanged += len(unchanged)
        accepted = list(unchanged)
        if todo:
            accepted += self._send(todo)
        if not self.ctx.dry_run and accepted:
            with self.ctx.engine().begin() as conn:
                outbox.record_accepted(conn, self.name, accepted, self.mh, self.ctx.run_id, self.ctx.now())

    def _remote_ids(self, leads: list[Lead]) -> dict[str, str]:
        """The CRM record each lead is known under: the sink's own, else its record in the sink's source."""
        ids = [lead.lead_id for lead in leads]
        with self.ctx.engine().connect() as conn:
            known = outbox.remote_ids(conn, self.name, ids)
            if self.settings.source is not None:
                linked = golden.records_of_leads(conn, [i for i in ids if i not in known])
                for ref, lead_id in sorted(linked.items(), key=lambda item: _id_order(item[0].source_id)):
                    if ref.source == self.settings.source and self._ours(ref.source_id):
                        known.setdefault(lead_id, ref.source_id)
        return known

    def _ours(self, remote_id: str) -> bool:
        """Salesforce: only Lead records (00Q...) are written as leads, never the contacts they became."""
        return self.hubspot or remote_id.startswith("00Q")

    def _read(self, known: dict[str, str], new: dict[str, str]) -> tuple[dict[str, Any], dict[str, Any]]:
        properties = list(dict.fromkeys([*self.sink.properties, *(self.back.properties if self.back else [])]))
        current = self.sink.read(list(dict.fromkeys(known.values())), properties) if known else {}
        found = self.sink.find(list(dict.fromkeys(new.values())), properties) if new else {}
        if self.back is not None and not self.ctx.dry_run:
            self.back.land(self.ctx, current | {str(obj["id"]): obj for obj in found.values()})
        return current, found

    def _send(self, todo: list[tuple[Lead, dict[str, Any], str, Any]]) -> list[dict[str, Any]]:
        known = self._remote_ids([lead for lead, *_ in todo])
        new = {lead.lead_id: key for lead, *_ in todo if lead.lead_id not in known and (key := self._key(lead))}
        current, found = self._read(known, new)
        for lead_id, key in new.items():
            if key in found:
                known[lead_id] = str(found[key]["id"])
                current[known[lead_id]] = found[key]
        with self.ctx.engine().connect() as conn:
            written = values_by_id(conn, remote_writes.c.fields, self.echo_key, list(known.values()))
        accepted, updates, creates, plans = [], [], [], {}
        for lead, desired, digest, row in todo:
            remote = known.get(lead.lead_id)
            record = current.get(remote) if remote else None
            theirs = (record or {}).get("properties") if record is not None else None
            if remote is not None and record is None:
                self._refuse(lead.lead_id, "the CRM record was deleted there; it is not created again", False)
                continue
            decision = decide(
                self.settings.fields,
                desired,
                theirs,
                written.get(remote, {}) if remote else {},
                stages=self.stages,
                flags=self.flags,
                recycled=recycled(lead),
            )
            self.kept.update(decision.kept.values())
            if not self.hubspot and theirs is not None and theirs.get("IsConverted"):
                self._refuse(lead.lead_id, "CANNOT_UPDATE_CONVERTED_LEAD: the lead was converted in Salesforce", False)
                continue
            if self.hubspot and recycled(lead) and any(p in self.stages for p in decision.send):
                self.clear_first.add(lead.lead_id)
            send = self._with_markers(decision.send, lead, theirs)
            plans[lead.lead_id] = (digest, row.content_hash, remote, send, theirs)
            if not send:
                accepted.append(
                    {
                        "lead_id": lead.lead_id,
                        "payload_hash": digest,
                        "lead_hash": row.content_hash,
                        "remote_id": remote,
                    }
                )
            elif remote is not None:
                updates.append((lead.lead_id, remote, send))
            elif (key := self._key(lead)) is not None:
                creates.append((lead.lead_id, key, send))
            else:
                self._refuse(lead.lead_id, f"no {self._key_name()} to create the record by", False)
        accepted += self._write(updates, creates, plans)
        return accepted

    def _key_name(self) -> str:
        return getattr(self.settings, "id_property", None) or self.settings.external_id  # type: ignore[union-attr]

    def _with_markers(self, send: dict[str, Any], lead: Lead, theirs: dict[str, Any] | None) -> dict[str, Any]:
        """What rides along with a write: HubSpot's wave stamp. Salesforce: our external id, written
        once on a record we adopted (a lead we know from the source), so later runs find it by our id."""
        if self.hubspot:
            return {**send, self.settings.stamp_property: self.stamp} if send else send  # type: ignore[union-attr]
        ext = self.settings.external_id  # type: ignore[union-attr]
        if theirs is not None and theirs.get(ext) != lead.lead_id:
            return {**send, ext: lead.lead_id}
        return send

    def _write(self, updates: list, creates: list, plans: dict[str, Any]) -> list[dict[str, Any]]:
        if not updates and not creates:
            return []
        kept = self.check.hold(updates + creates, plans)
        updates = [u for u in updates if u[0] not in kept]
        creates = [c for c in creates if c[0] not in kept]
        for lead_id, reason in kept.items():
            self._refuse(lead_id, f"outgoing payload: {reason}", False)
        if self.ctx.dry_run:
            self._dry_run(updates, creates, plans)
            return []
        self._open_wave()
        started = self.ctx.now()
        updates = self._clear_stages(updates)
        outcomes = self.sink.update(updates) if updates else {}
        outcomes |= self.sink.create(creates) if creates else {}
        accepted, sent, times = [], {}, []
        for lead_id, outcome in outcomes.items():
            digest, lead_hash, _, send, _ = plans[lead_id]
            if isinstance(outcome, Written):
                accepted.append(
                    {"lead_id": lead_id, "payload_hash": digest, "lead_hash": lead_hash, "remote_id": outcome.remote_id}
                )
                sent[outcome.remote_id] = send
                times += [outcome.updated_at] if outcome.updated_at else []
                self.changes.update(p for p in send if p != getattr(self.settings, "stamp_property", None))
                if outcome.created or lead_id in {c[0] for c in creates}:
                    self.counts.created += 1
                else:
                    self.counts.updated += 1
            elif isinstance(outcome, Refused):
                self._refuse(lead_id, outcome.message, outcome.retriable)
        with self.ctx.engine().begin() as conn:
            record_writes(conn, self.echo_key, self.name, sent, self.ctx.run_id, self.ctx.now())
            if self.wave is not None and sent:
                first, last = (min(times), max(times)) if times else (started, self.ctx.now())
                extend_wave(conn, self.echo_key, self.wave, first, last, len(sent))
        return accepted

    def _clear_stages(self, updates: list) -> list:
        """HubSpot accepts a lower lifecycle stage only once the property is cleared: for recycled
        leads, clear it first; one whose clearing was refused is not sent the lower stage."""
        clears = [
            (lead_id, remote, {p: "" for p in self.stages if p in send})
            for lead_id, remote, send in updates
            if lead_id in self.clear_first
        ]
        if not clears:
            return updates
        refused = set()
        for lead_id, outcome in self.sink.update(clears).items():
            if isinstance(outcome, Refused):
                self._refuse(lead_id, f"clearing the lifecycle stage to recycle: {outcome.message}", outcome.retriable)
                refused.add(lead_id)
        return [u for u in updates if u[0] not in refused]

    def _open_wave(self) -> None:
        if self.wave is not None or self.settings.source is None:
            return
        writer = None if self.hubspot else self.sink.api.caller.client.auth.user_id  # type: ignore[union-attr]
        with self.ctx.engine().begin() as conn:
            self.wave = open_wave(conn, self.echo_key, self.name, self.stamp, self.ctx.run_id, writer_id=writer)

    def _refuse(self, lead_id: str, message: str, retriable: bool) -> None:
        self.counts.rejected += 1
        if len(self.counts.errors) < 20:  # the run summary: a vendor's message may quote an address
            self.counts.errors.append(mask_text(f"{lead_id}: {message}"))
        if self.ctx.dry_run:
            return
        with self.ctx.engine().begin() as conn:
            outbox.record_rejected(conn, self.name, [(lead_id, message, retriable)], self.ctx.run_id, self.ctx.now())

    def _dry_run(self, updates: list, creates: list, plans: dict[str, Any]) -> None:
        """What would be written, field by field, to a file; only counts reach the summary."""
        self.ctx.run_dir.mkdir(parents=True, exist_ok=True)
        with self.diff_path.open("a", encoding="utf-8") as out:
            for action, items in (("update", updates), ("create", creates)):
                for lead_id, remote, send in items:
                    theirs = plans[lead_id][4] or {}
                    changes = {p: [theirs.get(p), v] for p, v in send.items()}
                    self.changes.update(changes.keys())
                    out.write(
                        json.dumps(
                            {
                                "lead_id": lead_id,
                                "action": action,
                                "remote_id": remote if action == "update" else None,
                                "changes": changes,
                            },
                            default=str,
                        )
                        + "\n"
                    )
        self.counts.created += len(creates)
        self.counts.updated += len(updates)

    # merges and deletions

    def _merged_and_retired(self, merged: list[tuple[str, str]], retired: list[tuple[str, str | None]]) -> None:
        with self.ctx.engine().connect() as conn:
            remote = outbox.remote_ids(conn, self.name, [m for m, _ in merged] + [s for _, s in merged])
        self.counts.merged_away = len(merged)
        if self.ctx.dry_run:
            return
        if getattr(self.settings, "merge_in_crm", False):
            for loser, survivor in merged:
                if loser in remote and survivor in remote and remote[loser] != remote[survivor]:
                    self.sink.merge(remote[survivor], remote[loser])
        gone = [r for _, r in retired if r]
        if gone and self.settings.deletions == "archive":
            self.sink.archive(gone)
        elif gone and self.settings.deletions == "clear":
            self.sink.update([(r, r, {p: "" for p in self.settings.fields}) for r in gone])
        self.counts.deleted = len(gone) if self.settings.deletions != "leave" else 0
        with self.ctx.engine().begin() as conn:
            outbox.forget(conn, self.name, [m for m, _ in merged] + [lead for lead, _ in retired])


def recycled(lead: Lead) -> bool:
    """Recycled to nurture by the hand-off stage (and not qualified again since)."""
    return lead.lifecycle_stage is Stage.LEAD and lead.get("recycle_reason") is not None


def _id_order(remote_id: str) -> tuple[int, str]:
    return (int(remote_id), "") if remote_id.isdigit() else (0, remote_id)
