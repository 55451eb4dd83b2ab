"""The route stage on the store: new MQLs get owners recorded in `assignments` with the rule and the
reason and in their fields; a lead sales owns is never assigned; a rerun changes nothing."""

from __future__ import annotations

import pytest
import yaml
from sqlalchemy import select

from connectors.store.engine import get_engine
from connectors.store.schema import assignments, leads
from tasks.enrich import enrich
from tasks.extract import extract
from tasks.normalize import normalize
from tasks.prepare import prepare
from tasks.route import route_stage
from tasks.score import score_stage
from tests.conftest import crm_row, crm_source, write_config, write_crm
from tests.tasks.pipeline_helpers import FIT_CRITERIA, GRADES

pytestmark = pytest.mark.postgres

SCORING = {
    "fit": {"criteria": FIT_CRITERIA},
    "grades": GRADES,
    "mql": {"min_fit": "B", "min_engagement": 4},  # fit alone makes an MQL here
}
ROUTING = {
    "owner_source": "crm",
    "teams": {"na": {"members": [{"id": "Priya Raman"}, {"id": "Marcus Ohlsson"}]}},
    "rules": [{"name": "north america", "team": "na", "country": ["US"]}],
}


def unowned(row: str, owner: str = "") -> str:
    return row.replace(",New,Dana Whitfield,", f",New,{owner},")


def com(row: str) -> str:
    """Company domains need a public suffix (`.example` has none)."""
    return row.replace(".example", ".com")


def rows(owner_of_cy: str = "") -> list[str]:
    return [
        com(crm_row(1, email="ann@corp1.com")),  # Dana Whitfield owns her, and so corp1.com
        com(unowned(crm_row(8, email="bea@corp1.com"))),  # corp1.com too: Dana's account
        com(unowned(crm_row(3, email="cy@corp3.com"), owner_of_cy)),
        com(unowned(crm_row(4, email="dee@corp4.com"))),
        com(unowned(crm_row(5, email="eve@gmail.com"))),  # free mail: no MQL, never routed
    ]


@pytest.fixture
def routed(tmp_path, database_url):
    crm = write_crm(tmp_path / "crm.csv", rows())
    config = write_config(tmp_path, database_url, {"crm": crm_source(crm)}, scoring=SCORING, routing=ROUTING)

    def run(run_id: str) -> dict:
        ctx = prepare(str(config), run_id, None, False)
        extract(ctx, "crm")
        normalize(ctx)
        enrich(ctx)
        score_stage(ctx)
        return route_stage(ctx)

    return config, crm, run


def state(database_url) -> tuple[dict, dict]:
    with get_engine(database_url).connect() as conn:
        by_id = {r.lead_id: r for r in conn.execute(select(leads))}
        emails = {lead_id: r.fields["email"][0] for lead_id, r in by_id.items()}
        assigned = {emails[r.lead_id]: r for r in conn.execute(select(assignments))}
        return {r.fields["email"][0]: r for r in by_id.values()}, assigned


def test_mqls_get_owners_by_rule_recorded_with_the_reason(routed, database_url):
    _, _, run = routed
    counts = run("run-1")
    assert counts["status"] == "ok"
    assert (counts["leads"], counts["assigned"], counts["owned"], counts["unrouted"]) == (4, 3, 1, 0)
    assert counts["rules"] == {"account owner": 1, "north america": 2}

    found, assigned = state(database_url)
    assert set(assigned) == {"bea@corp1.com", "cy@corp3.com", "dee@corp4.com"}
    bea = assigned["bea@corp1.com"]
    assert (bea.owner_source, bea.owner_id, bea.rule, bea.run_id) == ("crm", "Dana Whitfield", "account owner", "run-1")
    assert bea.reason == "account owner: owns 1 lead at corp1.com"
    na = [assigned["cy@corp3.com"], assigned["dee@corp4.com"]]
    assert {a.owner_id for a in na} == {"Priya Raman", "Marcus Ohlsson"}  # round-robin: one each
    assert all(a.rule == "north america" and a.team == "na" for a in na)
    assert na[0].reason.startswith("territory rule 'north america' (country US): team na, weighted round-robin")

    fields = {name: value for name, value in found["cy@corp3.com"].fields.items() if name.startswith("assign")}
    assert fields["assigned_owner_id"][:2] == [na[0].owner_id, "routing"]
    assert fields["assignment_rule"][0] == "north america"
    assert fields["assignment_reason"][0] == na[0].reason
    # Sales' lead, and a lead that is no MQL, get nothing.
    for email in ("ann@corp1.com", "eve@gmail.com"):
        assert "assigned_owner_id" not in found[email].fields
    assert found["ann@corp1.com"].fields["owner"][0] == "Dana Whitfield"


def test_a_rerun_changes_nothing_even_with_other_people_away(routed, database_url):
    config, _, run = routed
    run("run-1")
    before_leads, before = state(database_url)
    again = run("run-2")
    assert (again["assigned"], again["kept"], again["owned"]) == (0, 3, 1)
    after_leads, after = state(database_url)
    assert {e: tuple(r) for e, r in after.items()} == {e: tuple(r) for e, r in before.items()}
    assert {e: r.content_hash for e, r in after_leads.items()} == {e: r.content_hash for e, r in before_leads.items()}

    # Someone is away now: who already has leads keeps them.
    data = yaml.safe_load(config.read_text())
    data["routing"]["unavailable"] = ["Priya Raman", "Marcus Ohlsson"]
    config.write_text(yaml.safe_dump(data))
    assert run("run-3")["assigned"] == 0
    assert {e: tuple(r) for e, r in state(database_url)[1].items()} == {e: tuple(r) for e, r in before.items()}


def test_a_lead_sales_owns_is_never_reassigned(routed, database_url):
    _, crm, run = routed
    write_crm(crm, rows(owner_of_cy="Dana Whitfield"))  # sales took cy before we routed her
    counts = run("run-1")
    assert counts["owned"] == 2 and counts["rules"] == {"account owner": 1, "north america": 1}
    found, assigned = state(database_url)
    assert "cy@corp3.com" not in assigned and "assigned_owner_id" not in found["cy@corp3.com"].fields

    # Sales reassign dee in the CRM after we routed her: our assignment stays recorded and is not
    # redone; the CRM's owner is the lead's owner (and the sinks write ours only where it is empty).
    write_crm(
        crm,
        [r.replace("2026-10-02 10:00", "2026-10-03 10:00") for r in rows("Dana Whitfield")[:3]]
        + [
            com(unowned(crm_row(4, email="dee@corp4.com", modified="2026-10-03 10:00"), "Kim Lee")),
            com(unowned(crm_row(5, email="eve@gmail.com"))),
        ],
    )
    dee_before = assigned["dee@corp4.com"]
    again = run("run-2")
    assert again["assigned"] == 0
    found, assigned = state(database_url)
    assert tuple(assigned["dee@corp4.com"]) == tuple(dee_before)
    assert found["dee@corp4.com"].fields["owner"][0] == "Kim Lee"
