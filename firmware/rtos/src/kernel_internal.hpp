// Kernel-private helpers shared by the sources.
#pragma once
#include "shoal/rtos/kernel.hpp"

namespace shoal::rtos {

constexpr uint32_t kMagicTask = 0x5441534Bu;   // "TASK"
constexpr uint32_t kMagicSem = 0x53454D41u;    // "SEMA"
constexpr uint32_t kMagicMutex = 0x4D555458u;  // "MUTX"
constexpr uint32_t kMagicQueue = 0x51554555u;  // "QUEU"
constexpr uint32_t kMagicFlags = 0x464C4147u;  // "FLAG"

// Argument/context checks of the task-side calls: inline (every call's prologue).
__attribute__((always_inline)) inline Status Kernel::check_task_caller() const {
  if (!initialized_ || current_ == nullptr) return Status::NotStarted;
  if (in_isr()) return Status::WrongContext;
  return Status::Ok;
}

__attribute__((always_inline)) inline Status Kernel::check_timeout(Tick timeout) {
  if (timeout != kWaitForever && timeout > kMaxTimeout) return Status::BadArg;
  return Status::Ok;
}

__attribute__((always_inline)) inline Status Kernel::check_blocking_call(uint32_t magic, uint32_t want,
                                                                   Tick timeout) const {
  if (magic != want) return Status::NotInitialized;
  Status st = check_timeout(timeout);
  if (st != Status::Ok) return st;
  st = check_task_caller();
  if (st != Status::Ok) return st;
  if (timeout != kNoWait && current_ == idle_) return Status::WrongContext;  // idle never blocks
  return Status::Ok;
}

inline void copy_bytes(void* dst, const void* src, size_t n) {
  // word copy when both ends and the size are word multiples (the common queue item)
  if (((reinterpret_cast<uintptr_t>(dst) | reinterpret_cast<uintptr_t>(src) | n) & 3u) == 0) {
    using Word = uint32_t __attribute__((may_alias));  // caller storage of any type
    auto* dw = static_cast<Word*>(dst);
    const auto* sw = static_cast<const Word*>(src);
    for (size_t i = 0; i < n / 4; ++i) dw[i] = sw[i];
    return;
  }
  auto* d = static_cast<uint8_t*>(dst);
  const auto* s = static_cast<const uint8_t*>(src);
  for (size_t i = 0; i < n; ++i) d[i] = s[i];
}

}  // namespace shoal::rtos
