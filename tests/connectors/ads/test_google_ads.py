"""The Google Ads source against the strict fake: account-local times to UTC, quota delays, the 60-day edge, spend."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import httpx
import pytest

from connectors.google_ads import settings as ga
from connectors.http.errors import ErrorKind, classify, error_for_response
from tests.connectors.ads.support import (
    CUSTOMER,
    GOOGLE_CLIENT_ID,
    GOOGLE_DEVELOPER_TOKEN,
    GOOGLE_REFRESH,
    MANAGER,
    google_source,
    set_ad_credentials,
    spend_rows,
)
from tests.connectors.crm.support import landed, run_extract, write_crm_config
from tests.fakes.google_ads import FakeGoogleAds
from tests.fakes.loopback import LoopbackServer

pytestmark = pytest.mark.postgres
DAY = 86400


def make_fake(**kwargs) -> FakeGoogleAds:
    fake = FakeGoogleAds(client_id=GOOGLE_CLIENT_ID, **kwargs)
    fake.add_customer(MANAGER, "America/New_York")
    fake.add_customer(CUSTOMER, "Asia/Kolkata", "INR", manager_id=MANAGER)
    return fake


@pytest.fixture
def fake() -> FakeGoogleAds:
    return make_fake(rows_per_page=100)


@pytest.fixture
def config(tmp_path, database_url, monkeypatch):
    set_ad_credentials(monkeypatch)

    def make(**settings):
        return write_crm_config(tmp_path, database_url, {"google": google_source(**settings)}, chunk_size=100)

    return make


def extract(fake: FakeGoogleAds, cfg, run_id: str) -> dict:
    return run_extract(cfg, run_id, {"google": fake.transport()}, "google", fake.now)


def seed(fake: FakeGoogleAds, n: int, start: float) -> tuple[list[str], str, str]:
    campaign = fake.add_campaign(CUSTOMER, "Brand search")
    group = fake.add_ad_group(CUSTOMER, campaign, "Exact")
    ad = fake.add_ad(CUSTOMER, group)
    form = fake.add_lead_form(CUSTOMER, "Demo request")
    ids = [
        fake.add_lead(
            CUSTOMER,
            {"FULL_NAME": "Ann Lee", "EMAIL": f"p{i}@corp.example", "WORK_PHONE": "+91 80 4000 0000"},
            start + i,
            {"Team size?": "51-200"},
            ad,
            form,
            gclid=f"Cj0KCQ{i}",
        )
        for i in range(n)
    ]
    return ids, campaign, ad


def test_submissions_land_in_utc_with_their_attribution_and_the_headers_google_wants(fake, config, database_url):
    start = fake.now() - DAY
    ids, campaign, ad = seed(fake, 250, start)
    counts = extract(fake, config(), "r1")
    assert (counts["status"], counts["new"]) == ("ok", 250)
    payload = landed(database_url, "google")[ids[0]]["payload"]
    submitted = datetime.fromisoformat(payload["submitted_at"])
    assert submitted == datetime.fromtimestamp(int(start), UTC)  # the account's +05:30, undone
    assert payload["submission_date_time"].endswith("+05:30")
    assert (payload["campaign_id"], payload["ad_id"], payload["gclid"], payload["form_name"]) == (
        campaign,
        ad,
        "Cj0KCQ0",
        "Demo request",
    )
    assert payload["custom:Team size?"] == "51-200" and payload["email"] == "p0@corp.example"
    searches = [r for r in fake.requests if r["path"].endswith("googleAds:search")]
    assert all(r["status"] == 200 for r in searches)  # developer-token and login-customer-id accepted
    assert fake.count(path_prefix="/token") == 1
    again = extract(fake, config(), "r2")
    assert (again["new"], again["read"]) == (0, 0)


def test_quota_errors_wait_google_s_retry_delay(fake, config):
    seed(fake, 5, fake.now() - 600)
    fake.throttle_next(2, retry_delay="0.05s")
    counts = extract(fake, config(spend=False), "r1")
    assert counts["new"] == 5 and fake.count(status=429) == 2
    response = httpx.Response(
        429,
        json={
            "error": {
                "code": 429,
                "status": "RESOURCE_EXHAUSTED",
                "details": [
                    {
                        "errors": [
                            {
                                "errorCode": {"quotaError": "RESOURCE_TEMPORARILY_EXHAUSTED"},
                                "details": {"quotaErrorDetails": {"retryDelay": "37s"}},
                            }
                        ]
                    }
                ],
            }
        },
        request=httpx.Request("POST", "https://googleads.googleapis.com/v26/customers/1/googleAds:search"),
    )
    error = error_for_response(response, classify(response, ga.ERRORS), ga.ERRORS, now=0)
    assert (error.kind, error.retry_after, error.code) == (ErrorKind.RETRIABLE, 37.0, "RESOURCE_TEMPORARILY_EXHAUSTED")


def test_an_exhausted_daily_quota_stops_the_source_at_its_checkpoint(config, database_url):
    # Noon in California: Google's daily quota resets at Pacific midnight, well past a run's longest wait.
    fake = make_fake(rows_per_page=100, daily_operations=2, start_at="2026-09-20T19:00:00Z")
    seed(fake, 150, fake.now() - 600)
    counts = extract(fake, config(), "r1")
    assert counts["status"] == "stopped" and counts["new"] == 150
    assert "longer wait" in " ".join(counts["notes"])


def test_the_watermark_nearing_the_60_day_window_is_noted_and_a_stall_past_it_says_what_is_lost(fake, config):
    seed(fake, 3, fake.now() - 600)
    cfg = config(spend=False)
    extract(fake, cfg, "r1")
    fake.advance(55 * DAY)
    near = extract(fake, cfg, "r2")
    assert any("55 days old" in n and "60 days" in n for n in near["notes"])
    fake.advance(70 * DAY)
    late = extract(fake, cfg, "r3")
    assert any("can no longer be read" in n for n in late["notes"])


def test_a_dead_refresh_token_fails_clearly_and_names_no_secret(config, monkeypatch):
    fake = make_fake(refresh_token_ttl=7 * DAY)  # the consent screen still in "Testing"
    fake.advance(8 * DAY)
    with pytest.raises(Exception) as refused:
        extract(fake, config(), "r1")
    message = str(refused.value)
    assert "invalid_grant" in message and "refused" in message
    assert GOOGLE_REFRESH not in message and GOOGLE_DEVELOPER_TOKEN not in message


def test_a_wrong_manager_account_is_refused_at_once(fake, config):
    with pytest.raises(Exception, match="USER_PERMISSION_DENIED|permission"):
        extract(fake, config(login_customer_id="111-111-1111"), "r1")
    assert fake.count(path_prefix="/v26") == 1


def test_spend_comes_in_micros_per_campaign_and_ad_and_day_in_the_account_s_days(fake, config, database_url):
    _, campaign, ad = seed(fake, 0, fake.now())
    pmax = fake.add_campaign(CUSTOMER, "Performance Max")
    today = datetime.fromtimestamp(fake.now(), ZoneInfo("Asia/Kolkata")).date()
    days = [(today - timedelta(days=d)).isoformat() for d in (5, 1)]
    for day in days:
        fake.set_spend(CUSTOMER, day, ad, 12_340_000, 100, 7)
        fake.set_campaign_spend(CUSTOMER, day, pmax, 1_000_000, 10, 1)
    extract(fake, config(), "r1")
    rows = spend_rows(database_url, "google_ads")
    assert rows[(campaign, ad, days[0])]["amount"] == 12.34 and rows[(campaign, "", days[0])]["clicks"] == 7
    assert rows[(pmax, "", days[1])]["amount"] == 1.0 and rows[(pmax, "", days[1])]["currency"] == "INR"
    assert len(rows) == 6


def test_the_source_works_over_real_http(tmp_path, database_url, monkeypatch):
    """Streamed answers (the token endpoint's too) and headers, through a socket rather than a MockTransport."""
    set_ad_credentials(monkeypatch)
    with LoopbackServer("tests.fakes.google_ads:FakeGoogleAds", client_id=GOOGLE_CLIENT_ID) as server:
        server.call("add_customer", MANAGER)
        server.call("add_customer", CUSTOMER, "Asia/Kolkata", "INR", "Account", MANAGER)
        server.call("add_leads", CUSTOMER, [{"fields": {"EMAIL": f"p{i}@corp.example"}} for i in range(3)])
        source = google_source(base_url=server.url, token_url=f"{server.url}/token")
        cfg = write_crm_config(tmp_path, database_url, {"google": source})
        counts = run_extract(cfg, "r1", {}, "google")
    assert (counts["status"], counts["new"]) == ("ok", 3)
