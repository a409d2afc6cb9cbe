// libshoal: opening a card. shoal_open() opens the transport, checks the card's identity
// registers and reads, validates (libfdt) and parses the DTB it serves; everything after that
// is answered from the parsed description (info.cpp) or forwarded to the transport.
#include <cstdlib>

#include "internal.hpp"
#include "shoal/regs.h"

using namespace shoal::hostlib;
using shoal::Errc;
using shoal::driver::hex;

namespace {

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

}  // extern "C"
