#include "sim_core.hpp"

#include <cstdio>
#include <exception>
#include <string>
#include <utility>

#include "shoal/bar_access.hpp"

namespace shoal::sim {

uint32_t request_fault(const Request& r, uint32_t bar0_size) {
  const shoal_sim_msg& m = r.msg;
  if (r.bad_magic) return SHOAL_SIM_REASON_BAD_MAGIC;
  if (m.op != SHOAL_SIM_OP_READ && m.op != SHOAL_SIM_OP_WRITE) return SHOAL_SIM_REASON_BAD_OP;
  if (m.size != 4 && m.size != 8) return SHOAL_SIM_REASON_BAD_SIZE;
  if (m.offset % m.size) return SHOAL_SIM_REASON_UNALIGNED;
  if (m.offset >= bar0_size || bar0_size - m.offset < m.size) return SHOAL_SIM_REASON_OUT_OF_RANGE;
  if (m.op == SHOAL_SIM_OP_WRITE && m.size == 4 && (m.data >> 32)) return SHOAL_SIM_REASON_DATA_TOO_WIDE;
  if (m.flags != 0 || m.status != 0 || m.reason != 0 || (m.op == SHOAL_SIM_OP_READ && m.data != 0))
    return SHOAL_SIM_REASON_RESERVED;
  return SHOAL_SIM_REASON_NONE;
}

SimCore::SimCore(CardModel& model, uint32_t bar0_size, uint64_t max_cycles)
    : model_(model), bar0_size_(bar0_size), max_cycles_(max_cycles) {
  last_irq_ = model_.irq();
}

void SimCore::submit(const Request& r) {
  {
    std::lock_guard<std::mutex> lk(mu_);
    queue_.push_back(r);
  }
  attention_.store(true, std::memory_order_release);
}

void SimCore::submit(std::vector<Request>& batch) {
  if (batch.empty()) return;
  {
    std::lock_guard<std::mutex> lk(mu_);
    queue_.insert(queue_.end(), batch.begin(), batch.end());
  }
  batch.clear();
  attention_.store(true, std::memory_order_release);
}

void SimCore::irq_changed(uint32_t irq) {
  const uint32_t rose = irq & ~last_irq_;
  last_irq_ = irq;
  if (!rose) return;
  shoal_sim_msg m{};
  m.magic = SHOAL_SIM_PROTO_MAGIC;
  m.op = SHOAL_SIM_OP_IRQ;
  m.offset = model_.cycle();
  m.data = rose;
  out_.push_back(Outgoing{kBroadcast, m});
  ++stats_.irq_messages;
  // Deliver at once: interrupts must not wait for the next request.
  if (sink_) sink_->deliver(out_);
  out_.clear();
}

void SimCore::serve_one(const Request& r, shoal_sim_msg& resp) {
  resp = shoal_sim_msg{};
  resp.magic = SHOAL_SIM_PROTO_MAGIC;
  resp.op = SHOAL_SIM_OP_RESP;
  resp.tag = r.msg.tag;
  resp.size = r.msg.size;
  resp.offset = r.msg.offset;
  ++stats_.requests;
  if (const uint32_t fault = request_fault(r, bar0_size_); fault != SHOAL_SIM_REASON_NONE) {
    resp.status = SHOAL_SIM_BAD_REQUEST;
    resp.reason = fault;
    ++stats_.bad_requests;
    return;
  }
  const bool write = r.msg.op == SHOAL_SIM_OP_WRITE;
  // A 64-bit access is one transaction: only where the card takes both halves
  // (shoal/bar_access.hpp), else neither half goes to the card.
  if (r.msg.size == 8 && !shoal::bar::wide_refusal(r.msg.offset, write).empty()) {
    resp.status = SHOAL_SIM_BUS_ERROR;
    resp.reason = SHOAL_SIM_REASON_WIDE_SPLIT;
    ++stats_.wide_refused;
    return;
  }
  const uint32_t addr = static_cast<uint32_t>(r.msg.offset);
  const unsigned words = r.msg.size / 4;
  bool ok = true;
  uint32_t reason = SHOAL_SIM_REASON_CARD_REFUSED;
  uint64_t data = 0;
  try {
    // low word first; a refused low half stops the access (the high half is never sent)
    for (unsigned w = 0; w < words && ok; ++w) {
      AxiResp br;
      if (!write) {
        uint32_t v = 0;
        br = model_.read32(addr + 4 * w, v);
        data |= uint64_t(v) << (32 * w);
      } else {
        br = model_.write32(addr + 4 * w, static_cast<uint32_t>(r.msg.data >> (32 * w)), 0xF);
      }
      if (br != AxiResp::Okay && br != AxiResp::ExOkay) ok = false;
    }
  } catch (const std::exception& e) {
    // The card did not answer (the model gives up after a bounded number of cycles). Report a
    // bus error, as a PCIe completion timeout would, and reset the card so it serves again.
    std::fprintf(stderr, "shoal-sim: card did not answer a %s at 0x%llx (%s); resetting it\n",
                 r.msg.op == SHOAL_SIM_OP_READ ? "read" : "write",
                 static_cast<unsigned long long>(r.msg.offset), e.what());
    model_.reset();
    ok = false;
    reason = SHOAL_SIM_REASON_CARD_TIMEOUT;
    ++stats_.card_resets;
  }
  if (!ok) {
    resp.status = SHOAL_SIM_BUS_ERROR;
    resp.reason = reason;
    ++stats_.bus_errors;
  } else if (!write) {
    resp.data = data;
  }
}

bool SimCore::service() {
  {
    std::lock_guard<std::mutex> lk(mu_);
    attention_.store(false, std::memory_order_relaxed);
    working_.swap(queue_);
  }
  for (const Request& r : working_) {
    shoal_sim_msg resp;
    serve_one(r, resp);
    out_.push_back(Outgoing{r.client, resp});
    // An access may change the interrupt lines (IRQ_TEST, W1C); report edges in order.
    const uint32_t irq = model_.irq();
    if (irq != last_irq_) {
      const uint32_t rose = irq & ~last_irq_;
      last_irq_ = irq;
      if (rose) {
        shoal_sim_msg m{};
        m.magic = SHOAL_SIM_PROTO_MAGIC;
        m.op = SHOAL_SIM_OP_IRQ;
        m.offset = model_.cycle();
        m.data = rose;
        out_.push_back(Outgoing{kBroadcast, m});
        ++stats_.irq_messages;
      }
    }
  }
  working_.clear();
  drain_outputs();
  if (!out_.empty()) {
    if (sink_) sink_->deliver(out_);
    out_.clear();
  }
  if (stop_.load(std::memory_order_relaxed)) return false;
  return model_.cycle() < max_cycles_;
}

}  // namespace shoal::sim
