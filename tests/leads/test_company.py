"""Canonical company values: range buckets from counts and vendor texts, industries, countries, LinkedIn."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from leads.company import (
    EMPLOYEE_BUCKETS,
    EMPLOYEE_RANGES,
    REVENUE_RANGES,
    country_code,
    employee_range,
    employee_range_from_text,
    industry,
    linkedin_url,
    present,
    revenue_range,
    revenue_range_from_text,
    year,
)


@pytest.mark.parametrize(
    ("count", "bucket"),
    [(1, "1-10"), (10, "1-10"), (11, "11-50"), (84, "51-200"), (200, "51-200"), (201, "201-500"), (1600, "1001-5000"),
     (10000, "5001-10000"), (10001, "10001+"), (0, None), (-3, None), (None, None)],
)  # fmt: skip
def test_employee_range_from_a_count(count, bucket):
    assert employee_range(count) == bucket


@given(st.integers(min_value=1, max_value=10**7))
def test_every_count_lands_in_the_bucket_that_holds_it(count):
    label = employee_range(count)
    low, high, _ = next(b for b in EMPLOYEE_BUCKETS if b[2] == label)
    assert low <= count and (high is None or count <= high)


@pytest.mark.parametrize(
    ("text", "bucket"),
    [
        ("51-200", "51-200"),  # PDL: our own buckets
        ("51-250", "51-200"),  # Clearbit: geometric midpoint 113
        ("251-1K", "501-1000"),  # midpoint 501
        ("1K-5K", "1001-5000"),
        ("10K-50K", "10001+"),
        ("100K+", "10001+"),
        ("1,10", "1-10"),  # Apollo's comma buckets
        ("11,20", "11-50"),
        ("51,100", "51-200"),  # 51 to 100, not 51,100 people
        ("1001,2000", "1001-5000"),
        ("10001", "10001+"),  # Apollo's open last bucket
        ("10001+", "10001+"),
        ("lots", None),
        ("", None),
        (None, None),
    ],
)
def test_employee_range_from_vendor_text(text, bucket):
    assert employee_range_from_text(text) == bucket


@pytest.mark.parametrize(
    ("amount", "bucket"),
    [(0, "0-1M"), (999_999, "0-1M"), (1_000_000, "1M-10M"), (99_999_999, "50M-100M"), (100_000_000, "100M-250M"),
     (999_999_999, "500M-1B"), (1_000_000_000, "1B-10B"), (5e10, "10B+"), (-1, None), (None, None)],
)  # fmt: skip
def test_revenue_range_from_an_amount(amount, bucket):
    assert revenue_range(amount) == bucket


@pytest.mark.parametrize(
    ("text", "bucket"),
    [
        ("$10M-$50M", "10M-50M"),  # Clearbit
        ("$10M-$25M", "10M-50M"),  # PDL, straddling: midpoint $15.8M
        ("$25M-$50M", "10M-50M"),  # midpoint $35.4M
        ("$1B-$10B", "1B-10B"),
        ("$10B+", "10B+"),
        ("$0-$1M", "0-1M"),
        ("100M", "100M-250M"),  # Apollo's annual_revenue_printed
        ("2.5B", "1B-10B"),
        ("$1,000,000", "1M-10M"),  # a comma groups thousands in money
        ("$1M - $10M", "1M-10M"),
        ("unknown", None),
    ],
)
def test_revenue_range_from_vendor_text(text, bucket):
    assert revenue_range_from_text(text) == bucket


@given(st.floats(min_value=0, max_value=1e13, allow_nan=False))
def test_revenue_buckets_cover_every_amount_in_order(amount):
    label = revenue_range(amount)
    assert label in REVENUE_RANGES
    assert REVENUE_RANGES.index(label) <= REVENUE_RANGES.index(revenue_range(amount * 2))


def test_bucket_lists_match_the_field_catalogue():
    assert EMPLOYEE_RANGES == ("1-10", "11-50", "51-200", "201-500", "501-1000", "1001-5000", "5001-10000", "10001+")
    assert REVENUE_RANGES[0] == "0-1M" and REVENUE_RANGES[-1] == "10B+"


def test_industry_is_trimmed_lower_case():
    assert industry("  Computer   Software ") == "computer software"
    assert industry("   ") is None and industry(None) is None


@pytest.mark.parametrize(
    ("text", "code"),
    [("united states", "US"), ("United States", "US"), ("US", "US"), ("USA", "US"), ("UK", "GB"), ("Germany", "DE"),
     ("the Netherlands", "NL"), ("Narnia", None), ("", None), (None, None)],
)  # fmt: skip
def test_country_code(text, code):
    assert country_code(text) == code


@pytest.mark.parametrize(
    ("value", "url"),
    [
        ("linkedin.com/in/seanthorne", "https://www.linkedin.com/in/seanthorne"),
        ("http://www.linkedin.com/company/apolloio/", "https://www.linkedin.com/company/apolloio"),
        ("company/clearbit", "https://www.linkedin.com/company/clearbit"),
        ("https://www.linkedin.com/in/x?trk=abc", "https://www.linkedin.com/in/x"),
        ("https://twitter.com/x", None),
        ("", None),
    ],
)
def test_linkedin_url_has_one_spelling(value, url):
    assert linkedin_url(value) == url


def test_year_and_present():
    assert year(2015) == 2015 and year("1999") == 1999 and year("n/a") is None and year(12) is None
    assert present({"a": 1, "b": None, "c": "", "d": [], "e": 0}) == {"a": 1, "e": 0}
