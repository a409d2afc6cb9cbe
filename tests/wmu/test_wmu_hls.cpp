// Directed C-simulation tests of the WMU reference (hls/wmu) against docs/wmu.md: utilization
// arithmetic, attribution of a moving processor, EWMA rounding, hysteresis, ring overrun,
// counter saturation, timing of the window-end pipeline.
#include <catch2/catch.hpp>

#include <cstdint>
#include <vector>

#include "wmu/wmu.hpp"

namespace {

namespace hw = shoal::hls::wmu;

// A small harness: one Wmu build, its state, the current inputs and every sample/event seen.
template <class M>
struct Bench {
  typename M::State s{};
  typename M::In in{};
  typename M::Out o{};
  struct Sample {
    uint64_t cycle;
    uint32_t part, seq, util, ewma;
  };
  struct Event {
    uint64_t cycle;
    uint32_t part;
    bool up;
  };
  std::vector<Sample> samples;
  std::vector<Event> events;
  uint64_t now = 0;

  explicit Bench(uint32_t window) {
    M::reset(s);
    for (unsigned p = 0; p < M::kP; ++p) {
      in.busy[p] = in.mem[p] = in.io[p] = 0;
      in.assigned[p] = 1;
      in.part[p] = 0;
    }
    in.en = true;
    in.window = window;
    in.alpha = 0;
    for (unsigned k = 0; k < M::kK; ++k) {
      in.hi[k] = 0xFFFF;
      in.lo[k] = 0;
      in.rd_seq[k] = 0;
    }
    in.clr = false;
    in.rd_sel = 0xF;
    in.rd_idx = 0;
  }

  void step() {
    M::cycle(s, in, o);
    ++now;
    if (o.smp_valid) samples.push_back({now, o.smp_part, o.smp_seq, o.smp_util, o.smp_ewma});
    if (o.evt_valid) events.push_back({now, o.evt_part, o.evt_up});
  }
  // Step through the end of the running window: the next cycle starts a new window.
  void align() {
    const uint32_t seq0 = s.seq;
    for (int i = 0; i < 100000000 && s.seq == seq0; ++i) step();
  }
  // Step until the window-end pipeline has produced every sample.
  void drain() {
    for (int i = 0; i < 100000 && s.pipe_active; ++i) step();
  }
  void finish_window() {
    align();
    drain();
  }
  const Sample& last(uint32_t part) const {
    for (size_t i = samples.size(); i-- > 0;) {
      if (samples[i].part == part) return samples[i];
    }
    FAIL("no sample for partition " << part);
    return samples.front();
  }
};

// floor(busy * 2^16 / occ) capped at 0xFFFF, 0 for occ = 0: the contract's formula, computed
// with plain integer division (independent of the reference's bit-serial divider).
uint32_t expected_util(uint64_t busy, uint64_t occ) {
  if (occ == 0) return 0;
  const uint64_t q = (busy << 16) / occ;
  return q > 0xFFFF ? 0xFFFF : static_cast<uint32_t>(q);
}

}  // namespace

TEST_CASE("utilization at 0 %, 100 % and an empty partition", "[wmu][hls]") {
  using M = hw::Wmu<4, 2, 32>;
  Bench<M> b(100);
  // partition 0: processors 0..3, all idle; partition 1: nobody
  b.finish_window();
  CHECK(b.last(0).util == 0);
  CHECK(b.last(1).util == 0);  // no processor-cycles: defined as 0
  for (unsigned p = 0; p < 4; ++p) b.in.busy[p] = 1;
  b.finish_window();
  // the first window's tail (pipeline time) counted idle; run a clean one
  b.finish_window();
  CHECK(b.last(0).util == 0xFFFF);  // 100 % is the largest Q0.16 value
  CHECK(b.last(1).util == 0);
  CHECK(b.s.part_busy[1].to_u64() == 0);
}

TEST_CASE("utilization of fractional duty cycles matches floor(busy * 2^16 / occ)", "[wmu][hls]") {
  using M = hw::Wmu<4, 2, 32>;
  const uint32_t W = 120;
  Bench<M> b(W);
  // two processors in partition 0 (duty 1/4 and 1/3), two in partition 1 (duty 1/2 and 1/7)
  b.in.part[2] = b.in.part[3] = 1;
  const unsigned period[4] = {4, 3, 2, 7};
  b.align();  // the next cycle starts a window
  uint64_t busy[2] = {0, 0};
  for (uint32_t t = 0; t < W; ++t) {
    for (unsigned p = 0; p < 4; ++p) {
      b.in.busy[p] = (t % period[p]) == 0;
      busy[p / 2] += b.in.busy[p];
    }
    b.step();
  }
  REQUIRE(b.s.pipe_active);  // exactly that window just ended
  for (unsigned p = 0; p < 4; ++p) b.in.busy[p] = 0;
  b.drain();
  CHECK(busy[0] == 30 + 40);
  CHECK(b.last(0).util == expected_util(busy[0], 2 * W));
  CHECK(b.last(1).util == expected_util(busy[1], 2 * W));
  CHECK(b.last(0).util == 19114);  // 70 / 240 = 0.291666.. -> floor(19114.66)
  CHECK(b.last(1).util == expected_util(60 + 18, 240));
}

TEST_CASE("the bit-serial divider agrees with integer division on random windows", "[wmu][hls]") {
  using M = hw::Wmu<8, 2, 32>;
  uint32_t x = 12345;
  auto rnd = [&x]() { return x = x * 1103515245u + 12345u, (x >> 8) & 0xFFFF; };
  for (int trial = 0; trial < 40; ++trial) {
    const uint32_t W = M::kWinMin + rnd() % 500;
    Bench<M> b(W);
    for (unsigned p = 0; p < 8; ++p) b.in.part[p] = rnd() % 2;
    b.align();
    uint64_t busy[2] = {0, 0}, occ[2] = {0, 0};
    const uint32_t duty = rnd() % 101;
    for (uint32_t t = 0; t < W; ++t) {
      for (unsigned p = 0; p < 8; ++p) {
        b.in.busy[p] = (rnd() % 100) < duty;
        busy[b.in.part[p]] += b.in.busy[p];
        occ[b.in.part[p]] += 1;
      }
      b.step();
    }
    REQUIRE(b.s.pipe_active);
    b.drain();
    CHECK(b.last(0).util == expected_util(busy[0], occ[0]));
    CHECK(b.last(1).util == expected_util(busy[1], occ[1]));
  }
}

TEST_CASE("a processor moving mid-window is attributed cycle by cycle", "[wmu][hls]") {
  using M = hw::Wmu<2, 2, 32>;
  const uint32_t W = 100;
  Bench<M> b(W);
  b.in.part[0] = 0;  // always busy; in partition 0 for 30 cycles, then partition 1
  b.in.part[1] = 1;  // always idle, in partition 1
  b.align();
  b.s.part_busy[0] = 0;
  b.s.part_busy[1] = 0;
  b.in.busy[0] = 1;
  for (uint32_t t = 0; t < W; ++t) {
    b.in.part[0] = t < 30 ? 0 : 1;
    b.step();
  }
  b.in.busy[0] = 0;
  CHECK(b.s.part_busy[0].to_u64() == 30);
  CHECK(b.s.part_busy[1].to_u64() == 70);
  CHECK(b.s.proc_busy[0].to_u64() == 30 + 70);
  REQUIRE(b.s.pipe_active);
  b.drain();
  CHECK(b.last(0).util == 0xFFFF);                       // busy 30 of 30 owned cycles
  CHECK(b.last(1).util == expected_util(70, 70 + 100));  // 70 of 170 processor-cycles
  CHECK(b.last(1).util == 26985);  // 4587520 / 170 = 26985.4
}

TEST_CASE("an unassigned processor counts only for itself", "[wmu][hls]") {
  using M = hw::Wmu<2, 2, 32>;
  Bench<M> b(100);
  b.in.assigned[0] = 0;
  b.in.busy[0] = 1;
  b.in.mem[0] = 1;
  for (int i = 0; i < 50; ++i) b.step();
  CHECK(b.s.proc_busy[0].to_u64() == 50);
  CHECK(b.s.proc_mem[0].to_u64() == 50);
  CHECK(b.s.part_busy[0].to_u64() == 0);
  CHECK(b.s.part_mem[0].to_u64() == 0);
}

TEST_CASE("EWMA step rounds to nearest, ties up, and stays between E and U", "[wmu][hls]") {
  using M = hw::Wmu<1, 1, 32>;
  CHECK(M::ewma_step(1234, 4321, 0) == 4321);
  CHECK(M::ewma_step(0, 3, 1) == 2);           // 0 + (3 + 1) >> 1
  CHECK(M::ewma_step(10, 0, 2) == 8);          // 10 + ((-10 + 2) >> 2) = 10 - 2
  CHECK(M::ewma_step(10, 5, 2) == 9);          // 10 + ((-5 + 2) >> 2) = 10 - 1
  CHECK(M::ewma_step(0, 0xFFFF, 3) == 8192);   // (65535 + 4) >> 3
  CHECK(M::ewma_step(0xFFFF, 0, 15) == 0xFFFD);  // 65535 + ((-65535 + 16384) >> 15) = -2
  uint32_t x = 7;
  for (int i = 0; i < 200000; ++i) {
    x = x * 1664525u + 1013904223u;
    const uint16_t e = x >> 16, u = x & 0xFFFF;
    const uint32_t a = (x >> 3) % 16;
    const uint16_t n = M::ewma_step(e, u, a);
    const int64_t d = int64_t{u} - e;
    // the contract's rule with floor division: E + floor((d + 2^(a-1)) / 2^a)
    int64_t want = u;
    if (a > 0) {
      const int64_t num = d + (int64_t{1} << (a - 1)), den = int64_t{1} << a;
      want = e + (num >= 0 ? num / den : -((-num + den - 1) / den));
    }
    REQUIRE(n == want);
    REQUIRE(n >= (e < u ? e : u));
    REQUIRE(n <= (e < u ? u : e));
  }
}

TEST_CASE("thresholds: hysteresis gives one interrupt per crossing, no storm", "[wmu][hls]") {
  using M = hw::Wmu<1, 2, 32>;
  const uint32_t W = 128;  // one processor: util = busy * 512
  Bench<M> b(W);
  b.in.hi[0] = 0x8000;
  b.in.lo[0] = 0x6000;
  b.in.alpha = 0;  // E = U, so the test sees raw crossings
  b.align();
  auto window_with = [&](uint32_t busy_cycles) {
    for (uint32_t t = 0; t < W; ++t) {
      b.in.busy[0] = t < busy_cycles;
      b.step();
    }
  };
  // hover at and around HI: 0x8200, 0x7E00, 0x8000, ... 30 windows
  for (int i = 0; i < 30; ++i) window_with(i % 3 == 0 ? 65 : (i % 3 == 1 ? 63 : 64));
  b.drain();
  REQUIRE(b.events.size() == 1);
  CHECK(b.events[0].part == 0);
  CHECK(b.events[0].up);
  // hover inside the band and at LO + 1: nothing
  for (int i = 0; i < 20; ++i) window_with(i % 2 ? 49 : 60);
  b.drain();
  CHECK(b.events.size() == 1);
  // reaching LO (0x6000 = 48 busy cycles) is a down crossing, once
  for (int i = 0; i < 10; ++i) window_with(i % 2 ? 48 : 40);
  b.drain();
  REQUIRE(b.events.size() == 2);
  CHECK_FALSE(b.events[1].up);
  CHECK(b.events[1].part == 0);
  // partition 1 has no processor: its utilization stays 0 and below HI, no event
  for (const auto& e : b.events) CHECK(e.part == 0);
}

TEST_CASE("thresholds use the smoothed value", "[wmu][hls]") {
  using M = hw::Wmu<1, 1, 32>;
  const uint32_t W = 128;
  Bench<M> b(W);
  b.in.hi[0] = 0x8000;
  b.in.lo[0] = 0x2000;
  b.in.alpha = 2;
  b.align();
  for (uint32_t t = 0; t < W; ++t) {
    b.in.busy[0] = 1;
    b.step();
  }
  b.drain();  // U = 0xFFFF, E = (65535 + 2) >> 2 = 16384: below HI
  CHECK(b.last(0).util == 0xFFFF);
  CHECK(b.last(0).ewma == 16384);
  CHECK(b.events.empty());
  for (int i = 0; i < 3; ++i) {
    for (uint32_t t = 0; t < W; ++t) b.step();
  }
  b.finish_window();
  REQUIRE(b.events.size() == 1);  // E rose past 0x8000 once
  CHECK(b.events[0].up);
}

TEST_CASE("sample ring: sequence numbers, layout and overrun", "[wmu][hls]") {
  using M = hw::Wmu<2, 2, 32>;
  Bench<M> b(M::kWinMin);
  b.in.busy[0] = 1;
  for (int i = 0; i < 16; ++i) b.finish_window();
  CHECK(b.s.seq == 16);
  for (unsigned k = 0; k < 2; ++k) {
    CHECK(b.s.overrun[k].to_u64() == 0);  // 16 samples fit a ring the reader has not touched
    for (unsigned j = 0; j < hw::kDepth; ++j) {
      CHECK((b.s.ring[k * hw::kDepth + j] >> 16) == j);  // slot j holds seq j
    }
  }
  // reading through the port: entry for partition 1, slot 5 (seq 5, idle partition -> 0)
  b.in.rd_sel = hw::kSelRing;
  b.in.rd_idx = 1 * hw::kDepth + 5;
  b.step();
  CHECK(b.o.rd_data == (5u << 16));
  b.in.rd_sel = 0xF;
  // 4 more windows without a reader: 4 samples lost per partition
  for (int i = 0; i < 4; ++i) b.finish_window();
  CHECK(b.s.overrun[0].to_u64() == 4);
  CHECK(b.s.overrun[1].to_u64() == 4);
  CHECK((b.s.ring[0 * hw::kDepth + 3] >> 16) == 19);  // seq 19 overwrote seq 3
  // a reader that keeps up: no more overruns
  for (int i = 0; i < 40; ++i) {
    b.in.rd_seq[0] = b.in.rd_seq[1] = static_cast<uint16_t>(b.s.seq);
    b.finish_window();
  }
  CHECK(b.s.overrun[0].to_u64() == 4);
  CHECK(b.s.overrun[1].to_u64() == 4);
  // the next sample (seq n) overwrites seq n - 16: a reader at n - 15 loses nothing, one still
  // waiting for n - 16 loses it
  b.in.rd_seq[0] = static_cast<uint16_t>(b.s.seq - 15);
  b.in.rd_seq[1] = static_cast<uint16_t>(b.s.seq - 16);
  b.finish_window();
  CHECK(b.s.overrun[0].to_u64() == 4);
  CHECK(b.s.overrun[1].to_u64() == 5);
}

TEST_CASE("counters saturate and never wrap (8-bit build); clear and enable", "[wmu][hls]") {
  using M = hw::Wmu<2, 1, 8>;
  Bench<M> b(M::kWinMin);
  b.in.busy[0] = b.in.busy[1] = 1;
  b.in.mem[0] = 1;
  b.in.io[1] = 1;
  for (int i = 0; i < 127; ++i) b.step();
  CHECK(b.s.part_busy[0].to_u64() == 254);
  b.step();
  CHECK(b.s.part_busy[0].to_u64() == 255);  // 254 + 2 saturates
  for (int i = 0; i < 200; ++i) b.step();
  CHECK(b.s.proc_busy[0].to_u64() == 255);
  CHECK(b.s.proc_busy[1].to_u64() == 255);
  CHECK(b.s.proc_mem[0].to_u64() == 255);
  CHECK(b.s.proc_mem[1].to_u64() == 0);
  CHECK(b.s.proc_io[1].to_u64() == 255);
  CHECK(b.s.part_busy[0].to_u64() == 255);
  CHECK(b.s.part_mem[0].to_u64() == 255);
  CHECK(b.s.part_io[0].to_u64() == 255);
  // the read port zero-extends
  b.in.rd_sel = hw::kSelPartBusy;
  b.in.rd_idx = 0;
  b.step();
  CHECK(b.o.rd_data == 255);
  // clear wins over the same cycle's increment
  b.in.clr = true;
  b.step();
  b.in.clr = false;
  CHECK(b.s.proc_busy[0].to_u64() == 0);
  CHECK(b.s.part_busy[0].to_u64() == 0);
  b.step();
  CHECK(b.s.proc_busy[0].to_u64() == 1);
  CHECK(b.s.part_busy[0].to_u64() == 2);
  // disabled: nothing counts and the window restarts
  b.in.en = false;
  for (int i = 0; i < 10; ++i) b.step();
  CHECK(b.s.proc_busy[0].to_u64() == 1);
  CHECK(b.s.win_pos.to_u64() == 0);
}

TEST_CASE("window timing: W_eff, W_MIN clamp and the pipeline's latency", "[wmu][hls]") {
  using M = hw::Wmu<4, 4, 32>;
  CHECK(M::kWinMin == 18 * 4 + 2);
  Bench<M> b(10);  // below W_MIN: clamped
  uint64_t end = 0;
  for (int i = 0; i < 1000 && b.s.seq == 0; ++i) {
    b.step();
    end = b.now;  // cycle count after the edge that ended the window
  }
  CHECK(end == M::kWinMin);  // cycles 0 .. W_MIN - 1, the last one ends the window
  b.drain();
  REQUIRE(b.samples.size() == 4);
  for (unsigned k = 0; k < 4; ++k) {
    CHECK(b.samples[k].part == k);
    CHECK(b.samples[k].seq == 0);
    // visible after the edge of cycle t0 + 18 (k + 1), where t0 = end - 1 (0-based cycle index)
    CHECK(b.samples[k].cycle == end + hw::kStepsPerPart * (k + 1));
  }
  CHECK_FALSE(b.s.pipe_active);
}

TEST_CASE("the top functions (card and small builds) run one edge per call", "[wmu][hls]") {
  static hw::WmuCard::State sc;
  static hw::WmuCard::In ic;
  hw::WmuCard::Out oc{};
  hw::WmuCard::reset(sc);
  ic = {};
  for (unsigned p = 0; p < 64; ++p) {
    ic.busy[p] = 1;
    ic.assigned[p] = 1;
    ic.part[p] = static_cast<uint8_t>(p % 16);
  }
  ic.en = true;
  ic.window = 0;  // clamped to W_MIN = 290
  ic.rd_sel = 0xF;
  for (unsigned k = 0; k < 16; ++k) ic.hi[k] = 0xFFFF;
  int samples = 0, events = 0;
  for (int c = 0; c < 290 + 18 * 16 + 1; ++c) {
    hw::wmu_top(sc, ic, oc);
    if (oc.smp_valid) {
      ++samples;
      CHECK(oc.smp_util == 0xFFFF);
    }
    events += oc.evt_valid;
  }
  CHECK(samples == 16);
  CHECK(events == 16);  // 0xFFFF >= HI = 0xFFFF: one up crossing each
  CHECK(sc.proc_busy[63].to_u64() == 290 + 18 * 16 + 1);

  static hw::WmuSmall::State ss;
  static hw::WmuSmall::In is;
  hw::WmuSmall::Out os{};
  hw::WmuSmall::reset(ss);
  is = {};
  is.en = true;
  is.rd_sel = hw::kSelProcBusy;
  is.rd_idx = 3;
  is.busy[3] = 1;
  for (int c = 0; c < 100; ++c) hw::wmu_top_small(ss, is, os);
  CHECK(os.rd_data == 99);  // the read port shows the count before the last edge
  CHECK(ss.seq == 1);       // W_MIN = 74 at K = 4
}
