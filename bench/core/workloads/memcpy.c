/* memcpy: word copy loop (4 KiB, unrolled by 4) then a byte copy (512 bytes). */
#include "bench.h"
static uint32_t src[1024], dst[1024];
static uint8_t bsrc[512], bdst[512];
void run(void) {
  for (int i = 0; i < 1024; ++i) src[i] = (uint32_t)i * 2654435761u;
  for (int i = 0; i < 512; ++i) bsrc[i] = (uint8_t)(i * 7);
  bench_begin();
  uint32_t* d = dst;
  const uint32_t* s = src;
  for (int i = 0; i < 1024; i += 4) {
    uint32_t a = s[i], b = s[i + 1], c = s[i + 2], e = s[i + 3];
    d[i] = a; d[i + 1] = b; d[i + 2] = c; d[i + 3] = e;
  }
  volatile uint8_t* bd = bdst;
  for (int i = 0; i < 512; ++i) bd[i] = bsrc[i];
  bench_end(dst[1023] ^ bdst[511]);
}
