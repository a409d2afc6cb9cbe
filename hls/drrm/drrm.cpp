// DRRM reference: the top functions at the card's parameters and at the small benchmark
// configuration (P=16, K=4). See drrm.hpp and docs/drrm.md.
#include "drrm/drrm_top.hpp"

namespace shoal::hls::drrm {

void drrm_reset(DefaultState& s) { reset(s); }

void drrm_top(DefaultState& s, const DefaultIn& in, DefaultOut& o) {
#pragma HLS TOP name = drrm_top
  step(s, in, o);
}

void drrm_reset_small(SmallState& s) { reset(s); }

void drrm_top_small(SmallState& s, const SmallIn& in, SmallOut& o) {
#pragma HLS TOP name = drrm_top_small
  step(s, in, o);
}

}  // namespace shoal::hls::drrm
