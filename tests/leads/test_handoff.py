"""The hand-off arithmetic: SLA statuses on a controlled clock, recycle reasons, the events that
count towards qualifying again, and the acceptance table on a fixture with known answers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from leads.handoff import (
    Change,
    HandoffLead,
    Outcome,
    acceptance,
    handoff_lead,
    judge,
    recycle_reason,
    since_recycle,
    sla_status,
    span,
    tally,
)
from leads.handoff_config import HandoffConfig
from leads.lifecycle import Stage
from leads.scoring import Event

T0 = datetime(2026, 10, 1, 9, tzinfo=UTC)
DAY = timedelta(days=1)
CONFIG = HandoffConfig.model_validate(
    {"sla": {"first_touch": "2d", "to_sql": "14d"}, "recycle": {"after": "30d", "lead_statuses": ["Unqualified"]}}
)


@pytest.mark.parametrize(
    ("done", "now", "expected"),
    [
        (None, T0 + DAY, "open"),
        (None, T0 + 3 * DAY, "overdue"),
        (T0 + DAY, T0 + 9 * DAY, "met"),
        (T0 + 2 * DAY, T0 + 9 * DAY, "met"),  # exactly at the limit is in time
        (T0 + 3 * DAY, T0 + 9 * DAY, "late"),
    ],
)
def test_sla_status(done, now, expected):
    assert sla_status(T0, done, 2 * DAY, now) == expected


def test_judge_on_a_controlled_clock():
    mql = HandoffLead("l1", Stage.MQL, T0)
    assert judge(mql, CONFIG, T0 + DAY) == judge(mql, CONFIG, T0 + DAY)
    v = judge(mql, CONFIG, T0 + 3 * DAY)
    assert (v.first_touch, v.to_sql, v.recycle) == ("overdue", "open", None)
    v = judge(mql, CONFIG, T0 + 15 * DAY)
    assert (v.first_touch, v.to_sql, v.recycle) == ("overdue", "overdue", None)
    v = judge(mql, CONFIG, T0 + 31 * DAY)
    assert v.recycle == "recycled: not worked within 30d"
    touched = HandoffLead("l2", Stage.MQL, T0, first_touch_at=T0 + 3 * DAY)
    v = judge(touched, CONFIG, T0 + 31 * DAY)
    assert (v.first_touch, v.recycle) == ("late", None)  # worked, if late: not recycled
    sql = HandoffLead("l3", Stage.SQL, T0, first_touch_at=T0 + DAY, sql_at=T0 + 5 * DAY)
    v = judge(sql, CONFIG, T0 + 60 * DAY)
    assert (v.first_touch, v.to_sql, v.recycle) == ("met", "met", None)


def test_only_an_mql_is_recycled_and_a_rejection_needs_no_wait():
    assert recycle_reason(HandoffLead("a", Stage.MQL, T0, rejected="Unqualified"), CONFIG, T0 + DAY) == (
        "recycled: rejected by sales (Unqualified)"
    )
    assert recycle_reason(HandoffLead("b", Stage.SQL, T0), CONFIG, T0 + 90 * DAY) is None
    off = CONFIG.model_copy(update={"recycle": CONFIG.recycle.model_copy(update={"enabled": False})})
    assert recycle_reason(HandoffLead("c", Stage.MQL, T0), off, T0 + 90 * DAY) is None


def test_tally_flags_overdue_then_late_lead_ids():
    verdicts = [
        judge(HandoffLead("b", Stage.MQL, T0), CONFIG, T0 + 3 * DAY),
        judge(HandoffLead("a", Stage.MQL, T0), CONFIG, T0 + 3 * DAY),
        judge(HandoffLead("c", Stage.MQL, T0, first_touch_at=T0 + 3 * DAY), CONFIG, T0 + 3 * DAY),
        judge(HandoffLead("d", Stage.MQL, T0, first_touch_at=T0 + DAY), CONFIG, T0 + 3 * DAY),
        judge(HandoffLead("e", Stage.LEAD, None), CONFIG, T0 + 3 * DAY),  # never an MQL: not counted
    ]
    t = tally(verdicts, "first_touch", limit=10)
    assert (t.met, t.late, t.overdue, t.open, t.flagged) == (1, 1, 2, 0, ["a", "b", "c"])
    assert tally(verdicts, "first_touch", limit=2).flagged == ["a", "b"]


def test_the_current_cycle_starts_after_the_last_recycle():
    changes = [
        Change("lifecycle_stage", "marketingqualifiedlead", T0, "crm"),
        Change("lead_status", "Unqualified", T0 + DAY, "crm"),
        Change("lifecycle_stage", "lead", T0 + 2 * DAY, "pipeline", "handoff"),
        Change("lifecycle_stage", "mql", T0 + 10 * DAY, "pipeline", "scoring"),
        Change("lifecycle_stage", "sql", T0 + 12 * DAY, "crm"),
    ]
    touches = [T0 + DAY, T0 + 11 * DAY]
    lead = handoff_lead("l1", Stage.SQL, changes, touches, CONFIG)
    assert lead.recycled_at == T0 + 2 * DAY
    assert lead.mql_at == T0 + 10 * DAY and lead.first_touch_at == T0 + 11 * DAY and lead.sql_at == T0 + 12 * DAY
    assert lead.rejected is None  # the rejection belonged to the cycle before
    first = handoff_lead("l1", Stage.MQL, changes[:2], touches, CONFIG)
    assert (first.mql_at, first.first_touch_at, first.rejected) == (T0, T0 + DAY, "Unqualified")


def test_only_events_after_the_recycle_count_towards_qualifying_again():
    events = [Event("form_fill", T0), Event("meeting", T0 + 5 * DAY), Event("page_view", T0 + 9 * DAY)]
    assert since_recycle(events, None) == events
    assert since_recycle(events, T0 + 5 * DAY) == [events[2]]  # at the recycle time is before it


def test_span_writes_durations_as_the_config_does():
    assert [span(timedelta(days=30)), span(timedelta(hours=36)), span(timedelta(seconds=45))] == ["30d", "36h", "45s"]


def test_acceptance_rate_per_criterion_fired_or_not():
    mqls = [
        Outcome(frozenset({"decision maker", "corporate email"}), True),
        Outcome(frozenset({"decision maker"}), True),
        Outcome(frozenset({"decision maker"}), False),
        Outcome(frozenset({"corporate email"}), False),
        Outcome(frozenset(), True),
    ]
    rows = [r.as_dict() for r in acceptance(mqls, ["decision maker", "corporate email", "student"])]
    assert rows == [
        {
            "criterion": "decision maker",
            "fired": 3,
            "fired_accepted": 2,
            "not_fired": 2,
            "not_fired_accepted": 1,
            "fired_rate": 0.6667,
            "not_fired_rate": 0.5,
        },
        {
            "criterion": "corporate email",
            "fired": 2,
            "fired_accepted": 1,
            "not_fired": 3,
            "not_fired_accepted": 2,
            "fired_rate": 0.5,
            "not_fired_rate": 0.6667,
        },
        {
            "criterion": "student",
            "fired": 0,
            "fired_accepted": 0,
            "not_fired": 5,
            "not_fired_accepted": 3,
            "fired_rate": None,
            "not_fired_rate": 0.6,
        },
    ]


def test_a_sink_lets_only_the_explicit_recycle_move_a_stage_back():
    from leads.sink_config import FieldRule
    from leads.sync_rules import STAGE_BEHIND, decide

    rules = {"lifecyclestage": FieldRule(field="lifecycle_stage")}
    stages = frozenset(rules)
    crm = {"lifecyclestage": "marketingqualifiedlead"}
    ours = {"lifecyclestage": "lead"}
    assert decide(rules, ours, crm, {}, stages=stages).kept == {"lifecyclestage": STAGE_BEHIND}
    assert decide(rules, ours, crm, {}, stages=stages, recycled=True).send == {"lifecyclestage": "lead"}
    sql = {"lifecyclestage": "salesqualifiedlead"}  # sales moved it on in the CRM: theirs stays
    assert decide(rules, ours, sql, {}, stages=stages, recycled=True).kept == {"lifecyclestage": STAGE_BEHIND}
