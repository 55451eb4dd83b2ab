"""The hand-off stage and the funnel report on the store, on a controlled clock: SLAs flagged, an
unworked or rejected MQL recycled to nurture (and not re-promoted by old engagement), the funnel
table rewritten for the recomputed weeks, and `leads report funnel`."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, insert, select
from typer.testing import CliRunner

from connectors.store.engine import get_engine
from connectors.store.schema import activities, funnel_weekly, lead_links, leads, stage_history
from flows.cli import app
from tasks.context import RunContext
from tasks.enrich import enrich
from tasks.extract import extract
from tasks.funnel import funnel_stage
from tasks.handoff import handoff_stage
from tasks.html_report import render_run_report
from tasks.normalize import normalize
from tasks.prepare import prepare
from tasks.report import summary_markdown
from tasks.score import score_stage
from tests.conftest import crm_row, crm_source, write_config, write_crm
from tests.tasks.pipeline_helpers import FIT_CRITERIA, GRADES

pytestmark = pytest.mark.postgres

T0 = datetime(2026, 10, 1, 9, tzinfo=UTC)
DAY = timedelta(days=1)
SCORING = {
    "fit": {"criteria": FIT_CRITERIA},
    "engagement": {"events": {"form_fill": 30, "call": 5}},
    "grades": GRADES,
    "mql": {"min_fit": "B", "min_engagement": 2},  # fit and a form fill make an MQL
}
HANDOFF = {
    "sla": {"first_touch": "2d", "to_sql": "14d"},
    "recycle": {"after": "30d", "lead_statuses": ["Unqualified", "Bad Timing"]},
    "funnel": {"weeks": 12},
}


def at(ctx: RunContext, when: datetime) -> RunContext:
    return replace(ctx, started_at=when, clock=lambda: when.timestamp())


@pytest.fixture
def store(tmp_path, database_url):
    rows = [crm_row(1, email="ann@corp1.example"), crm_row(2, email="bob@gmail.com")]
    config = write_config(
        tmp_path,
        database_url,
        {"crm": crm_source(write_crm(tmp_path / "crm.csv", rows))},
        scoring=SCORING,
        handoff=HANDOFF,
    )
    ctx = at(prepare(str(config), "run-1", None, False), T0)
    extract(ctx, "crm")
    normalize(ctx)
    enrich(ctx)
    ann = lead_of(database_url, "ann@corp1.example")
    add_activity(database_url, ann, "form_fill", T0 - DAY, "ff-1")
    score_stage(ctx)
    assert lead_of(database_url, "ann@corp1.example", "lifecycle_stage") == "mql"
    return config, ctx, ann


def lead_of(database_url: str, email: str, column: str = "lead_id"):
    with get_engine(database_url).connect() as conn:
        for r in conn.execute(select(leads)):
            if r.fields["email"][0] == email:
                return getattr(r, column)
    raise AssertionError(email)


def add_activity(database_url: str, lead_id: str, kind: str, when: datetime, ext: str) -> None:
    engine = get_engine(database_url)
    with engine.begin() as conn:
        record = conn.execute(select(lead_links.c.source_id).where(lead_links.c.lead_id == lead_id)).scalar_one()
        conn.execute(
            insert(activities).values(
                source="crm",
                external_id=ext,
                lead_id=lead_id,
                kind=kind,
                occurred_at=when,
                details={},
                record_id=record,
            )
        )


def pipeline_moves(database_url: str, lead_id: str) -> list[tuple[str, str, datetime]]:
    h = stage_history.c
    with get_engine(database_url).connect() as conn:
        rows = conn.execute(
            select(h.value, h.reason, h.changed_at)
            .where((h.source == "pipeline") & (h.lead_id == lead_id))
            .order_by(h.changed_at)
        )
        return [tuple(r) for r in rows]


def test_sla_statuses_follow_the_clock_and_list_only_lead_ids(store, database_url):
    _, ctx, ann = store
    counts = handoff_stage(at(ctx, T0 + DAY))
    assert counts["mqls"] == 1 and counts["first_touch"]["open"] == 1 and counts["to_sql"]["open"] == 1
    counts = handoff_stage(at(ctx, T0 + 3 * DAY))
    assert counts["first_touch"]["overdue"] == 1 and counts["first_touch"]["flagged"] == [ann]
    add_activity(database_url, ann, "call", T0 + 4 * DAY, "call-1")
    counts = handoff_stage(at(ctx, T0 + 5 * DAY))
    assert (counts["first_touch"]["late"], counts["first_touch"]["overdue"]) == (1, 0)
    assert counts["first_touch"]["flagged"] == [ann] and counts["to_sql"]["open"] == 1
    counts = handoff_stage(at(ctx, T0 + 15 * DAY))
    assert counts["to_sql"]["overdue"] == 1 and counts["to_sql"]["flagged"] == [ann]
    counts = handoff_stage(at(ctx, T0 + 40 * DAY))
    assert counts["recycled"] == 0  # worked (a call), if late: not recycled
    report = render_run_report("r", "completed", {"handoff": counts})
    assert ann in report and "Hand-off SLAs" in report and "ann@" not in report
    markdown = summary_markdown("r", "completed", {"handoff": counts}, "store", "dir")
    assert "| MQL → SQL | 0 | 0 | 1 | 0 |" in markdown and ann not in markdown


def test_an_unworked_mql_is_recycled_and_needs_new_engagement_to_qualify_again(store, database_url):
    _, ctx, ann = store
    assert handoff_stage(at(ctx, T0 + 29 * DAY))["recycled"] == 0
    counts = handoff_stage(at(ctx, T0 + 31 * DAY))
    assert counts["recycled"] == 1 and counts["recycled_ids"] == [ann]
    assert counts["recycle_reasons"] == {"recycled: not worked within 30d": 1}
    assert lead_of(database_url, "ann@corp1.example", "lifecycle_stage") == "lead"
    fields = lead_of(database_url, "ann@corp1.example", "fields")
    assert fields["recycle_reason"][:2] == ["recycled: not worked within 30d", "pipeline"]
    assert [(v, r) for v, r, _ in pipeline_moves(database_url, ann)] == [
        ("mql", "grade A2 meets B2"),
        ("lead", "recycled: not worked within 30d"),
    ]
    # The next runs: the old form fill no longer qualifies it, and nothing is recycled twice.
    score_stage(at(ctx, T0 + 32 * DAY))
    assert lead_of(database_url, "ann@corp1.example", "lifecycle_stage") == "lead"
    assert lead_of(database_url, "ann@corp1.example", "fields")["lead_grade"][0] == "A2"  # the score itself stays
    assert handoff_stage(at(ctx, T0 + 33 * DAY))["recycled"] == 0
    # New engagement after the recycle earns it back, and the SLA clock starts again.
    add_activity(database_url, ann, "form_fill", T0 + 34 * DAY, "ff-2")
    score_stage(at(ctx, T0 + 35 * DAY))
    assert lead_of(database_url, "ann@corp1.example", "lifecycle_stage") == "mql"
    counts = handoff_stage(at(ctx, T0 + 36 * DAY))
    assert counts["recycled"] == 0 and counts["first_touch"]["open"] == 1


def test_a_rejection_by_sales_recycles_at_once_with_its_reason(store, database_url):
    _, ctx, ann = store
    with get_engine(database_url).begin() as conn:
        conn.execute(
            insert(stage_history).values(
                lead_id=ann,
                source="crm",
                source_id="1001",
                field="lead_status",
                value="Bad Timing",
                changed_at=T0 + DAY,
                external_id="crm:1001:status:1",
            )
        )
    counts = handoff_stage(at(ctx, T0 + 2 * DAY))
    assert counts["recycle_reasons"] == {"recycled: rejected by sales (Bad Timing)": 1}
    assert lead_of(database_url, "ann@corp1.example", "lifecycle_stage") == "lead"


def test_the_funnel_table_is_rewritten_for_the_recomputed_weeks(store, database_url):
    _, ctx, ann = store
    week = date(2026, 8, 31)  # the Monday of the leads' creation date, 2026-09-01
    with get_engine(database_url).begin() as conn:
        stale = {"source": "old", "campaign": "", "form_id": "", "ad_id": "", "week": week}
        conn.execute(insert(funnel_weekly).values(**stale, leads=9, valid=9, mql=9, sql=9, won=9, computed_at=T0 - DAY))
    counts = funnel_stage(at(ctx, T0), since=date(2026, 8, 1))
    assert counts["totals"]["leads"] == 2 and counts["totals"]["mql"] == 1
    for _ in range(2):  # a rerun rewrites the same rows
        funnel_stage(at(ctx, T0), since=date(2026, 8, 1))
    with get_engine(database_url).connect() as conn:
        rows = [dict(r._mapping) for r in conn.execute(select(funnel_weekly))]
        assert conn.execute(select(func.count()).select_from(funnel_weekly)).scalar_one() == 1
    row = rows[0]
    assert (row["source"], row["week"], row["leads"], row["valid"], row["mql"], row["sql"]) == (
        "hubspot",
        week,
        2,
        2,
        1,
        0,
    )
    assert row["cost"] is None
    by_criterion = {a["criterion"]: a for a in counts["acceptance"]}
    assert by_criterion["manager"]["fired"] == 1 and by_criterion["manager"]["fired_accepted"] == 0
    html = render_run_report("r", "completed", {"funnel": counts})
    assert "Marketing funnel by week" in html and "<svg" in html and "http" not in html.split("<body>")[1]


def test_leads_report_funnel_prints_the_weeks(store, database_url):
    config, _, _ = store
    result = CliRunner().invoke(app, ["report", "funnel", "--since", "2026-08-15", "--config", str(config)])
    assert result.exit_code == 0, result.output
    assert "2026-08-31" in result.output and "hubspot" in result.output
    assert "Funnel (1 weeks with leads, 1 rows in funnel_weekly): 2 leads, 2 valid, 1 MQL, 0 SQL, 0 won" in (
        " ".join(result.output.split())
    )
    bad = CliRunner().invoke(app, ["report", "funnel", "--since", "soon", "--config", str(config)])
    assert bad.exit_code == 2


def test_hubspot_clears_the_stage_before_writing_the_lower_one():
    from types import SimpleNamespace

    from connectors.sink import Refused, Written
    from tasks.crm_sync import CrmSync

    calls: list = []

    def update(inputs):
        calls.append(inputs)
        return {i[0]: Refused("nope", False) if i[0] == "b" else Written("r", None, False) for i in inputs}

    refused: list = []
    stub = SimpleNamespace(
        clear_first={"a", "b"},
        stages=frozenset({"lifecyclestage"}),
        sink=SimpleNamespace(update=update),
        _refuse=lambda lead_id, message, retriable: refused.append(lead_id),
    )
    updates = [("a", "1", {"lifecyclestage": "lead"}), ("b", "2", {"lifecyclestage": "lead"}), ("c", "3", {"x": 1})]
    kept = CrmSync._clear_stages(stub, updates)
    assert calls == [[("a", "1", {"lifecyclestage": ""}), ("b", "2", {"lifecyclestage": ""})]]
    assert [u[0] for u in kept] == ["a", "c"] and refused == ["b"]
