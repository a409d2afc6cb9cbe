// sim: backend — a client of shoal-sim speaking the fixed-size message protocol of
// shoal/sim_protocol.h over a UNIX stream socket. Every wait is bounded by a timeout, so a
// dead or wedged server is an error, never a hang. IRQ messages that arrive while a request
// waits for its RESP are queued and handed out by wait_for_interrupt().
#include <fcntl.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <optional>
#include <utility>

#include "shoal/bar_access.hpp"
#include "shoal/driver/transport.hpp"
#include "shoal/regs.hpp"
#include "shoal/sim_protocol.h"

namespace shoal::driver {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

const char* op_name(unsigned op) {
  switch (op) {
    case SHOAL_SIM_OP_HELLO: return "HELLO";
    case SHOAL_SIM_OP_READ: return "READ";
    case SHOAL_SIM_OP_WRITE: return "WRITE";
    case SHOAL_SIM_OP_RESP: return "RESP";
    case SHOAL_SIM_OP_IRQ: return "IRQ";
    case SHOAL_SIM_OP_BYE: return "BYE";
    default: return "unknown";
  }
}

class SimTransport final : public Transport {
 public:
  SimTransport(int fd, std::string path, milliseconds timeout)
      : fd_(fd), path_(std::move(path)), timeout_(timeout), wake_(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) {}
  ~SimTransport() override {
    close();
    if (wake_ >= 0) ::close(wake_);
  }

  Status handshake(std::uint64_t min_bar) {
    std::lock_guard lock(mu_);
    shoal_sim_msg m{};
    m.magic = SHOAL_SIM_PROTO_MAGIC;
    m.op = SHOAL_SIM_OP_HELLO;
    m.data = SHOAL_SIM_PROTO_VERSION;
    // A server that refuses us (full) answers at once and closes; if that makes our HELLO fail,
    // its answer is still waiting in the socket: read it rather than report the failed send.
    const bool sent = send_raw(m);
    const auto deadline = Clock::now() + (sent ? timeout_ : milliseconds(200));
    for (;;) {
      auto r = recv_msg(deadline, "waiting for the HELLO reply");
      if (!r) {
        if (!sent) return broken(Errc::closed, "shoal-sim at " + path_ + " closed the connection before HELLO");
        return fail(std::move(r).error());
      }
      if (r->op == SHOAL_SIM_OP_IRQ) {
        irq_pending_ |= static_cast<std::uint32_t>(r->data);
        continue;
      }
      if (r->op == SHOAL_SIM_OP_BYE) return server_bye(*r, "before answering HELLO");
      if (r->op != SHOAL_SIM_OP_HELLO) {
        return broken(Errc::protocol, "shoal-sim at " + path_ + " answered HELLO with a " + op_name(r->op) + " message");
      }
      if (r->status == SHOAL_SIM_SERVER_FULL) {
        return broken(Errc::busy, "shoal-sim at " + path_ + " is full: it serves at most " + std::to_string(r->offset) +
                                      " clients at once and all are connected; close one or try again later");
      }
      if (r->status == SHOAL_SIM_BAD_VERSION) {
        return broken(Errc::protocol, "shoal-sim at " + path_ + " speaks protocol version " + std::to_string(r->data) +
                                          ", this client speaks " + std::to_string(SHOAL_SIM_PROTO_VERSION));
      }
      if (r->status != SHOAL_SIM_OK) {
        return broken(Errc::protocol, "shoal-sim at " + path_ + " refused HELLO with status " + std::to_string(r->status) +
                                          ": " + shoal_sim_reason_text(r->reason));
      }
      bar_size_ = r->offset;
      if (bar_size_ < min_bar) {
        return fail(Errc::no_device, "shoal-sim at " + path_ + " offers a BAR0 of " + hex(bar_size_) +
                                         " bytes, smaller than the card's " + hex(min_bar));
      }
      return {};
    }
  }

  Result<std::uint32_t> read32(std::uint64_t off) override {
    auto r = transact(SHOAL_SIM_OP_READ, 4, off, 0, "read32");
    if (!r) return fail(std::move(r).error());
    return static_cast<std::uint32_t>(*r);
  }
  Result<std::uint64_t> read64(std::uint64_t off) override { return transact(SHOAL_SIM_OP_READ, 8, off, 0, "read64"); }
  Status write32(std::uint64_t off, std::uint32_t v) override {
    auto r = transact(SHOAL_SIM_OP_WRITE, 4, off, v, "write32");
    if (!r) return fail(std::move(r).error());
    return {};
  }
  Status write64(std::uint64_t off, std::uint64_t v) override {
    auto r = transact(SHOAL_SIM_OP_WRITE, 8, off, v, "write64");
    if (!r) return fail(std::move(r).error());
    return {};
  }

  Result<std::uint32_t> wait_for_interrupt(milliseconds timeout) override {
    const auto deadline = Clock::now() + (timeout.count() < 0 ? milliseconds(0) : timeout);
    // The lock is held only to read what already arrived: the wait itself (poll on the socket
    // and on wake_, which a request that met an IRQ message writes) runs without it, so other
    // threads' MMIO never waits behind a thread waiting for an interrupt.
    for (;;) {
      int fd = -1;
      {
        std::lock_guard lock(mu_);
        if (fd_ < 0) return fail(Errc::closed, dead_reason());
        for (;;) {
          if (irq_pending_ != 0) return std::exchange(irq_pending_, 0u);
          auto r = recv_msg(Clock::now(), "waiting for an interrupt", /*timeout_is_error=*/false);
          if (!r) return fail(std::move(r).error());
          if (r->magic == 0) break;  // nothing (whole) arrived
          if (r->op == SHOAL_SIM_OP_IRQ) {
            irq_pending_ |= static_cast<std::uint32_t>(r->data);
          } else if (r->op == SHOAL_SIM_OP_BYE) {
            return server_bye(*r, "while waiting for an interrupt");
          } else {
            return broken(Errc::protocol, std::string("unexpected ") + op_name(r->op) + " message from shoal-sim at " +
                                              path_ + " while no request was outstanding");
          }
        }
        fd = fd_;
      }
      const auto now = Clock::now();
      if (now >= deadline) break;
      const auto slice = std::min<long long>(20, std::chrono::ceil<milliseconds>(deadline - now).count());
      pollfd p[2] = {{fd, POLLIN, 0}, {wake_, POLLIN, 0}};
      if (::poll(p, 2, static_cast<int>(slice)) > 0 && (p[1].revents & POLLIN)) {
        std::uint64_t v;
        ssize_t n = ::read(wake_, &v, sizeof v);
        (void)n;
      }
    }
    return fail(Errc::timeout, "no interrupt from " + describe() + " within " + std::to_string(timeout.count()) + " ms");
  }

  void close() override {
    std::lock_guard lock(mu_);
    if (fd_ < 0) return;
    shoal_sim_msg m{};
    m.magic = SHOAL_SIM_PROTO_MAGIC;
    m.op = SHOAL_SIM_OP_BYE;
    std::uint8_t buf[SHOAL_SIM_MSG_SIZE];
    shoal_sim_encode(&m, buf);
    (void)::send(fd_, buf, sizeof buf, MSG_NOSIGNAL | MSG_DONTWAIT);  // best effort
    ::close(fd_);
    fd_ = -1;
    if (dead_.empty()) dead_ = "the connection to shoal-sim at " + path_ + " is closed";
  }

  std::string describe() const override { return "sim:" + path_; }
  std::uint64_t bar_size() const override { return bar_size_; }

 private:
  std::string dead_reason() const { return dead_.empty() ? "connection to shoal-sim at " + path_ + " is closed" : dead_; }

  // Marks the connection unusable (after the stream lost sync or the server went away).
  Failure broken(Errc code, std::string msg) {
    if (fd_ >= 0) {
      ::close(fd_);
      fd_ = -1;
    }
    dead_ = msg;
    return fail(code, std::move(msg));
  }

  // The server said BYE: it closes the connection, with a reason.
  Failure server_bye(const shoal_sim_msg& m, const std::string& when) {
    const Errc code = m.reason == SHOAL_SIM_REASON_SHUTDOWN ? Errc::closed : Errc::protocol;
    return broken(code, "shoal-sim at " + path_ + " closed the connection " + when + ": " +
                            shoal_sim_reason_text(m.reason));
  }

  // A BYE the server left in the socket before it closed, if any (does not wait).
  std::optional<shoal_sim_msg> pending_bye() {
    for (;;) {
      const ssize_t n = ::recv(fd_, rx_ + fill_, sizeof rx_ - fill_, MSG_DONTWAIT);
      if (n <= 0) return std::nullopt;
      fill_ += static_cast<std::size_t>(n);
      if (fill_ < sizeof rx_) continue;
      fill_ = 0;
      shoal_sim_msg m{};
      if (shoal_sim_decode(rx_, &m) != 0) return std::nullopt;
      if (m.op == SHOAL_SIM_OP_BYE) return m;
      // an IRQ or an answer that came before it: keep looking
      if (m.op == SHOAL_SIM_OP_IRQ) irq_pending_ |= static_cast<std::uint32_t>(m.data);
    }
  }

  // One attempt to send a whole message; false if the socket refused it.
  bool send_raw(const shoal_sim_msg& m) {
    std::uint8_t buf[SHOAL_SIM_MSG_SIZE];
    shoal_sim_encode(&m, buf);
    return ::send(fd_, buf, sizeof buf, MSG_NOSIGNAL | MSG_DONTWAIT) == static_cast<ssize_t>(sizeof buf);
  }

  Status send_msg(const shoal_sim_msg& m, const char* what) {
    std::uint8_t buf[SHOAL_SIM_MSG_SIZE];
    shoal_sim_encode(&m, buf);
    std::size_t done = 0;
    const auto deadline = Clock::now() + timeout_;
    while (done < sizeof buf) {
      const ssize_t n = ::send(fd_, buf + done, sizeof buf - done, MSG_NOSIGNAL | MSG_DONTWAIT);
      if (n > 0) {
        done += static_cast<std::size_t>(n);
        continue;
      }
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
        const auto now = Clock::now();
        if (now >= deadline) return broken(Errc::timeout, std::string("timed out sending ") + what + " to shoal-sim at " + path_);
        pollfd p{fd_, POLLOUT, 0};
        (void)::poll(&p, 1, static_cast<int>(std::chrono::duration_cast<milliseconds>(deadline - now).count()) + 1);
        continue;
      }
      const int e = errno;
      // The server may have said why before it closed (BYE): that is the better message.
      if (auto bye = pending_bye()) return server_bye(*bye, std::string("before ") + what);
      return broken(Errc::closed, std::string("shoal-sim at ") + path_ + " went away while sending " + what + " (" +
                                           std::strerror(e) + ")");
    }
    return {};
  }

  // Receives one whole message before `deadline`. With timeout_is_error false, a timeout
  // returns a message with magic 0 instead of an error.
  Result<shoal_sim_msg> recv_msg(Clock::time_point deadline, const std::string& what, bool timeout_is_error = true) {
    for (;;) {
      if (fill_ == sizeof rx_) {
        shoal_sim_msg m{};
        const bool good = shoal_sim_decode(rx_, &m) == 0;
        fill_ = 0;
        if (!good) return broken(Errc::protocol, "shoal-sim at " + path_ + " sent a message without the protocol magic");
        return m;
      }
      // Always poll at least once (with a zero wait once the deadline has passed), so data that
      // already arrived is never reported as a timeout.
      const auto now = Clock::now();
      const auto wait_ms = now >= deadline ? 0 : std::chrono::ceil<milliseconds>(deadline - now).count();
      pollfd p{fd_, POLLIN, 0};
      const int pr = ::poll(&p, 1, static_cast<int>(wait_ms));
      if (pr < 0) {
        if (errno == EINTR) continue;
        const int e = errno;
        return broken(Errc::io, "poll on the shoal-sim socket " + path_ + " failed: " + std::strerror(e));
      }
      if (pr == 0) {
        if (Clock::now() < deadline) continue;
        if (!timeout_is_error) return shoal_sim_msg{};
        return broken(Errc::timeout, "shoal-sim at " + path_ + " did not answer within " +
                                         std::to_string(timeout_.count()) + " ms (" + what + ")");
      }
      const ssize_t n = ::recv(fd_, rx_ + fill_, sizeof rx_ - fill_, MSG_DONTWAIT);
      if (n > 0) {
        fill_ += static_cast<std::size_t>(n);
        continue;
      }
      if (n < 0 && (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK)) continue;
      const std::string why = n == 0 ? std::string("closed the connection") : std::string("reset the connection (") + std::strerror(errno) + ")";
      return broken(Errc::closed, "shoal-sim at " + path_ + " " + why + " while " + what);
    }
  }

  Result<std::uint64_t> transact(std::uint8_t op, std::uint8_t size, std::uint64_t off, std::uint64_t data, const char* what) {
    std::lock_guard lock(mu_);
    if (fd_ < 0) return fail(Errc::closed, dead_reason());
    if (auto s = check_access(off, size, bar_size_, what); !s) return fail(std::move(s).error());
    shoal_sim_msg m{};
    m.magic = SHOAL_SIM_PROTO_MAGIC;
    m.op = op;
    m.size = size;
    m.tag = ++tag_;
    m.offset = off;
    m.data = data;
    const std::string where = std::string(what) + " at " + hex(off);
    if (auto s = send_msg(m, what); !s) return fail(std::move(s).error());
    const auto deadline = Clock::now() + timeout_;
    for (;;) {
      auto r = recv_msg(deadline, where);
      if (!r) return fail(std::move(r).error());
      if (r->op == SHOAL_SIM_OP_IRQ) {
        irq_pending_ |= static_cast<std::uint32_t>(r->data);
        const std::uint64_t one = 1;  // a thread may be waiting for it (wait_for_interrupt)
        ssize_t n = ::write(wake_, &one, sizeof one);
        (void)n;
        continue;
      }
      if (r->op == SHOAL_SIM_OP_BYE) return server_bye(*r, "instead of answering " + where);
      if (r->op != SHOAL_SIM_OP_RESP) {
        return broken(Errc::protocol, std::string("shoal-sim at ") + path_ + " sent " + op_name(r->op) +
                                               " instead of RESP to " + where);
      }
      if (r->tag != m.tag) {
        return broken(Errc::protocol, "shoal-sim at " + path_ + " answered " + where + " with tag " +
                                               std::to_string(r->tag) + ", expected " + std::to_string(m.tag));
      }
      switch (r->status) {
        case SHOAL_SIM_OK: return op == SHOAL_SIM_OP_READ ? r->data : 0;
        case SHOAL_SIM_BUS_ERROR:
          if (r->reason == SHOAL_SIM_REASON_WIDE_SPLIT) {
            return fail(Errc::bus, "refused " + where + ", nothing changed: " +
                                       shoal::bar::wide_refusal(off, op == SHOAL_SIM_OP_WRITE));
          }
          return fail(Errc::bus, "the card refused " + where + " (bus error: " + shoal_sim_reason_text(r->reason) + ")");
        case SHOAL_SIM_BAD_REQUEST:
          return fail(Errc::protocol, "shoal-sim rejected " + where + " as a malformed request: " +
                                          shoal_sim_reason_text(r->reason));
        default:
          return fail(Errc::protocol, "shoal-sim answered " + where + " with unknown status " + std::to_string(r->status));
      }
    }
  }

  std::mutex mu_;
  int fd_;
  std::string path_;
  milliseconds timeout_;
  std::uint64_t bar_size_ = 0;
  std::uint32_t tag_ = 0;
  std::uint32_t irq_pending_ = 0;
  std::uint8_t rx_[SHOAL_SIM_MSG_SIZE]{};
  std::size_t fill_ = 0;
  std::string dead_;
  int wake_ = -1;  // eventfd: an IRQ message was taken by a request (see wait_for_interrupt)
};

milliseconds default_timeout(const TransportOptions& opts) {
  if (opts.sim_timeout.count() > 0) return opts.sim_timeout;
  if (const char* env = std::getenv("SHOAL_SIM_TIMEOUT_MS"); env != nullptr && *env != '\0') {
    char* end = nullptr;
    const long v = std::strtol(env, &end, 10);
    if (end != env && *end == '\0' && v > 0) return milliseconds(v);
  }
  return milliseconds(5000);
}

}  // namespace

Result<std::vector<DeviceEntry>> list_sim(const std::string& dir) {
  std::vector<DeviceEntry> out;
  std::error_code ec;
  namespace fs = std::filesystem;
  if (!fs::is_directory(dir, ec)) return out;
  fs::directory_iterator it(dir, ec);
  if (ec) {
    const Errc code = (ec.value() == EACCES || ec.value() == EPERM) ? Errc::permission : Errc::io;
    return fail(code, "cannot list the simulators' runtime directory " + dir + ": " + ec.message());
  }
  for (; it != fs::directory_iterator(); it.increment(ec)) {
    if (ec) break;
    struct stat st {};
    if (::lstat(it->path().c_str(), &st) != 0 || !S_ISSOCK(st.st_mode)) continue;
    DeviceEntry e;
    e.kind = DeviceEntry::Kind::sim;
    e.path = it->path().string();
    e.uri = "sim:" + e.path;
    out.push_back(std::move(e));
  }
  std::sort(out.begin(), out.end(), [](const DeviceEntry& a, const DeviceEntry& b) { return a.path < b.path; });
  return out;
}

Result<std::unique_ptr<Transport>> open_sim(std::string_view path_view, const TransportOptions& opts) {
  const std::string path(path_view);
  if (path.empty()) return fail(Errc::invalid_arg, "sim: URI needs a socket path, e.g. sim:/tmp/shoal.sock");
  sockaddr_un addr{};
  if (path.size() >= sizeof addr.sun_path) {
    return fail(Errc::invalid_arg, "sim: socket path '" + path + "' is longer than " +
                                       std::to_string(sizeof addr.sun_path - 1) + " bytes (UNIX socket limit)");
  }
  addr.sun_family = AF_UNIX;
  std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);

  const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return fail(Errc::io, std::string("cannot create a UNIX socket: ") + std::strerror(errno));
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0) {
    const int e = errno;
    ::close(fd);
    switch (e) {
      case ENOENT:
        return fail(Errc::no_device, "no shoal-sim socket at " + path + " (is shoal-sim running with that socket?)");
      case ECONNREFUSED: {
        // connect() says the same for a regular file or a directory: tell them apart
        struct stat st {};
        if (::stat(path.c_str(), &st) == 0 && !S_ISSOCK(st.st_mode)) {
          return fail(Errc::no_device, path + " is " + (S_ISDIR(st.st_mode) ? "a directory" : S_ISREG(st.st_mode) ? "a regular file" : "not a socket") +
                                           ", not a shoal-sim socket (sim: takes the socket path shoal-sim --socket listens on)");
        }
        return fail(Errc::no_device, "nothing is listening on " + path + " (stale socket from a stopped shoal-sim?)");
      }
      case EACCES:
      case EPERM: return fail(Errc::permission, "permission denied connecting to " + path);
      case ENOTSOCK: return fail(Errc::no_device, path + " is not a socket");
      default: return fail(Errc::io, "cannot connect to " + path + ": " + std::strerror(e));
    }
  }
  auto t = std::make_unique<SimTransport>(fd, path, default_timeout(opts));
  const std::uint64_t min_bar = opts.min_bar_size != 0 ? opts.min_bar_size : shoal::regs::kBar0Size;
  if (auto s = t->handshake(min_bar); !s) return fail(std::move(s).error());
  return std::unique_ptr<Transport>(std::move(t));
}

}  // namespace shoal::driver
