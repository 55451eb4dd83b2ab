"""The LinkedIn fake rejects what the Marketing API rejects and reproduces its documented quirks (connectors.md §8)."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.fakes.linkedin import FakeLinkedIn
from tests.fakes.loopback import LoopbackServer

ACCOUNT = "522529623"
START = 1_790_000_000
OWNER = f"(sponsoredAccount:urn%3Ali%3AsponsoredAccount%3A{ACCOUNT})"
HEADERS = {"Linkedin-Version": "202606", "X-Restli-Protocol-Version": "2.0.0", "Authorization": "Bearer AQV-static"}


@pytest.fixture
def fake() -> FakeLinkedIn:
    fake = FakeLinkedIn(access_token="AQV-static", start_at=START, frozen_clock=True)
    fake.add_account(ACCOUNT, "EUR")
    return fake


@pytest.fixture
def client(fake: FakeLinkedIn) -> Iterator[httpx.Client]:
    with httpx.Client(transport=fake.transport(), base_url="https://api.linkedin.com", headers=HEADERS) as c:
        yield c


def responses(
    client: httpx.Client, start: int = 0, count: int = 2, owner: str = OWNER, **headers: str
) -> httpx.Response:
    query = (
        f"q=owner&owner={owner}&leadType=(leadType:SPONSORED)&limitedToTestLeads=false"
        f"&submittedAtTimeRange=(start:0,end:{(START + 10) * 1000})&start={start}&count={count}"
    )
    return client.get(f"/rest/leadFormResponses?{query}", headers=headers)


def seeded(fake: FakeLinkedIn, n: int = 3, test: int | None = None) -> int:
    form = fake.add_form(ACCOUNT, "Whitepaper")
    for i in range(n):
        fake.add_lead(ACCOUNT, form, {"EMAIL": f"p{i}@corp.example"}, START - 60 + i, test=i == test)
    return form


def test_offset_paging_with_start_count_and_total(fake, client):
    seeded(fake, 3)
    first = responses(client).json()
    assert first["paging"] == {"start": 0, "count": 2, "total": 3, "links": []} and len(first["elements"]) == 2
    last = responses(client, start=2).json()
    assert len(last["elements"]) == 1
    assert responses(client, count=501).status_code == 400


def test_answers_name_question_ids_resolved_through_lead_forms(fake, client):
    form = seeded(fake, 1)
    (lead,) = responses(client).json()["elements"]
    answer = lead["formResponse"]["answers"][0]
    assert set(answer) == {"questionId", "answerDetails"}
    assert lead["versionedLeadGenFormUrn"] == f"urn:li:versionedLeadGenForm:(urn:li:leadGenForm:{form},1)"
    questions = client.get(f"/rest/leadForms/{form}").json()["content"]["questions"]
    named = {q["questionId"]: q.get("predefinedField") for q in questions}
    assert named[answer["questionId"]] == "EMAIL"
    assert client.get("/rest/leadForms/1").status_code == 404


def test_a_new_question_makes_a_new_form_version(fake, client):
    form = seeded(fake, 0)
    fake.add_question(form, {"name": "budget", "text": "Your budget?"})
    fake.add_lead(ACCOUNT, form, {"budget": "10k"}, START)
    (lead,) = responses(client).json()["elements"]
    assert lead["versionedLeadGenFormUrn"].endswith(",2)")


def test_test_leads_are_flagged(fake, client):
    seeded(fake, 2, test=1)
    flags = [lead["testLead"] for lead in responses(client).json()["elements"]]
    assert flags == [False, True]


@pytest.mark.parametrize(
    ("headers", "status", "code"),
    [
        ({"Linkedin-Version": ""}, 400, "VERSION_MISSING"),
        ({"Linkedin-Version": "202401"}, 426, "VERSION_DEPRECATED"),
        ({"Linkedin-Version": "209912"}, 400, "NONEXISTENT_VERSION"),
        ({"X-Restli-Protocol-Version": "1.0.0"}, 400, "ILLEGAL_ARGUMENT"),
        ({"Authorization": "Bearer nope"}, 401, "INVALID_ACCESS_TOKEN"),
    ],
)
def test_version_protocol_and_token_headers_are_required(fake, client, headers, status, code):
    refused = responses(client, **headers)
    assert (refused.status_code, refused.json()["code"]) == (status, code)


def test_rest_li_parameters_must_keep_parentheses_and_encode_urns(fake, client):
    seeded(fake, 1)
    raw_colons = responses(client, owner=f"(sponsoredAccount:urn:li:sponsoredAccount:{ACCOUNT})")
    assert raw_colons.status_code == 400 and "percent-encoded" in raw_colons.json()["message"]
    encoded = responses(client, owner=f"%28sponsoredAccount%3Aurn%253Ali%253AsponsoredAccount%253A{ACCOUNT}%29")
    assert encoded.status_code == 400
    assert responses(client, owner="(sponsoredAccount:urn%3Ali%3AsponsoredAccount%3A1)").status_code == 403


def test_429_without_any_rate_limit_header(fake, client):
    fake.throttle_next(1)
    throttled = responses(client)
    assert throttled.status_code == 429 and throttled.json()["code"] == "TOO_MANY_REQUESTS"
    assert not [h for h in throttled.headers if "retry" in h.lower() or "ratelimit" in h.lower()]
    assert responses(client).status_code == 200


def test_refreshing_returns_a_new_access_token_and_a_shrinking_refresh_lifetime():
    fake = FakeLinkedIn(grant_age=300 * 86400, start_at=START, frozen_clock=True)
    form = {
        "grant_type": "refresh_token",
        "refresh_token": "AQX-li-refresh-token",
        "client_id": "86fake",
        "client_secret": "li-client-secret",
    }
    with httpx.Client(transport=fake.transport()) as client:
        first = client.post("https://www.linkedin.com/oauth/v2/accessToken", data=form).json()
        fake.advance(86400)
        second = client.post("https://www.linkedin.com/oauth/v2/accessToken", data=form).json()
        assert first["access_token"] != second["access_token"] and second["refresh_token"] == first["refresh_token"]
        assert first["expires_in"] == 60 * 86400
        assert second["refresh_token_expires_in"] == first["refresh_token_expires_in"] - 86400
        fake.advance(65 * 86400)
        dead = client.post("https://www.linkedin.com/oauth/v2/accessToken", data=form)
        assert (dead.status_code, dead.json()["error"]) == (400, "invalid_grant")


def test_ad_accounts_and_daily_analytics_per_campaign_and_creative(fake, client):
    assert client.get(f"/rest/adAccounts/{ACCOUNT}").json()["currency"] == "EUR"
    fake.set_spend(ACCOUNT, "2026-09-01", "367", "991", 12.345, 100, 2)
    fake.set_spend(ACCOUNT, "2026-09-03", "367", "991", 1, 1, 0)
    query = (
        "q=statistics&pivots=List(CAMPAIGN,CREATIVE)&timeGranularity=DAILY"
        "&dateRange=(start:(year:2026,month:9,day:1),end:(year:2026,month:9,day:2))"
        f"&accounts=List(urn%3Ali%3AsponsoredAccount%3A{ACCOUNT})&fields=costInLocalCurrency,pivotValues,dateRange"
    )
    (element,) = client.get(f"/rest/adAnalytics?{query}").json()["elements"]
    assert element == {
        "costInLocalCurrency": "12.35",
        "dateRange": {"start": {"year": 2026, "month": 9, "day": 1}, "end": {"year": 2026, "month": 9, "day": 1}},
        "pivotValues": ["urn:li:sponsoredCampaign:367", "urn:li:sponsoredCreative:991"],
    }


def test_the_fake_serves_over_loopback_with_raw_rest_li_queries():
    with LoopbackServer("tests.fakes.linkedin:FakeLinkedIn", access_token="AQV-static") as server:
        server.call("add_account", ACCOUNT)
        form = server.call("add_form", ACCOUNT)
        server.call("add_lead", ACCOUNT, form, {"EMAIL": "a@corp.example"}, START)
        with httpx.Client(base_url=server.url, headers=HEADERS) as client:
            assert len(responses(client).json()["elements"]) == 1
