#include "host.hpp"

namespace shoal::agent {

Result<std::unique_ptr<HostStack>> open_host(const Config& cfg, bool dry_run) {
  auto h = std::make_unique<HostStack>();
  if (cfg.mode == "file-tree") {
    auto t = FileTree::open(cfg.file_tree);
    if (!t) return fail(Errc::invalid_arg, cfg.path + ": hal.file_tree: " + t.error().message);
    h->base = std::move(*t);
  } else {
    h->base = std::make_unique<HostFs>();
  }
  h->fs = h->base.get();
  if (dry_run || cfg.dry_run) {
    h->dry = std::make_unique<DryRunFs>(*h->base);
    h->fs = h->dry.get();
  }
  h->info = probe_host(*h->fs, cfg.hal);
  return h;
}

Status build_hal(HostStack& host, const Config& cfg) {
  auto hal = make_hal(*host.fs, cfg.hal, host.info);
  if (!hal) return fail(hal.error());
  host.hal = std::move(*hal);
  return {};
}

}  // namespace shoal::agent
