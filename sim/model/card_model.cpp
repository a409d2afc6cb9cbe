// The Verilated card behind shoal::sim::CardModel. One template drives both Verilated builds
// (fast: Vshoal_card_fast, traced: Vshoal_card_trace); they share port names.
#include "card_model.hpp"

#include <cstdio>
#include <stdexcept>
#include <string>

#include <verilated.h>
#include <verilated_fst_c.h>

#include "Vshoal_card_fast.h"
#include "Vshoal_card_trace.h"

namespace shoal::sim {
namespace {

constexpr uint32_t kBar0Bytes = 1u << 20;  // the card's AXI address is 20 bits

std::string hex(uint32_t v) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "0x%05x", v);
  return buf;
}

template <class Top, bool kTraced>
class VerilatedCard final : public CardModel {
 public:
  explicit VerilatedCard(const CardModelOptions& opts) : ctx_(std::make_unique<VerilatedContext>()) {
    ctx_->randReset(0);
    if constexpr (kTraced) ctx_->traceEverOn(true);
    top_ = std::make_unique<Top>(ctx_.get(), "card");
    if constexpr (kTraced) {
      tfp_ = std::make_unique<VerilatedFstC>();
      top_->trace(tfp_.get(), 99);
      tfp_->open(opts.trace_path.c_str());
      if (!tfp_->isOpen()) {
        throw std::runtime_error("shoal card model: cannot open trace file '" +
                                 opts.trace_path + "'");
      }
    }
    idle();
    top_->clk_i = 0;
    top_->rst_ni = 1;
    top_->eval();
    dump();
  }

  ~VerilatedCard() override {
    top_->final();
    if constexpr (kTraced) tfp_->close();
  }

  void reset(unsigned cycles) override {
    idle();
    top_->rst_ni = 0;
    top_->eval();
    for (unsigned i = 0; i < (cycles ? cycles : 1); ++i) tick();
    top_->rst_ni = 1;
    top_->eval();
  }

  void step(uint64_t cycles) override {
    for (uint64_t i = 0; i < cycles; ++i) tick();
  }

  uint64_t cycle() const override { return cycle_; }

  uint32_t irq() const override { return static_cast<uint32_t>(top_->irq_o); }

  std::string take_console() override {
    std::string out;
    out.swap(console_);
    return out;
  }
  uint64_t console_dropped() const override { return console_dropped_; }

  AxiResp read32(uint32_t addr, uint32_t& data) override {
    data = 0;
    if (addr >= kBar0Bytes) return AxiResp::DecErr;
    top_->s_axil_araddr_i = addr;
    top_->s_axil_arvalid_i = 1;
    top_->s_axil_rready_i = 1;
    for (unsigned n = 0; n < kAxiTimeoutCycles; ++n) {
      top_->eval();
      const bool ar_hs = top_->s_axil_arvalid_i && top_->s_axil_arready_o;
      const bool r_hs = top_->s_axil_rvalid_o && top_->s_axil_rready_i;
      const uint32_t rdata = top_->s_axil_rdata_o;
      const auto resp = static_cast<AxiResp>(top_->s_axil_rresp_o & 3);
      tick();
      if (ar_hs) top_->s_axil_arvalid_i = 0;
      if (r_hs) {
        top_->s_axil_rready_i = 0;
        top_->eval();
        data = rdata;
        return resp;
      }
    }
    idle();
    throw std::runtime_error("shoal card model: no AXI read response for offset " + hex(addr) +
                             " within " + std::to_string(kAxiTimeoutCycles) +
                             " cycles; the card is wedged (reset it)");
  }

  AxiResp write32(uint32_t addr, uint32_t data, uint8_t wstrb) override {
    if (addr >= kBar0Bytes) return AxiResp::DecErr;
    top_->s_axil_awaddr_i = addr;
    top_->s_axil_awvalid_i = 1;
    top_->s_axil_wdata_i = data;
    top_->s_axil_wstrb_i = wstrb & 0xF;
    top_->s_axil_wvalid_i = 1;
    top_->s_axil_bready_i = 1;
    for (unsigned n = 0; n < kAxiTimeoutCycles; ++n) {
      top_->eval();
      const bool aw_hs = top_->s_axil_awvalid_i && top_->s_axil_awready_o;
      const bool w_hs = top_->s_axil_wvalid_i && top_->s_axil_wready_o;
      const bool b_hs = top_->s_axil_bvalid_o && top_->s_axil_bready_i;
      const auto resp = static_cast<AxiResp>(top_->s_axil_bresp_o & 3);
      tick();
      if (aw_hs) top_->s_axil_awvalid_i = 0;
      if (w_hs) top_->s_axil_wvalid_i = 0;
      if (b_hs) {
        top_->s_axil_bready_i = 0;
        top_->eval();
        return resp;
      }
    }
    idle();
    throw std::runtime_error("shoal card model: no AXI write response for offset " + hex(addr) +
                             " within " + std::to_string(kAxiTimeoutCycles) +
                             " cycles; the card is wedged (reset it)");
  }

 private:
  void idle() {
    top_->s_axil_awaddr_i = 0;
    top_->s_axil_awprot_i = 0;
    top_->s_axil_awvalid_i = 0;
    top_->s_axil_wdata_i = 0;
    top_->s_axil_wstrb_i = 0;
    top_->s_axil_wvalid_i = 0;
    top_->s_axil_bready_i = 0;
    top_->s_axil_araddr_i = 0;
    top_->s_axil_arprot_i = 0;
    top_->s_axil_arvalid_i = 0;
    top_->s_axil_rready_i = 0;
  }

  void dump() {
    if constexpr (kTraced) tfp_->dump(time_);
  }

  // One clock cycle: rising edge (inputs set before it are sampled), then falling edge.
  void tick() {
    top_->clk_i = 1;
    top_->eval();
    // console_valid_o is a registered one-cycle pulse: seen once, right after its edge
    if (top_->console_valid_o) [[unlikely]] {
      if (console_.size() < kConsoleKeepBytes)
        console_.push_back(static_cast<char>(top_->console_data_o));
      else
        ++console_dropped_;
    }
    time_ += 5;
    dump();
    top_->clk_i = 0;
    top_->eval();
    time_ += 5;
    dump();
    ++cycle_;
  }

  std::unique_ptr<VerilatedContext> ctx_;
  std::unique_ptr<Top> top_;
  std::unique_ptr<VerilatedFstC> tfp_;
  uint64_t cycle_ = 0;
  uint64_t time_ = 0;
  std::string console_;
  uint64_t console_dropped_ = 0;
};

}  // namespace

std::unique_ptr<CardModel> make_card_model(const CardModelOptions& opts) {
  std::unique_ptr<CardModel> m;
  if (opts.trace_path.empty()) {
    m = std::make_unique<VerilatedCard<Vshoal_card_fast, false>>(opts);
  } else {
    m = std::make_unique<VerilatedCard<Vshoal_card_trace, true>>(opts);
  }
  m->reset(8);
  return m;
}

const char* to_string(AxiResp r) {
  switch (r) {
    case AxiResp::Okay: return "OKAY";
    case AxiResp::ExOkay: return "EXOKAY";
    case AxiResp::SlvErr: return "SLVERR";
    case AxiResp::DecErr: return "DECERR";
  }
  return "?";
}

}  // namespace shoal::sim
