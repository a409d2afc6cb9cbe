// The `fabric` command group: slices | servers | requests | request | release | k8s, talking to the
// local shoal-fabricd's API over mutual TLS. Used by the shoal-fabric binary, and meant to be
// hung under `shoalctl fabric` with one call:
//     auto* f = app.add_subcommand("fabric", "...");
//     shoal::fabric::add_fabric_commands(*f, json_flag, rc);
#pragma once

#include <CLI/CLI.hpp>

namespace shoal::fabric {

// Adds the subcommands to `parent`. `json` is the caller's --json flag; rc receives the exit
// status (0 ok, 1 fabricd or etcd refused or failed, 2 bad usage, 3 no slice available).
void add_fabric_commands(CLI::App& parent, const bool& json, int& rc);

}  // namespace shoal::fabric
