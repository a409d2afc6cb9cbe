// bench-trust firmware: the cost of each layer of the firmware/crypto verifier on the soft core,
// measured with mcycle. Prints "BENCH <name> <cycles per operation> <operations>" lines and
// "BENCH-DONE". The whole-verification figures come from tests/trust/fw/trust_verify.elf
// (bench/trust/bench_trust.cpp runs both).
#include <stdint.h>
#include <string.h>

#include "ed25519_internal.h"
#include "shoal/core.hpp"
#include "shoal/crypto/ed25519.h"

using namespace shoal::fw;
using namespace shoal::crypto;
using namespace shoal::crypto::detail;

namespace {
// 32-bit arithmetic on purpose: a 64-bit division would pull libgcc's __udivdi3 (1 KiB) into
// an image that barely fits the 16 KiB instruction RAM.
void report(const char* name, uint64_t cycles, uint32_t n, uint64_t overhead) {
  puts("BENCH ");
  puts(name);
  puts(" ");
  put_dec((uint32_t(cycles) - uint32_t(overhead) * n) / n);
  puts(" ");
  put_dec(n);
  puts("\n");
}
volatile uint32_t g_sink;
uint8_t g_block[1024];
}  // namespace

int main() {
  // mcycle reads around an empty loop body: subtracted per operation below
  uint64_t t0 = rdcycle();
  for (int i = 0; i < 16; ++i) asm volatile("" ::: "memory");
  uint64_t empty = uint32_t(rdcycle() - t0) / 16;

  Fe a, b, c;
  for (int i = 0; i < 10; ++i) {
    a.v[i] = 0x1234567u + uint32_t(i) * 0x111111u;
    b.v[i] = 0x0765432u + uint32_t(i) * 0x0101010u;
  }
  const uint32_t n = 64;
  t0 = rdcycle();
  for (uint32_t i = 0; i < n; ++i) fe_mul(c, c.v[0] & 1 ? a : b, b);
  report("fe_mul", rdcycle() - t0, n, empty);
  t0 = rdcycle();
  for (uint32_t i = 0; i < n; ++i) fe_sq(a, a);
  report("fe_sq", rdcycle() - t0, n, empty);
  t0 = rdcycle();
  for (uint32_t i = 0; i < n; ++i) fe_add(a, a, b);
  report("fe_add", rdcycle() - t0, n, empty);
  t0 = rdcycle();
  for (uint32_t i = 0; i < n; ++i) fe_sub(a, a, b);
  report("fe_sub", rdcycle() - t0, n, empty);
  t0 = rdcycle();
  fe_invert(c, a);
  report("fe_invert", rdcycle() - t0, 1, 0);
  uint8_t enc[32];
  t0 = rdcycle();
  for (uint32_t i = 0; i < 8; ++i) fe_tobytes(enc, a);
  report("fe_tobytes", rdcycle() - t0, 8, empty);

  // the base point's encoding: 4/5 with an even x
  uint8_t bp[32];
  memset(bp, 0x66, 32);
  bp[0] = 0x58;
  Ge p, q;
  t0 = rdcycle();
  const bool ok = ge_decode(p, bp);
  report("ge_decode", rdcycle() - t0, 1, 0);
  g_sink = ok;
  t0 = rdcycle();
  for (uint32_t i = 0; i < 16; ++i) ge_dbl(q, p, true);
  report("ge_dbl", rdcycle() - t0, 16, empty);
  t0 = rdcycle();
  for (uint32_t i = 0; i < 16; ++i) ge_dbl(q, p, false);
  report("ge_dbl_no_t", rdcycle() - t0, 16, empty);
  Cached cp;
  ge_to_cached(cp, p);
  t0 = rdcycle();
  for (uint32_t i = 0; i < 16; ++i) ge_add(q, q, cp, false, true);
  report("ge_add_cached", rdcycle() - t0, 16, empty);
  size_t tn = 0;
  const Niels* tb = ge_base_table(&tn);
  t0 = rdcycle();
  for (uint32_t i = 0; i < 16; ++i) ge_add(q, q, tb[i % tn], false, false);
  report("ge_add_niels", rdcycle() - t0, 16, empty);
  t0 = rdcycle();
  g_sink = ge_small_order(p);
  report("ge_small_order", rdcycle() - t0, 1, 0);

  uint8_t h[64];
  for (int i = 0; i < 64; ++i) h[i] = uint8_t(i * 37 + 11);
  t0 = rdcycle();
  sc_reduce512(enc, h);
  report("sc_reduce512", rdcycle() - t0, 1, 0);
  int8_t naf[256];
  t0 = rdcycle();
  sc_wnaf(naf, enc, 5);
  report("sc_wnaf", rdcycle() - t0, 1, 0);
  uint8_t s2[32];
  memcpy(s2, enc, 32);
  s2[0] ^= 0x55;
  t0 = rdcycle();
  ge_double_scalarmult(q, enc, s2, p);
  report("ge_double_scalarmult", rdcycle() - t0, 1, 0);

  for (uint32_t i = 0; i < sizeof g_block; ++i) g_block[i] = uint8_t(i);
  t0 = rdcycle();
  sha512(g_block, 0, h);
  report("sha512_empty", rdcycle() - t0, 1, 0);
  t0 = rdcycle();
  sha512(g_block, sizeof g_block, h);
  report("sha512_1024", rdcycle() - t0, 1, 0);
  g_sink = h[0];
  puts("BENCH-DONE\n");
  return 0;
}
