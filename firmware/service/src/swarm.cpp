// The swarm scheduler (shoal/service/swarm.hpp).
#include "shoal/service/swarm.hpp"

namespace shoal::service {
namespace {

uint32_t count_in_cluster(const SwarmView& v, uint32_t proc, uint32_t owner) {
  const uint32_t cs = v.cluster_size ? v.cluster_size : 1;
  const uint32_t base = proc / cs * cs;
  uint32_t n = 0;
  for (uint32_t x = base; x < base + cs && x < P; ++x) n += v.owner[x] == owner;
  return n;
}

uint32_t awake_in_cluster(const SwarmView& v, uint32_t proc) {
  const uint32_t cs = v.cluster_size ? v.cluster_size : 1;
  const uint32_t base = proc / cs * cs;
  uint32_t n = 0;
  for (uint32_t x = base; x < base + cs && x < P; ++x) n += v.owner[x] != kNone;
  return n;
}

// higher is better
uint32_t score(const SwarmView& v, uint32_t x, uint32_t from, uint32_t to) {
  const uint32_t cold = 255u - v.heat[x];
  if (to == kNone) {
    const uint32_t sparse = P - count_in_cluster(v, x, from);
    return sparse << 8 | cold;
  }
  const uint32_t affinity = count_in_cluster(v, x, to);
  const uint32_t awake = from == kNone ? awake_in_cluster(v, x) : 0;
  return affinity << 16 | cold << 8 | awake;
}

}  // namespace

uint32_t swarm_pick(const SwarmView& v, uint32_t from, uint32_t to, uint32_t n, uint64_t exclude,
                    uint8_t* out) {
  uint64_t taken = exclude;
  uint32_t got = 0;
  while (got < n) {
    uint32_t best = P, best_score = 0;
    for (uint32_t x = 0; x < P; ++x) {
      if (v.owner[x] != from || ((taken >> x) & 1u)) continue;
      const uint32_t s = score(v, x, from, to);
      if (best == P || s > best_score) {
        best = x;
        best_score = s;
      }
    }
    if (best == P) break;
    out[got++] = static_cast<uint8_t>(best);
    taken |= uint64_t{1} << best;
  }
  return got;
}

}  // namespace shoal::service
