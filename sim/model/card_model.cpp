// The Verilated card behind shoal::sim::CardModel. One template drives both Verilated builds
// (fast: Vshoal_card_fast, traced: Vshoal_card_trace); they share port names.
#include "card_model.hpp"

#include <array>
#include <cstdio>
#include <deque>
#include <stdexcept>
#include <string>
#include <type_traits>

#include <verilated.h>
#include <verilated_fst_c.h>

#include "Vshoal_card_fast.h"
#include "Vshoal_card_trace.h"
#include "shoal/regs.hpp"

namespace shoal::sim {
namespace {

constexpr uint32_t kBar0Bytes = 1u << 20;  // the card's AXI address is 20 bits
constexpr unsigned kP = shoal::regs::param::num_processors;
constexpr unsigned kK = shoal::regs::param::num_partitions;
constexpr unsigned kV = shoal::regs::param::num_irq_vectors;
static_assert(kP >= 2 && kP <= 64, "the card model keeps processor masks in 64 bits");
constexpr unsigned clog2(unsigned v) {
  unsigned r = 0;
  while ((1u << r) < v) ++r;
  return r;
}
constexpr unsigned kKW = clog2(kK);
constexpr unsigned kVW = clog2(kV);
constexpr unsigned kCheckTimeout = 64;  // cycles the address check may take

// Verilator keeps a port of up to 64 bits in an integer and a wider one in a VlWide.
template <class T>
uint64_t port_u64(const T& v) {
  if constexpr (std::is_integral_v<T>) {
    return static_cast<uint64_t>(v);
  } else {
    return static_cast<uint64_t>(v[0]) | (static_cast<uint64_t>(v[1]) << 32);
  }
}
template <class T>
uint32_t port_field(const T& v, unsigned lsb, unsigned width) {
  if constexpr (std::is_integral_v<T>) {
    return static_cast<uint32_t>((static_cast<uint64_t>(v) >> lsb) & ((uint64_t{1} << width) - 1));
  } else if (lsb / 32 == (lsb + width - 1) / 32 && width < 32) {
    return (v[lsb / 32] >> (lsb % 32)) & ((1u << width) - 1);
  }
  uint32_t out = 0;
  for (unsigned b = 0; b < width; ++b) {
    const unsigned i = lsb + b;
    bool bit;
    if constexpr (std::is_integral_v<T>) bit = (static_cast<uint64_t>(v) >> i) & 1u;
    else bit = (v[i / 32] >> (i % 32)) & 1u;
    out |= static_cast<uint32_t>(bit) << b;
  }
  return out;
}

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
    procs_.assign(kP, ProcessorPort(ProcessorConfig{}.drain_cycles));
    cfg_.assign(kP, ProcessorConfig{});
    work_.assign(kP, Workload{});
    status_.assign(kP, ProcessorStatus{});
    top_->chk_valid_i = 0;
    top_->dev_irq_valid_i = 0;
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

  unsigned num_processors() const override { return kP; }

  void set_processor(unsigned p, const ProcessorConfig& cfg) override {
    check_proc(p);
    cfg_[p] = cfg;
    procs_[p].set_drain_delay(cfg.drain_cycles);
    work_[p].set_duty(cfg.duty_pct);
    work_[p].set_mem(cfg.mem_pct);
    work_[p].set_io(cfg.io_pct);
  }
  ProcessorConfig processor_config(unsigned p) const override {
    check_proc(p);
    return cfg_[p];
  }
  void set_workload_trace(std::shared_ptr<const UtilTrace> trace, uint64_t cycles_per_step) override {
    if (trace && cycles_per_step == 0)
      throw std::invalid_argument("card model: a trace step must last at least one cycle");
    trace_ = std::move(trace);
    trace_step_cycles_ = cycles_per_step;
    trace_row_ = ~std::size_t{0};
    if (!trace_) {
      for (unsigned p = 0; p < kP; ++p) work_[p].set_duty(cfg_[p].duty_pct);
    }
  }
  ProcessorStatus processor(unsigned p) const override {
    check_proc(p);
    ProcessorStatus st = status_[p];
    st.quiesced = procs_[p].quiesced();
    st.pauses = procs_[p].pauses();
    st.resumes = procs_[p].resumes();
    st.partition_changes = procs_[p].partition_changes();
    st.partition = port_field(top_->proc_part_o, p * kKW, kKW);
    st.online = (port_u64(top_->proc_online_o) >> p) & 1u;
    return st;
  }

  bool check_access(unsigned proc, uint32_t addr, bool write) override {
    top_->chk_valid_i = 1;
    top_->chk_proc_i = proc & 0xFFu;
    top_->chk_addr_i = addr;
    top_->chk_we_i = write;
    for (unsigned n = 0; n < kCheckTimeout; ++n) {
      tick();
      top_->chk_valid_i = 0;
      top_->eval();
      if (top_->chk_valid_o) return top_->chk_allow_o;
    }
    throw std::runtime_error("shoal card model: no address-check answer within " +
                             std::to_string(kCheckTimeout) + " cycles");
  }

  void raise_device_irq(uint32_t vec) override {
    if (vec >= kV)
      throw std::out_of_range("card model: interrupt vector " + std::to_string(vec) +
                              " out of range (the card routes " + std::to_string(kV) + ")");
    irq_queue_.push_back(vec);
  }

  std::vector<CardEvent> take_events() override {
    std::vector<CardEvent> out(events_.begin(), events_.end());
    events_.clear();
    return out;
  }
  uint64_t events_dropped() const override { return events_dropped_; }

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

  void check_proc(unsigned p) const {
    if (p >= kP)
      throw std::out_of_range("card model: processor " + std::to_string(p) +
                              " out of range (the card has " + std::to_string(kP) + ")");
  }

  void push_event(const CardEvent& e) {
    if (events_.size() < kEventKeep) events_.push_back(e);
    else ++events_dropped_;
  }

  // The processors' side of the cycle: drive their answers (registered: from what they saw in
  // earlier cycles) and the pending device interrupt, before the rising edge.
  void drive_processors() {
    if (trace_) {
      const std::size_t row = static_cast<std::size_t>((cycle_ / trace_step_cycles_) % trace_->steps());
      if (row != trace_row_) {
        trace_row_ = row;
        for (unsigned p = 0; p < kP; ++p) work_[p].set_duty(trace_->at(row, p % trace_->series()));
      }
    }
    uint64_t q = 0, busy = 0, mem = 0, io = 0;
    const uint64_t online = port_u64(top_->proc_online_o);
    for (unsigned p = 0; p < kP; ++p) {
      const bool quiesced = procs_[p].quiesced();
      const bool running = !quiesced && ((online >> p) & 1u);
      const Telemetry t = work_[p].clock(running);
      q |= uint64_t{quiesced} << p;
      busy |= uint64_t{t.busy} << p;
      mem |= uint64_t{t.mem} << p;
      io |= uint64_t{t.io} << p;
      status_[p].busy_cycles += t.busy;
    }
    top_->proc_quiesced_i = q;
    top_->proc_busy_i = busy;
    top_->proc_mem_i = mem;
    top_->proc_io_i = io;
    if (!irq_queue_.empty()) {
      top_->dev_irq_valid_i = 1;
      top_->dev_irq_vec_i = irq_queue_.front();
      irq_queue_.pop_front();
    } else {
      top_->dev_irq_valid_i = 0;
    }
  }

  // One clock cycle: rising edge (inputs set before it are sampled), then falling edge.
  void tick() {
    drive_processors();
    // the card's outputs in this cycle: registered, so the new inputs do not change them and
    // they are read without another eval (each eval runs the input-dependent logic)
    const uint64_t pause = port_u64(top_->proc_pause_o);
    const uint64_t resume = port_u64(top_->proc_resume_o);
    std::array<uint32_t, kP> part{};
    for (unsigned p = 0; p < kP; ++p) part[p] = port_field(top_->proc_part_o, p * kKW, kKW);
    if (top_->proc_irq_valid_o) {
      const unsigned p = top_->proc_irq_proc_o;
      if (p < kP) {
        ++status_[p].irqs;
        status_[p].last_irq_vec = top_->proc_irq_vec_o;
      }
    }
    if (top_->evm_valid_o) {
      CardEvent e{CardEvent::Kind::Migration, cycle_};
      e.op = top_->evm_op_o;
      e.tag = top_->evm_tag_o;
      e.part = top_->evm_part_o;
      e.timeout = top_->evm_timeout_o;
      e.mask = port_u64(top_->evm_mask_o);
      push_event(e);
    }
    if (top_->evv_valid_o) {
      CardEvent e{CardEvent::Kind::Violation, cycle_};
      e.proc = top_->evv_proc_o;
      e.addr = top_->evv_addr_o;
      e.we = top_->evv_we_o;
      e.reason = top_->evv_reason_o;
      push_event(e);
    }
    if (top_->alloc_ev_valid_o) {  // a beat the card's audit log took
      CardEvent e{CardEvent::Kind::Alloc, cycle_};
      e.word = top_->alloc_ev_o;
      push_event(e);
    }
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
    for (unsigned p = 0; p < kP; ++p) procs_[p].clock((pause >> p) & 1u, (resume >> p) & 1u, part[p]);
  }

  std::unique_ptr<VerilatedContext> ctx_;
  std::unique_ptr<Top> top_;
  std::unique_ptr<VerilatedFstC> tfp_;
  uint64_t cycle_ = 0;
  uint64_t time_ = 0;
  std::string console_;
  uint64_t console_dropped_ = 0;
  // processors
  std::vector<ProcessorPort> procs_;
  std::vector<ProcessorConfig> cfg_;
  std::vector<Workload> work_;
  std::vector<ProcessorStatus> status_;
  std::shared_ptr<const UtilTrace> trace_;
  uint64_t trace_step_cycles_ = 1;
  std::size_t trace_row_ = ~std::size_t{0};
  std::deque<uint32_t> irq_queue_;
  std::deque<CardEvent> events_;
  uint64_t events_dropped_ = 0;
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
