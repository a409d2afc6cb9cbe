// DRRM, WMU and ALLOC inside the card: the soft core drives them through its card-bus window
// (tests/card/fw/runner.c plays the scripts below), the simulated processors behind the
// processor ports answer (sim/model/processor_model.hpp), and the host reads the results over
// BAR0 -- the path the firmware and shoal-sim use. What each block computes is tested at length
// in tests/drrm, tests/wmu and tests/alloc; here: the wiring, the partition map from the DRRM to
// the WMU, the interrupts into the core, the audit event ports and the host's read-only access.
#include <catch2/catch.hpp>

#include <memory>
#include <string>
#include <vector>

#include "card_model.hpp"
#include "runner.hpp"
#include "shoal/core.hpp"  // the soft core's address map (firmware/image)
#include "shoal/regs.h"
#include "shoal/regs.hpp"

using shoal::sim::AxiResp;
using shoal::sim::CardEvent;
using shoal::sim::CardModel;
using shoal::sim::ProcessorConfig;
using shoal::sim::ProcessorPort;
using shoal::test::op_peek;
using shoal::test::op_poll;
using shoal::test::op_read;
using shoal::test::op_write;
using shoal::test::ScriptOp;
using shoal::test::ScriptRunner;
namespace drrm = shoal::regs::drrm;
namespace wmu = shoal::regs::wmu;
namespace alloc = shoal::regs::alloc;
namespace ctrl = shoal::regs::ctrl;

namespace {

// opcodes and statuses: the register map's named field values
constexpr uint32_t kOpMigrate = SHOAL_DRRM_CMD_PUSH_OP_MIGRATE;
constexpr uint32_t kOpWindow = SHOAL_DRRM_CMD_PUSH_OP_SET_WINDOW;
constexpr uint32_t kOpRoute = SHOAL_DRRM_CMD_PUSH_OP_ROUTE;
constexpr uint32_t kStOk = SHOAL_DRRM_CPL_HEAD_STATUS_OK;
constexpr uint32_t kStTimeout = SHOAL_DRRM_CPL_HEAD_STATUS_TIMEOUT;

uint32_t rd(CardModel& m, uint32_t a) {
  uint32_t v = 0;
  REQUIRE(m.read32(a, v) == AxiResp::Okay);
  return v;
}

uint32_t field(uint32_t v, uint32_t mask, unsigned lsb) { return (v & mask) >> lsb; }

// One DRRM command the way firmware issues it: stage, push, wait for the completion, print
// its head and cycles, pop.
void drrm_cmd(std::vector<ScriptOp>& s, uint32_t op, uint32_t tag, uint32_t arg, uint32_t perm = 0) {
  s.push_back(op_write(drrm::kCmdArg, arg));
  s.push_back(op_write(drrm::kCmdPush, (op << SHOAL_DRRM_CMD_PUSH_OP_LSB) |
                                           (perm << SHOAL_DRRM_CMD_PUSH_PERM_LSB) |
                                           (tag << SHOAL_DRRM_CMD_PUSH_TAG_LSB)));
  s.push_back(op_poll(drrm::kCplHead, SHOAL_DRRM_CPL_HEAD_VALID_MASK, SHOAL_DRRM_CPL_HEAD_VALID_MASK));
  s.push_back(op_read(drrm::kCplHead));
  s.push_back(op_read(drrm::kCplCycles));
  s.push_back(op_write(drrm::kCplPop, 1));
}
uint32_t arg(uint32_t proc, uint32_t part, uint32_t vec = 0) {
  return (proc << SHOAL_DRRM_CMD_ARG_PROC_LSB) | (part << SHOAL_DRRM_CMD_ARG_PART_LSB) |
         (vec << SHOAL_DRRM_CMD_ARG_VEC_LSB);
}
struct Cpl {
  uint32_t tag, op, status;
};
Cpl cpl(const std::string& out, unsigned n) {
  const uint32_t h = ScriptRunner::read_value(out, drrm::kCplHead, n);
  return {field(h, SHOAL_DRRM_CPL_HEAD_TAG_MASK, SHOAL_DRRM_CPL_HEAD_TAG_LSB),
          field(h, SHOAL_DRRM_CPL_HEAD_OP_MASK, SHOAL_DRRM_CPL_HEAD_OP_LSB),
          field(h, SHOAL_DRRM_CPL_HEAD_STATUS_MASK, SHOAL_DRRM_CPL_HEAD_STATUS_LSB)};
}

std::vector<CardEvent> of_kind(const std::vector<CardEvent>& ev, CardEvent::Kind k) {
  std::vector<CardEvent> out;
  for (const auto& e : ev)
    if (e.kind == k) out.push_back(e);
  return out;
}

}  // namespace

TEST_CASE("firmware migrates processors through the DRRM; the processors and the host see it",
          "[card][drrm]") {
  auto m = shoal::sim::make_card_model();
  ScriptRunner runner(*m);
  ProcessorConfig never;
  never.drain_cycles = ProcessorPort::kNever;
  m->set_processor(5, never);

  std::vector<ScriptOp> s;
  s.push_back(op_write(drrm::kTimeout, 300));
  // partition 2: window [0x1000_0000, +4 KiB), read/write
  s.push_back(op_write(drrm::kCmdBase, 0x10000000));
  s.push_back(op_write(drrm::kCmdSize, 0x1000));
  drrm_cmd(s, kOpWindow, 1, arg(0, 2), 3);
  drrm_cmd(s, kOpMigrate, 2, arg(3, 2));     // processor 3 -> partition 2
  drrm_cmd(s, kOpMigrate, 3, arg(5, 1));     // processor 5 never quiesces: rolled back
  drrm_cmd(s, kOpRoute, 4, arg(0, 2, 7));    // vector 7 -> partition 2
  drrm_cmd(s, kOpRoute, 5, arg(0, 9, 11));   // vector 11 -> partition 9 (nobody there yet)
  const std::string out = runner.run(s);
  INFO(out);
  REQUIRE(out.find("END\n") != std::string::npos);

  // completions, as the firmware saw them
  const Cpl win = cpl(out, 0), mig = cpl(out, 1), rollback = cpl(out, 2);
  CHECK((win.tag == 1 && win.op == kOpWindow && win.status == kStOk));
  CHECK((mig.tag == 2 && mig.op == kOpMigrate && mig.status == kStOk));
  CHECK((rollback.tag == 3 && rollback.op == kOpMigrate && rollback.status == kStTimeout));
  CHECK(cpl(out, 3).status == kStOk);
  CHECK(cpl(out, 4).status == kStOk);

  // the processors: 3 paused, drained, moved and resumed; 5 paused and resumed where it was
  const auto p3 = m->processor(3), p5 = m->processor(5), p4 = m->processor(4);
  CHECK(p3.partition == 2);
  CHECK(p3.pauses == 1);
  CHECK(p3.resumes == 1);
  CHECK(p3.partition_changes == 1);
  CHECK(p5.partition == 0);
  CHECK(p5.pauses == 1);
  CHECK(p5.resumes == 1);
  CHECK(p5.partition_changes == 0);
  CHECK(p4.pauses == 0);
  CHECK(p3.online);

  // the host reads the same state over BAR0
  const uint32_t proc3 = rd(*m, drrm::kProc + 3 * drrm::kProcStride);
  CHECK(field(proc3, SHOAL_DRRM_PROC_PART_MASK, SHOAL_DRRM_PROC_PART_LSB) == 2);
  CHECK(field(proc3, SHOAL_DRRM_PROC_STATE_MASK, SHOAL_DRRM_PROC_STATE_LSB) == 0);  // RUNNING
  CHECK(rd(*m, drrm::kWinBase + 2 * drrm::kWinBaseStride) == 0x10000000);

  // audit: two migration events, the second a timeout, with the processor sets
  const auto ev = of_kind(m->take_events(), CardEvent::Kind::Migration);
  REQUIRE(ev.size() == 2);
  CHECK((ev[0].tag == 2 && ev[0].part == 2 && !ev[0].timeout && ev[0].mask == (1u << 3)));
  CHECK((ev[1].tag == 3 && ev[1].timeout && ev[1].mask == (1u << 5)));

  SECTION("isolation: the address check follows the processor's partition window") {
    CHECK(m->check_access(3, 0x10000010, true));
    CHECK(m->check_access(3, 0x10000FFC, false));
    CHECK_FALSE(m->check_access(3, 0x10001000, false));  // one past the window
    CHECK_FALSE(m->check_access(4, 0x10000010, false));  // partition 0 has no window
    CHECK(rd(*m, drrm::kViolCount) == 2);
    const auto viol = of_kind(m->take_events(), CardEvent::Kind::Violation);
    REQUIRE(viol.size() == 2);
    CHECK((viol[0].proc == 3 && viol[0].addr == 0x10001000 && !viol[0].we));
    CHECK((viol[1].proc == 4 && viol[1].addr == 0x10000010));
  }

  SECTION("interrupt routing: delivered to the owning partition's processor, held while none") {
    m->raise_device_irq(7);
    m->raise_device_irq(11);
    m->step(50);
    CHECK(m->processor(3).irqs == 1);
    CHECK(m->processor(3).last_irq_vec == 7);
    const uint32_t r11 = rd(*m, drrm::kRoute + 11 * drrm::kRouteStride);
    CHECK(field(r11, SHOAL_DRRM_ROUTE_PART_MASK, SHOAL_DRRM_ROUTE_PART_LSB) == 9);
    CHECK(field(r11, SHOAL_DRRM_ROUTE_PENDING_MASK, SHOAL_DRRM_ROUTE_PENDING_LSB) == 1);
    // a processor arrives in partition 9: the held vector goes to it
    std::vector<ScriptOp> s2;
    drrm_cmd(s2, kOpMigrate, 6, arg(4, 9));
    const std::string out2 = runner.run(s2);
    INFO(out2);
    REQUIRE(cpl(out2, 0).status == kStOk);
    m->step(50);
    CHECK(m->processor(4).partition == 9);
    CHECK(m->processor(4).irqs == 1);
    CHECK(m->processor(4).last_irq_vec == 11);
    CHECK(field(rd(*m, drrm::kRoute + 11 * drrm::kRouteStride), SHOAL_DRRM_ROUTE_PENDING_MASK,
                SHOAL_DRRM_ROUTE_PENDING_LSB) == 0);
  }

  SECTION("the host cannot command the DRRM: its writes are refused and change nothing") {
    const uint32_t before = rd(*m, drrm::kProc + 3 * drrm::kProcStride);
    CHECK(m->write32(drrm::kCmdArg, arg(3, 0)) == AxiResp::SlvErr);
    CHECK(m->write32(drrm::kCmdPush, kOpMigrate) == AxiResp::SlvErr);
    m->step(100);
    CHECK(rd(*m, drrm::kProc + 3 * drrm::kProcStride) == before);
    CHECK(m->processor(3).pauses == 1);
    CHECK((rd(*m, ctrl::kBusErrInfo) & SHOAL_CTRL_BUS_ERR_INFO_FWONLY_MASK) != 0);
  }
}

TEST_CASE("the WMU counts the processors' telemetry where the DRRM says they are",
          "[card][wmu]") {
  auto m = shoal::sim::make_card_model();
  ScriptRunner runner(*m);
  ProcessorConfig busy;
  busy.duty_pct = 100;
  busy.mem_pct = 10;
  m->set_processor(0, busy);
  ProcessorConfig half;
  half.duty_pct = 50;
  m->set_processor(1, half);

  constexpr uint32_t kWindow = 1000;
  std::vector<ScriptOp> s;
  s.push_back(op_write(wmu::kWindow, kWindow));
  s.push_back(op_write(wmu::kAlpha, 0));  // EWMA = the last sample
  s.push_back(op_write(wmu::kHi + 3 * wmu::kHiStride, 0x4000));
  s.push_back(op_write(wmu::kLo + 3 * wmu::kLoStride, 0x1000));
  s.push_back(op_write(wmu::kIrqEn, 1u << 3));
  s.push_back(op_write(wmu::kCtrl, 1));
  s.push_back(op_poll(wmu::kSeq, 0xFFFFFFFFu, 3));
  drrm_cmd(s, kOpMigrate, 1, arg(1, 3));  // processor 1 (50 % busy) -> partition 3
  s.push_back(op_read(wmu::kSeq));
  s.push_back(op_poll(wmu::kIrqUp, 1u << 3, 1u << 3));  // partition 3 crossed up
  s.push_back(op_read(wmu::kSeq));
  // sample 3 holds the window of the move; wait for sample 4, wholly after it
  s.push_back(op_poll(wmu::kEwma + 3 * wmu::kEwmaStride, SHOAL_WMU_EWMA_SEQ_MASK,
                      4u << SHOAL_WMU_EWMA_SEQ_LSB));
  s.push_back(op_write(wmu::kCtrl, 0));  // freeze the counters
  s.push_back(op_peek(shoal::fw::kIntcPending));  // the core's interrupt controller: pending
  const std::string out = runner.run(s, 4'000'000);
  INFO(out);
  REQUIRE(out.find("END\n") != std::string::npos);
  // the WMU's interrupt reached the soft core's interrupt controller
  const uint32_t pending = ScriptRunner::read_value(out, shoal::fw::kIntcPending);
  CHECK(((pending >> shoal::regs::param::core_irq_wmu) & 1u) == 1u);

  // conservation: every busy processor-cycle is attributed to exactly one partition
  uint64_t proc_sum = 0, part_sum = 0;
  for (uint32_t p = 0; p < wmu::kProcBusyCount; ++p) proc_sum += rd(*m, wmu::kProcBusy + 4 * p);
  for (uint32_t k = 0; k < wmu::kPartBusyCount; ++k) part_sum += rd(*m, wmu::kPartBusy + 4 * k);
  CHECK(proc_sum == part_sum);
  const uint32_t busy0 = rd(*m, wmu::kProcBusy), busy1 = rd(*m, wmu::kProcBusy + 4);
  CHECK(busy0 > 3 * kWindow);
  CHECK(busy1 > 0);
  CHECK(busy1 < busy0);
  for (uint32_t p = 2; p < wmu::kProcBusyCount; ++p) CHECK(rd(*m, wmu::kProcBusy + 4 * p) == 0);
  // processor 1's cycles went to partition 0 before the move and to partition 3 after it
  const uint32_t part3 = rd(*m, wmu::kPartBusy + 3 * 4);
  CHECK(part3 > 0);
  CHECK(part3 < busy1);
  CHECK(rd(*m, wmu::kPartBusy) == busy0 + (busy1 - part3));
  CHECK(rd(*m, wmu::kPartMem) == rd(*m, wmu::kProcMem));  // only processor 0 has memory events
  CHECK(rd(*m, wmu::kProcMem) == busy0 / 10);
  // a whole window with processor 1 alone in partition 3 at 50 %: U = 0.5 exactly (Q0.16)
  CHECK(field(rd(*m, wmu::kEwma + 3 * wmu::kEwmaStride), SHOAL_WMU_EWMA_VALUE_MASK,
              SHOAL_WMU_EWMA_VALUE_LSB) == 0x8000);
  CHECK((rd(*m, wmu::kIrqUp) & (1u << 3)) != 0);
  CHECK(m->processor(1).partition == 3);
}

TEST_CASE("firmware allocates through ALLOC; the host reads pools and sees the audit events",
          "[card][alloc]") {
  auto m = shoal::sim::make_card_model();
  ScriptRunner runner(*m);
  const uint32_t pool0 = rd(*m, alloc::kPoolSize);
  REQUIRE(pool0 == shoal::regs::kResources[0].units);
  auto cmd = [](std::vector<ScriptOp>& s, uint32_t lo, uint32_t hi) {
    s.push_back(op_write(alloc::kCmdLo, lo));
    s.push_back(op_write(alloc::kCmdHi, hi));
    s.push_back(op_write(alloc::kCmdGo, 1));
    s.push_back(op_poll(alloc::kStatus, SHOAL_ALLOC_STATUS_BUSY_MASK, 0));
    s.push_back(op_read(alloc::kResp0));
  };
  std::vector<ScriptOp> s;
  const uint32_t kRequest = SHOAL_ALLOC_CMD_LO_OP_REQUEST, kRelease = SHOAL_ALLOC_CMD_LO_OP_RELEASE;
  cmd(s, kRequest | (1u << 8) | (0u << 16), 5);  // partition 1, type 0: 5 units
  cmd(s, kRequest | (2u << 8) | (0u << 16), 3);  // partition 2, type 0: 3 units
  cmd(s, kRelease | (1u << 8) | (0u << 16), 2);  // partition 1 gives 2 back
  cmd(s, kRequest | (1u << 8) | (0u << 16), pool0 + 1);  // more than the pool: refused
  const std::string out = runner.run(s);
  INFO(out);
  REQUIRE(out.find("END\n") != std::string::npos);
  auto status = [&](unsigned n) {
    return field(ScriptRunner::read_value(out, alloc::kResp0, n), SHOAL_ALLOC_RESP0_STATUS_MASK,
                 SHOAL_ALLOC_RESP0_STATUS_LSB);
  };
  CHECK(status(0) == SHOAL_ALLOC_RESP0_STATUS_GRANTED);
  CHECK(status(1) == SHOAL_ALLOC_RESP0_STATUS_GRANTED);
  CHECK(status(2) == SHOAL_ALLOC_RESP0_STATUS_GRANTED);
  CHECK(status(3) == SHOAL_ALLOC_RESP0_STATUS_DENIED_CAP);  // more than the cap (= the pool)

  // the host reads the pool state
  CHECK(rd(*m, alloc::kPoolFree) == pool0 - 6);
  auto alloc_of = [&](uint32_t p, uint32_t t) {
    return field(rd(*m, alloc::kPartState + 4 * (p * 8 + t)), SHOAL_ALLOC_PART_STATE_ALLOC_MASK,
                 SHOAL_ALLOC_PART_STATE_ALLOC_LSB);
  };
  CHECK(alloc_of(1, 0) == 3);
  CHECK(alloc_of(2, 0) == 3);
  CHECK((rd(*m, alloc::kStatus) & SHOAL_ALLOC_STATUS_INV_ERR_MASK) == 0);
  // every grant and release reached the audit port, as many as the block counted
  const auto ev = of_kind(m->take_events(), CardEvent::Kind::Alloc);
  CHECK(ev.size() == rd(*m, alloc::kEvCount));
  REQUIRE(ev.size() == 3);
  CHECK((ev[0].word & 0xF) == 1);  // GRANT
  CHECK((ev[2].word & 0xF) == 2);  // RELEASE
  // the host cannot allocate
  CHECK(m->write32(alloc::kCmdLo, kRequest | (1u << 8)) == AxiResp::SlvErr);
  CHECK(m->write32(alloc::kCmdGo, 1) == AxiResp::SlvErr);
  m->step(100);
  CHECK(rd(*m, alloc::kPoolFree) == pool0 - 6);
}

TEST_CASE("processor workloads can follow a utilization trace", "[card][wmu]") {
  auto m = shoal::sim::make_card_model();
  ScriptRunner runner(*m);
  // two series: the first alternates 100 % / 0 % each step, the second stays at 50 %
  auto trace = std::make_shared<const shoal::sim::UtilTrace>(
      shoal::sim::UtilTrace::parse("step,a,b\n0,100,50\n1,0,50\n", "inline"));
  m->set_workload_trace(trace, 500);
  std::vector<ScriptOp> s;
  s.push_back(op_write(wmu::kWindow, 1000));
  s.push_back(op_write(wmu::kCtrl, 1));
  s.push_back(op_poll(wmu::kSeq, 0xFFFFFFFFu, 4));
  s.push_back(op_write(wmu::kCtrl, 0));
  const std::string out = runner.run(s);
  INFO(out);
  REQUIRE(out.find("END\n") != std::string::npos);
  // processor p plays series p % 2: even ones all alike, odd ones all alike, at half of the time
  const uint32_t even = rd(*m, wmu::kProcBusy), odd = rd(*m, wmu::kProcBusy + 4);
  for (uint32_t p = 2; p < wmu::kProcBusyCount; ++p)
    CHECK(rd(*m, wmu::kProcBusy + 4 * p) == (p % 2 ? odd : even));
  CHECK(odd >= 4 * 1000 / 2 - 1);
  // the alternating series is busy in whole 500-cycle steps: within one step of the steady half
  CHECK(even + 500 >= odd);
  CHECK(even <= odd + 500);
}
