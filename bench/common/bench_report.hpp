// Shared reporting for the benchmarks in bench/: a table on stdout and, with --json FILE, the same
// figures as a JSON array of {"name", "value", "unit", "parameters"}; plus a helper that runs
// scripts/synth_check.py and reads the flat JSON it writes. Header-only, no third-party code.
//
// Parameters are JSON object text ("{\"P\": 64, \"K\": 16}"); json_string() and json_object()
// build it. A figure without a value (optional empty) is written as null and shown as "n/a".
//
// Compile definitions (set by the shoal_bench_report target): SHOAL_BENCH_PYTHON and
// SHOAL_BENCH_SYNTH_CHECK (the interpreter and scripts/synth_check.py).
#pragma once

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

namespace shoal::bench {

// ---- JSON text --------------------------------------------------------------------------------

// `s` as a quoted JSON string.
inline std::string json_string(const std::string& s) {
  std::string o = "\"";
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    switch (c) {
      case '"': o += "\\\""; break;
      case '\\': o += "\\\\"; break;
      case '\n': o += "\\n"; break;
      case '\r': o += "\\r"; break;
      case '\t': o += "\\t"; break;
      case '\b': o += "\\b"; break;
      case '\f': o += "\\f"; break;
      default:
        if (u < 0x20) {
          char b[8];
          std::snprintf(b, sizeof b, "\\u%04x", u);
          o += b;
        } else {
          o += c;
        }
    }
  }
  return o + "\"";
}

// A number as JSON: integers without a fraction, others with enough digits to read back exactly;
// NaN and infinities (not representable in JSON) become null.
inline std::string json_number(double v) {
  if (!std::isfinite(v)) return "null";
  char b[64];
  if (v == std::floor(v) && std::fabs(v) < 1e15) {
    std::snprintf(b, sizeof b, "%.0f", v);
    return b;
  }
  for (int prec = 15; prec <= 17; ++prec) {
    std::snprintf(b, sizeof b, "%.*g", prec, v);
    if (std::strtod(b, nullptr) == v) break;
  }
  return b;
}

// A JSON object whose values are all strings.
inline std::string json_object(const std::map<std::string, std::string>& kv) {
  std::string o = "{";
  for (const auto& [k, v] : kv) o += (o.size() > 1 ? ", " : "") + json_string(k) + ": " + json_string(v);
  return o + "}";
}

// ---- figures ----------------------------------------------------------------------------------

struct Figure {
  std::string name;
  std::optional<double> value;  // empty: not available (null in JSON, "n/a" in the table)
  std::string unit;
  std::string parameters;  // JSON object text; "" is written as {}
  std::string shown;       // parameters column of the table; "" shows `parameters`
};

class Report {
 public:
  // `program` prefixes error messages; `decimals` is the table's precision for non-integers.
  explicit Report(std::string program, int decimals = 3)
      : program_(std::move(program)), decimals_(decimals) {}

  Figure& add(std::string name, std::optional<double> value, std::string unit,
              std::string parameters = "{}") {
    figures_.push_back({std::move(name), value, std::move(unit), std::move(parameters), ""});
    return figures_.back();
  }
  void note(std::string text) { notes_.push_back(std::move(text)); }

  const std::vector<Figure>& figures() const { return figures_; }
  const std::string& program() const { return program_; }

  // figure | value | unit | parameters, then one "note: ..." line per note.
  void print_table(std::FILE* out = stdout) const {
    std::size_t wn = 6, wv = 5, wu = 4;
    std::vector<std::string> vals;
    for (const auto& f : figures_) {
      vals.push_back(table_value(f.value));
      wn = std::max(wn, f.name.size());
      wv = std::max(wv, vals.back().size());
      wu = std::max(wu, f.unit.size());
    }
    const int n = static_cast<int>(wn), v = static_cast<int>(wv), u = static_cast<int>(wu);
    std::fprintf(out, "%-*s  %*s  %-*s  %s\n", n, "figure", v, "value", u, "unit", "parameters");
    for (std::size_t i = 0; i < figures_.size(); ++i) {
      const auto& f = figures_[i];
      const std::string& p = f.shown.empty() ? f.parameters : f.shown;
      std::fprintf(out, "%-*s  %*s  %-*s  %s\n", n, f.name.c_str(), v, vals[i].c_str(), u,
                   f.unit.c_str(), p.c_str());
    }
    for (const auto& t : notes_) std::fprintf(out, "note: %s\n", t.c_str());
  }

  std::string json() const {
    std::string o = "[";
    for (std::size_t i = 0; i < figures_.size(); ++i) {
      const auto& f = figures_[i];
      o += (i ? ",\n  " : "\n  ");
      o += "{\"name\": " + json_string(f.name) +
           ", \"value\": " + (f.value ? json_number(*f.value) : "null") +
           ", \"unit\": " + json_string(f.unit) +
           ", \"parameters\": " + (f.parameters.empty() ? "{}" : f.parameters) + "}";
    }
    return o + "\n]\n";
  }

  // Writes json() to `path`. On failure prints "<program>: cannot write PATH: reason" to stderr
  // and returns false.
  bool write_json(const std::string& path) const {
    std::FILE* f = std::fopen(path.c_str(), "w");
    if (!f) {
      std::fprintf(stderr, "%s: cannot write %s: %s\n", program_.c_str(), path.c_str(),
                   std::strerror(errno));
      return false;
    }
    const std::string text = json();
    bool ok = std::fwrite(text.data(), 1, text.size(), f) == text.size();
    int err = ok ? 0 : errno;
    if (std::fclose(f) != 0 && ok) {
      ok = false;
      err = errno;
    }
    if (!ok) {
      std::fprintf(stderr, "%s: cannot write %s: %s\n", program_.c_str(), path.c_str(),
                   std::strerror(err));
      return false;
    }
    return true;
  }

 private:
  std::string table_value(const std::optional<double>& v) const {
    if (!v) return "n/a";
    char b[64];
    if (*v == std::floor(*v) && std::fabs(*v) < 1e15)
      std::snprintf(b, sizeof b, "%.0f", *v);
    else
      std::snprintf(b, sizeof b, "%.*f", decimals_, *v);
    return b;
  }

  std::string program_;
  int decimals_;
  std::vector<Figure> figures_;
  std::vector<std::string> notes_;
};

// For hand-written argument loops: if argv[i] is "--json" followed by a value, stores the value
// in `path`, advances i past it and returns true.
inline bool json_arg(int argc, char** argv, int& i, std::string& path) {
  if (std::strcmp(argv[i], "--json") != 0 || i + 1 >= argc) return false;
  path = argv[++i];
  return true;
}

// ---- scripts/synth_check.py ---------------------------------------------------------------

inline std::string read_text(const std::string& path) {
  std::ifstream f(path);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

// The numeric members of a flat JSON object such as synth_check.py's OUT.json; null, strings,
// booleans and nested values are skipped. Returns an empty map for text that is not an object.
inline std::map<std::string, double> parse_flat_json(const std::string& t) {
  std::map<std::string, double> out;
  std::size_t p = 0;
  auto ws = [&] {
    while (p < t.size() && (t[p] == ' ' || t[p] == '\n' || t[p] == '\r' || t[p] == '\t')) ++p;
  };
  auto skip_string = [&] {  // at the opening quote
    for (++p; p < t.size() && t[p] != '"'; ++p)
      if (t[p] == '\\') ++p;
    ++p;
  };
  auto read_string = [&](std::string& s) {
    std::size_t b = p + 1;
    skip_string();
    s = t.substr(b, p - b - 1);
  };
  ws();
  if (p >= t.size() || t[p] != '{') return {};
  ++p;
  while (true) {
    ws();
    if (p >= t.size() || t[p] == '}') break;
    if (t[p] == ',') {
      ++p;
      continue;
    }
    if (t[p] != '"') return out;
    std::string key;
    read_string(key);
    ws();
    if (p >= t.size() || t[p] != ':') return out;
    ++p;
    ws();
    if (p >= t.size()) return out;
    const char c = t[p];
    if (c == '"') {
      skip_string();
    } else if (c == '{' || c == '[') {
      int depth = 0;
      for (; p < t.size(); ++p) {
        if (t[p] == '"') {
          skip_string();
          --p;
        } else if (t[p] == '{' || t[p] == '[') {
          ++depth;
        } else if ((t[p] == '}' || t[p] == ']') && --depth == 0) {
          ++p;
          break;
        }
      }
    } else if (c == '-' || (c >= '0' && c <= '9')) {
      char* end = nullptr;
      const double v = std::strtod(t.c_str() + p, &end);
      out[key] = v;
      p = static_cast<std::size_t>(end - t.c_str());
    } else {  // null, true, false
      while (p < t.size() && t[p] != ',' && t[p] != '}') ++p;
    }
  }
  return out;
}

// "ICESTORM_LC:  9087/ 5280" in nextpnr's device-utilisation report: {used, available}.
inline std::optional<std::pair<long, long>> pnr_utilisation(const std::string& log,
                                                            const std::string& bel) {
  const auto at = log.find(bel + ":");
  if (at == std::string::npos) return std::nullopt;
  const char* s = log.c_str() + at + bel.size() + 1;
  char* e = nullptr;
  const long used = std::strtol(s, &e, 10);
  if (e == s) return std::nullopt;
  while (*e == ' ') ++e;
  if (*e != '/') return std::nullopt;
  const char* a = e + 1;
  const long avail = std::strtol(a, &e, 10);
  if (e == a) return std::nullopt;
  return std::pair{used, avail};
}

// The figures of one synth_check.py run (OUT.json), each absent when missing or null.
struct SynthResult {
  bool ran_ok = false;  // the script exited 0 (or, for read_synth, OUT.json could be parsed)
  std::optional<double> luts, ffs, brams, carries, cells, fmax_mhz;
  std::string json_text;  // OUT.json as read
  std::string pnr_log;    // OUT.pnr.log as read ("" without nextpnr)
};

inline SynthResult parse_synth_json(const std::string& text) {
  SynthResult r;
  r.json_text = text;
  const auto m = parse_flat_json(text);
  auto get = [&](const char* k) -> std::optional<double> {
    const auto it = m.find(k);
    if (it == m.end()) return std::nullopt;
    return it->second;
  };
  r.luts = get("luts");
  r.ffs = get("ffs");
  r.brams = get("brams");
  r.carries = get("carries");
  r.cells = get("cells");
  r.fmax_mhz = get("fmax_mhz");
  r.ran_ok = !m.empty();
  return r;
}

// Reads the outputs of an earlier run with output prefix `out` (OUT.json, OUT.pnr.log).
inline SynthResult read_synth(const std::string& out) {
  SynthResult r = parse_synth_json(read_text(out + ".json"));
  r.pnr_log = read_text(out + ".pnr.log");
  return r;
}

inline std::string shell_quote(const std::string& s) {
  std::string o = "'";
  for (char c : s) o += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return o + "'";
}

// Splits a list of sources on blanks (and on `extra_sep`, e.g. '|').
inline std::vector<std::string> split_list(const std::string& s, char extra_sep = ' ') {
  std::vector<std::string> v;
  std::string cur;
  for (char c : s) {
    if (c == ' ' || c == '\t' || c == '\n' || c == extra_sep) {
      if (!cur.empty()) v.push_back(cur);
      cur.clear();
    } else {
      cur += c;
    }
  }
  if (!cur.empty()) v.push_back(cur);
  return v;
}

struct SynthJob {
  std::string top;
  std::string out;                  // output prefix: OUT.json, OUT.log, OUT.pnr.log
  std::vector<std::string> sources;
  std::vector<std::string> params;  // "P=64"
  std::vector<std::string> blackbox;  // sources read as interfaces only (--blackbox)
  std::string yosys;                // "" : the script's default
  bool nextpnr = false;
  std::string nextpnr_bin;          // "" : the script's default
  std::string device, package;      // with nextpnr; "" : the script's default
  std::string log;                  // "": output to stderr; else stdout and stderr to this file
#ifdef SHOAL_BENCH_PYTHON
  std::string python = SHOAL_BENCH_PYTHON;
#else
  std::string python = "python3";
#endif
#ifdef SHOAL_BENCH_SYNTH_CHECK
  std::string script = SHOAL_BENCH_SYNTH_CHECK;
#else
  std::string script = "scripts/synth_check.py";
#endif

  std::string command() const {
    std::string c = shell_quote(python) + " " + shell_quote(script);
    if (!yosys.empty()) c += " --yosys " + shell_quote(yosys);
    c += " --top " + shell_quote(top) + " --out " + shell_quote(out);
    if (!params.empty()) {
      c += " --params";
      for (const auto& p : params) c += " " + shell_quote(p);
    }
    if (!blackbox.empty()) {
      c += " --blackbox";
      for (const auto& b : blackbox) c += " " + shell_quote(b);
    }
    if (nextpnr) {
      c += " --nextpnr";
      if (!nextpnr_bin.empty()) c += " --nextpnr-bin " + shell_quote(nextpnr_bin);
      if (!device.empty()) c += " --device " + shell_quote(device);
      if (!package.empty()) c += " --package " + shell_quote(package);
    }
    c += " --";
    for (const auto& s : sources) c += " " + shell_quote(s);
    c += log.empty() ? std::string(" >&2") : " > " + shell_quote(log) + " 2>&1";
    return c;
  }
};

// Runs the job (creating the output folders, removing a stale OUT.json / OUT.pnr.log first)
// and reads what it wrote.
inline SynthResult run_synth(const SynthJob& job) {
  std::error_code ec;  // a failure shows up as the script's or the shell's error
  for (const std::string& f : {job.out, job.log}) {
    const auto dir = std::filesystem::path(f).parent_path();
    if (!f.empty() && !dir.empty()) std::filesystem::create_directories(dir, ec);
  }
  std::remove((job.out + ".json").c_str());
  std::remove((job.out + ".pnr.log").c_str());
  const int rc = std::system(job.command().c_str());
  SynthResult r = read_synth(job.out);
  r.ran_ok = rc == 0;
  return r;
}

}  // namespace shoal::bench
