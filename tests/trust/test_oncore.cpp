// The firmware/crypto verifier on the Verilated soft core (the core block, card configuration):
// fw/trust_verify.elf runs the cases written into its job block; every status must equal the
// host build's (same sources) and the expected one. Two full verifications (an RFC 8032 vector
// and a libsodium signature with one message bit flipped), three early refusals and one SHA-512.
#include <catch2/catch.hpp>
#include <sodium.h>

#include "oncore_job.hpp"
#include "rfc8032_vectors.hpp"
#include "shoal/crypto/ed25519.h"
#include "trust_util.hpp"

using namespace shoal::trusttest;
using namespace shoal::crypto;

namespace {
const std::string kElf = std::string(SHOAL_TRUST_FW_DIR) + "/trust_verify.elf";

void set_case(ShoalTrustCase& c, const std::vector<uint8_t>& sig, const std::vector<uint8_t>& pk,
              const std::vector<uint8_t>& msg, uint32_t kind = SHOAL_TRUST_VERIFY) {
  REQUIRE(msg.size() <= SHOAL_TRUST_MAX_MSG);
  std::memset(&c, 0, sizeof c);
  c.kind = kind;
  c.len = uint32_t(msg.size());
  std::copy(sig.begin(), sig.end(), c.sig);
  std::copy(pk.begin(), pk.end(), c.pk);
  std::copy(msg.begin(), msg.end(), c.msg);
}
uint32_t host_result(const ShoalTrustCase& c) {
  if (c.kind == SHOAL_TRUST_SHA512) {
    uint8_t d[64];
    sha512(c.msg, c.len, d);
    return uint32_t(d[0]) << 24 | uint32_t(d[1]) << 16 | uint32_t(d[2]) << 8 | d[3];
  }
  return uint32_t(ed25519_verify(c.sig, c.msg, c.len, c.pk));
}
}  // namespace

TEST_CASE("Ed25519 and SHA-512 on the soft core give the host build's results", "[oncore]") {
  REQUIRE(sodium_init() >= 0);
  static ShoalTrustJob job;
  std::memset(&job, 0, sizeof job);
  job.magic = SHOAL_TRUST_JOB_MAGIC;
  job.count = 6;
  const auto& v = kRfc8032[2];  // TEST 3
  const auto rsig = unhex(v.signature_hex), rpk = unhex(v.public_hex), rmsg = unhex(v.message_hex);
  set_case(job.cases[0], rsig, rpk, rmsg);
  // a libsodium signature of a random message, one bit flipped
  std::vector<uint8_t> pk(32), sk(64), sig(64), msg = random_bytes(200);
  crypto_sign_keypair(pk.data(), sk.data());
  crypto_sign_detached(sig.data(), nullptr, msg.data(), msg.size(), sk.data());
  REQUIRE(ed25519_verify(sig.data(), msg.data(), msg.size(), pk.data()) == VerifyStatus::Ok);
  auto flipped = msg;
  flipped[rng()() % flipped.size()] ^= uint8_t(1u << (rng()() % 8));
  set_case(job.cases[1], sig, pk, flipped);
  // S + L (the same scalar mod L, refused by the S < L check)
  auto sl = sig;
  auto s_plus_l = add(Bn::from_le(sig.data() + 32, 32), L()).le(32);
  std::copy(s_plus_l.begin(), s_plus_l.end(), sl.begin() + 32);
  set_case(job.cases[2], sl, pk, msg);
  // R of small order
  auto weak = sig;
  auto t8 = unhex(small_order_hex()[6]);
  std::copy(t8.begin(), t8.end(), weak.begin());
  set_case(job.cases[3], weak, pk, msg);
  // a key with y = p (non-canonical)
  set_case(job.cases[4], sig, P().le(32), msg);
  // SHA-512 of 512 random bytes
  set_case(job.cases[5], {}, {}, random_bytes(SHOAL_TRUST_MAX_MSG), SHOAL_TRUST_SHA512);

  const uint32_t want[5] = {uint32_t(VerifyStatus::Ok), uint32_t(VerifyStatus::Mismatch),
                            uint32_t(VerifyStatus::BadScalar), uint32_t(VerifyStatus::WeakR),
                            uint32_t(VerifyStatus::BadKey)};
  std::vector<OncoreResult> res;
  std::string console;
  const std::string err = run_oncore(kElf, job, 30'000'000, res, console);
  INFO("console:\n" << console);
  REQUIRE(err == "");
  for (uint32_t i = 0; i < job.count; ++i) {
    INFO("case " << i << " cycles " << res[i].cycles << " stack " << res[i].stack);
    CHECK(res[i].kind == job.cases[i].kind);
    CHECK(res[i].status == host_result(job.cases[i]));
    if (i < 5) CHECK(res[i].status == want[i]);
    CHECK(res[i].cycles > 0);
    CHECK(res[i].stack < 3584 - 64);  // the probe region was deep enough to measure it
  }
}

TEST_CASE("the program refuses a missing job block", "[oncore]") {
  static ShoalTrustJob job;
  std::memset(&job, 0, sizeof job);  // magic 0
  std::vector<OncoreResult> res;
  std::string console;
  const std::string err = run_oncore(kElf, job, 200'000, res, console);
  INFO("console:\n" << console);
  CHECK(err == "the program reported a failure");
  CHECK(console.find("RESULT FAIL no job block") != std::string::npos);
}
