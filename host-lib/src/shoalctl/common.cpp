#include "common.hpp"

#include <CLI/CLI.hpp>

#include <cctype>
#include <cerrno>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <sstream>

namespace shoalctl {

int Context::emit(const Report& r) const {
  std::ostringstream out;
  if (json) {
    out << r.to_json().dump(2) << '\n';
  } else {
    r.print_text(out);
  }
  std::cout << out.str() << std::flush;
  return kExitOk;
}

int Context::usage_error(const std::string& msg) const {
  std::cerr << "shoalctl: " << msg << "\n";
  return kExitUsage;
}

int Context::device_error(const shoal::Error& e, const std::string& context) const {
  std::cerr << "shoalctl: " << context << e.message << " [" << shoal::errc_name(e.code) << "]\n";
  return kExitDevice;
}

std::string Context::device_uri() const {
  if (!device.empty()) return device;
  const char* env = std::getenv("SHOAL_DEVICE");
  return env != nullptr ? env : "";
}

std::optional<shoal::Device> Context::open_device(int& rc) const {
  const std::string uri = device_uri();
  if (uri.empty()) {
    rc = usage_error("no device: pass --device URI or set SHOAL_DEVICE (see --help for URI forms)");
    return std::nullopt;
  }
  auto dev = shoal::Device::open(uri);
  if (!dev) {
    rc = device_error(dev.error());
    return std::nullopt;
  }
  return std::move(*dev);
}

void add_global_options(CLI::App& cmd, Context& ctx) {
  cmd.add_option("-d,--device", ctx.device, "Device URI (default: $SHOAL_DEVICE)");
  cmd.add_flag("--json", ctx.json, "Print machine-readable JSON");
}

std::string hexs(std::uint64_t v, int width) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "0x%0*" PRIx64, width, v);
  return buf;
}

std::optional<std::uint64_t> parse_uint(const std::string& s, std::uint64_t max) {
  if (s.empty() || !std::isdigit(static_cast<unsigned char>(s[0]))) return std::nullopt;
  errno = 0;
  char* end = nullptr;
  const unsigned long long v = std::strtoull(s.c_str(), &end, 0);
  if (errno != 0 || end == s.c_str() || *end != '\0' || v > max) return std::nullopt;
  return v;
}

}  // namespace shoalctl
