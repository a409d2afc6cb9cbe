// A scenario for the co-simulated card (sim/README.md, "Scenarios"): partitions with their
// limits and demand curves, the card's time scale and policy, and a power model. Read from a
// TOML file (toml++); every error names the file, the line and the reason.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "demand.hpp"

namespace shoal::scenario {

// A bad scenario file: what() is "FILE:LINE:COLUMN: reason" (LINE 0 when no line applies).
class ScenarioError : public std::runtime_error {
 public:
  ScenarioError(std::string file, int line, int column, const std::string& reason)
      : std::runtime_error(file + ":" + std::to_string(line) + ":" + std::to_string(column) + ": " + reason),
        file_(std::move(file)), line_(line), reason_(reason) {}
  const std::string& file() const { return file_; }
  int line() const { return line_; }
  const std::string& reason() const { return reason_; }

 private:
  std::string file_;
  int line_;
  std::string reason_;
};

enum class Policy : uint8_t { Static = 0, Reactive = 1, Predictive = 2 };
const char* to_string(Policy p);
bool parse_policy(const std::string& s, Policy* out);

struct PartitionSpec {
  std::string name;
  uint32_t priority = 1;   // 0..15, higher wins reclaims
  uint32_t floor = 0;      // processors never reclaimed from it
  uint32_t cap = 64;       // processors at most
  uint32_t initial = 0;    // processors granted at the start (the admin's REQUEST)
  double threshold_hi = 0.85, threshold_lo = 0.35;  // WMU utilization thresholds (0..1)
  uint32_t mem_pct = 0, io_pct = 0;  // percent of busy cycles with a memory / an I/O event
  Demand demand;           // processor units over steps
};

struct PowerModel {
  double active_w = 10.0;  // a processor running busy
  double idle_w = 4.0;     // running, not busy
  double parked_w = 0.5;   // parked (in no partition: the idle pool)
};

struct Scenario {
  std::string file;        // where it was read from
  std::string name, description;
  uint64_t seed = 1;
  uint32_t steps = 100;
  uint64_t step_cycles = 100000;  // card cycles one scenario step takes
  uint32_t ticks = 4;             // workload updates per step (duties follow the DRRM map)
  double step_seconds = 60;       // what one step stands for (energy, times in the narrative)
  Policy policy = Policy::Predictive;
  // the card's planning parameters (POLICY_SET)
  uint32_t window_cycles = 25000, epoch_windows = 4, alpha = 1, quantile = 90, move_cost = 8;
  PowerModel power;
  std::string donor, receiver;    // the narrative: processors flowing donor -> receiver
  std::vector<PartitionSpec> parts;

  int index_of(const std::string& name) const;
};

// Reads and checks a scenario; throws ScenarioError (file:line:column: reason).
Scenario load_scenario(const std::string& path);
// The same from text (`origin` names it in errors; relative trace paths are relative to `dir`).
Scenario parse_scenario(const std::string& text, const std::string& origin, const std::string& dir);

}  // namespace shoal::scenario
