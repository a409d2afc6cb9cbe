// The boot-stage prototype's rig: the Verilated core block (tests/rtos/oncore_rig.hpp) plus a
// C++ model of the hardware docs/firmware-signing.md proposes -- two image slots, the boot
// registers with their write rules, the provisioned key, "reset into the boot ROM" and the
// install step -- on the card bus at the prototype addresses of shoal/boot_platform.h. The
// boot program itself (firmware/boot/src/boot_rom.cpp) runs on the real core; only the
// hardware around it is modelled, and the model is what the RTL is to implement.
//
// Modelled rules: the boot registers accept writes only in boot mode (from "reset into ROM"
// until the boot program writes BOOT_INSTALL), the floor only rises unless the admin armed
// the rollback clear (one activation), the host stages only into the inactive slot and staging
// clears that slot's verified mark. Not modelled: IRAM writes by the boot program (the model
// copies the installed slot into IRAM/DRAM itself, through the download registers).
#pragma once
#include <array>
#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

#include "oncore_rig.hpp"
#include "shoal/boot_platform.h"
#include "shoal/fw_image.h"

namespace shoal::trusttest {

namespace plat = shoal::boot::plat;

class BootRig {
 public:
  BootRig(std::string boot_elf, const uint8_t pubkey[32]) : boot_elf_(std::move(boot_elf)) {
    std::memcpy(pubkey_, pubkey, 32);
    rig_.card_bus = [this](bool we, uint32_t a, uint32_t wd, uint8_t strb, uint32_t& rd) {
      return bus(we, a, wd, strb, rd);
    };
  }

  // Card power-up: slot 0 holds the build-time default image; `trusted` says whether the
  // hardware marks it verified at reset (the image is part of the bitstream, like the ROM).
  void power_up(const std::vector<uint8_t>& slot0, bool trusted, uint32_t floor) {
    slots_[0] = slot0;
    slots_[1].clear();
    verified_ = {trusted, false};
    active_ = 0;
    floor_ = floor;
    status_ = run_version_ = last_version_ = run_fwver_ = 0;
    allow_ = try_ = false;
    power_up_ = true;
    reset_into_rom();
  }

  // The admin's operations (the admin page of the proposal).
  bool stage(uint32_t slot, const std::vector<uint8_t>& img) {  // refused for the active slot
    if (slot > 1 || slot == active_ || try_) return false;
    slots_[slot] = img;
    verified_[slot] = false;
    return true;
  }
  bool stage_inactive(const std::vector<uint8_t>& img) { return stage(1 - active_, img); }
  void activate() {
    try_ = true;
    try_slot_ = 1 - active_;
    reset_into_rom();
  }
  void clear_rollback() { allow_ = true; }
  void doorbell() { rig_.wr(SHOAL_CORE_DOORBELL_SET_OFFSET, 1); }

  // Runs until the console shows `text` (true) or max cycles pass; performs installs.
  bool run_until(const std::string& text, uint64_t max_cycles) {
    for (uint64_t i = 0; i < max_cycles; ++i) {
      rig_.tick();
      if (install_ >= 0) do_install();
      if (rig_.console().find(text, scan_from_) != std::string::npos) {
        scan_from_ = rig_.console().size();
        return true;
      }
    }
    return false;
  }
  void run(uint64_t n) {
    for (uint64_t i = 0; i < n; ++i) {
      rig_.tick();
      if (install_ >= 0) do_install();
    }
  }

  const std::string& console() { return rig_.console(); }
  uint32_t status() const { return status_; }
  uint32_t floor() const { return floor_; }
  uint32_t active() const { return active_; }
  uint32_t run_version() const { return run_version_; }
  uint32_t last_version() const { return last_version_; }
  bool verified(uint32_t s) const { return verified_[s]; }
  bool allow_armed() const { return allow_; }
  bool boot_mode() const { return boot_mode_; }
  uint64_t cycles() const { return rig_.cycles(); }
  uint32_t refused_writes() const { return refused_writes_; }
  // core cycles from the release into the boot program to its BOOT_INSTALL write (last boot)
  uint64_t boot_cycles() const { return boot_cycles_; }
  uint32_t field(uint32_t lsb, uint32_t bits) const { return (status_ >> lsb) & ((1u << bits) - 1); }

 private:
  void reset_into_rom() {
    const std::string err = rig_.load(boot_elf_);  // holds the core in reset, downloads, releases
    if (!err.empty()) throw std::runtime_error("boot program: " + err);
    boot_mode_ = true;
    scan_from_ = 0;
    boot_start_ = rig_.cycles();
  }

  uint32_t req() const {
    return (try_ ? plat::kReqTry | try_slot_ << plat::kReqTrySlotLsb : 0u) | (power_up_ ? plat::kReqPowerUp : 0u) |
           (allow_ ? plat::kReqAllowRollback : 0u) | uint32_t(verified_[0]) << plat::kReqVerifiedLsb |
           uint32_t(verified_[1]) << (plat::kReqVerifiedLsb + 1) | active_ << plat::kReqActiveLsb;
  }

  bool bus(bool we, uint32_t a, uint32_t wd, uint8_t strb, uint32_t& rd) {
    const uint32_t regs = plat::kRegs - plat::kCardWindow, s0 = plat::kSlot0 - plat::kCardWindow,
                   s1 = plat::kSlot1 - plat::kCardWindow;
    for (uint32_t s = 0; s < 2; ++s) {
      const uint32_t base = s ? s1 : s0;
      if (a >= base && a < base + plat::kSlotBytes) {
        if (we) return refuse();  // the core cannot write a slot
        const auto& img = slots_[s];
        rd = 0;
        for (uint32_t b = 0; b < 4; ++b) {
          const size_t at = (a & ~3u) - base + b;
          if (at < img.size()) rd |= uint32_t(img[at]) << (8 * b);
        }
        return true;
      }
    }
    if (a < regs || a >= regs + 0x100) {
      rd = a == SHOAL_CTRL_MAGIC_ADDR ? SHOAL_CTRL_MAGIC_RESET : 0;
      return true;
    }
    const uint32_t off = a - regs;
    if (!we) {
      rd = read_reg(off);
      return true;
    }
    if (strb != 0xF || !boot_mode_) return refuse();
    switch (off) {
      case plat::kBootStatus: status_ = wd; return true;
      case plat::kRunVersion: run_version_ = wd; return true;
      case plat::kLastVersion: last_version_ = wd; return true;
      case plat::kRunFwVersion: run_fwver_ = wd; return true;
      case plat::kBootFloor:
        if (wd < floor_ && !allow_) return refuse();  // raise-only unless the admin armed the clear
        floor_ = wd;
        return true;
      case plat::kVerified:
        for (uint32_t s = 0; s < 2; ++s)
          if (wd & (1u << s)) verified_[s] = true;
        return true;
      case plat::kInstall:
        if ((wd & ~1u) != plat::kInstallKey) return refuse();
        install_ = int(wd & 1u);
        boot_cycles_ = rig_.cycles() - boot_start_;
        boot_mode_ = false;  // leaves boot mode: every boot register is read-only again
        return true;
      default: return refuse();
    }
  }
  bool refuse() {
    ++refused_writes_;
    return false;
  }
  uint32_t read_reg(uint32_t off) const {
    switch (off) {
      case plat::kBootReq: return req();
      case plat::kBootStatus: return status_;
      case plat::kBootFloor: return floor_;
      case plat::kRunVersion: return run_version_;
      case plat::kLastVersion: return last_version_;
      case plat::kRunFwVersion: return run_fwver_;
      case plat::kSlotLen0: return uint32_t(slots_[0].size());
      case plat::kSlotLen1: return uint32_t(slots_[1].size());
      default:
        if (off >= plat::kPubkey && off < plat::kPubkey + 32) {
          uint32_t w = 0;
          std::memcpy(&w, pubkey_ + (off - plat::kPubkey), 4);
          return w;
        }
        return 0;
    }
  }

  // The install step: the accepted slot's segments into IRAM/DRAM (file bytes, then zeros),
  // the core released at the entry (= the IRAM base, its reset address, in the prototype).
  void do_install() {
    const uint32_t s = uint32_t(install_);
    install_ = -1;
    const auto& img = slots_[s];
    shoal::boot::Header h;
    const shoal::boot::MemMap mem = {SHOAL_CORE_IRAM_BASE_RESET, SHOAL_CORE_IRAM_BYTES_RESET, SHOAL_CORE_DRAM_BASE_RESET,
                                     SHOAL_CORE_DRAM_BYTES_RESET, plat::kSlotBytes};
    if (shoal::boot::parse_image(img.data(), img.size(), mem, h) != shoal::boot::ImageStatus::Ok)
      throw std::runtime_error("the boot program installed a slot that does not parse");
    if (h.entry != SHOAL_CORE_IRAM_BASE_RESET) throw std::runtime_error("prototype: entry must be the IRAM base");
    rig_.run(200);  // let the boot program's last console bytes out
    if (!rig_.wr(SHOAL_CORE_CTRL_OFFSET, 1)) throw std::runtime_error("CTRL refused");
    for (uint32_t i = 0; i < h.segment_count; ++i) {
      const auto& g = h.seg[i];
      if (!rig_.wr(SHOAL_CORE_LOAD_ADDR_OFFSET, g.addr)) throw std::runtime_error("LOAD_ADDR refused");
      for (uint32_t w = 0; w < (g.file_bytes + g.zero_bytes) / 4; ++w) {
        uint32_t v = 0;
        if (4 * w < g.file_bytes) std::memcpy(&v, img.data() + shoal::boot::kHeaderBytes + g.offset + 4 * w, 4);
        if (!rig_.wr(SHOAL_CORE_LOAD_DATA_OFFSET, v)) throw std::runtime_error("LOAD_DATA refused");
      }
    }
    active_ = s;
    try_ = false;
    allow_ = false;  // the clear is one-shot: consumed by this activation
    power_up_ = false;
    if (!rig_.release()) throw std::runtime_error("CTRL refused");  // the console carries on
  }

  shoal::rtostest::BlockRig rig_;
  std::string boot_elf_;
  uint8_t pubkey_[32];
  std::array<std::vector<uint8_t>, 2> slots_;
  std::array<bool, 2> verified_{false, false};
  uint32_t active_ = 0, try_slot_ = 0, floor_ = 0;
  uint32_t status_ = 0, run_version_ = 0, last_version_ = 0, run_fwver_ = 0;
  bool allow_ = false, try_ = false, power_up_ = false, boot_mode_ = false;
  int install_ = -1;
  size_t scan_from_ = 0;
  uint32_t refused_writes_ = 0;
  uint64_t boot_start_ = 0, boot_cycles_ = 0;
};

}  // namespace shoal::trusttest
