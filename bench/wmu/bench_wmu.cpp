// bench-wmu: WMU latencies (measured on the Verilated block over the internal bus) and
// synthesis figures (Yosys SB_LUT4/DFF/BRAM, nextpnr-ice40 Fmax on up5k) for P=64/K=16 and
// P=16/K=4. Prints a table; --json FILE writes the same figures as
// [{"name", "value", "unit", "parameters"}]. See bench/wmu/README.md.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <regex>
#include <sstream>
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

namespace {

struct Figure {
  std::string name;
  double value;
  std::string unit;
  std::string params;  // JSON object text
};

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

std::optional<double> json_num(const std::string& text, const std::string& key) {
  const std::regex re("\"" + key + "\":\\s*([0-9.]+)");
  std::smatch m;
  if (std::regex_search(text, m, re)) return std::stod(m[1]);
  return std::nullopt;
}

std::string slurp(const std::string& path) {
  std::ifstream f(path);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

// "ICESTORM_LC:  9087/ 5280" in nextpnr's device-utilisation report
void pnr_util(const std::string& log, const std::string& bel, std::optional<double>& used,
              std::optional<double>& avail) {
  const std::regex re(bel + ":\\s+([0-9]+)/\\s*([0-9]+)");
  std::smatch m;
  if (std::regex_search(log, m, re)) {
    used = std::stod(m[1]);
    avail = std::stod(m[2]);
  }
}

// reuse: read the outputs of an earlier synth_check run instead of running it again
Synth synthesize(unsigned p, unsigned k, const std::string& out_dir, bool reuse) {
  const std::string out = out_dir + "/bench-wmu-p" + std::to_string(p) + "-k" + std::to_string(k);
  std::ostringstream cmd;
  cmd << SHOAL_PYTHON << " " << SHOAL_SOURCE_DIR << "/scripts/synth_check.py --yosys "
      << SHOAL_YOSYS_BIN << " --top wmu --out " << out << " --params P=" << p << " K=" << k
      << " --nextpnr --device up5k --package sg48 -- " << SHOAL_REGS_PKG << " "
      << SHOAL_SOURCE_DIR << "/rtl/wmu/wmu_core.sv " << SHOAL_SOURCE_DIR << "/rtl/wmu/wmu.sv";
  Synth s;
  if (reuse) {
    std::cerr << "bench-wmu: reading the results of an earlier run: " << out << ".*\n";
    s.ok = true;
  } else {
    std::cerr << "bench-wmu: " << cmd.str() << "\n";
    s.ok = std::system(cmd.str().c_str()) == 0;
  }
  const std::string text = slurp(out + ".json");
  pnr_util(slurp(out + ".pnr.log"), "ICESTORM_LC", s.lc_used, s.lc_avail);
  pnr_util(slurp(out + ".pnr.log"), "SB_IO", s.io_used, s.io_avail);
  s.luts = json_num(text, "luts");
  s.ffs = json_num(text, "ffs");
  s.brams = json_num(text, "brams");
  s.fmax = json_num(text, "fmax_mhz");
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
    if (a == "--json" && i + 1 < argc) {
      json_path = argv[++i];
    } else if (a == "--no-synth") {
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

  std::vector<Figure> figs;
  auto lat = [&](unsigned p, unsigned k, unsigned part, Latency l) {
    const std::string pr = params(p, k, ", \"partition\": " + std::to_string(part));
    figs.push_back({"window_end_to_sample_visible", double(l.sample), "cycles", pr});
    figs.push_back({"window_end_to_threshold_irq", double(l.irq), "cycles", pr});
  };
  lat(64, 16, 0, measure<Vwmu_c, 64, 16>(0));
  lat(64, 16, 15, measure<Vwmu_c, 64, 16>(15));
  lat(16, 4, 0, measure<Vwmu_s, 16, 4>(0));
  lat(16, 4, 3, measure<Vwmu_s, 16, 4>(3));

  if (synth) {
    for (auto [p, k] : {std::pair{64u, 16u}, std::pair{16u, 4u}}) {
      const Synth s = synthesize(p, k, out_dir, reuse);
      const std::string pr = params(p, k, ", \"device\": \"up5k\"");
      if (s.luts) figs.push_back({"yosys_sb_lut4", *s.luts, "cells", pr});
      if (s.ffs) figs.push_back({"yosys_dff", *s.ffs, "cells", pr});
      if (s.brams) figs.push_back({"yosys_bram", *s.brams, "cells", pr});
      if (s.fmax) {
        figs.push_back({"nextpnr_fmax", *s.fmax, "MHz", pr});
      } else if (s.luts) {
        // honest: no Fmax when the design does not place and route on the device
        figs.push_back({"nextpnr_fits", 0, "bool", pr});
      }
      if (s.lc_used) figs.push_back({"nextpnr_icestorm_lc_needed", *s.lc_used, "cells", pr});
      if (s.lc_avail) figs.push_back({"nextpnr_icestorm_lc_available", *s.lc_avail, "cells", pr});
      if (s.io_used) figs.push_back({"nextpnr_sb_io_needed", *s.io_used, "pins", pr});
      if (s.io_avail) figs.push_back({"nextpnr_sb_io_available", *s.io_avail, "pins", pr});
      if (!s.ok) std::cerr << "bench-wmu: synthesis at P=" << p << " K=" << k << " failed\n";
    }
  }

  std::printf("%-32s %12s  %-7s %s\n", "figure", "value", "unit", "parameters");
  for (const auto& f : figs) {
    std::printf("%-32s %12.1f  %-7s %s\n", f.name.c_str(), f.value, f.unit.c_str(),
                f.params.c_str());
  }
  if (!json_path.empty()) {
    std::ofstream o(json_path);
    o << "[\n";
    for (size_t i = 0; i < figs.size(); ++i) {
      const auto& f = figs[i];
      o << "  {\"name\": \"" << f.name << "\", \"value\": " << f.value << ", \"unit\": \""
        << f.unit << "\", \"parameters\": " << f.params << "}" << (i + 1 < figs.size() ? "," : "")
        << "\n";
    }
    o << "]\n";
    if (!o) {
      std::cerr << "bench-wmu: cannot write " << json_path << "\n";
      return 1;
    }
  }
  return 0;
}
