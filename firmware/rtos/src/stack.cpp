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

}  // namespace shoal::rtos
