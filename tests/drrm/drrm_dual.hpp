// Lock-step harness: the Verilated drrm_core and the HLS reference (hls/drrm) driven by the
// same inputs, their outputs compared in every cycle (docs/drrm.md section 2). Used by the
// directed tests, the random equivalence test and the benchmark.
#pragma once

#include <cstdint>
#include <memory>
#include <sstream>
#include <string>
#include <type_traits>
#include <vector>

#include "Vdrrm_core.h"
#include "drrm/drrm_top.hpp"
#include "processor_model.hpp"
#include "verilated.h"

namespace shoal::drrm_tb {
using shoal::sim::ProcessorPort;

namespace h = shoal::hls::drrm;
using hls::UInt;

inline std::uint64_t mask_of(unsigned w) { return w >= 64 ? ~0ull : ((1ull << w) - 1); }

template <class T>
std::uint64_t sig_bits(const T& v, unsigned lsb, unsigned w) {
  if constexpr (std::is_integral_v<T>) {
    return (static_cast<std::uint64_t>(v) >> lsb) & mask_of(w);
  } else {
    std::uint64_t r = 0;
    for (unsigned i = 0; i < w; ++i) {
      const unsigned b = lsb + i;
      r |= static_cast<std::uint64_t>((v[b / 32] >> (b % 32)) & 1u) << i;
    }
    return r;
  }
}

class Dual {
 public:
  static constexpr unsigned P = h::kP;
  static constexpr unsigned K = h::kK;
  static constexpr unsigned V = h::kV;
  static constexpr unsigned KW = h::Cfg<P, K, V>::KW;
  using In = h::DefaultIn;
  using Out = h::DefaultOut;

  Dual() : ctx_(std::make_unique<VerilatedContext>()), rtl_(std::make_unique<Vdrrm_core>(ctx_.get())) {
    procs.assign(P, ProcessorPort(1));
    in.timeout = 1000;  // the TIMEOUT register's reset value
    reset();
  }

  void reset() {
    h::drrm_reset(s_);
    rtl_->clk_i = 0;
    rtl_->rst_ni = 1;
    drive_rtl();
    rtl_->eval();
    rtl_->rst_ni = 0;  // a falling edge: the registers' asynchronous reset
    rtl_->eval();
    rtl_->rst_ni = 1;
    rtl_->eval();
    h::outputs(s_, cur_);
    cycle = 0;
  }

  // Inputs for the next tick (the caller sets them; `quiesced` is overwritten by the models
  // when use_models is true).
  In in;
  std::vector<ProcessorPort> procs;
  bool use_models = true;
  std::uint64_t quiesced_xor = 0;  // noise on the models' quiesced outputs (random tests)
  std::uint64_t cycle = 0;
  std::string mismatch;  // the first difference seen between RTL and reference, if any

  // The block's outputs in the current cycle (identical in both; checked at every tick).
  const Out& out() const { return cur_; }
  bool ok() const { return mismatch.empty(); }
  const h::DefaultState& state() const { return s_; }
  // For tests that prove the comparison can fail: perturb the reference only.
  h::DefaultState& reference_state() { return s_; }

  // One clock cycle.
  void tick() {
    if (use_models) {
      UInt<P> q = 0;
      for (unsigned p = 0; p < P; ++p) q = q.with_bit(p, procs[p].quiesced());
      in.quiesced = q ^ UInt<P>(quiesced_xor);
    }
    drive_rtl();
    rtl_->clk_i = 0;
    rtl_->eval();
    Out o;
    h::drrm_top(s_, in, o);
    if (mismatch.empty()) compare(o);
    rtl_->clk_i = 1;
    rtl_->eval();
    if (use_models) {
      for (unsigned p = 0; p < P; ++p) {
        procs[p].clock(o.pause.bit(p), o.resume.bit(p), o.part[p].to_u32());
      }
    }
    ++cycle;
    h::outputs(s_, cur_);
  }

  // ---- conveniences for directed tests and the benchmark -------------------------------------
  static h::Cmd cmd(unsigned op, unsigned tag = 0, unsigned proc = 0, unsigned part = 0,
                    unsigned vec = 0, unsigned perm = 0, std::uint64_t data = 0) {
    h::Cmd c;
    c.op = op;
    c.tag = tag;
    c.proc = proc;
    c.part = part;
    c.vec = vec;
    c.perm = perm;
    c.data = data;
    return c;
  }

  // Push a command (waits for cmd_ready); returns the cycle it was accepted.
  std::uint64_t push(const h::Cmd& c, unsigned max_wait = 100000) {
    for (unsigned i = 0; i < max_wait && !cur_.cmd_ready; ++i) tick();
    const std::uint64_t at = cycle;
    in.cmd_valid = true;
    in.cmd = c;
    tick();
    in.cmd_valid = false;
    return at;
  }

  // Run until a completion is at the head, pop it and return it. valid=false on time-out.
  struct Done {
    bool valid = false;
    h::Cpl cpl;
    std::uint64_t cycle = 0;  // the cycle it was at the head
  };
  Done pop(unsigned max_wait = 100000) {
    Done d;
    for (unsigned i = 0; i < max_wait && !cur_.cpl_valid; ++i) tick();
    if (!cur_.cpl_valid) return d;
    d.valid = true;
    d.cpl = cur_.cpl;
    d.cycle = cycle;
    in.cpl_ready = true;
    tick();
    in.cpl_ready = false;
    return d;
  }
  Done run(const h::Cmd& c, unsigned max_wait = 100000) {
    push(c);
    return pop(max_wait);
  }

  // One address check; returns the answer (outputs of the following cycle stay in out()).
  bool check(unsigned proc, std::uint32_t addr, bool we) {
    in.chk_valid = true;
    in.chk_proc = proc;
    in.chk_addr = addr;
    in.chk_we = we;
    tick();
    in.chk_valid = false;
    return cur_.chk_valid && cur_.chk_allow;
  }

  // Raise one interrupt vector for one cycle.
  void irq(unsigned vec) {
    in.irq_valid = true;
    in.irq_vec = vec;
    tick();
    in.irq_valid = false;
  }

  Vdrrm_core& rtl() { return *rtl_; }

 private:
  void drive_rtl() {
    Vdrrm_core& r = *rtl_;
    r.cmd_valid_i = in.cmd_valid;
    r.cmd_op_i = in.cmd.op.to_u32();
    r.cmd_tag_i = in.cmd.tag.to_u32();
    r.cmd_proc_i = in.cmd.proc.to_u32();
    r.cmd_part_i = in.cmd.part.to_u32();
    r.cmd_vec_i = in.cmd.vec.to_u32();
    r.cmd_perm_i = in.cmd.perm.to_u32();
    r.cmd_data_i = in.cmd.data.to_u64();
    r.timeout_i = in.timeout.to_u32();
    r.cpl_ready_i = in.cpl_ready;
    r.quiesced_i = in.quiesced.to_u64();
    r.chk_valid_i = in.chk_valid;
    r.chk_proc_i = in.chk_proc.to_u32();
    r.chk_addr_i = in.chk_addr.to_u32();
    r.chk_we_i = in.chk_we;
    r.irq_valid_i = in.irq_valid;
    r.irq_vec_i = in.irq_vec.to_u32();
    r.rd_proc_i = 0;
    r.rd_part_i = 0;
    r.rd_vec_i = 0;
  }

  void field(const char* name, std::uint64_t hls, std::uint64_t rtl) {
    if (hls != rtl && mismatch.empty()) {
      std::ostringstream os;
      os << "cycle " << cycle << ": " << name << ": reference 0x" << std::hex << hls
         << ", RTL 0x" << rtl;
      mismatch = os.str();
    }
  }

  void compare(const Out& o) {
    const Vdrrm_core& r = *rtl_;
    field("cmd_ready", o.cmd_ready, r.cmd_ready_o);
    field("cpl_valid", o.cpl_valid, r.cpl_valid_o);
    if (o.cpl_valid) {
      field("cpl_tag", o.cpl.tag.to_u64(), r.cpl_tag_o);
      field("cpl_op", o.cpl.op.to_u64(), r.cpl_op_o);
      field("cpl_status", o.cpl.status.to_u64(), r.cpl_status_o);
      field("cpl_cycles", o.cpl.cycles.to_u64(), r.cpl_cycles_o);
    }
    field("busy", o.busy, r.busy_o);
    field("pause", o.pause.to_u64(), sig_bits(r.pause_o, 0, P));
    field("resume", o.resume.to_u64(), sig_bits(r.resume_o, 0, P));
    for (unsigned p = 0; p < P; ++p) {
      if (o.part[p].to_u64() != sig_bits(r.part_o, p * KW, KW)) {
        field("part", o.part[p].to_u64() | (std::uint64_t{p} << 32),
              sig_bits(r.part_o, p * KW, KW) | (std::uint64_t{p} << 32));
      }
    }
    field("chk_valid", o.chk_valid, r.chk_valid_o);
    field("chk_allow", o.chk_allow, r.chk_allow_o);
    field("irq_out_valid", o.irq_out_valid, r.irq_out_valid_o);
    field("irq_out_proc", o.irq_out_proc.to_u64(), r.irq_out_proc_o);
    field("irq_out_vec", o.irq_out_vec.to_u64(), r.irq_out_vec_o);
    field("evm_valid", o.evm_valid, r.evm_valid_o);
    field("evm_timeout", o.evm_timeout, r.evm_timeout_o);
    field("evm_op", o.evm_op.to_u64(), r.evm_op_o);
    field("evm_tag", o.evm_tag.to_u64(), r.evm_tag_o);
    field("evm_part", o.evm_part.to_u64(), r.evm_part_o);
    field("evm_mask", o.evm_mask.to_u64(), sig_bits(r.evm_mask_o, 0, P));
    field("evv_valid", o.evv_valid, r.evv_valid_o);
    field("evv_proc", o.evv_proc.to_u64(), r.evv_proc_o);
    field("evv_addr", o.evv_addr.to_u64(), r.evv_addr_o);
    field("evv_we", o.evv_we, r.evv_we_o);
    field("evv_reason", o.evv_reason.to_u64(), r.evv_reason_o);
    field("viol_count", o.viol_count.to_u64(), r.viol_count_o);
  }

  h::DefaultState s_;
  Out cur_;
  std::unique_ptr<VerilatedContext> ctx_;
  std::unique_ptr<Vdrrm_core> rtl_;
};

}  // namespace shoal::drrm_tb
