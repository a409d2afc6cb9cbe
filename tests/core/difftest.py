#!/usr/bin/env python3
"""Differential testing of the Shoal core against QEMU (qemu-system-riscv32, an independent
RV32IM implementation).

Generates seeded random RV32IM programs -- ALU and immediate ops, lui/auipc, all eight M
instructions, loads and stores of every width into a scratch area, forward-only branches, jal
and jalr -- so every program terminates. Each program ends by storing x1..x31 and the scratch
area into a signature (begin_signature .. end_signature), then writes `tohost` = 1, then prints
the signature in hex on the QEMU virt UART and exits QEMU through its test finisher. The same
ELF runs on both: the Shoal testbench stops at the tohost write and reads the signature from
data RAM. Any difference fails the test and names the seed so it can be replayed.

  difftest.py --gcc G --qemu Q --tb core_tb [--count N] [--seed S] [--length L] [--keep DIR]

SHOAL_DIFF_COUNT in the environment overrides --count (run more on demand).
Python standard library only.
"""
from __future__ import annotations

import argparse
import concurrent.futures as cf
import os
import random
import subprocess
import sys
import tempfile
from pathlib import Path

ARCH = ["-march=rv32im", "-misa-spec=2.2", "-mabi=ilp32"]
SCRATCH_WORDS = 64
SPECIAL = [0, 1, -1, 2, 0x7FFFFFFF, -0x80000000, -0x7FFFFFFF, 0x80, 0xFFFF, -2, 31, 32]

R_OPS = ["add", "sub", "sll", "slt", "sltu", "xor", "srl", "sra", "or", "and"]
M_OPS = ["mul", "mulh", "mulhsu", "mulhu", "div", "divu", "rem", "remu"]
I_OPS = ["addi", "slti", "sltiu", "xori", "ori", "andi"]
SH_OPS = ["slli", "srli", "srai"]
LOADS = [("lb", 1), ("lh", 2), ("lw", 4), ("lbu", 1), ("lhu", 2)]
STORES = [("sb", 1), ("sh", 2), ("sw", 4)]
BRANCHES = ["beq", "bne", "blt", "bge", "bltu", "bgeu"]

BASE = 31  # x31 holds the scratch-area address and is never a destination


def gen_program(seed: int, length: int) -> str:
    rnd = random.Random(seed)
    # a small register window some of the time, to make dependencies (forwarding) frequent
    def reg(dest: bool = False) -> int:
        if rnd.random() < 0.5:
            pool = list(range(10, 16))
        else:
            pool = list(range(1, 31))
        if dest and rnd.random() < 0.03:
            return 0
        if not dest and rnd.random() < 0.05:
            return 0
        return rnd.choice(pool)

    out = ["  .section .text.init, \"ax\"", "  .globl _start", "_start:"]
    for r in range(1, 31):
        v = rnd.choice(SPECIAL) if rnd.random() < 0.4 else rnd.randint(-2**31, 2**31 - 1)
        out.append(f"  li x{r}, {v}")
    out.append(f"  la x{BASE}, scratch")
    body = []
    label = 0
    pending: list[tuple[int, str]] = []   # (instructions left before the label, label)
    i = 0
    while i < length:
        k = rnd.random()
        if k < 0.25:
            body.append(f"  {rnd.choice(R_OPS)} x{reg(True)}, x{reg()}, x{reg()}")
        elif k < 0.40:
            body.append(f"  {rnd.choice(M_OPS)} x{reg(True)}, x{reg()}, x{reg()}")
        elif k < 0.55:
            imm = rnd.choice([0, 1, -1, 2047, -2048]) if rnd.random() < 0.3 else rnd.randint(-2048, 2047)
            body.append(f"  {rnd.choice(I_OPS)} x{reg(True)}, x{reg()}, {imm}")
        elif k < 0.62:
            sh = rnd.choice([0, 1, 31]) if rnd.random() < 0.3 else rnd.randint(0, 31)
            body.append(f"  {rnd.choice(SH_OPS)} x{reg(True)}, x{reg()}, {sh}")
        elif k < 0.65:
            body.append(f"  lui x{reg(True)}, {rnd.randint(0, 0xFFFFF)}")
        elif k < 0.67:
            body.append(f"  auipc x{reg(True)}, {rnd.randint(0, 0xFFFFF)}")
        elif k < 0.78:
            name, size = rnd.choice(LOADS)
            off = rnd.randrange(0, SCRATCH_WORDS * 4, size)
            body.append(f"  {name} x{reg(True)}, {off}(x{BASE})")
        elif k < 0.88:
            name, size = rnd.choice(STORES)
            off = rnd.randrange(0, SCRATCH_WORDS * 4, size)
            body.append(f"  {name} x{reg()}, {off}(x{BASE})")
        elif k < 0.96:
            label += 1
            body.append(f"  {rnd.choice(BRANCHES)} x{reg()}, x{reg()}, L{label}")
            pending.append((rnd.randint(1, 4), f"L{label}"))
        elif k < 0.98:
            label += 1
            body.append(f"  jal x{reg(True)}, L{label}")
            pending.append((rnd.randint(1, 3), f"L{label}"))
        else:
            # jalr over the next instruction through an auipc-computed address
            t = rnd.choice(range(1, 31))
            d = reg(True)
            body.append(f"  auipc x{t}, 0")
            body.append(f"  jalr x{d}, 12(x{t})")
            body.append(f"  addi x{reg(True)}, x{reg()}, 1")
            i += 2
        i += 1
        still = []
        for left, lab in pending:
            if left <= 1:
                body.append(f"{lab}:")
            else:
                still.append((left - 1, lab))
        pending = still
    for _, lab in pending:
        body.append(f"{lab}:")
    out += body
    # epilogue: signature, tohost, then (QEMU only) print and exit
    for r in range(1, 32):
        out.append(f"  sw x{r}, {-128 + 4 * r}(x{BASE})")
    out += [
        "  la t0, tohost", "  li t1, 1", "  sw t1, 0(t0)", "  sw zero, 4(t0)",
        "  la a0, begin_signature", "  la a1, end_signature", "  li a2, 0x10000000",
        "1: lw a3, 0(a0)", "  li a4, 8",
        "2: srli a5, a3, 28", "  slli a3, a3, 4", "  addi a5, a5, 48", "  li a6, 58",
        "  blt a5, a6, 3f", "  addi a5, a5, 39",
        "3: sb a5, 0(a2)", "  addi a4, a4, -1", "  bnez a4, 2b",
        "  li a5, 10", "  sb a5, 0(a2)", "  addi a0, a0, 4", "  bltu a0, a1, 1b",
        "  li a0, 0x100000", "  li a1, 0x5555", "  sw a1, 0(a0)",
        "4: j 4b",
        "  .section .tohost, \"aw\", @progbits", "  .align 3", "  .globl tohost",
        "tohost: .word 0, 0", "  .size tohost, 8",
        "  .data", "  .align 4", "  .globl begin_signature", "begin_signature:",
        "  .space 128", "scratch:",
    ]
    words = [rnd.randint(0, 2**32 - 1) for _ in range(SCRATCH_WORDS)]
    out += [f"  .word {w:#010x}" for w in words]
    out += ["  .globl end_signature", "end_signature:", ""]
    return "\n".join(out)


def build(args, d: Path, seed: int) -> Path:
    src = d / f"diff_{seed}.S"
    elf = d / f"diff_{seed}.elf"
    src.write_text(gen_program(seed, args.length))
    subprocess.run([args.gcc, *ARCH, "-nostdlib", "-nostartfiles", "-static", "-T", args.ld,
                    str(src), "-o", str(elf)], check=True, capture_output=True, text=True)
    return elf


def run_qemu(args, elf: Path) -> list[str]:
    r = subprocess.run([args.qemu, "-M", "virt", "-nographic", "-bios", "none", "-m", "128M",
                        "-kernel", str(elf)], capture_output=True, text=True, timeout=60)
    return [ln.strip() for ln in r.stdout.splitlines() if ln.strip()]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--gcc", required=True)
    ap.add_argument("--qemu", required=True)
    ap.add_argument("--tb", required=True, help="core_tb executable")
    ap.add_argument("--ld", required=True, help="linker script (tests/core/isa/link.ld)")
    ap.add_argument("--count", type=int, default=200)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--length", type=int, default=120, help="random instructions per program")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--keep", type=Path, help="keep the generated programs here")
    args = ap.parse_args()
    count = int(os.environ.get("SHOAL_DIFF_COUNT", args.count))
    seeds = [args.seed + i for i in range(count)]

    with tempfile.TemporaryDirectory() as tmp:
        d = args.keep or Path(tmp)
        d.mkdir(parents=True, exist_ok=True)
        with cf.ThreadPoolExecutor(args.jobs) as ex:
            elfs = list(ex.map(lambda s: build(args, d, s), seeds))
            qemu = list(ex.map(lambda e: run_qemu(args, e), elfs))
        # all programs through one testbench process
        r = subprocess.run([args.tb, "--quiet", "--signature", "--max-cycles", "200000",
                            *map(str, elfs)], capture_output=True, text=True)
        if r.returncode != 0:
            print(r.stdout[-3000:], r.stderr[-3000:])
            print("difftest: the core did not finish every program")
            return 1
        ours: dict[str, list[str]] = {}
        cur = None
        for ln in r.stdout.splitlines():
            if ln.startswith("SIG "):
                cur = ln[4:].strip()
                ours[cur] = []
            elif cur is not None and ln.strip():
                ours[cur].append(ln.strip())
        bad = 0
        nwords = 32 + SCRATCH_WORDS
        for seed, elf, q in zip(seeds, elfs, qemu):
            o = ours.get(str(elf), [])
            if len(q) != nwords or len(o) != nwords or q != o:
                bad += 1
                if bad <= 5:
                    print(f"MISMATCH seed {seed} ({elf}):")
                    if len(q) != nwords:
                        print(f"  QEMU printed {len(q)} words (expected {nwords})")
                    for idx, (a, b) in enumerate(zip(q, o)):
                        if a != b:
                            what = f"x{idx}" if idx < 32 else f"scratch[{idx - 32}]"
                            print(f"  {what}: qemu {a} core {b}")
        print(f"difftest: {count - bad}/{count} programs agree with QEMU "
              f"(seeds {seeds[0]}..{seeds[-1]}, {args.length} instructions each)")
        return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
