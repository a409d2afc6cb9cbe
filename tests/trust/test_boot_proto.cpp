// The boot-stage prototype (firmware/boot/src/boot_rom.cpp) on the Verilated core block, with
// the proposed hardware modelled by boot_rig.hpp. Shows the "must show" at the boot
// stage: an unsigned image, an image signed with another key, a truncated signature, a flipped
// byte and an older version are each refused with their own status while the previous
// firmware runs again and answers; a good newer image is accepted and raises the floor; the
// admin's explicit clear lets an older image in once; power-up with an unverified slot checks
// it, and halts when nothing is acceptable.
#include <catch2/catch.hpp>
#include <sodium.h>

#include "boot_rig.hpp"
#include "image_util.hpp"
#include "trust_util.hpp"

using namespace shoal::trusttest;
using shoal::boot::ImageStatus;
namespace plat = shoal::boot::plat;

namespace {
const std::string kFw = SHOAL_TRUST_FW_DIR;
constexpr uint64_t kBootMax = 12'000'000;  // one verification is ~3.1M cycles plus the bus reads

struct Images {
  std::vector<uint8_t> v1, v2;
};
const Images& images() {
  static Images im{slurp(kFw + "/boot_app_v1.simg"), slurp(kFw + "/boot_app_v2.simg")};
  return im;
}
uint32_t result(const BootRig& r) { return r.field(plat::kStResultLsb, 8); }
uint32_t state(const BootRig& r) { return r.field(plat::kStStateLsb, 4); }

// boots to "app v<n> running" and checks it answers a doorbell
void expect_running(BootRig& r, int n) {
  const std::string want = "app v" + std::to_string(n) + " running";
  const bool up = r.run_until(want, kBootMax);
  INFO("console:\n" << r.console());
  REQUIRE(up);
  r.doorbell();
  REQUIRE(r.run_until("pong v" + std::to_string(n), 200'000));
  CHECK(state(r) == plat::kStateRunning);
  CHECK(r.run_version() == uint32_t(n));
  CHECK_FALSE(r.boot_mode());
}

BootRig powered_up(bool trusted = true) {
  BootRig r(kFw + "/shoal_boot_proto.elf", test_key().pk);
  r.power_up(images().v1, trusted, 1);
  return r;
}
}  // namespace

TEST_CASE("power-up runs the default image; a good newer image is accepted and raises the floor", "[boot]") {
  REQUIRE(sodium_init() >= 0);
  BootRig r = powered_up();
  expect_running(r, 1);
  CHECK(result(r) == 0);
  CHECK(r.console().find("power-up") != std::string::npos);
  CHECK(r.console().find("accepted") == std::string::npos);  // trusted at power-up: no verification

  REQUIRE_FALSE(r.stage(0, images().v2));  // the active slot cannot be staged into
  REQUIRE(r.stage_inactive(images().v2));
  r.activate();
  expect_running(r, 2);
  CHECK(r.console().find("slot 1: accepted, version 2") != std::string::npos);
  CHECK(result(r) == uint32_t(ImageStatus::Ok));
  CHECK(r.active() == 1);
  CHECK(r.floor() == 2);
  CHECK(r.verified(1));
  CHECK(r.last_version() == 2);
  CHECK(r.refused_writes() == 0);
  // the boot stage's stack fits the proposed 4 KiB scratch RAM (3968 bytes of stack in rom.ld)
  const auto at = r.console().find("stack used ");
  REQUIRE(at != std::string::npos);
  CHECK(std::stoul(r.console().substr(at + 11)) <= 3968);
}

TEST_CASE("bad images are refused with their own status; the previous firmware runs and answers", "[boot]") {
  REQUIRE(sodium_init() >= 0);
  BootRig r = powered_up();
  expect_running(r, 1);
  const auto& good = images().v2;
  const TestKey other = random_key();
  std::vector<uint8_t> other_key = good;
  {  // the same image, re-signed by another key, with that key's id
    shoal::boot::Header h;
    REQUIRE(shoal::boot::parse_image(good.data(), good.size(), card_mem(), h) == ImageStatus::Ok);
    shoal::boot::key_id(other.pk, other_key.data() + shoal::boot::off::key_id);
    other_key = resign(other_key, other);
  }
  auto flipped = good;
  flipped[shoal::boot::kHeaderBytes + 100] ^= 0x08;  // one byte of code
  const struct {
    const char* what;
    std::vector<uint8_t> img;
    ImageStatus want;
  } cases[] = {
      {"unsigned", std::vector<uint8_t>(good.begin(), good.end() - 64), ImageStatus::Unsigned},
      {"another key", other_key, ImageStatus::KeyMismatch},
      {"truncated signature", std::vector<uint8_t>(good.begin(), good.end() - 20), ImageStatus::SigTruncated},
      {"an ELF, not an image", slurp(kFw + "/boot_app_v2.elf"), ImageStatus::BadMagic},
      {"a flipped byte", flipped, ImageStatus::BadSignature},
  };
  for (const auto& c : cases) {
    INFO(c.what);
    REQUIRE(r.stage_inactive(c.img));
    r.activate();
    expect_running(r, 1);  // the previous image, again
    CHECK(result(r) == uint32_t(c.want));
    CHECK(r.field(plat::kStAttemptLsb, 1) == 1);
    CHECK(r.field(plat::kStActiveLsb, 1) == 0);
    CHECK(r.active() == 0);
    CHECK(r.floor() == 1);
    CHECK_FALSE(r.verified(1));
    CHECK(r.console().find(std::string("slot 1: refused: ") + shoal::boot::image_status_name(c.want)) != std::string::npos);
  }
  CHECK(r.field(plat::kStDetailLsb, 4) == uint32_t(shoal::crypto::VerifyStatus::Mismatch));  // the flipped byte
  CHECK(r.refused_writes() == 0);
}

TEST_CASE("anti-rollback: an older image is refused until the admin clears it, once", "[boot]") {
  REQUIRE(sodium_init() >= 0);
  BootRig r = powered_up();
  expect_running(r, 1);
  REQUIRE(r.stage_inactive(images().v2));
  r.activate();
  expect_running(r, 2);
  REQUIRE(r.floor() == 2);
  // v1 again, into slot 0 (now inactive): authentic but older
  REQUIRE(r.stage_inactive(images().v1));
  r.activate();
  expect_running(r, 2);
  CHECK(result(r) == uint32_t(ImageStatus::Rollback));
  CHECK(r.last_version() == 1);
  CHECK(r.floor() == 2);
  // the admin's explicit clear: the next activation may go back, and the floor follows
  r.clear_rollback();
  r.activate();
  expect_running(r, 1);
  CHECK(result(r) == uint32_t(ImageStatus::Ok));
  CHECK(r.floor() == 1);
  CHECK_FALSE(r.allow_armed());  // one-shot
  CHECK(r.active() == 0);
}

TEST_CASE("power-up without a trusted default: the slot is verified, and nothing acceptable halts", "[boot]") {
  REQUIRE(sodium_init() >= 0);
  {
    BootRig r = powered_up(false);
    expect_running(r, 1);
    CHECK(r.console().find("slot 0: accepted, version 1") != std::string::npos);
    CHECK(r.verified(0));
  }
  {
    BootRig r(kFw + "/shoal_boot_proto.elf", test_key().pk);
    const auto& v1 = images().v1;
    r.power_up(std::vector<uint8_t>(v1.begin(), v1.end() - 64), false, 1);  // unsigned default
    REQUIRE(r.run_until("HALTED", kBootMax));
    r.run(2000);
    CHECK(state(r) == plat::kStateHalted);
    CHECK(result(r) == uint32_t(ImageStatus::Unsigned));
    CHECK(r.console().find("app v") == std::string::npos);
  }
}
