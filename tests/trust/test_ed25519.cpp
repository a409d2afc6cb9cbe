// Ed25519 verification (firmware/crypto) against RFC 8032's test vectors and libsodium 1.0.18
// (crypto_sign_verify_detached): random keys and messages, every flipped bit of R, S, A and
// short messages, the S < L boundary and the S + L malleability, small-order and non-canonical
// points, mixed-order keys, empty and long messages, streaming. The accepted set must equal
// libsodium's on every input; the status must name the first failing check.
#include <catch2/catch.hpp>
#include <sodium.h>

#include <algorithm>
#include <map>
#include <string>

#include "rfc8032_vectors.hpp"
#include "shoal/crypto/ed25519.h"
#include "trust_util.hpp"

using namespace shoal::crypto;
using namespace shoal::trusttest;
using VS = VerifyStatus;

namespace {
struct Case {
  std::vector<uint8_t> sig, pk, msg;
};
VS mine(const Case& c) { return ed25519_verify(c.sig.data(), c.msg.data(), c.msg.size(), c.pk.data()); }
bool sodium_ok(const Case& c) {
  return crypto_sign_verify_detached(c.sig.data(), c.msg.data(), c.msg.size(), c.pk.data()) == 0;
}
// The two verifiers agree on accept/reject; returns our status.
VS agree(const Case& c) {
  const VS s = mine(c);
  INFO("sig " << hex(c.sig) << " pk " << hex(c.pk) << " msg bytes " << c.msg.size() << " status "
              << verify_status_name(s));
  REQUIRE((s == VS::Ok) == sodium_ok(c));
  return s;
}
Case signed_case(size_t len) {
  Case c;
  c.pk.resize(32);
  std::vector<uint8_t> sk(64), seed = random_bytes(32);
  crypto_sign_seed_keypair(c.pk.data(), sk.data(), seed.data());
  c.msg = random_bytes(len);
  c.sig.resize(64);
  crypto_sign_detached(c.sig.data(), nullptr, c.msg.data(), c.msg.size(), sk.data());
  return c;
}
// What the status of a signature with this R / this key must be when nothing else is wrong.
VS expected_point_status(const uint8_t* enc, VS bad, VS weak, VS otherwise) {
  Pt p;
  if (!pt_decode(enc, p)) return bad;
  const Pt e8 = pt_mul(Bn(8), p);
  if (BN_is_zero(e8.x.get()) && e8.y == Bn(1)) return weak;
  return otherwise;
}
}  // namespace

TEST_CASE("RFC 8032 7.1 test vectors verify; libsodium re-derives them from the seeds", "[rfc8032]") {
  REQUIRE(sodium_init() >= 0);
  for (const auto& v : kRfc8032) {
    INFO(v.name);
    Case c{unhex(v.signature_hex), unhex(v.public_hex), unhex(v.message_hex)};
    REQUIRE(mine(c) == VS::Ok);
    // the transcription is right: libsodium computes the same key and signature from the seed
    uint8_t pk[32], sk[64], sig[64];
    crypto_sign_seed_keypair(pk, sk, unhex(v.secret_hex).data());
    REQUIRE(hex(pk, 32) == v.public_hex);
    crypto_sign_detached(sig, nullptr, c.msg.data(), c.msg.size(), sk);
    REQUIRE(hex(sig, 64) == v.signature_hex);
    // streaming, byte by byte
    Ed25519Verifier st;
    ed25519_verify_init(st, c.sig.data(), c.pk.data());
    for (uint8_t b : c.msg) ed25519_verify_update(st, &b, 1);
    REQUIRE(ed25519_verify_final(st) == VS::Ok);
  }
}

TEST_CASE("every flipped bit of R, S and A, and of short messages, is refused", "[rfc8032]") {
  REQUIRE(sodium_init() >= 0);
  int checked = 0;
  for (const auto& v : kRfc8032) {
    const Case good{unhex(v.signature_hex), unhex(v.public_hex), unhex(v.message_hex)};
    INFO(v.name);
    for (int bit = 0; bit < 512; ++bit) {
      Case c = good;
      c.sig[bit / 8] ^= uint8_t(1u << (bit % 8));
      const VS s = agree(c);
      REQUIRE(s != VS::Ok);
      if (bit >= 256) {  // S: the flip either breaks S < L or the equation
        const bool canon = Bn::from_le(c.sig.data() + 32, 32) < L();
        REQUIRE(s == (canon ? VS::Mismatch : VS::BadScalar));
      } else {
        REQUIRE(s == expected_point_status(c.sig.data(), VS::BadR, VS::WeakR, VS::Mismatch));
      }
      ++checked;
    }
    for (int bit = 0; bit < 256; ++bit) {
      Case c = good;
      c.pk[bit / 8] ^= uint8_t(1u << (bit % 8));
      const VS s = agree(c);
      REQUIRE(s == expected_point_status(c.pk.data(), VS::BadKey, VS::WeakKey, VS::Mismatch));
      ++checked;
    }
    const size_t mbits = good.msg.size() * 8;
    for (size_t k = 0; k < std::min<size_t>(mbits, 512); ++k) {
      const size_t bit = mbits <= 512 ? k : size_t(rng()() % mbits);
      Case c = good;
      c.msg[bit / 8] ^= uint8_t(1u << (bit % 8));
      REQUIRE(agree(c) == VS::Mismatch);
      ++checked;
    }
    // one byte more or less
    Case longer = good;
    longer.msg.push_back(0);
    REQUIRE(agree(longer) == VS::Mismatch);
    if (!good.msg.empty()) {
      Case shorter = good;
      shorter.msg.pop_back();
      REQUIRE(agree(shorter) == VS::Mismatch);
    }
  }
  REQUIRE(checked > 4000);
}

TEST_CASE("random keys and messages: libsodium's signatures verify, corrupted ones do not", "[sodium]") {
  REQUIRE(sodium_init() >= 0);
  const size_t lens[] = {0, 1, 63, 64, 111, 112, 127, 128, 129, 255, 256};
  for (int i = 0; i < 400; ++i) {
    const size_t len = i < 11 ? lens[i] : size_t(rng()() % 3000);
    Case c = signed_case(len);
    INFO("iteration " << i << " length " << len);
    REQUIRE(agree(c) == VS::Ok);
    // streaming in random pieces
    Ed25519Verifier st;
    ed25519_verify_init(st, c.sig.data(), c.pk.data());
    size_t at = 0;
    while (at < c.msg.size()) {
      size_t take = std::min<size_t>(c.msg.size() - at, size_t(rng()() % 200));
      ed25519_verify_update(st, c.msg.data() + at, take);
      at += take;
    }
    REQUIRE(ed25519_verify_final(st) == VS::Ok);
    // one random byte of signature, key or message replaced by a different value
    Case bad = c;
    const size_t where = size_t(rng()() % (96 + bad.msg.size()));
    uint8_t* p = where < 64 ? &bad.sig[where] : where < 96 ? &bad.pk[where - 64] : &bad.msg[where - 96];
    *p ^= uint8_t(1 + rng()() % 255);
    REQUIRE(agree(bad) != VS::Ok);
    // another key's signature
    Case other = signed_case(len);
    other.msg = c.msg;
    Case swapped{other.sig, c.pk, c.msg};
    REQUIRE(agree(swapped) == VS::Mismatch);
  }
}

TEST_CASE("random garbage: the same decision as libsodium, every status reached", "[sodium]") {
  REQUIRE(sodium_init() >= 0);
  std::map<VS, int> seen;
  for (int i = 0; i < 1500; ++i) {
    Case c{random_bytes(64), random_bytes(32), random_bytes(size_t(rng()() % 100))};
    if (i % 2) c.sig[63] &= 0x0F;                    // mostly canonical S
    if (i % 3 == 0) c.pk = signed_case(0).pk;        // a valid key
    if (i % 5 == 0) c.sig = signed_case(0).sig;      // a valid R and S (of another message)
    seen[agree(c)]++;
  }
  CHECK(seen[VS::BadScalar] > 0);
  CHECK(seen[VS::BadKey] > 0);
  CHECK(seen[VS::BadR] > 0);
  CHECK(seen[VS::Mismatch] > 0);
}

TEST_CASE("S at the boundary: L - 1 passes the check, L and S + L do not", "[scalar]") {
  REQUIRE(sodium_init() >= 0);
  for (int i = 0; i < 20; ++i) {
    const Case good = signed_case(size_t(rng()() % 64));
    const Bn s = Bn::from_le(good.sig.data() + 32, 32);
    auto with_s = [&](const Bn& v) {
      Case c = good;
      auto b = v.le(32);
      std::copy(b.begin(), b.end(), c.sig.begin() + 32);
      return c;
    };
    // S + L is the same scalar mod L: the equation would hold; only the S < L check refuses it
    REQUIRE(agree(with_s(add(s, L()))) == VS::BadScalar);
    REQUIRE(agree(with_s(add(s, mul(L(), Bn(7))))) == VS::BadScalar);
    REQUIRE(agree(with_s(sub(L(), Bn(1)))) == VS::Mismatch);
    REQUIRE(agree(with_s(L())) == VS::BadScalar);
    REQUIRE(agree(with_s(add(L(), Bn(1)))) == VS::BadScalar);
    REQUIRE(agree(with_s(sub(Bn::pow2(256), Bn(1)))) == VS::BadScalar);
    REQUIRE(agree(with_s(Bn(0))) == VS::Mismatch);
  }
}

TEST_CASE("small-order and non-canonical R and A are refused with their status", "[points]") {
  REQUIRE(sodium_init() >= 0);
  const Case good = signed_case(20);
  for (const auto& h : small_order_hex()) {
    INFO(h);
    Case r = good, a = good;
    auto e = unhex(h);
    std::copy(e.begin(), e.end(), r.sig.begin());
    a.pk = e;
    REQUIRE(agree(r) == VS::WeakR);
    REQUIRE(agree(a) == VS::WeakKey);
  }
  std::vector<std::string> noncanon = small_order_invalid_hex();
  // y = p .. 2^255 - 1 (every y >= p), both signs
  for (unsigned k = 0; k <= 18; ++k) {
    for (int sign = 0; sign < 2; ++sign) {
      auto b = add(P(), Bn(k)).le(32);
      if (sign) b[31] |= 0x80;
      noncanon.push_back(hex(b));
    }
  }
  for (const auto& h : noncanon) {
    INFO(h);
    Case r = good, a = good;
    auto e = unhex(h);
    std::copy(e.begin(), e.end(), r.sig.begin());
    a.pk = e;
    REQUIRE(agree(r) == VS::BadR);
    REQUIRE(agree(a) == VS::BadKey);
  }
  // y < p but (y^2 - 1) / (d y^2 + 1) is not a square: not on the curve
  int off_curve = 0;
  for (unsigned y = 2; off_curve < 10; ++y) {
    auto b = Bn(y).le(32);
    Pt p;
    if (pt_decode(b.data(), p)) continue;
    Case r = good, a = good;
    std::copy(b.begin(), b.end(), r.sig.begin());
    a.pk = b;
    INFO("y " << y);
    REQUIRE(agree(r) == VS::BadR);
    REQUIRE(agree(a) == VS::BadKey);
    ++off_curve;
  }
}

TEST_CASE("mixed-order keys: the cofactorless equation, as libsodium", "[points]") {
  REQUIRE(sodium_init() >= 0);
  // A' = aB + T (T of order 8), R = rB, S = r + k a. [S]B - [k]A' = R - [k]T, which is R
  // exactly when 8 divides k: both verifiers accept those and refuse the others.
  int accepted = 0, refused = 0;
  for (int i = 0; i < 120 && (accepted < 3 || refused < 3); ++i) {
    uint8_t a[32], r[32], R[32], Ab[32];
    crypto_core_ed25519_scalar_random(a);
    crypto_core_ed25519_scalar_random(r);
    REQUIRE(crypto_scalarmult_ed25519_base_noclamp(Ab, a) == 0);
    REQUIRE(crypto_scalarmult_ed25519_base_noclamp(R, r) == 0);
    Pt ap, t;
    REQUIRE(pt_decode(Ab, ap));
    REQUIRE(pt_decode(unhex(small_order_hex()[4 + i % 4]).data(), t));
    const auto A2 = pt_encode(pt_add(ap, t));
    const auto msg = random_bytes(16);
    uint8_t h[64], k[32], ka[32], s[32];
    crypto_hash_sha512_state hs;
    crypto_hash_sha512_init(&hs);
    crypto_hash_sha512_update(&hs, R, 32);
    crypto_hash_sha512_update(&hs, A2.data(), 32);
    crypto_hash_sha512_update(&hs, msg.data(), msg.size());
    crypto_hash_sha512_final(&hs, h);
    crypto_core_ed25519_scalar_reduce(k, h);
    crypto_core_ed25519_scalar_mul(ka, k, a);
    crypto_core_ed25519_scalar_add(s, r, ka);
    Case c{std::vector<uint8_t>(R, R + 32), A2, msg};
    c.sig.insert(c.sig.end(), s, s + 32);
    const VS st = agree(c);
    if (k[0] % 8 == 0) {
      REQUIRE(st == VS::Ok);
      ++accepted;
    } else {
      REQUIRE(st == VS::Mismatch);
      ++refused;
    }
  }
  REQUIRE(accepted >= 3);
  REQUIRE(refused >= 3);
}

TEST_CASE("empty and long messages", "[sodium]") {
  REQUIRE(sodium_init() >= 0);
  Case e = signed_case(0);
  REQUIRE(agree(e) == VS::Ok);
  e.msg.push_back(0);
  REQUIRE(agree(e) == VS::Mismatch);
  Case big = signed_case(size_t(1) << 20);
  REQUIRE(agree(big) == VS::Ok);
  big.msg[big.msg.size() / 2] ^= 0x40;
  REQUIRE(agree(big) == VS::Mismatch);
  big.msg[big.msg.size() / 2] ^= 0x40;
  big.msg.back() ^= 1;
  REQUIRE(agree(big) == VS::Mismatch);
}

TEST_CASE("status names", "[api]") {
  for (int i = 0; i <= 6; ++i) CHECK(std::string(verify_status_name(VS(i))) != "unknown");
  CHECK(std::string(verify_status_name(VS(7))) == "unknown");
}
