// Reconciliation: compare the host's actual state (read through the HAL) with what the card
// decided (which partition each processor belongs to, which are parked, cache ways and
// bandwidth per partition), report every difference and, when asked, repair it — then read the
// host again and say, for each difference, whether it is gone. Nothing is left inconsistent
// silently: what could not be repaired is in the report with the reason.
//
// The desired state is a plain struct for now; the card side of the agent will fill it from
// the card's processor map (DRRM) and grants (ALLOC).
#pragma once

#include <map>
#include <string>
#include <vector>

#include "config.hpp"
#include "hal.hpp"

namespace shoal::agent {

constexpr int kParked = -1;  // Desired::processors value: the processor is parked (CPU offline)

struct Desired {
  std::map<int, int> processors;  // card processor -> partition id, or kParked; absent: not managed
  std::map<int, int> cache_ways;  // partition id -> L3 ways; absent: not managed
  std::map<int, int> bandwidth;   // partition id -> MB percent; absent: not managed
};

// Reads a desired state from a TOML file:
//   [processors]  0 = 1        card processor = partition id, or "parked"
//   [cache_ways]  0 = 4        partition id = ways
//   [bandwidth]   0 = 50       partition id = percent
Result<Desired> load_desired(const std::string& path, const Config& cfg);

struct Difference {
  std::string kind;       // cgroup-missing, cpu-missing, cpu-extra, cpu-offline, cpu-online, effective,
                          // partition-invalid, affinity, resctrl-group-missing, cache-ways, bandwidth,
                          // resctrl-tasks
  int partition = -1;     // partition id, -1 when not about one
  int cpu = -1;           // host CPU, -1 when not about one
  std::string expected, actual;
  std::string text;       // one line for people
  bool repaired = false;  // gone after the repair
  std::string note;       // why it is not repaired, or what the repair did
};

struct ReconcileReport {
  std::vector<Difference> found;      // before any repair
  std::vector<Difference> remaining;  // after the repair (== found when not repairing)
  std::vector<std::string> actions;   // what the repair did, in order
  std::vector<std::string> errors;    // repair steps that failed
  bool repaired_all() const { return remaining.empty(); }
};

// The differences between the host and `want`.
Result<std::vector<Difference>> diff_state(Hal& hal, const Config& cfg, const Desired& want);

// Reports (repair = false) or repairs and re-checks (repair = true).
Result<ReconcileReport> reconcile(Hal& hal, const Config& cfg, const Desired& want, bool repair);

}  // namespace shoal::agent
