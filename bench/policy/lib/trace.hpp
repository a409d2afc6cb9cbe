// Workload traces in the wide CSV form (header `step,<series>...`, one row per sampling step,
// each value a utilization percent), gzip-compressed or plain (zlib reads both). Host only.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <vector>

namespace shoal::policysim {

struct Trace {
  std::vector<std::string> names;          // series names (header, unquoted)
  std::vector<std::vector<float>> series;  // series[s][t]: percent, clamped to 0..100
  std::size_t steps = 0;
  std::size_t clamped = 0;  // values outside 0..100 that were clamped (counted, not dropped)
  std::size_t bytes = 0;    // uncompressed bytes read
};

// Reads `path`. On failure returns false and sets `err` to "<path>: line N, column C: why"
// (or "<path>: why"); `out` is then unspecified. `progress(bytes)` is called now and then.
bool read_trace(const std::string& path, Trace& out, std::string& err,
                const std::function<void(std::size_t)>& progress = {});

// Parses CSV text (the same rules) -- for tests.
bool parse_trace(const std::string& text, const std::string& label, Trace& out, std::string& err);

}  // namespace shoal::policysim
