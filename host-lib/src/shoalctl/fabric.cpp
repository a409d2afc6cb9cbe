// shoalctl fabric ...: the inter-server fabric's commands, served by shoal-fabricd
// (services/shoal-fabricd/src/fabric_cli.hpp owns them; shoal-fabric is the same CLI alone).
#include "commands.hpp"
#include "fabric_cli.hpp"

namespace shoalctl {

void add_fabric_commands(CLI::App& app, Context& ctx) {
  auto* fabric = app.add_subcommand("fabric", "The inter-server fabric: slices, servers, request, release (shoal-fabricd)");
  shoal::fabric::add_fabric_commands(*fabric, ctx.json, ctx.rc);
}

}  // namespace shoalctl
