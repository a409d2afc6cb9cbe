// Cycle-level harness around a Verilated alloc_engine (any K/T): drives the command port,
// samples responses and events on their handshakes, and reads the wide victim vector.
#pragma once

#include <cstdint>
#include <type_traits>

#include <verilated.h>

#include "alloc_ref.hpp"

namespace alloc_test {

template <class S>
uint32_t sig_bits(const S& s, unsigned lsb, unsigned w) {
  if constexpr (std::is_integral_v<S>) {
    return static_cast<uint32_t>((static_cast<uint64_t>(s) >> lsb) & ((1ull << w) - 1));
  } else {
    uint64_t v = 0;
    for (unsigned b = 0; b < w; ++b) {
      const unsigned i = lsb + b;
      v |= static_cast<uint64_t>((s[i / 32] >> (i % 32)) & 1u) << b;
    }
    return static_cast<uint32_t>(v);
  }
}

template <class V, unsigned K>
struct Harness {
  static constexpr unsigned UW = A::kUnitW;
  VerilatedContext ctx;
  V m{&ctx};
  uint64_t cycles = 0;

  struct Out {
    bool accepted = false;
    bool resp = false;
    RespRec r;
    bool ev = false;
    uint64_t ev_word = 0;
  };

  Harness() { reset(); }
  void tick() {
    m.clk_i = 1;
    m.eval();
    m.clk_i = 0;
    m.eval();
    ++cycles;
  }
  void reset() {
    m.clk_i = 0;
    m.rst_ni = 0;
    m.cmd_valid_i = 0;
    m.cmd_i = 0;
    m.resp_ready_i = 0;
    m.ev_ready_i = 0;
    m.peek_part_i = 0;
    m.peek_type_i = 0;
    m.test_corrupt_i = 0;
    m.eval();
    tick();
    m.rst_ni = 1;
    m.eval();
  }
  RespRec read_resp() {
    RespRec r;
    r.status = m.resp_status_o;
    r.granted = m.resp_granted_o;
    r.reclaimed = m.resp_reclaimed_o;
    r.alloc = m.resp_alloc_o;
    r.floor = m.resp_floor_o;
    r.cap = m.resp_cap_o;
    r.free = m.resp_free_o;
    r.prio = m.resp_prio_o;
    for (unsigned k = 0; k < K; ++k) r.victims.push_back(sig_bits(m.resp_victims_o, k * UW, UW));
    return r;
  }
  // One clock cycle with these inputs; reports the handshakes that happened in it.
  Out cycle(bool cmd_valid, uint64_t cmd_word, bool resp_ready, bool ev_ready) {
    m.cmd_valid_i = cmd_valid;
    m.cmd_i = cmd_word;
    m.resp_ready_i = resp_ready;
    m.ev_ready_i = ev_ready;
    m.eval();
    Out o;
    o.accepted = cmd_valid && m.cmd_ready_o;
    if (m.resp_valid_o && resp_ready) {
      o.resp = true;
      o.r = read_resp();
    }
    if (m.ev_valid_o && ev_ready) {
      o.ev = true;
      o.ev_word = m.ev_o;
    }
    tick();
    return o;
  }
};

}  // namespace alloc_test
