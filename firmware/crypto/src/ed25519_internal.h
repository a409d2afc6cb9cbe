// Internals of the Ed25519 verifier: field GF(2^255 - 19), the twisted Edwards group, scalars
// mod L. Exposed only for the host tests (tests/trust), which check each layer against an
// independent big-number reference; firmware code uses shoal/crypto/ed25519.h.
#pragma once
#include <stddef.h>
#include <stdint.h>

namespace shoal::crypto::detail {

// A field element: 10 unsigned limbs, 26 and 25 bits alternating; the value is
// sum v[i] * 2^ceil(25.5 i) (bit offsets 0, 26, 51, 77, 102, 128, 153, 179, 204, 230) mod p.
// Every operation returns a "weakly reduced" element: even limbs <= 2^26 + 2^17, odd limbs
// <= 2^25 + 2^17 (the value may still be >= p; fe_tobytes reduces fully). Every operation
// accepts weakly reduced inputs (the bounds are argued in ed25519.cpp).
struct Fe {
  uint32_t v[10];
};

void fe_frombytes(Fe& h, const uint8_t s[32]);  // bit 255 ignored; the value may be >= p
void fe_tobytes(uint8_t s[32], const Fe& f);    // canonical: 0 <= value < p
void fe_0(Fe& h);
void fe_1(Fe& h);
void fe_add(Fe& h, const Fe& f, const Fe& g);
void fe_sub(Fe& h, const Fe& f, const Fe& g);
void fe_neg(Fe& h, const Fe& f);
void fe_mul(Fe& h, const Fe& f, const Fe& g);
void fe_sq(Fe& h, const Fe& f);
void fe_invert(Fe& h, const Fe& z);    // z^(p-2) (0 for 0)
void fe_pow22523(Fe& h, const Fe& z);  // z^((p-5)/8)
bool fe_iszero(const Fe& f);
bool fe_isodd(const Fe& f);  // of the canonical value
bool fe_equal(const Fe& f, const Fe& g);

// Extended coordinates (X : Y : Z : T), x = X/Z, y = Y/Z, x*y = T/Z, on -x^2 + y^2 = 1 + d x^2 y^2.
struct Ge {
  Fe X, Y, Z, T;
};
// A point prepared for addition: (Y + X, Y - X, 2Z, 2dT).
struct Cached {
  Fe YpX, YmX, Z2, T2d;
};
// An affine point prepared for addition (Z = 1): (y - x, y + x, 2dxy).
struct Niels {
  Fe YmX, YpX, T2d;
};

void ge_identity(Ge& r);
// RFC 8032 5.1.3 decoding; false for y >= p, no square root, or x = 0 with the sign bit set.
bool ge_decode(Ge& r, const uint8_t s[32]);
void ge_encode(uint8_t s[32], const Ge& p);  // RFC 8032 5.1.2
// r = 2p; T of the result is computed only with want_t (doubling does not read T).
void ge_dbl(Ge& r, const Ge& p, bool want_t);
void ge_to_cached(Cached& c, const Ge& p);
// r = p + q (or p - q with neg); r may alias p.
void ge_add(Ge& r, const Ge& p, const Cached& q, bool neg, bool want_t);
void ge_add(Ge& r, const Ge& p, const Niels& q, bool neg, bool want_t);
bool ge_small_order(const Ge& p);  // [8]p is the identity
bool ge_equal(const Ge& p, const Ge& q);
// r = [s]B + [k]a (s, k < 2^253, little-endian), variable time.
// r = [s]B + [k]a (s, k < 2^253, little-endian), variable time; r may alias a.
void ge_double_scalarmult(Ge& r, const uint8_t s[32], const uint8_t k[32], const Ge& a);
// The committed table of odd multiples of B (tests recompute it).
const Niels* ge_base_table(size_t* count);

// Scalars: little-endian 32 bytes.
bool sc_is_canonical(const uint8_t s[32]);                 // s < L
void sc_reduce512(uint8_t out[32], const uint8_t in[64]);  // in mod L; out may alias in
// Width-w NAF of s < 2^253: digits are 0 or odd in (-2^(w-1), 2^(w-1)); s = sum naf[i] 2^i.
void sc_wnaf(int8_t naf[256], const uint8_t s[32], int w);

}  // namespace shoal::crypto::detail
