// Scheduler data structures: ready bitmap + FIFO levels, round-robin, delay list, timeouts.
#include "rtos_rig.hpp"

using namespace rtos_test;

TEST_CASE("highest_bit and wrap-safe tick compare", "[rtos][sched]") {
  for (uint32_t b = 0; b < 32; ++b) {
    CHECK(highest_bit(1u << b) == b);
    CHECK(highest_bit((1u << b) | 1u) == b);
  }
  CHECK(tick_reached(5, 5));
  CHECK(tick_reached(6, 5));
  CHECK_FALSE(tick_reached(4, 5));
  CHECK(tick_reached(2, 0xFFFFFFFEu));        // after wrap
  CHECK_FALSE(tick_reached(0xFFFFFFFEu, 2));
}

TEST_CASE("ready lists pick the highest priority, FIFO within a level", "[rtos][sched]") {
  Rig r;
  Task* a = r.make(0, 3);
  Task* b = r.make(1, 7);
  Task* c = r.make(2, 5);
  Task* d = r.make(3, 7);
  CHECK(r.k.ready_bitmap() == ((1u << 0) | (1u << 3) | (1u << 5) | (1u << 7)));
  CHECK(r.start() == b);   // first created at the top level
  CHECK_FALSE(r.k.need_switch());
  // b and d leave (delays) -> c, then a, then idle
  REQUIRE(r.k.delay(10) == Status::Blocked);
  CHECK(r.run() == d);
  REQUIRE(r.k.delay(10) == Status::Blocked);
  CHECK(r.k.ready_bitmap() == ((1u << 0) | (1u << 3) | (1u << 5)));
  CHECK(r.run() == c);
  REQUIRE(r.k.delay(10) == Status::Blocked);
  CHECK(r.run() == a);
  REQUIRE(r.k.delay(10) == Status::Blocked);
  CHECK(r.run() == r.k.idle());
  CHECK(r.k.ready_bitmap() == 1u);
}

TEST_CASE("pick_next fast path (running level highest) agrees with the bit search",
          "[rtos][sched]") {
  Rig r;
  Task* a = r.make(0, 4);
  Task* b = r.make(1, 4);
  Task* lo = r.make(2, 1);
  REQUIRE(r.start() == a);
  CHECK(r.k.pick_next() == a);  // running level is the highest: its head
  CHECK_FALSE(r.k.need_switch());
  REQUIRE(r.k.yield() == Status::Ok);
  CHECK(r.k.pick_next() == b);  // rotated: the next of the level
  CHECK(r.run() == b);
  Semaphore s;
  REQUIRE(r.k.sem_init(&s, 0, 1) == Status::Ok);
  REQUIRE(r.k.sem_take(&s, kWaitForever) == Status::Blocked);  // b blocks: current not ready
  CHECK(r.k.pick_next() == a);
  CHECK(r.run() == a);
  Task* hi = r.make(3, 9);  // a higher level appears: the search, not the fast path
  CHECK(r.k.pick_next() == hi);
  CHECK(r.k.need_switch());
  (void)lo;
}

TEST_CASE("ready-changed hint: set by every ready-list change, clear otherwise", "[rtos][sched]") {
  Rig r;
  Task* a = r.make(0, 4);
  Task* h = r.make(1, 6);
  REQUIRE(r.start() == h);
  CHECK(r.k.take_ready_changed());   // the creations
  CHECK_FALSE(r.k.take_ready_changed());
  Semaphore s;
  REQUIRE(r.k.sem_init(&s, 0, 2) == Status::Ok);
  REQUIRE(r.k.sem_give(&s) == Status::Ok);  // nobody waiting: no ready-list change
  REQUIRE(r.k.sem_take(&s, kNoWait) == Status::Ok);
  CHECK_FALSE(r.k.take_ready_changed());
  REQUIRE(r.k.yield() == Status::Ok);  // alone on its level: nothing rotates
  CHECK_FALSE(r.k.take_ready_changed());
  REQUIRE(r.k.sem_take(&s, kWaitForever) == Status::Blocked);  // h leaves the ready list
  CHECK(r.k.take_ready_changed());
  CHECK(r.run() == a);
  CHECK_FALSE(r.k.take_ready_changed());  // a switch itself changes no list
  REQUIRE(r.k.sem_give(&s) == Status::Ok);  // wakes h
  CHECK(r.k.take_ready_changed());
  CHECK(r.k.need_switch());
}

TEST_CASE("a higher-priority task made ready preempts; equal priority does not",
          "[rtos][sched]") {
  Rig r;
  Task* a = r.make(0, 4);
  CHECK(r.start() == a);
  r.make(1, 4);
  CHECK_FALSE(r.k.need_switch());
  Task* h = r.make(2, 9);
  CHECK(r.k.need_switch());
  CHECK(r.k.pick_next() == h);
  CHECK(r.run() == h);
}

TEST_CASE("yield rotates round-robin inside a level only", "[rtos][sched]") {
  Rig r;
  Task* a = r.make(0, 4);
  Task* b = r.make(1, 4);
  Task* c = r.make(2, 4);
  r.make(3, 2);
  CHECK(r.start() == a);
  const Task* order[] = {b, c, a, b, c, a};
  for (const Task* want : order) {
    REQUIRE(r.k.yield() == Status::Ok);
    CHECK(r.k.need_switch());
    CHECK(r.run() == want);
  }
  // alone at its level: yield keeps running
  Rig r2;
  Task* x = r2.make(0, 6);
  r2.make(1, 5);
  CHECK(r2.start() == x);
  REQUIRE(r2.k.yield() == Status::Ok);
  CHECK_FALSE(r2.k.need_switch());
}

TEST_CASE("time slicing shares the CPU fairly within a priority", "[rtos][sched]") {
  Rig r;
  Task* t[3] = {r.make(0, 5), r.make(1, 5), r.make(2, 5)};
  Task* low = r.make(3, 1);
  r.start();
  int ran[3] = {0, 0, 0};
  int low_ran = 0;
  for (int i = 0; i < 300; ++i) {
    Task* cur = r.k.current();
    for (int j = 0; j < 3; ++j)
      if (cur == t[j]) ++ran[j];
    if (cur == low) ++low_ran;
    if (r.k.tick()) r.run();
  }
  CHECK(ran[0] == 100);
  CHECK(ran[1] == 100);
  CHECK(ran[2] == 100);
  CHECK(low_ran == 0);  // a lower level never runs while a higher one is ready

  // with slicing off the running task keeps the CPU
  Rig r2;
  Task* p = r2.make(0, 5);
  r2.make(1, 5);
  r2.k.set_time_slicing(false);
  r2.start();
  for (int i = 0; i < 10; ++i) CHECK_FALSE(r2.k.tick());
  CHECK(r2.k.current() == p);
}

namespace {
// Ticks until some task becomes ready; returns the woken tasks in order of waking.
struct Wakes {
  Task* who[8];
  Tick at[8];
  int n = 0;
};
void run_until_idle_wakes(Rig& r, Task* const* watch, int nwatch, Wakes& w, int max_ticks) {
  bool seen[8] = {};
  for (int i = 0; i < max_ticks && w.n < nwatch; ++i) {
    r.k.tick();
    for (int j = 0; j < nwatch; ++j)
      if (!seen[j] && watch[j]->state == TaskState::Ready) {
        seen[j] = true;
        w.who[w.n] = watch[j];
        w.at[w.n] = r.k.now();
        ++w.n;
      }
  }
}
}  // namespace

TEST_CASE("delay list wakes tasks in wake-tick order", "[rtos][sched]") {
  Rig r;
  Task* a = r.make(0, 9);
  Task* b = r.make(1, 8);
  Task* c = r.make(2, 7);
  REQUIRE(r.start() == a);
  REQUIRE(r.k.delay(5) == Status::Blocked);
  REQUIRE(r.run() == b);
  REQUIRE(r.k.delay(2) == Status::Blocked);
  REQUIRE(r.run() == c);
  REQUIRE(r.k.delay(9) == Status::Blocked);
  REQUIRE(r.run() == r.k.idle());
  Task* watch[] = {a, b, c};
  Wakes w;
  run_until_idle_wakes(r, watch, 3, w, 20);
  REQUIRE(w.n == 3);
  CHECK(w.who[0] == b);
  CHECK(w.at[0] == 2);
  CHECK(w.who[1] == a);
  CHECK(w.at[1] == 5);
  CHECK(w.who[2] == c);
  CHECK(w.at[2] == 9);
  CHECK(r.k.wait_result(a) == Status::Ok);
}

TEST_CASE("delay list is correct across the 32-bit tick wrap", "[rtos][sched]") {
  const Tick start = 0xFFFFFFF8u;
  Rig r(start);
  Task* a = r.make(0, 9);
  Task* b = r.make(1, 8);
  Task* c = r.make(2, 7);
  Task* d = r.make(3, 6);
  REQUIRE(r.start() == a);
  REQUIRE(r.k.delay(5) == Status::Blocked);   // wakes at 0xFFFFFFFD
  REQUIRE(r.run() == b);
  REQUIRE(r.k.delay(12) == Status::Blocked);  // wakes at 0x00000004
  REQUIRE(r.run() == c);
  REQUIRE(r.k.delay(10) == Status::Blocked);  // wakes at 0x00000002
  REQUIRE(r.run() == d);
  REQUIRE(r.k.delay(8) == Status::Blocked);   // wakes exactly at 0x00000000
  REQUIRE(r.run() == r.k.idle());
  Task* watch[] = {a, b, c, d};
  Wakes w;
  run_until_idle_wakes(r, watch, 4, w, 40);
  REQUIRE(w.n == 4);
  CHECK(w.who[0] == a);
  CHECK(w.at[0] == 0xFFFFFFFDu);
  CHECK(w.who[1] == d);
  CHECK(w.at[1] == 0u);
  CHECK(w.who[2] == c);
  CHECK(w.at[2] == 2u);
  CHECK(w.who[3] == b);
  CHECK(w.at[3] == 4u);
}

TEST_CASE("a long delay near the limit does not wake early", "[rtos][sched]") {
  Rig r(0x7FFFFFF0u);
  Task* a = r.make(0, 3);
  r.start();
  REQUIRE(r.k.delay(kMaxTimeout) == Status::Blocked);
  r.run();
  for (int i = 0; i < 1000; ++i) r.k.tick();
  CHECK(a->state == TaskState::Blocked);
}

TEST_CASE("blocking with a timeout expires on the exact tick", "[rtos][sched]") {
  Rig r;
  Task* a = r.make(0, 5);
  Semaphore s;
  REQUIRE(r.k.sem_init(&s, 0, 1) == Status::Ok);
  r.start();
  REQUIRE(r.k.sem_take(&s, 3) == Status::Blocked);
  CHECK(r.run() == r.k.idle());
  CHECK_FALSE(r.k.tick());
  CHECK_FALSE(r.k.tick());
  CHECK(a->state == TaskState::Blocked);
  CHECK(r.k.tick());  // third tick: timed out, a outranks idle
  CHECK(r.run() == a);
  CHECK(r.k.wait_result(a) == Status::Timeout);
  // no longer a waiter: a later give just counts
  REQUIRE(r.k.sem_give(&s) == Status::Ok);
  CHECK(s.count == 1);
  CHECK(r.k.sem_take(&s, kNoWait) == Status::Ok);
  CHECK(r.k.sem_take(&s, kNoWait) == Status::Timeout);
}

TEST_CASE("a task woken before its timeout is removed from the delay list", "[rtos][sched]") {
  Rig r;
  Task* a = r.make(0, 5);
  Task* b = r.make(1, 2);
  Semaphore s;
  REQUIRE(r.k.sem_init(&s, 0, 4) == Status::Ok);
  r.start();
  REQUIRE(r.k.sem_take(&s, 5) == Status::Blocked);
  CHECK(r.run() == b);
  r.k.tick();
  REQUIRE(r.k.sem_give(&s) == Status::Ok);
  CHECK(r.k.need_switch());
  CHECK(r.run() == a);
  CHECK(r.k.wait_result(a) == Status::Ok);
  for (int i = 0; i < 10; ++i) r.k.tick();
  CHECK(r.k.wait_result(a) == Status::Ok);  // the stale timeout never fired
  CHECK(r.k.current() == a);
}

TEST_CASE("task delete unlinks a blocked task and switches away from a deleted current",
          "[rtos][sched]") {
  Rig r;
  Task* a = r.make(0, 5);
  Task* b = r.make(1, 4);
  Semaphore s;
  REQUIRE(r.k.sem_init(&s, 0, 1) == Status::Ok);
  r.start();
  REQUIRE(r.k.sem_take(&s, 100) == Status::Blocked);
  CHECK(r.run() == b);
  CHECK(r.k.task_count() == 3);
  REQUIRE(r.k.task_delete(a) == Status::Ok);
  CHECK(r.k.task_count() == 2);
  CHECK(s.waiters.empty());
  for (int i = 0; i < 200; ++i) r.k.tick();  // its timeout entry is gone too
  CHECK(a->state == TaskState::Deleted);
  REQUIRE(r.k.task_delete(b) == Status::Ok);  // delete self
  CHECK(r.k.need_switch());
  CHECK(r.run() == r.k.idle());
  // storage may be reused
  Task* a2 = r.make(0, 6);
  CHECK(r.k.need_switch());
  CHECK(r.run() == a2);
}

TEST_CASE("task_set_priority moves a ready task between levels", "[rtos][sched]") {
  Rig r;
  Task* a = r.make(0, 5);
  Task* b = r.make(1, 3);
  r.start();
  REQUIRE(r.k.task_set_priority(b, 8) == Status::Ok);
  CHECK(r.k.need_switch());
  CHECK(r.run() == b);
  REQUIRE(r.k.task_set_priority(b, 1) == Status::Ok);
  CHECK(r.run() == a);
  CHECK(r.k.ready_bitmap() == ((1u << 0) | (1u << 1) | (1u << 5)));
}

TEST_CASE("stack fill pattern, high-water mark and guard", "[rtos][stack]") {
  uint32_t mem[64];
  Stack s{mem, 64};
  stack_fill(s);
  CHECK(stack_unused_words(s) == 64);
  CHECK(stack_high_water_words(s) == 0);
  CHECK(stack_guard_intact(s));
  for (int i = 64 - 10; i < 64; ++i) mem[i] = 0;  // the task used its top 10 words
  CHECK(stack_unused_words(s) == 54);
  CHECK(stack_high_water_words(s) == 10);
  CHECK(stack_pointer_ok(s, reinterpret_cast<uintptr_t>(mem + 64)));
  CHECK(stack_pointer_ok(s, reinterpret_cast<uintptr_t>(mem + kStackGuardWords)));
  CHECK_FALSE(stack_pointer_ok(s, reinterpret_cast<uintptr_t>(mem + kStackGuardWords - 1)));
  CHECK_FALSE(stack_pointer_ok(s, reinterpret_cast<uintptr_t>(mem + 64) + 4));
  mem[1] = 0x1234;  // overflow into the guard
  CHECK_FALSE(stack_guard_intact(s));
  CHECK(stack_unused_words(s) == 1);
  CHECK_FALSE(stack_guard_intact(Stack{nullptr, 64}));
  // task_create fills the task's stack
  Rig r;
  r.stacks[0][3] = 7;
  Task* t = r.make(0, 2);
  CHECK(stack_unused_words(t->stack) == Rig::kWords);
}

TEST_CASE("next_wake_in gives the tickless idle its sleep, across the wrap", "[rtos][sched]") {
  Rig r(0xFFFFFFF0u);
  Task* a = r.make(0, 3, "a");
  Task* b = r.make(1, 2, "b");
  r.start();
  REQUIRE(r.k.next_wake_in() == kWaitForever);  // nothing delayed
  REQUIRE(r.k.current() == a);
  REQUIRE(r.k.delay(40) == Status::Blocked);
  r.run();
  REQUIRE(r.k.current() == b);
  REQUIRE(r.k.next_wake_in() == 40);
  REQUIRE(r.k.delay(25) == Status::Blocked);    // b: earlier deadline
  r.run();
  REQUIRE(r.k.next_wake_in() == 25);
  for (int i = 0; i < 24; ++i) r.k.tick();      // crosses the 32-bit wrap
  REQUIRE(r.k.next_wake_in() == 1);
  r.k.tick();
  r.run();
  REQUIRE(r.k.current() == b);                  // woke exactly at 25
  REQUIRE(r.k.next_wake_in() == 15);
}

TEST_CASE("advance jumps the clock like that many ticks; a passed deadline wakes late", "[rtos][sched]") {
  Rig r;
  Task* a = r.make(0, 3, "a");
  r.start();
  REQUIRE(r.k.delay(30) == Status::Blocked);
  r.run();
  REQUIRE(r.k.current() == r.k.idle());
  REQUIRE_FALSE(r.k.advance(29));               // within the sleep: nothing due
  REQUIRE(r.k.now() == 29);
  REQUIRE(a->state == TaskState::Blocked);
  REQUIRE(r.k.advance(1));                      // the deadline: a is ready, switch
  REQUIRE(r.k.now() == 30);
  REQUIRE(r.run() == a);
  REQUIRE(r.k.delay(5) == Status::Blocked);
  r.run();
  REQUIRE(r.k.advance(9));                      // overslept: woken at 39, not lost
  REQUIRE(r.k.now() == 39);
  REQUIRE(r.run() == a);
  REQUIRE(r.k.wait_result(a) == Status::Ok);
}
