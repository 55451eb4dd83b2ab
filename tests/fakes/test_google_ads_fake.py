"""The Google Ads fake rejects what the API rejects and reproduces its documented quirks (connectors.md §8)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import httpx
import pytest

from tests.fakes.google_ads import FakeGoogleAds
from tests.fakes.loopback import LoopbackServer

CUSTOMER, MANAGER = "1234567890", "9876543210"
START = datetime(2026, 9, 20, 12, tzinfo=UTC).timestamp()
SEARCH = f"/v26/customers/{CUSTOMER}/googleAds:search"
LEAD_QUERY = (
    "SELECT lead_form_submission_data.id, lead_form_submission_data.submission_date_time, "
    "lead_form_submission_data.lead_form_submission_fields, lead_form_submission_data.campaign, campaign.name "
    "FROM lead_form_submission_data ORDER BY lead_form_submission_data.submission_date_time"
)


@pytest.fixture
def fake() -> FakeGoogleAds:
    fake = FakeGoogleAds(start_at=START, frozen_clock=True, rows_per_page=2)
    fake.add_customer(MANAGER)
    fake.add_customer(CUSTOMER, "America/Los_Angeles", "EUR", manager_id=MANAGER)
    return fake


def token(client: httpx.Client, refresh: str = "1//0g-refresh") -> httpx.Response:
    form = {
        "grant_type": "refresh_token",
        "client_id": "fake-client.apps.googleusercontent.com",
        "client_secret": "gcs-secret",
        "refresh_token": refresh,
    }
    return client.post("https://oauth2.googleapis.com/token", data=form)


@pytest.fixture
def client(fake: FakeGoogleAds) -> Iterator[httpx.Client]:
    with httpx.Client(transport=fake.transport(), base_url="https://googleads.googleapis.com") as c:
        access = token(c).json()["access_token"]
        c.headers.update(
            {"Authorization": f"Bearer {access}", "developer-token": "dev-token-secret", "login-customer-id": MANAGER}
        )
        yield c


def failure(response: httpx.Response) -> dict:
    body = response.json()["error"]
    return body["details"][0]["errors"][0]


def seed(fake: FakeGoogleAds, n: int) -> list[str]:
    campaign = fake.add_campaign(CUSTOMER, "Brand")
    ad = fake.add_ad(CUSTOMER, fake.add_ad_group(CUSTOMER, campaign, "Group"))
    return [fake.add_lead(CUSTOMER, {"EMAIL": f"p{i}@corp.example"}, START - 3600 + i, ad_id=ad) for i in range(n)]


def test_search_pages_with_next_page_token_and_answers_camel_case_with_local_times(fake, client):
    seed(fake, 3)
    first = client.post(SEARCH, json={"query": LEAD_QUERY})
    assert first.status_code == 200 and first.headers["request-id"]
    row = first.json()["results"][0]
    data = row["leadFormSubmissionData"]
    assert data["submissionDateTime"] == "2026-09-20 04:00:00-07:00"  # the account's zone, its offset
    assert data["leadFormSubmissionFields"] == [{"fieldType": "EMAIL", "fieldValue": "p0@corp.example"}]
    assert data["campaign"].startswith(f"customers/{CUSTOMER}/campaigns/") and row["campaign"]["name"] == "Brand"
    token_ = first.json()["nextPageToken"]
    second = client.post(SEARCH, json={"query": LEAD_QUERY, "pageToken": token_}).json()
    assert len(second["results"]) == 1 and "nextPageToken" not in second
    other = client.post(SEARCH, json={"query": LEAD_QUERY + " LIMIT 5", "pageToken": token_})
    assert failure(other)["errorCode"] == {"requestError": "INVALID_PAGE_TOKEN"}


def test_page_size_and_unknown_body_keys_are_refused(fake, client):
    refused = client.post(SEARCH, json={"query": LEAD_QUERY, "pageSize": 100})
    assert refused.status_code == 400 and failure(refused)["errorCode"] == {"requestError": "PAGE_SIZE_NOT_SUPPORTED"}
    unknown = client.post(SEARCH, json={"query": LEAD_QUERY, "page_size": 5})
    assert unknown.status_code == 400 and "details" not in unknown.json()["error"]


def test_where_literals_are_read_in_the_account_time_zone_and_only_60_days_are_visible(fake, client):
    ids = seed(fake, 3)
    query = (
        "SELECT lead_form_submission_data.id FROM lead_form_submission_data "
        "WHERE lead_form_submission_data.submission_date_time >= '2026-09-20 04:00:01'"
    )
    found = [r["leadFormSubmissionData"]["id"] for r in client.post(SEARCH, json={"query": query}).json()["results"]]
    assert found == ids[1:]
    fake.advance(61 * 86400 - 3600)
    late = client.post(SEARCH, json={"query": LEAD_QUERY.replace("campaign.name", "asset.name")})
    assert "results" not in late.json()


def test_only_id_and_submission_time_are_sortable_and_unknown_fields_are_refused(fake, client):
    bad_sort = client.post(
        SEARCH,
        json={
            "query": "SELECT lead_form_submission_data.id FROM lead_form_submission_data "
            "ORDER BY lead_form_submission_data.gclid"
        },
    )
    assert failure(bad_sort)["errorCode"] == {"queryError": "ORDER_BY_FIELD_NOT_SORTABLE"}
    unknown = client.post(
        SEARCH, json={"query": "SELECT lead_form_submission_data.email FROM lead_form_submission_data"}
    )
    assert failure(unknown)["errorCode"] == {"queryError": "UNRECOGNIZED_FIELD"}


def test_developer_token_and_login_customer_id_are_checked(fake, client):
    missing = client.post(SEARCH, json={"query": LEAD_QUERY}, headers={"developer-token": ""})
    assert missing.status_code == 401
    assert failure(missing)["errorCode"] == {"authenticationError": "DEVELOPER_TOKEN_PARAMETER_MISSING"}
    dashed = client.post(SEARCH, json={"query": LEAD_QUERY}, headers={"login-customer-id": "987-654-3210"})
    assert failure(dashed)["errorCode"] == {"headerError": "INVALID_LOGIN_CUSTOMER_ID"}
    del client.headers["login-customer-id"]
    direct = client.post(SEARCH, json={"query": LEAD_QUERY})
    assert direct.status_code == 403 and failure(direct)["errorCode"] == {
        "authorizationError": "USER_PERMISSION_DENIED"
    }


def test_quota_errors_carry_their_retry_delay_and_a_query_counts_once(fake, client):
    seed(fake, 3)
    fake.throttle_next(1, retry_delay="7s")
    throttled = client.post(SEARCH, json={"query": LEAD_QUERY})
    assert throttled.status_code == 429 and throttled.json()["error"]["status"] == "RESOURCE_EXHAUSTED"
    detail = failure(throttled)
    assert detail["errorCode"] == {"quotaError": "RESOURCE_TEMPORARILY_EXHAUSTED"}
    assert detail["details"]["quotaErrorDetails"]["retryDelay"] == "7s"
    first = client.post(SEARCH, json={"query": LEAD_QUERY}).json()
    client.post(SEARCH, json={"query": LEAD_QUERY, "pageToken": first["nextPageToken"]})
    assert fake.operations_today() == 1


def test_a_daily_operations_limit_answers_resource_exhausted_until_pacific_midnight():
    fake = FakeGoogleAds(daily_operations=1, start_at=START, frozen_clock=True)
    fake.add_customer(CUSTOMER)
    with httpx.Client(transport=fake.transport()) as client:
        access = token(client).json()["access_token"]
        headers = {"Authorization": f"Bearer {access}", "developer-token": "dev-token-secret"}
        url = f"https://googleads.googleapis.com{SEARCH}"
        assert client.post(url, json={"query": LEAD_QUERY}, headers=headers).status_code == 200
        exhausted = client.post(url, json={"query": LEAD_QUERY}, headers=headers)
        assert failure(exhausted)["errorCode"] == {"quotaError": "RESOURCE_EXHAUSTED"}
        delay = float(failure(exhausted)["details"]["quotaErrorDetails"]["retryDelay"].rstrip("s"))
        assert 0 < delay <= 86400


def test_access_tokens_expire_and_a_testing_refresh_token_dies_after_seven_days():
    fake = FakeGoogleAds(refresh_token_ttl=7 * 86400, start_at=START, frozen_clock=True)
    fake.add_customer(CUSTOMER)
    with httpx.Client(transport=fake.transport()) as client:
        issued = token(client).json()
        assert issued["expires_in"] == 3599 and issued["scope"] == "https://www.googleapis.com/auth/adwords"
        headers = {"Authorization": f"Bearer {issued['access_token']}", "developer-token": "dev-token-secret"}
        fake.advance(3600)
        expired = client.post(f"https://g{SEARCH}", json={"query": LEAD_QUERY}, headers=headers)
        assert failure(expired)["errorCode"] == {"authenticationError": "OAUTH_TOKEN_EXPIRED"}
        fake.advance(7 * 86400)
        assert token(client).json() == {
            "error": "invalid_grant",
            "error_description": "Token has been expired or revoked.",
        }


def test_campaign_metrics_add_their_ads_and_campaign_only_spend_in_micros(fake, client):
    campaign = fake.add_campaign(CUSTOMER, "Brand")
    ad = fake.add_ad(CUSTOMER, fake.add_ad_group(CUSTOMER, campaign))
    fake.set_spend(CUSTOMER, "2026-09-19", ad, 1_500_000, 10, 1)
    fake.set_campaign_spend(CUSTOMER, "2026-09-19", campaign, 500_000, 5, 0)
    query = (
        "SELECT campaign.id, segments.date, metrics.cost_micros, metrics.impressions FROM campaign "
        "WHERE segments.date BETWEEN '2026-09-01' AND '2026-09-30'"
    )
    (row,) = client.post(SEARCH, json={"query": query}).json()["results"]
    assert row["metrics"] == {"costMicros": "2000000", "impressions": "15"} and row["segments"]["date"] == "2026-09-19"
    assert row["campaign"] == {"resourceName": f"customers/{CUSTOMER}/campaigns/{campaign}", "id": campaign}


def test_search_stream_answers_one_array_of_batches(fake, client):
    seed(fake, 3)
    batches = client.post(f"/v26/customers/{CUSTOMER}/googleAds:searchStream", json={"query": LEAD_QUERY}).json()
    assert isinstance(batches, list) and sum(len(b["results"]) for b in batches) == 3


def test_the_fake_serves_over_loopback():
    with LoopbackServer("tests.fakes.google_ads:FakeGoogleAds") as server:
        server.call("add_customer", CUSTOMER)
        with httpx.Client(base_url=server.url) as client:
            access = client.post(
                "/token",
                data={
                    "grant_type": "refresh_token",
                    "refresh_token": "1//0g-refresh",
                    "client_id": "fake-client.apps.googleusercontent.com",
                    "client_secret": "gcs-secret",
                },
            ).json()["access_token"]
            headers = {"Authorization": f"Bearer {access}", "developer-token": "dev-token-secret"}
            answer = client.post(SEARCH, json={"query": "SELECT customer.id FROM customer"}, headers=headers)
        assert answer.json()["results"][0]["customer"]["id"] == CUSTOMER
