#!/usr/bin/env python3
"""Shoal register-map generator.

Reads the card's register map (rtl/regmap/card.toml and the block files it lists) and writes,
from that single source:

  rtl/shoal_regs_pkg.sv        SystemVerilog package (constants for the RTL)
  include/shoal/regs.h         C header, macros only (firmware, host, and the .dts via cpp)
  include/shoal/regs.hpp       C++ header with constexpr constants and a table of every register
  dts/shoal_regs.dtsi          device-tree fragment (parameters, resources, slices, BAR0 blocks)
  cmake/shoal_params.cmake     the card parameters as CMake variables (SHOAL_PARAM_<NAME>)
  docs/registers/*.md          Markdown register documentation

Everything is validated before anything is written: a bad source prints clear errors to stderr,
exits with status 1 and leaves the output directory untouched. Files whose content did not change
are not rewritten, so the build does not redo work.

Python standard library only (tomllib, Python >= 3.11).
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

ACCESS_TYPES = {
    "ro": "read-only; writes are refused with an error response",
    "rw": "read/write",
    "wo": "write-only; reads return 0",
    "w1c": "read; write 1 to clear a bit, 0 leaves it",
    "w1s": "write 1 to set/trigger; reads 0",
    "rc": "read; reading clears",
}
IDENT = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")


class MapError(Exception):
    pass


@dataclass
class Field:
    name: str
    lsb: int
    width: int
    access: str
    reset: int
    description: str
    values: dict[str, int] = field(default_factory=dict)

    @property
    def mask(self) -> int:
        return ((1 << self.width) - 1) << self.lsb


@dataclass
class Reg:
    name: str
    offset: int
    access: str
    description: str
    count: int
    stride: int
    volatile: bool
    fields: list[Field] = field(default_factory=list)
    fw_write: bool = False  # written by the firmware: read-only from BAR0, writable by the core
    validated: bool = False  # the block checks written values (its description says how) and refuses others

    @property
    def reset(self) -> int:
        v = 0
        for f in self.fields:
            v |= (f.reset << f.lsb)
        return v

    def mask_of(self, access: str) -> int:
        m = 0
        for f in self.fields:
            if f.access == access:
                m |= f.mask
        return m

    @property
    def impl_mask(self) -> int:
        m = 0
        for f in self.fields:
            m |= f.mask
        return m

    @property
    def span(self) -> int:
        return (self.count - 1) * self.stride + 4


@dataclass
class Window:
    name: str
    offset: int
    size: int
    access: str
    description: str
    count: int = 1          # a window array: `count` windows, `stride` bytes apart
    stride: int = 0
    fw_write: bool = False  # written by the firmware: read-only from BAR0, writable by the core

    @property
    def span(self) -> int:
        return (self.count - 1) * self.stride + self.size


@dataclass
class Block:
    name: str
    base: int
    size: int
    present: bool
    block_id: int
    version: int
    description: str
    regs: list[Reg] = field(default_factory=list)
    host_write: bool = True  # false: the host may only read it (the firmware drives it)
    windows: list[Window] = field(default_factory=list)


@dataclass
class Resource:
    name: str
    description: str
    units: int


@dataclass
class Slice:
    """An accelerator slice (seed 004): an addressable unit of a reconfigurable resource that the
    card's allocation service grants to a local partition or lends to another server."""
    name: str
    capability: str
    version: int
    units: int
    resource: int | None  # index of the [[resource]] pool its units come out of
    partitions: int       # bit p: partition p may use it
    lendable: bool        # may be lent to other servers through the fabric
    description: str


@dataclass
class Card:
    name: str
    description: str
    version: tuple[int, int, int]
    bar0_size: int
    data_width: int
    params: dict[str, int]
    resources: list[Resource]
    blocks: list[Block]
    windows: list[Window]
    slices: list[Slice] = field(default_factory=list)


# ------------------------------------------------------------------------------------------
# Loading and validation


class Loader:
    def __init__(self) -> None:
        self.errors: list[str] = []
        self.card: Card | None = None

    def err(self, where: str, msg: str) -> None:
        self.errors.append(f"{where}: {msg}")

    def need(self, d: dict, key: str, typ, where: str, default=None):
        if key not in d:
            if default is not None:
                return default
            self.err(where, f"missing required key '{key}'")
            return None
        v = d[key]
        if typ is int and isinstance(v, bool):
            self.err(where, f"'{key}' must be an integer, not a boolean")
            return None
        if not isinstance(v, typ):
            self.err(where, f"'{key}' must be {typ.__name__}, got {type(v).__name__} ({v!r})")
            return None
        return v

    def check_keys(self, d: dict, allowed: set[str], where: str) -> None:
        for k in d:
            if k not in allowed:
                self.err(where, f"unknown key '{k}' (allowed: {', '.join(sorted(allowed))})")

    def ident(self, name, where: str) -> bool:
        if not isinstance(name, str) or not IDENT.match(name):
            self.err(where, f"name {name!r} is not a valid identifier")
            return False
        return True

    def load(self, card_path: Path) -> Card:
        try:
            top = tomllib.loads(card_path.read_text())
        except (OSError, tomllib.TOMLDecodeError) as e:
            raise MapError(f"{card_path}: cannot read: {e}") from e
        where = str(card_path)
        self.check_keys(top, {"card", "params", "resource", "slice", "block", "window"}, where)
        c = top.get("card", {})
        self.check_keys(c, {"name", "description", "version_major", "version_minor",
                            "version_patch", "bar0_size", "data_width"}, f"{where} [card]")
        name = self.need(c, "name", str, f"{where} [card]") or "card"
        desc = c.get("description", "")
        ver = tuple(self.need(c, k, int, f"{where} [card]") or 0
                    for k in ("version_major", "version_minor", "version_patch"))
        for k, v in zip(("version_major", "version_minor", "version_patch"), ver):
            if not 0 <= v <= 255:
                self.err(f"{where} [card]", f"{k} = {v} does not fit in 8 bits")
        bar0 = self.need(c, "bar0_size", int, f"{where} [card]") or 0
        dw = self.need(c, "data_width", int, f"{where} [card]") or 32
        if dw != 32:
            self.err(f"{where} [card]", f"data_width {dw} unsupported (only 32)")
        if bar0 <= 0 or bar0 & (bar0 - 1):
            self.err(f"{where} [card]", f"bar0_size {bar0:#x} must be a power of two")

        params = {}
        for k, v in top.get("params", {}).items():
            if not self.ident(k, f"{where} [params]"):
                continue
            if not isinstance(v, int) or isinstance(v, bool) or v < 0:
                self.err(f"{where} [params]", f"'{k}' must be a non-negative integer")
                continue
            params[k] = v

        resources = []
        for i, r in enumerate(top.get("resource", [])):
            w = f"{where} [[resource]] #{i}"
            self.check_keys(r, {"name", "description", "units"}, w)
            rn = self.need(r, "name", str, w)
            units = self.need(r, "units", int, w)
            if rn is None or units is None or not self.ident(rn, w):
                continue
            if units <= 0:
                self.err(w, f"resource '{rn}' must have at least one unit")
            resources.append(Resource(rn, r.get("description", ""), units))
        self.unique([r.name for r in resources], f"{where} resources")
        if "num_resource_types" in params and params["num_resource_types"] != len(resources):
            self.err(f"{where} [params]", f"num_resource_types = {params['num_resource_types']} "
                     f"but {len(resources)} [[resource]] entries are listed")

        card = Card(name, desc, ver, bar0, dw, params, resources, [], [])
        self.card = card
        if "num_queues" in params and "num_partitions" in params and \
                params["num_queues"] != params["num_partitions"] + 1:
            self.err(f"{where} [params]", f"num_queues = {params['num_queues']} must be "
                     f"num_partitions + 1 = {params['num_partitions'] + 1} (the admin queue and "
                     "one per partition)")
        card.slices = self.load_slices(top.get("slice", []), card, where)

        # blocks: first pass for names/presence (needed by @present.X), second for contents
        raw_blocks = []
        for i, b in enumerate(top.get("block", [])):
            w = f"{where} [[block]] #{i}"
            self.check_keys(b, {"name", "base", "size", "file", "present", "host_write"}, w)
            bn = self.need(b, "name", str, w)
            base = self.need(b, "base", int, w)
            size = self.need(b, "size", int, w)
            fname = self.need(b, "file", str, w)
            present = b.get("present", True)
            if not isinstance(present, bool):
                self.err(w, "'present' must be true or false")
                present = False
            host_write = b.get("host_write", True)
            if not isinstance(host_write, bool):
                self.err(w, "'host_write' must be true or false")
                host_write = True
            if None in (bn, base, size, fname) or not self.ident(bn, w):
                continue
            raw_blocks.append((bn, base, size, card_path.parent / fname, present, host_write))
        self.unique([rb[0] for rb in raw_blocks], f"{where} blocks")
        present = {rb[0]: rb[4] for rb in raw_blocks}

        for bn, base, size, path, pres, hw in raw_blocks:
            blk = self.load_block(path, bn, base, size, pres, card, present)
            blk.host_write = hw
            card.blocks.append(blk)

        for i, wd in enumerate(top.get("window", [])):
            w = f"{where} [[window]] #{i}"
            win = self.load_window(wd, w, "base")
            if win:
                card.windows.append(win)
        self.unique([x.name for x in card.windows] + [b.name for b in card.blocks],
                    f"{where} blocks and windows")

        # BAR0 layout: blocks and top-level windows must not overlap and must fit
        spans = [(b.base, b.size, f"block '{b.name}'") for b in card.blocks]
        spans += [(x.offset, x.size, f"window '{x.name}'") for x in card.windows]
        for base, size, what in spans:
            if base % 4 or size <= 0 or size % 4:
                self.err(where, f"{what}: base {base:#x} and size {size:#x} must be word multiples")
            if base + size > bar0:
                self.err(where, f"{what} [{base:#x}, {base + size:#x}) lies outside BAR0 "
                         f"(size {bar0:#x})")
        self.overlaps(spans, where)
        return card

    def load_slices(self, raw: list, card: Card, where: str) -> list[Slice]:
        """[[slice]]: name, capability, version, units, resource (a [[resource]] name, optional),
        partitions ("all" or a list of partition numbers), lendable (default true), description."""
        nparts = card.params.get("num_partitions", 0)
        res_index = {r.name: i for i, r in enumerate(card.resources)}
        out: list[Slice] = []
        for i, sl in enumerate(raw):
            w = f"{where} [[slice]] #{i}"
            self.check_keys(sl, {"name", "capability", "version", "units", "resource",
                                 "partitions", "lendable", "description"}, w)
            sn = self.need(sl, "name", str, w)
            cap = self.need(sl, "capability", str, w)
            ver = self.need(sl, "version", int, w)
            units = self.need(sl, "units", int, w)
            if None in (sn, cap, ver, units) or not self.ident(sn, w) or not self.ident(cap, w):
                continue
            if len(sn) >= 32 or len(cap) >= 32:
                self.err(w, "name and capability must be shorter than 32 characters")
            if ver <= 0 or ver > 0xffffffff:
                self.err(w, f"version {ver} must be 1..2^32-1")
            if units <= 0:
                self.err(w, f"slice '{sn}' must have at least one unit")
            rindex = None
            if "resource" in sl:
                rn = self.need(sl, "resource", str, w)
                if rn is not None and rn not in res_index:
                    self.err(w, f"resource '{rn}' is not a [[resource]]")
                rindex = res_index.get(rn)
            parts = sl.get("partitions", "all")
            mask = 0
            if parts == "all":
                mask = (1 << min(nparts, 64)) - 1
            elif isinstance(parts, list) and parts and all(
                    isinstance(p, int) and not isinstance(p, bool) for p in parts):
                for p in parts:
                    if not 0 <= p < min(nparts, 64):
                        self.err(w, f"partition {p} is outside 0..{min(nparts, 64) - 1}")
                    else:
                        mask |= 1 << p
            else:
                self.err(w, "'partitions' must be \"all\" or a non-empty list of partition numbers")
            lendable = sl.get("lendable", True)
            if not isinstance(lendable, bool):
                self.err(w, "'lendable' must be true or false")
                lendable = False
            out.append(Slice(sn, cap, ver, units, rindex, mask, lendable, sl.get("description", "")))
        self.unique([x.name for x in out], f"{where} slices")
        for ri, r in enumerate(card.resources):
            used = sum(x.units for x in out if x.resource == ri)
            if used > r.units:
                self.err(f"{where} slices", f"the slices take {used} units of '{r.name}', which "
                         f"has only {r.units}")
        return out

    def load_window(self, wd: dict, w: str, base_key: str, in_block: bool = False) -> Window | None:
        keys = {"name", base_key, "size", "access", "description"}
        if in_block:
            keys |= {"count", "stride", "fw_write"}
        self.check_keys(wd, keys, w)
        n = self.need(wd, "name", str, w)
        off = self.need(wd, base_key, int, w)
        size = self.need(wd, "size", int, w)
        acc = self.need(wd, "access", str, w, default="rw")
        if None in (n, off, size) or not self.ident(n, w):
            return None
        if acc not in ("ro", "rw"):
            self.err(w, f"window '{n}': access '{acc}' must be ro or rw")
        count = self.count_of(wd, w, self.card) if in_block else 1
        stride = self.need(wd, "stride", int, w, default=0)
        fww = wd.get("fw_write", False)
        if not isinstance(fww, bool):
            self.err(w, f"window '{n}': 'fw_write' must be true or false")
            fww = False
        if fww and acc != "ro":
            self.err(w, f"window '{n}': fw_write = true needs access = \"ro\" (read-only from BAR0)")
        if count is None or stride is None or count < 1:
            self.err(w, f"window '{n}': count must be >= 1")
            count, stride = 1, 0
        elif count > 1 and (stride < size or stride % 4):
            self.err(w, f"window '{n}': stride {stride:#x} must be a word multiple of at least "
                     f"the size {size:#x}")
            count, stride = 1, 0
        return Window(n, off, size, acc, wd.get("description", ""), count, stride, fww)

    def count_of(self, d: dict, w: str, card: Card | None) -> int | None:
        """An array's element count: an integer, or "@params.NAME"."""
        v = d.get("count", 1)
        if isinstance(v, str) and v.startswith("@params.") and card is not None:
            if v[8:] in card.params:
                return card.params[v[8:]]
            self.err(w, f"count '{v}' names no card parameter")
            return None
        if not isinstance(v, int) or isinstance(v, bool):
            self.err(w, f"count {v!r} must be an integer or @params.NAME")
            return None
        return v

    def resolve(self, v, w: str, block: dict, card: Card, present: dict[str, bool]) -> int | None:
        if isinstance(v, int) and not isinstance(v, bool):
            return v
        if isinstance(v, str) and v.startswith("@"):
            ref = v[1:]
            if ref in ("id", "version"):
                if ref == "id" and isinstance(block.get("id"), int):
                    return block["id"]
                if ref == "version" and isinstance(block.get("version"), int):
                    return block["version"]
            elif ref.startswith("card."):
                k = ref[5:]
                idx = {"version_major": 0, "version_minor": 1, "version_patch": 2}
                if k in idx:
                    return card.version[idx[k]]
            elif ref.startswith("params."):
                if ref[7:] in card.params:
                    return card.params[ref[7:]]
            elif ref.startswith("present."):
                return 1 if present.get(ref[8:], False) else 0
            self.err(w, f"reset reference '{v}' does not name anything known "
                     "(@id, @version, @card.version_*, @params.NAME, @present.BLOCK)")
            return None
        self.err(w, f"reset value {v!r} must be an integer or an @reference")
        return None

    def load_block(self, path: Path, bn: str, base: int, size: int, pres: bool, card: Card,
                   present: dict[str, bool]) -> Block:
        try:
            d = tomllib.loads(path.read_text())
        except (OSError, tomllib.TOMLDecodeError) as e:
            self.err(str(path), f"cannot read block '{bn}': {e}")
            return Block(bn, base, size, pres, 0, 0, "")
        where = str(path)
        self.check_keys(d, {"name", "description", "id", "version", "reg", "window"}, where)
        if d.get("name") != bn:
            self.err(where, f"block file names '{d.get('name')}' but card.toml lists it as '{bn}'")
        bid = self.need(d, "id", int, where) or 0
        bver = self.need(d, "version", int, where) or 0
        if not 0 <= bid <= 0xFFFF or not 0 <= bver <= 0xFFFF:
            self.err(where, "block id and version must each fit in 16 bits")
        blk = Block(bn, base, size, pres, bid, bver, d.get("description", ""))
        for i, r in enumerate(d.get("reg", [])):
            w = f"{where} [[reg]] #{i}"
            self.check_keys(r, {"name", "offset", "access", "description", "fields", "count",
                                "stride", "volatile", "fw_write", "validated"}, w)
            rn = self.need(r, "name", str, w)
            off = self.need(r, "offset", int, w)
            acc = self.need(r, "access", str, w)
            if None in (rn, off, acc) or not self.ident(rn, w):
                continue
            w = f"{where} register {bn}.{rn}"
            if acc not in ACCESS_TYPES:
                self.err(w, f"unknown access type '{acc}' (known: {', '.join(ACCESS_TYPES)})")
            count = self.count_of(r, w, card)
            stride = self.need(r, "stride", int, w, default=4)
            vol = r.get("volatile", False)
            if not isinstance(vol, bool):
                self.err(w, "'volatile' must be true or false")
                vol = False
            if off % 4:
                self.err(w, f"offset {off:#x} is not word aligned")
            if (count or 0) < 1 or (stride or 0) < 4 or (stride or 0) % 4:
                self.err(w, f"count {count} must be >= 1 and stride {stride} a multiple of 4")
                count, stride = 1, 4
            fww = r.get("fw_write", False)
            if not isinstance(fww, bool):
                self.err(w, "'fw_write' must be true or false")
                fww = False
            if fww and acc not in ("ro", "wo"):
                self.err(w, "fw_write = true needs access = \"ro\" or \"wo\" (what BAR0 sees)")
            val = r.get("validated", False)
            if not isinstance(val, bool):
                self.err(w, "'validated' must be true or false")
                val = False
            reg = Reg(rn, off, acc, r.get("description", ""), count, stride, vol, fw_write=fww,
                      validated=val)
            fl = r.get("fields")
            if not isinstance(fl, list) or not fl:
                self.err(w, "needs a non-empty 'fields' list")
                fl = []
            for j, f in enumerate(fl):
                fw = f"{w} field #{j}"
                if not isinstance(f, dict):
                    self.err(fw, "must be a table")
                    continue
                self.check_keys(f, {"name", "lsb", "width", "access", "reset", "description",
                                    "values"}, fw)
                fn = self.need(f, "name", str, fw)
                lsb = self.need(f, "lsb", int, fw)
                width = self.need(f, "width", int, fw)
                facc = self.need(f, "access", str, fw, default=acc)
                if None in (fn, lsb, width) or not self.ident(fn, fw):
                    continue
                fw = f"{w} field '{fn}'"
                if facc not in ACCESS_TYPES:
                    self.err(fw, f"unknown access type '{facc}' (known: {', '.join(ACCESS_TYPES)})")
                if width < 1 or lsb < 0 or lsb + width > card.data_width:
                    self.err(fw, f"bits [{lsb + width - 1}:{lsb}] do not fit a "
                             f"{card.data_width}-bit register")
                    continue
                rv = self.resolve(f.get("reset", 0), fw, d, card, present)
                if rv is None:
                    continue
                if rv < 0 or rv >= (1 << width):
                    self.err(fw, f"reset value {rv:#x} is wider than the field ({width} bits)")
                    continue
                vals = {}
                rawv = f.get("values", {})
                if not isinstance(rawv, dict):
                    self.err(fw, "'values' must be a table of NAME = integer")
                    rawv = {}
                for vn, vv in rawv.items():
                    if not self.ident(vn, fw):
                        continue
                    if not isinstance(vv, int) or isinstance(vv, bool) or not 0 <= vv < (1 << width):
                        self.err(fw, f"value {vn} = {vv!r} does not fit the field ({width} bits)")
                        continue
                    vals[vn] = vv
                reg.fields.append(Field(fn, lsb, width, facc, rv, f.get("description", ""), vals))
            self.unique([x.name for x in reg.fields], f"{w} fields")
            for a in range(len(reg.fields)):
                for b in range(a + 1, len(reg.fields)):
                    fa, fb = reg.fields[a], reg.fields[b]
                    if fa.mask & fb.mask:
                        self.err(w, f"fields '{fa.name}' and '{fb.name}' overlap")
            if off + reg.span > size:
                self.err(w, f"[{off:#x}, {off + reg.span:#x}) lies outside the block (size {size:#x})")
            blk.regs.append(reg)
        for i, wd in enumerate(d.get("window", [])):
            win = self.load_window(wd, f"{where} [[window]] #{i}", "offset", in_block=True)
            if win:
                if win.offset % 4 or win.size % 4 or win.size <= 0:
                    self.err(where, f"window '{win.name}': offset and size must be word multiples")
                if win.offset + win.span > size:
                    self.err(where, f"window '{win.name}' lies outside the block")
                blk.windows.append(win)
        self.unique([r.name for r in blk.regs] + [x.name for x in blk.windows],
                    f"{where} registers and windows")
        if blk.regs and (blk.regs[0].name != "ID" or blk.regs[0].offset != 0):
            self.err(where, "every block must start with an ID register at offset 0")
        # registers (with their array spans) and windows must not overlap inside the block
        spans = []
        for r in blk.regs:
            for k in range(r.count):
                spans.append((r.offset + k * r.stride, 4, f"register {bn}.{r.name}"
                              + (f"[{k}]" if r.count > 1 else "")))
        for x in blk.windows:
            for k in range(x.count):
                spans.append((x.offset + k * x.stride, x.size, f"window {bn}.{x.name}"
                              + (f"[{k}]" if x.count > 1 else "")))
        self.overlaps(spans, where)
        return blk

    def overlaps(self, spans, where: str) -> None:
        s = sorted(spans)
        for (a0, asz, an), (b0, bsz, bn) in zip(s, s[1:]):
            if b0 < a0 + asz:
                self.err(where, f"{an} at {a0:#x} overlaps {bn} at {b0:#x}")

    def unique(self, names: list[str], where: str) -> None:
        seen = set()
        for n in names:
            if n.lower() in seen:
                self.err(where, f"name '{n}' is used twice")
            seen.add(n.lower())


# ------------------------------------------------------------------------------------------
# Emitters

HEADER = "Generated by scripts/regmap_gen.py from the TOML files in rtl/regmap. Do not edit."


def up(s: str) -> str:
    return s.upper()


def emit_sv(card: Card) -> str:
    # A module uses a few of these constants: keep Verilator -Wall quiet about the rest here,
    # once, rather than in every module's lint configuration.
    o = [f"// {HEADER}", "// verilator lint_off UNUSEDPARAM", "package shoal_regs_pkg;", ""]

    def lp(name: str, width: int, value: int) -> None:
        o.append(f"  localparam logic [{width - 1}:0] {name} = {width}'h{value:x};")

    def ip(name: str, value: int) -> None:
        o.append(f"  localparam int unsigned {name} = {value};")

    vmaj, vmin, vpat = card.version
    ip("CARD_VERSION_MAJOR", vmaj)
    ip("CARD_VERSION_MINOR", vmin)
    ip("CARD_VERSION_PATCH", vpat)
    ip("BAR0_SIZE", card.bar0_size)
    ip("BAR0_AW", card.bar0_size.bit_length() - 1)
    for k, v in card.params.items():
        ip(f"PARAM_{up(k)}", v)
    for i, r in enumerate(card.resources):
        ip(f"RES_{up(r.name)}", i)
        ip(f"RES_{up(r.name)}_UNITS", r.units)
    for w in card.windows:
        o.append("")
        lp(f"WIN_{up(w.name)}_BASE", 32, w.offset)
        lp(f"WIN_{up(w.name)}_SIZE", 32, w.size)
    for b in card.blocks:
        B = up(b.name)
        o += ["", f"  // ---- block {b.name}: {b.description}"]
        lp(f"{B}_BASE", 32, b.base)
        lp(f"{B}_SIZE", 32, b.size)
        ip(f"{B}_PRESENT", int(b.present))
        ip(f"{B}_HOST_WRITE", int(b.host_write))
        lp(f"{B}_BLOCK_ID", 16, b.block_id)
        lp(f"{B}_BLOCK_VERSION", 16, b.version)
        for w in b.windows:
            lp(f"{B}_{up(w.name)}_OFFSET", 32, w.offset)
            lp(f"{B}_{up(w.name)}_SIZE", 32, w.size)
            if w.count > 1:
                ip(f"{B}_{up(w.name)}_COUNT", w.count)
                ip(f"{B}_{up(w.name)}_STRIDE", w.stride)
            ip(f"{B}_{up(w.name)}_FW_WRITE", int(w.fw_write))
        for r in b.regs:
            R = f"{B}_{up(r.name)}"
            lp(f"{R}_OFFSET", 32, r.offset)
            if r.count > 1:
                ip(f"{R}_COUNT", r.count)
                ip(f"{R}_STRIDE", r.stride)
            ip(f"{R}_FW_WRITE", int(r.fw_write))
            lp(f"{R}_RESET", 32, r.reset)
            for acc in ACCESS_TYPES:
                m = r.mask_of(acc)
                if m:
                    lp(f"{R}_{up(acc)}_MASK", 32, m)
            for f in r.fields:
                F = f"{R}_{up(f.name)}"
                ip(f"{F}_LSB", f.lsb)
                ip(f"{F}_WIDTH", f.width)
                lp(f"{F}_MASK", 32, f.mask)
                for vn, vv in f.values.items():
                    lp(f"{F}_{up(vn)}", f.width, vv)
    o += ["", "endpackage", "// verilator lint_on UNUSEDPARAM", ""]
    return "\n".join(o)


def emit_c(card: Card) -> str:
    o = [f"/* {HEADER} */",
         "/* Macros only: usable from C, C++, freestanding firmware and the device-tree source. */",
         "#ifndef SHOAL_REGS_H", "#define SHOAL_REGS_H", ""]

    def d(name: str, value, comment: str = "") -> None:
        val = f"0x{value:08x}u" if isinstance(value, int) else value
        o.append(f"#define SHOAL_{name} {val}" + (f"  /* {comment} */" if comment else ""))

    vmaj, vmin, vpat = card.version
    d("CARD_VERSION_MAJOR", str(vmaj))
    d("CARD_VERSION_MINOR", str(vmin))
    d("CARD_VERSION_PATCH", str(vpat))
    d("BAR0_SIZE", card.bar0_size)
    for k, v in card.params.items():
        d(f"PARAM_{up(k)}", str(v))
    for i, r in enumerate(card.resources):
        d(f"RES_{up(r.name)}", str(i), r.description)
        d(f"RES_{up(r.name)}_UNITS", str(r.units))
    d("RES_COUNT", str(len(card.resources)), "resource types the register map defines")
    d("RES_NAMES", "{" + ", ".join(cstr(r.name) for r in card.resources) + "}")
    d("RES_UNITS", "{" + ", ".join(f"{r.units}u" for r in card.resources) + "}")
    d("NUM_SLICES", str(len(card.slices)), "accelerator slices in the device tree")
    for w in card.windows:
        d(f"WIN_{up(w.name)}_BASE", w.offset, w.description)
        d(f"WIN_{up(w.name)}_SIZE", w.size)
    for b in card.blocks:
        B = up(b.name)
        o += ["", f"/* ---- block {b.name}: {b.description} */"]
        d(f"{B}_BASE", b.base)
        d(f"{B}_SIZE", b.size)
        d(f"{B}_PRESENT", str(int(b.present)))
        d(f"{B}_HOST_WRITE", str(int(b.host_write)))
        d(f"{B}_BLOCK_ID", b.block_id)
        d(f"{B}_BLOCK_VERSION", b.version)
        for w in b.windows:
            W = f"{B}_{up(w.name)}"
            d(f"{W}_OFFSET", w.offset, w.description)
            d(f"{W}_ADDR", b.base + w.offset)
            d(f"{W}_SIZE", w.size)
            if w.count > 1:
                d(f"{W}_COUNT", str(w.count))
                d(f"{W}_STRIDE", w.stride)
                d(f"{W}_ADDR_N(i)", f"(0x{b.base + w.offset:08x}u + (uint32_t)(i) * 0x{w.stride:x}u)")
            if w.fw_write:
                d(f"{W}_FW_WRITE", "1")
        for r in b.regs:
            R = f"{B}_{up(r.name)}"
            d(f"{R}_OFFSET", r.offset, r.description)
            d(f"{R}_ADDR", b.base + r.offset)
            if r.fw_write:
                d(f"{R}_FW_WRITE", "1")
            if r.count > 1:
                d(f"{R}_COUNT", str(r.count))
                d(f"{R}_STRIDE", str(r.stride))
                d(f"{R}_ADDR_N(i)", f"(0x{b.base + r.offset:08x}u + (uint32_t)(i) * {r.stride}u)")
            d(f"{R}_RESET", r.reset)
            for f in r.fields:
                F = f"{R}_{up(f.name)}"
                d(f"{F}_LSB", str(f.lsb))
                d(f"{F}_WIDTH", str(f.width))
                d(f"{F}_MASK", f.mask)
                for vn, vv in f.values.items():
                    d(f"{F}_{up(vn)}", vv)
    o += ["", "#endif /* SHOAL_REGS_H */", ""]
    return "\n".join(o)


def cstr(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def emit_cpp(card: Card) -> str:
    o = [f"// {HEADER}", "#pragma once", "",
         "#if !defined(__cplusplus) || __cplusplus < 201703L",
         "#error \"shoal/regs.hpp needs C++17 or newer (compile with -std=c++17); C code includes shoal/regs.h\"",
         "#endif", "", "#include <cstddef>", "#include <cstdint>", "",
         "namespace shoal::regs {", "",
         "enum class Access : std::uint8_t { RO, RW, WO, W1C, W1S, RC };", "",
         "struct FieldInfo {", "  const char* name;", "  unsigned lsb;", "  unsigned width;",
         "  Access access;", "  std::uint32_t reset;", "  const char* description;", "};", "",
         "struct RegInfo {", "  const char* block;", "  const char* name;",
         "  std::uint32_t addr;      // BAR0 byte offset of element 0",
         "  std::uint32_t count;     // 1, or the number of elements of a register array",
         "  std::uint32_t stride;    // bytes between elements",
         "  Access access;           // the register's default access",
         "  std::uint32_t reset;", "  std::uint32_t impl_mask;  // bits that belong to a field",
         "  std::uint32_t ro_mask, rw_mask, wo_mask, w1c_mask, w1s_mask, rc_mask;",
         "  bool is_volatile;        // updated by hardware on its own (e.g. a cycle counter)",
         "  bool fw_write;           // written by the firmware: BAR0 reads it, BAR0 writes are refused",
         "  bool validated;          // written values are checked (see the description); others are refused",
         "  const FieldInfo* fields;", "  std::size_t num_fields;", "  const char* description;",
         "};", "",
         "struct WindowInfo {", "  const char* name;", "  std::uint32_t addr;",
         "  std::uint32_t size;", "  bool writable;  // from BAR0", "  const char* description;",
         "  std::uint32_t count = 1;   // a window array: count windows, stride bytes apart",
         "  std::uint32_t stride = 0;", "  bool fw_write = false;  // the firmware writes it",
         "};", "",
         "struct BlockInfo {", "  const char* name;", "  std::uint32_t base;",
         "  std::uint32_t size;", "  bool present;", "  std::uint16_t id;",
         "  std::uint16_t version;",
         "  bool host_write;  // false: BAR0 writes are refused (the firmware drives the block)",
         "};", ""]
    vmaj, vmin, vpat = card.version
    o.append(f"inline constexpr unsigned kCardVersionMajor = {vmaj};")
    o.append(f"inline constexpr unsigned kCardVersionMinor = {vmin};")
    o.append(f"inline constexpr unsigned kCardVersionPatch = {vpat};")
    o.append(f"inline constexpr std::uint32_t kBar0Size = 0x{card.bar0_size:x};")
    o.append("")
    o.append("namespace param {")
    for k, v in card.params.items():
        o.append(f"inline constexpr std::uint32_t {k} = {v};")
    o.append("}  // namespace param")
    o += ["", "struct ResourceInfo {", "  const char* name;", "  std::uint32_t units;",
          "  const char* description;", "};",
          "inline constexpr ResourceInfo kResources[] = {"]
    for r in card.resources:
        o.append(f"    {{{cstr(r.name)}, {r.units}, {cstr(r.description)}}},")
    o += ["};", ""]
    o += ["// Accelerator slices (the device tree's /slices; resource ~0u: no allocator pool).",
          "struct SliceInfo {", "  const char* name;", "  const char* capability;",
          "  std::uint32_t version;", "  std::uint32_t units;", "  std::uint32_t resource;",
          "  std::uint64_t partitions;", "  bool lendable;", "  const char* description;", "};",
          f"inline constexpr std::size_t kNumSlices = {len(card.slices)};",
          "inline constexpr SliceInfo kSlices[kNumSlices ? kNumSlices : 1] = {"]
    for x in card.slices:
        res = "~0u" if x.resource is None else str(x.resource)
        o.append(f"    {{{cstr(x.name)}, {cstr(x.capability)}, {x.version}, {x.units}, {res}, "
                 f"0x{x.partitions:x}ull, {'true' if x.lendable else 'false'}, "
                 f"{cstr(x.description)}}},")
    o += ["};", ""]
    acc = {a: f"Access::{up(a)}" for a in ACCESS_TYPES}
    for b in card.blocks:
        o.append(f"namespace {b.name} {{")
        o.append(f"inline constexpr std::uint32_t kBase = 0x{b.base:x};")
        o.append(f"inline constexpr std::uint32_t kSize = 0x{b.size:x};")
        o.append(f"inline constexpr std::uint16_t kBlockId = 0x{b.block_id:x};")
        o.append(f"inline constexpr std::uint16_t kBlockVersion = {b.version};")
        for w in b.windows:
            o.append(f"inline constexpr std::uint32_t k{camel(w.name)}Addr = 0x{b.base + w.offset:x};")
            o.append(f"inline constexpr std::uint32_t k{camel(w.name)}Size = 0x{w.size:x};")
            if w.count > 1:
                o.append(f"inline constexpr std::uint32_t k{camel(w.name)}Count = {w.count};")
                o.append(f"inline constexpr std::uint32_t k{camel(w.name)}Stride = 0x{w.stride:x};")
        for r in b.regs:
            o.append(f"inline constexpr std::uint32_t k{camel(r.name)} = 0x{b.base + r.offset:x};")
            for f in r.fields:
                for vn, vv in f.values.items():
                    o.append(f"inline constexpr std::uint32_t k{camel(r.name)}{camel(f.name)}"
                             f"{camel(vn)} = 0x{vv:x};")
            if r.count > 1:
                o.append(f"inline constexpr std::uint32_t k{camel(r.name)}Count = {r.count};")
                o.append(f"inline constexpr std::uint32_t k{camel(r.name)}Stride = {r.stride};")
        o.append(f"}}  // namespace {b.name}")
        o.append("")
    for w in card.windows:
        o.append(f"inline constexpr std::uint32_t kWin{camel(w.name)}Base = 0x{w.offset:x};")
        o.append(f"inline constexpr std::uint32_t kWin{camel(w.name)}Size = 0x{w.size:x};")
    o.append("")
    o.append("namespace detail {")
    for b in card.blocks:
        for r in b.regs:
            o.append(f"inline constexpr FieldInfo k{camel(b.name)}{camel(r.name)}Fields[] = {{")
            for f in r.fields:
                o.append(f"    {{{cstr(f.name)}, {f.lsb}, {f.width}, {acc[f.access]}, "
                         f"0x{f.reset:x}, {cstr(f.description)}}},")
            o.append("};")
    o.append("}  // namespace detail")
    o.append("")
    o.append("inline constexpr RegInfo kRegisters[] = {")
    for b in card.blocks:
        for r in b.regs:
            masks = ", ".join(f"0x{r.mask_of(a):x}" for a in ("ro", "rw", "wo", "w1c", "w1s", "rc"))
            o.append(f"    {{{cstr(b.name)}, {cstr(r.name)}, 0x{b.base + r.offset:x}, {r.count}, "
                     f"{r.stride}, {acc[r.access]}, 0x{r.reset:x}, 0x{r.impl_mask:x}, {masks}, "
                     f"{'true' if r.volatile else 'false'}, "
                     f"{'true' if r.fw_write else 'false'}, "
                     f"{'true' if r.validated else 'false'}, "
                     f"detail::k{camel(b.name)}{camel(r.name)}Fields, {len(r.fields)}, "
                     f"{cstr(r.description)}}},")
    o.append("};")
    o.append("")
    o.append("inline constexpr WindowInfo kWindows[] = {")
    for w in card.windows:
        o.append(f"    {{{cstr(w.name)}, 0x{w.offset:x}, 0x{w.size:x}, "
                 f"{'true' if w.access == 'rw' else 'false'}, {cstr(w.description)}}},")
    for b in card.blocks:
        for w in b.windows:
            o.append(f"    {{{cstr(b.name + '.' + w.name)}, 0x{b.base + w.offset:x}, 0x{w.size:x}, "
                     f"{'true' if w.access == 'rw' else 'false'}, {cstr(w.description)}, "
                     f"{w.count}, 0x{w.stride:x}, {'true' if w.fw_write else 'false'}}},")
    o.append("};")
    o.append("")
    o.append("inline constexpr BlockInfo kBlocks[] = {")
    for b in card.blocks:
        o.append(f"    {{{cstr(b.name)}, 0x{b.base:x}, 0x{b.size:x}, "
                 f"{'true' if b.present else 'false'}, 0x{b.block_id:x}, {b.version}, "
                 f"{'true' if b.host_write else 'false'}}},")
    o.append("};")
    o += ["", "}  // namespace shoal::regs", ""]
    return "\n".join(o)


def camel(s: str) -> str:
    return "".join(p[:1].upper() + p[1:].lower() for p in s.split("_"))


def dts_name(s: str) -> str:
    return s.replace("_", "-")


def emit_dtsi(card: Card) -> str:
    vmaj, vmin, vpat = card.version
    o = [f"// {HEADER}", "/ {",
         f"\tshoal,card-version = <{vmaj} {vmin} {vpat}>;",
         f"\tshoal,bar0-size = <0x{card.bar0_size:x}>;"]
    for k, v in card.params.items():
        o.append(f"\tshoal,{dts_name(k)} = <{v}>;")
    if "clock_hz" in card.params:
        o += ["", "\tclocks {", "\t\tcard_clk: card-clock {", '\t\t\tcompatible = "fixed-clock";',
              "\t\t\t#clock-cells = <0>;",
              f"\t\t\tclock-frequency = <{card.params['clock_hz']}>;", "\t\t};", "\t};"]
    o += ["", "\tresources {", "\t\t#address-cells = <1>;", "\t\t#size-cells = <0>;"]
    for i, r in enumerate(card.resources):
        o += [f"\t\t{dts_name(r.name)}@{i} {{", f"\t\t\treg = <{i}>;",
              f"\t\t\tshoal,units = <{r.units}>;", f"\t\t\tdescription = {cstr(r.description)};",
              "\t\t};"]
    o += ["\t};"]
    if card.slices:
        o += ["", "\tslices {", "\t\t#address-cells = <1>;", "\t\t#size-cells = <0>;"]
        for i, x in enumerate(card.slices):
            o += [f"\t\t{dts_name(x.name)}@{i} {{", f"\t\t\treg = <{i}>;",
                  '\t\t\tcompatible = "shoal,slice";',
                  f"\t\t\tshoal,capability = {cstr(x.capability)};",
                  f"\t\t\tshoal,capability-version = <{x.version}>;",
                  f"\t\t\tshoal,units = <{x.units}>;"]
            if x.resource is not None:
                o.append(f"\t\t\tshoal,resource = <{x.resource}>;")
            o.append(f"\t\t\tshoal,partitions = <0x{x.partitions >> 32:x} "
                     f"0x{x.partitions & 0xffffffff:x}>;")
            if x.lendable:
                o.append("\t\t\tshoal,lendable;")
            o += [f"\t\t\tdescription = {cstr(x.description)};", "\t\t};"]
        o += ["\t};"]
    o += ["", "\tbar0 {", "\t\t#address-cells = <1>;", "\t\t#size-cells = <1>;"]
    items = [(b.base, b.size, b.name, "okay" if b.present else "disabled",
              [f"shoal,block-id = <0x{b.block_id:x}>;", f"shoal,block-version = <{b.version}>;"]
              + ([] if b.host_write else ["shoal,host-read-only;"]))
             for b in card.blocks]
    items += [(w.offset, w.size, w.name, "okay", [f"read-only;" if w.access == "ro" else
                                                  "read-write;"]) for w in card.windows]
    for base, size, name, status, extra in sorted(items):
        o += [f"\t\t{dts_name(name)}@{base:x} {{", f'\t\t\tcompatible = "shoal,{dts_name(name)}";',
              f"\t\t\treg = <0x{base:x} 0x{size:x}>;"]
        o += [f"\t\t\t{e}" for e in extra]
        o += [f'\t\t\tstatus = "{status}";', "\t\t};"]
    o += ["\t};", "};", ""]
    return "\n".join(o)


def emit_cmake(card: Card) -> str:
    o = [f"# {HEADER}", "# Card parameters for CMake (e.g. the firmware links for the core's RAM sizes)."]
    for k, v in card.params.items():
        o.append(f"set(SHOAL_PARAM_{up(k)} {v})")
    return "\n".join(o) + "\n"


def emit_docs(card: Card) -> dict[str, str]:
    pages = {}
    vmaj, vmin, vpat = card.version
    idx = [f"<!-- {HEADER} -->", "", f"# {card.name} register map (version {vmaj}.{vmin}.{vpat})",
           "", card.description, "",
           f"BAR0 is {card.bar0_size:#x} bytes; registers are {card.data_width} bits wide and "
           "word aligned (the two low address bits are ignored). An access to an offset with no "
           "register or window, or a write to a read-only one, is refused with an AXI SLVERR "
           "response and changes nothing.", "",
           "## Access types", "", "| type | meaning |", "| --- | --- |"]
    for a, m in ACCESS_TYPES.items():
        idx.append(f"| `{a.upper()}` | {m} |")
    idx += ["", "## BAR0 layout", "",
            "Blocks marked *read* under host are driven by the soft core's firmware: BAR0 may "
            "read them, a BAR0 write is refused (SLVERR, `ctrl.BUS_ERR_INFO.fwonly`). Inside the "
            "other blocks, registers and windows marked *firmware-written* are read-only from "
            "BAR0 and written by the soft core (the block tells the two apart by the bus origin "
            "bit, docs/internal-bus.md).", "",
            "| offset | size | name | present | host | description |",
            "| --- | --- | --- | --- | --- | --- |"]
    items = [(b.base, b.size, f"[{b.name}]({b.name}.md)", "yes" if b.present else "not yet",
              "read/write" if b.host_write else "read", b.description) for b in card.blocks]
    items += [(w.offset, w.size, w.name, "yes", "read/write" if w.access == "rw" else "read",
               f"{w.description} ({w.access.upper()} window)") for w in card.windows]
    for base, size, name, pres, host, desc in sorted(items):
        idx.append(f"| `{base:#07x}` | `{size:#x}` | {name} | {pres} | {host} | {desc} |")
    idx += ["", "## Card parameters", "", "| parameter | value |", "| --- | --- |"]
    for k, v in card.params.items():
        idx.append(f"| `{k}` | {v} |")
    idx += ["", "## Resource types", "", "| index | name | units | description |",
            "| --- | --- | --- | --- |"]
    for i, r in enumerate(card.resources):
        idx.append(f"| {i} | `{r.name}` | {r.units} | {r.description} |")
    if card.slices:
        idx += ["", "## Accelerator slices", "",
                "Described in the device tree (`/slices`), read with `shoal_get_slice`; "
                "`shoal-fabricd` publishes the lendable ones to the fabric.", "",
                "| index | name | capability | version | units | resource | partitions | lendable "
                "| description |", "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
        for i, x in enumerate(card.slices):
            res = card.resources[x.resource].name if x.resource is not None else ""
            idx.append(f"| {i} | `{x.name}` | `{x.capability}` | {x.version} | {x.units} | "
                       f"{res} | `{x.partitions:#x}` | {'yes' if x.lendable else 'no'} | "
                       f"{x.description} |")
    pages["README.md"] = "\n".join(idx) + "\n"
    for b in card.blocks:
        p = [f"<!-- {HEADER} -->", "", f"# Block `{b.name}`", "", b.description, "",
             f"Base `{b.base:#07x}`, size `{b.size:#x}`, block ID `{b.block_id:#06x}`, "
             f"version {b.version}.", "",
             "| offset | name | access | reset | description |", "| --- | --- | --- | --- | --- |"]
        for r in b.regs:
            arr = f"[{r.count}] (stride {r.stride:#x})" if r.count > 1 else ""
            fw = " (firmware-written)" if r.fw_write else (" (checked)" if r.validated else "")
            p.append(f"| `{b.base + r.offset:#07x}` | [`{r.name}`{arr}](#{r.name.lower()}) | "
                     f"{r.access.upper()}{fw} | `{r.reset:#010x}` | {r.description} |")
        for w in b.windows:
            arr = f"[{w.count}] (stride {w.stride:#x})" if w.count > 1 else ""
            fw = " (firmware-written)" if w.fw_write else ""
            p.append(f"| `{b.base + w.offset:#07x}` | `{w.name}`{arr} (window, {w.size:#x} bytes) | "
                     f"{w.access.upper()}{fw} | | {w.description} |")
        for r in b.regs:
            p += ["", f"## {r.name}", "", r.description + (" Updated by hardware." if r.volatile
                                                            else ""), "",
                  "| bits | field | access | reset | description |",
                  "| --- | --- | --- | --- | --- |"]
            for f in sorted(r.fields, key=lambda f: -f.lsb):
                bits = f"{f.lsb}" if f.width == 1 else f"{f.lsb + f.width - 1}:{f.lsb}"
                vals = "".join(f" `{vn}` = `{vv:#x}`." for vn, vv in f.values.items())
                p.append(f"| {bits} | `{f.name}` | {f.access.upper()} | `{f.reset:#x}` | "
                         f"{f.description}{vals} |")
        pages[f"{b.name}.md"] = "\n".join(p) + "\n"
    return pages


# ------------------------------------------------------------------------------------------


def generate(card_path: Path) -> dict[str, str]:
    ld = Loader()
    card = ld.load(card_path)
    if ld.errors:
        raise MapError("\n".join(ld.errors))
    out = {
        "rtl/shoal_regs_pkg.sv": emit_sv(card),
        "include/shoal/regs.h": emit_c(card),
        "include/shoal/regs.hpp": emit_cpp(card),
        "dts/shoal_regs.dtsi": emit_dtsi(card),
        "cmake/shoal_params.cmake": emit_cmake(card),
    }
    for name, text in emit_docs(card).items():
        out[f"docs/registers/{name}"] = text
    return out


def write_if_changed(path: Path, text: str) -> None:
    if path.exists() and path.read_text() == text:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text)
    os.replace(tmp, path)


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("card", type=Path, help="the card's register map, e.g. rtl/regmap/card.toml")
    ap.add_argument("--out", type=Path, help="output directory for the generated files")
    ap.add_argument("--check-docs", type=Path, metavar="DOCS_DIR",
                    help="compare the generated Markdown with DOCS_DIR/registers and exit 1 if "
                         "they differ (keeps the committed documentation true)")
    ap.add_argument("--write-docs", type=Path, metavar="DOCS_DIR",
                    help="write the Markdown register pages into DOCS_DIR/registers")
    ap.add_argument("--list", action="store_true", help="print the files that would be generated")
    a = ap.parse_args(argv)
    try:
        out = generate(a.card)
    except MapError as e:
        print(f"regmap_gen: error: the register map is invalid; nothing was written.\n{e}",
              file=sys.stderr)
        return 1
    if a.list:
        print("\n".join(out))
    if a.out:
        for rel, text in out.items():
            write_if_changed(a.out / rel, text)
    if a.write_docs:
        for rel, text in out.items():
            if rel.startswith("docs/registers/"):
                write_if_changed(a.write_docs / rel[len("docs/"):], text)
    if a.check_docs:
        stale = []
        for rel, text in out.items():
            if rel.startswith("docs/registers/"):
                p = a.check_docs / rel[len("docs/"):]
                if not p.exists() or p.read_text() != text:
                    stale.append(str(p))
        if stale:
            print("regmap_gen: the committed register documentation is out of date:\n  "
                  + "\n  ".join(stale) + "\nregenerate it with: python3 scripts/regmap_gen.py "
                  "rtl/regmap/card.toml --write-docs docs", file=sys.stderr)
            return 1
    if not (a.out or a.check_docs or a.write_docs or a.list):
        print("regmap_gen: map is valid (nothing written: give --out, --write-docs or --check-docs)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
