// ALLOC equivalence: the Verilated RTL engine against the HLS reference on the same command
// streams (random across seeds, with and without back-pressure, plus directed corners such as
// back-to-back requests on one type every cycle). Responses, victim lists and events must be
// identical, in order. Also: the self-check's sticky error, and the fixed grant latency.
#include <catch2/catch.hpp>

#include <deque>
#include <random>
#include <vector>

#include "Valloc_engine_k16.h"
#include "Valloc_engine_k4.h"
#include "alloc_rtl_harness.hpp"

using namespace alloc_test;

namespace {

struct Mode {
  unsigned valid_pct;  // chance a new command is offered in a cycle
  unsigned resp_pct;   // chance resp_ready is high
  unsigned ev_pct;     // chance ev_ready is high
};

struct Stats {
  uint64_t status[16] = {};
  uint64_t reclaims = 0, multi_victim = 0, events = 0, stall_cycles = 0;
};

// Streams `cmds` commands from `next(state)` through both implementations and compares.
template <class V, unsigned K, unsigned T, class NextFn>
Stats equiv_run(uint64_t seed, unsigned cmds, Mode mode, NextFn next) {
  Harness<V, K> h;
  Ref<K, T> ref;
  std::mt19937_64 rng(seed ^ 0x5eedull);
  std::deque<RespRec> exp_resp;
  std::deque<uint64_t> exp_ev;
  std::vector<uint64_t> evbuf;
  unsigned issued = 0;
  uint64_t resps = 0, events = 0;
  Stats stats;
  bool have = false;
  uint64_t word = 0;
  const uint64_t limit = uint64_t{cmds} * (K + 4) * 8 + 1000;
  while (issued < cmds || !exp_resp.empty() || !exp_ev.empty()) {
    REQUIRE(h.cycles < limit);  // the engine never wedges
    if (!have && issued < cmds && rng() % 100 < mode.valid_pct) {
      word = next(ref.st);
      have = true;
    }
    const bool rr = rng() % 100 < mode.resp_pct;
    const bool er = rng() % 100 < mode.ev_pct;
    auto o = h.cycle(have, word, rr, er);
    if (o.accepted) {
      evbuf.clear();
      exp_resp.push_back(ref.exec(word, &evbuf));
      for (auto e : evbuf) exp_ev.push_back(e);
      have = false;
      ++issued;
    }
    if (o.resp) {
      INFO("seed " << seed << " response #" << resps << " cycle " << h.cycles);
      REQUIRE(!exp_resp.empty());
      INFO("rtl " << o.r.str() << "\nref " << exp_resp.front().str());
      REQUIRE(o.r == exp_resp.front());
      ++stats.status[o.r.status & 0xF];
      unsigned nv = 0;
      for (auto v : o.r.victims) nv += v != 0;
      stats.reclaims += nv > 0;
      stats.multi_victim += nv > 1;
      exp_resp.pop_front();
      ++resps;
    }
    if (o.ev) {
      INFO("seed " << seed << " event #" << events << " cycle " << h.cycles);
      REQUIRE(!exp_ev.empty());
      REQUIRE(o.ev_word == exp_ev.front());
      exp_ev.pop_front();
      ++events;
    }
    REQUIRE(h.m.inv_err_o == 0);
  }
  // nothing more comes out
  for (int i = 0; i < 8; ++i) {
    auto o = h.cycle(false, 0, true, true);
    REQUIRE(!o.resp);
    REQUIRE(!o.ev);
  }
  REQUIRE(resps == cmds);
  REQUIRE(A::alloc_invariant_ok(ref.st));
  stats.events = events;
  return stats;
}

// The random streams must reach every status and real reclaims, or they prove little.
void check_coverage(const Stats& s) {
  for (uint32_t st = A::ST_GRANTED; st <= A::ST_FLOOR_SUM; ++st) {
    INFO("status " << st);
    CHECK(s.status[st] > 0);
  }
  CHECK(s.reclaims > 50);
  CHECK(s.multi_victim > 5);
}

template <class V, unsigned K, unsigned T>
Stats equiv_random(uint64_t seed, unsigned cmds, Mode mode, unsigned parts, unsigned types) {
  Gen<K, T> g(seed, parts, types);
  return equiv_run<V, K, T>(seed, cmds, mode,
                            [&](const A::State<K, T>& st) { return g.next(st); });
}

constexpr Mode kFull{100, 100, 100};
constexpr Mode kStall{70, 60, 50};

}  // namespace

TEST_CASE("alloc equiv K=16 T=8: random streams at full rate", "[alloc][equiv]") {
  for (uint64_t seed : {101u, 102u, 103u})
    check_coverage(equiv_random<Valloc_engine_k16, 16, 8>(seed, 15000, kFull, 16, 8));
}

TEST_CASE("alloc equiv K=16 T=8: random streams with back-pressure", "[alloc][equiv]") {
  for (uint64_t seed : {201u, 202u})
    check_coverage(equiv_random<Valloc_engine_k16, 16, 8>(seed, 15000, kStall, 16, 8));
}

TEST_CASE("alloc equiv K=16 T=8: hot type, hot partitions", "[alloc][equiv]") {
  for (uint64_t seed : {301u, 302u})
    check_coverage(equiv_random<Valloc_engine_k16, 16, 8>(seed, 10000, kFull, 6, 1));
}

TEST_CASE("alloc equiv K=4 T=4: random streams", "[alloc][equiv]") {
  for (uint64_t seed : {401u, 402u})
    check_coverage(equiv_random<Valloc_engine_k4, 4, 4>(seed, 10000, kFull, 4, 4));
  for (uint64_t seed : {403u, 404u})
    check_coverage(equiv_random<Valloc_engine_k4, 4, 4>(seed, 10000, kStall, 4, 4));
}

TEST_CASE("alloc equiv: back-to-back requests on one type every cycle", "[alloc][equiv]") {
  // Priorities 0..15 by partition, then a burst where every cycle carries a REQUEST (with
  // reclaim) or RELEASE on type 0, each depending on the previous one's result.
  std::mt19937_64 rng(7);
  unsigned n = 0;
  auto next = [&](const A::State<16, 8>& st) -> uint64_t {
    const unsigned i = n++;
    if (i < 16) return cmd(A::OP_SET_PRIO, i, 0, 0, false, false, 0, i);
    if (i < 32) return cmd(A::OP_SET_LIMITS, i - 16, 0, (i % 3), false, false, 64);
    const uint32_t p = static_cast<uint32_t>(rng() % 16);
    if (rng() % 3 == 0 && st.alloc[p][0].to_u32() > 0)
      return cmd(A::OP_RELEASE, p, 0, 1 + static_cast<uint32_t>(rng() % st.alloc[p][0].to_u32()));
    return cmd(A::OP_REQUEST, p, 0, 1 + static_cast<uint32_t>(rng() % 12), rng() % 2, true);
  };
  equiv_run<Valloc_engine_k16, 16, 8>(7, 6000, kFull, next);
}

TEST_CASE("alloc equiv: state edits immediately followed by dependent requests", "[alloc][equiv]") {
  // prio / limits / release each followed in the next cycle by a command that depends on it
  const std::vector<uint64_t> seq = {
      cmd(A::OP_REQUEST, 1, 1, 16),                    // p1 takes every cache way
      cmd(A::OP_REQUEST, 2, 1, 2, false, true),        // equal prio: insufficient
      cmd(A::OP_SET_PRIO, 2, 0, 0, false, false, 0, 5),
      cmd(A::OP_REQUEST, 2, 1, 2, false, true),        // now reclaims 2 from p1
      cmd(A::OP_SET_LIMITS, 1, 1, 14, false, false, 16),
      cmd(A::OP_REQUEST, 2, 1, 1, true, true),         // p1 at its floor: insufficient
      cmd(A::OP_RELEASE, 2, 1, 2),
      cmd(A::OP_REQUEST, 3, 1, 2),                     // uses the released units
      cmd(A::OP_SET_LIMITS, 3, 1, 0, false, false, 1), // cap below alloc: refused
      cmd(A::OP_SET_LIMITS, 3, 1, 3, false, false, 4), // floor sum 17 > 16: refused
      cmd(A::OP_SET_PRIO, 0, 0, 0, false, false, 0, 15),
      cmd(A::OP_REQUEST, 0, 1, 16, true, true),        // partial: only 0 reclaimable above floors
      cmd(A::OP_QUERY, 1, 1),
      cmd(0xF, 1, 1, 1),
      cmd(A::OP_REQUEST, 200, 1, 1),
  };
  unsigned i = 0;
  for (Mode m : {kFull, kStall}) {
    i = 0;
    equiv_run<Valloc_engine_k16, 16, 8>(9, static_cast<unsigned>(seq.size()), m,
                                        [&](const A::State<16, 8>&) { return seq[i++]; });
  }
}

TEST_CASE("alloc rtl: grant latency is 2 cycles at full rate", "[alloc][equiv]") {
  Harness<Valloc_engine_k16, 16> h;
  std::deque<uint64_t> accepted_at;
  unsigned got = 0;
  for (unsigned c = 0; c < 200; ++c) {
    const bool v = c < 100;
    auto o = h.cycle(v, cmd(A::OP_REQUEST, c % 16, c % 8, 1), true, true);
    if (o.accepted) accepted_at.push_back(h.cycles - 1);
    if (o.resp) {
      REQUIRE(!accepted_at.empty());
      CHECK(h.cycles - 1 - accepted_at.front() == 2);
      accepted_at.pop_front();
      ++got;
    }
    if (v) CHECK(o.accepted);  // one command per cycle (single-event commands)
  }
  CHECK(got == 100);
}

TEST_CASE("alloc rtl: invariant self-check raises a sticky error", "[alloc][equiv]") {
  Harness<Valloc_engine_k16, 16> h;
  for (int i = 0; i < 20; ++i) h.cycle(true, cmd(A::OP_REQUEST, 1, i % 8, 3), true, true);
  CHECK(h.m.inv_err_o == 0);
  h.m.test_corrupt_i = 1;
  h.cycle(false, 0, true, true);
  h.m.test_corrupt_i = 0;
  for (int i = 0; i < 12; ++i) h.cycle(false, 0, true, true);
  CHECK(h.m.inv_err_o == 1);
  // repairing the state does not clear it: a RELEASE of the extra unit is impossible, but the
  // error stays set whatever follows
  for (int i = 0; i < 50; ++i) h.cycle(true, cmd(A::OP_QUERY, 1, 0), true, true);
  CHECK(h.m.inv_err_o == 1);
}
