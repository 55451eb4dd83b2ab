"""The run record: counts per stage in the runs table, a markdown artifact and files on disk.

Nothing personal goes into any of them: counts, ids of runs, positions in files, masked errors.
"""

from __future__ import annotations

import json
from typing import Any

from prefect import task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE

from connectors.store.engine import safe_url
from connectors.store.runs import finish_run
from leads.masking import mask_text
from tasks.context import RunContext

SUMMARY_KEY = "lead-sync-summary"


def _table(headers: list[str], rows: list[list[Any]]) -> list[str]:
    out = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    out += ["| " + " | ".join("" if v is None else str(v) for v in row) + " |" for row in rows]
    return out


def summary_markdown(run_id: str, status: str, counts: dict[str, Any], store: str, run_dir: str) -> str:
    dry = " (dry run: nothing written to sinks)" if counts.get("dry_run") else ""
    lines = [f"# Lead sync {status}{dry}", "", f"Run `{run_id}`", "", "## Sources", ""]
    lines += _table(
        [
            "source",
            "status",
            "read",
            "new",
            "changed",
            "unchanged",
            "skipped by cursor",
            "quarantined (new)",
            "watermark",
            "seconds",
        ],
        [
            [
                name,
                c.get("status"),
                c.get("read"),
                c.get("new"),
                c.get("changed"),
                c.get("unchanged"),
                c.get("skipped_by_cursor"),
                f"{c.get('quarantined', 0)} ({c.get('quarantined_new', 0)})",
                c.get("watermark"),
                c.get("seconds"),
            ]
            for name, c in counts.get("sources", {}).items()
        ],
    )
    norm = counts.get("normalize") or {}
    lines += ["", "## Normalize", ""]
    lines += _table(
        ["records", "rejected", "leads created", "leads updated", "leads unchanged", "leads retired", "seconds"],
        [
            [
                norm.get(k)
                for k in (
                    "records",
                    "rejected",
                    "leads_created",
                    "leads_updated",
                    "leads_unchanged",
                    "leads_retired",
                    "seconds",
                )
            ]
        ],
    )
    lines += ["", "## Sinks", ""]
    lines += _table(
        ["sink", "status", "pending", "created", "updated", "unchanged", "rejected", "seconds"],
        [
            [
                name,
                c.get("status"),
                c.get("pending"),
                c.get("created"),
                c.get("updated"),
                c.get("unchanged"),
                c.get("rejected"),
                c.get("seconds"),
            ]
            for name, c in counts.get("sinks", {}).items()
        ],
    )
    problems = counts.get("problems") or []
    if problems:
        lines += ["", "## Problems", "", *(f"- {mask_text(p)}" for p in problems)]
    lines += [
        "",
        "## Where to look",
        "",
        f"- store: `{store}`",
        f"- run files: `{run_dir}`",
        "- quarantine and pending syncs: `leads status`",
    ]
    return "\n".join(lines) + "\n"


def publish(ctx: RunContext, status: str, counts: dict[str, Any], error: str | None = None) -> str:
    """Record the run's outcome in the store, as an artifact and under the run directory."""
    store = safe_url(ctx.store_url.get_secret_value())
    markdown = summary_markdown(ctx.run_id, status, counts, store, str(ctx.run_dir))
    finish_run(ctx.engine(), ctx.run_id, status, counts, ctx.now(), mask_text(error) if error else None)
    ctx.run_dir.mkdir(parents=True, exist_ok=True)
    (ctx.run_dir / "summary.md").write_text(markdown, encoding="utf-8")
    (ctx.run_dir / "summary.json").write_text(
        json.dumps({"run_id": ctx.run_id, "status": status, **counts}, indent=2, default=str), encoding="utf-8"
    )
    create_markdown_artifact(markdown, key=SUMMARY_KEY, description=f"Lead sync {status}: counts per source and stage")
    return markdown


@task(name="publish-run-summary", cache_policy=NO_CACHE)
def publish_summary(ctx: RunContext, status: str, counts: dict[str, Any], error: str | None = None) -> str:
    return publish(ctx, status, counts, error)


def collect(futures: dict[str, Any], problems: list[str]) -> dict[str, dict[str, Any]]:
    """Wait for per-source or per-sink task futures; a failed one is recorded, not raised."""
    results: dict[str, dict[str, Any]] = {}
    for name, future in futures.items():
        try:
            results[name] = future.result()
        except Exception as exc:  # noqa: BLE001 - one failed source must not hide the others
            results[name] = {"status": "failed", "error": mask_text(str(exc))}
            problems.append(mask_text(f"{name}: {type(exc).__name__}: {exc}"))
        if results[name].get("status") == "busy":
            problems.extend(
                f"{name}: skipped, {p}" for p in results[name].get("problems") or results[name].get("errors") or []
            )
    return results


def run_status(counts: dict[str, Any]) -> str:
    stages = [*counts.get("sources", {}).values(), counts.get("normalize") or {}, *counts.get("sinks", {}).values()]
    return "failed" if any(s.get("status") == "failed" for s in stages) else "completed"
