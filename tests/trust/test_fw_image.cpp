// The signed image format and the boot stage's decision (firmware/boot/src/fw_image.cpp, the
// code the boot ROM runs): the build's signed default image, and each way an image can be
// wrong -- unsigned, another key, truncated signature, any flipped byte, older version, and
// every layout rule -- refused with its own status.
#include <catch2/catch.hpp>

#include <set>

#include "image_util.hpp"
#include "trust_util.hpp"

using namespace shoal::trusttest;
using shoal::boot::Header;
using shoal::boot::ImageStatus;
using IS = ImageStatus;

namespace {
IS check(const std::vector<uint8_t>& img, const TestKey& k, uint32_t floor = 0, bool allow = false,
         shoal::crypto::VerifyStatus* d = nullptr) {
  Header h;
  return shoal::boot::check_image(img.data(), img.size(), card_mem(), k.pk, floor, allow, h, d);
}
std::vector<uint8_t> payload(size_t n) { return random_bytes(n); }
}  // namespace

TEST_CASE("the build's signed default image verifies with the test key", "[image]") {
  REQUIRE(sodium_init() >= 0);
  const auto img = slurp(SHOAL_FW_SIMG_PATH);
  REQUIRE(img.size() > 1000);
  const TestKey k = test_key();
  // the key the build generated is the documented one
  const auto pub = slurp(SHOAL_TEST_KEY_PREFIX ".pub");
  REQUIRE(std::string(pub.begin(), pub.end()).find(hex(k.pk, 32)) != std::string::npos);
  Header h;
  REQUIRE(shoal::boot::check_image(img.data(), img.size(), card_mem(), k.pk, 1, false, h, nullptr) == IS::Ok);
  CHECK(h.rollback == 1);
  CHECK(h.entry == SHOAL_CORE_IRAM_BASE_RESET);
  CHECK(h.segment_count == 2);
  CHECK(check(img, k, 2) == IS::Rollback);
  CHECK(check(img, k, 2, true) == IS::Ok);
  CHECK(check(img, random_key()) == IS::KeyMismatch);
}

TEST_CASE("unsigned, truncated, trailing bytes, not an image", "[image]") {
  REQUIRE(sodium_init() >= 0);
  const TestKey k = test_key();
  const auto img = make_image(simple_header(k, 3, 512, 64), payload(576), k);
  REQUIRE(check(img, k) == IS::Ok);
  auto cut = [&](size_t n) { return std::vector<uint8_t>(img.begin(), img.begin() + long(n)); };
  const size_t signed_len = img.size() - 64;
  CHECK(check(cut(signed_len), k) == IS::Unsigned);
  for (size_t n = 1; n < 64; ++n) CHECK(check(cut(signed_len + n), k) == IS::SigTruncated);
  for (size_t n : {size_t(128), size_t(129), size_t(200), signed_len - 1}) CHECK(check(cut(n), k) == IS::Truncated);
  for (size_t n : {size_t(4), size_t(64), size_t(127)}) CHECK(check(cut(n), k) == IS::Truncated);
  for (size_t n : {size_t(0), size_t(1), size_t(3)}) CHECK(check(cut(n), k) == IS::BadMagic);
  auto longer = img;
  longer.push_back(0);
  CHECK(check(longer, k) == IS::TrailingData);
  // an ELF, text
  const auto elf = slurp(SHOAL_FW_ELF_PATH);
  CHECK(check(elf, k) == IS::BadMagic);
  const std::string text = "hello, this is not firmware\n";
  CHECK(check(std::vector<uint8_t>(text.begin(), text.end()), k) == IS::BadMagic);
  // an unsigned image with a fake (zero) signature
  auto zero_sig = img;
  std::fill(zero_sig.end() - 64, zero_sig.end(), 0);
  shoal::crypto::VerifyStatus d;
  CHECK(check(zero_sig, k, 0, false, &d) == IS::BadSignature);
  CHECK(d == shoal::crypto::VerifyStatus::WeakR);  // R = 0 has small order
}

TEST_CASE("signed with another key: its own status, whatever key id the header claims", "[image]") {
  REQUIRE(sodium_init() >= 0);
  const TestKey card = test_key(), other = random_key();
  const auto by_other = make_image(simple_header(other, 3, 256, 64), payload(320), other);
  CHECK(check(by_other, other) == IS::Ok);
  CHECK(check(by_other, card) == IS::KeyMismatch);
  // the header names the card's key but the signature is another key's
  auto forged = make_image(simple_header(card, 3, 256, 64), payload(320), other);
  shoal::crypto::VerifyStatus d;
  CHECK(check(forged, card, 0, false, &d) == IS::BadSignature);
  CHECK(d == shoal::crypto::VerifyStatus::Mismatch);
}

TEST_CASE("a flipped bit anywhere in a signed image is refused", "[image]") {
  REQUIRE(sodium_init() >= 0);
  const TestKey k = test_key();
  const auto img = make_image(simple_header(k, 5, 1024, 128), payload(1152), k);
  REQUIRE(check(img, k) == IS::Ok);
  std::set<IS> seen;
  for (size_t i = 0; i < img.size(); ++i) {
    for (int bit : {int(i % 8), int((i + 3) % 8)}) {
      auto b = img;
      b[i] ^= uint8_t(1u << bit);
      const IS st = check(b, k);
      INFO("byte " << i << " bit " << bit << " status " << shoal::boot::image_status_name(st));
      REQUIRE(st != IS::Ok);
      if (i >= shoal::boot::kHeaderBytes) REQUIRE(st == IS::BadSignature);  // payload and signature
      seen.insert(st);
    }
  }
  // header bytes reach the structural checks too
  CHECK(seen.count(IS::BadMagic));
  CHECK(seen.count(IS::BadFormat));
  CHECK(seen.count(IS::BadLayout));
  CHECK(seen.count(IS::KeyMismatch));
  CHECK(seen.count(IS::BadSignature));
}

TEST_CASE("anti-rollback: older refused unless the admin cleared it; equal and newer pass", "[image]") {
  REQUIRE(sodium_init() >= 0);
  const TestKey k = test_key();
  for (uint32_t v : {0u, 1u, 6u, 7u, 8u, 0xFFFFFFFFu}) {
    const auto img = make_image(simple_header(k, v, 64, 0), payload(64), k);
    const uint32_t floor = 7;
    INFO("version " << v);
    CHECK(check(img, k, floor) == (v < floor ? IS::Rollback : IS::Ok));
    CHECK(check(img, k, floor, true) == IS::Ok);
  }
  // a forged signature is reported as such even when the version is also old
  auto img = make_image(simple_header(k, 1, 64, 0), payload(64), k);
  img.back() ^= 1;
  CHECK(check(img, k, 7) == IS::BadSignature);
}

TEST_CASE("layout rules: each violation, properly signed, is BadLayout / BadFormat / TooLarge", "[image]") {
  REQUIRE(sodium_init() >= 0);
  const TestKey k = test_key();
  const uint32_t I = SHOAL_CORE_IRAM_BASE_RESET, D = SHOAL_CORE_DRAM_BASE_RESET;
  const uint32_t IB = SHOAL_CORE_IRAM_BYTES_RESET, DB = SHOAL_CORE_DRAM_BYTES_RESET;
  struct Mut {
    const char* what;
    IS want;
    void (*f)(Header&);
  };
  static uint32_t si, sd, sib, sdb;
  si = I, sd = D, sib = IB, sdb = DB;
  const Mut muts[] = {
      {"control: unchanged", IS::Ok, [](Header&) {}},
      {"code runs past IRAM", IS::BadLayout, [](Header& h) { h.seg[0].addr = si + sib - 128; }},
      {"data zero-fill past DRAM", IS::BadLayout, [](Header& h) { h.seg[1].zero_bytes = sdb; }},
      {"segment between the RAMs", IS::BadLayout, [](Header& h) { h.seg[1].addr = si + sib; }},
      {"segment at address 0", IS::BadLayout, [](Header& h) { h.seg[1].addr = 0; }},
      {"address wraps 2^32", IS::BadLayout, [](Header& h) { h.seg[1].addr = 0xFFFFFF00u; }},
      {"zero_bytes overflow", IS::BadLayout, [](Header& h) { h.seg[1].zero_bytes = 0xFFFFFFFCu; }},
      {"segments overlap", IS::BadLayout, [](Header& h) { h.seg[1].addr = si + 256; }},
      {"misaligned address", IS::BadLayout, [](Header& h) { h.seg[1].addr = sd + 2; }},
      {"misaligned zero bytes", IS::BadLayout, [](Header& h) { h.seg[1].zero_bytes = 6; }},
      {"payload gap", IS::BadLayout, [](Header& h) { h.seg[1].offset += 4; }},
      {"entry in data", IS::BadLayout, [](Header& h) { h.entry = sd; }},
      {"entry past the code", IS::BadLayout, [](Header& h) { h.entry = si + 512; }},
      {"entry misaligned", IS::BadLayout, [](Header& h) { h.entry = si + 2; }},
      {"no segments", IS::BadLayout, [](Header& h) { h.segment_count = 0; }},
      {"five segments", IS::BadLayout, [](Header& h) { h.segment_count = 5; }},
      {"an unused segment entry is not zero", IS::BadLayout, [](Header& h) { h.seg[2].zero_bytes = 4; }},
      {"empty segment", IS::BadLayout,
       [](Header& h) {
         h.segment_count = 3;
         h.seg[2] = {sd + 4096, 0, h.payload_bytes, 0};
       }},
      {"segments do not cover the payload", IS::BadLayout, [](Header& h) { h.seg[1].file_bytes -= 4; }},
  };
  for (const auto& m : muts) {
    Header h = simple_header(k, 1, 512, 64);
    m.f(h);
    const auto img = make_image(h, payload(576), k);
    INFO(m.what);
    CHECK(check(img, k) == m.want);
  }
  // sizes: a payload larger than the slot, and the arithmetic near 2^32
  for (uint32_t pb : {shoal::boot::kProposedSlotBytes, 0xFFFFFFC0u, 0xFFFFFFFFu}) {
    Header h = simple_header(k, 1, 512, 64);
    h.payload_bytes = pb;
    const auto img = make_image(h, payload(576), k);
    INFO("payload_bytes " << pb);
    CHECK(check(img, k) == IS::TooLarge);
  }
  // format fields
  auto img = make_image(simple_header(k, 1, 512, 64), payload(576), k);
  for (size_t at : {size_t(4), size_t(6), size_t(0x1C), size_t(0x28), size_t(0x2F), size_t(0x70), size_t(0x7F)}) {
    auto b = img;
    b[at] ^= 0x01;
    INFO("header byte " << at);
    CHECK(check(resign(b, k), k) == IS::BadFormat);
  }
}

TEST_CASE("random header mutations never pass the structure check with an unsafe layout", "[image]") {
  REQUIRE(sodium_init() >= 0);
  const TestKey k = test_key();
  const auto base = make_image(simple_header(k, 1, 512, 64), payload(576), k);
  const auto mem = card_mem();
  int ok = 0;
  for (int i = 0; i < 20000; ++i) {
    auto b = base;
    const int n = 1 + int(rng()() % 4);
    for (int j = 0; j < n; ++j) {
      const size_t at = 0x08 + size_t(rng()() % (0x70 - 0x08));  // the fields parse_image reads
      b[at] = uint8_t(rng()());
    }
    Header h;
    if (shoal::boot::parse_image(b.data(), b.size(), mem, h) != IS::Ok) continue;
    ++ok;
    // whatever passed: every segment inside one RAM, payload inside the image
    for (uint32_t s = 0; s < h.segment_count; ++s) {
      const auto& g = h.seg[s];
      const uint64_t end = uint64_t(g.addr) + g.file_bytes + g.zero_bytes;
      const bool iram = g.addr >= mem.iram_base && end <= uint64_t(mem.iram_base) + mem.iram_bytes;
      const bool dram = g.addr >= mem.dram_base && end <= uint64_t(mem.dram_base) + mem.dram_bytes;
      REQUIRE((iram || dram));
      REQUIRE(uint64_t(g.offset) + g.file_bytes <= h.payload_bytes);
    }
    REQUIRE(shoal::boot::image_bytes(h) == b.size());
  }
  CHECK(ok > 0);  // some mutations (e.g. of rollback or zero_bytes) keep a valid layout
}

TEST_CASE("key id and status names", "[image]") {
  const TestKey k = test_key();
  uint8_t id[8], h[64];
  shoal::boot::key_id(k.pk, id);
  crypto_hash_sha512(h, k.pk, 32);
  CHECK(hex(id, 8) == hex(h, 8));
  for (int i = 0; i <= 11; ++i) CHECK(std::string(shoal::boot::image_status_name(IS(i))) != "unknown");
  CHECK(std::string(shoal::boot::image_status_name(IS(12))) == "unknown");
}
