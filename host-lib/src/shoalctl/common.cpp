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

int Context::fail(int exit, const std::string& code, const std::string& message) const {
  std::cerr << "shoalctl: " << message << "\n" << std::flush;
  if (json) {
    Json j = {{"error", {{"code", code}, {"message", message}, {"exit_code", exit}}}};
    std::cout << j.dump(2) << "\n" << std::flush;
  }
  return exit;
}

int Context::usage_error(const std::string& msg) const { return fail(kExitUsage, "usage", msg); }

int Context::device_error(const shoal::Error& e, const std::string& context) const {
  int exit = e.code == shoal::Errc::invalid_arg ? kExitUsage : kExitDevice;
  if (e.code == shoal::Errc::refused || (e.code == shoal::Errc::permission && shoal_last_status() != SHOAL_STATUS_NONE))
    exit = kExitRefused;
  return fail(exit, errc_id(e.code), context + e.message + " [" + shoal::errc_name(e.code) + "]");
}

const char* errc_id(shoal::Errc e) {
  using shoal::Errc;
  switch (e) {
    case Errc::ok: return "ok";
    case Errc::invalid_arg: return "invalid_arg";
    case Errc::no_device: return "no_device";
    case Errc::io: return "io";
    case Errc::bus: return "bus";
    case Errc::protocol: return "protocol";
    case Errc::timeout: return "timeout";
    case Errc::bad_dtb: return "bad_dtb";
    case Errc::unsupported: return "unsupported";
    case Errc::permission: return "permission";
    case Errc::closed: return "closed";
    case Errc::no_memory: return "no_memory";
    case Errc::internal: return "internal";
    case Errc::busy: return "busy";
    case Errc::full: return "full";
    case Errc::refused: return "refused";
  }
  return "unknown";
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
  const bool hex = s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X');
  const std::string digits = hex ? s.substr(2) : s;
  auto ok = [hex](unsigned char c) { return hex ? std::isxdigit(c) != 0 : std::isdigit(c) != 0; };
  if (digits.empty()) return std::nullopt;
  for (const char c : digits) {
    if (!ok(static_cast<unsigned char>(c))) return std::nullopt;
  }
  errno = 0;
  char* end = nullptr;
  // the base is given: a leading 0 is a decimal digit, never an octal prefix
  const unsigned long long v = std::strtoull(digits.c_str(), &end, hex ? 16 : 10);
  if (errno != 0 || *end != '\0' || v > max) return std::nullopt;
  return v;
}

}  // namespace shoalctl
