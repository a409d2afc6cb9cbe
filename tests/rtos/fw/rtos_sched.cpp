// On-core: preemption order, a higher-priority task created by a lower one runs at once,
// round-robin by yield (exact order) and by time slice (fair shares), exact timeouts, delay
// wake order.
#include "fwtest.hpp"

using namespace fwt;
using rtos::Status;

namespace {
Log g_log;
TaskSlot<128> g_a, g_b, g_c, g_x, g_r[3], g_busy[3], g_s[3];
rtos::Semaphore g_go_a, g_go_b, g_go_c, g_never, g_done;
rtos::Queue g_q;
uint32_t g_qbuf[2];
rtos::Mutex g_m;
volatile uint32_t g_count[3];

void x_task(void*) { g_log.add('X'); }  // returns: the port deletes it

void first_run(void* arg) {  // phase 1: log the first run, then wait
  char id = char(reinterpret_cast<uintptr_t>(arg));
  g_log.add(id);
  port::sem_give(&g_done);  // the controller (higher) takes it and waits for the next one
  rtos::Semaphore* s = id == 'A' ? &g_go_a : id == 'B' ? &g_go_b : &g_go_c;
  port::sem_take(s, rtos::kWaitForever);
  if (id == 'A') {  // phase 2: create a higher-priority task; it runs before create() returns
    g_log.add('a');
    T_CHECK(g_x.create("x", x_task, 6) == Status::Ok);
    g_log.add('b');
  }
  port::sem_give(&g_done);
}
void rr_task(void* arg) {  // phase 3: yield round robin
  char id = char(reinterpret_cast<uintptr_t>(arg));
  for (int i = 0; i < 3; ++i) {
    g_log.add(id);
    port::yield();
  }
  port::sem_give(&g_done);
}

void busy_task(void* arg) {  // phase 4: time slicing
  uint32_t i = uint32_t(reinterpret_cast<uintptr_t>(arg));
  for (;;) g_count[i] = g_count[i] + 1;
}

void sleeper(void* arg) {  // phase 6: wake order by delay
  uint32_t d = uint32_t(reinterpret_cast<uintptr_t>(arg));
  port::sleep(d);
  g_log.add(char('0' + d));
  port::sem_give(&g_done);
}

void holder(void*) {
  port::mutex_lock(&g_m, rtos::kWaitForever);
  port::sem_take(&g_never, rtos::kWaitForever);
}

void controller(void*) {
  auto& k = port::kernel();
  g_log.add('K');
  T_CHECK(k.sem_init(&g_go_a, 0, 1) == Status::Ok);
  T_CHECK(k.sem_init(&g_go_b, 0, 1) == Status::Ok);
  T_CHECK(k.sem_init(&g_go_c, 0, 1) == Status::Ok);
  T_CHECK(k.sem_init(&g_never, 0, 1) == Status::Ok);
  T_CHECK(k.sem_init(&g_done, 0, 16) == Status::Ok);
  // 1. preemption order: lower tasks wait until the controller blocks, then run by priority
  T_CHECK(g_a.create("A", first_run, 2, reinterpret_cast<void*>('A')) == Status::Ok);
  T_CHECK(g_b.create("B", first_run, 4, reinterpret_cast<void*>('B')) == Status::Ok);
  T_CHECK(g_c.create("C", first_run, 3, reinterpret_cast<void*>('C')) == Status::Ok);
  T_CHECK(g_log.is("K"));
  // the controller waits; each lower task runs in priority order and its give preempts it at once
  for (int i = 0; i < 3; ++i) {
    port::sem_take(&g_done, rtos::kWaitForever);
    g_log.add('k');
  }
  show("preempt: ", g_log);
  T_CHECK(g_log.is("KBkCkAk"));

  // 2. A (prio 2) creates X (prio 6): X runs (and returns, so it is deleted) before create returns
  g_log.clear();
  uint32_t before = k.task_count();
  port::sem_give(&g_go_a);
  port::sem_take(&g_done, rtos::kWaitForever);
  show("create-preempt: ", g_log);
  T_CHECK(g_log.is("aXb"));
  T_CHECK(k.task_count() == before);  // X was created and, when it returned, deleted
  port::sem_give(&g_go_b);
  port::sem_give(&g_go_c);
  port::sem_take(&g_done, rtos::kWaitForever);
  port::sem_take(&g_done, rtos::kWaitForever);

  // 3. yield round robin at one priority (time slicing off: order is exact)
  g_log.clear();
  port::crit_enter();
  k.set_time_slicing(false);
  port::crit_exit();
  for (int i = 0; i < 3; ++i)
    T_CHECK(g_r[i].create("rr", rr_task, 5, reinterpret_cast<void*>(uintptr_t('1' + i))) == Status::Ok);
  for (int i = 0; i < 3; ++i) port::sem_take(&g_done, rtos::kWaitForever);
  show("yield: ", g_log);
  T_CHECK(g_log.is("123123123"));

  // 4. time slicing: three CPU-bound tasks at one priority share the CPU evenly
  port::crit_enter();
  k.set_time_slicing(true);
  port::crit_exit();
  uint32_t sw0 = port::switch_count();
  for (int i = 0; i < 3; ++i)
    T_CHECK(g_busy[i].create("busy", busy_task, 5, reinterpret_cast<void*>(uintptr_t(i))) == Status::Ok);
  port::sleep(60);
  uint32_t c[3] = {g_count[0], g_count[1], g_count[2]};
  for (int i = 0; i < 3; ++i) T_CHECK(port::task_delete(&g_busy[i].task) == Status::Ok);
  uint32_t lo = c[0], hi = c[0];
  for (uint32_t v : c) {
    lo = v < lo ? v : lo;
    hi = v > hi ? v : hi;
  }
  puts("slices: ");
  for (uint32_t v : c) { put_dec(v); putc(' '); }
  puts("switches ");
  put_dec(port::switch_count() - sw0);
  putc('\n');
  T_CHECK(lo > 0);
  T_CHECK(hi - lo <= hi / 8);                  // within 12.5 % of each other over 60 ticks
  T_CHECK(port::switch_count() - sw0 >= 60);   // a switch at every tick

  // 5. exact timeouts (in ticks) of every blocking call
  T_CHECK(k.queue_init(&g_q, g_qbuf, 4, 2) == Status::Ok);
  T_CHECK(k.mutex_init(&g_m) == Status::Ok);
  T_CHECK(g_x.create("holder", holder, 2) == Status::Ok);
  port::sleep(1);  // holder locks g_m
  rtos::Tick t0 = port::now();
  T_CHECK(port::sem_take(&g_never, 5) == Status::Timeout);
  T_CHECK(port::now() - t0 == 5);
  uint32_t v = 0;
  t0 = port::now();
  T_CHECK(port::queue_receive(&g_q, &v, 3) == Status::Timeout);
  T_CHECK(port::now() - t0 == 3);
  t0 = port::now();
  T_CHECK(port::mutex_lock(&g_m, 4) == Status::Timeout);
  T_CHECK(port::now() - t0 == 4);
  T_CHECK(port::sem_take(&g_never, rtos::kNoWait) == Status::Timeout);
  T_CHECK(port::now() - t0 == 4);  // kNoWait does not wait
  rtos::Tick s0 = port::now();
  port::sleep(7);
  T_CHECK(port::now() - s0 == 7);

  // 6. delays wake in deadline order, whatever the creation order
  g_log.clear();
  T_CHECK(g_s[0].create("s7", sleeper, 4, reinterpret_cast<void*>(7)) == Status::Ok);
  T_CHECK(g_s[1].create("s3", sleeper, 4, reinterpret_cast<void*>(3)) == Status::Ok);
  T_CHECK(g_s[2].create("s5", sleeper, 4, reinterpret_cast<void*>(5)) == Status::Ok);
  for (int i = 0; i < 3; ++i) port::sem_take(&g_done, rtos::kWaitForever);
  show("wake order: ", g_log);
  T_CHECK(g_log.is("357"));
  done();
  for (;;) port::sleep(1000);
}
}  // namespace

int main() {
  port::Config cfg;
  cfg.tick_cycles = 2000;
  boot(controller, 10, cfg);
  return 9;
}
