#include "shoal/rtos/stack.hpp"

namespace shoal::rtos {

void stack_fill(const Stack& s) {
  if (s.base == nullptr) return;
  for (size_t i = 0; i < s.words; ++i) s.base[i] = kStackFillPattern;
}

size_t stack_unused_words(const Stack& s) {
  if (s.base == nullptr) return 0;
  size_t n = 0;
  while (n < s.words && s.base[n] == kStackFillPattern) ++n;
  return n;
}

size_t stack_high_water_words(const Stack& s) { return s.words - stack_unused_words(s); }

bool stack_guard_intact(const Stack& s) {
  if (s.base == nullptr || s.words < kStackGuardWords) return false;
  for (size_t i = 0; i < kStackGuardWords; ++i)
    if (s.base[i] != kStackFillPattern) return false;
  return true;
}

bool stack_pointer_ok(const Stack& s, uintptr_t sp) {
  if (s.base == nullptr || s.words < kStackGuardWords) return false;
  const uintptr_t lo = reinterpret_cast<uintptr_t>(s.base + kStackGuardWords);
  const uintptr_t hi = reinterpret_cast<uintptr_t>(s.base + s.words);
  return sp >= lo && sp <= hi;
}

}  // namespace shoal::rtos
