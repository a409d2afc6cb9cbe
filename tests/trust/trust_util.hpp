// Helpers shared by the trust tests: hex, a deterministic random source, and an independent
// big-number reference of GF(2^255 - 19) and the Ed25519 curve on OpenSSL's BIGNUM (affine
// formulas straight from RFC 8032 section 5.1), used to check the firmware verifier's layers.
#pragma once
#include <openssl/bn.h>

#include <cstdint>
#include <cstring>
#include <memory>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

namespace shoal::trusttest {

inline std::vector<uint8_t> unhex(const std::string& h) {
  if (h.size() % 2) throw std::invalid_argument("odd hex length");
  std::vector<uint8_t> out(h.size() / 2);
  for (size_t i = 0; i < out.size(); ++i) out[i] = uint8_t(std::stoul(h.substr(2 * i, 2), nullptr, 16));
  return out;
}
inline std::string hex(const uint8_t* p, size_t n) {
  static const char* d = "0123456789abcdef";
  std::string s;
  for (size_t i = 0; i < n; ++i) {
    s += d[p[i] >> 4];
    s += d[p[i] & 15];
  }
  return s;
}
inline std::string hex(const std::vector<uint8_t>& v) { return hex(v.data(), v.size()); }

// Deterministic: every run tests the same inputs; SHOAL_TRUST_SEED changes them.
inline std::mt19937_64& rng() {
  static std::mt19937_64 r([] {
    const char* s = std::getenv("SHOAL_TRUST_SEED");
    return s ? std::strtoull(s, nullptr, 0) : 0x5350414C5452ull;
  }());
  return r;
}
inline void random_bytes(uint8_t* p, size_t n) {
  for (size_t i = 0; i < n; ++i) p[i] = uint8_t(rng()());
}
inline std::vector<uint8_t> random_bytes(size_t n) {
  std::vector<uint8_t> v(n);
  random_bytes(v.data(), n);
  return v;
}

// ---- BIGNUM reference ---------------------------------------------------------------------------

struct BnFree {
  void operator()(BIGNUM* b) const { BN_free(b); }
};
struct CtxFree {
  void operator()(BN_CTX* c) const { BN_CTX_free(c); }
};
using BnPtr = std::unique_ptr<BIGNUM, BnFree>;

class Bn {
 public:
  Bn() : b_(BN_new()) {
    if (!b_) throw std::bad_alloc();
  }
  explicit Bn(unsigned long v) : Bn() { BN_set_word(b_.get(), v); }
  Bn(const Bn& o) : b_(BN_dup(o.get())) {
    if (!b_) throw std::bad_alloc();
  }
  Bn& operator=(const Bn& o) {
    if (this != &o) BN_copy(b_.get(), o.get());
    return *this;
  }
  static Bn from_le(const uint8_t* p, size_t n) {
    Bn r;
    BN_lebin2bn(p, int(n), r.get());
    return r;
  }
  static Bn from_dec(const char* s) {
    BIGNUM* b = nullptr;
    BN_dec2bn(&b, s);
    Bn r;
    BN_copy(r.get(), b);
    BN_free(b);
    return r;
  }
  static Bn pow2(int n) {
    Bn r;
    BN_set_bit(r.get(), n);
    return r;
  }
  std::vector<uint8_t> le(size_t n) const {
    std::vector<uint8_t> v(n);
    if (BN_bn2lebinpad(get(), v.data(), int(n)) < 0) throw std::runtime_error("BN too large");
    return v;
  }
  BIGNUM* get() const { return b_.get(); }
  bool operator==(const Bn& o) const { return BN_cmp(get(), o.get()) == 0; }
  bool operator!=(const Bn& o) const { return !(*this == o); }
  bool operator<(const Bn& o) const { return BN_cmp(get(), o.get()) < 0; }
  std::string dec() const {
    char* s = BN_bn2dec(get());
    std::string r(s);
    OPENSSL_free(s);
    return r;
  }

 private:
  BnPtr b_;
};

inline BN_CTX* ctx() {
  static std::unique_ptr<BN_CTX, CtxFree> c(BN_CTX_new());
  return c.get();
}
inline Bn add(const Bn& a, const Bn& b) {
  Bn r;
  BN_add(r.get(), a.get(), b.get());
  return r;
}
inline Bn sub(const Bn& a, const Bn& b) {
  Bn r;
  BN_sub(r.get(), a.get(), b.get());
  return r;
}
inline Bn mul(const Bn& a, const Bn& b) {
  Bn r;
  BN_mul(r.get(), a.get(), b.get(), ctx());
  return r;
}
inline Bn mod(const Bn& a, const Bn& m) {
  Bn r;
  BN_nnmod(r.get(), a.get(), m.get(), ctx());
  return r;
}
inline Bn modexp(const Bn& a, const Bn& e, const Bn& m) {
  Bn r;
  BN_mod_exp(r.get(), a.get(), e.get(), m.get(), ctx());
  return r;
}

inline const Bn& P() {
  static Bn p = sub(Bn::pow2(255), Bn(19));
  return p;
}
inline const Bn& L() {
  static Bn l = add(Bn::pow2(252), Bn::from_dec("27742317777372353535851937790883648493"));
  return l;
}
inline Bn fmod(const Bn& a) { return mod(a, P()); }
inline Bn finv(const Bn& a) { return modexp(a, sub(P(), Bn(2)), P()); }
inline const Bn& D() {
  static Bn d = fmod(mul(sub(Bn(0), Bn(121665)), finv(Bn(121666))));
  return d;
}

// Affine points and RFC 8032 5.1.4's addition in affine form.
struct Pt {
  Bn x, y;
};
inline Pt pt_add(const Pt& a, const Pt& b) {
  Bn t = fmod(mul(mul(D(), mul(a.x, b.x)), mul(a.y, b.y)));
  Bn x = fmod(mul(add(mul(a.x, b.y), mul(a.y, b.x)), finv(add(Bn(1), t))));
  Bn y = fmod(mul(add(mul(a.y, b.y), mul(a.x, b.x)), finv(sub(Bn(1), t))));
  return {x, y};
}
inline Pt pt_mul(Bn k, Pt p) {
  Pt q{Bn(0), Bn(1)};
  const int n = BN_num_bits(k.get());
  for (int i = n - 1; i >= 0; --i) {
    q = pt_add(q, q);
    if (BN_is_bit_set(k.get(), i)) q = pt_add(q, p);
  }
  return q;
}
inline bool on_curve(const Pt& p) {  // -x^2 + y^2 = 1 + d x^2 y^2
  Bn x2 = fmod(mul(p.x, p.x)), y2 = fmod(mul(p.y, p.y));
  return fmod(sub(y2, x2)) == fmod(add(Bn(1), mul(D(), mul(x2, y2))));
}
// RFC 8032 5.1.3, with BIGNUMs; false when the encoding is invalid.
inline bool pt_decode(const uint8_t s[32], Pt& out) {
  uint8_t b[32];
  std::memcpy(b, s, 32);
  const int sign = b[31] >> 7;
  b[31] &= 0x7F;
  Bn y = Bn::from_le(b, 32);
  if (!(y < P())) return false;
  Bn x2 = fmod(mul(sub(mul(y, y), Bn(1)), finv(add(mul(D(), mul(y, y)), Bn(1)))));
  if (BN_is_zero(x2.get())) {
    if (sign) return false;
    out = {Bn(0), y};
    return true;
  }
  Bn x;  // x2^((p+3)/8), times sqrt(-1) = 2^((p-1)/4) when that squares to -x2
  {
    Bn e;
    BN_rshift(e.get(), add(P(), Bn(3)).get(), 3);
    x = modexp(x2, e, P());
  }
  if (fmod(sub(mul(x, x), x2)) != Bn(0)) {
    Bn e;
    BN_rshift(e.get(), sub(P(), Bn(1)).get(), 2);
    x = fmod(mul(x, modexp(Bn(2), e, P())));
  }
  if (fmod(sub(mul(x, x), x2)) != Bn(0)) return false;
  if (BN_is_bit_set(x.get(), 0) != sign) x = sub(P(), x);
  out = {x, y};
  return true;
}
inline std::vector<uint8_t> pt_encode(const Pt& p) {
  auto v = p.y.le(32);
  if (BN_is_bit_set(p.x.get(), 0)) v[31] |= 0x80;
  return v;
}
inline const Pt& base_point() {
  static Pt b = [] {
    Pt q;
    auto e = unhex("5866666666666666666666666666666666666666666666666666666666666666");
    if (!pt_decode(e.data(), q)) throw std::runtime_error("B");
    return q;
  }();
  return b;
}

// The encodings of the eight points of small order (y in {0, 1, -1} and the two order-8 y
// values), plus their forms with the sign bit set (x = 0 with the sign set is invalid).
// test_internals.cpp checks with the reference above that each valid one has [8]P = identity.
inline const std::vector<std::string>& small_order_hex() {
  static const std::vector<std::string> v = {
      "0000000000000000000000000000000000000000000000000000000000000000",  // order 4
      "0000000000000000000000000000000000000000000000000000000000000080",  // order 4
      "0100000000000000000000000000000000000000000000000000000000000000",  // identity
      "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",  // order 2
      "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05",  // order 8
      "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85",  // order 8
      "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a",  // order 8
      "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa",  // order 8
  };
  return v;
}
// Invalid encodings that name small-order points: x = 0 with the sign bit, and y >= p forms.
inline const std::vector<std::string>& small_order_invalid_hex() {
  static const std::vector<std::string> v = {
      "0100000000000000000000000000000000000000000000000000000000000080",  // identity, sign set
      "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",  // -1, sign set
      "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",  // y = p (= 0)
      "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",  // y = p + 1 (= 1)
  };
  return v;
}

}  // namespace shoal::trusttest
