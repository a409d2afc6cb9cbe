// `shoal-sim --scenario FILE [--compare LIST] ...`: runs a scenario on the in-process card and
// prints the narrative and the summary table, writes the pictures and the JSON table.
#pragma once

#include <string>

namespace shoal::scenario {

struct CliOptions {
  std::string file;
  std::string compare;   // "static,reactive,predictive", or empty: one run
  std::string policy;    // overrides the file's policy for a single run
  std::string out = "scenario-out";
  unsigned jobs = 2;     // runs at once with --compare (each on its own card model)
  bool progress = true;
};

// Returns the exit status: 0, 1 (the run failed), 2 (a bad scenario file or option).
int run_cli(const CliOptions& o);

}  // namespace shoal::scenario
