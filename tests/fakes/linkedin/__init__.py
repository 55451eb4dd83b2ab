"""A strict fake of LinkedIn's Marketing API for Lead Sync and ad analytics, with its OAuth endpoint (see fake.py).

Modules: fake (routing, version and protocol headers, tokens, daily limits, the resources), restli
(strict Rest.li 2.0 parameter parsing), state (accounts, versioned forms, responses, analytics and
seeding). Fake time, faults and the request log come from tests/fakes/meta/harness.py.
"""

from tests.fakes.linkedin.fake import FakeLinkedIn

__all__ = ["FakeLinkedIn"]
