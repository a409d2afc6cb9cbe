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
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "core_sim.hpp"

using namespace shoal::coresim;

namespace {

struct Figure {
  std::string name;
  double value;
  std::string unit;
  std::string params;  // JSON object text
};

std::string jstr(const std::string& s) {
  std::string o = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') o += '\\';
    o += c;
  }
  return o + "\"";
}

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

// synth_check.py prints nothing machine-readable on stdout except its summary; read its JSON
bool synth(const std::string& top, const std::string& sources, const std::string& device,
           const std::string& package, bool pnr, double& luts, double& ffs, double& brams,
           double& fmax) {
  std::string out = std::string(SHOAL_BENCH_SYNTH_DIR) + "/" + top + "-" + device;
  std::string cmd = std::string(SHOAL_PYTHON) + " " + SHOAL_SYNTH_SCRIPT + " --top " + top +
                    " --out " + out + (pnr ? " --nextpnr --device " + device + " --package " + package : "") +
                    " -- " + sources + " > " + out + ".summary 2>&1";
  if (std::system(cmd.c_str()) != 0) {
    std::fprintf(stderr, "bench-core: synthesis of %s failed (%s.log)\n", top.c_str(), out.c_str());
    return false;
  }
  std::ifstream in(out + ".json");
  std::stringstream ss;
  ss << in.rdbuf();
  std::string j = ss.str();
  auto num = [&](const char* key) -> double {
    auto p = j.find(std::string("\"") + key + "\":");
    if (p == std::string::npos) return -1;
    p = j.find(':', p) + 1;
    while (p < j.size() && j[p] == ' ') ++p;
    if (j.compare(p, 4, "null") == 0) return -1;
    return std::atof(j.c_str() + p);
  };
  luts = num("luts");
  ffs = num("ffs");
  brams = num("brams");
  fmax = num("fmax_mhz");
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  std::string json;
  bool do_synth = true, do_pnr = true;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--json" && i + 1 < argc) json = argv[++i];
    else if (a == "--no-synth") do_synth = false;
    else if (a == "--no-pnr") do_pnr = false;
    else {
      std::printf("usage: bench-core [--json FILE] [--no-synth] [--no-pnr]\n");
      return a == "-h" || a == "--help" ? 0 : 2;
    }
  }
  std::vector<Figure> figs;
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
    std::string p = "{\"workload\": " + jstr(w) + ", \"cycles\": " + std::to_string(c) +
                    ", \"instructions\": " + std::to_string(n) + ", \"fast_mul\": true}";
    figs.push_back({std::string("cpi_") + w, n ? double(c) / n : 0, "cycles/instruction", p});
  }
  // simulation speed: one long run of the integer loop repeated
  figs.push_back({"verilator_speed", sim_seconds > 0 ? sim_cycles / sim_seconds : 0,
                  "cycles/s", "{\"model\": \"shoal_core_complex\", \"trace\": false, \"cycles\": " +
                                  std::to_string(sim_cycles) + "}"});

  if (do_synth) {
    // resources from the plain small-FPGA tops; Fmax from timing harnesses that put the ports
    // behind registers (the bare tops have more ports than a 48-pin package has pins)
    struct Target { const char* top; const char* fmax_top; const char* what; const char* sources; };
    const Target targets[] = {
        {"shoal_core_ice40", "shoal_core_fmax_ice40", "core", SHOAL_CORE_SOURCES},
        {"shoal_core_complex_ice40", "shoal_core_complex_fmax_ice40", "complex", SHOAL_COMPLEX_SOURCES}};
    const char* devices[][2] = {{"up5k", "sg48"}, {"hx8k", "ct256"}};
    for (const auto& t : targets) {
      double l = 0, f = 0, b = 0, fm = -1;
      if (!synth(t.top, t.sources, "none", "", false, l, f, b, fm)) return 1;
      std::string p = std::string("{\"top\": ") + jstr(t.top) + ", \"fast_mul\": false" +
                      (std::string(t.what) == "complex" ? ", \"iram_bytes\": 4096, \"dram_bytes\": 4096" : "") + "}";
      figs.push_back({std::string(t.what) + "_luts", l, "SB_LUT4", p});
      figs.push_back({std::string(t.what) + "_dffs", f, "DFF", p});
      figs.push_back({std::string(t.what) + "_brams", b, "SB_RAM40_4K", p});
      if (!do_pnr) continue;
      for (const auto& d : devices) {
        double l2 = 0, f2 = 0, b2 = 0, fm2 = -1;
        if (!synth(t.fmax_top, t.sources, d[0], d[1], true, l2, f2, b2, fm2)) return 1;
        std::string pp = std::string("{\"top\": ") + jstr(t.fmax_top) + ", \"device\": " + jstr(d[0]) +
                         ", \"package\": " + jstr(d[1]) + ", \"seed\": 1}";
        if (fm2 >= 0) figs.push_back({std::string(t.what) + "_fmax_" + d[0], fm2, "MHz", pp});
        else std::printf("note: %s on %s: no Fmax (does not fit or nextpnr failed; see %s/%s-%s.pnr.log)\n",
                         t.fmax_top, d[0], SHOAL_BENCH_SYNTH_DIR, t.fmax_top, d[0]);
      }
    }
  }

  std::printf("%-28s %14s  %s\n", "figure", "value", "unit");
  for (const auto& f : figs) std::printf("%-28s %14.3f  %s\n", f.name.c_str(), f.value, f.unit.c_str());
  if (!json.empty()) {
    std::ofstream o(json);
    o << "[\n";
    for (size_t i = 0; i < figs.size(); ++i) {
      o << "  {\"name\": " << jstr(figs[i].name) << ", \"value\": " << figs[i].value
        << ", \"unit\": " << jstr(figs[i].unit) << ", \"parameters\": " << figs[i].params << "}"
        << (i + 1 < figs.size() ? ",\n" : "\n");
    }
    o << "]\n";
  }
  return 0;
}
