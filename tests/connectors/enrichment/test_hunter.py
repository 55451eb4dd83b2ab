"""HunterProvider against the Hunter fake: verification, 202 polling, 403/429 quirks, the finder."""

from __future__ import annotations

import pytest

from connectors.enrichment.base import Outcome, ProviderFatal
from tests.connectors.enrichment.support import Sleeps, build, company, email
from tests.fakes.enrichment import FakeHunter


@pytest.fixture
def fake() -> FakeHunter:
    fake = FakeHunter()
    fake.add_verification("ada@corp.example", "valid", score=97)
    fake.add_verification("bob@corp.example", "accept_all", score=60)
    return fake


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


def test_verification_maps_status_score_and_cost(fake, sleeps):
    answers = build("hunter", fake, sleeps).lookup(
        [email("ada@corp.example"), email("bob@corp.example"), email("who@corp.example")]
    )
    assert answers["ada@corp.example"].fields == {"email_status": "valid"}
    assert answers["ada@corp.example"].confidence == 0.97 and answers["ada@corp.example"].cost == 0.5
    assert answers["bob@corp.example"].fields == {"email_status": "accept_all"}
    unknown = answers["who@corp.example"]
    assert unknown.outcome is Outcome.HIT and unknown.fields == {"email_status": "unknown"} and unknown.cost == 0
    assert sum(a.cost for a in answers.values()) == fake.credits == 1.0
    assert fake.requests[0].url.params["api_key"] == fake.api_key


def test_a_running_verification_is_polled_then_answered(fake, sleeps):
    fake.still_running("ada@corp.example", 2)
    answers = build("hunter", fake, sleeps).lookup([email("ada@corp.example")])
    assert answers["ada@corp.example"].outcome is Outcome.HIT
    assert fake.calls == 3 and len(sleeps) == 2
    assert fake.credits == 0.5  # the 202s were free


def test_a_verification_still_running_after_the_attempts_is_queued(fake, sleeps):
    fake.fail_next(10, 202, body={"data": None})
    answers = build("hunter", fake, sleeps, max_attempts=3).lookup([email("ada@corp.example")])
    queued = answers["ada@corp.example"]
    assert queued.outcome is Outcome.QUEUED and queued.cost == 0 and "next run" in queued.detail
    assert fake.calls == 3


def test_403_is_hunters_rate_limit_and_is_retried(fake, sleeps):
    fake.throttle(2)
    answers = build("hunter", fake, sleeps).lookup([email("ada@corp.example")])
    assert answers["ada@corp.example"].outcome is Outcome.HIT and len(sleeps) == 2


def test_429_means_the_monthly_quota_is_gone(fake, sleeps):
    fake.fail_next(1, 429)
    with pytest.raises(ProviderFatal) as caught:
        build("hunter", fake, sleeps).lookup([email("ada@corp.example"), email("bob@corp.example")])
    assert "usage limit" in str(caught.value)
    assert fake.calls == 1 and sleeps == []


def test_invalid_input_is_a_failed_answer_not_a_crash(fake, sleeps):
    answers = build("hunter", fake, sleeps).lookup([email("not-an-address")])
    failed = answers["not-an-address"]
    assert failed.outcome is Outcome.FAILED
    assert failed.detail == "HTTP 400: wrong_params: The email parameter is not a valid email address"


def test_a_person_who_opted_out_is_a_miss(fake, sleeps):
    fake.fail_next(1, 451)
    answers = build("hunter", fake, sleeps).lookup([email("ada@corp.example")])
    assert answers["ada@corp.example"].outcome is Outcome.MISS


def test_other_kinds_are_not_hunters(fake, sleeps):
    answers = build("hunter", fake, sleeps).lookup([company("corp.example")])
    assert answers["corp.example"].outcome is Outcome.MISS and fake.calls == 0


def test_the_finder_returns_an_email_with_its_confidence(fake, sleeps):
    fake.add_found("corp.example", "Ada", "Lovelace", "ada.lovelace@corp.example", score=91)
    provider = build("hunter", fake, sleeps)
    found = provider.find_email("corp.example", "Ada", "Lovelace")
    assert found.outcome is Outcome.HIT and found.cost == 1 and found.confidence == 0.91
    assert found.fields == {"email": "ada.lovelace@corp.example", "email_status": "valid"}
    nobody = provider.find_email("corp.example", "No", "Body")
    assert nobody.outcome is Outcome.MISS and nobody.cost == 0
    assert fake.credits == 1
    assert fake.requests[0].url.params["first_name"] == "Ada"


def test_duplicates_are_verified_once(fake, sleeps):
    build("hunter", fake, sleeps).lookup([email("ada@corp.example")] * 4)
    assert fake.calls == 1
