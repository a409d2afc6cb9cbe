// Equivalence: random command / port-event streams into the Verilated drrm_core and the HLS
// reference in lock step; every output (completions, events, routing decisions, allow/deny
// answers, processor ports) must be identical in every cycle.
#include <catch2/catch.hpp>

#include <cstdint>
#include <cstdio>
#include <random>

#include "drrm_dual.hpp"

using shoal::drrm_tb::Dual;
using shoal::sim::ProcessorPort;
namespace h = shoal::hls::drrm;

namespace {

struct Counts {
  std::uint64_t cycles = 0, cmds = 0, cpls = 0, checks = 0, irqs = 0, delivered = 0, denied = 0;
  std::uint64_t status[16] = {};
};

class Stim {
 public:
  explicit Stim(std::uint64_t seed) : rng_(seed) {}
  std::uint32_t u(std::uint32_t n) { return static_cast<std::uint32_t>(rng_() % n); }
  bool pct(unsigned p) { return u(100) < p; }

  unsigned proc() {
    if (pct(5)) return u(256);
    if (pct(60)) return u(8);  // a hot set, so commands collide
    return u(Dual::P);
  }
  unsigned part() { return pct(4) ? u(256) : u(Dual::K); }

  h::Cmd cmd() {
    const unsigned r = u(100);
    unsigned op;
    if (r < 32) op = h::kOpMigrate;
    else if (r < 50) op = h::kOpMigrateSet;
    else if (r < 62) op = h::kOpSetWindow;
    else if (r < 80) op = h::kOpRoute;
    else if (r < 86) op = h::kOpOffline;
    else if (r < 97) op = h::kOpOnline;
    else op = u(16);
    std::uint64_t data = 0;
    if (op == h::kOpMigrateSet) {
      const unsigned bits = 1 + u(8);
      for (unsigned i = 0; i < bits; ++i) data |= 1ull << (pct(60) ? u(12) : u(Dual::P));
      if (pct(3)) data = 0;
    } else if (op == h::kOpSetWindow) {
      const std::uint64_t base = std::uint64_t{u(16)} << 12;
      const std::uint64_t size = pct(10) ? u(0xFFFFFFFFu) : u(0x2000);
      data = (size << 32) | base;
    } else {
      data = rng_();
    }
    const unsigned vec = pct(3) ? u(0x10000) : (pct(50) ? u(16) : u(Dual::V));
    return Dual::cmd(op, u(256), proc(), part(), vec, u(4), data);
  }

  // Mostly inside (or just around) the window of the processor's current partition.
  std::uint32_t addr(const Dual& d, unsigned proc) {
    if (pct(10) || proc >= Dual::P) return static_cast<std::uint32_t>(rng_());
    const unsigned k = d.state().part[proc].to_u32();
    const std::uint32_t base = d.state().base[k].to_u32();
    const std::uint32_t size = d.state().size[k].to_u32();
    if (pct(70) && size != 0) return base + u(size);
    return base + size - 8 + u(16);
  }

 private:
  std::mt19937_64 rng_;
};

void run_seed(std::uint64_t seed, std::uint64_t cycles, Counts& c) {
  Dual d;
  Stim s(seed);
  for (unsigned p = 0; p < Dual::P; ++p) d.procs[p].set_drain_delay(1 + s.u(6));
  d.in.timeout = s.u(12);
  for (std::uint64_t i = 0; i < cycles; ++i) {
    const auto& o = d.out();
    if (o.irq_out_valid) ++c.delivered;
    if (o.chk_valid && !o.chk_allow) ++c.denied;
    // this cycle's inputs
    d.in.cmd_valid = s.pct(35);
    if (d.in.cmd_valid) d.in.cmd = s.cmd();
    d.in.cpl_ready = s.pct(60);
    if (o.cpl_valid && d.in.cpl_ready) {
      ++c.cpls;
      ++c.status[o.cpl.status.to_u32() & 15];
    }
    d.in.chk_valid = s.pct(50);
    d.in.chk_proc = s.pct(3) ? s.u(256) : s.proc();
    d.in.chk_addr = s.addr(d, d.in.chk_proc.to_u32());
    d.in.chk_we = s.pct(50);
    d.in.irq_valid = s.pct(30);
    d.in.irq_vec = s.pct(70) ? s.u(16) : s.u(Dual::V);
    c.checks += d.in.chk_valid;
    c.irqs += d.in.irq_valid;
    if (s.pct(1)) d.in.timeout = s.pct(20) ? s.u(200) : s.u(12);
    if (s.pct(2)) {
      const unsigned p = s.u(Dual::P);
      const unsigned r = s.u(10);
      d.procs[p].set_drain_delay(r == 0 ? ProcessorPort::kNever : (r == 1 ? 20 + s.u(30) : 1 + s.u(6)));
    }
    d.quiesced_xor = s.pct(3) ? (1ull << s.u(Dual::P)) : 0;
    const bool was_valid = d.in.cmd_valid;
    const bool was_ready = o.cmd_ready;
    d.tick();
    if (was_valid && was_ready) ++c.cmds;
    d.in.cmd_valid = false;
    if (!d.ok()) break;
  }
  c.cycles += d.cycle;
  INFO("seed " << seed << ": " << d.mismatch);
  REQUIRE(d.ok());
  // drain: every accepted command gets exactly one completion
  d.in.chk_valid = false;
  d.in.irq_valid = false;
  d.quiesced_xor = 0;
  d.in.cpl_ready = true;
  for (unsigned p = 0; p < Dual::P; ++p) d.procs[p].set_drain_delay(1);
  for (unsigned i = 0; i < 5000; ++i) {
    if (d.out().cpl_valid) {
      ++c.cpls;
      ++c.status[d.out().cpl.status.to_u32() & 15];
    }
    d.tick();
  }
  INFO("seed " << seed << ": " << d.mismatch);
  REQUIRE(d.ok());
  REQUIRE_FALSE(d.out().busy);
}

}  // namespace

TEST_CASE("drrm: RTL and reference are equivalent under random streams", "[drrm][equiv]") {
  Counts c;
  const std::uint64_t seeds[] = {1, 2, 3, 5, 8, 13, 21, 34, 55, 89};
  for (std::uint64_t seed : seeds) {
    const Counts before = c;
    run_seed(seed, 60000, c);
    REQUIRE(c.cpls - before.cpls == c.cmds - before.cmds);
  }
  std::printf("drrm-equiv: %llu cycles, %llu commands (OK %llu, BAD_OPCODE %llu, BAD_ARG %llu, "
              "BUSY %llu, TIMEOUT %llu, BAD_STATE %llu), %llu checks (%llu denied), %llu vectors "
              "raised, %llu delivered\n",
              (unsigned long long)c.cycles, (unsigned long long)c.cmds,
              (unsigned long long)c.status[0], (unsigned long long)c.status[1],
              (unsigned long long)c.status[2], (unsigned long long)c.status[3],
              (unsigned long long)c.status[4], (unsigned long long)c.status[5],
              (unsigned long long)c.checks, (unsigned long long)c.denied,
              (unsigned long long)c.irqs, (unsigned long long)c.delivered);
  // the streams must exercise every status, and be long enough to mean something
  for (unsigned st = 0; st <= 5; ++st) REQUIRE(c.status[st] > 0);
  REQUIRE(c.cmds + c.checks + c.irqs >= 100000);
  REQUIRE(c.cmds >= 20000);
  REQUIRE(c.delivered > 0);
  REQUIRE(c.denied > 0);
  REQUIRE(c.denied < c.checks);
}

TEST_CASE("drrm: the lock-step comparison detects a difference", "[drrm][equiv]") {
  Dual d;
  d.tick();
  REQUIRE(d.ok());
  d.reference_state().part[5] = 3;  // the reference alone now disagrees on part_o[5]
  d.tick();
  REQUIRE_FALSE(d.ok());
  REQUIRE(d.mismatch.find("part") != std::string::npos);
  Dual e;
  e.reference_state().viol_count = 7;
  e.tick();
  REQUIRE_FALSE(e.ok());
}
