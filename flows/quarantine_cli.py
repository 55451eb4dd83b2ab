"""`leads quarantine`: what was held back and why, and reprocessing after a fix."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from leads.masking import mask_text

app = typer.Typer(help="Rows and leads held back, with their reasons.", no_args_is_help=True)

ConfigOption = Annotated[Path | None, typer.Option("--config", "-c", help="Config file (YAML).")]
SourceOption = Annotated[str | None, typer.Option("--source", help="Only this source ('leads' for golden leads).")]
StageOption = Annotated[str | None, typer.Option("--stage", help="Only this stage: extract, validate or normalize.")]


def _context(config: Path | None):  # noqa: ANN202 - RunContext, imported lazily with the CLI's loader
    from flows.cli import _load
    from tasks.context import build_context

    return build_context(_load(config, check_sources=False), "quarantine")


def _text(raw: bytes, verbatim: bool) -> str:
    text = raw.decode("utf-8", errors="backslashreplace")
    return text if verbatim else mask_text(text)


@app.command("list")
def list_entries(
    config: ConfigOption = None,
    source: SourceOption = None,
    stage: StageOption = None,
    status: Annotated[str, typer.Option(help="open, released or all.")] = "open",
    limit: Annotated[int, typer.Option(help="At most this many rows.")] = 50,
) -> None:
    """List quarantine entries: where each came from and why it was held back."""
    from connectors.store import quarantine_log
    from flows.cli import out

    ctx = _context(config)
    with ctx.engine().connect() as conn:
        rows = quarantine_log.entries(conn, source, stage, None if status == "all" else status, limit)
    table = Table(title=f"Quarantine ({status})")
    for column in ("id", "source", "stage", "position", "reasons", "seen", "last seen (UTC)", "status"):
        table.add_column(column, overflow="fold")
    for r in rows:
        table.add_row(
            str(r.id),
            r.source,
            r.stage,
            r.position,
            mask_text("; ".join(r.reasons)),
            str(r.seen_count),
            f"{r.last_seen_at:%Y-%m-%d %H:%M}",
            r.status,
        )
    out.print(table)


@app.command("show")
def show_entry(
    entry_id: Annotated[int, typer.Argument(help="The entry's id (from `leads quarantine list`).")],
    config: ConfigOption = None,
    raw: Annotated[bool, typer.Option("--raw", help="Print the record verbatim, personal data included.")] = False,
) -> None:
    """One entry in full. Emails and phone numbers are masked unless --raw is given."""
    from connectors.store import quarantine_log
    from flows.cli import err, out

    ctx = _context(config)
    with ctx.engine().connect() as conn:
        row = quarantine_log.entry(conn, entry_id)
    if row is None:
        err.print(f"No quarantine entry {entry_id}.")
        raise typer.Exit(1)
    out.print(f"Entry {row.id}: {row.source} / {row.stage} / {row.position} ({row.status})")
    out.print(
        f"Record id: {row.source_id or 'unknown'}; seen {row.seen_count} time(s), "
        f"first {row.first_seen_at:%Y-%m-%d %H:%M} UTC, last {row.last_seen_at:%Y-%m-%d %H:%M} UTC"
    )
    for reason in row.reasons:
        out.print(f"- {mask_text(reason)}", highlight=False)
    out.print("Raw record" + ("" if raw else " (masked; --raw shows it verbatim)") + ":")
    out.print(_text(row.raw[:20000], raw), markup=False, highlight=False)
    if len(row.raw) > 20000:
        out.print(f"... {len(row.raw) - 20000:,} more bytes", style="dim")


@app.command("reprocess")
def reprocess_entries(
    config: ConfigOption = None,
    source: SourceOption = None,
    stage: StageOption = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Report what would be released; change nothing.")] = False,
) -> None:
    """Try open entries again with the current config and suites; release those that now pass."""
    from connectors.store.migrate import upgrade
    from flows.cli import out
    from tasks.reprocess import reprocess

    ctx = _context(config)
    upgrade(ctx.engine())
    results = reprocess(ctx, source, stage, dry_run)
    table = Table(title="Reprocessed" + (" (dry run: nothing changed)" if dry_run else ""))
    for column in ("source / stage", "released", "still failing", "skipped", "note"):
        table.add_column(column)
    for group, r in results.items():
        table.add_row(group, str(r["released"]), str(r["still_failing"]), str(r["skipped"]), r["note"])
    out.print(table)
    if any(r["released"] for r in results.values()) and not dry_run:
        out.print("Released records flow on with the next `leads run`.")
