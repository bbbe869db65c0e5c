#!/usr/bin/env python3
"""The table tools/bench.sh prints: medians over runs of every figure, next to
the baseline of the same run and the issue-7 target.

usage: bench_table.py RESULTS_DIR RUNS
RESULTS_DIR holds runs.jsonl (one JSON line per plain-program run) and the
Google Benchmark JSON file summary.json.
"""
import json
import os
import statistics
import sys


def load_runs(path):
    runs, failed = {}, {}
    if not os.path.exists(path):
        return runs, failed
    for line in open(path):
        line = line.strip()
        if not line.startswith("{"):
            continue
        j = json.loads(line)
        if "failed" in j:
            failed.setdefault(j["bench"], []).append(j["failed"])
            continue
        runs.setdefault(j["bench"], []).append(j)
    return runs, failed


def med(runs, bench, figure):
    values = [r["figures"][figure] for r in runs.get(bench, []) if figure in r["figures"]]
    return (statistics.median(values), len(values)) if values else (None, 0)


def gb_medians(path):
    """name -> median real time (ms) and counters, from a Google Benchmark JSON file."""
    out = {}
    if not os.path.exists(path):
        return out
    data = json.load(open(path))
    plain = {}
    for b in data.get("benchmarks", []):
        name = b.get("run_name", b["name"])
        if b.get("aggregate_name") == "median":
            out[name] = b
        elif b.get("run_type") == "iteration":
            plain.setdefault(name, b)
    for name, b in plain.items():
        out.setdefault(name, b)  # a single repetition has no aggregates
    return out


def fmt(v, unit=""):
    if v is None:
        return "—"
    if abs(v) >= 100000:
        s = f"{v:,.0f}"
    elif abs(v) >= 100:
        s = f"{v:.0f}"
    elif abs(v) >= 10:
        s = f"{v:.1f}"
    else:
        s = f"{v:.2f}"
    return s + (" " + unit if unit else "")


def main():
    d, runs_n = sys.argv[1], sys.argv[2]
    runs, failed = load_runs(os.path.join(d, "runs.jsonl"))
    rows = []

    def row(target, figure, value, baseline, ratio, goal, met):
        rows.append((target, figure, value, baseline, ratio, goal, met))

    def verdict(ok):
        return "—" if ok is None else ("yes" if ok else "**no**")

    # 1. Broker ingest against bare CURVE PUSH/PULL.
    if "ingest" in runs:
        r0 = runs["ingest"][0]["notes"]
        shape = f"{r0['nodes']} nodes × {r0['weeks']} weeks, {r0['cells_per_snapshot']} cells"
        size, _ = med(runs, "ingest", "message_bytes")
        sps, n = med(runs, "ingest", "snapshots_per_s")
        cps, _ = med(runs, "ingest", "cells_per_s")
        bps, _ = med(runs, "ingest", "bytes_per_s")
        bare, _ = med(runs, "ingest", "bare_bytes_per_s")
        ratio, _ = med(runs, "ingest", "ratio_bytes")
        row("1 ingest", f"snapshots/s ({shape}, {fmt(size)} B each; n={n})", fmt(sps), "", "", "", "")
        row("1 ingest", "cells/s", fmt(cps), "", "", "", "")
        row("1 ingest", "MB/s, broker vs bare CURVE PUSH/PULL", fmt(bps / 1e6), fmt(bare / 1e6),
            fmt(ratio), "≥ 0.5", verdict(ratio >= 0.5))
        ceiling, _ = med(runs, "ingest", "ceiling_ratio_verify")
        if ceiling:
            vbps, _ = med(runs, "ingest", "bare_verify_bytes_per_s")
            row("1 ingest", "MB/s, bare CURVE + parse + verify each snapshot vs bare CURVE (the ceiling)",
                fmt(vbps / 1e6), fmt(bare / 1e6), fmt(ceiling), "", "")

    # 2. Node import against bare RocksDB WriteBatch.
    if "import" in runs:
        rows_n = runs["import"][0]["notes"]["rows"]
        rps, n = med(runs, "import", "rows_per_s")
        bare, _ = med(runs, "import", "bare_rows_per_s")
        ratio, _ = med(runs, "import", "ratio_rows")
        vb, _ = med(runs, "import", "value_bytes")
        peak, _ = med(runs, "import", "node_peak_rss_mib")
        cli, _ = med(runs, "import", "cli_peak_rss_mib")
        csv, _ = med(runs, "import", "csv_mib")
        row("2 import", f"rows/s, {rows_n:,} rows ({fmt(csv)} MiB CSV, {fmt(vb)} B values; n={n})", fmt(rps),
            fmt(bare), fmt(ratio), "≥ 0.5", verdict(ratio >= 0.5))
        all_ratio, _ = med(runs, "import", "ratio_vs_all_keys")
        if all_ratio:
            keys, _ = med(runs, "import", "store_keys")
            row("2 import", f"the same vs bare puts of every key the node wrote ({fmt(keys)})", fmt(rps), "",
                fmt(all_ratio), "", "")
        row("2 import", "node peak RSS during import (MiB)", fmt(peak), "", "", "reported", "")
        row("2 import", "CLI peak RSS (MiB)", fmt(cli), "", "", "reported", "")

    # 3. Summary cost curve (Google Benchmark).
    gb = gb_medians(os.path.join(d, "summary.json"))
    for weeks in (1, 52):
        base = gb.get(f"WeekSnapshot/signals:1000/weeks:{weeks}/real_time")
        for n in (1000, 10000, 100000, 1000000):
            b = gb.get(f"WeekSnapshot/signals:{n}/weeks:{weeks}/real_time")
            if not b or not base:
                continue
            ratio = b["real_time"] / base["real_time"]
            layout = "all in the week" if weeks == 1 else "over 52 weeks"
            in_week = b.get("signals_in_week")
            row("3 summary", f"week's snapshot after {n:,} signals ({layout}; {fmt(in_week)} in the week, "
                f"{fmt(b.get('cells'))} cells)", fmt(b["real_time"], "ms"), fmt(base["real_time"], "ms"),
                fmt(ratio), "≈ 1 (≤ 2)", verdict(ratio <= 2))

    # 4. Scale.
    if "scale" in runs:
        r0 = runs["scale"][0]["notes"]
        shape = f"{r0['nodes']:,} nodes × {r0['weeks']} weeks, {r0['cells_per_snapshot']} cells"
        con, n = med(runs, "scale", "connect_s")
        rnd, _ = med(runs, "scale", "round_s")
        rss, _ = med(runs, "scale", "broker_peak_rss_mib")
        fds, _ = med(runs, "scale", "broker_fds")
        enrol, _ = med(runs, "scale", "enrol_s")
        bps, _ = med(runs, "scale", "bytes_per_s")
        bare, _ = med(runs, "scale", "bare_bytes_per_s")
        ratio, _ = med(runs, "scale", "ratio_bytes")
        sps, _ = med(runs, "scale", "snapshots_per_s")
        row("4 scale", f"all connected ({shape}; n={n})", fmt(con, "s"), "", "", "all", "yes")
        row("4 scale", f"full round ingested ({fmt(sps)} snapshots/s)", fmt(rnd, "s"), "", "", "reported", "")
        row("4 scale", "MB/s, broker vs bare CURVE PUSH/PULL", fmt(bps / 1e6), fmt(bare / 1e6), fmt(ratio), "", "")
        conn, _ = med(runs, "scale", "broker_rss_connected_mib")
        if conn:
            row("4 scale", "broker RSS, all connected, before the round (MiB)", fmt(conn), "", "", "", "")
        row("4 scale", "broker peak RSS (MiB)", fmt(rss), "", "", "≤ 1024", verdict(rss <= 1024))
        row("4 scale", "broker file descriptors, all connected", fmt(fds), "", "", "reported", "")
        row("4 scale", "enrolment of all nodes (control port)", fmt(enrol, "s"), "", "", "", "")

    # 5. Footprint and digest build.
    if "footprint" in runs:
        sig = runs["footprint"][0]["notes"]["signals"]
        floor, n = med(runs, "footprint", "floor_ms")
        for label, what in (("empty", "empty store"), ("stored", f"{sig:,} signals")):
            ready, _ = med(runs, "footprint", f"{label}_ready_ms")
            ratio, _ = med(runs, "footprint", f"{label}_ready_ratio")
            rss, _ = med(runs, "footprint", f"{label}_idle_rss_mib")
            if ready is None:
                continue
            row("5 footprint", f"node start-up to ready, {what} (ms; n={n})", fmt(ready), fmt(floor), fmt(ratio),
                "≤ 200 ms", verdict(ready <= 200))
            row("5 footprint", f"node idle RSS, {what} (MiB)", fmt(rss), "", "", "≤ 25", verdict(rss <= 25))
    # Digests under the cell-key method: each against Aggregate over the
    # same weeks and area, and the digest path after 1,000 earlier digests.
    if "digest" in runs:
        figures = runs["digest"][0]["figures"]
        for key in sorted(k for k in figures if k.startswith("ratio.") and k != "ratio.worst"):
            case = key[len("ratio."):]
            ms, _ = med(runs, "digest", "ms." + case)
            ratio, n = med(runs, "digest", key)
            row("5 digest", f"{case.replace('.', ' ', 1)} with series, previous and breakdown (ms; n={n})",
                fmt(ms), "", fmt(ratio), "≤ 2×", verdict(ratio <= 2))
        history, n = med(runs, "digest", "history.ratio")
        growth, _ = med(runs, "digest", "history.rss_growth_mib")
        row("5 digest", f"after 1,000 earlier digests, against none (n={n})", "", "", fmt(history), "≤ 1.1×",
            verdict(history <= 1.1))
        row("5 digest", "resident memory growth over those 1,000 (MiB)", fmt(growth), "", "", "reported", "")

    # 6. End-to-end latency.
    if "latency" in runs:
        samples = runs["latency"][0]["notes"]["samples"]
        m, n = med(runs, "latency", "median_ms")
        p99, _ = med(runs, "latency", "p99_ms")
        floor, _ = med(runs, "latency", "floor_median_ms")
        ratio, _ = med(runs, "latency", "ratio_median")
        row("6 latency", f"add + publish → visible in themes, median (ms; {samples} samples; n={n})", fmt(m),
            fmt(floor), fmt(ratio), "reported", "")
        row("6 latency", "p99 (ms)", fmt(p99), "", "", "reported", "")
        for part, label in (("add_median_ms", "of which `signal add`"), ("publish_median_ms", "`publish`"),
                            ("until_visible_median_ms", "until the themes view shows it")):
            v, _ = med(runs, "latency", part)
            row("6 latency", label + " (ms)", fmt(v), "", "", "", "")

    print(f"Medians of {runs_n} runs; machine: {open(os.path.join(d, 'machine.txt')).read().strip()}\n")
    print("| target | figure | median | baseline (same run) | ratio | target | met |")
    print("| --- | --- | ---: | ---: | ---: | --- | --- |")
    for r in rows:
        print("| " + " | ".join(str(c) for c in r) + " |")
    steps = []
    for name, per in (("ingest_parts", "snapshot"), ("import_parts", "row")):
        for key, b in gb_medians(os.path.join(d, name + ".json")).items():
            items = b.get("items_per_second")
            us = 1e6 / items if items else b["real_time"]
            steps.append(f"| {name} | {key.replace('/real_time', '')} | {fmt(us)} µs per {per} |")
    if steps:
        print("\nStep costs (Google Benchmark medians, in process):\n")
        print("| program | step | cost |")
        print("| --- | --- | ---: |")
        print("\n".join(steps))
    for bench, why in failed.items():
        print(f"\n**{bench} failed** in {len(why)} run(s): {why[0]}")


if __name__ == "__main__":
    main()
