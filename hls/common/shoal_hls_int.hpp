// Bit-accurate integer types for Shoal's HLS kernels.
//
// No vendor ap_int/ac_int headers are available (and none may be vendored), so the kernels use
// these: UInt<W> and SInt<W> hold a W-bit value (1 <= W <= 64) and every operation wraps to W
// bits exactly as a W-bit hardware register would. Conversions are explicit except from a plain
// integer, which truncates (as an assignment to a narrower register does).
//
// Synthesizable subset only: no heap, no exceptions, no standard library; <stdint.h> is the one
// header used.
#pragma once

#include <stdint.h>

namespace shoal::hls {

template <unsigned W>
struct UInt {
  static_assert(W >= 1 && W <= 64, "UInt<W>: 1 <= W <= 64");
  static constexpr unsigned kWidth = W;
  static constexpr uint64_t kMask = (W == 64) ? ~uint64_t{0} : ((uint64_t{1} << W) - 1);
  static constexpr uint64_t kMax = kMask;

  uint64_t v = 0;

  constexpr UInt() = default;
  constexpr UInt(uint64_t x) : v(x & kMask) {}  // NOLINT: implicit truncation is the point

  template <unsigned W2>
  static constexpr UInt from(UInt<W2> o) {
    return UInt(o.v);
  }

  constexpr uint64_t to_u64() const { return v; }
  constexpr uint32_t to_u32() const { return static_cast<uint32_t>(v); }
  constexpr bool is_zero() const { return v == 0; }

  constexpr bool bit(unsigned i) const { return ((v >> i) & 1u) != 0; }
  constexpr UInt with_bit(unsigned i, bool b) const {
    return UInt(b ? (v | (uint64_t{1} << i)) : (v & ~(uint64_t{1} << i)));
  }
  template <unsigned HI, unsigned LO>
  constexpr UInt<HI - LO + 1> range() const {
    static_assert(HI >= LO && HI < W, "range<HI, LO>: bits out of the value");
    return UInt<HI - LO + 1>(v >> LO);
  }

  // Wrapping arithmetic, as a W-bit adder/multiplier would produce.
  friend constexpr UInt operator+(UInt a, UInt b) { return UInt(a.v + b.v); }
  friend constexpr UInt operator-(UInt a, UInt b) { return UInt(a.v - b.v); }
  friend constexpr UInt operator*(UInt a, UInt b) { return UInt(a.v * b.v); }
  friend constexpr UInt operator&(UInt a, UInt b) { return UInt(a.v & b.v); }
  friend constexpr UInt operator|(UInt a, UInt b) { return UInt(a.v | b.v); }
  friend constexpr UInt operator^(UInt a, UInt b) { return UInt(a.v ^ b.v); }
  constexpr UInt operator~() const { return UInt(~v); }
  constexpr UInt operator<<(unsigned s) const { return s >= W ? UInt(0) : UInt(v << s); }
  constexpr UInt operator>>(unsigned s) const { return s >= W ? UInt(0) : UInt(v >> s); }
  constexpr UInt& operator+=(UInt b) { return *this = *this + b; }
  constexpr UInt& operator-=(UInt b) { return *this = *this - b; }
  constexpr UInt& operator&=(UInt b) { return *this = *this & b; }
  constexpr UInt& operator|=(UInt b) { return *this = *this | b; }
  constexpr UInt& operator^=(UInt b) { return *this = *this ^ b; }

  friend constexpr bool operator==(UInt a, UInt b) { return a.v == b.v; }
  friend constexpr bool operator!=(UInt a, UInt b) { return a.v != b.v; }
  friend constexpr bool operator<(UInt a, UInt b) { return a.v < b.v; }
  friend constexpr bool operator<=(UInt a, UInt b) { return a.v <= b.v; }
  friend constexpr bool operator>(UInt a, UInt b) { return a.v > b.v; }
  friend constexpr bool operator>=(UInt a, UInt b) { return a.v >= b.v; }

  // Saturating helpers for counters that must never silently wrap.
  constexpr UInt sat_add(UInt b) const {
    return (kMax - v < b.v) ? UInt(kMax) : UInt(v + b.v);
  }
  constexpr UInt sat_sub(UInt b) const { return (v < b.v) ? UInt(0) : UInt(v - b.v); }
  constexpr bool add_overflows(UInt b) const { return kMax - v < b.v; }
};

template <unsigned W>
struct SInt {
  static_assert(W >= 1 && W <= 64, "SInt<W>: 1 <= W <= 64");
  static constexpr unsigned kWidth = W;
  static constexpr uint64_t kMask = UInt<W>::kMask;

  int64_t v = 0;  // always held sign-extended from bit W-1

  static constexpr int64_t sext(uint64_t x) {
    const uint64_t m = x & kMask;
    const uint64_t sign = uint64_t{1} << (W - 1);
    return static_cast<int64_t>((m ^ sign) - sign);
  }

  constexpr SInt() = default;
  constexpr SInt(int64_t x) : v(sext(static_cast<uint64_t>(x))) {}  // NOLINT: truncates

  constexpr int64_t to_i64() const { return v; }
  constexpr UInt<W> bits() const { return UInt<W>(static_cast<uint64_t>(v)); }
  constexpr bool is_negative() const { return v < 0; }

  friend constexpr SInt operator+(SInt a, SInt b) {
    return SInt(static_cast<int64_t>(static_cast<uint64_t>(a.v) + static_cast<uint64_t>(b.v)));
  }
  friend constexpr SInt operator-(SInt a, SInt b) {
    return SInt(static_cast<int64_t>(static_cast<uint64_t>(a.v) - static_cast<uint64_t>(b.v)));
  }
  friend constexpr SInt operator*(SInt a, SInt b) {
    return SInt(static_cast<int64_t>(static_cast<uint64_t>(a.v) * static_cast<uint64_t>(b.v)));
  }
  // Arithmetic shift right (sign fills), as an RTL >>> on a signed value.
  constexpr SInt operator>>(unsigned s) const { return SInt(s >= 63 ? (v < 0 ? -1 : 0) : (v >> s)); }
  constexpr SInt operator<<(unsigned s) const {
    return s >= W ? SInt(0) : SInt(static_cast<int64_t>(static_cast<uint64_t>(v) << s));
  }

  friend constexpr bool operator==(SInt a, SInt b) { return a.v == b.v; }
  friend constexpr bool operator!=(SInt a, SInt b) { return a.v != b.v; }
  friend constexpr bool operator<(SInt a, SInt b) { return a.v < b.v; }
  friend constexpr bool operator<=(SInt a, SInt b) { return a.v <= b.v; }
  friend constexpr bool operator>(SInt a, SInt b) { return a.v > b.v; }
  friend constexpr bool operator>=(SInt a, SInt b) { return a.v >= b.v; }
};

// Number of bits needed to hold values 0..n-1 (at least 1), for sizing indices.
constexpr unsigned clog2(uint64_t n) {
  unsigned b = 0;
  for (uint64_t x = 1; x < n && b < 64; x <<= 1) ++b;
  return b == 0 ? 1 : b;
}

}  // namespace shoal::hls
