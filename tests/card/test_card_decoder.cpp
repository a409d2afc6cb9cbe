// shoal_bus_decoder on its own (Verilated separately): routing by the register map, refusals
// it answers itself, error reports for ctrl, and the timeout for a block that never answers.
#include <catch2/catch.hpp>

#include <memory>

#include <verilated.h>

#include "Vcard_decoder_tb.h"
#include "shoal/regs.hpp"

namespace {

class DecTb {
 public:
  DecTb() : ctx_(std::make_unique<VerilatedContext>()) {
    top = std::make_unique<Vcard_decoder_tb>(ctx_.get(), "dec");
    top->clk_i = 0;
    top->rst_ni = 0;
    top->eval();
    tick();
    top->rst_ni = 1;
    top->eval();
  }
  ~DecTb() { top->final(); }
  void tick() {
    top->clk_i = 1;
    top->eval();
    top->clk_i = 0;
    top->eval();
  }
  // Issue one request; `answer` is called every cycle after it to play the blocks.
  // Returns the number of cycles until m_ack_o (0 = no answer within `limit`).
  template <class F>
  unsigned request(bool we, uint32_t addr, F answer, unsigned limit = 400, bool from_core = false) {
    top->m_req_i = 1;
    top->m_core_i = from_core;
    top->m_we_i = we;
    top->m_addr_i = addr;
    top->m_wdata_i = 0x5A5A5A5A;
    top->m_wstrb_i = 0xF;
    top->eval();
    req_ctrl = top->ctrl_req_o;
    req_dtb = top->dtb_req_o;
    req_any = top->ctrl_req_o || top->dtb_req_o || top->core_req_o || top->drrm_req_o ||
              top->wmu_req_o || top->alloc_req_o || top->audit_req_o || top->queue_req_o;
    blk_core = top->blk_core_o;
    blk_addr = top->blk_addr_o;
    tick();
    top->m_req_i = 0;
    for (unsigned c = 1; c <= limit; ++c) {
      answer(c);
      top->eval();
      if (top->m_ack_o) {
        err = top->m_err_o;
        rdata = top->m_rdata_o;
        evt = top->err_evt_o;
        evt_addr = top->err_addr_o;
        evt_info = top->err_info_o;
        tick();
        quiet();
        return c;
      }
      tick();
    }
    return 0;
  }
  void quiet() {
    top->ctrl_ack_i = 0; top->ctrl_err_i = 0; top->ctrl_rdata_i = 0;
    top->dtb_ack_i = 0;  top->dtb_err_i = 0;  top->dtb_rdata_i = 0;
    top->eval();
  }
  std::unique_ptr<VerilatedContext> ctx_;
  std::unique_ptr<Vcard_decoder_tb> top;
  bool req_ctrl = false, req_dtb = false, req_any = false, blk_core = false, err = false,
       evt = false;
  uint32_t blk_addr = 0, rdata = 0, evt_addr = 0, evt_info = 0;
};

uint32_t info_bit(const char* field) {
  for (const auto& r : shoal::regs::kRegisters) {
    if (std::string(r.name) != "BUS_ERR_INFO") continue;
    for (std::size_t i = 0; i < r.num_fields; ++i) {
      if (std::string(r.fields[i].name) == field) return 1u << r.fields[i].lsb;
    }
  }
  return 0;
}

const auto kNone = [](unsigned) {};

}  // namespace

TEST_CASE("decoder routes ctrl and the DTB window with block offsets", "[card][decoder]") {
  DecTb tb;
  const uint32_t ctrl_reg = shoal::regs::ctrl::kBase + 0x10;
  auto ctrl_answers = [&](unsigned c) {
    if (c == 2) { tb.top->ctrl_ack_i = 1; tb.top->ctrl_rdata_i = 0xC0FFEE; }
  };
  REQUIRE(tb.request(false, ctrl_reg, ctrl_answers) == 2);
  REQUIRE(tb.req_ctrl);
  REQUIRE_FALSE(tb.req_dtb);
  REQUIRE(tb.blk_addr == 0x10);
  REQUIRE_FALSE(tb.err);
  REQUIRE(tb.rdata == 0xC0FFEE);
  REQUIRE_FALSE(tb.evt);

  const uint32_t dtb = shoal::regs::kWinDtbBase + 0x124;
  auto dtb_answers = [&](unsigned c) {
    if (c == 1) { tb.top->dtb_ack_i = 1; tb.top->dtb_rdata_i = 0xD7B; }
  };
  REQUIRE(tb.request(false, dtb, dtb_answers) == 1);
  REQUIRE(tb.req_dtb);
  REQUIRE_FALSE(tb.req_ctrl);
  REQUIRE(tb.blk_addr == 0x124);
  REQUIRE(tb.rdata == 0xD7B);
}

TEST_CASE("decoder refuses unmapped offsets and DTB writes itself", "[card][decoder]") {
  DecTb tb;
  for (const auto& b : shoal::regs::kBlocks) {
    if (b.present) continue;
    INFO("absent block " << b.name);
    REQUIRE(tb.request(false, b.base, kNone) == 1);
    REQUIRE_FALSE(tb.req_ctrl);
    REQUIRE_FALSE(tb.req_dtb);
    REQUIRE(tb.err);
    REQUIRE(tb.rdata == 0);
    REQUIRE(tb.evt);
    REQUIRE(tb.evt_addr == b.base);
    REQUIRE(tb.evt_info == info_bit("unmapped"));
  }
  const uint32_t dtb = shoal::regs::kWinDtbBase + 8;
  REQUIRE(tb.request(true, dtb, kNone) == 1);
  REQUIRE_FALSE(tb.req_dtb);
  REQUIRE(tb.err);
  REQUIRE(tb.evt);
  REQUIRE(tb.evt_addr == dtb);
  REQUIRE(tb.evt_info == (info_bit("write") | info_bit("readonly")));
}

TEST_CASE("decoder keeps host writes off the firmware-driven blocks", "[card][decoder]") {
  DecTb tb;
  unsigned fw_blocks = 0;
  for (const auto& b : shoal::regs::kBlocks) {
    if (!b.present) continue;
    INFO("block " << b.name);
    const uint32_t a = b.base + 4;
    // a read from the host reaches the block (here nobody answers: timed out, not refused)
    REQUIRE(tb.request(false, a, kNone, 400, false) > 1);
    REQUIRE(tb.req_any);
    REQUIRE_FALSE(tb.blk_core);
    // a write from the soft core reaches it, with the origin on the block bus
    REQUIRE(tb.request(true, a, kNone, 400, true) > 1);
    REQUIRE(tb.req_any);
    REQUIRE(tb.blk_core);
    REQUIRE(tb.evt_info == (info_bit("write") | info_bit("core")));  // the timeout's report
    // a write from the host: forwarded only to host-writable blocks
    const unsigned c = tb.request(true, a, kNone, 400, false);
    if (b.host_write) {
      REQUIRE(c > 1);
      REQUIRE(tb.req_any);
    } else {
      ++fw_blocks;
      REQUIRE(c == 1);
      REQUIRE_FALSE(tb.req_any);
      REQUIRE(tb.err);
      REQUIRE(tb.evt);
      REQUIRE(tb.evt_addr == a);
      REQUIRE(tb.evt_info == (info_bit("write") | info_bit("fwonly")));
    }
  }
  REQUIRE(fw_blocks == 3);
}

TEST_CASE("decoder reports block refusals except ctrl's own", "[card][decoder]") {
  DecTb tb;
  // ctrl refuses: passed through, no report (ctrl records it itself)
  REQUIRE(tb.request(true, shoal::regs::ctrl::kBase, [&](unsigned c) {
            if (c == 1) { tb.top->ctrl_ack_i = 1; tb.top->ctrl_err_i = 1; }
          }) == 1);
  REQUIRE(tb.err);
  REQUIRE_FALSE(tb.evt);
  // the DTB ROM refuses: reported
  REQUIRE(tb.request(false, shoal::regs::kWinDtbBase, [&](unsigned c) {
            if (c == 1) { tb.top->dtb_ack_i = 1; tb.top->dtb_err_i = 1; tb.top->dtb_rdata_i = 7; }
          }) == 1);
  REQUIRE(tb.err);
  REQUIRE(tb.rdata == 0);  // refused reads return 0
  REQUIRE(tb.evt);
  REQUIRE(tb.evt_addr == shoal::regs::kWinDtbBase);
}

TEST_CASE("decoder answers a block that never answers, and drops its late answer",
          "[card][decoder]") {
  DecTb tb;
  const unsigned n = tb.request(false, shoal::regs::ctrl::kBase, kNone);
  REQUIRE(n > 1);
  REQUIRE(n <= 256);
  REQUIRE(tb.err);
  REQUIRE(tb.evt);
  // the late answer arrives with nothing in flight: it must not show up as an answer
  tb.top->ctrl_ack_i = 1;
  tb.top->eval();
  REQUIRE_FALSE(tb.top->m_ack_o);
  tb.tick();
  tb.quiet();
  // and the next request works normally
  REQUIRE(tb.request(false, shoal::regs::ctrl::kBase, [&](unsigned c) {
            if (c == 1) { tb.top->ctrl_ack_i = 1; tb.top->ctrl_rdata_i = 1; }
          }) == 1);
  REQUIRE_FALSE(tb.err);
  REQUIRE(tb.rdata == 1);
}
