// shoalctl: look at a Shoal card from the command line — identity, capabilities and resources
// from its device tree, and raw register access by offset or by name from the generated map.
#include <CLI/CLI.hpp>

#include <cctype>
#include <cerrno>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <optional>
#include <sstream>
#include <string>

#include <unistd.h>

#include "fabric_cli.hpp"  // services/shoal-fabricd: the `fabric` command group
#include "shoal/regs.hpp"
#include "shoal/shoal.hpp"

namespace {

namespace regs = shoal::regs;

// Exit codes (also in --help).
constexpr int kExitOk = 0;
constexpr int kExitDevice = 1;  // the device could not be opened or refused an access
constexpr int kExitUsage = 2;   // bad command line or input; nothing was sent to the card

const char* kHelpFooter = R"(Device URIs (--device, or the SHOAL_DEVICE environment variable when --device is absent):
  sim:/path/to/socket     the co-simulated card served by shoal-sim on that UNIX socket
  pci:DDDD:BB:DD.F        a PCIe card by address, e.g. pci:0000:03:00.0 (pci:BB:DD.F = domain 0000)
  pci:VVVV:DDDD[#N]       the N-th (0-based, default 0) PCIe card with that vendor:device ID,
                          e.g. pci:1d0f:5348 or pci:1d0f:5348#1
  pci: looks under ${SHOAL_SYSFS_ROOT:-/sys}/bus/pci/devices and needs access to resource0.

Registers: OFFSET is a BAR0 byte offset (decimal or 0x hex, 4-byte aligned, 8 with --64);
  BLOCK.NAME names a register from the register map (case-insensitive), see 'reg list'.

Exit codes:
  0  success
  1  the device could not be opened, or an access failed (bus error, I/O, timeout, ...)
  2  bad usage or input (unknown register, bad number, offset outside BAR0, no device given);
     nothing was sent to the card)";

struct Options {
  std::string device;
  bool json = false;
  std::string target;
  std::string value;
  bool wide = false;
  std::string elf;
};

int usage_error(const std::string& msg) {
  std::cerr << "shoalctl: " << msg << "\n";
  return kExitUsage;
}

int device_error(const shoal::Error& e) {
  std::cerr << "shoalctl: " << e.message << " [" << shoal::errc_name(e.code) << "]\n";
  return kExitDevice;
}

std::string hexs(std::uint64_t v, int width = 0) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "0x%0*" PRIx64, width, v);
  return buf;
}

std::string json_str(const std::string& s) {
  std::string out = "\"";
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      case '\r': out += "\\r"; break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += ch;
        }
    }
  }
  return out + "\"";
}

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

// Strict unsigned parse: decimal or 0x-hex, whole string, no sign, fits in max.
std::optional<std::uint64_t> parse_uint(const std::string& s, std::uint64_t max) {
  if (s.empty() || !std::isdigit(static_cast<unsigned char>(s[0]))) return std::nullopt;
  errno = 0;
  char* end = nullptr;
  const unsigned long long v = std::strtoull(s.c_str(), &end, 0);
  if (errno != 0 || end == s.c_str() || *end != '\0' || v > max) return std::nullopt;
  return v;
}

struct Target {
  std::uint64_t offset = 0;
  const regs::RegInfo* reg = nullptr;  // when named (or when the offset is a known register)
  std::string label;
};

const regs::RegInfo* reg_at(std::uint64_t offset) {
  for (const auto& r : regs::kRegisters) {
    if (r.addr == offset) return &r;
  }
  return nullptr;
}

std::string reg_label(const regs::RegInfo& r) { return std::string(r.block) + "." + r.name; }

// Resolves OFFSET or BLOCK.NAME; fills err on failure.
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

std::string device_uri(const Options& o) {
  if (!o.device.empty()) return o.device;
  const char* env = std::getenv("SHOAL_DEVICE");
  return env != nullptr ? env : "";
}

// Opens the device or explains why not; exit code in `rc` on failure.
std::optional<shoal::Device> open_device(const Options& o, int& rc) {
  const std::string uri = device_uri(o);
  if (uri.empty()) {
    rc = usage_error("no device: pass --device URI or set SHOAL_DEVICE (see --help for URI forms)");
    return std::nullopt;
  }
  auto dev = shoal::Device::open(uri);
  if (!dev) {
    rc = device_error(dev.error());
    return std::nullopt;
  }
  return std::move(*dev);
}

const char* block_status(bool present) { return present ? "present" : "absent"; }

std::string fw_state(const shoal_fw_state& s);
std::string fw_json(const shoal_fw_state& s);
std::string fw_version(const shoal_fw_state& s);
std::string fw_watchdog(const shoal_fw_state& s);
std::string fw_fault(const shoal_fw_state& s);

int cmd_info(const Options& o) {
  int rc = kExitOk;
  auto dev = open_device(o, rc);
  if (!dev) return rc;
  auto info = dev->info();
  if (!info) return device_error(info.error());
  auto res = dev->resources();
  if (!res) return device_error(res.error());
  auto blocks = dev->blocks();
  if (!blocks) return device_error(blocks.error());
  const auto& i = *info;
  std::optional<shoal_fw_state> fw;
  if (i.blocks_present & SHOAL_BLOCK_CORE) {
    auto st = dev->fw_status();
    if (!st) return device_error(st.error());
    fw = *st;
  }
  const std::string ver = std::to_string(i.card_version_major) + "." + std::to_string(i.card_version_minor) + "." +
                          std::to_string(i.card_version_patch);
  std::ostringstream out;
  if (o.json) {
    out << "{\n  \"device\": " << json_str(i.transport) << ",\n  \"model\": " << json_str(i.model)
        << ",\n  \"magic\": " << i.magic << ",\n  \"ctrl_id\": " << i.ctrl_id
        << ",\n  \"ctrl_block_id\": " << (i.ctrl_id >> 16) << ",\n  \"ctrl_block_version\": " << (i.ctrl_id & 0xffff)
        << ",\n  \"version\": " << json_str(ver) << ",\n  \"version_reg\": " << i.version_reg << ",\n  \"cap\": " << i.cap
        << ",\n  \"bar0_size\": " << i.bar0_size << ",\n  \"clock_hz\": " << i.clock_hz
        << ",\n  \"num_processors\": " << i.num_processors << ",\n  \"num_partitions\": " << i.num_partitions
        << ",\n  \"num_irq_vectors\": " << i.num_irq_vectors << ",\n  \"num_host_irqs\": " << i.num_host_irqs
        << ",\n  \"num_resource_types\": " << i.num_resource_types << ",\n  \"dtb_size\": " << i.dtb_size
        << ",\n  \"resources\": [";
    for (std::size_t k = 0; k < res->size(); ++k) {
      const auto& r = (*res)[k];
      out << (k ? "," : "") << "\n    {\"index\": " << r.index << ", \"name\": " << json_str(r.name)
          << ", \"units\": " << r.units << ", \"description\": " << json_str(r.description) << "}";
    }
    out << "\n  ],\n  \"blocks\": [";
    for (std::size_t k = 0; k < blocks->size(); ++k) {
      const auto& b = (*blocks)[k];
      out << (k ? "," : "") << "\n    {\"name\": " << json_str(b.name) << ", \"compatible\": " << json_str(b.compatible)
          << ", \"base\": " << b.base << ", \"size\": " << b.size << ", \"block_id\": " << b.block_id
          << ", \"block_version\": " << b.block_version << ", \"present\": " << (b.present ? "true" : "false") << "}";
    }
    out << "\n  ]";
    if (fw) out << ",\n  \"firmware\": " << fw_json(*fw);
    out << "\n}\n";
  } else {
    char line[256];
    auto row = [&](const char* k, const std::string& v) {
      std::snprintf(line, sizeof line, "%-16s %s\n", k, v.c_str());
      out << line;
    };
    row("device", i.transport);
    row("model", i.model);
    row("magic", hexs(i.magic, 8));
    row("ctrl ID", hexs(i.ctrl_id, 8) + " (block " + hexs(i.ctrl_id >> 16, 4) + ", version " +
                       std::to_string(i.ctrl_id & 0xffff) + ")");
    row("card version", ver + " (VERSION register " + hexs(i.version_reg, 8) + ")");
    row("capabilities", hexs(i.cap, 8));
    row("clock", std::to_string(i.clock_hz) + " Hz");
    row("processors", std::to_string(i.num_processors));
    row("partitions", std::to_string(i.num_partitions));
    row("irq vectors", std::to_string(i.num_irq_vectors));
    row("host irqs", std::to_string(i.num_host_irqs));
    row("BAR0", hexs(i.bar0_size) + " bytes");
    row("DTB", std::to_string(i.dtb_size) + " bytes");
    out << "resources (" << res->size() << " types):\n";
    for (const auto& r : *res) {
      std::snprintf(line, sizeof line, "  %2u  %-14s %6u  %s\n", r.index, r.name, r.units, r.description);
      out << line;
    }
    out << "blocks:\n";
    for (const auto& b : *blocks) {
      std::snprintf(line, sizeof line, "  %-6s %-8s base %s size %s id %s v%u\n", b.name, block_status(b.present != 0),
                    hexs(b.base, 5).c_str(), hexs(b.size, 5).c_str(), hexs(b.block_id, 4).c_str(), b.block_version);
      out << line;
    }
    if (fw) {
      out << "soft core:       " << fw_state(*fw) << ", LOAD_COUNT " << fw->load_count << "\n";
      row("firmware", fw_version(*fw));
      row("uptime", std::to_string(fw->fw_uptime) + " ticks");
      row("tasks", std::to_string(fw->task_count) + (fw->sched_running ? " (scheduler running)" : ""));
      row("watchdog", fw_watchdog(*fw));
      row("last fault", fw_fault(*fw));
    }
  }
  std::cout << out.str();
  return kExitOk;
}

// ---- fw ----------------------------------------------------------------------------------------

std::string fw_state(const shoal_fw_state& s) {
  if (s.in_reset) return "held in reset";
  if (!s.running) return "starting";
  return s.sleeping ? "running (sleeping in wfi)" : "running";
}

// "kind major.minor.patch" of FW_VERSION ("none" before the firmware reports one)
std::string fw_version(const shoal_fw_state& s) {
  if (s.fw_version == 0) return "none reported";
  const unsigned kind = s.fw_version >> 24;
  return std::to_string((s.fw_version >> 16) & 0xff) + "." + std::to_string((s.fw_version >> 8) & 0xff) + "." +
         std::to_string(s.fw_version & 0xff) + (kind == 1 ? " (RTOS image)" : "");
}

std::string fw_watchdog(const shoal_fw_state& s) {
  std::string w = s.wdog_enabled ? "on, timeout " + std::to_string(s.wdog_timeout) + " cycles, " +
                                       std::to_string(s.wdog_count) + " left"
                                 : "off";
  if (s.wdog_enabled && s.wdog_halt) w += ", halts the core on expiry";
  w += s.wdog_expired ? ", EXPIRED (the firmware stopped kicking)" : "";
  return w + ", kicks " + std::to_string(s.wdog_kicks);
}

std::string fw_fault(const shoal_fw_state& s) {
  if (!s.fault_valid) return "none";
  std::string task = s.fault_task_name[0] ? s.fault_task_name : "-";
  return std::string(shoal_fw_fault_name(s.fault_cause)) + " in task '" + task + "' (#" +
         std::to_string(s.fault_task) + "), data " + hexs(s.fault_data, 8) + ", " +
         std::to_string(s.fault_count) + " reported";
}

std::string fw_json(const shoal_fw_state& s) {
  auto b = [](std::uint32_t v) { return v ? "true" : "false"; };
  std::ostringstream o;
  o << "{\"state\": " << json_str(fw_state(s)) << ", \"ctrl\": " << s.ctrl << ", \"status\": " << s.status
    << ", \"in_reset\": " << b(s.in_reset) << ", \"running\": " << b(s.running)
    << ", \"sleeping\": " << b(s.sleeping) << ", \"load_count\": " << s.load_count
    << ", \"iram_base\": " << s.iram_base << ", \"iram_bytes\": " << s.iram_bytes << ", \"dram_base\": " << s.dram_base
    << ", \"dram_bytes\": " << s.dram_bytes
    << ", \"fw_version\": " << s.fw_version << ", \"fw_version_text\": " << json_str(fw_version(s))
    << ", \"uptime_ticks\": " << s.fw_uptime << ", \"task_count\": " << s.task_count
    << ", \"scheduler_running\": " << b(s.sched_running)
    << ", \"watchdog\": {\"enabled\": " << b(s.wdog_enabled) << ", \"halt\": " << b(s.wdog_halt)
    << ", \"timeout_cycles\": " << s.wdog_timeout << ", \"count\": " << s.wdog_count
    << ", \"expired\": " << b(s.wdog_expired) << ", \"kicks\": " << s.wdog_kicks << "}"
    << ", \"last_fault\": {\"valid\": " << b(s.fault_valid) << ", \"cause\": " << s.fault_cause
    << ", \"cause_text\": " << json_str(shoal_fw_fault_name(s.fault_cause)) << ", \"task\": " << s.fault_task
    << ", \"task_name\": " << json_str(s.fault_task_name) << ", \"data\": " << s.fault_data
    << ", \"count\": " << s.fault_count << "}}";
  return o.str();
}

int cmd_fw_status(const Options& o) {
  int rc = kExitOk;
  auto dev = open_device(o, rc);
  if (!dev) return rc;
  auto st = dev->fw_status();
  if (!st) return device_error(st.error());
  const auto& s = *st;
  if (o.json) {
    std::cout << fw_json(s) << "\n";
    return kExitOk;
  }
  std::cout << "state            " << fw_state(s) << "\n"
            << "CTRL             " << hexs(s.ctrl, 8) << "\n"
            << "STATUS           " << hexs(s.status, 8) << "\n"
            << "LOAD_COUNT       " << s.load_count << " words\n"
            << "IRAM             " << hexs(s.iram_base, 8) << " + " << s.iram_bytes << " bytes\n"
            << "DRAM             " << hexs(s.dram_base, 8) << " + " << s.dram_bytes << " bytes\n"
            << "firmware         " << fw_version(s) << "\n"
            << "uptime           " << s.fw_uptime << " ticks\n"
            << "tasks            " << s.task_count << (s.sched_running ? " (scheduler running)" : "") << "\n"
            << "watchdog         " << fw_watchdog(s) << "\n"
            << "last fault       " << fw_fault(s) << "\n";
  return kExitOk;
}

// A progress bar on stderr, drawn only when stdout is a terminal.
void fw_progress(void* ctx, std::uint64_t done, std::uint64_t total) {
  (void)ctx;
  constexpr int kWidth = 40;
  const int fill = total ? static_cast<int>(done * kWidth / total) : kWidth;
  std::string bar(static_cast<std::size_t>(fill), '#');
  bar.resize(kWidth, '.');
  std::fprintf(stderr, "\r[%s] %3u%% %" PRIu64 "/%" PRIu64 " bytes", bar.c_str(),
               total ? static_cast<unsigned>(done * 100 / total) : 100u, done, total);
  if (done == total) std::fputc('\n', stderr);
  std::fflush(stderr);
}

int cmd_fw_load(const Options& o) {
  int rc = kExitOk;
  auto dev = open_device(o, rc);
  if (!dev) return rc;
  const bool tty = ::isatty(STDOUT_FILENO) != 0;
  auto s = dev->fw_load(o.elf, tty ? fw_progress : nullptr, nullptr);
  if (!s) {
    if (tty) std::fputc('\n', stderr);
    std::cerr << "shoalctl: fw load: " << s.error().message << " [" << shoal::errc_name(s.error().code) << "]\n";
    // a bad image was refused before anything was sent to the card: a usage/input error
    return s.error().code == shoal::Errc::invalid_arg ? kExitUsage : kExitDevice;
  }
  auto st = dev->fw_status();
  if (!st) return device_error(st.error());
  std::cout << "loaded " << o.elf << ": " << st->load_count << " words; core " << fw_state(*st) << "\n";
  return kExitOk;
}

int cmd_reg_list(const Options& o) {
  std::ostringstream out;
  if (o.json) out << "[";
  bool first = true;
  for (const auto& r : regs::kRegisters) {
    if (o.json) {
      out << (first ? "" : ",") << "\n  {\"name\": " << json_str(reg_label(r)) << ", \"offset\": " << r.addr
          << ", \"access\": " << json_str(access_name(r.access)) << ", \"reset\": " << r.reset
          << ", \"description\": " << json_str(r.description) << "}";
    } else {
      char line[256];
      std::snprintf(line, sizeof line, "%-22s %s  %-3s  reset %s  %s\n", reg_label(r).c_str(), hexs(r.addr, 5).c_str(),
                    access_name(r.access), hexs(r.reset, 8).c_str(), r.description);
      out << line;
    }
    first = false;
  }
  if (o.json) out << "\n]\n";
  std::cout << out.str();
  return kExitOk;
}

int cmd_reg_read(const Options& o) {
  std::string err;
  const unsigned bytes = o.wide ? 8 : 4;
  auto t = resolve(o.target, bytes, err);
  if (!t) return usage_error(err);
  int rc = kExitOk;
  auto dev = open_device(o, rc);
  if (!dev) return rc;
  std::uint64_t value = 0;
  if (o.wide) {
    auto v = dev->read64(t->offset);
    if (!v) return device_error(v.error());
    value = *v;
  } else {
    auto v = dev->read32(t->offset);
    if (!v) return device_error(v.error());
    value = *v;
  }
  const bool decode = t->reg != nullptr && !o.wide;
  std::ostringstream out;
  if (o.json) {
    out << "{\"name\": " << json_str(t->reg ? reg_label(*t->reg) : std::string()) << ", \"offset\": " << t->offset
        << ", \"width\": " << bytes * 8 << ", \"value\": " << value << ", \"hex\": " << json_str(hexs(value, bytes * 2));
    if (decode) {
      out << ", \"fields\": {";
      for (std::size_t k = 0; k < t->reg->num_fields; ++k) {
        const auto& f = t->reg->fields[k];
        const std::uint64_t mask = f.width >= 32 ? 0xffffffffull : ((1ull << f.width) - 1);
        out << (k ? ", " : "") << json_str(f.name) << ": " << ((value >> f.lsb) & mask);
      }
      out << "}";
    }
    out << "}\n";
  } else {
    out << t->label << " @ " << hexs(t->offset, 5) << " = " << hexs(value, bytes * 2) << "\n";
    if (decode && !(t->reg->num_fields == 1 && t->reg->fields[0].width == 32)) {
      for (std::size_t k = 0; k < t->reg->num_fields; ++k) {
        const auto& f = t->reg->fields[k];
        const std::uint64_t mask = f.width >= 32 ? 0xffffffffull : ((1ull << f.width) - 1);
        char line[160];
        std::snprintf(line, sizeof line, "  %-12s [%u:%u] = %s\n", f.name, f.lsb + f.width - 1, f.lsb,
                      hexs((value >> f.lsb) & mask).c_str());
        out << line;
      }
    }
  }
  std::cout << out.str();
  return kExitOk;
}

int cmd_reg_write(const Options& o) {
  std::string err;
  const unsigned bytes = o.wide ? 8 : 4;
  auto t = resolve(o.target, bytes, err);
  if (!t) return usage_error(err);
  auto value = parse_uint(o.value, o.wide ? UINT64_MAX : 0xffffffffull);
  if (!value) {
    return usage_error("'" + o.value + "' is not a valid " + std::to_string(bytes * 8) +
                       "-bit value (decimal or 0x hex, no sign)");
  }
  if (t->reg != nullptr && t->reg->access == regs::Access::RO) {
    return usage_error(t->label + " is read-only; nothing written");
  }
  for (const auto& b : regs::kBlocks) {
    if (!b.host_write && t->offset >= b.base && t->offset < b.base + b.size) {
      return usage_error(t->label + ": the " + b.name +
                         " block is driven by the card's firmware; the host may only read it. "
                         "Nothing written");
    }
  }
  int rc = kExitOk;
  auto dev = open_device(o, rc);
  if (!dev) return rc;
  auto s = o.wide ? dev->write64(t->offset, *value) : dev->write32(t->offset, static_cast<std::uint32_t>(*value));
  if (!s) return device_error(s.error());
  if (o.json) {
    std::cout << "{\"name\": " << json_str(t->reg ? reg_label(*t->reg) : std::string()) << ", \"offset\": " << t->offset
              << ", \"width\": " << bytes * 8 << ", \"written\": " << *value << "}\n";
  } else {
    std::cout << "wrote " << hexs(*value, bytes * 2) << " to " << t->label << " @ " << hexs(t->offset, 5) << "\n";
  }
  return kExitOk;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  CLI::App app{"shoalctl: inspect and poke a Shoal card (hardware or co-simulation)", "shoalctl"};
  app.footer(kHelpFooter);
  app.fallthrough();
  app.require_subcommand(1);
  app.add_option("-d,--device", o.device, "Device URI (default: $SHOAL_DEVICE)");
  app.add_flag("--json", o.json, "Print machine-readable JSON");

  int rc = kExitOk;
  auto* info = app.add_subcommand("info", "Identity, version, capabilities, resources and blocks (from the card's DTB)");
  info->callback([&] { rc = cmd_info(o); });

  auto* reg = app.add_subcommand("reg", "Register access");
  reg->require_subcommand(1);
  reg->fallthrough();
  auto* list = reg->add_subcommand("list", "List the registers of the register map");
  list->callback([&] { rc = cmd_reg_list(o); });
  auto* read = reg->add_subcommand("read", "Read a register: reg read OFFSET|BLOCK.NAME");
  read->add_option("target", o.target, "BAR0 offset or BLOCK.NAME")->required();
  read->add_flag("--64", o.wide, "64-bit access");
  read->callback([&] { rc = cmd_reg_read(o); });
  auto* write = reg->add_subcommand("write", "Write a register: reg write OFFSET|BLOCK.NAME VALUE");
  write->add_option("target", o.target, "BAR0 offset or BLOCK.NAME")->required();
  write->add_option("value", o.value, "Value (decimal or 0x hex)")->required();
  write->add_flag("--64", o.wide, "64-bit access");
  write->callback([&] { rc = cmd_reg_write(o); });

  auto* fwc = app.add_subcommand("fw", "Soft-core firmware");
  fwc->require_subcommand(1);
  fwc->fallthrough();
  auto* fw_load = fwc->add_subcommand(
      "load", "Download an RV32 ELF image into the soft core and start it (the image is checked "
              "completely first; a bad image leaves the core untouched, exit status 2)");
  fw_load->add_option("elf", o.elf, "ELF file")->required();
  fw_load->callback([&] { rc = cmd_fw_load(o); });
  auto* fw_status = fwc->add_subcommand("status", "Soft-core state: CTRL, STATUS, LOAD_COUNT, memories, firmware version, uptime, tasks, watchdog, last fault");
  fw_status->callback([&] { rc = cmd_fw_status(o); });

  auto* fabric = app.add_subcommand("fabric", "The inter-server fabric: slices, servers, request, release (shoal-fabricd)");
  shoal::fabric::add_fabric_commands(*fabric, o.json, rc);

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    (void)app.exit(e);  // prints the message
    return kExitUsage;
  }
  return rc;
}
