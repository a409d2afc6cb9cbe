// Shoal firmware: the soft core's platform (docs/core.md): CSR access, the CLINT timer, the
// interrupt controller, the console and the card register window. Freestanding C++17.
#pragma once
#include <stdint.h>

namespace shoal::fw {

// ---- address map of the core complex -------------------------------------------------------
inline constexpr uintptr_t kClintBase   = 0x02000000u;
inline constexpr uintptr_t kMsip        = kClintBase + 0x0000u;
inline constexpr uintptr_t kMtimecmp    = kClintBase + 0x4000u;
inline constexpr uintptr_t kMtime       = kClintBase + 0xBFF8u;
inline constexpr uintptr_t kConsoleTx   = 0x03000000u;
inline constexpr uintptr_t kConsoleStat = 0x03000004u;
inline constexpr uintptr_t kIntcBase    = 0x03000100u;
inline constexpr uintptr_t kIntcPending = kIntcBase + 0x0u;
inline constexpr uintptr_t kIntcEnable  = kIntcBase + 0x4u;
inline constexpr uintptr_t kIntcClaim   = kIntcBase + 0x8u;
inline constexpr uintptr_t kCardBase    = 0x40000000u;   // + BAR0 offset (shoal/regs.h)

inline uint32_t mmio_read(uintptr_t a) { return *reinterpret_cast<volatile uint32_t*>(a); }
inline void mmio_write(uintptr_t a, uint32_t v) { *reinterpret_cast<volatile uint32_t*>(a) = v; }
// card registers by BAR0 byte offset
inline uint32_t card_read(uint32_t off) { return mmio_read(kCardBase + off); }
inline void card_write(uint32_t off, uint32_t v) { mmio_write(kCardBase + off, v); }

// ---- CSRs ------------------------------------------------------------------------------------
#define SHOAL_CSR_READ(name)                                        \
  ({ uint32_t v_; asm volatile("csrr %0, " #name : "=r"(v_)); v_; })
#define SHOAL_CSR_WRITE(name, val) asm volatile("csrw " #name ", %0" ::"r"(uint32_t(val)))
#define SHOAL_CSR_SET(name, val) asm volatile("csrs " #name ", %0" ::"r"(uint32_t(val)))
#define SHOAL_CSR_CLEAR(name, val) asm volatile("csrc " #name ", %0" ::"r"(uint32_t(val)))

inline constexpr uint32_t kMstatusMie = 1u << 3;
inline constexpr uint32_t kMieMsie = 1u << 3, kMieMtie = 1u << 7, kMieMeie = 1u << 11;

inline uint64_t rdcycle() {
  uint32_t hi, lo, hi2;
  do {
    hi = SHOAL_CSR_READ(mcycleh);
    lo = SHOAL_CSR_READ(mcycle);
    hi2 = SHOAL_CSR_READ(mcycleh);
  } while (hi != hi2);
  return (uint64_t(hi) << 32) | lo;
}
inline uint32_t rdinstret() { return SHOAL_CSR_READ(minstret); }
inline void irq_enable() { SHOAL_CSR_SET(mstatus, kMstatusMie); }
inline void irq_disable() { SHOAL_CSR_CLEAR(mstatus, kMstatusMie); }
inline void wait_for_interrupt() { asm volatile("wfi"); }

// ---- timer -----------------------------------------------------------------------------------
uint64_t mtime();
void set_timer(uint64_t when);   // mtimecmp = when (written so no spurious match happens)
void timer_off();

// ---- console ---------------------------------------------------------------------------------
void putc(char c);
void puts(const char* s);        // no newline added
void put_hex(uint32_t v);        // 8 hex digits
void put_dec(uint32_t v);

// ---- traps -------------------------------------------------------------------------------------
// Interrupt handlers the application may install (called from the trap entry).
using irq_handler = void (*)();
void set_timer_handler(irq_handler h);
void set_soft_handler(irq_handler h);
void set_external_handler(irq_handler h, uint32_t source_enable_mask);

// Stack high-water mark: bytes of the stack never touched since boot (crt0 paints it).
uint32_t stack_unused_bytes();

}  // namespace shoal::fw
