"""The Meta Lead Ads source against the strict fake: complete, windowed in Unix seconds, polite, with spend."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qsl, urlencode

import httpx
import pytest

from connectors.mapping import to_fields
from connectors.meta.usage import MetaUsageGuard
from leads.config import load_config
from tests.connectors.ads.support import AD_ACCOUNT, META_TOKEN, PAGE, meta_source, set_ad_credentials, spend_rows
from tests.connectors.crm.support import landed, run_extract, write_crm_config
from tests.fakes.meta import FakeMeta

pytestmark = pytest.mark.postgres
LEADS = "/v26.0/"
AD = {
    "ad_id": "2385",
    "ad_name": "Spring ad",
    "adset_id": "2384",
    "adset_name": "Spring set",
    "campaign_id": "2383",
    "campaign_name": "Spring",
}


@pytest.fixture
def fake() -> FakeMeta:
    fake = FakeMeta()
    fake.add_page(PAGE)
    fake.add_ad_account(AD_ACCOUNT, "EUR")
    return fake


@pytest.fixture
def config(tmp_path, database_url, monkeypatch):
    set_ad_credentials(monkeypatch)

    def make(**settings):
        return write_crm_config(tmp_path, database_url, {"meta": meta_source(**settings)}, chunk_size=100)

    return make


def people(fake: FakeMeta, form: str, n: int, start: float, ad: dict | None = AD) -> list[str]:
    leads = [
        {
            "answers": {"email": f"p{i}@corp.example", "full_name": "Ann Lee", "what_is_your_role?": "CTO"},
            "created_time": start + i,
            "ad": ad if i % 4 else None,
        }
        for i in range(n)
    ]
    return fake.add_leads(form, leads)


def extract(fake: FakeMeta, cfg, run_id: str, transport: httpx.BaseTransport | None = None) -> dict:
    return run_extract(cfg, run_id, {"meta": transport or fake.transport()}, "meta", fake.now)


def test_every_form_of_every_page_is_read_with_its_attribution_and_a_rerun_reads_nothing(fake, config, database_url):
    forms = [fake.add_form(PAGE, "Spring"), fake.add_form(PAGE, "Webinar")]
    fake.add_form("55555", "Another page's form")  # not configured: never read
    ids = people(fake, forms[0], 230, fake.now() - 86400) + people(fake, forms[1], 20, fake.now() - 7200)
    cfg = config(mapping={"job_title": "what_is_your_role?"})
    first = extract(fake, cfg, "r1")
    assert (first["status"], first["new"], first["quarantined"]) == ("ok", 250, 0)
    stored = landed(database_url, "meta")
    assert set(stored) == set(ids)
    paid, organic = stored[ids[1]]["payload"], stored[ids[0]]["payload"]
    assert (paid["campaign_id"], paid["adset_name"], paid["ad_id"], paid["is_organic"]) == (
        "2383",
        "Spring set",
        "2385",
        False,
    )
    assert organic["is_organic"] is True and "ad_id" not in organic and organic["form_name"] == "Spring"
    fields = to_fields(paid, load_config(cfg).sources["meta"])
    assert (fields["email"], fields["job_title"], fields["platform"], fields["source_system"]) == (
        "p1@corp.example",
        "CTO",
        "fb",
        "meta",
    )
    assert fake.count(path_prefix="/v26.0/55555") == 0
    assert fake.count(path_prefix=f"{LEADS}{forms[0]}/leads") == 3  # 230 leads, pages of 100

    second = extract(fake, cfg, "r2")
    assert (second["new"], second["changed"], second["read"]) == (0, 0, 0)


def test_the_window_goes_to_meta_in_unix_seconds(fake, config):
    form = fake.add_form(PAGE)
    people(fake, form, 3, fake.now() - 600)
    extract(fake, config(spend=False, ad_accounts=[]), "r1")
    query = dict(parse_qsl(next(r["query"] for r in fake.requests if r["path"].endswith("/leads"))))
    bounds = {f["operator"]: f["value"] for f in json.loads(query["filtering"])}
    assert set(bounds) == {"GREATER_THAN", "LESS_THAN"} and all(isinstance(v, int) for v in bounds.values())


class IsoFilter(httpx.BaseTransport):
    """What a client sending ISO dates gets: Meta ignores the filter and answers every lead."""

    def __init__(self, fake: FakeMeta) -> None:
        self.fake = fake

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        params = dict(parse_qsl(request.url.query.decode()))
        if "filtering" in params:
            params["filtering"] = '[{"field":"time_created","operator":"GREATER_THAN","value":"2026-01-01T00:00:00"}]'
            request = httpx.Request(
                request.method, request.url.copy_with(query=urlencode(params).encode()), headers=request.headers
            )
        return self.fake(request)


def test_leads_outside_the_window_are_skipped_when_meta_ignores_the_filter(fake, config, database_url):
    form = fake.add_form(PAGE)
    people(fake, form, 5, fake.now() - 86400)
    cfg = config(spend=False, ad_accounts=[])
    extract(fake, cfg, "r1")
    people(fake, form, 2, fake.now() - 60)
    counts = extract(fake, cfg, "r2", IsoFilter(fake))
    assert (counts["new"], counts["skipped_by_cursor"]) == (2, 5)
    assert any("outside the requested window" in n for n in counts["notes"])


def test_a_malformed_lead_is_quarantined_with_its_reason_and_the_rest_lands(fake, config, database_url):
    form = fake.add_form(PAGE)
    people(fake, form, 3, fake.now() - 600)
    fake.add_raw_lead(form, {"created_time": "yesterday-ish", "field_data": []}, fake.now() - 300)
    fake.add_raw_lead(
        form, {"created_time": "2026-01-01T00:00:00+0000", "field_data": {"email": "x"}}, fake.now() - 200
    )
    counts = extract(fake, config(spend=False, ad_accounts=[]), "r1")
    assert (counts["new"], counts["quarantined"], counts["status"]) == (3, 2, "ok")


def test_throttling_codes_are_retried_and_usage_near_the_budget_stops_at_a_checkpoint(config, database_url):
    fake = FakeMeta(hourly_capacity=4)
    form = fake.add_form(PAGE)
    people(fake, form, 250, fake.now() - 600)
    cfg = config(spend=False, ad_accounts=[], max_pause="0s")
    fake.throttle_next(1, code=17)
    first = extract(fake, cfg, "r1")
    # debug_token (throttled once, then retried), forms, two pages: 100% of the hour's budget. The
    # source stops before the third page instead of drawing 80004s, at the second page's checkpoint.
    assert (first["status"], first["new"]) == ("stopped", 200)
    assert fake.count(status=400) == 1 and "hourly budget" in " ".join(first["notes"])
    fake.advance(3600)
    second = extract(fake, cfg, "r2")
    assert (second["status"], second["new"], second["read"]) == ("ok", 50, 50)
    assert len(landed(database_url, "meta")) == 250


def test_the_usage_guard_pauses_meta_s_estimate_before_it_stops():
    slept: list[float] = []
    guard = MetaUsageGuard(0.95, max_pause=600, sleep=slept.append)
    busy = httpx.Response(
        200, headers={"X-Business-Use-Case-Usage": '{"1": [{"call_count": 97, "estimated_time_to_regain_access": 3}]}'}
    )
    guard(busy)
    guard.check()
    assert slept == [180.0] and guard.share is None  # the next answer says where usage stands
    guard(busy)
    guard.check()
    guard(busy)
    guard.check()
    guard(busy)
    with pytest.raises(Exception, match="max_pause"):
        guard.check()
    assert sum(slept) == 540


def test_a_token_ending_soon_is_noted_and_a_dead_one_fails_naming_the_key_not_the_token(config):
    fake = FakeMeta(token_type="USER", token_lifetime=3 * 86400, data_access_lifetime=80 * 86400)
    fake.add_page(PAGE)
    fake.add_ad_account(AD_ACCOUNT)
    counts = extract(fake, config(), "r1")
    assert any("expires on" in n and "in 3 days" in n for n in counts["notes"])
    fake.advance(3 * 86400)
    with pytest.raises(Exception) as dead:
        extract(fake, config(), "r2")
    message = str(dead.value)
    assert "sources.meta.auth.access_token" in message and "refused" in message and META_TOKEN not in message


def test_a_token_without_the_permissions_stops_the_source_before_it_reads(config):
    fake = FakeMeta(scopes=["leads_retrieval", "pages_show_list"])
    with pytest.raises(Exception, match="lacks the permission.*ads_read"):
        extract(fake, config(), "r1")
    assert fake.count() == 1


def test_spend_per_ad_and_campaign_and_day_is_re_read_within_the_lookback(fake, config, database_url):
    today = datetime.fromtimestamp(fake.now(), UTC).date()
    days = [(today - timedelta(days=d)).isoformat() for d in (10, 2, 0)]
    other = {**AD, "ad_id": "2386"}
    for day in days:
        fake.set_spend(AD_ACCOUNT, day, AD, 10.0, 100, 4)
        fake.set_spend(AD_ACCOUNT, day, other, 2.5, 20, 1)
    cfg = config()
    first = extract(fake, cfg, "r1")
    rows = spend_rows(database_url, "meta")
    assert first["events"]["spend"] == 9 and len(rows) == 9
    assert rows[("2383", "", days[0])]["amount"] == 12.5 and rows[("2383", "2385", days[1])]["currency"] == "EUR"
    fake.set_spend(AD_ACCOUNT, days[1], AD, 11.0, 110, 4)  # a late correction, inside the 3-day lookback
    fake.set_spend(AD_ACCOUNT, days[0], AD, 99.0, 110, 4)  # outside it: not read again
    fake.reset_log()
    extract(fake, cfg, "r2")
    rows = spend_rows(database_url, "meta")
    assert rows[("2383", "2385", days[1])]["amount"] == 11.0 and rows[("2383", "", days[1])]["amount"] == 13.5
    assert rows[("2383", "2385", days[0])]["amount"] == 10.0
    query = dict(parse_qsl(next(r["query"] for r in fake.requests if r["path"].endswith("/insights"))))
    assert query["time_range"] == f'{{"since":"{(today - timedelta(days=3)).isoformat()}","until":"{today}"}}'
