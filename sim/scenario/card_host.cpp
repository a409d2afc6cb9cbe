// The host side of a scenario run (card_host.hpp).
#include "card_host.hpp"

#include <stdexcept>

#include "shoal/proto_check.h"

namespace shoal::scenario {

Words command(std::uint32_t opcode) {
  Words w{};
  SHOAL_SET(w.data(), SHOAL_SQE_OPCODE, opcode);
  const shoal_proto_cmd* c = shoal_proto_find(opcode);
  SHOAL_SET(w.data(), SHOAL_SQE_VERSION, c ? c->version : 1u);
  return w;
}

std::uint32_t CardHost::rd(std::uint32_t a) {
  std::uint32_t v = 0;
  if (m_.read32(a, v) != sim::AxiResp::Okay) throw std::runtime_error("BAR0 read of " + std::to_string(a) + " refused");
  return v;
}

void CardHost::wr(std::uint32_t a, std::uint32_t v) {
  if (m_.write32(a, v) != sim::AxiResp::Okay) throw std::runtime_error("BAR0 write of " + std::to_string(a) + " refused");
}

void CardHost::boot() {
  std::string console;
  for (int i = 0; i < 40000 && console.find("allocation service up") == std::string::npos; ++i) {
    m_.step(1000);
    console += m_.take_console();
  }
  if (console.find("allocation service up") == std::string::npos)
    throw std::runtime_error("the firmware did not report 'allocation service up'; its console:\n" + console);
  for (std::uint32_t q = 0; q < SHOAL_PARAM_NUM_QUEUES; ++q) {
    sq_tail_[q] = rd(SHOAL_QUEUE_SQ_TAIL_ADDR_N(q));
    cq_head_[q] = rd(SHOAL_QUEUE_CQ_HEAD_ADDR_N(q));
  }
  audit_next_ = rd(SHOAL_AUDIT_HEAD_ADDR);
}

Words CardHost::call(std::uint32_t q, Words w) {
  tag_ = tag_ % 0xFFFFu + 1;  // 1 .. 0xFFFF (tag 0 is the events')
  SHOAL_SET(w.data(), SHOAL_SQE_TAG, tag_);
  const std::uint32_t slot = sq_tail_[q];
  for (std::uint32_t i = 0; i < SHOAL_PROTO_ENTRY_WORDS; ++i)
    wr(SHOAL_QUEUE_SQ_ADDR_N(q) + (slot * SHOAL_PROTO_ENTRY_WORDS + i) * 4, w[i]);
  sq_tail_[q] = (slot + 1) % SHOAL_PARAM_QUEUE_DEPTH;
  wr(SHOAL_QUEUE_SQ_TAIL_ADDR_N(q), sq_tail_[q]);
  // poll the completion ring every 64 cycles; events are read and skipped
  for (int n = 0; n < 200000; ++n) {
    m_.step(64);
    for (std::uint32_t tail = rd(SHOAL_QUEUE_CQ_TAIL_ADDR_N(q)); cq_head_[q] != tail;) {
      Words e{};
      for (std::uint32_t i = 0; i < SHOAL_PROTO_ENTRY_WORDS; ++i)
        e[i] = rd(SHOAL_QUEUE_CQ_ADDR_N(q) + (cq_head_[q] * SHOAL_PROTO_ENTRY_WORDS + i) * 4);
      cq_head_[q] = (cq_head_[q] + 1) % SHOAL_PARAM_QUEUE_DEPTH;
      wr(SHOAL_QUEUE_CQ_HEAD_ADDR_N(q), cq_head_[q]);
      if (!SHOAL_GET(e.data(), SHOAL_CQE_EVENT) && SHOAL_GET(e.data(), SHOAL_CQE_TAG) == tag_) return e;
      tail = rd(SHOAL_QUEUE_CQ_TAIL_ADDR_N(q));
    }
  }
  throw std::runtime_error("no completion on queue " + std::to_string(q) + " within 12.8 M card cycles");
}

Words CardHost::call_ok(std::uint32_t q, const Words& w, const std::string& what) {
  Words c = call(q, w);
  const std::uint32_t s = SHOAL_GET(c.data(), SHOAL_CQE_STATUS);
  if (s != SHOAL_ST_OK) {
    const char* n = shoal_proto_status_name(s);
    throw std::runtime_error(what + " refused by the card: " + (n ? n : std::to_string(s)));
  }
  return c;
}

void CardHost::drain_events() {
  for (std::uint32_t q = 0; q < SHOAL_PARAM_NUM_QUEUES; ++q) {
    const std::uint32_t tail = rd(SHOAL_QUEUE_CQ_TAIL_ADDR_N(q));
    if (tail == cq_head_[q]) continue;
    cq_head_[q] = tail;  // nothing is pending on these queues but events
    wr(SHOAL_QUEUE_CQ_HEAD_ADDR_N(q), tail);
  }
}

std::vector<AuditWords> CardHost::drain_audit() {
  std::vector<AuditWords> out;
  const std::uint32_t tail = rd(SHOAL_AUDIT_TAIL_ADDR);
  for (; audit_next_ != tail; ++audit_next_) {
    AuditWords r{};
    const std::uint32_t base = SHOAL_AUDIT_RING_ADDR + (audit_next_ % SHOAL_PARAM_AUDIT_DEPTH) * 32;
    for (std::uint32_t i = 0; i < SHOAL_PARAM_AUDIT_RECORD_WORDS; ++i) r[i] = rd(base + 4 * i);
    out.push_back(r);
  }
  wr(SHOAL_AUDIT_HEAD_ADDR, audit_next_);
  return out;
}

std::uint64_t CardHost::cycle_offset() {
  const std::uint64_t lo = rd(SHOAL_CTRL_CYCLE_LO_ADDR);
  const std::uint64_t hi = rd(SHOAL_CTRL_CYCLE_HI_ADDR);
  return m_.cycle() - (hi << 32 | lo);
}

}  // namespace shoal::scenario
