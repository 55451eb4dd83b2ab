"""Benchmark: normalize + identity + offline enrichment of generated leads with known duplicates.

For each N, `identity_data.py` generates (in its own process, not counted) a dataset of N raw
records of ~0.73·N people with labelled duplicates and hard negatives, and a second, different
dataset of N records over the same companies, countries and titles but other people, emails,
phones and last names. A fresh subprocess, pinned to one core, then runs the pure pipeline:

1. `leads.normalize.normalize_record` per record (Rejected ones are counted);
2. `leads.identity.match_keys` per record;
3. `MemoryIdentityIndex(fuzzy_threshold=90.0).add` per chunk of 5,000 records;
4. `leads.golden.build_lead` for every lead the chunk touched, then offline enrichment from a
   `ReferenceTable` of generated accounts, looked up by the lead's `company_domain` and folded
   in exactly as `build_lead(..., enrichment)` does (`fold_enrichment`, its last step).

The first pass (*cold*) runs with every memo cache empty; the second (*warm*), in the same
process on the second dataset with a new index, finds domains, countries, titles and first names
already memoised, but every phone, email and last name is new (the hard case, and the issue's
wording: "most domains, countries and titles repeat"). The third (*repeat*, unless --no-repeat)
runs the second dataset once more with a new index: every value has been seen once, as a rerun
over records whose phones and emails were seen before would find them, as far as the bounded
memos still hold them. Golden leads need the records of their earlier cluster-mates, which the real
pipeline reads back from `source_records.normalized`; here a dict ref → the record's JSON stands
in for that column (encoding and decoding are timed as the `store` stage), and is reported apart
from the identity index. Quality is pairwise precision and recall over records, with the misses
and false merges broken down by the generator's labels.

    .venv/bin/python bench/identity.py --leads 100000 1000000 [--seed N] [--json out.json]
    .venv/bin/python bench/identity.py --leads 20000 --profile      # cProfile of every pass

It prints the tables; it appends nothing to RESULTS.md (that is done by hand from a run).
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import resource
import subprocess
import sys
import time
from array import array
from collections import Counter, defaultdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
OUT = BENCH / "out" / "identity"
sys.path.insert(0, str(BENCH))
sys.path.insert(0, str(ROOT))

FUZZY_THRESHOLD: float | None = 90.0
COVERAGE_FIELDS = (
    "email_class",
    "company_domain",
    "phone_type",
    "country_code",
    "region_code",
    "seniority",
    "department",
    "industry",
)


def peak_rss() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # KiB on Linux


def current_rss() -> int:
    with open("/proc/self/statm", encoding="ascii") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


# --- memory of the identity index ------------------------------------------------------------------

_LEAVES = (str, int, float, bool, bytes, type(None))


# What MemoryIdentityIndex keeps, in the order deep_sizes counts it.
INDEX_PARTS = ["keys_of", "lead_of", "members", "by_key", "by_block", "_fulls", "_lasts", "age", "merged", "ids_ever"]


def deep_sizes(obj: Any, names: list[str]) -> dict[str, int]:
    """sys.getsizeof of everything reachable from each named attribute, each object counted once
    (under the first attribute that reaches it: RecordRefs under keys_of, lead ids under lead_of)."""
    seen: set[int] = set()
    out = {}
    for name in names:
        total, stack = 0, [getattr(obj, name)]
        while stack:
            o = stack.pop()
            if id(o) in seen:
                continue
            seen.add(id(o))
            total += sys.getsizeof(o)
            if isinstance(o, _LEAVES):
                continue
            if isinstance(o, dict):
                stack.extend(o.keys())
                stack.extend(o.values())
            elif isinstance(o, list | tuple | set | frozenset):
                stack.extend(o)
            else:
                for cls in type(o).__mro__:
                    for slot in getattr(cls, "__slots__", ()):
                        if hasattr(o, slot):
                            stack.append(getattr(o, slot))
        out[name] = total
    return out


# --- one pass ---------------------------------------------------------------------------------------


class GcTimer:
    """Time spent in the cyclic garbage collector (it grows with the number of live objects)."""

    def __init__(self) -> None:
        self.seconds, self.full, self._t = 0.0, 0, 0.0

    def __call__(self, phase: str, info: dict) -> None:
        if phase == "start":
            self._t = time.perf_counter()
        else:
            self.seconds += time.perf_counter() - self._t
            self.full += info.get("generation") == 2


def run_pass(data_dir: Path, table: Any, label: str, profiler: Any = None) -> dict:
    from identity_data import read_chunks

    from leads.golden import LeadRules, build_lead, fold_enrichment
    from leads.identity import match_keys
    from leads.identity_index import MemoryIdentityIndex
    from leads.model import FieldValue, NormalizedRecord, RecordRef
    from leads.normalize import Rejected, normalize_record

    meta = json.loads((data_dir / "meta.json").read_text(encoding="utf-8"))
    n_chunks = -(-meta["records"] // meta["chunk"])
    rules = LeadRules()
    index = MemoryIdentityIndex(fuzzy_threshold=FUZZY_THRESHOLD)  # set by --fuzzy-threshold
    store: dict[Any, str] = {}  # stand-in for source_records.normalized
    refs: list[Any] = []
    pids, scen, kinds = array("I"), bytearray(), bytearray()
    t = dict.fromkeys(("read", "normalize", "match_keys", "index", "golden", "store"), 0.0)
    counts: Counter[str] = Counter()
    coverage: Counter[str] = Counter()
    rss_at: dict[str, int] = {"start": current_rss()}
    gc_timer = GcTimer()
    gc.callbacks.append(gc_timer)
    now = datetime(2025, 1, 2, tzinfo=UTC)
    dumps, loads, from_json = json.dumps, json.loads, NormalizedRecord.from_json
    pc, cpu = time.perf_counter, time.process_time
    cpu_s = 0.0
    if profiler is not None:
        profiler.enable()
    started = pc()
    chunks = read_chunks(data_dir / "records.marshal")
    for ci in range(n_chunks):
        t0 = pc()
        records, chunk_pids, chunk_scen, chunk_kinds = next(chunks)
        inputs = [(RecordRef(src, sid), datetime.fromtimestamp(at, UTC), mapped) for src, sid, at, mapped in records]
        t1, c1 = pc(), cpu()
        fresh: dict[Any, Any] = {}
        for ref, at, mapped in inputs:
            result = normalize_record(ref, at, mapped)
            if isinstance(result, Rejected):
                counts["rejected"] += 1
            else:
                fresh[ref] = result
        t2 = pc()
        batch = [(ref, match_keys(rec.values)) for ref, rec in fresh.items()]
        t3 = pc()
        assignment = index.add(batch)
        t4 = pc()
        decode = 0.0
        for lead_id, cluster in assignment.clusters.items():
            group = []
            for ref in cluster.refs:
                rec = fresh.get(ref)
                if rec is None:
                    d0 = pc()
                    rec = from_json(ref, loads(store[ref]))
                    decode += pc() - d0
                group.append(rec)
            lead = build_lead(lead_id, cluster.primary_key, group, None, rules)
            domain = lead.get("company_domain")
            found = table.get(domain) if domain else None
            if found:
                enrichment = {name: FieldValue(value, "accounts", now) for name, value in found.items()}
                lead.fields = fold_enrichment(lead.fields, enrichment, rules.priority)
            counts["golden"] += 1
            counts["merged_records"] += len(group) - 1
            if ci == n_chunks - 1 or ci % 10 == 0:  # coverage on a sample of chunks: cheap and stable
                coverage["leads"] += 1
                coverage.update(name for name in COVERAGE_FIELDS if lead.get(name) is not None)
                coverage.update(
                    f"{name} invalid"
                    for name in ("email", "phone", "country")
                    if name in lead.fields and not lead.fields[name].is_valid
                )
        t5 = pc()
        for ref, rec in fresh.items():
            store[ref] = dumps(rec.to_json(), separators=(",", ":"), ensure_ascii=False)
        t6 = pc()
        cpu_s += cpu() - c1
        t["read"] += t1 - t0
        t["normalize"] += t2 - t1
        t["match_keys"] += t3 - t2
        t["index"] += t4 - t3
        t["golden"] += t5 - t4 - decode
        t["store"] += t6 - t5 + decode
        refs.extend(ref for ref, _, _ in inputs)
        pids.extend(chunk_pids)
        scen.extend(chunk_scen)
        kinds.extend(chunk_kinds)
        for mark in (0.1, 0.5):
            if ci == int(n_chunks * mark) - 1:
                rss_at[f"{mark:.0%}"] = current_rss()
    wall = pc() - started
    if profiler is not None:
        profiler.disable()
    gc.callbacks.remove(gc_timer)
    rss_at["end"] = current_rss()
    out: dict[str, Any] = {
        "pass": label,
        "records": len(refs),
        "persons": meta["persons"],
        "leads": len(index.members),
        "golden_built": counts["golden"],
        "rejected": counts["rejected"],
        "seconds": {k: round(v, 3) for k, v in t.items()},
        "pipeline_s": round(sum(v for k, v in t.items() if k != "read"), 3),
        "pipeline_cpu_s": round(cpu_s, 3),
        "wall_s": round(wall, 3),
        "gc_s": round(gc_timer.seconds, 3),
        "gc_full": gc_timer.full,
        "rss": rss_at,
        "peak_rss": peak_rss(),
        "coverage": dict(coverage),
    }
    out["records_per_s"] = out["records"] / out["pipeline_s"]
    out["golden_per_s"] = out["golden_built"] / out["pipeline_s"]
    out["records_per_cpu_s"] = out["records"] / out["pipeline_cpu_s"]
    t0 = pc()
    sizes = deep_sizes(index, INDEX_PARTS)
    out["index_bytes"] = sizes
    out["index_total"] = sum(sizes.values())
    out["store_bytes"] = sys.getsizeof(store) + sum(sys.getsizeof(v) for v in store.values())
    out["memory_walk_s"] = round(pc() - t0, 1)
    t0 = pc()
    out["quality"] = evaluate(index, refs, pids, scen, kinds, meta)
    out["evaluate_s"] = round(pc() - t0, 1)
    return out


# --- quality ------------------------------------------------------------------------------------------


def evaluate(index: Any, refs: list, pids: array, scen: bytearray, kinds: bytearray, meta: dict) -> dict:
    """Pairwise precision and recall from cluster-intersection counts, and where they are lost.

    A pair is two records; predicted pairs share a lead, true pairs a person. For record i of
    person p in lead L: missed_i = |p| - |L ∩ p| and false_i = |L| - |L ∩ p|; summed over a
    label and halved, they split the missed and false pairs between the labels of their records.
    """
    lead_of = index.lead_of
    leads = [lead_of.get(ref) for ref in refs]  # None: rejected by normalize, a lead of its own
    lead_size = Counter(x for x in leads if x is not None)
    person_size = Counter(pids)
    both = Counter((lead, p) for lead, p in zip(leads, pids, strict=True) if lead is not None)
    pairs = lambda c: c * (c - 1) // 2  # noqa: E731
    tp = sum(pairs(c) for c in both.values())
    predicted = sum(pairs(c) for c in lead_size.values())
    true = sum(pairs(c) for c in person_size.values())
    scen_names, kind_names = meta["scenarios"], meta["kinds"]
    by_scen: dict[str, Counter[str]] = {s: Counter() for s in scen_names}
    by_kind: dict[str, Counter[str]] = {k: Counter() for k in kind_names}
    main_lead: dict[int, tuple[int, Any]] = {}  # person → (records, lead) of its largest part
    for (lead, p), c in both.items():
        if c > main_lead.get(p, (0, None))[0]:
            main_lead[p] = (c, lead)
    for lead, p, s, k in zip(leads, pids, scen, kinds, strict=True):
        inter = both[(lead, p)] if lead is not None else 1
        missed = person_size[p] - inter
        false = (lead_size[lead] - inter) if lead is not None else 0
        for counter in (by_scen[scen_names[s]], by_kind[kind_names[k]]):
            counter["records"] += 1
            counter["missed_half_pairs"] += missed
            counter["false_half_pairs"] += false
            counter["falsely_merged"] += false > 0
        if missed and lead != main_lead.get(p, (0, None))[1]:
            by_scen[scen_names[s]]["split_off"] += 1
    evidence, examples = false_merge_evidence(index, refs, leads, pids, scen, kinds, lead_size, both, meta)
    return {
        "precision": tp / predicted if predicted else 1.0,
        "recall": tp / true if true else 1.0,
        "true_pairs": true,
        "predicted_pairs": predicted,
        "tp_pairs": tp,
        "by_scenario": {s: dict(c) for s, c in by_scen.items() if c["records"]},
        "by_kind": {k: dict(c) for k, c in by_kind.items() if c["records"]},
        "false_pairs_by_evidence": evidence,
        "examples": examples,
    }


def false_merge_evidence(
    index: Any,
    refs: list,
    leads: list,
    pids: array,
    scen: bytearray,
    kinds: bytearray,
    lead_size: Counter,
    both: Counter,
    meta: dict,
    limit: int = 20_000,
) -> tuple[dict[str, int], list[dict]]:
    """For leads holding several people: what linked each two people directly (a shared email,
    crm or phone key; a fuzzy name at one domain), counted in record pairs."""
    from leads.identity import key_kind, name_score

    mixed: dict[str, dict[int, list[int]]] = defaultdict(lambda: defaultdict(list))
    for i, (lead, p) in enumerate(zip(leads, pids, strict=True)):
        if lead is not None and both[(lead, p)] < lead_size[lead]:
            mixed[lead][p].append(i)
    evidence: Counter[str] = Counter()
    examples: list[dict] = []
    for people in list(mixed.values())[:limit]:
        persons = list(people)
        for a in range(len(persons)):
            for b in range(a + 1, len(persons)):
                ra, rb = people[persons[a]], people[persons[b]]
                why = _link(index, refs, ra, rb, key_kind, name_score)
                evidence[why] += len(ra) * len(rb)
                if len(examples) < 40 and sum(e["why"] == why for e in examples) < 8:
                    examples.append(
                        {
                            "why": why,
                            "a": _show(index, refs, ra, scen, kinds, meta),
                            "b": _show(index, refs, rb, scen, kinds, meta),
                        }
                    )
    return dict(evidence), examples


def _link(index: Any, refs: list, ra: list[int], rb: list[int], key_kind: Any, name_score: Any) -> str:
    ka = [index.keys_of.get(refs[i]) for i in ra]
    kb = [index.keys_of.get(refs[i]) for i in rb]
    shared = {k for m in ka if m for k in m.keys} & {k for m in kb if m for k in m.keys}
    if shared:
        return "shared " + "+".join(sorted({key_kind(k) for k in shared})) + " key"
    for x in ka:
        for y in kb:
            if (
                x
                and y
                and x.block
                and x.block == y.block
                and x.name
                and y.name
                and name_score(x.name, y.name) >= (FUZZY_THRESHOLD or 101)
            ):
                return "fuzzy name at one domain"
    return "transitive (through other people)"


def _show(index: Any, refs: list, idx: list[int], scen: bytearray, kinds: bytearray, meta: dict) -> list[str]:
    out = []
    for i in idx[:3]:
        keys = index.keys_of.get(refs[i])
        out.append(
            f"{meta['kinds'][kinds[i]]}/{meta['scenarios'][scen[i]]}: "
            f"{keys.keys if keys else None} block={keys.block if keys else None} "
            f"name={keys.name.full if keys and keys.name else None}"
        )
    return out


# --- the measured process ----------------------------------------------------------------------------


# --gc threshold: the collector's first threshold while the passes run (default 700). Each chunk
# keeps ~100,000 small objects alive until it is done; young collections find nothing to free in
# them and promote them all, which is what makes full collections frequent.
GC_THRESHOLD0 = 100_000


def worker(
    cold: Path, warm: Path | None, result: Path, profile: Path | None, gc_mode: str = "default", repeat: bool = True
) -> None:
    os.sched_setaffinity(0, {0})
    out: dict[str, Any] = {"affinity": sorted(os.sched_getaffinity(0)), "rss_before_imports": current_rss()}
    t0 = time.perf_counter()
    import marshal

    from connectors.enrichment.reference_table import ReferenceTable
    from leads import golden, identity, identity_index, normalize  # noqa: F401

    out["import_s"] = round(time.perf_counter() - t0, 2)
    t0 = time.perf_counter()
    with (cold / "accounts.marshal").open("rb") as fh:
        rows = marshal.load(fh)
    table = ReferenceTable.from_rows("accounts", rows, "domain", {})
    del rows
    out["reference_table"] = {"rows": len(table.rows), "build_s": round(time.perf_counter() - t0, 2)}
    out["rss_after_setup"] = current_rss()
    out["gc_mode"] = gc_mode
    if gc_mode == "freeze":
        gc.collect()
        gc.freeze()  # what imports and setup allocated is never scanned again
    import cProfile

    default_thresholds = gc.get_threshold()
    for label, data in (("cold", cold), ("warm", warm), ("repeat", warm if repeat else None)):
        if data is None:
            continue
        profiler = cProfile.Profile() if profile is not None else None
        if gc_mode == "off":
            gc.disable()
        elif gc_mode == "threshold":
            gc.set_threshold(GC_THRESHOLD0, *default_thresholds[1:])
        out[label] = run_pass(data, table, label, profiler)
        gc.enable()
        gc.set_threshold(*default_thresholds)
        if profiler is not None:
            profiler.dump_stats(str(profile) + f".{label}")
        gc.collect()
    result.write_text(json.dumps(out, default=str), encoding="utf-8")


def dataset(n: int, seed: int, names: str) -> tuple[Path, float]:
    """The dataset's directory, generated in a subprocess unless already there (same bytes)."""
    path = OUT / f"{names}-{n}-seed{seed}"
    if (path / "meta.json").exists():
        return path, 0.0
    t0 = time.perf_counter()
    subprocess.run(
        [sys.executable, str(BENCH / "identity_data.py"), str(path), str(n), str(seed), names],
        check=True,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
    )
    return path, time.perf_counter() - t0


def run_size(
    n: int,
    seed: int,
    warm_n: int | None,
    profile: bool,
    timeout: float | None,
    fuzzy: str,
    gc_mode: str,
    repeat: bool = True,
) -> dict:
    cold, gen_cold = dataset(n, seed, "cold")
    warm, gen_warm = dataset(warm_n, seed + 1, "warm") if warm_n else (None, 0.0)
    result = OUT / f"result-{n}-seed{seed}.json"
    result.unlink(missing_ok=True)
    prof = OUT / f"identity-{n}.prof" if profile else None  # .cold, .warm and .repeat
    cmd = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--worker",
        str(cold),
        str(warm or ""),
        "--result",
        str(result),
        "--fuzzy-threshold",
        fuzzy,
        "--gc",
        gc_mode,
    ]
    cmd += [] if repeat else ["--no-repeat"]
    cmd += ["--profile-to", str(prof)] if prof else []
    print(f"N={n:,}: data ready (generated in {gen_cold + gen_warm:.0f} s); measuring", file=sys.stderr, flush=True)
    load_start = os.getloadavg()[0]
    t0 = time.perf_counter()
    subprocess.run(cmd, check=True, cwd=ROOT, timeout=timeout)
    info = json.loads(result.read_text(encoding="utf-8"))
    info.update(
        n=n,
        seed=seed,
        generate_s=round(gen_cold + gen_warm, 1),
        load_start=load_start,
        load_end=os.getloadavg()[0],
        process_s=round(time.perf_counter() - t0, 1),
    )
    info["fuzzy_threshold"] = fuzzy
    info["meta_cold"] = json.loads((cold / "meta.json").read_text(encoding="utf-8"))
    if prof is not None:
        import pstats

        for label in ("cold", "warm", "repeat"):
            path = Path(f"{prof}.{label}")
            for key in ("tottime", "cumulative"):
                if path.exists():
                    print(f"\n--- top 30 by {key} ({label} pass, N={n:,}; {path}) ---")
                    pstats.Stats(str(path)).sort_stats(key).print_stats(30)
    return info


# --- report -----------------------------------------------------------------------------------------


def mib(b: float) -> str:
    return f"{b / 2**20:,.0f}"


def report(info: dict) -> str:
    n, lines = info["n"], []
    passes = [info[k] for k in ("cold", "warm", "repeat") if k in info]
    lines.append(
        f"Pinned to CPU core {info['affinity']} (os.sched_setaffinity); imports {info['import_s']} s; "
        f"reference table {info['reference_table']['rows']:,} accounts built in "
        f"{info['reference_table']['build_s']} s; fuzzy threshold {info['fuzzy_threshold']}; "
        f"garbage collector {info['gc_mode']}; RSS after setup {mib(info['rss_after_setup'])} MiB. "
        f"Load average (1 min) {info['load_start']:.2f} at start, {info['load_end']:.2f} at end. "
        + (
            f"Data generated in {info['generate_s']} s (not counted).\n"
            if info["generate_s"]
            else "Data reused from bench/out/identity/ (generated earlier, same seed).\n"
        )
    )
    lines.append(
        "| pass | records | persons | leads | golden built | rejected | pipeline s | records/s | "
        "golden leads/s | records/CPU-s | precision | recall | peak RSS MiB |"
    )
    lines.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for p in passes:
        q = p["quality"]
        lines.append(
            f"| {p['pass']} | {p['records']:,} | {p['persons']:,} | {p['leads']:,} | {p['golden_built']:,} | "
            f"{p['rejected']:,} | {p['pipeline_s']:.1f} | **{p['records_per_s']:,.0f}** | "
            f"{p['golden_per_s']:,.0f} | {p['records_per_cpu_s']:,.0f} | "
            f"**{q['precision']:.4f}** | **{q['recall']:.4f}** | "
            f"{mib(p['peak_rss'])} |"
        )
    lines.append(
        "\nSeconds per stage (µs per record in brackets); `read` (loading the generated chunk) is not "
        "counted in the rates; `gc` is the part of the stages spent in the cyclic garbage collector:\n"
    )
    stages = ("normalize", "match_keys", "index", "golden", "store")
    lines.append("| pass | " + " | ".join(stages) + " | gc (full collections) | read |")
    lines.append("|---|" + "---:|" * (len(stages) + 2))
    for p in passes:
        s, r = p["seconds"], p["records"]
        cells = [f"{s[k]:.1f} ({s[k] / r * 1e6:,.0f})" for k in stages]
        cells += [f"{p['gc_s']:.1f} ({p['gc_full']})", f"{s['read']:.1f}"]
        lines.append(f"| {p['pass']} | " + " | ".join(cells) + " |")
    cold = info["cold"]
    sizes, total = cold["index_bytes"], cold["index_total"]
    lines.append(
        f"\nMemory (cold pass): identity index **{mib(total)} MiB = {total / cold['leads']:,.0f} bytes "
        f"per lead, {total / cold['records']:,.0f} per record** (sys.getsizeof over everything the "
        "MemoryIdentityIndex reaches, each object once: "
        + ", ".join(f"{k} {mib(v)}" for k, v in sizes.items() if v > 2**20)
        + " MiB); "
        f"record store stand-in {mib(cold['store_bytes'])} MiB "
        f"({cold['store_bytes'] / cold['records']:,.0f} bytes per record); "
        "RSS "
        + ", ".join(f"{k} {mib(v)}" for k, v in cold["rss"].items())
        + f" MiB; peak {mib(cold['peak_rss'])} MiB. Growth not explained by the index and the store "
        f"stand-in: {mib(cold['rss']['end'] - cold['rss']['start'] - total - cold['store_bytes'])} MiB.\n"
    )
    for p in passes:
        cov = p["coverage"]
        lines.append(
            f"Golden leads ({p['pass']}, sampled {cov.get('leads', 0):,}) with: "
            + ", ".join(f"{name} {cov.get(name, 0) / max(cov.get('leads', 1), 1):.0%}" for name in COVERAGE_FIELDS)
            + "; with an invalid "
            + ", ".join(
                f"{name} {cov.get(name + ' invalid', 0) / max(cov.get('leads', 1), 1):.1%}"
                for name in ("email", "phone", "country")
            )
            + "."
        )
    lines.append("")
    q = cold["quality"]
    lines.append(
        f"Where pairs are lost (cold; true pairs {q['true_pairs']:,}, predicted {q['predicted_pairs']:,}, "
        f"both {q['tp_pairs']:,}), by the label of the record (a pair is split between its two records):\n"
    )
    lines.append(
        "| record scenario | records | missed pairs | records split off their person | "
        "false pairs | records falsely merged |"
    )
    lines.append("|---|---:|---:|---:|---:|---:|")
    for name, c in q["by_scenario"].items():
        lines.append(
            f"| {name} | {c['records']:,} | {c['missed_half_pairs'] / 2:,.1f} | {c.get('split_off', 0):,} | "
            f"{c['false_half_pairs'] / 2:,.1f} | {c['falsely_merged']:,} |"
        )
    lines.append("\n| person kind | records | missed pairs | false pairs | records falsely merged |")
    lines.append("|---|---:|---:|---:|---:|")
    for name, c in q["by_kind"].items():
        lines.append(
            f"| {name} | {c['records']:,} | {c['missed_half_pairs'] / 2:,.1f} | "
            f"{c['false_half_pairs'] / 2:,.1f} | {c['falsely_merged']:,} |"
        )
    for p in passes:
        q = p["quality"]
        ev = q["false_pairs_by_evidence"]
        lines.append(
            f"\n{p['pass'].capitalize()}: {q['true_pairs'] - q['tp_pairs']:,} missed and "
            f"{q['predicted_pairs'] - q['tp_pairs']:,} false pairs; the false ones by what linked the two "
            "people: " + (", ".join(f"{k} {v:,}" for k, v in sorted(ev.items(), key=lambda kv: -kv[1])) or "none") + "."
        )
    lines.append("")
    return f"### N = {n:,} records\n\n" + "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--leads", type=int, nargs="+", default=[100_000], help="records per dataset")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--warm", type=int, help="records of the warm dataset (default: the same N; 0: none)")
    parser.add_argument("--json", type=Path, help="write every result, with examples of false merges, here")
    parser.add_argument("--profile", action="store_true", help="cProfile both passes and print the hotspots")
    parser.add_argument("--timeout", type=float, help="stop a size's process after this many seconds")
    parser.add_argument("--fuzzy-threshold", default="90", help="the index's fuzzy threshold, or 'off' (default 90)")
    parser.add_argument("--no-repeat", action="store_true", help="skip the third pass (the warm dataset again)")
    parser.add_argument(
        "--gc",
        choices=("default", "freeze", "off", "threshold"),
        default="default",
        help="experiment: gc.freeze() after setup, gc.disable() during the passes, or the collector's first "
        f"threshold at {GC_THRESHOLD0:,} during the passes",
    )
    parser.add_argument("--worker", nargs=2, help=argparse.SUPPRESS)
    parser.add_argument("--result", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--profile-to", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        global FUZZY_THRESHOLD
        FUZZY_THRESHOLD = None if args.fuzzy_threshold == "off" else float(args.fuzzy_threshold)
        cold, warm = args.worker
        worker(Path(cold), Path(warm) if warm else None, args.result, args.profile_to, args.gc, not args.no_repeat)
        return
    from file_pipeline import machine

    host = machine()
    print(f"Commit {host['commit']}; CPU {host['CPU']}; Python {host['Python']}; OS {host['OS']}", flush=True)
    results = []
    for n in args.leads:
        warm_n = n if args.warm is None else args.warm
        info = run_size(
            n, args.seed, warm_n, args.profile, args.timeout, args.fuzzy_threshold, args.gc, not args.no_repeat
        )
        info["host"], info["when"] = host, datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
        results.append(info)
        print("\n" + report(info), flush=True)
        if args.json:
            args.json.write_text(json.dumps(results, indent=1, default=str), encoding="utf-8")


if __name__ == "__main__":
    main()
