// The job block of the on-core verifier program (trust_verify.cpp): the host writes it into the
// image's data RAM (symbol `shoal_trust_job`) after the download and before releasing the core.
// Shared by the firmware program, tests/trust/test_oncore.cpp and bench/trust. C layout, no
// padding surprises: every member is naturally aligned.
#pragma once
#include <stdint.h>

#define SHOAL_TRUST_JOB_MAGIC 0x4A545348u  // "HSTJ"
#define SHOAL_TRUST_MAX_CASES 6
#define SHOAL_TRUST_MAX_MSG 512

enum ShoalTrustKind : uint32_t {
  SHOAL_TRUST_VERIFY = 0,  // ed25519_verify(sig, msg, len, pk): prints the status
  SHOAL_TRUST_SHA512 = 1,  // sha512(msg, len): prints the first 8 digest bytes
};

struct ShoalTrustCase {
  uint32_t kind;
  uint32_t len;
  uint8_t sig[64];
  uint8_t pk[32];
  uint8_t msg[SHOAL_TRUST_MAX_MSG];
};

struct ShoalTrustJob {
  uint32_t magic;
  uint32_t count;
  struct ShoalTrustCase cases[SHOAL_TRUST_MAX_CASES];
};
