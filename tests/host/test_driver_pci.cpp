// driver/ pci: backend against a fake sysfs tree (a regular file stands in for resource0).
#include <grp.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include "shoal/driver/transport.hpp"
#include "shoal/regs.h"
#include "test_support.hpp"

using namespace shoal;
using namespace shoal::test;
using driver::open_transport;
using driver::TransportOptions;

namespace {
TransportOptions opts_for(const FakeSysfs& s) {
  TransportOptions o;
  o.sysfs_root = s.root().string();
  return o;
}
}  // namespace

TEST_CASE("pci: finds a device by BDF and maps its BAR0", "[pci]") {
  FakeSysfs sys;
  const auto dir = sys.add("0000:03:00.0", 0x1d0f, 0x5348, card_image());
  auto t = open_transport("pci:0000:03:00.0", opts_for(sys));
  REQUIRE(t.ok());
  auto& tr = **t;
  CHECK(tr.bar_size() == regs::kBar0Size);
  CHECK(tr.describe().find("0000:03:00.0") != std::string::npos);
  CHECK(tr.describe().find("1d0f:5348") != std::string::npos);

  auto magic = tr.read32(SHOAL_CTRL_MAGIC_ADDR);
  REQUIRE(magic.ok());
  CHECK(*magic == SHOAL_CTRL_MAGIC_RESET);
  auto id = tr.read32(SHOAL_CTRL_ID_ADDR);
  REQUIRE(id.ok());
  CHECK(*id == SHOAL_CTRL_ID_RESET);
  auto both = tr.read64(SHOAL_CTRL_ID_ADDR);
  REQUIRE(both.ok());
  CHECK(*both == (std::uint64_t{SHOAL_CTRL_MAGIC_RESET} << 32 | SHOAL_CTRL_ID_RESET));

  // Writes go through the shared mapping into the file.
  REQUIRE(tr.write32(SHOAL_CTRL_SCRATCH_ADDR, 0xdeadbeef).ok());
  // A 64-bit write on two writable registers (IRQ_STATUS W1C, IRQ_ENABLE RW) is one store.
  REQUIRE(tr.write64(SHOAL_CTRL_IRQ_STATUS_ADDR, 0x0123456789abcdefull).ok());
  // One whose halves the card would not both take is refused before the BAR: nothing changes
  // (issue 11, item 9): SCRATCH + nothing at 0x14; RO IRQ_PENDING + IRQ_TEST; no register.
  for (std::uint64_t off : {std::uint64_t{SHOAL_CTRL_SCRATCH_ADDR}, std::uint64_t{SHOAL_CTRL_IRQ_PENDING_ADDR},
                            std::uint64_t{0x1000}}) {
    auto w = tr.write64(off, 0x1111111122222222ull);
    INFO(off);
    CHECK(w.code() == Errc::bus);
    if (!w.ok()) CHECK_THAT(w.error().message, Catch::Contains("nothing changed") && Catch::Contains("64-bit write"));
  }
  // reads: both halves must be registers (ID + MAGIC above); SCRATCH + 0x14 is refused
  CHECK(tr.read64(SHOAL_CTRL_SCRATCH_ADDR).code() == Errc::bus);
  tr.close();
  const auto bytes = read_file(dir / "resource0");
  CHECK(get32(bytes, SHOAL_CTRL_SCRATCH_ADDR) == 0xdeadbeefu);
  CHECK(get32(bytes, SHOAL_CTRL_SCRATCH_ADDR + 4) == 0u);
  CHECK(get32(bytes, SHOAL_CTRL_IRQ_STATUS_ADDR) == 0x89abcdefu);
  CHECK(get32(bytes, SHOAL_CTRL_IRQ_ENABLE_ADDR) == 0x01234567u);
  CHECK(get32(bytes, SHOAL_CTRL_IRQ_PENDING_ADDR) == SHOAL_CTRL_IRQ_PENDING_RESET);
  CHECK(get32(bytes, SHOAL_CTRL_IRQ_TEST_ADDR) == 0u);
  CHECK(get32(bytes, 0x1000) == 0u);
  CHECK(get32(bytes, 0x1004) == 0u);
  // Closed: every call is a clear error, not a crash.
  CHECK(tr.read32(0).code() == Errc::closed);
}

TEST_CASE("pci: reads see stores by others (volatile, shared mapping)", "[pci]") {
  FakeSysfs sys;
  const auto dir = sys.add("0000:03:00.0", 0x1d0f, 0x5348, card_image());
  auto t = open_transport("pci:03:00.0", opts_for(sys));  // domain defaults to 0000
  REQUIRE(t.ok());
  {
    std::fstream f(dir / "resource0", std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(SHOAL_CTRL_SCRATCH_ADDR);
    const char v[4] = {0x11, 0x22, 0x33, 0x44};
    f.write(v, 4);
  }
  auto r = (*t)->read32(SHOAL_CTRL_SCRATCH_ADDR);
  REQUIRE(r.ok());
  CHECK(*r == 0x44332211u);
}

TEST_CASE("pci: finds devices by vendor:device ID, with #N for later matches", "[pci]") {
  FakeSysfs sys;
  auto img = card_image();
  sys.add("0000:01:00.0", 0x8086, 0x1234, std::vector<std::uint8_t>(4096));  // some other device
  sys.add("0000:05:00.0", 0x1d0f, 0x5348, img);
  put32(img, SHOAL_CTRL_SCRATCH_ADDR, 0x2);
  sys.add("0000:0a:00.0", 0x1d0f, 0x5348, img);

  auto first = open_transport("pci:1d0f:5348", opts_for(sys));
  REQUIRE(first.ok());
  CHECK((*first)->describe().find("0000:05:00.0") != std::string::npos);
  CHECK((*first)->read32(SHOAL_CTRL_SCRATCH_ADDR).value() == 0u);

  auto second = open_transport("pci:1D0F:5348#1", opts_for(sys));
  REQUIRE(second.ok());
  CHECK((*second)->describe().find("0000:0a:00.0") != std::string::npos);
  CHECK((*second)->read32(SHOAL_CTRL_SCRATCH_ADDR).value() == 2u);

  auto third = open_transport("pci:1d0f:5348#2", opts_for(sys));
  REQUIRE_FALSE(third.ok());
  CHECK(third.code() == Errc::no_device);
  CHECK_THAT(third.error().message, Catch::Contains("only 2"));

  auto none = open_transport("pci:1d0f:9999", opts_for(sys));
  REQUIRE_FALSE(none.ok());
  CHECK(none.code() == Errc::no_device);
  CHECK_THAT(none.error().message, Catch::Contains("1d0f:9999") && Catch::Contains(sys.devices().string()));
}

TEST_CASE("pci: SHOAL_SYSFS_ROOT selects the sysfs tree", "[pci]") {
  FakeSysfs sys;
  sys.add("0000:03:00.0", 0x1d0f, 0x5348, card_image());
  ScopedEnv env("SHOAL_SYSFS_ROOT", sys.root().string());
  auto t = open_transport("pci:0000:03:00.0");
  REQUIRE(t.ok());
  CHECK((*t)->read32(SHOAL_CTRL_MAGIC_ADDR).value() == SHOAL_CTRL_MAGIC_RESET);
}

TEST_CASE("pci: missing device, missing resource0 and malformed URIs are clear errors", "[pci]") {
  FakeSysfs sys;
  sys.add("0000:04:00.0", 0x1d0f, 0x5348, std::nullopt);  // no BAR0

  auto missing = open_transport("pci:0000:03:00.0", opts_for(sys));
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.code() == Errc::no_device);
  CHECK_THAT(missing.error().message, Catch::Contains((sys.devices() / "0000:03:00.0").string()));

  auto nobar = open_transport("pci:0000:04:00.0", opts_for(sys));
  REQUIRE_FALSE(nobar.ok());
  CHECK(nobar.code() == Errc::no_device);
  CHECK_THAT(nobar.error().message, Catch::Contains("resource0"));

  for (const char* uri : {"pci:", "pci:zz:00.0", "pci:0000:03:00.9", "pci:1d0f", "pci:1d0f:53489", "pci:1d0f:5348#x",
                          "pcie:0000:03:00.0", "sim", ""}) {
    INFO(uri);
    auto r = open_transport(uri, opts_for(sys));
    REQUIRE_FALSE(r.ok());
    CHECK(r.code() == Errc::invalid_arg);
    CHECK_FALSE(r.error().message.empty());
  }
}

TEST_CASE("pci: a resource0 smaller than the card's BAR0 is refused", "[pci]") {
  FakeSysfs sys;
  sys.add("0000:03:00.0", 0x1d0f, 0x5348, std::vector<std::uint8_t>(regs::kBar0Size / 2));
  auto t = open_transport("pci:0000:03:00.0", opts_for(sys));
  REQUIRE_FALSE(t.ok());
  CHECK(t.code() == Errc::no_device);
  CHECK_THAT(t.error().message, Catch::Contains("resource0") && Catch::Contains("smaller than the card's BAR0"));
}

TEST_CASE("pci: permission denied on resource0 names the file", "[pci]") {
  FakeSysfs sys;
  const auto dir = sys.add("0000:03:00.0", 0x1d0f, 0x5348, card_image());
  // Let an unprivileged user reach the directory, but not open resource0 (mode 0600, owner root
  // or whoever runs the test).
  for (fs::path p = dir; p != sys.root().parent_path(); p = p.parent_path()) ::chmod(p.c_str(), 0755);
  ::chmod((dir / "resource0").c_str(), 0600);

  int pipefd[2];
  REQUIRE(::pipe(pipefd) == 0);
  const pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    ::close(pipefd[0]);
    if (::geteuid() == 0) {
      // Root ignores mode bits: become nobody (65534) first, for real.
      if (::setgroups(0, nullptr) != 0 || ::setresgid(65534, 65534, 65534) != 0 || ::setresuid(65534, 65534, 65534) != 0) {
        ::_exit(100);
      }
    } else {
      ::chmod((dir / "resource0").c_str(), 0);
    }
    TransportOptions o;
    o.sysfs_root = sys.root().string();
    auto t = open_transport("pci:0000:03:00.0", o);
    const std::string msg = t.ok() ? std::string() : t.error().message;
    (void)!::write(pipefd[1], msg.data(), msg.size());
    ::_exit(static_cast<int>(t.code()));
  }
  ::close(pipefd[1]);
  std::string msg;
  char buf[512];
  for (ssize_t n; (n = ::read(pipefd[0], buf, sizeof buf)) > 0;) msg.append(buf, static_cast<std::size_t>(n));
  ::close(pipefd[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  REQUIRE(WIFEXITED(status));
  INFO(msg);
  REQUIRE(WEXITSTATUS(status) != 100);  // could not drop privileges
  CHECK(WEXITSTATUS(status) == static_cast<int>(Errc::permission));
  CHECK_THAT(msg, Catch::Contains((dir / "resource0").string()) && Catch::Contains("permission denied"));
}

TEST_CASE("pci: unaligned and out-of-range accesses never reach the BAR", "[pci]") {
  FakeSysfs sys;
  sys.add("0000:03:00.0", 0x1d0f, 0x5348, card_image());
  auto t = open_transport("pci:0000:03:00.0", opts_for(sys));
  REQUIRE(t.ok());
  auto& tr = **t;
  CHECK(tr.read32(2).code() == Errc::invalid_arg);
  CHECK(tr.read64(4).code() == Errc::invalid_arg);
  CHECK(tr.read32(regs::kBar0Size).code() == Errc::invalid_arg);
  CHECK(tr.read64(regs::kBar0Size - 4).code() == Errc::invalid_arg);
  CHECK(tr.write32(regs::kBar0Size, 1).code() == Errc::invalid_arg);
  CHECK(tr.write32(~0ull - 3, 1).code() == Errc::invalid_arg);
  CHECK(tr.read32(regs::kBar0Size - 4).ok());
  CHECK_THAT(tr.read32(regs::kBar0Size).error().message, Catch::Contains("outside BAR0"));
}

TEST_CASE("pci: waiting for interrupts is unsupported without vfio", "[pci]") {
  FakeSysfs sys;
  sys.add("0000:03:00.0", 0x1d0f, 0x5348, card_image());
  auto t = open_transport("pci:0000:03:00.0", opts_for(sys));
  REQUIRE(t.ok());
  auto r = (*t)->wait_for_interrupt(std::chrono::milliseconds(10));
  REQUIRE_FALSE(r.ok());
  CHECK(r.code() == Errc::unsupported);
  CHECK_THAT(r.error().message, Catch::Contains("vfio"));
}
