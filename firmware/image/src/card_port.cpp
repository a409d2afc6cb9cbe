// service::CardPort and service::QueueIo over the block drivers (card_port.hpp).
#include "card_port.hpp"

#include "shoal/core.hpp"
#include "shoal/dif/alloc.hpp"
#include "shoal/dif/audit.hpp"
#include "shoal/dif/drrm.hpp"
#include "shoal/dif/queue.hpp"
#include "shoal/dif/wmu.hpp"

namespace shoal::fw {

using service::K;

service::AllocResp FwCard::alloc(uint64_t cmd) {
  service::AllocResp r;
  if (!dif::alloc::command(cmd)) {
    r.status = SHOAL_ALLOC_RESP0_STATUS_INVALID;
    return r;
  }
  const uint32_t r0 = dif::alloc::resp(0), r1 = dif::alloc::resp(1), r2 = dif::alloc::resp(2),
                 r3 = dif::alloc::resp(3);
  r.status = (r0 & SHOAL_ALLOC_RESP0_STATUS_MASK) >> SHOAL_ALLOC_RESP0_STATUS_LSB;
  r.granted = (r0 & SHOAL_ALLOC_RESP0_GRANTED_MASK) >> SHOAL_ALLOC_RESP0_GRANTED_LSB;
  r.alloc = (r1 & SHOAL_ALLOC_RESP1_ALLOC_MASK) >> SHOAL_ALLOC_RESP1_ALLOC_LSB;
  r.free = (r1 & SHOAL_ALLOC_RESP1_FREE_MASK) >> SHOAL_ALLOC_RESP1_FREE_LSB;
  r.floor = (r2 & SHOAL_ALLOC_RESP2_FLOOR_MASK) >> SHOAL_ALLOC_RESP2_FLOOR_LSB;
  r.cap = (r2 & SHOAL_ALLOC_RESP2_CAP_MASK) >> SHOAL_ALLOC_RESP2_CAP_LSB;
  r.prio = (r3 & SHOAL_ALLOC_RESP3_PRIO_MASK) >> SHOAL_ALLOC_RESP3_PRIO_LSB;
  r.reclaimed = (r3 & SHOAL_ALLOC_RESP3_RECLAIMED_MASK) >> SHOAL_ALLOC_RESP3_RECLAIMED_LSB;
  if (r.reclaimed) {
    for (uint32_t k = 0; k < K; ++k) r.victim[k] = static_cast<uint16_t>(dif::alloc::victim(k));
  }
  return r;
}
bool FwCard::alloc_selfcheck_failed() { return dif::alloc::selfcheck_failed(); }
uint32_t FwCard::alloc_free(uint32_t t) { return dif::alloc::pool_free(t); }
uint32_t FwCard::alloc_pool(uint32_t t) { return dif::alloc::pool_size(t); }
uint32_t FwCard::alloc_held(uint32_t p, uint32_t t) { return dif::alloc::part_held(p, t); }

service::DrrmCpl FwCard::drrm(uint32_t op, uint32_t proc, uint32_t part, uint64_t mask,
                              uint32_t base, uint32_t size, uint32_t perm, uint32_t tag) {
  const dif::drrm::Cpl c = dif::drrm::run(op, proc, part, mask, base, size, perm, tag);
  service::DrrmCpl out;
  out.status = c.status;
  out.cycles = c.cycles;
  return out;
}
void FwCard::drrm_set_timeout(uint32_t cycles) { dif::drrm::set_timeout(cycles); }
uint32_t FwCard::drrm_proc_state(uint32_t p) {
  return (dif::drrm::proc(p) & SHOAL_DRRM_PROC_STATE_MASK) >> SHOAL_DRRM_PROC_STATE_LSB;
}
uint32_t FwCard::drrm_proc_part(uint32_t p) {
  return (dif::drrm::proc(p) & SHOAL_DRRM_PROC_PART_MASK) >> SHOAL_DRRM_PROC_PART_LSB;
}

bool FwCard::wmu_configure(uint32_t window, uint32_t alpha) { return dif::wmu::configure(window, alpha); }
uint32_t FwCard::wmu_window() { return dif::wmu::window(); }
uint32_t FwCard::wmu_alpha() { return dif::wmu::alpha(); }
void FwCard::wmu_thresholds(uint32_t k, uint32_t hi, uint32_t lo, bool en) {
  dif::wmu::thresholds(k, hi, lo, en);
}
service::PartTelemetry FwCard::wmu_part(uint32_t k) {
  service::PartTelemetry t;
  const uint32_t e = dif::wmu::ewma(k);
  t.ewma = (e & SHOAL_WMU_EWMA_VALUE_MASK) >> SHOAL_WMU_EWMA_VALUE_LSB;
  // the newest sample whose ring slot is current (partition k's entry lands a little after
  // the window ends)
  const uint32_t seq = dif::wmu::seq();
  for (uint32_t back = 1; back <= 2 && back <= seq; ++back) {
    const uint32_t s = seq - back, w = dif::wmu::ring(k, s % 16u);
    if ((w >> 16) == (s & 0xFFFFu)) {
      t.util = w & 0xFFFFu;
      t.seq = s & 0xFFFFu;
      break;
    }
  }
  t.busy = dif::wmu::part_busy(k);
  t.mem = dif::wmu::part_mem(k);
  t.io = dif::wmu::part_io(k);
  return t;
}
void FwCard::wmu_proc(uint32_t p, uint32_t* busy, uint32_t* mem, uint32_t* io) {
  *busy = dif::wmu::proc_busy(p);
  *mem = dif::wmu::proc_mem(p);
  *io = dif::wmu::proc_io(p);
}
void FwCard::audit_actor(uint32_t a) { dif::audit::set_actor(a); }
void FwCard::audit(const uint32_t w[5]) { dif::audit::push(w); }
uint64_t FwCard::now() { return rdcycle(); }

// ---- queues ----

void FwQueues::init() {
  for (uint32_t q = 0; q < service::Q; ++q) {
    sq_head_[q] = static_cast<uint8_t>(dif::queue::sq_head(q));
    cq_tail_[q] = static_cast<uint8_t>(dif::queue::cq_tail(q));
  }
}
uint32_t FwQueues::pending() { return dif::queue::pending(); }
bool FwQueues::take(uint32_t q, uint32_t* sqe) {
  const uint32_t tail = dif::queue::sq_tail(q);  // the block refuses indices >= depth
  if (tail == sq_head_[q]) return false;
  dif::queue::read_sqe(q, sq_head_[q], sqe);   // copied out before anything looks at it
  sq_head_[q] = static_cast<uint8_t>((sq_head_[q] + 1u) % dif::queue::kDepth);
  dif::queue::set_sq_head(q, sq_head_[q]);
  return true;
}
uint32_t FwQueues::cq_free(uint32_t q) {
  const uint32_t head = dif::queue::cq_head(q);
  return (head + dif::queue::kDepth - cq_tail_[q] - 1u) % dif::queue::kDepth;
}
bool FwQueues::post(uint32_t q, const uint32_t* cqe) {
  if (cq_free(q) == 0) return false;
  dif::queue::write_cqe(q, cq_tail_[q], cqe);
  cq_tail_[q] = static_cast<uint8_t>((cq_tail_[q] + 1u) % dif::queue::kDepth);
  dif::queue::set_cq_tail(q, cq_tail_[q]);
  return true;
}

}  // namespace shoal::fw
