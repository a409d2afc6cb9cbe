// The command dispatcher: takes commands from the queues round robin, checks them (the
// protocol's checks, firmware/proto), runs them on the service, and completes each with its
// status; delivers the service's events to the queues' completion rings (docs/queues.md).
// Portable: the rings are reached through QueueIo (the queue block's driver on the card).
#pragma once
#include <stdint.h>

#include "shoal/proto_check.h"
#include "shoal/service/service.hpp"

namespace shoal::service {

class QueueIo {
 public:
  virtual uint32_t pending() = 0;                       // bit q: queue q's SQ is not empty
  virtual bool take(uint32_t q, uint32_t* sqe) = 0;     // copy the next SQE out, advance SQ_HEAD
  virtual uint32_t cq_free(uint32_t q) = 0;             // free CQ slots (one-slot-empty rule)
  virtual bool post(uint32_t q, const uint32_t* cqe) = 0;  // write at CQ_TAIL, advance it

 protected:
  ~QueueIo() = default;
};

class Dispatcher final : public EventSink {
 public:
  Dispatcher(QueueIo& io, CardPort& card) : io_(io), card_(card), service_(card, *this) {}

  Service& service() { return service_; }

  // Serves up to `budget` commands, one per pending queue in turn (round robin, so a flood on
  // one queue cannot starve the others); a queue whose CQ is full waits. Returns how many.
  uint32_t serve(uint32_t budget);

  // Checks and runs one command from `queue`, filling the completion (tested on the host).
  void execute(uint32_t queue, const uint32_t* sqe, uint32_t* cqe);

  // EventSink: an event for `queue` (dropped and counted when its CQ has fewer than two free
  // slots, so a completion always finds room; the count is delivered later as EVENTS_LOST)
  void event(uint32_t queue, const uint32_t* words) override;

  uint32_t events_lost(uint32_t queue) const { return lost_[queue]; }
  // the opcodes this firmware implements (IDENTIFY's bitmap)
  static void implemented(uint32_t out[8]);

 private:
  void flush_lost(uint32_t queue);
  QueueIo& io_;
  CardPort& card_;
  Service service_;
  uint32_t rr_ = 0;
  uint32_t lost_[Q] = {};
  uint32_t lost_reported_[Q] = {};
};

}  // namespace shoal::service
