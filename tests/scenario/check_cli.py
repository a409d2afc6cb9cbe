#!/usr/bin/env python3
"""shoal-sim --scenario end to end (label scenario): one run prints its narrative and table and
writes a PNG and the JSON table; --compare writes one table with a row per policy and one
picture; a malformed scenario and bad options are refused with exit status 2 and a clear
message (the file, line and reason)."""
import json
import pathlib
import subprocess
import sys
import tempfile

sim, short = sys.argv[1], sys.argv[2]
failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL:", what)


def run(*args):
    return subprocess.run([sim, *args], capture_output=True, text=True, timeout=500)


with tempfile.TemporaryDirectory() as d:
    out = pathlib.Path(d) / "out"
    r = run("--scenario", short, "--out", str(out))
    print(r.stdout)
    check(r.returncode == 0, f"a single run exits 0 (got {r.returncode}: {r.stderr})")
    check("scenario: reactive 100%" in r.stderr, "a progress line on stderr")
    check("b's peak began at step 1" in r.stdout, "the narrative names the receiver's peak")
    check("unmet a" in r.stdout and "decision p99" in r.stdout, "the summary table")
    png = out / "short-reactive.png"
    check(png.exists() and png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", "a PNG timeline")
    rows = json.loads((out / "short-reactive.json").read_text())
    check(len(rows) == 1 and rows[0]["policy"] == "reactive", "the JSON table has the run")
    check(set(rows[0]["partitions"]) == {"a", "b"}, "the JSON table has every partition")

    r = run("--scenario", short, "--compare", "static,reactive", "--out", str(out), "--quiet")
    check(r.returncode == 0, f"--compare exits 0 (got {r.returncode}: {r.stderr})")
    check("scenario:" not in r.stderr, "--quiet: no progress line")
    rows = json.loads((out / "short-compare.json").read_text())
    check([x["policy"] for x in rows] == ["static", "reactive"], "one row per policy, in order")
    check(rows[0]["migrations"] == 0 and rows[1]["migrations"] > 0, "static moves nothing, reactive does")
    check(rows[1]["unmet_processor_hours"] < rows[0]["unmet_processor_hours"], "reactive serves more than static")
    # the table printed is the JSON's: the same unmet figures
    for x in rows:
        check(f"{x['unmet_processor_hours']:8.1f} ph" in r.stdout, f"the text table shows {x['policy']}'s unmet total")
    check((out / "short-compare.png").exists(), "the side-by-side picture")

    bad = pathlib.Path(d) / "bad.toml"
    text = pathlib.Path(short).read_text().replace("floor = 1\ncap = 32\ninitial = 4", "floor = 1\ncap = 32\ninitial = 40")
    bad.write_text(text)
    line = text.splitlines().index("initial = 40") + 1
    r = run("--scenario", str(bad), "--out", str(out))
    check(r.returncode == 2, f"a malformed scenario exits 2 (got {r.returncode})")
    check(f"{bad}:{line}:" in r.stderr and "initial 40 is above cap 32" in r.stderr,
          f"the refusal names file, line {line} and reason: {r.stderr!r}")
    r = run("--scenario", short, "--compare", "static,greedy")
    check(r.returncode == 2 and "'greedy' is not a policy" in r.stderr, "an unknown policy is refused")
    r = run("--scenario", short, "--compare", "static", "--policy", "reactive")
    check(r.returncode == 2 and "exclude each other" in r.stderr, "--policy with --compare is refused")
    r = run("--compare", "static")
    check(r.returncode == 2 and "need --scenario" in r.stderr, "--compare without --scenario is refused")

print("scenario-cli:", "FAILED" if failures else "ok")
sys.exit(1 if failures else 0)
