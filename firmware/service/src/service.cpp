// The allocation service (shoal/service/service.hpp; docs/service.md).
#include "shoal/service/service.hpp"

#include <string.h>

namespace shoal::service {
namespace pol = shoal::policy;
static_assert(pol::kMaxPartitions == K, "the policy library is built for the card's partitions");
namespace {

// ALLOC (docs/alloc.md), from the register map's named values
constexpr uint32_t kAllocRequest = SHOAL_ALLOC_CMD_LO_OP_REQUEST;
constexpr uint32_t kAllocRelease = SHOAL_ALLOC_CMD_LO_OP_RELEASE;
constexpr uint32_t kAllocLimits = SHOAL_ALLOC_CMD_LO_OP_SET_LIMITS;
constexpr uint32_t kAllocPrio = SHOAL_ALLOC_CMD_LO_OP_SET_PRIO;
constexpr uint32_t kAllocGranted = SHOAL_ALLOC_RESP0_STATUS_GRANTED;
constexpr uint32_t kAllocPartial = SHOAL_ALLOC_RESP0_STATUS_PARTIAL;
// DRRM (docs/drrm.md)
constexpr uint32_t kDrrmMigrate = SHOAL_DRRM_CMD_PUSH_OP_MIGRATE;
constexpr uint32_t kDrrmWindow = SHOAL_DRRM_CMD_PUSH_OP_SET_WINDOW;
constexpr uint32_t kDrrmOffline = SHOAL_DRRM_CMD_PUSH_OP_OFFLINE;
constexpr uint32_t kDrrmOnline = SHOAL_DRRM_CMD_PUSH_OP_ONLINE;
constexpr uint32_t kDrrmOk = SHOAL_DRRM_CPL_HEAD_STATUS_OK;
constexpr uint32_t kDrrmTimeout = SHOAL_DRRM_CPL_HEAD_STATUS_TIMEOUT;
constexpr uint32_t kProcRunning = SHOAL_DRRM_PROC_STATE_RUNNING;
constexpr uint32_t kProcOffline = SHOAL_DRRM_PROC_STATE_OFFLINE;

constexpr uint8_t kLost = 0xFE;  // a processor that would not quiesce to be parked
constexpr uint32_t kFallbacks = SHOAL_REQ_POSTPONE | SHOAL_REQ_NEGOTIATE | SHOAL_REQ_ELSEWHERE;
constexpr uint32_t kMemChunks = SHOAL_RES_MEM_REGION_UNITS;
constexpr uint32_t kCyclesPerUs = SHOAL_PARAM_CLOCK_HZ / 1000000u;
constexpr uint32_t kDefaultTimeoutUs = 10000;  // a postponed request's deadline by default

uint64_t alloc_word(uint32_t op, uint32_t p, uint32_t t, uint32_t amount, uint32_t cap,
                    bool partial, bool reclaim, uint32_t prio) {
  const uint32_t lo = op << SHOAL_ALLOC_CMD_LO_OP_LSB | uint32_t(partial) << SHOAL_ALLOC_CMD_LO_PARTIAL_LSB |
                      uint32_t(reclaim) << SHOAL_ALLOC_CMD_LO_RECLAIM_LSB |
                      p << SHOAL_ALLOC_CMD_LO_PARTITION_LSB | t << SHOAL_ALLOC_CMD_LO_TYPE_LSB |
                      prio << SHOAL_ALLOC_CMD_LO_PRIO_LSB;
  const uint32_t hi = amount << SHOAL_ALLOC_CMD_HI_AMOUNT_LSB | cap << SHOAL_ALLOC_CMD_HI_CAP_LSB;
  return uint64_t(hi) << 32 | lo;
}

uint32_t status_of_alloc(uint32_t st) {
  switch (st) {
    case SHOAL_ALLOC_RESP0_STATUS_GRANTED: return SHOAL_ST_OK;
    case SHOAL_ALLOC_RESP0_STATUS_PARTIAL: return SHOAL_ST_PARTIAL;
    case SHOAL_ALLOC_RESP0_STATUS_DENIED_CAP: return SHOAL_ST_DENIED_CAP;
    case SHOAL_ALLOC_RESP0_STATUS_INSUFFICIENT: return SHOAL_ST_INSUFFICIENT;
    case SHOAL_ALLOC_RESP0_STATUS_CAP_BELOW_ALLOC: return SHOAL_ST_CAP_BELOW_ALLOC;
    case SHOAL_ALLOC_RESP0_STATUS_FLOOR_SUM: return SHOAL_ST_FLOOR_SUM;
    default: return SHOAL_ST_INVALID;
  }
}

}  // namespace

// ---- plumbing ------------------------------------------------------------------------------

void Service::record(uint32_t kind, uint32_t status, uint32_t part, uint32_t part2, uint32_t rtype,
                     uint32_t flags, uint32_t amount, uint32_t aux, uint32_t data_lo,
                     uint32_t data_hi, uint32_t actor) {
  uint32_t r[SHOAL_PROTO_AUDIT_WORDS] = {};
  SHOAL_SET(r, SHOAL_AUDIT_KIND, kind);
  SHOAL_SET(r, SHOAL_AUDIT_ACTOR, actor == kNone ? actor_ : actor);
  SHOAL_SET(r, SHOAL_AUDIT_STATUS, status);
  SHOAL_SET(r, SHOAL_AUDIT_PART, part);
  SHOAL_SET(r, SHOAL_AUDIT_PART2, part2);
  SHOAL_SET(r, SHOAL_AUDIT_RTYPE, rtype);
  SHOAL_SET(r, SHOAL_AUDIT_FLAGS, flags);
  SHOAL_SET(r, SHOAL_AUDIT_AMOUNT, amount);
  SHOAL_SET(r, SHOAL_AUDIT_AUX, aux);
  SHOAL_SET(r, SHOAL_AUDIT_DATA_LO, data_lo);
  SHOAL_SET(r, SHOAL_AUDIT_DATA_HI, data_hi);
  card_.audit(&r[SHOAL_AUDIT_KIND_WORD]);
}

void Service::event(uint32_t queue, uint32_t kind, uint32_t part, uint32_t type, uint32_t other,
                    uint32_t amount, uint32_t request, uint32_t data) {
  uint32_t w[SHOAL_PROTO_ENTRY_WORDS] = {};
  SHOAL_SET(w, SHOAL_EV_KIND, kind);
  SHOAL_SET(w, SHOAL_EV_PARTITION, part);
  SHOAL_SET(w, SHOAL_EV_TYPE, type);
  SHOAL_SET(w, SHOAL_EV_OTHER, other);
  SHOAL_SET(w, SHOAL_EV_AMOUNT, amount);
  SHOAL_SET(w, SHOAL_EV_REQUEST, request);
  SHOAL_SET(w, SHOAL_EV_DATA, data);
  events_.event(queue, w);
}

void Service::set_actor(uint32_t actor) {
  actor_ = actor & 0xFFu;
  card_.audit_actor(actor_);
}

void Service::apply_resp(uint32_t p, uint32_t t, const AllocResp& r) {
  if (r.status == SHOAL_ALLOC_RESP0_STATUS_INVALID) return;
  held_[p][t] = static_cast<uint16_t>(r.alloc);
  for (uint32_t k = 0; k < K; ++k) held_[k][t] = static_cast<uint16_t>(held_[k][t] - r.victim[k]);
}

AllocResp Service::alloc_cmd(uint32_t op, uint32_t p, uint32_t t, uint32_t amount, uint32_t cap,
                             bool partial, bool reclaim, uint32_t prio) {
  const AllocResp r = card_.alloc(alloc_word(op, p, t, amount, cap, partial, reclaim, prio));
  if (op == kAllocRequest || op == kAllocRelease) apply_resp(p, t, r);
  return r;
}

uint32_t Service::free_units(uint32_t t) const {
  uint32_t sum = 0;
  for (uint32_t k = 0; k < K; ++k) sum += held_[k][t];
  return pool_[t] >= sum ? pool_[t] - sum : 0;
}

uint32_t Service::reclaimable(uint32_t p, uint32_t t) const {
  uint32_t sum = 0;
  for (uint32_t k = 0; k < K; ++k) {
    if (k == p || parts_[k].prio >= parts_[p].prio) continue;
    if (held_[k][t] > parts_[k].floor[t]) sum += held_[k][t] - parts_[k].floor[t];
  }
  return sum;
}

uint64_t Service::procs_of(uint32_t p) const {
  uint64_t m = 0;
  for (uint32_t x = 0; x < P; ++x)
    if (owner_[x] == p) m |= uint64_t{1} << x;
  return m;
}

uint32_t Service::pending_of(uint32_t p) const {
  uint32_t n = 0;
  for (const Pending& q : pending_) n += q.used && q.part == p;
  return n;
}

SwarmView Service::view() const { return SwarmView{owner_, heat_, SHOAL_PARAM_PROC_CLUSTER_SIZE}; }

void Service::stop(Fault f, uint32_t detail) {
  if (fault_ == Fault::None) {
    fault_ = f;
    fault_detail_ = detail;
  }
  ++stats_.fault_count;
  record(SHOAL_AUDIT_KIND_FAULT, uint32_t(f), kNone, kNone, 0, 0, 0, 0, detail, 0);
  event(0, SHOAL_EV_KIND_FAULT, kNone, 0, 0, uint32_t(f), 0, detail);
}

// ---- boot ------------------------------------------------------------------------------------

uint32_t Service::start() {
  static const char* const names[] = SHOAL_RES_NAMES;
  for (uint32_t t = 0; t < T; ++t) {
    pool_[t] = static_cast<uint16_t>(card_.alloc_pool(t));
    types_[t] = TypeState{};
    if (t < SHOAL_RES_COUNT) {
      types_[t].state = SHOAL_CPL_RES_QUERY_STATE_BUILTIN;
      strncpy(types_[t].name, names[t], kNameBytes);
      types_[t].units = pool_[t];
    }
    for (uint32_t k = 0; k < K; ++k) {
      held_[k][t] = static_cast<uint16_t>(card_.alloc_held(k, t));
      parts_[k].cap[t] = pool_[t];
    }
  }
  // every processor to the idle pool (parked); one that does not quiesce is out of service
  uint32_t lost = 0;
  for (uint32_t x = 0; x < P; ++x) {
    owner_[x] = kNone;
    if (card_.drrm_proc_state(x) == kProcOffline) continue;
    const DrrmCpl c = card_.drrm(kDrrmOffline, x, 0, 0, 0, 0, 0, kNone);
    if (c.status != kDrrmOk) {
      owner_[x] = kLost;
      ++lost;
      record(SHOAL_AUDIT_KIND_PARK, SHOAL_ST_TIMEOUT, kNone, kNone, kCpu, 0, x, 0, 0, 0);
    }
  }
  memset(chunk_owner_, kNone, sizeof chunk_owner_);
  card_.wmu_configure(card_.wmu_window(), card_.wmu_alpha());  // counting on
  // the predictor's profiles: CPU in processors, memory in mem_bw tokens, I/O in PCIe lanes
  pol::predictor_init(pred_, pool_[kCpu], pool_[SHOAL_RES_MEM_BW], pool_[SHOAL_RES_PCIE_LANES]);
  pcfg_ = pol::PolicyConfig{};
  pcfg_.kind = pol::PolicyKind(uint8_t(policy_.policy));
  pcfg_.pr.migration_cost = uint16_t(policy_.move_cost << 4);
  pol::policy_state_reset(pstate_);
  record(SHOAL_AUDIT_KIND_SERVICE_START, SHOAL_ST_OK, kNone, kNone, 0, 0, lost, 0,
         card_.fw_version(), P - lost);
  check_invariants();
  return lost;
}

// ---- moving processors -------------------------------------------------------------------------

bool Service::move(uint32_t x, uint32_t to, uint32_t* cycles) {
  const uint32_t from = owner_[x];
  DrrmCpl c;
  if (from == to) return true;
  if (from == kNone) c = card_.drrm(kDrrmOnline, x, to, 0, 0, 0, 0, actor_);
  else if (to == kNone) c = card_.drrm(kDrrmOffline, x, 0, 0, 0, 0, 0, actor_);
  else c = card_.drrm(kDrrmMigrate, x, to, 0, 0, 0, 0, actor_);
  if (cycles) *cycles = c.cycles;
  if (c.status == kDrrmOk) {
    owner_[x] = static_cast<uint8_t>(to);
    ++stats_.migrations;
    if (from != kNone) event(queue_of(from), SHOAL_EV_KIND_PROC_LEFT, from, x, to, 1, 0, 0);
    if (to != kNone) event(queue_of(to), SHOAL_EV_KIND_PROC_JOINED, to, x, from, 1, 0, 0);
    return true;
  }
  if (c.status == kDrrmTimeout) {
    ++stats_.rollbacks;
    if (from != kNone) event(queue_of(from), SHOAL_EV_KIND_ROLLBACK, from, x, to, 1, 0, 0);
    if (to != kNone) event(queue_of(to), SHOAL_EV_KIND_ROLLBACK, to, x, from, 1, 0, 0);
    return false;
  }
  // BUSY / BAD_STATE / BAD_ARG: our picture of the processors is wrong
  stop(Fault::CpuMap, x << 8 | c.status);
  return false;
}

uint32_t Service::request_cpu(uint32_t p, uint32_t amount, bool partial, bool reclaim, Grant* g) {
  const AllocResp r = alloc_cmd(kAllocRequest, p, kCpu, amount, 0, partial, reclaim);
  if (r.status != kAllocGranted && r.status != kAllocPartial) return status_of_alloc(r.status);
  uint32_t granted = r.granted, reclaimed = 0, from_victims = 0;
  bool rolled_back = false;
  uint64_t exclude = 0;
  SwarmView v = view();
  // processors of the victims, then of the idle pool, become p's
  for (uint32_t k = 0; k <= K; ++k) {
    const uint32_t src = k < K ? k : kNone;
    const uint32_t want = k < K ? r.victim[k] : r.granted - from_victims;
    if (k < K) from_victims += r.victim[k];
    uint32_t moved = 0;
    while (moved < want) {
      uint8_t x;
      if (swarm_pick(v, src, p, 1, exclude, &x) == 0) break;
      if (move(x, p, nullptr)) {
        ++moved;
      } else {
        exclude |= uint64_t{1} << x;
        rolled_back = true;
        if (!running()) break;
      }
    }
    if (moved < want) {
      // the ALLOC moved units no processor could follow: give them back to where they were
      const uint32_t back = want - moved;
      alloc_cmd(kAllocRelease, p, kCpu, back, 0, false, false);
      if (src != kNone) alloc_cmd(kAllocRequest, src, kCpu, back, 0, false, false);
      granted -= back;
    }
    if (k < K && moved) {
      reclaimed += moved;
      event(queue_of(k), SHOAL_EV_KIND_RECLAIMED, k, kCpu, p, moved, 0, 0);
    }
  }
  g->granted = static_cast<uint16_t>(granted);
  g->reclaimed = static_cast<uint16_t>(reclaimed);
  if (granted == amount) return SHOAL_ST_OK;
  if (granted > 0) return SHOAL_ST_PARTIAL;
  return rolled_back ? SHOAL_ST_TIMEOUT : SHOAL_ST_INSUFFICIENT;
}

uint32_t Service::release_cpu(uint32_t p, uint32_t amount, uint32_t* released) {
  uint32_t done = 0;
  uint64_t exclude = 0;
  SwarmView v = view();
  while (done < amount) {
    uint8_t x;
    if (swarm_pick(v, p, kNone, 1, exclude, &x) == 0) break;
    if (move(x, kNone, nullptr)) ++done;
    else exclude |= uint64_t{1} << x;
    if (!running()) break;
  }
  if (done) alloc_cmd(kAllocRelease, p, kCpu, done, 0, false, false);
  *released = done;
  if (done == amount) return SHOAL_ST_OK;
  return done ? SHOAL_ST_PARTIAL : SHOAL_ST_TIMEOUT;
}

// ---- memory regions: one contiguous extent of chunks per partition, first fit --------------------

uint32_t Service::request_mem(uint32_t p, uint32_t amount, Grant* g) {
  const uint32_t have = held_[p][kMem];
  if (have + amount > parts_[p].cap[kMem]) return SHOAL_ST_DENIED_CAP;
  uint32_t start = mem_start_[p];
  if (have) {  // grow in place: the chunks after the extent must be free
    if (start + have + amount > kMemChunks) return SHOAL_ST_INSUFFICIENT;
    for (uint32_t c = start + have; c < start + have + amount; ++c)
      if (chunk_owner_[c] != kNone) return SHOAL_ST_INSUFFICIENT;
  } else {
    uint32_t run = 0;
    start = kMemChunks;
    for (uint32_t c = 0; c < kMemChunks; ++c) {
      run = chunk_owner_[c] == kNone ? run + 1 : 0;
      if (run == amount) {
        start = c + 1 - amount;
        break;
      }
    }
    if (start == kMemChunks) return SHOAL_ST_INSUFFICIENT;
  }
  const AllocResp r = alloc_cmd(kAllocRequest, p, kMem, amount, 0, false, false);
  if (r.status != kAllocGranted) return status_of_alloc(r.status);
  for (uint32_t c = start + have; c < start + have + amount; ++c) chunk_owner_[c] = static_cast<uint8_t>(p);
  mem_start_[p] = static_cast<uint8_t>(start);
  const uint32_t base = SHOAL_PARAM_MEM_BASE + start * SHOAL_PARAM_MEM_CHUNK_BYTES;
  const uint32_t size = (have + amount) * SHOAL_PARAM_MEM_CHUNK_BYTES;
  card_.drrm(kDrrmWindow, 0, p, 0, base, size, 3, actor_);  // read + write, only p's processors
  record(SHOAL_AUDIT_KIND_MEM_MAP, SHOAL_ST_OK, p, kNone, kMem, 0, have + amount, 0, base, size);
  g->granted = static_cast<uint16_t>(amount);
  g->base = base;
  g->size = size;
  return SHOAL_ST_OK;
}

uint32_t Service::release_mem(uint32_t p, uint32_t amount) {
  const uint32_t have = held_[p][kMem], keep = have - amount, start = mem_start_[p];
  const uint32_t base = SHOAL_PARAM_MEM_BASE + start * SHOAL_PARAM_MEM_CHUNK_BYTES;
  // unmap first (the window shrinks to what stays), then free
  card_.drrm(kDrrmWindow, 0, p, 0, keep ? base : 0, keep * SHOAL_PARAM_MEM_CHUNK_BYTES,
             keep ? 3u : 0u, actor_);
  record(SHOAL_AUDIT_KIND_MEM_UNMAP, SHOAL_ST_OK, p, kNone, kMem, 0, amount, 0,
         base + keep * SHOAL_PARAM_MEM_CHUNK_BYTES, amount * SHOAL_PARAM_MEM_CHUNK_BYTES);
  alloc_cmd(kAllocRelease, p, kMem, amount, 0, false, false);
  for (uint32_t c = start + keep; c < start + have; ++c) chunk_owner_[c] = kNone;
  return SHOAL_ST_OK;
}

// ---- requests ----------------------------------------------------------------------------------

uint32_t Service::try_request(uint32_t queue, uint32_t p, uint32_t t, uint32_t amount,
                              uint32_t flags, Grant* g) {
  (void)queue;
  const bool partial = flags & SHOAL_REQ_ALLOW_PARTIAL;
  const bool reclaim = flags & SHOAL_REQ_ALLOW_RECLAIM;
  uint32_t st;
  if (t == kCpu) {
    st = request_cpu(p, amount, partial, reclaim, g);
  } else if (t == kMem) {
    st = request_mem(p, amount, g);  // memory is never reclaimed nor granted in part
  } else {
    const AllocResp r = alloc_cmd(kAllocRequest, p, t, amount, 0, partial, reclaim);
    st = status_of_alloc(r.status);
    g->granted = static_cast<uint16_t>(r.granted);
    g->reclaimed = static_cast<uint16_t>(r.reclaimed);
    for (uint32_t k = 0; k < K; ++k)
      if (r.victim[k]) event(queue_of(k), SHOAL_EV_KIND_RECLAIMED, k, t, p, r.victim[k], 0, 0);
  }
  g->held = held_[p][t];
  return st;
}

uint32_t Service::request(uint32_t queue, uint32_t p, uint32_t t, uint32_t amount, uint32_t flags,
                          uint32_t timeout_us, Grant* g) {
  *g = Grant{};
  if (!running()) return SHOAL_ST_FAULT;
  if (!parts_[p].exists) return SHOAL_ST_NO_PARTITION;
  if (types_[t].state == SHOAL_CPL_RES_QUERY_STATE_FREE) return SHOAL_ST_NO_TYPE;
  const uint32_t fb = flags & kFallbacks;
  if (fb & (fb - 1)) return SHOAL_ST_INVALID;  // at most one fallback
  if (held_[p][t] + amount > parts_[p].cap[t]) {
    if (!(flags & SHOAL_REQ_ALLOW_PARTIAL) || held_[p][t] >= parts_[p].cap[t]) return SHOAL_ST_DENIED_CAP;
  }
  uint32_t st = try_request(queue, p, t, amount, flags & ~kFallbacks, g);
  if (st != SHOAL_ST_INSUFFICIENT || fb == 0) return st;
  if (fb == SHOAL_REQ_POSTPONE) {
    uint16_t amounts[T] = {};
    amounts[t] = static_cast<uint16_t>(amount);
    st = postpone(p, t, false, amounts, flags, timeout_us, &g->request);
    g->held = held_[p][t];
    return st;
  }
  if (fb == SHOAL_REQ_NEGOTIATE) {
    // what is free now, and the holders above their floors are asked for the rest
    const uint32_t now = t == kMem ? 0 : free_units(t) < amount ? free_units(t) : amount;
    if (now) st = try_request(queue, p, t, now, SHOAL_REQ_ALLOW_PARTIAL, g);
    fallback_negotiate(p, t, amount - g->granted);
    return g->granted == amount ? SHOAL_ST_OK : SHOAL_ST_NEGOTIATING;
  }
  // ELSEWHERE: the broker or the fabric manager acquires it on another server
  event(0, SHOAL_EV_KIND_ELSEWHERE, p, t, kNone, amount, 0, 0);
  record(SHOAL_AUDIT_KIND_ELSEWHERE, SHOAL_ST_ELSEWHERE, p, kNone, t, 0, amount, 0, 0, 0);
  return SHOAL_ST_ELSEWHERE;
}

void Service::fallback_negotiate(uint32_t p, uint32_t t, uint32_t missing) {
  // lowest priority first, then the largest excess, then the lowest index
  uint32_t asked = 0;
  bool done[K] = {};
  while (asked < missing) {
    uint32_t best = K, best_excess = 0;
    for (uint32_t k = 0; k < K; ++k) {
      if (k == p || done[k] || !parts_[k].exists || held_[k][t] <= parts_[k].floor[t]) continue;
      const uint32_t ex = held_[k][t] - parts_[k].floor[t];
      if (best == K || parts_[k].prio < parts_[best].prio ||
          (parts_[k].prio == parts_[best].prio && ex > best_excess)) {
        best = k;
        best_excess = ex;
      }
    }
    if (best == K) break;
    done[best] = true;
    const uint32_t ask = best_excess < missing - asked ? best_excess : missing - asked;
    event(queue_of(best), SHOAL_EV_KIND_GIVE_BACK, best, t, p, ask, 0, 0);
    record(SHOAL_AUDIT_KIND_GIVE_BACK, SHOAL_ST_OK, best, p, t, 0, ask, 0, 0, 0);
    asked += ask;
  }
}

uint32_t Service::postpone(uint32_t p, uint32_t t, bool vector, const uint16_t amount[T],
                           uint32_t flags, uint32_t timeout_us, uint16_t* id) {
  for (Pending& q : pending_) {
    if (q.used) continue;
    q = Pending{};
    q.used = true;
    q.vector = vector;
    q.part = static_cast<uint8_t>(p);
    q.type = static_cast<uint8_t>(t);
    q.flags = flags & ~kFallbacks;
    for (uint32_t i = 0; i < T; ++i) q.amount[i] = amount[i];
    q.id = next_id_;
    next_id_ = static_cast<uint16_t>(next_id_ + 1 == 0 ? 1 : next_id_ + 1);
    const uint64_t us = timeout_us ? timeout_us : kDefaultTimeoutUs;
    q.deadline = card_.now() + us * kCyclesPerUs;
    *id = q.id;
    record(SHOAL_AUDIT_KIND_POSTPONED, SHOAL_ST_POSTPONED, p, kNone, vector ? kNone : t, 0,
           vector ? 0 : amount[t], q.id, timeout_us, 0);
    return SHOAL_ST_POSTPONED;
  }
  return SHOAL_ST_NO_SPACE;
}

void Service::serve_pending() {
  if (!running()) return;
  const uint64_t now = card_.now();
  // each postponed request once, the earliest deadline first
  bool tried[kMaxPending] = {};
  for (;;) {
    uint32_t i = kMaxPending;
    for (uint32_t c = 0; c < kMaxPending; ++c)
      if (pending_[c].used && !tried[c] && (i == kMaxPending || pending_[c].deadline < pending_[i].deadline))
        i = c;
    if (i == kMaxPending || !running()) return;
    tried[i] = true;
    Pending& q = pending_[i];
    const uint32_t queue = queue_of(q.part);
    if (int64_t(now - q.deadline) >= 0) {
      q.used = false;
      event(queue, SHOAL_EV_KIND_EXPIRED, q.part, q.vector ? kNone : q.type, kNone, 0, q.id, 0);
      record(SHOAL_AUDIT_KIND_EXPIRED, SHOAL_ST_EXPIRED, q.part, kNone, q.type, 0, 0, q.id, 0, 0,
             queue);
      continue;
    }
    if (q.vector) {
      uint32_t bad = 0, st = 0;
      if (!vector_feasible(q.part, q.amount, q.flags & SHOAL_REQ_ALLOW_RECLAIM, &bad, &st)) continue;
      const Pending keep = q;
      q.used = false;  // not counted as pending while it is being granted
      uint16_t granted[T] = {}, id = 0;
      if (request_vector(queue, keep.part, keep.flags, keep.amount, 0, granted, &id) != SHOAL_ST_OK) {
        q = keep;
        continue;
      }
      uint32_t total = 0;
      for (uint32_t t = 0; t < T; ++t) total += granted[t];
      event(queue, SHOAL_EV_KIND_GRANTED, keep.part, kNone, kNone, total, keep.id, 0);
      continue;
    }
    const uint32_t want = (q.flags & SHOAL_REQ_ALLOW_PARTIAL) ? 1u : q.amount[q.type];
    const uint32_t avail =
        free_units(q.type) + ((q.flags & SHOAL_REQ_ALLOW_RECLAIM) ? reclaimable(q.part, q.type) : 0);
    if (avail < want) continue;
    Grant g;
    const uint32_t st = try_request(queue, q.part, q.type, q.amount[q.type], q.flags, &g);
    if (st != SHOAL_ST_OK && st != SHOAL_ST_PARTIAL) continue;
    q.used = false;
    event(queue, SHOAL_EV_KIND_GRANTED, q.part, q.type, kNone, g.granted, q.id, g.base);
  }
}

uint32_t Service::cancel(uint32_t p, uint32_t id) {
  for (Pending& q : pending_) {
    if (q.used && q.part == p && q.id == id) {
      q.used = false;
      record(SHOAL_AUDIT_KIND_CANCELLED, SHOAL_ST_CANCELLED, p, kNone, q.type, 0, 0, id, 0, 0);
      return SHOAL_ST_OK;
    }
  }
  return SHOAL_ST_NOT_FOUND;
}

uint32_t Service::release(uint32_t p, uint32_t t, uint32_t amount, uint32_t* released) {
  *released = 0;
  if (!running()) return SHOAL_ST_FAULT;
  if (!parts_[p].exists) return SHOAL_ST_NO_PARTITION;
  if (types_[t].state == SHOAL_CPL_RES_QUERY_STATE_FREE) return SHOAL_ST_NO_TYPE;
  if (amount > held_[p][t]) return SHOAL_ST_INVALID;
  uint32_t st = SHOAL_ST_OK;
  if (t == kCpu) {
    st = release_cpu(p, amount, released);
  } else if (t == kMem) {
    st = release_mem(p, amount);
    *released = amount;
  } else {
    const AllocResp r = alloc_cmd(kAllocRelease, p, t, amount, 0, false, false);
    st = status_of_alloc(r.status);
    *released = r.granted;
  }
  serve_pending();
  return st;
}

uint32_t Service::swap(uint32_t from, uint32_t to, uint32_t t, uint32_t amount, uint32_t* moved) {
  *moved = 0;
  if (!running()) return SHOAL_ST_FAULT;
  if (!parts_[from].exists || !parts_[to].exists) return SHOAL_ST_NO_PARTITION;
  if (types_[t].state == SHOAL_CPL_RES_QUERY_STATE_FREE) return SHOAL_ST_NO_TYPE;
  if (from == to || t == kMem) return SHOAL_ST_INVALID;  // memory extents do not move
  if (held_[from][t] < parts_[from].floor[t] + amount) return SHOAL_ST_INSUFFICIENT;
  if (held_[to][t] + amount > parts_[to].cap[t]) return SHOAL_ST_DENIED_CAP;
  uint32_t m = amount;
  if (t == kCpu) {
    m = 0;
    uint64_t exclude = 0;
    SwarmView v = view();
    while (m < amount) {
      uint8_t x;
      if (swarm_pick(v, from, to, 1, exclude, &x) == 0) break;
      if (move(x, to, nullptr)) ++m;
      else exclude |= uint64_t{1} << x;
      if (!running()) break;
    }
  }
  if (m) {
    alloc_cmd(kAllocRelease, from, t, m, 0, false, false);
    alloc_cmd(kAllocRequest, to, t, m, 0, false, false);
    record(SHOAL_AUDIT_KIND_SWAP, m == amount ? SHOAL_ST_OK : SHOAL_ST_PARTIAL, from, to, t, 0, m,
           0, 0, 0);
    event(queue_of(from), SHOAL_EV_KIND_RECLAIMED, from, t, to, m, 0, 0);
  }
  *moved = m;
  if (m == amount) return SHOAL_ST_OK;
  return m ? SHOAL_ST_PARTIAL : SHOAL_ST_TIMEOUT;
}

bool Service::vector_feasible(uint32_t p, const uint16_t amount[T], bool reclaim,
                              uint32_t* short_type, uint32_t* status) const {
  for (uint32_t t = 0; t < T; ++t) {
    if (!amount[t]) continue;
    *short_type = t;
    if (types_[t].state == SHOAL_CPL_RES_QUERY_STATE_FREE) {
      *status = SHOAL_ST_NO_TYPE;
      return false;
    }
    if (held_[p][t] + amount[t] > parts_[p].cap[t]) {
      *status = SHOAL_ST_DENIED_CAP;
      return false;
    }
    uint32_t avail = free_units(t) + ((reclaim && t != kMem) ? reclaimable(p, t) : 0);
    if (t == kCpu) {  // units alone are not enough: idle processors must back them
      uint32_t idle = 0;
      for (uint32_t x = 0; x < P; ++x) idle += owner_[x] == kNone;
      const uint32_t from_free = free_units(t);
      avail = (idle < from_free ? idle : from_free) + (reclaim ? reclaimable(p, t) : 0);
    }
    if (t == kMem) {
      const uint32_t have = held_[p][t];
      bool fits = false;
      if (have) {
        fits = mem_start_[p] + have + amount[t] <= kMemChunks;
        for (uint32_t c = mem_start_[p] + have; fits && c < mem_start_[p] + have + amount[t]; ++c)
          fits = chunk_owner_[c] == kNone;
      } else {
        uint32_t run = 0;
        for (uint32_t c = 0; c < kMemChunks && !fits; ++c) {
          run = chunk_owner_[c] == kNone ? run + 1 : 0;
          fits = run >= amount[t];
        }
      }
      if (!fits) avail = 0;
    }
    if (avail < amount[t]) {
      *status = SHOAL_ST_INSUFFICIENT;
      return false;
    }
  }
  return true;
}

uint32_t Service::request_vector(uint32_t queue, uint32_t p, uint32_t flags, const uint16_t amount[T],
                                 uint32_t timeout_us, uint16_t granted[T], uint16_t* request) {
  for (uint32_t t = 0; t < T; ++t) granted[t] = 0;
  *request = 0;
  if (!running()) return SHOAL_ST_FAULT;
  if (!parts_[p].exists) return SHOAL_ST_NO_PARTITION;
  const uint32_t fb = flags & kFallbacks;
  if ((flags & SHOAL_REQ_ALLOW_PARTIAL) || (fb & (fb - 1)) || (fb & ~SHOAL_REQ_POSTPONE)) {
    return SHOAL_ST_INVALID;  // a vector is all or nothing; its only fallback is POSTPONE
  }
  uint32_t total = 0;
  for (uint32_t t = 0; t < T; ++t) total += amount[t];
  if (total == 0) return SHOAL_ST_INVALID;
  const bool reclaim = flags & SHOAL_REQ_ALLOW_RECLAIM;
  uint32_t short_type = 0, st = SHOAL_ST_OK;
  if (!vector_feasible(p, amount, reclaim, &short_type, &st)) {
    if (st == SHOAL_ST_INSUFFICIENT && fb == SHOAL_REQ_POSTPONE)
      return postpone(p, short_type, true, amount, flags, timeout_us, request);
    if (st == SHOAL_ST_INSUFFICIENT) {
      record(SHOAL_AUDIT_KIND_THROTTLED, SHOAL_ST_THROTTLED, p, kNone, short_type, 0,
             amount[short_type], 0, 0, 0);
      return SHOAL_ST_THROTTLED;
    }
    return st;
  }
  // feasible: the processors first (the only part that can still fail: a processor that does
  // not quiesce), then the other types, which the check above guarantees
  for (uint32_t i = 0; i < T; ++i) {
    const uint32_t t = i == 0 ? kCpu : (i == kCpu ? 0 : i);
    if (!amount[t]) continue;
    Grant g;
    const uint32_t s = try_request(queue, p, t, amount[t], reclaim ? SHOAL_REQ_ALLOW_RECLAIM : 0, &g);
    granted[t] = g.granted;
    if (s != SHOAL_ST_OK) {
      // undo what this vector got (processors go to the idle pool)
      for (uint32_t u = 0; u < T; ++u) {
        if (!granted[u]) continue;
        uint32_t rel = 0;
        if (u == kCpu) release_cpu(p, granted[u], &rel);
        else if (u == kMem) release_mem(p, granted[u]);
        else alloc_cmd(kAllocRelease, p, u, granted[u], 0, false, false);
        granted[u] = 0;
      }
      return s == SHOAL_ST_PARTIAL ? SHOAL_ST_TIMEOUT : s;
    }
  }
  return SHOAL_ST_OK;
}

uint32_t Service::migrate(uint32_t x, uint32_t target, uint32_t* cycles, uint32_t* from) {
  *cycles = 0;
  *from = owner_[x];
  if (!running()) return SHOAL_ST_FAULT;
  const uint32_t src = owner_[x];
  if (src == kLost) return SHOAL_ST_TIMEOUT;  // out of service: it never quiesced
  if (target != kNone && !parts_[target].exists) return SHOAL_ST_NO_PARTITION;
  if (target == src) return SHOAL_ST_OK;
  if (target != kNone && held_[target][kCpu] + 1 > parts_[target].cap[kCpu]) return SHOAL_ST_DENIED_CAP;
  if (src != kNone && held_[src][kCpu] < parts_[src].floor[kCpu] + 1) return SHOAL_ST_INSUFFICIENT;
  if (!move(x, target, cycles)) return running() ? SHOAL_ST_TIMEOUT : SHOAL_ST_FAULT;
  if (src != kNone) alloc_cmd(kAllocRelease, src, kCpu, 1, 0, false, false);
  if (target != kNone) alloc_cmd(kAllocRequest, target, kCpu, 1, 0, false, false);
  return SHOAL_ST_OK;
}

// ---- partitions --------------------------------------------------------------------------------

uint32_t Service::part_create(uint32_t want, uint32_t prio, uint32_t* got) {
  *got = kNone;
  if (!running()) return SHOAL_ST_FAULT;
  uint32_t p = want;
  if (want == SHOAL_OP_PART_CREATE_PARTITION_ANY) {
    for (p = 0; p < K && parts_[p].exists; ++p) {
    }
    if (p == K) return SHOAL_ST_NO_SPACE;
  } else if (parts_[p].exists) {
    return SHOAL_ST_EXISTS;
  }
  alloc_cmd(kAllocPrio, p, 0, 0, 0, false, false, prio);
  PartitionState& s = parts_[p];
  s = PartitionState{};
  s.exists = true;
  s.prio = static_cast<uint8_t>(prio);
  for (uint32_t t = 0; t < T; ++t) s.cap[t] = pool_[t];
  card_.wmu_thresholds(p, s.thr_hi, s.thr_lo, true);
  pred_.reset(p);
  record(SHOAL_AUDIT_KIND_PART_CREATE, SHOAL_ST_OK, p, kNone, 0, 0, prio, 0, 0, 0);
  // processors that never quiesced to be parked still run where the DRRM has them: the
  // partition they run in takes them (and their CPU units), so the map and the grants agree
  for (uint32_t x = 0; x < P; ++x) {
    if (owner_[x] != kLost || card_.drrm_proc_state(x) != kProcRunning || card_.drrm_proc_part(x) != p) continue;
    const AllocResp r = alloc_cmd(kAllocRequest, p, kCpu, 1, 0, false, false);
    if (r.status != kAllocGranted) continue;
    owner_[x] = static_cast<uint8_t>(p);
    event(queue_of(p), SHOAL_EV_KIND_PROC_JOINED, p, x, kNone, 1, 0, 0);
  }
  *got = p;
  return SHOAL_ST_OK;
}

uint32_t Service::part_configure(uint32_t p, uint32_t set, uint32_t prio, uint32_t hi, uint32_t lo,
                                 uint32_t types, const uint16_t floor[T], const uint16_t cap[T],
                                 uint32_t* bad_type) {
  *bad_type = 0;
  if (!running()) return SHOAL_ST_FAULT;
  PartitionState& s = parts_[p];
  if (!s.exists) return SHOAL_ST_NO_PARTITION;
  if ((set & SHOAL_OP_PART_CONFIGURE_SET_THRESH) && lo >= hi) return SHOAL_ST_INVALID;
  if (set & SHOAL_OP_PART_CONFIGURE_SET_LIMITS) {
    for (uint32_t t = 0; t < T; ++t) {
      if (!((types >> t) & 1u)) continue;
      *bad_type = t;
      if (types_[t].state == SHOAL_CPL_RES_QUERY_STATE_FREE) return SHOAL_ST_NO_TYPE;
      if (floor[t] > cap[t] || cap[t] > pool_[t]) return SHOAL_ST_INVALID;
      if (held_[p][t] > cap[t]) return SHOAL_ST_CAP_BELOW_ALLOC;
      uint32_t fsum = 0;
      for (uint32_t k = 0; k < K; ++k) fsum += k == p ? floor[t] : parts_[k].floor[t];
      if (fsum > pool_[t]) return SHOAL_ST_FLOOR_SUM;
    }
    if (types >> T) return SHOAL_ST_INVALID;
  }
  if (set & SHOAL_OP_PART_CONFIGURE_SET_PRIO) {
    alloc_cmd(kAllocPrio, p, 0, 0, 0, false, false, prio);
    s.prio = static_cast<uint8_t>(prio);
  }
  if (set & SHOAL_OP_PART_CONFIGURE_SET_THRESH) {
    s.thr_hi = static_cast<uint16_t>(hi);
    s.thr_lo = static_cast<uint16_t>(lo);
    card_.wmu_thresholds(p, hi, lo, true);
  }
  if (set & SHOAL_OP_PART_CONFIGURE_SET_LIMITS) {
    for (uint32_t t = 0; t < T; ++t) {
      if (!((types >> t) & 1u)) continue;
      const AllocResp r = alloc_cmd(kAllocLimits, p, t, floor[t], cap[t], false, false);
      if (r.status != kAllocGranted) {  // the checks above said it would be granted
        stop(Fault::PoolSum, p << 8 | t);
        return SHOAL_ST_FAULT;
      }
      s.floor[t] = floor[t];
      s.cap[t] = cap[t];
    }
  }
  record(SHOAL_AUDIT_KIND_PART_CONFIG, SHOAL_ST_OK, p, kNone, 0, set, s.prio, types, hi, lo);
  serve_pending();
  return SHOAL_ST_OK;
}

uint32_t Service::part_destroy(uint32_t p, uint16_t released[T]) {
  for (uint32_t t = 0; t < T; ++t) released[t] = 0;
  if (!running()) return SHOAL_ST_FAULT;
  PartitionState& s = parts_[p];
  if (!s.exists) return SHOAL_ST_NO_PARTITION;
  for (Pending& q : pending_) {
    if (!q.used || q.part != p) continue;
    q.used = false;
    record(SHOAL_AUDIT_KIND_CANCELLED, SHOAL_ST_CANCELLED, p, kNone, q.type, 0, 0, q.id, 0, 0);
  }
  uint32_t st = SHOAL_ST_OK;
  for (uint32_t t = 0; t < T; ++t) {
    const uint32_t h = held_[p][t];
    if (!h) continue;
    uint32_t rel = h;
    if (t == kCpu) {
      if (release_cpu(p, h, &rel) != SHOAL_ST_OK) st = SHOAL_ST_PARTIAL;
    } else if (t == kMem) {
      release_mem(p, h);
    } else {
      alloc_cmd(kAllocRelease, p, t, h, 0, false, false);
    }
    released[t] = static_cast<uint16_t>(rel);
  }
  if (st != SHOAL_ST_OK) return st;  // a processor would not quiesce: the partition stays (PARTIAL)
  for (uint32_t t = 0; t < T; ++t) {
    if (s.floor[t] || s.cap[t] != pool_[t]) alloc_cmd(kAllocLimits, p, t, 0, pool_[t], false, false);
  }
  if (s.prio) alloc_cmd(kAllocPrio, p, 0, 0, 0, false, false, 0);
  card_.wmu_thresholds(p, 0xFFFF, 0, false);
  pred_.reset(p);
  s = PartitionState{};
  record(SHOAL_AUDIT_KIND_PART_DESTROY, SHOAL_ST_OK, p, kNone, 0, 0, released[kCpu], 0, 0, 0);
  serve_pending();
  return SHOAL_ST_OK;
}

// ---- resource types ----------------------------------------------------------------------------

uint32_t Service::res_register(const char name[kNameBytes], uint32_t units, uint32_t* slot) {
  *slot = 0;
  if (!running()) return SHOAL_ST_FAULT;
  bool nonempty = false;
  for (uint32_t i = 0; i < kNameBytes; ++i) {
    const char c = name[i];
    if (c == 0) {
      for (uint32_t j = i; j < kNameBytes; ++j)
        if (name[j]) return SHOAL_ST_INVALID;  // NUL-padded: nothing after the end
      break;
    }
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return SHOAL_ST_INVALID;
    nonempty = true;
  }
  if (!nonempty) return SHOAL_ST_INVALID;
  for (uint32_t t = 0; t < T; ++t)
    if (types_[t].state != SHOAL_CPL_RES_QUERY_STATE_FREE && strncmp(types_[t].name, name, kNameBytes) == 0)
      return SHOAL_ST_EXISTS;
  uint32_t t = 0;
  for (; t < T && types_[t].state != SHOAL_CPL_RES_QUERY_STATE_FREE; ++t) {
  }
  if (t == T) return SHOAL_ST_NO_SPACE;
  if (!card_.alloc_set_pool(t, units)) return SHOAL_ST_UNSUPPORTED;
  pool_[t] = static_cast<uint16_t>(units);
  types_[t].state = SHOAL_CPL_RES_QUERY_STATE_REGISTERED;
  memcpy(types_[t].name, name, kNameBytes);
  types_[t].units = static_cast<uint16_t>(units);
  for (uint32_t k = 0; k < K; ++k) parts_[k].cap[t] = static_cast<uint16_t>(units);
  record(SHOAL_AUDIT_KIND_RES_REGISTER, SHOAL_ST_OK, kNone, kNone, t, 0, units, 0, 0, 0);
  *slot = t;
  return SHOAL_ST_OK;
}

uint32_t Service::res_retire(uint32_t t) {
  if (!running()) return SHOAL_ST_FAULT;
  if (types_[t].state == SHOAL_CPL_RES_QUERY_STATE_FREE) return SHOAL_ST_NO_TYPE;
  if (types_[t].state == SHOAL_CPL_RES_QUERY_STATE_BUILTIN) return SHOAL_ST_INVALID;  // the card's own
  for (uint32_t k = 0; k < K; ++k)
    if (held_[k][t] || parts_[k].floor[t]) return SHOAL_ST_IN_USE;
  for (const Pending& q : pending_)
    if (q.used && q.amount[t]) return SHOAL_ST_IN_USE;
  if (!card_.alloc_set_pool(t, 0)) return SHOAL_ST_UNSUPPORTED;
  pool_[t] = 0;
  types_[t] = TypeState{};
  record(SHOAL_AUDIT_KIND_RES_RETIRE, SHOAL_ST_OK, kNone, kNone, t, 0, 0, 0, 0, 0);
  return SHOAL_ST_OK;
}

// ---- policy ------------------------------------------------------------------------------------

uint32_t Service::policy_set(const PolicyParams& pp, uint32_t window, uint32_t alpha) {
  if (!running()) return SHOAL_ST_FAULT;
  if (pp.quantile != 0 && pp.quantile < 50) return SHOAL_ST_INVALID;  // 0, or 50 .. 99
  pol::PolicyConfig c = pcfg_;
  c.kind = pol::PolicyKind(uint8_t(pp.policy));
  c.pr.migration_cost = uint16_t(pp.move_cost << 4);  // Q4.4 -> Q8.8 processor-epochs
  if (pol::check_config(c) != pol::Status::Ok) return SHOAL_ST_INVALID;
  if (!card_.wmu_configure(window ? window : card_.wmu_window(), alpha)) return SHOAL_ST_INVALID;
  if (pp.quantile != policy_.quantile) {
    // the upper bound's quantile: every type's profiles restart with it
    for (uint32_t ty = 0; ty < pol::kNumTypes; ++ty) {
      pol::ProfileConfig pc = pred_.cfg[ty];
      pc.quantile = pp.quantile ? uint32_t(pp.quantile) * 65536u / 100u : 32768u;
      pred_.set_config(ty, pc, pred_.full_scale[ty]);
    }
  }
  if (c.kind != pcfg_.kind) pol::policy_state_reset(pstate_);
  pcfg_ = c;
  policy_ = pp;
  record(SHOAL_AUDIT_KIND_POLICY, SHOAL_ST_OK, kNone, kNone, 0, 0, uint32_t(pp.policy),
         pp.epoch_windows, window, alpha);
  return SHOAL_ST_OK;
}

void Service::set_target(uint32_t p, uint32_t target, uint64_t since) {
  const uint32_t h = held_[p][kCpu];
  if (target == h) return;
  const bool up = target > h;
  record(SHOAL_AUDIT_KIND_DECISION, SHOAL_ST_OK, p, kNone, kCpu, (up ? 1u : 2u) | 8u,
         up ? target - h : h - target, target, card_.wmu_part(p).ewma, uint32_t(card_.now() - since));
  if (up) {
    Grant g;
    request_cpu(p, target - h, true, true, &g);
  } else {
    uint32_t rel = 0;
    release_cpu(p, h - target, &rel);
  }
}

// The reactive policy: a partition above its high threshold gets one more processor (from the
// idle pool first, then by reclaim from strictly lower priority above floors); one at or below
// its low threshold gives one back, never below max(floor, 1).
void Service::on_crossings(uint32_t up, uint32_t down) {
  const uint64_t t0 = card_.now();  // a DECISION record carries the cycles from here to it
  const uint32_t was = actor_;
  set_actor(kNone);  // the card's own policy (an interrupt between two commands' blocks)
  for (uint32_t k = 0; k < K; ++k) {
    const bool u = (up >> k) & 1u, d = (down >> k) & 1u;
    if (!u && !d) continue;
    parts_[k].high = u;
    if (!parts_[k].exists) continue;
    const uint32_t ewma = card_.wmu_part(k).ewma;
    record(SHOAL_AUDIT_KIND_THRESHOLD, SHOAL_ST_OK, k, kNone, kCpu, u ? 1u : 2u, held_[k][kCpu],
           u ? parts_[k].thr_hi : parts_[k].thr_lo, ewma, 0, kNone);
    event(queue_of(k), SHOAL_EV_KIND_THRESHOLD, k, kCpu, kNone, u ? 1u : 0u, 0, ewma);
  }
  // the fast path of the dynamic policies: a crossing moves one processor at once; the planning
  // epoch sizes the partitions (decide_epoch)
  if (!running() || policy_.policy == Policy::Static) {
    set_actor(was);
    return;
  }
  for (uint32_t k = 0; k < K; ++k) {
    if (!parts_[k].exists) continue;
    const uint32_t h = held_[k][kCpu];
    if ((up >> k) & 1u) {
      if (h < parts_[k].cap[kCpu]) set_target(k, h + 1, t0);
    } else if ((down >> k) & 1u) {
      const uint32_t keep = parts_[k].floor[kCpu] > 1 ? parts_[k].floor[kCpu] : 1;
      if (h > keep) set_target(k, h - 1, t0);
    }
  }
  set_actor(was);
}

void Service::on_epoch() {
  ++stats_.epochs;
  set_actor(kNone);
  // how warm each processor ran (its migration cost for the swarm scheduler)
  const uint32_t window = card_.wmu_window() * policy_.epoch_windows;
  for (uint32_t x = 0; x < P; ++x) {
    uint32_t busy = 0, mem = 0, io = 0;
    card_.wmu_proc(x, &busy, &mem, &io);
    const uint32_t d = busy - last_busy_[x];
    last_busy_[x] = busy;
    heat_[x] = static_cast<uint8_t>(window ? (d >= window ? 255u : uint64_t(d) * 255u / window) : 0);
  }
  // retry parking a processor that would not quiesce before
  for (uint32_t x = 0; x < P && running(); ++x) {
    if (owner_[x] != kLost) continue;
    const DrrmCpl c = card_.drrm(kDrrmOffline, x, 0, 0, 0, 0, 0, kNone);
    if (c.status == kDrrmOk) owner_[x] = kNone;
  }
  if (running() && policy_.policy != Policy::Static) decide_epoch();
  serve_pending();
  check_invariants();
}

// The policy's planning epoch (firmware/policy decide(): the same code bench-policy measures on
// traces): the partitions' state in, a target per partition and the ALLOC moves that reach it
// out; the moves run through the service, so processors follow the grants.
void Service::decide_epoch() {
  pol::EpochIn in;
  uint32_t sum = 0;
  for (uint32_t k = 0; k < K; ++k) {
    pol::PartIn& pi = in.part[k];
    const PartitionState& s = parts_[k];
    pi.exists = s.exists;
    if (!s.exists) continue;
    const PartTelemetry tl = card_.wmu_part(k);
    pi.prio = s.prio;
    pi.wmu_high = s.high;
    pi.floor = s.floor[kCpu];
    pi.cap = s.cap[kCpu];
    pi.held = held_[k][kCpu];
    pi.util = uint16_t(tl.util);
    pi.util_ewma = uint16_t(tl.ewma);
    pi.hi = s.thr_hi;
    pi.lo = s.thr_lo;
    sum += pi.held;
  }
  in.total = pool_[kCpu];
  in.free = uint16_t(pool_[kCpu] - sum);
  if (policy_.policy == Policy::Predictive) feed_predictor_with(in);
  pol::Decision d;
  const uint64_t t0 = card_.now();
  const pol::Status st = pol::decide(pcfg_, pstate_, in, &pred_, d);
  const uint32_t cycles = uint32_t(card_.now() - t0);
  stats_.decide_last = cycles;
  if (cycles > stats_.decide_max) stats_.decide_max = cycles;
  if (st != pol::Status::Ok) return;
  const uint32_t proactive = policy_.policy == Policy::Predictive ? 4u : 0u;
  for (uint32_t i = 0; i < d.nmoves && running(); ++i) {
    const pol::Move& m = d.move[i];
    const uint32_t h = held_[m.part][kCpu];
    record(SHOAL_AUDIT_KIND_DECISION, SHOAL_ST_OK, m.part, kNone, kCpu,
           (m.op == pol::kOpRequest ? 1u : 2u) | proactive, m.amount, d.target[m.part],
           in.part[m.part].util_ewma, cycles);
    if (m.op == pol::kOpRelease) {
      uint32_t rel = 0;
      release_cpu(m.part, m.amount < h ? m.amount : h, &rel);
    } else {
      Grant g;
      request_cpu(m.part, m.amount, false, m.reclaim != 0, &g);
    }
  }
  if (policy_.policy == Policy::Predictive) vector_epoch();
}

// The predictor learns each partition's use once per epoch: CPU from the WMU (util of what it
// holds), memory and I/O from the WMU's event counters as a fraction of the processor-cycles
// it held (one event per processor-cycle is full scale).
void Service::feed_predictor_with(const pol::EpochIn& in) {
  pol::observe_cpu(pred_, in);
  const uint64_t span = uint64_t(card_.wmu_window()) * policy_.epoch_windows;
  for (uint32_t k = 0; k < K; ++k) {
    if (!in.part[k].exists) continue;
    const PartTelemetry tl = card_.wmu_part(k);
    const uint32_t dmem = tl.mem - last_mem_[k], dio = tl.io - last_io_[k];
    last_mem_[k] = tl.mem;
    last_io_[k] = tl.io;
    const uint64_t cap = span * (in.part[k].held ? in.part[k].held : 1u);
    auto frac = [&](uint32_t d) { return uint16_t(cap ? (uint64_t(d) * 65535u >= cap * 65535u ? 65535u : uint64_t(d) * 65535u / cap) : 0u); };
    if (in.part[k].held) {
      pred_.update(k, pol::kMem, frac(dmem));
      pred_.update(k, pol::kIo, frac(dio));
    }
  }
}

// Seed 003's analyzer: each epoch a request vector [CPU, memory, IO, priority] from the
// upper-bound forecasts; the memory bandwidth and PCIe lanes it asks for beyond what the
// partition holds are granted together (REQUEST_VECTOR: all or nothing), what it no longer
// needs (more than one unit under the holding) is released. CPU is the decision's (above).
void Service::vector_epoch() {
  for (uint32_t k = 0; k < K && running(); ++k) {
    if (!parts_[k].exists) continue;
    pol::RequestVector v;
    if (pred_.analyze(k, pcfg_.pr.grant_window, parts_[k].prio, v) != pol::Status::Ok || !v.valid) continue;
    const uint32_t types[2] = {SHOAL_RES_MEM_BW, SHOAL_RES_PCIE_LANES};
    const uint32_t want[2] = {v.mem, v.io};
    uint16_t grow[T] = {};
    bool any = false;
    for (uint32_t i = 0; i < 2; ++i) {
      const uint32_t t = types[i], h = held_[k][t];
      if (want[i] > h) {
        grow[t] = uint16_t(want[i] - h);
        any = true;
      } else if (want[i] + 1 < h) {
        uint32_t rel = 0;
        release(k, t, h - want[i], &rel);
      }
    }
    if (any) {
      uint16_t granted[T], id = 0;
      request_vector(queue_of(k), k, 0, grow, 0, granted, &id);
    }
  }
}

uint32_t Service::predict(uint32_t p, uint32_t t, uint32_t window, Prediction* out) const {
  *out = Prediction{};
  if (!parts_[p].exists) return SHOAL_ST_NO_PARTITION;
  uint32_t ty;
  if (t == kCpu) ty = pol::kCpu;
  else if (t == SHOAL_RES_MEM_BW) ty = pol::kMem;
  else if (t == SHOAL_RES_PCIE_LANES) ty = pol::kIo;
  else return SHOAL_ST_INVALID;  // the predictor profiles CPU, memory bandwidth and I/O lanes
  pol::Needs n;
  if (pred_.get_predicted_needs(p, ty, window, n) != pol::Status::Ok) return SHOAL_ST_INVALID;
  const uint32_t fs = pred_.full_scale[ty];
  out->point = (uint32_t(n.point) * fs) >> 8;  // Q0.16 of full scale -> units, Q8.8
  out->upper = (uint32_t(n.upper) * fs) >> 8;
  out->quantile = policy_.quantile;
  out->samples = n.samples;
  uint32_t w[pol::kMembers];
  pol::ensemble_weights(pred_.prof[p][ty], pred_.cfg[ty], window, w);
  for (uint32_t m = 1; m < pol::kMembers; ++m)
    if (w[m] > w[out->model]) out->model = m;
  return SHOAL_ST_OK;
}

// ---- invariants --------------------------------------------------------------------------------

Fault Service::check_invariants() {
  ++stats_.checks;
  if (card_.alloc_selfcheck_failed()) {
    stop(Fault::AllocSelfcheck, 0);
    return fault_;
  }
  for (uint32_t t = 0; t < T; ++t) {
    uint32_t sum = card_.alloc_free(t);
    for (uint32_t k = 0; k < K; ++k) {
      const uint32_t h = card_.alloc_held(k, t);
      if (h != held_[k][t]) {
        stop(Fault::PoolSum, 1u << 16 | k << 8 | t);
        return fault_;
      }
      sum += h;
    }
    if (sum != pool_[t] || pool_[t] != card_.alloc_pool(t)) {
      stop(Fault::PoolSum, t);
      return fault_;
    }
  }
  uint32_t mapped[K] = {};
  for (uint32_t x = 0; x < P; ++x) {
    const uint32_t st = card_.drrm_proc_state(x), part = card_.drrm_proc_part(x);
    const uint8_t o = owner_[x];
    if (o == kLost) continue;  // never quiesced to be parked; retried every epoch
    const bool ok = o == kNone ? st == kProcOffline : (st == kProcRunning && part == o);
    if (!ok) {
      stop(Fault::CpuMap, 1u << 16 | x);
      return fault_;
    }
    if (o != kNone) ++mapped[o];
  }
  for (uint32_t k = 0; k < K; ++k) {
    if (mapped[k] != held_[k][kCpu]) {
      stop(Fault::CpuMap, k);
      return fault_;
    }
  }
  return Fault::None;
}

uint32_t Service::clear_fault(uint32_t* was) {
  *was = uint32_t(fault_);
  if (fault_ == Fault::None) return SHOAL_ST_OK;
  const Fault f = fault_;
  fault_ = Fault::None;
  if (check_invariants() != Fault::None) {
    fault_ = f;
    return SHOAL_ST_FAULT;
  }
  record(SHOAL_AUDIT_KIND_FAULT_CLEAR, SHOAL_ST_OK, kNone, kNone, 0, 0, uint32_t(f), 0, 0, 0);
  return SHOAL_ST_OK;
}

}  // namespace shoal::service
