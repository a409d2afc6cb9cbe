// On-core: heartbeat and watchdog. The image reports its version; the idle task kicks the
// watchdog and writes uptime / task count. After 20 ticks task "hog" (highest priority) spins
// forever: the idle task never runs again, nothing kicks, and the host sees WDOG_STATUS.expired
// (tests/rtos/test_oncore.cpp checks the registers). If the host rang doorbell 7 before
// releasing the core, the watchdog is set to halt the core on expiry (WDOG_CTRL.halt).
#include "fwtest.hpp"

using namespace fwt;

namespace {
TaskSlot<128> g_hog, g_worker;
constexpr uint32_t kVersion = (1u << SHOAL_CORE_FW_VERSION_KIND_LSB) | (0u << SHOAL_CORE_FW_VERSION_MAJOR_LSB) |
                              (4u << SHOAL_CORE_FW_VERSION_MINOR_LSB) | (7u << SHOAL_CORE_FW_VERSION_PATCH_LSB);

void worker(void*) {
  for (;;) port::sleep(3);
}

void hog(void*) {
  port::sleep(20);
  puts("hog: spinning\n");
  for (;;) {
  }
}
}  // namespace

int main() {
  port::Config cfg;
  cfg.tick_cycles = 2000;
  cfg.wdog_cycles = 30000;  // 15 ticks; the idle task kicks at every tick
  cfg.fw_version = kVersion;
  cfg.wdog_halt = (card_read(SHOAL_CORE_DOORBELL_ADDR) & (1u << 7)) != 0;
  cfg.idle_stack = g_idle_stack;
  cfg.idle_stack_words = 128;
  if (port::init(cfg) != rtos::Status::Ok) return 3;
  if (g_worker.create("worker", worker, 2) != rtos::Status::Ok) return 4;
  if (g_hog.create("hog", hog, 9) != rtos::Status::Ok) return 5;
  puts("wdog test: started\n");
  port::start();
}
