// WMU reference: the top functions (one clock edge each) for the two builds the project uses.
// The template in wmu.hpp holds the behaviour; these instantiate it with HLS interface pragmas.
#include "wmu/wmu.hpp"

namespace shoal::hls::wmu {

void wmu_top(WmuCard::State& state, const WmuCard::In& in, WmuCard::Out& out) {
#pragma HLS INTERFACE ap_ctrl_none port = return
#pragma HLS INTERFACE ap_none port = in
#pragma HLS INTERFACE ap_none port = out
#pragma HLS ARRAY_PARTITION variable = state.proc_busy complete
#pragma HLS ARRAY_PARTITION variable = state.part_busy complete
#pragma HLS RESOURCE variable = state.ring core = RAM_1P_BRAM
#pragma HLS PIPELINE II = 1
  WmuCard::cycle(state, in, out);
}

void wmu_top_small(WmuSmall::State& state, const WmuSmall::In& in, WmuSmall::Out& out) {
#pragma HLS INTERFACE ap_ctrl_none port = return
#pragma HLS INTERFACE ap_none port = in
#pragma HLS INTERFACE ap_none port = out
#pragma HLS ARRAY_PARTITION variable = state.proc_busy complete
#pragma HLS ARRAY_PARTITION variable = state.part_busy complete
#pragma HLS RESOURCE variable = state.ring core = RAM_1P_BRAM
#pragma HLS PIPELINE II = 1
  WmuSmall::cycle(state, in, out);
}

}  // namespace shoal::hls::wmu
