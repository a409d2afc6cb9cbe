// Drives the card's firmware-only blocks from tests the way the firmware does: downloads the
// script runner (tests/card/fw/runner.c) and a script of card-register operations into the
// soft core, runs it, and returns what it printed (docs: tests/card/fw/runner.c).
#pragma once

#include <cstdint>
#include <cstdio>
#include <stdexcept>
#include <string>
#include <vector>

#include "card_model.hpp"
#include "core_sim.hpp"  // shoal::coresim::load_elf
#include "shoal/regs.hpp"

namespace shoal::test {

struct ScriptOp {
  uint32_t code, offset, data, mask;
};
inline ScriptOp op_write(uint32_t off, uint32_t v) { return {1, off, v, 0}; }
inline ScriptOp op_read(uint32_t off) { return {2, off, 0, 0}; }
inline ScriptOp op_poll(uint32_t off, uint32_t mask, uint32_t want) { return {3, off, want, mask}; }
inline ScriptOp op_wait(uint32_t iterations) { return {4, 0, iterations, 0}; }
inline ScriptOp op_peek(uint32_t core_addr) { return {5, core_addr, 0, 0}; }

class ScriptRunner {
 public:
  explicit ScriptRunner(sim::CardModel& m) : m_(m) {
    const std::string err = coresim::load_elf(SHOAL_CARD_RUNNER_ELF, img_);
    if (!err.empty()) throw std::runtime_error("runner ELF: " + err);
    if (!img_.symbols.count("script")) throw std::runtime_error("runner ELF: no 'script' symbol");
  }

  // Loads the runner and the script, starts the core and runs the card until the script ends
  // (or max_cycles pass). Returns the console text; "END" is its last line on success.
  std::string run(const std::vector<ScriptOp>& ops, uint64_t max_cycles = 2'000'000) {
    namespace core = regs::core;
    wr(core::kCtrl, 1);  // hold the core in reset for the download
    for (const auto& seg : img_.segments) {
      wr(core::kLoadAddr, seg.addr);
      for (std::size_t i = 0; i < seg.bytes.size(); i += 4) {
        uint32_t w = 0;
        for (std::size_t b = 0; b < 4 && i + b < seg.bytes.size(); ++b)
          w |= uint32_t{seg.bytes[i + b]} << (8 * b);
        wr(core::kLoadData, w);
      }
    }
    wr(core::kLoadAddr, img_.symbols.at("script"));
    for (const auto& o : ops) {
      for (uint32_t w : {o.code, o.offset, o.data, o.mask}) wr(core::kLoadData, w);
    }
    for (int i = 0; i < 4; ++i) wr(core::kLoadData, 0);  // END
    m_.take_console();
    wr(core::kCtrl, 0);
    std::string out;
    for (uint64_t c = 0; c < max_cycles; c += 1000) {
      m_.step(1000);
      out += m_.take_console();
      if (out.find("END\n") != std::string::npos || out.find("TIMEOUT") != std::string::npos ||
          out.find("TRAP") != std::string::npos)
        break;
    }
    return out;
  }

  // The value of the n-th (0-based) "R <offset> <value>" line for `offset` in `out`.
  static uint32_t read_value(const std::string& out, uint32_t offset, unsigned n = 0) {
    char key[16];
    std::snprintf(key, sizeof key, "R %08x ", offset);
    std::size_t pos = 0;
    for (unsigned i = 0;; ++i) {
      pos = out.find(key, pos);
      if (pos == std::string::npos)
        throw std::runtime_error(std::string("no read of ") + key + "in the runner output:\n" + out);
      if (i == n) break;
      pos += 1;
    }
    return static_cast<uint32_t>(std::stoul(out.substr(pos + 11, 8), nullptr, 16));
  }

 private:
  void wr(uint32_t a, uint32_t v) {
    if (m_.write32(a, v) != sim::AxiResp::Okay)
      throw std::runtime_error("runner download: write refused at " + std::to_string(a));
  }
  sim::CardModel& m_;
  coresim::ElfImage img_;
};

}  // namespace shoal::test
