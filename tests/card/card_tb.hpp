// Cycle-level testbench over the fast Verilated card (Vshoal_card_fast from shoal_card_model):
// pins are driven directly, clock() advances one cycle and records every AXI handshake, and a
// protocol checker flags a B/R response that drops or changes while it is not accepted.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <stdexcept>
#include <string>

#include <verilated.h>

#include "Vshoal_card_fast.h"
#include "Vshoal_card_fast___024root.h"
#include "shoal/regs.h"
#include "shoal/regs.hpp"

namespace shoal::test {

inline constexpr uint8_t kOkay = 0;
inline constexpr uint8_t kSlvErr = 2;

struct Beat {
  uint32_t data;
  uint8_t resp;
  uint64_t cycle;  // cycle of the handshake
};

class CardTb {
 public:
  // kHoldCore: hold the soft core in reset (core.CTRL.reset) right after the card reset, long
  // before its firmware's first card access, so a test of the register map sees only its own
  // accesses (the running firmware drives the allocation blocks on its own).
  enum Core { kRunCore, kHoldCore };
  explicit CardTb(Core core = kRunCore) : ctx_(std::make_unique<VerilatedContext>()) {
    ctx_->randReset(0);
    top_ = std::make_unique<Vshoal_card_fast>(ctx_.get(), "tb");
    idle();
    top_->clk_i = 0;
    reset();
    if (core == kHoldCore) write(shoal::regs::core::kCtrl, SHOAL_CORE_CTRL_RESET_MASK);
  }
  ~CardTb() { top_->final(); }
  CardTb(const CardTb&) = delete;
  CardTb& operator=(const CardTb&) = delete;

  Vshoal_card_fast& pins() { return *top_; }
  uint64_t cycles() const { return cycle_; }

  void idle() {
    auto& p = *top_;
    p.s_axil_awaddr_i = 0; p.s_axil_awprot_i = 0; p.s_axil_awvalid_i = 0;
    p.s_axil_wdata_i = 0;  p.s_axil_wstrb_i = 0;  p.s_axil_wvalid_i = 0;
    p.s_axil_bready_i = 0;
    p.s_axil_araddr_i = 0; p.s_axil_arprot_i = 0; p.s_axil_arvalid_i = 0;
    p.s_axil_rready_i = 0;
  }

  void reset(unsigned n = 4) {
    top_->rst_ni = 0;
    top_->eval();
    for (unsigned i = 0; i < n; ++i) tick();
    top_->rst_ni = 1;
    top_->eval();
    bq.clear();
    rq.clear();
  }

  // The card's free-running cycle counter (public in the RTL so tests can preload it).
  uint64_t counter() const { return top_->rootp->shoal_card__DOT__u_ctrl__DOT__cycle_q; }
  void set_counter(uint64_t v) {
    top_->rootp->shoal_card__DOT__u_ctrl__DOT__cycle_q = v;
    top_->eval();
  }

  // BUS_ERR_COUNT's register (public too, to test saturation).
  void set_bus_err_count(uint32_t v) {
    top_->rootp->shoal_card__DOT__u_ctrl__DOT__err_count_q = v;
    top_->eval();
  }

  // One clock cycle with the inputs as set now; valids whose handshake happened are dropped.
  void clock() {
    auto& p = *top_;
    p.eval();
    const bool aw = p.s_axil_awvalid_i && p.s_axil_awready_o;
    const bool w = p.s_axil_wvalid_i && p.s_axil_wready_o;
    const bool ar = p.s_axil_arvalid_i && p.s_axil_arready_o;
    const bool b = p.s_axil_bvalid_o && p.s_axil_bready_i;
    const bool r = p.s_axil_rvalid_o && p.s_axil_rready_i;
    // a response offered and not taken must still be there, unchanged, next cycle
    if (b_held_ && (!p.s_axil_bvalid_o || p.s_axil_bresp_o != held_bresp_)) ++violations;
    if (r_held_ && (!p.s_axil_rvalid_o || p.s_axil_rresp_o != held_rresp_ ||
                    p.s_axil_rdata_o != held_rdata_)) ++violations;
    b_held_ = p.s_axil_bvalid_o && !p.s_axil_bready_i;
    r_held_ = p.s_axil_rvalid_o && !p.s_axil_rready_i;
    held_bresp_ = p.s_axil_bresp_o;
    held_rresp_ = p.s_axil_rresp_o;
    held_rdata_ = p.s_axil_rdata_o;
    if (b) bq.push_back({0, static_cast<uint8_t>(p.s_axil_bresp_o), cycle_});
    if (r) rq.push_back({p.s_axil_rdata_o, static_cast<uint8_t>(p.s_axil_rresp_o), cycle_});
    aw_count += aw;
    w_count += w;
    ar_count += ar;
    tick();
    if (aw) p.s_axil_awvalid_i = 0;
    if (w) p.s_axil_wvalid_i = 0;
    if (ar) p.s_axil_arvalid_i = 0;
    p.eval();
  }

  void run(unsigned n) {
    for (unsigned i = 0; i < n; ++i) clock();
  }

  // Blocking single transactions (AW and W together, ready always high). They drop any
  // responses still queued from earlier pin-level traffic.
  uint8_t write(uint32_t addr, uint32_t data, uint8_t strb = 0xF) {
    auto& p = *top_;
    bq.clear();
    p.s_axil_awaddr_i = addr; p.s_axil_awvalid_i = 1;
    p.s_axil_wdata_i = data;  p.s_axil_wstrb_i = strb; p.s_axil_wvalid_i = 1;
    p.s_axil_bready_i = 1;
    const Beat beat = wait_beat(bq, "write", addr);
    p.s_axil_bready_i = 0;
    return beat.resp;
  }
  uint8_t read(uint32_t addr, uint32_t& data) {
    auto& p = *top_;
    rq.clear();
    p.s_axil_araddr_i = addr; p.s_axil_arvalid_i = 1;
    p.s_axil_rready_i = 1;
    const Beat beat = wait_beat(rq, "read", addr);
    p.s_axil_rready_i = 0;
    data = beat.data;
    return beat.resp;
  }
  uint32_t rd(uint32_t addr) {  // a read that must succeed
    uint32_t v = 0;
    if (read(addr, v) != kOkay) throw std::runtime_error("read of " + std::to_string(addr) +
                                                         " refused");
    return v;
  }

  std::deque<Beat> bq, rq;  // accepted responses, oldest first
  uint64_t aw_count = 0, w_count = 0, ar_count = 0;
  unsigned violations = 0;

 private:
  Beat wait_beat(std::deque<Beat>& q, const char* what, uint32_t addr) {
    for (int i = 0; i < 1000 && q.empty(); ++i) clock();
    if (q.empty()) {
      throw std::runtime_error(std::string("no AXI ") + what + " response for " +
                               std::to_string(addr));
    }
    Beat b = q.front();
    q.pop_front();
    return b;
  }
  void tick() {
    top_->clk_i = 1;
    top_->eval();
    top_->clk_i = 0;
    top_->eval();
    ++cycle_;
  }

  std::unique_ptr<VerilatedContext> ctx_;
  std::unique_ptr<Vshoal_card_fast> top_;
  uint64_t cycle_ = 0;
  bool b_held_ = false, r_held_ = false;
  uint8_t held_bresp_ = 0, held_rresp_ = 0;
  uint32_t held_rdata_ = 0;
};

// Registers of the blocks built into this card.
inline bool present(const regs::RegInfo& r) {
  for (const auto& b : regs::kBlocks) {
    if (std::string(b.name) == r.block) return b.present;
  }
  return false;
}

// Registers the host may write (their block has host_write = true in the register map).
inline bool host_writable(const regs::RegInfo& r) {
  for (const auto& b : regs::kBlocks) {
    if (std::string(b.name) == r.block) return b.host_write;
  }
  return false;
}

inline const regs::RegInfo& reg(const char* block, const char* name) {
  for (const auto& r : regs::kRegisters) {
    if (std::string(r.block) == block && std::string(r.name) == name) return r;
  }
  throw std::runtime_error(std::string("no register ") + block + "." + name);
}

}  // namespace shoal::test
