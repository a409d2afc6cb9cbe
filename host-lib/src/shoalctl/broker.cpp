// shoalctl's broker commands over libshoal's broker API (shoal/broker.h): partition
// list|create|set|destroy, resource list, request, release, swap, events, top. Every command
// acts through the admin handle, or with --partition K through partition K's handle (which may
// act only on partition K: libshoal and the card refuse the rest, exit 3).
#include <CLI/CLI.hpp>

#include <poll.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <deque>
#include <iostream>
#include <map>
#include <sstream>
#include <thread>

#include "commands.hpp"

namespace shoalctl {
namespace {

using Clock = std::chrono::steady_clock;

// The options of the broker commands.
struct BrokerOpts {
  std::string as_partition;  // --partition K: use partition K's handle
};

// An open device and a handle on it.
struct Session {
  shoal::Device dev;
  shoal::Handle h;
  std::vector<std::string> type_names;  // by ALLOC slot ("" for a free slot)
  std::uint32_t num_partitions = 0, num_types = 0, num_processors = 0;
};

std::optional<Session> open_session(Context& ctx, const BrokerOpts& o, int& rc) {
  std::optional<std::uint32_t> part;
  if (!o.as_partition.empty()) {
    auto v = parse_uint(o.as_partition, 255);
    if (!v) {
      rc = ctx.usage_error("--partition " + o.as_partition + ": not a partition number");
      return std::nullopt;
    }
    part = static_cast<std::uint32_t>(*v);
  }
  auto dev = ctx.open_device(rc);
  if (!dev) return std::nullopt;
  auto h = part ? shoal::Handle::partition(*dev, *part) : shoal::Handle::admin(*dev);
  if (!h) {
    rc = ctx.device_error(h.error());
    return std::nullopt;
  }
  auto info = h->info();
  if (!info) {
    rc = ctx.device_error(info.error());
    return std::nullopt;
  }
  Session s{std::move(*dev), std::move(*h), {}, info->num_partitions, info->num_types, info->num_processors};
  for (std::uint32_t t = 0; t < s.num_types; ++t) {
    auto r = s.h.resource(t);
    if (!r) {
      rc = ctx.device_error(r.error());
      return std::nullopt;
    }
    s.type_names.push_back(r->state == SHOAL_RES_FREE ? "" : r->name);
  }
  return s;
}

// A type by name ("cache_ways") or number.
std::optional<std::uint32_t> parse_type(const Session& s, const std::string& arg) {
  for (std::uint32_t t = 0; t < s.type_names.size(); ++t)
    if (!s.type_names[t].empty() && s.type_names[t] == arg) return t;
  auto v = parse_uint(arg, 255);
  if (v && *v < s.num_types) return static_cast<std::uint32_t>(*v);
  return std::nullopt;
}

std::string types_text(const Session& s) {
  std::string all;
  for (std::uint32_t t = 0; t < s.type_names.size(); ++t)
    if (!s.type_names[t].empty()) all += (all.empty() ? "" : ", ") + s.type_names[t] + " (" + std::to_string(t) + ")";
  return all;
}

std::string q16(std::uint32_t v) {
  char b[16];
  std::snprintf(b, sizeof b, "%.1f%%", 100.0 * v / 65536.0);
  return b;
}
Value q16v(std::uint32_t v) { return with_text(number(v), q16(v)); }

std::string status_text(std::uint32_t st) {
  const char* n = shoal_status_name(st);
  return n ? n : "status " + std::to_string(st);
}

std::string procs_text(std::uint64_t m) {
  std::string out;
  for (std::uint32_t p = 0; p < 64; ++p) {
    if (!((m >> p) & 1u)) continue;
    std::uint32_t q = p;
    while (q + 1 < 64 && ((m >> (q + 1)) & 1u)) ++q;
    out += (out.empty() ? "" : ",") + std::to_string(p) + (q > p ? "-" + std::to_string(q) : "");
    p = q;
  }
  return out.empty() ? "-" : out;
}

Json procs_json(std::uint64_t m) {
  Json a = Json::array();
  for (std::uint32_t p = 0; p < 64; ++p)
    if ((m >> p) & 1u) a.push_back(p);
  return a;
}

// Units held per type: JSON {name: n}, text "cpu=2 cache_ways=4".
Value held_value(const Session& s, const std::uint32_t* held) {
  Json j = Json::object();
  std::string t;
  for (std::uint32_t k = 0; k < s.num_types; ++k) {
    const std::string name = s.type_names[k].empty() ? std::to_string(k) : s.type_names[k];
    j[name] = held[k];
    if (held[k]) t += (t.empty() ? "" : " ") + name + "=" + std::to_string(held[k]);
  }
  return {std::move(j), t.empty() ? "-" : t};
}

std::string event_text(const Session& s, const shoal_event& e) {
  const char* k = shoal_event_name(e.kind);
  const std::string type = e.type < s.type_names.size() && !s.type_names[e.type].empty() ? s.type_names[e.type]
                                                                                           : std::to_string(e.type);
  const std::string p = "partition " + std::to_string(e.partition);
  switch (e.kind) {
    case SHOAL_EV_KIND_RECLAIMED: return p + " lost " + std::to_string(e.amount) + " " + type + " to partition " + std::to_string(e.other);
    case SHOAL_EV_KIND_GIVE_BACK:
      return p + ": please give back " + std::to_string(e.amount) + " " + type + " (for partition " + std::to_string(e.other) + ")";
    case SHOAL_EV_KIND_GRANTED:
      return p + ": request " + std::to_string(e.request_id) + " granted " + std::to_string(e.amount) + " " + type;
    case SHOAL_EV_KIND_EXPIRED: return p + ": request " + std::to_string(e.request_id) + " expired";
    case SHOAL_EV_KIND_PROC_JOINED: return "processor " + std::to_string(e.type) + " joined " + p;
    case SHOAL_EV_KIND_PROC_LEFT: return "processor " + std::to_string(e.type) + " left " + p;
    case SHOAL_EV_KIND_THRESHOLD:
      return p + " crossed a threshold " + (e.amount ? "up" : "down") + " (EWMA " + q16(e.data) + ")";
    case SHOAL_EV_KIND_ELSEWHERE: return p + " needs " + std::to_string(e.amount) + " " + type + " from elsewhere";
    case SHOAL_EV_KIND_EVENTS_LOST: return std::to_string(e.amount) + " events lost (ring full)";
    case SHOAL_EV_KIND_ROLLBACK: return "migration of processor " + std::to_string(e.type) + " rolled back (" + p + ")";
    default: return std::string(k ? k : "event ") + (k ? "" : std::to_string(e.kind)) + " (" + p + ")";
  }
}

void add_event_row(Report& t, const Session& s, const shoal_event& e, double at_s) {
  const char* k = shoal_event_name(e.kind);
  char ts[32];
  std::snprintf(ts, sizeof ts, "%.3f", at_s);
  t.add_row({Value{Json(at_s), ts}, text(k ? k : std::to_string(e.kind)), number(e.partition), number(e.type),
             number(e.other), number(e.amount), number(e.request_id), number(e.data), text(event_text(s, e))});
}

std::vector<Column> event_columns() {
  return {{"time_s", "TIME"},    {"kind", "KIND"},       {"partition", ""}, {"type", ""},   {"other", ""},
          {"amount", ""},        {"request_id", ""},     {"data", ""},      {"text", "WHAT"}};
}

// A refused request still has a report: the grant with its status, then the error.
int refused(Context& ctx, const shoal::Error& e) { return ctx.device_error(e); }

// ---- partition ----------------------------------------------------------------------------

void add_partition_table(Report& r, const Session& s, const std::vector<shoal_part_info>& parts) {
  auto& t = r.table("partitions", "partitions (" + std::to_string(parts.size()) + ")",
                    {{"partition", "PART"},
                     {"prio", "PRIO"},
                     {"procs", "PROCESSORS"},
                     {"num_procs", ""},
                     {"util", "UTIL"},
                     {"ewma", "EWMA"},
                     {"thr_hi", ""},
                     {"thr_lo", ""},
                     {"pending", "PENDING"},
                     {"held", "HELD"},
                     {"floor", ""},
                     {"cap", ""}});
  for (const auto& p : parts) {
    t.add_row({number(p.partition), number(p.prio), Value{procs_json(p.procs), procs_text(p.procs)},
               number(p.num_procs), q16v(p.util), q16v(p.ewma), number(p.thr_hi), number(p.thr_lo), number(p.pending),
               held_value(s, p.held), json_only(held_value(s, p.floor).json), json_only(held_value(s, p.cap).json)});
  }
}

std::optional<std::vector<shoal_part_info>> all_partitions(Context& ctx, Session& s, int& rc) {
  auto ids = s.h.partitions();
  if (!ids) {
    rc = ctx.device_error(ids.error());
    return std::nullopt;
  }
  std::vector<shoal_part_info> out;
  for (std::uint32_t k : *ids) {
    auto q = s.h.query(k);
    if (!q) {
      rc = ctx.device_error(q.error());
      return std::nullopt;
    }
    out.push_back(*q);
  }
  return out;
}

int partition_list(Context& ctx, const BrokerOpts& o) {
  int rc = kExitOk;
  auto s = open_session(ctx, o, rc);
  if (!s) return rc;
  auto parts = all_partitions(ctx, *s, rc);
  if (!parts) return rc;
  Report r = Report::object();
  add_partition_table(r, *s, *parts);
  return ctx.emit(r);
}

int partition_create(Context& ctx, const BrokerOpts& o, const std::string& id, const std::string& prio) {
  std::uint32_t p = SHOAL_PARTITION_ANY;
  if (!id.empty() && id != "any") {
    auto v = parse_uint(id, 255);
    if (!v) return ctx.usage_error("partition '" + id + "': a number, or 'any'");
    p = static_cast<std::uint32_t>(*v);
  }
  auto pr = parse_uint(prio, 0xFFFFFFFFu);
  if (!pr) return ctx.usage_error("--prio " + prio + ": not a number");
  int rc = kExitOk;
  auto s = open_session(ctx, o, rc);
  if (!s) return rc;
  auto made = s->h.create(p, static_cast<std::uint32_t>(*pr));
  if (!made) return ctx.device_error(made.error());
  Report r = Report::object();
  r.add("partition", "created partition", number(*made));
  r.add("prio", "priority", number(*pr));
  return ctx.emit(r);
}

struct SetArgs {
  std::string id, prio, thr_hi, thr_lo;
  std::vector<std::string> floors, caps;
};

int partition_set(Context& ctx, const BrokerOpts& o, const SetArgs& a) {
  auto id = parse_uint(a.id, 255);
  if (!id) return ctx.usage_error("partition '" + a.id + "': not a number");
  int rc = kExitOk;
  auto s = open_session(ctx, o, rc);
  if (!s) return rc;
  shoal::PartConfig cfg{};
  auto num = [&](const std::string& v, const char* what, std::uint32_t& out) -> bool {
    auto x = parse_uint(v, 0xFFFFFFFFu);
    if (!x) {
      rc = ctx.usage_error(std::string(what) + " " + v + ": not a number");
      return false;
    }
    out = static_cast<std::uint32_t>(*x);
    return true;
  };
  if (!a.prio.empty()) {
    if (!num(a.prio, "--prio", cfg.prio)) return rc;
    cfg.set |= SHOAL_PART_SET_PRIO;
  }
  if (!a.thr_hi.empty() || !a.thr_lo.empty()) {
    if (a.thr_hi.empty() || a.thr_lo.empty()) return ctx.usage_error("--thr-hi and --thr-lo go together");
    if (!num(a.thr_hi, "--thr-hi", cfg.thr_hi) || !num(a.thr_lo, "--thr-lo", cfg.thr_lo)) return rc;
    cfg.set |= SHOAL_PART_SET_THRESH;
  }
  // current limits first, so a floor without a cap (or the reverse) keeps the other
  std::optional<shoal_part_info> cur;
  auto limit = [&](const std::string& kv, bool is_floor) -> bool {
    const auto eq = kv.find('=');
    std::optional<std::uint32_t> t = eq == std::string::npos ? std::nullopt : parse_type(*s, kv.substr(0, eq));
    auto v = eq == std::string::npos ? std::nullopt : parse_uint(kv.substr(eq + 1), 0xFFFFFFFFu);
    if (!t || !v) {
      rc = ctx.usage_error(std::string(is_floor ? "--floor " : "--cap ") + kv + ": TYPE=UNITS, TYPE one of " + types_text(*s));
      return false;
    }
    if (!cur) {
      auto q = s->h.query(static_cast<std::uint32_t>(*id));
      if (!q) {
        rc = ctx.device_error(q.error());
        return false;
      }
      cur = *q;
    }
    if (!(cfg.types & (1u << *t))) {
      cfg.floor[*t] = cur->floor[*t];
      auto r = s->h.resource(*t);
      cfg.cap[*t] = cur->cap[*t] == 255 && r ? std::max(cur->cap[*t], r->units) : cur->cap[*t];
    }
    cfg.types |= 1u << *t;
    (is_floor ? cfg.floor : cfg.cap)[*t] = static_cast<std::uint32_t>(*v);
    return true;
  };
  for (const auto& f : a.floors)
    if (!limit(f, true)) return rc;
  for (const auto& c : a.caps)
    if (!limit(c, false)) return rc;
  if (cfg.types) cfg.set |= SHOAL_PART_SET_LIMITS;
  if (cfg.set == 0) return ctx.usage_error("nothing to set: give --prio, --thr-hi/--thr-lo, --floor or --cap");
  if (auto st = s->h.configure(static_cast<std::uint32_t>(*id), cfg); !st) return ctx.device_error(st.error());
  auto q = s->h.query(static_cast<std::uint32_t>(*id));
  if (!q) return ctx.device_error(q.error());
  Report r = Report::object();
  add_partition_table(r, *s, {*q});
  return ctx.emit(r);
}

int partition_destroy(Context& ctx, const BrokerOpts& o, const std::string& id) {
  auto p = parse_uint(id, 255);
  if (!p) return ctx.usage_error("partition '" + id + "': not a number");
  int rc = kExitOk;
  auto s = open_session(ctx, o, rc);
  if (!s) return rc;
  std::uint32_t released[SHOAL_MAX_TYPES] = {};
  if (int e = shoal_part_destroy(s->h.get(), static_cast<std::uint32_t>(*p), released); e != SHOAL_OK)
    return ctx.device_error({static_cast<shoal::Errc>(e), shoal_last_error()});
  Report r = Report::object();
  r.add("partition", "destroyed partition", number(*p));
  r.add("released", "returned", held_value(*s, released));
  return ctx.emit(r);
}

// ---- resource -----------------------------------------------------------------------------

int resource_list(Context& ctx, const BrokerOpts& o) {
  int rc = kExitOk;
  auto s = open_session(ctx, o, rc);
  if (!s) return rc;
  auto res = s->h.resources();
  if (!res) return ctx.device_error(res.error());
  Report r = Report::object();
  auto& t = r.table("resources", "resource types",
                    {{"type", "TYPE"}, {"name", "NAME"}, {"state", "STATE"}, {"units", "UNITS"}, {"free", "FREE"},
                     {"allocated", "ALLOCATED"}, {"alloc", "BY PARTITION"}});
  for (const auto& x : *res) {
    const char* st = x.state == SHOAL_RES_BUILTIN ? "builtin" : x.state == SHOAL_RES_REGISTERED ? "registered" : "free";
    Json alloc = Json::object();
    std::string at;
    for (std::uint32_t k = 0; k < x.num_partitions && k < SHOAL_MAX_PARTITIONS; ++k) {
      if (!((x.visible >> k) & 1u) || x.alloc[k] == 0) continue;
      alloc[std::to_string(k)] = x.alloc[k];
      at += (at.empty() ? "" : " ") + std::to_string(k) + ":" + std::to_string(x.alloc[k]);
    }
    t.add_row({number(x.type), text(x.name), text(st), number(x.units), number(x.free), number(x.units - x.free),
               Value{std::move(alloc), at.empty() ? "-" : at}});
  }
  return ctx.emit(r);
}

int resource_register(Context& ctx, const BrokerOpts& o, const std::string& name, const std::string& units) {
  auto u = parse_uint(units, 0xFFFFFFFFu);
  if (!u) return ctx.usage_error("units '" + units + "': not a number");
  int rc = kExitOk;
  auto s = open_session(ctx, o, rc);
  if (!s) return rc;
  auto t = s->h.register_type(name, static_cast<std::uint32_t>(*u));
  if (!t) return ctx.device_error(t.error());
  Report r = Report::object();
  r.add("type", "registered type", number(*t));
  r.add("name", "name", text(name));
  r.add("units", "units", number(*u));
  return ctx.emit(r);
}

int migrate(Context& ctx, const BrokerOpts& o, const std::string& proc, const std::string& to) {
  auto p = parse_uint(proc, 255);
  if (!p) return ctx.usage_error("processor '" + proc + "': not a number");
  std::uint32_t target = SHOAL_PROC_IDLE;
  if (to != "idle") {
    auto v = parse_uint(to, 254);
    if (!v) return ctx.usage_error("partition '" + to + "': a number, or 'idle'");
    target = static_cast<std::uint32_t>(*v);
  }
  int rc = kExitOk;
  auto s = open_session(ctx, o, rc);
  if (!s) return rc;
  std::uint32_t cycles = 0, from = 0;
  if (int e = shoal_migrate(s->h.get(), static_cast<std::uint32_t>(*p), target, &cycles, &from); e != SHOAL_OK)
    return ctx.device_error({static_cast<shoal::Errc>(e), shoal_last_error()});
  auto side = [](std::uint32_t k) { return k == SHOAL_PROC_IDLE ? std::string("idle") : std::to_string(k); };
  Report r = Report::object();
  r.add("processor", "processor", number(*p));
  r.add("from", "from", with_text(number(from), side(from)));
  r.add("to", "to", with_text(number(target), side(target)));
  r.add("cycles", "card cycles", number(cycles));
  return ctx.emit(r);
}

// ---- request / release / swap -------------------------------------------------------------

struct ReqArgs {
  std::string partition, type, amount, deadline_us = "0";
  bool partial = false, reclaim = false, postpone = false, negotiate = false, elsewhere = false;
};

int request(Context& ctx, const BrokerOpts& o, const ReqArgs& a) {
  auto p = parse_uint(a.partition, 255);
  auto n = parse_uint(a.amount, 0xFFFFFFFFu);
  auto d = parse_uint(a.deadline_us, 0xFFFFFFFFu);
  if (!p) return ctx.usage_error("partition '" + a.partition + "': not a number");
  if (!n) return ctx.usage_error("amount '" + a.amount + "': not a number");
  if (!d) return ctx.usage_error("--deadline-us " + a.deadline_us + ": not a number");
  int rc = kExitOk;
  auto s = open_session(ctx, o, rc);
  if (!s) return rc;
  auto t = parse_type(*s, a.type);
  if (!t) return ctx.usage_error("type '" + a.type + "': one of " + types_text(*s));
  shoal::Request r{};
  r.partition = static_cast<std::uint32_t>(*p);
  r.type = *t;
  r.amount = static_cast<std::uint32_t>(*n);
  r.timeout_us = static_cast<std::uint32_t>(*d);
  r.flags = (a.partial ? SHOAL_REQ_ALLOW_PARTIAL : 0u) | (a.reclaim ? SHOAL_REQ_ALLOW_RECLAIM : 0u) |
            (a.postpone ? SHOAL_REQ_POSTPONE : 0u) | (a.negotiate ? SHOAL_REQ_NEGOTIATE : 0u) |
            (a.elsewhere ? SHOAL_REQ_ELSEWHERE : 0u);
  auto g = s->h.request(r);
  if (!g) return refused(ctx, g.error());
  Report rep = Report::object();
  rep.add("partition", "partition", number(r.partition));
  rep.add("type", "type", with_text(number(r.type), s->type_names[r.type]));
  rep.add("status", "status", with_text(number(g->status), status_text(g->status)));
  rep.add("granted", "granted", number(g->granted));
  rep.add("reclaimed", "reclaimed", number(g->reclaimed));
  rep.add("held", "now held", number(g->held));
  rep.add("request_id", g->status == SHOAL_ST_POSTPONED ? "request id" : "", number(g->request_id));
  if (g->size) {
    rep.add("base", "region base", hex(g->base, 8));
    rep.add("size", "region bytes", number(g->size));
  }
  return ctx.emit(rep);
}

int release(Context& ctx, const BrokerOpts& o, const std::string& part, const std::string& type, const std::string& amount) {
  auto p = parse_uint(part, 255);
  auto n = parse_uint(amount, 0xFFFFFFFFu);
  if (!p) return ctx.usage_error("partition '" + part + "': not a number");
  if (!n) return ctx.usage_error("amount '" + amount + "': not a number");
  int rc = kExitOk;
  auto s = open_session(ctx, o, rc);
  if (!s) return rc;
  auto t = parse_type(*s, type);
  if (!t) return ctx.usage_error("type '" + type + "': one of " + types_text(*s));
  auto held = s->h.release(static_cast<std::uint32_t>(*p), *t, static_cast<std::uint32_t>(*n));
  if (!held) return ctx.device_error(held.error());
  Report r = Report::object();
  r.add("partition", "partition", number(*p));
  r.add("type", "type", with_text(number(*t), s->type_names[*t]));
  r.add("released", "released", number(*n));
  r.add("held", "now held", number(*held));
  return ctx.emit(r);
}

int swap(Context& ctx, const BrokerOpts& o, const std::string& from, const std::string& to, const std::string& type,
         const std::string& amount) {
  auto f = parse_uint(from, 255);
  auto t2 = parse_uint(to, 255);
  auto n = parse_uint(amount, 0xFFFFFFFFu);
  if (!f || !t2) return ctx.usage_error("partitions '" + from + "', '" + to + "': numbers");
  if (!n) return ctx.usage_error("amount '" + amount + "': not a number");
  int rc = kExitOk;
  auto s = open_session(ctx, o, rc);
  if (!s) return rc;
  auto t = parse_type(*s, type);
  if (!t) return ctx.usage_error("type '" + type + "': one of " + types_text(*s));
  auto moved = s->h.swap(static_cast<std::uint32_t>(*f), static_cast<std::uint32_t>(*t2), *t, static_cast<std::uint32_t>(*n));
  if (!moved) return ctx.device_error(moved.error());
  Report r = Report::object();
  r.add("from", "from", number(*f));
  r.add("to", "to", number(*t2));
  r.add("type", "type", with_text(number(*t), s->type_names[*t]));
  r.add("moved", "moved", number(*moved));
  return ctx.emit(r);
}

// ---- events -------------------------------------------------------------------------------

int events(Context& ctx, const BrokerOpts& o, const std::string& wait_ms, const std::string& count) {
  auto w = parse_uint(wait_ms, 3600000);
  auto c = parse_uint(count, 1000000);
  if (!w) return ctx.usage_error("--wait-ms " + wait_ms + ": 0 .. 3600000");
  if (!c || *c == 0) return ctx.usage_error("--count " + count + ": 1 .. 1000000");
  int rc = kExitOk;
  auto s = open_session(ctx, o, rc);
  if (!s) return rc;
  Report r = Report::object();
  auto& t = r.table("events", "events", event_columns());
  const auto start = Clock::now();
  const auto deadline = start + std::chrono::milliseconds(*w);
  while (t.rows() < *c) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    auto e = s->h.next_event(std::chrono::milliseconds(left < 0 ? 0 : left));
    if (!e) {
      if (e.error().code == shoal::Errc::timeout) break;
      return ctx.device_error(e.error());
    }
    add_event_row(t, *s, *e, std::chrono::duration<double>(Clock::now() - start).count());
  }
  return ctx.emit(r);
}

// ---- top ----------------------------------------------------------------------------------

volatile std::sig_atomic_t g_stop = 0;
void on_signal(int) { g_stop = 1; }

int top(Context& ctx, const BrokerOpts& o, bool once, const std::string& interval_ms, const std::string& iterations) {
  auto iv = parse_uint(interval_ms, 3600000);
  auto it = parse_uint(iterations, 0xFFFFFFFFu);
  if (!iv || *iv == 0) return ctx.usage_error("--interval-ms " + interval_ms + ": 1 .. 3600000");
  if (!it) return ctx.usage_error("--iterations " + iterations + ": a number (0 = until interrupted)");
  int rc = kExitOk;
  auto s = open_session(ctx, o, rc);
  if (!s) return rc;
  std::deque<std::pair<double, shoal_event>> recent;
  const auto start = Clock::now();
  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);
  for (std::uint64_t n = 0; !g_stop; ++n) {
    // events that arrived since the last frame (kept: the last 8)
    for (int k = 0; k < 64; ++k) {
      auto e = s->h.next_event(std::chrono::milliseconds(0));
      if (!e) break;
      recent.emplace_back(std::chrono::duration<double>(Clock::now() - start).count(), *e);
      if (recent.size() > 8) recent.pop_front();
    }
    auto parts = all_partitions(ctx, *s, rc);
    if (!parts) return rc;
    auto svc = s->h.service();
    if (!svc) return ctx.device_error(svc.error());
    Report r = Report::object();
    auto& sv = r.object("service", "service", Report::Style::Line);
    sv.add("state", "state", text(svc->state == SHOAL_CPL_SERVICE_STATUS_STATE_RUNNING ? "running" : "STOPPED"));
    sv.add("policy", "policy", number(svc->policy));
    sv.add("pending", "pending", number(svc->pending));
    sv.add("completed", "completed", number(svc->completed));
    sv.add("refused", "refused", number(svc->refused));
    sv.add("migrations", "migrations", number(svc->migrations));
    sv.add("rollbacks", "rollbacks", number(svc->rollbacks));
    auto& t = r.table("partitions", "partitions (" + std::to_string(parts->size()) + ")",
                      {{"partition", "PART"},
                       {"prio", "PRIO"},
                       {"num_procs", "PROCS"},
                       {"util", "UTIL"},
                       {"bar", "LOAD"},
                       {"ewma", "EWMA"},
                       {"pending", "PENDING"},
                       {"procs", "PROCESSORS"},
                       {"held", "HELD"}});
    for (const auto& p : *parts) {
      const int filled = static_cast<int>((p.util * 20ull + 32768) / 65536);
      std::string bar = "[" + std::string(static_cast<std::size_t>(filled), '#') +
                        std::string(static_cast<std::size_t>(20 - filled), '.') + "]";
      t.add_row({number(p.partition), number(p.prio), number(p.num_procs), q16v(p.util), Value{Json(bar), bar},
                 q16v(p.ewma), number(p.pending), Value{procs_json(p.procs), procs_text(p.procs)},
                 held_value(*s, p.held)});
    }
    auto& et = r.table("recent_events", "recent events", event_columns());
    for (const auto& [at, e] : recent) add_event_row(et, *s, e, at);
    if (!once && !ctx.json) std::cout << "\x1b[H\x1b[2J" << "shoalctl top — " << ctx.device_uri() << "  (Ctrl-C quits)\n";
    ctx.emit(r);
    if (once || (*it != 0 && n + 1 >= *it)) break;
    const auto until = Clock::now() + std::chrono::milliseconds(*iv);
    while (!g_stop && Clock::now() < until) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return kExitOk;
}

void add_as_partition(CLI::App* cmd, BrokerOpts& o) {
  cmd->add_option("-p,--partition", o.as_partition,
                  "Act through partition K's handle (its own queue; it may act only on partition K) instead of the "
                  "admin handle");
}

}  // namespace

void add_broker_commands(CLI::App& app, Context& ctx) {
  static BrokerOpts o;
  auto* part = app.add_subcommand("partition", "Partitions: list, create, set (priority, thresholds, floors, caps), destroy");
  part->require_subcommand(1);
  auto* ls = part->add_subcommand("list", "The partitions that exist: priority, processors, utilization, holdings");
  add_as_partition(ls, o);
  ls->callback([&ctx] { ctx.rc = partition_list(ctx, o); });

  static std::string cid, cprio = "0";
  auto* cr = part->add_subcommand("create", "Create a partition (admin): PARTITION or 'any' (the lowest free one)");
  cr->add_option("PARTITION", cid, "Partition number, or 'any' (default)");
  cr->add_option("--prio", cprio, "Priority 0..15 (higher wins reclaim; default 0)");
  add_as_partition(cr, o);
  cr->callback([&ctx] { ctx.rc = partition_create(ctx, o, cid, cprio); });

  static SetArgs sa;
  auto* set = part->add_subcommand("set", "Configure a partition (admin), all or nothing");
  set->add_option("PARTITION", sa.id, "Partition number")->required();
  set->add_option("--prio", sa.prio, "Priority 0..15");
  set->add_option("--thr-hi", sa.thr_hi, "High utilization threshold, Q0.16 (65536 = 100%)");
  set->add_option("--thr-lo", sa.thr_lo, "Low utilization threshold, Q0.16, below --thr-hi");
  set->add_option("--floor", sa.floors, "TYPE=UNITS: units protected from reclaim (repeatable)");
  set->add_option("--cap", sa.caps, "TYPE=UNITS: the most units it may hold (repeatable)");
  add_as_partition(set, o);
  set->callback([&ctx] { ctx.rc = partition_set(ctx, o, sa); });

  static std::string did;
  auto* ds = part->add_subcommand("destroy", "Destroy a partition (admin): its units return to the pools");
  ds->add_option("PARTITION", did, "Partition number")->required();
  add_as_partition(ds, o);
  ds->callback([&ctx] { ctx.rc = partition_destroy(ctx, o, did); });

  auto* res = app.add_subcommand("resource", "Resource types: totals, free units, allocations; register");
  res->require_subcommand(1);
  auto* rl = res->add_subcommand("list", "Every resource type: units, free, and each partition's allocation");
  add_as_partition(rl, o);
  rl->callback([&ctx] { ctx.rc = resource_list(ctx, o); });

  static std::string rname, runits;
  auto* rr = res->add_subcommand("register", "Register a resource type in a free ALLOC slot (admin)");
  rr->add_option("NAME", rname, "1..8 characters of [a-z0-9_], unique")->required();
  rr->add_option("UNITS", runits, "Pool size, 1..511")->required();
  add_as_partition(rr, o);
  rr->callback([&ctx] { ctx.rc = resource_register(ctx, o, rname, runits); });

  static std::string mp, mt;
  auto* mg = app.add_subcommand("migrate", "Move one processor to a partition or to the idle pool (admin)");
  mg->add_option("PROCESSOR", mp, "Processor number")->required();
  mg->add_option("PARTITION", mt, "Partition number, or 'idle'")->required();
  add_as_partition(mg, o);
  mg->callback([&ctx] { ctx.rc = migrate(ctx, o, mp, mt); });

  static ReqArgs ra;
  auto* rq = app.add_subcommand("request", "Ask for units of a type for a partition");
  rq->add_option("PARTITION", ra.partition, "Partition number")->required();
  rq->add_option("TYPE", ra.type, "Type name (e.g. cache_ways) or number")->required();
  rq->add_option("AMOUNT", ra.amount, "Units")->required();
  rq->add_flag("--partial", ra.partial, "Take fewer if that is all there is (status PARTIAL)");
  rq->add_flag("--reclaim", ra.reclaim, "Reclaim from lower-priority partitions above their floors");
  rq->add_flag("--postpone", ra.postpone, "When short, wait (status POSTPONED; a GRANTED or EXPIRED event follows)");
  rq->add_flag("--negotiate", ra.negotiate, "When short, take what is free and ask holders to give back");
  rq->add_flag("--elsewhere", ra.elsewhere, "When short, ask the admin queue to acquire it elsewhere");
  rq->add_option("--deadline-us", ra.deadline_us, "--postpone: deadline in card microseconds (0: the service's default)");
  add_as_partition(rq, o);
  rq->callback([&ctx] { ctx.rc = request(ctx, o, ra); });

  static std::string lp, lt, ln;
  auto* rel = app.add_subcommand("release", "Give units of a type back to the pool");
  rel->add_option("PARTITION", lp, "Partition number")->required();
  rel->add_option("TYPE", lt, "Type name or number")->required();
  rel->add_option("AMOUNT", ln, "Units")->required();
  add_as_partition(rel, o);
  rel->callback([&ctx] { ctx.rc = release(ctx, o, lp, lt, ln); });

  static std::string sf, st, sty, sn;
  auto* sw = app.add_subcommand("swap", "Move units of a type from one partition to another in one step (admin)");
  sw->add_option("FROM", sf, "Giving partition")->required();
  sw->add_option("TO", st, "Receiving partition")->required();
  sw->add_option("TYPE", sty, "Type name or number")->required();
  sw->add_option("AMOUNT", sn, "Units")->required();
  add_as_partition(sw, o);
  sw->callback([&ctx] { ctx.rc = swap(ctx, o, sf, st, sty, sn); });

  static std::string ew = "1000", ec = "1000000";
  auto* ev = app.add_subcommand("events", "The events that arrive on the handle's queue (grants, reclaim notices, "
                                          "threshold crossings ...) while it waits");
  ev->add_option("--wait-ms", ew, "How long to wait for events (default 1000)");
  ev->add_option("--count", ec, "Stop after this many");
  add_as_partition(ev, o);
  ev->callback([&ctx] { ctx.rc = events(ctx, o, ew, ec); });

  static bool tonce = false;
  static std::string tiv = "1000", tit = "0";
  auto* tp = app.add_subcommand("top", "A live view refreshed in place: service, partitions, processors, utilization, "
                                       "pending requests, recent events (Ctrl-C quits)");
  tp->add_flag("--once", tonce, "Print one frame and exit (for scripts; with --json one JSON document)");
  tp->add_option("--interval-ms", tiv, "Refresh interval (default 1000)");
  tp->add_option("--iterations", tit, "Stop after this many frames (default 0: until interrupted)");
  add_as_partition(tp, o);
  tp->callback([&ctx] { ctx.rc = top(ctx, o, tonce, tiv, tit); });
}

}  // namespace shoalctl
