// The socket side of shoal-sim: a UNIX stream listener and one I/O thread (epoll) that accepts
// clients, assembles their fixed-size messages, answers HELLO/BYE itself, hands READ/WRITE (and
// anything malformed) to the SimCore in arrival order and writes responses and interrupt
// messages back. Client sockets are non-blocking and written with MSG_NOSIGNAL, so a client that
// dies or stops reading can never block or kill the server; it is simply dropped.
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <sys/types.h>
#include <sys/un.h>
#include <thread>
#include <unordered_map>
#include <vector>

#include "sim_core.hpp"

namespace shoal::sim {

// A file descriptor that closes itself.
class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  UniqueFd(UniqueFd&& o) noexcept : fd_(o.release()) {}
  UniqueFd& operator=(UniqueFd&& o) noexcept;
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  ~UniqueFd() { reset(); }
  int get() const { return fd_; }
  int release() { int f = fd_; fd_ = -1; return f; }
  void reset(int fd = -1);
  explicit operator bool() const { return fd_ >= 0; }

 private:
  int fd_ = -1;
};

// Thrown when the socket cannot be set up; what() is a complete user-facing sentence.
class SetupError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Who may connect: the socket file's mode and group (the umask plays no part).
struct SocketAccess {
  unsigned mode = 0600;  // permission bits of the socket file; must include 0600 (the owner)
  std::string group;     // "" = the creating user's group; else a group name or number
};

// Parses "0660" / "660" / "0o660" (octal permission bits); nullopt if not a mode of 0..0777.
std::optional<unsigned> parse_socket_mode(const std::string& text);

// A listening UNIX socket bound at `path`. The path is owned through an flock(LOCK_EX) on the
// lock file `path`.lock, held for the listener's lifetime, so at most one server ever checks,
// replaces and binds the path at a time: of several servers started at once on one path,
// exactly one listens and the others fail with SetupError. Then: a stale socket left by a
// crashed run (nobody accepts on it: connect() fails with ECONNREFUSED) is replaced; a live
// server on the path or a file that is not a socket is refused with SetupError and nothing is
// deleted. The socket is created with access.mode (default 0600) and access.group before
// anybody can connect. The destructor removes the socket file if it is still the one this
// object created, and the lock file.
class Listener {
 public:
  explicit Listener(const std::string& path, bool* replaced_stale = nullptr,
                    const SocketAccess& access = SocketAccess{});
  ~Listener();
  Listener(const Listener&) = delete;
  Listener& operator=(const Listener&) = delete;
  int fd() const { return fd_.get(); }
  const std::string& path() const { return path_; }

 private:
  void bind_locked(const sockaddr_un& addr, const SocketAccess& access, gid_t gid, bool* replaced_stale);

  std::string path_;
  std::string lock_path_;
  UniqueFd lock_;
  UniqueFd fd_;
  dev_t dev_ = 0;
  ino_t ino_ = 0;
};

struct IoStats {
  uint64_t clients_accepted = 0;
  uint64_t clients_dropped = 0;  // died, misbehaved or stopped reading
  uint64_t clients_refused = 0;  // told SERVER_FULL (max_clients already connected)
  uint64_t clients_desynced = 0; // closed with BYE BAD_MAGIC: their stream lost sync
  uint64_t messages_in = 0;
  uint64_t messages_out = 0;
};

class IoServer final : public OutgoingSink {
 public:
  struct Options {
    bool verbose = true;                  // log connects/disconnects to stderr
    size_t max_clients = 256;
    size_t max_outstanding = 64;          // per client; beyond this, stop reading from it
    size_t max_pending_out = 1u << 20;    // bytes buffered for a client that is not reading
  };
  IoServer(Listener& listener, SimCore& core, uint32_t bar0_size, Options opts);
  IoServer(Listener& listener, SimCore& core, uint32_t bar0_size)
      : IoServer(listener, core, bar0_size, Options{}) {}
  ~IoServer() override;
  IoServer(const IoServer&) = delete;
  IoServer& operator=(const IoServer&) = delete;

  void start();  // spawns the I/O thread
  void stop();   // asks it to finish and joins; closes every client
  // Async-signal-safe: wakes the I/O thread (used by the signal handler after a stop request).
  void wake() noexcept;

  void deliver(std::vector<Outgoing>& batch) override;  // sim thread
  IoStats stats() const;

 private:
  struct Client {
    UniqueFd fd;
    uint8_t in[SHOAL_SIM_MSG_SIZE];
    size_t in_len = 0;
    std::string out;  // bytes not yet accepted by the socket
    bool hello = false;
    bool close_after_flush = false;
    bool reading = true;
    bool want_out = false;
    size_t outstanding = 0;
    uint32_t bye_reason = 0;  // != 0: send BYE with this reason once nothing is outstanding, then close
    bool full = false;        // over the limit: its first message gets SERVER_FULL, then it is closed
  };
  static constexpr size_t kMaxRefusing = 64;  // clients waiting to be told SERVER_FULL
  size_t refusing_ = 0;                       // clients_ with full set

  void loop();
  void accept_clients();
  void on_readable(ClientId id, Client& c);
  void on_writable(ClientId id, Client& c);
  bool send_msg_ok(ClientId id, Client& c, const shoal_sim_msg& m);  // false: client dropped
  void update_events(ClientId id, Client& c);
  void drop(ClientId id, const char* why);
  void refuse_full(UniqueFd fd);
  void maybe_say_bye(ClientId id, Client& c);
  void drain_outgoing();

  Listener& listener_;
  SimCore& core_;
  uint32_t bar0_size_;
  Options opts_;
  UniqueFd epoll_;
  UniqueFd wake_;  // eventfd
  std::thread thread_;
  std::atomic<bool> quit_{false};

  std::unordered_map<ClientId, Client> clients_;  // I/O thread only
  ClientId next_id_ = 16;                          // ids below 16 tag the listener and eventfd
  std::vector<Request> to_core_;

  std::mutex out_mu_;
  std::vector<Outgoing> out_q_;  // guarded by out_mu_
  std::vector<Outgoing> out_work_;

  mutable std::mutex stats_mu_;
  IoStats stats_;
};

}  // namespace shoal::sim
