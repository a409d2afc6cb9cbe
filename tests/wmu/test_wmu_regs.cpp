// The WMU block (rtl/wmu/wmu.sv, P=16 K=4) over the card-internal bus: identity, read/write
// registers with byte strobes, refused accesses that change nothing, one ack per request, the
// interrupt causes, and telemetry read over the bus against the HLS reference run alongside.
#include <catch2/catch.hpp>

#include <cstdint>
#include <memory>
#include <random>

// Verilator's runtime headers are not -Wextra clean.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-parameter"
#include "Vwmu_s.h"
#pragma GCC diagnostic pop
#include "shoal/regs.h"
#include "wmu_tb.hpp"

namespace {

namespace hw = shoal::hls::wmu;
using M = hw::Wmu<16, 4, 32>;

constexpr uint32_t kBase = SHOAL_WMU_BASE;
constexpr uint32_t off(uint32_t addr) { return addr - kBase; }

struct Harness {
  std::unique_ptr<VerilatedContext> ctx = std::make_unique<VerilatedContext>();
  std::unique_ptr<Vwmu_s> v = std::make_unique<Vwmu_s>(ctx.get());
  M::State s{};
  M::In in{};  // the reference's inputs: telemetry plus the register values the core sees
  M::Out o{};
  uint64_t acks = 0, requests = 0;
  bool written[M::kRingN] = {};  // ring slots written since reset (the memory is not reset)

  Harness() {
    M::reset(s);
    wmu_tb::zero_in<M>(in);
    in.en = false;
    in.window = 50000;  // reset values of the registers
    in.alpha = 3;
    v->reg_req_i = 0;
    v->reg_we_i = 0;
    v->reg_addr_i = 0;
    v->reg_wdata_i = 0;
    v->reg_wstrb_i = 0;
    wmu_tb::drive_telemetry<M>(*v, in);
    wmu_tb::reset(*v);
  }

  // One clock: the RTL and the reference together (clr is the bus's CMD write this cycle).
  void tick(bool clr = false) {
    wmu_tb::drive_telemetry<M>(*v, in);
    in.clr = clr;
    wmu_tb::tick(*v);
    M::cycle(s, in, o);
    in.clr = false;
    acks += v->reg_ack_o;
    if (o.smp_valid) written[o.smp_part * hw::kDepth + o.smp_seq % hw::kDepth] = true;
    REQUIRE(v->evt_valid_o == o.evt_valid);
    REQUIRE(v->smp_valid_o == o.smp_valid);
  }

  struct Resp {
    uint32_t data;
    bool err;
  };

  Resp access(bool we, uint32_t offset, uint32_t wdata = 0, uint32_t wstrb = 0xF) {
    v->reg_req_i = 1;
    v->reg_we_i = we;
    v->reg_addr_i = offset;
    v->reg_wdata_i = wdata;
    v->reg_wstrb_i = wstrb;
    const bool clr = we && offset == off(SHOAL_WMU_CMD_ADDR) && (wstrb & 1) && (wdata & 1);
    REQUIRE(v->reg_ack_o == 0);
    ++requests;
    tick(clr);
    v->reg_req_i = 0;
    REQUIRE(v->reg_ack_o == 1);  // exactly one cycle after the request
    const Resp r{v->reg_rdata_o, v->reg_err_o != 0};
    if (we && !r.err) mirror(offset, wdata, wstrb);  // the core sees it from this cycle on
    tick();
    REQUIRE(v->reg_ack_o == 0);  // and only once
    return r;
  }
  // The configuration the core sees, after a write the block accepted.
  void mirror(uint32_t offset, uint32_t wdata, uint32_t wstrb) {
    uint32_t m = 0;
    for (int b = 0; b < 4; ++b) m |= ((wstrb >> b) & 1u) ? (0xFFu << (8 * b)) : 0u;
    auto merge = [&](uint32_t old) { return (old & ~m) | (wdata & m); };
    const uint32_t a = offset + kBase;
    if (a == SHOAL_WMU_CTRL_ADDR) in.en = merge(in.en) & 1;
    if (a == SHOAL_WMU_WINDOW_ADDR) in.window = merge(in.window) & 0xFFFFFF;
    if (a == SHOAL_WMU_ALPHA_ADDR) in.alpha = merge(in.alpha) & 0xF;
    for (uint32_t k = 0; k < M::kK; ++k) {
      if (a == SHOAL_WMU_HI_ADDR_N(k)) in.hi[k] = static_cast<uint16_t>(merge(in.hi[k]));
      if (a == SHOAL_WMU_LO_ADDR_N(k)) in.lo[k] = static_cast<uint16_t>(merge(in.lo[k]));
      if (a == SHOAL_WMU_RD_SEQ_ADDR_N(k)) in.rd_seq[k] = static_cast<uint16_t>(merge(in.rd_seq[k]));
    }
  }
  uint32_t rd(uint32_t addr) {
    const Resp r = access(false, off(addr));
    REQUIRE_FALSE(r.err);
    return r.data;
  }
  bool wr(uint32_t addr, uint32_t data, uint32_t strb = 0xF) {
    return !access(true, off(addr), data, strb).err;
  }
};

}  // namespace

TEST_CASE("wmu regs: identity, parameters and reset values", "[wmu][regs]") {
  Harness h;
  CHECK(h.rd(SHOAL_WMU_ID_ADDR) == SHOAL_WMU_ID_RESET);
  CHECK(h.rd(SHOAL_WMU_CONFIG_ADDR) == ((32u << 24) | (16u << 16) | (4u << 8) | 16u));
  CHECK(h.rd(SHOAL_WMU_WIN_MIN_ADDR) == M::kWinMin);
  CHECK(h.rd(SHOAL_WMU_CTRL_ADDR) == SHOAL_WMU_CTRL_RESET);
  CHECK(h.rd(SHOAL_WMU_WINDOW_ADDR) == SHOAL_WMU_WINDOW_RESET);
  CHECK(h.rd(SHOAL_WMU_ALPHA_ADDR) == SHOAL_WMU_ALPHA_RESET);
  CHECK(h.rd(SHOAL_WMU_HI_ADDR_N(3)) == SHOAL_WMU_HI_RESET);
  CHECK(h.rd(SHOAL_WMU_LO_ADDR_N(3)) == SHOAL_WMU_LO_RESET);
  CHECK(h.rd(SHOAL_WMU_SEQ_ADDR) == 0);
  CHECK(h.rd(SHOAL_WMU_CMD_ADDR) == 0);
  CHECK(h.acks == h.requests);
}

TEST_CASE("wmu regs: read/write, byte strobes, refused accesses change nothing", "[wmu][regs]") {
  Harness h;
  CHECK(h.wr(SHOAL_WMU_ALPHA_ADDR, 0x5));
  CHECK(h.rd(SHOAL_WMU_ALPHA_ADDR) == 0x5);
  CHECK(h.wr(SHOAL_WMU_ALPHA_ADDR, 0xFFFFFFF7));  // bits outside the field are ignored
  CHECK(h.rd(SHOAL_WMU_ALPHA_ADDR) == 0x7);
  CHECK(h.wr(SHOAL_WMU_HI_ADDR_N(2), 0x1234));
  CHECK(h.wr(SHOAL_WMU_HI_ADDR_N(2), 0xAB00, 0x2));  // only byte 1
  CHECK(h.rd(SHOAL_WMU_HI_ADDR_N(2)) == 0xAB34);
  CHECK(h.rd(SHOAL_WMU_HI_ADDR_N(1)) == 0xFFFF);
  CHECK(h.wr(SHOAL_WMU_LO_ADDR_N(0), 0x4321));
  CHECK(h.rd(SHOAL_WMU_LO_ADDR_N(0)) == 0x4321);
  CHECK(h.wr(SHOAL_WMU_RD_SEQ_ADDR_N(3), 0x77));
  CHECK(h.rd(SHOAL_WMU_RD_SEQ_ADDR_N(3)) == 0x77);
  CHECK(h.wr(SHOAL_WMU_IRQ_EN_ADDR, 0xFF));
  CHECK(h.rd(SHOAL_WMU_IRQ_EN_ADDR) == 0xF);  // K = 4 partitions
  CHECK(h.wr(SHOAL_WMU_WINDOW_ADDR, 1000));
  CHECK(h.rd(SHOAL_WMU_WINDOW_ADDR) == 1000);

  // refused: below WIN_MIN, read-only registers and windows, absent elements, no register
  CHECK_FALSE(h.wr(SHOAL_WMU_WINDOW_ADDR, M::kWinMin - 1));
  CHECK(h.rd(SHOAL_WMU_WINDOW_ADDR) == 1000);
  CHECK(h.wr(SHOAL_WMU_WINDOW_ADDR, M::kWinMin));
  CHECK(h.rd(SHOAL_WMU_WINDOW_ADDR) == M::kWinMin);
  for (uint32_t a : {SHOAL_WMU_ID_ADDR, SHOAL_WMU_SEQ_ADDR, SHOAL_WMU_STATUS_ADDR,
                     SHOAL_WMU_CONFIG_ADDR, SHOAL_WMU_EVT_COUNT_ADDR, SHOAL_WMU_LAST_EVT_ADDR,
                     SHOAL_WMU_EWMA_ADDR_N(0), SHOAL_WMU_OVERRUN_ADDR_N(1),
                     SHOAL_WMU_PART_BUSY_ADDR_N(0), SHOAL_WMU_PROC_IO_ADDR_N(15),
                     SHOAL_WMU_RING_ADDR, SHOAL_WMU_RING_ADDR + 4 * 63}) {
    INFO("address " << std::hex << a);
    const uint32_t before = h.access(false, off(a)).data;
    CHECK(h.access(true, off(a), 0xFFFFFFFF).err);
    if (a != SHOAL_WMU_SEQ_ADDR) CHECK(h.access(false, off(a)).data == before);
  }
  for (uint32_t a : {SHOAL_WMU_HI_ADDR_N(4), SHOAL_WMU_LO_ADDR_N(15), SHOAL_WMU_RD_SEQ_ADDR_N(4),
                     SHOAL_WMU_EWMA_ADDR_N(4), SHOAL_WMU_PART_IO_ADDR_N(4),
                     SHOAL_WMU_PROC_BUSY_ADDR_N(16), SHOAL_WMU_PROC_IO_ADDR_N(63),
                     SHOAL_WMU_RING_ADDR + 4 * 64, kBase + 0x044, kBase + 0x3FFC}) {
    INFO("address " << std::hex << a);
    CHECK(h.access(false, off(a)).err);
    CHECK(h.access(true, off(a), 0).err);
  }
  CHECK(h.rd(SHOAL_WMU_HI_ADDR_N(2)) == 0xAB34);  // unchanged by any refused access
  CHECK(h.rd(SHOAL_WMU_LO_ADDR_N(3)) == 0);
  CHECK(h.acks == h.requests);
}

TEST_CASE("wmu regs: telemetry over the bus equals the reference; interrupt causes",
          "[wmu][regs]") {
  Harness h;
  std::mt19937 rng(99);
  // configure: W = 200, alpha 1, partition 0 thresholds 0x8000/0x4000, interrupts on 0 and 2
  REQUIRE(h.wr(SHOAL_WMU_WINDOW_ADDR, 200));
  REQUIRE(h.wr(SHOAL_WMU_ALPHA_ADDR, 1));
  for (unsigned k = 0; k < 4; ++k) {
    REQUIRE(h.wr(SHOAL_WMU_HI_ADDR_N(k), 0x8000));
    REQUIRE(h.wr(SHOAL_WMU_LO_ADDR_N(k), 0x4000));
  }
  REQUIRE(h.wr(SHOAL_WMU_IRQ_EN_ADDR, 0x5));
  REQUIRE(h.wr(SHOAL_WMU_CTRL_ADDR, 1));

  auto telemetry_phase = [&](unsigned duty0, unsigned duty_other, int cycles) {
    for (int c = 0; c < cycles; ++c) {
      for (unsigned p = 0; p < 16; ++p) {
        const unsigned duty = h.in.part[p] == 0 ? duty0 : duty_other;
        h.in.busy[p] = (rng() % 100) < duty;
        h.in.mem[p] = rng() % 3 == 0;
        h.in.io[p] = rng() % 7 == 0;
      }
      if (rng() % 8 == 0) {  // a bus read of something the reference also holds
        uint32_t sel = rng() % 9, idx = 0, addr = 0;
        switch (sel) {
          case hw::kSelProcBusy: idx = rng() % 16; addr = SHOAL_WMU_PROC_BUSY_ADDR_N(idx); break;
          case hw::kSelProcMem: idx = rng() % 16; addr = SHOAL_WMU_PROC_MEM_ADDR_N(idx); break;
          case hw::kSelProcIo: idx = rng() % 16; addr = SHOAL_WMU_PROC_IO_ADDR_N(idx); break;
          case hw::kSelPartBusy: idx = rng() % 4; addr = SHOAL_WMU_PART_BUSY_ADDR_N(idx); break;
          case hw::kSelPartMem: idx = rng() % 4; addr = SHOAL_WMU_PART_MEM_ADDR_N(idx); break;
          case hw::kSelPartIo: idx = rng() % 4; addr = SHOAL_WMU_PART_IO_ADDR_N(idx); break;
          case hw::kSelOverrun: idx = rng() % 4; addr = SHOAL_WMU_OVERRUN_ADDR_N(idx); break;
          case hw::kSelEwma: idx = rng() % 4; addr = SHOAL_WMU_EWMA_ADDR_N(idx); break;
          default: idx = rng() % 64; addr = SHOAL_WMU_RING_ADDR + 4 * idx; break;
        }
        const uint32_t want = M::read_port(h.s, sel, idx);
        const bool known = sel != hw::kSelRing || h.written[idx];
        const uint32_t got = h.rd(addr);
        INFO("sel " << sel << " idx " << idx);
        if (known) CHECK(got == want);
      } else {
        h.tick();
      }
    }
  };

  telemetry_phase(95, 10, 3000);  // partition 0 busy: up crossing on 0; 2 stays low
  CHECK(h.v->irq_o == 1);
  uint32_t up = h.rd(SHOAL_WMU_IRQ_UP_ADDR);
  CHECK(up == 0x1);
  CHECK(h.rd(SHOAL_WMU_IRQ_DOWN_ADDR) == 0);
  const uint32_t last = h.rd(SHOAL_WMU_LAST_EVT_ADDR);
  CHECK((last & 0xFF) == 0);
  CHECK(((last >> 8) & 1) == 1);
  CHECK(((last >> 15) & 1) == 1);
  CHECK(h.rd(SHOAL_WMU_EVT_COUNT_ADDR) == 1);
  CHECK(h.rd(SHOAL_WMU_SEQ_ADDR) == h.s.seq);
  // write 1 to clear
  CHECK(h.wr(SHOAL_WMU_IRQ_UP_ADDR, 0x1));
  CHECK(h.rd(SHOAL_WMU_IRQ_UP_ADDR) == 0);
  CHECK(h.v->irq_o == 0);
  // partition 1 (not enabled) goes up: counted, not latched
  telemetry_phase(95, 95, 3000);
  CHECK(h.rd(SHOAL_WMU_EVT_COUNT_ADDR) == 4);  // partitions 1, 2, 3 crossed up
  CHECK(h.rd(SHOAL_WMU_IRQ_UP_ADDR) == 0x4);   // only 2 is enabled (0 is still high)
  CHECK(h.wr(SHOAL_WMU_IRQ_UP_ADDR, 0xF));
  // everything drops: down crossings on the enabled partitions
  telemetry_phase(5, 5, 3000);
  CHECK(h.rd(SHOAL_WMU_IRQ_DOWN_ADDR) == 0x5);
  CHECK(h.rd(SHOAL_WMU_IRQ_UP_ADDR) == 0);
  CHECK(h.v->irq_o == 1);
  CHECK(h.rd(SHOAL_WMU_EVT_COUNT_ADDR) == 8);
  CHECK(((h.rd(SHOAL_WMU_LAST_EVT_ADDR) >> 8) & 1) == 0);
  // the reader protocol through the bus: the newest sample of partition 0
  const uint32_t seq = h.rd(SHOAL_WMU_SEQ_ADDR);
  REQUIRE(seq > 1);
  const uint32_t entry = h.rd(SHOAL_WMU_RING_ADDR + 4 * ((seq - 1) % 16));
  CHECK((entry >> 16) == ((seq - 1) & 0xFFFF));
  CHECK((h.rd(SHOAL_WMU_EWMA_ADDR_N(0)) >> 16) == ((seq - 1) & 0xFFFF));
  // clear counters: the cumulative counters and EVT_COUNT return to 0
  CHECK(h.wr(SHOAL_WMU_CMD_ADDR, 1));
  CHECK(h.rd(SHOAL_WMU_EVT_COUNT_ADDR) == 0);
  CHECK(h.rd(SHOAL_WMU_PROC_BUSY_ADDR_N(0)) < 10);  // counting again from 0
  CHECK(h.acks == h.requests);
}
