"""Rule-based scoring and the lifecycle (pure): exact scores, decay, grades, negatives, forward only, config errors."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from leads.lifecycle import Stage
from leads.lifecycle_rules import Signals, next_stage
from leads.scoring import Event, decay, engagement_score, fit_score, grade, score
from leads.scoring_config import EngagementConfig, GradesConfig, ScoringConfig
from tests.leads.test_config import SOURCE, only_problem, write

DAY = datetime(2026, 11, 30, tzinfo=UTC)

CONFIG = ScoringConfig.model_validate(
    {
        "fit": {
            "max": 100,
            "criteria": [
                {"name": "decision maker", "field": "seniority", "in": ["cxo", "vp", "director"], "points": 30},
                {"name": "mid-market", "field": "employee_range", "in": ["201-500", "501-1000"], "points": 20},
                {"name": "target industry", "field": "industry", "equals": "Software Development", "points": 20},
                {"name": "core market", "field": "country_code", "in": ["US", "GB"], "points": 10},
                {"name": "corporate email", "field": "email_class", "equals": "corporate", "points": 15},
                {"name": "free-mail", "field": "email_class", "equals": "free", "points": -20},
                {"name": "student", "field": "job_title", "matches": r"(?i)\bstudent\b", "points": -40,
                 "disqualify": "student"},
                {"name": "competitor", "field": "company_domain", "in": ["rival.example"], "points": -100,
                 "disqualify": "competitor"},
                {"name": "has phone", "field": "phone", "present": True, "points": 5},
            ],
        },
        "engagement": {
            "max": 100,
            "half_life": "14d",
            "events": {"form_fill": 30, "meeting": 40, "page_view": {"points": 2, "max": 10}},
        },
        "grades": {"fit": {"A": 70, "B": 45, "C": 25}, "engagement": {1: 60, 2: 20, 3: 5}},
        "mql": {"min_fit": "B", "min_engagement": 2},
        "sql": {"lead_statuses": ["Connected"], "activities": ["meeting"]},
        "reasons": 3,
    }
)

VP = {
    "seniority": "vp",
    "employee_range": "201-500",
    "industry": "software development",
    "country_code": "US",
    "email_class": "corporate",
    "phone": "+14155550100",
    "company_domain": "acme.example",
    "job_title": "VP Sales",
}


def days_ago(n: float) -> datetime:
    return DAY - timedelta(days=n)


# --- fit -----------------------------------------------------------------------------------------


def test_fit_adds_every_matching_criterion_and_is_capped_at_max():
    fit, reasons, disqualified = fit_score(VP, CONFIG.fit)
    # 30 + 20 + 20 + 10 + 15 + 5 = 100, exactly the cap; matching is case-insensitive.
    assert fit == 100
    assert [r.criterion for r in reasons] == [
        "decision maker", "mid-market", "target industry", "core market", "corporate email", "has phone"
    ]
    assert disqualified is None
    richer = CONFIG.fit.model_copy(update={"max": 80})
    assert fit_score(VP, richer)[0] == 80


def test_negative_criteria_subtract_and_the_floor_is_zero():
    freemail = {"seniority": "manager", "email_class": "free", "country_code": "GB"}
    fit, reasons, _ = fit_score(freemail, CONFIG.fit)
    assert fit == 0  # 10 - 20 bounded below by zero
    assert {r.criterion: r.points for r in reasons} == {"core market": 10, "free-mail": -20}

    mixed = VP | {"email_class": "free"}
    assert fit_score(mixed, CONFIG.fit)[0] == 100 - 15 - 20


def test_competitors_and_students_are_disqualified_with_the_reason():
    competitor = VP | {"company_domain": "rival.example"}
    fit, _, disqualified = fit_score(competitor, CONFIG.fit)
    assert (fit, disqualified) == (0, "competitor")

    student = {"job_title": "PhD Student", "email_class": "corporate"}
    fit, reasons, disqualified = fit_score(student, CONFIG.fit)
    assert (fit, disqualified) == (0, "student")  # 15 - 40, floored
    assert [r.points for r in reasons] == [15, -40]
    assert fit_score({"job_title": "Studentship coordinator"}, CONFIG.fit)[2] is None  # a word, not a substring


def test_numeric_ranges_and_not_in_and_absent_values():
    config = ScoringConfig.model_validate(
        {
            "fit": {
                "criteria": [
                    {"name": "sizeable", "field": "employee_count", "min": 200, "max": 5000, "points": 25},
                    {"name": "outside the EU", "field": "country_code", "not_in": ["DE", "FR"], "points": 5},
                    {"name": "no phone", "field": "phone", "present": False, "points": -5},
                ]
            }
        }
    ).fit
    assert fit_score({"employee_count": 200, "country_code": "US", "phone": "+1"}, config)[0] == 30
    assert fit_score({"employee_count": 5001, "country_code": "DE"}, config)[0] == 0  # -5 floored
    assert fit_score({"employee_count": "not a number", "country_code": "US", "phone": "+1"}, config)[0] == 5
    # No country at all is in no list, so not_in holds.
    assert fit_score({"employee_count": 300, "phone": "+1"}, config)[0] == 30


def test_private_values_are_never_quoted_as_evidence():
    config = ScoringConfig.model_validate(
        {"fit": {"criteria": [{"name": "work address", "field": "email", "matches": "@acme", "points": 10}]}}
    )
    _, reasons, _ = fit_score({"email": "ana@acme.example"}, config.fit)
    assert reasons[0].evidence == "email matches"
    assert "ana" not in reasons[0].text()
    _, reasons, _ = fit_score(VP, CONFIG.fit)
    assert reasons[0].text() == "+30 decision maker (seniority is vp)"


# --- engagement and decay ------------------------------------------------------------------------


def test_half_life_halves_points_every_period():
    config = CONFIG.engagement
    assert decay(0, config) == 1.0
    assert decay(14, config) == pytest.approx(0.5)
    assert decay(28, config) == pytest.approx(0.25)
    assert decay(7, config) == pytest.approx(2**-0.5)
    assert decay(-3, config) == 1.0  # an event stamped after the run's day counts in full

    events = [Event("form_fill", days_ago(14)), Event("meeting", days_ago(28))]
    points, reasons = engagement_score(events, config, DAY)
    assert points == round(30 * 0.5 + 40 * 0.25)  # 25
    assert {r.criterion: r.points for r in reasons} == {"form fill": 15.0, "meeting": 10.0}


def test_timeframe_counts_only_recent_events_in_full():
    config = EngagementConfig.model_validate({"timeframe": "30d", "events": {"form_fill": 30}})
    events = [Event("form_fill", days_ago(30)), Event("form_fill", days_ago(31)), Event("form_fill", days_ago(1))]
    points, reasons = engagement_score(events, config, DAY)
    assert points == 60
    assert reasons[0].evidence == "2x, last 2026-11-29"


def test_per_kind_caps_the_total_cap_and_unknown_kinds():
    events = [Event("page_view", DAY)] * 12 + [Event("email_open", DAY)]  # email_open has no points here
    points, reasons = engagement_score(events, CONFIG.engagement, DAY)
    assert points == 10  # 12 views x 2 = 24, capped at 10 for the kind
    assert [r.criterion for r in reasons] == ["page view"]

    many = [Event("meeting", DAY)] * 5
    assert engagement_score(many, CONFIG.engagement, DAY)[0] == 100


def test_no_decay_configured_counts_everything_forever():
    config = EngagementConfig.model_validate({"events": {"form_fill": 30}})
    assert engagement_score([Event("form_fill", days_ago(3650))], config, DAY)[0] == 30


# --- grades, reasons, determinism ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("fit", "engagement", "expected"),
    [(100, 100, "A1"), (70, 60, "A1"), (69, 59, "B2"), (45, 20, "B2"), (44, 19, "C3"), (25, 5, "C3"), (24, 4, "D4"),
     (0, 0, "D4")],
)
def test_grade_thresholds_are_inclusive(fit, engagement, expected):
    assert grade(fit, engagement, CONFIG.grades) == expected


def test_score_is_deterministic_and_carries_its_strongest_reasons():
    events = [Event("meeting", days_ago(14)), Event("page_view", days_ago(0))]
    first = score(VP, events, CONFIG, DAY)
    again = score(dict(reversed(list(VP.items()))), list(reversed(events)), CONFIG, DAY)
    assert first == again
    assert (first.fit, first.engagement, first.grade) == (100, 22, "A2")
    # Top three by size; ties broken by name.
    assert [r.text() for r in first.reasons] == [
        "+30 decision maker (seniority is vp)",
        "+20 meeting (1x, last 2026-11-16)",
        "+20 mid-market (employee_range is 201-500)",
    ]


def test_do_not_contact_disqualifies_unless_turned_off():
    assert score(VP | {"do_not_contact": True}, [], CONFIG, DAY).disqualified == "do-not-contact"
    relaxed = CONFIG.model_copy(update={"disqualify_do_not_contact": False})
    assert score(VP | {"do_not_contact": True}, [], relaxed, DAY).disqualified is None


# --- lifecycle -----------------------------------------------------------------------------------

HOT = [Event("meeting", DAY)]
NO_SIGNALS = Signals()


def _next(current, values, events=(), signals=NO_SIGNALS, predicted=None, config=CONFIG):
    """As the score stage does it: the lead's activity kinds are among its signals."""
    result = score(values, events, config, DAY)
    kinds = signals.activity_kinds | {e.kind for e in events}
    signals = Signals(signals.lead_statuses, frozenset(kinds), signals.outcomes)
    return next_stage(current, result, predicted, signals, config)


def test_a_lead_meeting_the_rule_becomes_an_mql_with_the_reason():
    values = VP | {"seniority": None}  # fit 70
    stage, why = _next(Stage.LEAD, values, [Event("form_fill", DAY)])
    assert (stage, why) == (Stage.MQL, "grade A2 meets B2")
    assert _next(Stage.LEAD, values) == (Stage.LEAD, None)  # no engagement: stays a lead
    assert _next(Stage.MQL, values, [Event("form_fill", DAY)]) == (Stage.MQL, None)  # already there: no move


def test_sales_signals_make_an_sql_and_outcomes_go_further():
    cold = {"email_class": "free"}
    assert _next(Stage.MQL, cold, signals=Signals(lead_statuses=frozenset({"connected"}))) == (
        Stage.SQL,
        "sales accepted (lead status connected)",
    )
    assert _next(Stage.LEAD, cold, signals=Signals(activity_kinds=frozenset({"meeting"}))) == (
        Stage.SQL,
        "sales accepted (meeting)",
    )
    assert _next(Stage.SQL, cold, signals=Signals(outcomes=frozenset({"converted"})))[0] is Stage.OPPORTUNITY
    assert _next(Stage.OPPORTUNITY, cold, signals=Signals(outcomes=frozenset({"won"})))[0] is Stage.CUSTOMER


def test_stages_only_move_forward():
    # A customer or an opportunity with a poor score is never demoted; an SQL does not fall back to MQL.
    for current in (Stage.CUSTOMER, Stage.OPPORTUNITY, Stage.SQL):
        assert _next(current, {"email_class": "free"}) == (current, None)
        assert _next(current, VP, HOT) == (current, None)
    assert _next(Stage.CUSTOMER, VP, signals=Signals(outcomes=frozenset({"converted"}))) == (Stage.CUSTOMER, None)


def test_disqualified_leads_are_never_mqls_but_sales_can_still_accept_them():
    competitor = VP | {"company_domain": "rival.example"}
    assert _next(Stage.LEAD, competitor, HOT * 3) == (Stage.SQL, "sales accepted (meeting)")
    student = VP | {"job_title": "Student"}
    assert _next(Stage.LEAD, student, [Event("form_fill", DAY)] * 3) == (Stage.LEAD, None)
    assert _next(None, student, [Event("form_fill", DAY)] * 3, predicted=99) == (None, None)


def test_the_model_score_can_also_make_an_mql():
    config = CONFIG.model_copy(update={"mql": CONFIG.mql.model_copy(update={"min_predicted": 80})})
    cold = {"email_class": "free"}
    assert _next(Stage.LEAD, cold, predicted=85, config=config) == (Stage.MQL, "predicted 85 meets 80")
    assert _next(Stage.LEAD, cold, predicted=79, config=config) == (Stage.LEAD, None)
    assert _next(Stage.LEAD, cold, predicted=85) == (Stage.LEAD, None)  # no min_predicted: the model alone never does


# --- config errors -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("scoring", "expected"),
    [
        ("fit: {criteria: [{name: x, field: seniority, points: 5}]}", "give exactly one test"),
        ("fit: {criteria: [{name: x, field: seniority, equals: vp, in: [vp], points: 5}]}", "give exactly one test"),
        ("fit: {criteria: [{name: x, field: shoe_size, equals: 9, points: 5}]}", "scoring.fit.criteria.0.field"),
        ("fit: {criteria: [{name: x, field: job_title, matches: '(unclosed', points: 5}]}", "not a valid regular"),
        ("engagement: {half_life: 14d, timeframe: 30d}", "not both"),
        ("engagement: {half_life: fortnight}", "scoring.engagement.half_life"),
        ("engagement: {events: {webinar: 10}}", "scoring.engagement.events.webinar"),
        ("grades: {fit: {A: 20, B: 40, C: 60}}", "fall from the best grade"),
        ("mql: {min_fit: E}", "scoring.mql.min_fit"),
        ("reasons: 0", "scoring.reasons"),
    ],
)
def test_bad_scoring_config_is_refused_naming_the_key(tmp_path, scoring, expected):
    path = write(tmp_path, SOURCE + "scoring:\n  " + scoring + "\n")
    problem = only_problem(path)
    assert expected in problem, problem


def test_default_grades_are_sane():
    grades = GradesConfig()
    assert grade(60, 60, grades) == "A1"
    assert grade(19, 9, grades) == "D4"
