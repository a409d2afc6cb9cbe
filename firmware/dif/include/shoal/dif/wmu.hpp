// Block driver: the WMU (docs/wmu.md). Firmware only.
#pragma once
#include <stdint.h>

#include "shoal/core.hpp"
#include "shoal/regs.h"

namespace shoal::dif::wmu {

// false (nothing changed) when the WMU refuses the window (below WIN_MIN)
inline bool configure(uint32_t window, uint32_t alpha) {
  if (window < fw::card_read(SHOAL_WMU_WIN_MIN_ADDR) || window > SHOAL_WMU_WINDOW_CYCLES_MASK) return false;
  fw::card_write(SHOAL_WMU_WINDOW_ADDR, window);
  fw::card_write(SHOAL_WMU_ALPHA_ADDR, alpha);
  fw::card_write(SHOAL_WMU_CTRL_ADDR, SHOAL_WMU_CTRL_EN_MASK);
  return true;
}
inline uint32_t window() { return fw::card_read(SHOAL_WMU_WINDOW_ADDR); }
inline uint32_t alpha() { return fw::card_read(SHOAL_WMU_ALPHA_ADDR); }
inline void thresholds(uint32_t k, uint32_t hi, uint32_t lo, bool enable) {
  fw::card_write(SHOAL_WMU_HI_ADDR_N(k), hi);
  fw::card_write(SHOAL_WMU_LO_ADDR_N(k), lo);
  const uint32_t en = fw::card_read(SHOAL_WMU_IRQ_EN_ADDR);
  fw::card_write(SHOAL_WMU_IRQ_EN_ADDR, enable ? (en | 1u << k) : (en & ~(1u << k)));
}
// takes (and clears) the latched crossings
inline void take_crossings(uint32_t* up, uint32_t* down) {
  *up = fw::card_read(SHOAL_WMU_IRQ_UP_ADDR);
  *down = fw::card_read(SHOAL_WMU_IRQ_DOWN_ADDR);
  if (*up) fw::card_write(SHOAL_WMU_IRQ_UP_ADDR, *up);
  if (*down) fw::card_write(SHOAL_WMU_IRQ_DOWN_ADDR, *down);
}
inline uint32_t seq() { return fw::card_read(SHOAL_WMU_SEQ_ADDR); }
inline uint32_t ewma(uint32_t k) { return fw::card_read(SHOAL_WMU_EWMA_ADDR_N(k)); }
inline uint32_t ring(uint32_t k, uint32_t slot) {
  return fw::card_read(SHOAL_WMU_RING_ADDR + (16u * k + slot) * 4u);
}
inline uint32_t part_busy(uint32_t k) { return fw::card_read(SHOAL_WMU_PART_BUSY_ADDR_N(k)); }
inline uint32_t part_mem(uint32_t k) { return fw::card_read(SHOAL_WMU_PART_MEM_ADDR_N(k)); }
inline uint32_t part_io(uint32_t k) { return fw::card_read(SHOAL_WMU_PART_IO_ADDR_N(k)); }
inline uint32_t proc_busy(uint32_t p) { return fw::card_read(SHOAL_WMU_PROC_BUSY_ADDR_N(p)); }
inline uint32_t proc_mem(uint32_t p) { return fw::card_read(SHOAL_WMU_PROC_MEM_ADDR_N(p)); }
inline uint32_t proc_io(uint32_t p) { return fw::card_read(SHOAL_WMU_PROC_IO_ADDR_N(p)); }

}  // namespace shoal::dif::wmu
