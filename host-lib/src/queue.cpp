// libshoal: the command queues (shoal.h "command queues"; docs/queues.md).
//
// A handle keeps its own copies of the indices it owns (SQ_TAIL, CQ_HEAD) and reads the card's
// (SQ_HEAD, CQ_TAIL) when it needs them. Taking completions: clear IRQ_STATUS.cq first, then
// read CQ_TAIL, then the entries, then write CQ_HEAD, so a completion that lands meanwhile
// raises the vector again and no wake-up is lost.
#include <sys/eventfd.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <map>
#include <thread>

#include "internal.hpp"
#include "shoal/proto.h"
#include "shoal/proto_check.h"
#include "shoal/regs.h"

using shoal::Errc;
using shoal::hostlib::guarded;
using shoal::hostlib::ok;
using shoal::hostlib::set_error;
using Clock = std::chrono::steady_clock;
using Entry = std::array<std::uint32_t, SHOAL_PROTO_ENTRY_WORDS>;

struct shoal_queue {
  shoal_dev* dev = nullptr;
  std::uint32_t q = 0;
  std::uint32_t depth = 0;
  std::uint32_t vector = 0;
  bool irq = false;
  int efd = -1;
  std::mutex mu;
  std::uint32_t sq_tail = 0, sq_head = 0, cq_head = 0;
  std::uint32_t next_tag = 1;
  std::map<std::uint32_t, bool> waiting;   // tags submitted, not yet taken by shoal_queue_wait
  std::map<std::uint32_t, Entry> done;     // completions not yet taken
  std::deque<Entry> events;
  std::uint64_t submitted = 0, completed = 0, nevents = 0, events_dropped = 0;

  std::uint32_t reg(std::uint32_t addr_n0) const { return addr_n0 + q * SHOAL_QUEUE_ID_STRIDE; }
  std::uint32_t slot(std::uint32_t window_addr, std::uint32_t s) const {
    return window_addr + q * SHOAL_QUEUE_SQ_STRIDE + s * SHOAL_PROTO_ENTRY_WORDS * 4;
  }
};

namespace {

shoal::Status write_entry(shoal_dev& d, std::uint32_t addr, const std::uint32_t* w) {
  for (std::uint32_t i = 0; i < SHOAL_PROTO_ENTRY_WORDS; i += 2) {
    const std::uint64_t v = std::uint64_t{w[i]} | std::uint64_t{w[i + 1]} << 32;
    if (auto s = d.transport->write64(addr + 4 * i, v); !s) return s;
  }
  return {};
}

shoal::Status read_entry(shoal_dev& d, std::uint32_t addr, std::uint32_t* w) {
  for (std::uint32_t i = 0; i < SHOAL_PROTO_ENTRY_WORDS; i += 2) {
    auto r = d.transport->read64(addr + 4 * i);
    if (!r) return shoal::fail(std::move(r).error());
    w[i] = static_cast<std::uint32_t>(*r);
    w[i + 1] = static_cast<std::uint32_t>(*r >> 32);
  }
  return {};
}

// Takes every entry the card completed (the caller holds q.mu). Returns how many.
shoal::Result<std::uint32_t> drain(shoal_queue& q) {
  auto& t = *q.dev->transport;
  if (q.irq) {
    if (auto s = t.write32(q.reg(SHOAL_QUEUE_IRQ_STATUS_ADDR), SHOAL_QUEUE_IRQ_STATUS_CQ_MASK); !s)
      return shoal::fail(std::move(s).error());
  }
  auto tail = t.read32(q.reg(SHOAL_QUEUE_CQ_TAIL_ADDR));
  if (!tail) return shoal::fail(std::move(tail).error());
  if (*tail >= q.depth) return shoal::fail(Errc::protocol, "the card's CQ_TAIL " + std::to_string(*tail) + " is out of range");
  std::uint32_t n = 0;
  while (q.cq_head != *tail) {
    Entry e;
    if (auto s = read_entry(*q.dev, q.slot(SHOAL_QUEUE_CQ_ADDR, q.cq_head), e.data()); !s) return shoal::fail(std::move(s).error());
    q.cq_head = (q.cq_head + 1) % q.depth;
    ++n;
    if (SHOAL_GET(e.data(), SHOAL_CQE_EVENT)) {
      ++q.nevents;
      if (q.events.size() < SHOAL_QUEUE_EVENT_KEEP) q.events.push_back(e);
      else ++q.events_dropped;
    } else {
      ++q.completed;
      q.done[SHOAL_GET(e.data(), SHOAL_CQE_TAG)] = e;
    }
  }
  if (n) {
    if (auto s = t.write32(q.reg(SHOAL_QUEUE_CQ_HEAD_ADDR), q.cq_head); !s) return shoal::fail(std::move(s).error());
  }
  if (q.efd >= 0) {
    std::uint64_t v;
    ssize_t r = ::read(q.efd, &v, sizeof v);  // non-blocking: resets the fd
    (void)r;
  }
  return n;
}

// Waits for "something may have arrived": the vector, or a polling interval. False at the
// deadline.
bool pause_until(shoal_queue& q, std::uint64_t gen, Clock::time_point deadline) {
  if (Clock::now() >= deadline) return false;
  if (q.irq) {
    // a bounded slice: a lost IRQ message must not hang the wait (we re-read CQ_TAIL anyway)
    const auto slice = std::min(deadline, Clock::now() + std::chrono::milliseconds(100));
    q.dev->hub.wait(q.vector, gen, slice);
    return true;
  }
  std::this_thread::sleep_for(std::chrono::microseconds(200));
  return true;
}

int do_wait(shoal_queue& q, std::uint32_t tag, std::uint32_t timeout_ms, std::uint32_t* cqe) {
  const auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
  for (;;) {
    std::uint64_t gen = 0;
    {
      std::lock_guard lock(q.mu);
      if (!q.waiting.count(tag)) {
        return set_error(Errc::invalid_arg, "queue " + std::to_string(q.q) + ": tag " + std::to_string(tag) +
                                                " was not submitted on this handle (or its completion was already taken)");
      }
      if (q.irq) gen = q.dev->hub.generation(q.vector);
      if (!q.done.count(tag)) {
        auto r = drain(q);
        if (!r) return set_error(r.error());
      }
      if (auto it = q.done.find(tag); it != q.done.end()) {
        std::copy(it->second.begin(), it->second.end(), cqe);
        q.done.erase(it);
        q.waiting.erase(tag);
        return ok();
      }
    }
    if (q.dev->hub.dead()) return set_error(Errc::closed, "the connection to the card was lost");
    if (!pause_until(q, gen, deadline)) {
      return set_error(Errc::timeout, "queue " + std::to_string(q.q) + ": no completion for tag " + std::to_string(tag) +
                                          " within " + std::to_string(timeout_ms) + " ms");
    }
  }
}

}  // namespace

extern "C" {

int shoal_queue_open(shoal_dev* dev, uint32_t queue, shoal_queue** out) {
  return guarded([&]() -> int {
    if (out) *out = nullptr;
    if (dev == nullptr || out == nullptr) return set_error(Errc::invalid_arg, "shoal_queue_open: NULL argument");
    const auto& g = dev->card.queues;
    if (g.num_queues == 0 || !shoal::hostlib::has_block(*dev, "queue")) {
      return set_error(Errc::unsupported, "this card has no command queues (its DTB lists no queue block)");
    }
    if (queue >= g.num_queues) {
      return set_error(Errc::invalid_arg, "queue " + std::to_string(queue) + " does not exist: the card has " +
                                              std::to_string(g.num_queues) + " (0 = admin, 1 + k = partition k)");
    }
    if (g.entry_words != SHOAL_PROTO_ENTRY_WORDS || g.depth > 0xFFFF) {
      return set_error(Errc::unsupported, "the card's queue entries are " + std::to_string(g.entry_words) +
                                              " words; this libshoal speaks " + std::to_string(SHOAL_PROTO_ENTRY_WORDS));
    }
    {
      std::lock_guard lock(dev->queues_mu);
      if ((dev->queues_open >> queue) & 1u) {
        return set_error(Errc::busy, "queue " + std::to_string(queue) + " is already open on this device handle");
      }
      dev->queues_open |= std::uint64_t{1} << queue;
    }
    auto q = std::make_unique<shoal_queue>();
    q->dev = dev;
    q->q = queue;
    q->depth = g.depth;
    q->vector = g.irq_base + queue;
    auto& t = *dev->transport;
    auto undo = [&](const shoal::Error& e) {
      std::lock_guard lock(dev->queues_mu);
      dev->queues_open &= ~(std::uint64_t{1} << queue);
      return set_error(e);
    };
    auto tail = t.read32(q->reg(SHOAL_QUEUE_SQ_TAIL_ADDR));
    auto head = t.read32(q->reg(SHOAL_QUEUE_SQ_HEAD_ADDR));
    auto cqh = t.read32(q->reg(SHOAL_QUEUE_CQ_HEAD_ADDR));
    if (!tail) return undo(tail.error());
    if (!head) return undo(head.error());
    if (!cqh) return undo(cqh.error());
    q->sq_tail = *tail % q->depth;
    q->sq_head = *head % q->depth;
    q->cq_head = *cqh % q->depth;
    q->irq = dev->hub.start(t);
    if (q->irq) {
      q->efd = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
      if (q->efd < 0) return undo(shoal::Error{Errc::io, "eventfd: " + std::string(std::strerror(errno))});
      dev->hub.set_fd(q->vector, q->efd);
      if (auto s = t.write32(q->reg(SHOAL_QUEUE_IRQ_ENABLE_ADDR), SHOAL_QUEUE_IRQ_ENABLE_CQ_MASK); !s) {
        ::close(q->efd);
        return undo(s.error());
      }
    }
    // completions left from an earlier owner of this queue belong to nobody now: skip them
    auto cqt = t.read32(q->reg(SHOAL_QUEUE_CQ_TAIL_ADDR));
    if (!cqt) return undo(cqt.error());
    if (*cqt % q->depth != q->cq_head) {
      q->cq_head = *cqt % q->depth;
      if (auto s = t.write32(q->reg(SHOAL_QUEUE_CQ_HEAD_ADDR), q->cq_head); !s) return undo(s.error());
    }
    *out = q.release();
    return ok();
  });
}

void shoal_queue_close(shoal_queue* q) {
  if (q == nullptr) return;
  std::unique_ptr<shoal_queue> owned(q);
  if (q->irq) {
    q->dev->hub.set_fd(q->vector, -1);
    (void)q->dev->transport->write32(q->reg(SHOAL_QUEUE_IRQ_ENABLE_ADDR), 0);
  }
  if (q->efd >= 0) ::close(q->efd);
  std::lock_guard lock(q->dev->queues_mu);
  q->dev->queues_open &= ~(std::uint64_t{1} << q->q);
}

uint32_t shoal_queue_index(const shoal_queue* q) { return q ? q->q : 0xFFFFFFFFu; }

int shoal_queue_submit(shoal_queue* q, const uint32_t* sqe, uint32_t* tag) {
  return guarded([&]() -> int {
    if (q == nullptr || sqe == nullptr) return set_error(Errc::invalid_arg, "shoal_queue_submit: NULL argument");
    std::lock_guard lock(q->mu);
    auto& t = *q->dev->transport;
    const std::uint32_t next = (q->sq_tail + 1) % q->depth;
    if (next == q->sq_head) {  // full as last seen: the firmware may have taken some since
      auto h = t.read32(q->reg(SHOAL_QUEUE_SQ_HEAD_ADDR));
      if (!h) return set_error(h.error());
      q->sq_head = *h % q->depth;
      if (next == q->sq_head) {
        return set_error(Errc::full, "queue " + std::to_string(q->q) + ": the submission ring is full (" +
                                         std::to_string(q->depth - 1) + " commands in flight)");
      }
    }
    Entry e;
    std::copy(sqe, sqe + SHOAL_PROTO_ENTRY_WORDS, e.begin());
    std::uint32_t tg = q->next_tag++;
    if (tg == 0) tg = q->next_tag++;  // 0 is the events' tag
    while (q->waiting.count(tg)) tg = q->next_tag++;
    SHOAL_SET(e.data(), SHOAL_SQE_TAG, tg);
    if (auto s = write_entry(*q->dev, q->slot(SHOAL_QUEUE_SQ_ADDR, q->sq_tail), e.data()); !s) return set_error(s.error());
    if (auto s = t.write32(q->reg(SHOAL_QUEUE_SQ_TAIL_ADDR), next); !s) return set_error(s.error());
    q->sq_tail = next;
    q->waiting[tg] = true;
    ++q->submitted;
    if (tag) *tag = tg;
    return ok();
  });
}

int shoal_queue_wait(shoal_queue* q, uint32_t tag, uint32_t timeout_ms, uint32_t* cqe) {
  return guarded([&]() -> int {
    if (q == nullptr || cqe == nullptr) return set_error(Errc::invalid_arg, "shoal_queue_wait: NULL argument");
    return do_wait(*q, tag, timeout_ms, cqe);
  });
}

int shoal_queue_call(shoal_queue* q, const uint32_t* sqe, uint32_t* cqe, uint32_t timeout_ms) {
  uint32_t tag = 0;
  if (int rc = shoal_queue_submit(q, sqe, &tag); rc != SHOAL_OK) return rc;
  return shoal_queue_wait(q, tag, timeout_ms, cqe);
}

int shoal_queue_next_event(shoal_queue* q, uint32_t timeout_ms, uint32_t* ev) {
  return guarded([&]() -> int {
    if (q == nullptr || ev == nullptr) return set_error(Errc::invalid_arg, "shoal_queue_next_event: NULL argument");
    const auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
    for (;;) {
      std::uint64_t gen = 0;
      {
        std::lock_guard lock(q->mu);
        if (q->irq) gen = q->dev->hub.generation(q->vector);
        if (q->events.empty()) {
          auto r = drain(*q);
          if (!r) return set_error(r.error());
        }
        if (!q->events.empty()) {
          std::copy(q->events.front().begin(), q->events.front().end(), ev);
          q->events.pop_front();
          return ok();
        }
      }
      if (q->dev->hub.dead()) return set_error(Errc::closed, "the connection to the card was lost");
      if (!pause_until(*q, gen, deadline)) {
        return set_error(Errc::timeout, "queue " + std::to_string(q->q) + ": no event within " +
                                            std::to_string(timeout_ms) + " ms");
      }
    }
  });
}

int shoal_queue_poll(shoal_queue* q, uint32_t* taken) {
  return guarded([&]() -> int {
    if (q == nullptr) return set_error(Errc::invalid_arg, "shoal_queue_poll: NULL queue");
    std::lock_guard lock(q->mu);
    auto r = drain(*q);
    if (!r) return set_error(r.error());
    if (taken) *taken = *r;
    return ok();
  });
}

int shoal_queue_fd(shoal_queue* q, int* fd) {
  return guarded([&]() -> int {
    if (q == nullptr || fd == nullptr) return set_error(Errc::invalid_arg, "shoal_queue_fd: NULL argument");
    if (!q->irq || q->efd < 0) {
      return set_error(Errc::unsupported, q->dev->transport->describe() +
                                              " delivers no interrupts (pci: needs vfio-pci): poll with shoal_queue_poll");
    }
    *fd = q->efd;
    return ok();
  });
}

int shoal_queue_get_stats(shoal_queue* q, struct shoal_queue_stats* st) {
  return guarded([&]() -> int {
    if (q == nullptr) return set_error(Errc::invalid_arg, "shoal_queue_get_stats: NULL queue");
    shoal_queue_stats full{};
    full.struct_size = sizeof full;
    std::lock_guard lock(q->mu);
    auto bad = q->dev->transport->read32(q->reg(SHOAL_QUEUE_BAD_WRITES_ADDR));
    if (!bad) return set_error(bad.error());
    full.queue = q->q;
    full.submitted = q->submitted;
    full.completed = q->completed;
    full.events = q->nevents;
    full.events_dropped = q->events_dropped;
    full.sq_free = (q->sq_head + q->depth - q->sq_tail - 1) % q->depth;
    full.interrupts = q->irq ? 1 : 0;
    full.bad_writes = *bad;
    return shoal::hostlib::fill_versioned(st, full, shoal::hostlib::kQueueStatsV1, "shoal_queue_stats");
  });
}

const char* shoal_status_name(uint32_t s) { return shoal_proto_status_name(s); }
const char* shoal_event_name(uint32_t k) { return shoal_proto_event_name(k); }
const char* shoal_command_name(uint32_t op) {
  const shoal_proto_cmd* c = shoal_proto_find(op);
  return c ? c->name : nullptr;
}

}  // extern "C"
