#include "report.hpp"

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <ostream>
#include <stdexcept>

namespace shoalctl {

Value number(std::uint64_t v) { return {Json(v), std::to_string(v)}; }

Value hex(std::uint64_t v, int digits) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "0x%0*" PRIx64, digits, v);
  return {Json(v), buf};
}

Value text(std::string s) {
  Value v{Json(s), std::move(s)};
  return v;
}

Value boolean(bool b, std::string yes, std::string no) { return {Json(b), b ? std::move(yes) : std::move(no)}; }

Value with_text(Value v, std::string t) {
  v.text = std::move(t);
  return v;
}

Value json_only(Json j) { return {std::move(j), std::string()}; }

Report Report::object(Style style) {
  Report r;
  r.kind_ = Kind::Object;
  r.style_ = style;
  return r;
}

Report Report::table(std::vector<Column> columns) {
  Report r;
  r.kind_ = Kind::Table;
  r.columns_ = std::move(columns);
  return r;
}

Report& Report::add(std::string key, std::string label, Value v) {
  if (kind_ != Kind::Object) throw std::logic_error("report: add() on a table");
  Report child;
  child.kind_ = Kind::Value;
  child.key_ = std::move(key);
  child.label_ = std::move(label);
  child.value_ = std::move(v);
  children_.push_back(std::move(child));
  return *this;
}

Report& Report::object(std::string key, std::string label, Style style) {
  if (kind_ != Kind::Object) throw std::logic_error("report: object() on a table");
  Report child = object(style);
  child.key_ = std::move(key);
  child.label_ = std::move(label);
  children_.push_back(std::move(child));
  return children_.back();
}

Report& Report::table(std::string key, std::string label, std::vector<Column> columns) {
  if (kind_ != Kind::Object) throw std::logic_error("report: table() on a table");
  Report child = table(std::move(columns));
  child.key_ = std::move(key);
  child.label_ = std::move(label);
  children_.push_back(std::move(child));
  return children_.back();
}

Report& Report::add_row(std::vector<Value> cells) {
  if (kind_ != Kind::Table) throw std::logic_error("report: add_row() on an object");
  if (cells.size() != columns_.size()) throw std::logic_error("report: a row needs one value per column");
  rows_.push_back(std::move(cells));
  return *this;
}

Json Report::to_json() const {
  switch (kind_) {
    case Kind::Value: return value_.json;
    case Kind::Object: {
      Json o = Json::object();
      for (const auto& c : children_) o[c.key_] = c.to_json();
      return o;
    }
    case Kind::Table: {
      Json a = Json::array();
      for (const auto& row : rows_) {
        Json o = Json::object();
        for (std::size_t i = 0; i < columns_.size(); ++i) o[columns_[i].key] = row[i].json;
        a.push_back(std::move(o));
      }
      return a;
    }
  }
  return nullptr;
}

void Report::print_text(std::ostream& out) const { print_text(out, ""); }

void Report::print_text(std::ostream& out, const std::string& indent) const {
  if (kind_ == Kind::Table) {
    std::vector<std::size_t> shown;
    for (std::size_t i = 0; i < columns_.size(); ++i) {
      if (!columns_[i].header.empty()) shown.push_back(i);
    }
    std::vector<std::size_t> width(columns_.size(), 0);
    for (std::size_t i : shown) {
      width[i] = columns_[i].header.size();
      for (const auto& row : rows_) width[i] = std::max(width[i], row[i].text.size());
    }
    auto line = [&](auto cell) {
      std::string s = indent;
      for (std::size_t k = 0; k < shown.size(); ++k) {
        const std::string c = cell(shown[k]);
        s += c;
        if (k + 1 < shown.size()) s += std::string(width[shown[k]] - c.size() + 2, ' ');
      }
      while (!s.empty() && s.back() == ' ') s.pop_back();
      out << s << '\n';
    };
    line([&](std::size_t i) { return columns_[i].header; });
    for (const auto& row : rows_) line([&](std::size_t i) { return row[i].text; });
    return;
  }
  if (kind_ == Kind::Value || style_ == Style::JsonOnly) return;  // printed by the parent / not at all

  // labels in a column of at least 16 (then one space), wider if a label needs it
  std::size_t label_w = 15;
  for (const auto& c : children_) {
    if (c.kind_ == Kind::Value && !c.label_.empty()) label_w = std::max(label_w, c.label_.size());
  }
  ++label_w;
  if (style_ == Style::Line) {
    std::string s = indent;
    bool first = true;
    for (const auto& c : children_) {
      if (c.kind_ != Kind::Value || c.value_.text.empty()) continue;
      if (!first) s += ' ';
      first = false;
      if (!c.label_.empty()) s += c.label_ + ' ';
      s += c.value_.text;
    }
    out << s << '\n';
  }
  for (const auto& c : children_) {
    switch (c.kind_) {
      case Kind::Value:
        if (style_ == Style::Rows && !c.label_.empty())
          out << indent << c.label_ << std::string(label_w - c.label_.size() + 1, ' ') << c.value_.text << '\n';
        break;
      case Kind::Object:
      case Kind::Table:
        if (c.label_.empty()) {
          c.print_text(out, indent + "  ");
        } else {
          out << indent << c.label_ << ":\n";
          c.print_text(out, indent + "  ");
        }
        break;
    }
  }
}

}  // namespace shoalctl
