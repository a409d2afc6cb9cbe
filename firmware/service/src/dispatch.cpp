// The command dispatcher (shoal/service/dispatch.hpp).
#include "shoal/service/dispatch.hpp"

#include <string.h>

namespace shoal::service {
namespace {

constexpr uint32_t W = SHOAL_PROTO_ENTRY_WORDS;

// opcodes with a handler below
constexpr uint8_t kImplemented[] = {
    SHOAL_OP_NOP,           SHOAL_OP_IDENTIFY,     SHOAL_OP_SERVICE_STATUS, SHOAL_OP_SERVICE_CLEAR,
    SHOAL_OP_POLICY_SET,    SHOAL_OP_POLICY_GET,   SHOAL_OP_PART_CREATE,    SHOAL_OP_PART_CONFIGURE,
    SHOAL_OP_PART_DESTROY,  SHOAL_OP_PART_QUERY,   SHOAL_OP_PART_LIST,      SHOAL_OP_RES_QUERY,
    SHOAL_OP_RES_REGISTER,  SHOAL_OP_RES_RETIRE,   SHOAL_OP_REQUEST,        SHOAL_OP_RELEASE,
    SHOAL_OP_SWAP,          SHOAL_OP_REQUEST_VECTOR, SHOAL_OP_CANCEL,       SHOAL_OP_TELEM_PART,
    SHOAL_OP_TELEM_PROC,    SHOAL_OP_PREDICT,      SHOAL_OP_MIGRATE};

uint32_t sat8(uint32_t v) { return v > 255 ? 255 : v; }

// the first partition a command names (for the REFUSED record), kNone if none
uint32_t named_partition(const shoal_proto_cmd* c, const uint32_t* sqe) {
  if (c == nullptr) return kNone;
  for (uint32_t i = 0; i < c->num_fields; ++i) {
    const shoal_proto_field& f = c->fields[i];
    if (f.check == SHOAL_CHECK_PARTITION || f.check == SHOAL_CHECK_PARTITION_ANY)
      return shoal_proto_field_get(sqe, &f, 0);
  }
  return kNone;
}

}  // namespace

void Dispatcher::implemented(uint32_t out[8]) {
  for (uint32_t i = 0; i < 8; ++i) out[i] = 0;
  for (uint8_t op : kImplemented) out[op / 32] |= 1u << (op % 32);
}

void Dispatcher::flush_lost(uint32_t q) {
  const uint32_t n = lost_[q] - lost_reported_[q];
  if (n == 0 || io_.cq_free(q) < 2) return;
  uint32_t ev[W] = {};
  SHOAL_SET(ev, SHOAL_CQE_OPCODE, SHOAL_PROTO_EVENT_OPCODE);
  SHOAL_SET(ev, SHOAL_CQE_EVENT, 1);
  SHOAL_SET(ev, SHOAL_CQE_VERSION, 1);
  SHOAL_SET(ev, SHOAL_CQE_QUEUE, q);
  SHOAL_SET(ev, SHOAL_EV_KIND, SHOAL_EV_KIND_EVENTS_LOST);
  SHOAL_SET(ev, SHOAL_EV_PARTITION, q == 0 ? kNone : q - 1);
  SHOAL_SET(ev, SHOAL_EV_AMOUNT, n > 0xFFFF ? 0xFFFF : n);
  SHOAL_SET(ev, SHOAL_EV_DATA, n);
  if (io_.post(q, ev)) lost_reported_[q] = lost_[q];
}

void Dispatcher::event(uint32_t q, const uint32_t* words) {
  if (q >= Q) return;
  flush_lost(q);
  if (io_.cq_free(q) < 2 || lost_[q] != lost_reported_[q]) {  // keep the order: lost ones first
    ++lost_[q];
    ++service_.stats().events_lost;
    return;
  }
  uint32_t ev[W];
  for (uint32_t i = 0; i < W; ++i) ev[i] = words[i];
  ev[0] = 0;
  ev[1] = 0;
  SHOAL_SET(ev, SHOAL_CQE_OPCODE, SHOAL_PROTO_EVENT_OPCODE);
  SHOAL_SET(ev, SHOAL_CQE_EVENT, 1);
  SHOAL_SET(ev, SHOAL_CQE_VERSION, 1);
  SHOAL_SET(ev, SHOAL_CQE_QUEUE, q);
  if (!io_.post(q, ev)) {
    ++lost_[q];
    ++service_.stats().events_lost;
  }
}

uint32_t Dispatcher::serve(uint32_t budget) {
  uint32_t done = 0;
  while (done < budget) {
    const uint32_t pend = io_.pending();
    if (pend == 0) break;
    bool any = false;
    const uint32_t base = rr_;  // one round: every queue once, from where the last round stopped
    for (uint32_t i = 0; i < Q && done < budget; ++i) {
      const uint32_t q = (base + i) % Q;
      if (!((pend >> q) & 1u)) continue;
      flush_lost(q);
      if (io_.cq_free(q) < 1) continue;  // its host is not reading completions: it waits
      uint32_t sqe[W], cqe[W];
      if (!io_.take(q, sqe)) continue;
      execute(q, sqe, cqe);
      io_.post(q, cqe);
      ++done;
      any = true;
      rr_ = (q + 1) % Q;
    }
    if (!any) break;
  }
  return done;
}

void Dispatcher::execute(uint32_t queue, const uint32_t* sqe, uint32_t* cqe) {
  memset(cqe, 0, W * sizeof(uint32_t));
  Service& s = service_;
  s.set_actor(queue);
  uint32_t impl[8];
  implemented(impl);
  shoal_proto_ctx ctx{queue, K, T, P, impl};
  const shoal_proto_cmd* c = nullptr;
  uint32_t st = shoal_proto_check(sqe, &ctx, &c, nullptr);
  const uint32_t op = SHOAL_GET(sqe, SHOAL_SQE_OPCODE);
  const bool admin = queue == SHOAL_QUEUE_ADMIN;

  if (st == SHOAL_ST_OK) {
    switch (op) {
      case SHOAL_OP_NOP:
        break;
      case SHOAL_OP_IDENTIFY:
        SHOAL_SET(cqe, SHOAL_CPL_IDENTIFY_PROTO_MAJOR, SHOAL_PROTO_VERSION_MAJOR);
        SHOAL_SET(cqe, SHOAL_CPL_IDENTIFY_PROTO_MINOR, SHOAL_PROTO_VERSION_MINOR);
        SHOAL_SET(cqe, SHOAL_CPL_IDENTIFY_QUEUE, queue);
        SHOAL_SET(cqe, SHOAL_CPL_IDENTIFY_ADMIN, admin);
        SHOAL_SET(cqe, SHOAL_CPL_IDENTIFY_FW_VERSION, card_.fw_version());
        SHOAL_SET(cqe, SHOAL_CPL_IDENTIFY_PARTITIONS, K);
        SHOAL_SET(cqe, SHOAL_CPL_IDENTIFY_TYPES, T);
        SHOAL_SET(cqe, SHOAL_CPL_IDENTIFY_QUEUES, Q);
        SHOAL_SET(cqe, SHOAL_CPL_IDENTIFY_PROCESSORS, P);
        SHOAL_SET(cqe, SHOAL_CPL_IDENTIFY_STATE, s.running() ? 0 : 1);
        for (uint32_t i = 0; i < 8; ++i) SHOAL_SET_I(cqe, SHOAL_CPL_IDENTIFY_SUPPORTED, i, impl[i]);
        break;
      case SHOAL_OP_SERVICE_STATUS: {
        const Stats& x = s.stats();
        SHOAL_SET(cqe, SHOAL_CPL_SERVICE_STATUS_STATE, s.running() ? SHOAL_CPL_SERVICE_STATUS_STATE_RUNNING
                                                                   : SHOAL_CPL_SERVICE_STATUS_STATE_STOPPED);
        SHOAL_SET(cqe, SHOAL_CPL_SERVICE_STATUS_POLICY, uint32_t(s.policy().policy));
        SHOAL_SET(cqe, SHOAL_CPL_SERVICE_STATUS_FAULT, uint32_t(s.fault()));
        SHOAL_SET(cqe, SHOAL_CPL_SERVICE_STATUS_FAULT_COUNT, x.fault_count);
        SHOAL_SET(cqe, SHOAL_CPL_SERVICE_STATUS_COMPLETED, x.completed);
        SHOAL_SET(cqe, SHOAL_CPL_SERVICE_STATUS_REFUSED, x.refused);
        SHOAL_SET(cqe, SHOAL_CPL_SERVICE_STATUS_CHECKS, x.checks);
        SHOAL_SET(cqe, SHOAL_CPL_SERVICE_STATUS_EPOCHS, x.epochs);
        SHOAL_SET(cqe, SHOAL_CPL_SERVICE_STATUS_MIGRATIONS, x.migrations);
        SHOAL_SET(cqe, SHOAL_CPL_SERVICE_STATUS_ROLLBACKS, x.rollbacks);
        SHOAL_SET(cqe, SHOAL_CPL_SERVICE_STATUS_EVENTS_LOST, x.events_lost);
        uint32_t pend = 0;
        for (uint32_t k = 0; k < K; ++k) pend += s.pending_of(k);
        SHOAL_SET(cqe, SHOAL_CPL_SERVICE_STATUS_PENDING, pend);
        SHOAL_SET(cqe, SHOAL_CPL_SERVICE_STATUS_DECIDE_LAST, x.decide_last);
        SHOAL_SET(cqe, SHOAL_CPL_SERVICE_STATUS_DECIDE_MAX, x.decide_max);
        break;
      }
      case SHOAL_OP_SERVICE_CLEAR: {
        uint32_t was = 0;
        st = s.clear_fault(&was);
        SHOAL_SET(cqe, SHOAL_CPL_SERVICE_CLEAR_FAULT, was);
        break;
      }
      case SHOAL_OP_POLICY_SET: {
        PolicyParams pp;
        pp.policy = Policy(SHOAL_GET(sqe, SHOAL_OP_POLICY_SET_POLICY));
        pp.epoch_windows = uint8_t(SHOAL_GET(sqe, SHOAL_OP_POLICY_SET_EPOCH_WINDOWS));
        pp.quantile = uint8_t(SHOAL_GET(sqe, SHOAL_OP_POLICY_SET_QUANTILE));
        pp.move_cost = uint8_t(SHOAL_GET(sqe, SHOAL_OP_POLICY_SET_MOVE_COST));
        st = s.policy_set(pp, SHOAL_GET(sqe, SHOAL_OP_POLICY_SET_WINDOW), SHOAL_GET(sqe, SHOAL_OP_POLICY_SET_ALPHA));
        break;
      }
      case SHOAL_OP_POLICY_GET: {
        const PolicyParams& pp = s.policy();
        SHOAL_SET(cqe, SHOAL_CPL_POLICY_GET_POLICY, uint32_t(pp.policy));
        SHOAL_SET(cqe, SHOAL_CPL_POLICY_GET_EPOCH_WINDOWS, pp.epoch_windows);
        SHOAL_SET(cqe, SHOAL_CPL_POLICY_GET_ALPHA, card_.wmu_alpha());
        SHOAL_SET(cqe, SHOAL_CPL_POLICY_GET_WINDOW, card_.wmu_window());
        SHOAL_SET(cqe, SHOAL_CPL_POLICY_GET_QUANTILE, pp.quantile);
        SHOAL_SET(cqe, SHOAL_CPL_POLICY_GET_MOVE_COST, pp.move_cost);
        break;
      }
      case SHOAL_OP_PART_CREATE: {
        uint32_t got = kNone;
        st = s.part_create(SHOAL_GET(sqe, SHOAL_OP_PART_CREATE_PARTITION), SHOAL_GET(sqe, SHOAL_OP_PART_CREATE_PRIO), &got);
        SHOAL_SET(cqe, SHOAL_CPL_PART_CREATE_PARTITION, got);
        break;
      }
      case SHOAL_OP_PART_CONFIGURE: {
        uint16_t fl[T], cp[T];
        for (uint32_t t = 0; t < T; ++t) {
          fl[t] = uint16_t(SHOAL_GET_I(sqe, SHOAL_OP_PART_CONFIGURE_FLOOR, t));
          cp[t] = uint16_t(SHOAL_GET_I(sqe, SHOAL_OP_PART_CONFIGURE_CAP, t));
        }
        uint32_t bad = 0;
        st = s.part_configure(SHOAL_GET(sqe, SHOAL_OP_PART_CONFIGURE_PARTITION), SHOAL_GET(sqe, SHOAL_OP_PART_CONFIGURE_SET),
                              SHOAL_GET(sqe, SHOAL_OP_PART_CONFIGURE_PRIO), SHOAL_GET(sqe, SHOAL_OP_PART_CONFIGURE_THR_HI),
                              SHOAL_GET(sqe, SHOAL_OP_PART_CONFIGURE_THR_LO), SHOAL_GET(sqe, SHOAL_OP_PART_CONFIGURE_TYPES),
                              fl, cp, &bad);
        SHOAL_SET(cqe, SHOAL_CPL_PART_CONFIGURE_TYPE, bad);
        break;
      }
      case SHOAL_OP_PART_DESTROY: {
        uint16_t rel[T];
        st = s.part_destroy(SHOAL_GET(sqe, SHOAL_OP_PART_DESTROY_PARTITION), rel);
        for (uint32_t t = 0; t < T; ++t) SHOAL_SET_I(cqe, SHOAL_CPL_PART_DESTROY_RELEASED, t, rel[t]);
        break;
      }
      case SHOAL_OP_PART_QUERY: {
        const uint32_t p = SHOAL_GET(sqe, SHOAL_OP_PART_QUERY_PARTITION);
        const PartitionState& ps = s.partition(p);
        SHOAL_SET(cqe, SHOAL_CPL_PART_QUERY_EXISTS, ps.exists);
        if (!ps.exists) break;
        SHOAL_SET(cqe, SHOAL_CPL_PART_QUERY_HIGH, ps.high);
        SHOAL_SET(cqe, SHOAL_CPL_PART_QUERY_PRIO, ps.prio);
        SHOAL_SET(cqe, SHOAL_CPL_PART_QUERY_PENDING, s.pending_of(p));
        SHOAL_SET(cqe, SHOAL_CPL_PART_QUERY_THR_HI, ps.thr_hi);
        SHOAL_SET(cqe, SHOAL_CPL_PART_QUERY_THR_LO, ps.thr_lo);
        for (uint32_t t = 0; t < T; ++t) {
          SHOAL_SET_I(cqe, SHOAL_CPL_PART_QUERY_HELD, t, s.held(p, t));
          SHOAL_SET_I(cqe, SHOAL_CPL_PART_QUERY_FLOOR, t, sat8(ps.floor[t]));
          SHOAL_SET_I(cqe, SHOAL_CPL_PART_QUERY_CAP, t, sat8(ps.cap[t]));
        }
        const uint64_t m = s.procs_of(p);
        SHOAL_SET_I(cqe, SHOAL_CPL_PART_QUERY_PROCS, 0, uint32_t(m));
        SHOAL_SET_I(cqe, SHOAL_CPL_PART_QUERY_PROCS, 1, uint32_t(m >> 32));
        const PartTelemetry tl = card_.wmu_part(p);
        SHOAL_SET(cqe, SHOAL_CPL_PART_QUERY_UTIL, tl.util);
        SHOAL_SET(cqe, SHOAL_CPL_PART_QUERY_EWMA, tl.ewma);
        break;
      }
      case SHOAL_OP_PART_LIST: {
        uint32_t bits = 0, n = 0;
        for (uint32_t k = 0; k < K; ++k) {
          if (!s.partition(k).exists || (!admin && k != queue - 1)) continue;
          bits |= 1u << k;
          ++n;
        }
        SHOAL_SET(cqe, SHOAL_CPL_PART_LIST_EXISTS, bits);
        SHOAL_SET(cqe, SHOAL_CPL_PART_LIST_COUNT, n);
        break;
      }
      case SHOAL_OP_RES_QUERY: {
        const uint32_t t = SHOAL_GET(sqe, SHOAL_OP_RES_QUERY_TYPE);
        const uint32_t first = SHOAL_GET(sqe, SHOAL_OP_RES_QUERY_FIRST);
        if (first >= K) {
          st = SHOAL_ST_INVALID;
          break;
        }
        const TypeState& ts = s.type(t);
        SHOAL_SET(cqe, SHOAL_CPL_RES_QUERY_STATE, ts.state);
        uint32_t name[2] = {};
        memcpy(name, ts.name, sizeof name);
        SHOAL_SET_I(cqe, SHOAL_CPL_RES_QUERY_NAME, 0, name[0]);
        SHOAL_SET_I(cqe, SHOAL_CPL_RES_QUERY_NAME, 1, name[1]);
        SHOAL_SET(cqe, SHOAL_CPL_RES_QUERY_UNITS, ts.units);
        SHOAL_SET(cqe, SHOAL_CPL_RES_QUERY_FREE, s.free_units(t));
        for (uint32_t i = 0; i < SHOAL_CPL_RES_QUERY_ALLOC_COUNT && first + i < K; ++i) {
          const uint32_t k = first + i;
          if (admin || k == queue - 1) SHOAL_SET_I(cqe, SHOAL_CPL_RES_QUERY_ALLOC, i, s.held(k, t));
        }
        break;
      }
      case SHOAL_OP_RES_REGISTER: {
        char name[kNameBytes];
        const uint32_t n0 = SHOAL_GET_I(sqe, SHOAL_OP_RES_REGISTER_NAME, 0);
        const uint32_t n1 = SHOAL_GET_I(sqe, SHOAL_OP_RES_REGISTER_NAME, 1);
        memcpy(name, &n0, 4);
        memcpy(name + 4, &n1, 4);
        uint32_t slot = 0;
        st = s.res_register(name, SHOAL_GET(sqe, SHOAL_OP_RES_REGISTER_UNITS), &slot);
        SHOAL_SET(cqe, SHOAL_CPL_RES_REGISTER_TYPE, slot);
        break;
      }
      case SHOAL_OP_RES_RETIRE:
        st = s.res_retire(SHOAL_GET(sqe, SHOAL_OP_RES_RETIRE_TYPE));
        break;
      case SHOAL_OP_REQUEST: {
        Grant g;
        const uint32_t p = SHOAL_GET(sqe, SHOAL_OP_REQUEST_PARTITION), t = SHOAL_GET(sqe, SHOAL_OP_REQUEST_TYPE);
        st = s.request(queue, p, t, SHOAL_GET(sqe, SHOAL_OP_REQUEST_AMOUNT), SHOAL_GET(sqe, SHOAL_OP_REQUEST_FLAGS),
                       SHOAL_GET(sqe, SHOAL_OP_REQUEST_TIMEOUT), &g);
        SHOAL_SET(cqe, SHOAL_CPL_REQUEST_GRANTED, g.granted);
        SHOAL_SET(cqe, SHOAL_CPL_REQUEST_RECLAIMED, g.reclaimed);
        SHOAL_SET(cqe, SHOAL_CPL_REQUEST_REQUEST, g.request);
        SHOAL_SET(cqe, SHOAL_CPL_REQUEST_HELD, s.partition(p).exists ? s.held(p, t) : 0);
        SHOAL_SET(cqe, SHOAL_CPL_REQUEST_BASE, g.base);
        SHOAL_SET(cqe, SHOAL_CPL_REQUEST_SIZE, g.size);
        break;
      }
      case SHOAL_OP_RELEASE: {
        const uint32_t p = SHOAL_GET(sqe, SHOAL_OP_RELEASE_PARTITION), t = SHOAL_GET(sqe, SHOAL_OP_RELEASE_TYPE);
        uint32_t rel = 0;
        st = s.release(p, t, SHOAL_GET(sqe, SHOAL_OP_RELEASE_AMOUNT), &rel);
        SHOAL_SET(cqe, SHOAL_CPL_RELEASE_RELEASED, rel);
        SHOAL_SET(cqe, SHOAL_CPL_RELEASE_HELD, s.partition(p).exists ? s.held(p, t) : 0);
        break;
      }
      case SHOAL_OP_SWAP: {
        uint32_t moved = 0;
        st = s.swap(SHOAL_GET(sqe, SHOAL_OP_SWAP_FROM), SHOAL_GET(sqe, SHOAL_OP_SWAP_TO), SHOAL_GET(sqe, SHOAL_OP_SWAP_TYPE),
                    SHOAL_GET(sqe, SHOAL_OP_SWAP_AMOUNT), &moved);
        SHOAL_SET(cqe, SHOAL_CPL_SWAP_MOVED, moved);
        break;
      }
      case SHOAL_OP_REQUEST_VECTOR: {
        uint16_t amount[T], granted[T], id = 0;
        for (uint32_t t = 0; t < T; ++t) amount[t] = uint16_t(SHOAL_GET_I(sqe, SHOAL_OP_REQUEST_VECTOR_AMOUNT, t));
        st = s.request_vector(queue, SHOAL_GET(sqe, SHOAL_OP_REQUEST_VECTOR_PARTITION),
                              SHOAL_GET(sqe, SHOAL_OP_REQUEST_VECTOR_FLAGS), amount,
                              SHOAL_GET(sqe, SHOAL_OP_REQUEST_VECTOR_TIMEOUT), granted, &id);
        SHOAL_SET(cqe, SHOAL_CPL_REQUEST_VECTOR_REQUEST, id);
        for (uint32_t t = 0; t < T; ++t) SHOAL_SET_I(cqe, SHOAL_CPL_REQUEST_VECTOR_GRANTED, t, granted[t]);
        break;
      }
      case SHOAL_OP_CANCEL:
        st = s.cancel(SHOAL_GET(sqe, SHOAL_OP_CANCEL_PARTITION), SHOAL_GET(sqe, SHOAL_OP_CANCEL_REQUEST));
        break;
      case SHOAL_OP_TELEM_PART: {
        const uint32_t p = SHOAL_GET(sqe, SHOAL_OP_TELEM_PART_PARTITION);
        const PartTelemetry tl = card_.wmu_part(p);
        SHOAL_SET(cqe, SHOAL_CPL_TELEM_PART_UTIL, tl.util);
        SHOAL_SET(cqe, SHOAL_CPL_TELEM_PART_EWMA, tl.ewma);
        SHOAL_SET(cqe, SHOAL_CPL_TELEM_PART_SEQ, tl.seq);
        SHOAL_SET(cqe, SHOAL_CPL_TELEM_PART_PROCS, s.held(p, kCpu));
        SHOAL_SET(cqe, SHOAL_CPL_TELEM_PART_BUSY, tl.busy);
        SHOAL_SET(cqe, SHOAL_CPL_TELEM_PART_MEM, tl.mem);
        SHOAL_SET(cqe, SHOAL_CPL_TELEM_PART_IO, tl.io);
        SHOAL_SET(cqe, SHOAL_CPL_TELEM_PART_WINDOW, card_.wmu_window());
        break;
      }
      case SHOAL_OP_TELEM_PROC: {
        const uint32_t x = SHOAL_GET(sqe, SHOAL_OP_TELEM_PROC_PROCESSOR);
        if (!admin && s.owner(x) != queue - 1) {
          st = SHOAL_ST_PERMISSION;  // another partition's processor (or an idle one)
          break;
        }
        uint32_t busy = 0, mem = 0, io = 0;
        card_.wmu_proc(x, &busy, &mem, &io);
        const uint32_t o = s.owner(x);
        SHOAL_SET(cqe, SHOAL_CPL_TELEM_PROC_PARTITION, o);
        SHOAL_SET(cqe, SHOAL_CPL_TELEM_PROC_STATE,
                  o == kNone ? SHOAL_CPL_TELEM_PROC_STATE_PARKED : card_.drrm_proc_state(x));
        SHOAL_SET(cqe, SHOAL_CPL_TELEM_PROC_BUSY, busy);
        SHOAL_SET(cqe, SHOAL_CPL_TELEM_PROC_MEM, mem);
        SHOAL_SET(cqe, SHOAL_CPL_TELEM_PROC_IO, io);
        break;
      }
      case SHOAL_OP_PREDICT: {
        Prediction pr;
        st = s.predict(SHOAL_GET(sqe, SHOAL_OP_PREDICT_PARTITION), SHOAL_GET(sqe, SHOAL_OP_PREDICT_TYPE),
                       SHOAL_GET(sqe, SHOAL_OP_PREDICT_WINDOW), &pr);
        SHOAL_SET(cqe, SHOAL_CPL_PREDICT_POINT, pr.point > 0xFFFF ? 0xFFFF : pr.point);
        SHOAL_SET(cqe, SHOAL_CPL_PREDICT_UPPER, pr.upper > 0xFFFF ? 0xFFFF : pr.upper);
        SHOAL_SET(cqe, SHOAL_CPL_PREDICT_QUANTILE, pr.quantile);
        SHOAL_SET(cqe, SHOAL_CPL_PREDICT_MODEL, pr.model);
        SHOAL_SET(cqe, SHOAL_CPL_PREDICT_SAMPLES, pr.samples);
        break;
      }
      case SHOAL_OP_MIGRATE: {
        uint32_t cycles = 0, from = kNone;
        st = s.migrate(SHOAL_GET(sqe, SHOAL_OP_MIGRATE_PROCESSOR), SHOAL_GET(sqe, SHOAL_OP_MIGRATE_PARTITION), &cycles, &from);
        SHOAL_SET(cqe, SHOAL_CPL_MIGRATE_CYCLES, cycles);
        SHOAL_SET(cqe, SHOAL_CPL_MIGRATE_FROM, from);
        break;
      }
      default:
        st = SHOAL_ST_UNSUPPORTED;  // in the schema, not handled here (IDENTIFY says so)
        break;
    }
  }
  if (SHOAL_ST_REFUSED(st)) {
    // a refused command changed nothing: it has no results (but PART_CONFIGURE says which type
    // refused)
    const uint32_t keep = op == SHOAL_OP_PART_CONFIGURE ? SHOAL_GET(cqe, SHOAL_CPL_PART_CONFIGURE_TYPE) : 0;
    for (uint32_t i = 2; i < W; ++i) cqe[i] = 0;
    if (op == SHOAL_OP_PART_CONFIGURE && c != nullptr && st != SHOAL_ST_PERMISSION)
      SHOAL_SET(cqe, SHOAL_CPL_PART_CONFIGURE_TYPE, keep);
    ++s.stats().refused;
    uint32_t rec[SHOAL_PROTO_AUDIT_WORDS] = {};
    SHOAL_SET(rec, SHOAL_AUDIT_KIND, SHOAL_AUDIT_KIND_REFUSED);
    SHOAL_SET(rec, SHOAL_AUDIT_ACTOR, queue);
    SHOAL_SET(rec, SHOAL_AUDIT_STATUS, st);
    SHOAL_SET(rec, SHOAL_AUDIT_PART, named_partition(st == SHOAL_ST_UNSUPPORTED ? nullptr : c, sqe));
    SHOAL_SET(rec, SHOAL_AUDIT_AUX, op);
    SHOAL_SET(rec, SHOAL_AUDIT_DATA_LO, SHOAL_GET(sqe, SHOAL_SQE_TAG));
    card_.audit(&rec[SHOAL_AUDIT_KIND_WORD]);
  }
  ++s.stats().completed;
  SHOAL_SET(cqe, SHOAL_CQE_OPCODE, op);
  SHOAL_SET(cqe, SHOAL_CQE_VERSION, c ? c->version : 0);
  SHOAL_SET(cqe, SHOAL_CQE_STATUS, st);
  SHOAL_SET(cqe, SHOAL_CQE_QUEUE, queue);
  SHOAL_SET(cqe, SHOAL_CQE_TAG, SHOAL_GET(sqe, SHOAL_SQE_TAG));
}

}  // namespace shoal::service
