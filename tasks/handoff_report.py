"""The hand-off and funnel parts of the run record: markdown, Prefect table artifacts and HTML sections.

From the run's counts only (`counts["handoff"]` from tasks/handoff.py, `counts["funnel"]` from
tasks/funnel.py): counts, groups, rates and lead ids. Never an email, phone or name.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from prefect.artifacts import create_table_artifact

FUNNEL_KEY = "lead-sync-funnel"
ACCEPTANCE_KEY = "lead-sync-acceptance"
SLA_KEY = "lead-sync-handoff-sla"
SLAS = (("first_touch", "MQL → first touch"), ("to_sql", "MQL → SQL"))
FUNNEL_COLUMNS = (
    "week",
    "source",
    "campaign",
    "form_id",
    "ad_id",
    "leads",
    "valid",
    "mql",
    "sql",
    "won",
    "mql_rate",
    "sql_rate",
    "won_rate",
    "cost",
    "currency",
    "cost_per_lead",
    "cost_per_mql",
    "cost_per_sql",
    "median_days_to_mql",
    "median_days_mql_to_sql",
    "median_days_sql_to_won",
)
MARKDOWN_ROWS = 30


def _md_table(headers: list[str], rows: list[list[Any]]) -> list[str]:
    out = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    return out + ["| " + " | ".join("" if v is None else str(v) for v in row) + " |" for row in rows]


def _pct(value: Any) -> str:
    return "" if value is None else f"{float(value):.1%}"


def sla_rows(handoff: dict[str, Any]) -> list[dict[str, Any]]:
    rows = []
    for key, label in SLAS:
        t = handoff.get(key) or {}
        if t:
            rows.append({"sla": label, **{k: t.get(k, 0) for k in ("met", "late", "overdue", "open")}})
    return rows


def handoff_markdown(counts: dict[str, Any]) -> list[str]:
    lines: list[str] = []
    handoff = counts.get("handoff") or {}
    if handoff.get("status") not in (None, "off"):
        lines += ["", "## Hand-off", "", f"MQLs in their current cycle: {handoff.get('mqls', 0)}.", ""]
        rows = sla_rows(handoff)
        lines += _md_table(["SLA", "met", "late", "overdue", "open"], [list(r.values()) for r in rows])
        reasons = handoff.get("recycle_reasons") or {}
        recycled = ", ".join(f"{why} {n}" for why, n in sorted(reasons.items())) or "none"
        lines += ["", f"Recycled to nurture: {handoff.get('recycled', 0)} ({recycled}). Lead ids: report.html."]
    funnel = counts.get("funnel") or {}
    if funnel.get("status") == "ok":
        from tasks.funnel import funnel_line

        lines += ["", "## Funnel", "", funnel_line(funnel.get("totals") or {}) + f" since {funnel.get('since')}.", ""]
        shown = (funnel.get("rows") or [])[-MARKDOWN_ROWS:]
        cols = ["week", "source", "campaign", "form_id", "ad_id", "leads", "valid", "mql", "sql", "won", "cost_per_mql"]
        lines += _md_table(cols, [[r.get(c) for c in cols] for r in shown])
        accepted = funnel.get("acceptance") or []
        if accepted:
            lines += ["", "### Acceptance by fit criterion (MQLs that reached SQL)", ""]
            lines += _md_table(
                ["criterion", "fired", "accepted", "rate", "not fired", "accepted", "rate"],
                [
                    [
                        a["criterion"],
                        a["fired"],
                        a["fired_accepted"],
                        _pct(a["fired_rate"]),
                        a["not_fired"],
                        a["not_fired_accepted"],
                        _pct(a["not_fired_rate"]),
                    ]
                    for a in accepted
                ],
            )
    return lines


def publish_handoff_artifacts(counts: dict[str, Any]) -> None:
    funnel = counts.get("funnel") or {}
    if funnel.get("rows"):
        rows = [{c: r.get(c) for c in FUNNEL_COLUMNS} for r in funnel["rows"]]
        create_table_artifact(rows, key=FUNNEL_KEY, description="Funnel per source, campaign, form, ad and week")
    if funnel.get("acceptance"):
        create_table_artifact(
            funnel["acceptance"], key=ACCEPTANCE_KEY, description="MQL acceptance by fit criterion, fired or not"
        )
    handoff = counts.get("handoff") or {}
    if sla_rows(handoff):
        create_table_artifact(sla_rows(handoff), key=SLA_KEY, description="Hand-off SLAs: MQLs by status")


def handoff_html(counts: dict[str, Any]) -> str:
    """The report's hand-off and funnel sections (empty when the run has neither)."""
    from tasks.html_report import _bars, _e, _fmt_num, _section, _table

    out = []
    handoff = counts.get("handoff") if isinstance(counts.get("handoff"), dict) else {}
    rows = sla_rows(handoff or {})
    if rows:
        table = _table(
            ["SLA", "met", "late", "overdue", "open"],
            [[_e(r["sla"]), *(_fmt_num(r[k]) for k in ("met", "late", "overdue", "open"))] for r in rows],
            {1, 2, 3, 4},
            [bool(r["overdue"]) for r in rows],
        )
        parts = [table]
        for key, label in SLAS:
            flagged = (handoff.get(key) or {}).get("flagged") or []
            if flagged:
                ids = " ".join(f"<code>{_e(i)}</code>" for i in flagged)
                parts.append(f"<h3>Past the SLA, {_e(label)} (overdue, then late)</h3><p>{ids}</p>")
        recycled = handoff.get("recycled_ids") or []
        if recycled:
            reasons = ", ".join(f"{_e(w)} {n}" for w, n in sorted((handoff.get("recycle_reasons") or {}).items()))
            ids = " ".join(f"<code>{_e(i)}</code>" for i in recycled)
            parts.append(f"<h3>Recycled to nurture ({reasons})</h3><p>{ids}</p>")
        out.append(_section("Hand-off SLAs", "".join(parts)))
    funnel = counts.get("funnel") if isinstance(counts.get("funnel"), dict) else {}
    if (funnel or {}).get("status") == "ok" and funnel.get("rows"):
        out.append(_section("Marketing funnel by week", _funnel_html(funnel, _bars, _e, _fmt_num, _table)))
    return "".join(out)


def _funnel_html(funnel: dict[str, Any], bars: Any, esc: Any, num: Any, table: Any) -> str:
    t = funnel.get("totals") or {}
    stages = [(s, float(t.get(k) or 0)) for s, k in (("leads", "leads"), ("valid", "valid"), ("MQL", "mql"))]
    stages += [("SQL", float(t.get("sql") or 0)), ("won", float(t.get("won") or 0))]
    first = stages[0][1] or 0
    items = [(n, v, num(v) + (f"  ({v / first:.1%})" if first and i else "")) for i, (n, v) in enumerate(stages)]
    rows = funnel["rows"]
    cols = ["week", "source", "campaign", "form", "ad", "leads", "valid", "MQL", "SQL", "won", "MQL→SQL", "cost/MQL"]
    body = [
        [
            esc(r.get("week")),
            esc(r.get("source")),
            esc(r.get("campaign")),
            esc(r.get("form_id")),
            esc(r.get("ad_id")),
            *(num(r.get(k)) for k in ("leads", "valid", "mql", "sql", "won")),
            esc(_pct(r.get("sql_rate"))),
            esc("" if r.get("cost_per_mql") is None else f"{r['cost_per_mql']:.2f} {r.get('currency') or ''}"),
        ]
        for r in rows
    ]
    note = (
        f"<p class=muted>Cohorts by week of lead creation since {esc(funnel.get('since'))}; also in funnel_weekly.</p>"
    )
    return (
        bars(items, "funnel over the recomputed weeks")
        + _weekly_chart(rows, esc)
        + note
        + table(cols, body, {5, 6, 7, 8, 9, 10, 11})
        + _acceptance_html(funnel.get("acceptance") or [], esc, num, table)
    )


def _weekly_chart(rows: list[dict[str, Any]], esc: Any) -> str:
    """Leads, MQLs and SQLs per week as grouped vertical bars (inline SVG)."""
    weeks: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for r in rows:
        w = weeks[str(r.get("week"))]
        w[0], w[1], w[2] = w[0] + int(r.get("leads") or 0), w[1] + int(r.get("mql") or 0), w[2] + int(r.get("sql") or 0)
    if not weeks:
        return ""
    top = max(max(v) for v in weeks.values()) or 1
    colors = ("#0969da", "#bf3989", "#1a7f37")
    slot, height, base = 860 / len(weeks), 160, 180
    parts = ['<svg viewBox="0 0 860 210" role="img" aria-label="leads, MQL and SQL per week">']
    for i, (week, values) in enumerate(sorted(weeks.items())):
        x = i * slot + slot * 0.1
        width = slot * 0.8 / 3
        for j, v in enumerate(values):
            h = v / top * height
            parts.append(
                f'<rect x="{x + j * width:.1f}" y="{base - h:.1f}" width="{width:.1f}" height="{h:.1f}" '
                f'fill="{colors[j]}"><title>{esc(week)}: {v}</title></rect>'
            )
        parts.append(
            f'<text x="{i * slot + slot / 2:.1f}" y="200" text-anchor="middle" font-size="11">{esc(week)}</text>'
        )
    legend = "".join(
        f'<span><i style="background:{c}"></i>{n}</span>' for c, n in zip(colors, ("leads", "MQL", "SQL"), strict=True)
    )
    return "".join(parts) + f'</svg><p class="legend">{legend}</p>'


def _acceptance_html(rows: list[dict[str, Any]], esc: Any, num: Any, table: Any) -> str:
    if not rows:
        return ""
    body = [
        [
            esc(a["criterion"]),
            num(a["fired"]),
            num(a["fired_accepted"]),
            esc(_pct(a["fired_rate"])),
            num(a["not_fired"]),
            num(a["not_fired_accepted"]),
            esc(_pct(a["not_fired_rate"])),
        ]
        for a in rows
    ]
    head = ["criterion", "MQLs it fired for", "accepted", "rate", "MQLs it did not", "accepted", "rate"]
    return "<h3>Acceptance by fit criterion (reached SQL)</h3>" + table(head, body, {1, 2, 3, 4, 5, 6})
