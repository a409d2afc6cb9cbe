// The scenario command line (cli.hpp).
#include "cli.hpp"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>
#include <thread>

#include "report.hpp"
#include "runner.hpp"
#include "scenario.hpp"

namespace shoal::scenario {
namespace {

// One progress line on stderr for all runs: "static 40% | reactive 38% | predictive 0%".
class Progress {
 public:
  Progress(std::vector<std::string> names, bool on) : names_(std::move(names)), done_(names_.size(), 0), on_(on) {}
  void set(std::size_t i, uint32_t tick, uint32_t ticks) {
    std::lock_guard<std::mutex> g(mu_);
    const uint32_t pct = ticks ? 100u * tick / ticks : 100u;
    if (pct / 5 == done_[i] / 5 && pct != 100u) {
      done_[i] = pct;
      return;
    }
    done_[i] = pct;
    if (!on_) return;
    std::string line = "\rscenario:";
    for (std::size_t k = 0; k < names_.size(); ++k)
      line += (k ? " | " : " ") + names_[k] + " " + std::to_string(done_[k]) + "%";
    std::fputs(line.c_str(), stderr);
    std::fflush(stderr);
  }
  void end() {
    if (on_) std::fputs("\n", stderr);
  }

 private:
  std::vector<std::string> names_;
  std::vector<uint32_t> done_;
  bool on_;
  std::mutex mu_;
};

bool write_file(const std::string& path, const std::string& text) {
  std::ofstream f(path);
  f << text;
  return bool(f);
}

}  // namespace

int run_cli(const CliOptions& o) {
  Scenario s;
  try {
    s = load_scenario(o.file);
  } catch (const ScenarioError& e) {
    std::fprintf(stderr, "shoal-sim: bad scenario: %s\n", e.what());
    return 2;
  }
  std::vector<Policy> policies;
  if (!o.compare.empty() && !o.policy.empty()) {
    std::fprintf(stderr, "shoal-sim: --policy and --compare exclude each other\n");
    return 2;
  }
  if (!o.compare.empty()) {
    std::stringstream ss(o.compare);
    for (std::string item; std::getline(ss, item, ',');) {
      Policy p;
      if (!parse_policy(item, &p)) {
        std::fprintf(stderr, "shoal-sim: --compare: '%s' is not a policy (static, reactive, predictive)\n", item.c_str());
        return 2;
      }
      policies.push_back(p);
    }
  } else {
    Policy p = s.policy;
    if (!o.policy.empty() && !parse_policy(o.policy, &p)) {
      std::fprintf(stderr, "shoal-sim: --policy: '%s' is not a policy (static, reactive, predictive)\n", o.policy.c_str());
      return 2;
    }
    policies.push_back(p);
  }
  std::error_code ec;
  std::filesystem::create_directories(o.out, ec);
  if (ec) {
    std::fprintf(stderr, "shoal-sim: cannot create %s: %s\n", o.out.c_str(), ec.message().c_str());
    return 1;
  }
  std::printf("scenario %s (%s): %zu partitions, %u steps of %llu card cycles (%g s of scenario time each), policy %s\n",
              s.name.c_str(), o.file.c_str(), s.parts.size(), s.steps, static_cast<unsigned long long>(s.step_cycles),
              s.step_seconds, o.compare.empty() ? to_string(policies[0]) : o.compare.c_str());
  std::fflush(stdout);

  std::vector<std::string> names;
  for (Policy p : policies) names.push_back(to_string(p));
  Progress prog(names, o.progress);
  std::vector<RunResult> runs(policies.size());
  std::vector<std::string> errors(policies.size());
  const unsigned jobs = o.jobs ? o.jobs : 1;
  for (std::size_t first = 0; first < policies.size(); first += jobs) {
    std::vector<std::thread> th;
    for (std::size_t i = first; i < policies.size() && i < first + jobs; ++i)
      th.emplace_back([&, i] {
        try {
          runs[i] = run_scenario(s, policies[i], [&, i](uint32_t t, uint32_t n) { prog.set(i, t, n); });
        } catch (const std::exception& e) {
          errors[i] = e.what();
        }
      });
    for (auto& t : th) t.join();
  }
  prog.end();
  for (std::size_t i = 0; i < policies.size(); ++i)
    if (!errors[i].empty()) {
      std::fprintf(stderr, "shoal-sim: the %s run failed: %s\n", names[i].c_str(), errors[i].c_str());
      return 1;
    }

  std::vector<SummaryRow> rows;
  std::vector<const RunResult*> ptrs;
  for (const RunResult& r : runs) {
    std::printf("\n== %s\n%s", to_string(r.policy), narrative(r, tell(r)).c_str());
    std::printf("  (booted in %llu cycles; %llu card cycles in %.1f s: %.0f k cycles/s; the firmware ran %u epochs, %u decisions, %u migrations, "
                "%u rollbacks; %zu audit records%s)\n",
                static_cast<unsigned long long>(r.boot_cycles), static_cast<unsigned long long>(r.run_cycles), r.wall_seconds,
                r.wall_seconds > 0 ? r.run_cycles / r.wall_seconds / 1000 : 0.0, r.fw_epochs, r.decisions, r.fw_migrations,
                r.fw_rollbacks, r.audit.size(), r.audit_gaps ? ", some dropped" : "");
    rows.push_back(summarize(r));
    ptrs.push_back(&r);
  }
  std::printf("\n%s", table_text(rows).c_str());
  const std::string base = (s.name.empty() ? std::string("scenario") : s.name) +
                           (o.compare.empty() ? "-" + names[0] : std::string("-compare"));
  if (!write_file(o.out + "/" + base + ".json", table_json(rows))) {
    std::fprintf(stderr, "shoal-sim: cannot write %s/%s.json\n", o.out.c_str(), base.c_str());
    return 1;
  }
  const std::string err = plot(ptrs, o.out, base);
  if (!err.empty()) {
    std::fprintf(stderr, "shoal-sim: no picture: %s\n", err.c_str());
    return 1;
  }
  std::printf("wrote %s/%s.png (timeline), %s/%s.json (table)\n", o.out.c_str(), base.c_str(), o.out.c_str(), base.c_str());
  return 0;
}

}  // namespace shoal::scenario
