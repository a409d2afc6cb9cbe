#include "telemetry.hpp"

#include <algorithm>
#include <cstdlib>
#include <sstream>

#include "file_tree_internal.hpp"

namespace shoal::agent {

Result<std::map<int, CpuTimes>> parse_proc_stat(const std::string& text) {
  std::map<int, CpuTimes> out;
  std::istringstream in(text);
  std::string line;
  int n = 0;
  while (std::getline(in, line)) {
    ++n;
    if (!line.starts_with("cpu") || line.size() < 4 || line[3] < '0' || line[3] > '9') continue;
    const auto f = ftree::split_ws(line);
    // cpuN user nice system idle iowait irq softirq steal [guest guest_nice]
    if (f.size() < 9)
      return fail(Errc::io, "/proc/stat line " + std::to_string(n) + ": expected at least 8 counters: " + quoted(line));
    std::vector<unsigned long long> v;
    for (std::size_t i = 1; i < 9; ++i) {
      if (f[i].find_first_not_of("0123456789") != std::string::npos)
        return fail(Errc::io, "/proc/stat line " + std::to_string(n) + ": not a counter: " + quoted(f[i]));
      v.push_back(std::strtoull(f[i].c_str(), nullptr, 10));
    }
    const std::string id = f[0].substr(3);
    if (id.find_first_not_of("0123456789") != std::string::npos)
      return fail(Errc::io, "/proc/stat line " + std::to_string(n) + ": bad CPU name " + quoted(f[0]));
    CpuTimes t{v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7]};
    out[std::atoi(id.c_str())] = t;
  }
  if (out.empty()) return fail(Errc::io, "/proc/stat has no cpuN lines");
  return out;
}

Result<std::map<int, CpuTimes>> read_proc_stat(KernelFs& fs) {
  std::string text;
  if (const int e = fs.read("/proc/stat", text)) return fail(Errc::io, "cannot read /proc/stat: " + errno_text(e));
  return parse_proc_stat(text);
}

Result<unsigned long long> read_cgroup_usage_ns(KernelFs& fs, const std::string& dir) {
  std::string s;
  if (fs.exists(dir + "/cpuacct.usage")) {
    if (const int e = read_trimmed(fs, dir + "/cpuacct.usage", s))
      return fail(Errc::io, "cannot read " + dir + "/cpuacct.usage: " + errno_text(e));
    if (s.empty() || s.find_first_not_of("0123456789") != std::string::npos)
      return fail(Errc::io, dir + "/cpuacct.usage: not a number: " + quoted(s));
    return std::strtoull(s.c_str(), nullptr, 10);
  }
  if (const int e = fs.read(dir + "/cpu.stat", s))
    return fail(Errc::io, "no CPU usage for " + dir + " (no cpuacct.usage, cpu.stat: " + errno_text(e) + ")");
  std::istringstream in(s);
  std::string k, v;
  while (in >> k >> v) {
    if (k != "usage_usec") continue;
    if (v.find_first_not_of("0123456789") != std::string::npos)
      return fail(Errc::io, dir + "/cpu.stat: usage_usec is not a number: " + quoted(v));
    return std::strtoull(v.c_str(), nullptr, 10) * 1000ULL;
  }
  return fail(Errc::io, dir + "/cpu.stat has no usage_usec");
}

Result<TelemetrySampler::Reading> TelemetrySampler::read() {
  Reading r;
  r.at = std::chrono::steady_clock::now();
  auto cpus = read_proc_stat(hal_.fs());
  if (!cpus) return fail(cpus.error());
  r.cpus = *cpus;
  for (const auto& p : hal_.settings().partitions) {
    if (!p.usage_cgroup.empty()) {
      auto u = read_cgroup_usage_ns(hal_.fs(), p.usage_cgroup);
      if (u) r.usage_ns[p.id] = *u;
      else r.unavailable.push_back("partition '" + p.name + "' CPU usage: " + u.error().message);
    }
    if (!p.resctrl_group.empty() && hal_.info().resctrl.present) {
      auto m = hal_.read_monitoring(p.id);
      if (!m) {
        r.unavailable.push_back("partition '" + p.name + "' resctrl counters: " + m.error().message);
        continue;
      }
      if (m->llc_occupancy) r.llc[p.id] = *m->llc_occupancy;
      else r.unavailable.push_back("partition '" + p.name + "' llc_occupancy: unavailable");
      if (m->mbm_total_bytes) r.mbm[p.id] = *m->mbm_total_bytes;
      else r.unavailable.push_back("partition '" + p.name + "' mbm_total_bytes: unavailable");
    }
  }
  return r;
}

Status TelemetrySampler::prime() {
  auto r = read();
  if (!r) return fail(r.error());
  last_ = std::move(*r);
  return {};
}

Result<TelemetrySample> TelemetrySampler::sample() {
  if (!last_)
    if (auto p = prime(); !p) return fail(p.error());
  auto cur = read();
  if (!cur) return fail(cur.error());
  TelemetrySample s;
  const Reading& a = *last_;
  const Reading& b = *cur;
  s.interval_s = std::chrono::duration<double>(b.at - a.at).count();
  s.unavailable = b.unavailable;
  for (const auto& [cpu, t1] : b.cpus) {
    const auto it = a.cpus.find(cpu);
    if (it == a.cpus.end()) {
      s.unavailable.push_back("CPU " + std::to_string(cpu) + ": came online during the interval");
      continue;
    }
    const CpuTimes& t0 = it->second;
    // counters only grow; a smaller value means the CPU went away and came back (reset)
    if (t1.total() < t0.total() || t1.busy() < t0.busy()) {
      s.unavailable.push_back("CPU " + std::to_string(cpu) + ": counters went backwards");
      continue;
    }
    const unsigned long long busy = t1.busy() - t0.busy(), total = t1.total() - t0.total();
    s.cpu_busy_ticks[cpu] = busy;
    s.cpu_total_ticks[cpu] = total;
    if (total == 0) {
      s.unavailable.push_back("CPU " + std::to_string(cpu) + ": no ticks in the interval");
      continue;
    }
    s.cpu_busy[cpu] = static_cast<double>(busy) / static_cast<double>(total);
  }
  for (const auto& [id, u1] : b.usage_ns) {
    const auto it = a.usage_ns.find(id);
    if (it != a.usage_ns.end() && u1 >= it->second) s.partition_usage_ns[id] = u1 - it->second;
  }
  s.llc_occupancy = b.llc;
  for (const auto& [id, m1] : b.mbm) {
    const auto it = a.mbm.find(id);
    if (it != a.mbm.end() && m1 >= it->second) s.mbm_bytes[id] = m1 - it->second;
  }
  for (const auto& [proc, cpu] : cfg_.processors) {
    const auto it = s.cpu_busy.find(cpu);
    if (it == s.cpu_busy.end()) continue;
    s.card_busy_permille[proc] = static_cast<unsigned>(std::clamp(it->second, 0.0, 1.0) * 1000.0 + 0.5);
  }
  last_ = std::move(*cur);
  return s;
}

}  // namespace shoal::agent
