// The resctrl backend: L3 CAT masks, MBA percentages, monitoring counters, tasks.
#include <algorithm>
#include <bit>
#include <cerrno>
#include <cstdio>
#include <cstdlib>

#include "backends.hpp"

namespace shoal::agent {

std::map<std::string, std::map<int, unsigned long>> parse_schemata(const std::string& text) {
  std::map<std::string, std::map<int, unsigned long>> s;
  std::size_t p = 0;
  while (p < text.size()) {
    std::size_t e = text.find('\n', p);
    if (e == std::string::npos) e = text.size();
    const std::string line = text.substr(p, e - p);
    p = e + 1;
    const auto colon = line.find(':');
    if (colon == std::string::npos) continue;
    const std::string res(trim(line.substr(0, colon)));
    const bool hex = res.rfind("MB", 0) != 0 && res != "SMBA";  // bandwidth is decimal
    std::size_t q = colon + 1;
    while (q < line.size()) {
      std::size_t f = line.find(';', q);
      if (f == std::string::npos) f = line.size();
      const std::string dom = line.substr(q, f - q);
      q = f + 1;
      const auto eq = dom.find('=');
      if (eq == std::string::npos) continue;
      const std::string id(trim(dom.substr(0, eq))), v(trim(dom.substr(eq + 1)));
      if (id.empty() || v.empty()) continue;
      s[res][std::atoi(id.c_str())] = std::strtoul(v.c_str(), nullptr, hex ? 16 : 10);
    }
  }
  return s;
}

std::string ResctrlBackend::last_cmd_status() {
  std::string s;
  if (read_trimmed(fs_, info_.resctrl.mount + "/info/last_cmd_status", s) != 0) return "(info/last_cmd_status unreadable)";
  return s;
}

namespace {
std::string group_path(const ResctrlInfo& rc, const PartitionSpec& p) { return p.resctrl_group.empty() ? rc.mount : p.resctrl_group; }
}  // namespace

Status ResctrlBackend::read(const PartitionSpec& p, PartitionState& st) {
  st.rc_group = group_path(info_.resctrl, p);
  st.rc_exists = fs_.is_dir(st.rc_group) && fs_.exists(st.rc_group + "/schemata");
  if (!st.rc_exists) return {};
  std::string sch, tasks;
  int e = fs_.read(st.rc_group + "/schemata", sch);
  if (!e) e = fs_.read(st.rc_group + "/tasks", tasks);
  if (!e) e = read_trimmed(fs_, st.rc_group + "/mode", st.rc_mode);
  if (e) return fail(Errc::io, "resctrl: group " + st.rc_group + ": " + errno_text(e));
  const auto s = parse_schemata(sch);
  st.l3 = s.count("L3") ? s.at("L3") : std::map<int, unsigned long>{};
  st.mb = s.count("MB") ? s.at("MB") : std::map<int, unsigned long>{};
  st.rc_tasks.clear();
  for (std::size_t a = 0; a < tasks.size();) {
    std::size_t b = tasks.find('\n', a);
    if (b == std::string::npos) b = tasks.size();
    const std::string t(trim(tasks.substr(a, b - a)));
    if (!t.empty()) st.rc_tasks.push_back(std::atoi(t.c_str()));
    a = b + 1;
  }
  return {};
}

Status ResctrlBackend::create(const PartitionSpec& p) {
  const std::string g = group_path(info_.resctrl, p);
  if (fs_.is_dir(g)) return {};
  if (const int e = fs_.mkdir(g)) {
    const std::string why = last_cmd_status();
    return fail(Errc::io, "resctrl: mkdir " + g + " for partition '" + p.name + "': " + errno_text(e) +
                              (why == "ok" ? "" : ": the kernel says: " + why));
  }
  return {};
}

Status ResctrlBackend::write_schemata(const std::string& group, const std::string& text) {
  if (const int e = fs_.write(group + "/schemata", text)) {
    const std::string why = last_cmd_status();
    return fail(Errc::io, "resctrl: writing " + quoted(text) + " to " + group + "/schemata: " + errno_text(e) +
                              (why == "ok" ? ": the kernel gave no reason (info/last_cmd_status reads \"ok\")"
                                           : ": the kernel says: " + why));
  }
  return {};
}

Status ResctrlBackend::set_lines(const std::vector<std::pair<const PartitionSpec*, std::string>>& lines,
                                 const std::string& what) {
  // previous schemata of every group, for the rollback
  std::vector<std::pair<std::string, std::string>> done;  // group, previous line
  for (const auto& [p, line] : lines) {
    const std::string g = group_path(info_.resctrl, *p);
    std::string prev;
    if (const int e = fs_.read(g + "/schemata", prev))
      return fail(Errc::io, "resctrl: reading " + g + "/schemata: " + errno_text(e));
    std::string prev_line;  // the same resource's line as it was
    const std::string res = line.substr(0, line.find(':'));
    for (std::size_t a = 0; a < prev.size();) {
      std::size_t b = prev.find('\n', a);
      if (b == std::string::npos) b = prev.size();
      const std::string l = prev.substr(a, b - a);
      if (std::string(trim(l.substr(0, l.find(':')))) == res) {
        // re-emit without the kernel's padding
        std::string out = res + ":";
        bool first = true;
        const auto parsed = parse_schemata(l);
        if (parsed.count(res))
          for (const auto& [d, v] : parsed.at(res)) {
            char buf[48];
            if (res == "MB") std::snprintf(buf, sizeof buf, "%s%d=%lu", first ? "" : ";", d, v);
            else std::snprintf(buf, sizeof buf, "%s%d=%lx", first ? "" : ";", d, v);
            out += buf;
            first = false;
          }
        prev_line = out + "\n";
      }
      a = b + 1;
    }
    if (auto r = write_schemata(g, line); !r) {
      std::string rb;
      for (auto it = done.rbegin(); it != done.rend(); ++it)
        if (!it->second.empty() && fs_.write(it->first + "/schemata", it->second) != 0)
          rb += "; restoring " + it->first + "/schemata failed: " + last_cmd_status();
      return fail(Errc::io, r.error().message + (done.empty() ? "; nothing changed"
                                                              : rb.empty() ? "; rolled back, the host is as before"
                                                                           : rb + "; THE HOST IS LEFT INCONSISTENT"));
    }
    done.emplace_back(g, prev_line);
  }
  if (fs_.dry_run()) return {};
  // read back
  for (const auto& [p, line] : lines) {
    PartitionState st;
    if (auto r = read(*p, st); !r) return r;
    const auto want = parse_schemata(line);
    for (const auto& [res, doms] : want) {
      const auto& have = res == "L3" ? st.l3 : st.mb;
      for (const auto& [d, v] : doms) {
        unsigned long expect = v;
        if (res == "MB" && info_.resctrl.mb_gran > 0) {
          const auto g = static_cast<unsigned long>(info_.resctrl.mb_gran);
          expect = (v + g - 1) / g * g;
        }
        if (!have.count(d) || have.at(d) != expect)
          return fail(Errc::io, "resctrl: " + what + " of partition '" + p->name + "' on domain " + std::to_string(d) +
                                    " reads back " + (have.count(d) ? std::to_string(have.at(d)) : std::string("nothing")) +
                                    ", expected " + std::to_string(expect));
      }
    }
  }
  return {};
}

Status ResctrlBackend::set_l3(const std::vector<std::pair<const PartitionSpec*, unsigned long>>& masks) {
  std::vector<std::pair<const PartitionSpec*, std::string>> lines;
  for (const auto& [p, m] : masks) {
    std::string l = "L3:";
    for (std::size_t i = 0; i < info_.resctrl.domains.size(); ++i) {
      char buf[48];
      std::snprintf(buf, sizeof buf, "%s%d=%lx", i ? ";" : "", info_.resctrl.domains[i], m);
      l += buf;
    }
    lines.emplace_back(p, l + "\n");
  }
  return set_lines(lines, "L3 mask");
}

Status ResctrlBackend::set_mb(const std::vector<std::pair<const PartitionSpec*, int>>& percent) {
  if (!info_.resctrl.mba) return fail(Errc::unsupported, "resctrl: this host has no memory bandwidth allocation (no info/MB)");
  std::vector<std::pair<const PartitionSpec*, std::string>> lines;
  for (const auto& [p, v] : percent) {
    std::string l = "MB:";
    for (std::size_t i = 0; i < info_.resctrl.domains.size(); ++i)
      l += (i ? ";" : "") + std::to_string(info_.resctrl.domains[i]) + "=" + std::to_string(v);
    lines.emplace_back(p, l + "\n");
  }
  return set_lines(lines, "MB percentage");
}

Status ResctrlBackend::add_tasks(const PartitionSpec& p, const std::vector<int>& tids) {
  const std::string g = group_path(info_.resctrl, p);
  std::string failed;
  int n = 0;
  for (int tid : tids) {
    const int e = fs_.write(g + "/tasks", std::to_string(tid) + "\n");
    if (e == ESRCH) continue;  // exited meanwhile
    if (e) {
      if (++n <= 4) failed += " " + std::to_string(tid) + ": " + errno_text(e) + " (" + last_cmd_status() + ");";
    }
  }
  if (n) return fail(Errc::io, "resctrl: adding tasks of partition '" + p.name + "' to " + g + " failed for " +
                                   std::to_string(n) + " task(s):" + failed);
  return {};
}

Result<MonSample> ResctrlBackend::monitoring(const PartitionSpec& p) {
  const std::string g = group_path(info_.resctrl, p);
  MonSample s;
  auto sum = [&](const char* event) -> std::optional<unsigned long long> {
    unsigned long long total = 0;
    bool any = false;
    for (int d : info_.resctrl.domains) {
      char name[64];
      std::snprintf(name, sizeof name, "/mon_data/mon_L3_%02d/%s", d, event);
      std::string v;
      if (read_trimmed(fs_, g + name, v) != 0) return std::nullopt;
      if (v == "Unavailable" || v == "Error" || v.empty()) return std::nullopt;
      char* end = nullptr;
      const unsigned long long x = std::strtoull(v.c_str(), &end, 10);
      if (*end != '\0') return std::nullopt;
      total += x;
      any = true;
    }
    return any ? std::optional<unsigned long long>(total) : std::nullopt;
  };
  auto has = [&](const char* f) {
    return std::find(info_.resctrl.mon_features.begin(), info_.resctrl.mon_features.end(), f) !=
           info_.resctrl.mon_features.end();
  };
  if (has("llc_occupancy")) s.llc_occupancy = sum("llc_occupancy");
  if (has("mbm_total_bytes")) s.mbm_total_bytes = sum("mbm_total_bytes");
  return s;
}

// ---- hotplug ---------------------------------------------------------------------------------

Status HotplugBackend::set_online(int cpu, bool online) {
  const std::string f = "/sys/devices/system/cpu/cpu" + std::to_string(cpu) + "/online";
  if (cpu == 0 && !online) return fail(Errc::invalid_arg, "hotplug: CPU 0 is never parked");
  if (!info_.possible.test(cpu)) return fail(Errc::invalid_arg, "hotplug: CPU " + std::to_string(cpu) + " does not exist on this host");
  if (!fs_.exists(f))
    return fail(Errc::unsupported, "hotplug: CPU " + std::to_string(cpu) + " is not hot-pluggable (no " + f + ")");
  if (const int e = fs_.write(f, online ? "1\n" : "0\n")) {
    std::string h;
    if (e == EBUSY) h = ": the kernel refused (the last online CPU, or the CPU is busy)";
    if (e == EACCES || e == EPERM) h = ": permission denied (needs root)";
    return fail(Errc::io, std::string("hotplug: ") + (online ? "onlining" : "offlining") + " CPU " + std::to_string(cpu) +
                              ": " + errno_text(e) + h + "; nothing changed");
  }
  if (fs_.dry_run()) return {};
  CpuMask on;
  if (const int e = read_mask(fs_, "/sys/devices/system/cpu/online", std::max(info_.possible.last() + 1, 1), on))
    return fail(Errc::io, "hotplug: cannot read /sys/devices/system/cpu/online: " + errno_text(e));
  if (on.test(cpu) != online)
    return fail(Errc::io, "hotplug: CPU " + std::to_string(cpu) + " is still " + (online ? "offline" : "online") +
                              " after writing " + f);
  return {};
}

}  // namespace shoal::agent
