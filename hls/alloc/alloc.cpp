// ALLOC HLS kernel: the card-sized top (synthesis entry point) and the instantiations the
// benchmark and tests use (K = 64 / T = 8 and K = 4 / T = 4).
#include "alloc/alloc.hpp"

namespace shoal::hls::alloc {

void alloc_card_top(uint64_t cmd_word, CardState& st, CardResp& resp, CardEvents& evs) {
#pragma HLS TOP name = alloc_card_top
  alloc_top<kCardK, kCardT>(cmd_word, st, resp, evs);
}

void alloc_card_reset(CardState& st) { alloc_reset<kCardK, kCardT>(st, kDefaultPools); }

template void alloc_top<64, 8>(uint64_t, State<64, 8>&, Resp<64>&, Events<64>&);
template void alloc_top<4, 4>(uint64_t, State<4, 4>&, Resp<4>&, Events<4>&);
template void alloc_reset<64, 8>(State<64, 8>&, const uint32_t*);
template void alloc_reset<4, 4>(State<4, 4>&, const uint32_t*);
template bool alloc_invariant_ok<16, 8>(const State<16, 8>&);

}  // namespace shoal::hls::alloc
