"""FakeMeta: the Graph API edges of Meta Lead Ads and ads insights, behind MockTransport or LoopbackServer.

`FakeMeta(**json_kwargs)` is an httpx handler; serve it with
`LoopbackServer("tests.fakes.meta:FakeMeta", **json_kwargs)`. Requests may come on any host.

Order of checks, as the Graph API layers them: an injected fault; the path's version (one no
longer served → 400 code 2635); the token (none → 104; unknown → 190; expired → 190 subcode 463);
the hourly usage budget (at 100% → 400 with a throttling code and the regain estimate); routing
(outside the contract → AssertionError); the object (an unknown id → 100 subcode 33; a missing
permission → 200); then the edge. Every answer, errors included, carries `X-App-Usage` and
`X-Business-Use-Case-Usage`, climbing toward 100 as calls within the last hour approach
`hourly_capacity`, with `estimated_time_to_regain_access` (minutes) once it is reached.
"""

from __future__ import annotations

import json
import math
import re
from collections import deque
from typing import Any, Unpack
from urllib.parse import parse_qsl, urlencode

import httpx

from tests.fakes.meta import edges
from tests.fakes.meta.errors import GraphError, fault_body, throttled
from tests.fakes.meta.harness import FakeTime, Harness
from tests.fakes.meta.state import DEFAULT_SCOPES, Seeding

VERSION_PATH = re.compile(r"^/(v[0-9]+\.0)(/.*)$")
HOUR = 3600.0


class FakeMeta(Harness, Seeding):
    def __init__(
        self,
        *,
        access_token: str = "EAAGfake-system-user-token",
        token_type: str = "SYSTEM_USER",
        token_lifetime: float | None = None,
        data_access_lifetime: float | None = None,
        scopes: list[str] | None = None,
        versions: list[str] | None = None,
        hourly_capacity: int | None = None,
        business_id: str = "1000000001",
        page_cap: int = 100,
        **timing: Unpack[FakeTime],
    ) -> None:
        super().__init__(**timing)
        self._init_state()
        self.versions = list(versions or ["v24.0", "v25.0", "v26.0"])
        self.hourly_capacity = hourly_capacity
        self.business_id = business_id
        self.page_cap = page_cap
        self.calls: deque[float] = deque()
        self._throttles: list[tuple[int, float]] = []
        self._regain = 0.0
        self.tokens: dict[str, dict[str, Any]] = {}
        self.add_token(access_token, token_lifetime, scopes, token_type, data_access_lifetime)

    # what tests call, beyond seeding

    def add_token(
        self,
        token: str,
        lifetime: float | None = None,
        scopes: list[str] | None = None,
        token_type: str = "SYSTEM_USER",
        data_access_lifetime: float | None = None,
    ) -> str:
        """A token Meta knows; `lifetime` seconds from now (None: it never expires, expires_at 0)."""
        now = self.now()
        self.tokens[token] = {
            "expires_at": now + lifetime if lifetime is not None else 0,
            "data_access_expires_at": now + data_access_lifetime if data_access_lifetime is not None else 0,
            "scopes": list(DEFAULT_SCOPES if scopes is None else scopes),
            "type": token_type,
            "app_id": "1234567890",
            "user_id": "1000000000000001",
            "valid": True,
        }
        return token

    def revoke_token(self, token: str) -> None:
        self.tokens[token]["valid"] = False

    def throttle_next(self, times: int, code: int = 17, regain_minutes: float = 0) -> None:
        """The next `times` Graph calls answer the throttling error `code` (4, 17, 32, 613, 80004)."""
        self._throttles += [(code, regain_minutes)] * times

    def usage_percent(self) -> int:
        if not self.hourly_capacity:
            return 0
        now = self.now()
        while self.calls and now - self.calls[0] >= HOUR:
            self.calls.popleft()
        return min(100, math.floor(100 * len(self.calls) / self.hourly_capacity))

    def fault_body(self, status: int) -> Any:
        return fault_body(status)

    # the handler

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self._regain = 0.0
        response = super().__call__(request)
        self._usage_headers(response, self._regain)
        return response

    def _answer(self, request: httpx.Request) -> httpx.Response:
        try:
            return self._serve(request)
        except GraphError as error:
            return error.response()

    def _serve(self, request: httpx.Request) -> httpx.Response:
        match = VERSION_PATH.match(request.url.path)
        if match is None:
            raise AssertionError(f"request outside the contract: {request.method} {request.url.path}")
        version, rest = match.groups()
        if version not in self.versions:
            raise GraphError(
                2635,
                f"(#2635) You are calling a deprecated version of the Ads API. Please update to "
                f"the latest version: {self.versions[-1]}.",
            )
        params = dict(parse_qsl(request.url.query.decode(), keep_blank_values=True))
        token = self._token(request, params)
        self._charge()
        if request.method != "GET":
            raise AssertionError(f"request outside the contract: {request.method} {request.url.path}")
        url = self._base_url(request, params)
        return httpx.Response(
            200, json=self._route(rest, params, token, url), headers={"facebook-api-version": version}
        )

    def _route(self, rest: str, params: dict[str, str], token: dict[str, Any], url: str) -> Any:
        parts = rest.strip("/").split("/")
        if parts == ["debug_token"]:
            edges.only(params, frozenset({"input_token", "access_token"}), "GET /debug_token")
            return edges.debug_info(self.tokens.get(params.get("input_token", "")), self.now())
        if len(parts) != 2:
            raise AssertionError(f"request outside the contract: GET {rest}")
        node, edge = parts
        if edge == "leadgen_forms":
            edges.require(node in self.pages, _no_object(node))
            forms = [f for f in self.forms.values() if f.page_id == node]
            return edges.form_page(forms, params, url)
        if edge == "leads":
            edges.require(node in self.forms, _no_object(node))
            edges.require("leads_retrieval" in token["scopes"], _permission("leads_retrieval"))
            return edges.lead_page(self.forms[node], params, url, self.page_cap)
        if edge == "insights" and node.startswith("act_"):
            account = self.accounts.get(node.removeprefix("act_"))
            edges.require(account is not None, _no_object(node))
            edges.require("ads_read" in token["scopes"], _permission("ads_read"))
            return edges.insights_page(account, params, url)
        raise AssertionError(f"request outside the contract: GET {rest}")

    def _token(self, request: httpx.Request, params: dict[str, str]) -> dict[str, Any]:
        scheme, _, value = request.headers.get("Authorization", "").partition(" ")
        given = value.strip() if scheme.lower() in ("bearer", "oauth") else params.get("access_token", "")
        if not given:
            raise GraphError(104, "An access token is required to request this resource.")
        token = self.tokens.get(given)
        if token is None or not token["valid"]:
            raise GraphError(190, "Invalid OAuth access token - Cannot parse access token")
        if token["expires_at"] and self.now() >= token["expires_at"]:
            raise GraphError(190, "Error validating access token: Session has expired.", subcode=463)
        return token

    def _charge(self) -> None:
        if self._throttles:
            code, minutes = self._throttles.pop(0)
            self._regain = minutes
            raise throttled(code)
        if self.hourly_capacity and self.usage_percent() >= 100:
            self._regain = max(1.0, math.ceil((self.calls[0] + HOUR - self.now()) / 60))
            raise throttled(80004)
        self.calls.append(self.now())

    def _usage_headers(self, response: httpx.Response, regain: float) -> None:
        percent = self.usage_percent()
        app = {"call_count": percent, "total_cputime": percent // 2, "total_time": percent // 2}
        case = {"type": "ads_management", **app, "estimated_time_to_regain_access": int(regain)}
        response.headers["X-App-Usage"] = json.dumps(app)
        response.headers["X-Business-Use-Case-Usage"] = json.dumps({self.business_id: [case]})

    @staticmethod
    def _base_url(request: httpx.Request, params: dict[str, str]) -> str:
        kept = {k: v for k, v in params.items() if k not in ("after", "before")}
        base = str(request.url.copy_with(query=None))
        return f"{base}?{urlencode(kept)}" if kept else base


def _no_object(node: str) -> GraphError:
    return GraphError(
        100,
        f"Unsupported get request. Object with ID '{node}' does not exist, cannot be loaded due "
        "to missing permissions, or does not support this operation",
        subcode=33,
        kind="GraphMethodException",
    )


def _permission(scope: str) -> GraphError:
    return GraphError(200, f"(#200) Requires {scope} permission to manage the object")
