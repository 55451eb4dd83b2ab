"""The contract every source keeps, run against each kind: files, HubSpot, Salesforce, Meta, Google Ads, LinkedIn.

- it pages to the end (everything is landed, more records than one page);
- it honours its cursor (a rerun with no change lands nothing) and its lookback (a change stamped
  just behind the watermark, as a lagging index or a late export row gives, is still read);
- it resumes after a crash without gaps or duplicates;
- API sources retry what is retriable, fail fast and clearly on fatal answers and bad
  credentials (naming no secret), and never send faster than the configured rate.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from tasks import extract as extract_module
from tests.conftest import crm_row, crm_source, write_crm
from tests.connectors.ads.support import (
    AD_ACCOUNT,
    CUSTOMER,
    GOOGLE_CLIENT_ID,
    LINKEDIN_CLIENT_ID,
    MANAGER,
    PAGE,
    SPONSORED,
    google_source,
    linkedin_source,
    meta_source,
    set_ad_credentials,
)
from tests.connectors.crm.support import (
    HUBSPOT_TOKEN,
    SF_REFRESH,
    hubspot_source,
    landed,
    run_extract,
    salesforce_source,
    set_credentials,
    write_crm_config,
)
from tests.fakes.google_ads import FakeGoogleAds
from tests.fakes.hubspot import FakeHubSpot
from tests.fakes.linkedin import FakeLinkedIn
from tests.fakes.meta import FakeMeta
from tests.fakes.salesforce import FakeSalesforce

pytestmark = pytest.mark.postgres
N = 260  # more than two pages everywhere (pages of 100)


class Kind(ABC):
    """One kind of source behind the contract: how to seed it, change it and read it."""

    name = "src"
    lookback = timedelta(minutes=10)

    def __init__(self, tmp_path: Path, database_url: str) -> None:
        self.tmp_path, self.database_url = tmp_path, database_url

    def config(self, **settings: Any) -> Path:
        return write_crm_config(self.tmp_path, self.database_url, {self.name: self.source(**settings)}, chunk_size=100)

    def extract(self, run_id: str, transport: httpx.BaseTransport | None = None) -> dict[str, Any]:
        return run_extract(self.config(), run_id, {self.name: transport or self.transport()}, self.name, self.clock)

    clock = None

    @abstractmethod
    def source(self, **settings: Any) -> dict[str, Any]: ...

    @abstractmethod
    def seed(self, n: int) -> list[str]:
        """n records, last changed a day ago; their ids."""

    @abstractmethod
    def change(self, record_id: str, behind: timedelta = timedelta(0)) -> None:
        """Change one record, stamped `behind` before now."""

    def transport(self) -> httpx.BaseTransport:
        return httpx.MockTransport(lambda r: httpx.Response(500))


class FileKind(Kind):
    lookback = timedelta(hours=1)

    def source(self, **settings: Any) -> dict[str, Any]:
        return crm_source(self.path, lookback="1h", **settings)

    def seed(self, n: int) -> list[str]:
        self.path = self.tmp_path / "crm.csv"
        start = datetime.now(UTC) - timedelta(days=2)
        self.when = {i: start + timedelta(minutes=i) for i in range(n)}  # a minute apart: the cursor's precision
        self.companies = {i: None for i in range(n)}
        self._write()
        return [str(1000 + i) for i in range(n)]

    def change(self, record_id: str, behind: timedelta = timedelta(0)) -> None:
        i = int(record_id) - 1000
        self.when[i] = max(self.when.values()) - behind if behind else datetime.now(UTC)
        self.companies[i] = f"Changed {i}"
        self._write()

    def _write(self) -> None:
        rows = [crm_row(i, modified=f"{t:%Y-%m-%d %H:%M}", company=self.companies[i]) for i, t in self.when.items()]
        write_crm(self.path, rows)


class HubSpotKind(Kind):
    name = "hubspot"

    def __init__(self, tmp_path: Path, database_url: str) -> None:
        super().__init__(tmp_path, database_url)
        self.fake = FakeHubSpot()
        self.clock = self.fake.now

    def source(self, **settings: Any) -> dict[str, Any]:
        return hubspot_source(page_size=100, activities=False, deals=False, owners=False, **settings)

    def seed(self, n: int) -> list[str]:
        day_ago = int((self.fake.now() - 86400) * 1000)
        people = [{"email": f"p{i}@corp.example", "firstname": "Ann", "lastname": f"Lee{i}"} for i in range(n)]
        return self.fake.add_contacts(people, day_ago)

    def change(self, record_id: str, behind: timedelta = timedelta(0)) -> None:
        at = int((self.fake.now() - behind.total_seconds()) * 1000)
        self.fake.update_contact(record_id, {"company": f"Changed {record_id}"}, at_ms=at)

    def transport(self) -> httpx.BaseTransport:
        return self.fake.transport()


class SalesforceKind(Kind):
    name = "sf"
    lookback = timedelta(minutes=2)

    def __init__(self, tmp_path: Path, database_url: str) -> None:
        super().__init__(tmp_path, database_url)
        self.fake = FakeSalesforce(batch_size=200, start_at=(datetime.now(UTC) - timedelta(days=2)).isoformat())
        self.clock = self.fake.clock.now

    def source(self, **settings: Any) -> dict[str, Any]:
        light = {"activities": False, "history": False, "owners": False, "opportunities": False, "bulk_threshold": 0}
        return salesforce_source(objects={"Lead": {}}, **light, **settings)

    def seed(self, n: int) -> list[str]:
        people = [
            {"FirstName": "Ann", "LastName": f"Lee{i}", "Email": f"l{i}@corp.example", "Company": "C"} for i in range(n)
        ]
        ids = self.fake.add_records("Lead", people)
        self.fake.advance(86400)
        return ids

    def change(self, record_id: str, behind: timedelta = timedelta(0)) -> None:
        at = self.fake.clock.now() - behind.total_seconds()
        self.fake.update_record("Lead", record_id, {"Company": f"Changed {record_id}"}, at=at)

    def transport(self) -> httpx.BaseTransport:
        return httpx.MockTransport(self.fake)


class AdKind(Kind):
    """An ad platform: leads are write-once, so a "change" is the fake serving a lead again (restate_lead).

    Their credentials come from the suite's variables (HUBSPOT_TOKEN for Meta's bearer token,
    SF_REFRESH_TOKEN for the refresh tokens), so the bad-credentials test reaches them too.
    """

    lookback = timedelta(hours=1)

    def day_ago(self, i: int) -> float:
        return self.fake.now() - 86400 + i

    def changed(self, behind: timedelta) -> float:
        return self.fake.now() - behind.total_seconds()

    def transport(self) -> httpx.BaseTransport:
        return self.fake.transport()


class MetaKind(AdKind):
    name = "meta"

    def __init__(self, tmp_path: Path, database_url: str) -> None:
        super().__init__(tmp_path, database_url)
        self.fake = FakeMeta(access_token=HUBSPOT_TOKEN)
        self.clock = self.fake.now
        self.form = self.fake.add_form(PAGE, "Contract form")
        self.fake.add_ad_account(AD_ACCOUNT)

    def source(self, **settings: Any) -> dict[str, Any]:
        return meta_source(auth={"access_token": {"env": "HUBSPOT_TOKEN"}}, **settings)

    def seed(self, n: int) -> list[str]:
        leads = [{"answers": {"email": f"m{i}@corp.example"}, "created_time": self.day_ago(i)} for i in range(n)]
        return self.fake.add_leads(self.form, leads)

    def change(self, record_id: str, behind: timedelta = timedelta(0)) -> None:
        self.fake.restate_lead(record_id, {"email": f"changed-{record_id}@corp.example"}, self.changed(behind))


class GoogleAdsKind(AdKind):
    name = "google_ads"

    def __init__(self, tmp_path: Path, database_url: str) -> None:
        super().__init__(tmp_path, database_url)
        self.fake = FakeGoogleAds(client_id=GOOGLE_CLIENT_ID, refresh_token=SF_REFRESH, rows_per_page=100)
        self.clock = self.fake.now
        self.fake.add_customer(MANAGER)
        self.fake.add_customer(CUSTOMER, "America/Los_Angeles", manager_id=MANAGER)

    def source(self, **settings: Any) -> dict[str, Any]:
        auth = {**google_source()["auth"], "refresh_token": {"env": "SF_REFRESH_TOKEN"}}
        return google_source(auth=auth, **settings)

    def seed(self, n: int) -> list[str]:
        leads = [{"fields": {"EMAIL": f"g{i}@corp.example"}, "submitted_at": self.day_ago(i)} for i in range(n)]
        return self.fake.add_leads(CUSTOMER, leads)

    def change(self, record_id: str, behind: timedelta = timedelta(0)) -> None:
        self.fake.restate_lead(record_id, {"EMAIL": f"changed-{record_id}@corp.example"}, self.changed(behind))


class LinkedInKind(AdKind):
    name = "linkedin"

    def __init__(self, tmp_path: Path, database_url: str) -> None:
        super().__init__(tmp_path, database_url)
        self.fake = FakeLinkedIn(client_id=LINKEDIN_CLIENT_ID, refresh_token=SF_REFRESH)
        self.clock = self.fake.now
        self.fake.add_account(SPONSORED)
        self.form = self.fake.add_form(SPONSORED, "Contract form")

    def source(self, **settings: Any) -> dict[str, Any]:
        auth = {**linkedin_source()["auth"], "refresh_token": {"env": "SF_REFRESH_TOKEN"}}
        return linkedin_source(auth=auth, **settings)

    def seed(self, n: int) -> list[str]:
        leads = [{"answers": {"EMAIL": f"l{i}@corp.example"}, "submitted_at": self.day_ago(i)} for i in range(n)]
        return self.fake.add_leads(SPONSORED, self.form, leads)

    def change(self, record_id: str, behind: timedelta = timedelta(0)) -> None:
        self.fake.restate_lead(record_id, {"EMAIL": f"changed-{record_id}@corp.example"}, self.changed(behind))


KINDS = {
    "file": FileKind,
    "hubspot": HubSpotKind,
    "salesforce": SalesforceKind,
    "meta": MetaKind,
    "google_ads": GoogleAdsKind,
    "linkedin": LinkedInKind,
}
API_KINDS = ["hubspot", "salesforce", "meta", "google_ads", "linkedin"]


@pytest.fixture
def make(tmp_path, database_url, monkeypatch):
    set_credentials(monkeypatch)
    set_ad_credentials(monkeypatch)  # the ad kinds' other keys (client secrets, developer token)
    return lambda kind: KINDS[kind](tmp_path, database_url)


@pytest.mark.parametrize("kind", KINDS)
def test_pages_to_the_end_and_a_rerun_lands_nothing(make, kind):
    source = make(kind)
    ids = source.seed(N)
    first = source.extract("r1")
    assert (first["status"], first["new"]) == ("ok", N)
    assert set(landed(source.database_url, source.name)) == set(ids)
    again = source.extract("r2")
    assert again["new"] == again["changed"] == 0


@pytest.mark.parametrize("kind", KINDS)
def test_a_change_stamped_inside_the_lookback_is_still_read(make, kind):
    source = make(kind)
    ids = source.seed(N)
    source.extract("r1")
    source.change(ids[5], behind=source.lookback / 2)  # behind the watermark, as a lagging index has it
    source.change(ids[6])
    counts = source.extract("r2")
    assert counts["changed"] == 2
    assert landed(source.database_url, source.name)[ids[5]]["payload"] != {}


@pytest.mark.parametrize("kind", KINDS)
def test_a_crash_mid_read_resumes_without_gaps_or_duplicates(make, kind, monkeypatch):
    source = make(kind)
    ids = source.seed(N)
    real_land = extract_module._land
    landed_batches = []

    def dies_on_the_third_batch(*args: Any) -> None:
        if len(landed_batches) == 1:
            raise KeyboardInterrupt("the worker was killed")
        landed_batches.append(args)
        real_land(*args)

    monkeypatch.setattr(extract_module, "_land", dies_on_the_third_batch)
    with pytest.raises(KeyboardInterrupt):
        source.extract("r1")
    monkeypatch.setattr(extract_module, "_land", real_land)
    partial = len(landed(source.database_url, source.name))
    assert 0 < partial < N
    resumed = source.extract("r2")
    assert set(landed(source.database_url, source.name)) == set(ids)
    assert resumed["new"] == N - partial  # nothing landed twice as new
    if kind in API_KINDS:  # sources read in cursor order resume at their checkpoint, not from scratch
        assert resumed["read"] <= N - partial + 100


@pytest.mark.parametrize("kind", API_KINDS)
def test_retriable_failures_are_retried_and_fatal_ones_fail_fast_naming_no_secret(make, kind):
    source = make(kind)
    source.seed(N)
    fake = source.fake
    fake.fail_next(2, 503)
    assert source.extract("r1")["new"] == N
    fake.reset_faults()
    before = fake.count()
    fake.fail_next(1, 400)
    with pytest.raises(Exception) as fatal:
        source.extract("r2")
    assert "HTTP 400" in str(fatal.value)
    assert fake.count() - before <= 2  # the sign-in, then the refused call: not retried


@pytest.mark.parametrize("kind", API_KINDS)
def test_bad_credentials_fail_fast_and_clearly(make, kind, monkeypatch):
    source = make(kind)
    source.seed(3)
    monkeypatch.setenv("HUBSPOT_TOKEN", "pat-wrong-secret")
    monkeypatch.setenv("SF_REFRESH_TOKEN", "5Aep-wrong-secret")
    with pytest.raises(Exception) as refused:
        source.extract("r1")
    message = str(refused.value)
    assert ("401" in message) or ("refused" in message)
    assert "wrong-secret" not in message
    assert source.fake.count() == 1


def test_hubspot_never_sends_faster_than_its_limits_and_draws_no_429(make):
    source = make("hubspot")
    source.fake = FakeHubSpot(time_scale=20)  # HubSpot's windows 20 times shorter: 100 per 0.5 s, 5 per 50 ms
    source.clock = source.fake.now
    source.seed(2500)
    config = source.config(
        rate_limit={"requests": 100, "per": "500ms"}, search_rate_limit={"requests": 5, "per": "50ms"}, history=True
    )
    counts = run_extract(config, "r1", {"hubspot": source.fake.transport()}, "hubspot", source.clock)
    assert counts["new"] == 2500
    usage = source.fake.usage()["policies"]
    assert source.fake.throttled() == 0
    assert usage["SECONDLY"]["peak"] <= 5 and usage["TEN_SECONDLY_ROLLING"]["peak"] <= 100


def test_salesforce_never_sends_more_than_its_per_run_allowance(make):
    source = make("salesforce")
    source.seed(N)
    config = source.config(quota={"max_requests": 2})
    counts = run_extract(config, "r1", {"sf": source.transport()}, "sf", source.clock)
    assert counts["status"] == "stopped" and counts["requests"] == 2  # describe, then one page
    assert counts["new"] == 200
