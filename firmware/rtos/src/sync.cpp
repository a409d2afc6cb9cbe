// Synchronisation objects: counting semaphores, mutexes with priority inheritance, queues,
// event flags. Blocking calls return Status::Blocked after suspending the caller; the port
// switches away and, once the caller runs again, its result is wait_result(caller).
#include "kernel_internal.hpp"

namespace shoal::rtos {

// ---- semaphores ----------------------------------------------------------------------------

Status Kernel::sem_init(Semaphore* s, uint32_t initial, uint32_t max) {
  if (s == nullptr) return Status::NullArg;
  if (max == 0 || initial > max) return Status::BadArg;
  if (s->magic == kMagicSem && !s->waiters.empty()) return Status::Busy;
  s->waiters.init();
  s->count = initial;
  s->max = max;
  s->magic = kMagicSem;
  return Status::Ok;
}

Status Kernel::sem_take(Semaphore* s, Tick timeout) {
  if (s == nullptr) return Status::NullArg;
  Status st = check_blocking_call(s->magic, kMagicSem, timeout);
  if (st != Status::Ok) return st;
  if (s->count > 0) {
    --s->count;
    return Status::Ok;
  }
  if (timeout == kNoWait) return Status::Timeout;
  block_current(&s->waiters, WaitKind::Semaphore, timeout);
  return Status::Blocked;
}

Status Kernel::sem_take_from_isr(Semaphore* s) {
  if (s == nullptr) return Status::NullArg;
  if (s->magic != kMagicSem) return Status::NotInitialized;
  if (!in_isr()) return Status::WrongContext;
  if (s->count == 0) return Status::Timeout;
  --s->count;
  return Status::Ok;
}

__attribute__((always_inline)) inline Status Kernel::sem_give_common(Semaphore* s, bool* woke_higher) {
  if (!s->waiters.empty()) {
    if (wake(s->waiters.first_task(), Status::Ok)) *woke_higher = true;
    return Status::Ok;  // handed straight to the waiter; count stays 0
  }
  if (s->count >= s->max) return Status::Overflow;
  ++s->count;
  return Status::Ok;
}

Status Kernel::sem_give(Semaphore* s) {
  if (s == nullptr) return Status::NullArg;
  if (s->magic != kMagicSem) return Status::NotInitialized;
  if (in_isr()) return Status::WrongContext;
  bool woke = false;
  return sem_give_common(s, &woke);
}

Status Kernel::sem_give_from_isr(Semaphore* s, bool* switch_needed) {
  if (s == nullptr || switch_needed == nullptr) return Status::NullArg;
  if (s->magic != kMagicSem) return Status::NotInitialized;
  if (!in_isr()) return Status::WrongContext;
  return sem_give_common(s, switch_needed);
}

// ---- mutexes -------------------------------------------------------------------------------

Status Kernel::mutex_init(Mutex* m) {
  if (m == nullptr) return Status::NullArg;
  if (m->magic == kMagicMutex && (m->owner != nullptr || !m->waiters.empty()))
    return Status::Busy;
  m->waiters.init();
  m->owner = nullptr;
  m->next_held = nullptr;
  m->magic = kMagicMutex;
  return Status::Ok;
}

Status Kernel::mutex_lock(Mutex* m, Tick timeout) {
  if (m == nullptr) return Status::NullArg;
  Status st = check_blocking_call(m->magic, kMagicMutex, timeout);
  if (st != Status::Ok) return st;
  Task* cur = current_;
  if (m->owner == nullptr) {
    m->owner = cur;
    m->next_held = cur->held;
    cur->held = m;
    return Status::Ok;
  }
  if (m->owner == cur) return Status::Deadlock;  // not recursive
  // Refuse an ownership cycle: owner -> waits on -> owner ... reaching the caller.
  uint32_t guard = 0;
  for (Task* o = m->owner; o != nullptr && guard <= task_count_; ++guard) {
    if (o == cur) return Status::Deadlock;
    o = o->blocked_on != nullptr ? o->blocked_on->owner : nullptr;
  }
  if (timeout == kNoWait) return Status::Timeout;
  cur->blocked_on = m;
  block_current(&m->waiters, WaitKind::Mutex, timeout);
  propagate_priority(m->owner);  // lend our priority along the chain
  return Status::Blocked;
}

Status Kernel::mutex_unlock(Mutex* m) {
  if (m == nullptr) return Status::NullArg;
  if (m->magic != kMagicMutex) return Status::NotInitialized;
  Status st = check_task_caller();
  if (st != Status::Ok) return st;
  Task* cur = current_;
  if (m->owner != cur) return Status::NotOwner;
  // Unlink m from the caller's held list (any order of release is allowed).
  for (Mutex** pp = &cur->held; *pp != nullptr; pp = &(*pp)->next_held) {
    if (*pp == m) {
      *pp = m->next_held;
      break;
    }
  }
  m->next_held = nullptr;
  m->owner = nullptr;
  Task* w = m->waiters.first_task();
  if (w != nullptr) {
    // Hand ownership straight to the highest-priority waiter.
    m->owner = w;
    m->next_held = w->held;
    w->held = m;
    w->blocked_on = nullptr;  // it now owns m; not a waiter any more
    wake(w, Status::Ok);
    propagate_priority(w);    // inherits from the remaining waiters, if any
  }
  // Drop back to what the caller's remaining mutexes justify.
  set_effective_priority(cur, inherited_priority(cur));
  return Status::Ok;
}

// ---- queues --------------------------------------------------------------------------------

Status Kernel::queue_init(Queue* q, void* storage, size_t item_size, size_t capacity) {
  if (q == nullptr || storage == nullptr) return Status::NullArg;
  if (item_size == 0 || capacity == 0) return Status::BadArg;
  if (q->magic == kMagicQueue && (!q->senders.empty() || !q->receivers.empty()))
    return Status::Busy;
  q->senders.init();
  q->receivers.init();
  q->storage = static_cast<uint8_t*>(storage);
  q->item_size = item_size;
  q->capacity = capacity;
  q->count = q->head = q->tail = 0;
  q->magic = kMagicQueue;
  return Status::Ok;
}

// Non-blocking part of a send; Full if it cannot complete now.
__attribute__((always_inline)) inline Status Kernel::queue_send_common(Queue* q, const void* item, bool* woke_higher) {
  if (!q->receivers.empty()) {  // queue is empty: copy straight into the waiting receiver
    Task* r = q->receivers.first_task();
    copy_bytes(r->wait_buf, item, q->item_size);
    if (wake(r, Status::Ok)) *woke_higher = true;
    return Status::Ok;
  }
  if (q->count == q->capacity) return Status::Full;
  copy_bytes(q->storage + q->tail * q->item_size, item, q->item_size);
  if (++q->tail == q->capacity) q->tail = 0;
  ++q->count;
  return Status::Ok;
}

// Non-blocking part of a receive; Empty if nothing is there.
__attribute__((always_inline)) inline Status Kernel::queue_receive_common(Queue* q, void* out, bool* woke_higher) {
  if (q->count == 0) return Status::Empty;
  copy_bytes(out, q->storage + q->head * q->item_size, q->item_size);
  if (++q->head == q->capacity) q->head = 0;
  --q->count;
  if (!q->senders.empty()) {  // a slot freed: move the first blocked sender's item in
    Task* s = q->senders.first_task();
    copy_bytes(q->storage + q->tail * q->item_size, s->wait_buf, q->item_size);
    if (++q->tail == q->capacity) q->tail = 0;
    ++q->count;
    if (wake(s, Status::Ok)) *woke_higher = true;
  }
  return Status::Ok;
}

Status Kernel::queue_send(Queue* q, const void* item, Tick timeout) {
  if (q == nullptr || item == nullptr) return Status::NullArg;
  Status st = check_blocking_call(q->magic, kMagicQueue, timeout);
  if (st != Status::Ok) return st;
  bool woke = false;
  st = queue_send_common(q, item, &woke);
  if (st != Status::Full) return st;
  if (timeout == kNoWait) return Status::Full;
  current_->wait_buf = const_cast<void*>(item);  // read only, while the caller is blocked
  block_current(&q->senders, WaitKind::QueueSend, timeout);
  return Status::Blocked;
}

Status Kernel::queue_receive(Queue* q, void* out, Tick timeout) {
  if (q == nullptr || out == nullptr) return Status::NullArg;
  Status st = check_blocking_call(q->magic, kMagicQueue, timeout);
  if (st != Status::Ok) return st;
  bool woke = false;
  st = queue_receive_common(q, out, &woke);
  if (st != Status::Empty) return st;
  if (timeout == kNoWait) return Status::Empty;
  current_->wait_buf = out;
  block_current(&q->receivers, WaitKind::QueueReceive, timeout);
  return Status::Blocked;
}

Status Kernel::queue_send_from_isr(Queue* q, const void* item, bool* switch_needed) {
  if (q == nullptr || item == nullptr || switch_needed == nullptr) return Status::NullArg;
  if (q->magic != kMagicQueue) return Status::NotInitialized;
  if (!in_isr()) return Status::WrongContext;
  return queue_send_common(q, item, switch_needed);  // Full: the item is dropped, not stored
}

Status Kernel::queue_receive_from_isr(Queue* q, void* out, bool* switch_needed) {
  if (q == nullptr || out == nullptr || switch_needed == nullptr) return Status::NullArg;
  if (q->magic != kMagicQueue) return Status::NotInitialized;
  if (!in_isr()) return Status::WrongContext;
  return queue_receive_common(q, out, switch_needed);
}

// ---- event flags ---------------------------------------------------------------------------

namespace {
bool flags_satisfied(uint32_t bits, uint32_t mask, uint8_t mode) {
  return (mode & kFlagsAll) ? (bits & mask) == mask : (bits & mask) != 0;
}
}  // namespace

Status Kernel::flags_init(EventFlags* f) {
  if (f == nullptr) return Status::NullArg;
  if (f->magic == kMagicFlags && !f->waiters.empty()) return Status::Busy;
  f->waiters.init();
  f->bits = 0;
  f->magic = kMagicFlags;
  return Status::Ok;
}

Status Kernel::flags_set_common(EventFlags* f, uint32_t bits, bool* woke_higher) {
  f->bits |= bits;
  uint32_t to_clear = 0;
  ListNode* n = f->waiters.first();
  while (n != nullptr && n != f->waiters.end()) {
    ListNode* next = n->next;
    Task* t = n->task;
    if (flags_satisfied(f->bits, t->wait_bits, t->wait_mode)) {
      if (t->wait_buf != nullptr) *static_cast<uint32_t*>(t->wait_buf) = f->bits;
      if (t->wait_mode & kFlagsClear) to_clear |= t->wait_bits;
      if (wake(t, Status::Ok)) *woke_higher = true;
    }
    n = next;
  }
  f->bits &= ~to_clear;
  return Status::Ok;
}

Status Kernel::flags_set(EventFlags* f, uint32_t bits) {
  if (f == nullptr) return Status::NullArg;
  if (f->magic != kMagicFlags) return Status::NotInitialized;
  if (in_isr()) return Status::WrongContext;
  bool woke = false;
  return flags_set_common(f, bits, &woke);
}

Status Kernel::flags_set_from_isr(EventFlags* f, uint32_t bits, bool* switch_needed) {
  if (f == nullptr || switch_needed == nullptr) return Status::NullArg;
  if (f->magic != kMagicFlags) return Status::NotInitialized;
  if (!in_isr()) return Status::WrongContext;
  return flags_set_common(f, bits, switch_needed);
}

Status Kernel::flags_clear(EventFlags* f, uint32_t bits) {
  if (f == nullptr) return Status::NullArg;
  if (f->magic != kMagicFlags) return Status::NotInitialized;
  f->bits &= ~bits;
  return Status::Ok;
}

Status Kernel::flags_wait(EventFlags* f, uint32_t mask, uint8_t mode, Tick timeout,
                          uint32_t* matched) {
  if (f == nullptr) return Status::NullArg;
  if (f->magic != kMagicFlags) return Status::NotInitialized;
  if (mask == 0 || (mode & ~(kFlagsAll | kFlagsClear)) != 0) return Status::BadArg;
  Status st = check_blocking_call(f->magic, kMagicFlags, timeout);
  if (st != Status::Ok) return st;
  if (flags_satisfied(f->bits, mask, mode)) {
    if (matched != nullptr) *matched = f->bits;
    if (mode & kFlagsClear) f->bits &= ~mask;
    return Status::Ok;
  }
  if (timeout == kNoWait) return Status::Timeout;
  Task* cur = current_;
  cur->wait_bits = mask;
  cur->wait_mode = mode;
  cur->wait_buf = matched;
  block_current(&f->waiters, WaitKind::Flags, timeout);
  return Status::Blocked;
}

}  // namespace shoal::rtos
