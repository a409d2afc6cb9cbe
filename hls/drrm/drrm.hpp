// DRRM — dynamic re-addressing module: the executable reference (docs/drrm.md).
//
// One call of step() is one clock cycle of the block: it fills the outputs from the state as it
// is at the start of the cycle (every output of the block is registered), then advances the
// state by one cycle from that state and the cycle's inputs. The RTL twin, rtl/drrm/drrm_core.sv,
// must produce the same outputs in every cycle.
//
// HLS discipline: fixed-size arrays, loops bounded by template constants, no heap, no
// recursion, no virtual calls; state lives in a struct the caller owns.
#pragma once

#include <stdint.h>

#include "shoal_hls_int.hpp"

namespace shoal::hls::drrm {

// Opcodes (docs/drrm.md section 5).
constexpr unsigned kOpMigrate = 1;
constexpr unsigned kOpMigrateSet = 2;
constexpr unsigned kOpSetWindow = 3;
constexpr unsigned kOpRoute = 4;
constexpr unsigned kOpOffline = 5;
constexpr unsigned kOpOnline = 6;

// Completion status codes.
constexpr unsigned kStOk = 0;
constexpr unsigned kStBadOpcode = 1;
constexpr unsigned kStBadArg = 2;
constexpr unsigned kStBusy = 3;
constexpr unsigned kStTimeout = 4;
constexpr unsigned kStBadState = 5;

// Processor states.
constexpr unsigned kPsRunning = 0;
constexpr unsigned kPsPausing = 1;
constexpr unsigned kPsPaused = 2;
constexpr unsigned kPsResuming = 3;
constexpr unsigned kPsOffline = 4;

// Engine states.
constexpr unsigned kEngIdle = 0;
constexpr unsigned kEngWait = 1;
constexpr unsigned kEngResume = 2;

// Violation reasons.
constexpr unsigned kVrBadProc = 0;
constexpr unsigned kVrNotRunning = 1;
constexpr unsigned kVrOutside = 2;
constexpr unsigned kVrPerm = 3;

constexpr unsigned kCmdDepth = 4;
constexpr unsigned kCplDepth = 4;

struct Cmd {
  UInt<4> op;
  UInt<8> tag;
  UInt<8> proc;
  UInt<8> part;
  UInt<16> vec;
  UInt<2> perm;
  UInt<64> data;
};

struct Cpl {
  UInt<8> tag;
  UInt<4> op;
  UInt<4> status;
  UInt<32> cycles;
};

template <unsigned P, unsigned K, unsigned V>
struct Cfg {
  static_assert(P >= 2 && P <= 64 && (P & (P - 1)) == 0, "P: power of two, 2..64");
  static_assert(K >= 2 && K <= 16 && (K & (K - 1)) == 0, "K: power of two, 2..16");
  static_assert(V >= 2 && V <= 256 && (V & (V - 1)) == 0, "V: power of two, 2..256");
  static constexpr unsigned PW = clog2(P);
  static constexpr unsigned KW = clog2(K);
  static constexpr unsigned VW = clog2(V);
  static constexpr uint64_t PMASK = (P == 64) ? ~uint64_t{0} : ((uint64_t{1} << P) - 1);
};

template <unsigned P, unsigned K, unsigned V>
struct In {
  using C = Cfg<P, K, V>;
  bool cmd_valid = false;
  Cmd cmd;
  UInt<16> timeout;
  bool cpl_ready = false;
  UInt<P> quiesced;
  bool chk_valid = false;
  UInt<8> chk_proc;
  UInt<32> chk_addr;
  bool chk_we = false;
  bool irq_valid = false;
  UInt<C::VW> irq_vec;
};

template <unsigned P, unsigned K, unsigned V>
struct Out {
  using C = Cfg<P, K, V>;
  bool cmd_ready = false;
  bool cpl_valid = false;
  Cpl cpl;
  bool busy = false;
  UInt<P> pause;
  UInt<P> resume;
  UInt<C::KW> part[P];
  bool chk_valid = false;
  bool chk_allow = false;
  bool irq_out_valid = false;
  UInt<C::PW> irq_out_proc;
  UInt<C::VW> irq_out_vec;
  bool evm_valid = false;
  bool evm_timeout = false;
  UInt<4> evm_op;
  UInt<8> evm_tag;
  UInt<C::KW> evm_part;
  UInt<P> evm_mask;
  bool evv_valid = false;
  UInt<8> evv_proc;
  UInt<32> evv_addr;
  bool evv_we = false;
  UInt<2> evv_reason;
  UInt<32> viol_count;
};

template <unsigned P, unsigned K, unsigned V>
struct State {
  using C = Cfg<P, K, V>;
  // processors
  UInt<C::KW> part[P];
  UInt<3> pstate[P];
  // partitions
  UInt<32> base[K];
  UInt<32> size[K];
  UInt<2> perm[K];
  UInt<C::PW> rr[K];
  // vectors
  UInt<C::KW> route[V];
  bool pending[V];
  UInt<C::VW> scan;
  // command FIFO
  Cmd cmd_q[kCmdDepth];
  UInt<clog2(kCmdDepth)> cmd_rd, cmd_wr;
  UInt<clog2(kCmdDepth) + 1> cmd_count;
  // completion FIFO
  Cpl cpl_q[kCplDepth];
  UInt<clog2(kCplDepth)> cpl_rd, cpl_wr;
  UInt<clog2(kCplDepth) + 1> cpl_count;
  // engine
  UInt<2> eng;
  UInt<4> eng_op;
  UInt<8> eng_tag;
  UInt<C::KW> eng_target;
  UInt<P> eng_mask;
  UInt<4> eng_status;
  UInt<16> eng_wcnt;
  UInt<16> eng_tmo;
  UInt<32> eng_cycles;
  // registered outputs
  bool chk_valid_q;
  bool chk_allow_q;
  bool irqo_valid;
  UInt<C::PW> irqo_proc;
  UInt<C::VW> irqo_vec;
  bool evm_valid;
  bool evm_timeout;
  UInt<4> evm_op;
  UInt<8> evm_tag;
  UInt<C::KW> evm_part;
  UInt<P> evm_mask;
  bool evv_valid;
  UInt<8> evv_proc;
  UInt<32> evv_addr;
  bool evv_we;
  UInt<2> evv_reason;
  UInt<32> viol_count;
};

template <unsigned P, unsigned K, unsigned V>
void reset(State<P, K, V>& s) {
  for (unsigned p = 0; p < P; ++p) {
    s.part[p] = 0;
    s.pstate[p] = kPsRunning;
  }
  for (unsigned k = 0; k < K; ++k) {
    s.base[k] = 0;
    s.size[k] = 0;
    s.perm[k] = 0;
    s.rr[k] = 0;
  }
  for (unsigned v = 0; v < V; ++v) {
    s.route[v] = 0;
    s.pending[v] = false;
  }
  s.scan = 0;
  for (unsigned i = 0; i < kCmdDepth; ++i) s.cmd_q[i] = Cmd{};
  for (unsigned i = 0; i < kCplDepth; ++i) s.cpl_q[i] = Cpl{};
  s.cmd_rd = 0;
  s.cmd_wr = 0;
  s.cmd_count = 0;
  s.cpl_rd = 0;
  s.cpl_wr = 0;
  s.cpl_count = 0;
  s.eng = kEngIdle;
  s.eng_op = 0;
  s.eng_tag = 0;
  s.eng_target = 0;
  s.eng_mask = 0;
  s.eng_status = 0;
  s.eng_wcnt = 0;
  s.eng_tmo = 0;
  s.eng_cycles = 0;
  s.chk_valid_q = false;
  s.chk_allow_q = false;
  s.irqo_valid = false;
  s.irqo_proc = 0;
  s.irqo_vec = 0;
  s.evm_valid = false;
  s.evm_timeout = false;
  s.evm_op = 0;
  s.evm_tag = 0;
  s.evm_part = 0;
  s.evm_mask = 0;
  s.evv_valid = false;
  s.evv_proc = 0;
  s.evv_addr = 0;
  s.evv_we = false;
  s.evv_reason = 0;
  s.viol_count = 0;
}

// The block's outputs in the current cycle: a function of the state only.
template <unsigned P, unsigned K, unsigned V>
void outputs(const State<P, K, V>& s, Out<P, K, V>& o) {
  o.cmd_ready = s.cmd_count < UInt<clog2(kCmdDepth) + 1>(kCmdDepth);
  o.cpl_valid = !s.cpl_count.is_zero();
  o.cpl = s.cpl_q[s.cpl_rd.to_u32()];
  o.busy = s.eng != UInt<2>(kEngIdle);
  UInt<P> pause = 0;
  UInt<P> resume = 0;
  for (unsigned p = 0; p < P; ++p) {
    const uint64_t st = s.pstate[p].to_u64();
    pause = pause.with_bit(p, st == kPsPausing || st == kPsPaused || st == kPsOffline);
    resume = resume.with_bit(p, st == kPsResuming);
    o.part[p] = s.part[p];
  }
  o.pause = pause;
  o.resume = resume;
  o.chk_valid = s.chk_valid_q;
  o.chk_allow = s.chk_allow_q;
  o.irq_out_valid = s.irqo_valid;
  o.irq_out_proc = s.irqo_proc;
  o.irq_out_vec = s.irqo_vec;
  o.evm_valid = s.evm_valid;
  o.evm_timeout = s.evm_timeout;
  o.evm_op = s.evm_op;
  o.evm_tag = s.evm_tag;
  o.evm_part = s.evm_part;
  o.evm_mask = s.evm_mask;
  o.evv_valid = s.evv_valid;
  o.evv_proc = s.evv_proc;
  o.evv_addr = s.evv_addr;
  o.evv_we = s.evv_we;
  o.evv_reason = s.evv_reason;
  o.viol_count = s.viol_count;
}

// Status of a command started by an idle engine (argument and state checks, section 5).
template <unsigned P, unsigned K, unsigned V>
UInt<4> check_command(const State<P, K, V>& s, const Cmd& c, UInt<P> set) {
  const uint64_t op = c.op.to_u64();
  const bool known = op >= kOpMigrate && op <= kOpOnline;
  const bool need_proc = op == kOpMigrate || op == kOpOffline || op == kOpOnline;
  const bool need_part = op == kOpMigrate || op == kOpMigrateSet || op == kOpSetWindow ||
                         op == kOpRoute || op == kOpOnline;
  const uint64_t mask = c.data.to_u64();
  if (!known) return kStBadOpcode;
  if (need_proc && c.proc.to_u64() >= P) return kStBadArg;
  if (need_part && c.part.to_u64() >= K) return kStBadArg;
  if (op == kOpRoute && c.vec.to_u64() >= V) return kStBadArg;
  if (op == kOpMigrateSet && (mask == 0 || (mask & ~Cfg<P, K, V>::PMASK) != 0)) return kStBadArg;
  bool any_offline = false;
  for (unsigned p = 0; p < P; ++p) {
    if (set.bit(p) && s.pstate[p].to_u64() == kPsOffline) any_offline = true;
  }
  if ((op == kOpMigrate || op == kOpMigrateSet || op == kOpOffline) && any_offline)
    return kStBadState;
  if (op == kOpOnline && !any_offline) return kStBadState;
  return kStOk;
}

// One clock cycle: o = outputs(s); s = next(s, in).
template <unsigned P, unsigned K, unsigned V>
void step(State<P, K, V>& s, const In<P, K, V>& in, Out<P, K, V>& o) {
#pragma HLS INTERFACE mode = ap_none port = in
#pragma HLS INTERFACE mode = ap_none port = o
#pragma HLS PIPELINE II = 1
#pragma HLS ARRAY_PARTITION variable = s.pstate complete
#pragma HLS ARRAY_PARTITION variable = s.part complete
  using C = Cfg<P, K, V>;
  outputs(s, o);
  State<P, K, V> n = s;  // next state; every decision below reads s (start of the cycle)

  // ---- engine: start, wait, resume, refusal -----------------------------------------------
  bool cmd_pop = false;
  bool cpl_push = false;
  Cpl cpl_new;
  n.evm_valid = false;
  const Cmd& head = s.cmd_q[s.cmd_rd.to_u32()];
  const bool have_cmd = !s.cmd_count.is_zero();
  const uint64_t eng = s.eng.to_u64();

  if (eng == kEngIdle) {
    if (have_cmd && s.cpl_count < UInt<clog2(kCplDepth) + 1>(kCplDepth)) {
      cmd_pop = true;
      const uint64_t op = head.op.to_u64();
      UInt<P> set = 0;
      if (op == kOpMigrateSet) {
        set = UInt<P>(head.data.to_u64());
      } else if (head.proc.to_u64() < P) {
        set = UInt<P>(0).with_bit(head.proc.to_u32(), true);
      }
      const UInt<4> st = check_command(s, head, set);
      if (st != UInt<4>(kStOk) || op == kOpSetWindow || op == kOpRoute) {
        if (st == UInt<4>(kStOk) && op == kOpSetWindow) {
          const unsigned k = head.part.to_u32();
          n.base[k] = UInt<32>(head.data.to_u64());
          n.size[k] = UInt<32>(head.data.to_u64() >> 32);
          n.perm[k] = head.perm;
        }
        if (st == UInt<4>(kStOk) && op == kOpRoute) {
          n.route[head.vec.to_u32()] = UInt<C::KW>(head.part.to_u64());
        }
        cpl_push = true;
        cpl_new.tag = head.tag;
        cpl_new.op = head.op;
        cpl_new.status = st;
        cpl_new.cycles = 1;
      } else {
        n.eng_op = head.op;
        n.eng_tag = head.tag;
        n.eng_target = (op == kOpOffline) ? UInt<C::KW>(0) : UInt<C::KW>(head.part.to_u64());
        n.eng_mask = set;
        n.eng_status = kStOk;
        n.eng_wcnt = 0;
        n.eng_tmo = in.timeout;
        n.eng_cycles = 1;
        if (op == kOpOnline) {
          const unsigned p = head.proc.to_u32();
          n.part[p] = UInt<C::KW>(head.part.to_u64());
          n.pstate[p] = kPsResuming;
          n.eng = kEngResume;
        } else {
          for (unsigned p = 0; p < P; ++p) {
            if (set.bit(p)) n.pstate[p] = kPsPausing;
          }
          n.eng = kEngWait;
        }
      }
    }
  } else if (eng == kEngWait) {
    n.eng_cycles = s.eng_cycles + UInt<32>(1);
    bool all_q = true;
    for (unsigned p = 0; p < P; ++p) {
      if (!s.eng_mask.bit(p)) continue;
      const uint64_t st = s.pstate[p].to_u64();
      const bool q = st == kPsPaused || (st == kPsPausing && in.quiesced.bit(p));
      if (st == kPsPausing && in.quiesced.bit(p)) n.pstate[p] = kPsPaused;
      if (!q) all_q = false;
    }
    if (all_q) {
      if (s.eng_op.to_u64() == kOpOffline) {
        for (unsigned p = 0; p < P; ++p) {
          if (s.eng_mask.bit(p)) n.pstate[p] = kPsOffline;
        }
        cpl_push = true;
        cpl_new.tag = s.eng_tag;
        cpl_new.op = s.eng_op;
        cpl_new.status = kStOk;
        cpl_new.cycles = s.eng_cycles + UInt<32>(1);
        n.evm_valid = true;
        n.evm_timeout = false;
        n.evm_op = s.eng_op;
        n.evm_tag = s.eng_tag;
        n.evm_part = s.eng_target;
        n.evm_mask = s.eng_mask;
        n.eng = kEngIdle;
      } else {
        for (unsigned p = 0; p < P; ++p) {
          if (s.eng_mask.bit(p)) {
            n.part[p] = s.eng_target;
            n.pstate[p] = kPsResuming;
          }
        }
        n.eng_status = kStOk;
        n.eng = kEngResume;
      }
    } else if (s.eng_wcnt == s.eng_tmo) {
      for (unsigned p = 0; p < P; ++p) {
        if (s.eng_mask.bit(p)) n.pstate[p] = kPsResuming;
      }
      n.eng_status = kStTimeout;
      n.eng = kEngResume;
    } else {
      n.eng_wcnt = s.eng_wcnt + UInt<16>(1);
    }
  } else {  // kEngResume
    n.eng_cycles = s.eng_cycles + UInt<32>(1);
    for (unsigned p = 0; p < P; ++p) {
      if (s.eng_mask.bit(p)) n.pstate[p] = kPsRunning;
    }
    cpl_push = true;
    cpl_new.tag = s.eng_tag;
    cpl_new.op = s.eng_op;
    cpl_new.status = s.eng_status;
    cpl_new.cycles = s.eng_cycles + UInt<32>(1);
    n.evm_valid = true;
    n.evm_timeout = s.eng_status == UInt<4>(kStTimeout);
    n.evm_op = s.eng_op;
    n.evm_tag = s.eng_tag;
    n.evm_part = s.eng_target;
    n.evm_mask = s.eng_mask;
    n.eng = kEngIdle;
  }

  // Refusal of a command naming a processor of the transaction in flight.
  if (eng != kEngIdle && !cpl_push && have_cmd &&
      s.cpl_count + UInt<clog2(kCplDepth) + 1>(1) < UInt<clog2(kCplDepth) + 1>(kCplDepth)) {
    const uint64_t op = head.op.to_u64();
    bool conflict = false;
    if ((op == kOpMigrate || op == kOpOffline || op == kOpOnline) && head.proc.to_u64() < P &&
        s.eng_mask.bit(head.proc.to_u32()))
      conflict = true;
    if (op == kOpMigrateSet && (head.data.to_u64() & C::PMASK & s.eng_mask.to_u64()) != 0)
      conflict = true;
    if (conflict) {
      cmd_pop = true;
      cpl_push = true;
      cpl_new.tag = head.tag;
      cpl_new.op = head.op;
      cpl_new.status = kStBusy;
      cpl_new.cycles = 0;
    }
  }

  // ---- FIFOs --------------------------------------------------------------------------------
  const bool cmd_push = in.cmd_valid && s.cmd_count < UInt<clog2(kCmdDepth) + 1>(kCmdDepth);
  if (cmd_push) {
    n.cmd_q[s.cmd_wr.to_u32()] = in.cmd;
    n.cmd_wr = s.cmd_wr + UInt<clog2(kCmdDepth)>(1);
  }
  if (cmd_pop) n.cmd_rd = s.cmd_rd + UInt<clog2(kCmdDepth)>(1);
  n.cmd_count = s.cmd_count + UInt<clog2(kCmdDepth) + 1>(cmd_push ? 1 : 0) -
                UInt<clog2(kCmdDepth) + 1>(cmd_pop ? 1 : 0);

  const bool cpl_pop = in.cpl_ready && !s.cpl_count.is_zero();
  if (cpl_push) {
    n.cpl_q[s.cpl_wr.to_u32()] = cpl_new;
    n.cpl_wr = s.cpl_wr + UInt<clog2(kCplDepth)>(1);
  }
  if (cpl_pop) n.cpl_rd = s.cpl_rd + UInt<clog2(kCplDepth)>(1);
  n.cpl_count = s.cpl_count + UInt<clog2(kCplDepth) + 1>(cpl_push ? 1 : 0) -
                UInt<clog2(kCplDepth) + 1>(cpl_pop ? 1 : 0);

  // ---- isolation: the address check ---------------------------------------------------------
  n.chk_valid_q = in.chk_valid;
  n.chk_allow_q = false;
  n.evv_valid = false;
  if (in.chk_valid) {
    bool allow = false;
    UInt<2> reason = kVrBadProc;
    if (in.chk_proc.to_u64() < P) {
      const unsigned p = in.chk_proc.to_u32();
      const unsigned k = s.part[p].to_u32();
      const UInt<32> off = in.chk_addr - s.base[k];
      if (s.pstate[p].to_u64() != kPsRunning) {
        reason = kVrNotRunning;
      } else if (in.chk_addr < s.base[k] || off >= s.size[k]) {
        reason = kVrOutside;
      } else if (!s.perm[k].bit(in.chk_we ? 1 : 0)) {
        reason = kVrPerm;
      } else {
        allow = true;
      }
    }
    n.chk_allow_q = allow;
    if (!allow) {
      n.evv_valid = true;
      n.evv_proc = in.chk_proc;
      n.evv_addr = in.chk_addr;
      n.evv_we = in.chk_we;
      n.evv_reason = reason;
      n.viol_count = s.viol_count.sat_add(UInt<32>(1));
    }
  }

  // ---- interrupt routing ----------------------------------------------------------------------
  n.scan = s.scan + UInt<C::VW>(1);
  n.irqo_valid = false;
  const UInt<C::VW> vec = in.irq_valid ? in.irq_vec : s.scan;
  const unsigned vi = vec.to_u32();
  const UInt<C::KW> k = s.route[vi];
  const unsigned ki = k.to_u32();
  bool found = false;
  UInt<C::PW> sel = 0;
  for (unsigned i = 0; i < P; ++i) {
    const UInt<C::PW> idx = s.rr[ki] + UInt<C::PW>(i);
    const unsigned pi = idx.to_u32();
    if (!found && s.pstate[pi].to_u64() == kPsRunning && s.part[pi] == k) {
      found = true;
      sel = idx;
    }
  }
  const bool deliver = found && (in.irq_valid || s.pending[vi]);
  if (deliver) {
    n.irqo_valid = true;
    n.irqo_proc = sel;
    n.irqo_vec = vec;
    n.pending[vi] = false;
    n.rr[ki] = sel + UInt<C::PW>(1);
  } else if (in.irq_valid) {
    n.pending[vi] = true;
  }

  s = n;
}

}  // namespace shoal::hls::drrm
