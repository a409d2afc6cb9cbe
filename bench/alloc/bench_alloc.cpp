// bench-alloc: figures for the ALLOC block (docs/alloc.md), measured on the Verilated RTL
// engine (cycle counts are exact for the RTL) and from Yosys / nextpnr-ice40.
//
//   bench-alloc [--json FILE] [--no-synth]
//
// Prints a table; with --json writes the same figures as [{name, value, unit, parameters}].
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <fstream>
#include <random>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "Valloc_engine_k16.h"
#include "Valloc_engine_k64.h"
#include "alloc_rtl_harness.hpp"

using namespace alloc_test;

namespace {

struct Figure {
  std::string name;
  double value;  // NaN-free: unavailable figures are skipped with a note
  std::string unit;
  std::string params;  // JSON object body, e.g. "\"K\": 16, \"T\": 8"
};

std::vector<Figure> figures;
std::vector<std::string> notes;

void add(const std::string& name, double v, const std::string& unit, const std::string& params) {
  figures.push_back({name, v, unit, params});
}

std::string kt(unsigned k, unsigned t) {
  return "\"K\": " + std::to_string(k) + ", \"T\": " + std::to_string(t);
}

// Grant latency: cycles from the accepting edge of a REQUEST to the cycle resp_valid_o is seen.
template <class V, unsigned K>
uint64_t grant_latency() {
  Harness<V, K> h;
  auto o = h.cycle(true, cmd(A::OP_REQUEST, 1, 0, 1), true, true);
  if (!o.accepted) return 0;
  const uint64_t acc = h.cycles - 1;
  for (int i = 0; i < 100; ++i) {
    o = h.cycle(false, 0, true, true);
    if (o.resp) return (h.cycles - 1) - acc;
  }
  return 0;
}

// Sustained rate: commands offered every cycle, ports always ready. Returns commands/cycle
// (commands accepted / cycles from the first offer until the last response).
template <class V, unsigned K, unsigned T, class NextFn>
double sustained(unsigned cmds, NextFn next) {
  Harness<V, K> h;
  Ref<K, T> ref;  // the generator looks at the reference state; every response is checked
  std::deque<RespRec> want;
  unsigned issued = 0, resps = 0;
  uint64_t word = next(ref.st);
  const uint64_t start = h.cycles;
  while (resps < cmds) {
    auto o = h.cycle(issued < cmds, word, true, true);
    if (o.accepted) {
      want.push_back(ref.exec(word));
      ++issued;
      if (issued < cmds) word = next(ref.st);
    }
    if (o.resp) {
      if (want.empty() || !(o.r == want.front())) {
        std::fprintf(stderr, "bench-alloc: K=%u RTL response #%u differs from the reference\n",
                     K, resps);
        std::exit(1);
      }
      want.pop_front();
      ++resps;
    }
  }
  return static_cast<double>(cmds) / static_cast<double>(h.cycles - start);
}

// Reclaim with N victims: N partitions of priority 0 hold all of mem_region (256 units, any
// remainder held by the requester, priority 1); the requester asks for all of it with reclaim.
// Returns {response latency, cycles until the last event, events}.
template <class V, unsigned K>
std::vector<uint64_t> reclaim_latency(unsigned n) {
  Harness<V, K> h;
  const uint32_t t = 3, pool = SHOAL_RES_MEM_REGION_UNITS, each = pool / n, req = K - 1;
  std::vector<uint64_t> setup = {cmd(A::OP_SET_PRIO, req, 0, 0, false, false, 0, 1)};
  for (unsigned v = 0; v < n; ++v) setup.push_back(cmd(A::OP_REQUEST, v, t, each));
  if (pool - each * n) setup.push_back(cmd(A::OP_REQUEST, req, t, pool - each * n));
  for (auto c : setup) {
    for (int i = 0; i < 8; ++i)
      if (h.cycle(true, c, true, true).accepted) break;
  }
  for (int i = 0; i < 8; ++i) h.cycle(false, 0, true, true);
  auto o = h.cycle(true, cmd(A::OP_REQUEST, req, t, each * n, false, true), true, true);
  if (!o.accepted) return {0, 0, 0};
  const uint64_t acc = h.cycles - 1;
  uint64_t resp_at = 0, last_ev = 0, evs = 0;
  for (int i = 0; i < 400; ++i) {
    o = h.cycle(false, 0, true, true);
    if (o.resp) resp_at = (h.cycles - 1) - acc;
    if (o.ev) {
      ++evs;
      last_ev = (h.cycles - 1) - acc;
    }
  }
  return {resp_at, last_ev, evs};
}

template <class V, unsigned K>
void engine_figures(const std::vector<unsigned>& victims) {
  constexpr unsigned T = 8;
  const std::string p = kt(K, T);
  add("grant_latency", static_cast<double>(grant_latency<V, K>()), "cycles", p);

  // single-event stream: REQUEST/RELEASE without reclaim on random partitions/types
  std::mt19937_64 rng(1);
  auto simple = [&](const A::State<K, T>& st) {
    const uint32_t pp = static_cast<uint32_t>(rng() % K), tt = static_cast<uint32_t>(rng() % T);
    const uint32_t held = st.alloc[pp][tt].to_u32();
    if (held > 0 && rng() % 2) return cmd(A::OP_RELEASE, pp, tt, 1 + static_cast<uint32_t>(rng() % held));
    return cmd(A::OP_REQUEST, pp, tt, 1 + static_cast<uint32_t>(rng() % 8), true);
  };
  add("sustained_rate_no_reclaim", sustained<V, K, T>(100000, simple), "requests/cycle",
      p + ", \"stream\": \"request/release, no reclaim, 100k\"");
  Gen<K, T> g(2, K, T);
  add("sustained_rate_mixed", sustained<V, K, T>(100000, [&](const A::State<K, T>& st) { return g.next(st); }),
      "requests/cycle", p + ", \"stream\": \"random mix incl. reclaim and config, 100k\"");

  for (unsigned n : victims) {
    auto r = reclaim_latency<V, K>(n);
    const std::string pn = p + ", \"victims\": " + std::to_string(n);
    add("reclaim_response_latency", static_cast<double>(r[0]), "cycles", pn);
    add("reclaim_last_event_latency", static_cast<double>(r[1]), "cycles", pn);
    add("reclaim_events", static_cast<double>(r[2]), "events", pn);
  }
}

// Runs scripts/synth_check.py; returns the JSON it wrote ("" on failure).
std::string run_synth(const std::string& top, unsigned k, unsigned t, bool pnr) {
  const std::string out = std::string(ALLOC_SYNTH_OUT) + "/bench-alloc-" + top + "-k" +
                          std::to_string(k) + "t" + std::to_string(t);
  std::string c = std::string(ALLOC_PYTHON) + " " + ALLOC_SYNTH_SCRIPT + " --yosys " + ALLOC_YOSYS +
                  " --top " + top + " --out " + out + " --params K=" + std::to_string(k) +
                  " T=" + std::to_string(t);
  if (pnr) c += " --nextpnr --nextpnr-bin " + std::string(ALLOC_NEXTPNR) + " --device up5k";
  c += " -- " + std::string(ALLOC_SOURCES);
  std::fprintf(stderr, "bench-alloc: synthesizing %s K=%u T=%u%s (takes minutes)...\n", top.c_str(),
               k, t, pnr ? " + nextpnr" : "");
  if (std::system(c.c_str()) != 0) return "";
  std::ifstream f(out + ".json");
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

bool json_num(const std::string& js, const std::string& key, double& v) {
  std::smatch m;
  if (std::regex_search(js, m, std::regex("\"" + key + "\":\\s*([0-9.]+)"))) {
    v = std::stod(m[1]);
    return true;
  }
  return false;
}

// Cells of the block top alloc_regs; Fmax from alloc_fmax_ice40 (alloc_regs behind a serial
// input chain and a folded output, so that it fits the package's pins), when it fits the UP5K.
void synth_figures(unsigned k, unsigned t) {
  constexpr double kUp5kLuts = 5280;
  if (std::string(ALLOC_YOSYS).empty()) {
    notes.push_back("yosys not found: synthesis figures skipped");
    return;
  }
  const std::string js = run_synth("alloc_regs", k, t, false);
  const std::string kts = "K=" + std::to_string(k) + " T=" + std::to_string(t);
  if (js.empty()) {
    notes.push_back("synthesis failed for " + kts);
    return;
  }
  const std::string p = kt(k, t) + ", \"top\": \"alloc_regs\", \"tool\": \"yosys 0.23 synth_ice40\"";
  double luts = 0, v = 0;
  if (json_num(js, "luts", luts)) add("synth_sb_lut4", luts, "cells", p);
  if (json_num(js, "ffs", v)) add("synth_dff", v, "cells", p);
  if (json_num(js, "brams", v)) add("synth_bram", v, "cells", p);
  if (std::string(ALLOC_NEXTPNR).empty()) {
    notes.push_back("nextpnr-ice40 not found: no Fmax");
    return;
  }
  if (luts > kUp5kLuts) {
    notes.push_back("no Fmax for " + kts + ": " + std::to_string(static_cast<long>(luts)) +
                    " SB_LUT4 do not fit an iCE40 UP5K (5280 logic cells)");
    return;
  }
  const std::string jf = run_synth("alloc_fmax_ice40", k, t, true);
  if (json_num(jf, "fmax_mhz", v)) {
    add("fmax_ice40_up5k", v, "MHz",
        kt(k, t) + ", \"top\": \"alloc_fmax_ice40 (alloc_regs + serial I/O harness)\", "
                   "\"tool\": \"nextpnr-ice40 --up5k --package sg48 --seed 1\"");
  } else {
    notes.push_back("nextpnr-ice40 gave no Fmax for " + kts + " (see build/synth/*.pnr.log)");
  }
}

}  // namespace

int main(int argc, char** argv) {
  std::string json;
  bool synth = true;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--json" && i + 1 < argc) {
      json = argv[++i];
    } else if (a == "--no-synth") {
      synth = false;
    } else {
      std::fprintf(stderr, "usage: %s [--json FILE] [--no-synth]\n", argv[0]);
      return 2;
    }
  }
  engine_figures<Valloc_engine_k16, 16>({1, 2, 4, 8, 15});
  engine_figures<Valloc_engine_k64, 64>({1, 16, 63});
  if (synth) {
    synth_figures(4, 4);
    synth_figures(16, 8);
  }

  std::printf("%-28s %10s  %-16s %s\n", "figure", "value", "unit", "parameters");
  for (const auto& f : figures)
    std::printf("%-28s %10.4f  %-16s {%s}\n", f.name.c_str(), f.value, f.unit.c_str(), f.params.c_str());
  for (const auto& n : notes) std::printf("note: %s\n", n.c_str());

  if (!json.empty()) {
    std::ofstream o(json);
    o << "[\n";
    for (size_t i = 0; i < figures.size(); ++i) {
      const auto& f = figures[i];
      o << "  {\"name\": \"" << f.name << "\", \"value\": " << f.value << ", \"unit\": \"" << f.unit
        << "\", \"parameters\": {" << f.params << "}}" << (i + 1 < figures.size() ? "," : "") << "\n";
    }
    o << "]\n";
    if (!o) {
      std::fprintf(stderr, "bench-alloc: cannot write %s\n", json.c_str());
      return 1;
    }
  }
  return 0;
}
