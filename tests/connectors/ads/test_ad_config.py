"""The ad sources' config: ids normalised as the platforms take them, every mistake named by key."""

from __future__ import annotations

from datetime import timedelta

import pytest

from connectors.mapping import field_mapping, mapping_hash
from leads.config import ConfigError, parse_config
from tests.connectors.ads.support import google_source, linkedin_source, meta_source


def problems(source: dict) -> list[str]:
    with pytest.raises(ConfigError) as bad:
        parse_config({"sources": {"ads": source}})
    return bad.value.problems


def test_ids_are_kept_as_digits_the_way_the_platforms_take_them():
    config = parse_config(
        {
            "sources": {
                "m": meta_source(),
                "g": google_source(),
                "l": linkedin_source(accounts=["urn:li:sponsoredAccount:522529623"], version=202606),
            }
        }
    )
    meta, google, linkedin = config.sources["m"], config.sources["g"], config.sources["l"]
    assert meta.ad_accounts == ["202020202"] and meta.lookback == timedelta(hours=1)
    assert (google.customer_ids, google.login_customer_id) == (["1234567890"], "9876543210")
    assert (linkedin.accounts, linkedin.version) == (["522529623"], "202606")
    assert meta.quota.stop_at_share == 0.95 and google.quota.stop_at_share == 0.8


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        (meta_source(pages=["my-page"]), "sources.ads.pages: expected a Page or form id of digits"),
        (meta_source(ad_accounts=[]), "sources.ads: ad_accounts: expected at least one ad account id"),
        (meta_source(api_version="26"), "sources.ads.api_version: expected a Graph API version such as v26.0"),
        (meta_source(spend_lookback="36h"), "sources.ads.spend_lookback: expected a whole number of days"),
        (google_source(customer_ids=["12-ab"]), "sources.ads.customer_ids: expected a customer id of digits"),
        (google_source(api_version="v26.0"), "sources.ads.api_version: expected a Google Ads API version"),
        (linkedin_source(version="2026-06"), "sources.ads.version: expected a monthly version YYYYMM"),
        (linkedin_source(auth={"client_id": "x"}), "sources.ads.auth: expected all of 'client_id', 'client_secret'"),
        (linkedin_source(accounts=[]), "sources.ads.accounts: List should have at least 1 item"),
    ],
)
def test_mistakes_name_the_key_and_what_was_expected(source, expected):
    assert any(p.startswith(expected) for p in problems(source)), problems(source)


def test_the_default_mappings_carry_the_attribution_and_can_be_overridden():
    config = parse_config(
        {
            "sources": {
                "m": meta_source(mapping={"job_title": "what_is_your_role?", "city": None}),
                "g": google_source(),
                "l": linkedin_source(),
            }
        }
    )
    meta = field_mapping(config.sources["m"])
    assert meta["job_title"] == "what_is_your_role?" and "city" not in meta
    assert {"campaign_id", "adset_id", "ad_id", "form_id", "platform", "is_organic"} <= set(meta)
    assert field_mapping(config.sources["g"])["gclid"] == "gclid"
    assert field_mapping(config.sources["l"])["ad_id"] == "ad_id"
    assert mapping_hash(config.sources["m"]) != mapping_hash(
        parse_config({"sources": {"m": meta_source()}}).sources["m"]
    )
