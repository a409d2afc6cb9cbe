// A small signed application for the boot-stage prototype (tests/trust/test_boot_proto.cpp):
// built as boot_app_v1 / boot_app_v2 (APP_VERSION), signed at build time with the test key.
// Prints "app v<N> running (boot: run version <R>, status <hex>)", then answers host doorbell
// 0 with "pong v<N>" for as long as it runs: the host's proof that it is up and answering.
#include <stdint.h>

#include "shoal/boot_platform.h"
#include "shoal/core.hpp"
#include "shoal/regs.h"

using namespace shoal::fw;
namespace plat = shoal::boot::plat;

int main() {
  puts("app v");
  put_dec(APP_VERSION);
  puts(" running (boot: run version ");
  put_dec(mmio_read(plat::kRegs + plat::kRunVersion));
  puts(", status ");
  put_hex(mmio_read(plat::kRegs + plat::kBootStatus));
  puts(")\n");
  for (;;) {
    if (card_read(SHOAL_CORE_DOORBELL_ADDR) & 1u) {
      card_write(SHOAL_CORE_DOORBELL_ADDR, 1u);  // w1c
      puts("pong v");
      put_dec(APP_VERSION);
      puts("\n");
    }
  }
}
