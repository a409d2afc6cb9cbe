// A model of the thing behind one DRRM processor control port (docs/drrm.md section 11).
//
// It answers `pause` with `quiesced` after a configurable drain delay, or never (kNever, to
// exercise the DRRM's timeout rollback), drops `quiesced` when it sees `resume`, and keeps a few
// counters. It is registered: quiesced() in a cycle depends only on what clock() saw in earlier
// cycles. Plain C++ with no dependency on Verilator, Catch2 or SystemC, so shoal-sim can reuse it.
#pragma once

#include <cstdint>

namespace shoal::drrm_tb {

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

}  // namespace shoal::drrm_tb
