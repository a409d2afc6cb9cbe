// bench-wmu: WMU latencies (measured on the Verilated block over the internal bus) and
// synthesis figures (Yosys SB_LUT4/DFF/BRAM, nextpnr-ice40 Fmax on up5k) for P=64/K=16 and
// P=16/K=4. Prints a table; --json FILE writes the same figures as
// [{"name", "value", "unit", "parameters"}]. See bench/wmu/README.md.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

// Verilator's runtime headers are not -Wextra clean.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-parameter"
#include "Vwmu_c.h"
#include "Vwmu_s.h"
#pragma GCC diagnostic pop
#include "shoal/regs.h"
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-parameter"
#include "verilated.h"
#pragma GCC diagnostic pop
#include "wmu/wmu.hpp"

#include "bench_report.hpp"

namespace {

// Drives one Verilated block: telemetry (processor p in partition p % K, all busy or all idle)
// and back-to-back bus reads.
template <class V, unsigned P, unsigned K>
class Block {
 public:
  Block() {
    v_->reg_req_i = 0;
    v_->reg_we_i = 0;
    v_->reg_wstrb_i = 0xF;
    std::vector<uint32_t> busy((P + 31) / 32, 0), part((P * kPW + 31) / 32, 0);
    for (unsigned p = 0; p < P; ++p) {
      busy[p / 32] |= 1u << (p % 32);
      for (unsigned b = 0; b < kPW; ++b) {
        if (((p % K) >> b) & 1) part[(p * kPW + b) / 32] |= 1u << ((p * kPW + b) % 32);
      }
    }
    all_ = busy;
    put(v_->busy_i, std::vector<uint32_t>((P + 31) / 32, 0));
    put(v_->assigned_i, busy);
    put(v_->part_i, part);
    put(v_->mem_i, std::vector<uint32_t>((P + 31) / 32, 0));
    put(v_->io_i, std::vector<uint32_t>((P + 31) / 32, 0));
    v_->clk_i = 0;
    v_->rst_ni = 0;
    v_->eval();
    v_->rst_ni = 1;
    v_->eval();
  }

  // Issue a request in this cycle; returns the response seen after the edge.
  uint32_t cycle_with(bool req, bool we, uint32_t addr, uint32_t wdata, bool* err = nullptr) {
    v_->reg_req_i = req;
    v_->reg_we_i = we;
    v_->reg_addr_i = addr - SHOAL_WMU_BASE;
    v_->reg_wdata_i = wdata;
    v_->clk_i = 0;
    v_->eval();
    v_->clk_i = 1;
    v_->eval();
    ++now_;
    v_->reg_req_i = 0;
    if (err) *err = v_->reg_err_o;
    return v_->reg_rdata_o;
  }
  void write(uint32_t addr, uint32_t data) {
    bool err = false;
    cycle_with(true, true, addr, data, &err);
    if (err) {
      std::cerr << "bench-wmu: write to " << std::hex << addr << " refused\n";
      std::exit(1);
    }
  }
  bool irq() const { return v_->irq_o; }
  void set_busy(bool b) { put(v_->busy_i, b ? all_ : std::vector<uint32_t>(all_.size(), 0)); }
  uint64_t now() const { return now_; }

  static constexpr unsigned kPW = shoal::hls::wmu::Wmu<P, K>::kPW;

 private:
  template <class T>
  static void put(T& port, const std::vector<uint32_t>& w) {
    if constexpr (std::is_integral_v<T>) {
      uint64_t x = w[0];
      if (w.size() > 1) x |= uint64_t{w[1]} << 32;
      port = static_cast<T>(x);
    } else {
      for (size_t i = 0; i < w.size(); ++i) port[i] = w[i];
    }
  }
  std::unique_ptr<VerilatedContext> ctx_ = std::make_unique<VerilatedContext>();
  std::unique_ptr<V> v_ = std::make_unique<V>(ctx_.get());
  uint64_t now_ = 0;
  std::vector<uint32_t> all_;
};

struct Latency {
  uint64_t sample = 0, irq = 0;
};

// Window end -> sample of partition k readable over the bus, and -> irq_o, in cycles. The window
// end t0 is the last cycle of the window: the first cycle whose SEQ read shows the new count is
// t0 + 1. From then on EWMA[k] is read every cycle; the first request whose response carries
// the new sequence number is the cycle the sample became visible.
template <class V, unsigned P, unsigned K>
Latency measure(unsigned k) {
  Block<V, P, K> b;
  const uint32_t W = shoal::hls::wmu::Wmu<P, K>::kWinMin + 100;
  b.write(SHOAL_WMU_WINDOW_ADDR, W);
  b.write(SHOAL_WMU_ALPHA_ADDR, 0);
  b.write(SHOAL_WMU_HI_ADDR_N(k), 0x8000);  // every processor is busy: U = 0xFFFF crosses
  b.write(SHOAL_WMU_IRQ_EN_ADDR, 1u << k);
  b.write(SHOAL_WMU_CTRL_ADDR, 1);
  // window 0 idle (no crossing); window 1 all busy: its sample crosses HI
  uint32_t seq = 0;
  for (int i = 0; i < 10 * static_cast<int>(W) && seq < 1; ++i) {
    seq = b.cycle_with(true, false, SHOAL_WMU_SEQ_ADDR, 0);
  }
  b.set_busy(true);
  if (b.irq()) {
    std::cerr << "bench-wmu: unexpected interrupt before the measured window\n";
    std::exit(1);
  }
  uint64_t t1 = 0;
  for (int i = 0; i < 10 * static_cast<int>(W); ++i) {
    const uint64_t c = b.now();  // the request is issued in cycle c
    const uint32_t s = b.cycle_with(true, false, SHOAL_WMU_SEQ_ADDR, 0);
    if (s == seq + 1) {
      t1 = c;
      break;
    }
  }
  const uint64_t t0 = t1 - 1;
  Latency l;
  for (int i = 0; i < 100000 && (l.sample == 0 || l.irq == 0); ++i) {
    const uint64_t c = b.now();
    const bool irq_before = b.irq();
    const uint32_t e = b.cycle_with(true, false, SHOAL_WMU_EWMA_ADDR_N(k), 0);
    if (l.irq == 0 && irq_before) l.irq = c - t0;
    if (l.sample == 0 && (e >> 16) == (seq & 0xFFFF)) l.sample = c - t0;
  }
  return l;
}

struct Synth {
  std::optional<double> luts, ffs, brams, fmax;
  std::optional<double> lc_used, lc_avail, io_used, io_avail;  // from nextpnr's report
  bool ok = false;
};

// reuse: read the outputs of an earlier synth_check run instead of running it again
Synth synthesize(unsigned p, unsigned k, const std::string& out_dir, bool reuse) {
  shoal::bench::SynthJob job;
  job.top = "wmu";
  job.out = out_dir + "/bench-wmu-p" + std::to_string(p) + "-k" + std::to_string(k);
  job.yosys = SHOAL_YOSYS_BIN;
  job.params = {"P=" + std::to_string(p), "K=" + std::to_string(k)};
  job.nextpnr = true;
  job.device = "up5k";
  job.package = "sg48";
  job.sources = {SHOAL_REGS_PKG, std::string(SHOAL_SOURCE_DIR) + "/rtl/wmu/wmu_core.sv",
                 std::string(SHOAL_SOURCE_DIR) + "/rtl/wmu/wmu.sv"};
  shoal::bench::SynthResult r;
  Synth s;
  if (reuse) {
    std::cerr << "bench-wmu: reading the results of an earlier run: " << job.out << ".*\n";
    r = shoal::bench::read_synth(job.out);
    s.ok = true;
  } else {
    std::cerr << "bench-wmu: " << job.command() << "\n";
    r = shoal::bench::run_synth(job);
    s.ok = r.ran_ok;
  }
  if (auto u = shoal::bench::pnr_utilisation(r.pnr_log, "ICESTORM_LC")) {
    s.lc_used = double(u->first);
    s.lc_avail = double(u->second);
  }
  if (auto u = shoal::bench::pnr_utilisation(r.pnr_log, "SB_IO")) {
    s.io_used = double(u->first);
    s.io_avail = double(u->second);
  }
  s.luts = r.luts;
  s.ffs = r.ffs;
  s.brams = r.brams;
  s.fmax = r.fmax_mhz;
  return s;
}

std::string params(unsigned p, unsigned k, const std::string& extra = "") {
  return "{\"P\": " + std::to_string(p) + ", \"K\": " + std::to_string(k) + extra + "}";
}

}  // namespace

int main(int argc, char** argv) {
  std::string json_path, out_dir = SHOAL_BENCH_OUT_DIR;
  bool synth = true, reuse = false;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (shoal::bench::json_arg(argc, argv, i, json_path)) continue;
    if (a == "--no-synth") {
      synth = false;
    } else if (a == "--reuse-synth") {
      reuse = true;
    } else if (a == "--out-dir" && i + 1 < argc) {
      out_dir = argv[++i];
    } else {
      std::cerr << "usage: bench-wmu [--json FILE] [--no-synth] [--reuse-synth] [--out-dir DIR]\n";
      return a == "--help" || a == "-h" ? 0 : 2;
    }
  }

  shoal::bench::Report report("bench-wmu", 1);
  auto lat = [&](unsigned p, unsigned k, unsigned part, Latency l) {
    const std::string pr = params(p, k, ", \"partition\": " + std::to_string(part));
    report.add("window_end_to_sample_visible", double(l.sample), "cycles", pr);
    report.add("window_end_to_threshold_irq", double(l.irq), "cycles", pr);
  };
  lat(64, 16, 0, measure<Vwmu_c, 64, 16>(0));
  lat(64, 16, 15, measure<Vwmu_c, 64, 16>(15));
  lat(16, 4, 0, measure<Vwmu_s, 16, 4>(0));
  lat(16, 4, 3, measure<Vwmu_s, 16, 4>(3));

  if (synth) {
    for (auto [p, k] : {std::pair{64u, 16u}, std::pair{16u, 4u}}) {
      const Synth s = synthesize(p, k, out_dir, reuse);
      const std::string pr = params(p, k, ", \"device\": \"up5k\"");
      if (s.luts) report.add("yosys_sb_lut4", *s.luts, "cells", pr);
      if (s.ffs) report.add("yosys_dff", *s.ffs, "cells", pr);
      if (s.brams) report.add("yosys_bram", *s.brams, "cells", pr);
      if (s.fmax) {
        report.add("nextpnr_fmax", *s.fmax, "MHz", pr);
      } else if (s.luts) {
        // honest: no Fmax when the design does not place and route on the device
        report.add("nextpnr_fits", 0, "bool", pr);
      }
      if (s.lc_used) report.add("nextpnr_icestorm_lc_needed", *s.lc_used, "cells", pr);
      if (s.lc_avail) report.add("nextpnr_icestorm_lc_available", *s.lc_avail, "cells", pr);
      if (s.io_used) report.add("nextpnr_sb_io_needed", *s.io_used, "pins", pr);
      if (s.io_avail) report.add("nextpnr_sb_io_available", *s.io_avail, "pins", pr);
      if (!s.ok) std::cerr << "bench-wmu: synthesis at P=" << p << " K=" << k << " failed\n";
    }
  }

  report.print_table();
  if (!json_path.empty() && !report.write_json(json_path)) return 1;
  return 0;
}
