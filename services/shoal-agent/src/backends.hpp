// The HAL's backends (internal to the agent; the HAL in hal.hpp is the interface to use).
#pragma once

#include <map>
#include <string>
#include <vector>

#include "hal.hpp"

namespace shoal::agent {

// ---- cpuset (cgroup v1 and v2) ---------------------------------------------------------------

struct CpuChange {
  const PartitionSpec* spec = nullptr;  // resolved paths
  CpuMask target;
};

class CpusetBackend {
 public:
  CpusetBackend(KernelFs& fs, const HalInfo& info, AffinityPolicy policy);
  std::string name() const { return v2_ ? "cpuset-v2" : "cpuset-v1"; }
  bool v2() const { return v2_; }

  Status read(const PartitionSpec& p, PartitionState& st);
  Status create(const PartitionSpec& p);
  // Applies the changes in an order the kernel accepts, then the v2 partition types; verifies
  // and checks the affinity of the tasks; rolls everything back on any failure. `all` lists
  // every configured partition (to notice siblings the change invalidated).
  Status apply(const std::vector<CpuChange>& changes, const std::vector<PartitionSpec>& all);
  Status enforce_affinity(const PartitionSpec& p);

 private:
  struct Step {
    const PartitionSpec* spec;  // the partition, or the one whose ancestor `dir` is
    std::string dir;            // the cgroup written
    std::string file;           // "cpuset.cpus" or "cpuset.cpus.partition"
    std::string value, previous;
  };
  std::string file_eff() const { return v2_ ? "cpuset.cpus.effective" : "cpuset.effective_cpus"; }
  std::string file_tasks() const { return v2_ ? "cgroup.threads" : "tasks"; }
  std::string where(const PartitionSpec& p) const;
  std::string hint(const std::string& file, int err) const;
  int write_step(const Step& s, bool use_previous);
  std::string rollback(std::vector<Step>& done);
  int nbits() const;

  KernelFs& fs_;
  const HalInfo& info_;
  AffinityPolicy policy_;
  bool v2_;
};

// ---- resctrl ---------------------------------------------------------------------------------

class ResctrlBackend {
 public:
  ResctrlBackend(KernelFs& fs, const HalInfo& info) : fs_(fs), info_(info) {}
  Status read(const PartitionSpec& p, PartitionState& st);
  Status create(const PartitionSpec& p);
  // Writes `text` (one or more schemata lines, each ending in "\n") to the group; on failure the
  // error carries the kernel's info/last_cmd_status.
  Status write_schemata(const std::string& group, const std::string& text);
  // Per partition: L3 masks on every domain / MB percent on every domain. All or nothing.
  Status set_l3(const std::vector<std::pair<const PartitionSpec*, unsigned long>>& masks);
  Status set_mb(const std::vector<std::pair<const PartitionSpec*, int>>& percent);
  Status add_tasks(const PartitionSpec& p, const std::vector<int>& tids);
  Result<MonSample> monitoring(const PartitionSpec& p);
  std::string last_cmd_status();

 private:
  Status set_lines(const std::vector<std::pair<const PartitionSpec*, std::string>>& lines, const std::string& what);
  KernelFs& fs_;
  const HalInfo& info_;
};

// ---- CPU hotplug -----------------------------------------------------------------------------

class HotplugBackend {
 public:
  HotplugBackend(KernelFs& fs, const HalInfo& info) : fs_(fs), info_(info) {}
  Status set_online(int cpu, bool online);

 private:
  KernelFs& fs_;
  const HalInfo& info_;
};

// Parses a schemata file ("L3:0=7ff;1=7ff\nMB:0=100;1= 50\n"): resource -> domain -> value.
std::map<std::string, std::map<int, unsigned long>> parse_schemata(const std::string& text);

}  // namespace shoal::agent
