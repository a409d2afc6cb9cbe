// Building signed images in tests (libsodium + the shared header writer), independent of
// shoal-sign, so that every field can be set to a value the tool would never write.
#pragma once
#include <sodium.h>

#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "shoal/fw_image.h"
#include "shoal/regs.h"

namespace shoal::trusttest {

struct TestKey {
  uint8_t pk[32], sk[64];
};
inline TestKey key_from_seed(const uint8_t seed[32]) {
  TestKey k;
  crypto_sign_seed_keypair(k.pk, k.sk, seed);
  return k;
}
inline TestKey random_key() {
  TestKey k;
  crypto_sign_keypair(k.pk, k.sk);
  return k;
}
// The documented co-simulation test key (docs/firmware-signing.md).
inline TestKey test_key() {
  static const char seed[] = "SHOAL TEST KEY - NOT A SECRET!!!";
  return key_from_seed(reinterpret_cast<const uint8_t*>(seed));
}

inline shoal::boot::MemMap card_mem() {
  return {SHOAL_CORE_IRAM_BASE_RESET, SHOAL_CORE_IRAM_BYTES_RESET, SHOAL_CORE_DRAM_BASE_RESET,
          SHOAL_CORE_DRAM_BYTES_RESET, shoal::boot::kProposedSlotBytes};
}

// header + payload, then (unless sign is false) the signature by `k`.
inline std::vector<uint8_t> make_image(const shoal::boot::Header& h, const std::vector<uint8_t>& payload,
                                       const TestKey& k, bool sign = true) {
  std::vector<uint8_t> img(shoal::boot::kHeaderBytes);
  shoal::boot::write_header(img.data(), h);
  img.insert(img.end(), payload.begin(), payload.end());
  if (sign) {
    uint8_t sig[64];
    crypto_sign_detached(sig, nullptr, img.data(), img.size(), k.sk);
    img.insert(img.end(), sig, sig + 64);
  }
  return img;
}
inline std::vector<uint8_t> resign(std::vector<uint8_t> img, const TestKey& k) {
  img.resize(img.size() - 64);
  uint8_t sig[64];
  crypto_sign_detached(sig, nullptr, img.data(), img.size(), k.sk);
  img.insert(img.end(), sig, sig + 64);
  return img;
}

// A plausible image: code in IRAM at the entry, data in DRAM with a .bss tail.
inline shoal::boot::Header simple_header(const TestKey& k, uint32_t rollback, uint32_t code, uint32_t data) {
  shoal::boot::Header h{};
  h.rollback = rollback;
  h.entry = SHOAL_CORE_IRAM_BASE_RESET;
  h.segment_count = 2;
  h.payload_bytes = code + data;
  shoal::boot::key_id(k.pk, h.key_id);
  h.seg[0] = {SHOAL_CORE_IRAM_BASE_RESET, code, 0, 0};
  h.seg[1] = {SHOAL_CORE_DRAM_BASE_RESET, data, code, 256};
  return h;
}

inline std::vector<uint8_t> slurp(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return std::vector<uint8_t>((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
}

}  // namespace shoal::trusttest
