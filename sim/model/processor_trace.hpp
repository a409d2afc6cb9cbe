// A per-processor utilization trace for the simulated processors' workloads: CSV, one row per
// step, one column per series, each value an integer CPU utilization in percent (0..100).
// The first line is a header and the first column a step label; both are ignored. This is the
// "wide" layout of the PlanetLab traces; tests/data/planetlab_excerpt.csv is a small real one.
//
// Series are mapped to processors round-robin (processor p plays series p % series()); step r
// lasts a fixed number of card cycles and the trace repeats.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace shoal::sim {

class UtilTrace {
 public:
  // Parses a file. Throws std::runtime_error naming the file, line and column on any problem
  // (missing file, no data rows, a value that is not an integer in 0..100, a row with a
  // different number of columns than the header).
  static UtilTrace load(const std::string& path);
  // Parses text (the same rules; `origin` names it in errors).
  static UtilTrace parse(const std::string& text, const std::string& origin);

  std::size_t steps() const { return steps_; }
  std::size_t series() const { return series_; }
  // Utilization in percent of series s (0..series()-1) at step r (0..steps()-1).
  uint32_t at(std::size_t step, std::size_t s) const { return values_[step * series_ + s]; }

 private:
  std::size_t steps_ = 0;
  std::size_t series_ = 0;
  std::vector<uint8_t> values_;
};

}  // namespace shoal::sim
