// shoalctl's command-line conventions and basics (issue 11: items 2, 3, 4, 9, 10), run as a
// program against a fake PCI sysfs tree holding a real card image and an in-test sim server.
#include <catch2/catch.hpp>

#include <sys/socket.h>
#include <sys/un.h>

#include <algorithm>
#include <sstream>

#include "shoal/regs.h"
#include "test_support.hpp"

using namespace shoal::test;
namespace regs = shoal::regs;

namespace {

const std::string kDev = "pci:0000:03:00.0";

struct Ctl {
  Ctl() {
    dir = sys.add("0000:03:00.0", 0x1d0f, 0x5348, card_image());
    env = {{"SHOAL_SYSFS_ROOT", sys.root().string()}, {"SHOAL_DEVICE", ""}};
  }
  RunResult operator()(std::vector<std::string> args) const {
    args.insert(args.begin(), SHOAL_TEST_SHOALCTL);
    return run(args, env);
  }
  std::uint32_t word(std::uint64_t off) const { return get32(read_file(dir / "resource0"), off); }

  FakeSysfs sys;
  fs::path dir;
  std::map<std::string, std::string> env;
};

bool json_ok(const std::string& text, const std::string& check) {
  const auto r = run({SHOAL_TEST_PYTHON, "-c", "import json,sys\nd=json.load(sys.stdin)\nsys.exit(0 if (" + check + ") else 3)"},
                     {}, text);
  INFO(text << r.err);
  return r.exit_code == 0;
}

std::vector<std::string> lines(const std::string& s) {
  std::vector<std::string> out;
  std::istringstream in(s);
  for (std::string l; std::getline(in, l);) out.push_back(l);
  return out;
}

std::size_t count(const std::string& hay, const std::string& needle) {
  std::size_t n = 0;
  for (auto p = hay.find(needle); p != std::string::npos; p = hay.find(needle, p + 1)) ++n;
  return n;
}

}  // namespace

TEST_CASE("reg list: one whole line per register, however long its description (item 2)", "[cli]") {
  Ctl ctl;
  auto r = ctl({"reg", "list"});
  REQUIRE(r.exit_code == 0);
  const auto ls = lines(r.out);
  REQUIRE(ls.size() == 1 + std::size(regs::kRegisters));  // a header, then one per register
  std::size_t longest = 0;
  for (std::size_t i = 0; i < std::size(regs::kRegisters); ++i) {
    const auto& reg = regs::kRegisters[i];
    const std::string name = std::string(reg.block) + "." + reg.name;
    const std::string& l = ls[i + 1];
    INFO(l);
    CHECK(l.rfind(name + " ", 0) == 0);
    // the whole description, at the end of its own line
    CHECK(l.size() >= std::strlen(reg.description));
    CHECK(l.compare(l.size() - std::strlen(reg.description), std::string::npos, reg.description) == 0);
    longest = std::max(longest, std::strlen(reg.description));
  }
  CHECK(longest > 200);  // the map has descriptions longer than any fixed line buffer had
}

TEST_CASE("--version, mistyped and missing commands name the word and the nearest one (item 3)", "[cli]") {
  Ctl ctl;
  auto v = ctl({"--version"});
  INFO(v.err);
  CHECK(v.exit_code == 0);
  CHECK_THAT(v.out, Catch::StartsWith("shoalctl 0.") && Catch::Contains("libshoal"));
  struct Case {
    std::vector<std::string> args;
    const char* says;
  } cases[] = {
      {{"reg", "lsit"}, "unknown command 'lsit' for 'shoalctl reg'; did you mean 'list'?"},
      {{"inf"}, "unknown command 'inf' for 'shoalctl'; did you mean 'info'?"},
      {{"-d", kDev, "fw", "stauts"}, "did you mean 'status'?"},
      {{"--json", "-d", kDev, "reg", "raed", "ctrl.ID"}, "did you mean 'read'?"},
      {{"reg"}, "'shoalctl reg' needs a command: list, read, write, dump"},
      {{}, "'shoalctl' needs a command"},
  };
  for (const auto& c : cases) {
    auto r = ctl(c.args);
    INFO(r.err);
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.err, Catch::Contains(c.says));
    CHECK_THAT(r.err, !Catch::Contains("A subcommand is required"));
  }
}

TEST_CASE("--json: every command prints JSON, errors too, with the same exit code (item 3)", "[cli]") {
  Ctl ctl;
  struct Case {
    std::vector<std::string> args;
    int code;
    const char* errc;
  } cases[] = {
      {{"--json", "-d", kDev, "reg", "read", "ctrl.NOPE"}, 2, "usage"},
      {{"-d", kDev, "reg", "read", "ctrl.NOPE", "--json"}, 2, "usage"},
      {{"--json", "reg", "lsit"}, 2, "usage"},
      {{"--json", "-d", "bogus:thing", "info"}, 2, "invalid_arg"},  // a malformed URI is bad input: 2
      {{"--json", "-d", "pci:0000:07:00.0", "info"}, 1, "no_device"},
      {{"--json", "-d", kDev, "fw", "load", "/nonexistent/fw.elf"}, 2, "invalid_arg"},
  };
  for (const auto& c : cases) {
    auto r = ctl(c.args);
    INFO(r.out << r.err);
    CHECK(r.exit_code == c.code);
    CHECK(json_ok(r.out, "d['error']['exit_code'] == " + std::to_string(c.code) + " and d['error']['code'] == '" +
                             c.errc + "' and len(d['error']['message']) > 10"));
    CHECK_FALSE(r.err.empty());  // and the human message on stderr
  }
  // without --json a malformed URI is still 2
  CHECK(ctl({"-d", "bogus:thing", "info"}).exit_code == 2);
}

TEST_CASE("help: the long footer once, on the top level; --device and --json under every command (item 3)",
          "[cli]") {
  Ctl ctl;
  auto top = ctl({"--help"});
  REQUIRE(top.exit_code == 0);
  CHECK(count(top.out, "Exit codes") == 1);
  for (std::vector<std::string> args : {std::vector<std::string>{"reg", "--help"}, {"reg", "read", "--help"},
                                        {"fw", "load", "--help"}, {"info", "--help"}, {"reg", "dump", "--help"}}) {
    auto h = ctl(args);
    INFO(args[0] << " " << args[1] << "\n" << h.out);
    REQUIRE(h.exit_code == 0);
    CHECK(count(h.out, "Exit codes") == 0);
    CHECK_THAT(h.out, Catch::Contains("--device") && Catch::Contains("--json") && Catch::Contains("shoalctl --help"));
  }
  // and they work there
  auto r = ctl({"reg", "read", "ctrl.MAGIC", "--device", kDev, "--json"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(json_ok(r.out, "d['value'] == " + std::to_string(SHOAL_CTRL_MAGIC_RESET)));
}

TEST_CASE("reg read --json keeps the array index in the name (item 3)", "[cli]") {
  Ctl ctl;
  for (const char* t : {"wmu.PART_BUSY[0]", "wmu.part_busy[15]"}) {
    auto r = ctl({"-d", kDev, "--json", "reg", "read", t});
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    const std::string idx = std::string(t).substr(std::string(t).find('['));
    CHECK(json_ok(r.out, "d['name'] == 'wmu.PART_BUSY" + idx + "'"));
  }
  // by offset: the element is named too
  auto o = ctl({"-d", kDev, "--json", "reg", "read",
                std::to_string(regs::wmu::kPartBusy + 2 * regs::wmu::kPartBusyStride)});
  REQUIRE(o.exit_code == 0);
  CHECK(json_ok(o.out, "d['name'] == 'wmu.PART_BUSY[2]'"));
}

TEST_CASE("numbers: a leading zero is decimal, never octal (item 10)", "[cli]") {
  Ctl ctl;
  REQUIRE(ctl({"-d", kDev, "reg", "write", "ctrl.SCRATCH", "010"}).exit_code == 0);
  CHECK(ctl.word(SHOAL_CTRL_SCRATCH_ADDR) == 10u);
  REQUIRE(ctl({"-d", kDev, "reg", "write", "ctrl.SCRATCH", "09"}).exit_code == 0);  // not even octal
  CHECK(ctl.word(SHOAL_CTRL_SCRATCH_ADDR) == 9u);
  REQUIRE(ctl({"-d", kDev, "reg", "write", "ctrl.SCRATCH", "0x010"}).exit_code == 0);
  CHECK(ctl.word(SHOAL_CTRL_SCRATCH_ADDR) == 16u);
  REQUIRE(ctl({"-d", kDev, "reg", "write", "ctrl.SCRATCH", "0"}).exit_code == 0);
  CHECK(ctl.word(SHOAL_CTRL_SCRATCH_ADDR) == 0u);
  REQUIRE(ctl({"-d", kDev, "reg", "write", "ctrl.SCRATCH", "04294967295"}).exit_code == 0);  // max, boundary
  CHECK(ctl.word(SHOAL_CTRL_SCRATCH_ADDR) == 0xffffffffu);
  CHECK(ctl({"-d", kDev, "reg", "write", "ctrl.SCRATCH", "04294967296"}).exit_code == 2);
  CHECK(ctl({"-d", kDev, "reg", "write", "ctrl.SCRATCH", "0x"}).exit_code == 2);
  CHECK(ctl({"-d", kDev, "reg", "write", "ctrl.SCRATCH", "0b1"}).exit_code == 2);
  CHECK(ctl.word(SHOAL_CTRL_SCRATCH_ADDR) == 0xffffffffu);
  auto r = ctl({"-d", kDev, "--json", "reg", "read", "020"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(json_ok(r.out, "d['offset'] == 20"));
  CHECK(json_ok(ctl({"-d", kDev, "--json", "reg", "read", "wmu.PART_BUSY[010]"}).out,
                "d['name'] == 'wmu.PART_BUSY[10]'"));
}

TEST_CASE("--64 that the card would take only in part is refused before the card (item 9)", "[cli]") {
  Ctl ctl;
  REQUIRE(ctl({"-d", kDev, "reg", "write", "ctrl.SCRATCH", "0"}).exit_code == 0);
  auto w = ctl({"-d", kDev, "reg", "write", "ctrl.SCRATCH", "0x1", "--64"});
  CHECK(w.exit_code == 2);
  CHECK_THAT(w.err, Catch::Contains("high half") && Catch::Contains("no register at 0x00014") &&
                        Catch::Contains("nothing written"));
  auto t = ctl({"-d", kDev, "reg", "write", "ctrl.IRQ_PENDING", "0x100000000", "--64"});
  CHECK(t.exit_code == 2);
  CHECK_THAT(t.err, Catch::Contains("read-only"));
  // a command register takes 32-bit writes only (the key in the low half would reset the card)
  auto k = ctl({"-d", kDev, "reg", "write", "ctrl.SOFT_RESET", "0x52535421", "--64"});
  CHECK(k.exit_code == 2);
  CHECK_THAT(k.err, Catch::Contains("low half") && Catch::Contains("write-only command register"));
  CHECK(ctl({"-d", kDev, "reg", "read", "ctrl.SCRATCH", "--64"}).exit_code == 2);
  CHECK(ctl.word(SHOAL_CTRL_SCRATCH_ADDR) == 0u);
  CHECK(ctl.word(SHOAL_CTRL_SCRATCH_ADDR + 4) == 0u);
  CHECK(ctl.word(SHOAL_CTRL_IRQ_TEST_ADDR) == 0u);
  CHECK(ctl({"-d", kDev, "reg", "read", "ctrl.ID", "--64"}).exit_code == 0);  // ID + MAGIC: fine
}

TEST_CASE("reg dump reads a whole block, arrays included, in one run (item 4)", "[cli]") {
  Ctl ctl;
  std::size_t drrm_words = 0, proc = 0;
  for (const auto& r : regs::kRegisters) {
    if (std::string(r.block) == "drrm") drrm_words += r.count;
    if (std::string(r.block) == "drrm" && std::string(r.name) == "PROC") proc = r.count;
  }
  REQUIRE(proc == regs::param::num_processors);
  auto j = ctl({"-d", kDev, "--json", "reg", "dump", "drrm"});
  INFO(j.err);
  REQUIRE(j.exit_code == 0);
  CHECK(json_ok(j.out, "len(d) == " + std::to_string(drrm_words) + " and d[0]['name'] == 'drrm.ID'" +
                           " and d[0]['value'] == " + std::to_string(SHOAL_DRRM_ID_RESET) +
                           " and 'drrm.PROC[63]' in [x['name'] for x in d]"));
  auto t = ctl({"-d", kDev, "reg", "dump", "drrm.PROC"});
  REQUIRE(t.exit_code == 0);
  CHECK(lines(t.out).size() == 1 + proc);
  CHECK_THAT(t.out, Catch::Contains("drrm.PROC[0] ") && Catch::Contains("drrm.PROC[63] "));
  auto c = ctl({"-d", kDev, "reg", "dump", "ctrl"});
  REQUIRE(c.exit_code == 0);
  CHECK_THAT(c.out, Catch::Contains("ctrl.SOFT_RESET") && Catch::Contains("write-only: not read"));
  auto blk = ctl({"-d", kDev, "reg", "read", "drrm"});
  CHECK(blk.exit_code == 2);
  CHECK_THAT(blk.err, Catch::Contains("shoalctl reg dump drrm"));
  CHECK(ctl({"-d", kDev, "reg", "dump", "nope"}).exit_code == 2);
  CHECK(ctl({"-d", kDev, "reg", "dump", "drrm.NOPE"}).exit_code == 2);
}

TEST_CASE("list: the Shoal PCI devices and the simulators' sockets, each opened once (item 4)", "[cli]") {
  Ctl ctl;
  ctl.sys.add("0000:04:00.0", 0x1d0f, 0x5348, card_image());
  ctl.sys.add("0000:05:00.0", 0x8086, 0x1234, std::nullopt);  // another device: not listed
  FakeSimServer srv(card_image());                            // a live simulator
  const fs::path rundir = srv.path().parent_path();
  {  // a stale socket beside it, and files that are no sockets
    const std::string stale = (rundir / "old.sock").string();
    const int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
    sockaddr_un a{};
    a.sun_family = AF_UNIX;
    std::strncpy(a.sun_path, stale.c_str(), sizeof a.sun_path - 1);
    REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
    ::close(fd);
    FakeSysfs::write_text(rundir / "sim.sock.lock", "");
    FakeSysfs::write_text(rundir / "notes.txt", "x");
  }
  auto env = ctl.env;
  env["SHOAL_RUNTIME_DIR"] = rundir.string();
  auto r = run({SHOAL_TEST_SHOALCTL, "--json", "list"}, env);
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(json_ok(r.out, "[x['uri'] for x in d['devices']] == ['pci:0000:03:00.0', 'pci:0000:04:00.0', 'sim:" +
                           (rundir / "old.sock").string() + "', '" + srv.uri() + "']" +
                           " and [x['state'] for x in d['devices']] == ['ok', 'ok', 'no_device', 'ok']" +
                           " and d['devices'][3]['model'].startswith('Shoal')" + " and d['pci_id'] == '1d0f:5348'" +
                           " and d['sim_dir'] == '" + rundir.string() + "'"));
  auto t = run({SHOAL_TEST_SHOALCTL, "list"}, env);
  REQUIRE(t.exit_code == 0);
  CHECK_THAT(t.out, Catch::Contains("cards (4)") && Catch::Contains("nothing is listening"));
  // nothing there: an empty list, exit 0, and where it looked
  FakeSysfs empty;
  auto n = run({SHOAL_TEST_SHOALCTL, "list"},
               {{"SHOAL_SYSFS_ROOT", empty.root().string()}, {"SHOAL_RUNTIME_DIR", (empty.root() / "none").string()}});
  CHECK(n.exit_code == 0);
  CHECK_THAT(n.out, Catch::Contains("cards (0)") && Catch::Contains(empty.root().string()));
}
