#!/usr/bin/env python3
"""Writes alu.S and muldiv.S: arithmetic conformance cases with expected values computed here
from the RISC-V ISA definitions (Python standard library; run by hand, output committed)."""
from pathlib import Path

M = 0xFFFFFFFF
def s32(x): x &= M; return x - (1 << 32) if x >> 31 else x
def sx12(x): return x - 4096 if x & 0x800 else x

def op(name, a, b):
    a &= M; b &= M; sa, sb = s32(a), s32(b)
    if name == "add": return a + b
    if name == "sub": return a - b
    if name == "sll": return a << (b & 31)
    if name == "slt": return int(sa < sb)
    if name == "sltu": return int(a < b)
    if name == "xor": return a ^ b
    if name == "srl": return a >> (b & 31)
    if name == "sra": return sa >> (b & 31)
    if name == "or": return a | b
    if name == "and": return a & b
    if name == "mul": return a * b
    if name == "mulh": return (sa * sb) >> 32
    if name == "mulhsu": return (sa * b) >> 32
    if name == "mulhu": return (a * b) >> 32
    if name in ("div", "divu", "rem", "remu"):
        x, y = (sa, sb) if name in ("div", "rem") else (a, b)
        if y == 0: return M if name.startswith("div") else x
        if name == "div" and sa == -2**31 and sb == -1: return sa
        if name == "rem" and sa == -2**31 and sb == -1: return 0
        q = abs(x) // abs(y)
        if (x < 0) != (y < 0): q = -q
        return q if name.startswith("div") else x - q * y
    raise KeyError(name)

VALS = [0, 1, 2, 3, 7, 0x7FFFFFFF, 0x80000000, 0x80000001, 0xFFFFFFFF, 0xFFFFFFFE,
        0x12345678, 0xDEADBEEF, 0x0000FFFF, 0xFFFF0000, 0x55555555, 0xAAAAAAAA, 31, 32, 33]
PAIRS = [(a, b) for a in VALS for b in VALS]

def pick(pairs, step):
    return pairs[::step]

lines_alu, lines_md = [], []
n = [0]
def case(buf, text):
    n[0] += 1
    buf.append(text.format(n=n[0]))

def rr(buf, name, a, b, bypass=False):
    e = op(name, a, b) & M
    macro = "TEST_RR_BYPASS" if bypass else "TEST_RR"
    case(buf, f"  {macro}({{n}}, {name}, 0x{e:08x}, 0x{a:08x}, 0x{b:08x})")

def ri(buf, name, iname, a, imm):
    b = imm & M if iname not in ("slli", "srli", "srai") else imm
    e = op(name, a, b) & M
    case(buf, f"  TEST_RI({{n}}, {iname}, 0x{e:08x}, 0x{a:08x}, {imm})")

ALU = ["add", "sub", "sll", "slt", "sltu", "xor", "srl", "sra", "or", "and"]
for name in ALU:
    for a, b in pick(PAIRS, 7):
        rr(lines_alu, name, a, b)
    rr(lines_alu, name, 0x80000000, 0xFFFFFFFF, bypass=True)
    e = op(name, 13, 11) & M
    case(lines_alu, f"  TEST_RR_SRC1_DEST({{n}}, {name}, 0x{e:08x}, 13, 11)")
    case(lines_alu, f"  TEST_RR_SRC2_DEST({{n}}, {name}, 0x{e:08x}, 13, 11)")
    case(lines_alu, f"  TEST_RR_X0({{n}}, {name}, 13, 11)")
IMMS = [0, 1, -1, 2047, -2048, 0x555, -0x556, 7]
for name, iname in [("add", "addi"), ("slt", "slti"), ("sltu", "sltiu"), ("xor", "xori"),
                    ("or", "ori"), ("and", "andi")]:
    for a in VALS[::2]:
        for imm in IMMS:
            ri(lines_alu, name, iname, a, imm)
for name, iname in [("sll", "slli"), ("srl", "srli"), ("sra", "srai")]:
    for a in VALS[::2]:
        for sh in (0, 1, 4, 15, 16, 30, 31):
            ri(lines_alu, name, iname, a, sh)
# overflow wraps, no trap
case(lines_alu, "  TEST_RR({n}, add, 0x80000000, 0x7fffffff, 1)")
case(lines_alu, "  TEST_RR({n}, sub, 0x7fffffff, 0x80000000, 1)")
# lui / auipc
for v in (0, 1, 0x80000, 0xFFFFF, 0x12345):
    case(lines_alu, f"  TEST_CASE({{n}}, a3, 0x{(v << 12) & M:08x}, lui a3, 0x{v:x})")
case(lines_alu, "  TEST_CASE({n}, a3, 0, la a4, 1f; 1: auipc a3, 0; sub a3, a3, a4)")
case(lines_alu, "  TEST_CASE({n}, a3, 0x1000, la a4, 1f; 1: auipc a3, 1; sub a3, a3, a4)")
case(lines_alu, "  TEST_CASE({n}, a3, 0xfffff000, la a4, 1f; 1: auipc a3, 0xfffff; sub a3, a3, a4)")
# x0 as a destination of immediates and lui
case(lines_alu, "  TEST_CASE({n}, a3, 0, addi x0, x0, 5; lui x0, 0x12345; mv a3, x0)")
# long dependency chain through forwarding
case(lines_alu, "  TEST_CASE({n}, a3, 15, li a3, 0; addi a3, a3, 1; addi a3, a3, 2; addi a3, a3, 3;"
                " addi a3, a3, 4; addi a3, a3, 5)")

MD = ["mul", "mulh", "mulhsu", "mulhu", "div", "divu", "rem", "remu"]
n[0] = 0
for name in MD:
    for a, b in pick(PAIRS, 5):
        rr(lines_md, name, a, b)
    rr(lines_md, name, 0x80000000, 0xFFFFFFFF, bypass=True)
    for a, b in [(0x80000000, 0xFFFFFFFF), (0x80000000, 1), (5, 0), (0xFFFFFFFB, 0), (0, 0),
                 (0xFFFFFFFF, 0xFFFFFFFF), (0x80000000, 0x80000000), (7, 0xFFFFFFFE),
                 (0xFFFFFFF9, 2), (0xFFFFFFF9, 0xFFFFFFFE)]:
        rr(lines_md, name, a, b)
    e = op(name, 1234567, 89) & M
    case(lines_md, f"  TEST_RR_SRC1_DEST({{n}}, {name}, 0x{e:08x}, 1234567, 89)")
    case(lines_md, f"  TEST_RR_SRC2_DEST({{n}}, {name}, 0x{e:08x}, 1234567, 89)")
    case(lines_md, f"  TEST_RR_X0({{n}}, {name}, 1234567, 89)")
# back-to-back divides and a divide feeding a multiply
case(lines_md, "  TEST_CASE({n}, a3, 6, li a1, 100; li a2, 7; div a3, a1, a2; div a3, a3, a2; mul a3, a3, a2;"
               " addi a3, a3, -8)")

hdr = ('/* Generated by gen_arith.py (expected values from the ISA definitions). Do not edit. */\n'
       '#include "shoal_test.h"\nTEST_BEGIN\n')
tail = "  j pass\nTEST_END\n"
here = Path(__file__).parent
(here / "alu.S").write_text(hdr + "\n".join(lines_alu) + "\n" + tail)
(here / "muldiv.S").write_text(hdr + "\n".join(lines_md) + "\n" + tail)
