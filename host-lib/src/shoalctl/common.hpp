// shoalctl: what every command group shares — the global options, exit codes, opening the
// device, reporting errors and printing reports (text or --json).
//
// Adding a command group: a new <group>.cpp with `void add_<group>_commands(CLI::App&,
// Context&)` (declared in commands.hpp, listed in main.cpp's kGroups). Its commands build a
// Report (report.hpp) and return ctx.emit(report); failures return ctx.usage_error(...) or
// ctx.device_error(...). Nothing else prints to stdout.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "report.hpp"
#include "shoal/shoal.hpp"

namespace CLI {
class App;
}

namespace shoalctl {

// Exit codes (also in --help).
inline constexpr int kExitOk = 0;
inline constexpr int kExitDevice = 1;  // the device could not be opened or refused an access
inline constexpr int kExitUsage = 2;   // bad command line or input; nothing was sent to the card
inline constexpr int kExitRefused = 3; // the card (or libshoal for it) refused a broker command; nothing changed

// State shared by every command: the global options and the exit status of the command run.
struct Context {
  std::string device;  // --device (empty: $SHOAL_DEVICE)
  bool json = false;   // --json
  int rc = kExitOk;

  // Prints the report (text, or JSON with --json); returns kExitOk.
  int emit(const Report& r) const;
  // Bad usage or input; nothing was sent to the card. Returns kExitUsage.
  int usage_error(const std::string& msg) const;
  // The device failed (open, bus error, I/O, timeout ...): kExitDevice; or refused bad input
  // before the card (Errc::invalid_arg: a malformed URI, a bad image): kExitUsage; a broker
  // command refused (Errc::refused, or Errc::permission with a protocol status): kExitRefused.
  int device_error(const shoal::Error& e, const std::string& context = {}) const;
  // Every error ends here: "shoalctl: MESSAGE" on stderr and, with --json, the JSON document
  // {"error": {"code": CODE, "message": MESSAGE, "exit_code": EXIT}} on stdout. Returns exit.
  int fail(int exit, const std::string& code, const std::string& message) const;

  // The device URI: --device, else $SHOAL_DEVICE ("" if neither).
  std::string device_uri() const;
  // Opens the device or reports why not (its exit code in rc).
  std::optional<shoal::Device> open_device(int& rc) const;
};

// The error code's identifier in JSON ("invalid_arg", "bus", ...).
const char* errc_id(shoal::Errc e);

// Adds --device and --json to a command (every command shows them in its --help).
void add_global_options(CLI::App& cmd, Context& ctx);

// "0x00001f" style.
std::string hexs(std::uint64_t v, int width = 0);

// Strict unsigned parse: decimal (leading zeros allowed, never octal) or 0x hex; the whole
// string, no sign, fits in max.
std::optional<std::uint64_t> parse_uint(const std::string& s, std::uint64_t max);

}  // namespace shoalctl
