// Models of the host processors behind the card's processor ports, for shoal-sim and the
// testbenches. Plain C++ with no dependency on Verilator, Catch2 or SystemC.
//
// ProcessorPort: the thing behind one DRRM processor control port (docs/drrm.md section 11).
// It answers `pause` with `quiesced` after a configurable drain delay, or never (kNever, to
// exercise the DRRM's timeout rollback), drops `quiesced` when it sees `resume`, and keeps a few
// counters. It is registered: quiesced() in a cycle depends only on what clock() saw in earlier
// cycles.
//
// Workload: what one processor tells the WMU each cycle (busy, a memory event, an I/O event),
// from a duty cycle in percent. Exact and deterministic: over any 100 cycles in which the
// processor runs it is busy exactly `duty` of them (an error-diffusion accumulator, no
// randomness), and `mem`/`io` percent of its busy cycles carry a memory / an I/O event.
#pragma once

#include <cstdint>

namespace shoal::sim {

class ProcessorPort {
 public:
  static constexpr std::uint32_t kNever = 0xFFFFFFFFu;

  explicit ProcessorPort(std::uint32_t drain_delay = 1) : delay_(drain_delay) {}

  // Cycles from the first cycle `pause` is seen high to the first cycle quiesced() is true
  // (>= 1), or kNever. Takes effect at the next pause.
  void set_drain_delay(std::uint32_t d) { delay_ = d == 0 ? 1 : d; }
  std::uint32_t drain_delay() const { return delay_; }

  // The processor's `quiesced` output in the current cycle.
  bool quiesced() const { return quiesced_; }

  // Call once per cycle with what the DRRM drove in that cycle; advances the model one cycle.
  void clock(bool pause, bool resume, std::uint32_t partition) {
    if (resume) {
      ++resumes_;
      quiesced_ = false;
      draining_ = false;
    } else if (pause) {
      if (!draining_ && !quiesced_) {
        ++pauses_;
        draining_ = true;
        count_ = 0;
      }
      if (draining_) {
        ++count_;
        if (delay_ != kNever && count_ >= delay_) {
          draining_ = false;
          quiesced_ = true;
        }
      }
    } else {
      draining_ = false;
      quiesced_ = false;
    }
    if (seen_partition_ && partition != partition_) ++partition_changes_;
    partition_ = partition;
    seen_partition_ = true;
  }

  std::uint64_t pauses() const { return pauses_; }
  std::uint64_t resumes() const { return resumes_; }
  std::uint64_t partition_changes() const { return partition_changes_; }
  std::uint32_t partition() const { return partition_; }

 private:
  std::uint32_t delay_;
  bool quiesced_ = false;
  bool draining_ = false;
  std::uint32_t count_ = 0;
  std::uint32_t partition_ = 0;
  bool seen_partition_ = false;
  std::uint64_t pauses_ = 0;
  std::uint64_t resumes_ = 0;
  std::uint64_t partition_changes_ = 0;
};

struct Telemetry {
  bool busy = false;
  bool mem = false;
  bool io = false;
};

class Workload {
 public:
  // Percentages are clamped to 0..100.
  void set_duty(std::uint32_t pct) { duty_ = pct > 100 ? 100 : pct; }
  void set_mem(std::uint32_t pct) { mem_ = pct > 100 ? 100 : pct; }
  void set_io(std::uint32_t pct) { io_ = pct > 100 ? 100 : pct; }
  std::uint32_t duty() const { return duty_; }
  std::uint32_t mem() const { return mem_; }
  std::uint32_t io() const { return io_; }

  // One cycle. A processor that does not run (paused, quiesced, offline) is idle and its
  // accumulators hold.
  Telemetry clock(bool running) {
    Telemetry t;
    if (!running) return t;
    t.busy = step(busy_acc_, duty_);
    if (t.busy) {
      t.mem = step(mem_acc_, mem_);
      t.io = step(io_acc_, io_);
    }
    return t;
  }

 private:
  static bool step(std::uint32_t& acc, std::uint32_t pct) {
    acc += pct;
    if (acc >= 100) {
      acc -= 100;
      return true;
    }
    return false;
  }
  std::uint32_t duty_ = 0, mem_ = 0, io_ = 0;
  std::uint32_t busy_acc_ = 0, mem_acc_ = 0, io_acc_ = 0;
};

}  // namespace shoal::sim
