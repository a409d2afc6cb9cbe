// ALLOC: the interposer allocator, HLS C++ reference (the executable form of docs/alloc.md).
//
// One top function, alloc_top<K, T>(): a 64-bit command in, a response (with the victim list,
// indexed by partition) and the command's events out, the allocator state in a struct the
// caller owns. K partitions (1..64) and T resource types (1..8) are compile-time parameters.
// Synthesizable subset: fixed arrays, loops bounded by K/T, no heap, no recursion.
#pragma once

#include <stdint.h>

#include "shoal_hls_int.hpp"
#include "shoal/regs.h"

namespace shoal::hls::alloc {

constexpr unsigned kUnitW = 9;  // UW: bits of a unit count (pools <= 511)
using Units = UInt<kUnitW>;
using Prio = UInt<4>;

// Opcodes, statuses and event kinds (docs/alloc.md).
constexpr uint32_t OP_REQUEST = 1;
constexpr uint32_t OP_RELEASE = 2;
constexpr uint32_t OP_SET_LIMITS = 3;
constexpr uint32_t OP_SET_PRIO = 4;
constexpr uint32_t OP_QUERY = 5;

constexpr uint32_t ST_GRANTED = 0;
constexpr uint32_t ST_PARTIAL = 1;
constexpr uint32_t ST_DENIED_CAP = 2;
constexpr uint32_t ST_INSUFFICIENT = 3;
constexpr uint32_t ST_INVALID = 4;
constexpr uint32_t ST_CAP_BELOW_ALLOC = 5;
constexpr uint32_t ST_FLOOR_SUM = 6;

constexpr uint32_t EV_GRANT = 1;
constexpr uint32_t EV_RELEASE = 2;
constexpr uint32_t EV_RECLAIM = 3;
constexpr uint32_t EV_LIMITS = 4;
constexpr uint32_t EV_PRIO = 5;

constexpr unsigned MAX_TYPES = 8;

// Pool sizes from the register map, in resource-type order.
constexpr uint32_t kDefaultPools[MAX_TYPES] = {
    SHOAL_RES_CPU_UNITS,        SHOAL_RES_CACHE_WAYS_UNITS,   SHOAL_RES_MEM_BW_UNITS,
    SHOAL_RES_MEM_REGION_UNITS, SHOAL_RES_PCIE_LANES_UNITS,   SHOAL_RES_ACCEL_SLICES_UNITS,
    SHOAL_RES_NET_BW_UNITS,     SHOAL_RES_STORAGE_IOPS_UNITS};

// ---- command -----------------------------------------------------------------------------------
struct Cmd {
  uint32_t op = 0;
  bool partial = false;
  bool reclaim = false;
  uint32_t part = 0;    // 8 bits
  uint32_t type = 0;    // 4 bits
  uint32_t prio = 0;    // 4 bits
  uint32_t amount = 0;  // 16 bits: amount or floor
  uint32_t cap = 0;     // 16 bits
};

constexpr uint64_t encode_cmd(const Cmd& c) {
  return (uint64_t{c.op & 0xFu}) | (uint64_t{c.partial} << 4) | (uint64_t{c.reclaim} << 5) |
         (uint64_t{c.part & 0xFFu} << 8) | (uint64_t{c.type & 0xFu} << 16) |
         (uint64_t{c.prio & 0xFu} << 20) | (uint64_t{c.amount & 0xFFFFu} << 32) |
         (uint64_t{c.cap & 0xFFFFu} << 48);
}

constexpr Cmd decode_cmd(uint64_t w) {
  Cmd c;
  c.op = static_cast<uint32_t>(w & 0xF);
  c.partial = ((w >> 4) & 1) != 0;
  c.reclaim = ((w >> 5) & 1) != 0;
  c.part = static_cast<uint32_t>((w >> 8) & 0xFF);
  c.type = static_cast<uint32_t>((w >> 16) & 0xF);
  c.prio = static_cast<uint32_t>((w >> 20) & 0xF);
  c.amount = static_cast<uint32_t>((w >> 32) & 0xFFFF);
  c.cap = static_cast<uint32_t>((w >> 48) & 0xFFFF);
  return c;
}

// ---- state (owned by the caller) ---------------------------------------------------------------
template <unsigned K, unsigned T>
struct State {
  static_assert(K >= 1 && K <= 64, "K: 1..64 partitions");
  static_assert(T >= 1 && T <= MAX_TYPES, "T: 1..8 resource types");
  Units alloc[K][T];
  Units floor[K][T];
  Units cap[K][T];
  Prio prio[K];
  Units free[T];
  Units pool[T];
  Units floorsum[T];
};

// ---- response and events -----------------------------------------------------------------------
template <unsigned K>
struct Resp {
  uint32_t status = 0;
  uint32_t granted = 0;
  uint32_t reclaimed = 0;
  Units alloc, floor, cap, free;
  Prio prio;
  Units victim[K];  // units taken from each partition (0 = not a victim)
};

struct Event {
  uint32_t kind = 0;
  uint32_t type = 0;
  uint32_t part = 0;
  uint32_t other = 0;
  uint32_t status = 0;
  uint32_t amount = 0;
  uint32_t aux = 0;
};

constexpr uint64_t encode_event(const Event& e) {
  return (uint64_t{e.kind & 0xFu}) | (uint64_t{e.type & 0xFu} << 4) |
         (uint64_t{e.part & 0xFFu} << 8) | (uint64_t{e.other & 0xFFu} << 16) |
         (uint64_t{e.status & 0xFu} << 24) | (uint64_t{e.amount & 0xFFFFu} << 32) |
         (uint64_t{e.aux & 0xFFFFu} << 48);
}

template <unsigned K>
struct Events {
  Event ev[K + 1];
  uint32_t count = 0;
};

// ---- reset -------------------------------------------------------------------------------------
// Pools from `pools` (the first T entries); caps default to the pool, everything else to 0.
template <unsigned K, unsigned T>
void alloc_reset(State<K, T>& st, const uint32_t pools[MAX_TYPES]) {
  for (unsigned t = 0; t < T; ++t) {
    st.pool[t] = Units(pools[t]);
    st.free[t] = Units(pools[t]);
    st.floorsum[t] = Units(0);
  }
  for (unsigned k = 0; k < K; ++k) {
    st.prio[k] = Prio(0);
    for (unsigned t = 0; t < T; ++t) {
      st.alloc[k][t] = Units(0);
      st.floor[k][t] = Units(0);
      st.cap[k][t] = Units(pools[t]);
    }
  }
}

// ---- invariant (the RTL's self-check, over every type at once) ---------------------------------
template <unsigned K, unsigned T>
bool alloc_invariant_ok(const State<K, T>& st) {
  bool ok = true;
  for (unsigned t = 0; t < T; ++t) {
    uint32_t sum = st.free[t].to_u32();
    uint32_t fsum = 0;
    for (unsigned k = 0; k < K; ++k) {
      sum += st.alloc[k][t].to_u32();
      fsum += st.floor[k][t].to_u32();
      if (st.alloc[k][t] > st.cap[k][t]) ok = false;
      if (st.floor[k][t] > st.cap[k][t]) ok = false;
      if (st.cap[k][t] > st.pool[t]) ok = false;
    }
    if (sum != st.pool[t].to_u32()) ok = false;
    if (fsum > st.pool[t].to_u32() || fsum != st.floorsum[t].to_u32()) ok = false;
  }
  return ok;
}

// ---- the top -----------------------------------------------------------------------------------
template <unsigned K, unsigned T>
void alloc_top(uint64_t cmd_word, State<K, T>& st, Resp<K>& resp, Events<K>& evs) {
#pragma HLS INTERFACE ap_none port = cmd_word
#pragma HLS INTERFACE ap_memory port = st
#pragma HLS INTERFACE ap_none port = resp
#pragma HLS INTERFACE ap_fifo port = evs
#pragma HLS PIPELINE II = 1
#pragma HLS ARRAY_PARTITION variable = st.alloc complete dim = 1
#pragma HLS ARRAY_PARTITION variable = st.floor complete dim = 1
#pragma HLS ARRAY_PARTITION variable = st.prio complete
  const Cmd c = decode_cmd(cmd_word);
  const bool p_ok = c.part < K;
  const bool t_ok = c.type < T;
  const unsigned p = p_ok ? c.part : 0;
  const unsigned t = t_ok ? c.type : 0;

  resp.status = ST_INVALID;
  resp.granted = 0;
  resp.reclaimed = 0;
  for (unsigned k = 0; k < K; ++k) resp.victim[k] = Units(0);
  evs.count = 0;

  const uint32_t a_p = st.alloc[p][t].to_u32();
  const uint32_t c_p = st.cap[p][t].to_u32();
  const uint32_t f_p = st.floor[p][t].to_u32();
  const uint32_t free_t = st.free[t].to_u32();
  const uint32_t pool_t = st.pool[t].to_u32();

  Event main_ev;
  bool main_ev_valid = false;

  if (c.op == OP_REQUEST && p_ok && t_ok && c.amount != 0) {
    const uint32_t head = c_p - a_p;
    if (c.amount > head && (head == 0 || !c.partial)) {
      resp.status = ST_DENIED_CAP;
    } else {
      const uint32_t want = c.amount < head ? c.amount : head;
      // candidates and their excess
      uint32_t ex[K];
      uint32_t reclaimable = 0;
      for (unsigned k = 0; k < K; ++k) {
        const uint32_t a = st.alloc[k][t].to_u32();
        const uint32_t f = st.floor[k][t].to_u32();
        const bool cand = c.reclaim && st.prio[k] < st.prio[p] && a > f;
        ex[k] = cand ? a - f : 0;
        reclaimable += ex[k];
      }
      const uint32_t avail = free_t + reclaimable;
      uint32_t g = 0;
      if (want <= avail) {
        g = want;
      } else if (c.partial && avail > 0) {
        g = avail;
      }
      if (g == 0) {
        resp.status = ST_INSUFFICIENT;
      } else {
        const uint32_t from_free = g < free_t ? g : free_t;
        const uint32_t need = g - from_free;
        uint32_t taken = 0;
        // victim v gives clamp(need - pre(v), 0, excess(v)), pre(v) = excess of the candidates
        // that come before v in (prio asc, excess desc, index asc) order.
        for (unsigned v = 0; v < K; ++v) {
          uint32_t pre = 0;
          for (unsigned j = 0; j < K; ++j) {
            const uint32_t pj = st.prio[j].to_u32();
            const uint32_t pv = st.prio[v].to_u32();
            const bool before = pj < pv || (pj == pv && (ex[j] > ex[v] || (ex[j] == ex[v] && j < v)));
            if (ex[j] != 0 && before) pre += ex[j];
          }
          uint32_t take = 0;
          if (ex[v] != 0 && need > pre) {
            take = need - pre;
            if (take > ex[v]) take = ex[v];
          }
          resp.victim[v] = Units(take);
          taken += take;
        }
        // victims' events first, ascending partition index, then the state update
        for (unsigned v = 0; v < K; ++v) {
          const uint32_t take = resp.victim[v].to_u32();
          if (take != 0) {
            Event e;
            e.kind = EV_RECLAIM;
            e.type = t;
            e.part = v;
            e.other = p;
            e.amount = take;
            evs.ev[evs.count] = e;
            evs.count = evs.count + 1;
            st.alloc[v][t] = st.alloc[v][t] - Units(take);
          }
        }
        st.free[t] = Units(free_t - from_free);
        st.alloc[p][t] = Units(a_p + g);
        resp.status = (g == c.amount) ? ST_GRANTED : ST_PARTIAL;
        resp.granted = g;
        resp.reclaimed = taken;
        main_ev.kind = EV_GRANT;
        main_ev.type = t;
        main_ev.part = p;
        main_ev.status = resp.status;
        main_ev.amount = g;
        main_ev_valid = true;
      }
    }
  } else if (c.op == OP_RELEASE && p_ok && t_ok && c.amount != 0 && c.amount <= a_p) {
    st.alloc[p][t] = Units(a_p - c.amount);
    st.free[t] = Units(free_t + c.amount);
    resp.status = ST_GRANTED;
    resp.granted = c.amount;
    main_ev.kind = EV_RELEASE;
    main_ev.type = t;
    main_ev.part = p;
    main_ev.amount = c.amount;
    main_ev_valid = true;
  } else if (c.op == OP_SET_LIMITS && p_ok && t_ok && c.amount <= c.cap && c.cap <= pool_t) {
    const uint32_t fsum = st.floorsum[t].to_u32() - f_p + c.amount;
    if (a_p > c.cap) {
      resp.status = ST_CAP_BELOW_ALLOC;
    } else if (fsum > pool_t) {
      resp.status = ST_FLOOR_SUM;
    } else {
      st.floor[p][t] = Units(c.amount);
      st.cap[p][t] = Units(c.cap);
      st.floorsum[t] = Units(fsum);
      resp.status = ST_GRANTED;
      main_ev.kind = EV_LIMITS;
      main_ev.type = t;
      main_ev.part = p;
      main_ev.amount = c.amount;
      main_ev.aux = c.cap;
      main_ev_valid = true;
    }
  } else if (c.op == OP_SET_PRIO && p_ok) {
    st.prio[p] = Prio(c.prio);
    resp.status = ST_GRANTED;
    main_ev.kind = EV_PRIO;
    main_ev.part = p;
    main_ev.amount = c.prio;
    main_ev_valid = true;
  } else if (c.op == OP_QUERY && p_ok && t_ok) {
    resp.status = ST_GRANTED;
  }

  if (main_ev_valid) {
    evs.ev[evs.count] = main_ev;
    evs.count = evs.count + 1;
  }

  const bool snap = resp.status != ST_INVALID && p_ok && t_ok;
  resp.alloc = snap ? st.alloc[p][t] : Units(0);
  resp.floor = snap ? st.floor[p][t] : Units(0);
  resp.cap = snap ? st.cap[p][t] : Units(0);
  resp.free = snap ? st.free[t] : Units(0);
  resp.prio = snap ? st.prio[p] : Prio(0);
}

// The card's build (K = PARAM_NUM_PARTITIONS, T = PARAM_NUM_RESOURCE_TYPES): the synthesis top.
constexpr unsigned kCardK = SHOAL_PARAM_NUM_PARTITIONS;
constexpr unsigned kCardT = SHOAL_PARAM_NUM_RESOURCE_TYPES;
using CardState = State<kCardK, kCardT>;
using CardResp = Resp<kCardK>;
using CardEvents = Events<kCardK>;

void alloc_card_top(uint64_t cmd_word, CardState& st, CardResp& resp, CardEvents& evs);
void alloc_card_reset(CardState& st);

}  // namespace shoal::hls::alloc
