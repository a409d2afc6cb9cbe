// shoalctl, run as a program against a fake PCI sysfs tree holding a real card image.
#include <catch2/catch.hpp>

#include "shoal/regs.h"
#include "test_support.hpp"

using namespace shoal::test;

namespace {

struct Ctl {
  Ctl() {
    dir = sys.add("0000:03:00.0", 0x1d0f, 0x5348, card_image());
    env = {{"SHOAL_SYSFS_ROOT", sys.root().string()}, {"SHOAL_DEVICE", ""}};
  }
  RunResult operator()(std::vector<std::string> args) const {
    args.insert(args.begin(), SHOAL_TEST_SHOALCTL);
    return run(args, env);
  }
  std::uint32_t scratch() const { return get32(read_file(dir / "resource0"), SHOAL_CTRL_SCRATCH_ADDR); }

  FakeSysfs sys;
  fs::path dir;
  std::map<std::string, std::string> env;
};

// Checks JSON text with Python's json module; `check` is a Python expression over `d`.
bool json_ok(const std::string& text, const std::string& check) {
  const auto r = run({SHOAL_TEST_PYTHON, "-c", "import json,sys\nd=json.load(sys.stdin)\nsys.exit(0 if (" + check + ") else 3)"},
                     {}, text);
  INFO(r.err);
  return r.exit_code == 0;
}

}  // namespace

TEST_CASE("shoalctl info prints the card's identity and shape", "[shoalctl]") {
  Ctl ctl;
  auto r = ctl({"--device", "pci:0000:03:00.0", "info"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK_THAT(r.out, Catch::Contains("0x53484f4c") && Catch::Contains("processors") && Catch::Contains("cache_ways") &&
                        Catch::Contains("ctrl"));

  // SHOAL_DEVICE stands in for --device; --json after the subcommand works too.
  auto env = ctl.env;
  env["SHOAL_DEVICE"] = "pci:1d0f:5348";
  auto j = run({SHOAL_TEST_SHOALCTL, "info", "--json"}, env);
  INFO(j.err);
  REQUIRE(j.exit_code == 0);
  using namespace shoal::regs;
  // present blocks: those the register map marks present, plus the DTB window
  std::string present = "'dtb'";
  for (const auto& b : kBlocks) {
    if (b.present) present += std::string(", '") + b.name + "'";
  }
  const std::string check = "d['magic'] == " + std::to_string(SHOAL_CTRL_MAGIC_RESET) +
                            " and d['num_processors'] == " + std::to_string(param::num_processors) +
                            " and d['num_partitions'] == " + std::to_string(param::num_partitions) +
                            " and d['clock_hz'] == " + std::to_string(param::clock_hz) +
                            " and len(d['resources']) == " + std::to_string(param::num_resource_types) +
                            " and d['resources'][0]['name'] == 'cpu'" +
                            " and sorted(b['name'] for b in d['blocks'] if b['present']) == sorted([" + present + "])";
  CHECK(json_ok(j.out, check));
}

TEST_CASE("shoalctl reg read/write by name and offset", "[shoalctl]") {
  Ctl ctl;
  auto r = ctl({"-d", "pci:0000:03:00.0", "reg", "read", "ctrl.MAGIC"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK_THAT(r.out, Catch::Contains("ctrl.MAGIC") && Catch::Contains("0x53484f4c"));

  auto j = ctl({"-d", "pci:0000:03:00.0", "--json", "reg", "read", "ctrl.id"});
  REQUIRE(j.exit_code == 0);
  CHECK(json_ok(j.out, "d['value'] == " + std::to_string(SHOAL_CTRL_ID_RESET) +
                           " and d['name'] == 'ctrl.ID' and d['fields']['block'] == " +
                           std::to_string(SHOAL_CTRL_BLOCK_ID)));

  auto w = ctl({"-d", "pci:0000:03:00.0", "reg", "write", "ctrl.SCRATCH", "0xfeedface"});
  INFO(w.err);
  REQUIRE(w.exit_code == 0);
  CHECK(ctl.scratch() == 0xfeedfaceu);
  auto back = ctl({"-d", "pci:0000:03:00.0", "--json", "reg", "read", "0x10"});
  REQUIRE(back.exit_code == 0);
  CHECK(json_ok(back.out, "d['value'] == 0xfeedface and d['offset'] == 16"));

  // an element of a register array
  auto arr = ctl({"-d", "pci:0000:03:00.0", "--json", "reg", "read", "wmu.part_busy[3]"});
  INFO(arr.err);
  REQUIRE(arr.exit_code == 0);
  CHECK(json_ok(arr.out, "d['offset'] == " +
                             std::to_string(shoal::regs::wmu::kPartBusy + 3 * shoal::regs::wmu::kPartBusyStride) +
                             " and d['name'] == 'wmu.PART_BUSY[3]'"));

  // 64 bits on two writable registers (IRQ_STATUS, IRQ_ENABLE; the fake BAR is plain memory)
  auto w64 = ctl({"-d", "pci:0000:03:00.0", "reg", "write", "--64", "0x20", "0x0102030405060708"});
  INFO(w64.err);
  REQUIRE(w64.exit_code == 0);
  auto r64 = ctl({"-d", "pci:0000:03:00.0", "--json", "reg", "read", "--64", "32"});
  REQUIRE(r64.exit_code == 0);
  CHECK(json_ok(r64.out, "d['value'] == 0x0102030405060708 and d['width'] == 64"));
}

TEST_CASE("shoalctl reg list names every register of the map", "[shoalctl]") {
  Ctl ctl;
  auto r = ctl({"reg", "list", "--json"});  // needs no device
  REQUIRE(r.exit_code == 0);
  CHECK(json_ok(r.out, "len(d) == " + std::to_string(std::size(shoal::regs::kRegisters)) +
                           " and {'name': 'ctrl.MAGIC', 'offset': 4} in [{'name': x['name'], 'offset': x['offset']} for x in d]"));
}

TEST_CASE("shoalctl refuses bad input with a message and writes nothing", "[shoalctl]") {
  Ctl ctl;
  const std::string dev = "pci:0000:03:00.0";
  struct Case {
    std::vector<std::string> args;
    int code;
    const char* says;
  } cases[] = {
      {{"-d", dev, "reg", "read", "ctrl.NOPE"}, 2, "unknown register"},
      {{"-d", dev, "reg", "read", "SCRATCH"}, 2, "unknown register"},
      {{"-d", dev, "reg", "write", "ctrl.SCRATCH", "banana"}, 2, "not a valid"},
      {{"-d", dev, "reg", "write", "ctrl.SCRATCH", "0x100000000"}, 2, "not a valid"},
      {{"-d", dev, "reg", "write", "ctrl.SCRATCH", "12abc"}, 2, "not a valid"},
      {{"-d", dev, "reg", "write", "0x100000", "1"}, 2, "outside BAR0"},
      {{"-d", dev, "reg", "write", "0x12", "1"}, 2, "aligned"},
      {{"-d", dev, "reg", "read", "0xzz"}, 2, "not a valid offset"},
      {{"-d", dev, "reg", "write", "ctrl.MAGIC", "1"}, 2, "read-only"},
      {{"-d", dev, "reg", "write", "drrm.TIMEOUT", "1"}, 2, "driven by the card's firmware"},
      {{"-d", dev, "reg", "write", "0x28010", "1"}, 2, "driven by the card's firmware"},
      {{"-d", dev, "reg", "read", "wmu.PART_BUSY[16]"}, 2, "has 16 elements"},
      {{"-d", dev, "reg", "read", "wmu.PART_BUSY[x]"}, 2, "index must be a number"},
      {{"-d", dev, "reg", "read", "wmu.PART_BUSY[2"}, 2, "BLOCK.NAME[i]"},
      {{"reg", "write", "ctrl.SCRATCH", "1"}, 2, "SHOAL_DEVICE"},
      {{"-d", "pci:0000:07:00.0", "reg", "write", "ctrl.SCRATCH", "1"}, 1, "0000:07:00.0"},
      {{"-d", "sim:/nonexistent/shoal.sock", "info"}, 1, "/nonexistent/shoal.sock"},
      {{"-d", "bogus:thing", "info"}, 2, "unrecognised device URI"},  // bad input: 2
      {{"-d", dev, "reg", "frobnicate"}, 2, ""},
      {{}, 2, ""},
  };
  for (const auto& c : cases) {
    std::string line;
    for (const auto& a : c.args) line += a + " ";
    INFO(line);
    auto r = ctl(c.args);
    INFO(r.err);
    CHECK(r.exit_code == c.code);
    CHECK_FALSE(r.err.empty());
    CHECK_THAT(r.err, Catch::Contains(c.says));
    CHECK(ctl.scratch() == 0u);
  }
}

TEST_CASE("shoalctl --help explains URIs, SHOAL_DEVICE and exit codes", "[shoalctl]") {
  Ctl ctl;
  auto r = ctl({"--help"});
  REQUIRE(r.exit_code == 0);
  CHECK_THAT(r.out, Catch::Contains("sim:/path/to/socket") && Catch::Contains("pci:DDDD:BB:DD.F") &&
                        Catch::Contains("pci:VVVV:DDDD") && Catch::Contains("SHOAL_DEVICE") &&
                        Catch::Contains("Exit codes"));
}
