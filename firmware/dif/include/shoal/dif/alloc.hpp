// Block driver: the ALLOC (docs/alloc.md). Firmware only.
#pragma once
#include <stdint.h>

#include "shoal/core.hpp"
#include "shoal/regs.h"

namespace shoal::dif::alloc {

// Runs one command (the 64-bit encoding of docs/alloc.md) and waits for its response (the
// engine answers in a few cycles). False if it never did (a broken block).
inline bool command(uint64_t cmd) {
  fw::card_write(SHOAL_ALLOC_CMD_LO_ADDR, uint32_t(cmd));
  fw::card_write(SHOAL_ALLOC_CMD_HI_ADDR, uint32_t(cmd >> 32));
  fw::card_write(SHOAL_ALLOC_CMD_GO_ADDR, 1);
  for (uint32_t i = 0; i < 1000; ++i)
    if (fw::card_read(SHOAL_ALLOC_STATUS_ADDR) & SHOAL_ALLOC_STATUS_DONE_MASK) return true;
  return false;
}
inline uint32_t resp(uint32_t i) { return fw::card_read(SHOAL_ALLOC_RESP0_ADDR + 4 * i); }
inline uint32_t victim(uint32_t k) { return fw::card_read(SHOAL_ALLOC_VICTIM_ADDR_N(k)); }
inline uint32_t pool_free(uint32_t t) { return fw::card_read(SHOAL_ALLOC_POOL_FREE_ADDR_N(t)); }
inline uint32_t pool_size(uint32_t t) { return fw::card_read(SHOAL_ALLOC_POOL_SIZE_ADDR_N(t)); }
// PART_STATE[p * 8 + t] (eight slots per partition, docs/registers/alloc.md)
inline uint32_t part_state(uint32_t p, uint32_t t) {
  return fw::card_read(SHOAL_ALLOC_PART_STATE_ADDR_N(p * 8u + t));
}
inline uint32_t part_held(uint32_t p, uint32_t t) {
  return (part_state(p, t) & SHOAL_ALLOC_PART_STATE_ALLOC_MASK) >> SHOAL_ALLOC_PART_STATE_ALLOC_LSB;
}
inline bool selfcheck_failed() {
  return fw::card_read(SHOAL_ALLOC_STATUS_ADDR) & SHOAL_ALLOC_STATUS_INV_ERR_MASK;
}

}  // namespace shoal::dif::alloc
