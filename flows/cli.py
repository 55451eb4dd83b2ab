"""The `leads` command line."""

from __future__ import annotations

from flows import settings_defaults

settings_defaults.apply()

import os  # noqa: E402
import sys  # noqa: E402
from collections import Counter  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Annotated, Any  # noqa: E402

import typer  # noqa: E402
from rich.console import Console  # noqa: E402
from rich.table import Table  # noqa: E402

from connectors.files.source import FileSource  # noqa: E402
from connectors.mapping import field_mapping  # noqa: E402
from connectors.secrets import MissingSecret  # noqa: E402
from connectors.store.engine import get_engine, safe_url  # noqa: E402
from leads.config import (  # noqa: E402
    AppConfig,
    ConfigError,
    FileSourceConfig,
    HubSpotSinkConfig,
    SalesforceSourceConfig,
    SecretRef,
    SqlTableSinkConfig,
)
from tasks.context import build_context, load_run_config  # noqa: E402

app = typer.Typer(help="Lead-enrichment ETL: extract, normalize and sync leads with Prefect.", no_args_is_help=True)
db_app = typer.Typer(help="The SQL store.", no_args_is_help=True)
app.add_typer(db_app, name="db")
# Piped output (logs, CI, tests) gets a wide fixed width, so tables are not squeezed to 80 columns.
_WIDTH = None if sys.stdout.isatty() else 160
out = Console(width=_WIDTH)
err = Console(stderr=True, width=_WIDTH)

ConfigOption = Annotated[
    Path, typer.Option("--config", "-c", help="Config file (YAML). Default: $LEADS_CONFIG or ./leads.yaml.")
]
EXIT_RUN_FAILED = 1
EXIT_BAD_CONFIG = 2


def _default_config() -> Path:
    return Path(os.environ.get("LEADS_CONFIG", "leads.yaml"))


def _load(path: Path | None, check_sources: bool = True) -> AppConfig:
    """Load and preflight the config, or exit 2 naming every problem."""
    path = path or _default_config()
    try:
        config = load_run_config(path)
        build_context(config, "preflight")
    except ConfigError as exc:
        err.print(f"[red]{exc}[/red]", highlight=False)
        raise typer.Exit(EXIT_BAD_CONFIG) from None
    except MissingSecret as exc:
        err.print(f"[red]{path}: {exc}[/red]", highlight=False)
        raise typer.Exit(EXIT_BAD_CONFIG) from None
    if check_sources:
        # Files are checked here; an API source is checked when a run reaches it (no network in a preflight).
        problems = [
            p
            for n, s in config.sources.items()
            if s.enabled and isinstance(s, FileSourceConfig)
            for p in FileSource(n, s).check() or FileSource(n, s).missing_columns()
        ]
        if problems:
            err.print(str(ConfigError(str(path), problems)), style="red", highlight=False)
            raise typer.Exit(EXIT_BAD_CONFIG)
    return config


DryRunOption = Annotated[
    bool,
    typer.Option("--dry-run", help="Land and normalize, but write nothing to any sink; report what would be sent."),
]


@app.command()
def run(config: ConfigOption = None, dry_run: DryRunOption = False) -> None:  # type: ignore[assignment]
    """Run the lead_sync flow once, on Prefect's temporary local API unless PREFECT_API_URL is set."""
    _run_flow(config, dry_run=dry_run)


@app.command()
def sync(
    sink: Annotated[str, typer.Argument(help="The sink to sync (a name under sinks:).")],
    config: ConfigOption = None,  # type: ignore[assignment]
    full_resync: Annotated[
        bool, typer.Option("--full-resync", help="Forget what the sink accepted: look at every lead again, once.")
    ] = False,
    dry_run: DryRunOption = False,
) -> None:
    """Run lead_sync for one sink only (sources are read as usual); --full-resync compares every lead again."""
    settings = _load(config or _default_config())
    if sink not in settings.sinks:
        err.print(f"[red]no sink {sink!r}; expected one of: {', '.join(settings.sinks) or '(none)'}[/red]")
        raise typer.Exit(EXIT_BAD_CONFIG)
    if full_resync and dry_run:
        err.print("[red]--full-resync changes what the sink's outbox holds; it cannot be a dry run[/red]")
        raise typer.Exit(EXIT_BAD_CONFIG)
    _run_flow(config, dry_run=dry_run, sinks=[sink], full_resync=[sink] if full_resync else [])


def _run_flow(config: Path | None, **parameters: Any) -> None:
    path = config or _default_config()
    settings = _load(path)
    if err.is_terminal:
        # Progress bars show what the INFO lines would; they still reach the Prefect API and UI.
        os.environ.setdefault("PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL", "WARNING")
    from flows.lead_sync import lead_sync
    from flows.progress_view import RichProgress

    if not os.environ.get("PREFECT_API_URL"):
        err.print("Starting Prefect's temporary local API (15-20 s the first time)...", style="dim")
    listener = RichProgress(err) if err.is_terminal else None
    try:
        if listener:
            listener.start()
        counts = lead_sync(config_path=str(path.resolve()), **parameters)
    except Exception as exc:  # noqa: BLE001 - the run summary artifact has the details
        if listener:
            listener.stop()
        err.print(f"[red]lead_sync failed: {exc}[/red]", highlight=False)
        err.print(f"Details: `leads status`, and the run's summary.md and report.html under {settings.runs_dir}")
        raise typer.Exit(EXIT_RUN_FAILED) from None
    if listener:
        listener.stop()
    _print_summary(counts, settings)


# Summary columns, and which count of each stage fills them.
_COLUMNS = ("read", "new", "changed", "unchanged", "rejected", "seconds")
_STAGE_KEYS = {
    "extract": ("read", "new", "changed", "unchanged", "quarantined", "seconds"),
    "validate": ("rows", "", "", "", "quarantined", ""),
    "normalize": ("records", "leads_created", "leads_updated", "leads_unchanged", "rejected", "seconds"),
    "enrich": ("leads", "enriched", "deferred", "reused", "skipped_total", "seconds"),
    "score": ("leads", "scored", "", "unchanged", "", "seconds"),
    "route": ("leads", "assigned", "", "kept_total", "unrouted", "seconds"),
    "sync": ("pending", "created", "updated", "unchanged", "rejected", "seconds"),
}


def _print_identity_and_enrichment(counts: dict[str, Any]) -> None:
    norm, enrich = counts.get("normalize") or {}, counts.get("enrich") or {}
    if norm.get("leads_merged"):
        out.print(f"Identity: {norm['leads_merged']} leads merged into others (recorded in lead_merges).")
    if enrich.get("filled"):
        filled = ", ".join(f"{f} {n}" for f, n in sorted(enrich["filled"].items()))
        out.print(f"Enrichment filled: {filled}.", highlight=False)
    if enrich.get("skipped"):
        skipped = ", ".join(f"{why} {n}" for why, n in sorted(enrich["skipped"].items()))
        out.print(f"Enrichment skipped (nothing spent): {skipped}.", highlight=False)
    scored = counts.get("score") or {}
    if scored.get("grades"):
        grades = ", ".join(f"{g} {n}" for g, n in sorted(scored["grades"].items()))
        out.print(f"Grades: {grades}.", highlight=False)
    if scored.get("stage_moves"):
        moves = ", ".join(f"to {stage} {n}" for stage, n in sorted(scored["stage_moves"].items()))
        out.print(f"Lifecycle: {moves} (forward only; see stage_history).", highlight=False)
    if scored.get("disqualified"):
        out.print("Disqualified (never MQL): " + ", ".join(f"{why} {n}" for why, n in scored["disqualified"].items()))
    _print_routing(counts.get("route") or {})
    for name, use in (enrich.get("providers") or {}).items():
        if use.get("lookups"):
            out.print(
                f"Provider {name}: {use['lookups']} lookups, {use['cache_hits']} from cache, {use['hits']} hits, "
                f"{use['misses']} misses, {use['credits']:g} credits"
                + (f", {use['over_budget']} over budget" if use.get("over_budget") else ""),
                highlight=False,
            )


def _print_routing(route: dict[str, Any]) -> None:
    """Owners assigned by rule (precedence: account owner, territory rule, round-robin in its team)."""
    if route.get("rules"):
        rules = ", ".join(f"{rule} {n}" for rule, n in sorted(route["rules"].items()))
        out.print(f"Routing: {route.get('assigned', 0)} owners assigned: {rules}.", highlight=False)
    if route.get("owned") or route.get("unrouted"):
        out.print(
            f"Routing left alone: {route.get('owned', 0)} owned by sales in the CRM, "
            f"{route.get('unrouted', 0)} with no matching rule or no one available.",
            highlight=False,
        )


def _print_handoff(counts: dict[str, Any]) -> None:
    from flows.report_cli import print_handoff

    print_handoff(counts)


def _print_summary(counts: dict[str, Any], config: AppConfig) -> None:
    table = Table(title="lead_sync" + (" (dry run)" if counts.get("dry_run") else ""))
    for column in ("stage", "name", "status", *_COLUMNS):
        table.add_column(column, no_wrap=True)
    stages = [("extract", n, c) for n, c in counts.get("sources", {}).items()]
    stages += [
        ("validate", f"{suite}/{scope}", t)
        for suite, scopes in counts.get("validation", {}).items()
        for scope, t in scopes.items()
    ]
    stages.append(("normalize", "leads", counts.get("normalize") or {}))
    enrich = dict(counts.get("enrich") or {})
    if enrich:
        enrich["skipped_total"] = sum((enrich.get("skipped") or {}).values())
        stages.append(("enrich", "leads", enrich))
    if (counts.get("score") or {}).get("status") not in (None, "off"):
        stages.append(("score", "leads", counts["score"]))
    if (counts.get("route") or {}).get("status") not in (None, "off"):
        route = counts["route"]
        stages.append(("route", "mqls", {**route, "kept_total": route.get("kept", 0) + route.get("owned", 0)}))
    stages += [("sync", n, c) for n, c in counts.get("sinks", {}).items()]
    for stage, name, c in stages:
        table.add_row(stage, name, str(c.get("status", "")), *(str(c.get(k, "")) for k in _STAGE_KEYS[stage]))
    out.print(table)
    out.print(
        "read: rows read (extract), records normalized, leads looked at (enrich), leads pending (sync); "
        "new/changed: records landed, leads created/updated, leads enriched/deferred to the next run, rows "
        "created/updated in the sink; rejected: rows quarantined or refused, leads enrichment skipped.",
        style="dim",
    )
    _print_identity_and_enrichment(counts)
    _print_handoff(counts)
    tripped = [g for g in counts.get("gates", []) if g["tripped"]]
    gates = counts.get("gates", [])
    if gates:
        out.print(
            f"Gates: {len(gates) - len(tripped)} of {len(gates)} passed" + ("; nothing was synced." if tripped else ".")
        )
    for problem in counts.get("problems") or []:
        out.print(f"[yellow]! {problem}[/yellow]", highlight=False)
    store = _store_label(config)
    out.print(f"Store: {store}")
    out.print(f"Run files: {config.runs_dir} (summary.md, summary.json, report.html)")
    for name in config.sinks:
        out.print(f"Sink {name}: {_describe_sink(config, name)}")
    for name, c in counts.get("sinks", {}).items():
        if c.get("changed_fields"):
            what = "would change" if counts.get("dry_run") else "changed"
            fields = ", ".join(f"{f} {n}" for f, n in sorted(c["changed_fields"].items()))
            out.print(f"Sink {name} {what}: {fields}.", highlight=False)
        if c.get("kept_fields"):
            kept = ", ".join(f"{why} {n}" for why, n in sorted(c["kept_fields"].items()))
            out.print(f"Sink {name} left CRM values alone: {kept}.", highlight=False)
    out.print("Next: `leads status` for runs and pending syncs, `leads quarantine list` for what was held back;")
    out.print("the Prefect UI shows the run's artifacts (summary, quarantine reasons, a link to the HTML report).")


def _url_label(url: str | SecretRef | None) -> str:
    """Where a database is, as it may be shown: a reference's name, or the URL without password."""
    if url is None:
        return "the store's database"
    return url.describe() if isinstance(url, SecretRef) else safe_url(url)


def _store_label(config: AppConfig) -> str:
    return _url_label(config.store.url)


def _describe_sink(config: AppConfig, name: str) -> str:
    sink = config.sinks[name]
    scope = f"leads at stage {sink.min_stage.value} or later" if sink.min_stage else "all active leads"
    if isinstance(sink, SqlTableSinkConfig):
        return f"table {sink.table} in {_url_label(sink.url)}; {scope}; {len(sink.fields)} fields"
    what = (
        f"HubSpot contacts via {sink.base_url or 'https://api.hubapi.com'}, new ones by {sink.id_property}"
        if isinstance(sink, HubSpotSinkConfig)
        else f"Salesforce {sink.object} via {sink.login_url}, by external id {sink.external_id}"
    )
    policies = Counter(rule.policy for rule in sink.fields.values())
    read_back = f"; read back by source {sink.source}" if sink.source else ""
    return (
        f"{what}; {scope}; {len(sink.fields)} fields ("
        + ", ".join(f"{n} {p}" for p, n in sorted(policies.items()))
        + f"); deletions: {sink.deletions}{read_back}"
    )


@app.command("check-config")
def check_config(path: Annotated[Path, typer.Argument(help="Config file to validate.")]) -> None:
    """Validate a config file and explain what it will do. Exit 2 when it cannot be used."""
    config = _load(path)
    out.print(f"[green]{path}: valid[/green]")
    migrations = "automatic" if config.store.auto_migrate else "manual: leads db upgrade"
    out.print(f"Store: {_store_label(config)} (migrations {migrations})")
    out.print(f"Run files: {config.runs_dir}; chunk size {config.chunk_size}; timezone {config.timezone}")
    for name, s in config.sources.items():
        out.print(f"Source {name}{'' if s.enabled else ' [dim](disabled)[/dim]'}: {_describe_source(s)}")
    for name in config.sinks:
        out.print(f"Sink {name}: {_describe_sink(config, name)}")


def _describe_source(s: Any) -> str:
    if isinstance(s, FileSourceConfig):
        return (
            f"{s.format} file {s.path}; id {s.id_column!r}; cursor {s.cursor_column!r} "
            f"(lookback {s.lookback}); maps {len(s.mapping)} fields: {', '.join(s.mapping)}"
        )
    streams = [k for k in ("history", "activities", "deals", "owners", "opportunities") if getattr(s, k, False)]
    if isinstance(s, SalesforceSourceConfig):
        what = f"Salesforce {', '.join(s.objects)} via {s.login_url} (API {s.api_version})"
        mapped = sum(len(field_mapping(s, {"attributes.type": o})) for o in s.objects)
    else:
        what = f"HubSpot contacts via {s.base_url or 'https://api.hubapi.com'} ({s.tier} tier)"
        mapped = len(field_mapping(s))
    auth = ", ".join(f"{k} from {v.describe()}" for k, v in s.auth if isinstance(v, SecretRef))
    return (
        f"{what}; lookback {s.lookback}; maps {mapped} fields; also {', '.join(streams) or 'nothing else'}; "
        f"credentials: {auth}; stop at {s.quota.stop_at_share:.0%} of the daily quota"
    )


@db_app.command("upgrade")
def db_upgrade(config: ConfigOption = None) -> None:  # type: ignore[assignment]
    """Create or migrate the store's tables to the current schema."""
    from connectors.store.migrate import current_revision, upgrade

    ctx = build_context(_load(config, check_sources=False), "db-upgrade")
    engine = ctx.engine()
    before = current_revision(engine)
    upgrade(engine)
    out.print(f"Store {safe_url(ctx.store_url.get_secret_value())}: {before or 'empty'} → {current_revision(engine)}")


@app.command()
def status(
    config: ConfigOption = None,  # type: ignore[assignment]
    limit: Annotated[int, typer.Option(help="How many recent runs to list.")] = 10,
) -> None:
    """Recent runs with their counts, pending syncs per sink, quarantine and watermarks."""
    from connectors.store import stats
    from connectors.store.migrate import is_current
    from connectors.store.runs import recent_runs
    from tasks.sync import pending_count

    cfg = _load(config, check_sources=False)
    ctx = build_context(cfg, "status")
    engine = get_engine(ctx.store_url.get_secret_value())
    if not is_current(engine):
        err.print("The store is empty or out of date: run `leads db upgrade` or `leads run`.")
        raise typer.Exit(EXIT_RUN_FAILED)
    runs_table = Table(title="Recent runs")
    for column in (
        "started (UTC)",
        "status",
        "dry run",
        "extracted",
        "quarantined",
        "leads new/changed",
        "synced",
        "run id",
    ):
        runs_table.add_column(column)
    for r in recent_runs(engine, limit):
        c = r.counts or {}
        src = c.get("sources", {}).values()
        norm = c.get("normalize") or {}
        synced = sum((s.get("created") or 0) + (s.get("updated") or 0) for s in c.get("sinks", {}).values())
        runs_table.add_row(
            f"{r.started_at:%Y-%m-%d %H:%M:%S}",
            r.status,
            "yes" if r.dry_run else "",
            str(sum(s.get("read") or 0 for s in src)),
            str(sum(s.get("quarantined") or 0 for s in src) + (norm.get("rejected") or 0)),
            f"{norm.get('leads_created', 0)}/{norm.get('leads_updated', 0)}",
            str(synced),
            r.run_id,
        )
    out.print(runs_table)
    with engine.connect() as conn:
        errors = stats.sync_error_counts(conn)
        for name in cfg.sinks:
            out.print(f"Sink {name}: {pending_count(ctx, name)} pending, {errors.get(name, 0)} with errors")
        for row in stats.quarantine_counts(conn):
            out.print(f"Quarantine {row.source}/{row.stage}: {row.rows} open")
        for row in stats.lead_counts(conn):
            out.print(f"Leads at stage {row.lifecycle_stage or 'unknown'}: {row.leads}")
        out.print(f"Leads held back by validation (never synced until they pass): {stats.held_back_leads(conn)}")
        for row in stats.watermark_rows(conn):
            out.print(f"Watermark {row.source}: {row.cursor_ts:%Y-%m-%d %H:%M:%S} UTC (id {row.cursor_id})")


def main() -> None:  # pragma: no cover - console entry point
    sys.exit(app())


if __name__ == "__main__":  # pragma: no cover
    main()


def _register_subcommands() -> None:
    from flows.model_cli import app as model_app
    from flows.quarantine_cli import app as quarantine_app
    from flows.report_cli import app as report_app

    app.add_typer(quarantine_app, name="quarantine")
    app.add_typer(model_app, name="model")
    app.add_typer(report_app, name="report")


_register_subcommands()
