// Directed tests of the DRRM contract (docs/drrm.md). Every test runs the Verilated RTL and the
// HLS reference in lock step (Dual compares all outputs in every cycle) and asserts the
// contract on the outputs.
#include <catch2/catch.hpp>

#include <cstdint>

#include "drrm_dual.hpp"

using shoal::drrm_tb::Dual;
using shoal::sim::ProcessorPort;
namespace h = shoal::hls::drrm;

namespace {

constexpr unsigned P = Dual::P;
constexpr unsigned K = Dual::K;
constexpr unsigned V = Dual::V;

#define REQUIRE_SAME(d)   \
  do {                    \
    INFO((d).mismatch);   \
    REQUIRE((d).ok());    \
  } while (0)

unsigned status(const Dual::Done& r) { return r.cpl.status.to_u32(); }

void idle(Dual& d, unsigned n) {
  for (unsigned i = 0; i < n; ++i) d.tick();
}

void window(Dual& d, unsigned part, std::uint32_t base, std::uint32_t size, unsigned perm) {
  auto r = d.run(Dual::cmd(h::kOpSetWindow, 1, 0, part, 0, perm,
                           (std::uint64_t{size} << 32) | base));
  REQUIRE(r.valid);
  REQUIRE(status(r) == h::kStOk);
}

}  // namespace

TEST_CASE("drrm: reset state", "[drrm]") {
  Dual d;
  idle(d, 3);
  for (unsigned p = 0; p < P; ++p) {
    REQUIRE(d.out().part[p].to_u32() == 0);
  }
  REQUIRE(d.out().pause.to_u64() == 0);
  REQUIRE(d.out().resume.to_u64() == 0);
  REQUIRE(d.out().cmd_ready);
  REQUIRE_FALSE(d.out().cpl_valid);
  REQUIRE_FALSE(d.out().busy);
  // windows reset to size 0: everything is denied as OUTSIDE
  REQUIRE_FALSE(d.check(0, 0, false));
  REQUIRE(d.out().evv_valid);
  REQUIRE(d.out().evv_reason.to_u32() == h::kVrOutside);
  REQUIRE_SAME(d);
}

TEST_CASE("drrm: SET_WINDOW and the isolation rules", "[drrm]") {
  Dual d;
  window(d, 0, 0x1000, 0x100, 1);  // partition 0: read only
  window(d, 1, 0x8000, 0x10, 3);   // partition 1: read/write
  REQUIRE(d.check(0, 0x1000, false));
  REQUIRE(d.check(0, 0x10FF, false));
  REQUIRE_FALSE(d.out().evv_valid);
  const auto before = d.out().viol_count.to_u32();
  REQUIRE_FALSE(d.check(0, 0x1100, false));  // one past the end
  REQUIRE(d.out().evv_reason.to_u32() == h::kVrOutside);
  REQUIRE(d.out().evv_addr.to_u32() == 0x1100);
  REQUIRE_FALSE(d.check(0, 0x0FFF, false));  // below the base
  REQUIRE(d.out().evv_reason.to_u32() == h::kVrOutside);
  REQUIRE_FALSE(d.check(0, 0x1000, true));  // write to a read-only window
  REQUIRE(d.out().evv_reason.to_u32() == h::kVrPerm);
  REQUIRE(d.out().evv_we);
  REQUIRE(d.out().viol_count.to_u32() == before + 3);
  REQUIRE_FALSE(d.check(P, 0x1000, false));  // no such processor
  REQUIRE(d.out().evv_reason.to_u32() == h::kVrBadProc);
  REQUIRE(d.out().evv_proc.to_u32() == P);
  REQUIRE_FALSE(d.check(255, 0x1000, false));
  // a processor moved to partition 1 sees partition 1's window only
  auto r = d.run(Dual::cmd(h::kOpMigrate, 2, 9, 1));
  REQUIRE(status(r) == h::kStOk);
  REQUIRE(d.check(9, 0x8000, true));
  REQUIRE_FALSE(d.check(9, 0x1000, false));
  REQUIRE(d.check(8, 0x1000, false));
  // bad partition: BAD_ARG, the window is unchanged
  r = d.run(Dual::cmd(h::kOpSetWindow, 3, 0, K, 0, 3, 0));
  REQUIRE(status(r) == h::kStBadArg);
  REQUIRE(r.cpl.cycles.to_u32() == 1);
  REQUIRE(d.check(9, 0x800F, false));
  REQUIRE_SAME(d);
}

TEST_CASE("drrm: opcodes, tags and BAD_OPCODE", "[drrm]") {
  Dual d;
  for (unsigned op : {0u, 7u, 8u, 15u}) {
    auto r = d.run(Dual::cmd(op, 0x40 + op, 1, 1));
    REQUIRE(r.valid);
    REQUIRE(status(r) == h::kStBadOpcode);
    REQUIRE(r.cpl.tag.to_u32() == 0x40 + op);
    REQUIRE(r.cpl.op.to_u32() == op);
    REQUIRE(r.cpl.cycles.to_u32() == 1);
  }
  REQUIRE(d.out().part[1].to_u32() == 0);
  REQUIRE_SAME(d);
}

TEST_CASE("drrm: MIGRATE timing, re-addressing, events", "[drrm]") {
  Dual d;
  d.in.timeout = 100;
  d.procs[3].set_drain_delay(5);
  const std::uint64_t t = d.push(Dual::cmd(h::kOpMigrate, 0x21, 3, 5));
  std::uint64_t pause_at = 0, quiesced_at = 0, resume_at = 0;
  bool evm = false;
  for (unsigned i = 0; i < 40; ++i) {
    if (!pause_at && d.out().pause.bit(3)) pause_at = d.cycle;
    if (!quiesced_at && d.procs[3].quiesced()) quiesced_at = d.cycle;
    if (!resume_at && d.out().resume.bit(3)) {
      resume_at = d.cycle;
      REQUIRE(d.out().part[3].to_u32() == 5);  // re-addressed by the time resume is raised
    }
    if (d.out().pause.bit(3)) REQUIRE(d.out().part[3].to_u32() == 0);
    if (d.out().evm_valid) {
      evm = true;
      REQUIRE_FALSE(d.out().evm_timeout);
      REQUIRE(d.out().evm_tag.to_u32() == 0x21);
      REQUIRE(d.out().evm_part.to_u32() == 5);
      REQUIRE(d.out().evm_mask.to_u64() == (1ull << 3));
    }
    d.tick();
  }
  REQUIRE(pause_at == t + 2);
  REQUIRE(quiesced_at == pause_at + 5);
  REQUIRE(resume_at - t - (quiesced_at - pause_at) == 3);  // the contract's 3 cycles
  REQUIRE(evm);
  auto r = d.pop();
  REQUIRE(r.valid);
  REQUIRE(status(r) == h::kStOk);
  REQUIRE(r.cpl.tag.to_u32() == 0x21);
  REQUIRE(r.cpl.cycles.to_u32() == 1 + 6 + 1);  // start, 6 WAIT cycles, RESUME
  REQUIRE(d.procs[3].pauses() == 1);
  REQUIRE(d.procs[3].resumes() == 1);
  REQUIRE(d.procs[3].partition() == 5);
  REQUIRE(d.out().pause.to_u64() == 0);
  REQUIRE_SAME(d);
}

TEST_CASE("drrm: bad arguments change nothing", "[drrm]") {
  Dual d;
  for (unsigned proc : {P, 100u, 255u}) {
    REQUIRE(status(d.run(Dual::cmd(h::kOpMigrate, 1, proc, 1))) == h::kStBadArg);
    REQUIRE(status(d.run(Dual::cmd(h::kOpOffline, 1, proc, 0))) == h::kStBadArg);
    REQUIRE(status(d.run(Dual::cmd(h::kOpOnline, 1, proc, 0))) == h::kStBadArg);
  }
  for (unsigned part : {K, 200u}) {
    REQUIRE(status(d.run(Dual::cmd(h::kOpMigrate, 1, 2, part))) == h::kStBadArg);
    REQUIRE(status(d.run(Dual::cmd(h::kOpMigrateSet, 1, 0, part, 0, 0, 0xF))) == h::kStBadArg);
    REQUIRE(status(d.run(Dual::cmd(h::kOpRoute, 1, 0, part, 4))) == h::kStBadArg);
  }
  REQUIRE(status(d.run(Dual::cmd(h::kOpRoute, 1, 0, 1, V))) == h::kStBadArg);
  REQUIRE(status(d.run(Dual::cmd(h::kOpRoute, 1, 0, 1, 0xFFFF))) == h::kStBadArg);
  REQUIRE(status(d.run(Dual::cmd(h::kOpMigrateSet, 1, 0, 1, 0, 0, 0))) == h::kStBadArg);
  for (unsigned p = 0; p < P; ++p) REQUIRE(d.out().part[p].to_u32() == 0);
  REQUIRE(d.out().pause.to_u64() == 0);
  REQUIRE(d.procs[2].pauses() == 0);
  REQUIRE(d.state().route[4].to_u32() == 0);
  REQUIRE_SAME(d);
}

TEST_CASE("drrm: timeout rolls back", "[drrm]") {
  Dual d;
  d.in.timeout = 5;
  d.procs[7].set_drain_delay(ProcessorPort::kNever);
  auto r = d.run(Dual::cmd(h::kOpMigrate, 9, 7, 2));
  REQUIRE(r.valid);
  REQUIRE(status(r) == h::kStTimeout);
  REQUIRE(r.cpl.cycles.to_u32() == 1 + 6 + 1);  // start, T+1 WAIT cycles, RESUME
  REQUIRE(d.out().part[7].to_u32() == 0);
  REQUIRE(d.state().pstate[7].to_u32() == h::kPsRunning);
  REQUIRE(d.procs[7].resumes() == 1);
  REQUIRE(d.procs[7].partition_changes() == 0);
  // a processor that quiesces exactly in the last WAIT cycle still makes it
  d.procs[7].set_drain_delay(5);  // quiesced seen in WAIT cycle T+1
  r = d.run(Dual::cmd(h::kOpMigrate, 10, 7, 2));
  REQUIRE(status(r) == h::kStOk);
  REQUIRE(d.out().part[7].to_u32() == 2);
  d.procs[7].set_drain_delay(6);  // one cycle too late
  r = d.run(Dual::cmd(h::kOpMigrate, 11, 7, 3));
  REQUIRE(status(r) == h::kStTimeout);
  REQUIRE(d.out().part[7].to_u32() == 2);
  REQUIRE_SAME(d);
}

TEST_CASE("drrm: timeout event", "[drrm]") {
  Dual d;
  d.in.timeout = 0;
  d.procs[1].set_drain_delay(ProcessorPort::kNever);
  d.push(Dual::cmd(h::kOpMigrate, 0x77, 1, 4));
  bool seen = false;
  for (unsigned i = 0; i < 10; ++i) {
    if (d.out().evm_valid) {
      seen = true;
      REQUIRE(d.out().evm_timeout);
      REQUIRE(d.out().evm_tag.to_u32() == 0x77);
    }
    d.tick();
  }
  REQUIRE(seen);
  REQUIRE_SAME(d);
}

TEST_CASE("drrm: MIGRATE_SET is atomic", "[drrm]") {
  Dual d;
  d.in.timeout = 50;
  const std::uint64_t set = 0xFF00ull << 8;  // processors 16..23
  for (unsigned p = 16; p < 24; ++p) d.procs[p].set_drain_delay(1 + (p % 5) * 3);
  SECTION("all quiesce: all move, resumed in the same cycle") {
    const std::uint64_t t = d.push(Dual::cmd(h::kOpMigrateSet, 5, 0, 6, 0, 0, set));
    std::uint64_t resume_at = 0;
    for (unsigned i = 0; i < 60 && !resume_at; ++i) {
      if (d.out().resume.to_u64()) {
        resume_at = d.cycle;
        REQUIRE(d.out().resume.to_u64() == set);
      }
      d.tick();
    }
    // slowest drain 13 cycles: pause at t+2, last quiesced at t+15, resume at t+16
    REQUIRE(resume_at == t + 3 + 13);
    auto r = d.pop();
    REQUIRE(status(r) == h::kStOk);
    for (unsigned p = 0; p < P; ++p) {
      REQUIRE(d.out().part[p].to_u32() == (((set >> p) & 1) ? 6u : 0u));
    }
  }
  SECTION("one refuses: none moves") {
    d.procs[20].set_drain_delay(ProcessorPort::kNever);
    auto r = d.run(Dual::cmd(h::kOpMigrateSet, 6, 0, 6, 0, 0, set));
    REQUIRE(status(r) == h::kStTimeout);
    for (unsigned p = 0; p < P; ++p) REQUIRE(d.out().part[p].to_u32() == 0);
    for (unsigned p = 16; p < 24; ++p) {
      REQUIRE(d.procs[p].resumes() == 1);
      REQUIRE(d.procs[p].partition_changes() == 0);
    }
    REQUIRE(d.out().pause.to_u64() == 0);
  }
  SECTION("an offline member: BAD_STATE, none moves") {
    REQUIRE(status(d.run(Dual::cmd(h::kOpOffline, 1, 18, 0))) == h::kStOk);
    auto r = d.run(Dual::cmd(h::kOpMigrateSet, 7, 0, 6, 0, 0, set));
    REQUIRE(status(r) == h::kStBadState);
    for (unsigned p = 0; p < P; ++p) REQUIRE(d.out().part[p].to_u32() == 0);
    REQUIRE(d.procs[17].pauses() == 0);
  }
  REQUIRE_SAME(d);
}

TEST_CASE("drrm: a second command for a migrating processor is refused", "[drrm]") {
  Dual d;
  d.in.timeout = 200;
  d.procs[4].set_drain_delay(30);
  d.push(Dual::cmd(h::kOpMigrate, 1, 4, 2));
  d.push(Dual::cmd(h::kOpMigrate, 2, 4, 3));                        // same processor
  d.push(Dual::cmd(h::kOpMigrateSet, 3, 0, 3, 0, 0, 0x30));        // overlaps (4, 5)
  d.push(Dual::cmd(h::kOpMigrate, 4, 5, 3));                        // another processor: waits
  auto a = d.pop();
  auto b = d.pop();
  REQUIRE(a.cpl.tag.to_u32() == 2);
  REQUIRE(status(a) == h::kStBusy);
  REQUIRE(a.cpl.cycles.to_u32() == 0);
  REQUIRE(b.cpl.tag.to_u32() == 3);
  REQUIRE(status(b) == h::kStBusy);
  REQUIRE(d.out().busy);
  auto c = d.pop();
  REQUIRE(c.cpl.tag.to_u32() == 1);
  REQUIRE(status(c) == h::kStOk);
  auto e = d.pop();
  REQUIRE(e.cpl.tag.to_u32() == 4);
  REQUIRE(status(e) == h::kStOk);
  REQUIRE(d.out().part[4].to_u32() == 2);
  REQUIRE(d.out().part[5].to_u32() == 3);
  REQUIRE_SAME(d);
}

TEST_CASE("drrm: OFFLINE and ONLINE", "[drrm]") {
  Dual d;
  d.in.timeout = 20;
  window(d, 0, 0, 0x1000, 3);
  window(d, 2, 0x2000, 0x1000, 3);
  REQUIRE(d.check(12, 0x10, false));
  auto r = d.run(Dual::cmd(h::kOpOffline, 1, 12, 0));
  REQUIRE(status(r) == h::kStOk);
  REQUIRE(d.out().pause.bit(12));
  REQUIRE(d.state().pstate[12].to_u32() == h::kPsOffline);
  REQUIRE_FALSE(d.check(12, 0x10, false));
  REQUIRE(d.out().evv_reason.to_u32() == h::kVrNotRunning);
  REQUIRE(status(d.run(Dual::cmd(h::kOpOffline, 2, 12, 0))) == h::kStBadState);
  REQUIRE(status(d.run(Dual::cmd(h::kOpMigrate, 3, 12, 1))) == h::kStBadState);
  REQUIRE(status(d.run(Dual::cmd(h::kOpOnline, 4, 13, 1))) == h::kStBadState);
  r = d.run(Dual::cmd(h::kOpOnline, 5, 12, 2));
  REQUIRE(status(r) == h::kStOk);
  REQUIRE(r.cpl.cycles.to_u32() == 2);
  REQUIRE_FALSE(d.out().pause.bit(12));
  REQUIRE(d.out().part[12].to_u32() == 2);
  REQUIRE(d.check(12, 0x2010, true));
  REQUIRE(d.procs[12].resumes() == 1);
  // OFFLINE of a processor that never quiesces times out and leaves it running
  d.procs[13].set_drain_delay(ProcessorPort::kNever);
  REQUIRE(status(d.run(Dual::cmd(h::kOpOffline, 6, 13, 0))) == h::kStTimeout);
  REQUIRE(d.state().pstate[13].to_u32() == h::kPsRunning);
  REQUIRE_SAME(d);
}

TEST_CASE("drrm: a migrating processor is denied every access", "[drrm]") {
  Dual d;
  d.in.timeout = 100;
  window(d, 0, 0, 0x10000, 3);
  window(d, 1, 0, 0x10000, 3);
  d.procs[2].set_drain_delay(10);
  d.push(Dual::cmd(h::kOpMigrate, 1, 2, 1));
  REQUIRE(d.check(2, 0x100, false));  // started this cycle: state still RUNNING
  unsigned denied = 0;
  const auto v0 = d.out().viol_count.to_u32();
  for (unsigned i = 0; i < 12; ++i) {
    if (!d.check(2, 0x100, false)) {
      ++denied;
      REQUIRE(d.out().evv_reason.to_u32() == h::kVrNotRunning);
    }
  }
  REQUIRE(denied == 12);  // pausing, then paused
  REQUIRE(d.out().viol_count.to_u32() == v0 + 12);
  auto r = d.pop();
  REQUIRE(status(r) == h::kStOk);
  REQUIRE(d.check(2, 0x100, false));
  REQUIRE_SAME(d);
}

TEST_CASE("drrm: interrupt routing, round robin, pending held", "[drrm]") {
  Dual d;
  d.in.timeout = 100;
  // vector 10 -> partition 3, which has no processor: held pending
  REQUIRE(status(d.run(Dual::cmd(h::kOpRoute, 1, 0, 3, 10))) == h::kStOk);
  d.irq(10);
  REQUIRE_FALSE(d.out().irq_out_valid);
  REQUIRE(d.state().pending[10]);
  for (unsigned i = 0; i < 2 * V; ++i) {
    REQUIRE_FALSE(d.out().irq_out_valid);
    d.tick();
  }
  REQUIRE(d.state().pending[10]);
  // processor 7 arrives in partition 3: the vector is delivered to it within V cycles
  REQUIRE(status(d.run(Dual::cmd(h::kOpMigrate, 2, 7, 3))) == h::kStOk);
  bool got = false;
  for (unsigned i = 0; i < V + 2 && !got; ++i) {
    if (d.out().irq_out_valid) {
      got = true;
      REQUIRE(d.out().irq_out_vec.to_u32() == 10);
      REQUIRE(d.out().irq_out_proc.to_u32() == 7);
    }
    d.tick();
  }
  REQUIRE(got);
  REQUIRE_FALSE(d.state().pending[10]);
  // a second processor in partition 3: deliveries alternate 7, 9, 7, 9
  REQUIRE(status(d.run(Dual::cmd(h::kOpMigrate, 3, 9, 3))) == h::kStOk);
  unsigned who[4];
  for (unsigned i = 0; i < 4; ++i) {
    d.irq(10);
    REQUIRE(d.out().irq_out_valid);
    who[i] = d.out().irq_out_proc.to_u32();
  }
  REQUIRE(who[0] != who[1]);
  REQUIRE(who[0] == who[2]);
  REQUIRE(who[1] == who[3]);
  REQUIRE(((who[0] == 7 && who[1] == 9) || (who[0] == 9 && who[1] == 7)));
  // vector 0 (partition 0, 62 running processors) is delivered at once, round robin
  d.irq(0);
  REQUIRE(d.out().irq_out_valid);
  const unsigned first = d.out().irq_out_proc.to_u32();
  d.irq(0);
  REQUIRE(d.out().irq_out_proc.to_u32() != first);
  REQUIRE_SAME(d);
}

TEST_CASE("drrm: a pending vector follows a re-route", "[drrm]") {
  Dual d;
  d.in.timeout = 100;
  REQUIRE(status(d.run(Dual::cmd(h::kOpRoute, 1, 0, 9, 33))) == h::kStOk);
  d.irq(33);
  REQUIRE(d.state().pending[33]);
  REQUIRE(status(d.run(Dual::cmd(h::kOpRoute, 2, 0, 0, 33))) == h::kStOk);
  bool got = false;
  for (unsigned i = 0; i < V + 2 && !got; ++i) {
    got = d.out().irq_out_valid && d.out().irq_out_vec.to_u32() == 33;
    d.tick();
  }
  REQUIRE(got);
  REQUIRE_SAME(d);
}

TEST_CASE("drrm: completion FIFO full holds commands back", "[drrm]") {
  Dual d;
  for (unsigned i = 0; i < 8; ++i) d.push(Dual::cmd(h::kOpRoute, i, 0, 1, i));
  idle(d, 10);
  REQUIRE(d.state().cpl_count.to_u32() == h::kCplDepth);
  REQUIRE(d.state().cmd_count.to_u32() == h::kCmdDepth);
  REQUIRE_FALSE(d.out().cmd_ready);
  for (unsigned i = 0; i < 8; ++i) {
    auto r = d.pop();
    REQUIRE(r.valid);
    REQUIRE(r.cpl.tag.to_u32() == i);
    REQUIRE(status(r) == h::kStOk);
  }
  REQUIRE(d.state().route[7].to_u32() == 1);
  REQUIRE_SAME(d);
}

TEST_CASE("drrm: processor-port model", "[drrm]") {
  ProcessorPort m(3);
  REQUIRE_FALSE(m.quiesced());
  m.clock(true, false, 0);
  REQUIRE_FALSE(m.quiesced());
  m.clock(true, false, 0);
  REQUIRE_FALSE(m.quiesced());
  m.clock(true, false, 0);
  REQUIRE(m.quiesced());
  m.clock(false, true, 2);
  REQUIRE_FALSE(m.quiesced());
  REQUIRE(m.resumes() == 1);
  REQUIRE(m.partition_changes() == 1);
  ProcessorPort never(ProcessorPort::kNever);
  for (int i = 0; i < 1000; ++i) never.clock(true, false, 0);
  REQUIRE_FALSE(never.quiesced());
  REQUIRE(never.pauses() == 1);
}

TEST_CASE("drrm: reference C-simulation at P=16, K=4", "[drrm][hls]") {
  h::SmallState s;
  h::SmallIn in;
  h::SmallOut o;
  h::drrm_reset_small(s);
  in.timeout = 10;
  in.cmd_valid = true;
  in.cmd.op = h::kOpMigrate;
  in.cmd.proc = 15;
  in.cmd.part = 3;
  h::drrm_top_small(s, in, o);
  in.cmd_valid = false;
  bool done = false;
  for (int i = 0; i < 20; ++i) {
    in.quiesced = o.pause;  // quiesce as soon as paused
    in.cpl_ready = o.cpl_valid;
    if (o.cpl_valid) {
      done = true;
      REQUIRE(o.cpl.status.to_u32() == h::kStOk);
    }
    h::drrm_top_small(s, in, o);
  }
  REQUIRE(done);
  REQUIRE(s.part[15].to_u32() == 3);
  in.cpl_ready = false;
  in.cmd_valid = true;
  in.cmd.proc = 16;  // out of range at P=16
  h::drrm_top_small(s, in, o);
  in.cmd_valid = false;
  h::drrm_top_small(s, in, o);
  h::drrm_top_small(s, in, o);
  REQUIRE(o.cpl_valid);
  REQUIRE(o.cpl.status.to_u32() == h::kStBadArg);
}
