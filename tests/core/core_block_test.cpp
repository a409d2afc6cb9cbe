// shoal_core_block (the core register block + core complex, as shoal_card instantiates it):
// boots the build-time default firmware from $readmemh without any host step, then the host
// path: hold the core in reset, download an ELF through LOAD_ADDR / LOAD_DATA, refused
// downloads (outside the RAMs, partial strobes, core running) change nothing, release, run.
#include <catch2/catch.hpp>

#include <cstring>
#include <map>
#include <string>

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-parameter"
#include "Vshoal_core_block.h"
#include "verilated.h"
#pragma GCC diagnostic pop
#include "core_sim.hpp"
#include "shoal/regs.h"

namespace {

struct Block {
  Vshoal_core_block top;
  std::string console;
  uint64_t cycles = 0;
  Block() {
    top.clk_i = 0;
    top.rst_ni = 0;
    top.reg_req_i = 0;
    top.mst_ack_i = 0;
    top.irq_src_i = 0;
    top.eval();
    top.rst_ni = 1;
    top.eval();
  }
  void tick() {
    top.clk_i = 1;
    top.eval();
    if (top.console_valid_o) console.push_back(char(top.console_data_o));
    // card bus: answer every master request the next cycle with 0 (a bare card)
    top.mst_ack_i = top.mst_req_o;
    top.mst_rdata_i = 0;
    top.mst_err_i = 0;
    top.clk_i = 0;
    top.eval();
    ++cycles;
  }
  // one register access; returns false on an error response
  bool access(bool we, uint32_t off, uint32_t& data, uint8_t strb = 0xF) {
    top.reg_req_i = 1;
    top.reg_we_i = we;
    top.reg_addr_i = off;
    top.reg_wdata_i = data;
    top.reg_wstrb_i = strb;
    tick();
    top.reg_req_i = 0;
    for (int i = 0; i < 16 && !top.reg_ack_o; ++i) tick();
    REQUIRE(top.reg_ack_o);
    bool ok = !top.reg_err_o;
    if (!we) data = top.reg_rdata_o;
    tick();
    return ok;
  }
  bool wr(uint32_t off, uint32_t v, uint8_t strb = 0xF) { return access(true, off, v, strb); }
  uint32_t rd(uint32_t off) {
    uint32_t v = 0;
    REQUIRE(access(false, off, v));
    return v;
  }
  bool run_until(const char* text, uint64_t max) {
    for (uint64_t i = 0; i < max; ++i) {
      tick();
      if (console.find(text) != std::string::npos) return true;
    }
    return false;
  }
};

}  // namespace

TEST_CASE("core block boots the default image and takes a host download", "[core]") {
  auto blk = std::make_unique<Block>();
  Block& b = *blk;
  REQUIRE(b.rd(SHOAL_CORE_ID_OFFSET) == SHOAL_CORE_ID_RESET);
  REQUIRE(b.rd(SHOAL_CORE_IRAM_BYTES_OFFSET) == SHOAL_CORE_IRAM_BYTES_RESET);
  REQUIRE(b.rd(SHOAL_CORE_DRAM_BASE_OFFSET) == SHOAL_CORE_DRAM_BASE_RESET);

  // 1. the default image runs from reset ($readmemh), no host step
  REQUIRE(b.run_until("3 timer ticks", 200000));
  REQUIRE(b.console.find("shoal fw: hello from hart 0") != std::string::npos);
  REQUIRE((b.rd(SHOAL_CORE_STATUS_OFFSET) & SHOAL_CORE_STATUS_RUNNING_MASK) != 0);

  // 2. downloads are refused while the core runs, and to read-only registers
  REQUIRE(b.wr(SHOAL_CORE_LOAD_ADDR_OFFSET, SHOAL_CORE_IRAM_BASE_RESET));
  REQUIRE_FALSE(b.wr(SHOAL_CORE_LOAD_DATA_OFFSET, 0x13));
  REQUIRE(b.rd(SHOAL_CORE_LOAD_ADDR_OFFSET) == SHOAL_CORE_IRAM_BASE_RESET);
  REQUIRE_FALSE(b.wr(SHOAL_CORE_IRAM_BYTES_OFFSET, 1));
  REQUIRE_FALSE(b.wr(0x3FFC, 1));

  // 3. hold the core in reset, download the test ELF (the platform ISA test prints too)
  REQUIRE(b.wr(SHOAL_CORE_CTRL_OFFSET, 1));
  b.tick();
  b.tick();
  REQUIRE((b.rd(SHOAL_CORE_STATUS_OFFSET) & SHOAL_CORE_STATUS_RUNNING_MASK) == 0);
  REQUIRE(b.rd(SHOAL_CORE_LOAD_COUNT_OFFSET) == 0);
  // refused: outside both RAMs, misaligned, partial strobes
  REQUIRE(b.wr(SHOAL_CORE_LOAD_ADDR_OFFSET, 0x10));
  REQUIRE_FALSE(b.wr(SHOAL_CORE_LOAD_DATA_OFFSET, 1));
  REQUIRE(b.wr(SHOAL_CORE_LOAD_ADDR_OFFSET, SHOAL_CORE_DRAM_BASE_RESET + SHOAL_CORE_DRAM_BYTES_RESET));
  REQUIRE_FALSE(b.wr(SHOAL_CORE_LOAD_DATA_OFFSET, 1));
  REQUIRE(b.wr(SHOAL_CORE_LOAD_ADDR_OFFSET, SHOAL_CORE_IRAM_BASE_RESET + 2));
  REQUIRE_FALSE(b.wr(SHOAL_CORE_LOAD_DATA_OFFSET, 1));
  REQUIRE(b.wr(SHOAL_CORE_LOAD_ADDR_OFFSET, SHOAL_CORE_IRAM_BASE_RESET));
  REQUIRE_FALSE(b.wr(SHOAL_CORE_LOAD_DATA_OFFSET, 1, 0x3));
  REQUIRE(b.rd(SHOAL_CORE_LOAD_COUNT_OFFSET) == 0);

  shoal::coresim::ElfImage img;
  REQUIRE(shoal::coresim::load_elf(SHOAL_CORE_TEST_ELF, img).empty());
  uint32_t words = 0;
  for (const auto& s : img.segments) {
    REQUIRE(b.wr(SHOAL_CORE_LOAD_ADDR_OFFSET, s.addr));
    for (size_t i = 0; i < s.bytes.size(); i += 4) {
      uint32_t w = 0;
      for (size_t k = 0; k < 4 && i + k < s.bytes.size(); ++k) w |= uint32_t(s.bytes[i + k]) << (8 * k);
      REQUIRE(b.wr(SHOAL_CORE_LOAD_DATA_OFFSET, w));
      ++words;
    }
  }
  REQUIRE(b.rd(SHOAL_CORE_LOAD_COUNT_OFFSET) == words);

  // 4. release: the downloaded program runs and prints
  b.console.clear();
  REQUIRE(b.wr(SHOAL_CORE_CTRL_OFFSET, 0));
  REQUIRE(b.run_until(SHOAL_CORE_TEST_TEXT, 200000));

  // 5. doorbells: set, read back, clear
  REQUIRE(b.wr(SHOAL_CORE_DOORBELL_SET_OFFSET, 0x5));
  REQUIRE(b.rd(SHOAL_CORE_DOORBELL_OFFSET) == 0x5);
  REQUIRE(b.wr(SHOAL_CORE_DOORBELL_OFFSET, 0x1));
  REQUIRE(b.rd(SHOAL_CORE_DOORBELL_OFFSET) == 0x4);
}
