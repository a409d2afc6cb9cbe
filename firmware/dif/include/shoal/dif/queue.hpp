// Block driver: the command queues (docs/queues.md). Firmware only; offsets from the register map.
#pragma once
#include <stdint.h>

#include "shoal/core.hpp"
#include "shoal/regs.h"

namespace shoal::dif::queue {

constexpr uint32_t kQueues = SHOAL_PARAM_NUM_QUEUES;
constexpr uint32_t kDepth = SHOAL_PARAM_QUEUE_DEPTH;
constexpr uint32_t kWords = SHOAL_PARAM_QUEUE_ENTRY_WORDS;

inline uint32_t pending() { return fw::card_read(SHOAL_QUEUE_CTL_PENDING_ADDR); }
inline void set_core_irq(uint32_t mask) { fw::card_write(SHOAL_QUEUE_CTL_IRQ_ENABLE_ADDR, mask); }
inline uint32_t sq_tail(uint32_t q) { return fw::card_read(SHOAL_QUEUE_SQ_TAIL_ADDR_N(q)); }
inline uint32_t sq_head(uint32_t q) { return fw::card_read(SHOAL_QUEUE_SQ_HEAD_ADDR_N(q)); }
inline void set_sq_head(uint32_t q, uint32_t v) { fw::card_write(SHOAL_QUEUE_SQ_HEAD_ADDR_N(q), v); }
inline uint32_t cq_head(uint32_t q) { return fw::card_read(SHOAL_QUEUE_CQ_HEAD_ADDR_N(q)); }
inline uint32_t cq_tail(uint32_t q) { return fw::card_read(SHOAL_QUEUE_CQ_TAIL_ADDR_N(q)); }
inline void set_cq_tail(uint32_t q, uint32_t v) { fw::card_write(SHOAL_QUEUE_CQ_TAIL_ADDR_N(q), v); }

inline void read_sqe(uint32_t q, uint32_t slot, uint32_t* out) {
  const uint32_t base = SHOAL_QUEUE_SQ_ADDR_N(q) + slot * kWords * 4;
  for (uint32_t i = 0; i < kWords; ++i) out[i] = fw::card_read(base + 4 * i);
}
inline void write_cqe(uint32_t q, uint32_t slot, const uint32_t* in) {
  const uint32_t base = SHOAL_QUEUE_CQ_ADDR_N(q) + slot * kWords * 4;
  for (uint32_t i = 0; i < kWords; ++i) fw::card_write(base + 4 * i, in[i]);
}

}  // namespace shoal::dif::queue
