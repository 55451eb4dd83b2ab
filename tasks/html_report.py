"""A self-contained HTML page summarising one pipeline run.

`render_run_report` turns the counts a run records (see `tasks.report`) into one HTML5 document
that renders offline: an inline <style> block and inline SVG charts, no scripts, no fonts, images
or stylesheets fetched from anywhere. Every value taken from the input is escaped; any key may be
missing or None. Masking personal data in problems or reasons is the caller's job.
"""

from __future__ import annotations

import math
from html import escape
from typing import Any

_PALETTE = ["#0969da", "#bf3989", "#1a7f37", "#9a6700", "#8250df", "#cf222e", "#0a7b83", "#6e7781"]
_BADGES = {"completed": "ok", "ok": "ok", "failed": "bad", "gated": "warn", "busy": "warn", "skipped": "warn"}

_CSS = """
:root{--ok:#1a7f37;--bad:#cf222e;--warn:#9a6700;--muted:#57606a;--line:#d0d7de;--bg:#f6f8fa}
body{font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;color:#1f2328;
 max-width:1100px;margin:0 auto;padding:24px}
header{border-bottom:3px solid var(--line);padding-bottom:.75rem}
h1{font-size:1.6rem;margin:0 0 .4rem}h2{font-size:1.2rem;border-bottom:1px solid var(--line);margin:2rem 0 .5rem}
h3{font-size:1.05rem;margin:1.2rem 0 .3rem}h4{font-size:.95rem;margin:1rem 0 .2rem}
.badge{display:inline-block;padding:.05rem .6rem;border-radius:999px;font-size:.75rem;font-weight:600;color:#fff;
 text-transform:uppercase;letter-spacing:.04em;vertical-align:middle;background:var(--muted)}
.badge.ok{background:var(--ok)}.badge.bad{background:var(--bad)}.badge.warn{background:var(--warn)}
.badge.dry{background:#0969da}
.muted{color:var(--muted)}
code{font:.85em ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;overflow-wrap:anywhere}
table{border-collapse:collapse;width:100%;font-size:.85rem;margin:.4rem 0 1rem}
th,td{border-bottom:1px solid var(--line);padding:.3rem .5rem;text-align:left;vertical-align:top}
th{background:var(--bg);font-weight:600}
.n{text-align:right;font-variant-numeric:tabular-nums}td.n{white-space:nowrap}
tr.bad td{background:#ffebe9}
.alert{border:2px solid var(--bad);background:#ffebe9;border-radius:6px;padding:.6rem 1rem;margin:1rem 0}
.alert h2{border:0;margin:0 0 .3rem;color:var(--bad)}.alert ul{margin:0;padding-left:1.2rem}
.legend span{display:inline-block;margin-right:1rem;font-size:.85rem}
.legend i{display:inline-block;width:.8rem;height:.8rem;border-radius:2px;margin-right:.3rem;vertical-align:-1px}
svg{display:block;width:100%;height:auto;font-family:inherit}
@media print{body{max-width:none;padding:0;font-size:10.5pt}
 *{-webkit-print-color-adjust:exact;print-color-adjust:exact}
 h2,h3,h4{break-after:avoid}tr,svg,.alert{break-inside:avoid}thead{display:table-header-group}}
"""


def _e(value: Any) -> str:
    return escape("" if value is None else str(value), quote=True)


def _d(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _l(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list | tuple) else []


def _num(value: Any) -> float | None:
    """A finite number as float, else None (bools, strings, NaN and infinities are not counts)."""
    if isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value):
        return float(value)
    return None


def _fmt_num(value: Any) -> str:
    """1234567 -> '1,234,567'; 1.25 -> '1.25'; None -> an em dash."""
    n = _num(value)
    if n is None:
        return "—" if value is None else _e(value)
    return f"{int(n):,}" if n.is_integer() else f"{n:,.2f}"


def _fmt_share(value: Any) -> str:
    """0.0087 -> '0.9%'."""
    n = _num(value)
    return "—" if n is None else f"{n:.1%}"


def _fmt_seconds(value: Any) -> str:
    n = _num(value)
    return "—" if n is None else f"{n:,.2f} s"


def _sum(items: list[dict[str, Any]], *keys: str) -> int | None:
    vals = [_num(i.get(k)) for i in items for k in keys]
    present = [v for v in vals if v is not None]
    return int(sum(present)) if present else None


def _badge(status: Any) -> str:
    return f'<span class="badge {_BADGES.get(str(status), "")}">{_e(status)}</span>' if status else "—"


def _yes(value: Any, good: str = "yes", bad: str = "no") -> str:
    return "—" if value is None else (good if value else bad)


def _table(headers: list[str], rows: list[list[str]], num: set[int], bad: list[bool] | None = None) -> str:
    """Headers are escaped here; cells arrive as HTML already escaped by the caller."""
    head = "".join(f"<th{' class=n' if i in num else ''}>{_e(h)}</th>" for i, h in enumerate(headers))
    body = []
    for r, row in enumerate(rows):
        cells = "".join(f"<td{' class=n' if i in num else ''}>{c}</td>" for i, c in enumerate(row))
        body.append(f"<tr{' class=bad' if bad and bad[r] else ''}>{cells}</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def _section(title: str, content: str, cls: str = "") -> str:
    return f"<section{f' class={cls}' if cls else ''}><h2>{_e(title)}</h2>{content}</section>" if content else ""


def _bars(items: list[tuple[str, float, str]], label: str) -> str:
    """A horizontal bar chart: (label, value, value text) per bar."""
    top = max((v for _, v, _ in items), default=0) or 1
    row, left, span = 30, 210, 500
    parts = [f'<svg viewBox="0 0 860 {row * len(items) + 8}" role="img" aria-label="{_e(label)}">']
    for i, (name, value, text) in enumerate(items):
        y, w = 4 + i * row, max(value / top * span, 1 if value else 0)
        parts.append(
            f'<text x="{left - 10}" y="{y + 19}" text-anchor="end" font-size="13">{_e(name)}</text>'
            f'<rect x="{left}" y="{y + 4}" width="{w:.1f}" height="{row - 10}" rx="3" fill="{_PALETTE[0]}"/>'
            f'<text x="{left + w + 8:.1f}" y="{y + 19}" font-size="13" font-weight="600">{_e(text)}</text>'
        )
    return "".join(parts) + "</svg>"


def _nice(top: float) -> float:
    mag = 10 ** math.floor(math.log10(top)) if top > 0 else 1
    return next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= top)


def _lines(runs: list[dict[str, Any]]) -> str:
    """Per-source volumes over runs, one polyline per source; a missing value breaks the line."""
    sources = sorted({s for r in runs for s in _d(r.get("extracted"))})
    values = [[_num(_d(r.get("extracted")).get(s)) for r in runs] for s in sources]
    top = _nice(max((v for vs in values for v in vs if v is not None), default=0) or 1)
    left, right, h, bottom, width = 80, 20, 220, 60, 860
    step = (width - left - right) / max(len(runs) - 1, 1)
    every = math.ceil(len(runs) / 10)

    def x(i: int) -> float:
        return left + i * step

    def y(v: float) -> float:
        return 10 + h - v / top * h

    parts = [f'<svg viewBox="0 0 {width} {h + bottom + 10}" role="img" aria-label="volumes per source per run">']
    for t in range(5):
        v = top * t / 4
        parts.append(
            f'<line x1="{left}" x2="{width - right}" y1="{y(v):.1f}" y2="{y(v):.1f}" stroke="#d0d7de"/>'
            f'<text x="{left - 8}" y="{y(v) + 4:.1f}" text-anchor="end" font-size="12" fill="#57606a">'
            f"{_fmt_num(round(v))}</text>"
        )
    for i, r in enumerate(runs):
        bad = r.get("status") in ("failed", "gated")
        if bad:
            parts.append(
                f'<line x1="{x(i):.1f}" x2="{x(i):.1f}" y1="10" y2="{h + 10}" stroke="#cf222e" stroke-dasharray="4 3">'
                f"<title>{_e(r.get('run_id'))}: {_e(r.get('status'))}</title></line>"
            )
        if bad or i % every == 0 or i == len(runs) - 1:
            stamp = r.get("started_at")
            label = str(stamp)[5:16].replace("T", " ") if isinstance(stamp, str) else str(r.get("run_id") or "")[:12]
            parts.append(
                f'<text transform="translate({x(i):.1f},{h + 26}) rotate(-30)" text-anchor="end" font-size="11" '
                f'fill="{"#cf222e" if bad else "#57606a"}">{_e(label)}</text>'
            )
    for k, (source, vs) in enumerate(zip(sources, values, strict=True)):
        colour = _PALETTE[k % len(_PALETTE)]
        segment: list[str] = []
        for i, val in enumerate([*vs, None]):
            if val is not None:
                segment.append(f"{x(i):.1f},{y(val):.1f}")
                parts.append(
                    f'<circle cx="{x(i):.1f}" cy="{y(val):.1f}" r="3.5" fill="{colour}">'
                    f"<title>{_e(source)} · {_e(runs[i].get('run_id'))}: {_fmt_num(val)}</title></circle>"
                )
            elif segment:
                parts.append(f'<polyline points="{" ".join(segment)}" fill="none" stroke="{colour}" stroke-width="2"/>')
                segment = []
    legend = "".join(
        f'<span><i style="background:{_PALETTE[k % len(_PALETTE)]}"></i>{_e(s)}</span>' for k, s in enumerate(sources)
    )
    return "".join(parts) + f'</svg><div class="legend">{legend}</div>'


def _funnel(counts: dict[str, Any]) -> str:
    sources = [_d(s) for s in _d(counts.get("sources")).values()]
    landed = [_d(s) for s in _d(_d(counts.get("validation")).get("landed_records")).values()]
    passed = [{"ok": (_num(s.get("rows")) or 0) - (_num(s.get("quarantined")) or 0)} for s in landed if "rows" in s]
    norm = _d(counts.get("normalize"))
    sinks = [_d(s) for s in _d(counts.get("sinks")).values()]
    stages = [
        ("read", _sum(sources, "read")),
        ("landed", _sum(sources, "new", "changed", "unchanged")),
        ("passed validation", _sum(passed, "ok")),
        ("leads created + updated", _sum([norm], "leads_created", "leads_updated")),
        ("synced", _sum(sinks, "created", "updated")),
    ]
    shown = [(name, v) for name, v in stages if v is not None]
    if not shown:
        return ""
    first = shown[0][1] or 0
    items = [
        (n, float(v), _fmt_num(v) + (f"  ({v / first:.1%})" if first and i else "")) for i, (n, v) in enumerate(shown)
    ]
    detail = ", ".join(
        f"{_fmt_num(norm.get(k))} {k.replace('_', ' ')}"
        for k in ("records", "rejected", "leads_unchanged", "leads_retired")
        if k in norm
    )
    note = f"Percentages are of the first stage ({shown[0][0]})." + (f" Normalize: {detail}." if detail else "")
    return _section("Funnel", _bars(items, "funnel of this run") + f"<p class=muted>{note}</p>")


def _quality(validation: dict[str, Any]) -> str:
    out = []
    for suite, scopes in validation.items():
        out.append(f"<h3>{_e(suite)}</h3>")
        for scope, r in _d(scopes).items():
            r = _d(r)
            out.append(
                f"<h4>{_e(scope)} <span class=muted>· {_fmt_num(r.get('rows'))} rows · "
                f"{_fmt_num(r.get('quarantined'))} quarantined ({_fmt_share(r.get('share'))})</span></h4>"
            )
            exps = [_d(x) for x in _l(r.get("expectations"))]
            rows = [
                [
                    f"<code>{_e(x.get('expectation')).replace('_', '_<wbr>')}</code>",
                    _e(x.get("column")) or "—",
                    _e(x.get("reason")) or "—",
                    _yes(x.get("quarantine"), "quarantine", "gate"),
                    _fmt_num(x.get("unexpected")),
                    _fmt_num(x.get("checked")),
                    _fmt_share(x.get("share")),
                    _e(x["error"]) if x.get("error") else _yes(x.get("passed"), "✓&nbsp;passed", "✗&nbsp;failed"),
                ]
                for x in exps
            ]
            failed = [x.get("passed") is False or bool(x.get("error")) for x in exps]
            headers = ["expectation", "column", "reason", "on failure", "unexpected", "checked", "share", "result"]
            out.append(_table(headers, rows, {4, 5, 6}, failed) if rows else "")
    return _section("Data quality", "".join(out))


def _gates(gates: list[dict[str, Any]]) -> str:
    tripped = [g for g in gates if g.get("tripped")]
    alert = "".join(
        f"<li><strong>{_e(g.get('gate'))}</strong> on <code>{_e(g.get('scope'))}</code>: {_e(g.get('detail'))}</li>"
        for g in tripped
    )
    ordered = tripped + [g for g in gates if not g.get("tripped")]
    rows = [
        [
            _e(g.get("gate")),
            f"<code>{_e(g.get('scope'))}</code>",
            _yes(g.get("tripped"), "tripped", "ok"),
            _e(g.get("detail")),
        ]
        for g in ordered
    ]
    table = _table(["gate", "scope", "state", "detail"], rows, set(), [bool(g.get("tripped")) for g in ordered])
    return _section("Tripped gates", f"<ul>{alert}</ul>" if alert else "", "alert") + _section("Gates", table)


def _sources(sources: dict[str, Any]) -> str:
    keys = ["read", "new", "changed", "unchanged", "stale", "skipped_by_cursor"]
    rows, bad = [], []
    for name, s in sources.items():
        s = _d(s)
        missing = ", ".join(map(str, _l(s.get("missing_columns"))))
        quarantined = _fmt_num(s.get("quarantined"))
        if s.get("quarantined_new") is not None:
            quarantined += f" ({_fmt_num(s['quarantined_new'])} new)"
        watermark = _e(str(s.get("watermark") or "—").replace("T", " "))
        rows.append(
            [_e(name), _badge(s.get("status")), *(_fmt_num(s.get(k)) for k in keys), quarantined, watermark]
            + [_fmt_seconds(s.get("seconds")), _e(missing) or "—"]
        )
        bad.append(s.get("status") == "failed")
    headers = ["source", "status", "read", "new", "changed", "unchanged", "stale", "skipped (cursor)", "quarantined"]
    return _table([*headers, "watermark", "time", "missing columns"], rows, {*range(2, 9), 10}, bad)


def _reasons(reasons: list[dict[str, Any]]) -> str:
    reasons = sorted(reasons, key=lambda r: -(_num(r.get("rows")) or 0))
    rows = [[_e(r.get("source")), _e(r.get("stage")), _e(r.get("reason")), _fmt_num(r.get("rows"))] for r in reasons]
    return _table(["source", "stage", "reason", "rows"], rows, {3})


def _sinks(sinks: dict[str, Any]) -> str:
    keys = ["pending", "created", "updated", "unchanged", "rejected"]
    rows, bad = [], []
    for name, s in sinks.items():
        s = _d(s)
        errors = "<br>".join(_e(x) for x in _l(s.get("errors")))
        rows.append(
            [_e(name), _badge(s.get("status")), _yes(s.get("dry_run")), *(_fmt_num(s.get(k)) for k in keys)]
            + [errors or "—", _fmt_seconds(s.get("seconds"))]
        )
        bad.append(s.get("status") == "failed" or bool(errors))
    return _table(["sink", "status", "dry run", *keys, "errors", "time"], rows, {3, 4, 5, 6, 7, 9}, bad)


def render_run_report(run_id: str, status: str, counts: dict, history: list[dict] | None = None) -> str:
    """One complete HTML5 document for a run; `history` holds earlier runs, newest last."""
    from tasks.handoff_report import handoff_html

    counts = _d(counts)
    dry = ' <span class="badge dry">dry run</span>' if counts.get("dry_run") else ""
    problems = "".join(f"<li>{_e(p)}</li>" for p in _l(counts.get("problems")))
    gates = [_d(g) for g in _l(counts.get("gates"))]
    sources, sinks = _d(counts.get("sources")), _d(counts.get("sinks"))
    reasons = [_d(r) for r in _l(counts.get("quarantine_reasons"))]
    stages = [
        (str(k), n, _fmt_seconds(n)) for k, v in _d(counts.get("stage_seconds")).items() if (n := _num(v)) is not None
    ]
    runs = [_d(r) for r in _l(history)][-30:]
    trend = ""
    if len(runs) >= 2:
        trend = (
            f"<p class=muted>Rows read per source over the last {len(runs)} earlier runs; failed or gated runs are "
            f"marked in red.</p>{_lines(runs)}"
        )
    sections = [
        _section("Problems", f"<ul>{problems}</ul>" if problems else "", "alert"),
        _gates(gates) if gates else "",
        _funnel(counts),
        handoff_html(counts),
        _section("Extract per source", _sources(sources) if sources else ""),
        _quality(_d(counts.get("validation"))),
        _section("Quarantine reasons", _reasons(reasons) if reasons else ""),
        _section("Sinks", _sinks(sinks) if sinks else ""),
        _section("Stage durations", _bars(stages, "seconds per stage") if stages else ""),
        _section("Volumes over recent runs", trend),
    ]
    body = "".join(sections) or '<p class="muted">No counts were recorded for this run.</p>'
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>Lead sync {_e(run_id)}: {_e(status)}</title><style>{_CSS}</style></head><body>"
        f"<header><h1>Lead sync run <code>{_e(run_id)}</code></h1>{_badge(status)}{dry}</header>{body}</body></html>\n"
    )
