// The fixed-point helpers (firmware/policy fixed.hpp) against plain 64-bit / 128-bit integer
// arithmetic, over every shift count and values at the edges.
#include <catch2/catch.hpp>

#include <cmath>
#include <random>

#include "shoal/policy/fixed.hpp"

using namespace shoal::policy::fx;

namespace {
std::vector<int64_t> edge_values() {
  std::vector<int64_t> v = {0, 1, -1, 2, -2, 0x7FFFFFFF, -0x7FFFFFFF - 1, 0xFFFFFFFFLL, -0xFFFFFFFFLL,
                            INT64_MAX / 4, INT64_MIN / 4, 0x123456789ABCDEFLL, -0x123456789ABCDEFLL};
  std::mt19937_64 g(1);
  for (int i = 0; i < 200; ++i) v.push_back(int64_t(g()) >> (g() % 40));
  return v;
}
}  // namespace

TEST_CASE("64-bit shifts on 32-bit halves equal the compiler's", "[fixed]") {
  for (int64_t v : edge_values()) {
    for (unsigned s = 0; s < 64; ++s) {
      INFO("v " << v << " s " << s);
      REQUIRE(lsl64(uint64_t(v), s) == (uint64_t(v) << s));
      REQUIRE(asr64(v, s) == (v >> s));
    }
    for (unsigned s = 1; s < 62; ++s) {
      const __int128 want = (__int128(v) + (__int128(1) << (s - 1))) >> s;  // round half up
      if (want > INT64_MAX || want < INT64_MIN) continue;
      if (__int128(v) + (__int128(1) << (s - 1)) > INT64_MAX) continue;
      REQUIRE(rshift_round(v, s) == int64_t(want));
    }
    for (int s = -30; s <= 0; ++s)
      if (std::llabs(v) < (int64_t(1) << 32)) REQUIRE(shift_round(v, s) == int64_t(uint64_t(v) << -s));
  }
}

TEST_CASE("clz, the 16-bit reciprocal and the configuration-time division", "[fixed]") {
  for (unsigned b = 0; b < 32; ++b) {
    REQUIRE(clz32(1u << b) == 31 - b);
    REQUIRE(clz32((1u << b) | 1u) == 31 - b);
    REQUIRE(clz32(0xFFFFFFFFu >> (31 - b)) == 31 - b);
  }
  std::mt19937 g(2);
  for (int i = 0; i < 20000; ++i) {
    const uint32_t d = i < 32 ? (1u << i) : (i < 64 ? 0xFFFFFFFFu >> (i - 32) : (g() >> (g() % 32)) | 1u);
    const Recip r = recip16(d);
    const double approx = double(r.m) * std::ldexp(1.0, -(31 + r.e));
    INFO("d " << d);
    REQUIRE(r.m >= 32768u);
    REQUIRE(r.m <= 65536u);
    REQUIRE(std::fabs(approx * double(d) - 1.0) < 1.0 / 32768.0);  // relative error < 2^-15
    const uint32_t n = g();
    const uint64_t want = (uint64_t(n) << 16) / d;
    REQUIRE(div_q16(n, d) == (want > 0xFFFFFFFFu ? 0xFFFFFFFFu : uint32_t(want)));
  }
  REQUIRE(div_q16(1u << 24, 64881) == uint32_t((uint64_t(1) << 40) / 64881));
  REQUIRE(div_q16(0xFFFFFFFFu, 1) == 0xFFFFFFFFu);
}

TEST_CASE("samples, levels, smoothing: rounding and saturation at the edges", "[fixed]") {
  REQUIRE(from_sample(0) == 0);
  REQUIRE(from_sample(0xFFFF) == 0xFFFF << 8);
  for (uint32_t s = 0; s <= 0xFFFF; ++s) REQUIRE(to_sample(from_sample(uint16_t(s))) == s);
  REQUIRE(to_sample(-1) == 0);
  REQUIRE(to_sample(INT32_MIN) == 0);
  REQUIRE(to_sample(INT32_MAX) == 0xFFFF);
  REQUIRE(to_sample(127) == 0);   // 127/256 LSB rounds down
  REQUIRE(to_sample(128) == 1);   // half up
  REQUIRE(clamp_level(int64_t(1) << 40) == kLevelLimit);
  REQUIRE(clamp_level(-(int64_t(1) << 40)) == -kLevelLimit);
  REQUIRE(smooth(0, kOne24, kOne16) == kOne24);  // c = 1.0: jumps to b
  REQUIRE(smooth(kOne24, 0, 0) == kOne24);       // c = 0: stays
  REQUIRE(smooth(0, 3, 32768) == 2);             // 1.5 rounds half up
  REQUIRE(smooth(0, -3, 32768) == -1);           // -1.5 rounds half up (toward +inf)
  REQUIRE(mul_coef(kOne24, 32768) == kOne24 / 2);
  REQUIRE(mul24(kOne24, kOne24) == kOne24);
  REQUIRE(mul24(INT32_MAX, INT32_MAX) == INT32_MAX);  // saturates
  REQUIRE(mul24(INT32_MIN, INT32_MAX) == INT32_MIN);
  REQUIRE(sat32(int64_t(INT32_MAX) + 1) == INT32_MAX);
  REQUIRE(sat32(int64_t(INT32_MIN) - 1) == INT32_MIN);
  REQUIRE(ceil_q16(0) == 0);
  REQUIRE(ceil_q16(1) == 1);
  REQUIRE(ceil_q16(65536) == 1);
  REQUIRE(ceil_q16(65537) == 2);
}
