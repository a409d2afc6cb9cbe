// The allocation service on the co-simulated card (issue 13), through the command queues:
// partitions and limits, the registry, requests and their fallbacks, reclaim by priority with
// the victims told, swaps, request vectors, memory regions on DRRM windows, the reactive
// policy on real WMU telemetry, a processor that never quiesces, and random operations checked
// against an independent model after every step.
#include <catch2/catch.hpp>

#include <fstream>
#include <random>
#include <set>
#include <thread>

#include "alloc.hpp"  // the ALLOC's HLS reference: the independent model of the allocator's rules
#include "service_helpers.hpp"

using namespace shoal::test;

namespace {
constexpr std::uint32_t kCpu = SHOAL_RES_CPU, kWays = SHOAL_RES_CACHE_WAYS, kBw = SHOAL_RES_MEM_BW,
                        kMem = SHOAL_RES_MEM_REGION, kLanes = SHOAL_RES_PCIE_LANES;
constexpr std::uint32_t kAdmin = SHOAL_QUEUE_ADMIN;
std::uint32_t pq(std::uint32_t p) { return SHOAL_QUEUE_PARTITION(p); }
}  // namespace

TEST_CASE("partitions: create, configure all or nothing, destroy returns everything", "[service]") {
  CardSim card;
  card.static_policy();
  Service s{card};
  Words c = s.create(SHOAL_OP_PART_CREATE_PARTITION_ANY, 3);
  REQUIRE(st(c) == SHOAL_ST_OK);
  CHECK(SHOAL_GET(c.data(), SHOAL_CPL_PART_CREATE_PARTITION) == 0);  // the lowest free one
  CHECK(st(s.create(0, 1)) == SHOAL_ST_EXISTS);
  CHECK(card.rd(SHOAL_ALLOC_PART_PRIO_ADDR_N(0)) == 3);
  // limits: floor <= cap <= pool; the floors of a type within its pool; all types or none
  CHECK(st(s.limits(0, kWays, 5, 4)) == SHOAL_ST_INVALID);
  CHECK(st(s.limits(0, kWays, 1, SHOAL_RES_CACHE_WAYS_UNITS + 1)) == SHOAL_ST_INVALID);
  CHECK(st(s.limits(0, kWays, SHOAL_RES_CACHE_WAYS_UNITS, SHOAL_RES_CACHE_WAYS_UNITS)) == SHOAL_ST_OK);
  REQUIRE(st(s.create(1, 2)) == SHOAL_ST_OK);
  Words fs = s.limits(1, kWays, 1, 4);
  CHECK(st(fs) == SHOAL_ST_FLOOR_SUM);
  CHECK(SHOAL_GET(fs.data(), SHOAL_CPL_PART_CONFIGURE_TYPE) == kWays);
  REQUIRE(st(s.limits(0, kWays, 0, SHOAL_RES_CACHE_WAYS_UNITS)) == SHOAL_ST_OK);
  REQUIRE(st(s.request(kAdmin, 1, kWays, 3)) == SHOAL_ST_OK);
  CHECK(st(s.limits(1, kWays, 0, 2)) == SHOAL_ST_CAP_BELOW_ALLOC);
  // two types at once, the second refused: the first is not set either
  Cmd two(SHOAL_OP_PART_CONFIGURE);
  CSET(two, SHOAL_OP_PART_CONFIGURE_PARTITION, 1);
  CSET(two, SHOAL_OP_PART_CONFIGURE_SET, SHOAL_OP_PART_CONFIGURE_SET_LIMITS);
  CSET(two, SHOAL_OP_PART_CONFIGURE_TYPES, (1u << kBw) | (1u << kWays));
  CSET_I(two, SHOAL_OP_PART_CONFIGURE_FLOOR, kBw, 7);
  CSET_I(two, SHOAL_OP_PART_CONFIGURE_CAP, kBw, 9);
  CSET_I(two, SHOAL_OP_PART_CONFIGURE_CAP, kWays, 1);  // below the 3 it holds
  CHECK(st(card.admin_call(two)) == SHOAL_ST_CAP_BELOW_ALLOC);
  CHECK(SHOAL_GET_I(s.query(1).data(), SHOAL_CPL_PART_QUERY_FLOOR, kBw) == 0);
  // thresholds: lo < hi
  CHECK(st(s.thresholds(1, 0x4000, 0x4000)) == SHOAL_ST_INVALID);
  CHECK(st(s.thresholds(1, 0xC000, 0x4000)) == SHOAL_ST_OK);
  CHECK(card.rd(SHOAL_WMU_HI_ADDR_N(1)) == 0xC000);
  // destroy: every unit back, processors to the idle pool, limits reset
  REQUIRE(st(s.request(kAdmin, 1, kCpu, 5)) == SHOAL_ST_OK);
  REQUIRE(card.drrm_mapped(1) == 5);
  Cmd d(SHOAL_OP_PART_DESTROY);
  CSET(d, SHOAL_OP_PART_DESTROY_PARTITION, 1);
  Words dr = card.admin_call(d);
  REQUIRE(st(dr) == SHOAL_ST_OK);
  CHECK(SHOAL_GET_I(dr.data(), SHOAL_CPL_PART_DESTROY_RELEASED, kCpu) == 5);
  CHECK(SHOAL_GET_I(dr.data(), SHOAL_CPL_PART_DESTROY_RELEASED, kWays) == 3);
  CHECK(card.drrm_mapped(1) == 0);
  CHECK(card.rd(SHOAL_ALLOC_POOL_FREE_ADDR_N(kCpu)) == SHOAL_RES_CPU_UNITS);
  CHECK(st(card.admin_call(d)) == SHOAL_ST_NO_PARTITION);
  CHECK(st(s.request(kAdmin, 1, kCpu, 1)) == SHOAL_ST_NO_PARTITION);
  s.require_invariants();
}

TEST_CASE("the registry lists every type; the built-in types are the card's", "[service]") {
  CardSim card;
  static const char* const names[] = SHOAL_RES_NAMES;
  static const unsigned units[] = SHOAL_RES_UNITS;
  for (std::uint32_t t = 0; t < SHOAL_PARAM_NUM_RESOURCE_TYPES; ++t) {
    Cmd q(SHOAL_OP_RES_QUERY);
    CSET(q, SHOAL_OP_RES_QUERY_TYPE, t);
    Words r = card.admin_call(q);
    REQUIRE(st(r) == SHOAL_ST_OK);
    char name[9] = {};
    const std::uint32_t n0 = SHOAL_GET_I(r.data(), SHOAL_CPL_RES_QUERY_NAME, 0),
                        n1 = SHOAL_GET_I(r.data(), SHOAL_CPL_RES_QUERY_NAME, 1);
    std::memcpy(name, &n0, 4);
    std::memcpy(name + 4, &n1, 4);
    if (t < SHOAL_RES_COUNT) {
      CHECK(SHOAL_GET(r.data(), SHOAL_CPL_RES_QUERY_STATE) == SHOAL_CPL_RES_QUERY_STATE_BUILTIN);
      CHECK(std::string(name) == std::string(names[t]).substr(0, 8));
      CHECK(SHOAL_GET(r.data(), SHOAL_CPL_RES_QUERY_UNITS) == units[t]);
      CHECK(SHOAL_GET(r.data(), SHOAL_CPL_RES_QUERY_FREE) == units[t]);
    }
  }
  // a built-in type is not retired; this card's slots are all built in, its ALLOC's pools fixed
  Cmd ret(SHOAL_OP_RES_RETIRE);
  CSET(ret, SHOAL_OP_RES_RETIRE_TYPE, kWays);
  CHECK(st(card.admin_call(ret)) == SHOAL_ST_INVALID);
  Cmd reg(SHOAL_OP_RES_REGISTER);
  const char nm[8] = {'g', 'p', 'u', 0, 0, 0, 0, 0};
  std::uint32_t w0, w1;
  std::memcpy(&w0, nm, 4);
  std::memcpy(&w1, nm + 4, 4);
  CSET_I(reg, SHOAL_OP_RES_REGISTER_NAME, 0, w0);
  CSET_I(reg, SHOAL_OP_RES_REGISTER_NAME, 1, w1);
  CSET(reg, SHOAL_OP_RES_REGISTER_UNITS, 8);
  const std::uint32_t rs = st(card.admin_call(reg));
  CHECK((rs == SHOAL_ST_NO_SPACE || rs == SHOAL_ST_UNSUPPORTED));
  CSET_I(reg, SHOAL_OP_RES_REGISTER_NAME, 0, 0x41414141);  // "AAAA": not [a-z0-9_]
  CHECK(st(card.admin_call(reg)) == SHOAL_ST_INVALID);
}

TEST_CASE("requests: grants, partial grants, caps, and reclaim only from lower priority above floors",
          "[service]") {
  CardSim card;
  card.static_policy();
  Service s{card};
  REQUIRE(st(s.create(0, 1)) == SHOAL_ST_OK);   // low
  REQUIRE(st(s.create(1, 1)) == SHOAL_ST_OK);   // low, same as 0
  REQUIRE(st(s.create(2, 9)) == SHOAL_ST_OK);   // high
  REQUIRE(st(s.limits(0, kWays, 2, 16)) == SHOAL_ST_OK);
  REQUIRE(st(s.limits(2, kWays, 0, 12)) == SHOAL_ST_OK);
  Words g = s.request(pq(0), 0, kWays, 6);
  REQUIRE(st(g) == SHOAL_ST_OK);
  CHECK(SHOAL_GET(g.data(), SHOAL_CPL_REQUEST_GRANTED) == 6);
  CHECK(SHOAL_GET(g.data(), SHOAL_CPL_REQUEST_HELD) == 6);
  REQUIRE(st(s.request(pq(1), 1, kWays, 6)) == SHOAL_ST_OK);
  // 4 free: a request for 8 is short; partial takes the 4; over the cap is DENIED_CAP
  CHECK(st(s.request(pq(2), 2, kWays, 8)) == SHOAL_ST_INSUFFICIENT);
  CHECK(st(s.request(pq(2), 2, kWays, 13)) == SHOAL_ST_DENIED_CAP);
  Words p = s.request(pq(2), 2, kWays, 8, SHOAL_REQ_ALLOW_PARTIAL);
  CHECK(st(p) == SHOAL_ST_PARTIAL);
  CHECK(SHOAL_GET(p.data(), SHOAL_CPL_REQUEST_GRANTED) == 4);
  // seed 002's allocateResource with reclaim: from the lower-priority partitions, above floors
  // (0 keeps its floor of 2), the largest excess first, then the lowest index
  Words r = s.request(pq(2), 2, kWays, 8, SHOAL_REQ_ALLOW_RECLAIM);
  REQUIRE(st(r) == SHOAL_ST_OK);
  CHECK(SHOAL_GET(r.data(), SHOAL_CPL_REQUEST_GRANTED) == 8);
  CHECK(SHOAL_GET(r.data(), SHOAL_CPL_REQUEST_RECLAIMED) == 8);
  CHECK(s.held(2, kWays) == 12);
  CHECK(s.held(0, kWays) + s.held(1, kWays) == 4);
  CHECK(s.held(0, kWays) >= 2);
  // each victim was told on its own queue what it lost and to whom
  std::uint32_t told = 0;
  for (std::uint32_t v : {0u, 1u}) {
    for (const Words& ev : s.events_of(pq(v), SHOAL_EV_KIND_RECLAIMED)) {
      CHECK(SHOAL_GET(ev.data(), SHOAL_EV_PARTITION) == v);
      CHECK(SHOAL_GET(ev.data(), SHOAL_EV_OTHER) == 2);
      CHECK(SHOAL_GET(ev.data(), SHOAL_EV_TYPE) == kWays);
      told += SHOAL_GET(ev.data(), SHOAL_EV_AMOUNT);
    }
  }
  CHECK(told == 8);
  // never from equal or higher priority: 1 (prio 1) cannot take from 0 (prio 1) nor 2
  CHECK(st(s.request(pq(1), 1, kWays, 4, SHOAL_REQ_ALLOW_RECLAIM)) == SHOAL_ST_INSUFFICIENT);
  // releasing more than it holds is INVALID; a release frees units
  CHECK(st(s.release(pq(1), 1, kWays, 50)) == SHOAL_ST_INVALID);
  REQUIRE(st(s.release(pq(2), 2, kWays, 12)) == SHOAL_ST_OK);
  CHECK(card.rd(SHOAL_ALLOC_POOL_FREE_ADDR_N(kWays)) == 12);
  // processors: the CPU grant and the DRRM map move together
  REQUIRE(st(s.request(pq(0), 0, kCpu, 40)) == SHOAL_ST_OK);
  REQUIRE(st(s.request(pq(1), 1, kCpu, 20)) == SHOAL_ST_OK);
  Words rc = s.request(pq(2), 2, kCpu, 10, SHOAL_REQ_ALLOW_RECLAIM);
  REQUIRE(st(rc) == SHOAL_ST_OK);
  CHECK(SHOAL_GET(rc.data(), SHOAL_CPL_REQUEST_RECLAIMED) == 6);
  CHECK(card.drrm_mapped(2) == 10);
  s.require_invariants();
  // the audit log has the grants and reclaims, actor = the queue that asked
  unsigned reclaims = 0;
  for (const auto& a : s.audit()) {
    if (a.kind == SHOAL_AUDIT_KIND_RECLAIM && a.rtype == kCpu) {
      CHECK(a.part2 == 2);
      CHECK(a.actor == pq(2));
      reclaims += a.amount;
    }
  }
  CHECK(reclaims == 6);
}

TEST_CASE("swap moves units in one step and never below the giver's floor", "[service]") {
  CardSim card;
  card.static_policy();
  Service s{card};
  REQUIRE(st(s.create(0, 2)) == SHOAL_ST_OK);
  REQUIRE(st(s.create(1, 2)) == SHOAL_ST_OK);
  REQUIRE(st(s.request(kAdmin, 0, kCpu, 6)) == SHOAL_ST_OK);
  REQUIRE(st(s.limits(0, kCpu, 2, 64)) == SHOAL_ST_OK);
  REQUIRE(st(s.limits(1, kCpu, 0, 3)) == SHOAL_ST_OK);
  CHECK(st(s.swap(0, 1, kCpu, 4)) == SHOAL_ST_DENIED_CAP);
  CHECK(st(s.swap(0, 1, kCpu, 5)) == SHOAL_ST_INSUFFICIENT);  // would leave 1 < floor 2
  Words w = s.swap(0, 1, kCpu, 3);
  REQUIRE(st(w) == SHOAL_ST_OK);
  CHECK(SHOAL_GET(w.data(), SHOAL_CPL_SWAP_MOVED) == 3);
  CHECK(card.drrm_mapped(0) == 3);
  CHECK(card.drrm_mapped(1) == 3);
  CHECK(st(s.swap(0, 0, kCpu, 1)) == SHOAL_ST_INVALID);
  CHECK(st(s.swap(0, 1, kMem, 1)) == SHOAL_ST_INVALID);
  s.require_invariants();
  bool audited = false;
  for (const auto& a : s.audit()) audited |= a.kind == SHOAL_AUDIT_KIND_SWAP && a.part == 0 && a.part2 == 1 && a.amount == 3;
  CHECK(audited);
}

TEST_CASE("request vectors: all types or none (seed 003)", "[service]") {
  CardSim card;
  card.static_policy();
  Service s{card};
  REQUIRE(st(s.create(0, 1)) == SHOAL_ST_OK);
  REQUIRE(st(s.create(1, 8)) == SHOAL_ST_OK);
  auto vec = [&](std::uint32_t p, std::uint32_t cpu, std::uint32_t bw, std::uint32_t lanes, std::uint32_t flags) {
    Cmd c(SHOAL_OP_REQUEST_VECTOR);
    CSET(c, SHOAL_OP_REQUEST_VECTOR_PARTITION, p);
    CSET(c, SHOAL_OP_REQUEST_VECTOR_FLAGS, flags);
    CSET_I(c, SHOAL_OP_REQUEST_VECTOR_AMOUNT, kCpu, cpu);
    CSET_I(c, SHOAL_OP_REQUEST_VECTOR_AMOUNT, kBw, bw);
    CSET_I(c, SHOAL_OP_REQUEST_VECTOR_AMOUNT, kLanes, lanes);
    return card.call(pq(p), c);
  };
  Words a = vec(0, 8, 100, 30, 0);
  REQUIRE(st(a) == SHOAL_ST_OK);
  CHECK(SHOAL_GET_I(a.data(), SHOAL_CPL_REQUEST_VECTOR_GRANTED, kBw) == 100);
  CHECK(card.drrm_mapped(0) == 8);
  // lanes are short (2 left): nothing of the vector is applied, the contention is logged
  Words b = vec(1, 4, 10, 4, 0);
  CHECK(st(b) == SHOAL_ST_THROTTLED);
  CHECK(s.held(1, kCpu) == 0);
  CHECK(s.held(1, kBw) == 0);
  bool logged = false;
  for (const auto& r : s.audit()) logged |= r.kind == SHOAL_AUDIT_KIND_THROTTLED && r.part == 1 && r.amount == 4;
  CHECK(logged);
  // with reclaim from the lower priority it is met in full
  Words c = vec(1, 4, 10, 4, SHOAL_REQ_ALLOW_RECLAIM);
  REQUIRE(st(c) == SHOAL_ST_OK);
  CHECK(s.held(1, kLanes) == 4);
  CHECK(s.held(0, kLanes) == 28);
  CHECK(st(vec(1, 1, 0, 0, SHOAL_REQ_ALLOW_PARTIAL)) == SHOAL_ST_INVALID);  // a vector is all or nothing
  CHECK(st(vec(1, 0, 0, 0, 0)) == SHOAL_ST_INVALID);
  s.require_invariants();
}

TEST_CASE("when short: postpone (then granted, or expired), negotiate, acquire elsewhere; cancel",
          "[service]") {
  CardSim card;
  card.static_policy();
  Service s{card};
  REQUIRE(st(s.create(0, 1)) == SHOAL_ST_OK);
  REQUIRE(st(s.create(1, 5)) == SHOAL_ST_OK);
  REQUIRE(st(s.request(pq(0), 0, kWays, 14)) == SHOAL_ST_OK);  // 2 left
  // POSTPONE: waits; a release of 0 grants it, with a GRANTED event on its queue
  Words p = s.request(pq(1), 1, kWays, 4, SHOAL_REQ_POSTPONE, 60000000);
  REQUIRE(st(p) == SHOAL_ST_POSTPONED);
  const std::uint32_t id = SHOAL_GET(p.data(), SHOAL_CPL_REQUEST_REQUEST);
  CHECK(id != 0);
  CHECK(SHOAL_GET(s.query(1).data(), SHOAL_CPL_PART_QUERY_PENDING) == 1);
  REQUIRE(st(s.release(pq(0), 0, kWays, 6)) == SHOAL_ST_OK);
  Words ev = s.events_of(pq(1), SHOAL_EV_KIND_GRANTED, 2000).at(0);
  CHECK(SHOAL_GET(ev.data(), SHOAL_EV_REQUEST) == id);
  CHECK(SHOAL_GET(ev.data(), SHOAL_EV_AMOUNT) == 4);
  CHECK(s.held(1, kWays) == 4);
  // one that expires: a short deadline, nobody releases
  Words e = s.request(pq(1), 1, kWays, 12, SHOAL_REQ_POSTPONE, 200);  // 200 us of card time
  REQUIRE(st(e) == SHOAL_ST_POSTPONED);
  const std::uint32_t eid = SHOAL_GET(e.data(), SHOAL_CPL_REQUEST_REQUEST);
  Words ex = s.events_of(pq(1), SHOAL_EV_KIND_EXPIRED, 20000).at(0);
  CHECK(SHOAL_GET(ex.data(), SHOAL_EV_REQUEST) == eid);
  CHECK(s.held(1, kWays) == 4);
  // cancel
  Words c = s.request(pq(1), 1, kWays, 12, SHOAL_REQ_POSTPONE, 60000000);
  REQUIRE(st(c) == SHOAL_ST_POSTPONED);
  Cmd cc(SHOAL_OP_CANCEL);
  CSET(cc, SHOAL_OP_CANCEL_PARTITION, 1);
  CSET(cc, SHOAL_OP_CANCEL_REQUEST, SHOAL_GET(c.data(), SHOAL_CPL_REQUEST_REQUEST));
  CHECK(st(card.call(pq(1), cc)) == SHOAL_ST_OK);
  CHECK(st(card.call(pq(1), cc)) == SHOAL_ST_NOT_FOUND);
  CHECK(SHOAL_GET(s.query(1).data(), SHOAL_CPL_PART_QUERY_PENDING) == 0);
  // NEGOTIATE: what is free now, and the holders above their floors asked to give back
  Words n = s.request(pq(1), 1, kWays, 10, SHOAL_REQ_NEGOTIATE);
  CHECK(st(n) == SHOAL_ST_NEGOTIATING);
  CHECK(SHOAL_GET(n.data(), SHOAL_CPL_REQUEST_GRANTED) == 4);
  Words gb = s.events_of(pq(0), SHOAL_EV_KIND_GIVE_BACK).at(0);
  CHECK(SHOAL_GET(gb.data(), SHOAL_EV_AMOUNT) == 6);
  CHECK(SHOAL_GET(gb.data(), SHOAL_EV_OTHER) == 1);
  // ELSEWHERE: nothing here, the admin queue is told (the broker or fabric manager acts)
  Words w = s.request(pq(1), 1, kWays, 5, SHOAL_REQ_ELSEWHERE);
  CHECK(st(w) == SHOAL_ST_ELSEWHERE);
  Words adm = s.events_of(kAdmin, SHOAL_EV_KIND_ELSEWHERE).at(0);
  CHECK(SHOAL_GET(adm.data(), SHOAL_EV_PARTITION) == 1);
  CHECK(SHOAL_GET(adm.data(), SHOAL_EV_AMOUNT) == 5);
  // two fallbacks at once are INVALID
  CHECK(st(s.request(pq(1), 1, kWays, 5, SHOAL_REQ_ELSEWHERE | SHOAL_REQ_POSTPONE)) == SHOAL_ST_INVALID);
  s.require_invariants();
}

TEST_CASE("memory regions: contiguous, mapped into the partition's DRRM window, unmapped first",
          "[service]") {
  CardSim card;
  card.static_policy();
  Service s{card};
  REQUIRE(st(s.create(3, 1)) == SHOAL_ST_OK);
  REQUIRE(st(s.create(4, 1)) == SHOAL_ST_OK);
  Words a = s.request(pq(3), 3, kMem, 10);
  REQUIRE(st(a) == SHOAL_ST_OK);
  CHECK(SHOAL_GET(a.data(), SHOAL_CPL_REQUEST_BASE) == SHOAL_PARAM_MEM_BASE);
  CHECK(SHOAL_GET(a.data(), SHOAL_CPL_REQUEST_SIZE) == 10 * SHOAL_PARAM_MEM_CHUNK_BYTES);
  CHECK(card.rd(SHOAL_DRRM_WIN_BASE_ADDR_N(3)) == SHOAL_PARAM_MEM_BASE);
  CHECK(card.rd(SHOAL_DRRM_WIN_SIZE_ADDR_N(3)) == 10 * SHOAL_PARAM_MEM_CHUNK_BYTES);
  CHECK(card.rd(SHOAL_DRRM_WIN_PERM_ADDR_N(3)) == 3);
  Words b = s.request(pq(4), 4, kMem, 5);
  REQUIRE(st(b) == SHOAL_ST_OK);
  CHECK(SHOAL_GET(b.data(), SHOAL_CPL_REQUEST_BASE) == SHOAL_PARAM_MEM_BASE + 10 * SHOAL_PARAM_MEM_CHUNK_BYTES);
  // 3 cannot grow in place (4's region follows): refused, nothing changes
  CHECK(st(s.request(pq(3), 3, kMem, 1)) == SHOAL_ST_INSUFFICIENT);
  CHECK(card.rd(SHOAL_DRRM_WIN_SIZE_ADDR_N(3)) == 10 * SHOAL_PARAM_MEM_CHUNK_BYTES);
  // 4 can
  Words g = s.request(pq(4), 4, kMem, 2);
  REQUIRE(st(g) == SHOAL_ST_OK);
  CHECK(SHOAL_GET(g.data(), SHOAL_CPL_REQUEST_SIZE) == 7 * SHOAL_PARAM_MEM_CHUNK_BYTES);
  // release shrinks from the end; releasing everything closes the window
  REQUIRE(st(s.release(pq(3), 3, kMem, 4)) == SHOAL_ST_OK);
  CHECK(card.rd(SHOAL_DRRM_WIN_SIZE_ADDR_N(3)) == 6 * SHOAL_PARAM_MEM_CHUNK_BYTES);
  REQUIRE(st(s.release(pq(3), 3, kMem, 6)) == SHOAL_ST_OK);
  CHECK(card.rd(SHOAL_DRRM_WIN_SIZE_ADDR_N(3)) == 0);
  CHECK(card.rd(SHOAL_DRRM_WIN_PERM_ADDR_N(3)) == 0);
  // first fit: a new region of 3 starts at the freed chunks
  Words c = s.request(pq(3), 3, kMem, 3);
  CHECK(SHOAL_GET(c.data(), SHOAL_CPL_REQUEST_BASE) == SHOAL_PARAM_MEM_BASE);
  unsigned maps = 0, unmaps = 0;
  for (const auto& r : s.audit()) {
    maps += r.kind == SHOAL_AUDIT_KIND_MEM_MAP;
    unmaps += r.kind == SHOAL_AUDIT_KIND_MEM_UNMAP;
  }
  CHECK(maps == 4);
  CHECK(unmaps == 2);
  s.require_invariants();
}

TEST_CASE("reactive: a partition whose load rises gains processors, and gives them back when it falls",
          "[service][reactive]") {
  // every processor follows one series: busy for 60 steps, then idle (10000 cycles a step)
  TempDir dir;
  const std::string trace = dir.file("steps.csv");
  {
    std::ofstream f(trace);
    f << "step,\"load\"\n";
    for (int i = 0; i < 60; ++i) f << i << ",100\n";
    for (int i = 60; i < 400; ++i) f << i << ",0\n";
  }
  CardSim card({"--workload-trace", trace, "--trace-step-cycles", "10000"});
  Service s{card};
  REQUIRE(st(s.policy(SHOAL_OP_POLICY_SET_POLICY_REACTIVE, 2, 20000, 1)) == SHOAL_ST_OK);
  REQUIRE(st(s.create(0, 4)) == SHOAL_ST_OK);
  REQUIRE(st(s.limits(0, kCpu, 1, 12)) == SHOAL_ST_OK);
  REQUIRE(st(s.request(kAdmin, 0, kCpu, 1)) == SHOAL_ST_OK);
  // rising: the WMU's EWMA crosses HI, the firmware adds processors, up to the cap
  std::uint32_t most = 0;
  for (int i = 0; i < 400 && most < 12; ++i) {
    most = std::max(most, card.alloc_held(0, kCpu));
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  CHECK(most > 1);
  // falling: it returns them, down to max(floor, 1)
  std::uint32_t now = most;
  for (int i = 0; i < 1500 && now > 1; ++i) {
    now = card.alloc_held(0, kCpu);
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  CHECK(now == 1);
  s.require_invariants();
  // the decisions are the card's own (actor 0xFF), after a crossing, and audited
  bool up = false, down = false, crossed = false;
  for (const auto& r : s.audit()) {
    if (r.kind == SHOAL_AUDIT_KIND_THRESHOLD && r.part == 0) crossed = true;
    if (r.kind != SHOAL_AUDIT_KIND_DECISION || r.part != 0) continue;
    CHECK(r.actor == 0xFF);
    up |= (r.flags & 1u) != 0;
    down |= (r.flags & 2u) != 0;
  }
  CHECK(crossed);
  CHECK(up);
  CHECK(down);
}

TEST_CASE("a processor that never quiesces: the migration rolls back, another one is taken, nothing lost",
          "[service][rollback]") {
  // processor 5 never quiesces and runs cold (duty 0); the others are 90 % busy
  std::string duty;
  for (int x = 0; x < SHOAL_PARAM_NUM_PROCESSORS; ++x) duty += (x ? "," : "") + std::string(x == 5 ? "0" : "90");
  CardSim card({"--proc-stuck", "5", "--proc-duty", duty});
  card.static_policy();
  Service s{card};
  // it could not be parked at boot: it still runs in partition 0; partition 0 takes it
  REQUIRE(st(s.create(0, 1)) == SHOAL_ST_OK);
  CHECK(card.alloc_held(0, kCpu) == 1);
  CHECK(card.drrm_mapped(0) == 1);
  REQUIRE(st(s.request(kAdmin, 0, kCpu, 3)) == SHOAL_ST_OK);
  REQUIRE(st(s.create(1, 9)) == SHOAL_ST_OK);  // as high as 2: never its victim
  REQUIRE(st(s.request(kAdmin, 1, kCpu, SHOAL_PARAM_NUM_PROCESSORS - 4)) == SHOAL_ST_OK);  // the pool is empty now
  REQUIRE(st(s.create(2, 9)) == SHOAL_ST_OK);
  // a few epochs, so the scheduler knows how busy each processor runs
  std::this_thread::sleep_for(std::chrono::milliseconds(800));
  Words before = s.status();
  // moving processor 5 explicitly times out and rolls back; then partition 2 (higher priority)
  // reclaims 2 from 0: the scheduler picks the coldest first, processor 5, whose pause times
  // out again; the service rolls it back and takes another
  Cmd m(SHOAL_OP_MIGRATE);
  CSET(m, SHOAL_OP_MIGRATE_PROCESSOR, 5);
  CSET(m, SHOAL_OP_MIGRATE_PARTITION, 2);
  Words mg = card.admin_call(m);
  CHECK(st(mg) == SHOAL_ST_TIMEOUT);
  CHECK(card.alloc_held(2, kCpu) == 0);
  Words r = s.request(kAdmin, 2, kCpu, 2, SHOAL_REQ_ALLOW_RECLAIM);
  REQUIRE(st(r) == SHOAL_ST_OK);
  CHECK(SHOAL_GET(r.data(), SHOAL_CPL_REQUEST_GRANTED) == 2);
  CHECK(card.drrm_mapped(2) == 2);
  Words after = s.status();
  CHECK(SHOAL_GET(after.data(), SHOAL_CPL_SERVICE_STATUS_ROLLBACKS) >
        SHOAL_GET(before.data(), SHOAL_CPL_SERVICE_STATUS_ROLLBACKS));
  // processor 5 is still partition 0's, and every processor is accounted for
  CHECK(card.rd(SHOAL_DRRM_PROC_ADDR_N(5)) == 0);  // running, partition 0
  std::uint32_t total = 0;
  for (std::uint32_t p = 0; p < 3; ++p) total += card.alloc_held(p, kCpu);
  CHECK(total == SHOAL_PARAM_NUM_PROCESSORS);
  s.require_invariants();
  bool rolled = false;
  for (const auto& a : s.audit()) rolled |= a.kind == SHOAL_AUDIT_KIND_ROLLBACK;
  CHECK(rolled);
}

TEST_CASE("random operations from several queues, against an independent model", "[service][random]") {
  CardSim card;
  card.static_policy();
  Service s{card};
  // the model: the ALLOC's own contract (its HLS reference), fed the same commands the service
  // must issue for non-CPU, non-memory types without fallbacks
  namespace ha = shoal::hls::alloc;
  constexpr unsigned K = SHOAL_PARAM_NUM_PARTITIONS, T = SHOAL_PARAM_NUM_RESOURCE_TYPES;
  static ha::State<K, T> model;
  ha::alloc_reset<K, T>(model, ha::kDefaultPools);
  std::mt19937 rng(13);
  const std::uint32_t parts[] = {0, 1, 2, 3, 4, 5};
  for (std::uint32_t p : parts) {
    const std::uint32_t prio = rng() % 16;
    REQUIRE(st(s.create(p, prio)) == SHOAL_ST_OK);
    ha::Resp<K> rr;
    ha::Events<K> evs;
    ha::alloc_top<K, T>(ha::encode_cmd(ha::Cmd{ha::OP_SET_PRIO, false, false, p, 0, prio, 0, 0}), model, rr, evs);
  }
  const std::uint32_t types[] = {kWays, kBw, kLanes, SHOAL_RES_ACCEL_SLICES};
  const int kSteps = 1500;
  for (int i = 0; i < kSteps; ++i) {
    const std::uint32_t p = parts[rng() % 6], t = types[rng() % 4];
    const std::uint32_t pool = ha::kDefaultPools[t];
    const bool rel = rng() % 3 == 0;
    std::uint32_t amount;
    switch (rng() % 4) {
      case 0: amount = 1; break;
      case 1: amount = pool; break;
      case 2: amount = model.alloc[p][t].to_u32() ? model.alloc[p][t].to_u32() : 1; break;
      default: amount = 1 + rng() % pool; break;
    }
    const bool partial = rng() % 2, reclaim = rng() % 2;
    ha::Cmd mc{rel ? ha::OP_RELEASE : ha::OP_REQUEST, partial, reclaim, p, t, 0, amount, 0};
    ha::Resp<K> want;
    ha::Events<K> evs;
    ha::alloc_top<K, T>(ha::encode_cmd(mc), model, want, evs);
    // from the partition's own queue, or the admin's
    const std::uint32_t q = rng() % 2 ? pq(p) : kAdmin;
    Words got = rel ? s.release(q, p, t, amount)
                    : s.request(q, p, t, amount, (partial ? SHOAL_REQ_ALLOW_PARTIAL : 0) | (reclaim ? SHOAL_REQ_ALLOW_RECLAIM : 0));
    INFO("step " << i << (rel ? " release " : " request ") << amount << " of type " << t << " for " << p
                 << (partial ? " partial" : "") << (reclaim ? " reclaim" : "") << ": card " << status_name(st(got)));
    static const std::uint32_t map[] = {SHOAL_ST_OK, SHOAL_ST_PARTIAL, SHOAL_ST_DENIED_CAP, SHOAL_ST_INSUFFICIENT,
                                        SHOAL_ST_INVALID, SHOAL_ST_CAP_BELOW_ALLOC, SHOAL_ST_FLOOR_SUM};
    REQUIRE(st(got) == map[want.status]);
    if (!rel && st(got) <= SHOAL_ST_PARTIAL) REQUIRE(SHOAL_GET(got.data(), SHOAL_CPL_REQUEST_GRANTED) == want.granted);
    // the card's whole state equals the model's after every step
    if (i % 10 == 0 || i == kSteps - 1) {
      for (std::uint32_t tt : types) {
        REQUIRE(card.rd(SHOAL_ALLOC_POOL_FREE_ADDR_N(tt)) == model.free[tt].to_u32());
        for (std::uint32_t pp : parts) REQUIRE(card.alloc_held(pp, tt) == model.alloc[pp][tt].to_u32());
      }
    } else {
      REQUIRE(card.alloc_held(p, t) == model.alloc[p][t].to_u32());
    }
  }
  s.require_invariants();
}

TEST_CASE("several queues at once: grants and processors stay consistent", "[service][random]") {
  CardSim card;
  card.static_policy();
  Service s{card};
  for (std::uint32_t p = 0; p < 4; ++p) REQUIRE(st(s.create(p, p * 3)) == SHOAL_ST_OK);
  std::mt19937 rng(5);
  for (int round = 0; round < 120; ++round) {
    std::uint32_t tags[4];
    for (std::uint32_t p = 0; p < 4; ++p) {
      Cmd c(rng() % 3 ? SHOAL_OP_REQUEST : SHOAL_OP_RELEASE);
      CSET(c, SHOAL_OP_REQUEST_PARTITION, p);
      CSET(c, SHOAL_OP_REQUEST_TYPE, rng() % 2 ? kCpu : kWays);
      CSET(c, SHOAL_OP_REQUEST_AMOUNT, 1 + rng() % 8);
      CSET(c, SHOAL_OP_REQUEST_FLAGS, SHOAL_REQ_ALLOW_PARTIAL | (rng() % 2 ? SHOAL_REQ_ALLOW_RECLAIM : 0));
      REQUIRE(shoal_queue_submit(card.queue(pq(p)), c.w.data(), &tags[p]) == SHOAL_OK);
    }
    for (std::uint32_t p = 0; p < 4; ++p) {
      Words out{};
      REQUIRE(shoal_queue_wait(card.queue(pq(p)), tags[p], 60000, out.data()) == SHOAL_OK);
      const std::uint32_t status = st(out);
      INFO("round " << round << " partition " << p << ": " << status_name(status));
      CHECK((status <= SHOAL_ST_PARTIAL || status == SHOAL_ST_DENIED_CAP || status == SHOAL_ST_INSUFFICIENT || status == SHOAL_ST_INVALID));
    }
    if (round % 20 == 19) s.require_invariants();
  }
  s.require_invariants();
}
