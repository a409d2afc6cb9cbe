// Shoal default firmware image: announces itself on the console, shows the card it runs on
// (ctrl block magic through the card register window), then runs the RTOS (firmware/rtos):
// a heartbeat task and the idle task. The idle task kicks the hardware watchdog and reports
// uptime and task count in the core block's FW_* registers (shoalctl info / fw status).
// After three ticks the heartbeat task reports on the console and sets `tohost` = 1 (the boot
// self-test passed; bare runners such as core_tb stop there, the card ignores it) and keeps
// running. The allocation service replaces the heartbeat task later.
#include "shoal/core.hpp"
#include "shoal/regs.h"
#include "shoal/rtos/port.hpp"

using namespace shoal::fw;
namespace rtos = shoal::rtos;
namespace port = shoal::rtos::port;

extern "C" uint32_t tohost[];

namespace {
constexpr uint32_t kFwVersion = (1u << SHOAL_CORE_FW_VERSION_KIND_LSB) |
                                 (0u << SHOAL_CORE_FW_VERSION_MAJOR_LSB) |
                                 (4u << SHOAL_CORE_FW_VERSION_MINOR_LSB) |
                                 (0u << SHOAL_CORE_FW_VERSION_PATCH_LSB);  // RTOS image 0.4.0
constexpr uint32_t kTickCycles = 2000;          // mtime units per RTOS tick
constexpr uint32_t kWatchdogCycles = 1000000;   // the idle task kicks at every tick

struct Banner {  // a static constructor, to show crt0 runs them
  uint32_t magic = 0x53484F4Cu;
};
Banner g_banner;

uint32_t g_idle_stack[128];
uint32_t g_hb_stack[256];
rtos::Task g_hb;

void heartbeat_task(void*) {
  uint64_t c0 = rdcycle();
  for (int i = 0; i < 3; ++i) port::sleep(1);
  uint64_t c1 = rdcycle();
  puts("shoal fw: rtos running, 3 timer ticks, ");
  put_dec(port::kernel().task_count());
  puts(" tasks, ");
  put_dec(port::switch_count());
  puts(" switches, ");
  put_dec(uint32_t(c1 - c0));
  puts(" cycles (idle sleeps in wfi)\n");
  puts("shoal fw: stack unused ");
  put_dec(stack_unused_bytes());
  puts(" bytes (interrupt stack), heartbeat ");
  put_dec(uint32_t(rtos::stack_unused_words(rtos::Stack{g_hb_stack, 256}) * 4));
  puts(" bytes\n");
  tohost[0] = 1;
  tohost[1] = 0;
  for (;;) port::sleep(1000);
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

  port::Config cfg;
  cfg.tick_cycles = kTickCycles;
  cfg.wdog_cycles = kWatchdogCycles;
  cfg.fw_version = kFwVersion;
  cfg.idle_stack = g_idle_stack;
  cfg.idle_stack_words = sizeof g_idle_stack / 4;
  if (port::init(cfg) != rtos::Status::Ok) return 3;
  rtos::TaskConfig hb;
  hb.name = "heartbt";
  hb.entry = heartbeat_task;
  hb.priority = 1;
  hb.stack = rtos::Stack{g_hb_stack, sizeof g_hb_stack / 4};
  if (port::create(&g_hb, hb) != rtos::Status::Ok) return 4;
  port::start();
}
