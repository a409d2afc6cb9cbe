// libshoal: the card's soft core (the `core` block) — firmware download (the ELF is read and
// checked completely before the card is touched) and the core's state with the firmware's
// report and watchdog.
#include <cerrno>
#include <cstdio>

#include "internal.hpp"
#include "shoal/regs.h"

using namespace shoal::hostlib;
using shoal::Errc;
using shoal::driver::hex;

namespace {

struct FwSegment {
  std::uint32_t addr = 0;
  std::vector<std::uint32_t> words;  // memsz rounded up to whole words, zero-filled
};

struct CoreMem {
  std::uint32_t iram_base = 0, iram_bytes = 0, dram_base = 0, dram_bytes = 0;
};

shoal::Result<std::uint32_t> rd(shoal_dev& dev, std::uint32_t addr) { return dev.transport->read32(addr); }

shoal::Result<CoreMem> read_core_mem(shoal_dev& dev) {
  CoreMem m;
  const std::pair<std::uint32_t, std::uint32_t*> regs[] = {
      {SHOAL_CORE_IRAM_BASE_ADDR, &m.iram_base}, {SHOAL_CORE_IRAM_BYTES_ADDR, &m.iram_bytes},
      {SHOAL_CORE_DRAM_BASE_ADDR, &m.dram_base}, {SHOAL_CORE_DRAM_BYTES_ADDR, &m.dram_bytes}};
  for (const auto& [addr, dst] : regs) {
    auto v = rd(dev, addr);
    if (!v) return shoal::fail(std::move(v).error());
    *dst = *v;
  }
  return m;
}

std::uint32_t le16(const std::vector<std::uint8_t>& f, std::size_t at) {
  return std::uint32_t(f[at]) | (std::uint32_t(f[at + 1]) << 8);
}
std::uint32_t le32(const std::vector<std::uint8_t>& f, std::size_t at) {
  return le16(f, at) | (le16(f, at + 2) << 16);
}

bool inside(std::uint64_t addr, std::uint64_t bytes, std::uint64_t base, std::uint64_t size) {
  return addr >= base && addr + bytes <= base + size;
}

std::string hex32(std::uint32_t v) { return hex(v, 8); }

// Reads and checks the whole image; nothing touches the card here.
shoal::Result<std::vector<FwSegment>> parse_fw_elf(const std::string& path, const CoreMem& mem) {
  auto bad = [&](const std::string& why) {
    return shoal::fail(Errc::invalid_arg, path + ": " + why);
  };
  std::FILE* fp = std::fopen(path.c_str(), "rb");
  if (fp == nullptr) return shoal::fail(Errc::invalid_arg, "cannot open " + path + ": " + std::strerror(errno));
  std::vector<std::uint8_t> f;
  std::uint8_t buf[65536];
  for (;;) {
    const std::size_t n = std::fread(buf, 1, sizeof buf, fp);
    f.insert(f.end(), buf, buf + n);
    if (n < sizeof buf) break;
    if (f.size() > (std::size_t{64} << 20)) {
      std::fclose(fp);
      return bad("larger than 64 MiB: not a firmware image");
    }
  }
  const bool read_err = std::ferror(fp) != 0;
  std::fclose(fp);
  if (read_err) return shoal::fail(Errc::io, "cannot read " + path);

  if (f.size() < 4 || f[0] != 0x7f || f[1] != 'E' || f[2] != 'L' || f[3] != 'F')
    return bad("not an ELF file (no \\x7fELF magic)");
  if (f.size() < 52) return bad("truncated ELF header");
  if (f[4] != 1)
    return bad(std::string("not a 32-bit ELF (ELF class ") + (f[4] == 2 ? "64" : std::to_string(f[4])) +
               "); the soft core is RV32");
  if (f[5] != 1) return bad("not a little-endian ELF; the soft core is little-endian");
  if (f[6] != 1) return bad("unknown ELF version " + std::to_string(f[6]));
  const std::uint32_t type = le16(f, 16), machine = le16(f, 18), entry = le32(f, 24);
  const std::uint32_t phoff = le32(f, 28), phentsize = le16(f, 42), phnum = le16(f, 44);
  if (machine != 243) return bad("not a RISC-V ELF (e_machine " + std::to_string(machine) + ", expected 243 EM_RISCV)");
  if (type != 2) return bad("not an executable ELF (e_type " + std::to_string(type) + ", expected 2 ET_EXEC)");
  if (phnum == 0) return bad("no program headers");
  if (phentsize < 32) return bad("bad program header size " + std::to_string(phentsize));
  if (std::uint64_t(phoff) + std::uint64_t(phnum) * phentsize > f.size()) return bad("program headers beyond the end of the file");

  std::vector<FwSegment> segs;
  for (std::uint32_t i = 0; i < phnum; ++i) {
    const std::size_t ph = phoff + std::size_t(i) * phentsize;
    const std::uint32_t p_type = le32(f, ph), p_offset = le32(f, ph + 4), p_paddr = le32(f, ph + 12);
    const std::uint32_t p_filesz = le32(f, ph + 16), p_memsz = le32(f, ph + 20);
    if (p_type != 1 || p_memsz == 0) continue;  // PT_LOAD with contents only
    const std::string which = "segment " + std::to_string(i) + " (" + hex32(p_paddr) + ", " +
                              std::to_string(p_memsz) + " bytes)";
    if (p_filesz > p_memsz) return bad(which + ": filesz larger than memsz");
    if (std::uint64_t(p_offset) + p_filesz > f.size()) return bad(which + ": data beyond the end of the file");
    if (p_paddr % 4) return bad(which + ": not word aligned");
    const std::uint64_t words = (std::uint64_t(p_memsz) + 3) / 4;
    if (!inside(p_paddr, words * 4, mem.iram_base, mem.iram_bytes) &&
        !inside(p_paddr, words * 4, mem.dram_base, mem.dram_bytes)) {
      return bad(which + " does not fit the core's memories: IRAM " + hex32(mem.iram_base) + "+" +
                 std::to_string(mem.iram_bytes) + " bytes, DRAM " + hex32(mem.dram_base) + "+" +
                 std::to_string(mem.dram_bytes) + " bytes");
    }
    FwSegment s;
    s.addr = p_paddr;
    s.words.assign(static_cast<std::size_t>(words), 0);
    for (std::uint32_t b = 0; b < p_filesz; ++b)
      s.words[b / 4] |= std::uint32_t(f[p_offset + b]) << (8 * (b % 4));
    segs.push_back(std::move(s));
  }
  if (segs.empty()) return bad("no loadable (PT_LOAD) segment");
  if (entry != mem.iram_base)
    return bad("entry point " + hex32(entry) + " is not the core's boot address (IRAM_BASE " + hex32(mem.iram_base) + ")");
  return segs;
}

// Polls STATUS until running == want; bounded.
shoal::Status wait_running(shoal_dev& dev, bool want) {
  for (int i = 0; i < 1000; ++i) {
    auto st = rd(dev, SHOAL_CORE_STATUS_ADDR);
    if (!st) return shoal::fail(std::move(st).error());
    if (((*st & SHOAL_CORE_STATUS_RUNNING_MASK) != 0) == want) return {};
  }
  return shoal::fail(Errc::timeout, std::string("the core did not ") + (want ? "start" : "stop") +
                                        " (core.STATUS.running stays " + (want ? "0" : "1") + ")");
}

}  // namespace

extern "C" {

int shoal_fw_load(shoal_dev* dev, const char* elf_path, shoal_fw_progress_fn progress, void* ctx) {
  return guarded([&]() -> int {
    if (dev == nullptr || elf_path == nullptr) return set_error(Errc::invalid_arg, "shoal_fw_load: NULL argument");
    if (!has_block(*dev, "core")) return set_error(Errc::unsupported, "this card has no soft core (the DTB lists no present core block)");
    auto mem = read_core_mem(*dev);
    if (!mem) return set_error(mem.error());
    auto segs = parse_fw_elf(elf_path, *mem);
    if (!segs) return set_error(segs.error());
    std::uint64_t total = 0, done = 0;
    for (const auto& s : *segs) total += 4 * std::uint64_t(s.words.size());

    auto& t = *dev->transport;
    if (auto s = t.write32(SHOAL_CORE_CTRL_ADDR, SHOAL_CORE_CTRL_RESET_MASK); !s) return set_error(s.error());
    if (auto s = wait_running(*dev, false); !s) return set_error(s.error());
    auto count0 = rd(*dev, SHOAL_CORE_LOAD_COUNT_ADDR);
    if (!count0) return set_error(count0.error());
    if (progress) progress(ctx, 0, total);
    for (const auto& seg : *segs) {
      if (auto s = t.write32(SHOAL_CORE_LOAD_ADDR_ADDR, seg.addr); !s) return set_error(s.error());
      for (std::size_t w = 0; w < seg.words.size(); ++w) {
        if (auto s = t.write32(SHOAL_CORE_LOAD_DATA_ADDR, seg.words[w]); !s) {
          return set_error(s.error().code, "download refused at core address " + hex32(seg.addr + 4 * std::uint32_t(w)) +
                                               " (the core stays in reset): " + s.error().message);
        }
        done += 4;
        if (progress && (done % 1024) == 0) progress(ctx, done, total);
      }
    }
    auto count1 = rd(*dev, SHOAL_CORE_LOAD_COUNT_ADDR);
    if (!count1) return set_error(count1.error());
    const std::uint32_t want = static_cast<std::uint32_t>(*count0 + total / 4);
    if (*count1 != want) {
      return set_error(Errc::bus, "core.LOAD_COUNT is " + std::to_string(*count1) + " after the download, expected " +
                                      std::to_string(want) + " (the core stays in reset)");
    }
    if (progress) progress(ctx, total, total);
    if (auto s = t.write32(SHOAL_CORE_CTRL_ADDR, 0); !s) return set_error(s.error());
    if (auto s = wait_running(*dev, true); !s) return set_error(s.error());
    return ok();
  });
}

const char* shoal_fw_fault_name(uint32_t cause) {
  // the causes of rtl/regmap/core.toml FW_FAULT.cause (firmware/rtos port::Fault)
  static const char* const names[] = {"none", "stack overflow", "bad stack pointer", "assert",
                                      "fatal trap", "api misuse", "task returned"};
  return cause < sizeof names / sizeof names[0] ? names[cause] : "unknown";
}

int shoal_fw_status(shoal_dev* dev, struct shoal_fw_state* st) {
  return guarded([&]() -> int {
    if (dev == nullptr) return set_error(Errc::invalid_arg, "shoal_fw_status: NULL device");
    if (!has_block(*dev, "core")) return set_error(Errc::unsupported, "this card has no soft core (the DTB lists no present core block)");
    shoal_fw_state full{};
    full.struct_size = sizeof full;
    const std::pair<std::uint32_t, std::uint32_t*> regs[] = {
        {SHOAL_CORE_ID_ADDR, &full.core_id}, {SHOAL_CORE_CTRL_ADDR, &full.ctrl},
        {SHOAL_CORE_STATUS_ADDR, &full.status}, {SHOAL_CORE_LOAD_COUNT_ADDR, &full.load_count},
        {SHOAL_CORE_IRAM_BASE_ADDR, &full.iram_base}, {SHOAL_CORE_IRAM_BYTES_ADDR, &full.iram_bytes},
        {SHOAL_CORE_DRAM_BASE_ADDR, &full.dram_base}, {SHOAL_CORE_DRAM_BYTES_ADDR, &full.dram_bytes}};
    for (const auto& [addr, dst] : regs) {
      auto v = rd(*dev, addr);
      if (!v) return set_error(v.error());
      *dst = *v;
    }
    const std::pair<std::uint32_t, std::uint32_t*> fwregs[] = {
        {SHOAL_CORE_FW_VERSION_ADDR, &full.fw_version}, {SHOAL_CORE_FW_UPTIME_ADDR, &full.fw_uptime},
        {SHOAL_CORE_FW_TASKS_ADDR, &full.fw_tasks}, {SHOAL_CORE_FW_FAULT_ADDR, &full.fw_fault},
        {SHOAL_CORE_FW_FAULT_DATA_ADDR, &full.fault_data}, {SHOAL_CORE_WDOG_CTRL_ADDR, &full.wdog_ctrl},
        {SHOAL_CORE_WDOG_TIMEOUT_ADDR, &full.wdog_timeout}, {SHOAL_CORE_WDOG_COUNT_ADDR, &full.wdog_count},
        {SHOAL_CORE_WDOG_STATUS_ADDR, &full.wdog_status}};
    for (const auto& [addr, dst] : fwregs) {
      auto v = rd(*dev, addr);
      if (!v) return set_error(v.error());
      *dst = *v;
    }
    for (std::uint32_t k = 0; k < SHOAL_CORE_FW_FAULT_NAME_COUNT; ++k) {
      auto v = rd(*dev, SHOAL_CORE_FW_FAULT_NAME_ADDR_N(k));
      if (!v) return set_error(v.error());
      for (int b = 0; b < 4; ++b) full.fault_task_name[k * 4 + b] = static_cast<char>((*v >> (8 * b)) & 0xFF);
    }
    full.fault_task_name[sizeof full.fault_task_name - 1] = 0;
    auto field = [](std::uint32_t v, std::uint32_t mask, unsigned lsb) { return (v & mask) >> lsb; };
    full.task_count = field(full.fw_tasks, SHOAL_CORE_FW_TASKS_COUNT_MASK, SHOAL_CORE_FW_TASKS_COUNT_LSB);
    full.sched_running = (full.fw_tasks & SHOAL_CORE_FW_TASKS_RUNNING_MASK) ? 1 : 0;
    full.fault_valid = (full.fw_fault & SHOAL_CORE_FW_FAULT_VALID_MASK) ? 1 : 0;
    full.fault_cause = field(full.fw_fault, SHOAL_CORE_FW_FAULT_CAUSE_MASK, SHOAL_CORE_FW_FAULT_CAUSE_LSB);
    full.fault_task = field(full.fw_fault, SHOAL_CORE_FW_FAULT_TASK_MASK, SHOAL_CORE_FW_FAULT_TASK_LSB);
    full.fault_count = field(full.fw_fault, SHOAL_CORE_FW_FAULT_COUNT_MASK, SHOAL_CORE_FW_FAULT_COUNT_LSB);
    full.wdog_enabled = (full.wdog_ctrl & SHOAL_CORE_WDOG_CTRL_ENABLE_MASK) ? 1 : 0;
    full.wdog_halt = (full.wdog_ctrl & SHOAL_CORE_WDOG_CTRL_HALT_MASK) ? 1 : 0;
    full.wdog_expired = (full.wdog_status & SHOAL_CORE_WDOG_STATUS_EXPIRED_MASK) ? 1 : 0;
    full.wdog_kicks = field(full.wdog_status, SHOAL_CORE_WDOG_STATUS_KICKS_MASK, SHOAL_CORE_WDOG_STATUS_KICKS_LSB);
    full.in_reset = (full.ctrl & SHOAL_CORE_CTRL_RESET_MASK) ? 1 : 0;
    full.running = (full.status & SHOAL_CORE_STATUS_RUNNING_MASK) ? 1 : 0;
    full.sleeping = (full.status & SHOAL_CORE_STATUS_SLEEPING_MASK) ? 1 : 0;
    return fill_versioned(st, full, kFwStateV1, "shoal_fw_state");
  });
}

}  // extern "C"
