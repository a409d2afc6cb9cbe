// libshoal: partitions (shoal/broker.h) — PART_LIST, PART_QUERY, PART_CREATE, PART_CONFIGURE,
// PART_DESTROY (docs/commands.md).
#include <bit>

#include "handle.hpp"

using shoal::Errc;
using shoal::hostlib::Builder;
using shoal::hostlib::guarded;
using shoal::hostlib::ok;
using shoal::hostlib::set_error;
using shoal::hostlib::Words;

namespace {
std::string part_what(const char* cmd, std::uint32_t p) { return std::string(cmd) + " of partition " + std::to_string(p); }
}  // namespace

extern "C" {

int shoal_part_list(shoal_handle* h, uint64_t* mask, uint32_t* count) {
  return guarded([&]() -> int {
    if (h == nullptr || mask == nullptr) return set_error(Errc::invalid_arg, "shoal_part_list: NULL argument");
    Builder b(SHOAL_OP_PART_LIST, "PART_LIST");
    Words cqe{};
    if (int rc = shoal::hostlib::call(*h, b.w, cqe, b.what); rc != SHOAL_OK) return rc;
    *mask = SHOAL_GET(cqe.data(), SHOAL_CPL_PART_LIST_EXISTS);
    if (count) *count = SHOAL_GET(cqe.data(), SHOAL_CPL_PART_LIST_COUNT);
    return ok();
  });
}

int shoal_part_query(shoal_handle* h, uint32_t partition, struct shoal_part_info* info) {
  return guarded([&]() -> int {
    if (h == nullptr) return set_error(Errc::invalid_arg, "shoal_part_query: NULL handle");
    if (info == nullptr) return set_error(Errc::invalid_arg, "shoal_part_info pointer is NULL");
    if (info->struct_size < SHOAL_PART_INFO_SIZE_V1) {
      shoal_part_info dummy{};
      return shoal::hostlib::fill_versioned(info, dummy, SHOAL_PART_INFO_SIZE_V1, "shoal_part_info");
    }
    Builder b(SHOAL_OP_PART_QUERY, part_what("PART_QUERY", partition));
    SHOAL_BSET(b, SHOAL_OP_PART_QUERY_PARTITION, partition, "partition");
    if (b.rc != SHOAL_OK) return b.rc;
    Words cqe{};
    if (int rc = shoal::hostlib::call(*h, b.w, cqe, b.what); rc != SHOAL_OK) return rc;
    const std::uint32_t* c = cqe.data();
    shoal_part_info full{};
    full.struct_size = sizeof full;
    full.partition = partition;
    full.exists = SHOAL_GET(c, SHOAL_CPL_PART_QUERY_EXISTS);
    if (full.exists) {
      full.high = SHOAL_GET(c, SHOAL_CPL_PART_QUERY_HIGH);
      full.prio = SHOAL_GET(c, SHOAL_CPL_PART_QUERY_PRIO);
      full.pending = SHOAL_GET(c, SHOAL_CPL_PART_QUERY_PENDING);
      full.thr_hi = SHOAL_GET(c, SHOAL_CPL_PART_QUERY_THR_HI);
      full.thr_lo = SHOAL_GET(c, SHOAL_CPL_PART_QUERY_THR_LO);
      full.util = SHOAL_GET(c, SHOAL_CPL_PART_QUERY_UTIL);
      full.ewma = SHOAL_GET(c, SHOAL_CPL_PART_QUERY_EWMA);
      full.num_types = h->num_types;
      full.procs = std::uint64_t{SHOAL_GET_I(c, SHOAL_CPL_PART_QUERY_PROCS, 0)} |
                   std::uint64_t{SHOAL_GET_I(c, SHOAL_CPL_PART_QUERY_PROCS, 1)} << 32;
      full.num_procs = static_cast<std::uint32_t>(std::popcount(full.procs));
      for (std::uint32_t t = 0; t < h->num_types; ++t) {
        full.held[t] = SHOAL_GET_I(c, SHOAL_CPL_PART_QUERY_HELD, t);
        full.floor[t] = SHOAL_GET_I(c, SHOAL_CPL_PART_QUERY_FLOOR, t);
        full.cap[t] = SHOAL_GET_I(c, SHOAL_CPL_PART_QUERY_CAP, t);
      }
    }
    return shoal::hostlib::fill_versioned(info, full, SHOAL_PART_INFO_SIZE_V1, "shoal_part_info");
  });
}

int shoal_part_create(shoal_handle* admin, uint32_t partition, uint32_t prio, uint32_t* created) {
  return guarded([&]() -> int {
    if (admin == nullptr) return set_error(Errc::invalid_arg, "shoal_part_create: NULL handle");
    const std::string what = partition == SHOAL_PARTITION_ANY ? std::string("PART_CREATE of a partition (any)")
                                                              : part_what("PART_CREATE", partition);
    if (int rc = shoal::hostlib::require_admin(*admin, what); rc != SHOAL_OK) return rc;
    Builder b(SHOAL_OP_PART_CREATE, what);
    SHOAL_BSET(b, SHOAL_OP_PART_CREATE_PARTITION, partition, "partition");
    SHOAL_BSET(b, SHOAL_OP_PART_CREATE_PRIO, prio, "prio");
    if (b.rc != SHOAL_OK) return b.rc;
    Words cqe{};
    if (int rc = shoal::hostlib::call(*admin, b.w, cqe, b.what); rc != SHOAL_OK) return rc;
    if (created) *created = SHOAL_GET(cqe.data(), SHOAL_CPL_PART_CREATE_PARTITION);
    return ok();
  });
}

int shoal_part_configure(shoal_handle* admin, uint32_t partition, struct shoal_part_config* cfg) {
  return guarded([&]() -> int {
    if (admin == nullptr) return set_error(Errc::invalid_arg, "shoal_part_configure: NULL handle");
    const std::string what = part_what("PART_CONFIGURE", partition);
    if (int rc = shoal::hostlib::require_admin(*admin, what); rc != SHOAL_OK) return rc;
    shoal_part_config c{};
    if (int rc = shoal::hostlib::read_versioned(cfg, c, SHOAL_PART_CONFIG_SIZE_V1, "shoal_part_config"); rc != SHOAL_OK)
      return rc;
    if (c.set == 0 || (c.set & ~7u) != 0) {
      return set_error(Errc::invalid_arg, what + ": set = " + std::to_string(c.set) +
                                              ": name what to change (SHOAL_PART_SET_PRIO | _THRESH | _LIMITS)");
    }
    if ((c.set & SHOAL_PART_SET_LIMITS) && (c.types == 0 || c.types >> admin->num_types)) {
      return set_error(Errc::invalid_arg, what + ": types = " + std::to_string(c.types) + ": LIMITS needs bits for types 0.." +
                                              std::to_string(admin->num_types - 1));
    }
    if ((c.set & SHOAL_PART_SET_THRESH) && c.thr_lo >= c.thr_hi) {
      return set_error(Errc::invalid_arg, what + ": thr_lo " + std::to_string(c.thr_lo) + " must be below thr_hi " +
                                              std::to_string(c.thr_hi));
    }
    Builder b(SHOAL_OP_PART_CONFIGURE, what);
    SHOAL_BSET(b, SHOAL_OP_PART_CONFIGURE_PARTITION, partition, "partition");
    SHOAL_BSET(b, SHOAL_OP_PART_CONFIGURE_SET, c.set, "set");
    if (c.set & SHOAL_PART_SET_PRIO) SHOAL_BSET(b, SHOAL_OP_PART_CONFIGURE_PRIO, c.prio, "prio");
    if (c.set & SHOAL_PART_SET_THRESH) {
      SHOAL_BSET(b, SHOAL_OP_PART_CONFIGURE_THR_HI, c.thr_hi, "thr_hi");
      SHOAL_BSET(b, SHOAL_OP_PART_CONFIGURE_THR_LO, c.thr_lo, "thr_lo");
    }
    if (c.set & SHOAL_PART_SET_LIMITS) {
      SHOAL_BSET(b, SHOAL_OP_PART_CONFIGURE_TYPES, c.types, "types");
      for (std::uint32_t t = 0; t < admin->num_types; ++t) {
        if (!((c.types >> t) & 1u)) continue;
        SHOAL_BSET_I(b, SHOAL_OP_PART_CONFIGURE_FLOOR, t, c.floor[t], "floor");
        SHOAL_BSET_I(b, SHOAL_OP_PART_CONFIGURE_CAP, t, c.cap[t], "cap");
      }
    }
    if (b.rc != SHOAL_OK) return b.rc;
    Words cqe{};
    const int rc = shoal::hostlib::call(*admin, b.w, cqe, b.what);
    const std::uint32_t st = shoal_last_status();
    if (st == SHOAL_ST_FLOOR_SUM || st == SHOAL_ST_CAP_BELOW_ALLOC) {
      const std::uint32_t t = SHOAL_GET(cqe.data(), SHOAL_CPL_PART_CONFIGURE_TYPE);
      if (cfg->struct_size >= offsetof(shoal_part_config, failed_type) + sizeof(std::uint32_t)) cfg->failed_type = t;
      const std::string m = shoal_last_error();
      return set_error(static_cast<Errc>(rc), m + " (type " + std::to_string(t) + ")");
    }
    return rc;
  });
}

int shoal_part_destroy(shoal_handle* admin, uint32_t partition, uint32_t* released) {
  return guarded([&]() -> int {
    if (admin == nullptr) return set_error(Errc::invalid_arg, "shoal_part_destroy: NULL handle");
    const std::string what = part_what("PART_DESTROY", partition);
    if (int rc = shoal::hostlib::require_admin(*admin, what); rc != SHOAL_OK) return rc;
    Builder b(SHOAL_OP_PART_DESTROY, what);
    SHOAL_BSET(b, SHOAL_OP_PART_DESTROY_PARTITION, partition, "partition");
    if (b.rc != SHOAL_OK) return b.rc;
    Words cqe{};
    if (int rc = shoal::hostlib::call(*admin, b.w, cqe, b.what); rc != SHOAL_OK) return rc;
    if (released) {
      for (std::uint32_t t = 0; t < SHOAL_MAX_TYPES; ++t)
        released[t] = t < admin->num_types ? SHOAL_GET_I(cqe.data(), SHOAL_CPL_PART_DESTROY_RELEASED, t) : 0;
    }
    return ok();
  });
}

}  // extern "C"
