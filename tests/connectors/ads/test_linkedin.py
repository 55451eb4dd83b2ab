"""The LinkedIn Lead Sync source against the strict fake: Rest.li queries, named answers, test leads, yearly grants."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from connectors.linkedin.client import restli_query, sponsored
from tests.connectors.ads.support import (
    LINKEDIN_CLIENT_ID,
    LINKEDIN_REFRESH,
    LINKEDIN_SECRET,
    SPONSORED,
    linkedin_source,
    set_ad_credentials,
    spend_rows,
)
from tests.connectors.crm.support import landed, run_extract, write_crm_config
from tests.fakes.linkedin import FakeLinkedIn
from tests.fakes.loopback import LoopbackServer

pytestmark = pytest.mark.postgres
DAY = 86400
QUESTIONS = ["FIRST_NAME", "LAST_NAME", "EMAIL", "COMPANY_NAME", {"name": "budget", "text": "Your budget?"}]


def make_fake(**kwargs) -> FakeLinkedIn:
    fake = FakeLinkedIn(client_id=LINKEDIN_CLIENT_ID, client_secret=LINKEDIN_SECRET, **kwargs)
    fake.add_account(SPONSORED, "EUR")
    return fake


@pytest.fixture
def fake() -> FakeLinkedIn:
    return make_fake()


@pytest.fixture
def config(tmp_path, database_url, monkeypatch):
    set_ad_credentials(monkeypatch)

    def make(**settings):
        return write_crm_config(tmp_path, database_url, {"li": linkedin_source(**settings)}, chunk_size=100)

    return make


def extract(fake: FakeLinkedIn, cfg, run_id: str) -> dict:
    return run_extract(cfg, run_id, {"li": fake.transport()}, "li", fake.now)


def seed(fake: FakeLinkedIn, n: int, start: float, tests: int = 0) -> tuple[int, list[str]]:
    form = fake.add_form(SPONSORED, "Whitepaper", QUESTIONS)
    answers = {"FIRST_NAME": "Ann", "LAST_NAME": "Lee", "COMPANY_NAME": "Corp", "budget": "10k"}
    ids = [
        fake.add_lead(SPONSORED, form, {**answers, "EMAIL": f"p{i}@corp.example"}, start + i, test=i < tests)
        for i in range(n)
    ]
    return form, ids


def test_rest_li_parameters_keep_their_structure_and_encode_urns():
    urn = sponsored("5")
    assert restli_query([("owner", f"(sponsoredAccount:{urn.replace(':', '%3A')})")]) == (
        "owner=(sponsoredAccount:urn%3Ali%3AsponsoredAccount%3A5)"
    )


def test_answers_are_named_through_the_form_and_test_leads_are_skipped(fake, config, database_url):
    form, ids = seed(fake, 230, fake.now() - DAY, tests=3)
    counts = extract(fake, config(), "r1")
    assert (counts["status"], counts["new"], counts["skipped_by_cursor"]) == ("ok", 227, 3)
    assert any("3 test leads" in n for n in counts["notes"])
    stored = landed(database_url, "li")
    assert ids[0] not in stored
    payload = stored[ids[5]]["payload"]
    assert (payload["email"], payload["first_name"], payload["budget"]) == ("p5@corp.example", "Ann", "10k")
    assert (payload["campaign_id"], payload["ad_id"], payload["form_id"], payload["is_organic"]) == (
        "367378525",
        "991",
        str(form),
        False,
    )
    assert fake.count(path_prefix="/rest/leadForms") == 1  # once per form and run
    assert fake.count(path_prefix="/rest/leadFormResponses") == 3  # 230 in pages of 100
    assert extract(fake, config(), "r2")["new"] == 0


def test_an_answer_to_a_question_the_form_no_longer_shows_is_kept_under_its_id(fake, config, database_url):
    form, (lead,) = seed(fake, 1, fake.now() - 600)
    fake.forms[form].questions.pop()  # the form was edited: the budget question is gone from its latest version
    extract(fake, config(spend=False), "r1")
    payload = landed(database_url, "li")[lead]["payload"]
    assert any(k.startswith("question:") and v == "10k" for k, v in payload.items())


def test_the_yearly_re_authorisation_is_noted_ahead_of_time(config):
    fresh = make_fake(refresh_token=LINKEDIN_REFRESH, grant_age=10 * DAY)
    assert not any("authorise" in n for n in extract(fresh, config(spend=False), "r1")["notes"])
    old = make_fake(refresh_token=LINKEDIN_REFRESH, grant_age=350 * DAY)
    notes = extract(old, config(spend=False), "r2")["notes"]
    assert any("expires on" in n and "in 15 days" in n and "authorise the app again" in n for n in notes)


def test_an_expired_grant_and_a_sunset_version_fail_fast(config):
    dead = make_fake(grant_age=366 * DAY)
    with pytest.raises(Exception, match="refused"):
        extract(dead, config(), "r1")
    with pytest.raises(Exception, match="426|Deprecated"):
        extract(make_fake(), config(version="202401"), "r2")


def test_a_bare_access_token_works(config, monkeypatch, database_url):
    fake = make_fake(access_token="AQV-member-token")
    seed(fake, 2, fake.now() - 600)
    monkeypatch.setenv("LI_ACCESS", "AQV-member-token")
    assert extract(fake, config(auth={"access_token": {"env": "LI_ACCESS"}}), "r1")["new"] == 2


def test_429s_are_retried_and_a_spent_daily_limit_stops_at_the_checkpoint(config, database_url):
    fake = make_fake(daily_limit=3)  # adAccounts, the page of leads, its form; then analytics is refused
    seed(fake, 100, fake.now() - 600)
    fake.throttle_next(1)
    counts = extract(fake, config(max_attempts=2), "r1")
    assert counts["status"] == "stopped" and counts["new"] == 100
    assert fake.count(status=429) == 3 and "429" in " ".join(counts["notes"])


def test_spend_per_creative_and_campaign_in_the_account_s_currency(fake, config, database_url):
    today = datetime.fromtimestamp(fake.now(), UTC).date()
    days = [(today - timedelta(days=d)).isoformat() for d in (4, 0)]
    for day in days:
        fake.set_spend(SPONSORED, day, "367", "991", 20.0, 200, 4)
        fake.set_spend(SPONSORED, day, "367", "992", 5.5, 50, 1)
    extract(fake, config(), "r1")
    rows = spend_rows(database_url, "linkedin")
    assert len(rows) == 6 and rows[("367", "", days[0])]["amount"] == 25.5
    assert rows[("367", "992", days[1])]["currency"] == "EUR"


def test_the_source_works_over_real_http(tmp_path, database_url, monkeypatch):
    """Rest.li queries keep their parentheses through a socket, and the token answer is read when streamed."""
    set_ad_credentials(monkeypatch)
    with LoopbackServer("tests.fakes.linkedin:FakeLinkedIn", client_id=LINKEDIN_CLIENT_ID) as server:
        server.call("add_account", SPONSORED)
        form = server.call("add_form", SPONSORED)
        server.call("add_leads", SPONSORED, form, [{"answers": {"EMAIL": f"p{i}@corp.example"}} for i in range(3)])
        source = linkedin_source(base_url=server.url, token_url=f"{server.url}/oauth/v2/accessToken")
        cfg = write_crm_config(tmp_path, database_url, {"li": source})
        counts = run_extract(cfg, "r1", {}, "li")
    assert (counts["status"], counts["new"]) == ("ok", 3)
