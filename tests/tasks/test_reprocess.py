"""`leads quarantine reprocess`: after a fix, held-back rows are tried again and released."""

from __future__ import annotations

import json
import shutil

import pytest
from sqlalchemy import select, text
from typer.testing import CliRunner

from connectors.store.engine import get_engine
from connectors.store.schema import quarantine
from expectations.suites import SUITES_DIR
from flows.cli import app
from tasks.context import build_context, load_run_config
from tasks.reprocess import reprocess
from tests.conftest import crm_row, crm_source, write_config, write_crm
from tests.tasks.pipeline_helpers import run_checked

pytestmark = pytest.mark.postgres
runner = CliRunner()


def _ctx(config):
    return build_context(load_run_config(config), "reprocess")


def test_a_fixed_cursor_format_releases_rows_quarantined_at_extract(tmp_path, database_url):
    rows = [crm_row(i) for i in range(5)] + [crm_row(5, modified="2026/10/03 11:00")]
    csv = write_crm(tmp_path / "crm.csv", rows)
    config = write_config(tmp_path, database_url, {"crm": crm_source(csv)})
    run_checked(config, "run-1")
    assert reprocess(_ctx(config)) == {"crm/extract": {"released": 0, "still_failing": 1, "skipped": 0, "note": ""}}

    fixed = crm_source(csv)
    del fixed["cursor_format"]  # accept any well-formed timestamp
    write_config(tmp_path, database_url, {"crm": fixed})
    assert reprocess(_ctx(config), dry_run=True)["crm/extract"]["released"] == 1
    with get_engine(database_url).connect() as conn:  # a dry run changed nothing
        assert conn.execute(select(quarantine.c.status)).scalar_one() == "open"
    assert reprocess(_ctx(config))["crm/extract"]["released"] == 1
    counts = run_checked(config, "run-2")
    assert counts["sinks"]["crm_leads"]["created"] == 1
    with get_engine(database_url).connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM crm_leads")).scalar_one() == 6
        assert conn.execute(select(quarantine.c.status)).scalar_one() == "released"


def test_a_relaxed_suite_releases_records_held_back_by_validation(tmp_path, database_url):
    rows = [crm_row(i) for i in range(8)] + [crm_row(8, email="test@test.com")]
    csv = write_crm(tmp_path / "crm.csv", rows)
    config = write_config(tmp_path, database_url, {"crm": crm_source(csv)})
    run_checked(config, "run-1")

    suites = tmp_path / "suites"
    shutil.copytree(SUITES_DIR, suites)
    landed = json.loads((suites / "landed_records.json").read_text())
    landed["expectations"] = [e for e in landed["expectations"] if "throwaway" not in e["meta"]["reason"]]
    (suites / "landed_records.json").write_text(json.dumps(landed))
    write_config(tmp_path, database_url, {"crm": crm_source(csv)}, suites_dir=str(suites))
    assert reprocess(_ctx(config), stage="validate")["crm/validate"]["released"] == 1
    counts = run_checked(config, "run-2")
    assert counts["normalize"]["leads_created"] == 1 and counts["sinks"]["crm_leads"]["created"] == 1


def test_list_and_show_mask_personal_data_unless_asked(tmp_path, database_url):
    rows = [crm_row(i) for i in range(4)] + [crm_row(4, email="test@test.com")]
    config = write_config(tmp_path, database_url, {"crm": crm_source(write_crm(tmp_path / "crm.csv", rows))})
    run_checked(config, "run-1")
    listed = runner.invoke(app, ["quarantine", "list", "--config", str(config)])
    assert listed.exit_code == 0, listed.output
    assert "a test or throwaway email address" in listed.output and "record 1004" in listed.output
    with get_engine(database_url).connect() as conn:
        entry_id = conn.execute(select(quarantine.c.id)).scalar_one()
    shown = runner.invoke(app, ["quarantine", "show", str(entry_id), "--config", str(config)])
    assert shown.exit_code == 0, shown.output
    assert "t***@test.com" in shown.output and "test@test.com" not in shown.output
    verbatim = runner.invoke(app, ["quarantine", "show", str(entry_id), "--config", str(config), "--raw"])
    assert "test@test.com" in verbatim.output
    missing = runner.invoke(app, ["quarantine", "show", "99999", "--config", str(config)])
    assert missing.exit_code == 1
