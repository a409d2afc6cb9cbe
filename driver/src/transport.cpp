// URI dispatch and helpers shared by the backends.
#include "shoal/driver/transport.hpp"

#include "shoal/sim_socket.hpp"

#include <cstdio>

namespace shoal::driver {

std::string hex(std::uint64_t v, int width) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "0x%0*llx", width, static_cast<unsigned long long>(v));
  return buf;
}

Status check_access(std::uint64_t offset, unsigned bytes, std::uint64_t bar_size, const char* what) {
  if (offset % bytes != 0) {
    return fail(Errc::invalid_arg, std::string(what) + " at " + hex(offset) + ": offset is not " +
                                       std::to_string(bytes) + "-byte aligned");
  }
  if (offset >= bar_size || bar_size - offset < bytes) {
    return fail(Errc::invalid_arg, std::string(what) + " at " + hex(offset) + ": outside BAR0 (size " +
                                       hex(bar_size) + ")");
  }
  return {};
}

Result<std::unique_ptr<Transport>> open_transport(std::string_view uri, const TransportOptions& opts) {
  constexpr std::string_view kSim = "sim:";
  constexpr std::string_view kPci = "pci:";
  if (uri.starts_with(kSim)) return open_sim(uri.substr(kSim.size()), opts);
  if (uri.starts_with(kPci)) return open_pci(uri.substr(kPci.size()), opts);
  return fail(Errc::invalid_arg,
              "unrecognised device URI '" + std::string(uri) +
                  "': expected sim:/path/to/socket, pci:DDDD:BB:DD.F or pci:VVVV:DDDD[#N]");
}

Result<std::vector<DeviceEntry>> list_devices(const TransportOptions& opts) {
  auto pci = list_pci(opts);
  if (!pci) return fail(std::move(pci).error());
  auto sim = list_sim(shoal::sim_socket::runtime_dir());
  if (!sim) return fail(std::move(sim).error());
  std::vector<DeviceEntry> out = std::move(*pci);
  out.insert(out.end(), sim->begin(), sim->end());
  return out;
}

}  // namespace shoal::driver
