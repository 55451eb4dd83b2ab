"""The Meta fake rejects what the Graph API rejects and reproduces its documented quirks (connectors.md §8)."""

from __future__ import annotations

import json
from collections.abc import Iterator

import httpx
import pytest

from tests.fakes.loopback import LoopbackServer
from tests.fakes.meta import FakeMeta

TOKEN = "EAAGfake-system-user-token"
V = "/v26.0"
AD = {
    "ad_id": "2385",
    "ad_name": "Ad",
    "adset_id": "2384",
    "adset_name": "Set",
    "campaign_id": "2383",
    "campaign_name": "Camp",
}
START = 1_790_000_000


@pytest.fixture
def fake() -> FakeMeta:
    return FakeMeta(start_at=START + 86400, frozen_clock=True)


@pytest.fixture
def client(fake: FakeMeta) -> Iterator[httpx.Client]:
    headers = {"Authorization": f"Bearer {TOKEN}"}
    with httpx.Client(transport=fake.transport(), base_url="https://graph.facebook.com", headers=headers) as c:
        yield c


def seeded(fake: FakeMeta, n: int = 5) -> str:
    form = fake.add_form("111", "Form")
    for i in range(n):
        fake.add_lead(form, {"email": f"p{i}@corp.example", "full_name": "Ann Lee"}, START + i, AD if i % 2 else None)
    return form


def time_filter(operator: str, value: object) -> str:
    return json.dumps([{"field": "time_created", "operator": operator, "value": value}])


def error(response: httpx.Response) -> dict:
    body = response.json()["error"]
    assert {"message", "type", "code", "fbtrace_id"} <= set(body)
    return body


def test_leads_page_newest_first_with_cursors_and_next_until_the_last_page(fake: FakeMeta, client: httpx.Client):
    form = seeded(fake, 5)
    first = client.get(f"{V}/{form}/leads", params={"fields": "id,created_time", "limit": 2}).json()
    assert [lead["created_time"] for lead in first["data"]] == ["2026-09-21T14:13:24+0000", "2026-09-21T14:13:23+0000"]
    assert set(first["paging"]) == {"cursors", "next"}
    seen = [lead["id"] for lead in first["data"]]
    page = first
    while "next" in page["paging"]:
        page = client.get(
            f"{V}/{form}/leads", params={"fields": "id", "limit": 2, "after": page["paging"]["cursors"]["after"]}
        ).json()
        seen += [lead["id"] for lead in page["data"]]
    assert "cursors" in page["paging"] and len(seen) == len(set(seen)) == 5


def test_a_lead_created_between_two_pages_does_not_shift_the_next_page(fake: FakeMeta, client: httpx.Client):
    form = seeded(fake, 4)
    first = client.get(f"{V}/{form}/leads", params={"fields": "id", "limit": 2}).json()
    fake.add_lead(form, {"email": "late@corp.example"}, START + 100)
    after = first["paging"]["cursors"]["after"]
    second = client.get(f"{V}/{form}/leads", params={"fields": "id", "limit": 2, "after": after}).json()
    assert len({lead["id"] for lead in first["data"] + second["data"]}) == 4


def test_time_filter_applies_in_unix_seconds_and_an_iso_value_is_silently_ignored(fake: FakeMeta, client):
    form = seeded(fake, 5)
    seconds = client.get(f"{V}/{form}/leads", params={"filtering": time_filter("GREATER_THAN", START + 2)}).json()
    assert len(seconds["data"]) == 2
    digits = client.get(f"{V}/{form}/leads", params={"filtering": time_filter("LESS_THAN", str(START + 2))}).json()
    assert len(digits["data"]) == 2
    iso = client.get(f"{V}/{form}/leads", params={"filtering": time_filter("GREATER_THAN", "2026-09-21T14:13:22")})
    assert iso.status_code == 200 and len(iso.json()["data"]) == 5  # no error, no filter


def test_a_bad_filter_or_field_is_error_100(fake: FakeMeta, client: httpx.Client):
    form = seeded(fake, 1)
    bad_operator = client.get(f"{V}/{form}/leads", params={"filtering": time_filter("BETWEEN", START)})
    assert bad_operator.status_code == 400 and error(bad_operator)["code"] == 100
    bad_field = client.get(f"{V}/{form}/leads", params={"fields": "id,emial"})
    assert error(bad_field)["code"] == 100 and "nonexisting field (emial)" in error(bad_field)["message"]


def test_organic_leads_have_no_ad_keys_and_answers_are_lists_of_strings(fake: FakeMeta, client: httpx.Client):
    form = seeded(fake, 2)
    fields = "id,created_time,field_data,ad_id,adset_id,campaign_id,is_organic,platform,form_id"
    leads = client.get(f"{V}/{form}/leads", params={"fields": fields}).json()["data"]
    paid, organic = leads  # newest first: lead 1 came from an ad, lead 0 did not
    assert paid["ad_id"] == "2385" and paid["is_organic"] is False
    assert organic["is_organic"] is True and not {"ad_id", "adset_id", "campaign_id"} & set(organic)
    assert organic["field_data"][0] == {"name": "email", "values": ["p0@corp.example"]}


@pytest.mark.parametrize("code", [4, 17, 32, 613, 80004])
def test_throttling_codes_come_as_http_400_envelopes_with_a_trace_id(fake: FakeMeta, client: httpx.Client, code):
    form = seeded(fake, 1)
    fake.throttle_next(1, code=code, regain_minutes=3)
    throttled = client.get(f"{V}/{form}/leads")
    assert throttled.status_code == 400 and error(throttled)["code"] == code
    assert "Retry-After" not in throttled.headers
    usage = json.loads(throttled.headers["X-Business-Use-Case-Usage"])
    assert usage[fake.business_id][0]["estimated_time_to_regain_access"] == 3
    assert client.get(f"{V}/{form}/leads").status_code == 200


def test_usage_headers_climb_to_100_then_calls_are_refused_until_the_hour_has_passed():
    fake = FakeMeta(hourly_capacity=4, start_at=START, frozen_clock=True)
    form = fake.add_form("111")
    with httpx.Client(transport=fake.transport(), headers={"Authorization": f"Bearer {TOKEN}"}) as client:
        shares = [
            json.loads(client.get(f"https://g{V}/{form}/leads").headers["X-App-Usage"])["call_count"] for _ in range(4)
        ]
        assert shares == [25, 50, 75, 100]
        refused = client.get(f"https://g{V}/{form}/leads")
        assert error(refused)["code"] == 80004
        regain = json.loads(refused.headers["X-Business-Use-Case-Usage"])[fake.business_id][0]
        assert regain["estimated_time_to_regain_access"] >= 1
        fake.advance(3600)
        assert client.get(f"https://g{V}/{form}/leads").status_code == 200


def test_tokens_missing_unknown_or_expired_and_what_debug_token_says():
    fake = FakeMeta(token_lifetime=86400, data_access_lifetime=90 * 86400, start_at=START, frozen_clock=True)
    with httpx.Client(transport=fake.transport(), base_url="https://graph.facebook.com") as client:
        assert error(client.get(f"{V}/debug_token"))["code"] == 104
        unknown = client.get(f"{V}/debug_token", headers={"Authorization": "Bearer nope"})
        assert error(unknown)["code"] == 190
        auth = {"Authorization": f"Bearer {TOKEN}"}
        info = client.get(f"{V}/debug_token", params={"input_token": TOKEN}, headers=auth).json()["data"]
        assert info["is_valid"] and info["expires_at"] == START + 86400 and "leads_retrieval" in info["scopes"]
        assert info["data_access_expires_at"] == START + 90 * 86400
        fake.advance(86400)
        expired = client.get(f"{V}/debug_token", params={"input_token": TOKEN}, headers=auth)
        assert (error(expired)["code"], error(expired)["error_subcode"]) == (190, 463)


def test_a_system_user_token_never_expires_and_a_revoked_input_token_is_reported_in_data(fake: FakeMeta, client):
    other = fake.add_token("EAAGother")
    fake.revoke_token(other)
    own = client.get(f"{V}/debug_token", params={"input_token": TOKEN}).json()["data"]
    assert own["expires_at"] == 0 and own["type"] == "SYSTEM_USER"
    revoked = client.get(f"{V}/debug_token", params={"input_token": other})
    assert revoked.status_code == 200 and revoked.json()["data"]["is_valid"] is False


def test_versions_objects_and_permissions(fake: FakeMeta, client: httpx.Client):
    assert error(client.get("/v19.0/debug_token"))["code"] == 2635
    missing = client.get(f"{V}/999/leadgen_forms")
    assert (error(missing)["code"], error(missing)["error_subcode"]) == (100, 33)
    fake.add_ad_account("5")
    fake.add_token("EAAGnoads", scopes=["leads_retrieval"])
    params = {"level": "ad", "time_increment": 1, "time_range": '{"since":"2026-09-01","until":"2026-09-02"}'}
    denied = client.get(f"{V}/act_5/insights", params=params, headers={"Authorization": "Bearer EAAGnoads"})
    assert error(denied)["code"] == 200
    with pytest.raises(AssertionError, match="outside the contract"):
        client.get(f"{V}/{seeded(fake, 1)}/leads", params={"sort": "created_time"})


def test_forms_and_insights_page_with_cursors(fake: FakeMeta, client: httpx.Client):
    for i in range(3):
        fake.add_form("111", f"Form {i}")
    forms = client.get(f"{V}/111/leadgen_forms", params={"fields": "id,name,status", "limit": 2}).json()
    assert len(forms["data"]) == 2 and "next" in forms["paging"]
    fake.add_ad_account("5", "EUR")
    for day in ("2026-09-01", "2026-09-02"):
        fake.set_spend("5", day, AD, 12.5, 100, 3)
    fake.set_spend("5", "2026-09-02", AD, 13.0, 110, 4)  # Meta corrects a day
    params = {
        "level": "ad",
        "time_increment": 1,
        "fields": "spend,account_currency,date_start,ad_id,campaign_id",
        "time_range": '{"since":"2026-09-01","until":"2026-09-02"}',
        "limit": 1,
    }
    first = client.get(f"{V}/act_5/insights", params=params).json()
    second = client.get(f"{V}/act_5/insights", params={**params, "after": first["paging"]["cursors"]["after"]}).json()
    assert first["data"][0] == {
        "spend": "12.50",
        "account_currency": "EUR",
        "date_start": "2026-09-01",
        "ad_id": "2385",
        "campaign_id": "2383",
    }
    assert second["data"][0]["spend"] == "13.00" and "next" not in second["paging"]


def test_faults_are_injected_and_every_request_is_logged(fake: FakeMeta, client: httpx.Client):
    fake.fail_next(1, 503)
    assert error(client.get(f"{V}/debug_token"))["code"] == 2
    assert client.get(f"{V}/debug_token").status_code == 200
    assert fake.count(path_prefix=f"{V}/debug_token") == 2 and fake.count(status=503) == 1


def test_the_fake_serves_over_loopback_and_is_seeded_through_calls():
    with LoopbackServer("tests.fakes.meta:FakeMeta") as server:
        form = server.call("add_form", "111", "Form")
        server.call("add_leads", form, [{"answers": {"email": "a@corp.example"}}])
        with httpx.Client(base_url=server.url, headers={"Authorization": f"Bearer {TOKEN}"}) as client:
            leads = client.get(f"{V}/{form}/leads", params={"fields": "id,field_data"}).json()["data"]
        assert leads[0]["field_data"] == [{"name": "email", "values": ["a@corp.example"]}]
        assert server.call("count") == 1
