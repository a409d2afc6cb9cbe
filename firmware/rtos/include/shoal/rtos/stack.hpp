// Task stack descriptor and fill-pattern checks. Stacks grow downwards: base is the lowest
// address (the end that overflows), base + words is the initial stack pointer.
#pragma once
#include <stddef.h>
#include <stdint.h>

namespace shoal::rtos {

constexpr uint32_t kStackFillPattern = 0xA5A5A5A5u;
constexpr size_t kStackGuardWords = 4;   // lowest words that must keep the pattern
constexpr size_t kStackMinWords = 32;    // smallest stack task_create accepts

struct Stack {
  uint32_t* base = nullptr;
  size_t words = 0;
};

// Fill the whole stack with kStackFillPattern.
void stack_fill(const Stack& s);
// Words at the bottom of the stack never written since stack_fill (high-water margin).
size_t stack_unused_words(const Stack& s);
// Words ever used (words - unused).
size_t stack_high_water_words(const Stack& s);
// The guard words at the bottom still hold the pattern (false: overflow happened).
// Inline: the port checks at every switch.
__attribute__((always_inline)) inline bool stack_guard_intact(const Stack& s) {
  static_assert(kStackGuardWords == 4, "unrolled below");
  const uint32_t* b = s.base;
  if (b == nullptr || s.words < kStackGuardWords) return false;
  return ((b[0] ^ kStackFillPattern) | (b[1] ^ kStackFillPattern) | (b[2] ^ kStackFillPattern) |
          (b[3] ^ kStackFillPattern)) == 0;
}
// sp lies within the usable part of the stack (above the guard, at most the top).
__attribute__((always_inline)) inline bool stack_pointer_ok(const Stack& s, uintptr_t sp) {
  if (s.base == nullptr || s.words < kStackGuardWords) return false;
  const uintptr_t lo = reinterpret_cast<uintptr_t>(s.base + kStackGuardWords);
  const uintptr_t hi = reinterpret_cast<uintptr_t>(s.base + s.words);
  return sp >= lo && sp <= hi;
}

}  // namespace shoal::rtos
