// The policy simulation of bench-policy (host only): N partitions (trace series) share P
// processors; each step's demand (processors) comes from the trace; the card's pieces are
// modelled faithfully where the policy sees them:
//   - the WMU: utilization of the held processors (busy / held processor-cycles, truncated,
//     Q0.16, so demand beyond the holding is invisible), its EWMA with shift `wmu_alpha` and
//     the HI/LO hysteresis state, exactly the arithmetic of docs/wmu.md;
//   - the policy: shoal::policy::decide() (firmware/policy), the code the firmware runs, and
//     for the predictive policy the predictor fed by observe_cpu();
//   - the ALLOC: every move of a Decision is issued to the HLS reference
//     (hls/alloc/alloc.hpp, alloc_top) as the card's allocator would execute it; a response that
//     is not GRANTED, or an allocation that differs from the plan's target, is counted.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "shoal/policy/decide.hpp"

namespace shoal::policysim {

struct SimConfig {
  uint32_t processors = 64;  // P, the pool (<= 511, the ALLOC's unit width)
  double scale = 16;         // processors a series at 100 % demands
  uint16_t floor = 1;        // per partition (ALLOC floor)
  uint16_t cap = 16;         // per partition (ALLOC cap), <= processors
  std::vector<uint8_t> prio; // per partition; missing entries are 0
  uint8_t wmu_alpha = 1;     // WMU ALPHA (EWMA shift)
  uint16_t hi = 55706;       // WMU HI (Q0.16, 0.85)
  uint16_t lo = 32768;       // WMU LO (Q0.16, 0.5)
  shoal::policy::PolicyConfig policy;
  shoal::policy::ProfileConfig profile;  // the predictor's CPU profiles
  uint32_t warmup = 12;      // steps simulated but not counted
  bool record = false;       // keep per-step series (pictures)
};

struct SimResult {
  double demand = 0;     // processor-steps demanded
  double served = 0;     // processor-steps served (min(demand, held))
  double unmet = 0;      // demand - served
  double allocated = 0;  // processor-steps held
  double steps = 0;      // counted steps (per group)
  double migrations = 0; // processors moved (released + granted)
  double reclaimed = 0;  // processors taken by reclaim
  double decide_ns = 0;  // host time in decide() (+ observe_cpu for the predictive policy)
  uint64_t decisions = 0;
  uint64_t plan_mismatch = 0;  // ALLOC responses other than GRANTED, or alloc != target
  uint64_t decide_errors = 0;  // decide() returned something other than Ok
  // recorded series (record = true): [partition][step]
  std::vector<std::vector<double>> rec_demand, rec_alloc, rec_point, rec_upper;

  void add(const SimResult& o);
  double utilization() const { return allocated > 0 ? served / allocated : 0; }
  double slack() const { return allocated > 0 ? (allocated - served) / allocated : 0; }
  double unmet_share() const { return demand > 0 ? unmet / demand : 0; }
};

// Runs one group: `series[p]` (percent per step, all the same length) is partition p's demand.
// A Static policy with equal = 0 uses cfg.policy.st.share (e.g. from static_shares()).
// Returns false with `err` on a configuration the card could not hold.
bool simulate(const SimConfig& cfg, const std::vector<const std::vector<float>*>& series,
              SimResult& out, std::string& err);

// Static shares sized at the q-quantile (0..1; 1 = the peak) of each series' demand, rounded up,
// at least the floor and at most the cap, scaled down (largest remainders) to fit the pool.
std::vector<uint16_t> static_shares(const SimConfig& cfg, const std::vector<const std::vector<float>*>& series,
                                    double q);

}  // namespace shoal::policysim
