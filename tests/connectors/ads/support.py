"""Running the extract stage against the ad-platform fakes: configs, credentials, what landed in `spend`."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from connectors.store.engine import get_engine
from connectors.store.schema import spend

META_TOKEN = "EAAGfake-system-user-token"
GOOGLE_CLIENT_ID = "fake-client.apps.googleusercontent.com"
GOOGLE_SECRET, GOOGLE_REFRESH = "gcs-secret", "1//0g-refresh"
GOOGLE_DEVELOPER_TOKEN = "dev-token-secret"
LINKEDIN_CLIENT_ID, LINKEDIN_SECRET, LINKEDIN_REFRESH = "86fake", "li-client-secret", "AQX-li-refresh-token"

PAGE, AD_ACCOUNT = "101010101", "202020202"
CUSTOMER, MANAGER = "1234567890", "9876543210"
SPONSORED = "522529623"


def meta_source(**settings: Any) -> dict[str, Any]:
    return {
        "type": "meta",
        "auth": {"access_token": {"env": "META_TOKEN"}},
        "base_url": "https://graph.facebook.com",
        "pages": [PAGE],
        "ad_accounts": [f"act_{AD_ACCOUNT}"],
        **settings,
    }


def google_source(**settings: Any) -> dict[str, Any]:
    return {
        "type": "google_ads",
        "auth": {
            "client_id": GOOGLE_CLIENT_ID,
            "client_secret": {"env": "GOOGLE_CLIENT_SECRET"},
            "refresh_token": {"env": "GOOGLE_REFRESH_TOKEN"},
            "developer_token": {"env": "GOOGLE_DEVELOPER_TOKEN"},
        },
        "base_url": "https://googleads.googleapis.com",
        "customer_ids": ["123-456-7890"],
        "login_customer_id": "987-654-3210",
        **settings,
    }


def linkedin_source(**settings: Any) -> dict[str, Any]:
    return {
        "type": "linkedin",
        "auth": {
            "client_id": LINKEDIN_CLIENT_ID,
            "client_secret": {"env": "LINKEDIN_CLIENT_SECRET"},
            "refresh_token": {"env": "LINKEDIN_REFRESH_TOKEN"},
        },
        "base_url": "https://api.linkedin.com",
        "accounts": [SPONSORED],
        **settings,
    }


def set_ad_credentials(monkeypatch: Any) -> None:
    monkeypatch.setenv("META_TOKEN", META_TOKEN)
    monkeypatch.setenv("GOOGLE_CLIENT_SECRET", GOOGLE_SECRET)
    monkeypatch.setenv("GOOGLE_REFRESH_TOKEN", GOOGLE_REFRESH)
    monkeypatch.setenv("GOOGLE_DEVELOPER_TOKEN", GOOGLE_DEVELOPER_TOKEN)
    monkeypatch.setenv("LINKEDIN_CLIENT_SECRET", LINKEDIN_SECRET)
    monkeypatch.setenv("LINKEDIN_REFRESH_TOKEN", LINKEDIN_REFRESH)


def spend_rows(database_url: str, platform: str) -> dict[tuple[str, str, str], dict[str, Any]]:
    """(campaign, ad, day) → the landed row, for one platform."""
    with get_engine(database_url).connect() as conn:
        rows = conn.execute(select(spend).where(spend.c.platform == platform))
        return {(r.campaign_id, r.ad_id, r.day.isoformat()): r._asdict() for r in rows}
