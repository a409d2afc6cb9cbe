// The DRRM block's register interface on the card-internal bus (docs/internal-bus.md,
// docs/drrm.md section 10), on the Verilated `drrm` at P=16, K=4. Offsets come from the
// generated header only.
#include <catch2/catch.hpp>

#include <cstdint>
#include <memory>

#include "Vdrrm.h"
#include "shoal/regs.h"
#include "verilated.h"

namespace {

constexpr std::uint32_t off(std::uint32_t addr) { return addr - SHOAL_DRRM_BASE; }
constexpr std::uint32_t kP = 16;
constexpr std::uint32_t kK = 4;

class Block {
 public:
  Block() : ctx_(std::make_unique<VerilatedContext>()), m_(std::make_unique<Vdrrm>(ctx_.get())) {
    m_->clk_i = 0;
    m_->rst_ni = 1;
    m_->eval();
    m_->rst_ni = 0;  // a falling edge: the registers' asynchronous reset
    m_->eval();
    m_->rst_ni = 1;
    m_->eval();
  }

  bool quiesce_all = true;     // processors quiesce one cycle after pause
  std::uint32_t never_mask = 0;  // ... except these

  void tick() {
    m_->clk_i = 0;
    m_->eval();
    const std::uint32_t pause = static_cast<std::uint32_t>(m_->pause_o);
    m_->clk_i = 1;
    m_->eval();
    m_->quiesced_i = quiesce_all ? (pause & ~never_mask) : 0;
  }

  struct Resp {
    bool err;
    std::uint32_t data;
  };

  Resp access(bool we, std::uint32_t addr, std::uint32_t wdata, unsigned wstrb) {
    m_->reg_req_i = 1;
    m_->reg_we_i = we;
    m_->reg_addr_i = off(addr) & 0x3FFF;
    m_->reg_wdata_i = wdata;
    m_->reg_wstrb_i = wstrb;
    tick();
    m_->reg_req_i = 0;
    unsigned acks = 0;
    Resp r{false, 0};
    for (unsigned i = 0; i < 4; ++i) {
      if (m_->reg_ack_o) {
        ++acks;
        r = {m_->reg_err_o != 0, m_->reg_rdata_o};
      }
      tick();
    }
    REQUIRE(acks == 1);  // exactly one answer per request
    return r;
  }
  std::uint32_t rd(std::uint32_t addr) {
    auto r = access(false, addr, 0, 0);
    REQUIRE_FALSE(r.err);
    return r.data;
  }
  bool rd_err(std::uint32_t addr) { return access(false, addr, 0, 0).err; }
  void wr(std::uint32_t addr, std::uint32_t v, unsigned strb = 0xF) {
    REQUIRE_FALSE(access(true, addr, v, strb).err);
  }
  bool wr_err(std::uint32_t addr, std::uint32_t v) { return access(true, addr, v, 0xF).err; }

  // Push a command from the staged registers and wait for its completion; returns CPL_HEAD
  // and pops it.
  std::uint32_t command(unsigned op, unsigned tag, unsigned perm = 0) {
    wr(SHOAL_DRRM_CMD_PUSH_ADDR, op | (perm << 4) | (tag << 8));
    for (unsigned i = 0; i < 200; ++i) {
      if (rd(SHOAL_DRRM_STATUS_ADDR) & SHOAL_DRRM_STATUS_CPL_VALID_MASK) break;
    }
    const std::uint32_t head = rd(SHOAL_DRRM_CPL_HEAD_ADDR);
    wr(SHOAL_DRRM_CPL_POP_ADDR, 1);
    return head;
  }

  Vdrrm& m() { return *m_; }

 private:
  std::unique_ptr<VerilatedContext> ctx_;
  std::unique_ptr<Vdrrm> m_;
};

std::uint32_t head_status(std::uint32_t h) {
  return (h & SHOAL_DRRM_CPL_HEAD_STATUS_MASK) >> SHOAL_DRRM_CPL_HEAD_STATUS_LSB;
}

}  // namespace

TEST_CASE("drrm regs: identity, parameters, reset values", "[drrm]") {
  Block b;
  REQUIRE(b.rd(SHOAL_DRRM_ID_ADDR) == SHOAL_DRRM_ID_RESET);
  REQUIRE(b.rd(SHOAL_DRRM_PARAMS_ADDR) == ((256u << 16) | (kK << 8) | kP));
  REQUIRE(b.rd(SHOAL_DRRM_STATUS_ADDR) == SHOAL_DRRM_STATUS_RESET);
  REQUIRE(b.rd(SHOAL_DRRM_TIMEOUT_ADDR) == SHOAL_DRRM_TIMEOUT_RESET);
  REQUIRE(b.rd(SHOAL_DRRM_VIOL_COUNT_ADDR) == 0);
  REQUIRE(b.rd(SHOAL_DRRM_CPL_HEAD_ADDR) == 0);
  for (unsigned p = 0; p < SHOAL_DRRM_PROC_COUNT; p += 5) REQUIRE(b.rd(SHOAL_DRRM_PROC_ADDR_N(p)) == 0);
}

TEST_CASE("drrm regs: refused accesses change nothing", "[drrm]") {
  Block b;
  REQUIRE(b.wr_err(SHOAL_DRRM_ID_ADDR, 0));
  REQUIRE(b.rd(SHOAL_DRRM_ID_ADDR) == SHOAL_DRRM_ID_RESET);
  REQUIRE(b.wr_err(SHOAL_DRRM_PROC_ADDR_N(0), 0x3));
  REQUIRE(b.rd(SHOAL_DRRM_PROC_ADDR_N(0)) == 0);
  REQUIRE(b.wr_err(SHOAL_DRRM_VIOL_COUNT_ADDR, 5));
  REQUIRE(b.wr_err(SHOAL_DRRM_ROUTE_ADDR_N(3), 1));
  REQUIRE(b.rd(SHOAL_DRRM_ROUTE_ADDR_N(3)) == 0);
  REQUIRE(b.rd_err(SHOAL_DRRM_BASE + 0x060));
  REQUIRE(b.rd_err(SHOAL_DRRM_BASE + 0x3FFC));
  REQUIRE(b.wr_err(SHOAL_DRRM_BASE + 0x0FC, 1));
  // write-only registers read as 0
  REQUIRE(b.rd(SHOAL_DRRM_CMD_PUSH_ADDR) == 0);
  REQUIRE(b.rd(SHOAL_DRRM_CPL_POP_ADDR) == 0);
  // nothing was pushed by any of this
  REQUIRE((b.rd(SHOAL_DRRM_STATUS_ADDR) & SHOAL_DRRM_STATUS_CPL_VALID_MASK) == 0);
}

TEST_CASE("drrm regs: RW registers honour masks and byte strobes", "[drrm]") {
  Block b;
  b.wr(SHOAL_DRRM_TIMEOUT_ADDR, 0x12345678);
  REQUIRE(b.rd(SHOAL_DRRM_TIMEOUT_ADDR) == 0x5678);
  b.wr(SHOAL_DRRM_CMD_ARG_ADDR, 0xA1B2C3D4);
  b.wr(SHOAL_DRRM_CMD_ARG_ADDR, 0x00000011, 0x1);
  REQUIRE(b.rd(SHOAL_DRRM_CMD_ARG_ADDR) == 0xA1B2C311);
  b.wr(SHOAL_DRRM_CMD_MASK_HI_ADDR, 0xFFFF0000, 0xC);
  REQUIRE(b.rd(SHOAL_DRRM_CMD_MASK_HI_ADDR) == 0xFFFF0000);
}

TEST_CASE("drrm regs: commands through the registers", "[drrm]") {
  Block b;
  // MIGRATE processor 3 to partition 2
  b.wr(SHOAL_DRRM_CMD_ARG_ADDR, 3 | (2 << 8));
  std::uint32_t h = b.command(1, 0x5A);
  REQUIRE((h & SHOAL_DRRM_CPL_HEAD_VALID_MASK) != 0);
  REQUIRE(head_status(h) == 0);
  REQUIRE((h & SHOAL_DRRM_CPL_HEAD_TAG_MASK) == 0x5A);
  REQUIRE(((h & SHOAL_DRRM_CPL_HEAD_OP_MASK) >> SHOAL_DRRM_CPL_HEAD_OP_LSB) == 1);
  REQUIRE(b.rd(SHOAL_DRRM_PROC_ADDR_N(3)) == 2);
  REQUIRE(((b.m().part_o >> (3 * 2)) & 3) == 2);
  REQUIRE((b.rd(SHOAL_DRRM_STATUS_ADDR) & SHOAL_DRRM_STATUS_CPL_VALID_MASK) == 0);
  // SET_WINDOW partition 1
  b.wr(SHOAL_DRRM_CMD_ARG_ADDR, 1 << 8);
  b.wr(SHOAL_DRRM_CMD_BASE_ADDR, 0x40000);
  b.wr(SHOAL_DRRM_CMD_SIZE_ADDR, 0x2000);
  REQUIRE(head_status(b.command(3, 1, 2)) == 0);
  REQUIRE(b.rd(SHOAL_DRRM_WIN_BASE_ADDR_N(1)) == 0x40000);
  REQUIRE(b.rd(SHOAL_DRRM_WIN_SIZE_ADDR_N(1)) == 0x2000);
  REQUIRE(b.rd(SHOAL_DRRM_WIN_PERM_ADDR_N(1)) == 2);
  REQUIRE(b.rd(SHOAL_DRRM_WIN_BASE_ADDR_N(kK)) == 0);  // beyond the built K
  // MIGRATE_SET {5, 6} to partition 1 via the mask registers
  b.wr(SHOAL_DRRM_CMD_MASK_LO_ADDR, 0x60);
  b.wr(SHOAL_DRRM_CMD_MASK_HI_ADDR, 0);
  REQUIRE(head_status(b.command(2, 2)) == 0);
  REQUIRE(b.rd(SHOAL_DRRM_PROC_ADDR_N(5)) == 1);
  REQUIRE(b.rd(SHOAL_DRRM_PROC_ADDR_N(6)) == 1);
  // ROUTE vector 7 to partition 3 (no processor there): raised vector stays pending
  b.wr(SHOAL_DRRM_CMD_ARG_ADDR, (7u << 16) | (3 << 8));
  REQUIRE(head_status(b.command(4, 3)) == 0);
  b.m().irq_valid_i = 1;
  b.m().irq_vec_i = 7;
  b.tick();
  b.m().irq_valid_i = 0;
  REQUIRE(b.rd(SHOAL_DRRM_ROUTE_ADDR_N(7)) == (3u | (1u << 8)));
  // bad arguments: processor 16 does not exist at P=16
  b.wr(SHOAL_DRRM_CMD_ARG_ADDR, 16 | (1 << 8));
  REQUIRE(head_status(b.command(1, 4)) == 2);
  REQUIRE(head_status(b.command(9, 5)) == 1);
}

TEST_CASE("drrm regs: a full command FIFO refuses CMD_PUSH", "[drrm]") {
  Block b;
  b.never_mask = 1u << 5;
  b.wr(SHOAL_DRRM_TIMEOUT_ADDR, 60000);
  b.wr(SHOAL_DRRM_CMD_ARG_ADDR, 5 | (1 << 8));
  b.wr(SHOAL_DRRM_CMD_PUSH_ADDR, 1);  // starts, never completes within this test
  REQUIRE((b.rd(SHOAL_DRRM_STATUS_ADDR) & SHOAL_DRRM_STATUS_BUSY_MASK) != 0);
  b.wr(SHOAL_DRRM_CMD_ARG_ADDR, 6 | (1 << 8));
  for (int i = 0; i < 4; ++i) b.wr(SHOAL_DRRM_CMD_PUSH_ADDR, 1 | (i << 8));
  REQUIRE((b.rd(SHOAL_DRRM_STATUS_ADDR) & SHOAL_DRRM_STATUS_CMD_READY_MASK) == 0);
  REQUIRE(b.wr_err(SHOAL_DRRM_CMD_PUSH_ADDR, 1));
  REQUIRE((b.rd(SHOAL_DRRM_STATUS_ADDR) & SHOAL_DRRM_STATUS_CPL_VALID_MASK) == 0);
}

TEST_CASE("drrm regs: violation interrupt cause and counter", "[drrm]") {
  Block b;
  b.wr(SHOAL_DRRM_IRQ_ENABLE_ADDR, SHOAL_DRRM_IRQ_ENABLE_VIOLATION_MASK);
  REQUIRE(b.m().irq_o == 0);
  b.m().chk_valid_i = 1;
  b.m().chk_proc_i = 2;
  b.m().chk_addr_i = 0x100;
  b.m().chk_we_i = 0;
  b.tick();
  b.m().chk_valid_i = 0;
  REQUIRE(b.m().chk_valid_o == 1);
  REQUIRE(b.m().chk_allow_o == 0);
  b.tick();
  REQUIRE(b.m().irq_o == 1);
  REQUIRE(b.rd(SHOAL_DRRM_VIOL_COUNT_ADDR) == 1);
  REQUIRE((b.rd(SHOAL_DRRM_IRQ_STATUS_ADDR) & SHOAL_DRRM_IRQ_STATUS_VIOLATION_MASK) != 0);
  b.wr(SHOAL_DRRM_IRQ_STATUS_ADDR, SHOAL_DRRM_IRQ_STATUS_VIOLATION_MASK);
  REQUIRE((b.rd(SHOAL_DRRM_IRQ_STATUS_ADDR) & SHOAL_DRRM_IRQ_STATUS_VIOLATION_MASK) == 0);
  REQUIRE(b.m().irq_o == 0);
}
