"""Ad sources benchmark: Meta Lead Ads, Google Ads lead forms and LinkedIn Lead Sync from loopback fakes.

    .venv/bin/python bench/ad_sources.py                       # 100,000 leads across the three
    .venv/bin/python bench/ad_sources.py --leads 10000 --no-record

The fakes (tests/fakes/meta, google_ads, linkedin) run as real HTTP servers on 127.0.0.1 in
processes of their own, each holding a third of the leads (bench/ad_data.py: spread over the last
50 days, several forms and accounts per platform) and 30 days of spend per ad. Steps: seed (not
timed); a **full** extract of each source into an empty SQLite store (`tasks.extract.extract`, no
Prefect: leads and spend); then **an hour's worth** of new leads (0.1% of N per platform) and an
**hourly** extract. Reported per source and run: wall time, leads landed, requests (as the fakes
counted them) and requests per 100 leads, spend rows landed, and the fakes' CPU and memory.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path[:0] = [str(ROOT), str(BENCH)]

from ad_data import (  # noqa: E402
    GOOGLE_CUSTOMERS,
    GOOGLE_MANAGER,
    LINKEDIN_ACCOUNTS,
    META_ACCOUNT,
    META_PAGES,
    new_leads,
    seed_google,
    seed_linkedin,
    seed_meta,
)
from loopback_runs import run_sizes, timed_extract, write_config  # noqa: E402

from flows import settings_defaults  # noqa: E402

settings_defaults.apply()

from tests.fakes.loopback import LoopbackServer  # noqa: E402

RESULTS = BENCH / "RESULTS.md"
SOURCES = ("meta", "google_ads", "linkedin")
CREDENTIALS = {
    "META_TOKEN": "EAAGfake-system-user-token",
    "GOOGLE_CLIENT_SECRET": "gcs-secret",
    "GOOGLE_REFRESH_TOKEN": "1//0g-refresh",
    "GOOGLE_DEVELOPER_TOKEN": "dev-token-secret",
    "LINKEDIN_CLIENT_SECRET": "li-client-secret",
    "LINKEDIN_REFRESH_TOKEN": "AQX-li-refresh-token",
}


def config(workdir: Path, urls: dict[str, str]) -> Path:
    data = {
        "store": {"url": f"sqlite:///{workdir / 'store.db'}"},
        "runs_dir": str(workdir / "runs"),
        "chunk_size": 5000,
        "enrichment": {"enabled": False},
        "sources": {
            "meta": {
                "type": "meta",
                "base_url": urls["meta"],
                "auth": {"access_token": {"env": "META_TOKEN"}},
                "pages": META_PAGES,
                "ad_accounts": [f"act_{META_ACCOUNT}"],
            },
            "google_ads": {
                "type": "google_ads",
                "base_url": urls["google_ads"],
                "token_url": f"{urls['google_ads']}/token",
                "auth": {
                    "client_id": "fake-client.apps.googleusercontent.com",
                    "client_secret": {"env": "GOOGLE_CLIENT_SECRET"},
                    "refresh_token": {"env": "GOOGLE_REFRESH_TOKEN"},
                    "developer_token": {"env": "GOOGLE_DEVELOPER_TOKEN"},
                },
                "customer_ids": GOOGLE_CUSTOMERS,
                "login_customer_id": GOOGLE_MANAGER,
            },
            "linkedin": {
                "type": "linkedin",
                "base_url": urls["linkedin"],
                "token_url": f"{urls['linkedin']}/oauth/v2/accessToken",
                "auth": {
                    "client_id": "86fake",
                    "client_secret": {"env": "LINKEDIN_CLIENT_SECRET"},
                    "refresh_token": {"env": "LINKEDIN_REFRESH_TOKEN"},
                },
                "accounts": LINKEDIN_ACCOUNTS,
            },
        },
    }
    return write_config(workdir, data)


def run_size(n: int, seed: int) -> dict[str, Any]:
    os.environ.update(CREDENTIALS)
    third = n // 3
    out: dict[str, Any] = {"n": n}
    with (
        tempfile.TemporaryDirectory(prefix="ad-bench-") as tmp,
        LoopbackServer("tests.fakes.meta:FakeMeta") as meta,
        LoopbackServer("tests.fakes.google_ads:FakeGoogleAds") as google,
        LoopbackServer("tests.fakes.linkedin:FakeLinkedIn") as linkedin,
    ):
        fakes = {"meta": meta, "google_ads": google, "linkedin": linkedin}
        started = time.perf_counter()
        out["spend_seeded"] = {
            "meta": seed_meta(meta, n - 2 * third, seed),
            "google_ads": seed_google(google, third, seed),
            "linkedin": seed_linkedin(linkedin, third, seed),
        }
        out["seed_seconds"] = time.perf_counter() - started
        cfg = config(Path(tmp), {name: fake.url for name, fake in fakes.items()})
        for source in SOURCES:
            out[f"full_{source}"] = timed_extract(cfg, "full", source, fakes[source])
        out["hourly_new"] = max(1, n // 1000)
        new_leads(meta, google, linkedin, out["hourly_new"], seed)
        for source in SOURCES:
            out[f"hourly_{source}"] = timed_extract(cfg, "hourly", source, fakes[source])
        out["fake_stats"] = {name: fake.stats() for name, fake in fakes.items()}
    return out


def report(r: dict[str, Any], host: dict[str, str], when: str, load: tuple[float, float]) -> str:
    lines = [
        f"## Ad sources, N = {r['n']:,} leads from Meta, Google Ads, LinkedIn: {when}, commit {host.pop('commit')}",
        "",
        f"Machine: {'; '.join(f'{k} {v}' for k, v in host.items())}; load average (1 min) {load[0]:.2f} at start, "
        f"{load[1]:.2f} at end. Seeding the fakes took {r['seed_seconds']:.0f} s (not counted). Fakes: "
        + "; ".join(
            f"{name} {s['cpu_seconds']:.0f} CPU s, peak RSS {s['peak_rss_mib']:.0f} MiB"
            for name, s in r["fake_stats"].items()
        )
        + ".",
        "",
        "| run | source | leads read | new | skipped (test) | seconds | leads/s | requests | requests per 100 leads "
        "| spend rows | peak RSS MiB |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    totals = {"full": [0, 0, 0.0], "hourly": [0, 0, 0.0]}
    for run in ("full", "hourly"):
        for source in SOURCES:
            m = r[f"{run}_{source}"]
            c = m["counts"]
            spend = c["events"].get("spend", 0)
            leads = c["new"] + c["changed"] + c["unchanged"] + c["skipped_by_cursor"]
            per100 = 100 * m["requests"] / leads if leads else float("nan")
            totals[run][0] += leads
            totals[run][1] += m["requests"]
            totals[run][2] += m["seconds"]
            lines.append(
                f"| {run} | {source} | {leads:,} | {c['new']:,} | {c['skipped_by_cursor']:,} | {m['seconds']:,.1f} | "
                f"{leads / m['seconds']:,.0f} | {m['requests']:,} | {per100:.2f} | {spend:,} | {m['rss']:,.0f} |"
            )
    full, hourly = totals["full"], totals["hourly"]
    lines += [
        "",
        f"**Full: {full[0]:,} leads in {full[2]:.1f} s with {full[1]:,} requests, "
        f"{100 * full[1] / max(1, full[0]):.2f} per 100 leads** (spend included). Hourly, after "
        f"{r['hourly_new']:,} new leads per platform: {hourly[1]:,} requests in {hourly[2]:.1f} s. Spend rows seeded "
        f"(ad and day): "
        + ", ".join(f"{k} {v:,}" for k, v in r["spend_seeded"].items())
        + "; landed rows add a campaign row per day.",
    ]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--leads", type=int, nargs="+", default=[100_000], help="leads across the three, per size")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--no-record", action="store_true", help="print only; do not append to RESULTS.md")
    args = parser.parse_args()
    run_sizes(args.leads, lambda n: run_size(n, args.seed), report, record=not args.no_record)


if __name__ == "__main__":
    main()
