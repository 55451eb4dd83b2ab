"""The run record: counts per stage in the runs table, a markdown artifact and files on disk.

Nothing personal goes into any of them: counts, ids of runs, positions in files, masked errors.
"""

from __future__ import annotations

import json
from typing import Any

from prefect import task
from prefect.artifacts import create_link_artifact, create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NO_CACHE

from connectors.store.engine import safe_url
from connectors.store.runs import finish_run
from connectors.store.stats import quarantine_reasons, run_history
from leads.masking import mask_text
from tasks.context import RunContext
from tasks.handoff_report import handoff_markdown, publish_handoff_artifacts

SUMMARY_KEY = "lead-sync-summary"
QUARANTINE_KEY = "lead-sync-quarantine-reasons"
REPORT_KEY = "lead-sync-report"


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
    lines += _quality_section(counts)
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
    lines += _sink_fields_section(counts)
    lines += handoff_markdown(counts)
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


def _sink_fields_section(counts: dict[str, Any]) -> list[str]:
    """Per CRM sink: how many leads each field was written for (or would be, in a dry run), and why
    CRM values were left alone. Field names and counts only: no values."""
    lines: list[str] = []
    for name, c in (counts.get("sinks") or {}).items():
        changed, kept = c.get("changed_fields") or {}, c.get("kept_fields") or {}
        if not changed and not kept:
            continue
        verb = "would write" if counts.get("dry_run") else "wrote"
        lines += ["", f"### {name}: fields", ""]
        lines += _table(["field", f"leads it {verb}"], [[f, n] for f, n in sorted(changed.items())])
        if kept:
            lines += ["", "CRM values left as they were:", ""]
            lines += _table(["why", "fields"], [[why, n] for why, n in sorted(kept.items())])
        if c.get("requests"):
            lines += ["", "Requests: " + ", ".join(f"`{path}` {n}" for path, n in sorted(c["requests"].items()))]
    return lines


def _quality_section(counts: dict[str, Any]) -> list[str]:
    lines: list[str] = []
    gates = counts.get("gates") or []
    if gates:
        tripped = [g for g in gates if g["tripped"]]
        verdict = f"{len(tripped)} of {len(gates)} tripped" + (": nothing was synced." if tripped else ".")
        lines += ["", "## Gates", "", verdict, ""]
        lines += _table(
            ["gate", "scope", "tripped", "detail"],
            [[g["gate"], g["scope"], "**yes**" if g["tripped"] else "no", mask_text(g["detail"])] for g in gates],
        )
    for suite, scopes in (counts.get("validation") or {}).items():
        lines += ["", f"## Data quality: {suite}", ""]
        rows = []
        for scope, t in scopes.items():
            failed = [
                f"{e['reason']} ({e['unexpected']})" for e in t["expectations"] if e["unexpected"] or not e["passed"]
            ]
            rows.append([scope, t["rows"], t["quarantined"], f"{t['share']:.1%}", "; ".join(failed) or "none"])
        lines += _table(["scope", "rows", "quarantined", "share", "failed expectations"], rows)
    return lines


def publish(ctx: RunContext, status: str, counts: dict[str, Any], error: str | None = None) -> str:
    """Record the run's outcome in the store, as artifacts and as files under the run directory."""
    from tasks.html_report import render_run_report

    store = safe_url(ctx.store_url.get_secret_value())
    with ctx.engine().connect() as conn:
        reasons = [{**r, "reason": mask_text(r["reason"])} for r in quarantine_reasons(conn, ctx.run_id)]
    counts = {**counts, "quarantine_reasons": reasons, "stage_seconds": _stage_seconds(counts)}
    markdown = summary_markdown(ctx.run_id, status, counts, store, str(ctx.run_dir))
    finish_run(ctx.engine(), ctx.run_id, status, counts, ctx.now(), mask_text(error) if error else None)
    with ctx.engine().connect() as conn:
        history = run_history(conn)
    ctx.run_dir.mkdir(parents=True, exist_ok=True)
    (ctx.run_dir / "summary.md").write_text(markdown, encoding="utf-8")
    summary = {"run_id": ctx.run_id, "status": status, **counts}
    (ctx.run_dir / "summary.json").write_text(json.dumps(summary, indent=2, default=str), encoding="utf-8")
    report = ctx.run_dir / "report.html"
    report.write_text(render_run_report(ctx.run_id, status, counts, history), encoding="utf-8")

    create_markdown_artifact(markdown, key=SUMMARY_KEY, description=f"Lead sync {status}: counts per source and stage")
    if reasons:
        create_table_artifact(reasons, key=QUARANTINE_KEY, description="Rows quarantined by this run, by reason")
    create_link_artifact(report.resolve().as_uri(), link_text="Run report (HTML, works offline)", key=REPORT_KEY)
    publish_handoff_artifacts(counts)
    return markdown


def _stage_seconds(counts: dict[str, Any]) -> dict[str, float]:
    """Seconds per stage; stages that ran per source or sink in parallel count their longest."""
    sources = [float(c.get("seconds") or 0) for c in counts.get("sources", {}).values()]
    sinks = [float(c.get("seconds") or 0) for c in counts.get("sinks", {}).values()]
    return {
        "extract": max(sources, default=0.0),
        "validate": sum((counts.get("validation_seconds") or {}).values()),
        "normalize": float((counts.get("normalize") or {}).get("seconds") or 0),
        "sync": max(sinks, default=0.0),
    }


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
    """failed: a stage failed; gated: a gate tripped (nothing was synced); else completed."""
    stages = [
        *counts.get("sources", {}).values(),
        counts.get("normalize") or {},
        counts.get("enrich") or {},
        counts.get("score") or {},
        counts.get("route") or {},
        counts.get("handoff") or {},
        *counts.get("sinks", {}).values(),
    ]
    if any(s.get("status") == "failed" for s in stages):
        return "failed"
    return "gated" if any(g["tripped"] for g in counts.get("gates", [])) else "completed"


def gate_problems(gates: list[dict[str, Any]]) -> list[str]:
    """A problem line per tripped gate, for the run's summary and its failure message."""
    return [f"gate {g['gate']} tripped for {g['scope']}: {g['detail']}" for g in gates if g["tripped"]]


def may_sync(counts: dict[str, Any]) -> bool:
    """Sinks are written unless a gate tripped or normalization failed (a failed source alone
    does not stop the others: its leads simply are not refreshed)."""
    gated = any(g["tripped"] for g in counts.get("gates", []))
    return not gated and (counts.get("normalize") or {}).get("status") != "failed"


def validation_counts(results: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """From the validation tasks' results (one per source, one for leads): `validation` as
    {suite: {scope: tally}}, and `validation_seconds` per scope."""
    merged: dict[str, dict[str, Any]] = {}
    for scope, result in results.items():
        for suite, tally in (result.get("suites") or {}).items():
            merged.setdefault(suite, {})[scope] = tally
    seconds = {scope: float(result.get("seconds") or 0) for scope, result in results.items()}
    return {"validation": merged, "validation_seconds": seconds}
