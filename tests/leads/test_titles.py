"""leads.titles: job title → seniority and department, built-in table and configured rules."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from leads.config import SENIORITY_LEVELS, TitleRulesConfig
from leads.titles import DEPARTMENT_RULES, SENIORITY_RULES, TitleRules

RULES = TitleRules()
DEPARTMENTS = {label for label, _ in DEPARTMENT_RULES}


@pytest.mark.parametrize(
    ("title", "seniority", "department"),
    [
        ("CEO", "cxo", "executive"),
        ("Chief Executive Officer", "cxo", "executive"),
        ("CTO", "cxo", "engineering"),
        ("CFO", "cxo", "finance"),
        ("COO", "cxo", "operations"),
        ("CMO", "cxo", "marketing"),
        ("CRO", "cxo", "sales"),
        ("CISO", "cxo", "it"),
        ("Chief Marketing Officer", "cxo", "marketing"),
        ("Chief Revenue Officer", "cxo", "sales"),
        ("Chief People Officer", "cxo", "hr"),
        ("President", "cxo", "executive"),
        ("Managing Director", "cxo", "executive"),
        ("Geschäftsführer", "cxo", "executive"),
        ("Co-founder & CTO", "cxo", "engineering"),
        ("Founder", "owner", "executive"),
        ("Co-Founder", "owner", "executive"),
        ("Cofounder", "owner", "executive"),
        ("Owner", "owner", "executive"),
        ("Partner", "partner", None),
        ("Managing Partner", "partner", "executive"),
        ("VP Sales", "vp", "sales"),
        ("Vice President, Engineering", "vp", "engineering"),
        ("Vice-President of Marketing", "vp", "marketing"),
        ("SVP Marketing", "vp", "marketing"),
        ("EVP, Finance", "vp", "finance"),
        ("V.P. of Finance", "vp", "finance"),
        ("Head of Growth", "director", "marketing"),
        ("Head of IT", "director", "it"),
        ("Director of Engineering", "director", "engineering"),
        ("Senior Director, Product", "director", "product"),
        ("General Manager", "director", "executive"),
        ("Engineering Manager", "manager", "engineering"),
        ("Product Marketing Manager", "manager", "marketing"),
        ("Customer Success Manager", "manager", "customer_success"),
        ("Office Manager", "manager", "operations"),
        ("Team Lead", "manager", None),
        ("Lead Developer", "senior", "engineering"),
        ("Senior Software Engineer", "senior", "engineering"),
        ("Sr. Account Executive", "senior", "sales"),
        ("Principal Engineer", "senior", "engineering"),
        ("Staff Engineer", "senior", "engineering"),
        ("Solutions Architect", "senior", "sales"),
        ("Junior Developer", "entry", "engineering"),
        ("Jr. Designer", "entry", "design"),
        ("Associate", "entry", None),
        ("SDR", "entry", "sales"),
        ("BDR", "entry", "sales"),
        ("Business Development Representative", "entry", "sales"),
        ("Executive Assistant to the CEO", "entry", "executive"),
        ("Intern", "training", None),
        ("Marketing Intern", "training", "marketing"),
        ("Software Engineering Intern", "training", "engineering"),
        ("Software Engineer", None, "engineering"),
        ("Developer", None, "engineering"),
        ("Account Executive", None, "sales"),
        ("Sales Engineer", None, "sales"),
        ("Support Engineer", None, "support"),
        ("Data Scientist", None, "data"),
        ("Financial Analyst", None, "finance"),
        ("Staff Accountant", None, "finance"),  # "staff" is a level only for engineers and scientists
        ("Recruiter", None, "hr"),
        ("HR Business Partner", None, "hr"),  # not a partner
        ("Partner Manager", "manager", "sales"),  # nor this one
        ("Product Owner", None, "product"),  # not an owner
        ("General Counsel", None, "legal"),
        ("UX Designer", None, "design"),
        ("Teacher", None, "education"),
        ("Registered Nurse", None, "health"),
        ("Research Scientist", None, "research"),
        ("Internal Auditor", None, "finance"),  # "internal" is no intern
        ("vp sales", "vp", "sales"),
        ("  Senior   Software  Engineer ", "senior", "engineering"),
        ("Astronaut", None, None),
        ("", None, None),
    ],
)
def test_builtin_rules(title, seniority, department):
    assert RULES.classify(title) == (seniority, department)


def test_builtin_levels_are_pdl_levels_and_departments_are_documented():
    assert {label for label, _ in SENIORITY_RULES} <= set(SENIORITY_LEVELS)
    assert {
        "executive",
        "engineering",
        "data",
        "it",
        "product",
        "design",
        "marketing",
        "sales",
        "customer_success",
        "support",
        "finance",
        "hr",
        "legal",
        "operations",
        "education",
        "health",
        "research",
    } == DEPARTMENTS


def test_configured_rules_are_tried_before_the_builtin_ones():
    config = TitleRulesConfig(
        seniority={"vp": [r"\bhead of\b"], "director": [r"\bbereichsleiter(in)?\b"]},
        department={"sales": [r"\bkey account\b"], "revops": [r"\brevops\b"]},
    )
    rules = TitleRules(config)
    assert rules.classify("Head of Sales") == ("vp", "sales")
    assert RULES.classify("Head of Sales") == ("director", "sales")  # other instances are unaffected
    assert rules.classify("Bereichsleiterin Vertrieb") == ("director", "sales")
    assert rules.classify("Key Account Specialist") == (None, "sales")
    assert RULES.classify("Key Account Specialist") == (None, None)
    assert rules.classify("RevOps Manager") == ("manager", "revops")
    assert rules.classify("VP Engineering") == ("vp", "engineering")  # built-ins still apply


def test_configured_rules_match_case_insensitively():
    rules = TitleRules(TitleRulesConfig(department={"partnerships": [r"alliances"]}))
    assert rules.classify("Director, ALLIANCES") == ("director", "partnerships")


def test_classify_is_memoised_per_instance_with_a_bounded_cache():
    rules = TitleRules(cache_size=2)
    for title in ["CEO", "CEO", "CTO", "CFO", "CEO"]:
        rules.classify(title)
    info = rules.cache_info()
    assert (info.hits, info.misses, info.maxsize, info.currsize) == (1, 4, 2, 2)


@settings(max_examples=300, deadline=None)
@given(
    st.one_of(
        st.text(max_size=80),
        st.text(st.characters(categories=["Cc", "Cf", "Zs", "Mn", "So"]), max_size=40),
        st.text(min_size=300, max_size=5000),
    )
)
def test_classify_never_raises_and_answers_known_labels(title):
    seniority, department = RULES.classify(title)
    assert seniority is None or seniority in SENIORITY_LEVELS
    assert department is None or department in DEPARTMENTS


def test_very_long_title_is_classified_by_its_start_and_not_memoised():
    rules = TitleRules()
    assert rules.classify("VP Sales " + "x" * 100_000) == ("vp", "sales")
    assert rules.classify("x" * 100_000 + " CEO") == (None, None)
    assert rules.cache_info().currsize == 0
