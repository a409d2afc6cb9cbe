// Scheduler core: ready bitmap + per-priority FIFO lists, delay list, blocking/wake,
// priority inheritance bookkeeping, tasks.
#include "kernel_internal.hpp"

namespace shoal::rtos {

const char* status_name(Status s) {
  switch (s) {
    case Status::Ok: return "ok";
    case Status::Blocked: return "blocked";
    case Status::Timeout: return "timeout";
    case Status::Full: return "full";
    case Status::Empty: return "empty";
    case Status::NullArg: return "null-arg";
    case Status::BadArg: return "bad-arg";
    case Status::NotInitialized: return "not-initialized";
    case Status::WrongContext: return "wrong-context";
    case Status::NotOwner: return "not-owner";
    case Status::IsIdle: return "is-idle";
    case Status::Busy: return "busy";
    case Status::Overflow: return "overflow";
    case Status::Deadlock: return "deadlock";
    case Status::NotStarted: return "not-started";
  }
  return "?";
}

// ---- ready lists ---------------------------------------------------------------------------

void Kernel::ready_insert(Task* t) {
  ready_[t->prio].push_back(&t->sched_node);
  ready_bits_ |= 1u << t->prio;
  ready_changed_ = true;
}

void Kernel::ready_remove(Task* t) {
  List::remove(&t->sched_node);
  if (ready_[t->prio].empty()) ready_bits_ &= ~(1u << t->prio);
  ready_changed_ = true;
}

Task* Kernel::pick_highest() const { return ready_[highest_bit(ready_bits_)].head.next->task; }

// ---- wait and delay lists ------------------------------------------------------------------

void Kernel::wait_insert(List* wl, Task* t) {
  ListNode* pos = wl->first();
  while (pos != nullptr && pos != wl->end() && pos->task->prio >= t->prio) pos = pos->next;
  List::insert_before(pos == nullptr ? wl->end() : pos, &t->sched_node);
  t->wait_list = wl;
}

void Kernel::delay_insert(Task* t, Tick ticks) {
  t->wake_tick = now_ + ticks;
  ListNode* pos = delayed_.first();
  // Sorted by remaining time (wake - now), which is wrap-safe for remaining < 2^32.
  while (pos != nullptr && pos != delayed_.end() && (pos->task->wake_tick - now_) <= ticks)
    pos = pos->next;
  List::insert_before(pos == nullptr ? delayed_.end() : pos, &t->delay_node);
}

void Kernel::block_current(List* wl, WaitKind kind, Tick timeout) {
  Task* t = current_;
  ready_remove(t);
  t->state = TaskState::Blocked;
  t->wait_kind = kind;
  t->wait_status = Status::Blocked;
  if (wl != nullptr) wait_insert(wl, t);
  if (timeout != kWaitForever) delay_insert(t, timeout);
}

bool Kernel::wake(Task* t, Status st) {
  if (List::linked(&t->sched_node)) List::remove(&t->sched_node);
  t->wait_list = nullptr;
  if (List::linked(&t->delay_node)) List::remove(&t->delay_node);
  Mutex* m = t->blocked_on;
  t->blocked_on = nullptr;
  t->wait_kind = WaitKind::None;
  t->wait_status = st;
  t->state = TaskState::Ready;
  ready_insert(t);
  // A waiter that gave up may have been lending its priority to the owner.
  if (m != nullptr && m->owner != nullptr) propagate_priority(m->owner);
  return current_ == nullptr || t->prio > current_->prio;
}

// ---- priority inheritance ------------------------------------------------------------------

void Kernel::set_effective_priority(Task* t, uint8_t p) {
  if (t->prio == p) return;
  if (t->state == TaskState::Ready) {
    ready_remove(t);
    t->prio = p;
    ready_insert(t);
  } else if (t->wait_list != nullptr) {
    List* wl = t->wait_list;
    List::remove(&t->sched_node);
    t->prio = p;
    wait_insert(wl, t);
  } else {
    t->prio = p;
  }
}

uint8_t Kernel::inherited_priority(const Task* t) {
  uint8_t p = t->base_prio;
  for (const Mutex* m = t->held; m != nullptr; m = m->next_held) {
    const Task* w = m->waiters.first_task();  // highest-priority waiter
    if (w != nullptr && w->prio > p) p = w->prio;
  }
  return p;
}

void Kernel::propagate_priority(Task* t) {
  // Walk the chain owner -> mutex it waits on -> that mutex's owner ...; bounded by the
  // number of tasks (a chain cannot be longer; cycles are refused at lock time).
  for (uint32_t guard = 0; t != nullptr && guard <= task_count_; ++guard) {
    const uint8_t p = inherited_priority(t);
    if (p == t->prio) return;
    set_effective_priority(t, p);
    t = t->blocked_on != nullptr ? t->blocked_on->owner : nullptr;
  }
}

// ---- lifecycle -----------------------------------------------------------------------------

Status Kernel::init(Task* idle, const Stack& idle_stack, TaskEntry idle_entry, void* idle_arg,
                    Tick initial_tick) {
  if (idle == nullptr || idle_entry == nullptr || idle_stack.base == nullptr)
    return Status::NullArg;
  if (idle_stack.words < kStackMinWords) return Status::BadArg;
  for (auto& l : ready_) l.init();
  delayed_.init();
  ready_bits_ = 0;
  current_ = nullptr;
  now_ = initial_tick;
  task_count_ = 0;
  isr_nesting_ = 0;
  initialized_ = true;
  idle->magic = 0;
  TaskConfig cfg;
  cfg.name = "idle";
  cfg.entry = idle_entry;
  cfg.arg = idle_arg;
  cfg.priority = 0;
  cfg.stack = idle_stack;
  const Status st = task_create(idle, cfg);
  if (st != Status::Ok) {
    initialized_ = false;
    return st;
  }
  idle_ = idle;
  return Status::Ok;
}

Status Kernel::start() {
  if (!initialized_) return Status::NotInitialized;
  if (current_ != nullptr) return Status::Busy;
  current_ = pick_next();
  return Status::Ok;
}

Status Kernel::task_create(Task* t, const TaskConfig& cfg) {
  if (!initialized_) return Status::NotInitialized;
  if (t == nullptr || cfg.entry == nullptr || cfg.stack.base == nullptr) return Status::NullArg;
  if (cfg.priority >= kNumPriorities || cfg.stack.words < kStackMinWords) return Status::BadArg;
  if (t->magic == kMagicTask) return Status::Busy;  // already a live task
  if (in_isr()) return Status::WrongContext;
  *t = Task{};
  t->sched_node.task = t;
  t->delay_node.task = t;
  t->name = cfg.name;
  t->entry = cfg.entry;
  t->arg = cfg.arg;
  t->stack = cfg.stack;
  t->base_prio = t->prio = cfg.priority;
  t->state = TaskState::Ready;
  t->saved_sp = reinterpret_cast<uintptr_t>(cfg.stack.base + cfg.stack.words);
  t->magic = kMagicTask;
  stack_fill(cfg.stack);
  ready_insert(t);
  ++task_count_;
  return Status::Ok;
}

void Kernel::detach(Task* t) {
  if (t->state == TaskState::Ready) {
    ready_remove(t);
  } else {
    if (List::linked(&t->sched_node)) List::remove(&t->sched_node);
    if (List::linked(&t->delay_node)) List::remove(&t->delay_node);
  }
  t->wait_list = nullptr;
}

Status Kernel::task_delete(Task* t) {
  if (t == nullptr) return Status::NullArg;
  if (!initialized_ || t->magic != kMagicTask) return Status::NotInitialized;
  if (t == idle_) return Status::IsIdle;
  if (in_isr()) return Status::WrongContext;
  if (t->held != nullptr) return Status::Busy;  // would orphan a mutex
  Mutex* m = t->blocked_on;
  detach(t);
  t->blocked_on = nullptr;
  t->state = TaskState::Deleted;
  t->magic = 0;
  --task_count_;
  if (m != nullptr && m->owner != nullptr) propagate_priority(m->owner);
  return Status::Ok;  // if t was current, need_switch() is now true
}

Status Kernel::task_set_priority(Task* t, uint8_t prio) {
  if (t == nullptr) return Status::NullArg;
  if (!initialized_ || t->magic != kMagicTask) return Status::NotInitialized;
  if (prio >= kNumPriorities) return Status::BadArg;
  if (t == idle_) return Status::IsIdle;
  if (in_isr()) return Status::WrongContext;
  t->base_prio = prio;
  set_effective_priority(t, inherited_priority(t));
  if (t->blocked_on != nullptr && t->blocked_on->owner != nullptr)
    propagate_priority(t->blocked_on->owner);
  return Status::Ok;
}

Status Kernel::yield() {
  const Status st = check_task_caller();
  if (st != Status::Ok) return st;
  Task* t = current_;
  // Rotate within its level (the level stays non-empty: the bitmap is untouched); alone on
  // its level there is nothing to do.
  if (t->state == TaskState::Ready && ready_[t->prio].has_many()) {
    List::remove(&t->sched_node);
    ready_[t->prio].push_back(&t->sched_node);
    ready_changed_ = true;
  }
  return Status::Ok;
}

Status Kernel::delay(Tick ticks) {
  Status st = check_task_caller();
  if (st != Status::Ok) return st;
  if ((st = check_timeout(ticks)) != Status::Ok || ticks == kWaitForever) return Status::BadArg;
  if (current_ == idle_) return Status::WrongContext;
  if (ticks == 0) return yield();
  block_current(nullptr, WaitKind::Delay, ticks);
  return Status::Blocked;
}

// ---- time ----------------------------------------------------------------------------------

bool Kernel::tick() {
  ++now_;
  while (!delayed_.empty()) {
    Task* t = delayed_.first_task();
    if (!tick_reached(now_, t->wake_tick)) break;
    wake(t, t->wait_kind == WaitKind::Delay ? Status::Ok : Status::Timeout);
  }
  // Round-robin: a running task shares its level with others -> rotate, switch.
  if (time_slicing_ && current_ != nullptr && current_->state == TaskState::Ready &&
      ready_[current_->prio].has_many() && pick_next() == current_) {
    ready_remove(current_);
    ready_insert(current_);
  }
  return need_switch();
}

Tick Kernel::next_wake_in() const {
  if (delayed_.empty()) return kWaitForever;
  const Task* t = delayed_.first_task();
  const Tick left = t->wake_tick - now_;
  return (left == 0 || left > kMaxTimeout) ? 1 : left;  // due (or overdue): at the next tick
}

bool Kernel::advance(Tick ticks) {
  if (ticks == 0) return need_switch();
  now_ += ticks - 1;
  return tick();
}

}  // namespace shoal::rtos
