"""CRM sources benchmark: HubSpot contacts and Salesforce leads from loopback fakes that enforce the limits.

    .venv/bin/python bench/crm_sources.py                        # 100,000 of each, time scale 4
    .venv/bin/python bench/crm_sources.py --records 10000 --time-scale 10 --no-record

The fakes (tests/fakes/hubspot, tests/fakes/salesforce) run as real HTTP servers on 127.0.0.1 in
processes of their own and enforce HubSpot's documented limits: 100 requests per rolling 10 s
(Starter) and 5 per second for search. `--time-scale S` divides every window by S on both sides
(the fake's windows and our configured limits), so a run takes 1/S of the real time; it is
reported with every result, and S = 1 is HubSpot's own speed.

Steps per size: seed the fakes (not timed); a **full** extract of each source into an empty SQLite
store (the stage function `tasks.extract.extract`, no Prefect); a **write-back** of every record
(bench/crm_writeback.py: what a CRM sink's writes leave behind, each written record's modified
stamp moved); **1 % real changes** by sales reps; an **incremental** extract. Reported: wall time,
requests (counted by the fakes), requests per 100 records, the share of HubSpot's limits used
while its extract ran, 429s drawn, and the incremental run's requests as a share of the full run's.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path[:0] = [str(ROOT), str(BENCH)]

from crm_data import seed_hubspot, seed_salesforce  # noqa: E402
from crm_writeback import write_back_hubspot, write_back_salesforce  # noqa: E402
from loopback_runs import run_sizes, timed_extract, write_config  # noqa: E402

from flows import settings_defaults  # noqa: E402

settings_defaults.apply()

from tasks.prepare import prepare  # noqa: E402
from tests.fakes.loopback import LoopbackServer  # noqa: E402

RESULTS = BENCH / "RESULTS.md"
CREDENTIALS = {
    "HUBSPOT_TOKEN": "pat-na1-test-token",
    "SF_CLIENT_SECRET": "fake-client-secret",
    "SF_REFRESH_TOKEN": "5Aep861fake.refresh.token",
}


def config(workdir: Path, hubspot_url: str, salesforce_url: str, scale: float) -> Path:
    def per(seconds: float) -> str:
        return f"{round(seconds * 1000 / scale)}ms"

    data = {
        "store": {"url": f"sqlite:///{workdir / 'store.db'}"},
        "runs_dir": str(workdir / "runs"),
        "chunk_size": 5000,
        "enrichment": {"enabled": False},
        "sources": {
            "hubspot": {
                "type": "hubspot",
                "base_url": hubspot_url,
                "auth": {"token": {"env": "HUBSPOT_TOKEN"}},
                "rate_limit": {"requests": 100, "per": per(10)},
                "search_rate_limit": {"requests": 5, "per": per(1)},
                "lookback": "10m",
            },
            "salesforce": {
                "type": "salesforce",
                "login_url": salesforce_url,
                "base_url": salesforce_url,
                "auth": {
                    "client_id": "fake-client-id",
                    "client_secret": {"env": "SF_CLIENT_SECRET"},
                    "refresh_token": {"env": "SF_REFRESH_TOKEN"},
                },
                "objects": {"Lead": {"fields": ["Leads_Etl_Id__c"]}},
                "lookback": "2m",
            },
        },
    }
    return write_config(workdir, data)


def hubspot_share(usage_before: dict, usage_after: dict, seconds: float, scale: float) -> dict[str, float]:
    """Share of each HubSpot limit used over the extract's wall time (as the fake counted the requests)."""
    used = {
        policy: usage_after["policies"][policy]["used"] - usage_before["policies"][policy]["used"]
        for policy in ("SECONDLY", "TEN_SECONDLY_ROLLING")
    }
    search_capacity = 5 * scale * seconds
    general_capacity = 10 * scale * seconds
    return {
        "search": used["SECONDLY"] / search_capacity,
        "ten_secondly": used["TEN_SECONDLY_ROLLING"] / general_capacity,
        # Our limiter counts a search against both limits (HubSpot may); the busier of the two.
        "ours": (used["SECONDLY"] + used["TEN_SECONDLY_ROLLING"]) / general_capacity,
    }


def run_size(n: int, scale: float, seed: int) -> dict[str, Any]:
    os.environ.update(CREDENTIALS)
    out: dict[str, Any] = {"n": n, "scale": scale}
    # Both fakes start a day back, are seeded, then moved to the present: everything is a day old, so
    # the incremental run's lookback finds only what changed since, as on a nightly schedule.
    yesterday = (datetime.now(UTC) - timedelta(days=1)).isoformat()
    with (
        tempfile.TemporaryDirectory(prefix="crm-bench-") as tmp,
        LoopbackServer("tests.fakes.hubspot:FakeHubSpot", time_scale=scale, start_offset=-86400) as hubspot,
        LoopbackServer(
            "tests.fakes.salesforce:FakeSalesforce", daily_limit=10_000_000, start_at=yesterday
        ) as salesforce,
    ):
        salesforce.call("set_instance_url", salesforce.url)
        workdir = Path(tmp)
        started = time.perf_counter()
        day_ago = int((datetime.now(UTC) - timedelta(days=1)).timestamp() * 1000)
        contact_ids = seed_hubspot(hubspot, n, seed, day_ago)
        lead_ids = seed_salesforce(salesforce, n, seed)
        for fake in (hubspot, salesforce):
            fake.call("advance", 86400)
        out["seed_seconds"] = time.perf_counter() - started
        cfg = config(workdir, hubspot.url, salesforce.url, scale)

        usage = hubspot.call("usage")
        out["full_hubspot"] = timed_extract(cfg, "full", "hubspot", hubspot)
        out["full_hubspot"]["share"] = hubspot_share(
            usage, hubspot.call("usage"), out["full_hubspot"]["seconds"], scale
        )
        out["full_salesforce"] = timed_extract(cfg, "full", "salesforce", salesforce)

        ctx = prepare(str(cfg), "writeback", None, False)
        started = time.perf_counter()
        out["writeback_hubspot"] = write_back_hubspot(ctx, "hubspot", "writeback")
        out["writeback_salesforce"] = write_back_salesforce(ctx, "salesforce", "writeback")
        out["writeback_seconds"] = time.perf_counter() - started

        rng = random.Random(seed)
        changed = max(1, n // 100)
        rep = salesforce.call("add_record", "User", {"FirstName": "Rae", "LastName": "Rep", "Email": "r@s.example"})
        for contact_id in rng.sample(contact_ids, changed):
            hubspot.call("update_contact", contact_id, {"jobtitle": "Changed by a rep"})
        for lead_id in rng.sample(lead_ids, changed):
            salesforce.call("update_record", "Lead", lead_id, {"Title": "Changed by a rep"}, None, rep)
        out["changed"] = changed

        usage = hubspot.call("usage")
        out["incremental_hubspot"] = timed_extract(cfg, "incremental", "hubspot", hubspot)
        out["incremental_hubspot"]["share"] = hubspot_share(
            usage, hubspot.call("usage"), out["incremental_hubspot"]["seconds"], scale
        )
        out["incremental_salesforce"] = timed_extract(cfg, "incremental", "salesforce", salesforce)
        out["throttled"] = hubspot.call("throttled")
        out["throttled_where"] = sorted(
            {(r["method"], r["path"]) for r in hubspot.call("requests") if r["status"] == 429}
        )
        out["fake_stats"] = {"hubspot": hubspot.stats(), "salesforce": salesforce.stats()}
    return out


def report(r: dict[str, Any], host: dict[str, str], when: str, load: tuple[float, float]) -> str:
    n = r["n"]
    lines = [
        f"## CRM sources, N = {n:,} HubSpot contacts and {n:,} Salesforce leads: {when}, commit {host.pop('commit')}",
        "",
        f"Machine: {'; '.join(f'{k} {v}' for k, v in host.items())}; load average (1 min) {load[0]:.2f} at start, "
        f"{load[1]:.2f} at end. **Time scale {r['scale']:g}**: HubSpot's windows (100 per 10 s, search 5 per 1 s) "
        f"and our limits divided by {r['scale']:g} on both sides. Seeding the fakes took {r['seed_seconds']:.0f} s "
        "(not counted). Fakes: "
        + "; ".join(
            f"{name} {s['cpu_seconds']:.0f} CPU s, peak RSS {s['peak_rss_mib']:.0f} MiB"
            for name, s in r["fake_stats"].items()
        )
        + ".",
        "",
        "| run | source | read | new | changed | echoes | seconds | records/s | requests | requests per 100 read "
        "| search limit used | 10 s limit used | peak RSS MiB |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for run in ("full", "incremental"):
        for source in ("hubspot", "salesforce"):
            m = r[f"{run}_{source}"]
            c = m["counts"]
            share = m.get("share") or {}
            per100 = 100 * m["requests"] / c["read"] if c["read"] else float("nan")
            lines.append(
                f"| {run} | {source} | {c['read']:,} | {c['new']:,} | {c['changed']:,} | {c['echoes']:,} | "
                f"{m['seconds']:,.1f} | {c['read'] / m['seconds']:,.0f} | {m['requests']:,} | {per100:.2f} | "
                + (f"{share['search']:.0%} | {share['ten_secondly']:.0%} | " if share else " | | ")
                + f"{m['rss']:,.0f} |"
            )
    full = r["full_hubspot"]["requests"] + r["full_salesforce"]["requests"]
    incremental = r["incremental_hubspot"]["requests"] + r["incremental_salesforce"]["requests"]
    wb = r["writeback_hubspot"], r["writeback_salesforce"]
    lines += [
        "",
        f"Between the runs: a write-back of every record ({wb[0]['records']:,} contacts in {wb[0]['requests']:,} "
        f"requests, {wb[1]['records']:,} leads in {wb[1]['requests']:,}; {r['writeback_seconds']:.0f} s), then "
        f"{r['changed']:,} real changes per CRM by a sales rep. **Incremental requests: {incremental:,} = "
        f"{incremental / full:.1%} of the full run's {full:,}** (target ≤ 3 %). 429s drawn: {r['throttled']}"
        + (f" (at {', '.join(f'{m} {p}' for m, p in r['throttled_where'])})" if r["throttled"] else "")
        + ".",
    ]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--records", type=int, nargs="+", default=[100_000], help="records per CRM, per size")
    parser.add_argument("--time-scale", type=float, default=4.0, help="divide every rate-limit window by this")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--no-record", action="store_true", help="print only; do not append to RESULTS.md")
    args = parser.parse_args()
    run_sizes(args.records, lambda n: run_size(n, args.time_scale, args.seed), report, record=not args.no_record)


if __name__ == "__main__":
    main()
