"""Benchmark: scoring N generated leads, rule-based and with a trained model.

The leads carry the fields the bundled `leads.yaml` scores on (seniority, employee range,
industry, country, email class, job title, company domain, do-not-contact) drawn from realistic
distributions, and 0-12 engagement events each over the last 90 days. Each pass runs in a fresh
subprocess pinned to one core, so its peak RSS is its own:

- `rules`: `leads.scoring.score` per lead with the example config's criteria, events, grades and
  a 14-day half-life (so decay arithmetic is paid), in chunks of 5,000 as the score stage does;
- `model`: `TrainedModel.predict` (logistic regression trained beforehand on 20,000 generated
  leads with a known signal, not timed) on the same leads in chunks of 5,000, with the top
  contributing features of every lead.

Leads are generated inside the pass (not timed); the reported memory is the pass's peak RSS and
its growth over the generated data, in bytes per lead.

    .venv/bin/python bench/scoring.py --leads 100000 1000000 [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CHUNK = 5000
NOW = datetime(2026, 11, 30, tzinfo=UTC)
SENIORITY = ["entry", "manager", "director", "vp", "cxo", "owner", None]
RANGES = ["1-10", "11-50", "51-200", "201-500", "501-1000", "1001-5000", "5001-10000", "10001+", None]
INDUSTRIES = ["software development", "financial services", "retail", "marketing services", "logistics", None]
COUNTRIES = ["US", "GB", "DE", "FR", "ES", "NL", "IN", "BR", None]
CLASSES = ["corporate", "corporate", "corporate", "free", "disposable", None]
TITLES = ["Head of Sales", "Student", "VP Marketing", "Engineer", "CEO", "Intern", "Operations Manager"]
KINDS = ["form_fill", "page_view", "page_view", "page_view", "email_open", "email_click", "meeting", "call"]


def rss_bytes() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def generate(n: int, seed: int) -> tuple[list[dict], list[list]]:
    import numpy as np

    from leads.scoring import Event

    rng = np.random.default_rng(seed)
    pick = {name: rng.integers(0, len(choices), n) for name, choices in _columns().items()}
    dnc = rng.random(n) < 0.03
    counts = rng.poisson(3, n).clip(0, 12)
    values, events = [], []
    for i in range(n):
        row = {name: choices[pick[name][i]] for name, choices in _columns().items()}
        row["company_domain"] = "leadflow.example" if i % 997 == 0 else f"corp{i % 5000}.example"
        row["do_not_contact"] = bool(dnc[i])
        values.append(row)
        ages = rng.integers(0, 90 * 24, counts[i])
        kinds = rng.integers(0, len(KINDS), counts[i])
        events.append([Event(KINDS[k], NOW - timedelta(hours=int(a))) for k, a in zip(kinds, ages, strict=True)])
    return values, events


def _columns() -> dict[str, list]:
    return {
        "seniority": SENIORITY,
        "employee_range": RANGES,
        "industry": INDUSTRIES,
        "country_code": COUNTRIES,
        "email_class": CLASSES,
        "job_title": TITLES,
    }


def scoring_config():
    from leads.config import load_config

    config = load_config(ROOT / "leads.yaml").scoring
    engagement = config.engagement.model_copy(update={"half_life": timedelta(days=14)})
    return config.model_copy(update={"engagement": engagement})


def trained_model():
    import numpy as np
    import pandas as pd

    from leads.predictive.model import train

    values, _ = generate(20000, seed=11)
    frame = pd.DataFrame.from_records(values)
    rng = np.random.default_rng(5)
    logit = -1.0 + frame["seniority"].isin(["vp", "cxo", "director"]) * 1.5 + (frame["email_class"] == "corporate")
    frame["outcome"] = np.where(rng.random(len(frame)) < 1 / (1 + np.exp(-logit)), "won", "lost")
    frame["created_at"] = pd.date_range("2025-01-01", periods=len(frame), freq="15min").astype(str)
    return train(frame, "outcome", time_column="created_at")


def run_pass(kind: str, n: int) -> dict:
    """One pass, in this process (called in the child)."""
    from leads.scoring import score

    model = trained_model() if kind == "model" else None
    config = scoring_config()
    values, events = generate(n, seed=1)
    base = rss_bytes()
    grades: dict[str, int] = {}
    started = time.perf_counter()
    for start in range(0, n, CHUNK):
        rows = values[start : start + CHUNK]
        if model is not None:
            predictions = model.predict(rows)
            assert len(predictions) == len(rows)
            continue
        for row, evs in zip(rows, events[start : start + CHUNK], strict=True):
            result = score(row, evs, config, NOW)
            grades[result.grade] = grades.get(result.grade, 0) + 1
    seconds = time.perf_counter() - started
    peak = rss_bytes()
    return {
        "pass": kind,
        "leads": n,
        "seconds": round(seconds, 2),
        "leads_per_s": round(n / seconds),
        "peak_rss_mb": round(peak / 2**20),
        "growth_bytes_per_lead": round((peak - base) / n),
        "grades": dict(sorted(grades.items())) if grades else None,
    }


def child(kind: str, n: int) -> dict:
    cmd = [sys.executable, __file__, "--child", kind, "--leads", str(n)]
    pin = ["taskset", "-c", "0"] if sys.platform.startswith("linux") else []
    out = subprocess.run(pin + cmd, check=True, capture_output=True, text=True, cwd=ROOT)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--leads", type=int, nargs="+", default=[100000])
    parser.add_argument("--child", choices=["rules", "model"])
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(run_pass(args.child, args.leads[0])))
        return
    results = [child(kind, n) for n in args.leads for kind in ("rules", "model")]
    machine = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    print(f"Scoring benchmark ({machine}; one core per pass)")
    print(f"{'pass':<6} {'leads':>9} {'seconds':>8} {'leads/s':>9} {'peak RSS MB':>12} {'B/lead':>7}")
    for r in results:
        print(
            f"{r['pass']:<6} {r['leads']:>9,} {r['seconds']:>8} {r['leads_per_s']:>9,} "
            f"{r['peak_rss_mb']:>12} {r['growth_bytes_per_lead']:>7}"
        )
    if args.json:
        args.json.write_text(json.dumps({"machine": machine, "results": results}, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
