// libshoal C++ API: a thin, header-only RAII wrapper over the C ABI in shoal/shoal.h. Needs
// C++17 or newer (std::variant); the CMake target shoal::shoal says so (cxx_std_17).
//
// Errors are values, never exceptions: every call returns shoal::Result<T> / shoal::Status
// (shoal/result.hpp), whose Error carries the C code as shoal::Errc and the detailed message
// from shoal_last_error().
//
//   auto dev = shoal::Device::open("sim:/tmp/shoal.sock");
//   if (!dev) { std::cerr << dev.error().message << "\n"; return 1; }
//   auto magic = dev->read32(0x4);
#ifndef SHOAL_SHOAL_HPP
#define SHOAL_SHOAL_HPP

#if !defined(__cplusplus) || __cplusplus < 201703L
#error "shoal/shoal.hpp needs C++17 or newer (libshoal's C++ API; compile with -std=c++17; C code includes shoal/shoal.h)"
#endif

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "shoal/result.hpp"
#include "shoal/shoal.h"

namespace shoal {

using Info = shoal_info;
using ResourceType = shoal_resource;
using Block = shoal_block;
using Slice = shoal_slice;

namespace detail {
inline Failure last_failure(int code) { return fail(static_cast<Errc>(code), shoal_last_error()); }
}  // namespace detail

// The cards present, without opening any (shoal_list_devices()).
inline Result<std::vector<shoal_device_entry>> list_devices() {
  std::size_t n = 0;
  if (int rc = shoal_list_devices(nullptr, 0, &n); rc != SHOAL_OK) return detail::last_failure(rc);
  for (;;) {
    std::vector<shoal_device_entry> out(n + 4);  // room for a few that appear meanwhile
    for (auto& e : out) SHOAL_INIT(e);
    std::size_t got = 0;
    if (int rc = shoal_list_devices(out.data(), out.size(), &got); rc != SHOAL_OK) return detail::last_failure(rc);
    if (got <= out.size()) {
      out.resize(got);
      return out;
    }
    n = got;
  }
}

class Device {
 public:
  // Opens a card by URI (empty: $SHOAL_DEVICE). See shoal_open().
  static Result<Device> open(const std::string& uri = {}) {
    shoal_dev* raw = nullptr;
    if (int rc = shoal_open(uri.empty() ? nullptr : uri.c_str(), &raw); rc != SHOAL_OK) return detail::last_failure(rc);
    return Device(raw);
  }

  Result<std::uint32_t> read32(std::uint64_t offset) const {
    std::uint32_t v = 0;
    if (int rc = shoal_reg_read32(get(), offset, &v); rc != SHOAL_OK) return detail::last_failure(rc);
    return v;
  }
  Result<std::uint64_t> read64(std::uint64_t offset) const {
    std::uint64_t v = 0;
    if (int rc = shoal_reg_read64(get(), offset, &v); rc != SHOAL_OK) return detail::last_failure(rc);
    return v;
  }
  Status write32(std::uint64_t offset, std::uint32_t value) const {
    if (int rc = shoal_reg_write32(get(), offset, value); rc != SHOAL_OK) return detail::last_failure(rc);
    return {};
  }
  Status write64(std::uint64_t offset, std::uint64_t value) const {
    if (int rc = shoal_reg_write64(get(), offset, value); rc != SHOAL_OK) return detail::last_failure(rc);
    return {};
  }

  // Mask of host interrupt vectors that fired; Errc::timeout if none within `timeout`.
  Result<std::uint32_t> wait_event(std::chrono::milliseconds timeout) const {
    std::uint32_t v = 0;
    const auto ms = static_cast<std::uint32_t>(timeout.count() < 0 ? 0 : timeout.count());
    if (int rc = shoal_wait_event(get(), ms, &v); rc != SHOAL_OK) return detail::last_failure(rc);
    return v;
  }

  Result<Info> info() const {
    Info i{};
    SHOAL_INIT(i);
    if (int rc = shoal_get_info(get(), &i); rc != SHOAL_OK) return detail::last_failure(rc);
    return i;
  }
  Result<ResourceType> resource(std::uint32_t index) const {
    ResourceType r{};
    SHOAL_INIT(r);
    if (int rc = shoal_get_resource(get(), index, &r); rc != SHOAL_OK) return detail::last_failure(rc);
    return r;
  }
  Result<std::vector<ResourceType>> resources() const {
    auto i = info();
    if (!i) return fail(std::move(i).error());
    std::vector<ResourceType> out;
    for (std::uint32_t k = 0; k < i->num_resource_types; ++k) {
      auto r = resource(k);
      if (!r) return fail(std::move(r).error());
      out.push_back(*r);
    }
    return out;
  }
  Result<Block> block(std::uint32_t index) const {
    Block b{};
    SHOAL_INIT(b);
    if (int rc = shoal_get_block(get(), index, &b); rc != SHOAL_OK) return detail::last_failure(rc);
    return b;
  }
  Result<std::vector<Block>> blocks() const {
    auto i = info();
    if (!i) return fail(std::move(i).error());
    std::vector<Block> out;
    for (std::uint32_t k = 0; k < i->num_blocks; ++k) {
      auto b = block(k);
      if (!b) return fail(std::move(b).error());
      out.push_back(*b);
    }
    return out;
  }
  Result<Slice> slice(std::uint32_t index) const {
    Slice s{};
    SHOAL_INIT(s);
    if (int rc = shoal_get_slice(get(), index, &s); rc != SHOAL_OK) return detail::last_failure(rc);
    return s;
  }
  Result<std::vector<Slice>> slices() const {
    auto i = info();
    if (!i) return fail(std::move(i).error());
    std::vector<Slice> out;
    for (std::uint32_t k = 0; k < i->num_slices; ++k) {
      auto s = slice(k);
      if (!s) return fail(std::move(s).error());
      out.push_back(*s);
    }
    return out;
  }
  Result<std::vector<std::uint8_t>> dtb() const {
    std::size_t n = 0;
    if (int rc = shoal_get_dtb(get(), nullptr, &n); rc != SHOAL_OK) return detail::last_failure(rc);
    std::vector<std::uint8_t> out(n);
    if (int rc = shoal_get_dtb(get(), out.data(), &n); rc != SHOAL_OK) return detail::last_failure(rc);
    return out;
  }

  // Soft-core firmware: see shoal_fw_load() / shoal_fw_status().
  Status fw_load(const std::string& elf_path, shoal_fw_progress_fn progress = nullptr,
                 void* ctx = nullptr) const {
    if (int rc = shoal_fw_load(get(), elf_path.c_str(), progress, ctx); rc != SHOAL_OK)
      return detail::last_failure(rc);
    return {};
  }
  Result<shoal_fw_state> fw_status() const {
    shoal_fw_state st{};
    SHOAL_INIT(st);
    if (int rc = shoal_fw_status(get(), &st); rc != SHOAL_OK) return detail::last_failure(rc);
    return st;
  }

  shoal_dev* get() const noexcept { return dev_.get(); }

 private:
  struct Closer {
    void operator()(shoal_dev* d) const noexcept { shoal_close(d); }
  };
  explicit Device(shoal_dev* d) : dev_(d) {}
  std::unique_ptr<shoal_dev, Closer> dev_;
};


// ---- the broker and Swarm API (shoal/broker.h; docs/api.md) ----------------------------------
//
//   auto admin = shoal::Handle::admin(*dev);          // or shoal::Handle::partition(*dev, k)
//   auto p = admin->create(shoal::kAnyPartition, 4);
//   shoal_request_args r{}; SHOAL_INIT(r); r.partition = *p; r.type = SHOAL_RES_CPU; r.amount = 2;
//   auto g = admin->request(r);                       // g->status, g->granted ...
//
// A refusal is an Error (code Errc::refused or Errc::permission) whose message names the
// command and the card's status; shoal::last_status() gives the status itself.
using PartInfo = shoal_part_info;
using PartConfig = shoal_part_config;
using ResInfo = shoal_res_info;
using Request = shoal_request_args;
using Grant = shoal_grant;
using RequestVec = shoal_request_vec;
using VecGrant = shoal_vec_grant;
using Event = shoal_event;
using PartTelemetry = shoal_part_telemetry;
using ProcTelemetry = shoal_proc_telemetry;
using ServiceState = shoal_service_state;
using HandleInfo = shoal_handle_info;
inline constexpr std::uint32_t kAnyPartition = SHOAL_PARTITION_ANY;

// The protocol status of this thread's last broker call (shoal_last_status()).
[[nodiscard]] inline std::uint32_t last_status() noexcept { return shoal_last_status(); }

class Handle {
 public:
  [[nodiscard]] static Result<Handle> admin(const Device& dev) {
    shoal_handle* h = nullptr;
    if (int rc = shoal_admin_open(dev.get(), &h); rc != SHOAL_OK) return detail::last_failure(rc);
    return Handle(h);
  }
  [[nodiscard]] static Result<Handle> partition(const Device& dev, std::uint32_t k) {
    shoal_handle* h = nullptr;
    if (int rc = shoal_partition_open(dev.get(), k, &h); rc != SHOAL_OK) return detail::last_failure(rc);
    return Handle(h);
  }

  // The handle's partition, or SHOAL_HANDLE_ADMIN.
  [[nodiscard]] std::uint32_t partition_index() const noexcept { return shoal_handle_partition(get()); }
  [[nodiscard]] bool is_admin() const noexcept { return partition_index() == SHOAL_HANDLE_ADMIN; }
  [[nodiscard]] Result<HandleInfo> info() const { return fill<HandleInfo>(shoal_handle_get_info); }
  [[nodiscard]] Status set_timeout(std::chrono::milliseconds t) const {
    return check(shoal_handle_set_timeout(get(), static_cast<std::uint32_t>(t.count() < 0 ? 0 : t.count())));
  }

  // ---- partitions ----
  // The partitions that exist (a partition handle sees only itself), ascending.
  [[nodiscard]] Result<std::vector<std::uint32_t>> partitions() const {
    std::uint64_t mask = 0;
    if (int rc = shoal_part_list(get(), &mask, nullptr); rc != SHOAL_OK) return detail::last_failure(rc);
    std::vector<std::uint32_t> out;
    for (std::uint32_t k = 0; k < 64; ++k)
      if ((mask >> k) & 1u) out.push_back(k);
    return out;
  }
  [[nodiscard]] Result<PartInfo> query(std::uint32_t p) const {
    PartInfo i{};
    SHOAL_INIT(i);
    if (int rc = shoal_part_query(get(), p, &i); rc != SHOAL_OK) return detail::last_failure(rc);
    return i;
  }
  [[nodiscard]] Result<std::uint32_t> create(std::uint32_t p, std::uint32_t prio) const {
    std::uint32_t made = 0;
    if (int rc = shoal_part_create(get(), p, prio, &made); rc != SHOAL_OK) return detail::last_failure(rc);
    return made;
  }
  [[nodiscard]] Status configure(std::uint32_t p, PartConfig cfg) const {
    SHOAL_INIT(cfg);
    return check(shoal_part_configure(get(), p, &cfg));
  }
  [[nodiscard]] Status destroy(std::uint32_t p) const { return check(shoal_part_destroy(get(), p, nullptr)); }

  // ---- resources ----
  [[nodiscard]] Result<ResInfo> resource(std::uint32_t type) const {
    ResInfo r{};
    SHOAL_INIT(r);
    if (int rc = shoal_res_query(get(), type, &r); rc != SHOAL_OK) return detail::last_failure(rc);
    return r;
  }
  // Every ALLOC slot (state FREE for an empty one).
  [[nodiscard]] Result<std::vector<ResInfo>> resources() const {
    auto i = info();
    if (!i) return fail(std::move(i).error());
    std::vector<ResInfo> out;
    for (std::uint32_t t = 0; t < i->num_types; ++t) {
      auto r = resource(t);
      if (!r) return fail(std::move(r).error());
      out.push_back(*r);
    }
    return out;
  }
  [[nodiscard]] Result<std::uint32_t> register_type(const std::string& name, std::uint32_t units) const {
    std::uint32_t t = 0;
    if (int rc = shoal_res_register(get(), name.c_str(), units, &t); rc != SHOAL_OK) return detail::last_failure(rc);
    return t;
  }
  [[nodiscard]] Status retire_type(std::uint32_t type) const { return check(shoal_res_retire(get(), type)); }

  // ---- requests ----
  [[nodiscard]] Result<Grant> request(Request r) const {
    SHOAL_INIT(r);
    Grant g{};
    SHOAL_INIT(g);
    if (int rc = shoal_request(get(), &r, &g); rc != SHOAL_OK) return detail::last_failure(rc);
    return g;
  }
  [[nodiscard]] Result<Grant> request(std::uint32_t p, std::uint32_t type, std::uint32_t amount,
                                      std::uint32_t flags = 0, std::uint32_t timeout_us = 0) const {
    Request r{};
    r.partition = p;
    r.type = type;
    r.amount = amount;
    r.flags = flags;
    r.timeout_us = timeout_us;
    return request(r);
  }
  // Units held after the release.
  [[nodiscard]] Result<std::uint32_t> release(std::uint32_t p, std::uint32_t type, std::uint32_t amount) const {
    std::uint32_t held = 0;
    if (int rc = shoal_release(get(), p, type, amount, &held); rc != SHOAL_OK) return detail::last_failure(rc);
    return held;
  }
  [[nodiscard]] Result<std::uint32_t> swap(std::uint32_t from, std::uint32_t to, std::uint32_t type,
                                           std::uint32_t amount) const {
    std::uint32_t moved = 0;
    if (int rc = shoal_swap(get(), from, to, type, amount, &moved); rc != SHOAL_OK) return detail::last_failure(rc);
    return moved;
  }
  [[nodiscard]] Result<VecGrant> request_vector(RequestVec r) const {
    SHOAL_INIT(r);
    VecGrant g{};
    SHOAL_INIT(g);
    if (int rc = shoal_request_vector(get(), &r, &g); rc != SHOAL_OK) return detail::last_failure(rc);
    return g;
  }
  [[nodiscard]] Status cancel(std::uint32_t p, std::uint32_t request_id) const {
    return check(shoal_cancel(get(), p, request_id));
  }
  // Asynchronous: a ticket now, the grant later (see shoal_request_submit).
  [[nodiscard]] Result<std::uint32_t> submit(Request r) const {
    SHOAL_INIT(r);
    std::uint32_t ticket = 0;
    if (int rc = shoal_request_submit(get(), &r, &ticket); rc != SHOAL_OK) return detail::last_failure(rc);
    return ticket;
  }
  [[nodiscard]] Result<Grant> result(std::uint32_t ticket, std::chrono::milliseconds wait) const {
    Grant g{};
    SHOAL_INIT(g);
    if (int rc = shoal_request_result(get(), ticket, ms(wait), &g); rc != SHOAL_OK) return detail::last_failure(rc);
    return g;
  }
  // Admin: moves a processor (SHOAL_PROC_IDLE: to the idle pool); the card cycles it took.
  [[nodiscard]] Result<std::uint32_t> migrate(std::uint32_t processor, std::uint32_t partition) const {
    std::uint32_t cycles = 0;
    if (int rc = shoal_migrate(get(), processor, partition, &cycles, nullptr); rc != SHOAL_OK)
      return detail::last_failure(rc);
    return cycles;
  }
  [[nodiscard]] Result<int> fd() const {
    int f = -1;
    if (int rc = shoal_handle_fd(get(), &f); rc != SHOAL_OK) return detail::last_failure(rc);
    return f;
  }
  [[nodiscard]] Status poll() const { return check(shoal_handle_poll(get(), nullptr)); }

  // ---- events and telemetry ----
  [[nodiscard]] Result<Event> next_event(std::chrono::milliseconds wait) const {
    Event e{};
    SHOAL_INIT(e);
    if (int rc = shoal_next_event(get(), ms(wait), &e); rc != SHOAL_OK) return detail::last_failure(rc);
    return e;
  }
  [[nodiscard]] Result<PartTelemetry> telemetry(std::uint32_t p) const {
    PartTelemetry t{};
    SHOAL_INIT(t);
    if (int rc = shoal_telemetry_partition(get(), p, &t); rc != SHOAL_OK) return detail::last_failure(rc);
    return t;
  }
  [[nodiscard]] Result<ProcTelemetry> processor(std::uint32_t proc) const {
    ProcTelemetry t{};
    SHOAL_INIT(t);
    if (int rc = shoal_telemetry_processor(get(), proc, &t); rc != SHOAL_OK) return detail::last_failure(rc);
    return t;
  }
  [[nodiscard]] Result<shoal_prediction> predict(std::uint32_t p, std::uint32_t type, std::uint32_t window) const {
    shoal_prediction v{};
    SHOAL_INIT(v);
    if (int rc = shoal_predict(get(), p, type, window, &v); rc != SHOAL_OK) return detail::last_failure(rc);
    return v;
  }
  [[nodiscard]] Result<ServiceState> service() const { return fill<ServiceState>(shoal_service_status); }

  [[nodiscard]] shoal_handle* get() const noexcept { return h_.get(); }

 private:
  struct Closer {
    void operator()(shoal_handle* h) const noexcept { shoal_handle_close(h); }
  };
  explicit Handle(shoal_handle* h) : h_(h) {}
  static Status check(int rc) {
    if (rc != SHOAL_OK) return detail::last_failure(rc);
    return {};
  }
  static std::uint32_t ms(std::chrono::milliseconds t) {
    return static_cast<std::uint32_t>(t.count() < 0 ? 0 : t.count());
  }
  template <class T, class F>
  Result<T> fill(F fn) const {
    T v{};
    SHOAL_INIT(v);
    if (int rc = fn(get(), &v); rc != SHOAL_OK) return detail::last_failure(rc);
    return v;
  }
  std::unique_ptr<shoal_handle, Closer> h_;
};

}  // namespace shoal

#endif  // SHOAL_SHOAL_HPP
