// What a scenario run shows: the narrative (the receiver's peak, the processors that flowed
// from the donor and back), the summary table (text and JSON from one structure), and the
// gnuplot timelines (one run, or several policies side by side).
#pragma once

#include <string>
#include <vector>

#include "runner.hpp"

namespace shoal::scenario {

// The story of one run, for the narrative and the tests (steps; -1 = did not happen).
struct Story {
  std::string donor, receiver;
  int peak_start = -1, peak_end = -1;     // the receiver's demand above the midpoint of its range
  double peak_from = 0, peak_to = 0;      // its demand before and at the top
  double held_before = 0, held_peak = 0;  // the receiver's processors before the peak, most during it
  double donor_before = 0;                // the donor's processors before the peak
  int reached = -1;                       // tick the receiver first held held_peak
  int first_gain = -1;                    // tick the first processor reached the receiver in the peak
  int half_gain = -1;                     // tick it first held half of its gain (held_before .. held_peak)
  uint32_t from_donor = 0;                // processors that went donor -> receiver (directly or via idle)
  int donor_rise = -1;                    // step the donor's demand rose again after the peak
  int returned = -1;                      // tick the donor held donor_before again after the peak
  uint32_t back_to_donor = 0;             // processors that went receiver -> donor after the peak
};
Story tell(const RunResult& r);
std::string narrative(const RunResult& r, const Story& st);

// One row per run: the comparison table.
struct SummaryRow {
  std::string policy;
  std::vector<std::string> parts;
  std::vector<double> unmet_pct;       // unmet / demand per partition, percent
  std::vector<double> unmet_ph;        // unmet processor-hours (scenario time)
  double unmet_total_ph = 0;
  double held_busy = 0, pool_busy = 0;  // percent
  uint32_t migrations = 0, decisions = 0;
  double energy_wh = 0;
  double decision_p99_us = 0, decision_p99_cycles = 0;
  double wall_s = 0;
};
SummaryRow summarize(const RunResult& r);
std::string table_text(const std::vector<SummaryRow>& rows);
std::string table_json(const std::vector<SummaryRow>& rows);

// Writes DIR/BASE.dat and DIR/BASE.gp and runs gnuplot for DIR/BASE.png (one panel per partition:
// demand against the processors held, moves marked; runs side by side). Returns "" or why not.
std::string plot(const std::vector<const RunResult*>& runs, const std::string& dir, const std::string& base);

}  // namespace shoal::scenario
