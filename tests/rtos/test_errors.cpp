// Bad API use returns an error code and leaves the kernel consistent.
#include <string>

#include "rtos_rig.hpp"

using namespace rtos_test;

TEST_CASE("status names", "[rtos][errors]") {
  CHECK(std::string(status_name(Status::Ok)) == "ok");
  CHECK(std::string(status_name(Status::NotOwner)) == "not-owner");
  CHECK(std::string(status_name(static_cast<Status>(99))) == "?");
}

TEST_CASE("kernel init and task creation reject bad arguments", "[rtos][errors]") {
  Kernel k;
  Task idle, t;
  uint32_t st[64];
  uint32_t tiny[8];
  CHECK(k.init(nullptr, Stack{st, 64}, noop) == Status::NullArg);
  CHECK(k.init(&idle, Stack{nullptr, 64}, noop) == Status::NullArg);
  CHECK(k.init(&idle, Stack{st, 64}, nullptr) == Status::NullArg);
  CHECK(k.init(&idle, Stack{tiny, 8}, noop) == Status::BadArg);
  TaskConfig c;
  c.entry = noop;
  c.stack = Stack{st, 64};
  CHECK(k.task_create(&t, c) == Status::NotInitialized);
  CHECK(k.start() == Status::NotInitialized);

  Rig r;
  TaskConfig good;
  good.entry = noop;
  good.priority = 3;
  good.stack = Stack{r.stacks[0], Rig::kWords};
  TaskConfig bad = good;
  CHECK(r.k.task_create(nullptr, good) == Status::NullArg);
  bad.entry = nullptr;
  CHECK(r.k.task_create(&r.tasks[0], bad) == Status::NullArg);
  bad = good;
  bad.stack.base = nullptr;
  CHECK(r.k.task_create(&r.tasks[0], bad) == Status::NullArg);
  bad = good;
  bad.priority = kNumPriorities;
  CHECK(r.k.task_create(&r.tasks[0], bad) == Status::BadArg);
  bad = good;
  bad.stack.words = kStackMinWords - 1;
  CHECK(r.k.task_create(&r.tasks[0], bad) == Status::BadArg);
  CHECK(r.k.task_count() == 1);
  REQUIRE(r.k.task_create(&r.tasks[0], good) == Status::Ok);
  CHECK(r.k.task_create(&r.tasks[0], good) == Status::Busy);  // live task, not re-created
  CHECK(r.k.task_count() == 2);
  CHECK(r.k.start() == Status::Ok);
  CHECK(r.k.start() == Status::Busy);
  r.k.isr_enter();
  CHECK(r.k.task_create(&r.tasks[1], good) == Status::WrongContext);
  r.k.isr_exit();
}

TEST_CASE("task management errors: idle, unknown tasks, ranges", "[rtos][errors]") {
  Rig r;
  Task* a = r.make(0, 3);
  Task never;
  CHECK(r.k.task_delete(r.k.idle()) == Status::IsIdle);
  CHECK(r.k.task_set_priority(r.k.idle(), 5) == Status::IsIdle);
  CHECK(r.k.task_delete(nullptr) == Status::NullArg);
  CHECK(r.k.task_delete(&never) == Status::NotInitialized);
  CHECK(r.k.task_set_priority(nullptr, 1) == Status::NullArg);
  CHECK(r.k.task_set_priority(a, kNumPriorities) == Status::BadArg);
  CHECK(r.k.task_set_priority(&never, 1) == Status::NotInitialized);
  // calls that need a running task before start()
  Semaphore s;
  REQUIRE(r.k.sem_init(&s, 0, 1) == Status::Ok);
  CHECK(r.k.yield() == Status::NotStarted);
  CHECK(r.k.delay(1) == Status::NotStarted);
  CHECK(r.k.sem_take(&s, 1) == Status::NotStarted);
  r.start();
  CHECK(r.k.delay(kWaitForever) == Status::BadArg);
  CHECK(r.k.delay(kMaxTimeout + 1) == Status::BadArg);
  REQUIRE(r.k.task_delete(a) == Status::Ok);
  CHECK(r.k.task_delete(a) == Status::NotInitialized);  // double delete
  CHECK(r.run() == r.k.idle());
  CHECK(r.k.task_count() == 1);
  CHECK(r.k.idle()->state == TaskState::Ready);
}

TEST_CASE("the idle task can never block", "[rtos][errors]") {
  Rig r;
  Semaphore s;
  Mutex m;
  Queue q;
  EventFlags f;
  uint32_t storage[2];
  uint32_t item = 0;
  REQUIRE(r.k.sem_init(&s, 0, 1) == Status::Ok);
  REQUIRE(r.k.mutex_init(&m) == Status::Ok);
  REQUIRE(r.k.queue_init(&q, storage, 4, 2) == Status::Ok);
  REQUIRE(r.k.flags_init(&f) == Status::Ok);
  REQUIRE(r.start() == r.k.idle());
  CHECK(r.k.delay(1) == Status::WrongContext);
  CHECK(r.k.sem_take(&s, 1) == Status::WrongContext);
  CHECK(r.k.sem_take(&s, kNoWait) == Status::Timeout);  // polling is fine
  CHECK(r.k.queue_receive(&q, &item, kWaitForever) == Status::WrongContext);
  CHECK(r.k.queue_receive(&q, &item, kNoWait) == Status::Empty);
  CHECK(r.k.flags_wait(&f, 1, kFlagsAny, 5, nullptr) == Status::WrongContext);
  CHECK(r.k.mutex_lock(&m, 5) == Status::WrongContext);
  CHECK(r.k.ready_bitmap() == 1u);
}

TEST_CASE("task-only calls from an ISR and ISR calls from a task are refused",
          "[rtos][errors]") {
  Rig r;
  r.make(0, 4);
  Semaphore s;
  Mutex m;
  Queue q;
  EventFlags f;
  uint32_t storage[2];
  uint32_t item = 1;
  bool sw = false;
  REQUIRE(r.k.sem_init(&s, 1, 1) == Status::Ok);
  REQUIRE(r.k.mutex_init(&m) == Status::Ok);
  REQUIRE(r.k.queue_init(&q, storage, 4, 2) == Status::Ok);
  REQUIRE(r.k.flags_init(&f) == Status::Ok);
  r.start();
  // FromIsr variants from task context
  CHECK(r.k.sem_give_from_isr(&s, &sw) == Status::WrongContext);
  CHECK(r.k.sem_take_from_isr(&s) == Status::WrongContext);
  CHECK(r.k.queue_send_from_isr(&q, &item, &sw) == Status::WrongContext);
  CHECK(r.k.queue_receive_from_isr(&q, &item, &sw) == Status::WrongContext);
  CHECK(r.k.flags_set_from_isr(&f, 1, &sw) == Status::WrongContext);
  // task variants from an ISR
  r.k.isr_enter();
  CHECK(r.k.sem_take(&s, kNoWait) == Status::WrongContext);
  CHECK(r.k.sem_give(&s) == Status::WrongContext);
  CHECK(r.k.mutex_lock(&m, kNoWait) == Status::WrongContext);
  CHECK(r.k.mutex_unlock(&m) == Status::WrongContext);
  CHECK(r.k.queue_send(&q, &item, kNoWait) == Status::WrongContext);
  CHECK(r.k.queue_receive(&q, &item, kNoWait) == Status::WrongContext);
  CHECK(r.k.flags_set(&f, 1) == Status::WrongContext);
  CHECK(r.k.flags_wait(&f, 1, kFlagsAny, kNoWait, nullptr) == Status::WrongContext);
  CHECK(r.k.yield() == Status::WrongContext);
  CHECK(r.k.delay(3) == Status::WrongContext);
  CHECK(r.k.task_delete(&r.tasks[0]) == Status::WrongContext);
  CHECK(r.k.sem_take_from_isr(&s) == Status::Ok);
  CHECK(r.k.sem_take_from_isr(&s) == Status::Timeout);
  CHECK_FALSE(r.k.isr_exit());
  CHECK_FALSE(r.k.isr_exit());  // unbalanced exit is harmless
  CHECK_FALSE(r.k.in_isr());
  CHECK(s.count == 0);
  CHECK(q.count == 0);
  CHECK(f.bits == 0);
  CHECK(m.owner == nullptr);
}

TEST_CASE("null, uninitialised and out-of-range object arguments", "[rtos][errors]") {
  Rig r;
  r.make(0, 4);
  r.start();
  Semaphore s_un;
  Mutex m_un;
  Queue q_un;
  EventFlags f_un;
  uint32_t item = 0;
  bool sw = false;
  uint32_t storage[4];

  CHECK(r.k.sem_init(nullptr, 0, 1) == Status::NullArg);
  CHECK(r.k.sem_init(&s_un, 0, 0) == Status::BadArg);
  CHECK(r.k.sem_init(&s_un, 2, 1) == Status::BadArg);
  CHECK(r.k.sem_take(nullptr, 0) == Status::NullArg);
  CHECK(r.k.sem_take(&s_un, 0) == Status::NotInitialized);
  CHECK(r.k.sem_give(nullptr) == Status::NullArg);
  CHECK(r.k.sem_give(&s_un) == Status::NotInitialized);
  CHECK(r.k.sem_give_from_isr(nullptr, &sw) == Status::NullArg);
  CHECK(r.k.sem_take_from_isr(&s_un) == Status::NotInitialized);

  CHECK(r.k.mutex_init(nullptr) == Status::NullArg);
  CHECK(r.k.mutex_lock(nullptr, 0) == Status::NullArg);
  CHECK(r.k.mutex_lock(&m_un, 0) == Status::NotInitialized);
  CHECK(r.k.mutex_unlock(nullptr) == Status::NullArg);
  CHECK(r.k.mutex_unlock(&m_un) == Status::NotInitialized);

  CHECK(r.k.queue_init(nullptr, storage, 4, 4) == Status::NullArg);
  CHECK(r.k.queue_init(&q_un, nullptr, 4, 4) == Status::NullArg);
  CHECK(r.k.queue_init(&q_un, storage, 0, 4) == Status::BadArg);
  CHECK(r.k.queue_init(&q_un, storage, 4, 0) == Status::BadArg);
  CHECK(r.k.queue_send(nullptr, &item, 0) == Status::NullArg);
  CHECK(r.k.queue_send(&q_un, &item, 0) == Status::NotInitialized);
  CHECK(r.k.queue_receive(&q_un, &item, 0) == Status::NotInitialized);
  CHECK(r.k.queue_send_from_isr(&q_un, &item, nullptr) == Status::NullArg);
  CHECK(r.k.queue_receive_from_isr(&q_un, &item, &sw) == Status::NotInitialized);

  CHECK(r.k.flags_init(nullptr) == Status::NullArg);
  CHECK(r.k.flags_set(&f_un, 1) == Status::NotInitialized);
  CHECK(r.k.flags_clear(&f_un, 1) == Status::NotInitialized);
  CHECK(r.k.flags_wait(&f_un, 1, kFlagsAny, 0, nullptr) == Status::NotInitialized);
  CHECK(r.k.flags_set_from_isr(nullptr, 1, &sw) == Status::NullArg);

  Semaphore s;
  Queue q;
  EventFlags f;
  REQUIRE(r.k.sem_init(&s, 0, 1) == Status::Ok);
  REQUIRE(r.k.queue_init(&q, storage, 4, 4) == Status::Ok);
  REQUIRE(r.k.flags_init(&f) == Status::Ok);
  CHECK(r.k.queue_send(&q, nullptr, 0) == Status::NullArg);
  CHECK(r.k.queue_receive(&q, nullptr, 0) == Status::NullArg);
  CHECK(r.k.sem_take(&s, kMaxTimeout + 1) == Status::BadArg);
  CHECK(r.k.queue_send(&q, &item, kMaxTimeout + 1) == Status::BadArg);
  CHECK(r.k.flags_wait(&f, 0, kFlagsAny, 0, nullptr) == Status::BadArg);
  CHECK(r.k.flags_wait(&f, 1, 0x80, 0, nullptr) == Status::BadArg);
  CHECK(r.k.wait_result(nullptr) == Status::NullArg);
  CHECK(r.k.ready_bitmap() == ((1u << 0) | (1u << 4)));  // nothing blocked by mistake
}

TEST_CASE("mutex misuse: not owner, recursion, cycles, deleting a holder", "[rtos][errors]") {
  Rig r;
  Task* a = r.make(0, 4);
  Task* b = r.make(1, 3);
  Mutex m1, m2;
  REQUIRE(r.k.mutex_init(&m1) == Status::Ok);
  REQUIRE(r.k.mutex_init(&m2) == Status::Ok);
  r.start();
  CHECK(r.k.mutex_unlock(&m1) == Status::NotOwner);  // nobody holds it
  REQUIRE(r.k.mutex_lock(&m1, kWaitForever) == Status::Ok);
  CHECK(r.k.mutex_lock(&m1, kWaitForever) == Status::Deadlock);  // not recursive
  CHECK(r.k.mutex_init(&m1) == Status::Busy);                    // held: no re-init
  CHECK(r.k.task_delete(a) == Status::Busy);                     // would orphan m1
  REQUIRE(r.k.delay(5) == Status::Blocked);
  REQUIRE(r.run() == b);
  CHECK(r.k.mutex_unlock(&m1) == Status::NotOwner);  // b does not hold it
  CHECK(m1.owner == a);
  CHECK(r.k.mutex_lock(&m1, kNoWait) == Status::Timeout);
  REQUIRE(r.k.mutex_lock(&m2, kWaitForever) == Status::Ok);
  for (int i = 0; i < 5; ++i) r.k.tick();
  REQUIRE(r.run() == a);
  REQUIRE(r.k.mutex_lock(&m2, kWaitForever) == Status::Blocked);  // a waits on b
  CHECK(b->prio == 4);
  REQUIRE(r.run() == b);
  CHECK(r.k.mutex_lock(&m1, kWaitForever) == Status::Deadlock);    // b -> a -> b
  CHECK(b->state == TaskState::Ready);
  REQUIRE(r.k.mutex_unlock(&m2) == Status::Ok);
  CHECK(b->prio == 3);
  CHECK(r.run() == a);
  CHECK(m2.owner == a);
}

TEST_CASE("semaphore, queue and flags re-init with waiters is refused", "[rtos][errors]") {
  Rig r;
  r.make(0, 5);
  r.make(1, 4);
  r.make(2, 3);
  Semaphore s;
  Queue q;
  EventFlags f;
  uint32_t storage[1];
  uint32_t item = 0;
  REQUIRE(r.k.sem_init(&s, 0, 1) == Status::Ok);
  REQUIRE(r.k.queue_init(&q, storage, 4, 1) == Status::Ok);
  REQUIRE(r.k.flags_init(&f) == Status::Ok);
  r.start();
  REQUIRE(r.k.sem_take(&s, kWaitForever) == Status::Blocked);
  r.run();
  REQUIRE(r.k.queue_receive(&q, &item, kWaitForever) == Status::Blocked);
  r.run();
  REQUIRE(r.k.flags_wait(&f, 1, kFlagsAny, kWaitForever, nullptr) == Status::Blocked);
  r.run();
  CHECK(r.k.sem_init(&s, 0, 1) == Status::Busy);
  CHECK(r.k.queue_init(&q, storage, 4, 1) == Status::Busy);
  CHECK(r.k.flags_init(&f) == Status::Busy);
  CHECK_FALSE(s.waiters.empty());
  CHECK_FALSE(q.receivers.empty());
  CHECK_FALSE(f.waiters.empty());
}
