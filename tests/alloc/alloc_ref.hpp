// Test/bench helpers around the ALLOC HLS reference: a model object, records that compare with
// the RTL's outputs, and a random command generator that keeps the pools under contention.
#pragma once

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "alloc/alloc.hpp"

namespace alloc_test {

namespace A = shoal::hls::alloc;

struct RespRec {
  uint32_t status = 0, granted = 0, reclaimed = 0, alloc = 0, floor = 0, cap = 0, free = 0,
           prio = 0;
  std::vector<uint32_t> victims;
  bool operator==(const RespRec&) const = default;
  std::string str() const {
    std::string s = "st=" + std::to_string(status) + " g=" + std::to_string(granted) +
                    " rc=" + std::to_string(reclaimed) + " a=" + std::to_string(alloc) +
                    " f=" + std::to_string(floor) + " c=" + std::to_string(cap) +
                    " free=" + std::to_string(free) + " pr=" + std::to_string(prio) + " v=[";
    for (auto v : victims) s += std::to_string(v) + ",";
    return s + "]";
  }
};

template <unsigned K, unsigned T>
struct Ref {
  A::State<K, T> st;
  A::Resp<K> resp;
  A::Events<K> evs;
  Ref() { A::alloc_reset<K, T>(st, A::kDefaultPools); }
  RespRec exec(uint64_t cmd, std::vector<uint64_t>* events = nullptr) {
    A::alloc_top<K, T>(cmd, st, resp, evs);
    RespRec r;
    r.status = resp.status;
    r.granted = resp.granted;
    r.reclaimed = resp.reclaimed;
    r.alloc = resp.alloc.to_u32();
    r.floor = resp.floor.to_u32();
    r.cap = resp.cap.to_u32();
    r.free = resp.free.to_u32();
    r.prio = resp.prio.to_u32();
    for (unsigned k = 0; k < K; ++k) r.victims.push_back(resp.victim[k].to_u32());
    if (events)
      for (uint32_t i = 0; i < evs.count; ++i) events->push_back(A::encode_event(evs.ev[i]));
    return r;
  }
};

inline uint64_t cmd(uint32_t op, uint32_t part, uint32_t type, uint32_t amount = 0,
                    bool partial = false, bool reclaim = false, uint32_t cap = 0,
                    uint32_t prio = 0) {
  A::Cmd c;
  c.op = op;
  c.part = part;
  c.type = type;
  c.amount = amount;
  c.partial = partial;
  c.reclaim = reclaim;
  c.cap = cap;
  c.prio = prio;
  return A::encode_cmd(c);
}

// Random commands that keep the allocator busy: requests sized to a fraction of the pool,
// releases of what is held, floors/caps that sometimes get refused, priority changes, and a
// few invalid commands. `hot` > 0 restricts to that many types and partitions (contention).
template <unsigned K, unsigned T>
struct Gen {
  std::mt19937_64 rng;
  unsigned hot_parts, hot_types;
  explicit Gen(uint64_t seed, unsigned parts = K, unsigned types = T)
      : rng(seed), hot_parts(parts), hot_types(types) {}
  uint32_t u(uint32_t n) { return static_cast<uint32_t>(rng() % n); }
  uint64_t next(const A::State<K, T>& st) {
    const uint32_t p = u(hot_parts), t = u(hot_types);
    const uint32_t pool = st.pool[t].to_u32();
    const uint32_t r = u(100);
    if (r < 45) {
      const uint32_t amt = 1 + u(pool / 3 + 1);
      return cmd(A::OP_REQUEST, p, t, amt, u(2), u(10) < 7);
    }
    if (r < 70) {
      const uint32_t held = st.alloc[p][t].to_u32();
      const uint32_t amt = u(8) == 0 ? held + 1 : 1 + u(held + 1);
      return cmd(A::OP_RELEASE, p, t, amt);
    }
    if (r < 82) {
      const uint32_t capv = u(4) == 0 ? pool : u(pool + 2);
      const uint32_t fl = u(3) == 0 ? 0 : u(pool / 2 + 1);
      return cmd(A::OP_SET_LIMITS, p, t, fl, false, false, capv);
    }
    if (r < 90) return cmd(A::OP_SET_PRIO, p, u(16), 0, false, false, 0, u(16));
    if (r < 95) return cmd(A::OP_QUERY, p, t);
    switch (u(4)) {
      case 0: return cmd(u(2) ? 0 : 6 + u(10), p, t, 1);
      case 1: return cmd(A::OP_REQUEST, K + u(256 - K), t, 1);
      case 2: return cmd(A::OP_REQUEST, p, T + u(16 - T), 1);
      default: return cmd(A::OP_REQUEST, p, t, 0);
    }
  }
};

}  // namespace alloc_test
