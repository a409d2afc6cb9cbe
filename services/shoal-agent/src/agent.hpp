// The agent core: card decisions in, HAL changes, acknowledgements out — and the seam where the
// card side plugs in.
//
// THE SEAM (for the card connection, not written yet): the card's processor-port and resource
// decisions arrive as libshoal events; acknowledgements go back through the card's registers.
// The event/ack protocol belongs to the command-queue and allocation-service work, so it is NOT
// invented here. Instead the agent consumes the two interfaces below; the card side implements
// them over libshoal (shoal_wait_event / the queue pages) and Agent::run() does the rest:
//
//   DecisionSource::next()    the next decision, in the card's order, with its sequence number
//   Acknowledger::acknowledge the outcome for that sequence number: quiesced, resumed, or failed
//                             with a reason (the text of the HAL's error)
//   TelemetrySink::publish    the sampled busy fractions (card_busy_permille per card processor)
//
// Intended mapping of the DRRM handshake (pause -> quiesce ack -> re-address -> resume):
//   pause request for processor p         -> Decision{release, p}: p's host CPU leaves its
//                                            partition (its tasks migrate off) -> Ack quiesced
//   resume of p in partition k            -> Decision{assign, p, k}: the CPU joins k -> Ack resumed
//   a failed HAL step                     -> Ack failed + reason; the card's timeout/rollback
//                                            takes over, and the restarted agent reconciles.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "config.hpp"
#include "hal.hpp"
#include "telemetry.hpp"

namespace shoal::agent {

struct Decision {
  enum class Kind { assign, release, park, unpark, cache_ways, bandwidth };
  Kind kind = Kind::assign;
  std::uint64_t seq = 0;  // the card's sequence number, echoed in the acknowledgement
  int processor = -1;     // card processor (assign, release, park, unpark)
  int partition = -1;     // card partition (assign, cache_ways, bandwidth)
  int amount = 0;         // ways (cache_ways) or percent (bandwidth)
};

struct Ack {
  enum class Status { quiesced, resumed, failed };
  std::uint64_t seq = 0;
  Status status = Status::failed;
  std::string reason;       // for failed: what went wrong (the HAL's message)
  double apply_us = 0;      // how long the host change took
};

const char* decision_kind_name(Decision::Kind k);
const char* ack_status_name(Ack::Status s);

class DecisionSource {
 public:
  virtual ~DecisionSource() = default;
  // The next decision; nullopt when none arrived within `timeout`. A failure ends Agent::run().
  virtual Result<std::optional<Decision>> next(std::chrono::milliseconds timeout) = 0;
};

class Acknowledger {
 public:
  virtual ~Acknowledger() = default;
  virtual Status acknowledge(const Ack& ack) = 0;
};

class TelemetrySink {
 public:
  virtual ~TelemetrySink() = default;
  virtual Status publish(const TelemetrySample& sample) = 0;
};

class Agent {
 public:
  Agent(Hal& hal, const Config& cfg) : hal_(hal), cfg_(cfg) {}

  // Applies one decision through the HAL. Never throws; every failure is in the Ack.
  Ack apply(const Decision& d);

  // Until `stop` is set or the source fails: next -> apply -> acknowledge; with a sink, a
  // telemetry sample every cfg.interval_ms. Returns the source's or acknowledger's failure.
  Status run(DecisionSource& source, Acknowledger& ack, TelemetrySink* sink, const std::atomic<bool>& stop);

  const std::map<int, int>& cache_ways() const { return ways_; }

 private:
  Hal& hal_;
  const Config& cfg_;
  std::map<int, int> ways_;       // partition -> ways decided so far
  std::map<int, int> bandwidth_;  // partition -> percent decided so far
};

}  // namespace shoal::agent
