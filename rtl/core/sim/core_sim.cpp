// Shoal soft core: C++ harness around the Verilated core complex. See core_sim.hpp.
#include "core_sim.hpp"

#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <iterator>

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-parameter"
#include "Vshoal_core_complex.h"
#include "Vshoal_core_complex___024root.h"
#include "verilated.h"
#pragma GCC diagnostic pop

namespace shoal::coresim {

namespace {
constexpr uint32_t kDramBase = 0x80100000u;

template <typename T>
bool get(const std::vector<uint8_t>& f, size_t off, T& v) {
  if (off + sizeof(T) > f.size()) return false;
  std::memcpy(&v, f.data() + off, sizeof(T));
  return true;
}
}  // namespace

std::string load_elf(const std::string& path, ElfImage& out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return "cannot open " + path;
  std::vector<uint8_t> f((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (f.size() < 52 || std::memcmp(f.data(), "\x7f" "ELF", 4) != 0) return path + ": not an ELF file";
  if (f[4] != 1 || f[5] != 1) return path + ": not a 32-bit little-endian ELF";
  uint16_t machine = 0, phnum = 0, phentsize = 0, shnum = 0, shentsize = 0;
  uint32_t entry = 0, phoff = 0, shoff = 0;
  get(f, 18, machine);
  get(f, 24, entry);
  get(f, 28, phoff);
  get(f, 32, shoff);
  get(f, 42, phentsize);
  get(f, 44, phnum);
  get(f, 46, shentsize);
  get(f, 48, shnum);
  if (machine != 243) return path + ": not a RISC-V ELF";
  out = ElfImage{};
  out.entry = entry;
  for (uint16_t i = 0; i < phnum; ++i) {
    size_t p = phoff + size_t(i) * phentsize;
    uint32_t type = 0, off = 0, paddr = 0, filesz = 0, memsz = 0;
    if (!get(f, p, type) || !get(f, p + 4, off) || !get(f, p + 12, paddr) ||
        !get(f, p + 16, filesz) || !get(f, p + 20, memsz))
      return path + ": truncated program header";
    if (type != 1 || memsz == 0) continue;  // PT_LOAD only
    if (size_t(off) + filesz > f.size()) return path + ": segment beyond end of file";
    ElfSegment s;
    s.addr = paddr;
    s.bytes.assign(f.begin() + off, f.begin() + off + filesz);
    s.bytes.resize(memsz, 0);
    out.segments.push_back(std::move(s));
  }
  // symbols
  for (uint16_t i = 0; i < shnum; ++i) {
    size_t sh = shoff + size_t(i) * shentsize;
    uint32_t type = 0, off = 0, size = 0, link = 0, entsize = 0;
    if (!get(f, sh + 4, type) || type != 2) continue;  // SHT_SYMTAB
    get(f, sh + 16, off);
    get(f, sh + 20, size);
    get(f, sh + 24, link);
    get(f, sh + 36, entsize);
    size_t strsh = shoff + size_t(link) * shentsize;
    uint32_t stroff = 0, strsize = 0;
    get(f, strsh + 16, stroff);
    get(f, strsh + 20, strsize);
    if (entsize == 0) entsize = 16;
    for (uint32_t k = 0; k + entsize <= size; k += entsize) {
      uint32_t name = 0, value = 0;
      get(f, off + k, name);
      get(f, off + k + 4, value);
      if (name == 0 || name >= strsize || stroff + name >= f.size()) continue;
      const char* s = reinterpret_cast<const char*>(f.data() + stroff + name);
      size_t maxlen = f.size() - (stroff + name);
      out.symbols[std::string(s, strnlen(s, maxlen))] = value;
    }
  }
  return "";
}

CoreSim::CoreSim() : top_(std::make_unique<Vshoal_core_complex>()) {
  top_->clk_i = 0;
  top_->rst_ni = 0;
  top_->core_reset_i = 1;
  top_->host_we_i = 0;
  top_->irq_src_i = 0;
  top_->reg_ack_i = 0;
  top_->eval();
  top_->rst_ni = 1;
  top_->eval();
}

CoreSim::~CoreSim() { top_->final(); }

void CoreSim::tick() {
  top_->clk_i = 1;
  top_->eval();
  // sample outputs after the edge, drive inputs for the next one
  if (top_->console_valid_o) {
    char c = static_cast<char>(top_->console_data_o);
    console_.push_back(c);
    if (echo_) std::fputc(c, stdout);
  }
  top_->reg_ack_i = 0;
  if (bus_wait_ > 0) {
    --bus_wait_;
  } else if (bus_wait_ == 0) {
    top_->reg_ack_i = 1;
    top_->reg_rdata_i = bus_rdata_;
    top_->reg_err_i = bus_err_;
    bus_wait_ = -1;
  }
  if (top_->reg_req_o) {
    ++bus_requests_;
    uint32_t a = top_->reg_addr_o;
    bus_err_ = (a == kBusErrOffset);
    bus_rdata_ = 0;
    if (top_->reg_we_o) {
      if (!bus_err_) {
        uint32_t old = bus_regs_[a], w = top_->reg_wdata_o, m = 0;
        for (int b = 0; b < 4; ++b)
          if (top_->reg_wstrb_o & (1u << b)) m |= 0xFFu << (8 * b);
        bus_regs_[a] = (old & ~m) | (w & m);
        if (a == kBusIrqOffset) top_->irq_src_i = bus_regs_[a];
      }
    } else if (!bus_err_) {
      auto it = bus_regs_.find(a);
      bus_rdata_ = it != bus_regs_.end() ? it->second : (a ^ 0xC0DE0000u);
    }
    bus_wait_ = 2;  // answer three cycles later
  }
  top_->clk_i = 0;
  top_->eval();
  ++cycles_;
}

void CoreSim::step() { tick(); }

std::string CoreSim::load(const ElfImage& img) {
  top_->core_reset_i = 1;
  tick();
  tick();
  for (const auto& s : img.segments) {
    for (size_t i = 0; i < s.bytes.size(); i += 4) {
      uint32_t w = 0;
      for (size_t b = 0; b < 4 && i + b < s.bytes.size(); ++b) w |= uint32_t(s.bytes[i + b]) << (8 * b);
      top_->host_we_i = 1;
      top_->host_addr_i = s.addr + uint32_t(i);
      top_->host_wdata_i = w;
      tick();
    }
  }
  top_->host_we_i = 0;
  auto it = img.symbols.find("tohost");
  have_tohost_ = it != img.symbols.end();
  tohost_addr_ = have_tohost_ ? it->second : 0;
  if (have_tohost_) {  // clear tohost (DRAM backdoor) in case the image did not
    uint32_t idx = (tohost_addr_ - kDramBase) / 4;
    auto& mem = top_->rootp->shoal_core_complex__DOT__u_dram__DOT__mem_q;
    if (idx < sizeof(mem) / sizeof(mem[0])) mem[idx] = 0;
  }
  tohost_ = 0;
  cycles_ = 0;
  console_.clear();
  top_->irq_src_i = 0;
  bus_regs_.clear();
  top_->core_reset_i = 0;
  tick();
  cycles_ = 0;
  return "";
}

uint32_t CoreSim::read_word(uint32_t addr) const {
  uint32_t idx = (addr - kDramBase) / 4;
  const auto& mem = top_->rootp->shoal_core_complex__DOT__u_dram__DOT__mem_q;
  if (idx >= sizeof(mem) / sizeof(mem[0])) return 0;
  return mem[idx];
}

RunResult CoreSim::run(uint64_t max_cycles) {
  while (cycles_ < max_cycles) {
    tick();
    if (have_tohost_) {
      uint32_t v = read_word(tohost_addr_);
      if (v != 0) {
        tohost_ = v;
        // let the pipeline drain a few cycles (stores behind it are not needed)
        return v == 1 ? RunResult::Pass : RunResult::Fail;
      }
    }
  }
  return RunResult::Timeout;
}

}  // namespace shoal::coresim
