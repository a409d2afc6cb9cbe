// A tiny behavioural double of the card for the server's own tests: the ctrl identity, scratch,
// interrupt and cycle registers and a DTB window, with AXI-style error responses. Each bus
// transaction costs a few clock cycles, like the real model. Not a replacement for the
// Verilated card: the end-to-end tests and the benchmark use the real one.
#pragma once

#include <cstdint>
#include <vector>

#include "card_model.hpp"

namespace shoal::sim::testing {

class FakeCardModel final : public CardModel {
 public:
  explicit FakeCardModel(std::vector<uint8_t> dtb = {});
  void reset(unsigned cycles = 8) override;
  void step(uint64_t cycles = 1) override { cycle_ += cycles; }
  uint64_t cycle() const override { return cycle_; }
  AxiResp read32(uint32_t addr, uint32_t& data) override;
  AxiResp write32(uint32_t addr, uint32_t data, uint8_t wstrb = 0xF) override;
  uint32_t irq() const override { return irq_status_ & irq_enable_; }

  uint64_t transactions() const { return transactions_; }

  static constexpr unsigned kCyclesPerTransaction = 3;

 private:
  std::vector<uint8_t> dtb_;
  uint64_t cycle_ = 0;
  uint64_t transactions_ = 0;
  uint32_t scratch_ = 0;
  uint32_t irq_status_ = 0;
  uint32_t irq_enable_ = 0;
  uint32_t cycle_hi_ = 0;
};

}  // namespace shoal::sim::testing
