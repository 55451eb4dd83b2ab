"""End-to-end benchmark of the file pipeline: prepare → extract → normalize → enrich → sync, on our code only.

    .venv/bin/python bench/file_pipeline.py                    # N = 10,000 and 100,000
    .venv/bin/python bench/file_pipeline.py --leads 20000 --profile   # cProfile, nothing recorded

For each N the parent generates the exports (bench/generate.py) into a temp directory, then runs
the stages in a fresh subprocess, so each N's peak RSS starts from a clean process. The worker
calls the stages' plain functions (not the Prefect tasks) twice: a full run into an empty SQLite
store, then an incremental run over the same files with 1% of the CRM rows changed. It times
each stage with perf_counter and reads the process's peak RSS (getrusage ru_maxrss, monotonic)
after each. The parent prints one table per N and appends it to bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
RESULTS = BENCH / "RESULTS.md"
HEADER = """\
# Benchmark results

Appended by `bench/file_pipeline.py` (see bench/README.md). Rerun with:

    .venv/bin/python bench/file_pipeline.py --leads 10000 100000

What is measured: the plain stage functions (`prepare`, `extract` per source, `normalize`,
`sync`) on synthetic exports of N CRM contacts (CSV) plus 0.3·N Meta ad leads (JSONL, 20% of
them matching a CRM email), ~1% malformed rows and ~3% placeholder/invalid values, into a fresh
SQLite store with a `sql_table` sink. *full* is the first run into the empty store; *incremental*
reruns the same files with 1% of the CRM rows changed (newer Last Modified Date).
`rows` is what the stage processed (extract: lines read; normalize: records normalized; sync:
leads pending), `rows/s` = rows / seconds. `peak RSS` is the process's peak resident set after
the stage (monotonic; one fresh process per N, both runs in it), `+RSS` its growth in that stage.
`total` rows are the input rows of both files; its rows/s is the end-to-end leads/s.
"""


def rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def _validation_row(row: dict, counts: dict, first_call: bool) -> None:
    tallies = [t for scopes in [counts.get("suites", {})] for t in scopes.values()]
    row.update(
        rows=sum(t["rows"] for t in tallies),
        status=counts["status"],
        notes=f"quarantined {sum(t['quarantined'] for t in tallies):,}"
        + ("; includes importing Great Expectations once" if first_call else ""),
    )


def worker(workdir: Path, profile: bool) -> None:
    """Run both pipeline runs in this process; write result.json into workdir."""
    results: list[dict] = [{"run": "", "stage": "imports", "rss": None}]
    import_started = time.perf_counter()
    from tasks.enrich import enrich
    from tasks.extract import extract
    from tasks.normalize import normalize
    from tasks.prepare import prepare
    from tasks.sync import sync
    from tasks.validate import validate_leads, validate_records

    results[0].update(seconds=time.perf_counter() - import_started, rss=rss_mib())
    config = workdir / "leads.yaml"

    def timed(run: str, stage: str, fn, *args):
        started = time.perf_counter()
        out = fn(*args)
        row = {"run": run, "stage": stage, "seconds": time.perf_counter() - started, "rss": rss_mib()}
        results.append(row)
        print(f"  {run:<11} {stage:<24} {row['seconds']:8.2f} s  {row['rss']:7.1f} MiB", file=sys.stderr, flush=True)
        (workdir / "result.json").write_text(json.dumps(results), encoding="utf-8")  # kept if we are stopped
        return out, row

    def one_run(run: str) -> None:
        ctx, _ = timed(run, "prepare", prepare, str(config), f"bench-{run}", None, False)
        first = len(results) - 1
        for name in ctx.config.sources:
            c, row = timed(run, f"extract {name}", extract, ctx, name)
            row.update(
                rows=c["read"],
                status=c["status"],
                notes=(
                    f"new {c['new']:,}, changed {c['changed']:,}, unchanged {c['unchanged']:,}, "
                    f"skipped {c['skipped_by_cursor']:,}, quarantined {c['quarantined']:,}"
                ),
            )
        for name in ctx.config.sources:
            c, row = timed(run, f"validate {name}", validate_records, ctx, name)
            _validation_row(row, c, first_call=run == "full" and name == next(iter(ctx.config.sources)))
        c, row = timed(run, "normalize", normalize, ctx)
        row.update(
            rows=c["records"],
            status=c["status"],
            notes=(
                f"leads created {c['leads_created']:,}, updated {c['leads_updated']:,}, "
                f"unchanged {c['leads_unchanged']:,}, rejected {c['rejected']:,}"
            ),
        )
        c, row = timed(run, "enrich", enrich, ctx)
        row.update(
            rows=c["leads"],
            status=c["status"],
            notes=(
                f"enriched {c['enriched']:,}, reused {c['reused']:,}, skipped {sum(c['skipped'].values()):,}, "
                f"lookups {sum(u['lookups'] for u in c['providers'].values()):,}"
            ),
        )
        c, row = timed(run, "validate leads", validate_leads, ctx)
        _validation_row(row, c, first_call=False)
        for name in ctx.config.sinks:
            c, row = timed(run, f"sync {name}", sync, ctx, name)
            row.update(
                rows=c["pending"],
                status=c["status"],
                notes=(
                    f"created {c['created']:,}, updated {c['updated']:,}, unchanged {c['unchanged']:,}, "
                    f"rejected {c['rejected']:,}"
                ),
            )
        seconds = sum(r["seconds"] for r in results[first:])
        inputs = sum(r["rows"] for r in results[first:] if r["stage"].startswith("extract "))
        db_mib = (workdir / "store.db").stat().st_size / 2**20
        results.append(
            {
                "run": run,
                "stage": "total",
                "rows": inputs,
                "seconds": seconds,
                "rss": rss_mib(),
                "notes": f"store.db {db_mib:,.1f} MiB",
            }
        )

    def both() -> None:
        one_run("full")
        os.replace(workdir / "crm_contacts.run2.csv", workdir / "crm_contacts.csv")
        one_run("incremental")

    if profile:
        import cProfile
        import pstats

        profiler = cProfile.Profile()
        profiler.runcall(both)
        out = BENCH / "out" / f"profile-{workdir.name}.prof"
        out.parent.mkdir(exist_ok=True)
        profiler.dump_stats(out)
        print(f"profile written to {out}", file=sys.stderr)
        for key in ("tottime", "cumulative"):
            pstats.Stats(profiler, stream=sys.stderr).sort_stats(key).print_stats(30)
    else:
        both()
    (workdir / "result.json").write_text(json.dumps(results), encoding="utf-8")


def run_size(n: int, profile: bool, timeout: float | None) -> tuple[dict, list[dict]]:
    from generate import generate

    with tempfile.TemporaryDirectory(prefix=f"leads-bench-{n}-") as tmp:
        workdir = Path(tmp)
        started = time.perf_counter()
        info = generate(workdir, n)
        info["generate_s"] = time.perf_counter() - started
        info["crm_mib"] = (workdir / "crm_contacts.csv").stat().st_size / 2**20
        info["ad_mib"] = (workdir / "ad_leads.jsonl").stat().st_size / 2**20
        env = {
            **os.environ,
            "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
            "GX_ANALYTICS_ENABLED": "false",
            "PREFECT_HOME": str(workdir / "prefect"),
        }
        env.pop("LEADS_DATABASE_URL", None)  # it would replace the temp store
        cmd = [sys.executable, str(Path(__file__).resolve()), "--worker", str(workdir)]
        print(f"N={n:,}: generated in {info['generate_s']:.1f} s; running stages", file=sys.stderr, flush=True)
        info["load_start"] = os.getloadavg()[0]
        try:
            subprocess.run(cmd + (["--profile"] if profile else []), env=env, check=True, cwd=ROOT, timeout=timeout)
        except subprocess.TimeoutExpired:  # the child is killed; report the stages it finished
            info["stopped"] = f"stopped after {timeout:,.0f} s (--timeout); the stages below are those that finished"
        info["load_end"] = os.getloadavg()[0]
        result = workdir / "result.json"
        return info, json.loads(result.read_text(encoding="utf-8")) if result.exists() else []


def table(n: int, info: dict, rows: list[dict], host: dict[str, str], when: str) -> str:
    """One self-contained section: heading, machine and load, input, the stage table."""
    lines = [
        f"## N = {n:,} leads: {when}, commit {host.pop('commit')}",
        "",
        f"Machine: {'; '.join(f'{k} {v}' for k, v in host.items())}; "
        f"load average (1 min) {info['load_start']:.2f} at start, {info['load_end']:.2f} at end "
        "(the benchmark itself accounts for about 1; more means other processes competed for the CPU).",
        "",
        f"Input: crm_contacts.csv {info['crm_rows']:,} rows ({info['crm_mib']:.1f} MiB, "
        f"{info['crm_malformed']:,} malformed, {info['crm_changed']:,} changed for the incremental run); "
        f"ad_leads.jsonl {info['ad_rows']:,} rows ({info['ad_mib']:.1f} MiB). "
        f"Generated in {info['generate_s']:.1f} s (not counted).",
        *(["", f"**Incomplete: {info['stopped']}.**"] if info.get("stopped") else []),
        "",
        "| run | stage | rows | seconds | rows/s | peak RSS MiB | +RSS MiB | counts |",
        "|---|---|---:|---:|---:|---:|---:|---|",
    ]
    previous, growth = 0.0, []
    for r in rows:
        secs, count = r.get("seconds"), r.get("rows")
        rate = f"{count / secs:,.0f}" if count and secs else ""
        delta = r["rss"] - previous if r["stage"] != "total" else None
        if delta is not None:
            growth.append((delta, f"{r['run']} {r['stage']}".strip()))
            previous = r["rss"]
        notes = r.get("notes", "") + (f" **status {r['status']}**" if r.get("status", "ok") != "ok" else "")
        stage = f"**{r['stage']}**" if r["stage"] == "total" else r["stage"]
        lines.append(
            f"| {r['run']} | {stage} | {'' if count is None else f'{count:,}'} | {secs:,.2f} | {rate} | "
            f"{r['rss']:,.0f} | {'' if delta is None else f'{delta:+,.0f}'} | {notes} |"
        )
    top = sorted(growth, reverse=True)[:2]
    if top:
        lines += ["", "Peak RSS grows most in: " + "; ".join(f"{s} ({d:+,.0f} MiB)" for d, s in top) + "."]
    return "\n".join(lines) + "\n"


def machine() -> dict[str, str]:
    def read(path: str) -> str:
        try:
            return Path(path).read_text(encoding="utf-8")
        except OSError:
            return ""

    def field(path: str, key: str, sep: str) -> str:
        line = next((line for line in read(path).splitlines() if line.startswith(key)), sep)
        return line.split(sep, 1)[1].strip().strip('"')

    cpu = field("/proc/cpuinfo", "model name", ":") or platform.processor()
    mem_kib = int(field("/proc/meminfo", "MemTotal", ":").split()[0] or 0)
    os_name = field("/etc/os-release", "PRETTY_NAME", "=") or platform.system()

    def git(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True).stdout.strip()

    # bench/ itself is left out: RESULTS.md changes with every run.
    dirty = git("status", "--porcelain", "--untracked-files=no", "--", ".", ":!bench")
    dirty = " (with uncommitted changes)" if dirty else ""
    return {
        "commit": (git("rev-parse", "--short", "HEAD") or "unknown") + dirty,
        "CPU": f"{cpu}, {os.cpu_count()} cores, {mem_kib / 2**20:.1f} GiB memory",
        "Python": platform.python_version(),
        "SQLite": sqlite3.sqlite_version,
        "OS": f"{os_name} (kernel {platform.release()})",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--leads", type=int, nargs="+", default=[10_000, 100_000], help="CRM rows per size")
    parser.add_argument("--profile", action="store_true", help="run under cProfile; print hotspots; record nothing")
    parser.add_argument("--no-record", action="store_true", help="print only; do not append to RESULTS.md")
    parser.add_argument("--timeout", type=float, help="stop a size's run after this many seconds")
    parser.add_argument("--worker", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.worker, args.profile)
        return
    record = not (args.profile or args.no_record)
    for n in args.leads:
        host, when = machine(), datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")  # the code the worker imports
        info, rows = run_size(n, args.profile, args.timeout)
        section = table(n, info, rows, host, when)
        print("\n" + section, flush=True)
        if record:  # each size as soon as it is done, in one write, so a later failure loses nothing
            with RESULTS.open("a", encoding="utf-8") as fh:
                fh.write((HEADER if fh.tell() == 0 else "") + "\n" + section)
            print(f"appended to {RESULTS.relative_to(ROOT)}", file=sys.stderr)


if __name__ == "__main__":
    main()
