// The HAL: one interface through which shoal-agent applies the card's decisions to a Linux host,
// hiding how the host does it. Backends, chosen in the configuration ([hal] in agent.toml):
//   CPU partitioning   cpuset-v1 (cgroup v1 cpuset: cpuset.cpus, cpuset.mems, cpu_exclusive)
//                      cpuset-v2 (cgroup v2: cpuset.cpus, cpuset.cpus.partition root/isolated,
//                                 the .effective files)
//   cache and memory   resctrl (L3 CAT schemata, MBA, llc_occupancy/mbm_total_bytes counters,
//   bandwidth                   errors from info/last_cmd_status)
//   power              hotplug (cpuN/online for parked processors; never CPU 0)
// each over a KernelFs (kernel_fs.hpp): the running kernel, a FileTree that reproduces the
// kernel files' semantics, or a dry run over either.
//
// Every change is checked before it is made (unknown partition, CPU that does not exist or is
// offline, a partition with live processes left without CPUs), written in an order the kernel
// accepts, read back (cpus, effective, partition state, the member tasks' affinity), and rolled
// back if any step fails; the returned error says what failed, what the kernel said, and
// whether the rollback restored the previous state. Nothing is left inconsistent silently.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cpumask.hpp"
#include "kernel_fs.hpp"
#include "shoal/result.hpp"

namespace shoal::agent {

enum class PartitionType { member, root, isolated };  // cgroup v2 cpuset.cpus.partition
enum class AffinityPolicy { verify, enforce, ignore };

const char* partition_type_name(PartitionType t);
const char* affinity_policy_name(AffinityPolicy p);

// One card partition's host objects.
struct PartitionSpec {
  int id = 0;                 // the card's partition id
  std::string name;
  std::string cgroup;         // cpuset cgroup: relative to the cpuset mount, or absolute
  std::string usage_cgroup;   // where CPU usage is sampled; "" = derived (see resolve in make_hal)
  std::string resctrl_group;  // resctrl group: relative to the resctrl mount, or absolute; "" none
  CpuMask fixed_cpus;         // host CPUs always in the partition, not moved by the card
  PartitionType type = PartitionType::member;
};

struct HalSettings {
  std::string cpuset = "auto";   // "v1", "v2", "auto" (v2 with a cpuset controller, else v1), "none"
  std::string cpuset_mount;      // "" = from /proc/mounts
  std::string resctrl = "auto";  // "on" (required), "off", "auto" (used when mounted)
  std::string resctrl_mount = "/sys/fs/resctrl";
  std::string hotplug = "auto";  // "on", "off", "auto"
  AffinityPolicy affinity = AffinityPolicy::verify;
  bool create = true;            // create missing partition cgroups / resctrl groups
  std::vector<PartitionSpec> partitions;
  CpuMask managed;               // host CPUs the card's processors map to
};

// What the host offers, found by probe_host(). `problem` fields say why something is absent.
struct CpusetInfo {
  std::string flavor;  // "v1", "v2" or "" (none)
  std::string mount;
  std::string cpuacct_mount;  // v1: the cpuacct hierarchy used for usage telemetry
  int writable = ENOENT;      // 0 when the mount's cgroup files may be written (not tried)
  std::string problem;
};
struct ResctrlInfo {
  bool present = false;
  std::string mount;
  unsigned long cbm_mask = 0;
  int cbm_len = 0, min_cbm_bits = 0, num_closids = 0;
  std::vector<int> domains;  // L3 cache ids (from the default group's schemata)
  bool mba = false;
  int mb_min = 0, mb_gran = 0;
  std::vector<std::string> mon_features;
  int writable = ENOENT;
  std::string problem;
};
struct HotplugInfo {
  bool present = false;
  CpuMask hotpluggable;  // CPUs with a cpuN/online file
  int writable = ENOENT;
  std::string problem;
};
struct HalInfo {
  std::string fs;  // KernelFs::describe()
  CpuMask possible, online;
  std::string problem;  // possible/online CPUs unreadable
  CpusetInfo cpuset;
  ResctrlInfo resctrl;
  HotplugInfo hotplug;
};

// One partition as the host has it.
struct PartitionState {
  int id = 0;
  std::string name;
  std::string cgroup;  // resolved absolute path
  bool exists = false;
  CpuMask cpus, effective;
  std::string partition;       // v2: cpuset.cpus.partition as read ("root invalid (...)"); v1: ""
  bool exclusive = false;      // v1: cpuset.cpu_exclusive
  std::vector<int> tasks;      // thread ids
  std::vector<std::pair<int, CpuMask>> stray;  // tasks whose affinity is not within `effective`
  // resctrl (when configured for the partition)
  std::string rc_group;
  bool rc_exists = false;
  std::map<int, unsigned long> l3;  // domain -> CBM
  std::map<int, unsigned long> mb;  // domain -> percent
  std::string rc_mode;
  std::vector<int> rc_tasks;
};

struct HostState {
  CpuMask possible, online;
  std::vector<PartitionState> partitions;
  const PartitionState* find(int id) const;
};

struct MonSample {
  std::optional<unsigned long long> llc_occupancy;    // bytes, summed over L3 domains
  std::optional<unsigned long long> mbm_total_bytes;  // cumulative bytes, summed
};

class Hal {
 public:
  virtual ~Hal() = default;

  virtual const HalInfo& info() const = 0;
  virtual const HalSettings& settings() const = 0;  // partitions with resolved absolute paths
  virtual KernelFs& fs() = 0;
  virtual std::string backends() const = 0;         // "cpuset-v1 + resctrl + hotplug on host"
  virtual const PartitionSpec* partition(int id) const = 0;

  virtual Result<HostState> read_state() = 0;
  // Creates missing partition cgroups and resctrl groups (settings().create).
  virtual Status ensure_partitions() = 0;
  // Sets the exact CPU list of each listed partition (fixed CPUs included by the caller).
  virtual Status set_cpus(const std::map<int, CpuMask>& partition_cpus) = 0;
  // Afterwards the managed host CPU is in `partition` and in no other configured partition.
  virtual Status assign_cpu(int cpu, int partition) = 0;
  // Afterwards the managed host CPU is in no configured partition.
  virtual Status release_cpu(int cpu) = 0;
  virtual Status park_cpu(int cpu) = 0;    // release, then offline (never CPU 0)
  virtual Status unpark_cpu(int cpu) = 0;  // online (the caller assigns it afterwards)
  // L3 ways per partition id, laid out as contiguous non-overlapping masks from bit 0 in
  // partition id order; each non-zero grant at least min_cbm_bits.
  virtual Status set_cache_ways(const std::map<int, int>& ways) = 0;
  virtual Status set_bandwidth(const std::map<int, int>& percent) = 0;
  // Puts the partition cgroup's tasks into its resctrl group.
  virtual Status sync_resctrl_tasks(int partition) = 0;
  // Sets every task of the partition to the partition's effective CPUs.
  virtual Status enforce_affinity(int partition) = 0;
  virtual Result<MonSample> read_monitoring(int partition) = 0;
};

// Finds what the host (through `fs`) offers. Never fails; absent parts carry a `problem`.
HalInfo probe_host(KernelFs& fs, const HalSettings& settings);

// Builds the HAL. Fails when a backend the settings require is absent, or a partition's paths
// do not resolve. Partition paths are resolved against the mounts found by probe_host.
Result<std::unique_ptr<Hal>> make_hal(KernelFs& fs, const HalSettings& settings, const HalInfo& info);

// Masks for `ways` (partition id -> ways) as set_cache_ways lays them out.
Result<std::map<int, unsigned long>> layout_cache_ways(const std::map<int, int>& ways, int cbm_len, int min_cbm_bits);

}  // namespace shoal::agent
