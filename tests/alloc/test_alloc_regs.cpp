// ALLOC register wrapper (alloc_regs) over the card-internal bus: identity, refusals, commands
// through CMD_LO/CMD_HI/CMD_GO, pool state readout, the victim list, the event port and
// counters, busy refusal, and a random stream compared with the HLS reference.
#include <catch2/catch.hpp>

#include <random>
#include <vector>

#include "Valloc_regs_k16.h"
#include "alloc_ref.hpp"
#include "shoal/regs.h"
#include <verilated.h>

using namespace alloc_test;

namespace {

constexpr unsigned K = 16, T = 8;

struct Bus {
  VerilatedContext ctx;
  Valloc_regs_k16 m{&ctx};
  std::vector<uint64_t> events;  // taken from ev_o when ev_ready
  bool ev_ready = true;
  Bus() {
    m.clk_i = 0;
    m.rst_ni = 0;
    m.reg_req_i = 0;
    m.ev_ready_i = 1;
    m.eval();
    tick();
    m.rst_ni = 1;
    m.eval();
  }
  void tick() {
    m.ev_ready_i = ev_ready;
    m.eval();
    if (m.ev_valid_o && ev_ready) events.push_back(m.ev_o);
    m.clk_i = 1;
    m.eval();
    m.clk_i = 0;
    m.eval();
  }
  // one access; returns {data, err}
  std::pair<uint32_t, bool> access(bool we, uint32_t off, uint32_t wdata = 0, uint32_t strb = 0xF) {
    m.reg_req_i = 1;
    m.reg_we_i = we;
    m.reg_addr_i = off;
    m.reg_wdata_i = wdata;
    m.reg_wstrb_i = strb;
    tick();
    m.reg_req_i = 0;
    for (int i = 0; i < 16; ++i) {
      m.eval();
      if (m.reg_ack_o) {
        auto r = std::make_pair(static_cast<uint32_t>(m.reg_rdata_o), m.reg_err_o != 0);
        tick();
        return r;
      }
      tick();
    }
    FAIL("no ack");
    return {0, true};
  }
  uint32_t rd(uint32_t off) {
    auto r = access(false, off);
    REQUIRE(!r.second);
    return r.first;
  }
  bool wr(uint32_t off, uint32_t v, uint32_t strb = 0xF) { return !access(true, off, v, strb).second; }
  // issue a command and wait for the response
  void issue(uint64_t c) {
    REQUIRE(wr(SHOAL_ALLOC_CMD_LO_OFFSET, static_cast<uint32_t>(c)));
    REQUIRE(wr(SHOAL_ALLOC_CMD_HI_OFFSET, static_cast<uint32_t>(c >> 32)));
    REQUIRE(wr(SHOAL_ALLOC_CMD_GO_OFFSET, 1));
    for (int i = 0; i < 100; ++i) {
      const uint32_t s = rd(SHOAL_ALLOC_STATUS_OFFSET);
      if (!(s & SHOAL_ALLOC_STATUS_BUSY_MASK)) {
        REQUIRE((s & SHOAL_ALLOC_STATUS_DONE_MASK));
        return;
      }
    }
    FAIL("command never completed");
  }
  RespRec resp() {
    RespRec r;
    const uint32_t r0 = rd(SHOAL_ALLOC_RESP0_OFFSET), r1 = rd(SHOAL_ALLOC_RESP1_OFFSET),
                   r2 = rd(SHOAL_ALLOC_RESP2_OFFSET), r3 = rd(SHOAL_ALLOC_RESP3_OFFSET);
    r.status = r0 & 0xF;
    r.granted = r0 >> 16;
    r.alloc = r1 & 0xFFFF;
    r.free = r1 >> 16;
    r.floor = r2 & 0xFFFF;
    r.cap = r2 >> 16;
    r.prio = r3 & 0xF;
    r.reclaimed = r3 >> 16;
    for (unsigned k = 0; k < K; ++k) r.victims.push_back(rd(SHOAL_ALLOC_VICTIM_OFFSET + 4 * k));
    return r;
  }
};

}  // namespace

TEST_CASE("alloc regs: identity, parameters, refusals", "[alloc][regs]") {
  Bus b;
  CHECK(b.rd(SHOAL_ALLOC_ID_OFFSET) == SHOAL_ALLOC_ID_RESET);
  const uint32_t p = b.rd(SHOAL_ALLOC_PARAMS_OFFSET);
  CHECK((p & 0xFF) == K);
  CHECK(((p >> 8) & 0xF) == T);
  CHECK(((p >> 16) & 0x1F) == A::kUnitW);
  CHECK(b.rd(SHOAL_ALLOC_STATUS_OFFSET) == 0);
  CHECK(b.access(false, 0x3FFC).second);  // unmapped
  CHECK(b.access(false, 0x00C).second);
  CHECK(b.access(true, SHOAL_ALLOC_ID_OFFSET, 1).second);  // read-only
  CHECK(b.access(true, SHOAL_ALLOC_RESP0_OFFSET, 1).second);
  CHECK(b.access(true, SHOAL_ALLOC_POOL_FREE_OFFSET, 1).second);
  CHECK(b.rd(SHOAL_ALLOC_POOL_FREE_OFFSET) == SHOAL_RES_CPU_UNITS);
  // CMD_LO/HI are read/write with byte strobes
  CHECK(b.wr(SHOAL_ALLOC_CMD_LO_OFFSET, 0x12345678));
  CHECK(b.wr(SHOAL_ALLOC_CMD_LO_OFFSET, 0xAABBCCDD, 0x2));
  CHECK(b.rd(SHOAL_ALLOC_CMD_LO_OFFSET) == 0x1234CC78);
  CHECK(b.rd(SHOAL_ALLOC_CMD_GO_OFFSET) == 0);
  CHECK(b.wr(SHOAL_ALLOC_CMD_GO_OFFSET, 0));  // writing 0 issues nothing
  CHECK(b.rd(SHOAL_ALLOC_STATUS_OFFSET) == 0);
}

TEST_CASE("alloc regs: commands, pool state, victims and events", "[alloc][regs]") {
  Bus b;
  Ref<K, T> ref;
  std::vector<uint64_t> exp_ev;
  auto run = [&](uint64_t c) {
    b.issue(c);
    const RespRec want = ref.exec(c, &exp_ev);
    const RespRec got = b.resp();
    INFO("rtl " << got.str() << "\nref " << want.str());
    REQUIRE(got == want);
  };
  run(cmd(A::OP_SET_PRIO, 4, 0, 0, false, false, 0, 9));
  run(cmd(A::OP_REQUEST, 1, 0, 40));
  run(cmd(A::OP_REQUEST, 2, 0, 20));
  run(cmd(A::OP_REQUEST, 4, 0, 30, false, true));  // 4 free + 26 reclaimed from p1 (largest excess)
  CHECK(b.rd(SHOAL_ALLOC_VICTIM_OFFSET + 4 * 1) == 26);
  CHECK(b.rd(SHOAL_ALLOC_VICTIM_OFFSET + 4 * 2) == 0);
  run(cmd(A::OP_REQUEST, 5, 0, 1));  // p5 prio 0 can take nothing: insufficient
  run(cmd(A::OP_REQUEST, 4, 0, 20, false, true));  // p1 14 vs p2 20: p2 first, then p1
  CHECK(b.rd(SHOAL_ALLOC_VICTIM_OFFSET + 4 * 2) == 20);
  CHECK(b.rd(SHOAL_ALLOC_VICTIM_OFFSET + 4 * 1) == 0);
  run(cmd(A::OP_RELEASE, 4, 0, 20));
  CHECK(b.rd(SHOAL_ALLOC_VICTIM_OFFSET + 4 * 40) == 0);  // beyond K
  CHECK(b.rd(SHOAL_ALLOC_POOL_FREE_OFFSET) == 20);
  CHECK(b.rd(SHOAL_ALLOC_POOL_FREE_OFFSET + 4) == SHOAL_RES_CACHE_WAYS_UNITS);
  CHECK(b.rd(SHOAL_ALLOC_POOL_SIZE_OFFSET + 4 * 3) == SHOAL_RES_MEM_REGION_UNITS);
  const uint32_t st = b.rd(SHOAL_ALLOC_PART_STATE_OFFSET + 4 * (4 * 8 + 0));
  CHECK((st & 0x3FF) == 30);
  CHECK(((st >> 20) & 0x3FF) == 64);
  CHECK(b.rd(SHOAL_ALLOC_PART_STATE_OFFSET + 4 * (40 * 8 + 0)) == 0);  // p >= K
  CHECK(b.rd(SHOAL_ALLOC_PART_PRIO_OFFSET + 4 * 4) == 9);
  run(cmd(A::OP_SET_LIMITS, 1, 0, 10, false, false, 20));
  CHECK(((b.rd(SHOAL_ALLOC_PART_STATE_OFFSET + 4 * 8) >> 10) & 0x3FF) == 10);
  // events: on the port, counted and the last one visible
  REQUIRE(b.events == exp_ev);
  CHECK(b.rd(SHOAL_ALLOC_EV_COUNT_OFFSET) == exp_ev.size());
  const uint64_t last = (uint64_t{b.rd(SHOAL_ALLOC_EV_LAST_HI_OFFSET)} << 32) |
                        b.rd(SHOAL_ALLOC_EV_LAST_LO_OFFSET);
  CHECK(last == exp_ev.back());
  CHECK((b.rd(SHOAL_ALLOC_STATUS_OFFSET) & SHOAL_ALLOC_STATUS_INV_ERR_MASK) == 0);
}

TEST_CASE("alloc regs: CMD_GO while busy is refused; a stalled audit log holds the engine",
          "[alloc][regs]") {
  Bus b;
  b.ev_ready = false;
  b.issue(cmd(A::OP_REQUEST, 1, 0, 5));  // response arrives; its event waits
  REQUIRE(b.wr(SHOAL_ALLOC_CMD_LO_OFFSET, static_cast<uint32_t>(cmd(A::OP_REQUEST, 2, 0, 5))));
  REQUIRE(b.wr(SHOAL_ALLOC_CMD_GO_OFFSET, 1));
  for (int i = 0; i < 10; ++i) b.tick();
  CHECK((b.rd(SHOAL_ALLOC_STATUS_OFFSET) & SHOAL_ALLOC_STATUS_BUSY_MASK) != 0);
  CHECK(b.access(true, SHOAL_ALLOC_CMD_GO_OFFSET, 1).second);  // refused
  CHECK(b.rd(SHOAL_ALLOC_EV_COUNT_OFFSET) == 0);
  b.ev_ready = true;
  for (int i = 0; i < 10; ++i) b.tick();
  CHECK(b.rd(SHOAL_ALLOC_STATUS_OFFSET) == SHOAL_ALLOC_STATUS_DONE_MASK);
  CHECK(b.rd(SHOAL_ALLOC_EV_COUNT_OFFSET) == 2);
  CHECK(b.events.size() == 2);
  CHECK(b.rd(SHOAL_ALLOC_POOL_FREE_OFFSET) == SHOAL_RES_CPU_UNITS - 10);
}

TEST_CASE("alloc regs: random commands through the bus match the reference", "[alloc][regs]") {
  Bus b;
  Ref<K, T> ref;
  Gen<K, T> g(77, 8, 3);
  std::vector<uint64_t> exp_ev;
  for (int i = 0; i < 1500; ++i) {
    const uint64_t c = g.next(ref.st);
    b.issue(c);
    const RespRec want = ref.exec(c, &exp_ev);
    const RespRec got = b.resp();
    INFO("command #" << i << " rtl " << got.str() << "\nref " << want.str());
    REQUIRE(got == want);
  }
  REQUIRE(b.events == exp_ev);
  for (unsigned t = 0; t < T; ++t)
    CHECK(b.rd(SHOAL_ALLOC_POOL_FREE_OFFSET + 4 * t) == ref.st.free[t].to_u32());
}
