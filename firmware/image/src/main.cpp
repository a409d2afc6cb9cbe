// Shoal default firmware image: announces itself on the console, shows the card it runs on
// (ctrl block magic through the card register window), takes a few timer interrupts, and
// returns 0 (tohost = 1). The allocation service replaces this image later.
#include "shoal/core.hpp"
#include "shoal/regs.h"

using namespace shoal::fw;

namespace {
volatile uint32_t g_ticks = 0;
constexpr uint32_t kTickPeriod = 2000;  // timer ticks between interrupts

struct Banner {  // a static constructor, to show crt0 runs them
  uint32_t magic = 0x53484F4Cu;
};
Banner g_banner;

void on_timer() {
  g_ticks = g_ticks + 1;
  set_timer(mtime() + kTickPeriod);
}
}  // namespace

int main() {
  puts("shoal fw: hello from hart ");
  put_dec(SHOAL_CSR_READ(mhartid));
  puts(", misa=");
  put_hex(SHOAL_CSR_READ(misa));
  putc('\n');
  puts("shoal fw: card ctrl.MAGIC = ");
  put_hex(card_read(SHOAL_CTRL_MAGIC_ADDR));
  putc('\n');
  if (g_banner.magic != 0x53484F4Cu) return 2;

  set_timer_handler(on_timer);
  set_timer(mtime() + kTickPeriod);
  irq_enable();
  uint64_t c0 = rdcycle();
  uint32_t i0 = rdinstret();
  while (g_ticks < 3) wait_for_interrupt();
  irq_disable();
  timer_off();
  uint64_t c1 = rdcycle();
  uint32_t i1 = rdinstret();
  puts("shoal fw: 3 timer ticks, ");
  put_dec(uint32_t(c1 - c0));
  puts(" cycles, ");
  put_dec(i1 - i0);
  puts(" instructions (the core sleeps in wfi)\n");
  puts("shoal fw: stack unused ");
  put_dec(stack_unused_bytes());
  puts(" bytes\n");
  return 0;
}
