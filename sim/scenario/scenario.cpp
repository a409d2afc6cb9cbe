// Reading a scenario file (scenario.hpp): toml++, then every key checked for type and range;
// unknown keys are refused so a typo does not silently fall back to a default.
#include "scenario.hpp"

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include <toml++/toml.h>

#include "trace.hpp"  // bench/policy/lib: the wide-CSV reader (gzip or plain)

namespace shoal::scenario {

const char* to_string(Policy p) {
  switch (p) {
    case Policy::Static: return "static";
    case Policy::Reactive: return "reactive";
    case Policy::Predictive: return "predictive";
  }
  return "?";
}

bool parse_policy(const std::string& s, Policy* out) {
  if (s == "static") *out = Policy::Static;
  else if (s == "reactive") *out = Policy::Reactive;
  else if (s == "predictive") *out = Policy::Predictive;
  else return false;
  return true;
}

int Scenario::index_of(const std::string& n) const {
  for (std::size_t i = 0; i < parts.size(); ++i)
    if (parts[i].name == n) return int(i);
  return -1;
}

namespace {

constexpr uint32_t kProcessors = 64;  // the card's processor ports (SHOAL_PARAM_NUM_PROCESSORS)
constexpr uint32_t kPartitions = 16;

class Reader {
 public:
  Reader(std::string origin, std::string dir) : origin_(std::move(origin)), dir_(std::move(dir)) {}

  [[noreturn]] void fail(const toml::node* n, const std::string& reason) const {
    const int line = n ? int(n->source().begin.line) : 0, col = n ? int(n->source().begin.column) : 0;
    throw ScenarioError(origin_, line, col, reason);
  }
  [[noreturn]] void fail_at(const toml::source_region& r, const std::string& reason) const {
    throw ScenarioError(origin_, int(r.begin.line), int(r.begin.column), reason);
  }

  void known(const toml::table& t, const std::string& where, const std::set<std::string>& keys) const {
    for (const auto& [k, v] : t)
      if (!keys.count(std::string(k.str()))) {
        std::string list;
        for (const auto& s : keys) list += (list.empty() ? "" : ", ") + s;
        fail_at(k.source(), "unknown key '" + std::string(k.str()) + "' in " + where + " (known: " + list + ")");
      }
  }
  const toml::table* table(const toml::table& root, const char* k) const {
    const toml::node* n = root.get(k);
    if (!n) return nullptr;
    if (!n->is_table()) fail(n, "'" + std::string(k) + "' must be a table ([" + k + "])");
    return n->as_table();
  }
  void get(const toml::table& t, const char* k, std::string& out) const {
    const toml::node* n = t.get(k);
    if (!n) return;
    if (!n->is_string()) fail(n, "'" + std::string(k) + "' must be a string");
    out = n->value<std::string>().value_or("");
  }
  void get(const toml::table& t, const char* k, double& out, double lo, double hi) const {
    const toml::node* n = t.get(k);
    if (!n) return;
    if (!n->is_number()) fail(n, "'" + std::string(k) + "' must be a number");
    const double v = n->value<double>().value_or(0);
    if (!(v >= lo && v <= hi)) fail(n, "'" + std::string(k) + "' = " + num(v) + " is outside " + num(lo) + " .. " + num(hi));
    out = v;
  }
  template <typename T>
  void get_int(const toml::table& t, const char* k, T& out, int64_t lo, int64_t hi) const {
    const toml::node* n = t.get(k);
    if (!n) return;
    if (!n->is_integer()) fail(n, "'" + std::string(k) + "' must be an integer");
    const int64_t v = n->value<int64_t>().value_or(0);
    if (v < lo || v > hi)
      fail(n, "'" + std::string(k) + "' = " + std::to_string(v) + " is outside " + std::to_string(lo) + " .. " + std::to_string(hi));
    out = static_cast<T>(v);
  }
  static std::string num(double v) {
    std::ostringstream s;
    s << v;
    return s.str();
  }

  DemandComponent component(const toml::table& t, uint32_t steps) const {
    DemandComponent d;
    std::string kind;
    get(t, "kind", kind);
    using K = DemandComponent::Kind;
    if (kind == "constant") {
      known(t, "a constant demand", {"kind", "level"});
      d.kind = K::Constant;
      require(t, "level");
      get(t, "level", d.level, -1e6, 1e6);
    } else if (kind == "phases") {
      known(t, "a phases demand", {"kind", "points"});
      d.kind = K::Phases;
      const toml::node* p = require(t, "points");
      if (!p->is_array() || p->as_array()->empty()) fail(p, "'points' must be a non-empty array of [step, level] pairs");
      double last = -1;
      for (const toml::node& e : *p->as_array()) {
        const toml::array* a = e.as_array();
        if (!a || a->size() != 2 || !(*a)[0].is_number() || !(*a)[1].is_number())
          fail(&e, "each point must be [step, level] (two numbers)");
        const double s = (*a)[0].value<double>().value_or(0), v = (*a)[1].value<double>().value_or(0);
        if (s <= last) fail(&e, "the points' steps must increase (" + num(s) + " after " + num(last) + ")");
        if (v < 0) fail(&e, "a level is processors: " + num(v) + " is negative");
        last = s;
        d.points.emplace_back(s, v);
      }
    } else if (kind == "periodic") {
      known(t, "a periodic demand", {"kind", "period", "low", "high", "phase", "shape", "duty"});
      d.kind = K::Periodic;
      require(t, "period");
      get(t, "period", d.period, 1e-3, 1e9);
      get(t, "low", d.low, 0, 1e6);
      get(t, "high", d.high, 0, 1e6);
      get(t, "phase", d.phase, 0, 1e9);
      get(t, "duty", d.duty, 0, 1);
      std::string shape = "sine";
      get(t, "shape", shape);
      if (shape != "sine" && shape != "square") fail(t.get("shape"), "'shape' must be \"sine\" or \"square\", not \"" + shape + "\"");
      d.square = shape == "square";
    } else if (kind == "bursts") {
      known(t, "a bursts demand", {"kind", "every", "height", "length", "from", "to"});
      d.kind = K::Bursts;
      require(t, "every");
      get(t, "every", d.every, 1, 1e9);
      get(t, "height", d.height, 0, 1e6);
      get_int(t, "length", d.length, 1, steps);
      get(t, "from", d.from, 0, 1e18);
      get(t, "to", d.to, 0, 1e18);
    } else if (kind == "noise") {
      known(t, "a noise demand", {"kind", "sigma", "from", "to"});
      d.kind = K::Noise;
      require(t, "sigma");
      get(t, "sigma", d.sigma, 0, 1e6);
      get(t, "from", d.from, 0, 1e18);
      get(t, "to", d.to, 0, 1e18);
    } else if (kind == "trace") {
      known(t, "a trace demand", {"kind", "file", "column", "scale", "offset", "steps_per_row"});
      d.kind = K::Trace;
      std::string file;
      require(t, "file");
      get(t, "file", file);
      require(t, "scale");
      get(t, "scale", d.scale, 0, 1e6);
      get_int(t, "offset", d.offset, 0, 1 << 30);
      get_int(t, "steps_per_row", d.steps_per_row, 1, 1 << 20);
      const std::filesystem::path fp = std::filesystem::path(file).is_absolute() ? std::filesystem::path(file)
                                                                                : std::filesystem::path(dir_) / file;
      policysim::Trace tr;
      std::string err;
      if (!policysim::read_trace(fp.string(), tr, err)) fail(t.get("file"), "cannot read the trace: " + err);
      const toml::node* c = require(t, "column");
      std::size_t col = tr.names.size();
      if (c->is_integer()) {
        const int64_t i = c->value<int64_t>().value_or(-1);
        if (i < 0 || std::size_t(i) >= tr.series.size())
          fail(c, "column " + std::to_string(i) + " is outside 0 .. " + std::to_string(tr.series.size() - 1));
        col = std::size_t(i);
      } else if (c->is_string()) {
        const std::string n = c->value<std::string>().value_or("");
        for (std::size_t i = 0; i < tr.names.size(); ++i)
          if (tr.names[i] == n) col = i;
        if (col == tr.names.size()) fail(c, "the trace has no column \"" + n + "\"");
      } else {
        fail(c, "'column' must be a series name (string) or index (integer)");
      }
      if (tr.series[col].empty()) fail(c, "the trace's column is empty");
      d.series = tr.series[col];
    } else if (kind.empty()) {
      fail(&t, "a demand needs 'kind' (constant, phases, periodic, bursts, noise, trace)");
    } else {
      fail(t.get("kind"), "unknown demand kind \"" + kind + "\" (constant, phases, periodic, bursts, noise, trace)");
    }
    return d;
  }

  const toml::node* require(const toml::table& t, const char* k) const {
    const toml::node* n = t.get(k);
    if (!n) fail(&t, "missing '" + std::string(k) + "'");
    return n;
  }

 private:
  std::string origin_, dir_;
};

}  // namespace

Scenario parse_scenario(const std::string& text, const std::string& origin, const std::string& dir) {
  Reader r(origin, dir);
  toml::table root;
  try {
    root = toml::parse(text, origin);
  } catch (const toml::parse_error& e) {
    r.fail_at(e.source(), std::string(e.description()));
  }
  r.known(root, "the file", {"scenario", "card", "power", "narrative", "partition"});
  Scenario s;
  s.file = origin;
  const toml::table* sc = r.table(root, "scenario");
  if (!sc) r.fail(nullptr, "missing the [scenario] table");
  r.known(*sc, "[scenario]", {"name", "description", "seed", "steps", "step_cycles", "ticks_per_step", "step_seconds", "policy"});
  r.get(*sc, "name", s.name);
  r.get(*sc, "description", s.description);
  r.get_int(*sc, "seed", s.seed, 0, INT64_MAX);
  r.get_int(*sc, "steps", s.steps, 1, 100000);
  r.get_int(*sc, "step_cycles", s.step_cycles, 1000, 100000000);
  r.get_int(*sc, "ticks_per_step", s.ticks, 1, 64);
  r.get(*sc, "step_seconds", s.step_seconds, 1e-6, 1e9);
  std::string pol = to_string(s.policy);
  r.get(*sc, "policy", pol);
  if (!parse_policy(pol, &s.policy)) r.fail(sc->get("policy"), "'policy' must be static, reactive or predictive, not \"" + pol + "\"");
  if (s.step_cycles / s.ticks < 1000) r.fail(sc->get("ticks_per_step"), "a tick must last at least 1000 card cycles (step_cycles / ticks_per_step)");

  if (const toml::table* c = r.table(root, "card")) {
    r.known(*c, "[card]", {"window_cycles", "epoch_windows", "alpha", "quantile", "move_cost"});
    r.get_int(*c, "window_cycles", s.window_cycles, 290, 0xFFFFFF);
    r.get_int(*c, "epoch_windows", s.epoch_windows, 1, 255);
    r.get_int(*c, "alpha", s.alpha, 0, 15);
    r.get_int(*c, "quantile", s.quantile, 0, 99);
    if (s.quantile != 0 && s.quantile < 50) r.fail(c->get("quantile"), "'quantile' must be 0 (the median) or 50 .. 99");
    r.get_int(*c, "move_cost", s.move_cost, 0, 255);
  }
  if (const toml::table* p = r.table(root, "power")) {
    r.known(*p, "[power]", {"active_w", "idle_w", "parked_w"});
    r.get(*p, "active_w", s.power.active_w, 0, 1e4);
    r.get(*p, "idle_w", s.power.idle_w, 0, 1e4);
    r.get(*p, "parked_w", s.power.parked_w, 0, 1e4);
  }
  const toml::node* parts = root.get("partition");
  if (!parts) r.fail(nullptr, "no partitions: add [[partition]] tables");
  if (!parts->is_array_of_tables()) r.fail(parts, "'partition' must be an array of tables ([[partition]])");
  const toml::array& pa = *parts->as_array();
  if (pa.size() > kPartitions) r.fail(&pa[kPartitions], "at most " + std::to_string(kPartitions) + " partitions (the card's)");
  uint32_t floors = 0, initial = 0;
  for (const toml::node& n : pa) {
    const toml::table& t = *n.as_table();
    r.known(t, "a [[partition]]", {"name", "priority", "floor", "cap", "initial", "threshold_hi", "threshold_lo", "mem_pct", "io_pct", "demand"});
    PartitionSpec p;
    r.require(t, "name");
    r.get(t, "name", p.name);
    if (p.name.empty()) r.fail(t.get("name"), "a partition's name may not be empty");
    if (s.index_of(p.name) >= 0) r.fail(t.get("name"), "partition \"" + p.name + "\" is defined twice");
    r.get_int(t, "priority", p.priority, 0, 15);
    r.get_int(t, "floor", p.floor, 0, kProcessors);
    r.get_int(t, "cap", p.cap, 1, kProcessors);
    r.get_int(t, "initial", p.initial, 0, kProcessors);
    r.get(t, "threshold_hi", p.threshold_hi, 0.01, 1.0);
    r.get(t, "threshold_lo", p.threshold_lo, 0.0, 0.99);
    r.get_int(t, "mem_pct", p.mem_pct, 0, 100);
    r.get_int(t, "io_pct", p.io_pct, 0, 100);
    if (p.floor > p.cap) r.fail(t.get("floor"), "floor " + std::to_string(p.floor) + " is above cap " + std::to_string(p.cap));
    if (p.initial > p.cap) r.fail(t.get("initial"), "initial " + std::to_string(p.initial) + " is above cap " + std::to_string(p.cap));
    if (p.initial < p.floor) r.fail(t.get("initial"), "initial " + std::to_string(p.initial) + " is below floor " + std::to_string(p.floor));
    if (p.threshold_lo >= p.threshold_hi) r.fail(t.get("threshold_lo"), "threshold_lo must be below threshold_hi");
    const toml::node* dn = t.get("demand");
    if (!dn) r.fail(&t, "partition \"" + p.name + "\" has no demand: add [[partition.demand]] tables");
    if (!dn->is_array_of_tables()) r.fail(dn, "'demand' must be an array of tables ([[partition.demand]])");
    for (const toml::node& c : *dn->as_array()) p.demand.parts.push_back(r.component(*c.as_table(), s.steps));
    floors += p.floor;
    initial += p.initial;
    if (floors > kProcessors) r.fail(t.get("floor"), "the floors add up to " + std::to_string(floors) + ", more than the card's 64 processors");
    if (initial > kProcessors) r.fail(t.get("initial"), "the initial processors add up to " + std::to_string(initial) + ", more than the card's 64");
    s.parts.push_back(std::move(p));
  }
  if (const toml::table* nr = r.table(root, "narrative")) {
    r.known(*nr, "[narrative]", {"donor", "receiver"});
    r.get(*nr, "donor", s.donor);
    r.get(*nr, "receiver", s.receiver);
    if (!s.donor.empty() && s.index_of(s.donor) < 0) r.fail(nr->get("donor"), "no partition \"" + s.donor + "\"");
    if (!s.receiver.empty() && s.index_of(s.receiver) < 0) r.fail(nr->get("receiver"), "no partition \"" + s.receiver + "\"");
  }
  return s;
}

Scenario load_scenario(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ScenarioError(path, 0, 0, "cannot open the file");
  std::ostringstream ss;
  ss << in.rdbuf();
  const std::string dir = std::filesystem::path(path).parent_path().string();
  return parse_scenario(ss.str(), path, dir.empty() ? "." : dir);
}

}  // namespace shoal::scenario
