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

}  // namespace shoal

#endif  // SHOAL_SHOAL_HPP
