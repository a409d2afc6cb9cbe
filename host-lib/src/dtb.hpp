// Parsing and validation of the card's device tree blob with libfdt (internal to libshoal).
#ifndef SHOAL_HOSTLIB_DTB_HPP
#define SHOAL_HOSTLIB_DTB_HPP

#include <cstdint>
#include <string>
#include <vector>

#include "shoal/result.hpp"

namespace shoal::hostlib {

struct DtbResource {
  std::uint32_t index = 0;
  std::uint32_t units = 0;
  std::string name;
  std::string description;
};

struct DtbSlice {
  std::uint32_t index = 0;
  std::uint32_t version = 0;
  std::uint32_t units = 0;
  std::uint32_t resource = 0xffffffffu;  // none
  bool lendable = false;
  std::uint64_t partitions = 0;
  std::string name;
  std::string capability;
  std::string description;
};

struct DtbBlock {
  std::string name;
  std::string compatible;
  std::uint64_t base = 0, size = 0;
  std::uint32_t block_id = 0, block_version = 0;
  bool present = false;
};

// The command queues and the audit log (present when the card has the queue block).
struct QueueGeometry {
  std::uint32_t num_queues = 0;       // admin + one per partition (0: no command queues)
  std::uint32_t depth = 0;            // entries per ring
  std::uint32_t entry_words = 0;      // words per entry
  std::uint32_t irq_base = 0;         // host vector of queue 0
  std::uint32_t audit_depth = 0;      // audit ring records (0: no audit log)
  std::uint32_t audit_words = 0;
  std::uint32_t audit_irq = 0;
};

struct CardDescription {
  std::uint32_t version[3] = {0, 0, 0};
  std::uint64_t bar0_size = 0;
  std::uint64_t clock_hz = 0;
  std::uint32_t num_processors = 0, num_partitions = 0, num_irq_vectors = 0, num_host_irqs = 0;
  std::string model;
  std::vector<DtbResource> resources;  // sorted by index, indexes 0..n-1
  std::vector<DtbBlock> blocks;        // in DTB order
  std::vector<DtbSlice> slices;        // sorted by index, indexes 0..n-1 (none: no /slices)
  QueueGeometry queues;
};

// The FDT header is 40 bytes; its totalsize field tells how much more to read.
inline constexpr std::size_t kFdtHeaderSize = 40;

// Checks the header bytes (magic, version, totalsize within `window`). Returns totalsize.
Result<std::uint32_t> dtb_check_header(const std::vector<std::uint8_t>& header, std::uint64_t window);

// Validates the whole blob (fdt_check_header + fdt_check_full) and parses the card description.
Result<CardDescription> dtb_parse(const std::vector<std::uint8_t>& blob);

}  // namespace shoal::hostlib

#endif
