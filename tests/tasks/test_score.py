"""The score stage on the store: scores in the lead's fields, MQL and SQL moves recorded with their
reason, reruns that change nothing, and the approved model's probability beside the rules."""

from __future__ import annotations

import csv
import json
import random
from datetime import UTC, datetime

import pytest
from sqlalchemy import insert, select
from typer.testing import CliRunner

from connectors.store.engine import get_engine
from connectors.store.schema import activities, lead_links, leads, stage_history
from flows.cli import app
from tasks.enrich import enrich
from tasks.extract import extract
from tasks.normalize import normalize
from tasks.prepare import prepare
from tasks.score import score_stage
from tests.conftest import crm_row, crm_source, write_config, write_crm
from tests.tasks.pipeline_helpers import FIT_CRITERIA, GRADES

pytestmark = pytest.mark.postgres

SCORING = {
    "fit": {"criteria": FIT_CRITERIA},
    "engagement": {"events": {"meeting": 40, "form_fill": 30}},
    "grades": GRADES,
    "mql": {"min_fit": "B", "min_engagement": 4},  # fit alone makes an MQL here
    "model": {"exclude": ["country_code"]},
}


@pytest.fixture
def scored(tmp_path, database_url):
    rows = [
        crm_row(1, email="ann@corp1.example"),
        crm_row(2, email="bob@gmail.com"),
        crm_row(3, email="cy@corp3.example", stage="Customer"),
    ]
    config = write_config(
        tmp_path, database_url, {"crm": crm_source(write_crm(tmp_path / "crm.csv", rows))}, scoring=SCORING
    )

    def run(run_id: str) -> dict:
        ctx = prepare(str(config), run_id, None, False)
        extract(ctx, "crm")
        normalize(ctx)
        enrich(ctx)
        return score_stage(ctx)

    return config, run


def by_email(database_url) -> dict:
    with get_engine(database_url).connect() as conn:
        return {r.fields["email"][0]: r for r in conn.execute(select(leads))}


def moves(database_url) -> list[tuple[str, str]]:
    with get_engine(database_url).connect() as conn:
        query = select(stage_history.c.value, stage_history.c.reason).where(stage_history.c.source == "pipeline")
        return sorted(tuple(r) for r in conn.execute(query))


def test_scores_land_in_the_fields_and_an_mql_is_recorded_with_its_reason(scored, database_url):
    _, run = scored
    counts = run("run-1")
    assert counts["status"] == "ok" and counts["leads"] == 3 and counts["scored"] == 3
    found = by_email(database_url)
    ann, bob, cy = found["ann@corp1.example"], found["bob@gmail.com"], found["cy@corp3.example"]
    fields = {name: value[0] for name, value in ann.fields.items()}
    assert fields["fit_score"] == 65 and fields["engagement_score"] == 0 and fields["lead_grade"] == "A4"
    assert fields["score_reasons"] == [
        "+40 manager (seniority is manager)",
        "+25 corporate email (email_class is corporate)",
    ]
    assert ann.fields["fit_score"][1] == "scoring"
    assert ann.lifecycle_stage == "mql" and ann.scores["grade"] == "A4"
    assert ann.scores["reasons"][0] == {"criterion": "manager", "points": 40, "evidence": "seniority is manager"}
    # 40 - 30 = 10 fit points: grade D, not an MQL.
    assert bob.fields["fit_score"][0] == 10 and bob.fields["lead_grade"][0] == "D4" and bob.lifecycle_stage == "lead"
    # A customer is never demoted to MQL by its score.
    assert cy.lifecycle_stage == "customer" and cy.fields["lead_grade"][0] == "A4"
    assert moves(database_url) == [("mql", "grade A4 meets B4")]
    assert counts["grades"] == {"A4": 2, "D4": 1} and counts["stage_moves"] == {"mql": 1}


def test_a_rerun_rescores_nothing_and_records_no_second_move(scored, database_url):
    _, run = scored
    run("run-1")
    before = {e: (r.content_hash, r.scored_at, r.fields) for e, r in by_email(database_url).items()}
    counts = run("run-2")
    assert counts["scored"] == 0 and counts["unchanged"] == 3
    after = {e: (r.content_hash, r.scored_at, r.fields) for e, r in by_email(database_url).items()}
    assert after == before
    assert moves(database_url) == [("mql", "grade A4 meets B4")]


def test_a_booked_meeting_makes_an_sql_and_adds_engagement(scored, database_url):
    _, run = scored
    run("run-1")
    lead_id = by_email(database_url)["ann@corp1.example"].lead_id
    engine = get_engine(database_url)
    with engine.begin() as conn:
        record = conn.execute(select(lead_links.c.source_id).where(lead_links.c.lead_id == lead_id)).scalar_one()
        conn.execute(
            insert(activities).values(
                source="crm",
                external_id="meeting-1",
                lead_id=lead_id,
                kind="meeting",
                occurred_at=datetime(2026, 10, 3, 9, tzinfo=UTC),
                details={},
                record_id=record,
            )
        )
    counts = run("run-2")
    ann = by_email(database_url)["ann@corp1.example"]
    assert counts["scored"] == 1 and counts["unchanged"] == 2
    assert ann.lifecycle_stage == "sql"
    assert ann.fields["engagement_score"][0] == 40 and ann.fields["lead_grade"][0] == "A2"
    assert any(r.startswith("+40 meeting") for r in ann.fields["score_reasons"][0])
    assert moves(database_url) == [("mql", "grade A4 meets B4"), ("sql", "sales accepted (meeting)")]


def training_csv(path, n: int = 1500, seed: int = 3):
    """Past leads whose conversion depends on seniority (managers convert far more often)."""
    rng = random.Random(seed)
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["lead_id", "created_at", "seniority", "country_code", "outcome"])
        for i in range(n):
            seniority = rng.choice(["manager", "entry", "vp", "entry"])
            rate = {"manager": 0.7, "vp": 0.5, "entry": 0.1}[seniority]
            won = "won" if rng.random() < rate else "lost"
            day = f"2025-{1 + i * 12 // n:02d}-{1 + i % 28:02d}"
            writer.writerow([f"L{i}", day, seniority, rng.choice(["US", "GB", "DE"]), won])
    return path


def test_the_approved_model_scores_beside_the_rules(prefect_server, scored, tmp_path, database_url):
    config, run = scored
    runner = CliRunner()
    data = training_csv(tmp_path / "history.csv")
    trained = runner.invoke(
        app,
        [
            "model",
            "train",
            "--config",
            str(config),
            "--data",
            str(data),
            "--target",
            "outcome",
            "--id",
            "lead_id",
            "--time-column",
            "created_at",
        ],
    )
    assert trained.exit_code == 0, trained.output
    model_id = trained.output.split("leads model approve ")[1].split()[0]
    (report,) = (tmp_path / "runs").glob("*/model-report.json")
    report = json.loads(report.read_text(encoding="utf-8"))
    assert report["model_id"] == model_id and report["excluded"] == ["country_code"]  # by scoring.model.exclude
    assert "country_code" not in str(report["features"]) and "seniority" in str(report["features"])

    counts = run("run-1")  # trained but not approved: rules only
    assert counts["model"] is None
    assert "predicted_score" not in by_email(database_url)["ann@corp1.example"].fields

    approved = runner.invoke(app, ["model", "approve", model_id, "--config", str(config)])
    assert approved.exit_code == 0, approved.output
    listed = runner.invoke(app, ["model", "list", "--config", str(config)])
    assert model_id in listed.output and "yes" in listed.output

    counts = run("run-2")  # a new model rescores every lead
    assert counts["model"] == model_id and counts["scored"] == 3
    ann = by_email(database_url)["ann@corp1.example"]
    predicted = ann.fields["predicted_score"][0]
    assert 50 <= predicted <= 90  # managers converted 70% of the time
    assert ann.scores["predicted"] == predicted and ann.scores["model_id"] == model_id
    assert ann.scores["top_features"] and "seniority" in str(ann.scores["top_features"][0])
