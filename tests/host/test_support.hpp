// Test support for tests/host: a real card image (register reset values + the built DTB),
// a fake sysfs PCI tree, a tiny in-test shoal-sim server speaking the wire protocol, and a
// helper that runs a program and captures its output.
#pragma once

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>

#include "temp_dir.hpp"
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <map>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "shoal/regs.hpp"
#include "shoal/sim_protocol.h"

namespace shoal::test {

namespace fs = std::filesystem;

using shoal::test::TempDir;

inline std::vector<std::uint8_t> read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + p.string());
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

inline std::vector<std::uint8_t> card_dtb() { return read_file(SHOAL_TEST_DTB); }

inline void put32(std::vector<std::uint8_t>& img, std::size_t off, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) img.at(off + i) = static_cast<std::uint8_t>(v >> (8 * i));
}
inline std::uint32_t get32(const std::vector<std::uint8_t>& img, std::size_t off) {
  std::uint32_t v = 0;
  for (int i = 0; i < 4; ++i) v |= std::uint32_t{img.at(off + i)} << (8 * i);
  return v;
}
inline void put_be32(std::vector<std::uint8_t>& b, std::size_t off, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) b.at(off + i) = static_cast<std::uint8_t>(v >> (24 - 8 * i));
}

// BAR0 as the card presents it after reset: every register of a present block at its reset
// value, and the DTB bytes at the DTB window (byte k of the blob at DTB_BASE + k).
inline std::vector<std::uint8_t> card_image(const std::vector<std::uint8_t>& dtb = card_dtb()) {
  std::vector<std::uint8_t> img(regs::kBar0Size, 0);
  for (const auto& r : regs::kRegisters) {
    bool present = false;
    for (const auto& b : regs::kBlocks) {
      if (std::strcmp(b.name, r.block) == 0) present = b.present;
    }
    if (present) put32(img, r.addr, r.reset);
  }
  std::copy(dtb.begin(), dtb.end(), img.begin() + regs::kWinDtbBase);
  return img;
}

// A fake ${SHOAL_SYSFS_ROOT}/bus/pci/devices tree.
class FakeSysfs {
 public:
  FakeSysfs() { fs::create_directories(devices()); }
  fs::path root() const { return dir_.path(); }
  fs::path devices() const { return dir_.path() / "bus" / "pci" / "devices"; }

  // Adds a device; resource0 holds `bar` (not created when nullopt).
  fs::path add(const std::string& bdf, std::uint16_t vendor, std::uint16_t device,
               const std::optional<std::vector<std::uint8_t>>& bar) {
    const fs::path d = devices() / bdf;
    fs::create_directories(d);
    write_text(d / "vendor", hex4(vendor));
    write_text(d / "device", hex4(device));
    if (bar) {
      std::ofstream out(d / "resource0", std::ios::binary);
      out.write(reinterpret_cast<const char*>(bar->data()), static_cast<std::streamsize>(bar->size()));
    }
    return d;
  }

  static void write_text(const fs::path& p, const std::string& s) {
    std::ofstream out(p);
    out << s;
  }
  static std::string hex4(std::uint16_t v) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "0x%04x\n", v);
    return buf;
  }

 private:
  TempDir dir_;
};

// Sets an environment variable for the lifetime of the object.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const std::string& value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    ::setenv(name, value.c_str(), 1);
  }
  ~ScopedEnv() {
    if (old_) ::setenv(name_, old_->c_str(), 1);
    else ::unsetenv(name_);
  }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

 private:
  const char* name_;
  std::optional<std::string> old_;
};

// A tiny shoal-sim: serves one client at a time on a UNIX socket from a BAR0 byte image.
class FakeSimServer {
 public:
  struct Behaviour {
    std::optional<std::uint64_t> bus_error_at;    // RESP status BUS_ERROR for accesses here
    std::optional<std::uint64_t> close_at;        // close the connection instead of answering
    std::optional<std::uint64_t> silent_at;       // never answer
    std::optional<std::uint64_t> irq_before_at;   // send IRQ{irq_mask} before the RESP
    std::uint32_t irq_mask = 0x5;
    std::uint32_t hello_status = SHOAL_SIM_OK;
    std::uint64_t bar_size = regs::kBar0Size;
  };

  explicit FakeSimServer(std::vector<std::uint8_t> image) : FakeSimServer(std::move(image), Behaviour()) {}
  FakeSimServer(std::vector<std::uint8_t> image, Behaviour b)
      : image_(std::move(image)), b_(b), path_(dir_.path() / "sim.sock") {
    listen_fd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strncpy(addr.sun_path, path_.c_str(), sizeof addr.sun_path - 1);
    if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(listen_fd_, 4) != 0) {
      throw std::runtime_error("cannot listen on " + path_.string());
    }
    thread_ = std::thread([this] { run(); });
  }
  ~FakeSimServer() {
    stop_ = true;
    thread_.join();
    ::close(listen_fd_);
  }
  FakeSimServer(const FakeSimServer&) = delete;
  FakeSimServer& operator=(const FakeSimServer&) = delete;

  std::string uri() const { return "sim:" + path_.string(); }
  const fs::path& path() const { return path_; }

  // Queue an asynchronous IRQ message to the connected client.
  void raise_irq(std::uint32_t mask) {
    std::lock_guard lock(mu_);
    irqs_.push_back(mask);
  }
  std::uint32_t word(std::uint64_t off) {
    std::lock_guard lock(mu_);
    return get32(image_, off);
  }
  int requests() const { return requests_; }

 private:
  static void send_msg(int fd, const shoal_sim_msg& m) {
    std::uint8_t buf[SHOAL_SIM_MSG_SIZE];
    shoal_sim_encode(&m, buf);
    (void)::send(fd, buf, sizeof buf, MSG_NOSIGNAL);
  }

  void run() {
    while (!stop_) {
      pollfd p{listen_fd_, POLLIN, 0};
      if (::poll(&p, 1, 20) <= 0) continue;
      const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (fd < 0) continue;
      serve(fd);
      ::close(fd);
    }
  }

  void serve(int fd) {
    std::uint8_t buf[SHOAL_SIM_MSG_SIZE];
    std::size_t fill = 0;
    bool silent = false;
    while (!stop_) {
      {
        std::lock_guard lock(mu_);
        for (auto mask : irqs_) {
          shoal_sim_msg irq{};
          irq.magic = SHOAL_SIM_PROTO_MAGIC;
          irq.op = SHOAL_SIM_OP_IRQ;
          irq.data = mask;
          irq.offset = 1234;
          send_msg(fd, irq);
        }
        irqs_.clear();
      }
      pollfd p{fd, POLLIN, 0};
      if (::poll(&p, 1, 10) <= 0) continue;
      const ssize_t n = ::recv(fd, buf + fill, sizeof buf - fill, 0);
      if (n <= 0) return;  // client went away
      fill += static_cast<std::size_t>(n);
      if (fill < sizeof buf) continue;
      fill = 0;
      shoal_sim_msg m{};
      if (shoal_sim_decode(buf, &m) != 0) return;
      if (silent) continue;
      ++requests_;
      shoal_sim_msg r{};
      r.magic = SHOAL_SIM_PROTO_MAGIC;
      r.tag = m.tag;
      switch (m.op) {
        case SHOAL_SIM_OP_HELLO:
          r.op = SHOAL_SIM_OP_HELLO;
          r.status = static_cast<std::uint8_t>(b_.hello_status);
          r.data = SHOAL_SIM_PROTO_VERSION;
          r.offset = b_.bar_size;
          send_msg(fd, r);
          if (b_.hello_status != SHOAL_SIM_OK) return;
          break;
        case SHOAL_SIM_OP_READ:
        case SHOAL_SIM_OP_WRITE: {
          if (b_.close_at && m.offset == *b_.close_at) return;
          if (b_.silent_at && m.offset == *b_.silent_at) {
            silent = true;
            continue;
          }
          if (b_.irq_before_at && m.offset == *b_.irq_before_at) {
            shoal_sim_msg irq{};
            irq.magic = SHOAL_SIM_PROTO_MAGIC;
            irq.op = SHOAL_SIM_OP_IRQ;
            irq.data = b_.irq_mask;
            send_msg(fd, irq);
          }
          r.op = SHOAL_SIM_OP_RESP;
          if ((m.size != 4 && m.size != 8) || m.offset % m.size != 0 || m.offset + m.size > image_.size()) {
            r.status = SHOAL_SIM_BAD_REQUEST;
          } else if (b_.bus_error_at && m.offset == *b_.bus_error_at) {
            r.status = SHOAL_SIM_BUS_ERROR;
          } else {
            std::lock_guard lock(mu_);
            if (m.op == SHOAL_SIM_OP_READ) {
              r.data = get32(image_, m.offset);
              if (m.size == 8) r.data |= std::uint64_t{get32(image_, m.offset + 4)} << 32;
            } else {
              put32(image_, m.offset, static_cast<std::uint32_t>(m.data));
              if (m.size == 8) put32(image_, m.offset + 4, static_cast<std::uint32_t>(m.data >> 32));
            }
          }
          send_msg(fd, r);
          break;
        }
        case SHOAL_SIM_OP_BYE: return;
        default: return;
      }
    }
  }

  TempDir dir_;
  std::vector<std::uint8_t> image_;
  Behaviour b_;
  fs::path path_;
  int listen_fd_ = -1;
  std::atomic<bool> stop_{false};
  std::atomic<int> requests_{0};
  std::mutex mu_;
  std::vector<std::uint32_t> irqs_;
  std::thread thread_;
};

struct RunResult {
  int exit_code = -1;
  std::string out, err;
};

// Runs argv[0] with the given arguments and extra environment; captures stdout and stderr.
inline RunResult run(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env = {},
                     const std::string& stdin_text = {}) {
  TempDir tmp;
  const fs::path out = tmp.path() / "out", err = tmp.path() / "err", in = tmp.path() / "in";
  FakeSysfs::write_text(in, stdin_text);
  const pid_t pid = ::fork();
  if (pid == 0) {
    for (const auto& [k, v] : env) {
      if (v.empty()) ::unsetenv(k.c_str());
      else ::setenv(k.c_str(), v.c_str(), 1);
    }
    const int fi = ::open(in.c_str(), O_RDONLY);
    const int fo = ::open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    const int fe = ::open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ::dup2(fi, 0);
    ::dup2(fo, 1);
    ::dup2(fe, 2);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    ::execv(args[0], args.data());
    ::_exit(127);
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  RunResult r;
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  auto o = read_file(out), e = read_file(err);
  r.out.assign(o.begin(), o.end());
  r.err.assign(e.begin(), e.end());
  return r;
}

}  // namespace shoal::test
