"""The Salesforce fake rejects what the real API rejects and reproduces its documented quirks."""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.fakes.loopback import LoopbackServer
from tests.fakes.salesforce import FakeSalesforce
from tests.fakes.salesforce.schema import INTEGRATION_USER_ID

START = "2026-05-10T12:00:00Z"
AUTH = {"Authorization": "Bearer 00Dfake!session"}
V = "/services/data/v62.0"


@pytest.fixture
def fake() -> FakeSalesforce:
    return FakeSalesforce(start_at=START, frozen_clock=True)


@pytest.fixture
def client(fake: FakeSalesforce) -> Iterator[httpx.Client]:
    with httpx.Client(transport=httpx.MockTransport(fake), base_url=fake.instance_url, headers=AUTH) as c:
        yield c


def make_client(fake: FakeSalesforce) -> httpx.Client:
    return httpx.Client(transport=httpx.MockTransport(fake), base_url=fake.instance_url, headers=AUTH)


def query(client: httpx.Client, soql: str, resource: str = "query", **kwargs: Any) -> httpx.Response:
    return client.get(f"{V}/{resource}", params={"q": soql}, **kwargs)


def records(client: httpx.Client, soql: str, resource: str = "query") -> list[dict[str, Any]]:
    response = query(client, soql, resource)
    assert response.status_code == 200, response.text
    body = response.json()
    out = body["records"]
    while not body["done"]:
        body = client.get(body["nextRecordsUrl"]).json()
        out += body["records"]
    return out


def error_code(response: httpx.Response) -> str:
    body = response.json()
    assert isinstance(body, list) and set(body[0]) >= {"message", "errorCode"}, body
    return body[0]["errorCode"]


def seed_leads(fake: FakeSalesforce, n: int, **fields: Any) -> list[str]:
    return fake.add_records("Lead", [{"LastName": f"Last{i}", "Company": f"Co{i}", "Email": f"p{i}@example.com",
                                      **fields} for i in range(n)])


def refresh(client: httpx.Client, token: str = "5Aep861fake.refresh.token", login: str = "https://login.salesforce.com",
            **overrides: str) -> httpx.Response:
    form = {"grant_type": "refresh_token", "client_id": "fake-client-id", "client_secret": "fake-client-secret",
            "refresh_token": token, **overrides}
    return client.post(f"{login}/services/oauth2/token", data=form)


# auth, versions, limits, faults


def test_refresh_token_flow_answers_a_session_without_expires_in(fake: FakeSalesforce, client: httpx.Client) -> None:
    response = refresh(client)
    body = response.json()
    assert response.status_code == 200
    assert set(body) == {"access_token", "instance_url", "id", "token_type", "issued_at", "signature", "scope"}
    assert body["token_type"] == "Bearer" and body["instance_url"] == fake.instance_url
    expected = hmac.new(b"fake-client-secret", (body["id"] + body["issued_at"]).encode(), hashlib.sha256).digest()
    assert base64.b64decode(body["signature"]) == expected
    fresh = query(client, "SELECT Id FROM Lead", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert fresh.status_code == 200


def test_oauth_errors(client: httpx.Client) -> None:
    assert refresh(client, client_id="nope").json()["error"] == "invalid_client_id"
    assert refresh(client, client_secret="nope").json()["error"] == "invalid_client"
    assert refresh(client, token="nope").json() == {"error": "invalid_grant",
                                                   "error_description": "expired access/refresh token"}
    assert refresh(client, grant_type="nonsense").json()["error"] == "unsupported_grant_type"


def test_rotated_refresh_token_invalidates_the_old_one() -> None:
    fake = FakeSalesforce(rotate_refresh_token=True)
    with make_client(fake) as client:
        first = refresh(client).json()
        assert first["refresh_token"] != "5Aep861fake.refresh.token"
        assert refresh(client).status_code == 400
        assert refresh(client, token=first["refresh_token"]).status_code == 200
        assert fake.token_refreshes() == 2


def test_session_times_out_in_fake_time(fake: FakeSalesforce, client: httpx.Client) -> None:
    assert query(client, "SELECT Id FROM Lead").status_code == 200
    fake.advance(7200)
    expired = query(client, "SELECT Id FROM Lead")
    assert expired.status_code == 401
    assert expired.json() == [{"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"}]
    token = refresh(client).json()["access_token"]
    assert query(client, "SELECT Id FROM Lead", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    fake.expire_session()
    assert query(client, "SELECT Id FROM Lead", headers={"Authorization": f"Bearer {token}"}).status_code == 401


def test_missing_or_wrong_token_is_401(fake: FakeSalesforce) -> None:
    with httpx.Client(transport=httpx.MockTransport(fake), base_url=fake.instance_url) as bare:
        assert bare.get(f"{V}/limits").status_code == 401
        assert bare.get(f"{V}/limits", headers={"Authorization": "Bearer other"}).status_code == 401


def test_unknown_api_version_is_404(client: httpx.Client) -> None:
    response = client.get("/services/data/v61.0/query", params={"q": "SELECT Id FROM Lead"})
    assert response.status_code == 404
    assert response.json() == [{"message": "The requested resource does not exist", "errorCode": "NOT_FOUND"}]


def test_every_response_carries_api_usage_and_the_limit_is_a_403_without_retry_after() -> None:
    fake = FakeSalesforce(daily_limit=3, used_at_start=1, start_at=START, frozen_clock=True)
    with make_client(fake) as client:
        assert query(client, "SELECT Id FROM Lead").headers["Sforce-Limit-Info"] == "api-usage=2/3"
        assert query(client, "SELECT Id FROM Lead").headers["Sforce-Limit-Info"] == "api-usage=3/3"
        refused = query(client, "SELECT Id FROM Lead")
        assert refused.status_code == 403 and "Retry-After" not in refused.headers
        assert refused.json() == [{"message": "TotalRequests Limit exceeded.", "errorCode": "REQUEST_LIMIT_EXCEEDED"}]
        assert fake.api_usage() == {"used": 3, "limit": 3}
        fake.advance(86_400)  # the rolling 24 h window empties (and the session has expired)
        client.headers["Authorization"] = f"Bearer {refresh(client).json()['access_token']}"
        assert query(client, "SELECT Id FROM Lead").headers["Sforce-Limit-Info"] == "api-usage=1/3"
        limits = client.get(f"{V}/limits").json()
        assert limits["DailyApiRequests"] == {"Max": 3, "Remaining": 1}


def test_injected_faults_have_salesforce_bodies_and_respect_path_prefix(fake: FakeSalesforce,
                                                                         client: httpx.Client) -> None:
    fake.fail_next(1, 503)
    fake.fail_next(1, 500, path_prefix=f"{V}/jobs")
    unavailable = query(client, "SELECT Id FROM Lead")
    assert unavailable.status_code == 503 and error_code(unavailable) == "SERVER_UNAVAILABLE"
    assert query(client, "SELECT Id FROM Lead").status_code == 200  # the 500 waits for a jobs path
    broken = client.post(f"{V}/jobs/query", json={"operation": "query", "query": "SELECT Id FROM Lead"})
    assert broken.status_code == 500 and error_code(broken) == "UNKNOWN_EXCEPTION"
    fake.fail_next(1, 400, path_prefix="/services/oauth2")
    assert refresh(client).json()["error"] == "invalid_grant"
    assert fake.count(status=503) == 1 and fake.count(method="GET", path_prefix=f"{V}/query") == 2


def test_random_faults_are_deterministic_per_seed(fake: FakeSalesforce, client: httpx.Client) -> None:
    def run() -> list[int]:
        fake.fail_randomly(0.5, seed=7)
        return [query(client, "SELECT Id FROM Lead").status_code for _ in range(20)]

    first, second = run(), run()
    assert first == second and {500, 503, 200} >= set(first) and 200 in first and len(set(first)) > 1
    fake.reset_faults()
    assert all(query(client, "SELECT Id FROM Lead").status_code == 200 for _ in range(5))


def test_uri_and_headers_over_16k_is_414(client: httpx.Client) -> None:
    soql = "SELECT Id FROM Lead WHERE Email IN (" + ",".join(f"'p{i}@example.com'" for i in range(1200)) + ")"
    assert query(client, soql).status_code == 414


def test_requests_outside_the_contract_raise(client: httpx.Client) -> None:
    with pytest.raises(AssertionError, match="outside the contract"):
        client.get(f"{V}/sobjects/Lead/00Q5g0000000001EAA")
    with pytest.raises(AssertionError, match="outside the contract"):
        client.post(f"{V}/query", params={"q": "SELECT Id FROM Lead"})
    with pytest.raises(AssertionError, match="outside the contract"):
        client.get("/services/apexrest/whatever")


# SOQL over REST


def test_records_have_attributes_and_salesforce_value_formats(fake: FakeSalesforce, client: httpx.Client) -> None:
    lead = fake.add_record("Lead", {"FirstName": "Ada", "LastName": "Lovelace", "Company": "AE",
                                    "NumberOfEmployees": 12,
                                    "AnnualRevenue": 1000, "CreatedDate": "2026-05-03T16:50:06Z"})
    [row] = records(client, "SELECT Id, Name, Email, IsConverted, NumberOfEmployees, AnnualRevenue, CreatedDate, "
                            "SystemModstamp FROM Lead")
    assert row == {
        "attributes": {"type": "Lead", "url": f"{V}/sobjects/Lead/{lead}"}, "Id": lead, "Name": "Ada Lovelace",
        "Email": None, "IsConverted": False, "NumberOfEmployees": 12, "AnnualRevenue": 1000.0,
        "CreatedDate": "2026-05-03T16:50:06.000+0000", "SystemModstamp": "2026-05-03T16:50:06.000+0000",
    }
    assert len(lead) == 18 and lead.startswith("00Q")


def test_parent_relationships_nest_or_are_null(fake: FakeSalesforce, client: httpx.Client) -> None:
    account = fake.add_record("Account", {"Name": "Acme"})
    fake.add_records("Contact", [{"LastName": "A", "AccountId": account}, {"LastName": "B"}])
    rows = records(client, "SELECT Id, Account.Name, Owner.Name FROM Contact ORDER BY LastName")
    assert rows[0]["Account"] == {"attributes": {"type": "Account", "url": f"{V}/sobjects/Account/{account}"},
                                  "Name": "Acme"}
    assert rows[0]["Owner"]["Name"] == "Integration User"
    assert rows[1]["Account"] is None
    role = fake.add_record("UserRole", {"Name": "SDR"})
    fake.add_record("User", {"LastName": "Rep", "Email": "rep@example.com", "UserRoleId": role})
    users = records(client, "SELECT Name, UserRole.Name FROM User WHERE UserRole.Name = 'sdr'")
    assert [(u["Name"], u["UserRole"]["Name"]) for u in users] == [("Rep", "SDR")]
    lead = fake.add_record("Lead", {"LastName": "Who", "Company": "X"})
    fake.add_record("Task", {"WhoId": lead, "Subject": "Call", "TaskSubtype": "Call"})
    [task] = records(client, "SELECT Who.Name, TaskSubtype FROM Task")
    assert task["Who"]["attributes"]["type"] == "Name" and task["Who"]["Name"] == "Who"


@pytest.mark.parametrize(("soql", "code", "text"), [
    ("SELECT Id, Foo FROM Lead", "INVALID_FIELD", "No such column 'Foo' on entity 'Lead'"),
    ("SELECT Id, Nope.Name FROM Contact", "INVALID_FIELD", "Didn't understand relationship 'Nope'"),
    ("SELECT Id FROM Leed", "INVALID_TYPE", "sObject type 'Leed' is not supported"),
    ("SELECT Id, Id FROM Lead", "INVALID_FIELD", "duplicate field selected: Id"),
    ("SELECT Id FROM Lead WHERE SystemModstamp >= '2026-05-01T00:00:00Z'", "INVALID_FIELD",
     "must be of type dateTime and should not be enclosed in quotes"),
    ("SELECT Id FROM Lead WHERE SystemModstamp >= 2026-05-01", "INVALID_FIELD", "must be of type dateTime"),
    ("SELECT Id FROM Lead WHERE Company = 5", "INVALID_FIELD", "must be of type string and should be enclosed"),
    ("SELECT Id FROM Lead WHERE IsConverted = 'false'", "INVALID_FIELD", "must be of type boolean"),
    ("SELECT Id FROM Lead WHERE Id = 'abc'", "INVALID_QUERY_FILTER_OPERATOR", "invalid ID field: abc"),
    ("SELECT Id FROM LeadHistory WHERE NewValue = 'x'", "INVALID_FIELD", "can not be filtered"),
    ("SELECT Id FROM LeadHistory WHERE SystemModstamp > 2026-05-01T00:00:00Z", "INVALID_FIELD",
     "No such column 'SystemModstamp' on entity 'LeadHistory'"),
    ("SELECT Id FROM Lead WHERE", "MALFORMED_QUERY", "unexpected token: <EOF>"),
    ("SELECT Id FROM Lead WHERE Email = \"a@b.c\"", "MALFORMED_QUERY", "unexpected token"),
    ("SELECT Id FROM Lead WHERE Status = Open", "MALFORMED_QUERY", "unexpected token: Open"),
    ("SELECT Id FROM Lead WHERE IsConverted = false AND Email = null OR Phone = null", "MALFORMED_QUERY",
     "unexpected token: OR"),
    ("SELECT Id FROM Lead WHERE Email NOT LIKE 'a%'", "MALFORMED_QUERY", "unexpected token"),
    ("SELECT Id FROM Lead WHERE Email = 'it\\'s", "MALFORMED_QUERY", "<EOF>"),
    ("SELECT Id FROM Lead LIMIT x", "MALFORMED_QUERY", "unexpected token: x"),
])
def test_soql_errors(client: httpx.Client, soql: str, code: str, text: str) -> None:
    response = query(client, soql)
    assert response.status_code == 400 and error_code(response) == code
    assert text in response.json()[0]["message"] and "ERROR at Row:1:Column:" in response.json()[0]["message"]


@pytest.mark.parametrize("soql", [
    "SELECT Id FROM Lead GROUP BY Status",
    "SELECT Id FROM Lead LIMIT 5 OFFSET 10",
    "SELECT COUNT(Id) FROM Lead",
    "SELECT Id FROM Lead WHERE CreatedDate = LAST_N_DAYS:3",
    "SELECT Id FROM Lead WHERE Id IN (SELECT LeadId FROM LeadHistory)",
    "SELECT Id, (SELECT Id FROM Tasks) FROM Lead",
])
def test_valid_soql_beyond_the_fakes_subset_raises(client: httpx.Client, soql: str) -> None:
    with pytest.raises(AssertionError, match="outside the fake's subset"):
        query(client, soql)


def test_where_semantics(fake: FakeSalesforce, client: httpx.Client) -> None:
    fake.add_records("Lead", [
        {"LastName": "a", "Company": "X", "Email": "Ada@Example.com", "Status": "Working - Contacted", "Rating": "Hot"},
        {"LastName": "b", "Company": "Y", "Email": "bob@example.com", "Rating": "Cold"},
        {"LastName": "c", "Company": "it's", "NumberOfEmployees": 50},
    ])

    def names(where: str) -> list[str]:
        return [r["LastName"] for r in records(client, f"SELECT LastName FROM Lead WHERE {where} ORDER BY LastName")]

    assert names("Email = 'ada@example.COM'") == ["a"]  # text compares case-insensitively
    assert names("Email != 'ada@example.com'") == ["b", "c"]  # != matches nulls
    assert names("Rating NOT IN ('Hot')") == ["b", "c"]
    assert names("Rating IN ('hot', null)") == ["a", "c"]
    assert names("Email LIKE '%EXAMPLE.com'") == ["a", "b"]
    assert names("Company = 'it\\'s'") == ["c"]
    assert names("NumberOfEmployees > 10") == ["c"]  # a null never compares
    assert names("NOT (Rating = 'Hot' OR Rating = 'Cold')") == ["c"]
    assert names("(Rating = 'Hot' OR Rating = 'Cold') AND Company = 'Y'") == ["b"]
    assert names("Status = 'Open - Not Contacted' AND IsConverted = false") == ["b", "c"]  # the default Status
    count = query(client, "SELECT COUNT() FROM Lead WHERE Email != null").json()
    assert count == {"totalSize": 2, "done": True, "records": []}


def test_order_by_nulls_and_limit(fake: FakeSalesforce, client: httpx.Client) -> None:
    fake.add_records("Lead", [{"LastName": n, "Company": "X", "NumberOfEmployees": e}
                              for n, e in [("a", 5), ("b", None), ("c", 1)]])

    def order(clause: str) -> list[str]:
        return [r["LastName"] for r in records(client, f"SELECT LastName FROM Lead ORDER BY {clause}")]

    assert order("NumberOfEmployees") == ["b", "c", "a"]  # ASC puts nulls first
    assert order("NumberOfEmployees DESC") == ["a", "c", "b"]  # DESC puts them last
    assert order("NumberOfEmployees ASC NULLS LAST") == ["c", "a", "b"]
    assert order("NumberOfEmployees DESC NULLS FIRST, LastName") == ["b", "a", "c"]
    assert [r["LastName"] for r in records(client, "SELECT LastName FROM Lead ORDER BY LastName DESC LIMIT 2")] == \
        ["c", "b"]


def test_datetime_literal_forms_and_timezones(fake: FakeSalesforce, client: httpx.Client) -> None:
    fake.add_record("Lead", {"LastName": "a", "Company": "X", "SystemModstamp": "2026-05-01T10:00:00Z"})
    for literal in ("2026-05-01T10:00:00Z", "2026-05-01T10:00:00.000+0000", "2026-05-01T12:00:00+02:00"):
        assert len(records(client, f"SELECT Id FROM Lead WHERE SystemModstamp = {literal}")) == 1


def test_query_excludes_deleted_rows_and_query_all_includes_them(fake: FakeSalesforce, client: httpx.Client) -> None:
    kept, gone, purged = seed_leads(fake, 3)
    fake.delete_record("Lead", gone)
    fake.purge_record("Lead", purged)
    assert [r["Id"] for r in records(client, "SELECT Id FROM Lead")] == [kept]
    both = records(client, "SELECT Id, IsDeleted FROM Lead", "queryAll")
    assert [(r["Id"], r["IsDeleted"]) for r in both] == [(kept, False), (gone, True)]
    assert fake.record("Lead", gone)["SystemModstamp"] == fake.now()


def test_ids_compare_exactly_and_18_character_ids_are_case_safe(fake: FakeSalesforce, client: httpx.Client) -> None:
    first, second = seed_leads(fake, 2)
    assert [r["Id"] for r in records(client, f"SELECT Id FROM Lead WHERE Id = '{second[:15]}'")] == [second]
    assert [r["Id"] for r in records(client, f"SELECT Id FROM Lead WHERE Id > '{first}'")] == [second]
    assert [r["Id"] for r in records(client, f"SELECT Id FROM Lead WHERE Id = '{second.lower()}'")] == [second]
    assert records(client, f"SELECT Id FROM Lead WHERE Id = '{second[:15].lower()}'") == []  # 15 chars: case counts


def test_undelete_takes_a_record_out_of_the_delete_log(fake: FakeSalesforce, client: httpx.Client) -> None:
    [lead] = seed_leads(fake, 1)
    fake.delete_record("Lead", lead, at="2026-05-10T10:00:00Z")
    fake.undelete_record("Lead", lead)
    window = {"start": "2026-05-10T00:00:00Z", "end": START}
    assert client.get(f"{V}/sobjects/Lead/deleted", params=window).json()["deletedRecords"] == []
    assert [r["Id"] for r in records(client, "SELECT Id FROM Lead")] == [lead]


# paging and locators


def test_pages_follow_batch_size_and_next_records_url() -> None:
    fake = FakeSalesforce(batch_size=300, start_at=START, frozen_clock=True)
    seed_leads(fake, 700)
    with make_client(fake) as c:
        first = query(c, "SELECT Id FROM Lead ORDER BY Id").json()
        assert (first["totalSize"], first["done"], len(first["records"])) == (700, False, 300)
        assert first["nextRecordsUrl"].startswith(f"{V}/query/01g") and first["nextRecordsUrl"].endswith("-300")
        second = c.get(first["nextRecordsUrl"]).json()
        third = c.get(second["nextRecordsUrl"]).json()
        assert (len(second["records"]), third["done"], len(third["records"])) == (300, True, 100)
        assert "nextRecordsUrl" not in third
        ids = [r["Id"] for page in (first, second, third) for r in page["records"]]
        assert ids == sorted(ids) and len(set(ids)) == 700
        small = query(c, "SELECT Id FROM Lead", headers={"Sforce-Query-Options": "batchSize=50"}).json()
        assert len(small["records"]) == 200  # the header is clamped to 200..2000


def test_query_all_locator_url_says_query_and_works_on_both() -> None:
    fake = FakeSalesforce(batch_size=5, frozen_clock=True)
    seed_leads(fake, 8)
    with make_client(fake) as c:
        first = query(c, "SELECT Id FROM Lead", "queryAll").json()
        assert f"{V}/query/" in first["nextRecordsUrl"]
        assert c.get(first["nextRecordsUrl"].replace("/query/", "/queryAll/")).json()["done"] is True


def test_invalid_query_locators() -> None:
    fake = FakeSalesforce(batch_size=5, start_at=START, frozen_clock=True)
    seed_leads(fake, 12)
    with make_client(fake) as c:
        first = query(c, "SELECT Id FROM Lead").json()
        url = first["nextRecordsUrl"]
        with_params = c.get(url, params={"q": "SELECT Id FROM Lead"})
        assert with_params.status_code == 400 and error_code(with_params) == "MALFORMED_QUERY"
        assert error_code(c.get(url.replace("-5", "-7"))) == "INVALID_QUERY_LOCATOR"  # an offset never handed out
        assert error_code(c.get(f"{V}/query/01g5g00000000ZZAAA-5")) == "INVALID_QUERY_LOCATOR"
        second = c.get(url).json()
        assert c.get(url).status_code == 200  # a retry of the same page
        last = second["nextRecordsUrl"]
        assert c.get(last).json()["done"] and c.get(last).status_code == 200  # the last page, and one retry
        assert error_code(c.get(last)) == "INVALID_QUERY_LOCATOR"  # fully consumed twice
        idle = query(c, "SELECT Id FROM Lead").json()["nextRecordsUrl"]
        fake.advance(15 * 60 + 1)
        c.headers["Authorization"] = f"Bearer {refresh(c).json()['access_token']}"
        assert error_code(c.get(idle)) == "INVALID_QUERY_LOCATOR"


def test_an_eleventh_cursor_releases_the_oldest() -> None:
    fake = FakeSalesforce(batch_size=2, frozen_clock=True)
    seed_leads(fake, 3)
    with make_client(fake) as c:
        urls = [query(c, "SELECT Id FROM Lead").json()["nextRecordsUrl"] for _ in range(11)]
        assert error_code(c.get(urls[0])) == "INVALID_QUERY_LOCATOR"
        assert c.get(urls[1]).status_code == 200


def test_pages_are_a_snapshot_taken_when_the_query_ran() -> None:
    fake = FakeSalesforce(batch_size=2, frozen_clock=True)
    ids = seed_leads(fake, 4)
    with make_client(fake) as c:
        first = query(c, "SELECT Id, Company FROM Lead ORDER BY Id").json()
        fake.update_record("Lead", ids[3], {"Company": "Changed"})
        fake.add_record("Lead", {"LastName": "late", "Company": "New"})
        rest = c.get(first["nextRecordsUrl"]).json()
        assert [r["Company"] for r in rest["records"]] == ["Co2", "Co3"] and rest["totalSize"] == 4


def test_query_timeout_on_wide_windows_only() -> None:
    fake = FakeSalesforce(query_timeout_rows=10, query_timeout_span=86400, frozen_clock=True, start_at=START)
    fake.add_records("Lead", [{"LastName": f"l{i}", "Company": "X", "SystemModstamp": f"2026-05-0{1 + i % 4}T00:00:00Z"}
                              for i in range(40)])
    with make_client(fake) as c:
        wide = query(c, "SELECT Id FROM Lead WHERE SystemModstamp >= 2026-05-01T00:00:00Z "
                        "AND SystemModstamp < 2026-05-05T00:00:00Z")
        assert wide.status_code == 400
        assert wide.json() == [{"message": "Your query request was running for too long.",
                                "errorCode": "QUERY_TIMEOUT"}]
        assert error_code(query(c, "SELECT Id FROM Lead WHERE SystemModstamp >= 2026-05-01T00:00:00Z")) == \
            "QUERY_TIMEOUT"  # unbounded on one side
        narrow = query(c, "SELECT Id FROM Lead WHERE (SystemModstamp > 2026-05-01T00:00:00Z OR (SystemModstamp = "
                          "2026-05-01T00:00:00Z AND Id > '00Q5g0000000001EAA')) "
                          "AND SystemModstamp < 2026-05-02T00:00:00Z")
        assert narrow.status_code == 200 and narrow.json()["totalSize"] == 9  # the first lead is at the cursor
        few = query(c, "SELECT Id FROM Lead WHERE SystemModstamp > 2026-05-03T12:00:00Z")
        assert few.status_code == 200 and few.json()["totalSize"] == 10  # not more than query_timeout_rows


# writes that a connector then reads


def test_saves_bump_system_modstamp_and_bulk_updates_share_one(fake: FakeSalesforce, client: httpx.Client) -> None:
    ids = seed_leads(fake, 3, SystemModstamp="2026-05-01T00:00:00Z")
    fake.advance(61)
    stamp = fake.bulk_update("Lead", ids, {"Rating": "Warm"})
    rows = records(client, "SELECT SystemModstamp, LastModifiedDate FROM Lead")
    assert {r["SystemModstamp"] for r in rows} == {stamp} == {r["LastModifiedDate"] for r in rows}
    fake.advance(5)
    fake.set_without_modstamp("Lead", ids[0], {"Rating": "Cold"})
    assert fake.record("Lead", ids[0])["SystemModstamp"] == stamp  # formula-like change: no bump
    after = fake.update_record("Lead", ids[0], {"Rating": "Hot"}, at="2026-05-11T00:00:00Z")
    assert after["SystemModstamp"] == "2026-05-11T00:00:00.000+0000"


def test_status_and_owner_changes_write_lead_history(fake: FakeSalesforce, client: httpx.Client) -> None:
    rep = fake.add_record("User", {"FirstName": "Sam", "LastName": "Rep", "Email": "sam@example.com"})
    [lead] = seed_leads(fake, 1)
    fake.update_record("Lead", lead, {"Status": "Working - Contacted", "OwnerId": rep}, by=rep)
    rows = records(client, "SELECT LeadId, Field, DataType, OldValue, NewValue, CreatedById FROM LeadHistory")
    assert [(r["Field"], r["DataType"], r["OldValue"], r["NewValue"]) for r in rows] == [
        ("Status", "DynamicEnum", "Open - Not Contacted", "Working - Contacted"),
        ("Owner", "EntityId", INTEGRATION_USER_ID, rep),
        ("Owner", "Text", "Integration User", "Sam Rep"),
    ]
    assert {r["CreatedById"] for r in rows} == {rep} and {r["LeadId"] for r in rows} == {lead}


def test_convert_lead(fake: FakeSalesforce, client: httpx.Client) -> None:
    lead = fake.add_record("Lead", {"FirstName": "Ada", "LastName": "L", "Company": "AE", "Email": "ada@example.com"})
    made = fake.convert_lead(lead, {"Amount": 5000})
    record = fake.record("Lead", lead)
    assert record["IsConverted"] is True and record["ConvertedDate"] == "2026-05-10"
    assert (record["ConvertedContactId"], record["ConvertedOpportunityId"], record["ConvertedAccountId"]) == \
        (made["contact_id"], made["opportunity_id"], made["account_id"])
    contact = records(client, "SELECT Email, Account.Name FROM Contact")[0]
    assert contact["Email"] == "ada@example.com" and contact["Account"]["Name"] == "AE"
    [opp] = records(client, "SELECT Amount, StageName, IsClosed, ContactId FROM Opportunity")
    assert (opp["Amount"], opp["StageName"], opp["IsClosed"], opp["ContactId"]) == \
        (5000.0, "Prospecting", False, made["contact_id"])


# describe and the delete log


def test_describe(client: httpx.Client) -> None:
    lead = client.get(f"{V}/sobjects/lead/describe").json()
    assert lead["name"] == "Lead" and lead["queryable"] is True and lead["keyPrefix"] == "00Q"
    fields = {f["name"]: f for f in lead["fields"]}
    assert fields["Email"]["type"] == "email" and fields["Email"]["idLookup"] and not fields["Email"]["externalId"]
    assert fields["Name"]["createable"] is False and fields["SystemModstamp"]["type"] == "datetime"
    assert fields["OwnerId"]["referenceTo"] == ["User"] and fields["OwnerId"]["relationshipName"] == "Owner"
    assert "CurrencyIsoCode" not in fields
    for f in fields.values():
        assert {"name", "label", "type", "custom", "createable", "updateable", "nillable", "externalId", "unique",
                "idLookup", "length"} <= set(f)
    history = {f["name"]: f for f in client.get(f"{V}/sobjects/LeadHistory/describe").json()["fields"]}
    assert "SystemModstamp" not in history and history["NewValue"]["type"] == "anyType"
    user = {f["name"] for f in client.get(f"{V}/sobjects/User/describe").json()["fields"]}
    assert "IsDeleted" not in user and "UserRoleId" in user
    missing = client.get(f"{V}/sobjects/Nope/describe")
    assert missing.status_code == 404 and error_code(missing) == "NOT_FOUND"


def test_custom_fields_and_multi_currency() -> None:
    fake = FakeSalesforce(multi_currency=True)
    fake.add_custom_field("Lead", "Lead_Ext_Id__c", external_id=True, unique=True)
    with make_client(fake) as c:
        fields = {f["name"]: f for f in c.get(f"{V}/sobjects/Lead/describe").json()["fields"]}
        ext = fields["Lead_Ext_Id__c"]
        assert (ext["custom"], ext["externalId"], ext["unique"], ext["idLookup"]) == (True, True, True, True)
        opportunity = {f["name"] for f in c.get(f"{V}/sobjects/Opportunity/describe").json()["fields"]}
        assert "CurrencyIsoCode" in opportunity
        fake.add_record("Lead", {"LastName": "x", "Company": "y", "Lead_Ext_Id__c": "L-1"})
        assert records(c, "SELECT Lead_Ext_Id__c FROM Lead")[0]["Lead_Ext_Id__c"] == "L-1"


def test_deleted_endpoint(fake: FakeSalesforce, client: httpx.Client) -> None:
    soft, hard, kept = seed_leads(fake, 3)
    fake.delete_record("Lead", soft, at="2026-05-09T10:00:30Z")
    fake.purge_record("Lead", hard, at="2026-05-09T11:00:00Z")
    window = {"start": "2026-05-09T00:00:00Z", "end": "2026-05-10T00:00:00+00:00"}
    body = client.get(f"{V}/sobjects/Lead/deleted/", params=window).json()
    assert body["deletedRecords"] == [{"id": soft, "deletedDate": "2026-05-09T10:00:30.000+0000"},
                                      {"id": hard, "deletedDate": "2026-05-09T11:00:00.000+0000"}]
    assert body["latestDateCovered"] == "2026-05-10T00:00:00.000+0000"
    assert body["earliestDateAvailable"] == "2026-04-25T12:00:00.000+0000"
    assert {r["Id"] for r in records(client, "SELECT Id FROM Lead", "queryAll")} == {soft, kept}

    def code(**params: str) -> str:
        response = client.get(f"{V}/sobjects/Lead/deleted/", params=params)
        assert response.status_code == 400
        return error_code(response)

    assert code(start="2026-04-20T00:00:00Z", end="2026-05-10T00:00:00Z") == "INVALID_REPLICATION_DATE"
    assert code(start="2026-05-09T00:00:00Z", end="2026-05-09T00:01:00Z") == "INVALID_REPLICATION_DATE"
    assert code(start="2026-05-09T00:00:00Z") == "MISSING_ARGUMENT"
    fake.purge_delete_log("Lead", before="2026-05-09T12:00:00Z")
    assert code(**window) == "INVALID_REPLICATION_DATE"
    assert client.get(f"{V}/sobjects/Lead/deleted", params={"start": "2026-05-09T12:00:00Z",
                                                           "end": START}).json()["deletedRecords"] == []


# Bulk API 2.0


def bulk_job(client: httpx.Client, soql: str, operation: str = "query", version: str = V) -> dict[str, Any]:
    created = client.post(f"{version}/jobs/query", json={"operation": operation, "query": soql})
    assert created.status_code == 200, created.text
    return created.json()


def test_bulk_query_job_lifecycle_and_csv(fake: FakeSalesforce, client: httpx.Client) -> None:
    fake.add_records("Lead", [
        {"LastName": 'Say "hi", ok', "Company": "X", "HasOptedOutOfEmail": True,
         "SystemModstamp": "2026-05-03T16:50:06Z"},
        {"LastName": "B", "Company": "Y", "Email": "b@example.com"},
    ])
    job = bulk_job(client, "SELECT Id, LastName, Email, HasOptedOutOfEmail, SystemModstamp, Owner.Name FROM Lead "
                           "ORDER BY LastName DESC")
    assert (job["state"], job["operation"], job["object"], job["id"][:3]) == ("UploadComplete", "query", "Lead", "750")
    early = client.get(f"{V}/jobs/query/{job['id']}/results")
    assert early.status_code == 412 and error_code(early) == "JOB_NOT_COMPLETE"
    states = [client.get(f"{V}/jobs/query/{job['id']}").json()["state"] for _ in range(3)]
    assert states == ["InProgress", "JobComplete", "JobComplete"]
    result = client.get(f"{V}/jobs/query/{job['id']}/results")
    assert result.headers["Sforce-NumberOfRecords"] == "2" and result.headers["Sforce-Locator"] == "null"
    ids = [r["Id"] for r in records(client, "SELECT Id FROM Lead ORDER BY Id")]
    assert result.text == (
        '"Id","LastName","Email","HasOptedOutOfEmail","SystemModstamp","Owner.Name"\n'
        f'"{ids[0]}","Say ""hi"", ok",,"true","2026-05-03T16:50:06.000Z","Integration User"\n'
        f'"{ids[1]}","B","b@example.com","false","2026-05-10T12:00:00.000Z","Integration User"\n'
    )  # rows in Id order: Bulk 2.0 does not honour ORDER BY


def test_bulk_results_pages_with_locators_and_version_pinning() -> None:
    fake = FakeSalesforce(supported_versions=["v61.0"], bulk_polls_until_complete=1, frozen_clock=True)
    ids = seed_leads(fake, 5)
    fake.delete_record("Lead", ids[0])
    with make_client(fake) as c:
        job = bulk_job(c, "SELECT Id FROM Lead", "queryAll")
        assert c.get(f"{V}/jobs/query/{job['id']}").json()["numberRecordsProcessed"] == 5
        mismatch = c.get(f"/services/data/v61.0/jobs/query/{job['id']}/results")
        assert mismatch.status_code == 409
        got, locator = [], None
        while locator != "null":
            params = {"maxRecords": "2", **({"locator": locator} if locator else {})}
            page = c.get(f"{V}/jobs/query/{job['id']}/results", params=params)
            got += page.text.splitlines()[1:]
            locator = page.headers["Sforce-Locator"]
        assert got == [f'"{i}"' for i in ids]
        bad = c.get(f"{V}/jobs/query/{job['id']}/results", params={"locator": "bm9wZQ"})
        assert bad.status_code == 400


def test_bulk_jobs_with_invalid_queries_fail(client: httpx.Client) -> None:
    for soql in ("SELECT Id, Foo FROM Lead", "SELECT COUNT() FROM Lead"):
        job = bulk_job(client, soql)
        client.get(f"{V}/jobs/query/{job['id']}")
        info = client.get(f"{V}/jobs/query/{job['id']}").json()
        assert info["state"] == "Failed" and info["errorMessage"]
        assert client.get(f"{V}/jobs/query/{job['id']}/results").status_code == 412
    assert client.post(f"{V}/jobs/query", json={"operation": "upsert", "query": "SELECT Id FROM Lead"}).status_code \
        == 400
    assert client.get(f"{V}/jobs/query/7505g0000000999AAA").status_code == 404


# sObject Collections upsert


@pytest.fixture
def upsert_fake() -> FakeSalesforce:
    fake = FakeSalesforce(start_at=START, frozen_clock=True, duplicate_rule_on=["Email"])
    fake.add_custom_field("Lead", "Lead_Ext_Id__c", external_id=True)
    return fake


def upsert(client: httpx.Client, rows: list[dict[str, Any]], all_or_none: bool = False,
           path: str = "Lead/Lead_Ext_Id__c") -> httpx.Response:
    body = {"allOrNone": all_or_none, "records": [{"attributes": {"type": "Lead"}, **r} for r in rows]}
    return client.patch(f"{V}/composite/sobjects/{path}", json=body)


def test_upsert_creates_and_updates_in_request_order(upsert_fake: FakeSalesforce) -> None:
    existing = upsert_fake.add_record("Lead", {"LastName": "Old", "Company": "X", "Lead_Ext_Id__c": "L-1",
                                               "SystemModstamp": "2026-05-01T00:00:00Z"})
    with make_client(upsert_fake) as c:
        response = upsert(c, [{"Lead_Ext_Id__c": "L-2", "LastName": "New", "Company": "Y", "Email": ""},
                              {"Lead_Ext_Id__c": "l-1", "Title": "CTO"}])
        assert response.status_code == 200
        created, updated = response.json()
        assert created["success"] and created["created"] and created["errors"] == [] and created["id"].startswith("00Q")
        assert updated == {"id": existing, "success": True, "errors": [], "created": False}
        assert upsert_fake.record("Lead", existing)["Title"] == "CTO"
        assert upsert_fake.record("Lead", existing)["SystemModstamp"] == upsert_fake.now()  # our write echoes back
        new = upsert_fake.record("Lead", created["id"])
        assert (new["Status"], new["Email"], new["OwnerId"]) == ("Open - Not Contacted", None, INTEGRATION_USER_ID)


def test_upsert_request_level_errors(upsert_fake: FakeSalesforce) -> None:
    with make_client(upsert_fake) as c:
        too_many = upsert(c, [{"Lead_Ext_Id__c": f"L-{i}", "LastName": "x", "Company": "y"} for i in range(201)])
        assert too_many.status_code == 400 and error_code(too_many) == "EXCEEDED_ID_LIMIT"
        not_external = upsert(c, [{"Email": "a@b.co"}], path="Lead/Email")
        assert not_external.status_code == 400 and error_code(not_external) == "INVALID_FIELD"
        assert upsert(c, [{"Nope__c": "1"}], path="Lead/Nope__c").status_code == 404
        wrong_type = upsert(c, [{"Lead_Ext_Id__c": "L-1", "NumberOfEmployees": "many"}])
        assert wrong_type.status_code == 400 and error_code(wrong_type) == "JSON_PARSER_ERROR"
        body = {"records": [{"attributes": {"type": "Contact"}, "Lead_Ext_Id__c": "L-1"}]}
        assert c.patch(f"{V}/composite/sobjects/Lead/Lead_Ext_Id__c", json=body).status_code == 400


def test_upsert_per_record_errors(upsert_fake: FakeSalesforce) -> None:
    converted = upsert_fake.add_record("Lead", {"LastName": "C", "Company": "X", "Lead_Ext_Id__c": "L-conv"})
    upsert_fake.convert_lead(converted)
    upsert_fake.add_record("Lead", {"LastName": "D", "Company": "X", "Email": "dup@example.com"})
    with make_client(upsert_fake) as c:
        response = upsert(c, [
            {"Lead_Ext_Id__c": "L-a", "LastName": "x", "Company": "y", "Foo": 1},
            {"Lead_Ext_Id__c": "L-conv", "Title": "x"},
            {"Lead_Ext_Id__c": "L-b", "LastName": "x", "Company": "y", "Email": "DUP@example.com"},
            {"Lead_Ext_Id__c": "L-c", "LastName": "x"},
            {"Lead_Ext_Id__c": "L-d", "LastName": "x", "Company": "y", "Email": "not-an-email"},
            {"Lead_Ext_Id__c": "L-e", "LastName": "x", "Company": "y", "IsConverted": True},
            {"Lead_Ext_Id__c": "L-f", "LastName": "x", "Company": "y", "OwnerId": "005000000000000AAA"},
            {"Lead_Ext_Id__c": "L-g", "LastName": "x", "Company": "y"},
            {"Lead_Ext_Id__c": "L-g", "LastName": "x", "Company": "y"},
            {"LastName": "x", "Company": "y"},
            {"Lead_Ext_Id__c": "L-ok", "LastName": "x", "Company": "y"},
        ])
        assert response.status_code == 200
        results = response.json()
        codes = [r["errors"][0]["statusCode"] if r["errors"] else "OK" for r in results]
        assert codes == ["INVALID_FIELD", "CANNOT_UPDATE_CONVERTED_LEAD", "DUPLICATES_DETECTED",
                         "REQUIRED_FIELD_MISSING", "INVALID_EMAIL_ADDRESS", "INVALID_FIELD_FOR_INSERT_UPDATE",
                         "INVALID_CROSS_REFERENCE_KEY", "DUPLICATE_VALUE", "DUPLICATE_VALUE", "MISSING_ARGUMENT", "OK"]
        assert results[3]["errors"][0]["fields"] == ["Company"]
        assert results[2]["errors"][0]["duplicateResult"]["matchResults"][0]["size"] == 1
        assert all(r["id"] is None and not r["success"] and not r["created"] for r in results[:-1])
        assert results[-1]["success"]


def test_upsert_all_or_none_rolls_everything_back(upsert_fake: FakeSalesforce) -> None:
    with make_client(upsert_fake) as c:
        response = upsert(c, [{"Lead_Ext_Id__c": "L-1", "LastName": "x", "Company": "y"},
                              {"Lead_Ext_Id__c": "L-2", "LastName": "x"}], all_or_none=True)
        first, second = response.json()
        assert first["errors"][0]["statusCode"] == "ALL_OR_NONE_OPERATION_ROLLED_BACK" and not first["success"]
        assert second["errors"][0]["statusCode"] == "REQUIRED_FIELD_MISSING"
        assert upsert_fake.records("Lead") == []


def test_upsert_status_change_is_tracked_and_shares_one_stamp(upsert_fake: FakeSalesforce) -> None:
    ids = [upsert_fake.add_record("Lead", {"LastName": "x", "Company": "y", "Lead_Ext_Id__c": f"L-{i}"})
           for i in range(2)]
    upsert_fake.advance(90)
    with make_client(upsert_fake) as c:
        upsert(c, [{"Lead_Ext_Id__c": f"L-{i}", "Status": "Working - Contacted"} for i in range(2)])
        rows = records(c, "SELECT Id, SystemModstamp FROM Lead")
        assert {r["SystemModstamp"] for r in rows} == {"2026-05-10T12:01:30.000+0000"}
        history = records(c, "SELECT LeadId, Field FROM LeadHistory")
        assert sorted(h["LeadId"] for h in history) == sorted(ids)


# sObject Collections update by Id


def update(client: httpx.Client, rows: list[dict[str, Any]], all_or_none: bool = False) -> httpx.Response:
    records = [{"attributes": {"type": r.get("type", "Lead")}, **{k: v for k, v in r.items() if k != "type"}}
               for r in rows]
    return client.patch(f"{V}/composite/sobjects", json={"allOrNone": all_or_none, "records": records})


def test_update_by_id_saves_in_request_order_and_echoes_with_one_stamp(fake: FakeSalesforce,
                                                                      client: httpx.Client) -> None:
    rep = fake.add_record("User", {"FirstName": "Sam", "LastName": "Rep", "Email": "sam@example.com"})
    first, second = seed_leads(fake, 2, SystemModstamp="2026-05-01T00:00:00Z")
    fake.update_record("Lead", first, {"Rating": "Cold"}, at="2026-05-02T00:00:00Z", by=rep)
    contact = fake.add_record("Contact", {"LastName": "C"})
    fake.advance(90)
    response = update(client, [{"Id": first[:15], "Title": "CTO", "Email": "", "Status": "Working - Contacted"},
                               {"id": second},  # nothing to change: still saved, still stamped
                               {"type": "Contact", "Id": contact, "Title": "VP"}])
    assert response.status_code == 200
    assert response.json() == [{"id": first, "success": True, "errors": []},
                               {"id": second, "success": True, "errors": []},
                               {"id": contact, "success": True, "errors": []}]
    saved = fake.record("Lead", first)
    assert (saved["Title"], saved["Email"], saved["Status"]) == ("CTO", None, "Working - Contacted")
    assert fake.record("Contact", contact)["Title"] == "VP"
    rows = records(client, "SELECT Id, SystemModstamp, LastModifiedDate, LastModifiedById FROM Lead")
    assert {r["SystemModstamp"] for r in rows} == {"2026-05-10T12:01:30.000+0000"} == {r["LastModifiedDate"]
                                                                                       for r in rows}
    assert {r["LastModifiedById"] for r in rows} == {INTEGRATION_USER_ID}  # the session's user, not the rep
    [history] = records(client, "SELECT LeadId, Field, NewValue, CreatedById FROM LeadHistory")
    assert (history["LeadId"], history["Field"], history["NewValue"], history["CreatedById"]) == \
        (first, "Status", "Working - Contacted", INTEGRATION_USER_ID)


def test_update_by_id_per_record_errors() -> None:
    fake = FakeSalesforce(start_at=START, frozen_clock=True, duplicate_rule_on=["Email"])
    fake.add_custom_field("Lead", "Leads_Etl_Id__c", external_id=True, unique=True)
    ok, gone, converted, dup, owned, *plain = seed_leads(fake, 11)
    fake.update_record("Lead", owned, {"Leads_Etl_Id__c": "L-taken"})
    fake.delete_record("Lead", gone)
    fake.convert_lead(converted)
    contact = fake.add_record("Contact", {"LastName": "C"})
    before = [fake.record("Lead", i) for i in plain]
    with make_client(fake) as c:
        response = update(c, [
            {"Title": "no id"},
            {"Id": "", "Title": "empty id"},
            {"Id": "not-an-id", "Title": "x"},
            {"Id": contact, "Title": "a Contact id in a Lead record"},
            {"Id": gone, "Title": "in the Recycle Bin"},
            {"Id": "00Q5g0000000zzz", "Title": "never existed"},
            {"Id": converted, "Title": "x"},
            {"Id": plain[0], "Foo": 1},
            {"Id": plain[1], "IsConverted": True},
            {"Id": dup, "Title": "twice"},
            {"Id": dup.lower(), "Title": "twice, case-safe"},
            {"Id": plain[2], "LastName": None},
            {"Id": plain[3], "Leads_Etl_Id__c": "l-TAKEN"},
            {"Id": plain[4], "Email": "not-an-email"},
            {"Id": ok, "Email": "p1@example.com"},  # another lead's email: duplicate rules run on create only
        ])
        assert response.status_code == 200
        results = response.json()
    codes = [r["errors"][0]["statusCode"] if r["errors"] else "OK" for r in results]
    assert codes == ["MISSING_ARGUMENT", "MISSING_ARGUMENT", "MALFORMED_ID", "MALFORMED_ID", "ENTITY_IS_DELETED",
                     "ENTITY_IS_DELETED", "CANNOT_UPDATE_CONVERTED_LEAD", "INVALID_FIELD",
                     "INVALID_FIELD_FOR_INSERT_UPDATE", "DUPLICATE_VALUE", "DUPLICATE_VALUE",
                     "REQUIRED_FIELD_MISSING", "DUPLICATE_VALUE", "INVALID_EMAIL_ADDRESS", "OK"]
    assert results[0]["errors"] == [{"statusCode": "MISSING_ARGUMENT", "message": "Id not specified in an update call",
                                     "fields": []}]
    assert results[3]["errors"][0]["message"] == f"Lead ID: id value of incorrect type: {contact}"
    assert results[3]["errors"][0]["fields"] == ["Id"] and results[4]["errors"][0]["message"] == "entity is deleted"
    assert results[11]["errors"][0]["fields"] == ["LastName"]
    assert all(r["id"] is None and r["success"] is False for r in results[:-1]) and results[-1]["id"] == ok
    assert [fake.record("Lead", i) for i in plain] == before  # failed records are not touched
    assert fake.record("Lead", dup)["Title"] is None and fake.record("Lead", gone)["Title"] is None


def test_update_by_id_all_or_none_rolls_everything_back(fake: FakeSalesforce, client: httpx.Client) -> None:
    first, second = seed_leads(fake, 2)
    stamp = fake.record("Lead", first)["SystemModstamp"]
    fake.advance(60)
    response = update(client, [{"Id": first, "Title": "CTO"}, {"Id": second, "LastName": ""}], all_or_none=True)
    assert response.status_code == 200
    rolled, failed = response.json()
    assert rolled == {"id": None, "success": False, "errors": [{
        "statusCode": "ALL_OR_NONE_OPERATION_ROLLED_BACK", "fields": [],
        "message": "Record rolled back because not all records were valid and the request was using AllOrNone header"}]}
    assert failed["errors"][0]["statusCode"] == "REQUIRED_FIELD_MISSING"
    assert fake.record("Lead", first)["Title"] is None and fake.record("Lead", first)["SystemModstamp"] == stamp
    partial = update(client, [{"Id": first, "Title": "CTO"}, {"Id": second, "LastName": ""}]).json()
    assert [r["success"] for r in partial] == [True, False] and fake.record("Lead", first)["Title"] == "CTO"


def test_update_by_id_request_level_errors(fake: FakeSalesforce, client: httpx.Client) -> None:
    [lead] = seed_leads(fake, 1)
    contact = fake.add_record("Contact", {"LastName": "C"})
    too_many = update(client, [{"Id": lead} for _ in range(201)])
    assert too_many.status_code == 400 and error_code(too_many) == "EXCEEDED_ID_LIMIT"
    no_type = client.patch(f"{V}/composite/sobjects", json={"records": [{"Id": lead, "Title": "x"}]})
    assert no_type.status_code == 400 and error_code(no_type) == "INVALID_TYPE"
    for kind in ("User", "Nope__c"):
        assert error_code(update(client, [{"type": kind, "Id": lead}])) == "INVALID_TYPE"
    wrong_json = update(client, [{"Id": lead, "NumberOfEmployees": "many"}])
    assert wrong_json.status_code == 400 and error_code(wrong_json) == "JSON_PARSER_ERROR"
    bad_flag = client.patch(f"{V}/composite/sobjects", json={"allOrNone": "yes", "records": []})
    assert error_code(bad_flag) == "JSON_PARSER_ERROR"
    alternating = [{"type": "Lead" if i % 2 else "Contact", "Id": lead if i % 2 else contact} for i in range(11)]
    assert error_code(update(client, alternating)) == "EXCEEDED_MAX_TYPES_LIMIT"
    assert update(client, alternating[:10]).status_code == 200  # 10 chunks is the documented maximum
    with pytest.raises(AssertionError, match="outside the contract"):
        client.post(f"{V}/composite/sobjects", json={"records": []})  # create is not in the contract


def test_soql_in_lists_of_200_ids_and_of_external_ids(fake: FakeSalesforce, client: httpx.Client) -> None:
    fake.add_custom_field("Lead", "Leads_Etl_Id__c", external_id=True)
    ids = fake.add_records("Lead", [{"LastName": f"L{i}", "Company": "X", "Leads_Etl_Id__c": f"L-{i}"}
                                    for i in range(250)])
    wanted = ids[10:210]
    literals = ", ".join(f"'{i}'" for i in [*wanted[:100], *(i[:15] for i in wanted[100:])])  # 18 and 15 chars
    rows = records(client, f"SELECT Id, Leads_Etl_Id__c FROM Lead WHERE Id IN ({literals})")
    assert [r["Id"] for r in rows] == wanted and len(rows) == 200
    keys = ", ".join(f"'l-{i}'" for i in range(0, 250, 50))  # external ids compare case-insensitively
    by_key = records(client, f"SELECT Id, Leads_Etl_Id__c FROM Lead WHERE Leads_Etl_Id__c IN ({keys}, 'L-none')")
    assert [r["Leads_Etl_Id__c"] for r in by_key] == [f"L-{i}" for i in range(0, 250, 50)]
    assert [r["Id"] for r in by_key] == ids[::50]


# over real HTTP


def test_served_over_loopback_with_seeding_through_call() -> None:
    with LoopbackServer("tests.fakes.salesforce:FakeSalesforce", batch_size=3, rotate_refresh_token=True) as server:
        server.call("set_instance_url", server.url)
        ids = server.call("add_records", "Lead", [{"LastName": f"l{i}", "Company": "X"} for i in range(7)])
        server.call("delete_record", "Lead", ids[0])
        with httpx.Client(base_url=server.url) as http:
            session = refresh(http, login=server.url).json()
            assert session["instance_url"] == server.url and "refresh_token" in session
            http.headers["Authorization"] = f"Bearer {session['access_token']}"
            rows = records(http, "SELECT Id, IsDeleted FROM Lead ORDER BY Id", "queryAll")
            assert [r["Id"] for r in rows] == ids and rows[0]["IsDeleted"] is True
            assert server.call("api_usage")["used"] == 3
            assert server.call("count", path_prefix="/services/data") == 3
            assert server.call("record", "Lead", ids[1])["LastName"] == "l1"
