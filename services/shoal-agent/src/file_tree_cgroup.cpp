// FileTree: the cgroup v1 cpuset/cpuacct and cgroup v2 cpuset rules (see file_tree.hpp).
// References: Documentation/admin-guide/cgroup-v1/cpusets.rst, cgroup-v2.rst ("Cpuset"), and the
// checks of kernel/cgroup/cpuset.c (validate_change, update_cpumask, update_prstate) as read.
#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <map>

#include "file_tree.hpp"
#include "file_tree_internal.hpp"

namespace shoal::agent {

using namespace ftree;

namespace {

// kstrtoull-style: digits only (a trailing newline allowed). false for anything else.
bool parse_u64(std::string_view data, unsigned long long& v) {
  const std::string t(trim(data));
  if (t.empty() || t.size() > 19) return false;
  for (char c : t)
    if (c < '0' || c > '9') return false;
  v = std::strtoull(t.c_str(), nullptr, 10);
  return true;
}

}  // namespace

// ---- cgroup v1 -------------------------------------------------------------------------------

void FileTree::v1_make_cgroup(const std::string& dir, bool is_root, const std::string& kind) const {
  std::filesystem::create_directories(tp(dir));
  put(dir + "/tasks", "");
  put(dir + "/cgroup.procs", "");
  put(dir + "/notify_on_release", "0\n");
  put(dir + "/cgroup.clone_children", "0\n");
  if (is_root) {
    put(dir + "/cgroup.sane_behavior", "0\n");
    put(dir + "/release_agent", "\n");
  }
  if (kind == "cpuacct") {
    put(dir + "/cpuacct.usage", "0\n");
    put(dir + "/cpuacct.stat", "user 0\nsystem 0\n");
    std::string per;
    for (int c = 0; c < spec_.cpus; ++c) per += "0 ";
    put(dir + "/cpuacct.usage_percpu", per + "\n");
    return;
  }
  std::string cpus, mems;
  if (is_root) {
    cpus = online().list();
    mems = CpuMask::range(0, spec_.mem_nodes - 1).list();
  } else if (std::string(trim(get(parent_of(dir) + "/cgroup.clone_children"))) == "1") {
    cpus = std::string(trim(get(parent_of(dir) + "/cpuset.cpus")));
    mems = std::string(trim(get(parent_of(dir) + "/cpuset.mems")));
  }
  put(dir + "/cpuset.cpus", cpus + "\n");
  put(dir + "/cpuset.effective_cpus", cpus + "\n");
  put(dir + "/cpuset.mems", mems + "\n");
  put(dir + "/cpuset.effective_mems", mems + "\n");
  put(dir + "/cpuset.cpu_exclusive", is_root ? "1\n" : "0\n");
  put(dir + "/cpuset.mem_exclusive", is_root ? "1\n" : "0\n");
  put(dir + "/cpuset.mem_hardwall", "0\n");
  put(dir + "/cpuset.memory_migrate", "0\n");
  put(dir + "/cpuset.memory_pressure", "0\n");
  put(dir + "/cpuset.memory_spread_page", "0\n");
  put(dir + "/cpuset.memory_spread_slab", "0\n");
  put(dir + "/cpuset.sched_load_balance", "1\n");
  put(dir + "/cpuset.sched_relax_domain_level", "-1\n");
  if (is_root) put(dir + "/cpuset.memory_pressure_enabled", "0\n");
}

int FileTree::v1_write(const std::string& mount, const std::string& dir, const std::string& file,
                       std::string_view data) {
  if (file == "tasks" || file == "cgroup.procs") return v1_attach(mount, dir, data);
  if (mount == cpuset_mount()) return v1_cpuset_write(dir, file, data);
  unsigned long long v = 0;
  if (file == "cpuacct.usage") {
    if (!parse_u64(data, v) || v != 0) return EINVAL;  // only a reset to 0 is accepted
    put(dir + "/" + file, "0\n");
    return 0;
  }
  if (file == "notify_on_release" || file == "cgroup.clone_children") {
    if (!parse_u64(data, v)) return EINVAL;
    put(dir + "/" + file, v ? "1\n" : "0\n");
    return 0;
  }
  return EINVAL;  // read-only cgroup files: the kernel's cgroup_file_write has no handler
}

int FileTree::v1_cpuset_write(const std::string& dir, const std::string& file, std::string_view data) {
  const std::string mount = cpuset_mount();
  const bool is_root = dir == mount;
  const std::string parent = is_root ? "" : parent_of(dir);
  std::vector<std::string> siblings;
  if (!is_root)
    for (const auto& s : subdirs(parent))
      if (parent + "/" + s != dir) siblings.push_back(parent + "/" + s);

  if (file == "cpuset.cpus" || file == "cpuset.mems") {
    if (is_root) return EACCES;  // the top cpuset tracks the online CPUs/nodes; read-only
    const bool cpus = file == "cpuset.cpus";
    const int nbits = cpus ? spec_.cpus : spec_.mem_nodes;
    const std::string excl_file = cpus ? "/cpuset.cpu_exclusive" : "/cpuset.mem_exclusive";
    const std::string eff_file = cpus ? "/cpuset.effective_cpus" : "/cpuset.effective_mems";
    CpuMask trial;
    if (const int e = CpuMask::parse_list(data, nbits, trial)) return e;
    const CpuMask top = get_mask(mount + "/" + file, nbits);
    if (!trial.subset_of(top)) return EINVAL;
    // validate_change_legacy: every child a subset of us (EBUSY); we a subset of the parent (EACCES)
    for (const auto& c : subdirs(dir))
      if (!get_mask(dir + "/" + c + "/" + file, nbits).subset_of(trial)) return EBUSY;
    if (!trial.subset_of(get_mask(parent + "/" + file, nbits))) return EACCES;
    const CpuMask cur = get_mask(dir + "/" + file, nbits);
    if (populated(dir) && !cur.empty() && trial.empty()) return ENOSPC;
    const bool mine_excl = std::string(trim(get(dir + excl_file))) == "1";
    for (const auto& s : siblings) {
      const bool s_excl = std::string(trim(get(s + excl_file))) == "1";
      if ((mine_excl || s_excl) && trial.intersects(get_mask(s + "/" + file, nbits))) return EINVAL;
    }
    put(dir + "/" + file, trial.list() + "\n");
    put(dir + eff_file, trial.list() + "\n");
    if (cpus) refresh_tasks_in(dir, false, true);  // v1: update_tasks_cpumask resets affinity
    return 0;
  }

  if (file == "cpuset.cpu_exclusive" || file == "cpuset.mem_exclusive") {
    unsigned long long v = 0;
    if (!parse_u64(data, v)) return EINVAL;
    const bool want = v != 0;
    const bool cur = std::string(trim(get(dir + "/" + file))) == "1";
    if (is_root) return want == cur ? 0 : EACCES;
    const std::string res = file == "cpuset.cpu_exclusive" ? "/cpuset.cpus" : "/cpuset.mems";
    const int nbits = file == "cpuset.cpu_exclusive" ? spec_.cpus : spec_.mem_nodes;
    for (const auto& c : subdirs(dir))
      if (!want && std::string(trim(get(dir + "/" + c + "/" + file))) == "1") return EBUSY;
    if (want && std::string(trim(get(parent + "/" + file))) != "1") return EACCES;
    if (want) {
      const CpuMask mine = get_mask(dir + res, nbits);
      for (const auto& s : siblings)
        if (mine.intersects(get_mask(s + res, nbits))) return EINVAL;
    }
    put(dir + "/" + file, want ? "1\n" : "0\n");
    return 0;
  }

  static const char* const kFlags[] = {"cpuset.sched_load_balance", "cpuset.memory_migrate", "notify_on_release",
                                       "cgroup.clone_children", "cpuset.mem_hardwall", "cpuset.memory_spread_page",
                                       "cpuset.memory_spread_slab", "cpuset.memory_pressure_enabled"};
  for (const char* f : kFlags) {
    if (file != f) continue;
    unsigned long long v = 0;
    if (!parse_u64(data, v)) return EINVAL;
    put(dir + "/" + file, v ? "1\n" : "0\n");
    return 0;
  }
  if (file == "cpuset.sched_relax_domain_level") {
    const std::string t(trim(data));
    char* end = nullptr;
    const long v = std::strtol(t.c_str(), &end, 10);
    if (t.empty() || *end != '\0' || v < -1 || v > 5) return EINVAL;
    put(dir + "/" + file, std::to_string(v) + "\n");
    return 0;
  }
  return EINVAL;
}

int FileTree::v1_attach(const std::string& mount, const std::string& dir, std::string_view data) {
  int pid = 0;
  if (const int e = parse_pid(data, pid)) return e;
  const bool cpuset = mount == cpuset_mount();
  if (cpuset && (get_mask(dir + "/cpuset.cpus", spec_.cpus).empty() ||
                 get_mask(dir + "/cpuset.mems", spec_.mem_nodes).empty()))
    return ENOSPC;  // cpuset_can_attach on the legacy hierarchy
  TaskMeta t;
  load_task(pid, t);
  std::string& cur = cpuset ? t.cpuset : t.cpuacct;
  move_pid("cgroup", cur, dir, pid);
  cur = dir;
  if (cpuset) t.user.clear();  // attach sets the affinity to the cpuset's CPUs
  refresh_task(t);
  return 0;
}

void FileTree::v1_hotplug(int cpu, bool now_online) {
  const std::string mount = cpuset_mount();
  const CpuMask on = online();
  put(mount + "/cpuset.cpus", on.list() + "\n");
  put(mount + "/cpuset.effective_cpus", on.list() + "\n");
  if (now_online) {
    // v1: only the top cpuset gets the CPU back; child cpusets keep what they have.
    refresh_tasks_in(mount, false, true);
    return;
  }
  // Offline: the CPU leaves every cpuset; tasks of a cpuset left without CPUs move to the nearest
  // ancestor that still has some (remove_tasks_in_empty_cpuset).
  std::vector<std::string> order;  // pre-order walk, parents before children
  std::vector<std::string> stack{mount};
  while (!stack.empty()) {
    const std::string d = stack.back();
    stack.pop_back();
    order.push_back(d);
    const auto subs = subdirs(d);
    for (auto it = subs.rbegin(); it != subs.rend(); ++it) stack.push_back(d + "/" + *it);
  }
  for (const auto& d : order) {
    if (d == mount) continue;
    CpuMask m = get_mask(d + "/cpuset.cpus", spec_.cpus);
    const bool had = !m.empty();
    m.reset(cpu);
    put(d + "/cpuset.cpus", m.list() + "\n");
    put(d + "/cpuset.effective_cpus", m.list() + "\n");
    if (had && m.empty()) {
      std::string up = parent_of(d);
      while (up != mount && get_mask(up + "/cpuset.cpus", spec_.cpus).empty()) up = parent_of(up);
      for (int pid : read_pids(d + "/tasks")) {
        TaskMeta t;
        if (!load_task(pid, t)) continue;
        move_pid("cgroup", d, up, pid);
        t.cpuset = up;
        save_task(t);
      }
    }
  }
  refresh_tasks_in(mount, true, true);
}

// ---- cgroup v2 -------------------------------------------------------------------------------

namespace {
const std::vector<std::string> kV2Controllers = {"cpuset", "cpu"};

std::vector<std::string> words(const std::string& s) { return split_ws(s); }

std::string join_words(const std::vector<std::string>& v) {
  std::string o;
  for (const auto& w : v) o += (o.empty() ? "" : " ") + w;
  return o;
}
}  // namespace

void FileTree::v2_make_cgroup(const std::string& dir, bool is_root) const {
  std::filesystem::create_directories(tp(dir));
  put(dir + "/cgroup.procs", "");
  put(dir + "/cgroup.threads", "");
  put(dir + "/cgroup.subtree_control", "\n");
  put(dir + "/cpu.stat", "usage_usec 0\nuser_usec 0\nsystem_usec 0\n");
  if (is_root) {
    put(dir + "/cgroup.controllers", join_words(kV2Controllers) + "\n");
    put(dir + "/cgroup.max.depth", "max\n");
    put(dir + "/cpuset.cpus.effective", online().list() + "\n");
    put(dir + "/cpuset.mems.effective", CpuMask::range(0, spec_.mem_nodes - 1).list() + "\n");
    put(dir + "/cpuset.cpus.isolated", "\n");
    return;
  }
  const std::string enabled = std::string(trim(get(parent_of(dir) + "/cgroup.subtree_control")));
  put(dir + "/cgroup.controllers", enabled + "\n");
  put(dir + "/cgroup.type", "domain\n");
  put(dir + "/cgroup.events", "populated 0\nfrozen 0\n");
  for (const auto& c : words(enabled)) v2_controller_files(dir, c, true);
}

void FileTree::v2_controller_files(const std::string& dir, const std::string& controller, bool on) const {
  static const std::map<std::string, std::vector<std::pair<std::string, std::string>>> kFiles = {
      {"cpuset",
       {{"cpuset.cpus", "\n"},
        {"cpuset.mems", "\n"},
        {"cpuset.cpus.effective", "\n"},
        {"cpuset.mems.effective", "\n"},
        {"cpuset.cpus.partition", "member\n"},
        {"cpuset.cpus.exclusive", "\n"},
        {"cpuset.cpus.exclusive.effective", "\n"}}},
      {"cpu", {{"cpu.weight", "100\n"}, {"cpu.weight.nice", "0\n"}, {"cpu.max", "max 100000\n"}}},
  };
  const auto it = kFiles.find(controller);
  if (it == kFiles.end()) return;
  for (const auto& [name, initial] : it->second) {
    if (on) {
      if (!has(dir + "/" + name)) put(dir + "/" + name, initial);
    } else {
      std::error_code ec;
      std::filesystem::remove(tp(dir + "/" + name), ec);
    }
  }
}

int FileTree::v2_write(const std::string& dir, const std::string& file, std::string_view data) {
  const std::string mount = cpuset_mount();
  const bool is_root = dir == mount;

  if (file == "cgroup.procs" || file == "cgroup.threads") {
    int pid = 0;
    if (const int e = parse_pid(data, pid)) return e;
    // no internal processes: a non-root cgroup that distributes controllers holds no tasks
    if (!is_root && !std::string(trim(get(dir + "/cgroup.subtree_control"))).empty()) return EBUSY;
    TaskMeta t;
    load_task(pid, t);
    move_pid("cgroup", t.cpuset, dir, pid);
    t.cpuset = dir;
    refresh_task(t);
    v2_recompute();  // the parent's "populated" state matters for partitions
    return 0;
  }

  if (file == "cgroup.subtree_control") {
    const auto toks = split_ws(data);
    const auto available = words(get(dir + "/cgroup.controllers"));
    auto enabled = words(get(dir + "/cgroup.subtree_control"));
    bool enables = false;
    for (const auto& tok : toks) {
      if (tok.size() < 2 || (tok[0] != '+' && tok[0] != '-') || !known_controller(tok.substr(1))) return EINVAL;
      if (tok[0] == '+') {
        enables = true;
        if (std::find(available.begin(), available.end(), tok.substr(1)) == available.end()) return ENOENT;
      }
    }
    if (enables && !is_root && !read_pids(dir + "/cgroup.procs").empty()) return EBUSY;
    for (const auto& tok : toks) {
      const std::string c = tok.substr(1);
      const auto at = std::find(enabled.begin(), enabled.end(), c);
      if (tok[0] == '+' && at == enabled.end()) enabled.push_back(c);
      if (tok[0] == '-' && at != enabled.end()) enabled.erase(at);
    }
    std::vector<std::string> ordered;  // the kernel lists controllers in its own order
    for (const auto& c : kV2Controllers)
      if (std::find(enabled.begin(), enabled.end(), c) != enabled.end()) ordered.push_back(c);
    put(dir + "/cgroup.subtree_control", join_words(ordered) + "\n");
    for (const auto& child : subdirs(dir)) {
      const std::string cd = dir + "/" + child;
      if (!has(cd + "/cgroup.procs")) continue;
      put(cd + "/cgroup.controllers", join_words(ordered) + "\n");
      for (const auto& c : kV2Controllers)
        v2_controller_files(cd, c, std::find(ordered.begin(), ordered.end(), c) != ordered.end());
    }
    v2_recompute();
    return 0;
  }

  if (file == "cpuset.cpus" || file == "cpuset.mems" || file == "cpuset.cpus.exclusive") {
    const bool mems = file == "cpuset.mems";
    const int nbits = mems ? spec_.mem_nodes : spec_.cpus;
    CpuMask trial;
    if (const int e = CpuMask::parse_list(data, nbits, trial)) return e;
    const CpuMask cur = get_mask(dir + "/" + file, nbits);
    if (file != "cpuset.cpus.exclusive" && populated(dir) && !cur.empty() && trial.empty()) return ENOSPC;
    if (file == "cpuset.cpus.exclusive") {
      // exclusive CPUs may not be shared with a sibling's
      const std::string parent = parent_of(dir);
      for (const auto& s : subdirs(parent)) {
        const std::string sd = parent + "/" + s;
        if (sd == dir || !has(sd + "/cpuset.cpus.exclusive")) continue;
        if (trial.intersects(get_mask(sd + "/cpuset.cpus.exclusive", nbits))) return EINVAL;
      }
    }
    // A cpuset.cpus that conflicts with a sibling partition is accepted; the partitions it
    // conflicts with become invalid (v2_recompute applies the exclusivity rule).
    put(dir + "/" + file, trial.list() + "\n");
    v2_recompute(dir);
    return 0;
  }

  if (file == "cpuset.cpus.partition") {
    const std::string v(trim(data));
    if (v != "member" && v != "root" && v != "isolated") return EINVAL;
    put(dir + "/" + file, v + "\n");
    v2_recompute(dir);
    return 0;
  }

  if (file == "cpu.weight") {
    unsigned long long w = 0;
    if (!parse_u64(data, w)) return EINVAL;
    if (w < 1 || w > 10000) return ERANGE;
    put(dir + "/" + file, std::to_string(w) + "\n");
    return 0;
  }
  if (file == "cpu.max") {
    const auto t = split_ws(data);
    unsigned long long q = 0, p = 100000;
    if (t.empty() || t.size() > 2 || (t[0] != "max" && !parse_u64(t[0], q)) || (t.size() == 2 && !parse_u64(t[1], p)))
      return EINVAL;
    put(dir + "/" + file, t[0] + " " + std::to_string(p) + "\n");
    return 0;
  }
  return EINVAL;
}

void FileTree::v2_recompute(const std::string& changed) const {
  CpuMask isolated;
  v2_recompute_dir(cpuset_mount(), online(), "root", changed, isolated);
  put(cpuset_mount() + "/cpuset.cpus.isolated", isolated.list() + "\n");
  refresh_tasks_in(cpuset_mount(), true, false);
}

// Derives the effective masks and partition states below `dir`, whose CPUs available to its
// children are `pool`. `state` is "root" (the cgroup2 root), "valid" or "invalid" (a partition
// root), or "member".
void FileTree::v2_recompute_dir(const std::string& dir, const CpuMask& pool, const std::string& state,
                                const std::string& changed, CpuMask& isolated) const {
  struct Child {
    std::string dir;
    CpuMask cpus, xcpus, mems;
    std::string req;
    std::string reason;
    bool valid = false;
    CpuMask eff;
    int rank = 0;  // 0: a valid partition before, 1: the cgroup just changed, 2: the others
  };
  std::vector<Child> kids;
  for (const auto& s : subdirs(dir)) {
    const std::string d = dir + "/" + s;
    if (!has(d + "/cpuset.cpus")) continue;  // cpuset not enabled for this child
    Child c;
    c.dir = d;
    c.cpus = get_mask(d + "/cpuset.cpus", spec_.cpus);
    const CpuMask x = get_mask(d + "/cpuset.cpus.exclusive", spec_.cpus);
    c.xcpus = x.empty() ? c.cpus : x;
    c.mems = get_mask(d + "/cpuset.mems", spec_.mem_nodes);
    const std::string shown = get(d + "/cpuset.cpus.partition");
    const auto w = words(shown);
    c.req = w.empty() ? "member" : w[0];
    c.rank = d == changed ? 1 : (shown.find("invalid") == std::string::npos && c.req != "member") ? 0 : 2;
    kids.push_back(c);
  }
  // Partitions that were valid keep their CPUs; the cgroup being changed comes next.
  std::stable_sort(kids.begin(), kids.end(), [](const Child& a, const Child& b) { return a.rank < b.rank; });
  const bool parent_has_tasks = state == "root" || !read_pids(dir + "/cgroup.procs").empty();
  const CpuMask on = online();
  CpuMask taken;
  for (auto& c : kids) {
    if (c.req == "member") continue;
    if (state == "member") {
      c.reason = "Parent is not a partition root";
    } else if (state == "invalid") {
      c.reason = "Parent is an invalid partition root";
    } else if (c.xcpus.empty()) {
      c.reason = "cpuset.cpus and cpuset.cpus.exclusive are empty";
    } else {
      for (const auto& s : kids)
        if (s.dir != c.dir && c.xcpus.intersects(s.xcpus)) c.reason = "Cpu list in cpuset.cpus not exclusive";
    }
    if (c.reason.empty()) {
      const CpuMask grant = c.xcpus & (pool - taken);
      if (grant.empty()) {
        c.reason = (c.xcpus & on).empty() ? "No cpu available due to hotplug"
                                          : "Invalid cpu list in cpuset.cpus.exclusive";
      } else if ((pool - taken - grant).empty() && parent_has_tasks) {
        c.reason = "Parent unable to distribute cpu downstream";
      } else {
        c.valid = true;
        c.eff = grant;
        taken |= grant;
      }
    }
  }
  const CpuMask remaining = pool - taken;
  put(dir + "/cpuset.cpus.effective", remaining.list() + "\n");
  const CpuMask pool_mems = get_mask(dir + "/cpuset.mems.effective", spec_.mem_nodes);
  for (auto& c : kids) {
    if (!c.valid) {
      const CpuMask mine = c.cpus & remaining;
      c.eff = (c.cpus.empty() || mine.empty()) ? remaining : mine;
    }
    const CpuMask m = c.mems & pool_mems;
    put(c.dir + "/cpuset.mems.effective", ((c.mems.empty() || m.empty()) ? pool_mems : m).list() + "\n");
    if (c.req == "member") {
      put(c.dir + "/cpuset.cpus.partition", "member\n");
      put(c.dir + "/cpuset.cpus.exclusive.effective", "\n");
    } else if (c.valid) {
      put(c.dir + "/cpuset.cpus.partition", c.req + "\n");
      put(c.dir + "/cpuset.cpus.exclusive.effective", c.eff.list() + "\n");
      if (c.req == "isolated") isolated |= c.eff;
    } else {
      put(c.dir + "/cpuset.cpus.partition", c.req + " invalid (" + c.reason + ")\n");
      put(c.dir + "/cpuset.cpus.exclusive.effective", "\n");
    }
    v2_recompute_dir(c.dir, c.eff, c.req == "member" ? "member" : (c.valid ? "valid" : "invalid"), changed, isolated);
  }
}

}  // namespace shoal::agent
