"""leads.golden: survivorship rules (see the module docstring) and stable lead ids."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from leads.fields import ATTRIBUTION_FIELDS
from leads.golden import lead_fingerprint, merge_records
from leads.identity import lead_id_for
from leads.lifecycle import Stage
from leads.model import FieldValue, NormalizedRecord, RecordRef

KEY = "email:jane@example.com"
T0 = datetime(2026, 9, 1, 9, 0, tzinfo=UTC)


def rec(source: str, source_id: str, hours: float, invalid: dict[str, str] | None = None, **values) -> NormalizedRecord:
    """A normalized record observed T0 + hours; `invalid` maps field -> reason for raw values."""
    at = T0 + timedelta(hours=hours)
    invalid = invalid or {}
    fields = {n: FieldValue(v, source, at, invalid.get(n)) for n, v in values.items()}
    return NormalizedRecord(RecordRef(source, source_id), at, fields, KEY)


def merge(*records: NormalizedRecord, previous_stage: Stage | None = None):
    return merge_records(KEY, list(records), previous_stage=previous_stage)


def test_no_records_is_an_error():
    with pytest.raises(ValueError, match=KEY):
        merge_records(KEY, [])


# --- valid beats invalid, recency ---------------------------------------------------------------


def test_valid_value_beats_a_more_recent_invalid_one():
    old_valid = rec("crm", "1", 0, email="jane@example.com")
    new_invalid = rec("ads", "2", 5, invalid={"email": "not a valid email address"}, email="jane@@example")
    lead = merge(old_valid, new_invalid)
    assert lead.get("email") == "jane@example.com"
    assert lead.fields["email"].source == "crm"
    assert "email" not in lead.issues


def test_invalid_value_survives_only_when_nothing_valid_exists():
    a = rec("crm", "1", 0, invalid={"phone": "bad"}, phone="x")
    b = rec("ads", "2", 1, invalid={"phone": "worse"}, phone="y")
    lead = merge(a, b)
    assert lead.get("phone") is None
    assert lead.fields["phone"].value == "y"  # the most recent of the invalid ones
    assert lead.issues == {"phone": "worse"}


def test_most_recent_valid_value_wins():
    lead = merge(
        rec("crm", "1", 0, company="Old Corp", job_title="Intern"),
        rec("ads", "2", 3, company="New Corp"),
        rec("crm", "3", 1, company="Middle Corp", job_title="Manager"),
    )
    assert lead.get("company") == "New Corp"
    assert lead.fields["company"].source == "ads"
    # a field the newest record lacks comes from the newest record that has it
    assert lead.get("job_title") == "Manager"


def test_tie_on_time_goes_to_the_source_name():
    a = rec("ads", "1", 0, company="From Ads")
    b = rec("crm", "2", 0, company="From CRM")
    assert merge(a, b).get("company") == merge(b, a).get("company")


def test_full_tie_goes_to_one_record_by_id():
    a = rec("crm", "a", 0, company="Zeta Corp", job_title="Analyst")
    b = rec("crm", "b", 0, company="Acme Corp", job_title="Buyer")
    lead = merge(a, b)
    # Whichever direction the id tie-break runs, both fields must come from the same record.
    assert (lead.get("company"), lead.get("job_title")) in {
        ("Zeta Corp", "Analyst"),
        ("Acme Corp", "Buyer"),
    }


def test_records_are_listed_oldest_first():
    lead = merge(rec("crm", "2", 5, phone="1"), rec("crm", "1", 0, phone="2"), rec("ads", "9", 2, phone="3"))
    assert lead.records == (RecordRef("crm", "1"), RecordRef("ads", "9"), RecordRef("crm", "2"))


# --- order independence (hypothesis) --------------------------------------------------------------

_values = st.sampled_from(["Acme", "Zeta", "Beta", "acme"])
_record_specs = st.lists(
    st.tuples(
        st.sampled_from(["ads", "crm", "web"]),
        st.integers(0, 3),  # hours: small range so ties happen
        st.fixed_dictionaries(
            {},
            optional={
                "company": _values,
                "job_title": _values,
                "phone": st.sampled_from(["+1 415 555 0100", "+1 415 555 0199"]),
                "campaign_id": st.sampled_from(["c1", "c2"]),
                "ad_name": st.sampled_from(["ad A", "ad B"]),
                "created_at": st.sampled_from([T0, T0 - timedelta(days=3)]),
                "source_system": st.sampled_from(["hubspot", "meta_lead_ads"]),
                "do_not_contact": st.booleans(),
                "lifecycle_stage": st.sampled_from([s.value for s in Stage]),
            },
        ),
        st.sets(st.sampled_from(["company", "phone", "do_not_contact"]), max_size=2),
    ),
    min_size=1,
    max_size=6,
)


def _build(specs) -> list[NormalizedRecord]:
    return [
        rec(source, f"id{i}", hours, invalid={n: f"bad {n}" for n in bad if n in values}, **values)
        for i, (source, hours, values, bad) in enumerate(specs)
    ]


@settings(max_examples=80, deadline=None)
@given(specs=_record_specs, data=st.data(), previous=st.none() | st.sampled_from(list(Stage)))
def test_merge_is_independent_of_input_order(specs, data, previous):
    records = _build(specs)
    shuffled = data.draw(st.permutations(records))
    a = merge_records(KEY, records, previous_stage=previous)
    b = merge_records(KEY, shuffled, previous_stage=previous)
    assert a == b
    assert lead_fingerprint(a) == lead_fingerprint(b)


@settings(max_examples=60, deadline=None)
@given(specs=_record_specs)
def test_merged_stage_is_never_behind_any_record(specs):
    records = _build(specs)
    lead = merge_records(KEY, records)
    stages = [Stage(r.valid("lifecycle_stage")) for r in records if r.valid("lifecycle_stage")]
    if stages:
        assert lead.lifecycle_stage == max(stages, key=lambda s: s.rank)
        assert lead.get("lifecycle_stage") == lead.lifecycle_stage.value
    else:
        assert lead.lifecycle_stage is None
    if any(r.valid("do_not_contact") is True for r in records):
        assert lead.do_not_contact is True


# --- attribution and first touch ------------------------------------------------------------------


def test_attribution_is_taken_as_one_group_from_the_first_touch():
    first = rec("ads", "1", 0, campaign_id="c1", campaign_name="Spring", form_id="f1")
    later = rec(
        "ads",
        "2",
        5,
        campaign_id="c2",
        campaign_name="Autumn",
        ad_id="ad9",
        ad_name="Video",
        form_id="f2",
        utm_source="newsletter",
    )
    lead = merge(later, first)
    assert lead.attribution == {"campaign_id": "c1", "campaign_name": "Spring", "form_id": "f1"}
    # nothing of the later touch leaks in, even where the first touch left a field empty
    assert lead.get("ad_id") is None and lead.get("utm_source") is None
    assert {lead.fields[n].source for n in lead.attribution} == {"ads"}
    assert all(lead.fields[n].observed_at == T0 for n in lead.attribution)


def test_records_without_attribution_do_not_count_as_a_touch():
    no_touch = rec("crm", "1", 0, company="Acme")
    touch = rec("ads", "2", 4, platform="fb", is_organic=False, gclid="g-1")
    lead = merge(no_touch, touch)
    assert lead.attribution == {"platform": "fb", "is_organic": False, "gclid": "g-1"}
    assert set(lead.attribution) <= set(ATTRIBUTION_FIELDS)


def test_first_touch_fields_come_from_the_earliest_record():
    early = rec(
        "ads",
        "1",
        0,
        source_system="meta_lead_ads",
        original_source="Paid Social",
        created_at=T0 - timedelta(days=10),
    )
    late = rec(
        "crm",
        "2",
        48,
        source_system="hubspot",
        original_source="Offline",
        created_at=T0,
        company="Acme",
    )
    lead = merge(late, early)
    assert lead.get("source_system") == "meta_lead_ads"
    assert lead.get("original_source") == "Paid Social"
    assert lead.get("created_at") == T0 - timedelta(days=10)
    assert lead.get("company") == "Acme"


def test_first_touch_field_missing_early_comes_from_the_next_record_that_has_it():
    early = rec("ads", "1", 0, source_system="meta_lead_ads")
    late = rec("crm", "2", 48, source_system="hubspot", original_source="Offline")
    lead = merge(early, late)
    assert lead.get("source_system") == "meta_lead_ads"
    assert lead.get("original_source") == "Offline"


def test_first_touch_prefers_a_valid_value_over_an_earlier_invalid_one():
    early = rec("crm", "1", 0, invalid={"created_at": "no four-digit year"}, created_at="garbage")
    late = rec("crm", "2", 5, created_at=T0 - timedelta(days=1))
    lead = merge(early, late)
    assert lead.get("created_at") == T0 - timedelta(days=1)


# --- sticky do_not_contact ------------------------------------------------------------------------


def test_do_not_contact_is_sticky():
    opted_out = rec("crm", "1", 0, do_not_contact=True)
    newer = rec("ads", "2", 10, do_not_contact=False)
    lead = merge(newer, opted_out)
    assert lead.do_not_contact is True
    assert lead.fields["do_not_contact"].source == "crm"


def test_do_not_contact_false_when_no_record_says_true():
    lead = merge(rec("crm", "1", 0, do_not_contact=False), rec("ads", "2", 1, company="Acme"))
    assert lead.get("do_not_contact") is False
    assert lead.do_not_contact is False


def test_invalid_do_not_contact_does_not_opt_out_or_override_a_valid_value():
    lead = merge(
        rec("crm", "1", 0, do_not_contact=False),
        rec("ads", "2", 5, invalid={"do_not_contact": "not a boolean"}, do_not_contact="maybe"),
    )
    assert lead.get("do_not_contact") is False


def test_invalid_only_do_not_contact_stays_visible_with_its_reason():
    lead = merge(
        rec(
            "crm",
            "1",
            0,
            invalid={"do_not_contact": "not a boolean: 'maybe'"},
            do_not_contact="maybe",
        )
    )
    assert lead.issues.get("do_not_contact") == "not a boolean: 'maybe'"
    assert lead.do_not_contact is False


def test_absent_do_not_contact_means_contactable():
    assert merge(rec("crm", "1", 0, company="Acme")).do_not_contact is False


# --- lifecycle ------------------------------------------------------------------------------------


def test_stage_only_moves_forward_across_records():
    lead = merge(rec("crm", "1", 0, lifecycle_stage="sql"), rec("crm", "2", 5, lifecycle_stage="lead"))
    assert lead.lifecycle_stage is Stage.SQL
    assert lead.get("lifecycle_stage") == "sql"


def test_stage_moves_forward_when_a_newer_record_advances():
    lead = merge(rec("crm", "1", 0, lifecycle_stage="lead"), rec("crm", "2", 5, lifecycle_stage="customer"))
    assert lead.lifecycle_stage is Stage.CUSTOMER


def test_stage_never_goes_back_behind_the_previous_stage():
    lead = merge(rec("crm", "1", 0, lifecycle_stage="mql"), previous_stage=Stage.OPPORTUNITY)
    assert lead.lifecycle_stage is Stage.OPPORTUNITY
    assert lead.get("lifecycle_stage") == "opportunity"


def test_stage_advances_beyond_the_previous_stage():
    lead = merge(rec("crm", "1", 0, lifecycle_stage="customer"), previous_stage=Stage.MQL)
    assert lead.lifecycle_stage is Stage.CUSTOMER


def test_previous_stage_kept_when_records_have_none():
    lead = merge(rec("crm", "1", 0, company="Acme"), previous_stage=Stage.SQL)
    assert lead.lifecycle_stage is Stage.SQL
    assert lead.get("lifecycle_stage") == "sql"


def test_invalid_stage_does_not_move_the_lead():
    lead = merge(
        rec("crm", "1", 0, lifecycle_stage="lead"),
        rec("crm", "2", 5, invalid={"lifecycle_stage": "unknown"}, lifecycle_stage="Nurture"),
    )
    assert lead.lifecycle_stage is Stage.LEAD
    assert lead.get("lifecycle_stage") == "lead"


# --- lead id --------------------------------------------------------------------------------------


def test_lead_id_is_stable_for_the_same_identity_key():
    one = merge(rec("crm", "1", 0, company="Acme"))
    other = merge_records(KEY, [rec("ads", "7", 3, phone="+1 415 555 0100"), rec("crm", "8", 9, company="B")])
    assert one.lead_id == other.lead_id == lead_id_for(KEY)
    assert lead_id_for(KEY) == lead_id_for(KEY)
    # a UUID (version 5) in hex: the same on every machine and run
    assert uuid.UUID(hex=one.lead_id).version == 5
    assert one.lead_id == uuid.uuid5(uuid.UUID("6c0f5d8e-9a51-4a4e-8a55-2f1f0c7a9b10"), KEY).hex


def test_different_identity_keys_get_different_lead_ids():
    assert lead_id_for("email:a@example.com") != lead_id_for("email:b@example.com")
    assert lead_id_for("record:crm:1") != lead_id_for("record:ads:1")


def test_fields_are_sorted_by_name():
    lead = merge(rec("crm", "1", 0, phone="1", company="Acme", email="jane@example.com"))
    assert list(lead.fields) == sorted(lead.fields)


# --- source priority and enrichment ---------------------------------------------------------


def test_a_trusted_source_beats_a_more_recent_one_and_per_field_priority_overrides_it():
    from leads.golden import SourcePriority

    crm = rec("crm", "1", 0, company="Acme Inc", job_title="VP Sales")
    ads = rec("ads", "2", 5, company="ACME", job_title="Head of Sales")
    priority = SourcePriority.from_lists(["crm", "ads"], {"job_title": ["ads", "crm"]})
    lead = merge_records(KEY, [crm, ads], priority=priority)
    assert lead.get("company") == "Acme Inc"  # crm is trusted more, though older
    assert lead.get("job_title") == "Head of Sales"  # the field's own order puts ads first
    assert merge(crm, ads).get("company") == "ACME"  # without priorities the newest wins


def test_enrichment_fills_gaps_but_never_overwrites_a_source_unless_it_is_trusted_more():
    from leads.golden import SourcePriority, fold_enrichment

    fields = {"seniority": FieldValue("vp", "crm", T0)}
    found = {"seniority": FieldValue("manager", "pdl", T0), "industry": FieldValue("software", "pdl", T0)}
    default = SourcePriority.from_lists([], {}, late=["pdl"])
    folded = fold_enrichment(fields, found, default)
    assert folded["seniority"].value == "vp" and folded["industry"].source == "pdl"
    trusting = SourcePriority.from_lists([], {"seniority": ["pdl", "crm"]}, late=["pdl"])
    assert fold_enrichment(fields, found, trusting)["seniority"].value == "manager"


@settings(max_examples=80, deadline=None)
@given(
    specs=_record_specs,
    previous=st.none() | st.sampled_from(list(Stage)),
    enriched=st.fixed_dictionaries({}, optional={"industry": _values, "company": _values, "seniority": _values}),
    trusting=st.booleans(),
)
def test_build_lead_is_merge_then_derive_then_fold(specs, previous, enriched, trusting):
    from leads.derive import derive_fields
    from leads.golden import LeadRules, SourcePriority, build_lead, fold_enrichment

    records = _build(specs)
    priority = SourcePriority.from_lists(["crm", "ads"], {"company": ["pdl", "web"]} if trusting else {}, late=["pdl"])
    rules = LeadRules(priority=priority)
    enrichment = {name: FieldValue(value, "pdl", T0) for name, value in enriched.items()}
    lead = build_lead("lead-1", KEY, records, previous, rules, enrichment)
    merged = merge_records(KEY, records, previous, lead_id="lead-1", priority=priority)
    fields = fold_enrichment({**merged.fields, **derive_fields(merged.fields, rules.titles)}, enrichment, priority)
    assert lead == type(merged)(merged.lead_id, merged.identity_key, fields, merged.lifecycle_stage, merged.records)
    assert list(lead.fields) == sorted(lead.fields)
