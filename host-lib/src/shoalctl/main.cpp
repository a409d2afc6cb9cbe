// shoalctl: look at a Shoal card from the command line — identity, capabilities and resources
// from its device tree, raw register access by offset or by name from the generated map, and
// the soft core's firmware. One file per command group (commands.hpp); this file builds the
// command line from them and runs the chosen command.
#include <CLI/CLI.hpp>

#include <algorithm>
#include <string_view>
#include <vector>

#include "commands.hpp"
#include "shoal/regs.hpp"

namespace {

using namespace shoalctl;

const char* kHelpFooter = R"(Device URIs (--device, or the SHOAL_DEVICE environment variable when --device is absent;
'shoalctl list' shows the cards present):
  sim:/path/to/socket     the co-simulated card served by shoal-sim on that UNIX socket
  pci:DDDD:BB:DD.F        a PCIe card by address, e.g. pci:0000:03:00.0 (pci:BB:DD.F = domain 0000)
  pci:VVVV:DDDD[#N]       the N-th (0-based, default 0) PCIe card with that vendor:device ID,
                          e.g. pci:1d0f:5348 or pci:1d0f:5348#1
  pci: looks under ${SHOAL_SYSFS_ROOT:-/sys}/bus/pci/devices and needs access to resource0.

Numbers are decimal (a leading 0 is still decimal) or 0x hex.
Registers: OFFSET is a BAR0 byte offset (4-byte aligned, 8 with --64); BLOCK.NAME names a
  register from the register map (case-insensitive), BLOCK.NAME[i] an element of an array;
  see 'reg list'. --64 is one transaction on two 32-bit registers: refused as a whole unless the
  card takes both halves.

--json: every command prints one JSON document on stdout, errors too:
  {"error": {"code": ..., "message": ..., "exit_code": ...}} (the message also goes to stderr).

Exit codes:
  0  success
  1  the device could not be opened, or an access failed (bus error, I/O, timeout, ...)
  2  bad usage or input (unknown command or register, bad number, malformed device URI, offset
     outside BAR0, no device given, a value libshoal's checks refuse); nothing was sent to the card
  3  the card refused the command (its protocol status is in the message: INSUFFICIENT,
     DENIED_CAP, NO_PARTITION, ...), or a partition handle (--partition K) named what is not its
     own (PERMISSION); nothing changed

Broker commands (partition, resource, request, release, swap, migrate, events, top) act through the
admin handle, or with --partition K through partition K's own queue. TYPE is a resource type's
name (shoalctl resource list) or number.)";

const char* kSubFooter = "Device URIs, numbers, --json and exit codes: shoalctl --help";

// The command groups, in the order --help lists them.
using AddGroup = void (*)(CLI::App&, Context&);
constexpr AddGroup kGroups[] = {add_info_commands,   add_reg_commands, add_fw_commands, add_broker_commands,
                                add_log_commands,    add_fabric_commands};

// Optimal string alignment distance (a swap of two neighbours counts one).
std::size_t distance(std::string_view a, std::string_view b) {
  std::vector<std::vector<std::size_t>> d(a.size() + 1, std::vector<std::size_t>(b.size() + 1));
  for (std::size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
  for (std::size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.size()][b.size()];
}

std::string path_of(const CLI::App* cmd) {
  std::string p;
  for (; cmd != nullptr; cmd = cmd->get_parent()) p = cmd->get_name() + (p.empty() ? "" : " " + p);
  return p;
}

// Before CLI11 parses: walks the words of the command line down the command tree and names an
// unknown command word (with the nearest valid one) or a missing one, which CLI11 would only
// call "A subcommand is required". Returns the error message, or "" when the words fit.
std::string check_commands(CLI::App& app, const std::vector<std::string>& args) {
  CLI::App* cur = &app;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "-h" || a == "--help" || a == "--help-all" || a == "--version") return {};
    if (a == "--") break;
    if (a.size() > 1 && a[0] == '-') {
      // an option: skip its value if it takes one and it is not attached (--device=X)
      if (a.find('=') != std::string::npos) continue;
      for (CLI::App* c = cur; c != nullptr; c = c->get_parent()) {
        if (const CLI::Option* o = c->get_option_no_throw(a); o != nullptr) {
          if (o->get_items_expected_max() != 0) ++i;
          break;
        }
      }
      continue;
    }
    const auto subs = cur->get_subcommands([](const CLI::App*) { return true; });
    if (subs.empty()) return {};  // a positional argument of a command
    CLI::App* next = nullptr;
    for (CLI::App* s : subs) {
      if (s->check_name(a)) next = s;
    }
    if (next != nullptr) {
      cur = next;
      continue;
    }
    std::string nearest, all;
    std::size_t best = ~std::size_t{0};
    for (const CLI::App* s : subs) {
      all += std::string(all.empty() ? "" : ", ") + s->get_name();
      if (const auto d = distance(a, s->get_name()); d < best) {
        best = d;
        nearest = s->get_name();
      }
    }
    return "unknown command '" + a + "' for '" + path_of(cur) + "'; did you mean '" + nearest + "'? (commands: " + all +
           ")";
  }
  if (cur->get_require_subcommand_min() > 0) {
    std::string all;
    for (const CLI::App* s : cur->get_subcommands([](const CLI::App*) { return true; }))
      all += std::string(all.empty() ? "" : ", ") + s->get_name();
    return "'" + path_of(cur) + "' needs a command: " + all + " (see '" + path_of(cur) + " --help')";
  }
  return {};
}

// Every command, at every level, shows and takes --device and --json, and a one-line footer.
void add_globals_everywhere(CLI::App& cmd, Context& ctx) {
  for (CLI::App* sub : cmd.get_subcommands([](const CLI::App*) { return true; })) {
    add_global_options(*sub, ctx);
    sub->footer(kSubFooter);
    add_globals_everywhere(*sub, ctx);
  }
}

}  // namespace

int main(int argc, char** argv) {
  Context ctx;
  CLI::App app{"shoalctl: inspect and poke a Shoal card (hardware or co-simulation)", "shoalctl"};
  app.fallthrough();
  app.require_subcommand(1);
  add_global_options(app, ctx);
  app.set_version_flag("--version", std::string("shoalctl ") + SHOAL_CTL_VERSION + " (libshoal " + shoal_version() +
                                        ", register map " + std::to_string(shoal::regs::kCardVersionMajor) + "." +
                                        std::to_string(shoal::regs::kCardVersionMinor) + "." +
                                        std::to_string(shoal::regs::kCardVersionPatch) + ")");
  for (AddGroup add : kGroups) add(app, ctx);
  add_globals_everywhere(app, ctx);
  app.footer(kHelpFooter);  // after the groups: subcommands copy their parent's footer

  std::vector<std::string> args(argv + 1, argv + argc);
  ctx.json = std::find(args.begin(), args.end(), "--json") != args.end();  // for errors before parsing
  if (const std::string bad = check_commands(app, args); !bad.empty()) return ctx.usage_error(bad);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    return ctx.usage_error(std::string(e.what()) + " (see 'shoalctl --help')");
  }
  return ctx.rc;
}
