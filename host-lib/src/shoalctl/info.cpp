// shoalctl info: what the card says about itself (identity registers and its DTB).
#include <CLI/CLI.hpp>

#include <cstdio>
#include <cstdlib>

#include "commands.hpp"
#include "shoal/driver/transport.hpp"
#include "shoal/sim_socket.hpp"

namespace shoalctl {
namespace {

int info(Context& ctx) {
  int rc = kExitOk;
  auto dev = ctx.open_device(rc);
  if (!dev) return rc;
  auto info = dev->info();
  if (!info) return ctx.device_error(info.error());
  auto res = dev->resources();
  if (!res) return ctx.device_error(res.error());
  auto blocks = dev->blocks();
  if (!blocks) return ctx.device_error(blocks.error());
  const auto& i = *info;
  std::optional<shoal_fw_state> fw;
  if (i.blocks_present & SHOAL_BLOCK_CORE) {
    auto st = dev->fw_status();
    if (!st) return ctx.device_error(st.error());
    fw = *st;
  }

  const std::string ver = std::to_string(i.card_version_major) + "." + std::to_string(i.card_version_minor) + "." +
                          std::to_string(i.card_version_patch);
  Report r = Report::object();
  r.add("device", "device", text(i.transport));
  r.add("model", "model", text(i.model));
  r.add("magic", "magic", hex(i.magic, 8));
  r.add("ctrl_id", "ctrl ID",
        with_text(number(i.ctrl_id), hexs(i.ctrl_id, 8) + " (block " + hexs(i.ctrl_id >> 16, 4) + ", version " +
                                         std::to_string(i.ctrl_id & 0xffff) + ")"));
  r.add("ctrl_block_id", "", number(i.ctrl_id >> 16));
  r.add("ctrl_block_version", "", number(i.ctrl_id & 0xffff));
  r.add("version", "card version", with_text(text(ver), ver + " (VERSION register " + hexs(i.version_reg, 8) + ")"));
  r.add("version_reg", "", number(i.version_reg));
  r.add("cap", "capabilities", hex(i.cap, 8));
  r.add("clock_hz", "clock", with_text(number(i.clock_hz), std::to_string(i.clock_hz) + " Hz"));
  r.add("num_processors", "processors", number(i.num_processors));
  r.add("num_partitions", "partitions", number(i.num_partitions));
  r.add("num_irq_vectors", "irq vectors", number(i.num_irq_vectors));
  r.add("num_host_irqs", "host irqs", number(i.num_host_irqs));
  r.add("bar0_size", "BAR0", with_text(number(i.bar0_size), hexs(i.bar0_size) + " bytes"));
  r.add("dtb_size", "DTB", with_text(number(i.dtb_size), std::to_string(i.dtb_size) + " bytes"));
  r.add("num_resource_types", "", number(i.num_resource_types));
  auto& rt = r.table("resources", "resources (" + std::to_string(res->size()) + " types)",
                     {{"index", "INDEX"}, {"name", "NAME"}, {"units", "UNITS"}, {"description", "DESCRIPTION"}});
  for (const auto& x : *res) rt.add_row({number(x.index), text(x.name), number(x.units), text(x.description)});
  auto& bt = r.table("blocks", "blocks",
                     {{"name", "NAME"}, {"present", "STATUS"}, {"base", "BASE"}, {"size", "SIZE"},
                      {"block_id", "ID"}, {"block_version", "VERSION"}, {"compatible", "COMPATIBLE"}});
  for (const auto& b : *blocks) {
    bt.add_row({text(b.name), boolean(b.present != 0, "present", "absent"), hex(b.base, 5), hex(b.size, 5),
                hex(b.block_id, 4), number(b.block_version), text(b.compatible)});
  }
  if (fw) add_fw_state(r.object("firmware", "soft core"), *fw);
  return ctx.emit(r);
}

// The cards present: listed by libshoal without opening them, then each opened once to say
// what it is (or why it does not answer).
int list(Context& ctx) {
  auto found = shoal::list_devices();
  if (!found) return ctx.device_error(found.error());
  char id[16];
  std::snprintf(id, sizeof id, "%04x:%04x", shoal::driver::kPciVendorId, shoal::driver::kPciDeviceId);
  const char* sysfs = std::getenv("SHOAL_SYSFS_ROOT");
  Report r = Report::object();
  r.add("pci_id", "PCI ID", text(id));
  r.add("pci_devices", "PCI devices in", text(std::string(sysfs != nullptr && *sysfs ? sysfs : "/sys") + "/bus/pci/devices"));
  r.add("sim_dir", "simulators in", text(shoal::sim_socket::runtime_dir()));
  auto& t = r.table("devices", "cards (" + std::to_string(found->size()) + ")",
                    {{"uri", "DEVICE"}, {"kind", "KIND"}, {"state", "STATE"}, {"model", "CARD"}, {"detail", "DETAIL"}});
  for (const auto& e : *found) {
    const bool pci = e.kind == SHOAL_DEVICE_PCI;
    auto dev = shoal::Device::open(e.uri);
    std::string state = "ok", model, detail;
    if (dev) {
      if (auto i = dev->info()) {
        model = std::string(i->model) + " " + std::to_string(i->card_version_major) + "." +
                std::to_string(i->card_version_minor) + "." + std::to_string(i->card_version_patch);
      }
    } else {
      state = errc_id(dev.error().code);
      detail = dev.error().message;
    }
    t.add_row({text(e.uri), text(pci ? "pci" : "sim"), text(state), text(model), text(detail)});
  }
  return ctx.emit(r);
}

}  // namespace

void add_info_commands(CLI::App& app, Context& ctx) {
  auto* cmd = app.add_subcommand("info", "Identity, version, capabilities, resources and blocks (from the card's DTB)");
  cmd->callback([&ctx] { ctx.rc = info(ctx); });
  auto* ls = app.add_subcommand(
      "list", "The cards present: PCI devices with the Shoal vendor:device ID and shoal-sim sockets in the runtime "
              "directory ($SHOAL_RUNTIME_DIR, else $XDG_RUNTIME_DIR/shoal, else /tmp/shoal-UID), each opened once "
              "to show what it is (needs no --device)");
  ls->callback([&ctx] { ctx.rc = list(ctx); });
}

}  // namespace shoalctl
