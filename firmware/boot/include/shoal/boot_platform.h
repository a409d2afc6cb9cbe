// Where the boot stage finds its hardware (docs/firmware-signing.md, "Proposed hardware").
//
// Two configurations of the same boot program (firmware/boot/src/boot_rom.cpp):
//  - SHOAL_BOOT_PROTOTYPE (what builds and runs today, without RTL changes): the boot program
//    runs from IRAM like any image, and the proposed hardware -- image slots, boot registers,
//    the provisioned key, the install step -- is modelled by the test harness on the card bus
//    (tests/trust/boot_rig.hpp) at otherwise unused BAR0 offsets reached through the core's
//    card window (0x4000_0000 + offset).
//  - the proposed RTL: a 16 KiB ROM at 0x0001_0000 (the reset vector), slots at 0x8020_0000 /
//    0x8030_0000 read by the data port, boot registers in the core block, a 4 KiB boot scratch
//    RAM for the ROM's stack. These addresses are the proposal; nothing implements them yet.
// Register fields are the same in both.
#pragma once
#include <stdint.h>

namespace shoal::boot::plat {

#if SHOAL_BOOT_PROTOTYPE
constexpr uint32_t kCardWindow = 0x40000000u;
constexpr uint32_t kRegs = kCardWindow + 0xF0000u;     // modelled boot registers
constexpr uint32_t kSlot0 = kCardWindow + 0x80000u;    // modelled image slots
constexpr uint32_t kSlot1 = kCardWindow + 0xA0000u;
#else
constexpr uint32_t kRegs = 0x40000000u + 0x10000u + 0x80u;  // core block + 0x80 (proposed)
constexpr uint32_t kSlot0 = 0x80200000u;
constexpr uint32_t kSlot1 = 0x80300000u;
#endif
constexpr uint32_t kSlotBytes = 131072u;  // shoal::boot::kProposedSlotBytes

// Register offsets from kRegs (the proposed core-block offsets are 0x80 + these).
constexpr uint32_t kBootReq = 0x00;     // ro: what the boot stage is asked to do (kReq*)
constexpr uint32_t kBootStatus = 0x04;  // rw (boot mode): the outcome (kSt*)
constexpr uint32_t kBootFloor = 0x08;   // rw (boot mode): anti-rollback floor; raise-only unless armed
constexpr uint32_t kRunVersion = 0x0C;  // rw (boot mode): rollback version of the running image
constexpr uint32_t kLastVersion = 0x10; // rw (boot mode): rollback version of the last attempted image
constexpr uint32_t kVerified = 0x14;    // w1s (boot mode): mark slot i verified (cleared by staging into it)
constexpr uint32_t kInstall = 0x18;     // w (boot mode): kInstallKey | slot (prototype: the model installs)
constexpr uint32_t kSlotLen0 = 0x20;    // ro: bytes staged in slot 0
constexpr uint32_t kSlotLen1 = 0x24;    // ro: bytes staged in slot 1
constexpr uint32_t kPubkey = 0x40;      // ro x8: the provisioned public key, little-endian words
constexpr uint32_t kRunFwVersion = 0x60; // rw (boot mode): fw_version field of the running image

// BOOT_REQ bits (set by hardware)
constexpr uint32_t kReqTry = 1u << 0;        // an activation asks to try the inactive slot
constexpr uint32_t kReqTrySlotLsb = 1;       // which slot (bit 1)
constexpr uint32_t kReqPowerUp = 1u << 2;    // first boot since card reset
constexpr uint32_t kReqAllowRollback = 1u << 3;  // the admin's one-shot rollback clear is armed
constexpr uint32_t kReqVerifiedLsb = 4;      // bits 5:4: slot i verified since last staged into
constexpr uint32_t kReqActiveLsb = 8;        // bit 8: the active slot

// BOOT_STATUS fields (written by the boot stage)
constexpr uint32_t kStResultLsb = 0;     // 7:0 ImageStatus of the last attempt (0 = ok)
constexpr uint32_t kStDetailLsb = 8;     // 11:8 crypto::VerifyStatus when the signature was checked
constexpr uint32_t kStAttemptLsb = 12;   // 12: slot of the last attempt
constexpr uint32_t kStActiveLsb = 13;    // 13: the slot now running
constexpr uint32_t kStStateLsb = 16;     // 19:16 state (kState*)
constexpr uint32_t kStCountLsb = 24;     // 31:24 boots since card reset (wraps)

enum State : uint32_t {
  kStateNone = 0,        // the boot stage has not run
  kStateVerifying = 1,   // checking an image
  kStateInstalling = 2,  // copying the accepted image into IRAM/DRAM
  kStateRunning = 3,     // the image of the active slot runs
  kStateHalted = 4,      // no slot holds an acceptable image: the boot stage idles
};

constexpr uint32_t kInstallKey = 0x494E5300u;  // "\0SNI": kInstallKey | slot

}  // namespace shoal::boot::plat
