// shoal::driver — the BAR transport: the one small interface between host-lib and a Shoal card,
// whether the card is a PCIe board (pci: backend) or the Verilated model in shoal-sim (sim:
// backend). See driver/README.md for the URI forms and the error model.
//
// Every operation returns shoal::Result / shoal::Status; nothing here throws for an expected
// failure. A Transport is safe to use from several threads (each backend serialises its own
// accesses).
#ifndef SHOAL_DRIVER_TRANSPORT_HPP
#define SHOAL_DRIVER_TRANSPORT_HPP

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "shoal/result.hpp"

namespace shoal::driver {

class Transport {
 public:
  virtual ~Transport() = default;
  Transport() = default;
  Transport(const Transport&) = delete;
  Transport& operator=(const Transport&) = delete;

  // MMIO at a BAR0 byte offset. 32-bit accesses must be 4-byte aligned, 64-bit accesses
  // 8-byte aligned, and the access must lie inside bar_size(); otherwise Errc::invalid_arg and
  // nothing reaches the card. A refused access (sim: the card answered SLVERR/DECERR) is
  // Errc::bus. A 64-bit access is one transaction on the 32-bit registers at offset and
  // offset + 4: refused as a whole (Errc::bus) unless the card takes both halves, and then
  // nothing changed (shoal/bar_access.hpp says exactly which accesses qualify).
  virtual Result<std::uint32_t> read32(std::uint64_t offset) = 0;
  virtual Result<std::uint64_t> read64(std::uint64_t offset) = 0;
  virtual Status write32(std::uint64_t offset, std::uint32_t value) = 0;
  virtual Status write64(std::uint64_t offset, std::uint64_t value) = 0;

  // Waits up to `timeout` for host interrupt vectors from the card. Returns the mask of vectors
  // that fired since the last call (bit i = vector i); Errc::timeout if none fired in time.
  // A timeout of zero polls. The pci: backend returns Errc::unsupported (needs vfio-pci).
  virtual Result<std::uint32_t> wait_for_interrupt(std::chrono::milliseconds timeout) = 0;

  // Releases the device. Further calls return Errc::closed. Idempotent; the destructor closes.
  virtual void close() = 0;

  // Human-readable description, e.g. "pci:0000:03:00.0 (1d0f:5348, /sys/.../resource0)".
  virtual std::string describe() const = 0;

  // Size of the BAR0 window this transport gives access to, in bytes.
  virtual std::uint64_t bar_size() const = 0;
};

struct TransportOptions {
  // sysfs root for the pci: backend; empty = $SHOAL_SYSFS_ROOT, else "/sys".
  std::string sysfs_root;
  // Per-request timeout for the sim: backend (connect, HELLO, each READ/WRITE);
  // zero = $SHOAL_SIM_TIMEOUT_MS, else 5000 ms.
  std::chrono::milliseconds sim_timeout{0};
  // Minimum BAR0 size the device must offer; zero = the card's BAR0 size from the register map.
  std::uint64_t min_bar_size = 0;
};

// Opens a transport from a device URI:
//   sim:/path/to/socket          a shoal-sim server listening on that UNIX socket
//   pci:DDDD:BB:DD.F  (or pci:BB:DD.F, domain 0000)   a PCI device by address
//   pci:VVVV:DDDD[#N]            the N-th (0-based, default 0) PCI device with that vendor:device
Result<std::unique_ptr<Transport>> open_transport(std::string_view uri, const TransportOptions& opts = {});

// The backends, for callers that already parsed the URI.
Result<std::unique_ptr<Transport>> open_sim(std::string_view socket_path, const TransportOptions& opts = {});
Result<std::unique_ptr<Transport>> open_pci(std::string_view spec, const TransportOptions& opts = {});

// The PCI vendor:device ID a Shoal card's PCIe endpoint presents (what `pci:` lists and
// `shoalctl list` looks for).
inline constexpr std::uint16_t kPciVendorId = 0x1d0f;
inline constexpr std::uint16_t kPciDeviceId = 0x5348;

// A Shoal card that can be opened, as listed by list_devices().
struct DeviceEntry {
  enum class Kind { pci, sim } kind = Kind::sim;
  std::string uri;   // "pci:0000:03:00.0" or "sim:/run/user/1000/shoal/shoal-sim.sock"
  std::string path;  // the sysfs device directory, or the socket
  std::uint16_t vendor = 0, device = 0;  // pci: its IDs
};

// The cards present, without opening any: PCI devices with the Shoal ID under the sysfs root
// (by address), then the sockets in the simulators' runtime directory (shoal/sim_socket.hpp;
// by name; a socket nobody listens on any more is listed too, opening it says so). A missing
// sysfs tree or runtime directory is no error (nothing listed there).
Result<std::vector<DeviceEntry>> list_devices(const TransportOptions& opts = {});
Result<std::vector<DeviceEntry>> list_pci(const TransportOptions& opts = {});
Result<std::vector<DeviceEntry>> list_sim(const std::string& dir);

// Shared argument checks (alignment and bounds), used by every backend.
Status check_access(std::uint64_t offset, unsigned bytes, std::uint64_t bar_size, const char* what);

// "0x0001f0" style formatting for messages.
std::string hex(std::uint64_t v, int width = 0);

}  // namespace shoal::driver

#endif  // SHOAL_DRIVER_TRANSPORT_HPP
