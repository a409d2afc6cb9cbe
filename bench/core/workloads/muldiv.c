/* Multiply/divide mix: one divide and one remainder per four multiplies. */
#include "bench.h"
#define N 500
void run(void) {
  uint32_t acc = 1, k = 7;
  bench_begin();
  for (uint32_t i = 1; i <= N; ++i) {
    uint32_t m = acc * 2654435761u;
    uint32_t h = (uint32_t)(((uint64_t)m * k) >> 32);
    int32_t sm = (int32_t)(m * 3u) * (int32_t)i;
    acc = m + h + (uint32_t)sm * 5u;
    acc += acc / (i | 1u);
    k = (k * 31u) % 1000003u + 1u;
  }
  bench_end(acc ^ k);
}
