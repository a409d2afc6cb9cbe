// On-core Ed25519 / SHA-512: runs the firmware/crypto code on the soft core over the cases the
// host wrote into `shoal_trust_job` (verify_job.h) and prints, per case,
//   CASE <i> kind=<k> status=<s> cycles=<mcycle delta> stack=<bytes below the caller's sp>
// (for SHA-512, status is the first 4 digest bytes as hex), then "RESULT DONE" — or
// "RESULT FAIL <why>" when the job block is missing or malformed. The host side
// (tests/trust/test_oncore.cpp, bench/trust) compares the statuses with the host build.
#include <stdint.h>
#include <string.h>

#include "shoal/core.hpp"
#include "shoal/crypto/ed25519.h"
#include "verify_job.h"

using namespace shoal::fw;
namespace sc = shoal::crypto;

// In .data (not .bss): its initial contents are part of the image, and the host overwrites them.
extern "C" {
__attribute__((used, section(".data.shoal_trust_job"))) ShoalTrustJob shoal_trust_job = {1, 0, {}};
}

namespace {
constexpr uint32_t kPaint = 0xA5C3E1F0u;
constexpr uint32_t kProbe = 3584;  // bytes painted below the caller's stack pointer

uint32_t g_result;

__attribute__((noinline)) void run_case(const ShoalTrustCase& c) {
  if (c.kind == SHOAL_TRUST_SHA512) {
    uint8_t d[sc::kSha512Bytes];
    sc::sha512(c.msg, c.len, d);
    g_result = uint32_t(d[0]) << 24 | uint32_t(d[1]) << 16 | uint32_t(d[2]) << 8 | d[3];
  } else {
    g_result = uint32_t(sc::ed25519_verify(c.sig, c.msg, c.len, c.pk));
  }
}

// Paints kProbe bytes below the current stack pointer, runs the case, and returns how deep the
// stack went (the lowest word that no longer holds the paint).
__attribute__((noinline)) uint32_t measured(const ShoalTrustCase& c, uint64_t& cycles) {
  uint32_t sp;
  asm volatile("mv %0, sp" : "=r"(sp));
  volatile uint32_t* lo = reinterpret_cast<volatile uint32_t*>((sp - kProbe) & ~3u);
  volatile uint32_t* hi = reinterpret_cast<volatile uint32_t*>((sp - 64) & ~3u);  // our own frame
  for (volatile uint32_t* p = lo; p < hi; ++p) *p = kPaint;
  const uint64_t t0 = rdcycle();
  run_case(c);
  const uint64_t t1 = rdcycle();
  cycles = t1 - t0;
  volatile uint32_t* p = lo;
  while (p < hi && *p == kPaint) ++p;
  return sp - uint32_t(reinterpret_cast<uintptr_t>(p));
}
}  // namespace

int main() {
  puts("trust verify: start\n");
  const ShoalTrustJob& job = shoal_trust_job;
  if (job.magic != SHOAL_TRUST_JOB_MAGIC || job.count > SHOAL_TRUST_MAX_CASES) {
    puts("RESULT FAIL no job block\n");
    return 1;
  }
  for (uint32_t i = 0; i < job.count; ++i) {
    const ShoalTrustCase& c = job.cases[i];
    if (c.len > SHOAL_TRUST_MAX_MSG || c.kind > SHOAL_TRUST_SHA512) {
      puts("RESULT FAIL bad case\n");
      return 1;
    }
    uint64_t cycles = 0;
    const uint32_t stack = measured(c, cycles);
    puts("CASE ");
    put_dec(i);
    puts(" kind=");
    put_dec(c.kind);
    puts(" status=");
    if (c.kind == SHOAL_TRUST_SHA512) {
      put_hex(g_result);
    } else {
      put_dec(g_result);
    }
    puts(" cycles=");
    put_dec(uint32_t(cycles));
    puts(" stack=");
    put_dec(stack);
    puts("\n");
  }
  puts("RESULT DONE\n");
  return 0;
}
