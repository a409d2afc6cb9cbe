// shoal::sim::CardModel, the API the co-simulation server and benchmarks use: clocking,
// transactions, interrupts, trace files and errors.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <stdexcept>
#include <string>

#include "card_model.hpp"
#include "shoal/regs.hpp"

using shoal::sim::AxiResp;
using shoal::sim::CardModelOptions;
using shoal::sim::make_card_model;

namespace {
uint32_t addr_of(const char* name) {
  for (const auto& r : shoal::regs::kRegisters) {
    if (std::string(r.block) == "ctrl" && std::string(r.name) == name) return r.addr;
  }
  throw std::runtime_error(name);
}
}  // namespace

TEST_CASE("card model: clock, reset and register access", "[card][model]") {
  auto m = make_card_model();
  REQUIRE(m->cycle() == 8);  // make_card_model resets for 8 cycles
  m->step(100);
  REQUIRE(m->cycle() == 108);
  uint32_t v = 0;
  REQUIRE(m->read32(addr_of("ID"), v) == AxiResp::Okay);
  REQUIRE(v == ((uint32_t{shoal::regs::ctrl::kBlockId} << 16) | shoal::regs::ctrl::kBlockVersion));
  REQUIRE(m->cycle() > 108);
  REQUIRE(m->write32(addr_of("SCRATCH"), 0x600DCAFE) == AxiResp::Okay);
  REQUIRE(m->read32(addr_of("SCRATCH"), v) == AxiResp::Okay);
  REQUIRE(v == 0x600DCAFE);
  REQUIRE(m->write32(addr_of("SCRATCH"), 0xFFFFFFFF, 0x1) == AxiResp::Okay);
  REQUIRE(m->read32(addr_of("SCRATCH"), v) == AxiResp::Okay);
  REQUIRE(v == 0x600DCAFF);
  REQUIRE(m->write32(addr_of("MAGIC"), 0) == AxiResp::SlvErr);
  REQUIRE(m->read32(0xFFFFC, v) == AxiResp::SlvErr);
  // outside BAR0: the card is not touched
  const uint64_t c = m->cycle();
  REQUIRE(m->read32(shoal::regs::kBar0Size, v) == AxiResp::DecErr);
  REQUIRE(m->write32(shoal::regs::kBar0Size + 4, 1) == AxiResp::DecErr);
  REQUIRE(m->cycle() == c);
  // the cycle counter register follows the model's clock
  uint32_t lo1 = 0, lo2 = 0;
  REQUIRE(m->read32(addr_of("CYCLE_LO"), lo1) == AxiResp::Okay);
  m->step(1000);
  REQUIRE(m->read32(addr_of("CYCLE_LO"), lo2) == AxiResp::Okay);
  REQUIRE(lo2 - lo1 > 1000);
  // reset returns the registers
  m->reset();
  REQUIRE(m->read32(addr_of("SCRATCH"), v) == AxiResp::Okay);
  REQUIRE(v == 0);
  REQUIRE(std::string(shoal::sim::to_string(AxiResp::SlvErr)) == "SLVERR");
}

TEST_CASE("card model: irq() follows IRQ_PENDING", "[card][model]") {
  auto m = make_card_model();
  REQUIRE(m->irq() == 0);
  REQUIRE(m->write32(addr_of("IRQ_ENABLE"), 0x1) == AxiResp::Okay);
  REQUIRE(m->write32(addr_of("IRQ_TEST"), 0x1) == AxiResp::Okay);
  REQUIRE(m->irq() == 0x1);
  REQUIRE(m->write32(addr_of("IRQ_STATUS"), 0x1) == AxiResp::Okay);
  REQUIRE(m->irq() == 0);
}

TEST_CASE("card model: traced build writes an FST file", "[card][model]") {
  const auto path = std::filesystem::temp_directory_path() /
                    ("shoal-card-model-" + std::to_string(::getpid()) + ".fst");
  std::filesystem::remove(path);
  {
    auto m = make_card_model(CardModelOptions{path.string()});
    uint32_t v = 0;
    REQUIRE(m->read32(addr_of("MAGIC"), v) == AxiResp::Okay);
    REQUIRE(v == shoal::regs::kRegisters[1].reset);
    m->step(50);
  }
  REQUIRE(std::filesystem::exists(path));
  REQUIRE(std::filesystem::file_size(path) > 100);
  std::filesystem::remove(path);
}

TEST_CASE("card model: an unwritable trace path is a clear error", "[card][model]") {
  try {
    make_card_model(CardModelOptions{"/nonexistent-dir/for/shoal/x.fst"});
    FAIL("no exception");
  } catch (const std::runtime_error& e) {
    REQUIRE(std::string(e.what()).find("/nonexistent-dir/for/shoal/x.fst") != std::string::npos);
  }
}
