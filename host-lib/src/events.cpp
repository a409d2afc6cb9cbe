// The host-interrupt hub (events.hpp).
#include "events.hpp"

#include <unistd.h>

#include "shoal/driver/transport.hpp"

namespace shoal::hostlib {

bool EventHub::start(driver::Transport& t) {
  std::lock_guard lock(mu_);
  if (tried_) return running_;
  tried_ = true;
  fd_.fill(-1);
  auto probe = t.wait_for_interrupt(std::chrono::milliseconds(0));
  if (!probe && probe.error().code == Errc::unsupported) return false;
  if (probe) all_ |= *probe;
  running_ = true;
  thread_ = std::thread([this, tp = &t] { loop(tp); });
  return true;
}

void EventHub::stop() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
  std::lock_guard lock(mu_);
  running_ = false;
  cv_.notify_all();
}

void EventHub::loop(driver::Transport* t) {
  while (!stop_) {
    auto r = t->wait_for_interrupt(std::chrono::milliseconds(50));
    std::lock_guard lock(mu_);
    if (!r) {
      if (r.error().code == Errc::timeout) continue;
      dead_ = true;  // closed or broken: wake every waiter, stop reading
      cv_.notify_all();
      return;
    }
    all_ |= *r;
    for (unsigned v = 0; v < 32; ++v) {
      if (!((*r >> v) & 1u)) continue;
      ++gen_[v];
      if (fd_[v] >= 0) {
        const std::uint64_t one = 1;
        ssize_t n = ::write(fd_[v], &one, sizeof one);
        (void)n;  // an eventfd at its maximum stays readable: nothing to do
      }
    }
    cv_.notify_all();
  }
}

std::uint64_t EventHub::generation(unsigned v) {
  std::lock_guard lock(mu_);
  return gen_[v % 32];
}

bool EventHub::wait(unsigned v, std::uint64_t seen, std::chrono::steady_clock::time_point deadline) {
  std::unique_lock lock(mu_);
  return cv_.wait_until(lock, deadline, [&] { return gen_[v % 32] != seen || dead_ || !running_; }) &&
         gen_[v % 32] != seen;
}

void EventHub::set_fd(unsigned v, int fd) {
  std::lock_guard lock(mu_);
  fd_[v % 32] = fd;
}

bool EventHub::take_all(std::chrono::steady_clock::time_point deadline, std::uint32_t* vectors) {
  std::unique_lock lock(mu_);
  cv_.wait_until(lock, deadline, [&] { return all_ != 0 || dead_; });
  *vectors = all_;
  all_ = 0;
  return *vectors != 0;
}

}  // namespace shoal::hostlib
