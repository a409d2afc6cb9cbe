// Runs a scenario on the in-process card model (the Verilated card booting the default
// firmware): the partitions are created and configured through the admin queue, then every tick
// the host reads the DRRM map the card maintains and sets each processor's busy duty from its
// partition's demand (duty = min(1, demand / processors held)); the firmware's policy alone
// moves processors. Everything observed is kept for the report and the tests.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "card_host.hpp"
#include "scenario.hpp"

namespace shoal::scenario {

constexpr int kIdle = -1;     // a processor in no partition (parked, the idle pool)
constexpr int kMoving = -2;   // pausing / paused / resuming at the instant it was read

// One processor changing hands, seen in the DRRM map between two ticks.
struct Move {
  uint32_t tick = 0;  // the tick at whose start it was seen
  uint32_t proc = 0;
  int from = kIdle, to = kIdle;  // partition index, or kIdle
};

// A decoded audit record (docs/commands.md, "Audit records").
struct AuditRecord {
  uint32_t seq = 0, kind = 0, source = 0, actor = 0, status = 0, part = 0, part2 = 0, rtype = 0, flags = 0,
           amount = 0, aux = 0, data_lo = 0, data_hi = 0;
  uint64_t time = 0;  // card cycle counter
  static AuditRecord decode(const AuditWords& w);
};

struct Tick {
  std::vector<double> demand;     // per partition, processors
  std::vector<uint32_t> held;     // per partition: processors running in it (DRRM map)
  std::vector<uint32_t> granted;  // per partition: the ALLOC's CPU grant
  uint32_t free = 0;              // ALLOC pool free (CPU)
  uint32_t parked = 0, moving = 0;
  double power_w = 0;
  bool map_matches_audit = true;  // the owners replayed from the audit log = the DRRM map
};

struct PartitionTotals {
  double demand = 0, served = 0, unmet = 0;  // processor-ticks
  uint32_t min_held = ~0u, max_held = 0;
};

struct RunResult {
  Scenario scenario;
  Policy policy = Policy::Static;
  std::vector<Tick> ticks;
  std::vector<int> initial_owner;  // per processor when the run began (partition or kIdle)
  std::vector<Move> moves;
  std::vector<AuditRecord> audit;
  std::vector<PartitionTotals> totals;
  double energy_wh = 0;
  double held_busy = 0;       // served / held processor-ticks (how busy the held processors ran)
  double pool_busy = 0;       // served / all processor-ticks
  uint32_t migrations = 0;    // processor moves seen in the map (to or from the idle pool included)
  uint32_t audit_migrations = 0;   // MIGRATE records (processors in their masks)
  uint32_t decisions = 0;
  double decision_p99_cycles = 0, decision_p50_cycles = 0;
  uint32_t audit_gaps = 0;    // records the card dropped (GAP)
  uint32_t audit_mismatch_ticks = 0;  // ticks whose DRRM map the audit log did not explain
  uint32_t audit_checked_ticks = 0;   // ticks compared (not those with a migration in flight)
  uint32_t fw_epochs = 0, fw_migrations = 0, fw_rollbacks = 0, fw_decide_max = 0;  // SERVICE_STATUS at the end
  uint64_t boot_cycles = 0, run_cycles = 0;
  double wall_seconds = 0;
  uint32_t tick_of_step(uint32_t step) const { return step * scenario.ticks; }
};

// progress(tick, ticks) is called now and then.
RunResult run_scenario(const Scenario& s, Policy policy, const std::function<void(uint32_t, uint32_t)>& progress = {});

}  // namespace shoal::scenario
