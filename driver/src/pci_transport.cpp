// pci: backend — a PCIe Shoal card through sysfs: find the device under
// ${SHOAL_SYSFS_ROOT:-/sys}/bus/pci/devices, mmap its resource0 and access it with volatile
// 32/64-bit loads and stores. Interrupts need vfio-pci (future work).
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <optional>
#include <vector>

#include "shoal/bar_access.hpp"
#include "shoal/driver/transport.hpp"
#include "shoal/regs.hpp"

namespace shoal::driver {
namespace {

namespace fs = std::filesystem;

bool all_hex(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; });
}

bool all_dec(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; });
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Parsed pci: spec.
struct PciSpec {
  std::optional<std::string> bdf;  // canonical DDDD:BB:DD.F
  std::uint16_t vendor = 0, device = 0;
  unsigned index = 0;
};

Result<PciSpec> parse_spec(std::string_view spec) {
  const std::string bad = "bad pci: device '" + std::string(spec) +
                          "': expected pci:DDDD:BB:DD.F, pci:BB:DD.F or pci:VVVV:DDDD[#N] (hex)";
  PciSpec out;
  if (spec.find('.') != std::string_view::npos) {
    // Bus/device/function address.
    std::vector<std::string_view> parts;
    std::string_view rest = spec;
    for (std::size_t p; (p = rest.find(':')) != std::string_view::npos; rest = rest.substr(p + 1)) parts.push_back(rest.substr(0, p));
    const auto dot = rest.find('.');
    const auto dev = rest.substr(0, dot), fn = rest.substr(dot + 1);
    std::string domain = "0000";
    std::string_view bus;
    if (parts.size() == 2) {
      if (parts[0].size() != 4 || !all_hex(parts[0])) return fail(Errc::invalid_arg, bad);
      domain = lower(parts[0]);
      bus = parts[1];
    } else if (parts.size() == 1) {
      bus = parts[0];
    } else {
      return fail(Errc::invalid_arg, bad);
    }
    if (bus.size() != 2 || !all_hex(bus) || dev.size() != 2 || !all_hex(dev) || fn.size() != 1 || fn[0] < '0' ||
        fn[0] > '7') {
      return fail(Errc::invalid_arg, bad);
    }
    out.bdf = domain + ":" + lower(bus) + ":" + lower(dev) + "." + std::string(fn);
    return out;
  }
  // vendor:device[#N]
  std::string_view ids = spec;
  if (const auto hash = spec.find('#'); hash != std::string_view::npos) {
    const auto n = spec.substr(hash + 1);
    if (!all_dec(n) || n.size() > 4) return fail(Errc::invalid_arg, bad);
    out.index = static_cast<unsigned>(std::strtoul(std::string(n).c_str(), nullptr, 10));
    ids = spec.substr(0, hash);
  }
  const auto colon = ids.find(':');
  if (colon == std::string_view::npos) return fail(Errc::invalid_arg, bad);
  const auto v = ids.substr(0, colon), d = ids.substr(colon + 1);
  if (v.size() != 4 || d.size() != 4 || !all_hex(v) || !all_hex(d)) return fail(Errc::invalid_arg, bad);
  out.vendor = static_cast<std::uint16_t>(std::strtoul(std::string(v).c_str(), nullptr, 16));
  out.device = static_cast<std::uint16_t>(std::strtoul(std::string(d).c_str(), nullptr, 16));
  return out;
}

std::string errno_text(int e) { return std::strerror(e); }

// Reads a sysfs ID file ("0x1d0f\n").
Result<std::uint16_t> read_id_file(const fs::path& p) {
  std::ifstream in(p);
  if (!in) {
    const int e = errno;
    if (e == EACCES || e == EPERM) return fail(Errc::permission, "cannot read " + p.string() + ": " + errno_text(e));
    return fail(Errc::no_device, "cannot read " + p.string() + ": " + errno_text(e));
  }
  std::string s;
  in >> s;
  if (s.starts_with("0x") || s.starts_with("0X")) s = s.substr(2);
  if (s.empty() || s.size() > 4 || !all_hex(s)) return fail(Errc::io, p.string() + " does not hold a 16-bit hex ID");
  return static_cast<std::uint16_t>(std::strtoul(s.c_str(), nullptr, 16));
}

std::string id_text(std::uint16_t vendor, std::uint16_t device) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04x:%04x", vendor, device);
  return buf;
}

class PciTransport final : public Transport {
 public:
  PciTransport(int fd, void* base, std::uint64_t size, std::string desc)
      : fd_(fd), base_(static_cast<volatile std::uint8_t*>(base)), size_(size), desc_(std::move(desc)) {}
  ~PciTransport() override { close(); }

  Result<std::uint32_t> read32(std::uint64_t off) override {
    if (auto s = check("read32", off, 4); !s) return fail(std::move(s).error());
    return *reinterpret_cast<volatile const std::uint32_t*>(base_ + off);
  }
  Result<std::uint64_t> read64(std::uint64_t off) override {
    if (auto s = check("read64", off, 8); !s) return fail(std::move(s).error());
    if (auto s = one_transaction("read64", off, false); !s) return fail(std::move(s).error());
    return *reinterpret_cast<volatile const std::uint64_t*>(base_ + off);
  }
  Status write32(std::uint64_t off, std::uint32_t v) override {
    if (auto s = check("write32", off, 4); !s) return s;
    *reinterpret_cast<volatile std::uint32_t*>(base_ + off) = v;
    return {};
  }
  Status write64(std::uint64_t off, std::uint64_t v) override {
    if (auto s = check("write64", off, 8); !s) return s;
    if (auto s = one_transaction("write64", off, true); !s) return s;
    *reinterpret_cast<volatile std::uint64_t*>(base_ + off) = v;
    return {};
  }
  Result<std::uint32_t> wait_for_interrupt(std::chrono::milliseconds) override {
    if (closed()) return fail(Errc::closed, desc_ + " is closed");
    return fail(Errc::unsupported,
                "waiting for interrupts is unsupported on the sysfs pci: backend (" + desc_ +
                    "): it needs vfio-pci eventfds, which are not implemented yet");
  }
  void close() override {
    std::lock_guard lock(mu_);
    if (base_ != nullptr) {
      ::munmap(const_cast<std::uint8_t*>(base_), size_);
      base_ = nullptr;
    }
    if (fd_ >= 0) {
      ::close(fd_);
      fd_ = -1;
    }
  }
  std::string describe() const override { return desc_; }
  std::uint64_t bar_size() const override { return size_; }

 private:
  bool closed() {
    std::lock_guard lock(mu_);
    return base_ == nullptr;
  }
  Status check(const char* what, std::uint64_t off, unsigned bytes) {
    if (closed()) return fail(Errc::closed, desc_ + " is closed");
    return check_access(off, bytes, size_, what);
  }
  // The PCIe bridge splits a 64-bit access into two 32-bit ones: only where the card takes both
  // (shoal/bar_access.hpp), so that refused means nothing changed.
  static Status one_transaction(const char* what, std::uint64_t off, bool write) {
    const std::string why = shoal::bar::wide_refusal(off, write);
    if (why.empty()) return {};
    return fail(Errc::bus, std::string("refused ") + what + " at " + hex(off) + ", nothing changed: " + why);
  }

  std::mutex mu_;  // guards close() against concurrent close(); MMIO itself needs no lock
  int fd_;
  volatile std::uint8_t* base_;
  std::uint64_t size_;
  std::string desc_;
};

}  // namespace

namespace {

fs::path devices_dir(const TransportOptions& opts) {
  std::string root = opts.sysfs_root;
  if (root.empty()) {
    const char* env = std::getenv("SHOAL_SYSFS_ROOT");
    root = (env != nullptr && *env != '\0') ? env : "/sys";
  }
  return fs::path(root) / "bus" / "pci" / "devices";
}

}  // namespace

Result<std::vector<DeviceEntry>> list_pci(const TransportOptions& opts) {
  const fs::path devices = devices_dir(opts);
  std::vector<DeviceEntry> out;
  std::error_code ec;
  if (!fs::exists(devices, ec)) return out;
  fs::directory_iterator it(devices, ec);
  if (ec) {
    const Errc code = (ec.value() == EACCES || ec.value() == EPERM) ? Errc::permission : Errc::io;
    return fail(code, "cannot list PCI devices in " + devices.string() + ": " + ec.message());
  }
  std::vector<fs::path> all;
  for (; it != fs::directory_iterator(); it.increment(ec)) {
    if (ec) break;
    all.push_back(it->path());
  }
  std::sort(all.begin(), all.end());
  for (const auto& p : all) {
    auto v = read_id_file(p / "vendor");
    auto d = read_id_file(p / "device");
    if (v && d && *v == kPciVendorId && *d == kPciDeviceId) {
      DeviceEntry e;
      e.kind = DeviceEntry::Kind::pci;
      e.uri = "pci:" + p.filename().string();
      e.path = p.string();
      e.vendor = *v;
      e.device = *d;
      out.push_back(std::move(e));
    }
  }
  return out;
}

Result<std::unique_ptr<Transport>> open_pci(std::string_view spec_text, const TransportOptions& opts) {
  auto spec = parse_spec(spec_text);
  if (!spec) return fail(std::move(spec).error());

  const fs::path devices = devices_dir(opts);
  std::error_code ec;

  fs::path dir;
  std::uint16_t vendor = 0, device = 0;
  if (spec->bdf) {
    dir = devices / *spec->bdf;
    if (!fs::exists(dir, ec)) {
      if (ec && (ec.value() == EACCES || ec.value() == EPERM)) {
        return fail(Errc::permission, "cannot look for PCI device " + *spec->bdf + " at " + dir.string() + ": " + ec.message());
      }
      return fail(Errc::no_device, "no PCI device " + *spec->bdf + " (" + dir.string() + " does not exist)");
    }
    auto v = read_id_file(dir / "vendor");
    if (!v) return fail(std::move(v).error());
    auto d = read_id_file(dir / "device");
    if (!d) return fail(std::move(d).error());
    vendor = *v;
    device = *d;
  } else {
    std::vector<fs::path> matches;
    fs::directory_iterator it(devices, ec);
    if (ec) {
      const Errc code = (ec.value() == EACCES || ec.value() == EPERM) ? Errc::permission : Errc::no_device;
      return fail(code, "cannot list PCI devices in " + devices.string() + ": " + ec.message());
    }
    std::vector<fs::path> all;
    for (; it != fs::directory_iterator(); it.increment(ec)) {
      if (ec) break;
      all.push_back(it->path());
    }
    std::sort(all.begin(), all.end());
    for (const auto& p : all) {
      auto v = read_id_file(p / "vendor");
      auto d = read_id_file(p / "device");
      if (v && d && *v == spec->vendor && *d == spec->device) matches.push_back(p);
    }
    const std::string ids = id_text(spec->vendor, spec->device);
    if (matches.empty()) return fail(Errc::no_device, "no PCI device with ID " + ids + " under " + devices.string());
    if (spec->index >= matches.size()) {
      return fail(Errc::no_device, "PCI device " + ids + "#" + std::to_string(spec->index) + " requested, but only " +
                                       std::to_string(matches.size()) + " device(s) with that ID under " +
                                       devices.string());
    }
    dir = matches[spec->index];
    vendor = spec->vendor;
    device = spec->device;
  }

  const fs::path res = dir / "resource0";
  const int fd = ::open(res.c_str(), O_RDWR | O_SYNC | O_CLOEXEC);
  if (fd < 0) {
    const int e = errno;
    if (e == EACCES || e == EPERM) {
      return fail(Errc::permission, "permission denied opening " + res.string() +
                                        " (BAR0 access needs root or write access to that file)");
    }
    if (e == ENOENT) return fail(Errc::no_device, "PCI device " + dir.filename().string() + " has no BAR0: " + res.string() + " does not exist");
    return fail(Errc::io, "cannot open " + res.string() + ": " + errno_text(e));
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    const int e = errno;
    ::close(fd);
    return fail(Errc::io, "cannot stat " + res.string() + ": " + errno_text(e));
  }
  const std::uint64_t need = opts.min_bar_size != 0 ? opts.min_bar_size : shoal::regs::kBar0Size;
  const auto have = static_cast<std::uint64_t>(st.st_size);
  if (have < need) {
    ::close(fd);
    return fail(Errc::no_device, res.string() + " is " + std::to_string(have) + " bytes, smaller than the card's BAR0 (" +
                                     std::to_string(need) + " bytes): not a Shoal card, or the wrong BAR");
  }
  void* base = ::mmap(nullptr, need, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (base == MAP_FAILED) {
    const int e = errno;
    ::close(fd);
    const Errc code = (e == EACCES || e == EPERM) ? Errc::permission : Errc::io;
    return fail(code, "cannot mmap " + res.string() + ": " + errno_text(e));
  }
  std::string desc = "pci:" + dir.filename().string() + " (" + id_text(vendor, device) + ", " + res.string() + ")";
  return std::unique_ptr<Transport>(std::make_unique<PciTransport>(fd, base, need, std::move(desc)));
}

}  // namespace shoal::driver
