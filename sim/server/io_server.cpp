#include "io_server.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <grp.h>
#include <sys/epoll.h>
#include <sys/file.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "shoal/sim_socket.hpp"

namespace shoal::sim {

namespace {

constexpr uint64_t kListenerTag = 1;
constexpr uint64_t kWakeTag = 2;

std::string errno_text(int e) { return std::strerror(e); }

sockaddr_un make_addr(const std::string& path) {
  sockaddr_un a{};
  a.sun_family = AF_UNIX;
  if (path.empty())
    throw SetupError("the socket path is empty");
  if (path.size() >= sizeof(a.sun_path))
    throw SetupError("socket path '" + path + "' is too long for a UNIX socket (" +
                     std::to_string(path.size()) + " bytes; the limit is " +
                     std::to_string(sizeof(a.sun_path) - 1) + ")");
  std::memcpy(a.sun_path, path.c_str(), path.size() + 1);
  return a;
}

}  // namespace

UniqueFd& UniqueFd::operator=(UniqueFd&& o) noexcept {
  if (this != &o) reset(o.release());
  return *this;
}

void UniqueFd::reset(int fd) {
  if (fd_ >= 0) ::close(fd_);
  fd_ = fd;
}

// ---- Listener ----------------------------------------------------------------------------

std::optional<unsigned> parse_socket_mode(const std::string& text) {
  std::string t = text;
  if (t.rfind("0o", 0) == 0 || t.rfind("0O", 0) == 0) t = t.substr(2);
  if (t.empty() || t.size() > 4) return std::nullopt;
  unsigned v = 0;
  for (char ch : t) {
    if (ch < '0' || ch > '7') return std::nullopt;
    v = v * 8 + static_cast<unsigned>(ch - '0');
  }
  if (v > 0777) return std::nullopt;
  return v;
}

namespace {

gid_t resolve_group(const std::string& g) {
  if (!g.empty() && g.find_first_not_of("0123456789") == std::string::npos)
    return static_cast<gid_t>(std::stoul(g));
  struct group gr{};
  struct group* res = nullptr;
  std::string buf(16384, '\0');
  if (::getgrnam_r(g.c_str(), &gr, buf.data(), buf.size(), &res) != 0 || res == nullptr)
    throw SetupError("--socket-group '" + g + "': no such group");
  return res->gr_gid;
}

}  // namespace

Listener::Listener(const std::string& path, bool* replaced_stale, const SocketAccess& access)
    : path_(path), lock_path_(shoal::sim_socket::lock_path(path)) {
  if (replaced_stale) *replaced_stale = false;
  const sockaddr_un addr = make_addr(path);
  if ((access.mode & ~0777u) != 0)
    throw SetupError("socket mode " + std::to_string(access.mode) + " is not a permission mode (0..0777)");
  if ((access.mode & 0600u) != 0600u)
    throw SetupError("a socket mode without 0600 would lock out the server's own user; give the owner read and write");
  const gid_t gid = access.group.empty() ? static_cast<gid_t>(-1) : resolve_group(access.group);

  // Own the path: an exclusive flock on the lock file beside it, for our whole lifetime. The
  // check, the removal of a stale socket and the bind below happen under it, so two servers
  // started at once can never both bind (one of them would remove the other's fresh socket).
  for (int attempt = 0;; ++attempt) {
    UniqueFd lk(::open(lock_path_.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600));
    if (!lk) throw SetupError("cannot open the lock file '" + lock_path_ + "': " + errno_text(errno));
    if (::flock(lk.get(), LOCK_EX | LOCK_NB) != 0) {
      const int e = errno;
      if (e == EWOULDBLOCK)
        throw SetupError("another server is already listening on '" + path + "' (or starting on it: it holds '" +
                         lock_path_ + "'); stop it first or choose another --socket path");
      throw SetupError("cannot lock '" + lock_path_ + "': " + errno_text(e));
    }
    // A server that just stopped removes its lock file: make sure we hold the file that is at
    // the path now, not one it unlinked after we opened it.
    struct stat held{}, now{};
    if (::fstat(lk.get(), &held) == 0 && ::stat(lock_path_.c_str(), &now) == 0 && held.st_dev == now.st_dev &&
        held.st_ino == now.st_ino) {
      lock_ = std::move(lk);
      break;
    }
    if (attempt >= 16) throw SetupError("the lock file '" + lock_path_ + "' keeps changing; giving up");
  }

  try {
    bind_locked(addr, access, gid, replaced_stale);
  } catch (...) {
    ::unlink(lock_path_.c_str());  // ours: we hold it
    throw;
  }
}

void Listener::bind_locked(const sockaddr_un& addr, const SocketAccess& access, gid_t gid, bool* replaced_stale) {
  const std::string& path = path_;
  struct stat st{};
  if (::lstat(path.c_str(), &st) == 0) {
    if (!S_ISSOCK(st.st_mode))
      throw SetupError("'" + path + "' exists and is not a socket; refusing to replace it");
    UniqueFd probe(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (!probe) throw SetupError("socket(): " + errno_text(errno));
    if (::connect(probe.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof addr) == 0)
      throw SetupError("another server is already listening on '" + path +
                       "'; stop it first or choose another --socket path");
    const int e = errno;
    if (e != ECONNREFUSED)
      throw SetupError("cannot check the existing socket '" + path + "': " + errno_text(e));
    // Nobody accepts on it: a stale socket from a run that did not clean up.
    if (::unlink(path.c_str()) != 0 && errno != ENOENT)
      throw SetupError("cannot remove the stale socket '" + path + "': " + errno_text(errno));
    if (replaced_stale) *replaced_stale = true;
  } else if (errno != ENOENT) {
    throw SetupError("cannot inspect '" + path + "': " + errno_text(errno));
  }

  fd_.reset(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
  if (!fd_) throw SetupError("socket(): " + errno_text(errno));
  if (::bind(fd_.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0) {
    const int e = errno;
    if (e == EADDRINUSE)
      throw SetupError("'" + path + "' appeared while starting (a server that does not take the lock?); not touching it");
    throw SetupError("cannot bind '" + path + "': " + errno_text(e));
  }
  if (::stat(path.c_str(), &st) == 0) {
    dev_ = st.st_dev;
    ino_ = st.st_ino;
  }
  // Who may connect is set before anybody can (connect() is refused until listen()).
  auto undo = [&](const std::string& msg) {
    const int e = errno;
    ::unlink(path.c_str());
    throw SetupError(msg + ": " + errno_text(e));
  };
  if (gid != static_cast<gid_t>(-1) && ::chown(path.c_str(), static_cast<uid_t>(-1), gid) != 0)
    undo("cannot give '" + path + "' to group '" + access.group + "' (is this user a member?)");
  if (::chmod(path.c_str(), access.mode) != 0) undo("cannot set the mode of '" + path + "'");
  if (::listen(fd_.get(), 64) != 0) undo("listen() on '" + path + "'");
}

Listener::~Listener() {
  fd_.reset();
  struct stat st{};
  // Remove the socket only if it is still ours (not replaced by somebody else meanwhile).
  if (::lstat(path_.c_str(), &st) == 0 && S_ISSOCK(st.st_mode) && st.st_dev == dev_ &&
      st.st_ino == ino_)
    ::unlink(path_.c_str());
  // Then the lock file, while still holding it (the next server checks it holds the file at
  // the path, so it never keeps a lock on this unlinked one).
  if (lock_) ::unlink(lock_path_.c_str());
  lock_.reset();
}

// ---- IoServer ----------------------------------------------------------------------------

IoServer::IoServer(Listener& listener, SimCore& core, uint32_t bar0_size, Options opts)
    : listener_(listener), core_(core), bar0_size_(bar0_size), opts_(opts) {
  epoll_.reset(::epoll_create1(EPOLL_CLOEXEC));
  if (!epoll_) throw SetupError("epoll_create1(): " + errno_text(errno));
  wake_.reset(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC));
  if (!wake_) throw SetupError("eventfd(): " + errno_text(errno));
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.u64 = kListenerTag;
  if (::epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, listener_.fd(), &ev) != 0)
    throw SetupError("epoll_ctl(listener): " + errno_text(errno));
  ev.data.u64 = kWakeTag;
  if (::epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, wake_.get(), &ev) != 0)
    throw SetupError("epoll_ctl(eventfd): " + errno_text(errno));
}

IoServer::~IoServer() { stop(); }

void IoServer::start() {
  if (thread_.joinable()) return;
  quit_.store(false);
  thread_ = std::thread([this] { loop(); });
}

void IoServer::stop() {
  if (!thread_.joinable()) return;
  quit_.store(true);
  wake();
  thread_.join();
}

void IoServer::wake() noexcept {
  const uint64_t one = 1;
  ssize_t r = ::write(wake_.get(), &one, sizeof one);
  (void)r;  // EAGAIN means the counter is already non-zero: the thread will wake anyway
}

IoStats IoServer::stats() const {
  std::lock_guard<std::mutex> lk(stats_mu_);
  return stats_;
}

void IoServer::deliver(std::vector<Outgoing>& batch) {
  {
    std::lock_guard<std::mutex> lk(out_mu_);
    if (out_q_.empty())
      out_q_.swap(batch);
    else
      out_q_.insert(out_q_.end(), batch.begin(), batch.end());
  }
  batch.clear();
  wake();
}

void IoServer::loop() {
  epoll_event evs[64];
  while (!quit_.load()) {
    const int n = ::epoll_wait(epoll_.get(), evs, 64, -1);
    if (n < 0) {
      if (errno == EINTR) continue;
      std::fprintf(stderr, "shoal-sim: epoll_wait: %s; stopping\n", std::strerror(errno));
      core_.request_stop();
      break;
    }
    bool accept_pending = false;
    for (int i = 0; i < n; ++i) {
      const uint64_t tag = evs[i].data.u64;
      if (tag == kListenerTag) {
        accept_pending = true;  // after this round's hang-ups have freed their slots
      } else if (tag == kWakeTag) {
        uint64_t cnt;
        while (::read(wake_.get(), &cnt, sizeof cnt) > 0) {
        }
        drain_outgoing();
      } else {
        auto it = clients_.find(tag);
        if (it == clients_.end()) continue;  // dropped earlier in this batch
        const uint32_t e = evs[i].events;
        if (e & EPOLLOUT) {
          on_writable(tag, it->second);
          it = clients_.find(tag);
          if (it == clients_.end()) continue;
        }
        if (e & (EPOLLIN | EPOLLHUP | EPOLLERR)) {
          if (!it->second.reading && (e & (EPOLLHUP | EPOLLERR)))
            drop(tag, "hung up");
          else if (it->second.reading)
            on_readable(tag, it->second);
        }
      }
    }
    if (accept_pending) accept_clients();
    // Hand this round's requests over in one go (one lock, one flag store).
    core_.submit(to_core_);
  }
  // Tell every client why the connection ends (best effort: a client not reading misses it).
  shoal_sim_msg bye{};
  bye.magic = SHOAL_SIM_PROTO_MAGIC;
  bye.op = SHOAL_SIM_OP_BYE;
  bye.reason = SHOAL_SIM_REASON_SHUTDOWN;
  uint8_t buf[SHOAL_SIM_MSG_SIZE];
  shoal_sim_encode(&bye, buf);
  for (auto& [id, c] : clients_) {
    if (c.hello && c.out.empty()) (void)::send(c.fd.get(), buf, sizeof buf, MSG_NOSIGNAL | MSG_DONTWAIT);
  }
  clients_.clear();
}

// A client over the limit when kMaxRefusing others already wait to be told: told SERVER_FULL at
// once (an unsolicited HELLO reply, which is what its own HELLO would get) and closed. Its socket
// is new and empty, so the 32 bytes go out at once; the driver reads them even when its HELLO
// could no longer be sent.
void IoServer::refuse_full(UniqueFd fd) {
  shoal_sim_msg rep{};
  rep.magic = SHOAL_SIM_PROTO_MAGIC;
  rep.op = SHOAL_SIM_OP_HELLO;
  rep.status = SHOAL_SIM_SERVER_FULL;
  rep.reason = SHOAL_SIM_REASON_FULL;
  rep.data = SHOAL_SIM_PROTO_VERSION;
  rep.offset = opts_.max_clients;
  uint8_t buf[SHOAL_SIM_MSG_SIZE];
  shoal_sim_encode(&rep, buf);
  (void)::send(fd.get(), buf, sizeof buf, MSG_NOSIGNAL | MSG_DONTWAIT);
  // Read what the client already sent (its HELLO): closing a UNIX socket with unread data
  // would turn the client's next read into ECONNRESET instead of this reply.
  uint8_t junk[256];
  while (::recv(fd.get(), junk, sizeof junk, MSG_DONTWAIT) > 0) {
  }
  ::shutdown(fd.get(), SHUT_RDWR);
  {
    std::lock_guard<std::mutex> lk(stats_mu_);
    ++stats_.clients_refused;
  }
  if (opts_.verbose)
    std::fprintf(stderr, "shoal-sim: refusing a client: %zu already connected (the limit)\n",
                 clients_.size());
}

// A client whose stream lost sync gets BYE {BAD_REQUEST, reason} once the requests it sent before
// are answered, and is closed after that.
void IoServer::maybe_say_bye(ClientId id, Client& c) {
  if (c.bye_reason == 0 || c.outstanding != 0 || c.close_after_flush) return;
  shoal_sim_msg bye{};
  bye.magic = SHOAL_SIM_PROTO_MAGIC;
  bye.op = SHOAL_SIM_OP_BYE;
  bye.status = SHOAL_SIM_BAD_REQUEST;
  bye.reason = c.bye_reason;
  c.close_after_flush = true;
  if (!send_msg_ok(id, c, bye)) return;
  if (c.out.empty())
    drop(id, "lost message sync (sent bytes without the protocol magic); told so and closed");
  else
    update_events(id, c);
}

void IoServer::accept_clients() {
  for (;;) {
    UniqueFd fd(::accept4(listener_.fd(), nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC));
    if (!fd) {
      if (errno == EINTR) continue;
      if (errno != EAGAIN && errno != EWOULDBLOCK && errno != ECONNABORTED)
        std::fprintf(stderr, "shoal-sim: accept: %s\n", std::strerror(errno));
      return;
    }
    const bool full = clients_.size() - refusing_ >= opts_.max_clients;
    if (full && refusing_ >= kMaxRefusing) {
      refuse_full(std::move(fd));  // too many waiting to be told: tell at once
      continue;
    }
    const ClientId id = next_id_++;
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.u64 = id;
    if (::epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, fd.get(), &ev) != 0) {
      std::fprintf(stderr, "shoal-sim: epoll_ctl(client): %s\n", std::strerror(errno));
      continue;
    }
    Client& c = clients_[id];
    c.fd = std::move(fd);
    if (full) {
      // its HELLO gets SERVER_FULL (on_readable), then it is closed
      c.full = true;
      ++refusing_;
      continue;
    }
    {
      std::lock_guard<std::mutex> lk(stats_mu_);
      ++stats_.clients_accepted;
    }
    if (opts_.verbose)
      std::fprintf(stderr, "shoal-sim: client %llu connected (%zu connected)\n",
                   static_cast<unsigned long long>(id - 15), clients_.size());
  }
}

void IoServer::on_readable(ClientId id, Client& c) {
  uint8_t buf[4096];
  const ssize_t n = ::recv(c.fd.get(), buf, sizeof buf, MSG_DONTWAIT);
  if (n == 0) {
    drop(id, c.in_len ? "vanished in the middle of a message" : "disconnected");
    return;
  }
  if (n < 0) {
    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) return;
    drop(id, "read error");
    return;
  }
  uint64_t msgs = 0;
  size_t pos = 0;
  while (pos < static_cast<size_t>(n)) {
    const size_t take = std::min<size_t>(SHOAL_SIM_MSG_SIZE - c.in_len, n - pos);
    std::memcpy(c.in + c.in_len, buf + pos, take);
    c.in_len += take;
    pos += take;
    if (c.in_len < SHOAL_SIM_MSG_SIZE) break;
    c.in_len = 0;
    ++msgs;
    if (c.close_after_flush || c.bye_reason) continue;  // ignore anything after a refusal
    Request r{};
    r.client = id;
    r.bad_magic = shoal_sim_decode(c.in, &r.msg) != 0;
    if (c.full) {
      // Over the limit: whatever it sent first (its HELLO) is answered SERVER_FULL.
      shoal_sim_msg rep{};
      rep.magic = SHOAL_SIM_PROTO_MAGIC;
      rep.op = SHOAL_SIM_OP_HELLO;
      rep.tag = r.bad_magic ? 0 : r.msg.tag;
      rep.status = SHOAL_SIM_SERVER_FULL;
      rep.reason = SHOAL_SIM_REASON_FULL;
      rep.data = SHOAL_SIM_PROTO_VERSION;
      rep.offset = opts_.max_clients;
      c.close_after_flush = true;
      c.reading = false;
      {
        std::lock_guard<std::mutex> lk(stats_mu_);
        ++stats_.clients_refused;
      }
      if (opts_.verbose)
        std::fprintf(stderr, "shoal-sim: refusing a client: %zu already connected (the limit)\n",
                     clients_.size() - refusing_);
      if (!send_msg_ok(id, c, rep)) return;
      continue;
    }
    if (r.bad_magic) {
      // The stream lost its message boundaries (stray bytes): nothing after this can be read
      // as messages. Answer what came before, then say so and close.
      c.bye_reason = SHOAL_SIM_REASON_BAD_MAGIC;
      c.reading = false;
      {
        std::lock_guard<std::mutex> lk(stats_mu_);
        ++stats_.clients_desynced;
      }
      continue;
    }
    if (r.msg.op == SHOAL_SIM_OP_HELLO) {
      shoal_sim_msg rep{};
      rep.magic = SHOAL_SIM_PROTO_MAGIC;
      rep.op = SHOAL_SIM_OP_HELLO;
      rep.tag = r.msg.tag;
      rep.data = SHOAL_SIM_PROTO_VERSION;
      rep.offset = bar0_size_;
      if (r.msg.flags != 0 || r.msg.status != 0 || r.msg.reason != 0 || r.msg.size != 0 || r.msg.offset != 0) {
        rep.status = SHOAL_SIM_BAD_REQUEST;
        rep.reason = SHOAL_SIM_REASON_RESERVED;
        c.close_after_flush = true;
        c.reading = false;
      } else if (r.msg.data == SHOAL_SIM_PROTO_VERSION) {
        rep.status = SHOAL_SIM_OK;
        c.hello = true;
      } else {
        rep.status = SHOAL_SIM_BAD_VERSION;
        rep.reason = SHOAL_SIM_REASON_VERSION;
        c.close_after_flush = true;
        c.reading = false;
      }
      if (!send_msg_ok(id, c, rep)) return;
      continue;
    }
    if (r.msg.op == SHOAL_SIM_OP_BYE) {
      drop(id, "said goodbye");
      return;
    }
    to_core_.push_back(r);
    ++c.outstanding;
  }
  {
    std::lock_guard<std::mutex> lk(stats_mu_);
    stats_.messages_in += msgs;
  }
  if (c.outstanding >= opts_.max_outstanding && c.reading) {
    c.reading = false;  // back-pressure: the kernel buffers the rest until responses go out
    update_events(id, c);
  }
  if (c.bye_reason) {
    update_events(id, c);
    maybe_say_bye(id, c);
    return;
  }
  if (c.close_after_flush) {
    if (c.out.empty())
      drop(id, "refused at HELLO (full, another protocol version, or reserved fields set)");
    else
      update_events(id, c);
  }
}

bool IoServer::send_msg_ok(ClientId id, Client& c, const shoal_sim_msg& m) {
  uint8_t buf[SHOAL_SIM_MSG_SIZE];
  shoal_sim_encode(&m, buf);
  size_t off = 0;
  if (c.out.empty()) {
    const ssize_t n = ::send(c.fd.get(), buf, sizeof buf, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
      drop(id, "gone (write failed)");
      return false;
    }
    if (n > 0) off = static_cast<size_t>(n);
  }
  {
    std::lock_guard<std::mutex> lk(stats_mu_);
    ++stats_.messages_out;
  }
  if (off == sizeof buf) return true;
  c.out.append(reinterpret_cast<const char*>(buf) + off, sizeof buf - off);
  if (c.out.size() > opts_.max_pending_out) {
    drop(id, "not reading its messages");
    return false;
  }
  if (!c.want_out) {
    c.want_out = true;
    update_events(id, c);
  }
  return true;
}

void IoServer::on_writable(ClientId id, Client& c) {
  while (!c.out.empty()) {
    const ssize_t n = ::send(c.fd.get(), c.out.data(), c.out.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK) return;
      if (errno == EINTR) continue;
      drop(id, "gone (write failed)");
      return;
    }
    c.out.erase(0, static_cast<size_t>(n));
  }
  c.want_out = false;
  if (c.close_after_flush) {
    drop(id, c.bye_reason ? "lost message sync; told so and closed" : "refused at HELLO");
    return;
  }
  update_events(id, c);
}

void IoServer::update_events(ClientId id, Client& c) {
  epoll_event ev{};
  ev.events = (c.reading ? EPOLLIN : 0u) | (c.want_out ? EPOLLOUT : 0u);
  ev.data.u64 = id;
  ::epoll_ctl(epoll_.get(), EPOLL_CTL_MOD, c.fd.get(), &ev);
}

void IoServer::drop(ClientId id, const char* why) {
  auto it = clients_.find(id);
  if (it == clients_.end()) return;
  if (it->second.full) {
    --refusing_;
    ::epoll_ctl(epoll_.get(), EPOLL_CTL_DEL, it->second.fd.get(), nullptr);
    clients_.erase(it);
    return;  // was never served: not counted as a client
  }
  ::epoll_ctl(epoll_.get(), EPOLL_CTL_DEL, it->second.fd.get(), nullptr);
  clients_.erase(it);  // closes the socket; its queued requests still run, answers are dropped
  {
    std::lock_guard<std::mutex> lk(stats_mu_);
    ++stats_.clients_dropped;
  }
  if (opts_.verbose)
    std::fprintf(stderr, "shoal-sim: client %llu %s (%zu connected)\n",
                 static_cast<unsigned long long>(id - 15), why, clients_.size());
}

void IoServer::drain_outgoing() {
  {
    std::lock_guard<std::mutex> lk(out_mu_);
    out_work_.swap(out_q_);
  }
  std::vector<ClientId> ids;
  for (const Outgoing& o : out_work_) {
    if (o.client == kBroadcast) {
      ids.clear();
      for (auto& [id, c] : clients_)
        if (c.hello && !c.close_after_flush) ids.push_back(id);
      for (ClientId id : ids) {
        auto it = clients_.find(id);
        if (it != clients_.end()) send_msg_ok(id, it->second, o.msg);
      }
      continue;
    }
    auto it = clients_.find(o.client);
    if (it == clients_.end()) continue;  // the client is gone; nobody to answer
    Client& c = it->second;
    if (c.outstanding) --c.outstanding;
    if (!send_msg_ok(o.client, c, o.msg)) continue;
    if (c.bye_reason) {
      maybe_say_bye(o.client, c);
      continue;
    }
    if (!c.reading && !c.close_after_flush && c.outstanding < opts_.max_outstanding) {
      c.reading = true;
      update_events(o.client, c);
    }
  }
  out_work_.clear();
}

}  // namespace shoal::sim
