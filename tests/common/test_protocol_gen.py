#!/usr/bin/env python3
"""Tests of scripts/protocol_gen.py: the generated header agrees with the schema and compiles
(host C, C++ and the RV32 firmware compiler), the descriptor tables mark every used bit, bad
schemas are refused with a clear error and write nothing, and docs/commands.md is current."""

import re
import shutil
import subprocess
import sys
import tempfile
import tomllib
import unittest
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
GEN = ROOT / "scripts" / "protocol_gen.py"
SCHEMA = ROOT / "rtl" / "regmap" / "commands.toml"
CARD = ROOT / "rtl" / "regmap" / "card.toml"


def run(args):
    return subprocess.run([sys.executable, str(GEN), *map(str, args)], capture_output=True,
                          text=True)


class Generated(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = Path(tempfile.mkdtemp())
        r = run([SCHEMA, "--card", CARD, "--out", cls.tmp])
        assert r.returncode == 0, r.stderr
        cls.schema = tomllib.loads(SCHEMA.read_text())
        cls.params = tomllib.loads(CARD.read_text())["params"]
        cls.h = (cls.tmp / "include/shoal/proto.h").read_text()
        cls.sv = (cls.tmp / "rtl/shoal_proto_pkg.sv").read_text()

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp)

    def macro(self, name):
        m = re.search(rf"^#define {name} (0x[0-9a-f]+u|\d+u)\b", self.h, re.M)
        self.assertIsNotNone(m, f"{name} missing from proto.h")
        return int(m.group(1).rstrip("u"), 0)

    def count(self, v):
        if isinstance(v, str):
            return self.params[v.removeprefix("@params.")]
        return v

    def test_every_command_and_field(self):
        n = 0
        for c in self.schema["command"]:
            C = c["name"]
            self.assertEqual(self.macro(f"SHOAL_OP_{C}"), c["opcode"])
            self.assertEqual(self.macro(f"SHOAL_OP_{C}_VERSION"), c["version"])
            for kind, pre in (("fields", "OP"), ("result", "CPL")):
                for f in c.get(kind, []):
                    F = f"SHOAL_{pre}_{C}_{f['name'].upper()}"
                    self.assertEqual(self.macro(f"{F}_WORD"), f["word"])
                    self.assertEqual(self.macro(f"{F}_LSB"), f["lsb"])
                    self.assertEqual(self.macro(f"{F}_WIDTH"), f["width"])
                    if self.count(f.get("count", 1)) > 1:
                        self.assertEqual(self.macro(f"{F}_COUNT"), self.count(f["count"]))
                    n += 1
        self.assertGreater(n, 100)
        for s in self.schema["status"]:
            self.assertEqual(self.macro(f"SHOAL_ST_{s['name']}"), s["code"])
        for k in self.schema["audit_kind"]:
            self.assertEqual(self.macro(f"SHOAL_AUDIT_KIND_{k['name']}"), k["code"])
            self.assertIn(f"AUDIT_KIND_{k['name']} = 8'h{k['code']:02x};", self.sv)

    def test_headers_compile_and_tables_agree(self):
        prog = self.tmp / "t.c"
        prog.write_text(r'''
#include <stdio.h>
#include <string.h>
#include "shoal/proto.h"
int main(void) {
  uint32_t w[SHOAL_PROTO_ENTRY_WORDS];
  memset(w, 0, sizeof w);
  SHOAL_SET(w, SHOAL_OP_REQUEST_AMOUNT, 0x1ffff);     /* truncated to the field */
  SHOAL_SET_I(w, SHOAL_OP_REQUEST_VECTOR_AMOUNT, 3, 7);
  if (SHOAL_GET(w, SHOAL_OP_REQUEST_AMOUNT) != 0xffff) return 1;
  if (SHOAL_GET_I(w, SHOAL_OP_REQUEST_VECTOR_AMOUNT, 3) != 7) return 2;
  if (w[SHOAL_OP_REQUEST_VECTOR_AMOUNT_WORD + 1] != (7u << 16)) return 3;
  for (uint32_t i = 0; i < shoal_proto_num_cmds; ++i) {
    const struct shoal_proto_cmd* c = &shoal_proto_cmds[i];
    if (i && c->opcode <= shoal_proto_cmds[i - 1].opcode) return 4;   /* sorted, unique */
    for (uint32_t k = 0; k < c->num_fields; ++k) {
      const struct shoal_proto_field* f = &c->fields[k];
      for (uint32_t e = 0; e < f->count; ++e) {
        uint32_t word = f->word + (e / f->per) * f->stride, lsb = f->lsb + (e % f->per) * f->width;
        uint32_t m = shoal_proto_mask(f->width) << lsb;
        if ((c->used[word] & m) != m) return 5;                       /* every field bit is used */
      }
    }
    if (c->used[0] != 0xffffu || c->used[1] != 0xffffffffu) return 6;  /* the header */
    printf("%s\n", c->name);
  }
  return 0;
}
''')
        out = self.tmp / "t"
        r = subprocess.run(["cc", "-std=c11", "-Wall", "-Wextra", "-Werror", "-DSHOAL_PROTO_NAMES",
                            "-I", self.tmp / "include", prog, self.tmp / "src/proto_tables.c", "-o", out],
                           capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stderr)
        r = subprocess.run([out], capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertEqual(r.stdout.split(), [c["name"] for c in
                                            sorted(self.schema["command"], key=lambda c: c["opcode"])])
        cxx = self.tmp / "t.cpp"
        cxx.write_text('#include "shoal/proto.h"\nint main() { return int(SHOAL_ST_OK); }\n')
        r = subprocess.run(["c++", "-std=c++17", "-Wall", "-Wextra", "-Werror", "-I", self.tmp / "include",
                            "-fsyntax-only", cxx], capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stderr)
        rv = shutil.which("riscv64-unknown-elf-gcc")
        if rv:
            r = subprocess.run([rv, "-march=rv32im", "-misa-spec=2.2", "-mabi=ilp32", "--specs=picolibc.specs",
                                "-Os", "-Wall", "-Wextra", "-Werror", "-ffreestanding", "-c",
                                "-I", self.tmp / "include", self.tmp / "src/proto_tables.c",
                                "-o", self.tmp / "t.o"], capture_output=True, text=True)
            self.assertEqual(r.returncode, 0, r.stderr)

    def test_committed_docs_are_current(self):
        r = run([SCHEMA, "--card", CARD, "--check-docs", ROOT / "docs"])
        self.assertEqual(r.returncode, 0, r.stderr)


class BadSchemas(unittest.TestCase):
    def refused(self, edit, *needles):
        with tempfile.TemporaryDirectory() as d:
            d = Path(d)
            text = edit(SCHEMA.read_text())
            (d / "commands.toml").write_text(text)
            out = d / "out"
            r = run([d / "commands.toml", "--card", CARD, "--out", out])
            self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
            self.assertIn("nothing was written", r.stderr)
            for n in needles:
                self.assertIn(n, r.stderr)
            self.assertFalse(out.exists(), "a refused schema must write nothing")

    def test_overlapping_fields(self):
        self.refused(lambda s: s.replace('{ name = "amount",    word = 3, lsb = 0,  width = 16, check = "nonzero", description = "Units asked for" }',
                                         '{ name = "amount",    word = 2, lsb = 4,  width = 16, check = "nonzero", description = "Units asked for" }'),
                     "overlap")

    def test_duplicate_opcode(self):
        self.refused(lambda s: s.replace('name = "NOP"\nopcode = 0x00', 'name = "NOP"\nopcode = 0x01'),
                     "opcode 1")

    def test_unknown_check_and_key(self):
        self.refused(lambda s: s.replace('check = "nonzero", max = 511', 'check = "positive", colour = 1'),
                     "unknown check 'positive'", "unknown key 'colour'")

    def test_field_beyond_the_entry(self):
        self.refused(lambda s: s.replace('{ name = "timeout",   word = 7, lsb = 0,  width = 32,',
                                         '{ name = "timeout",   word = 16, lsb = 0,  width = 32,'),
                     "outside 2..15")

    def test_array_beyond_the_entry(self):
        self.refused(lambda s: s.replace('{ name = "supported",   word = 6,', '{ name = "supported",   word = 9,'),
                     "beyond the entry")

    def test_enum_needs_values_and_value_fits(self):
        self.refused(lambda s: s.replace('check = "enum", values = { STATIC = 0, REACTIVE = 1, PREDICTIVE = 2 }',
                                         'check = "enum", values = { STATIC = 0, HUGE = 300 }'),
                     "HUGE = 300 does not fit 8 bits")

    def test_audit_kind_with_unknown_source(self):
        self.refused(lambda s: s.replace('code = 0x7F\nsource = "GAP"', 'code = 0x7F\nsource = "NOBODY"'),
                     "source 'NOBODY'")

    def test_syntax_error(self):
        self.refused(lambda s: s + "\n[[command\n", "cannot read")


if __name__ == "__main__":
    unittest.main(verbosity=2)
