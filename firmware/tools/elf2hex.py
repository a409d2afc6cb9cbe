#!/usr/bin/env python3
"""Turns a Shoal firmware ELF into RAM images for the core complex.

  elf2hex.py FW.elf --iram-base 0x80000000 --iram-size 16384 \
                    --dram-base 0x80100000 --dram-size 16384 --out PREFIX

Writes PREFIX.iram.hex and PREFIX.dram.hex ($readmemh: one 32-bit little-endian word per line,
from the start of each RAM, the whole RAM) and PREFIX.bin (the IRAM image followed by the DRAM
image). Fails with a clear message when a loadable segment lies outside both RAMs (the image
does not fit) or the file is not a 32-bit RISC-V ELF. Python standard library only.
"""
import argparse
import struct
import sys
from pathlib import Path


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("elf", type=Path)
    ap.add_argument("--iram-base", type=lambda x: int(x, 0), required=True)
    ap.add_argument("--iram-size", type=lambda x: int(x, 0), required=True)
    ap.add_argument("--dram-base", type=lambda x: int(x, 0), required=True)
    ap.add_argument("--dram-size", type=lambda x: int(x, 0), required=True)
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    f = a.elf.read_bytes()
    if f[:4] != b"\x7fELF" or f[4] != 1 or f[5] != 1:
        print(f"elf2hex: {a.elf}: not a 32-bit little-endian ELF", file=sys.stderr)
        return 1
    machine, = struct.unpack_from("<H", f, 18)
    if machine != 243:
        print(f"elf2hex: {a.elf}: not a RISC-V ELF", file=sys.stderr)
        return 1
    phoff, = struct.unpack_from("<I", f, 28)
    phentsize, phnum = struct.unpack_from("<HH", f, 42)
    iram = bytearray(a.iram_size)
    dram = bytearray(a.dram_size)
    for i in range(phnum):
        ptype, off, _va, pa, filesz, memsz = struct.unpack_from("<IIIIII", f, phoff + i * phentsize)
        if ptype != 1 or memsz == 0:
            continue
        data = f[off:off + filesz] + bytes(memsz - filesz)
        for base, size, mem, name in ((a.iram_base, a.iram_size, iram, "IRAM"),
                                      (a.dram_base, a.dram_size, dram, "DRAM")):
            if base <= pa < base + size:
                if pa + memsz > base + size:
                    print(f"elf2hex: segment at {pa:#x} ({memsz} bytes) does not fit in {name} "
                          f"({size} bytes at {base:#x})", file=sys.stderr)
                    return 1
                mem[pa - base:pa - base + memsz] = data
                break
        else:
            print(f"elf2hex: segment at {pa:#x} lies outside IRAM and DRAM", file=sys.stderr)
            return 1
    for mem, name in ((iram, "iram"), (dram, "dram")):
        words = struct.unpack(f"<{len(mem) // 4}I", mem)
        Path(f"{a.out}.{name}.hex").write_text("".join(f"{w:08x}\n" for w in words))
    Path(f"{a.out}.bin").write_bytes(bytes(iram) + bytes(dram))
    return 0


if __name__ == "__main__":
    sys.exit(main())
