"""Routing (pure): account owner beats territory beats round-robin, weighted shares, unavailable
people skipped, the same leads always routed to the same owners, and bad config refused by key."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime

import pytest

from leads.routing import AccountBook, Availability, Owner, Router, smooth_cycle
from leads.routing_config import ACCOUNT_RULE, RoutingConfig
from tests.leads.test_config import SOURCE, only_problem, write

AT = datetime(2026, 10, 1, tzinfo=UTC)

CONFIG = {
    "owner_source": "hubspot",
    "teams": {
        "emea": {"members": [{"id": "e1", "weight": 3}, {"id": "e2", "weight": 2}, {"id": "e3", "weight": 1}]},
        "na": {"members": [{"id": "n1"}, {"id": "n2"}]},
        "rest": {"members": [{"id": "r1"}]},
    },
    "rules": [
        {"name": "dach software", "team": "emea", "country": ["de", "AT", "CH"], "industry": "Software Development"},
        {"name": "north america", "team": "na", "country": ["US", "CA"], "employee_range": ["201-500", "501-1000"]},
        {"name": "everyone else", "team": "rest"},
    ],
}


def router(config: dict | None = None, book: AccountBook | None = None, owners: dict | None = None, **extra) -> Router:
    settings = RoutingConfig.model_validate({**(CONFIG if config is None else config), **extra})
    return Router(settings, book or AccountBook(), Availability(settings.unavailable, owners or {}))


def lead(**values) -> dict:
    return {"company_domain": None, "country_code": None, "employee_range": None, "industry": None, **values}


def test_account_owner_beats_territory_and_territory_beats_the_catch_all():
    book = AccountBook()
    book.add("acme.example", "hubspot", "owner-7", AT)
    book.add("acme.example", "hubspot", "owner-7", AT)
    book.add("acme.example", "hubspot", "owner-8", AT)  # fewer leads: not the account owner
    r = router(book=book)

    by_account = r.route(lead(company_domain="ACME.example", country_code="DE", industry="software development"))
    assert (by_account.owner_id, by_account.rule) == ("owner-7", ACCOUNT_RULE)
    assert by_account.reason == "account owner: owns 2 leads at acme.example"

    by_territory = r.route(lead(company_domain="other.example", country_code="DE", industry="Software Development"))
    assert by_territory.rule == "dach software" and by_territory.team == "emea"
    assert by_territory.owner_id in {"e1", "e2", "e3"}
    assert (
        "territory rule 'dach software' (country DE, industry Software Development): team emea" in by_territory.reason
    )

    # A DE lead in another industry fails the first rule's second condition: the catch-all takes it.
    fallback = r.route(lead(country_code="DE", industry="retail"))
    assert (fallback.rule, fallback.owner_id) == ("everyone else", "r1")
    # A size condition needs a size: a US lead without employee_range is not "north america".
    assert r.route(lead(country_code="US")).rule == "everyone else"
    assert r.route(lead(country_code="US", employee_range="201-500")).rule == "north america"


def test_no_rules_means_account_match_only():
    book = AccountBook()
    book.add("acme.example", "crm", "Dana Whitfield", AT)
    r = router({}, book=book)
    assert r.route(lead(company_domain="acme.example")).owner_id == "Dana Whitfield"
    assert r.route(lead(company_domain="new.example", country_code="DE")) is None


def test_account_owner_ties_go_to_the_most_recent_and_an_unavailable_one_is_passed_over():
    book = AccountBook()
    book.add("acme.example", "hubspot", "old", datetime(2026, 1, 1, tzinfo=UTC))
    book.add("acme.example", "hubspot", "new", datetime(2026, 6, 1, tzinfo=UTC))
    assert router(book=book).route(lead(company_domain="acme.example")).owner_id == "new"
    # "new" left the company (inactive in the CRM): the other account owner takes it.
    owners = {("hubspot", "new"): Owner("hubspot", "new", active=False)}
    assert router(book=book, owners=owners).route(lead(company_domain="acme.example")).owner_id == "old"
    # Both away: territory decides.
    away = router(book=book, unavailable=["old", "new"]).route(lead(company_domain="acme.example"))
    assert away.rule == "everyone else"


def test_weighted_round_robin_hands_out_leads_within_two_percent_of_the_weights():
    r = router()
    got = Counter(r.route(lead(country_code="DE", industry="software development")).owner_id for _ in range(10_000))
    for owner_id, weight in (("e1", 3), ("e2", 2), ("e3", 1)):
        assert got[owner_id] / 10_000 == pytest.approx(weight / 6, abs=0.02)
    # Smooth: the heaviest member never gets more than its weight in a row.
    assert smooth_cycle([("a", 3), ("b", 2), ("c", 1)]) == ["a", "b", "a", "c", "b", "a"]


def test_unavailable_people_are_skipped_by_id_name_or_email_and_when_inactive():
    owners = {
        ("hubspot", "e2"): Owner("hubspot", "e2", name="Erik Two", email="erik@us.example"),
        ("hubspot", "e3"): Owner("hubspot", "e3", active=False),
    }
    for unavailable in (["e2"], ["erik two"], ["ERIK@us.example"]):
        r = router(owners=owners, unavailable=unavailable)
        got = {r.route(lead(country_code="AT", industry="software development")).owner_id for _ in range(60)}
        assert got == {"e1"}
    # A whole team away: the rule fires but nobody takes the lead (it waits for the next run).
    assert router(unavailable=["r1"]).route(lead(country_code="FR")) is None


def test_routing_is_deterministic_and_continues_from_the_stored_position():
    leads = [lead(country_code="CH", industry="software development") for _ in range(50)]
    one, again = router(), router()
    first = [one.route(v).owner_id for v in leads]
    assert [again.route(v).owner_id for v in leads] == first
    assert first[:6] == ["e1", "e2", "e1", "e3", "e2", "e1"]
    # A later run starts where the stored assignments left the team: the same sequence goes on.
    settings = RoutingConfig.model_validate(CONFIG)
    resumed = Router(settings, AccountBook(), Availability([], {}), {"emea": 20})
    assert [resumed.route(v).owner_id for v in leads[20:]] == first[20:]


# --- config errors --------------------------------------------------------------------------------


def routing(tmp_path, text: str) -> str:
    return only_problem(write(tmp_path, SOURCE + "routing:\n" + text))


def test_a_rule_naming_an_unknown_team_is_refused_with_its_key(tmp_path):
    problem = routing(
        tmp_path, "  owner_source: crm\n  teams: {a: {members: [{id: x}]}}\n  rules: [{name: r, team: b}]\n"
    )
    assert problem.startswith("routing: ") and "rules.0.team: 'b' is not a team; expected one of: a" in problem


def test_bad_rule_conditions_and_weights_are_refused_with_their_keys(tmp_path):
    team = "  owner_source: crm\n  teams: {a: {members: [{id: x}]}}\n"
    assert routing(tmp_path, team + "  rules: [{name: r, team: a, country: [Germany]}]\n").startswith(
        "routing.rules.0.country: "
    )
    assert "10001+" in routing(tmp_path, team + "  rules: [{name: r, team: a, employee_range: [big]}]\n")
    problem = routing(tmp_path, "  owner_source: crm\n  teams: {a: {members: [{id: x, weight: 0}]}}\n")
    assert problem.startswith("routing.teams.a.members.0.weight: ")
    problem = routing(tmp_path, team + "  rules: [{name: r, team: a, size: [big]}]\n")
    assert problem.startswith("routing.rules.0.size: unknown key")


def test_member_sources_must_be_known(tmp_path):
    problem = routing(tmp_path, "  teams: {a: {members: [{id: x}]}}\n")
    assert "teams.a.members.0.source" in problem and "routing.owner_source" in problem
    problem = routing(tmp_path, "  owner_source: hubspot\n")
    assert "routing.owner_source: 'hubspot' is not a source; expected one of: crm" in problem
    assert routing(tmp_path, "  min_stage: lead\n").startswith("routing.min_stage: ")
