// Block driver: the audit log (docs/audit.md). Firmware only.
#pragma once
#include <stdint.h>

#include "shoal/core.hpp"
#include "shoal/regs.h"

namespace shoal::dif::audit {

inline void set_actor(uint32_t actor) { fw::card_write(SHOAL_AUDIT_ACTOR_ADDR, actor); }
// a firmware record: words 3..7 of the record (docs/commands.md); the card adds seq and time
inline void push(const uint32_t words[5]) {
  for (uint32_t i = 0; i < 5; ++i) fw::card_write(SHOAL_AUDIT_FW_REC_ADDR_N(i), words[i]);
  fw::card_write(SHOAL_AUDIT_FW_PUSH_ADDR, 1);
}

}  // namespace shoal::dif::audit
