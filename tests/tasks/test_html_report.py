"""The HTML run report: one self-contained, escaped, well-formed page that survives partial counts."""

from __future__ import annotations

import copy
import re
from html.parser import HTMLParser

import pytest

from tasks.html_report import render_run_report

HOSTILE_SOURCE = "<script>alert(1)</script>"
HOSTILE_REASON = 'bad "quote" & <b>tag</b>'

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


def _expectation(column: str, unexpected: int, checked: int, passed: bool, reason: str = "a reason") -> dict:
    return {
        "expectation": "expect_column_values_to_not_be_null",
        "column": column,
        "reason": reason,
        "quarantine": True,
        "unexpected": unexpected,
        "checked": checked,
        "share": unexpected / checked,
        "passed": passed,
        "error": None,
    }


COUNTS: dict = {
    "dry_run": False,
    "problems": ["crm: SourceUnreadable: cannot open file"],
    "sources": {
        "crm_contacts": {
            "status": "ok",
            "read": 1234567,
            "new": 1000,
            "changed": 200,
            "unchanged": 34,
            "stale": 0,
            "skipped_by_cursor": 0,
            "quarantined": 7,
            "quarantined_new": 7,
            "watermark": "2026-11-20T10:00:00+00:00",
            "seconds": 0.56,
            "missing_columns": [],
        },
        "ad_leads": {"status": "ok", "read": 300, "new": 299, "changed": 0, "unchanged": 0, "quarantined": 1},
    },
    "validation": {
        "landed_records": {
            "crm_contacts": {
                "rows": 1234,
                "quarantined": 34,
                "share": 0.0087,
                "expectations": [
                    _expectation("email", 34, 1234, True),
                    _expectation("company", 600, 1234, False, reason="company missing"),
                ],
            },
        },
        "normalized_leads": {"leads": {"rows": 1100, "quarantined": 0, "share": 0.0, "expectations": []}},
    },
    "normalize": {"status": "ok", "records": 1200, "rejected": 5, "leads_created": 1000, "leads_updated": 100},
    "gates": [
        {"gate": "quarantine_share", "scope": "landed_records/crm_contacts", "tripped": False, "detail": "CALM-DETAIL"},
        {"gate": "volume", "scope": "ad_leads", "tripped": True, "detail": "TRIPPED-DETAIL: 61% below median"},
    ],
    "sinks": {"crm_leads": {"status": "ok", "pending": 1100, "created": 900, "updated": 150, "errors": []}},
    "quarantine_reasons": [{"source": "crm_contacts", "stage": "extract", "reason": "malformed CSV", "rows": 1}],
    "stage_seconds": {"prepare": 0.1, "extract": 1.0, "validate": 0.8, "normalize": 1.3, "sync": 0.5},
}


def _history(n: int) -> list[dict]:
    return [
        {
            "run_id": f"run-{i}",
            "started_at": f"2026-11-{i + 1:02d}T02:00:00+00:00",
            "status": "completed",
            "extracted": {"crm_contacts": 350 + i, "ad_leads": 299 - i},
        }
        for i in range(n)
    ]


class _Structure(HTMLParser):
    """Checks that every non-void element is closed, in order."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.errors: list[str] = []
        self.tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        self.tags.append(tag)
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list) -> None:
        self.tags.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID:
            return
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes {self.stack[-1] if self.stack else 'nothing'}")
        else:
            self.stack.pop()


def _parse(page: str) -> _Structure:
    parser = _Structure()
    parser.feed(page)
    parser.close()
    assert parser.errors == []
    assert parser.stack == []
    return parser


def _assert_offline(page: str) -> None:
    lowered = page.lower()
    for forbidden in ("http://", "https://", 'src="//', 'href="//', "<script src", "<link", "<script", "url("):
        assert forbidden not in lowered, forbidden


def _section(page: str, title: str) -> str:
    match = re.search(rf"<h2>{re.escape(title)}</h2>(.*?)</section>", page, re.S)
    assert match, title
    return match.group(1)


def test_a_full_run_is_one_well_formed_offline_html5_document():
    page = render_run_report("run-42", "completed", COUNTS, _history(5))
    assert page.startswith("<!DOCTYPE html>")
    parser = _parse(page)
    assert parser.tags[:3] == ["html", "head", "meta"]
    assert '<meta charset="utf-8">' in page
    assert parser.tags.count("style") == 1
    assert parser.tags.count("svg") == 3  # funnel, stage durations, history
    assert "body" in parser.tags
    _assert_offline(page)


def test_sections_come_in_order_with_tripped_gates_first_and_their_detail():
    page = render_run_report("run-42", "gated", COUNTS, _history(3))
    order = [
        "Problems",
        "Tripped gates",
        "Gates",
        "Funnel",
        "Extract per source",
        "Data quality",
        "Quarantine reasons",
        "Sinks",
        "Stage durations",
        "Volumes over recent runs",
    ]
    positions = [page.index(f"<h2>{title}</h2>") for title in order]
    assert positions == sorted(positions)
    tripped = _section(page, "Tripped gates")
    assert "TRIPPED-DETAIL: 61% below median" in tripped
    assert "CALM-DETAIL" not in tripped
    assert page.index("TRIPPED-DETAIL") < page.index("CALM-DETAIL")
    gates_table = _section(page, "Gates")
    assert gates_table.index("TRIPPED-DETAIL") < gates_table.index("CALM-DETAIL")  # tripped rows lead the table


def test_no_tripped_gates_means_no_alert_but_still_the_gate_table():
    counts = copy.deepcopy(COUNTS)
    counts["gates"][1]["tripped"] = False
    page = render_run_report("run-42", "completed", counts)
    assert "<h2>Tripped gates</h2>" not in page
    assert "TRIPPED-DETAIL" in _section(page, "Gates")


def test_hostile_values_are_escaped_everywhere():
    counts = copy.deepcopy(COUNTS)
    counts["sources"][HOSTILE_SOURCE] = counts["sources"].pop("crm_contacts")
    counts["validation"]["landed_records"][HOSTILE_SOURCE] = counts["validation"]["landed_records"].pop("crm_contacts")
    counts["validation"]["landed_records"][HOSTILE_SOURCE]["expectations"][0]["reason"] = HOSTILE_REASON
    counts["quarantine_reasons"] = [{"source": HOSTILE_SOURCE, "stage": "extract", "reason": HOSTILE_REASON, "rows": 3}]
    counts["problems"] = [f"{HOSTILE_SOURCE}: {HOSTILE_REASON}"]
    counts["gates"][1]["detail"] = HOSTILE_REASON
    counts["sinks"]["crm_leads"]["errors"] = [HOSTILE_REASON]
    history = [{"run_id": HOSTILE_SOURCE, "extracted": {HOSTILE_SOURCE: 1}}, {"run_id": "b", "extracted": {}}]
    page = render_run_report(HOSTILE_SOURCE, HOSTILE_SOURCE, counts, history)

    assert HOSTILE_SOURCE not in page
    assert "<script" not in page.lower()
    assert HOSTILE_REASON not in page
    assert "<b>tag</b>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "bad &quot;quote&quot; &amp; &lt;b&gt;tag&lt;/b&gt;" in page
    assert page.count("&lt;script&gt;") >= 6  # title, header, problems, extract, quality, reasons, history
    _parse(page)
    _assert_offline(page)


@pytest.mark.parametrize("counts", [{}, None])
def test_empty_counts_render_a_short_page(counts):
    page = render_run_report("run-0", "failed", counts)
    _parse(page)
    _assert_offline(page)
    assert "run-0" in page
    assert 'class="badge bad">failed' in page
    assert "No counts were recorded for this run." in page
    assert "<svg" not in page


@pytest.mark.parametrize(
    "counts",
    [
        {"dry_run": None, "problems": None, "sources": None, "validation": None, "normalize": None},
        {"gates": None, "sinks": None, "quarantine_reasons": None, "stage_seconds": None},
        {"sources": {"crm": {}}, "sinks": {"crm_leads": {}}, "normalize": {}},
        {"sources": {"crm": None, "ads": {"status": "failed", "error": "boom"}}},
        {"sources": {"crm": {k: None for k in COUNTS["sources"]["crm_contacts"]}}},
        {"validation": {"landed_records": None, "normalized_leads": {"leads": None}}},
        {"validation": {"landed_records": {"crm": {"rows": None, "expectations": [None, {}, {"passed": None}]}}}},
        {"gates": [None, {}, {"tripped": True}], "quarantine_reasons": [None, {"rows": None}]},
        {"sinks": {"crm_leads": {"errors": None, "created": None, "updated": "n/a"}}},
        {"stage_seconds": {"extract": None, "sync": "slow", "validate": float("inf")}},
        {"sources": {"crm": {"read": 0, "new": 0}}, "stage_seconds": {"extract": 0}},
    ],
)
def test_missing_keys_and_none_values_never_raise(counts):
    page = render_run_report("run-1", "completed", counts, [None, {"extracted": None}, {"extracted": {"crm": None}}])
    _parse(page)
    _assert_offline(page)


def test_history_chart_needs_at_least_two_earlier_runs():
    for history in (None, [], _history(1)):
        page = render_run_report("run-1", "completed", COUNTS, history)
        assert "Volumes over recent runs" not in page
        assert "<polyline" not in page
    page = render_run_report("run-1", "completed", COUNTS, _history(2))
    chart = _section(page, "Volumes over recent runs")
    assert chart.count("<polyline") == 2  # one line per source
    assert "crm_contacts" in chart and "ad_leads" in chart


def test_a_failed_run_in_history_is_marked_and_a_missing_value_breaks_the_line():
    history = _history(4)
    history[1]["status"] = "failed"
    del history[2]["extracted"]["ad_leads"]
    chart = _section(render_run_report("run-1", "completed", COUNTS, history), "Volumes over recent runs")
    assert "run-1: failed" in chart
    assert chart.count("<polyline") == 3  # crm_contacts whole, ad_leads in two pieces


def test_numbers_get_thousands_separators_and_shares_are_percentages():
    page = render_run_report("run-1", "completed", COUNTS)
    assert "1,234,567" in _section(page, "Extract per source")
    quality = _section(page, "Data quality")
    assert "0.9%" in quality  # share 0.0087 of the scope
    assert "48.6%" in quality  # 600 of 1234
    assert "1234567" not in page


def test_the_funnel_follows_rows_from_read_to_synced():
    funnel = _section(render_run_report("run-1", "completed", COUNTS), "Funnel")
    texts = re.findall(r'font-weight="600">([^<]*)</text>', funnel)
    read = 1234567 + 300
    landed = 1234 + 299
    stages = [read, landed, 1234 - 34, 1000 + 100, 900 + 150]
    assert [t.split()[0] for t in texts] == [f"{n:,}" for n in stages]
    labels = re.findall(r'text-anchor="end"[^>]*>([^<]*)</text>', funnel)
    assert labels == ["read", "landed", "passed validation", "leads created + updated", "synced"]


def test_failed_expectations_are_highlighted_and_passed_ones_are_not():
    quality = _section(render_run_report("run-1", "completed", COUNTS), "Data quality")
    rows = re.findall(r"<tr( class=bad)?><td><code>.*?</tr>", quality, re.S)
    assert rows == ["", " class=bad"]
    assert "✗&nbsp;failed" in quality and "company missing" in quality


def test_status_and_dry_run_badges():
    page = render_run_report("run-1", "gated", {**COUNTS, "dry_run": True})
    header = page[page.index("<header>") : page.index("</header>")]
    assert 'class="badge warn">gated' in header
    assert "dry run" in header
    assert "dry run</span>" not in render_run_report("run-1", "completed", COUNTS).split("</header>")[0]
