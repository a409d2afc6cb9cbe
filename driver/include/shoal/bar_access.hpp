// What a 64-bit BAR0 access means, in one place for every side that splits one (shoal-sim's
// server for sim:, the pci: backend, shoalctl's input check). Header-only, from the generated
// register map (shoal/regs.hpp).
//
// The card's register bus is 32 bits wide: a 64-bit access at an 8-byte aligned offset O is the
// two 32-bit registers at O (bits 31:0) and O + 4 (bits 63:32), done low word first. It is ONE
// transaction: it is carried out only when the card accepts both halves, so refused as a whole
// means nothing changed. The card cannot take a half back, so this is decided from the
// register map before either half is sent:
//   - a 64-bit read needs both halves readable: each a register (or an element of a register
//     array) or a word of a window, in a present block;
//   - a 64-bit write needs both halves writable without conditions: each a register whose
//     access is RW, W1C or W1S (or a word of a writable window), in a present block the host
//     may write (host_write). RO registers, windows the host may not write, offsets with no
//     register, firmware-driven blocks (DRRM, WMU, ALLOC) and WO registers are refused: the
//     WO registers are commands the card accepts or refuses by their value or its state
//     (SOFT_RESET and WDOG_KICK take a key, LOAD_DATA needs the core in reset), which only a
//     32-bit write can ask; so are the registers whose written value the block checks
//     (`validated` in the register map: the queues' indices, the audit log's HEAD).
// A 64-bit access refused this way never reaches the card (its BUS_ERR_* registers do not count
// it). What remains is a block that does not answer at all (the card then answers SLVERR after
// 255 cycles); a card that broken may have taken the low half.
#ifndef SHOAL_BAR_ACCESS_HPP
#define SHOAL_BAR_ACCESS_HPP

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>

#include "shoal/regs.hpp"

namespace shoal::bar {

// What BAR0 offset `off` (4-byte aligned) is in the register map.
struct Slot {
  const regs::BlockInfo* block = nullptr;    // the block it lies in, if any
  const regs::RegInfo* reg = nullptr;        // the register (array) it is an element of, if any
  const regs::WindowInfo* window = nullptr;  // the window it lies in, if any
};

inline Slot locate(std::uint64_t off) {
  Slot s;
  for (const auto& b : regs::kBlocks) {
    if (off >= b.base && off < std::uint64_t(b.base) + b.size) s.block = &b;
  }
  for (const auto& w : regs::kWindows) {
    for (std::uint32_t k = 0; k < w.count; ++k) {
      const std::uint64_t base = std::uint64_t(w.addr) + std::uint64_t(k) * w.stride;
      if (off >= base && off < base + w.size) s.window = &w;
    }
  }
  for (const auto& r : regs::kRegisters) {
    if (off < r.addr) continue;
    const std::uint64_t rel = off - r.addr;
    if (rel % r.stride == 0 && rel / r.stride < r.count) s.reg = &r;
  }
  return s;
}

// Why the half at `off` stops a 64-bit access ("" when it does not).
inline std::string half_refusal(std::uint64_t off, bool write) {
  char at[24];
  std::snprintf(at, sizeof at, "0x%05llx", static_cast<unsigned long long>(off));
  const Slot s = locate(off);
  const bool present = s.block == nullptr || s.block->present;
  const std::string name = s.reg != nullptr ? std::string(s.reg->block) + "." + s.reg->name
                           : s.window != nullptr ? std::string("the ") + s.window->name + " window"
                                                 : std::string();
  if (s.reg == nullptr && s.window == nullptr) return std::string("no register at ") + at;
  if (!present) return name + " at " + at + " is in the absent " + s.block->name + " block";
  if (!write) return {};
  if (s.block != nullptr && !s.block->host_write)
    return name + " at " + at + " is in the " + s.block->name + " block, which the card's firmware drives";
  if (s.reg == nullptr) {
    return s.window->writable ? std::string() : name + " at " + at + " is read-only";
  }
  if (s.reg->validated) {
    return name + " at " + at + " checks the value written (only a 32-bit write may ask it)";
  }
  switch (s.reg->access) {
    case regs::Access::RW:
    case regs::Access::W1C:
    case regs::Access::W1S: return {};
    case regs::Access::RO:
    case regs::Access::RC: return name + " at " + at + " is read-only";
    case regs::Access::WO:
      return name + " at " + at + " is a write-only command register (only a 32-bit write may ask it)";
  }
  return name + " at " + at + " is not writable";
}

// Why a 64-bit access at `off` (8-byte aligned, inside BAR0) cannot be one transaction, or ""
// when it can.
inline std::string wide_refusal(std::uint64_t off, bool write) {
  for (std::uint64_t half : {off, off + 4}) {
    std::string why = half_refusal(half, write);
    if (!why.empty()) {
      return std::string("a 64-bit ") + (write ? "write" : "read") + " is one transaction on two 32-bit registers, and " +
             (half == off ? "its low half: " : "its high half: ") + why;
    }
  }
  return {};
}

}  // namespace shoal::bar

#endif  // SHOAL_BAR_ACCESS_HPP
