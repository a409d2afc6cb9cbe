#!/usr/bin/env python3
"""Synthesize a Shoal RTL top with Yosys for iCE40 and check it, optionally placing and routing
with nextpnr-ice40 to report Fmax.

  synth_check.py --top shoal_card --out build/synth/card -- pkg.sv a.sv b.sv

Fails (exit 1) when Yosys rejects the sources, when `check -assert` finds a problem (multiple
drivers, undriven wires, combinational loops) or when any latch is inferred. Writes
OUT.log (the Yosys log) and OUT.json ({"luts", "ffs", "brams", "cells", "fmax_mhz"}), and prints
a one-line summary. Python standard library only.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
from pathlib import Path


def run_yosys(a, sources: list[str], out: Path) -> tuple[int, str]:
    defs = " ".join(f"-D{d}" for d in a.defines)
    boxes = [b for b in a.blackbox]
    script = [f"read_verilog -sv {defs} {' '.join(s for s in sources if s not in boxes)}"]
    if boxes:
        # interfaces only: these modules are synthesized (and checked) by their own tests
        script += [f"read_verilog -sv -lib {defs} {' '.join(boxes)}"]
    if a.params:
        # chparam derives the top under a new name; auto-top finds it (the sources must hold a
        # single hierarchy) and rename -top gives it its name back for synth_ice40 -top. (Yosys
        # 0.23's hierarchy -chparam trips an internal assertion on some designs.)
        sets = " ".join(f"-set {k} {v}" for k, _, v in (p.partition("=") for p in a.params))
        script += [f"chparam {sets} {a.top}", "hierarchy -check -auto-top", f"rename -top {a.top}"]
    else:
        script += [f"hierarchy -check -top {a.top}"]
    script += [
        "proc",
        # no latches: a latch after proc means an incompletely assigned always_comb
        "select -assert-none t:$dlatch t:$adlatch t:$dlatchsr t:$sr",
        f"synth_ice40 -top {a.top}" + (f" -json {out}.netlist.json" if a.nextpnr else ""),
        "check -assert",
        "tee -o " + str(out) + ".stat stat",
    ]
    res = subprocess.run([a.yosys, "-q", "-l", f"{out}.log", "-p", "; ".join(script)],
                         capture_output=True, text=True)
    return res.returncode, res.stdout + res.stderr


def parse_stat(text: str) -> dict:
    cells = {}
    for m in re.finditer(r"^\s+(\S+)\s+(\d+)\s*$", text, re.M):
        cells[m.group(1)] = int(m.group(2))
    luts = cells.get("SB_LUT4", 0)
    ffs = sum(v for k, v in cells.items() if k.startswith("SB_DFF"))
    brams = sum(v for k, v in cells.items() if k.startswith("SB_RAM40"))
    carry = cells.get("SB_CARRY", 0)
    m = re.search(r"Number of cells:\s+(\d+)", text)
    return {"luts": luts, "ffs": ffs, "brams": brams, "carries": carry,
            "cells": int(m.group(1)) if m else sum(cells.values())}


def run_nextpnr(a, out: Path) -> float | None:
    cmd = [a.nextpnr_bin, f"--{a.device}", "--package", a.package, "--freq", str(a.freq),
           "--timing-allow-fail", "--json", f"{out}.netlist.json", "--seed", "1", "-q",
           "--log", f"{out}.pnr.log"]
    res = subprocess.run(cmd, capture_output=True, text=True)
    log = Path(f"{out}.pnr.log").read_text() if Path(f"{out}.pnr.log").exists() else ""
    if res.returncode != 0:
        print(f"synth_check: nextpnr failed:\n{res.stderr[-2000:]}", file=sys.stderr)
        return None
    fm = re.findall(r"Max frequency for clock\s+'[^']*':\s+([\d.]+)\s+MHz", log)
    return min(float(x) for x in fm) if fm else None


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--yosys", default="yosys")
    ap.add_argument("--top", required=True)
    ap.add_argument("--out", required=True, type=Path, help="output path prefix")
    ap.add_argument("--params", nargs="*", default=[], help="top-level parameters K=V")
    ap.add_argument("--defines", nargs="*", default=[], help="preprocessor defines")
    ap.add_argument("--blackbox", nargs="*", default=[],
                    help="source files read as interfaces only (black boxes), e.g. blocks "
                         "whose own synthesis is checked elsewhere")
    ap.add_argument("--nextpnr", action="store_true", help="also place and route for Fmax")
    ap.add_argument("--nextpnr-bin", default="nextpnr-ice40")
    ap.add_argument("--device", default="up5k", help="nextpnr-ice40 device flag (up5k, hx8k)")
    ap.add_argument("--package", default="sg48")
    ap.add_argument("--freq", type=float, default=50)
    ap.add_argument("sources", nargs="+")
    a = ap.parse_args(argv)
    a.out.parent.mkdir(parents=True, exist_ok=True)
    rc, text = run_yosys(a, a.sources, a.out)
    if rc != 0:
        log = Path(f"{a.out}.log").read_text() if Path(f"{a.out}.log").exists() else ""
        errs = [ln for ln in (text + log).splitlines() if "ERROR" in ln or "rror:" in ln]
        print(f"synth_check[{a.top}]: Yosys failed (log: {a.out}.log)", file=sys.stderr)
        print("\n".join(errs[-20:]) or text[-3000:], file=sys.stderr)
        return 1
    stats = parse_stat(Path(f"{a.out}.stat").read_text())
    stats["fmax_mhz"] = run_nextpnr(a, a.out) if a.nextpnr else None
    stats["top"] = a.top
    stats["params"] = dict(p.partition("=")[::2] for p in a.params)
    Path(f"{a.out}.json").write_text(json.dumps(stats, indent=2) + "\n")
    fm = f", Fmax {stats['fmax_mhz']:.1f} MHz ({a.device})" if stats["fmax_mhz"] else ""
    print(f"synth_check[{a.top}]: OK: {stats['luts']} SB_LUT4, {stats['ffs']} DFF, "
          f"{stats['brams']} BRAM, {stats['cells']} cells, no latches{fm}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
