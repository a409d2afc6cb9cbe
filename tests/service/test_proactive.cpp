// The predictive policy on the card (labels predict, service): a partition whose load rises the
// same way again and again is granted processors *before* its WMU threshold fires, as the audit
// log's timestamps show. The co-simulated card runs the default firmware; the simulated
// processors follow a periodic ramp (shoal-sim --workload-trace); only the firmware decides.
#include <catch2/catch.hpp>

#include <chrono>
#include <fstream>
#include <thread>

#include "service_helpers.hpp"

using namespace shoal::test;

namespace {

constexpr std::uint32_t kCpu = SHOAL_RES_CPU;
constexpr std::uint32_t kAdmin = SHOAL_QUEUE_ADMIN;
constexpr std::uint32_t kHi = 0xD99A;  // the partition's high threshold, 85 % (Q0.16), set below
constexpr int kStepCycles = 10000;
constexpr int kPeriod = 40;            // trace steps: 10 idle, 20 rising 0 -> 100 %, 10 busy

// The ramp, once per period; the trace repeats.
void write_ramp(const std::string& path) {
  std::ofstream f(path);
  f << "step,\"ramp\"\n";
  for (int i = 0; i < kPeriod; ++i) {
    const int pct = i < 10 ? 0 : i < 30 ? (i - 10) * 5 + 5 : 100;
    f << i << "," << pct << "\n";
  }
}

constexpr std::uint32_t kLo = 0x4CCD;  // its low threshold, 30 %
constexpr std::uint64_t kRise = 20ull * kStepCycles;

struct Seen {
  bool ahead = false;          // a grant while below the threshold, which then fired
  std::uint32_t proactive_up = 0, crossings_up = 0;
};

// Reads the log from card time `from` on (the predictor has learnt the ramp by then): a DECISION
// to grant (flags bit 0) made while the partition was not above its high threshold (no THRESHOLD
// up since the last THRESHOLD down) and its EWMA rising between LO and HI, followed within one
// rise of the ramp by the THRESHOLD up it anticipated. The reactive policy cannot do this: it
// grants only at or above HI (firmware/policy decide()) or on the crossing itself.
Seen read_log(const std::vector<shoal_audit_record>& recs, std::uint32_t part, std::uint64_t from) {
  Seen s;
  bool high = false;
  std::uint64_t pending_at = 0;  // time of such a grant, 0 = none
  for (const auto& r : recs) {
    if (r.part != part) continue;
    if (r.kind == SHOAL_AUDIT_KIND_THRESHOLD) {
      const bool up = (r.flags & 1u) != 0;
      if (up) {
        ++s.crossings_up;
        if (pending_at != 0 && pending_at < r.time && r.time - pending_at < kRise) s.ahead = true;
      }
      high = up;
      pending_at = 0;
    } else if (r.kind == SHOAL_AUDIT_KIND_DECISION && (r.flags & 1u)) {
      if (r.flags & 4u) ++s.proactive_up;
      if (r.time >= from && !high && r.data_lo >= kLo && r.data_lo < kHi && pending_at == 0) pending_at = r.time;
    }
  }
  return s;
}

}  // namespace

TEST_CASE("predictive: a rising, predictable load is granted processors before its threshold fires",
          "[service][predict]") {
  TempDir dir;
  const std::string trace = dir.file("ramp.csv");
  write_ramp(trace);
  CardSim card({"--workload-trace", trace, "--trace-step-cycles", std::to_string(kStepCycles)});
  Service s{card};
  // epochs of one 20000-cycle window: 20 decisions per period of the ramp
  REQUIRE(st(s.policy(SHOAL_OP_POLICY_SET_POLICY_PREDICTIVE, 1, 20000, 1)) == SHOAL_ST_OK);
  REQUIRE(st(s.create(0, 4)) == SHOAL_ST_OK);
  REQUIRE(st(s.limits(0, kCpu, 1, 16)) == SHOAL_ST_OK);
  REQUIRE(st(s.thresholds(0, kHi, kLo)) == SHOAL_ST_OK);  // the test's own, not the firmware's defaults
  REQUIRE(st(s.request(kAdmin, 0, kCpu, 1)) == SHOAL_ST_OK);

  // run until the log shows the anticipation, bounded: at most 12 periods of the ramp in card
  // time (the card's CYCLE counter), and 10 minutes of wall time
  const auto cycle = [&] {
    return std::uint64_t(card.rd(SHOAL_CTRL_CYCLE_HI_ADDR)) << 32 | card.rd(SHOAL_CTRL_CYCLE_LO_ADDR);
  };
  const std::uint64_t t0 = cycle(), horizon = t0 + std::uint64_t(12) * kPeriod * kStepCycles;
  const std::uint64_t learnt = t0 + std::uint64_t(2) * kPeriod * kStepCycles;  // two periods to learn
  const auto wall_end = std::chrono::steady_clock::now() + std::chrono::minutes(10);
  std::vector<shoal_audit_record> recs;
  Seen seen;
  while (!seen.ahead && cycle() < horizon && std::chrono::steady_clock::now() < wall_end) {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    // the ring holds 1024 records: keep what it has and drain it
    shoal_audit_state a{};
    SHOAL_INIT(a);
    REQUIRE(shoal_audit_get_state(card.dev(), &a) == SHOAL_OK);
    for (std::uint32_t q = a.head; q != a.tail; ++q) {
      shoal_audit_record r{};
      SHOAL_INIT(r);
      REQUIRE(shoal_audit_read(card.dev(), q, &r) == SHOAL_OK);
      recs.push_back(r);
    }
    REQUIRE(shoal_audit_drain(card.dev(), a.tail) == SHOAL_OK);
    seen = read_log(recs, 0, learnt);
  }
  INFO("card cycles run " << cycle() - t0 << ", records " << recs.size() << ", proactive grants "
                          << seen.proactive_up << ", threshold crossings up " << seen.crossings_up);
  CHECK(seen.proactive_up > 0);
  CHECK(seen.ahead);
  s.require_invariants();
  // every decision was the card's own policy (actor 0xFF)
  for (const auto& r : recs)
    if (r.kind == SHOAL_AUDIT_KIND_DECISION) CHECK(r.actor == 0xFF);
}
