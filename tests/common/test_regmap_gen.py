#!/usr/bin/env python3
"""Tests of scripts/regmap_gen.py: generated outputs agree with the source, bad sources are
refused with a clear error and write nothing, and the committed docs are current."""

import re
import shutil
import subprocess
import sys
import tempfile
import tomllib
import unittest
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
GEN = ROOT / "scripts" / "regmap_gen.py"
MAP = ROOT / "rtl" / "regmap"


def run(args, **kw):
    return subprocess.run([sys.executable, str(GEN), *map(str, args)], capture_output=True,
                          text=True, **kw)


class GeneratedOutputs(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = Path(tempfile.mkdtemp())
        r = run([MAP / "card.toml", "--out", cls.tmp])
        assert r.returncode == 0, r.stderr
        cls.card = tomllib.loads((MAP / "card.toml").read_text())
        cls.blocks = {b["name"]: (b, tomllib.loads((MAP / b["file"]).read_text()))
                      for b in cls.card["block"]}
        cls.c = (cls.tmp / "include/shoal/regs.h").read_text()
        cls.sv = (cls.tmp / "rtl/shoal_regs_pkg.sv").read_text()
        cls.cpp = (cls.tmp / "include/shoal/regs.hpp").read_text()
        cls.dtsi = (cls.tmp / "dts/shoal_regs.dtsi").read_text()

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp)

    def cmacro(self, name):
        m = re.search(rf"^#define SHOAL_{name} (0x[0-9a-f]+u|\d+)\b", self.c, re.M)
        self.assertIsNotNone(m, f"SHOAL_{name} missing from regs.h")
        return int(m.group(1).rstrip("u"), 0)

    def svparam(self, name):
        m = re.search(rf"localparam (?:int unsigned|logic \[\d+:0\]) {name} = (?:\d+'h([0-9a-f]+)|(\d+));", self.sv)
        self.assertIsNotNone(m, f"{name} missing from the SV package")
        return int(m.group(1), 16) if m.group(1) else int(m.group(2))

    def expected_reset(self, blk, reg):
        v = 0
        for f in reg["fields"]:
            r = f.get("reset", 0)
            if isinstance(r, str):
                ref = r[1:]
                if ref == "id":
                    r = blk["id"]
                elif ref == "version":
                    r = blk["version"]
                elif ref.startswith("card."):
                    r = self.card["card"][ref[5:]]
                elif ref.startswith("params."):
                    r = self.card["params"][ref[7:]]
                elif ref.startswith("present."):
                    r = int(any(b["name"] == ref[8:] and b.get("present", True)
                                for b in self.card["block"]))
            v |= r << f["lsb"]
        return v

    def test_every_register_in_every_output(self):
        n = 0
        for name, (entry, blk) in self.blocks.items():
            for reg in blk["reg"]:
                B, R = name.upper(), reg["name"].upper()
                addr = entry["base"] + reg["offset"]
                reset = self.expected_reset(blk, reg)
                self.assertEqual(self.cmacro(f"{B}_{R}_ADDR"), addr)
                self.assertEqual(self.cmacro(f"{B}_{R}_OFFSET"), reg["offset"])
                self.assertEqual(self.cmacro(f"{B}_{R}_RESET"), reset, f"{B}.{R} reset")
                self.assertEqual(self.svparam(f"{B}_{R}_OFFSET"), reg["offset"])
                self.assertEqual(self.svparam(f"{B}_{R}_RESET"), reset)
                self.assertIn(f'{{"{name}", "{reg["name"]}", 0x{addr:x},', self.cpp)
                for f in reg["fields"]:
                    F = f["name"].upper()
                    mask = ((1 << f["width"]) - 1) << f["lsb"]
                    self.assertEqual(self.cmacro(f"{B}_{R}_{F}_MASK"), mask)
                    self.assertEqual(self.svparam(f"{B}_{R}_{F}_LSB"), f["lsb"])
                    for vn, vv in f.get("values", {}).items():
                        self.assertEqual(self.cmacro(f"{B}_{R}_{F}_{vn.upper()}"), vv)
                        self.assertEqual(self.svparam(f"{B}_{R}_{F}_{vn.upper()}"), vv)
                n += 1
        self.assertGreater(n, 10)

    def test_params_resources_and_dts(self):
        for k, v in self.card["params"].items():
            self.assertEqual(self.cmacro(f"PARAM_{k.upper()}"), v)
            self.assertEqual(self.svparam(f"PARAM_{k.upper()}"), v)
            self.assertIn(f"shoal,{k.replace('_', '-')} = <{v}>;", self.dtsi)
        for i, r in enumerate(self.card["resource"]):
            self.assertEqual(self.cmacro(f"RES_{r['name'].upper()}_UNITS"), r["units"])
            self.assertIn(f"shoal,units = <{r['units']}>;", self.dtsi)
        for b in self.card["block"]:
            status = "okay" if b.get("present", True) else "disabled"
            ro = "" if b.get("host_write", True) else r"\s*shoal,host-read-only;\n"
            self.assertRegex(self.dtsi, rf"reg = <0x{b['base']:x} 0x{b['size']:x}>;\s*\n"
                                        rf"(?:.*\n){{2}}{ro}\s*status = \"{status}\";")
            host_write = 1 if b.get("host_write", True) else 0
            self.assertEqual(self.cmacro(f"{b['name'].upper()}_HOST_WRITE"), host_write)
            self.assertEqual(self.svparam(f"{b['name'].upper()}_HOST_WRITE"), host_write)

    def test_headers_compile(self):
        for src, lang in (('#include "shoal/regs.h"\nint main(void){return SHOAL_CTRL_ID_ADDR;}\n', "c"),
                          ('#include "shoal/regs.hpp"\nstatic_assert(sizeof(shoal::regs::kRegisters) > 0);'
                           '\nint main(){return (int)shoal::regs::ctrl::kId;}\n', "c++")):
            r = subprocess.run(["gcc" if lang == "c" else "g++", "-x", lang, "-std=" +
                                ("c11" if lang == "c" else "c++20"), "-Wall", "-Werror",
                                "-fsyntax-only", "-I", str(self.tmp / "include"), "-"],
                               input=src, capture_output=True, text=True)
            self.assertEqual(r.returncode, 0, r.stderr)

    def test_committed_docs_are_current(self):
        r = run([MAP / "card.toml", "--check-docs", ROOT / "docs"])
        self.assertEqual(r.returncode, 0, r.stderr)


BAD_BLOCK_HEAD = '''name = "ctrl"
id = 1
version = 1
[[reg]]
name = "ID"
offset = 0
access = "ro"
fields = [ { name = "v", lsb = 0, width = 32, reset = 0 } ]
'''


class BadSources(unittest.TestCase):
    def setUp(self):
        self.tmp = Path(tempfile.mkdtemp())
        self.src = self.tmp / "src"
        shutil.copytree(MAP, self.src)
        self.out = self.tmp / "out"

    def tearDown(self):
        shutil.rmtree(self.tmp)

    def refuse(self, ctrl_text, *expect):
        (self.src / "ctrl.toml").write_text(ctrl_text)
        r = run([self.src / "card.toml", "--out", self.out])
        self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
        self.assertIn("nothing was written", r.stderr)
        for e in expect:
            self.assertIn(e, r.stderr)
        self.assertFalse(self.out.exists(), "a bad source must produce no output")

    def test_overlapping_registers(self):
        self.refuse(BAD_BLOCK_HEAD + '''[[reg]]
name = "A"
offset = 0x10
access = "rw"
fields = [ { name = "x", lsb = 0, width = 8 } ]
[[reg]]
name = "B"
offset = 0x10
access = "rw"
fields = [ { name = "y", lsb = 0, width = 8 } ]
''', "register ctrl.A at 0x10 overlaps register ctrl.B at 0x10")

    def test_register_array_overlap(self):
        self.refuse(BAD_BLOCK_HEAD + '''[[reg]]
name = "ARR"
offset = 0x10
count = 4
access = "rw"
fields = [ { name = "x", lsb = 0, width = 8 } ]
[[reg]]
name = "B"
offset = 0x18
access = "rw"
fields = [ { name = "y", lsb = 0, width = 8 } ]
''', "overlaps register ctrl.B")

    def test_unknown_access_type(self):
        self.refuse(BAD_BLOCK_HEAD + '''[[reg]]
name = "A"
offset = 0x10
access = "rwx"
fields = [ { name = "x", lsb = 0, width = 8 } ]
''', "unknown access type 'rwx'")

    def test_reset_wider_than_field(self):
        self.refuse(BAD_BLOCK_HEAD + '''[[reg]]
name = "A"
offset = 0x10
access = "rw"
fields = [ { name = "x", lsb = 0, width = 4, reset = 0x10 } ]
''', "reset value 0x10 is wider than the field (4 bits)")

    def test_overlapping_fields_and_bad_width(self):
        self.refuse(BAD_BLOCK_HEAD + '''[[reg]]
name = "A"
offset = 0x10
access = "rw"
fields = [ { name = "x", lsb = 0, width = 4 }, { name = "y", lsb = 3, width = 2 },
           { name = "z", lsb = 30, width = 4 } ]
''', "fields 'x' and 'y' overlap", "do not fit a 32-bit register")

    def test_unaligned_and_outside_block(self):
        self.refuse(BAD_BLOCK_HEAD + '''[[reg]]
name = "A"
offset = 0x12
access = "rw"
fields = [ { name = "x", lsb = 0, width = 4 } ]
[[reg]]
name = "B"
offset = 0x1000
access = "rw"
fields = [ { name = "x", lsb = 0, width = 4 } ]
''', "offset 0x12 is not word aligned", "lies outside the block")

    def test_unknown_reference_and_key(self):
        self.refuse(BAD_BLOCK_HEAD + '''[[reg]]
name = "A"
offset = 0x10
access = "rw"
colour = "blue"
fields = [ { name = "x", lsb = 0, width = 4, reset = "@params.nope" } ]
''', "unknown key 'colour'", "'@params.nope' does not name anything known")

    def test_host_write_must_be_a_bool(self):
        card = (self.src / "card.toml").read_text()
        self.assertIn("host_write = false\n", card)
        card = card.replace("host_write = false\n", 'host_write = "no"\n', 1)
        (self.src / "card.toml").write_text(card)
        self.refuse((self.src / "ctrl.toml").read_text(), "'host_write' must be true or false")

    def test_named_value_wider_than_field(self):
        self.refuse(BAD_BLOCK_HEAD + '''[[reg]]
name = "A"
offset = 0x10
access = "wo"
fields = [ { name = "key", lsb = 0, width = 4, values = { GO = 0x1F } } ]
''', "value GO = 31 does not fit the field (4 bits)")

    def test_syntax_error(self):
        self.refuse("name = \n", "cannot read block 'ctrl'")

    def test_block_must_start_with_id(self):
        self.refuse('''name = "ctrl"
id = 1
version = 1
[[reg]]
name = "A"
offset = 0
access = "rw"
fields = [ { name = "x", lsb = 0, width = 4 } ]
''', "must start with an ID register")

    def test_stale_docs_detected(self):
        docs = self.tmp / "docs"
        self.assertEqual(run([MAP / "card.toml", "--write-docs", docs]).returncode, 0)
        page = docs / "registers" / "ctrl.md"
        page.write_text(page.read_text().replace("SCRATCH", "SCRATCHY"))
        r = run([MAP / "card.toml", "--check-docs", docs])
        self.assertEqual(r.returncode, 1)
        self.assertIn("out of date", r.stderr)


class Slices(unittest.TestCase):
    """[[slice]] tables: generated into the device tree and headers, refused when inconsistent."""

    def setUp(self):
        self.tmp = Path(tempfile.mkdtemp())
        self.src = self.tmp / "src"
        shutil.copytree(MAP, self.src)
        self.out = self.tmp / "out"
        self.card_text = (self.src / "card.toml").read_text()

    def tearDown(self):
        shutil.rmtree(self.tmp)

    def gen(self, extra):
        kept, in_slice = [], False
        for line in self.card_text.splitlines(keepends=True):
            if line.startswith("[["):
                in_slice = line.startswith("[[slice]]")
            if not in_slice:
                kept.append(line)
        text = "".join(kept) + extra
        (self.src / "card.toml").write_text(text)
        return run([self.src / "card.toml", "--out", self.out])

    def refuse(self, extra, *expect):
        r = self.gen(extra)
        self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
        for e in expect:
            self.assertIn(e, r.stderr)
        self.assertFalse(self.out.exists(), "a bad source must produce no output")

    def test_committed_slices_in_every_output(self):
        card = tomllib.loads(self.card_text)
        r = run([MAP / "card.toml", "--out", self.out])
        self.assertEqual(r.returncode, 0, r.stderr)
        dtsi = (self.out / "dts/shoal_regs.dtsi").read_text()
        hpp = (self.out / "include/shoal/regs.hpp").read_text()
        h = (self.out / "include/shoal/regs.h").read_text()
        slices = card.get("slice", [])
        self.assertGreater(len(slices), 0)
        self.assertIn(f"#define SHOAL_NUM_SLICES {len(slices)} ", h)
        resources = [x["name"] for x in card["resource"]]
        for i, sl in enumerate(slices):
            node = re.search(rf"\t\t{sl['name'].replace('_', '-')}@{i} {{\n(.*?)\t\t}};", dtsi, re.S)
            self.assertIsNotNone(node, sl["name"])
            body = node.group(1)
            self.assertIn(f"reg = <{i}>;", body)
            self.assertIn(f'shoal,capability = "{sl["capability"]}";', body)
            self.assertIn(f"shoal,capability-version = <{sl['version']}>;", body)
            self.assertIn(f"shoal,units = <{sl['units']}>;", body)
            self.assertIn(f"shoal,resource = <{resources.index(sl['resource'])}>;", body)
            parts = sl.get("partitions", "all")
            mask = (1 << card["params"]["num_partitions"]) - 1 if parts == "all" else sum(1 << p for p in parts)
            self.assertIn(f"shoal,partitions = <0x{mask >> 32:x} 0x{mask & 0xffffffff:x}>;", body)
            self.assertEqual("shoal,lendable;" in body, sl.get("lendable", True))
            self.assertIn(f'{{"{sl["name"]}", "{sl["capability"]}", {sl["version"]}, {sl["units"]}, ', hpp)

    def test_a_card_without_slices_has_no_slices_node(self):
        r = self.gen("")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertNotIn("slices {", (self.out / "dts/shoal_regs.dtsi").read_text())
        self.assertIn("#define SHOAL_NUM_SLICES 0 ", (self.out / "include/shoal/regs.h").read_text())

    def test_boundaries_accepted(self):
        # exactly the pool's units, partition 0 and the last partition, lendable = false
        r = self.gen('''
[[slice]]
name = "a"
capability = "aes"
version = 1
units = 15
resource = "accel_slices"
partitions = [0, 15]
lendable = false

[[slice]]
name = "b"
capability = "aes"
version = 4294967295
units = 1
resource = "accel_slices"
''')
        self.assertEqual(r.returncode, 0, r.stderr)
        dtsi = (self.out / "dts/shoal_regs.dtsi").read_text()
        self.assertIn("shoal,partitions = <0x0 0x8001>;", dtsi)
        self.assertEqual(dtsi.count("shoal,lendable;"), 1)

    def test_refused(self):
        base = '''
[[slice]]
name = "a"
capability = "aes"
version = 1
units = 4
resource = "accel_slices"
'''
        self.refuse(base.replace("units = 4", "units = 17"), "take 17 units of 'accel_slices'")
        self.refuse(base + base, "name 'a' is used twice")
        self.refuse(base.replace('"accel_slices"', '"gpu"'), "resource 'gpu' is not a [[resource]]")
        self.refuse(base + "partitions = [16]\n", "partition 16 is outside 0..15")
        self.refuse(base + "partitions = []\n", "'partitions' must be")
        self.refuse(base.replace("units = 4", "units = 0"), "at least one unit")
        self.refuse(base.replace("version = 1", "version = 0"), "version 0")
        self.refuse(base.replace('capability = "aes"', 'capability = "a es"'), "not a valid identifier")
        self.refuse(base + "lendable = 1\n", "'lendable' must be true or false")
        self.refuse(base + "colour = 1\n", "unknown key 'colour'")
        self.refuse(base.replace('capability = "aes"\n', ""), "missing required key 'capability'")


if __name__ == "__main__":
    unittest.main(verbosity=2)
