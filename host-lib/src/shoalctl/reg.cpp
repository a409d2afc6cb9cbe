// shoalctl reg: the register map (generated from rtl/regmap) and raw BAR0 register access by
// offset or by name.
#include <CLI/CLI.hpp>

#include <cctype>
#include <memory>
#include <string_view>

#include "commands.hpp"
#include "shoal/bar_access.hpp"
#include "shoal/regs.hpp"

namespace shoalctl {
namespace {

namespace regs = shoal::regs;

struct RegOptions {
  std::string target;
  std::string value;
  bool wide = false;
  std::vector<std::string> blocks;  // reg dump
};

const char* access_name(regs::Access a) {
  switch (a) {
    case regs::Access::RO: return "RO";
    case regs::Access::RW: return "RW";
    case regs::Access::WO: return "WO";
    case regs::Access::W1C: return "W1C";
    case regs::Access::W1S: return "W1S";
    case regs::Access::RC: return "RC";
  }
  return "?";
}

bool iequal(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) return false;
  }
  return true;
}

struct Target {
  std::uint64_t offset = 0;
  const regs::RegInfo* reg = nullptr;  // when named (or when the offset is a known register)
  std::string label;                   // BLOCK.NAME, BLOCK.NAME[i] or the offset
};

std::string reg_label(const regs::RegInfo& r) { return std::string(r.block) + "." + r.name; }

// BLOCK.NAME, or BLOCK.NAME[i] for an element of a register array.
std::string element_label(const regs::RegInfo& r, std::uint64_t offset) {
  if (r.count == 1) return reg_label(r);
  return reg_label(r) + "[" + std::to_string((offset - r.addr) / r.stride) + "]";
}

const regs::BlockInfo* find_block(std::string_view name) {
  for (const auto& b : regs::kBlocks) {
    if (iequal(b.name, name)) return &b;
  }
  return nullptr;
}

// Resolves OFFSET or BLOCK.NAME[i]; fills err on failure.
std::optional<Target> resolve(const std::string& text, unsigned bytes, std::string& err) {
  Target t;
  if (!text.empty() && std::isdigit(static_cast<unsigned char>(text[0]))) {
    auto v = parse_uint(text, UINT64_MAX);
    if (!v) {
      err = "'" + text + "' is not a valid offset (decimal or 0x hex)";
      return std::nullopt;
    }
    t.offset = *v;
    t.reg = shoal::bar::locate(t.offset).reg;
    t.label = t.reg != nullptr ? element_label(*t.reg, t.offset) : hexs(t.offset, 5);
  } else {
    const auto dot = text.find('.');
    if (dot == std::string::npos) {
      if (find_block(text) != nullptr) {
        err = "'" + text + "' is a block, not a register: 'shoalctl reg dump " + text +
              "' reads all its registers (arrays included) in one go";
      } else {
        err = "unknown register '" + text + "': use BLOCK.NAME (e.g. ctrl.MAGIC) or a numeric offset; see 'shoalctl reg list'";
      }
      return std::nullopt;
    }
    const auto block = std::string_view(text).substr(0, dot);
    auto name = std::string_view(text).substr(dot + 1);
    // an element of a register array: NAME[i]
    std::optional<std::uint64_t> index;
    if (const auto lb = name.find('['); lb != std::string_view::npos) {
      if (name.back() != ']' || lb + 2 > name.size() - 1) {
        err = "'" + text + "': write an array element as BLOCK.NAME[i]";
        return std::nullopt;
      }
      index = parse_uint(std::string(name.substr(lb + 1, name.size() - lb - 2)), UINT32_MAX);
      if (!index) {
        err = "'" + text + "': the index must be a number";
        return std::nullopt;
      }
      name = name.substr(0, lb);
    }
    for (const auto& r : regs::kRegisters) {
      if (iequal(r.block, block) && iequal(r.name, name)) t.reg = &r;
    }
    if (t.reg == nullptr) {
      err = "unknown register '" + text + "'; see 'shoalctl reg list'";
      return std::nullopt;
    }
    t.offset = t.reg->addr;
    t.label = reg_label(*t.reg);
    if (index) {
      if (*index >= t.reg->count) {
        err = "'" + text + "': " + t.label + " has " + std::to_string(t.reg->count) +
              (t.reg->count == 1 ? " element" : " elements");
        return std::nullopt;
      }
      t.offset += *index * t.reg->stride;
      t.label += "[" + std::to_string(*index) + "]";
    }
  }
  if (t.offset % bytes != 0) {
    err = "offset " + hexs(t.offset) + " is not " + std::to_string(bytes) + "-byte aligned";
    return std::nullopt;
  }
  if (t.offset >= regs::kBar0Size || regs::kBar0Size - t.offset < bytes) {
    err = "offset " + hexs(t.offset) + " is outside BAR0 (size " + hexs(regs::kBar0Size) + ")";
    return std::nullopt;
  }
  return t;
}

// A 64-bit access the card would take only in part is refused before the card (exit 2).
std::optional<std::string> wide_refused(const Target& t, bool wide, bool write) {
  if (!wide) return std::nullopt;
  const std::string why = shoal::bar::wide_refusal(t.offset, write);
  if (why.empty()) return std::nullopt;
  return t.label + " --64: " + why + "; nothing " + (write ? "written" : "read");
}

// The decoded fields of a register value ("" label: no heading), or nothing for a register
// that is one 32-bit field.
void add_fields(Report& r, const regs::RegInfo& reg, std::uint64_t value) {
  if (reg.num_fields == 1 && reg.fields[0].width == 32) return;
  auto& f = r.object("fields", "");
  for (std::size_t k = 0; k < reg.num_fields; ++k) {
    const auto& fi = reg.fields[k];
    const std::uint64_t mask = fi.width >= 32 ? 0xffffffffull : ((1ull << fi.width) - 1);
    f.add(fi.name, std::string(fi.name) + " [" + std::to_string(fi.lsb + fi.width - 1) + ":" + std::to_string(fi.lsb) + "]",
          hex((value >> fi.lsb) & mask));
  }
}

int reg_list(Context& ctx) {
  Report r = Report::table({{"name", "NAME"}, {"offset", "OFFSET"}, {"access", "ACCESS"}, {"reset", "RESET"},
                            {"description", "DESCRIPTION"}});
  for (const auto& x : regs::kRegisters) {
    r.add_row({text(reg_label(x)), hex(x.addr, 5), text(access_name(x.access)), hex(x.reset, 8), text(x.description)});
  }
  return ctx.emit(r);
}

int reg_read(Context& ctx, const RegOptions& o) {
  std::string err;
  const unsigned bytes = o.wide ? 8 : 4;
  auto t = resolve(o.target, bytes, err);
  if (!t) return ctx.usage_error(err);
  if (auto why = wide_refused(*t, o.wide, false)) return ctx.usage_error(*why);
  int rc = kExitOk;
  auto dev = ctx.open_device(rc);
  if (!dev) return rc;
  std::uint64_t value = 0;
  if (o.wide) {
    auto v = dev->read64(t->offset);
    if (!v) return ctx.device_error(v.error());
    value = *v;
  } else {
    auto v = dev->read32(t->offset);
    if (!v) return ctx.device_error(v.error());
    value = *v;
  }
  Report r = Report::object(Report::Style::Line);
  r.add("name", "", with_text(text(t->reg ? t->label : std::string()), t->label));
  r.add("offset", "@", hex(t->offset, 5));
  r.add("width", "", json_only(bytes * 8));
  r.add("value", "=", hex(value, bytes * 2));
  r.add("hex", "", json_only(hexs(value, bytes * 2)));
  if (t->reg != nullptr && !o.wide) add_fields(r, *t->reg, value);
  return ctx.emit(r);
}

int reg_write(Context& ctx, const RegOptions& o) {
  std::string err;
  const unsigned bytes = o.wide ? 8 : 4;
  auto t = resolve(o.target, bytes, err);
  if (!t) return ctx.usage_error(err);
  auto value = parse_uint(o.value, o.wide ? UINT64_MAX : 0xffffffffull);
  if (!value) {
    return ctx.usage_error("'" + o.value + "' is not a valid " + std::to_string(bytes * 8) +
                           "-bit value (decimal or 0x hex, no sign)");
  }
  if (t->reg != nullptr && t->reg->access == regs::Access::RO) {
    return ctx.usage_error(t->label + " is read-only; nothing written");
  }
  if (auto why = wide_refused(*t, o.wide, true)) return ctx.usage_error(*why);
  for (const auto& b : regs::kBlocks) {
    if (!b.host_write && t->offset >= b.base && t->offset < b.base + b.size) {
      return ctx.usage_error(t->label + ": the " + b.name +
                             " block is driven by the card's firmware; the host may only read it. "
                             "Nothing written");
    }
  }
  int rc = kExitOk;
  auto dev = ctx.open_device(rc);
  if (!dev) return rc;
  auto s = o.wide ? dev->write64(t->offset, *value) : dev->write32(t->offset, static_cast<std::uint32_t>(*value));
  if (!s) return ctx.device_error(s.error());
  Report r = Report::object(Report::Style::Line);
  r.add("written", "wrote", hex(*value, bytes * 2));
  r.add("name", "to", with_text(text(t->reg ? t->label : std::string()), t->label));
  r.add("offset", "@", hex(t->offset, 5));
  r.add("width", "", json_only(bytes * 8));
  return ctx.emit(r);
}

// Every register of the named blocks (or BLOCK.NAME: one register, every element of an array),
// read in one session. Write-only registers read 0 and are listed without a read.
int reg_dump(Context& ctx, const RegOptions& o) {
  struct Item {
    const regs::RegInfo* reg;
    std::uint32_t first, count;  // elements
  };
  std::vector<Item> items;
  for (const auto& name : o.blocks) {
    const auto dot = name.find('.');
    const auto bname = std::string_view(name).substr(0, dot);
    const regs::BlockInfo* b = find_block(bname);
    if (b == nullptr) {
      std::string known;
      for (const auto& x : regs::kBlocks) known += std::string(known.empty() ? "" : ", ") + x.name;
      return ctx.usage_error("unknown block '" + std::string(bname) + "' (blocks: " + known + ")");
    }
    if (!b->present) return ctx.usage_error("the " + std::string(b->name) + " block is not present in this card");
    bool found = false;
    for (const auto& r : regs::kRegisters) {
      if (!iequal(r.block, b->name)) continue;
      if (dot != std::string::npos && !iequal(r.name, std::string_view(name).substr(dot + 1))) continue;
      items.push_back({&r, 0, r.count});
      found = true;
    }
    if (!found) return ctx.usage_error("unknown register '" + name + "'; see 'shoalctl reg list'");
  }
  int rc = kExitOk;
  auto dev = ctx.open_device(rc);
  if (!dev) return rc;
  Report r = Report::table({{"name", "NAME"}, {"offset", "OFFSET"}, {"access", "ACCESS"}, {"value", "VALUE"},
                            {"fields", "FIELDS"}});
  for (const auto& it : items) {
    for (std::uint32_t i = it.first; i < it.first + it.count; ++i) {
      const std::uint64_t off = it.reg->addr + std::uint64_t(i) * it.reg->stride;
      const std::string label = element_label(*it.reg, off);
      if (it.reg->access == regs::Access::WO) {
        r.add_row({text(label), hex(off, 5), text(access_name(it.reg->access)), with_text(json_only(nullptr), "-"),
                   with_text(json_only(Json::object()), "(write-only: not read)")});
        continue;
      }
      auto v = dev->read32(off);
      if (!v) return ctx.device_error(v.error(), "reading " + label + ": ");
      Json fields = Json::object();
      std::string ftext;
      if (!(it.reg->num_fields == 1 && it.reg->fields[0].width == 32)) {
        for (std::size_t k = 0; k < it.reg->num_fields; ++k) {
          const auto& fi = it.reg->fields[k];
          const std::uint64_t mask = fi.width >= 32 ? 0xffffffffull : ((1ull << fi.width) - 1);
          const std::uint64_t fv = (*v >> fi.lsb) & mask;
          fields[fi.name] = fv;
          ftext += std::string(ftext.empty() ? "" : " ") + fi.name + "=" + hexs(fv);
        }
      }
      r.add_row({text(label), hex(off, 5), text(access_name(it.reg->access)), hex(*v, 8), {fields, ftext}});
    }
  }
  return ctx.emit(r);
}

}  // namespace

void add_reg_commands(CLI::App& app, Context& ctx) {
  auto o = std::make_shared<RegOptions>();  // kept alive by the callbacks
  auto* reg = app.add_subcommand("reg", "Register access");
  reg->require_subcommand(1);
  reg->fallthrough();
  auto* list = reg->add_subcommand("list", "List the registers of the register map");
  list->callback([&ctx] { ctx.rc = reg_list(ctx); });
  auto* read = reg->add_subcommand("read", "Read a register: reg read OFFSET|BLOCK.NAME[i] (a whole block: reg dump)");
  read->add_option("target", o->target, "BAR0 offset or BLOCK.NAME")->required();
  read->add_flag("--64", o->wide, "64-bit access");
  read->callback([&ctx, o] { ctx.rc = reg_read(ctx, *o); });
  auto* write = reg->add_subcommand("write", "Write a register: reg write OFFSET|BLOCK.NAME VALUE");
  write->add_option("target", o->target, "BAR0 offset or BLOCK.NAME")->required();
  write->add_option("value", o->value, "Value (decimal or 0x hex)")->required();
  write->add_flag("--64", o->wide, "64-bit access");
  write->callback([&ctx, o] { ctx.rc = reg_write(ctx, *o); });
  auto* dump = reg->add_subcommand(
      "dump", "Read every register of a block, register arrays included, in one go: reg dump BLOCK|BLOCK.NAME...");
  dump->add_option("blocks", o->blocks, "BLOCK (e.g. drrm) or BLOCK.NAME (e.g. drrm.PROC: every element)")->required();
  dump->callback([&ctx, o] { ctx.rc = reg_dump(ctx, *o); });
}

}  // namespace shoalctl
