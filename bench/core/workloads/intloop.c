/* Integer loop: ALU and branch heavy (a hash over a counter, with data-dependent branches). */
#include "bench.h"
#define N 4000
void run(void) {
  bench_begin();
  uint32_t h = 2166136261u, x = 1;
  for (uint32_t i = 0; i < N; ++i) {
    h = (h ^ i) + (h << 5) + (h >> 2);
    x = (x << 1) | (x >> 31);
    if (h & 4) h ^= x;
    else h += 0x9e37u;
    if ((int32_t)h < 0) x += 3;
  }
  bench_end(h ^ x);
}
