// shoal::Result<T> — the one error-carrying return type of Shoal's host C++ code.
//
// driver/ returns it across the transport interface and the C++ wrapper of libshoal
// (shoal/shoal.hpp) returns it from every call: nothing in Shoal's host C++ throws for an
// expected failure (no device, I/O error, bus error, bad device tree ...). An Error carries an
// Errc, whose numeric values are exactly the C ABI's enum shoal_err codes, and a message
// meant for a human (it names the path, offset or value that was wrong).
//
// Header-only, C++17 or newer, installed with libshoal.
#ifndef SHOAL_RESULT_HPP
#define SHOAL_RESULT_HPP

#if !defined(__cplusplus) || __cplusplus < 201703L
#error "shoal/result.hpp needs C++17 or newer (compile with -std=c++17)"
#endif

#include <cstdio>
#include <cstdlib>
#include <string>
#include <utility>
#include <variant>

namespace shoal {

// Numeric values equal enum shoal_err in shoal/shoal.h (checked by a static_assert there).
enum class Errc : int {
  ok = 0,
  invalid_arg = 1,   // a bad argument: malformed URI, unaligned or out-of-range offset, ...
  no_device = 2,     // no such device / socket, or it is not a Shoal card
  io = 3,            // an operating-system I/O error (open, mmap, read, write on a socket)
  bus = 4,           // the card refused the access (AXI SLVERR/DECERR)
  protocol = 5,      // the peer broke the sim wire protocol, or speaks another version
  timeout = 6,       // no answer in time
  bad_dtb = 7,       // the card's device tree blob is missing, corrupted or inconsistent
  unsupported = 8,   // the operation is not available on this backend
  permission = 9,    // the OS refused access (file mode, capabilities)
  closed = 10,       // the connection to the device was lost / the handle is closed
  no_memory = 11,    // allocation failed
  internal = 12,     // a bug in Shoal
  busy = 13,         // the device serves as many clients as it can; try again later
  full = 14,         // a ring is full (a command queue's submission ring): take completions first
  refused = 15,      // the card (or the library, checking first) refused a command: see its status
};

// The last code (shoal_strerror's range).
inline constexpr Errc kLastErrc = Errc::refused;

// Short, stable description of an error code ("bus error", ...).
inline const char* errc_name(Errc e) noexcept {
  switch (e) {
    case Errc::ok: return "success";
    case Errc::invalid_arg: return "invalid argument";
    case Errc::no_device: return "no such device";
    case Errc::io: return "I/O error";
    case Errc::bus: return "bus error (the card refused the access)";
    case Errc::protocol: return "protocol error";
    case Errc::timeout: return "timed out";
    case Errc::bad_dtb: return "bad device tree blob";
    case Errc::unsupported: return "operation not supported by this backend";
    case Errc::permission: return "permission denied";
    case Errc::closed: return "connection closed";
    case Errc::no_memory: return "out of memory";
    case Errc::internal: return "internal error";
    case Errc::busy: return "device busy (it serves as many clients as it can)";
    case Errc::full: return "ring full (take completions first)";
    case Errc::refused: return "command refused";
  }
  return "unknown error";
}

struct Error {
  Errc code = Errc::internal;
  std::string message;
};

// The failure half of a Result; converts to Result<T> for every T.
struct Failure {
  Error error;
};

inline Failure fail(Errc code, std::string message) { return Failure{Error{code, std::move(message)}}; }
inline Failure fail(Error e) { return Failure{std::move(e)}; }

namespace detail {
[[noreturn]] inline void bad_result_access(const char* what) noexcept {
  std::fprintf(stderr, "shoal::Result: %s\n", what);
  std::abort();
}
}  // namespace detail

template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::in_place_index<0>, std::move(value)) {}  // NOLINT: implicit
  Result(Failure f) : v_(std::in_place_index<1>, std::move(f.error)) {}  // NOLINT: implicit

  bool ok() const noexcept { return v_.index() == 0; }
  explicit operator bool() const noexcept { return ok(); }

  // Precondition ok(); a violation is a programming error and aborts with a message.
  T& value() & { check(); return std::get<0>(v_); }
  const T& value() const& { check(); return std::get<0>(v_); }
  T&& value() && { check(); return std::get<0>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T value_or(T other) const& { return ok() ? std::get<0>(v_) : std::move(other); }

  // Precondition !ok().
  const Error& error() const& {
    if (ok()) detail::bad_result_access("error() on a successful result");
    return std::get<1>(v_);
  }
  Error&& error() && {
    if (ok()) detail::bad_result_access("error() on a successful result");
    return std::get<1>(std::move(v_));
  }
  Errc code() const noexcept { return ok() ? Errc::ok : std::get<1>(v_).code; }

 private:
  void check() const {
    if (!ok()) detail::bad_result_access(("value() on a failed result: " + std::get<1>(v_).message).c_str());
  }
  std::variant<T, Error> v_;
};

// Result<void>: success carries nothing.
template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Failure f) : err_(std::move(f.error)), failed_(true) {}  // NOLINT: implicit

  bool ok() const noexcept { return !failed_; }
  explicit operator bool() const noexcept { return ok(); }
  const Error& error() const& {
    if (ok()) detail::bad_result_access("error() on a successful result");
    return err_;
  }
  Error&& error() && {
    if (ok()) detail::bad_result_access("error() on a successful result");
    return std::move(err_);
  }
  Errc code() const noexcept { return failed_ ? err_.code : Errc::ok; }

 private:
  Error err_;
  bool failed_ = false;
};

using Status = Result<void>;

}  // namespace shoal

#endif  // SHOAL_RESULT_HPP
