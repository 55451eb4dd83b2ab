"""The funnel arithmetic on a fixture with known answers: counts, conversion, medians and cost."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from leads.funnel import FunnelLead, Spend, monday, totals, week_of, weekly_funnel

MON = datetime(2026, 10, 5, 9, tzinfo=UTC)  # a Monday


def lead(day: int, *, ad: str = "ad1", form: str = "f1", campaign: str = "c1", **kw) -> FunnelLead:
    return FunnelLead("meta", campaign, form, ad, MON + timedelta(days=day), **kw)


def test_week_is_the_monday_of_creation_in_the_report_timezone():
    assert monday(date(2026, 10, 11)) == date(2026, 10, 5)
    sunday_night_utc = datetime(2026, 10, 11, 23, 30, tzinfo=UTC)
    assert week_of(sunday_night_utc) == date(2026, 10, 5)
    assert week_of(sunday_night_utc, "Europe/Berlin") == date(2026, 10, 12)  # already Monday in Berlin


def test_counts_rates_and_medians_per_group():
    mql = MON + timedelta(days=2)
    rows = weekly_funnel(
        [
            lead(0, reached_mql=True, mql_at=MON + timedelta(days=1), reached_sql=True, sql_at=MON + timedelta(days=4)),
            lead(
                1,
                reached_mql=True,
                mql_at=mql + timedelta(days=2),  # 3 days after creation on day 1
                reached_sql=True,
                sql_at=mql + timedelta(days=4),
                won=True,
                won_at=mql + timedelta(days=14),
            ),
            lead(2, reached_mql=True, mql_at=MON + timedelta(days=7)),
            lead(3, valid=False),
        ]
    )
    assert len(rows) == 1
    r = rows[0]
    assert (r.source, r.campaign, r.form_id, r.ad_id, r.week) == ("meta", "c1", "f1", "ad1", date(2026, 10, 5))
    assert (r.leads, r.valid, r.mql, r.sql, r.won) == (4, 3, 3, 2, 1)
    assert r.rates() == {"valid_rate": 0.75, "mql_rate": 1.0, "sql_rate": 0.6667, "won_rate": 0.5}
    assert r.median_days_to_mql == 3.0  # 1, 3 and 5 days
    assert r.median_days_mql_to_sql == 2.5  # 3 and 2 days
    assert r.median_days_sql_to_won == 10.0
    assert r.cost is None and r.cost_per_lead is None  # no spend


def test_groups_split_by_source_campaign_form_ad_and_week():
    rows = weekly_funnel([lead(0), lead(1, form="f2"), lead(8), lead(0, ad="ad2"), lead(0, campaign="")])
    keys = [(r.campaign, r.form_id, r.ad_id, r.week.isoformat(), r.leads) for r in rows]
    assert keys == [
        ("", "f1", "ad1", "2026-10-05", 1),
        ("c1", "f1", "ad1", "2026-10-05", 1),
        ("c1", "f1", "ad2", "2026-10-05", 1),
        ("c1", "f2", "ad1", "2026-10-05", 1),
        ("c1", "f1", "ad1", "2026-10-12", 1),
    ]
    assert totals(rows) == {"leads": 5, "valid": 5, "mql": 0, "sql": 0, "won": 0, "weeks": 2, "rows": 5}


def test_cost_per_lead_mql_and_sql_from_the_ad_spend_of_the_week():
    spend = [
        Spend("c1", "ad1", date(2026, 10, 5), 60.0, "EUR"),
        Spend("c1", "ad1", date(2026, 10, 11), 40.0, "EUR"),  # Sunday: same week
        Spend("c1", "ad1", date(2026, 10, 12), 999.0, "EUR"),  # next week: no leads there
        Spend("c1", "ad2", date(2026, 10, 6), 30.0, "EUR"),  # an ad no lead came from
    ]
    leads = [
        lead(0, reached_mql=True, reached_sql=True),
        lead(1, reached_mql=True),
        lead(2, form="f2"),
        lead(3),
    ]
    rows = {r.form_id: r for r in weekly_funnel(leads, spend)}
    f1, f2 = rows["f1"], rows["f2"]
    # 100 EUR on ad1 that week, split 3:1 between the two forms on it by their leads.
    assert (f1.cost, f1.currency, f1.cost_per_lead, f1.cost_per_mql, f1.cost_per_sql) == (75.0, "EUR", 25.0, 37.5, 75.0)
    assert (f2.cost, f2.cost_per_lead, f2.cost_per_mql, f2.cost_per_sql) == (25.0, 25.0, None, None)


def test_leads_without_an_ad_get_campaign_spend_not_claimed_by_ads():
    spend = [
        Spend("c1", "ad1", date(2026, 10, 5), 50.0, "USD"),
        Spend("c1", "ad2", date(2026, 10, 5), 20.0, "USD"),
    ]
    rows = {r.ad_id: r for r in weekly_funnel([lead(0), lead(0, ad=""), lead(1, ad="")], spend)}
    assert rows["ad1"].cost == 50.0
    assert rows[""].cost == 20.0 and rows[""].cost_per_lead == 10.0  # ad2 is nobody's: the campaign's rest
    with_level = [*spend, Spend("c1", "", date(2026, 10, 5), 12.0, "USD")]
    assert {r.ad_id: r.cost for r in weekly_funnel([lead(0, ad="")], with_level)} == {"": 12.0}


def test_mixed_currencies_give_no_cost():
    spend = [Spend("c1", "ad1", date(2026, 10, 5), 5.0, "USD"), Spend("c1", "ad1", date(2026, 10, 6), 5.0, "EUR")]
    assert weekly_funnel([lead(0)], spend)[0].cost is None
