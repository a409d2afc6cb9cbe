// Wide CSV trace reader (trace.hpp).
#include "trace.hpp"

#include <zlib.h>

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <memory>

namespace shoal::policysim {

namespace {

// Splits one CSV record (RFC 4180 quoting: "a,b" and "" for a quote). Returns false on an
// unterminated quote; `col` gets the 1-based column of the problem.
bool split_csv(const std::string& line, std::vector<std::string>& out, std::size_t& col) {
  out.clear();
  std::string cur;
  bool quoted = false, was_quoted = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted) {
      if (c == '"') {
        if (i + 1 < line.size() && line[i + 1] == '"') {
          cur += '"';
          ++i;
        } else {
          quoted = false;
        }
      } else {
        cur += c;
      }
    } else if (c == '"' && cur.empty() && !was_quoted) {
      quoted = was_quoted = true;
    } else if (c == ',') {
      out.push_back(cur);
      cur.clear();
      was_quoted = false;
    } else if (c != '\r') {
      cur += c;
    }
  }
  if (quoted) {
    col = out.size() + 1;
    return false;
  }
  out.push_back(cur);
  return true;
}

std::string where(const std::string& label, std::size_t line, std::size_t col) {
  return label + ": line " + std::to_string(line) + (col ? ", column " + std::to_string(col) : "") + ": ";
}

class Parser {
 public:
  Parser(const std::string& label, Trace& out, std::string& err) : label_(label), out_(out), err_(err) {
    out_ = Trace{};
  }
  bool line(const std::string& l) {
    ++lineno_;
    if (l.empty() || l == "\r") return true;  // blank lines are ignored
    std::size_t col = 0;
    if (!split_csv(l, fields_, col)) {
      err_ = where(label_, lineno_, col) + "unterminated quote";
      return false;
    }
    if (!have_header_) {
      if (fields_.size() < 2) {
        err_ = where(label_, lineno_, 0) + "the header needs `step` and at least one series";
        return false;
      }
      if (fields_[0] != "step") {
        err_ = where(label_, lineno_, 1) + "the header must start with `step` (got \"" + fields_[0] + "\")";
        return false;
      }
      out_.names.assign(fields_.begin() + 1, fields_.end());
      out_.series.assign(out_.names.size(), {});
      have_header_ = true;
      return true;
    }
    if (fields_.size() != out_.names.size() + 1) {
      err_ = where(label_, lineno_, 0) + std::to_string(fields_.size()) + " fields, the header has " +
             std::to_string(out_.names.size() + 1);
      return false;
    }
    for (std::size_t i = 0; i < fields_.size(); ++i) {
      const std::string& f = fields_[i];
      char* end = nullptr;
      errno = 0;
      const double v = f.empty() ? NAN : std::strtod(f.c_str(), &end);
      if (f.empty() || end == f.c_str() || *end != '\0' || errno == ERANGE || !std::isfinite(v)) {
        err_ = where(label_, lineno_, i + 1) + "not a number: \"" + f + "\"";
        return false;
      }
      if (i == 0) continue;  // the step number
      double c = v;
      if (c < 0 || c > 100) {
        c = c < 0 ? 0 : 100;
        ++out_.clamped;
      }
      out_.series[i - 1].push_back(float(c));
    }
    ++out_.steps;
    return true;
  }
  bool finish() {
    if (!have_header_) {
      err_ = label_ + ": empty (no header)";
      return false;
    }
    if (out_.steps == 0) {
      err_ = label_ + ": no rows after the header";
      return false;
    }
    return true;
  }

 private:
  const std::string& label_;
  Trace& out_;
  std::string& err_;
  std::vector<std::string> fields_;
  std::size_t lineno_ = 0;
  bool have_header_ = false;
};

}  // namespace

bool parse_trace(const std::string& text, const std::string& label, Trace& out, std::string& err) {
  Parser p(label, out, err);
  std::size_t b = 0;
  while (b < text.size()) {
    std::size_t e = text.find('\n', b);
    if (e == std::string::npos) e = text.size();
    if (!p.line(text.substr(b, e - b))) return false;
    b = e + 1;
  }
  out.bytes = text.size();
  return p.finish();
}

bool read_trace(const std::string& path, Trace& out, std::string& err,
                const std::function<void(std::size_t)>& progress) {
  struct Closer {
    void operator()(gzFile_s* f) const { gzclose(f); }
  };
  errno = 0;
  std::unique_ptr<gzFile_s, Closer> f(gzopen(path.c_str(), "rb"));
  if (!f) {
    err = path + ": cannot open: " + (errno ? std::strerror(errno) : "out of memory");
    return false;
  }
  gzbuffer(f.get(), 1 << 17);
  Parser p(path, out, err);
  std::string pending;
  std::vector<char> buf(1 << 17);
  std::size_t total = 0, next_report = 0;
  while (true) {
    const int n = gzread(f.get(), buf.data(), unsigned(buf.size()));
    if (n < 0) {
      int code = 0;
      const char* msg = gzerror(f.get(), &code);
      err = path + ": read error: " + (code == Z_ERRNO ? std::strerror(errno) : msg);
      return false;
    }
    if (n == 0) break;
    total += std::size_t(n);
    std::size_t b = 0;
    for (std::size_t i = 0; i < std::size_t(n); ++i) {
      if (buf[i] != '\n') continue;
      pending.append(buf.data() + b, i - b);
      if (!p.line(pending)) return false;
      pending.clear();
      b = i + 1;
    }
    pending.append(buf.data() + b, std::size_t(n) - b);
    if (progress && total >= next_report) {
      progress(total);
      next_report = total + (8u << 20);
    }
  }
  int code = 0;
  gzerror(f.get(), &code);
  if (code != Z_OK) {
    err = path + ": truncated or corrupt compressed data";
    return false;
  }
  if (!pending.empty() && !p.line(pending)) return false;
  out.bytes = total;
  return p.finish();
}

}  // namespace shoal::policysim
