// SHA-512 (FIPS 180-4), portable freestanding C++17: no heap, no exceptions, C headers only.
// Shared by the firmware (RV32IM) and the host (tests, shoal-sign's cross-checks).
#pragma once
#include <stddef.h>
#include <stdint.h>

namespace shoal::crypto {

constexpr size_t kSha512Bytes = 64;
constexpr size_t kSha512BlockBytes = 128;

// Incremental state: init, any number of updates, final. 208 bytes; no pointers inside, so it
// may be copied (a copy continues independently).
struct Sha512 {
  uint64_t h[8];
  uint64_t bytes;                     // message bytes so far (messages < 2^61 bytes)
  uint8_t buf[kSha512BlockBytes];     // a partial block
  uint32_t fill;                      // bytes in buf
};

void sha512_init(Sha512& s);
void sha512_update(Sha512& s, const void* data, size_t len);
// Writes the digest and leaves `s` initialised again (ready for a new message).
void sha512_final(Sha512& s, uint8_t out[kSha512Bytes]);
// One shot.
void sha512(const void* data, size_t len, uint8_t out[kSha512Bytes]);

}  // namespace shoal::crypto
