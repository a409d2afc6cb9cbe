// Shared testbench helpers for the WMU: drive a Verilated wmu_core / wmu from the reference's
// input struct, and generate random telemetry. Header-only; used by tests/wmu and bench/wmu.
#pragma once

#include <cstdint>
#include <random>
#include <type_traits>
#include <vector>

// Verilator's runtime headers are not -Wextra clean.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-parameter"
#include "verilated.h"
#pragma GCC diagnostic pop
#include "wmu/wmu.hpp"

namespace wmu_tb {

namespace hw = shoal::hls::wmu;

// Put `nbits` bits (little-endian 32-bit words) on a Verilated port of any width.
template <class T>
void put(T& port, const std::vector<uint32_t>& w) {
  if constexpr (std::is_integral_v<T>) {
    uint64_t v = w.empty() ? 0 : w[0];
    if (w.size() > 1) v |= uint64_t{w[1]} << 32;
    port = static_cast<T>(v);
  } else {
    for (size_t i = 0; i < w.size(); ++i) port[i] = w[i];
  }
}

// Pack n elements of `width` bits (element i at [i*width +: width]).
template <class E>
std::vector<uint32_t> pack(const E* e, unsigned n, unsigned width) {
  std::vector<uint32_t> w((n * width + 31) / 32, 0);
  for (unsigned i = 0; i < n; ++i) {
    for (unsigned b = 0; b < width; ++b) {
      if ((static_cast<uint64_t>(e[i]) >> b) & 1u) {
        const unsigned pos = i * width + b;
        w[pos / 32] |= 1u << (pos % 32);
      }
    }
  }
  return w;
}

// Drive the telemetry and configuration pins shared by wmu_core and wmu.
template <class M, class V>
void drive_telemetry(V& v, const typename M::In& in) {
  put(v.busy_i, pack(in.busy, M::kP, 1));
  put(v.mem_i, pack(in.mem, M::kP, 1));
  put(v.io_i, pack(in.io, M::kP, 1));
  put(v.assigned_i, pack(in.assigned, M::kP, 1));
  put(v.part_i, pack(in.part, M::kP, M::kPW));
}

template <class M, class V>
void drive_core(V& v, const typename M::In& in) {
  drive_telemetry<M>(v, in);
  v.en_i = in.en;
  v.window_i = in.window & 0xFFFFFF;
  v.alpha_i = in.alpha & 0xF;
  put(v.hi_i, pack(in.hi, M::kK, 16));
  put(v.lo_i, pack(in.lo, M::kK, 16));
  put(v.rd_seq_i, pack(in.rd_seq, M::kK, 16));
  v.clr_i = in.clr;
  v.rd_sel_i = in.rd_sel & 0xF;
  v.rd_idx_i = in.rd_idx & 0xFF;
}

template <class V>
void tick(V& v) {
  v.clk_i = 0;
  v.eval();
  v.clk_i = 1;
  v.eval();
}

template <class V>
void reset(V& v) {
  v.clk_i = 0;
  v.rst_ni = 1;
  v.eval();
  v.rst_ni = 0;
  v.eval();
  v.rst_ni = 1;
  v.eval();
}

template <class M>
void zero_in(typename M::In& in) {
  for (unsigned p = 0; p < M::kP; ++p) {
    in.busy[p] = in.mem[p] = in.io[p] = 0;
    in.assigned[p] = 1;
    in.part[p] = static_cast<uint8_t>(p % M::kK);
  }
  in.en = false;
  in.window = 0;
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

// Random telemetry with slowly changing per-processor duty cycles, occasional moves between
// partitions, and occasional configuration changes (window, alpha, thresholds, reader, clear).
template <class M>
class Stimulus {
 public:
  explicit Stimulus(uint32_t seed) : rng_(seed) {
    zero_in<M>(in_);
    in_.en = true;
    in_.window = M::kWinMin + pick(200);
    in_.alpha = pick(5);
    for (unsigned p = 0; p < M::kP; ++p) {
      duty_[p] = pick(101);
      in_.part[p] = static_cast<uint8_t>(pick(M::kK));
    }
    for (unsigned k = 0; k < M::kK; ++k) new_thresholds(k);
  }

  const typename M::In& next() {
    typename M::In& in = in_;
    for (unsigned p = 0; p < M::kP; ++p) {
      if (pick(500) == 0) duty_[p] = pick(101);
      in.busy[p] = pick(100) < duty_[p];
      in.mem[p] = in.busy[p] && pick(4) == 0;
      in.io[p] = pick(16) == 0;
      if (pick(300) == 0) in.part[p] = static_cast<uint8_t>(pick(1u << M::kPW));  // may be >= K
      if (pick(2000) == 0) in.assigned[p] = !in.assigned[p];
    }
    in.clr = pick(20000) == 0;
    if (pick(30000) == 0) in.en = !in.en;
    if (!in.en && pick(50) == 0) in.en = true;
    if (pick(15000) == 0) in.window = pick(M::kWinMin + 300);  // sometimes below W_MIN
    if (pick(5000) == 0) in.alpha = pick(16);
    for (unsigned k = 0; k < M::kK; ++k) {
      if (pick(8000) == 0) new_thresholds(k);
      if (pick(400) == 0) in.rd_seq[k] = static_cast<uint16_t>(seq_hint_ - pick(24));
    }
    in.rd_sel = pick(10);
    in.rd_idx = pick(in.rd_sel == hw::kSelRing ? M::kRingN + 4 : M::kP + 2);
    return in;
  }

  void set_seq_hint(uint32_t s) { seq_hint_ = static_cast<uint16_t>(s); }

 private:
  uint32_t pick(uint32_t n) { return n == 0 ? 0 : static_cast<uint32_t>(rng_() % n); }
  void new_thresholds(unsigned k) {
    const uint32_t lo = pick(0x10000), hi = pick(0x10000);
    if (pick(10) == 0) {  // now and then a misconfigured (empty) band
      in_.hi[k] = static_cast<uint16_t>(lo);
      in_.lo[k] = static_cast<uint16_t>(hi);
    } else {
      in_.hi[k] = static_cast<uint16_t>(lo > hi ? lo : hi);
      in_.lo[k] = static_cast<uint16_t>(lo > hi ? hi : lo);
    }
  }

  std::mt19937 rng_;
  typename M::In in_{};
  uint32_t duty_[M::kP]{};
  uint16_t seq_hint_ = 0;
};

}  // namespace wmu_tb
