// Shoal default firmware image: the card's allocation service (docs/service.md) on the RTOS.
//
// Boot: banner, then the service starts (every processor to the idle pool, the blocks
// configured), then the RTOS runs three tasks:
//   service   waits for a doorbell (the queue block's interrupt) or the next tick; serves the
//             command queues round robin and runs the planning epoch when it is due;
//   heartbeat reports once on the console that the RTOS and the service run (and sets `tohost`
//             = 1: bare runners such as core_tb stop there; the card ignores it);
//   idle      kicks the hardware watchdog and reports uptime (core.FW_*).
// The WMU's threshold crossings are served in the interrupt handler itself (the reactive hot
// path, no task switch); commands run in critical sections, so the two never interleave.
#include "card_port.hpp"
#include "shoal/core.hpp"
#include "shoal/dif/queue.hpp"
#include "shoal/dif/wmu.hpp"
#include "shoal/regs.h"
#include "shoal/rtos/port.hpp"

using namespace shoal::fw;
namespace dif = shoal::dif;
namespace rtos = shoal::rtos;
namespace port = shoal::rtos::port;

extern "C" uint32_t tohost[];

// a pure virtual call is a firmware bug: report it like any fatal fault
extern "C" void __cxa_pure_virtual() { port::panic(port::Fault::Assert, nullptr, 0xC0DE); }

namespace {
constexpr uint32_t kFwVersion = (1u << SHOAL_CORE_FW_VERSION_KIND_LSB) |
                                 (0u << SHOAL_CORE_FW_VERSION_MAJOR_LSB) |
                                 (5u << SHOAL_CORE_FW_VERSION_MINOR_LSB) |
                                 (0u << SHOAL_CORE_FW_VERSION_PATCH_LSB);  // RTOS image 0.5.0
constexpr uint32_t kTickCycles = 2000;          // mtime units per RTOS tick
constexpr uint32_t kWatchdogCycles = 4000000;   // the idle task kicks at every tick
constexpr uint32_t kAllQueues = (1u << SHOAL_PARAM_NUM_QUEUES) - 1u;
constexpr uint32_t kBatch = 2 * SHOAL_PARAM_NUM_QUEUES;  // commands served per wake-up at most
constexpr uint32_t kIrqQueue = 1u << SHOAL_PARAM_CORE_IRQ_QUEUE;
constexpr uint32_t kIrqWmu = 1u << SHOAL_PARAM_CORE_IRQ_WMU;
constexpr uint32_t kIrqAlloc = 1u << SHOAL_PARAM_CORE_IRQ_ALLOC;

FwCard g_card(kFwVersion);
FwQueues g_queues;
shoal::service::Dispatcher g_disp(g_queues, g_card);
rtos::Semaphore g_work;
uint32_t g_intc_enable = kIrqQueue | kIrqWmu | kIrqAlloc;

uint32_t g_idle_stack[128];
uint32_t g_hb_stack[256];
uint32_t g_svc_stack[1024];
rtos::Task g_hb, g_svc;

void external_isr() {
  const uint32_t id = port::ext_claimed();
  if (id == 0) return;
  const uint32_t src = 1u << (id - 1);
  if (src & kIrqQueue) {
    dif::queue::set_core_irq(0);  // a level: masked until the service task has drained
    port::isr_sem_give(&g_work);
  } else if (src & kIrqWmu) {
    uint32_t up = 0, down = 0;
    dif::wmu::take_crossings(&up, &down);
    const uint64_t t0 = rdcycle();
    g_disp.service().on_crossings(up, down);
    auto& st = g_disp.service().stats();
    st.decide_last = uint32_t(rdcycle() - t0);
    if (st.decide_last > st.decide_max) st.decide_max = st.decide_last;
  } else if (src & kIrqAlloc) {
    // the ALLOC's self-check is sticky: stop the service once, then mask the source
    g_disp.service().check_invariants();
    g_intc_enable &= ~kIrqAlloc;
    mmio_write(kIntcEnable, g_intc_enable);
  }
}

// Queues with a command waiting whose completion ring has no room.
uint32_t blocked_queues() {
  const uint32_t pend = g_queues.pending();
  uint32_t b = 0;
  for (uint32_t q = 0; q < SHOAL_PARAM_NUM_QUEUES; ++q)
    if (((pend >> q) & 1u) && g_queues.cq_free(q) < 1) b |= 1u << q;
  return b;
}

void service_task(void*) {
  uint64_t next_epoch = rdcycle();
  for (;;) {
    port::sem_take(&g_work, 1);
    uint32_t served = 0;
    {
      port::CritGuard guard;
      served = g_disp.serve(kBatch);
    }
    // a flood: leave a tick to the other tasks (the idle task kicks the watchdog: a firmware
    // that only serves commands is not alive), then take the doorbells again
    if (served == kBatch) port::sleep(1);
    // a queue whose host does not read its completions (its CQ is full) waits, and its doorbell
    // stays pending: leave it masked until the next tick, or the pending level would wake this
    // task at once, again and again, and starve the idle task (and so the watchdog)
    dif::queue::set_core_irq(kAllQueues & ~blocked_queues());
    if (int64_t(rdcycle() - next_epoch) >= 0) {
      port::CritGuard guard;
      const auto& pol = g_disp.service().policy();
      g_disp.service().on_epoch();
      // a fixed cadence: the next epoch is due a period after this one was due (not after it
      // ended: a long epoch does not stretch the period); one that overran its period is
      // followed by a full period, not by another epoch back to back
      const uint64_t period = uint64_t(g_card.wmu_window()) * pol.epoch_windows;
      next_epoch += period;
      if (int64_t(rdcycle() - next_epoch) >= 0) next_epoch = rdcycle() + period;
    }
  }
}

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
  puts(" bytes (interrupt stack), service ");
  put_dec(uint32_t(rtos::stack_unused_words(rtos::Stack{g_svc_stack, 1024}) * 4));
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

  // the service needs the blocks it drives (a bare core block, as in its own tests, has none)
  constexpr uint32_t kNeed = SHOAL_CTRL_CAP_DRRM_MASK | SHOAL_CTRL_CAP_WMU_MASK |
                             SHOAL_CTRL_CAP_ALLOC_MASK | SHOAL_CTRL_CAP_AUDIT_MASK |
                             SHOAL_CTRL_CAP_QUEUE_MASK;
  const bool service = (card_read(SHOAL_CTRL_CAP_ADDR) & kNeed) == kNeed;
  if (service) {
    g_queues.init();
    const uint32_t lost = g_disp.service().start();
    puts("shoal fw: allocation service up: ");
    put_dec(SHOAL_PARAM_NUM_PROCESSORS - lost);
    puts(" processors parked, ");
    put_dec(lost);
    puts(" did not quiesce; ");
    put_dec(SHOAL_PARAM_NUM_QUEUES);
    puts(" command queues\n");
  } else {
    puts("shoal fw: no allocation blocks on this card (ctrl.CAP): the service stays off\n");
  }

  port::Config cfg;
  cfg.tick_cycles = kTickCycles;
  cfg.wdog_cycles = kWatchdogCycles;
  cfg.fw_version = kFwVersion;
  cfg.idle_stack = g_idle_stack;
  cfg.idle_stack_words = sizeof g_idle_stack / 4;
  if (port::init(cfg) != rtos::Status::Ok) return 3;
  if (port::kernel().sem_init(&g_work, 0, 1) != rtos::Status::Ok) return 5;
  if (service) {
    rtos::TaskConfig svc;
    svc.name = "service";
    svc.entry = service_task;
    svc.priority = 2;
    svc.stack = rtos::Stack{g_svc_stack, sizeof g_svc_stack / 4};
    if (port::create(&g_svc, svc) != rtos::Status::Ok) return 4;
  }
  rtos::TaskConfig hb;
  hb.name = "heartbt";
  hb.entry = heartbeat_task;
  hb.priority = 1;
  hb.stack = rtos::Stack{g_hb_stack, sizeof g_hb_stack / 4};
  if (port::create(&g_hb, hb) != rtos::Status::Ok) return 4;
  if (service) {
    port::set_external_handler(external_isr, g_intc_enable);
    dif::queue::set_core_irq(kAllQueues);
  }
  port::start();
}
