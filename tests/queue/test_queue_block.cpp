// shoal_queue alone on the card-internal bus (docs/queues.md): identity and geometry of every
// page, who may write what (the origin bit), index checks, the rings' memory, the pending
// bitmap and both interrupts, and a long random run — biased to the boundaries (index 0,
// depth - 1, depth, all ones; every strobe pattern; page edges) — against a reference model
// written from the register map alone.
#include <catch2/catch.hpp>

#include <array>
#include <cstdint>
#include <map>
#include <random>
#include <vector>

#include <verilated.h>

#include "Vshoal_queue.h"
#include "shoal/regs.h"

namespace {

constexpr uint32_t NQ = SHOAL_PARAM_NUM_QUEUES;
constexpr uint32_t DEPTH = SHOAL_PARAM_QUEUE_DEPTH;
constexpr uint32_t EW = SHOAL_PARAM_QUEUE_ENTRY_WORDS;
constexpr uint32_t kPage = SHOAL_QUEUE_ID_STRIDE;  // 0x1000
constexpr uint32_t kCtl = SHOAL_QUEUE_CTL_PENDING_OFFSET & ~(kPage - 1);  // the control page

// block offsets of page q's registers and windows
uint32_t preg(uint32_t q, uint32_t page_off) { return q * kPage + page_off; }
constexpr uint32_t kId = SHOAL_QUEUE_ID_OFFSET, kGeo = SHOAL_QUEUE_GEOMETRY_OFFSET,
                   kSqTail = SHOAL_QUEUE_SQ_TAIL_OFFSET, kSqHead = SHOAL_QUEUE_SQ_HEAD_OFFSET,
                   kCqHead = SHOAL_QUEUE_CQ_HEAD_OFFSET, kCqTail = SHOAL_QUEUE_CQ_TAIL_OFFSET,
                   kIrqEn = SHOAL_QUEUE_IRQ_ENABLE_OFFSET, kIrqSt = SHOAL_QUEUE_IRQ_STATUS_OFFSET,
                   kBad = SHOAL_QUEUE_BAD_WRITES_OFFSET, kSq = SHOAL_QUEUE_SQ_OFFSET,
                   kCq = SHOAL_QUEUE_CQ_OFFSET;

struct Resp {
  uint32_t data;
  bool err;
};

class Bus {
 public:
  Bus() {
    m_.clk_i = 0;
    m_.rst_ni = 0;
    m_.reg_req_i = 0;
    m_.eval();
    tick();
    m_.rst_ni = 1;
    m_.eval();
  }
  ~Bus() { m_.final(); }
  void tick() {
    m_.clk_i = 1;
    m_.eval();
    m_.clk_i = 0;
    m_.eval();
  }
  Resp access(bool we, uint32_t off, uint32_t wdata, uint32_t strb, bool core) {
    m_.reg_req_i = 1;
    m_.reg_we_i = we;
    m_.reg_addr_i = off;
    m_.reg_wdata_i = wdata;
    m_.reg_wstrb_i = strb;
    m_.reg_core_i = core;
    tick();
    m_.reg_req_i = 0;
    m_.eval();
    REQUIRE(m_.reg_ack_o);  // every access is answered one cycle after the request
    Resp r{m_.reg_rdata_o, m_.reg_err_o != 0};
    tick();
    return r;
  }
  Resp rd(uint32_t off, bool core = false) { return access(false, off, 0, 0xF, core); }
  Resp wr(uint32_t off, uint32_t v, bool core = false, uint32_t strb = 0xF) {
    return access(true, off, v, strb, core);
  }
  uint32_t irq() const { return m_.irq_o; }
  bool core_irq() const { return m_.core_irq_o; }

 private:
  VerilatedContext ctx_;
  Vshoal_queue m_{&ctx_};
};

// The reference: what docs/queues.md and rtl/regmap/queue.toml say, nothing else.
class Model {
 public:
  Model() : ram_(NQ * 2 * DEPTH * EW, 0) {}

  // returns {data, err}; `known_ram` is false for a RAM word the model never saw written
  // (the RTL's RAM is not reset), in which case the caller does not compare read data
  Resp access(bool we, uint32_t off, uint32_t wd, uint32_t strb, bool core, bool& known) {
    known = true;
    uint32_t bm = 0;
    for (int b = 0; b < 4; ++b)
      if (strb & (1u << b)) bm |= 0xFFu << (8 * b);
    const uint32_t page = off / kPage, po = off % kPage & ~3u;
    auto refuse = [&](uint32_t q, bool count) -> Resp {
      if (we && count) {
        if (q < NQ) sat(bad_[q]);
        sat(bad_total_);
      }
      return {0, true};
    };
    if (page < NQ) {
      const uint32_t q = page;
      if (po >= kSq) {  // SQ or CQ window
        const bool cq = po >= kCq;
        const uint32_t w = q * 2 * DEPTH * EW + (cq ? DEPTH * EW : 0) + (po - (cq ? kCq : kSq)) / 4;
        if (we) {
          if (cq && !core) return refuse(q, true);
          ram_[w] = (ram_[w] & ~bm) | (wd & bm);
          written_[w] = true;
          return {0, false};
        }
        known = written_.count(w) != 0;
        return {ram_[w], false};
      }
      uint32_t* idx = nullptr;
      bool fw = false;
      switch (po) {
        case kId: return we ? refuse(q, true) : Resp{SHOAL_QUEUE_ID_RESET, false};
        case kGeo: return we ? refuse(q, true) : Resp{SHOAL_QUEUE_GEOMETRY_RESET, false};
        case kBad: return we ? refuse(q, true) : Resp{bad_[q], false};
        case kSqTail: idx = &sq_tail_[q]; break;
        case kSqHead: idx = &sq_head_[q]; fw = true; break;
        case kCqHead: idx = &cq_head_[q]; break;
        case kCqTail: idx = &cq_tail_[q]; fw = true; break;
        case kIrqEn:
          if (we) irq_en_[q] = ((irq_en_[q] & ~bm) | (wd & bm)) & 1u;
          return {we ? 0 : irq_en_[q], false};
        case kIrqSt:
          if (we && (strb & 1u) && (wd & 1u)) irq_st_[q] = 0;
          return {we ? 0 : irq_st_[q], false};
        default: return refuse(q, true);
      }
      if (!we) return {*idx, false};
      if (fw && !core) return refuse(q, true);
      const uint32_t v = (*idx & ~bm) | (wd & bm);
      if (v >= DEPTH) return refuse(q, true);
      if (idx == &cq_tail_[q] && v != *idx) irq_st_[q] = 1;
      *idx = v;
      return {0, false};
    }
    if (off >= kCtl && off < kCtl + kPage) {
      switch (off) {
        case SHOAL_QUEUE_CTL_PENDING_OFFSET: return we ? refuse(NQ, true) : Resp{pending(), false};
        case SHOAL_QUEUE_CTL_PARAMS_OFFSET: return we ? refuse(NQ, true) : Resp{SHOAL_QUEUE_CTL_PARAMS_RESET, false};
        case SHOAL_QUEUE_CTL_BAD_TOTAL_OFFSET: return we ? refuse(NQ, true) : Resp{bad_total_, false};
        case SHOAL_QUEUE_CTL_IRQ_ENABLE_OFFSET:
          if (!we) return {ctl_en_, false};
          if (!core) return refuse(NQ, true);
          ctl_en_ = (ctl_en_ & ~bm) | (wd & bm);
          return {0, false};
        default: return refuse(NQ, true);
      }
    }
    return refuse(NQ, true);
  }
  uint32_t pending() const {
    uint32_t p = 0;
    for (uint32_t q = 0; q < NQ; ++q)
      if (sq_tail_[q] != sq_head_[q]) p |= 1u << q;
    return p;
  }
  uint32_t irq() const {
    uint32_t v = 0;
    for (uint32_t q = 0; q < NQ; ++q)
      if (irq_en_[q] && irq_st_[q]) v |= 1u << q;
    return v;
  }
  bool core_irq() const { return (pending() & ctl_en_) != 0; }

 private:
  static void sat(uint32_t& c) {
    if (c != 0xFFFFFFFFu) ++c;
  }
  std::array<uint32_t, NQ> sq_tail_{}, sq_head_{}, cq_head_{}, cq_tail_{}, irq_en_{}, irq_st_{},
      bad_{};
  uint32_t bad_total_ = 0, ctl_en_ = 0;
  std::vector<uint32_t> ram_;
  std::map<uint32_t, bool> written_;
};

}  // namespace

TEST_CASE("every page has the block identity and the ring geometry", "[queue]") {
  Bus b;
  for (uint32_t q = 0; q < NQ; ++q) {
    INFO("queue " << q);
    REQUIRE(b.rd(preg(q, kId)).data == SHOAL_QUEUE_ID_RESET);
    const uint32_t geo = b.rd(preg(q, kGeo)).data;
    REQUIRE((geo & SHOAL_QUEUE_GEOMETRY_DEPTH_MASK) >> SHOAL_QUEUE_GEOMETRY_DEPTH_LSB == DEPTH);
    REQUIRE((geo & SHOAL_QUEUE_GEOMETRY_ENTRY_WORDS_MASK) >> SHOAL_QUEUE_GEOMETRY_ENTRY_WORDS_LSB == EW);
    for (uint32_t r : {kSqTail, kSqHead, kCqHead, kCqTail, kIrqEn, kIrqSt, kBad}) {
      REQUIRE(b.rd(preg(q, r)).data == 0);
    }
  }
  // past the last queue page, below the control page: nothing
  REQUIRE(b.rd(preg(NQ, kId)).err);
  REQUIRE(b.rd(kCtl - 4).err);
  REQUIRE(b.rd(preg(0, 0x7FC)).err);
  REQUIRE(b.rd(preg(0, kBad + 4)).err);
  REQUIRE(b.rd(SHOAL_QUEUE_CTL_PARAMS_OFFSET).data == SHOAL_QUEUE_CTL_PARAMS_RESET);
}

TEST_CASE("indices are checked: 0 .. depth - 1 accepted, depth and beyond refused and counted",
          "[queue]") {
  Bus b;
  uint32_t bad = 0;
  for (uint32_t r : {kSqTail, kCqHead}) {
    for (uint32_t v : {0u, 1u, DEPTH - 1}) {
      REQUIRE_FALSE(b.wr(preg(3, r), v).err);
      REQUIRE(b.rd(preg(3, r)).data == v);
    }
    for (uint32_t v : {DEPTH, DEPTH + 1, 0xFFFFu, 0x10000u, 0xFFFFFFFFu}) {
      INFO("value " << v);
      REQUIRE(b.wr(preg(3, r), v).err);
      ++bad;
      REQUIRE(b.rd(preg(3, r)).data == DEPTH - 1);  // unchanged
      REQUIRE(b.rd(preg(3, kBad)).data == bad);
    }
    // a partial strobe that would leave an index >= depth is refused too
    REQUIRE(b.wr(preg(3, r), 0x0100, false, 0x2).err);
    ++bad;
    REQUIRE(b.rd(preg(3, r)).data == DEPTH - 1);
    REQUIRE_FALSE(b.wr(preg(3, r), 0, false, 0x1).err);
    REQUIRE(b.rd(preg(3, r)).data == 0);
  }
  REQUIRE(b.rd(SHOAL_QUEUE_CTL_BAD_TOTAL_OFFSET).data == bad);
  REQUIRE(b.rd(preg(2, kBad)).data == 0);  // other pages untouched
  REQUIRE(b.rd(preg(4, kBad)).data == 0);
}

TEST_CASE("the firmware-written registers and the CQ take writes from the soft core only",
          "[queue]") {
  Bus b;
  for (uint32_t r : {kSqHead, kCqTail}) {
    REQUIRE(b.wr(preg(1, r), 2, false).err);
    REQUIRE(b.rd(preg(1, r)).data == 0);
    REQUIRE_FALSE(b.wr(preg(1, r), 2, true).err);
    REQUIRE(b.rd(preg(1, r)).data == 2);
  }
  REQUIRE(b.wr(preg(1, kCq), 0xDEADBEEF, false).err);
  REQUIRE_FALSE(b.wr(preg(1, kCq), 0xCAFEF00D, true).err);
  REQUIRE(b.rd(preg(1, kCq)).data == 0xCAFEF00D);
  REQUIRE(b.wr(SHOAL_QUEUE_CTL_IRQ_ENABLE_OFFSET, 1, false).err);
  REQUIRE(b.rd(SHOAL_QUEUE_CTL_IRQ_ENABLE_OFFSET).data == 0);
  REQUIRE_FALSE(b.wr(SHOAL_QUEUE_CTL_IRQ_ENABLE_OFFSET, 1, true).err);
  for (uint32_t r : {kId, kGeo, kBad}) REQUIRE(b.wr(preg(1, r), 0, true).err);
  REQUIRE(b.rd(preg(1, kBad)).data == 6);
}

TEST_CASE("rings are per page: a command written into one page appears in no other", "[queue]") {
  Bus b;
  for (uint32_t q = 0; q < NQ; ++q)
    for (uint32_t w = 0; w < DEPTH * EW; w += 37) REQUIRE_FALSE(b.wr(preg(q, kSq + 4 * w), q << 16 | w).err);
  for (uint32_t q = 0; q < NQ; ++q) {
    for (uint32_t w = 0; w < DEPTH * EW; w += 37) {
      REQUIRE(b.rd(preg(q, kSq + 4 * w)).data == (q << 16 | w));
      REQUIRE(b.rd(preg(q, kSq + 4 * w), true).data == (q << 16 | w));  // the firmware's view
    }
  }
  // byte strobes
  REQUIRE_FALSE(b.wr(preg(5, kSq), 0xAABBCCDD, false, 0x5).err);
  REQUIRE(b.rd(preg(5, kSq)).data == (((5u << 16) & 0xFF00FF00u) | 0x00BB00DDu));
}

TEST_CASE("doorbells raise the pending bitmap and the core interrupt; completions the host's",
          "[queue][irq]") {
  Bus b;
  REQUIRE_FALSE(b.wr(SHOAL_QUEUE_CTL_IRQ_ENABLE_OFFSET, (1u << NQ) - 1, true).err);
  REQUIRE_FALSE(b.core_irq());
  REQUIRE_FALSE(b.wr(preg(4, kSqTail), 3).err);
  REQUIRE(b.rd(SHOAL_QUEUE_CTL_PENDING_OFFSET).data == (1u << 4));
  REQUIRE(b.core_irq());
  // masked in CTL_IRQ_ENABLE: pending but no interrupt
  REQUIRE_FALSE(b.wr(SHOAL_QUEUE_CTL_IRQ_ENABLE_OFFSET, ~(1u << 4), true).err);
  REQUIRE_FALSE(b.core_irq());
  REQUIRE_FALSE(b.wr(SHOAL_QUEUE_CTL_IRQ_ENABLE_OFFSET, 0xFFFFFFFF, true).err);
  // the firmware consumes: not pending any more
  REQUIRE_FALSE(b.wr(preg(4, kSqHead), 3, true).err);
  REQUIRE(b.rd(SHOAL_QUEUE_CTL_PENDING_OFFSET).data == 0);
  REQUIRE_FALSE(b.core_irq());

  // a completion: CQ_TAIL changes -> IRQ_STATUS.cq; the vector only when enabled
  REQUIRE_FALSE(b.wr(preg(4, kCqTail), 1, true).err);
  REQUIRE(b.rd(preg(4, kIrqSt)).data == 1);
  REQUIRE(b.irq() == 0);
  REQUIRE_FALSE(b.wr(preg(4, kIrqEn), 1).err);
  REQUIRE(b.irq() == (1u << 4));
  REQUIRE_FALSE(b.wr(preg(4, kIrqSt), 0).err);  // writing 0 leaves it
  REQUIRE(b.irq() == (1u << 4));
  REQUIRE_FALSE(b.wr(preg(4, kIrqSt), 1).err);
  REQUIRE(b.irq() == 0);
  // writing the same CQ_TAIL again is no new completion
  REQUIRE_FALSE(b.wr(preg(4, kCqTail), 1, true).err);
  REQUIRE(b.rd(preg(4, kIrqSt)).data == 0);
  REQUIRE(b.irq() == 0);
}

TEST_CASE("random accesses from both masters match the reference model", "[queue][fuzz]") {
  Bus b;
  Model m;
  std::mt19937 rng(20261203);
  auto pick = [&](std::initializer_list<uint32_t> l) { return *(l.begin() + rng() % l.size()); };
  const int kOps = 60000;
  unsigned refused = 0, compared = 0;
  for (int i = 0; i < kOps; ++i) {
    // the queue (mostly real pages; sometimes the edges of the block), then the offset
    uint32_t page = rng() % 8 == 0 ? pick({NQ, NQ - 1, 30, 31, 0}) : rng() % NQ;
    uint32_t po;
    switch (rng() % 6) {
      case 0: po = pick({kId, kGeo, kSqTail, kSqHead, kCqHead, kCqTail, kIrqEn, kIrqSt, kBad}); break;
      case 1: po = pick({kSqTail, kCqHead, kSqHead, kCqTail}); break;
      case 2: po = kSq + 4 * (rng() % (DEPTH * EW)); break;
      case 3: po = kCq + 4 * (rng() % (DEPTH * EW)); break;
      case 4: po = pick({0x024u, 0x7FCu, kSq - 4, kSq, kCq - 4, kCq, 0xFFCu}); break;
      default: po = 4 * (rng() % 1024); break;
    }
    uint32_t off = page * kPage + po;
    if (page == 31) off = kCtl + pick({0u, 4u, 8u, 12u, 16u, 0xFFCu});
    const bool we = rng() % 2;
    const bool core = rng() % 3 == 0;
    const uint32_t strb = rng() % 4 == 0 ? rng() % 16 : 0xF;
    uint32_t wd;
    switch (rng() % 5) {
      case 0: wd = pick({0u, 1u, DEPTH - 1, DEPTH, DEPTH + 1, 0xFFFFu, 0xFFFFFFFFu}); break;
      case 1: wd = rng() % DEPTH; break;
      default: wd = rng(); break;
    }
    INFO("op " << i << (we ? " write 0x" : " read 0x") << std::hex << off << " = 0x" << wd
                << " strb " << strb << (core ? " core" : " host"));
    bool known = true;
    const Resp want = m.access(we, off, wd, strb, core, known);
    const Resp got = b.access(we, off, wd, strb, core);
    REQUIRE(got.err == want.err);
    if (!we && !want.err && known) {
      REQUIRE(got.data == want.data);
      ++compared;
    }
    if (got.err) ++refused;
    REQUIRE(b.irq() == m.irq());
    REQUIRE(b.core_irq() == m.core_irq());
  }
  // the run reached both outcomes often, and the counters agree at the end
  CHECK(refused > kOps / 10);
  CHECK(compared > kOps / 5);
  bool known = true;
  REQUIRE(b.rd(SHOAL_QUEUE_CTL_BAD_TOTAL_OFFSET).data ==
          m.access(false, SHOAL_QUEUE_CTL_BAD_TOTAL_OFFSET, 0, 0xF, false, known).data);
}
