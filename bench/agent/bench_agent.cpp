// bench-agent: how long the HAL takes to apply a decision on this host, per backend.
//   host cgroup v1 cpuset   a real CPU move (assign_cpu: read, plan, write, read back, the
//                           member tasks' affinity checked) between two throwaway partition
//                           cgroups holding live processes; and one raw cpuset.cpus write
//   file tree (v1, v2)      the same move over the emulated kernel files
//   file tree resctrl       set_cache_ways with two partitions (schemata written, read back)
//   dry run                 the move planned and journaled over the host (or the file tree)
// Each figure is p50 / p99 over --iterations moves (alternating directions). The card decision
// -> host change -> acknowledgement path is measured once the card connection exists.
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "bench_report.hpp"
#include "config.hpp"
#include "file_tree.hpp"
#include "host.hpp"

using namespace shoal::agent;
namespace fs = std::filesystem;
using shoal::bench::json_object;

namespace {

struct Stats {
  double p50 = 0, p99 = 0;
};

Stats stats(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  auto at = [&](double q) { return v[std::min(v.size() - 1, static_cast<std::size_t>(q * static_cast<double>(v.size())))]; };
  return {at(0.50), at(0.99)};
}

double time_us(const std::function<bool()>& f, bool& ok) {
  const auto t0 = std::chrono::steady_clock::now();
  ok = f();
  return std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count();
}

std::string error_of;  // the first failure, for the notes

struct Loaded {
  Config cfg;
  std::unique_ptr<HostStack> host;
};

bool load(const fs::path& dir, const std::string& text, bool dry, Loaded& l) {
  const fs::path p = dir / ("agent" + std::to_string(dry) + ".toml");
  std::ofstream(p) << text;
  std::vector<ConfigError> errors;
  auto cfg = load_config(p.string(), errors);
  if (!cfg) {
    error_of = cfg.error().message;
    return false;
  }
  l.cfg = *cfg;
  auto h = open_host(l.cfg, dry);
  if (!h) {
    error_of = h.error().message;
    return false;
  }
  l.host = std::move(*h);
  if (auto r = build_hal(*l.host, l.cfg); !r) {
    error_of = r.error().message;
    return false;
  }
  if (auto r = l.host->hal->ensure_partitions(); !r) {
    error_of = r.error().message;
    return false;
  }
  return true;
}

std::string partitions(const std::string& a, const std::string& b, const std::string& type = "member") {
  return "[[partition]]\nid = 0\nname = \"a\"\ncgroup = \"" + a + "\"\nfixed_cpus = \"0\"\nresctrl_group = \"bench-a\"\ntype = \"" +
         type + "\"\n\n[[partition]]\nid = 1\nname = \"b\"\ncgroup = \"" + b +
         "\"\nfixed_cpus = \"0\"\nresctrl_group = \"bench-b\"\ntype = \"" + type + "\"\n\n[processors]\n0 = 1\n";
}

// Moves CPU 1 between the two partitions `n` times; the time of each move.
std::vector<double> moves(Hal& hal, int n) {
  std::vector<double> t;
  for (int i = 0; i < n; ++i) {
    bool ok = false;
    const double us = time_us(
        [&] {
          auto r = hal.assign_cpu(1, i % 2);
          if (!r && error_of.empty()) error_of = r.error().message;
          return r.ok();
        },
        ok);
    if (!ok) return {};
    t.push_back(us);
  }
  return t;
}

pid_t sleeper() {
  const pid_t p = ::fork();
  if (p == 0) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    ::alarm(120);
    for (;;) ::pause();
  }
  return p;
}

void add(shoal::bench::Report& rep, const std::string& name, const std::vector<double>& t, const std::string& backend,
         int iterations, const std::string& what) {
  const auto params = json_object({{"backend", backend}, {"iterations", std::to_string(iterations)}, {"what", what}});
  if (t.empty()) {
    rep.add(name + ".p50", std::nullopt, "us", params);
    rep.add(name + ".p99", std::nullopt, "us", params);
    return;
  }
  const Stats s = stats(t);
  rep.add(name + ".p50", s.p50, "us", params).shown = backend;
  rep.add(name + ".p99", s.p99, "us", params).shown = backend;
}

}  // namespace

int main(int argc, char** argv) {
  std::string json_path;
  int iterations = 200;
  for (int i = 1; i < argc; ++i) {
    if (shoal::bench::json_arg(argc, argv, i, json_path)) continue;
    if (std::strcmp(argv[i], "--iterations") == 0 && i + 1 < argc) {
      iterations = std::max(2, std::atoi(argv[++i]));
      continue;
    }
    if (std::strcmp(argv[i], "--help") == 0 || std::strcmp(argv[i], "-h") == 0) {
      std::printf("usage: bench-agent [--iterations N] [--json FILE]\n"
                  "HAL apply latency (p50/p99, us) per backend: the host's cgroup v1 cpuset (throwaway cgroups,\n"
                  "live processes; n/a when not writable), file tree v1/v2/resctrl, dry run.\n");
      return 0;
    }
    std::fprintf(stderr, "bench-agent: unknown argument %s (see --help)\n", argv[i]);
    return 2;
  }
  shoal::bench::Report rep("bench-agent", 1);
  char tmpl[] = "/tmp/bench-agent-XXXXXX";
  if (!::mkdtemp(tmpl)) {
    std::perror("bench-agent: mkdtemp");
    return 1;
  }
  const fs::path tmp = tmpl;

  // ---- the host's cgroup v1 cpuset ----
  HostFs host;
  HalSettings probe_settings;
  probe_settings.cpuset = "v1";
  const HalInfo hinfo = probe_host(host, probe_settings);
  bool host_ok = hinfo.cpuset.flavor == "v1" && hinfo.online.test(0) && hinfo.online.test(1);
  std::string host_note = host_ok ? "" : (hinfo.cpuset.flavor.empty() ? hinfo.cpuset.problem : "needs CPUs 0 and 1 online");
  std::vector<double> host_moves, host_raw, dry_moves;
  if (host_ok) {
    const std::string base = hinfo.cpuset.mount + "/shoal-agent-bench-" + std::to_string(::getpid());
    if (const int e = host.mkdir(base)) {
      host_ok = false;
      host_note = "cannot create a cgroup under " + hinfo.cpuset.mount + ": " + errno_text(e);
    } else {
      std::vector<pid_t> kids;
      {
        std::string cpus, mems;
        (void)read_trimmed(host, hinfo.cpuset.mount + "/cpuset.cpus", cpus);
        (void)read_trimmed(host, hinfo.cpuset.mount + "/cpuset.mems", mems);
        (void)host.write(base + "/cpuset.cpus", cpus + "\n");
        (void)host.write(base + "/cpuset.mems", mems + "\n");
        Loaded l;
        const std::string text = "[hal]\ncpuset = \"v1\"\nresctrl = \"off\"\nhotplug = \"off\"\n\n" +
                                 partitions(base + "/a", base + "/b");
        if (load(tmp, text, false, l)) {
          for (const char* p : {"a", "b"}) {
            kids.push_back(sleeper());
            (void)host.write(base + "/" + p + "/cgroup.procs", std::to_string(kids.back()) + "\n");
          }
          host_moves = moves(*l.host->hal, iterations);
          // a bare write of the same change, for the HAL's own cost
          for (int i = 0; i < iterations; ++i) {
            bool ok = false;
            const double us = time_us([&] { return host.write(base + "/a/cpuset.cpus", i % 2 ? "0\n" : "0-1\n") == 0; }, ok);
            if (!ok) {
              host_raw.clear();
              break;
            }
            host_raw.push_back(us);
          }
          Loaded d;
          if (load(tmp, text, true, d)) dry_moves = moves(*d.host->hal, iterations);
        } else {
          host_note = error_of;
        }
      }
      for (pid_t k : kids) {
        ::kill(k, SIGKILL);
        ::waitpid(k, nullptr, 0);
      }
      for (const char* d : {"/a", "/b", ""}) ::rmdir((base + d).c_str());
    }
  }
  add(rep, "hal.assign_cpu.cpuset_v1_host", host_moves, "cgroup v1 cpuset (this host)", iterations,
      "move CPU 1 between two partition cgroups with one live process each");
  add(rep, "raw.cpuset_cpus_write.cpuset_v1_host", host_raw, "cgroup v1 cpuset (this host)", iterations,
      "one write(2) of cpuset.cpus (no planning, no read-back)");
  if (!host_ok) rep.note("host cgroup v1 cpuset: n/a: " + host_note);

  // ---- file trees ----
  auto tree = [&](const std::string& name, const std::string& cgroup) {
    FileTreeSpec s;
    s.cgroup = cgroup;
    s.cpus = 4;
    auto t = FileTree::create((tmp / name).string(), s);
    if (!t) return std::unique_ptr<FileTree>();
    return std::move(*t);
  };
  std::vector<double> t1, t2, trc, tdry;
  if (auto t = tree("v1", "v1")) {
    Loaded l;
    const std::string text = "[hal]\nmode = \"file-tree\"\nfile_tree = \"" + t->root() + "\"\ncpuset = \"v1\"\n\n" +
                             partitions("shoal/a", "shoal/b");
    if (load(tmp, text, false, l)) {
      t->spawn(100);
      t->spawn(101);
      (void)t->write("/sys/fs/cgroup/cpuset/shoal/a/tasks", "100");
      (void)t->write("/sys/fs/cgroup/cpuset/shoal/b/tasks", "101");
      t1 = moves(*l.host->hal, iterations);
      for (int i = 0; i < iterations; ++i) {
        bool ok = false;
        const std::map<int, int> ways = i % 2 ? std::map<int, int>{{0, 4}, {1, 3}} : std::map<int, int>{{0, 2}, {1, 6}};
        const double us = time_us([&] { return l.host->hal->set_cache_ways(ways).ok(); }, ok);
        if (!ok) {
          trc.clear();
          break;
        }
        trc.push_back(us);
      }
      if (!host_ok) {
        Loaded d;
        if (load(tmp, text, true, d)) tdry = moves(*d.host->hal, iterations);
      }
    }
  }
  if (auto t = tree("v2", "v2")) {
    Loaded l;
    const std::string text = "[hal]\nmode = \"file-tree\"\nfile_tree = \"" + t->root() + "\"\ncpuset = \"v2\"\n\n" +
                             partitions("a", "b", "member");
    if (load(tmp, text, false, l)) t2 = moves(*l.host->hal, iterations);
  }
  add(rep, "hal.assign_cpu.file_tree_v1", t1, "file tree, cgroup v1", iterations, "the same move over the emulated files");
  add(rep, "hal.assign_cpu.file_tree_v2", t2, "file tree, cgroup v2", iterations, "the same move, v2 members");
  add(rep, "hal.set_cache_ways.file_tree_resctrl", trc, "file tree, resctrl", iterations,
      "two partitions' L3 masks written and read back");
  if (host_ok)
    add(rep, "hal.assign_cpu.dry_run_host", dry_moves, "dry run over this host", iterations,
        "the move planned and journaled, nothing written");
  else
    add(rep, "hal.assign_cpu.dry_run_file_tree", tdry, "dry run over a file tree", iterations,
        "the move planned and journaled, nothing written");
  rep.add("agent.decision_to_ack", std::nullopt, "us", json_object({{"why", "needs the card connection (issue 17, card side)"}}))
      .shown = "card decision -> host change -> acknowledgement: not connected yet";
  if (!error_of.empty()) rep.note("first failure: " + error_of);
  rep.note("file trees live in " + tmp.string() + " (removed); a file-tree write is several file writes and renames");
  rep.print_table();
  std::error_code ec;
  fs::remove_all(tmp, ec);
  if (!json_path.empty() && !rep.write_json(json_path)) return 1;
  return 0;
}
