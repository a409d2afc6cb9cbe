// Shoal policy: fixed-point arithmetic shared by the predictor and the policies.
//
// Portable C++17, freestanding: no heap, no exceptions, no floating point, only <stdint.h>.
// Everything here is exact integer arithmetic, so the firmware (RV32IM) and the host build give
// the same bits. No 64-bit division (RV32IM has none; libgcc's would be a hidden dependency):
// divisions are 32-bit (one `divu`) or go through recip16() below.
//
// Formats (Qm.n = m integer bits including sign, n fraction bits; "FS" = full scale):
//   Sample  uint16_t  Q0.16  a measurement as a fraction of the resource's full scale,
//                            0 .. 0xFFFF (0xFFFF = 65535/65536 FS, the WMU's 100 %)
//   Level   int32_t   Q8.24  internal levels, trends, forecasts in FS units, 1.0 FS = 2^24,
//                            range [-128, 128) FS; kept within +-kLevelLimit
//   Coef    uint32_t  Q16    a coefficient 0 .. 65536 (= 0 .. 1.0), e.g. a smoothing factor
//   R24     int32_t   Q8.24  the AR model's standardized regressors, coefficients, gain and
//                            covariance (dimensionless), range [-128, 128)
// Rounding: every right shift that drops bits adds half an LSB first (round half up, i.e.
// toward +inf on ties); `>>` of a negative value is arithmetic (GCC, both targets).
#pragma once
#include <stdint.h>

// The helpers are forced inline: with a constant shift most of them fold to a few instructions,
// and at -Os GCC would otherwise call them (a call per 64-bit shift on the hot paths).
#define SHOAL_FX_INLINE inline __attribute__((always_inline))

namespace shoal::policy::fx {

inline constexpr int32_t kOne24 = 1 << 24;             // 1.0 in Q8.24
inline constexpr uint32_t kOne16 = 1u << 16;           // 1.0 in Q16
inline constexpr int32_t kLevelLimit = 64 * kOne24;    // levels are clamped to +-64 FS

SHOAL_FX_INLINE constexpr int32_t clamp32(int32_t v, int32_t lo, int32_t hi) {
  return v < lo ? lo : (v > hi ? hi : v);
}
SHOAL_FX_INLINE constexpr int64_t clamp64(int64_t v, int64_t lo, int64_t hi) {
  return v < lo ? lo : (v > hi ? hi : v);
}
SHOAL_FX_INLINE constexpr int32_t sat32(int64_t v) {
  return v > INT32_MAX ? INT32_MAX : (v < INT32_MIN ? INT32_MIN : int32_t(v));
}
// 64-bit shifts by a variable amount, written on 32-bit halves: on RV32 a plain `<<`/`>>` of a
// 64-bit value by a variable count is a libgcc call (__ashldi3 & co.). s in 0..63.
SHOAL_FX_INLINE constexpr uint64_t lsl64(uint64_t v, unsigned s) {
  const uint32_t lo = uint32_t(v), hi = uint32_t(v >> 32);
  if (s == 0) return v;
  if (s >= 32) return uint64_t(lo << (s - 32)) << 32;
  return (uint64_t((hi << s) | (lo >> (32 - s))) << 32) | uint32_t(lo << s);
}
SHOAL_FX_INLINE constexpr int64_t asr64(int64_t v, unsigned s) {
  const uint32_t lo = uint32_t(uint64_t(v)), hi = uint32_t(uint64_t(v) >> 32);
  const int32_t shi = int32_t(hi);
  if (s == 0) return v;
  if (s >= 32) return int64_t(shi >> (s - 32));
  const uint32_t nlo = (lo >> s) | (hi << (32 - s));
  const uint32_t nhi = uint32_t(shi >> s);
  return int64_t((uint64_t(nhi) << 32) | nlo);
}
// v / 2^s rounded half up (s in 1..62)
SHOAL_FX_INLINE constexpr int64_t rshift_round(int64_t v, unsigned s) {
  return asr64(int64_t(uint64_t(v) + lsl64(1, s - 1)), s);
}
// v * 2^-s rounded half up for any s in -30..62 (s <= 0: an exact left shift)
SHOAL_FX_INLINE constexpr int64_t shift_round(int64_t v, int s) {
  return s <= 0 ? int64_t(lsl64(uint64_t(v), unsigned(-s))) : rshift_round(v, unsigned(s));
}

// Sample <-> Level
SHOAL_FX_INLINE constexpr int32_t from_sample(uint16_t s) { return int32_t(s) << 8; }
SHOAL_FX_INLINE constexpr uint16_t to_sample(int32_t level) {
  const int32_t r = int32_t(rshift_round(level, 8));
  return uint16_t(clamp32(r, 0, 0xFFFF));
}
SHOAL_FX_INLINE constexpr int32_t clamp_level(int64_t v) {
  return int32_t(clamp64(v, -kLevelLimit, kLevelLimit));
}

// a * c for a Level (or any Q.24 value) and a Q16 coefficient c (0..65536): a * c / 2^16
SHOAL_FX_INLINE constexpr int32_t mul_coef(int32_t a, uint32_t c) {
  return sat32(rshift_round(int64_t(a) * int64_t(c), 16));
}
// a + c * (b - a): exponential smoothing step from a toward b by c (Q16)
SHOAL_FX_INLINE constexpr int32_t smooth(int32_t a, int32_t b, uint32_t c) {
  return clamp_level(int64_t(a) + rshift_round((int64_t(b) - int64_t(a)) * int64_t(c), 16));
}
// Q.24 * Q.24 -> Q.24 (saturating)
SHOAL_FX_INLINE constexpr int32_t mul24(int32_t a, int32_t b) {
  return sat32(rshift_round(int64_t(a) * int64_t(b), 24));
}

// Leading zeros of a non-zero 32-bit value (no __builtin_clz: on RV32IM without Zbb it is a
// libgcc call).
SHOAL_FX_INLINE constexpr unsigned clz32(uint32_t v) {
  unsigned n = 0;
  if ((v & 0xFFFF0000u) == 0) { n += 16; v <<= 16; }
  if ((v & 0xFF000000u) == 0) { n += 8; v <<= 8; }
  if ((v & 0xF0000000u) == 0) { n += 4; v <<= 4; }
  if ((v & 0xC0000000u) == 0) { n += 2; v <<= 2; }
  if ((v & 0x80000000u) == 0) { n += 1; }
  return n;
}

// Reciprocal with a 16-bit mantissa: for d > 0, 1/d ~= m * 2^-(31 + e), where d = d16 * 2^e
// with d16 in [2^15, 2^16) and m = floor(2^31 / d16) in (2^15, 2^16]. Relative error < 2^-15.
// One 32-bit division.
struct Recip {
  uint32_t m;
  int32_t e;
};
SHOAL_FX_INLINE constexpr Recip recip16(uint32_t d) {
  const int32_t e = 16 - int32_t(clz32(d));  // d >> e (or << -e) lands in [2^15, 2^16)
  const uint32_t d16 = e >= 0 ? (d >> e) : (d << -e);
  return Recip{0x80000000u / d16, e};  // 32-bit division
}

// floor(n * 2^16 / d) for 32-bit n, d > 0: 32-bit division for the integer part, then 16
// restoring steps (no 64-bit division). Saturates at 0xFFFFFFFF. For configuration-time
// constants, not for hot paths.
inline constexpr uint32_t div_q16(uint32_t n, uint32_t d) {
  const uint32_t qi = n / d;
  if (qi >= 0x10000u) return 0xFFFFFFFFu;
  uint64_t r = n % d;
  uint32_t qf = 0;
  for (int i = 0; i < 16; ++i) {
    r <<= 1;
    qf <<= 1;
    if (r >= d) {
      r -= d;
      qf |= 1;
    }
  }
  return (qi << 16) | qf;
}

// ceil(v / 2^16) for a non-negative Q16.16 quantity (units from a Q16.16 amount)
SHOAL_FX_INLINE constexpr uint32_t ceil_q16(uint64_t v) { return uint32_t((v + 0xFFFFu) >> 16); }

}  // namespace shoal::policy::fx
