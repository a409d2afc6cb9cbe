// In-process model of the Shoal card: the Verilated shoal_card RTL behind a small clocked API
// with blocking AXI4-Lite transactions. Deterministic: the card advances only inside these
// calls. Not thread-safe; one thread drives one model (several models may coexist).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

namespace shoal::sim {

struct CardModelOptions {
  std::string trace_path;  // empty = no waves; "x.fst" = FST waves via the traced build
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
};

inline constexpr unsigned kAxiTimeoutCycles = 1000;
inline constexpr std::size_t kConsoleKeepBytes = 1u << 20;

// Builds a model (the traced build when opts.trace_path is set) and resets it for 8 cycles.
// Throws std::runtime_error with a clear message on failure (e.g. the trace file cannot be
// opened).
std::unique_ptr<CardModel> make_card_model(const CardModelOptions& opts = {});

const char* to_string(AxiResp r);

}  // namespace shoal::sim
