#include "fake_card_model.hpp"

#include <utility>

#include "shoal/regs.hpp"

namespace shoal::sim::testing {

namespace ctrl = shoal::regs::ctrl;

FakeCardModel::FakeCardModel(std::vector<uint8_t> dtb) : dtb_(std::move(dtb)) {}

void FakeCardModel::reset(unsigned cycles) {
  scratch_ = irq_status_ = irq_enable_ = cycle_hi_ = 0;
  cycle_ += cycles;
}

AxiResp FakeCardModel::read32(uint32_t addr, uint32_t& data) {
  cycle_ += kCyclesPerTransaction;
  ++transactions_;
  data = 0;
  if (addr % 4) return AxiResp::SlvErr;
  if (addr >= shoal::regs::kWinDtbBase && addr < shoal::regs::kWinDtbBase + shoal::regs::kWinDtbSize) {
    const uint32_t off = addr - shoal::regs::kWinDtbBase;
    for (unsigned i = 0; i < 4; ++i)
      if (off + i < dtb_.size()) data |= uint32_t(dtb_[off + i]) << (8 * i);
    return AxiResp::Okay;
  }
  switch (addr) {
    case ctrl::kId: data = (uint32_t(ctrl::kBlockId) << 16) | ctrl::kBlockVersion; break;
    case ctrl::kMagic: data = 0x53484f4cu; break;
    case ctrl::kScratch: data = scratch_; break;
    case ctrl::kIrqStatus: data = irq_status_; break;
    case ctrl::kIrqEnable: data = irq_enable_; break;
    case ctrl::kIrqPending: data = irq_status_ & irq_enable_; break;
    case ctrl::kCycleLo: data = uint32_t(cycle_); cycle_hi_ = uint32_t(cycle_ >> 32); break;
    case ctrl::kCycleHi: data = cycle_hi_; break;
    default: return AxiResp::DecErr;
  }
  return AxiResp::Okay;
}

AxiResp FakeCardModel::write32(uint32_t addr, uint32_t data, uint8_t wstrb) {
  cycle_ += kCyclesPerTransaction;
  ++transactions_;
  uint32_t mask = 0;
  for (unsigned i = 0; i < 4; ++i)
    if (wstrb & (1u << i)) mask |= 0xFFu << (8 * i);
  switch (addr) {
    case ctrl::kScratch: scratch_ = (scratch_ & ~mask) | (data & mask); return AxiResp::Okay;
    case ctrl::kIrqStatus: irq_status_ &= ~(data & mask & 0x3u); return AxiResp::Okay;
    case ctrl::kIrqEnable: irq_enable_ = (irq_enable_ & ~mask) | (data & mask & 0x3u); return AxiResp::Okay;
    case ctrl::kIrqTest: irq_status_ |= data & mask & 0x3u; return AxiResp::Okay;
    default: return AxiResp::SlvErr;
  }
}

}  // namespace shoal::sim::testing
