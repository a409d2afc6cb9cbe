// shoalctl reg: the register map (generated from rtl/regmap) and raw BAR0 register access by
// offset or by name.
#include <CLI/CLI.hpp>

#include <cctype>
#include <memory>
#include <string_view>

#include "commands.hpp"
#include "shoal/regs.hpp"

namespace shoalctl {
namespace {

namespace regs = shoal::regs;

struct RegOptions {
  std::string target;
  std::string value;
  bool wide = false;
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

const regs::RegInfo* reg_at(std::uint64_t offset) {
  for (const auto& r : regs::kRegisters) {
    if (r.addr == offset) return &r;
  }
  return nullptr;
}

std::string reg_label(const regs::RegInfo& r) { return std::string(r.block) + "." + r.name; }

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
    t.reg = reg_at(t.offset);
    t.label = t.reg != nullptr ? reg_label(*t.reg) : hexs(t.offset, 5);
  } else {
    const auto dot = text.find('.');
    if (dot == std::string::npos) {
      err = "unknown register '" + text + "': use BLOCK.NAME (e.g. ctrl.MAGIC) or a numeric offset; see 'shoalctl reg list'";
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
  r.add("name", "", with_text(text(t->reg ? reg_label(*t->reg) : std::string()), t->label));
  r.add("offset", "@", hex(t->offset, 5));
  r.add("width", "", json_only(bytes * 8));
  r.add("value", "=", hex(value, bytes * 2));
  r.add("hex", "", json_only(hexs(value, bytes * 2)));
  const bool decode = t->reg != nullptr && !o.wide;
  if (decode && !(t->reg->num_fields == 1 && t->reg->fields[0].width == 32)) {
    auto& f = r.object("fields", "");
    for (std::size_t k = 0; k < t->reg->num_fields; ++k) {
      const auto& fi = t->reg->fields[k];
      const std::uint64_t mask = fi.width >= 32 ? 0xffffffffull : ((1ull << fi.width) - 1);
      f.add(fi.name,
            std::string(fi.name) + " [" + std::to_string(fi.lsb + fi.width - 1) + ":" + std::to_string(fi.lsb) + "]",
            hex((value >> fi.lsb) & mask));
    }
  }
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
  r.add("name", "to", with_text(text(t->reg ? reg_label(*t->reg) : std::string()), t->label));
  r.add("offset", "@", hex(t->offset, 5));
  r.add("width", "", json_only(bytes * 8));
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
  auto* read = reg->add_subcommand("read", "Read a register: reg read OFFSET|BLOCK.NAME");
  read->add_option("target", o->target, "BAR0 offset or BLOCK.NAME")->required();
  read->add_flag("--64", o->wide, "64-bit access");
  read->callback([&ctx, o] { ctx.rc = reg_read(ctx, *o); });
  auto* write = reg->add_subcommand("write", "Write a register: reg write OFFSET|BLOCK.NAME VALUE");
  write->add_option("target", o->target, "BAR0 offset or BLOCK.NAME")->required();
  write->add_option("value", o->value, "Value (decimal or 0x hex)")->required();
  write->add_flag("--64", o->wide, "64-bit access");
  write->callback([&ctx, o] { ctx.rc = reg_write(ctx, *o); });
}

}  // namespace shoalctl
