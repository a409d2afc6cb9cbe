// ALLOC HLS reference, C-simulation: directed tests of every status and reclaim rule, floor/cap
// edits and priority changes, and property tests over random streams with a checker that is
// independent of the implementation (it only compares state before and after each command).
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <vector>

#include "alloc_ref.hpp"

using namespace alloc_test;
namespace A = shoal::hls::alloc;

namespace {

constexpr unsigned K = 16, T = 8;
using R = Ref<K, T>;
constexpr uint32_t CPU = 0;  // pool 64

uint64_t req(uint32_t p, uint32_t t, uint32_t amt, bool partial = false, bool reclaim = false) {
  return cmd(A::OP_REQUEST, p, t, amt, partial, reclaim);
}
uint64_t rel(uint32_t p, uint32_t t, uint32_t amt) { return cmd(A::OP_RELEASE, p, t, amt); }
uint64_t lim(uint32_t p, uint32_t t, uint32_t fl, uint32_t cap) {
  return cmd(A::OP_SET_LIMITS, p, t, fl, false, false, cap);
}
uint64_t prio(uint32_t p, uint32_t pr) { return cmd(A::OP_SET_PRIO, p, 0, 0, false, false, 0, pr); }
uint64_t query(uint32_t p, uint32_t t) { return cmd(A::OP_QUERY, p, t); }

}  // namespace

TEST_CASE("alloc: reset state and query", "[alloc][hls]") {
  R m;
  for (unsigned t = 0; t < T; ++t) {
    auto r = m.exec(query(3, t));
    CHECK(r.status == A::ST_GRANTED);
    CHECK(r.alloc == 0);
    CHECK(r.floor == 0);
    CHECK(r.cap == A::kDefaultPools[t]);
    CHECK(r.free == A::kDefaultPools[t]);
  }
  CHECK(A::alloc_invariant_ok(m.st));
}

TEST_CASE("alloc: granted, partial, denied (cap), insufficient, invalid", "[alloc][hls]") {
  R m;
  std::vector<uint64_t> ev;
  auto r = m.exec(req(1, CPU, 10), &ev);
  CHECK(r.status == A::ST_GRANTED);
  CHECK(r.granted == 10);
  CHECK(r.alloc == 10);
  CHECK(r.free == 54);
  REQUIRE(ev.size() == 1);
  CHECK((ev[0] & 0xF) == A::EV_GRANT);
  CHECK(((ev[0] >> 8) & 0xFF) == 1);
  CHECK(((ev[0] >> 32) & 0xFFFF) == 10);

  // cap: partition 2 limited to 5
  CHECK(m.exec(lim(2, CPU, 0, 5)).status == A::ST_GRANTED);
  ev.clear();
  r = m.exec(req(2, CPU, 6), &ev);
  CHECK(r.status == A::ST_DENIED_CAP);
  CHECK(r.granted == 0);
  CHECK(ev.empty());
  r = m.exec(req(2, CPU, 6, true));
  CHECK(r.status == A::ST_PARTIAL);
  CHECK(r.granted == 5);
  r = m.exec(req(2, CPU, 1, true));  // at the cap: even a partial request is denied
  CHECK(r.status == A::ST_DENIED_CAP);

  // insufficient: 64 - 15 = 49 free
  r = m.exec(req(3, CPU, 50));
  CHECK(r.status == A::ST_INSUFFICIENT);
  CHECK(r.free == 49);
  r = m.exec(req(3, CPU, 50, true));
  CHECK(r.status == A::ST_PARTIAL);
  CHECK(r.granted == 49);
  CHECK(r.free == 0);
  r = m.exec(req(4, CPU, 1, true));  // nothing free, nothing reclaimable: partial cannot help
  CHECK(r.status == A::ST_INSUFFICIENT);

  // invalid arguments change nothing and emit nothing
  ev.clear();
  CHECK(m.exec(req(K, CPU, 1), &ev).status == A::ST_INVALID);
  CHECK(m.exec(req(1, T, 1), &ev).status == A::ST_INVALID);
  CHECK(m.exec(req(1, CPU, 0), &ev).status == A::ST_INVALID);
  CHECK(m.exec(cmd(0, 1, CPU, 1), &ev).status == A::ST_INVALID);
  CHECK(m.exec(cmd(9, 1, CPU, 1), &ev).status == A::ST_INVALID);
  CHECK(m.exec(rel(1, CPU, 11), &ev).status == A::ST_INVALID);
  CHECK(m.exec(rel(1, CPU, 0), &ev).status == A::ST_INVALID);
  CHECK(m.exec(lim(1, CPU, 6, 5), &ev).status == A::ST_INVALID);   // floor > cap
  CHECK(m.exec(lim(1, CPU, 0, 65), &ev).status == A::ST_INVALID);  // cap > pool
  CHECK(m.exec(prio(K, 3), &ev).status == A::ST_INVALID);
  r = m.exec(query(1, T));
  CHECK(r.status == A::ST_INVALID);
  CHECK(r.alloc == 0);
  CHECK(ev.empty());
  CHECK(m.exec(query(1, CPU)).alloc == 10);
  CHECK(A::alloc_invariant_ok(m.st));
}

TEST_CASE("alloc: release returns units and emits RELEASE", "[alloc][hls]") {
  R m;
  m.exec(req(5, 3, 100));
  std::vector<uint64_t> ev;
  auto r = m.exec(rel(5, 3, 40), &ev);
  CHECK(r.status == A::ST_GRANTED);
  CHECK(r.granted == 40);
  CHECK(r.alloc == 60);
  CHECK(r.free == 196);
  REQUIRE(ev.size() == 1);
  CHECK((ev[0] & 0xF) == A::EV_RELEASE);
  CHECK(((ev[0] >> 4) & 0xF) == 3);
}

TEST_CASE("alloc: reclaim only from strictly lower priority, above floors", "[alloc][hls]") {
  R m;
  // p1 prio 1, p2 prio 2, p3 prio 3 (requester), p4 prio 3 (equal), p5 prio 7 (higher)
  m.exec(prio(1, 1));
  m.exec(prio(2, 2));
  m.exec(prio(3, 3));
  m.exec(prio(4, 3));
  m.exec(prio(5, 7));
  m.exec(lim(1, CPU, 4, 64));
  m.exec(req(1, CPU, 10));  // excess 6
  m.exec(req(2, CPU, 10));  // excess 10
  m.exec(req(4, CPU, 20));  // equal priority: never
  m.exec(req(5, CPU, 24));  // higher priority: never. free = 0
  CHECK(m.exec(query(0, CPU)).free == 0);

  // without the reclaim flag: insufficient
  CHECK(m.exec(req(3, CPU, 5)).status == A::ST_INSUFFICIENT);

  // lowest priority first: 5 from p1 (excess 6)
  std::vector<uint64_t> ev;
  auto r = m.exec(req(3, CPU, 5, false, true), &ev);
  CHECK(r.status == A::ST_GRANTED);
  CHECK(r.victims[1] == 5);
  CHECK(r.victims[2] == 0);
  CHECK(r.reclaimed == 5);
  REQUIRE(ev.size() == 2);
  CHECK((ev[0] & 0xF) == A::EV_RECLAIM);
  CHECK(((ev[0] >> 8) & 0xFF) == 1);
  CHECK(((ev[0] >> 16) & 0xFF) == 3);
  CHECK(((ev[0] >> 32) & 0xFFFF) == 5);
  CHECK((ev[1] & 0xF) == A::EV_GRANT);

  // next: p1 has 1 above its floor, then p2 gives the rest; never below p1's floor
  ev.clear();
  r = m.exec(req(3, CPU, 8, false, true), &ev);
  CHECK(r.status == A::ST_GRANTED);
  CHECK(r.victims[1] == 1);
  CHECK(r.victims[2] == 7);
  REQUIRE(ev.size() == 3);
  CHECK(((ev[0] >> 8) & 0xFF) == 1);  // ascending partition index
  CHECK(((ev[1] >> 8) & 0xFF) == 2);
  CHECK(m.exec(query(1, CPU)).alloc == 4);

  // more than the reclaimable (3 left in p2): insufficient, or partial with the flag
  r = m.exec(req(3, CPU, 4, false, true));
  CHECK(r.status == A::ST_INSUFFICIENT);
  CHECK(r.reclaimed == 0);
  r = m.exec(req(3, CPU, 4, true, true));
  CHECK(r.status == A::ST_PARTIAL);
  CHECK(r.granted == 3);
  CHECK(r.victims[2] == 3);
  CHECK(m.exec(query(4, CPU)).alloc == 20);
  CHECK(m.exec(query(5, CPU)).alloc == 24);
  CHECK(A::alloc_invariant_ok(m.st));
}

TEST_CASE("alloc: free units are used before reclaim", "[alloc][hls]") {
  R m;
  m.exec(prio(2, 5));
  m.exec(req(1, CPU, 60));  // prio 0, free 4
  auto r = m.exec(req(2, CPU, 10, false, true));
  CHECK(r.status == A::ST_GRANTED);
  CHECK(r.victims[1] == 6);
  CHECK(r.free == 0);
}

TEST_CASE("alloc: reclaim tie-breaks: largest excess, then lowest index", "[alloc][hls]") {
  R m;
  m.exec(prio(9, 4));
  // equal priority 0: p3 excess 10, p6 excess 20, p7 excess 20, p1 excess 14 (= 20 - floor 6)
  m.exec(lim(1, CPU, 6, 64));
  m.exec(req(1, CPU, 20));
  m.exec(req(3, CPU, 10));
  m.exec(req(6, CPU, 20));
  m.exec(req(7, CPU, 14));  // free = 0; p7 excess 14 ties p1
  auto r = m.exec(req(9, CPU, 25, false, true));
  CHECK(r.victims[6] == 20);  // largest excess
  CHECK(r.victims[1] == 5);   // tie 14/14: lower index first
  CHECK(r.victims[7] == 0);
  CHECK(r.victims[3] == 0);
  // lowest priority before largest excess: p3 goes to prio 1 and holds the most excess now
  R n;
  n.exec(prio(9, 4));
  n.exec(prio(3, 1));
  n.exec(req(3, CPU, 40));
  n.exec(req(2, CPU, 24));  // prio 0, excess 24 < 40, free 0
  r = n.exec(req(9, CPU, 30, false, true));
  CHECK(r.victims[2] == 24);
  CHECK(r.victims[3] == 6);
}

TEST_CASE("alloc: floor/cap edits are refused and say which", "[alloc][hls]") {
  R m;
  m.exec(req(1, 1, 8));  // cache_ways pool 16
  std::vector<uint64_t> ev;
  auto r = m.exec(lim(1, 1, 0, 7), &ev);
  CHECK(r.status == A::ST_CAP_BELOW_ALLOC);
  CHECK(r.cap == 16);
  CHECK(ev.empty());
  CHECK(m.exec(lim(1, 1, 8, 8), &ev).status == A::ST_GRANTED);
  REQUIRE(ev.size() == 1);
  CHECK((ev[0] & 0xF) == A::EV_LIMITS);
  CHECK(((ev[0] >> 32) & 0xFFFF) == 8);
  CHECK(((ev[0] >> 48) & 0xFFFF) == 8);
  CHECK(m.exec(lim(2, 1, 8, 16)).status == A::ST_GRANTED);  // floors 16 = pool
  r = m.exec(lim(3, 1, 1, 16));
  CHECK(r.status == A::ST_FLOOR_SUM);
  CHECK(r.floor == 0);
  // both refusals apply: the cap is reported
  m.exec(req(3, 1, 4));
  CHECK(m.exec(lim(3, 1, 2, 3)).status == A::ST_CAP_BELOW_ALLOC);
  // lowering one's own floor makes room
  CHECK(m.exec(lim(2, 1, 7, 16)).status == A::ST_GRANTED);
  CHECK(m.exec(lim(3, 1, 1, 16)).status == A::ST_GRANTED);
  CHECK(A::alloc_invariant_ok(m.st));
}

TEST_CASE("alloc: priority changes take effect on the next command", "[alloc][hls]") {
  R m;
  m.exec(req(1, CPU, 64));
  CHECK(m.exec(req(2, CPU, 4, false, true)).status == A::ST_INSUFFICIENT);  // equal prio
  std::vector<uint64_t> ev;
  auto r = m.exec(prio(2, 1), &ev);
  CHECK(r.status == A::ST_GRANTED);
  CHECK(r.prio == 1);
  REQUIRE(ev.size() == 1);
  CHECK((ev[0] & 0xF) == A::EV_PRIO);
  CHECK(((ev[0] >> 32) & 0xF) == 1);
  CHECK(m.exec(req(2, CPU, 4, false, true)).victims[1] == 4);
  m.exec(prio(1, 15));
  CHECK(m.exec(req(2, CPU, 4, false, true)).status == A::ST_INSUFFICIENT);
}

// ---- property tests --------------------------------------------------------------------------

namespace {

// Checks one command against the state before and after it, using only the contract's rules.
template <unsigned K2, unsigned T2>
void check_step(const A::State<K2, T2>& pre, const A::State<K2, T2>& post, const A::Cmd& c,
                const RespRec& r, const std::vector<uint64_t>& ev, uint64_t n) {
  INFO("command #" << n << " op=" << c.op << " p=" << c.part << " t=" << c.type
                   << " amt=" << c.amount << " resp " << r.str());
  // invariant, caps, floors
  for (unsigned t = 0; t < T2; ++t) {
    uint32_t sum = post.free[t].to_u32(), fsum = 0;
    for (unsigned k = 0; k < K2; ++k) {
      sum += post.alloc[k][t].to_u32();
      fsum += post.floor[k][t].to_u32();
      REQUIRE(post.alloc[k][t].to_u32() <= post.cap[k][t].to_u32());
      REQUIRE(post.cap[k][t].to_u32() <= post.pool[t].to_u32());
    }
    REQUIRE(sum == post.pool[t].to_u32());
    REQUIRE(fsum <= post.pool[t].to_u32());
  }
  const bool changed_ok = r.status == A::ST_GRANTED || r.status == A::ST_PARTIAL;
  uint32_t reclaim_sum = 0;
  for (unsigned k = 0; k < K2; ++k) {
    for (unsigned t = 0; t < T2; ++t) {
      const uint32_t a0 = pre.alloc[k][t].to_u32(), a1 = post.alloc[k][t].to_u32();
      const bool mine = k == c.part && t == c.type;
      if (!mine && a1 != a0) {
        // only a reclaim of the requested type by a REQUEST may lower another partition
        REQUIRE(c.op == A::OP_REQUEST);
        REQUIRE(t == c.type);
        REQUIRE(a1 < a0);
        REQUIRE(pre.prio[k].to_u32() < pre.prio[c.part].to_u32());  // strictly lower
        REQUIRE(a1 >= pre.floor[k][t].to_u32());                   // never below a floor
        REQUIRE(c.reclaim);
        REQUIRE(r.victims[k] == a0 - a1);
        reclaim_sum += a0 - a1;
      } else if (!mine && t == c.type) {
        REQUIRE(r.victims[k] == 0);
      }
    }
  }
  REQUIRE(r.reclaimed == reclaim_sum);
  if (!changed_ok) {  // refusals change nothing and emit nothing
    for (unsigned k = 0; k < K2; ++k)
      for (unsigned t = 0; t < T2; ++t) {
        REQUIRE(post.alloc[k][t] == pre.alloc[k][t]);
        REQUIRE(post.floor[k][t] == pre.floor[k][t]);
        REQUIRE(post.cap[k][t] == pre.cap[k][t]);
      }
    REQUIRE(ev.empty());
  }
  if (c.op == A::OP_REQUEST && changed_ok) {
    const uint32_t t = c.type, p = c.part;
    const uint32_t got = post.alloc[p][t].to_u32() - pre.alloc[p][t].to_u32();
    REQUIRE(got == r.granted);
    REQUIRE(got > 0);
    if (r.status == A::ST_GRANTED) REQUIRE(got == c.amount);
    if (r.status == A::ST_PARTIAL) REQUIRE((c.partial && got < c.amount));
    if (reclaim_sum > 0) {
      REQUIRE(pre.free[t].to_u32() + reclaim_sum == got);  // free first, then reclaim
      // lowest priority first: a victim of priority q means every candidate of lower
      // priority was taken down to its floor
      for (unsigned v = 0; v < K2; ++v) {
        if (r.victims[v] == 0) continue;
        for (unsigned k = 0; k < K2; ++k)
          if (pre.prio[k] < pre.prio[v]) {
            const uint32_t a0 = pre.alloc[k][t].to_u32(), f0 = pre.floor[k][t].to_u32();
            REQUIRE(post.alloc[k][t].to_u32() <= (a0 > f0 ? f0 : a0));
          }
      }
    }
    REQUIRE(ev.size() == 1 + static_cast<size_t>(std::count_if(
                                 r.victims.begin(), r.victims.end(), [](uint32_t x) { return x != 0; })));
    REQUIRE((ev.back() & 0xF) == A::EV_GRANT);
  }
  if (c.op == A::OP_REQUEST && (r.status == A::ST_DENIED_CAP)) {
    REQUIRE(pre.alloc[c.part][c.type].to_u32() + c.amount > pre.cap[c.part][c.type].to_u32());
  }
  if (c.op == A::OP_RELEASE && changed_ok) {
    REQUIRE(pre.alloc[c.part][c.type].to_u32() - post.alloc[c.part][c.type].to_u32() == c.amount);
  }
}

template <unsigned K2, unsigned T2>
void run_property(uint64_t seed, unsigned n, unsigned parts, unsigned types) {
  Ref<K2, T2> m;
  Gen<K2, T2> g(seed, parts, types);
  std::vector<uint64_t> ev;
  for (unsigned i = 0; i < n; ++i) {
    const uint64_t w = g.next(m.st);
    const A::State<K2, T2> pre = m.st;
    ev.clear();
    const RespRec r = m.exec(w, &ev);
    check_step(pre, m.st, A::decode_cmd(w), r, ev, i);
  }
}

}  // namespace

TEST_CASE("alloc property: K=16 T=8, 4 seeds x 30k random operations", "[alloc][property]") {
  for (uint64_t seed : {1u, 2u, 3u, 4u}) {
    INFO("seed " << seed);
    run_property<16, 8>(seed, 30000, 16, 8);
  }
}

TEST_CASE("alloc property: K=4 T=4 high contention, 4 seeds x 25k", "[alloc][property]") {
  for (uint64_t seed : {11u, 12u, 13u, 14u}) {
    INFO("seed " << seed);
    run_property<4, 4>(seed, 25000, 4, 4);
  }
}

TEST_CASE("alloc property: K=64 T=8 on two types, 2 seeds x 10k", "[alloc][property]") {
  for (uint64_t seed : {21u, 22u}) {
    INFO("seed " << seed);
    run_property<64, 8>(seed, 10000, 64, 2);
  }
}
