// libshoal: the allocation policy (shoal/broker.h) — POLICY_GET, POLICY_SET.
#include "handle.hpp"

using shoal::Errc;
using shoal::hostlib::Builder;
using shoal::hostlib::guarded;
using shoal::hostlib::set_error;
using shoal::hostlib::Words;

extern "C" {

int shoal_policy_get(shoal_handle* h, struct shoal_policy* p) {
  return guarded([&]() -> int {
    if (h == nullptr) return set_error(Errc::invalid_arg, "shoal_policy_get: NULL handle");
    if (p == nullptr || p->struct_size < SHOAL_POLICY_SIZE_V1) {
      shoal_policy dummy{};
      return shoal::hostlib::fill_versioned(p, dummy, SHOAL_POLICY_SIZE_V1, "shoal_policy");
    }
    Builder b(SHOAL_OP_POLICY_GET, "POLICY_GET");
    Words cqe{};
    if (int rc = shoal::hostlib::call(*h, b.w, cqe, b.what); rc != SHOAL_OK) return rc;
    const std::uint32_t* c = cqe.data();
    shoal_policy full{};
    full.struct_size = sizeof full;
    full.policy = SHOAL_GET(c, SHOAL_CPL_POLICY_GET_POLICY);
    full.epoch_windows = SHOAL_GET(c, SHOAL_CPL_POLICY_GET_EPOCH_WINDOWS);
    full.alpha = SHOAL_GET(c, SHOAL_CPL_POLICY_GET_ALPHA);
    full.window = SHOAL_GET(c, SHOAL_CPL_POLICY_GET_WINDOW);
    full.quantile = SHOAL_GET(c, SHOAL_CPL_POLICY_GET_QUANTILE);
    full.move_cost = SHOAL_GET(c, SHOAL_CPL_POLICY_GET_MOVE_COST);
    return shoal::hostlib::fill_versioned(p, full, SHOAL_POLICY_SIZE_V1, "shoal_policy");
  });
}

int shoal_policy_set(shoal_handle* admin, const struct shoal_policy* p) {
  return guarded([&]() -> int {
    if (admin == nullptr) return set_error(Errc::invalid_arg, "shoal_policy_set: NULL handle");
    if (int rc = shoal::hostlib::require_admin(*admin, "POLICY_SET"); rc != SHOAL_OK) return rc;
    shoal_policy v{};
    if (int rc = shoal::hostlib::read_versioned(p, v, SHOAL_POLICY_SIZE_V1, "shoal_policy"); rc != SHOAL_OK) return rc;
    Builder b(SHOAL_OP_POLICY_SET, "POLICY_SET");
    SHOAL_BSET(b, SHOAL_OP_POLICY_SET_POLICY, v.policy, "policy");
    SHOAL_BSET(b, SHOAL_OP_POLICY_SET_EPOCH_WINDOWS, v.epoch_windows, "epoch_windows");
    SHOAL_BSET(b, SHOAL_OP_POLICY_SET_ALPHA, v.alpha, "alpha");
    SHOAL_BSET(b, SHOAL_OP_POLICY_SET_WINDOW, v.window, "window");
    SHOAL_BSET(b, SHOAL_OP_POLICY_SET_QUANTILE, v.quantile, "quantile");
    SHOAL_BSET(b, SHOAL_OP_POLICY_SET_MOVE_COST, v.move_cost, "move_cost");
    if (b.rc != SHOAL_OK) return b.rc;
    Words cqe{};
    return shoal::hostlib::call(*admin, b.w, cqe, b.what);
  });
}

}  // extern "C"
