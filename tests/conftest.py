"""Shared fixtures.

The store fixture gives SQLite by default. With LEADS_TEST_DATABASE_URL set (CI sets it for the
PostgreSQL pass), it gives a fresh PostgreSQL schema per test instead; that pass runs only tests
marked `postgres`.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

from flows import settings_defaults

settings_defaults.apply()

import pytest  # noqa: E402
import yaml  # noqa: E402
from sqlalchemy import create_engine, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from connectors.store.engine import dispose_engines  # noqa: E402

PG_URL = os.environ.get("LEADS_TEST_DATABASE_URL")
REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def _fresh_engines() -> Iterator[None]:
    yield
    dispose_engines()


@pytest.fixture
def database_url(tmp_path: Path) -> Iterator[str]:
    if not PG_URL:
        yield f"sqlite:///{tmp_path / 'store.db'}"
        return
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    url = make_url(PG_URL).update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        dispose_engines()
        with admin.begin() as conn:
            conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


@pytest.fixture(scope="session")
def prefect_server() -> Iterator[None]:
    """One temporary Prefect API for the whole session (it takes 15-20 s to start)."""
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=180):
        yield


CRM_HEADER = (
    "Record ID,First Name,Last Name,Email,Phone Number,Company Name,Website URL,Job Title,"
    "Country/Region,Lifecycle Stage,Lead Status,Contact owner,Create Date,Last Modified Date,Original Source"
)
CRM_MAPPING = {
    "email": "Email",
    "first_name": "First Name",
    "last_name": "Last Name",
    "phone": "Phone Number",
    "company": "Company Name",
    "website": "Website URL",
    "job_title": "Job Title",
    "country": "Country/Region",
    "lifecycle_stage": "Lifecycle Stage",
    "lead_status": "Lead Status",
    "owner": "Contact owner",
    "created_at": "Create Date",
    "original_source": "Original Source",
}


def letters(i: int) -> str:
    """0 → "a", 25 → "z", 26 → "ba": names without digits (a digit in a name marks junk)."""
    out = ""
    while True:
        out = chr(ord("a") + i % 26) + out
        i //= 26
        if i == 0:
            return out


def crm_row(
    i: int,
    email: str | None = None,
    modified: str = "2026-10-02 10:00",
    company: str | None = None,
    stage: str = "Lead",
) -> str:
    email = f"person{i}@corp{i % 7}.example" if email is None else email
    return (
        f"{1000 + i},First{letters(i)},Last{letters(i)},{email},+1 415 555 {i % 10000:04d},"
        f"{company or f'Corp {i % 7}'},"
        f"corp{i % 7}.example,Manager,United States,{stage},New,Dana Whitfield,2026-09-01 09:00,{modified},Paid Social"
    )


def write_crm(path: Path, rows: list[str]) -> Path:
    path.write_text("\n".join([CRM_HEADER, *rows]) + "\n", encoding="utf-8")
    return path


def write_config(tmp_path: Path, database_url: str, sources: dict, sinks: dict | None = None, **top) -> Path:
    config = {
        "store": {"url": database_url},
        "runs_dir": str(tmp_path / "runs"),
        "sources": sources,
        "sinks": sinks if sinks is not None else {"crm_leads": {"type": "sql_table", "table": "crm_leads"}},
        **top,
    }
    path = tmp_path / "leads.yaml"
    path.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    return path


def crm_source(path: Path, **extra) -> dict:
    return {
        "type": "file",
        "path": str(path),
        "id_column": "Record ID",
        "cursor_column": "Last Modified Date",
        "cursor_format": "%Y-%m-%d %H:%M",
        "source_system": "hubspot",
        "mapping": CRM_MAPPING,
        **extra,
    }
