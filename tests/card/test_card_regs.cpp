// Register-map behaviour of the card, driven from the generated table shoal::regs::kRegisters:
// reset values, access types, byte strobes, W1C/W1S, refused accesses and their capture,
// interrupts, soft reset and the cycle counter latch.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "card_tb.hpp"

using shoal::regs::Access;
using shoal::regs::RegInfo;
using shoal::test::CardTb;
using shoal::test::kOkay;
using shoal::test::kSlvErr;
using shoal::test::host_writable;
using shoal::test::present;
using shoal::test::reg;

namespace {

uint32_t addr_of(const char* name) { return reg("ctrl", name).addr; }

std::vector<uint32_t> elements(const RegInfo& r) {
  std::vector<uint32_t> v;
  for (uint32_t k = 0; k < r.count; ++k) v.push_back(r.addr + k * r.stride);
  return v;
}

// core.CTRL: the test holds the core in reset through it (CardTb::kHoldCore)
bool held_core(const RegInfo& r) { return r.addr == shoal::regs::core::kCtrl; }

bool readable(const RegInfo& r) { return r.access != Access::WO && r.access != Access::W1S; }

// Every readable, non-volatile register of the present blocks.
std::map<uint32_t, uint32_t> snapshot(CardTb& tb) {
  std::map<uint32_t, uint32_t> s;
  for (const auto& r : shoal::regs::kRegisters) {
    if (!present(r) || r.is_volatile || !readable(r)) continue;
    for (uint32_t a : elements(r)) s[a] = tb.rd(a);
  }
  return s;
}

// The registers a refused access is allowed (required) to change.
std::set<uint32_t> capture_regs() {
  return {addr_of("BUS_ERR_COUNT"), addr_of("BUS_ERR_ADDR"), addr_of("BUS_ERR_INFO"),
          addr_of("IRQ_STATUS"), addr_of("IRQ_PENDING")};
}

void require_same_except_capture(const std::map<uint32_t, uint32_t>& a,
                                 const std::map<uint32_t, uint32_t>& b) {
  const auto skip = capture_regs();
  for (const auto& [addr, v] : a) {
    if (skip.count(addr)) continue;
    INFO("register at 0x" << std::hex << addr);
    REQUIRE(b.at(addr) == v);
  }
}

uint32_t info_mask(const char* field) {
  const auto& r = reg("ctrl", "BUS_ERR_INFO");
  for (std::size_t i = 0; i < r.num_fields; ++i) {
    if (std::string(r.fields[i].name) == field) {
      return ((r.fields[i].width >= 32) ? 0xFFFFFFFFu : ((1u << r.fields[i].width) - 1u))
             << r.fields[i].lsb;
    }
  }
  FAIL("no BUS_ERR_INFO field " << field);
  return 0;
}

uint32_t field_mask(const char* regname, const char* field) {
  const auto& r = reg("ctrl", regname);
  for (std::size_t i = 0; i < r.num_fields; ++i) {
    if (std::string(r.fields[i].name) == field) {
      return ((r.fields[i].width >= 32) ? 0xFFFFFFFFu : ((1u << r.fields[i].width) - 1u))
             << r.fields[i].lsb;
    }
  }
  FAIL("no field " << regname << "." << field);
  return 0;
}

// The SOFT_RESET key, from the register map (the key field's TRIGGER value).
uint32_t soft_reset_key() { return shoal::regs::ctrl::kSoftResetKeyTrigger; }

// Expected outcome of an access at any BAR0 offset, from the register map alone.
enum class Expect { Reg, Window, Unmapped };
Expect classify(uint32_t a) {
  for (const auto& w : shoal::regs::kWindows) {
    // a block's own windows are named "block.window" and exist only if the block does
    const std::string name = w.name;
    const auto dot = name.find('.');
    if (dot != std::string::npos) {
      bool block_present = false;
      for (const auto& b : shoal::regs::kBlocks) {
        if (name.compare(0, dot, b.name) == 0 && std::string(b.name).size() == dot) {
          block_present = b.present;
        }
      }
      if (!block_present) continue;
    }
    for (uint32_t k = 0; k < w.count; ++k) {
      const uint32_t base = w.addr + k * w.stride;
      if (a >= base && a < base + w.size) return Expect::Window;
    }
  }
  for (const auto& r : shoal::regs::kRegisters) {
    if (!present(r)) continue;
    for (uint32_t e : elements(r)) {
      if (e == a) return Expect::Reg;
    }
  }
  return Expect::Unmapped;
}

}  // namespace

TEST_CASE("every register resets to its documented value", "[card][regs]") {
  CardTb tb{CardTb::kHoldCore};
  unsigned checked = 0;
  for (const auto& r : shoal::regs::kRegisters) {
    if (!present(r)) continue;
    for (uint32_t a : elements(r)) {
      INFO(r.block << "." << r.name);
      uint32_t v = 0xDEADBEEF;
      REQUIRE(tb.read(a, v) == kOkay);
      if (!readable(r)) {
        REQUIRE(v == 0);
      } else if (!r.is_volatile) {
        REQUIRE(v == (held_core(r) ? SHOAL_CORE_CTRL_RESET_MASK : r.reset));
      }
      ++checked;
    }
  }
  REQUIRE(checked >= 16);
  // identity as the block table says
  REQUIRE(tb.rd(addr_of("ID")) ==
          ((uint32_t{shoal::regs::ctrl::kBlockId} << 16) | shoal::regs::ctrl::kBlockVersion));
}

TEST_CASE("volatile registers advance on their own", "[card][regs]") {
  CardTb tb{CardTb::kHoldCore};
  unsigned n = 0;
  for (const auto& r : shoal::regs::kRegisters) {
    // Only ctrl's volatile registers are free-running (the cycle counter). Other blocks'
    // volatile registers are status driven by events (e.g. core.STATUS, core.LOAD_COUNT),
    // which stand still while nothing happens.
    if (!present(r) || !r.is_volatile || std::string(r.block) != "ctrl") continue;
    INFO(r.block << "." << r.name);
    // start just below a 32-bit wrap so that the high word moves too
    tb.set_counter(0x00000005FFFFFF00ull);
    tb.rd(addr_of("CYCLE_LO"));  // latches CYCLE_HI
    const uint32_t a = tb.rd(r.addr);
    tb.run(0x400);
    tb.rd(addr_of("CYCLE_LO"));
    const uint32_t b = tb.rd(r.addr);
    REQUIRE(a != b);
    ++n;
  }
  REQUIRE(n >= 1);
}

TEST_CASE("RO registers refuse writes and keep their value", "[card][regs]") {
  CardTb tb{CardTb::kHoldCore};
  const auto before = snapshot(tb);
  uint32_t errors = 0;
  for (const auto& r : shoal::regs::kRegisters) {
    if (!present(r) || r.access != Access::RO) continue;
    for (uint32_t a : elements(r)) {
      INFO(r.block << "." << r.name);
      const uint32_t v0 = r.is_volatile ? 0 : tb.rd(a);
      REQUIRE(tb.write(a, ~v0) == kSlvErr);
      ++errors;
      REQUIRE(tb.rd(addr_of("BUS_ERR_COUNT")) == errors);
      REQUIRE(tb.rd(addr_of("BUS_ERR_ADDR")) == a);
      // ctrl records the kind of its own refusals; a refusal by another block is captured by
      // the decoder, which knows only that the block refused the write (docs/internal-bus.md);
      // the decoder itself refuses host writes to the firmware-driven blocks
      if (std::string(r.block) == "ctrl")
        REQUIRE(tb.rd(addr_of("BUS_ERR_INFO")) == (info_mask("write") | info_mask("readonly")));
      else if (!host_writable(r))
        REQUIRE(tb.rd(addr_of("BUS_ERR_INFO")) == (info_mask("write") | info_mask("fwonly")));
      else
        REQUIRE(tb.rd(addr_of("BUS_ERR_INFO")) == info_mask("write"));
      REQUIRE((tb.rd(addr_of("IRQ_STATUS")) & field_mask("IRQ_STATUS", "bus_err")) != 0);
      if (!r.is_volatile && !capture_regs().count(a)) REQUIRE(tb.rd(a) == v0);
    }
  }
  REQUIRE(errors >= 10);
  const auto after = snapshot(tb);
  require_same_except_capture(before, after);
}

TEST_CASE("RW registers: read back, masks and byte strobes", "[card][regs]") {
  CardTb tb{CardTb::kHoldCore};
  unsigned n = 0;
  for (const auto& r : shoal::regs::kRegisters) {
    // a register whose block checks the written value (r.validated) is covered by its block's
    // own tests: arbitrary patterns are refused there by design
    if (!present(r) || !host_writable(r) || r.access != Access::RW || r.validated || held_core(r)) continue;
    for (uint32_t a : elements(r)) {
      INFO(r.block << "." << r.name);
      for (uint32_t pat : {0xFFFFFFFFu, 0xA5A55A5Au, 0x12345678u, 0u}) {
        REQUIRE(tb.write(a, pat) == kOkay);
        REQUIRE(tb.rd(a) == (pat & r.rw_mask));
      }
      for (uint8_t strb = 0; strb < 16; ++strb) {
        INFO("wstrb " << int(strb));
        REQUIRE(tb.write(a, 0) == kOkay);
        REQUIRE(tb.write(a, 0xFFFFFFFFu, strb) == kOkay);
        uint32_t bytes = 0;
        for (int b = 0; b < 4; ++b) {
          if (strb & (1 << b)) bytes |= 0xFFu << (8 * b);
        }
        REQUIRE(tb.rd(a) == (bytes & r.rw_mask));
        // clearing through one strobe leaves the other bytes alone
        REQUIRE(tb.write(a, 0xFFFFFFFFu) == kOkay);
        REQUIRE(tb.write(a, 0, strb) == kOkay);
        REQUIRE(tb.rd(a) == (~bytes & r.rw_mask));
      }
      REQUIRE(tb.write(a, r.reset) == kOkay);
      ++n;
    }
  }
  REQUIRE(n >= 2);
  REQUIRE(tb.rd(addr_of("BUS_ERR_COUNT")) == 0);
}

TEST_CASE("the host may read the firmware-driven blocks but every write is refused",
          "[card][regs]") {
  CardTb tb{CardTb::kHoldCore};
  const auto before = snapshot(tb);
  unsigned blocks = 0, errors = 0;
  for (const auto& b : shoal::regs::kBlocks) {
    if (!b.present || b.host_write) continue;
    ++blocks;
    for (const auto& r : shoal::regs::kRegisters) {
      if (std::string(r.block) != b.name) continue;
      for (uint32_t a : elements(r)) {
        INFO(r.block << "." << r.name);
        uint32_t v = 0;
        REQUIRE(tb.read(a, v) == kOkay);  // reads are allowed (write-only ones read 0)
        for (uint32_t pat : {0xFFFFFFFFu, 0x00000001u}) {
          REQUIRE(tb.write(a, pat) == kSlvErr);
          ++errors;
          REQUIRE(tb.rd(addr_of("BUS_ERR_ADDR")) == a);
          REQUIRE(tb.rd(addr_of("BUS_ERR_INFO")) == (info_mask("write") | info_mask("fwonly")));
        }
      }
    }
  }
  REQUIRE(blocks == 3);  // drrm, wmu, alloc
  REQUIRE(tb.rd(addr_of("BUS_ERR_COUNT")) == errors);
  // nothing changed anywhere (the blocks' own registers included)
  require_same_except_capture(before, snapshot(tb));
}

TEST_CASE("W1C status, W1S test register and the interrupt vector", "[card][regs][irq]") {
  CardTb tb{CardTb::kHoldCore};
  const uint32_t st = addr_of("IRQ_STATUS"), en = addr_of("IRQ_ENABLE"),
                 pend = addr_of("IRQ_PENDING"), test = addr_of("IRQ_TEST");
  const uint32_t sw = field_mask("IRQ_STATUS", "sw");
  const uint32_t berr = field_mask("IRQ_STATUS", "bus_err");
  const auto& str = reg("ctrl", "IRQ_STATUS");
  const auto& tst = reg("ctrl", "IRQ_TEST");
  REQUIRE(str.w1c_mask == (sw | berr));
  REQUIRE(tst.w1s_mask == str.w1c_mask);

  // W1S: raises the cause, reads 0, 0-bits and masked strobes do nothing
  REQUIRE(tb.write(test, 0) == kOkay);
  REQUIRE(tb.rd(st) == 0);
  REQUIRE(tb.write(test, sw, 0x0) == kOkay);
  REQUIRE(tb.rd(st) == 0);
  REQUIRE(tb.write(test, sw) == kOkay);
  REQUIRE(tb.rd(test) == 0);
  REQUIRE(tb.rd(st) == sw);
  // latched but not enabled: nothing pending, no interrupt
  REQUIRE(tb.rd(pend) == 0);
  REQUIRE(tb.pins().irq_o == 0);
  // enabled: pending and irq_o follow
  REQUIRE(tb.write(en, sw) == kOkay);
  REQUIRE(tb.rd(pend) == sw);
  REQUIRE(tb.pins().irq_o == sw);
  // disabling hides it, the cause stays latched
  REQUIRE(tb.write(en, 0) == kOkay);
  REQUIRE(tb.pins().irq_o == 0);
  REQUIRE(tb.rd(st) == sw);
  REQUIRE(tb.write(en, sw | berr) == kOkay);
  // W1C: writing 0, or 1 without its strobe, leaves it; writing 1 clears it
  REQUIRE(tb.write(st, 0) == kOkay);
  REQUIRE(tb.rd(st) == sw);
  REQUIRE(tb.write(st, sw, 0xE) == kOkay);
  REQUIRE(tb.rd(st) == sw);
  REQUIRE(tb.write(st, berr) == kOkay);
  REQUIRE(tb.rd(st) == sw);
  REQUIRE(tb.write(st, 0xFFFFFFFF) == kOkay);
  REQUIRE(tb.rd(st) == 0);
  REQUIRE(tb.pins().irq_o == 0);
  // a refused access raises bus_err, which reaches irq_o bit 1
  uint32_t v = 0;
  REQUIRE(tb.read(shoal::regs::kBar0Size - 4, v) == kSlvErr);
  REQUIRE(tb.rd(st) == berr);
  REQUIRE(tb.rd(pend) == berr);
  REQUIRE(tb.pins().irq_o == berr);
  // both causes at once; irq_o carries exactly IRQ_PENDING
  REQUIRE(tb.write(test, sw) == kOkay);
  REQUIRE(tb.pins().irq_o == (sw | berr));
  REQUIRE(tb.rd(pend) == tb.pins().irq_o);
  REQUIRE(tb.write(st, berr) == kOkay);
  REQUIRE(tb.pins().irq_o == sw);
  REQUIRE(tb.write(st, sw) == kOkay);
  REQUIRE(tb.pins().irq_o == 0);
}

TEST_CASE("unmapped offsets (and absent blocks) are refused and change nothing", "[card][regs]") {
  CardTb tb{CardTb::kHoldCore};
  // make every writable register non-default so a stray write would show
  REQUIRE(tb.write(addr_of("SCRATCH"), 0x0BADF00D) == kOkay);
  REQUIRE(tb.write(addr_of("IRQ_ENABLE"), 0x1) == kOkay);

  std::vector<uint32_t> addrs;
  // every hole inside the ctrl block
  for (uint32_t a = shoal::regs::ctrl::kBase; a < shoal::regs::ctrl::kBase + shoal::regs::ctrl::kSize;
       a += 4) {
    if (classify(a) == Expect::Unmapped) addrs.push_back(a);
  }
  // every absent block (none in the full card): its first words (where its ID register
  // would be) and its last word
  for (const auto& b : shoal::regs::kBlocks) {
    if (b.present) continue;
    for (uint32_t a : {b.base, b.base + 4, b.base + b.size - 4}) addrs.push_back(a);
  }
  // holes between the blocks and the end of BAR0
  addrs.push_back(shoal::regs::ctrl::kBase + shoal::regs::ctrl::kSize);
  addrs.push_back(shoal::regs::kBar0Size - 4);
  REQUIRE(addrs.size() > 100);

  uint32_t count = 0;
  const auto before = snapshot(tb);
  for (std::size_t i = 0; i < addrs.size(); ++i) {
    const uint32_t a = addrs[i];
    INFO("offset 0x" << std::hex << a);
    REQUIRE(classify(a) == Expect::Unmapped);
    uint32_t v = 0x1234;
    REQUIRE(tb.read(a, v) == kSlvErr);
    REQUIRE(v == 0);
    ++count;
    REQUIRE(tb.rd(addr_of("BUS_ERR_ADDR")) == a);
    REQUIRE(tb.rd(addr_of("BUS_ERR_INFO")) == info_mask("unmapped"));
    REQUIRE(tb.write(a, 0xFFFFFFFF) == kSlvErr);
    ++count;
    REQUIRE(tb.rd(addr_of("BUS_ERR_ADDR")) == a);
    REQUIRE(tb.rd(addr_of("BUS_ERR_INFO")) == (info_mask("unmapped") | info_mask("write")));
    REQUIRE(tb.rd(addr_of("BUS_ERR_COUNT")) == count);
    if (i % 16 == 0) require_same_except_capture(before, snapshot(tb));
  }
  require_same_except_capture(before, snapshot(tb));
  REQUIRE(tb.rd(addr_of("SCRATCH")) == 0x0BADF00D);
}

TEST_CASE("a sweep of BAR0 answers exactly as the register map says", "[card][regs]") {
  CardTb tb{CardTb::kHoldCore};
  unsigned ok = 0, refused = 0;
  for (uint32_t a = 0; a < shoal::regs::kBar0Size; a += 0x40) {
    INFO("offset 0x" << std::hex << a);
    uint32_t v = 0;
    const uint8_t resp = tb.read(a, v);
    const Expect e = classify(a);
    if (e == Expect::Unmapped) {
      REQUIRE(resp == kSlvErr);
      ++refused;
    } else {
      REQUIRE(resp == kOkay);
      ++ok;
    }
  }
  REQUIRE(ok > 0);
  REQUIRE(refused > 0);
  REQUIRE(tb.rd(addr_of("BUS_ERR_COUNT")) == refused);
}

TEST_CASE("soft reset needs the key and returns every register to reset", "[card][regs]") {
  CardTb tb{CardTb::kHoldCore};
  const uint32_t key = soft_reset_key();
  REQUIRE(key != 0);
  const uint32_t sr = addr_of("SOFT_RESET");
  REQUIRE(tb.write(addr_of("SCRATCH"), 0xCAFEF00D) == kOkay);
  REQUIRE(tb.write(addr_of("IRQ_ENABLE"), 0x3) == kOkay);
  REQUIRE(tb.write(addr_of("IRQ_TEST"), 0x1) == kOkay);
  REQUIRE(tb.pins().irq_o != 0);

  SECTION("a wrong key or partial strobes are refused and change nothing but the capture") {
    const auto before = snapshot(tb);
    for (auto [data, strb] : {std::pair<uint32_t, uint8_t>{key ^ 1u, 0xF}, {0u, 0xF},
                              {key, 0x7}, {key, 0x0}}) {
      REQUIRE(tb.write(sr, data, strb) == kSlvErr);
      REQUIRE(tb.rd(addr_of("BUS_ERR_INFO")) == (info_mask("write") | info_mask("badkey")));
      REQUIRE(tb.rd(addr_of("BUS_ERR_ADDR")) == sr);
    }
    REQUIRE(tb.rd(addr_of("BUS_ERR_COUNT")) == 4);
    require_same_except_capture(before, snapshot(tb));
    REQUIRE(tb.rd(addr_of("SCRATCH")) == 0xCAFEF00D);
  }

  SECTION("the key resets every register but not the cycle counter") {
    uint32_t v = 0;
    REQUIRE(tb.read(0xFFFF0, v) == kSlvErr);  // leave something in the capture registers
    REQUIRE(tb.rd(addr_of("BUS_ERR_COUNT")) == 1);
    const uint64_t cyc_before = tb.counter();
    REQUIRE(tb.write(sr, key) == kOkay);
    REQUIRE(tb.pins().irq_o == 0);
    for (const auto& r : shoal::regs::kRegisters) {
      if (!present(r) || r.is_volatile || !readable(r)) continue;
      INFO(r.block << "." << r.name);
      REQUIRE(tb.rd(r.addr) == (held_core(r) ? SHOAL_CORE_CTRL_RESET_MASK : r.reset));
    }
    REQUIRE(tb.rd(sr) == 0);
    REQUIRE(tb.counter() > cyc_before);
  }
}

TEST_CASE("CYCLE_HI holds the high word latched by the last CYCLE_LO read", "[card][regs]") {
  CardTb tb{CardTb::kHoldCore};
  const uint32_t lo = addr_of("CYCLE_LO"), hi = addr_of("CYCLE_HI");
  tb.set_counter(0x00000007FFFFFF00ull);
  const uint32_t lo1 = tb.rd(lo);
  REQUIRE(lo1 >= 0xFFFFFF00u);
  REQUIRE(tb.rd(hi) == 7);
  tb.run(0x200);                 // the live counter wraps into 8 ...
  REQUIRE(tb.counter() > 0x800000000ull);
  REQUIRE(tb.rd(hi) == 7);       // ... but CYCLE_HI still shows the latch
  const uint32_t lo2 = tb.rd(lo);
  REQUIRE(lo2 < 0x1000u);
  REQUIRE(tb.rd(hi) == 8);
  // the pair read LO-then-HI is one consistent 64-bit sample
  const uint64_t t0 = tb.counter();
  const uint32_t l = tb.rd(lo);
  const uint64_t pair = (uint64_t{tb.rd(hi)} << 32) | l;
  REQUIRE(pair > t0);
  REQUIRE(pair < tb.counter());
}

TEST_CASE("BUS_ERR_COUNT saturates at 0xFFFFFFFF", "[card][regs]") {
  CardTb tb{CardTb::kHoldCore};
  tb.set_bus_err_count(0xFFFFFFFDu);
  uint32_t v = 0;
  for (int i = 0; i < 4; ++i) REQUIRE(tb.read(shoal::regs::kBar0Size - 4, v) == kSlvErr);
  REQUIRE(tb.rd(addr_of("BUS_ERR_COUNT")) == 0xFFFFFFFFu);
  REQUIRE(tb.write(addr_of("IRQ_STATUS"), 0xFFFFFFFFu) == kOkay);
  REQUIRE(tb.write(addr_of("MAGIC"), 0) == kSlvErr);  // still captured, count stays
  REQUIRE(tb.rd(addr_of("BUS_ERR_COUNT")) == 0xFFFFFFFFu);
  REQUIRE(tb.rd(addr_of("BUS_ERR_ADDR")) == addr_of("MAGIC"));
  REQUIRE(tb.rd(addr_of("IRQ_STATUS")) == field_mask("IRQ_STATUS", "bus_err"));
}
