// The simulation side of shoal-sim: owns nothing but a reference to the card model, ticks it one
// clock at a time, serves queued host requests between ticks and reports interrupt edges.
//
// Threading: submit() and request_stop() may be called from any thread (request_stop() also
// from a signal handler); everything else runs on the one simulation thread. The per-cycle
// cost on top of the model's own step() is one virtual irq() read, a compare, a counter
// decrement (the firmware console and the audit events are collected every kOutputPollCycles) and one relaxed
// atomic load: requests are handed over through a mutex-protected queue that the sim thread
// only looks at when the atomic "attention" flag says there is something to do.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <limits>
#include <string>
#include <mutex>
#include <vector>

#include "card_model.hpp"
#include "shoal/sim_protocol.h"

namespace shoal::sim {

// Client ids are never reused within a run; 0 addresses every client (interrupts).
using ClientId = uint64_t;
inline constexpr ClientId kBroadcast = 0;

struct Request {
  ClientId client;
  shoal_sim_msg msg;  // as decoded; may be malformed (validated on the sim thread)
  bool bad_magic;
};

struct Outgoing {
  ClientId client;  // kBroadcast: to every client that completed HELLO
  shoal_sim_msg msg;
};

// Where the sim thread delivers responses and interrupt messages (the socket server).
class OutgoingSink {
 public:
  virtual ~OutgoingSink() = default;
  virtual void deliver(std::vector<Outgoing>& batch) = 0;  // may swap the vector's contents away
};

struct SimStats {
  uint64_t requests = 0;
  uint64_t bad_requests = 0;
  uint64_t bus_errors = 0;   // the card refused, or never answered
  uint64_t wide_refused = 0; // 64-bit accesses refused as a whole before the card (WIDE_SPLIT)
  uint64_t irq_messages = 0;
  uint64_t card_resets = 0;  // after a bus transaction the card never answered
  uint64_t events = 0;       // audit events the card put out (DRRM, ALLOC)
};

// Validates a READ/WRITE request against the protocol rules (op, size, alignment, BAR0 bounds,
// data width, reserved fields). Returns SHOAL_SIM_REASON_NONE when the request may go on,
// else why it is malformed (enum shoal_sim_reason).
uint32_t request_fault(const Request& r, uint32_t bar0_size);

class SimCore {
 public:
  SimCore(CardModel& model, uint32_t bar0_size,
          uint64_t max_cycles = std::numeric_limits<uint64_t>::max());
  // Where responses and interrupts go; set before the first tick (nullptr: discarded).
  void set_sink(OutgoingSink* sink) { sink_ = sink; }
  SimCore(const SimCore&) = delete;
  SimCore& operator=(const SimCore&) = delete;

  // Any thread.
  void submit(const Request& r);
  void submit(std::vector<Request>& batch);  // moves the batch's contents away
  void request_stop() noexcept {              // async-signal-safe
    stop_.store(true, std::memory_order_relaxed);
    attention_.store(true, std::memory_order_release);
  }
  bool stop_requested() const noexcept { return stop_.load(std::memory_order_relaxed); }

  // Where the firmware console's bytes and the card's audit events go (sim thread; an empty
  // function drops them, counted in stats().events). The model is asked for them every
  // kOutputPollCycles cycles, after each batch of host requests, and by drain_outputs().
  using ConsoleSink = std::function<void(const std::string&)>;
  using EventSink = std::function<void(const CardEvent&)>;
  static constexpr unsigned kOutputPollCycles = 1024;
  void set_console_sink(ConsoleSink sink) { console_sink_ = std::move(sink); }
  void set_event_sink(EventSink sink) { event_sink_ = std::move(sink); }
  void drain_outputs() {
    std::string bytes = model_.take_console();
    if (!bytes.empty() && console_sink_) console_sink_(bytes);
    for (const CardEvent& e : model_.take_events()) {
      ++stats_.events;
      if (event_sink_) event_sink_(e);
    }
  }

  // Sim thread. One clock cycle of free-running plus whatever host work is pending.
  // Returns false once the run is over (stop requested or max_cycles reached).
  bool tick() {
    model_.step(1);
    const uint32_t irq = model_.irq();
    if (irq != last_irq_) irq_changed(irq);
    if (--output_poll_ == 0) [[unlikely]] {
      output_poll_ = kOutputPollCycles;
      drain_outputs();
    }
    if (attention_.load(std::memory_order_acquire)) return service();
    return model_.cycle() < max_cycles_;
  }
  // Serve whatever is queued right now without advancing the free-running clock
  // (deterministic in-process use). Returns false if a stop was requested.
  bool service();

  CardModel& model() { return model_; }
  const SimStats& stats() const { return stats_; }

 private:
  void irq_changed(uint32_t irq);
  void serve_one(const Request& r, shoal_sim_msg& resp);

  CardModel& model_;
  OutgoingSink* sink_ = nullptr;
  uint32_t bar0_size_;
  uint64_t max_cycles_;
  uint32_t last_irq_ = 0;
  unsigned output_poll_ = kOutputPollCycles;
  ConsoleSink console_sink_;
  EventSink event_sink_;
  SimStats stats_;

  std::atomic<bool> attention_{false};
  std::atomic<bool> stop_{false};
  std::mutex mu_;
  std::vector<Request> queue_;    // guarded by mu_
  std::vector<Request> working_;  // sim thread only
  std::vector<Outgoing> out_;     // sim thread only
};

// The two ways of clocking the model (see sim/README.md for the measurement that picks the
// default). Both return when the core's tick() says the run is over.
enum class Engine { Plain, SystemC };

// Plain C++ loop: while (core.tick()) {}
void run_plain(SimCore& core);
// An sc_module whose SC_THREAD ticks the core and advances SystemC time by one card clock
// period per card cycle consumed (bus transactions count the cycles they took), so
// sc_time_stamp() is card time. SystemC can elaborate only once per process: call this at
// most once per process.
void run_systemc(SimCore& core, double clock_hz);

}  // namespace shoal::sim
