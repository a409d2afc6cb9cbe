#!/usr/bin/env python3
"""Tests of scripts/hls_check.py: a clean kernel passes, and each way out of the HLS subset
(heap, I/O, recursion, dynamic stack, unapproved header, unbounded loop, virtual) is caught."""

import shutil
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CHECK = ROOT / "scripts" / "hls_check.py"
COMMON = ROOT / "hls" / "common"

GOOD = '''#include "shoal_hls_int.hpp"
using shoal::hls::UInt;
constexpr unsigned N_ITEMS = 8;
static UInt<12> step(UInt<12> a) { return a + UInt<12>(1); }
void top(const uint32_t in[N_ITEMS], uint32_t out[N_ITEMS]) {
#pragma HLS PIPELINE II=1
  for (unsigned i = 0; i < N_ITEMS; ++i) out[i] = step(UInt<12>(in[i])).to_u32();
#ifndef __SYNTHESIS__
  while (false) {}
#endif
}
'''

BAD = {
    "heap": ('#include <stdint.h>\nint* f() { return new int[4]; }\n',
             ["'new' is outside the HLS subset", "operator new"]),
    "io": ('extern "C" int printf(const char*, ...);\nvoid f(int v) { printf("%d", v); }\n',
           ["needs 'printf'"]),
    "recursion": ('int f(int x);\nint g(int x) { return x ? f(x - 1) : 0; }\n'
                  'int f(int x) { return g(x); }\n', ["recursion: "]),
    "vla": ('#include <stdint.h>\nint f(uint32_t n) { int b[n]; b[0] = 1; return b[0]; }\n',
            ["not static"]),
    "header": ('#include <stdlib.h>\nint f() { return 1; }\n', ["header <stdlib.h> is not approved"]),
    "loop": ('int f(int n) { int s = 0; for (int i = 0; i < n; ++i) s += i; return s; }\n',
             ["loop bound 'i < n' is not a compile-time constant"]),
    "while": ('int f(int n) { int s = 0; while (n) { s += n; --n; } return s; }\n',
              ["'while' is outside the HLS subset"]),
    "virtual": ('struct A { virtual int f() { return 1; } };\nint g() { A a; return a.f(); }\n',
                ["'virtual' is outside the HLS subset", "vtable"]),
}


class HlsCheck(unittest.TestCase):
    def setUp(self):
        self.tmp = Path(tempfile.mkdtemp())

    def tearDown(self):
        shutil.rmtree(self.tmp)

    def check(self, name, text):
        src = self.tmp / f"{name}.cpp"
        obj = self.tmp / f"{name}.o"
        src.write_text(text)
        subprocess.run(["g++", "-std=c++20", "-O0", "-fno-exceptions", "-fno-rtti",
                        "-fcallgraph-info=su,da", "-D__SYNTHESIS__", "-I", str(COMMON), "-c",
                        str(src), "-o", str(obj)], check=True, capture_output=True)
        return subprocess.run([sys.executable, str(CHECK), "--name", name, "--sources", str(src),
                               "--objects", str(obj), "--include-dir", str(COMMON),
                               "--allowed-root", str(COMMON), "--allowed-root", str(self.tmp)],
                              capture_output=True, text=True)

    def test_clean_kernel_passes(self):
        r = self.check("good", GOOD)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("OK", r.stdout)

    def test_each_violation_is_caught(self):
        for name, (text, expect) in BAD.items():
            with self.subTest(name):
                r = self.check(name, text)
                self.assertEqual(r.returncode, 1, f"{name} passed but must fail:\n{r.stdout}")
                for e in expect:
                    self.assertIn(e, r.stderr)


if __name__ == "__main__":
    unittest.main(verbosity=2)
