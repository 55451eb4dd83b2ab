"""A strict fake of Meta's Graph API for Lead Ads and ads insights (see fake.py).

Modules: fake (routing, tokens, usage budget), edges (forms, leads, insights, debug_token), state
(objects and seeding), errors (the error envelope), harness (fake time, faults, the request log,
shared with the Google Ads and LinkedIn fakes).
"""

from tests.fakes.meta.fake import FakeMeta

__all__ = ["FakeMeta"]
