// AXI4-Lite protocol of the card's BAR0 port at cycle level: AW/W orderings, B/R backpressure,
// back-to-back and simultaneous transactions, fair read/write arbitration, random stress.
#include <catch2/catch.hpp>

#include <random>
#include <string>
#include <vector>

#include "card_tb.hpp"

using shoal::test::CardTb;
using shoal::test::kOkay;
using shoal::test::kSlvErr;
using shoal::test::reg;

namespace {

const uint32_t kScratch = reg("ctrl", "SCRATCH").addr;
const uint32_t kMagic = reg("ctrl", "MAGIC").addr;
const uint32_t kMagicValue = reg("ctrl", "MAGIC").reset;

// Drive one write with AW and W presented `aw_at` and `w_at` cycles from now.
void write_skewed(CardTb& tb, uint32_t addr, uint32_t data, unsigned aw_at, unsigned w_at) {
  auto& p = tb.pins();
  p.s_axil_bready_i = 1;
  const std::size_t b0 = tb.bq.size();
  bool aw_sent = false, w_sent = false;
  const uint64_t aw0 = tb.aw_count, w0 = tb.w_count;
  for (unsigned c = 0; c < 200 && tb.bq.size() == b0; ++c) {
    if (c == aw_at && !aw_sent) {
      p.s_axil_awaddr_i = addr;
      p.s_axil_awvalid_i = 1;
      aw_sent = true;
    }
    if (c == w_at && !w_sent) {
      p.s_axil_wdata_i = data;
      p.s_axil_wstrb_i = 0xF;
      p.s_axil_wvalid_i = 1;
      w_sent = true;
    }
    tb.clock();
    // no response before both halves of the write were accepted
    if (tb.bq.size() != b0) {
      REQUIRE(tb.aw_count == aw0 + 1);
      REQUIRE(tb.w_count == w0 + 1);
    }
  }
  REQUIRE(tb.bq.size() == b0 + 1);
  p.s_axil_bready_i = 0;
}

}  // namespace

TEST_CASE("AW and W in either order or together", "[card][axi]") {
  CardTb tb;
  uint32_t value = 0x1000;
  for (unsigned aw_at : {0u, 1u, 3u, 7u}) {
    for (unsigned w_at : {0u, 1u, 3u, 7u}) {
      INFO("AW at " << aw_at << ", W at " << w_at);
      ++value;
      write_skewed(tb, kScratch, value, aw_at, w_at);
      const auto b = tb.bq.back();
      REQUIRE(b.resp == kOkay);
      REQUIRE(tb.rd(kScratch) == value);
    }
  }
  REQUIRE(tb.violations == 0);
}

TEST_CASE("W held back: the write waits for its data", "[card][axi]") {
  CardTb tb;
  auto& p = tb.pins();
  REQUIRE(tb.write(kScratch, 1) == kOkay);
  p.s_axil_awaddr_i = kScratch;
  p.s_axil_awvalid_i = 1;
  p.s_axil_bready_i = 1;
  tb.run(20);
  REQUIRE(tb.bq.empty());
  REQUIRE(tb.rd(kScratch) == 1);  // a read gets through meanwhile, the write is not done
  p.s_axil_wdata_i = 2;
  p.s_axil_wstrb_i = 0xF;
  p.s_axil_wvalid_i = 1;
  tb.run(10);
  REQUIRE(tb.bq.size() == 1);
  REQUIRE(tb.rd(kScratch) == 2);
}

TEST_CASE("B is held until BREADY; a following write waits for the B slot", "[card][axi]") {
  CardTb tb;
  auto& p = tb.pins();
  // first write, BREADY low
  p.s_axil_awaddr_i = kScratch; p.s_axil_awvalid_i = 1;
  p.s_axil_wdata_i = 0x11; p.s_axil_wstrb_i = 0xF; p.s_axil_wvalid_i = 1;
  p.s_axil_bready_i = 0;
  tb.run(10);
  REQUIRE(p.s_axil_bvalid_o == 1);
  REQUIRE(p.s_axil_bresp_o == kOkay);
  // second write (to RO MAGIC: its answer must be SLVERR) accepted into the holding registers
  p.s_axil_awaddr_i = kMagic; p.s_axil_awvalid_i = 1;
  p.s_axil_wdata_i = 0x22; p.s_axil_wvalid_i = 1;
  tb.run(30);
  REQUIRE(p.s_axil_awvalid_i == 0);  // accepted
  REQUIRE(p.s_axil_bvalid_o == 1);   // still the first response, unchanged
  REQUIRE(p.s_axil_bresp_o == kOkay);
  REQUIRE(tb.bq.empty());
  p.s_axil_bready_i = 1;
  tb.run(10);
  p.s_axil_bready_i = 0;
  REQUIRE(tb.bq.size() == 2);
  REQUIRE(tb.bq[0].resp == kOkay);
  REQUIRE(tb.bq[1].resp == kSlvErr);
  REQUIRE(tb.bq[1].cycle > tb.bq[0].cycle);
  REQUIRE(tb.violations == 0);
  REQUIRE(tb.rd(kScratch) == 0x11);
}

TEST_CASE("R is held with stable data until RREADY", "[card][axi]") {
  CardTb tb;
  auto& p = tb.pins();
  REQUIRE(tb.write(kScratch, 0xABCD0123) == kOkay);
  p.s_axil_araddr_i = kScratch; p.s_axil_arvalid_i = 1;
  p.s_axil_rready_i = 0;
  tb.run(5);
  // meanwhile the scratch register changes: the held answer must not
  p.s_axil_awaddr_i = kScratch; p.s_axil_awvalid_i = 1;
  p.s_axil_wdata_i = 0x55; p.s_axil_wstrb_i = 0xF; p.s_axil_wvalid_i = 1;
  p.s_axil_bready_i = 1;
  // a second read queues behind the held one
  tb.run(3);
  p.s_axil_araddr_i = kMagic; p.s_axil_arvalid_i = 1;
  tb.run(40);
  REQUIRE(p.s_axil_rvalid_o == 1);
  REQUIRE(p.s_axil_rdata_o == 0xABCD0123);
  REQUIRE(tb.rq.empty());
  REQUIRE(tb.bq.size() == 1);  // the write went ahead of the stalled read channel
  p.s_axil_rready_i = 1;
  tb.run(10);
  REQUIRE(tb.rq.size() == 2);
  REQUIRE(tb.rq[0].data == 0xABCD0123);
  REQUIRE(tb.rq[1].data == kMagicValue);
  REQUIRE(tb.violations == 0);
  REQUIRE(tb.rd(kScratch) == 0x55);
}

TEST_CASE("back-to-back writes then reads stream without gaps in order", "[card][axi]") {
  CardTb tb;
  auto& p = tb.pins();
  const uint32_t scratch = kScratch;
  // writes: keep AW/W valid, next value after each handshake; check the last lands
  const unsigned n = 32;
  unsigned aw_i = 0, w_i = 0;
  p.s_axil_bready_i = 1;
  p.s_axil_rready_i = 1;
  for (unsigned c = 0; c < 400 && tb.bq.size() < n; ++c) {
    if (!p.s_axil_awvalid_i && aw_i < n) {
      p.s_axil_awaddr_i = scratch; p.s_axil_awvalid_i = 1; ++aw_i;
    }
    if (!p.s_axil_wvalid_i && w_i < n) {
      p.s_axil_wdata_i = 0x100 + w_i; p.s_axil_wstrb_i = 0xF; p.s_axil_wvalid_i = 1; ++w_i;
    }
    tb.clock();
  }
  REQUIRE(tb.bq.size() == n);
  for (const auto& b : tb.bq) REQUIRE(b.resp == kOkay);
  // sustained rate: one write completes every 3 cycles (rtl/card/README.md)
  for (std::size_t i = 1; i < tb.bq.size(); ++i) {
    REQUIRE(tb.bq[i].cycle - tb.bq[i - 1].cycle == 3);
  }
  REQUIRE(tb.rd(scratch) == 0x100 + n - 1);
  // reads: alternate SCRATCH and MAGIC, keep AR valid
  unsigned ar_i = 0;
  tb.rq.clear();
  p.s_axil_rready_i = 1;
  for (unsigned c = 0; c < 400 && tb.rq.size() < n; ++c) {
    if (!p.s_axil_arvalid_i && ar_i < n) {
      p.s_axil_araddr_i = (ar_i % 2) ? kMagic : scratch; p.s_axil_arvalid_i = 1; ++ar_i;
    }
    tb.clock();
  }
  REQUIRE(tb.rq.size() == n);
  for (unsigned i = 0; i < n; ++i) {
    REQUIRE(tb.rq[i].resp == kOkay);
    REQUIRE(tb.rq[i].data == ((i % 2) ? kMagicValue : 0x100 + n - 1));
    if (i) REQUIRE(tb.rq[i].cycle - tb.rq[i - 1].cycle == 3);
  }
  REQUIRE(tb.violations == 0);
}

TEST_CASE("simultaneous reads and writes are both served, alternately", "[card][axi]") {
  CardTb tb;
  auto& p = tb.pins();
  p.s_axil_bready_i = 1;
  p.s_axil_rready_i = 1;
  const unsigned n = 16;
  unsigned wr = 0, rd = 0;
  std::vector<char> order;  // completion order, 'W' or 'R'
  std::size_t nb = 0, nr = 0;
  for (unsigned c = 0; c < 600 && (tb.bq.size() < n || tb.rq.size() < n); ++c) {
    // all three address/data channels offered in the same cycle, every time
    if (!p.s_axil_awvalid_i && !p.s_axil_wvalid_i && wr < n) {
      p.s_axil_awaddr_i = kScratch; p.s_axil_awvalid_i = 1;
      p.s_axil_wdata_i = 0x200 + wr; p.s_axil_wstrb_i = 0xF; p.s_axil_wvalid_i = 1;
      ++wr;
    }
    if (!p.s_axil_arvalid_i && rd < n) {
      p.s_axil_araddr_i = kMagic; p.s_axil_arvalid_i = 1;
      ++rd;
    }
    tb.clock();
    // a write and a read can complete in the same cycle; record writes first
    if (tb.bq.size() > nb) { order.push_back('W'); nb = tb.bq.size(); }
    if (tb.rq.size() > nr) { order.push_back('R'); nr = tb.rq.size(); }
  }
  REQUIRE(tb.bq.size() == n);
  REQUIRE(tb.rq.size() == n);
  for (const auto& r : tb.rq) REQUIRE(r.data == kMagicValue);
  // fairness: while both streams are busy neither gets more than one grant in a row
  for (std::size_t i = 2; i < order.size() - 2; ++i) {
    INFO("completion order " << std::string(order.begin(), order.end()));
    REQUIRE(!(order[i] == order[i - 1] && order[i] == order[i - 2]));
  }
  REQUIRE(tb.rd(kScratch) == 0x200 + n - 1);
  REQUIRE(tb.violations == 0);
}

TEST_CASE("a read and a write arriving together: the one that did not go last wins",
          "[card][axi]") {
  CardTb tb;
  auto& p = tb.pins();
  for (const bool last_was_write : {true, false, true}) {
    INFO("last transaction was a " << (last_was_write ? "write" : "read"));
    if (last_was_write) {
      REQUIRE(tb.write(kScratch, 0x77) == kOkay);
    } else {
      REQUIRE(tb.rd(kMagic) == kMagicValue);
    }
    tb.run(3);
    tb.bq.clear();
    tb.rq.clear();
    p.s_axil_awaddr_i = kScratch; p.s_axil_awvalid_i = 1;
    p.s_axil_wdata_i = 0x88; p.s_axil_wstrb_i = 0xF; p.s_axil_wvalid_i = 1;
    p.s_axil_araddr_i = kScratch; p.s_axil_arvalid_i = 1;
    p.s_axil_bready_i = 1;
    p.s_axil_rready_i = 1;
    tb.run(20);
    REQUIRE(tb.bq.size() == 1);
    REQUIRE(tb.rq.size() == 1);
    if (last_was_write) {
      REQUIRE(tb.rq[0].cycle < tb.bq[0].cycle);
      REQUIRE(tb.rq[0].data == 0x77);  // the read went first: it sees the old value
    } else {
      REQUIRE(tb.bq[0].cycle < tb.rq[0].cycle);
      REQUIRE(tb.rq[0].data == 0x88);  // the write went first
    }
    p.s_axil_bready_i = 0;
    p.s_axil_rready_i = 0;
  }
  REQUIRE(tb.violations == 0);
}

TEST_CASE("random valid/ready timing against a reference model", "[card][axi]") {
  CardTb tb;
  auto& p = tb.pins();
  std::mt19937 rng(12345);
  auto chance = [&](unsigned pct) { return (rng() % 100) < pct; };
  // writes go to SCRATCH with random strobes; reads of MAGIC and of an unmapped offset
  uint32_t model = 0;
  struct Wr { uint32_t data; uint8_t strb; };
  std::vector<Wr> writes;
  unsigned aw_left = 200, w_left = 200, ar_left = 200;
  std::vector<bool> read_mapped;
  for (unsigned c = 0; c < 20000; ++c) {
    if (!p.s_axil_awvalid_i && aw_left && chance(40)) {
      p.s_axil_awaddr_i = kScratch | (rng() & 3);  // low address bits are ignored
      p.s_axil_awvalid_i = 1;
      --aw_left;
    }
    if (!p.s_axil_wvalid_i && w_left && chance(40)) {
      const Wr w{static_cast<uint32_t>(rng()), static_cast<uint8_t>(rng() & 0xF)};
      writes.push_back(w);
      p.s_axil_wdata_i = w.data; p.s_axil_wstrb_i = w.strb; p.s_axil_wvalid_i = 1;
      --w_left;
    }
    if (!p.s_axil_arvalid_i && ar_left && chance(40)) {
      const bool mapped = chance(70);
      read_mapped.push_back(mapped);
      p.s_axil_araddr_i = mapped ? kMagic : 0xFFF00;
      p.s_axil_arvalid_i = 1;
      --ar_left;
    }
    p.s_axil_bready_i = chance(50);
    p.s_axil_rready_i = chance(50);
    tb.clock();
    if (!aw_left && !w_left && !ar_left && tb.bq.size() == 200 && tb.rq.size() == 200) break;
  }
  REQUIRE(tb.bq.size() == 200);
  REQUIRE(tb.rq.size() == 200);
  for (const auto& b : tb.bq) REQUIRE(b.resp == kOkay);
  for (std::size_t i = 0; i < tb.rq.size(); ++i) {
    REQUIRE(tb.rq[i].resp == (read_mapped[i] ? kOkay : kSlvErr));
    REQUIRE(tb.rq[i].data == (read_mapped[i] ? kMagicValue : 0u));
  }
  // writes complete in order, so the final value is every write applied with its strobes
  for (const auto& w : writes) {
    uint32_t m = 0;
    for (int b = 0; b < 4; ++b) {
      if (w.strb & (1 << b)) m |= 0xFFu << (8 * b);
    }
    model = (model & ~m) | (w.data & m);
  }
  p.s_axil_bready_i = 0;
  p.s_axil_rready_i = 0;
  REQUIRE(tb.rd(kScratch) == model);
  REQUIRE(tb.violations == 0);
}
