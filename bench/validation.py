"""Benchmark of data-quality validation: the Great Expectations suites on pandas chunks, as the pipeline runs them.

    .venv/bin/python bench/validation.py                          # N = 100,000 and 1,000,000
    .venv/bin/python bench/validation.py --leads 100000 --chunks 5000
    .venv/bin/python bench/validation.py --leads 100000 --chunks 5000 --profile   # cProfile, nothing recorded

For each N and chunk size the parent starts a fresh subprocess (so peak RSS is that run's own).
The worker

1. times the imports (pandas and our modules), then `import great_expectations`, then the first
   `validate_chunk` of every suite on a tiny frame (builds the ephemeral GX context and the
   validation definitions): paid once per process, reported apart from the throughput;
2. generates N landed records (N/1.3 CRM contacts, the rest Meta ad leads, each source validated
   separately as `tasks.validate.validate_records` does) and N golden leads, chunk by chunk with a
   fixed seed, never holding more than one chunk: frames with exactly the columns (and so the
   dtypes) of `tasks.validate.landed_frame` / `leads_frame`. About 1% of the rows carry exactly one
   defect that a quarantining expectation must catch: throwaway or test emails, web addresses in
   names, over-long names and job titles (landed records); digits or an @ in a name, a creation
   time in the future (leads). The planted rows are counted, so the quarantine count can be checked;
3. validates every chunk with every suite of its dataset through `expectations.runner.validate_chunk`
   and sums the outcomes in `leads.quality.SuiteTally`, exactly as `tasks.validate._run_suites`
   does (the `leads` suites get `latest_allowed_time` = now + 1 day as a pandas Timestamp).

Only `validate_chunk` plus the tally are timed; generating the rows and building the frames is
timed apart (not counted). Current RSS (/proc/self/statm) is read after 10% of each dataset's rows
and at its end, to show whether memory stays flat; peak RSS is getrusage ru_maxrss. The parent
prints one table per N and chunk size and appends it to bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
RESULTS = BENCH / "RESULTS.md"
SEED = 20240601
MARKER = "Appended by `bench/validation.py`"
INTRO = f"""\

# Validation benchmark (Great Expectations)

{MARKER} (see bench/README.md). Rerun with:

    .venv/bin/python bench/validation.py --leads 100000 1000000 --chunks 5000 20000

What is measured: `expectations.runner.validate_chunk` with every suite of `expectations/suites/`
on synthetic pandas chunks shaped exactly like `tasks.validate.landed_frame` (N landed records:
N/1.3 CRM contacts, the rest Meta ad leads, each source in its own chunks) and `leads_frame`
(N golden leads), with the outcomes summed in `SuiteTally` as `tasks.validate` does. ~1% of the
rows carry one planted defect; `quarantined` must equal `planted`. `seconds` covers validate_chunk
and the tally only (generating rows and building frames is listed apart, not counted); `setup` is
`import great_expectations` plus the first validate_chunk of each suite on a tiny frame (context and
validation definitions), paid once per process. `RSS @10%` / `RSS end` are the current resident set
after 10% of the suite's rows and at its end (flat memory: about equal); `peak` is ru_maxrss after
the suite's run (monotonic; one fresh process per N and chunk size).
"""

# Word lists for realistic values: the same as the file pipeline's exports.
sys.path.insert(0, str(BENCH))
from generate import (  # noqa: E402
    COUNTRIES,
    FIRST,
    LAST,
    ORIGINS,
    OWNERS,
    STAGES,
    STATUSES,
    TITLES,
    ad_attribution,
    make_companies,
    make_person,
)

STAGE_VALUES = ["subscriber", "lead", "mql", "sql", "opportunity", "customer"]
BASE = datetime(2023, 1, 1, tzinfo=UTC)
SPAM_URLS = ["www.cheap-meds.biz", "https://bit.ly/3xQz9", "http://win-a-prize.top", "WWW.CASINO-BONUS.NET"]
THROWAWAY = [
    "{local}@mailinator.com",
    "{local}@guerrillamail.info",
    "{local}@yopmail.fr",
    "{local}@sharklasers.com",
    "test{n}@{domain}",
    "TEST@{domain}",
    "{local}@example.com",
    "{local}@test.org",
]
BAD_RATE = 0.01
# A planted defect is named by the expectation that must catch it: "<expectation type>:<column>".
NO_MATCH = "expect_column_values_to_not_match_regex"
LENGTHS = "expect_column_value_lengths_to_be_between"


def rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # peak, KiB on Linux


def current_rss_mib() -> float:
    with open("/proc/self/statm", encoding="ascii") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


# --- synthetic rows -----------------------------------------------------------------------------


def _long_text(rng: random.Random, words: list[str], minimum: int) -> str:
    text = rng.choice(words)
    while len(text) <= minimum:
        text += " " + rng.choice(words)
    return text


def _person(rng: random.Random, i: int, known: list[tuple[str, str]]) -> tuple[str, str, str, str, str]:
    """A person as bench/generate.py makes them, with the email's domain (company or free-mail)."""
    first, last, email, company, _ = make_person(rng, i, known)
    return first, last, email, company, email.rsplit("@", 1)[1]


def landed_row(rng: random.Random, i: int, source: str, companies: list[tuple[str, str]]) -> tuple[dict, str | None]:
    """One landed record's mapped raw text (as `landed_frame` holds it) and its planted defect, if any.

    Every planted row has exactly one defect, so the quarantined count must equal the planted one.
    """
    first, last, email, company, domain = _person(rng, i, companies)
    created = BASE + timedelta(minutes=rng.randrange(700 * 24 * 60))
    if source == "crm_contacts":
        row = {
            "record_id": str(100_000_000 + i),
            "email": email,
            "first_name": first,
            "last_name": last,
            "phone": f"+1 {rng.randint(200, 999)}-555-{rng.randint(0, 9999):04d}" if rng.random() < 0.6 else None,
            "company": company,
            "website": f"https://www.{domain}" if rng.random() < 0.8 else None,
            "job_title": rng.choice(TITLES),
            "country": rng.choice(COUNTRIES),
            "lifecycle_stage": rng.choice(STAGES),
            "lead_status": rng.choice(STATUSES),
            "owner": rng.choice(OWNERS),
            "created_at": created.strftime("%Y-%m-%d %H:%M"),
            "source_system": "hubspot",
            "original_source": rng.choice(ORIGINS),
        }
        if rng.random() < 0.3:  # exports are sloppy: shouting, lowercase, stray spaces
            row["first_name"], row["last_name"] = first.upper(), last.lower()
    else:
        attribution = ad_attribution(rng)
        row = {
            "record_id": str(2_300_000_000_000_000 + i),
            "email": email if rng.random() < 0.97 else None,
            "full_name": rng.choice([f"{first} {last}", f"{first.lower()} {last.lower()}", f"Dr. {first} {last}"]),
            "phone": f"+1{rng.randint(200, 999)}555{rng.randint(0, 9999):04d}",
            "company": company if rng.random() < 0.6 else None,
            "job_title": rng.choice(TITLES) if rng.random() < 0.6 else None,
            "created_at": created.strftime("%Y-%m-%dT%H:%M:%S+0000"),
            "source_system": "meta_lead_ads",
            **attribution,
            "is_organic": str(rng.random() < 0.05),  # a JSON boolean, as `_text` turns it into text
            "platform": rng.choice(["fb", "ig"]),
        }
    if rng.random() >= BAD_RATE:
        return row, None
    name_fields = ["first_name", "last_name"] if source == "crm_contacts" else ["full_name"]
    kind = rng.choice(["email", "url", "long_name", "long_title"])
    if kind == "email":
        local = email.split("@")[0]
        row["email"] = rng.choice(THROWAWAY).format(local=local, n=rng.randrange(100), domain=domain)
        return row, f"{NO_MATCH}:email"
    if kind == "url":
        column = rng.choice(name_fields)
        row[column] = f"{row[column]} {rng.choice(SPAM_URLS)}"
        return row, f"{NO_MATCH}:{column}"
    if kind == "long_name" and source == "crm_contacts":
        column = rng.choice(name_fields)
        row[column] = _long_text(rng, FIRST if column == "first_name" else LAST, 100)
        return row, f"{LENGTHS}:{column}"
    row["job_title"] = _long_text(rng, TITLES, 200)
    return row, f"{LENGTHS}:job_title"


def lead_row(rng: random.Random, i: int, companies: list[tuple[str, str]], now: datetime) -> tuple[dict, str | None]:
    """One golden lead's valid values (as `leads_frame` holds them) and its planted defect, if any."""
    first, last, email, company, domain = _person(rng, i, companies)
    email = email if rng.random() < 0.95 else None
    phone = f"+1{rng.randint(200, 999)}555{rng.randint(0, 9999):04d}" if email is None or rng.random() < 0.5 else None
    from_ads = rng.random() < 0.25
    attribution = ad_attribution(rng)
    row = {
        "lead_id": hashlib.md5(f"lead-{i}".encode(), usedforsecurity=False).hexdigest(),  # a uuid5 hex
        "contact": email or phone,
        "email": email,
        "first_name": first,
        "last_name": last,
        "full_name": f"{first} {last}" if from_ads else None,
        "phone": phone,
        "company": company if rng.random() < 0.9 else None,
        "website": f"https://www.{domain}" if not from_ads and rng.random() < 0.8 else None,
        "job_title": rng.choice(TITLES) if rng.random() < 0.8 else None,
        "country": rng.choice(COUNTRIES) if not from_ads else None,
        "lifecycle_stage": rng.choice(STAGE_VALUES) if rng.random() < 0.97 else None,
        "lead_status": rng.choice(STATUSES) if not from_ads else None,
        "owner": rng.choice(OWNERS) if not from_ads else None,
        "created_at": BASE + timedelta(seconds=rng.randrange(700 * 86400)),
        "source_system": "meta_lead_ads" if from_ads else "hubspot",
        "original_source": rng.choice(ORIGINS) if not from_ads else None,
        "do_not_contact": rng.random() < 0.02 if rng.random() < 0.5 else None,
    }
    if from_ads:
        row.update(attribution, platform=rng.choice(["fb", "ig"]), is_organic=rng.random() < 0.05)
    if rng.random() >= BAD_RATE:
        return row, None
    kind = rng.choice(["first_name", "last_name", "created_at"])
    if kind == "created_at":
        row["created_at"] = now + timedelta(days=2 + rng.randrange(400), seconds=rng.randrange(86400))
        return row, "expect_column_values_to_be_between:created_at"
    row[kind] = rng.choice([f"{row[kind]}{rng.randrange(10, 99)}", f"{row[kind][0]}0{row[kind][2:]}", "a@b"])
    return row, f"{NO_MATCH}:{kind}"


def chunks(dataset: str, scope: str, rows: int, size: int, now: datetime) -> Iterator[tuple[object, dict, float]]:
    """(frame, planted defects by kind, seconds to generate and build) per chunk; one chunk in memory."""
    import pandas as pd

    from leads.fields import FIELD_NAMES

    rng = random.Random(f"{SEED}:{dataset}:{scope}")
    companies = make_companies(rng, 2000)
    for start in range(0, rows, size):
        started = time.perf_counter()
        planted: dict[str, int] = {}
        records = []
        for i in range(start, min(rows, start + size)):
            row, bad = (
                landed_row(rng, i, scope, companies)
                if dataset == "landed_records"
                else lead_row(rng, i, companies, now)
            )
            records.append(row)
            if bad:
                planted[bad] = planted.get(bad, 0) + 1
        # Built exactly as tasks.validate.landed_frame / leads_frame build theirs.
        if dataset == "landed_records":
            frame = pd.DataFrame.from_records(records, columns=["record_id", *FIELD_NAMES])
        else:
            frame = pd.DataFrame.from_records(records, columns=["lead_id", "contact", *FIELD_NAMES])
            frame["created_at"] = pd.to_datetime(frame["created_at"], utc=True)
        del records
        yield frame, planted, time.perf_counter() - started


# --- the worker (one fresh process per N and chunk size) ----------------------------------------


def results_kept() -> tuple[int, float] | None:
    """Validation results the runner's GX context keeps in its in-memory store: (count, MiB of JSON).

    Reads the runner's private state; a diagnostic only, None when the layout differs.
    """
    try:
        from expectations.runner import _state

        backend = _state["context"].validation_results_store._store_backend
        keys = [k for k in backend.list_keys() if k != backend.STORE_BACKEND_ID_KEY]
        return len(keys), sum(len(str(backend.get(k))) for k in keys) / 2**20
    except Exception:  # noqa: BLE001
        return None


def worker(workdir: Path, n: int, chunk_size: int, profile: bool) -> None:
    out = {"n": n, "chunk": chunk_size, "setup": {}, "suites": []}

    def save() -> None:  # after every step, so a stopped run keeps what it finished
        (workdir / "result.json").write_text(json.dumps(out), encoding="utf-8")

    started = time.perf_counter()
    import pandas as pd

    from expectations.runner import validate_chunk
    from expectations.suites import load_suites
    from leads.quality import ExpectationTally, SuiteTally

    out["setup"]["imports_s"] = time.perf_counter() - started
    out["setup"]["imports_rss"] = current_rss_mib()
    started = time.perf_counter()
    import great_expectations

    out["setup"]["gx_version"] = great_expectations.__version__
    out["setup"]["gx_import_s"] = time.perf_counter() - started
    out["setup"]["pandas_version"] = pd.__version__
    suites = load_suites()
    now = datetime.now(UTC)
    parameters = {"landed_records": {}, "leads": {"latest_allowed_time": pd.Timestamp(now + timedelta(days=1))}}
    id_column = {"landed_records": "record_id", "leads": "lead_id"}
    started = time.perf_counter()
    for dataset, scope in (("landed_records", "crm_contacts"), ("leads", "leads")):
        tiny, _, _ = next(chunks(dataset, scope, 3, 3, now))
        for suite in suites.get(dataset, []):
            validate_chunk(suite, tiny, id_column[dataset], parameters[dataset])
    out["setup"]["context_s"] = time.perf_counter() - started
    out["setup"]["rss"] = current_rss_mib()
    out["setup"]["peak"] = rss_mib()
    save()
    print(
        f"  setup: imports {out['setup']['imports_s']:.1f} s, import great_expectations "
        f"{out['setup']['gx_import_s']:.1f} s, context + definitions {out['setup']['context_s']:.1f} s",
        file=sys.stderr,
        flush=True,
    )

    landed = round(n / 1.3)
    plan = [
        ("landed_records", "crm_contacts", landed),
        ("landed_records", "ad_leads", n - landed),
        ("leads", "leads", n),
    ]

    def run_all() -> None:
        for dataset in ("landed_records", "leads"):
            scopes = [(scope, rows) for d, scope, rows in plan if d == dataset]
            for suite in suites.get(dataset, []):
                entry = {"suite": suite.name, "dataset": dataset, "rows": 0, "seconds": 0.0, "generate_s": 0.0}
                entry.update(calls=0, planted={}, scopes={}, rss_10=None, peak_10=None)
                out["suites"].append(entry)
                total = sum(rows for _, rows in scopes)
                for scope, rows in scopes:
                    tally = SuiteTally(
                        suite.name,
                        scope,
                        [
                            ExpectationTally(e.type, e.column, e.meta.reason, e.meta.quarantine, e.mostly)
                            for e in suite.expectations
                        ],
                    )
                    scope_planted = 0
                    for frame, planted, gen_s in chunks(dataset, scope, rows, chunk_size, now):
                        entry["generate_s"] += gen_s
                        t = time.perf_counter()
                        # As tasks.validate._run_suites: the distinct failing ids count as quarantined.
                        outcomes = validate_chunk(suite, frame, id_column[dataset], parameters[dataset])
                        failing: set[str] = set()
                        for outcome in outcomes:
                            failing.update(outcome.failing_ids)
                        tally.add_chunk(len(frame), outcomes, len(failing))
                        entry["seconds"] += time.perf_counter() - t
                        entry["rows"] += len(frame)
                        entry["calls"] += 1
                        for kind, count in planted.items():
                            entry["planted"][kind] = entry["planted"].get(kind, 0) + count
                            scope_planted += count
                        del frame, outcomes
                        if entry["rss_10"] is None and entry["rows"] >= total / 10:
                            entry["rss_10"], entry["peak_10"], entry["rows_10"] = (
                                current_rss_mib(),
                                rss_mib(),
                                entry["rows"],
                            )
                    entry["scopes"][scope] = {
                        "rows": tally.rows,
                        "quarantined": tally.quarantined,
                        "planted": scope_planted,
                        # Quarantining expectations: unexpected values, to check against the planted ones.
                        "unexpected": {
                            f"{e.expectation}:{e.column}": e.unexpected for e in tally.expectations if e.quarantine
                        },
                        # Gate-only expectations that failed: the synthetic data should pass them all.
                        "failed": [
                            f"{e.expectation}:{e.column} {e.unexpected:,}/{e.checked:,}"
                            for e in tally.expectations
                            if not e.quarantine and not e.passed
                        ],
                        "errors": sorted({e.error for e in tally.expectations if e.error}),
                    }
                    save()
                entry["quarantined"] = sum(s["quarantined"] for s in entry["scopes"].values())
                entry["unexpected"] = {
                    key: sum(s["unexpected"].get(key, 0) for s in entry["scopes"].values())
                    for key in {k for s in entry["scopes"].values() for k in s["unexpected"]}
                }
                entry["rss_end"], entry["peak"] = current_rss_mib(), rss_mib()
                entry["results_kept"] = results_kept()
                save()
                print(
                    f"  {suite.name:<18} {entry['rows']:>10,} rows {entry['seconds']:8.1f} s "
                    f"{entry['rows'] / entry['seconds']:9,.0f} rows/s  quarantined {entry['quarantined']:,} "
                    f"(planted {sum(entry['planted'].values()):,})  "
                    f"RSS {entry['rss_10']:.0f} → {entry['rss_end']:.0f} MiB, "
                    f"peak {entry['peak']:.0f} MiB",
                    file=sys.stderr,
                    flush=True,
                )

    if profile:
        import cProfile
        import pstats

        profiler = cProfile.Profile()
        profiler.runcall(run_all)
        path = BENCH / "out" / f"profile-validation-{n}-{chunk_size}.prof"
        path.parent.mkdir(exist_ok=True)
        profiler.dump_stats(path)
        print(f"profile written to {path}", file=sys.stderr)
        for key in ("tottime", "cumulative"):
            pstats.Stats(profiler, stream=sys.stderr).sort_stats(key).print_stats(35)
    else:
        run_all()
    save()


# --- the parent ---------------------------------------------------------------------------------


def run_one(n: int, chunk_size: int, profile: bool, timeout: float | None) -> dict:
    with tempfile.TemporaryDirectory(prefix=f"leads-validation-{n}-") as tmp:
        workdir = Path(tmp)
        env = {**os.environ, "GX_ANALYTICS_ENABLED": "false", "PREFECT_SERVER_ANALYTICS_ENABLED": "false"}
        cmd = [sys.executable, str(Path(__file__).resolve()), "--worker", str(workdir)]
        cmd += ["--leads", str(n), "--chunks", str(chunk_size)] + (["--profile"] if profile else [])
        print(f"N={n:,}, chunks of {chunk_size:,}: fresh process", file=sys.stderr, flush=True)
        info: dict = {"load_start": os.getloadavg()[0]}
        started = time.perf_counter()
        try:
            subprocess.run(cmd, env=env, check=True, cwd=ROOT, timeout=timeout)
        except subprocess.TimeoutExpired:  # the child is killed; report what it finished
            info["stopped"] = f"stopped after {timeout:,.0f} s (--timeout); the rows below are what had finished"
        info["wall_s"] = time.perf_counter() - started
        info["load_end"] = os.getloadavg()[0]
        result = workdir / "result.json"
        info["result"] = json.loads(result.read_text(encoding="utf-8")) if result.exists() else {}
        return info


def section(n: int, chunk_size: int, info: dict, host: dict[str, str], when: str) -> str:
    host = dict(host)
    res, setup = info["result"], info["result"].get("setup", {})
    lines = [
        f"## Validation, N = {n:,} rows per dataset, chunks of {chunk_size:,}: {when}, commit {host.pop('commit')}",
        "",
        f"Machine: {'; '.join(f'{k} {v}' for k, v in host.items())}; great_expectations "
        f"{setup.get('gx_version', '?')}, pandas {setup.get('pandas_version', '?')}; load average (1 min) "
        f"{info['load_start']:.2f} at start, {info['load_end']:.2f} at end (the benchmark itself accounts for "
        "about 1; more means other processes competed for the CPU).",
        "",
    ]
    if setup.get("context_s") is not None:
        lines += [
            f"Setup, counted once per process (GX import counted once per process, not in the rows/s): "
            f"pandas + our modules {setup['imports_s']:.2f} s ({setup['imports_rss']:.0f} MiB); "
            f"`import great_expectations` {setup['gx_import_s']:.2f} s; context + validation definitions "
            f"(first validate_chunk of each suite, tiny frame) {setup['context_s']:.2f} s; "
            f"RSS after setup {setup['rss']:.0f} MiB. Whole process {info['wall_s']:.0f} s wall.",
            "",
        ]
    if info.get("stopped"):
        lines += [f"**Incomplete: {info['stopped']}.**", ""]
    lines += [
        "| suite | dataset | rows | chunks | seconds | rows/s | ms/chunk | quarantined | planted | "
        "RSS @10% MiB | RSS end MiB | peak RSS MiB | generate s (not counted) | notes |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for s in res.get("suites", []):
        planted = sum(s["planted"].values())
        quarantined = s.get("quarantined", sum(x["quarantined"] for x in s["scopes"].values()))
        check = "matches" if quarantined == planted else f"**MISMATCH ({quarantined - planted:+,})**"
        unexpected = s.get("unexpected", {})
        wrong = [
            f"{key} {unexpected.get(key, 0):,} vs {s['planted'].get(key, 0):,} planted"
            for key in sorted(set(unexpected) | set(s["planted"]))
            if unexpected.get(key, 0) != s["planted"].get(key, 0)
        ]
        rules = f"per rule: **{'; '.join(wrong)}**" if wrong else f"each of {len(unexpected)} quarantine rules matches"
        scopes = ", ".join(f"{k} {v['rows']:,} rows / {v['quarantined']:,} quarantined" for k, v in s["scopes"].items())
        gated = sorted({f for v in s["scopes"].values() for f in v["failed"]})
        errors = sorted({e for v in s["scopes"].values() for e in v["errors"]})
        notes = "; ".join(
            x
            for x in (
                check,
                rules if "unexpected" in s else "",
                scopes if len(s["scopes"]) > 1 else "",
                (
                    f"the GX context now keeps {s['results_kept'][0]:,} validation results "
                    f"({s['results_kept'][1]:,.1f} MiB as JSON)"
                )
                if s.get("results_kept")
                else "",
                f"**gate-only expectations failing: {', '.join(gated)}**" if gated else "",
                f"**errors: {' | '.join(errors)}**" if errors else "",
                "" if "rss_end" in s else "**unfinished**",
            )
            if x
        )
        rate = s["rows"] / s["seconds"] if s["seconds"] else 0
        per_chunk = 1000 * s["seconds"] / s["calls"] if s["calls"] else 0
        lines.append(
            f"| {s['suite']} | {s['dataset']} | {s['rows']:,} | {s['calls']:,} | {s['seconds']:,.1f} | {rate:,.0f} | "
            f"{per_chunk:,.0f} | {quarantined:,} | {planted:,} | "
            f"{s['rss_10'] or 0:,.0f} | {s.get('rss_end', 0):,.0f} | {s.get('peak', 0):,.0f} | "
            f"{s['generate_s']:,.1f} | {notes} |"
        )
    return "\n".join(lines) + "\n"


def fixed_cost(runs: dict[tuple[int, int], dict]) -> str:
    """Split each suite's time into a per-call cost and a per-row cost, from two chunk sizes at one N."""
    out = []
    for n in sorted({n for n, _ in runs}):
        sizes = sorted(c for m, c in runs if m == n)
        if len(sizes) < 2:
            continue
        small, large = runs[(n, sizes[0])]["result"], runs[(n, sizes[-1])]["result"]
        for a in small.get("suites", []):
            b = next((s for s in large.get("suites", []) if s["suite"] == a["suite"]), None)
            if not b or "rss_end" not in a or "rss_end" not in b or a["calls"] == b["calls"]:
                continue
            per_call = (a["seconds"] - b["seconds"]) / (a["calls"] - b["calls"])
            per_row = (a["seconds"] - a["calls"] * per_call) / a["rows"]
            if per_call <= 0:
                out.append(f"{a['suite']} at N = {n:,}: not separable (the difference is within the noise)")
                continue
            if per_row < 0:  # the per-call cost explains all the time: the per-row cost is below the noise
                out.append(
                    f"{a['suite']} at N = {n:,}: ≈ {per_call * 1000:,.0f} ms per validate_chunk call, and a per-row "
                    f"cost too small to measure (chunks of {sizes[0]:,} vs {sizes[-1]:,})"
                )
                continue
            out.append(
                f"{a['suite']} at N = {n:,}: ≈ {per_call * 1000:,.0f} ms per validate_chunk call plus "
                f"{per_row * 1e6:,.1f} µs per row (from chunks of {sizes[0]:,} vs {sizes[-1]:,})"
            )
    return ("Fixed versus per-row cost: " + "; ".join(out) + ".\n") if out else ""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--leads", type=int, nargs="+", default=[100_000, 1_000_000], help="rows per dataset")
    parser.add_argument("--chunks", type=int, nargs="+", default=[5_000, 20_000], help="rows per chunk")
    parser.add_argument("--profile", action="store_true", help="run under cProfile; print hotspots; record nothing")
    parser.add_argument("--no-record", action="store_true", help="print only; do not append to RESULTS.md")
    parser.add_argument("--timeout", type=float, default=900, help="stop one run (N, chunk size) after this many s")
    parser.add_argument("--worker", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.worker, args.leads[0], args.chunks[0], args.profile)
        return
    from file_pipeline import machine  # commit (dirty outside bench/), CPU, memory, Python, OS

    record = not (args.profile or args.no_record)
    runs: dict[tuple[int, int], dict] = {}
    for n in args.leads:
        for chunk_size in args.chunks:
            host, when = machine(), datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
            info = run_one(n, chunk_size, args.profile, args.timeout)
            runs[(n, chunk_size)] = info
            text = section(n, chunk_size, info, host, when)
            if chunk_size == args.chunks[-1]:
                text += ("\n" + fixed_cost({k: v for k, v in runs.items() if k[0] == n})).rstrip("\n") + "\n"
            print("\n" + text, flush=True)
            if record:  # each run as soon as it is done, in one write, so a later failure loses nothing
                with RESULTS.open("a", encoding="utf-8") as fh:
                    intro = "" if MARKER in RESULTS.read_text(encoding="utf-8") else INTRO
                    fh.write(intro + "\n" + text)
                print(f"appended to {RESULTS.relative_to(ROOT)}", file=sys.stderr)


if __name__ == "__main__":
    main()
