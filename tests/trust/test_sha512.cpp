// SHA-512 (firmware/crypto): NIST known answers (FIPS 180-2 appendix C examples and the
// one-million-'a' long message), every length across the block and padding boundaries against
// libsodium, and the streaming interface split at random points.
#include <catch2/catch.hpp>
#include <sodium.h>

#include <string>

#include "shoal/crypto/sha512.h"
#include "trust_util.hpp"

using namespace shoal::crypto;
using namespace shoal::trusttest;

namespace {
std::string digest_hex(const void* p, size_t n) {
  uint8_t d[kSha512Bytes];
  sha512(p, n, d);
  return hex(d, sizeof d);
}
}  // namespace

TEST_CASE("SHA-512 known answers", "[sha512]") {
  CHECK(digest_hex("", 0) ==
        "cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce"
        "47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e");
  CHECK(digest_hex("abc", 3) ==
        "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
        "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f");
  const std::string m448 = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
  CHECK(digest_hex(m448.data(), m448.size()) ==
        "204a8fc6dda82f0a0ced7beb8e08a41657c16ef468b228a8279be331a703c335"
        "96fd15c13b1b07f9aa1d3bea57789ca031ad85c7a71dd70354ec631238ca3445");
  const std::string m896 =
      "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmno"
      "pqrsmnopqrstnopqrstu";
  CHECK(digest_hex(m896.data(), m896.size()) ==
        "8e959b75dae313da8cf4f72814fc143f8f7779c6eb9f7fa17299aeadb6889018"
        "501d289e4900f7e4331b99dec4b5433ac7d329eeb6dd26545e96e55b874be909");
  const std::string million(1000000, 'a');
  CHECK(digest_hex(million.data(), million.size()) ==
        "e718483d0ce769644e2e42c7bc15b4638e1f98b13b2044285632a803afa973eb"
        "de0ff244877ea60a4cb0432ce577c31beb009c5c2c49aa2e4eadb217ad8cc09b");
}

TEST_CASE("SHA-512 equals libsodium for every length up to 600 and long random messages", "[sha512]") {
  REQUIRE(sodium_init() >= 0);
  std::vector<uint8_t> buf = random_bytes(1 << 20);
  for (size_t n = 0; n <= 600; ++n) {  // covers 111/112 (padding spills), 127/128/129, 239/240, 256
    uint8_t a[64], b[64];
    sha512(buf.data(), n, a);
    crypto_hash_sha512(b, buf.data(), n);
    INFO("length " << n);
    REQUIRE(hex(a, 64) == hex(b, 64));
  }
  for (size_t n : {size_t(4096), size_t(65535), size_t(65536), size_t(1) << 20}) {
    uint8_t a[64], b[64];
    sha512(buf.data(), n, a);
    crypto_hash_sha512(b, buf.data(), n);
    REQUIRE(hex(a, 64) == hex(b, 64));
  }
}

TEST_CASE("SHA-512 streaming: any split gives the one-shot digest; final re-initialises", "[sha512]") {
  std::vector<uint8_t> buf = random_bytes(5000);
  for (int iter = 0; iter < 300; ++iter) {
    const size_t n = (iter < 10) ? size_t(iter) : size_t(rng()() % buf.size());
    uint8_t one[64], parts[64];
    sha512(buf.data(), n, one);
    Sha512 s;
    sha512_init(s);
    size_t at = 0;
    while (at < n) {
      size_t take = size_t(rng()() % 300);  // 0-byte updates included
      if (take > n - at) take = n - at;
      sha512_update(s, buf.data() + at, take);
      at += take;
    }
    sha512_final(s, parts);
    INFO("length " << n);
    REQUIRE(hex(one, 64) == hex(parts, 64));
    // the state is ready for the next message
    sha512_update(s, "abc", 3);
    sha512_final(s, parts);
    REQUIRE(hex(parts, 64) == digest_hex("abc", 3));
  }
}
