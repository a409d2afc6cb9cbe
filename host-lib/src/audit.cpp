// libshoal: the audit log (shoal.h "the audit log"; docs/audit.md).
#include "internal.hpp"
#include "shoal/proto.h"
#include "shoal/proto_check.h"
#include "shoal/regs.h"

using shoal::Errc;
using shoal::hostlib::guarded;
using shoal::hostlib::ok;
using shoal::hostlib::set_error;

namespace {

int need_audit(shoal_dev* dev, const char* what) {
  if (dev == nullptr) return set_error(Errc::invalid_arg, std::string(what) + ": NULL device");
  if (dev->card.queues.audit_depth == 0 || !shoal::hostlib::has_block(*dev, "audit")) {
    return set_error(Errc::unsupported, "this card has no audit log (its DTB lists no audit block)");
  }
  return SHOAL_OK;
}

}  // namespace

extern "C" {

int shoal_audit_get_state(shoal_dev* dev, struct shoal_audit_state* st) {
  return guarded([&]() -> int {
    if (int rc = need_audit(dev, "shoal_audit_get_state")) return rc;
    auto& t = *dev->transport;
    shoal_audit_state full{};
    full.struct_size = sizeof full;
    full.depth = dev->card.queues.audit_depth;
    struct {
      std::uint32_t addr;
      std::uint32_t* dst;
    } regs[] = {{SHOAL_AUDIT_HEAD_ADDR, &full.head},
                {SHOAL_AUDIT_TAIL_ADDR, &full.tail},
                {SHOAL_AUDIT_DROPPED_ADDR, &full.dropped},
                {SHOAL_AUDIT_DROP_PENDING_ADDR, &full.drop_pending}};
    for (auto& r : regs) {
      auto v = t.read32(r.addr);
      if (!v) return set_error(v.error());
      *r.dst = *v;
    }
    return shoal::hostlib::fill_versioned(st, full, shoal::hostlib::kAuditStateV1, "shoal_audit_state");
  });
}

int shoal_audit_read(shoal_dev* dev, uint32_t seq, struct shoal_audit_record* rec) {
  return guarded([&]() -> int {
    if (int rc = need_audit(dev, "shoal_audit_read")) return rc;
    auto& t = *dev->transport;
    const auto& g = dev->card.queues;
    if (g.audit_words != SHOAL_PROTO_AUDIT_WORDS) {
      return set_error(Errc::unsupported, "the card's audit records are " + std::to_string(g.audit_words) + " words");
    }
    auto head = t.read32(SHOAL_AUDIT_HEAD_ADDR);
    auto tail = t.read32(SHOAL_AUDIT_TAIL_ADDR);
    if (!head) return set_error(head.error());
    if (!tail) return set_error(tail.error());
    auto outside = [&] {
      return set_error(Errc::invalid_arg, "audit record " + std::to_string(seq) + " is not in the ring (it holds " +
                                              std::to_string(*head) + " .. " + std::to_string(*tail) + ")");
    };
    if (seq - *head >= *tail - *head) return outside();
    shoal_audit_record full{};
    full.struct_size = sizeof full;
    const std::uint32_t base = SHOAL_AUDIT_RING_ADDR + (seq % g.audit_depth) * SHOAL_PROTO_AUDIT_WORDS * 4;
    for (std::uint32_t i = 0; i < SHOAL_PROTO_AUDIT_WORDS; i += 2) {
      auto v = t.read64(base + 4 * i);
      if (!v) return set_error(v.error());
      full.raw[i] = static_cast<std::uint32_t>(*v);
      full.raw[i + 1] = static_cast<std::uint32_t>(*v >> 32);
    }
    const std::uint32_t* w = full.raw;
    // drained between our reads of HEAD and of the slot: the slot may hold a newer record
    if (SHOAL_GET(w, SHOAL_AUDIT_SEQ) != seq) return outside();
    full.seq = seq;
    full.time = std::uint64_t{SHOAL_GET(w, SHOAL_AUDIT_TIME_HI)} << 32 | SHOAL_GET(w, SHOAL_AUDIT_TIME_LO);
    full.kind = SHOAL_GET(w, SHOAL_AUDIT_KIND);
    full.source = SHOAL_GET(w, SHOAL_AUDIT_SOURCE);
    full.actor = SHOAL_GET(w, SHOAL_AUDIT_ACTOR);
    full.status = SHOAL_GET(w, SHOAL_AUDIT_STATUS);
    full.part = SHOAL_GET(w, SHOAL_AUDIT_PART);
    full.part2 = SHOAL_GET(w, SHOAL_AUDIT_PART2);
    full.rtype = SHOAL_GET(w, SHOAL_AUDIT_RTYPE);
    full.flags = SHOAL_GET(w, SHOAL_AUDIT_FLAGS);
    full.amount = SHOAL_GET(w, SHOAL_AUDIT_AMOUNT);
    full.aux = SHOAL_GET(w, SHOAL_AUDIT_AUX);
    full.data_lo = SHOAL_GET(w, SHOAL_AUDIT_DATA_LO);
    full.data_hi = SHOAL_GET(w, SHOAL_AUDIT_DATA_HI);
    return shoal::hostlib::fill_versioned(rec, full, shoal::hostlib::kAuditRecordV1, "shoal_audit_record");
  });
}

int shoal_audit_drain(shoal_dev* dev, uint32_t seq) {
  return guarded([&]() -> int {
    if (int rc = need_audit(dev, "shoal_audit_drain")) return rc;
    auto& t = *dev->transport;
    auto head = t.read32(SHOAL_AUDIT_HEAD_ADDR);
    auto tail = t.read32(SHOAL_AUDIT_TAIL_ADDR);
    if (!head) return set_error(head.error());
    if (!tail) return set_error(tail.error());
    if (seq - *head > *tail - *head) {
      return set_error(Errc::invalid_arg, "cannot drain to " + std::to_string(seq) + ": the ring holds " +
                                              std::to_string(*head) + " .. " + std::to_string(*tail));
    }
    if (auto s = t.write32(SHOAL_AUDIT_HEAD_ADDR, seq); !s) return set_error(s.error());
    return ok();
  });
}

const char* shoal_audit_kind_name(uint32_t k) { return shoal_proto_audit_kind_name(k); }
const char* shoal_audit_source_name(uint32_t s) { return shoal_proto_audit_source_name(s); }

}  // extern "C"
