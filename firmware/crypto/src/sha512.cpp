// SHA-512, FIPS 180-4 sections 4.1.3 (functions), 5.1.2 (padding), 6.4 (computation).
#include "shoal/crypto/sha512.h"

#include <string.h>

namespace shoal::crypto {
namespace {

#include "sha512_consts.inc"

inline uint64_t rotr(uint64_t x, unsigned n) { return (x >> n) | (x << (64 - n)); }
inline uint64_t load_be64(const uint8_t* p) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | p[i];
  return v;
}
inline void store_be64(uint8_t* p, uint64_t v) {
  for (int i = 7; i >= 0; --i) {
    p[i] = uint8_t(v);
    v >>= 8;
  }
}

// One 128-byte block. The message schedule is kept as a rolling window of 16 words
// (W[t] for t >= 16 overwrites W[t - 16]), so the state stays small on the stack.
void compress(uint64_t h[8], const uint8_t* block) {
  uint64_t w[16];
  for (int t = 0; t < 16; ++t) w[t] = load_be64(block + 8 * t);
  uint64_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], hh = h[7];
  for (int t = 0; t < 80; ++t) {
    uint64_t wt;
    if (t < 16) {
      wt = w[t];
    } else {
      const uint64_t w15 = w[(t - 15) & 15], w2 = w[(t - 2) & 15];
      const uint64_t s0 = rotr(w15, 1) ^ rotr(w15, 8) ^ (w15 >> 7);
      const uint64_t s1 = rotr(w2, 19) ^ rotr(w2, 61) ^ (w2 >> 6);
      wt = w[t & 15] = w[t & 15] + s0 + w[(t - 7) & 15] + s1;
    }
    const uint64_t t1 = hh + (rotr(e, 14) ^ rotr(e, 18) ^ rotr(e, 41)) + ((e & f) ^ (~e & g)) + kK[t] + wt;
    const uint64_t t2 = (rotr(a, 28) ^ rotr(a, 34) ^ rotr(a, 39)) + ((a & b) ^ (a & c) ^ (b & c));
    hh = g;
    g = f;
    f = e;
    e = d + t1;
    d = c;
    c = b;
    b = a;
    a = t1 + t2;
  }
  h[0] += a;
  h[1] += b;
  h[2] += c;
  h[3] += d;
  h[4] += e;
  h[5] += f;
  h[6] += g;
  h[7] += hh;
}

}  // namespace

void sha512_init(Sha512& s) {
  for (int i = 0; i < 8; ++i) s.h[i] = kH0[i];
  s.bytes = 0;
  s.fill = 0;
}

void sha512_update(Sha512& s, const void* data, size_t len) {
  const uint8_t* p = static_cast<const uint8_t*>(data);
  s.bytes += len;
  if (s.fill) {
    size_t take = kSha512BlockBytes - s.fill;
    if (take > len) take = len;
    memcpy(s.buf + s.fill, p, take);
    s.fill += uint32_t(take);
    p += take;
    len -= take;
    if (s.fill < kSha512BlockBytes) return;
    compress(s.h, s.buf);
    s.fill = 0;
  }
  for (; len >= kSha512BlockBytes; len -= kSha512BlockBytes, p += kSha512BlockBytes) compress(s.h, p);
  if (len) {
    memcpy(s.buf, p, len);
    s.fill = uint32_t(len);
  }
}

void sha512_final(Sha512& s, uint8_t out[kSha512Bytes]) {
  // padding: 0x80, zeros, then the message length in bits as a 128-bit big-endian number
  const uint64_t bits_lo = s.bytes << 3, bits_hi = s.bytes >> 61;
  s.buf[s.fill++] = 0x80;
  if (s.fill > kSha512BlockBytes - 16) {
    memset(s.buf + s.fill, 0, kSha512BlockBytes - s.fill);
    compress(s.h, s.buf);
    s.fill = 0;
  }
  memset(s.buf + s.fill, 0, kSha512BlockBytes - 16 - s.fill);
  store_be64(s.buf + kSha512BlockBytes - 16, bits_hi);
  store_be64(s.buf + kSha512BlockBytes - 8, bits_lo);
  compress(s.h, s.buf);
  for (int i = 0; i < 8; ++i) store_be64(out + 8 * i, s.h[i]);
  sha512_init(s);
}

void sha512(const void* data, size_t len, uint8_t out[kSha512Bytes]) {
  Sha512 s;
  sha512_init(s);
  sha512_update(s, data, len);
  sha512_final(s, out);
}

}  // namespace shoal::crypto
