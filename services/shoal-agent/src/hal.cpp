// The HAL: probing the host, resolving the configured host objects, and the facade that routes
// each operation to its backend.
#include "hal.hpp"

#include <algorithm>
#include <bit>
#include <cerrno>
#include <cstdlib>
#include <optional>
#include <set>

#include "backends.hpp"
#include "file_tree_internal.hpp"

namespace shoal::agent {

const char* partition_type_name(PartitionType t) {
  switch (t) {
    case PartitionType::member: return "member";
    case PartitionType::root: return "root";
    case PartitionType::isolated: return "isolated";
  }
  return "member";
}

const char* affinity_policy_name(AffinityPolicy p) {
  switch (p) {
    case AffinityPolicy::verify: return "verify";
    case AffinityPolicy::enforce: return "enforce";
    case AffinityPolicy::ignore: return "ignore";
  }
  return "verify";
}

const PartitionState* HostState::find(int id) const {
  for (const auto& p : partitions)
    if (p.id == id) return &p;
  return nullptr;
}

// ---- probing ---------------------------------------------------------------------------------

namespace {

struct Mount {
  std::string point, type;
  std::vector<std::string> options;
};

// /proc/mounts escapes blanks as \040 etc.
std::string unescape_mount(const std::string& s) {
  std::string o;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 3 < s.size()) {
      const std::string oct = s.substr(i + 1, 3);
      if (oct.size() == 3 && oct.find_first_not_of("01234567") == std::string::npos) {
        o += static_cast<char>(std::strtol(oct.c_str(), nullptr, 8));
        i += 3;
        continue;
      }
    }
    o += s[i];
  }
  return o;
}

std::vector<Mount> read_mounts(KernelFs& fs) {
  std::vector<Mount> v;
  std::string text;
  if (fs.read("/proc/mounts", text) != 0) return v;
  std::size_t p = 0;
  while (p < text.size()) {
    std::size_t e = text.find('\n', p);
    if (e == std::string::npos) e = text.size();
    const auto f = ftree::split_ws(text.substr(p, e - p));
    p = e + 1;
    if (f.size() < 4) continue;
    Mount m{unescape_mount(f[1]), f[2], {}};
    std::size_t a = 0;
    while (a <= f[3].size()) {
      std::size_t b = f[3].find(',', a);
      if (b == std::string::npos) b = f[3].size();
      m.options.push_back(f[3].substr(a, b - a));
      a = b + 1;
    }
    v.push_back(std::move(m));
  }
  return v;
}

bool has_option(const Mount& m, const std::string& o) {
  return std::find(m.options.begin(), m.options.end(), o) != m.options.end();
}

bool controllers_have(KernelFs& fs, const std::string& mount, const std::string& c) {
  std::string s;
  if (fs.read(mount + "/cgroup.controllers", s) != 0) return false;
  const auto w = ftree::split_ws(s);
  return std::find(w.begin(), w.end(), c) != w.end();
}

}  // namespace

HalInfo probe_host(KernelFs& fs, const HalSettings& s) {
  HalInfo info;
  info.fs = fs.describe();
  const std::string cpu = "/sys/devices/system/cpu";
  if (int e = read_mask(fs, cpu + "/possible", CpuMask::kMaxBits, info.possible)) {
    info.problem = "cannot read " + cpu + "/possible: " + errno_text(e);
  } else if (e = read_mask(fs, cpu + "/online", CpuMask::kMaxBits, info.online); e) {
    info.problem = "cannot read " + cpu + "/online: " + errno_text(e);
  }
  const auto mounts = read_mounts(fs);

  // cpuset
  const Mount* v1 = nullptr;
  const Mount* v2 = nullptr;
  const Mount* v2_any = nullptr;
  const Mount* acct = nullptr;
  for (const auto& m : mounts) {
    if (!s.cpuset_mount.empty() && m.point != s.cpuset_mount && !(m.type == "cgroup" && has_option(m, "cpuacct")))
      continue;
    if (m.type == "cgroup" && has_option(m, "cpuset") && !v1) v1 = &m;
    if (m.type == "cgroup" && has_option(m, "cpuacct") && !acct) acct = &m;
    if (m.type == "cgroup2") {
      if (!v2_any) v2_any = &m;
      if (!v2 && controllers_have(fs, m.point, "cpuset")) v2 = &m;
    }
  }
  auto use = [&](const Mount* m, const char* flavor) {
    info.cpuset.flavor = flavor;
    info.cpuset.mount = m->point;
    info.cpuset.writable = fs.writable(m->point + "/cgroup.procs");
    if (std::string(flavor) == "v1" && acct) info.cpuset.cpuacct_mount = acct->point;
  };
  const std::string where = s.cpuset_mount.empty() ? "in /proc/mounts" : "at " + s.cpuset_mount;
  const std::string v2_why =
      v2_any ? "cgroup2 at " + v2_any->point + " offers no cpuset controller (its cgroup.controllers lacks \"cpuset\")"
             : "no cgroup2 mount " + where;
  if (s.cpuset == "none") {
    info.cpuset.problem = "disabled in the configuration ([hal] cpuset = \"none\")";
  } else if (s.cpuset == "v1") {
    if (v1) use(v1, "v1");
    else info.cpuset.problem = "no cgroup v1 cpuset hierarchy " + where;
  } else if (s.cpuset == "v2") {
    if (v2) use(v2, "v2");
    else info.cpuset.problem = v2_why;
  } else {
    if (v2) use(v2, "v2");
    else if (v1) use(v1, "v1");
    else info.cpuset.problem = "no cpuset: no cgroup v1 cpuset hierarchy, and " + v2_why;
  }

  // resctrl
  info.resctrl.mount = s.resctrl_mount;
  if (s.resctrl == "off") {
    info.resctrl.problem = "disabled in the configuration ([hal] resctrl = \"off\")";
  } else if (!fs.exists(s.resctrl_mount + "/info") || !fs.exists(s.resctrl_mount + "/schemata")) {
    std::string fsl;
    const bool supported = fs.read("/proc/filesystems", fsl) == 0 && fsl.find("resctrl") != std::string::npos;
    info.resctrl.problem = supported ? "resctrl is not mounted at " + s.resctrl_mount + " (mount -t resctrl resctrl " +
                                           s.resctrl_mount + ")"
                                     : "the kernel has no resctrl filesystem (not in /proc/filesystems: no RDT/PQoS "
                                       "support, or CONFIG_X86_CPU_RESCTRL off)";
  } else {
    ResctrlInfo& r = info.resctrl;
    r.present = true;
    r.writable = fs.writable(s.resctrl_mount + "/schemata");
    const std::string in = s.resctrl_mount + "/info";
    std::string mask;
    if (read_trimmed(fs, in + "/L3/cbm_mask", mask) == 0) {
      r.cbm_mask = std::strtoul(mask.c_str(), nullptr, 16);
      r.cbm_len = std::popcount(r.cbm_mask);
      long long v = 0;
      if (read_int(fs, in + "/L3/min_cbm_bits", v) == 0) r.min_cbm_bits = static_cast<int>(v);
      if (read_int(fs, in + "/L3/num_closids", v) == 0) r.num_closids = static_cast<int>(v);
    }
    long long mn = 0, gr = 0;
    if (read_int(fs, in + "/MB/min_bandwidth", mn) == 0 && read_int(fs, in + "/MB/bandwidth_gran", gr) == 0) {
      r.mba = true;
      r.mb_min = static_cast<int>(mn);
      r.mb_gran = static_cast<int>(gr);
    }
    std::string feats;
    if (fs.read(in + "/L3_MON/mon_features", feats) == 0) r.mon_features = ftree::split_ws(feats);
    std::string sch;
    if (fs.read(s.resctrl_mount + "/schemata", sch) == 0) {
      const auto parsed = parse_schemata(sch);
      const auto it = parsed.count("L3") ? parsed.find("L3") : parsed.find("MB");
      if (it != parsed.end())
        for (const auto& [d, v] : it->second) r.domains.push_back(d);
    }
    if (r.cbm_len == 0) r.problem = "no L3 cache allocation (info/L3 absent): cache ways cannot be set";
  }

  // hotplug
  if (s.hotplug == "off") {
    info.hotplug.problem = "disabled in the configuration ([hal] hotplug = \"off\")";
  } else {
    for (int c : info.possible.cpus())
      if (fs.exists(cpu + "/cpu" + std::to_string(c) + "/online")) info.hotplug.hotpluggable.set(c);
    info.hotplug.present = !info.hotplug.hotpluggable.empty();
    if (info.hotplug.present)
      info.hotplug.writable =
          fs.writable(cpu + "/cpu" + std::to_string(info.hotplug.hotpluggable.first()) + "/online");
    else
      info.hotplug.problem = "no CPU is hot-pluggable (no " + cpu + "/cpuN/online files)";
  }
  return info;
}

Result<std::map<int, unsigned long>> layout_cache_ways(const std::map<int, int>& ways, int cbm_len, int min_cbm_bits) {
  std::map<int, unsigned long> out;
  int offset = 0, total = 0;
  for (const auto& [id, w] : ways) total += std::max(w, 0);
  for (const auto& [id, w] : ways) {
    if (w <= 0)
      return fail(Errc::invalid_arg, "partition " + std::to_string(id) + ": " + std::to_string(w) +
                                         " cache ways: a resctrl group always holds at least min_cbm_bits (" +
                                         std::to_string(min_cbm_bits) + ") ways of L3");
    if (w < min_cbm_bits)
      return fail(Errc::invalid_arg, "partition " + std::to_string(id) + ": " + std::to_string(w) +
                                         " cache way(s) is below this L3's min_cbm_bits (" + std::to_string(min_cbm_bits) + ")");
    if (offset + w > cbm_len)
      return fail(Errc::invalid_arg, std::to_string(total) + " cache ways requested in all; this L3 has " +
                                         std::to_string(cbm_len) + " (cbm_mask bits)");
    const unsigned long m = (w >= 64 ? ~0UL : ((1UL << w) - 1)) << offset;
    out[id] = m;
    offset += w;
  }
  return out;
}

// ---- the facade ------------------------------------------------------------------------------

namespace {

class HostHal final : public Hal {
 public:
  HostHal(KernelFs& fs, HalSettings s, HalInfo info) : fs_(fs), s_(std::move(s)), info_(std::move(info)) {
    if (!info_.cpuset.flavor.empty()) cpuset_.emplace(fs_, info_, s_.affinity);
    if (info_.resctrl.present) rc_.emplace(fs_, info_);
    if (info_.hotplug.present) hp_.emplace(fs_, info_);
  }

  const HalInfo& info() const override { return info_; }
  const HalSettings& settings() const override { return s_; }
  KernelFs& fs() override { return fs_; }
  std::string backends() const override {
    std::vector<std::string> b;
    if (cpuset_) b.push_back(cpuset_->name());
    if (rc_) b.push_back("resctrl");
    if (hp_) b.push_back("hotplug");
    std::string o;
    for (const auto& x : b) o += (o.empty() ? "" : " + ") + x;
    if (o.empty()) o = "no backend";
    return o + " on " + fs_.describe();
  }
  const PartitionSpec* partition(int id) const override {
    for (const auto& p : s_.partitions)
      if (p.id == id) return &p;
    return nullptr;
  }

  Result<HostState> read_state() override {
    refresh_online();
    HostState hs;
    hs.possible = info_.possible;
    hs.online = info_.online;
    for (const auto& p : s_.partitions) {
      PartitionState st;
      st.id = p.id;
      st.name = p.name;
      st.cgroup = p.cgroup;
      if (cpuset_)
        if (auto r = cpuset_->read(p, st); !r) return fail(r.error());
      if (rc_ && !p.resctrl_group.empty())
        if (auto r = rc_->read(p, st); !r) return fail(r.error());
      hs.partitions.push_back(std::move(st));
    }
    return hs;
  }

  Status ensure_partitions() override {
    std::map<int, CpuMask> fixed;  // new cgroups start with their fixed CPUs
    for (const auto& p : s_.partitions) {
      if (cpuset_ && !fs_.is_dir(p.cgroup)) {
        if (!s_.create)
          return fail(Errc::invalid_arg, "partition '" + p.name + "': cgroup " + p.cgroup +
                                             " does not exist and [hal] create = false");
        if (auto r = cpuset_->create(p); !r) return r;
        if (!p.fixed_cpus.empty()) fixed[p.id] = p.fixed_cpus;
      }
      if (rc_ && !p.resctrl_group.empty() && !fs_.is_dir(p.resctrl_group)) {
        if (!s_.create)
          return fail(Errc::invalid_arg, "partition '" + p.name + "': resctrl group " + p.resctrl_group +
                                             " does not exist and [hal] create = false");
        if (auto r = rc_->create(p); !r) return r;
      }
    }
    if (!fixed.empty() && !fs_.dry_run()) return set_cpus(fixed);
    return {};
  }

  Status set_cpus(const std::map<int, CpuMask>& partition_cpus) override {
    if (!cpuset_) return no_cpuset();
    refresh_online();
    std::vector<CpuChange> changes;
    for (const auto& [id, m] : partition_cpus) {
      const PartitionSpec* p = partition(id);
      if (!p) return unknown_partition(id);
      changes.push_back(CpuChange{p, m});
    }
    return cpuset_->apply(changes, s_.partitions);
  }

  Status assign_cpu(int cpu, int id) override {
    if (!cpuset_) return no_cpuset();
    if (!partition(id)) return unknown_partition(id);
    if (auto r = check_managed(cpu); !r) return r;
    return move(cpu, id);
  }

  Status release_cpu(int cpu) override {
    if (!cpuset_) return no_cpuset();
    if (auto r = check_managed(cpu); !r) return r;
    return move(cpu, -1);
  }

  Status park_cpu(int cpu) override {
    if (!hp_) return fail(Errc::unsupported, "hotplug: " + info_.hotplug.problem);
    if (cpu == 0) return fail(Errc::invalid_arg, "hotplug: CPU 0 is never parked");
    if (auto r = check_managed(cpu); !r) return r;
    if (!info_.hotplug.hotpluggable.test(cpu))
      return fail(Errc::unsupported, "hotplug: CPU " + std::to_string(cpu) + " is not hot-pluggable on this host");
    refresh_online();
    if (!info_.online.test(cpu)) return {};  // parked already
    // Take it out of the partitions first (the kernel would, v1 for good), then offline it.
    std::map<int, CpuMask> before;
    if (cpuset_) {
      auto st = read_state();
      if (!st) return fail(st.error());
      for (const auto& p : st->partitions)
        if (p.cpus.test(cpu)) before[p.id] = p.cpus;
      if (auto r = move(cpu, -1); !r) return r;
    }
    if (auto r = hp_->set_online(cpu, false); !r) {
      std::string rb;
      if (!before.empty()) {
        auto back = set_cpus(before);
        rb = back ? "; its partitions got it back" : "; giving it back to its partitions failed: " + back.error().message;
      }
      return fail(Errc::io, r.error().message + rb);
    }
    refresh_online();
    return {};
  }

  Status unpark_cpu(int cpu) override {
    if (!hp_) return fail(Errc::unsupported, "hotplug: " + info_.hotplug.problem);
    if (auto r = check_managed(cpu); !r) return r;
    if (!info_.hotplug.hotpluggable.test(cpu))
      return fail(Errc::unsupported, "hotplug: CPU " + std::to_string(cpu) + " is not hot-pluggable on this host");
    auto r = hp_->set_online(cpu, true);
    refresh_online();
    return r;
  }

  Status set_cache_ways(const std::map<int, int>& ways) override {
    if (!rc_) return no_resctrl();
    if (info_.resctrl.cbm_len == 0) return fail(Errc::unsupported, "resctrl: " + info_.resctrl.problem);
    for (const auto& [id, w] : ways) {
      const PartitionSpec* p = partition(id);
      if (!p) return unknown_partition(id);
      if (p->resctrl_group.empty())
        return fail(Errc::invalid_arg, "partition '" + p->name + "' has no resctrl_group in the configuration");
      (void)w;
    }
    auto masks = layout_cache_ways(ways, info_.resctrl.cbm_len, info_.resctrl.min_cbm_bits);
    if (!masks) return fail(Errc::invalid_arg, "resctrl: " + masks.error().message + "; nothing changed");
    std::vector<std::pair<const PartitionSpec*, unsigned long>> v;
    for (const auto& [id, m] : *masks) v.emplace_back(partition(id), m);
    return rc_->set_l3(v);
  }

  Status set_bandwidth(const std::map<int, int>& percent) override {
    if (!rc_) return no_resctrl();
    std::vector<std::pair<const PartitionSpec*, int>> v;
    for (const auto& [id, pc] : percent) {
      const PartitionSpec* p = partition(id);
      if (!p) return unknown_partition(id);
      if (p->resctrl_group.empty())
        return fail(Errc::invalid_arg, "partition '" + p->name + "' has no resctrl_group in the configuration");
      v.emplace_back(p, pc);
    }
    return rc_->set_mb(v);
  }

  Status sync_resctrl_tasks(int id) override {
    if (!rc_) return no_resctrl();
    if (!cpuset_) return no_cpuset();
    const PartitionSpec* p = partition(id);
    if (!p) return unknown_partition(id);
    if (p->resctrl_group.empty()) return {};
    PartitionState st;
    if (auto r = cpuset_->read(*p, st); !r) return r;
    if (auto r = rc_->read(*p, st); !r) return r;
    std::vector<int> missing;
    for (int t : st.tasks)
      if (std::find(st.rc_tasks.begin(), st.rc_tasks.end(), t) == st.rc_tasks.end()) missing.push_back(t);
    return rc_->add_tasks(*p, missing);
  }

  Status enforce_affinity(int id) override {
    if (!cpuset_) return no_cpuset();
    const PartitionSpec* p = partition(id);
    if (!p) return unknown_partition(id);
    return cpuset_->enforce_affinity(*p);
  }

  Result<MonSample> read_monitoring(int id) override {
    if (!rc_) return no_resctrl();
    const PartitionSpec* p = partition(id);
    if (!p) return unknown_partition(id);
    if (p->resctrl_group.empty())
      return fail(Errc::invalid_arg, "partition '" + p->name + "' has no resctrl_group in the configuration");
    return rc_->monitoring(*p);
  }

 private:
  Failure no_cpuset() const { return fail(Errc::unsupported, "cpuset: " + info_.cpuset.problem); }
  Failure no_resctrl() const { return fail(Errc::unsupported, "resctrl: " + info_.resctrl.problem); }
  Failure unknown_partition(int id) const {
    std::string known;
    for (const auto& p : s_.partitions) known += (known.empty() ? "" : ", ") + std::to_string(p.id) + " (" + p.name + ")";
    return fail(Errc::invalid_arg, "unknown partition " + std::to_string(id) + "; the configuration has " +
                                       (known.empty() ? std::string("none") : known) + "; nothing changed");
  }
  Status check_managed(int cpu) const {
    if (!info_.possible.test(cpu))
      return fail(Errc::invalid_arg, "host CPU " + std::to_string(cpu) + " does not exist (possible CPUs: " +
                                         info_.possible.list() + "); nothing changed");
    if (!s_.managed.test(cpu))
      return fail(Errc::invalid_arg, "host CPU " + std::to_string(cpu) +
                                         " is not one of the card's processors in the configuration (those are host CPUs " +
                                         s_.managed.list() + "); nothing changed");
    return {};
  }
  void refresh_online() {
    CpuMask on;
    if (read_mask(fs_, "/sys/devices/system/cpu/online", CpuMask::kMaxBits, on) == 0) info_.online = on;
  }
  // Moves `cpu` into partition `id` (or out of all when id < 0), touching only partitions that change.
  Status move(int cpu, int id) {
    auto st = read_state();
    if (!st) return fail(st.error());
    std::map<int, CpuMask> changes;
    for (const auto& p : st->partitions) {
      if (!p.exists) {
        if (p.id == id) return fail(Errc::invalid_arg, "partition '" + p.name + "': cgroup " + p.cgroup + " does not exist");
        continue;
      }
      const PartitionSpec* spec = partition(p.id);
      CpuMask m = p.cpus | spec->fixed_cpus;
      if (p.id == id) m.set(cpu);
      else if (!spec->fixed_cpus.test(cpu)) m.reset(cpu);
      if (!(m == p.cpus)) changes[p.id] = m;
    }
    if (changes.empty()) return {};
    return set_cpus(changes);
  }

  KernelFs& fs_;
  HalSettings s_;
  HalInfo info_;
  std::optional<CpusetBackend> cpuset_;
  std::optional<ResctrlBackend> rc_;
  std::optional<HotplugBackend> hp_;
};

// "a/b" against `mount`, or an absolute path that must lie below it.
Result<std::string> resolve(const std::string& path, const std::string& mount, const std::string& what) {
  if (path.empty()) return std::string();
  std::string abs = path.front() == '/' ? path : path_join(mount, path);
  abs = ftree::normalize(abs);
  if (abs.empty()) return fail(Errc::invalid_arg, what + " " + quoted(path) + " is not a clean path (no '.' or '..')");
  if (!ftree::under(abs, mount) || abs == mount)
    return fail(Errc::invalid_arg, what + " " + abs + " is not below " + mount);
  return abs;
}

}  // namespace

Result<std::unique_ptr<Hal>> make_hal(KernelFs& fs, const HalSettings& settings, const HalInfo& info) {
  if (!info.problem.empty()) return fail(Errc::no_device, info.problem);
  if (settings.cpuset != "none" && info.cpuset.flavor.empty())
    return fail(Errc::unsupported, "cpuset backend (" + settings.cpuset + "): " + info.cpuset.problem);
  if (settings.resctrl == "on" && !info.resctrl.present)
    return fail(Errc::unsupported, "resctrl backend (resctrl = \"on\"): " + info.resctrl.problem);
  if (settings.hotplug == "on" && !info.hotplug.present)
    return fail(Errc::unsupported, "hotplug backend (hotplug = \"on\"): " + info.hotplug.problem);
  HalSettings s = settings;
  for (auto& p : s.partitions) {
    const std::string who = "partition '" + p.name + "'";
    if (!info.cpuset.flavor.empty()) {
      auto cg = resolve(p.cgroup, info.cpuset.mount, who + ": cgroup");
      if (!cg) return fail(cg.error());
      const std::string rel = cg->substr(info.cpuset.mount.size());
      p.cgroup = *cg;
      const std::string acct = info.cpuset.flavor == "v1" ? info.cpuset.cpuacct_mount : info.cpuset.mount;
      if (!p.usage_cgroup.empty() && !acct.empty()) {
        auto u = resolve(p.usage_cgroup, acct, who + ": usage_cgroup");
        if (!u) return fail(u.error());
        p.usage_cgroup = *u;
      } else if (!acct.empty()) {
        p.usage_cgroup = acct + rel;
      }
    }
    if (!p.resctrl_group.empty() && info.resctrl.present) {
      auto g = resolve(p.resctrl_group, info.resctrl.mount, who + ": resctrl_group");
      if (!g) return fail(g.error());
      if (ftree::parent_of(*g) != info.resctrl.mount)
        return fail(Errc::invalid_arg, who + ": resctrl_group " + *g + " must be a top-level group of " + info.resctrl.mount);
      p.resctrl_group = *g;
    }
  }
  return std::unique_ptr<Hal>(new HostHal(fs, std::move(s), info));
}

}  // namespace shoal::agent
