// libshoal: the cards present (PCI devices with the Shoal ID, shoal-sim sockets in the runtime
// directory), listed without opening any.
#include "internal.hpp"

using namespace shoal::hostlib;
using shoal::Errc;

extern "C" {

int shoal_list_devices(struct shoal_device_entry* entries, size_t capacity, size_t* count) {
  return guarded([&]() -> int {
    if (count == nullptr) return set_error(Errc::invalid_arg, "shoal_list_devices: count pointer is NULL");
    if (entries == nullptr && capacity != 0)
      return set_error(Errc::invalid_arg, "shoal_list_devices: entries is NULL but capacity is " + std::to_string(capacity));
    const std::size_t stride = capacity != 0 ? entries[0].struct_size : 0;
    if (capacity != 0 && stride < kDeviceEntryV1) {
      return set_error(Errc::invalid_arg, "shoal_device_entry.struct_size is " + std::to_string(stride) +
                                              "; set it to sizeof(struct shoal_device_entry) (at least " +
                                              std::to_string(kDeviceEntryV1) + ") in every entry");
    }
    auto found = shoal::driver::list_devices();
    if (!found) return set_error(found.error());
    *count = found->size();
    auto* base = reinterpret_cast<unsigned char*>(entries);
    for (std::size_t i = 0; i < capacity && i < found->size(); ++i) {
      auto* user = reinterpret_cast<shoal_device_entry*>(base + i * stride);
      if (user->struct_size != stride) {
        return set_error(Errc::invalid_arg, "shoal_device_entry[" + std::to_string(i) + "].struct_size is " +
                                                std::to_string(user->struct_size) + ", entry 0 says " +
                                                std::to_string(stride) + ": set it in every entry");
      }
      const auto& e = (*found)[i];
      shoal_device_entry full{};
      full.struct_size = sizeof full;
      full.kind = e.kind == shoal::driver::DeviceEntry::Kind::pci ? SHOAL_DEVICE_PCI : SHOAL_DEVICE_SIM;
      full.pci_vendor = e.vendor;
      full.pci_device = e.device;
      copy_str(full.uri, sizeof full.uri, e.uri);
      if (int rc = fill_versioned(user, full, kDeviceEntryV1, "shoal_device_entry"); rc != SHOAL_OK) return rc;
    }
    return ok();
  });
}

}  // extern "C"
