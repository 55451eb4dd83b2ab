"""CRM sink benchmark: N leads synced to the loopback HubSpot fake, which enforces HubSpot's limits.

    .venv/bin/python bench/crm_sink.py                             # 100,000 leads, time scale 4
    .venv/bin/python bench/crm_sink.py --leads 10000 --no-record    # a quick look

The leads come from bench/generate.py's CRM export (a file source), landed and normalized first
(not timed). Then the sync stage's plain function (`tasks.sync.sync`, no Prefect) writes them to
HubSpot: a **full** sync into an empty account (every lead new: found by email first, then
created), then a **rerun** after 1% of the leads changed (new stage, status and title).

Reported: wall time, write and read calls per 100 leads synced (target: at most 1.01 writes), the
wall time HubSpot's 10-second limit allows for those calls at the least (the lower bound: calls /
limit), 429s drawn, and for the rerun the writes as a share of the changed leads' batches.
`--time-scale S` divides HubSpot's windows by S in the fake and in our limits alike.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path[:0] = [str(ROOT), str(BENCH)]

import yaml  # noqa: E402
from file_pipeline import rss_mib  # noqa: E402
from generate import CONFIG, generate  # noqa: E402
from loopback_runs import run_sizes, write_config  # noqa: E402

from flows import settings_defaults  # noqa: E402

settings_defaults.apply()

from tasks.extract import extract  # noqa: E402
from tasks.normalize import normalize  # noqa: E402
from tasks.prepare import prepare  # noqa: E402
from tasks.sync import sync  # noqa: E402
from tests.fakes.loopback import LoopbackServer  # noqa: E402

RESULTS = BENCH / "RESULTS.md"
WRITES = ("/crm/v3/objects/contacts/batch/update", "/crm/v3/objects/contacts/batch/upsert")
READS = ("/crm/v3/objects/contacts/batch/read",)


def config(workdir: Path, hubspot_url: str, scale: float) -> Path:
    data = yaml.safe_load(CONFIG)
    del data["sources"]["ad_leads"]
    data["enrichment"] = {"enabled": False}
    data["sinks"] = {
        "hubspot_out": {
            "type": "hubspot",
            "base_url": hubspot_url,
            "auth": {"token": {"env": "HUBSPOT_TOKEN"}},
            "rate_limit": {"requests": 100, "per": f"{round(10_000 / scale)}ms"},
            "min_stage": None,
        }
    }
    return write_config(workdir, data)


def calls(fake: LoopbackServer, paths: tuple[str, ...]) -> int:
    return sum(fake.call("count", None, p) for p in paths)


def timed_sync(cfg: Path, run_id: str, fake: LoopbackServer) -> dict[str, Any]:
    ctx = prepare(str(cfg), run_id, None, False)
    extract(ctx, "crm_contacts")
    normalize(ctx)
    before = {"writes": calls(fake, WRITES), "reads": calls(fake, READS), "all": fake.call("count")}
    started = time.perf_counter()
    counts = sync(ctx, "hubspot_out")
    seconds = time.perf_counter() - started
    return {
        "counts": counts,
        "seconds": seconds,
        "writes": calls(fake, WRITES) - before["writes"],
        "reads": calls(fake, READS) - before["reads"],
        "requests": fake.call("count") - before["all"],
        "rss": rss_mib(),
    }


def run_size(n: int, scale: float) -> dict[str, Any]:
    os.environ["HUBSPOT_TOKEN"] = "pat-na1-test-token"
    with (
        tempfile.TemporaryDirectory(prefix="sink-bench-") as tmp,
        LoopbackServer("tests.fakes.hubspot:FakeHubSpot", time_scale=scale) as hubspot,
    ):
        workdir = Path(tmp)
        generated = generate(workdir, n)
        cfg = config(workdir, hubspot.url, scale)
        full = timed_sync(cfg, "full", hubspot)
        shutil.copyfile(workdir / "crm_contacts.run2.csv", workdir / "crm_contacts.csv")
        rerun = timed_sync(cfg, "rerun", hubspot)
        return {
            "n": n,
            "scale": scale,
            "changed": generated["crm_changed"],
            "full": full,
            "rerun": rerun,
            "throttled": hubspot.call("throttled"),
            "fake": hubspot.stats(),
        }


def report(r: dict[str, Any], host: dict[str, str], when: str, load: tuple[float, float]) -> str:
    lines = [
        f"## CRM sink, N = {r['n']:,} leads to HubSpot: {when}, commit {host.pop('commit')}",
        "",
        f"Machine: {'; '.join(f'{k} {v}' for k, v in host.items())}; load average (1 min) {load[0]:.2f} at start, "
        f"{load[1]:.2f} at end. **Time scale {r['scale']:g}**: HubSpot's 100 requests per 10 s became 100 per "
        f"{10 / r['scale']:g} s, in the fake and in our limit. Fake: {r['fake']['cpu_seconds']:.0f} CPU s, peak RSS "
        f"{r['fake']['peak_rss_mib']:.0f} MiB.",
        "",
        "| run | leads pending | created | updated | rejected | seconds | writes | writes per 100 synced | reads "
        "| reads per 100 synced | all requests | lower bound s | peak RSS MiB |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for run in ("full", "rerun"):
        m, c = r[run], r[run]["counts"]
        synced = c["created"] + c["updated"]
        per = 100 / synced if synced else float("nan")
        bound = m["requests"] / (10 * r["scale"])
        lines.append(
            f"| {run} | {c['pending']:,} | {c['created']:,} | {c['updated']:,} | {c['rejected']:,} | "
            f"{m['seconds']:,.1f} | {m['writes']:,} | {m['writes'] * per:.2f} | {m['reads']:,} | "
            f"{m['reads'] * per:.2f} | {m['requests']:,} | {bound:,.1f} | {m['rss']:,.0f} |"
        )
    rerun = r["rerun"]
    lines += [
        "",
        f"The rerun came after {r['changed']:,} leads changed: {rerun['writes']} write calls for "
        f"{rerun['counts']['created'] + rerun['counts']['updated']:,} leads written (at most "
        f"{-(-r['changed'] // 100)} batches of 100 needed). 429s drawn: {r['throttled']}.",
    ]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--leads", type=int, nargs="+", default=[100_000])
    parser.add_argument("--time-scale", type=float, default=4.0)
    parser.add_argument("--no-record", action="store_true")
    args = parser.parse_args()
    run_sizes(args.leads, lambda n: run_size(n, args.time_scale), report, record=not args.no_record)


if __name__ == "__main__":
    main()
