// WMU — workload monitoring unit: the executable reference (contract: docs/wmu.md).
//
// Wmu<P, K, CW>::cycle(state, in, out) is one rising clock edge of the block's datapath
// (rtl/wmu/wmu_core.sv): `in` carries the cycle's telemetry and configuration, `out` the
// register outputs after the edge, `state` every flip-flop and the ring memory (the caller owns
// it). Cycle- and bit-exact with the RTL; tests/wmu checks the two against each other.
//
// HLS subset: fixed arrays, loops bounded by compile-time constants, no heap, no recursion.
#pragma once

#include <stdint.h>

#include "shoal_hls_int.hpp"

namespace shoal::hls::wmu {

constexpr unsigned kDepth = 16;        // D: sample-ring entries per partition
constexpr unsigned kWW = 24;           // WINDOW register width
constexpr unsigned kDivSteps = 17;     // restoring-divider steps (17 quotient bits)
constexpr unsigned kStepsPerPart = 18; // divider steps + the post step

// Read-port selectors (docs/wmu.md, "Read port of the core").
constexpr uint32_t kSelProcBusy = 0;
constexpr uint32_t kSelProcMem = 1;
constexpr uint32_t kSelProcIo = 2;
constexpr uint32_t kSelPartBusy = 3;
constexpr uint32_t kSelPartMem = 4;
constexpr uint32_t kSelPartIo = 5;
constexpr uint32_t kSelOverrun = 6;
constexpr uint32_t kSelEwma = 7;
constexpr uint32_t kSelRing = 8;

template <unsigned P, unsigned K, unsigned CW = 32>
struct Wmu {
  static_assert(P >= 1 && P <= 64, "1 <= P <= 64");
  static_assert(K >= 1 && K <= 16, "1 <= K <= 16");
  static_assert(CW >= 2 && CW <= 32, "2 <= CW <= 32");

  static constexpr unsigned kP = P;
  static constexpr unsigned kK = K;
  static constexpr unsigned kCW = CW;
  static constexpr unsigned kPW = clog2(K);
  static constexpr unsigned kAW = kWW + clog2(P + 1);  // holds P * (2^24 - 1)
  static constexpr uint32_t kWinMin = kStepsPerPart * K + 2;
  static constexpr unsigned kRingN = K * kDepth;

  using Cnt = UInt<CW>;
  using Acc = UInt<kAW>;
  using Rem = UInt<kAW + 1>;

  struct In {
    uint8_t busy[P];      // 1 = busy this cycle
    uint8_t mem[P];       // 1 = a memory access this cycle
    uint8_t io[P];        // 1 = an I/O access this cycle
    uint8_t assigned[P];  // 1 = the processor belongs to a partition
    uint8_t part[P];      // its partition id (low kPW bits are used)
    bool en;
    uint32_t window;      // low 24 bits used
    uint32_t alpha;       // low 4 bits used
    uint16_t hi[K];
    uint16_t lo[K];
    uint16_t rd_seq[K];
    bool clr;
    uint32_t rd_sel;      // low 4 bits used
    uint32_t rd_idx;      // low 8 bits used
  };

  struct Out {
    bool smp_valid;
    uint32_t smp_part;
    uint32_t smp_seq;     // 16 bits
    uint32_t smp_util;    // Q0.16
    uint32_t smp_ewma;    // Q0.16
    bool evt_valid;
    uint32_t evt_part;
    bool evt_up;
    uint32_t rd_data;
    bool busy;
    uint32_t seq;
    uint32_t win_pos;
  };

  struct State {
    Cnt proc_busy[P], proc_mem[P], proc_io[P];
    Cnt part_busy[K], part_mem[K], part_io[K];
    Acc acc_busy[K], acc_occ[K];
    Acc snap_busy[K], snap_occ[K];
    UInt<kWW> win_pos;
    uint32_t seq;
    uint32_t snap_seq;
    bool pipe_active;
    uint32_t pipe_k;
    uint32_t pipe_step;
    Rem div_r;
    UInt<kDivSteps> div_q;
    uint16_t ewma[K];
    uint16_t ewma_seq[K];
    uint8_t high[K];
    UInt<16> overrun[K];
    uint32_t ring[kRingN];  // not reset in hardware; reset() zeroes it for determinism
    Out out;                // the output registers
  };

  // Reset: every register to 0 (the ring is zeroed too, although hardware does not clear it).
  static void reset(State& s) {
    for (unsigned p = 0; p < kP; ++p) {
      s.proc_busy[p] = 0;
      s.proc_mem[p] = 0;
      s.proc_io[p] = 0;
    }
    for (unsigned k = 0; k < kK; ++k) {
      s.part_busy[k] = 0;
      s.part_mem[k] = 0;
      s.part_io[k] = 0;
      s.acc_busy[k] = 0;
      s.acc_occ[k] = 0;
      s.snap_busy[k] = 0;
      s.snap_occ[k] = 0;
      s.ewma[k] = 0;
      s.ewma_seq[k] = 0;
      s.high[k] = 0;
      s.overrun[k] = 0;
    }
    for (unsigned i = 0; i < kRingN; ++i) s.ring[i] = 0;
    s.win_pos = 0;
    s.seq = 0;
    s.snap_seq = 0;
    s.pipe_active = false;
    s.pipe_k = 0;
    s.pipe_step = 0;
    s.div_r = 0;
    s.div_q = 0;
    clear_out(s.out);
    s.out.rd_data = 0;
  }

  static void clear_out(Out& o) {
    o.smp_valid = false;
    o.smp_part = 0;
    o.smp_seq = 0;
    o.smp_util = 0;
    o.smp_ewma = 0;
    o.evt_valid = false;
    o.evt_part = 0;
    o.evt_up = false;
  }

  // EWMA step (docs/wmu.md): E' = U if a = 0, else E + ((U - E + 2^(a-1)) >>> a) in 18 bits.
  static uint16_t ewma_step(uint16_t e, uint16_t u, uint32_t a) {
    if (a == 0) return u;
    const SInt<18> d = SInt<18>(int64_t{u}) - SInt<18>(int64_t{e});
    const SInt<18> t = (d + SInt<18>(int64_t{1} << (a - 1))) >> a;
    return static_cast<uint16_t>((SInt<18>(int64_t{e}) + t).to_i64());
  }

  // Utilization from the divider's quotient (docs/wmu.md): 0 without occupancy, 1.0 -> 0xFFFF.
  static uint16_t util_of(Acc occ, UInt<kDivSteps> q) {
    if (occ.is_zero()) return 0;
    if (q.bit(16)) return 0xFFFF;
    return static_cast<uint16_t>(q.to_u64() & 0xFFFF);
  }

  // Saturating counter increment by n (0..P): never wraps.
  static Cnt sat_inc(Cnt c, uint64_t n) {
    if (n > Cnt::kMax) return Cnt(Cnt::kMax);
    return c.sat_add(Cnt(n));
  }

  static uint32_t read_port(const State& s, uint32_t sel, uint32_t idx) {
    switch (sel & 0xF) {
      case kSelProcBusy: return idx < kP ? s.proc_busy[idx].to_u32() : 0;
      case kSelProcMem: return idx < kP ? s.proc_mem[idx].to_u32() : 0;
      case kSelProcIo: return idx < kP ? s.proc_io[idx].to_u32() : 0;
      case kSelPartBusy: return idx < kK ? s.part_busy[idx].to_u32() : 0;
      case kSelPartMem: return idx < kK ? s.part_mem[idx].to_u32() : 0;
      case kSelPartIo: return idx < kK ? s.part_io[idx].to_u32() : 0;
      case kSelOverrun: return idx < kK ? s.overrun[idx].to_u32() : 0;
      case kSelEwma:
        return idx < kK ? ((uint32_t{s.ewma_seq[idx]} << 16) | s.ewma[idx]) : 0;
      case kSelRing: return idx < kRingN ? s.ring[idx] : 0;
      default: return 0;
    }
  }

  // One rising clock edge.
  static void cycle(State& s, const In& in, Out& out) {
#pragma HLS INLINE
    Out o;
    clear_out(o);
    // 1. read port: the state before this edge
    o.rd_data = read_port(s, in.rd_sel, in.rd_idx & 0xFF);  // an 8-bit index port

    // 2. sampling pipeline (uses the snapshot taken at the previous window end)
    if (s.pipe_active) {
      const uint32_t k = s.pipe_k;
      if (s.pipe_step < kDivSteps) {
        const Rem r_in = (s.pipe_step == 0) ? Rem(s.snap_busy[k].to_u64()) : s.div_r;
        const UInt<kDivSteps> q_in = (s.pipe_step == 0) ? UInt<kDivSteps>(0) : s.div_q;
        const Rem occ = Rem(s.snap_occ[k].to_u64());
        const bool ge = r_in >= occ;
        s.div_q = (q_in << 1) | UInt<kDivSteps>(ge ? 1 : 0);
        s.div_r = (ge ? r_in - occ : r_in) << 1;
        s.pipe_step = s.pipe_step + 1;
      } else {
        const uint16_t u = util_of(s.snap_occ[k], s.div_q);
        const uint16_t s16 = static_cast<uint16_t>(s.snap_seq & 0xFFFF);
        const uint16_t e = ewma_step(s.ewma[k], u, in.alpha & 0xF);
        s.ewma[k] = e;
        s.ewma_seq[k] = s16;
        s.ring[k * kDepth + (s.snap_seq % kDepth)] = (uint32_t{s16} << 16) | u;
        const uint32_t behind = static_cast<uint16_t>(s16 - in.rd_seq[k]);
        if (behind >= kDepth) s.overrun[k] = s.overrun[k].sat_add(UInt<16>(1));
        if (!s.high[k] && e >= in.hi[k]) {
          s.high[k] = 1;
          o.evt_valid = true;
          o.evt_up = true;
          o.evt_part = k;
        } else if (s.high[k] && e <= in.lo[k]) {
          s.high[k] = 0;
          o.evt_valid = true;
          o.evt_up = false;
          o.evt_part = k;
        }
        o.smp_valid = true;
        o.smp_part = k;
        o.smp_seq = s16;
        o.smp_util = u;
        o.smp_ewma = e;
        s.pipe_step = 0;
        if (k == kK - 1) {
          s.pipe_active = false;
          s.pipe_k = 0;
        } else {
          s.pipe_k = k + 1;
        }
      }
    }

    // 3. attribution of this cycle's telemetry
    uint32_t b[K], m[K], io[K], occ[K];
#pragma HLS ARRAY_PARTITION variable = b complete
#pragma HLS ARRAY_PARTITION variable = occ complete
    for (unsigned k = 0; k < kK; ++k) {
#pragma HLS UNROLL
      b[k] = 0;
      m[k] = 0;
      io[k] = 0;
      occ[k] = 0;
    }
    for (unsigned p = 0; p < kP; ++p) {
#pragma HLS UNROLL
      const uint32_t pk = in.part[p] & ((1u << kPW) - 1);
      if (in.assigned[p] && pk < kK) {
        occ[pk] += 1;
        b[pk] += in.busy[p] & 1;
        m[pk] += in.mem[p] & 1;
        io[pk] += in.io[p] & 1;
      }
    }

    // 4. counters and the window
    if (in.en) {
      for (unsigned p = 0; p < kP; ++p) {
#pragma HLS UNROLL
        s.proc_busy[p] = sat_inc(s.proc_busy[p], in.busy[p] & 1);
        s.proc_mem[p] = sat_inc(s.proc_mem[p], in.mem[p] & 1);
        s.proc_io[p] = sat_inc(s.proc_io[p], in.io[p] & 1);
      }
      for (unsigned k = 0; k < kK; ++k) {
#pragma HLS UNROLL
        s.part_busy[k] = sat_inc(s.part_busy[k], b[k]);
        s.part_mem[k] = sat_inc(s.part_mem[k], m[k]);
        s.part_io[k] = sat_inc(s.part_io[k], io[k]);
      }
      uint32_t w = in.window & ((1u << kWW) - 1);
      if (w < kWinMin) w = kWinMin;
      if (s.win_pos.to_u32() >= w - 1) {
        for (unsigned k = 0; k < kK; ++k) {
#pragma HLS UNROLL
          s.snap_busy[k] = s.acc_busy[k] + Acc(b[k]);
          s.snap_occ[k] = s.acc_occ[k] + Acc(occ[k]);
          s.acc_busy[k] = 0;
          s.acc_occ[k] = 0;
        }
        s.win_pos = 0;
        s.snap_seq = s.seq;
        s.seq = s.seq + 1;
        s.pipe_active = true;
        s.pipe_k = 0;
        s.pipe_step = 0;
      } else {
        for (unsigned k = 0; k < kK; ++k) {
#pragma HLS UNROLL
          s.acc_busy[k] = s.acc_busy[k] + Acc(b[k]);
          s.acc_occ[k] = s.acc_occ[k] + Acc(occ[k]);
        }
        s.win_pos = s.win_pos + UInt<kWW>(1);
      }
    } else {
      s.win_pos = 0;
      for (unsigned k = 0; k < kK; ++k) {
#pragma HLS UNROLL
        s.acc_busy[k] = 0;
        s.acc_occ[k] = 0;
      }
    }

    // 5. clear wins over this cycle's increments
    if (in.clr) {
      for (unsigned p = 0; p < kP; ++p) {
#pragma HLS UNROLL
        s.proc_busy[p] = 0;
        s.proc_mem[p] = 0;
        s.proc_io[p] = 0;
      }
      for (unsigned k = 0; k < kK; ++k) {
#pragma HLS UNROLL
        s.part_busy[k] = 0;
        s.part_mem[k] = 0;
        s.part_io[k] = 0;
        s.overrun[k] = 0;
      }
    }

    o.busy = s.pipe_active;
    o.seq = s.seq;
    o.win_pos = s.win_pos.to_u32();
    s.out = o;
    out = o;
  }
};

// The card build (P = 64, K = 16, 32-bit counters) and its top function.
using WmuCard = Wmu<64, 16, 32>;
void wmu_top(WmuCard::State& state, const WmuCard::In& in, WmuCard::Out& out);

// The small build used by the benchmark and the synthesis test (P = 16, K = 4).
using WmuSmall = Wmu<16, 4, 32>;
void wmu_top_small(WmuSmall::State& state, const WmuSmall::In& in, WmuSmall::Out& out);

}  // namespace shoal::hls::wmu
