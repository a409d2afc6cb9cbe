// A minimal client of the shoal-sim wire protocol (driver/include/shoal/sim_protocol.h) written
// straight against the socket, for tests that need to misbehave on purpose (half messages,
// garbage, dying mid-request) or to look at the raw replies.
#pragma once

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include "shoal/sim_protocol.h"

namespace shoal::test {

class RawClient {
 public:
  RawClient() = default;
  explicit RawClient(const std::string& path) { connect(path); }
  ~RawClient() { close(); }
  RawClient(const RawClient&) = delete;
  RawClient& operator=(const RawClient&) = delete;

  // Returns 0 or the errno of the failed connect().
  int connect(const std::string& path) {
    close();
    fd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd_ < 0) return errno;
    sockaddr_un a{};
    a.sun_family = AF_UNIX;
    std::strncpy(a.sun_path, path.c_str(), sizeof(a.sun_path) - 1);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
      const int e = errno;
      close();
      return e;
    }
    return 0;
  }
  bool connected() const { return fd_ >= 0; }
  int fd() const { return fd_; }
  void close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

  bool send_bytes(const void* p, size_t n) {
    const auto* b = static_cast<const uint8_t*>(p);
    while (n) {
      const ssize_t w = ::send(fd_, b, n, MSG_NOSIGNAL);
      if (w < 0) {
        if (errno == EINTR) continue;
        return false;
      }
      b += w;
      n -= static_cast<size_t>(w);
    }
    return true;
  }
  bool send(const shoal_sim_msg& m) {
    uint8_t buf[SHOAL_SIM_MSG_SIZE];
    shoal_sim_encode(&m, buf);
    return send_bytes(buf, sizeof buf);
  }

  // Next message from the server, or nothing on timeout/EOF.
  std::optional<shoal_sim_msg> recv(int timeout_ms = 10000) {
    uint8_t buf[SHOAL_SIM_MSG_SIZE];
    size_t got = 0;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    while (got < sizeof buf) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                            deadline - std::chrono::steady_clock::now()).count();
      if (left <= 0) return std::nullopt;
      pollfd p{fd_, POLLIN, 0};
      const int r = ::poll(&p, 1, static_cast<int>(left));
      if (r < 0 && errno == EINTR) continue;
      if (r <= 0) return std::nullopt;
      const ssize_t n = ::recv(fd_, buf + got, sizeof buf - got, 0);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return std::nullopt;
      got += static_cast<size_t>(n);
    }
    shoal_sim_msg m{};
    if (shoal_sim_decode(buf, &m) != 0) return std::nullopt;
    return m;
  }
  // Next message that is not an IRQ (IRQs are kept in irqs()).
  std::optional<shoal_sim_msg> recv_reply(int timeout_ms = 10000) {
    for (;;) {
      auto m = recv(timeout_ms);
      if (!m || m->op != SHOAL_SIM_OP_IRQ) return m;
      irqs_.push_back(*m);
    }
  }
  std::vector<shoal_sim_msg>& irqs() { return irqs_; }

  static shoal_sim_msg msg(uint8_t op, uint8_t size = 0, uint64_t offset = 0, uint64_t data = 0,
                           uint32_t tag = 0) {
    shoal_sim_msg m{};
    m.magic = SHOAL_SIM_PROTO_MAGIC;
    m.op = op;
    m.size = size;
    m.offset = offset;
    m.data = data;
    m.tag = tag;
    return m;
  }

  // HELLO with our version; returns the server's reply.
  std::optional<shoal_sim_msg> hello(uint64_t version = SHOAL_SIM_PROTO_VERSION) {
    if (!send(msg(SHOAL_SIM_OP_HELLO, 0, 0, version, 1))) return std::nullopt;
    return recv_reply();
  }
  // One request/response; std::nullopt on transport failure.
  std::optional<shoal_sim_msg> transact(uint8_t op, uint8_t size, uint64_t offset,
                                        uint64_t data = 0) {
    const uint32_t tag = ++tag_;
    if (!send(msg(op, size, offset, data, tag))) return std::nullopt;
    auto r = recv_reply();
    if (r && r->tag != tag) return std::nullopt;
    return r;
  }
  std::optional<uint64_t> read(uint64_t offset, uint8_t size = 4) {
    auto r = transact(SHOAL_SIM_OP_READ, size, offset);
    if (!r || r->op != SHOAL_SIM_OP_RESP || r->status != SHOAL_SIM_OK) return std::nullopt;
    return r->data;
  }
  bool write(uint64_t offset, uint64_t data, uint8_t size = 4) {
    auto r = transact(SHOAL_SIM_OP_WRITE, size, offset, data);
    return r && r->op == SHOAL_SIM_OP_RESP && r->status == SHOAL_SIM_OK;
  }
  // True when the server has closed the connection (EOF) within the timeout.
  bool wait_closed(int timeout_ms = 10000) {
    for (;;) {
      pollfd p{fd_, POLLIN, 0};
      const int r = ::poll(&p, 1, timeout_ms);
      if (r <= 0) return false;
      uint8_t b[64];
      const ssize_t n = ::recv(fd_, b, sizeof b, 0);
      if (n <= 0) return true;
    }
  }

 private:
  int fd_ = -1;
  uint32_t tag_ = 100;
  std::vector<shoal_sim_msg> irqs_;
};

}  // namespace shoal::test
