// In-process model of the Shoal card: the Verilated shoal_card RTL behind a small clocked API
// with blocking AXI4-Lite transactions. Deterministic: the card advances only inside these
// calls. Not thread-safe; one thread drives one model (several models may coexist).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "processor_model.hpp"
#include "processor_trace.hpp"

namespace shoal::sim {

struct CardModelOptions {
  std::string trace_path;  // empty = no waves; "x.fst" = FST waves via the traced build
};

// The simulated host processor behind processor port p (sim/model/processor_model.hpp).
struct ProcessorConfig {
  uint32_t drain_cycles = 8;  // pause -> quiesced delay (>= 1), or ProcessorPort::kNever
  uint32_t duty_pct = 0;      // busy cycles in percent while it runs (ignored with a trace)
  uint32_t mem_pct = 0;       // busy cycles with a memory event, in percent
  uint32_t io_pct = 0;        // busy cycles with an I/O event, in percent
};

// What the card's processor ports have done to processor p.
struct ProcessorStatus {
  uint32_t partition = 0;     // part_o lane
  bool online = false;        // not OFFLINE in the DRRM
  bool quiesced = false;      // its quiesced answer this cycle (paused)
  uint64_t pauses = 0, resumes = 0, partition_changes = 0;
  uint64_t busy_cycles = 0;   // cycles it reported busy
  uint64_t irqs = 0;          // device interrupts the DRRM delivered to it
  uint32_t last_irq_vec = 0;
};

// An event the card put out on its audit ports, in the order seen.
struct CardEvent {
  enum class Kind : uint8_t { Migration, Violation, Alloc } kind;
  uint64_t cycle;
  // Migration: op, tag, part, timeout, mask (P <= 64); Violation: proc, addr, we, reason;
  // Alloc: the 64-bit event word (docs/alloc.md).
  uint32_t op = 0, tag = 0, part = 0, proc = 0, addr = 0, reason = 0;
  bool timeout = false, we = false;
  uint64_t mask = 0, word = 0;
};

enum class AxiResp : uint8_t { Okay = 0, ExOkay = 1, SlvErr = 2, DecErr = 3 };

class CardModel {
 public:
  virtual ~CardModel() = default;
  // Hold rst_ni low for `cycles` clock cycles, then release it.
  virtual void reset(unsigned cycles = 8) = 0;
  // Advance the card clock.
  virtual void step(uint64_t cycles = 1) = 0;
  // Card clock cycles since construction (including the reset done by make_card_model).
  virtual uint64_t cycle() const = 0;
  // One complete AXI4-Lite read / write on BAR0; steps the clock until the response.
  // An offset outside BAR0 returns DecErr without touching the card. A card that does not
  // answer within kAxiTimeoutCycles throws std::runtime_error (the model then needs reset()).
  virtual AxiResp read32(uint32_t addr, uint32_t& data) = 0;
  virtual AxiResp write32(uint32_t addr, uint32_t data, uint8_t wstrb = 0xF) = 0;
  // Current irq_o vector (bit i = host interrupt vector i).
  virtual uint32_t irq() const = 0;
  // Bytes the soft core's firmware wrote to its console (console_valid_o/console_data_o) since
  // the last call, oldest first. Collected on every clock edge, also during read32/write32; at
  // most kConsoleKeepBytes unread bytes are kept (later ones are dropped and counted).
  virtual std::string take_console() { return {}; }
  // Console bytes dropped because nobody called take_console() in time.
  virtual uint64_t console_dropped() const { return 0; }

  // ---- the processors behind the card's processor ports (P = num_processors()) ----
  // (The defaults describe a card with no processor ports, e.g. a test double.)
  virtual unsigned num_processors() const { return 0; }
  // Configure processor p (takes effect from the next cycle; the drain delay at its next pause).
  // Throws std::out_of_range for p >= num_processors().
  virtual void set_processor(unsigned p, const ProcessorConfig& cfg) {
    (void)cfg;
    throw std::out_of_range("card model: no processor " + std::to_string(p));
  }
  virtual ProcessorConfig processor_config(unsigned p) const {
    throw std::out_of_range("card model: no processor " + std::to_string(p));
  }
  // Drive every processor's duty cycle from a trace instead (nullptr = back to duty_pct):
  // step r of the trace lasts `cycles_per_step` card cycles (>= 1, else std::invalid_argument),
  // processor p plays series p % trace->series(), and the trace repeats.
  virtual void set_workload_trace(std::shared_ptr<const UtilTrace> trace,
                                  uint64_t cycles_per_step) {
    (void)trace;
    (void)cycles_per_step;
  }
  virtual ProcessorStatus processor(unsigned p) const {
    throw std::out_of_range("card model: no processor " + std::to_string(p));
  }

  // One DRRM address check (processor, address, read/write): drives the check port for one
  // cycle and steps until the answer; returns allow (true) or deny.
  virtual bool check_access(unsigned proc, uint32_t addr, bool write) {
    (void)addr;
    (void)write;
    throw std::out_of_range("card model: no processor " + std::to_string(proc));
  }
  // A device interrupt with vector `vec` into the DRRM's routing table, in the next cycle.
  // Throws std::out_of_range for a vector the card does not route.
  virtual void raise_device_irq(uint32_t vec) {
    throw std::out_of_range("card model: no interrupt vector " + std::to_string(vec));
  }

  // Audit events since the last call, oldest first (at most kEventKeep unread are kept; later
  // ones are counted in events_dropped()).
  virtual std::vector<CardEvent> take_events() { return {}; }
  virtual uint64_t events_dropped() const { return 0; }
};

inline constexpr std::size_t kEventKeep = 1u << 16;

inline constexpr unsigned kAxiTimeoutCycles = 1000;
inline constexpr std::size_t kConsoleKeepBytes = 1u << 20;

// Builds a model (the traced build when opts.trace_path is set) and resets it for 8 cycles.
// Throws std::runtime_error with a clear message on failure (e.g. the trace file cannot be
// opened).
std::unique_ptr<CardModel> make_card_model(const CardModelOptions& opts = {});

const char* to_string(AxiResp r);

}  // namespace shoal::sim
