// The host side of a scenario run: talks to the in-process card model over BAR0 as a driver
// would (docs/queues.md: SQ slots, doorbells, completion rings and their interrupts;
// docs/audit.md: draining the audit ring). Deterministic: the card advances only here.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "card_model.hpp"
#include "shoal/proto.h"
#include "shoal/regs.h"

namespace shoal::scenario {

using Words = std::array<std::uint32_t, SHOAL_PROTO_ENTRY_WORDS>;
using AuditWords = std::array<std::uint32_t, SHOAL_PARAM_AUDIT_RECORD_WORDS>;

// A command with its opcode and current version set, every other word 0.
Words command(std::uint32_t opcode);

class CardHost {
 public:
  explicit CardHost(sim::CardModel& m) : m_(m) {}

  std::uint32_t rd(std::uint32_t addr);
  void wr(std::uint32_t addr, std::uint32_t v);

  // Steps the card until its firmware says "allocation service up"; throws otherwise.
  void boot();
  // One command on queue q; returns its completion. Throws when none comes within a bound.
  Words call(std::uint32_t q, Words w);
  // The same, and throws unless the status is OK (`what` names the command).
  Words call_ok(std::uint32_t q, const Words& w, const std::string& what);
  // Reads and drops whatever sits in every completion ring (the firmware's events).
  void drain_events();
  // The audit records written since the last call, oldest first (drains the ring).
  std::vector<AuditWords> drain_audit();
  // Card cycles the card's CYCLE counter is behind the model's clock (audit times + offset =
  // model cycles).
  std::uint64_t cycle_offset();

 private:
  sim::CardModel& m_;
  std::array<std::uint32_t, SHOAL_PARAM_NUM_QUEUES> sq_tail_{}, cq_head_{};
  std::uint32_t tag_ = 0, audit_next_ = 0;
};

}  // namespace shoal::scenario
