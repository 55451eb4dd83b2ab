"""The shipped data-quality suites, suite-file loading, and the pure aggregation and gates.

`CASES` holds, for every expectation of every shipped suite, a good and a bad frame for the case the
expectation exists for; `test_every_shipped_expectation_has_a_case` fails when an expectation is added
(or the suites are reordered) without a matching case here.

Frames are built with the pipeline's own `landed_frame` / `leads_frame`, so columns and dtypes are
exactly what validation sees in production. Great Expectations is imported once per process by the
runner (5-15 s); each validation after that costs about 0.2 s.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from fractions import Fraction
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pandas as pd
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from expectations.runner import validate_chunk
from expectations.suites import SUITES_DIR, SuiteError, SuiteSpec, load_suite, load_suites
from leads.fields import FIELD_NAMES, LEAD_FIELD_NAMES
from leads.lifecycle import Stage
from leads.quality import (
    ExpectationOutcome,
    ExpectationTally,
    SuiteTally,
    VolumeRule,
    schema_drift_gate,
    suite_gates,
    volume_gate,
)
from tasks.outgoing import COLUMNS as OUTGOING_COLUMNS
from tasks.validate import landed_frame, leads_frame

# ---------------------------------------------------------------------------------------------
# Frame helpers: the pipeline's own frame builders, fed with minimal stand-ins for store rows.
# ---------------------------------------------------------------------------------------------

NOW = datetime(2026, 10, 2, 12, 0, tzinfo=UTC)
# What `tasks.validate.validate_leads` passes: a pandas Timestamp one day after the run's clock.
LATEST_ALLOWED = pd.Timestamp(NOW + timedelta(days=1))
PARAMETERS = {"latest_allowed_time": LATEST_ALLOWED, "fit_max": 100, "engagement_max": 100}

# Identity mapping: a landed record's payload is keyed by lead field names.
IDENTITY_SETTINGS = SimpleNamespace(mapping={name: name for name in FIELD_NAMES}, source_system=None)

BASE_RECORD: dict[str, Any] = {
    "email": "jane.rossi@corp.example",
    "first_name": "Jane",
    "last_name": "Rossi",
    "full_name": "Jane Rossi",
    "phone": "+1 415 555 0100",
    "company": "Corp",
    "job_title": "Marketing Manager",
    "country": "United States",
    "lifecycle_stage": "Lead",
    "created_at": "2026-09-01 09:00",
}

BASE_LEAD: dict[str, Any] = {
    "email": "jane.rossi@corp.example",
    "first_name": "Jane",
    "last_name": "Rossi",
    "phone": "+14155550100",
    "company": "Corp",
    "created_at": "2026-09-01T09:00:00+00:00",
}


def record(record_id: str, **fields: Any) -> SimpleNamespace:
    """A landed record (as `fetch_pending` returns it); a field set to None is absent from the payload."""
    payload = {k: v for k, v in {**BASE_RECORD, **fields}.items() if v is not None}
    return SimpleNamespace(source_id=record_id, payload=payload)


def landed(*records: SimpleNamespace) -> pd.DataFrame:
    return landed_frame(list(records), IDENTITY_SETTINGS)


def lead(lead_id: str | None, stage: str | None = "lead", **fields: Any) -> SimpleNamespace:
    """A golden lead row (as `leads_to_validate` returns it); a field set to None is absent."""
    values = {k: v for k, v in {**BASE_LEAD, **fields}.items() if v is not None}
    return SimpleNamespace(
        lead_id=lead_id,
        identity_key=f"email:{lead_id}",
        lifecycle_stage=stage,
        fields={name: [value, "crm", NOW.isoformat()] for name, value in values.items()},
    )


def leads(*rows: SimpleNamespace, stages: dict[int, str] | None = None) -> pd.DataFrame:
    """`leads_frame` of the rows; `stages` overrides the stage at row positions (a `Stage` cannot
    hold an unknown value, so that case is written into the frame afterwards, same dtype)."""
    frame = leads_frame(list(rows))
    for position, stage in (stages or {}).items():
        frame.loc[position, "lifecycle_stage"] = stage
    return frame


def outgoing(*rows: dict[str, Any]) -> pd.DataFrame:
    """The frame of what a CRM sink is about to write (as `tasks.outgoing` builds it)."""
    return pd.DataFrame.from_records([{"action": "create", **r} for r in rows], columns=OUTGOING_COLUMNS)


def at(delta: timedelta) -> str:
    return (LATEST_ALLOWED.to_pydatetime() + delta).isoformat()


# ---------------------------------------------------------------------------------------------
# The table: (suite, index) -> good frame, bad frame, and which rows of the bad frame are bad.
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    type: str  # the expectation this case was written for (guards against a reordered suite)
    column: str
    good: Callable[[], pd.DataFrame]
    bad: Callable[[], pd.DataFrame]
    bad_ids: frozenset[str]  # ids of the offending rows in `bad` (checked for quarantining rules)
    plausible: tuple[Any, ...] = ()  # realistic values that must not trip a quarantining rule


NOT_REGEX = "expect_column_values_to_not_match_regex"
LENGTHS = "expect_column_value_lengths_to_be_between"
UNIQUE = "expect_column_values_to_be_unique"
NOT_NULL = "expect_column_values_to_not_be_null"

PLAUSIBLE_NAMES = ("O'Brien-Smith", "Jean-Luc", "Zoë", "Anne Marie", "Dr. Jane Q. Public", "Hattie", "Www")

CASES: dict[tuple[str, int], Case] = {
    # --- landed_records -----------------------------------------------------------------------
    ("landed_records", 0): Case(
        NOT_REGEX,
        "email",
        good=lambda: landed(record("r1"), record("r2", email="jane@contest.com"), record("r3", email=None)),
        bad=lambda: landed(
            record("r1", email="test@test.com"),
            record("r2"),
            record("r3", email="x@mailinator.com"),
            record("r4", email="TEST7@corp.example"),
            record("r5", email="someone@example.org"),
            record("r6", email=None),
        ),
        bad_ids=frozenset({"r1", "r3", "r4", "r5"}),
        plausible=(
            "testa.rossi@company.example",
            "jane@contest.com",
            "tester@company.com",
            "jane.test@company.com",
            "latest@company.com",
            "jane@protest.org",
            "jane@sub.mailinator-research.org",
            "Jane.Rossi@Corp.Example",
        ),
    ),
    ("landed_records", 1): Case(
        NOT_REGEX,
        "first_name",
        good=lambda: landed(record("r1"), record("r2", first_name="O'Brien-Smith")),
        bad=lambda: landed(
            record("r1", first_name="http://spam.example"),
            record("r2"),
            record("r3", first_name="Visit WWW.cheap.example now"),
            record("r4", first_name="HTTPS://x.example"),
        ),
        bad_ids=frozenset({"r1", "r3", "r4"}),
        plausible=PLAUSIBLE_NAMES,
    ),
    ("landed_records", 2): Case(
        NOT_REGEX,
        "last_name",
        good=lambda: landed(record("r1"), record("r2", last_name="O'Brien-Smith")),
        bad=lambda: landed(record("r1"), record("r2", last_name="see https://spam.example")),
        bad_ids=frozenset({"r2"}),
        plausible=PLAUSIBLE_NAMES,
    ),
    ("landed_records", 3): Case(
        NOT_REGEX,
        "full_name",
        good=lambda: landed(record("r1"), record("r2", full_name="Anne-Marie O'Brien-Smith")),
        bad=lambda: landed(record("r1", full_name="Jane www.spam.example"), record("r2")),
        bad_ids=frozenset({"r1"}),
        plausible=PLAUSIBLE_NAMES,
    ),
    ("landed_records", 4): Case(
        LENGTHS,
        "first_name",
        good=lambda: landed(record("r1"), record("r2", first_name="J" * 100)),
        bad=lambda: landed(record("r1", first_name="J" * 100), record("r2", first_name="J" * 101)),
        bad_ids=frozenset({"r2"}),
        plausible=("A" * 100, "é" * 100, "Wolfeschlegelsteinhausenbergerdorff"),
    ),
    ("landed_records", 5): Case(
        LENGTHS,
        "last_name",
        good=lambda: landed(record("r1"), record("r2", last_name="R" * 100)),
        bad=lambda: landed(record("r1", last_name="R" * 101), record("r2"), record("r3", last_name="R" * 5000)),
        bad_ids=frozenset({"r1", "r3"}),
        plausible=("R" * 100, "ñ" * 100, "Wolfeschlegelsteinhausenbergerdorff"),
    ),
    ("landed_records", 6): Case(
        LENGTHS,
        "job_title",
        good=lambda: landed(record("r1"), record("r2", job_title="T" * 200)),
        bad=lambda: landed(record("r1"), record("r2", job_title="T" * 201)),
        bad_ids=frozenset({"r2"}),
        plausible=("T" * 200, "Senior Vice President, Global Demand Generation & Marketing Operations (EMEA)"),
    ),
    ("landed_records", 7): Case(
        UNIQUE,
        "record_id",
        good=lambda: landed(record("r1"), record("r2"), record("r3")),
        bad=lambda: landed(record("r1"), record("r1"), record("r2")),
        bad_ids=frozenset(),
    ),
    ("landed_records", 8): Case(
        NOT_NULL,
        "email",
        # exactly half carry an email: allowed ("fewer than half" is the problem)
        good=lambda: landed(record("r1"), record("r2"), record("r3", email=None), record("r4", email="   ")),
        bad=lambda: landed(record("r1"), record("r2", email=None), record("r3", email="")),
        bad_ids=frozenset(),
    ),
    # --- normalized_leads ---------------------------------------------------------------------
    ("normalized_leads", 0): Case(
        "expect_column_values_to_be_between",
        "created_at",
        good=lambda: leads(
            lead("L1"),
            lead("L2", created_at=at(timedelta(0))),  # exactly the latest allowed time
            lead("L3", created_at=None),
            lead("L4", created_at="2026-10-03T20:00:00+09:00"),  # before the limit, other offset
        ),
        bad=lambda: leads(
            lead("L1"),
            lead("L2", created_at=at(timedelta(days=2))),
            lead("L3", created_at=at(timedelta(microseconds=1))),
            lead("L4", created_at="2026-10-03T13:00:00-05:00"),  # 18:00 UTC, after 12:00 UTC
        ),
        bad_ids=frozenset({"L2", "L3", "L4"}),
        plausible=(
            NOW.isoformat(),
            at(timedelta(0)),
            at(-timedelta(hours=23)),
            "1999-12-31T23:59:59+00:00",
            "2026-10-03T08:00:00-04:00",
        ),
    ),
    ("normalized_leads", 1): Case(
        NOT_REGEX,
        "first_name",
        good=lambda: leads(lead("L1"), lead("L2", first_name="O'Brien-Smith"), lead("L3", first_name=None)),
        bad=lambda: leads(lead("L1", first_name="J4ne"), lead("L2"), lead("L3", first_name="jane@corp")),
        bad_ids=frozenset({"L1", "L3"}),
        plausible=PLAUSIBLE_NAMES,
    ),
    ("normalized_leads", 2): Case(
        NOT_REGEX,
        "last_name",
        good=lambda: leads(lead("L1"), lead("L2", last_name="O'Brien-Smith")),
        bad=lambda: leads(lead("L1"), lead("L2", last_name="Rossi2")),
        bad_ids=frozenset({"L2"}),
        plausible=PLAUSIBLE_NAMES,
    ),
    ("normalized_leads", 3): Case(
        NOT_NULL,
        "lead_id",
        good=lambda: leads(lead("L1"), lead("L2")),
        bad=lambda: leads(lead("L1"), lead(None)),
        bad_ids=frozenset(),
    ),
    ("normalized_leads", 4): Case(
        UNIQUE,
        "lead_id",
        good=lambda: leads(lead("L1"), lead("L2"), lead("L3")),
        bad=lambda: leads(lead("L1"), lead("L2"), lead("L1")),
        bad_ids=frozenset(),
    ),
    ("normalized_leads", 5): Case(
        "expect_column_values_to_be_in_set",
        "lifecycle_stage",
        good=lambda: leads(*(lead(f"L{i}", stage.value) for i, stage in enumerate(Stage)), lead("LX", None)),
        bad=lambda: leads(lead("L1"), lead("L2"), stages={1: "prospect"}),
        bad_ids=frozenset(),
    ),
    ("normalized_leads", 6): Case(
        NOT_NULL,
        "contact",
        # the phone alone is a way to contact a lead
        good=lambda: leads(lead("L1"), lead("L2", email=None), lead("L3", phone=None)),
        bad=lambda: leads(lead("L1"), lead("L2", email=None, phone=None), lead("L3")),
        bad_ids=frozenset(),
    ),
    # --- enriched_leads -----------------------------------------------------------------------
    ("enriched_leads", 0): Case(
        "expect_column_values_to_match_regex",
        "phone",
        good=lambda: leads(lead("L1"), lead("L2", phone=None), lead("L3", phone="+442071838750")),
        bad=lambda: leads(lead("L1"), lead("L2", phone="(415) 555-0100")),
        bad_ids=frozenset(),
    ),
    ("enriched_leads", 1): Case(
        "expect_column_values_to_match_regex",
        "country_code",
        good=lambda: leads(lead("L1", country_code="US"), lead("L2", country_code=None)),
        bad=lambda: leads(lead("L1", country_code="US"), lead("L2", country_code="USA")),
        bad_ids=frozenset(),
    ),
    ("enriched_leads", 2): Case(
        "expect_column_values_to_be_in_set",
        "email_class",
        good=lambda: leads(lead("L1", email_class="corporate"), lead("L2", email_class="free")),
        bad=lambda: leads(lead("L1", email_class="corporate"), lead("L2", email_class="work")),
        bad_ids=frozenset(),
    ),
    ("enriched_leads", 3): Case(
        "expect_column_values_to_not_be_in_set",
        "email_class",
        good=lambda: leads(
            *(lead(f"L{i}", email_class="corporate") for i in range(19)), lead("LX", email_class="disposable")
        ),
        bad=lambda: leads(
            *(lead(f"L{i}", email_class="corporate") for i in range(9)), lead("LX", email_class="disposable")
        ),
        bad_ids=frozenset(),
    ),
    ("enriched_leads", 4): Case(
        "expect_column_values_to_be_in_set",
        "seniority",
        good=lambda: leads(lead("L1", seniority="vp"), lead("L2", seniority=None)),
        bad=lambda: leads(lead("L1", seniority="vp"), lead("L2", seniority="c_suite")),
        bad_ids=frozenset(),
    ),
    ("enriched_leads", 5): Case(
        "expect_column_values_to_be_in_set",
        "employee_range",
        good=lambda: leads(lead("L1", employee_range="51-200"), lead("L2", employee_range="10001+")),
        bad=lambda: leads(lead("L1", employee_range="51-200"), lead("L2", employee_range="51-250")),
        bad_ids=frozenset(),
    ),
    ("enriched_leads", 6): Case(
        "expect_column_values_to_be_in_set",
        "revenue_range",
        good=lambda: leads(lead("L1", revenue_range="10M-50M"), lead("L2", revenue_range=None)),
        bad=lambda: leads(lead("L1", revenue_range="10M-50M"), lead("L2", revenue_range="$10M-$25M")),
        bad_ids=frozenset(),
    ),
    ("enriched_leads", 7): Case(
        "expect_column_values_to_be_between",
        "founded_year",
        good=lambda: leads(lead("L1", founded_year=1998), lead("L2", founded_year=None)),
        bad=lambda: leads(lead("L1", founded_year=1998), lead("L2", founded_year=20150)),
        bad_ids=frozenset(),
    ),
    ("enriched_leads", 8): Case(
        "expect_column_values_to_match_regex",
        "company_domain",
        good=lambda: leads(lead("L1", company_domain="acme.co.uk"), lead("L2", company_domain=None)),
        bad=lambda: leads(lead("L1", company_domain="acme.com"), lead("L2", company_domain="www.acme.com")),
        bad_ids=frozenset(),
    ),
    # --- scored_leads -------------------------------------------------------------------------
    ("scored_leads", 0): Case(
        "expect_column_values_to_be_between",
        "fit_score",
        good=lambda: leads(lead("L1", fit_score=0), lead("L2", fit_score=100)),
        bad=lambda: leads(lead("L1", fit_score=40), lead("L2", fit_score=140)),
        bad_ids=frozenset(),
    ),
    ("scored_leads", 1): Case(
        "expect_column_values_to_be_between",
        "engagement_score",
        good=lambda: leads(lead("L1", engagement_score=3), lead("L2", engagement_score=100)),
        bad=lambda: leads(lead("L1", engagement_score=3), lead("L2", engagement_score=-5)),
        bad_ids=frozenset(),
    ),
    ("scored_leads", 2): Case(
        "expect_column_values_to_match_regex",
        "lead_grade",
        good=lambda: leads(lead("L1", lead_grade="A1"), lead("L2", lead_grade="D4")),
        bad=lambda: leads(lead("L1", lead_grade="A1"), lead("L2", lead_grade="E5")),
        bad_ids=frozenset(),
    ),
    ("scored_leads", 3): Case(
        NOT_NULL,
        "lead_grade",
        good=lambda: leads(lead("L1", lead_grade="B2"), lead("L2", lead_grade="C3")),
        bad=lambda: leads(lead("L1", lead_grade="B2"), lead("L2", lead_grade=None)),
        bad_ids=frozenset(),
    ),
    ("scored_leads", 4): Case(
        "expect_column_values_to_be_between",
        "predicted_score",
        good=lambda: leads(lead("L1", predicted_score=0), lead("L2", predicted_score=None)),
        bad=lambda: leads(lead("L1", predicted_score=55), lead("L2", predicted_score=130)),
        bad_ids=frozenset(),
    ),
    # --- outgoing_payloads --------------------------------------------------------------------
    ("outgoing_payloads", 0): Case(
        "expect_column_values_to_match_regex",
        "email",
        good=lambda: outgoing({"lead_id": "O1", "email": "jane@corp.example"}, {"lead_id": "O2", "email": None}),
        bad=lambda: outgoing({"lead_id": "O1", "email": "jane@corp.example"}, {"lead_id": "O2", "email": "jane@"}),
        bad_ids=frozenset({"O2"}),
        plausible=("first.last+tag@sub.example.co.uk", "o'brien@corp.ie", "x@y.io"),
    ),
    ("outgoing_payloads", 1): Case(
        NOT_REGEX,
        "first_name",
        good=lambda: outgoing({"lead_id": "O1", "first_name": "Jane"}, {"lead_id": "O2", "first_name": None}),
        bad=lambda: outgoing({"lead_id": "O1", "first_name": "Jane"}, {"lead_id": "O2", "first_name": "J4ne"}),
        bad_ids=frozenset({"O2"}),
        plausible=PLAUSIBLE_NAMES,
    ),
    ("outgoing_payloads", 2): Case(
        NOT_REGEX,
        "last_name",
        good=lambda: outgoing({"lead_id": "O1", "last_name": "Doe"}, {"lead_id": "O2", "last_name": None}),
        bad=lambda: outgoing({"lead_id": "O1", "last_name": "Doe"}, {"lead_id": "O2", "last_name": "doe@x.com"}),
        bad_ids=frozenset({"O2"}),
        plausible=PLAUSIBLE_NAMES,
    ),
    ("outgoing_payloads", 3): Case(
        LENGTHS,
        "job_title",
        good=lambda: outgoing({"lead_id": "O1", "job_title": "VP Sales"}, {"lead_id": "O2", "job_title": None}),
        bad=lambda: outgoing({"lead_id": "O1", "job_title": "CTO"}, {"lead_id": "O2", "job_title": "x" * 300}),
        bad_ids=frozenset({"O2"}),
        plausible=("Senior Vice President, Global Demand Generation & Field Marketing (EMEA)",),
    ),
    ("outgoing_payloads", 4): Case(
        "expect_column_values_to_be_in_set",
        "action",
        good=lambda: outgoing({"lead_id": "O1"}, {"lead_id": "O2", "action": "update"}),
        bad=lambda: outgoing({"lead_id": "O1"}, {"lead_id": "O2", "action": "delete"}),
        bad_ids=frozenset(),
    ),
    ("outgoing_payloads", 5): Case(
        UNIQUE,
        "lead_id",
        good=lambda: outgoing({"lead_id": "O1"}, {"lead_id": "O2"}),
        bad=lambda: outgoing({"lead_id": "O1"}, {"lead_id": "O1"}),
        bad_ids=frozenset(),
    ),
}

SUITE_ID_COLUMN = {
    "landed_records": "record_id",
    "normalized_leads": "lead_id",
    "enriched_leads": "lead_id",
    "scored_leads": "lead_id",
    "outgoing_payloads": "lead_id",
}
SUITE_PARAMETERS = {
    "landed_records": {},
    "normalized_leads": PARAMETERS,
    "enriched_leads": PARAMETERS,
    "scored_leads": PARAMETERS,
    "outgoing_payloads": {},
}


@pytest.fixture(scope="module")
def shipped() -> dict[str, SuiteSpec]:
    return {suite.name: suite for suites in load_suites().values() for suite in suites}


def _outcome(suite: SuiteSpec, frame: pd.DataFrame, index: int) -> ExpectationOutcome:
    outcomes = validate_chunk(suite, frame, SUITE_ID_COLUMN[suite.name], SUITE_PARAMETERS[suite.name])
    assert [o.index for o in outcomes] == list(range(len(suite.expectations)))
    return outcomes[index]


def test_every_shipped_expectation_has_a_case(shipped: dict[str, SuiteSpec]) -> None:
    shipped_keys = {(name, i) for name, suite in shipped.items() for i in range(len(suite.expectations))}
    assert shipped_keys == set(CASES), "add a good/bad case to CASES for every new or moved expectation"
    for (name, index), case in CASES.items():
        spec = shipped[name].expectations[index]
        assert (spec.type, spec.column) == (case.type, case.column), (name, index)


def test_every_quarantining_expectation_has_plausible_values(shipped: dict[str, SuiteSpec]) -> None:
    for (name, index), case in CASES.items():
        if shipped[name].expectations[index].meta.quarantine:
            assert case.plausible, (name, index)
            assert case.bad_ids, (name, index)


def test_helpers_build_the_pipeline_columns_and_dtypes() -> None:
    frame = landed(record("r1"), record("r2", email=None))
    assert list(frame.columns) == ["record_id", *FIELD_NAMES]
    assert pd.isna(frame.loc[1, "email"])
    leads_ = leads(lead("L1"), lead("L2", created_at=None), stages={1: "prospect"})
    assert list(leads_.columns) == ["lead_id", "contact", *LEAD_FIELD_NAMES]
    assert isinstance(leads_["created_at"].dtype, pd.DatetimeTZDtype)
    assert str(leads_["created_at"].dtype.tz) == "UTC"
    assert leads_["lifecycle_stage"].tolist() == ["lead", "prospect"]


def test_every_column_an_expectation_names_exists_in_its_frame(shipped: dict[str, SuiteSpec]) -> None:
    columns = {
        "landed_records": set(landed(record("r1")).columns),
        "leads": set(leads(lead("L1")).columns),
        "outgoing": set(OUTGOING_COLUMNS),
    }
    for suite in shipped.values():
        for spec in suite.expectations:
            assert spec.column in columns[suite.dataset], (suite.name, spec.type, spec.column)


def test_lifecycle_value_set_is_exactly_the_known_stages(shipped: dict[str, SuiteSpec]) -> None:
    (spec,) = [e for e in shipped["normalized_leads"].expectations if e.column == "lifecycle_stage"]
    assert set(spec.kwargs["value_set"]) == {stage.value for stage in Stage}


@pytest.mark.parametrize("key", sorted(CASES), ids=lambda k: f"{k[0]}-{k[1]}")
def test_expectation_fails_the_bad_frame_and_passes_the_good(
    key: tuple[str, int], shipped: dict[str, SuiteSpec]
) -> None:
    name, index = key
    case = CASES[key]
    suite = shipped[name]
    spec = suite.expectations[index]
    id_column = SUITE_ID_COLUMN[name]

    bad_frame = case.bad()
    bad = _outcome(suite, bad_frame, index)
    assert bad.success is False
    assert bad.error is None
    assert bad.unexpected > 0
    if spec.meta.quarantine:
        all_ids = {str(i) for i in bad_frame[id_column]}
        assert case.bad_ids < all_ids, "the bad frame must also hold good rows"
        assert sorted(bad.failing_ids) == sorted(case.bad_ids)
        assert not set(bad.failing_ids) & (all_ids - case.bad_ids)
        assert bad.unexpected == len(case.bad_ids)
    else:
        assert bad.failing_ids == ()  # gate-only: nothing is quarantined

    good = _outcome(suite, case.good(), index)
    assert good.success is True
    assert good.error is None
    if spec.mostly == 1.0:
        assert good.unexpected == 0
    assert good.failing_ids == ()


QUARANTINE_KEYS = [key for key, case in CASES.items() if case.plausible]


@pytest.mark.parametrize("key", QUARANTINE_KEYS, ids=lambda k: f"{k[0]}-{k[1]}")
def test_plausible_values_do_not_trip_quarantine_rules(key: tuple[str, int], shipped: dict[str, SuiteSpec]) -> None:
    name, index = key
    case = CASES[key]
    suite = shipped[name]
    if name == "landed_records":
        frame = landed(*(record(f"r{i}", **{case.column: value}) for i, value in enumerate(case.plausible)))
    elif name == "outgoing_payloads":
        frame = outgoing(*({"lead_id": f"O{i}", case.column: value} for i, value in enumerate(case.plausible)))
    else:
        frame = leads(*(lead(f"L{i}", **{case.column: value}) for i, value in enumerate(case.plausible)))
    outcomes = validate_chunk(suite, frame, SUITE_ID_COLUMN[name], SUITE_PARAMETERS[name])
    assert outcomes[index].checked == len(case.plausible)
    assert outcomes[index].failing_ids == ()
    # no quarantining rule of the suite holds back a realistic record
    assert [o for o in outcomes if o.failing_ids] == []


def test_failing_ids_are_text_whatever_the_id_dtype(shipped: dict[str, SuiteSpec]) -> None:
    frame = leads(lead("L1"), lead("L2", first_name="J4ne"))
    frame["lead_id"] = [101, 102]
    outcome = _outcome(shipped["normalized_leads"], frame, 1)
    assert outcome.failing_ids == ("102",)


def test_an_expectation_that_cannot_run_reports_an_error() -> None:
    suite = SuiteSpec.model_validate(
        {
            "name": "broken",
            "dataset": "leads",
            "expectations": [
                {
                    "type": NOT_REGEX,
                    "kwargs": {"column": "no_such_column", "regex": "x"},
                    "meta": {"quarantine": True, "reason": "a column the frame does not have"},
                }
            ],
        }
    )
    (outcome,) = validate_chunk(suite, leads(lead("L1")), "lead_id", {})
    assert outcome.success is False
    assert outcome.error is not None


# ---------------------------------------------------------------------------------------------
# Suite files
# ---------------------------------------------------------------------------------------------


def _suite(name: str = "custom_checks", **changes: Any) -> dict[str, Any]:
    suite: dict[str, Any] = {
        "name": name,
        "dataset": "leads",
        "description": "custom",
        "gates": {"max_quarantine_share": 0.1},
        "expectations": [
            {
                "type": "expect_column_values_to_not_be_null",
                "kwargs": {"column": "contact", "mostly": 0.9},
                "meta": {"quarantine": False, "reason": "leads without contact", "owner": "ops"},
            }
        ],
    }
    suite.update(changes)
    return suite


def _write(folder: Path, file_name: str, content: Any) -> Path:
    path = folder / file_name
    path.write_text(content if isinstance(content, str) else json.dumps(content), encoding="utf-8")
    return path


def test_shipped_suites_load() -> None:
    suites = load_suites()
    assert [s.name for s in suites["landed_records"]] == ["landed_records"]
    assert [s.name for s in suites["leads"]] == ["enriched_leads", "normalized_leads", "scored_leads"]
    for path in sorted(SUITES_DIR.glob("*.json")):
        assert load_suite(path).name == path.stem


def test_a_valid_custom_suite_loads(tmp_path: Path) -> None:
    _write(tmp_path, "b_custom.json", _suite())
    _write(tmp_path, "a_records.json", _suite("records_extra", dataset="landed_records"))
    _write(tmp_path, "c_more.json", _suite("more_checks"))
    (tmp_path / "notes.txt").write_text("not a suite", encoding="utf-8")
    suites = load_suites(tmp_path)
    assert set(suites) == {"leads", "landed_records"}
    assert [s.name for s in suites["leads"]] == ["custom_checks", "more_checks"]  # file-name order
    custom = suites["leads"][0]
    assert custom.gates.max_quarantine_share == 0.1
    (spec,) = custom.expectations
    assert (spec.column, spec.mostly, spec.meta.quarantine) == ("contact", 0.9, False)
    assert custom.quarantining == []


def _broken_meta(**meta: Any) -> dict[str, Any]:
    suite = _suite()
    suite["expectations"][0]["meta"] = meta
    return suite


def _with_type(type_: str) -> dict[str, Any]:
    suite = _suite()
    suite["expectations"][0]["type"] = type_
    return suite


BROKEN_SUITES: dict[str, tuple[Any, str]] = {
    "unknown top-level key": (_suite(severity="high"), "severity"),
    "missing meta.reason": (_broken_meta(quarantine=True), "reason"),
    "empty meta.reason": (_broken_meta(quarantine=True, reason=""), "reason"),
    "missing meta.quarantine": (_broken_meta(reason="why"), "quarantine"),
    "bad type": (_with_type("column_values_to_not_be_null"), "type"),
    "bad type casing": (_with_type("expect_Column_values"), "type"),
    "unknown expectation key": (
        _suite(expectations=[{**_suite()["expectations"][0], "kwarg": {}}]),
        "kwarg",
    ),
    "no expectations": (_suite(expectations=[]), "expectations"),
    "unknown dataset": (_suite(dataset="contacts"), "dataset"),
    "invalid JSON": ('{"name": "custom_checks", ', "cannot read"),
}


@pytest.mark.parametrize("problem", sorted(BROKEN_SUITES))
def test_a_broken_suite_file_raises_naming_the_file(problem: str, tmp_path: Path) -> None:
    content, detail = BROKEN_SUITES[problem]
    _write(tmp_path, "a_fine.json", _suite("fine_suite"))
    path = _write(tmp_path, "b_broken.json", content)
    with pytest.raises(SuiteError) as raised:
        load_suites(tmp_path)
    assert str(path) in str(raised.value)
    assert detail in str(raised.value)


def test_duplicate_suite_names_raise_naming_the_second_file(tmp_path: Path) -> None:
    _write(tmp_path, "a_first.json", _suite("same_name"))
    second = _write(tmp_path, "b_second.json", _suite("same_name", dataset="landed_records"))
    with pytest.raises(SuiteError) as raised:
        load_suites(tmp_path)
    assert str(second) in str(raised.value)
    assert "same_name" in str(raised.value)


# ---------------------------------------------------------------------------------------------
# Aggregation over chunks and gates (leads/quality.py)
# ---------------------------------------------------------------------------------------------


def _tally(mostly: float = 1.0, quarantine: bool = False, column: str = "contact") -> ExpectationTally:
    return ExpectationTally("expect_column_values_to_not_be_null", column, "no contact", quarantine, mostly)


def _chunk(checked: int, unexpected: int, mostly: float, error: str | None = None) -> ExpectationOutcome:
    """A chunk's outcome as GX reports it (its own per-chunk verdict on `mostly`)."""
    chunk_success = checked == 0 or Fraction(checked - unexpected, checked) >= Fraction(str(mostly))
    return ExpectationOutcome(0, chunk_success and error is None, checked, unexpected, (), error)


def _verdict(checked: int, unexpected: int, mostly: float) -> bool:
    """The batch verdict on exact counts: at least `mostly` of the values are as expected."""
    if checked == 0:
        return True
    return Fraction(checked - unexpected, checked) >= Fraction(str(mostly))


def test_mostly_passes_on_the_summed_share_although_one_chunk_fails() -> None:
    tally = _tally(0.9)
    chunks = [_chunk(10, 3, 0.9), _chunk(90, 0, 0.9)]  # 30 % alone, 3 % overall
    assert chunks[0].success is False
    for chunk in chunks:
        tally.add(chunk)
    assert (tally.checked, tally.unexpected, tally.chunks_failed) == (100, 3, 1)
    assert tally.passed is True


def test_mostly_fails_on_the_summed_share_although_one_chunk_passes() -> None:
    tally = _tally(0.9)
    chunks = [_chunk(40, 0, 0.9), _chunk(10, 6, 0.9)]  # 0 % and 60 %: 12 % overall
    assert chunks[0].success is True
    for chunk in chunks:
        tally.add(chunk)
    assert tally.share == pytest.approx(0.12)
    assert tally.passed is False


def test_an_error_in_any_chunk_fails_the_expectation() -> None:
    tally = _tally(0.5)
    tally.add(_chunk(100, 0, 0.5))
    tally.add(_chunk(0, 0, 0.5, error="column not found"))
    tally.add(_chunk(100, 0, 0.5))
    assert tally.error == "column not found"
    assert tally.passed is False


def test_without_row_counts_the_verdict_is_whether_any_chunk_failed() -> None:
    tally = _tally()
    tally.add(ExpectationOutcome(0, True, 0, 0))
    assert tally.passed is True
    tally.add(ExpectationOutcome(0, False, 0, 0))
    assert tally.passed is False


@pytest.mark.parametrize(("mostly", "checked", "unexpected"), [(0.9, 10, 1), (0.8, 5, 1), (0.9, 100, 10)])
def test_mostly_holds_at_exactly_the_boundary(mostly: float, checked: int, unexpected: int) -> None:
    tally = _tally(mostly)
    tally.add(_chunk(checked, unexpected, mostly))
    assert _verdict(checked, unexpected, mostly) is True
    assert tally.passed is True


MOSTLY = st.sampled_from([0.5, 0.8, 0.9, 0.95, 0.99, 1.0])
CHUNKS = st.lists(
    st.integers(0, 60).flatmap(lambda n: st.tuples(st.just(n), st.integers(0, n))), min_size=1, max_size=12
)


@settings(max_examples=150, deadline=None)
@given(chunks=CHUNKS, mostly=MOSTLY)
def test_aggregated_verdict_equals_verdict_on_summed_counts(chunks: list[tuple[int, int]], mostly: float) -> None:
    checked = sum(c for c, _ in chunks)
    unexpected = sum(u for _, u in chunks)
    # the exact boundary is a known bug, pinned by test_mostly_holds_at_exactly_the_boundary
    assume(checked == 0 or Fraction(unexpected, checked) != 1 - Fraction(str(mostly)))
    tally = _tally(mostly)
    for c, u in chunks:
        tally.add(_chunk(c, u, mostly))
    assert (tally.checked, tally.unexpected) == (checked, unexpected)
    if checked:
        assert tally.passed is _verdict(checked, unexpected, mostly)

    # and the verdict does not depend on how the rows were chunked
    whole = _tally(mostly)
    whole.add(_chunk(checked, unexpected, mostly))
    if checked:
        assert whole.passed is tally.passed


@settings(max_examples=50, deadline=None)
@given(chunks=CHUNKS, mostly=MOSTLY, data=st.data())
def test_any_chunk_error_fails_whatever_the_counts(chunks: list[tuple[int, int]], mostly: float, data: Any) -> None:
    broken = data.draw(st.integers(0, len(chunks) - 1))
    tally = _tally(mostly)
    for i, (c, u) in enumerate(chunks):
        tally.add(_chunk(c, u, mostly, error="boom" if i == broken else None))
    assert tally.error == "boom"
    assert tally.passed is False


def _suite_tally(rows: int, quarantined: int, gate_only: list[ExpectationTally] | None = None) -> SuiteTally:
    expectations = [
        ExpectationTally(NOT_REGEX, "first_name", "junk first name", True, 1.0),
        *(gate_only or []),
    ]
    tally = SuiteTally("custom_checks", "crm", expectations)
    tally.add_chunk(rows, [], quarantined)
    return tally


def test_quarantine_share_trips_strictly_above_the_limit() -> None:
    at_limit = suite_gates(_suite_tally(100, 25), 0.25)[0]
    assert (at_limit.gate, at_limit.scope, at_limit.tripped) == ("quarantine_share", "custom_checks/crm", False)
    above = suite_gates(_suite_tally(100, 26), 0.25)[0]
    assert above.tripped is True
    assert "26.0%" in above.detail and "25%" in above.detail
    assert suite_gates(_suite_tally(0, 0), 0.0)[0].tripped is False


@settings(max_examples=200, deadline=None)
@given(rows=st.integers(1, 10_000), data=st.data())
def test_quarantine_share_exactly_at_the_limit_never_trips(rows: int, data: Any) -> None:
    quarantined = data.draw(st.integers(0, rows))
    limit = quarantined / rows
    assert suite_gates(_suite_tally(rows, quarantined), limit)[0].tripped is False
    if quarantined < rows:
        assert suite_gates(_suite_tally(rows, quarantined + 1), limit)[0].tripped is True


def test_suite_gates_report_every_gate_only_expectation() -> None:
    unique = ExpectationTally(UNIQUE, "lead_id", "lead ids repeat", False, 1.0)
    unique.add(ExpectationOutcome(1, False, 10, 2))
    contact = ExpectationTally(NOT_NULL, "contact", "no contact", False, 0.5)
    contact.add(ExpectationOutcome(2, True, 10, 1))
    broken = ExpectationTally(NOT_NULL, "email", "no email", False, 1.0)
    broken.add(ExpectationOutcome(3, False, 0, 0, (), "column not found"))
    tally = _suite_tally(10, 0, [unique, contact, broken])
    tally.expectations[0].add(ExpectationOutcome(0, False, 10, 3, ("a", "b", "c")))  # quarantining

    gates = suite_gates(tally, 0.25)
    assert [g.gate for g in gates] == ["quarantine_share", "expectation", "expectation", "expectation"]
    by_scope = {g.scope: g for g in gates[1:]}
    assert set(by_scope) == {
        f"custom_checks/crm/{UNIQUE}:lead_id",
        f"custom_checks/crm/{NOT_NULL}:contact",
        f"custom_checks/crm/{NOT_NULL}:email",
    }
    assert by_scope[f"custom_checks/crm/{UNIQUE}:lead_id"].tripped is True
    assert "lead ids repeat" in by_scope[f"custom_checks/crm/{UNIQUE}:lead_id"].detail
    assert by_scope[f"custom_checks/crm/{NOT_NULL}:contact"].tripped is False
    email_gate = by_scope[f"custom_checks/crm/{NOT_NULL}:email"]
    assert email_gate.tripped is True and "could not run" in email_gate.detail
    assert "column not found" in email_gate.detail


RULE = VolumeRule(min_ratio=0.5, max_ratio=2.0, min_history=3)


def test_volume_gate_gives_no_verdict_without_enough_history() -> None:
    result = volume_gate("crm", 0, [1000, 1000], RULE)
    assert (result.gate, result.scope, result.tripped) == ("volume", "crm", False)
    assert "not enough history" in result.detail
    assert volume_gate("crm", 0, [1000, 1000, 1000], RULE).tripped is True  # min_history reached


def test_volume_gate_trips_outside_the_ratios_of_the_median() -> None:
    history = [90, 100, 5000, 110, 100]  # median 100, one spike
    assert volume_gate("crm", 49, history, RULE).tripped is True
    assert volume_gate("crm", 50, history, RULE).tripped is False
    assert volume_gate("crm", 200, history, RULE).tripped is False
    assert volume_gate("crm", 201, history, RULE).tripped is True
    detail = volume_gate("crm", 201, history, RULE).detail
    assert "median of 100" in detail and "50 to 200" in detail


def test_volume_gate_does_not_trip_for_a_quiet_but_normal_hour() -> None:
    quiet_nights = [12, 9, 15, 11, 10]
    assert volume_gate("crm", 7, quiet_nights, RULE).tripped is False
    assert volume_gate("crm", 0, [0, 0, 0], RULE).tripped is False


@settings(max_examples=200, deadline=None)
@given(
    current=st.integers(0, 10_000),
    history=st.lists(st.integers(1, 10_000), min_size=3, max_size=20),
)
def test_volume_gate_verdict(current: int, history: list[int]) -> None:
    ordered = sorted(history)
    middle = len(ordered) // 2
    typical = Fraction(ordered[middle]) if len(ordered) % 2 else Fraction(ordered[middle - 1] + ordered[middle], 2)
    expected = current < typical * Fraction(1, 2) or current > typical * 2
    assert volume_gate("crm", current, history, RULE).tripped is expected


def test_schema_drift_gate_names_the_missing_columns() -> None:
    result = schema_drift_gate("crm", ["Email", "Phone Number"])
    assert (result.gate, result.scope, result.tripped) == ("schema_drift", "crm", True)
    assert "Email" in result.detail and "Phone Number" in result.detail
    fine = schema_drift_gate("crm", [])
    assert fine.tripped is False


def test_a_quarantining_rule_that_cannot_run_trips_a_gate() -> None:
    tally = ExpectationTally("expect_column_values_to_not_match_regex", "no_such_column", "spam", True, 1.0)
    tally.add(ExpectationOutcome(0, False, 0, 0, (), "column no_such_column not found"))
    suite = SuiteTally("custom", "crm", [tally], rows=10)
    gates = suite_gates(suite, max_quarantine_share=0.25)
    broken = [g for g in gates if g.gate == "expectation"]
    assert len(broken) == 1 and broken[0].tripped and "could not run" in broken[0].detail
