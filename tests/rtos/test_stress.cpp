// Randomised operation sequences with the kernel's invariants checked after every step:
// whatever the interleaving, lists, bitmap, priorities and counts stay consistent.
#include <random>

#include "rtos_rig.hpp"

using namespace rtos_test;

namespace {

bool list_contains(const List& l, const Task* t) {
  for (const ListNode* n = l.head.next; n != &l.head; n = n->next)
    if (n->task == t) return true;
  return false;
}

void check_invariants(Rig& r, Task* const* tasks, int n, Mutex* mutexes, int nm,
                      const Queue& q, const Semaphore& s) {
  Kernel& k = r.k;
  // current is a ready, live task and the one the scheduler would pick
  REQUIRE(k.current() != nullptr);
  REQUIRE(k.current()->state == TaskState::Ready);
  REQUIRE(k.current()->prio >= k.pick_next()->prio);
  const uint32_t bits = k.ready_bitmap();
  REQUIRE((bits & 1u) != 0);  // idle is always ready
  for (int i = 0; i < n; ++i) {
    Task* t = tasks[i];
    if (t->state == TaskState::Ready) {
      REQUIRE((bits >> t->prio) & 1u);
      REQUIRE(List::linked(&t->sched_node));
      REQUIRE(t->wait_list == nullptr);
      REQUIRE_FALSE(List::linked(&t->delay_node));
      REQUIRE(t->blocked_on == nullptr);
    } else {
      REQUIRE(t->state == TaskState::Blocked);
      REQUIRE((t->wait_list != nullptr || List::linked(&t->delay_node)));
      if (t->wait_list != nullptr) REQUIRE(list_contains(*t->wait_list, t));
    }
    // effective priority = max(base, highest waiter of each held mutex)
    uint8_t p = t->base_prio;
    for (const Mutex* m = t->held; m != nullptr; m = m->next_held) {
      REQUIRE(m->owner == t);
      if (const Task* w = m->waiters.first_task(); w != nullptr && w->prio > p) p = w->prio;
    }
    REQUIRE(t->prio == p);
  }
  for (int i = 0; i < nm; ++i) {
    const Mutex& m = mutexes[i];
    if (m.owner == nullptr) REQUIRE(m.waiters.empty());
    uint8_t last = 255;
    for (const ListNode* x = m.waiters.head.next; x != &m.waiters.head; x = x->next) {
      REQUIRE(x->task->prio <= last);  // priority-ordered
      REQUIRE(x->task->blocked_on == &m);
      last = x->task->prio;
    }
  }
  REQUIRE(q.count <= q.capacity);
  if (q.count > 0) REQUIRE(q.receivers.empty());
  if (q.count < q.capacity) REQUIRE(q.senders.empty());
  REQUIRE(s.count <= s.max);
  if (s.count > 0) REQUIRE(s.waiters.empty());
}

}  // namespace

TEST_CASE("random operation sequences keep the kernel consistent", "[rtos][stress]") {
  for (uint32_t seed = 1; seed <= 20; ++seed) {
    Rig r(0xFFFFFF00u);  // cross the tick wrap along the way
    constexpr int kN = 6;
    Task* t[kN];
    const uint8_t prios[kN] = {1, 2, 2, 3, 5, 5};
    for (int i = 0; i < kN; ++i) t[i] = r.make(i, prios[i]);
    Semaphore s;
    Mutex m[2];
    Queue q;
    uint32_t storage[3];
    uint32_t bufs[kN] = {};
    REQUIRE(r.k.sem_init(&s, 1, 2) == Status::Ok);
    REQUIRE(r.k.mutex_init(&m[0]) == Status::Ok);
    REQUIRE(r.k.mutex_init(&m[1]) == Status::Ok);
    REQUIRE(r.k.queue_init(&q, storage, 4, 3) == Status::Ok);
    r.start();
    std::mt19937 rng(seed);
    uint32_t sent = 0;
    for (int step = 0; step < 3000; ++step) {
      Task* cur = r.k.current();
      int slot = -1;
      for (int i = 0; i < kN; ++i)
        if (t[i] == cur) slot = i;
      const uint32_t op = rng() % 10;
      const Tick to = rng() % 4 == 0 ? kNoWait : 1 + rng() % 6;
      bool sw = false;
      if (op == 0 || slot < 0) {
        r.k.tick();
      } else if (op == 1) {
        r.k.isr_enter();
        (void)r.k.sem_give_from_isr(&s, &sw);
        uint32_t v = ++sent;
        (void)r.k.queue_send_from_isr(&q, &v, &sw);
        r.k.isr_exit();
      } else if (op == 2) {
        (void)r.k.sem_take(&s, to);
      } else if (op == 3) {
        (void)r.k.sem_give(&s);
      } else if (op == 4 || op == 5) {
        Mutex* mm = &m[rng() % 2];
        if (mm->owner == cur)
          REQUIRE(r.k.mutex_unlock(mm) == Status::Ok);
        else
          (void)r.k.mutex_lock(mm, to);
      } else if (op == 6) {
        bufs[slot] = ++sent;
        (void)r.k.queue_send(&q, &bufs[slot], to);
      } else if (op == 7) {
        (void)r.k.queue_receive(&q, &bufs[slot], to);
      } else if (op == 8) {
        (void)r.k.delay(1 + rng() % 5);
      } else {
        (void)r.k.yield();
      }
      // The port's shortcut: with the ready-changed hint clear, need_switch() is not asked.
      // That is only sound if no step can make a switch due without setting the hint (the
      // previous step ended without a switch due).
      if (!r.k.take_ready_changed()) REQUIRE_FALSE(r.k.need_switch());
      if (r.k.need_switch()) r.run();
      check_invariants(r, t, kN, m, 2, q, s);
    }
  }
}
