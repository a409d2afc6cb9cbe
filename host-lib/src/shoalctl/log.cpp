// shoalctl log: the card's audit log (docs/audit.md) — every grant, reclaim, migration and
// refusal, sequence-numbered and timestamped — read without draining it; --follow keeps
// printing new records as they come (Ctrl-C, or --for-ms, ends it).
#include <CLI/CLI.hpp>

#include <chrono>
#include <csignal>
#include <iostream>
#include <thread>

#include "commands.hpp"

namespace shoalctl {
namespace {

volatile std::sig_atomic_t g_stop = 0;
void on_signal(int) { g_stop = 1; }

std::string name_or(const char* n, std::uint32_t v) { return n ? n : std::to_string(v); }

std::vector<Column> columns() {
  return {{"seq", "SEQ"},       {"time", "CYCLE"}, {"kind", "KIND"},     {"source", "SOURCE"}, {"actor", "ACTOR"},
          {"status", "STATUS"}, {"part", "PART"},  {"part2", "PART2"},  {"rtype", "TYPE"},    {"amount", "AMOUNT"},
          {"aux", "AUX"},       {"flags", ""},     {"data_lo", ""},      {"data_hi", ""}};
}

void add_row(Report& t, const shoal_audit_record& a) {
  const std::string actor = a.actor == 0xFF ? "policy" : a.actor == 0 ? "admin" : "q" + std::to_string(a.actor);
  t.add_row({number(a.seq), number(a.time), text(name_or(shoal_audit_kind_name(a.kind), a.kind)),
             text(name_or(shoal_audit_source_name(a.source), a.source)), with_text(number(a.actor), actor),
             with_text(number(a.status), name_or(shoal_status_name(a.status), a.status)), number(a.part),
             number(a.part2), number(a.rtype), number(a.amount), number(a.aux), number(a.flags), number(a.data_lo),
             number(a.data_hi)});
}

int log_cmd(Context& ctx, bool follow, const std::string& last, const std::string& for_ms) {
  auto n = parse_uint(last, 1u << 20);
  auto f = parse_uint(for_ms, 0xFFFFFFFFu);
  if (!n) return ctx.usage_error("--last " + last + ": a number");
  if (!f) return ctx.usage_error("--for-ms " + for_ms + ": a number (0 = until interrupted)");
  int rc = kExitOk;
  auto dev = ctx.open_device(rc);
  if (!dev) return rc;
  auto state = [&](shoal_audit_state& st) {
    st = {};
    SHOAL_INIT(st);
    return shoal_audit_get_state(dev->get(), &st);
  };
  shoal_audit_state st{};
  if (int e = state(st); e != SHOAL_OK) return ctx.device_error({static_cast<shoal::Errc>(e), shoal_last_error()});
  std::uint32_t seq = st.tail - st.head > *n ? st.tail - static_cast<std::uint32_t>(*n) : st.head;
  auto batch = [&](Report& r) -> int {
    auto& t = r.table("records", "", columns());
    for (; seq != st.tail; ++seq) {
      shoal_audit_record a{};
      SHOAL_INIT(a);
      const int e = shoal_audit_read(dev->get(), seq, &a);
      if (e == SHOAL_ERR_INVALID_ARG) continue;  // drained meanwhile by someone else
      if (e != SHOAL_OK) return ctx.device_error({static_cast<shoal::Errc>(e), shoal_last_error()});
      add_row(t, a);
    }
    return kExitOk;
  };
  Report r = Report::object();
  r.add("head", "", number(st.head));
  r.add("tail", "", number(st.tail));
  r.add("dropped", "records dropped (ring full)", number(st.dropped));
  if (int e = batch(r); e != kExitOk) return e;
  ctx.emit(r);
  if (!follow) return kExitOk;
  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);
  const auto end = std::chrono::steady_clock::now() + std::chrono::milliseconds(*f);
  while (!g_stop && (*f == 0 || std::chrono::steady_clock::now() < end)) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    if (int e = state(st); e != SHOAL_OK) return ctx.device_error({static_cast<shoal::Errc>(e), shoal_last_error()});
    if (st.tail == seq) continue;
    if (st.tail - st.head < st.tail - seq) seq = st.head;  // drained past where we were
    Report more = Report::object();
    if (int e = batch(more); e != kExitOk) return e;
    ctx.emit(more);
  }
  return kExitOk;
}

}  // namespace

void add_log_commands(CLI::App& app, Context& ctx) {
  static bool follow = false;
  static std::string last = "50", for_ms = "0";
  auto* cmd = app.add_subcommand("log", "The card's audit log (grants, reclaims, migrations, refusals), without draining it");
  cmd->add_flag("-f,--follow", follow, "Keep printing new records as they arrive (Ctrl-C ends; with --json one document per batch)");
  cmd->add_option("-n,--last", last, "Start with the last N records in the ring (default 50)");
  cmd->add_option("--for-ms", for_ms, "--follow: stop after this long (default 0: until interrupted)");
  cmd->callback([&ctx] { ctx.rc = log_cmd(ctx, follow, last, for_ms); });
}

}  // namespace shoalctl
