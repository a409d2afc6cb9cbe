// On-core: bad API use gets an error code (and, with report_api_errors, the fault hook: console
// line + FW_FAULT with cause "api misuse"), never corruption: posting to a full queue from an
// ISR, a task-only call from an ISR, unlocking a mutex not held, deleting the idle task,
// using an object never initialised, re-creating a live task. Afterwards the kernel still
// schedules, the queue holds exactly what it held, and every stack guard is intact.
#include "fwtest.hpp"

using namespace fwt;
using rtos::Status;

namespace {
TaskSlot<128> g_owner, g_peer;
rtos::Queue g_q;
uint32_t g_qbuf[2];
rtos::Mutex g_m;
rtos::Semaphore g_sem, g_done;
rtos::Semaphore g_zero;  // never initialised
volatile Status g_isr_send = Status::Ok, g_isr_take = Status::Ok;
volatile uint32_t g_isr_runs = 0;

void on_soft() {
  mmio_write(kMsip, 0);
  uint32_t v = 33;
  g_isr_send = port::isr_queue_send(&g_q, &v);           // queue is full
  g_isr_take = port::sem_take(&g_sem, rtos::kWaitForever);  // a blocking call in an ISR
  g_isr_runs = g_isr_runs + 1;
}

void owner(void*) {
  T_CHECK(port::mutex_lock(&g_m, rtos::kWaitForever) == Status::Ok);
  port::sem_give(&g_done);
  T_CHECK(port::sem_take(&g_sem, rtos::kWaitForever) == Status::Ok);
  T_CHECK(port::mutex_unlock(&g_m) == Status::Ok);
  port::sem_give(&g_done);
}

void peer(void*) {
  uint32_t v = 0;
  for (;;) {
    if (port::queue_receive(&g_q, &v, rtos::kWaitForever) != Status::Ok) break;
    v += 1000;
    port::sem_give(&g_done);
  }
}

void controller(void*) {
  auto& k = port::kernel();
  T_CHECK(k.queue_init(&g_q, g_qbuf, 4, 2) == Status::Ok);
  T_CHECK(k.mutex_init(&g_m) == Status::Ok);
  T_CHECK(k.sem_init(&g_sem, 0, 1) == Status::Ok);
  T_CHECK(k.sem_init(&g_done, 0, 8) == Status::Ok);
  uint32_t faults0 = port::fault_count();

  // full queue from an ISR: Full, nothing stored
  uint32_t a = 11, b = 22;
  T_CHECK(port::queue_send(&g_q, &a, rtos::kNoWait) == Status::Ok);
  T_CHECK(port::queue_send(&g_q, &b, rtos::kNoWait) == Status::Ok);
  T_CHECK(port::queue_send(&g_q, &b, rtos::kNoWait) == Status::Full);  // polling a full queue
  port::set_soft_handler(on_soft);
  mmio_write(kMsip, 1);
  spin_cycles(50);
  T_CHECK(g_isr_runs == 1);
  T_CHECK(g_isr_send == Status::Full);
  T_CHECK(g_isr_take == Status::WrongContext);
  T_CHECK(g_q.count == 2);
  uint32_t v = 0;
  T_CHECK(port::queue_receive(&g_q, &v, rtos::kNoWait) == Status::Ok && v == 11);
  T_CHECK(port::queue_receive(&g_q, &v, rtos::kNoWait) == Status::Ok && v == 22);
  T_CHECK(port::queue_receive(&g_q, &v, rtos::kNoWait) == Status::Empty);

  // unlocking a mutex held by another task: NotOwner, the owner keeps it
  T_CHECK(g_owner.create("owner", owner, 2) == Status::Ok);
  port::sem_take(&g_done, rtos::kWaitForever);
  T_CHECK(g_m.owner == &g_owner.task);
  T_CHECK(port::mutex_unlock(&g_m) == Status::NotOwner);
  T_CHECK(g_m.owner == &g_owner.task);
  port::sem_give(&g_sem);
  port::sem_take(&g_done, rtos::kWaitForever);
  T_CHECK(g_m.owner == nullptr);
  T_CHECK(port::mutex_unlock(&g_m) == Status::NotOwner);  // nobody holds it

  // deleting / re-prioritising the idle task
  uint32_t n = k.task_count();
  T_CHECK(port::task_delete(k.idle()) == Status::IsIdle);
  T_CHECK(port::task_set_priority(k.idle(), 5) == Status::IsIdle);
  T_CHECK(k.task_count() == n);
  T_CHECK(k.idle()->state == rtos::TaskState::Ready);

  // objects never initialised, null arguments, re-creating a live task, bad priority
  T_CHECK(port::sem_give(&g_zero) == Status::NotInitialized);
  T_CHECK(port::sem_take(&g_zero, 1) == Status::NotInitialized);
  T_CHECK(port::queue_send(nullptr, &a, 0) == Status::NullArg);
  T_CHECK(g_peer.create("peer", peer, 4) == Status::Ok);
  T_CHECK(g_peer.create("peer", peer, 4) == Status::Busy);
  T_CHECK(port::task_set_priority(&g_peer.task, 40) == Status::BadArg);
  T_CHECK(port::sleep(rtos::kWaitForever) == Status::BadArg);

  // every misuse above went through the fault hook (not fatal)
  puts("misuse reports ");
  put_dec(port::fault_count() - faults0);
  putc('\n');
  T_CHECK(port::fault_count() - faults0 == 11);

  // no corruption: the kernel still works, every stack guard is intact
  for (uint32_t i = 0; i < 5; ++i) {
    T_CHECK(port::queue_send(&g_q, &i, rtos::kWaitForever) == Status::Ok);
    T_CHECK(port::sem_take(&g_done, 10) == Status::Ok);  // the peer handled it
  }
  T_CHECK(rtos::stack_guard_intact(g_owner.task.stack));
  T_CHECK(rtos::stack_guard_intact(g_peer.task.stack));
  T_CHECK(rtos::stack_guard_intact(k.idle()->stack));
  T_CHECK(rtos::stack_guard_intact(k.current()->stack));
  T_CHECK(k.ready_bitmap() & 1u);  // idle is ready
  done();
  for (;;) port::sleep(1000);
}
}  // namespace

int main() {
  port::Config cfg;
  cfg.report_api_errors = true;
  boot(controller, 3, cfg);
  return 9;
}
