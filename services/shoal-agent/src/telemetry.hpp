// Telemetry the other way: what the host's CPUs and partitions really did, as samples the agent
// can feed to the card as the processors' busy inputs.
//   per CPU        /proc/stat "cpuN" lines (USER_HZ ticks): busy = user + nice + system + irq +
//                  softirq + steal, total = busy + idle + iowait; busy fraction over the interval
//   per partition  cgroup v1 cpuacct.usage (ns) of the partition's usage_cgroup, or cgroup v2
//                  cpu.stat usage_usec of its cgroup: CPU time used in the interval
//   resctrl        llc_occupancy (bytes, now) and mbm_total_bytes (bytes in the interval)
// All read through the HAL's KernelFs, so a FileTree can stand in for the host.
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>

#include "config.hpp"
#include "hal.hpp"

namespace shoal::agent {

struct CpuTimes {
  unsigned long long user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0;
  unsigned long long busy() const { return user + nice + system + irq + softirq + steal; }
  unsigned long long total() const { return busy() + idle + iowait; }
};

// Per-CPU times from /proc/stat text (the aggregate "cpu" line is skipped; offline CPUs have no
// line). Malformed lines are an error naming the line.
Result<std::map<int, CpuTimes>> parse_proc_stat(const std::string& text);
Result<std::map<int, CpuTimes>> read_proc_stat(KernelFs& fs);

// CPU time used by a cgroup so far, in ns: v1 <dir>/cpuacct.usage, v2 <dir>/cpu.stat usage_usec.
Result<unsigned long long> read_cgroup_usage_ns(KernelFs& fs, const std::string& dir);

struct TelemetrySample {
  double interval_s = 0;                                  // wall time between the readings
  std::map<int, double> cpu_busy;                         // host CPU -> busy fraction 0..1
  std::map<int, unsigned long long> cpu_busy_ticks;       // host CPU -> busy ticks in the interval
  std::map<int, unsigned long long> cpu_total_ticks;
  std::map<int, unsigned long long> partition_usage_ns;   // partition id -> CPU ns in the interval
  std::map<int, unsigned long long> llc_occupancy;        // partition id -> bytes now
  std::map<int, unsigned long long> mbm_bytes;            // partition id -> bytes in the interval
  std::map<int, unsigned> card_busy_permille;             // card processor -> its host CPU's busy, 0..1000
  std::vector<std::string> unavailable;                   // what could not be read, and why
};

class TelemetrySampler {
 public:
  TelemetrySampler(Hal& hal, const Config& cfg) : hal_(hal), cfg_(cfg) {}
  // Takes the first reading; sample() reports the change since the previous reading.
  Status prime();
  Result<TelemetrySample> sample();

 private:
  struct Reading {
    std::chrono::steady_clock::time_point at;
    std::map<int, CpuTimes> cpus;
    std::map<int, unsigned long long> usage_ns;
    std::map<int, unsigned long long> mbm;
    std::map<int, unsigned long long> llc;
    std::vector<std::string> unavailable;
  };
  Result<Reading> read();
  Hal& hal_;
  const Config& cfg_;
  std::optional<Reading> last_;
};

}  // namespace shoal::agent
