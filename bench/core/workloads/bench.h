/* Benchmark workloads: measurement helpers. Each workload defines run(), which calls
   bench_begin() / bench_end() around its kernel; the harness reads bench_result. */
#ifndef SHOAL_BENCH_H
#define SHOAL_BENCH_H
#include <stdint.h>

struct bench_result_t {
  uint32_t cycles;
  uint32_t instret;
  uint32_t check;   /* a value computed by the kernel, so the work cannot be optimized away */
};
extern volatile struct bench_result_t bench_result;
volatile struct bench_result_t bench_result;

static uint32_t c0_, i0_;
static inline __attribute__((always_inline)) void bench_begin(void) {
  asm volatile("csrr %0, minstret; csrr %1, mcycle" : "=r"(i0_), "=r"(c0_));
}
static inline __attribute__((always_inline)) void bench_end(uint32_t check) {
  uint32_t c1, i1;
  asm volatile("csrr %0, mcycle; csrr %1, minstret" : "=r"(c1), "=r"(i1));
  bench_result.cycles = c1 - c0_;
  bench_result.instret = i1 - i0_;
  bench_result.check = check;
}
#endif
