// Shoal policy: the policy decision interface of the allocation service (issues 13 and 15).
//
// Once per planning epoch the service fills an EpochIn from the ALLOC (pool, floors, caps,
// priorities, holdings of the CPU type) and the WMU (last window utilization, EWMA, threshold
// state) and calls decide(). decide() returns a target processor count per partition and the
// exact ALLOC command sequence that reaches it; the service issues the moves in order and
// migrates the processors the responses name (victims: the response's victim list). The same
// function, with the same inputs, runs in bench-policy over real traces.
//
// Applying a Decision (the contract the service and the benchmark follow):
//   for each move in move[0 .. nmoves-1], in order:
//     op == kOpRelease: ALLOC RELEASE (partition, CPU, amount)            -> GRANTED
//     op == kOpRequest: ALLOC REQUEST (partition, CPU, amount, allow_partial = 0,
//                                       allow_reclaim = reclaim)            -> GRANTED
//   Releases come first (voluntary returns to the idle pool), then requests by descending
//   priority (ascending index among equals). decide() plans the requests with the ALLOC's own
//   rules (docs/alloc.md: units from free first, then reclaim from strictly lower priority above
//   floors, victims in (prio asc, excess desc, index asc) order), so every move is GRANTED in
//   full and afterwards alloc[p] == target[p] for every partition; taken[v] is what the requests
//   reclaim from v. Any other status means the ALLOC state was not what EpochIn said: stop and
//   re-read it (the plan assumed stale state).
//
// Policies (PolicyConfig::kind, switchable at run time; PolicyState keeps their memory):
//   Static     fixed shares: equal shares of the pool, or the configured share[] (e.g. sized
//              at each partition's peak); moves only when the shares or partitions change.
//   Reactive   threshold-driven with hysteresis on the WMU EWMA: at or over its high threshold
//              a partition is resized to util * held / setpoint (at least +1), from the idle
//              pool first, then by reclaim from strictly lower priority above floors; at or
//              under its low threshold it returns processors down to that size (at most
//              step_down per epoch, never below max(floor, min_hold)); in between nothing.
//   Predictive grants ahead of the predictor's upper-bound forecast over grant_window epochs
//              (the point forecast may reclaim, the headroom above it only comes from the idle
//              pool), releases the surplus over the upper bound of a keep window above floors
//              gradually (at most max(min_release, release_frac * held) an epoch, so a load
//              that returns finds most of them still held), and limits churn: a release must
//              be at least min_release processors, forecast
//              for `dwell` epochs in a row, not within `dwell` epochs of a grant, and the keep
//              window is at least twice the migration cost (a processor released now and needed
//              again pays two moves). A saturated partition (util >= sat_util: its demand is
//              censored at what it holds) grows at least as fast as the reactive rule: its
//              firm need is at least max(held + 1, ceil(held * util / re.setpoint)) (may
//              reclaim), its headroom at least held + max(1, probe * held).
//   Oracle     benchmark only: knows the next epoch's demand (PartIn::future) and sizes every
//              partition to it, same priority rules, no churn limits.
// Every policy keeps each existing partition within [max(floor, min_hold), cap] as far as the
// pool allows (a partition below that is granted up to it), never takes from equal or higher
// priority, never below a floor, and never plans more than the pool.
#pragma once
#include <stdint.h>

#include "shoal/policy/predictor.hpp"
#include "shoal/policy/status.hpp"

namespace shoal::policy {

enum class PolicyKind : uint8_t { Static = 0, Reactive = 1, Predictive = 2, Oracle = 3 };
inline constexpr const char* policy_name(PolicyKind k) {
  switch (k) {
    case PolicyKind::Static: return "static";
    case PolicyKind::Reactive: return "reactive";
    case PolicyKind::Predictive: return "predictive";
    case PolicyKind::Oracle: return "oracle";
  }
  return "?";
}

// One partition's state at the start of an epoch (CPU type; processors are the units).
struct PartIn {
  uint8_t exists = 0;      // 0: no such partition (must hold nothing)
  uint8_t prio = 0;        // 0..15, higher wins (ALLOC prio)
  uint8_t wmu_high = 0;    // WMU threshold state high[k]: 1 after an up crossing until a down one
  uint8_t pad = 0;
  uint16_t floor = 0;      // processors protected from reclaim (ALLOC floor)
  uint16_t cap = 0;        // most processors it may hold (ALLOC cap)
  uint16_t held = 0;       // processors held now (ALLOC alloc = the DRRM map)
  uint16_t util = 0;       // WMU utilization of the last window, Q0.16 of its held processor-cycles
  uint16_t util_ewma = 0;  // WMU EWMA of util, Q0.16
  uint16_t hi = 0;         // WMU HI[k] threshold, Q0.16 (0: no reactive growth)
  uint16_t lo = 0;         // WMU LO[k] threshold, Q0.16
  uint16_t pad2 = 0;
  uint32_t future = 0;     // Oracle only: demand of the coming epoch, processors in Q16.16
};

struct EpochIn {
  PartIn part[kMaxPartitions];
  uint16_t total = 0;  // processors in the pool (ALLOC pool of the CPU type)
  uint16_t free = 0;   // idle processors (ALLOC free); must be total - sum(held)
};

struct StaticConfig {
  uint8_t equal = 1;                    // 1: total / (existing partitions), remainder to the lowest indices
  uint16_t share[kMaxPartitions] = {};  // equal = 0: each partition's share (processors)
};

struct ReactiveConfig {
  uint16_t setpoint = 45875;  // Q0.16: the utilization a resize aims at (default 0.7), > 0
  uint16_t step_up = 0;       // most processors added per epoch (0: no limit)
  uint16_t step_down = 1;     // most processors returned per epoch (0: no limit)
};

struct PredictiveConfig {
  uint8_t grant_window = 2;       // epochs (1..kMaxHorizon) the grant covers
  uint8_t keep_window = 3;        // epochs (grant_window..kMaxHorizon) a kept processor covers
  uint8_t dwell = 1;              // epochs (0..255), see above
  uint8_t pad = 0;
  uint16_t min_release = 1;       // processors (>= 1)
  uint16_t migration_cost = 128;  // Q8.8 processor-epochs lost per moved processor (0.5)
  uint16_t sat_util = 62259;      // Q0.16 (0.95): at or over it the demand is censored
  uint16_t probe = 49152;         // Q0.16 (0.75): censored growth as a fraction of held
  uint16_t round_tol = 3277;      // Q0.16 processors (0.05): a forecast of n + round_tol or
                                  // less processors is served with n
  uint16_t release_frac = 0;      // Q0.16: most released per epoch, a fraction of held
                                  // (at least min_release); 0 (default): the whole surplus
  uint16_t pad2 = 0;
};

struct PolicyConfig {
  PolicyKind kind = PolicyKind::Reactive;
  uint8_t pad = 0;
  uint16_t min_hold = 1;  // processors every existing partition keeps (so its load stays visible)
  StaticConfig st;
  ReactiveConfig re;
  PredictiveConfig pr;
};

// The policies' memory across epochs; zero it (policy_state_reset) to start or after a switch.
struct PolicyState {
  uint32_t epoch;
  uint16_t since_grant[kMaxPartitions];  // epochs since the partition was last granted (saturates)
  uint16_t surplus_run[kMaxPartitions];  // consecutive epochs with a forecast surplus
};
void policy_state_reset(PolicyState& s);

inline constexpr uint8_t kOpRequest = 1;  // ALLOC opcodes (docs/alloc.md)
inline constexpr uint8_t kOpRelease = 2;

struct Move {
  uint8_t op = 0;       // kOpRequest / kOpRelease
  uint8_t part = 0;
  uint8_t reclaim = 0;  // REQUEST: allow_reclaim (set only when the free pool does not cover it)
  uint8_t pad = 0;
  uint16_t amount = 0;  // processors (>= 1)
};
inline constexpr uint32_t kMaxMoves = 3 * kMaxPartitions;

struct Decision {
  uint16_t target[kMaxPartitions];  // processors each partition holds after the moves
  uint16_t taken[kMaxPartitions];   // processors reclaimed from each partition by the requests
  Move move[kMaxMoves];
  uint32_t nmoves;
  uint16_t released;   // sum of RELEASE amounts
  uint16_t granted;    // sum of REQUEST amounts (includes the reclaimed processors)
  uint16_t reclaimed;  // sum of taken[]
  uint16_t pad;
};

// Checks the configuration's ranges (BadConfig).
Status check_config(const PolicyConfig& c);
// Checks an epoch input (BadInput): prio <= 15, floor <= cap <= total, held <= cap, non-existing
// partitions hold nothing, sum(held) + free == total, sum(floor) <= total.
Status check_input(const EpochIn& in);

// One planning epoch. On Ok, `out` is the plan; on BadConfig / BadInput / NoPredictor `out`
// holds every partition where it is (no moves) and `st` is unchanged. `pred` is needed by the
// predictive policy only (the CPU type's profiles; feed them with observe_cpu first).
Status decide(const PolicyConfig& cfg, PolicyState& st, const EpochIn& in, const Predictor* pred,
              Decision& out);

// Feeds the CPU profiles of every existing partition with this epoch's observation
// (util * held processors, as a fraction of the predictor's CPU full scale). The service calls
// it once per WMU sample of each partition, before decide(); a partition holding nothing adds
// no sample (its load is not observable).
void observe_cpu(Predictor& pred, const EpochIn& in);

}  // namespace shoal::policy
