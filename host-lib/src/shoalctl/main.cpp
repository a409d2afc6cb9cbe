// shoalctl: look at a Shoal card from the command line — identity, capabilities and resources
// from its device tree, raw register access by offset or by name from the generated map, and
// the soft core's firmware. One file per command group (commands.hpp); this file builds the
// command line from them and runs the chosen command.
#include <CLI/CLI.hpp>

#include "commands.hpp"

namespace {

using namespace shoalctl;

const char* kHelpFooter = R"(Device URIs (--device, or the SHOAL_DEVICE environment variable when --device is absent):
  sim:/path/to/socket     the co-simulated card served by shoal-sim on that UNIX socket
  pci:DDDD:BB:DD.F        a PCIe card by address, e.g. pci:0000:03:00.0 (pci:BB:DD.F = domain 0000)
  pci:VVVV:DDDD[#N]       the N-th (0-based, default 0) PCIe card with that vendor:device ID,
                          e.g. pci:1d0f:5348 or pci:1d0f:5348#1
  pci: looks under ${SHOAL_SYSFS_ROOT:-/sys}/bus/pci/devices and needs access to resource0.

Registers: OFFSET is a BAR0 byte offset (decimal or 0x hex, 4-byte aligned, 8 with --64);
  BLOCK.NAME names a register from the register map (case-insensitive), see 'reg list'.

Exit codes:
  0  success
  1  the device could not be opened, or an access failed (bus error, I/O, timeout, ...)
  2  bad usage or input (unknown register, bad number, offset outside BAR0, no device given);
     nothing was sent to the card)";

// The command groups, in the order --help lists them.
using AddGroup = void (*)(CLI::App&, Context&);
constexpr AddGroup kGroups[] = {add_info_commands, add_reg_commands, add_fw_commands};

}  // namespace

int main(int argc, char** argv) {
  Context ctx;
  CLI::App app{"shoalctl: inspect and poke a Shoal card (hardware or co-simulation)", "shoalctl"};
  app.footer(kHelpFooter);
  app.fallthrough();
  app.require_subcommand(1);
  add_global_options(app, ctx);
  for (AddGroup add : kGroups) add(app, ctx);

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    (void)app.exit(e);  // prints the message
    return kExitUsage;
  }
  return ctx.rc;
}
