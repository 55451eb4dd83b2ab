"""Which properties a CRM sink writes: policies, sales edits, echoes, stages forward, opt-outs kept."""

from __future__ import annotations

import pytest

from leads.sink_config import FieldRule
from leads.sync_rules import FLAG_KEPT, HAS_VALUE, SALES_EDIT, STAGE_BEHIND, WRITTEN_ONCE, decide

RULES = {
    "jobtitle": FieldRule(field="job_title", policy="if_empty"),
    "leads_etl_industry": FieldRule(field="industry"),
    "leads_etl_first_seen": FieldRule(field="created_at", policy="once"),
    "lifecyclestage": FieldRule(field="lifecycle_stage"),
    "leads_etl_do_not_contact": FieldRule(field="do_not_contact"),
}
STAGES, FLAGS = frozenset({"lifecyclestage"}), frozenset({"leads_etl_do_not_contact"})


def run(desired, current, written=None):
    return decide(RULES, desired, current, written or {}, stages=STAGES, flags=FLAGS)


def test_a_new_record_gets_every_value_we_have():
    d = run({"jobtitle": "CTO", "leads_etl_industry": "Software", "lifecyclestage": "lead"}, None)
    assert d.send == {"jobtitle": "CTO", "leads_etl_industry": "Software", "lifecyclestage": "lead"}


def test_missing_values_are_never_written_as_blanks():
    assert run({"jobtitle": None, "leads_etl_industry": ""}, {"jobtitle": "CTO"}).send == {}


def test_what_the_crm_already_holds_is_not_sent_again():
    d = run(
        {"leads_etl_industry": "Software", "jobtitle": "CTO"}, {"leads_etl_industry": "Software", "jobtitle": "CTO"}
    )
    assert d.send == {} and d.kept == {}


def test_if_empty_fills_gaps_only():
    assert run({"jobtitle": "CTO"}, {"jobtitle": ""}).send == {"jobtitle": "CTO"}
    assert run({"jobtitle": "CTO"}, {"jobtitle": "Founder"}).kept == {"jobtitle": HAS_VALUE}


def test_always_overwrites_our_own_values_but_not_a_sales_edit():
    echo = run(
        {"leads_etl_industry": "Fintech"}, {"leads_etl_industry": "Software"}, {"leads_etl_industry": "Software"}
    )
    assert echo.send == {"leads_etl_industry": "Fintech"}  # the CRM still shows our last write: ours to update
    edited = run(
        {"leads_etl_industry": "Fintech"}, {"leads_etl_industry": "Banking"}, {"leads_etl_industry": "Software"}
    )
    assert edited.kept == {"leads_etl_industry": SALES_EDIT}
    never_written = run({"leads_etl_industry": "Fintech"}, {"leads_etl_industry": "Banking"})
    assert never_written.send == {"leads_etl_industry": "Fintech"}


def test_once_is_never_written_again():
    assert run({"leads_etl_first_seen": "2026-01-01"}, {}, {}).send == {"leads_etl_first_seen": "2026-01-01"}
    again = run({"leads_etl_first_seen": "2026-02-02"}, {"leads_etl_first_seen": ""}, {"leads_etl_first_seen": "x"})
    assert again.kept == {"leads_etl_first_seen": WRITTEN_ONCE}


@pytest.mark.parametrize(
    ("ours", "theirs", "sent"),
    [
        ("marketingqualifiedlead", "lead", True),
        ("lead", "marketingqualifiedlead", False),
        ("lead", "lead", False),
        ("salesqualifiedlead", "", True),
        ("lead", "customer", False),
    ],
)
def test_lifecycle_stages_only_move_forward(ours, theirs, sent):
    d = run({"lifecyclestage": ours}, {"lifecyclestage": theirs})
    assert (d.send == {"lifecyclestage": ours}) is sent
    if not sent and ours != theirs:
        assert d.kept == {"lifecyclestage": STAGE_BEHIND}


def test_an_opt_out_is_set_and_never_reversed():
    assert run({"leads_etl_do_not_contact": True}, {"leads_etl_do_not_contact": "false"}).send == {
        "leads_etl_do_not_contact": True
    }
    kept = run({"leads_etl_do_not_contact": False}, {"leads_etl_do_not_contact": "true"})
    assert kept.send == {} and kept.kept == {"leads_etl_do_not_contact": FLAG_KEPT}
    assert run({"leads_etl_do_not_contact": False}, None).send == {}  # "not opted out" is never written
