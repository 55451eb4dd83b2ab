"""The client factory and the auth classes: headers, base URL, and keys that never show."""

from __future__ import annotations

import logging

import httpx
import pytest

from connectors.http.auth import ApiKeyHeader, ApiKeyQuery, BearerToken, auth_secrets
from connectors.http.client import USER_AGENT, make_client, redact_url

KEY = "sk-live-0123456789abcdef"


def echo(request: httpx.Request) -> httpx.Response:
    return httpx.Response(200, json={"url": str(request.url), "headers": dict(request.headers)})


def test_client_sends_user_agent_to_the_overridden_base_url():
    client = make_client("http://127.0.0.1:9999/sandbox", timeout=3.0, transport=httpx.MockTransport(echo))
    body = client.get("/v2/thing", params={"q": "1"}).json()
    assert body["url"] == "http://127.0.0.1:9999/sandbox/v2/thing?q=1"
    assert body["headers"]["user-agent"] == USER_AGENT
    assert USER_AGENT.startswith("leads-etl/")
    assert client.timeout.read == 3.0


def test_extra_headers_and_client_auth():
    client = make_client(
        "https://api.example.test",
        timeout=5,
        auth=BearerToken(KEY),
        headers={"X-Extra": "1"},
        transport=httpx.MockTransport(echo),
    )
    headers = client.get("/").json()["headers"]
    assert headers["authorization"] == f"Bearer {KEY}"
    assert headers["x-extra"] == "1"


@pytest.mark.parametrize(
    ("auth", "where"),
    [
        (ApiKeyHeader("X-Api-Key", KEY), "header"),
        (ApiKeyQuery("api_key", KEY), "query"),
        (BearerToken(KEY), "bearer"),
    ],
)
def test_auth_places_the_key_and_hides_it_in_reprs(auth, where):
    client = make_client("https://api.example.test", timeout=5, transport=httpx.MockTransport(echo))
    body = client.get("/x", auth=auth).json()
    if where == "header":
        assert body["headers"]["x-api-key"] == KEY
    elif where == "query":
        assert body["url"].endswith(f"?api_key={KEY}")
    else:
        assert body["headers"]["authorization"] == f"Bearer {KEY}"
    assert KEY not in repr(auth) and KEY not in str(auth)
    assert auth_secrets(auth) == (KEY,)


def test_a_resent_request_carries_the_query_key_once():
    auth = ApiKeyQuery("api_key", KEY)
    client = make_client("https://api.example.test", timeout=5, transport=httpx.MockTransport(echo))
    request = client.build_request("GET", "/v2/email-verifier", params={"email": "a@b.example"})
    client.send(request, auth=auth)
    url = client.send(request, auth=auth).json()["url"]
    assert url.count("api_key=") == 1


def test_httpx_request_log_masks_the_query_key(caplog):
    client = make_client("https://api.example.test", timeout=5, transport=httpx.MockTransport(echo))
    with caplog.at_level(logging.INFO, logger="httpx"):
        client.get("/v2/email-verifier", params={"email": "a@b.example"}, auth=ApiKeyQuery("api_key", KEY))
    assert caplog.records, "httpx logs each request at INFO"
    assert all(KEY not in record.getMessage() for record in caplog.records)
    assert "api_key=[redacted]" in caplog.records[-1].getMessage()


def test_redact_url_masks_only_credential_parameters():
    assert redact_url(f"https://h/p?email=a%40b&api_key={KEY}&x=1") == "https://h/p?email=a%40b&api_key=[redacted]&x=1"
