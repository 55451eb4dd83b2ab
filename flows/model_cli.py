"""`leads model`: train, list and approve the predictive scoring models."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

app = typer.Typer(help="Predictive scoring models: train, list, approve.", no_args_is_help=True)
ConfigOption = Annotated[Path | None, typer.Option("--config", "-c", help="Config file (YAML).")]


@app.command("train")
def train_command(
    config: ConfigOption = None,
    data: Annotated[
        Path | None, typer.Option(help="A CSV/JSONL/Parquet file of past leads (default: the store).")
    ] = None,
    target: Annotated[str | None, typer.Option(help="The outcome column of --data (won/lost, 1/0, yes/no).")] = None,
    id_column: Annotated[str | None, typer.Option("--id", help="An id column of --data (never a feature).")] = None,
    time_column: Annotated[str | None, typer.Option(help="Split by this time column (newest 20% tested).")] = None,
    exclude: Annotated[
        list[str] | None, typer.Option(help="Columns written after the outcome: never features.")
    ] = None,
    allow: Annotated[list[str] | None, typer.Option(help="Keep these even if they look like leaks.")] = None,
    model: Annotated[str, typer.Option(help="logreg (default) or gbm.")] = "logreg",
    name: Annotated[str | None, typer.Option(help="The model's name (default: scoring.model.name).")] = None,
) -> None:
    """Train a calibrated classifier; the report names the leaks it dropped. Approve it to score with it."""
    from flows.cli import EXIT_BAD_CONFIG, EXIT_RUN_FAILED, _default_config, _load, err, out
    from flows.model_train import model_train

    path = config or _default_config()
    _load(path, check_sources=False)
    if data is not None and not target:
        err.print("[red]--data needs --target: the column holding the outcome[/red]")
        raise typer.Exit(EXIT_BAD_CONFIG)
    options = {
        "data": str(data) if data else None,
        "target": target,
        "id": id_column,
        "time_column": time_column,
        "exclude": exclude or [],
        "allow": allow or [],
        "model": model,
        "name": name,
    }
    try:
        report = model_train(config_path=str(Path(path).resolve()), options=options)
    except Exception as exc:  # noqa: BLE001 - shown to the user, with the cause
        err.print(f"[red]training failed: {exc}[/red]", highlight=False)
        raise typer.Exit(EXIT_RUN_FAILED) from None
    test = report["test"]
    out.print(
        f"Model {report['model_id']} ({report['kind']}): held-out ROC AUC {test['roc_auc']}, "
        f"precision {test['precision_at_threshold']} and recall {test['recall_at_threshold']} at "
        f"{test['threshold']}; split {report['split']}."
    )
    for leak in report["leakage"]:
        verdict = "kept (--allow)" if leak["allowed"] else "dropped"
        out.print(
            f"[yellow]Leak: {leak['feature']} alone separates the classes (AUC {leak['auc']}): {verdict}[/yellow]"
        )
    out.print(f"Approve it for scoring: leads model approve {report['model_id']}")


@app.command("list")
def list_command(config: ConfigOption = None) -> None:
    """Trained models, newest first, with their held-out figures and which one is approved."""
    from connectors.store.models import listed
    from flows.cli import _default_config, _load, out
    from tasks.context import build_context

    ctx = build_context(_load(config or _default_config(), check_sources=False), "model-list")
    table = Table(title="Scoring models")
    for column in ("model", "name", "kind", "trained (UTC)", "ROC AUC", "leaks dropped", "approved"):
        table.add_column(column)
    for row in listed(ctx.engine()):
        leaks = [leak["feature"] for leak in row.report.get("leakage", []) if not leak["allowed"]]
        table.add_row(
            row.model_id,
            row.name,
            row.kind,
            f"{row.trained_at:%Y-%m-%d %H:%M}",
            str(row.report["test"]["roc_auc"]),
            ", ".join(leaks) or "-",
            "yes" if row.approved else "",
        )
    out.print(table)


@app.command("approve")
def approve_command(
    model_id: Annotated[str, typer.Argument(help="The model to score with.")], config: ConfigOption = None
) -> None:
    """Score with this model from the next run on (and with no other version of its name)."""
    from connectors.store.models import ModelMissing, approve
    from flows.cli import EXIT_BAD_CONFIG, _default_config, _load, err, out
    from tasks.context import build_context

    ctx = build_context(_load(config or _default_config(), check_sources=False), "model-approve")
    try:
        name = approve(ctx.engine(), model_id)
    except ModelMissing as exc:
        err.print(f"[red]{exc}[/red]")
        raise typer.Exit(EXIT_BAD_CONFIG) from None
    out.print(f"Model {model_id} is now the approved {name!r} model; the next run scores with it.")
