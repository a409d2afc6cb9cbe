// libshoal: error codes and the calling thread's last error; the library version.
#include "internal.hpp"

static_assert(static_cast<int>(shoal::Errc::ok) == SHOAL_OK);
static_assert(static_cast<int>(shoal::Errc::invalid_arg) == SHOAL_ERR_INVALID_ARG);
static_assert(static_cast<int>(shoal::Errc::no_device) == SHOAL_ERR_NO_DEVICE);
static_assert(static_cast<int>(shoal::Errc::io) == SHOAL_ERR_IO);
static_assert(static_cast<int>(shoal::Errc::bus) == SHOAL_ERR_BUS);
static_assert(static_cast<int>(shoal::Errc::protocol) == SHOAL_ERR_PROTOCOL);
static_assert(static_cast<int>(shoal::Errc::timeout) == SHOAL_ERR_TIMEOUT);
static_assert(static_cast<int>(shoal::Errc::bad_dtb) == SHOAL_ERR_BAD_DTB);
static_assert(static_cast<int>(shoal::Errc::unsupported) == SHOAL_ERR_UNSUPPORTED);
static_assert(static_cast<int>(shoal::Errc::permission) == SHOAL_ERR_PERMISSION);
static_assert(static_cast<int>(shoal::Errc::closed) == SHOAL_ERR_CLOSED);
static_assert(static_cast<int>(shoal::Errc::no_memory) == SHOAL_ERR_NO_MEMORY);
static_assert(static_cast<int>(shoal::Errc::internal) == SHOAL_ERR_INTERNAL);
static_assert(static_cast<int>(shoal::Errc::busy) == SHOAL_ERR_BUSY);
static_assert(static_cast<int>(shoal::Errc::full) == SHOAL_ERR_FULL);
static_assert(static_cast<int>(shoal::Errc::refused) == SHOAL_ERR_REFUSED);
static_assert(shoal::kLastErrc == shoal::Errc::refused, "a new error code needs its SHOAL_ERR_* and a static_assert here");

namespace shoal::hostlib {
namespace {
thread_local std::string t_last_error;
}  // namespace

int ok() {
  t_last_error.clear();
  return SHOAL_OK;
}

int set_error(const Error& e) {
  t_last_error = e.message;
  return static_cast<int>(e.code);
}

}  // namespace shoal::hostlib

extern "C" {

const char* shoal_strerror(int err) {
  if (err < 0 || err > static_cast<int>(shoal::kLastErrc)) return "unknown error code";
  return shoal::errc_name(static_cast<shoal::Errc>(err));
}

const char* shoal_last_error(void) { return shoal::hostlib::t_last_error.c_str(); }

const char* shoal_version(void) { return SHOAL_LIB_VERSION; }

}  // extern "C"
