// Shoal policy: the predictor of the allocation service -- a task profile per partition and
// resource type, GetPredictedNeeds, and the per-partition analyzer's request vector (seed 003).
//
// Types: the predictor forecasts three resource types, in this order: CPU (processors),
// memory, I/O. Each type has a full scale in its units (processors, memory units, lanes...):
// samples and forecasts are Q0.16 fractions of it, and the analyzer turns them back into units.
// A Predictor is a plain object (no heap, no pointers inside); the firmware keeps one static.
#pragma once
#include <stdint.h>

#include "shoal/policy/profile.hpp"
#include "shoal/policy/status.hpp"

#ifndef SHOAL_POLICY_MAX_PARTITIONS
#define SHOAL_POLICY_MAX_PARTITIONS 16  // the card's PARAM_NUM_PARTITIONS
#endif

namespace shoal::policy {

inline constexpr uint32_t kMaxPartitions = SHOAL_POLICY_MAX_PARTITIONS;
enum ResType : uint8_t { kCpu = 0, kMem = 1, kIo = 2 };
inline constexpr uint32_t kNumTypes = 3;

// The per-partition analyzer's output (seed 003): [CPU, memory, IO, priority], each demand the
// upper-bound forecast over the window in its type's units (rounded up), priority 0..15.
struct RequestVector {
  uint16_t cpu = 0, mem = 0, io = 0;
  uint8_t prio = 0;
  uint8_t valid = 0;  // 0: the partition has no samples yet (the demands are 0)
};

struct Predictor {
  ProfileConfig cfg[kNumTypes];
  uint16_t full_scale[kNumTypes];  // units of each type at a sample of 1.0 (0xFFFF)
  Profile prof[kMaxPartitions][kNumTypes];

  // Sets the configuration of one type (configure() checks it) and its full scale (>= 1),
  // then resets that type's profiles. BadType / BadConfig change nothing.
  Status set_config(uint32_t type, const ProfileConfig& c, uint16_t full_scale_units);
  // Forgets a partition's history (all types), e.g. when it is destroyed or created.
  Status reset(uint32_t part);
  // UpdatePrediction: one sample (Q0.16 of full scale) of a partition's use of a type.
  Status update(uint32_t part, uint32_t type, uint16_t sample);
  // GetPredictedNeeds(partition, type, window): the point forecast of the peak over the next
  // `window` samples and its upper bound at the configured quantile (Q0.16 of full scale).
  Status get_predicted_needs(uint32_t part, uint32_t type, uint32_t window, Needs& out) const;
  // The same in units of the type: ceil(fraction * full_scale).
  Status predicted_units(uint32_t part, uint32_t type, uint32_t window, uint16_t& point,
                         uint16_t& upper) const;
  // The analyzer's request vector from the upper bounds over `window`.
  Status analyze(uint32_t part, uint32_t window, uint8_t prio, RequestVector& out) const;
};

// Sets every type to the default ProfileConfig with the given full scales and resets all
// profiles (the usual start).
Status predictor_init(Predictor& p, uint16_t cpu_units, uint16_t mem_units, uint16_t io_units);

// A CPU sample from the WMU: a partition holding `held` processors at utilization `util`
// (Q0.16 of its held processor-cycles) used util * held processors; as a fraction of
// `full_scale` processors, Q0.16 (saturating at 0xFFFF; 0 when full_scale is 0).
uint16_t cpu_sample(uint16_t util, uint32_t held, uint32_t full_scale);

// Units from a Q0.16 fraction of a full scale, rounded up.
uint16_t units_of(uint16_t fraction, uint16_t full_scale);

}  // namespace shoal::policy
