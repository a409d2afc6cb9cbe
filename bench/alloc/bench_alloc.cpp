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
#include <random>
#include <string>
#include <vector>

#include "Valloc_engine_k16.h"
#include "Valloc_engine_k64.h"
#include "alloc_rtl_harness.hpp"
#include "bench_report.hpp"

using namespace alloc_test;

namespace {

shoal::bench::Report report("bench-alloc", 4);

// params: the body of a JSON object, e.g. "\"K\": 16, \"T\": 8"
void add(const std::string& name, double v, const std::string& unit, const std::string& params) {
  report.add(name, v, unit, "{" + params + "}");
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

// Runs scripts/synth_check.py; ran_ok is false on failure.
shoal::bench::SynthResult run_synth(const std::string& top, unsigned k, unsigned t, bool pnr) {
  shoal::bench::SynthJob job;
  job.top = top;
  job.out = std::string(ALLOC_SYNTH_OUT) + "/bench-alloc-" + top + "-k" + std::to_string(k) + "t" +
            std::to_string(t);
  job.yosys = ALLOC_YOSYS;
  job.params = {"K=" + std::to_string(k), "T=" + std::to_string(t)};
  if (pnr) {
    job.nextpnr = true;
    job.nextpnr_bin = ALLOC_NEXTPNR;
    job.device = "up5k";
  }
  job.sources = shoal::bench::split_list(ALLOC_SOURCES);
  std::fprintf(stderr, "bench-alloc: synthesizing %s K=%u T=%u%s (takes minutes)...\n", top.c_str(),
               k, t, pnr ? " + nextpnr" : "");
  return shoal::bench::run_synth(job);
}

// Cells of the block top alloc_regs; Fmax from alloc_fmax_ice40 (alloc_regs behind a serial
// input chain and a folded output, so that it fits the package's pins), when it fits the UP5K.
void synth_figures(unsigned k, unsigned t) {
  constexpr double kUp5kLuts = 5280;
  if (std::string(ALLOC_YOSYS).empty()) {
    report.note("yosys not found: synthesis figures skipped");
    return;
  }
  const shoal::bench::SynthResult js = run_synth("alloc_regs", k, t, false);
  const std::string kts = "K=" + std::to_string(k) + " T=" + std::to_string(t);
  if (!js.ran_ok) {
    report.note("synthesis failed for " + kts);
    return;
  }
  const std::string p = kt(k, t) + ", \"top\": \"alloc_regs\", \"tool\": \"yosys 0.23 synth_ice40\"";
  const double luts = js.luts.value_or(0);
  if (js.luts) add("synth_sb_lut4", *js.luts, "cells", p);
  if (js.ffs) add("synth_dff", *js.ffs, "cells", p);
  if (js.brams) add("synth_bram", *js.brams, "cells", p);
  if (std::string(ALLOC_NEXTPNR).empty()) {
    report.note("nextpnr-ice40 not found: no Fmax");
    return;
  }
  if (luts > kUp5kLuts) {
    report.note("no Fmax for " + kts + ": " + std::to_string(static_cast<long>(luts)) +
                " SB_LUT4 do not fit an iCE40 UP5K (5280 logic cells)");
    return;
  }
  const shoal::bench::SynthResult jf = run_synth("alloc_fmax_ice40", k, t, true);
  if (jf.ran_ok && jf.fmax_mhz) {
    add("fmax_ice40_up5k", *jf.fmax_mhz, "MHz",
        kt(k, t) + ", \"top\": \"alloc_fmax_ice40 (alloc_regs + serial I/O harness)\", "
                   "\"tool\": \"nextpnr-ice40 --up5k --package sg48 --seed 1\"");
  } else {
    report.note("nextpnr-ice40 gave no Fmax for " + kts + " (see build/synth/*.pnr.log)");
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

  report.print_table();
  if (!json.empty() && !report.write_json(json)) return 1;
  return 0;
}
