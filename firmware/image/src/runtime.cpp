// Shoal firmware runtime: console, timer, interrupt dispatch, fatal-trap report.
#include "shoal/core.hpp"

namespace shoal::fw {

namespace {
irq_handler g_timer = nullptr;
irq_handler g_soft = nullptr;
irq_handler g_ext = nullptr;
}  // namespace

uint64_t mtime() {
  uint32_t hi, lo, hi2;
  do {
    hi = mmio_read(kMtime + 4);
    lo = mmio_read(kMtime);
    hi2 = mmio_read(kMtime + 4);
  } while (hi != hi2);
  return (uint64_t(hi) << 32) | lo;
}

void set_timer(uint64_t when) {
  mmio_write(kMtimecmp + 4, 0xFFFFFFFFu);
  mmio_write(kMtimecmp, uint32_t(when));
  mmio_write(kMtimecmp + 4, uint32_t(when >> 32));
}

void timer_off() {
  mmio_write(kMtimecmp + 4, 0xFFFFFFFFu);
  mmio_write(kMtimecmp, 0xFFFFFFFFu);
}

void putc(char c) {
  while ((mmio_read(kConsoleStat) & 1u) == 0) {
  }
  mmio_write(kConsoleTx, uint8_t(c));
}

void puts(const char* s) {
  while (*s) putc(*s++);
}

void put_hex(uint32_t v) {
  for (int i = 7; i >= 0; --i) {
    uint32_t d = (v >> (4 * i)) & 0xFu;
    putc(char(d < 10 ? '0' + d : 'a' + d - 10));
  }
}

void put_dec(uint32_t v) {
  char buf[11];
  int n = 0;
  do {
    buf[n++] = char('0' + v % 10);
    v /= 10;
  } while (v);
  while (n) putc(buf[--n]);
}

void set_timer_handler(irq_handler h) {
  g_timer = h;
  SHOAL_CSR_SET(mie, kMieMtie);
}
void set_soft_handler(irq_handler h) {
  g_soft = h;
  SHOAL_CSR_SET(mie, kMieMsie);
}
void set_external_handler(irq_handler h, uint32_t mask) {
  g_ext = h;
  mmio_write(kIntcEnable, mask);
  SHOAL_CSR_SET(mie, kMieMeie);
}

extern "C" uint32_t __stack_bottom[];
extern "C" uint32_t __stack_top[];
uint32_t stack_unused_bytes() {
  uint32_t n = 0;
  for (uint32_t* p = __stack_bottom; p < __stack_top && *p == 0x5354434bu; ++p) n += 4;
  return n;
}

}  // namespace shoal::fw

using namespace shoal::fw;

// Called by trap_entry.S; returns the address to resume at.
extern "C" uint32_t shoal_trap(uint32_t mcause, uint32_t mepc, uint32_t mtval) {
  if (mcause & 0x80000000u) {
    switch (mcause & 0x1Fu) {
      case 7:
        if (g_timer) g_timer(); else timer_off();
        break;
      case 3:
        if (g_soft) g_soft(); else mmio_write(kMsip, 0);
        break;
      case 11: {
        uint32_t id = mmio_read(kIntcClaim);
        if (id && g_ext) g_ext();
        if (id) mmio_write(kIntcClaim, id);
        break;
      }
      default:
        break;
    }
    return mepc;
  }
  puts("\nshoal fw: fatal trap mcause=");
  put_hex(mcause);
  puts(" mepc=");
  put_hex(mepc);
  puts(" mtval=");
  put_hex(mtval);
  putc('\n');
  extern uint32_t tohost[];
  tohost[0] = (0x3FFu << 1) | 1u;
  tohost[1] = 0;
  for (;;) wait_for_interrupt();
}
