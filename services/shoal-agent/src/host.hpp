// Opening the host a configuration names: the KernelFs (host, file tree, dry run over either),
// the probe, and the HAL. Shared by shoal-agent, the tests and bench-agent.
#pragma once

#include <memory>
#include <string>

#include "config.hpp"
#include "file_tree.hpp"
#include "hal.hpp"

namespace shoal::agent {

struct HostStack {
  std::unique_ptr<KernelFs> base;  // HostFs or FileTree
  std::unique_ptr<DryRunFs> dry;   // set in dry-run mode
  KernelFs* fs = nullptr;          // what the HAL uses
  HalInfo info;
  std::unique_ptr<Hal> hal;        // set by build_hal
};

// Opens the configured KernelFs (dry_run: cfg.dry_run or the command line) and probes it.
Result<std::unique_ptr<HostStack>> open_host(const Config& cfg, bool dry_run);
// Builds the HAL over an opened host.
Status build_hal(HostStack& host, const Config& cfg);

}  // namespace shoal::agent
