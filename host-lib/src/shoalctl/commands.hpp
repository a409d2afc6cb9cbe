// shoalctl's command groups, one file each. main.cpp lists them in kGroups; a new group is a
// new file with its add_<group>_commands() declared here and one line in kGroups.
#pragma once

#include "common.hpp"

namespace shoalctl {

void add_info_commands(CLI::App& app, Context& ctx);  // info.cpp: info, list
void add_reg_commands(CLI::App& app, Context& ctx);   // reg.cpp:  reg list|read|write|dump
void add_fw_commands(CLI::App& app, Context& ctx);    // fw.cpp:   fw load|status
void add_fabric_commands(CLI::App& app, Context& ctx);  // fabric.cpp: fabric slices|servers|...
// broker.cpp: partition list|create|set|destroy, resource list, request, release, swap, events, top
void add_broker_commands(CLI::App& app, Context& ctx);
void add_log_commands(CLI::App& app, Context& ctx);   // log.cpp:  log [--follow]

// The soft core's state and the firmware's report as report fields (fw status, and info's
// soft-core section).
void add_fw_state(Report& obj, const shoal_fw_state& s);

}  // namespace shoalctl
