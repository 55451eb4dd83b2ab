"""LinkedIn's refresh-token grant, remembering how long the refresh token itself has left.

Programmatic refresh tokens last 365 days from the member's original grant. Each refresh mints a
new 60-day access token and reports `refresh_token_expires_in`, which only shrinks: a year after
the grant the member must authorise the app again, and nothing a job does can avoid that. The
source turns the number into a warning `reauth_warning` ahead of time.
"""

from __future__ import annotations

from collections.abc import Generator

import httpx

from connectors.http.oauth import RefreshingToken


class LinkedInToken(RefreshingToken):
    """RefreshingToken that keeps the `refresh_token_expires_in` of the last refresh (seconds)."""

    refresh_expires_in: float | None = None

    def sync_auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        flow = super().sync_auth_flow(request)
        outgoing = next(flow)
        while True:
            response = yield outgoing
            response.read()  # a streamed token answer must be read before the flow decodes it
            if outgoing is not request and response.status_code == 200:
                self._remember(response)
            try:
                outgoing = flow.send(response)
            except StopIteration:
                return

    def _remember(self, response: httpx.Response) -> None:
        try:
            left = response.json().get("refresh_token_expires_in")
        except (ValueError, AttributeError):
            return
        if isinstance(left, int | float):
            self.refresh_expires_in = float(left)

    def __repr__(self) -> str:
        return "LinkedInToken(client_secret=SecretStr('**********'), refresh_token=SecretStr('**********'))"
