// Kernel-private helpers shared by the sources.
#pragma once
#include "shoal/rtos/kernel.hpp"

namespace shoal::rtos {

constexpr uint32_t kMagicTask = 0x5441534Bu;   // "TASK"
constexpr uint32_t kMagicSem = 0x53454D41u;    // "SEMA"
constexpr uint32_t kMagicMutex = 0x4D555458u;  // "MUTX"
constexpr uint32_t kMagicQueue = 0x51554555u;  // "QUEU"
constexpr uint32_t kMagicFlags = 0x464C4147u;  // "FLAG"

inline void copy_bytes(void* dst, const void* src, size_t n) {
  auto* d = static_cast<uint8_t*>(dst);
  const auto* s = static_cast<const uint8_t*>(src);
  for (size_t i = 0; i < n; ++i) d[i] = s[i];
}

}  // namespace shoal::rtos
