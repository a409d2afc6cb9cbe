// shoal-agent: applies a Shoal card's processor and resource decisions to this Linux host through
// the HAL (cgroup cpusets, resctrl, CPU hotplug). The card connection (events in, acknowledgements
// out) is not here yet — see agent.hpp for the seam; this binary checks the configuration and the
// host, shows the host's state, applies decisions by hand, reconciles and samples telemetry.
#include <CLI/CLI.hpp>

#include <chrono>
#include <cstdio>
#include <iostream>
#include <thread>

#include <nlohmann/json.hpp>

#include "agent.hpp"
#include "config.hpp"
#include "file_tree.hpp"
#include "host.hpp"
#include "reconcile.hpp"
#include "telemetry.hpp"

using namespace shoal::agent;
using json = nlohmann::ordered_json;

namespace {

constexpr int kExitOk = 0;
constexpr int kExitHost = 1;     // the host refused or lacks an interface; see the message
constexpr int kExitUsage = 2;    // bad command line or configuration; nothing was changed
constexpr int kExitDiffers = 3;  // reconcile (without --repair) found differences

const char* kFooter = R"(Exit codes:
  0  success
  1  the host refused a change or lacks a configured interface (the message says which;
     a refused change is rolled back)
  2  bad command line or configuration file (file:line: key: reason); nothing was changed
  3  reconcile found differences (without --repair)

Card processors and partitions are the card's numbers; [processors] in the configuration maps
each card processor to a host CPU. --partition takes a partition id or name.
The card connection (decisions as events, acknowledgements through the card's registers) is not
connected yet: these commands apply decisions by hand. See services/shoal-agent/README.md and
agent.example.toml.)";

struct Opts {
  std::string config = "/etc/shoal/agent.toml";
  bool check = false, json = false, dry_run = false;
  int proc = -1;
  std::string partition;
  std::string ways;
  int percent = -1;
  std::string desired;
  bool repair = false;
  int count = 1, interval_ms = -1;
  std::string tree_dir;
  int tree_cpus = 4;
  std::string tree_cgroup = "v1";
  bool tree_no_resctrl = false;
  int tree_pid = 0;
  std::string tree_name = "task";
};

void print_json(const json& j) { std::cout << j.dump(2) << "\n"; }

int usage(const std::string& msg) {
  std::cerr << "shoal-agent: " << msg << "\n";
  return kExitUsage;
}

struct Loaded {
  Config cfg;
  std::unique_ptr<HostStack> host;
};

// Loads the configuration, opens and probes the host; with `hal`, also builds the HAL and
// refuses configurations the host cannot satisfy (CPUs that do not exist, ...).
int load(const Opts& o, Loaded& l, bool hal, std::vector<ConfigError>* errors_out = nullptr) {
  std::vector<ConfigError> errors;
  auto cfg = load_config(o.config, errors);
  if (errors_out) *errors_out = errors;
  if (!cfg) {
    if (!errors_out)
      for (const auto& e : errors) std::cerr << "shoal-agent: " << e.text() << "\n";
    return kExitUsage;
  }
  l.cfg = std::move(*cfg);
  auto h = open_host(l.cfg, o.dry_run);
  if (!h) {
    std::cerr << "shoal-agent: " << h.error().message << "\n";
    return kExitUsage;
  }
  l.host = std::move(*h);
  if (!hal) return kExitOk;
  const auto host_errors = check_config_against_host(l.cfg, l.host->info);
  bool bad = false;
  for (const auto& e : host_errors) {
    std::cerr << "shoal-agent: " << e.text() << "\n";
    bad = bad || !e.warning;
  }
  if (bad) return kExitUsage;
  if (auto r = build_hal(*l.host, l.cfg); !r) {
    std::cerr << "shoal-agent: " << r.error().message << "\n";
    return kExitHost;
  }
  return kExitOk;
}

int resolve_partition(const Config& cfg, const std::string& s, int& id) {
  if (const auto* p = cfg.partition_by_name(s)) {
    id = p->id;
    return 0;
  }
  if (!s.empty() && s.find_first_not_of("0123456789") == std::string::npos && s.size() < 6) {
    if (const auto* p = cfg.partition_by_id(std::stoi(s))) {
      id = p->id;
      return 0;
    }
  }
  std::string known;
  for (const auto& p : cfg.hal.partitions) known += (known.empty() ? "" : ", ") + std::to_string(p.id) + " (" + p.name + ")";
  usage("unknown partition '" + s + "'; " + cfg.path + " has " + known + "; nothing changed");
  return kExitUsage;
}

void print_journal(const Loaded& l) {
  if (!l.host->dry) return;
  std::cout << "dry run: nothing was changed; these writes would be made:\n";
  if (l.host->dry->journal().empty()) std::cout << "  (none)\n";
  for (const auto& j : l.host->dry->journal()) std::cout << "  " << j << "\n";
}

json journal_json(const Loaded& l) {
  json a = json::array();
  if (l.host->dry)
    for (const auto& j : l.host->dry->journal()) a.push_back(j);
  return a;
}

// ---- --check ---------------------------------------------------------------------------------

int cmd_check(const Opts& o) {
  std::vector<ConfigError> errors;
  Loaded l;
  json j;
  j["config"] = o.config;
  const int rc = load(o, l, false, &errors);
  json problems = json::array();
  for (const auto& e : errors)
    problems.push_back({{"file", e.file}, {"line", e.line}, {"column", e.column}, {"key", e.key}, {"reason", e.reason},
                        {"warning", e.warning}, {"text", e.text()}});
  if (rc != kExitOk && errors.empty()) return rc;  // host could not be opened: message printed
  if (rc != kExitOk) {
    if (o.json) {
      j["ok"] = false;
      j["problems"] = problems;
      print_json(j);
    } else {
      std::cout << "configuration " << o.config << ": REFUSED\n";
      for (const auto& e : errors) std::cout << "  " << e.text() << "\n";
    }
    return kExitUsage;
  }
  const Config& cfg = l.cfg;
  const HalInfo& info = l.host->info;
  bool ok = true;
  for (const auto& e : check_config_against_host(cfg, info)) {
    problems.push_back({{"file", e.file}, {"line", e.line}, {"column", e.column}, {"key", e.key}, {"reason", e.reason},
                        {"warning", e.warning}, {"text", e.text()}});
    ok = ok && e.warning;
  }
  std::string hal_error;
  if (auto r = build_hal(*l.host, cfg); !r) {
    hal_error = r.error().message;
    problems.push_back({{"file", cfg.path}, {"line", 0}, {"column", 0}, {"key", "hal"}, {"reason", hal_error},
                        {"warning", false}, {"text", hal_error}});
    ok = false;
  }
  std::optional<HostState> hs;
  if (l.host->hal) {
    auto st = l.host->hal->read_state();
    if (st) hs = std::move(*st);
    else {
      problems.push_back({{"file", cfg.path}, {"line", 0}, {"column", 0}, {"key", "host"},
                          {"reason", st.error().message}, {"warning", false}, {"text", st.error().message}});
      ok = false;
    }
  }
  auto wr = [](int e) { return e == 0 ? std::string("writable") : "not writable: " + errno_text(e); };
  if (info.cpuset.flavor.empty() == false && info.cpuset.writable != 0) ok = false;

  j["ok"] = ok;
  j["mode"] = cfg.mode;
  if (!cfg.file_tree.empty()) j["file_tree"] = cfg.file_tree;
  j["dry_run"] = l.host->dry != nullptr;
  j["backends"] = l.host->hal ? l.host->hal->backends() : "";
  j["cpus"] = {{"possible", info.possible.list()}, {"online", info.online.list()}};
  j["cpuset"] = {{"flavor", info.cpuset.flavor},       {"mount", info.cpuset.mount},
                 {"cpuacct_mount", info.cpuset.cpuacct_mount}, {"writable", info.cpuset.writable == 0},
                 {"problem", info.cpuset.problem}};
  j["resctrl"] = {{"present", info.resctrl.present}, {"mount", info.resctrl.mount},
                  {"cbm_mask", info.resctrl.cbm_mask},  {"cbm_len", info.resctrl.cbm_len},
                  {"min_cbm_bits", info.resctrl.min_cbm_bits}, {"num_closids", info.resctrl.num_closids},
                  {"domains", info.resctrl.domains}, {"mba", info.resctrl.mba}, {"mb_min", info.resctrl.mb_min},
                  {"mb_gran", info.resctrl.mb_gran}, {"mon_features", info.resctrl.mon_features},
                  {"writable", info.resctrl.present && info.resctrl.writable == 0}, {"problem", info.resctrl.problem}};
  j["hotplug"] = {{"present", info.hotplug.present}, {"hotpluggable", info.hotplug.hotpluggable.list()},
                  {"writable", info.hotplug.present && info.hotplug.writable == 0}, {"problem", info.hotplug.problem}};
  json parts = json::array();
  const auto& specs = l.host->hal ? l.host->hal->settings().partitions : cfg.hal.partitions;
  for (const auto& p : specs) {
    json pj = {{"id", p.id}, {"name", p.name}, {"cgroup", p.cgroup}, {"type", partition_type_name(p.type)},
               {"fixed_cpus", p.fixed_cpus.list()}, {"usage_cgroup", p.usage_cgroup}, {"resctrl_group", p.resctrl_group}};
    if (hs)
      if (const auto* st = hs->find(p.id)) {
        pj["exists"] = st->exists;
        pj["cpus"] = st->cpus.list();
        pj["effective"] = st->effective.list();
        pj["partition"] = st->partition;
        pj["tasks"] = st->tasks.size();
        pj["resctrl_exists"] = st->rc_exists;
      }
    parts.push_back(pj);
  }
  j["partitions"] = parts;
  json procs = json::array();
  for (const auto& [proc, cpu] : cfg.processors) {
    json pj = {{"card", proc}, {"cpu", cpu}, {"exists", info.possible.test(cpu)}, {"online", info.online.test(cpu)}};
    json in = json::array();
    if (hs)
      for (const auto& st : hs->partitions)
        if (st.cpus.test(cpu)) in.push_back(st.id);
    pj["partitions"] = in;
    procs.push_back(pj);
  }
  j["processors"] = procs;
  j["problems"] = problems;

  if (o.json) {
    print_json(j);
    return ok ? kExitOk : kExitHost;
  }
  std::cout << "configuration " << cfg.path << ": ok (" << cfg.hal.partitions.size() << " partition(s), "
            << cfg.processors.size() << " card processor(s); mode " << cfg.mode
            << (cfg.mode == "file-tree" ? " " + cfg.file_tree : "") << (l.host->dry ? ", dry run" : "") << ")\n";
  std::cout << "host (" << info.fs << "):\n";
  std::cout << "  CPUs      possible " << info.possible.list() << ", online " << info.online.list() << "\n";
  if (info.cpuset.flavor.empty()) std::cout << "  cpuset    absent: " << info.cpuset.problem << "\n";
  else
    std::cout << "  cpuset    cgroup " << info.cpuset.flavor << " at " << info.cpuset.mount << " ("
              << wr(info.cpuset.writable) << "; by permissions and mount flags, nothing was written)"
              << (info.cpuset.cpuacct_mount.empty() ? "" : "; cpuacct at " + info.cpuset.cpuacct_mount) << "\n";
  if (!info.resctrl.present) std::cout << "  resctrl   absent: " << info.resctrl.problem << "\n";
  else {
    char mask[32];
    std::snprintf(mask, sizeof mask, "%lx", info.resctrl.cbm_mask);
    std::cout << "  resctrl   at " << info.resctrl.mount << " (" << wr(info.resctrl.writable) << "): L3 cbm_mask " << mask
              << " (" << info.resctrl.cbm_len << " ways), min_cbm_bits " << info.resctrl.min_cbm_bits << ", "
              << info.resctrl.num_closids << " CLOSIDs, " << info.resctrl.domains.size() << " domain(s)";
    if (info.resctrl.mba) std::cout << "; MB min " << info.resctrl.mb_min << "% step " << info.resctrl.mb_gran << "%";
    if (!info.resctrl.mon_features.empty()) {
      std::cout << "; monitoring:";
      for (const auto& f : info.resctrl.mon_features) std::cout << " " << f;
    }
    std::cout << (info.resctrl.problem.empty() ? "" : "; " + info.resctrl.problem) << "\n";
  }
  if (!info.hotplug.present) std::cout << "  hotplug   absent: " << info.hotplug.problem << "\n";
  else
    std::cout << "  hotplug   CPUs " << info.hotplug.hotpluggable.list() << " hot-pluggable (" << wr(info.hotplug.writable)
              << "); CPU 0 is never parked\n";
  if (l.host->hal) std::cout << "  backends  " << l.host->hal->backends() << "\n";
  std::cout << "partitions:\n";
  for (const auto& pj : parts) {
    std::cout << "  " << pj["id"].get<int>() << " " << pj["name"].get<std::string>() << "  " << pj["cgroup"].get<std::string>();
    if (pj.contains("exists")) {
      if (!pj["exists"].get<bool>()) std::cout << "  absent" << (cfg.hal.create ? " (created on first use)" : "");
      else {
        std::cout << "  cpus {" << pj["cpus"].get<std::string>() << "} effective {" << pj["effective"].get<std::string>()
                  << "} " << pj["tasks"].get<std::size_t>() << " task(s)";
        if (!pj["partition"].get<std::string>().empty()) std::cout << " partition \"" << pj["partition"].get<std::string>() << "\"";
      }
    }
    if (!pj["resctrl_group"].get<std::string>().empty()) std::cout << "; resctrl " << pj["resctrl_group"].get<std::string>();
    std::cout << "\n";
  }
  std::cout << "processors (card -> host CPU):\n";
  for (const auto& pj : procs) {
    std::cout << "  " << pj["card"].get<int>() << " -> CPU " << pj["cpu"].get<int>();
    if (!pj["exists"].get<bool>()) std::cout << "  DOES NOT EXIST";
    else if (!pj["online"].get<bool>()) std::cout << "  offline";
    if (!pj["partitions"].empty()) {
      std::cout << "  in partition";
      for (const auto& id : pj["partitions"]) std::cout << " " << id.get<int>();
    }
    std::cout << "\n";
  }
  if (!problems.empty()) {
    std::cout << "problems:\n";
    for (const auto& p : problems) std::cout << "  " << p["text"].get<std::string>() << "\n";
  }
  std::cout << (ok ? "check: ok\n" : "check: FAILED\n");
  return ok ? kExitOk : kExitHost;
}

// ---- state -----------------------------------------------------------------------------------

int cmd_state(const Opts& o) {
  Loaded l;
  if (const int rc = load(o, l, true)) return rc;
  auto st = l.host->hal->read_state();
  if (!st) {
    std::cerr << "shoal-agent: " << st.error().message << "\n";
    return kExitHost;
  }
  json j;
  j["backends"] = l.host->hal->backends();
  j["online"] = st->online.list();
  json parts = json::array();
  for (const auto& p : st->partitions) {
    json pj = {{"id", p.id}, {"name", p.name}, {"cgroup", p.cgroup}, {"exists", p.exists}, {"cpus", p.cpus.list()},
               {"effective", p.effective.list()}, {"partition", p.partition}, {"exclusive", p.exclusive},
               {"tasks", p.tasks}};
    json stray = json::array();
    for (const auto& [tid, m] : p.stray) stray.push_back({{"tid", tid}, {"affinity", m.list()}});
    pj["affinity_differs"] = stray;
    if (!p.rc_group.empty()) {
      json l3 = json::object(), mb = json::object();
      for (const auto& [d, v] : p.l3) {
        char b[24];
        std::snprintf(b, sizeof b, "%lx", v);
        l3[std::to_string(d)] = b;
      }
      for (const auto& [d, v] : p.mb) mb[std::to_string(d)] = v;
      pj["resctrl"] = {{"group", p.rc_group}, {"exists", p.rc_exists}, {"mode", p.rc_mode}, {"l3", l3}, {"mb", mb},
                       {"tasks", p.rc_tasks.size()}};
    }
    parts.push_back(pj);
  }
  j["partitions"] = parts;
  json procs = json::object();
  for (const auto& [proc, cpu] : l.cfg.processors) {
    json in = json::array();
    for (const auto& p : st->partitions)
      if (p.cpus.test(cpu)) in.push_back(p.id);
    procs[std::to_string(proc)] = {{"cpu", cpu}, {"online", st->online.test(cpu)}, {"partitions", in}};
  }
  j["processors"] = procs;
  if (o.json) {
    print_json(j);
    return kExitOk;
  }
  std::cout << l.host->hal->backends() << "; online CPUs " << st->online.list() << "\n";
  for (const auto& p : st->partitions) {
    std::cout << "partition " << p.id << " '" << p.name << "' " << p.cgroup << ": ";
    if (!p.exists) {
      std::cout << "absent\n";
      continue;
    }
    std::cout << "cpus {" << p.cpus.list() << "} effective {" << p.effective.list() << "}";
    if (!p.partition.empty()) std::cout << " \"" << p.partition << "\"";
    if (p.exclusive) std::cout << " exclusive";
    std::cout << ", " << p.tasks.size() << " task(s)";
    if (!p.stray.empty()) std::cout << ", " << p.stray.size() << " with a different affinity";
    std::cout << "\n";
    if (!p.rc_group.empty()) {
      std::cout << "  resctrl " << p.rc_group << ": ";
      if (!p.rc_exists) std::cout << "absent\n";
      else {
        std::cout << p.rc_mode << ", L3";
        for (const auto& [d, v] : p.l3) {
          char b[24];
          std::snprintf(b, sizeof b, "%lx", v);
          std::cout << " " << d << "=" << b;
        }
        std::cout << ", MB";
        for (const auto& [d, v] : p.mb) std::cout << " " << d << "=" << v << "%";
        std::cout << ", " << p.rc_tasks.size() << " task(s)\n";
      }
    }
  }
  for (const auto& [proc, cpu] : l.cfg.processors) {
    std::cout << "card processor " << proc << " = CPU " << cpu << (st->online.test(cpu) ? "" : " (offline)") << ":";
    bool any = false;
    for (const auto& p : st->partitions)
      if (p.cpus.test(cpu)) {
        std::cout << " '" << p.name << "'";
        any = true;
      }
    std::cout << (any ? "" : " no partition") << "\n";
  }
  return kExitOk;
}

// ---- apply / release / park / unpark / cache / bandwidth -------------------------------------

int run_decision(const Opts& o, Loaded& l, const Decision& d, const std::string& what) {
  if (auto r = l.host->hal->ensure_partitions(); !r) {
    std::cerr << "shoal-agent: " << r.error().message << "\n";
    return kExitHost;
  }
  Agent agent(*l.host->hal, l.cfg);
  const Ack a = agent.apply(d);
  if (o.json) {
    print_json({{"decision", decision_kind_name(d.kind)}, {"what", what}, {"status", ack_status_name(a.status)},
                {"reason", a.reason}, {"apply_us", a.apply_us}, {"dry_run", l.host->dry != nullptr},
                {"journal", journal_json(l)}});
  } else if (a.status == Ack::Status::failed) {
    std::cerr << "shoal-agent: " << what << ": FAILED: " << a.reason << "\n";
    print_journal(l);
  } else {
    char us[32];
    std::snprintf(us, sizeof us, "%.0f", a.apply_us);
    std::cout << what << ": " << ack_status_name(a.status) << " (" << l.host->hal->backends() << ", " << us << " us)\n";
    print_journal(l);
  }
  return a.status == Ack::Status::failed ? kExitHost : kExitOk;
}

int cmd_processor(const Opts& o, Decision::Kind kind) {
  Loaded l;
  if (const int rc = load(o, l, true)) return rc;
  const auto it = l.cfg.processors.find(o.proc);
  if (it == l.cfg.processors.end()) {
    std::string known;
    for (const auto& [p, c] : l.cfg.processors) known += (known.empty() ? "" : ", ") + std::to_string(p);
    return usage("card processor " + std::to_string(o.proc) + " is not in " + l.cfg.path + " [processors] (" + known +
                 "); nothing changed");
  }
  Decision d;
  d.kind = kind;
  d.processor = o.proc;
  std::string what = std::string(decision_kind_name(kind)) + " card processor " + std::to_string(o.proc) + " (host CPU " +
                     std::to_string(it->second) + ")";
  if (kind == Decision::Kind::assign) {
    if (const int rc = resolve_partition(l.cfg, o.partition, d.partition)) return rc;
    what += " to partition " + std::to_string(d.partition) + " '" + l.cfg.partition_by_id(d.partition)->name + "'";
  }
  return run_decision(o, l, d, what);
}

int cmd_cache(const Opts& o) {
  Loaded l;
  if (const int rc = load(o, l, true)) return rc;
  std::map<int, int> ways;
  std::size_t p = 0;
  while (p < o.ways.size()) {
    std::size_t e = o.ways.find(',', p);
    if (e == std::string::npos) e = o.ways.size();
    const std::string item = o.ways.substr(p, e - p);
    p = e + 1;
    const auto eq = item.find('=');
    if (eq == std::string::npos) return usage("--ways: expected PARTITION=WAYS[,...], got '" + item + "'");
    int id = -1;
    if (const int rc = resolve_partition(l.cfg, item.substr(0, eq), id)) return rc;
    const std::string w = item.substr(eq + 1);
    if (w.empty() || w.find_first_not_of("0123456789") != std::string::npos || w.size() > 3)
      return usage("--ways: '" + w + "' is not a number of ways");
    ways[id] = std::stoi(w);
  }
  if (ways.empty()) return usage("--ways: nothing given");
  if (auto r = l.host->hal->ensure_partitions(); !r) {
    std::cerr << "shoal-agent: " << r.error().message << "\n";
    return kExitHost;
  }
  const auto t0 = std::chrono::steady_clock::now();
  auto r = l.host->hal->set_cache_ways(ways);
  const double us = std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count();
  if (o.json) {
    print_json({{"ok", r.ok()}, {"reason", r.ok() ? "" : r.error().message}, {"apply_us", us}, {"journal", journal_json(l)}});
  } else if (!r) {
    std::cerr << "shoal-agent: cache ways: FAILED: " << r.error().message << "\n";
  } else {
    std::cout << "cache ways set (" << us << " us)\n";
    print_journal(l);
  }
  return r ? kExitOk : (r.code() == shoal::Errc::invalid_arg ? kExitUsage : kExitHost);
}

int cmd_bandwidth(const Opts& o) {
  Loaded l;
  if (const int rc = load(o, l, true)) return rc;
  int id = -1;
  if (const int rc = resolve_partition(l.cfg, o.partition, id)) return rc;
  Decision d;
  d.kind = Decision::Kind::bandwidth;
  d.partition = id;
  d.amount = o.percent;
  return run_decision(o, l, d, "bandwidth " + std::to_string(o.percent) + "% for partition " + std::to_string(id));
}

// ---- reconcile -------------------------------------------------------------------------------

int cmd_reconcile(const Opts& o) {
  Loaded l;
  if (const int rc = load(o, l, true)) return rc;
  auto want = load_desired(o.desired, l.cfg);
  if (!want) return usage(want.error().message);
  auto rep = reconcile(*l.host->hal, l.cfg, *want, o.repair);
  if (!rep) {
    std::cerr << "shoal-agent: reconcile: " << rep.error().message << "\n";
    return kExitHost;
  }
  auto dj = [](const Difference& d) {
    return json{{"kind", d.kind}, {"partition", d.partition}, {"cpu", d.cpu}, {"expected", d.expected},
                {"actual", d.actual}, {"text", d.text}, {"repaired", d.repaired}, {"note", d.note}};
  };
  if (o.json) {
    json f = json::array(), r = json::array();
    for (const auto& d : rep->found) f.push_back(dj(d));
    for (const auto& d : rep->remaining) r.push_back(dj(d));
    print_json({{"repair", o.repair}, {"dry_run", l.host->dry != nullptr}, {"found", f}, {"actions", rep->actions},
                {"errors", rep->errors}, {"remaining", r}, {"journal", journal_json(l)}});
  } else {
    std::cout << "reconcile (" << l.host->hal->backends() << "): " << rep->found.size() << " difference(s)\n";
    for (const auto& d : rep->found)
      std::cout << "  " << d.text << (o.repair ? (d.repaired ? "  [repaired]" : "  [NOT repaired: " + d.note + "]") : "")
                << "\n";
    for (const auto& a : rep->actions) std::cout << "  did: " << a << "\n";
    for (const auto& e : rep->errors) std::cout << "  FAILED: " << e << "\n";
    if (o.repair) {
      std::cout << (rep->remaining.empty() ? "the host now matches the desired state\n"
                                           : std::to_string(rep->remaining.size()) + " difference(s) remain:\n");
      for (const auto& d : rep->remaining) std::cout << "  " << d.text << "\n";
    }
    print_journal(l);
  }
  if (rep->found.empty()) return kExitOk;
  if (!o.repair) return kExitDiffers;
  return rep->remaining.empty() ? kExitOk : kExitHost;
}

// ---- telemetry -------------------------------------------------------------------------------

int cmd_telemetry(const Opts& o) {
  Loaded l;
  if (const int rc = load(o, l, true)) return rc;
  TelemetrySampler s(*l.host->hal, l.cfg);
  if (auto r = s.prime(); !r) {
    std::cerr << "shoal-agent: telemetry: " << r.error().message << "\n";
    return kExitHost;
  }
  const int interval = o.interval_ms > 0 ? o.interval_ms : l.cfg.interval_ms;
  json samples = json::array();
  for (int i = 0; i < o.count; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(interval));
    auto smp = s.sample();
    if (!smp) {
      std::cerr << "shoal-agent: telemetry: " << smp.error().message << "\n";
      return kExitHost;
    }
    json cj = json::object(), pj = json::object(), kj = json::object();
    for (const auto& [c, b] : smp->cpu_busy) cj[std::to_string(c)] = b;
    for (const auto& [p, u] : smp->partition_usage_ns) pj[std::to_string(p)] = u;
    for (const auto& [p, b] : smp->card_busy_permille) kj[std::to_string(p)] = b;
    samples.push_back({{"interval_s", smp->interval_s}, {"cpu_busy", cj}, {"partition_usage_ns", pj},
                       {"card_busy_permille", kj}, {"llc_occupancy", smp->llc_occupancy}, {"mbm_bytes", smp->mbm_bytes},
                       {"unavailable", smp->unavailable}});
    if (!o.json) {
      std::printf("sample %d over %.3f s:", i + 1, smp->interval_s);
      for (const auto& [c, b] : smp->cpu_busy) std::printf(" cpu%d %.1f%%", c, b * 100.0);
      std::printf("\n");
      for (const auto& [p, u] : smp->partition_usage_ns) {
        const auto* spec = l.cfg.partition_by_id(p);
        std::printf("  partition %d '%s': %.3f ms of CPU\n", p, spec ? spec->name.c_str() : "?", u / 1e6);
      }
      for (const auto& [p, b] : smp->card_busy_permille) std::printf("  card processor %d busy %u/1000\n", p, b);
      for (const auto& u : smp->unavailable) std::printf("  unavailable: %s\n", u.c_str());
    }
  }
  if (o.json) print_json({{"samples", samples}});
  return kExitOk;
}

// ---- file-tree -------------------------------------------------------------------------------

int cmd_tree_init(const Opts& o) {
  FileTreeSpec spec;
  spec.cpus = o.tree_cpus;
  spec.cgroup = o.tree_cgroup;
  spec.resctrl = !o.tree_no_resctrl;
  auto t = FileTree::create(o.tree_dir, spec);
  if (!t) return usage(t.error().message);
  std::cout << "file tree " << (*t)->root() << ": " << spec.cpus << " CPUs, cgroup " << spec.cgroup << " (cpuset at "
            << (*t)->cpuset_mount() << ")" << (spec.resctrl ? ", resctrl" : "") << ", CPU hotplug\n"
            << "use it with [hal] mode = \"file-tree\", file_tree = \"" << (*t)->root() << "\"\n";
  return kExitOk;
}

int cmd_tree_spawn(const Opts& o) {
  auto t = FileTree::open(o.tree_dir);
  if (!t) return usage(t.error().message);
  if (const int e = (*t)->spawn(o.tree_pid, o.tree_name)) return usage("spawn " + std::to_string(o.tree_pid) + ": " + errno_text(e));
  std::cout << "emulated process " << o.tree_pid << " '" << o.tree_name << "' in the root cgroups\n";
  return kExitOk;
}

}  // namespace

int main(int argc, char** argv) {
  Opts o;
  CLI::App app{"shoal-agent: applies a Shoal card's processor and resource decisions to this Linux host\n"
               "through the HAL (cgroup v1/v2 cpusets, resctrl, CPU hotplug; or an emulated file tree)"};
  app.footer(kFooter);
  app.fallthrough();  // --config, --json, --dry-run may also follow the subcommand (set before adding them)
  app.add_option("-c,--config", o.config, "configuration file (TOML)")->capture_default_str();
  app.add_flag("--check", o.check, "validate the configuration and the host's interfaces; print what was found");
  app.add_flag("--json", o.json, "machine-readable output");
  app.add_flag("--dry-run", o.dry_run, "change nothing; print the writes that would be made");

  auto* state = app.add_subcommand("state", "the host as the HAL reads it: partitions' CPUs, tasks, resctrl groups");
  auto* apply = app.add_subcommand("apply", "move a card processor's host CPU into a partition (out of the others)");
  apply->add_option("--proc", o.proc, "card processor number")->required();
  apply->add_option("--partition", o.partition, "partition id or name")->required();
  auto* release = app.add_subcommand("release", "take a card processor's host CPU out of every partition (quiesce)");
  release->add_option("--proc", o.proc, "card processor number")->required();
  auto* park = app.add_subcommand("park", "offline a card processor's host CPU (hotplug; never CPU 0)");
  park->add_option("--proc", o.proc, "card processor number")->required();
  auto* unpark = app.add_subcommand("unpark", "online a parked card processor's host CPU");
  unpark->add_option("--proc", o.proc, "card processor number")->required();
  auto* cache = app.add_subcommand("cache", "set L3 cache ways per partition (contiguous masks from bit 0)");
  cache->add_option("--ways", o.ways, "PARTITION=WAYS[,PARTITION=WAYS...], e.g. db=4,web=2")->required();
  auto* bw = app.add_subcommand("bandwidth", "set a partition's memory bandwidth (MBA percent)");
  bw->add_option("--partition", o.partition, "partition id or name")->required();
  bw->add_option("--percent", o.percent, "percent of the memory bandwidth")->required()->check(CLI::Range(0, 100));
  auto* rec = app.add_subcommand("reconcile", "compare the host with a desired state (TOML); --repair fixes it");
  rec->add_option("--desired", o.desired, "desired state: [processors] card = partition id or \"parked\", "
                                          "[cache_ways] partition = ways, [bandwidth] partition = percent")
      ->required()
      ->check(CLI::ExistingFile);
  rec->add_flag("--repair", o.repair, "repair the differences, then check again");
  auto* tel = app.add_subcommand("telemetry", "sample per-CPU busy time (/proc/stat) and per-partition CPU usage");
  tel->add_option("--count", o.count, "samples")->check(CLI::Range(1, 100000))->capture_default_str();
  tel->add_option("--interval-ms", o.interval_ms, "between samples (default [telemetry] interval_ms)")
      ->check(CLI::Range(1, 60000));
  auto* tree = app.add_subcommand("file-tree", "an emulated host directory (kernel file semantics) to try the agent");
  tree->require_subcommand(1);
  auto* tinit = tree->add_subcommand("init", "lay out a fresh tree in DIR");
  tinit->add_option("dir", o.tree_dir, "directory (created; must be empty)")->required();
  tinit->add_option("--cpus", o.tree_cpus, "CPUs")->check(CLI::Range(1, 4096))->capture_default_str();
  tinit->add_option("--cgroup", o.tree_cgroup, "cgroup version: v1 (cpuset + cpuacct) or v2")
      ->check(CLI::IsMember({"v1", "v2"}))
      ->capture_default_str();
  tinit->add_flag("--no-resctrl", o.tree_no_resctrl, "without resctrl");
  auto* tspawn = tree->add_subcommand("spawn", "add an emulated process to the tree's root cgroups");
  tspawn->add_option("dir", o.tree_dir, "the tree")->required();
  tspawn->add_option("pid", o.tree_pid, "its pid")->required()->check(CLI::Range(1, 99999999));
  tspawn->add_option("--name", o.tree_name, "its name");
  app.require_subcommand(0, 1);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int rc = app.exit(e);
    return rc == 0 ? kExitOk : kExitUsage;
  }

  if (tinit->parsed()) return cmd_tree_init(o);
  if (tspawn->parsed()) return cmd_tree_spawn(o);
  if (o.check) {
    if (app.get_subcommands().size()) return usage("--check takes no subcommand");
    return cmd_check(o);
  }
  if (state->parsed()) return cmd_state(o);
  if (apply->parsed()) return cmd_processor(o, Decision::Kind::assign);
  if (release->parsed()) return cmd_processor(o, Decision::Kind::release);
  if (park->parsed()) return cmd_processor(o, Decision::Kind::park);
  if (unpark->parsed()) return cmd_processor(o, Decision::Kind::unpark);
  if (cache->parsed()) return cmd_cache(o);
  if (bw->parsed()) return cmd_bandwidth(o);
  if (rec->parsed()) return cmd_reconcile(o);
  if (tel->parsed()) return cmd_telemetry(o);
  std::cerr << "shoal-agent: nothing to do. The card loop (decisions from the card, acknowledgements back) is not\n"
               "connected yet; use --check, state, apply, reconcile or telemetry (see --help).\n";
  return kExitUsage;
}
