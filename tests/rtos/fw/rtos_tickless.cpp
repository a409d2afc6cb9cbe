// On-core: tickless idle. With only the idle task ready, the periodic tick stops until the next
// deadline (at most 40 ticks here): sleeps still last exactly their ticks and wake in deadline
// order, far fewer timer interrupts are taken, and an interrupt that wakes the core early (a
// host doorbell) sees the kernel's time already brought up to date.
#include "fwtest.hpp"

using namespace fwt;
using rtos::Status;

namespace {
TaskSlot<128> g_s[2];
rtos::Semaphore g_done, g_db;
rtos::Tick g_woke[2];
Log g_log;

void sleeper(void* arg) {
  uint32_t i = uint32_t(reinterpret_cast<uintptr_t>(arg));
  const rtos::Tick start = port::now();
  port::sleep(i == 0 ? 13 : 7);
  g_woke[i] = port::now() - start;
  g_log.add(char('0' + i));
  port::sem_give(&g_done);
}

void on_doorbell() {
  card_write(SHOAL_CORE_DOORBELL_ADDR, 1u << 1);
  port::isr_sem_give(&g_db);
}

void controller(void*) {
  auto& k = port::kernel();
  T_CHECK(k.sem_init(&g_done, 0, 4) == Status::Ok);
  T_CHECK(k.sem_init(&g_db, 0, 1) == Status::Ok);
  port::sleep(1);

  // 1. one 30-tick sleep: exact, in one tickless sleep, (almost) no timer interrupts
  uint32_t irq0 = port::timer_irq_count(), sl0 = port::tickless_sleeps();
  rtos::Tick t0 = port::now();
  T_CHECK(port::sleep(30) == Status::Ok);
  T_CHECK(port::now() - t0 == 30);
  uint32_t irqs = port::timer_irq_count() - irq0, sleeps = port::tickless_sleeps() - sl0;
  puts("sleep 30: timer irqs ");
  put_dec(irqs);
  puts(", tickless sleeps ");
  put_dec(sleeps);
  putc('\n');
  T_CHECK(irqs <= 2);
  T_CHECK(sleeps >= 1 && sleeps <= 2);

  // 2. 100 ticks with sleeps capped at 40: at least three sleeps, still exact
  irq0 = port::timer_irq_count();
  sl0 = port::tickless_sleeps();
  t0 = port::now();
  T_CHECK(port::sleep(100) == Status::Ok);
  T_CHECK(port::now() - t0 == 100);
  T_CHECK(port::tickless_sleeps() - sl0 >= 3);
  T_CHECK(port::timer_irq_count() - irq0 <= 3);

  // 3. two sleepers (started about 2 ticks apart: creating and starting a task takes that
  // long) each wake after exactly their ticks, in deadline order
  T_CHECK(g_s[0].create("s13", sleeper, 4, reinterpret_cast<void*>(0)) == Status::Ok);
  T_CHECK(g_s[1].create("s7", sleeper, 4, reinterpret_cast<void*>(1)) == Status::Ok);
  port::sem_take(&g_done, rtos::kWaitForever);
  port::sem_take(&g_done, rtos::kWaitForever);
  show("wake order: ", g_log);
  T_CHECK(g_log.is("10"));
  T_CHECK(g_woke[1] == 7);
  T_CHECK(g_woke[0] == 13);

  // 4. an early wake by a host doorbell (about 50 ticks into a 1000-tick wait)
  port::set_external_handler(on_doorbell, 1u << 1);
  t0 = port::now();
  puts("WAIT-DOORBELL\n");
  T_CHECK(port::sem_take(&g_db, 1000) == Status::Ok);
  rtos::Tick waited = port::now() - t0;
  puts("doorbell after ");
  put_dec(waited);
  puts(" ticks\n");
  T_CHECK(waited >= 40 && waited <= 60);  // the host rang 100000 cycles (50 ticks) later
  const rtos::Tick t1 = port::now();
  port::sleep(3);
  T_CHECK(port::now() - t1 == 3);  // ticks run on correctly after the early wake
  done();
  for (;;) port::sleep(1000);
}
}  // namespace

int main() {
  port::Config cfg;
  cfg.tick_cycles = 2000;
  cfg.tickless = true;
  cfg.tickless_max_ticks = 40;
  boot(controller, 3, cfg);
  return 9;
}
