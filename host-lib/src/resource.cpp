// libshoal: resource types (shoal/broker.h) — RES_QUERY, RES_REGISTER, RES_RETIRE.
#include "handle.hpp"

using shoal::Errc;
using shoal::hostlib::Builder;
using shoal::hostlib::guarded;
using shoal::hostlib::ok;
using shoal::hostlib::set_error;
using shoal::hostlib::Words;

extern "C" {

int shoal_res_query(shoal_handle* h, uint32_t type, struct shoal_res_info* info) {
  return guarded([&]() -> int {
    if (h == nullptr) return set_error(Errc::invalid_arg, "shoal_res_query: NULL handle");
    if (info == nullptr || info->struct_size < SHOAL_RES_INFO_SIZE_V1) {
      shoal_res_info dummy{};
      return shoal::hostlib::fill_versioned(info, dummy, SHOAL_RES_INFO_SIZE_V1, "shoal_res_info");
    }
    shoal_res_info full{};
    full.struct_size = sizeof full;
    full.type = type;
    full.num_partitions = h->num_partitions;
    // the allocation list comes 16 partitions at a time
    for (std::uint32_t first = 0; first < h->num_partitions; first += SHOAL_CPL_RES_QUERY_ALLOC_COUNT) {
      Builder b(SHOAL_OP_RES_QUERY, "RES_QUERY of type " + std::to_string(type));
      SHOAL_BSET(b, SHOAL_OP_RES_QUERY_TYPE, type, "type");
      SHOAL_BSET(b, SHOAL_OP_RES_QUERY_FIRST, first, "first");
      if (b.rc != SHOAL_OK) return b.rc;
      Words cqe{};
      if (int rc = shoal::hostlib::call(*h, b.w, cqe, b.what); rc != SHOAL_OK) return rc;
      const std::uint32_t* c = cqe.data();
      if (first == 0) {
        full.state = SHOAL_GET(c, SHOAL_CPL_RES_QUERY_STATE);
        full.units = SHOAL_GET(c, SHOAL_CPL_RES_QUERY_UNITS);
        full.free = SHOAL_GET(c, SHOAL_CPL_RES_QUERY_FREE);
        const std::uint32_t n[2] = {SHOAL_GET_I(c, SHOAL_CPL_RES_QUERY_NAME, 0), SHOAL_GET_I(c, SHOAL_CPL_RES_QUERY_NAME, 1)};
        for (std::uint32_t i = 0; i < 8; ++i) {
          const char ch = static_cast<char>((n[i / 4] >> (8 * (i % 4))) & 0xFF);
          full.name[i] = (ch >= 0x20 && ch < 0x7F) ? ch : '\0';
          if (ch == '\0') break;
        }
        full.name[8] = '\0';
        // a built-in type's whole name is in the card's DTB (the protocol carries 8 bytes)
        if (full.state == SHOAL_RES_BUILTIN) {
          for (const auto& r : h->dev->card.resources) {
            if (r.index == type && r.name.compare(0, 8, full.name) == 0) {
              shoal::hostlib::copy_str(full.name, sizeof full.name, r.name);
            }
          }
        }
      }
      for (std::uint32_t i = 0; i < SHOAL_CPL_RES_QUERY_ALLOC_COUNT && first + i < h->num_partitions; ++i) {
        const std::uint32_t k = first + i;
        if (!h->admin() && k != h->partition) continue;
        full.alloc[k] = SHOAL_GET_I(c, SHOAL_CPL_RES_QUERY_ALLOC, i);
        full.visible |= std::uint64_t{1} << k;
      }
      if (!h->admin()) {
        // a partition handle needs only the block with its own partition
        if (h->partition < first + SHOAL_CPL_RES_QUERY_ALLOC_COUNT) break;
      }
    }
    return shoal::hostlib::fill_versioned(info, full, SHOAL_RES_INFO_SIZE_V1, "shoal_res_info");
  });
}

int shoal_res_register(shoal_handle* admin, const char* name, uint32_t units, uint32_t* type) {
  return guarded([&]() -> int {
    if (admin == nullptr || name == nullptr) return set_error(Errc::invalid_arg, "shoal_res_register: NULL argument");
    const std::string n = name;
    const std::string what = "RES_REGISTER of '" + n + "'";
    if (int rc = shoal::hostlib::require_admin(*admin, what); rc != SHOAL_OK) return rc;
    if (n.empty() || n.size() > 8) return set_error(Errc::invalid_arg, what + ": a name is 1..8 bytes");
    for (const char ch : n) {
      if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_'))
        return set_error(Errc::invalid_arg, what + ": a name is made of [a-z0-9_]");
    }
    std::uint32_t w[2] = {0, 0};
    for (std::size_t i = 0; i < n.size(); ++i) w[i / 4] |= std::uint32_t{static_cast<unsigned char>(n[i])} << (8 * (i % 4));
    Builder b(SHOAL_OP_RES_REGISTER, what);
    SHOAL_BSET_I(b, SHOAL_OP_RES_REGISTER_NAME, 0, w[0], "name");
    SHOAL_BSET_I(b, SHOAL_OP_RES_REGISTER_NAME, 1, w[1], "name");
    SHOAL_BSET(b, SHOAL_OP_RES_REGISTER_UNITS, units, "units");
    if (b.rc != SHOAL_OK) return b.rc;
    Words cqe{};
    if (int rc = shoal::hostlib::call(*admin, b.w, cqe, b.what); rc != SHOAL_OK) return rc;
    if (type) *type = SHOAL_GET(cqe.data(), SHOAL_CPL_RES_REGISTER_TYPE);
    return ok();
  });
}

int shoal_res_retire(shoal_handle* admin, uint32_t type) {
  return guarded([&]() -> int {
    if (admin == nullptr) return set_error(Errc::invalid_arg, "shoal_res_retire: NULL handle");
    const std::string what = "RES_RETIRE of type " + std::to_string(type);
    if (int rc = shoal::hostlib::require_admin(*admin, what); rc != SHOAL_OK) return rc;
    Builder b(SHOAL_OP_RES_RETIRE, what);
    SHOAL_BSET(b, SHOAL_OP_RES_RETIRE_TYPE, type, "type");
    if (b.rc != SHOAL_OK) return b.rc;
    Words cqe{};
    return shoal::hostlib::call(*admin, b.w, cqe, b.what);
  });
}

}  // extern "C"
