#!/usr/bin/env python3
"""Smoke run of bench-api (label api): every figure it promises is measured (not null, > 0),
p50 <= p99, and --json writes the figures the table shows."""
import json, os, subprocess, sys, tempfile

bench = sys.argv[1]
with tempfile.TemporaryDirectory() as d:
    out = os.path.join(d, "b.json")
    r = subprocess.run([bench, "--samples", "20", "--seconds", "0.3", "--json", out],
                       capture_output=True, text=True, timeout=600)
    print(r.stdout)
    print(r.stderr, file=sys.stderr)
    assert r.returncode == 0, f"bench-api exited {r.returncode}"
    figs = {f["name"]: f for f in json.load(open(out))}
bad = []
for n in ("request_to_completion", "async_request_to_result", "release_to_completion"):
    p50, p99 = figs.get(f"api.{n}.p50"), figs.get(f"api.{n}.p99")
    for f, q in ((p50, "p50"), (p99, "p99")):
        if f is None or f["value"] is None or f["value"] <= 0 or f["parameters"].get("samples") != 20:
            bad.append(f"api.{n}.{q}: {f}")
    if p50 and p99 and p50["value"] and p99["value"] and p50["value"] > p99["value"]:
        bad.append(f"api.{n}: p50 {p50['value']} > p99 {p99['value']}")
for h in (1, 4, 16):
    f = figs.get(f"api.calls_per_s.{h}_handles")
    if f is None or f["value"] is None or f["value"] <= 0 or f["parameters"].get("handles") != h:
        bad.append(f"api.calls_per_s.{h}_handles: {f}")
for name in figs:
    if name not in r.stdout:
        bad.append(f"{name} missing from the table")
for b in bad:
    print("FAILED:", b)
sys.exit(1 if bad else 0)
