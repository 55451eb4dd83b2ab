"""The `leads` command line."""

from __future__ import annotations

from pathlib import Path

import yaml
from sqlalchemy import text
from typer.testing import CliRunner

from connectors.store.engine import get_engine
from connectors.store.migrate import head_revision
from flows.cli import app
from tests.conftest import REPO, crm_row, crm_source, write_config, write_crm

runner = CliRunner()


def test_check_config_explains_the_example_config():
    result = runner.invoke(app, ["check-config", str(REPO / "leads.yaml")])
    assert result.exit_code == 0, result.output
    assert "valid" in result.output
    assert "Source crm_contacts" in result.output and "Source ad_leads" in result.output
    assert "Sink crm_leads: table crm_leads" in result.output


def test_a_bad_config_is_refused_with_exit_2_naming_the_key(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text(
        yaml.safe_dump(
            {
                "sources": {
                    "crm": {
                        "type": "file",
                        "path": "x.csv",
                        "id_column": "id",
                        "cursor_column": "t",
                        "mapping": {"emial": "Email"},
                    }
                }
            }
        )
    )
    result = runner.invoke(app, ["check-config", str(path)])
    assert result.exit_code == 2
    assert "sources.crm.mapping.emial: unknown lead field" in result.output
    assert str(path) in result.output


def test_run_stops_before_any_work_when_a_mapped_column_is_missing(tmp_path):
    csv = write_crm(tmp_path / "crm.csv", [crm_row(1)])
    source = crm_source(csv)
    source["mapping"] = {**source["mapping"], "city": "City"}
    store = tmp_path / "store.db"
    config = write_config(tmp_path, f"sqlite:///{store}", {"crm": source})
    result = runner.invoke(app, ["run", "--config", str(config)])
    assert result.exit_code == 2
    assert "sources.crm.mapping.city: column 'City' is not in the file's header" in result.output
    assert not store.exists()


def test_run_refuses_a_missing_secret_by_its_key(tmp_path, monkeypatch):
    monkeypatch.delenv("NO_SUCH_LEADS_DB", raising=False)
    csv = write_crm(tmp_path / "crm.csv", [crm_row(1)])
    config = write_config(tmp_path, {"env": "NO_SUCH_LEADS_DB"}, {"crm": crm_source(csv)})
    result = runner.invoke(app, ["run", "--config", str(config)])
    assert result.exit_code == 2
    assert "store.url: environment variable NO_SUCH_LEADS_DB is not set" in result.output


def test_run_then_status(prefect_server, tmp_path: Path, database_url):
    csv = write_crm(tmp_path / "crm.csv", [crm_row(i) for i in range(12)])
    config = write_config(tmp_path, database_url, {"crm": crm_source(csv)})
    result = runner.invoke(app, ["run", "--config", str(config)])
    assert result.exit_code == 0, result.output
    assert "crm_leads" in result.output and "Store:" in result.output
    with get_engine(database_url).connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM crm_leads")).scalar_one() == 12

    status = runner.invoke(app, ["status", "--config", str(config)])
    assert status.exit_code == 0, status.output
    assert "completed" in status.output
    assert "Sink crm_leads: 0 pending, 0 with errors" in status.output
    assert "Leads at stage lead: 12" in status.output


def test_dry_run_from_the_command_line_writes_no_sink(prefect_server, tmp_path, database_url):
    csv = write_crm(tmp_path / "crm.csv", [crm_row(i) for i in range(3)])
    config = write_config(tmp_path, database_url, {"crm": crm_source(csv)})
    result = runner.invoke(app, ["run", "--config", str(config), "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "dry run" in result.output
    status = runner.invoke(app, ["status", "--config", str(config)])
    assert "Sink crm_leads: 3 pending" in status.output


def test_db_upgrade_creates_the_store(tmp_path):
    store = tmp_path / "fresh.db"
    csv = write_crm(tmp_path / "crm.csv", [crm_row(1)])
    config = write_config(tmp_path, f"sqlite:///{store}", {"crm": crm_source(csv)})
    result = runner.invoke(app, ["db", "upgrade", "--config", str(config)])
    assert result.exit_code == 0, result.output
    assert f"empty → {head_revision()}" in result.output and store.exists()
