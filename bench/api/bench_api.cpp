// bench-api: the broker API's wall-clock figures through sim: (bench/api/README.md) — a request's
// round trip (shoal_request -> completion) p50/p99, synchronous and asynchronous, a release's,
// and calls per second with 1, 4 and 16 partition handles used in parallel (one thread each).
// Starts its own shoal-sim child (the Verilated card booting the default firmware).
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include <CLI/CLI.hpp>

#include "bench_report.hpp"
#include "shoal/regs.h"
#include "shoal/shoal.h"
#include "sim_process.hpp"

namespace {

using Clock = std::chrono::steady_clock;

struct Args {
  unsigned samples = 500;
  double seconds = 2.0;
  std::string json, sim = SHOAL_SIM_BIN_DEFAULT;
};

double pct(std::vector<double> v, double q) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const std::size_t i = std::min(v.size() - 1, static_cast<std::size_t>(q * static_cast<double>(v.size() - 1) + 0.5));
  return v[i];
}

void latency(shoal::bench::Report& r, const std::string& name, const std::vector<double>& us, const std::string& what) {
  const std::string par = "{\"samples\": " + std::to_string(us.size()) + ", \"what\": " + shoal::bench::json_string(what) + "}";
  const std::string shown = std::to_string(us.size()) + " samples: " + what;
  if (us.empty()) {
    r.add(name + ".p50", std::nullopt, "us", par).shown = shown;
    r.add(name + ".p99", std::nullopt, "us", par).shown = shown;
    return;
  }
  r.add(name + ".p50", pct(us, 0.50), "us", par).shown = shown;
  r.add(name + ".p99", pct(us, 0.99), "us", par).shown = shown;
}

shoal_request_args req(std::uint32_t p, std::uint32_t amount) {
  shoal_request_args a{};
  SHOAL_INIT(a);
  a.partition = p;
  a.type = SHOAL_RES_MEM_BW;
  a.amount = amount;
  return a;
}

int fail(const char* what) {
  std::fprintf(stderr, "bench-api: %s: %s\n", what, shoal_last_error());
  return 1;
}

int run(const Args& a) {
  char tmpl[] = "/tmp/bench-api-XXXXXX";
  if (::mkdtemp(tmpl) == nullptr) {
    std::perror("bench-api: mkdtemp");
    return 1;
  }
  const std::string dir = tmpl, sock = dir + "/card.sock", log = dir + "/shoal-sim.log";
  int rc = 1;
  {
    shoal::sim::testing::SimProcess sim(a.sim, {"--socket", sock, "--quiet"}, log);
    if (!sim.wait_for_line("allocation service up", 180000)) {
      std::fprintf(stderr, "bench-api: shoal-sim did not come up (log: %s)\n", log.c_str());
      return 1;
    }
    shoal_dev* dev = nullptr;
    shoal_handle* admin = nullptr;
    if (shoal_open(("sim:" + sock).c_str(), &dev) != SHOAL_OK) return fail("shoal_open");
    if (shoal_admin_open(dev, &admin) != SHOAL_OK) return fail("shoal_admin_open");
    shoal_policy pol{};
    SHOAL_INIT(pol);
    pol.policy = SHOAL_OP_POLICY_SET_POLICY_STATIC;  // only our requests move units
    pol.epoch_windows = 1;
    pol.alpha = 3;
    if (shoal_policy_set(admin, &pol) != SHOAL_OK) return fail("shoal_policy_set");
    shoal_handle_info hi{};
    SHOAL_INIT(hi);
    if (shoal_handle_get_info(admin, &hi) != SHOAL_OK) return fail("shoal_handle_get_info");
    const std::uint32_t parts = std::min<std::uint32_t>(16, hi.num_partitions);
    std::vector<shoal_handle*> hs(parts, nullptr);
    for (std::uint32_t k = 0; k < parts; ++k) {
      if (shoal_part_create(admin, k, 1, nullptr) != SHOAL_OK) return fail("shoal_part_create");
      if (shoal_partition_open(dev, k, &hs[k]) != SHOAL_OK) return fail("shoal_partition_open");
    }
    shoal::bench::Report r("bench-api");

    // round trips on one partition handle: request 1 unit, release it
    std::vector<double> req_us, rel_us, async_us;
    for (unsigned i = 0; i < a.samples; ++i) {
      shoal_request_args q = req(0, 1);
      shoal_grant g{};
      SHOAL_INIT(g);
      auto t0 = Clock::now();
      if (shoal_request(hs[0], &q, &g) != SHOAL_OK) return fail("shoal_request");
      auto t1 = Clock::now();
      if (shoal_release(hs[0], 0, SHOAL_RES_MEM_BW, 1, nullptr) != SHOAL_OK) return fail("shoal_release");
      auto t2 = Clock::now();
      std::uint32_t ticket = 0;
      if (shoal_request_submit(hs[0], &q, &ticket) != SHOAL_OK) return fail("shoal_request_submit");
      SHOAL_INIT(g);
      if (shoal_request_result(hs[0], ticket, 30000, &g) != SHOAL_OK) return fail("shoal_request_result");
      auto t3 = Clock::now();
      if (shoal_release(hs[0], 0, SHOAL_RES_MEM_BW, 1, nullptr) != SHOAL_OK) return fail("shoal_release");
      req_us.push_back(std::chrono::duration<double, std::micro>(t1 - t0).count());
      rel_us.push_back(std::chrono::duration<double, std::micro>(t2 - t1).count());
      async_us.push_back(std::chrono::duration<double, std::micro>(t3 - t2).count());
    }
    latency(r, "api.request_to_completion", req_us, "shoal_request (1 unit of mem_bw) until its completion, one partition handle");
    latency(r, "api.async_request_to_result", async_us, "shoal_request_submit then shoal_request_result (waiting)");
    latency(r, "api.release_to_completion", rel_us, "shoal_release (1 unit) until its completion");

    // calls per second: N handles, one thread each, request 1 / release 1 in a loop
    for (std::uint32_t n : {1u, 4u, 16u}) {
      if (n > parts) {
        r.add("api.calls_per_s." + std::to_string(n) + "_handles", std::nullopt, "calls/s", "{\"handles\": " + std::to_string(n) + "}");
        continue;
      }
      std::atomic<bool> stop{false};
      std::atomic<std::uint64_t> calls{0}, errors{0};
      std::vector<std::thread> th;
      const auto t0 = Clock::now();
      for (std::uint32_t k = 0; k < n; ++k) {
        th.emplace_back([&, k] {
          std::uint64_t mine = 0;
          while (!stop) {
            shoal_request_args q = req(k, 1);
            shoal_grant g{};
            SHOAL_INIT(g);
            if (shoal_request(hs[k], &q, &g) != SHOAL_OK || shoal_release(hs[k], k, SHOAL_RES_MEM_BW, 1, nullptr) != SHOAL_OK) {
              ++errors;
              break;
            }
            mine += 2;
          }
          calls += mine;
        });
      }
      std::this_thread::sleep_for(std::chrono::duration<double>(a.seconds));
      stop = true;
      for (auto& t : th) t.join();
      const double secs = std::chrono::duration<double>(Clock::now() - t0).count();
      if (errors) {
        std::fprintf(stderr, "bench-api: %llu calls failed with %u handles\n", static_cast<unsigned long long>(errors.load()), n);
        return 1;
      }
      const std::string par = "{\"handles\": " + std::to_string(n) + ", \"seconds\": " + shoal::bench::json_number(secs) +
                              ", \"calls\": " + std::to_string(calls.load()) + "}";
      r.add("api.calls_per_s." + std::to_string(n) + "_handles", static_cast<double>(calls) / secs, "calls/s", par).shown =
          std::to_string(n) + " partition handles, a thread each, request+release, " + std::to_string(calls.load()) + " calls";
    }
    r.note("wall clock through sim: to a shoal-sim child (Verilated card, default firmware); one machine, its load included");
    r.print_table();
    rc = (a.json.empty() || r.write_json(a.json)) ? 0 : 1;
    for (auto* h : hs) shoal_handle_close(h);
    shoal_handle_close(admin);
    shoal_close(dev);
    sim.stop();
  }
  std::remove(sock.c_str());
  std::remove(log.c_str());
  ::rmdir(dir.c_str());
  return rc;
}

}  // namespace

int main(int argc, char** argv) {
  Args a;
  CLI::App app{"bench-api: the broker API's round trips and calls per second through sim: (bench/api/README.md)"};
  app.add_option("--samples", a.samples, "round trips per latency figure (default 500)")->check(CLI::Range(1u, 100000u));
  app.add_option("--seconds", a.seconds, "seconds per calls-per-second figure (default 2)")->check(CLI::Range(0.05, 600.0));
  app.add_option("--json", a.json, "also write the figures as JSON to FILE");
  app.add_option("--sim", a.sim, "the shoal-sim binary");
  CLI11_PARSE(app, argc, argv);
  return run(a);
}
