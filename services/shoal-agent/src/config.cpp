#include "config.hpp"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include <toml++/toml.h>

namespace shoal::agent {

std::string ConfigError::text() const {
  std::string o = file;
  if (line > 0) o += ":" + std::to_string(line) + (column > 0 ? ":" + std::to_string(column) : "");
  o += ": ";
  if (warning) o += "warning: ";
  if (!key.empty()) o += key + ": ";
  return o + reason;
}

const PartitionSpec* Config::partition_by_name(const std::string& name) const {
  for (const auto& p : hal.partitions)
    if (p.name == name) return &p;
  return nullptr;
}

const PartitionSpec* Config::partition_by_id(int id) const {
  for (const auto& p : hal.partitions)
    if (p.id == id) return &p;
  return nullptr;
}

int Config::processor_of_cpu(int cpu) const {
  for (const auto& [proc, c] : processors)
    if (c == cpu) return proc;
  return -1;
}

namespace {

constexpr int kMaxPartitions = 1024;
constexpr int kMaxProcessors = 4096;

class Checker {
 public:
  Checker(std::string file, std::vector<ConfigError>& errors) : file_(std::move(file)), errors_(errors) {}

  void error(const toml::node* n, const std::string& key, const std::string& reason) {
    add(n ? n->source().begin.line : 0, n ? n->source().begin.column : 0, key, reason, false);
  }
  void add(int line, int col, const std::string& key, const std::string& reason, bool warning) {
    errors_.push_back(ConfigError{file_, line, col, key, reason, warning});
  }
  bool failed() const {
    for (const auto& e : errors_)
      if (!e.warning) return true;
    return false;
  }

  // Refuses keys not in `known` (typos must not be ignored silently).
  void known_keys(const toml::table& t, const std::string& prefix, const std::set<std::string>& known) {
    for (auto&& [k, v] : t) {
      if (known.count(std::string(k.str()))) continue;
      std::string list;
      for (const auto& x : known) list += (list.empty() ? "" : ", ") + x;
      add(static_cast<int>(k.source().begin.line), static_cast<int>(k.source().begin.column),
          prefix + std::string(k.str()), "unknown key (known here: " + list + ")", false);
    }
  }

  bool get_string(const toml::table& t, const char* k, const std::string& key, std::string& out) {
    const toml::node* n = t.get(k);
    if (!n) return false;
    if (!n->is_string()) {
      error(n, key, "must be a string");
      return false;
    }
    out = n->as_string()->get();
    return true;
  }
  bool get_bool(const toml::table& t, const char* k, const std::string& key, bool& out) {
    const toml::node* n = t.get(k);
    if (!n) return false;
    if (!n->is_boolean()) {
      error(n, key, "must be true or false");
      return false;
    }
    out = n->as_boolean()->get();
    return true;
  }
  bool get_int(const toml::table& t, const char* k, const std::string& key, long long lo, long long hi, long long& out) {
    const toml::node* n = t.get(k);
    if (!n) return false;
    if (!n->is_integer()) {
      error(n, key, "must be an integer");
      return false;
    }
    const long long v = n->as_integer()->get();
    if (v < lo || v > hi) {
      error(n, key, std::to_string(v) + " is out of range " + std::to_string(lo) + ".." + std::to_string(hi));
      return false;
    }
    out = v;
    return true;
  }
  void one_of(const toml::table& t, const char* k, const std::string& key, const std::vector<std::string>& values,
              std::string& out) {
    std::string v;
    if (!get_string(t, k, key, v)) return;
    for (const auto& x : values)
      if (x == v) {
        out = v;
        return;
      }
    std::string list;
    for (const auto& x : values) list += (list.empty() ? "" : ", ") + ("\"" + x + "\"");
    error(t.get(k), key, "\"" + v + "\" is not one of " + list);
  }
  int line_of(const toml::node* n) const { return n ? static_cast<int>(n->source().begin.line) : 0; }

 private:
  std::string file_;
  std::vector<ConfigError>& errors_;
};

bool clean_name(const std::string& s) {
  if (s.empty() || s.size() > 64) return false;
  for (char c : s)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.')) return false;
  return true;
}

}  // namespace

Result<Config> load_config(const std::string& path, std::vector<ConfigError>& errors) {
  errors.clear();
  Config cfg;
  cfg.path = path;
  Checker ck(path, errors);
  auto failed = [&]() -> Failure {
    for (const auto& e : errors)
      if (!e.warning) return fail(Errc::invalid_arg, e.text());
    return fail(Errc::invalid_arg, path + ": invalid configuration");
  };

  std::ifstream in(path);
  if (!in) {
    ck.add(0, 0, "", std::string("cannot read the configuration file: ") + std::strerror(errno), false);
    return failed();
  }
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string text = ss.str();
  toml::table root;
  try {
    root = toml::parse(text, path);
  } catch (const toml::parse_error& e) {
    ck.add(static_cast<int>(e.source().begin.line), static_cast<int>(e.source().begin.column), "",
           "TOML syntax: " + std::string(e.description()), false);
    return failed();
  }

  ck.known_keys(root, "", {"agent", "hal", "telemetry", "partition", "processors"});

  // [agent]
  if (const toml::node* n = root.get("agent")) {
    if (const auto* t = n->as_table()) {
      ck.known_keys(*t, "agent.", {"device"});
      ck.get_string(*t, "device", "agent.device", cfg.device);
    } else {
      ck.error(n, "agent", "must be a table ([agent])");
    }
  }

  // [hal]
  if (const toml::node* n = root.get("hal")) {
    if (const auto* t = n->as_table()) {
      ck.known_keys(*t, "hal.", {"mode", "file_tree", "dry_run", "cpuset", "cpuset_mount", "resctrl", "resctrl_mount",
                                 "hotplug", "affinity", "create"});
      ck.one_of(*t, "mode", "hal.mode", {"host", "file-tree"}, cfg.mode);
      if (ck.get_string(*t, "file_tree", "hal.file_tree", cfg.file_tree)) {
        if (cfg.file_tree.empty()) ck.error(t->get("file_tree"), "hal.file_tree", "must not be empty");
        else if (cfg.file_tree.front() != '/')
          cfg.file_tree = (std::filesystem::absolute(path).parent_path() / cfg.file_tree).lexically_normal().string();
      }
      ck.get_bool(*t, "dry_run", "hal.dry_run", cfg.dry_run);
      ck.one_of(*t, "cpuset", "hal.cpuset", {"auto", "v1", "v2", "none"}, cfg.hal.cpuset);
      if (ck.get_string(*t, "cpuset_mount", "hal.cpuset_mount", cfg.hal.cpuset_mount) && !cfg.hal.cpuset_mount.empty() &&
          cfg.hal.cpuset_mount.front() != '/')
        ck.error(t->get("cpuset_mount"), "hal.cpuset_mount", "must be an absolute path");
      ck.one_of(*t, "resctrl", "hal.resctrl", {"auto", "on", "off"}, cfg.hal.resctrl);
      if (ck.get_string(*t, "resctrl_mount", "hal.resctrl_mount", cfg.hal.resctrl_mount) &&
          (cfg.hal.resctrl_mount.empty() || cfg.hal.resctrl_mount.front() != '/'))
        ck.error(t->get("resctrl_mount"), "hal.resctrl_mount", "must be an absolute path");
      ck.one_of(*t, "hotplug", "hal.hotplug", {"auto", "on", "off"}, cfg.hal.hotplug);
      std::string aff = "verify";
      ck.one_of(*t, "affinity", "hal.affinity", {"verify", "enforce", "ignore"}, aff);
      cfg.hal.affinity = aff == "enforce" ? AffinityPolicy::enforce
                         : aff == "ignore" ? AffinityPolicy::ignore
                                           : AffinityPolicy::verify;
      ck.get_bool(*t, "create", "hal.create", cfg.hal.create);
      if (cfg.mode == "file-tree" && cfg.file_tree.empty())
        ck.error(t->get("mode"), "hal.file_tree", "mode = \"file-tree\" needs file_tree = \"<directory>\"");
      if (cfg.mode == "host" && !cfg.file_tree.empty())
        ck.error(t->get("file_tree"), "hal.file_tree", "is only used with mode = \"file-tree\"");
    } else {
      ck.error(n, "hal", "must be a table ([hal])");
    }
  }

  // [telemetry]
  if (const toml::node* n = root.get("telemetry")) {
    if (const auto* t = n->as_table()) {
      ck.known_keys(*t, "telemetry.", {"interval_ms"});
      long long v = 0;
      if (ck.get_int(*t, "interval_ms", "telemetry.interval_ms", 1, 60000, v)) cfg.interval_ms = static_cast<int>(v);
    } else {
      ck.error(n, "telemetry", "must be a table ([telemetry])");
    }
  }

  // [[partition]]
  std::map<std::string, int> seen_name, seen_cgroup, seen_rc;
  std::map<int, int> seen_id;
  const toml::node* parts = root.get("partition");
  if (!parts) {
    ck.add(0, 0, "partition", "no [[partition]]: at least one partition is needed", false);
  } else if (!parts->is_array_of_tables()) {
    ck.error(parts, "partition", "must be an array of tables ([[partition]])");
  } else {
    int i = 0;
    for (const auto& el : *parts->as_array()) {
      const std::string k = "partition[" + std::to_string(i++) + "]";
      const auto& t = *el.as_table();
      const int line = ck.line_of(&el);
      ck.known_keys(t, k + ".", {"id", "name", "cgroup", "usage_cgroup", "resctrl_group", "fixed_cpus", "type"});
      PartitionSpec p;
      long long id = -1;
      if (!t.get("id")) ck.add(line, 0, k + ".id", "missing (the card's partition id)", false);
      else if (ck.get_int(t, "id", k + ".id", 0, kMaxPartitions - 1, id)) {
        p.id = static_cast<int>(id);
        if (seen_id.count(p.id))
          ck.error(t.get("id"), k + ".id", "partition id " + std::to_string(p.id) + " is used twice (first at line " +
                                               std::to_string(seen_id[p.id]) + ")");
        else seen_id[p.id] = ck.line_of(t.get("id"));
      }
      if (!ck.get_string(t, "name", k + ".name", p.name)) {
        if (!t.get("name")) ck.add(line, 0, k + ".name", "missing", false);
      } else if (!clean_name(p.name)) {
        ck.error(t.get("name"), k + ".name", "\"" + p.name + "\" must be 1-64 characters of A-Z a-z 0-9 _ - .");
      } else if (seen_name.count(p.name)) {
        ck.error(t.get("name"), k + ".name", "\"" + p.name + "\" is used twice (first at line " +
                                                 std::to_string(seen_name[p.name]) + ")");
      } else {
        seen_name[p.name] = ck.line_of(t.get("name"));
      }
      if (!ck.get_string(t, "cgroup", k + ".cgroup", p.cgroup)) {
        if (!t.get("cgroup")) ck.add(line, 0, k + ".cgroup", "missing (the partition's cpuset cgroup)", false);
      } else if (p.cgroup.empty() || p.cgroup.find("..") != std::string::npos) {
        ck.error(t.get("cgroup"), k + ".cgroup", "must be a path below the cpuset mount, without '..'");
      } else if (seen_cgroup.count(p.cgroup)) {
        ck.error(t.get("cgroup"), k + ".cgroup", "\"" + p.cgroup + "\" is used twice (first at line " +
                                                     std::to_string(seen_cgroup[p.cgroup]) + ")");
      } else {
        seen_cgroup[p.cgroup] = ck.line_of(t.get("cgroup"));
      }
      ck.get_string(t, "usage_cgroup", k + ".usage_cgroup", p.usage_cgroup);
      if (ck.get_string(t, "resctrl_group", k + ".resctrl_group", p.resctrl_group) && !p.resctrl_group.empty()) {
        if (seen_rc.count(p.resctrl_group))
          ck.error(t.get("resctrl_group"), k + ".resctrl_group",
                   "\"" + p.resctrl_group + "\" is used twice (first at line " + std::to_string(seen_rc[p.resctrl_group]) +
                       ")");
        else seen_rc[p.resctrl_group] = ck.line_of(t.get("resctrl_group"));
      }
      std::string fixed;
      if (ck.get_string(t, "fixed_cpus", k + ".fixed_cpus", fixed)) {
        const int e = CpuMask::parse_list(fixed, CpuMask::kMaxBits, p.fixed_cpus);
        if (e) ck.error(t.get("fixed_cpus"), k + ".fixed_cpus", "\"" + fixed + "\" is not a CPU list (e.g. \"0\" or \"0-1,4\")");
      }
      std::string type = "member";
      ck.one_of(t, "type", k + ".type", {"member", "root", "isolated"}, type);
      p.type = type == "root" ? PartitionType::root : type == "isolated" ? PartitionType::isolated : PartitionType::member;
      cfg.partition_line[p.id] = line;
      cfg.hal.partitions.push_back(p);
    }
  }

  // [processors]: card processor = host CPU
  const toml::node* procs = root.get("processors");
  if (!procs) {
    ck.add(0, 0, "processors", "no [processors] table: map each card processor to a host CPU (e.g. 0 = 1)", false);
  } else if (!procs->is_table()) {
    ck.error(procs, "processors", "must be a table of card processor = host CPU");
  } else {
    std::map<int, int> cpu_line;
    for (auto&& [k, v] : *procs->as_table()) {
      const std::string ks(k.str());
      const std::string key = "processors." + ks;
      const int kl = static_cast<int>(k.source().begin.line), kc = static_cast<int>(k.source().begin.column);
      char* end = nullptr;
      const long proc = std::strtol(ks.c_str(), &end, 10);
      if (ks.empty() || *end != '\0' || ks.find_first_not_of("0123456789") != std::string::npos || proc >= kMaxProcessors) {
        ck.add(kl, kc, key, "the key must be a card processor number 0.." + std::to_string(kMaxProcessors - 1), false);
        continue;
      }
      if (!v.is_integer()) {
        ck.error(&v, key, "must be a host CPU number");
        continue;
      }
      const long long cpu = v.as_integer()->get();
      if (cpu < 0 || cpu >= CpuMask::kMaxBits) {
        ck.error(&v, key, "host CPU " + std::to_string(cpu) + " is out of range 0.." + std::to_string(CpuMask::kMaxBits - 1));
        continue;
      }
      if (cpu_line.count(static_cast<int>(cpu))) {
        ck.error(&v, key, "host CPU " + std::to_string(cpu) + " is mapped twice (first at line " +
                              std::to_string(cpu_line[static_cast<int>(cpu)]) + ")");
        continue;
      }
      cpu_line[static_cast<int>(cpu)] = kl;
      cfg.processors[static_cast<int>(proc)] = static_cast<int>(cpu);
      cfg.processor_line[static_cast<int>(proc)] = kl;
      cfg.hal.managed.set(static_cast<int>(cpu));
    }
    if (cfg.processors.empty() && !ck.failed()) ck.error(procs, "processors", "is empty: no card processor is mapped");
  }

  // fixed CPUs are not the card's to move
  int i = 0;
  for (const auto& p : cfg.hal.partitions) {
    const CpuMask both = p.fixed_cpus & cfg.hal.managed;
    if (!both.empty()) {
      const int c = both.first();
      ck.add(cfg.partition_line[p.id], 0, "partition[" + std::to_string(i) + "].fixed_cpus",
             "host CPU " + std::to_string(c) + " is also card processor " + std::to_string(cfg.processor_of_cpu(c)) +
                 "'s CPU (processors." + std::to_string(cfg.processor_of_cpu(c)) + " at line " +
                 std::to_string(cfg.processor_line[cfg.processor_of_cpu(c)]) + "); a CPU is either fixed or the card's",
             false);
    }
    ++i;
  }
  if (ck.failed()) return failed();
  return cfg;
}

std::vector<ConfigError> check_config_against_host(const Config& cfg, const HalInfo& info) {
  std::vector<ConfigError> v;
  for (const auto& [proc, cpu] : cfg.processors) {
    const int line = cfg.processor_line.count(proc) ? cfg.processor_line.at(proc) : 0;
    const std::string key = "processors." + std::to_string(proc);
    if (!info.possible.test(cpu)) {
      v.push_back({cfg.path, line, 0, key,
                   "host CPU " + std::to_string(cpu) + " does not exist on this host (possible CPUs: " + info.possible.list() +
                       ")",
                   false});
    } else if (!info.online.test(cpu)) {
      v.push_back({cfg.path, line, 0, key, "host CPU " + std::to_string(cpu) + " is offline (parked?)", true});
    }
    if (cpu == 0 && info.hotplug.present)
      v.push_back({cfg.path, line, 0, key, "host CPU 0 is a card processor; the agent never parks CPU 0", true});
  }
  int i = 0;
  for (const auto& p : cfg.hal.partitions) {
    const CpuMask missing = p.fixed_cpus - info.possible;
    if (!missing.empty())
      v.push_back({cfg.path, cfg.partition_line.count(p.id) ? cfg.partition_line.at(p.id) : 0,
                   0, "partition[" + std::to_string(i) + "].fixed_cpus",
                   "host CPU " + missing.list() + " does not exist on this host (possible CPUs: " + info.possible.list() + ")",
                   false});
    ++i;
  }
  return v;
}

}  // namespace shoal::agent
