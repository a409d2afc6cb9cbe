// libshoal: requests (shoal/broker.h) — REQUEST (synchronous and asynchronous), RELEASE, SWAP,
// REQUEST_VECTOR, CANCEL.
#include "handle.hpp"

using shoal::Errc;
using shoal::hostlib::Builder;
using shoal::hostlib::guarded;
using shoal::hostlib::ok;
using shoal::hostlib::set_error;
using shoal::hostlib::Words;

namespace {

constexpr std::uint32_t kFallbacks = SHOAL_REQ_POSTPONE | SHOAL_REQ_NEGOTIATE | SHOAL_REQ_ELSEWHERE;
constexpr std::uint32_t kAllFlags = SHOAL_REQ_ALLOW_PARTIAL | SHOAL_REQ_ALLOW_RECLAIM | kFallbacks;

std::string req_what(const shoal_request_args& r) {
  return "REQUEST of " + std::to_string(r.amount) + " units of type " + std::to_string(r.type) + " for partition " +
         std::to_string(r.partition);
}

int check_flags(std::uint32_t flags, const std::string& what) {
  if (flags & ~kAllFlags) {
    shoal::hostlib::set_status(SHOAL_ST_INVALID);
    return set_error(Errc::invalid_arg, what + ": unknown flags " + std::to_string(flags & ~kAllFlags));
  }
  const std::uint32_t fb = flags & kFallbacks;
  if (fb & (fb - 1)) {
    shoal::hostlib::set_status(SHOAL_ST_INVALID);
    return set_error(Errc::invalid_arg, what + ": at most one of POSTPONE, NEGOTIATE, ELSEWHERE");
  }
  return SHOAL_OK;
}

// The REQUEST command for r (rc != SHOAL_OK: refused before the card).
Builder build_request(const shoal_handle& h, const shoal_request_args* user, int& rc) {
  shoal_request_args r{};
  rc = shoal::hostlib::read_versioned(user, r, SHOAL_REQUEST_ARGS_SIZE_V1, "shoal_request_args");
  Builder b(SHOAL_OP_REQUEST, rc == SHOAL_OK ? req_what(r) : std::string("REQUEST"));
  if (rc != SHOAL_OK) return b;
  if ((rc = check_flags(r.flags, b.what)) != SHOAL_OK) return b;
  SHOAL_BSET(b, SHOAL_OP_REQUEST_PARTITION, r.partition, "partition");
  SHOAL_BSET(b, SHOAL_OP_REQUEST_TYPE, r.type, "type");
  SHOAL_BSET(b, SHOAL_OP_REQUEST_FLAGS, r.flags, "flags");
  SHOAL_BSET(b, SHOAL_OP_REQUEST_AMOUNT, r.amount, "amount");
  SHOAL_BSET(b, SHOAL_OP_REQUEST_TIMEOUT, r.timeout_us, "timeout_us");
  rc = b.rc;
  if (rc == SHOAL_OK) rc = shoal::hostlib::check(h, b.w, b.what);
  return b;
}

int fill_grant(const Words& cqe, shoal_grant* grant) {
  const std::uint32_t* c = cqe.data();
  shoal_grant full{};
  full.struct_size = sizeof full;
  full.status = SHOAL_GET(c, SHOAL_CQE_STATUS);
  if (!SHOAL_ST_REFUSED(full.status)) {
    full.granted = SHOAL_GET(c, SHOAL_CPL_REQUEST_GRANTED);
    full.reclaimed = SHOAL_GET(c, SHOAL_CPL_REQUEST_RECLAIMED);
    full.request_id = SHOAL_GET(c, SHOAL_CPL_REQUEST_REQUEST);
    full.held = SHOAL_GET(c, SHOAL_CPL_REQUEST_HELD);
    full.base = SHOAL_GET(c, SHOAL_CPL_REQUEST_BASE);
    full.size = SHOAL_GET(c, SHOAL_CPL_REQUEST_SIZE);
  }
  return shoal::hostlib::fill_versioned(grant, full, SHOAL_GRANT_SIZE_V1, "shoal_grant");
}

// A grant struct the caller can receive into (checked before anything is sent).
int check_out(const shoal_grant* grant) {
  if (grant == nullptr || grant->struct_size < SHOAL_GRANT_SIZE_V1) {
    shoal_grant dummy{};
    return shoal::hostlib::fill_versioned(const_cast<shoal_grant*>(grant), dummy, SHOAL_GRANT_SIZE_V1, "shoal_grant");
  }
  return SHOAL_OK;
}

}  // namespace

namespace shoal::hostlib {

int run_callbacks(shoal_handle& h) {
  std::vector<std::pair<std::uint32_t, shoal_handle::Callback>> ready;
  std::vector<Words> answers;
  {
    std::lock_guard lock(h.cb_mu);
    for (auto it = h.callbacks.begin(); it != h.callbacks.end();) {
      Words cqe{};
      const int rc = shoal_queue_wait(h.q, it->first, 0, cqe.data());
      if (rc == SHOAL_ERR_TIMEOUT) {
        ++it;
        continue;
      }
      if (rc != SHOAL_OK) return rc;
      ready.emplace_back(*it);
      answers.push_back(cqe);
      it = h.callbacks.erase(it);
    }
  }
  // outside the lock: a callback may submit the next request
  for (std::size_t i = 0; i < ready.size(); ++i) {
    const int rc = from_status(h, answers[i], "REQUEST (ticket " + std::to_string(ready[i].first) + ")");
    shoal_grant g{};
    g.struct_size = sizeof g;
    (void)fill_grant(answers[i], &g);
    ready[i].second.cb(ready[i].second.ctx, ready[i].first, rc, &g);
  }
  return ok();
}

}  // namespace shoal::hostlib

extern "C" {

int shoal_request(shoal_handle* h, const struct shoal_request_args* req, struct shoal_grant* grant) {
  return guarded([&]() -> int {
    shoal::hostlib::set_status(SHOAL_STATUS_NONE);
    if (h == nullptr) return set_error(Errc::invalid_arg, "shoal_request: NULL handle");
    if (int rc = check_out(grant); rc != SHOAL_OK) return rc;
    int rc = SHOAL_OK;
    Builder b = build_request(*h, req, rc);
    if (rc != SHOAL_OK) return rc;
    Words cqe{};
    rc = shoal::hostlib::call(*h, b.w, cqe, b.what);
    if (shoal_last_status() == SHOAL_STATUS_NONE) return rc;  // no answer
    const std::string msg = shoal_last_error();
    if (int f = fill_grant(cqe, grant); f != SHOAL_OK) return f;
    return rc == SHOAL_OK ? ok() : set_error(static_cast<Errc>(rc), msg);
  });
}

int shoal_request_submit(shoal_handle* h, const struct shoal_request_args* req, uint32_t* ticket) {
  return guarded([&]() -> int {
    shoal::hostlib::set_status(SHOAL_STATUS_NONE);
    if (h == nullptr || ticket == nullptr) return set_error(Errc::invalid_arg, "shoal_request_submit: NULL argument");
    int rc = SHOAL_OK;
    Builder b = build_request(*h, req, rc);
    if (rc != SHOAL_OK) return rc;
    return shoal_queue_submit(h->q, b.w.data(), ticket);
  });
}

int shoal_request_async(shoal_handle* h, const struct shoal_request_args* req, shoal_request_cb cb, void* ctx,
                        uint32_t* ticket) {
  return guarded([&]() -> int {
    shoal::hostlib::set_status(SHOAL_STATUS_NONE);
    if (h == nullptr || cb == nullptr || ticket == nullptr)
      return set_error(Errc::invalid_arg, "shoal_request_async: NULL argument");
    int rc = SHOAL_OK;
    Builder b = build_request(*h, req, rc);
    if (rc != SHOAL_OK) return rc;
    // registered before the doorbell, so no poll can miss it
    std::lock_guard lock(h->cb_mu);
    if ((rc = shoal_queue_submit(h->q, b.w.data(), ticket)) != SHOAL_OK) return rc;
    h->callbacks[*ticket] = {cb, ctx};
    return ok();
  });
}

int shoal_migrate(shoal_handle* admin, uint32_t processor, uint32_t partition, uint32_t* cycles, uint32_t* from) {
  return guarded([&]() -> int {
    shoal::hostlib::set_status(SHOAL_STATUS_NONE);
    if (admin == nullptr) return set_error(Errc::invalid_arg, "shoal_migrate: NULL handle");
    const std::string what = "MIGRATE of processor " + std::to_string(processor) + " to " +
                             (partition == SHOAL_PROC_IDLE ? std::string("the idle pool") : "partition " + std::to_string(partition));
    if (int rc = shoal::hostlib::require_admin(*admin, what); rc != SHOAL_OK) return rc;
    Builder b(SHOAL_OP_MIGRATE, what);
    SHOAL_BSET(b, SHOAL_OP_MIGRATE_PROCESSOR, processor, "processor");
    SHOAL_BSET(b, SHOAL_OP_MIGRATE_PARTITION, partition, "partition");
    if (b.rc != SHOAL_OK) return b.rc;
    Words cqe{};
    if (int rc = shoal::hostlib::call(*admin, b.w, cqe, b.what); rc != SHOAL_OK) return rc;
    if (cycles) *cycles = SHOAL_GET(cqe.data(), SHOAL_CPL_MIGRATE_CYCLES);
    if (from) *from = SHOAL_GET(cqe.data(), SHOAL_CPL_MIGRATE_FROM);
    return ok();
  });
}

int shoal_request_result(shoal_handle* h, uint32_t ticket, uint32_t timeout_ms, struct shoal_grant* grant) {
  return guarded([&]() -> int {
    shoal::hostlib::set_status(SHOAL_STATUS_NONE);
    if (h == nullptr) return set_error(Errc::invalid_arg, "shoal_request_result: NULL handle");
    if (int rc = check_out(grant); rc != SHOAL_OK) return rc;
    Words cqe{};
    if (int rc = shoal_queue_wait(h->q, ticket, timeout_ms, cqe.data()); rc != SHOAL_OK) return rc;
    if (SHOAL_GET(cqe.data(), SHOAL_CQE_OPCODE) != SHOAL_OP_REQUEST) {
      return set_error(Errc::invalid_arg, "ticket " + std::to_string(ticket) + " is not a request's (its completion was taken)");
    }
    const int rc = shoal::hostlib::from_status(*h, cqe, "REQUEST (ticket " + std::to_string(ticket) + ")");
    const std::string msg = shoal_last_error();
    if (int f = fill_grant(cqe, grant); f != SHOAL_OK) return f;
    return rc == SHOAL_OK ? ok() : set_error(static_cast<Errc>(rc), msg);
  });
}

int shoal_release(shoal_handle* h, uint32_t partition, uint32_t type, uint32_t amount, uint32_t* held) {
  return guarded([&]() -> int {
    shoal::hostlib::set_status(SHOAL_STATUS_NONE);
    if (h == nullptr) return set_error(Errc::invalid_arg, "shoal_release: NULL handle");
    Builder b(SHOAL_OP_RELEASE, "RELEASE of " + std::to_string(amount) + " units of type " + std::to_string(type) +
                                    " by partition " + std::to_string(partition));
    SHOAL_BSET(b, SHOAL_OP_RELEASE_PARTITION, partition, "partition");
    SHOAL_BSET(b, SHOAL_OP_RELEASE_TYPE, type, "type");
    SHOAL_BSET(b, SHOAL_OP_RELEASE_AMOUNT, amount, "amount");
    if (b.rc != SHOAL_OK) return b.rc;
    Words cqe{};
    if (int rc = shoal::hostlib::call(*h, b.w, cqe, b.what); rc != SHOAL_OK) return rc;
    if (held) *held = SHOAL_GET(cqe.data(), SHOAL_CPL_RELEASE_HELD);
    return ok();
  });
}

int shoal_swap(shoal_handle* admin, uint32_t from, uint32_t to, uint32_t type, uint32_t amount, uint32_t* moved) {
  return guarded([&]() -> int {
    shoal::hostlib::set_status(SHOAL_STATUS_NONE);
    if (admin == nullptr) return set_error(Errc::invalid_arg, "shoal_swap: NULL handle");
    const std::string what = "SWAP of " + std::to_string(amount) + " units of type " + std::to_string(type) +
                             " from partition " + std::to_string(from) + " to " + std::to_string(to);
    if (int rc = shoal::hostlib::require_admin(*admin, what); rc != SHOAL_OK) return rc;
    if (from == to) return set_error(Errc::invalid_arg, what + ": the partitions must differ");
    Builder b(SHOAL_OP_SWAP, what);
    SHOAL_BSET(b, SHOAL_OP_SWAP_FROM, from, "from");
    SHOAL_BSET(b, SHOAL_OP_SWAP_TO, to, "to");
    SHOAL_BSET(b, SHOAL_OP_SWAP_TYPE, type, "type");
    SHOAL_BSET(b, SHOAL_OP_SWAP_AMOUNT, amount, "amount");
    if (b.rc != SHOAL_OK) return b.rc;
    Words cqe{};
    if (int rc = shoal::hostlib::call(*admin, b.w, cqe, b.what); rc != SHOAL_OK) return rc;
    if (moved) *moved = SHOAL_GET(cqe.data(), SHOAL_CPL_SWAP_MOVED);
    return ok();
  });
}

int shoal_request_vector(shoal_handle* h, const struct shoal_request_vec* req, struct shoal_vec_grant* grant) {
  return guarded([&]() -> int {
    shoal::hostlib::set_status(SHOAL_STATUS_NONE);
    if (h == nullptr) return set_error(Errc::invalid_arg, "shoal_request_vector: NULL handle");
    if (grant == nullptr || grant->struct_size < SHOAL_VEC_GRANT_SIZE_V1) {
      shoal_vec_grant dummy{};
      return shoal::hostlib::fill_versioned(grant, dummy, SHOAL_VEC_GRANT_SIZE_V1, "shoal_vec_grant");
    }
    shoal_request_vec r{};
    if (int rc = shoal::hostlib::read_versioned(req, r, SHOAL_REQUEST_VEC_SIZE_V1, "shoal_request_vec"); rc != SHOAL_OK)
      return rc;
    const std::string what = "REQUEST_VECTOR for partition " + std::to_string(r.partition);
    if (int rc = check_flags(r.flags, what); rc != SHOAL_OK) return rc;
    if (r.flags & SHOAL_REQ_ALLOW_PARTIAL) {
      shoal::hostlib::set_status(SHOAL_ST_INVALID);
      return set_error(Errc::invalid_arg, what + ": ALLOW_PARTIAL does not apply: a vector is all or nothing");
    }
    bool any = false;
    for (std::uint32_t t = 0; t < SHOAL_MAX_TYPES; ++t) {
      if (r.amount[t] == 0) continue;
      any = true;
      if (t >= h->num_types) {
        shoal::hostlib::set_status(SHOAL_ST_INVALID);
        return set_error(Errc::invalid_arg, what + ": amount[" + std::to_string(t) + "]: the card has types 0.." +
                                                std::to_string(h->num_types - 1));
      }
    }
    if (!any) {
      shoal::hostlib::set_status(SHOAL_ST_INVALID);
      return set_error(Errc::invalid_arg, what + ": every amount is 0: ask for something");
    }
    Builder b(SHOAL_OP_REQUEST_VECTOR, what);
    SHOAL_BSET(b, SHOAL_OP_REQUEST_VECTOR_PARTITION, r.partition, "partition");
    SHOAL_BSET(b, SHOAL_OP_REQUEST_VECTOR_FLAGS, r.flags, "flags");
    SHOAL_BSET(b, SHOAL_OP_REQUEST_VECTOR_TIMEOUT, r.timeout_us, "timeout_us");
    for (std::uint32_t t = 0; t < h->num_types; ++t) SHOAL_BSET_I(b, SHOAL_OP_REQUEST_VECTOR_AMOUNT, t, r.amount[t], "amount");
    if (b.rc != SHOAL_OK) return b.rc;
    Words cqe{};
    const int rc = shoal::hostlib::call(*h, b.w, cqe, b.what);
    if (shoal_last_status() == SHOAL_STATUS_NONE) return rc;
    const std::string msg = shoal_last_error();
    shoal_vec_grant full{};
    full.struct_size = sizeof full;
    full.status = SHOAL_GET(cqe.data(), SHOAL_CQE_STATUS);
    if (!SHOAL_ST_REFUSED(full.status)) {
      full.request_id = SHOAL_GET(cqe.data(), SHOAL_CPL_REQUEST_VECTOR_REQUEST);
      for (std::uint32_t t = 0; t < h->num_types; ++t) full.granted[t] = SHOAL_GET_I(cqe.data(), SHOAL_CPL_REQUEST_VECTOR_GRANTED, t);
    }
    if (int f = shoal::hostlib::fill_versioned(grant, full, SHOAL_VEC_GRANT_SIZE_V1, "shoal_vec_grant"); f != SHOAL_OK) return f;
    return rc == SHOAL_OK ? ok() : set_error(static_cast<Errc>(rc), msg);
  });
}

int shoal_cancel(shoal_handle* h, uint32_t partition, uint32_t request_id) {
  return guarded([&]() -> int {
    shoal::hostlib::set_status(SHOAL_STATUS_NONE);
    if (h == nullptr) return set_error(Errc::invalid_arg, "shoal_cancel: NULL handle");
    Builder b(SHOAL_OP_CANCEL, "CANCEL of request " + std::to_string(request_id) + " of partition " + std::to_string(partition));
    SHOAL_BSET(b, SHOAL_OP_CANCEL_PARTITION, partition, "partition");
    SHOAL_BSET(b, SHOAL_OP_CANCEL_REQUEST, request_id, "request_id");
    if (b.rc != SHOAL_OK) return b.rc;
    Words cqe{};
    return shoal::hostlib::call(*h, b.w, cqe, b.what);
  });
}

}  // extern "C"
