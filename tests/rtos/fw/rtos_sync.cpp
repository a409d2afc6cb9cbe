// On-core: queue producer/consumer blocking both ways, semaphore given from interrupts (the
// CLINT software interrupt, and a host doorbell through the interrupt controller) waking a
// task, mutex priority inheritance resolving an inversion, event flags.
#include "fwtest.hpp"

using namespace fwt;
using rtos::Status;
using rtos::TaskState;
using rtos::WaitKind;

namespace {
Log g_log;
TaskSlot<128> g_p, g_c, g_w, g_l, g_mt, g_h, g_f;
rtos::Semaphore g_done, g_sem_irq, g_sem_db, g_locked;
rtos::Queue g_q;
uint32_t g_qbuf[2];
rtos::Mutex g_m;
rtos::EventFlags g_flags;
uint32_t g_recv[8], g_nrecv = 0, g_blocked_seen = 0;
uint8_t g_l_prio_locked = 0, g_l_prio_after = 0;
uint32_t g_matched = 0;
Status g_flags_st = Status::Blocked;

bool blocked_on(const rtos::Task& t, WaitKind k) { return t.state == TaskState::Blocked && t.wait_kind == k; }

// 1a. producer above consumer: the producer fills the queue and blocks on "full"
void producer(void*) {
  for (uint32_t i = 0; i < 8; ++i) T_CHECK(port::queue_send(&g_q, &i, rtos::kWaitForever) == Status::Ok);
  port::sem_give(&g_done);
}
void consumer(void*) {
  for (uint32_t i = 0; i < 8; ++i) {
    if (blocked_on(g_p.task, WaitKind::QueueSend)) ++g_blocked_seen;
    uint32_t v = 0;
    T_CHECK(port::queue_receive(&g_q, &v, rtos::kWaitForever) == Status::Ok);
    g_recv[g_nrecv++] = v;
  }
  port::sem_give(&g_done);
}
// 1b. consumer above producer: the consumer blocks on "empty"
void consumer_hi(void*) {
  for (uint32_t i = 0; i < 8; ++i) {
    uint32_t v = 0;
    T_CHECK(port::queue_receive(&g_q, &v, rtos::kWaitForever) == Status::Ok);
    g_recv[g_nrecv++] = v;
  }
  port::sem_give(&g_done);
}
void producer_lo(void*) {
  for (uint32_t i = 0; i < 8; ++i) {
    if (blocked_on(g_c.task, WaitKind::QueueReceive)) ++g_blocked_seen;
    uint32_t v = 100 + i;
    T_CHECK(port::queue_send(&g_q, &v, rtos::kWaitForever) == Status::Ok);
    T_CHECK(g_nrecv == i + 1);  // the consumer ran before send returned
  }
  port::sem_give(&g_done);
}

// 2. semaphore from interrupts
void on_soft() {
  mmio_write(kMsip, 0);
  T_CHECK(port::isr_sem_give(&g_sem_irq) == Status::Ok);
}
void on_doorbell() {
  card_write(SHOAL_CORE_DOORBELL_ADDR, 1u << 2);  // clear the level (w1c) before completing
  T_CHECK(port::isr_sem_give(&g_sem_db) == Status::Ok);
}
void irq_waiter(void*) {
  for (;;) {
    T_CHECK(port::sem_take(&g_sem_irq, rtos::kWaitForever) == Status::Ok);
    g_log.add('w');
  }
}

// 3. priority inversion: L holds the mutex H wants, M would starve L without inheritance
void low(void*) {
  T_CHECK(port::mutex_lock(&g_m, rtos::kWaitForever) == Status::Ok);
  port::sem_give(&g_locked);             // the controller creates M and H, then sleeps
  spin_cycles(5000);                      // > 2 ticks: M must not get in at a tick
  g_l_prio_locked = g_l.task.prio;
  T_CHECK(port::mutex_unlock(&g_m) == Status::Ok);
  g_l_prio_after = g_l.task.prio;
  g_log.add('L');
}
void medium(void*) {
  g_log.add('M');
  spin_cycles(3000);
}
void high(void*) {
  T_CHECK(port::mutex_lock(&g_m, rtos::kWaitForever) == Status::Ok);
  g_log.add('H');
  T_CHECK(port::mutex_unlock(&g_m) == Status::Ok);
}

// 4. event flags: wait for all of two bits
void flag_waiter(void*) {
  g_flags_st = port::flags_wait(&g_flags, 0x5, rtos::kFlagsAll | rtos::kFlagsClear, 50, &g_matched);
}

void controller(void*) {
  auto& k = port::kernel();
  T_CHECK(k.sem_init(&g_done, 0, 8) == Status::Ok);
  T_CHECK(k.queue_init(&g_q, g_qbuf, 4, 2) == Status::Ok);

  // 1a
  T_CHECK(g_p.create("prod", producer, 5) == Status::Ok);
  T_CHECK(g_c.create("cons", consumer, 4) == Status::Ok);
  port::sem_take(&g_done, rtos::kWaitForever);
  port::sem_take(&g_done, rtos::kWaitForever);
  for (uint32_t i = 0; i < 8; ++i) T_CHECK(g_recv[i] == i);
  T_CHECK(g_nrecv == 8);
  puts("queue full-blocking seen ");
  put_dec(g_blocked_seen);
  putc('\n');
  T_CHECK(g_blocked_seen >= 3);  // the producer was blocked on a full queue
  // 1b
  g_nrecv = 0;
  g_blocked_seen = 0;
  T_CHECK(g_c.create("cons", consumer_hi, 5) == Status::Ok);
  T_CHECK(g_p.create("prod", producer_lo, 4) == Status::Ok);
  port::sem_take(&g_done, rtos::kWaitForever);
  port::sem_take(&g_done, rtos::kWaitForever);
  for (uint32_t i = 0; i < 8; ++i) T_CHECK(g_recv[i] == 100 + i);
  T_CHECK(g_blocked_seen == 8);  // the consumer was blocked on an empty queue before each send
  port::sleep(1);

  // 2a. software interrupt -> ISR gives -> the higher task runs before the next instruction here
  T_CHECK(k.sem_init(&g_sem_irq, 0, 4) == Status::Ok);
  port::set_soft_handler(on_soft);
  T_CHECK(g_w.create("irqw", irq_waiter, 8) == Status::Ok);
  g_log.clear();
  for (int i = 0; i < 3; ++i) {
    mmio_write(kMsip, 1);
    g_log.add('c');
  }
  show("isr wake: ", g_log);
  T_CHECK(g_log.is("wcwcwc"));
  // 2b. the host rings doorbell 2: external interrupt -> ISR gives -> this task wakes
  T_CHECK(k.sem_init(&g_sem_db, 0, 1) == Status::Ok);
  port::set_external_handler(on_doorbell, 1u << 2);
  puts("WAIT-DOORBELL\n");
  Status st = port::sem_take(&g_sem_db, 2000);
  T_CHECK(st == Status::Ok);
  T_CHECK(port::ext_claimed() == 3);  // doorbell bit 2 = source 2 = claim id 3
  puts("doorbell taken\n");

  // 3. priority inheritance
  g_log.clear();
  T_CHECK(k.mutex_init(&g_m) == Status::Ok);
  T_CHECK(k.sem_init(&g_locked, 0, 1) == Status::Ok);
  T_CHECK(g_l.create("low", low, 2) == Status::Ok);
  port::sem_take(&g_locked, rtos::kWaitForever);
  rtos::Task* self = k.current();
  T_CHECK(port::task_set_priority(self, 9) == Status::Ok);  // create M and H without running them
  T_CHECK(g_mt.create("medium", medium, 4) == Status::Ok);
  T_CHECK(g_h.create("high", high, 6) == Status::Ok);
  port::sleep(20);
  show("inheritance: ", g_log);
  T_CHECK(g_log.is("HML"));        // H got the mutex before M ran; L finished last
  T_CHECK(g_l_prio_locked == 6);   // L ran at H's priority while H waited
  T_CHECK(g_l_prio_after == 2);    // and dropped back on unlock
  T_CHECK(port::task_set_priority(self, 3) == Status::Ok);

  // 4. event flags
  T_CHECK(k.flags_init(&g_flags) == Status::Ok);
  T_CHECK(g_f.create("flags", flag_waiter, 7) == Status::Ok);
  T_CHECK(port::flags_set(&g_flags, 0x1) == Status::Ok);
  T_CHECK(g_flags_st == Status::Blocked);  // one bit is not enough
  T_CHECK(port::flags_set(&g_flags, 0x4) == Status::Ok);
  T_CHECK(g_flags_st == Status::Ok);       // woke at once (higher priority)
  T_CHECK(g_matched == 0x5);
  T_CHECK(g_flags.bits == 0);              // cleared on exit
  done();
  for (;;) port::sleep(1000);
}
}  // namespace

int main() {
  boot(controller, 3);
  return 9;
}
