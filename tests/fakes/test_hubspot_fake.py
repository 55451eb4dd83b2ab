"""The HubSpot fake rejects what HubSpot rejects and reproduces its quirks (research brief §1, §8)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.fakes.hubspot import FakeHubSpot
from tests.fakes.hubspot.clock import iso_from_ms, ms_from_text
from tests.fakes.hubspot.limits import RateLimits
from tests.fakes.hubspot.render import decode_cursor, encode_cursor
from tests.fakes.loopback import LoopbackServer

BASE = "https://api.hubapi.com"
TOKEN = "pat-na1-test-token"
T0 = 1_780_000_000.0  # fake epoch seconds; the injected clock never moves by itself


def make(**kwargs: Any) -> tuple[FakeHubSpot, httpx.Client]:
    kwargs.setdefault("clock", lambda: T0)
    fake = FakeHubSpot(**kwargs)
    client = httpx.Client(transport=httpx.MockTransport(fake), base_url=BASE,
                          headers={"Authorization": f"Bearer {kwargs.get('token', TOKEN)}"})
    return fake, client


@pytest.fixture
def hub() -> Iterator[tuple[FakeHubSpot, httpx.Client]]:
    fake, client = make(rate_limits=False)
    yield fake, client
    client.close()


def search(client: httpx.Client, *filters: dict[str, Any], object_type: str = "contacts",
           **body: Any) -> httpx.Response:
    if filters:
        body.setdefault("filterGroups", [{"filters": list(filters)}])
    return client.post(f"/crm/v3/objects/{object_type}/search", json=body)


def ids_of(response: httpx.Response) -> list[str]:
    return [r["id"] for r in response.json()["results"]]


def upsert(client: httpx.Client, *inputs: dict[str, Any]) -> httpx.Response:
    return client.post("/crm/v3/objects/contacts/batch/upsert", json={"inputs": list(inputs)})


def by_email(email: str, trace: str | None = None, **props: Any) -> dict[str, Any]:
    item: dict[str, Any] = {"idProperty": "email", "id": email, "properties": props}
    if trace:
        item["objectWriteTraceId"] = trace
    return item


# auth and contract
def test_requests_without_a_valid_bearer_token_are_401(hub: tuple[FakeHubSpot, httpx.Client]) -> None:
    fake, client = hub
    bare = httpx.Client(transport=httpx.MockTransport(fake), base_url=BASE)
    missing = bare.get("/crm/v3/objects/contacts", params={"hapikey": "legacy"})  # API keys are retired
    wrong = bare.get("/crm/v3/objects/contacts", headers={"Authorization": "Bearer pat-na1-other"})
    assert missing.status_code == wrong.status_code == 401
    assert wrong.json()["category"] == "INVALID_AUTHENTICATION"
    assert len(wrong.json()["correlationId"]) == 36
    assert client.get("/crm/v3/objects/contacts").status_code == 200


def test_requests_outside_the_contract_fail_the_test(hub: tuple[FakeHubSpot, httpx.Client]) -> None:
    fake, client = hub
    with pytest.raises(AssertionError, match="outside the contract"):
        client.get("/crm/v3/objects/companies")
    with pytest.raises(AssertionError, match="outside the contract"):
        client.get("/crm/v3/objects/contacts/12")
    with pytest.raises(AssertionError, match="query parameters"):
        client.get("/crm/v3/objects/contacts", params={"associations": "deals"})
    with pytest.raises(AssertionError, match="search body keys"):
        client.post("/crm/v3/objects/contacts/search", json={"filters": []})
    with pytest.raises(AssertionError, match="private-app token"):
        client.post("/oauth/v1/token", data={"grant_type": "refresh_token"})
    assert client.delete("/crm/v3/objects/contacts").status_code == 405
    assert len(fake.contract_violations()) == 5


def test_over_long_request_targets_are_414(hub: tuple[FakeHubSpot, httpx.Client]) -> None:
    _, client = hub
    names = ",".join(f"custom_property_number_{i}" for i in range(400))
    response = client.get("/crm/v3/objects/contacts", params={"properties": names})
    assert response.status_code == 414
    assert client.get("/crm/v3/objects/contacts", params={"properties": names[:7000]}).status_code == 200


# list
def test_list_pages_with_an_opaque_cursor_and_no_paging_on_the_last_page(hub: tuple[FakeHubSpot, httpx.Client]) -> None:
    fake, client = hub
    created = fake.add_contacts([{"email": f"p{i}@example.com", "firstname": f"P{i}"} for i in range(25)])
    first = client.get("/crm/v3/objects/contacts").json()
    assert len(first["results"]) == 10  # default limit
    cursor = first["paging"]["next"]["after"]
    assert not cursor.isdigit()  # opaque: base64 of the next id, not an offset
    seen = ids_of_list(first)
    second = client.get("/crm/v3/objects/contacts", params={"after": cursor, "limit": 10}).json()
    seen += ids_of_list(second)
    third = client.get(second["paging"]["next"]["link"]).json()  # following the link works too
    seen += ids_of_list(third)
    assert "paging" not in third
    assert seen == created
    assert [int(i) for i in created] != list(range(int(created[0]), int(created[0]) + 25))  # ids have gaps


def ids_of_list(body: dict[str, Any]) -> list[str]:
    return [r["id"] for r in body["results"]]


def test_list_cursor_is_hubspots_encoding_and_survives_double_encoding() -> None:
    assert encode_cursor(525) == "NTI1Cg%3D%3D"  # the spec's example cursor
    assert decode_cursor("NTI1Cg%3D%3D") == decode_cursor("NTI1Cg==") == decode_cursor("NTI1Cg%253D%253D") == 525


def test_list_limits_are_enforced(hub: tuple[FakeHubSpot, httpx.Client]) -> None:
    _, client = hub
    cases: list[tuple[dict[str, str | int], int]] = [
        ({"limit": 100}, 200), ({"limit": 101}, 400), ({"limit": 0}, 400), ({"after": "!!"}, 400),
        ({"limit": 50, "propertiesWithHistory": "email"}, 200), ({"limit": 51, "propertiesWithHistory": "email"}, 400),
    ]
    for params, status in cases:
        response = client.get("/crm/v3/objects/contacts", params=params)
        assert response.status_code == status, params
    assert response.json()["category"] == "VALIDATION_ERROR"


def test_values_are_strings_and_unknown_properties_are_omitted(hub: tuple[FakeHubSpot, httpx.Client]) -> None:
    fake, client = hub
    fake.define_property("contacts", "num_employees", type="number", field_type="number")
    cid = fake.add_contact({"email": "Ada@Example.com", "num_employees": 17, "hs_email_optout": False})
    record = client.get("/crm/v3/objects/contacts", params={"properties": "num_employees,hs_email_optout,nope,phone"}
                        ).json()["results"][0]
    assert record["properties"] == {
        "num_employees": "17", "hs_email_optout": "false", "phone": None, "hs_object_id": cid,
        "createdate": iso_from_ms(int(T0 * 1000)), "lastmodifieddate": iso_from_ms(int(T0 * 1000)),
    }
    default = client.get("/crm/v3/objects/contacts").json()["results"][0]["properties"]
    assert set(default) == {"firstname", "lastname", "email", "hs_object_id", "createdate", "lastmodifieddate"}
    assert default["email"] == "ada@example.com"
    assert record["createdAt"] == "2026-05-28T20:26:40.000Z"


def test_archived_list_returns_only_archived_and_archiving_does_not_bump_the_modified_date(
        hub: tuple[FakeHubSpot, httpx.Client]) -> None:
    fake, client = hub
    keep, gone = fake.add_contacts([{"email": "keep@example.com"}, {"email": "gone@example.com"}])
    before = fake.contact(gone)["properties"]["lastmodifieddate"]  # type: ignore[index]
    fake.advance(60)
    fake.archive_contact(gone)
    assert ids_of(client.get("/crm/v3/objects/contacts")) == [keep]
    archived = client.get("/crm/v3/objects/contacts", params={"archived": "true"}).json()["results"]
    assert [r["id"] for r in archived] == [gone]
    assert archived[0]["archived"] is True and archived[0]["archivedAt"] == iso_from_ms(int((T0 + 60) * 1000))
    assert archived[0]["properties"]["lastmodifieddate"] == before
    assert search(client).json()["total"] == 1


# search
def test_search_validates_limit_after_and_the_result_cap(hub: tuple[FakeHubSpot, httpx.Client]) -> None:
    fake, client = hub
    fake.add_contacts([{"email": f"s{i}@example.com"} for i in range(30)])
    for body in ({"limit": 0}, {"limit": 201}, {"limit": "10"}, {"after": "x"}, {"after": "9900", "limit": 200}):
        assert search(client, **body).status_code == 400, body
    assert search(client, after="9800", limit=200).status_code == 200
    assert "10,000" in search(client, after="9901", limit=100).json()["message"]
    fake2, client2 = make(rate_limits=False, page_cap=20)
    fake2.add_contacts([{"email": f"c{i}@example.com"} for i in range(30)])
    page = search(client2, limit=10, after="10").json()
    assert page["total"] == 30 and page["paging"]["next"]["after"] == "20"  # offered although it passes the cap
    assert search(client2, limit=10, after="20").status_code == 400


def test_search_filter_budget_and_operators_are_checked(hub: tuple[FakeHubSpot, httpx.Client]) -> None:
    _, client = hub
    f = {"propertyName": "email", "operator": "HAS_PROPERTY"}
    assert search(client, filterGroups=[{"filters": [f]}] * 5).status_code == 200
    assert search(client, filterGroups=[{"filters": [f]}] * 6).status_code == 400
    assert search(client, filterGroups=[{"filters": [f] * 11}]).status_code == 400
    assert search(client, filterGroups=[{"filters": [f] * 9}] * 3).status_code == 400  # 27 > 25 in all
    assert search(client, filterGroups=[{"filters": [f] * 5}] * 5).status_code == 200
    assert search(client, {"propertyName": "email", "operator": "LIKE", "value": "a"}).status_code == 400
    assert search(client, {"propertyName": "emial", "operator": "EQ", "value": "a"}).status_code == 400
    assert search(client, {"propertyName": "hs_object_id", "operator": "GT", "value": "ten"}).status_code == 400
    assert search(client, {"propertyName": "email", "operator": "IN", "values": []}).status_code == 400
    assert search(client, {"propertyName": "email", "operator": "EQ"}).status_code == 400
    sorts = [{"propertyName": "email", "direction": "ASCENDING"}] * 2
    assert search(client, sorts=sorts).status_code == 400


def test_search_compares_ids_and_numbers_numerically(hub: tuple[FakeHubSpot, httpx.Client]) -> None:
    fake, client = hub
    fake.define_property("contacts", "score", type="number", field_type="number")
    created = fake.add_contacts([{"email": f"n{i}@example.com", "score": str(i * 5)} for i in range(12)])
    assert any(len(i) == 1 for i in created) and any(len(i) == 2 for i in created)
    pivot = next(i for i in created if len(i) == 1)
    gte = search(client, {"propertyName": "hs_object_id", "operator": "GTE", "value": pivot}, limit=100)
    assert ids_of(gte) == [i for i in created if int(i) >= int(pivot)]  # "12" > "9", numerically
    high = search(client, {"propertyName": "score", "operator": "GT", "value": "9"}, limit=100)
    assert len(ids_of(high)) == 10  # 10, 15, ... 55 (as strings "10" < "9")
    between = search(client, {"propertyName": "score", "operator": "BETWEEN", "value": "10", "highValue": "20"})
    assert between.json()["total"] == 3


def test_search_datetimes_as_epoch_ms_or_iso_and_groups_are_ored(hub: tuple[FakeHubSpot, httpx.Client]) -> None:
    fake, client = hub
    early, middle, late = (fake.add_contact({"email": f"{n}@example.com", "firstname": n},
                                            created_at_ms=int(T0 * 1000) + k * 1000)
                           for k, n in enumerate(["early", "middle", "late"]))
    mid_ms = str(int(T0 * 1000) + 1000)
    for value in (mid_ms, iso_from_ms(int(mid_ms))):
        found = search(client, {"propertyName": "lastmodifieddate", "operator": "GTE", "value": value})
        assert ids_of(found) == [middle, late]
    ored = search(client, filterGroups=[
        {"filters": [{"propertyName": "firstname", "operator": "EQ", "value": "EARLY"}]},
        {"filters": [{"propertyName": "createdate", "operator": "GT", "value": mid_ms},
                     {"propertyName": "email", "operator": "CONTAINS_TOKEN", "value": "*@example.com"}]},
    ])
    assert ids_of(ored) == [early, late]
    newest_first = search(client, sorts=[{"propertyName": "createdate", "direction": "DESCENDING"}])
    assert ids_of(newest_first) == [late, middle, early]


def test_search_set_operators(hub: tuple[FakeHubSpot, httpx.Client]) -> None:
    fake, client = hub
    a, b, c = fake.add_contacts([{"email": "a@x.io", "lifecyclestage": "lead"},
                                 {"email": "b@x.io", "lifecyclestage": "customer"}, {"email": "c@y.io"}])

    def run(**f: Any) -> list[str]:
        return ids_of(search(client, {"propertyName": "lifecyclestage", **f}))

    assert run(operator="IN", values=["lead", "customer"]) == [a, b]
    assert run(operator="NOT_IN", values=["lead"]) == [b, c]
    assert run(operator="NEQ", value="lead") == [b, c]
    assert run(operator="HAS_PROPERTY") == [a, b]
    assert run(operator="NOT_HAS_PROPERTY") == [c]
    tokens = search(client, {"propertyName": "email", "operator": "NOT_CONTAINS_TOKEN", "value": "x.io"})
    assert ids_of(tokens) == [c]
    assert ids_of(search(client, query="b@x")) == [b]


def test_search_lags_writes_but_list_and_batch_read_do_not() -> None:
    fake, client = make(rate_limits=False, search_lag=5.0)
    cid = fake.add_contact({"email": "lag@example.com", "firstname": "Old"})
    assert search(client).json()["total"] == 0
    assert ids_of(client.get("/crm/v3/objects/contacts")) == [cid]
    fake.advance(5)
    assert ids_of(search(client)) == [cid]
    fake.update_contact(cid, {"firstname": "New"})
    assert search(client).json()["results"][0]["properties"]["firstname"] == "Old"
    read = client.post("/crm/v3/objects/contacts/batch/read",
                       json={"inputs": [{"id": cid}], "properties": ["firstname"]})
    assert read.json()["results"][0]["properties"]["firstname"] == "New"
    fake.advance(5)
    assert search(client).json()["results"][0]["properties"]["firstname"] == "New"


def test_more_than_a_cap_of_rows_sharing_one_timestamp_can_be_walked_by_id() -> None:
    fake, client = make(rate_limits=False, page_cap=1000)
    created = fake.add_contacts([{"email": f"t{i}@example.com"} for i in range(2500)])
    stamp = int(T0 * 1000) + 7
    fake.bulk_touch(created, stamp)
    same = {"propertyName": "lastmodifieddate", "operator": "EQ", "value": str(stamp)}
    assert search(client, same).json()["total"] == 2500
    walked: list[str] = []
    floor = "0"
    while True:
        after = 0
        while True:
            page = search(client, same, {"propertyName": "hs_object_id", "operator": "GT", "value": floor},
                          sorts=[{"propertyName": "hs_object_id", "direction": "ASCENDING"}], limit=200,
                          after=str(after)).json()
            walked += ids_of_list(page)
            if "paging" not in page or after + 400 > 1000:
                break
            after += 200
        if "paging" not in page:
            break
        floor = walked[-1]
    assert walked == created


# batch read
def test_batch_read_reports_missing_ids_and_renders_history(hub: tuple[FakeHubSpot, httpx.Client]) -> None:
    fake, client = hub
    cid = fake.add_contact({"email": "h@example.com", "firstname": "A"})
    fake.advance(1)
    fake.update_contact(cid, {"firstname": "B"}, source_type="CRM_UI", source_id="77")
    fake.advance(1)
    assert upsert(client, by_email("h@example.com", firstname="C")).status_code == 200
    body = {"inputs": [{"id": cid}, {"id": "999999"}], "properties": ["firstname"],
            "propertiesWithHistory": ["firstname"]}
    response = client.post("/crm/v3/objects/contacts/batch/read", json=body)
    assert response.status_code == 207
    answer = response.json()
    assert answer["numErrors"] == 1
    assert answer["errors"][0]["category"] == "OBJECT_NOT_FOUND" and answer["errors"][0]["context"]["ids"] == ["999999"]
    history = answer["results"][0]["propertiesWithHistory"]["firstname"]
    assert [(v["value"], v["sourceType"]) for v in history] == [("C", "INTEGRATION"), ("B", "CRM_UI"), ("A", "CRM_UI")]
    assert history[1]["updatedByUserId"] == 77 and history[0]["timestamp"].endswith("Z")
    too_many = {"inputs": [{"id": str(i)} for i in range(101)]}
    assert client.post("/crm/v3/objects/contacts/batch/read", json=too_many).status_code == 400
    by_mail = client.post("/crm/v3/objects/contacts/batch/read",
                          json={"idProperty": "email", "inputs": [{"id": "H@example.com"}]})
    assert ids_of(by_mail) == [cid]


# batch upsert
def test_upsert_creates_updates_clears_and_bumps_the_modified_date(hub: tuple[FakeHubSpot, httpx.Client]) -> None:
    fake, client = hub
    existing = fake.add_contact({"email": "old@example.com", "firstname": "Old", "phone": "+1 555"})
    fake.advance(30)
    response = upsert(client, by_email("new@example.com", "t1", firstname="New", lifecyclestage="lead"),
                      by_email("OLD@example.com", "t2", firstname="Older", phone=""))
    assert response.status_code == 200
    results = {r["objectWriteTraceId"]: r for r in response.json()["results"]}
    assert results["t1"]["new"] is True and results["t2"]["new"] is False and results["t2"]["id"] == existing
    stored = fake.contact(existing)["properties"]  # type: ignore[index]
    assert stored["firstname"] == "Older" and "phone" not in stored
    assert stored["lastmodifieddate"] == iso_from_ms(int((T0 + 30) * 1000))
    new = fake.contact(results["t1"]["id"])["properties"]  # type: ignore[index]
    assert new["email"] == "new@example.com" and new["hs_lifecyclestage_lead_date"] == new["createdate"]
    fake.advance(30)
    same_values = upsert(client, by_email("old@example.com", firstname="Older"))
    assert same_values.status_code == 200  # the connector's own write-back still bumps the date (an echo)
    assert same_values.json()["results"][0]["properties"]["lastmodifieddate"] == iso_from_ms(int((T0 + 60) * 1000))


def test_upsert_rejects_what_hubspot_rejects(hub: tuple[FakeHubSpot, httpx.Client]) -> None:
    _, client = hub
    cases = [
        ([by_email(f"x{i}@example.com") for i in range(101)], "100"),
        ([{"id": "a@example.com", "properties": {}}], "idProperty"),
        ([{"idProperty": "email", "properties": {}}], "id is required"),
        ([{"idProperty": "email", "id": "a@example.com"}], "properties"),
        ([{"idProperty": "firstname", "id": "Ada", "properties": {}}], "non-unique 0-1 property"),
        ([by_email("a@example.com", num=17)], "strings"),
        ([by_email("a@example.com", hs_email_optout=True)], "strings"),
        ([by_email("a@example.com"), by_email("A@example.com")], "Duplicate IDs"),
    ]
    for inputs, message in cases:
        response = client.post("/crm/v3/objects/contacts/batch/upsert", json={"inputs": inputs})
        assert response.status_code == 400, message
        assert response.json()["category"] == "VALIDATION_ERROR"
        assert message in response.json()["message"]


def test_upsert_per_input_errors_are_207_with_the_trace_id(hub: tuple[FakeHubSpot, httpx.Client]) -> None:
    fake, client = hub
    response = upsert(client, by_email("ok@example.com", "ok", firstname="Ok"),
                      by_email("bad@example.com", "unknown", favourite_colour="red"),
                      by_email("stage@example.com", "stage", lifecyclestage="MQL"),
                      by_email("not-an-email", "email"),
                      by_email("ro@example.com", "readonly", hs_object_id="5"))
    assert response.status_code == 207
    answer = response.json()
    assert answer["numErrors"] == 4 and [r["objectWriteTraceId"] for r in answer["results"]] == ["ok"]
    codes = {e["context"]["objectWriteTraceId"][0]: e["errors"][0]["code"] for e in answer["errors"]}
    assert codes == {"unknown": "PROPERTY_DOESNT_EXIST", "stage": "INVALID_OPTION", "email": "INVALID_EMAIL",
                     "readonly": "READ_ONLY_VALUE"}
    assert "PROPERTY_DOESNT_EXIST" in answer["errors"][0]["message"]
    assert len(fake.ids()) == 1  # a failed input writes nothing


def test_upsert_results_do_not_come_in_input_order(hub: tuple[FakeHubSpot, httpx.Client]) -> None:
    _, client = hub
    inputs = [by_email(f"o{i}@example.com", f"t{i}") for i in range(20)]
    traces = [r["objectWriteTraceId"] for r in upsert(client, *inputs).json()["results"]]
    assert sorted(traces) == sorted(f"t{i}" for i in range(20)) and traces != [f"t{i}" for i in range(20)]


def test_custom_unique_property_works_as_id_property(hub: tuple[FakeHubSpot, httpx.Client]) -> None:
    fake, client = hub
    created = client.post("/crm/v3/properties/contacts", json={
        "name": "lead_uid", "label": "Lead UID", "type": "string", "fieldType": "text",
        "groupName": "contactinformation", "hasUniqueValue": True})
    assert created.status_code == 201 and created.json()["hasUniqueValue"] is True
    item = {"idProperty": "lead_uid", "id": "L-1", "properties": {"firstname": "Lu"}}
    first = client.post("/crm/v3/objects/contacts/batch/upsert", json={"inputs": [item]}).json()["results"][0]
    again = client.post("/crm/v3/objects/contacts/batch/upsert", json={"inputs": [item]}).json()["results"][0]
    assert first["new"] is True and again["new"] is False and first["id"] == again["id"]


# batch update, batch archive, the lifecycle-stage rule
def update(client: httpx.Client, *inputs: dict[str, Any]) -> httpx.Response:
    return client.post("/crm/v3/objects/contacts/batch/update", json={"inputs": list(inputs)})


def by_id(contact_id: str, trace: str | None = None, **props: Any) -> dict[str, Any]:
    item: dict[str, Any] = {"id": contact_id, "properties": props}
    if trace:
        item["objectWriteTraceId"] = trace
    return item


def test_batch_update_writes_clears_records_history_and_always_bumps_the_modified_date(
        hub: tuple[FakeHubSpot, httpx.Client]) -> None:
    fake, client = hub
    a, b = fake.add_contacts([{"email": "a@example.com", "firstname": "A", "phone": "+1 555"},
                              {"email": "b@example.com", "firstname": "B"}])
    fake.advance(30)
    response = update(client, by_id(a, "ta", firstname="Ada", phone=""), by_id(b, "tb"))
    assert response.status_code == 200
    answer = response.json()
    assert answer["status"] == "COMPLETE" and "errors" not in answer and "numErrors" not in answer
    results = {r["objectWriteTraceId"]: r for r in answer["results"]}
    now = iso_from_ms(int((T0 + 30) * 1000))
    assert set(results["ta"]) == {"id", "properties", "createdAt", "updatedAt", "archived", "objectWriteTraceId"}
    assert results["ta"]["id"] == a and results["ta"]["archived"] is False
    assert results["ta"]["properties"] == {"firstname": "Ada", "phone": None, "hs_object_id": a,
                                           "createdate": iso_from_ms(int(T0 * 1000)), "lastmodifieddate": now}
    assert results["tb"]["properties"]["lastmodifieddate"] == now  # nothing changed, the date still moved
    assert {r["updatedAt"] for r in results.values()} == {now} == {answer["completedAt"]}
    stored = fake.contact(a)["properties"]  # type: ignore[index]
    assert stored["firstname"] == "Ada" and "phone" not in stored
    history = fake.property_history("contacts", a, "phone")
    assert [(v["value"], v["sourceType"]) for v in history] == [("", "INTEGRATION"), ("+1 555", "CRM_UI")]


def test_batch_update_unknown_archived_and_invalid_inputs_fail_alone_in_a_207(
        hub: tuple[FakeHubSpot, httpx.Client]) -> None:
    fake, client = hub
    ok, gone = fake.add_contacts([{"email": "ok@example.com"}, {"email": "gone@example.com"}])
    fake.archive_contact(gone)
    fake.advance(5)
    response = update(client, by_id(ok, "ok", firstname="Ok"), by_id("999999", "unknown", firstname="x"),
                      by_id(gone, "archived", firstname="x"), by_id("not-a-number", "bad-id", firstname="x"),
                      by_id(ok + "0", "prop", favourite_colour="red"), by_id("77", "ro", hs_object_id="5"),
                      by_id("78", "ro2", lastmodifieddate="2026-01-01T00:00:00Z"),
                      by_id("79", "option", lifecyclestage="MQL"))
    assert response.status_code == 207
    answer = response.json()
    assert answer["numErrors"] == 7 and [r["objectWriteTraceId"] for r in answer["results"]] == ["ok"]
    errors = {e["context"]["objectWriteTraceId"][0]: e for e in answer["errors"]}
    assert [e["context"]["objectWriteTraceId"][0] for e in answer["errors"]] == [
        "unknown", "archived", "bad-id", "prop", "ro", "ro2", "option"]  # errors keep input order
    for trace in ("unknown", "archived", "bad-id"):
        assert errors[trace]["category"] == "OBJECT_NOT_FOUND" and "may be deleted or not exist" in \
            errors[trace]["message"]
    assert errors["unknown"]["context"]["ids"] == ["999999"]
    codes = {t: errors[t]["errors"][0]["code"] for t in ("prop", "ro", "ro2", "option")}
    assert codes == {"prop": "PROPERTY_DOESNT_EXIST", "ro": "READ_ONLY_VALUE", "ro2": "READ_ONLY_VALUE",
                     "option": "INVALID_OPTION"}
    assert all(errors[t]["category"] == "VALIDATION_ERROR" for t in codes)
    assert fake.contact(gone)["properties"].get("firstname") is None  # type: ignore[index]
    all_bad = update(client, by_id("999999", firstname="x"))
    assert all_bad.status_code == 207 and all_bad.json()["results"] == []


def test_batch_update_rejects_what_hubspot_rejects(hub: tuple[FakeHubSpot, httpx.Client]) -> None:
    fake, client = hub
    cid = fake.add_contact({"email": "a@example.com"})
    cases = [
        ([by_id(str(i)) for i in range(101)], "100"),
        ([{"properties": {}}], "id is required"),
        ([{"id": cid}], "properties"),
        ([by_id(cid, num=17)], "strings"),
        ([by_id(cid, hs_email_optout=False)], "strings"),
        ([by_id(cid), by_id(f" {cid}")], "Duplicate IDs"),
        ([{**by_id("a@example.com"), "idProperty": "email"}], "non-unique 0-1 property email"),
        ([{**by_id(cid), "idProperty": "hs_object_id"}], "non-unique 0-1 property hs_object_id"),
        ([{**by_id("Ada"), "idProperty": "firstname"}], "non-unique 0-1 property firstname"),
    ]
    for inputs, message in cases:
        response = client.post("/crm/v3/objects/contacts/batch/update", json={"inputs": inputs})
        assert response.status_code == 400, message
        assert response.json()["category"] == "VALIDATION_ERROR"
        assert message in response.json()["message"]
    assert client.post("/crm/v3/objects/contacts/batch/update", json={"inputs": []}).status_code == 400
    with pytest.raises(AssertionError, match="batch update input"):
        update(client, {**by_id(cid), "associations": []})
    fake.define_property("contacts", "lead_uid", has_unique_value=True)
    fake.update_contact(cid, {"lead_uid": "L-1"})
    by_uid = update(client, {**by_id("l-1", "t", firstname="Uid"), "idProperty": "lead_uid"})
    assert by_uid.status_code == 200 and by_uid.json()["results"][0]["id"] == cid
    missing = update(client, {**by_id("L-2", "t", firstname="Uid"), "idProperty": "lead_uid"})
    assert missing.status_code == 207 and missing.json()["errors"][0]["category"] == "OBJECT_NOT_FOUND"


def test_batch_update_of_a_merged_away_id_writes_the_survivor_like_batch_read_reads_it() -> None:
    for merged_read, status in (("survivor", 200), ("not_found", 207)):
        fake, client = make(rate_limits=False, merged_read=merged_read)
        primary, loser = fake.add_contacts([{"email": "p@example.com"}, {"email": "l@example.com"}])
        fake.merge_contacts(primary, loser)
        response = update(client, by_id(loser, "t", jobtitle="CTO"))
        assert response.status_code == status
        if status == 200:
            assert response.json()["results"][0]["id"] == primary
            assert fake.contact(primary)["properties"]["jobtitle"] == "CTO"  # type: ignore[index]
        else:
            assert response.json()["errors"][0]["category"] == "OBJECT_NOT_FOUND"


def test_lifecycle_stage_cannot_move_backwards_until_cleared(hub: tuple[FakeHubSpot, httpx.Client]) -> None:
    fake, client = hub
    cid = fake.add_contact({"email": "life@example.com", "lifecyclestage": "customer"})
    fake.advance(1)
    for response in (update(client, by_id(cid, "t", lifecyclestage="lead", firstname="Lee")),
                     upsert(client, by_email("life@example.com", "t", lifecyclestage="lead", firstname="Lee"))):
        assert response.status_code == 207
        error = response.json()["errors"][0]
        assert error["category"] == "VALIDATION_ERROR" and "cannot move backwards" in error["message"]
        assert error["errors"][0]["code"] == "LIFECYCLE_STAGE_BACKWARDS" and error["context"]["ids"]
        stored = fake.contact(cid)["properties"]  # type: ignore[index]
        assert stored["lifecyclestage"] == "customer" and "firstname" not in stored  # the input wrote nothing
    assert update(client, by_id(cid, lifecyclestage="evangelist")).status_code == 200  # forward is fine
    assert update(client, by_id(cid, lifecyclestage="evangelist")).status_code == 200  # so is the same stage
    cleared = update(client, by_id(cid, lifecyclestage=""))
    assert cleared.status_code == 200 and cleared.json()["results"][0]["properties"]["lifecyclestage"] is None
    again = update(client, by_id(cid, lifecyclestage="lead"))  # the second request may set an earlier stage
    assert again.status_code == 200
    assert fake.contact(cid)["properties"]["lifecyclestage"] == "lead"  # type: ignore[index]
    history = fake.property_history("contacts", cid, "lifecyclestage")
    assert [v["value"] for v in history] == ["lead", "", "evangelist", "customer"]  # a same-value write adds none
    new = upsert(client, by_email("fresh@example.com", lifecyclestage="subscriber"))
    assert new.status_code == 200  # creating is not moving
    fake.update_contact(cid, {"lifecyclestage": "subscriber"})  # a rep in the UI is not restricted here


def test_lifecycle_backwards_ignore_mode_is_a_silent_no_op() -> None:
    fake, client = make(rate_limits=False, lifecycle_backwards="ignore")
    cid = fake.add_contact({"email": "quiet@example.com", "lifecyclestage": "opportunity"})
    response = update(client, by_id(cid, "t", lifecyclestage="lead", firstname="Quinn"))
    assert response.status_code == 200
    echoed = response.json()["results"][0]["properties"]
    assert echoed["lifecyclestage"] == "opportunity" and echoed["firstname"] == "Quinn"  # only the echo tells
    assert fake.contact(cid)["properties"]["lifecyclestage"] == "opportunity"  # type: ignore[index]
    with pytest.raises(ValueError, match="lifecycle_backwards"):
        FakeHubSpot(lifecycle_backwards="sometimes")


def test_upsert_and_update_results_carry_the_new_modified_date_as_updated_at(
        hub: tuple[FakeHubSpot, httpx.Client]) -> None:
    fake, client = hub
    old = fake.add_contacts([{"email": f"u{i}@example.com"} for i in range(3)])
    fake.advance(42)
    now = iso_from_ms(int((T0 + 42) * 1000))
    upserted = upsert(client, *[by_email(f"u{i}@example.com", f"t{i}") for i in range(5)]).json()["results"]
    assert len(upserted) == 5 and {r["updatedAt"] for r in upserted} == {now}
    assert all(r["properties"]["lastmodifieddate"] == r["updatedAt"] for r in upserted)
    fake.advance(1)
    updated = update(client, *[by_id(i) for i in old]).json()["results"]
    assert {r["updatedAt"] for r in updated} == {iso_from_ms(int((T0 + 43) * 1000))}
    assert {r["id"] for r in updated} == set(old)


def test_batch_archive_answers_204_whatever_the_ids_and_keeps_the_modified_date(
        hub: tuple[FakeHubSpot, httpx.Client]) -> None:
    fake, client = hub
    keep, gone, also = fake.add_contacts([{"email": f"{n}@example.com"} for n in ("keep", "gone", "also")])
    before = fake.contact(gone)["properties"]["lastmodifieddate"]  # type: ignore[index]
    fake.advance(60)
    response = client.post("/crm/v3/objects/contacts/batch/archive",
                           json={"inputs": [{"id": gone}, {"id": "999999"}, {"id": int(gone)}]})
    assert response.status_code == 204 and response.content == b""
    assert ids_of(client.get("/crm/v3/objects/contacts")) == [keep, also]
    archived = client.get("/crm/v3/objects/contacts", params={"archived": "true"}).json()["results"]
    assert [r["id"] for r in archived] == [gone] and archived[0]["archivedAt"] == iso_from_ms(int((T0 + 60) * 1000))
    assert archived[0]["properties"]["lastmodifieddate"] == before
    again = client.post("/crm/v3/objects/contacts/batch/archive", json={"inputs": [{"id": gone}]})
    assert again.status_code == 204  # already archived: still 204
    assert update(client, by_id(gone, firstname="x")).status_code == 207  # archived records cannot be updated
    upserted = upsert(client, by_email("gone@example.com", "t")).json()["results"][0]
    assert upserted["new"] is True and upserted["id"] != gone  # its email was freed
    too_many = {"inputs": [{"id": str(i)} for i in range(101)]}
    assert client.post("/crm/v3/objects/contacts/batch/archive", json=too_many).status_code == 400
    assert client.post("/crm/v3/objects/contacts/batch/archive", json={"inputs": [{"id": "a@b.co"}]}).status_code \
        == 400
    single = client.delete(f"/crm/v3/objects/contacts/{also}")
    assert single.status_code == 204 and fake.contact(also)["archived"] is True  # type: ignore[index]
    assert client.delete("/crm/v3/objects/contacts/999999").status_code == 204
    with pytest.raises(AssertionError, match="outside the contract"):
        client.patch(f"/crm/v3/objects/contacts/{keep}", json={"properties": {}})


# merge
def test_merge_moves_the_loser_into_the_survivor(hub: tuple[FakeHubSpot, httpx.Client]) -> None:
    fake, client = hub
    primary, loser = fake.add_contacts([{"email": "p@example.com", "firstname": "Pat"},
                                        {"email": "l@example.com", "firstname": "Lee", "jobtitle": "CTO"}])
    deal = fake.add_deal({"dealname": "Big", "amount": 100}, [loser])
    response = client.post("/crm/v3/objects/contacts/merge", json={"primaryObjectId": primary,
                                                                    "objectIdToMerge": loser})
    assert response.status_code == 200
    survivor = fake.contact(primary)["properties"]  # type: ignore[index]
    assert survivor["hs_merged_object_ids"] == loser and survivor["jobtitle"] == "CTO"
    assert survivor["firstname"] == "Pat" and survivor["hs_additional_emails"] == "l@example.com"
    assert ids_of(client.get("/crm/v3/objects/contacts")) == [primary]
    assert ids_of(search(client)) == [primary]
    read = client.post("/crm/v3/objects/contacts/batch/read", json={"inputs": [{"id": loser}]})
    assert read.status_code == 200 and ids_of(read) == [primary]  # HubSpot answers the survivor
    links = client.post("/crm/v4/associations/deals/contacts/batch/read", json={"inputs": [{"id": deal}]})
    assert links.json()["results"][0]["to"][0]["toObjectId"] == int(primary)
    assert client.post("/crm/v3/objects/contacts/merge", json={"primaryObjectId": primary,
                                                                "objectIdToMerge": loser}).status_code == 404
    fake2, client2 = make(rate_limits=False, merged_read="not_found")
    a, b = fake2.add_contacts([{"email": "a@example.com"}, {"email": "b@example.com"}])
    fake2.merge_contacts(a, b)
    assert client2.post("/crm/v3/objects/contacts/batch/read", json={"inputs": [{"id": b}]}).status_code == 207


# properties, owners, associations, usage
def test_properties_and_groups(hub: tuple[FakeHubSpot, httpx.Client]) -> None:
    _, client = hub
    listed = {p["name"]: p for p in client.get("/crm/v3/properties/contacts").json()["results"]}
    for name in ("email", "hs_merged_object_ids", "hs_lifecyclestage_marketingqualifiedlead_date",
                 "hs_analytics_num_visits", "hs_email_last_reply_date", "hubspot_owner_id"):
        assert name in listed
    assert listed["email"]["hasUniqueValue"] is True and listed["email"]["hubspotDefined"] is True
    assert listed["lastmodifieddate"]["type"] == "datetime"
    deals = {p["name"] for p in client.get("/crm/v3/properties/deals").json()["results"]}
    assert {"dealstage", "hs_is_closed_won", "hs_lastmodifieddate", "deal_currency_code"} <= deals
    group = {"name": "lead_etl", "label": "Lead ETL"}
    assert client.post("/crm/v3/properties/contacts/groups", json=group).status_code == 201
    assert client.post("/crm/v3/properties/contacts/groups", json=group).status_code == 409
    assert "lead_etl" in {g["name"] for g in client.get("/crm/v3/properties/contacts/groups").json()["results"]}
    prop = {"name": "lead_score", "label": "Lead score", "type": "number", "fieldType": "number",
            "groupName": "lead_etl"}
    assert client.post("/crm/v3/properties/contacts", json=prop).status_code == 201
    assert client.post("/crm/v3/properties/contacts", json=prop).status_code == 409
    assert client.post("/crm/v3/properties/contacts", json={**prop, "name": "x", "groupName": "nope"}
                       ).status_code == 400
    assert upsert(client, by_email("s@example.com", lead_score="82")).status_code == 200
    assert upsert(client, by_email("s@example.com", lead_score="high")).status_code == 207


def test_owners_page_and_filter_archived(hub: tuple[FakeHubSpot, httpx.Client]) -> None:
    fake, client = hub
    owners = [fake.add_owner(f"rep{i}@example.com", "Rep", str(i), teams=["West"]) for i in range(3)]
    fake.add_owner("gone@example.com", archived=True)
    page = client.get("/crm/v3/owners", params={"limit": 2}).json()
    rest = client.get("/crm/v3/owners", params={"limit": 2, "after": page["paging"]["next"]["after"]}).json()
    assert ids_of_list(page) + ids_of_list(rest) == owners and "paging" not in rest
    assert page["results"][0]["teams"] == [{"id": "900", "name": "West", "primary": True}]
    assert len(client.get("/crm/v3/owners", params={"archived": "true"}).json()["results"]) == 1
    assert client.get("/crm/v3/owners", params={"limit": 501}).status_code == 400


def test_association_batch_read(hub: tuple[FakeHubSpot, httpx.Client]) -> None:
    fake, client = hub
    alone, linked = fake.add_contacts([{"email": "alone@example.com"}, {"email": "linked@example.com"}])
    meeting = fake.add_engagement("meetings", {"hs_meeting_title": "Demo"}, [linked])
    url = "/crm/v4/associations/contacts/meetings/batch/read"
    answer = client.post(url, json={"inputs": [{"id": alone}, {"id": linked}]}).json()
    assert answer["results"] == [{"from": {"id": linked}, "to": [{"toObjectId": int(meeting), "associationTypes": [
        {"category": "HUBSPOT_DEFINED", "typeId": 199, "label": None}]}]}]
    assert client.post(url, json={"inputs": [{"id": "1"}] * 1001}).status_code == 400
    fake2, client2 = make(rate_limits=False, association_misses="207")
    lonely = fake2.add_contact({"email": "x@example.com"})
    missed = client2.post(url, json={"inputs": [{"id": lonely}]})
    assert missed.status_code == 207 and missed.json()["errors"][0]["context"]["fromObjectId"] == [lonely]


def test_daily_usage_endpoint_counts_calls() -> None:
    fake, client = make()
    client.get("/crm/v3/objects/contacts")
    usage = client.get("/account-info/v3/api-usage/daily/private-apps").json()["results"][0]
    assert usage["name"] == "private-apps-api-calls-daily" and usage["usageLimit"] == 250_000
    assert usage["currentUsage"] == 2 and usage["fetchStatus"] == "SUCCESS"
    assert ms_from_text(usage["resetsAt"]) == (int(T0 // 86_400) + 1) * 86_400_000


# rate limits
def test_ten_secondly_limit_with_headers_and_rolling_window() -> None:
    fake, client = make()
    answers = [client.get("/crm/v3/objects/contacts") for _ in range(101)]
    assert [a.status_code for a in answers[:100]] == [200] * 100
    assert answers[0].headers["X-HubSpot-RateLimit-Max"] == "100"
    assert answers[0].headers["X-HubSpot-RateLimit-Remaining"] == "99"
    assert answers[0].headers["X-HubSpot-RateLimit-Interval-Milliseconds"] == "10000"
    assert answers[0].headers["X-HubSpot-RateLimit-Daily-Remaining"] == "249999"
    throttled = answers[100]
    assert throttled.status_code == 429
    body = throttled.json()
    assert body["policyName"] == "TEN_SECONDLY_ROLLING" and body["errorType"] == "RATE_LIMIT"
    assert body["message"] == "You have reached your ten_secondly_rolling limit."
    assert body["groupName"] == "publicapi:private-app:1234"
    assert "Retry-After" in throttled.headers  # first 429 carries it ...
    assert "Retry-After" not in client.get("/crm/v3/objects/contacts").headers  # ... the next does not
    assert search(client).status_code == 200  # search has its own window
    fake.advance(9.9)
    assert client.get("/crm/v3/objects/contacts").status_code == 429
    fake.advance(0.2)
    assert client.get("/crm/v3/objects/contacts").status_code == 200
    usage = fake.usage()
    assert usage["policies"]["TEN_SECONDLY_ROLLING"]["used"] == 101  # 429s are not counted
    assert usage["policies"]["TEN_SECONDLY_ROLLING"]["peak"] == 100
    assert fake.throttled() == 3 and fake.count(path_prefix="/crm/v3/objects/contacts", status=200) == 102


def test_search_secondly_limit_and_time_scale() -> None:
    fake, client = make(tier="professional", time_scale=10)
    statuses = [search(client).status_code for _ in range(6)]
    assert statuses == [200] * 5 + [429]
    limited = search(client)
    assert limited.json()["policyName"] == "SECONDLY"
    assert limited.json()["message"] == "You have reached your secondly limit."
    assert not any(h.lower().startswith("x-hubspot-ratelimit") for h in limited.headers)
    fake.advance(0.1)  # the 1 s window divided by time_scale 10
    ok = search(client)
    assert ok.status_code == 200 and "X-HubSpot-RateLimit-Max" not in ok.headers
    assert client.get("/crm/v3/objects/contacts").headers["X-HubSpot-RateLimit-Max"] == "190"
    assert client.get("/crm/v3/objects/contacts").headers["X-HubSpot-RateLimit-Interval-Milliseconds"] == "1000"
    assert fake.usage()["policies"]["SECONDLY"]["peak"] == 5


def test_rate_limits_off_still_count_and_retry_after_modes() -> None:
    fake, client = make(rate_limits=False)
    assert all(client.get("/crm/v3/objects/contacts").status_code == 200 for _ in range(150))
    assert fake.usage()["policies"]["TEN_SECONDLY_ROLLING"]["peak"] == 150
    _, always = make(retry_after="always")
    _, never = make(retry_after="never")
    for client_, present in ((always, True), (never, False)):
        answers = [client_.get("/crm/v3/objects/contacts") for _ in range(103)]
        assert all(("Retry-After" in a.headers) is present for a in answers[100:])


def test_daily_limit_policy() -> None:
    limits = RateLimits("starter")
    assert limits.day is not None
    limits.day.limit = 2
    assert limits.admit(False, T0) is None and limits.admit(True, T0) is None  # search counts toward the day
    refused = limits.admit(False, T0 + 20)
    assert refused is not None and refused.policy == "DAILY"
    assert limits.admit(False, (T0 // 86_400 + 1) * 86_400) is None  # a new UTC day


# OAuth
def test_oauth_tokens_expire_after_1800_seconds() -> None:
    fake, _ = make(auth="oauth", client_id="cid", client_secret="sec", refresh_token="rt")
    raw = httpx.Client(transport=httpx.MockTransport(fake), base_url=BASE)
    form = {"grant_type": "refresh_token", "client_id": "cid", "client_secret": "sec", "refresh_token": "rt"}
    granted = raw.post("/oauth/v1/token", data=form).json()
    assert granted["expires_in"] == 1800 and granted["token_type"] == "bearer" and granted["refresh_token"] == "rt"
    assert len(granted["access_token"]) >= 300
    assert raw.post("/oauth/v1/token", data={**form, "refresh_token": "stale"}).json()["status"] == "BAD_REFRESH_TOKEN"
    assert raw.post("/oauth/v1/token", json=form).status_code == 400  # form-encoded only
    auth = {"Authorization": f"Bearer {granted['access_token']}"}
    ok = raw.get("/crm/v3/objects/contacts", headers=auth)
    assert ok.status_code == 200 and "X-HubSpot-RateLimit-Daily" not in ok.headers
    fake.advance(1812)
    expired = raw.get("/crm/v3/objects/contacts", headers=auth)
    assert expired.status_code == 401
    assert expired.json()["category"] == "EXPIRED_AUTHENTICATION"
    assert expired.json()["message"] == "The OAuth token used to make this call expired 12 second(s) ago."
    fresh = raw.post("/oauth/v1/token", data=form).json()["access_token"]
    assert raw.get("/crm/v3/objects/contacts", headers={"Authorization": f"Bearer {fresh}"}).status_code == 200
    assert raw.get("/crm/v3/objects/contacts", headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 401


# faults
def test_injected_faults_come_first_and_match_a_path_prefix(hub: tuple[FakeHubSpot, httpx.Client]) -> None:
    fake, client = hub
    fake.fail_next(1, 503, path_prefix="/crm/v3/objects/contacts/search")
    fake.fail_next(1, 429)
    first = client.get("/crm/v3/objects/contacts")
    assert first.status_code == 429 and first.json()["policyName"] == "TEN_SECONDLY_ROLLING"
    unauthenticated = httpx.Client(transport=httpx.MockTransport(fake), base_url=BASE)
    faulted = unauthenticated.post("/crm/v3/objects/contacts/search", json={})
    assert faulted.status_code == 503 and faulted.json() == {"status": "error", "message": "Service Unavailable",
                                                             "correlationId": faulted.json()["correlationId"]}
    assert client.get("/crm/v3/objects/contacts").status_code == 200
    fake.fail_randomly(0.5, seed=3)
    statuses = [client.get("/crm/v3/objects/contacts").status_code for _ in range(40)]
    assert {s for s in statuses if s != 200} <= {502, 503, 524} and 5 < statuses.count(200) < 35
    fake.reset_faults()
    assert client.get("/crm/v3/objects/contacts").status_code == 200
    assert sum(r["fault"] for r in fake.requests) == 2 + statuses.count(502) + statuses.count(503) + statuses.count(524)


def test_fake_is_deterministic() -> None:
    runs = []
    for _ in range(2):
        fake, client = make(rate_limits=False, seed=7)
        ids = fake.add_contacts([{"email": f"d{i}@example.com"} for i in range(5)])
        runs.append((ids, client.get("/crm/v3/objects/contacts", headers={"Authorization": "Bearer x"}).json()))
    assert runs[0] == runs[1]


# over real HTTP
def test_served_over_loopback_http() -> None:
    with LoopbackServer("tests.fakes.hubspot:FakeHubSpot", tier="professional", search_lag=0.0) as server:
        ids = server.call("add_contacts", [{"email": "loop@example.com", "firstname": "Loop"}])
        server.call("fail_next", 1, 502, path_prefix="/crm/v3/objects/contacts/search")
        with httpx.Client(base_url=server.url, headers={"Authorization": f"Bearer {TOKEN}"}) as client:
            assert client.post("/crm/v3/objects/contacts/search", json={}).status_code == 502
            found = client.post("/crm/v3/objects/contacts/search", json={"properties": ["firstname"]}).json()
            assert [r["id"] for r in found["results"]] == ids
            listed = client.get("/crm/v3/objects/contacts", params={"limit": 1})
            assert listed.headers["X-HubSpot-RateLimit-Max"] == "190"
            written = client.post("/crm/v3/objects/contacts/batch/upsert",
                                  json={"inputs": [by_email("loop@example.com", "t", firstname="Looped")]})
            assert written.json()["results"][0]["new"] is False
        assert server.call("contact", ids[0])["properties"]["firstname"] == "Looped"
        assert server.call("count", path_prefix="/crm/v3/objects/contacts/search") == 2
        assert [r["status"] for r in server.call("requests")] == [502, 200, 200, 200]
        assert server.call("usage")["policies"]["TEN_SECONDLY_ROLLING"]["used"] == 2
