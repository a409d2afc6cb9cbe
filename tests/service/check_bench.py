#!/usr/bin/env python3
"""Smoke run of bench-service: every figure it promises is measured (not null), p50 <= p99,
the µs figures are the cycles at 100 MHz, and --json writes what the table shows."""
import json, subprocess, sys, tempfile, os

bench = sys.argv[1]
names = ["request_to_completion", "request_to_alloc_grant", "release_to_completion", "cpu_request_to_running",
         "cpu_request_to_completion", "cpu_release_to_completion", "crossing_to_running", "crossing_to_handler",
         "decision.crossing_up", "decision.crossing_down"]
with tempfile.TemporaryDirectory() as d:
    out = os.path.join(d, "b.json")
    r = subprocess.run([bench, "--samples", "4", "--json", out], capture_output=True, text=True, timeout=600)
    print(r.stdout)
    print(r.stderr, file=sys.stderr)
    assert r.returncode == 0, f"bench-service exited {r.returncode}"
    figs = {f["name"]: f for f in json.load(open(out))}
bad = []
for n in names:
    for q in ("p50", "p99"):
        f = figs.get(f"service.{n}.{q}")
        if f is None or f["value"] is None or f["value"] <= 0:
            bad.append(f"service.{n}.{q}: {f}")
            continue
        us = figs.get(f"service.{n}.{q}_us")
        if us is None or abs(us["value"] - f["value"] / 100.0) > 1e-6:
            bad.append(f"service.{n}.{q}_us is not the cycles at 100 MHz: {us}")
        if f"service.{n}.{q}" not in r.stdout:
            bad.append(f"service.{n}.{q} missing from the table")
    p50, p99 = figs.get(f"service.{n}.p50"), figs.get(f"service.{n}.p99")
    if p50 and p99 and p50["value"] is not None and p99["value"] is not None and p50["value"] > p99["value"]:
        bad.append(f"service.{n}: p50 {p50['value']} > p99 {p99['value']}")
for b in bad:
    print("FAILED:", b)
sys.exit(1 if bad else 0)
