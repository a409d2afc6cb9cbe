// shoalctl's reports: every command builds ONE tree of named values (a Report) and the same
// tree is printed either as text or, with --json, as JSON. A command never writes its output
// twice, so text and JSON cannot drift apart.
//
//   Report r = Report::object();
//   r.add("magic", "magic", hex(v, 8));             // text "magic  0x53484f4c", JSON "magic": 1397247820
//   r.add("ctrl_id", "", number(id));               // label "": JSON only
//   auto& t = r.table("resources", "resources", {{"index", "INDEX"}, {"name", "NAME"}});
//   t.add_row({number(0), text("cpu")});            // text: an aligned table; JSON: array of objects
//
// Text layout: an object prints one "label  text" line per value (labels in a column of at least
// 16, wider for a longer label), a nested object or table under a "label:" heading (no heading
// for label ""), indented by two; a table has a header row; an object
// in line style prints its values with text on one line, each after its label if it has one
// ("ctrl.MAGIC @ 0x00004 = 0x53484f4c"; json_only() values stay out of it). Column
// widths come from the contents: nothing is cut, whatever its length.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace shoalctl {

using Json = nlohmann::ordered_json;  // keys stay in the order the report adds them

// One value: what JSON gets and how text shows it (the JSON may be an object, e.g. a watchdog's
// fields, whose text is a one-line summary).
struct Value {
  Json json;
  std::string text;
};
Value number(std::uint64_t v);                          // JSON number, text decimal
Value hex(std::uint64_t v, int digits = 0);             // JSON number, text 0x (zero-padded to digits)
Value text(std::string s);                              // JSON string
Value boolean(bool b, std::string yes = "yes", std::string no = "no");
Value with_text(Value v, std::string text);             // the same JSON, another text
Value json_only(Json j);                                // no text (for table cells shown elsewhere)

struct Column {
  std::string key;     // JSON key of the cell in each row object
  std::string header;  // text header; "" = JSON only
};

class Report {
 public:
  enum class Kind { Value, Object, Table };
  enum class Style { Rows, Line, JsonOnly };  // JsonOnly: a nested object text leaves out

  static Report object(Style style = Style::Rows);
  static Report table(std::vector<Column> columns);

  // ---- objects ----
  // A value; label "" shows it in JSON only.
  Report& add(std::string key, std::string label, Value v);
  // A nested object; label "" prints its contents without a heading.
  Report& object(std::string key, std::string label, Style style = Style::Rows);
  // A nested table.
  Report& table(std::string key, std::string label, std::vector<Column> columns);

  // ---- tables ----
  // One row: one value per column, in column order.
  Report& add_row(std::vector<Value> cells);
  std::size_t rows() const { return rows_.size(); }

  Kind kind() const { return kind_; }
  Json to_json() const;
  void print_text(std::ostream& out) const;

 private:
  Report() = default;
  void print_text(std::ostream& out, const std::string& indent) const;

  Kind kind_ = Kind::Object;
  Style style_ = Style::Rows;
  std::string key_, label_;
  Value value_;                           // Kind::Value
  std::vector<Report> children_;          // Kind::Object
  std::vector<Column> columns_;           // Kind::Table
  std::vector<std::vector<Value>> rows_;  // Kind::Table
};

}  // namespace shoalctl
