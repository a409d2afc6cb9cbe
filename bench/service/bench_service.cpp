// bench-service: the allocation service's latencies on the co-simulated card, in card cycles
// (bench/service/README.md). The card model runs in this process, so every figure is an exact
// cycle count of the Verilated card booting the default firmware; nothing here is a target.
//
//   request doorbell -> completion (no migration)      a cache-way REQUEST on a partition queue
//   CPU request doorbell -> processor running           quiesce time excluded
//   WMU threshold crossing -> processor running         the reactive policy's fast path
//   the firmware's own decision time                    DECISION audit records (data_hi)
#include <CLI/CLI.hpp>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdio>
#include <stdexcept>
#include <string>
#include <vector>

#include "bench_report.hpp"
#include "card_model.hpp"
#include "shoal/proto.h"
#include "shoal/proto_check.h"
#include "shoal/regs.h"

namespace {

using shoal::sim::CardModel;
using Words = std::array<std::uint32_t, SHOAL_PROTO_ENTRY_WORDS>;
constexpr std::uint32_t kP = SHOAL_PARAM_NUM_PROCESSORS;
constexpr std::uint32_t kAdmin = SHOAL_QUEUE_ADMIN;
constexpr double kClockMHz = 100.0;  // the figures' µs are at a 100 MHz card clock

[[noreturn]] void fail(const std::string& what) { throw std::runtime_error(what); }

// The host side, written from docs/queues.md and docs/audit.md against the model's AXI port.
class Host {
 public:
  explicit Host(CardModel& m) : m_(m) {}

  std::uint32_t rd(std::uint32_t a) {
    std::uint32_t v = 0;
    if (m_.read32(a, v) != shoal::sim::AxiResp::Okay) fail("BAR0 read of 0x" + hex(a) + " refused");
    return v;
  }
  void wr(std::uint32_t a, std::uint32_t v) {
    if (m_.write32(a, v) != shoal::sim::AxiResp::Okay) fail("BAR0 write of 0x" + hex(a) + " refused");
  }

  void boot() {
    std::string console;
    for (int i = 0; i < 20000 && console.find("allocation service up") == std::string::npos; ++i) {
      m_.step(1000);
      console += m_.take_console();
    }
    if (console.find("allocation service up") == std::string::npos)
      fail("the firmware did not report 'allocation service up'; console:\n" + console);
    for (std::uint32_t q = 0; q <= SHOAL_PARAM_NUM_PARTITIONS; ++q) {
      sq_tail_[q] = rd(SHOAL_QUEUE_SQ_TAIL_ADDR_N(q));
      cq_head_[q] = rd(SHOAL_QUEUE_CQ_HEAD_ADDR_N(q));
      wr(SHOAL_QUEUE_IRQ_ENABLE_ADDR_N(q), SHOAL_QUEUE_IRQ_ENABLE_CQ_MASK);
    }
    wr(SHOAL_CTRL_IRQ_ENABLE_ADDR, 0xFFFFFFFFu);
    audit_next_ = rd(SHOAL_AUDIT_TAIL_ADDR);
    wr(SHOAL_AUDIT_HEAD_ADDR, audit_next_);
  }

  // Writes the command into queue q's next SQ slot and rings the doorbell; returns the card
  // cycle at which the doorbell write completed.
  std::uint64_t submit(std::uint32_t q, Words w) {
    tag_ = tag_ % 0xFFFFu + 1;  // 1 .. 0xFFFF (tag 0 is the events')
    SHOAL_SET(w.data(), SHOAL_SQE_TAG, tag_);
    pending_tag_[q] = SHOAL_GET(w.data(), SHOAL_SQE_TAG);
    const std::uint32_t slot = sq_tail_[q];
    for (std::uint32_t i = 0; i < SHOAL_PROTO_ENTRY_WORDS; ++i)
      wr(SHOAL_QUEUE_SQ_ADDR_N(q) + (slot * SHOAL_PROTO_ENTRY_WORDS + i) * 4, w[i]);
    sq_tail_[q] = (slot + 1) % SHOAL_PARAM_QUEUE_DEPTH;
    wr(SHOAL_QUEUE_SQ_TAIL_ADDR_N(q), sq_tail_[q]);
    return m_.cycle();
  }

  // One clock step; true once queue q's completion for the last submit() arrived (the host
  // interrupt is checked every cycle, the CQ read only when it is raised). `*at` = the cycle
  // the interrupt was first seen.
  bool poll(std::uint32_t q, Words* out, std::uint64_t* at) {
    m_.step(1);
    if (!(m_.irq() & (1u << (SHOAL_PARAM_HOST_IRQ_QUEUE_BASE + q)))) return false;
    if (irq_seen_[q] == 0) irq_seen_[q] = m_.cycle();
    wr(SHOAL_QUEUE_IRQ_STATUS_ADDR_N(q), SHOAL_QUEUE_IRQ_STATUS_CQ_MASK);
    bool found = false;
    for (std::uint32_t tail = rd(SHOAL_QUEUE_CQ_TAIL_ADDR_N(q)); cq_head_[q] != tail;) {
      Words e{};
      for (std::uint32_t i = 0; i < SHOAL_PROTO_ENTRY_WORDS; ++i)
        e[i] = rd(SHOAL_QUEUE_CQ_ADDR_N(q) + (cq_head_[q] * SHOAL_PROTO_ENTRY_WORDS + i) * 4);
      cq_head_[q] = (cq_head_[q] + 1) % SHOAL_PARAM_QUEUE_DEPTH;
      wr(SHOAL_QUEUE_CQ_HEAD_ADDR_N(q), cq_head_[q]);
      if (SHOAL_GET(e.data(), SHOAL_CQE_EVENT)) {
        ++events_;
      } else if (SHOAL_GET(e.data(), SHOAL_CQE_TAG) == pending_tag_[q]) {
        *out = e;
        *at = irq_seen_[q];
        found = true;
      }
      tail = rd(SHOAL_QUEUE_CQ_TAIL_ADDR_N(q));
    }
    irq_seen_[q] = 0;
    return found;
  }

  Words call(std::uint32_t q, const Words& w, std::uint64_t* doorbell = nullptr, std::uint64_t* done = nullptr) {
    const std::uint64_t t0 = submit(q, w);
    Words out{};
    std::uint64_t at = 0;
    for (std::uint64_t n = 0; !poll(q, &out, &at); ++n)
      if (n > 5'000'000) fail("no completion within 5,000,000 cycles on queue " + std::to_string(q));
    if (doorbell) *doorbell = t0;
    if (done) *done = at;
    return out;
  }

  // The audit records written since the last call (and drains them).
  std::vector<std::array<std::uint32_t, 8>> audit() {
    std::vector<std::array<std::uint32_t, 8>> out;
    const std::uint32_t tail = rd(SHOAL_AUDIT_TAIL_ADDR);
    for (; audit_next_ != tail; ++audit_next_) {
      std::array<std::uint32_t, 8> r{};
      const std::uint32_t base = SHOAL_AUDIT_RING_ADDR + (audit_next_ % SHOAL_PARAM_AUDIT_DEPTH) * 32;
      for (std::uint32_t i = 0; i < 8; ++i) r[i] = rd(base + 4 * i);
      out.push_back(r);
    }
    wr(SHOAL_AUDIT_HEAD_ADDR, audit_next_);
    return out;
  }

  std::uint64_t events() const { return events_; }

 private:
  static std::string hex(std::uint32_t v) {
    char b[16];
    std::snprintf(b, sizeof b, "%x", v);
    return b;
  }
  CardModel& m_;
  std::array<std::uint32_t, SHOAL_PARAM_NUM_PARTITIONS + 1> sq_tail_{}, cq_head_{}, pending_tag_{};
  std::array<std::uint64_t, SHOAL_PARAM_NUM_PARTITIONS + 1> irq_seen_{};
  std::uint32_t tag_ = 0, audit_next_ = 0;
  std::uint64_t events_ = 0;
};

Words cmd(std::uint32_t op) {
  Words w{};
  SHOAL_SET(w.data(), SHOAL_SQE_OPCODE, op);
  const shoal_proto_cmd* c = shoal_proto_find(op);
  SHOAL_SET(w.data(), SHOAL_SQE_VERSION, c ? c->version : 1u);
  return w;
}
#define WSET(w, F, v) SHOAL_SET((w).data(), F, (v))

void expect_ok(const Words& c, const char* what) {
  const std::uint32_t s = SHOAL_GET(c.data(), SHOAL_CQE_STATUS);
  if (s != SHOAL_ST_OK) {
    const char* n = shoal_proto_status_name(s);
    fail(std::string(what) + ": " + (n ? n : std::to_string(s)));
  }
}

struct Stats {
  std::vector<double> v;
  void add(double x) { v.push_back(x); }
  double q(double p) {
    if (v.empty()) return 0;
    std::sort(v.begin(), v.end());
    const std::size_t i = std::min(v.size() - 1, static_cast<std::size_t>(p * (v.size() - 1) + 0.5));
    return v[i];
  }
};

// name.p50/p99 in cycles and µs, with the sample count and the extremes as parameters
void report(shoal::bench::Report& r, const std::string& name, Stats s, const std::string& what) {
  if (s.v.empty()) {
    r.add(name + ".p50", std::nullopt, "cycles", "{\"what\": " + shoal::bench::json_string(what) + "}");
    r.add(name + ".p99", std::nullopt, "cycles");
    return;
  }
  const double p50 = s.q(0.50), p99 = s.q(0.99), lo = s.v.front(), hi = s.v.back();
  const std::string par = "{\"samples\": " + std::to_string(s.v.size()) + ", \"min\": " + shoal::bench::json_number(lo) +
                          ", \"max\": " + shoal::bench::json_number(hi) +
                          ", \"what\": " + shoal::bench::json_string(what) + "}";
  const std::string shown = std::to_string(s.v.size()) + " samples, min " + shoal::bench::json_number(lo) + ", max " +
                            shoal::bench::json_number(hi);
  r.add(name + ".p50", p50, "cycles", par).shown = shown;
  r.add(name + ".p99", p99, "cycles", par).shown = shown;
  r.add(name + ".p50_us", p50 / kClockMHz, "us", "{\"clock_mhz\": 100}").shown = "at 100 MHz";
  r.add(name + ".p99_us", p99 / kClockMHz, "us", "{\"clock_mhz\": 100}").shown = "at 100 MHz";
}

// Watches the processor ports every cycle: which processors run where, and how long each took
// to quiesce after its last pause (the drain the figures exclude).
class Procs {
 public:
  explicit Procs(CardModel& m) : m_(m) { snap(); }
  void snap() {
    for (std::uint32_t p = 0; p < kP; ++p) {
      const auto s = m_.processor(p);
      if (s.pauses != last_[p].pauses) pause_at_[p] = m_.cycle();
      if (s.quiesced && !last_[p].quiesced && pause_at_[p]) drain_[p] = m_.cycle() - pause_at_[p];
      last_[p] = s;
    }
  }
  bool running_in(std::uint32_t p, std::uint32_t part) const {
    return last_[p].online && !last_[p].quiesced && last_[p].partition == part;
  }
  std::vector<std::uint32_t> in(std::uint32_t part) const {
    std::vector<std::uint32_t> o;
    for (std::uint32_t p = 0; p < kP; ++p)
      if (running_in(p, part)) o.push_back(p);
    return o;
  }
  const shoal::sim::ProcessorStatus& status(std::uint32_t p) const { return last_[p]; }
  // the drain of processor p's last pause if it began at or after `since`, else 0
  std::uint64_t drain_since(std::uint32_t p, std::uint64_t since) const {
    return pause_at_[p] >= since ? drain_[p] : 0;
  }

 private:
  CardModel& m_;
  std::array<shoal::sim::ProcessorStatus, kP> last_{};
  std::array<std::uint64_t, kP> pause_at_{}, drain_{};
};

// Steps until a processor not in `before` runs in `part`; returns it, `*at` = that cycle.
std::uint32_t wait_new_proc(CardModel& m, Procs& pr, std::uint32_t part, const std::vector<std::uint32_t>& before,
                            std::uint64_t* at, std::uint64_t limit) {
  for (std::uint64_t n = 0; n < limit; ++n) {
    for (std::uint32_t p = 0; p < kP; ++p)
      if (pr.running_in(p, part) && std::find(before.begin(), before.end(), p) == before.end()) {
        *at = m.cycle();
        return p;
      }
    m.step(1);
    pr.snap();
  }
  fail("no new processor ran in partition " + std::to_string(part) + " within " + std::to_string(limit) + " cycles");
}

// Progress on stderr: in place on a terminal, else a line every 10 %.
void progress(const char* what, unsigned i, unsigned n) {
  static const bool tty = isatty(2) != 0;
  const unsigned done = i + 1;
  if (tty) {
    if (done == n || done % 10 == 0) std::fprintf(stderr, "\rbench-service: %s %u/%u%s", what, done, n, done == n ? "\n" : "");
  } else if (n >= 10 && done % (n / 10) == 0) {
    std::fprintf(stderr, "bench-service: %s %u/%u\n", what, done, n);
  }
}

struct Args {
  unsigned samples = 1000;
  std::string json;
  unsigned window = 1000;
};

int run(const Args& a) {
  shoal::bench::Report rep("bench-service");
  auto model = shoal::sim::make_card_model();
  CardModel& m = *model;
  for (std::uint32_t p = 0; p < kP; ++p) m.set_processor(p, {8, 0, 0, 0});
  Host h(m);
  std::fprintf(stderr, "bench-service: booting the card (default firmware)...\n");
  h.boot();
  const std::uint64_t boot_cycles = m.cycle();
  // audit times are the card's CYCLE counter; the model's cycle() counts from before reset
  const std::uint64_t cyc_lo = h.rd(SHOAL_CTRL_CYCLE_LO_ADDR);
  const std::uint64_t off = m.cycle() - ((std::uint64_t(h.rd(SHOAL_CTRL_CYCLE_HI_ADDR)) << 32) | cyc_lo);

  // STATIC for the request figures: only the commands move anything
  {
    Words c = cmd(SHOAL_OP_POLICY_SET);
    WSET(c, SHOAL_OP_POLICY_SET_POLICY, SHOAL_OP_POLICY_SET_POLICY_STATIC);
    WSET(c, SHOAL_OP_POLICY_SET_EPOCH_WINDOWS, 255);
    WSET(c, SHOAL_OP_POLICY_SET_WINDOW, a.window);
    WSET(c, SHOAL_OP_POLICY_SET_ALPHA, 0);
    expect_ok(h.call(kAdmin, c), "POLICY_SET STATIC");
  }
  Words create = cmd(SHOAL_OP_PART_CREATE);
  WSET(create, SHOAL_OP_PART_CREATE_PARTITION, 0);
  WSET(create, SHOAL_OP_PART_CREATE_PRIO, 4);
  expect_ok(h.call(kAdmin, create), "PART_CREATE 0");
  const std::uint32_t q0 = SHOAL_QUEUE_PARTITION(0);

  // 1. doorbell -> completion, no migration: a cache way, requested and released
  Stats req, rel, req_alloc;
  std::fprintf(stderr, "bench-service: %u cache-way requests and releases...\n", a.samples);
  for (unsigned i = 0; i < a.samples; ++i) {
    Words c = cmd(SHOAL_OP_REQUEST);
    WSET(c, SHOAL_OP_REQUEST_PARTITION, 0);
    WSET(c, SHOAL_OP_REQUEST_TYPE, SHOAL_RES_CACHE_WAYS);
    WSET(c, SHOAL_OP_REQUEST_AMOUNT, 1);
    (void)m.take_events();
    std::uint64_t t0 = 0, t1 = 0;
    expect_ok(h.call(q0, c, &t0, &t1), "REQUEST cache way");
    req.add(double(t1 - t0));
    for (const auto& e : m.take_events())
      if (e.kind == shoal::sim::CardEvent::Kind::Alloc) {
        req_alloc.add(double(e.cycle - t0));
        break;
      }
    Words r = cmd(SHOAL_OP_RELEASE);
    WSET(r, SHOAL_OP_RELEASE_PARTITION, 0);
    WSET(r, SHOAL_OP_RELEASE_TYPE, SHOAL_RES_CACHE_WAYS);
    WSET(r, SHOAL_OP_RELEASE_AMOUNT, 1);
    expect_ok(h.call(q0, r, &t0, &t1), "RELEASE cache way");
    rel.add(double(t1 - t0));
    (void)h.audit();
    progress("cache-way requests", i, a.samples);
  }
  report(rep, "service.request_to_completion", req,
         "REQUEST of 1 cache way on partition 0's queue: the doorbell write's last cycle -> the host interrupt for its completion");
  report(rep, "service.request_to_alloc_grant", req_alloc,
         "the same request: doorbell -> the ALLOC's GRANT event (the firmware took, checked and ran it)");
  report(rep, "service.release_to_completion", rel, "RELEASE of the cache way: doorbell -> completion interrupt");

  // 2. CPU request -> processor running in the partition (its drain excluded)
  Procs pr(m);
  Stats cpu_run, cpu_done, cpu_rel;
  std::uint64_t drained = 0;
  std::fprintf(stderr, "bench-service: %u processor requests and releases...\n", a.samples);
  for (unsigned i = 0; i < a.samples; ++i) {
    const auto before = pr.in(0);
    Words c = cmd(SHOAL_OP_REQUEST);
    WSET(c, SHOAL_OP_REQUEST_PARTITION, 0);
    WSET(c, SHOAL_OP_REQUEST_TYPE, SHOAL_RES_CPU);
    WSET(c, SHOAL_OP_REQUEST_AMOUNT, 1);
    const std::uint64_t t0 = h.submit(q0, c);
    pr.snap();
    // every cycle: the processor ports and the host interrupt (the CQE is read afterwards, so
    // reading it takes no cycles from the watch)
    const std::uint32_t bit = 1u << (SHOAL_PARAM_HOST_IRQ_QUEUE_BASE + q0);
    std::uint64_t run_at = 0, done_at = 0;
    std::uint32_t moved = kP;
    for (std::uint64_t n = 0; (!done_at || moved == kP) && n < 5'000'000; ++n) {
      m.step(1);
      pr.snap();
      if (!done_at && (m.irq() & bit)) done_at = m.cycle();
      if (moved == kP)
        for (std::uint32_t p = 0; p < kP; ++p)
          if (pr.running_in(p, 0) && std::find(before.begin(), before.end(), p) == before.end()) {
            moved = p;
            run_at = m.cycle();
          }
    }
    Words out{};
    std::uint64_t ignored = 0;
    bool done = false;
    for (std::uint64_t n = 0; done_at && !done && n < 5'000'000; ++n) done = h.poll(q0, &out, &ignored);
    if (done) expect_ok(out, "REQUEST cpu");
    if (moved == kP || !done) fail("a processor request did not complete with a running processor");
    const std::uint64_t drain = pr.drain_since(moved, t0);
    drained += drain ? 1 : 0;
    cpu_run.add(double(run_at - t0 - drain));
    cpu_done.add(double(done_at - t0));
    Words r = cmd(SHOAL_OP_RELEASE);
    WSET(r, SHOAL_OP_RELEASE_PARTITION, 0);
    WSET(r, SHOAL_OP_RELEASE_TYPE, SHOAL_RES_CPU);
    WSET(r, SHOAL_OP_RELEASE_AMOUNT, 1);
    std::uint64_t r0 = 0, r1 = 0;
    expect_ok(h.call(q0, r, &r0, &r1), "RELEASE cpu");
    cpu_rel.add(double(r1 - r0));
    pr.snap();
    (void)h.audit();
    progress("processor requests", i, a.samples);
  }
  report(rep, "service.cpu_request_to_running", cpu_run,
         "REQUEST of 1 processor: doorbell -> the processor runs in the partition (DRRM resumed it there), its quiesce time subtracted");
  report(rep, "service.cpu_request_to_completion", cpu_done, "the same request: doorbell -> its completion interrupt");
  report(rep, "service.cpu_release_to_completion", cpu_rel, "RELEASE of the processor: doorbell -> completion interrupt");
  rep.note(std::to_string(drained) + " of " + std::to_string(a.samples) +
           " moved processors had to be paused and drained first (their drain, 8 cycles here, is excluded); the others came from the parked pool");

  // 3. threshold crossing -> processor running (the reactive policy's fast path)
  {
    Words c = cmd(SHOAL_OP_POLICY_SET);
    WSET(c, SHOAL_OP_POLICY_SET_POLICY, SHOAL_OP_POLICY_SET_POLICY_REACTIVE);
    WSET(c, SHOAL_OP_POLICY_SET_EPOCH_WINDOWS, 255);
    WSET(c, SHOAL_OP_POLICY_SET_WINDOW, a.window);
    WSET(c, SHOAL_OP_POLICY_SET_ALPHA, 0);
    expect_ok(h.call(kAdmin, c), "POLICY_SET REACTIVE");
    Words l = cmd(SHOAL_OP_PART_CONFIGURE);
    WSET(l, SHOAL_OP_PART_CONFIGURE_PARTITION, 0);
    WSET(l, SHOAL_OP_PART_CONFIGURE_SET, SHOAL_OP_PART_CONFIGURE_SET_LIMITS | SHOAL_OP_PART_CONFIGURE_SET_THRESH);
    WSET(l, SHOAL_OP_PART_CONFIGURE_TYPES, 1u << SHOAL_RES_CPU);
    SHOAL_SET_I(l.data(), SHOAL_OP_PART_CONFIGURE_FLOOR, SHOAL_RES_CPU, 1);
    SHOAL_SET_I(l.data(), SHOAL_OP_PART_CONFIGURE_CAP, SHOAL_RES_CPU, 2);
    WSET(l, SHOAL_OP_PART_CONFIGURE_THR_HI, 0xC000);  // 75 %
    WSET(l, SHOAL_OP_PART_CONFIGURE_THR_LO, 0x4000);  // 25 %
    expect_ok(h.call(kAdmin, l), "PART_CONFIGURE limits + thresholds");
    Words r = cmd(SHOAL_OP_REQUEST);
    WSET(r, SHOAL_OP_REQUEST_PARTITION, 0);
    WSET(r, SHOAL_OP_REQUEST_TYPE, SHOAL_RES_CPU);
    WSET(r, SHOAL_OP_REQUEST_AMOUNT, 1);
    expect_ok(h.call(kAdmin, r), "REQUEST 1 processor (the floor)");
  }
  Stats cross_run, dec_up, dec_down, handler;
  std::uint64_t poll_reads = 0, poll_cycles = 0;
  std::fprintf(stderr, "bench-service: %u threshold crossings (window %u cycles)...\n", a.samples, a.window);
  const std::uint64_t limit = 200ull * a.window;
  for (unsigned i = 0; i < a.samples; ++i) {
    // idle: back to one processor (a down crossing gives the second one back)
    for (std::uint32_t p = 0; p < kP; ++p) m.set_processor(p, {8, 0, 0, 0});
    for (std::uint64_t n = 0;; ++n) {
      m.step(16);
      pr.snap();
      if (pr.in(0).size() == 1 && n * 16 > 3ull * a.window) break;
      if (n * 16 > limit) fail("partition 0 did not go back to one processor");
    }
    // busy: its processor runs flat out; the EWMA crosses HI at a window's end
    const auto before = pr.in(0);
    for (std::uint32_t p : before) m.set_processor(p, {8, 100, 0, 0});
    const std::uint32_t evt0 = h.rd(SHOAL_WMU_EVT_COUNT_ADDR);
    std::uint64_t crossed = 0;
    for (std::uint64_t c0 = m.cycle(); !crossed;) {
      const std::uint64_t r0 = m.cycle();
      if (h.rd(SHOAL_WMU_EVT_COUNT_ADDR) != evt0) crossed = m.cycle();
      poll_cycles += m.cycle() - r0;
      ++poll_reads;
      pr.snap();
      if (m.cycle() - c0 > limit) fail("no threshold crossing");
    }
    std::uint64_t run_at = 0;
    const std::uint32_t moved = wait_new_proc(m, pr, 0, before, &run_at, limit);
    cross_run.add(double(run_at - crossed - pr.drain_since(moved, crossed)));
    for (const auto& rec : h.audit()) {
      const std::uint32_t kind = SHOAL_GET(rec.data(), SHOAL_AUDIT_KIND);
      if (kind == SHOAL_AUDIT_KIND_THRESHOLD && (SHOAL_GET(rec.data(), SHOAL_AUDIT_FLAGS) & 1u)) {
        const std::uint64_t t = (std::uint64_t(rec[2]) << 32 | rec[1]) + off;
        if (t >= crossed) handler.add(double(t - crossed));
      }
      if (SHOAL_GET(rec.data(), SHOAL_AUDIT_KIND) != SHOAL_AUDIT_KIND_DECISION) continue;
      const std::uint32_t f = SHOAL_GET(rec.data(), SHOAL_AUDIT_FLAGS);
      if (!(f & 8u)) continue;  // an epoch's decision, not a crossing's
      (f & 1u ? dec_up : dec_down).add(double(SHOAL_GET(rec.data(), SHOAL_AUDIT_DATA_HI)));
    }
    progress("threshold crossings", i, a.samples);
  }
  for (const auto& rec : h.audit()) {  // the last down crossing's decision
    const std::uint32_t f = SHOAL_GET(rec.data(), SHOAL_AUDIT_FLAGS);
    if (SHOAL_GET(rec.data(), SHOAL_AUDIT_KIND) == SHOAL_AUDIT_KIND_DECISION && (f & 8u) && (f & 2u))
      dec_down.add(double(SHOAL_GET(rec.data(), SHOAL_AUDIT_DATA_HI)));
  }
  report(rep, "service.crossing_to_running", cross_run,
         "partition 0's EWMA crosses HI (WMU EVT_COUNT moved) -> a second processor runs in it, its quiesce time subtracted");
  report(rep, "service.crossing_to_handler", handler,
         "the crossing -> the THRESHOLD audit record the firmware's handler writes first (interrupt entry, WMU reads)");
  report(rep, "service.decision.crossing_up", dec_up,
         "the firmware's decision on an up crossing: its handler's entry -> the DECISION record (data_hi)");
  report(rep, "service.decision.crossing_down", dec_down, "the same for the down crossings that gave the processor back");
  const double res = poll_reads ? double(poll_cycles) / double(poll_reads) : 0;
  char resbuf[32];
  std::snprintf(resbuf, sizeof resbuf, "%.1f", res);
  rep.note("the crossing is seen by polling WMU EVT_COUNT over BAR0: the crossing happened up to " +
           std::string(resbuf) + " cycles (one read) before it was seen, so crossing_to_running may be that much short");
  rep.note("boot to 'allocation service up': " + std::to_string(boot_cycles) + " cycles; " + std::to_string(h.events()) +
           " queue events read and skipped; WMU window " + std::to_string(a.window) + " cycles, EWMA alpha 2^0");
  rep.note("the epoch planner's decide() on the soft core: see bench-policy (predictor.oncore.*)");
  rep.print_table();
  if (!a.json.empty() && !rep.write_json(a.json)) return 1;
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "bench-service: the allocation service's latencies on the co-simulated card (card cycles, p50/p99, and µs at 100 MHz): "
      "request doorbell -> completion, processor request -> processor running, WMU threshold crossing -> processor "
      "running, and the firmware's decision time. Runs the Verilated card in this process, a cycle at a time: 1000 samples take tens of minutes (progress on stderr)."};
  Args a;
  app.add_option("--samples", a.samples, "events per figure (default 1000)")->check(CLI::Range(1u, 100000u));
  app.add_option("--window", a.window, "WMU window in card cycles for the crossing figures (default 1000)")
      ->check(CLI::Range(290u, 1000000u));
  app.add_option("--json", a.json, "also write the figures as JSON to FILE");
  CLI11_PARSE(app, argc, argv);
  try {
    return run(a);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench-service: %s\n", e.what());
    return 1;
  }
}
