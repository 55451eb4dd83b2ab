"""Score: fit, engagement, grade and reasons for every lead, the model's probability, and the lifecycle.

Chunk by chunk over the active leads: a lead is scored again only when its content, its events,
its CRM signals, the rules, the model or (for leads with engagement that decays) the day changed
since it was last scored. Scores go into the lead's fields (source `scoring`), so validation and
the sinks see them like any other field; a score field keeps its old time when its value did not
change, so nothing churns. Lifecycle moves are forward only and recorded in `stage_history`
(source `pipeline`) with their reason.
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

from prefect import task
from prefect.cache_policies import NO_CACHE

from connectors.store import scoring as store
from connectors.store.handoff import recycled_at
from connectors.store.leads_view import lead_from_row
from connectors.store.leases import LeaseHeld
from connectors.store.models import approved_model
from leads.config import FileSourceConfig
from leads.fields import LEAD_FIELD_NAMES, PIPELINE_FIELDS
from leads.golden import lead_fingerprint
from leads.handoff import since_recycle
from leads.hashing import stable_hash
from leads.lifecycle_rules import Signals, next_stage
from leads.model import FieldValue, Lead
from leads.scoring import Score, score
from tasks import progress
from tasks.context import RunContext

LEASE = "stage:normalize"  # leads change under this lease only
AD_SOURCE_TYPES = ("meta", "google_ads", "linkedin")


@dataclass(slots=True)
class ScoreCounts:
    status: str = "ok"
    leads: int = 0
    scored: int = 0
    unchanged: int = 0
    grades: dict[str, int] = field(default_factory=dict)
    stage_moves: dict[str, int] = field(default_factory=dict)
    disqualified: dict[str, int] = field(default_factory=dict)
    model: str | None = None
    seconds: float = 0.0


def ad_sources(ctx: RunContext) -> list[str]:
    """Sources whose records are ad lead submissions (an `ad_lead` event each)."""
    return [name for name, source in ctx.config.sources.items() if _is_ad_source(source)]


def _is_ad_source(source: Any) -> bool:
    if source.type in AD_SOURCE_TYPES:
        return True
    return isinstance(source, FileSourceConfig) and bool({"form_id", "ad_id", "platform"} & set(source.mapping))


def score_stage(ctx: RunContext) -> dict[str, Any]:
    counts = ScoreCounts()
    started = time.perf_counter()
    settings = ctx.config.scoring
    if not settings.enabled:
        counts.status = "off"
        return asdict(counts)
    model = approved_model(ctx.engine(), settings.model.name, ctx.config.runs_dir) if settings.model.use else None
    counts.model = model.model_id if model is not None else None
    day = ctx.started_at.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    rules_hash = stable_hash(settings.model_dump(mode="json"))
    grades: Counter[str] = Counter()
    moves: Counter[str] = Counter()
    disqualified: Counter[str] = Counter()
    try:
        with ctx.lease(LEASE):
            progress.started("score")
            after: str | None = None
            while True:
                with ctx.engine().begin() as conn:
                    rows = store.leads_to_score(conn, after, ctx.config.chunk_size)
                    if not rows:
                        break
                    after = rows[-1].lead_id
                    scorer = _Chunk(ctx, conn, rows, model, day, rules_hash)
                    scorer.run(counts, grades, moves, disqualified)
                ctx.renew(LEASE)
                progress.advanced("score", len(rows))
    except LeaseHeld:
        counts.status = "busy"
    finally:
        progress.finished("score")
    counts.grades, counts.stage_moves, counts.disqualified = dict(grades), dict(moves), dict(disqualified)
    counts.seconds = round(time.perf_counter() - started, 3)
    return asdict(counts)


class _Chunk:
    def __init__(self, ctx: RunContext, conn: Any, rows: list[Any], model: Any, day: datetime, rules: str) -> None:
        self.ctx, self.conn, self.rows, self.model, self.day, self.rules = ctx, conn, rows, model, day, rules
        ids = [r.lead_id for r in rows]
        self.refs = store.records_of(conn, ids)
        self.events = store.events_of(conn, ids, ad_sources(ctx))
        self.signals = store.signals_of(conn, ids)
        self.recycled = recycled_at(conn, ids)

    def _inputs(self, lead_id: str, content_hash: str) -> str:
        events = self.events.get(lead_id, [])
        digest = sorted((e.kind, e.at.isoformat()) for e in events)
        signals = {k: sorted(v) for k, v in (self.signals.get(lead_id) or {}).items()}
        # The day matters only when there is engagement to decay.
        day = self.day.date().isoformat() if events else None
        inputs = [content_hash, digest, signals, day, self.rules, self.model and self.model.model_id]
        recycled = self.recycled.get(lead_id)
        return stable_hash(inputs + [recycled.isoformat()] if recycled is not None else inputs)

    def run(self, counts: ScoreCounts, grades: Counter[str], moves: Counter[str], disqualified: Counter[str]) -> None:
        leads = [lead_from_row(r) for r in self.rows]
        for lead in leads:
            lead.records = self.refs.get(lead.lead_id, ())
        predictions = self.model.predict([_values(lead) for lead in leads]) if self.model is not None else None
        writes, unchanged, stage_moves = [], [], []
        now = self.ctx.now()
        for i, (row, lead) in enumerate(zip(self.rows, leads, strict=True)):
            counts.leads += 1
            if self._inputs(lead.lead_id, row.content_hash) == row.scored_hash:
                counts.unchanged += 1
                grades[(row.scores or {}).get("grade") or "-"] += 1
                continue
            result = score(_values(lead), self.events.get(lead.lead_id, []), self.ctx.config.scoring, self.day)
            prediction = predictions[i] if predictions is not None else None
            predicted = round(prediction.probability * 100) if prediction is not None else None
            signals = self._signals(lead.lead_id)
            qualifying = self._requalifying(lead, result)
            stage, why = next_stage(lead.lifecycle_stage, qualifying, predicted, signals, self.ctx.config.scoring)
            _apply(lead, result, predicted, stage, _as_of(lead, self.events.get(lead.lead_id, []), now))
            fields_json = {n: fv.to_json() for n, fv in lead.fields.items()}
            content_hash = stable_hash(lead_fingerprint(lead, fields_json))
            scored = self._inputs(lead.lead_id, content_hash)
            grades[result.grade] += 1
            if result.disqualified:
                disqualified[result.disqualified] += 1
            if why is not None and stage is not None:
                moves[stage.value] += 1
                stage_moves.append((lead.lead_id, stage.value, why, now))
            if content_hash == row.content_hash:
                unchanged.append((lead.lead_id, scored))
                continue
            counts.scored += 1
            scores = _scores_json(result, predicted, prediction, self.model)
            writes.append(
                {
                    "lead_id": lead.lead_id,
                    "fields": fields_json,
                    "lifecycle_stage": stage.value if stage else None,
                    "content_hash": content_hash,
                    "scores": scores,
                    "scored_hash": scored,
                    "scored_at": now,
                }
            )
        counts.unchanged += len(unchanged)
        store.write_scores(self.conn, writes)
        store.mark_scored(self.conn, unchanged)
        store.record_stage_moves(self.conn, stage_moves)

    def _requalifying(self, lead: Lead, result: Score) -> Score:
        """The score the MQL rule judges: after a recycle to nurture, only events since then count,
        so the old engagement does not make the lead an MQL again the next run."""
        recycled = self.recycled.get(lead.lead_id)
        if recycled is None:
            return result
        events = since_recycle(self.events.get(lead.lead_id, []), recycled)
        return score(_values(lead), events, self.ctx.config.scoring, self.day)

    def _signals(self, lead_id: str) -> Signals:
        found = self.signals.get(lead_id) or {}
        kinds = {e.kind for e in since_recycle(self.events.get(lead_id, []), self.recycled.get(lead_id))}
        return Signals(
            frozenset(found.get("lead_statuses", ())), frozenset(kinds), frozenset(found.get("outcomes", ()))
        )


def _values(lead: Lead) -> dict[str, Any]:
    return {name: lead.get(name) for name in LEAD_FIELD_NAMES if name not in PIPELINE_FIELDS}


def _as_of(lead: Lead, events: list[Any], fallback: datetime) -> datetime:
    """The time of the newest evidence a score rests on: the same data always gives the same field
    (and content hash), whichever run scored it, so a rerun after a crash ends like a clean run."""
    times = [fv.observed_at for name, fv in lead.fields.items() if name not in PIPELINE_FIELDS and fv.observed_at]
    times += [e.at for e in events]
    return max(times, default=fallback)


def _apply(lead: Lead, result: Score, predicted: int | None, stage: Any, at: datetime) -> None:
    """Put the scores into the lead's fields; an unchanged value keeps its field (and time)."""
    new = {
        "fit_score": result.fit,
        "engagement_score": result.engagement,
        "lead_grade": result.grade,
        "score_reasons": [r.text() for r in result.reasons] or None,
        "predicted_score": predicted,
        "disqualified": result.disqualified,
    }
    for name, value in new.items():
        old = lead.fields.get(name)
        if value is None:
            lead.fields.pop(name, None)
        elif old is None or old.value != value:
            lead.fields[name] = FieldValue(value, "scoring", at)
    lead.lifecycle_stage = stage


def _scores_json(result: Score, predicted: int | None, prediction: Any, model: Any) -> dict[str, Any]:
    return {
        "fit": result.fit,
        "engagement": result.engagement,
        "grade": result.grade,
        "reasons": [{"criterion": r.criterion, "points": r.points, "evidence": r.evidence} for r in result.reasons],
        "disqualified": result.disqualified,
        "predicted": predicted,
        "top_features": prediction.top_features if prediction is not None else [],
        "model_id": model.model_id if model is not None else None,
    }


@task(name="score", cache_policy=NO_CACHE, retries=0)
def score_leads(ctx: RunContext) -> dict[str, Any]:
    return score_stage(ctx)
