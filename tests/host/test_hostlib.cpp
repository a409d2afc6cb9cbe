// libshoal: shoal_open over the pci: backend against a real card image (register reset values
// and the built DTB in a fake resource0), DTB validation, versioned structs, the C++ wrapper.
#include <libfdt.h>

#include <catch2/catch.hpp>

#include <functional>
#include <cstring>
#include <functional>
#include <set>

#include "shoal/regs.h"
#include "shoal/regs.hpp"
#include "shoal/shoal.h"
#include "shoal/shoal.hpp"
#include "test_support.hpp"

using namespace shoal::test;
namespace regs = shoal::regs;

namespace {

// A fake sysfs with one card at 0000:03:00.0 holding `image`; SHOAL_SYSFS_ROOT points at it.
struct FakeCard {
  explicit FakeCard(const std::vector<std::uint8_t>& image) : env("SHOAL_SYSFS_ROOT", sys.root().string()) {
    sys.add("0000:03:00.0", 0x1d0f, 0x5348, image);
  }
  FakeSysfs sys;
  ScopedEnv env;
};

void check_info_matches_card(shoal_dev* dev) {
  shoal_info info{};
  SHOAL_INIT(info);
  REQUIRE(shoal_get_info(dev, &info) == SHOAL_OK);
  CHECK(info.struct_size == sizeof info);
  CHECK(info.magic == SHOAL_CTRL_MAGIC_RESET);
  CHECK(info.ctrl_id == SHOAL_CTRL_ID_RESET);
  CHECK(info.version_reg == SHOAL_CTRL_VERSION_RESET);
  CHECK(info.cap == SHOAL_CTRL_CAP_RESET);
  CHECK(info.card_version_major == regs::kCardVersionMajor);
  CHECK(info.card_version_minor == regs::kCardVersionMinor);
  CHECK(info.card_version_patch == regs::kCardVersionPatch);
  CHECK(info.bar0_size == regs::kBar0Size);
  CHECK(info.clock_hz == regs::param::clock_hz);
  CHECK(info.num_processors == regs::param::num_processors);
  CHECK(info.num_partitions == regs::param::num_partitions);
  CHECK(info.num_irq_vectors == regs::param::num_irq_vectors);
  CHECK(info.num_host_irqs == regs::param::num_host_irqs);
  CHECK(info.num_resource_types == regs::param::num_resource_types);
  CHECK(info.dtb_size == card_dtb().size());
  CHECK(std::string(info.model) == "Shoal dynamic resource allocation card");

  // Present blocks: exactly those the register map marks present, plus the DTB window.
  std::uint32_t want = SHOAL_BLOCK_DTB;
  const std::pair<const char*, std::uint32_t> bits[] = {{"ctrl", SHOAL_BLOCK_CTRL}, {"core", SHOAL_BLOCK_CORE},
                                                        {"drrm", SHOAL_BLOCK_DRRM}, {"wmu", SHOAL_BLOCK_WMU},
                                                        {"alloc", SHOAL_BLOCK_ALLOC}};
  for (const auto& b : regs::kBlocks) {
    for (const auto& [name, bit] : bits) {
      if (b.present && std::strcmp(b.name, name) == 0) want |= bit;
    }
  }
  CHECK(info.blocks_present == want);

  // Resources: names and units as in the register map.
  REQUIRE(info.num_resource_types == std::size(regs::kResources));
  for (std::uint32_t i = 0; i < info.num_resource_types; ++i) {
    shoal_resource r{};
    SHOAL_INIT(r);
    REQUIRE(shoal_get_resource(dev, i, &r) == SHOAL_OK);
    CHECK(r.index == i);
    CHECK(std::string(r.name) == regs::kResources[i].name);
    CHECK(r.units == regs::kResources[i].units);
    CHECK(std::string(r.description) == regs::kResources[i].description);
  }
  shoal_resource r{};
  SHOAL_INIT(r);
  CHECK(shoal_get_resource(dev, info.num_resource_types, &r) == SHOAL_ERR_INVALID_ARG);

  // Blocks: every register-map block with its base, size, ID and presence.
  for (const auto& want_b : regs::kBlocks) {
    bool found = false;
    for (std::uint32_t i = 0; i < info.num_blocks; ++i) {
      shoal_block b{};
      SHOAL_INIT(b);
      REQUIRE(shoal_get_block(dev, i, &b) == SHOAL_OK);
      if (std::string(b.name) != want_b.name) continue;
      found = true;
      CHECK(b.base == want_b.base);
      CHECK(b.size == want_b.size);
      CHECK(b.block_id == want_b.id);
      CHECK(b.block_version == want_b.version);
      CHECK((b.present != 0) == want_b.present);
      CHECK(std::string(b.compatible) == std::string("shoal,") + want_b.name);
    }
    INFO(want_b.name);
    CHECK(found);
  }
}

int open_image(const std::vector<std::uint8_t>& image, std::string& message) {
  FakeCard card(image);
  shoal_dev* dev = nullptr;
  const int rc = shoal_open("pci:0000:03:00.0", &dev);
  message = shoal_last_error();
  shoal_close(dev);
  return rc;
}

}  // namespace

TEST_CASE("libshoal: open over pci: and read the card's shape from its DTB", "[hostlib]") {
  FakeCard card(card_image());
  shoal_dev* dev = nullptr;
  REQUIRE(shoal_open("pci:0000:03:00.0", &dev) == SHOAL_OK);
  REQUIRE(dev != nullptr);
  CHECK(std::string(shoal_last_error()).empty());
  check_info_matches_card(dev);

  std::uint32_t v = 0;
  CHECK(shoal_reg_read32(dev, SHOAL_CTRL_MAGIC_ADDR, &v) == SHOAL_OK);
  CHECK(v == SHOAL_CTRL_MAGIC_RESET);
  CHECK(shoal_reg_write32(dev, SHOAL_CTRL_SCRATCH_ADDR, 0x12345678) == SHOAL_OK);
  CHECK(shoal_reg_read32(dev, SHOAL_CTRL_SCRATCH_ADDR, &v) == SHOAL_OK);
  CHECK(v == 0x12345678u);
  std::uint64_t w = 0;
  CHECK(shoal_reg_write64(dev, SHOAL_CTRL_IRQ_STATUS_ADDR, 0xa5a5a5a55a5a5a5aull) == SHOAL_OK);
  CHECK(shoal_reg_read64(dev, SHOAL_CTRL_IRQ_STATUS_ADDR, &w) == SHOAL_OK);
  CHECK(w == 0xa5a5a5a55a5a5a5aull);  // a memory image, not the card: no W1C here
  CHECK(shoal_reg_write64(dev, 0x1000, 0xa5a5a5a55a5a5a5aull) == SHOAL_ERR_BUS);  // no register there
  CHECK_THAT(shoal_last_error(), Catch::Contains("nothing changed"));
  CHECK(shoal_reg_read32(dev, 0x2, &v) == SHOAL_ERR_INVALID_ARG);
  CHECK_THAT(shoal_last_error(), Catch::Contains("aligned"));
  CHECK(shoal_reg_read32(dev, regs::kBar0Size, &v) == SHOAL_ERR_INVALID_ARG);
  std::uint32_t vec = 0;
  CHECK(shoal_wait_event(dev, 0, &vec) == SHOAL_ERR_UNSUPPORTED);
  CHECK_THAT(shoal_last_error(), Catch::Contains("vfio"));

  // The raw DTB is the one dtc built.
  std::size_t n = 0;
  REQUIRE(shoal_get_dtb(dev, nullptr, &n) == SHOAL_OK);
  std::vector<std::uint8_t> blob(n);
  REQUIRE(shoal_get_dtb(dev, blob.data(), &n) == SHOAL_OK);
  CHECK(blob == card_dtb());
  shoal_close(dev);
}

TEST_CASE("libshoal: open over sim: gives the same description", "[hostlib]") {
  FakeSimServer srv(card_image());
  shoal_dev* dev = nullptr;
  REQUIRE(shoal_open(srv.uri().c_str(), &dev) == SHOAL_OK);
  check_info_matches_card(dev);
  shoal_info info{};
  SHOAL_INIT(info);
  REQUIRE(shoal_get_info(dev, &info) == SHOAL_OK);
  CHECK(std::string(info.transport) == srv.uri());
  shoal_close(dev);
}

TEST_CASE("libshoal: a bus error while reading the DTB window fails the open clearly", "[hostlib]") {
  FakeSimServer::Behaviour b;
  b.bus_error_at = SHOAL_WIN_DTB_BASE + 0x40;
  FakeSimServer srv(card_image(), b);
  shoal_dev* dev = nullptr;
  CHECK(shoal_open(srv.uri().c_str(), &dev) == SHOAL_ERR_BUS);
  CHECK(dev == nullptr);
  CHECK_THAT(shoal_last_error(), Catch::Contains("DTB window") && Catch::Contains("0x8040"));
}

TEST_CASE("libshoal: SHOAL_DEVICE is used when no URI is given", "[hostlib]") {
  FakeCard card(card_image());
  {
    ScopedEnv env("SHOAL_DEVICE", "pci:1d0f:5348");
    shoal_dev* dev = nullptr;
    REQUIRE(shoal_open(nullptr, &dev) == SHOAL_OK);
    shoal_close(dev);
    REQUIRE(shoal_open("", &dev) == SHOAL_OK);
    shoal_close(dev);
  }
  ScopedEnv env("SHOAL_DEVICE", "");
  shoal_dev* dev = nullptr;
  CHECK(shoal_open(nullptr, &dev) == SHOAL_ERR_INVALID_ARG);
  CHECK_THAT(shoal_last_error(), Catch::Contains("SHOAL_DEVICE"));
  CHECK(shoal_open("pci:0000:03:00.0", nullptr) == SHOAL_ERR_INVALID_ARG);
}

TEST_CASE("libshoal: versioned structs honour struct_size", "[hostlib]") {
  FakeCard card(card_image());
  shoal_dev* dev = nullptr;
  REQUIRE(shoal_open("pci:0000:03:00.0", &dev) == SHOAL_OK);

  shoal_info info{};
  info.struct_size = 8;  // older than any published version
  CHECK(shoal_get_info(dev, &info) == SHOAL_ERR_INVALID_ARG);
  CHECK_THAT(shoal_last_error(), Catch::Contains("struct_size"));
  CHECK(shoal_get_info(dev, nullptr) == SHOAL_ERR_INVALID_ARG);

  // A caller built against a newer, larger struct: the library fills what it knows and leaves
  // the rest alone.
  struct Bigger {
    shoal_info base;
    std::uint32_t future[4];
  } big{};
  std::memset(&big, 0xee, sizeof big);
  big.base.struct_size = sizeof big;
  REQUIRE(shoal_get_info(dev, &big.base) == SHOAL_OK);
  CHECK(big.base.struct_size == sizeof big);
  CHECK(big.base.num_processors == regs::param::num_processors);
  CHECK(big.future[3] == 0xeeeeeeeeu);

  shoal_resource r{};
  r.struct_size = 4;
  CHECK(shoal_get_resource(dev, 0, &r) == SHOAL_ERR_INVALID_ARG);
  shoal_block b{};
  b.struct_size = 0;
  CHECK(shoal_get_block(dev, 0, &b) == SHOAL_ERR_INVALID_ARG);
  shoal_close(dev);
}

// A caller built against the first published header passes the first published size (these
// literals are what was published; they never change). It must be served, whatever members
// were appended since, and nothing past its struct may be touched (issue 11, item 8).
TEST_CASE("libshoal: a caller with a struct's first published size is served", "[hostlib][abi]") {
  FakeCard card(card_image());
  shoal_dev* dev = nullptr;
  REQUIRE(shoal_open("pci:0000:03:00.0", &dev) == SHOAL_OK);
  constexpr unsigned char kGuard = 0x5c;
  // Runs `call` on a buffer of struct_size `size` (+ guard bytes) and checks what it did.
  auto served = [&](std::size_t size, std::size_t full, auto call) -> int {
    std::vector<unsigned char> buf(full + 64, kGuard);
    std::uint32_t sz = static_cast<std::uint32_t>(size);
    std::memcpy(buf.data(), &sz, 4);
    const int rc = call(buf.data());
    std::uint32_t after = 0;
    std::memcpy(&after, buf.data(), 4);
    CHECK(after == sz);  // struct_size as the caller set it
    for (std::size_t i = size; i < buf.size(); ++i) {
      if (buf[i] != kGuard) {
        FAIL_CHECK("byte " << i << " past the caller's " << size << "-byte struct was written");
        break;
      }
    }
    return rc;
  };
  struct Case {
    const char* name;
    std::size_t published, full;
    std::function<int(void*)> call;
  } cases[] = {
      {"shoal_info", 336, sizeof(shoal_info), [&](void* p) { return shoal_get_info(dev, static_cast<shoal_info*>(p)); }},
      {"shoal_resource", 172, sizeof(shoal_resource),
       [&](void* p) { return shoal_get_resource(dev, 1, static_cast<shoal_resource*>(p)); }},
      {"shoal_block", 96, sizeof(shoal_block), [&](void* p) { return shoal_get_block(dev, 0, static_cast<shoal_block*>(p)); }},
      {"shoal_fw_state", 48, sizeof(shoal_fw_state),
       [&](void* p) { return shoal_fw_status(dev, static_cast<shoal_fw_state*>(p)); }},
  };
  for (const auto& c : cases) {
    INFO(c.name);
    CHECK(c.full >= c.published);
    CHECK(served(c.published, c.full, c.call) == SHOAL_OK);
    CHECK(served(c.full, c.full, c.call) == SHOAL_OK);
    CHECK(served(c.published - 1, c.full, c.call) == SHOAL_ERR_INVALID_ARG);
    CHECK_THAT(shoal_last_error(), Catch::Contains("at least " + std::to_string(c.published)));
  }
  // what an old caller gets is right, not just accepted
  std::vector<unsigned char> buf(336, 0);
  std::uint32_t sz = 336;
  std::memcpy(buf.data(), &sz, 4);
  REQUIRE(shoal_get_info(dev, reinterpret_cast<shoal_info*>(buf.data())) == SHOAL_OK);
  shoal_info old{};
  std::memcpy(&old, buf.data(), 336);
  CHECK(old.magic == SHOAL_CTRL_MAGIC_RESET);
  CHECK(std::string(old.transport).rfind("pci:0000:03:00.0", 0) == 0);
  shoal_close(dev);
}

TEST_CASE("libshoal: shoal_list_devices lists the Shoal cards present, honouring struct_size", "[hostlib]") {
  FakeCard card(card_image());
  card.sys.add("0000:01:00.0", 0x1d0f, 0x5348, std::nullopt);  // listed even if it cannot be opened
  card.sys.add("0000:02:00.0", 0x10ee, 0x7038, std::nullopt);  // another vendor: not listed
  TempDir none;
  ScopedEnv rundir("SHOAL_RUNTIME_DIR", (none.path() / "nothing-here").string());
  std::size_t n = 99;
  REQUIRE(shoal_list_devices(nullptr, 0, &n) == SHOAL_OK);
  CHECK(n == 2);
  shoal_device_entry e[3];
  for (auto& x : e) SHOAL_INIT(x);
  std::memset(e[1].uri, 'q', sizeof e[1].uri);
  REQUIRE(shoal_list_devices(e, 1, &n) == SHOAL_OK);  // room for one: count says two
  CHECK(n == 2);
  CHECK(std::string(e[0].uri) == "pci:0000:01:00.0");
  CHECK(e[1].uri[0] == 'q');  // untouched
  REQUIRE(shoal_list_devices(e, 3, &n) == SHOAL_OK);
  CHECK(n == 2);
  CHECK(std::string(e[1].uri) == "pci:0000:03:00.0");
  CHECK(e[1].kind == SHOAL_DEVICE_PCI);
  CHECK(e[1].pci_vendor == 0x1d0fu);
  CHECK(e[1].pci_device == 0x5348u);
  e[0].struct_size = 8;
  CHECK(shoal_list_devices(e, 3, &n) == SHOAL_ERR_INVALID_ARG);
  SHOAL_INIT(e[0]);
  e[1].struct_size = 200;
  CHECK(shoal_list_devices(e, 3, &n) == SHOAL_ERR_INVALID_ARG);
  CHECK_THAT(shoal_last_error(), Catch::Contains("every entry"));
  CHECK(shoal_list_devices(e, 3, nullptr) == SHOAL_ERR_INVALID_ARG);
  auto cpp = shoal::list_devices();
  REQUIRE(cpp.ok());
  CHECK(cpp->size() == 2);
}

TEST_CASE("libshoal: a device that is not a Shoal card is refused", "[hostlib]") {
  std::string msg;
  auto img = card_image();
  put32(img, SHOAL_CTRL_MAGIC_ADDR, 0x12345678);
  CHECK(open_image(img, msg) == SHOAL_ERR_NO_DEVICE);
  CHECK_THAT(msg, Catch::Contains("MAGIC") && Catch::Contains("0x12345678"));

  img = card_image();
  put32(img, SHOAL_CTRL_ID_ADDR, 0x41420001);
  CHECK(open_image(img, msg) == SHOAL_ERR_NO_DEVICE);
  CHECK_THAT(msg, Catch::Contains("ID"));
}

TEST_CASE("libshoal: corrupted DTBs are refused with SHOAL_ERR_BAD_DTB", "[hostlib][dtb]") {
  const auto good = card_dtb();
  REQUIRE(fdt_check_header(good.data()) == 0);
  std::string msg;

  SECTION("bad magic") {
    auto dtb = good;
    dtb[0] ^= 0xff;
    CHECK(open_image(card_image(dtb), msg) == SHOAL_ERR_BAD_DTB);
    CHECK_THAT(msg, Catch::Contains("magic"));
  }
  SECTION("empty window") {
    CHECK(open_image(card_image(std::vector<std::uint8_t>(64, 0)), msg) == SHOAL_ERR_BAD_DTB);
    CHECK_THAT(msg, Catch::Contains("magic"));
  }
  SECTION("truncated: totalsize smaller than the blob's own blocks") {
    auto dtb = good;
    put_be32(dtb, 4, 64);  // totalsize
    CHECK(open_image(card_image(dtb), msg) == SHOAL_ERR_BAD_DTB);
    CHECK_THAT(msg, Catch::Contains("card DTB"));
  }
  SECTION("truncated: the blob ends early") {
    auto dtb = good;
    std::fill(dtb.begin() + static_cast<long>(dtb.size() / 2), dtb.end(), 0);
    CHECK(open_image(card_image(dtb), msg) == SHOAL_ERR_BAD_DTB);
  }
  SECTION("totalsize larger than the DTB window") {
    auto dtb = good;
    put_be32(dtb, 4, SHOAL_WIN_DTB_SIZE + 4);
    CHECK(open_image(card_image(dtb), msg) == SHOAL_ERR_BAD_DTB);
    CHECK_THAT(msg, Catch::Contains("larger than the DTB window"));
  }
  SECTION("totalsize smaller than the header") {
    auto dtb = good;
    put_be32(dtb, 4, 8);
    CHECK(open_image(card_image(dtb), msg) == SHOAL_ERR_BAD_DTB);
  }
  SECTION("garbage structure block") {
    auto dtb = good;
    const std::uint32_t off_struct = fdt_off_dt_struct(good.data());
    const std::uint32_t size_struct = fdt_size_dt_struct(good.data());
    for (std::uint32_t i = 0; i < size_struct; ++i) dtb[off_struct + i] = static_cast<std::uint8_t>(0xa5 ^ i);
    CHECK(open_image(card_image(dtb), msg) == SHOAL_ERR_BAD_DTB);
    CHECK_THAT(msg, Catch::Contains("card DTB"));
  }
  SECTION("a valid FDT that does not describe a Shoal card") {
    std::vector<std::uint8_t> other(256);
    REQUIRE(fdt_create_empty_tree(other.data(), static_cast<int>(other.size())) == 0);
    REQUIRE(fdt_pack(other.data()) == 0);
    other.resize(fdt_totalsize(other.data()));
    CHECK(open_image(card_image(other), msg) == SHOAL_ERR_BAD_DTB);
    CHECK_THAT(msg, Catch::Contains("shoal,card-version"));
  }
  SECTION("the untouched DTB opens") { CHECK(open_image(card_image(good), msg) == SHOAL_OK); }
}

TEST_CASE("libshoal: every error code has a distinct name", "[hostlib]") {
  std::set<std::string> names;
  for (int e = SHOAL_OK; e <= SHOAL_ERR_REFUSED; ++e) {
    const char* s = shoal_strerror(e);
    REQUIRE(s != nullptr);
    CHECK(std::string(s) != "unknown error code");
    names.insert(s);
  }
  CHECK(names.size() == SHOAL_ERR_REFUSED + 1);
  CHECK(std::string(shoal_strerror(SHOAL_ERR_REFUSED + 1)) == "unknown error code");
  CHECK(std::string(shoal_strerror(-1)) == "unknown error code");
  CHECK(std::string(shoal_strerror(1000)) == "unknown error code");
  CHECK(std::string(shoal_version()).find('.') != std::string::npos);
}

TEST_CASE("libshoal C++: Device is RAII and returns results", "[hostlib][cpp]") {
  FakeCard card(card_image());
  auto dev = shoal::Device::open("pci:0000:03:00.0");
  REQUIRE(dev.ok());
  CHECK(dev->read32(SHOAL_CTRL_MAGIC_ADDR).value() == SHOAL_CTRL_MAGIC_RESET);
  REQUIRE(dev->write32(SHOAL_CTRL_SCRATCH_ADDR, 7).ok());
  CHECK(dev->read32(SHOAL_CTRL_SCRATCH_ADDR).value() == 7u);
  auto info = dev->info();
  REQUIRE(info.ok());
  CHECK(info->num_partitions == regs::param::num_partitions);
  auto res = dev->resources();
  REQUIRE(res.ok());
  REQUIRE(res->size() == std::size(regs::kResources));
  CHECK(std::string((*res)[1].name) == "cache_ways");
  auto blocks = dev->blocks();
  REQUIRE(blocks.ok());
  CHECK(blocks->size() == info->num_blocks);
  CHECK(dev->dtb().value() == card_dtb());

  auto bad = dev->read32(1);
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.code() == shoal::Errc::invalid_arg);
  CHECK_THAT(bad.error().message, Catch::Contains("aligned"));
  CHECK(dev->wait_event(std::chrono::milliseconds(1)).code() == shoal::Errc::unsupported);

  auto missing = shoal::Device::open("pci:0000:09:00.0");
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.code() == shoal::Errc::no_device);
  CHECK_THAT(missing.error().message, Catch::Contains("0000:09:00.0"));

  // Moving the handle keeps one owner.
  shoal::Device moved = std::move(dev).value();
  CHECK(moved.read32(SHOAL_CTRL_MAGIC_ADDR).ok());
}

namespace {

// The built DTB with one change made through libfdt (room added first).
std::vector<std::uint8_t> edited_dtb(const std::function<void(void*)>& edit) {
  const auto good = card_dtb();
  std::vector<std::uint8_t> out(good.size() + 1024);
  REQUIRE(fdt_open_into(good.data(), out.data(), static_cast<int>(out.size())) == 0);
  edit(out.data());
  REQUIRE(fdt_pack(out.data()) == 0);
  out.resize(fdt_totalsize(out.data()));
  return out;
}

int slice_node(void* fdt, unsigned index) {
  const int top = fdt_path_offset(fdt, "/slices");
  REQUIRE(top >= 0);
  int node = 0;
  fdt_for_each_subnode(node, fdt, top) {
    int len = 0;
    const auto* reg = static_cast<const fdt32_t*>(fdt_getprop(fdt, node, "reg", &len));
    if (reg != nullptr && fdt32_to_cpu(*reg) == index) return node;
  }
  FAIL("no slice node with reg = " << index);
  return -1;
}

}  // namespace

TEST_CASE("libshoal: the card's slices come from its DTB, as the register map lists them", "[hostlib][slice]") {
  FakeCard card(card_image());
  shoal_dev* dev = nullptr;
  REQUIRE(shoal_open("pci:0000:03:00.0", &dev) == SHOAL_OK);
  shoal_info info{};
  SHOAL_INIT(info);
  REQUIRE(shoal_get_info(dev, &info) == SHOAL_OK);
  REQUIRE(info.num_slices == regs::kNumSlices);
  REQUIRE(info.num_slices == SHOAL_NUM_SLICES);
  REQUIRE(info.num_slices > 0);
  for (std::uint32_t i = 0; i < info.num_slices; ++i) {
    shoal_slice s{};
    SHOAL_INIT(s);
    REQUIRE(shoal_get_slice(dev, i, &s) == SHOAL_OK);
    const auto& want = regs::kSlices[i];
    CHECK(s.struct_size == sizeof s);
    CHECK(s.index == i);
    CHECK(std::string(s.name) == want.name);
    CHECK(std::string(s.capability) == want.capability);
    CHECK(s.capability_version == want.version);
    CHECK(s.units == want.units);
    CHECK(s.resource_index == want.resource);
    CHECK(s.partitions == want.partitions);
    CHECK(s.lendable == (want.lendable ? 1u : 0u));
    CHECK(std::string(s.description) == want.description);
  }
  shoal_slice s{};
  SHOAL_INIT(s);
  CHECK(shoal_get_slice(dev, info.num_slices, &s) == SHOAL_ERR_INVALID_ARG);
  CHECK_THAT(shoal_last_error(), Catch::Contains("out of range"));
  CHECK(shoal_get_slice(nullptr, 0, &s) == SHOAL_ERR_INVALID_ARG);
  CHECK(shoal_get_slice(dev, 0, nullptr) == SHOAL_ERR_INVALID_ARG);

  // The first published sizes are constants: a caller built then keeps working.
  s = {};
  s.struct_size = SHOAL_SLICE_SIZE_V1;
  CHECK(shoal_get_slice(dev, 0, &s) == SHOAL_OK);
  s.struct_size = SHOAL_SLICE_SIZE_V1 - 1;
  CHECK(shoal_get_slice(dev, 0, &s) == SHOAL_ERR_INVALID_ARG);
  CHECK_THAT(shoal_last_error(), Catch::Contains("struct_size"));
  struct OldInfo {
    unsigned char bytes[SHOAL_INFO_SIZE_V1];
  } old{};
  std::memset(&old, 0xee, sizeof old);
  auto* oi = reinterpret_cast<shoal_info*>(&old);
  oi->struct_size = SHOAL_INFO_SIZE_V1;
  REQUIRE(shoal_get_info(dev, oi) == SHOAL_OK);  // fills exactly the first version's bytes
  CHECK(oi->num_processors == regs::param::num_processors);

  // The C++ wrapper gives the same list.
  auto d = shoal::Device::open("pci:0000:03:00.0");
  REQUIRE(d);
  auto list = d->slices();
  REQUIRE(list);
  REQUIRE(list->size() == regs::kNumSlices);
  CHECK(std::string(list->back().name) == regs::kSlices[regs::kNumSlices - 1].name);
  shoal_close(dev);
}

TEST_CASE("libshoal: inconsistent slices in the DTB are refused", "[hostlib][slice][dtb]") {
  std::string msg;
  SECTION("a resource index beyond the card's resource types") {
    auto dtb = edited_dtb([](void* fdt) {
      REQUIRE(fdt_setprop_u32(fdt, slice_node(fdt, 0), "shoal,resource", regs::param::num_resource_types) == 0);
    });
    CHECK(open_image(card_image(dtb), msg) == SHOAL_ERR_BAD_DTB);
    CHECK_THAT(msg, Catch::Contains("shoal,resource"));
  }
  SECTION("the last valid resource index opens") {
    auto dtb = edited_dtb([](void* fdt) {
      REQUIRE(fdt_setprop_u32(fdt, slice_node(fdt, 0), "shoal,resource", regs::param::num_resource_types - 1) == 0);
    });
    CHECK(open_image(card_image(dtb), msg) == SHOAL_OK);
  }
  SECTION("a partition beyond the card's partitions") {
    auto dtb = edited_dtb([](void* fdt) {
      const std::uint64_t mask = std::uint64_t{1} << regs::param::num_partitions;
      REQUIRE(fdt_setprop_u64(fdt, slice_node(fdt, 1), "shoal,partitions", mask) == 0);
    });
    CHECK(open_image(card_image(dtb), msg) == SHOAL_ERR_BAD_DTB);
    CHECK_THAT(msg, Catch::Contains("partitions"));
  }
  SECTION("the last partition alone opens") {
    auto dtb = edited_dtb([](void* fdt) {
      const std::uint64_t mask = std::uint64_t{1} << (regs::param::num_partitions - 1);
      REQUIRE(fdt_setprop_u64(fdt, slice_node(fdt, 1), "shoal,partitions", mask) == 0);
    });
    CHECK(open_image(card_image(dtb), msg) == SHOAL_OK);
  }
  SECTION("no capability") {
    auto dtb = edited_dtb([](void* fdt) { REQUIRE(fdt_delprop(fdt, slice_node(fdt, 0), "shoal,capability") == 0); });
    CHECK(open_image(card_image(dtb), msg) == SHOAL_ERR_BAD_DTB);
    CHECK_THAT(msg, Catch::Contains("shoal,capability"));
  }
  SECTION("zero units") {
    auto dtb = edited_dtb([](void* fdt) { REQUIRE(fdt_setprop_u32(fdt, slice_node(fdt, 0), "shoal,units", 0) == 0); });
    CHECK(open_image(card_image(dtb), msg) == SHOAL_ERR_BAD_DTB);
    CHECK_THAT(msg, Catch::Contains("shoal,units"));
  }
  SECTION("a repeated index") {
    auto dtb = edited_dtb([](void* fdt) { REQUIRE(fdt_setprop_u32(fdt, slice_node(fdt, 1), "reg", 0) == 0); });
    CHECK(open_image(card_image(dtb), msg) == SHOAL_ERR_BAD_DTB);
    CHECK_THAT(msg, Catch::Contains("indexes"));
  }
  SECTION("a card without /slices has none") {
    auto dtb = edited_dtb([](void* fdt) { REQUIRE(fdt_del_node(fdt, fdt_path_offset(fdt, "/slices")) == 0); });
    FakeCard card(card_image(dtb));
    shoal_dev* dev = nullptr;
    REQUIRE(shoal_open("pci:0000:03:00.0", &dev) == SHOAL_OK);
    shoal_info info{};
    SHOAL_INIT(info);
    REQUIRE(shoal_get_info(dev, &info) == SHOAL_OK);
    CHECK(info.num_slices == 0);
    shoal_slice s{};
    SHOAL_INIT(s);
    CHECK(shoal_get_slice(dev, 0, &s) == SHOAL_ERR_INVALID_ARG);
    shoal_close(dev);
  }
}
