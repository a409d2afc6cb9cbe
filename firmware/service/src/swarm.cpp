// The swarm scheduler (shoal/service/swarm.hpp).
#include "shoal/service/swarm.hpp"

namespace shoal::service {
namespace {

// Per cluster, counted once per pick (the view does not change while it picks): processors
// owned by `from`, by `to`, and awake (owned by anyone). A candidate's score is then O(1).
struct ClusterCounts {
  uint8_t from[P], to[P], awake[P];
};

void count_clusters(const SwarmView& v, uint32_t from, uint32_t to, uint32_t cs, ClusterCounts* c) {
  for (uint32_t i = 0; i < P; ++i) c->from[i] = c->to[i] = c->awake[i] = 0;
  uint32_t cl = 0, in = 0;
  for (uint32_t x = 0; x < P; ++x) {
    const uint8_t o = v.owner[x];
    c->from[cl] += o == from;
    c->to[cl] += o == to;
    c->awake[cl] += o != kNone;
    if (++in == cs) {
      in = 0;
      ++cl;
    }
  }
}

// higher is better
uint32_t score(const SwarmView& v, const ClusterCounts& c, uint32_t cl, uint32_t x, uint32_t from, uint32_t to) {
  const uint32_t cold = 255u - v.heat[x];
  if (to == kNone) {
    const uint32_t sparse = P - c.from[cl];
    return sparse << 8 | cold;
  }
  const uint32_t affinity = c.to[cl];
  const uint32_t awake = from == kNone ? c.awake[cl] : 0;
  return affinity << 16 | cold << 8 | awake;
}

}  // namespace

uint32_t swarm_pick(const SwarmView& v, uint32_t from, uint32_t to, uint32_t n, uint64_t exclude,
                    uint8_t* out) {
  const uint32_t cs = v.cluster_size ? v.cluster_size : 1;
  ClusterCounts c;
  count_clusters(v, from, to, cs, &c);
  uint32_t taken[2] = {uint32_t(exclude), uint32_t(exclude >> 32)};  // no 64-bit shifts on RV32
  uint32_t got = 0;
  while (got < n) {
    uint32_t best = P, best_score = 0, cl = 0, in = 0;
    for (uint32_t x = 0; x < P; ++x) {
      if (v.owner[x] == from && !((taken[x >> 5] >> (x & 31u)) & 1u)) {
        const uint32_t s = score(v, c, cl, x, from, to);
        if (best == P || s > best_score) {
          best = x;
          best_score = s;
        }
      }
      if (++in == cs) {
        in = 0;
        ++cl;
      }
    }
    if (best == P) break;
    out[got++] = static_cast<uint8_t>(best);
    taken[best >> 5] |= 1u << (best & 31u);
  }
  return got;
}

}  // namespace shoal::service
