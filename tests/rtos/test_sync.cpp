// Semaphores (incl. from an ISR), queues blocking both ways, priority inheritance, flags.
#include "rtos_rig.hpp"

using namespace rtos_test;

TEST_CASE("counting semaphore give/take and max", "[rtos][sem]") {
  Rig r;
  r.make(0, 5);
  Semaphore s;
  REQUIRE(r.k.sem_init(&s, 2, 3) == Status::Ok);
  r.start();
  CHECK(r.k.sem_take(&s, kNoWait) == Status::Ok);
  CHECK(r.k.sem_take(&s, kNoWait) == Status::Ok);
  CHECK(r.k.sem_take(&s, kNoWait) == Status::Timeout);
  CHECK(r.k.sem_give(&s) == Status::Ok);
  CHECK(r.k.sem_give(&s) == Status::Ok);
  CHECK(r.k.sem_give(&s) == Status::Ok);
  CHECK(r.k.sem_give(&s) == Status::Overflow);
  CHECK(s.count == 3);
}

TEST_CASE("semaphore waiters are woken in priority order, FIFO within a priority",
          "[rtos][sem]") {
  Rig r;
  Semaphore s;
  REQUIRE(r.k.sem_init(&s, 0, 10) == Status::Ok);
  // Tasks block lowest priority first: each new one is created, runs and blocks.
  Task* t2 = r.make(0, 2);
  r.start();
  REQUIRE(r.k.sem_take(&s, kWaitForever) == Status::Blocked);
  Task* t3a = r.make(2, 3);
  REQUIRE(r.run() == t3a);
  REQUIRE(r.k.sem_take(&s, kWaitForever) == Status::Blocked);
  Task* t3b = r.make(3, 3);
  REQUIRE(r.run() == t3b);
  REQUIRE(r.k.sem_take(&s, kWaitForever) == Status::Blocked);
  Task* t5 = r.make(1, 5);
  REQUIRE(r.run() == t5);
  REQUIRE(r.k.sem_take(&s, kWaitForever) == Status::Blocked);
  Task* giver = r.make(4, 1);
  REQUIRE(r.run() == giver);
  const Task* wake_order[] = {t5, t3a, t3b, t2};
  for (const Task* t : wake_order) {
    CHECK(t->state == TaskState::Blocked);
    REQUIRE(r.k.sem_give(&s) == Status::Ok);
    CHECK(t->state == TaskState::Ready);
    CHECK(r.k.wait_result(t) == Status::Ok);
  }
  CHECK(s.count == 0);
  CHECK(r.run() == t5);
}

TEST_CASE("semaphore given from an ISR wakes a task and requests a switch", "[rtos][sem][isr]") {
  Rig r;
  Task* h = r.make(0, 6);
  Task* l = r.make(1, 2);
  Task* lower = r.make(2, 1);
  Semaphore s;
  REQUIRE(r.k.sem_init(&s, 0, 1) == Status::Ok);
  r.start();
  REQUIRE(r.k.sem_take(&s, kWaitForever) == Status::Blocked);
  REQUIRE(r.run() == l);
  r.k.isr_enter();
  r.k.isr_enter();  // nested interrupt
  bool sw = false;
  REQUIRE(r.k.sem_give_from_isr(&s, &sw) == Status::Ok);
  CHECK(sw);
  CHECK_FALSE(r.k.isr_exit());  // inner exit never switches
  CHECK(r.k.isr_exit());        // outermost does
  CHECK(r.run() == h);
  CHECK(r.k.wait_result(h) == Status::Ok);

  // waking a lower-priority task from an ISR does not ask for a switch
  REQUIRE(r.k.delay(50) == Status::Blocked);
  REQUIRE(r.run() == l);
  REQUIRE(r.k.sem_take(&s, kWaitForever) == Status::Blocked);
  REQUIRE(r.run() == lower);
  REQUIRE(r.k.task_set_priority(lower, 4) == Status::Ok);
  r.k.isr_enter();
  sw = false;
  REQUIRE(r.k.sem_give_from_isr(&s, &sw) == Status::Ok);
  CHECK_FALSE(sw);
  CHECK_FALSE(r.k.isr_exit());
  CHECK(l->state == TaskState::Ready);
}

TEST_CASE("queue copies items in and out in FIFO order, wrapping the ring", "[rtos][queue]") {
  struct Item {
    uint32_t a;
    uint16_t b;
    uint8_t c[5];
  };
  Rig r;
  r.make(0, 5);
  Item storage[3];
  Queue q;
  REQUIRE(r.k.queue_init(&q, storage, sizeof(Item), 3) == Status::Ok);
  r.start();
  Item out{};
  for (uint32_t round = 0; round < 5; ++round) {
    for (uint32_t i = 0; i < 3; ++i) {
      Item in{round * 10 + i, static_cast<uint16_t>(i), {1, 2, 3, 4, static_cast<uint8_t>(i)}};
      REQUIRE(r.k.queue_send(&q, &in, kNoWait) == Status::Ok);
      in.a = 0xDEAD;  // the queue holds a copy
    }
    Item extra{};
    CHECK(r.k.queue_send(&q, &extra, kNoWait) == Status::Full);
    for (uint32_t i = 0; i < 3; ++i) {
      REQUIRE(r.k.queue_receive(&q, &out, kNoWait) == Status::Ok);
      CHECK(out.a == round * 10 + i);
      CHECK(out.b == i);
      CHECK(out.c[4] == i);
    }
    CHECK(r.k.queue_receive(&q, &out, kNoWait) == Status::Empty);
  }
}

TEST_CASE("queue: consumer blocks on empty and is woken with the item", "[rtos][queue]") {
  Rig r;
  Task* cons = r.make(0, 6);
  Task* prod = r.make(1, 3);
  uint32_t storage[2];
  Queue q;
  REQUIRE(r.k.queue_init(&q, storage, sizeof(uint32_t), 2) == Status::Ok);
  r.start();
  uint32_t got = 0;
  REQUIRE(r.k.queue_receive(&q, &got, kWaitForever) == Status::Blocked);
  REQUIRE(r.run() == prod);
  uint32_t v = 42;
  REQUIRE(r.k.queue_send(&q, &v, kWaitForever) == Status::Ok);
  CHECK(q.count == 0);  // went straight to the receiver
  CHECK(got == 42);
  CHECK(r.k.need_switch());
  CHECK(r.run() == cons);
  CHECK(r.k.wait_result(cons) == Status::Ok);
}

TEST_CASE("queue: producer blocks on full and its item lands in order", "[rtos][queue]") {
  Rig r;
  Task* prod = r.make(0, 6);
  Task* cons = r.make(1, 3);
  uint32_t storage[2];
  Queue q;
  REQUIRE(r.k.queue_init(&q, storage, sizeof(uint32_t), 2) == Status::Ok);
  r.start();
  uint32_t v1 = 1, v2 = 2, v3 = 3;
  REQUIRE(r.k.queue_send(&q, &v1, kWaitForever) == Status::Ok);
  REQUIRE(r.k.queue_send(&q, &v2, kWaitForever) == Status::Ok);
  REQUIRE(r.k.queue_send(&q, &v3, kWaitForever) == Status::Blocked);
  REQUIRE(r.run() == cons);
  uint32_t out = 0;
  REQUIRE(r.k.queue_receive(&q, &out, kWaitForever) == Status::Ok);
  CHECK(out == 1);
  CHECK(q.count == 2);  // the blocked producer's item moved in
  CHECK(r.k.need_switch());
  CHECK(r.run() == prod);
  CHECK(r.k.wait_result(prod) == Status::Ok);
  // producer fills again -> blocks with a timeout that expires
  uint32_t v4 = 4;
  REQUIRE(r.k.queue_send(&q, &v4, 2) == Status::Blocked);
  REQUIRE(r.run() == cons);
  r.k.tick();
  CHECK(r.k.tick());
  CHECK(r.run() == prod);
  CHECK(r.k.wait_result(prod) == Status::Timeout);
  CHECK(q.senders.empty());
  r.k.delay(100);
  r.run();
  for (uint32_t want : {2u, 3u}) {
    REQUIRE(r.k.queue_receive(&q, &out, kNoWait) == Status::Ok);
    CHECK(out == want);
  }
  CHECK(r.k.queue_receive(&q, &out, kNoWait) == Status::Empty);  // 4 was never stored
}

TEST_CASE("queue from an ISR: full is an error, receive wakes a blocked sender",
          "[rtos][queue][isr]") {
  Rig r;
  Task* prod = r.make(0, 6);
  r.make(1, 3);
  uint32_t guard_lo = 0xCAFEF00D;
  uint32_t storage[2] = {0, 0};
  uint32_t guard_hi = 0xCAFEF00D;
  Queue q;
  REQUIRE(r.k.queue_init(&q, storage, sizeof(uint32_t), 2) == Status::Ok);
  r.start();
  r.k.isr_enter();
  bool sw = false;
  uint32_t a = 10, b = 11, c = 12;
  CHECK(r.k.queue_send_from_isr(&q, &a, &sw) == Status::Ok);
  CHECK(r.k.queue_send_from_isr(&q, &b, &sw) == Status::Ok);
  CHECK(r.k.queue_send_from_isr(&q, &c, &sw) == Status::Full);
  CHECK_FALSE(sw);
  CHECK(r.k.isr_exit() == false);
  CHECK(storage[0] == 10);
  CHECK(storage[1] == 11);
  CHECK(guard_lo == 0xCAFEF00D);
  CHECK(guard_hi == 0xCAFEF00D);
  CHECK(q.count == 2);
  // task sends and blocks; an ISR drains one item and wakes it
  REQUIRE(r.k.queue_send(&q, &c, kWaitForever) == Status::Blocked);
  r.run();
  r.k.isr_enter();
  uint32_t out = 0;
  REQUIRE(r.k.queue_receive_from_isr(&q, &out, &sw) == Status::Ok);
  CHECK(out == 10);
  CHECK(sw);
  CHECK(r.k.isr_exit());
  CHECK(r.run() == prod);
  r.k.isr_enter();
  sw = false;
  REQUIRE(r.k.queue_receive_from_isr(&q, &out, &sw) == Status::Ok);
  CHECK(out == 11);
  REQUIRE(r.k.queue_receive_from_isr(&q, &out, &sw) == Status::Ok);
  CHECK(out == 12);
  CHECK(r.k.queue_receive_from_isr(&q, &out, &sw) == Status::Empty);
  r.k.isr_exit();
}

TEST_CASE("mutex priority inheritance resolves an inversion", "[rtos][mutex]") {
  Rig r;
  Task* low = r.make(0, 1);
  Mutex m;
  REQUIRE(r.k.mutex_init(&m) == Status::Ok);
  r.start();
  REQUIRE(r.k.current() == low);
  REQUIRE(r.k.mutex_lock(&m, kWaitForever) == Status::Ok);
  Task* mid = r.make(1, 3);
  Task* high = r.make(2, 5);
  REQUIRE(r.run() == high);
  REQUIRE(r.k.mutex_lock(&m, kWaitForever) == Status::Blocked);
  CHECK(low->prio == 5);          // inherited
  CHECK(low->base_prio == 1);
  CHECK(r.run() == low);          // not mid: the inversion is bounded
  for (int i = 0; i < 5; ++i) {   // mid cannot preempt while low holds m for high
    r.k.tick();
    CHECK(r.k.pick_next() == low);
  }
  REQUIRE(r.k.mutex_unlock(&m) == Status::Ok);
  CHECK(low->prio == 1);
  CHECK(m.owner == high);
  CHECK(r.run() == high);
  CHECK(r.k.wait_result(high) == Status::Ok);
  REQUIRE(r.k.mutex_unlock(&m) == Status::Ok);
  CHECK(m.owner == nullptr);
  REQUIRE(r.k.delay(10) == Status::Blocked);
  CHECK(r.run() == mid);
}

TEST_CASE("chained priority inheritance", "[rtos][mutex]") {
  Rig r;
  Task* low = r.make(0, 1);
  Mutex m1, m2;
  REQUIRE(r.k.mutex_init(&m1) == Status::Ok);
  REQUIRE(r.k.mutex_init(&m2) == Status::Ok);
  r.start();
  REQUIRE(r.k.mutex_lock(&m1, kWaitForever) == Status::Ok);
  Task* mid = r.make(1, 3);
  REQUIRE(r.run() == mid);
  REQUIRE(r.k.mutex_lock(&m2, kWaitForever) == Status::Ok);
  REQUIRE(r.k.mutex_lock(&m1, kWaitForever) == Status::Blocked);
  CHECK(low->prio == 3);
  REQUIRE(r.run() == low);
  Task* other = r.make(3, 4);     // unrelated, between mid and high
  Task* high = r.make(2, 6);
  REQUIRE(r.run() == high);
  REQUIRE(r.k.mutex_lock(&m2, kWaitForever) == Status::Blocked);
  CHECK(mid->prio == 6);
  CHECK(low->prio == 6);          // through the chain high -> m2 -> mid -> m1 -> low
  CHECK(r.run() == low);
  REQUIRE(r.k.mutex_unlock(&m1) == Status::Ok);
  CHECK(low->prio == 1);
  CHECK(m1.owner == mid);
  CHECK(mid->prio == 6);          // still lending for high on m2
  CHECK(r.run() == mid);
  REQUIRE(r.k.mutex_unlock(&m2) == Status::Ok);
  CHECK(mid->prio == 3);
  CHECK(m2.owner == high);
  CHECK(r.run() == high);
  (void)other;
}

TEST_CASE("releasing one of several held mutexes restores the right priority",
          "[rtos][mutex]") {
  for (int release_high_first = 0; release_high_first < 2; ++release_high_first) {
    Rig r;
    Task* low = r.make(0, 1);
    Mutex m1, m2;
    REQUIRE(r.k.mutex_init(&m1) == Status::Ok);
    REQUIRE(r.k.mutex_init(&m2) == Status::Ok);
    r.start();
    REQUIRE(r.k.mutex_lock(&m1, kWaitForever) == Status::Ok);
    REQUIRE(r.k.mutex_lock(&m2, kWaitForever) == Status::Ok);
    Task* a = r.make(1, 4);
    REQUIRE(r.run() == a);
    REQUIRE(r.k.mutex_lock(&m1, kWaitForever) == Status::Blocked);
    Task* b = r.make(2, 6);
    REQUIRE(r.run() == b);
    REQUIRE(r.k.mutex_lock(&m2, kWaitForever) == Status::Blocked);
    REQUIRE(r.run() == low);
    CHECK(low->prio == 6);
    if (release_high_first) {
      REQUIRE(r.k.mutex_unlock(&m2) == Status::Ok);
      CHECK(low->prio == 4);      // a still waits on m1
      REQUIRE(r.run() == b);
      REQUIRE(r.k.delay(100) == Status::Blocked);
      REQUIRE(r.run() == low);
      REQUIRE(r.k.mutex_unlock(&m1) == Status::Ok);
      CHECK(low->prio == 1);
      CHECK(r.run() == a);
    } else {
      REQUIRE(r.k.mutex_unlock(&m1) == Status::Ok);
      CHECK(low->prio == 6);      // b still waits on m2
      CHECK(r.k.pick_next() == low);
      REQUIRE(r.k.mutex_unlock(&m2) == Status::Ok);
      CHECK(low->prio == 1);
      CHECK(r.run() == b);
    }
  }
}

TEST_CASE("a mutex waiter timing out withdraws its inherited priority", "[rtos][mutex]") {
  Rig r;
  Task* low = r.make(0, 1);
  Mutex m;
  REQUIRE(r.k.mutex_init(&m) == Status::Ok);
  r.start();
  REQUIRE(r.k.mutex_lock(&m, kWaitForever) == Status::Ok);
  Task* a = r.make(1, 3);
  Task* b = r.make(2, 7);
  REQUIRE(r.run() == b);
  REQUIRE(r.k.mutex_lock(&m, 4) == Status::Blocked);
  REQUIRE(r.run() == low);
  CHECK(low->prio == 7);
  // a waits too, forever (a is ready at 3 but low at 7 runs; let a run via b's absence later)
  for (int i = 0; i < 4; ++i) r.k.tick();
  CHECK(r.k.wait_result(b) == Status::Timeout);
  CHECK(low->prio == 1);
  CHECK(m.waiters.empty());
  CHECK(m.owner == low);
  (void)a;
}

TEST_CASE("event flags: any, all, clear on exit, timeout", "[rtos][flags]") {
  Rig r;
  Task* any = r.make(0, 6);
  Task* all = r.make(1, 5);
  Task* setter = r.make(2, 2);
  EventFlags f;
  REQUIRE(r.k.flags_init(&f) == Status::Ok);
  r.start();
  uint32_t got_any = 0, got_all = 0;
  REQUIRE(r.k.flags_wait(&f, 0x3, kFlagsAny | kFlagsClear, kWaitForever, &got_any) ==
          Status::Blocked);
  REQUIRE(r.run() == all);
  REQUIRE(r.k.flags_wait(&f, 0x30, kFlagsAll, kWaitForever, &got_all) == Status::Blocked);
  REQUIRE(r.run() == setter);
  REQUIRE(r.k.flags_set(&f, 0x10) == Status::Ok);
  CHECK(any->state == TaskState::Blocked);
  CHECK(all->state == TaskState::Blocked);  // needs both bits
  REQUIRE(r.k.flags_set(&f, 0x22) == Status::Ok);
  CHECK(any->state == TaskState::Ready);
  CHECK(all->state == TaskState::Ready);
  CHECK(got_any == 0x32);
  CHECK(got_all == 0x32);
  CHECK(f.bits == 0x30);                    // 0x3 cleared for the clearing waiter only
  CHECK(r.run() == any);
  // immediate success and clear
  uint32_t m = 0;
  CHECK(r.k.flags_wait(&f, 0x30, kFlagsAll | kFlagsClear, kNoWait, &m) == Status::Ok);
  CHECK(m == 0x30);
  CHECK(f.bits == 0);
  CHECK(r.k.flags_wait(&f, 0x1, kFlagsAny, kNoWait, &m) == Status::Timeout);
  REQUIRE(r.k.flags_wait(&f, 0x1, kFlagsAny, 2, &m) == Status::Blocked);
  r.run();
  r.k.tick();
  r.k.tick();
  CHECK(r.k.wait_result(any) == Status::Timeout);
  // from an ISR
  r.run();
  REQUIRE(r.k.flags_wait(&f, 0x8, kFlagsAny, kWaitForever, nullptr) == Status::Blocked);
  r.run();
  r.k.isr_enter();
  bool sw = false;
  REQUIRE(r.k.flags_set_from_isr(&f, 0x8, &sw) == Status::Ok);
  CHECK(sw);
  CHECK(r.k.isr_exit());
  CHECK(r.run() == any);
  REQUIRE(r.k.flags_clear(&f, 0xFF) == Status::Ok);
  CHECK(f.bits == 0);
}
