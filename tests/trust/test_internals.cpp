// The verifier's layers against an independent reference (OpenSSL BIGNUM, affine formulas):
// field arithmetic at and beyond the documented limb bounds, full reduction, the scalar
// reduction and NAF recoding, point decoding, the committed base-point table, small order, and
// the double scalar multiplication (against libsodium too).
#include <catch2/catch.hpp>
#include <sodium.h>

#include "ed25519_internal.h"
#include "trust_util.hpp"

using namespace shoal::crypto::detail;
using namespace shoal::trusttest;

namespace {
const uint32_t kOff[10] = {0, 26, 51, 77, 102, 128, 153, 179, 204, 230};

Bn fe_value(const Fe& f) {  // the (unreduced) integer a limb vector stands for
  Bn v(0);
  for (int i = 0; i < 10; ++i) {
    Bn t(f.v[i]);
    BN_lshift(t.get(), t.get(), int(kOff[i]));
    v = add(v, t);
  }
  return v;
}
Bn fe_mod(const Fe& f) { return fmod(fe_value(f)); }
Bn tobytes_value(const Fe& f) {
  uint8_t s[32];
  fe_tobytes(s, f);
  return Bn::from_le(s, 32);
}

// A weakly reduced element with limbs drawn from a mix of: zero, the exact bound, just under
// it, and uniform values. The bound: 2^26 + 2^17 for even limbs, 2^25 + 2^17 for odd ones.
Fe random_fe(int mode) {
  Fe f;
  for (int i = 0; i < 10; ++i) {
    const uint32_t bound = ((i & 1) ? (1u << 25) : (1u << 26)) + (1u << 17);
    uint32_t v;
    switch (mode == 3 ? int(rng()() % 3) : mode) {
      case 0: v = bound; break;                          // every limb at its bound
      case 1: v = uint32_t(rng()() % (bound + 1)); break;  // uniform in [0, bound]
      default: v = (rng()() & 1) ? bound : 0; break;      // extremes mixed
    }
    f.v[i] = v;
  }
  return f;
}
Fe fe_from_bn(const Bn& v) {  // canonical limbs of v mod p
  auto b = fmod(v).le(32);
  Fe f;
  fe_frombytes(f, b.data());
  return f;
}
bool weakly_reduced(const Fe& f) {
  for (int i = 0; i < 10; ++i) {
    const uint32_t bound = ((i & 1) ? (1u << 25) : (1u << 26)) + (1u << 17);
    if (f.v[i] > bound) return false;
  }
  return true;
}
}  // namespace

TEST_CASE("field: mul, sq, add, sub, neg match the reference, at the limb bounds too", "[field]") {
  for (int iter = 0; iter < 3000; ++iter) {
    const Fe f = random_fe(iter % 4), g = random_fe((iter / 4) % 4);
    REQUIRE(weakly_reduced(f));
    Fe h;
    fe_mul(h, f, g);
    REQUIRE(weakly_reduced(h));
    REQUIRE(fe_mod(h) == fmod(mul(fe_value(f), fe_value(g))));
    fe_sq(h, f);
    REQUIRE(weakly_reduced(h));
    REQUIRE(fe_mod(h) == fmod(mul(fe_value(f), fe_value(f))));
    fe_add(h, f, g);
    REQUIRE(weakly_reduced(h));
    REQUIRE(fe_mod(h) == fmod(add(fe_value(f), fe_value(g))));
    fe_sub(h, f, g);
    REQUIRE(weakly_reduced(h));
    REQUIRE(fe_mod(h) == fmod(sub(fe_value(f), fe_value(g))));
    fe_neg(h, f);
    REQUIRE(weakly_reduced(h));
    REQUIRE(fe_mod(h) == fmod(sub(Bn(0), fe_value(f))));
  }
}

TEST_CASE("field: long chains of operations stay exact", "[field]") {
  Fe a = random_fe(1), b = random_fe(0);
  Bn ra = fe_value(a), rb = fe_value(b);
  for (int i = 0; i < 20000; ++i) {
    Fe t;
    Bn rt;
    switch (rng()() % 5) {
      case 0: fe_mul(t, a, b); rt = mul(ra, rb); break;
      case 1: fe_sq(t, a); rt = mul(ra, ra); break;
      case 2: fe_add(t, a, b); rt = add(ra, rb); break;
      case 3: fe_sub(t, a, b); rt = sub(ra, rb); break;
      default: fe_neg(t, b); rt = sub(Bn(0), rb); break;
    }
    b = a;
    rb = ra;
    a = t;
    ra = fmod(rt);
    REQUIRE(weakly_reduced(a));
  }
  REQUIRE(fe_mod(a) == ra);
  REQUIRE(fe_mod(b) == rb);
}

TEST_CASE("field: tobytes is canonical and frombytes/tobytes round-trip", "[field]") {
  std::vector<Bn> specials = {Bn(0), Bn(1), Bn(18), Bn(19), sub(P(), Bn(1)), P(), add(P(), Bn(1)),
                              sub(Bn::pow2(255), Bn(1)), sub(Bn::pow2(255), Bn(20)),
                              Bn::pow2(254), sub(Bn::pow2(26), Bn(1)), Bn::pow2(26)};
  for (const Bn& v : specials) {
    auto b = v.le(32);
    Fe f;
    fe_frombytes(f, b.data());
    INFO("value " << v.dec());
    REQUIRE(tobytes_value(f) == fmod(v));
  }
  // elements at the limb bounds: the value may be far above p
  for (int i = 0; i < 2000; ++i) {
    Fe f = random_fe(i % 4);
    Bn r = tobytes_value(f);
    REQUIRE(r < P());
    REQUIRE(r == fe_mod(f));
  }
  // bit 255 is ignored on input
  uint8_t s[32];
  random_bytes(s, 32);
  Fe f1, f2;
  fe_frombytes(f1, s);
  s[31] ^= 0x80;
  fe_frombytes(f2, s);
  REQUIRE(fe_equal(f1, f2));
}

TEST_CASE("field: invert, pow22523, iszero, isodd, equal", "[field]") {
  for (int i = 0; i < 200; ++i) {
    Fe f = (i < 100) ? random_fe(i % 4) : fe_from_bn(Bn(unsigned(i - 100)));
    Fe h;
    fe_invert(h, f);
    const Bn v = fe_mod(f);
    REQUIRE(fe_mod(h) == modexp(v, sub(P(), Bn(2)), P()));
    fe_pow22523(h, f);
    Bn e;
    BN_rshift(e.get(), sub(P(), Bn(5)).get(), 3);
    REQUIRE(fe_mod(h) == modexp(v, e, P()));
    REQUIRE(fe_iszero(f) == BN_is_zero(v.get()));
    REQUIRE(fe_isodd(f) == bool(BN_is_odd(v.get())));
  }
  Fe z, p;
  fe_0(z);
  auto pb = P().le(32);
  fe_frombytes(p, pb.data());  // p itself is zero
  REQUIRE(fe_iszero(p));
  REQUIRE(fe_equal(p, z));
  REQUIRE_FALSE(fe_isodd(p));  // p is odd as an integer, 0 as a field element
}

TEST_CASE("scalars: S < L check and reduction mod L", "[scalar]") {
  auto canon = [](const Bn& v) {
    auto b = v.le(32);
    return sc_is_canonical(b.data());
  };
  REQUIRE(canon(Bn(0)));
  REQUIRE(canon(sub(L(), Bn(1))));
  REQUIRE_FALSE(canon(L()));
  REQUIRE_FALSE(canon(add(L(), Bn(1))));
  REQUIRE_FALSE(canon(sub(Bn::pow2(256), Bn(1))));
  REQUIRE_FALSE(canon(Bn::pow2(253)));
  REQUIRE(canon(sub(Bn::pow2(252), Bn(1))));
  std::vector<Bn> specials = {Bn(0), Bn(1), sub(L(), Bn(1)), L(), add(L(), Bn(1)), mul(L(), Bn(2)),
                              sub(Bn::pow2(512), Bn(1)), mul(L(), L()), sub(mul(L(), L()), Bn(1))};
  for (int i = 0; i < 500; ++i) specials.push_back(Bn::from_le(random_bytes(64).data(), 64));
  for (const Bn& v : specials) {
    auto in = v.le(64);
    uint8_t out[32];
    sc_reduce512(out, in.data());
    INFO("value " << v.dec());
    REQUIRE(Bn::from_le(out, 32) == mod(v, L()));
    sc_reduce512(in.data(), in.data());  // in place
    REQUIRE(Bn::from_le(in.data(), 32) == mod(v, L()));
  }
}

TEST_CASE("scalars: width-w NAF digits are valid and sum to the scalar", "[scalar]") {
  std::vector<Bn> vals = {Bn(0), Bn(1), Bn(2), Bn(15), Bn(16), Bn(31), sub(L(), Bn(1)),
                          sub(Bn::pow2(253), Bn(1)), Bn::pow2(252)};
  for (int i = 0; i < 300; ++i) {
    auto b = random_bytes(32);
    b[31] &= 0x1F;  // < 2^253
    vals.push_back(Bn::from_le(b.data(), 32));
  }
  for (int w : {4, 5}) {
    for (const Bn& v : vals) {
      auto s = v.le(32);
      int8_t naf[256];
      sc_wnaf(naf, s.data(), w);
      Bn sum(0);
      int last = -1000;
      for (int i = 255; i >= 0; --i) {
        const int d = naf[i];
        if (d == 0) continue;
        REQUIRE((d & 1) != 0);                 // odd
        REQUIRE(d < (1 << (w - 1)));
        REQUIRE(d > -(1 << (w - 1)));
        REQUIRE((last < 0 || last - i >= w));  // w - 1 zeros between digits
        last = i;
        Bn t(unsigned(d < 0 ? -d : d));
        BN_lshift(t.get(), t.get(), i);
        sum = d < 0 ? sub(sum, t) : add(sum, t);
      }
      INFO("w " << w << " value " << v.dec());
      REQUIRE(sum == v);
    }
  }
}

namespace {
Pt ge_affine(const Ge& g) {
  const Bn zi = finv(fe_mod(g.Z));
  return {fmod(mul(fe_mod(g.X), zi)), fmod(mul(fe_mod(g.Y), zi))};
}
bool same(const Pt& a, const Pt& b) { return a.x == b.x && a.y == b.y; }
}  // namespace

TEST_CASE("points: decoding agrees with the reference on valid and invalid encodings", "[point]") {
  int valid = 0, invalid = 0;
  for (int i = 0; i < 600; ++i) {
    auto e = random_bytes(32);
    if (i % 3 == 0) {  // near p: y in [p - 8, 2^255 - 1] (= p + 18) with either sign
      auto pb = add(sub(P(), Bn(8)), Bn(unsigned(rng()() % 27))).le(32);
      pb[31] |= e[0] & 0x80;
      e = pb;
    }
    Pt ref;
    Ge g;
    const bool ok_ref = pt_decode(e.data(), ref);
    const bool ok = ge_decode(g, e.data());
    INFO("encoding " << hex(e));
    REQUIRE(ok == ok_ref);
    if (ok) {
      ++valid;
      REQUIRE(same(ge_affine(g), ref));
      REQUIRE(on_curve(ref));
      // T = xy
      REQUIRE(fmod(mul(fe_mod(g.T), finv(fe_mod(g.Z)))) == fmod(mul(ref.x, ref.y)));
      uint8_t back[32];
      ge_encode(back, g);
      REQUIRE(hex(back, 32) == hex(e));
    } else {
      ++invalid;
    }
  }
  REQUIRE(valid > 100);
  REQUIRE(invalid > 100);
}

TEST_CASE("points: the committed base-point table is the odd multiples of B", "[point]") {
  const Pt& b = base_point();
  // B's own encoding and its coordinates as RFC 8032 5.1 defines them
  REQUIRE(b.y == fmod(mul(Bn(4), finv(Bn(5)))));
  REQUIRE_FALSE(BN_is_odd(b.x.get()));
  size_t n = 0;
  const Niels* t = ge_base_table(&n);
  REQUIRE(n == 8);
  Pt m = b, b2 = pt_add(b, b);
  for (size_t i = 0; i < n; ++i) {
    INFO("entry " << i);
    REQUIRE(fe_mod(t[i].YmX) == fmod(sub(m.y, m.x)));
    REQUIRE(fe_mod(t[i].YpX) == fmod(add(m.y, m.x)));
    REQUIRE(fe_mod(t[i].T2d) == fmod(mul(mul(Bn(2), D()), mul(m.x, m.y))));
    m = pt_add(m, b2);
  }
}

TEST_CASE("points: doubling and addition (cached, affine, negated) match the reference", "[point]") {
  const Pt& b = base_point();
  for (int i = 0; i < 40; ++i) {
    const Bn k1 = Bn::from_le(random_bytes(32).data(), 32), k2 = Bn::from_le(random_bytes(32).data(), 32);
    const Pt p1 = pt_mul(k1, b), p2 = pt_mul(k2, b);
    Ge g1, g2;
    REQUIRE(ge_decode(g1, pt_encode(p1).data()));
    REQUIRE(ge_decode(g2, pt_encode(p2).data()));
    Ge r;
    ge_dbl(r, g1, true);
    REQUIRE(same(ge_affine(r), pt_add(p1, p1)));
    REQUIRE(fe_mod(r.T) == fmod(mul(mul(fe_mod(r.X), fe_mod(r.Y)), finv(fe_mod(r.Z)))));
    Cached c;
    ge_to_cached(c, g2);
    ge_add(r, g1, c, false, true);
    REQUIRE(same(ge_affine(r), pt_add(p1, p2)));
    REQUIRE(fe_mod(r.T) == fmod(mul(mul(fe_mod(r.X), fe_mod(r.Y)), finv(fe_mod(r.Z)))));
    const Pt neg2{fmod(sub(Bn(0), p2.x)), p2.y};
    ge_add(r, g1, c, true, true);
    REQUIRE(same(ge_affine(r), pt_add(p1, neg2)));
    // affine Niels of p2
    Niels nl;
    fe_sub(nl.YmX, g2.Y, g2.X);
    fe_add(nl.YpX, g2.Y, g2.X);
    Fe d2 = fe_from_bn(mul(Bn(2), D()));
    fe_mul(nl.T2d, g2.T, d2);
    ge_add(r, g1, nl, false, true);
    REQUIRE(same(ge_affine(r), pt_add(p1, p2)));
    ge_add(r, g1, nl, true, true);
    REQUIRE(same(ge_affine(r), pt_add(p1, neg2)));
    // aliasing r = p
    Ge a = g1;
    ge_add(a, a, c, false, true);
    REQUIRE(same(ge_affine(a), pt_add(p1, p2)));
    REQUIRE(ge_equal(a, r) == false);
    REQUIRE(ge_equal(a, a));
  }
}

TEST_CASE("points: small order: the eight torsion points and nothing else", "[point]") {
  int valid = 0;
  for (const auto& h : small_order_hex()) {
    auto e = unhex(h);
    Pt ref;
    INFO("encoding " << h);
    REQUIRE(pt_decode(e.data(), ref));
    const Pt e8 = pt_mul(Bn(8), ref);
    REQUIRE(BN_is_zero(e8.x.get()));  // [8]P is the identity (0, 1)
    REQUIRE(e8.y == Bn(1));
    Ge g;
    REQUIRE(ge_decode(g, e.data()));
    REQUIRE(ge_small_order(g));
    ++valid;
  }
  REQUIRE(valid == 8);
  for (const auto& h : small_order_invalid_hex()) {
    Ge g;
    Pt ref;
    INFO("encoding " << h);
    REQUIRE_FALSE(pt_decode(unhex(h).data(), ref));
    REQUIRE_FALSE(ge_decode(g, unhex(h).data()));
  }
  // points of the prime-order subgroup and mixed-order points are not small
  const Pt& b = base_point();
  for (int i = 0; i < 20; ++i) {
    Pt p = pt_mul(Bn::from_le(random_bytes(32).data(), 32), b);
    Pt t;
    REQUIRE(pt_decode(unhex(small_order_hex()[4 + i % 4]).data(), t));
    for (const Pt& q : {p, pt_add(p, t)}) {
      Ge g;
      REQUIRE(ge_decode(g, pt_encode(q).data()));
      REQUIRE_FALSE(ge_small_order(g));
    }
  }
}

TEST_CASE("double scalar multiplication matches libsodium and the reference", "[point]") {
  REQUIRE(sodium_init() >= 0);
  for (int i = 0; i < 60; ++i) {
    uint8_t s[32], k[32], a[32], A[32];
    crypto_core_ed25519_scalar_random(s);
    crypto_core_ed25519_scalar_random(k);
    crypto_core_ed25519_scalar_random(a);
    if (i == 0) std::memset(s, 0, 32);
    if (i == 1) std::memset(k, 0, 32);
    if (i == 2) {  // L - 1 for both
      auto l1 = sub(L(), Bn(1)).le(32);
      std::memcpy(s, l1.data(), 32);
      std::memcpy(k, l1.data(), 32);
    }
    REQUIRE(crypto_scalarmult_ed25519_base_noclamp(A, a) == 0);
    Ge ga;
    REQUIRE(ge_decode(ga, A));
    Ge r;
    ge_double_scalarmult(r, s, k, ga);
    uint8_t mine[32];
    ge_encode(mine, r);
    // reference: [s]B + [k]A with BIGNUMs
    Pt ap;
    REQUIRE(pt_decode(A, ap));
    const Pt ref = pt_add(pt_mul(Bn::from_le(s, 32), base_point()), pt_mul(Bn::from_le(k, 32), ap));
    INFO("iteration " << i);
    REQUIRE(hex(mine, 32) == hex(pt_encode(ref)));
    // libsodium: [s]B + [k]A = [s + k a]B
    uint8_t ka[32], sum[32], viasodium[32];
    crypto_core_ed25519_scalar_mul(ka, k, a);
    crypto_core_ed25519_scalar_add(sum, s, ka);
    bool zero = true;
    for (uint8_t x : sum) zero = zero && x == 0;
    if (!zero) {  // libsodium refuses to return the identity
      REQUIRE(crypto_scalarmult_ed25519_base_noclamp(viasodium, sum) == 0);
      REQUIRE(hex(mine, 32) == hex(viasodium, 32));
    }
  }
}
