"""What the loopback benchmarks (crm_sources, crm_sink, ad_sources) share: the config file, a timed
extract counted by the fake, and running each size then printing and recording its section."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml
from file_pipeline import machine, rss_mib

from tasks.extract import extract
from tasks.prepare import prepare
from tests.fakes.loopback import LoopbackServer

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"

Report = Callable[[dict[str, Any], dict[str, str], str, tuple[float, float]], str]


def write_config(workdir: Path, data: dict[str, Any]) -> Path:
    path = workdir / "leads.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def timed_extract(cfg: Path, run_id: str, source: str, fake: LoopbackServer) -> dict[str, Any]:
    """One source's extract (no Prefect), with the requests the fake counted during it."""
    ctx = prepare(str(cfg), f"{run_id}-{source}", None, False)
    before = fake.call("count")
    started = time.perf_counter()
    counts = extract(ctx, source)
    seconds = time.perf_counter() - started
    return {"counts": counts, "seconds": seconds, "requests": fake.call("count") - before, "rss": rss_mib()}


def run_sizes(sizes: list[int], run: Callable[[int], dict[str, Any]], report: Report, record: bool) -> None:
    """Run each size, print its section (with the machine and the load around it) and append it to
    RESULTS.md unless `record` is off."""
    for n in sizes:
        host, when = machine(), datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
        load_start = os.getloadavg()[0]
        result = run(n)
        section = report(result, host, when, (load_start, os.getloadavg()[0]))
        print("\n" + section, flush=True)
        if record:
            with RESULTS.open("a", encoding="utf-8") as fh:
                fh.write("\n" + section)
            print(f"appended to {RESULTS.relative_to(RESULTS.parent.parent)}", file=sys.stderr)
