"""The enrichment waterfall: order and stopping, the cache across runs, budgets, stopped providers."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import pytest

from connectors.enrichment.base import Answer, Lookup, Outcome, ProviderFatal
from connectors.enrichment.reference_table import ReferenceTable
from connectors.enrichment.waterfall import Waterfall
from connectors.store.engine import get_engine
from connectors.store.enrichment import EnrichmentCache
from connectors.store.migrate import upgrade
from leads.enrich_rules import skip_reason
from leads.model import FieldValue, Lead

pytestmark = pytest.mark.postgres
NOW = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)


class FakeProvider:
    """A provider that knows some domains and counts what it was asked."""

    kinds = frozenset({"company", "person", "email"})
    fields = frozenset({"industry", "employee_range", "email_status"})

    def __init__(self, name: str, known: dict[str, dict], cost: float = 1.0, outcome: Outcome | None = None):
        self.name, self.known, self.cost, self.outcome = name, known, cost, outcome
        self.asked: list[str] = []
        self.fatal: str | None = None

    def max_cost(self, kind) -> float:
        return self.cost

    def lookup(self, lookups: Sequence[Lookup]) -> dict[str, Answer]:
        if self.fatal:
            raise ProviderFatal(self.fatal)
        self.asked.extend(item.key for item in lookups)
        out = {}
        for item in lookups:
            if self.outcome is not None:
                out[item.key] = Answer(self.outcome, detail="try later")
            elif item.key in self.known:
                out[item.key] = Answer(Outcome.HIT, self.known[item.key], 0.9, self.cost)
            else:
                out[item.key] = Answer(Outcome.MISS)
        return out


def lead(lead_id: str, email: str, **values) -> Lead:
    fields = {"email": FieldValue(email, "crm", NOW)}
    fields |= {
        "company_domain": FieldValue(email.split("@")[1], "crm", NOW),
        "email_class": FieldValue("corporate", "crm", NOW),
    }
    fields |= {n: FieldValue(v, "crm", NOW) for n, v in values.items()}
    return Lead(lead_id, f"email:{email}", fields, None)


@pytest.fixture
def cache(database_url):
    engine = get_engine(database_url)
    upgrade(engine)
    return EnrichmentCache(engine, timedelta(days=90), timedelta(days=30))


def needs(*leads_, fields=("industry", "employee_range")):
    return {item.lead_id: (item, set(fields)) for item in leads_}


def test_each_field_stops_at_the_first_provider_that_fills_it(cache):
    accounts = ReferenceTable("accounts", {"acme.com": {"industry": "software"}})
    pdl = FakeProvider("pdl", {"acme.com": {"industry": "computer software", "employee_range": "51-200"}})
    order = {"industry": ["accounts", "pdl"], "employee_range": ["accounts", "pdl"]}
    fall = Waterfall({"accounts": accounts, "pdl": pdl}, order, cache, {}, lambda: NOW)
    found = fall.run(needs(lead("1", "a@acme.com"), lead("2", "b@acme.com")))
    assert {f: e.value for f, e in found["1"].fields.items()} == {"industry": "software", "employee_range": "51-200"}
    assert found["1"].fields["industry"].provider == "accounts"
    assert found["1"].fields["employee_range"].provider == "pdl"
    assert pdl.asked == ["acme.com"]  # two leads at one domain: one lookup, and only for what was still empty


def test_answers_are_cached_across_runs_hits_and_misses_alike(cache):
    order = {"industry": ["pdl"]}
    first = FakeProvider("pdl", {"acme.com": {"industry": "software"}})
    Waterfall({"pdl": first}, order, cache, {}, lambda: NOW).run(
        needs(lead("1", "a@acme.com"), lead("2", "b@nowhere.io"), fields=("industry",))
    )
    assert sorted(first.asked) == ["acme.com", "nowhere.io"]
    second = FakeProvider("pdl", {})
    fall = Waterfall({"pdl": second}, order, cache, {}, lambda: NOW + timedelta(days=1))
    found = fall.run(needs(lead("1", "a@acme.com"), lead("2", "b@nowhere.io"), fields=("industry",)))
    assert second.asked == [] and fall.use["pdl"].cache_hits == 2 and fall.use["pdl"].credits == 0
    assert found["1"].fields["industry"].value == "software" and not found["2"].fields
    later = FakeProvider("pdl", {})
    Waterfall({"pdl": later}, order, cache, {}, lambda: NOW + timedelta(days=31)).run(
        needs(lead("2", "b@nowhere.io"), fields=("industry",))
    )
    assert later.asked == ["nowhere.io"]  # a miss is believed for 30 days, then asked again


def test_a_budget_caps_what_a_run_spends_and_defers_the_rest(cache):
    known = {f"c{i}.com": {"industry": "software"} for i in range(5)}
    pdl = FakeProvider("pdl", known, cost=1.0)
    fall = Waterfall({"pdl": pdl}, {"industry": ["pdl"]}, cache, {"pdl": 2}, lambda: NOW)
    found = fall.run(needs(*(lead(str(i), f"x@c{i}.com") for i in range(5)), fields=("industry",)))
    assert len(pdl.asked) == 2 and fall.use["pdl"].credits == 2 and fall.use["pdl"].over_budget == 3
    assert sum(bool(r.fields) for r in found.values()) == 2
    assert sum(bool(r.deferred) for r in found.values()) == 3


def test_queued_answers_are_deferred_and_not_cached(cache):
    hunter = FakeProvider("hunter", {}, outcome=Outcome.QUEUED)
    order = {"email_status": ["hunter"]}
    found = Waterfall({"hunter": hunter}, order, cache, {}, lambda: NOW).run(
        needs(lead("1", "a@acme.com"), fields=("email_status",))
    )
    assert found["1"].deferred == {"email_status:hunter"}
    again = FakeProvider("hunter", {"a@acme.com": {"email_status": "valid"}})
    found = Waterfall({"hunter": again}, order, cache, {}, lambda: NOW).run(
        needs(lead("1", "a@acme.com"), fields=("email_status",))
    )
    assert again.asked == ["a@acme.com"] and found["1"].fields["email_status"].value == "valid"


def test_a_provider_that_refuses_its_credentials_stops_and_the_next_one_goes_on(cache):
    broken = FakeProvider("pdl", {})
    broken.fatal = "401 Unauthorized: invalid API key"
    apollo = FakeProvider("apollo", {"acme.com": {"industry": "software"}})
    fall = Waterfall({"pdl": broken, "apollo": apollo}, {"industry": ["pdl", "apollo"]}, cache, {}, lambda: NOW)
    found = fall.run(needs(lead("1", "a@acme.com"), fields=("industry",)))
    assert fall.use["pdl"].stopped == "401 Unauthorized: invalid API key"
    assert found["1"].fields["industry"].provider == "apollo"
    assert found["1"].deferred == set()  # filled further down the waterfall: nothing to retry


def test_a_provider_that_cannot_answer_a_field_is_refused_at_start(cache):
    accounts = ReferenceTable("accounts", {})
    with pytest.raises(ValueError, match="email_status: provider 'accounts' cannot fill it"):
        Waterfall({"accounts": accounts}, {"email_status": ["accounts"]}, cache, {}, lambda: NOW)


@pytest.mark.parametrize(
    ("values", "reason"),
    [
        ({"do_not_contact": True}, "do not contact"),
        ({"email_class": "free"}, "free email address"),
        ({"email_class": "disposable"}, "disposable email address"),
    ],
)
def test_nothing_is_spent_on_leads_that_cannot_or_must_not_pay_off(values, reason):
    item = lead("1", "a@acme.com", **values)
    assert skip_reason(item, frozenset({"free", "disposable"}), False, True) == reason


def test_role_addresses_are_skipped_only_when_configured():
    item = lead("1", "info@acme.com", email_role=True)
    assert skip_reason(item, frozenset(), False, True) is None
    assert skip_reason(item, frozenset(), True, True) == "role address"


def test_invalid_email_is_never_looked_up():
    item = lead("1", "a@acme.com")
    item.fields["email"] = FieldValue("a@@acme", "crm", NOW, "not a valid email address")
    assert skip_reason(item, frozenset(), False, True) == "invalid email"
