// The boot stage (docs/firmware-signing.md): runs first after every core reset, decides which
// image runs, and refuses anything the provisioned key did not sign.
//
//   1. An activation asked to try the inactive slot (BOOT_REQ.try): check it (structure, key id,
//      Ed25519 signature, anti-rollback floor -- shoal::boot::check_image, the code the host
//      tests and shoal-sign run too). Accepted: raise the floor to its version (or set it, when
//      the admin armed the rollback clear), mark the slot verified, install it, run it.
//      Refused: record the status and fall through, so the previous image runs again.
//   2. Boot the active slot: re-check it unless the hardware says it is unchanged since it was
//      verified; install it and run it. Nothing acceptable: record HALTED and idle.
//
// Built twice from this source: the prototype (SHOAL_BOOT_PROTOTYPE, runs today from IRAM with
// the proposed hardware modelled by tests/trust/boot_rig.hpp) and, linked at the proposed ROM
// address, for its size (bench-trust's boot-stage figure). shoal/boot_platform.h has the map.
#include <stdint.h>
#include <string.h>

#include "shoal/boot_platform.h"
#include "shoal/core.hpp"
#include "shoal/fw_image.h"
#include "shoal/regs.h"

using namespace shoal::fw;
using namespace shoal::boot;
using namespace shoal::boot::plat;
using shoal::crypto::VerifyStatus;

namespace {
extern "C" uint32_t __stack_bottom[], __stack_top[];  // link.ld / rom.ld
uint32_t stack_bytes() { return uint32_t(reinterpret_cast<uintptr_t>(__stack_top) - reinterpret_cast<uintptr_t>(__stack_bottom)); }
inline uint32_t rd(uint32_t off) { return mmio_read(kRegs + off); }
inline void wr(uint32_t off, uint32_t v) { mmio_write(kRegs + off, v); }

const uint8_t* slot_base(uint32_t s) { return reinterpret_cast<const uint8_t*>(uintptr_t(s ? kSlot1 : kSlot0)); }
uint32_t slot_len(uint32_t s) {
  const uint32_t n = rd(s ? kSlotLen1 : kSlotLen0);
  return n > kSlotBytes ? kSlotBytes : n;
}

struct Outcome {
  ImageStatus st;
  VerifyStatus detail;
  Header h;
};

uint32_t g_boots, g_active;

void report(State state, const Outcome* attempt, uint32_t attempt_slot) {
  uint32_t v = (g_boots & 0xFFu) << kStCountLsb | uint32_t(state) << kStStateLsb | g_active << kStActiveLsb;
  if (attempt) {
    v |= uint32_t(attempt->st) << kStResultLsb | uint32_t(attempt->detail) << kStDetailLsb |
         attempt_slot << kStAttemptLsb;
  }
  wr(kBootStatus, v);
}

// the memories an image may load into, as the core block reports them
MemMap mem() {
  return {card_read(SHOAL_CORE_IRAM_BASE_ADDR), card_read(SHOAL_CORE_IRAM_BYTES_ADDR),
          card_read(SHOAL_CORE_DRAM_BASE_ADDR), card_read(SHOAL_CORE_DRAM_BYTES_ADDR), kSlotBytes};
}

Outcome check_slot(uint32_t s, const uint8_t pk[32], uint32_t floor, bool allow) {
  Outcome o;
  o.st = check_image(slot_base(s), slot_len(s), mem(), pk, floor, allow, o.h, &o.detail);
  puts("shoal boot: slot ");
  put_dec(s);
  puts(o.st == ImageStatus::Ok ? ": accepted, version " : ": refused: ");
  if (o.st == ImageStatus::Ok) {
    put_dec(o.h.rollback);
  } else {
    puts(image_status_name(o.st));
    if (o.st == ImageStatus::BadSignature) {
      puts(" (");
      puts(shoal::crypto::verify_status_name(o.detail));
      puts(")");
    }
  }
  puts("\n");
  return o;
}

[[noreturn]] void install(uint32_t s, const Header& h) {
  puts("shoal boot: stack used ");
  put_dec(stack_bytes() - stack_unused_bytes());
  puts(" bytes, running slot ");
  put_dec(s);
  puts("\n");
  wr(kRunVersion, h.rollback);
  wr(kRunFwVersion, h.fw_version);
#if SHOAL_BOOT_PROTOTYPE
  // the model holds the core in reset, loads the slot's segments into IRAM/DRAM and releases
  // it at the entry (the proposed hardware lets the boot stage write IRAM instead, below)
  wr(kInstall, kInstallKey | s);
  for (;;) wait_for_interrupt();
#else
  // boot mode: the data port may write IRAM; the boot stage's stack lives in the boot scratch
  // RAM, so the copy cannot overwrite it. Then fence.i and jump; the image's crt0 sets sp/gp.
  const uint8_t* base = slot_base(s) + kHeaderBytes;
  for (uint32_t i = 0; i < h.segment_count; ++i) {
    const Segment& g = h.seg[i];
    volatile uint32_t* dst = reinterpret_cast<volatile uint32_t*>(uintptr_t(g.addr));
    const uint8_t* src = base + g.offset;
    for (uint32_t w = 0; w < g.file_bytes / 4; ++w) dst[w] = uint32_t(src[4 * w]) | uint32_t(src[4 * w + 1]) << 8 |
                                                         uint32_t(src[4 * w + 2]) << 16 | uint32_t(src[4 * w + 3]) << 24;
    for (uint32_t w = 0; w < g.zero_bytes / 4; ++w) dst[g.file_bytes / 4 + w] = 0;
  }
  wr(kInstall, kInstallKey | s);  // leaves boot mode: IRAM writes off, the floor locked
  asm volatile("fence.i");
  reinterpret_cast<void (*)()>(uintptr_t(h.entry))();
  for (;;) wait_for_interrupt();
#endif
}
}  // namespace

int main() {
  const uint32_t req = rd(kBootReq);
  g_boots = (rd(kBootStatus) >> kStCountLsb) + 1;
  g_active = (req >> kReqActiveLsb) & 1u;
  const uint32_t floor = rd(kBootFloor);
  const bool allow = req & kReqAllowRollback;
  uint8_t pk[32];
  for (uint32_t i = 0; i < 8; ++i) {
    const uint32_t w = rd(kPubkey + 4 * i);
    for (uint32_t b = 0; b < 4; ++b) pk[4 * i + b] = uint8_t(w >> (8 * b));
  }
  puts("shoal boot: active slot ");
  put_dec(g_active);
  puts(", floor ");
  put_dec(floor);
  puts((req & kReqPowerUp) ? ", power-up\n" : "\n");

  Outcome attempt;
  uint32_t attempt_slot = 0;
  bool attempted = false;
  if (req & kReqTry) {
    attempt_slot = (req >> kReqTrySlotLsb) & 1u;
    attempted = true;
    report(kStateVerifying, nullptr, 0);
    attempt = check_slot(attempt_slot, pk, floor, allow);
    wr(kLastVersion, attempt.h.rollback);
    if (attempt.st == ImageStatus::Ok) {
      if (attempt.h.rollback > floor || allow) wr(kBootFloor, attempt.h.rollback);
      wr(kVerified, 1u << attempt_slot);
      g_active = attempt_slot;
      report(kStateRunning, &attempt, attempt_slot);
      install(attempt_slot, attempt.h);
    }
  }
  // the active slot: the previous image (or the only one)
  Outcome run;
  if ((req >> (kReqVerifiedLsb + g_active)) & 1u) {
    run.st = parse_image(slot_base(g_active), slot_len(g_active), mem(), run.h);  // unchanged since verified
    run.detail = VerifyStatus::Ok;
  } else {
    run = check_slot(g_active, pk, floor, false);
    if (run.st == ImageStatus::Ok) wr(kVerified, 1u << g_active);
  }
  if (run.st != ImageStatus::Ok) {
    report(kStateHalted, attempted ? &attempt : &run, attempted ? attempt_slot : g_active);
    puts("shoal boot: HALTED, no acceptable image\n");
    for (;;) wait_for_interrupt();
  }
  report(kStateRunning, attempted ? &attempt : nullptr, attempt_slot);
  install(g_active, run.h);
}
