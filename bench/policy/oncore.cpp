// bench-policy: on-core cost (oncore.hpp).
#include "oncore.hpp"

#include <cstring>
#include <fstream>
#include <iterator>
#include <map>
#include <sstream>
#include <vector>

#ifdef SHOAL_POLICY_FW_DIR
#include "core_sim.hpp"
#endif

namespace {

struct Sample {
  double min = 0, mean = 0, max = 0, n = 0;
};

template <typename T>
T rd(const std::vector<unsigned char>& b, size_t off) {
  T v{};
  if (off + sizeof(T) <= b.size()) std::memcpy(&v, b.data() + off, sizeof(T));
  return v;
}

// .text bytes of the functions in namespace shoal::policy (ELF symbol table, STT_FUNC sizes),
// split by source file group: predictor (profile + predictor) and policies (decide)
struct CodeSize {
  uint32_t predictor = 0, policies = 0;
  bool ok = false;
};
CodeSize code_size(const std::string& path) {
  CodeSize s;
  std::ifstream f(path, std::ios::binary);
  std::vector<unsigned char> b((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  if (b.size() < 52 || std::memcmp(b.data(), "\x7f" "ELF", 4) != 0 || b[4] != 1) return s;
  const uint32_t shoff = rd<uint32_t>(b, 32);
  const uint16_t shentsize = rd<uint16_t>(b, 46), shnum = rd<uint16_t>(b, 48);
  for (uint16_t i = 0; i < shnum; ++i) {
    const size_t sh = shoff + size_t(i) * shentsize;
    if (rd<uint32_t>(b, sh + 4) != 2) continue;  // SHT_SYMTAB
    const uint32_t off = rd<uint32_t>(b, sh + 16), size = rd<uint32_t>(b, sh + 20);
    const uint32_t link = rd<uint32_t>(b, sh + 24), entsize = rd<uint32_t>(b, sh + 36);
    const uint32_t stroff = rd<uint32_t>(b, shoff + size_t(link) * shentsize + 16);
    for (uint32_t e = 0; entsize && e + entsize <= size; e += entsize) {
      const size_t sym = off + e;
      const uint32_t name = rd<uint32_t>(b, sym), ssize = rd<uint32_t>(b, sym + 8);
      if ((b[sym + 12] & 0xF) != 2 || stroff + name >= b.size()) continue;  // STT_FUNC
      const std::string n(reinterpret_cast<const char*>(b.data() + stroff + name));
      if (n.find("5shoal6policy") == std::string::npos) continue;
      // decide.cpp's functions (and its anonymous helpers) vs the rest
      const bool dec = n.find("decide") != std::string::npos || n.find("check_") != std::string::npos ||
                       n.find("policy_state") != std::string::npos || n.find("observe_cpu") != std::string::npos ||
                       n.find("sim_request") != std::string::npos || n.find("4plan") != std::string::npos ||
                       n.find("8add_move") != std::string::npos || n.find("4hold") != std::string::npos ||
                       n.find("9low_bound") != std::string::npos || n.find("5procs") != std::string::npos;
      (dec ? s.policies : s.predictor) += ssize;
    }
    s.ok = true;
  }
  return s;
}

}  // namespace

std::string oncore_costs(shoal::bench::Report& report, unsigned epochs) {
#ifndef SHOAL_POLICY_FW_DIR
  (void)report;
  (void)epochs;
  return "built without the firmware (no RISC-V toolchain)";
#else
  const std::string elf = std::string(SHOAL_POLICY_FW_DIR) + "/policy_bench.elf";
  shoal::coresim::ElfImage img;
  std::string err = shoal::coresim::load_elf(elf, img);
  if (!err.empty()) return elf + ": " + err;
  // patch g_epochs (in .data) before the download
  const auto it = img.symbols.find("g_epochs");
  if (it == img.symbols.end()) return elf + ": no g_epochs symbol";
  bool patched = false;
  for (auto& seg : img.segments) {
    if (it->second >= seg.addr && it->second + 4 <= seg.addr + seg.bytes.size()) {
      const uint32_t v = epochs;
      std::memcpy(seg.bytes.data() + (it->second - seg.addr), &v, 4);
      patched = true;
    }
  }
  if (!patched) return elf + ": g_epochs is not in a loaded segment";
  shoal::coresim::CoreSim sim;
  err = sim.load(img);
  if (!err.empty()) return err;
  const auto rr = sim.run(uint64_t(epochs + 16) * 2'000'000ull + 5'000'000ull);
  if (rr != shoal::coresim::RunResult::Pass || sim.console().find("BENCH-DONE") == std::string::npos)
    return "the benchmark program did not finish; console:\n" + sim.console();
  std::map<std::string, Sample> m;
  std::map<std::string, double> sizes;
  std::istringstream in(sim.console());
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream ls(line);
    std::string tag, name;
    ls >> tag >> name;
    if (tag == "BENCH") {
      Sample s;
      ls >> s.min >> s.mean >> s.max >> s.n;
      if (ls) m[name] = s;
    } else if (tag == "BENCH-SIZE") {
      double v = 0;
      ls >> v;
      if (ls) sizes[name] = v;
    }
  }
  const std::string cfg = "\"core\": \"shoal_core_complex (Verilated, FastMul)\", \"firmware\": \"-Os\", "
                          "\"profiles\": \"16 partitions x 3 types, every member on (seasonal 24 x 12, AR(3))\"";
  auto fig = [&](const std::string& key, const std::string& name, const std::string& what) {
    const auto f = m.find(key);
    if (f == m.end()) {
      report.add(name, std::nullopt, "cycles", "{" + cfg + "}");
      return;
    }
    const Sample& s = f->second;
    std::ostringstream p;
    p << "{" << cfg << ", \"what\": " << shoal::bench::json_string(what) << ", \"samples\": " << s.n
      << ", \"min\": " << s.min << ", \"max\": " << s.max << "}";
    auto& fg = report.add(name, s.mean, "cycles", p.str());
    std::ostringstream sh;
    sh << "mean of " << s.n << " (min " << s.min << ", max " << s.max << "); " << what;
    fg.shown = sh.str();
  };
  fig("update", "oncore.update_cycles", "one sample into one profile (UpdatePrediction): scoring, 5 members, ensemble, path, trackers");
  fig("forecast", "oncore.forecast_cycles", "GetPredictedNeeds(partition, type, window 3)");
  fig("analyze", "oncore.analyze_cycles", "the analyzer's request vector [CPU, memory, IO, priority] of one partition");
  fig("observe_cpu_16", "oncore.observe_cpu_16_cycles", "CPU samples of 16 partitions into their profiles");
  fig("decide_predictive_16", "oncore.decide_predictive_16_cycles", "decide(), predictive policy, 16 partitions");
  fig("decide_reactive_16", "oncore.decide_reactive_16_cycles", "decide(), reactive policy, 16 partitions");
  fig("decide_static_16", "oncore.decide_static_16_cycles", "decide(), static policy, 16 partitions");
  fig("decide_oracle_16", "oncore.decide_oracle_16_cycles", "decide(), oracle policy, 16 partitions");
  fig("mcycle_read_pair", "oncore.mcycle_read_pair_cycles", "two back-to-back mcycle reads (included in every figure above)");
  for (const auto& [k, v] : sizes) {
    const std::string what = k == "profile" ? "sizeof(Profile): RAM per partition and type"
                           : k == "predictor" ? "sizeof(Predictor): 16 partitions x 3 types with their configurations"
                           : k == "stack_used" ? "stack high-water of the program (2 KiB stack)"
                                               : "sizeof(" + k + ")";
    report.add("oncore.ram." + k, v, "bytes", "{" + cfg + "}").shown = what;
  }
  const CodeSize cs = code_size(elf);
  if (cs.ok) {
    report.add("oncore.code.predictor", cs.predictor, "bytes", "{" + cfg + "}").shown =
        "RV32 .text of the predictor (profile.cpp, predictor.cpp; shoal::policy symbols)";
    report.add("oncore.code.policies", cs.policies, "bytes", "{" + cfg + "}").shown =
        "RV32 .text of decide() and its planner (decide.cpp)";
  }
  return "";
#endif
}
