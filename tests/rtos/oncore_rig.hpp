// On-core RTOS rig: the Verilated shoal_core_block (core register block + core complex, the card
// configuration) with a minimal card bus around it, as shoal_card wires it: the core's master
// port reaches its own register block (BAR0 SHOAL_CORE_BASE..+SIZE) through the same slave
// port the host uses (host and core accesses are serialized, one at a time); every other card
// address answers 0 except ctrl.MAGIC (or goes to the optional card_bus model). The host side
// downloads an ELF through LOAD_ADDR / LOAD_DATA exactly as libshoal does, and reads the FW_* /
// WDOG_* registers. Used by tests/rtos (on-core tests), bench/rtos (bench-rtos) and tests/trust.
#pragma once
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-parameter"
#include "Vshoal_core_block.h"
#include "verilated.h"
#pragma GCC diagnostic pop
#include "core_sim.hpp"
#include "shoal/regs.h"

namespace shoal::rtostest {

class BlockRig {
 public:
  BlockRig() : top_(std::make_unique<Vshoal_core_block>()) {
    auto& t = *top_;
    t.clk_i = 0;
    t.rst_ni = 0;
    t.reg_req_i = 0;
    t.mst_ack_i = 0;
    t.irq_src_i = 0;
    t.eval();
    t.rst_ni = 1;
    t.eval();
  }

  // Optional: answers the core's card accesses outside its own block (BAR0 offset `addr`):
  // returns false for an error response; sets `rdata` for reads. Without it, such accesses
  // read 0 (ctrl.MAGIC its reset value) and writes are dropped.
  std::function<bool(bool we, uint32_t addr, uint32_t wdata, uint8_t strb, uint32_t& rdata)> card_bus;

  Vshoal_core_block& top() { return *top_; }
  std::string& console() { return console_; }
  uint64_t cycles() const { return cycles_; }
  uint32_t core_accesses() const { return core_accesses_; }

  void tick() {
    auto& t = *top_;
    t.reg_req_i = 0;
    t.mst_ack_i = 0;
    t.mst_err_i = 0;
    t.mst_rdata_i = 0;
    if (mst_ack_next_) {  // answer the core's request (one-cycle pulse)
      t.mst_ack_i = 1;
      t.mst_rdata_i = mst_rdata_;
      t.mst_err_i = mst_err_;
      mst_ack_next_ = false;
    }
    if (!slave_busy_ && host_pending_) {
      drive(host_we_, host_addr_, host_wdata_, host_strb_, false);
      host_pending_ = false;
      slave_busy_ = true;
      slave_host_ = true;
    } else if (!slave_busy_ && core_pending_) {
      drive(core_we_, core_addr_, core_wdata_, core_strb_, true);
      core_pending_ = false;
      slave_busy_ = true;
      slave_host_ = false;
    }
    t.clk_i = 1;
    t.eval();
    ++cycles_;
    if (t.console_valid_o) console_.push_back(char(t.console_data_o));
    if (t.reg_ack_o) {
      slave_busy_ = false;
      if (slave_host_) {
        host_done_ = true;
        host_rdata_ = t.reg_rdata_o;
        host_err_ = t.reg_err_o;
      } else {
        mst_ack_next_ = true;
        mst_rdata_ = t.reg_rdata_o;
        mst_err_ = t.reg_err_o;
      }
    }
    if (t.mst_req_o) {
      const uint32_t a = t.mst_addr_o;
      ++core_accesses_;
      if (a >= SHOAL_CORE_BASE && a < SHOAL_CORE_BASE + SHOAL_CORE_SIZE) {
        core_pending_ = true;
        core_we_ = t.mst_we_o;
        core_addr_ = a - SHOAL_CORE_BASE;
        core_wdata_ = t.mst_wdata_o;
        core_strb_ = t.mst_wstrb_o;
      } else if (card_bus) {  // a model of other card hardware (tests/trust/boot_rig.hpp)
        mst_ack_next_ = true;
        mst_rdata_ = 0;
        mst_err_ = !card_bus(t.mst_we_o, a, t.mst_wdata_o, uint8_t(t.mst_wstrb_o), mst_rdata_);
      } else {
        mst_ack_next_ = true;
        mst_rdata_ = (!t.mst_we_o && a == SHOAL_CTRL_MAGIC_ADDR) ? SHOAL_CTRL_MAGIC_RESET : 0;
        mst_err_ = false;
      }
    }
    t.clk_i = 0;
    t.eval();
  }

  // One host access to the core block (block-relative offset); false on an error response.
  bool access(bool we, uint32_t off, uint32_t& data, uint8_t strb = 0xF) {
    host_pending_ = true;
    host_done_ = false;
    host_we_ = we;
    host_addr_ = off;
    host_wdata_ = data;
    host_strb_ = strb;
    for (int i = 0; i < 1000 && !host_done_; ++i) tick();
    if (!host_done_) throw std::runtime_error("core block did not answer a host access");
    if (!we) data = host_rdata_;
    return !host_err_;
  }
  bool wr(uint32_t off, uint32_t v, uint8_t strb = 0xF) { return access(true, off, v, strb); }
  uint32_t rd(uint32_t off) {
    uint32_t v = 0;
    if (!access(false, off, v)) throw std::runtime_error("host read refused");
    return v;
  }

  // Hold the core in reset, download the ELF (like shoal_fw_load), release (unless told not to:
  // then call release()). Returns "" or why not.
  bool release() { return wr(SHOAL_CORE_CTRL_OFFSET, 0); }
  std::string load(const std::string& elf, bool and_release = true) {
    shoal::coresim::ElfImage img;
    std::string err = shoal::coresim::load_elf(elf, img);
    if (!err.empty()) return err;
    if (!wr(SHOAL_CORE_CTRL_OFFSET, 1)) return "CTRL refused";
    for (int i = 0; i < 4; ++i) tick();
    for (const auto& s : img.segments) {
      if (!wr(SHOAL_CORE_LOAD_ADDR_OFFSET, s.addr)) return "LOAD_ADDR refused";
      for (size_t i = 0; i < s.bytes.size(); i += 4) {
        uint32_t w = 0;
        for (size_t k = 0; k < 4 && i + k < s.bytes.size(); ++k) w |= uint32_t(s.bytes[i + k]) << (8 * k);
        if (!wr(SHOAL_CORE_LOAD_DATA_OFFSET, w)) return "LOAD_DATA refused";
      }
    }
    symbols_ = img.symbols;
    console_.clear();
    if (and_release && !release()) return "CTRL refused";
    return "";
  }

  // Run until the console holds `text` (true) or max cycles pass (false).
  bool run_until(const std::string& text, uint64_t max_cycles) {
    for (uint64_t i = 0; i < max_cycles; ++i) {
      tick();
      if (top_->console_valid_o && console_.find(text) != std::string::npos) return true;
    }
    return console_.find(text) != std::string::npos;
  }
  void run(uint64_t n) {
    for (uint64_t i = 0; i < n; ++i) tick();
  }

 private:
  void drive(bool we, uint32_t addr, uint32_t wdata, uint8_t strb, bool from_core) {
    auto& t = *top_;
    t.reg_req_i = 1;
    t.reg_core_i = from_core;  // the card bus's origin bit
    t.reg_we_i = we;
    t.reg_addr_i = addr;
    t.reg_wdata_i = wdata;
    t.reg_wstrb_i = strb;
  }

  std::unique_ptr<Vshoal_core_block> top_;
  std::string console_;
  uint64_t cycles_ = 0;
  uint32_t core_accesses_ = 0;
  std::map<std::string, uint32_t> symbols_;
  // host side
  bool host_pending_ = false, host_done_ = false, host_we_ = false, host_err_ = false;
  uint32_t host_addr_ = 0, host_wdata_ = 0, host_rdata_ = 0;
  uint8_t host_strb_ = 0;
  // core master side
  bool core_pending_ = false, core_we_ = false;
  uint32_t core_addr_ = 0, core_wdata_ = 0;
  uint8_t core_strb_ = 0;
  bool mst_ack_next_ = false, mst_err_ = false;
  uint32_t mst_rdata_ = 0;
  // the slave port
  bool slave_busy_ = false, slave_host_ = false;
};

}  // namespace shoal::rtostest
