// libshoal: what the card says about itself — identity registers and the description parsed
// from its DTB (parameters, resource types, BAR0 blocks), and the raw DTB.
#include "internal.hpp"

using namespace shoal::hostlib;
using shoal::Errc;

namespace {

std::uint32_t block_bit(const std::string& name) {
  if (name == "ctrl") return SHOAL_BLOCK_CTRL;
  if (name == "dtb") return SHOAL_BLOCK_DTB;
  if (name == "core") return SHOAL_BLOCK_CORE;
  if (name == "drrm") return SHOAL_BLOCK_DRRM;
  if (name == "wmu") return SHOAL_BLOCK_WMU;
  if (name == "alloc") return SHOAL_BLOCK_ALLOC;
  return 0;
}

}  // namespace

extern "C" {

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

int shoal_get_dtb(shoal_dev* dev, void* buf, size_t* size) {
  return guarded([&]() -> int {
    if (dev == nullptr || size == nullptr) return set_error(Errc::invalid_arg, "shoal_get_dtb: NULL argument");
    if (buf != nullptr) std::memcpy(buf, dev->dtb.data(), std::min(*size, dev->dtb.size()));
    *size = dev->dtb.size();
    return ok();
  });
}

}  // extern "C"

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
