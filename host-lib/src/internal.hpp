// libshoal internals shared by the files of the C ABI (one file per object: device.cpp opens
// and probes a card, registers.cpp is MMIO and events, info.cpp the card's description from
// its DTB, firmware.cpp the soft core; errors.cpp the error text). Not installed.
//
// Adding an object (partitions, queues, audit log, telemetry, ...): a new <object>.cpp with
// its extern "C" functions, written with the helpers below (guarded() around every body,
// set_error()/ok() for the thread's last error, fill_versioned() for every struct it fills,
// with that struct's first published size as a constant here).
#ifndef SHOAL_HOSTLIB_INTERNAL_HPP
#define SHOAL_HOSTLIB_INTERNAL_HPP

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <mutex>
#include <new>
#include <string>
#include <vector>

#include "dtb.hpp"
#include "events.hpp"
#include "shoal/driver/transport.hpp"
#include "shoal/shoal.h"

// The handle behind the C ABI's opaque shoal_dev.
struct shoal_dev {
  std::unique_ptr<shoal::driver::Transport> transport;
  shoal::hostlib::CardDescription card;
  std::vector<std::uint8_t> dtb;
  std::uint32_t magic = 0, ctrl_id = 0, version_reg = 0, cap = 0;
  // the card's interrupts, fanned out to the queues (events.cpp); started by the first queue
  shoal::hostlib::EventHub hub;
  // which queues have a handle (a process holds one per queue)
  std::mutex queues_mu;
  std::uint64_t queues_open = 0;

  ~shoal_dev() { hub.stop(); }
};

namespace shoal::hostlib {

// ---- errors: the calling thread's last error -------------------------------------------------

// Clears the thread's last error; returns SHOAL_OK.
int ok();
// Records the error as the thread's last error; returns its code.
int set_error(const Error& e);
inline int set_error(Errc code, std::string msg) { return set_error(Error{code, std::move(msg)}); }

// Runs fn, converting any C++ exception (e.g. std::bad_alloc) into an error code: nothing may
// unwind through the C ABI.
template <class F>
int guarded(F&& fn) noexcept {
  try {
    return fn();
  } catch (const std::bad_alloc&) {
    return set_error(Errc::no_memory, "out of memory");
  } catch (const std::exception& e) {
    return set_error(Errc::internal, std::string("internal error: ") + e.what());
  } catch (...) {
    return set_error(Errc::internal, "internal error: unknown exception");
  }
}

// ---- versioned structs -----------------------------------------------------------------------

// Copies s into a fixed-size char array, truncating, always NUL terminated.
inline void copy_str(char* dst, std::size_t cap, const std::string& s) {
  const std::size_t n = std::min(cap - 1, s.size());
  std::memcpy(dst, s.data(), n);
  dst[n] = '\0';
}

// Copies a fully built struct into the caller's, honouring its struct_size: at most
// struct_size bytes are written, struct_size itself is left as the caller set it, and a
// struct_size below the struct's first published size (v1_size) is refused.
template <class T>
int fill_versioned(T* user, const T& full, std::size_t v1_size, const char* what) {
  if (user == nullptr) return set_error(Errc::invalid_arg, std::string(what) + " pointer is NULL");
  const std::uint32_t size = user->struct_size;
  if (size < v1_size) {
    return set_error(Errc::invalid_arg, std::string(what) + ".struct_size is " + std::to_string(size) +
                                            "; set it to sizeof(struct " + what + ") (at least " +
                                            std::to_string(v1_size) + ")");
  }
  std::memcpy(static_cast<void*>(user), &full, std::min<std::size_t>(size, sizeof(T)));
  user->struct_size = size;
  return ok();
}

// The first published size of each struct: where its first version's last member ends. These
// never change (never sizeof: the first member appended would make today's size the minimum
// and refuse every caller built against today's header). Callers with at least this much are
// served; the literals below hold them to what was published.
inline constexpr std::size_t kInfoV1 = offsetof(shoal_info, transport) + SHOAL_TEXT_MAX;
inline constexpr std::size_t kResourceV1 = offsetof(shoal_resource, description) + SHOAL_TEXT_MAX;
inline constexpr std::size_t kBlockV1 = offsetof(shoal_block, compatible) + SHOAL_NAME_MAX;
// v1 of shoal_fw_state ended at core_id; the firmware report and watchdog fields were appended
inline constexpr std::size_t kFwStateV1 = offsetof(shoal_fw_state, core_id) + sizeof(std::uint32_t);
inline constexpr std::size_t kDeviceEntryV1 = offsetof(shoal_device_entry, uri) + SHOAL_TEXT_MAX;
inline constexpr std::size_t kSliceV1 = offsetof(shoal_slice, description) + SHOAL_TEXT_MAX;
inline constexpr std::size_t kQueueStatsV1 = offsetof(shoal_queue_stats, bad_writes) + sizeof(std::uint32_t);
inline constexpr std::size_t kAuditStateV1 = offsetof(shoal_audit_state, drop_pending) + sizeof(std::uint32_t);
inline constexpr std::size_t kAuditRecordV1 = offsetof(shoal_audit_record, raw) + 8 * sizeof(std::uint32_t);
static_assert(kQueueStatsV1 == SHOAL_QUEUE_STATS_SIZE_V1 && kAuditStateV1 == SHOAL_AUDIT_STATE_SIZE_V1 &&
                  kAuditRecordV1 == SHOAL_AUDIT_RECORD_SIZE_V1,
              "queue / audit structs: the first published layouts");
static_assert(kSliceV1 == SHOAL_SLICE_SIZE_V1 && kInfoV1 == SHOAL_INFO_SIZE_V1 &&
                  offsetof(shoal_info, num_slices) == SHOAL_INFO_SIZE_V1,
              "shoal_info / shoal_slice: the first published layouts (members are only appended)");
static_assert(kInfoV1 == 336 && kResourceV1 == 172 && kBlockV1 == 96 && kFwStateV1 == 48 && kDeviceEntryV1 == 144,
              "a first published struct size changed: that breaks every caller built against it");

// ---- the card --------------------------------------------------------------------------------

// True if the card's DTB lists the block `name` as present.
inline bool has_block(const shoal_dev& dev, const char* name) {
  for (const auto& b : dev.card.blocks) {
    if (b.name == name && b.present) return true;
  }
  return false;
}

}  // namespace shoal::hostlib

#endif  // SHOAL_HOSTLIB_INTERNAL_HPP
