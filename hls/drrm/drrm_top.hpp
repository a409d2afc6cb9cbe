// DRRM top-level functions (fixed interfaces) at the card's parameters and at P=16, K=4.
#pragma once

#include "drrm/drrm.hpp"
#include "shoal/regs.h"

namespace shoal::hls::drrm {

constexpr unsigned kP = SHOAL_PARAM_NUM_PROCESSORS;
constexpr unsigned kK = SHOAL_PARAM_NUM_PARTITIONS;
constexpr unsigned kV = SHOAL_PARAM_NUM_IRQ_VECTORS;
constexpr unsigned kSmallP = 16;
constexpr unsigned kSmallK = 4;

using DefaultState = State<kP, kK, kV>;
using DefaultIn = In<kP, kK, kV>;
using DefaultOut = Out<kP, kK, kV>;
using SmallState = State<kSmallP, kSmallK, kV>;
using SmallIn = In<kSmallP, kSmallK, kV>;
using SmallOut = Out<kSmallP, kSmallK, kV>;

void drrm_reset(DefaultState& s);
void drrm_top(DefaultState& s, const DefaultIn& in, DefaultOut& o);
void drrm_reset_small(SmallState& s);
void drrm_top_small(SmallState& s, const SmallIn& in, SmallOut& o);

}  // namespace shoal::hls::drrm
