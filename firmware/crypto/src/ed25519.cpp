// Ed25519 verification (RFC 8032 5.1.7). Field, group and scalar layers; ed25519_internal.h
// describes the representations. Variable time throughout: only public data passes here.
#include "shoal/crypto/ed25519.h"

#include <string.h>

#include "ed25519_internal.h"

namespace shoal::crypto {
namespace detail {
namespace {

#include "ed25519_consts.inc"

constexpr uint32_t kM26 = (1u << 26) - 1;
constexpr uint32_t kM25 = (1u << 25) - 1;
// Window widths of the NAF recodings: B uses the committed table of 8 odd multiples (width 5);
// A's odd multiples are computed per verification on the stack (2^(w-2) cached points).
constexpr int kWinB = 5;
constexpr int kWinA = 4;
constexpr int kTableA = 1 << (kWinA - 2);

inline uint64_t mul64(uint32_t a, uint32_t b) { return uint64_t(a) * b; }

// Carry pass over 32-bit limbs of at most ~2^29: afterwards the element is weakly reduced
// (the carry out of limb 9 re-enters limb 0 times 19, since 2^255 = 19 mod p; the final carry
// from limb 0 leaves limb 1 at most 2^25 - 1 + 2^8). Written out with constant shifts (a loop
// over alternating widths costs gcc -Os about four times as many cycles on RV32).
template <int W>
__attribute__((always_inline)) inline void carry32(uint32_t& lo, uint32_t& hi) {
  hi += lo >> W;
  lo &= (1u << W) - 1;
}
void weak(Fe& h) {
  uint32_t* v = h.v;
  carry32<26>(v[0], v[1]);
  carry32<25>(v[1], v[2]);
  carry32<26>(v[2], v[3]);
  carry32<25>(v[3], v[4]);
  carry32<26>(v[4], v[5]);
  carry32<25>(v[5], v[6]);
  carry32<26>(v[6], v[7]);
  carry32<25>(v[7], v[8]);
  carry32<26>(v[8], v[9]);
  const uint32_t c = v[9] >> 25;
  v[9] &= kM25;
  v[0] += 19 * c;
  carry32<26>(v[0], v[1]);
}

// 64-bit limb sums (< 2^61) to a weakly reduced element. Written out with constant shifts:
// a loop with a variable shift count makes gcc -Os call __lshrdi3 for every step on RV32.
template <int W>
__attribute__((always_inline)) inline void carry_step(uint64_t& lo, uint64_t& hi) {
  hi += lo >> W;
  lo &= (uint64_t(1) << W) - 1;
}
void carry64(Fe& out, uint64_t h[10]) {
  carry_step<26>(h[0], h[1]);
  carry_step<25>(h[1], h[2]);
  carry_step<26>(h[2], h[3]);
  carry_step<25>(h[3], h[4]);
  carry_step<26>(h[4], h[5]);
  carry_step<25>(h[5], h[6]);
  carry_step<26>(h[6], h[7]);
  carry_step<25>(h[7], h[8]);
  carry_step<26>(h[8], h[9]);
  const uint64_t c = h[9] >> 25;  // < 2^37
  h[9] &= kM25;
  h[0] += 19 * c;              // < 2^42
  carry_step<26>(h[0], h[1]);  // limb 1 <= 2^25 + 2^16
  for (int i = 0; i < 10; ++i) out.v[i] = uint32_t(h[i]);
}

}  // namespace

// ---- field ------------------------------------------------------------------------------------

void fe_0(Fe& h) { memset(&h, 0, sizeof h); }
void fe_1(Fe& h) {
  fe_0(h);
  h.v[0] = 1;
}

// Limb i holds bits kOff[i] .. kOff[i] + width - 1 of the 255-bit value. Both conversions work
// on 32-bit words only (64-bit shifts by a variable amount are library calls on RV32).
namespace {
const uint8_t kOff[10] = {0, 26, 51, 77, 102, 128, 153, 179, 204, 230};
}  // namespace

void fe_frombytes(Fe& h, const uint8_t s[32]) {
  uint32_t w[9];
  for (int i = 0; i < 8; ++i) {
    w[i] = uint32_t(s[4 * i]) | uint32_t(s[4 * i + 1]) << 8 | uint32_t(s[4 * i + 2]) << 16 |
           uint32_t(s[4 * i + 3]) << 24;
  }
  w[8] = 0;
  for (int i = 0; i < 10; ++i) {
    const unsigned o = kOff[i], idx = o >> 5, sh = o & 31, width = (i & 1) ? 25 : 26;
    uint32_t v = w[idx] >> sh;
    if (sh + width > 32) v |= w[idx + 1] << (32 - sh);
    h.v[i] = v & ((1u << width) - 1);  // limb 9: bits 230..254, bit 255 dropped
  }
}

void fe_tobytes(uint8_t s[32], const Fe& f) {
  Fe h = f;
  weak(h);  // value V < 2^255 + 2^26 < 2p
  // q = floor((V + 19) / 2^255) is 1 exactly when V >= p
  uint32_t q = (h.v[0] + 19) >> 26;
  for (int i = 1; i < 10; ++i) q = (h.v[i] + q) >> ((i & 1) ? 25 : 26);
  // V - q p = V + 19 q - q 2^255: add 19 q, carry through, drop the carry out of bit 255
  h.v[0] += 19 * q;
  for (int i = 0; i < 9; ++i) {
    const int w = (i & 1) ? 25 : 26;
    h.v[i + 1] += h.v[i] >> w;
    h.v[i] &= (1u << w) - 1;
  }
  h.v[9] &= kM25;
  uint32_t w[9] = {0, 0, 0, 0, 0, 0, 0, 0, 0};
  for (int i = 0; i < 10; ++i) {
    const unsigned o = kOff[i], idx = o >> 5, sh = o & 31, width = (i & 1) ? 25 : 26;
    w[idx] |= h.v[i] << sh;
    if (sh + width > 32) w[idx + 1] |= h.v[i] >> (32 - sh);
  }
  for (int i = 0; i < 8; ++i) {
    for (int b = 0; b < 4; ++b) s[4 * i + b] = uint8_t(w[i] >> (8 * b));
  }
}

void fe_add(Fe& h, const Fe& f, const Fe& g) {
  for (int i = 0; i < 10; ++i) h.v[i] = f.v[i] + g.v[i];
  weak(h);
}

// f + 4p - g: every limb of 4p (2^28 - 76, 2^27 - 4, 2^28 - 4, ...) exceeds the weakly reduced
// bound of g's limb, so no limb goes negative.
void fe_sub(Fe& h, const Fe& f, const Fe& g) {
  h.v[0] = f.v[0] + 0xFFFFFB4u - g.v[0];
  for (int i = 1; i < 10; ++i) h.v[i] = f.v[i] + ((i & 1) ? 0x7FFFFFCu : 0xFFFFFFCu) - g.v[i];
  weak(h);
}

void fe_neg(Fe& h, const Fe& f) {
  Fe z;
  fe_0(z);
  fe_sub(h, z, f);
}

// h = f g. Term f_i g_j lands in limb (i + j) mod 10; twice when i and j are both odd (the
// limb offsets then add up to one bit more than the target offset); times 19 when i + j >= 10
// (2^255 = 19). Inputs weakly reduced: 2 f_odd < 2^26.01, 19 g < 2^30.3, so every term is
// < 2^56.3 and every sum of ten < 2^60 (fits in 64 bits with room for the carries).
void fe_mul(Fe& h, const Fe& f, const Fe& g) {
  const uint32_t f0 = f.v[0], f1 = f.v[1], f2 = f.v[2], f3 = f.v[3], f4 = f.v[4];
  const uint32_t f5 = f.v[5], f6 = f.v[6], f7 = f.v[7], f8 = f.v[8], f9 = f.v[9];
  const uint32_t g0 = g.v[0], g1 = g.v[1], g2 = g.v[2], g3 = g.v[3], g4 = g.v[4];
  const uint32_t g5 = g.v[5], g6 = g.v[6], g7 = g.v[7], g8 = g.v[8], g9 = g.v[9];
  const uint32_t f1d = 2 * f1, f3d = 2 * f3, f5d = 2 * f5, f7d = 2 * f7, f9d = 2 * f9;
  const uint32_t g1n = 19 * g1, g2n = 19 * g2, g3n = 19 * g3, g4n = 19 * g4, g5n = 19 * g5;
  const uint32_t g6n = 19 * g6, g7n = 19 * g7, g8n = 19 * g8, g9n = 19 * g9;
  uint64_t t[10];
  t[0] = mul64(f0, g0) + mul64(f1d, g9n) + mul64(f2, g8n) + mul64(f3d, g7n) + mul64(f4, g6n) +
         mul64(f5d, g5n) + mul64(f6, g4n) + mul64(f7d, g3n) + mul64(f8, g2n) + mul64(f9d, g1n);
  t[1] = mul64(f0, g1) + mul64(f1, g0) + mul64(f2, g9n) + mul64(f3, g8n) + mul64(f4, g7n) +
         mul64(f5, g6n) + mul64(f6, g5n) + mul64(f7, g4n) + mul64(f8, g3n) + mul64(f9, g2n);
  t[2] = mul64(f0, g2) + mul64(f1d, g1) + mul64(f2, g0) + mul64(f3d, g9n) + mul64(f4, g8n) +
         mul64(f5d, g7n) + mul64(f6, g6n) + mul64(f7d, g5n) + mul64(f8, g4n) + mul64(f9d, g3n);
  t[3] = mul64(f0, g3) + mul64(f1, g2) + mul64(f2, g1) + mul64(f3, g0) + mul64(f4, g9n) +
         mul64(f5, g8n) + mul64(f6, g7n) + mul64(f7, g6n) + mul64(f8, g5n) + mul64(f9, g4n);
  t[4] = mul64(f0, g4) + mul64(f1d, g3) + mul64(f2, g2) + mul64(f3d, g1) + mul64(f4, g0) +
         mul64(f5d, g9n) + mul64(f6, g8n) + mul64(f7d, g7n) + mul64(f8, g6n) + mul64(f9d, g5n);
  t[5] = mul64(f0, g5) + mul64(f1, g4) + mul64(f2, g3) + mul64(f3, g2) + mul64(f4, g1) +
         mul64(f5, g0) + mul64(f6, g9n) + mul64(f7, g8n) + mul64(f8, g7n) + mul64(f9, g6n);
  t[6] = mul64(f0, g6) + mul64(f1d, g5) + mul64(f2, g4) + mul64(f3d, g3) + mul64(f4, g2) +
         mul64(f5d, g1) + mul64(f6, g0) + mul64(f7d, g9n) + mul64(f8, g8n) + mul64(f9d, g7n);
  t[7] = mul64(f0, g7) + mul64(f1, g6) + mul64(f2, g5) + mul64(f3, g4) + mul64(f4, g3) +
         mul64(f5, g2) + mul64(f6, g1) + mul64(f7, g0) + mul64(f8, g9n) + mul64(f9, g8n);
  t[8] = mul64(f0, g8) + mul64(f1d, g7) + mul64(f2, g6) + mul64(f3d, g5) + mul64(f4, g4) +
         mul64(f5d, g3) + mul64(f6, g2) + mul64(f7d, g1) + mul64(f8, g0) + mul64(f9d, g9n);
  t[9] = mul64(f0, g9) + mul64(f1, g8) + mul64(f2, g7) + mul64(f3, g6) + mul64(f4, g5) +
         mul64(f5, g4) + mul64(f6, g3) + mul64(f7, g2) + mul64(f8, g1) + mul64(f9, g0);
  carry64(h, t);
}

// h = f^2: fe_mul's terms with f_i f_j and f_j f_i merged (coefficient 2 for i != j).
void fe_sq(Fe& h, const Fe& f) {
  const uint32_t f0 = f.v[0], f1 = f.v[1], f2 = f.v[2], f3 = f.v[3], f4 = f.v[4];
  const uint32_t f5 = f.v[5], f6 = f.v[6], f7 = f.v[7], f8 = f.v[8], f9 = f.v[9];
  const uint32_t f0d = 2 * f0, f1d = 2 * f1, f2d = 2 * f2, f3d = 2 * f3, f4d = 2 * f4;
  const uint32_t f5d = 2 * f5, f6d = 2 * f6, f7d = 2 * f7;
  const uint32_t f5t = 38 * f5, f6n = 19 * f6, f7t = 38 * f7, f8n = 19 * f8, f9t = 38 * f9;
  uint64_t t[10];
  t[0] = mul64(f0, f0) + mul64(f1d, f9t) + mul64(f2d, f8n) + mul64(f3d, f7t) + mul64(f4d, f6n) +
         mul64(f5, f5t);
  t[1] = mul64(f0d, f1) + mul64(f2, f9t) + mul64(f3d, f8n) + mul64(f4, f7t) + mul64(f5d, f6n);
  t[2] = mul64(f0d, f2) + mul64(f1d, f1) + mul64(f3d, f9t) + mul64(f4d, f8n) + mul64(f5d, f7t) +
         mul64(f6, f6n);
  t[3] = mul64(f0d, f3) + mul64(f1d, f2) + mul64(f4, f9t) + mul64(f5d, f8n) + mul64(f6, f7t);
  t[4] = mul64(f0d, f4) + mul64(f1d, f3d) + mul64(f2, f2) + mul64(f5d, f9t) + mul64(f6d, f8n) +
         mul64(f7, f7t);
  t[5] = mul64(f0d, f5) + mul64(f1d, f4) + mul64(f2d, f3) + mul64(f6, f9t) + mul64(f7d, f8n);
  t[6] = mul64(f0d, f6) + mul64(f1d, f5d) + mul64(f2d, f4) + mul64(f3d, f3) + mul64(f7d, f9t) +
         mul64(f8, f8n);
  t[7] = mul64(f0d, f7) + mul64(f1d, f6) + mul64(f2d, f5) + mul64(f3d, f4) + mul64(f8, f9t);
  t[8] = mul64(f0d, f8) + mul64(f1d, f7d) + mul64(f2d, f6) + mul64(f3d, f5d) + mul64(f4, f4) +
         mul64(f9, f9t);
  t[9] = mul64(f0d, f9) + mul64(f1d, f8) + mul64(f2d, f7) + mul64(f3d, f6) + mul64(f4d, f5);
  carry64(h, t);
}

namespace {
void fe_sqn(Fe& h, const Fe& f, int n) {
  fe_sq(h, f);
  for (int i = 1; i < n; ++i) fe_sq(h, h);
}
// z^(2^250 - 1) into r250 and z^11 into z11 (the common prefix of both exponentiations).
void fe_pow250(Fe& r250, Fe& z11, const Fe& z) {
  Fe t0, t1, t2, t3;
  fe_sq(t0, z);          // z^2
  fe_sqn(t1, t0, 2);     // z^8
  fe_mul(t1, t1, z);     // z^9
  fe_mul(z11, t0, t1);   // z^11
  fe_sq(t2, z11);        // z^22
  fe_mul(t1, t1, t2);    // z^31 = z^(2^5 - 1)
  fe_sqn(t2, t1, 5);
  fe_mul(t1, t2, t1);    // 2^10 - 1
  fe_sqn(t2, t1, 10);
  fe_mul(t2, t2, t1);    // 2^20 - 1
  fe_sqn(t3, t2, 20);
  fe_mul(t2, t3, t2);    // 2^40 - 1
  fe_sqn(t2, t2, 10);
  fe_mul(t1, t2, t1);    // 2^50 - 1
  fe_sqn(t2, t1, 50);
  fe_mul(t2, t2, t1);    // 2^100 - 1
  fe_sqn(t3, t2, 100);
  fe_mul(t2, t3, t2);    // 2^200 - 1
  fe_sqn(t2, t2, 50);
  fe_mul(r250, t2, t1);  // 2^250 - 1
}
}  // namespace

void fe_invert(Fe& h, const Fe& z) {  // z^(2^255 - 21) = (z^(2^250 - 1))^(2^5) * z^11
  Fe r, z11;
  fe_pow250(r, z11, z);
  fe_sqn(r, r, 5);
  fe_mul(h, r, z11);
}

void fe_pow22523(Fe& h, const Fe& z) {  // z^(2^252 - 3) = (z^(2^250 - 1))^4 * z
  Fe r, z11;
  fe_pow250(r, z11, z);
  fe_sqn(r, r, 2);
  fe_mul(h, r, z);
}

bool fe_iszero(const Fe& f) {
  uint8_t s[32];
  fe_tobytes(s, f);
  uint8_t acc = 0;
  for (int i = 0; i < 32; ++i) acc |= s[i];
  return acc == 0;
}

bool fe_isodd(const Fe& f) {
  uint8_t s[32];
  fe_tobytes(s, f);
  return s[0] & 1;
}

bool fe_equal(const Fe& f, const Fe& g) {
  uint8_t a[32], b[32];
  fe_tobytes(a, f);
  fe_tobytes(b, g);
  return memcmp(a, b, 32) == 0;
}

// ---- group ------------------------------------------------------------------------------------

void ge_identity(Ge& r) {
  fe_0(r.X);
  fe_1(r.Y);
  fe_1(r.Z);
  fe_0(r.T);
}

bool ge_decode(Ge& r, const uint8_t s[32]) {
  Fe y;
  fe_frombytes(y, s);
  uint8_t back[32];
  fe_tobytes(back, y);  // y < p exactly when re-encoding returns the same 255 bits
  if (memcmp(back, s, 31) != 0 || back[31] != (s[31] & 0x7F)) return false;
  // x^2 = u / v with u = y^2 - 1, v = d y^2 + 1; candidate x = u v^3 (u v^7)^((p-5)/8)
  Fe one, u, v, v3, x, t;
  fe_1(one);
  fe_sq(u, y);
  fe_mul(v, u, kD);
  fe_sub(u, u, one);
  fe_add(v, v, one);
  fe_sq(v3, v);
  fe_mul(v3, v3, v);  // v^3
  fe_sq(x, v3);
  fe_mul(x, x, v);
  fe_mul(x, x, u);  // u v^7
  fe_pow22523(x, x);
  fe_mul(x, x, v3);
  fe_mul(x, x, u);
  fe_sq(t, x);
  fe_mul(t, t, v);  // v x^2
  if (!fe_equal(t, u)) {
    fe_neg(u, u);
    if (!fe_equal(t, u)) return false;  // u / v is not a square: no point with this y
    fe_mul(x, x, kSqrtM1);
  }
  const bool sign = s[31] >> 7;
  if (fe_iszero(x) && sign) return false;
  if (fe_isodd(x) != sign) fe_neg(x, x);
  r.X = x;
  r.Y = y;
  fe_1(r.Z);
  fe_mul(r.T, x, y);
  return true;
}

void ge_encode(uint8_t s[32], const Ge& p) {
  Fe zi, x, y;
  fe_invert(zi, p.Z);
  fe_mul(x, p.X, zi);
  fe_mul(y, p.Y, zi);
  fe_tobytes(s, y);
  s[31] |= uint8_t(fe_isodd(x) << 7);
}

// RFC 8032 5.1.4 doubling: A = X^2, B = Y^2, C = 2 Z^2, H = A + B, E = H - (X + Y)^2,
// G = A - B, F = C + G; X3 = E F, Y3 = G H, T3 = E H, Z3 = F G.
void ge_dbl(Ge& r, const Ge& p, bool want_t) {
  Fe a, b, c, e, f, g, h;
  fe_sq(a, p.X);
  fe_sq(b, p.Y);
  fe_sq(c, p.Z);
  fe_add(c, c, c);
  fe_add(h, a, b);
  fe_add(e, p.X, p.Y);
  fe_sq(e, e);
  fe_sub(e, h, e);
  fe_sub(g, a, b);
  fe_add(f, c, g);
  fe_mul(r.X, e, f);
  fe_mul(r.Y, g, h);
  if (want_t) fe_mul(r.T, e, h);
  fe_mul(r.Z, f, g);
}

void ge_to_cached(Cached& c, const Ge& p) {
  fe_add(c.YpX, p.Y, p.X);
  fe_sub(c.YmX, p.Y, p.X);
  fe_add(c.Z2, p.Z, p.Z);
  fe_mul(c.T2d, p.T, kD2);
}

namespace {
// The common tail of RFC 8032 5.1.4 addition, from A = (Y1-X1)(Y2-X2), B = (Y1+X1)(Y2+X2),
// C = 2d T1 T2, D = 2 Z1 Z2. Subtracting q = adding -q = (-X, Y, Z, -T): swaps the roles of
// Y+X and Y-X (done by the callers) and negates C, which swaps F and G.
void add_tail(Ge& r, const Fe& a, const Fe& b, const Fe& c, const Fe& d, bool neg, bool want_t) {
  Fe e, f, g, h;
  fe_sub(e, b, a);
  fe_add(h, b, a);
  if (neg) {
    fe_add(f, d, c);
    fe_sub(g, d, c);
  } else {
    fe_sub(f, d, c);
    fe_add(g, d, c);
  }
  fe_mul(r.X, e, f);
  fe_mul(r.Y, g, h);
  if (want_t) fe_mul(r.T, e, h);
  fe_mul(r.Z, f, g);
}
}  // namespace

void ge_add(Ge& r, const Ge& p, const Cached& q, bool neg, bool want_t) {
  Fe a, b, c, d;
  fe_sub(a, p.Y, p.X);
  fe_mul(a, a, neg ? q.YpX : q.YmX);
  fe_add(b, p.Y, p.X);
  fe_mul(b, b, neg ? q.YmX : q.YpX);
  fe_mul(c, p.T, q.T2d);
  fe_mul(d, p.Z, q.Z2);
  add_tail(r, a, b, c, d, neg, want_t);
}

void ge_add(Ge& r, const Ge& p, const Niels& q, bool neg, bool want_t) {
  Fe a, b, c, d;
  fe_sub(a, p.Y, p.X);
  fe_mul(a, a, neg ? q.YpX : q.YmX);
  fe_add(b, p.Y, p.X);
  fe_mul(b, b, neg ? q.YmX : q.YpX);
  fe_mul(c, p.T, q.T2d);
  fe_add(d, p.Z, p.Z);
  add_tail(r, a, b, c, d, neg, want_t);
}

bool ge_small_order(const Ge& p) {
  Ge q;
  ge_dbl(q, p, false);
  ge_dbl(q, q, false);
  ge_dbl(q, q, false);
  return fe_iszero(q.X) && fe_equal(q.Y, q.Z);  // (0, 1) is the identity, (0, -1) has order 2
}

bool ge_equal(const Ge& p, const Ge& q) {  // X1 Z2 = X2 Z1 and Y1 Z2 = Y2 Z1
  Fe a, b;
  fe_mul(a, p.X, q.Z);
  fe_mul(b, q.X, p.Z);
  if (!fe_equal(a, b)) return false;
  fe_mul(a, p.Y, q.Z);
  fe_mul(b, q.Y, p.Z);
  return fe_equal(a, b);
}

const Niels* ge_base_table(size_t* count) {
  if (count) *count = sizeof kBaseOdd / sizeof kBaseOdd[0];
  return kBaseOdd;
}

// Straus' method, one shared chain of doublings, both scalars in width-w NAF: a non-zero digit
// adds (or subtracts) an odd multiple from the tables. T is computed only where an addition
// reads it next.
void ge_double_scalarmult(Ge& r, const uint8_t s[32], const uint8_t k[32], const Ge& a) {
  int8_t ns[256], nk[256];
  sc_wnaf(ns, s, kWinB);
  sc_wnaf(nk, k, kWinA);
  Cached ta[kTableA];  // a, 3a, 5a, ...
  {
    Ge a2, t;
    ge_dbl(a2, a, true);
    Cached c2;
    ge_to_cached(c2, a2);
    ge_to_cached(ta[0], a);
    t = a;
    for (int i = 1; i < kTableA; ++i) {
      ge_add(t, t, c2, false, true);
      ge_to_cached(ta[i], t);
    }
  }
  int i = 255;
  while (i >= 0 && ns[i] == 0 && nk[i] == 0) --i;
  ge_identity(r);
  for (; i >= 0; --i) {
    const int ds = ns[i], dk = nk[i];
    ge_dbl(r, r, ds != 0 || dk != 0);
    if (dk > 0) ge_add(r, r, ta[dk >> 1], false, ds != 0);
    if (dk < 0) ge_add(r, r, ta[(-dk) >> 1], true, ds != 0);
    if (ds > 0) ge_add(r, r, kBaseOdd[ds >> 1], false, false);
    if (ds < 0) ge_add(r, r, kBaseOdd[(-ds) >> 1], true, false);
  }
}

// ---- scalars ----------------------------------------------------------------------------------

namespace {
inline uint32_t load32(const uint8_t* p) {
  return uint32_t(p[0]) | uint32_t(p[1]) << 8 | uint32_t(p[2]) << 16 | uint32_t(p[3]) << 24;
}
bool lt_L(const uint32_t x[8]) {  // x < L
  for (int i = 7; i >= 0; --i) {
    if (x[i] != kOrderL[i]) return x[i] < kOrderL[i];
  }
  return false;
}
unsigned bits_at(const uint8_t s[32], int pos, int n) {  // n bits from pos; zeros beyond bit 255
  unsigned v = 0;
  for (int b = n - 1; b >= 0; --b) {
    const int p = pos + b;
    v = (v << 1) | (p < 256 ? (s[p >> 3] >> (p & 7)) & 1u : 0u);
  }
  return v;
}
}  // namespace

bool sc_is_canonical(const uint8_t s[32]) {
  uint32_t x[8];
  for (int i = 0; i < 8; ++i) x[i] = load32(s + 4 * i);
  return lt_L(x);
}

// Bit-serial long division: acc = 2 acc + bit, minus L when it reaches L. acc < L < 2^253
// throughout, so 2 acc + 1 fits in 256 bits and one subtraction restores acc < L.
void sc_reduce512(uint8_t out[32], const uint8_t in[64]) {
  uint32_t acc[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  for (int bit = 511; bit >= 0; --bit) {
    uint32_t carry = (in[bit >> 3] >> (bit & 7)) & 1u;
    for (int i = 0; i < 8; ++i) {
      const uint32_t n = (acc[i] << 1) | carry;
      carry = acc[i] >> 31;
      acc[i] = n;
    }
    if (!lt_L(acc)) {
      uint32_t borrow = 0;
      for (int i = 0; i < 8; ++i) {
        const uint64_t d = uint64_t(acc[i]) - kOrderL[i] - borrow;
        acc[i] = uint32_t(d);
        borrow = uint32_t(d >> 63);
      }
    }
  }
  for (int i = 0; i < 8; ++i) {
    for (int b = 0; b < 4; ++b) out[4 * i + b] = uint8_t(acc[i] >> (8 * b));
  }
}

// Left to right over the bits with a pending carry: where bit + carry is odd, the next w bits
// (plus the carry) form an odd window value; a value >= 2^(w-1) becomes the negative digit
// value - 2^w and carries 1 into position i + w. The w - 1 positions after a digit are zero.
void sc_wnaf(int8_t naf[256], const uint8_t s[32], int w) {
  memset(naf, 0, 256);
  unsigned carry = 0;
  int i = 0;
  while (i < 256) {
    const unsigned bit = (s[i >> 3] >> (i & 7)) & 1u;
    if (bit == carry) {
      ++i;
      continue;
    }
    const int win = int(bits_at(s, i, w) + carry);
    if (win & (1 << (w - 1))) {
      naf[i] = int8_t(win - (1 << w));
      carry = 1;
    } else {
      naf[i] = int8_t(win);
      carry = 0;
    }
    i += w;
  }
}

}  // namespace detail

// ---- the verifier -----------------------------------------------------------------------------

const char* verify_status_name(VerifyStatus s) {
  switch (s) {
    case VerifyStatus::Ok: return "ok";
    case VerifyStatus::BadScalar: return "non-canonical S (S >= L)";
    case VerifyStatus::BadKey: return "public key is not a valid point encoding";
    case VerifyStatus::WeakKey: return "public key has small order";
    case VerifyStatus::BadR: return "R is not a valid point encoding";
    case VerifyStatus::WeakR: return "R has small order";
    case VerifyStatus::Mismatch: return "signature does not match";
  }
  return "unknown";
}

void ed25519_verify_init(Ed25519Verifier& v, const uint8_t sig[kEd25519SignatureBytes],
                         const uint8_t pk[kEd25519PublicKeyBytes]) {
  memcpy(v.sig, sig, sizeof v.sig);
  memcpy(v.pk, pk, sizeof v.pk);
  sha512_init(v.sha);
  sha512_update(v.sha, v.sig, 32);  // R
  sha512_update(v.sha, v.pk, 32);   // A
}

void ed25519_verify_update(Ed25519Verifier& v, const void* msg, size_t len) {
  sha512_update(v.sha, msg, len);
}

VerifyStatus ed25519_verify_final(Ed25519Verifier& v) {
  using namespace detail;
  uint8_t h[kSha512Bytes];
  sha512_final(v.sha, h);
  const uint8_t* s = v.sig + 32;
  if (!sc_is_canonical(s)) return VerifyStatus::BadScalar;
  Ge a, r;
  if (!ge_decode(a, v.pk)) return VerifyStatus::BadKey;
  if (ge_small_order(a)) return VerifyStatus::WeakKey;
  if (!ge_decode(r, v.sig)) return VerifyStatus::BadR;
  if (ge_small_order(r)) return VerifyStatus::WeakR;
  sc_reduce512(h, h);  // k = h mod L, into the first 32 bytes (the input is read before)
  // [S]B - [k]A == R; the result replaces A
  fe_neg(a.X, a.X);
  fe_neg(a.T, a.T);
  ge_double_scalarmult(a, s, h, a);
  return ge_equal(a, r) ? VerifyStatus::Ok : VerifyStatus::Mismatch;
}

VerifyStatus ed25519_verify(const uint8_t sig[kEd25519SignatureBytes], const void* msg, size_t len,
                            const uint8_t pk[kEd25519PublicKeyBytes]) {
  Ed25519Verifier v;
  ed25519_verify_init(v, sig, pk);
  ed25519_verify_update(v, msg, len);
  return ed25519_verify_final(v);
}

}  // namespace shoal::crypto
