// On-core test program of the predictor (tests/predict/test_oncore.cpp): runs the kernel of
// oncore_kernel.hpp over the input the host wrote into g_in, leaves the output in g_out and
// returns (tohost = 1). The host compares g_out with its own run of the same kernel.
#include <stdint.h>

#include "oncore_kernel.hpp"
#include "shoal/core.hpp"

namespace pt = shoal::predicttest;

extern "C" {
// in .data (an initializer), so the image carries it and the host can patch it before the download
pt::Input g_in __attribute__((used)) = {pt::kMagic, 0, 0, 0, {}, {}};
pt::Output g_out __attribute__((used));
}

namespace {
shoal::policy::Profile g_prof[pt::kMaxProfiles];
shoal::policy::Predictor g_pred;
}  // namespace

int main() {
  const uint32_t c0 = SHOAL_CSR_READ(mcycle);
  pt::run_kernel(g_in, g_out, g_prof, g_pred);
  const uint32_t c1 = SHOAL_CSR_READ(mcycle);
  shoal::fw::puts("predict-oncore: status ");
  shoal::fw::put_dec(g_out.status);
  shoal::fw::puts(", cycles ");
  shoal::fw::put_dec(c1 - c0);
  shoal::fw::putc('\n');
  return 0;
}
