/* Small sort: insertion sort of 256 pseudo-random words. */
#include "bench.h"
#define N 256
static int32_t a[N];
void run(void) {
  uint32_t x = 12345;
  for (int i = 0; i < N; ++i) { x = x * 1103515245u + 12345u; a[i] = (int32_t)(x >> 1); }
  bench_begin();
  for (int i = 1; i < N; ++i) {
    int32_t v = a[i];
    int j = i - 1;
    while (j >= 0 && a[j] > v) { a[j + 1] = a[j]; --j; }
    a[j + 1] = v;
  }
  uint32_t ok = 1;
  for (int i = 1; i < N; ++i) ok &= (a[i - 1] <= a[i]);
  bench_end(ok);
}
