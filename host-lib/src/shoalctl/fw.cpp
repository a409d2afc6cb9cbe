// shoalctl fw: the card's soft core — firmware download and status.
#include <CLI/CLI.hpp>

#include <unistd.h>

#include <cinttypes>
#include <cstdio>
#include <memory>

#include "commands.hpp"

namespace shoalctl {
namespace {

std::string fw_state_text(const shoal_fw_state& s) {
  if (s.in_reset) return "held in reset";
  if (!s.running) return "starting";
  return s.sleeping ? "running (sleeping in wfi)" : "running";
}

// "major.minor.patch (kind)" of FW_VERSION ("none reported" before the firmware reports one)
std::string fw_version_text(const shoal_fw_state& s) {
  if (s.fw_version == 0) return "none reported";
  const unsigned kind = s.fw_version >> 24;
  return std::to_string((s.fw_version >> 16) & 0xff) + "." + std::to_string((s.fw_version >> 8) & 0xff) + "." +
         std::to_string(s.fw_version & 0xff) + (kind == 1 ? " (RTOS image)" : "");
}

Value watchdog(const shoal_fw_state& s) {
  std::string w = s.wdog_enabled ? "on, timeout " + std::to_string(s.wdog_timeout) + " cycles, " +
                                       std::to_string(s.wdog_count) + " left"
                                 : "off";
  if (s.wdog_enabled && s.wdog_halt) w += ", halts the core on expiry";
  w += s.wdog_expired ? ", EXPIRED (the firmware stopped kicking)" : "";
  w += ", kicks " + std::to_string(s.wdog_kicks);
  Json j = {{"enabled", s.wdog_enabled != 0}, {"halt", s.wdog_halt != 0}, {"timeout_cycles", s.wdog_timeout},
            {"count", s.wdog_count},          {"expired", s.wdog_expired != 0}, {"kicks", s.wdog_kicks}};
  return {std::move(j), std::move(w)};
}

Value last_fault(const shoal_fw_state& s) {
  std::string t = "none";
  if (s.fault_valid) {
    const std::string task = s.fault_task_name[0] ? s.fault_task_name : "-";
    t = std::string(shoal_fw_fault_name(s.fault_cause)) + " in task '" + task + "' (#" + std::to_string(s.fault_task) +
        "), data " + hexs(s.fault_data, 8) + ", " + std::to_string(s.fault_count) + " reported";
  }
  Json j = {{"valid", s.fault_valid != 0}, {"cause", s.fault_cause},
            {"cause_text", shoal_fw_fault_name(s.fault_cause)}, {"task", s.fault_task},
            {"task_name", s.fault_task_name}, {"data", s.fault_data}, {"count", s.fault_count}};
  return {std::move(j), std::move(t)};
}

int fw_status(Context& ctx) {
  int rc = kExitOk;
  auto dev = ctx.open_device(rc);
  if (!dev) return rc;
  auto st = dev->fw_status();
  if (!st) return ctx.device_error(st.error());
  Report r = Report::object();
  add_fw_state(r, *st);
  return ctx.emit(r);
}

// A progress bar on stderr, drawn only when stdout is a terminal.
void fw_progress(void* /*ctx*/, std::uint64_t done, std::uint64_t total) {
  constexpr int kWidth = 40;
  const int fill = total ? static_cast<int>(done * kWidth / total) : kWidth;
  std::string bar(static_cast<std::size_t>(fill), '#');
  bar.resize(kWidth, '.');
  std::fprintf(stderr, "\r[%s] %3u%% %" PRIu64 "/%" PRIu64 " bytes", bar.c_str(),
               total ? static_cast<unsigned>(done * 100 / total) : 100u, done, total);
  if (done == total) std::fputc('\n', stderr);
  std::fflush(stderr);
}

int fw_load(Context& ctx, const std::string& elf) {
  int rc = kExitOk;
  auto dev = ctx.open_device(rc);
  if (!dev) return rc;
  const bool tty = ::isatty(STDOUT_FILENO) != 0;
  auto s = dev->fw_load(elf, tty ? fw_progress : nullptr, nullptr);
  if (!s) {
    if (tty) std::fputc('\n', stderr);
    // a bad image was refused before anything was sent to the card: invalid_arg, exit 2
    return ctx.device_error(s.error(), "fw load: ");
  }
  auto st = dev->fw_status();
  if (!st) return ctx.device_error(st.error());
  Report r = Report::object(Report::Style::Line);
  r.add("loaded", "loaded", with_text(text(elf), elf + ":"));
  r.add("load_count", "", with_text(number(st->load_count), std::to_string(st->load_count) + " words;"));
  r.add("state", "core", text(fw_state_text(*st)));
  add_fw_state(r.object("firmware", "", Report::Style::JsonOnly), *st);
  return ctx.emit(r);
}

}  // namespace

void add_fw_state(Report& r, const shoal_fw_state& s) {
  r.add("state", "state", text(fw_state_text(s)));
  r.add("ctrl", "CTRL", hex(s.ctrl, 8));
  r.add("status", "STATUS", hex(s.status, 8));
  r.add("in_reset", "", boolean(s.in_reset != 0));
  r.add("running", "", boolean(s.running != 0));
  r.add("sleeping", "", boolean(s.sleeping != 0));
  r.add("load_count", "LOAD_COUNT", with_text(number(s.load_count), std::to_string(s.load_count) + " words"));
  r.add("iram_base", "IRAM", with_text(number(s.iram_base), hexs(s.iram_base, 8) + " + " + std::to_string(s.iram_bytes) + " bytes"));
  r.add("iram_bytes", "", number(s.iram_bytes));
  r.add("dram_base", "DRAM", with_text(number(s.dram_base), hexs(s.dram_base, 8) + " + " + std::to_string(s.dram_bytes) + " bytes"));
  r.add("dram_bytes", "", number(s.dram_bytes));
  r.add("fw_version", "", number(s.fw_version));
  r.add("fw_version_text", "firmware", text(fw_version_text(s)));
  r.add("uptime_ticks", "uptime", with_text(number(s.fw_uptime), std::to_string(s.fw_uptime) + " ticks"));
  r.add("task_count", "tasks",
        with_text(number(s.task_count), std::to_string(s.task_count) + (s.sched_running ? " (scheduler running)" : "")));
  r.add("scheduler_running", "", boolean(s.sched_running != 0));
  r.add("watchdog", "watchdog", watchdog(s));
  r.add("last_fault", "last fault", last_fault(s));
}

void add_fw_commands(CLI::App& app, Context& ctx) {
  auto* fw = app.add_subcommand("fw", "Soft-core firmware");
  fw->require_subcommand(1);
  fw->fallthrough();
  auto elf = std::make_shared<std::string>();  // kept alive by the callback
  auto* load = fw->add_subcommand(
      "load", "Download an RV32 ELF image into the soft core and start it (the image is checked "
              "completely first; a bad image leaves the core untouched, exit status 2)");
  load->add_option("elf", *elf, "ELF file")->required();
  load->callback([&ctx, elf] { ctx.rc = fw_load(ctx, *elf); });
  auto* status = fw->add_subcommand(
      "status", "Soft-core state: CTRL, STATUS, LOAD_COUNT, memories, firmware version, uptime, tasks, "
                "watchdog, last fault");
  status->callback([&ctx] { ctx.rc = fw_status(ctx); });
}

}  // namespace shoalctl
