// Block driver: the DRRM (docs/drrm.md). Firmware only.
#pragma once
#include <stdint.h>

#include "shoal/core.hpp"
#include "shoal/regs.h"

namespace shoal::dif::drrm {

struct Cpl {
  uint32_t status = 0xF;  // 0xF: no completion (never answered)
  uint32_t cycles = 0;
};

// Pushes one command and waits for its completion: the DRRM completes every command, a
// migration within its TIMEOUT plus a few cycles (the bound below is far above that).
inline Cpl run(uint32_t op, uint32_t proc, uint32_t part, uint64_t mask, uint32_t base,
               uint32_t size, uint32_t perm, uint32_t tag) {
  fw::card_write(SHOAL_DRRM_CMD_ARG_ADDR, proc << SHOAL_DRRM_CMD_ARG_PROC_LSB |
                                              part << SHOAL_DRRM_CMD_ARG_PART_LSB);
  fw::card_write(SHOAL_DRRM_CMD_MASK_LO_ADDR, uint32_t(mask));
  fw::card_write(SHOAL_DRRM_CMD_MASK_HI_ADDR, uint32_t(mask >> 32));
  fw::card_write(SHOAL_DRRM_CMD_BASE_ADDR, base);
  fw::card_write(SHOAL_DRRM_CMD_SIZE_ADDR, size);
  fw::card_write(SHOAL_DRRM_CMD_PUSH_ADDR, op << SHOAL_DRRM_CMD_PUSH_OP_LSB |
                                               perm << SHOAL_DRRM_CMD_PUSH_PERM_LSB |
                                               (tag & 0xFFu) << SHOAL_DRRM_CMD_PUSH_TAG_LSB);
  Cpl c;
  const uint32_t bound = 4u * 65536u;
  for (uint32_t i = 0; i < bound; ++i) {
    const uint32_t h = fw::card_read(SHOAL_DRRM_CPL_HEAD_ADDR);
    if (h & SHOAL_DRRM_CPL_HEAD_VALID_MASK) {
      c.status = (h & SHOAL_DRRM_CPL_HEAD_STATUS_MASK) >> SHOAL_DRRM_CPL_HEAD_STATUS_LSB;
      c.cycles = fw::card_read(SHOAL_DRRM_CPL_CYCLES_ADDR);
      fw::card_write(SHOAL_DRRM_CPL_POP_ADDR, SHOAL_DRRM_CPL_POP_POP_MASK);
      break;
    }
  }
  return c;
}
inline void set_timeout(uint32_t cycles) { fw::card_write(SHOAL_DRRM_TIMEOUT_ADDR, cycles); }
inline uint32_t proc(uint32_t p) { return fw::card_read(SHOAL_DRRM_PROC_ADDR_N(p)); }

}  // namespace shoal::dif::drrm
