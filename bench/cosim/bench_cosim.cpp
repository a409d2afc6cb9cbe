// bench-cosim: co-simulation figures for the foundation (see bench/README.md).
//   - simulated card cycles per wall second, tracing off: the bare model, and the shoal-sim
//     engine (SimCore) clocked by the plain loop and by the SystemC module
//   - host MMIO read round trips per second through libshoal's sim: backend against a
//     shoal-sim child process, one client and two concurrent clients
//   - Yosys resource counts of the card shell
// Reports what it measures; asserts nothing.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <map>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <sys/wait.h>
#include <unistd.h>

#include <CLI/CLI.hpp>

#include "bench_report.hpp"
#include "card_model.hpp"
#include "shoal/regs.hpp"
#include "shoal/shoal.h"
#include "sim_core.hpp"
#include "sim_process.hpp"

namespace {

using Clock = std::chrono::steady_clock;
using Params = std::map<std::string, std::string>;

// Parameters are all strings here (sample values, the statistic, CPUs and the load average);
// the table leaves out the noisy ones.
void add(shoal::bench::Report& report, const std::string& name, double value,
         const std::string& unit, const Params& params) {
  std::string shown;
  for (const auto& [k, v] : params)
    if (k != "host_cpus" && k != "load_avg_1min_at_start" && k != "source" && k != "samples" &&
        k != "statistic")
      shown += (shown.empty() ? "" : ", ") + k + "=" + v;
  report.add(name, value, unit, shoal::bench::json_object(params)).shown = shown;
}

double seconds_since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

std::string load_average() {
  std::ifstream in("/proc/loadavg");
  std::string one;
  in >> one;
  return one.empty() ? "unknown" : one;
}

std::string fmt(double v) {
  char b[64];
  if (v == static_cast<double>(static_cast<long long>(v)) && v < 1e15)
    std::snprintf(b, sizeof b, "%lld", static_cast<long long>(v));
  else
    std::snprintf(b, sizeof b, "%.6g", v);
  return b;
}

// ---- cycles per second ---------------------------------------------------------------------

double bare_model_rate(uint64_t cycles) {
  auto m = shoal::sim::make_card_model({});
  const auto t0 = Clock::now();
  for (uint64_t i = 0; i < cycles; ++i) m->step(1);
  return static_cast<double>(cycles) / seconds_since(t0);
}

double engine_rate(shoal::sim::Engine engine, uint64_t cycles) {
  auto m = shoal::sim::make_card_model({});
  shoal::sim::SimCore core(*m, shoal::regs::kBar0Size, m->cycle() + cycles);
  const uint64_t c0 = m->cycle();
  const auto t0 = Clock::now();
  if (engine == shoal::sim::Engine::Plain)
    shoal::sim::run_plain(core);
  else
    shoal::sim::run_systemc(core, static_cast<double>(shoal::regs::param::clock_hz));
  const double dt = seconds_since(t0);
  return static_cast<double>(m->cycle() - c0) / dt;
}

// Runs `fn` in a forked child and returns its result: every cycles-per-second sample gets a fresh
// process (SystemC can elaborate only once per process, and this keeps the samples alike).
template <typename Fn>
std::optional<double> in_child(Fn fn) {
  int p[2];
  if (::pipe(p) != 0) return std::nullopt;
  const pid_t pid = ::fork();
  if (pid < 0) return std::nullopt;
  if (pid == 0) {
    ::close(p[0]);
    const double v = fn();
    ssize_t w = ::write(p[1], &v, sizeof v);
    ::_exit(w == sizeof v ? 0 : 1);
  }
  ::close(p[1]);
  double v = 0;
  const ssize_t r = ::read(p[0], &v, sizeof v);
  ::close(p[0]);
  int st = 0;
  ::waitpid(pid, &st, 0);
  if (r != sizeof v || !WIFEXITED(st) || WEXITSTATUS(st) != 0) return std::nullopt;
  return v;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

// ---- MMIO round trips through libshoal's sim: backend --------------------------------------

// Reads MAGIC for `seconds` from each of `clients` threads (each its own shoal_open).
// Returns total round trips per second, or nullopt if anything failed.
std::optional<double> round_trips(const std::string& uri, int clients, double seconds) {
  std::vector<shoal_dev*> devs(clients, nullptr);
  for (auto& d : devs)
    if (shoal_open(uri.c_str(), &d) != SHOAL_OK) {
      std::fprintf(stderr, "bench-cosim: shoal_open(%s): %s\n", uri.c_str(), shoal_last_error());
      for (auto* x : devs) shoal_close(x);
      return std::nullopt;
    }
  std::vector<uint64_t> counts(clients, 0);
  std::vector<int> failed(clients, 0);
  std::vector<std::thread> threads;
  const auto t0 = Clock::now();
  const auto end = t0 + std::chrono::duration<double>(seconds);
  for (int i = 0; i < clients; ++i)
    threads.emplace_back([&, i] {
      uint32_t v = 0;
      while (Clock::now() < end) {
        for (int k = 0; k < 64; ++k) {
          if (shoal_reg_read32(devs[i], shoal::regs::ctrl::kMagic, &v) != SHOAL_OK ||
              v != 0x53484f4cu) {
            failed[i] = 1;
            return;
          }
        }
        counts[i] += 64;
      }
    });
  for (auto& t : threads) t.join();
  const double dt = seconds_since(t0);
  for (auto* d : devs) shoal_close(d);
  uint64_t total = 0;
  for (int i = 0; i < clients; ++i) {
    if (failed[i]) {
      std::fprintf(stderr, "bench-cosim: a read failed: %s\n", shoal_last_error());
      return std::nullopt;
    }
    total += counts[i];
  }
  return static_cast<double>(total) / dt;
}

// ---- Yosys --------------------------------------------------------------------------------

// The card shell's figures: read from `existing` (written by the card-synth test) unless
// force_run or it is missing, else from a run of scripts/synth_check.py. Also says which.
std::pair<shoal::bench::SynthResult, std::string> synth_stats(bool force_run,
                                                              const std::string& existing,
                                                              const std::string& out_prefix) {
  if (!force_run && !existing.empty()) {
    auto r = shoal::bench::parse_synth_json(shoal::bench::read_text(existing));
    if (r.ran_ok) return {r, "read " + existing + " (written by the card-synth test)"};
  }
  shoal::bench::SynthJob job;
  job.yosys = SHOAL_YOSYS_BIN;
  job.top = "shoal_card";
  job.out = out_prefix;
  job.sources = shoal::bench::split_list(SHOAL_CARD_SYNTH_SOURCES, '|');
  job.blackbox = shoal::bench::split_list(SHOAL_CARD_SYNTH_BLACKBOX, '|');
  std::fprintf(stderr, "bench-cosim: running Yosys on the card shell (scripts/synth_check.py)...\n");
  auto r = shoal::bench::run_synth(job);
  if (!r.ran_ok) return {r, "scripts/synth_check.py failed"};
  return {r, "ran scripts/synth_check.py -> " + out_prefix + ".json"};
}

}  // namespace

int main(int argc, char** argv) {
  setenv("SYSC_DISABLE_COPYRIGHT_MESSAGE", "1", 1);
  CLI::App app{
      "bench-cosim: co-simulation figures (simulated card cycles per wall second, MMIO round\n"
      "trips per second through the sim: backend, Yosys resource counts of the card shell).\n"
      "Prints a table; --json FILE writes the same figures as JSON. Measures, never asserts."};
  std::string json_path;
  uint64_t cycles = 2000000;
  double seconds = 2.0;
  std::string sim_bin = SHOAL_SIM_BIN_DEFAULT;
  std::string server_engine = "plain";
  unsigned repeat = 3;
  bool synth_run = false;
  bool no_synth = false;
  app.add_option("--json", json_path, "also write the figures to FILE as JSON");
  app.add_option("--cycles", cycles, "card cycles per cycles-per-second measurement")
      ->capture_default_str();
  app.add_option("--repeat", repeat, "samples per cycles-per-second figure (median reported)")
      ->check(CLI::Range(1u, 100u))
      ->capture_default_str();
  app.add_option("--seconds", seconds, "wall seconds per round-trip measurement")
      ->capture_default_str();
  app.add_option("--sim", sim_bin, "the shoal-sim binary to run as the server")
      ->capture_default_str();
  app.add_option("--server-engine", server_engine, "engine of the shoal-sim server (plain|systemc)")
      ->check(CLI::IsMember({"plain", "systemc"}))
      ->capture_default_str();
  app.add_flag("--synth-run", synth_run,
               "always run Yosys (default: reuse build/synth/card-synth.json when present)");
  app.add_flag("--no-synth", no_synth, "skip the Yosys figures");
  CLI11_PARSE(app, argc, argv);

  shoal::bench::Report report("bench-cosim", 1);
  const std::string load0 = load_average();
  const unsigned ncpu = std::thread::hardware_concurrency();
  auto common = [&](Params p) {
    p["host_cpus"] = std::to_string(ncpu);
    p["load_avg_1min_at_start"] = load0;
    return p;
  };

  // 1. cycles per wall second, tracing off; `repeat` interleaved samples, median reported
  std::fprintf(stderr, "bench-cosim: cycles per second (%llu cycles x %u samples each)...\n",
               static_cast<unsigned long long>(cycles), repeat);
  std::vector<double> bare, plain, sysc;
  for (unsigned r = 0; r < repeat; ++r) {
    auto b = in_child([&] { return bare_model_rate(cycles); });
    auto p = in_child([&] { return engine_rate(shoal::sim::Engine::Plain, cycles); });
    auto c = in_child([&] { return engine_rate(shoal::sim::Engine::SystemC, cycles); });
    if (!b || !p || !c) {
      std::fprintf(stderr, "bench-cosim: a cycles-per-second sample failed\n");
      return 1;
    }
    bare.push_back(*b);
    plain.push_back(*p);
    sysc.push_back(*c);
  }
  auto samples = [](const std::vector<double>& v) {
    std::string s;
    for (double x : v) s += (s.empty() ? "" : " ") + fmt(x);
    return s;
  };
  const Params cp = {{"cycles", std::to_string(cycles)}, {"trace", "off"},
                     {"statistic", "median of " + std::to_string(repeat) + " samples"}};
  auto with = [&](Params extra, const std::vector<double>& v) {
    Params p = common(cp);
    for (auto& [k, x] : extra) p[k] = x;
    p["samples"] = samples(v);
    return p;
  };
  add(report, "sim.cycles_per_s.bare_model", median(bare), "cycles/s",
      with({{"loop", "CardModel::step(1) only, no server"}}, bare));
  add(report, "sim.cycles_per_s.plain", median(plain), "cycles/s",
      with({{"engine", "plain"}, {"clients", "0"}}, plain));
  add(report, "sim.cycles_per_s.systemc", median(sysc), "cycles/s",
      with({{"engine", "systemc (SC_THREAD, wait per cycle)"}, {"clients", "0"}}, sysc));

  // 2. MMIO round trips through the sim: backend
  {
    char tmpl[] = "/tmp/shoal-bench-XXXXXX";
    const char* dir = ::mkdtemp(tmpl);
    if (!dir) {
      std::perror("mkdtemp");
      return 1;
    }
    const std::string sock = std::string(dir) + "/card.sock";
    {
      shoal::sim::testing::SimProcess sim(
          sim_bin, {"--socket", sock, "--quiet", "--engine", server_engine});
      if (!sim.wait_for_line("listening on sim:" + sock)) {
        std::fprintf(stderr, "bench-cosim: %s did not start\n", sim_bin.c_str());
        return 1;
      }
      for (int clients : {1, 2}) {
        std::fprintf(stderr, "bench-cosim: MMIO round trips, %d client(s), %.1f s...\n", clients,
                     seconds);
        auto r = round_trips("sim:" + sock, clients, seconds);
        if (!r) return 1;
        Params p = common({{"clients", std::to_string(clients)},
                           {"access", "32-bit read of ctrl MAGIC via shoal_reg_read32"},
                           {"server", "shoal-sim --engine " + server_engine + " (child process)"},
                           {"seconds", fmt(seconds)}});
        add(report,
            "sim.mmio_read_round_trips_per_s." + std::to_string(clients) + "_client" +
                (clients > 1 ? "s" : ""),
            *r, "round trips/s", p);
        if (clients > 1)
          add(report, "sim.mmio_read_round_trips_per_s.2_clients_per_client", *r / clients,
              "round trips/s", p);
      }
      sim.stop(SIGTERM);
    }
    ::rmdir(dir);
  }

  // 3. Yosys resource counts of the card shell
  std::string synth_source;
  if (!no_synth) {
    const std::string out_prefix = std::string(SHOAL_BENCH_SYNTH_DIR) + "/bench-card-synth";
    auto [r, source] = synth_stats(synth_run, SHOAL_CARD_SYNTH_JSON, out_prefix);
    if (!r.ran_ok) {
      std::fprintf(stderr, "bench-cosim: no synthesis figures: %s\n", source.c_str());
    } else {
      const Params p{{"top", "shoal_card"}, {"flow", "yosys synth_ice40"}, {"source", source}};
      const std::pair<const char*, const std::optional<double>*> figs[] = {
          {"luts", &r.luts},       {"ffs", &r.ffs},     {"brams", &r.brams},
          {"carries", &r.carries}, {"cells", &r.cells}, {"fmax_mhz", &r.fmax_mhz}};
      const char* units[] = {"SB_LUT4", "flip-flops", "SB_RAM40_4K", "SB_CARRY", "cells", "MHz"};
      for (std::size_t i = 0; i < std::size(figs); ++i) {
        if (*figs[i].second) {
          add(report, std::string("synth.card.") + figs[i].first, **figs[i].second, units[i], p);
          if (figs[i].first == std::string("luts")) synth_source = source;
        }
      }
    }
  }

  report.print_table();
  std::printf("host: %u CPUs, 1-min load average %s at start, %s at end\n", ncpu, load0.c_str(),
              load_average().c_str());
  if (!synth_source.empty()) std::printf("synthesis: %s\n", synth_source.c_str());

  if (!json_path.empty()) {
    if (!report.write_json(json_path)) return 1;
    std::fprintf(stderr, "bench-cosim: wrote %s\n", json_path.c_str());
  }
  return 0;
}
