"""Fakes of the enrichment vendors' APIs as httpx.MockTransport handlers, strict about their contracts.

Each fake holds what the vendor "knows", answers per its documented contract, rejects what the real
API rejects, counts requests and credits, and can be told to throttle, fail or queue the next calls.
A request outside the contract (an unknown path) fails the test with an AssertionError.
"""

from tests.fakes.enrichment.apollo import FakeApollo
from tests.fakes.enrichment.base import FakeVendor
from tests.fakes.enrichment.clearbit import FakeClearbit
from tests.fakes.enrichment.hunter import FakeHunter
from tests.fakes.enrichment.pdl import FakePdl

__all__ = ["FakeApollo", "FakeClearbit", "FakeHunter", "FakePdl", "FakeVendor"]
