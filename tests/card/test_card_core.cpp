// The soft core inside the card: it boots the default image with no host step (console bytes
// through CardModel::take_console), and it shares the internal bus with the host port through
// the round-robin arbiter: a core that hammers the bus neither wedges nor starves the host, and
// the host does not starve the core.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "card_model.hpp"
#include "shoal/regs.hpp"

using shoal::sim::AxiResp;
using shoal::sim::CardModel;
namespace ctrl = shoal::regs::ctrl;
namespace core = shoal::regs::core;

namespace {

uint32_t rd(CardModel& m, uint32_t a) {
  uint32_t v = 0;
  REQUIRE(m.read32(a, v) == AxiResp::Okay);
  return v;
}
void wr(CardModel& m, uint32_t a, uint32_t v) { REQUIRE(m.write32(a, v) == AxiResp::Okay); }

// Hand-assembled RV32I: t0 = 0x4000_0000 (the card window; ctrl is at BAR0 0), then forever
// ctrl.SCRATCH += 1 (one bus read + one bus write per iteration).
std::vector<uint32_t> scratch_counter_program() {
  const uint32_t off = ctrl::kScratch;  // fits a 12-bit immediate
  const uint32_t lui_t0 = 0x400002b7u;  // lui  x5, 0x40000
  const uint32_t lw = (off << 20) | (5u << 15) | (2u << 12) | (6u << 7) | 0x03u;  // lw x6, off(x5)
  const uint32_t addi = (1u << 20) | (6u << 15) | (6u << 7) | 0x13u;             // addi x6, x6, 1
  const uint32_t sw = ((off >> 5) << 25) | (6u << 20) | (5u << 15) | (2u << 12) | ((off & 31u) << 7) |
                      0x23u;                                                     // sw x6, off(x5)
  const uint32_t j_back3 = 0xff5ff06fu;  // jal x0, -12
  return {lui_t0, lw, addi, sw, j_back3};
}

void download(CardModel& m, const std::vector<uint32_t>& words) {
  wr(m, core::kCtrl, 1);
  REQUIRE((rd(m, core::kStatus) & 1u) == 0);
  wr(m, core::kLoadAddr, rd(m, core::kIramBase));
  for (uint32_t w : words) wr(m, core::kLoadData, w);
  REQUIRE(rd(m, core::kLoadCount) == words.size());
  wr(m, core::kCtrl, 0);
}

}  // namespace

TEST_CASE("the card boots the default firmware and its console bytes reach the model", "[card][core]") {
  auto m = shoal::sim::make_card_model();
  std::string console;
  for (int i = 0; i < 3000 && console.find("stack unused") == std::string::npos; ++i) {
    m->step(1000);
    console += m->take_console();
  }
  INFO(console);
  CHECK(console.find("shoal fw: hello from hart 0, misa=40001100\n") != std::string::npos);
  // the firmware read ctrl.MAGIC through its bus master and the arbiter
  CHECK(console.find("card ctrl.MAGIC = 53484f4c") != std::string::npos);
  CHECK(console.find("stack unused") != std::string::npos);
  CHECK(m->take_console().empty());  // taken means gone
  CHECK(m->console_dropped() == 0);
  CHECK((rd(*m, core::kStatus) & 1u) == 1u);  // running
}

TEST_CASE("a core hammering the bus neither wedges nor starves the host, nor the host the core",
          "[card][core]") {
  auto m = shoal::sim::make_card_model();
  download(*m, scratch_counter_program());
  m->step(200);
  const uint32_t s0 = rd(*m, ctrl::kScratch);
  m->step(1000);
  const uint32_t s1 = rd(*m, ctrl::kScratch);
  REQUIRE(s1 - s0 > 20);  // the core is counting

  // The host reads back to back while the core keeps the bus busy: every read answers, and
  // quickly (round robin: at most one core transaction ahead of each host one).
  uint64_t worst = 0;
  const uint32_t a0 = rd(*m, ctrl::kScratch);
  for (int i = 0; i < 500; ++i) {
    const uint64_t c0 = m->cycle();
    REQUIRE(rd(*m, ctrl::kMagic) == 0x53484f4cu);  // "SHOL"
    worst = std::max(worst, m->cycle() - c0);
  }
  const uint32_t a1 = rd(*m, ctrl::kScratch);
  INFO("worst host read: " << worst << " cycles; core increments meanwhile: " << (a1 - a0));
  CHECK(worst <= 12);
  // ... and the core was not starved by the host: it kept counting, about once per host read
  CHECK(a1 - a0 >= 250);
  CHECK(rd(*m, ctrl::kBusErrCount) == 0);

  // The host still controls the core: reset stops the counting.
  wr(*m, core::kCtrl, 1);
  const uint32_t h0 = rd(*m, ctrl::kScratch);
  m->step(2000);
  CHECK(rd(*m, ctrl::kScratch) == h0);
  CHECK((rd(*m, core::kStatus) & 1u) == 0);
}
