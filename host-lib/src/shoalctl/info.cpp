// shoalctl info: what the card says about itself (identity registers and its DTB).
#include <CLI/CLI.hpp>

#include <cstdio>
#include <cstdlib>

#include "commands.hpp"
#include "shoal/driver/transport.hpp"
#include "shoal/proto.h"
#include "shoal/sim_socket.hpp"

namespace shoalctl {
namespace {

constexpr std::uint32_t kServiceTimeoutMs = 2000;

const char* policy_name(std::uint32_t p) {
  switch (p) {
    case SHOAL_OP_POLICY_SET_POLICY_STATIC: return "STATIC";
    case SHOAL_OP_POLICY_SET_POLICY_REACTIVE: return "REACTIVE";
    case SHOAL_OP_POLICY_SET_POLICY_PREDICTIVE: return "PREDICTIVE";
    default: return "?";
  }
}

const char* fault_name(std::uint32_t f) {
  switch (f) {
    case SHOAL_CPL_SERVICE_STATUS_FAULT_NONE: return "none";
    case SHOAL_CPL_SERVICE_STATUS_FAULT_ALLOC_SELFCHECK: return "ALLOC_SELFCHECK";
    case SHOAL_CPL_SERVICE_STATUS_FAULT_POOL_SUM: return "POOL_SUM";
    case SHOAL_CPL_SERVICE_STATUS_FAULT_CPU_MAP: return "CPU_MAP";
    case SHOAL_CPL_SERVICE_STATUS_FAULT_PROC_LOST: return "PROC_LOST";
    default: return "?";
  }
}

// The allocation service's state (SERVICE_STATUS on the admin queue, docs/service.md): running,
// or stopped by an invariant violation (sticky until SERVICE_CLEAR). A card whose firmware does
// not answer says so; that is not an error of `info`.
void add_service(Report& r, const shoal::Device& dev) {
  auto& o = r.object("service", "allocation service");
  shoal_queue* q = nullptr;
  if (shoal_queue_open(dev.get(), 0, &q) != SHOAL_OK) {
    o.add("state", "state", text(std::string("unavailable: ") + shoal_last_error()));
    return;
  }
  std::uint32_t sqe[SHOAL_PROTO_ENTRY_WORDS] = {}, cqe[SHOAL_PROTO_ENTRY_WORDS] = {};
  SHOAL_SET(sqe, SHOAL_SQE_OPCODE, SHOAL_OP_SERVICE_STATUS);
  SHOAL_SET(sqe, SHOAL_SQE_VERSION, 1);
  const int rc = shoal_queue_call(q, sqe, cqe, kServiceTimeoutMs);
  const std::string why = rc == SHOAL_OK ? "" : shoal_last_error();
  shoal_queue_close(q);
  if (rc != SHOAL_OK) {
    o.add("state", "state", text("not answering (" + why + ")"));
    return;
  }
  if (const std::uint32_t st = SHOAL_GET(cqe, SHOAL_CQE_STATUS); st != SHOAL_ST_OK) {
    o.add("state", "state", text(std::string("refused SERVICE_STATUS: ") + shoal_status_name(st)));
    return;
  }
  const bool running = SHOAL_GET(cqe, SHOAL_CPL_SERVICE_STATUS_STATE) == SHOAL_CPL_SERVICE_STATUS_STATE_RUNNING;
  const std::uint32_t fault = SHOAL_GET(cqe, SHOAL_CPL_SERVICE_STATUS_FAULT);
  o.add("state", "state",
        text(running ? "running" : std::string("STOPPED by an invariant violation (") + fault_name(fault) +
                                       "): changes refused until 'SERVICE_CLEAR'"));
  o.add("policy", "policy", text(policy_name(SHOAL_GET(cqe, SHOAL_CPL_SERVICE_STATUS_POLICY))));
  o.add("fault", "fault", text(fault_name(fault)));
  o.add("fault_count", "faults", number(SHOAL_GET(cqe, SHOAL_CPL_SERVICE_STATUS_FAULT_COUNT)));
  o.add("completed", "commands", number(SHOAL_GET(cqe, SHOAL_CPL_SERVICE_STATUS_COMPLETED)));
  o.add("refused", "refused", number(SHOAL_GET(cqe, SHOAL_CPL_SERVICE_STATUS_REFUSED)));
  o.add("checks", "invariant checks", number(SHOAL_GET(cqe, SHOAL_CPL_SERVICE_STATUS_CHECKS)));
  o.add("epochs", "epochs", number(SHOAL_GET(cqe, SHOAL_CPL_SERVICE_STATUS_EPOCHS)));
  o.add("migrations", "migrations", number(SHOAL_GET(cqe, SHOAL_CPL_SERVICE_STATUS_MIGRATIONS)));
  o.add("rollbacks", "rollbacks", number(SHOAL_GET(cqe, SHOAL_CPL_SERVICE_STATUS_ROLLBACKS)));
  o.add("events_lost", "events lost", number(SHOAL_GET(cqe, SHOAL_CPL_SERVICE_STATUS_EVENTS_LOST)));
  o.add("pending", "postponed", number(SHOAL_GET(cqe, SHOAL_CPL_SERVICE_STATUS_PENDING)));
  o.add("decide_max", "decision max",
        with_text(number(SHOAL_GET(cqe, SHOAL_CPL_SERVICE_STATUS_DECIDE_MAX)),
                  std::to_string(SHOAL_GET(cqe, SHOAL_CPL_SERVICE_STATUS_DECIDE_MAX)) + " cycles"));
}

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
  bool queues = false;
  for (const auto& b : *blocks) queues = queues || (std::string(b.name) == "queue" && b.present);
  if (fw && fw->running && queues) add_service(r, *dev);
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
