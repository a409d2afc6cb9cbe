// bench-core: figures for the Shoal soft core (bench/core/README.md).
//
//   bench-core [--json FILE] [--no-synth] [--no-pnr]
//
// CPI of our own workloads on the Verilated core complex (mcycle / minstret around each
// kernel), Verilator simulation speed (core cycles per wall-clock second, trace off), and
// Yosys synth_ice40 resources plus nextpnr-ice40 Fmax for the core alone and the core complex.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "bench_report.hpp"
#include "core_sim.hpp"

using namespace shoal::coresim;

namespace {

using shoal::bench::json_string;

bool run_workload(const std::string& elf, uint32_t& cycles, uint32_t& instret, uint32_t& check,
                  uint64_t& total_cycles, double& seconds) {
  ElfImage img;
  std::string err = load_elf(elf, img);
  if (!err.empty()) {
    std::fprintf(stderr, "bench-core: %s\n", err.c_str());
    return false;
  }
  auto it = img.symbols.find("bench_result");
  if (it == img.symbols.end()) {
    std::fprintf(stderr, "bench-core: %s has no bench_result\n", elf.c_str());
    return false;
  }
  CoreSim sim;
  sim.load(img);
  auto t0 = std::chrono::steady_clock::now();
  RunResult r = sim.run(50'000'000);
  auto t1 = std::chrono::steady_clock::now();
  if (r != RunResult::Pass) {
    std::fprintf(stderr, "bench-core: %s did not finish\n", elf.c_str());
    return false;
  }
  cycles = sim.read_word(it->second);
  instret = sim.read_word(it->second + 4);
  check = sim.read_word(it->second + 8);
  total_cycles = sim.cycles();
  seconds = std::chrono::duration<double>(t1 - t0).count();
  return true;
}

// scripts/synth_check.py on `top` (summary and messages in OUT.summary); with pnr, nextpnr too
bool synth(const std::string& top, const std::string& sources, const std::string& params,
           const std::string& device, const std::string& package, bool pnr, double& luts,
           double& ffs, double& brams, double& fmax) {
  shoal::bench::SynthJob job;
  job.top = top;
  job.out = std::string(SHOAL_BENCH_SYNTH_DIR) + "/" + top + "-" + device;
  job.sources = shoal::bench::split_list(sources);
  job.params = shoal::bench::split_list(params);
  job.nextpnr = pnr;
  job.device = pnr ? device : "";
  job.package = pnr ? package : "";
  job.log = job.out + ".summary";
  const shoal::bench::SynthResult r = shoal::bench::run_synth(job);
  if (!r.ran_ok) {
    std::fprintf(stderr, "bench-core: synthesis of %s failed (%s.log)\n", top.c_str(),
                 job.out.c_str());
    return false;
  }
  luts = r.luts.value_or(-1);
  ffs = r.ffs.value_or(-1);
  brams = r.brams.value_or(-1);
  fmax = r.fmax_mhz.value_or(-1);
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  std::string json;
  bool do_synth = true, do_pnr = true;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (shoal::bench::json_arg(argc, argv, i, json)) continue;
    if (a == "--no-synth") do_synth = false;
    else if (a == "--no-pnr") do_pnr = false;
    else {
      std::printf("usage: bench-core [--json FILE] [--no-synth] [--no-pnr]\n");
      return a == "-h" || a == "--help" ? 0 : 2;
    }
  }
  shoal::bench::Report report("bench-core", 3);
  const char* workloads[] = {"intloop", "memcpy", "sort", "muldiv"};
  uint64_t sim_cycles = 0;
  double sim_seconds = 0;
  for (const char* w : workloads) {
    std::string elf = std::string(SHOAL_BENCH_ELF_DIR) + "/" + w + ".elf";
    uint32_t c = 0, n = 0, chk = 0;
    uint64_t tc = 0;
    double s = 0;
    if (!run_workload(elf, c, n, chk, tc, s)) return 1;
    sim_cycles += tc;
    sim_seconds += s;
    std::string p = "{\"workload\": " + json_string(w) + ", \"cycles\": " + std::to_string(c) +
                    ", \"instructions\": " + std::to_string(n) + ", \"fast_mul\": true}";
    report.add(std::string("cpi_") + w, n ? double(c) / n : 0, "cycles/instruction", p);
  }
  // simulation speed: one long run of the integer loop repeated
  report.add("verilator_speed", sim_seconds > 0 ? sim_cycles / sim_seconds : 0, "cycles/s",
             "{\"model\": \"shoal_core_complex\", \"trace\": false, \"cycles\": " +
                 std::to_string(sim_cycles) + "}");

  if (do_synth) {
    // resources from the plain small-FPGA tops; Fmax from timing harnesses that put the ports
    // behind registers (the bare tops have more ports than a 48-pin package has pins)
    // (the small-FPGA configuration is set by parameters on the plain tops; the harnesses
    // instantiate the same configuration)
    struct Target {
      const char* top; const char* fmax_top; const char* what; const char* plain_sources;
      const char* params; const char* sources;
    };
    const Target targets[] = {
        {"shoal_core", "shoal_core_fmax_ice40", "core", SHOAL_CORE_PLAIN_SOURCES,
         SHOAL_CORE_PARAMS, SHOAL_CORE_SOURCES},
        {"shoal_core_complex", "shoal_core_complex_fmax_ice40", "complex",
         SHOAL_COMPLEX_PLAIN_SOURCES, SHOAL_COMPLEX_PARAMS, SHOAL_COMPLEX_SOURCES}};
    const char* devices[][2] = {{"up5k", "sg48"}, {"hx8k", "ct256"}};
    for (const auto& t : targets) {
      double l = 0, f = 0, b = 0, fm = -1;
      if (!synth(t.top, t.plain_sources, t.params, "none", "", false, l, f, b, fm)) return 1;
      std::string p = std::string("{\"top\": ") + json_string(t.top) + ", \"fast_mul\": false" +
                      (std::string(t.what) == "complex" ? ", \"iram_bytes\": 4096, \"dram_bytes\": 4096" : "") + "}";
      report.add(std::string(t.what) + "_luts", l, "SB_LUT4", p);
      report.add(std::string(t.what) + "_dffs", f, "DFF", p);
      report.add(std::string(t.what) + "_brams", b, "SB_RAM40_4K", p);
      if (!do_pnr) continue;
      for (const auto& d : devices) {
        double l2 = 0, f2 = 0, b2 = 0, fm2 = -1;
        if (!synth(t.fmax_top, t.sources, "", d[0], d[1], true, l2, f2, b2, fm2)) return 1;
        std::string pp = std::string("{\"top\": ") + json_string(t.fmax_top) +
                         ", \"device\": " + json_string(d[0]) + ", \"package\": " +
                         json_string(d[1]) + ", \"seed\": 1}";
        if (fm2 >= 0) report.add(std::string(t.what) + "_fmax_" + d[0], fm2, "MHz", pp);
        else report.note(std::string(t.fmax_top) + " on " + d[0] +
                         ": no Fmax (does not fit or nextpnr failed; see " + SHOAL_BENCH_SYNTH_DIR +
                         "/" + t.fmax_top + "-" + d[0] + ".pnr.log)");
      }
    }
  }

  report.print_table();
  if (!json.empty() && !report.write_json(json)) return 1;
  return 0;
}
