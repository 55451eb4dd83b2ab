"""`leads report`: the marketing funnel per source, campaign, form, ad and week, from the store."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

app = typer.Typer(help="Reports from the store: the funnel.", no_args_is_help=True)
ConfigOption = Annotated[Path | None, typer.Option("--config", "-c", help="Config file (YAML).")]


def _pct(value: Any) -> str:
    return "" if value is None else f"{value:.1%}"


def _days(value: Any) -> str:
    return "" if value is None else f"{value:g}"


def _money(value: Any, currency: Any) -> str:
    return "" if value is None else f"{value:.2f} {currency or ''}".strip()


@app.command("funnel")
def funnel_command(
    since: Annotated[str, typer.Option(help="First week to show: the week of this date (YYYY-MM-DD).")],
    config: ConfigOption = None,
) -> None:
    """Leads, valid, MQL, SQL and won per source, campaign, form, ad and creation week, with
    stage-to-stage conversion, median days and cost per lead, MQL and SQL. Reads only."""
    from connectors.store.migrate import is_current
    from flows.cli import EXIT_BAD_CONFIG, EXIT_RUN_FAILED, _load, err, out
    from leads.funnel import monday, totals
    from tasks.context import build_context
    from tasks.funnel import compute_funnel, funnel_line, plain

    try:
        first = monday(date.fromisoformat(since))
    except ValueError:
        err.print(f"[red]--since {since!r}: expected a date such as 2026-10-05[/red]", highlight=False)
        raise typer.Exit(EXIT_BAD_CONFIG) from None
    cfg = _load(config, check_sources=False)
    ctx = build_context(cfg, "report")
    if not is_current(ctx.engine()):
        err.print("The store is empty or out of date: run `leads db upgrade` or `leads run`.")
        raise typer.Exit(EXIT_RUN_FAILED)
    rows, accepted = compute_funnel(ctx, first)
    keys = ["week", "source", "campaign", "form", "ad"]
    counts = Table(title=f"Funnel since the week of {first.isoformat()}: counts and stage-to-stage conversion")
    costs = Table(title="Cost (from ad spend) and median days between stages")
    for h in [*keys, "leads", "valid", "MQL", "SQL", "won", "valid %", "MQL %", "SQL %", "won %"]:
        counts.add_column(h)
    for h in [*keys, "cost", "per lead", "per MQL", "per SQL", "days to MQL", "MQL to SQL", "SQL to won"]:
        costs.add_column(h)
    for row in rows:
        r = plain(row)
        key = [r["week"], r["source"] or "-", r["campaign"] or "-", r["form_id"] or "-", r["ad_id"] or "-"]
        counts.add_row(
            *key,
            *(str(r[k]) for k in ("leads", "valid", "mql", "sql", "won")),
            *(_pct(r[k]) for k in ("valid_rate", "mql_rate", "sql_rate", "won_rate")),
        )
        costs.add_row(
            *key,
            *(_money(r[k], r["currency"]) for k in ("cost", "cost_per_lead", "cost_per_mql", "cost_per_sql")),
            *(_days(r[k]) for k in ("median_days_to_mql", "median_days_mql_to_sql", "median_days_sql_to_won")),
        )
    out.print(counts)
    out.print(costs)
    out.print(funnel_line(totals(rows)) + ".", highlight=False)
    if accepted:
        acc = Table(title="Acceptance by fit criterion (MQLs that reached SQL)")
        for h in ("criterion", "fired", "accepted", "rate", "not fired", "accepted ", "rate "):
            acc.add_column(h, no_wrap=True)
        for a in accepted:
            acc.add_row(
                a["criterion"],
                str(a["fired"]),
                str(a["fired_accepted"]),
                _pct(a["fired_rate"]),
                str(a["not_fired"]),
                str(a["not_fired_accepted"]),
                _pct(a["not_fired_rate"]),
            )
        out.print(acc)


def print_handoff(counts: dict[str, Any]) -> None:
    """The run summary's hand-off and funnel lines (`leads run`)."""
    from flows.cli import out
    from tasks.funnel import funnel_line

    handoff = counts.get("handoff") or {}
    if handoff.get("status") not in (None, "off"):
        parts = []
        for key, label in (("first_touch", "first touch"), ("to_sql", "to SQL")):
            t = handoff.get(key) or {}
            counted = ", ".join(f"{t.get(k, 0)} {k}" for k in ("overdue", "late", "met", "open"))
            parts.append(f"{label}: {counted}")
        out.print(
            f"Hand-off: {handoff.get('mqls', 0)} MQLs; " + "; ".join(parts) + f"; {handoff.get('recycled', 0)} recycled"
            " to nurture (lead ids in report.html).",
            highlight=False,
        )
    funnel = counts.get("funnel") or {}
    if funnel.get("status") == "ok":
        out.print(funnel_line(funnel.get("totals") or {}) + f" since {funnel.get('since')}.", highlight=False)
