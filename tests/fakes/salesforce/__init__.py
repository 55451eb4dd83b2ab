"""A strict fake of the Salesforce REST API and Bulk API 2.0 query jobs (see fake.py)."""

from tests.fakes.salesforce.fake import DEFAULT_INSTANCE_URL, FakeSalesforce

__all__ = ["DEFAULT_INSTANCE_URL", "FakeSalesforce"]
