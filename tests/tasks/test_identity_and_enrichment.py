"""Identity and enrichment through the stages, on the store: merges across sources and runs,
source priority, the reference table, gating and reruns that ask nobody twice."""

from __future__ import annotations

import json

import pytest
import yaml
from sqlalchemy import select, text

from connectors.store.engine import get_engine
from connectors.store.schema import lead_links, lead_merges, leads
from tests.conftest import crm_source, write_config
from tests.tasks.pipeline_helpers import run_pipeline

pytestmark = pytest.mark.postgres

CRM_HEADER = (
    "Record ID,First Name,Last Name,Email,Phone Number,Company Name,Website URL,Job Title,Country/Region,"
    "Last Modified Date"
)


def crm(path, *rows):
    lines = [CRM_HEADER] + [",".join(r) for r in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def ads(path, *rows):
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    return path


CRM_MAPPING = {
    "email": "Email",
    "first_name": "First Name",
    "last_name": "Last Name",
    "phone": "Phone Number",
    "company": "Company Name",
    "website": "Website URL",
    "job_title": "Job Title",
    "country": "Country/Region",
}
ADS = {
    "type": "file",
    "id_column": "id",
    "cursor_column": "created_time",
    "mapping": {
        "email": "email",
        "full_name": "full_name",
        "phone": "phone",
        "company": "company",
        "job_title": "title",
    },
}


def ad(i, email, name="Ann Lee", phone="+14155550100", company="Acme Ads Name", title="Marketing Manager", t="10"):
    return {
        "id": str(i),
        "created_time": f"2026-10-05T{t}:00:00+00:00",
        "email": email,
        "full_name": name,
        "phone": phone,
        "company": company,
        "title": title,
    }


@pytest.fixture
def setup(tmp_path, database_url):
    accounts = tmp_path / "accounts.csv"
    accounts.write_text(
        "domain,company_name,industry,employee_count,revenue_range,company_country_code,tech_stack\n"
        "acme.com,Acme Corp,Software Development,120,$10M-$25M,united states,Salesforce;HubSpot\n",
        encoding="utf-8",
    )

    def make(crm_rows, ad_rows, **top):
        sources = {
            "crm": crm_source(crm(tmp_path / "crm.csv", *crm_rows), mapping=CRM_MAPPING),
            "ads": {**ADS, "path": str(ads(tmp_path / "ads.jsonl", *ad_rows))},
        }
        enrichment = {
            "providers": {"accounts": {"type": "reference_table", "path": str(accounts)}},
            "waterfall": {
                "industry": ["accounts"],
                "employee_range": ["accounts"],
                "tech_stack": ["accounts"],
                "revenue_range": ["accounts"],
                "company_name": ["accounts"],
            },
        }
        return write_config(tmp_path, database_url, sources, enrichment=enrichment, **top)

    return make


def row(
    i,
    email,
    first="Ann",
    last="Lee",
    phone="(415) 555-0100",
    company="Acme",
    site="https://www.acme.com",
    title="VP Sales",
    country="USA",
    modified="2026-10-02 10:00",
):
    return (str(1000 + i), first, last, email, phone, company, site, title, country, modified)


def lead_rows(database_url):
    with get_engine(database_url).connect() as conn:
        return list(conn.execute(select(leads).order_by(leads.c.created_at)))


def test_one_person_from_two_sources_is_one_lead_with_the_trusted_source_winning(setup, database_url):
    config = setup(
        [row(1, "ann@acme.com")],
        [ad(1, "ann.lee@gmail.com")],
        identity={"source_priority": ["crm", "ads"]},
    )
    counts = run_pipeline(config, "run-1")
    (lead,) = lead_rows(database_url)
    fields = {name: v[0] for name, v in lead.fields.items()}
    assert lead.record_count == 2
    assert fields["company"] == "Acme"  # the CRM outranks the newer ad form
    assert fields["phone"] == "+14155550100" and fields["country_code"] == "US"
    assert fields["seniority"] == "vp" and fields["department"] == "sales"
    assert fields["company_domain"] == "acme.com" and fields["email_class"] == "corporate"
    assert fields["industry"] == "software development" and fields["employee_range"] == "51-200"
    assert fields["revenue_range"] == "10M-50M" and fields["tech_stack"] == ["salesforce", "hubspot"]
    assert lead.fields["industry"][1] == "accounts"
    assert counts["enrich"]["filled"]["industry"] == 1
    with get_engine(database_url).connect() as conn:
        reasons = {r.source: r.reason for r in conn.execute(select(lead_links))}
    assert reasons == {"crm": "phone+name", "ads": "phone+name"}


def test_a_later_record_that_bridges_two_leads_merges_them_and_the_older_survives(setup, database_url):
    config = setup([row(1, "ann@acme.com", phone="")], [ad(1, "ann.lee@gmail.com")])
    run_pipeline(config, "run-1")
    older, younger = lead_rows(database_url)
    assert older.status == younger.status == "active"

    config = setup([row(1, "ann@acme.com", modified="2026-10-06 10:00")], [ad(1, "ann.lee@gmail.com")])
    counts = run_pipeline(config, "run-2")
    assert counts["normalize"]["leads_merged"] == 1
    by_id = {r.lead_id: r for r in lead_rows(database_url)}
    assert by_id[older.lead_id].status == "active" and by_id[older.lead_id].record_count == 2
    assert by_id[younger.lead_id].status == "merged"
    with get_engine(database_url).connect() as conn:
        (merge,) = conn.execute(select(lead_merges))
    assert (merge.merged_lead_id, merge.survivor_lead_id) == (younger.lead_id, older.lead_id)
    assert "phone+name" in merge.reason
    assert counts["sinks"]["crm_leads"]["merged_away"] == 1  # the sink held both; the merged row goes
    with get_engine(database_url).connect() as conn:
        in_sink = {r.lead_id for r in conn.execute(text("SELECT lead_id FROM crm_leads"))}
    assert in_sink == {older.lead_id}

    again = run_pipeline(config, "run-3")
    assert again["normalize"]["records"] == 0 and again["enrich"]["leads"] == 0


def test_nothing_is_spent_on_free_mail_and_a_rerun_asks_nobody(setup, database_url):
    config = setup([row(1, "ann@acme.com"), row(2, "bob@gmail.com", first="Bob", last="Ray", phone="", site="")], [])
    counts = run_pipeline(config, "run-1")
    assert counts["enrich"]["skipped"] == {"free email address": 1}
    assert counts["enrich"]["providers"]["accounts"]["lookups"] == 1
    assert counts["enrich"]["providers"]["accounts"]["hits"] == 1

    # A change that does not touch the lookup inputs keeps what enrichment found, asking nobody.
    config = setup(
        [
            row(1, "ann@acme.com", title="Director of Sales", modified="2026-10-07 10:00"),
            row(2, "bob@gmail.com", first="Bob", last="Ray", phone="", site=""),
        ],
        [],
    )
    counts = run_pipeline(config, "run-2")
    assert counts["enrich"]["reused"] == 1 and counts["enrich"]["providers"]["accounts"]["lookups"] == 0
    ann = next(r for r in lead_rows(database_url) if r.email == "ann@acme.com")
    assert ann.fields["industry"][0] == "software development"
    assert ann.fields["seniority"][0] == "director"


def test_a_paid_provider_behind_the_reference_table_is_asked_once_within_budget(
    setup, database_url, tmp_path, monkeypatch
):
    from functools import partial

    import tasks.enrich
    from connectors.enrichment.registry import build_providers
    from tests.fakes.enrichment.pdl import FakePdl

    fake = FakePdl()
    fake.add_company("beta.io")
    fake.add_company("gamma.io")
    monkeypatch.setenv("PDL_API_KEY", fake.api_key)
    monkeypatch.setattr(
        tasks.enrich, "build_providers", partial(build_providers, transport_for=lambda n: fake.transport())
    )
    rows = [
        row(1, "ann@acme.com"),  # known to the reference table: PDL is not asked
        row(2, "bo@beta.io", first="Bo", last="Ek", phone="", site=""),
        row(3, "cy@gamma.io", first="Cy", last="Ho", phone="", site=""),
    ]
    pdl = {
        "type": "pdl",
        "api_key": {"env": "PDL_API_KEY"},
        "base_url": "https://pdl.fake.test",
        "budget": 1,
        "rate_limit": {"requests": 6000, "per": "1m"},
    }
    config = setup(rows, [])
    data = yaml.safe_load(config.read_text())
    data["enrichment"]["providers"]["pdl"] = pdl
    data["enrichment"]["waterfall"]["industry"] = ["accounts", "pdl"]
    config.write_text(yaml.safe_dump(data))

    first = run_pipeline(config, "run-1")
    use = first["enrich"]["providers"]["pdl"]
    assert fake.calls == 1 and use["credits"] == 1 and use["over_budget"] == 1  # one credit: one lookup
    assert first["enrich"]["deferred"] == 1 and first["enrich"]["filled"]["industry"] == 2

    second = run_pipeline(config, "run-2")  # a fresh budget: the deferred lead is asked, nothing else
    assert fake.calls == 2 and second["enrich"]["leads"] == 1 and second["enrich"]["filled"] == {"industry": 1}
    industries = {r.email: r.fields.get("industry", [None, None])[:2] for r in lead_rows(database_url)}
    assert industries["ann@acme.com"] == ["software development", "accounts"]
    assert industries["bo@beta.io"][1] == industries["cy@gamma.io"][1] == "pdl"
