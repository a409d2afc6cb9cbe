// bench-policy: the predictor's and the policies' cost on the soft core (fw/policy_bench.cpp on
// the Verilated core complex, rtl/core/sim/core_sim.hpp).
#pragma once

#include <string>

#include "bench_report.hpp"

// Adds the on-core figures to `report`; returns "" or why they could not be measured.
std::string oncore_costs(shoal::bench::Report& report, unsigned epochs);
