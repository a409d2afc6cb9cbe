// The cpuset backend: partitions as cgroup v1 cpusets or cgroup v2 cpuset partitions.
#include <algorithm>
#include <cerrno>
#include <map>
#include <set>

#include "backends.hpp"

namespace shoal::agent {

namespace {

std::vector<int> parse_ids(const std::string& text) {
  std::vector<int> v;
  std::size_t p = 0;
  while (p < text.size()) {
    while (p < text.size() && (text[p] < '0' || text[p] > '9')) ++p;
    std::size_t e = p;
    while (e < text.size() && text[e] >= '0' && text[e] <= '9') ++e;
    if (e > p) v.push_back(std::stoi(text.substr(p, e - p)));
    p = e;
  }
  return v;
}

std::string first_word(const std::string& s) {
  const auto t = std::string(trim(s));
  const auto sp = t.find(' ');
  return sp == std::string::npos ? t : t.substr(0, sp);
}

std::string parent_dir(const std::string& p) {
  const auto s = p.rfind('/');
  return (s == std::string::npos || s == 0) ? "/" : p.substr(0, s);
}

}  // namespace

CpusetBackend::CpusetBackend(KernelFs& fs, const HalInfo& info, AffinityPolicy policy)
    : fs_(fs), info_(info), policy_(policy), v2_(info.cpuset.flavor == "v2") {}

int CpusetBackend::nbits() const { return std::max(info_.possible.last() + 1, 1); }

std::string CpusetBackend::where(const PartitionSpec& p) const {
  return name() + ": partition '" + p.name + "' (" + p.cgroup + ")";
}

std::string CpusetBackend::hint(const std::string& file, int err) const {
  if (file == "cpuset.cpus") {
    switch (err) {
      case EINVAL:
        return v2_ ? "not a CPU list the kernel accepts"
                   : "not a CPU list the kernel accepts: a CPU that is offline, or an overlap with an exclusive sibling";
      case ERANGE: return "a CPU number beyond the host's CPUs";
      case EACCES: return "CPUs outside the parent cgroup's cpuset.cpus (v1 needs a subset of the parent)";
      case EBUSY: return "a child cgroup still uses CPUs that would be removed";
      case ENOSPC: return "the cgroup holds live processes and would have no CPU left";
      default: return "";
    }
  }
  if (file == "cpuset.cpus.partition" && err == EINVAL) return "not member, root or isolated";
  if (file == "cpuset.mems" && err == ENOSPC) return "the cgroup holds live processes and would have no memory node";
  if (file == "cgroup.subtree_control") {
    if (err == ENOENT) return "the parent does not offer the cpuset controller";
    if (err == EBUSY) return "the cgroup has processes of its own (cgroup v2 has no internal processes)";
  }
  if (err == EACCES || err == EPERM) return "permission denied (the agent runs as root or with delegated cgroups)";
  if (err == EROFS) return "the cgroup filesystem is mounted read-only";
  return "";
}

Status CpusetBackend::read(const PartitionSpec& p, PartitionState& st) {
  st.id = p.id;
  st.name = p.name;
  st.cgroup = p.cgroup;
  st.exists = fs_.is_dir(p.cgroup);
  if (!st.exists) return {};
  const std::string base = p.cgroup + "/";
  if (!fs_.exists(base + "cpuset.cpus"))
    return fail(Errc::unsupported, where(p) + ": no cpuset.cpus: the cpuset controller is not enabled for it" +
                                       (v2_ ? " (\"+cpuset\" missing in the parent's cgroup.subtree_control)" : ""));
  int e = read_mask(fs_, base + "cpuset.cpus", nbits(), st.cpus);
  if (!e) e = read_mask(fs_, base + file_eff(), nbits(), st.effective);
  if (e) return fail(Errc::io, where(p) + ": cannot read its CPU lists: " + errno_text(e));
  if (v2_) {
    if (const int pe = read_trimmed(fs_, base + "cpuset.cpus.partition", st.partition))
      return fail(Errc::io, where(p) + ": cannot read cpuset.cpus.partition: " + errno_text(pe));
  } else {
    std::string x;
    if (read_trimmed(fs_, base + "cpuset.cpu_exclusive", x) == 0) st.exclusive = x == "1";
  }
  std::string tasks;
  if (const int te = fs_.read(base + file_tasks(), tasks))
    return fail(Errc::io, where(p) + ": cannot read " + file_tasks() + ": " + errno_text(te));
  st.tasks = parse_ids(tasks);
  st.stray.clear();
  if (policy_ != AffinityPolicy::ignore) {
    for (int tid : st.tasks) {
      CpuMask aff;
      if (fs_.get_affinity(tid, aff) != 0) continue;  // exited meanwhile
      if (!(aff == st.effective)) st.stray.emplace_back(tid, aff);
    }
  }
  return {};
}

Status CpusetBackend::create(const PartitionSpec& p) {
  const std::string& mount = info_.cpuset.mount;
  if (p.cgroup.size() <= mount.size()) return fail(Errc::invalid_arg, where(p) + ": the cgroup is the hierarchy's root");
  // The directories from the mount down to the partition.
  std::vector<std::string> chain;
  for (std::string d = p.cgroup; d.size() > mount.size(); d = parent_dir(d)) chain.push_back(d);
  std::reverse(chain.begin(), chain.end());
  for (std::size_t i = 0; i < chain.size(); ++i) {
    const std::string& d = chain[i];
    const std::string parent = parent_dir(d);
    const bool leaf = i + 1 == chain.size();
    if (v2_) {
      // the parent must hand the cpuset controller down
      std::string sc;
      if (const int e = read_trimmed(fs_, parent + "/cgroup.subtree_control", sc))
        return fail(Errc::io, where(p) + ": cannot read " + parent + "/cgroup.subtree_control: " + errno_text(e));
      bool has = false;
      for (std::size_t a = 0; a < sc.size();) {
        std::size_t b = sc.find(' ', a);
        if (b == std::string::npos) b = sc.size();
        has = has || sc.substr(a, b - a) == "cpuset";
        a = b + 1;
      }
      if (!has) {
        if (const int e = fs_.write(parent + "/cgroup.subtree_control", "+cpuset\n")) {
          const auto h = hint("cgroup.subtree_control", e);
          return fail(Errc::io, where(p) + ": enabling the cpuset controller in " + parent + ": " + errno_text(e) +
                                    (h.empty() ? "" : ": " + h));
        }
      }
    }
    if (fs_.is_dir(d)) continue;
    if (const int e = fs_.mkdir(d)) {
      const auto h = hint("mkdir", e);
      return fail(Errc::io, where(p) + ": mkdir " + d + ": " + errno_text(e) + (h.empty() ? "" : ": " + h));
    }
    if (!v2_) {
      // v1: a cpuset needs memory nodes before it can hold tasks; intermediate levels also get
      // the parent's CPUs so that partitions below them can use any of them.
      std::string mems, cpus;
      int e = read_trimmed(fs_, parent + "/cpuset.mems", mems);
      if (!e) e = fs_.write(d + "/cpuset.mems", mems + "\n");
      if (!e && !leaf) {
        e = read_trimmed(fs_, parent + "/cpuset.cpus", cpus);
        if (!e) e = fs_.write(d + "/cpuset.cpus", cpus + "\n");
      }
      if (e) return fail(Errc::io, where(p) + ": setting up the new cpuset " + d + ": " + errno_text(e));
    }
  }
  return {};
}

int CpusetBackend::write_step(const Step& s, bool use_previous) {
  const std::string& v = use_previous ? s.previous : s.value;
  return fs_.write(s.dir + "/" + s.file, v + "\n");
}

std::string CpusetBackend::rollback(std::vector<Step>& done) {
  std::string failures;
  for (auto it = done.rbegin(); it != done.rend(); ++it) {
    if (const int e = write_step(*it, true))
      failures += "; restoring " + it->dir + "/" + it->file + " to " + quoted(it->previous) + " failed: " + errno_text(e);
  }
  done.clear();
  if (failures.empty()) return "; rolled back, the host is as before";
  return failures + "; THE HOST IS LEFT INCONSISTENT: run 'shoal-agent reconcile --repair'";
}

Status CpusetBackend::apply(const std::vector<CpuChange>& changes, const std::vector<PartitionSpec>& all) {
  const bool dry = fs_.dry_run();
  // 1. current state of every changed partition, and of every v2 partition root (validity)
  std::map<int, PartitionState> before;
  for (const auto& c : changes) {
    PartitionState st;
    if (auto r = read(*c.spec, st); !r) return r;
    if (!st.exists) return fail(Errc::invalid_arg, where(*c.spec) + ": the cgroup does not exist");
    before[c.spec->id] = st;
  }
  std::map<int, std::string> valid_before;  // v2 partition roots valid before the change
  if (v2_) {
    for (const auto& p : all) {
      if (p.type == PartitionType::member) continue;
      std::string s;
      if (read_trimmed(fs_, p.cgroup + "/cpuset.cpus.partition", s) == 0 && s == partition_type_name(p.type))
        valid_before[p.id] = s;
    }
  }

  // 2. checks the kernel would fail less clearly
  for (const auto& c : changes) {
    const auto& st = before[c.spec->id];
    const CpuMask unknown = c.target - info_.possible;
    if (!unknown.empty())
      return fail(Errc::invalid_arg, where(*c.spec) + ": CPU " + unknown.list() + " does not exist on this host; nothing changed");
    const CpuMask off = (c.target - st.cpus) - info_.online;  // CPUs being added must be online
    if (!off.empty())
      return fail(Errc::invalid_arg, where(*c.spec) + ": CPU " + off.list() + " is offline (parked); nothing changed");
    if (c.target.empty() && !st.tasks.empty())
      return fail(Errc::invalid_arg, where(*c.spec) + ": it would have no CPU left but holds " +
                                         std::to_string(st.tasks.size()) + " live task(s); nothing changed");
  }

  // 3. the order: shrink first where siblings are exclusive (v1 cpu_exclusive, v2 partition
  //    roots), grow first otherwise (so no partition is ever without its CPUs)
  bool strict = false;
  for (const auto& c : changes) {
    const auto& st = before[c.spec->id];
    strict = strict || st.exclusive || (v2_ && c.spec->type != PartitionType::member);
  }
  std::vector<Step> plan;
  // v1: a cpuset's CPUs must be a subset of its parent's, and CPU hot-unplug takes CPUs from
  // every cpuset for good; so the levels between the mount and a partition get the CPUs it
  // gains first (top-down; widening a level never breaks a rule of its children).
  if (!v2_) {
    std::map<std::string, CpuMask> widen;  // ancestor -> CPUs it needs
    std::vector<std::string> order;
    for (const auto& c : changes) {
      const CpuMask gained = c.target - before[c.spec->id].cpus;
      if (gained.empty()) continue;
      std::vector<std::string> chain;
      for (std::string d = parent_dir(c.spec->cgroup); d.size() > info_.cpuset.mount.size(); d = parent_dir(d))
        chain.push_back(d);
      for (auto it = chain.rbegin(); it != chain.rend(); ++it) {
        if (!widen.count(*it)) order.push_back(*it);
        widen[*it] |= gained;
      }
    }
    std::sort(order.begin(), order.end(), [](const std::string& a, const std::string& b) { return a.size() < b.size(); });
    for (const auto& d : order) {
      CpuMask cur;
      if (const int e = read_mask(fs_, d + "/cpuset.cpus", nbits(), cur))
        return fail(Errc::io, name() + ": reading " + d + "/cpuset.cpus: " + errno_text(e));
      const CpuMask want = cur | widen[d];
      if (!(want == cur)) plan.push_back(Step{changes.front().spec, d, "cpuset.cpus", want.list(), cur.list()});
    }
  }
  for (int phase = 0; phase < 2; ++phase) {
    for (const auto& c : changes) {
      const auto& st = before[c.spec->id];
      const bool shrink_phase = strict ? phase == 0 : phase == 1;
      CpuMask v;
      if (shrink_phase) v = strict ? (st.cpus & c.target) : c.target;
      else v = strict ? c.target : (st.cpus | c.target);
      // the value the file holds before this step
      CpuMask cur = st.cpus;
      for (const auto& s : plan)
        if (s.dir == c.spec->cgroup && s.file == "cpuset.cpus") (void)CpuMask::parse_list(s.value, nbits(), cur);
      if (v == cur) continue;
      if (strict && shrink_phase && v.empty() && !c.target.empty() && !st.tasks.empty())
        return fail(Errc::invalid_arg, where(*c.spec) + ": exclusive partitions with live tasks cannot trade their "
                                                         "only CPUs in one step; nothing changed");
      plan.push_back(Step{c.spec, c.spec->cgroup, "cpuset.cpus", v.list(), cur.list()});
    }
  }
  if (v2_) {
    for (const auto& c : changes) {
      if (c.spec->type == PartitionType::member) continue;
      const auto& st = before[c.spec->id];
      const std::string want = partition_type_name(c.spec->type);
      if (st.partition != want)
        plan.push_back(Step{c.spec, c.spec->cgroup, "cpuset.cpus.partition", want, first_word(st.partition)});
    }
  }

  // 4. the tasks' affinity before, to see it follow
  std::map<int, std::map<int, CpuMask>> aff_before;  // partition -> tid -> mask
  if (!dry && policy_ != AffinityPolicy::ignore)
    for (const auto& c : changes)
      for (int tid : before[c.spec->id].tasks) {
        CpuMask m;
        if (fs_.get_affinity(tid, m) == 0) aff_before[c.spec->id][tid] = m;
      }

  // 5. write
  std::vector<Step> done;
  for (const auto& s : plan) {
    if (const int e = write_step(s, false)) {
      const auto h = hint(s.file, e);
      std::string msg = where(*s.spec) + ": writing " + quoted(s.value) + " to " +
                        (s.dir == s.spec->cgroup ? s.file : s.dir + "/" + s.file) + ": " + errno_text(e) +
                        (h.empty() ? "" : ": " + h);
      return fail(Errc::io, msg + rollback(done));
    }
    done.push_back(s);
  }
  if (dry) return {};

  // 6. read back
  for (const auto& c : changes) {
    PartitionState st;
    if (auto r = read(*c.spec, st); !r) return fail(Errc::io, r.error().message + rollback(done));
    if (!(st.cpus == c.target))
      return fail(Errc::io, where(*c.spec) + ": cpuset.cpus reads " + quoted(st.cpus.list()) + " after writing " +
                                quoted(c.target.list()) + rollback(done));
    if (v2_ && c.spec->type != PartitionType::member && st.partition != partition_type_name(c.spec->type))
      return fail(Errc::io, where(*c.spec) + ": the kernel reports cpuset.cpus.partition " + quoted(st.partition) +
                                rollback(done));
    const bool exact = !v2_ || c.spec->type != PartitionType::member;
    const CpuMask want_eff = c.target & info_.online;
    if (exact ? !(st.effective == want_eff) : !st.effective.subset_of(c.target.empty() ? st.effective : c.target))
      return fail(Errc::io, where(*c.spec) + ": " + file_eff() + " reads " + quoted(st.effective.list()) +
                                ", expected " + quoted(want_eff.list()) + rollback(done));
  }
  for (const auto& [id, was] : valid_before) {
    const PartitionSpec* p = nullptr;
    for (const auto& q : all)
      if (q.id == id) p = &q;
    std::string s;
    if (p && read_trimmed(fs_, p->cgroup + "/cpuset.cpus.partition", s) == 0 && s != was)
      return fail(Errc::io, where(*p) + ": the change made this partition " + quoted(s) + rollback(done));
  }

  // 7. the member tasks' affinity follows
  if (policy_ == AffinityPolicy::ignore) return {};
  for (const auto& c : changes) {
    PartitionState st;
    if (auto r = read(*c.spec, st); !r) return fail(Errc::io, r.error().message + rollback(done));
    const CpuMask old_eff = before[c.spec->id].effective;
    std::vector<std::string> bad;
    for (const auto& [tid, was] : aff_before[c.spec->id]) {
      CpuMask now;
      if (fs_.get_affinity(tid, now) != 0) continue;  // exited
      const bool followed = was == old_eff ? now == st.effective : (!now.empty() && now.subset_of(st.effective));
      const bool ok = policy_ == AffinityPolicy::enforce ? now == st.effective : followed;
      if (ok) continue;
      if (policy_ == AffinityPolicy::enforce) {
        const int e = fs_.set_affinity(tid, st.effective);
        CpuMask again;
        if (e == 0 && fs_.get_affinity(tid, again) == 0 && again == st.effective) continue;
      }
      bad.push_back(std::to_string(tid) + " {" + now.list() + "}");
    }
    if (!bad.empty()) {
      std::string list;
      for (std::size_t i = 0; i < bad.size() && i < 8; ++i) list += (i ? ", " : "") + bad[i];
      if (bad.size() > 8) list += ", ... (" + std::to_string(bad.size()) + " in all)";
      return fail(Errc::io, where(*c.spec) + ": the affinity of task(s) " + list + " did not follow the partition's CPUs {" +
                                st.effective.list() + "}" + rollback(done));
    }
  }
  return {};
}

Status CpusetBackend::enforce_affinity(const PartitionSpec& p) {
  PartitionState st;
  if (auto r = read(p, st); !r) return r;
  if (!st.exists) return fail(Errc::invalid_arg, where(p) + ": the cgroup does not exist");
  std::string failed;
  for (int tid : st.tasks) {
    CpuMask now;
    if (fs_.get_affinity(tid, now) != 0 || now == st.effective) continue;
    const int e = fs_.set_affinity(tid, st.effective);
    if (e && e != ESRCH) failed += " " + std::to_string(tid) + ": " + errno_text(e) + ";";
  }
  if (!failed.empty()) return fail(Errc::io, where(p) + ": sched_setaffinity failed for" + failed);
  return {};
}

}  // namespace shoal::agent
