// bench-drrm: DRRM latency figures measured on the Verilated RTL (checked in lock step against
// the HLS reference while measuring) and Yosys / nextpnr-ice40 figures for the block.
//
//   bench-drrm [--json FILE] [--no-synth]
//
// Prints a table; with --json writes the same figures as a JSON array of
// {name, value, unit, parameters}. See bench/drrm/README.md.
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "bench_report.hpp"
#include "drrm_dual.hpp"

using shoal::drrm_tb::Dual;
using shoal::sim::ProcessorPort;
namespace h = shoal::hls::drrm;

namespace {

shoal::bench::Report g_report("bench-drrm", 2);
bool g_ok = true;

void add(const std::string& name, double v, const std::string& unit, const std::string& params,
         bool valid = true) {
  g_report.add(name, valid ? std::optional<double>(v) : std::nullopt, unit, params);
}

std::string pk(unsigned p, unsigned k, const std::string& extra = "") {
  std::ostringstream os;
  os << "{\"P\": " << p << ", \"K\": " << k << ", \"V\": " << Dual::V;
  if (!extra.empty()) os << ", " << extra;
  os << "}";
  return os.str();
}

// One migration of the processors in `set` with the given drain delays. Returns cycles from the
// command's acceptance to resume_o, minus the quiesce time (first pause_o to the last
// processor's quiesced_i), and the same to the completion.
struct MigResult {
  std::uint64_t to_resume = 0, to_cpl = 0, quiesce = 0;
  bool ok = false;
};

MigResult migrate(Dual& d, std::uint64_t set, unsigned part, unsigned base_delay) {
  unsigned n = 0;
  for (unsigned p = 0; p < Dual::P; ++p) {
    if ((set >> p) & 1) d.procs[p].set_drain_delay(base_delay + (n++ % 4));
  }
  const bool single = n == 1;
  unsigned proc = 0;
  for (unsigned p = 0; p < Dual::P; ++p) {
    if ((set >> p) & 1) {
      proc = p;
      break;
    }
  }
  const std::uint64_t t = d.push(single ? Dual::cmd(h::kOpMigrate, 1, proc, part)
                                        : Dual::cmd(h::kOpMigrateSet, 1, 0, part, 0, 0, set));
  std::uint64_t pause_at = 0, quiesced_at = 0, resume_at = 0, cpl_at = 0;
  for (unsigned i = 0; i < 1000 && !cpl_at; ++i) {
    const auto& o = d.out();
    if (!pause_at && (o.pause.to_u64() & set) == set) pause_at = d.cycle;
    bool allq = true;
    for (unsigned p = 0; p < Dual::P; ++p) {
      if (((set >> p) & 1) && !d.procs[p].quiesced()) allq = false;
    }
    if (pause_at && !quiesced_at && allq) quiesced_at = d.cycle;
    if (!resume_at && (o.resume.to_u64() & set) == set) resume_at = d.cycle;
    if (o.cpl_valid) {
      cpl_at = d.cycle;
      d.in.cpl_ready = true;
    }
    d.tick();
    d.in.cpl_ready = false;
  }
  MigResult r;
  r.quiesce = quiesced_at - pause_at;
  r.to_resume = resume_at - t - r.quiesce;
  r.to_cpl = cpl_at - t - r.quiesce;
  r.ok = pause_at && quiesced_at && resume_at && cpl_at && d.ok();
  for (unsigned p = 0; p < Dual::P; ++p) {
    if (((set >> p) & 1) && d.out().part[p].to_u32() != part) r.ok = false;
  }
  return r;
}

void latency_figures() {
  Dual d;
  d.in.timeout = 1000;
  for (unsigned q : {1u, 5u, 50u}) {
    auto r = migrate(d, 1ull << 3, 1 + q % 7, q);
    if (!r.ok) g_ok = false;
    add("migrate_to_resume", static_cast<double>(r.to_resume), "cycles",
        pk(Dual::P, Dual::K, "\"processors\": 1, \"quiesce_cycles\": " + std::to_string(r.quiesce)),
        r.ok);
    add("migrate_to_completion", static_cast<double>(r.to_cpl), "cycles",
        pk(Dual::P, Dual::K, "\"processors\": 1, \"quiesce_cycles\": " + std::to_string(r.quiesce)),
        r.ok);
  }
  const std::uint64_t set8 = 0x8421'0000'0000'1248ull;  // 8 processors spread over the range
  for (unsigned q : {1u, 20u}) {
    auto r = migrate(d, set8, 9, q);
    if (!r.ok) g_ok = false;
    add("migrate_set8_to_resume", static_cast<double>(r.to_resume), "cycles",
        pk(Dual::P, Dual::K, "\"processors\": 8, \"quiesce_cycles\": " + std::to_string(r.quiesce)),
        r.ok);
    add("migrate_set8_to_completion", static_cast<double>(r.to_cpl), "cycles",
        pk(Dual::P, Dual::K, "\"processors\": 8, \"quiesce_cycles\": " + std::to_string(r.quiesce)),
        r.ok);
  }
  // address check: request in cycle c, answer visible in cycle c + latency; one per cycle
  d.run(Dual::cmd(h::kOpSetWindow, 2, 0, 0, 0, 3, (std::uint64_t{0x1000} << 32) | 0));
  const std::uint64_t c0 = d.cycle;
  d.in.chk_valid = true;
  d.in.chk_proc = 0;
  d.in.chk_addr = 0x10;
  d.tick();
  d.in.chk_valid = false;
  std::uint64_t lat = 0;
  for (unsigned i = 0; i < 10 && !lat; ++i) {
    if (d.out().chk_valid) lat = d.cycle - c0;
    else d.tick();
  }
  add("address_check_latency", static_cast<double>(lat), "cycles", pk(Dual::P, Dual::K),
      lat != 0 && d.out().chk_allow);
  unsigned answers = 0;
  d.in.chk_valid = true;
  for (unsigned i = 0; i < 1000; ++i) {
    d.tick();
    answers += d.out().chk_valid;
  }
  d.in.chk_valid = false;
  add("address_check_throughput", answers / 1000.0, "checks/cycle", pk(Dual::P, Dual::K));
  // interrupt delivery: raised in cycle c, delivered (irq_out_valid) in cycle c + latency
  const std::uint64_t i0 = d.cycle;
  d.irq(0);
  add("irq_delivery_latency", static_cast<double>(d.out().irq_out_valid ? d.cycle - i0 : 0),
      "cycles", pk(Dual::P, Dual::K), d.out().irq_out_valid);
  if (!d.ok()) {
    std::fprintf(stderr, "bench-drrm: RTL and reference disagree: %s\n", d.mismatch.c_str());
    g_ok = false;
  }
  // simulation speed of the lock-step pair (RTL + reference), for information
  Dual s;
  const std::uint64_t n = 200000;
  std::uint64_t x = 1;
  s.in.timeout = 20;
  const auto w0 = std::chrono::steady_clock::now();
  for (std::uint64_t i = 0; i < n; ++i) {
    x = x * 6364136223846793005ull + 1442695040888963407ull;
    s.in.cmd_valid = ((x >> 33) & 3) == 0;
    s.in.cmd = Dual::cmd(1 + ((x >> 40) % 6), 0, (x >> 20) % 64, (x >> 50) % 16, (x >> 8) % 256,
                         3, x);
    s.in.cpl_ready = true;
    s.in.chk_valid = (x >> 35) & 1;
    s.in.chk_proc = (x >> 12) % 64;
    s.in.irq_valid = (x >> 36) & 1;
    s.in.irq_vec = (x >> 44) % 256;
    s.tick();
  }
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - w0).count();
  add("lockstep_sim_speed", n / secs, "cycles/s", pk(Dual::P, Dual::K, "\"models\": \"RTL+HLS\""),
      s.ok());
  if (!s.ok()) g_ok = false;
}

struct SynthRun {
  bool ok = false;
  double luts = 0, ffs = 0, brams = 0, fmax = 0;
  bool have_fmax = false;
  long lc_used = -1, lc_avail = -1, io_used = -1, io_avail = -1;
};

// scripts/synth_check.py on `top` at P, K; with a device, also nextpnr-ice40 for Fmax.
SynthRun run_synth(const std::string& top, unsigned p, unsigned k, const std::string& device,
                   const std::string& package) {
  shoal::bench::SynthJob job;
  job.top = top;
  job.out = std::string(SHOAL_BENCH_SYNTH_DIR) + "/bench-drrm-" + top + "-P" + std::to_string(p) +
            "K" + std::to_string(k) + (device.empty() ? "" : "-" + device);
  job.yosys = SHOAL_YOSYS_BIN;
  job.params = {"P=" + std::to_string(p), "K=" + std::to_string(k)};
  if (!device.empty()) {
    job.nextpnr = true;
    job.nextpnr_bin = SHOAL_NEXTPNR_BIN;
    job.device = device;
    job.package = package;
  }
  job.sources = shoal::bench::split_list(SHOAL_DRRM_SOURCES);
  job.log = job.out + ".run.log";
  std::fprintf(stderr, "bench-drrm: %s at P=%u K=%u%s (log %s)...\n", top.c_str(), p, k,
               device.empty() ? "" : (" + nextpnr " + device).c_str(), job.log.c_str());
  const shoal::bench::SynthResult s = shoal::bench::run_synth(job);
  SynthRun r;
  r.ok = s.ran_ok && s.luts && s.ffs && s.brams;
  if (r.ok) {
    r.luts = *s.luts;
    r.ffs = *s.ffs;
    r.brams = *s.brams;
  }
  r.have_fmax = r.ok && s.fmax_mhz.has_value();
  if (r.have_fmax) r.fmax = *s.fmax_mhz;
  if (auto u = shoal::bench::pnr_utilisation(s.pnr_log, "ICESTORM_LC")) {
    r.lc_used = u->first;
    r.lc_avail = u->second;
  }
  if (auto u = shoal::bench::pnr_utilisation(s.pnr_log, "SB_IO")) {
    r.io_used = u->first;
    r.io_avail = u->second;
  }
  return r;
}

void synth_figures(unsigned p, unsigned k) {
  const std::string params = pk(p, k, "\"top\": \"drrm\"");
  // the block itself: cell counts
  const SynthRun b = run_synth("drrm", p, k, "", "");
  add("yosys_sb_lut4", b.luts, "cells", params, b.ok);
  add("yosys_dff", b.ffs, "cells", params, b.ok);
  add("yosys_bram", b.brams, "cells", params, b.ok);
  if (!b.ok) g_ok = false;
  // Fmax: the block has more ports than any iCE40 package has pins, so it is placed inside
  // drrm_fmax_shell (serial shift registers on every port). up5k has 5280 logic cells; when the
  // LUT count alone exceeds that, place-and-route cannot succeed and is not attempted.
  const std::string sp = pk(p, k, "\"top\": \"drrm_fmax_shell\", \"device\": \"up5k\"");
  if (b.ok && b.luts <= 5280) {
    const SynthRun u = run_synth("drrm_fmax_shell", p, k, "up5k", "sg48");
    add("nextpnr_fmax_up5k", u.fmax, "MHz", sp, u.have_fmax);
    if (u.lc_used >= 0) {
      add("up5k_logic_cells", static_cast<double>(u.lc_used), "cells",
          pk(p, k, "\"top\": \"drrm_fmax_shell\", \"available\": " +
                       std::to_string(u.lc_avail)));
    }
  } else {
    add("nextpnr_fmax_up5k", 0, "MHz", sp, false);
  }
  // the larger hx8k (7680 logic cells) when the block could fit it
  if (b.ok && b.luts <= 7680) {
    const SynthRun x = run_synth("drrm_fmax_shell", p, k, "hx8k", "ct256");
    add("nextpnr_fmax_hx8k", x.fmax, "MHz",
        pk(p, k, "\"top\": \"drrm_fmax_shell\", \"device\": \"hx8k\""), x.have_fmax);
    if (x.lc_used >= 0) {
      add("hx8k_logic_cells", static_cast<double>(x.lc_used), "cells",
          pk(p, k, "\"top\": \"drrm_fmax_shell\", \"available\": " +
                       std::to_string(x.lc_avail)));
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  std::string json;
  bool synth = true;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (shoal::bench::json_arg(argc, argv, i, json)) continue;
    if (a == "--no-synth") {
      synth = false;
    } else {
      std::fprintf(stderr, "usage: bench-drrm [--json FILE] [--no-synth]\n");
      return 2;
    }
  }
  latency_figures();
  if (synth) {
    synth_figures(Dual::P, Dual::K);
    synth_figures(16, 4);
  }
  g_report.print_table();
  if (!json.empty() && !g_report.write_json(json)) return 1;
  return g_ok ? 0 : 1;
}
