// libshoal: register access at BAR0 offsets and host interrupt events, forwarded to the
// transport.
#include "internal.hpp"

using namespace shoal::hostlib;
using shoal::Errc;

extern "C" {

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
    if (dev->hub.running()) {  // a queue handle's hub reads the interrupts: ask it
      const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
      if (dev->hub.take_all(deadline, vectors)) return ok();
      if (dev->hub.dead()) return set_error(Errc::closed, "the connection to the card was lost");
      return set_error(Errc::timeout, "no interrupt within " + std::to_string(timeout_ms) + " ms");
    }
    auto r = dev->transport->wait_for_interrupt(std::chrono::milliseconds(timeout_ms));
    if (!r) return set_error(r.error());
    *vectors = *r;
    return ok();
  });
}

}  // extern "C"
