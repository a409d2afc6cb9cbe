// Shoal RTOS: portable kernel core. A pure state machine over static structures: API calls
// update ready/wait/delay lists and report whether the running task must change; the
// architecture port (context switch, interrupt entry, critical sections) acts on that.
// Every entry point must be called with interrupts masked (the port's critical section).
#pragma once
#include <stddef.h>
#include <stdint.h>

#include "shoal/rtos/list.hpp"
#include "shoal/rtos/stack.hpp"

namespace shoal::rtos {

using Tick = uint32_t;
constexpr uint32_t kNumPriorities = 32;    // 0 = lowest (idle), 31 = highest
constexpr Tick kNoWait = 0;
constexpr Tick kWaitForever = 0xFFFFFFFFu;
constexpr Tick kMaxTimeout = 0x7FFFFFFFu;  // finite timeouts/delays must be <= this (wrap-safe)

enum class Status : int8_t {
  Ok = 0,
  Blocked = 1,          // caller was suspended; its final result is wait_result(caller)
  Timeout = -1,         // nothing available within the timeout (incl. kNoWait)
  Full = -2,            // queue full (non-blocking / ISR send)
  Empty = -3,           // queue empty (non-blocking / ISR receive)
  NullArg = -4,
  BadArg = -5,          // out-of-range argument
  NotInitialized = -6,  // object never initialised (or task not created/deleted)
  WrongContext = -7,    // blocking/task-only call from an ISR, FromIsr call from a task, idle blocking
  NotOwner = -8,        // mutex unlocked by a task that does not hold it
  IsIdle = -9,          // operation not allowed on the idle task
  Busy = -10,           // object in use (re-init with waiters, delete a task holding mutexes)
  Overflow = -11,       // semaphore already at its maximum count
  Deadlock = -12,       // mutex lock would deadlock (recursive lock or ownership cycle)
  NotStarted = -13,     // needs a running task but start() was not called
};
const char* status_name(Status s);

enum class TaskState : uint8_t { Unused = 0, Ready, Blocked, Deleted };
enum class WaitKind : uint8_t { None = 0, Delay, Semaphore, Mutex, QueueSend, QueueReceive, Flags };

using TaskEntry = void (*)(void*);

struct Mutex;

// Task control block. Statically allocated by the user; fields are kernel-private.
struct Task {
  ListNode sched_node;       // in a ready list or a wait list
  ListNode delay_node;       // in the delay list (delays and timeouts)
  List* wait_list = nullptr; // wait list sched_node is on (nullptr: none)
  Mutex* held = nullptr;     // mutexes held (singly linked through Mutex::next_held)
  Mutex* blocked_on = nullptr;
  void* wait_buf = nullptr;  // queue item in/out, or uint32_t* for matched flags
  uint32_t wait_bits = 0;    // event-flag mask
  uint8_t wait_mode = 0;     // event-flag mode
  WaitKind wait_kind = WaitKind::None;
  Status wait_status = Status::Ok;
  TaskState state = TaskState::Unused;
  uint8_t base_prio = 0;     // assigned priority
  uint8_t prio = 0;          // effective priority (inheritance)
  Tick wake_tick = 0;
  TaskEntry entry = nullptr;
  void* arg = nullptr;
  Stack stack;
  const char* name = nullptr;
  uintptr_t saved_sp = 0;    // for the port
  uint32_t magic = 0;
};

struct TaskConfig {
  const char* name = nullptr;
  TaskEntry entry = nullptr;
  void* arg = nullptr;
  uint8_t priority = 1;
  Stack stack;
};

struct Semaphore {
  List waiters;
  uint32_t count = 0;
  uint32_t max = 0;
  uint32_t magic = 0;
};

struct Mutex {
  List waiters;              // ordered by priority, FIFO within one
  Task* owner = nullptr;
  Mutex* next_held = nullptr;
  uint32_t magic = 0;
};

struct Queue {
  List senders;              // blocked on full
  List receivers;            // blocked on empty
  uint8_t* storage = nullptr;
  size_t item_size = 0;
  size_t capacity = 0;
  size_t count = 0;
  size_t head = 0;           // next read slot
  size_t tail = 0;           // next write slot
  uint32_t magic = 0;
};

// Event-flag wait modes (bitwise or).
constexpr uint8_t kFlagsAny = 0x0;
constexpr uint8_t kFlagsAll = 0x1;
constexpr uint8_t kFlagsClear = 0x2;  // clear the waited-for bits on successful exit

struct EventFlags {
  List waiters;
  uint32_t bits = 0;
  uint32_t magic = 0;
};

class Kernel {
 public:
  // ---- lifecycle and scheduling ----
  // initial_tick lets a port (and the tests) start near the 32-bit wrap to exercise it.
  Status init(Task* idle, const Stack& idle_stack, TaskEntry idle_entry, void* idle_arg = nullptr,
              Tick initial_tick = 0);
  Status start();                       // picks the first task
  bool started() const { return current_ != nullptr; }
  Task* current() const { return current_; }
  Task* idle() const { return idle_; }
  // Inline (hot: every port call and every switch). When the running task is ready and no
  // higher level is, the highest level is its own: no bit search.
  inline Task* pick_next() const;       // head of the highest non-empty ready list
  // pick_next() != current()
  __attribute__((always_inline)) bool need_switch() const {
    const Task* n = pick_next();
    return n != nullptr && n != current_;
  }
  Task* switch_next() {                 // commit: current() = pick_next(); returns it
    Task* n = pick_next();
    if (n != nullptr) current_ = n;
    return current_;
  }
  uint32_t ready_bitmap() const { return ready_bits_; }
  // Set whenever a ready list changes (insert, remove, rotation); the port clears it when it
  // asks need_switch() after a task-side call. Clear, need_switch() cannot have become true
  // since it was last asked (current() changes only through switch_next()), so the port skips
  // the question: the no-waiter give/take/send/receive calls never search the ready lists.
  bool take_ready_changed() {
    const bool c = ready_changed_;
    ready_changed_ = false;
    return c;
  }
  uint32_t task_count() const { return task_count_; }
  Tick now() const { return now_; }

  // ---- tasks ----
  Status task_create(Task* t, const TaskConfig& cfg);
  Status task_delete(Task* t);
  Status task_set_priority(Task* t, uint8_t prio);
  Status yield();                       // current to the tail of its priority level
  Status delay(Tick ticks);             // Blocked (or Ok for 0 = yield)
  Status wait_result(const Task* t) const { return t ? t->wait_status : Status::NullArg; }

  // ---- time and interrupts ----
  bool tick();                          // advance one tick; true if a switch is needed
  // Ticks until the earliest delay or timeout expires (>= 1), or kWaitForever if none: how long
  // a tickless idle may sleep.
  Tick next_wake_in() const;
  // Advance `ticks` (>= 1) ticks at once, for a tickless idle that slept: the clock jumps, then
  // one tick() expires what is due (a deadline the jump passed wakes late, never lost). Returns
  // what tick() returns. With ticks <= next_wake_in() it is exactly `ticks` calls of tick().
  bool advance(Tick ticks);
  void set_time_slicing(bool on) { time_slicing_ = on; }
  void isr_enter() { ++isr_nesting_; }
  bool isr_exit() {                     // true if the outermost exit must switch
    if (isr_nesting_ == 0) return false;
    return --isr_nesting_ == 0 && need_switch();
  }
  bool in_isr() const { return isr_nesting_ != 0; }

  // ---- counting semaphores ----
  Status sem_init(Semaphore* s, uint32_t initial, uint32_t max);
  Status sem_take(Semaphore* s, Tick timeout);
  Status sem_give(Semaphore* s);
  Status sem_give_from_isr(Semaphore* s, bool* switch_needed);
  Status sem_take_from_isr(Semaphore* s);

  // ---- mutexes with priority inheritance ----
  Status mutex_init(Mutex* m);
  Status mutex_lock(Mutex* m, Tick timeout);
  Status mutex_unlock(Mutex* m);

  // ---- queues (copy in / copy out, fixed item size, caller storage) ----
  Status queue_init(Queue* q, void* storage, size_t item_size, size_t capacity);
  Status queue_send(Queue* q, const void* item, Tick timeout);
  Status queue_receive(Queue* q, void* out, Tick timeout);
  Status queue_send_from_isr(Queue* q, const void* item, bool* switch_needed);
  Status queue_receive_from_isr(Queue* q, void* out, bool* switch_needed);

  // ---- event flags ----
  Status flags_init(EventFlags* f);
  Status flags_set(EventFlags* f, uint32_t bits);
  Status flags_set_from_isr(EventFlags* f, uint32_t bits, bool* switch_needed);
  Status flags_clear(EventFlags* f, uint32_t bits);
  Status flags_wait(EventFlags* f, uint32_t mask, uint8_t mode, Tick timeout, uint32_t* matched);

 private:
  Task* pick_highest() const;           // head of the highest non-empty level (bits != 0)
  void ready_insert(Task* t);
  void ready_remove(Task* t);
  static void wait_insert(List* wl, Task* t);
  void delay_insert(Task* t, Tick ticks);
  Status check_task_caller() const;
  static Status check_timeout(Tick timeout);
  // The common checks of every blocking call: object initialized, timeout in range, called
  // from a task (not an ISR, kernel started), and the idle task never asked to block.
  Status check_blocking_call(uint32_t magic, uint32_t want, Tick timeout) const;
  void block_current(List* wl, WaitKind kind, Tick timeout);
  bool wake(Task* t, Status st);       // true if t outranks the current task
  void set_effective_priority(Task* t, uint8_t p);
  static uint8_t inherited_priority(const Task* t);
  void propagate_priority(Task* t);
  void detach(Task* t);
  Status sem_give_common(Semaphore* s, bool* woke_higher);
  Status queue_send_common(Queue* q, const void* item, bool* woke_higher);
  Status queue_receive_common(Queue* q, void* out, bool* woke_higher);
  Status flags_set_common(EventFlags* f, uint32_t bits, bool* woke_higher);

  List ready_[kNumPriorities];
  List delayed_;
  uint32_t ready_bits_ = 0;
  Task* current_ = nullptr;
  Task* idle_ = nullptr;
  Tick now_ = 0;
  uint32_t task_count_ = 0;
  uint32_t isr_nesting_ = 0;
  bool time_slicing_ = true;
  bool initialized_ = false;
  bool ready_changed_ = false;
};

// Index of the highest set bit of a non-zero word, branch-bounded (no libgcc __clzsi2).
inline uint32_t highest_bit(uint32_t v) {
  uint32_t n = 0;
  if (v & 0xFFFF0000u) { n += 16; v >>= 16; }
  if (v & 0x0000FF00u) { n += 8; v >>= 8; }
  if (v & 0x000000F0u) { n += 4; v >>= 4; }
  if (v & 0x0000000Cu) { n += 2; v >>= 2; }
  if (v & 0x00000002u) { n += 1; }
  return n;
}

__attribute__((always_inline)) inline Task* Kernel::pick_next() const {
  const uint32_t bits = ready_bits_;
  if (bits == 0) return nullptr;
  const Task* c = current_;
  if (c != nullptr && c->state == TaskState::Ready && ((bits >> c->prio) >> 1) == 0)
    return ready_[c->prio].head.next->task;  // a ready task is on ready_[prio]: bit set
  return pick_highest();  // out of line: keeps the inlined fast path small
}

// Wrap-safe "a is at or after b" for ticks less than 2^31 apart.
inline bool tick_reached(Tick a, Tick b) { return static_cast<int32_t>(a - b) >= 0; }

}  // namespace shoal::rtos
