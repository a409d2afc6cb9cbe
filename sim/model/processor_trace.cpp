#include "processor_trace.hpp"

#include <fstream>
#include <sstream>
#include <stdexcept>

namespace shoal::sim {
namespace {

std::vector<std::string> split_csv(const std::string& line) {
  std::vector<std::string> out(1);
  bool quoted = false;
  for (char c : line) {
    if (c == '"') {
      quoted = !quoted;
    } else if (c == ',' && !quoted) {
      out.emplace_back();
    } else if (c != '\r') {
      out.back().push_back(c);
    }
  }
  return out;
}

}  // namespace

UtilTrace UtilTrace::load(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("trace '" + path + "': cannot open it");
  std::ostringstream ss;
  ss << in.rdbuf();
  const std::string text = ss.str();
  if (text.size() >= 2 && static_cast<unsigned char>(text[0]) == 0x1f &&
      static_cast<unsigned char>(text[1]) == 0x8b) {
    throw std::runtime_error("trace '" + path +
                             "': this is gzip data; decompress it first (gzip -dc FILE > FILE.csv)");
  }
  return parse(text, path);
}

UtilTrace UtilTrace::parse(const std::string& text, const std::string& origin) {
  UtilTrace t;
  std::istringstream in(text);
  std::string line;
  std::size_t lineno = 0;
  std::size_t columns = 0;
  auto fail = [&](const std::string& what) {
    throw std::runtime_error("trace '" + origin + "' line " + std::to_string(lineno) + ": " + what);
  };
  while (std::getline(in, line)) {
    ++lineno;
    if (line.empty() || line == "\r") continue;
    const auto cells = split_csv(line);
    if (columns == 0) {  // header
      if (cells.size() < 2) fail("the header needs a step column and at least one series");
      columns = cells.size();
      t.series_ = columns - 1;
      continue;
    }
    if (cells.size() != columns)
      fail("has " + std::to_string(cells.size()) + " columns, the header has " +
           std::to_string(columns));
    for (std::size_t c = 1; c < cells.size(); ++c) {
      const std::string& v = cells[c];
      unsigned value = 0;
      bool ok = !v.empty() && v.size() <= 3;
      for (char ch : v) {
        if (ch < '0' || ch > '9') ok = false;
        else value = value * 10 + unsigned(ch - '0');
      }
      if (!ok || value > 100)
        fail("column " + std::to_string(c + 1) + ": '" + v +
             "' is not a utilization (an integer percent, 0..100)");
      t.values_.push_back(static_cast<uint8_t>(value));
    }
    ++t.steps_;
  }
  if (columns == 0) throw std::runtime_error("trace '" + origin + "': empty (no header)");
  if (t.steps_ == 0) throw std::runtime_error("trace '" + origin + "': no data rows");
  return t;
}

}  // namespace shoal::sim
