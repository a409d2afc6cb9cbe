// libshoal: the C ABI over driver/'s transport. Opening a card checks its identity registers
// and reads, validates (libfdt) and parses the DTB it serves; everything after that is
// answered from the parsed description or forwarded to the transport.
#include "shoal/shoal.h"

#include <algorithm>
#include <cerrno>
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <new>
#include <string>
#include <vector>

#include "dtb.hpp"
#include "shoal/driver/transport.hpp"
#include "shoal/regs.h"
#include "shoal/regs.hpp"

static_assert(static_cast<int>(shoal::Errc::ok) == SHOAL_OK);
static_assert(static_cast<int>(shoal::Errc::invalid_arg) == SHOAL_ERR_INVALID_ARG);
static_assert(static_cast<int>(shoal::Errc::no_device) == SHOAL_ERR_NO_DEVICE);
static_assert(static_cast<int>(shoal::Errc::io) == SHOAL_ERR_IO);
static_assert(static_cast<int>(shoal::Errc::bus) == SHOAL_ERR_BUS);
static_assert(static_cast<int>(shoal::Errc::protocol) == SHOAL_ERR_PROTOCOL);
static_assert(static_cast<int>(shoal::Errc::timeout) == SHOAL_ERR_TIMEOUT);
static_assert(static_cast<int>(shoal::Errc::bad_dtb) == SHOAL_ERR_BAD_DTB);
static_assert(static_cast<int>(shoal::Errc::unsupported) == SHOAL_ERR_UNSUPPORTED);
static_assert(static_cast<int>(shoal::Errc::permission) == SHOAL_ERR_PERMISSION);
static_assert(static_cast<int>(shoal::Errc::closed) == SHOAL_ERR_CLOSED);
static_assert(static_cast<int>(shoal::Errc::no_memory) == SHOAL_ERR_NO_MEMORY);
static_assert(static_cast<int>(shoal::Errc::internal) == SHOAL_ERR_INTERNAL);

struct shoal_dev {
  std::unique_ptr<shoal::driver::Transport> transport;
  shoal::hostlib::CardDescription card;
  std::vector<std::uint8_t> dtb;
  std::uint32_t magic = 0, ctrl_id = 0, version_reg = 0, cap = 0;
};

namespace {

using shoal::Errc;
using shoal::Error;
using shoal::driver::hex;

// Sizes of the first published version of each struct (new members are appended after these).
constexpr std::size_t kInfoV1 = SHOAL_INFO_SIZE_V1;
constexpr std::size_t kResourceV1 = sizeof(shoal_resource);
constexpr std::size_t kBlockV1 = sizeof(shoal_block);
constexpr std::size_t kSliceV1 = SHOAL_SLICE_SIZE_V1;
static_assert(offsetof(shoal_info, num_slices) == SHOAL_INFO_SIZE_V1, "shoal_info: appended members only");
static_assert(sizeof(shoal_slice) >= SHOAL_SLICE_SIZE_V1 && offsetof(shoal_slice, description) + SHOAL_TEXT_MAX ==
              SHOAL_SLICE_SIZE_V1, "shoal_slice: the first published layout");

thread_local std::string t_last_error;

int ok() {
  t_last_error.clear();
  return SHOAL_OK;
}

int set_error(const Error& e) {
  t_last_error = e.message;
  return static_cast<int>(e.code);
}
int set_error(Errc code, std::string msg) { return set_error(Error{code, std::move(msg)}); }

void copy_str(char* dst, std::size_t cap, const std::string& s) {
  const std::size_t n = std::min(cap - 1, s.size());
  std::memcpy(dst, s.data(), n);
  dst[n] = '\0';
}

// Copies a fully built struct into the caller's, honouring its struct_size.
template <class T>
int fill_versioned(T* user, const T& full, std::size_t v1_size, const char* what) {
  if (user == nullptr) return set_error(Errc::invalid_arg, std::string(what) + " pointer is NULL");
  const std::uint32_t size = user->struct_size;
  if (size < v1_size) {
    return set_error(Errc::invalid_arg, std::string(what) + ".struct_size is " + std::to_string(size) +
                                            "; set it to sizeof(struct " + what + ") (at least " +
                                            std::to_string(v1_size) + ")");
  }
  std::memcpy(static_cast<void*>(user), &full, std::min<std::size_t>(size, sizeof(T)));
  user->struct_size = size;
  return ok();
}

// Runs fn, converting any C++ exception (e.g. std::bad_alloc) into an error code: nothing may
// unwind through the C ABI.
template <class F>
int guarded(F&& fn) noexcept {
  try {
    return fn();
  } catch (const std::bad_alloc&) {
    return set_error(Errc::no_memory, "out of memory");
  } catch (const std::exception& e) {
    return set_error(Errc::internal, std::string("internal error: ") + e.what());
  } catch (...) {
    return set_error(Errc::internal, "internal error: unknown exception");
  }
}

std::uint32_t block_bit(const std::string& name) {
  if (name == "ctrl") return SHOAL_BLOCK_CTRL;
  if (name == "dtb") return SHOAL_BLOCK_DTB;
  if (name == "core") return SHOAL_BLOCK_CORE;
  if (name == "drrm") return SHOAL_BLOCK_DRRM;
  if (name == "wmu") return SHOAL_BLOCK_WMU;
  if (name == "alloc") return SHOAL_BLOCK_ALLOC;
  return 0;
}

// Identity check and DTB read, validation and parse.
shoal::Status probe(shoal_dev& dev) {
  auto& t = *dev.transport;
  auto magic = t.read32(SHOAL_CTRL_MAGIC_ADDR);
  if (!magic) return shoal::fail(std::move(magic).error());
  if (*magic != SHOAL_CTRL_MAGIC_RESET) {
    return shoal::fail(Errc::no_device, t.describe() + " is not a Shoal card: MAGIC at " + hex(SHOAL_CTRL_MAGIC_ADDR) +
                                            " reads " + hex(*magic, 8) + ", expected " + hex(SHOAL_CTRL_MAGIC_RESET, 8));
  }
  auto id = t.read32(SHOAL_CTRL_ID_ADDR);
  if (!id) return shoal::fail(std::move(id).error());
  const std::uint32_t block = (*id & SHOAL_CTRL_ID_BLOCK_MASK) >> SHOAL_CTRL_ID_BLOCK_LSB;
  if (block != SHOAL_CTRL_BLOCK_ID) {
    return shoal::fail(Errc::no_device, t.describe() + ": ctrl ID register reads " + hex(*id, 8) + ", block ID " +
                                            hex(block, 4) + " is not the ctrl block's " + hex(SHOAL_CTRL_BLOCK_ID, 4));
  }
  auto version = t.read32(SHOAL_CTRL_VERSION_ADDR);
  if (!version) return shoal::fail(std::move(version).error());
  auto cap = t.read32(SHOAL_CTRL_CAP_ADDR);
  if (!cap) return shoal::fail(std::move(cap).error());
  dev.magic = *magic;
  dev.ctrl_id = *id;
  dev.version_reg = *version;
  dev.cap = *cap;
  if ((*cap & SHOAL_CTRL_CAP_DTB_MASK) == 0) {
    return shoal::fail(Errc::bad_dtb, t.describe() + ": CAP register " + hex(*cap, 8) + " says the card has no DTB window");
  }

  // The DTB window is a byte image: BAR0 byte DTB_BASE + k holds byte k of the blob, so the
  // little-endian 32-bit word at DTB_BASE + 4i holds blob bytes 4i..4i+3.
  auto read_bytes = [&](std::size_t from, std::size_t to) -> shoal::Status {
    for (std::size_t off = from; off < to; off += 4) {
      auto w = t.read32(SHOAL_WIN_DTB_BASE + off);
      if (!w) {
        auto e = std::move(w).error();
        e.message = "reading the DTB window: " + e.message;
        return shoal::fail(std::move(e));
      }
      for (unsigned b = 0; b < 4 && off + b < dev.dtb.size(); ++b) dev.dtb[off + b] = static_cast<std::uint8_t>(*w >> (8 * b));
    }
    return {};
  };
  dev.dtb.assign(shoal::hostlib::kFdtHeaderSize, 0);
  if (auto s = read_bytes(0, dev.dtb.size()); !s) return s;
  auto total = shoal::hostlib::dtb_check_header(dev.dtb, SHOAL_WIN_DTB_SIZE);
  if (!total) return shoal::fail(std::move(total).error());
  dev.dtb.resize(*total);
  if (auto s = read_bytes(shoal::hostlib::kFdtHeaderSize, dev.dtb.size()); !s) return s;
  auto card = shoal::hostlib::dtb_parse(dev.dtb);
  if (!card) return shoal::fail(std::move(card).error());

  // The DTB must describe this card.
  const std::uint32_t reg_ver[3] = {(*version & SHOAL_CTRL_VERSION_MAJOR_MASK) >> SHOAL_CTRL_VERSION_MAJOR_LSB,
                                    (*version & SHOAL_CTRL_VERSION_MINOR_MASK) >> SHOAL_CTRL_VERSION_MINOR_LSB,
                                    (*version & SHOAL_CTRL_VERSION_PATCH_MASK) >> SHOAL_CTRL_VERSION_PATCH_LSB};
  if (!std::equal(reg_ver, reg_ver + 3, card->version)) {
    auto v = [](const std::uint32_t* x) {
      return std::to_string(x[0]) + "." + std::to_string(x[1]) + "." + std::to_string(x[2]);
    };
    return shoal::fail(Errc::bad_dtb, "card DTB: shoal,card-version " + v(card->version) +
                                          " disagrees with the VERSION register (" + v(reg_ver) + ")");
  }
  if (card->bar0_size > t.bar_size()) {
    return shoal::fail(Errc::bad_dtb, "card DTB: shoal,bar0-size " + hex(card->bar0_size) +
                                          " is larger than the BAR0 the transport offers (" + hex(t.bar_size()) + ")");
  }
  dev.card = std::move(*card);
  return {};
}

}  // namespace

extern "C" {

const char* shoal_strerror(int err) {
  if (err < 0 || err > static_cast<int>(Errc::internal)) return "unknown error code";
  return shoal::errc_name(static_cast<Errc>(err));
}

const char* shoal_last_error(void) { return t_last_error.c_str(); }

const char* shoal_version(void) { return SHOAL_LIB_VERSION; }

int shoal_open(const char* uri, shoal_dev** out) {
  return guarded([&]() -> int {
    if (out == nullptr) return set_error(Errc::invalid_arg, "shoal_open: out pointer is NULL");
    *out = nullptr;
    std::string u = uri != nullptr ? uri : "";
    if (u.empty()) {
      const char* env = std::getenv("SHOAL_DEVICE");
      if (env == nullptr || *env == '\0') {
        return set_error(Errc::invalid_arg, "no device URI given and SHOAL_DEVICE is not set");
      }
      u = env;
    }
    auto t = shoal::driver::open_transport(u);
    if (!t) return set_error(t.error());
    auto dev = std::make_unique<shoal_dev>();
    dev->transport = std::move(*t);
    if (auto s = probe(*dev); !s) return set_error(s.error());
    *out = dev.release();
    return ok();
  });
}

void shoal_close(shoal_dev* dev) {
  std::unique_ptr<shoal_dev> owned(dev);  // takes the handle back from the C caller
  if (owned && owned->transport) owned->transport->close();
}

int shoal_reg_read32(shoal_dev* dev, uint64_t offset, uint32_t* value) {
  return guarded([&]() -> int {
    if (dev == nullptr || value == nullptr) return set_error(Errc::invalid_arg, "shoal_reg_read32: NULL argument");
    auto r = dev->transport->read32(offset);
    if (!r) return set_error(r.error());
    *value = *r;
    return ok();
  });
}

int shoal_reg_read64(shoal_dev* dev, uint64_t offset, uint64_t* value) {
  return guarded([&]() -> int {
    if (dev == nullptr || value == nullptr) return set_error(Errc::invalid_arg, "shoal_reg_read64: NULL argument");
    auto r = dev->transport->read64(offset);
    if (!r) return set_error(r.error());
    *value = *r;
    return ok();
  });
}

int shoal_reg_write32(shoal_dev* dev, uint64_t offset, uint32_t value) {
  return guarded([&]() -> int {
    if (dev == nullptr) return set_error(Errc::invalid_arg, "shoal_reg_write32: NULL device");
    auto s = dev->transport->write32(offset, value);
    return s ? ok() : set_error(s.error());
  });
}

int shoal_reg_write64(shoal_dev* dev, uint64_t offset, uint64_t value) {
  return guarded([&]() -> int {
    if (dev == nullptr) return set_error(Errc::invalid_arg, "shoal_reg_write64: NULL device");
    auto s = dev->transport->write64(offset, value);
    return s ? ok() : set_error(s.error());
  });
}

int shoal_wait_event(shoal_dev* dev, uint32_t timeout_ms, uint32_t* vectors) {
  return guarded([&]() -> int {
    if (dev == nullptr || vectors == nullptr) return set_error(Errc::invalid_arg, "shoal_wait_event: NULL argument");
    *vectors = 0;
    auto r = dev->transport->wait_for_interrupt(std::chrono::milliseconds(timeout_ms));
    if (!r) return set_error(r.error());
    *vectors = *r;
    return ok();
  });
}

int shoal_get_info(shoal_dev* dev, struct shoal_info* info) {
  return guarded([&]() -> int {
    if (dev == nullptr) return set_error(Errc::invalid_arg, "shoal_get_info: NULL device");
    shoal_info full{};
    full.struct_size = sizeof full;
    full.magic = dev->magic;
    full.ctrl_id = dev->ctrl_id;
    full.version_reg = dev->version_reg;
    full.cap = dev->cap;
    const auto& c = dev->card;
    full.card_version_major = c.version[0];
    full.card_version_minor = c.version[1];
    full.card_version_patch = c.version[2];
    full.bar0_size = c.bar0_size;
    full.clock_hz = c.clock_hz;
    full.num_processors = c.num_processors;
    full.num_partitions = c.num_partitions;
    full.num_irq_vectors = c.num_irq_vectors;
    full.num_host_irqs = c.num_host_irqs;
    full.num_resource_types = static_cast<std::uint32_t>(c.resources.size());
    full.num_blocks = static_cast<std::uint32_t>(c.blocks.size());
    full.num_slices = static_cast<std::uint32_t>(c.slices.size());
    for (const auto& b : c.blocks) {
      if (b.present) full.blocks_present |= block_bit(b.name);
    }
    full.dtb_size = static_cast<std::uint32_t>(dev->dtb.size());
    copy_str(full.model, sizeof full.model, c.model);
    copy_str(full.transport, sizeof full.transport, dev->transport->describe());
    return fill_versioned(info, full, kInfoV1, "shoal_info");
  });
}

int shoal_get_resource(shoal_dev* dev, uint32_t index, struct shoal_resource* res) {
  return guarded([&]() -> int {
    if (dev == nullptr) return set_error(Errc::invalid_arg, "shoal_get_resource: NULL device");
    const auto& rs = dev->card.resources;
    if (index >= rs.size()) {
      return set_error(Errc::invalid_arg, "resource index " + std::to_string(index) + " out of range (the card has " +
                                              std::to_string(rs.size()) + " resource types)");
    }
    shoal_resource full{};
    full.struct_size = sizeof full;
    full.index = rs[index].index;
    full.units = rs[index].units;
    copy_str(full.name, sizeof full.name, rs[index].name);
    copy_str(full.description, sizeof full.description, rs[index].description);
    return fill_versioned(res, full, kResourceV1, "shoal_resource");
  });
}

int shoal_get_block(shoal_dev* dev, uint32_t index, struct shoal_block* blk) {
  return guarded([&]() -> int {
    if (dev == nullptr) return set_error(Errc::invalid_arg, "shoal_get_block: NULL device");
    const auto& bs = dev->card.blocks;
    if (index >= bs.size()) {
      return set_error(Errc::invalid_arg, "block index " + std::to_string(index) + " out of range (the card lists " +
                                              std::to_string(bs.size()) + " blocks)");
    }
    const auto& b = bs[index];
    shoal_block full{};
    full.struct_size = sizeof full;
    full.present = b.present ? 1 : 0;
    full.base = b.base;
    full.size = b.size;
    full.block_id = b.block_id;
    full.block_version = b.block_version;
    copy_str(full.name, sizeof full.name, b.name);
    copy_str(full.compatible, sizeof full.compatible, b.compatible);
    return fill_versioned(blk, full, kBlockV1, "shoal_block");
  });
}

int shoal_get_slice(shoal_dev* dev, uint32_t index, struct shoal_slice* slice) {
  return guarded([&]() -> int {
    if (dev == nullptr) return set_error(Errc::invalid_arg, "shoal_get_slice: NULL device");
    const auto& ss = dev->card.slices;
    if (index >= ss.size()) {
      return set_error(Errc::invalid_arg, "slice index " + std::to_string(index) + " out of range (the card describes " +
                                              std::to_string(ss.size()) + " slices)");
    }
    const auto& s = ss[index];
    shoal_slice full{};
    full.struct_size = sizeof full;
    full.index = s.index;
    full.capability_version = s.version;
    full.units = s.units;
    full.resource_index = s.resource;
    full.lendable = s.lendable ? 1 : 0;
    full.partitions = s.partitions;
    copy_str(full.name, sizeof full.name, s.name);
    copy_str(full.capability, sizeof full.capability, s.capability);
    copy_str(full.description, sizeof full.description, s.description);
    return fill_versioned(slice, full, kSliceV1, "shoal_slice");
  });
}

int shoal_get_dtb(shoal_dev* dev, void* buf, size_t* size) {
  return guarded([&]() -> int {
    if (dev == nullptr || size == nullptr) return set_error(Errc::invalid_arg, "shoal_get_dtb: NULL argument");
    if (buf != nullptr) std::memcpy(buf, dev->dtb.data(), std::min(*size, dev->dtb.size()));
    *size = dev->dtb.size();
    return ok();
  });
}

}  // extern "C"

// ---- soft-core firmware download ------------------------------------------------------------
namespace {

struct FwSegment {
  std::uint32_t addr = 0;
  std::vector<std::uint32_t> words;  // memsz rounded up to whole words, zero-filled
};

struct CoreMem {
  std::uint32_t iram_base = 0, iram_bytes = 0, dram_base = 0, dram_bytes = 0;
};

bool has_core(const shoal_dev& dev) {
  for (const auto& b : dev.card.blocks) {
    if (b.name == "core" && b.present) return true;
  }
  return false;
}

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
    if (!has_core(*dev)) return set_error(Errc::unsupported, "this card has no soft core (the DTB lists no present core block)");
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
    if (!has_core(*dev)) return set_error(Errc::unsupported, "this card has no soft core (the DTB lists no present core block)");
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
    // v1 ended at core_id; the firmware report and watchdog fields were appended
    return fill_versioned(st, full, offsetof(shoal_fw_state, fw_version), "shoal_fw_state");
  });
}

}  // extern "C"
