#include "reconcile.hpp"

#include <algorithm>
#include <cstdio>
#include <set>

#include <toml++/toml.h>

namespace shoal::agent {

namespace {

std::string cpu_s(int c) { return "CPU " + std::to_string(c); }

// Each configured partition's wanted CPU list, and the CPUs wanted parked.
struct Targets {
  std::map<int, CpuMask> cpus;  // partition id -> wanted cpuset.cpus (fixed CPUs included)
  CpuMask managed;              // CPUs of the processors `want` speaks about
  CpuMask parked;
};

Result<Targets> targets(const Config& cfg, const Desired& want) {
  Targets t;
  for (const auto& p : cfg.hal.partitions) t.cpus[p.id] = p.fixed_cpus;
  for (const auto& [proc, part] : want.processors) {
    const auto it = cfg.processors.find(proc);
    if (it == cfg.processors.end())
      return fail(Errc::invalid_arg, "desired state: card processor " + std::to_string(proc) +
                                         " is not in the configuration's [processors]");
    const int cpu = it->second;
    t.managed.set(cpu);
    if (part == kParked) {
      t.parked.set(cpu);
      continue;
    }
    if (!t.cpus.count(part))
      return fail(Errc::invalid_arg, "desired state: card processor " + std::to_string(proc) + " goes to partition " +
                                         std::to_string(part) + ", which is not in the configuration");
    t.cpus[part].set(cpu);
  }
  for (const auto& [id, w] : want.cache_ways)
    if (!cfg.partition_by_id(id))
      return fail(Errc::invalid_arg, "desired state: cache ways for unknown partition " + std::to_string(id));
  for (const auto& [id, w] : want.bandwidth)
    if (!cfg.partition_by_id(id))
      return fail(Errc::invalid_arg, "desired state: bandwidth for unknown partition " + std::to_string(id));
  return t;
}

bool same(const Difference& a, const Difference& b) {
  return a.kind == b.kind && a.partition == b.partition && a.cpu == b.cpu;
}

}  // namespace

Result<Desired> load_desired(const std::string& path, const Config& cfg) {
  toml::table root;
  try {
    root = toml::parse_file(path);
  } catch (const toml::parse_error& e) {
    return fail(Errc::invalid_arg, path + ":" + std::to_string(e.source().begin.line) + ":" +
                                       std::to_string(e.source().begin.column) + ": TOML syntax: " +
                                       std::string(e.description()));
  }
  Desired d;
  auto where = [&](const toml::node& n, const std::string& key) {
    return path + ":" + std::to_string(n.source().begin.line) + ": " + key + ": ";
  };
  for (auto&& [k, v] : root) {
    const std::string table(k.str());
    if (table != "processors" && table != "cache_ways" && table != "bandwidth")
      return fail(Errc::invalid_arg, where(v, table) + "unknown table (known: processors, cache_ways, bandwidth)");
    if (!v.is_table()) return fail(Errc::invalid_arg, where(v, table) + "must be a table");
    for (auto&& [kk, vv] : *v.as_table()) {
      const std::string ks(kk.str()), key = table + "." + ks;
      if (ks.empty() || ks.find_first_not_of("0123456789") != std::string::npos || ks.size() > 6)
        return fail(Errc::invalid_arg, where(vv, key) + "the key must be a number");
      const int n = std::stoi(ks);
      if (table == "processors") {
        if (!cfg.processors.count(n))
          return fail(Errc::invalid_arg, where(vv, key) + "card processor " + ks + " is not in the configuration");
        if (vv.is_string() && vv.as_string()->get() == "parked") {
          d.processors[n] = kParked;
        } else if (vv.is_integer() && cfg.partition_by_id(static_cast<int>(vv.as_integer()->get()))) {
          d.processors[n] = static_cast<int>(vv.as_integer()->get());
        } else {
          return fail(Errc::invalid_arg, where(vv, key) + "must be a configured partition id or \"parked\"");
        }
      } else {
        if (!cfg.partition_by_id(n)) return fail(Errc::invalid_arg, where(vv, key) + "unknown partition " + ks);
        if (!vv.is_integer()) return fail(Errc::invalid_arg, where(vv, key) + "must be an integer");
        const long long x = vv.as_integer()->get();
        if (table == "bandwidth" && (x < 0 || x > 100))
          return fail(Errc::invalid_arg, where(vv, key) + "must be a percentage 0..100");
        if (table == "cache_ways" && (x < 0 || x > 64)) return fail(Errc::invalid_arg, where(vv, key) + "must be 0..64");
        (table == "bandwidth" ? d.bandwidth : d.cache_ways)[n] = static_cast<int>(x);
      }
    }
  }
  return d;
}

Result<std::vector<Difference>> diff_state(Hal& hal, const Config& cfg, const Desired& want) {
  auto tg = targets(cfg, want);
  if (!tg) return fail(tg.error());
  auto hs = hal.read_state();
  if (!hs) return fail(hs.error());
  const HalInfo& info = hal.info();
  const bool v2 = info.cpuset.flavor == "v2";
  const bool rc = info.resctrl.present;
  std::vector<Difference> out;
  auto add = [&](std::string kind, int part, int cpu, std::string expected, std::string actual, std::string text) {
    out.push_back(Difference{std::move(kind), part, cpu, std::move(expected), std::move(actual), std::move(text), false, ""});
  };

  for (int cpu : tg->managed.cpus()) {
    const bool parked = tg->parked.test(cpu), online = hs->online.test(cpu);
    if (parked && online) add("cpu-online", -1, cpu, "offline", "online", cpu_s(cpu) + " should be parked but is online");
    if (!parked && !online) add("cpu-offline", -1, cpu, "online", "offline", cpu_s(cpu) + " should run but is offline");
  }

  std::map<int, std::vector<int>> ways_by_id;
  std::map<int, unsigned long> masks;
  if (rc && info.resctrl.cbm_len > 0 && !want.cache_ways.empty()) {
    auto m = layout_cache_ways(want.cache_ways, info.resctrl.cbm_len, info.resctrl.min_cbm_bits);
    if (!m) return fail(Errc::invalid_arg, "desired state: " + m.error().message);
    masks = *m;
  }

  for (const auto& st : hs->partitions) {
    const PartitionSpec* spec = cfg.partition_by_id(st.id);
    const std::string who = "partition '" + st.name + "'";
    const bool cpuset = !info.cpuset.flavor.empty();
    if (cpuset && !st.exists) {
      add("cgroup-missing", st.id, -1, st.cgroup, "absent", who + ": cgroup " + st.cgroup + " does not exist");
      continue;
    }
    if (cpuset) {
    const CpuMask want_cpus = tg->cpus.at(st.id);
    bool cpus_ok = true;
    for (int cpu : (tg->managed | spec->fixed_cpus).cpus()) {
      const bool should = want_cpus.test(cpu), has = st.cpus.test(cpu);
      if (should && !has) {
        add("cpu-missing", st.id, cpu, "present", "absent", who + " lacks " + cpu_s(cpu));
        cpus_ok = false;
      }
      if (!should && has) {
        add("cpu-extra", st.id, cpu, "absent", "present", who + " holds " + cpu_s(cpu) + ", which is not its");
        cpus_ok = false;
      }
    }
    if (v2 && spec->type != PartitionType::member && st.partition != partition_type_name(spec->type)) {
      add("partition-invalid", st.id, -1, partition_type_name(spec->type), st.partition,
          who + ": cpuset.cpus.partition reads \"" + st.partition + "\", expected \"" + partition_type_name(spec->type) + "\"");
    } else if (cpus_ok && !(tg->managed & want_cpus).empty()) {
      // what the kernel grants: all of the wanted online CPUs (v1, v2 partitions) or at least
      // within them (v2 members)
      const CpuMask expect = st.cpus & hs->online;
      const bool exact = !v2 || spec->type != PartitionType::member;
      if (exact ? !(st.effective == expect) : !st.effective.subset_of(st.cpus))
        add("effective", st.id, -1, expect.list(), st.effective.list(),
            who + ": effective CPUs are {" + st.effective.list() + "}, expected {" + expect.list() + "}");
    }
    int stray = 0;
    for (const auto& [tid, aff] : st.stray) {
      const bool outside = !aff.subset_of(st.effective);
      if (cfg.hal.affinity == AffinityPolicy::enforce || (cfg.hal.affinity == AffinityPolicy::verify && outside)) ++stray;
    }
    if (stray)
      add("affinity", st.id, -1, st.effective.list(), std::to_string(stray) + " task(s)",
          who + ": " + std::to_string(stray) + " task(s) do not run on the partition's CPUs {" + st.effective.list() + "}");
    }  // cpuset

    if (rc && !spec->resctrl_group.empty()) {
      if (!st.rc_exists) {
        add("resctrl-group-missing", st.id, -1, spec->resctrl_group, "absent",
            who + ": resctrl group " + spec->resctrl_group + " does not exist");
        continue;
      }
      if (masks.count(st.id)) {
        for (int d : info.resctrl.domains) {
          const unsigned long have = st.l3.count(d) ? st.l3.at(d) : 0;
          if (have != masks.at(st.id)) {
            char e[32], a[32];
            std::snprintf(e, sizeof e, "%lx", masks.at(st.id));
            std::snprintf(a, sizeof a, "%lx", have);
            add("cache-ways", st.id, d, e, a,
                who + ": L3 domain " + std::to_string(d) + " mask is " + a + ", expected " + e + " (" +
                    std::to_string(want.cache_ways.at(st.id)) + " ways)");
          }
        }
      }
      if (want.bandwidth.count(st.id) && info.resctrl.mba) {
        const int g = std::max(info.resctrl.mb_gran, 1);
        const unsigned long expect = static_cast<unsigned long>((want.bandwidth.at(st.id) + g - 1) / g * g);
        for (int d : info.resctrl.domains) {
          const unsigned long have = st.mb.count(d) ? st.mb.at(d) : 0;
          if (have != expect)
            add("bandwidth", st.id, d, std::to_string(expect), std::to_string(have),
                who + ": MB domain " + std::to_string(d) + " is " + std::to_string(have) + "%, expected " +
                    std::to_string(expect) + "%");
        }
      }
      int missing = 0;
      for (int t : st.tasks)
        if (std::find(st.rc_tasks.begin(), st.rc_tasks.end(), t) == st.rc_tasks.end()) ++missing;
      if (missing)
        add("resctrl-tasks", st.id, -1, "all", std::to_string(missing) + " missing",
            who + ": " + std::to_string(missing) + " task(s) of the cgroup are not in resctrl group " + spec->resctrl_group);
    }
  }
  return out;
}

Result<ReconcileReport> reconcile(Hal& hal, const Config& cfg, const Desired& want, bool repair) {
  ReconcileReport rep;
  auto found = diff_state(hal, cfg, want);
  if (!found) return fail(found.error());
  rep.found = *found;
  if (!repair || rep.found.empty()) {
    rep.remaining = rep.found;
    return rep;
  }
  auto tg = targets(cfg, want);
  if (!tg) return fail(tg.error());
  auto any = [&](const char* kind) {
    return std::any_of(rep.found.begin(), rep.found.end(), [&](const Difference& d) { return d.kind == kind; });
  };
  auto step = [&](const std::string& what, const Status& s) {
    if (s) rep.actions.push_back(what);
    else rep.errors.push_back(what + ": " + s.error().message);
  };

  if (any("cgroup-missing") || any("resctrl-group-missing")) step("created the missing partition groups", hal.ensure_partitions());
  for (const auto& d : rep.found)
    if (d.kind == "cpu-offline") step("onlined " + cpu_s(d.cpu), hal.unpark_cpu(d.cpu));

  if (any("cpu-missing") || any("cpu-extra") || any("partition-invalid") || any("cgroup-missing")) {
    auto hs = hal.read_state();
    if (!hs) {
      rep.errors.push_back("reading the host: " + hs.error().message);
    } else {
      std::map<int, CpuMask> change;
      for (const auto& st : hs->partitions) {
        if (!st.exists) continue;
        const CpuMask want_cpus = (st.cpus - tg->managed) | tg->cpus.at(st.id);
        const bool invalid = std::any_of(rep.found.begin(), rep.found.end(), [&](const Difference& d) {
          return d.kind == "partition-invalid" && d.partition == st.id;
        });
        if (!(want_cpus == st.cpus) || invalid) change[st.id] = want_cpus - tg->parked;
      }
      if (!change.empty()) {
        std::string what = "set the CPUs of";
        for (const auto& [id, m] : change) what += " '" + cfg.partition_by_id(id)->name + "' to {" + m.list() + "}";
        step(what, hal.set_cpus(change));
      }
    }
  }
  for (const auto& d : rep.found)
    if (d.kind == "cpu-online") step("parked " + cpu_s(d.cpu), hal.park_cpu(d.cpu));
  for (const auto& d : rep.found)
    if (d.kind == "affinity")
      step("set the affinity of partition '" + cfg.partition_by_id(d.partition)->name + "''s tasks",
           hal.enforce_affinity(d.partition));
  if (any("cache-ways")) step("set the L3 masks", hal.set_cache_ways(want.cache_ways));
  if (any("bandwidth")) step("set the memory bandwidth", hal.set_bandwidth(want.bandwidth));
  std::set<int> synced;
  for (const auto& d : rep.found)
    if (d.kind == "resctrl-tasks" && synced.insert(d.partition).second)
      step("moved partition '" + cfg.partition_by_id(d.partition)->name + "''s tasks into its resctrl group",
           hal.sync_resctrl_tasks(d.partition));

  auto after = diff_state(hal, cfg, want);
  if (!after) return fail(after.error());
  rep.remaining = *after;
  for (auto& d : rep.found) {
    d.repaired = std::none_of(rep.remaining.begin(), rep.remaining.end(), [&](const Difference& r) { return same(d, r); });
    if (!d.repaired) d.note = hal.fs().dry_run() ? "dry run: nothing was changed" : "still there after the repair";
  }
  return rep;
}

}  // namespace shoal::agent
