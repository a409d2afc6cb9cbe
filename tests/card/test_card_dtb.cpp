// The DTB ROM window serves exactly the bytes of the DTB that dtc built (SHOAL_DTB_PATH), zero
// past the blob, and refuses writes (captured as read-only refusals).
#include <catch2/catch.hpp>

#include <fstream>
#include <iterator>
#include <vector>

#include "card_tb.hpp"

using shoal::test::CardTb;
using shoal::test::kOkay;
using shoal::test::kSlvErr;
using shoal::test::reg;

namespace {
std::vector<uint8_t> dtb_file() {
  std::ifstream f(SHOAL_DTB_PATH, std::ios::binary);
  REQUIRE(f.good());
  return {std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>()};
}
const shoal::regs::WindowInfo& dtb_window() {
  for (const auto& w : shoal::regs::kWindows) {
    if (std::string(w.name) == "dtb") return w;
  }
  FAIL("no dtb window in the register map");
  return shoal::regs::kWindows[0];
}
}  // namespace

TEST_CASE("DTB window returns the blob byte for byte and zero past it", "[card][dtb]") {
  CardTb tb;
  const auto blob = dtb_file();
  const auto& w = dtb_window();
  REQUIRE(blob.size() >= 40);
  REQUIRE(blob[0] == 0xD0);  // FDT magic, big-endian in the blob
  REQUIRE(blob.size() <= w.size);
  std::vector<uint8_t> got;
  for (uint32_t off = 0; off < w.size; off += 4) {
    uint32_t v = 0xFFFFFFFF;
    REQUIRE(tb.read(w.addr + off, v) == kOkay);
    for (int b = 0; b < 4; ++b) got.push_back(static_cast<uint8_t>(v >> (8 * b)));
  }
  for (std::size_t i = 0; i < got.size(); ++i) {
    INFO("window byte " << i);
    REQUIRE(got[i] == (i < blob.size() ? blob[i] : 0));
  }
  REQUIRE(tb.rd(reg("ctrl", "BUS_ERR_COUNT").addr) == 0);
}

TEST_CASE("DTB window refuses writes and keeps its content", "[card][dtb]") {
  CardTb tb;
  const auto blob = dtb_file();
  const auto& w = dtb_window();
  REQUIRE_FALSE(w.writable);
  const uint32_t first = tb.rd(w.addr);
  uint32_t count = 0;
  for (uint32_t off : {0u, 4u, w.size / 2, w.size - 4}) {
    REQUIRE(tb.write(w.addr + off, 0x12345678) == kSlvErr);
    ++count;
    REQUIRE(tb.rd(reg("ctrl", "BUS_ERR_ADDR").addr) == w.addr + off);
    const auto& info = reg("ctrl", "BUS_ERR_INFO");
    uint32_t expect = 0;
    for (std::size_t i = 0; i < info.num_fields; ++i) {
      const std::string n = info.fields[i].name;
      if (n == "write" || n == "readonly") expect |= 1u << info.fields[i].lsb;
    }
    REQUIRE(tb.rd(info.addr) == expect);
  }
  REQUIRE(tb.rd(reg("ctrl", "BUS_ERR_COUNT").addr) == count);
  REQUIRE(tb.rd(w.addr) == first);
  REQUIRE(first == (uint32_t{blob[0]} | uint32_t{blob[1]} << 8 | uint32_t{blob[2]} << 16 |
                    uint32_t{blob[3]} << 24));
}
