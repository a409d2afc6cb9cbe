// shoal_audit alone (docs/audit.md): the record each source writes (layout from the protocol
// schema, shoal/proto.h), continuous sequence numbers, draining through HEAD and its checks,
// the firmware's own records and who may write them, the GAP record with the exact number of
// records dropped while the ring was full, the ALLOC port's back-pressure, and conservation
// under random load (every event is either in the ring, in order, or counted in a GAP record).
#include <catch2/catch.hpp>

#include <cstdint>
#include <deque>
#include <random>
#include <vector>

#include <verilated.h>

#include "Vshoal_audit_default.h"
#include "Vshoal_audit_small.h"
#include "shoal/proto.h"
#include "shoal/regs.h"

namespace {

constexpr uint32_t W = SHOAL_PROTO_AUDIT_WORDS;
using Rec = std::vector<uint32_t>;

// What a source puts in (before the card adds seq, time and actor).
struct In {
  enum Src { Alloc, Mig, Viol, Fw } src;
  uint64_t word = 0;                   // Alloc: the event; Fw: unused
  uint32_t op = 0, tag = 0, part = 0;  // Mig
  bool timeout = false;
  uint64_t mask = 0;
  uint32_t proc = 0, addr = 0, reason = 0;  // Viol
  bool we = false;
  uint32_t fw[5] = {};                      // Fw
};

template <class V>
class Tb {
 public:
  Tb() {
    m_.clk_i = 0;
    m_.rst_ni = 0;
    idle();
    m_.eval();
    tick();
    m_.rst_ni = 1;
    m_.eval();
  }
  ~Tb() { m_.final(); }
  void idle() {
    m_.reg_req_i = 0;
    m_.alloc_valid_i = 0;
    m_.evm_valid_i = 0;
    m_.evv_valid_i = 0;
  }
  // one clock edge; the inputs set before it are sampled at it
  void tick() {
    m_.cycle_i = cycle_;
    m_.eval();
    if (m_.alloc_valid_i && m_.alloc_ready_o) ++alloc_taken_;
    m_.clk_i = 1;
    m_.eval();
    m_.clk_i = 0;
    ++cycle_;
    m_.eval();
  }
  struct R {
    uint32_t data;
    bool err;
  };
  R access(bool we, uint32_t off, uint32_t wd = 0, bool core = false, uint32_t strb = 0xF) {
    m_.reg_req_i = 1;
    m_.reg_we_i = we;
    m_.reg_addr_i = off;
    m_.reg_wdata_i = wd;
    m_.reg_wstrb_i = strb;
    m_.reg_core_i = core;
    tick();
    m_.reg_req_i = 0;
    m_.eval();
    REQUIRE(m_.reg_ack_o);
    R r{m_.reg_rdata_o, m_.reg_err_o != 0};
    tick();
    return r;
  }
  uint32_t rd(uint32_t off) { return access(false, off).data; }
  bool wr(uint32_t off, uint32_t v, bool core = false) { return !access(true, off, v, core).err; }
  uint32_t depth() { return rd(SHOAL_AUDIT_PARAMS_OFFSET) & SHOAL_AUDIT_PARAMS_DEPTH_MASK; }
  Rec record(uint32_t seq) {
    const uint32_t d = depth();
    Rec r(W);
    for (uint32_t i = 0; i < W; ++i) r[i] = rd(SHOAL_AUDIT_RING_OFFSET + ((seq % d) * W + i) * 4);
    return r;
  }
  // Present one input in the next cycle (hardware lanes: a one-cycle pulse; the ALLOC port is
  // held until taken). Returns the cycle value its record must carry.
  uint64_t drive(const In& in) {
    switch (in.src) {
      case In::Alloc: {
        m_.alloc_valid_i = 1;
        m_.alloc_ev_i = in.word;
        for (int guard = 0; guard < 100; ++guard) {
          m_.cycle_i = cycle_;
          m_.eval();
          const bool taken = m_.alloc_ready_o;
          const uint64_t at = cycle_;
          tick();
          if (taken) {
            m_.alloc_valid_i = 0;
            return at;
          }
        }
        FAIL("the ALLOC port was never taken");
        return 0;
      }
      case In::Mig:
        m_.evm_valid_i = 1;
        m_.evm_op_i = in.op;
        m_.evm_tag_i = in.tag;
        m_.evm_part_i = in.part;
        m_.evm_timeout_i = in.timeout;
        m_.evm_mask_i = in.mask;
        break;
      case In::Viol:
        m_.evv_valid_i = 1;
        m_.evv_proc_i = in.proc;
        m_.evv_addr_i = in.addr;
        m_.evv_we_i = in.we;
        m_.evv_reason_i = in.reason;
        break;
      case In::Fw:
        for (int i = 0; i < 5; ++i) REQUIRE(wr(SHOAL_AUDIT_FW_REC_OFFSET + 4 * i, in.fw[i], true));
        {
          // the FW_PUSH write is sampled at the edge after the request
          const uint64_t at = cycle_;
          REQUIRE(wr(SHOAL_AUDIT_FW_PUSH_OFFSET, 1, true));
          return at;
        }
    }
    const uint64_t at = cycle_;
    tick();
    idle();
    return at;
  }
  uint64_t cycle() const { return cycle_; }
  uint64_t alloc_taken() const { return alloc_taken_; }
  V& pins() { return m_; }

 private:
  VerilatedContext ctx_;
  V m_{&ctx_};
  uint64_t cycle_ = 0x1'0000'0000ull - 50;  // the timestamp's high word changes early
  uint64_t alloc_taken_ = 0;
};

uint32_t f(const Rec& r, uint32_t word, uint32_t lsb, uint32_t width) {
  return shoal_proto_get(r.data(), word, lsb, width);
}
#define AF(r, F) f((r), SHOAL_AUDIT_##F##_WORD, SHOAL_AUDIT_##F##_LSB, SHOAL_AUDIT_##F##_WIDTH)

// the record the card must write for `in`, with seq, time and actor (docs/commands.md)
Rec expected(const In& in, uint32_t seq, uint64_t time, uint32_t actor) {
  Rec r(W, 0);
  auto put = [&](uint32_t word, uint32_t lsb, uint32_t width, uint32_t v) {
    shoal_proto_set(r.data(), word, lsb, width, v);
  };
#define PUT(F, v) put(SHOAL_AUDIT_##F##_WORD, SHOAL_AUDIT_##F##_LSB, SHOAL_AUDIT_##F##_WIDTH, (v))
  if (in.src == In::Fw) {
    for (int i = 0; i < 5; ++i) r[3 + i] = in.fw[i];
    PUT(SOURCE, SHOAL_AUDIT_SRC_FIRMWARE);
  } else {
    PUT(ACTOR, actor);
  }
  PUT(SEQ, seq);
  PUT(TIME_LO, uint32_t(time));
  PUT(TIME_HI, uint32_t(time >> 32));
  if (in.src == In::Alloc) {
    const uint64_t e = in.word;
    PUT(KIND, e & 0xF);
    PUT(SOURCE, SHOAL_AUDIT_SRC_ALLOC);
    PUT(RTYPE, (e >> 4) & 0xF);
    PUT(PART, (e >> 8) & 0xFF);
    PUT(PART2, (e >> 16) & 0xFF);
    PUT(STATUS, (e >> 24) & 0xF);
    PUT(AMOUNT, (e >> 32) & 0xFFFF);
    PUT(AUX, (e >> 48) & 0xFFFF);
    PUT(DATA_LO, uint32_t(e));
    PUT(DATA_HI, uint32_t(e >> 32));
  } else if (in.src == In::Mig) {
    PUT(KIND, in.timeout ? SHOAL_AUDIT_KIND_ROLLBACK : SHOAL_AUDIT_KIND_MIGRATE);
    PUT(SOURCE, SHOAL_AUDIT_SRC_MIGRATION);
    PUT(STATUS, in.timeout ? SHOAL_DRRM_CPL_HEAD_STATUS_TIMEOUT : SHOAL_DRRM_CPL_HEAD_STATUS_OK);
    PUT(PART, in.part);
    PUT(AMOUNT, uint32_t(__builtin_popcountll(in.mask)));
    PUT(AUX, in.op << 8 | in.tag);
    PUT(DATA_LO, uint32_t(in.mask));
    PUT(DATA_HI, uint32_t(in.mask >> 32));
  } else if (in.src == In::Viol) {
    PUT(KIND, SHOAL_AUDIT_KIND_VIOLATION);
    PUT(SOURCE, SHOAL_AUDIT_SRC_VIOLATION);
    PUT(STATUS, in.reason);
    PUT(FLAGS, in.we ? 1 : 0);
    PUT(AMOUNT, in.proc);
    PUT(DATA_LO, in.addr);
  }
#undef PUT
  return r;
}

In random_in(std::mt19937& rng, In::Src src) {
  In in{src};
  switch (src) {
    case In::Alloc:
      in.word = (uint64_t(rng()) << 32 | rng()) & ~0x00000000F0000000ull;  // bits 31:28 are 0
      in.word = (in.word & ~0xFull) | (1 + rng() % 5);
      break;
    case In::Mig:
      in.op = 1 + rng() % 6;
      in.tag = rng() % 256;
      in.part = rng() % SHOAL_PARAM_NUM_PARTITIONS;
      in.timeout = rng() % 4 == 0;
      in.mask = rng() % 8 == 0 ? ~0ull : (uint64_t(rng()) << 32 | rng());
      break;
    case In::Viol:
      in.proc = rng() % 256;
      in.addr = rng();
      in.we = rng() % 2;
      in.reason = rng() % 4;
      break;
    case In::Fw:
      for (auto& w : in.fw) w = rng();
      in.fw[0] &= ~(0xFu << SHOAL_AUDIT_SOURCE_LSB);  // the card sets the source field
      break;
  }
  return in;
}

bool is_gap(const Rec& r) { return AF(r, KIND) == SHOAL_AUDIT_KIND_GAP; }

}  // namespace

TEST_CASE("each source writes its record, sequence-numbered and timestamped", "[audit]") {
  Tb<Vshoal_audit_default> tb;
  std::mt19937 rng(1);
  REQUIRE(tb.depth() == SHOAL_PARAM_AUDIT_DEPTH);
  REQUIRE(tb.rd(SHOAL_AUDIT_ACTOR_OFFSET) == 0xFF);
  REQUIRE(tb.rd(SHOAL_AUDIT_STATUS_OFFSET) == SHOAL_AUDIT_STATUS_EMPTY_MASK);
  std::vector<std::pair<In, uint64_t>> sent;
  uint32_t actor = 0xFF;
  std::vector<uint32_t> actors;
  for (int i = 0; i < 200; ++i) {
    if (i % 17 == 0) {
      actor = rng() % 18;
      REQUIRE(tb.wr(SHOAL_AUDIT_ACTOR_OFFSET, actor, true));
    }
    const In in = random_in(rng, In::Src(i % 4));
    sent.push_back({in, tb.drive(in)});
    actors.push_back(actor);
    for (int k = 0; k < 3; ++k) tb.tick();  // let it drain
  }
  REQUIRE(tb.rd(SHOAL_AUDIT_TAIL_OFFSET) == sent.size());
  for (uint32_t s = 0; s < sent.size(); ++s) {
    INFO("record " << s << " source " << int(sent[s].first.src));
    REQUIRE(tb.record(s) == expected(sent[s].first, s, sent[s].second, actors[s]));
  }
  REQUIRE(tb.rd(SHOAL_AUDIT_DROPPED_OFFSET) == 0);
  for (uint32_t src = 1; src <= 4; ++src)
    REQUIRE(tb.rd(SHOAL_AUDIT_SRC_COUNT_OFFSET + 4 * src) == 50);
  REQUIRE(tb.rd(SHOAL_AUDIT_SRC_COUNT_OFFSET) == 0);
}

TEST_CASE("only the soft core writes firmware records and the actor; HEAD is checked",
          "[audit]") {
  Tb<Vshoal_audit_default> tb;
  uint32_t bad = 0;
  REQUIRE_FALSE(tb.wr(SHOAL_AUDIT_FW_REC_OFFSET, 0x1234, false));
  REQUIRE_FALSE(tb.wr(SHOAL_AUDIT_FW_PUSH_OFFSET, 1, false));
  REQUIRE_FALSE(tb.wr(SHOAL_AUDIT_ACTOR_OFFSET, 3, false));
  bad += 3;
  REQUIRE(tb.rd(SHOAL_AUDIT_FW_REC_OFFSET) == 0);
  REQUIRE(tb.rd(SHOAL_AUDIT_ACTOR_OFFSET) == 0xFF);
  REQUIRE(tb.rd(SHOAL_AUDIT_TAIL_OFFSET) == 0);
  for (uint32_t r : {SHOAL_AUDIT_ID_OFFSET, SHOAL_AUDIT_TAIL_OFFSET, SHOAL_AUDIT_DROPPED_OFFSET,
                     SHOAL_AUDIT_RING_OFFSET}) {
    REQUIRE_FALSE(tb.wr(r, 0, true));
    ++bad;
  }
  // HEAD: only values in [HEAD, TAIL]
  std::mt19937 rng(2);
  for (int i = 0; i < 5; ++i) {
    tb.drive(random_in(rng, In::Viol));
    tb.tick();
  }
  REQUIRE(tb.rd(SHOAL_AUDIT_TAIL_OFFSET) == 5);
  REQUIRE_FALSE(tb.wr(SHOAL_AUDIT_HEAD_OFFSET, 6));
  REQUIRE_FALSE(tb.wr(SHOAL_AUDIT_HEAD_OFFSET, 0xFFFFFFFF));
  bad += 2;
  REQUIRE(tb.wr(SHOAL_AUDIT_HEAD_OFFSET, 2));
  REQUIRE_FALSE(tb.wr(SHOAL_AUDIT_HEAD_OFFSET, 1));  // backwards
  ++bad;
  REQUIRE(tb.wr(SHOAL_AUDIT_HEAD_OFFSET, 5));
  REQUIRE(tb.rd(SHOAL_AUDIT_HEAD_OFFSET) == 5);
  REQUIRE(tb.rd(SHOAL_AUDIT_STATUS_OFFSET) == SHOAL_AUDIT_STATUS_EMPTY_MASK);
  REQUIRE(tb.rd(SHOAL_AUDIT_BAD_WRITES_OFFSET) == bad);
  REQUIRE(tb.access(false, SHOAL_AUDIT_SRC_COUNT_OFFSET + 4 * 5).err);  // past the array
}

TEST_CASE("a full ring drops and counts; a GAP record carries the exact count", "[audit]") {
  Tb<Vshoal_audit_small> tb;
  const uint32_t d = tb.depth();
  REQUIRE(d == 16);
  std::mt19937 rng(3);
  std::vector<In> ins;
  const uint32_t extra = 23;
  for (uint32_t i = 0; i < d + extra; ++i) {
    ins.push_back(random_in(rng, In::Src(i % 3)));
    tb.drive(ins.back());
    tb.tick();
  }
  REQUIRE(tb.rd(SHOAL_AUDIT_TAIL_OFFSET) == d);
  REQUIRE(tb.rd(SHOAL_AUDIT_DROPPED_OFFSET) == extra);
  REQUIRE(tb.rd(SHOAL_AUDIT_DROP_PENDING_OFFSET) == extra);
  REQUIRE(tb.rd(SHOAL_AUDIT_STATUS_OFFSET) ==
          (SHOAL_AUDIT_STATUS_FULL_MASK | SHOAL_AUDIT_STATUS_GAP_PENDING_MASK));
  // the oldest records are kept
  for (uint32_t s = 0; s < d; ++s) REQUIRE(AF(tb.record(s), SEQ) == s);
  // drain 4: the GAP goes in at once, with the count
  REQUIRE(tb.wr(SHOAL_AUDIT_HEAD_OFFSET, 4));
  tb.tick();
  REQUIRE(tb.rd(SHOAL_AUDIT_TAIL_OFFSET) == d + 1);
  const Rec g = tb.record(d);
  REQUIRE(is_gap(g));
  REQUIRE(AF(g, SEQ) == d);
  REQUIRE(AF(g, SOURCE) == SHOAL_AUDIT_SRC_GAP);
  REQUIRE(AF(g, DATA_LO) == extra);
  REQUIRE(AF(g, AMOUNT) == extra);
  REQUIRE(tb.rd(SHOAL_AUDIT_DROP_PENDING_OFFSET) == 0);
  REQUIRE(tb.rd(SHOAL_AUDIT_DROPPED_OFFSET) == extra);
  // new records follow the gap with continuous sequence numbers
  const In next = random_in(rng, In::Viol);
  tb.drive(next);
  tb.tick();
  REQUIRE(AF(tb.record(d + 1), SEQ) == d + 1);
  REQUIRE(AF(tb.record(d + 1), KIND) == SHOAL_AUDIT_KIND_VIOLATION);
  REQUIRE(tb.rd(SHOAL_AUDIT_SRC_COUNT_OFFSET) == 1);  // one GAP record
}

TEST_CASE("the ALLOC port waits rather than loses; the DRRM lanes drop and count", "[audit]") {
  Tb<Vshoal_audit_default> tb;
  auto& p = tb.pins();
  std::mt19937 rng(4);
  // every cycle: an ALLOC event offered, a violation and (often) a migration pulse, so the
  // writer (one record per cycle) falls behind
  std::vector<uint64_t> alloc_in;
  uint64_t viol = 0, mig = 0, waits = 0;
  p.alloc_valid_i = 1;
  p.alloc_ev_i = 0x11;
  while (alloc_in.size() < 150) {
    p.evv_valid_i = rng() % 2;
    p.evv_addr_i = rng();
    p.evm_valid_i = rng() % 2;
    p.evm_mask_i = 1;
    p.cycle_i = tb.cycle();
    p.eval();
    if (p.alloc_ready_o) {
      alloc_in.push_back(p.alloc_ev_i);
    } else {
      ++waits;
    }
    viol += p.evv_valid_i;
    mig += p.evm_valid_i;
    const uint64_t next = (uint64_t(alloc_in.size() + 1) << 32) | (1 + alloc_in.size() % 5);
    const bool taken = p.alloc_ready_o;
    tb.tick();
    if (taken) p.alloc_ev_i = next;
  }
  tb.idle();
  for (int k = 0; k < 40; ++k) tb.tick();
  CHECK(waits > 0);  // the port did wait
  const uint32_t tail = tb.rd(SHOAL_AUDIT_TAIL_OFFSET);
  const uint32_t dropped = tb.rd(SHOAL_AUDIT_DROPPED_OFFSET);
  REQUIRE(dropped > 0);
  REQUIRE(tail < tb.depth());  // the ring never filled: every drop was a full lane FIFO
  // every ALLOC event is there, in order; the lanes' drops are all in GAP records
  std::vector<uint64_t> alloc_out;
  uint64_t gap_records = 0, gap_count = 0;
  for (uint32_t s = 0; s < tail; ++s) {
    const Rec r = tb.record(s);
    if (is_gap(r)) {
      ++gap_records;
      gap_count += AF(r, DATA_LO);
    }
    if (AF(r, SOURCE) == SHOAL_AUDIT_SRC_ALLOC)
      alloc_out.push_back(uint64_t(AF(r, DATA_HI)) << 32 | AF(r, DATA_LO));
  }
  REQUIRE(alloc_out == alloc_in);
  REQUIRE(tb.alloc_taken() == alloc_in.size());
  REQUIRE(gap_count == dropped);
  REQUIRE(tail == alloc_in.size() + viol + mig - dropped + gap_records);
}

TEST_CASE("random load with random draining: in order per source, nothing lost uncounted",
          "[audit][fuzz]") {
  Tb<Vshoal_audit_small> tb;
  auto& p = tb.pins();
  std::mt19937 rng(5);
  std::vector<std::vector<uint64_t>> sent(4);  // a key per input, per source
  uint32_t head = 0;
  std::vector<Rec> read;  // every record the host drained, in sequence order
  uint64_t key = 1;
  for (int c = 0; c < 20000; ++c) {
    const int load = (c / 2000) % 3;  // phases: light, heavy, overload
    const int pct = load == 0 ? 10 : load == 1 ? 40 : 90;
    p.evv_valid_i = int(rng() % 100) < pct;
    if (p.evv_valid_i) {
      p.evv_addr_i = uint32_t(key);
      sent[2].push_back(key++);
    }
    p.evm_valid_i = int(rng() % 100) < pct / 3;
    if (p.evm_valid_i) {
      p.evm_mask_i = key;
      sent[1].push_back(key++);
    }
    if (!p.alloc_valid_i && int(rng() % 100) < pct) {
      p.alloc_valid_i = 1;
      p.alloc_ev_i = key << 32 | 1;
    }
    p.cycle_i = tb.cycle();
    p.eval();
    const bool took = p.alloc_valid_i && p.alloc_ready_o;
    if (took) sent[0].push_back(p.alloc_ev_i >> 32);
    tb.tick();
    if (took) {
      p.alloc_valid_i = 0;
      ++key;
    }
    p.evv_valid_i = 0;
    p.evm_valid_i = 0;
    // the host drains now and then (slower during overload); its bus accesses take cycles, so
    // only while no ALLOC event is being offered (an offered event must be counted when taken)
    if (!p.alloc_valid_i && int(rng() % 100) < (load == 2 ? 2 : 20)) {
      p.eval();
      const uint32_t tail = tb.rd(SHOAL_AUDIT_TAIL_OFFSET);
      for (; head != tail; ++head) read.push_back(tb.record(head));
      REQUIRE(tb.wr(SHOAL_AUDIT_HEAD_OFFSET, head));
    }
  }
  p.alloc_valid_i = 0;
  for (int k = 0; k < 50; ++k) tb.tick();
  const uint32_t tail = tb.rd(SHOAL_AUDIT_TAIL_OFFSET);
  for (; head != tail; ++head) read.push_back(tb.record(head));
  REQUIRE(tb.wr(SHOAL_AUDIT_HEAD_OFFSET, head));
  for (int k = 0; k < 5; ++k) tb.tick();
  // a last GAP may still be due
  const uint32_t tail2 = tb.rd(SHOAL_AUDIT_TAIL_OFFSET);
  for (; head != tail2; ++head) read.push_back(tb.record(head));

  uint64_t gaps = 0, gap_records = 0;
  std::vector<std::vector<uint64_t>> got(4);
  for (uint32_t s = 0; s < read.size(); ++s) {
    const Rec& r = read[s];
    REQUIRE(AF(r, SEQ) == s);  // continuous
    if (is_gap(r)) {
      gaps += AF(r, DATA_LO);
      ++gap_records;
      continue;
    }
    switch (AF(r, SOURCE)) {
      case SHOAL_AUDIT_SRC_ALLOC: got[0].push_back(AF(r, DATA_HI)); break;
      case SHOAL_AUDIT_SRC_MIGRATION: got[1].push_back(uint64_t(AF(r, DATA_HI)) << 32 | AF(r, DATA_LO)); break;
      case SHOAL_AUDIT_SRC_VIOLATION: got[2].push_back(AF(r, DATA_LO)); break;
      default: FAIL("unexpected source " << AF(r, SOURCE));
    }
  }
  const uint32_t dropped = tb.rd(SHOAL_AUDIT_DROPPED_OFFSET);
  REQUIRE(gap_records > 0);  // the overload phases overflowed the ring
  REQUIRE(gaps == dropped);  // every drop is in a GAP record
  REQUIRE(tb.rd(SHOAL_AUDIT_DROP_PENDING_OFFSET) == 0);
  uint64_t in = 0, out = 0;
  for (int s = 0; s < 3; ++s) {
    INFO("source " << s << ": sent " << sent[s].size() << ", got " << got[s].size());
    in += sent[s].size();
    out += got[s].size();
    // what arrived is a subsequence of what was sent, in order
    std::size_t j = 0;
    for (uint64_t k : got[s]) {
      while (j < sent[s].size() && sent[s][j] != k) ++j;
      REQUIRE(j < sent[s].size());
      ++j;
    }
  }
  REQUIRE(out + dropped == in);  // conservation
  REQUIRE(tb.alloc_taken() == sent[0].size());
}
