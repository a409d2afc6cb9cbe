// The service's portable code on the host (the same sources as the firmware), over a model of
// the card: the ALLOC's HLS reference, a DRRM that answers like the real one (with processors
// that never quiesce on demand), a WMU that reports what the test says, and in-memory rings.
// What the card cannot be made to do from outside is done here: invariant violations (the
// service stops, refuses changes with FAULT, and clears only once the state is sound again),
// full completion rings (events counted and reported as EVENTS_LOST), and a flood on one queue.
#include <catch2/catch.hpp>

#include <array>
#include <deque>
#include <vector>

#include "alloc.hpp"
#include "shoal/service/dispatch.hpp"

using namespace shoal::service;
namespace ha = shoal::hls::alloc;

namespace {

constexpr uint32_t W = SHOAL_PROTO_ENTRY_WORDS;
using Words = std::array<uint32_t, W>;

class ModelCard final : public CardPort {
 public:
  ModelCard() {
    ha::alloc_reset<K, T>(alloc_, ha::kDefaultPools);
    for (auto& p : part_) p = 0;
    for (auto& s : state_) s = SHOAL_DRRM_PROC_STATE_RUNNING;
  }
  ha::State<K, T> alloc_;
  uint32_t part_[P], state_[P];
  uint64_t stuck_ = 0;  // processors that never quiesce
  uint32_t drrm_cmds_ = 0;
  std::vector<std::array<uint32_t, 5>> records_;
  uint64_t now_ = 0;
  uint32_t window_ = 50000, alpha_ = 3;
  PartTelemetry tel_[K] = {};

  AllocResp alloc(uint64_t cmd) override {
    ha::Resp<K> r;
    ha::Events<K> evs;
    ha::alloc_top<K, T>(cmd, alloc_, r, evs);
    AllocResp o;
    o.status = r.status;
    o.granted = r.granted;
    o.reclaimed = r.reclaimed;
    o.alloc = r.alloc.to_u32();
    o.floor = r.floor.to_u32();
    o.cap = r.cap.to_u32();
    o.free = r.free.to_u32();
    o.prio = r.prio.to_u32();
    for (uint32_t k = 0; k < K; ++k) o.victim[k] = uint16_t(r.victim[k].to_u32());
    return o;
  }
  bool alloc_selfcheck_failed() override { return false; }
  uint32_t alloc_free(uint32_t t) override { return alloc_.free[t].to_u32(); }
  uint32_t alloc_pool(uint32_t t) override { return alloc_.pool[t].to_u32(); }
  uint32_t alloc_held(uint32_t p, uint32_t t) override { return alloc_.alloc[p][t].to_u32(); }
  bool alloc_set_pool(uint32_t, uint32_t) override { return false; }
  DrrmCpl drrm(uint32_t op, uint32_t proc, uint32_t part, uint64_t, uint32_t, uint32_t, uint32_t,
               uint32_t) override {
    ++drrm_cmds_;
    now_ += 20;
    DrrmCpl c;
    c.cycles = 5;
    const bool stuck = (stuck_ >> proc) & 1u;
    if (op == SHOAL_DRRM_CMD_PUSH_OP_SET_WINDOW) return c;
    if (op == SHOAL_DRRM_CMD_PUSH_OP_ONLINE) {
      if (state_[proc] != SHOAL_DRRM_PROC_STATE_OFFLINE) {
        c.status = SHOAL_DRRM_CPL_HEAD_STATUS_BAD_STATE;
        return c;
      }
      state_[proc] = SHOAL_DRRM_PROC_STATE_RUNNING;
      part_[proc] = part;
      return c;
    }
    if (state_[proc] == SHOAL_DRRM_PROC_STATE_OFFLINE) {
      c.status = SHOAL_DRRM_CPL_HEAD_STATUS_BAD_STATE;
      return c;
    }
    if (stuck) {
      c.status = SHOAL_DRRM_CPL_HEAD_STATUS_TIMEOUT;
      c.cycles = 1000;
      return c;
    }
    if (op == SHOAL_DRRM_CMD_PUSH_OP_OFFLINE) state_[proc] = SHOAL_DRRM_PROC_STATE_OFFLINE;
    else part_[proc] = part;
    return c;
  }
  void drrm_set_timeout(uint32_t) override {}
  uint32_t drrm_proc_state(uint32_t x) override { return state_[x]; }
  uint32_t drrm_proc_part(uint32_t x) override { return part_[x]; }
  bool wmu_configure(uint32_t w, uint32_t a) override {
    if (w < 290) return false;
    window_ = w;
    alpha_ = a;
    return true;
  }
  uint32_t wmu_window() override { return window_; }
  uint32_t wmu_alpha() override { return alpha_; }
  void wmu_thresholds(uint32_t, uint32_t, uint32_t, bool) override {}
  PartTelemetry wmu_part(uint32_t k) override { return tel_[k]; }
  void wmu_proc(uint32_t, uint32_t* b, uint32_t* m, uint32_t* i) override { *b = *m = *i = 0; }
  void audit_actor(uint32_t) override {}
  void audit(const uint32_t w[5]) override { records_.push_back({w[0], w[1], w[2], w[3], w[4]}); }
  uint64_t now() override { return now_ += 10; }
  uint32_t fw_version() override { return 0x01000500; }

  bool recorded(uint32_t kind) const {
    for (const auto& r : records_)
      if ((r[0] & 0xFFu) == kind) return true;
    return false;
  }
};

// in-memory rings with the block's rules (one-slot-empty)
class ModelQueues final : public QueueIo {
 public:
  std::deque<Words> sq[Q];
  std::vector<Words> cq[Q];
  uint32_t cq_cap[Q];
  ModelQueues() {
    for (auto& c : cq_cap) c = SHOAL_PARAM_QUEUE_DEPTH - 1;
  }
  uint32_t pending() override {
    uint32_t p = 0;
    for (uint32_t q = 0; q < Q; ++q)
      if (!sq[q].empty()) p |= 1u << q;
    return p;
  }
  bool take(uint32_t q, uint32_t* out) override {
    if (sq[q].empty()) return false;
    std::copy(sq[q].front().begin(), sq[q].front().end(), out);
    sq[q].pop_front();
    return true;
  }
  uint32_t cq_free(uint32_t q) override { return cq[q].size() >= cq_cap[q] ? 0 : cq_cap[q] - uint32_t(cq[q].size()); }
  bool post(uint32_t q, const uint32_t* e) override {
    if (cq_free(q) == 0) return false;
    Words w;
    std::copy(e, e + W, w.begin());
    cq[q].push_back(w);
    return true;
  }
  void drain(uint32_t q) { cq[q].clear(); }
};

Words cmd(uint32_t op) {
  Words w{};
  SHOAL_SET(w.data(), SHOAL_SQE_OPCODE, op);
  SHOAL_SET(w.data(), SHOAL_SQE_VERSION, 1);
  return w;
}

struct Rig {
  ModelCard card;
  ModelQueues qs;
  Dispatcher d{qs, card};
  Rig() { REQUIRE(d.service().start() == 0); }
  Words run(uint32_t q, Words c) {
    Words out{};
    d.execute(q, c.data(), out.data());
    return out;
  }
  uint32_t st(uint32_t q, Words c) { return SHOAL_GET(run(q, c).data(), SHOAL_CQE_STATUS); }
  uint32_t create(uint32_t p, uint32_t prio) {
    Words c = cmd(SHOAL_OP_PART_CREATE);
    SHOAL_SET(c.data(), SHOAL_OP_PART_CREATE_PARTITION, p);
    SHOAL_SET(c.data(), SHOAL_OP_PART_CREATE_PRIO, prio);
    return st(0, c);
  }
  uint32_t request(uint32_t p, uint32_t t, uint32_t n, uint32_t flags = 0) {
    Words c = cmd(SHOAL_OP_REQUEST);
    SHOAL_SET(c.data(), SHOAL_OP_REQUEST_PARTITION, p);
    SHOAL_SET(c.data(), SHOAL_OP_REQUEST_TYPE, t);
    SHOAL_SET(c.data(), SHOAL_OP_REQUEST_AMOUNT, n);
    SHOAL_SET(c.data(), SHOAL_OP_REQUEST_FLAGS, flags);
    return st(0, c);
  }
};

}  // namespace

TEST_CASE("boot parks every processor; the map and the grants agree", "[service][host]") {
  Rig r;
  for (uint32_t x = 0; x < P; ++x) CHECK(r.card.state_[x] == SHOAL_DRRM_PROC_STATE_OFFLINE);
  CHECK(r.card.recorded(SHOAL_AUDIT_KIND_SERVICE_START));
  CHECK(r.d.service().check_invariants() == Fault::None);
  REQUIRE(r.create(0, 1) == SHOAL_ST_OK);
  REQUIRE(r.request(0, SHOAL_RES_CPU, 7) == SHOAL_ST_OK);
  uint32_t mapped = 0;
  for (uint32_t x = 0; x < P; ++x) mapped += r.card.state_[x] == SHOAL_DRRM_PROC_STATE_RUNNING && r.card.part_[x] == 0;
  CHECK(mapped == 7);
  CHECK(r.d.service().check_invariants() == Fault::None);
}

TEST_CASE("an invariant violation stops the service until it is sound and cleared", "[service][host]") {
  Rig r;
  REQUIRE(r.create(0, 1) == SHOAL_ST_OK);
  REQUIRE(r.request(0, SHOAL_RES_CACHE_WAYS, 3) == SHOAL_ST_OK);
  SECTION("the ALLOC's books disagree with the service's") {
    r.card.alloc_.alloc[0][SHOAL_RES_CACHE_WAYS] = ha::Units(4);  // behind the service's back
    r.card.alloc_.free[SHOAL_RES_CACHE_WAYS] = ha::Units(12);
    CHECK(r.d.service().check_invariants() == Fault::PoolSum);
  }
  SECTION("a processor runs where the service does not think it is") {
    r.card.state_[9] = SHOAL_DRRM_PROC_STATE_RUNNING;
    r.card.part_[9] = 0;
    CHECK(r.d.service().check_invariants() == Fault::CpuMap);
  }
  CHECK(r.card.recorded(SHOAL_AUDIT_KIND_FAULT));
  // changes are refused, queries still answer
  CHECK(r.request(0, SHOAL_RES_CACHE_WAYS, 1) == SHOAL_ST_FAULT);
  CHECK(r.create(1, 1) == SHOAL_ST_FAULT);
  Words s = r.run(0, cmd(SHOAL_OP_SERVICE_STATUS));
  CHECK(SHOAL_GET(s.data(), SHOAL_CPL_SERVICE_STATUS_STATE) == SHOAL_CPL_SERVICE_STATUS_STATE_STOPPED);
  CHECK(SHOAL_GET(s.data(), SHOAL_CPL_SERVICE_STATUS_FAULT) != 0);
  CHECK(SHOAL_GET(s.data(), SHOAL_CPL_SERVICE_STATUS_FAULT_COUNT) >= 1);
  // the admin queue was told
  bool told = false;
  for (const Words& e : r.qs.cq[0])
    told |= SHOAL_GET(e.data(), SHOAL_CQE_EVENT) && SHOAL_GET(e.data(), SHOAL_EV_KIND) == SHOAL_EV_KIND_FAULT;
  CHECK(told);
  // clearing while it persists is refused; once repaired it clears
  CHECK(r.st(0, cmd(SHOAL_OP_SERVICE_CLEAR)) == SHOAL_ST_FAULT);
  CHECK(r.st(SHOAL_QUEUE_PARTITION(0), cmd(SHOAL_OP_SERVICE_CLEAR)) == SHOAL_ST_PERMISSION);
  r.card.alloc_.alloc[0][SHOAL_RES_CACHE_WAYS] = ha::Units(3);
  r.card.alloc_.free[SHOAL_RES_CACHE_WAYS] = ha::Units(13);
  r.card.state_[9] = SHOAL_DRRM_PROC_STATE_OFFLINE;
  CHECK(r.st(0, cmd(SHOAL_OP_SERVICE_CLEAR)) == SHOAL_ST_OK);
  CHECK(r.card.recorded(SHOAL_AUDIT_KIND_FAULT_CLEAR));
  CHECK(r.request(0, SHOAL_RES_CACHE_WAYS, 1) == SHOAL_ST_OK);
}

TEST_CASE("a full completion ring: events are counted, reported later, completions never lost",
          "[service][host]") {
  Rig r;
  REQUIRE(r.create(0, 1) == SHOAL_ST_OK);
  const uint32_t q0 = SHOAL_QUEUE_PARTITION(0);
  r.qs.cq_cap[q0] = 3;  // a host that does not read its ring
  // 6 processors join: 6 PROC_JOINED events for queue 0 + 1; only the room above one slot fits
  REQUIRE(r.request(0, SHOAL_RES_CPU, 6) == SHOAL_ST_OK);
  CHECK(r.qs.cq[q0].size() == 2);
  CHECK(r.d.events_lost(q0) == 4);
  CHECK(r.d.service().stats().events_lost == 4);
  // its own command is still served and completed (the last slot is kept for it)
  r.qs.sq[q0].push_back(cmd(SHOAL_OP_NOP));
  CHECK(r.d.serve(10) == 1);
  REQUIRE(r.qs.cq[q0].size() == 3);
  CHECK(SHOAL_GET(r.qs.cq[q0].back().data(), SHOAL_CQE_EVENT) == 0);
  // once the host reads, the loss is reported first, with the count
  r.qs.drain(q0);
  r.qs.sq[q0].push_back(cmd(SHOAL_OP_NOP));
  CHECK(r.d.serve(10) == 1);
  REQUIRE(r.qs.cq[q0].size() == 2);
  const Words& lost = r.qs.cq[q0][0];
  CHECK(SHOAL_GET(lost.data(), SHOAL_CQE_EVENT) == 1);
  CHECK(SHOAL_GET(lost.data(), SHOAL_EV_KIND) == SHOAL_EV_KIND_EVENTS_LOST);
  CHECK(SHOAL_GET(lost.data(), SHOAL_EV_AMOUNT) == 4);
}

TEST_CASE("a flood on one queue does not starve the others", "[service][host]") {
  Rig r;
  const uint32_t flood = SHOAL_QUEUE_PARTITION(3), other = SHOAL_QUEUE_PARTITION(7);
  for (int i = 0; i < 200; ++i) r.qs.sq[flood].push_back(cmd(SHOAL_OP_NOP));
  r.qs.cq_cap[flood] = 1000;
  r.qs.sq[other].push_back(cmd(SHOAL_OP_IDENTIFY));
  r.qs.sq[0].push_back(cmd(SHOAL_OP_NOP));
  // within the first round of a batch every pending queue gets a turn
  REQUIRE(r.d.serve(3) == 3);
  CHECK(r.qs.cq[other].size() == 1);
  CHECK(r.qs.cq[0].size() == 1);
  CHECK(r.qs.cq[flood].size() == 1);
  // a queue whose host reads nothing waits; nobody else does
  r.qs.cq_cap[flood] = 1;
  r.qs.sq[other].push_back(cmd(SHOAL_OP_NOP));
  CHECK(r.d.serve(50) == 1);
  CHECK(r.qs.cq[other].size() == 2);
}

TEST_CASE("a processor that never quiesces is retried with another and nothing is lost",
          "[service][host]") {
  Rig r;
  REQUIRE(r.create(0, 1) == SHOAL_ST_OK);
  REQUIRE(r.create(1, 9) == SHOAL_ST_OK);
  REQUIRE(r.request(0, SHOAL_RES_CPU, SHOAL_PARAM_NUM_PROCESSORS) == SHOAL_ST_OK);
  // every processor of 0 but two is stuck: taking 3 gets exactly the two that move, rolled
  // back once for each stuck one tried, and the ALLOC follows the processors
  std::vector<uint32_t> mine;
  for (uint32_t x = 0; x < P; ++x)
    if (r.card.part_[x] == 0) mine.push_back(x);
  for (size_t i = 2; i < mine.size(); ++i) r.card.stuck_ |= uint64_t{1} << mine[i];
  Words c = cmd(SHOAL_OP_REQUEST);
  SHOAL_SET(c.data(), SHOAL_OP_REQUEST_PARTITION, 1);
  SHOAL_SET(c.data(), SHOAL_OP_REQUEST_TYPE, SHOAL_RES_CPU);
  SHOAL_SET(c.data(), SHOAL_OP_REQUEST_AMOUNT, 3);
  SHOAL_SET(c.data(), SHOAL_OP_REQUEST_FLAGS, SHOAL_REQ_ALLOW_RECLAIM | SHOAL_REQ_ALLOW_PARTIAL);
  Words out = r.run(0, c);
  CHECK(SHOAL_GET(out.data(), SHOAL_CQE_STATUS) == SHOAL_ST_PARTIAL);
  CHECK(SHOAL_GET(out.data(), SHOAL_CPL_REQUEST_GRANTED) == 2);
  CHECK(r.card.alloc_.alloc[1][SHOAL_RES_CPU].to_u32() == 2);
  CHECK(r.card.alloc_.alloc[0][SHOAL_RES_CPU].to_u32() == P - 2);
  CHECK(r.d.service().stats().rollbacks == P - 2);
  CHECK(r.d.service().check_invariants() == Fault::None);
}
