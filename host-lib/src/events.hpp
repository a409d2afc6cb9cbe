// The card's host interrupts fanned out to whoever waits for them (internal to libshoal).
//
// A transport hands out the vectors that fired to whoever asks first, so with several queues
// (and several threads) one reader must take them for everybody: the hub's thread waits on the
// transport and, per vector, bumps a generation count, wakes the waiters and signals the
// eventfds registered for it. Started by the first queue handle; a transport without
// interrupts (pci: without vfio) leaves it off and the queues poll.
#ifndef SHOAL_HOSTLIB_EVENTS_HPP
#define SHOAL_HOSTLIB_EVENTS_HPP

#include <array>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>

namespace shoal::driver {
class Transport;
}

namespace shoal::hostlib {

class EventHub {
 public:
  // Starts the reader thread once; false if the transport has no interrupts.
  bool start(driver::Transport& t);
  void stop();
  bool running() const { return running_; }
  // The generation of vector v (how often it fired); waiting for a change of it.
  std::uint64_t generation(unsigned v);
  // Waits until generation(v) != seen or the deadline; false on timeout (or a stopped hub).
  bool wait(unsigned v, std::uint64_t seen, std::chrono::steady_clock::time_point deadline);
  // An eventfd written whenever vector v fires (-1: none)
  void set_fd(unsigned v, int fd);
  // shoal_wait_event while the hub runs: the vectors that fired since the last call
  bool take_all(std::chrono::steady_clock::time_point deadline, std::uint32_t* vectors);
  // the transport failed (closed): waits end at once
  bool dead() const { return dead_; }

 private:
  void loop(driver::Transport* t);
  std::mutex mu_;
  std::condition_variable cv_;
  std::array<std::uint64_t, 32> gen_{};
  std::array<int, 32> fd_{};
  std::uint32_t all_ = 0;
  std::thread thread_;
  std::atomic<bool> stop_{false};
  bool running_ = false, tried_ = false, dead_ = false;
};

}  // namespace shoal::hostlib

#endif
