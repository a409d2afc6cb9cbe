// A partition's demand over a scenario, in processor units: the sum of components (constant,
// piecewise-linear phases, a periodic pattern, random bursts, noise, a column of a wide-CSV
// utilization trace scaled to processors), never below 0. Random parts draw from a generator
// seeded by the scenario's seed and the partition's index, so a run repeats exactly.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace shoal::scenario {

struct DemandComponent {
  enum class Kind : uint8_t { Constant, Phases, Periodic, Bursts, Noise, Trace } kind = Kind::Constant;
  double level = 0;                                  // Constant
  std::vector<std::pair<double, double>> points;     // Phases: (step, level), linear between, held outside
  double period = 0, low = 0, high = 0, phase = 0;   // Periodic (steps; level low..high)
  bool square = false;                               // Periodic: square wave (else sine)
  double duty = 0.5;                                 // Periodic square: fraction of the period high
  double every = 0, height = 0;                      // Bursts: one every `every` steps on average
  uint32_t length = 1;                               //   lasting `length` steps, `height` processors
  double from = 0, to = 1e18;                        // Bursts, Noise: only within [from, to)
  double sigma = 0;                                  // Noise: gaussian, one draw per step
  std::vector<float> series;                         // Trace: percent per row (already read)
  double scale = 0;                                  // Trace: processors at 100 %
  uint32_t offset = 0, steps_per_row = 1;            // Trace: first row, steps each row lasts
};

struct Demand {
  std::vector<DemandComponent> parts;
  // The demand at every tick of the run: steps * ticks values (tick i is in step i / ticks).
  std::vector<double> sample(uint64_t seed, uint32_t stream, uint32_t steps, uint32_t ticks) const;
};

}  // namespace shoal::scenario
