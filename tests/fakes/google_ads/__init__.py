"""A strict fake of the Google Ads REST search service and Google's OAuth token endpoint (see fake.py).

Modules: fake (routing, OAuth, headers, quota, paging), gaql (the query parser), resources (fields,
rows, rendering as camelCase JSON), state (accounts, campaigns, submissions, metrics and seeding),
errors (GoogleAdsFailure bodies). Fake time, faults and the request log come from
tests/fakes/meta/harness.py.
"""

from tests.fakes.google_ads.fake import FakeGoogleAds

__all__ = ["FakeGoogleAds"]
